/*
 * /v1/quotas: per-project hard limits on the `Cluster` resource, and /v1/stats (cluster and
 * node counts). Quota PATCH takes a plain Quota body, not a JSON patch (as magnumclient sends).
 */
#include "common/common.h"

#include "api/res.h"
#include "api/resources.h"
#include "common/httpclient.h"
#include "common/json_util.h"

static json_t *quota_render(const json_t *row)
{
        return schema_render(&schema_quota, row, false);
}

int quota_h_list(struct res_ctx *ctx)
{
        static const char *const args[] = {"marker",   "limit",       "sort_key",
                                           "sort_dir", "all_tenants", NULL};
        if (res_check_args(ctx, args))
                return 0;
        if (res_enforce(ctx, "quota:get_all", NULL))
                return 0;
        bool all = false;
        const char *at = httpd_req_query(ctx->req, "all_tenants");
        if (at && schema_parse_bool(at, &all) < 0)
                return res_fail(ctx, 400,
                                "Invalid input for field/attribute all_tenants. Value: '%s'. "
                                "unable to convert to BooleanType",
                                at);
        struct res_page pg;
        const char *m = httpd_req_query(ctx->req, "marker");
        long long mid = 0;
        if (m && str_to_ll(m, -(1LL << 40), 1LL << 40, &mid) < 0)
                return res_fail(ctx, 400,
                                "Invalid input for field/attribute marker. Value: '%s'. unable "
                                "to convert to int",
                                m);
        if (res_page_parse(ctx, &dbo_quota, false, &pg))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        _cleanup_err_ struct err e = ERR_INIT;
        struct dbo_filter f = {"project_id", ctx->project_id ? ctx->project_id : ""};
        struct dbo_query q = {0};
        if (!ctx->is_admin || !all) {
                q.filters = &f;
                q.n_filters = 1;
        }
        json_auto_t *marker = NULL;
        if (m) {
                _cleanup_free_ char *ids = res_itoa(mid);
                struct dbo_filter mf = {"id", ids};
                struct dbo_query mq = {.filters = &mf, .n_filters = 1};
                int r = dbo_get_one(c, &dbo_quota, &mq, &marker, &e);
                if (r == -ENOENT)
                        return res_fail(ctx, 404, "Quota could not be found: quota id %lld .", mid);
                if (r < 0)
                        return res_fail_internal(ctx, r, &e);
        }
        q.sort_key = pg.sort_key;
        q.sort_desc = pg.desc;
        q.limit = pg.limit;
        q.marker = marker;
        json_auto_t *rows = NULL;
        int r = dbo_select(c, &dbo_quota, &q, &rows, &e);
        if (r < 0)
                return res_fail_internal(ctx, r, &e);
        json_t *items = json_checked(json_array());
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row) json_array_append_new(items, quota_render(row));
        json_auto_t *out = res_collection(ctx, "quotas", items, &pg, "quotas", "id", NULL);
        return httpd_resp_json(ctx->req, 200, out);
}

static int quota_find(struct res_ctx *ctx, struct db_conn *c, const char *project,
                      const char *resource, json_t **ret, int *ret_r)
{
        _cleanup_err_ struct err e = ERR_INIT;
        struct dbo_filter f[] = {{"project_id", project}, {"resource", resource}};
        struct dbo_query q = {.filters = f, .n_filters = 2};
        int r = dbo_get_one(c, &dbo_quota, &q, ret, &e);
        *ret_r = r;
        if (r < 0 && r != -ENOENT)
                return res_fail_internal(ctx, r, &e), 1;
        return 0;
}

int quota_h_get(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL))
                return 0;
        if (res_enforce(ctx, "quota:get", NULL))
                return 0;
        const char *project = httpd_req_param(ctx->req, "project");
        const char *resource = httpd_req_param(ctx->req, "resource");
        if (!ctx->is_admin && (!ctx->project_id || !streq(project, ctx->project_id)))
                return res_fail(ctx, 403, "Not authorized.");
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        int r;
        if (quota_find(ctx, c, project, resource, &row, &r))
                return 0;
        json_auto_t *out = NULL;
        if (r == -ENOENT)
                out = json_pack("{s:s,s:i,s:s}", "project_id", project, "hard_limit",
                                ctx->app->conf.max_clusters_per_project, "resource", "Cluster");
        else
                out = quota_render(row);
        return httpd_resp_json(ctx->req, 200, out);
}

/* Asks Keystone whether the project exists (domain-admin lookup with the service token).
 * 1 when a 404 was answered; unknown (no Keystone) passes. */
static int check_project(struct res_ctx *ctx, const char *project)
{
        if (!ctx->app->ks)
                return 0;
        _cleanup_err_ struct err e = ERR_INIT;
        struct ks_token *tok = NULL;
        _cleanup_free_ char *url = NULL;
        if (ks_session_token(ctx->app->ks, &tok, &e) < 0 ||
            ks_catalog_url(tok, "identity", "public", NULL, &url) < 0) {
                ks_token_unref(tok);
                return 0;
        }
        _cleanup_strbuf_ struct strbuf u = STRBUF_INIT, h = STRBUF_INIT;
        strbuf_addstr(&u, url);
        while (u.len && u.buf[u.len - 1] == '/')
                strbuf_setlen(&u, u.len - 1);
        if (!str_ends_with(u.buf, "/v3"))
                strbuf_addstr(&u, "/v3");
        strbuf_addstr(&u, "/projects/");
        strbuf_add_urlencoded(&u, project);
        strbuf_addf(&h, "X-Auth-Token: %s", tok->id);
        ks_token_unref(tok);
        const char *hdrs[] = {h.buf, NULL};
        struct http_request rq = {
                .method = "GET", .url = u.buf, .headers = hdrs, .timeout_ms = 10000};
        struct http_response resp = HTTP_RESPONSE_INIT;
        int r = http_perform(&rq, &resp, &e);
        int status = resp.status;
        http_response_release(&resp);
        if (r == 0 && status == 404)
                return res_fail(ctx, 404, "The project_id %s could not be found.", project), 1;
        return 0;
}

int quota_h_create(struct res_ctx *ctx)
{
        json_auto_t *q = NULL;
        if (res_parse_body(ctx, &schema_quota, NULL, &q))
                return 0;
        _cleanup_err_ struct err e = ERR_INIT;
        const char *project = json_get_str(q, "project_id");
        if (project && check_project(ctx, project))
                return 0;
        if (res_enforce(ctx, "quota:create", NULL))
                return 0;
        if (!project || !*project)
                return res_fail(ctx, 400, "Must provide a valid project ID.");
        json_object_del(q, "id");
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        int r = dbo_insert(c, &dbo_quota, q, &row, &e);
        if (r == -EEXIST)
                return res_fail(ctx, 409, "Quota for project %s already exists for resource %s.",
                                project, json_get_str(q, "resource"));
        if (r < 0)
                return res_fail_internal(ctx, r, &e);
        json_auto_t *out = quota_render(row);
        return httpd_resp_json(ctx->req, 201, out);
}

int quota_h_update(struct res_ctx *ctx)
{
        json_auto_t *q = NULL;
        if (res_parse_body(ctx, &schema_quota, "quotapatch", &q))
                return 0;
        _cleanup_err_ struct err e = ERR_INIT;
        if (res_enforce(ctx, "quota:update", NULL))
                return 0;
        const char *project = httpd_req_param(ctx->req, "project");
        const char *resource = httpd_req_param(ctx->req, "resource");
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        int r;
        if (quota_find(ctx, c, project, resource, &row, &r))
                return 0;
        if (r == -ENOENT)
                return res_fail(ctx, 404, "Quota could not be found: project_id %s resource %s.",
                                project, resource);
        json_auto_t *changes = json_pack("{s:O}", "hard_limit", json_object_get(q, "hard_limit"));
        json_auto_t *updated = NULL;
        r = dbo_update(c, &dbo_quota, json_integer_value(json_object_get(row, "id")), changes,
                       &updated, &e);
        if (r < 0)
                return res_fail_internal(ctx, r, &e);
        json_auto_t *out = quota_render(updated);
        return httpd_resp_json(ctx->req, 202, out);
}

int quota_h_delete(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL))
                return 0;
        if (res_enforce(ctx, "quota:delete", NULL))
                return 0;
        const char *project = httpd_req_param(ctx->req, "project");
        const char *resource = httpd_req_param(ctx->req, "resource");
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        int r;
        if (quota_find(ctx, c, project, resource, &row, &r))
                return 0;
        if (r == -ENOENT)
                return res_fail(ctx, 404, "Quota could not be found: project_id %s resource %s.",
                                project, resource);
        _cleanup_err_ struct err e = ERR_INIT;
        r = dbo_delete(c, &dbo_quota, json_integer_value(json_object_get(row, "id")), &e);
        if (r < 0 && r != -ENOENT)
                return res_fail_internal(ctx, r, &e);
        return httpd_resp_empty(ctx->req, 204);
}

int stats_h_get(struct res_ctx *ctx)
{
        static const char *const args[] = {"project_id", "type", NULL};
        if (res_check_args(ctx, args))
                return 0;
        if (res_enforce(ctx, "stats:get_all", NULL))
                return 0;
        const char *type = httpd_req_query(ctx->req, "type");
        if (type && !strcaseeq(type, "cluster"))
                return res_fail(ctx, 400, "Invalid stats type. Allowed values are 'cluster'");
        const char *project = httpd_req_query(ctx->req, "project_id");
        if (!ctx->is_admin) {
                if (!project)
                        project = ctx->project_id;
                if (!project || !ctx->project_id || !streq(project, ctx->project_id))
                        return res_fail(ctx, 403, "Not authorized.");
        }
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        _cleanup_err_ struct err e = ERR_INIT;
        struct dbo_query q = {.project_id = project};
        int64_t clusters = 0, nodes = 0;
        int r = dbo_count(c, &dbo_cluster, &q, &clusters, &e);
        if (r < 0)
                return res_fail_internal(ctx, r, &e);
        _cleanup_db_result_ struct db_result *res = NULL;
        /* Magnum sums the nodegroups' own project_id column, masters included */
        if (project)
                r = db_exec(
                        c, &res, &e,
                        "SELECT COALESCE(SUM(node_count), 0) FROM nodegroup WHERE project_id = $1",
                        DB_PARAMS(project));
        else
                r = db_exec(c, &res, &e, "SELECT COALESCE(SUM(node_count), 0) FROM nodegroup", 0,
                            NULL);
        if (r < 0 || db_get_int64(res, 0, 0, &nodes) < 0)
                return res_fail_internal(ctx, r < 0 ? r : -EIO, &e);
        json_auto_t *out = json_pack("{s:I,s:I}", "clusters", (json_int_t)clusters, "nodes",
                                     (json_int_t)nodes);
        return httpd_resp_json(ctx->req, 200, out);
}
