/*
 * Semantic validation of cluster templates and clusters, and the cached cloud lookups they
 * need (Glance images, Nova flavors/keypairs, Neutron external networks). See validate.h.
 */
#include "common/common.h"

#include "api/validate.h"
#include "common/httpclient.h"
#include "common/ids.h"
#include "common/json_util.h"

#define OS_CACHE_TTL_MS 10000
#define OS_CACHE_MAX    256

/* ---- driver and COE tables ----------------------------------------------------------------- */

static const struct {
        const char *server_type, *distro, *coe, *name;
} drivers[] = {
        {"vm", "fedora-atomic", "kubernetes", "k8s_fedora_atomic_v1"},
        {"vm", "fedora-coreos", "kubernetes", "k8s_fedora_coreos_v1"},
        {"vm", "coreos", "kubernetes", "k8s_coreos_v1"},
        {"bm", "fedora", "kubernetes", "k8s_fedora_ironic_v1"},
        {"vm", "fedora-atomic", "swarm", "swarm_fedora_atomic_v1"},
        {"vm", "fedora-atomic", "swarm-mode", "swarm_fedora_atomic_v2"},
        {"vm", "ubuntu", "mesos", "mesos_ubuntu_v1"},
};

struct coe_rules {
        const char *coe;
        const char *const *network_drivers;
        const char *default_network_driver;
        const char *const *volume_drivers;
};

static const char *const k8s_net[] = {"flannel", "calico", NULL};
static const char *const swarm_net[] = {"docker", "flannel", NULL};
static const char *const mesos_net[] = {"docker", NULL};
static const char *const k8s_vol[] = {"cinder", NULL};
static const char *const rexray_vol[] = {"rexray", NULL};

static const struct coe_rules coes[] = {
        {"kubernetes", k8s_net, "flannel", k8s_vol},
        {"swarm", swarm_net, "docker", rexray_vol},
        {"swarm-mode", swarm_net, "docker", rexray_vol},
        {"mesos", mesos_net, "docker", rexray_vol},
};

static bool in_list(const char *const *l, const char *s)
{
        for (size_t i = 0; l[i]; i++)
                if (streq(l[i], s))
                        return true;
        return false;
}

static void join_list(struct strbuf *sb, const char *const *l)
{
        for (size_t i = 0; l[i]; i++)
                strbuf_addf(sb, "%s/", l[i]);
        strbuf_addstr(sb, "unspecified");
}

static const struct coe_rules *coe_rules(struct res_ctx *ctx, const char *coe)
{
        for (size_t i = 0; i < ARRAY_SIZE(coes); i++)
                if (coe && streq(coes[i].coe, coe))
                        return &coes[i];
        res_fail(ctx, 400, "Requested COE type %s is not supported.", coe ? coe : "None");
        return NULL;
}

static bool driver_disabled(struct res_ctx *ctx, const char *name)
{
        const char *d = ctx->app->conf.disabled_drivers;
        if (!d || !*d)
                return false;
        size_t n = strlen(name);
        for (const char *p = d; *p;) {
                while (*p == ' ' || *p == ',')
                        p++;
                size_t l = strcspn(p, ", ");
                if (l == n && strncmp(p, name, n) == 0)
                        return true;
                p += l;
        }
        return false;
}

bool validate_driver_exists(struct res_ctx *ctx, const char *server_type, const char *distro,
                            const char *coe)
{
        for (size_t i = 0; i < ARRAY_SIZE(drivers); i++)
                if (server_type && distro && coe && streq(drivers[i].server_type, server_type) &&
                    streq(drivers[i].distro, distro) && streq(drivers[i].coe, coe))
                        return !driver_disabled(ctx, drivers[i].name);
        return false;
}

int validate_ct_static(struct res_ctx *ctx, json_t *ct, bool is_update)
{
        const char *coe = json_get_str(ct, "coe");
        const struct coe_rules *cr = coe_rules(ctx, coe);
        if (!cr)
                return 1;
        if (!is_update) {
                const char *st = json_get_str(ct, "server_type");
                if (st && !streq(st, "vm") && !streq(st, "bm"))
                        return res_fail(ctx, 400,
                                        "Server type %s is not supported, expecting a "
                                        "vm/bm/unspecified server type.",
                                        st),
                               1;
        }
        const char *nd = json_get_str(ct, "network_driver");
        if (!nd && !is_update) {
                json_object_set_new(ct, "network_driver", json_string(cr->default_network_driver));
                nd = cr->default_network_driver;
        }
        if (nd && !in_list(cr->network_drivers, nd)) {
                _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
                join_list(&sb, cr->network_drivers);
                res_fail(ctx, 400,
                         "Network driver type %s is not supported, expecting a %s network "
                         "driver.",
                         nd, sb.buf);
                return 1;
        }
        const char *vd = json_get_str(ct, "volume_driver");
        if (vd && *vd && !in_list(cr->volume_drivers, vd)) {
                _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
                join_list(&sb, cr->volume_drivers);
                res_fail(ctx, 400,
                         "Volume driver type %s is not supported, expecting a %s volume driver.",
                         vd, sb.buf);
                return 1;
        }
        const char *sd = json_get_str(ct, "docker_storage_driver");
        json_t *dvs = json_object_get(ct, "docker_volume_size");
        if (!is_update && sd && streq(sd, "devicemapper") &&
            (!json_is_integer(dvs) || json_integer_value(dvs) < 3)) {
                if (json_is_integer(dvs))
                        res_fail(ctx, 400,
                                 "docker volume size %" JSON_INTEGER_FORMAT
                                 " GB is not valid, expecting minimum value 3GB for "
                                 "devicemapper storage driver.",
                                 json_integer_value(dvs));
                else
                        res_fail(ctx, 400,
                                 "docker volume size None GB is not valid, expecting minimum "
                                 "value 3GB for devicemapper storage driver.");
                return 1;
        }
        if (!is_update) {
                const char *distro = json_get_str(ct, "cluster_distro");
                _cleanup_free_ char *img_distro = NULL;
                if (!distro) {
                        img_distro = os_image_distro_quiet(ctx, json_get_str(ct, "image_id"));
                        distro = img_distro;
                }
                const char *st = json_get_str(ct, "server_type");
                if (!validate_driver_exists(ctx, st ? st : "vm", distro, coe)) {
                        res_fail(ctx, 400, "Cluster type (%s, %s, %s) not supported.",
                                 st ? st : "vm", distro ? distro : "None", coe);
                        return 1;
                }
        }
        return 0;
}

int validate_labels(struct res_ctx *ctx, const json_t *labels)
{
        if (!json_is_object(labels))
                return 0;
        static const char *const strategies[] = {"spread", "binpack", "random", NULL};
        static const char *const isolation[] = {"filesystem/posix",
                                                "filesystem/linux",
                                                "filesystem/shared",
                                                "posix/cpu",
                                                "posix/mem",
                                                "posix/disk",
                                                "cgroups/cpu",
                                                "cgroups/mem",
                                                "docker/runtime",
                                                "namespaces/pid",
                                                NULL};
        static const char *const providers[] = {"docker", "appc", NULL};
        const char *iso = json_get_str(labels, "mesos_slave_isolation");
        if (iso) {
                _cleanup_free_ char *copy = xstrdup(iso);
                char *save = NULL;
                for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                        if (!in_list(isolation, t))
                                return res_fail(ctx, 400,
                                                "property \"labels/mesos_slave_isolation\" with "
                                                "value \"%s\" is not supported, supported values "
                                                "are: filesystem/posix, filesystem/linux, "
                                                "filesystem/shared, posix/cpu, posix/mem, "
                                                "posix/disk, cgroups/cpu, cgroups/mem, "
                                                "docker/runtime, namespaces/pid, unspecified",
                                                t),
                                       1;
        }
        const char *prov = json_get_str(labels, "mesos_slave_image_providers");
        if (prov) {
                _cleanup_free_ char *copy = xstrdup(prov);
                char *save = NULL;
                for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                        if (!in_list(providers, t))
                                return res_fail(ctx, 400,
                                                "property \"labels/mesos_slave_image_providers\" "
                                                "with value \"%s\" is not supported, supported "
                                                "values are: docker, appc, unspecified",
                                                t),
                                       1;
                        if (streq(t, "docker") && (!iso || !strstr(iso, "docker/runtime")))
                                return res_fail(ctx, 400,
                                                "Docker runtime isolator has to be specified if "
                                                "'docker' is included in "
                                                "'mesos_slave_image_providers' Please add "
                                                "'docker/runtime' to 'mesos_slave_isolation' "
                                                "configuration flags"),
                                       1;
                }
        }
        const char *env = json_get_str(labels, "mesos_slave_executor_env_variables");
        if (env) {
                json_t *j = json_loads(env, JSON_DECODE_ANY, NULL);
                if (!j)
                        return res_fail(ctx, 400, "Json format error"), 1;
                json_decref(j);
        }
        const char *strat = json_get_str(labels, "swarm_strategy");
        if (strat) {
                _cleanup_free_ char *copy = xstrdup(strat);
                char *save = NULL;
                _cleanup_strbuf_ struct strbuf bad = STRBUF_INIT;
                for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
                        if (!in_list(strategies, t))
                                strbuf_addf(&bad, "%s%s", bad.len ? " " : "", t);
                if (bad.len)
                        return res_fail(ctx, 400,
                                        "property \"labels/swarm_strategy\" with value \"%s\" is "
                                        "not supported, supported values are: spread, binpack, "
                                        "random, unspecified",
                                        bad.buf),
                               1;
        }
        return 0;
}

int validate_cluster_name(struct res_ctx *ctx, const json_t *name)
{
        const char *s = json_string_value(name);
        if (!s)
                return 0;
        bool ok = ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'));
        for (const char *p = s + 1; ok && *p; p++)
                ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-';
        if (!ok)
                return res_fail(ctx, 400,
                                "Invalid input for field/attribute name. Value: '%s'. Value "
                                "should match the pattern ^[a-zA-Z][a-zA-Z0-9_.-]*$",
                                s),
                       1;
        return 0;
}

/* ---- cloud lookups ------------------------------------------------------------------------- */

static char *endpoint(struct res_ctx *ctx, const char *type)
{
        /* An explicitly configured URL wins over the catalog (tests, split deployments). */
        const char *c = streq(type, "image")     ? ctx->app->conf.glance_url
                        : streq(type, "compute") ? ctx->app->conf.nova_url
                                                 : ctx->app->conf.neutron_url;
        if (c)
                return xstrdup(c);
        char *url = NULL;
        if (ctx->token && ks_catalog_url(ctx->token, type, "public", NULL, &url) == 0)
                return url;
        if (ctx->app->ks) {
                _cleanup_err_ struct err e = ERR_INIT;
                if (ks_session_endpoint(ctx->app->ks, type, "public", NULL, &url, &e) == 0)
                        return url;
        }
        return NULL;
}

/* GET <service endpoint><path>; the answer (status + JSON body) is cached briefly per
 * (token, url). -ENXIO when no endpoint is known, transport errors otherwise. */
static int os_get(struct res_ctx *ctx, const char *type, const char *path, int *ret_status,
                  json_t **ret_body)
{
        _cleanup_free_ char *base = endpoint(ctx, type);
        if (!base)
                return -ENXIO;
        _cleanup_strbuf_ struct strbuf url = STRBUF_INIT, key = STRBUF_INIT;
        strbuf_addstr(&url, base);
        while (url.len && url.buf[url.len - 1] == '/')
                strbuf_setlen(&url, url.len - 1);
        strbuf_addstr(&url, path);
        strbuf_addf(&key, "%s %s", ctx->project_id ? ctx->project_id : "-", url.buf);
        struct res_app *app = ctx->app;
        int64_t now = time_mono_ms();
        pthread_mutex_lock(&app->cache_lock);
        for (size_t i = 0; i < app->cache_n; i++) {
                struct os_cache_entry *c = &app->cache[i];
                if (streq(c->key, key.buf) && now - c->at_ms < OS_CACHE_TTL_MS) {
                        *ret_status = c->status;
                        *ret_body = json_incref(c->body);
                        pthread_mutex_unlock(&app->cache_lock);
                        return 0;
                }
        }
        pthread_mutex_unlock(&app->cache_lock);

        _cleanup_strbuf_ struct strbuf auth = STRBUF_INIT;
        if (ctx->auth_token)
                strbuf_addf(&auth, "X-Auth-Token: %s", ctx->auth_token);
        const char *hdrs[] = {"Accept: application/json", auth.len ? auth.buf : NULL, NULL};
        struct http_request rq = {
                .method = "GET", .url = url.buf, .headers = hdrs, .timeout_ms = 10000};
        struct http_response resp = HTTP_RESPONSE_INIT;
        _cleanup_err_ struct err e = ERR_INIT;
        int r = http_perform(&rq, &resp, &e);
        if (r < 0) {
                log_warn_errno(r, "event=os_lookup_failed url=%s detail=\"%s\"", url.buf,
                               err_msg(&e));
                http_response_release(&resp);
                return r;
        }
        json_t *body = NULL;
        if (http_response_json(&resp, &body, NULL) < 0)
                body = json_null();
        int status = resp.status;
        http_response_release(&resp);

        pthread_mutex_lock(&app->cache_lock);
        struct os_cache_entry *slot = NULL;
        for (size_t i = 0; i < app->cache_n && !slot; i++)
                if (now - app->cache[i].at_ms >= OS_CACHE_TTL_MS ||
                    streq(app->cache[i].key, key.buf))
                        slot = &app->cache[i];
        if (!slot && app->cache_n < OS_CACHE_MAX) {
                if (app->cache_n == app->cache_alloc) {
                        app->cache_alloc = app->cache_alloc ? app->cache_alloc * 2 : 16;
                        app->cache = xrealloc(app->cache, app->cache_alloc * sizeof(*app->cache));
                }
                slot = &app->cache[app->cache_n++];
                *slot = (struct os_cache_entry){0};
        }
        if (slot) {
                free(slot->key);
                json_decref(slot->body);
                slot->key = xstrdup(key.buf);
                slot->status = status;
                slot->body = json_incref(body);
                slot->at_ms = now;
        }
        pthread_mutex_unlock(&app->cache_lock);
        *ret_status = status;
        *ret_body = body;
        return 0;
}

/* Finds a Glance image by id or name: 0 with *ret (new ref), -ENOENT, -EACCES, -ENOTUNIQ,
 * -ENXIO (no Glance), transport errors. */
static int image_find(struct res_ctx *ctx, const char *image, json_t **ret)
{
        int status;
        json_auto_t *body = NULL;
        _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
        if (uuid_is_like(image)) {
                strbuf_addstr(&path, "/v2/images/");
                strbuf_add_urlencoded(&path, image);
        } else {
                strbuf_addstr(&path, "/v2/images?name=");
                strbuf_add_urlencoded(&path, image);
        }
        int r = os_get(ctx, "image", path.buf, &status, &body);
        if (r < 0)
                return r;
        if (status == 404)
                return -ENOENT;
        if (status == 403)
                return -EACCES;
        if (status != 200)
                return -EIO;
        if (uuid_is_like(image)) {
                *ret = TAKE_PTR(body);
                return 0;
        }
        json_t *imgs = json_object_get(body, "images");
        if (json_array_size(imgs) == 0)
                return -ENOENT;
        if (json_array_size(imgs) > 1)
                return -ENOTUNIQ;
        *ret = json_incref(json_array_get(imgs, 0));
        return 0;
}

char *os_image_distro_quiet(struct res_ctx *ctx, const char *image)
{
        if (!image || ctx->app->conf.skip_os_checks)
                return NULL;
        json_auto_t *img = NULL;
        if (image_find(ctx, image, &img) < 0)
                return NULL;
        const char *d = json_get_str(img, "os_distro");
        return d ? xstrdup(d) : NULL;
}

int os_check_image(struct res_ctx *ctx, const char *image, char **ret_os_distro)
{
        *ret_os_distro = NULL;
        if (ctx->app->conf.skip_os_checks)
                return 0;
        json_auto_t *img = NULL;
        int r = image_find(ctx, image, &img);
        if (r == -ENOENT)
                return res_fail(ctx, 400, "Image %s could not be found.", image), 1;
        if (r == -EACCES)
                return res_fail(ctx, 403, "Not authorized for image %s.", image), 1;
        if (r == -ENOTUNIQ)
                return res_fail(ctx, 409,
                                "Multiple images exist with same name %s. Please use the "
                                "resource id instead.",
                                image),
                       1;
        if (r < 0)
                return res_fail_internal(ctx, r, NULL), 1;
        const char *d = json_get_str(img, "os_distro");
        if (!d || !*d)
                return res_fail(ctx, 400, "Image %s doesn't contain os_distro field.", image), 1;
        *ret_os_distro = xstrdup(d);
        return 0;
}

int os_check_flavor(struct res_ctx *ctx, const char *flavor)
{
        if (!flavor || ctx->app->conf.skip_os_checks)
                return 0;
        int status;
        json_auto_t *body = NULL;
        int r = os_get(ctx, "compute", "/flavors/detail", &status, &body);
        if (r < 0 || status != 200)
                return res_fail_internal(ctx, r < 0 ? r : -EIO, NULL), 1;
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(body, "flavors"), i, f)
        {
                const char *n = json_get_str(f, "name"), *id = json_get_str(f, "id");
                if ((n && streq(n, flavor)) || (id && streq(id, flavor)))
                        return 0;
        }
        return res_fail(ctx, 400, "Unable to find flavor %s.", flavor), 1;
}

int os_check_keypair(struct res_ctx *ctx, const char *keypair)
{
        if (!keypair || ctx->app->conf.skip_os_checks)
                return 0;
        _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
        strbuf_addstr(&path, "/os-keypairs/");
        strbuf_add_urlencoded(&path, keypair);
        int status;
        json_auto_t *body = NULL;
        int r = os_get(ctx, "compute", path.buf, &status, &body);
        if (r < 0)
                return res_fail_internal(ctx, r, NULL), 1;
        if (status == 404)
                return res_fail(ctx, 404, "Unable to find keypair %s.", keypair), 1;
        if (status != 200)
                return res_fail_internal(ctx, -EIO, NULL), 1;
        return 0;
}

int os_check_external_network(struct res_ctx *ctx, const char *net)
{
        if (!net || ctx->app->conf.skip_os_checks)
                return 0;
        int status;
        json_auto_t *body = NULL;
        int r = os_get(ctx, "network", "/v2.0/networks?router%3Aexternal=True", &status, &body);
        if (r < 0 || status != 200)
                return res_fail_internal(ctx, r < 0 ? r : -EIO, NULL), 1;
        int count = 0;
        size_t i;
        json_t *n;
        json_array_foreach(json_object_get(body, "networks"), i, n)
        {
                const char *nm = json_get_str(n, "name"), *id = json_get_str(n, "id");
                if ((nm && streq(nm, net)) || (id && streq(id, net)))
                        count++;
        }
        if (count == 0)
                return res_fail(ctx, 400, "Unable to find external network %s.", net), 1;
        if (count > 1)
                return res_fail(ctx, 409,
                                "Multiple external networks exist with same name '%s'. Please "
                                "use the external network ID instead.",
                                net),
                       1;
        return 0;
}

int validate_ct_os(struct res_ctx *ctx, json_t *ct, bool set_distro)
{
        /* Magnum's validators dict order: image_id, flavor_id, master_flavor_id,
         * external_network_id, labels. */
        _cleanup_free_ char *distro = NULL;
        const char *image = json_get_str(ct, "image_id");
        if (image && os_check_image(ctx, image, &distro))
                return 1;
        if (os_check_flavor(ctx, json_get_str(ct, "flavor_id")) ||
            os_check_flavor(ctx, json_get_str(ct, "master_flavor_id")) ||
            os_check_external_network(ctx, json_get_str(ct, "external_network_id")) ||
            validate_labels(ctx, json_object_get(ct, "labels")))
                return 1;
        if (set_distro && distro)
                json_object_set_new(ct, "cluster_distro", json_string(distro));
        return 0;
}
