/*
 * /v1/clustertemplates (and the legacy /v1/baymodels, which are the same objects under another
 * name and policy prefix): list, detail, show, create, patch, delete, with Magnum's
 * validation order, visibility (own project + public), publish rule and in-use rule.
 */
#include "common/common.h"

#include "api/jsonpatch.h"
#include "api/res.h"
#include "api/resources.h"
#include "api/validate.h"
#include "common/ids.h"
#include "common/json_util.h"

struct ct_kind {
        const struct schema *schema;
        const char *coll;   /* "clustertemplates" */
        const char *policy; /* "clustertemplate" */
};

static const struct ct_kind kind_ct = {&schema_cluster_template, "clustertemplates",
                                       "clustertemplate"};
static const struct ct_kind kind_bm = {&schema_baymodel, "baymodels", "baymodel"};

static const char *const ct_internal[] = {"/created_at", "/id",         "/links",   "/updated_at",
                                          "/uuid",       "/project_id", "/user_id", NULL};
static const char *const ct_nonremovable[] = {
        "/coe",    "/image_id",    "/network_driver",   "/external_network_id", "/tls_disabled",
        "/public", "/server_type", "/registry_enabled", "/cluster_distro",      "/hidden",
        NULL};
static const char *const bm_nonremovable[] = {
        "/coe",          "/image_id", "/keypair_id",  "/network_driver",   "/external_network_id",
        "/tls_disabled", "/public",   "/server_type", "/registry_enabled", "/cluster_distro",
        "/hidden",       NULL};

static const char *const list_args[] = {"marker", "limit", "sort_key", "sort_dir", NULL};

static void rule(char *buf, size_t n, const struct ct_kind *k, const char *action)
{
        snprintf(buf, n, "%s:%s", k->policy, action);
}

json_t *ct_render(struct res_ctx *ctx, const json_t *row, const char *coll)
{
        json_t *o = schema_render(&schema_cluster_template, row, false);
        _cleanup_strbuf_ struct strbuf p = STRBUF_INIT;
        strbuf_addf(&p, "%s/%s", coll, json_get_str(row, "uuid"));
        res_add_links(ctx, o, p.buf);
        return o;
}

/* Sets the scope every lookup of templates uses: admins (after the *_all_projects policy)
 * see everything; others their project plus public templates. 1 when a 403 was answered. */
static int ct_scope(struct res_ctx *ctx, const struct ct_kind *k, const char *all_rule,
                    struct dbo_query *q, enum dbo_visibility vis)
{
        *q = (struct dbo_query){0};
        if (k == &kind_bm) {
                /* The baymodel controller never switches admins to all projects: everyone is
                 * scoped to their project plus public templates (admins also list hidden
                 * public ones). */
                q->project_id = ctx->project_id ? ctx->project_id : "";
                q->visibility = (vis == DBO_VIS_PROJECT_OR_PUBLIC_SHOWN && ctx->is_admin)
                                        ? DBO_VIS_PROJECT_OR_PUBLIC
                                        : vis;
                return 0;
        }
        if (ctx->is_admin) {
                char r[96];
                rule(r, sizeof(r), k, all_rule);
                if (res_enforce(ctx, r, NULL))
                        return 1;
                return 0;
        }
        q->project_id = ctx->project_id ? ctx->project_id : "";
        q->visibility = vis;
        return 0;
}

int ct_lookup(struct res_ctx *ctx, struct db_conn *c, const struct dbo_query *scope,
              const char *ident, int notfound_status, json_t **ret)
{
        return res_lookup(ctx, c, &dbo_cluster_template, scope, ident, "ClusterTemplate",
                          notfound_status,
                          "Multiple ClusterTemplates exist with same name. Please use the "
                          "ClusterTemplate uuid instead.",
                          ret);
}

static int ct_list(struct res_ctx *ctx, const struct ct_kind *k, bool detail)
{
        if (res_check_args(ctx, list_args))
                return 0;
        char r[96];
        rule(r, sizeof(r), k, detail ? "detail" : "get_all");
        if (res_enforce(ctx, r, NULL))
                return 0;
        struct dbo_query q;
        if (ct_scope(ctx, k, detail ? "detail_all_projects" : "get_all_all_projects", &q,
                     DBO_VIS_PROJECT_OR_PUBLIC_SHOWN))
                return 0;
        if (res_cache_lookup(ctx, RCACHE_TEMPLATES))
                return 0;
        struct res_page pg;
        if (res_page_parse(ctx, &dbo_cluster_template, true, &pg))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *marker = NULL;
        if (pg.marker) {
                struct dbo_query mq = q;
                mq.visibility = DBO_VIS_PROJECT_OR_PUBLIC;
                if (ct_lookup(ctx, c, &mq, pg.marker, 404, &marker))
                        return 0;
        }
        q.sort_key = pg.sort_key;
        q.sort_desc = pg.desc;
        q.limit = pg.limit;
        q.marker = marker;
        _cleanup_err_ struct err e = ERR_INIT;
        json_auto_t *rows = NULL;
        int rr = dbo_select(c, &dbo_cluster_template, &q, &rows, &e);
        if (rr < 0)
                return res_fail_internal(ctx, rr, &e);
        json_t *items = json_checked(json_array());
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row) json_array_append_new(items, ct_render(ctx, row, k->coll));
        _cleanup_strbuf_ struct strbuf np = STRBUF_INIT;
        strbuf_addf(&np, "%s%s", k->coll, detail ? "/detail" : "");
        json_auto_t *out = res_collection(ctx, k->coll, items, &pg, np.buf, "uuid", NULL);
        return res_respond_cacheable(ctx, out);
}

static int ct_get(struct res_ctx *ctx, const struct ct_kind *k)
{
        const char *ident = httpd_req_param(ctx->req, "id");
        if (res_check_args(ctx, NULL))
                return 0;
        struct dbo_query q;
        if (ct_scope(ctx, k, "get_one_all_projects", &q, DBO_VIS_PROJECT_OR_PUBLIC))
                return 0;
        if (res_cache_lookup(ctx, RCACHE_TEMPLATES))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        if (ct_lookup(ctx, c, &q, ident, 404, &row))
                return 0;
        if (!json_is_true(json_object_get(row, "public"))) {
                char r[96];
                rule(r, sizeof(r), k, "get");
                if (res_enforce(ctx, r, row))
                        return 0;
        }
        json_auto_t *out = ct_render(ctx, row, k->coll);
        return res_respond_cacheable(ctx, out);
}

static int ct_create(struct res_ctx *ctx, const struct ct_kind *k)
{
        json_auto_t *ct = NULL;
        if (res_parse_body(ctx, k->schema, NULL, &ct))
                return 0;
        _cleanup_err_ struct err e = ERR_INIT;
        if (validate_ct_static(ctx, ct, false))
                return 0;
        char r[96];
        rule(r, sizeof(r), k, "create");
        if (res_enforce(ctx, r, NULL))
                return 0;
        if (validate_ct_os(ctx, ct, true))
                return 0;
        if (json_is_true(json_object_get(ct, "public")) ||
            json_is_true(json_object_get(ct, "hidden"))) {
                rule(r, sizeof(r), k, "publish");
                if (!res_allowed(ctx, r, NULL))
                        return res_fail(ctx, 403,
                                        "Not authorized to set public or hidden flag for cluster "
                                        "template.");
        }
        if (!json_get_str(ct, "name")) {
                _cleanup_free_ char *n = res_random_name("template");
                json_object_set_new(ct, "name", json_string(n));
        }
        const char *given = json_get_str(ct, "uuid");
        char uuid[UUID_STR_LEN];
        if (given)
                uuid_normalize(given, uuid);
        else
                uuid_generate_str(uuid);
        json_object_set_new(ct, "uuid", json_string(uuid));
        json_object_set_new(ct, "project_id", json_string_or_null(ctx->project_id));
        json_object_set_new(ct, "user_id", json_string_or_null(ctx->user_id));
        if (!json_is_object(json_object_get(ct, "labels")))
                json_object_set_new(ct, "labels", json_object());
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        int rr = dbo_insert(c, &dbo_cluster_template, ct, &row, &e);
        if (rr == -EEXIST)
                return res_fail(ctx, 409, "A ClusterTemplate with UUID %s already exists.", uuid);
        if (rr < 0)
                return res_fail_internal(ctx, rr, &e);
        log_info("event=clustertemplate_created uuid=%s", uuid);
        _cleanup_strbuf_ struct strbuf loc = STRBUF_INIT;
        strbuf_addf(&loc, "%s/v1/%s/%s", httpd_req_host_url(ctx->req), k->coll, uuid);
        httpd_resp_set_header(ctx->req, "Location", loc.buf);
        json_auto_t *out = ct_render(ctx, row, k->coll);
        return httpd_resp_json(ctx->req, 201, out);
}

static bool json_equal_nullsafe(const json_t *a, const json_t *b)
{
        if (!a || json_is_null(a))
                return !b || json_is_null(b);
        return b && json_equal(a, b);
}

static int ct_patch(struct res_ctx *ctx, const struct ct_kind *k)
{
        const char *ident = httpd_req_param(ctx->req, "id");
        if (res_check_args(ctx, NULL))
                return 0;
        json_auto_t *patch = NULL;
        if (res_body(ctx, &patch))
                return 0;
        _cleanup_err_ struct err e = ERR_INIT;
        struct patch_rules pr = {ct_internal, k == &kind_bm ? bm_nonremovable : ct_nonremovable};
        if (!patch)
                return res_fail(ctx, 400, "Missing argument: \"patch\"");
        if (jsonpatch_validate(patch, &pr, &e) < 0)
                return res_fail_err(ctx, 400, &e);
        struct dbo_query q;
        if (ct_scope(ctx, k, "update_all_projects", &q, DBO_VIS_PROJECT_OR_PUBLIC))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        if (ct_lookup(ctx, c, &q, ident, 404, &row))
                return 0;
        char r[96];
        rule(r, sizeof(r), k, "update");
        if (res_enforce(ctx, r, row))
                return 0;
        json_auto_t *patched = NULL;
        if (jsonpatch_apply(row, patch, &patched, &e) < 0)
                return res_fail_err(ctx, 400, &e);
        /* Rebuild the API object from the patched document (WSME re-validates each field). */
        json_auto_t *doc = json_checked(json_object());
        for (size_t i = 0; i < k->schema->n_fields; i++) {
                const struct schema_field *f = &k->schema->fields[i];
                json_t *v = json_object_get(patched, f->name);
                if (f->type == SF_LINKS || f->type == SF_TIME)
                        continue;
                if (!v) {
                        json_object_set_new(doc, f->name, json_null());
                        continue;
                }
                json_t *cv = NULL;
                if (schema_coerce(f, v, &cv, &e) < 0)
                        return res_fail_err(ctx, 400, &e);
                json_object_set_new(doc, f->name, cv);
        }
        if (validate_ct_static(ctx, doc, true) || validate_ct_os(ctx, doc, false))
                return 0;
        if (!json_equal_nullsafe(json_object_get(row, "public"), json_object_get(doc, "public")) ||
            !json_equal_nullsafe(json_object_get(row, "hidden"), json_object_get(doc, "hidden"))) {
                rule(r, sizeof(r), k, "publish");
                if (!res_allowed(ctx, r, NULL))
                        return res_fail(ctx, 403,
                                        "Not authorized to set public or hidden flag for cluster "
                                        "template.");
        }
        json_auto_t *changes = json_checked(json_object());
        const char *key;
        json_t *v;
        json_object_foreach(doc, key, v)
        {
                if (streq(key, "uuid") || streq(key, "project_id") || streq(key, "user_id"))
                        continue;
                if (!dbo_column(&dbo_cluster_template, key))
                        continue;
                if (!json_equal_nullsafe(json_object_get(row, key), v))
                        json_object_set(changes, key, v);
        }
        const char *uuid = json_get_str(row, "uuid");
        if (json_object_size(changes) > 0) {
                struct dbo_filter f = {"cluster_template_id", uuid};
                struct dbo_query cq = {.filters = &f, .n_filters = 1};
                int64_t refs = 0;
                int rr = dbo_count(c, &dbo_cluster, &cq, &refs, &e);
                if (rr < 0)
                        return res_fail_internal(ctx, rr, &e);
                if (refs > 0) {
                        bool publishing = json_object_size(changes) == 1 &&
                                          (json_is_true(json_object_get(changes, "public")) ||
                                           json_object_get(changes, "hidden") ||
                                           (json_object_get(changes, "tags") &&
                                            !json_is_null(json_object_get(changes, "tags"))) ||
                                           json_object_get(changes, "name"));
                        if (!publishing)
                                return res_fail(ctx, 400,
                                                "ClusterTemplate %s is referenced by one or "
                                                "multiple clusters.",
                                                uuid);
                }
        }
        json_auto_t *updated = NULL;
        int64_t id = json_integer_value(json_object_get(row, "id"));
        int rr = dbo_update(c, &dbo_cluster_template, id, changes, &updated, &e);
        if (rr == -ENOENT)
                return res_fail(ctx, 404, "ClusterTemplate %s could not be found.", ident);
        if (rr < 0)
                return res_fail_internal(ctx, rr, &e);
        json_auto_t *out = ct_render(ctx, updated, k->coll);
        return httpd_resp_json(ctx->req, 200, out);
}

static int ct_delete(struct res_ctx *ctx, const struct ct_kind *k)
{
        const char *ident = httpd_req_param(ctx->req, "id");
        if (res_check_args(ctx, NULL))
                return 0;
        struct dbo_query q;
        if (ct_scope(ctx, k, "delete_all_projects", &q, DBO_VIS_PROJECT_OR_PUBLIC))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        if (ct_lookup(ctx, c, &q, ident, 404, &row))
                return 0;
        char r[96];
        rule(r, sizeof(r), k, "delete");
        if (res_enforce(ctx, r, row))
                return 0;
        const char *uuid = json_get_str(row, "uuid");
        _cleanup_err_ struct err e = ERR_INIT;
        struct dbo_filter f = {"cluster_template_id", uuid};
        struct dbo_query cq = {.filters = &f, .n_filters = 1};
        int64_t refs = 0;
        int rr = dbo_count(c, &dbo_cluster, &cq, &refs, &e);
        if (rr < 0)
                return res_fail_internal(ctx, rr, &e);
        if (refs > 0)
                return res_fail(ctx, 400,
                                "ClusterTemplate %s is referenced by one or multiple clusters.",
                                uuid);
        rr = dbo_delete(c, &dbo_cluster_template, json_integer_value(json_object_get(row, "id")),
                        &e);
        if (rr < 0 && rr != -ENOENT)
                return res_fail_internal(ctx, rr, &e);
        return httpd_resp_empty(ctx->req, 204);
}

int ct_h_list(struct res_ctx *ctx)
{
        return ct_list(ctx, &kind_ct, false);
}
int ct_h_detail(struct res_ctx *ctx)
{
        return ct_list(ctx, &kind_ct, true);
}
int ct_h_get(struct res_ctx *ctx)
{
        return ct_get(ctx, &kind_ct);
}
int ct_h_create(struct res_ctx *ctx)
{
        return ct_create(ctx, &kind_ct);
}
int ct_h_patch(struct res_ctx *ctx)
{
        return ct_patch(ctx, &kind_ct);
}
int ct_h_delete(struct res_ctx *ctx)
{
        return ct_delete(ctx, &kind_ct);
}
int bm_h_list(struct res_ctx *ctx)
{
        return ct_list(ctx, &kind_bm, false);
}
int bm_h_detail(struct res_ctx *ctx)
{
        return ct_list(ctx, &kind_bm, true);
}
int bm_h_get(struct res_ctx *ctx)
{
        return ct_get(ctx, &kind_bm);
}
int bm_h_create(struct res_ctx *ctx)
{
        return ct_create(ctx, &kind_bm);
}
int bm_h_patch(struct res_ctx *ctx)
{
        return ct_patch(ctx, &kind_bm);
}
int bm_h_delete(struct res_ctx *ctx)
{
        return ct_delete(ctx, &kind_bm);
}
