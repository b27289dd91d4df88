/*
 * Integration tests for common/db (pool, queries, transactions, migrations) and db/ (Magnum's
 * schema, magnum_service access) against a real PostgreSQL. MC_TEST_PG_ADMIN_URL is a superuser
 * URL (with_pg.sh sets it); every test creates its own database mc_test_<random> and drops it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>

#include "common/common.h"
#include "common/db.h"
#include "common/ids.h"
#include "db/magnum_db.h"
#include "db/object.h"

struct fixture {
        char *name; /* database name */
        char *url;  /* URL of that database */
};

static const char *admin_url(void)
{
        const char *u = getenv("MC_TEST_PG_ADMIN_URL");
        if (!u || !*u)
                fail_msg("MC_TEST_PG_ADMIN_URL is not set (run through with_pg.sh)");
        return u;
}

/* The admin URL with its database replaced by `db`. */
static char *url_for(const char *db)
{
        const char *u = admin_url();
        const char *rest = strstr(u, "://");
        assert_non_null(rest);
        rest += 3;
        size_t auth = strcspn(rest, "/?");
        const char *q = strchr(rest + auth, '?');
        return xasprintf("%.*s/%s%s", (int)(rest + auth - u), u, db, q ? q : "");
}

/* Runs one statement on a throwaway admin connection. Only for test-generated identifiers. */
static void admin_exec(const char *sql)
{
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_db_conn_ struct db_conn *c = NULL;
        if (db_connect(admin_url(), &c, &e) < 0)
                fail_msg("admin connect: %s", err_msg(&e));
        if (db_exec(c, NULL, &e, sql, 0, NULL) < 0)
                fail_msg("%s: %s", sql, err_msg(&e));
}

static int setup(void **state)
{
        struct fixture *f = xnew(struct fixture, 1);
        char hex[13];
        random_hex(hex, 12);
        f->name = xasprintf("mc_test_%s", hex);
        f->url = url_for(f->name);
        _cleanup_free_ char *sql = xasprintf("CREATE DATABASE %s", f->name);
        admin_exec(sql);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *sql = xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", f->name);
        admin_exec(sql);
        free(f->name);
        free(f->url);
        free(f);
        return 0;
}

static struct db_conn *connect_or_fail(const struct fixture *f)
{
        _cleanup_err_ struct err e = ERR_INIT;
        struct db_conn *c = NULL;
        if (db_connect(f->url, &c, &e) < 0)
                fail_msg("connect %s: %s", f->url, err_msg(&e));
        return c;
}

static void exec_ok(struct db_conn *c, const char *sql)
{
        _cleanup_err_ struct err e = ERR_INIT;
        if (db_exec(c, NULL, &e, sql, 0, NULL) < 0)
                fail_msg("%s: %s", sql, err_msg(&e));
}

static int version_of(struct db_conn *c)
{
        _cleanup_err_ struct err e = ERR_INIT;
        int v = -1;
        if (db_schema_version(c, &v, &e) < 0)
                fail_msg("version: %s", err_msg(&e));
        return v;
}

static bool table_exists(struct db_conn *c, const char *name)
{
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_db_result_ struct db_result *res = NULL;
        assert_int_equal(
                db_exec(c, &res, &e, "SELECT to_regclass($1) IS NOT NULL", DB_PARAMS(name)), 1);
        bool b = false;
        assert_int_equal(db_get_bool(res, 0, 0, &b), 0);
        return b;
}

static void upgrade_or_fail(struct db_conn *c)
{
        _cleanup_err_ struct err e = ERR_INIT;
        if (magnum_db_upgrade(c, NULL, &e) < 0)
                fail_msg("upgrade: %s", err_msg(&e));
}

/* ---- migrations ------------------------------------------------------------------------------ */

static void test_upgrade_fresh_and_twice(void **state)
{
        _cleanup_db_conn_ struct db_conn *c = connect_or_fail(*state);
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(version_of(c), 0);
        int applied = -1;
        assert_int_equal(magnum_db_upgrade(c, &applied, &e), 0);
        assert_int_equal(applied, (int)magnum_migrations_count);
        assert_int_equal(version_of(c), magnum_db_latest_version());
        assert_true(magnum_db_latest_version() >= 2);
        static const char *const tables[] = {
                "cluster_template",
                "cluster",
                "nodegroup",
                "x509keypair",
                "magnum_service",
                "quotas",
                "federation",
                "raw_template",
                "stack",
                "resource",
                "resource_data",
                "event",
                "software_config",
                "software_deployment",
                "stack_lock",
                "user_creds",
        };
        for (size_t i = 0; i < ARRAY_SIZE(tables); i++)
                if (!table_exists(c, tables[i]))
                        fail_msg("table %s missing after upgrade", tables[i]);
        /* upgrading again is a no-op */
        assert_int_equal(magnum_db_upgrade(c, &applied, &e), 0);
        assert_int_equal(applied, 0);
        assert_int_equal(version_of(c), magnum_db_latest_version());
        _cleanup_db_result_ struct db_result *res = NULL;
        assert_int_equal(db_exec(c, &res, &e, "SELECT count(*) FROM schema_migrations", 0, NULL),
                         1);
        int n = 0;
        assert_int_equal(db_get_int(res, 0, 0, &n), 0);
        assert_int_equal(n, (int)magnum_migrations_count);
}

/* Defaults and constraints a user of the API would notice. */
static void test_schema_defaults(void **state)
{
        _cleanup_db_conn_ struct db_conn *c = connect_or_fail(*state);
        _cleanup_err_ struct err e = ERR_INIT;
        upgrade_or_fail(c);
        _cleanup_db_result_ struct db_result *res = NULL;
        assert_int_equal(db_exec(c, &res, &e,
                                 "INSERT INTO cluster_template (uuid, name, coe) "
                                 "VALUES ($1, 'k8s', 'kubernetes') RETURNING id, server_type, "
                                 "public, floating_ip_enabled, hidden, created_at, updated_at",
                                 DB_PARAMS("0f2b8e3a-0f2b-4e3a-8f2b-8e3a0f2b8e3a")),
                         1);
        int64_t id, created;
        bool b;
        assert_int_equal(db_get_int64(res, 0, 0, &id), 0);
        assert_true(id >= 1);
        assert_string_equal(db_get_text(res, 0, 1), "vm");
        assert_int_equal(db_get_bool(res, 0, 2, &b), 0);
        assert_false(b);
        assert_int_equal(db_get_bool(res, 0, 3, &b), 0);
        assert_true(b);
        assert_int_equal(db_get_bool(res, 0, 4, &b), 0);
        assert_false(b);
        assert_int_equal(db_get_time(res, 0, 5, &created), 0);
        int64_t now = time_now_us();
        /* created_at is UTC: within a minute of our UTC clock */
        assert_true(created > now - 60 * 1000000LL && created < now + 60 * 1000000LL);
        assert_true(db_is_null(res, 0, 6));
        assert_int_equal(db_get_time(res, 0, 6, &created), -ENODATA);
}

struct upgrade_thread {
        const char *url;
        int r;
        int applied;
        pthread_barrier_t *barrier;
};

static void *upgrade_thread_main(void *arg)
{
        struct upgrade_thread *t = arg;
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_db_conn_ struct db_conn *c = NULL;
        t->r = db_connect(t->url, &c, &e);
        pthread_barrier_wait(t->barrier);
        if (t->r >= 0)
                t->r = magnum_db_upgrade(c, &t->applied, &e);
        if (t->r < 0)
                fprintf(stderr, "upgrade thread: %s\n", err_msg(&e));
        return NULL;
}

static void test_concurrent_upgrades(void **state)
{
        struct fixture *f = *state;
        enum { N = 4 };
        pthread_barrier_t barrier;
        pthread_barrier_init(&barrier, NULL, N);
        struct upgrade_thread t[N];
        pthread_t th[N];
        for (int i = 0; i < N; i++) {
                t[i] = (struct upgrade_thread){.url = f->url, .applied = -1, .barrier = &barrier};
                pthread_create(&th[i], NULL, upgrade_thread_main, &t[i]);
        }
        int total = 0, appliers = 0;
        for (int i = 0; i < N; i++) {
                pthread_join(th[i], NULL);
                assert_int_equal(t[i].r, 0);
                total += t[i].applied;
                if (t[i].applied > 0)
                        appliers++;
        }
        pthread_barrier_destroy(&barrier);
        /* every migration applied exactly once, all by one runner */
        assert_int_equal(total, (int)magnum_migrations_count);
        assert_int_equal(appliers, 1);
        _cleanup_db_conn_ struct db_conn *c = connect_or_fail(f);
        assert_int_equal(version_of(c), magnum_db_latest_version());
}

static void test_broken_migration(void **state)
{
        _cleanup_db_conn_ struct db_conn *c = connect_or_fail(*state);
        _cleanup_err_ struct err e = ERR_INIT;
        const struct db_migration bad[] = {
                {1, "0001_good", "CREATE TABLE t_good (id serial PRIMARY KEY, v text);"},
                {2, "0002_broken",
                 "CREATE TABLE t_half (id int); INSERT INTO t_good (v) VALUES ('x');"
                 " SELECT no_such_function_here();"},
        };
        int applied = -1;
        int r = db_migrate(c, bad, ARRAY_SIZE(bad), &applied, &e);
        assert_true(r < 0);
        assert_int_equal(r, -EINVAL); /* 42883 undefined_function */
        assert_non_null(strstr(err_msg(&e), "migration 0002_broken failed"));
        assert_non_null(strstr(err_msg(&e), "no_such_function_here"));
        /* the good one stays, the broken one left nothing behind */
        assert_int_equal(version_of(c), 1);
        assert_true(table_exists(c, "t_good"));
        assert_false(table_exists(c, "t_half"));
        _cleanup_db_result_ struct db_result *res = NULL;
        assert_int_equal(db_exec(c, &res, &e, "SELECT count(*) FROM t_good", 0, NULL), 1);
        assert_string_equal(db_get_text(res, 0, 0), "0");
        /* the session is still usable and a fixed migration applies on the next run */
        const struct db_migration fixed[] = {
                bad[0],
                {2, "0002_fixed", "CREATE TABLE t_half (id int);"},
        };
        err_clear(&e);
        assert_int_equal(db_migrate(c, fixed, ARRAY_SIZE(fixed), &applied, &e), 0);
        assert_int_equal(applied, 1);
        assert_int_equal(version_of(c), 2);
        /* out-of-order tables are refused before touching the database */
        const struct db_migration unordered[] = {fixed[1], fixed[0]};
        err_clear(&e);
        assert_int_equal(db_migrate(c, unordered, 2, NULL, &e), -EINVAL);
}

/* ---- prepared statements ----------------------------------------------------------------------- */

static long long count_prepared(struct db_conn *c)
{
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_db_result_ struct db_result *res = NULL;
        if (db_exec(c, &res, &e, "SELECT count(*) FROM pg_prepared_statements", 0, NULL) != 1)
                fail_msg("count prepared: %s", err_msg(&e));
        int64_t n = -1;
        assert_int_equal(db_get_int64(res, 0, 0, &n), 0);
        return n;
}

/* db_exec prepares each statement text once per session and reuses it; results, errors and
 * schema changes behave exactly as for unprepared statements. */
static void test_prepared_statements(void **state)
{
        _cleanup_db_conn_ struct db_conn *c = connect_or_fail(*state);
        _cleanup_err_ struct err e = ERR_INIT;
        exec_ok(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
        const char *ins = "INSERT INTO t (id, v) VALUES ($1, $2)";
        const char *sel = "SELECT v FROM t WHERE id = $1";
        long long before = 0;
        for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 20; i++) {
                        _cleanup_free_ char *id = xasprintf("%d", round * 100 + i);
                        _cleanup_free_ char *v = xasprintf("v%d", round * 100 + i);
                        assert_int_equal(db_exec(c, NULL, &e, ins, DB_PARAMS(id, v)), 1);
                        _cleanup_db_result_ struct db_result *res = NULL;
                        assert_int_equal(db_exec(c, &res, &e, sel, DB_PARAMS(id)), 1);
                        assert_string_equal(db_get_text(res, 0, 0), v);
                }
                /* the same two texts again: nothing new is prepared on the server */
                if (round == 0)
                        before = count_prepared(c);
                else
                        assert_int_equal(count_prepared(c), before);
        }
        /* a constraint error from a prepared statement maps as before */
        assert_int_equal(db_exec(c, NULL, &e, ins, DB_PARAMS("1", "dup")), -EEXIST);
        err_clear(&e);

        /* the table's shape changes under a prepared SELECT *: it is prepared afresh */
        const char *star = "SELECT * FROM t WHERE id = 1";
        _cleanup_db_result_ struct db_result *r1 = NULL;
        assert_int_equal(db_exec(c, &r1, &e, star, 0, NULL), 1);
        assert_int_equal(db_result_cols(r1), 2);
        exec_ok(c, "ALTER TABLE t ADD COLUMN w text DEFAULT 'w'");
        _cleanup_db_result_ struct db_result *r2 = NULL;
        if (db_exec(c, &r2, &e, star, 0, NULL) != 1)
                fail_msg("after ALTER: %s", err_msg(&e));
        assert_int_equal(db_result_cols(r2), 3);
        assert_string_equal(db_get_text(r2, 0, 2), "w");

        /* inside a transaction, a new statement with a syntax error reports that error (not
         * "current transaction is aborted"), and the transaction can be rolled back */
        struct db_tx tx = DB_TX_INIT;
        assert_int_equal(db_begin(c, &tx, &e), 0);
        assert_int_equal(db_exec(c, NULL, &e, "SELEC v FROM t", 0, NULL), -EINVAL);
        assert_non_null(strstr(err_msg(&e), "syntax error"));
        err_clear(&e);
        /* a statement already prepared fails with the aborted-transaction error */
        assert_true(db_exec(c, NULL, &e, sel, DB_PARAMS("1")) < 0);
        err_clear(&e);
        db_rollback(&tx);
        _cleanup_db_result_ struct db_result *r3 = NULL;
        assert_int_equal(db_exec(c, &r3, &e, sel, DB_PARAMS("1")), 1);
        assert_string_equal(db_get_text(r3, 0, 0), "v1");

        /* many distinct texts: the session keeps a bounded number prepared */
        for (int i = 0; i < 300; i++) {
                _cleanup_free_ char *q = xasprintf("SELECT %d + $1::int", i);
                _cleanup_db_result_ struct db_result *res = NULL;
                assert_int_equal(db_exec(c, &res, &e, q, DB_PARAMS("1")), 1);
                _cleanup_free_ char *want = xasprintf("%d", i + 1);
                assert_string_equal(db_get_text(res, 0, 0), want);
        }
        long long n = count_prepared(c);
        assert_true(n > 100 && n <= 128);
}

static void gens(struct db_conn *c, const char *project, int64_t ret[3])
{
        _cleanup_err_ struct err e = ERR_INIT;
        const struct dbo_gen_req reqs[] = {
                {"clusters", ""}, {"templates", NULL}, {"clusters", project}};
        if (dbo_generations(c, reqs, 3, ret, &e) < 0)
                fail_msg("generations: %s", err_msg(&e));
}

/* Every write to cluster / nodegroup / cluster_template bumps its group's counters in the same
 * transaction: the global one, and for clusters the project's (a nodegroup's own and its
 * cluster's); a rolled-back write bumps nothing; other projects' counters stay. */
static void test_api_generations(void **state)
{
        _cleanup_db_conn_ struct db_conn *c = connect_or_fail(*state);
        _cleanup_err_ struct err e = ERR_INIT;
        upgrade_or_fail(c);
        int64_t a0[3], b0[3], a1[3], b1[3], a2[3], b2[3], a3[3], a4[3], b4[3], b5[3];
        gens(c, "pa", a0);
        gens(c, "pb", b0);
        assert_true(a0[2] == 0 && b0[2] == 0); /* never written: 0 */
        exec_ok(c, "INSERT INTO cluster (uuid, name, project_id) VALUES ('u1', 'c', 'pa')");
        gens(c, "pa", a1);
        gens(c, "pb", b1);
        assert_true(a1[0] > a0[0]);  /* global */
        assert_true(a1[2] > a0[2]);  /* pa */
        assert_true(b1[2] == b0[2]); /* pb untouched */
        assert_true(a1[1] == a0[1]); /* templates untouched */
        /* a nodegroup filed under another project still counts for its cluster's project */
        exec_ok(c, "INSERT INTO nodegroup (uuid, name, cluster_id, project_id) "
                   "VALUES ('n1', 'w', 'u1', 'pb')");
        gens(c, "pa", a2);
        gens(c, "pb", b2);
        assert_true(a2[2] > a1[2] && b2[2] > b1[2] && a2[0] > a1[0]);
        exec_ok(c, "UPDATE nodegroup SET status = 'x' WHERE false"); /* no row: global only */
        gens(c, "pa", a3);
        assert_true(a3[0] > a2[0] && a3[2] == a2[2]);
        exec_ok(c, "INSERT INTO cluster_template (uuid, name, project_id) VALUES ('t', 't', 'pa')");
        gens(c, "pa", a4);
        assert_true(a4[1] > a3[1] && a4[0] == a3[0] && a4[2] == a3[2]);
        struct db_tx tx = DB_TX_INIT;
        assert_int_equal(db_begin(c, &tx, &e), 0);
        exec_ok(c, "DELETE FROM cluster");
        db_rollback(&tx);
        gens(c, "pa", a1);
        assert_memory_equal(a1, a4, sizeof(a4));
        /* TRUNCATE bumps every counter of the group */
        gens(c, "pb", b4);
        exec_ok(c, "TRUNCATE nodegroup");
        gens(c, "pb", b5);
        assert_true(b5[2] > b4[2] && b5[0] > b4[0]);
        const struct dbo_gen_req bad[] = {{"no-such-group", NULL}};
        assert_int_equal(dbo_generations(c, bad, 1, a1, &e), -ENOENT);
        err_clear(&e);
        const struct dbo_gen_req two[] = {{"clusters", "pa"}, {"clusters", "pb"}};
        assert_int_equal(dbo_generations(c, two, 2, a1, &e), -EINVAL);
}

/* ---- errors ---------------------------------------------------------------------------------- */

static void test_error_mapping(void **state)
{
        _cleanup_db_conn_ struct db_conn *c = connect_or_fail(*state);
        _cleanup_err_ struct err e = ERR_INIT;
        upgrade_or_fail(c);
        const char *uuid = "5d12f6fd-a196-4bf0-ae4c-1f639a523a52";
        const char *sql = "INSERT INTO cluster (uuid, name, project_id) VALUES ($1, $2, 'p')";
        assert_int_equal(db_exec(c, NULL, &e, sql, DB_PARAMS(uuid, "a")), 1);
        assert_int_equal(db_exec(c, NULL, &e, sql, DB_PARAMS(uuid, "b")), -EEXIST);
        assert_int_equal(e.code, -EEXIST);
        assert_non_null(strstr(err_msg(&e), "uniq_bay0uuid"));
        err_clear(&e);
        const char *ng = "INSERT INTO nodegroup (uuid, name, cluster_id, project_id) "
                         "VALUES ($1, 'default-worker', $2, 'p')";
        assert_int_equal(
                db_exec(c, NULL, &e, ng, DB_PARAMS("11111111-1111-4111-8111-111111111111", uuid)),
                1);
        assert_int_equal(
                db_exec(c, NULL, &e, ng, DB_PARAMS("22222222-2222-4222-8222-222222222222", uuid)),
                -EEXIST);
        assert_non_null(strstr(err_msg(&e), "uniq_nodegroup0cluster_id0name"));
        err_clear(&e);
        /* foreign keys: a missing parent is -ENOENT, deleting a referenced parent -EBUSY */
        assert_int_equal(db_exec(c, NULL, &e,
                                 "INSERT INTO resource (uuid, name, stack_id) "
                                 "VALUES ('r1', 'server', 'no-such-stack')",
                                 0, NULL),
                         -ENOENT);
        err_clear(&e);
        exec_ok(c, "INSERT INTO raw_template (id, template) VALUES (100, '{}')");
        exec_ok(c, "INSERT INTO stack (id, name, raw_template_id, tenant) "
                   "VALUES ('s1', 'st', 100, 't')");
        assert_int_equal(db_exec(c, NULL, &e, "DELETE FROM raw_template WHERE id = 100", 0, NULL),
                         -EBUSY);
        err_clear(&e);
        /* NOT NULL, bad integer text */
        assert_int_equal(
                db_exec(c, NULL, &e, "INSERT INTO quotas (project_id) VALUES ('p')", 0, NULL),
                -EINVAL);
        err_clear(&e);
        assert_int_equal(
                db_exec(c, NULL, &e, "SELECT id FROM cluster WHERE id = $1", DB_PARAMS("12abc")),
                -EINVAL);
        err_clear(&e);
        /* parameters are values, never SQL */
        const char *evil = "x'; DROP TABLE cluster; --";
        assert_int_equal(
                db_exec(c, NULL, &e, "SELECT id FROM cluster WHERE name = $1", DB_PARAMS(evil)), 0);
        assert_true(table_exists(c, "cluster"));
        /* NULL parameters are SQL NULL */
        _cleanup_db_result_ struct db_result *res = NULL;
        assert_int_equal(
                db_exec(c, &res, &e, "SELECT $1::text IS NULL, $2::int + 1", DB_PARAMS(NULL, "41")),
                1);
        bool isnull = false;
        int v = 0;
        assert_int_equal(db_get_bool(res, 0, 0, &isnull), 0);
        assert_true(isnull);
        assert_int_equal(db_get_int(res, 0, 1, &v), 0);
        assert_int_equal(v, 42);
        assert_int_equal(db_result_col(res, "nope"), -ENOENT);
        assert_null(db_get_text(res, 5, 0));
}

/* Serialization failure under SERIALIZABLE maps to -EAGAIN. */
static void test_serialization_eagain(void **state)
{
        struct fixture *f = *state;
        _cleanup_db_conn_ struct db_conn *a = connect_or_fail(f);
        _cleanup_db_conn_ struct db_conn *b = connect_or_fail(f);
        _cleanup_err_ struct err e = ERR_INIT;
        exec_ok(a, "CREATE TABLE counter (id int PRIMARY KEY, n int)");
        exec_ok(a, "INSERT INTO counter VALUES (1, 0)");
        exec_ok(a, "BEGIN ISOLATION LEVEL SERIALIZABLE");
        exec_ok(b, "BEGIN ISOLATION LEVEL SERIALIZABLE");
        exec_ok(a, "SELECT n FROM counter WHERE id = 1");
        exec_ok(b, "SELECT n FROM counter WHERE id = 1");
        exec_ok(a, "UPDATE counter SET n = n + 1 WHERE id = 1");
        exec_ok(a, "COMMIT");
        assert_int_equal(db_exec(b, NULL, &e, "UPDATE counter SET n = n + 1 WHERE id = 1", 0, NULL),
                         -EAGAIN);
        exec_ok(b, "ROLLBACK");
}

/* ---- transactions ---------------------------------------------------------------------------- */

static int count_rows(struct db_conn *c, const char *table_sql)
{
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_db_result_ struct db_result *res = NULL;
        if (db_exec(c, &res, &e, table_sql, 0, NULL) < 0)
                fail_msg("%s: %s", table_sql, err_msg(&e));
        int n = -1;
        assert_int_equal(db_get_int(res, 0, 0, &n), 0);
        return n;
}

static void insert_in_tx(struct db_conn *c, bool commit, const char *name)
{
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_db_tx_ struct db_tx tx = DB_TX_INIT;
        assert_int_equal(db_begin(c, &tx, &e), 0);
        assert_int_equal(db_begin(c, &tx, &e), -EALREADY);
        assert_int_equal(db_exec(c, NULL, &e,
                                 "INSERT INTO quotas (project_id, resource, "
                                 "hard_limit) VALUES ($1, 'Cluster', 5)",
                                 DB_PARAMS(name)),
                         1);
        if (commit)
                assert_int_equal(db_commit(&tx, &e), 0);
        /* else: leaving the scope rolls back */
}

static void test_transactions(void **state)
{
        _cleanup_db_conn_ struct db_conn *c = connect_or_fail(*state);
        _cleanup_err_ struct err e = ERR_INIT;
        upgrade_or_fail(c);
        insert_in_tx(c, false, "p1");
        assert_int_equal(count_rows(c, "SELECT count(*) FROM quotas"), 0);
        insert_in_tx(c, true, "p2");
        assert_int_equal(count_rows(c, "SELECT count(*) FROM quotas"), 1);
        /* an error inside the transaction: commit refuses and nothing is applied */
        {
                _cleanup_db_tx_ struct db_tx tx = DB_TX_INIT;
                assert_int_equal(db_begin(c, &tx, &e), 0);
                assert_int_equal(db_exec(c, NULL, &e,
                                         "INSERT INTO quotas (project_id, resource, hard_limit) "
                                         "VALUES ('p3', 'Cluster', 1)",
                                         0, NULL),
                                 1);
                assert_int_equal(db_exec(c, NULL, &e,
                                         "INSERT INTO quotas (project_id, resource, hard_limit) "
                                         "VALUES ('p2', 'Cluster', 1)",
                                         0, NULL),
                                 -EEXIST);
                err_clear(&e);
                assert_true(db_commit(&tx, &e) < 0);
                err_clear(&e);
        }
        assert_int_equal(count_rows(c, "SELECT count(*) FROM quotas"), 1);
        /* commit without begin */
        struct db_tx none = DB_TX_INIT;
        assert_int_equal(db_commit(&none, &e), -EINVAL);
}

/* N threads each add 1 to a counter under SERIALIZABLE, through db_transaction: conflicts
 * surface as -EAGAIN and are retried, so no increment is lost. */
static int increment(struct db_conn *c, void *userdata, struct err *e)
{
        (void)userdata;
        int r = db_exec(c, NULL, e, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", 0, NULL);
        _cleanup_db_result_ struct db_result *res = NULL;
        if (r >= 0)
                r = db_exec(c, &res, e, "SELECT n FROM counter WHERE id = 1", 0, NULL);
        if (r < 0)
                return r;
        int n = 0;
        if (db_get_int(res, 0, 0, &n) < 0)
                return -EIO;
        char buf[16];
        snprintf(buf, sizeof(buf), "%d", n + 1);
        return db_exec(c, NULL, e, "UPDATE counter SET n = $1 WHERE id = 1", DB_PARAMS(buf));
}

struct incr_thread {
        const char *url;
        int failures;
};

static void *incr_main(void *arg)
{
        struct incr_thread *t = arg;
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_db_conn_ struct db_conn *c = NULL;
        if (db_connect(t->url, &c, &e) < 0) {
                t->failures = 100;
                return NULL;
        }
        for (int i = 0; i < 25; i++)
                if (db_transaction(c, 100, increment, NULL, &e) < 0)
                        t->failures++;
        return NULL;
}

static void test_transaction_retry(void **state)
{
        struct fixture *f = *state;
        _cleanup_db_conn_ struct db_conn *c = connect_or_fail(f);
        exec_ok(c, "CREATE TABLE counter (id int PRIMARY KEY, n int)");
        exec_ok(c, "INSERT INTO counter VALUES (1, 0)");
        enum { N = 4 };
        struct incr_thread t[N];
        pthread_t th[N];
        for (int i = 0; i < N; i++) {
                t[i] = (struct incr_thread){.url = f->url};
                pthread_create(&th[i], NULL, incr_main, &t[i]);
        }
        for (int i = 0; i < N; i++) {
                pthread_join(th[i], NULL);
                assert_int_equal(t[i].failures, 0);
        }
        assert_int_equal(count_rows(c, "SELECT n FROM counter"), N * 25);
        /* a non-retryable error is returned and rolls back */
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(db_transaction(c, 3, increment, NULL, &e), 1);
        exec_ok(c, "DROP TABLE counter");
        assert_int_equal(db_transaction(c, 3, increment, NULL, &e), -EINVAL);
        assert_non_null(strstr(err_msg(&e), "counter"));
}

/* ---- pool ------------------------------------------------------------------------------------ */

static void terminate_backend(int pid)
{
        _cleanup_free_ char *sql = xasprintf("SELECT pg_terminate_backend(%d)", pid);
        admin_exec(sql);
        /* pg_terminate_backend only signals: wait until the backend is gone */
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_db_conn_ struct db_conn *a = NULL;
        assert_int_equal(db_connect(admin_url(), &a, &e), 0);
        char pidbuf[16];
        snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
        for (int i = 0; i < 500; i++) {
                int n = db_exec(a, NULL, &e, "SELECT 1 FROM pg_stat_activity WHERE pid = $1",
                                DB_PARAMS(pidbuf));
                assert_true(n >= 0);
                if (n == 0)
                        return;
                usleep(10000);
        }
        fail_msg("backend %d did not exit", pid);
}

static void select_one(struct db_conn *c)
{
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_db_result_ struct db_result *res = NULL;
        if (db_exec(c, &res, &e, "SELECT 1", 0, NULL) != 1)
                fail_msg("SELECT 1: %s", err_msg(&e));
}

static void test_pool_survives_kill(void **state)
{
        struct fixture *f = *state;
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_(db_pool_freep) struct db_pool *p = NULL;
        assert_int_equal(db_pool_new(f->url, 2, &p, &e), 0);

        /* an idle pooled connection killed by the server is replaced on acquire */
        struct db_conn *c = NULL;
        assert_int_equal(db_pool_acquire(p, 5000, &c, &e), 0);
        int pid1 = db_conn_backend_pid(c);
        select_one(c);
        db_pool_release(c);
        terminate_backend(pid1);
        c = NULL;
        assert_int_equal(db_pool_acquire(p, 5000, &c, &e), 0);
        assert_int_not_equal(db_conn_backend_pid(c), pid1);
        select_one(c);

        /* a connection killed while checked out fails its statement with -EIO, and the pool
         * hands out a working one afterwards */
        int pid2 = db_conn_backend_pid(c);
        terminate_backend(pid2);
        assert_int_equal(db_exec(c, NULL, &e, "SELECT 1", 0, NULL), -EIO);
        err_clear(&e);
        db_pool_release(c);
        unsigned open = 0, idle = 0;
        db_pool_stats(p, &open, &idle);
        assert_int_equal(open, 0);
        c = NULL;
        assert_int_equal(db_pool_acquire(p, 5000, &c, &e), 0);
        assert_int_not_equal(db_conn_backend_pid(c), pid2);
        select_one(c);
        db_pool_release(c);
        db_pool_stats(p, &open, &idle);
        assert_int_equal(open, 1);
        assert_int_equal(idle, 1);
}

static void test_pool_timeout_and_handoff(void **state)
{
        struct fixture *f = *state;
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_(db_pool_freep) struct db_pool *p = NULL;
        assert_int_equal(db_pool_new(f->url, 2, &p, &e), 0);
        struct db_conn *a = NULL, *b = NULL, *c = NULL;
        assert_int_equal(db_pool_acquire(p, 1000, &a, &e), 0);
        assert_int_equal(db_pool_acquire(p, 1000, &b, &e), 0);
        assert_int_equal(db_pool_acquire(p, 50, &c, &e), -ETIMEDOUT);
        assert_null(c);
        err_clear(&e);
        /* a connection left inside a transaction is rolled back on release, not leaked */
        exec_ok(a, "BEGIN");
        exec_ok(a, "CREATE TABLE never_committed (id int)");
        db_pool_release(a);
        assert_int_equal(db_pool_acquire(p, 1000, &c, &e), 0);
        assert_false(table_exists(c, "never_committed"));
        db_pool_release(b);
        db_pool_release(c);
}

struct hammer {
        struct db_pool *pool;
        int ok;
        int iterations;
};

static void *hammer_main(void *arg)
{
        struct hammer *h = arg;
        for (int i = 0; i < h->iterations; i++) {
                _cleanup_err_ struct err e = ERR_INIT;
                _cleanup_db_conn_ struct db_conn *c = NULL;
                if (db_pool_acquire(h->pool, 30000, &c, &e) < 0)
                        continue;
                _cleanup_db_result_ struct db_result *res = NULL;
                char buf[16];
                snprintf(buf, sizeof(buf), "%d", i);
                if (db_exec(c, &res, &e, "SELECT $1::int * 2", DB_PARAMS(buf)) == 1) {
                        int v = -1;
                        if (db_get_int(res, 0, 0, &v) == 0 && v == i * 2)
                                h->ok++;
                }
        }
        return NULL;
}

static void test_pool_threads(void **state)
{
        struct fixture *f = *state;
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_(db_pool_freep) struct db_pool *p = NULL;
        assert_int_equal(db_pool_new(f->url, 3, &p, &e), 0);
        enum { N = 8, ITER = 200 };
        struct hammer h[N];
        pthread_t th[N];
        for (int i = 0; i < N; i++) {
                h[i] = (struct hammer){.pool = p, .iterations = ITER};
                pthread_create(&th[i], NULL, hammer_main, &h[i]);
        }
        for (int i = 0; i < N; i++) {
                pthread_join(th[i], NULL);
                assert_int_equal(h[i].ok, ITER);
        }
        unsigned open = 0, idle = 0;
        db_pool_stats(p, &open, &idle);
        assert_true(open <= 3);
        assert_int_equal(open, idle);
}

/* ---- magnum_service -------------------------------------------------------------------------- */

static void test_service(void **state)
{
        _cleanup_db_conn_ struct db_conn *c = connect_or_fail(*state);
        _cleanup_err_ struct err e = ERR_INIT;
        upgrade_or_fail(c);
        int64_t id1 = 0, id1b = 0, id2 = 0;
        assert_int_equal(db_service_register(c, "node-a", "magnum-conductor", &id1, &e), 0);
        assert_int_equal(db_service_register(c, "node-a", "magnum-conductor", &id1b, &e), 0);
        assert_int_equal(id1, id1b);
        assert_int_equal(db_service_register(c, "node-b", "magnum-conductor", &id2, &e), 0);
        assert_int_not_equal(id1, id2);
        /* the first service of a fresh database is id 1 and re-registering burns no ids
         * (tempest expects the conductor at id 1) */
        assert_int_equal(id1, 1);
        assert_int_equal(id2, 2);

        struct db_service *v = NULL;
        size_t n = 0;
        assert_int_equal(db_service_list(c, &v, &n, &e), 0);
        assert_int_equal(n, 2);
        assert_int_equal(v[0].id, id1);
        assert_int_equal(v[0].report_count, 0);
        assert_int_equal(v[0].last_seen_up, DB_TIME_NULL);
        assert_int_equal(v[0].updated_at, DB_TIME_NULL);
        assert_true(v[0].created_at != DB_TIME_NULL);
        db_service_list_free(v, n);

        assert_int_equal(db_service_heartbeat(c, id1, &e), 0);
        assert_int_equal(db_service_heartbeat(c, id1, &e), 0);
        assert_int_equal(db_service_list(c, &v, &n, &e), 0);
        assert_int_equal(n, 2);
        assert_int_equal(v[0].id, id1);
        assert_string_equal(v[0].host, "node-a");
        assert_string_equal(v[0].binary, "magnum-conductor");
        assert_int_equal(v[0].report_count, 2);
        assert_false(v[0].disabled);
        assert_null(v[0].disabled_reason);
        assert_false(v[0].forced_down);
        assert_true(v[0].last_seen_up != DB_TIME_NULL);
        assert_true(v[0].last_seen_up >= v[0].created_at);
        assert_true(v[0].updated_at != DB_TIME_NULL);
        int64_t now = time_now_us();
        assert_true(v[0].last_seen_up > now - 60 * 1000000LL);
        assert_true(v[0].last_seen_up < now + 60 * 1000000LL);
        assert_int_equal(v[1].id, id2);
        assert_int_equal(v[1].report_count, 0);
        db_service_list_free(v, n);

        struct db_service s;
        assert_int_equal(db_service_get(c, "node-a", "magnum-conductor", &s, &e), 0);
        assert_int_equal(s.report_count, 2);
        db_service_clear(&s);
        assert_int_equal(db_service_get(c, "node-z", "magnum-conductor", &s, &e), -ENOENT);
        err_clear(&e);

        assert_int_equal(db_service_heartbeat(c, 999999, &e), -ENOENT);
        err_clear(&e);
        int64_t bad = 0;
        assert_int_equal(db_service_register(c, "", "magnum-conductor", &bad, &e), -EINVAL);
        err_clear(&e);
        char longhost[300];
        memset(longhost, 'h', sizeof(longhost) - 1);
        longhost[sizeof(longhost) - 1] = '\0';
        assert_int_equal(db_service_register(c, longhost, "magnum-conductor", &bad, &e), -EINVAL);
}

struct reg_thread {
        const char *url;
        int64_t id;
        int r;
};

static void *reg_main(void *arg)
{
        struct reg_thread *t = arg;
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_db_conn_ struct db_conn *c = NULL;
        t->r = db_connect(t->url, &c, &e);
        if (t->r >= 0)
                t->r = db_service_register(c, "same-host", "magnum-conductor", &t->id, &e);
        return NULL;
}

static void test_service_concurrent_register(void **state)
{
        struct fixture *f = *state;
        _cleanup_db_conn_ struct db_conn *c = connect_or_fail(f);
        upgrade_or_fail(c);
        enum { N = 6 };
        struct reg_thread t[N];
        pthread_t th[N];
        for (int i = 0; i < N; i++) {
                t[i] = (struct reg_thread){.url = f->url};
                pthread_create(&th[i], NULL, reg_main, &t[i]);
        }
        for (int i = 0; i < N; i++) {
                pthread_join(th[i], NULL);
                assert_int_equal(t[i].r, 0);
                assert_int_equal(t[i].id, t[0].id);
        }
        assert_int_equal(count_rows(c, "SELECT count(*) FROM magnum_service"), 1);
}

/* ---- Heat stack leases ----------------------------------------------------------------------- */

static char *lock_acquire(struct db_conn *c, const char *stack, const char *engine,
                          const char *secs)
{
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_db_result_ struct db_result *res = NULL;
        if (db_exec(c, &res, &e, "SELECT heat_stack_lock_acquire($1, $2, $3::int)",
                    DB_PARAMS(stack, engine, secs)) != 1)
                fail_msg("lock: %s", err_msg(&e));
        return db_dup_text(res, 0, 0);
}

static void test_stack_lease(void **state)
{
        _cleanup_db_conn_ struct db_conn *c = connect_or_fail(*state);
        upgrade_or_fail(c);
        exec_ok(c, "INSERT INTO raw_template (id, template) VALUES (1, '{}')");
        exec_ok(c, "INSERT INTO stack (id, name, raw_template_id, tenant, action, status) "
                   "VALUES ('s1', 'st', 1, 't', 'CREATE', 'IN_PROGRESS')");
        _cleanup_free_ char *h1 = lock_acquire(c, "s1", "engine-1", "60");
        _cleanup_free_ char *h2 = lock_acquire(c, "s1", "engine-2", "60");
        _cleanup_free_ char *h3 = lock_acquire(c, "s1", "engine-1", "60");
        assert_string_equal(h1, "engine-1");
        assert_string_equal(h2, "engine-1"); /* held: engine-2 is told who has it */
        assert_string_equal(h3, "engine-1"); /* renewal */
        assert_int_equal(count_rows(c, "SELECT count(*) FROM heat_orphaned_stack"), 0);
        /* engine-1 dies: its lease lapses and the stack shows as orphaned, then engine-2 takes
         * it over */
        exec_ok(c, "UPDATE stack_lock SET lease_expires_at = lease_expires_at - "
                   "interval '2 minutes'");
        assert_int_equal(count_rows(c, "SELECT count(*) FROM heat_orphaned_stack"), 1);
        _cleanup_free_ char *h4 = lock_acquire(c, "s1", "engine-2", "60");
        assert_string_equal(h4, "engine-2");
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_db_result_ struct db_result *res = NULL;
        assert_int_equal(db_exec(c, &res, &e,
                                 "SELECT heat_stack_lock_release('s1', 'engine-1'), "
                                 "heat_stack_lock_release('s1', 'engine-2')",
                                 0, NULL),
                         1);
        bool r1 = true, r2 = false;
        assert_int_equal(db_get_bool(res, 0, 0, &r1), 0);
        assert_int_equal(db_get_bool(res, 0, 1, &r2), 0);
        assert_false(r1);
        assert_true(r2);
}

int main(void)
{
        log_setup("test_db_integration", getenv("MC_TEST_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_upgrade_fresh_and_twice, setup, teardown),
                cmocka_unit_test_setup_teardown(test_schema_defaults, setup, teardown),
                cmocka_unit_test_setup_teardown(test_concurrent_upgrades, setup, teardown),
                cmocka_unit_test_setup_teardown(test_broken_migration, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prepared_statements, setup, teardown),
                cmocka_unit_test_setup_teardown(test_api_generations, setup, teardown),
                cmocka_unit_test_setup_teardown(test_error_mapping, setup, teardown),
                cmocka_unit_test_setup_teardown(test_serialization_eagain, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transaction_retry, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pool_survives_kill, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pool_timeout_and_handoff, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pool_threads, setup, teardown),
                cmocka_unit_test_setup_teardown(test_service, setup, teardown),
                cmocka_unit_test_setup_teardown(test_service_concurrent_register, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stack_lease, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
