/*
 * Simulated Neutron (v2.0): networks (incl. router:external), subnets with real IP allocation
 * from their CIDR, ports, routers and their interfaces, floating IPs, security groups and rules,
 * quotas. Every tenant network owns a loopback block 127.N.0.0/16 that backs its fixed IPs, so
 * load balancer members and COE endpoints are reachable on the host; the external network's
 * addresses are real loopback addresses themselves.
 */
#include "common/common.h"

#include "common/ids.h"
#include "common/json_util.h"
#include "sim/ipam.h"
#include "sim/sim.h"

/*
 * One descriptor per resource kind drives the generic handlers (list_res, show_res,
 * create_res, update_res, delete_res); the hooks hold what is particular to the kind. Hooks run
 * with sim->lock held unless noted, answer their own errors and then return < 0.
 */
struct nres {
        enum sim_kind kind;
        const char *coll, *one, *notfound, *label;
        const char *quota;               /* quota resource name */
        const char *const *attrs;        /* accepted in a create body (and an update body) */
        const char *const *update_attrs; /* accepted in an update body, when not attrs */
        const char *const *update_keys;  /* copied from an update body into the resource */
        /* Refuses a create body before the lock is taken. Optional. */
        int (*create_check)(struct httpd_req *req, const json_t *b);
        /* Builds and stores the resource for project (checking its quota); *ret borrowed. */
        int (*create)(struct httpd_req *req, struct sim *s, const json_t *b, const char *project,
                      json_t **ret);
        /* Refuses an update body before the lock is taken. Optional. */
        int (*update_check)(struct httpd_req *req, const json_t *b);
        /* The kind's part of an update, update_keys included. Optional: update_keys only. */
        int (*update)(struct httpd_req *req, struct sim *s, json_t *o, const json_t *b);
        /* Checks that o (found and visible) may go, and removes it. */
        int (*remove)(struct httpd_req *req, struct sim *s, json_t *o, const char *id);
};

/* Defined with each kind's hooks below. */
static const struct nres R_NET, R_SUBNET, R_PORT, R_ROUTER, R_FIP, R_SG, R_SGR;

#define LOCK(s)   pthread_mutex_lock(&(s)->lock)
#define UNLOCK(s) pthread_mutex_unlock(&(s)->lock)

static void fill_common(json_t *o, const char *project)
{
        sim_set_str(o, "tenant_id", project);
        sim_set_str(o, "project_id", project);
        sim_set(o, "tags", json_array());
        sim_set(o, "revision_number", json_integer(0));
        if (!json_object_get(o, "description"))
                sim_set_str(o, "description", "");
}

/* The project a new resource belongs to: the caller's, or (admin only) the one in the body. */
static const char *owner_of(const struct sim_ctx *c, const json_t *body)
{
        const char *p = json_get_str(body, "project_id");
        if (!p)
                p = json_get_str(body, "tenant_id");
        if (p && c->admin)
                return p;
        return c->project_id;
}

static int check_attrs(struct httpd_req *req, const json_t *body, const char *const *allowed)
{
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)body, k, v)
        {
                bool ok = false;
                for (size_t i = 0; allowed[i] && !ok; i++)
                        ok = streq(allowed[i], k);
                if (!ok) {
                        sim_error(req, 400, "HTTPBadRequest", "Unrecognized attribute(s) '%s'", k);
                        return -EINVAL;
                }
        }
        return 0;
}

/* The resource body inside {"<one>": {...}}; answers 400 when missing. */
static int wrapped(struct httpd_req *req, const struct nres *r, json_t **ret_root, json_t **ret)
{
        json_t *root;
        if (sim_body(req, &root) < 0)
                return -EINVAL;
        json_t *b = json_object_get(root, r->one);
        if (!json_is_object(b)) {
                json_decref(root);
                sim_error(req, 400, "HTTPBadRequest", "Resource body required");
                return -EINVAL;
        }
        *ret_root = root;
        *ret = b;
        return 0;
}

/* Answers 409 OverQuota and returns -EDQUOT when project has no room for another r. */
static int over_quota(struct httpd_req *req, struct sim *s, const char *project,
                      const struct nres *r)
{
        int limit = sim_quota(s, project, r->quota);
        if (limit >= 0 && sim_count(s, r->kind, project) >= limit) {
                sim_error(req, 409, "OverQuota", "Quota exceeded for resources: ['%s'].", r->quota);
                return -EDQUOT;
        }
        return 0;
}

static json_t *find_visible(struct httpd_req *req, const struct nres *r, const char *id)
{
        return sim_find(req, r->kind, id);
}

static int not_found(struct httpd_req *req, const struct nres *r, const char *id)
{
        if (r->kind == K_SGRULE)
                return sim_error(req, 404, r->notfound, "Security group rule %s does not exist",
                                 id);
        if (r->kind == K_FIP)
                return sim_error(req, 404, r->notfound, "Floating IP %s could not be found", id);
        return sim_error(req, 404, r->notfound, "%s %s could not be found.", r->label, id);
}

/* ---- generic list / show ------------------------------------------------------------- */

static int list_res(struct httpd_req *req, const struct nres *r)
{
        struct sim_ctx *c = sim_ctx(req);
        struct sim *s = c->sim;
        if (r->kind == K_SECGROUP || r->kind == K_SGRULE) {
                LOCK(s);
                if (c->project_id && *c->project_id)
                        sim_default_secgroup(s, c->project_id);
                UNLOCK(s);
        }
        long long limit = 0;
        const char *ls = httpd_req_query(req, "limit");
        if (ls && str_to_ll(ls, 0, 1000000, &limit) < 0)
                return sim_error(req, 400, "HTTPBadRequest",
                                 "Bad limit request: Limit must be "
                                 "an integer 0 or greater and not "
                                 "'%s'.",
                                 ls);
        const char *marker = httpd_req_query(req, "marker");
        json_t *arr = json_checked(json_array());
        bool more = false, passed_marker = marker == NULL;
        const char *last = NULL;
        LOCK(s);
        const char *k;
        json_t *v;
        json_object_foreach(s->db[r->kind], k, v)
        {
                if (!sim_visible(c, r->kind, v) || !sim_match_query(req, v, NULL))
                        continue;
                if (!passed_marker) {
                        passed_marker = streq(k, marker);
                        continue;
                }
                if (limit > 0 && (long long)json_array_size(arr) >= limit) {
                        more = true;
                        break;
                }
                json_array_append_new(arr, sim_public(v, req));
                last = k;
        }
        json_t *out = json_pack("{s:o}", r->coll, arr);
        if (more && last) {
                _cleanup_free_ char *href =
                        xasprintf("%s/v2.0/%s?limit=%lld&marker=%s", httpd_req_host_url(req),
                                  r->coll, limit, last);
                _cleanup_free_ char *lk = xasprintf("%s_links", r->coll);
                json_object_set_new(out, lk,
                                    json_pack("[{s:s?,s:s?}]", "rel", "next", "href", href));
        }
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(out));
}

static int show_res(struct httpd_req *req, const struct nres *r)
{
        struct sim *s = sim_ctx(req)->sim;
        const char *id = httpd_req_param(req, "id");
        LOCK(s);
        json_t *o = find_visible(req, r, id);
        json_t *out = o ? json_pack("{s:o}", r->one, sim_public(o, req)) : NULL;
        UNLOCK(s);
        if (!out)
                return not_found(req, r, id);
        return sim_reply(req, 200, json_checked(out));
}

/* Copies updatable keys present in b into o. */
static void apply_keys(json_t *o, const json_t *b, const char *const *keys)
{
        for (size_t i = 0; keys[i]; i++) {
                json_t *v = json_object_get(b, keys[i]);
                if (v)
                        json_object_set(o, keys[i], v);
        }
}

/* ---- generic create / update / delete ------------------------------------------------ */

static int create_res(struct httpd_req *req, const struct nres *r)
{
        struct sim_ctx *c = sim_ctx(req);
        struct sim *s = c->sim;
        json_auto_t *root = NULL;
        json_t *b;
        if (wrapped(req, r, &root, &b) < 0 || check_attrs(req, b, r->attrs) < 0)
                return 0;
        if (r->create_check && r->create_check(req, b) < 0)
                return 0;
        const char *project = owner_of(c, b);
        json_t *o = NULL;
        LOCK(s);
        int rc = r->create(req, s, b, project, &o);
        json_t *out = rc >= 0 ? json_pack("{s:o}", r->one, sim_public(o, NULL)) : NULL;
        UNLOCK(s);
        if (rc < 0)
                return 0;
        return sim_reply(req, 201, json_checked(out));
}

static int update_res(struct httpd_req *req, const struct nres *r)
{
        struct sim *s = sim_ctx(req)->sim;
        json_auto_t *root = NULL;
        json_t *b;
        if (wrapped(req, r, &root, &b) < 0 ||
            check_attrs(req, b, r->update_attrs ? r->update_attrs : r->attrs) < 0)
                return 0;
        if (r->update_check && r->update_check(req, b) < 0)
                return 0;
        const char *id = httpd_req_param(req, "id");
        LOCK(s);
        json_t *o = find_visible(req, r, id);
        if (!o) {
                UNLOCK(s);
                return not_found(req, r, id);
        }
        int rc = 0;
        if (r->update)
                rc = r->update(req, s, o, b);
        else
                apply_keys(o, b, r->update_keys);
        json_t *out = NULL;
        if (rc >= 0) {
                sim_touch(o, false);
                out = json_pack("{s:o}", r->one, sim_public(o, NULL));
        }
        UNLOCK(s);
        if (rc < 0)
                return 0;
        return sim_reply(req, 200, json_checked(out));
}

static int delete_res(struct httpd_req *req, const struct nres *r)
{
        struct sim *s = sim_ctx(req)->sim;
        const char *id = httpd_req_param(req, "id");
        LOCK(s);
        json_t *o = find_visible(req, r, id);
        if (!o) {
                UNLOCK(s);
                return not_found(req, r, id);
        }
        int rc = r->remove(req, s, o, id);
        UNLOCK(s);
        if (rc < 0)
                return 0;
        return httpd_resp_empty(req, 204);
}

/* ---- networks ------------------------------------------------------------------------ */

static int pick_block(struct sim *s)
{
        bool used[256] = {false};
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_NETWORK], k, v)
        {
                long long b = json_get_int(v, "_block", 0);
                if (b > 0 && b < 256)
                        used[b] = true;
        }
        /* The external network's range must not be handed out as a tenant block. */
        struct ipam_cidr fc;
        if (ipam_parse_cidr(s->o.floating_cidr, true, &fc) == 0 && (fc.net >> 24) == 127)
                used[(fc.net >> 16) & 255] = true;
        for (int b = s->next_block; b < s->next_block + 254; b++) {
                int n = 1 + (b - 1) % 253;
                if (!used[n]) {
                        s->next_block = n + 1;
                        return n;
                }
        }
        return -ENOSPC;
}

static const char *const net_attrs[] = {"name",
                                        "admin_state_up",
                                        "shared",
                                        "router:external",
                                        "mtu",
                                        "description",
                                        "port_security_enabled",
                                        "availability_zone_hints",
                                        "tenant_id",
                                        "project_id",
                                        "provider:network_type",
                                        "provider:physical_network",
                                        "provider:segmentation_id",
                                        "dns_domain",
                                        "qos_policy_id",
                                        "is_default",
                                        NULL};

json_t *sim_network_new(struct sim *s, const char *project, const json_t *b, int *ret_err)
{
        bool external = json_get_bool(b, "router:external", false);
        int block = 0;
        if (!external) {
                block = pick_block(s);
                if (block < 0) {
                        *ret_err = block;
                        return NULL;
                }
        }
        json_t *o = sim_new_obj(s, K_NETWORK, project);
        const char *name = json_get_str(b, "name");
        sim_set_str(o, "name", name ? name : "");
        sim_set(o, "admin_state_up", json_boolean(json_get_bool(b, "admin_state_up", true)));
        sim_set(o, "mtu", json_integer(json_get_int(b, "mtu", 1450)));
        sim_set_str(o, "status", "ACTIVE");
        sim_set(o, "subnets", json_array());
        sim_set(o, "shared", json_boolean(json_get_bool(b, "shared", false)));
        sim_set(o, "router:external", json_boolean(external));
        sim_set(o, "availability_zone_hints", json_array());
        sim_set(o, "availability_zones", json_pack("[s?]", "nova"));
        sim_set(o, "ipv4_address_scope", json_null());
        sim_set(o, "ipv6_address_scope", json_null());
        sim_set(o, "port_security_enabled",
                json_boolean(json_get_bool(b, "port_security_enabled", true)));
        sim_set_str(o, "description",
                    json_get_str(b, "description") ? json_get_str(b, "description") : "");
        sim_set(o, "is_default", json_boolean(json_get_bool(b, "is_default", false)));
        sim_set_str(o, "provider:network_type", external ? "flat" : "vxlan");
        sim_set(o, "_block", json_integer(block));
        fill_common(o, project);
        sim_put(s, K_NETWORK, o);
        *ret_err = 0;
        return o;
}

static int net_create_check(struct httpd_req *req, const json_t *b)
{
        if (!sim_ctx(req)->admin &&
            (json_object_get(b, "router:external") || json_object_get(b, "shared"))) {
                sim_error(req, 403, "PolicyNotAuthorized",
                          "(rule:create_network and rule:create_network:shared) is "
                          "disallowed by policy");
                return -EACCES;
        }
        return 0;
}

static int net_create(struct httpd_req *req, struct sim *s, const json_t *b, const char *project,
                      json_t **ret)
{
        int r = over_quota(req, s, project, &R_NET);
        if (r < 0)
                return r;
        *ret = sim_network_new(s, project, b, &r);
        /* every network has a 127.N.0.0/16 block of its own: with all of them taken, answer as
         * Neutron does when its tenant network segments run out */
        if (!*ret)
                sim_error(req, 503, "NoNetworkAvailable",
                          "Unable to create the network. No tenant network is available for "
                          "allocation.");
        return r;
}

static int net_remove(struct httpd_req *req, struct sim *s, json_t *o, const char *id)
{
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_PORT], k, v)
        {
                const char *n = json_get_str(v, "network_id");
                if (n && streq(n, id)) {
                        sim_error(req, 409, "NetworkInUse",
                                  "Unable to complete operation on network %s. There are "
                                  "one or more ports still in use on the network.",
                                  id);
                        return -EBUSY;
                }
        }
        json_t *subnets = json_object_get(o, "subnets");
        size_t i;
        json_t *sid;
        json_array_foreach(subnets, i, sid) sim_del(s, K_SUBNET, json_string_value(sid));
        sim_del(s, K_NETWORK, id);
        return 0;
}

static const char *const net_update_keys[] = {
        "name", "admin_state_up", "description", "mtu", "port_security_enabled", "shared", NULL};

static const struct nres R_NET = {
        .kind = K_NETWORK,
        .coll = "networks",
        .one = "network",
        .notfound = "NetworkNotFound",
        .label = "Network",
        .quota = "network",
        .attrs = net_attrs,
        .update_keys = net_update_keys,
        .create_check = net_create_check,
        .create = net_create,
        .remove = net_remove,
};

/* ---- subnets ------------------------------------------------------------------------- */

static const char *const subnet_attrs[] = {"name",
                                           "network_id",
                                           "cidr",
                                           "ip_version",
                                           "gateway_ip",
                                           "allocation_pools",
                                           "dns_nameservers",
                                           "host_routes",
                                           "enable_dhcp",
                                           "description",
                                           "tenant_id",
                                           "project_id",
                                           "subnetpool_id",
                                           "ipv6_ra_mode",
                                           "ipv6_address_mode",
                                           "service_types",
                                           "use_default_subnetpool",
                                           "segment_id",
                                           "prefixlen",
                                           NULL};

json_t *sim_subnet_new(struct sim *s, const char *project, json_t *net, const json_t *b,
                       const struct ipam_cidr *cidr, const char *cidr_text)
{
        json_t *o = sim_new_obj(s, K_SUBNET, project);
        char buf[16], first[16], last[16];
        const char *name = json_get_str(b, "name");
        sim_set_str(o, "name", name ? name : "");
        sim_set_str(o, "network_id", json_get_str(net, "id"));
        sim_set(o, "ip_version", json_integer(4));
        sim_set_str(o, "cidr", cidr_text);
        uint32_t gw = ipam_first(cidr);
        json_t *gwv = json_object_get(b, "gateway_ip");
        if (json_is_null(gwv)) {
                sim_set(o, "gateway_ip", json_null());
                gw = 0;
        } else if (json_is_string(gwv)) {
                ipam_parse_ip(json_string_value(gwv), &gw);
                sim_set_str(o, "gateway_ip", json_string_value(gwv));
        } else {
                ipam_format(gw, buf);
                sim_set_str(o, "gateway_ip", buf);
        }
        json_t *pools = json_object_get(b, "allocation_pools");
        if (json_is_array(pools) && json_array_size(pools) > 0) {
                sim_set(o, "allocation_pools", json_deep_copy(pools));
        } else {
                uint32_t lo = ipam_first(cidr), hi = ipam_last(cidr);
                if (gw == lo)
                        lo++;
                else if (gw == hi)
                        hi--;
                ipam_format(lo, first);
                ipam_format(hi, last);
                sim_set(o, "allocation_pools",
                        json_pack("[{s:s?,s:s?}]", "start", first, "end", last));
        }
        json_t *dns = json_object_get(b, "dns_nameservers");
        sim_set(o, "dns_nameservers", json_is_array(dns) ? json_deep_copy(dns) : json_array());
        json_t *hr = json_object_get(b, "host_routes");
        sim_set(o, "host_routes", json_is_array(hr) ? json_deep_copy(hr) : json_array());
        sim_set(o, "enable_dhcp", json_boolean(json_get_bool(b, "enable_dhcp", true)));
        sim_set(o, "ipv6_ra_mode", json_null());
        sim_set(o, "ipv6_address_mode", json_null());
        sim_set(o, "subnetpool_id", json_null());
        sim_set(o, "service_types", json_array());
        sim_set(o, "segment_id", json_null());
        const char *d = json_get_str(b, "description");
        sim_set_str(o, "description", d ? d : "");
        sim_set(o, "_alloc", json_object());
        sim_set(o, "_shared",
                json_boolean(json_get_bool(net, "shared", false) ||
                             json_get_bool(net, "router:external", false)));
        fill_common(o, project);
        sim_put(s, K_SUBNET, o);
        json_array_append_new(json_object_get(net, "subnets"), json_string(json_get_str(o, "id")));
        return o;
}

static int subnet_create_check(struct httpd_req *req, const json_t *b)
{
        const char *net_id = json_get_str(b, "network_id");
        const char *cidr_s = json_get_str(b, "cidr");
        long long ipv = json_get_int(b, "ip_version", 4);
        if (!net_id) {
                sim_error(req, 400, "HTTPBadRequest",
                          "Failed to parse request. Required attribute 'network_id' not "
                          "specified");
                return -EINVAL;
        }
        if (!cidr_s) {
                sim_error(req, 400, "HTTPBadRequest",
                          "Bad subnets request: a subnetpool must be specified in the "
                          "absence of a cidr.");
                return -EINVAL;
        }
        if (ipv != 4) {
                sim_error(req, 400, "HTTPBadRequest",
                          "Invalid input for ip_version. Reason: %lld is not in [4, 6].", ipv);
                return -EINVAL;
        }
        struct ipam_cidr cidr;
        if (ipam_parse_cidr(cidr_s, false, &cidr) < 0) {
                struct ipam_cidr fixed;
                if (ipam_parse_cidr(cidr_s, true, &fixed) == 0) {
                        char n[16];
                        ipam_format(fixed.net, n);
                        sim_error(req, 400, "HTTPBadRequest",
                                  "Invalid input for cidr. Reason: '%s' isn't a recognized IP "
                                  "subnet cidr, '%s/%u' is recommended.",
                                  cidr_s, n, fixed.prefix);
                } else {
                        sim_error(req, 400, "HTTPBadRequest",
                                  "Invalid input for cidr. Reason: '%s' is not a valid IP subnet.",
                                  cidr_s);
                }
                return -EINVAL;
        }
        json_t *gw = json_object_get(b, "gateway_ip");
        uint32_t gwip;
        if (gw && !json_is_null(gw) &&
            (!json_is_string(gw) || ipam_parse_ip(json_string_value(gw), &gwip) < 0)) {
                sim_error(req, 400, "HTTPBadRequest",
                          "Invalid input for gateway_ip. Reason: '%s' is not a valid IP "
                          "address.",
                          json_is_string(gw) ? json_string_value(gw) : "?");
                return -EINVAL;
        }
        return 0;
}

static int subnet_create(struct httpd_req *req, struct sim *s, const json_t *b, const char *project,
                         json_t **ret)
{
        struct sim_ctx *c = sim_ctx(req);
        const char *net_id = json_get_str(b, "network_id");
        struct ipam_cidr cidr;
        ipam_parse_cidr(json_get_str(b, "cidr"), false, &cidr); /* checked by subnet_create_check */
        char canon[24];
        char n[16];
        ipam_format(cidr.net, n);
        snprintf(canon, sizeof(canon), "%s/%u", n, cidr.prefix);
        json_t *net = find_visible(req, &R_NET, net_id);
        if (!net) {
                not_found(req, &R_NET, net_id);
                return -ENOENT;
        }
        if (!c->admin && json_get_str(net, "_project") &&
            !streq(json_get_str(net, "_project"), c->project_id)) {
                sim_error(req, 403, "PolicyNotAuthorized",
                          "(rule:create_subnet and (rule:create_subnet:segment_id and "
                          "rule:create_subnet:service_types)) is disallowed by policy");
                return -EACCES;
        }
        size_t i;
        json_t *sid;
        json_array_foreach(json_object_get(net, "subnets"), i, sid)
        {
                json_t *other = sim_get(s, K_SUBNET, json_string_value(sid));
                struct ipam_cidr oc;
                if (other && ipam_parse_cidr(json_get_str(other, "cidr"), true, &oc) == 0 &&
                    (ipam_contains(&oc, cidr.net) || ipam_contains(&cidr, oc.net))) {
                        sim_error(req, 400, "InvalidInput",
                                  "Invalid input for operation: Requested subnet with "
                                  "cidr: %s for network: %s overlaps with another subnet.",
                                  canon, net_id);
                        return -EINVAL;
                }
        }
        int r = over_quota(req, s, project, &R_SUBNET);
        if (r < 0)
                return r;
        *ret = sim_subnet_new(s, project, net, b, &cidr, canon);
        return 0;
}

static int subnet_update_check(struct httpd_req *req, const json_t *b)
{
        /* Neutron names the first read-only attribute of the body */
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)b, k, v)
        {
                if (streq(k, "cidr") || streq(k, "network_id")) {
                        sim_error(req, 400, "HTTPBadRequest",
                                  "Cannot update read-only attribute %s", k);
                        return -EINVAL;
                }
        }
        return 0;
}

static void remove_str(json_t *arr, const char *s)
{
        for (size_t i = 0; i < json_array_size(arr); i++)
                if (json_is_string(json_array_get(arr, i)) &&
                    streq(json_string_value(json_array_get(arr, i)), s)) {
                        json_array_remove(arr, i);
                        return;
                }
}

static int subnet_remove(struct httpd_req *req, struct sim *s, json_t *o, const char *id)
{
        if (json_object_size(json_object_get(o, "_alloc")) > 0) {
                sim_error(req, 409, "SubnetInUse",
                          "Unable to complete operation on subnet %s: One or more ports "
                          "have an IP allocation from this subnet.",
                          id);
                return -EBUSY;
        }
        json_t *net = sim_get(s, K_NETWORK, json_get_str(o, "network_id"));
        if (net)
                remove_str(json_object_get(net, "subnets"), id);
        sim_del(s, K_SUBNET, id);
        return 0;
}

static const char *const subnet_update_keys[] = {
        "name", "dns_nameservers", "host_routes", "enable_dhcp", "description", "gateway_ip", NULL};

static const struct nres R_SUBNET = {
        .kind = K_SUBNET,
        .coll = "subnets",
        .one = "subnet",
        .notfound = "SubnetNotFound",
        .label = "Subnet",
        .quota = "subnet",
        .attrs = subnet_attrs,
        .update_keys = subnet_update_keys,
        .create_check = subnet_create_check,
        .create = subnet_create,
        .update_check = subnet_update_check,
        .remove = subnet_remove,
};

/* ---- ports --------------------------------------------------------------------------- */

struct taken_ctx {
        json_t *alloc;
};

static bool ip_taken(uint32_t ip, void *data)
{
        struct taken_ctx *t = data;
        char buf[16];
        ipam_format(ip, buf);
        return json_object_get(t->alloc, buf) != NULL;
}

/* Allocates an address in subnet (the requested one when ip non-NULL) for owner. */
static int alloc_ip(json_t *subnet, const char *ip, const char *owner, char out[16], struct err *e)
{
        json_t *alloc = json_object_get(subnet, "_alloc");
        struct ipam_cidr cidr;
        if (ipam_parse_cidr(json_get_str(subnet, "cidr"), true, &cidr) < 0)
                return err_set(e, -EINVAL, "bad subnet cidr");
        if (ip) {
                uint32_t a;
                if (ipam_parse_ip(ip, &a) < 0 || !ipam_contains(&cidr, a))
                        return err_set(e, -EINVAL,
                                       "IP address %s is not a valid IP for the specified subnet.",
                                       ip);
                if (json_object_get(alloc, ip))
                        return err_set(e, -EEXIST, "IP address %s already allocated in subnet %s",
                                       ip, json_get_str(subnet, "id"));
                ipam_format(a, out);
                json_object_set_new(alloc, out, json_string(owner));
                return 0;
        }
        struct taken_ctx t = {alloc};
        size_t i;
        json_t *pool;
        /* Search from just after the last address handed out (wrapping once), so filling a
         * large subnet stays linear rather than quadratic. */
        uint32_t cursor = (uint32_t)json_get_int(subnet, "_cursor", 0);
        for (int pass = 0; pass < 2; pass++) {
                json_array_foreach(json_object_get(subnet, "allocation_pools"), i, pool)
                {
                        uint32_t lo, hi, gw = 0, a;
                        if (ipam_parse_ip(json_get_str(pool, "start"), &lo) < 0 ||
                            ipam_parse_ip(json_get_str(pool, "end"), &hi) < 0)
                                continue;
                        if (pass == 0 && cursor >= lo && cursor < hi)
                                lo = cursor + 1;
                        else if (pass == 0 && cursor >= hi && cursor != 0)
                                continue;
                        ipam_parse_ip(json_get_str(subnet, "gateway_ip"), &gw);
                        if (ipam_next_free(lo, hi, gw, ip_taken, &t, &a) == 0) {
                                ipam_format(a, out);
                                json_object_set_new(alloc, out, json_string(owner));
                                json_object_set_new(subnet, "_cursor", json_integer(a));
                                return 0;
                        }
                }
        }
        return err_set(e, -ENOSPC, "No more IP addresses available on network %s.",
                       json_get_str(subnet, "network_id"));
}

static void free_ips(struct sim *s, json_t *port)
{
        size_t i;
        json_t *fip;
        json_array_foreach(json_object_get(port, "fixed_ips"), i, fip)
        {
                json_t *sub = sim_get(s, K_SUBNET, json_get_str(fip, "subnet_id"));
                const char *ip = json_get_str(fip, "ip_address");
                if (sub && ip)
                        json_object_del(json_object_get(sub, "_alloc"), ip);
        }
}

char *sim_backing_addr(struct sim *s, const char *network_id, const char *ip)
{
        json_t *net = sim_get(s, K_NETWORK, network_id);
        uint32_t a;
        if (!net || ipam_parse_ip(ip, &a) < 0)
                return NULL;
        long long block = json_get_int(net, "_block", 0);
        if (block <= 0)
                return xstrdup(ip);
        char buf[16];
        ipam_format(ipam_backing((unsigned)block, a), buf);
        return xstrdup(buf);
}

json_t *sim_port_by_ip(struct sim *s, const char *subnet_id, const char *ip)
{
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_PORT], k, v)
        {
                size_t i;
                json_t *f;
                json_array_foreach(json_object_get(v, "fixed_ips"), i, f)
                {
                        const char *a = json_get_str(f, "ip_address");
                        const char *sn = json_get_str(f, "subnet_id");
                        if (a && streq(a, ip) && (!subnet_id || (sn && streq(sn, subnet_id))))
                                return v;
                }
        }
        return NULL;
}

static json_t *sg_rule_new(struct sim *s, const char *project, const char *sg_id,
                           const char *direction, const char *ethertype, const char *remote_group)
{
        json_t *r = sim_new_obj(s, K_SGRULE, project);
        sim_set_str(r, "security_group_id", sg_id);
        sim_set_str(r, "direction", direction);
        sim_set_str(r, "ethertype", ethertype);
        sim_set(r, "protocol", json_null());
        sim_set(r, "port_range_min", json_null());
        sim_set(r, "port_range_max", json_null());
        sim_set(r, "remote_ip_prefix", json_null());
        sim_set_str(r, "remote_group_id", remote_group);
        sim_set(r, "remote_address_group_id", json_null());
        sim_set(r, "normalized_cidr", json_null());
        sim_set_str(r, "description", "");
        fill_common(r, project);
        sim_put(s, K_SGRULE, r);
        return r;
}

/* Rebuilds the embedded security_group_rules list of a group. */
static void sg_refresh_rules(struct sim *s, json_t *sg)
{
        json_t *arr = json_checked(json_array());
        const char *id = json_get_str(sg, "id");
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_SGRULE], k, v)
        {
                const char *g = json_get_str(v, "security_group_id");
                if (g && streq(g, id))
                        json_array_append_new(arr, sim_public(v, NULL));
        }
        json_object_set_new(sg, "security_group_rules", arr);
}

static json_t *sg_new(struct sim *s, const char *project, const char *name, const char *desc,
                      bool is_default)
{
        json_t *sg = sim_new_obj(s, K_SECGROUP, project);
        sim_set_str(sg, "name", name);
        sim_set_str(sg, "description", desc ? desc : "");
        sim_set(sg, "stateful", json_true());
        sim_set(sg, "shared", json_false());
        sim_set(sg, "_default", json_boolean(is_default));
        fill_common(sg, project);
        sim_put(s, K_SECGROUP, sg);
        const char *id = json_get_str(sg, "id");
        sg_rule_new(s, project, id, "egress", "IPv4", NULL);
        sg_rule_new(s, project, id, "egress", "IPv6", NULL);
        if (is_default) {
                sg_rule_new(s, project, id, "ingress", "IPv4", id);
                sg_rule_new(s, project, id, "ingress", "IPv6", id);
        }
        sg_refresh_rules(s, sg);
        return sg;
}

json_t *sim_default_secgroup(struct sim *s, const char *project_id)
{
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_SECGROUP], k, v)
        {
                const char *p = json_get_str(v, "_project");
                if (p && streq(p, project_id) && json_get_bool(v, "_default", false))
                        return v;
        }
        return sg_new(s, project_id, "default", "Default security group", true);
}

static void mac_address(char out[18])
{
        unsigned char b[3];
        random_bytes(b, sizeof(b));
        snprintf(out, 18, "fa:16:3e:%02x:%02x:%02x", b[0], b[1], b[2]);
}

static const char *const port_attrs[] = {"name",
                                         "network_id",
                                         "admin_state_up",
                                         "mac_address",
                                         "fixed_ips",
                                         "device_id",
                                         "device_owner",
                                         "tenant_id",
                                         "project_id",
                                         "security_groups",
                                         "allowed_address_pairs",
                                         "extra_dhcp_opts",
                                         "description",
                                         "port_security_enabled",
                                         "binding:host_id",
                                         "binding:vnic_type",
                                         "binding:profile",
                                         "qos_policy_id",
                                         "dns_name",
                                         "tags",
                                         "propagate_uplink_status",
                                         NULL};

static void set_backing(struct sim *s, json_t *port)
{
        json_t *arr = json_checked(json_array());
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(port, "fixed_ips"), i, f)
        {
                _cleanup_free_ char *b = sim_backing_addr(s, json_get_str(port, "network_id"),
                                                          json_get_str(f, "ip_address"));
                if (b)
                        json_array_append_new(arr, json_string(b));
        }
        json_object_set_new(port, "_backing", arr);
}

/* Resolves the requested fixed_ips into allocations; on error everything is rolled back. */
static int port_alloc(struct sim *s, json_t *net, const json_t *req_ips, const char *owner,
                      json_t **ret, int *ret_status, const char **ret_type, struct err *e)
{
        json_t *out = json_checked(json_array());
        size_t i;
        json_t *want;
        int r = 0;
        if (!req_ips || json_array_size(req_ips) == 0) {
                json_t *sid;
                json_array_foreach(json_object_get(net, "subnets"), i, sid)
                {
                        json_t *sub = sim_get(s, K_SUBNET, json_string_value(sid));
                        char ip[16];
                        if (!sub)
                                continue;
                        r = alloc_ip(sub, NULL, owner, ip, e);
                        if (r < 0)
                                break;
                        json_array_append_new(out,
                                              json_pack("{s:s?,s:s?}", "subnet_id",
                                                        json_get_str(sub, "id"), "ip_address", ip));
                        break; /* one address per port unless asked otherwise */
                }
        } else {
                json_array_foreach(req_ips, i, want)
                {
                        const char *sid = json_get_str(want, "subnet_id");
                        if (!sid)
                                sid = json_get_str(want, "subnet");
                        const char *ip = json_get_str(want, "ip_address");
                        json_t *sub = NULL;
                        if (sid)
                                sub = sim_get(s, K_SUBNET, sid);
                        else if (ip) {
                                size_t j;
                                json_t *cand;
                                json_array_foreach(json_object_get(net, "subnets"), j, cand)
                                {
                                        json_t *c2 = sim_get(s, K_SUBNET, json_string_value(cand));
                                        struct ipam_cidr cc;
                                        uint32_t a;
                                        if (c2 &&
                                            ipam_parse_cidr(json_get_str(c2, "cidr"), true, &cc) ==
                                                    0 &&
                                            ipam_parse_ip(ip, &a) == 0 && ipam_contains(&cc, a))
                                                sub = c2;
                                }
                        }
                        if (!sub && !sid) {
                                r = err_set(e, -EINVAL,
                                            "IP address %s is not a valid IP for any of the "
                                            "subnets on the specified network.",
                                            ip ? ip : "");
                                *ret_status = 400;
                                *ret_type = "InvalidIpForNetwork";
                                break;
                        }
                        if (!sub) {
                                r = err_set(e, -ENOENT, "Subnet %s could not be found.", sid);
                                *ret_status = 404;
                                *ret_type = "SubnetNotFound";
                                break;
                        }
                        const char *snet = json_get_str(sub, "network_id");
                        if (!snet || !streq(snet, json_get_str(net, "id"))) {
                                r = err_set(e, -EINVAL,
                                            "Invalid input for operation: Failed to create port "
                                            "on network %s, because fixed_ips included invalid "
                                            "subnet %s.",
                                            json_get_str(net, "id"), json_get_str(sub, "id"));
                                *ret_status = 400;
                                *ret_type = "InvalidInput";
                                break;
                        }
                        char got[16];
                        r = alloc_ip(sub, ip, owner, got, e);
                        if (r < 0)
                                break;
                        json_array_append_new(out, json_pack("{s:s?,s:s?}", "subnet_id",
                                                             json_get_str(sub, "id"), "ip_address",
                                                             got));
                }
        }
        if (r < 0) {
                if (r == -EEXIST) {
                        *ret_status = 409;
                        *ret_type = "IpAddressAlreadyAllocated";
                } else if (r == -ENOSPC) {
                        *ret_status = 409;
                        *ret_type = "IpAddressGenerationFailure";
                } else if (r == -EINVAL && !*ret_type) {
                        *ret_status = 400;
                        *ret_type = "InvalidIpForSubnet";
                }
                json_t *tmp = json_pack("{s:o}", "fixed_ips", out);
                free_ips(s, tmp);
                json_decref(tmp);
                return r;
        }
        *ret = out;
        return 0;
}

int sim_port_create(struct sim *s, const struct sim_ctx *c, const json_t *b, json_t **ret,
                    int *ret_status, const char **ret_type, struct err *e)
{
        *ret_type = NULL;
        *ret_status = 400;
        const char *net_id = json_get_str(b, "network_id");
        if (!net_id) {
                *ret_type = "HTTPBadRequest";
                return err_set(e, -EINVAL,
                               "Failed to parse request. Required attribute 'network_id' not "
                               "specified");
        }
        json_t *net = sim_get(s, K_NETWORK, net_id);
        if (!net || !sim_visible(c, K_NETWORK, net)) {
                *ret_status = 404;
                *ret_type = "NetworkNotFound";
                return err_set(e, -ENOENT, "Network %s could not be found.", net_id);
        }
        const char *project = owner_of(c, b);
        int limit = sim_quota(s, project, "port");
        if (limit >= 0 && sim_count(s, K_PORT, project) >= limit) {
                *ret_status = 409;
                *ret_type = "OverQuota";
                return err_set(e, -EDQUOT, "Quota exceeded for resources: ['port'].");
        }
        json_t *o = sim_new_obj(s, K_PORT, project);
        const char *id = json_get_str(o, "id");
        json_t *ips = NULL;
        int r = port_alloc(s, net, json_object_get(b, "fixed_ips"), id, &ips, ret_status, ret_type,
                           e);
        if (r < 0) {
                json_decref(o);
                return r;
        }
        const char *name = json_get_str(b, "name");
        char mac[18];
        mac_address(mac);
        sim_set_str(o, "name", name ? name : "");
        sim_set_str(o, "network_id", net_id);
        sim_set(o, "admin_state_up", json_boolean(json_get_bool(b, "admin_state_up", true)));
        sim_set_str(o, "mac_address",
                    json_get_str(b, "mac_address") ? json_get_str(b, "mac_address") : mac);
        sim_set(o, "fixed_ips", ips);
        const char *dev = json_get_str(b, "device_id");
        const char *owner = json_get_str(b, "device_owner");
        sim_set_str(o, "device_id", dev ? dev : "");
        sim_set_str(o, "device_owner", owner ? owner : "");
        sim_set_str(o, "status", dev && *dev ? "ACTIVE" : "DOWN");
        bool psec = json_get_bool(b, "port_security_enabled",
                                  json_get_bool(net, "port_security_enabled", true));
        sim_set(o, "port_security_enabled", json_boolean(psec));
        json_t *sgs = json_object_get(b, "security_groups");
        if (json_is_array(sgs))
                sim_set(o, "security_groups", json_deep_copy(sgs));
        else if (psec && project && *project && !(owner && str_starts_with(owner, "network:")))
                sim_set(o, "security_groups",
                        json_pack("[s?]", json_get_str(sim_default_secgroup(s, project), "id")));
        else
                sim_set(o, "security_groups", json_array());
        json_t *aap = json_object_get(b, "allowed_address_pairs");
        json_t *pairs = json_checked(json_array());
        size_t i;
        json_t *p;
        json_array_foreach(aap, i, p)
        {
                const char *pm = json_get_str(p, "mac_address");
                json_array_append_new(pairs, json_pack("{s:s?,s:s?}", "ip_address",
                                                       json_get_str(p, "ip_address")
                                                               ? json_get_str(p, "ip_address")
                                                               : "",
                                                       "mac_address",
                                                       pm ? pm : json_get_str(o, "mac_address")));
        }
        sim_set(o, "allowed_address_pairs", pairs);
        sim_set(o, "extra_dhcp_opts", json_array());
        const char *d = json_get_str(b, "description");
        sim_set_str(o, "description", d ? d : "");
        sim_set_str(o, "binding:vnic_type", "normal");
        sim_set_str(o, "binding:host_id",
                    json_get_str(b, "binding:host_id") ? json_get_str(b, "binding:host_id") : "");
        sim_set(o, "binding:profile", json_object());
        sim_set(o, "binding:vif_details", json_object());
        sim_set_str(o, "binding:vif_type", "unbound");
        sim_set_str(o, "dns_name", "");
        sim_set(o, "qos_policy_id", json_null());
        fill_common(o, project);
        set_backing(s, o);
        sim_put(s, K_PORT, o);
        *ret = o;
        return 0;
}

/* Floating IPs pointing at the port. */
static json_t *fip_of_port(struct sim *s, const char *port_id)
{
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_FIP], k, v)
        {
                const char *p = json_get_str(v, "port_id");
                if (p && streq(p, port_id))
                        return v;
        }
        return NULL;
}

static void fip_disassociate(struct sim *s, json_t *fip)
{
        sim_set(fip, "port_id", json_null());
        sim_set(fip, "fixed_ip_address", json_null());
        sim_set(fip, "router_id", json_null());
        sim_set_str(fip, "status", "DOWN");
        sim_set(fip, "port_details", json_null());
        sim_touch(fip, false);
        s->lb_dirty = s->coe_dirty = true;
}

void sim_port_delete(struct sim *s, const char *port_id)
{
        json_t *port = sim_get(s, K_PORT, port_id);
        if (!port)
                return;
        json_t *fip;
        while ((fip = fip_of_port(s, port_id)))
                fip_disassociate(s, fip);
        free_ips(s, port);
        sim_del(s, K_PORT, port_id);
        s->coe_dirty = s->lb_dirty = true;
}

static int port_create(struct httpd_req *req, struct sim *s, const json_t *b, const char *project,
                       json_t **ret)
{
        (void)project; /* sim_port_create decides it, as for ports other services create */
        _cleanup_err_ struct err e = ERR_INIT;
        int status;
        const char *type;
        int r = sim_port_create(s, sim_ctx(req), b, ret, &status, &type, &e);
        if (r < 0)
                sim_error(req, status, type, "%s", err_msg(&e));
        return r;
}

static int port_update(struct httpd_req *req, struct sim *s, json_t *o, const json_t *b)
{
        const char *id = httpd_req_param(req, "id");
        json_t *ips = json_object_get(b, "fixed_ips");
        if (json_is_array(ips)) {
                _cleanup_err_ struct err e = ERR_INIT;
                int status;
                const char *type = NULL;
                json_t *net = sim_get(s, K_NETWORK, json_get_str(o, "network_id"));
                json_t *old = json_incref(json_object_get(o, "fixed_ips"));
                free_ips(s, o);
                json_t *got = NULL;
                int r = port_alloc(s, net, ips, id, &got, &status, &type, &e);
                if (r < 0) {
                        /* put the old allocations back */
                        size_t i;
                        json_t *f;
                        json_array_foreach(old, i, f)
                        {
                                json_t *sub = sim_get(s, K_SUBNET, json_get_str(f, "subnet_id"));
                                if (sub)
                                        json_object_set_new(json_object_get(sub, "_alloc"),
                                                            json_get_str(f, "ip_address"),
                                                            json_string(id));
                        }
                        json_decref(old);
                        sim_error(req, status, type, "%s", err_msg(&e));
                        return r;
                }
                json_decref(old);
                sim_set(o, "fixed_ips", got);
                set_backing(s, o);
        }
        apply_keys(o, b, R_PORT.update_keys);
        const char *dev = json_get_str(o, "device_id");
        sim_set_str(o, "status", dev && *dev ? "ACTIVE" : "DOWN");
        s->coe_dirty = s->lb_dirty = true;
        return 0;
}

static int port_remove(struct httpd_req *req, struct sim *s, json_t *o, const char *id)
{
        const char *owner = json_get_str(o, "device_owner");
        if (owner &&
            (streq(owner, "network:router_interface") || streq(owner, "network:router_gateway"))) {
                sim_error(req, 409, "PortInUse",
                          "Port %s cannot be deleted directly via the port API: has device "
                          "owner %s.",
                          id, owner);
                return -EBUSY;
        }
        sim_port_delete(s, id);
        return 0;
}

static const char *const port_update_keys[] = {"name",
                                               "admin_state_up",
                                               "device_id",
                                               "device_owner",
                                               "security_groups",
                                               "description",
                                               "port_security_enabled",
                                               "binding:host_id",
                                               "allowed_address_pairs",
                                               NULL};

static const struct nres R_PORT = {
        .kind = K_PORT,
        .coll = "ports",
        .one = "port",
        .notfound = "PortNotFound",
        .label = "Port",
        .quota = "port",
        .attrs = port_attrs,
        .update_keys = port_update_keys,
        .create = port_create,
        .update = port_update,
        .remove = port_remove,
};

/* ---- routers ------------------------------------------------------------------------- */

static const char *const router_attrs[] = {"name",
                                           "admin_state_up",
                                           "external_gateway_info",
                                           "description",
                                           "tenant_id",
                                           "project_id",
                                           "distributed",
                                           "ha",
                                           "availability_zone_hints",
                                           "flavor_id",
                                           "routes",
                                           NULL};

/* Sets external_gateway_info, creating the gateway port on the external network. */
static int router_set_gateway(struct httpd_req *req, struct sim *s, json_t *router,
                              const json_t *gw)
{
        const char *rid = json_get_str(router, "id");
        /* drop an existing gateway port */
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_PORT], k, v)
        {
                const char *dev = json_get_str(v, "device_id");
                const char *own = json_get_str(v, "device_owner");
                if (dev && streq(dev, rid) && own && streq(own, "network:router_gateway")) {
                        sim_port_delete(s, k);
                        break;
                }
        }
        if (!json_is_object(gw) || !json_get_str(gw, "network_id")) {
                sim_set(router, "external_gateway_info", json_null());
                return 0;
        }
        const char *net_id = json_get_str(gw, "network_id");
        json_t *net = sim_get(s, K_NETWORK, net_id);
        if (!net) {
                sim_error(req, 404, "NetworkNotFound", "Network %s could not be found.", net_id);
                return -ENOENT;
        }
        if (!json_get_bool(net, "router:external", false)) {
                sim_error(req, 400, "BadRequest",
                          "Bad router request: Network %s is not an external network.", net_id);
                return -EINVAL;
        }
        struct sim_ctx admin = {.sim = s, .admin = true, .project_id = ""};
        json_auto_t *pb = json_pack("{s:s?,s:s?,s:s?,s:s?}", "network_id", net_id, "device_id", rid,
                                    "device_owner", "network:router_gateway", "project_id", "");
        json_t *efi = json_object_get(gw, "external_fixed_ips");
        if (json_is_array(efi))
                json_object_set(pb, "fixed_ips", efi);
        json_t *port;
        int status;
        const char *type;
        _cleanup_err_ struct err e = ERR_INIT;
        int r = sim_port_create(s, &admin, pb, &port, &status, &type, &e);
        if (r < 0) {
                sim_error(req, status, type, "%s", err_msg(&e));
                return r;
        }
        json_t *ext_ips = json_checked(json_array());
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(port, "fixed_ips"), i, f)
                json_array_append_new(ext_ips, json_deep_copy(f));
        sim_set(router, "external_gateway_info",
                json_pack("{s:s?,s:b,s:o}", "network_id", net_id, "enable_snat",
                          json_get_bool(gw, "enable_snat", true), "external_fixed_ips", ext_ips));
        return 0;
}

static int router_create(struct httpd_req *req, struct sim *s, const json_t *b, const char *project,
                         json_t **ret)
{
        int r = over_quota(req, s, project, &R_ROUTER);
        if (r < 0)
                return r;
        json_t *o = sim_new_obj(s, K_ROUTER, project);
        const char *name = json_get_str(b, "name");
        sim_set_str(o, "name", name ? name : "");
        sim_set(o, "admin_state_up", json_boolean(json_get_bool(b, "admin_state_up", true)));
        sim_set_str(o, "status", "ACTIVE");
        sim_set(o, "external_gateway_info", json_null());
        sim_set(o, "routes", json_array());
        sim_set(o, "availability_zone_hints", json_array());
        sim_set(o, "availability_zones", json_pack("[s?]", "nova"));
        sim_set(o, "distributed", json_false());
        sim_set(o, "ha", json_false());
        sim_set(o, "flavor_id", json_null());
        const char *d = json_get_str(b, "description");
        sim_set_str(o, "description", d ? d : "");
        fill_common(o, project);
        r = router_set_gateway(req, s, o, json_object_get(b, "external_gateway_info"));
        if (r < 0) {
                json_decref(o);
                return r;
        }
        sim_put(s, K_ROUTER, o);
        *ret = o;
        return 0;
}

static int router_update(struct httpd_req *req, struct sim *s, json_t *o, const json_t *b)
{
        if (json_object_get(b, "external_gateway_info")) {
                int r = router_set_gateway(req, s, o, json_object_get(b, "external_gateway_info"));
                if (r < 0)
                        return r;
        }
        apply_keys(o, b, R_ROUTER.update_keys);
        return 0;
}

static bool router_has_ports(struct sim *s, const char *rid)
{
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_PORT], k, v)
        {
                const char *dev = json_get_str(v, "device_id");
                const char *own = json_get_str(v, "device_owner");
                if (dev && streq(dev, rid) && own && streq(own, "network:router_interface"))
                        return true;
        }
        return false;
}

static int router_remove(struct httpd_req *req, struct sim *s, json_t *o, const char *id)
{
        if (router_has_ports(s, id)) {
                sim_error(req, 409, "RouterInUse", "Router %s still has ports", id);
                return -EBUSY;
        }
        router_set_gateway(req, s, o, NULL);
        sim_del(s, K_ROUTER, id);
        return 0;
}

static const char *const router_update_keys[] = {"name", "admin_state_up", "description", "routes",
                                                 NULL};

static const struct nres R_ROUTER = {
        .kind = K_ROUTER,
        .coll = "routers",
        .one = "router",
        .notfound = "RouterNotFound",
        .label = "Router",
        .quota = "router",
        .attrs = router_attrs,
        .update_keys = router_update_keys,
        .create = router_create,
        .update = router_update,
        .remove = router_remove,
};

static int router_add_if(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        struct sim *s = c->sim;
        json_auto_t *b = NULL;
        if (sim_body(req, &b) < 0)
                return 0;
        const char *id = httpd_req_param(req, "id");
        const char *subnet_id = json_get_str(b, "subnet_id");
        const char *port_id = json_get_str(b, "port_id");
        if (!!subnet_id == !!port_id)
                return sim_error(req, 400, "BadRequest",
                                 "Bad router request: Either subnet_id or port_id must be "
                                 "specified.");
        LOCK(s);
        json_t *router = find_visible(req, &R_ROUTER, id);
        if (!router) {
                UNLOCK(s);
                return not_found(req, &R_ROUTER, id);
        }
        json_t *port;
        json_t *sub;
        if (subnet_id) {
                sub = find_visible(req, &R_SUBNET, subnet_id);
                if (!sub) {
                        UNLOCK(s);
                        return not_found(req, &R_SUBNET, subnet_id);
                }
                const char *gw = json_get_str(sub, "gateway_ip");
                if (!gw) {
                        UNLOCK(s);
                        return sim_error(req, 400, "BadRequest",
                                         "Bad router request: Subnet for router interface must "
                                         "have a gateway IP.");
                }
                const char *k;
                json_t *v;
                json_object_foreach(s->db[K_PORT], k, v)
                {
                        const char *dev = json_get_str(v, "device_id");
                        json_t *f = json_array_get(json_object_get(v, "fixed_ips"), 0);
                        const char *fs = json_get_str(f, "subnet_id");
                        if (dev && streq(dev, id) && fs && streq(fs, subnet_id)) {
                                UNLOCK(s);
                                return sim_error(req, 400, "BadRequest",
                                                 "Bad router request: Router already has a port "
                                                 "on subnet %s.",
                                                 subnet_id);
                        }
                }
                json_auto_t *pb =
                        json_pack("{s:s?,s:s?,s:s?,s:[{s:s?,s:s?}],s:s?}", "network_id",
                                  json_get_str(sub, "network_id"), "device_id", id, "device_owner",
                                  "network:router_interface", "fixed_ips", "subnet_id", subnet_id,
                                  "ip_address", gw, "project_id", json_get_str(router, "_project"));
                int status;
                const char *type;
                _cleanup_err_ struct err e = ERR_INIT;
                struct sim_ctx admin = *c;
                admin.admin = true;
                if (sim_port_create(s, &admin, pb, &port, &status, &type, &e) < 0) {
                        UNLOCK(s);
                        return sim_error(req, status, type, "%s", err_msg(&e));
                }
                sim_set(port, "security_groups", json_array());
        } else {
                port = find_visible(req, &R_PORT, port_id);
                if (!port) {
                        UNLOCK(s);
                        return not_found(req, &R_PORT, port_id);
                }
                const char *dev = json_get_str(port, "device_id");
                if (dev && *dev) {
                        UNLOCK(s);
                        return sim_error(req, 409, "PortInUse",
                                         "Unable to complete operation on port %s for network "
                                         "%s. Port already has an attached device %s.",
                                         port_id, json_get_str(port, "network_id"), dev);
                }
                sim_set_str(port, "device_id", id);
                sim_set_str(port, "device_owner", "network:router_interface");
                sim_set_str(port, "status", "ACTIVE");
                json_t *f = json_array_get(json_object_get(port, "fixed_ips"), 0);
                sub = sim_get(s, K_SUBNET, json_get_str(f, "subnet_id"));
                subnet_id = json_get_str(f, "subnet_id");
        }
        json_t *out = json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:[s?],s:s?}", "id", id, "tenant_id",
                                json_get_str(router, "_project"), "project_id",
                                json_get_str(router, "_project"), "port_id",
                                json_get_str(port, "id"), "subnet_id", subnet_id ? subnet_id : "",
                                "subnet_ids", subnet_id ? subnet_id : "", "network_id",
                                json_get_str(port, "network_id"));
        sim_touch(router, false);
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(out));
}

static int router_remove_if(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim *s = sim_ctx(req)->sim;
        json_auto_t *b = NULL;
        if (sim_body(req, &b) < 0)
                return 0;
        const char *id = httpd_req_param(req, "id");
        const char *subnet_id = json_get_str(b, "subnet_id");
        const char *port_id = json_get_str(b, "port_id");
        if (!subnet_id && !port_id)
                return sim_error(req, 400, "BadRequest",
                                 "Bad router request: Either subnet_id or port_id must be "
                                 "specified.");
        LOCK(s);
        json_t *router = find_visible(req, &R_ROUTER, id);
        if (!router) {
                UNLOCK(s);
                return not_found(req, &R_ROUTER, id);
        }
        json_t *found = NULL;
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_PORT], k, v)
        {
                const char *dev = json_get_str(v, "device_id");
                const char *own = json_get_str(v, "device_owner");
                json_t *f = json_array_get(json_object_get(v, "fixed_ips"), 0);
                const char *fs = json_get_str(f, "subnet_id");
                if (!dev || !streq(dev, id) || !own || !streq(own, "network:router_interface"))
                        continue;
                if ((port_id && streq(k, port_id)) || (subnet_id && fs && streq(fs, subnet_id)))
                        found = v;
        }
        if (!found) {
                UNLOCK(s);
                if (subnet_id)
                        return sim_error(req, 404, "RouterInterfaceNotFoundForSubnet",
                                         "Router %s has no interface on subnet %s", id, subnet_id);
                return sim_error(req, 404, "RouterInterfaceNotFound",
                                 "Router %s does not have an interface with id %s", id, port_id);
        }
        json_t *f = json_array_get(json_object_get(found, "fixed_ips"), 0);
        json_t *out = json_pack(
                "{s:s?,s:s?,s:s?,s:s?,s:s?,s:[s?],s:s?}", "id", id, "tenant_id",
                json_get_str(router, "_project"), "project_id", json_get_str(router, "_project"),
                "port_id", json_get_str(found, "id"), "subnet_id", json_get_str(f, "subnet_id"),
                "subnet_ids", json_get_str(f, "subnet_id"), "network_id",
                json_get_str(found, "network_id"));
        sim_port_delete(s, json_get_str(found, "id"));
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(out));
}

/* ---- floating IPs -------------------------------------------------------------------- */

/* The router connecting port's subnet to the external network, or NULL. */
static json_t *router_for(struct sim *s, json_t *port, const char *ext_net)
{
        json_t *f = json_array_get(json_object_get(port, "fixed_ips"), 0);
        const char *sub = json_get_str(f, "subnet_id");
        if (!sub)
                return NULL;
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_PORT], k, v)
        {
                const char *own = json_get_str(v, "device_owner");
                json_t *vf = json_array_get(json_object_get(v, "fixed_ips"), 0);
                const char *vs = json_get_str(vf, "subnet_id");
                if (!own || !streq(own, "network:router_interface") || !vs || !streq(vs, sub))
                        continue;
                json_t *router = sim_get(s, K_ROUTER, json_get_str(v, "device_id"));
                json_t *gw = json_object_get(router, "external_gateway_info");
                const char *gn = json_get_str(gw, "network_id");
                if (gn && streq(gn, ext_net))
                        return router;
        }
        return NULL;
}

/* Associates fip with port (fixed_ip optional); answers the error itself. */
static int fip_associate(struct httpd_req *req, struct sim *s, json_t *fip, const char *port_id,
                         const char *fixed_ip)
{
        json_t *port = find_visible(req, &R_PORT, port_id);
        if (!port) {
                sim_error(req, 404, "PortNotFound", "Port %s could not be found.", port_id);
                return -ENOENT;
        }
        json_t *other = fip_of_port(s, port_id);
        if (other && other != fip) {
                sim_error(req, 409, "FloatingIPPortAlreadyAssociated",
                          "Cannot associate floating IP %s (%s) with port %s using fixed IP %s, "
                          "as that fixed IP already has a floating IP on external network %s.",
                          json_get_str(fip, "floating_ip_address"), json_get_str(fip, "id"),
                          port_id,
                          json_get_str(json_array_get(json_object_get(port, "fixed_ips"), 0),
                                       "ip_address"),
                          json_get_str(fip, "floating_network_id"));
                return -EEXIST;
        }
        const char *ext = json_get_str(fip, "floating_network_id");
        json_t *router = router_for(s, port, ext);
        json_t *f0 = json_array_get(json_object_get(port, "fixed_ips"), 0);
        if (!router) {
                sim_error(req, 404, "ExternalGatewayForFloatingIPNotFound",
                          "External network %s is not reachable from subnet %s.  Therefore, "
                          "cannot associate Port %s with a Floating IP.",
                          ext, json_get_str(f0, "subnet_id"), port_id);
                return -ENOENT;
        }
        sim_set_str(fip, "port_id", port_id);
        sim_set_str(fip, "fixed_ip_address", fixed_ip ? fixed_ip : json_get_str(f0, "ip_address"));
        sim_set_str(fip, "router_id", json_get_str(router, "id"));
        sim_set_str(fip, "status", "ACTIVE");
        sim_set(fip, "port_details",
                json_pack("{s:s?,s:s?,s:s?,s:b,s:s?,s:s?,s:s?}", "name", json_get_str(port, "name"),
                          "network_id", json_get_str(port, "network_id"), "mac_address",
                          json_get_str(port, "mac_address"), "admin_state_up",
                          json_get_bool(port, "admin_state_up", true), "status",
                          json_get_str(port, "status"), "device_id",
                          json_get_str(port, "device_id"), "device_owner",
                          json_get_str(port, "device_owner")));
        s->lb_dirty = s->coe_dirty = true;
        return 0;
}

static const char *const fip_attrs[] = {"floating_network_id", "port_id",       "fixed_ip_address",
                                        "floating_ip_address", "description",   "tenant_id",
                                        "project_id",          "subnet_id",     "dns_name",
                                        "dns_domain",          "qos_policy_id", NULL};

static int fip_create_check(struct httpd_req *req, const json_t *b)
{
        if (!json_get_str(b, "floating_network_id")) {
                sim_error(req, 400, "HTTPBadRequest",
                          "Failed to parse request. Required attribute "
                          "'floating_network_id' not specified");
                return -EINVAL;
        }
        return 0;
}

static int fip_create(struct httpd_req *req, struct sim *s, const json_t *b, const char *project,
                      json_t **ret)
{
        const char *net_id = json_get_str(b, "floating_network_id");
        json_t *net = sim_get(s, K_NETWORK, net_id);
        if (!net || !sim_visible(sim_ctx(req), K_NETWORK, net)) {
                sim_error(req, 404, "NetworkNotFound", "Network %s could not be found.", net_id);
                return -ENOENT;
        }
        if (!json_get_bool(net, "router:external", false)) {
                sim_error(req, 400, "BadRequest",
                          "Bad floatingip request: Network %s is not a valid external "
                          "network.",
                          net_id);
                return -EINVAL;
        }
        int r = over_quota(req, s, project, &R_FIP);
        if (r < 0)
                return r;
        json_t *o = sim_new_obj(s, K_FIP, project);
        const char *id = json_get_str(o, "id");
        _cleanup_err_ struct err e = ERR_INIT;
        char ip[16];
        r = -ENOSPC;
        json_t *sub = NULL;
        size_t i;
        json_t *sid;
        const char *want_sub = json_get_str(b, "subnet_id");
        json_array_foreach(json_object_get(net, "subnets"), i, sid)
        {
                if (want_sub && !streq(want_sub, json_string_value(sid)))
                        continue;
                sub = sim_get(s, K_SUBNET, json_string_value(sid));
                if (!sub)
                        continue;
                _cleanup_free_ char *owner = xasprintf("fip:%s", id);
                err_clear(&e);
                r = alloc_ip(sub, json_get_str(b, "floating_ip_address"), owner, ip, &e);
                if (r >= 0 || r == -EEXIST || r == -EINVAL)
                        break;
        }
        if (r < 0) {
                json_decref(o);
                if (r == -EEXIST)
                        sim_error(req, 409, "IpAddressInUse",
                                  "Unable to complete operation for network %s. The IP "
                                  "address %s is in use.",
                                  net_id, json_get_str(b, "floating_ip_address"));
                else
                        sim_error(req, 409, "IpAddressGenerationFailure",
                                  "No more IP addresses available on network %s.", net_id);
                return r;
        }
        sim_set_str(o, "floating_network_id", net_id);
        sim_set_str(o, "floating_ip_address", ip);
        sim_set(o, "fixed_ip_address", json_null());
        sim_set(o, "port_id", json_null());
        sim_set(o, "router_id", json_null());
        sim_set_str(o, "status", "DOWN");
        sim_set(o, "port_details", json_null());
        sim_set(o, "port_forwardings", json_array());
        sim_set(o, "qos_policy_id", json_null());
        sim_set_str(o, "dns_domain", "");
        sim_set_str(o, "dns_name", "");
        sim_set_str(o, "_subnet", json_get_str(sub, "id"));
        const char *d = json_get_str(b, "description");
        sim_set_str(o, "description", d ? d : "");
        fill_common(o, project);
        const char *port_id = json_get_str(b, "port_id");
        if (port_id) {
                r = fip_associate(req, s, o, port_id, json_get_str(b, "fixed_ip_address"));
                if (r < 0) {
                        json_object_del(json_object_get(sub, "_alloc"), ip);
                        json_decref(o);
                        return r;
                }
        }
        sim_put(s, K_FIP, o);
        *ret = o;
        return 0;
}

static int fip_update(struct httpd_req *req, struct sim *s, json_t *o, const json_t *b)
{
        json_t *pv = json_object_get(b, "port_id");
        if (json_is_null(pv)) {
                fip_disassociate(s, o);
        } else if (json_is_string(pv)) {
                int r = fip_associate(req, s, o, json_string_value(pv),
                                      json_get_str(b, "fixed_ip_address"));
                if (r < 0)
                        return r;
        }
        apply_keys(o, b, R_FIP.update_keys);
        return 0;
}

static int fip_remove(struct httpd_req *req, struct sim *s, json_t *o, const char *id)
{
        (void)req;
        json_t *sub = sim_get(s, K_SUBNET, json_get_str(o, "_subnet"));
        if (sub)
                json_object_del(json_object_get(sub, "_alloc"),
                                json_get_str(o, "floating_ip_address"));
        if (json_get_str(o, "port_id"))
                s->lb_dirty = s->coe_dirty = true;
        sim_del(s, K_FIP, id);
        return 0;
}

static const char *const fip_update_keys[] = {"description", NULL};

static const struct nres R_FIP = {
        .kind = K_FIP,
        .coll = "floatingips",
        .one = "floatingip",
        .notfound = "FloatingIPNotFound",
        .label = "Floating IP",
        .quota = "floatingip",
        .attrs = fip_attrs,
        .update_keys = fip_update_keys,
        .create_check = fip_create_check,
        .create = fip_create,
        .update = fip_update,
        .remove = fip_remove,
};

/* ---- security groups ------------------------------------------------------------------ */

static const char *const sg_attrs[] = {"name",       "description", "tenant_id",
                                       "project_id", "stateful",    NULL};
static const char *const sg_update_keys[] = {"name", "description", "stateful", NULL};

static int sg_create_check(struct httpd_req *req, const json_t *b)
{
        const char *name = json_get_str(b, "name");
        if (name && streq(name, "default")) {
                sim_error(req, 409, "SecurityGroupDefaultAlreadyExists",
                          "Default security group already exists.");
                return -EEXIST;
        }
        return 0;
}

static int sg_create(struct httpd_req *req, struct sim *s, const json_t *b, const char *project,
                     json_t **ret)
{
        sim_default_secgroup(s, project);
        int r = over_quota(req, s, project, &R_SG);
        if (r < 0)
                return r;
        const char *name = json_get_str(b, "name");
        *ret = sg_new(s, project, name ? name : "", json_get_str(b, "description"), false);
        return 0;
}

static int sg_remove(struct httpd_req *req, struct sim *s, json_t *o, const char *id)
{
        if (json_get_bool(o, "_default", false) && !sim_ctx(req)->admin) {
                sim_error(req, 409, "SecurityGroupCannotRemoveDefault",
                          "Insufficient rights for removing default security group.");
                return -EACCES;
        }
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_PORT], k, v)
        {
                size_t i;
                json_t *g;
                json_array_foreach(json_object_get(v, "security_groups"), i, g)
                {
                        if (json_is_string(g) && streq(json_string_value(g), id)) {
                                sim_error(req, 409, "SecurityGroupInUse",
                                          "Security Group %s in use.", id);
                                return -EBUSY;
                        }
                }
        }
        void *tmp;
        json_object_foreach_safe(s->db[K_SGRULE], tmp, k, v)
        {
                const char *g = json_get_str(v, "security_group_id");
                if (g && streq(g, id))
                        json_object_del(s->db[K_SGRULE], k);
        }
        sim_del(s, K_SECGROUP, id);
        return 0;
}

static const struct nres R_SG = {
        .kind = K_SECGROUP,
        .coll = "security_groups",
        .one = "security_group",
        .notfound = "SecurityGroupNotFound",
        .label = "Security group",
        .quota = "security_group",
        .attrs = sg_attrs,
        .update_attrs = sg_update_keys,
        .update_keys = sg_update_keys,
        .create_check = sg_create_check,
        .create = sg_create,
        .remove = sg_remove,
};

static bool same_val(const json_t *a, const json_t *b)
{
        if (!a || json_is_null(a))
                return !b || json_is_null(b);
        return b && json_equal(a, b);
}

static const char *const sgr_attrs[] = {"security_group_id",
                                        "direction",
                                        "ethertype",
                                        "protocol",
                                        "port_range_min",
                                        "port_range_max",
                                        "remote_ip_prefix",
                                        "remote_group_id",
                                        "description",
                                        "tenant_id",
                                        "project_id",
                                        "remote_address_group_id",
                                        NULL};

static int sgr_create_check(struct httpd_req *req, const json_t *b)
{
        const char *sg_id = json_get_str(b, "security_group_id");
        const char *dir = json_get_str(b, "direction");
        const char *eth = json_get_str(b, "ethertype");
        if (!sg_id) {
                sim_error(req, 400, "HTTPBadRequest",
                          "Failed to parse request. Required attribute "
                          "'security_group_id' not specified");
                return -EINVAL;
        }
        if (!dir || (!streq(dir, "ingress") && !streq(dir, "egress"))) {
                sim_error(req, 400, "HTTPBadRequest",
                          "Invalid input for direction. Reason: %s is not in valid_values.",
                          dir ? dir : "None");
                return -EINVAL;
        }
        if (eth && !streq(eth, "IPv4") && !streq(eth, "IPv6")) {
                sim_error(req, 400, "SecurityGroupRuleInvalidEtherType",
                          "Security group rule for ethertype '%s' not supported. Allowed "
                          "values are ['IPv4', 'IPv6'].",
                          eth);
                return -EINVAL;
        }
        json_t *proto = json_object_get(b, "protocol");
        json_t *pmin = json_object_get(b, "port_range_min");
        json_t *pmax = json_object_get(b, "port_range_max");
        if (json_is_string(proto)) {
                static const char *const known[] = {"tcp", "udp", "icmp", "icmpv6", "sctp", "any",
                                                    "ah",  "esp", "gre",  "ipip",   "vrrp", NULL};
                const char *p = json_string_value(proto);
                bool ok = false;
                long long num;
                for (size_t i = 0; known[i] && !ok; i++)
                        ok = streq(known[i], p);
                if (!ok && str_to_ll(p, 0, 255, &num) < 0) {
                        sim_error(req, 400, "SecurityGroupRuleInvalidProtocol",
                                  "Security group rule protocol %s not supported. Only "
                                  "protocol values [None, 'ah', 'dccp', 'egp', 'esp', "
                                  "'gre', 'icmp', 'icmpv6', 'igmp', 'ipip', 'ipv6-encap', "
                                  "'ipv6-frag', 'ipv6-icmp', 'ipv6-nonxt', 'ipv6-opts', "
                                  "'ipv6-route', 'ospf', 'pgm', 'rsvp', 'sctp', 'tcp', "
                                  "'udp', 'udplite', 'vrrp'] and integer representations "
                                  "[0 to 255] are supported.",
                                  p);
                        return -EINVAL;
                }
        }
        if ((json_is_integer(pmin) || json_is_integer(pmax)) && !json_is_string(proto)) {
                sim_error(req, 400, "SecurityGroupProtocolRequiredWithPorts",
                          "Must also specify protocol if port range is given.");
                return -EINVAL;
        }
        if (json_is_integer(pmin) && json_is_integer(pmax) && json_is_string(proto) &&
            (streq(json_string_value(proto), "tcp") || streq(json_string_value(proto), "udp")) &&
            json_integer_value(pmin) > json_integer_value(pmax)) {
                sim_error(req, 400, "SecurityGroupInvalidPortRange",
                          "For TCP/UDP protocols, port_range_min must be <= "
                          "port_range_max");
                return -EINVAL;
        }
        if (json_is_string(json_object_get(b, "remote_ip_prefix")) &&
            json_is_string(json_object_get(b, "remote_group_id"))) {
                sim_error(req, 400, "SecurityGroupRemoteGroupAndRemoteIpPrefix",
                          "Only remote_ip_prefix or remote_group_id may be provided.");
                return -EINVAL;
        }
        return 0;
}

/* The rule belongs to its group's project, whoever creates it. */
static int sgr_create(struct httpd_req *req, struct sim *s, const json_t *b, const char *owner,
                      json_t **ret)
{
        (void)owner;
        const char *sg_id = json_get_str(b, "security_group_id");
        const char *dir = json_get_str(b, "direction");
        const char *eth = json_get_str(b, "ethertype");
        json_t *proto = json_object_get(b, "protocol");
        json_t *pmin = json_object_get(b, "port_range_min");
        json_t *pmax = json_object_get(b, "port_range_max");
        json_t *sg = find_visible(req, &R_SG, sg_id);
        if (!sg) {
                not_found(req, &R_SG, sg_id);
                return -ENOENT;
        }
        const char *project = json_get_str(sg, "_project");
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_SGRULE], k, v)
        {
                const char *g = json_get_str(v, "security_group_id");
                if (!g || !streq(g, sg_id))
                        continue;
                json_t *veth = json_object_get(v, "ethertype");
                if (same_val(json_object_get(v, "direction"), json_object_get(b, "direction")) &&
                    (eth ? json_equal(veth, json_object_get(b, "ethertype"))
                         : streq(json_string_value(veth), "IPv4")) &&
                    same_val(json_object_get(v, "protocol"), proto) &&
                    same_val(json_object_get(v, "port_range_min"), pmin) &&
                    same_val(json_object_get(v, "port_range_max"), pmax) &&
                    same_val(json_object_get(v, "remote_ip_prefix"),
                             json_object_get(b, "remote_ip_prefix")) &&
                    same_val(json_object_get(v, "remote_group_id"),
                             json_object_get(b, "remote_group_id"))) {
                        sim_error(req, 409, "SecurityGroupRuleExists",
                                  "Security group rule already exists. Rule id is %s.", k);
                        return -EEXIST;
                }
        }
        int rc = over_quota(req, s, project, &R_SGR);
        if (rc < 0)
                return rc;
        json_t *r = sg_rule_new(s, project, sg_id, dir, eth ? eth : "IPv4",
                                json_get_str(b, "remote_group_id"));
        if (json_is_string(proto))
                json_object_set(r, "protocol", proto);
        if (json_is_integer(pmin))
                json_object_set(r, "port_range_min", pmin);
        if (json_is_integer(pmax))
                json_object_set(r, "port_range_max", pmax);
        const char *rip = json_get_str(b, "remote_ip_prefix");
        if (rip) {
                sim_set_str(r, "remote_ip_prefix", rip);
                sim_set_str(r, "normalized_cidr", rip);
        }
        const char *d = json_get_str(b, "description");
        sim_set_str(r, "description", d ? d : "");
        sg_refresh_rules(s, sg);
        *ret = r;
        return 0;
}

static int sgr_remove(struct httpd_req *req, struct sim *s, json_t *o, const char *id)
{
        (void)req;
        json_t *sg = sim_get(s, K_SECGROUP, json_get_str(o, "security_group_id"));
        sim_del(s, K_SGRULE, id);
        if (sg)
                sg_refresh_rules(s, sg);
        return 0;
}

static const struct nres R_SGR = {
        .kind = K_SGRULE,
        .coll = "security_group_rules",
        .one = "security_group_rule",
        .notfound = "SecurityGroupRuleNotFound",
        .label = "Security group rule",
        .quota = "security_group_rule",
        .attrs = sgr_attrs,
        .create_check = sgr_create_check,
        .create = sgr_create,
        .remove = sgr_remove,
};

/* ---- quotas -------------------------------------------------------------------------- */

static const struct {
        const char *name;
        enum sim_kind kind;
} nquotas[] = {
        {"network", K_NETWORK},
        {"subnet", K_SUBNET},
        {"port", K_PORT},
        {"router", K_ROUTER},
        {"floatingip", K_FIP},
        {"security_group", K_SECGROUP},
        {"security_group_rule", K_SGRULE},
};

static json_t *quota_json(struct sim *s, const char *project, bool details)
{
        json_t *q = json_checked(json_object());
        for (size_t i = 0; i < ARRAY_SIZE(nquotas); i++) {
                int limit = sim_quota(s, project, nquotas[i].name);
                if (details)
                        json_object_set_new(q, nquotas[i].name,
                                            json_pack("{s:i,s:i,s:i}", "limit", limit, "used",
                                                      sim_count(s, nquotas[i].kind, project),
                                                      "reserved", 0));
                else
                        json_object_set_new(q, nquotas[i].name, json_integer(limit));
        }
        if (!details) {
                json_object_set_new(q, "rbac_policy", json_integer(10));
                json_object_set_new(q, "subnetpool", json_integer(-1));
        }
        return q;
}

static int quota_show_common(struct httpd_req *req, bool details)
{
        struct sim_ctx *c = sim_ctx(req);
        struct sim *s = c->sim;
        const char *pid = httpd_req_param(req, "id");
        if (!c->admin && !streq(pid, c->project_id))
                return sim_error(req, 403, "HTTPForbidden",
                                 "Non-admin is not authorized to "
                                 "access quotas for another tenant");
        LOCK(s);
        json_t *out = json_pack("{s:o}", "quota", quota_json(s, pid, details));
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(out));
}

static int quota_show(struct httpd_req *req, void *data)
{
        (void)data;
        return quota_show_common(req, false);
}

static int quota_update(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        struct sim *s = c->sim;
        if (!c->admin)
                return sim_error(req, 403, "AdminRequired",
                                 "User does not have admin "
                                 "privileges: Cannot update quota.");
        json_auto_t *root = NULL;
        if (sim_body(req, &root) < 0)
                return 0;
        json_t *b = json_object_get(root, "quota");
        if (!json_is_object(b))
                return sim_error(req, 400, "HTTPBadRequest", "Resource body required");
        const char *pid = httpd_req_param(req, "id");
        LOCK(s);
        json_t *q = json_object_get(s->quotas, pid);
        if (!q) {
                q = json_checked(json_object());
                json_object_set_new(s->quotas, pid, q);
        }
        const char *k;
        json_t *v;
        json_object_foreach(b, k, v)
        {
                if (json_is_integer(v))
                        json_object_set(q, k, v);
        }
        json_t *out = json_pack("{s:o}", "quota", quota_json(s, pid, false));
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(out));
}

static int quota_delete(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        if (!c->admin)
                return sim_error(req, 403, "AdminRequired",
                                 "User does not have admin "
                                 "privileges: Cannot delete quota.");
        LOCK(c->sim);
        json_object_del(c->sim->quotas, httpd_req_param(req, "id"));
        UNLOCK(c->sim);
        return httpd_resp_empty(req, 204);
}

/* ---- discovery ----------------------------------------------------------------------- */

static int versions(struct httpd_req *req, void *data)
{
        (void)data;
        _cleanup_free_ char *href = xasprintf("%s/v2.0/", httpd_req_host_url(req));
        json_t *j = json_pack("{s:[{s:s?,s:s?,s:[{s:s?,s:s?}]}]}", "versions", "id", "v2.0",
                              "status", "CURRENT", "links", "href", href, "rel", "self");
        return sim_reply(req, 200, json_checked(j));
}

static int v2_root(struct httpd_req *req, void *data)
{
        (void)data;
        static const char *const colls[][2] = {
                {"network", "networks"},
                {"subnet", "subnets"},
                {"port", "ports"},
                {"router", "routers"},
                {"floatingip", "floatingips"},
                {"security_group", "security-groups"},
                {"security_group_rule", "security-group-rules"},
                {"quota", "quotas"},
        };
        json_t *arr = json_checked(json_array());
        for (size_t i = 0; i < ARRAY_SIZE(colls); i++) {
                _cleanup_free_ char *href =
                        xasprintf("%s/v2.0/%s", httpd_req_host_url(req), colls[i][1]);
                json_array_append_new(arr, json_pack("{s:s?,s:s?,s:[{s:s?,s:s?}]}", "name",
                                                     colls[i][0], "collection", colls[i][1],
                                                     "links", "href", href, "rel", "self"));
        }
        return sim_reply(req, 200, json_checked(json_pack("{s:o}", "resources", arr)));
}

static const char *const ext_aliases[][2] = {
        {"external-net", "Neutron external network"},
        {"router", "Neutron L3 Router"},
        {"security-group", "security-group"},
        {"quotas", "Quota management support"},
        {"quota_details", "Quota details management support"},
        {"allowed-address-pairs", "Allowed Address Pairs"},
        {"binding", "Port Binding"},
        {"port-security", "Port Security"},
        {"availability_zone", "Availability Zone"},
        {"network_availability_zone", "Network Availability Zone"},
        {"router_availability_zone", "Router Availability Zone"},
        {"standard-attr-description", "standard-attr-description"},
        {"standard-attr-timestamp", "Resource timestamps"},
        {"standard-attr-revisions", "Resource revision numbers"},
        {"standard-attr-tag", "Tag support for resources with standard attribute: port, subnet, "
                              "network, router, floatingip, security_group"},
        {"extra_dhcp_opt", "Neutron Extra DHCP options"},
        {"net-mtu", "Network MTU"},
        {"ext-gw-mode", "Neutron L3 Configurable external gateway mode"},
        {"fip-port-details", "Floating IP Port Details Extension"},
        {"stateful-security-group", "Stateful security group"},
};

static json_t *ext_json(size_t i)
{
        return json_pack("{s:s?,s:s?,s:s?,s:s?,s:[]}", "alias", ext_aliases[i][0], "name",
                         ext_aliases[i][1], "description", ext_aliases[i][1], "updated",
                         "2013-01-20T00:00:00-00:00", "links");
}

static int ext_list(struct httpd_req *req, void *data)
{
        (void)data;
        json_t *arr = json_checked(json_array());
        for (size_t i = 0; i < ARRAY_SIZE(ext_aliases); i++)
                json_array_append_new(arr, ext_json(i));
        return sim_reply(req, 200, json_checked(json_pack("{s:o}", "extensions", arr)));
}

static int ext_show(struct httpd_req *req, void *data)
{
        (void)data;
        const char *a = httpd_req_param(req, "id");
        for (size_t i = 0; i < ARRAY_SIZE(ext_aliases); i++)
                if (streq(ext_aliases[i][0], a))
                        return sim_reply(
                                req, 200,
                                json_checked(json_pack("{s:o}", "extension", ext_json(i))));
        return sim_error(req, 404, "ExtensionNotFound", "Extension with alias %s does not exist",
                         a);
}

static int az_list(struct httpd_req *req, void *data)
{
        (void)data;
        json_t *j = json_pack("{s:[{s:s?,s:s?,s:s?},{s:s?,s:s?,s:s?}]}", "availability_zones",
                              "name", "nova", "resource", "network", "state", "available", "name",
                              "nova", "resource", "router", "state", "available");
        return sim_reply(req, 200, json_checked(j));
}

#define GEN(name, res, fn)                                                                         \
        static int name(struct httpd_req *req, void *data)                                         \
        {                                                                                          \
                (void)data;                                                                        \
                return fn(req, &res);                                                              \
        }
GEN(net_list, R_NET, list_res)
GEN(net_show, R_NET, show_res)
GEN(net_post, R_NET, create_res)
GEN(net_put, R_NET, update_res)
GEN(net_delete, R_NET, delete_res)
GEN(subnet_list, R_SUBNET, list_res)
GEN(subnet_show, R_SUBNET, show_res)
GEN(subnet_post, R_SUBNET, create_res)
GEN(subnet_put, R_SUBNET, update_res)
GEN(subnet_delete, R_SUBNET, delete_res)
GEN(port_list, R_PORT, list_res)
GEN(port_show, R_PORT, show_res)
GEN(port_post, R_PORT, create_res)
GEN(port_put, R_PORT, update_res)
GEN(port_delete, R_PORT, delete_res)
GEN(router_list, R_ROUTER, list_res)
GEN(router_show, R_ROUTER, show_res)
GEN(router_post, R_ROUTER, create_res)
GEN(router_put, R_ROUTER, update_res)
GEN(router_delete, R_ROUTER, delete_res)
GEN(fip_list, R_FIP, list_res)
GEN(fip_show, R_FIP, show_res)
GEN(fip_post, R_FIP, create_res)
GEN(fip_put, R_FIP, update_res)
GEN(fip_delete, R_FIP, delete_res)
GEN(sg_list, R_SG, list_res)
GEN(sg_show, R_SG, show_res)
GEN(sg_post, R_SG, create_res)
GEN(sg_put, R_SG, update_res)
GEN(sg_delete, R_SG, delete_res)
GEN(sgr_list, R_SGR, list_res)
GEN(sgr_show, R_SGR, show_res)
GEN(sgr_post, R_SGR, create_res)
GEN(sgr_delete, R_SGR, delete_res)

static int quota_list(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        struct sim *s = c->sim;
        json_t *arr = json_checked(json_array());
        LOCK(s);
        const char *k;
        json_t *v;
        json_object_foreach(s->quotas, k, v)
        {
                json_t *q = quota_json(s, k, false);
                json_object_set_new(q, "project_id", json_string(k));
                json_object_set_new(q, "tenant_id", json_string(k));
                json_array_append_new(arr, q);
        }
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(json_pack("{s:o}", "quotas", arr)));
}

static int noop_details(struct httpd_req *req, void *data)
{
        (void)data;
        return quota_show_common(req, true);
}

#define P(m, path, fn)                                                                             \
        {                                                                                          \
                m, path, fn, NULL, NULL                                                            \
        }
const struct httpd_route sim_neutron_routes[] = {
        {"GET", "/", versions, NULL, sim_public_meta},
        {"GET", "/v2.0", v2_root, NULL, NULL},
        P("GET", "/v2.0/extensions", ext_list),
        P("GET", "/v2.0/extensions/{id}", ext_show),
        P("GET", "/v2.0/availability_zones", az_list),
        P("GET", "/v2.0/networks", net_list),
        P("POST", "/v2.0/networks", net_post),
        P("GET", "/v2.0/networks/{id}", net_show),
        P("PUT", "/v2.0/networks/{id}", net_put),
        P("DELETE", "/v2.0/networks/{id}", net_delete),
        P("GET", "/v2.0/subnets", subnet_list),
        P("POST", "/v2.0/subnets", subnet_post),
        P("GET", "/v2.0/subnets/{id}", subnet_show),
        P("PUT", "/v2.0/subnets/{id}", subnet_put),
        P("DELETE", "/v2.0/subnets/{id}", subnet_delete),
        P("GET", "/v2.0/ports", port_list),
        P("POST", "/v2.0/ports", port_post),
        P("GET", "/v2.0/ports/{id}", port_show),
        P("PUT", "/v2.0/ports/{id}", port_put),
        P("DELETE", "/v2.0/ports/{id}", port_delete),
        P("GET", "/v2.0/routers", router_list),
        P("POST", "/v2.0/routers", router_post),
        P("GET", "/v2.0/routers/{id}", router_show),
        P("PUT", "/v2.0/routers/{id}", router_put),
        P("DELETE", "/v2.0/routers/{id}", router_delete),
        P("PUT", "/v2.0/routers/{id}/add_router_interface", router_add_if),
        P("PUT", "/v2.0/routers/{id}/remove_router_interface", router_remove_if),
        P("GET", "/v2.0/floatingips", fip_list),
        P("POST", "/v2.0/floatingips", fip_post),
        P("GET", "/v2.0/floatingips/{id}", fip_show),
        P("PUT", "/v2.0/floatingips/{id}", fip_put),
        P("DELETE", "/v2.0/floatingips/{id}", fip_delete),
        P("GET", "/v2.0/security-groups", sg_list),
        P("POST", "/v2.0/security-groups", sg_post),
        P("GET", "/v2.0/security-groups/{id}", sg_show),
        P("PUT", "/v2.0/security-groups/{id}", sg_put),
        P("DELETE", "/v2.0/security-groups/{id}", sg_delete),
        P("GET", "/v2.0/security-group-rules", sgr_list),
        P("POST", "/v2.0/security-group-rules", sgr_post),
        P("GET", "/v2.0/security-group-rules/{id}", sgr_show),
        P("DELETE", "/v2.0/security-group-rules/{id}", sgr_delete),
        P("GET", "/v2.0/quotas", quota_list),
        P("GET", "/v2.0/quotas/{id}", quota_show),
        P("GET", "/v2.0/quotas/{id}/details", noop_details),
        P("PUT", "/v2.0/quotas/{id}", quota_update),
        P("DELETE", "/v2.0/quotas/{id}", quota_delete),
};
const size_t sim_neutron_n_routes = ARRAY_SIZE(sim_neutron_routes);
