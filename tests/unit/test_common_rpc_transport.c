/* Unit tests for common/amqp's transport_url parsing and its behaviour with no broker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/common.h"
#include "common/amqp.h"
#include "common/ids.h"

static void test_single_host(void **state)
{
        (void)state;
        struct amqp_url *u = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(amqp_url_parse("rabbit://guest:secret@127.0.0.1:5682/", &u, &e), 0);
        assert_int_equal(u->n_hosts, 1);
        assert_string_equal(u->hosts[0].host, "127.0.0.1");
        assert_int_equal(u->hosts[0].port, 5682);
        assert_string_equal(u->hosts[0].user, "guest");
        assert_string_equal(u->hosts[0].password, "secret");
        assert_string_equal(u->vhost, "/");
        amqp_url_free(u);
}

static void test_several_hosts_and_vhost(void **state)
{
        (void)state;
        struct amqp_url *u = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(
                amqp_url_parse("rabbit://a:pa@h1:5001,b:pb@h2,[::1]:5003/magnum?ssl=0", &u, &e), 0);
        assert_int_equal(u->n_hosts, 3);
        assert_string_equal(u->hosts[0].host, "h1");
        assert_int_equal(u->hosts[0].port, 5001);
        assert_string_equal(u->hosts[1].user, "b");
        assert_string_equal(u->hosts[1].password, "pb");
        assert_int_equal(u->hosts[1].port, AMQP_DEFAULT_PORT);
        assert_string_equal(u->hosts[2].host, "::1");
        assert_int_equal(u->hosts[2].port, 5003);
        assert_string_equal(u->hosts[2].user, "guest"); /* no credentials given */
        assert_string_equal(u->vhost, "magnum");
        amqp_url_free(u);
}

static void test_percent_decoding(void **state)
{
        (void)state;
        struct amqp_url *u = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(amqp_url_parse("rabbit://us%40r:p%3Ass%2Fw@host/%2F", &u, &e), 0);
        assert_string_equal(u->hosts[0].user, "us@r");
        assert_string_equal(u->hosts[0].password, "p:ss/w");
        assert_string_equal(u->vhost, "/");
        assert_int_equal(u->hosts[0].port, 5672);
        amqp_url_free(u);

        /* no path at all, user without password */
        assert_int_equal(amqp_url_parse("rabbit://only@host:1", &u, &e), 0);
        assert_string_equal(u->hosts[0].user, "only");
        assert_string_equal(u->hosts[0].password, "");
        assert_string_equal(u->vhost, "/");
        amqp_url_free(u);
}

static void test_errors(void **state)
{
        (void)state;
        static const struct {
                const char *url;
                const char *needle;
        } cases[] = {
                {"", "not set"},
                {"amqp://h/", "unsupported transport 'amqp'"},
                {"kombu+memory:////", "unsupported transport"},
                {"rabbit://", "no host"},
                {"rabbit:///vhost", "no host"},
                {"rabbit://u:p@h:0/", "invalid port '0'"},
                {"rabbit://u:p@h:99999/", "invalid port"},
                {"rabbit://u:p@h:12x/", "invalid port"},
                {"rabbit://h1,,h2/", "empty host entry"},
                {"rabbit://u:p@:5672/", "empty host name"},
                {"rabbit://[::1/", "unterminated"},
                {"rabbit://u:p%zz@h/", "percent-escape"},
                {"rabbit://h/%4", "percent-escape in vhost"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct amqp_url *u = NULL;
                struct err e = ERR_INIT;
                assert_int_equal(amqp_url_parse(cases[i].url, &u, &e), -EINVAL);
                assert_null(u);
                if (!strstr(e.msg, cases[i].needle))
                        fail_msg("%s: '%s' lacks '%s'", cases[i].url, e.msg, cases[i].needle);
                err_clear(&e);
        }
}

static void test_password_never_in_errors(void **state)
{
        (void)state;
        struct amqp_url *u = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(amqp_url_parse("rabbit://u:TOPSECRET@h:bad/", &u, &e), -EINVAL);
        assert_null(strstr(e.msg, "TOPSECRET"));
}

static void test_limits(void **state)
{
        (void)state;
        struct strbuf sb = STRBUF_INIT;
        strbuf_addstr(&sb, "rabbit://");
        for (int i = 0; i < AMQP_URL_MAX_HOSTS + 1; i++)
                strbuf_addf(&sb, "%sh%d:1", i ? "," : "", i);
        strbuf_addstr(&sb, "/");
        struct amqp_url *u = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(amqp_url_parse(sb.buf, &u, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "more than"));
        strbuf_reset(&sb);
        strbuf_addstr(&sb, "rabbit://h/");
        for (int i = 0; i < AMQP_URL_MAX_LEN; i++)
                strbuf_addch(&sb, 'v');
        assert_int_equal(amqp_url_parse(sb.buf, &u, &e), -EINVAL);
        strbuf_release(&sb);
}

/* Nothing listens on port 1: connecting gives up at the deadline with the reason. */
static void test_connect_deadline(void **state)
{
        (void)state;
        struct amqp_conn_opts o = AMQP_CONN_OPTS_INIT;
        o.url = "rabbit://guest:guest@127.0.0.1:1/";
        o.retry_interval_ms = 10;
        o.retry_max_ms = 40;
        struct amqp_conn *c = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(amqp_conn_new(&o, &c, &e), 0);
        assert_int_equal(amqp_conn_connect(c, time_mono_ms() + 300, &e), -ETIMEDOUT);
        assert_non_null(strstr(e.msg, "could not reach RabbitMQ"));
        assert_false(amqp_conn_is_open(c));
        /* publishing while disconnected is a connection error, not a crash */
        struct err pe = ERR_INIT;
        int r = amqp_conn_publish(c, "x", "y", "{}", 2, NULL, &pe);
        assert_true(amqp_error_is_connection(r) || r == -ECONNRESET);
        err_clear(&pe);
        amqp_conn_free(c);
}

int main(void)
{
        log_setup("test", LOG_LVL_ERROR);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_single_host),
                cmocka_unit_test(test_several_hosts_and_vhost),
                cmocka_unit_test(test_percent_decoding),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_password_never_in_errors),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_connect_deadline),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
