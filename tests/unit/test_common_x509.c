/*
 * Unit tests for common/x509: keys, CAs, CSRs and Magnum's CSR signing rules (spec §6.2/§6.3).
 * Keys are 1024-bit where the size does not matter, to keep the test fast.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>
#include <time.h>

#include "common/err.h"
#include "common/x509.h"

struct ca {
        char *key;
        char *cert;
        char pass[13];
};

static int setup_ca(void **state)
{
        struct ca *ca = xnew(struct ca, 1);
        struct err e = ERR_INIT;
        x509_random_passphrase(ca->pass, 12);
        assert_int_equal(x509_generate_key(2048, ca->pass, &ca->key, &e), 0);
        assert_int_equal(x509_generate_ca(ca->key, ca->pass, "k8s-cluster", 1825, &ca->cert, &e),
                         0);
        *state = ca;
        return 0;
}

static int teardown_ca(void **state)
{
        struct ca *ca = *state;
        free(ca->key);
        free(ca->cert);
        free(ca);
        return 0;
}

static void test_key_plain_and_encrypted(void **state)
{
        (void)state;
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_free_ char *plain = NULL;
        _cleanup_free_ char *enc = NULL;
        _cleanup_free_ char *back = NULL;
        _cleanup_free_ char *bad = NULL;
        assert_int_equal(x509_generate_key(1024, NULL, &plain, &e), 0);
        assert_non_null(strstr(plain, "-----BEGIN PRIVATE KEY-----"));
        assert_int_equal(x509_key_convert(plain, NULL, "s3cretpass12", &enc, &e), 0);
        assert_non_null(strstr(enc, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        assert_int_equal(x509_key_convert(enc, "s3cretpass12", NULL, &back, &e), 0);
        assert_string_equal(back, plain);
        assert_int_equal(x509_key_convert(enc, "wrongpass", NULL, &bad, &e), -EBADMSG);
        assert_null(bad);
        assert_int_equal(x509_generate_key(100, NULL, &bad, &e), -EINVAL);
        assert_int_equal(x509_key_convert("garbage", NULL, NULL, &bad, &e), -EINVAL);
}

static void test_passphrase(void **state)
{
        (void)state;
        char a[13], b[13];
        x509_random_passphrase(a, 12);
        x509_random_passphrase(b, 12);
        assert_int_equal(strlen(a), 12);
        assert_string_not_equal(a, b);
        for (int i = 0; i < 12; i++)
                assert_true((a[i] >= 'a' && a[i] <= 'z') || (a[i] >= 'A' && a[i] <= 'Z') ||
                            (a[i] >= '0' && a[i] <= '9'));
}

static void test_ca_fields(void **state)
{
        struct ca *ca = *state;
        _cleanup_err_ struct err e = ERR_INIT;
        struct x509_info i;
        assert_int_equal(x509_cert_info(ca->cert, &i, &e), 0);
        assert_string_equal(i.subject, "CN=k8s-cluster");
        assert_string_equal(i.issuer, "CN=k8s-cluster");
        assert_true(i.is_ca);
        assert_int_equal(i.key_usage, X509_KU_KEY_CERT_SIGN);
        assert_true(i.key_usage_critical);
        long long now = (long long)time(NULL);
        assert_true(i.not_before <= now - 86000 && i.not_before >= now - 86500);
        assert_true(i.not_after >= now + 1824LL * 86400);
        assert_int_equal(strlen(i.serial_hex), 32);
        assert_int_not_equal(ca->cert[strlen(ca->cert) - 1], '\n');
        assert_int_equal(x509_verify(ca->cert, ca->cert, &e), 0);
        x509_info_release(&i);
}

static void test_client_cert(void **state)
{
        struct ca *ca = *state;
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_free_ char *key = NULL;
        _cleanup_free_ char *cert = NULL;
        const char *eku[] = {X509_EKU_CLIENT_AUTH, NULL};
        struct x509_csr_opts o = {.cn = "admin",
                                  .org = "system:masters",
                                  .key_usage = X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT,
                                  .key_usage_critical = true,
                                  .ext_key_usage = eku,
                                  .basic_constraints = true};
        assert_int_equal(x509_issue(&o, 1024, ca->cert, ca->key, ca->pass, NULL, &key, &cert, &e),
                         0);
        struct x509_info i;
        assert_int_equal(x509_cert_info(cert, &i, &e), 0);
        assert_non_null(strstr(i.subject, "CN=admin"));
        assert_non_null(strstr(i.subject, "O=system:masters"));
        assert_string_equal(i.issuer, "CN=k8s-cluster");
        assert_false(i.is_ca);
        assert_int_equal(i.key_usage, X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT);
        assert_true(i.key_usage_critical);
        x509_info_release(&i);
        assert_true(x509_cert_has_eku(cert, X509_EKU_CLIENT_AUTH));
        assert_false(x509_cert_has_eku(cert, X509_EKU_SERVER_AUTH));
        assert_int_equal(x509_verify(cert, ca->cert, &e), 0);

        /* Another CA does not verify it; a wrong CA passphrase cannot sign. */
        _cleanup_free_ char *k2 = NULL;
        _cleanup_free_ char *ca2 = NULL;
        assert_int_equal(x509_generate_key(1024, NULL, &k2, &e), 0);
        assert_int_equal(x509_generate_ca(k2, NULL, "other", 10, &ca2, &e), 0);
        assert_int_equal(x509_verify(cert, ca2, &e), -EACCES);
        _cleanup_free_ char *csr = NULL;
        _cleanup_free_ char *c2 = NULL;
        assert_int_equal(x509_generate_csr(key, NULL, &o, &csr, &e), 0);
        assert_int_equal(x509_sign_csr(csr, ca->cert, ca->key, "nope", NULL, &c2, &e), -EBADMSG);
}

static void test_server_cert_sans(void **state)
{
        struct ca *ca = *state;
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_free_ char *key = NULL;
        _cleanup_free_ char *cert = NULL;
        const char *dns[] = {"kubernetes", "kubernetes.default", NULL};
        const char *ips[] = {"127.3.0.5", "10.254.0.1", NULL};
        const char *eku[] = {X509_EKU_SERVER_AUTH, X509_EKU_CLIENT_AUTH, NULL};
        struct x509_csr_opts o = {.cn = "kube-master",
                                  .key_usage = X509_KU_DIGITAL_SIGNATURE,
                                  .ext_key_usage = eku,
                                  .dns_names = dns,
                                  .ip_addresses = ips};
        assert_int_equal(x509_issue(&o, 1024, ca->cert, ca->key, ca->pass, NULL, &key, &cert, &e),
                         0);
        gnutls_x509_crt_t c;
        gnutls_datum_t d = {(unsigned char *)cert, (unsigned)strlen(cert)};
        assert_int_equal(gnutls_x509_crt_init(&c), 0);
        assert_int_equal(gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_PEM), 0);
        assert_int_not_equal(gnutls_x509_crt_check_hostname(c, "kubernetes.default"), 0);
        assert_int_not_equal(
                gnutls_x509_crt_check_ip(c, (const unsigned char[]){127, 3, 0, 5}, 4, 0), 0);
        assert_int_equal(gnutls_x509_crt_check_ip(c, (const unsigned char[]){127, 3, 0, 6}, 4, 0),
                         0);
        gnutls_x509_crt_deinit(c);

        _cleanup_free_ char *csr = NULL;
        const char *bad_ips[] = {"not-an-ip", NULL};
        struct x509_csr_opts bad = {.cn = "x", .ip_addresses = bad_ips};
        assert_int_equal(x509_generate_csr(key, NULL, &bad, &csr, &e), -EINVAL);
        struct x509_csr_opts nocn = {.cn = ""};
        assert_int_equal(x509_generate_csr(key, NULL, &nocn, &csr, &e), -EINVAL);
}

/* Builds a CSR with an arbitrary extension through GnuTLS directly. */
static char *csr_with_ext(const char *key_pem, const char *oid, const gnutls_datum_t *der,
                          bool crit)
{
        gnutls_x509_privkey_t k;
        gnutls_x509_crq_t q;
        gnutls_datum_t kd = {(unsigned char *)key_pem, (unsigned)strlen(key_pem)};
        assert_int_equal(gnutls_x509_privkey_init(&k), 0);
        assert_int_equal(gnutls_x509_privkey_import(k, &kd, GNUTLS_X509_FMT_PEM), 0);
        assert_int_equal(gnutls_x509_crq_init(&q), 0);
        assert_int_equal(
                gnutls_x509_crq_set_dn_by_oid(q, GNUTLS_OID_X520_COMMON_NAME, 0, "node", 4), 0);
        assert_int_equal(gnutls_x509_crq_set_key(q, k), 0);
        assert_int_equal(gnutls_x509_crq_set_extension_by_oid(q, oid, der->data, der->size, crit),
                         0);
        assert_int_equal(gnutls_x509_crq_sign2(q, k, GNUTLS_DIG_SHA256, 0), 0);
        gnutls_datum_t out;
        assert_int_equal(gnutls_x509_crq_export2(q, GNUTLS_X509_FMT_PEM, &out), 0);
        char *s = xstrndup((const char *)out.data, out.size);
        gnutls_free(out.data);
        gnutls_x509_crq_deinit(q);
        gnutls_x509_privkey_deinit(k);
        return s;
}

static void test_extension_filtering(void **state)
{
        struct ca *ca = *state;
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_free_ char *key = NULL;
        assert_int_equal(x509_generate_key(1024, NULL, &key, &e), 0);
        gnutls_datum_t der;
        char *csr, *cert = NULL;
        struct x509_info i;

        /* Disallowed critical extension → refused with its name. */
        gnutls_datum_t aia = {(unsigned char *)"\x30\x00", 2};
        csr = csr_with_ext(key, "1.3.6.1.5.5.7.1.1", &aia, true);
        assert_int_equal(x509_sign_csr(csr, ca->cert, ca->key, ca->pass, NULL, &cert, &e), -EACCES);
        assert_string_equal(err_msg(&e), "Extension 'authorityInfoAccess' not allowed");
        free(csr);
        /* ... dropped when not critical. */
        csr = csr_with_ext(key, "1.3.6.1.5.5.7.1.1", &aia, false);
        assert_int_equal(x509_sign_csr(csr, ca->cert, ca->key, ca->pass, NULL, &cert, &e), 0);
        assert_int_equal(x509_cert_info(cert, &i, &e), 0);
        assert_int_equal(i.n_extensions, 0);
        x509_info_release(&i);
        free(cert);
        free(csr);

        /* keyCertSign is cleared from a non-critical key usage, refused from a critical one. */
        assert_int_equal(gnutls_x509_ext_export_key_usage(
                                 GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN, &der),
                         0);
        csr = csr_with_ext(key, "2.5.29.15", &der, false);
        assert_int_equal(x509_sign_csr(csr, ca->cert, ca->key, ca->pass, NULL, &cert, &e), 0);
        assert_int_equal(x509_cert_info(cert, &i, &e), 0);
        assert_int_equal(i.key_usage, X509_KU_DIGITAL_SIGNATURE);
        assert_false(i.key_usage_critical);
        x509_info_release(&i);
        free(cert);
        free(csr);
        csr = csr_with_ext(key, "2.5.29.15", &der, true);
        assert_int_equal(x509_sign_csr(csr, ca->cert, ca->key, ca->pass, NULL, &cert, &e), -EACCES);
        assert_string_equal(err_msg(&e), "Extension 'keyUsage' not allowed");
        free(csr);
        gnutls_free(der.data);

        /* CA:TRUE rewritten to CA:FALSE unless critical; allow_ca keeps it. */
        assert_int_equal(gnutls_x509_ext_export_basic_constraints(1, -1, &der), 0);
        csr = csr_with_ext(key, "2.5.29.19", &der, false);
        assert_int_equal(x509_sign_csr(csr, ca->cert, ca->key, ca->pass, NULL, &cert, &e), 0);
        assert_int_equal(x509_cert_info(cert, &i, &e), 0);
        assert_false(i.is_ca);
        x509_info_release(&i);
        free(cert);
        struct x509_sign_opts allow = {.allow_ca = true, .validity_days = 30};
        assert_int_equal(x509_sign_csr(csr, ca->cert, ca->key, ca->pass, &allow, &cert, &e), 0);
        assert_int_equal(x509_cert_info(cert, &i, &e), 0);
        assert_true(i.is_ca);
        assert_true(i.not_after <= (long long)time(NULL) + 31LL * 86400);
        x509_info_release(&i);
        free(cert);
        free(csr);
        csr = csr_with_ext(key, "2.5.29.19", &der, true);
        assert_int_equal(x509_sign_csr(csr, ca->cert, ca->key, ca->pass, NULL, &cert, &e), -EACCES);
        free(csr);
        gnutls_free(der.data);

        /* A validly signed CSR whose subjectAltName does not decode (a GeneralName with tag [9])
         * is refused: signing it would issue a certificate no client can parse. */
        static const unsigned char bad_san[] = {
                0x30, 0x18, 0x82, 0x0a, 'k',  'u',  'b',  'e',  'r',  'n',  'e',  't',  'e',
                's',  0x89, 0x04, 0x0a, 0xfe, 0x00, 0x01, 0x87, 0x04, 0x7f, 0x00, 0x00, 0x01};
        gnutls_datum_t bs = {(unsigned char *)bad_san, sizeof(bad_san)};
        csr = csr_with_ext(key, "2.5.29.17", &bs, false);
        assert_int_equal(x509_sign_csr(csr, ca->cert, ca->key, ca->pass, NULL, &cert, &e), -EINVAL);
        assert_string_equal(err_msg(&e), "CSR extension 'subjectAltName' is malformed");
        free(csr);
}

static void test_bad_csr(void **state)
{
        struct ca *ca = *state;
        _cleanup_err_ struct err e = ERR_INIT;
        char *cert = NULL;
        assert_int_equal(x509_sign_csr("not a csr", ca->cert, ca->key, ca->pass, NULL, &cert, &e),
                         -EINVAL);
        assert_int_equal(x509_sign_csr("", ca->cert, ca->key, ca->pass, NULL, &cert, &e), -EINVAL);
        assert_int_equal(x509_sign_csr("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END "
                                       "CERTIFICATE REQUEST-----\n",
                                       ca->cert, ca->key, ca->pass, NULL, &cert, &e),
                         -EINVAL);
        assert_null(cert);
        struct x509_info i;
        assert_int_equal(x509_cert_info("junk", &i, &e), -EINVAL);
        assert_int_equal(x509_verify("junk", ca->cert, &e), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_key_plain_and_encrypted),
                cmocka_unit_test(test_passphrase),
                cmocka_unit_test(test_ca_fields),
                cmocka_unit_test(test_client_cert),
                cmocka_unit_test(test_server_cert_sans),
                cmocka_unit_test(test_extension_filtering),
                cmocka_unit_test(test_bad_csr),
        };
        return cmocka_run_group_tests(tests, setup_ca, teardown_ca);
}
