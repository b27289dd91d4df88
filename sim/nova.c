/*
 * Simulated Nova (compute API v2.1, base microversion): servers with their BUILD → ACTIVE /
 * ERROR lifecycle (finished by the engine after [sim] boot_delay_ms), ports created on the
 * requested networks, addresses, metadata, user_data, volume attachments; flavors, keypairs
 * (generated or imported), server groups, availability zones, limits and quota sets.
 */
#include "common/common.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <ctype.h>
#include <regex.h>

#include "common/config.h"

#include "common/ids.h"
#include "common/json_util.h"
#include "common/x509.h"
#include "sim/sim.h"

#define LOCK(s)   pthread_mutex_lock(&(s)->lock)
#define UNLOCK(s) pthread_mutex_unlock(&(s)->lock)

static json_t *links(struct httpd_req *req, const char *coll, const char *id)
{
        _cleanup_free_ char *self = xasprintf("%s/v2.1/%s/%s", httpd_req_host_url(req), coll, id);
        _cleanup_free_ char *book = xasprintf("%s/%s/%s", httpd_req_host_url(req), coll, id);
        return json_pack("[{s:s?,s:s?},{s:s?,s:s?}]", "rel", "self", "href", self, "rel",
                         "bookmark", "href", book);
}

/* ---- servers ------------------------------------------------------------------------- */

static json_t *addresses(struct sim *s, json_t *server)
{
        json_t *out = json_checked(json_object());
        size_t i;
        json_t *pid;
        json_array_foreach(json_object_get(server, "_ports"), i, pid)
        {
                json_t *port = sim_get(s, K_PORT, json_string_value(pid));
                if (!port)
                        continue;
                json_t *net = sim_get(s, K_NETWORK, json_get_str(port, "network_id"));
                const char *name = net ? json_get_str(net, "name") : "unknown";
                json_t *list = json_object_get(out, name);
                if (!list) {
                        list = json_checked(json_array());
                        json_object_set_new(out, name, list);
                }
                const char *mac = json_get_str(port, "mac_address");
                size_t j;
                json_t *f;
                json_array_foreach(json_object_get(port, "fixed_ips"), j, f) json_array_append_new(
                        list, json_pack("{s:i,s:s?,s:s?,s:s?}", "version", 4, "addr",
                                        json_get_str(f, "ip_address"), "OS-EXT-IPS:type", "fixed",
                                        "OS-EXT-IPS-MAC:mac_addr", mac));
                const char *k;
                json_t *fip;
                json_object_foreach(s->db[K_FIP], k, fip)
                {
                        const char *fp = json_get_str(fip, "port_id");
                        if (fp && streq(fp, json_string_value(pid)))
                                json_array_append_new(
                                        list,
                                        json_pack("{s:i,s:s?,s:s?,s:s?}", "version", 4, "addr",
                                                  json_get_str(fip, "floating_ip_address"),
                                                  "OS-EXT-IPS:type", "floating",
                                                  "OS-EXT-IPS-MAC:mac_addr", mac));
                }
        }
        return out;
}

/* The volumes attached to server `id`: a new array of [volume id, device] pairs, in the
 * volume table's order. Under the sim lock. */
static json_t *server_attachments(struct sim *s, const char *id)
{
        json_t *out = json_checked(json_array());
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_VOLUME], k, v)
        {
                size_t i;
                json_t *a;
                json_array_foreach(json_object_get(v, "attachments"), i, a)
                {
                        const char *sid = json_get_str(a, "server_id");
                        if (sid && streq(sid, id))
                                json_array_append_new(
                                        out, json_pack("[s,s?]", k, json_get_str(a, "device")));
                }
        }
        return out;
}
static json_t *server_view(struct httpd_req *req, struct sim *s, json_t *srv, bool admin)
{
        json_t *o = sim_public(srv, NULL);
        const char *id = json_get_str(srv, "id");
        json_object_set_new(o, "addresses", addresses(s, srv));
        json_object_set_new(o, "links", links(req, "servers", id));
        const char *img = json_get_str(srv, "_image");
        if (img && *img)
                json_object_set_new(
                        o, "image",
                        json_pack("{s:s?,s:o}", "id", img, "links", links(req, "images", img)));
        else
                json_object_set_new(o, "image", json_string(""));
        const char *fl = json_get_str(srv, "_flavor");
        json_object_set_new(o, "flavor",
                            json_pack("{s:s?,s:o}", "id", fl ? fl : "", "links",
                                      links(req, "flavors", fl ? fl : "")));
        json_t *vols = json_checked(json_array());
        {
                json_auto_t *atts = server_attachments(s, id);
                size_t i;
                json_t *p;
                json_array_foreach(atts, i, p)
                        json_array_append_new(vols, json_pack("{s:O}", "id", json_array_get(p, 0)));
        }
        json_object_set_new(o, "os-extended-volumes:volumes_attached", vols);
        if (!admin) {
                json_object_del(o, "OS-EXT-SRV-ATTR:host");
                json_object_del(o, "OS-EXT-SRV-ATTR:hypervisor_hostname");
                json_object_del(o, "OS-EXT-SRV-ATTR:instance_name");
        }
        return o;
}

static json_t *server_show_view(struct httpd_req *req, json_t *o)
{
        struct sim_ctx *c = sim_ctx(req);
        return server_view(req, c->sim, o, c->admin);
}

static const struct sim_res R_SERVER = {K_SERVER, "server", "Instance", "could not be found.",
                                        server_show_view};

static bool list_all_tenants(struct httpd_req *req, const struct sim_ctx *c)
{
        const char *a = httpd_req_query(req, "all_tenants");
        if (!a)
                return false;
        bool b = true;
        if (*a)
                conf_parse_bool(a, &b);
        return c->admin && b;
}

static int server_list_common(struct httpd_req *req, bool detail)
{
        struct sim_ctx *c = sim_ctx(req);
        struct sim *s = c->sim;
        const char *name = httpd_req_query(req, "name");
        const char *status = httpd_req_query(req, "status");
        const char *marker = httpd_req_query(req, "marker");
        const char *ls = httpd_req_query(req, "limit");
        const char *proj = httpd_req_query(req, "project_id");
        if (!proj)
                proj = httpd_req_query(req, "tenant_id");
        long long limit = 1000;
        if (ls && str_to_ll(ls, 0, 100000, &limit) < 0)
                return sim_error(req, 400, NULL, "limit param must be an integer");
        regex_t re;
        bool have_re = false;
        if (name) {
                if (regcomp(&re, name, REG_EXTENDED | REG_NOSUB) != 0)
                        return sim_error(req, 400, NULL, "Invalid filter regex");
                have_re = true;
        }
        bool all = list_all_tenants(req, c);
        json_t *arr = json_checked(json_array());
        bool passed = marker == NULL, marker_found = marker == NULL;
        LOCK(s);
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_SERVER], k, v)
        {
                const char *p = json_get_str(v, "_project");
                if (!all && !(p && c->project_id && streq(p, c->project_id)))
                        continue;
                if (all && proj && !(p && streq(p, proj)))
                        continue;
                if (have_re && regexec(&re, json_get_str(v, "name"), 0, NULL, 0) != 0)
                        continue;
                if (status && !strcaseeq(status, json_get_str(v, "status")))
                        continue;
                if (!passed) {
                        if (streq(k, marker))
                                passed = marker_found = true;
                        continue;
                }
                if ((long long)json_array_size(arr) >= limit)
                        break;
                if (detail)
                        json_array_append_new(arr, server_view(req, s, v, c->admin));
                else
                        json_array_append_new(arr, json_pack("{s:s?,s:s?,s:o}", "id", k, "name",
                                                             json_get_str(v, "name"), "links",
                                                             links(req, "servers", k)));
        }
        UNLOCK(s);
        if (have_re)
                regfree(&re);
        if (!marker_found) {
                json_decref(arr);
                return sim_error(req, 400, NULL, "marker [%s] not found", marker);
        }
        return sim_reply(req, 200, json_checked(json_pack("{s:o}", "servers", arr)));
}

static int server_list(struct httpd_req *req, void *data)
{
        (void)data;
        return server_list_common(req, false);
}

static int server_detail(struct httpd_req *req, void *data)
{
        (void)data;
        return server_list_common(req, true);
}

static int server_show(struct httpd_req *req, void *data)
{
        (void)data;
        return sim_show(req, &R_SERVER, httpd_req_param(req, "id"));
}

/* Resolves "networks" of a create request into ports (created or adopted); on failure answers
 * and returns < 0 after deleting any port it made. */
static int server_ports(struct httpd_req *req, struct sim *s, const struct sim_ctx *c, json_t *body,
                        const char *server_id, json_t *sgs, json_t *ret_ports, json_t *ret_owned)
{
        json_t *nets = json_object_get(body, "networks");
        json_auto_t *auto_list = NULL;
        if (!nets || (json_is_string(nets) && streq(json_string_value(nets), "auto"))) {
                /* one visible tenant network is picked; several → 409 as Nova answers */
                auto_list = json_checked(json_array());
                const char *k;
                json_t *v;
                json_object_foreach(s->db[K_NETWORK], k, v)
                {
                        const char *p = json_get_str(v, "_project");
                        if (json_get_bool(v, "router:external", false) || !p || !c->project_id ||
                            !streq(p, c->project_id))
                                continue;
                        json_array_append_new(auto_list, json_pack("{s:s?}", "uuid", k));
                }
                if (json_array_size(auto_list) > 1) {
                        sim_error(req, 409, NULL,
                                  "Multiple possible networks found, use a Network ID to be "
                                  "more specific.");
                        return -EEXIST;
                }
                nets = auto_list;
        }
        if (json_is_string(nets) && streq(json_string_value(nets), "none"))
                return 0;
        if (!json_is_array(nets)) {
                sim_error(req, 400, NULL,
                          "Invalid input for field/attribute networks. Value: %s. is not of type "
                          "'array'",
                          "?");
                return -EINVAL;
        }
        size_t i;
        json_t *n;
        int r = 0;
        json_array_foreach(nets, i, n)
        {
                const char *pid = json_get_str(n, "port");
                const char *uuid = json_get_str(n, "uuid");
                if (pid) {
                        json_t *port = sim_get(s, K_PORT, pid);
                        if (!port || !sim_visible(c, K_PORT, port)) {
                                sim_error(req, 400, NULL, "Port id %s could not be found.", pid);
                                r = -ENOENT;
                                break;
                        }
                        const char *dev = json_get_str(port, "device_id");
                        if (dev && *dev) {
                                sim_error(req, 409, NULL, "Port %s is still in use.", pid);
                                r = -EBUSY;
                                break;
                        }
                        sim_set_str(port, "device_id", server_id);
                        sim_set_str(port, "device_owner", "compute:nova");
                        sim_set_str(port, "binding:host_id", "sim-host");
                        json_array_append_new(ret_ports, json_string(pid));
                        continue;
                }
                if (!uuid) {
                        sim_error(req, 400, NULL,
                                  "Bad networks format: network uuid is not in "
                                  "proper format");
                        r = -EINVAL;
                        break;
                }
                json_t *net = sim_get(s, K_NETWORK, uuid);
                if (!net || !sim_visible(c, K_NETWORK, net)) {
                        sim_error(req, 400, NULL, "Network %s could not be found.", uuid);
                        r = -ENOENT;
                        break;
                }
                json_auto_t *pb = json_pack("{s:s?,s:s?,s:s?,s:s?}", "network_id", uuid,
                                            "device_id", server_id, "device_owner", "compute:nova",
                                            "binding:host_id", "sim-host");
                const char *fixed = json_get_str(n, "fixed_ip");
                if (fixed)
                        json_object_set_new(pb, "fixed_ips",
                                            json_pack("[{s:s?}]", "ip_address", fixed));
                if (sgs)
                        json_object_set(pb, "security_groups", sgs);
                json_t *port;
                int status;
                const char *type;
                _cleanup_err_ struct err e = ERR_INIT;
                r = sim_port_create(s, c, pb, &port, &status, &type, &e);
                if (r < 0) {
                        if (type && streq(type, "OverQuota"))
                                sim_error(req, 403, NULL, "Maximum number of ports exceeded");
                        else if (type && streq(type, "IpAddressGenerationFailure"))
                                sim_error(req, 400, NULL,
                                          "No more IP addresses available on "
                                          "network %s.",
                                          uuid);
                        else
                                sim_error(req, status == 404 ? 400 : status, NULL, "%s",
                                          err_msg(&e));
                        break;
                }
                json_array_append_new(ret_ports, json_string(json_get_str(port, "id")));
                json_array_append_new(ret_owned, json_string(json_get_str(port, "id")));
        }
        if (r < 0) {
                json_array_foreach(ret_owned, i, n) sim_port_delete(s, json_string_value(n));
                json_array_foreach(ret_ports, i, n)
                {
                        json_t *port = sim_get(s, K_PORT, json_string_value(n));
                        if (port) {
                                sim_set_str(port, "device_id", "");
                                sim_set_str(port, "device_owner", "");
                        }
                }
        }
        return r;
}

static const char *const server_attrs[] = {"name",
                                           "imageRef",
                                           "flavorRef",
                                           "key_name",
                                           "user_data",
                                           "metadata",
                                           "networks",
                                           "availability_zone",
                                           "security_groups",
                                           "block_device_mapping_v2",
                                           "block_device_mapping",
                                           "config_drive",
                                           "min_count",
                                           "max_count",
                                           "return_reservation_id",
                                           "adminPass",
                                           "accessIPv4",
                                           "accessIPv6",
                                           "OS-DCF:diskConfig",
                                           "personality",
                                           "description",
                                           "tags",
                                           "trusted_image_certificates",
                                           "host",
                                           "hypervisor_hostname",
                                           NULL};

static int bad_field(struct httpd_req *req, const char *field, const char *why)
{
        return sim_error(req, 400, NULL, "Invalid input for field/attribute %s. %s", field, why);
}

static int server_create(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        struct sim *s = c->sim;
        json_auto_t *root = NULL;
        json_t *b;
        if (sim_body_member(req, "server",
                            "Invalid input for field/attribute server. Value: None. 'server' is a "
                            "required property",
                            &root, &b) < 0)
                return 0;
        const char *k;
        json_t *v;
        json_object_foreach(b, k, v)
        {
                bool ok = false;
                for (size_t i = 0; server_attrs[i] && !ok; i++)
                        ok = streq(server_attrs[i], k);
                if (!ok)
                        return sim_error(req, 400, NULL,
                                         "Additional properties are not allowed ('%s' was "
                                         "unexpected)",
                                         k);
        }
        const char *name = json_get_str(b, "name");
        const char *flavor_id = json_get_str(b, "flavorRef");
        const char *image_id = json_get_str(b, "imageRef");
        const char *key_name = json_get_str(b, "key_name");
        const char *az = json_get_str(b, "availability_zone");
        if (!name || !*name || strlen(name) > 255)
                return bad_field(req, "name",
                                 name ? "Value is too long or empty."
                                      : "'name' is a required property");
        if (!flavor_id)
                return bad_field(req, "flavorRef", "'flavorRef' is a required property");
        json_t *ud = json_object_get(b, "user_data");
        _cleanup_free_ char *ud_text = NULL;
        size_t ud_len = 0;
        if (ud && !json_is_null(ud)) {
                if (!json_is_string(ud) ||
                    sim_b64_decode(json_string_value(ud), &ud_text, &ud_len) < 0)
                        return bad_field(req, "user_data", "Value is not a 'base64'");
                if (strlen(json_string_value(ud)) > 65535)
                        return bad_field(req, "user_data", "Value is too long");
        }
        json_t *md = json_object_get(b, "metadata");
        if (md && !json_is_object(md))
                return bad_field(req, "metadata", "Value is not of type 'object'");
        json_object_foreach(md, k, v) if (!json_is_string(v)) return bad_field(
                req, "metadata", "Value is not of type 'string'");
        if (az && !streq(az, "nova"))
                return sim_error(req, 400, NULL,
                                 "The requested availability zone is not available");
        json_t *hints = json_object_get(root, "os:scheduler_hints");
        if (!hints)
                hints = json_object_get(root, "OS-SCH-HNT:scheduler_hints");
        const char *group_id = json_get_str(hints, "group");

        LOCK(s);
        json_t *flavor = sim_get(s, K_FLAVOR, flavor_id);
        if (!flavor) {
                UNLOCK(s);
                return sim_error(req, 400, NULL, "Flavor %s could not be found.", flavor_id);
        }
        json_t *image = NULL;
        json_t *bdm = json_object_get(b, "block_device_mapping_v2");
        if (image_id && *image_id) {
                image = sim_get(s, K_IMAGE, image_id);
                if (!image || !sim_visible(c, K_IMAGE, image)) {
                        UNLOCK(s);
                        return sim_error(req, 400, NULL, "Image %s could not be found.", image_id);
                }
                const char *st = json_get_str(image, "status");
                if (!st || !streq(st, "active")) {
                        UNLOCK(s);
                        return sim_error(req, 400, NULL, "Image %s is not active.", image_id);
                }
        } else if (!json_is_array(bdm) || json_array_size(bdm) == 0) {
                UNLOCK(s);
                return sim_error(req, 400, NULL,
                                 "Block Device Mapping is Invalid: Boot "
                                 "sequence for the instance and image/block "
                                 "device mapping combination is not valid.");
        }
        /* boot volume: the image comes from the volume's source image */
        size_t i;
        json_t *bd;
        json_array_foreach(bdm, i, bd)
        {
                const char *vid = json_get_str(bd, "uuid");
                const char *src = json_get_str(bd, "source_type");
                if (src && streq(src, "volume") && vid) {
                        json_t *vol = sim_get(s, K_VOLUME, vid);
                        if (!vol || !sim_visible(c, K_VOLUME, vol)) {
                                UNLOCK(s);
                                return sim_error(req, 400, NULL,
                                                 "Block Device Mapping is Invalid: failed to get "
                                                 "volume %s.",
                                                 vid);
                        }
                        if (!image && json_get_str(vol, "_image"))
                                image = sim_get(s, K_IMAGE, json_get_str(vol, "_image"));
                }
        }
        if (key_name) {
                _cleanup_free_ char *kid = xasprintf("%s/%s", c->user_id, key_name);
                if (!sim_get(s, K_KEYPAIR, kid)) {
                        UNLOCK(s);
                        return sim_error(req, 400, NULL, "Invalid key_name provided.");
                }
        }
        json_t *group = NULL;
        if (group_id) {
                group = sim_get(s, K_SERVER_GROUP, group_id);
                if (!group || !sim_visible(c, K_SERVER_GROUP, group)) {
                        UNLOCK(s);
                        return sim_error(req, 404, NULL, "Instance group %s could not be found.",
                                         group_id);
                }
        }
        /* Counting is O(servers): skip it when no limit can be reached. */
        int limit = sim_quota(s, c->project_id, "instances");
        bool limited = limit >= 0 && (size_t)limit <= json_object_size(s->db[K_SERVER]);
        int used = limited ? sim_count(s, K_SERVER, c->project_id) : 0;
        if (limited && used + 1 > limit) {
                UNLOCK(s);
                return sim_error(req, 403, NULL,
                                 "Quota exceeded for instances: Requested 1, but already used %d "
                                 "of %d instances",
                                 used, limit);
        }
        int cores = 0, ram = 0;
        int lc = sim_quota(s, c->project_id, "cores"), lr = sim_quota(s, c->project_id, "ram");
        if (lc >= 0 || lr >= 0)
                json_object_foreach(s->db[K_SERVER], k, v)
                {
                        const char *p = json_get_str(v, "_project");
                        if (!p || !c->project_id || !streq(p, c->project_id))
                                continue;
                        json_t *f = sim_get(s, K_FLAVOR, json_get_str(v, "_flavor"));
                        cores += (int)json_get_int(f, "vcpus", 0);
                        ram += (int)json_get_int(f, "ram", 0);
                }
        int vcpus = (int)json_get_int(flavor, "vcpus", 1),
            fram = (int)json_get_int(flavor, "ram", 0);
        if ((lc >= 0 && cores + vcpus > lc) || (lr >= 0 && ram + fram > lr)) {
                bool cpu = lc >= 0 && cores + vcpus > lc;
                UNLOCK(s);
                return sim_error(req, 403, NULL,
                                 "Quota exceeded for %s: Requested %d, but already used %d of %d "
                                 "%s",
                                 cpu ? "cores" : "ram", cpu ? vcpus : fram, cpu ? cores : ram,
                                 cpu ? lc : lr, cpu ? "cores" : "ram");
        }

        json_t *srv = sim_new_obj(s, K_SERVER, c->project_id);
        const char *id = json_get_str(srv, "id");
        /* security groups by name or id → ids for the ports */
        json_t *sgs = NULL;
        json_t *sg_names = json_checked(json_array());
        json_t *req_sgs = json_object_get(b, "security_groups");
        if (json_is_array(req_sgs) && json_array_size(req_sgs) > 0) {
                sgs = json_checked(json_array());
                json_array_foreach(req_sgs, i, bd)
                {
                        const char *want = json_get_str(bd, "name");
                        json_t *found = NULL;
                        json_t *sg;
                        if (want && streq(want, "default"))
                                found = sim_default_secgroup(s, c->project_id);
                        json_object_foreach(s->db[K_SECGROUP], k, sg)
                        {
                                if (found || !want || !sim_visible(c, K_SECGROUP, sg))
                                        continue;
                                if (streq(k, want) || streq(json_get_str(sg, "name"), want))
                                        found = sg;
                        }
                        if (!found) {
                                json_decref(sgs);
                                json_decref(sg_names);
                                json_decref(srv);
                                UNLOCK(s);
                                return sim_error(req, 400, NULL,
                                                 "Security group %s not found for project %s.",
                                                 want ? want : "", c->project_id);
                        }
                        json_array_append_new(sgs, json_string(json_get_str(found, "id")));
                        json_array_append_new(
                                sg_names, json_pack("{s:s?}", "name", json_get_str(found, "name")));
                }
        } else {
                json_array_append_new(sg_names, json_pack("{s:s?}", "name", "default"));
        }
        json_t *ports = json_checked(json_array());
        json_t *owned = json_checked(json_array());
        int r = server_ports(req, s, c, b, id, sgs, ports, owned);
        json_decref(sgs);
        if (r < 0) {
                json_decref(ports);
                json_decref(owned);
                json_decref(sg_names);
                json_decref(srv);
                UNLOCK(s);
                return 0;
        }
        char now[40];
        sim_time(now, false);
        sim_set_str(srv, "name", name);
        sim_set_str(srv, "status", "BUILD");
        sim_set_str(srv, "tenant_id", c->project_id);
        sim_set_str(srv, "user_id", c->user_id);
        sim_set(srv, "metadata", md ? json_deep_copy(md) : json_object());
        char host_id[57];
        random_hex(host_id, 56);
        sim_set_str(srv, "hostId", host_id);
        sim_set_str(srv, "created", now);
        sim_set_str(srv, "updated", now);
        sim_set_str(srv, "accessIPv4", "");
        sim_set_str(srv, "accessIPv6", "");
        sim_set_str(srv, "OS-DCF:diskConfig", "MANUAL");
        sim_set(srv, "progress", json_integer(0));
        sim_set_str(srv, "OS-EXT-AZ:availability_zone", "nova");
        sim_set_str(srv, "config_drive", "");
        sim_set_str(srv, "key_name", key_name);
        sim_set(srv, "OS-SRV-USG:launched_at", json_null());
        sim_set(srv, "OS-SRV-USG:terminated_at", json_null());
        sim_set_str(srv, "OS-EXT-SRV-ATTR:host", "sim-host");
        sim_set_str(srv, "OS-EXT-SRV-ATTR:hypervisor_hostname", "sim-host");
        _cleanup_free_ char *iname = xasprintf("instance-%.8s", id);
        sim_set_str(srv, "OS-EXT-SRV-ATTR:instance_name", iname);
        sim_set_str(srv, "OS-EXT-STS:task_state", "spawning");
        sim_set_str(srv, "OS-EXT-STS:vm_state", "building");
        sim_set(srv, "OS-EXT-STS:power_state", json_integer(0));
        sim_set(srv, "security_groups", sg_names);
        sim_set_str(srv, "_flavor", flavor_id);
        sim_set_str(srv, "_image", image ? json_get_str(image, "id") : "");
        if (!image_id || !*image_id)
                sim_set_str(srv, "_image_shown", "");
        sim_set(srv, "_ports", ports);
        sim_set(srv, "_owned_ports", owned);
        if (ud_text)
                sim_set_str(srv, "_user_data", ud_text);
        if (image) {
                const char *coe = json_get_str(image, "magnum_sim_coe");
                if (coe)
                        sim_set_str(srv, "_coe", coe);
                const char *distro = json_get_str(image, "os_distro");
                if (distro)
                        sim_set_str(srv, "_os_distro", distro);
        }
        if (group) {
                sim_set_str(srv, "_group", group_id);
                json_array_append_new(json_object_get(group, "members"), json_string(id));
        }
        if (s->faults.fail_boots > 0) {
                s->faults.fail_boots--;
                sim_set(srv, "_fail", json_true());
        }
        /* attach boot volumes */
        json_array_foreach(bdm, i, bd)
        {
                const char *vid = json_get_str(bd, "uuid");
                const char *src = json_get_str(bd, "source_type");
                json_t *vol = vid && src && streq(src, "volume") ? sim_get(s, K_VOLUME, vid) : NULL;
                _cleanup_err_ struct err e = ERR_INIT;
                if (vol)
                        sim_volume_attach(s, vol, id, "/dev/vda", &e);
        }
        char pass[13];
        x509_random_passphrase(pass, 12);
        sim_put(s, K_SERVER, srv);
        sim_schedule(s, K_SERVER, id, s->o.boot_delay_ms);
        json_t *out = json_pack("{s:{s:s?,s:o,s:s?,s:O,s:s?}}", "server", "id", id, "links",
                                links(req, "servers", id), "OS-DCF:diskConfig", "MANUAL",
                                "security_groups", json_object_get(srv, "security_groups"),
                                "adminPass", pass);
        UNLOCK(s);
        _cleanup_free_ char *loc = xasprintf("%s/v2.1/servers/%s", httpd_req_host_url(req), id);
        httpd_resp_set_header(req, "Location", loc);
        return sim_reply(req, 202, json_checked(out));
}

void sim_nova_boot_done(struct sim *s, json_t *srv)
{
        const char *st = json_get_str(srv, "status");
        if (!st || !streq(st, "BUILD"))
                return;
        char now[40];
        sim_time(now, false);
        if (json_get_bool(srv, "_fail", false)) {
                sim_set_str(srv, "status", "ERROR");
                sim_set_str(srv, "OS-EXT-STS:vm_state", "error");
                sim_set(srv, "OS-EXT-STS:task_state", json_null());
                sim_set(srv, "fault",
                        json_pack("{s:i,s:s?,s:s?}", "code", 500, "created", now, "message",
                                  "No valid host was found. There are not enough "
                                  "hosts available."));
        } else {
                sim_set_str(srv, "status", "ACTIVE");
                sim_set_str(srv, "OS-EXT-STS:vm_state", "active");
                sim_set(srv, "OS-EXT-STS:task_state", json_null());
                sim_set(srv, "OS-EXT-STS:power_state", json_integer(1));
                sim_set(srv, "progress", json_integer(100));
                sim_set_str(srv, "OS-SRV-USG:launched_at", now);
                sim_set(srv, "_signal", json_true());
                if (json_get_str(srv, "_coe"))
                        s->coe_dirty = true;
        }
        sim_set_str(srv, "updated", now);
}

void sim_nova_server_gone(struct sim *s, const char *id)
{
        json_t *srv = sim_get(s, K_SERVER, id);
        if (!srv)
                return;
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(srv, "_owned_ports"), i, p)
                sim_port_delete(s, json_string_value(p));
        json_array_foreach(json_object_get(srv, "_ports"), i, p)
        {
                json_t *port = sim_get(s, K_PORT, json_string_value(p));
                if (port) {
                        sim_set_str(port, "device_id", "");
                        sim_set_str(port, "device_owner", "");
                        sim_set_str(port, "status", "DOWN");
                }
        }
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_VOLUME], k, v) sim_volume_detach(s, v, id);
        json_t *g = sim_get(s, K_SERVER_GROUP, json_get_str(srv, "_group"));
        if (g) {
                json_t *m = json_object_get(g, "members");
                for (i = 0; i < json_array_size(m); i++)
                        if (streq(json_string_value(json_array_get(m, i)), id)) {
                                json_array_remove(m, i);
                                break;
                        }
        }
        json_object_del(s->node_state, id);
        sim_del(s, K_SERVER, id);
        s->coe_dirty = true;
}

static int server_delete(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        json_t *o = sim_lock_find(req, &R_SERVER, httpd_req_param(req, "id"));
        if (!o)
                return 0;
        sim_nova_server_gone(c->sim, json_get_str(o, "id"));
        UNLOCK(c->sim);
        return httpd_resp_empty(req, 204);
}

static int server_update(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        json_auto_t *root = NULL;
        json_t *b;
        if (sim_body_member(req, "server", "Invalid input for field/attribute server.", &root, &b) <
            0)
                return 0;
        json_t *o = sim_lock_find(req, &R_SERVER, httpd_req_param(req, "id"));
        if (!o)
                return 0;
        const char *name = json_get_str(b, "name");
        if (name)
                sim_set_str(o, "name", name);
        char now[40];
        sim_time(now, false);
        sim_set_str(o, "updated", now);
        json_t *out = json_pack("{s:o}", "server", server_view(req, c->sim, o, c->admin));
        UNLOCK(c->sim);
        return sim_reply(req, 200, json_checked(out));
}

static int server_action(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        json_auto_t *b = NULL;
        if (sim_body(req, &b) < 0)
                return 0;
        const char *id = httpd_req_param(req, "id");
        json_t *o = sim_lock_find(req, &R_SERVER, id);
        if (!o)
                return 0;
        const char *st = json_get_str(o, "status");
        int status = 202;
        if (json_object_get(b, "os-stop")) {
                sim_set_str(o, "status", "SHUTOFF");
                sim_set_str(o, "OS-EXT-STS:vm_state", "stopped");
                sim_set(o, "OS-EXT-STS:power_state", json_integer(4));
                c->sim->coe_dirty = true;
        } else if (json_object_get(b, "os-start")) {
                if (!streq(st, "SHUTOFF"))
                        status = 409;
                else {
                        sim_set_str(o, "status", "ACTIVE");
                        sim_set_str(o, "OS-EXT-STS:vm_state", "active");
                        sim_set(o, "OS-EXT-STS:power_state", json_integer(1));
                        c->sim->coe_dirty = true;
                }
        } else if (json_object_get(b, "reboot")) {
                if (streq(st, "BUILD"))
                        status = 409;
        } else {
                UNLOCK(c->sim);
                return sim_error(req, 400, NULL, "There is no such action: %s",
                                 json_object_iter_key(json_object_iter(b))
                                         ? json_object_iter_key(json_object_iter(b))
                                         : "");
        }
        UNLOCK(c->sim);
        if (status == 409)
                return sim_error(req, 409, NULL,
                                 "Cannot '%s' instance %s while it is in vm_state %s",
                                 json_object_iter_key(json_object_iter(b)), id, st);
        return httpd_resp_empty(req, 202);
}

static int server_metadata(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        const char *id = httpd_req_param(req, "id");
        const char *method = httpd_req_method(req);
        json_auto_t *b = NULL;
        if (!streq(method, "GET") && sim_body(req, &b) < 0)
                return 0;
        json_t *md_in = b ? json_object_get(b, "metadata") : NULL;
        if (b && !json_is_object(md_in))
                return sim_error(req, 400, NULL, "Malformed request body");
        json_t *o = sim_lock_find(req, &R_SERVER, id);
        if (!o)
                return 0;
        if (streq(method, "PUT"))
                json_object_set_new(o, "metadata", json_deep_copy(md_in));
        else if (streq(method, "POST"))
                json_object_update(json_object_get(o, "metadata"), md_in);
        json_t *out = json_pack("{s:O}", "metadata", json_object_get(o, "metadata"));
        if (!streq(method, "GET"))
                o = json_object_get(o, "metadata"), c->sim->coe_dirty = true;
        UNLOCK(c->sim);
        return sim_reply(req, 200, json_checked(out));
}

static int server_ips(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        const char *id = httpd_req_param(req, "id");
        json_t *o = sim_lock_find(req, &R_SERVER, id);
        if (!o)
                return 0;
        json_t *out = json_pack("{s:o}", "addresses", addresses(c->sim, o));
        UNLOCK(c->sim);
        return sim_reply(req, 200, json_checked(out));
}

static int server_interfaces(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        const char *id = httpd_req_param(req, "id");
        json_t *o = sim_lock_find(req, &R_SERVER, id);
        if (!o)
                return 0;
        json_t *arr = json_checked(json_array());
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(o, "_ports"), i, p)
        {
                json_t *port = sim_get(c->sim, K_PORT, json_string_value(p));
                if (port)
                        json_array_append_new(
                                arr, json_pack("{s:s?,s:s?,s:s?,s:s?,s:O}", "port_id",
                                               json_string_value(p), "net_id",
                                               json_get_str(port, "network_id"), "mac_addr",
                                               json_get_str(port, "mac_address"), "port_state",
                                               json_get_str(port, "status"), "fixed_ips",
                                               json_object_get(port, "fixed_ips")));
        }
        UNLOCK(c->sim);
        return sim_reply(req, 200, json_checked(json_pack("{s:o}", "interfaceAttachments", arr)));
}

/* ---- volume attachments --------------------------------------------------------------- */

static json_t *attachment_json(const char *server_id, const char *vol_id, const char *dev)
{
        return json_pack("{s:s?,s:s?,s:s?,s:s?}", "id", vol_id, "serverId", server_id, "volumeId",
                         vol_id, "device", dev ? dev : "");
}

static int va_list_h(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        const char *id = httpd_req_param(req, "id");
        json_t *o = sim_lock_find(req, &R_SERVER, id);
        if (!o)
                return 0;
        json_t *arr = json_checked(json_array());
        json_auto_t *atts = server_attachments(c->sim, id);
        size_t i;
        json_t *p;
        json_array_foreach(atts, i, p) json_array_append_new(
                arr, attachment_json(id, json_string_value(json_array_get(p, 0)),
                                     json_string_value(json_array_get(p, 1))));
        UNLOCK(c->sim);
        return sim_reply(req, 200, json_checked(json_pack("{s:o}", "volumeAttachments", arr)));
}

static int va_create(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        json_auto_t *root = NULL;
        if (sim_body(req, &root) < 0)
                return 0;
        json_t *b = json_object_get(root, "volumeAttachment");
        const char *vid = json_get_str(b, "volumeId");
        if (!vid)
                return sim_error(req, 400, NULL,
                                 "Invalid input for field/attribute volumeId. Value: None. "
                                 "'volumeId' is a required property");
        const char *id = httpd_req_param(req, "id");
        json_t *o = sim_lock_find(req, &R_SERVER, id);
        if (!o)
                return 0;
        json_t *vol = sim_get(c->sim, K_VOLUME, vid);
        if (!vol || !sim_visible(c, K_VOLUME, vol)) {
                UNLOCK(c->sim);
                return sim_error(req, 404, NULL, "Volume %s could not be found.", vid);
        }
        const char *dev = json_get_str(b, "device");
        _cleanup_free_ char *auto_dev = NULL;
        if (!dev) {
                json_auto_t *atts = server_attachments(c->sim, id);
                int n = 1 + (int)json_array_size(atts);
                auto_dev = xasprintf("/dev/vd%c", 'a' + MIN(n, 25));
                dev = auto_dev;
        }
        _cleanup_err_ struct err e = ERR_INIT;
        int r = sim_volume_attach(c->sim, vol, id, dev, &e);
        UNLOCK(c->sim);
        if (r > 0)
                return sim_error(req, r, NULL, "%s", err_msg(&e));
        return sim_reply(req, 200,
                         json_checked(json_pack("{s:o}", "volumeAttachment",
                                                attachment_json(id, vid, dev))));
}

static int va_show_or_delete(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        const char *id = httpd_req_param(req, "id");
        const char *vid = httpd_req_param(req, "vol");
        bool del = streq(httpd_req_method(req), "DELETE");
        json_t *o = sim_lock_find(req, &R_SERVER, id);
        if (!o)
                return 0;
        json_t *vol = sim_get(c->sim, K_VOLUME, vid);
        const char *dev = NULL;
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(vol, "attachments"), i, a)
        {
                const char *sid = json_get_str(a, "server_id");
                if (sid && streq(sid, id))
                        dev = json_get_str(a, "device");
        }
        if (!dev) {
                UNLOCK(c->sim);
                return sim_error(req, 404, NULL, "volume_id not found: %s", vid);
        }
        json_t *out = attachment_json(id, vid, dev);
        if (del)
                sim_volume_detach(c->sim, vol, id);
        UNLOCK(c->sim);
        if (del) {
                json_decref(out);
                return httpd_resp_empty(req, 202);
        }
        return sim_reply(req, 200, json_checked(json_pack("{s:o}", "volumeAttachment", out)));
}

/* ---- flavors ------------------------------------------------------------------------- */

static json_t *flavor_view(struct httpd_req *req, json_t *f, bool detail)
{
        const char *id = json_get_str(f, "id");
        if (!detail)
                return json_pack("{s:s?,s:s?,s:o}", "id", id, "name", json_get_str(f, "name"),
                                 "links", links(req, "flavors", id));
        json_t *o = sim_public(f, NULL);
        json_object_set_new(o, "links", links(req, "flavors", id));
        return o;
}

static json_t *flavor_show_view(struct httpd_req *req, json_t *f)
{
        return flavor_view(req, f, true);
}

static const struct sim_res R_FLAVOR = {K_FLAVOR, "flavor", "Flavor", "could not be found.",
                                        flavor_show_view};

static int flavor_list_common(struct httpd_req *req, bool detail)
{
        struct sim *s = sim_ctx(req)->sim;
        json_t *arr = json_checked(json_array());
        const char *min_ram = httpd_req_query(req, "minRam");
        const char *min_disk = httpd_req_query(req, "minDisk");
        long long mr = 0, md = 0;
        if (min_ram)
                str_to_ll(min_ram, 0, 1LL << 40, &mr);
        if (min_disk)
                str_to_ll(min_disk, 0, 1LL << 40, &md);
        LOCK(s);
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_FLAVOR], k, v)
        {
                if (json_get_int(v, "ram", 0) < mr || json_get_int(v, "disk", 0) < md)
                        continue;
                json_array_append_new(arr, flavor_view(req, v, detail));
        }
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(json_pack("{s:o}", "flavors", arr)));
}

static int flavor_list(struct httpd_req *req, void *data)
{
        (void)data;
        return flavor_list_common(req, false);
}

static int flavor_detail(struct httpd_req *req, void *data)
{
        (void)data;
        return flavor_list_common(req, true);
}

static int flavor_show(struct httpd_req *req, void *data)
{
        (void)data;
        return sim_show(req, &R_FLAVOR, httpd_req_param(req, "id"));
}

static int flavor_extra_specs(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim *s = sim_ctx(req)->sim;
        if (!sim_lock_find(req, &R_FLAVOR, httpd_req_param(req, "id")))
                return 0;
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(json_pack("{s:{}}", "extra_specs")));
}

/* ---- keypairs ------------------------------------------------------------------------ */

static void put_u32(struct strbuf *sb, uint32_t v)
{
        unsigned char b[4] = {v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255};
        strbuf_add(sb, b, 4);
}

static void put_mpint(struct strbuf *sb, const gnutls_datum_t *d)
{
        const unsigned char *p = d->data;
        size_t n = d->size;
        while (n > 0 && *p == 0)
                p++, n--;
        bool pad = n > 0 && (p[0] & 0x80);
        put_u32(sb, (uint32_t)(n + pad));
        if (pad)
                strbuf_addch(sb, 0);
        strbuf_add(sb, p, n);
}

/* Generates an RSA keypair: OpenSSH public key line and PEM private key. */
static int ssh_keygen(char **ret_pub, char **ret_priv)
{
        _cleanup_free_ char *pem = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        int r = x509_generate_key(2048, NULL, &pem, &e);
        if (r < 0)
                return r;
        gnutls_x509_privkey_t k;
        gnutls_datum_t d = {(unsigned char *)pem, (unsigned)strlen(pem)};
        if (gnutls_x509_privkey_init(&k) < 0)
                return -EIO;
        if (gnutls_x509_privkey_import(k, &d, GNUTLS_X509_FMT_PEM) < 0) {
                gnutls_x509_privkey_deinit(k);
                return -EIO;
        }
        gnutls_datum_t m, ex;
        if (gnutls_x509_privkey_export_rsa_raw(k, &m, &ex, NULL, NULL, NULL, NULL) < 0) {
                gnutls_x509_privkey_deinit(k);
                return -EIO;
        }
        gnutls_datum_t pk1 = {NULL, 0};
        gnutls_x509_privkey_export2(k, GNUTLS_X509_FMT_PEM, &pk1);
        gnutls_x509_privkey_deinit(k);
        _cleanup_strbuf_ struct strbuf blob = STRBUF_INIT;
        put_u32(&blob, 7);
        strbuf_addstr(&blob, "ssh-rsa");
        put_mpint(&blob, &ex);
        put_mpint(&blob, &m);
        gnutls_free(m.data);
        gnutls_free(ex.data);
        _cleanup_free_ char *b64 = sim_b64_encode(blob.buf, blob.len);
        *ret_pub = xasprintf("ssh-rsa %s Generated-by-Nova", b64);
        *ret_priv = xstrndup((const char *)pk1.data, pk1.size);
        gnutls_free(pk1.data);
        return 0;
}

/* MD5 fingerprint of an OpenSSH public key line; -EINVAL when it is not one. */
static int ssh_fingerprint(const char *pub, char **ret)
{
        const char *sp = strchr(pub, ' ');
        if (!sp || (!str_starts_with(pub, "ssh-") && !str_starts_with(pub, "ecdsa-")))
                return -EINVAL;
        const char *end = strchr(sp + 1, ' ');
        _cleanup_free_ char *b64 = end ? xstrndup(sp + 1, (size_t)(end - sp - 1)) : xstrdup(sp + 1);
        _cleanup_free_ char *raw = NULL;
        size_t len;
        if (sim_b64_decode(b64, &raw, &len) < 0 || len < 11)
                return -EINVAL;
        unsigned char md[16];
        if (gnutls_hash_fast(GNUTLS_DIG_MD5, raw, len, md) < 0)
                return -EIO;
        struct strbuf sb = STRBUF_INIT;
        for (int i = 0; i < 16; i++)
                strbuf_addf(&sb, "%s%02x", i ? ":" : "", md[i]);
        *ret = strbuf_detach(&sb, NULL);
        return 0;
}

static bool keypair_name_ok(const char *n)
{
        if (!n || !*n || strlen(n) > 255)
                return false;
        for (const char *p = n; *p; p++)
                if (!(isalnum((unsigned char)*p) || strchr("-_ .@", *p)))
                        return false;
        return true;
}

static int keypair_list(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        json_t *arr = json_checked(json_array());
        LOCK(c->sim);
        const char *k;
        json_t *v;
        json_object_foreach(c->sim->db[K_KEYPAIR], k, v)
        {
                const char *u = json_get_str(v, "user_id");
                if (!u || !c->user_id || !streq(u, c->user_id))
                        continue;
                json_array_append_new(arr, json_pack("{s:{s:s?,s:s?,s:s?}}", "keypair", "name",
                                                     json_get_str(v, "name"), "public_key",
                                                     json_get_str(v, "public_key"), "fingerprint",
                                                     json_get_str(v, "fingerprint")));
        }
        UNLOCK(c->sim);
        return sim_reply(req, 200, json_checked(json_pack("{s:o}", "keypairs", arr)));
}

static int keypair_create(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        json_auto_t *root = NULL;
        if (sim_body(req, &root) < 0)
                return 0;
        json_t *b = json_object_get(root, "keypair");
        const char *name = json_get_str(b, "name");
        const char *pub_in = json_get_str(b, "public_key");
        if (!json_is_object(b) || !name)
                return sim_error(req, 400, NULL,
                                 "Invalid input for field/attribute keypair. Value: None. 'name' "
                                 "is a required property");
        if (!keypair_name_ok(name))
                return sim_error(req, 400, NULL,
                                 "Keypair data is invalid: Keypair name contains unsafe "
                                 "characters");
        _cleanup_free_ char *pub = NULL;
        _cleanup_free_ char *priv = NULL;
        _cleanup_free_ char *fp = NULL;
        if (pub_in)
                pub = xstrdup(pub_in);
        else if (ssh_keygen(&pub, &priv) < 0)
                return sim_error(req, 500, NULL, "Unexpected API Error.");
        if (ssh_fingerprint(pub, &fp) < 0)
                return sim_error(req, 400, NULL,
                                 "Keypair data is invalid: failed to generate fingerprint");
        _cleanup_free_ char *kid = xasprintf("%s/%s", c->user_id, name);
        LOCK(c->sim);
        if (sim_get(c->sim, K_KEYPAIR, kid)) {
                UNLOCK(c->sim);
                return sim_error(req, 409, NULL, "Key pair '%s' already exists.", name);
        }
        char now[40];
        sim_time(now, false);
        now[strlen(now) - 1] = '\0'; /* keypairs show no zone */
        json_t *o = json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:b,s:n,s:n,s:s?,s:i}", "id", kid,
                              "name", name, "public_key", pub, "fingerprint", fp, "user_id",
                              c->user_id, "created_at", now, "deleted", false, "deleted_at",
                              "updated_at", "_project", c->project_id, "_num",
                              (int)json_object_size(c->sim->db[K_KEYPAIR]) + 1);
        sim_put(c->sim, K_KEYPAIR, json_checked(o));
        UNLOCK(c->sim);
        json_t *out = json_pack("{s:{s:s?,s:s?,s:s?,s:s?}}", "keypair", "name", name, "public_key",
                                pub, "fingerprint", fp, "user_id", c->user_id);
        if (priv)
                json_object_set_new(json_object_get(out, "keypair"), "private_key",
                                    json_string(priv));
        return sim_reply(req, 200, json_checked(out));
}

static int keypair_show_or_delete(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        const char *name = httpd_req_param(req, "name");
        const char *uid = httpd_req_query(req, "user_id");
        if (!uid || !c->admin)
                uid = c->user_id;
        _cleanup_free_ char *kid = xasprintf("%s/%s", uid, name);
        bool del = streq(httpd_req_method(req), "DELETE");
        LOCK(c->sim);
        json_t *o = sim_get(c->sim, K_KEYPAIR, kid);
        json_t *out = NULL;
        if (o && !del) {
                out = sim_public(o, NULL);
                json_object_set_new(out, "id",
                                    json_object_get(o, "_num")
                                            ? json_incref(json_object_get(o, "_num"))
                                            : json_integer(1));
                out = json_pack("{s:o}", "keypair", out);
        }
        if (o && del)
                sim_del(c->sim, K_KEYPAIR, kid);
        UNLOCK(c->sim);
        if (!o)
                return sim_error(req, 404, NULL, "Keypair %s not found for user %s", name, uid);
        if (del)
                return httpd_resp_empty(req, 202);
        return sim_reply(req, 200, json_checked(out));
}

/* ---- server groups ------------------------------------------------------------------- */

static const struct sim_res R_SGROUP = {K_SERVER_GROUP, "server_group", "Instance group",
                                        "could not be found.", NULL};

static int sgroup_list(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        json_t *arr = json_checked(json_array());
        bool all = list_all_tenants(req, c);
        LOCK(c->sim);
        const char *k;
        json_t *v;
        json_object_foreach(c->sim->db[K_SERVER_GROUP], k, v)
        {
                const char *p = json_get_str(v, "_project");
                if (all || (p && c->project_id && streq(p, c->project_id)))
                        json_array_append_new(arr, sim_public(v, NULL));
        }
        UNLOCK(c->sim);
        return sim_reply(req, 200, json_checked(json_pack("{s:o}", "server_groups", arr)));
}

static int sgroup_create(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        json_auto_t *root = NULL;
        if (sim_body(req, &root) < 0)
                return 0;
        json_t *b = json_object_get(root, "server_group");
        const char *name = json_get_str(b, "name");
        json_t *pol = json_object_get(b, "policies");
        static const char *const ok[] = {"affinity", "anti-affinity", "soft-affinity",
                                         "soft-anti-affinity", NULL};
        if (!name || !*name)
                return sim_error(req, 400, NULL,
                                 "Invalid input for field/attribute name. Value: None. 'name' is "
                                 "a required property");
        if (!json_is_array(pol) || json_array_size(pol) != 1 ||
            !json_is_string(json_array_get(pol, 0)))
                return sim_error(req, 400, NULL,
                                 "Invalid input for field/attribute policies. Value: %s. "
                                 "'policies' is a required property",
                                 "None");
        const char *p = json_string_value(json_array_get(pol, 0));
        bool good = false;
        for (size_t i = 0; ok[i] && !good; i++)
                good = streq(ok[i], p);
        if (!good)
                return sim_error(req, 400, NULL,
                                 "Invalid input for field/attribute 0. Value: %s. '%s' is not one "
                                 "of ['anti-affinity', 'affinity']",
                                 p, p);
        LOCK(c->sim);
        json_t *o = sim_new_obj(c->sim, K_SERVER_GROUP, c->project_id);
        sim_set_str(o, "name", name);
        sim_set(o, "policies", json_deep_copy(pol));
        sim_set(o, "members", json_array());
        sim_set(o, "metadata", json_object());
        sim_set_str(o, "project_id", c->project_id);
        sim_set_str(o, "user_id", c->user_id);
        sim_put(c->sim, K_SERVER_GROUP, o);
        json_t *out = json_pack("{s:o}", "server_group", sim_public(o, NULL));
        UNLOCK(c->sim);
        return sim_reply(req, 200, json_checked(out));
}

static int sgroup_show_or_delete(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        const char *id = httpd_req_param(req, "id");
        json_t *o = sim_lock_find(req, &R_SGROUP, id);
        if (!o)
                return 0;
        if (streq(httpd_req_method(req), "DELETE")) {
                sim_del(c->sim, K_SERVER_GROUP, id);
                UNLOCK(c->sim);
                return httpd_resp_empty(req, 204);
        }
        json_t *out = json_pack("{s:o}", "server_group", sim_public(o, NULL));
        UNLOCK(c->sim);
        return sim_reply(req, 200, json_checked(out));
}

/* ---- misc ---------------------------------------------------------------------------- */

static int az_list(struct httpd_req *req, void *data)
{
        (void)data;
        json_t *j = json_pack("{s:[{s:s?,s:{s:b},s:n}]}", "availabilityZoneInfo", "zoneName",
                              "nova", "zoneState", "available", true, "hosts");
        return sim_reply(req, 200, json_checked(j));
}

static int limits(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        struct sim *s = c->sim;
        LOCK(s);
        int used = sim_count(s, K_SERVER, c->project_id), cores = 0, ram = 0;
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_SERVER], k, v)
        {
                const char *p = json_get_str(v, "_project");
                if (!p || !c->project_id || !streq(p, c->project_id))
                        continue;
                json_t *f = sim_get(s, K_FLAVOR, json_get_str(v, "_flavor"));
                cores += (int)json_get_int(f, "vcpus", 0);
                ram += (int)json_get_int(f, "ram", 0);
        }
        json_t *abs = json_pack(
                "{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}",
                "maxTotalInstances", sim_quota(s, c->project_id, "instances"), "totalInstancesUsed",
                used, "maxTotalCores", sim_quota(s, c->project_id, "cores"), "totalCoresUsed",
                cores, "maxTotalRAMSize", sim_quota(s, c->project_id, "ram"), "totalRAMUsed", ram,
                "maxTotalKeypairs", 100, "maxServerMeta", 128, "maxImageMeta", 128,
                "maxPersonality", 5, "maxPersonalitySize", 10240, "maxSecurityGroups", 10,
                "maxSecurityGroupRules", 20, "maxTotalFloatingIps", 10, "totalFloatingIpsUsed", 0,
                "totalSecurityGroupsUsed", 0, "maxServerGroups", 10, "maxServerGroupMembers", 10,
                "totalServerGroupsUsed", sim_count(s, K_SERVER_GROUP, c->project_id));
        UNLOCK(s);
        return sim_reply(req, 200,
                         json_checked(json_pack("{s:{s:[],s:o}}", "limits", "rate", "absolute",
                                                json_checked(abs))));
}

static const char *const nova_quota_keys[] = {"instances", "cores", "ram", NULL};

static int quota_sets(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        struct sim *s = c->sim;
        const char *pid = httpd_req_param(req, "id");
        if (streq(httpd_req_method(req), "PUT")) {
                if (!c->admin)
                        return sim_error(req, 403, NULL,
                                         "Policy doesn't allow os_compute_api:os-quota-sets:update "
                                         "to be performed.");
                json_auto_t *root = NULL;
                if (sim_body(req, &root) < 0)
                        return 0;
                json_t *b = json_object_get(root, "quota_set");
                LOCK(s);
                json_t *q = json_object_get(s->quotas, pid);
                if (!q) {
                        q = json_checked(json_object());
                        json_object_set_new(s->quotas, pid, q);
                }
                for (size_t i = 0; nova_quota_keys[i]; i++) {
                        json_t *v = json_object_get(b, nova_quota_keys[i]);
                        if (json_is_integer(v))
                                json_object_set(q, nova_quota_keys[i], v);
                }
                UNLOCK(s);
        }
        LOCK(s);
        json_t *qs = json_pack("{s:s?}", "id", pid);
        for (size_t i = 0; nova_quota_keys[i]; i++)
                json_object_set_new(qs, nova_quota_keys[i],
                                    json_integer(sim_quota(s, pid, nova_quota_keys[i])));
        json_object_set_new(qs, "key_pairs", json_integer(100));
        json_object_set_new(qs, "metadata_items", json_integer(128));
        json_object_set_new(qs, "server_groups", json_integer(10));
        json_object_set_new(qs, "server_group_members", json_integer(10));
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(json_pack("{s:o}", "quota_set", qs)));
}

static json_t *version_doc(struct httpd_req *req)
{
        _cleanup_free_ char *href = xasprintf("%s/v2.1/", httpd_req_host_url(req));
        return json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:[{s:s?,s:s?}],s:[{s:s?,s:s?}]}", "id", "v2.1",
                         "status", "CURRENT", "version", "2.1", "min_version", "2.1", "updated",
                         "2013-07-23T11:33:21Z", "links", "rel", "self", "href", href,
                         "media-types", "base", "application/json", "type",
                         "application/vnd.openstack.compute+json;version=2.1");
}

static int versions(struct httpd_req *req, void *data)
{
        (void)data;
        return sim_reply(req, 200,
                         json_checked(json_pack("{s:[o]}", "versions", version_doc(req))));
}

static int version_one(struct httpd_req *req, void *data)
{
        (void)data;
        return sim_reply(req, 200, json_checked(json_pack("{s:o}", "version", version_doc(req))));
}

#define P(m, path, fn)                                                                             \
        {                                                                                          \
                m, path, fn, NULL, NULL                                                            \
        }
const struct httpd_route sim_nova_routes[] = {
        {"GET", "/", versions, NULL, sim_public_meta},
        {"GET", "/v2.1", version_one, NULL, sim_public_meta},
        P("GET", "/v2.1/servers", server_list),
        P("GET", "/v2.1/servers/detail", server_detail),
        P("POST", "/v2.1/servers", server_create),
        P("GET", "/v2.1/servers/{id}", server_show),
        P("PUT", "/v2.1/servers/{id}", server_update),
        P("DELETE", "/v2.1/servers/{id}", server_delete),
        P("POST", "/v2.1/servers/{id}/action", server_action),
        P("GET", "/v2.1/servers/{id}/metadata", server_metadata),
        P("PUT", "/v2.1/servers/{id}/metadata", server_metadata),
        P("POST", "/v2.1/servers/{id}/metadata", server_metadata),
        P("GET", "/v2.1/servers/{id}/ips", server_ips),
        P("GET", "/v2.1/servers/{id}/os-interface", server_interfaces),
        P("GET", "/v2.1/servers/{id}/os-volume_attachments", va_list_h),
        P("POST", "/v2.1/servers/{id}/os-volume_attachments", va_create),
        P("GET", "/v2.1/servers/{id}/os-volume_attachments/{vol}", va_show_or_delete),
        P("DELETE", "/v2.1/servers/{id}/os-volume_attachments/{vol}", va_show_or_delete),
        P("GET", "/v2.1/flavors", flavor_list),
        P("GET", "/v2.1/flavors/detail", flavor_detail),
        P("GET", "/v2.1/flavors/{id}", flavor_show),
        P("GET", "/v2.1/flavors/{id}/os-extra_specs", flavor_extra_specs),
        P("GET", "/v2.1/os-keypairs", keypair_list),
        P("POST", "/v2.1/os-keypairs", keypair_create),
        P("GET", "/v2.1/os-keypairs/{name}", keypair_show_or_delete),
        P("DELETE", "/v2.1/os-keypairs/{name}", keypair_show_or_delete),
        P("GET", "/v2.1/os-server-groups", sgroup_list),
        P("POST", "/v2.1/os-server-groups", sgroup_create),
        P("GET", "/v2.1/os-server-groups/{id}", sgroup_show_or_delete),
        P("DELETE", "/v2.1/os-server-groups/{id}", sgroup_show_or_delete),
        P("GET", "/v2.1/os-availability-zone", az_list),
        P("GET", "/v2.1/os-availability-zone/detail", az_list),
        P("GET", "/v2.1/limits", limits),
        P("GET", "/v2.1/os-quota-sets/{id}", quota_sets),
        P("PUT", "/v2.1/os-quota-sets/{id}", quota_sets),
};
const size_t sim_nova_n_routes = ARRAY_SIZE(sim_nova_routes);
