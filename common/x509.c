/*
 * x509 over GnuTLS: keys, CAs, CSRs and CSR signing as PEM text. See x509.h for the contract.
 * GnuTLS return codes are translated here, once, into -errno + a message.
 */
#include "common/common.h"

#include <arpa/inet.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>
#include <time.h>

#include "common/err.h"
#include "common/ids.h"
#include "common/x509.h"

#define X509_MAX_PEM (64 * 1024)
#define DAY_S        (24 * 3600)

DEFINE_CLEANUP_FUNC(struct gnutls_x509_privkey_int, gnutls_x509_privkey_deinit)
DEFINE_CLEANUP_FUNC(struct gnutls_x509_crt_int, gnutls_x509_crt_deinit)
DEFINE_CLEANUP_FUNC(struct gnutls_x509_crq_int, gnutls_x509_crq_deinit)
#define _cleanup_key_ _cleanup_(gnutls_x509_privkey_deinitp)
#define _cleanup_crt_ _cleanup_(gnutls_x509_crt_deinitp)
#define _cleanup_crq_ _cleanup_(gnutls_x509_crq_deinitp)

static void datum_freep(gnutls_datum_t *d)
{
        gnutls_free(d->data);
        d->data = NULL;
}
#define _cleanup_datum_ _cleanup_(datum_freep)

static int gt_fail(struct err *e, int code, const char *what, int gr)
{
        return err_set(e, code, "%s: %s", what, gnutls_strerror(gr));
}

/* Copies a GnuTLS datum into a NUL-terminated string, dropping trailing newlines when strip. */
static char *datum_to_str(const gnutls_datum_t *d, bool strip)
{
        size_t n = d->size;
        while (strip && n > 0 && (d->data[n - 1] == '\n' || d->data[n - 1] == '\r'))
                n--;
        return xstrndup((const char *)d->data, n);
}

static int pem_datum(const char *pem, gnutls_datum_t *d, const char *what, struct err *e)
{
        if (!pem || !*pem)
                return err_set(e, -EINVAL, "%s: empty", what);
        size_t n = strlen(pem);
        if (n > X509_MAX_PEM)
                return err_set(e, -EINVAL, "%s: too large", what);
        d->data = (unsigned char *)pem;
        d->size = (unsigned)n;
        return 0;
}

static int key_import(const char *pem, const char *pass, gnutls_x509_privkey_t *ret, struct err *e)
{
        _cleanup_key_ gnutls_x509_privkey_t k = NULL;
        gnutls_datum_t d;
        int r = pem_datum(pem, &d, "private key", e);
        if (r < 0)
                return r;
        r = gnutls_x509_privkey_init(&k);
        if (r < 0)
                return gt_fail(e, -EIO, "private key", r);
        r = gnutls_x509_privkey_import2(k, &d, GNUTLS_X509_FMT_PEM, pass,
                                        pass ? 0 : GNUTLS_PKCS_PLAIN);
        if (r == GNUTLS_E_DECRYPTION_FAILED || r == GNUTLS_E_NEED_FALLBACK ||
            (r < 0 && strstr(pem, "ENCRYPTED") && pass))
                return gt_fail(e, -EBADMSG, "private key (wrong passphrase?)", r);
        if (r < 0)
                return gt_fail(e, -EINVAL, "private key", r);
        *ret = TAKE_PTR(k);
        return 0;
}

static int key_export(gnutls_x509_privkey_t k, const char *pass, char **ret, struct err *e)
{
        _cleanup_datum_ gnutls_datum_t out = {NULL, 0};
        unsigned flags = pass ? GNUTLS_PKCS_PBES2_AES_256 : GNUTLS_PKCS_PLAIN;
        int r = gnutls_x509_privkey_export2_pkcs8(k, GNUTLS_X509_FMT_PEM, pass, flags, &out);
        if (r < 0)
                return gt_fail(e, -EIO, "export key", r);
        *ret = datum_to_str(&out, false);
        return 0;
}

int x509_generate_key(unsigned bits, const char *passphrase, char **ret_pem, struct err *e)
{
        if (bits < 1024 || bits > 8192)
                return err_set(e, -EINVAL, "RSA key size %u out of range", bits);
        _cleanup_key_ gnutls_x509_privkey_t k = NULL;
        int r = gnutls_x509_privkey_init(&k);
        if (r < 0)
                return gt_fail(e, -EIO, "key init", r);
        r = gnutls_x509_privkey_generate(k, GNUTLS_PK_RSA, bits, 0);
        if (r < 0)
                return gt_fail(e, -EIO, "generate RSA key", r);
        return key_export(k, passphrase, ret_pem, e);
}

int x509_key_convert(const char *key_pem, const char *passphrase, const char *new_passphrase,
                     char **ret_pem, struct err *e)
{
        _cleanup_key_ gnutls_x509_privkey_t k = NULL;
        int r = key_import(key_pem, passphrase, &k, e);
        if (r < 0)
                return r;
        return key_export(k, new_passphrase, ret_pem, e);
}

void x509_random_passphrase(char *out, size_t n)
{
        static const char alphabet[] =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        unsigned char rnd[64];
        if (n > sizeof(rnd))
                n = sizeof(rnd);
        random_bytes(rnd, n);
        for (size_t i = 0; i < n; i++)
                out[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
        out[n] = '\0';
}

/* version 3, uuid4 serial (top bit clear so it is a positive INTEGER), validity window. */
static int crt_base(gnutls_x509_crt_t c, unsigned validity_days, struct err *e)
{
        unsigned char serial[16];
        random_bytes(serial, sizeof(serial));
        serial[6] = (serial[6] & 0x0f) | 0x40; /* uuid4 version */
        serial[8] = (serial[8] & 0x3f) | 0x80; /* variant */
        serial[0] &= 0x7f;
        if (serial[0] == 0)
                serial[0] = 0x01;
        time_t now = time(NULL);
        int r;
        if ((r = gnutls_x509_crt_set_version(c, 3)) < 0 ||
            (r = gnutls_x509_crt_set_serial(c, serial, sizeof(serial))) < 0 ||
            (r = gnutls_x509_crt_set_activation_time(c, now - DAY_S)) < 0 ||
            (r = gnutls_x509_crt_set_expiration_time(
                     c, now + (time_t)(validity_days ? validity_days : 1825) * DAY_S)) < 0)
                return gt_fail(e, -EIO, "certificate fields", r);
        return 0;
}

static int crt_export(gnutls_x509_crt_t c, char **ret, struct err *e)
{
        _cleanup_datum_ gnutls_datum_t out = {NULL, 0};
        int r = gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_PEM, &out);
        if (r < 0)
                return gt_fail(e, -EIO, "export certificate", r);
        *ret = datum_to_str(&out, true);
        return 0;
}

static int set_ext(gnutls_x509_crt_t c, const char *oid, const gnutls_datum_t *der, bool crit,
                   struct err *e)
{
        int r = gnutls_x509_crt_set_extension_by_oid(c, oid, der->data, der->size, crit);
        if (r < 0)
                return gt_fail(e, -EIO, oid, r);
        return 0;
}

int x509_generate_ca(const char *key_pem, const char *passphrase, const char *cn,
                     unsigned validity_days, char **ret_cert_pem, struct err *e)
{
        if (!cn || !*cn)
                return err_set(e, -EINVAL, "CA common name is empty");
        _cleanup_key_ gnutls_x509_privkey_t k = NULL;
        _cleanup_crt_ gnutls_x509_crt_t c = NULL;
        int r = key_import(key_pem, passphrase, &k, e);
        if (r < 0)
                return r;
        if ((r = gnutls_x509_crt_init(&c)) < 0)
                return gt_fail(e, -EIO, "certificate init", r);
        if ((r = crt_base(c, validity_days, e)) < 0)
                return r;
        if ((r = gnutls_x509_crt_set_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                               (unsigned)strlen(cn))) < 0)
                return gt_fail(e, -EINVAL, "CA common name", r);
        if ((r = gnutls_x509_crt_set_key(c, k)) < 0)
                return gt_fail(e, -EIO, "CA key", r);

        _cleanup_datum_ gnutls_datum_t bc = {NULL, 0};
        _cleanup_datum_ gnutls_datum_t ku = {NULL, 0};
        if ((r = gnutls_x509_ext_export_basic_constraints(1, 0, &bc)) < 0 ||
            (r = gnutls_x509_ext_export_key_usage(GNUTLS_KEY_KEY_CERT_SIGN, &ku)) < 0)
                return gt_fail(e, -EIO, "CA extensions", r);
        if ((r = set_ext(c, "2.5.29.19", &bc, true, e)) < 0 ||
            (r = set_ext(c, "2.5.29.15", &ku, true, e)) < 0)
                return r;
        unsigned char kid[64];
        size_t kid_len = sizeof(kid);
        if ((r = gnutls_x509_crt_get_key_id(c, 0, kid, &kid_len)) < 0 ||
            (r = gnutls_x509_crt_set_subject_key_id(c, kid, kid_len)) < 0)
                return gt_fail(e, -EIO, "CA key id", r);
        if ((r = gnutls_x509_crt_sign2(c, c, k, GNUTLS_DIG_SHA256, 0)) < 0)
                return gt_fail(e, -EIO, "sign CA", r);
        return crt_export(c, ret_cert_pem, e);
}

int x509_generate_csr(const char *key_pem, const char *passphrase, const struct x509_csr_opts *o,
                      char **ret_csr_pem, struct err *e)
{
        if (!o || !o->cn || !*o->cn)
                return err_set(e, -EINVAL, "CSR common name is empty");
        _cleanup_key_ gnutls_x509_privkey_t k = NULL;
        _cleanup_crq_ gnutls_x509_crq_t q = NULL;
        int r = key_import(key_pem, passphrase, &k, e);
        if (r < 0)
                return r;
        if ((r = gnutls_x509_crq_init(&q)) < 0)
                return gt_fail(e, -EIO, "CSR init", r);
        if (o->org && (r = gnutls_x509_crq_set_dn_by_oid(q, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                                         o->org, (unsigned)strlen(o->org))) < 0)
                return gt_fail(e, -EINVAL, "CSR organization", r);
        if ((r = gnutls_x509_crq_set_dn_by_oid(q, GNUTLS_OID_X520_COMMON_NAME, 0, o->cn,
                                               (unsigned)strlen(o->cn))) < 0)
                return gt_fail(e, -EINVAL, "CSR common name", r);
        if ((r = gnutls_x509_crq_set_version(q, 1)) < 0 || (r = gnutls_x509_crq_set_key(q, k)) < 0)
                return gt_fail(e, -EIO, "CSR key", r);
        if (o->key_usage) {
                _cleanup_datum_ gnutls_datum_t ku = {NULL, 0};
                if ((r = gnutls_x509_ext_export_key_usage(o->key_usage, &ku)) < 0 ||
                    (r = gnutls_x509_crq_set_extension_by_oid(q, "2.5.29.15", ku.data, ku.size,
                                                              o->key_usage_critical)) < 0)
                        return gt_fail(e, -EIO, "CSR key usage", r);
        }
        for (size_t i = 0; o->ext_key_usage && o->ext_key_usage[i]; i++)
                if ((r = gnutls_x509_crq_set_key_purpose_oid(q, o->ext_key_usage[i], 0)) < 0)
                        return gt_fail(e, -EINVAL, "CSR extended key usage", r);
        for (size_t i = 0; o->dns_names && o->dns_names[i]; i++)
                if ((r = gnutls_x509_crq_set_subject_alt_name(
                             q, GNUTLS_SAN_DNSNAME, o->dns_names[i],
                             (unsigned)strlen(o->dns_names[i]), GNUTLS_FSAN_APPEND)) < 0)
                        return gt_fail(e, -EINVAL, "CSR DNS name", r);
        for (size_t i = 0; o->ip_addresses && o->ip_addresses[i]; i++) {
                unsigned char bin[16];
                unsigned len;
                if (inet_pton(AF_INET, o->ip_addresses[i], bin) == 1)
                        len = 4;
                else if (inet_pton(AF_INET6, o->ip_addresses[i], bin) == 1)
                        len = 16;
                else
                        return err_set(e, -EINVAL, "'%s' is not an IP address", o->ip_addresses[i]);
                if ((r = gnutls_x509_crq_set_subject_alt_name(q, GNUTLS_SAN_IPADDRESS, bin, len,
                                                              GNUTLS_FSAN_APPEND)) < 0)
                        return gt_fail(e, -EINVAL, "CSR IP address", r);
        }
        if (o->basic_constraints && (r = gnutls_x509_crq_set_basic_constraints(q, 0, -1)) < 0)
                return gt_fail(e, -EIO, "CSR basic constraints", r);
        if ((r = gnutls_x509_crq_sign2(q, k, GNUTLS_DIG_SHA256, 0)) < 0)
                return gt_fail(e, -EIO, "sign CSR", r);
        _cleanup_datum_ gnutls_datum_t out = {NULL, 0};
        if ((r = gnutls_x509_crq_export2(q, GNUTLS_X509_FMT_PEM, &out)) < 0)
                return gt_fail(e, -EIO, "export CSR", r);
        *ret_csr_pem = datum_to_str(&out, false);
        return 0;
}

/* The names cryptography gives these OIDs (Magnum's error text uses them). */
static const struct {
        const char *oid, *name;
        bool allowed;
} ext_names[] = {
        {"2.5.29.15", "keyUsage", true},
        {"2.5.29.37", "extendedKeyUsage", true},
        {"2.5.29.17", "subjectAltName", true},
        {"2.5.29.19", "basicConstraints", true},
        {"2.5.29.14", "subjectKeyIdentifier", true},
        {"2.5.29.35", "authorityKeyIdentifier", false},
        {"2.5.29.30", "nameConstraints", false},
        {"2.5.29.31", "cRLDistributionPoints", false},
        {"2.5.29.32", "certificatePolicies", false},
        {"2.5.29.18", "issuerAltName", false},
        {"1.3.6.1.5.5.7.1.1", "authorityInfoAccess", false},
        {"2.5.29.36", "policyConstraints", false},
        {"2.5.29.54", "inhibitAnyPolicy", false},
        {"1.3.6.1.5.5.7.1.24", "TLSFeature", false},
};

static const char *ext_name(const char *oid, bool *allowed)
{
        for (size_t i = 0; i < ARRAY_SIZE(ext_names); i++)
                if (streq(ext_names[i].oid, oid)) {
                        *allowed = ext_names[i].allowed;
                        return ext_names[i].name;
                }
        *allowed = false;
        return oid;
}

/* Kept extensions that are copied as they are must at least decode: a certificate carrying
 * bytes GnuTLS cannot parse would be one no client can load. SAN and EKU are re-encoded from
 * their decoded form, so what is signed is always well-formed. */
static int normalize_ext(const char *oid, const gnutls_datum_t *raw, gnutls_datum_t *ret_der)
{
        int r;

        *ret_der = (gnutls_datum_t){NULL, 0};
        if (streq(oid, "2.5.29.17")) {
                gnutls_subject_alt_names_t san;
                if ((r = gnutls_subject_alt_names_init(&san)) < 0)
                        return r;
                r = gnutls_x509_ext_import_subject_alt_names(raw, san, 0);
                if (r >= 0)
                        r = gnutls_x509_ext_export_subject_alt_names(san, ret_der);
                gnutls_subject_alt_names_deinit(san);
                return r;
        }
        if (streq(oid, "2.5.29.37")) {
                gnutls_x509_key_purposes_t kp;
                if ((r = gnutls_x509_key_purpose_init(&kp)) < 0)
                        return r;
                r = gnutls_x509_ext_import_key_purposes(raw, kp, 0);
                if (r >= 0)
                        r = gnutls_x509_ext_export_key_purposes(kp, ret_der);
                gnutls_x509_key_purpose_deinit(kp);
                return r;
        }
        if (streq(oid, "2.5.29.14")) {
                gnutls_datum_t id = {NULL, 0};
                r = gnutls_x509_ext_import_subject_key_id(raw, &id);
                if (r >= 0)
                        r = gnutls_x509_ext_export_subject_key_id(&id, ret_der);
                gnutls_free(id.data);
                return r;
        }
        return 0;
}

/* Copies one CSR extension onto the certificate, applying Magnum's filtering rules. */
static int copy_ext(gnutls_x509_crt_t c, gnutls_x509_crq_t q, unsigned idx,
                    const struct x509_sign_opts *o, struct err *e)
{
        char oid[128];
        size_t oid_len = sizeof(oid);
        unsigned crit = 0;
        int r = gnutls_x509_crq_get_extension_info(q, idx, oid, &oid_len, &crit);
        if (r < 0)
                return gt_fail(e, -EINVAL, "CSR extension", r);
        bool allowed;
        const char *name = ext_name(oid, &allowed);
        if (!allowed) {
                if (crit)
                        return err_set(e, -EACCES, "Extension '%s' not allowed", name);
                return 0;
        }
        _cleanup_datum_ gnutls_datum_t raw = {NULL, 0};
        if ((r = gnutls_x509_crq_get_extension_data2(q, idx, &raw)) < 0)
                return gt_fail(e, -EINVAL, "CSR extension data", r);
        _cleanup_datum_ gnutls_datum_t norm = {NULL, 0};
        if (normalize_ext(oid, &raw, &norm) < 0)
                return err_set(e, -EINVAL, "CSR extension '%s' is malformed", name);
        if (norm.data)
                return set_ext(c, oid, &norm, crit, e);

        if (streq(oid, "2.5.29.15")) {
                unsigned usage = 0;
                if ((r = gnutls_x509_ext_import_key_usage(&raw, &usage)) < 0)
                        return gt_fail(e, -EINVAL, "CSR key usage", r);
                unsigned allowed_ku =
                        o->allowed_key_usage ? o->allowed_key_usage
                                             : (X509_KU_DIGITAL_SIGNATURE |
                                                X509_KU_KEY_ENCIPHERMENT | X509_KU_NON_REPUDIATION);
                if (!o->allow_ca)
                        allowed_ku &= ~(unsigned)(X509_KU_KEY_CERT_SIGN | X509_KU_CRL_SIGN);
                if ((usage & ~allowed_ku) && crit)
                        return err_set(e, -EACCES, "Extension '%s' not allowed", name);
                usage &= allowed_ku;
                _cleanup_datum_ gnutls_datum_t der = {NULL, 0};
                if ((r = gnutls_x509_ext_export_key_usage(usage, &der)) < 0)
                        return gt_fail(e, -EIO, "key usage", r);
                return set_ext(c, oid, &der, crit, e);
        }
        if (streq(oid, "2.5.29.19") && !o->allow_ca) {
                unsigned ca = 0;
                int pathlen = -1;
                if ((r = gnutls_x509_ext_import_basic_constraints(&raw, &ca, &pathlen)) < 0)
                        return gt_fail(e, -EINVAL, "CSR basic constraints", r);
                if (ca) {
                        if (crit)
                                return err_set(e, -EACCES, "Extension '%s' not allowed", name);
                        _cleanup_datum_ gnutls_datum_t der = {NULL, 0};
                        if ((r = gnutls_x509_ext_export_basic_constraints(0, -1, &der)) < 0)
                                return gt_fail(e, -EIO, "basic constraints", r);
                        return set_ext(c, oid, &der, false, e);
                }
        }
        return set_ext(c, oid, &raw, crit, e);
}

int x509_sign_csr(const char *csr_pem, const char *ca_cert_pem, const char *ca_key_pem,
                  const char *ca_passphrase, const struct x509_sign_opts *o, char **ret_cert_pem,
                  struct err *e)
{
        static const struct x509_sign_opts defaults = {0};
        if (!o)
                o = &defaults;
        _cleanup_crq_ gnutls_x509_crq_t q = NULL;
        _cleanup_crt_ gnutls_x509_crt_t ca = NULL;
        _cleanup_crt_ gnutls_x509_crt_t c = NULL;
        _cleanup_key_ gnutls_x509_privkey_t k = NULL;
        gnutls_datum_t d;
        int r;

        if ((r = pem_datum(csr_pem, &d, "CSR", e)) < 0)
                return r;
        if ((r = gnutls_x509_crq_init(&q)) < 0)
                return gt_fail(e, -EIO, "CSR init", r);
        if ((r = gnutls_x509_crq_import(q, &d, GNUTLS_X509_FMT_PEM)) < 0)
                return gt_fail(e, -EINVAL, "CSR", r);
        if ((r = gnutls_x509_crq_verify(q, 0)) < 0)
                return gt_fail(e, -EBADMSG, "CSR signature", r);

        if ((r = pem_datum(ca_cert_pem, &d, "CA certificate", e)) < 0)
                return r;
        if ((r = gnutls_x509_crt_init(&ca)) < 0)
                return gt_fail(e, -EIO, "certificate init", r);
        if ((r = gnutls_x509_crt_import(ca, &d, GNUTLS_X509_FMT_PEM)) < 0)
                return gt_fail(e, -EINVAL, "CA certificate", r);
        if ((r = key_import(ca_key_pem, ca_passphrase, &k, e)) < 0)
                return r;

        if ((r = gnutls_x509_crt_init(&c)) < 0)
                return gt_fail(e, -EIO, "certificate init", r);
        if ((r = crt_base(c, o->validity_days, e)) < 0)
                return r;
        /* Subject DN and public key from the CSR (its extensions are filtered below). */
        if ((r = gnutls_x509_crt_set_crq(c, q)) < 0)
                return gt_fail(e, -EINVAL, "CSR subject", r);
        if ((r = gnutls_x509_crt_set_version(c, 3)) < 0)
                return gt_fail(e, -EIO, "certificate version", r);
        for (unsigned i = 0;; i++) {
                char oid[128];
                size_t oid_len = sizeof(oid);
                unsigned crit;
                r = gnutls_x509_crq_get_extension_info(q, i, oid, &oid_len, &crit);
                if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
                        break;
                if (r < 0)
                        return gt_fail(e, -EINVAL, "CSR extensions", r);
                if ((r = copy_ext(c, q, i, o, e)) < 0)
                        return r;
        }
        if ((r = gnutls_x509_crt_sign2(c, ca, k, GNUTLS_DIG_SHA256, 0)) < 0)
                return gt_fail(e, -EIO, "sign certificate", r);
        return crt_export(c, ret_cert_pem, e);
}

int x509_issue(const struct x509_csr_opts *o, unsigned bits, const char *ca_cert_pem,
               const char *ca_key_pem, const char *ca_passphrase, const struct x509_sign_opts *so,
               char **ret_key_pem, char **ret_cert_pem, struct err *e)
{
        _cleanup_free_ char *key = NULL;
        _cleanup_free_ char *csr = NULL;
        _cleanup_free_ char *cert = NULL;
        int r = x509_generate_key(bits, NULL, &key, e);
        if (r < 0)
                return r;
        if ((r = x509_generate_csr(key, NULL, o, &csr, e)) < 0)
                return r;
        if ((r = x509_sign_csr(csr, ca_cert_pem, ca_key_pem, ca_passphrase, so, &cert, e)) < 0)
                return r;
        *ret_key_pem = TAKE_PTR(key);
        *ret_cert_pem = TAKE_PTR(cert);
        return 0;
}

static int crt_import(const char *pem, gnutls_x509_crt_t *ret, struct err *e)
{
        _cleanup_crt_ gnutls_x509_crt_t c = NULL;
        gnutls_datum_t d;
        int r = pem_datum(pem, &d, "certificate", e);
        if (r < 0)
                return r;
        if ((r = gnutls_x509_crt_init(&c)) < 0)
                return gt_fail(e, -EIO, "certificate init", r);
        if ((r = gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_PEM)) < 0)
                return gt_fail(e, -EINVAL, "certificate", r);
        *ret = TAKE_PTR(c);
        return 0;
}

static char *datum_take(gnutls_datum_t *d)
{
        char *s = xstrndup((const char *)d->data, d->size);
        datum_freep(d);
        return s;
}

int x509_cert_info(const char *cert_pem, struct x509_info *ret, struct err *e)
{
        _cleanup_crt_ gnutls_x509_crt_t c = NULL;
        int r = crt_import(cert_pem, &c, e);
        if (r < 0)
                return r;
        struct x509_info i = {0};
        gnutls_datum_t d = {NULL, 0};
        if (gnutls_x509_crt_get_dn3(c, &d, 0) >= 0)
                i.subject = datum_take(&d);
        if (gnutls_x509_crt_get_issuer_dn3(c, &d, 0) >= 0)
                i.issuer = datum_take(&d);
        unsigned crit = 0, ca = 0;
        int pathlen = -1;
        if (gnutls_x509_crt_get_basic_constraints(c, &crit, &ca, &pathlen) >= 0)
                i.is_ca = ca != 0;
        unsigned ku = 0;
        if (gnutls_x509_crt_get_key_usage(c, &ku, &crit) >= 0) {
                i.key_usage = ku;
                i.key_usage_critical = crit != 0;
        }
        i.not_before = (long long)gnutls_x509_crt_get_activation_time(c);
        i.not_after = (long long)gnutls_x509_crt_get_expiration_time(c);
        unsigned char serial[64];
        size_t slen = sizeof(serial);
        if (gnutls_x509_crt_get_serial(c, serial, &slen) >= 0) {
                struct strbuf sb = STRBUF_INIT;
                for (size_t k = 0; k < slen; k++)
                        strbuf_addf(&sb, "%02x", serial[k]);
                i.serial_hex = strbuf_detach(&sb, NULL);
        }
        for (unsigned k = 0;; k++) {
                char oid[128];
                size_t oid_len = sizeof(oid);
                if (gnutls_x509_crt_get_extension_info(c, k, oid, &oid_len, &crit) < 0)
                        break;
                i.n_extensions++;
        }
        *ret = i;
        return 0;
}

void x509_info_release(struct x509_info *i)
{
        if (!i)
                return;
        free(i->subject);
        free(i->issuer);
        free(i->serial_hex);
        *i = (struct x509_info){0};
}

bool x509_cert_has_eku(const char *cert_pem, const char *oid)
{
        _cleanup_crt_ gnutls_x509_crt_t c = NULL;
        if (crt_import(cert_pem, &c, NULL) < 0)
                return false;
        for (unsigned k = 0;; k++) {
                char buf[128];
                size_t len = sizeof(buf);
                if (gnutls_x509_crt_get_key_purpose_oid(c, k, buf, &len, NULL) < 0)
                        return false;
                if (streq(buf, oid))
                        return true;
        }
}

int x509_verify(const char *cert_pem, const char *ca_pem, struct err *e)
{
        _cleanup_crt_ gnutls_x509_crt_t c = NULL;
        _cleanup_crt_ gnutls_x509_crt_t ca = NULL;
        int r = crt_import(cert_pem, &c, e);
        if (r < 0)
                return r;
        if ((r = crt_import(ca_pem, &ca, e)) < 0)
                return r;
        unsigned status = 0;
        r = gnutls_x509_crt_verify(c, &ca, 1, 0, &status);
        if (r < 0)
                return gt_fail(e, -EIO, "verify", r);
        if (status) {
                gnutls_datum_t out = {NULL, 0};
                if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out,
                                                                 0) >= 0) {
                        err_set(e, -EACCES, "%.*s", (int)out.size, (const char *)out.data);
                        gnutls_free(out.data);
                        return -EACCES;
                }
                return err_set(e, -EACCES, "certificate does not verify (status 0x%x)", status);
        }
        return 0;
}
