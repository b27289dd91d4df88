/*
 * /v1/clusters/{cluster}/nodegroups (microversion >= 1.9): list, show, create (cast),
 * patch of min/max_node_count (cast), delete (cast). Lookups are scoped by cluster and, for
 * non-admins, by project; the conductor persists every change.
 */
#include "common/common.h"

#include "api/jsonpatch.h"
#include "api/res.h"
#include "api/resources.h"
#include "common/ids.h"
#include "common/json_util.h"

static const char *const ng_internal[] = {
        "/created_at", "/id",         "/links",    "/updated_at",     "/uuid",
        "/project_id", "/user_id",    "/name",     "/cluster_id",     "/docker_volume_size",
        "/labels",     "/flavor_id",  "/image_id", "/node_addresses", "/node_count",
        "/role",       "/is_default", "/stack_id", "/status",         "/status_reason",
        "/version",    NULL};

static void ng_links(struct res_ctx *ctx, json_t *o, const char *cluster_uuid, const char *uuid)
{
        _cleanup_strbuf_ struct strbuf p = STRBUF_INIT;
        strbuf_addf(&p, "clusters/%s/nodegroups/%s", cluster_uuid, uuid ? uuid : "");
        res_add_links(ctx, o, p.buf);
}

static json_t *ng_render(struct res_ctx *ctx, const json_t *ng, const json_t *cluster,
                         bool list_view)
{
        json_t *o = schema_render(&schema_nodegroup, ng, list_view);
        if (list_view)
                return o;
        ng_links(ctx, o, json_get_str(cluster, "uuid"), json_get_str(ng, "uuid"));
        res_labels_diff(o, json_object_get(cluster, "labels"), json_object_get(ng, "labels"));
        return o;
}

/* The cluster of the URL, with the admin all-projects rule `all_rule` (NULL = none). */
static int ng_cluster(struct res_ctx *ctx, struct db_conn *c, const char *all_rule, json_t **ret)
{
        struct dbo_query q = {0};
        if (ctx->is_admin) {
                if (all_rule && res_enforce(ctx, all_rule, NULL))
                        return 1;
        } else {
                q.project_id = ctx->project_id ? ctx->project_id : "";
        }
        return cl_lookup(ctx, c, &q, httpd_req_param(ctx->req, "cluster"), 404, ret);
}

static int ng_find(struct res_ctx *ctx, struct db_conn *c, const char *cluster_uuid,
                   const char *ident, json_t **ret)
{
        struct dbo_filter f[3] = {{"cluster_id", cluster_uuid}};
        size_t n = 1;
        char norm[UUID_STR_LEN];
        long long id;
        if (uuid_normalize(ident, norm) == 0)
                f[n++] = (struct dbo_filter){"uuid", norm};
        else if (str_to_ll(ident, 1, 1LL << 40, &id) == 0)
                f[n++] = (struct dbo_filter){"id", ident};
        else
                f[n++] = (struct dbo_filter){"name", ident};
        struct dbo_query q = {
                .filters = f, .n_filters = n, .project_id = ctx->is_admin ? NULL : ctx->project_id};
        _cleanup_err_ struct err e = ERR_INIT;
        int r = dbo_get_one(c, &dbo_nodegroup, &q, ret, &e);
        if (r == -ENOENT)
                return res_fail(ctx, 404, "Nodegroup %s could not be found.", ident), 1;
        if (r == -ENOTUNIQ)
                return res_fail(ctx, 409,
                                "Multiple nodegroups exist with same name. Please use the "
                                "nodegroup uuid instead."),
                       1;
        if (r < 0)
                return res_fail_internal(ctx, r, &e), 1;
        return 0;
}

int ng_h_list(struct res_ctx *ctx)
{
        static const char *const args[] = {"marker", "limit", "sort_key", "sort_dir", "role", NULL};
        if (res_check_args(ctx, args))
                return 0;
        if (res_enforce(ctx, "nodegroup:get_all", NULL))
                return 0;
        if (res_cache_lookup(ctx, RCACHE_CLUSTERS))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *cluster = NULL;
        if (ng_cluster(ctx, c, "nodegroup:get_all_all_projects", &cluster))
                return 0;
        struct res_page pg;
        if (res_page_parse(ctx, &dbo_nodegroup, true, &pg))
                return 0;
        const char *cuuid = json_get_str(cluster, "uuid");
        struct dbo_filter f[2] = {{"cluster_id", cuuid}};
        size_t n = 1;
        const char *role = httpd_req_query(ctx->req, "role");
        if (role)
                f[n++] = (struct dbo_filter){"role", role};
        struct dbo_query q = {
                .filters = f, .n_filters = n, .project_id = ctx->is_admin ? NULL : ctx->project_id};
        json_auto_t *marker = NULL;
        if (pg.marker && ng_find(ctx, c, cuuid, pg.marker, &marker))
                return 0;
        q.sort_key = pg.sort_key;
        q.sort_desc = pg.desc;
        q.limit = pg.limit;
        q.marker = marker;
        _cleanup_err_ struct err e = ERR_INIT;
        json_auto_t *rows = NULL;
        int r = dbo_select(c, &dbo_nodegroup, &q, &rows, &e);
        if (r < 0)
                return res_fail_internal(ctx, r, &e);
        json_t *items = json_checked(json_array());
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
                json_array_append_new(items, ng_render(ctx, row, cluster, true));
        _cleanup_strbuf_ struct strbuf np = STRBUF_INIT;
        strbuf_addf(&np, "clusters/%s/nodegroups", cuuid);
        json_auto_t *out = res_collection(ctx, "nodegroups", items, &pg, np.buf, "uuid", NULL);
        return res_respond_cacheable(ctx, out);
}

int ng_h_get(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL))
                return 0;
        if (res_enforce(ctx, "nodegroup:get", NULL))
                return 0;
        if (res_cache_lookup(ctx, RCACHE_CLUSTERS))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *cluster = NULL, *ng = NULL;
        if (ng_cluster(ctx, c, "nodegroup:get_one_all_projects", &cluster) ||
            ng_find(ctx, c, json_get_str(cluster, "uuid"), httpd_req_param(ctx->req, "id"), &ng))
                return 0;
        json_auto_t *out = ng_render(ctx, ng, cluster, false);
        return res_respond_cacheable(ctx, out);
}

/* Magnum's _validate_node_count: 409 NodeGroupInvalidInput. */
static int check_counts(struct res_ctx *ctx, const json_t *ng)
{
        json_t *mxv = json_object_get(ng, "max_node_count");
        long long mn = json_integer_value(json_object_get(ng, "min_node_count"));
        long long nc = json_integer_value(json_object_get(ng, "node_count"));
        const char *name = json_get_str(ng, "name");
        if (json_is_integer(mxv) && json_integer_value(mxv) != 0) {
                long long mx = json_integer_value(mxv);
                if (mx < mn)
                        return res_fail(ctx, 409,
                                        "max_node_count for %s is invalid (min_node_count (%lld) "
                                        "should be less or equal to max_node_count (%lld)).",
                                        name ? name : "None", mn, mx),
                               1;
                if (nc > mx)
                        return res_fail(ctx, 409,
                                        "max_node_count for %s is invalid (node_count (%lld) "
                                        "should be less or equal to max_node_count (%lld)).",
                                        name ? name : "None", nc, mx),
                               1;
        }
        if (mn > nc)
                return res_fail(ctx, 409,
                                "min_node_count for %s is invalid (min_node_count (%lld) should "
                                "be less or equal to node_count (%lld)).",
                                name ? name : "None", mn, nc),
                       1;
        return 0;
}

int ng_h_create(struct res_ctx *ctx)
{
        json_auto_t *ng = NULL;
        if (res_parse_body(ctx, &schema_nodegroup, NULL, &ng))
                return 0;
        _cleanup_err_ struct err e = ERR_INIT;
        if (res_enforce(ctx, "nodegroup:create", NULL))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *cluster = NULL;
        if (ng_cluster(ctx, c, NULL, &cluster))
                return 0;
        const char *api = json_get_str(cluster, "api_address");
        if (!api || !*api)
                return res_fail(ctx, 409, "Cluster API address is not available yet");
        const char *cuuid = json_get_str(cluster, "uuid");
        const char *name = json_get_str(ng, "name");
        struct dbo_filter f[] = {{"cluster_id", cuuid}, {"name", name ? name : ""}};
        struct dbo_query q = {.filters = f, .n_filters = 2};
        int64_t dup = 0;
        int r = name ? dbo_count(c, &dbo_nodegroup, &q, &dup, &e) : 0;
        if (r < 0)
                return res_fail_internal(ctx, r, &e);
        if (dup)
                return res_fail(ctx, 409,
                                "A node group with name %s already exists in the cluster %s.", name,
                                json_get_str(cluster, "name"));
        if (check_counts(ctx, ng))
                return 0;
        const char *role = json_get_str(ng, "role");
        if (role && streq(role, "master"))
                return res_fail(ctx, 400, "Creating master nodegroups is currently not supported.");
        if (!json_get_str(ng, "image_id")) {
                struct dbo_filter cf = {"uuid", json_get_str(cluster, "cluster_template_id")};
                struct dbo_query cq = {.filters = &cf, .n_filters = 1};
                json_auto_t *ct = NULL;
                if (cf.value && dbo_get_one(c, &dbo_cluster_template, &cq, &ct, NULL) == 0)
                        json_object_set(ng, "image_id", json_object_get(ct, "image_id"));
        }
        if (!json_get_str(ng, "flavor_id"))
                json_object_set(ng, "flavor_id", json_object_get(cluster, "flavor_id"));
        json_t *labels = json_object_get(ng, "labels");
        json_t *cl_labels = json_object_get(cluster, "labels");
        if (!labels || json_is_null(labels)) {
                json_object_set_new(ng, "labels",
                                    json_is_object(cl_labels) ? json_deep_copy(cl_labels)
                                                              : json_object());
        } else if (json_is_true(json_object_get(ng, "merge_labels"))) {
                json_t *m = json_is_object(cl_labels) ? json_deep_copy(cl_labels) : json_object();
                json_object_update(m, labels);
                json_object_set_new(ng, "labels", m);
        }
        json_object_set_new(ng, "cluster_id", json_string(cuuid));
        json_object_set_new(ng, "project_id", json_string_or_null(ctx->project_id));
        char uuid[UUID_STR_LEN];
        uuid_generate_str(uuid);
        json_object_set_new(ng, "uuid", json_string(uuid));
        json_auto_t *data = json_deep_copy(ng);
        json_object_del(data, "merge_labels");
        json_auto_t *args = json_pack("{s:o,s:o}", "cluster", cl_ovo(cluster), "nodegroup",
                                      res_ovo("NodeGroup", "1.1", data));
        if (res_cast(ctx, "nodegroup_create", args))
                return 0;
        json_auto_t *out = ng_render(ctx, ng, cluster, false);
        return httpd_resp_json(ctx->req, 202, out);
}

int ng_h_patch(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL))
                return 0;
        json_auto_t *patch = NULL;
        if (res_body(ctx, &patch))
                return 0;
        if (!patch)
                return res_fail(ctx, 400, "Missing argument: \"patch\"");
        _cleanup_err_ struct err e = ERR_INIT;
        struct patch_rules pr = {ng_internal, NULL};
        if (jsonpatch_validate(patch, &pr, &e) < 0)
                return res_fail_err(ctx, 400, &e);
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *cluster = NULL, *ng = NULL;
        if (ng_cluster(ctx, c, NULL, &cluster))
                return 0;
        if (res_enforce(ctx, "nodegroup:update", NULL))
                return 0;
        if (ng_find(ctx, c, json_get_str(cluster, "uuid"), httpd_req_param(ctx->req, "id"), &ng))
                return 0;
        json_auto_t *patched = NULL;
        if (jsonpatch_apply(ng, patch, &patched, &e) < 0)
                return res_fail_err(ctx, 400, &e);
        static const char *const counts[] = {"min_node_count", "max_node_count"};
        for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
                const struct schema_field *f = schema_field(&schema_nodegroup, counts[i]);
                json_t *v = json_object_get(patched, counts[i]), *cv = NULL;
                if (!v)
                        v = json_null();
                if (schema_coerce(f, v, &cv, &e) < 0)
                        return res_fail_err(ctx, 400, &e);
                json_object_set_new(ng, counts[i], cv);
        }
        if (json_is_null(json_object_get(ng, "min_node_count")))
                json_object_set_new(ng, "min_node_count", json_integer(0));
        if (check_counts(ctx, ng))
                return 0;
        json_auto_t *args = json_pack("{s:o,s:o}", "cluster", cl_ovo(cluster), "nodegroup",
                                      res_ovo("NodeGroup", "1.1", ng));
        if (res_cast(ctx, "nodegroup_update", args))
                return 0;
        json_auto_t *out = ng_render(ctx, ng, cluster, false);
        return httpd_resp_json(ctx->req, 202, out);
}

int ng_h_delete(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL))
                return 0;
        if (res_enforce(ctx, "nodegroup:delete", NULL))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *cluster = NULL, *ng = NULL;
        if (ng_cluster(ctx, c, NULL, &cluster) ||
            ng_find(ctx, c, json_get_str(cluster, "uuid"), httpd_req_param(ctx->req, "id"), &ng))
                return 0;
        if (json_is_true(json_object_get(ng, "is_default")))
                return res_fail(ctx, 400, "Deleting a default nodegroup is not supported.");
        json_auto_t *args = json_pack("{s:o,s:o}", "cluster", cl_ovo(cluster), "nodegroup",
                                      res_ovo("NodeGroup", "1.1", ng));
        if (res_cast(ctx, "nodegroup_delete", args))
                return 0;
        return httpd_resp_empty(ctx->req, 204);
}
