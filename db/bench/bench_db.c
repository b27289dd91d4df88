/*
 * bench_db: prints throughput numbers for common/db and db/ against a real PostgreSQL (not a
 * test; nothing is asserted). Usage: bench_db ADMIN_URL   e.g.
 *   build/db/bench/bench_db postgresql://postgres@127.0.0.1:15432/postgres
 * Works in a fresh database mc_bench_<random>, dropped at the end.
 *   - schema upgrade from empty (ms)
 *   - pool: acquire + 1-row parameterised SELECT + release, 1/4/16 threads over a pool of 4
 *   - magnum_service heartbeat on one connection
 */
#include "common/common.h"

#include <pthread.h>

#include "common/db.h"
#include "common/ids.h"
#include "db/magnum_db.h"

struct worker {
        struct db_pool *pool;
        int64_t deadline_ms;
        long ops;
        long errors;
};

static void *worker_main(void *arg)
{
        struct worker *w = arg;
        char buf[24];
        while (time_mono_ms() < w->deadline_ms) {
                _cleanup_err_ struct err e = ERR_INIT;
                _cleanup_db_conn_ struct db_conn *c = NULL;
                if (db_pool_acquire(w->pool, 10000, &c, &e) < 0) {
                        w->errors++;
                        continue;
                }
                snprintf(buf, sizeof(buf), "%ld", w->ops);
                if (db_exec(c, NULL, &e, "SELECT $1::bigint + 1", DB_PARAMS(buf)) == 1)
                        w->ops++;
                else
                        w->errors++;
        }
        return NULL;
}

static int admin_exec(const char *admin, const char *sql)
{
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_db_conn_ struct db_conn *c = NULL;
        int r = db_connect(admin, &c, &e);
        if (r >= 0)
                r = db_exec(c, NULL, &e, sql, 0, NULL);
        if (r < 0)
                fprintf(stderr, "bench_db: %s: %s\n", sql, err_msg(&e));
        return r;
}

int main(int argc, char **argv)
{
        if (argc != 2) {
                fprintf(stderr, "usage: bench_db ADMIN_URL\n");
                return 2;
        }
        log_setup("bench_db", LOG_LVL_WARN);
        const char *admin = argv[1];
        char hex[13];
        random_hex(hex, 12);
        _cleanup_free_ char *name = xasprintf("mc_bench_%s", hex);
        _cleanup_free_ char *create = xasprintf("CREATE DATABASE %s", name);
        _cleanup_free_ char *drop = xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
        if (admin_exec(admin, create) < 0)
                return 1;
        const char *slash = strrchr(admin, '/');
        _cleanup_free_ char *url = xasprintf("%.*s/%s", (int)(slash - admin), admin, name);
        int rc = 0;
        _cleanup_err_ struct err e = ERR_INIT;
        {
                _cleanup_db_conn_ struct db_conn *c = NULL;
                int64_t t0 = time_mono_ms();
                if (db_connect(url, &c, &e) < 0 || magnum_db_upgrade(c, NULL, &e) < 0) {
                        fprintf(stderr, "bench_db: %s\n", err_msg(&e));
                        rc = 1;
                        goto out;
                }
                printf("upgrade_from_empty_ms=%lld migrations=%zu\n",
                       (long long)(time_mono_ms() - t0), magnum_migrations_count);

                int64_t id;
                if (db_service_register(c, "bench", "magnum-conductor", &id, &e) < 0) {
                        rc = 1;
                        goto out;
                }
                int n = 0;
                t0 = time_mono_ms();
                while (time_mono_ms() - t0 < 2000 && db_service_heartbeat(c, id, &e) == 0)
                        n++;
                printf("heartbeat_per_s=%.0f\n", n * 1000.0 / (double)(time_mono_ms() - t0));
        }
        static const int threads[] = {1, 4, 16};
        for (size_t k = 0; k < ARRAY_SIZE(threads); k++) {
                _cleanup_(db_pool_freep) struct db_pool *p = NULL;
                if (db_pool_new(url, 4, &p, &e) < 0) {
                        rc = 1;
                        goto out;
                }
                int nt = threads[k];
                struct worker *w = xnew(struct worker, (size_t)nt);
                pthread_t *th = xnew(pthread_t, (size_t)nt);
                int64_t t0 = time_mono_ms();
                for (int i = 0; i < nt; i++) {
                        w[i] = (struct worker){.pool = p, .deadline_ms = t0 + 3000};
                        pthread_create(&th[i], NULL, worker_main, &w[i]);
                }
                long ops = 0, errs = 0;
                for (int i = 0; i < nt; i++) {
                        pthread_join(th[i], NULL);
                        ops += w[i].ops;
                        errs += w[i].errors;
                }
                double secs = (double)(time_mono_ms() - t0) / 1000.0;
                printf("pool4_threads=%d select_per_s=%.0f errors=%ld\n", nt, (double)ops / secs,
                       errs);
                free(w);
                free(th);
        }
out:
        admin_exec(admin, drop);
        return rc;
}
