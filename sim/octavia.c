/*
 * Simulated Octavia (load-balancer API v2): load balancers with a VIP port on their subnet,
 * listeners, pools, members and health monitors, with Octavia's provisioning statuses (a change
 * puts the object in PENDING_* and its load balancer in PENDING_UPDATE, making it immutable
 * until the change lands after [sim] lb_delay_ms) and operating statuses fed by the real
 * HAProxy behind each load balancer (haproxy.c).
 */
#include "common/common.h"

#include "common/ids.h"
#include "common/json_util.h"
#include "sim/sim.h"

#define LOCK(s)   pthread_mutex_lock(&(s)->lock)
#define UNLOCK(s) pthread_mutex_unlock(&(s)->lock)

/*
 * One descriptor per object kind drives the generic handlers (list_res, show_res, create_res,
 * update_res, delete_res); the hooks hold what is particular to the kind and answer their own
 * errors, then return < 0.
 */
struct ores {
        struct sim_res res; /* kind, answer key, and the 404 "<label> <id> not found." */
        const char *coll;
        const char *const *update_keys; /* what a PUT may change */
        /* Refuses a create body before the lock is taken. */
        int (*create_check)(struct httpd_req *req, const json_t *b);
        /* With the lock held: builds and stores the object, linked into its parents; *ret_lb is
         * the load balancer the change puts in PENDING_UPDATE (the object itself for one). */
        int (*create)(struct httpd_req *req, struct sim *s, const json_t *b, json_t **ret,
                      json_t **ret_lb);
};

/* Defined after the hooks, with the route glue at the end of the file. */
static const struct ores R_LB, R_LIS, R_POOL, R_MEM, R_HM;

static int not_found(struct httpd_req *req, const struct ores *r, const char *id)
{
        return sim_not_found(req, &r->res, id);
}

static json_t *idref(const char *id)
{
        return json_pack("{s:s?}", "id", id);
}

static void remove_ref(json_t *arr, const char *id)
{
        for (size_t i = 0; i < json_array_size(arr); i++) {
                const char *x = json_get_str(json_array_get(arr, i), "id");
                if (x && streq(x, id)) {
                        json_array_remove(arr, i);
                        return;
                }
        }
}

static void base_fields(json_t *o, const json_t *b, const char *project)
{
        const char *name = json_get_str(b, "name");
        const char *d = json_get_str(b, "description");
        sim_set_str(o, "name", name ? name : "");
        sim_set_str(o, "description", d ? d : "");
        sim_set(o, "admin_state_up", json_boolean(json_get_bool(b, "admin_state_up", true)));
        sim_set_str(o, "project_id", project);
        sim_set_str(o, "tenant_id", project);
        sim_set_str(o, "provisioning_status", "PENDING_CREATE");
        sim_set_str(o, "operating_status", "OFFLINE");
        json_t *tags = json_object_get(b, "tags");
        sim_set(o, "tags", json_is_array(tags) ? json_deep_copy(tags) : json_array());
        sim_set(o, "updated_at", json_null());
}

/* The load balancer a child belongs to. */
static json_t *lb_of(struct sim *s, json_t *o)
{
        return sim_get(s, K_LB, json_get_str(o, "_lb"));
}

static bool lb_mutable(json_t *lb)
{
        const char *ps = json_get_str(lb, "provisioning_status");
        return ps && (streq(ps, "ACTIVE") || streq(ps, "ERROR"));
}

static int immutable(struct httpd_req *req, json_t *lb)
{
        return sim_error(req, 409, NULL, "Load Balancer %s is immutable and cannot be updated.",
                         json_get_str(lb, "id"));
}

/* Starts a change on child (or on the LB itself when child == lb). */
static void begin(struct sim *s, enum sim_kind k, json_t *child, json_t *lb, const char *status)
{
        sim_set_str(child, "provisioning_status", status);
        if (child != lb)
                sim_set_str(lb, "provisioning_status", "PENDING_UPDATE");
        sim_schedule(s, k, json_get_str(child, "id"), s->o.lb_delay_ms);
}

static void delete_child(struct sim *s, enum sim_kind k, json_t *o);

static void delete_member(struct sim *s, json_t *m)
{
        json_t *pool = sim_get(s, K_POOL, json_get_str(m, "_pool"));
        if (pool)
                remove_ref(json_object_get(pool, "members"), json_get_str(m, "id"));
        sim_del(s, K_MEMBER, json_get_str(m, "id"));
}

static void delete_hm(struct sim *s, json_t *hm)
{
        json_t *pool = sim_get(s, K_POOL, json_get_str(hm, "_pool"));
        if (pool)
                sim_set(pool, "healthmonitor_id", json_null());
        sim_del(s, K_HM, json_get_str(hm, "id"));
}

static void delete_pool(struct sim *s, json_t *pool)
{
        const char *id = json_get_str(pool, "id");
        json_t *members = json_deep_copy(json_object_get(pool, "members"));
        size_t i;
        json_t *m;
        json_array_foreach(members, i, m)
        {
                json_t *mo = sim_get(s, K_MEMBER, json_get_str(m, "id"));
                if (mo)
                        delete_member(s, mo);
        }
        json_decref(members);
        json_t *hm = sim_get(s, K_HM, json_get_str(pool, "healthmonitor_id"));
        if (hm)
                delete_hm(s, hm);
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_LISTENER], k, v)
        {
                const char *dp = json_get_str(v, "default_pool_id");
                if (dp && streq(dp, id))
                        sim_set(v, "default_pool_id", json_null());
        }
        json_t *lb = lb_of(s, pool);
        if (lb)
                remove_ref(json_object_get(lb, "pools"), id);
        sim_del(s, K_POOL, id);
}

static void delete_listener(struct sim *s, json_t *l)
{
        const char *id = json_get_str(l, "id");
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_POOL], k, v) remove_ref(json_object_get(v, "listeners"), id);
        json_t *lb = lb_of(s, l);
        if (lb)
                remove_ref(json_object_get(lb, "listeners"), id);
        sim_del(s, K_LISTENER, id);
}

static void delete_lb(struct sim *s, json_t *lb)
{
        const char *id = json_get_str(lb, "id");
        json_t *pools = json_deep_copy(json_object_get(lb, "pools"));
        json_t *lis = json_deep_copy(json_object_get(lb, "listeners"));
        size_t i;
        json_t *x;
        json_array_foreach(pools, i, x)
        {
                json_t *p = sim_get(s, K_POOL, json_get_str(x, "id"));
                if (p)
                        delete_pool(s, p);
        }
        json_array_foreach(lis, i, x)
        {
                json_t *l = sim_get(s, K_LISTENER, json_get_str(x, "id"));
                if (l)
                        delete_listener(s, l);
        }
        json_decref(pools);
        json_decref(lis);
        sim_port_delete(s, json_get_str(lb, "vip_port_id"));
        sim_del(s, K_LB, id);
}

static void delete_child(struct sim *s, enum sim_kind k, json_t *o)
{
        switch (k) {
        case K_LB:
                delete_lb(s, o);
                break;
        case K_LISTENER:
                delete_listener(s, o);
                break;
        case K_POOL:
                delete_pool(s, o);
                break;
        case K_MEMBER:
                delete_member(s, o);
                break;
        case K_HM:
                delete_hm(s, o);
                break;
        default:
                break;
        }
}

void sim_octavia_settle(struct sim *s, enum sim_kind k, json_t *o)
{
        const char *ps = json_get_str(o, "provisioning_status");
        if (!ps || !str_starts_with(ps, "PENDING_"))
                return;
        json_t *lb = k == K_LB ? o : lb_of(s, o);
        bool del = streq(ps, "PENDING_DELETE");
        if (del) {
                delete_child(s, k, o);
                if (k == K_LB)
                        lb = NULL;
        } else {
                sim_set_str(o, "provisioning_status", "ACTIVE");
                const char *os = json_get_str(o, "operating_status");
                if (os && streq(os, "OFFLINE") && json_get_bool(o, "admin_state_up", true))
                        sim_set_str(o, "operating_status", k == K_MEMBER ? "NO_MONITOR" : "ONLINE");
                if (!json_get_bool(o, "admin_state_up", true))
                        sim_set_str(o, "operating_status", "OFFLINE");
                sim_touch(o, true);
        }
        if (lb) {
                sim_set_str(lb, "provisioning_status", "ACTIVE");
                const char *os = json_get_str(lb, "operating_status");
                if (os && streq(os, "OFFLINE") && json_get_bool(lb, "admin_state_up", true))
                        sim_set_str(lb, "operating_status", "ONLINE");
        }
        s->lb_dirty = true;
}

void sim_octavia_health(struct sim *s, const char *lb_id, json_t *member_up)
{
        json_t *lb = sim_get(s, K_LB, lb_id);
        if (!lb)
                return;
        size_t i;
        json_t *pref;
        bool lb_degraded = false;
        json_array_foreach(json_object_get(lb, "pools"), i, pref)
        {
                json_t *pool = sim_get(s, K_POOL, json_get_str(pref, "id"));
                if (!pool)
                        continue;
                int up = 0, down = 0, total = 0;
                size_t j;
                json_t *mref;
                json_array_foreach(json_object_get(pool, "members"), j, mref)
                {
                        const char *mid = json_get_str(mref, "id");
                        json_t *m = sim_get(s, K_MEMBER, mid);
                        if (!m)
                                continue;
                        const char *st = json_get_str(member_up, mid);
                        const char *os;
                        if (!json_get_bool(m, "admin_state_up", true) || (st && streq(st, "MAINT")))
                                os = "OFFLINE";
                        else if (!st || streq(st, "NOCHECK"))
                                os = "NO_MONITOR";
                        else if (streq(st, "UP"))
                                os = "ONLINE";
                        else
                                os = "ERROR";
                        total++;
                        if (streq(os, "ONLINE") || streq(os, "NO_MONITOR"))
                                up++;
                        else if (streq(os, "ERROR"))
                                down++;
                        if (!streq(json_get_str(m, "operating_status"), os))
                                sim_set_str(m, "operating_status", os);
                }
                const char *pos = "ONLINE";
                if (total > 0 && up == 0 && down > 0)
                        pos = "ERROR";
                else if (down > 0)
                        pos = "DEGRADED";
                if (!json_get_bool(pool, "admin_state_up", true))
                        pos = "OFFLINE";
                if (!streq(pos, "ONLINE"))
                        lb_degraded = true;
                const char *ps = json_get_str(pool, "provisioning_status");
                if (ps && streq(ps, "ACTIVE"))
                        sim_set_str(pool, "operating_status", pos);
        }
        const char *lps = json_get_str(lb, "provisioning_status");
        if (lps && streq(lps, "ACTIVE") && json_get_bool(lb, "admin_state_up", true))
                sim_set_str(lb, "operating_status", lb_degraded ? "DEGRADED" : "ONLINE");
}

/* ---- generic list / show ------------------------------------------------------------- */

/* GET of a collection; members are listed under their pool. */
static int list_res(struct httpd_req *req, const struct ores *r)
{
        const char *pool_id = r->res.kind == K_MEMBER ? httpd_req_param(req, "pool") : NULL;
        struct sim_ctx *c = sim_ctx(req);
        struct sim *s = c->sim;
        json_t *arr = json_checked(json_array());
        LOCK(s);
        if (pool_id && !sim_find(req, K_POOL, pool_id)) {
                UNLOCK(s);
                json_decref(arr);
                return not_found(req, &R_POOL, pool_id);
        }
        const char *k;
        json_t *v;
        json_object_foreach(s->db[r->res.kind], k, v)
        {
                if (!sim_visible(c, r->res.kind, v) || !sim_match_query(req, v, NULL))
                        continue;
                if (pool_id && !streq(json_get_str(v, "_pool"), pool_id))
                        continue;
                json_array_append_new(arr, sim_public(v, req));
        }
        UNLOCK(s);
        _cleanup_free_ char *links = xasprintf("%s_links", r->coll);
        return sim_reply(req, 200, json_checked(json_pack("{s:o,s:[]}", r->coll, arr, links)));
}

static int show_res(struct httpd_req *req, const struct ores *r)
{
        return sim_show(req, &r->res, httpd_req_param(req, "id"));
}

static int wrapped(struct httpd_req *req, const struct ores *r, json_t **ret_root, json_t **ret)
{
        json_t *root;
        if (sim_body(req, &root) < 0)
                return -EINVAL;
        json_t *b = json_object_get(root, r->res.one);
        if (!json_is_object(b)) {
                json_decref(root);
                sim_error(req, 400, NULL,
                          "Invalid input for field/attribute %s. Value: 'None'. Mandatory field "
                          "missing.",
                          r->res.one);
                return -EINVAL;
        }
        *ret_root = root;
        *ret = b;
        return 0;
}

static int mandatory(struct httpd_req *req, const char *field)
{
        return sim_error(req, 400, NULL,
                         "Invalid input for field/attribute %s. Value: 'None'. Mandatory field "
                         "missing.",
                         field);
}

/* ---- load balancers ------------------------------------------------------------------ */

static int lb_check(struct httpd_req *req, const json_t *b)
{
        const char *subnet_id = json_get_str(b, "vip_subnet_id");
        const char *net_id = json_get_str(b, "vip_network_id");
        const char *port_id = json_get_str(b, "vip_port_id");
        const char *provider = json_get_str(b, "provider");
        if (!subnet_id && !net_id && !port_id) {
                sim_error(req, 400, NULL,
                          "Validation failure: VIP must contain one of: vip_port_id, "
                          "vip_network_id, vip_subnet_id.");
                return -EINVAL;
        }
        if (provider && !streq(provider, "amphora") && !streq(provider, "octavia")) {
                sim_error(req, 400, NULL, "Provider '%s' is not enabled.", provider);
                return -EINVAL;
        }
        return 0;
}

static int lb_create(struct httpd_req *req, struct sim *s, const json_t *b, json_t **ret,
                     json_t **ret_lb)
{
        struct sim_ctx *c = sim_ctx(req);
        const char *subnet_id = json_get_str(b, "vip_subnet_id");
        const char *net_id = json_get_str(b, "vip_network_id");
        const char *port_id = json_get_str(b, "vip_port_id");
        const char *provider = json_get_str(b, "provider");
        const char *project = c->project_id;
        if (c->admin && json_get_str(b, "project_id"))
                project = json_get_str(b, "project_id");
        int limit = sim_quota(s, project, "loadbalancer");
        if (limit >= 0 && sim_count(s, K_LB, project) >= limit) {
                sim_error(req, 403, NULL,
                          "Quota has been met for resources: "
                          "LoadBalancer");
                return -EDQUOT;
        }
        json_t *port = NULL;
        if (port_id) {
                port = sim_get(s, K_PORT, port_id);
                if (!port || !sim_visible(c, K_PORT, port)) {
                        sim_error(req, 400, NULL, "Validation failure: Port %s not found.",
                                  port_id);
                        return -EINVAL;
                }
        } else {
                json_t *sub = subnet_id ? sim_get(s, K_SUBNET, subnet_id) : NULL;
                if (subnet_id && (!sub || !sim_visible(c, K_SUBNET, sub))) {
                        sim_error(req, 400, NULL, "Validation failure: Subnet %s not found.",
                                  subnet_id);
                        return -EINVAL;
                }
                if (!subnet_id) {
                        json_t *net = sim_get(s, K_NETWORK, net_id);
                        if (!net || !sim_visible(c, K_NETWORK, net)) {
                                sim_error(req, 400, NULL,
                                          "Validation failure: Network %s not found.", net_id);
                                return -EINVAL;
                        }
                        sub = sim_get(s, K_SUBNET,
                                      json_string_value(
                                              json_array_get(json_object_get(net, "subnets"), 0)));
                        if (!sub) {
                                sim_error(req, 400, NULL,
                                          "Validation failure: Supplied network does not "
                                          "contain a subnet.");
                                return -EINVAL;
                        }
                        subnet_id = json_get_str(sub, "id");
                }
                json_auto_t *pb =
                        json_pack("{s:s?,s:s?,s:s?,s:[{s:s?}]}", "network_id",
                                  json_get_str(sub, "network_id"), "device_owner", "Octavia",
                                  "project_id", project, "fixed_ips", "subnet_id", subnet_id);
                const char *vip = json_get_str(b, "vip_address");
                if (vip)
                        json_object_set_new(json_array_get(json_object_get(pb, "fixed_ips"), 0),
                                            "ip_address", json_string(vip));
                int status;
                const char *type;
                _cleanup_err_ struct err e = ERR_INIT;
                struct sim_ctx admin = *c;
                admin.admin = true;
                if (sim_port_create(s, &admin, pb, &port, &status, &type, &e) < 0) {
                        sim_error(req, status == 409 ? 409 : 400, NULL, "Validation failure: %s",
                                  err_msg(&e));
                        return -EINVAL;
                }
                sim_set(port, "security_groups", json_array());
        }
        json_t *o = sim_new_obj(s, K_LB, project);
        const char *id = json_get_str(o, "id");
        _cleanup_free_ char *pname = xasprintf("octavia-lb-%s", id);
        sim_set_str(port, "name", pname);
        sim_set_str(port, "device_id", id);
        sim_set_str(port, "device_owner", "Octavia");
        json_t *f0 = json_array_get(json_object_get(port, "fixed_ips"), 0);
        base_fields(o, b, project);
        sim_set_str(o, "vip_address", json_get_str(f0, "ip_address"));
        sim_set_str(o, "vip_port_id", json_get_str(port, "id"));
        sim_set_str(o, "vip_subnet_id", json_get_str(f0, "subnet_id"));
        sim_set_str(o, "vip_network_id", json_get_str(port, "network_id"));
        sim_set(o, "vip_qos_policy_id", json_null());
        sim_set(o, "listeners", json_array());
        sim_set(o, "pools", json_array());
        sim_set_str(o, "provider", provider ? provider : "amphora");
        sim_set(o, "flavor_id", json_null());
        sim_set(o, "availability_zone", json_null());
        sim_set(o, "additional_vips", json_array());
        sim_set_str(o, "_lb", id);
        sim_put(s, K_LB, o);
        *ret = o;
        *ret_lb = o;
        return 0;
}

/* The load balancer a change to o (of kind k) goes through, when it may change now; else
 * answers 409 and returns NULL. */
static json_t *mutable_lb(struct httpd_req *req, struct sim *s, enum sim_kind k, json_t *o)
{
        json_t *lb = k == K_LB ? o : lb_of(s, o);
        if (!lb || !lb_mutable(lb)) {
                immutable(req, lb ? lb : o);
                return NULL;
        }
        return lb;
}

/* POST of any Octavia object: the kind builds it, it starts in PENDING_CREATE. */
static int create_res(struct httpd_req *req, const struct ores *r)
{
        struct sim *s = sim_ctx(req)->sim;
        json_auto_t *root = NULL;
        json_t *b;
        if (wrapped(req, r, &root, &b) < 0 || r->create_check(req, b) < 0)
                return 0;
        json_t *o, *lb;
        LOCK(s);
        if (r->create(req, s, b, &o, &lb) < 0) {
                UNLOCK(s);
                return 0;
        }
        begin(s, r->res.kind, o, lb, "PENDING_CREATE");
        json_t *out = json_pack("{s:o}", r->res.one, sim_public(o, NULL));
        UNLOCK(s);
        return sim_reply(req, 201, json_checked(out));
}

/* PUT on any Octavia object: copies the updatable keys, puts it in PENDING_UPDATE. */
static int update_res(struct httpd_req *req, const struct ores *r)
{
        const char *id = httpd_req_param(req, "id");
        struct sim *s = sim_ctx(req)->sim;
        json_auto_t *root = NULL;
        json_t *b;
        if (wrapped(req, r, &root, &b) < 0)
                return 0;
        json_t *o = sim_lock_find(req, &r->res, id);
        if (!o)
                return 0;
        json_t *lb = mutable_lb(req, s, r->res.kind, o);
        if (!lb) {
                UNLOCK(s);
                return 0;
        }
        const char *const *keys = r->update_keys;
        const char *k;
        json_t *v;
        json_object_foreach(b, k, v)
        {
                bool ok = false;
                for (size_t i = 0; keys[i] && !ok; i++)
                        ok = streq(keys[i], k);
                if (!ok) {
                        UNLOCK(s);
                        return sim_error(req, 400, NULL,
                                         "Invalid input for field/attribute %s. Value: '%s'. "
                                         "Unknown attribute for argument %s",
                                         r->res.one, k, r->res.one);
                }
                json_object_set(o, k, v);
        }
        begin(s, r->res.kind, o, lb, "PENDING_UPDATE");
        json_t *out = json_pack("{s:o}", r->res.one, sim_public(o, NULL));
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(out));
}

static int delete_res(struct httpd_req *req, const struct ores *r)
{
        const char *id = httpd_req_param(req, "id");
        struct sim *s = sim_ctx(req)->sim;
        json_t *o = sim_lock_find(req, &r->res, id);
        if (!o)
                return 0;
        json_t *lb = mutable_lb(req, s, r->res.kind, o);
        if (!lb) {
                UNLOCK(s);
                return 0;
        }
        if (r->res.kind == K_LB) {
                const char *cascade = httpd_req_query(req, "cascade");
                bool casc = cascade && (strcaseeq(cascade, "true") || streq(cascade, "1"));
                if (!casc && (json_array_size(json_object_get(o, "listeners")) > 0 ||
                              json_array_size(json_object_get(o, "pools")) > 0)) {
                        UNLOCK(s);
                        return sim_error(req, 400, NULL,
                                         "Cannot delete Load Balancer %s - it has children", id);
                }
        }
        begin(s, r->res.kind, o, lb, "PENDING_DELETE");
        UNLOCK(s);
        return httpd_resp_empty(req, 204);
}

static const char *const lb_keys[] = {"name", "description",       "admin_state_up",
                                      "tags", "vip_qos_policy_id", NULL};

static json_t *status_tree(struct sim *s, json_t *lb)
{
        json_t *lis_arr = json_checked(json_array());
        size_t i;
        json_t *lref;
        json_array_foreach(json_object_get(lb, "listeners"), i, lref)
        {
                json_t *l = sim_get(s, K_LISTENER, json_get_str(lref, "id"));
                if (!l)
                        continue;
                json_t *pools = json_checked(json_array());
                const char *k;
                json_t *p;
                json_object_foreach(s->db[K_POOL], k, p)
                {
                        size_t j;
                        json_t *pl;
                        bool mine = false;
                        json_array_foreach(json_object_get(p, "listeners"), j, pl) mine |=
                                streq(json_get_str(pl, "id"), json_get_str(l, "id"));
                        if (!mine)
                                continue;
                        json_t *members = json_checked(json_array());
                        json_t *mref;
                        json_array_foreach(json_object_get(p, "members"), j, mref)
                        {
                                json_t *m = sim_get(s, K_MEMBER, json_get_str(mref, "id"));
                                if (m)
                                        json_array_append_new(
                                                members,
                                                json_pack("{s:s?,s:s?,s:s?,s:s?,s:O,s:O}", "id",
                                                          json_get_str(m, "id"), "name",
                                                          json_get_str(m, "name"),
                                                          "operating_status",
                                                          json_get_str(m, "operating_status"),
                                                          "provisioning_status",
                                                          json_get_str(m, "provisioning_status"),
                                                          "address", json_object_get(m, "address"),
                                                          "protocol_port",
                                                          json_object_get(m, "protocol_port")));
                        }
                        json_t *pj = json_pack(
                                "{s:s?,s:s?,s:s?,s:s?,s:o}", "id", k, "name",
                                json_get_str(p, "name"), "operating_status",
                                json_get_str(p, "operating_status"), "provisioning_status",
                                json_get_str(p, "provisioning_status"), "members", members);
                        json_t *hm = sim_get(s, K_HM, json_get_str(p, "healthmonitor_id"));
                        if (hm)
                                json_object_set_new(
                                        pj, "health_monitor",
                                        json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?}", "id",
                                                  json_get_str(hm, "id"), "name",
                                                  json_get_str(hm, "name"), "type",
                                                  json_get_str(hm, "type"), "operating_status",
                                                  json_get_str(hm, "operating_status"),
                                                  "provisioning_status",
                                                  json_get_str(hm, "provisioning_status")));
                        json_array_append_new(pools, pj);
                }
                json_array_append_new(
                        lis_arr,
                        json_pack("{s:s?,s:s?,s:s?,s:s?,s:o}", "id", json_get_str(l, "id"), "name",
                                  json_get_str(l, "name"), "operating_status",
                                  json_get_str(l, "operating_status"), "provisioning_status",
                                  json_get_str(l, "provisioning_status"), "pools", pools));
        }
        return json_pack("{s:{s:{s:s?,s:s?,s:s?,s:s?,s:o}}}", "statuses", "loadbalancer", "id",
                         json_get_str(lb, "id"), "name", json_get_str(lb, "name"),
                         "operating_status", json_get_str(lb, "operating_status"),
                         "provisioning_status", json_get_str(lb, "provisioning_status"),
                         "listeners", lis_arr);
}

static int lb_status(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim *s = sim_ctx(req)->sim;
        const char *id = httpd_req_param(req, "id");
        LOCK(s);
        json_t *lb = sim_find(req, K_LB, id);
        json_t *out = lb ? status_tree(s, lb) : NULL;
        UNLOCK(s);
        if (!out)
                return not_found(req, &R_LB, id);
        return sim_reply(req, 200, json_checked(out));
}

static int lb_stats(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim *s = sim_ctx(req)->sim;
        const char *id = httpd_req_param(req, "id");
        LOCK(s);
        json_t *lb = sim_find(req, K_LB, id);
        UNLOCK(s);
        if (!lb)
                return not_found(req, &R_LB, id);
        return sim_reply(req, 200,
                         json_checked(json_pack("{s:{s:i,s:i,s:i,s:i,s:i}}", "stats",
                                                "active_connections", 0, "bytes_in", 0, "bytes_out",
                                                0, "request_errors", 0, "total_connections", 0)));
}

/* ---- listeners ----------------------------------------------------------------------- */

static const char *const protocols[] = {"TCP",  "HTTP",  "HTTPS",   "UDP", "TERMINATED_HTTPS",
                                        "SCTP", "PROXY", "PROXYV2", NULL};

static bool one_of(const char *const *l, const char *v)
{
        for (size_t i = 0; v && l[i]; i++)
                if (streq(l[i], v))
                        return true;
        return false;
}

/* Answers 400 for the first of fields that b lacks (as a string) and returns -EINVAL. */
static int require(struct httpd_req *req, const json_t *b, const char *const *fields)
{
        for (size_t i = 0; fields[i]; i++)
                if (!json_get_str(b, fields[i])) {
                        mandatory(req, fields[i]);
                        return -EINVAL;
                }
        return 0;
}

/* Answers 400 and returns -EINVAL unless value is one of allowed (`listed`: them as Octavia's
 * message shows them). */
static int require_one_of(struct httpd_req *req, const char *field, const char *value,
                          const char *const *allowed, const char *listed)
{
        if (one_of(allowed, value))
                return 0;
        sim_error(req, 400, NULL,
                  "Invalid input for field/attribute %s. Value: '%s'. Value should be one of: %s",
                  field, value, listed);
        return -EINVAL;
}

static int listener_check(struct httpd_req *req, const json_t *b)
{
        static const char *const required[] = {"loadbalancer_id", "protocol", NULL};
        json_t *port = json_object_get(b, "protocol_port");
        if (require(req, b, required) < 0 ||
            require_one_of(req, "protocol", json_get_str(b, "protocol"), protocols,
                           "HTTP, HTTPS, PROXY, PROXYV2, SCTP, TCP, TERMINATED_HTTPS, UDP") < 0)
                return -EINVAL;
        if (!json_is_integer(port) || json_integer_value(port) < 1 ||
            json_integer_value(port) > 65535) {
                sim_error(req, 400, NULL,
                          "Invalid input for field/attribute protocol_port. Value: '%s'. "
                          "Value should be between 1 and 65535.",
                          port ? "value" : "None");
                return -EINVAL;
        }
        return 0;
}

static int listener_create(struct httpd_req *req, struct sim *s, const json_t *b, json_t **ret,
                           json_t **ret_lb)
{
        const char *lb_id = json_get_str(b, "loadbalancer_id");
        const char *proto = json_get_str(b, "protocol");
        json_t *port = json_object_get(b, "protocol_port");
        json_t *lb = sim_find(req, K_LB, lb_id);
        if (!lb) {
                sim_error(req, 400, NULL, "Validation failure: Load Balancer %s not found.", lb_id);
                return -EINVAL;
        }
        if (!mutable_lb(req, s, K_LB, lb))
                return -EBUSY;
        size_t i;
        json_t *lref;
        json_array_foreach(json_object_get(lb, "listeners"), i, lref)
        {
                json_t *l = sim_get(s, K_LISTENER, json_get_str(lref, "id"));
                if (l && json_get_int(l, "protocol_port", 0) == json_integer_value(port)) {
                        sim_error(req, 409, NULL,
                                  "Another Listener on this Load Balancer is already "
                                  "using protocol_port %lld",
                                  (long long)json_integer_value(port));
                        return -EBUSY;
                }
        }
        json_t *o = sim_new_obj(s, K_LISTENER, json_get_str(lb, "_project"));
        base_fields(o, b, json_get_str(lb, "_project"));
        sim_set_str(o, "protocol", proto);
        sim_set(o, "protocol_port", json_integer(json_integer_value(port)));
        sim_set(o, "connection_limit", json_integer(json_get_int(b, "connection_limit", -1)));
        sim_set(o, "default_tls_container_ref", json_null());
        sim_set(o, "sni_container_refs", json_array());
        sim_set_str(o, "default_pool_id", json_get_str(b, "default_pool_id"));
        sim_set(o, "l7policies", json_array());
        sim_set(o, "insert_headers", json_object());
        sim_set(o, "loadbalancers", json_pack("[o]", idref(lb_id)));
        sim_set(o, "timeout_client_data",
                json_integer(json_get_int(b, "timeout_client_data", 50000)));
        sim_set(o, "timeout_member_connect",
                json_integer(json_get_int(b, "timeout_member_connect", 5000)));
        sim_set(o, "timeout_member_data",
                json_integer(json_get_int(b, "timeout_member_data", 50000)));
        sim_set(o, "timeout_tcp_inspect", json_integer(json_get_int(b, "timeout_tcp_inspect", 0)));
        sim_set(o, "client_ca_tls_container_ref", json_null());
        sim_set_str(o, "client_authentication", "NONE");
        sim_set(o, "client_crl_container_ref", json_null());
        json_t *cidrs = json_object_get(b, "allowed_cidrs");
        sim_set(o, "allowed_cidrs", json_is_array(cidrs) ? json_deep_copy(cidrs) : json_null());
        sim_set(o, "tls_ciphers", json_null());
        sim_set(o, "tls_versions", json_null());
        sim_set(o, "alpn_protocols", json_null());
        sim_set_str(o, "_lb", lb_id);
        sim_put(s, K_LISTENER, o);
        json_array_append_new(json_object_get(lb, "listeners"), idref(json_get_str(o, "id")));
        *ret = o;
        *ret_lb = lb;
        return 0;
}

/* ---- pools --------------------------------------------------------------------------- */

static const char *const algorithms[] = {"ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP",
                                         "SOURCE_IP_PORT", NULL};

static int pool_check(struct httpd_req *req, const json_t *b)
{
        static const char *const required[] = {"protocol", "lb_algorithm", NULL};
        if (require(req, b, required) < 0 ||
            require_one_of(req, "lb_algorithm", json_get_str(b, "lb_algorithm"), algorithms,
                           "LEAST_CONNECTIONS, ROUND_ROBIN, SOURCE_IP, SOURCE_IP_PORT") < 0)
                return -EINVAL;
        if (!json_get_str(b, "listener_id") && !json_get_str(b, "loadbalancer_id")) {
                sim_error(req, 400, NULL,
                          "Validation failure: Either a loadbalancer_id or a listener_id "
                          "must be provided.");
                return -EINVAL;
        }
        return 0;
}

static int pool_create(struct httpd_req *req, struct sim *s, const json_t *b, json_t **ret,
                       json_t **ret_lb)
{
        const char *lis_id = json_get_str(b, "listener_id");
        const char *lb_id = json_get_str(b, "loadbalancer_id");
        const char *proto = json_get_str(b, "protocol");
        const char *alg = json_get_str(b, "lb_algorithm");
        json_t *lis = NULL;
        if (lis_id) {
                lis = sim_find(req, K_LISTENER, lis_id);
                if (!lis) {
                        not_found(req, &R_LIS, lis_id);
                        return -ENOENT;
                }
                if (json_get_str(lis, "default_pool_id")) {
                        sim_error(req, 409, NULL,
                                  "Listener %s is already using a default "
                                  "pool.",
                                  lis_id);
                        return -EBUSY;
                }
                lb_id = json_get_str(lis, "_lb");
        }
        json_t *lb = sim_find(req, K_LB, lb_id);
        if (!lb) {
                not_found(req, &R_LB, lb_id);
                return -ENOENT;
        }
        if (!mutable_lb(req, s, K_LB, lb))
                return -EBUSY;
        json_t *o = sim_new_obj(s, K_POOL, json_get_str(lb, "_project"));
        const char *id = json_get_str(o, "id");
        base_fields(o, b, json_get_str(lb, "_project"));
        sim_set_str(o, "protocol", proto);
        sim_set_str(o, "lb_algorithm", alg);
        json_t *sp = json_object_get(b, "session_persistence");
        sim_set(o, "session_persistence", sp ? json_deep_copy(sp) : json_null());
        sim_set(o, "loadbalancers", json_pack("[o]", idref(lb_id)));
        sim_set(o, "listeners", lis ? json_pack("[o]", idref(lis_id)) : json_array());
        sim_set(o, "members", json_array());
        sim_set(o, "healthmonitor_id", json_null());
        sim_set(o, "tls_container_ref", json_null());
        sim_set(o, "ca_tls_container_ref", json_null());
        sim_set(o, "crl_container_ref", json_null());
        sim_set(o, "tls_enabled", json_false());
        sim_set(o, "tls_ciphers", json_null());
        sim_set(o, "tls_versions", json_null());
        sim_set(o, "alpn_protocols", json_null());
        sim_set_str(o, "_lb", lb_id);
        sim_put(s, K_POOL, o);
        if (lis)
                sim_set_str(lis, "default_pool_id", id);
        json_array_append_new(json_object_get(lb, "pools"), idref(id));
        *ret = o;
        *ret_lb = lb;
        return 0;
}

/* ---- members ------------------------------------------------------------------------- */

static int member_check(struct httpd_req *req, const json_t *b)
{
        static const char *const required[] = {"address", NULL};
        json_t *port = json_object_get(b, "protocol_port");
        if (require(req, b, required) < 0)
                return -EINVAL;
        if (!json_is_integer(port) || json_integer_value(port) < 1 ||
            json_integer_value(port) > 65535) {
                mandatory(req, "protocol_port");
                return -EINVAL;
        }
        return 0;
}

static int member_create(struct httpd_req *req, struct sim *s, const json_t *b, json_t **ret,
                         json_t **ret_lb)
{
        const char *pool_id = httpd_req_param(req, "pool");
        const char *addr = json_get_str(b, "address");
        json_t *port = json_object_get(b, "protocol_port");
        json_t *pool = sim_find(req, K_POOL, pool_id);
        if (!pool) {
                not_found(req, &R_POOL, pool_id);
                return -ENOENT;
        }
        json_t *lb = mutable_lb(req, s, K_POOL, pool);
        if (!lb)
                return -EBUSY;
        size_t i;
        json_t *mref;
        json_array_foreach(json_object_get(pool, "members"), i, mref)
        {
                json_t *m = sim_get(s, K_MEMBER, json_get_str(mref, "id"));
                if (m && streq(json_get_str(m, "address"), addr) &&
                    json_get_int(m, "protocol_port", 0) == json_integer_value(port)) {
                        sim_error(req, 409, NULL,
                                  "Another member on this pool is already using ip %s on "
                                  "protocol_port %lld",
                                  addr, (long long)json_integer_value(port));
                        return -EBUSY;
                }
        }
        const char *subnet_id = json_get_str(b, "subnet_id");
        if (subnet_id && !sim_get(s, K_SUBNET, subnet_id)) {
                sim_error(req, 400, NULL, "Validation failure: Subnet %s not found.", subnet_id);
                return -EINVAL;
        }
        json_t *o = sim_new_obj(s, K_MEMBER, json_get_str(lb, "_project"));
        base_fields(o, b, json_get_str(lb, "_project"));
        sim_set_str(o, "address", addr);
        sim_set(o, "protocol_port", json_integer(json_integer_value(port)));
        sim_set(o, "weight", json_integer(json_get_int(b, "weight", 1)));
        sim_set(o, "backup", json_boolean(json_get_bool(b, "backup", false)));
        sim_set_str(o, "subnet_id", subnet_id);
        sim_set_str(o, "monitor_address", json_get_str(b, "monitor_address"));
        json_t *mp = json_object_get(b, "monitor_port");
        sim_set(o, "monitor_port", json_is_integer(mp) ? json_incref(mp) : json_null());
        sim_set_str(o, "_pool", pool_id);
        sim_set_str(o, "_lb", json_get_str(lb, "id"));
        sim_put(s, K_MEMBER, o);
        json_array_append_new(json_object_get(pool, "members"), idref(json_get_str(o, "id")));
        *ret = o;
        *ret_lb = lb;
        return 0;
}

/* ---- health monitors ----------------------------------------------------------------- */

static const char *const hm_types[] = {"HTTP",      "HTTPS",       "PING", "TCP",
                                       "TLS-HELLO", "UDP-CONNECT", "SCTP", NULL};

static int hm_check(struct httpd_req *req, const json_t *b)
{
        static const char *const required[] = {"pool_id", "type", NULL};
        if (require(req, b, required) < 0 ||
            require_one_of(req, "type", json_get_str(b, "type"), hm_types,
                           "HTTP, HTTPS, PING, SCTP, TCP, TLS-HELLO, UDP-CONNECT") < 0)
                return -EINVAL;
        static const char *const req_ints[] = {"delay", "timeout", "max_retries", NULL};
        for (size_t i = 0; req_ints[i]; i++)
                if (!json_is_integer(json_object_get(b, req_ints[i]))) {
                        mandatory(req, req_ints[i]);
                        return -EINVAL;
                }
        long long delay = json_get_int(b, "delay", 5), timeout = json_get_int(b, "timeout", 5);
        long long retries = json_get_int(b, "max_retries", 3);
        if (retries < 1 || retries > 10) {
                sim_error(req, 400, NULL,
                          "Invalid input for field/attribute max_retries. Value: '%lld'. "
                          "Value should be between 1 and 10.",
                          retries);
                return -EINVAL;
        }
        if (timeout > delay) {
                sim_error(req, 400, NULL,
                          "Validation failure: The request delay value %lld should be "
                          "larger than the request timeout value %lld.",
                          delay, timeout);
                return -EINVAL;
        }
        return 0;
}

static int hm_create(struct httpd_req *req, struct sim *s, const json_t *b, json_t **ret,
                     json_t **ret_lb)
{
        const char *pool_id = json_get_str(b, "pool_id");
        const char *type = json_get_str(b, "type");
        long long delay = json_get_int(b, "delay", 5), timeout = json_get_int(b, "timeout", 5);
        long long retries = json_get_int(b, "max_retries", 3);
        json_t *pool = sim_find(req, K_POOL, pool_id);
        if (!pool) {
                not_found(req, &R_POOL, pool_id);
                return -ENOENT;
        }
        json_t *lb = mutable_lb(req, s, K_POOL, pool);
        if (!lb)
                return -EBUSY;
        if (json_get_str(pool, "healthmonitor_id")) {
                sim_error(req, 409, NULL, "This Pool already has a Health Monitor");
                return -EBUSY;
        }
        json_t *o = sim_new_obj(s, K_HM, json_get_str(lb, "_project"));
        base_fields(o, b, json_get_str(lb, "_project"));
        sim_set_str(o, "type", type);
        sim_set(o, "delay", json_integer(delay));
        sim_set(o, "timeout", json_integer(timeout));
        sim_set(o, "max_retries", json_integer(retries));
        sim_set(o, "max_retries_down", json_integer(json_get_int(b, "max_retries_down", 3)));
        bool http = str_starts_with(type, "HTTP");
        const char *m = json_get_str(b, "http_method");
        const char *u = json_get_str(b, "url_path");
        const char *ec = json_get_str(b, "expected_codes");
        sim_set_str(o, "http_method", http ? (m ? m : "GET") : NULL);
        sim_set_str(o, "url_path", http ? (u ? u : "/") : NULL);
        sim_set_str(o, "expected_codes", http ? (ec ? ec : "200") : NULL);
        sim_set_str(o, "http_version", NULL);
        sim_set_str(o, "domain_name", NULL);
        sim_set(o, "pools", json_pack("[o]", idref(pool_id)));
        sim_set_str(o, "_pool", pool_id);
        sim_set_str(o, "_lb", json_get_str(lb, "id"));
        sim_put(s, K_HM, o);
        sim_set_str(pool, "healthmonitor_id", json_get_str(o, "id"));
        *ret = o;
        *ret_lb = lb;
        return 0;
}

/* ---- descriptors and route glue ------------------------------------------------------ */

static const char *const lis_keys[] = {"name",
                                       "description",
                                       "admin_state_up",
                                       "connection_limit",
                                       "default_pool_id",
                                       "allowed_cidrs",
                                       "timeout_client_data",
                                       "timeout_member_connect",
                                       "timeout_member_data",
                                       "timeout_tcp_inspect",
                                       "tags",
                                       "insert_headers",
                                       NULL};
static const char *const pool_keys[] = {
        "name", "description", "admin_state_up", "lb_algorithm", "session_persistence",
        "tags", NULL};
static const char *const member_keys[] = {
        "name",         "admin_state_up", "weight", "backup", "monitor_address",
        "monitor_port", "tags",           NULL};
static const char *const hm_keys[] = {"name",
                                      "admin_state_up",
                                      "delay",
                                      "timeout",
                                      "max_retries",
                                      "max_retries_down",
                                      "http_method",
                                      "url_path",
                                      "expected_codes",
                                      "tags",
                                      NULL};

static const struct ores R_LB = {
        .res = {K_LB, "loadbalancer", "Load Balancer", "not found.", NULL},
        .coll = "loadbalancers",
        .update_keys = lb_keys,
        .create_check = lb_check,
        .create = lb_create,
};
static const struct ores R_LIS = {
        .res = {K_LISTENER, "listener", "Listener", "not found.", NULL},
        .coll = "listeners",
        .update_keys = lis_keys,
        .create_check = listener_check,
        .create = listener_create,
};
static const struct ores R_POOL = {
        .res = {K_POOL, "pool", "Pool", "not found.", NULL},
        .coll = "pools",
        .update_keys = pool_keys,
        .create_check = pool_check,
        .create = pool_create,
};
static const struct ores R_MEM = {
        .res = {K_MEMBER, "member", "Member", "not found.", NULL},
        .coll = "members",
        .update_keys = member_keys,
        .create_check = member_check,
        .create = member_create,
};
static const struct ores R_HM = {
        .res = {K_HM, "healthmonitor", "Health Monitor", "not found.", NULL},
        .coll = "healthmonitors",
        .update_keys = hm_keys,
        .create_check = hm_check,
        .create = hm_create,
};

#define GEN(name, res, fn)                                                                         \
        static int name(struct httpd_req *req, void *data)                                         \
        {                                                                                          \
                (void)data;                                                                        \
                return fn(req, &res);                                                              \
        }
GEN(lb_list, R_LB, list_res)
GEN(lb_post, R_LB, create_res)
GEN(lb_show, R_LB, show_res)
GEN(lb_put, R_LB, update_res)
GEN(lb_delete, R_LB, delete_res)
GEN(lis_list, R_LIS, list_res)
GEN(lis_post, R_LIS, create_res)
GEN(lis_show, R_LIS, show_res)
GEN(lis_put, R_LIS, update_res)
GEN(lis_delete, R_LIS, delete_res)
GEN(pool_list, R_POOL, list_res)
GEN(pool_post, R_POOL, create_res)
GEN(pool_show, R_POOL, show_res)
GEN(pool_put, R_POOL, update_res)
GEN(pool_delete, R_POOL, delete_res)
GEN(member_list, R_MEM, list_res)
GEN(member_post, R_MEM, create_res)
GEN(hm_list, R_HM, list_res)
GEN(hm_post, R_HM, create_res)
GEN(hm_show, R_HM, show_res)
GEN(hm_put, R_HM, update_res)
GEN(hm_delete, R_HM, delete_res)

/* Members are addressed under their pool; one of another pool is "not found". */
static int member_check_pool(struct httpd_req *req)
{
        struct sim *s = sim_ctx(req)->sim;
        const char *id = httpd_req_param(req, "id");
        LOCK(s);
        json_t *m = sim_find(req, K_MEMBER, id);
        bool ok = m && streq(json_get_str(m, "_pool"), httpd_req_param(req, "pool"));
        bool pool = sim_find(req, K_POOL, httpd_req_param(req, "pool")) != NULL;
        UNLOCK(s);
        if (!pool)
                return not_found(req, &R_POOL, httpd_req_param(req, "pool")) - 1;
        if (!ok)
                return not_found(req, &R_MEM, id) - 1;
        return 0;
}

static int member_show(struct httpd_req *req, void *data)
{
        (void)data;
        if (member_check_pool(req) < 0)
                return 0;
        return show_res(req, &R_MEM);
}

static int member_put(struct httpd_req *req, void *data)
{
        (void)data;
        if (member_check_pool(req) < 0)
                return 0;
        return update_res(req, &R_MEM);
}

static int member_delete(struct httpd_req *req, void *data)
{
        (void)data;
        if (member_check_pool(req) < 0)
                return 0;
        return delete_res(req, &R_MEM);
}

static int versions(struct httpd_req *req, void *data)
{
        (void)data;
        _cleanup_free_ char *href = xasprintf("%s/v2", httpd_req_host_url(req));
        json_t *j = json_pack(
                "{s:[{s:s?,s:s?,s:[{s:s?,s:s?}],s:s?},{s:s?,s:s?,s:[{s:s?,s:s?}],s:s?}]}",
                "versions", "id", "v2.0", "status", "SUPPORTED", "links", "href", href, "rel",
                "self", "updated", "2016-12-11T00:00:00Z", "id", "v2.25", "status", "CURRENT",
                "links", "href", href, "rel", "self", "updated", "2022-11-30T00:00:00Z");
        return sim_reply(req, 200, json_checked(j));
}

static int providers(struct httpd_req *req, void *data)
{
        (void)data;
        json_t *j = json_pack("{s:[{s:s?,s:s?}]}", "providers", "name", "amphora", "description",
                              "The Octavia Amphora driver (HAProxy, magnum-sim).");
        return sim_reply(req, 200, json_checked(j));
}

#define P(m, path, fn)                                                                             \
        {                                                                                          \
                m, path, fn, NULL, NULL                                                            \
        }
#define BOTH(m, path, fn) P(m, "/v2" path, fn), P(m, "/v2.0" path, fn)
const struct httpd_route sim_octavia_routes[] = {
        {"GET", "/", versions, NULL, sim_public_meta},
        BOTH("GET", "/lbaas/providers", providers),
        BOTH("GET", "/lbaas/loadbalancers", lb_list),
        BOTH("POST", "/lbaas/loadbalancers", lb_post),
        BOTH("GET", "/lbaas/loadbalancers/{id}", lb_show),
        BOTH("PUT", "/lbaas/loadbalancers/{id}", lb_put),
        BOTH("DELETE", "/lbaas/loadbalancers/{id}", lb_delete),
        BOTH("GET", "/lbaas/loadbalancers/{id}/status", lb_status),
        BOTH("GET", "/lbaas/loadbalancers/{id}/stats", lb_stats),
        BOTH("GET", "/lbaas/listeners", lis_list),
        BOTH("POST", "/lbaas/listeners", lis_post),
        BOTH("GET", "/lbaas/listeners/{id}", lis_show),
        BOTH("PUT", "/lbaas/listeners/{id}", lis_put),
        BOTH("DELETE", "/lbaas/listeners/{id}", lis_delete),
        BOTH("GET", "/lbaas/pools", pool_list),
        BOTH("POST", "/lbaas/pools", pool_post),
        BOTH("GET", "/lbaas/pools/{id}", pool_show),
        BOTH("PUT", "/lbaas/pools/{id}", pool_put),
        BOTH("DELETE", "/lbaas/pools/{id}", pool_delete),
        BOTH("GET", "/lbaas/pools/{pool}/members", member_list),
        BOTH("POST", "/lbaas/pools/{pool}/members", member_post),
        BOTH("GET", "/lbaas/pools/{pool}/members/{id}", member_show),
        BOTH("PUT", "/lbaas/pools/{pool}/members/{id}", member_put),
        BOTH("DELETE", "/lbaas/pools/{pool}/members/{id}", member_delete),
        BOTH("GET", "/lbaas/healthmonitors", hm_list),
        BOTH("POST", "/lbaas/healthmonitors", hm_post),
        BOTH("GET", "/lbaas/healthmonitors/{id}", hm_show),
        BOTH("PUT", "/lbaas/healthmonitors/{id}", hm_put),
        BOTH("DELETE", "/lbaas/healthmonitors/{id}", hm_delete),
};
const size_t sim_octavia_n_routes = ARRAY_SIZE(sim_octavia_routes);
