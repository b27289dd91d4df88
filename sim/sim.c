/*
 * The sim handle: creation, seed data (flavors, COE images, the external network `public`,
 * volume types), reset, snapshots, and starting/stopping the six listeners.
 */
#include "common/common.h"

#include <sys/stat.h>

#include "common/ids.h"
#include "common/json_util.h"
#include "common/keystone.h"
#include "sim/ipam.h"
#include "sim/sim.h"

json_t *sim_image_new(struct sim *s, const char *owner, const json_t *b);
void sim_image_activate(json_t *o, const char *fake_data);

static const char *const kind_names[K_COUNT] = {
        [K_SERVER] = "servers",
        [K_FLAVOR] = "flavors",
        [K_KEYPAIR] = "keypairs",
        [K_SERVER_GROUP] = "server_groups",
        [K_IMAGE] = "images",
        [K_VOLUME] = "volumes",
        [K_VOLUME_TYPE] = "volume_types",
        [K_NETWORK] = "networks",
        [K_SUBNET] = "subnets",
        [K_ROUTER] = "routers",
        [K_PORT] = "ports",
        [K_FIP] = "floatingips",
        [K_SECGROUP] = "security_groups",
        [K_SGRULE] = "security_group_rules",
        [K_LB] = "loadbalancers",
        [K_LISTENER] = "listeners",
        [K_POOL] = "pools",
        [K_MEMBER] = "members",
        [K_HM] = "healthmonitors",
};

static void seed_flavors(struct sim *s)
{
        static const struct {
                const char *id, *name;
                int vcpus, ram, disk;
        } fl[] = {
                {"1", "m1.tiny", 1, 512, 1},       {"2", "m1.small", 1, 2048, 20},
                {"3", "m1.medium", 2, 4096, 40},   {"4", "m1.large", 4, 8192, 80},
                {"5", "m1.xlarge", 8, 16384, 160}, {"42", "m1.nano", 1, 128, 1},
                {"84", "m1.micro", 1, 192, 1},     {"ds2G", "ds2G", 2, 2048, 10},
        };
        for (size_t i = 0; i < ARRAY_SIZE(fl); i++) {
                json_t *o = json_pack("{s:s?,s:s?,s:i,s:i,s:i,s:s?,s:i,s:b,s:b,s:f,s:s?}", "id",
                                      fl[i].id, "name", fl[i].name, "vcpus", fl[i].vcpus, "ram",
                                      fl[i].ram, "disk", fl[i].disk, "swap", "",
                                      "OS-FLV-EXT-DATA:ephemeral", 0, "OS-FLV-DISABLED:disabled",
                                      false, "os-flavor-access:is_public", true, "rxtx_factor", 1.0,
                                      "description", NULL);
                json_object_set_new(o, "description", json_null());
                sim_put(s, K_FLAVOR, json_checked(o));
        }
}

static void seed_images(struct sim *s)
{
        static const struct {
                const char *name, *distro, *coe;
        } im[] = {
                {"fedora-coreos-latest", "fedora-coreos", "kubernetes"},
                {"fedora-atomic-latest", "fedora-atomic", "swarm"},
                {"ubuntu-mesos", "ubuntu", "mesos"},
                {"cirros-0.5.2-x86_64-disk", "cirros", NULL},
        };
        for (size_t i = 0; i < ARRAY_SIZE(im); i++) {
                json_auto_t *b = json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?}", "name", im[i].name,
                                           "visibility", "public", "disk_format", "qcow2",
                                           "container_format", "bare", "os_distro", im[i].distro);
                if (im[i].coe)
                        json_object_set_new(b, "magnum_sim_coe", json_string(im[i].coe));
                json_t *o = sim_image_new(s, NULL, b);
                sim_set(o, "owner", json_null());
                sim_image_activate(o, im[i].name);
        }
}

static void seed_network(struct sim *s)
{
        struct ipam_cidr cidr;
        if (ipam_parse_cidr(s->o.floating_cidr, true, &cidr) < 0) {
                log_warn("event=bad_floating_cidr cidr=%s", s->o.floating_cidr);
                return;
        }
        json_auto_t *nb = json_pack("{s:s?,s:b}", "name", "public", "router:external", true);
        int r;
        json_t *net = sim_network_new(s, NULL, nb, &r);
        if (!net)
                return;
        char n[16], text[24];
        ipam_format(cidr.net, n);
        snprintf(text, sizeof(text), "%s/%u", n, cidr.prefix);
        json_auto_t *sb = json_pack("{s:s?}", "name", "public-subnet");
        sim_subnet_new(s, NULL, net, sb, &cidr, text);
}

static void seed_volume_types(struct sim *s)
{
        static const char *const names[] = {"__DEFAULT__", "lvmdriver-1"};
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                json_t *t = sim_new_obj(s, K_VOLUME_TYPE, NULL);
                json_object_del(t, "created_at");
                json_object_del(t, "updated_at");
                sim_set_str(t, "name", names[i]);
                sim_set_str(t, "description", i == 0 ? "Default Volume Type" : NULL);
                sim_set(t, "is_public", json_true());
                sim_set(t, "os-volume-type-access:is_public", json_true());
                sim_set(t, "extra_specs",
                        i == 0 ? json_object()
                               : json_pack("{s:s?}", "volume_backend_name", "lvmdriver-1"));
                sim_set(t, "qos_specs_id", json_null());
                sim_put(s, K_VOLUME_TYPE, t);
        }
}

static void model_clear(struct sim *s)
{
        for (int k = 0; k < K_COUNT; k++) {
                json_decref(s->db[k]);
                s->db[k] = json_checked(json_object());
        }
        json_decref(s->quotas);
        s->quotas = json_checked(json_object());
        json_decref(s->node_state);
        s->node_state = json_checked(json_object());
        s->next_block = 1;
        s->n_pending = 0;
        memset(&s->faults, 0, sizeof(s->faults));
        s->lb_dirty = s->coe_dirty = true;
}

void sim_reset(struct sim *s)
{
        pthread_mutex_lock(&s->lock);
        model_clear(s);
        seed_flavors(s);
        seed_images(s);
        seed_network(s);
        seed_volume_types(s);
        pthread_mutex_unlock(&s->lock);
        sim_engine_kick(s);
}

int sim_new(const struct sim_opts *o, struct sim **ret, struct err *e)
{
        struct sim *s = xnew(struct sim, 1);
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->wake, NULL);
        s->o = *o;
        s->run_dir = xasprintf("%s/run", o->state_dir);
        if (mkdir(o->state_dir, 0700) < 0 && errno != EEXIST) {
                int r = -errno;
                sim_free(s);
                return err_set(e, r, "cannot create state directory %s", o->state_dir);
        }
        if (mkdir(s->run_dir, 0700) < 0 && errno != EEXIST) {
                int r = -errno;
                sim_free(s);
                return err_set(e, r, "cannot create %s", s->run_dir);
        }
        if (streq(o->auth_strategy, "keystone")) {
                struct ks_session_opts ko = {
                        .auth = {.auth_url = o->ks_auth_url,
                                 .username = o->ks_username,
                                 .password = o->ks_password,
                                 .project_name = o->ks_project_name,
                                 .user_domain_name = o->ks_user_domain_name,
                                 .project_domain_name = o->ks_project_domain_name},
                };
                int r = ks_session_new(&ko, &s->ks, e);
                if (r < 0) {
                        sim_free(s);
                        return r;
                }
        } else if (!streq(o->auth_strategy, "noauth")) {
                sim_free(s);
                return err_set(e, -EINVAL,
                               "[sim] auth_strategy must be keystone or noauth, not "
                               "'%s'",
                               o->auth_strategy);
        }
        model_clear(s);
        seed_flavors(s);
        seed_images(s);
        seed_network(s);
        seed_volume_types(s);
        *ret = s;
        return 0;
}

void sim_free(struct sim *s)
{
        if (!s)
                return;
        for (int k = 0; k < K_COUNT; k++)
                json_decref(s->db[k]);
        json_decref(s->quotas);
        json_decref(s->node_state);
        free(s->pending);
        if (s->ks)
                ks_session_free(s->ks);
        free(s->run_dir);
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->wake);
        free(s);
}

static const struct {
        enum sim_svc svc;
        const char *name;
        const struct httpd_route *routes;
        const size_t *n;
} listeners[] = {
        {SVC_NOVA, "nova", sim_nova_routes, &sim_nova_n_routes},
        {SVC_NEUTRON, "neutron", sim_neutron_routes, &sim_neutron_n_routes},
        {SVC_GLANCE, "glance", sim_glance_routes, &sim_glance_n_routes},
        {SVC_CINDER, "cinder", sim_cinder_routes, &sim_cinder_n_routes},
        {SVC_OCTAVIA, "octavia", sim_octavia_routes, &sim_octavia_n_routes},
        {SVC_ADMIN, "sim-admin", sim_admin_routes, &sim_admin_n_routes},
};

int sim_start(struct sim *s, struct err *e)
{
        int r = sim_engine_start(s, e);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ARRAY_SIZE(listeners); i++) {
                enum sim_svc svc = listeners[i].svc;
                /* route data = the sim; routes are copied by httpd_start */
                size_t n = *listeners[i].n;
                struct httpd_route *routes = xnew(struct httpd_route, n);
                for (size_t j = 0; j < n; j++) {
                        routes[j] = listeners[i].routes[j];
                        routes[j].data = s;
                }
                s->hook_data[svc] = sim_listener_data(s, svc);
                struct httpd_opts ho = {.name = listeners[i].name,
                                        .host = s->o.host,
                                        .port = s->o.ports[svc],
                                        .routes = routes,
                                        .n_routes = n,
                                        .hooks = &sim_hooks,
                                        .hooks_data = s->hook_data[svc],
                                        .max_body_bytes = 4 * 1024 * 1024,
                                        .quiet = !log_level_enabled(LOG_LVL_DEBUG)};
                r = httpd_start(&ho, &s->srv[svc], e);
                free(routes);
                if (r < 0) {
                        sim_stop(s);
                        return r;
                }
        }
        return 0;
}

void sim_stop(struct sim *s)
{
        for (int i = 0; i < SVC_COUNT; i++) {
                httpd_stop(s->srv[i]);
                s->srv[i] = NULL;
                free(s->hook_data[i]);
                s->hook_data[i] = NULL;
        }
        sim_engine_stop(s);
}

int sim_snapshot_save(struct sim *s, const char *path, struct err *e)
{
        json_auto_t *j = json_checked(json_object());
        pthread_mutex_lock(&s->lock);
        for (int k = 0; k < K_COUNT; k++)
                json_object_set_new(j, kind_names[k], json_deep_copy(s->db[k]));
        json_object_set_new(j, "_quotas", json_deep_copy(s->quotas));
        json_object_set_new(j, "_node_state", json_deep_copy(s->node_state));
        json_object_set_new(j, "_next_block", json_integer(s->next_block));
        pthread_mutex_unlock(&s->lock);
        _cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
        if (json_dump_file(j, tmp, JSON_COMPACT) < 0)
                return err_set(e, -EIO, "cannot write snapshot %s", tmp);
        if (rename(tmp, path) < 0)
                return err_set(e, -errno, "cannot rename snapshot to %s", path);
        return 0;
}

int sim_snapshot_load(struct sim *s, const char *path, struct err *e)
{
        json_error_t je;
        json_auto_t *j = json_load_file(path, 0, &je);
        if (!j)
                return err_set(e, access(path, F_OK) == 0 ? -EINVAL : -ENOENT, "snapshot %s: %s",
                               path, je.text);
        pthread_mutex_lock(&s->lock);
        for (int k = 0; k < K_COUNT; k++) {
                json_t *v = json_object_get(j, kind_names[k]);
                if (json_is_object(v)) {
                        json_decref(s->db[k]);
                        s->db[k] = json_incref(v);
                }
        }
        json_t *q = json_object_get(j, "_quotas");
        if (json_is_object(q)) {
                json_decref(s->quotas);
                s->quotas = json_incref(q);
        }
        json_t *ns = json_object_get(j, "_node_state");
        if (json_is_object(ns)) {
                json_decref(s->node_state);
                s->node_state = json_incref(ns);
        }
        s->next_block = (int)json_get_int(j, "_next_block", 1);
        /* anything mid-transition finishes now */
        for (int k = 0; k < K_COUNT; k++) {
                const char *id;
                json_t *v;
                json_object_foreach(s->db[k], id, v)
                {
                        const char *st = json_get_str(v, "status");
                        const char *ps = json_get_str(v, "provisioning_status");
                        if ((st && (streq(st, "BUILD") || streq(st, "creating") ||
                                    streq(st, "deleting"))) ||
                            (ps && str_starts_with(ps, "PENDING_")))
                                sim_schedule(s, (enum sim_kind)k, id, 0);
                }
        }
        s->lb_dirty = s->coe_dirty = true;
        pthread_mutex_unlock(&s->lock);
        return 0;
}
