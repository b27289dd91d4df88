/*
 * Simulated Cinder (block storage v3): volumes (creating → available after [sim]
 * volume_delay_ms, in-use while attached), volume types, availability zones, volume actions
 * (attach/detach/reserve/extend), quotas answered with 413 overLimit as Cinder does.
 */
#include "common/common.h"

#include "common/ids.h"
#include "common/json_util.h"
#include "sim/sim.h"

#define LOCK(s)   pthread_mutex_lock(&(s)->lock)
#define UNLOCK(s) pthread_mutex_unlock(&(s)->lock)

static json_t *vol_links(struct httpd_req *req, const char *pid, const char *id)
{
        _cleanup_free_ char *self =
                xasprintf("%s/v3/%s/volumes/%s", httpd_req_host_url(req), pid, id);
        _cleanup_free_ char *book = xasprintf("%s/%s/volumes/%s", httpd_req_host_url(req), pid, id);
        return json_pack("[{s:s?,s:s?},{s:s?,s:s?}]", "rel", "self", "href", self, "rel",
                         "bookmark", "href", book);
}

static json_t *vol_view(struct httpd_req *req, json_t *v, bool admin)
{
        json_t *o = sim_public(v, NULL);
        json_object_set_new(o, "links",
                            vol_links(req, json_get_str(v, "_project"), json_get_str(v, "id")));
        if (!admin) {
                json_object_del(o, "os-vol-host-attr:host");
                json_object_del(o, "os-vol-mig-status-attr:migstat");
                json_object_del(o, "os-vol-mig-status-attr:name_id");
        }
        return o;
}

int sim_volume_attach(struct sim *s, json_t *vol, const char *server_id, const char *device,
                      struct err *e)
{
        (void)s;
        const char *st = json_get_str(vol, "status");
        if (!st || (!streq(st, "available") && !streq(st, "attaching") && !streq(st, "reserved")))
                return err_set(e, 400,
                               "Invalid volume: volume '%s' status must be 'available'. "
                               "Currently in '%s'",
                               json_get_str(vol, "id"), st ? st : "");
        char now[40];
        sim_time(now, true);
        char aid[UUID_STR_LEN];
        uuid_generate_str(aid);
        json_array_append_new(
                json_object_get(vol, "attachments"),
                json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?}", "server_id", server_id,
                          "attachment_id", aid, "attached_at", now, "host_name", "sim-host",
                          "volume_id", json_get_str(vol, "id"), "device",
                          device ? device : "/dev/vdb", "id", json_get_str(vol, "id")));
        sim_set_str(vol, "status", "in-use");
        sim_set_str(vol, "attach_status", "attached");
        sim_touch(vol, true);
        return 0;
}

void sim_volume_detach(struct sim *s, json_t *vol, const char *server_id)
{
        (void)s;
        json_t *att = json_object_get(vol, "attachments");
        bool changed = false;
        for (size_t i = 0; i < json_array_size(att);) {
                const char *sid = json_get_str(json_array_get(att, i), "server_id");
                if (!server_id || (sid && streq(sid, server_id))) {
                        json_array_remove(att, i);
                        changed = true;
                } else {
                        i++;
                }
        }
        if (changed && json_array_size(att) == 0) {
                sim_set_str(vol, "status", "available");
                sim_set_str(vol, "attach_status", "detached");
        }
        if (changed)
                sim_touch(vol, true);
}

static json_t *vol_show_view(struct httpd_req *req, json_t *o)
{
        return vol_view(req, o, sim_ctx(req)->admin);
}

static const struct sim_res R_VOL = {K_VOLUME, "volume", "Volume", "could not be found.",
                                     vol_show_view};

static json_t *find_type(struct sim *s, const char *name_or_id)
{
        json_t *t = sim_get(s, K_VOLUME_TYPE, name_or_id);
        if (t)
                return t;
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_VOLUME_TYPE], k, v)
        {
                if (streq(json_get_str(v, "name"), name_or_id))
                        return v;
        }
        return NULL;
}

static int vol_list_common(struct httpd_req *req, bool detail)
{
        struct sim_ctx *c = sim_ctx(req);
        struct sim *s = c->sim;
        const char *at = httpd_req_query(req, "all_tenants");
        bool all = c->admin && at && (streq(at, "1") || strcaseeq(at, "true"));
        static const char *const skip[] = {"offset", "with_count", NULL};
        json_t *arr = json_checked(json_array());
        LOCK(s);
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_VOLUME], k, v)
        {
                const char *p = json_get_str(v, "_project");
                if (!all && !(p && c->project_id && streq(p, c->project_id)))
                        continue;
                if (!sim_match_query(req, v, skip))
                        continue;
                if (detail)
                        json_array_append_new(arr, vol_view(req, v, c->admin));
                else
                        json_array_append_new(arr, json_pack("{s:s?,s:O,s:o}", "id", k, "name",
                                                             json_object_get(v, "name"), "links",
                                                             vol_links(req, p, k)));
        }
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(json_pack("{s:o}", "volumes", arr)));
}

static int vol_list(struct httpd_req *req, void *data)
{
        (void)data;
        return vol_list_common(req, false);
}

static int vol_detail(struct httpd_req *req, void *data)
{
        (void)data;
        return vol_list_common(req, true);
}

static int vol_show(struct httpd_req *req, void *data)
{
        (void)data;
        return sim_show(req, &R_VOL, httpd_req_param(req, "id"));
}

static int vol_create(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        struct sim *s = c->sim;
        json_auto_t *root = NULL;
        json_t *b;
        if (sim_body_member(req, "volume",
                            "Invalid input for field/attribute volume. Value: None. 'volume' is a "
                            "required property",
                            &root, &b) < 0)
                return 0;
        json_t *sz = json_object_get(b, "size");
        long long size = 0;
        if (json_is_integer(sz))
                size = json_integer_value(sz);
        else if (json_is_string(sz))
                str_to_ll(json_string_value(sz), 0, 1LL << 31, &size);
        if (size <= 0)
                return sim_error(req, 400, NULL,
                                 "Invalid input for field/attribute size. Value: %s. %s is not "
                                 "of type 'integer', 'string'",
                                 sz ? "value" : "None", sz ? "size" : "None");
        const char *az = json_get_str(b, "availability_zone");
        if (az && !streq(az, "nova"))
                return sim_error(req, 400, NULL,
                                 "Invalid input received: Availability zone '%s' "
                                 "is invalid.",
                                 az);
        const char *type_name = json_get_str(b, "volume_type");
        const char *image_id = json_get_str(b, "imageRef");
        LOCK(s);
        json_t *type = find_type(s, type_name ? type_name : "__DEFAULT__");
        if (type_name && !type) {
                UNLOCK(s);
                return sim_error(req, 404, NULL, "Volume type with name %s could not be found.",
                                 type_name);
        }
        json_t *image = NULL;
        if (image_id) {
                image = sim_get(s, K_IMAGE, image_id);
                if (!image || !sim_visible(c, K_IMAGE, image)) {
                        UNLOCK(s);
                        return sim_error(req, 400, NULL,
                                         "Invalid image identifier or unable to access requested "
                                         "image.");
                }
        }
        int n = 0;
        long long gb = 0;
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_VOLUME], k, v)
        {
                const char *p = json_get_str(v, "_project");
                if (p && c->project_id && streq(p, c->project_id)) {
                        n++;
                        gb += json_get_int(v, "size", 0);
                }
        }
        int lv = sim_quota(s, c->project_id, "volumes"),
            lg = sim_quota(s, c->project_id, "gigabytes");
        if (lv >= 0 && n + 1 > lv) {
                UNLOCK(s);
                httpd_resp_set_header(req, "Retry-After", "0");
                return sim_error(req, 413, NULL,
                                 "VolumeLimitExceeded: Maximum number of volumes allowed (%d) "
                                 "exceeded for quota 'volumes'.",
                                 lv);
        }
        if (lg >= 0 && gb + size > lg) {
                UNLOCK(s);
                httpd_resp_set_header(req, "Retry-After", "0");
                return sim_error(req, 413, NULL,
                                 "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot "
                                 "exceeds allowed gigabytes quota. Requested %lldG, quota is "
                                 "%dG and %lldG has been consumed.",
                                 size, lg, gb);
        }
        json_t *o = sim_new_obj(s, K_VOLUME, c->project_id);
        sim_set(o, "name",
                json_incref(json_object_get(b, "name") ? json_object_get(b, "name") : json_null()));
        sim_set_str(o, "status", "creating");
        sim_set(o, "size", json_integer(size));
        sim_set_str(o, "availability_zone", "nova");
        sim_set(o, "attachments", json_array());
        sim_set_str(o, "bootable", image ? "true" : "false");
        sim_set(o, "encrypted", json_false());
        sim_set_str(o, "volume_type", type ? json_get_str(type, "name") : NULL);
        sim_set_str(o, "volume_type_id", type ? json_get_str(type, "id") : NULL);
        sim_set(o, "description",
                json_incref(json_object_get(b, "description") ? json_object_get(b, "description")
                                                              : json_null()));
        json_t *md = json_object_get(b, "metadata");
        sim_set(o, "metadata", json_is_object(md) ? json_deep_copy(md) : json_object());
        sim_set(o, "multiattach", json_boolean(json_get_bool(b, "multiattach", false)));
        sim_set(o, "snapshot_id", json_null());
        sim_set(o, "source_volid", json_null());
        sim_set(o, "consistencygroup_id", json_null());
        sim_set(o, "group_id", json_null());
        sim_set_str(o, "user_id", c->user_id);
        sim_set_str(o, "os-vol-tenant-attr:tenant_id", c->project_id);
        sim_set_str(o, "os-vol-host-attr:host", "sim-host@lvm#lvm");
        sim_set(o, "os-vol-mig-status-attr:migstat", json_null());
        sim_set(o, "os-vol-mig-status-attr:name_id", json_null());
        sim_set(o, "replication_status", json_null());
        sim_set(o, "migration_status", json_null());
        sim_set_str(o, "attach_status", "detached");
        sim_set(o, "updated_at", json_null());
        if (image) {
                sim_set_str(o, "_image", image_id);
                json_t *vim =
                        json_pack("{s:s?,s:s?}", "image_id", image_id, "image_name",
                                  json_get_str(image, "name") ? json_get_str(image, "name") : "");
                const char *distro = json_get_str(image, "os_distro");
                if (distro)
                        json_object_set_new(vim, "os_distro", json_string(distro));
                sim_set(o, "volume_image_metadata", vim);
        }
        sim_put(s, K_VOLUME, o);
        sim_schedule(s, K_VOLUME, json_get_str(o, "id"), s->o.volume_delay_ms);
        json_t *out = json_pack("{s:o}", "volume", vol_view(req, o, c->admin));
        UNLOCK(s);
        return sim_reply(req, 202, json_checked(out));
}

static int vol_update(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        json_auto_t *root = NULL;
        json_t *b;
        if (sim_body_member(req, "volume", "Missing required element 'volume' in request body.",
                            &root, &b) < 0)
                return 0;
        json_t *o = sim_lock_find(req, &R_VOL, httpd_req_param(req, "id"));
        if (!o)
                return 0;
        static const char *const keys[] = {"name", "description", "metadata", NULL};
        for (size_t i = 0; keys[i]; i++)
                if (json_object_get(b, keys[i]))
                        json_object_set(o, keys[i], json_object_get(b, keys[i]));
        sim_touch(o, true);
        json_t *out = json_pack("{s:o}", "volume", vol_view(req, o, c->admin));
        UNLOCK(c->sim);
        return sim_reply(req, 200, json_checked(out));
}

static int vol_delete(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        const char *id = httpd_req_param(req, "id");
        json_t *o = sim_lock_find(req, &R_VOL, id);
        if (!o)
                return 0;
        const char *st = json_get_str(o, "status");
        if (json_array_size(json_object_get(o, "attachments")) > 0 ||
            !(streq(st, "available") || streq(st, "error") || streq(st, "error_restoring") ||
              streq(st, "error_extending") || streq(st, "error_managing"))) {
                UNLOCK(c->sim);
                return sim_error(req, 400, NULL,
                                 "Invalid volume: Volume status must be available or error or "
                                 "error_restoring or error_extending or error_managing and must "
                                 "not be migrating, attached, belong to a group, have snapshots, "
                                 "awaiting a transfer, or be disassociated from snapshots after "
                                 "volume transfer.");
        }
        sim_set_str(o, "status", "deleting");
        sim_schedule(c->sim, K_VOLUME, id, c->sim->o.delete_delay_ms);
        UNLOCK(c->sim);
        return httpd_resp_empty(req, 202);
}

static int vol_action(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        json_auto_t *b = NULL;
        if (sim_body(req, &b) < 0)
                return 0;
        const char *id = httpd_req_param(req, "id");
        const char *action = json_object_iter_key(json_object_iter(b));
        if (!action)
                return sim_error(req, 400, NULL, "Malformed request body");
        json_t *arg = json_object_get(b, action);
        json_t *o = sim_lock_find(req, &R_VOL, id);
        if (!o)
                return 0;
        _cleanup_err_ struct err e = ERR_INIT;
        int status = 202;
        const char *st = json_get_str(o, "status");
        if (streq(action, "os-attach")) {
                int r = sim_volume_attach(c->sim, o, json_get_str(arg, "instance_uuid"),
                                          json_get_str(arg, "mountpoint"), &e);
                if (r > 0)
                        status = r;
        } else if (streq(action, "os-detach")) {
                sim_volume_detach(c->sim, o, NULL);
        } else if (streq(action, "os-reserve")) {
                if (!streq(st, "available"))
                        status = 400, err_set(&e, 400,
                                              "Invalid volume: Volume status must be "
                                              "available to reserve, but the status is "
                                              "%s.",
                                              st);
                else
                        sim_set_str(o, "status", "attaching");
        } else if (streq(action, "os-unreserve")) {
                if (streq(st, "attaching"))
                        sim_set_str(o, "status", "available");
        } else if (streq(action, "os-begin_detaching")) {
                sim_set_str(o, "status", "detaching");
        } else if (streq(action, "os-roll_detaching")) {
                if (streq(st, "detaching"))
                        sim_set_str(o, "status", "in-use");
        } else if (streq(action, "os-extend")) {
                long long ns = json_get_int(arg, "new_size", 0);
                if (ns <= json_get_int(o, "size", 0))
                        status = 400, err_set(&e, 400,
                                              "Invalid input received: New size for "
                                              "extend must be greater than current "
                                              "size. (current: %lld, extended: %lld).",
                                              (long long)json_get_int(o, "size", 0), ns);
                else
                        sim_set(o, "size", json_integer(ns));
        } else if (streq(action, "os-set_bootable")) {
                sim_set_str(o, "bootable",
                            json_get_bool(arg, "bootable", false) ? "true" : "false");
                status = 200;
        } else if (streq(action, "os-reset_status")) {
                if (!c->admin)
                        status = 403, err_set(&e, 403,
                                              "Policy doesn't allow "
                                              "volume_extension:volume_admin_actions:"
                                              "reset_status to be performed.");
                else if (json_get_str(arg, "status"))
                        sim_set_str(o, "status", json_get_str(arg, "status"));
        } else {
                status = 400;
                err_set(&e, 400, "There is no such action: %s", action);
        }
        if (status < 300)
                sim_touch(o, true);
        UNLOCK(c->sim);
        if (status >= 300)
                return sim_error(req, status, NULL, "%s", err_msg(&e));
        return httpd_resp_empty(req, status);
}

static int type_list(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim *s = sim_ctx(req)->sim;
        json_t *arr = json_checked(json_array());
        LOCK(s);
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_VOLUME_TYPE], k, v)
                json_array_append_new(arr, sim_public(v, NULL));
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(json_pack("{s:o}", "volume_types", arr)));
}

static int type_show(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim *s = sim_ctx(req)->sim;
        const char *id = httpd_req_param(req, "id");
        LOCK(s);
        json_t *t = streq(id, "default") ? find_type(s, "__DEFAULT__") : find_type(s, id);
        json_t *out = t ? json_pack("{s:o}", "volume_type", sim_public(t, NULL)) : NULL;
        UNLOCK(s);
        if (!out)
                return sim_error(req, 404, NULL, "Volume type %s could not be found.", id);
        return sim_reply(req, 200, json_checked(out));
}

static int az_list(struct httpd_req *req, void *data)
{
        (void)data;
        json_t *j = json_pack("{s:[{s:s?,s:{s:b}}]}", "availabilityZoneInfo", "zoneName", "nova",
                              "zoneState", "available", true);
        return sim_reply(req, 200, json_checked(j));
}

static int limits(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        LOCK(c->sim);
        json_t *abs = json_pack(
                "{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}", "maxTotalVolumes",
                sim_quota(c->sim, c->project_id, "volumes"), "maxTotalVolumeGigabytes",
                sim_quota(c->sim, c->project_id, "gigabytes"), "maxTotalSnapshots", 10,
                "maxTotalBackups", 10, "maxTotalBackupGigabytes", 1000, "totalVolumesUsed",
                sim_count(c->sim, K_VOLUME, c->project_id), "totalGigabytesUsed", 0,
                "totalSnapshotsUsed", 0, "totalBackupsUsed", 0, "totalBackupGigabytesUsed", 0);
        UNLOCK(c->sim);
        return sim_reply(req, 200,
                         json_checked(json_pack("{s:{s:[],s:o}}", "limits", "rate", "absolute",
                                                json_checked(abs))));
}

static json_t *version_doc(struct httpd_req *req)
{
        _cleanup_free_ char *href = xasprintf("%s/v3/", httpd_req_host_url(req));
        return json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:[{s:s?,s:s?}],s:[{s:s?,s:s?}]}", "id", "v3.0",
                         "status", "CURRENT", "version", "3.0", "min_version", "3.0", "updated",
                         "2023-03-01T00:00:00Z", "links", "rel", "self", "href", href,
                         "media-types", "base", "application/json", "type",
                         "application/vnd.openstack.volume+json;version=3");
}

static int versions(struct httpd_req *req, void *data)
{
        (void)data;
        int status = streq(httpd_req_path(req), "/") ? 300 : 200;
        return sim_reply(req, status,
                         json_checked(json_pack("{s:[o]}", "versions", version_doc(req))));
}

static int version_one(struct httpd_req *req, void *data)
{
        (void)data;
        return sim_reply(req, 200,
                         json_checked(json_pack("{s:[o]}", "versions", version_doc(req))));
}

#define P(m, path, fn)                                                                             \
        {                                                                                          \
                m, path, fn, NULL, NULL                                                            \
        }
const struct httpd_route sim_cinder_routes[] = {
        {"GET", "/", versions, NULL, sim_public_meta},
        {"GET", "/v3", version_one, NULL, sim_public_meta},
        P("GET", "/v3/{project}/volumes", vol_list),
        P("GET", "/v3/{project}/volumes/detail", vol_detail),
        P("POST", "/v3/{project}/volumes", vol_create),
        P("GET", "/v3/{project}/volumes/{id}", vol_show),
        P("PUT", "/v3/{project}/volumes/{id}", vol_update),
        P("DELETE", "/v3/{project}/volumes/{id}", vol_delete),
        P("POST", "/v3/{project}/volumes/{id}/action", vol_action),
        P("GET", "/v3/{project}/types", type_list),
        P("GET", "/v3/{project}/types/{id}", type_show),
        P("GET", "/v3/{project}/os-availability-zone", az_list),
        P("GET", "/v3/{project}/limits", limits),
};
const size_t sim_cinder_n_routes = ARRAY_SIZE(sim_cinder_routes);
