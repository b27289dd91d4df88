/* Unit tests for common/db that need no server: connection-URL handling (oslo/SQLAlchemy forms,
 * password redaction) and the SQLSTATE → errno table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/common.h"
#include "common/config.h"
#include "common/db.h"

static void check_conninfo(const char *url, const char *want)
{
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_free_ char *ci = NULL;
        int r = db_url_to_conninfo(url, &ci, &e);
        if (r < 0)
                fail_msg("%s: %s", url, err_msg(&e));
        assert_string_equal(ci, want);
}

static void test_url_forms(void **state)
{
        (void)state;
        check_conninfo("postgresql://magnum:pw@db.example:5433/magnum",
                       "postgresql://magnum:pw@db.example:5433/magnum");
        /* SQLAlchemy driver suffix is stripped, postgres:// is accepted */
        check_conninfo("postgresql+psycopg2://magnum:pw@127.0.0.1/magnum",
                       "postgresql://magnum:pw@127.0.0.1/magnum");
        check_conninfo("POSTGRES+pg8000://u@h/d", "postgresql://u@h/d");
        /* parameters libpq does not know (devstack's charset= and plugin=) are dropped, the
         * ones it knows are kept in order */
        check_conninfo("postgresql+psycopg2://u:p@h/d?charset=utf8&sslmode=disable&plugin=x"
                       "&connect_timeout=3",
                       "postgresql://u:p@h/d?sslmode=disable&connect_timeout=3");
        check_conninfo("postgresql://u@h/d?charset=utf8", "postgresql://u@h/d");
        /* unix socket directory, percent-encoded password: handed to libpq unchanged */
        check_conninfo("postgresql+psycopg2:///magnum?host=/run/postgresql",
                       "postgresql:///magnum?host=/run/postgresql");
        check_conninfo("postgresql://magnum:p%40ss%2Fw@h:5432/magnum",
                       "postgresql://magnum:p%40ss%2Fw@h:5432/magnum");
        /* libpq keyword=value strings pass through */
        check_conninfo("host=127.0.0.1 port=15432 dbname=magnum user=postgres",
                       "host=127.0.0.1 port=15432 dbname=magnum user=postgres");
}

static void check_rejected(const char *url, const char *msg_part)
{
        _cleanup_err_ struct err e = ERR_INIT;
        char *ci = NULL;
        int r = db_url_to_conninfo(url, &ci, &e);
        assert_int_equal(r, -EINVAL);
        assert_null(ci);
        if (!strstr(err_msg(&e), msg_part))
                fail_msg("'%s' not in '%s'", msg_part, err_msg(&e));
        /* the password never appears in the message */
        assert_null(strstr(err_msg(&e), "Sup3rS3cret"));
}

static void test_url_rejected(void **state)
{
        (void)state;
        check_rejected("mysql+pymysql://root:Sup3rS3cret@127.0.0.1/magnum?charset=utf8",
                       "unsupported database backend 'mysql'");
        check_rejected("sqlite:///tmp/magnum.db", "unsupported database backend 'sqlite'");
        check_rejected("", "not set");
        check_rejected("postgresql://u:Sup3rS3cret@h:notaport/d", "port");
        /* a bad %-escape inside the password must not be echoed */
        check_rejected("postgresql://u:Sup3rS3cret%zz@h/d", "postgresql://u:***@h/d");
        check_rejected("host=h password=Sup3rS3cret bogus_keyword=1", "password=***");
}

static void check_redact(const char *url, const char *want)
{
        _cleanup_free_ char *r = db_url_redact(url);
        assert_string_equal(r, want);
}

static void test_url_redact(void **state)
{
        (void)state;
        check_redact("postgresql://magnum:pw@127.0.0.1:5432/magnum",
                     "postgresql://magnum:***@127.0.0.1:5432/magnum");
        check_redact("postgresql+psycopg2://magnum:p@ss:w@rd@h/db",
                     "postgresql+psycopg2://magnum:***@h/db");
        check_redact("postgresql://magnum@h/db", "postgresql://magnum@h/db");
        check_redact("postgresql://h/db?sslmode=require&password=x&user=u",
                     "postgresql://h/db?sslmode=require&password=***&user=u");
        check_redact("host=h password='a b\\' c' user=u", "host=h password=*** user=u");
        check_redact("host=h passwordfile=x", "host=h passwordfile=x");
        check_redact(NULL, "");
}

static void test_sqlstate(void **state)
{
        (void)state;
        static const struct {
                const char *state;
                bool is_delete;
                int want;
        } cases[] = {
                {"23505", false, -EEXIST},    {"23503", false, -ENOENT}, {"23503", true, -EBUSY},
                {"40001", false, -EAGAIN},    {"40P01", false, -EAGAIN}, {"55P03", false, -EAGAIN},
                {"57014", false, -ETIMEDOUT}, {"57P01", false, -EIO},    {"08006", false, -EIO},
                {"08001", false, -EIO},       {"22P02", false, -EINVAL}, {"22001", false, -EINVAL},
                {"23502", false, -EINVAL},    {"28P01", false, -EACCES}, {"42P01", false, -EINVAL},
                {"XX000", false, -EIO},       {"", false, -EIO},         {"2350", false, -EIO},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                int got = db_errno_from_sqlstate(cases[i].state, cases[i].is_delete);
                if (got != cases[i].want)
                        fail_msg("%s: got %d want %d", cases[i].state, got, cases[i].want);
        }
        assert_int_equal(db_errno_from_sqlstate(NULL, false), -EIO);
}

static void test_pool_args(void **state)
{
        (void)state;
        _cleanup_err_ struct err e = ERR_INIT;
        struct db_pool *p = NULL;
        assert_int_equal(db_pool_new("postgresql://h/d", 0, &p, &e), -EINVAL);
        assert_null(p);
        err_clear(&e);
        assert_int_equal(db_pool_new("mysql://h/d", 4, &p, &e), -EINVAL);
        assert_null(p);
        err_clear(&e);
        /* nothing listens on port 1: acquire fails with -ECONNREFUSED and the slot is freed */
        assert_int_equal(db_pool_new("postgresql://u:Sup3rS3cret@127.0.0.1:1/d", 1, &p, &e), 0);
        struct db_conn *c = NULL;
        for (int i = 0; i < 2; i++) {
                err_clear(&e);
                assert_int_equal(db_pool_acquire(p, 100, &c, &e), -ECONNREFUSED);
                assert_null(strstr(err_msg(&e), "Sup3rS3cret"));
                assert_non_null(strstr(err_msg(&e), "u:***@127.0.0.1:1"));
        }
        unsigned open, idle;
        db_pool_stats(p, &open, &idle);
        assert_int_equal(open, 0);
        db_pool_free(p);
}

static void test_conf(void **state)
{
        (void)state;
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_(conf_freep) struct conf *c = NULL;
        assert_int_equal(conf_load_string("[database]\n"
                                          "connection = postgresql+psycopg2://u:pw@h/magnum\n"
                                          "max_pool_size = 12\n",
                                          "magnum.conf", &c, &e),
                         0);
        struct db_conf dc;
        assert_int_equal(db_conf_load(c, &dc, &e), 0);
        assert_string_equal(dc.connection, "postgresql+psycopg2://u:pw@h/magnum");
        assert_int_equal(dc.max_pool_size, 12);
        assert_int_equal(dc.pool_timeout, 30);
        db_conf_release(&dc);
        struct db_pool *p = NULL;
        int timeout_ms = 0;
        assert_int_equal(db_pool_new_from_conf(c, &p, &timeout_ms, &e), 0);
        assert_int_equal(timeout_ms, 30000);
        db_pool_free(p);

        conf_free(TAKE_PTR(c));
        assert_int_equal(conf_load_string("[database]\nmax_pool_size = 0\n"
                                          "connection = postgresql://h/d\n",
                                          "magnum.conf", &c, &e),
                         0);
        assert_int_equal(db_conf_load(c, &dc, &e), -ERANGE);
        assert_non_null(strstr(err_msg(&e), "magnum.conf:2: [database] max_pool_size"));
        err_clear(&e);

        conf_free(TAKE_PTR(c));
        assert_int_equal(conf_load_string("[DEFAULT]\ndebug = true\n", "magnum.conf", &c, &e), 0);
        assert_int_equal(db_conf_load(c, &dc, &e), -EINVAL);
        assert_non_null(strstr(err_msg(&e), "[database] connection is not set"));
}

int main(void)
{
        log_setup("test_common_db", LOG_LVL_ERROR);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_url_forms),  cmocka_unit_test(test_url_rejected),
                cmocka_unit_test(test_url_redact), cmocka_unit_test(test_sqlstate),
                cmocka_unit_test(test_pool_args),  cmocka_unit_test(test_conf),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
