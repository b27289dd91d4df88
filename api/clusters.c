/*
 * /v1/clusters: list, detail, show, create (cast), patch (cast), delete (cast), resize (cast)
 * and upgrade (call), with Magnum's version-dependent behaviour (1.1-1.10), quota and
 * tenancy rules. Cluster rows are written by the conductor; the API only reads them.
 */
#include "common/common.h"

#include "api/jsonpatch.h"
#include "api/res.h"
#include "api/resources.h"
#include "api/validate.h"
#include "common/ids.h"
#include "common/json_util.h"

static const char *const list_args[] = {"marker", "limit", "sort_key", "sort_dir", NULL};

static const char *const cl_internal[] = {"/created_at",
                                          "/id",
                                          "/links",
                                          "/updated_at",
                                          "/uuid",
                                          "/project_id",
                                          "/user_id",
                                          "/api_address",
                                          "/node_addresses",
                                          "/master_addresses",
                                          "/stack_id",
                                          "/ca_cert_ref",
                                          "/magnum_cert_ref",
                                          "/trust_id",
                                          "/trustee_user_name",
                                          "/trustee_password",
                                          "/trustee_user_id",
                                          "/etcd_ca_cert_ref",
                                          "/front_proxy_ca_cert_ref",
                                          NULL};
static const char *const cl_nonremovable[] = {"/cluster_template_id", NULL};

static const char *const failed_statuses[] = {"CREATE_FAILED",   "UPDATE_FAILED", "DELETE_FAILED",
                                              "ROLLBACK_FAILED", "RESUME_FAILED", NULL};

int cl_scope(struct res_ctx *ctx, const char *all_rule, struct dbo_query *q)
{
        *q = (struct dbo_query){0};
        if (ctx->is_admin) {
                _cleanup_strbuf_ struct strbuf r = STRBUF_INIT;
                strbuf_addf(&r, "cluster:%s", all_rule);
                return res_enforce(ctx, r.buf, NULL);
        }
        q->project_id = ctx->project_id ? ctx->project_id : "";
        return 0;
}

int cl_lookup(struct res_ctx *ctx, struct db_conn *c, const struct dbo_query *scope,
              const char *ident, int notfound_status, json_t **ret)
{
        return res_lookup(ctx, c, &dbo_cluster, scope, ident, "Cluster", notfound_status,
                          "Multiple clusters exist with same name. Please use the cluster uuid "
                          "instead.",
                          ret);
}

/* The cluster `ident` names (NULL: the URL's {id}) within the caller's scope (admins after the
 * cluster:<all_rule> policy), allowed by policy `rule` on that row: 0 with the request's
 * connection and the row (new reference), 1 when an error was answered. */
static int cl_fetch(struct res_ctx *ctx, const char *all_rule, const char *ident, const char *rule,
                    struct db_conn **ret_c, json_t **ret_row)
{
        struct dbo_query q;
        if (cl_scope(ctx, all_rule, &q))
                return 1;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 1;
        json_auto_t *row = NULL;
        if (cl_lookup(ctx, c, &q, ident ? ident : httpd_req_param(ctx->req, "id"), 404, &row) ||
            res_enforce(ctx, rule, row))
                return 1;
        *ret_c = c;
        *ret_row = TAKE_PTR(row);
        return 0;
}

/* Fields of the Cluster versioned object (what travels to the conductor). */
static const char *const ovo_fields[] = {"id",
                                         "uuid",
                                         "name",
                                         "project_id",
                                         "user_id",
                                         "cluster_template_id",
                                         "keypair",
                                         "docker_volume_size",
                                         "labels",
                                         "master_flavor_id",
                                         "flavor_id",
                                         "stack_id",
                                         "status",
                                         "status_reason",
                                         "health_status",
                                         "health_status_reason",
                                         "create_timeout",
                                         "api_address",
                                         "discovery_url",
                                         "ca_cert_ref",
                                         "magnum_cert_ref",
                                         "etcd_ca_cert_ref",
                                         "front_proxy_ca_cert_ref",
                                         "trust_id",
                                         "trustee_username",
                                         "trustee_user_id",
                                         "trustee_password",
                                         "coe_version",
                                         "container_version",
                                         "fixed_network",
                                         "fixed_subnet",
                                         "floating_ip_enabled",
                                         "master_lb_enabled",
                                         "created_at",
                                         "updated_at",
                                         NULL};

json_t *cl_ovo(const json_t *row)
{
        json_auto_t *data = json_checked(json_object());
        for (size_t i = 0; ovo_fields[i]; i++) {
                json_t *v = json_object_get(row, ovo_fields[i]);
                if (v)
                        json_object_set(data, ovo_fields[i], v);
        }
        return res_ovo("Cluster", "1.23", data);
}

/* Labels of the template a cluster was built from ({} when gone). Cached per request in
 * `cache` (uuid → labels). */
static json_t *template_labels(struct db_conn *c, json_t *cache, const char *ct_uuid)
{
        if (!ct_uuid)
                return NULL;
        json_t *hit = json_object_get(cache, ct_uuid);
        if (hit)
                return hit;
        struct dbo_filter f = {"uuid", ct_uuid};
        struct dbo_query q = {.filters = &f, .n_filters = 1};
        json_auto_t *row = NULL;
        json_t *labels = NULL;
        if (dbo_get_one(c, &dbo_cluster_template, &q, &row, NULL) == 0)
                labels = json_object_get(row, "labels");
        json_object_set(cache, ct_uuid, json_is_object(labels) ? labels : json_object());
        return json_object_get(cache, ct_uuid);
}

static json_t *cl_render(struct res_ctx *ctx, struct db_conn *c, json_t *ct_cache,
                         const json_t *row, bool list_view)
{
        json_t *o = schema_render(&schema_cluster, row, list_view);
        if (!list_view) {
                json_t *parent =
                        template_labels(c, ct_cache, json_get_str(row, "cluster_template_id"));
                res_labels_diff(o, parent, json_object_get(row, "labels"));
        }
        _cleanup_strbuf_ struct strbuf p = STRBUF_INIT;
        strbuf_addf(&p, "clusters/%s", json_get_str(row, "uuid"));
        res_add_links(ctx, o, p.buf);
        return o;
}

int cl_select_page(struct res_ctx *ctx, struct dbo_query *q, bool detail,
                   const char *const *list_columns, struct res_page *pg, struct db_conn **ret_c,
                   json_t **ret_rows)
{
        if (res_page_parse(ctx, &dbo_cluster, true, pg))
                return 1;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 1;
        json_auto_t *marker = NULL;
        if (pg->marker && cl_lookup(ctx, c, q, pg->marker, 404, &marker))
                return 1;
        q->sort_key = pg->sort_key;
        q->sort_desc = pg->desc;
        q->limit = pg->limit;
        q->marker = marker;
        q->skip_heavy = !detail;
        q->columns = detail ? NULL : list_columns;
        _cleanup_err_ struct err e = ERR_INIT;
        int r = dbo_select(c, &dbo_cluster, q, ret_rows, &e);
        q->marker = NULL; /* released here */
        q->columns = NULL;
        if (r < 0) {
                res_fail_internal(ctx, r, &e);
                return 1;
        }
        *ret_c = c;
        return 0;
}

static int cl_list(struct res_ctx *ctx, bool detail)
{
        if (res_check_args(ctx, list_args))
                return 0;
        if (res_enforce(ctx, detail ? "cluster:detail" : "cluster:get_all", NULL))
                return 0;
        struct dbo_query q;
        if (cl_scope(ctx, detail ? "detail_all_projects" : "get_all_all_projects", &q))
                return 0;
        /* the detail view shows label differences against each cluster's template */
        if (res_cache_lookup(ctx, detail ? RCACHE_CLUSTERS | RCACHE_TEMPLATES : RCACHE_CLUSTERS))
                return 0;
        struct res_page pg;
        struct db_conn *c;
        json_auto_t *rows = NULL;
        const char *cols[40];
        if (cl_select_page(ctx, &q, detail,
                           schema_listview_columns(&schema_cluster, cols, ARRAY_SIZE(cols)), &pg,
                           &c, &rows))
                return 0;
        json_auto_t *cache = json_checked(json_object());
        json_t *items = json_checked(json_array());
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
        {
                json_array_append_new(items, cl_render(ctx, c, cache, row, !detail));
        }
        json_auto_t *out = res_collection(ctx, "clusters", items, &pg,
                                          detail ? "clusters/detail" : "clusters", "uuid", NULL);
        return res_respond_cacheable(ctx, out);
}

int cl_h_list(struct res_ctx *ctx)
{
        return cl_list(ctx, false);
}

int cl_h_detail(struct res_ctx *ctx)
{
        return cl_list(ctx, true);
}

int cl_h_get(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL))
                return 0;
        struct dbo_query q;
        if (cl_scope(ctx, "get_one_all_projects", &q))
                return 0;
        if (res_cache_lookup(ctx, RCACHE_CLUSTERS | RCACHE_TEMPLATES))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        if (cl_lookup(ctx, c, &q, httpd_req_param(ctx->req, "id"), 404, &row))
                return 0;
        if (res_enforce(ctx, "cluster:get", row))
                return 0;
        json_auto_t *cache = json_checked(json_object());
        json_auto_t *out = cl_render(ctx, c, cache, row, false);
        const char *status = json_get_str(row, "status");
        bool failed = false;
        for (size_t i = 0; status && failed_statuses[i]; i++)
                failed = failed || streq(status, failed_statuses[i]);
        if (failed) {
                struct dbo_filter f = {"cluster_id", json_get_str(row, "uuid")};
                struct dbo_query nq = {.filters = &f, .n_filters = 1};
                json_auto_t *ngs = NULL;
                json_t *faults = json_checked(json_object());
                if (dbo_select(c, &dbo_nodegroup, &nq, &ngs, NULL) == 0) {
                        size_t i;
                        json_t *ng;
                        json_array_foreach(ngs, i, ng)
                        {
                                const char *s = json_get_str(ng, "status");
                                if (s && str_ends_with(s, "FAILED"))
                                        json_object_set(faults, json_get_str(ng, "name"),
                                                        json_object_get(ng, "status_reason"));
                        }
                }
                json_object_set_new(out, "faults", faults);
        }
        return res_respond_cacheable(ctx, out);
}

/* Quota: explicit row for (project, Cluster) else the configured default; 403 when the
 * project already has that many clusters. */
static int check_quota(struct res_ctx *ctx, struct db_conn *c)
{
        _cleanup_err_ struct err e = ERR_INIT;
        const char *project = ctx->project_id ? ctx->project_id : "";
        struct dbo_filter qf[] = {{"project_id", project}, {"resource", "Cluster"}};
        struct dbo_query qq = {.filters = qf, .n_filters = 2};
        json_auto_t *quota = NULL;
        long long limit = ctx->app->conf.max_clusters_per_project;
        int r = dbo_get_one(c, &dbo_quota, &qq, &quota, &e);
        if (r == 0)
                limit = json_integer_value(json_object_get(quota, "hard_limit"));
        else if (r != -ENOENT)
                return res_fail_internal(ctx, r, &e), 1;
        struct dbo_query cq = {.project_id = project};
        int64_t n = 0;
        r = dbo_count(c, &dbo_cluster, &cq, &n, &e);
        if (r < 0)
                return res_fail_internal(ctx, r, &e), 1;
        if (n >= limit)
                return res_fail(ctx, 403,
                                "Resource limit exceeded: You have reached the maximum clusters "
                                "per project, %lld. You may delete a cluster to make room for a "
                                "new one.",
                                limit),
                       1;
        return 0;
}

static bool falsy(const json_t *v)
{
        return !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
               (json_is_integer(v) && json_integer_value(v) == 0) || json_is_false(v) ||
               (json_is_object(v) && json_object_size(v) == 0);
}

/* The devicemapper rule on (template, cluster). */
static int check_volume_size(struct res_ctx *ctx, const json_t *ct, const json_t *cl)
{
        const char *sd = json_get_str(ct, "docker_storage_driver");
        if (!sd || !streq(sd, "devicemapper"))
                return 0;
        json_t *v = json_object_get(cl, "docker_volume_size");
        if (falsy(v))
                v = json_object_get(ct, "docker_volume_size");
        if (json_is_integer(v) && json_integer_value(v) >= 3)
                return 0;
        if (json_is_integer(v))
                res_fail(ctx, 400,
                         "docker volume size %" JSON_INTEGER_FORMAT
                         " GB is not valid, expecting minimum value 3GB for devicemapper storage "
                         "driver.",
                         json_integer_value(v));
        else
                res_fail(ctx, 400,
                         "docker volume size None GB is not valid, expecting minimum value 3GB "
                         "for devicemapper storage driver.");
        return 1;
}

/* Shared by clusters and bays: the create flow of spec §2.2 on a parsed cluster body `cl`
 * (cluster field names). Fills *ret_uuid; answers errors (returns 1). `sync` = bay 1.1. */
int cl_create_flow(struct res_ctx *ctx, json_t *cl, int ct_notfound_status, bool bay,
                   char *ret_uuid)
{
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 1;
        struct dbo_query ctq = {.project_id = ctx->project_id ? ctx->project_id : "",
                                .visibility = DBO_VIS_PROJECT_OR_PUBLIC};
        json_auto_t *ct = NULL;
        if (ct_lookup(ctx, c, &ctq, json_get_str(cl, "cluster_template_id"), ct_notfound_status,
                      &ct))
                return 1;
        const char *st = json_get_str(ct, "server_type");
        if (!validate_driver_exists(ctx, st ? st : "vm", json_get_str(ct, "cluster_distro"),
                                    json_get_str(ct, "coe"))) {
                const char *d = json_get_str(ct, "cluster_distro");
                res_fail(ctx, 400, "Cluster type (%s, %s, %s) not supported.", st ? st : "vm",
                         d ? d : "None", json_get_str(ct, "coe"));
                return 1;
        }
        if (check_volume_size(ctx, ct, cl))
                return 1;
        if (ctx->minor < 10 && json_is_integer(json_object_get(cl, "node_count")) &&
            json_integer_value(json_object_get(cl, "node_count")) == 0) {
                res_fail(ctx, 400,
                         "Resizing a nodegroup to zero is not supported in the provided "
                         "microversion.");
                return 1;
        }
        if (res_enforce(ctx, bay ? "bay:create" : "cluster:create", NULL))
                return 1;
        if (!bay && check_quota(ctx, c))
                return 1;
        json_object_set(cl, "cluster_template_id", json_object_get(ct, "uuid"));
        if (bay || json_is_null(json_object_get(cl, "keypair")) || !json_object_get(cl, "keypair"))
                json_object_set(cl, "keypair", json_object_get(ct, "keypair_id"));
        json_t *labels = json_object_get(cl, "labels");
        json_t *ct_labels = json_object_get(ct, "labels");
        if (falsy(labels)) {
                json_object_set_new(cl, "labels",
                                    json_is_object(ct_labels) ? json_deep_copy(ct_labels)
                                                              : json_object());
        } else if (json_is_true(json_object_get(cl, "merge_labels"))) {
                json_t *merged =
                        json_is_object(ct_labels) ? json_deep_copy(ct_labels) : json_object();
                json_object_update(merged, labels);
                json_object_set_new(cl, "labels", merged);
        }
        static const char *const inherit_bool[] = {"floating_ip_enabled", "master_lb_enabled"};
        for (size_t i = 0; i < ARRAY_SIZE(inherit_bool); i++) {
                json_t *v = json_object_get(cl, inherit_bool[i]);
                if (!v || json_is_null(v))
                        json_object_set(cl, inherit_bool[i], json_object_get(ct, inherit_bool[i]));
        }
        static const char *const inherit[] = {"docker_volume_size", "master_flavor_id", "flavor_id",
                                              "fixed_network", "fixed_subnet"};
        for (size_t i = 0; i < ARRAY_SIZE(inherit); i++)
                if (falsy(json_object_get(cl, inherit[i])))
                        json_object_set(cl, inherit[i], json_object_get(ct, inherit[i]));
        /* OS resources: the cluster's value wins over the template's. */
        const char *flavor = json_get_str(cl, "flavor_id");
        const char *mflavor = json_get_str(cl, "master_flavor_id");
        _cleanup_free_ char *distro = NULL;
        const char *image = json_get_str(ct, "image_id");
        if ((image && os_check_image(ctx, image, &distro)) || os_check_flavor(ctx, flavor) ||
            os_check_flavor(ctx, mflavor) ||
            os_check_external_network(ctx, json_get_str(ct, "external_network_id")) ||
            validate_labels(ctx, json_object_get(cl, "labels")) ||
            os_check_keypair(ctx, json_get_str(cl, "keypair")))
                return 1;
        json_int_t mc = json_integer_value(json_object_get(cl, "master_count"));
        if (mc > 1 && !json_is_true(json_object_get(cl, "master_lb_enabled"))) {
                res_fail(ctx, 400, "master_count must be 1 when master_lb_enabled is False");
                return 1;
        }
        if (!json_get_str(cl, "name")) {
                _cleanup_free_ char *n = res_random_name("cluster");
                json_object_set_new(cl, "name", json_string(n));
        }
        json_object_set_new(cl, "project_id", json_string_or_null(ctx->project_id));
        json_object_set_new(cl, "user_id", json_string_or_null(ctx->user_id));
        json_object_set_new(cl, "coe_version", json_null());
        json_object_set_new(cl, "container_version", json_null());
        uuid_generate_str(ret_uuid);
        json_object_set_new(cl, "uuid", json_string(ret_uuid));
        json_int_t nc = json_integer_value(json_object_get(cl, "node_count"));
        json_t *timeout = json_object_get(cl, "create_timeout");
        json_auto_t *data = json_deep_copy(cl);
        json_object_del(data, "node_count");
        json_object_del(data, "master_count");
        json_object_del(data, "merge_labels");
        json_auto_t *args =
                json_pack("{s:o,s:I,s:I,s:O}", "cluster", res_ovo("Cluster", "1.23", data),
                          "master_count", (json_int_t)mc, "node_count", (json_int_t)nc,
                          "create_timeout", timeout ? timeout : json_null());
        if (bay && ctx->minor < 2) {
                json_auto_t *result = NULL;
                if (res_call(ctx, "cluster_create", args, &result))
                        return 1;
        } else if (res_cast(ctx, "cluster_create", args)) {
                return 1;
        }
        log_info("event=cluster_create uuid=%s", ret_uuid);
        return 0;
}

int cl_h_create(struct res_ctx *ctx)
{
        json_auto_t *cl = NULL;
        if (res_parse_body(ctx, &schema_cluster, NULL, &cl))
                return 0;
        _cleanup_err_ struct err e = ERR_INIT;
        if (validate_cluster_name(ctx, json_object_get(cl, "name")))
                return 0;
        /* The client's uuid is ignored; the 1.1-1.9 handler turns a missing template into 400. */
        char uuid[UUID_STR_LEN];
        if (cl_create_flow(ctx, cl, ctx->minor >= 10 ? 404 : 400, false, uuid))
                return 0;
        json_auto_t *out = json_pack("{s:s}", "uuid", uuid);
        return httpd_resp_json(ctx->req, 202, out);
}

int cl_h_patch(struct res_ctx *ctx)
{
        const char *ident = httpd_req_param(ctx->req, "id");
        static const char *const args13[] = {"rollback", NULL};
        if (res_check_args(ctx, ctx->minor >= 3 ? args13 : NULL))
                return 0;
        bool rollback = false;
        const char *rb = httpd_req_query(ctx->req, "rollback");
        if (rb && schema_parse_bool(rb, &rollback) < 0)
                return res_fail(ctx, 400,
                                "Invalid input for field/attribute rollback. Value: '%s'. "
                                "Invalid boolean value",
                                rb);
        json_auto_t *patch = NULL;
        if (res_body(ctx, &patch))
                return 0;
        if (!patch)
                return res_fail(ctx, 400, "Missing argument: \"patch\"");
        _cleanup_err_ struct err e = ERR_INIT;
        struct patch_rules pr = {cl_internal, cl_nonremovable};
        if (jsonpatch_validate(patch, &pr, &e) < 0)
                return res_fail_err(ctx, 400, &e);
        struct db_conn *c;
        json_auto_t *row = NULL;
        if (cl_fetch(ctx, "update_all_projects", ident, "cluster:update", &c, &row) ||
            res_enforce(ctx, "cluster:update_health_status", NULL))
                return 0;
        /* The document the patch applies to: the API-visible cluster. */
        json_auto_t *doc = schema_render(&schema_cluster, row, false);
        json_auto_t *patched = NULL;
        if (jsonpatch_apply(doc, patch, &patched, &e) < 0)
                return res_fail_err(ctx, 400, &e);
        _cleanup_strbuf_ struct strbuf delta = STRBUF_INIT;
        for (size_t i = 0; i < schema_cluster.n_fields; i++) {
                const struct schema_field *f = &schema_cluster.fields[i];
                if (f->type == SF_LINKS)
                        continue;
                json_t *nv = json_object_get(patched, f->name);
                json_t *cv = NULL;
                if (nv && schema_coerce(f, nv, &cv, &e) < 0)
                        return res_fail_err(ctx, 400, &e);
                if (cv)
                        json_object_set_new(patched, f->name, cv);
                json_t *ov = json_object_get(doc, f->name);
                bool same = (!ov || json_is_null(ov)) ? (!cv || json_is_null(cv))
                                                      : (cv && json_equal(ov, cv));
                if (!same && !streq(f->name, "node_count") && !streq(f->name, "health_status") &&
                    !streq(f->name, "health_status_reason"))
                        strbuf_addf(&delta, "%s%s", delta.len ? ", " : "", f->name);
        }
        if (delta.len)
                return res_fail(ctx, 400, "cannot change cluster property(ies) %s.", delta.buf);
        /* node_count for the conductor: the default worker's count unless the patch sets it. */
        json_int_t node_count = json_integer_value(json_object_get(row, "node_count"));
        struct dbo_filter nf[] = {{"cluster_id", json_get_str(row, "uuid")}, {"role", "worker"}};
        struct dbo_query nq = {.filters = nf, .n_filters = 2};
        json_auto_t *ngs = NULL;
        if (dbo_select(c, &dbo_nodegroup, &nq, &ngs, NULL) == 0) {
                size_t i;
                json_t *ng;
                json_array_foreach(ngs, i, ng)
                {
                        if (json_is_true(json_object_get(ng, "is_default")))
                                node_count = json_integer_value(json_object_get(ng, "node_count"));
                }
        }
        size_t i;
        json_t *op;
        json_array_foreach(patch, i, op)
        {
                if (streq(json_get_str(op, "path"), "/node_count")) {
                        json_t *v = json_object_get(patched, "node_count");
                        node_count = json_integer_value(v);
                }
        }
        if (ctx->minor < 10 && node_count == 0)
                return res_fail(ctx, 400,
                                "Resizing a nodegroup to zero is not supported in the provided "
                                "microversion.");
        json_auto_t *args = json_pack("{s:o,s:I,s:O,s:O,s:b}", "cluster", cl_ovo(row), "node_count",
                                      node_count, "health_status",
                                      json_object_get(patched, "health_status")
                                              ? json_object_get(patched, "health_status")
                                              : json_null(),
                                      "health_status_reason",
                                      json_object_get(patched, "health_status_reason")
                                              ? json_object_get(patched, "health_status_reason")
                                              : json_null(),
                                      "rollback", rollback);
        if (res_cast(ctx, "cluster_update", args))
                return 0;
        json_auto_t *out = json_pack("{s:s}", "uuid", json_get_str(row, "uuid"));
        return httpd_resp_json(ctx->req, 202, out);
}

int cl_h_delete(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL))
                return 0;
        struct db_conn *c;
        json_auto_t *row = NULL;
        if (cl_fetch(ctx, "delete_all_projects", NULL, "cluster:delete", &c, &row))
                return 0;
        json_auto_t *args = json_pack("{s:s}", "uuid", json_get_str(row, "uuid"));
        if (res_cast(ctx, "cluster_delete", args))
                return 0;
        return httpd_resp_empty(ctx->req, 204);
}

/* The nodegroup `ident` (uuid / id / name) of cluster `cluster_uuid`, or its default worker
 * when ident is NULL. Answers 404 → 1. */
static int find_ng(struct res_ctx *ctx, struct db_conn *c, const char *cluster_uuid,
                   const char *ident, json_t **ret)
{
        struct dbo_filter f[3] = {{"cluster_id", cluster_uuid}};
        size_t n = 1;
        char norm[UUID_STR_LEN];
        long long id;
        if (!ident) {
                f[n++] = (struct dbo_filter){"role", "worker"};
                f[n++] = (struct dbo_filter){"is_default", "true"};
        } else if (uuid_normalize(ident, norm) == 0) {
                f[n++] = (struct dbo_filter){"uuid", norm};
        } else if (str_to_ll(ident, 1, 1LL << 40, &id) == 0) {
                f[n++] = (struct dbo_filter){"id", ident};
        } else {
                f[n++] = (struct dbo_filter){"name", ident};
        }
        struct dbo_query q = {.filters = f, .n_filters = n};
        _cleanup_err_ struct err e = ERR_INIT;
        int r = dbo_get_one(c, &dbo_nodegroup, &q, ret, &e);
        if (r == -ENOENT || r == -ENOTUNIQ) {
                res_fail(ctx, r == -ENOENT ? 404 : 409,
                         r == -ENOENT ? "Nodegroup %s could not be found."
                                      : "Multiple nodegroups exist with same name. Please use "
                                        "the nodegroup uuid instead.",
                         ident ? ident : "default-worker");
                return 1;
        }
        if (r < 0)
                return res_fail_internal(ctx, r, &e), 1;
        return 0;
}

int cl_h_resize(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL))
                return 0;
        json_auto_t *body = NULL;
        if (res_body(ctx, &body))
                return 0;
        if (!json_is_object(body))
                return res_fail(ctx, 400, "Missing argument: \"cluster_resize_req\"");
        const char *k;
        json_t *v;
        json_object_foreach(body, k, v)
        {
                if (!streq(k, "node_count") && !streq(k, "nodes_to_remove") &&
                    !streq(k, "nodegroup"))
                        return res_fail(ctx, 400,
                                        "Unknown attribute for argument cluster_resize_req: %s", k);
        }
        static const struct schema_field nc_f = {"node_count", SF_INT, 0, 0,    -1,
                                                 NULL,         NULL,   0, false};
        json_t *ncv = json_object_get(body, "node_count");
        if (!ncv || json_is_null(ncv))
                return res_fail(ctx, 400,
                                "Invalid input for field/attribute node_count. Value: 'None'. "
                                "Mandatory field missing.");
        _cleanup_err_ struct err e = ERR_INIT;
        json_auto_t *nc = NULL;
        if (schema_coerce(&nc_f, ncv, &nc, &e) < 0)
                return res_fail_err(ctx, 400, &e);
        json_t *rm = json_object_get(body, "nodes_to_remove");
        if (rm && !json_is_null(rm) && !json_is_array(rm))
                return res_fail(ctx, 400,
                                "Invalid input for field/attribute nodes_to_remove. Value not a "
                                "valid list");
        json_int_t node_count = json_integer_value(nc);
        if (ctx->minor < 10 && node_count == 0)
                return res_fail(ctx, 400,
                                "Resizing a nodegroup to zero is not supported in the provided "
                                "microversion.");
        struct db_conn *c;
        json_auto_t *row = NULL;
        if (cl_fetch(ctx, "update_all_projects", NULL, "cluster:resize", &c, &row))
                return 0;
        json_auto_t *ng = NULL;
        if (find_ng(ctx, c, json_get_str(row, "uuid"), json_get_str(body, "nodegroup"), &ng))
                return 0;
        const char *role = json_get_str(ng, "role");
        if (role && streq(role, "master"))
                return res_fail(ctx, 400, "Resizing a master nodegroup is not supported.");
        json_int_t mn = json_integer_value(json_object_get(ng, "min_node_count"));
        json_t *mx = json_object_get(ng, "max_node_count");
        if (node_count < mn || (json_is_integer(mx) && node_count > json_integer_value(mx))) {
                _cleanup_free_ char *mxs =
                        json_is_integer(mx) ? res_itoa(json_integer_value(mx)) : xstrdup("None");
                return res_fail(ctx, 400,
                                "Resizing %s outside the allowed range: min_node_count = %lld, "
                                "max_node_count = %s",
                                json_get_str(ng, "name"), (long long)mn, mxs);
        }
        json_t *rmv = rm && json_is_array(rm) ? json_incref(rm) : json_array();
        json_auto_t *args =
                json_pack("{s:o,s:I,s:o,s:o}", "cluster", cl_ovo(row), "node_count", node_count,
                          "nodes_to_remove", rmv, "nodegroup", res_ovo("NodeGroup", "1.1", ng));
        if (!args)
                return res_fail_internal(ctx, -ENOMEM, NULL);
        if (res_cast(ctx, "cluster_resize", args))
                return 0;
        json_auto_t *out = json_pack("{s:s}", "uuid", json_get_str(row, "uuid"));
        return httpd_resp_json(ctx->req, 202, out);
}

int cl_h_upgrade(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL))
                return 0;
        if (ctx->minor < 8)
                return res_fail(ctx, 400,
                                "Cluster upgrade is not supported in the provided microversion.");
        json_auto_t *body = NULL;
        if (res_body(ctx, &body))
                return 0;
        if (!json_is_object(body))
                return res_fail(ctx, 400, "Missing argument: \"cluster_upgrade_req\"");
        const char *k;
        json_t *v;
        json_object_foreach(body, k, v)
        {
                if (!streq(k, "cluster_template") && !streq(k, "max_batch_size") &&
                    !streq(k, "nodegroup"))
                        return res_fail(ctx, 400,
                                        "Unknown attribute for argument cluster_upgrade_req: %s",
                                        k);
        }
        const char *ct_ident = json_get_str(body, "cluster_template");
        if (!ct_ident)
                return res_fail(ctx, 400,
                                "Invalid input for field/attribute cluster_template. Value: "
                                "'None'. Mandatory field missing.");
        static const struct schema_field mb_f = {
                "max_batch_size", SF_INT, 0, 1, -1, NULL, NULL, 0, false};
        json_int_t mbs = 1;
        json_t *mbv = json_object_get(body, "max_batch_size");
        _cleanup_err_ struct err e = ERR_INIT;
        if (mbv && !json_is_null(mbv)) {
                json_auto_t *cv = NULL;
                if (schema_coerce(&mb_f, mbv, &cv, &e) < 0)
                        return res_fail_err(ctx, 400, &e);
                mbs = json_integer_value(cv);
        }
        struct db_conn *c;
        json_auto_t *row = NULL;
        if (cl_fetch(ctx, "upgrade_all_projects", NULL, "cluster:upgrade", &c, &row))
                return 0;
        struct dbo_query ctq = {.project_id = ctx->is_admin ? NULL : ctx->project_id,
                                .visibility = DBO_VIS_PROJECT_OR_PUBLIC};
        json_auto_t *ct = NULL;
        if (ct_lookup(ctx, c, &ctq, ct_ident, 404, &ct))
                return 0;
        json_auto_t *ng = NULL;
        if (find_ng(ctx, c, json_get_str(row, "uuid"), json_get_str(body, "nodegroup"), &ng))
                return 0;
        json_auto_t *args =
                json_pack("{s:o,s:o,s:I,s:o}", "cluster", cl_ovo(row), "cluster_template",
                          res_ovo("ClusterTemplate", "1.20", ct), "max_batch_size", mbs,
                          "nodegroup", res_ovo("NodeGroup", "1.1", ng));
        json_auto_t *result = NULL;
        if (res_call(ctx, "cluster_upgrade", args, &result))
                return 0;
        json_auto_t *out = json_pack("{s:s}", "uuid", json_get_str(row, "uuid"));
        return httpd_resp_json(ctx->req, 202, out);
}
