/*
 * x509: the certificate authority pieces Magnum needs, over GnuTLS, with every key, CSR and
 * certificate passed around as PEM text (what the database, the API and the files hold):
 *
 *   - RSA private keys as PKCS#8 PEM, optionally encrypted with a passphrase (PBES2 AES-256);
 *   - a self-signed cluster CA (spec magnum.md §6.2: subject and issuer "CN=<name>",
 *     BasicConstraints CA:TRUE pathlen:0 critical, KeyUsage keyCertSign critical);
 *   - certificate signing requests (subject, key usages, extended key usages, SANs);
 *   - signing a CSR with a CA (§6.2/§6.3: subject copied from the CSR, issuer = the CA's subject,
 *     notBefore = now - 1 day, notAfter = now + validity, random uuid4 serial, SHA-256, the CSR's
 *     extensions filtered the way Magnum's validator does);
 *   - small inspection and verification helpers for tests and the emulated COE endpoints.
 *
 * Every function is thread-safe (no shared state). Certificates this module returns have no
 * trailing newline (Magnum's API returns them that way); keys and CSRs end in one.
 * Errors: -EINVAL for unparsable input (message says which), -EBADMSG for bad signatures or
 * wrong passphrases, -EACCES for a CSR extension the policy refuses, -EIO for GnuTLS failures.
 */
#ifndef MC_X509_H
#define MC_X509_H

#include <stdbool.h>

#include "common/err.h"

/* Key usage bits (same values as GnuTLS's GNUTLS_KEY_*). */
enum {
        X509_KU_DIGITAL_SIGNATURE = 128,
        X509_KU_NON_REPUDIATION = 64, /* "contentCommitment" */
        X509_KU_KEY_ENCIPHERMENT = 32,
        X509_KU_DATA_ENCIPHERMENT = 16,
        X509_KU_KEY_AGREEMENT = 8,
        X509_KU_KEY_CERT_SIGN = 4,
        X509_KU_CRL_SIGN = 2,
};

#define X509_EKU_CLIENT_AUTH "1.3.6.1.5.5.7.3.2"
#define X509_EKU_SERVER_AUTH "1.3.6.1.5.5.7.3.1"

/* Generates an RSA key of `bits` (1024..8192) with e = 65537. *ret_pem gets an unencrypted
 * PKCS#8 PEM ("BEGIN PRIVATE KEY"), or, when passphrase is non-NULL, an encrypted one
 * ("BEGIN ENCRYPTED PRIVATE KEY"). Caller frees. */
int x509_generate_key(unsigned bits, const char *passphrase, char **ret_pem, struct err *e);

/* Re-encodes a private key (PKCS#1, PKCS#8, or encrypted PKCS#8 with `passphrase`) as PKCS#8,
 * encrypted with new_passphrase when non-NULL, plain otherwise. Wrong passphrase → -EBADMSG.
 * Caller frees *ret_pem. */
int x509_key_convert(const char *key_pem, const char *passphrase, const char *new_passphrase,
                     char **ret_pem, struct err *e);

/* A random passphrase of n (1..64) characters from [A-Za-z0-9] into out (n+1 bytes), like
 * Magnum's 12-character ones. */
void x509_random_passphrase(char *out, size_t n);

/* Creates a self-signed CA certificate for key_pem (encrypted when passphrase non-NULL) with
 * subject/issuer "CN=<cn>", valid from now - 1 day for validity_days days (§6.2 extensions,
 * plus a subject key identifier). Caller frees *ret_cert_pem. */
int x509_generate_ca(const char *key_pem, const char *passphrase, const char *cn,
                     unsigned validity_days, char **ret_cert_pem, struct err *e);

struct x509_csr_opts {
        const char *cn;     /* required */
        const char *org;    /* O=, NULL for none */
        unsigned key_usage; /* X509_KU_* bits; 0 = no KeyUsage extension */
        bool key_usage_critical;
        const char *const *ext_key_usage; /* NULL-terminated OIDs (X509_EKU_*), NULL = none */
        const char *const *dns_names;     /* NULL-terminated SAN DNS names, NULL = none */
        const char *const *ip_addresses;  /* NULL-terminated SAN IPv4/IPv6 literals */
        bool basic_constraints;           /* add BasicConstraints CA:FALSE (critical) */
};

/* Creates a CSR signed by key_pem. Caller frees *ret_csr_pem. A malformed IP → -EINVAL. */
int x509_generate_csr(const char *key_pem, const char *passphrase, const struct x509_csr_opts *o,
                      char **ret_csr_pem, struct err *e);

struct x509_sign_opts {
        unsigned validity_days;     /* [x509] term_of_validity; 0 = 1825 */
        unsigned allowed_key_usage; /* X509_KU_* bits; 0 = digitalSignature|keyEncipherment|
                                     * nonRepudiation (Magnum's default) */
        bool allow_ca;              /* [x509] allow_ca */
};

/* Signs a CSR with the CA (ca_key_pem decrypted with ca_passphrase when non-NULL). The CSR's
 * signature must verify (-EBADMSG). Extensions: only keyUsage, extendedKeyUsage,
 * subjectAltName, basicConstraints and subjectKeyIdentifier are kept; any other marked
 * critical → -EACCES "Extension '<name>' not allowed" (non-critical ones are dropped);
 * key usages outside allowed_key_usage are cleared, or -EACCES when the extension is
 * critical; CA:TRUE becomes CA:FALSE (non-critical), or -EACCES when critical, unless
 * allow_ca. Unparsable CSR → -EINVAL. Caller frees *ret_cert_pem. */
int x509_sign_csr(const char *csr_pem, const char *ca_cert_pem, const char *ca_key_pem,
                  const char *ca_passphrase, const struct x509_sign_opts *o, char **ret_cert_pem,
                  struct err *e);

/* Convenience: a fresh key (plain PKCS#8) and a certificate signed by the CA, for the CSR
 * options given (e.g. Magnum's own client certificate CN=admin, O=system:masters). Caller frees
 * both. */
int x509_issue(const struct x509_csr_opts *o, unsigned bits, const char *ca_cert_pem,
               const char *ca_key_pem, const char *ca_passphrase, const struct x509_sign_opts *so,
               char **ret_key_pem, char **ret_cert_pem, struct err *e);

struct x509_info {
        char *subject;      /* RFC 4514 DN, e.g. "O=system:masters,CN=admin" (owned) */
        char *issuer;       /* owned */
        bool is_ca;         /* BasicConstraints CA:TRUE */
        unsigned key_usage; /* X509_KU_* bits, 0 when absent */
        bool key_usage_critical;
        long long not_before, not_after; /* seconds since the epoch */
        char *serial_hex;                /* owned, lower-case hex */
        unsigned n_extensions;
};

/* Parses a PEM certificate. -EINVAL if it is not one. Release with x509_info_release. */
int x509_cert_info(const char *cert_pem, struct x509_info *ret, struct err *e);
void x509_info_release(struct x509_info *i);

/* Whether cert_pem's extended key usage lists oid (true when present). */
bool x509_cert_has_eku(const char *cert_pem, const char *oid);

/* Verifies that cert_pem was issued by ca_pem (signature and validity). 0 when it verifies,
 * -EACCES with the reason when it does not, -EINVAL for unparsable input. */
int x509_verify(const char *cert_pem, const char *ca_pem, struct err *e);

#endif
