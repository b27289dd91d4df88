/*
 * api_support: the minimal conductor side of magnum-api's RPC methods, so the API's casts and
 * calls have a real consumer before the full cluster engine (drivers + embedded Heat) lands.
 * It performs only the DATABASE effects spec magnum.md §3.2 describes - no stacks:
 *
 *   cluster_create      insert the cluster and its default-master / default-worker nodegroups
 *                       (CREATE_IN_PROGRESS) and the cluster's three CAs (x509keypair rows)
 *   cluster_update      default worker node_count; health_status / health_status_reason
 *   cluster_resize      the target nodegroup's node_count
 *   cluster_delete      removes nodegroups, CAs and the cluster (Heat's "stack not found" path)
 *   cluster_upgrade     switches the cluster (and its default nodegroups) to the new template
 *   nodegroup_*         insert / update min,max / delete the nodegroup row
 *   get_ca_certificate  the PEM of the main, etcd or front-proxy CA
 *   sign_certificate    signs a CSR with that CA (common/x509)
 *   rotate_ca_certificate  400 NotSupported for non-FCOS distros, as Magnum 15 answers
 *
 * The cluster engine issue replaces these handlers with the real ones (same method names).
 */
#include "common/common.h"

#include <inttypes.h>

#include "common/db.h"
#include "common/ids.h"
#include "common/json_util.h"
#include "common/x509.h"
#include "conductor/api_support.h"
#include "conductor/conductor.h"
#include "db/object.h"

static const json_t *ovo(const json_t *args, const char *key)
{
        const json_t *o = json_object_get(args, key);
        const json_t *d = json_object_get(o, "magnum_object.data");
        return d ? d : o;
}

static int with_conn(const struct rpc_call_info *ci, struct db_conn **ret, struct rpc_failure *f)
{
        struct conductor *cd = ci->userdata;
        _cleanup_err_ struct err e = ERR_INIT;
        int r = db_pool_acquire(cd->pool, 10000, ret, &e);
        if (r < 0)
                return rpc_failure_set(f, -EAGAIN, 500, NULL, "database unavailable: %s",
                                       err_msg(&e));
        return 0;
}

static int db_fail(struct rpc_failure *f, int r, const struct err *e)
{
        return rpc_failure_set(f, r, 500, NULL, "%s", err_msg(e));
}

/* Creates a CA (encrypted key + self-signed cert) stored as an x509keypair row; *ret_ref is
 * the row's uuid. */
static int make_ca(struct db_conn *c, const char *cn, const char *project, const char *user,
                   char *ret_ref, struct err *e)
{
        char pass[13];
        x509_random_passphrase(pass, 12);
        _cleanup_free_ char *key = NULL, *cert = NULL;
        int r = x509_generate_key(2048, pass, &key, e);
        if (r < 0)
                return r;
        r = x509_generate_ca(key, pass, cn, 1825, &cert, e);
        if (r < 0)
                return r;
        uuid_generate_str(ret_ref);
        json_auto_t *row =
                json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "uuid", ret_ref, "certificate", cert,
                          "private_key", key, "private_key_passphrase", pass, "project_id",
                          json_string_or_null(project), "user_id", json_string_or_null(user));
        return dbo_insert(c, &dbo_x509keypair, row, NULL, e);
}

static int get_row(struct db_conn *c, const struct dbo_table *t, const char *col, const char *v,
                   json_t **ret, struct err *e)
{
        struct dbo_filter fl = {col, v};
        struct dbo_query q = {.filters = &fl, .n_filters = 1};
        return dbo_get_one(c, t, &q, ret, e);
}

int apisup_cluster_create(const struct rpc_call_info *ci, json_t **ret_result,
                          struct rpc_failure *f)
{
        const json_t *cl = ovo(ci->args, "cluster");
        _cleanup_db_conn_ struct db_conn *c = NULL;
        if (with_conn(ci, &c, f) < 0)
                return f->err.code;
        _cleanup_err_ struct err e = ERR_INIT;
        json_auto_t *row = json_deep_copy(cl);
        json_object_del(row, "id");
        json_object_set_new(row, "status", json_string("CREATE_IN_PROGRESS"));
        json_object_set_new(row, "created_at", json_null());
        const char *name = json_get_str(cl, "name");
        const char *project = json_get_str(cl, "project_id"), *user = json_get_str(cl, "user_id");
        static const char *const refs[] = {"ca_cert_ref", "etcd_ca_cert_ref",
                                           "front_proxy_ca_cert_ref"};
        for (size_t i = 0; i < ARRAY_SIZE(refs); i++) {
                char ref[UUID_STR_LEN];
                int r = make_ca(c, name ? name : json_get_str(cl, "uuid"), project, user, ref, &e);
                if (r < 0)
                        return db_fail(f, r, &e);
                json_object_set_new(row, refs[i], json_string(ref));
        }
        json_auto_t *ct = NULL;
        const char *ctu = json_get_str(cl, "cluster_template_id");
        if (!ctu || get_row(c, &dbo_cluster_template, "uuid", ctu, &ct, &e) < 0)
                return rpc_failure_set(f, -ENOENT, 404, "ClusterTemplateNotFound",
                                       "ClusterTemplate %s could not be found.",
                                       ctu ? ctu : "None");
        int r = dbo_insert(c, &dbo_cluster, row, NULL, &e);
        if (r < 0)
                return db_fail(f, r, &e);
        struct {
                const char *name, *role, *count_key, *flavor_key;
        } ngs[] = {{"default-master", "master", "master_count", "master_flavor_id"},
                   {"default-worker", "worker", "node_count", "flavor_id"}};
        for (size_t i = 0; i < ARRAY_SIZE(ngs); i++) {
                char uuid[UUID_STR_LEN];
                uuid_generate_str(uuid);
                json_auto_t *ng = json_pack(
                        "{s:s,s:s,s:O,s:o,s:O,s:O,s:O,s:O,s:s,s:I,s:b,s:s,s:s}", "uuid", uuid,
                        "name", ngs[i].name, "cluster_id", json_object_get(cl, "uuid"),
                        "project_id", json_string_or_null(project), "docker_volume_size",
                        json_object_get(cl, "docker_volume_size")
                                ? json_object_get(cl, "docker_volume_size")
                                : json_null(),
                        "labels",
                        json_object_get(cl, "labels") ? json_object_get(cl, "labels") : json_null(),
                        "flavor_id",
                        json_object_get(cl, ngs[i].flavor_key)
                                ? json_object_get(cl, ngs[i].flavor_key)
                                : json_null(),
                        "image_id", json_object_get(ct, "image_id"), "role", ngs[i].role,
                        "node_count",
                        (json_int_t)json_integer_value(json_object_get(ci->args, ngs[i].count_key)),
                        "is_default", 1, "status", "CREATE_IN_PROGRESS", "version", "");
                const json_t *labels = json_object_get(cl, "labels");
                const char *mn = json_get_str(labels, "min_node_count");
                long long v;
                json_object_set_new(ng, "min_node_count",
                                    json_integer(mn && str_to_ll(mn, 0, 1 << 30, &v) == 0 &&
                                                                 !streq(ngs[i].role, "master")
                                                         ? v
                                                         : 0));
                r = dbo_insert(c, &dbo_nodegroup, ng, NULL, &e);
                if (r < 0)
                        return db_fail(f, r, &e);
        }
        log_info("event=cluster_created cluster=%s (api_support: no stack)",
                 json_get_str(cl, "uuid"));
        *ret_result = json_null();
        return 0;
}

static int cluster_by_args(const struct rpc_call_info *ci, struct db_conn *c, json_t **ret,
                           struct rpc_failure *f)
{
        const char *uuid = json_get_str(ovo(ci->args, "cluster"), "uuid");
        if (!uuid)
                uuid = json_get_str(ci->args, "uuid");
        _cleanup_err_ struct err e = ERR_INIT;
        if (!uuid || get_row(c, &dbo_cluster, "uuid", uuid, ret, &e) < 0)
                return rpc_failure_set(f, -ENOENT, 404, "ClusterNotFound",
                                       "Cluster %s could not be found.", uuid ? uuid : "None");
        return 0;
}

static int set_ng_count(struct db_conn *c, const char *cluster, const char *ng_uuid,
                        json_int_t count, struct err *e)
{
        json_auto_t *ng = NULL;
        struct dbo_filter fl[3] = {{"cluster_id", cluster}};
        size_t n = 1;
        if (ng_uuid)
                fl[n++] = (struct dbo_filter){"uuid", ng_uuid};
        else {
                fl[n++] = (struct dbo_filter){"role", "worker"};
                fl[n++] = (struct dbo_filter){"is_default", "true"};
        }
        struct dbo_query q = {.filters = fl, .n_filters = n};
        int r = dbo_get_one(c, &dbo_nodegroup, &q, &ng, e);
        if (r < 0)
                return r;
        json_auto_t *ch = json_pack("{s:I}", "node_count", count);
        return dbo_update(c, &dbo_nodegroup, json_integer_value(json_object_get(ng, "id")), ch,
                          NULL, e);
}

int apisup_cluster_update(const struct rpc_call_info *ci, json_t **ret_result,
                          struct rpc_failure *f)
{
        _cleanup_db_conn_ struct db_conn *c = NULL;
        json_auto_t *cl = NULL;
        if (with_conn(ci, &c, f) < 0 || cluster_by_args(ci, c, &cl, f) < 0)
                return f->err.code;
        _cleanup_err_ struct err e = ERR_INIT;
        json_auto_t *ch = json_object();
        json_t *hs = json_object_get(ci->args, "health_status");
        json_t *hr = json_object_get(ci->args, "health_status_reason");
        if (hs)
                json_object_set(ch, "health_status", hs);
        if (hr)
                json_object_set(ch, "health_status_reason", hr);
        json_t *nc = json_object_get(ci->args, "node_count");
        if (json_is_integer(nc) &&
            json_integer_value(nc) != json_integer_value(json_object_get(cl, "node_count"))) {
                int r = set_ng_count(c, json_get_str(cl, "uuid"), NULL, json_integer_value(nc), &e);
                if (r < 0)
                        return db_fail(f, r, &e);
                json_object_set_new(ch, "status", json_string("UPDATE_IN_PROGRESS"));
        }
        int r = dbo_update(c, &dbo_cluster, json_integer_value(json_object_get(cl, "id")), ch, NULL,
                           &e);
        if (r < 0)
                return db_fail(f, r, &e);
        *ret_result = json_null();
        return 0;
}

int apisup_cluster_resize(const struct rpc_call_info *ci, json_t **ret_result,
                          struct rpc_failure *f)
{
        _cleanup_db_conn_ struct db_conn *c = NULL;
        json_auto_t *cl = NULL;
        if (with_conn(ci, &c, f) < 0 || cluster_by_args(ci, c, &cl, f) < 0)
                return f->err.code;
        _cleanup_err_ struct err e = ERR_INIT;
        int r = set_ng_count(c, json_get_str(cl, "uuid"),
                             json_get_str(ovo(ci->args, "nodegroup"), "uuid"),
                             json_integer_value(json_object_get(ci->args, "node_count")), &e);
        if (r < 0)
                return db_fail(f, r, &e);
        json_auto_t *ch = json_pack("{s:s}", "status", "UPDATE_IN_PROGRESS");
        r = dbo_update(c, &dbo_cluster, json_integer_value(json_object_get(cl, "id")), ch, NULL,
                       &e);
        if (r < 0)
                return db_fail(f, r, &e);
        *ret_result = json_null();
        return 0;
}

static int exec1(struct db_conn *c, const char *sql, const char *p, struct err *e)
{
        return db_exec(c, NULL, e, sql, DB_PARAMS(p));
}

int apisup_cluster_delete(const struct rpc_call_info *ci, json_t **ret_result,
                          struct rpc_failure *f)
{
        _cleanup_db_conn_ struct db_conn *c = NULL;
        json_auto_t *cl = NULL;
        if (with_conn(ci, &c, f) < 0 || cluster_by_args(ci, c, &cl, f) < 0)
                return f->err.code;
        _cleanup_err_ struct err e = ERR_INIT;
        const char *uuid = json_get_str(cl, "uuid");
        static const char *const refs[] = {"ca_cert_ref", "etcd_ca_cert_ref",
                                           "front_proxy_ca_cert_ref", "magnum_cert_ref"};
        for (size_t i = 0; i < ARRAY_SIZE(refs); i++) {
                const char *ref = json_get_str(cl, refs[i]);
                if (ref && exec1(c, "DELETE FROM x509keypair WHERE uuid = $1", ref, &e) < 0)
                        return db_fail(f, -EIO, &e);
        }
        if (exec1(c, "DELETE FROM nodegroup WHERE cluster_id = $1", uuid, &e) < 0 ||
            exec1(c, "DELETE FROM cluster WHERE uuid = $1", uuid, &e) < 0)
                return db_fail(f, -EIO, &e);
        log_info("event=cluster_deleted cluster=%s (api_support: no stack)", uuid);
        *ret_result = json_null();
        return 0;
}

int apisup_cluster_upgrade(const struct rpc_call_info *ci, json_t **ret_result,
                           struct rpc_failure *f)
{
        _cleanup_db_conn_ struct db_conn *c = NULL;
        json_auto_t *cl = NULL;
        if (with_conn(ci, &c, f) < 0 || cluster_by_args(ci, c, &cl, f) < 0)
                return f->err.code;
        const json_t *ct = ovo(ci->args, "cluster_template");
        const json_t *labels = json_object_get(ct, "labels");
        if (!json_get_str(labels, "kube_tag") && !json_get_str(labels, "ostree_commit") &&
            !json_get_str(labels, "ostree_remote"))
                return rpc_failure_set(f, -EINVAL, 409, "InvalidClusterTemplateForUpgrade",
                                       "Cluster Template is not valid for upgrade: Nothing to "
                                       "upgrade.");
        _cleanup_err_ struct err e = ERR_INIT;
        json_auto_t *ch = json_pack("{s:O,s:s}", "cluster_template_id", json_object_get(ct, "uuid"),
                                    "status", "UPDATE_IN_PROGRESS");
        int r = dbo_update(c, &dbo_cluster, json_integer_value(json_object_get(cl, "id")), ch, NULL,
                           &e);
        if (r < 0)
                return db_fail(f, r, &e);
        *ret_result = json_null();
        return 0;
}

int apisup_ng_create(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f)
{
        _cleanup_db_conn_ struct db_conn *c = NULL;
        if (with_conn(ci, &c, f) < 0)
                return f->err.code;
        _cleanup_err_ struct err e = ERR_INIT;
        json_auto_t *ng = json_deep_copy(ovo(ci->args, "nodegroup"));
        json_object_del(ng, "id");
        json_object_set_new(ng, "status", json_string("CREATE_IN_PROGRESS"));
        json_object_set_new(ng, "is_default", json_false());
        int r = dbo_insert(c, &dbo_nodegroup, ng, NULL, &e);
        if (r < 0)
                return db_fail(f, r, &e);
        *ret_result = json_null();
        return 0;
}

int apisup_ng_update(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f)
{
        _cleanup_db_conn_ struct db_conn *c = NULL;
        if (with_conn(ci, &c, f) < 0)
                return f->err.code;
        _cleanup_err_ struct err e = ERR_INIT;
        const json_t *ng = ovo(ci->args, "nodegroup");
        json_auto_t *ch = json_pack("{s:O,s:O}", "min_node_count",
                                    json_object_get(ng, "min_node_count"), "max_node_count",
                                    json_object_get(ng, "max_node_count")
                                            ? json_object_get(ng, "max_node_count")
                                            : json_null());
        int r = dbo_update(c, &dbo_nodegroup, json_integer_value(json_object_get(ng, "id")), ch,
                           NULL, &e);
        if (r < 0)
                return db_fail(f, r, &e);
        *ret_result = json_null();
        return 0;
}

int apisup_ng_delete(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f)
{
        _cleanup_db_conn_ struct db_conn *c = NULL;
        if (with_conn(ci, &c, f) < 0)
                return f->err.code;
        _cleanup_err_ struct err e = ERR_INIT;
        const char *uuid = json_get_str(ovo(ci->args, "nodegroup"), "uuid");
        if (uuid && exec1(c, "DELETE FROM nodegroup WHERE uuid = $1", uuid, &e) < 0)
                return db_fail(f, -EIO, &e);
        *ret_result = json_null();
        return 0;
}

/* The CA row for ca_cert_type (etcd, front_proxy / front-proxy, anything else = main). */
static int ca_row(struct db_conn *c, const json_t *cl, const char *type, json_t **ret,
                  struct rpc_failure *f)
{
        const char *key = "ca_cert_ref";
        if (type && streq(type, "etcd"))
                key = "etcd_ca_cert_ref";
        else if (type && (streq(type, "front_proxy") || streq(type, "front-proxy")))
                key = "front_proxy_ca_cert_ref";
        const char *ref = json_get_str(cl, key);
        _cleanup_err_ struct err e = ERR_INIT;
        if (!ref || get_row(c, &dbo_x509keypair, "uuid", ref, ret, &e) < 0)
                return rpc_failure_set(f, -ENOENT, 404, "X509KeyPairNotFound",
                                       "A key pair %s could not be found.", ref ? ref : "None");
        return 0;
}

static json_t *cert_ovo(json_t *data)
{
        json_t *o = json_pack("{s:s,s:s,s:s,s:o}", "magnum_object.name", "Certificate",
                              "magnum_object.namespace", "magnum", "magnum_object.version", "1.2",
                              "magnum_object.data", data);
        return o;
}

int apisup_get_ca(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f)
{
        _cleanup_db_conn_ struct db_conn *c = NULL;
        json_auto_t *cl = NULL, *ca = NULL;
        if (with_conn(ci, &c, f) < 0 || cluster_by_args(ci, c, &cl, f) < 0 ||
            ca_row(c, cl, json_get_str(ci->args, "ca_cert_type"), &ca, f) < 0)
                return f->err.code;
        *ret_result = cert_ovo(
                json_pack("{s:O,s:O,s:O,s:O}", "project_id", json_object_get(cl, "project_id"),
                          "user_id", json_object_get(cl, "user_id"), "cluster_uuid",
                          json_object_get(cl, "uuid"), "pem", json_object_get(ca, "certificate")));
        return 0;
}

int apisup_sign_cert(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f)
{
        _cleanup_db_conn_ struct db_conn *c = NULL;
        json_auto_t *cl = NULL, *ca = NULL;
        const json_t *cert = ovo(ci->args, "certificate");
        if (with_conn(ci, &c, f) < 0 || cluster_by_args(ci, c, &cl, f) < 0 ||
            ca_row(c, cl, json_get_str(cert, "ca_cert_type"), &ca, f) < 0)
                return f->err.code;
        const char *csr = json_get_str(cert, "csr");
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_free_ char *pem = NULL;
        struct x509_sign_opts so = {0};
        int r = x509_sign_csr(csr ? csr : "", json_get_str(ca, "certificate"),
                              json_get_str(ca, "private_key"),
                              json_get_str(ca, "private_key_passphrase"), &so, &pem, &e);
        if (r == -EACCES)
                return rpc_failure_set(f, r, 400, "CertificateValidationError", "%s", err_msg(&e));
        if (r < 0)
                return rpc_failure_set(f, r, 400, "InvalidCsr", "Received invalid csr %s.",
                                       csr ? csr : "None");
        json_t *data = json_deep_copy(cert);
        json_object_set_new(data, "pem", json_string(pem));
        *ret_result = cert_ovo(data);
        return 0;
}

int apisup_rotate_ca(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f)
{
        _cleanup_db_conn_ struct db_conn *c = NULL;
        json_auto_t *cl = NULL, *ct = NULL;
        if (with_conn(ci, &c, f) < 0 || cluster_by_args(ci, c, &cl, f) < 0)
                return f->err.code;
        _cleanup_err_ struct err e = ERR_INIT;
        const char *ctu = json_get_str(cl, "cluster_template_id");
        const char *distro = NULL;
        if (ctu && get_row(c, &dbo_cluster_template, "uuid", ctu, &ct, &e) == 0)
                distro = json_get_str(ct, "cluster_distro");
        if (!distro || !streq(distro, "fedora-coreos"))
                return rpc_failure_set(f, -EOPNOTSUPP, 400, "NotSupported",
                                       "Rotating the CA certificate is not supported for cluster "
                                       "with cluster_distro: %s.",
                                       distro ? distro : "None");
        char ref[UUID_STR_LEN];
        int r = make_ca(c, json_get_str(cl, "name"), json_get_str(cl, "project_id"),
                        json_get_str(cl, "user_id"), ref, &e);
        if (r < 0)
                return db_fail(f, r, &e);
        json_auto_t *ch =
                json_pack("{s:s,s:s}", "ca_cert_ref", ref, "status", "UPDATE_IN_PROGRESS");
        r = dbo_update(c, &dbo_cluster, json_integer_value(json_object_get(cl, "id")), ch, NULL,
                       &e);
        if (r < 0)
                return db_fail(f, r, &e);
        *ret_result = json_null();
        return 0;
}
