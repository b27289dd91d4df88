/* Unit tests for common/config: parsing, typed options, line-numbered errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/common.h"
#include "common/config.h"

#include <sys/stat.h>
#include <unistd.h>

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

static void write_text(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

/* --config-file repeated and --config-dir, as oslo.config reads them: later files override
 * earlier ones, a directory's *.conf files come after the files, in name order; messages
 * name the file and line a value came from. */
static void test_command_line_files(void **state)
{
        (void)state;
        char dir[] = "/tmp/mc-test-config.XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *a = xasprintf("%s/a.conf", dir);
        _cleanup_free_ char *b = xasprintf("%s/b.conf", dir);
        _cleanup_free_ char *d = xasprintf("%s/conf.d", dir);
        assert_int_equal(mkdir(d, 0700), 0);
        _cleanup_free_ char *d1 = xasprintf("%s/10-port.conf", d);
        _cleanup_free_ char *d2 = xasprintf("%s/20-bad.conf", d);
        _cleanup_free_ char *dx = xasprintf("%s/notes.txt", d);
        write_text(a, "[api]\nhost = 10.0.0.1\nport = 1000\n");
        write_text(b, "[DEFAULT]\ndebug = true\n[api]\nport = 2000\n");
        write_text(d1, "[api]\nport = 3000\n");
        write_text(d2, "[sim]\n\nratio = lots\n");
        write_text(dx, "[api]\nport = 9\n");

        _cleanup_free_ char *barg = xasprintf("--config-file=%s", b);
        char *argv[] = {"prog", "--config-file", a, "--config-dir", d, barg, "-x", NULL};
        int argc = 7;
        struct conf_cli cli = {0};
        _cleanup_err_ struct err e = ERR_INIT;
        int i = 1;
        assert_int_equal(conf_cli_arg(&cli, argc, argv, &i, &e), 1);
        assert_int_equal(i, 2); /* the value was consumed */
        i++;
        assert_int_equal(conf_cli_arg(&cli, argc, argv, &i, &e), 1);
        i++;
        assert_int_equal(conf_cli_arg(&cli, argc, argv, &i, &e), 1);
        assert_int_equal(i, 5);
        i++;
        assert_int_equal(conf_cli_arg(&cli, argc, argv, &i, &e), 0); /* not ours */
        assert_int_equal(cli.n_files, 2);
        assert_int_equal(cli.n_dirs, 1);

        _cleanup_(conf_freep) struct conf *c = NULL;
        assert_int_equal(conf_load_cli(&cli, &c, &e), 0);
        /* the dir (3000) comes after both files (1000, 2000) */
        assert_string_equal(conf_get(c, "api", "port"), "3000");
        assert_string_equal(conf_get(c, "api", "host"), "10.0.0.1");
        assert_string_equal(conf_get(c, "DEFAULT", "debug"), "true");
        struct opts o = {0};
        assert_int_equal(conf_apply(c, options, ARRAY_SIZE(options), &o, &e), -EINVAL);
        _cleanup_free_ char *want = xasprintf("%s:3: [sim] ratio: 'lots' is not a number", d2);
        assert_string_equal(e.msg, want);

        /* a missing value, a missing directory */
        char *argv2[] = {"prog", "--config-dir"};
        struct conf_cli cli2 = {0};
        i = 1;
        err_clear(&e);
        assert_int_equal(conf_cli_arg(&cli2, 2, argv2, &i, &e), -EINVAL);
        cli2 = (struct conf_cli){.dirs = {"/nonexistent-mc-dir"}, .n_dirs = 1};
        _cleanup_(conf_freep) struct conf *c2 = NULL;
        err_clear(&e);
        assert_int_equal(conf_load_cli(&cli2, &c2, &e), -ENOENT);
        assert_non_null(strstr(e.msg, "/nonexistent-mc-dir"));
        /* nothing named: an empty configuration */
        struct conf_cli none = {0};
        _cleanup_(conf_freep) struct conf *c3 = NULL;
        assert_int_equal(conf_load_cli(&none, &c3, &e), 0);
        assert_null(conf_get(c3, "api", "port"));

        unlink(a);
        unlink(b);
        unlink(d1);
        unlink(d2);
        unlink(dx);
        rmdir(d);
        rmdir(dir);
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
                cmocka_unit_test(test_command_line_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
