/*
 * Data access for the `magnum_service` table: one row per (host, binary) service that reports
 * its liveness (only magnum-conductor does, as in Magnum). The conductor registers once at start
 * and heartbeats periodically; GET /v1/mservices lists the rows and derives `state` itself
 * ([DEFAULT] service_down_time) from last_seen_up / updated_at / created_at.
 *
 *   _cleanup_db_conn_ struct db_conn *c = NULL;
 *   r = db_pool_acquire(pool, 5000, &c, &e);
 *   int64_t id;
 *   r = db_service_register(c, host, "magnum-conductor", &id, &e);
 *   r = db_service_heartbeat(c, id, &e);          // every periodic_interval
 */
#ifndef MC_DB_SERVICE_H
#define MC_DB_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "common/err.h"

struct db_service {
        int64_t id;
        char *host;
        char *binary;
        int report_count;
        bool disabled;
        char *disabled_reason; /* NULL when SQL NULL */
        bool forced_down;
        /* Times in microseconds since the epoch (UTC), as common/ids.h time_format_iso takes. */
        int64_t last_seen_up; /* DB_TIME_NULL before the first heartbeat */
        int64_t created_at;
        int64_t updated_at; /* DB_TIME_NULL until the first heartbeat */
};

/* Finds the row for (host, binary), creating it (report_count 0, enabled) when missing; safe
 * when several processes register the same pair at once. *ret_id gets the row id. Errors:
 * -EINVAL (empty host/binary or longer than 255), database errors from db_exec. */
int db_service_register(struct db_conn *c, const char *host, const char *binary, int64_t *ret_id,
                        struct err *e);
/* Records one heartbeat for row `id`: report_count + 1, last_seen_up = updated_at = now (UTC).
 * -ENOENT when the row no longer exists (the caller registers again). */
int db_service_heartbeat(struct db_conn *c, int64_t id, struct err *e);
/* The row for (host, binary): -ENOENT when absent. *ret is filled (caller frees with
 * db_service_clear). */
int db_service_get(struct db_conn *c, const char *host, const char *binary, struct db_service *ret,
                   struct err *e);
/* Every row, ordered by id. *ret is a new array of *ret_n entries (may be NULL with 0), owned by
 * the caller: free with db_service_list_free. */
int db_service_list(struct db_conn *c, struct db_service **ret, size_t *ret_n, struct err *e);

/* Frees the strings inside s (not s itself); NULL is ok. */
void db_service_clear(struct db_service *s);
/* Frees an array from db_service_list; NULL is ok. */
void db_service_list_free(struct db_service *v, size_t n);

#endif
