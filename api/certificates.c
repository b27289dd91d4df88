/*
 * /v1/certificates: show a cluster's CA (main, etcd or front-proxy), sign a CSR with it, and
 * rotate the CAs - all synchronous RPC calls to the conductor, which owns the key material.
 * Admitted: admins, the user who created the cluster, and the cluster's trustee user.
 */
#include "common/common.h"

#include "api/res.h"
#include "api/resources.h"
#include "common/json_util.h"

static int cert_cluster(struct res_ctx *ctx, struct db_conn *c, const char *ident,
                        int notfound_status, json_t **ret)
{
        /* Magnum looks the cluster up without all_tenants: everyone (admins included) is
         * scoped to their project; trustees to the project in their user name. */
        struct dbo_query q = {.project_id = ctx->project_id ? ctx->project_id : ""};
        return cl_lookup(ctx, c, &q, ident, notfound_status, ret);
}

/* The conductor answers a Certificate object (or its plain data). */
static const json_t *ovo_data(const json_t *r)
{
        const json_t *d = json_object_get(r, "magnum_object.data");
        return d ? d : r;
}

static json_t *cert_render(struct res_ctx *ctx, const char *cluster_uuid, const json_t *data,
                           bool with_request)
{
        json_t *o = json_checked(json_object());
        json_object_set_new(o, "cluster_uuid", json_string(cluster_uuid));
        json_object_set_new(o, "bay_uuid", json_string(cluster_uuid));
        if (with_request) {
                json_t *csr = json_object_get(data, "csr");
                if (csr)
                        json_object_set(o, "csr", csr);
        }
        json_t *pem = json_object_get(data, "pem");
        json_object_set(o, "pem", pem ? pem : json_null());
        json_t *t = json_object_get(data, "ca_cert_type");
        if (with_request && t && !json_is_null(t))
                json_object_set(o, "ca_cert_type", t);
        _cleanup_strbuf_ struct strbuf p = STRBUF_INIT;
        strbuf_addf(&p, "certificates/%s", cluster_uuid);
        res_add_links(ctx, o, p.buf);
        return o;
}

int cert_h_get(struct res_ctx *ctx)
{
        static const char *const args[] = {"ca_cert_type", NULL};
        if (res_check_args(ctx, args))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *cl = NULL;
        if (cert_cluster(ctx, c, httpd_req_param(ctx->req, "id"), 404, &cl))
                return 0;
        if (res_enforce(ctx, "certificate:get", cl))
                return 0;
        const char *type = httpd_req_query(ctx->req, "ca_cert_type");
        json_auto_t *args_j = json_pack("{s:o,s:o}", "cluster", cl_ovo(cl), "ca_cert_type",
                                        json_string_or_null(type));
        json_auto_t *result = NULL;
        if (res_call(ctx, "get_ca_certificate", args_j, &result))
                return 0;
        json_auto_t *out = cert_render(ctx, json_get_str(cl, "uuid"), ovo_data(result), false);
        return httpd_resp_json(ctx->req, 200, out);
}

int cert_h_sign(struct res_ctx *ctx)
{
        json_auto_t *cert = NULL;
        if (res_parse_body(ctx, &schema_certificate, NULL, &cert))
                return 0;
        _cleanup_err_ struct err e = ERR_INIT;
        const char *ident = json_get_str(cert, "cluster_uuid");
        if (!ident)
                ident = json_get_str(cert, "bay_uuid");
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *cl = NULL;
        if (!ident)
                return res_fail(ctx, 400, "Cluster None could not be found.");
        if (cert_cluster(ctx, c, ident, 400, &cl))
                return 0;
        if (res_enforce(ctx, "certificate:create", cl))
                return 0;
        const char *cuuid = json_get_str(cl, "uuid");
        json_auto_t *data = json_pack(
                "{s:s,s:o,s:o,s:O,s:O}", "cluster_uuid", cuuid, "project_id",
                json_string_or_null(ctx->project_id), "user_id", json_string_or_null(ctx->user_id),
                "csr", json_object_get(cert, "csr") ? json_object_get(cert, "csr") : json_null(),
                "ca_cert_type",
                json_object_get(cert, "ca_cert_type") ? json_object_get(cert, "ca_cert_type")
                                                      : json_null());
        json_auto_t *args_j = json_pack("{s:o,s:o}", "cluster", cl_ovo(cl), "certificate",
                                        res_ovo("Certificate", "1.2", data));
        json_auto_t *result = NULL;
        if (res_call(ctx, "sign_certificate", args_j, &result))
                return 0;
        json_auto_t *merged = json_deep_copy(data);
        json_object_update(merged, (json_t *)ovo_data(result));
        json_auto_t *out = cert_render(ctx, cuuid, merged, true);
        return httpd_resp_json(ctx->req, 201, out);
}

int cert_h_rotate(struct res_ctx *ctx)
{
        if (res_check_args(ctx, NULL))
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 0;
        json_auto_t *cl = NULL;
        if (cert_cluster(ctx, c, httpd_req_param(ctx->req, "id"), 404, &cl))
                return 0;
        if (res_enforce(ctx, "certificate:rotate_ca", cl))
                return 0;
        struct dbo_filter f = {"uuid", json_get_str(cl, "cluster_template_id")};
        struct dbo_query q = {.filters = &f, .n_filters = 1};
        json_auto_t *ct = NULL;
        if (f.value && dbo_get_one(c, &dbo_cluster_template, &q, &ct, NULL) == 0 &&
            json_is_true(json_object_get(ct, "tls_disabled")))
                return res_fail(ctx, 400,
                                "Rotating the CA certificate on a non-TLS cluster is not "
                                "supported");
        json_auto_t *args_j = json_pack("{s:o}", "cluster", cl_ovo(cl));
        json_auto_t *result = NULL;
        if (res_call(ctx, "rotate_ca_certificate", args_j, &result))
                return 0;
        json_auto_t *out = json_pack("{s:s}", "uuid", json_get_str(cl, "uuid"));
        return httpd_resp_json(ctx->req, 202, out);
}
