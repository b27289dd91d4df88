/*
 * Simulated Glance (images API v2): images with free-form properties (os_distro,
 * magnum_sim_coe, ...) shown flat as Glance does, JSON-patch updates, data upload (the bytes
 * are hashed, not kept), visibility rules.
 */
#include "common/common.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "common/ids.h"
#include "common/json_util.h"
#include "sim/sim.h"

#define LOCK(s)   pthread_mutex_lock(&(s)->lock)
#define UNLOCK(s) pthread_mutex_unlock(&(s)->lock)

static const char *const core_props[] = {
        "id",           "name",        "status",           "visibility",    "protected",
        "os_hidden",    "checksum",    "os_hash_algo",     "os_hash_value", "size",
        "virtual_size", "disk_format", "container_format", "min_disk",      "min_ram",
        "owner",        "tags",        "created_at",       "updated_at",    "self",
        "file",         "schema",      "locations",        "direct_url",    NULL};

static const char *const readonly_props[] = {
        "id",   "status",       "checksum",   "os_hash_algo", "os_hash_value",
        "size", "virtual_size", "created_at", "updated_at",   "self",
        "file", "schema",       "direct_url", "locations",    NULL};

static bool in_list(const char *const *l, const char *k)
{
        for (size_t i = 0; l[i]; i++)
                if (streq(l[i], k))
                        return true;
        return false;
}

json_t *sim_image_new(struct sim *s, const char *owner, const json_t *b);
json_t *sim_image_new(struct sim *s, const char *owner, const json_t *b)
{
        json_t *o = sim_new_obj(s, K_IMAGE, owner);
        const char *id = json_get_str(b, "id");
        if (id)
                sim_set_str(o, "id", id);
        id = json_get_str(o, "id");
        const char *name = json_get_str(b, "name");
        sim_set_str(o, "name", name);
        sim_set_str(o, "status", "queued");
        const char *vis = json_get_str(b, "visibility");
        sim_set_str(o, "visibility", vis ? vis : "shared");
        sim_set(o, "protected", json_boolean(json_get_bool(b, "protected", false)));
        sim_set(o, "os_hidden", json_boolean(json_get_bool(b, "os_hidden", false)));
        sim_set(o, "checksum", json_null());
        sim_set(o, "os_hash_algo", json_null());
        sim_set(o, "os_hash_value", json_null());
        sim_set(o, "size", json_null());
        sim_set(o, "virtual_size", json_null());
        sim_set_str(o, "disk_format", json_get_str(b, "disk_format"));
        sim_set_str(o, "container_format", json_get_str(b, "container_format"));
        sim_set(o, "min_disk", json_integer(json_get_int(b, "min_disk", 0)));
        sim_set(o, "min_ram", json_integer(json_get_int(b, "min_ram", 0)));
        sim_set_str(o, "owner", owner);
        json_t *tags = json_object_get(b, "tags");
        sim_set(o, "tags", json_is_array(tags) ? json_deep_copy(tags) : json_array());
        char now[40];
        sim_time(now, false);
        sim_set_str(o, "created_at", now);
        sim_set_str(o, "updated_at", now);
        _cleanup_free_ char *self = xasprintf("/v2/images/%s", id);
        _cleanup_free_ char *file = xasprintf("/v2/images/%s/file", id);
        sim_set_str(o, "self", self);
        sim_set_str(o, "file", file);
        sim_set_str(o, "schema", "/v2/schemas/image");
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)b, k, v)
        {
                if (!in_list(core_props, k) && k[0] != '_')
                        json_object_set(o, k, v);
        }
        sim_put(s, K_IMAGE, o);
        return o;
}

/* Marks an image active with data of the given size and hashes. */
static void image_set_data(json_t *o, const void *data, size_t len)
{
        unsigned char md5[16], sha[64];
        gnutls_hash_fast(GNUTLS_DIG_MD5, data, len, md5);
        gnutls_hash_fast(GNUTLS_DIG_SHA512, data, len, sha);
        struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
        for (int i = 0; i < 16; i++)
                strbuf_addf(&a, "%02x", md5[i]);
        for (int i = 0; i < 64; i++)
                strbuf_addf(&b, "%02x", sha[i]);
        json_object_set_new(o, "checksum", json_string(a.buf));
        json_object_set_new(o, "os_hash_algo", json_string("sha512"));
        json_object_set_new(o, "os_hash_value", json_string(b.buf));
        json_object_set_new(o, "size", json_integer((json_int_t)len));
        json_object_set_new(o, "status", json_string("active"));
        strbuf_release(&a);
        strbuf_release(&b);
        sim_touch(o, false);
}

void sim_image_activate(json_t *o, const char *fake_data);
void sim_image_activate(json_t *o, const char *fake_data)
{
        image_set_data(o, fake_data, strlen(fake_data));
}

static int image_not_found(struct httpd_req *req, const char *id)
{
        return sim_error(req, 404, NULL, "No image found with ID %s", id);
}

static json_t *find_image(struct httpd_req *req, const char *id)
{
        struct sim_ctx *c = sim_ctx(req);
        json_t *o = sim_get(c->sim, K_IMAGE, id);
        if (!o || !sim_visible(c, K_IMAGE, o))
                return NULL;
        return o;
}

static int image_list(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        struct sim *s = c->sim;
        static const char *const skip[] = {"sort", "member_status", "visibility", "status", NULL};
        const char *vis = httpd_req_query(req, "visibility");
        const char *status = httpd_req_query(req, "status");
        const char *marker = httpd_req_query(req, "marker");
        const char *ls = httpd_req_query(req, "limit");
        long long limit = 25;
        if (ls && str_to_ll(ls, 0, 1000000, &limit) < 0)
                return sim_error(req, 400, NULL, "limit param must be an integer");
        json_t *arr = json_checked(json_array());
        bool passed = marker == NULL, more = false;
        const char *last = NULL;
        LOCK(s);
        if (marker && !sim_get(s, K_IMAGE, marker)) {
                UNLOCK(s);
                json_decref(arr);
                return sim_error(req, 400, NULL, "marker not found");
        }
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_IMAGE], k, v)
        {
                if (!sim_visible(c, K_IMAGE, v) || !sim_match_query(req, v, skip))
                        continue;
                const char *iv = json_get_str(v, "visibility");
                if (vis && !streq(vis, "all") && !(iv && streq(iv, vis)))
                        continue;
                if (!vis && iv && streq(iv, "community"))
                        continue;
                if (status && !streq(status, json_get_str(v, "status")))
                        continue;
                if (json_get_bool(v, "os_hidden", false) && !httpd_req_query(req, "os_hidden"))
                        continue;
                if (!passed) {
                        passed = streq(k, marker);
                        continue;
                }
                if ((long long)json_array_size(arr) >= limit) {
                        more = true;
                        break;
                }
                json_array_append_new(arr, sim_public(v, NULL));
                last = k;
        }
        json_t *out = json_pack("{s:o,s:s?,s:s?}", "images", arr, "first", "/v2/images", "schema",
                                "/v2/schemas/images");
        if (more && last) {
                _cleanup_free_ char *next =
                        xasprintf("/v2/images?marker=%s&limit=%lld", last, limit);
                json_object_set_new(out, "next", json_string(next));
        }
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(out));
}

static int image_show(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim *s = sim_ctx(req)->sim;
        const char *id = httpd_req_param(req, "id");
        LOCK(s);
        json_t *o = find_image(req, id);
        json_t *out = o ? sim_public(o, NULL) : NULL;
        UNLOCK(s);
        if (!out)
                return image_not_found(req, id);
        return sim_reply(req, 200, out);
}

static int image_create(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        json_auto_t *b = NULL;
        if (sim_body(req, &b) < 0)
                return 0;
        const char *k;
        json_t *v;
        json_object_foreach(b, k, v)
        {
                if (in_list(readonly_props, k) && !streq(k, "id"))
                        return sim_error(req, 403, NULL, "Attribute '%s' is read-only.", k);
                if (!in_list(core_props, k) && !json_is_string(v))
                        return sim_error(req, 400, NULL,
                                         "Provided object does not match schema 'image': %s is "
                                         "not of type 'string'",
                                         k);
        }
        const char *vis = json_get_str(b, "visibility");
        if (vis && !streq(vis, "public") && !streq(vis, "private") && !streq(vis, "shared") &&
            !streq(vis, "community"))
                return sim_error(req, 400, NULL, "Invalid visibility value: %s", vis);
        if (vis && streq(vis, "public") && !c->admin)
                return sim_error(req, 403, NULL,
                                 "You are not authorized to complete publicize_image action.");
        const char *df = json_get_str(b, "disk_format");
        static const char *const dfs[] = {"ami", "ari",   "aki", "vhd", "vhdx",  "vmdk",
                                          "raw", "qcow2", "vdi", "iso", "ploop", NULL};
        if (df && !in_list(dfs, df))
                return sim_error(req, 400, NULL, "Invalid value '%s' for parameter 'disk_format'",
                                 df);
        const char *id = json_get_str(b, "id");
        LOCK(c->sim);
        if (id && sim_get(c->sim, K_IMAGE, id)) {
                UNLOCK(c->sim);
                return sim_error(req, 409, NULL, "Image with identifier %s already exists!", id);
        }
        json_t *o = sim_image_new(c->sim, c->project_id, b);
        json_t *out = sim_public(o, NULL);
        UNLOCK(c->sim);
        _cleanup_free_ char *loc =
                xasprintf("%s/v2/images/%s", httpd_req_host_url(req), json_get_str(out, "id"));
        httpd_resp_set_header(req, "Location", loc);
        return sim_reply(req, 201, out);
}

static int image_patch(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        size_t len;
        const char *body = httpd_req_body(req, &len);
        json_auto_t *ops = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        const char *ct = httpd_req_header(req, "Content-Type");
        if (!ct || !strstr(ct, "openstack-images-v2.1-json-patch"))
                return sim_error(req, 415, NULL, "Unsupported Content-Type %s", ct ? ct : "");
        if (json_parse_limited(body, len, JSON_DEFAULT_MAX_BYTES, 16, &ops, &e) < 0 ||
            !json_is_array(ops))
                return sim_error(req, 400, NULL, "Malformed JSON in request body.");
        const char *id = httpd_req_param(req, "id");
        LOCK(c->sim);
        json_t *o = find_image(req, id);
        if (!o) {
                UNLOCK(c->sim);
                return image_not_found(req, id);
        }
        const char *owner = json_get_str(o, "_project");
        if (!c->admin && owner && !streq(owner, c->project_id)) {
                UNLOCK(c->sim);
                return sim_error(req, 403, NULL, "You are not permitted to modify this image.");
        }
        json_auto_t *work = json_deep_copy(o);
        size_t i;
        json_t *op;
        json_array_foreach(ops, i, op)
        {
                const char *kind = json_get_str(op, "op");
                const char *path = json_get_str(op, "path");
                if (!kind || !path || path[0] != '/') {
                        UNLOCK(c->sim);
                        return sim_error(req, 400, NULL,
                                         "Unable to find '%s' in JSON Schema "
                                         "change",
                                         "path");
                }
                const char *key = path + 1;
                if (in_list(readonly_props, key) || streq(key, "owner")) {
                        UNLOCK(c->sim);
                        return sim_error(req, 403, NULL, "Attribute '%s' is read-only.", key);
                }
                if (streq(kind, "remove")) {
                        if (in_list(core_props, key) || json_object_del(work, key) < 0) {
                                UNLOCK(c->sim);
                                return sim_error(req, 409, NULL, "Property %s does not exist.",
                                                 key);
                        }
                } else if (streq(kind, "add") || streq(kind, "replace")) {
                        json_t *val = json_object_get(op, "value");
                        if (!val) {
                                UNLOCK(c->sim);
                                return sim_error(req, 400, NULL,
                                                 "Operation objects must contain exactly one "
                                                 "member named \"value\".");
                        }
                        if (streq(kind, "replace") && !json_object_get(work, key)) {
                                UNLOCK(c->sim);
                                return sim_error(req, 409, NULL, "Property %s does not exist.",
                                                 key);
                        }
                        json_object_set(work, key, val);
                } else {
                        UNLOCK(c->sim);
                        return sim_error(req, 400, NULL,
                                         "Invalid operation: `%s`: not one of add, remove, "
                                         "replace",
                                         kind);
                }
        }
        json_object_update(o, work);
        const char *k;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(o, tmp, k, v)
        {
                if (!json_object_get(work, k))
                        json_object_del(o, k);
        }
        sim_touch(o, false);
        json_t *out = sim_public(o, NULL);
        UNLOCK(c->sim);
        return sim_reply(req, 200, out);
}

static int image_delete(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        const char *id = httpd_req_param(req, "id");
        LOCK(c->sim);
        json_t *o = find_image(req, id);
        if (!o) {
                UNLOCK(c->sim);
                return image_not_found(req, id);
        }
        const char *owner = json_get_str(o, "_project");
        if (!c->admin && owner && !streq(owner, c->project_id)) {
                UNLOCK(c->sim);
                return sim_error(req, 403, NULL, "You are not permitted to delete this image.");
        }
        if (json_get_bool(o, "protected", false)) {
                UNLOCK(c->sim);
                return sim_error(req, 403, NULL, "Image %s is protected and cannot be deleted.",
                                 id);
        }
        sim_del(c->sim, K_IMAGE, id);
        UNLOCK(c->sim);
        return httpd_resp_empty(req, 204);
}

static int image_upload(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        const char *id = httpd_req_param(req, "id");
        size_t len;
        const char *body = httpd_req_body(req, &len);
        LOCK(c->sim);
        json_t *o = find_image(req, id);
        if (!o) {
                UNLOCK(c->sim);
                return image_not_found(req, id);
        }
        const char *st = json_get_str(o, "status");
        if (!streq(st, "queued")) {
                UNLOCK(c->sim);
                return sim_error(req, 409, NULL,
                                 "Image status transition from %s to saving is "
                                 "not allowed",
                                 st);
        }
        image_set_data(o, body, len);
        UNLOCK(c->sim);
        return httpd_resp_empty(req, 204);
}

static int image_download(struct httpd_req *req, void *data)
{
        (void)data;
        struct sim_ctx *c = sim_ctx(req);
        const char *id = httpd_req_param(req, "id");
        LOCK(c->sim);
        json_t *o = find_image(req, id);
        UNLOCK(c->sim);
        if (!o)
                return image_not_found(req, id);
        return httpd_resp_empty(req, 204);
}

static int schema(struct httpd_req *req, void *data)
{
        (void)data;
        json_t *props = json_checked(json_object());
        for (size_t i = 0; core_props[i]; i++)
                json_object_set_new(props, core_props[i],
                                    json_pack("{s:[s?,s?]}", "type", "string", "null"));
        json_t *img =
                json_pack("{s:s?,s:o,s:{s:s?},s:[{s:s?,s:s?},{s:s?,s:s?},{s:s?,s:s?}]}", "name",
                          "image", "properties", props, "additionalProperties", "type", "string",
                          "links", "rel", "self", "href", "{self}", "rel", "enclosure", "href",
                          "{file}", "rel", "describedby", "href", "{schema}");
        const char *path = httpd_req_path(req);
        if (str_ends_with(path, "/images"))
                return sim_reply(req, 200,
                                 json_checked(json_pack("{s:s?,s:{s:{s:s?,s:o}}}", "name", "images",
                                                        "properties", "images", "type", "array",
                                                        "items", json_checked(img))));
        return sim_reply(req, 200, json_checked(img));
}

static int versions(struct httpd_req *req, void *data)
{
        (void)data;
        _cleanup_free_ char *href = xasprintf("%s/v2/", httpd_req_host_url(req));
        json_t *arr = json_checked(json_array());
        static const char *const vs[] = {"v2.9", "v2.8", "v2.7", "v2.6", "v2.5",
                                         "v2.4", "v2.3", "v2.2", "v2.1", "v2.0"};
        for (size_t i = 0; i < ARRAY_SIZE(vs); i++)
                json_array_append_new(arr, json_pack("{s:s?,s:s?,s:[{s:s?,s:s?}]}", "id", vs[i],
                                                     "status", i == 0 ? "CURRENT" : "SUPPORTED",
                                                     "links", "rel", "self", "href", href));
        json_t *j = json_pack("{s:o}", "versions", arr);
        int status = streq(httpd_req_path(req), "/") ? 300 : 200;
        return sim_reply(req, status, json_checked(j));
}

#define P(m, path, fn)                                                                             \
        {                                                                                          \
                m, path, fn, NULL, NULL                                                            \
        }
const struct httpd_route sim_glance_routes[] = {
        {"GET", "/", versions, NULL, sim_public_meta},
        {"GET", "/versions", versions, NULL, sim_public_meta},
        P("GET", "/v2/images", image_list),
        P("POST", "/v2/images", image_create),
        P("GET", "/v2/images/{id}", image_show),
        P("PATCH", "/v2/images/{id}", image_patch),
        P("DELETE", "/v2/images/{id}", image_delete),
        P("PUT", "/v2/images/{id}/file", image_upload),
        P("GET", "/v2/images/{id}/file", image_download),
        P("GET", "/v2/schemas/image", schema),
        P("GET", "/v2/schemas/images", schema),
};
const size_t sim_glance_n_routes = ARRAY_SIZE(sim_glance_routes);
