/* Unit tests for common/config: parsing, typed options, line-numbered errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/common.h"
#include "common/config.h"

struct opts {
        char *host;
        int port;
        bool debug;
        double ratio;
        char *unset;
};

static const struct conf_option options[] = {
        {"api", "host", CONF_STR, "127.0.0.1", offsetof(struct opts, host), 0, 0, "host"},
        {"api", "port", CONF_INT, "9511", offsetof(struct opts, port), 1, 65535, "port"},
        {"DEFAULT", "debug", CONF_BOOL, "false", offsetof(struct opts, debug), 0, 0, "debug"},
        {"sim", "ratio", CONF_DOUBLE, "0.5", offsetof(struct opts, ratio), 0, 1, "ratio"},
        {"sim", "unset", CONF_STR, NULL, offsetof(struct opts, unset), 0, 0, "none"},
};

static void test_values_and_defaults(void **state)
{
        (void)state;
        _cleanup_(conf_freep) struct conf *c = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        struct opts o = {0};
        const char *text = "[DEFAULT]\ndebug = Yes\n# comment\n[api]\nport = 8000\n"
                           "unknown_option = ignored\n";

        assert_int_equal(conf_load_string(text, "t.conf", &c, &e), 0);
        assert_int_equal(conf_apply(c, options, ARRAY_SIZE(options), &o, &e), 0);
        assert_string_equal(o.host, "127.0.0.1");
        assert_int_equal(o.port, 8000);
        assert_true(o.debug);
        assert_true(o.ratio > 0.49 && o.ratio < 0.51);
        assert_null(o.unset);
        assert_string_equal(conf_get(c, "api", "unknown_option"), "ignored");
        conf_release(options, ARRAY_SIZE(options), &o);
        assert_null(o.host);
}

static void test_bad_int_names_line(void **state)
{
        (void)state;
        _cleanup_(conf_freep) struct conf *c = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        struct opts o = {0};

        assert_int_equal(conf_load_string("[api]\n\n\nport = abc\n", "m.conf", &c, &e), 0);
        assert_int_equal(conf_apply(c, options, ARRAY_SIZE(options), &o, &e), -EINVAL);
        assert_string_equal(e.msg, "m.conf:4: [api] port: 'abc' is not an integer");
        /* nothing half-applied stays allocated */
        assert_null(o.host);
}

static void test_out_of_range_and_bool(void **state)
{
        (void)state;
        _cleanup_(conf_freep) struct conf *c = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        struct opts o = {0};

        assert_int_equal(conf_load_string("[api]\nport=70000\n", "r.conf", &c, &e), 0);
        assert_int_equal(conf_apply(c, options, ARRAY_SIZE(options), &o, &e), -ERANGE);
        assert_string_equal(e.msg, "r.conf:2: [api] port: 70000 is outside [1, 65535]");
        conf_free(c);
        c = NULL;
        assert_int_equal(conf_load_string("[DEFAULT]\ndebug=maybe\n", "b.conf", &c, &e), 0);
        assert_int_equal(conf_apply(c, options, ARRAY_SIZE(options), &o, &e), -EINVAL);
        assert_string_equal(e.msg,
                            "b.conf:2: [DEFAULT] debug: 'maybe' is not a boolean (true/false)");
}

static void test_syntax_error_line(void **state)
{
        (void)state;
        struct conf *c = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(
                conf_load_string("[api]\nport = 1\nthis line is wrong\n", "s.conf", &c, &e),
                -EINVAL);
        assert_null(c);
        assert_true(str_starts_with(e.msg, "s.conf:3: syntax error"));
        assert_int_equal(conf_load_string("[unterminated\n", "u.conf", &c, &e), -EINVAL);
        assert_true(str_starts_with(e.msg, "u.conf:1:"));
}

static void test_missing_file(void **state)
{
        (void)state;
        struct conf *c = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(conf_load_file("/nonexistent/magnum.conf", &c, &e), -ENOENT);
        assert_string_equal(e.msg, "/nonexistent/magnum.conf: No such file or directory");
}

static void test_override_wins(void **state)
{
        (void)state;
        _cleanup_(conf_freep) struct conf *c = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        struct opts o = {0};
        assert_int_equal(conf_load_string("[api]\nport=1000\nport=2000\n", "o.conf", &c, &e), 0);
        assert_string_equal(conf_get(c, "api", "port"), "2000");
        conf_set(c, "api", "port", "3000");
        assert_int_equal(conf_apply(c, options, ARRAY_SIZE(options), &o, &e), 0);
        assert_int_equal(o.port, 3000);
        conf_release(options, ARRAY_SIZE(options), &o);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_values_and_defaults),
                cmocka_unit_test(test_bad_int_names_line),
                cmocka_unit_test(test_out_of_range_and_bool),
                cmocka_unit_test(test_syntax_error_line),
                cmocka_unit_test(test_missing_file),
                cmocka_unit_test(test_override_wins),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
