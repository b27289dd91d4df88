/* magnum_service rows: register, heartbeat, list. See service.h. */
#include "common/common.h"
#include "db/service.h"

#define SERVICE_FIELD_MAX 255

/* Column order shared by every SELECT below and service_from_row(). */
#define SERVICE_COLUMNS                                                                            \
        "id, host, \"binary\", report_count, disabled, disabled_reason, forced_down, "             \
        "last_seen_up, created_at, updated_at"

static int check_name(const char *what, const char *s, struct err *e)
{
        if (!s || !*s)
                return err_set(e, -EINVAL, "magnum_service %s must not be empty", what);
        if (strlen(s) > SERVICE_FIELD_MAX)
                return err_set(e, -EINVAL, "magnum_service %s is longer than %d characters", what,
                               SERVICE_FIELD_MAX);
        return 0;
}

static int time_or_null(const struct db_result *res, size_t row, size_t col, int64_t *ret)
{
        int r = db_get_time(res, row, col, ret);
        if (r == -ENODATA) {
                *ret = DB_TIME_NULL;
                return 0;
        }
        return r;
}

static int service_from_row(const struct db_result *res, size_t row, struct db_service *s,
                            struct err *e)
{
        *s = (struct db_service){0};
        int r = db_get_int64(res, row, 0, &s->id);
        if (r >= 0)
                r = db_get_int(res, row, 3, &s->report_count);
        if (r >= 0 && db_get_bool(res, row, 4, &s->disabled) == -EINVAL)
                r = -EINVAL;
        if (r >= 0 && db_get_bool(res, row, 6, &s->forced_down) == -EINVAL)
                r = -EINVAL;
        if (r >= 0)
                r = time_or_null(res, row, 7, &s->last_seen_up);
        if (r >= 0)
                r = time_or_null(res, row, 8, &s->created_at);
        if (r >= 0)
                r = time_or_null(res, row, 9, &s->updated_at);
        if (r < 0)
                return err_set(e, -EIO, "malformed magnum_service row %zu", row);
        s->host = db_dup_text(res, row, 1);
        s->binary = db_dup_text(res, row, 2);
        s->disabled_reason = db_dup_text(res, row, 5);
        return 0;
}

int db_service_register(struct db_conn *c, const char *host, const char *binary, int64_t *ret_id,
                        struct err *e)
{
        int r = check_name("host", host, e);
        if (r < 0)
                return r;
        r = check_name("binary", binary, e);
        if (r < 0)
                return r;
        /* Look first, insert only when missing: an INSERT ... ON CONFLICT on every start would
         * burn a sequence value each time (the first conductor must stay id 1, as tempest
         * expects). DO NOTHING + a second look covers two processes registering at once. */
        static const char *const lookup =
                "SELECT id FROM magnum_service WHERE host = $1 AND \"binary\" = $2";
        for (int attempt = 0; attempt < 2; attempt++) {
                _cleanup_db_result_ struct db_result *res = NULL;
                r = db_exec(c, &res, e, lookup, DB_PARAMS(host, binary));
                if (r < 0)
                        return r;
                if (r == 0) {
                        db_result_free(TAKE_PTR(res));
                        r = db_exec(c, &res, e,
                                    "INSERT INTO magnum_service (host, \"binary\") "
                                    "VALUES ($1, $2) ON CONFLICT (host, \"binary\") DO NOTHING "
                                    "RETURNING id",
                                    DB_PARAMS(host, binary));
                        if (r < 0)
                                return r;
                        if (r == 0)
                                continue; /* someone else inserted it: look again */
                }
                int64_t id;
                if (db_get_int64(res, 0, 0, &id) < 0)
                        return err_set(e, -EIO, "magnum_service row without an id");
                *ret_id = id;
                return 0;
        }
        return err_set(e, -EIO, "magnum_service %s %s vanished while registering", host, binary);
}

int db_service_heartbeat(struct db_conn *c, int64_t id, struct err *e)
{
        char idbuf[24];
        snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
        int r = db_exec(c, NULL, e,
                        "UPDATE magnum_service SET report_count = report_count + 1, "
                        "last_seen_up = (now() AT TIME ZONE 'utc'), "
                        "updated_at = (now() AT TIME ZONE 'utc') WHERE id = $1",
                        DB_PARAMS(idbuf));
        if (r < 0)
                return r;
        if (r == 0)
                return err_set(e, -ENOENT, "magnum_service %lld not found", (long long)id);
        return 0;
}

int db_service_get(struct db_conn *c, const char *host, const char *binary, struct db_service *ret,
                   struct err *e)
{
        _cleanup_db_result_ struct db_result *res = NULL;
        int r = db_exec(c, &res, e,
                        "SELECT " SERVICE_COLUMNS " FROM magnum_service "
                        "WHERE host = $1 AND \"binary\" = $2",
                        DB_PARAMS(host, binary));
        if (r < 0)
                return r;
        if (r == 0)
                return err_set(e, -ENOENT, "magnum_service %s %s not found", host, binary);
        return service_from_row(res, 0, ret, e);
}

int db_service_list(struct db_conn *c, struct db_service **ret, size_t *ret_n, struct err *e)
{
        _cleanup_db_result_ struct db_result *res = NULL;
        int r = db_exec(c, &res, e, "SELECT " SERVICE_COLUMNS " FROM magnum_service ORDER BY id", 0,
                        NULL);
        if (r < 0)
                return r;
        size_t n = db_result_rows(res);
        struct db_service *v = n ? xnew(struct db_service, n) : NULL;
        for (size_t i = 0; i < n; i++) {
                r = service_from_row(res, i, &v[i], e);
                if (r < 0) {
                        db_service_list_free(v, i);
                        return r;
                }
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

void db_service_clear(struct db_service *s)
{
        if (!s)
                return;
        free(s->host);
        free(s->binary);
        free(s->disabled_reason);
        s->host = s->binary = s->disabled_reason = NULL;
}

void db_service_list_free(struct db_service *v, size_t n)
{
        if (!v)
                return;
        for (size_t i = 0; i < n; i++)
                db_service_clear(&v[i]);
        free(v);
}
