/*
 * Generic row access for Magnum's object tables; see object.h. The column descriptors follow
 * Magnum 15's SQLAlchemy models (db/sqlalchemy/models.py).
 */
#include "common/common.h"

#include <inttypes.h>

#include "common/ids.h"
#include "common/json_util.h"
#include "db/object.h"

#define T  DBO_TEXT
#define I  DBO_INT
#define B  DBO_BOOL
#define J  DBO_JSON
#define TM DBO_TIME

static const struct dbo_column ct_cols[] = {
        {"id", I, NULL, false},
        {"uuid", T, NULL, false},
        {"project_id", T, NULL, false},
        {"user_id", T, NULL, false},
        {"name", T, NULL, false},
        {"image_id", T, NULL, false},
        {"flavor_id", T, NULL, false},
        {"master_flavor_id", T, NULL, false},
        {"keypair_id", T, NULL, false},
        {"external_network_id", T, NULL, false},
        {"fixed_network", T, NULL, false},
        {"fixed_subnet", T, NULL, false},
        {"network_driver", T, NULL, false},
        {"volume_driver", T, NULL, false},
        {"dns_nameserver", T, NULL, false},
        {"apiserver_port", I, NULL, false},
        {"docker_volume_size", I, NULL, false},
        {"docker_storage_driver", T, NULL, false},
        {"cluster_distro", T, NULL, false},
        {"coe", T, NULL, false},
        {"http_proxy", T, NULL, false},
        {"https_proxy", T, NULL, false},
        {"no_proxy", T, NULL, false},
        {"registry_enabled", B, NULL, false},
        {"labels", J, NULL, false},
        {"tls_disabled", B, NULL, false},
        {"public", B, NULL, false},
        {"server_type", T, NULL, false},
        {"insecure_registry", T, NULL, false},
        {"master_lb_enabled", B, NULL, false},
        {"floating_ip_enabled", B, NULL, false},
        {"hidden", B, NULL, false},
        {"tags", T, NULL, false},
        {"created_at", TM, NULL, false},
        {"updated_at", TM, NULL, false},
};
const struct dbo_table dbo_cluster_template = {"cluster_template", ct_cols,  ARRAY_SIZE(ct_cols),
                                               "public",           "hidden", NULL};

static const struct dbo_column cluster_cols[] = {
        {"id", I, NULL, false},
        {"uuid", T, NULL, false},
        {"project_id", T, NULL, false},
        {"user_id", T, NULL, false},
        {"name", T, NULL, false},
        {"cluster_template_id", T, NULL, false},
        {"keypair", T, NULL, false},
        {"docker_volume_size", I, NULL, false},
        {"labels", J, NULL, false},
        {"master_flavor_id", T, NULL, false},
        {"flavor_id", T, NULL, false},
        {"stack_id", T, NULL, false},
        {"api_address", T, NULL, false},
        {"status", T, NULL, false},
        {"status_reason", T, NULL, false},
        {"health_status", T, NULL, false},
        {"health_status_reason", J, NULL, false},
        {"create_timeout", I, NULL, false},
        {"discovery_url", T, NULL, false},
        {"ca_cert_ref", T, NULL, false},
        {"magnum_cert_ref", T, NULL, false},
        {"etcd_ca_cert_ref", T, NULL, false},
        {"front_proxy_ca_cert_ref", T, NULL, false},
        {"trust_id", T, NULL, false},
        {"trustee_username", T, NULL, false},
        {"trustee_user_id", T, NULL, false},
        {"trustee_password", T, NULL, false},
        {"coe_version", T, NULL, false},
        {"container_version", T, NULL, false},
        {"fixed_network", T, NULL, false},
        {"fixed_subnet", T, NULL, false},
        {"floating_ip_enabled", B, NULL, false},
        {"master_lb_enabled", B, NULL, false},
        {"created_at", TM, NULL, false},
        {"updated_at", TM, NULL, false},
        /* Computed from the cluster's nodegroups, as Magnum's Cluster properties are. */
        {"node_count", I, "COALESCE(ngagg.node_count, 0)", false},
        {"master_count", I, "COALESCE(ngagg.master_count, 0)", false},
        {"node_addresses", J,
         "(SELECT COALESCE(json_agg(a.v), '[]'::json) FROM nodegroup n, "
         "json_array_elements_text(COALESCE(NULLIF(n.node_addresses::text, ''), '[]')::json) "
         "AS a(v) WHERE n.cluster_id = %T.uuid AND n.role <> 'master')",
         true},
        {"master_addresses", J,
         "(SELECT COALESCE(json_agg(a.v), '[]'::json) FROM nodegroup n, "
         "json_array_elements_text(COALESCE(NULLIF(n.node_addresses::text, ''), '[]')::json) "
         "AS a(v) WHERE n.cluster_id = %T.uuid AND n.role = 'master')",
         true},
};
const struct dbo_table dbo_cluster = {
        "cluster",
        cluster_cols,
        ARRAY_SIZE(cluster_cols),
        NULL,
        NULL,
        " LEFT JOIN LATERAL (SELECT SUM(n.node_count) FILTER (WHERE n.role <> 'master') AS "
        "node_count, SUM(n.node_count) FILTER (WHERE n.role = 'master') AS master_count FROM "
        "nodegroup n WHERE n.cluster_id = %T.uuid) AS ngagg ON true"};

static const struct dbo_column ng_cols[] = {
        {"id", I, NULL, false},
        {"uuid", T, NULL, false},
        {"name", T, NULL, false},
        {"cluster_id", T, NULL, false},
        {"project_id", T, NULL, false},
        {"docker_volume_size", I, NULL, false},
        {"labels", J, NULL, false},
        {"flavor_id", T, NULL, false},
        {"image_id", T, NULL, false},
        {"node_addresses", J, NULL, false},
        {"node_count", I, NULL, false},
        {"max_node_count", I, NULL, false},
        {"min_node_count", I, NULL, false},
        {"role", T, NULL, false},
        {"is_default", B, NULL, false},
        {"stack_id", T, NULL, false},
        {"status", T, NULL, false},
        {"status_reason", T, NULL, false},
        {"version", T, NULL, false},
        {"created_at", TM, NULL, false},
        {"updated_at", TM, NULL, false},
};
const struct dbo_table dbo_nodegroup = {"nodegroup", ng_cols, ARRAY_SIZE(ng_cols),
                                        NULL,        NULL,    NULL};

static const struct dbo_column quota_cols[] = {
        {"id", I, NULL, false},          {"project_id", T, NULL, false},
        {"resource", T, NULL, false},    {"hard_limit", I, NULL, false},
        {"created_at", TM, NULL, false}, {"updated_at", TM, NULL, false},
};
const struct dbo_table dbo_quota = {"quotas", quota_cols, ARRAY_SIZE(quota_cols), NULL, NULL, NULL};

static const struct dbo_column fed_cols[] = {
        {"id", I, NULL, false},
        {"uuid", T, NULL, false},
        {"project_id", T, NULL, false},
        {"name", T, NULL, false},
        {"hostcluster_id", T, NULL, false},
        {"member_ids", J, NULL, false},
        {"status", T, NULL, false},
        {"status_reason", T, NULL, false},
        {"properties", J, NULL, false},
        {"created_at", TM, NULL, false},
        {"updated_at", TM, NULL, false},
};
const struct dbo_table dbo_federation = {"federation", fed_cols, ARRAY_SIZE(fed_cols),
                                         NULL,         NULL,     NULL};

static const struct dbo_column x509_cols[] = {
        {"id", I, NULL, false},
        {"uuid", T, NULL, false},
        {"certificate", T, NULL, false},
        {"private_key", T, NULL, false},
        {"private_key_passphrase", T, NULL, false},
        {"intermediates", T, NULL, false},
        {"project_id", T, NULL, false},
        {"user_id", T, NULL, false},
        {"created_at", TM, NULL, false},
        {"updated_at", TM, NULL, false},
};
const struct dbo_table dbo_x509keypair = {"x509keypair", x509_cols, ARRAY_SIZE(x509_cols),
                                          NULL,          NULL,      NULL};

#undef T
#undef I
#undef B
#undef J
#undef TM

#define DBO_MAX_PARAMS 64
#define DBO_MAX_COLS   64

const struct dbo_column *dbo_column(const struct dbo_table *t, const char *name)
{
        for (size_t i = 0; i < t->n_cols; i++)
                if (streq(t->cols[i].name, name))
                        return &t->cols[i];
        return NULL;
}

bool dbo_sortable(const struct dbo_table *t, const char *name)
{
        const struct dbo_column *c = dbo_column(t, name);
        return c && !c->expr;
}

struct params {
        const char *v[DBO_MAX_PARAMS];
        char *owned[DBO_MAX_PARAMS];
        size_t n;
};

static void params_release(struct params *p)
{
        for (size_t i = 0; i < p->n; i++)
                free(p->owned[i]);
}

/* Adds a parameter (taking ownership of `owned` when non-NULL) and returns its $number. */
static size_t param_add(struct params *p, const char *v, char *owned)
{
        if (p->n >= DBO_MAX_PARAMS)
                abort();
        p->v[p->n] = owned ? owned : v;
        p->owned[p->n] = owned;
        return ++p->n;
}

/* The text form of a JSON value for a parameter of column type `type`; NULL for null. */
static char *value_text(enum dbo_type type, const json_t *v)
{
        if (!v || json_is_null(v))
                return NULL;
        switch (type) {
        case DBO_JSON:
                return json_dump_compact(v);
        case DBO_BOOL:
                if (json_is_boolean(v))
                        return xstrdup(json_is_true(v) ? "true" : "false");
                break;
        case DBO_INT:
                if (json_is_integer(v)) {
                        char buf[32];
                        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
                        return xstrdup(buf);
                }
                break;
        default:
                break;
        }
        if (json_is_string(v))
                return xstrdup(json_string_value(v));
        return json_dump_compact(v);
}

static void add_col_expr(struct strbuf *sb, const struct dbo_table *t, const struct dbo_column *c)
{
        if (!c->expr) {
                strbuf_addf(sb, "%s.%s", t->name, c->name);
                return;
        }
        strbuf_addch(sb, '(');
        for (const char *p = c->expr; *p; p++) {
                if (p[0] == '%' && p[1] == 'T') {
                        strbuf_addstr(sb, t->name);
                        p++;
                } else {
                        strbuf_addch(sb, *p);
                }
        }
        strbuf_addch(sb, ')');
}

static bool name_in(const char *const *names, const char *name)
{
        for (; *names; names++)
                if (streq(*names, name))
                        return true;
        return false;
}

/* The columns selected (in table order) into cols: all, or those the query names (and id);
 * heavy ones left out on request. */
static size_t add_select_list(struct strbuf *sb, const struct dbo_table *t,
                              const struct dbo_query *q, const struct dbo_column **cols)
{
        size_t n = 0;
        for (size_t i = 0; i < t->n_cols; i++) {
                if (q->skip_heavy && t->cols[i].heavy)
                        continue;
                if (q->columns && !streq(t->cols[i].name, "id") &&
                    !name_in(q->columns, t->cols[i].name))
                        continue;
                if (n)
                        strbuf_addstr(sb, ", ");
                add_col_expr(sb, t, &t->cols[i]);
                strbuf_addf(sb, " AS %s", t->cols[i].name);
                cols[n++] = &t->cols[i];
        }
        return n;
}

static void add_from(struct strbuf *sb, const struct dbo_table *t)
{
        strbuf_addf(sb, " FROM %s", t->name);
        if (!t->join)
                return;
        for (const char *p = t->join; *p; p++) {
                if (p[0] == '%' && p[1] == 'T') {
                        strbuf_addstr(sb, t->name);
                        p++;
                } else {
                        strbuf_addch(sb, *p);
                }
        }
}

static int add_where(struct strbuf *sb, struct params *p, const struct dbo_table *t,
                     const struct dbo_query *q, struct err *e)
{
        strbuf_addstr(sb, " WHERE true");
        for (size_t i = 0; i < q->n_filters; i++) {
                const struct dbo_column *c = dbo_column(t, q->filters[i].col);
                if (!c || c->expr)
                        return err_set(e, -EINVAL, "unknown filter column %s", q->filters[i].col);
                if (!q->filters[i].value)
                        strbuf_addf(sb, " AND %s.%s IS NULL", t->name, c->name);
                else
                        strbuf_addf(sb, " AND %s.%s = $%zu", t->name, c->name,
                                    param_add(p, q->filters[i].value, NULL));
        }
        if (q->project_id) {
                size_t n = param_add(p, q->project_id, NULL);
                if (q->visibility == DBO_VIS_PROJECT || !t->public_col)
                        strbuf_addf(sb, " AND %s.project_id = $%zu", t->name, n);
                else if (q->visibility == DBO_VIS_PROJECT_OR_PUBLIC)
                        strbuf_addf(sb, " AND (%s.project_id = $%zu OR %s.%s)", t->name, n, t->name,
                                    t->public_col);
                else
                        strbuf_addf(sb,
                                    " AND (%s.project_id = $%zu OR (%s.%s AND NOT "
                                    "COALESCE(%s.%s, false)))",
                                    t->name, n, t->name, t->public_col, t->name, t->hidden_col);
        }
        return 0;
}

static json_t *row_to_json(const struct dbo_column *const *cols, size_t n_cols,
                           const struct db_result *res, size_t row)
{
        json_t *o = json_checked(json_object());
        for (size_t i = 0; i < n_cols; i++) {
                const struct dbo_column *c = cols[i];
                if (db_is_null(res, row, i)) {
                        json_object_set_new(o, c->name, json_null());
                        continue;
                }
                const char *s = db_get_text(res, row, i);
                json_t *v = NULL;
                switch (c->type) {
                case DBO_TEXT:
                        v = json_string(s);
                        break;
                case DBO_INT: {
                        int64_t n;
                        v = db_get_int64(res, row, i, &n) == 0 ? json_integer(n) : json_null();
                        break;
                }
                case DBO_BOOL: {
                        bool b;
                        v = db_get_bool(res, row, i, &b) == 0 ? json_boolean(b) : json_null();
                        break;
                }
                case DBO_JSON:
                        v = json_loads(s, JSON_DECODE_ANY, NULL);
                        if (!v)
                                v = json_null();
                        break;
                case DBO_TIME: {
                        int64_t sec; /* microseconds */
                        char buf[33];
                        if (db_get_time(res, row, i, &sec) == 0) {
                                time_format_iso(sec, buf);
                                v = json_string(buf);
                        } else {
                                v = json_null();
                        }
                        break;
                }
                }
                json_object_set_new(o, c->name, json_checked(v));
        }
        return o;
}

static json_t *rows_to_json(const struct dbo_column *const *cols, size_t n_cols,
                            const struct db_result *res)
{
        json_t *a = json_checked(json_array());
        for (size_t r = 0; r < db_result_rows(res); r++)
                json_array_append_new(a, row_to_json(cols, n_cols, res, r));
        return a;
}

int dbo_select(struct db_conn *c, const struct dbo_table *t, const struct dbo_query *q,
               json_t **ret, struct err *e)
{
        _cleanup_strbuf_ struct strbuf sql = STRBUF_INIT;
        _cleanup_(params_release) struct params p = {0};
        const char *sk = q->sort_key ? q->sort_key : "id";
        if (!dbo_sortable(t, sk))
                return err_set(e, -EINVAL,
                               "The sort_key value \"%s\" is an invalid field for "
                               "sorting",
                               sk);
        strbuf_addstr(&sql, "SELECT ");
        const struct dbo_column *cols[DBO_MAX_COLS];
        size_t n_cols = add_select_list(&sql, t, q, cols);
        add_from(&sql, t);
        int r = add_where(&sql, &p, t, q, e);
        if (r < 0)
                return r;
        const char *dir = q->sort_desc ? "DESC" : "ASC";
        const char *cmp = q->sort_desc ? "<" : ">";
        if (q->marker) {
                const struct dbo_column *col = dbo_column(t, sk);
                json_t *mv = json_object_get(q->marker, sk);
                json_t *mid = json_object_get(q->marker, "id");
                size_t nid = param_add(&p, NULL, value_text(DBO_INT, mid));
                if (!streq(sk, "id") && mv && !json_is_null(mv)) {
                        size_t nv = param_add(&p, NULL, value_text(col->type, mv));
                        strbuf_addf(&sql,
                                    " AND (%s.%s %s $%zu OR (%s.%s = $%zu AND %s.id %s $%zu))",
                                    t->name, sk, cmp, nv, t->name, sk, nv, t->name, cmp, nid);
                } else {
                        strbuf_addf(&sql, " AND %s.id %s $%zu", t->name, cmp, nid);
                }
        }
        strbuf_addf(&sql, " ORDER BY %s.%s %s", t->name, sk, dir);
        if (!streq(sk, "id"))
                strbuf_addf(&sql, ", %s.id %s", t->name, dir);
        if (q->limit > 0)
                strbuf_addf(&sql, " LIMIT %ld", q->limit);
        _cleanup_db_result_ struct db_result *res = NULL;
        r = db_exec(c, &res, e, sql.buf, p.n, p.v);
        if (r < 0)
                return r;
        *ret = rows_to_json(cols, n_cols, res);
        return 0;
}

int dbo_get_one(struct db_conn *c, const struct dbo_table *t, const struct dbo_query *q,
                json_t **ret, struct err *e)
{
        struct dbo_query q2 = *q;
        q2.limit = 2;
        q2.marker = NULL;
        q2.sort_key = NULL;
        json_auto_t *rows = NULL;
        int r = dbo_select(c, t, &q2, &rows, e);
        if (r < 0)
                return r;
        if (json_array_size(rows) == 0)
                return -ENOENT;
        if (json_array_size(rows) > 1)
                return -ENOTUNIQ;
        *ret = json_incref(json_array_get(rows, 0));
        return 0;
}

int dbo_count(struct db_conn *c, const struct dbo_table *t, const struct dbo_query *q, int64_t *ret,
              struct err *e)
{
        _cleanup_strbuf_ struct strbuf sql = STRBUF_INIT;
        _cleanup_(params_release) struct params p = {0};
        strbuf_addf(&sql, "SELECT count(*) FROM %s", t->name);
        int r = add_where(&sql, &p, t, q, e);
        if (r < 0)
                return r;
        _cleanup_db_result_ struct db_result *res = NULL;
        r = db_exec(c, &res, e, sql.buf, p.n, p.v);
        if (r < 0)
                return r;
        return db_get_int64(res, 0, 0, ret);
}

static int returning(struct db_conn *c, const struct dbo_table *t, struct strbuf *sql,
                     struct params *p, json_t **ret, struct err *e)
{
        _cleanup_db_result_ struct db_result *res = NULL;
        int r = db_exec(c, &res, e, sql->buf, p->n, p->v);
        if (r < 0)
                return r;
        if (r == 0)
                return -ENOENT;
        if (!ret)
                return 0;
        /* Re-read through the select list so computed columns are filled. */
        int64_t id;
        r = db_get_int64(res, 0, 0, &id);
        if (r < 0)
                return r;
        char idbuf[32];
        snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
        struct dbo_filter f = {"id", idbuf};
        struct dbo_query q = {.filters = &f, .n_filters = 1};
        return dbo_get_one(c, t, &q, ret, e);
}

int dbo_insert(struct db_conn *c, const struct dbo_table *t, const json_t *obj, json_t **ret,
               struct err *e)
{
        _cleanup_strbuf_ struct strbuf sql = STRBUF_INIT, vals = STRBUF_INIT;
        _cleanup_(params_release) struct params p = {0};
        strbuf_addf(&sql, "INSERT INTO %s (", t->name);
        bool first = true, has_created = false;
        for (size_t i = 0; i < t->n_cols; i++) {
                const struct dbo_column *col = &t->cols[i];
                json_t *v = json_object_get(obj, col->name);
                if (col->expr || !v || streq(col->name, "id"))
                        continue;
                if (streq(col->name, "created_at")) {
                        if (json_is_null(v))
                                continue;
                        has_created = true;
                }
                strbuf_addf(&sql, "%s%s", first ? "" : ", ", col->name);
                strbuf_addf(&vals, "%s$%zu", first ? "" : ", ",
                            param_add(&p, NULL, value_text(col->type, v)));
                first = false;
        }
        if (!has_created && dbo_column(t, "created_at")) {
                strbuf_addf(&sql, "%screated_at", first ? "" : ", ");
                strbuf_addf(&vals, "%s(now() at time zone 'utc')", first ? "" : ", ");
        }
        strbuf_addf(&sql, ") VALUES (%s) RETURNING id", vals.buf);
        return returning(c, t, &sql, &p, ret, e);
}

int dbo_update(struct db_conn *c, const struct dbo_table *t, int64_t id, const json_t *changes,
               json_t **ret, struct err *e)
{
        _cleanup_strbuf_ struct strbuf sql = STRBUF_INIT;
        _cleanup_(params_release) struct params p = {0};
        strbuf_addf(&sql, "UPDATE %s SET updated_at = (now() at time zone 'utc')", t->name);
        for (size_t i = 0; i < t->n_cols; i++) {
                const struct dbo_column *col = &t->cols[i];
                json_t *v = json_object_get(changes, col->name);
                if (col->expr || !v || streq(col->name, "id") || streq(col->name, "created_at") ||
                    streq(col->name, "updated_at"))
                        continue;
                strbuf_addf(&sql, ", %s = $%zu", col->name,
                            param_add(&p, NULL, value_text(col->type, v)));
        }
        char idbuf[32];
        snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
        strbuf_addf(&sql, " WHERE id = $%zu RETURNING id", param_add(&p, idbuf, NULL));
        return returning(c, t, &sql, &p, ret, e);
}

int dbo_delete(struct db_conn *c, const struct dbo_table *t, int64_t id, struct err *e)
{
        _cleanup_strbuf_ struct strbuf sql = STRBUF_INIT;
        char idbuf[32];
        snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
        strbuf_addf(&sql, "DELETE FROM %s WHERE id = $1", t->name);
        int r = db_exec(c, NULL, e, sql.buf, DB_PARAMS(idbuf));
        if (r < 0)
                return r;
        return r == 0 ? -ENOENT : 0;
}

int dbo_generations(struct db_conn *c, const struct dbo_gen_req *reqs, size_t n, int64_t *ret,
                    struct err *e)
{
        const char *project = "";
        for (size_t i = 0; i < n; i++) {
                const char *p = reqs[i].project ? reqs[i].project : "";
                if (*p && *project && !streq(p, project))
                        return err_set(e, -EINVAL, "generations of two projects in one read");
                if (*p)
                        project = p;
        }
        _cleanup_db_result_ struct db_result *res = NULL;
        int r = db_exec(c, &res, e,
                        "SELECT name, project_id, gen FROM api_generation WHERE project_id = '' "
                        "OR project_id = $1",
                        DB_PARAMS(project));
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const char *p = reqs[i].project ? reqs[i].project : "";
                size_t row = 0;
                while (row < db_result_rows(res) &&
                       !(streq(db_get_text(res, row, 0), reqs[i].name) &&
                         streq(db_get_text(res, row, 1), p)))
                        row++;
                if (row == db_result_rows(res)) {
                        if (*p) {
                                ret[i] = 0; /* nothing in that project changed yet */
                                continue;
                        }
                        return err_set(e, -ENOENT, "no change generation named %s", reqs[i].name);
                }
                r = db_get_int64(res, row, 2, &ret[i]);
                if (r < 0)
                        return err_set(e, r, "bad change generation for %s", reqs[i].name);
        }
        return 0;
}
