/*
 * The in-memory model: one jansson object per kind mapping id → resource object, plus the small
 * helpers every service file uses (visibility, public copies, query filtering, timestamps,
 * quotas). Everything here runs with sim->lock held.
 */
#include "common/common.h"

#include <gnutls/gnutls.h>
#include <time.h>

#include "common/ids.h"
#include "common/json_util.h"
#include "sim/sim.h"

json_t *sim_get(struct sim *s, enum sim_kind k, const char *id)
{
        if (!id)
                return NULL;
        return json_object_get(s->db[k], id);
}

void sim_put(struct sim *s, enum sim_kind k, json_t *obj)
{
        const char *id = json_get_str(obj, "id");
        json_object_set_new(s->db[k], id, obj);
}

void sim_del(struct sim *s, enum sim_kind k, const char *id)
{
        json_object_del(s->db[k], id);
}

void sim_set(json_t *obj, const char *key, json_t *value)
{
        json_object_set_new(obj, key, json_checked(value));
}

void sim_set_str(json_t *obj, const char *key, const char *value)
{
        json_object_set_new(obj, key, json_string_or_null(value));
}

void sim_time(char out[40], bool micro)
{
        int64_t us = time_now_us();
        time_t t = (time_t)(us / 1000000);
        struct tm tm;
        gmtime_r(&t, &tm);
        size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
        if (micro)
                snprintf(out + n, 40 - n, ".%06lld", (long long)(us % 1000000));
        else
                snprintf(out + n, 40 - n, "Z");
}

/* Cinder and Octavia show microseconds without a zone; the others whole seconds with Z. */
static bool kind_micro(enum sim_kind k)
{
        return k == K_VOLUME || k == K_LB || k == K_LISTENER || k == K_POOL || k == K_MEMBER ||
               k == K_HM;
}

void sim_touch(json_t *obj, bool micro)
{
        char now[40];
        sim_time(now, micro);
        if (json_object_get(obj, "updated"))
                sim_set_str(obj, "updated", now);
        else
                sim_set_str(obj, "updated_at", now);
        json_t *rev = json_object_get(obj, "revision_number");
        if (rev)
                sim_set(obj, "revision_number", json_integer(json_integer_value(rev) + 1));
}

json_t *sim_new_obj(struct sim *s, enum sim_kind k, const char *project_id)
{
        (void)s;
        json_t *o = json_checked(json_object());
        char id[UUID_STR_LEN];
        uuid_generate_str(id);
        sim_set_str(o, "id", id);
        char now[40];
        sim_time(now, kind_micro(k));
        sim_set_str(o, "_project", project_id);
        switch (k) {
        case K_SERVER:
        case K_FLAVOR:
        case K_KEYPAIR:
        case K_SERVER_GROUP:
                break;
        default:
                sim_set_str(o, "created_at", now);
                sim_set_str(o, "updated_at", now);
        }
        return o;
}

bool sim_visible(const struct sim_ctx *c, enum sim_kind k, const json_t *obj)
{
        const char *owner = json_get_str(obj, "_project");
        if (c->admin || !owner || (c->project_id && streq(owner, c->project_id)))
                return true;
        switch (k) {
        case K_NETWORK:
                return json_get_bool(obj, "shared", false) ||
                       json_get_bool(obj, "router:external", false);
        case K_SUBNET:
                return json_get_bool(obj, "_shared", false);
        case K_IMAGE: {
                const char *v = json_get_str(obj, "visibility");
                return v && (streq(v, "public") || streq(v, "community"));
        }
        case K_FLAVOR:
        case K_VOLUME_TYPE:
                return true;
        default:
                return false;
        }
}

json_t *sim_public(const json_t *obj, struct httpd_req *req)
{
        json_t *out = json_checked(json_object());
        const char *key;
        json_t *v;
        const char *fields[64];
        size_t n_fields = 0;
        if (req) {
                for (size_t i = 0; i < httpd_req_query_count(req) && n_fields < 64; i++) {
                        const char *qk, *qv;
                        httpd_req_query_at(req, i, &qk, &qv);
                        if (streq(qk, "fields"))
                                fields[n_fields++] = qv;
                }
        }
        json_object_foreach((json_t *)obj, key, v)
        {
                if (key[0] == '_')
                        continue;
                if (n_fields) {
                        bool want = false;
                        for (size_t i = 0; i < n_fields && !want; i++)
                                want = streq(fields[i], key);
                        if (!want)
                                continue;
                }
                json_object_set_new(out, key, json_checked(json_deep_copy(v)));
        }
        return out;
}

/* The text form of a scalar for comparison with a query value. */
static bool value_matches(const json_t *v, const char *want)
{
        char buf[64];
        switch (json_typeof(v)) {
        case JSON_STRING:
                return streq(json_string_value(v), want);
        case JSON_TRUE:
                return strcaseeq(want, "true") || streq(want, "1");
        case JSON_FALSE:
                return strcaseeq(want, "false") || streq(want, "0");
        case JSON_INTEGER:
                snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
                return streq(buf, want);
        case JSON_NULL:
                return want[0] == '\0' || streq(want, "None");
        case JSON_ARRAY: {
                /* tags, or e.g. fixed_ips=ip_address=10.0.0.3 */
                size_t i;
                json_t *x;
                json_array_foreach(v, i, x)
                {
                        if (json_is_string(x) && streq(json_string_value(x), want))
                                return true;
                        if (json_is_object(x)) {
                                const char *eq = strchr(want, '=');
                                if (eq) {
                                        _cleanup_free_ char *k =
                                                xstrndup(want, (size_t)(eq - want));
                                        const char *s = json_get_str(x, k);
                                        if (s && streq(s, eq + 1))
                                                return true;
                                }
                        }
                }
                return false;
        }
        default:
                return false;
        }
}

bool sim_match_query(struct httpd_req *req, const json_t *obj, const char *const *skip)
{
        static const char *const always_skip[] = {
                "fields",      "limit",        "marker", "sort_key", "sort_dir", "page_reverse",
                "all_tenants", "all_projects", "detail", "deleted",  NULL};
        size_t n = httpd_req_query_count(req);
        for (size_t i = 0; i < n; i++) {
                const char *k, *v;
                httpd_req_query_at(req, i, &k, &v);
                bool skipped = false;
                for (size_t j = 0; always_skip[j] && !skipped; j++)
                        skipped = streq(always_skip[j], k);
                for (size_t j = 0; skip && skip[j] && !skipped; j++)
                        skipped = streq(skip[j], k);
                if (skipped)
                        continue;
                /* Already satisfied by an earlier value of the same key? */
                bool seen = false;
                for (size_t j = 0; j < i && !seen; j++) {
                        const char *k2, *v2;
                        httpd_req_query_at(req, j, &k2, &v2);
                        seen = streq(k2, k);
                }
                if (seen)
                        continue;
                bool any = false;
                for (size_t j = i; j < n && !any; j++) {
                        const char *k2, *v2;
                        httpd_req_query_at(req, j, &k2, &v2);
                        if (!streq(k2, k))
                                continue;
                        json_t *val = json_object_get(obj, k);
                        if (!val &&
                            (streq(k, "tenant_id") || streq(k, "project_id") || streq(k, "owner")))
                                val = json_object_get(obj, "_project");
                        if (!val && streq(k, "tags-any"))
                                val = json_object_get(obj, "tags");
                        any = val && value_matches(val, v2);
                }
                if (!any)
                        return false;
        }
        return true;
}

int sim_count(struct sim *s, enum sim_kind k, const char *project_id)
{
        int n = 0;
        const char *key;
        json_t *v;
        json_object_foreach(s->db[k], key, v)
        {
                const char *p = json_get_str(v, "_project");
                if (p && project_id && streq(p, project_id))
                        n++;
        }
        return n;
}

static const struct {
        const char *name;
        size_t offset;
} quota_defaults[] = {
        {"instances", offsetof(struct sim_opts, quota_instances)},
        {"cores", offsetof(struct sim_opts, quota_cores)},
        {"ram", offsetof(struct sim_opts, quota_ram)},
        {"network", offsetof(struct sim_opts, quota_network)},
        {"subnet", offsetof(struct sim_opts, quota_subnet)},
        {"port", offsetof(struct sim_opts, quota_port)},
        {"router", offsetof(struct sim_opts, quota_router)},
        {"floatingip", offsetof(struct sim_opts, quota_floatingip)},
        {"security_group", offsetof(struct sim_opts, quota_security_group)},
        {"security_group_rule", offsetof(struct sim_opts, quota_security_group_rule)},
        {"volumes", offsetof(struct sim_opts, quota_volumes)},
        {"gigabytes", offsetof(struct sim_opts, quota_gigabytes)},
        {"loadbalancer", offsetof(struct sim_opts, quota_loadbalancer)},
};

int sim_quota(struct sim *s, const char *project_id, const char *resource)
{
        json_t *p = project_id ? json_object_get(s->quotas, project_id) : NULL;
        json_t *v = p ? json_object_get(p, resource) : NULL;
        if (json_is_integer(v))
                return (int)json_integer_value(v);
        for (size_t i = 0; i < ARRAY_SIZE(quota_defaults); i++)
                if (streq(quota_defaults[i].name, resource))
                        return *(const int *)((const char *)&s->o + quota_defaults[i].offset);
        return -1;
}

void sim_schedule(struct sim *s, enum sim_kind k, const char *id, int delay_ms)
{
        s->pending = xgrow(s->pending, s->n_pending + 1, &s->alloc_pending, sizeof(*s->pending));
        struct sim_pending *p = &s->pending[s->n_pending++];
        p->due_ms = time_mono_ms() + (delay_ms > 0 ? delay_ms : 0);
        p->kind = k;
        snprintf(p->id, sizeof(p->id), "%s", id);
        pthread_cond_signal(&s->wake);
}

int sim_b64_decode(const char *in, char **ret, size_t *ret_len)
{
        /* Tolerate embedded newlines as Python's base64 decoding does. */
        _cleanup_strbuf_ struct strbuf clean = STRBUF_INIT;
        for (const char *p = in; *p; p++)
                if (*p != '\n' && *p != '\r' && *p != ' ')
                        strbuf_addch(&clean, *p);
        if (clean.len == 0) {
                *ret = xstrdup("");
                *ret_len = 0;
                return 0;
        }
        gnutls_datum_t src = {(unsigned char *)clean.buf, (unsigned)clean.len};
        gnutls_datum_t out = {NULL, 0};
        if (gnutls_base64_decode2(&src, &out) < 0)
                return -EINVAL;
        *ret = xstrndup((const char *)out.data, out.size);
        *ret_len = out.size;
        gnutls_free(out.data);
        return 0;
}

char *sim_b64_encode(const void *data, size_t len)
{
        gnutls_datum_t src = {(unsigned char *)data, (unsigned)len};
        gnutls_datum_t out = {NULL, 0};
        if (gnutls_base64_encode2(&src, &out) < 0)
                abort();
        char *s = xstrndup((const char *)out.data, out.size);
        gnutls_free(out.data);
        return s;
}
