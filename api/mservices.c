/*
 * GET /v1/mservices (spec §7): the magnum_service rows with a derived "up"/"down" state.
 * Admin only (policy magnum-service:get_all); no query parameters; never a "next" link.
 */
#include "common/common.h"

#include "api/router.h"
#include "common/ids.h"
#include "common/json_util.h"
#include "db/service.h"

/* [DEFAULT] service_down_time, set once at start-up before any request. */
static int down_time_s = 180;

void ms_set_down_time(int seconds)
{
        down_time_s = seconds > 0 ? seconds : 180;
}

const char *ms_state(bool forced_down, int64_t last_seen_up, int64_t updated_at, int64_t created_at,
                     int64_t now_us, int service_down_time)
{
        if (forced_down)
                return "down";
        int64_t last = last_seen_up != DB_TIME_NULL ? last_seen_up
                       : updated_at != DB_TIME_NULL ? updated_at
                                                    : created_at;
        int64_t elapsed = now_us - last;
        if (elapsed < 0)
                elapsed = -elapsed;
        return elapsed <= (int64_t)service_down_time * 1000000 ? "up" : "down";
}

static json_t *time_or_null(int64_t us)
{
        if (us == DB_TIME_NULL)
                return json_null();
        char buf[33];
        time_format_iso(us, buf);
        return json_checked(json_string(buf));
}

int ms_h_list(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL) || res_enforce(ctx, "magnum-service:get_all", NULL))
                return 0;
        struct db_conn *c = NULL;
        if (res_db(ctx, &c))
                return 0;
        struct db_service *rows = NULL;
        size_t n = 0;
        struct err e = ERR_INIT;
        int r = db_service_list(c, &rows, &n, &e);
        if (r < 0) {
                res_fail_internal(ctx, r, &e);
                err_clear(&e);
                return 0;
        }
        int64_t now = time_now_us();
        json_auto_t *items = json_checked(json_array());
        for (size_t i = 0; i < n; i++) {
                const struct db_service *s = &rows[i];
                json_t *it = json_checked(json_pack(
                        "{s:I,s:s,s:s,s:s,s:i,s:b,s:o,s:o,s:o}", "id", (json_int_t)s->id, "host",
                        s->host, "binary", s->binary, "state",
                        ms_state(s->forced_down, s->last_seen_up, s->updated_at, s->created_at, now,
                                 down_time_s),
                        "report_count", s->report_count, "disabled", s->disabled, "disabled_reason",
                        json_string_or_null(s->disabled_reason), "created_at",
                        time_or_null(s->created_at), "updated_at", time_or_null(s->updated_at)));
                json_array_append_new(items, it);
        }
        db_service_list_free(rows, n);
        json_auto_t *body = json_checked(json_pack("{s:O}", "mservices", items));
        return httpd_resp_json(ctx->req, 200, body);
}
