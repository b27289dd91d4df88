/*
 * fuzz_config: magnum.conf text as an operator (or a packaging script) writes it. The input goes
 * through conf_load_string and then conf_apply on a table holding every option type, in the
 * DEFAULT section (spelled both ways) and a named one; whatever applies must hold the value
 * conf_get sees, and a second apply after conf_set overrides must release cleanly.
 */
#include "common/common.h"

#include <stdint.h>

#include "common/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_opts {
        char *host;
        char *nodef;
        int port;
        int any_int;
        bool debug;
        bool nodef_bool;
        double ratio;
        double any_double;
};

static const struct conf_option fz_options[] = {
        {"api", "host", CONF_STR, "127.0.0.1", offsetof(struct fz_opts, host), 0, 0, "h"},
        {"DEFAULT", "s", CONF_STR, NULL, offsetof(struct fz_opts, nodef), 0, 0, "s"},
        {"api", "port", CONF_INT, "9511", offsetof(struct fz_opts, port), 1, 65535, "p"},
        {"default", "i", CONF_INT, NULL, offsetof(struct fz_opts, any_int), 0, 0, "i"},
        {"DEFAULT", "debug", CONF_BOOL, "false", offsetof(struct fz_opts, debug), 0, 0, "d"},
        {"api", "b", CONF_BOOL, NULL, offsetof(struct fz_opts, nodef_bool), 0, 0, "b"},
        {"api", "ratio", CONF_DOUBLE, "1.5", offsetof(struct fz_opts, ratio), 0, 16, "r"},
        {"DEFAULT", "x", CONF_DOUBLE, NULL, offsetof(struct fz_opts, any_double), 0, 0, "x"},
};

static void apply_and_check(const struct conf *c)
{
        struct fz_opts o = {0};
        struct err e = ERR_INIT;
        if (conf_apply(c, fz_options, ARRAY_SIZE(fz_options), &o, &e) < 0) {
                /* a failed apply releases what it filled and says why */
                if (!e.msg || o.host || o.nodef)
                        abort();
                err_clear(&e);
                return;
        }
        const char *host = conf_get(c, "api", "host");
        if (!o.host || !streq(o.host, host ? host : "127.0.0.1"))
                abort();
        if (o.port < 1 || o.port > 65535 || o.ratio < 0 || o.ratio > 16)
                abort();
        conf_release(fz_options, ARRAY_SIZE(fz_options), &o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* conf_load_file refuses NUL bytes, so text never holds one */
        _cleanup_free_ char *text = xstrndup((const char *)data, size);
        _cleanup_(conf_freep) struct conf *c = NULL;
        struct err e = ERR_INIT;
        bool b;

        (void)conf_parse_bool(text, &b);
        if (conf_load_string(text, "fuzz.conf", &c, &e) < 0) {
                if (!e.msg)
                        abort();
                err_clear(&e);
                return 0;
        }
        apply_and_check(c);
        conf_set(c, "api", "port", "1");
        conf_set(c, "api", "ratio", "2");
        apply_and_check(c);
        return 0;
}
