/*
 * fuzz_x509: PEM text a user hands to POST /v1/certificates (a CSR) or that the services read
 * back (certificates). Every input is inspected as a certificate (x509_cert_info, EKU lookup,
 * verification against the cluster CA) and signed as a CSR by a fixed CA - the Magnum CSR
 * extension filter - once without and once with allow_ca. A certificate that gets issued must
 * verify against the CA and carry no CA rights unless allow_ca. A CSR that parses but whose
 * signature is broken (every mutation breaks it) is re-signed with a fixed key, so the mutated
 * subject and extensions reach the extension filter instead of stopping at the signature check.
 */
#include "common/common.h"

#include <stdint.h>

#include <gnutls/x509-ext.h>
#include <gnutls/x509.h>

#include "common/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *ca_key, *ca_cert;

static void ca_init(void)
{
        struct err e = ERR_INIT;
        if (ca_cert)
                return;
        if (x509_generate_key(2048, NULL, &ca_key, &e) < 0 ||
            x509_generate_ca(ca_key, NULL, "fuzz-ca", 30, &ca_cert, &e) < 0) {
                fprintf(stderr, "fuzz_x509: CA: %s\n", err_msg(&e));
                abort();
        }
}

static void sign(const char *pem, bool allow_ca)
{
        struct x509_sign_opts so = {.validity_days = 30, .allow_ca = allow_ca};
        struct err e = ERR_INIT;
        char *cert = NULL;
        int r = x509_sign_csr(pem, ca_cert, ca_key, NULL, &so, &cert, &e);
        if (getenv("FUZZ_VERBOSE")) /* to check what the seeds reach */
                fprintf(stderr, "sign allow_ca=%d: %d %s\n", allow_ca, r, r < 0 ? err_msg(&e) : "");
        if (r < 0) {
                if (cert || !e.msg)
                        abort();
                err_clear(&e);
                return;
        }
        struct x509_info info = {0};
        if (x509_cert_info(cert, &info, &e) < 0 || x509_verify(cert, ca_cert, &e) < 0) {
                fprintf(stderr, "fuzz_x509: issued certificate unusable: %s\n", err_msg(&e));
                abort();
        }
        if (!allow_ca &&
            (info.is_ca || (info.key_usage & (X509_KU_KEY_CERT_SIGN | X509_KU_CRL_SIGN))))
                abort();
        if (!allow_ca &&
            (info.key_usage & ~(unsigned)(X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT |
                                          X509_KU_NON_REPUDIATION)))
                abort();
        x509_info_release(&info);
        free(cert);
}

/* The CSR re-signed with the CA key as its own key, NULL when it does not parse as a CSR or
 * already verifies. Caller frees. */
static char *resign(const char *pem)
{
        static gnutls_x509_privkey_t k;
        gnutls_x509_crq_t q = NULL;
        gnutls_datum_t d = {(unsigned char *)pem, (unsigned)strlen(pem)}, out = {NULL, 0};
        char *ret = NULL;

        if (!k) {
                gnutls_datum_t kd = {(unsigned char *)ca_key, (unsigned)strlen(ca_key)};
                if (gnutls_x509_privkey_init(&k) < 0 ||
                    gnutls_x509_privkey_import(k, &kd, GNUTLS_X509_FMT_PEM) < 0)
                        abort();
        }
        if (gnutls_x509_crq_init(&q) < 0)
                abort();
        if (gnutls_x509_crq_import(q, &d, GNUTLS_X509_FMT_PEM) < 0 ||
            gnutls_x509_crq_verify(q, 0) >= 0)
                goto done;
        if (gnutls_x509_crq_set_key(q, k) < 0 ||
            gnutls_x509_crq_sign2(q, k, GNUTLS_DIG_SHA256, 0) < 0 ||
            gnutls_x509_crq_export2(q, GNUTLS_X509_FMT_PEM, &out) < 0)
                goto done;
        ret = xstrndup((const char *)out.data, out.size);
done:
        gnutls_free(out.data);
        gnutls_x509_crq_deinit(q);
        return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *pem = xstrndup((const char *)data, size);
        struct err e = ERR_INIT;
        struct x509_info info = {0};

        ca_init();
        if (x509_cert_info(pem, &info, &e) == 0)
                x509_info_release(&info);
        else
                err_clear(&e);
        (void)x509_cert_has_eku(pem, X509_EKU_CLIENT_AUTH);
        if (x509_verify(pem, ca_cert, &e) < 0)
                err_clear(&e);
        sign(pem, false);
        sign(pem, true);
        _cleanup_free_ char *again = resign(pem);
        if (again) {
                sign(again, false);
                sign(again, true);
        }
        return 0;
}
