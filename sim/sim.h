/*
 * magnum-sim internals: the one `struct sim` handle every part works on, the in-memory model
 * (one JSON object per resource, in the API's own shape, keyed by id), and the helpers the
 * per-service route files (nova.c, neutron.c, glance.c, cinder.c, octavia.c, admin.c) share.
 *
 * Locking: all model data sits behind sim->lock. Handlers take it, read/modify the model,
 * build their answer (deep copies), release it, then respond. Slow side effects (HAProxy
 * reloads, COE endpoints, signals) run on the engine thread (engine.c) outside the lock, driven
 * by "dirty" marks and a queue of timed transitions.
 *
 * Private bookkeeping inside a resource object lives under keys starting with '_' and is
 * stripped from every answer (sim_public).
 */
#ifndef MC_SIM_H
#define MC_SIM_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/httpd.h"

struct ks_session;
struct ks_token;

enum sim_kind {
        K_SERVER,
        K_FLAVOR,
        K_KEYPAIR,
        K_SERVER_GROUP,
        K_IMAGE,
        K_VOLUME,
        K_VOLUME_TYPE,
        K_NETWORK,
        K_SUBNET,
        K_ROUTER,
        K_PORT,
        K_FIP,
        K_SECGROUP,
        K_SGRULE,
        K_LB,
        K_LISTENER,
        K_POOL,
        K_MEMBER,
        K_HM,
        K_COUNT,
};

/* Which API a listener serves: decides the error body format. */
enum sim_svc {
        SVC_NOVA,
        SVC_NEUTRON,
        SVC_GLANCE,
        SVC_CINDER,
        SVC_OCTAVIA,
        SVC_ADMIN,
        SVC_COUNT,
};

struct sim_opts {
        char *host;
        int ports[SVC_COUNT];
        char *auth_strategy; /* "keystone" | "noauth" */
        int boot_delay_ms;
        int lb_delay_ms;
        int volume_delay_ms;
        int delete_delay_ms;
        char *state_dir;
        char *snapshot_file;
        char *haproxy_bin;
        char *floating_cidr; /* the external network's subnet: real loopback addresses */
        char *k8s_version;
        int k8s_port, swarm_port, mesos_port;
        int quota_instances, quota_cores, quota_ram;
        int quota_network, quota_subnet, quota_port, quota_router, quota_floatingip;
        int quota_security_group, quota_security_group_rule;
        int quota_volumes, quota_gigabytes;
        int quota_loadbalancer;
        int health_interval_ms;
        bool signal_enabled;
        char *orchestration_url; /* override for signalling, NULL = as found in user data */
        /* [keystone_authtoken] */
        char *ks_auth_url, *ks_username, *ks_password, *ks_project_name, *ks_user_domain_name,
                *ks_project_domain_name;
        char *log_level;
};

/* Injected faults (admin.c); read by the hooks and the engine under sim->lock. */
struct sim_faults {
        int fail_boots;               /* next N server boots go to ERROR */
        int delay_ms[SVC_COUNT];      /* added latency per service */
        int error_status[SVC_COUNT];  /* 409/500/503 ... at error_rate */
        double error_rate[SVC_COUNT]; /* 0..1 */
        int error_count[SVC_COUNT];   /* when > 0: fail exactly the next N requests */
};

struct sim_pending {
        int64_t due_ms; /* monotonic */
        enum sim_kind kind;
        char id[40];
};

struct sim_lb_proc;
struct sim_coe;

struct sim {
        pthread_mutex_t lock;
        struct sim_opts o;
        json_t *db[K_COUNT]; /* id → resource object */
        json_t *quotas;      /* project → {resource: limit} overrides */
        json_t *node_state;  /* server id → {"ready": false, "endpoint": false} */
        int next_block;      /* next 127.N block for a tenant network */
        struct sim_faults faults;
        struct sim_pending *pending;
        size_t n_pending, alloc_pending;
        bool lb_dirty;  /* some load balancer's HAProxy config must be re-rendered */
        bool coe_dirty; /* some COE endpoint may need starting/stopping */
        struct ks_session *ks;
        struct httpd *srv[SVC_COUNT];
        void *hook_data[SVC_COUNT];
        pthread_t engine;
        bool engine_running, stopping;
        int helpers; /* detached helper threads (signals, certificate bootstrap) */
        pthread_cond_t wake;
        /* engine-thread-only state */
        struct sim_lb_proc *lbs;
        struct sim_coe *coes;
        char *run_dir; /* state_dir/run: HAProxy configs, sockets, COE certs */
};

/* The per-request context set by the auth hook. */
struct sim_ctx {
        struct sim *sim;
        enum sim_svc svc;
        struct ks_token *tok; /* NULL in noauth mode */
        const char *project_id;
        const char *user_id;
        bool admin;
};

/* ---- lifecycle (main.c / sim.c) ---------------------------------------------------------- */

int sim_new(const struct sim_opts *o, struct sim **ret, struct err *e);
void sim_free(struct sim *s);
/* Empties the model and re-seeds it (flavors, images, public network, volume types). Takes
 * the lock itself. */
void sim_reset(struct sim *s);
int sim_start(struct sim *s, struct err *e);
void sim_stop(struct sim *s);
/* Writes / loads the model to / from a JSON file. */
int sim_snapshot_save(struct sim *s, const char *path, struct err *e);
int sim_snapshot_load(struct sim *s, const char *path, struct err *e);

/* ---- model (store.c) — call with the lock held ------------------------------------------- */

json_t *sim_get(struct sim *s, enum sim_kind k, const char *id);
/* Inserts obj (reference taken) under its "id". */
void sim_put(struct sim *s, enum sim_kind k, json_t *obj);
void sim_del(struct sim *s, enum sim_kind k, const char *id);
/* A new resource object with id, created_at/updated_at and project fields as the kind needs. */
json_t *sim_new_obj(struct sim *s, enum sim_kind k, const char *project_id);
/* Whether ctx may see obj (own project, admin, shared/public). */
bool sim_visible(const struct sim_ctx *c, enum sim_kind k, const json_t *obj);
/* A deep copy of obj without its private ('_') keys; honours ?fields= when req non-NULL. */
json_t *sim_public(const json_t *obj, struct httpd_req *req);
/* Neutron/Octavia style list filtering: every query key other than paging/fields must equal
 * the resource's value (repeated keys: any of them). */
bool sim_match_query(struct httpd_req *req, const json_t *obj, const char *const *skip);
/* The current time as the APIs show it: "2023-01-02T03:04:05Z" (Nova/Neutron/Glance) or with
 * microseconds ("...05.123456", Cinder/Octavia). */
void sim_time(char out[40], bool micro);
void sim_touch(json_t *obj, bool micro);
/* Counts resources of kind k owned by project. */
int sim_count(struct sim *s, enum sim_kind k, const char *project_id);
/* The effective quota limit for a project ("instances", "floatingip", ...). */
int sim_quota(struct sim *s, const char *project_id, const char *resource);
/* Schedules a transition (engine.c picks it up at due time). */
void sim_schedule(struct sim *s, enum sim_kind k, const char *id, int delay_ms);
/* Sets obj[key] = value (reference stolen). */
void sim_set(json_t *obj, const char *key, json_t *value);
void sim_set_str(json_t *obj, const char *key, const char *value);

/* ---- Neutron helpers other services use (neutron.c), lock held ----------------------------- */

/* Creates a port on network (optionally a fixed IP in subnet_id / ip_address). Errors as
 * Neutron answers them: fills *ret_status/ret_type/e. On success *ret is a borrowed port. */
int sim_port_create(struct sim *s, const struct sim_ctx *c, const json_t *body, json_t **ret,
                    int *ret_status, const char **ret_type, struct err *e);
void sim_port_delete(struct sim *s, const char *port_id);
/* The loopback address backing a fixed IP on a network (the external network's addresses are
 * their own backing). NULL when the network is unknown. Returns a static-free new string. */
char *sim_backing_addr(struct sim *s, const char *network_id, const char *ip);
/* Creates a network / subnet object directly (seeding, and the POST handlers). */
struct ipam_cidr;
json_t *sim_network_new(struct sim *s, const char *project, const json_t *b, int *ret_err);
json_t *sim_subnet_new(struct sim *s, const char *project, json_t *net, const json_t *b,
                       const struct ipam_cidr *cidr, const char *cidr_text);
/* Looks up a port by fixed IP within a subnet (or any subnet when subnet_id NULL). */
json_t *sim_port_by_ip(struct sim *s, const char *subnet_id, const char *ip);
/* The default security group of a project, created when missing. */
json_t *sim_default_secgroup(struct sim *s, const char *project_id);

/* Cinder helpers Nova uses (cinder.c), lock held. 0 or an HTTP status with message in e. */
int sim_volume_attach(struct sim *s, json_t *vol, const char *server_id, const char *device,
                      struct err *e);
void sim_volume_detach(struct sim *s, json_t *vol, const char *server_id);

/* base64 helpers (store.c). Decode: -EINVAL when not base64. Caller frees. */
int sim_b64_decode(const char *in, char **ret, size_t *ret_len);
char *sim_b64_encode(const void *data, size_t len);

/* ---- HTTP helpers (http.c) --------------------------------------------------------------- */

struct sim_ctx *sim_ctx(struct httpd_req *req);
/* Answers an error in the service's format. `type` is the Neutron exception name / Nova
 * fault key override (NULL = derived from the status). Returns 0. */
int sim_error(struct httpd_req *req, int status, const char *type, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* Parses the JSON request body; on failure answers 400 and returns < 0. */
int sim_body(struct httpd_req *req, json_t **ret);
int sim_reply(struct httpd_req *req, int status, json_t *j); /* steals j */
/* One kind of resource as the Nova, Cinder and Octavia handlers find and answer it. */
struct sim_res {
        enum sim_kind kind;
        const char *one; /* key of the answer's object: "server", "volume", "loadbalancer" */
        /* The 404 message is "<label> <id> <missing>": "Instance <id> could not be found." */
        const char *label, *missing;
        /* The answer's view of o (lock held); NULL: sim_public(o, req). */
        json_t *(*view)(struct httpd_req *req, json_t *o);
};
/* The resource of kind k with this id when the caller may see it, else NULL. Lock held. */
json_t *sim_find(struct httpd_req *req, enum sim_kind k, const char *id);
/* Answers 404 for a resource of r's kind the caller cannot see. Returns 0. */
int sim_not_found(struct httpd_req *req, const struct sim_res *r, const char *id);
/* Takes the lock and returns the visible resource with it still held; or answers 404, releases
 * the lock and returns NULL. */
json_t *sim_lock_find(struct httpd_req *req, const struct sim_res *r, const char *id);
/* Answers GET of one resource: 200 {"<one>": view} or 404. Takes the lock itself. */
int sim_show(struct httpd_req *req, const struct sim_res *r, const char *id);
/* Parses the JSON body and returns the object under key in *ret (owned by *ret_root); when the
 * body is malformed, or key holds no object (400 with message `missing`), answers and returns
 * < 0. */
int sim_body_member(struct httpd_req *req, const char *key, const char *missing, json_t **ret_root,
                    json_t **ret);
/* The hooks every service listener uses (auth, faults, error format). */
extern const struct httpd_hooks sim_hooks;
/* Route meta marking a route that needs no token (version documents). */
extern const char sim_public_meta[];
/* The hooks_data for a service's listener (freed by the caller with free()). */
void *sim_listener_data(struct sim *s, enum sim_svc svc);

/* Route tables per service. */
extern const struct httpd_route sim_nova_routes[];
extern const size_t sim_nova_n_routes;
extern const struct httpd_route sim_neutron_routes[];
extern const size_t sim_neutron_n_routes;
extern const struct httpd_route sim_glance_routes[];
extern const size_t sim_glance_n_routes;
extern const struct httpd_route sim_cinder_routes[];
extern const size_t sim_cinder_n_routes;
extern const struct httpd_route sim_octavia_routes[];
extern const size_t sim_octavia_n_routes;
extern const struct httpd_route sim_admin_routes[];
extern const size_t sim_admin_n_routes;

/* ---- engine (engine.c) ------------------------------------------------------------------- */

int sim_engine_start(struct sim *s, struct err *e);
void sim_engine_stop(struct sim *s);
/* Wakes the engine (after marking something dirty). */
void sim_engine_kick(struct sim *s);

/* Nova helpers used by the engine: finish a boot (ACTIVE or ERROR). Lock held. */
void sim_nova_boot_done(struct sim *s, json_t *server);
void sim_nova_server_gone(struct sim *s, const char *server_id);
/* Octavia: finish a pending provisioning transition. Lock held. */
void sim_octavia_settle(struct sim *s, enum sim_kind k, json_t *obj);
/* Octavia: recompute operating statuses from member health (up: member id → bool). Lock
 * held. */
void sim_octavia_health(struct sim *s, const char *lb_id, json_t *member_up);

/* ---- HAProxy (haproxy.c) ----------------------------------------------------------------- */

/* One load balancer's desired state: cfg NULL = no process. */
struct sim_lb_plan {
        char *lb_id;
        char *cfg;
};
/* Renders every load balancer's configuration (lock held). *ret_n entries, caller frees with
 * sim_lb_plan_free. */
struct sim_lb_plan *sim_haproxy_plan(struct sim *s, size_t *ret_n);
void sim_lb_plan_free(struct sim_lb_plan *p, size_t n);
/* Starts / reloads / stops HAProxy processes to match the plan (no lock). */
void sim_haproxy_apply(struct sim *s, struct sim_lb_plan *p, size_t n);
/* Reads member health from every HAProxy stats socket and updates statuses (takes the lock). */
void sim_haproxy_poll(struct sim *s);
void sim_haproxy_stop_all(struct sim *s);

/* ---- COE endpoints (coe.c) --------------------------------------------------------------- */

struct sim_coe_plan {
        char *server_id;
        char *coe;    /* "kubernetes" | "swarm" | "mesos" */
        char **addrs; /* NULL-terminated addresses to listen on; none = stop */
        bool master;
        char *cluster;   /* cluster key */
        char *user_data; /* decoded user_data + metadata text to find credentials in */
};
struct sim_coe_plan *sim_coe_plan(struct sim *s, size_t *ret_n);
void sim_coe_plan_free(struct sim_coe_plan *p, size_t n);
void sim_coe_apply(struct sim *s, struct sim_coe_plan *p, size_t n);
void sim_coe_stop_all(struct sim *s);
/* Hands a server's COE endpoint its TLS material directly (admin API / tests). */
int sim_coe_set_tls(struct sim *s, const char *server_id, const char *ca_pem, const char *cert_pem,
                    const char *key_pem, struct err *e);

/* ---- signalling (signal.c) ---------------------------------------------------------------- */

/* Collects what a booted server's user_data / metadata ask it to signal (lock held) and sends
 * it from a detached thread. */
void sim_signal_server(struct sim *s, json_t *server);

#endif
