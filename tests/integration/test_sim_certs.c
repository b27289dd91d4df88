/*
 * Test helper for the magnum-sim integration tests: writes a cluster CA, a Kubernetes API
 * serving certificate for the given IPs, an admin client certificate (CN=admin,
 * O=system:masters) and a client certificate from an unrelated CA, all with common/x509.
 *
 *   test_sim_certs DIR IP...
 */
#include "common/common.h"

#include "common/x509.h"

static int write_file(const char *dir, const char *name, const char *text)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
        FILE *f = fopen(path, "w");
        if (!f)
                return -errno;
        fprintf(f, "%s\n", text);
        return fclose(f) == 0 ? 0 : -EIO;
}

static void die(const struct err *e)
{
        fprintf(stderr, "test_sim_certs: %s\n", err_msg(e));
        exit(1);
}

int main(int argc, char **argv)
{
        if (argc < 3) {
                fprintf(stderr, "usage: test_sim_certs DIR IP...\n");
                return 2;
        }
        struct err e = ERR_INIT;
        _cleanup_free_ char *ca_key = NULL, *ca = NULL, *srv_key = NULL, *srv = NULL;
        _cleanup_free_ char *cl_key = NULL, *cl = NULL, *o_key = NULL, *o_ca = NULL;
        _cleanup_free_ char *r_key = NULL, *r_cert = NULL;
        if (x509_generate_key(2048, NULL, &ca_key, &e) < 0 ||
            x509_generate_ca(ca_key, NULL, "test-cluster", 30, &ca, &e) < 0)
                die(&e);
        const char *dns[] = {"kubernetes", "kubernetes.default", NULL};
        const char *srv_eku[] = {X509_EKU_SERVER_AUTH, NULL};
        struct x509_csr_opts so = {.cn = "kubernetes",
                                   .key_usage =
                                           X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT,
                                   .ext_key_usage = srv_eku,
                                   .dns_names = dns,
                                   .ip_addresses = (const char *const *)&argv[2]};
        if (x509_issue(&so, 2048, ca, ca_key, NULL, NULL, &srv_key, &srv, &e) < 0)
                die(&e);
        const char *cl_eku[] = {X509_EKU_CLIENT_AUTH, NULL};
        struct x509_csr_opts co = {.cn = "admin",
                                   .org = "system:masters",
                                   .key_usage =
                                           X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT,
                                   .key_usage_critical = true,
                                   .ext_key_usage = cl_eku,
                                   .basic_constraints = true};
        if (x509_issue(&co, 2048, ca, ca_key, NULL, NULL, &cl_key, &cl, &e) < 0)
                die(&e);
        if (x509_generate_key(2048, NULL, &o_key, &e) < 0 ||
            x509_generate_ca(o_key, NULL, "other", 30, &o_ca, &e) < 0 ||
            x509_issue(&co, 2048, o_ca, o_key, NULL, NULL, &r_key, &r_cert, &e) < 0)
                die(&e);
        const char *dir = argv[1];
        if (write_file(dir, "ca.pem", ca) < 0 || write_file(dir, "server.pem", srv) < 0 ||
            write_file(dir, "server-key.pem", srv_key) < 0 ||
            write_file(dir, "client.pem", cl) < 0 ||
            write_file(dir, "client-key.pem", cl_key) < 0 ||
            write_file(dir, "rogue.pem", r_cert) < 0 ||
            write_file(dir, "rogue-key.pem", r_key) < 0) {
                fprintf(stderr, "test_sim_certs: cannot write into %s\n", dir);
                return 1;
        }
        return 0;
}
