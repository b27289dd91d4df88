/*
 * /v1/federations: list/detail/show from the database; create, update (member join/unjoin
 * through `member_ids`) and delete are cast to the conductor. As in Magnum 15.0.1 the conductor
 * does not implement federations, so a created federation never appears (spec §8.3).
 */
#include "common/common.h"

#include "api/jsonpatch.h"
#include "api/res.h"
#include "api/resources.h"
#include "api/validate.h"
#include "common/ids.h"
#include "common/json_util.h"

static const char *const fed_internal[] = {"/created_at", "/id",         "/links",   "/updated_at",
                                           "/uuid",       "/project_id", "/user_id", NULL};

static json_t *fed_render(struct res_ctx *ctx, const json_t *row, bool list_view)
{
        json_t *o = schema_render(&schema_federation, row, list_view);
        _cleanup_strbuf_ struct strbuf p = STRBUF_INIT;
        strbuf_addf(&p, "federations/%s", json_get_str(row, "uuid"));
        res_add_links(ctx, o, p.buf);
        return o;
}

static void fed_scope(struct res_ctx *ctx, struct dbo_query *q)
{
        *q = (struct dbo_query){.project_id = ctx->is_admin ? NULL : ctx->project_id};
        if (!ctx->is_admin && !q->project_id)
                q->project_id = "";
}

static int fed_lookup(struct res_ctx *ctx, struct db_conn *c, const char *ident, json_t **ret)
{
        struct dbo_query q;
        fed_scope(ctx, &q);
        return res_lookup(ctx, c, &dbo_federation, &q, ident, "Federation", 404,
                          "Multiple federations exist with same name. Please use the federation "
                          "uuid instead.",
                          ret);
}

static int fed_list(struct res_ctx *ctx, bool detail)
{
        static const char *const args[] = {"marker", "limit", "sort_key", "sort_dir", NULL};
        if (res_check_args(ctx, args))
                return 0;
        if (res_enforce(ctx, detail ? "federation:detail" : "federation:get_all", NULL))
                return 0;
        struct res_page pg;
        if (res_page_parse(ctx, &dbo_federation, true, &pg))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        struct dbo_query q;
        fed_scope(ctx, &q);
        json_auto_t *marker = NULL;
        if (pg.marker && fed_lookup(ctx, c, pg.marker, &marker))
                return 0;
        q.sort_key = pg.sort_key;
        q.sort_desc = pg.desc;
        q.limit = pg.limit;
        q.marker = marker;
        _cleanup_err_ struct err e = ERR_INIT;
        json_auto_t *rows = NULL;
        int r = dbo_select(c, &dbo_federation, &q, &rows, &e);
        if (r < 0)
                return res_fail_internal(ctx, r, &e);
        json_t *items = json_checked(json_array());
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
                json_array_append_new(items, fed_render(ctx, row, !detail));
        json_auto_t *out =
                res_collection(ctx, "federations", items, &pg,
                               detail ? "federations/detail" : "federations", "uuid", NULL);
        return httpd_resp_json(ctx->req, 200, out);
}

int fed_h_list(struct res_ctx *ctx)
{
        return fed_list(ctx, false);
}

int fed_h_detail(struct res_ctx *ctx)
{
        return fed_list(ctx, true);
}

int fed_h_get(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        if (fed_lookup(ctx, c, httpd_req_param(ctx->req, "id"), &row))
                return 0;
        if (res_enforce(ctx, "federation:get", row))
                return 0;
        json_auto_t *out = fed_render(ctx, row, false);
        return httpd_resp_json(ctx->req, 200, out);
}

static int check_properties(struct res_ctx *ctx, const json_t *props)
{
        if (!props || json_is_null(props))
                return res_fail(ctx, 400, "Please specify a `properties` dict for the federation."),
                       1;
        if (!json_object_get(props, "dns-zone"))
                return res_fail(ctx, 400, "No DNS zone specified. Please specify a `dns-zone`."), 1;
        return 0;
}

int fed_h_create(struct res_ctx *ctx)
{
        json_auto_t *fed = NULL;
        if (res_parse_body(ctx, &schema_federation, NULL, &fed))
                return 0;
        _cleanup_err_ struct err e = ERR_INIT;
        if (validate_cluster_name(ctx, json_object_get(fed, "name")))
                return 0;
        if (res_enforce(ctx, "federation:create", NULL))
                return 0;
        const char *host = json_get_str(fed, "hostcluster_id");
        if (!host)
                return res_fail(ctx, 400,
                                "No hostcluster specified. Please specify a hostcluster_id.");
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        struct dbo_query q = {.project_id = ctx->project_id ? ctx->project_id : ""};
        json_auto_t *hc = NULL;
        if (cl_lookup(ctx, c, &q, host, 404, &hc))
                return 0;
        if (check_properties(ctx, json_object_get(fed, "properties")))
                return 0;
        if (!json_get_str(fed, "name")) {
                _cleanup_free_ char *n = res_random_name("federation");
                json_object_set_new(fed, "name", json_string(n));
        }
        if (!json_is_array(json_object_get(fed, "member_ids")))
                json_object_set_new(fed, "member_ids", json_array());
        char uuid[UUID_STR_LEN];
        uuid_generate_str(uuid);
        json_object_set_new(fed, "uuid", json_string(uuid));
        json_object_set_new(fed, "project_id", json_string_or_null(ctx->project_id));
        json_auto_t *args = json_pack("{s:o,s:i}", "federation", res_ovo("Federation", "1.0", fed),
                                      "create_timeout", 15);
        if (res_cast(ctx, "federation_create", args))
                return 0;
        json_auto_t *out = json_pack("{s:s}", "uuid", uuid);
        return httpd_resp_json(ctx->req, 202, out);
}

int fed_h_patch(struct res_ctx *ctx)
{
        static const char *const qargs[] = {"rollback", NULL};
        if (res_check_args(ctx, qargs))
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
        struct patch_rules pr = {fed_internal, NULL};
        if (jsonpatch_validate(patch, &pr, &e) < 0)
                return res_fail_err(ctx, 400, &e);
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        if (fed_lookup(ctx, c, httpd_req_param(ctx->req, "id"), &row))
                return 0;
        if (res_enforce(ctx, "federation:update", row))
                return 0;
        json_auto_t *p = json_deep_copy(patch);
        json_t *first = json_array_get(p, 0);
        const char *path = json_get_str(first, "path");
        const char *op = json_get_str(first, "op");
        json_t *val = json_object_get(first, "value");
        if (path && streq(path, "/member_ids") && val && !json_is_null(val) &&
            (streq(op, "add") || streq(op, "remove"))) {
                json_t *members = json_object_get(row, "member_ids");
                json_t *list = json_is_array(members) ? json_deep_copy(members) : json_array();
                const char *m = json_string_value(val);
                size_t i, found = (size_t)-1;
                json_t *x;
                json_array_foreach(list, i, x) if (m && json_is_string(x) &&
                                                   streq(json_string_value(x), m)) found = i;
                struct dbo_query q = {.project_id = ctx->project_id ? ctx->project_id : ""};
                json_auto_t *cl = NULL;
                if (!m || cl_lookup(ctx, c, &q, m, 404, &cl)) {
                        json_decref(list);
                        return m ? 0 : res_fail(ctx, 400, "Invalid member id.");
                }
                if (streq(op, "add")) {
                        if (found != (size_t)-1) {
                                json_decref(list);
                                return res_fail(ctx, 409,
                                                "A cluster with UUID %s is already a member of "
                                                "the federation %s.",
                                                m, json_get_str(row, "name"));
                        }
                        json_array_append(list, json_object_get(cl, "uuid"));
                } else {
                        if (found == (size_t)-1) {
                                json_decref(list);
                                return res_fail(ctx, 404,
                                                "Cluster %s is not a member of the federation "
                                                "%s.",
                                                m, json_get_str(row, "name"));
                        }
                        json_array_remove(list, found);
                }
                json_object_set_new(first, "op", json_string("replace"));
                json_object_set_new(first, "value", list);
        }
        json_auto_t *patched = NULL;
        if (jsonpatch_apply(row, p, &patched, &e) < 0)
                return res_fail_err(ctx, 400, &e);
        _cleanup_strbuf_ struct strbuf delta = STRBUF_INIT;
        static const char *const fields[] = {"name",          "hostcluster_id", "status",
                                             "status_reason", "member_ids",     "properties"};
        for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
                json_t *a = json_object_get(row, fields[i]),
                       *b = json_object_get(patched, fields[i]);
                bool same =
                        (!a || json_is_null(a)) ? (!b || json_is_null(b)) : (b && json_equal(a, b));
                if (!same && !streq(fields[i], "member_ids") && !streq(fields[i], "properties"))
                        strbuf_addf(&delta, "%s%s", delta.len ? ", " : "", fields[i]);
        }
        if (delta.len)
                return res_fail(ctx, 400, "cannot change federation property(ies) %s.", delta.buf);
        json_auto_t *args = json_pack("{s:o,s:b}", "federation",
                                      res_ovo("Federation", "1.0", patched), "rollback", rollback);
        if (res_cast(ctx, "federation_update", args))
                return 0;
        json_auto_t *out = json_pack("{s:s}", "uuid", json_get_str(row, "uuid"));
        return httpd_resp_json(ctx->req, 202, out);
}

int fed_h_delete(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *row = NULL;
        if (fed_lookup(ctx, c, httpd_req_param(ctx->req, "id"), &row))
                return 0;
        if (res_enforce(ctx, "federation:delete", row))
                return 0;
        json_auto_t *args = json_pack("{s:s}", "uuid", json_get_str(row, "uuid"));
        if (res_cast(ctx, "federation_delete", args))
                return 0;
        return httpd_resp_empty(ctx->req, 204);
}
