/*
 * /v1/bays: the legacy name of clusters. The same rows, with three fields renamed
 * (baymodel_id, bay_create_timeout, bay_faults); at microversion 1.1 create, update and delete
 * are synchronous calls, from 1.2 on casts.
 */
#include "common/common.h"

#include "api/jsonpatch.h"
#include "api/res.h"
#include "api/resources.h"
#include "api/validate.h"
#include "common/ids.h"
#include "common/json_util.h"

static const char *const list_args[] = {"marker", "limit", "sort_key", "sort_dir", NULL};

static const char *const bay_internal[] = {"/created_at",
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
                                           NULL};
static const char *const bay_nonremovable[] = {"/baymodel_id", NULL};

/* A cluster row in bay names. */
static json_t *bay_doc(const json_t *row)
{
        json_t *d = json_deep_copy(row);
        json_object_set(d, "baymodel_id", json_object_get(row, "cluster_template_id"));
        json_object_set(d, "bay_create_timeout", json_object_get(row, "create_timeout"));
        return d;
}

static json_t *bay_render(struct res_ctx *ctx, const json_t *row, bool list_view)
{
        json_auto_t *d = bay_doc(row);
        json_t *o = schema_render(&schema_bay, d, list_view);
        _cleanup_strbuf_ struct strbuf p = STRBUF_INIT;
        strbuf_addf(&p, "bays/%s", json_get_str(row, "uuid"));
        res_add_links(ctx, o, p.buf);
        return o;
}

static int bay_scope(struct res_ctx *ctx, struct dbo_query *q)
{
        /* The bay controller never switches admins to all projects (unlike clusters). */
        *q = (struct dbo_query){.project_id = ctx->project_id ? ctx->project_id : ""};
        return 0;
}

static int bay_list(struct res_ctx *ctx, bool detail)
{
        if (res_check_args(ctx, list_args))
                return 0;
        if (res_enforce(ctx, detail ? "bay:detail" : "bay:get_all", NULL))
                return 0;
        struct dbo_query q;
        bay_scope(ctx, &q);
        struct res_page pg;
        struct db_conn *c;
        json_auto_t *rows = NULL;
        if (cl_select_page(ctx, &q, detail, NULL, &pg, &c, &rows))
                return 0;
        json_t *items = json_checked(json_array());
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
                json_array_append_new(items, bay_render(ctx, row, !detail));
        json_auto_t *out = res_collection(ctx, "bays", items, &pg, detail ? "bays/detail" : "bays",
                                          "uuid", NULL);
        return httpd_resp_json(ctx->req, 200, out);
}

int bay_h_list(struct res_ctx *ctx)
{
        return bay_list(ctx, false);
}

int bay_h_detail(struct res_ctx *ctx)
{
        return bay_list(ctx, true);
}

int bay_h_get(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL))
                return 0;
        struct dbo_query q;
        bay_scope(ctx, &q);
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        if (cl_lookup(ctx, c, &q, httpd_req_param(ctx->req, "id"), 404, &row))
                return 0;
        if (res_enforce(ctx, "bay:get", row))
                return 0;
        json_auto_t *out = bay_render(ctx, row, false);
        return httpd_resp_json(ctx->req, 200, out);
}

int bay_h_create(struct res_ctx *ctx)
{
        json_auto_t *bay = NULL;
        if (res_parse_body(ctx, &schema_bay, NULL, &bay))
                return 0;
        _cleanup_err_ struct err e = ERR_INIT;
        if (validate_cluster_name(ctx, json_object_get(bay, "name")))
                return 0;
        json_auto_t *cl = json_deep_copy(bay);
        json_object_set(cl, "cluster_template_id", json_object_get(bay, "baymodel_id"));
        json_object_set(cl, "create_timeout", json_object_get(bay, "bay_create_timeout"));
        json_object_del(cl, "baymodel_id");
        json_object_del(cl, "bay_create_timeout");
        char uuid[UUID_STR_LEN];
        if (cl_create_flow(ctx, cl, 400, true, uuid))
                return 0;
        if (ctx->minor >= 2) {
                json_auto_t *out = json_pack("{s:s}", "uuid", uuid);
                return httpd_resp_json(ctx->req, 202, out);
        }
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        struct dbo_filter f = {"uuid", uuid};
        struct dbo_query q = {.filters = &f, .n_filters = 1};
        json_auto_t *row = NULL;
        int r = dbo_get_one(c, &dbo_cluster, &q, &row, &e);
        if (r < 0)
                return res_fail_internal(ctx, r, &e);
        json_auto_t *out = bay_render(ctx, row, false);
        return httpd_resp_json(ctx->req, 201, out);
}

int bay_h_patch(struct res_ctx *ctx)
{
        static const char *const args13[] = {"rollback", NULL};
        if (res_check_args(ctx, ctx->minor >= 3 ? args13 : NULL))
                return 0;
        json_auto_t *patch = NULL;
        if (res_body(ctx, &patch))
                return 0;
        if (!patch)
                return res_fail(ctx, 400, "Missing argument: \"patch\"");
        _cleanup_err_ struct err e = ERR_INIT;
        struct patch_rules pr = {bay_internal, bay_nonremovable};
        if (jsonpatch_validate(patch, &pr, &e) < 0)
                return res_fail_err(ctx, 400, &e);
        struct dbo_query q;
        bay_scope(ctx, &q);
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        if (cl_lookup(ctx, c, &q, httpd_req_param(ctx->req, "id"), 404, &row))
                return 0;
        if (res_enforce(ctx, "bay:update", row))
                return 0;
        json_auto_t *bd = bay_doc(row);
        json_auto_t *doc = schema_render(&schema_bay, bd, false);
        json_auto_t *patched = NULL;
        if (jsonpatch_apply(doc, patch, &patched, &e) < 0)
                return res_fail_err(ctx, 400, &e);
        _cleanup_strbuf_ struct strbuf delta = STRBUF_INIT;
        bool count_changed = false;
        for (size_t i = 0; i < schema_bay.n_fields; i++) {
                const struct schema_field *f = &schema_bay.fields[i];
                if (f->type == SF_LINKS)
                        continue;
                json_t *nv = json_object_get(patched, f->name), *cv = NULL;
                if (nv && schema_coerce(f, nv, &cv, &e) < 0)
                        return res_fail_err(ctx, 400, &e);
                json_t *ov = json_object_get(doc, f->name);
                bool same = (!ov || json_is_null(ov)) ? (!cv || json_is_null(cv))
                                                      : (cv && json_equal(ov, cv));
                json_decref(cv);
                if (same)
                        continue;
                const char *name = streq(f->name, "baymodel_id")          ? "cluster_template_id"
                                   : streq(f->name, "bay_create_timeout") ? "create_timeout"
                                                                          : f->name;
                if (streq(name, "node_count"))
                        count_changed = true;
                else
                        strbuf_addf(&delta, "%s%s", delta.len ? ", " : "", name);
        }
        if (delta.len)
                return res_fail(ctx, 400, "cannot change cluster property(ies) %s.", delta.buf);
        if (count_changed) {
                /* QUIRK (spec §1.8): Magnum 15 passes too few RPC arguments here and answers
                 * 500 at every microversion; clients observe exactly that. */
                return res_fail(ctx, 500,
                                "cluster_update() missing 2 required positional arguments: "
                                "'health_status' and 'health_status_reason'");
        }
        if (ctx->minor < 2) {
                json_auto_t *out = bay_render(ctx, row, false);
                return httpd_resp_json(ctx->req, 200, out);
        }
        json_auto_t *out = json_pack("{s:s}", "uuid", json_get_str(row, "uuid"));
        return httpd_resp_json(ctx->req, 202, out);
}

int bay_h_delete(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL))
                return 0;
        struct dbo_query q;
        bay_scope(ctx, &q);
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        if (cl_lookup(ctx, c, &q, httpd_req_param(ctx->req, "id"), 404, &row))
                return 0;
        if (res_enforce(ctx, "bay:delete", row))
                return 0;
        json_auto_t *args = json_pack("{s:s}", "uuid", json_get_str(row, "uuid"));
        if (ctx->minor < 2) {
                json_auto_t *result = NULL;
                if (res_call(ctx, "cluster_delete", args, &result))
                        return 0;
        } else if (res_cast(ctx, "cluster_delete", args)) {
                return 0;
        }
        return httpd_resp_empty(ctx->req, 204);
}
