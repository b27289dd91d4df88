/*
 * magnum_service registration and heartbeats (spec/magnum.md §7): the row (host,
 * "magnum-conductor") is created at start; each heartbeat increments report_count and moves
 * last_seen_up, which is what `openstack coe service list` turns into state up/down.
 */
#include "common/common.h"
#include "conductor/conductor.h"

#include "common/db.h"
#include "db/service.h"

#define CONDUCTOR_BINARY      "magnum-conductor"
#define DB_ACQUIRE_TIMEOUT_MS 10000

struct conductor_service {
        struct conductor *cd;
        int64_t id; /* 0 until registered */
};

static int do_register(struct conductor_service *s, struct db_conn *c, struct err *e)
{
        int r = db_service_register(c, s->cd->opts.host, CONDUCTOR_BINARY, &s->id, e);
        if (r < 0)
                return r;
        log_info("event=service_registered host=%s binary=%s id=%lld", s->cd->opts.host,
                 CONDUCTOR_BINARY, (long long)s->id);
        return 0;
}

int conductor_service_heartbeat(struct conductor_service *s, struct err *e)
{
        _cleanup_db_conn_ struct db_conn *c = NULL;
        int r = db_pool_acquire(s->cd->pool, DB_ACQUIRE_TIMEOUT_MS, &c, e);
        if (r < 0)
                return r;
        if (!s->id && (r = do_register(s, c, e)) < 0)
                return r;
        r = db_service_heartbeat(c, s->id, e);
        if (r == -ENOENT) {
                /* someone deleted our row: register again, as Magnum does on its next report */
                s->id = 0;
                if ((r = do_register(s, c, e)) < 0)
                        return r;
                r = db_service_heartbeat(c, s->id, e);
        }
        if (r == 0)
                log_debug("event=service_heartbeat id=%lld", (long long)s->id);
        return r;
}

int conductor_service_start(struct conductor *cd, struct conductor_service **ret, struct err *e)
{
        struct conductor_service *s = xnew(struct conductor_service, 1);
        s->cd = cd;
        int r = conductor_service_heartbeat(s, e);
        if (r < 0) {
                free(s);
                return r;
        }
        *ret = s;
        return 0;
}

void conductor_service_free(struct conductor_service *s)
{
        free(s);
}
