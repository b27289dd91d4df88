/*
 * keystone: Keystone v3 password auth, catalog lookup and cached token validation. See
 * keystone.h. Token bodies are parsed once into an immutable, reference-counted ks_token so a
 * cached validation can be shared by every API thread without copying.
 */
#include "common/common.h"
#include "common/keystone.h"

#include <pthread.h>

#include "common/httpclient.h"
#include "common/ids.h"
#include "common/json_util.h"

#define KS_MAX_TOKEN_BYTES 8192

/* Re-sets e with `prefix: <previous message>` (err_set frees the old message first, so the
 * old text is copied before). Returns code. */
static int err_wrap(struct err *e, int code, const char *prefix)
{
        if (!e)
                return code;
        _cleanup_free_ char *old = xstrdup(err_msg(e));
        return err_set(e, code, "%s: %s", prefix, old);
}

/* ---- tokens ------------------------------------------------------------------------------ */

struct ks_token *ks_token_ref(struct ks_token *t)
{
        if (t)
                __atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
        return t;
}

static void ks_token_free(struct ks_token *t)
{
        free(t->id);
        free(t->user_id);
        free(t->user_name);
        free(t->user_domain_id);
        free(t->user_domain_name);
        free(t->project_id);
        free(t->project_name);
        free(t->project_domain_id);
        free(t->project_domain_name);
        free(t->domain_id);
        free(t->domain_name);
        for (size_t i = 0; i < t->n_roles; i++)
                free(t->roles[i]);
        free(t->roles);
        free(t->trust_id);
        free(t->trustee_user_id);
        free(t->trustor_user_id);
        for (size_t i = 0; i < t->n_catalog; i++) {
                free(t->catalog[i].service_type);
                free(t->catalog[i].service_name);
                free(t->catalog[i].interface);
                free(t->catalog[i].region);
                free(t->catalog[i].url);
        }
        free(t->catalog);
        free(t);
}

void ks_token_unref(struct ks_token *t)
{
        if (!t)
                return;
        if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
                ks_token_free(t);
}
DEFINE_CLEANUP_FUNC(struct ks_token, ks_token_unref)

bool ks_token_has_role(const struct ks_token *t, const char *role)
{
        for (size_t i = 0; i < t->n_roles; i++)
                if (strcaseeq(t->roles[i], role))
                        return true;
        return false;
}

static char *dup_field(const json_t *obj, const char *key)
{
        return xstrdup_or_null(json_get_str(obj, key));
}

static void parse_catalog(struct ks_token *t, const json_t *catalog)
{
        size_t i, j;
        const json_t *svc, *ep;
        size_t total = 0;
        json_array_foreach(catalog, i, svc) total +=
                json_array_size(json_object_get(svc, "endpoints"));
        if (total == 0)
                return;
        t->catalog = xnew(struct ks_endpoint, total);
        json_array_foreach(catalog, i, svc)
        {
                const char *type = json_get_str(svc, "type");
                if (!type)
                        continue;
                json_array_foreach(json_object_get(svc, "endpoints"), j, ep)
                {
                        const char *url = json_get_str(ep, "url");
                        if (!url)
                                continue;
                        struct ks_endpoint *en = &t->catalog[t->n_catalog++];
                        en->service_type = xstrdup(type);
                        en->service_name = dup_field(svc, "name");
                        en->interface = dup_field(ep, "interface");
                        en->region = xstrdup_or_null(json_get_str(ep, "region_id")
                                                             ? json_get_str(ep, "region_id")
                                                             : json_get_str(ep, "region"));
                        en->url = xstrdup(url);
                }
        }
}

int ks_token_parse(const char *id, const json_t *body, struct ks_token **ret, struct err *e)
{
        const json_t *tok = json_object_get(body, "token");
        if (!json_is_object(tok))
                return err_set(e, -EINVAL, "Keystone answer has no token object");
        const char *exp = json_get_str(tok, "expires_at");
        const json_t *user = json_object_get(tok, "user");
        if (!exp || !json_is_object(user) || !json_get_str(user, "id"))
                return err_set(e, -EINVAL, "Keystone token lacks expires_at or user.id");
        _cleanup_(ks_token_unrefp) struct ks_token *t = xnew(struct ks_token, 1);
        t->refs = 1;
        if (time_parse_iso(exp, &t->expires_at_us) < 0)
                return err_set(e, -EINVAL, "Keystone token has a malformed expires_at '%s'", exp);
        const char *iss = json_get_str(tok, "issued_at");
        if (iss)
                (void)time_parse_iso(iss, &t->issued_at_us);
        t->id = xstrdup_or_null(id);
        t->user_id = dup_field(user, "id");
        t->user_name = dup_field(user, "name");
        const json_t *ud = json_object_get(user, "domain");
        t->user_domain_id = dup_field(ud, "id");
        t->user_domain_name = dup_field(ud, "name");
        const json_t *proj = json_object_get(tok, "project");
        if (json_is_object(proj)) {
                t->project_id = dup_field(proj, "id");
                t->project_name = dup_field(proj, "name");
                const json_t *pd = json_object_get(proj, "domain");
                t->project_domain_id = dup_field(pd, "id");
                t->project_domain_name = dup_field(pd, "name");
        }
        const json_t *dom = json_object_get(tok, "domain");
        if (json_is_object(dom)) {
                t->domain_id = dup_field(dom, "id");
                t->domain_name = dup_field(dom, "name");
        }
        const json_t *roles = json_object_get(tok, "roles");
        size_t i;
        const json_t *role;
        if (json_array_size(roles)) {
                t->roles = xnew(char *, json_array_size(roles));
                json_array_foreach(roles, i, role)
                {
                        const char *name = json_get_str(role, "name");
                        if (name)
                                t->roles[t->n_roles++] = xstrdup(name);
                }
        }
        t->is_admin = ks_token_has_role(t, "admin");
        const json_t *trust = json_object_get(tok, "OS-TRUST:trust");
        if (json_is_object(trust)) {
                t->trust_id = dup_field(trust, "id");
                t->trustee_user_id = dup_field(json_object_get(trust, "trustee_user"), "id");
                t->trustor_user_id = dup_field(json_object_get(trust, "trustor_user"), "id");
        }
        const json_t *catalog = json_object_get(tok, "catalog");
        if (json_is_array(catalog))
                parse_catalog(t, catalog);
        *ret = TAKE_PTR(t);
        return 0;
}

int ks_catalog_url(const struct ks_token *t, const char *service_type, const char *interface,
                   const char *region, char **ret_url)
{
        const char *iface = interface ? interface : "public";
        for (size_t i = 0; i < t->n_catalog; i++) {
                const struct ks_endpoint *en = &t->catalog[i];
                if (!streq(en->service_type, service_type))
                        continue;
                if (!en->interface || !streq(en->interface, iface))
                        continue;
                if (region && (!en->region || !streq(en->region, region)))
                        continue;
                *ret_url = xstrdup(en->url);
                return 0;
        }
        return -ENOENT;
}

/* ---- password auth ----------------------------------------------------------------------- */

/* "<auth_url without trailing '/'>" ending in /v3. */
static char *v3_base(const char *auth_url)
{
        struct strbuf sb = STRBUF_INIT;
        strbuf_addstr(&sb, auth_url);
        while (sb.len && sb.buf[sb.len - 1] == '/')
                strbuf_setlen(&sb, sb.len - 1);
        if (!str_ends_with(sb.buf, "/v3"))
                strbuf_addstr(&sb, "/v3");
        return strbuf_detach(&sb, NULL);
}

static json_t *domain_ref(const char *id, const char *name)
{
        if (id)
                return json_checked(json_pack("{s:s}", "id", id));
        return json_checked(json_pack("{s:s}", "name", name ? name : "Default"));
}

static json_t *password_body(const struct ks_auth *a)
{
        json_t *user = json_checked(json_pack("{s:s}", "password", a->password ? a->password : ""));
        if (a->user_id) {
                json_object_set_new(user, "id", json_checked(json_string(a->user_id)));
        } else {
                json_object_set_new(user, "name",
                                    json_checked(json_string(a->username ? a->username : "")));
                json_object_set_new(user, "domain",
                                    domain_ref(a->user_domain_id, a->user_domain_name));
        }
        json_t *auth = json_checked(json_pack("{s:{s:[s],s:{s:o}}}", "identity", "methods",
                                              "password", "password", "user", user));
        json_t *scope = NULL;
        if (a->trust_id) {
                scope = json_checked(json_pack("{s:{s:s}}", "OS-TRUST:trust", "id", a->trust_id));
        } else if (a->project_id) {
                scope = json_checked(json_pack("{s:{s:s}}", "project", "id", a->project_id));
        } else if (a->project_name) {
                scope = json_checked(
                        json_pack("{s:{s:s,s:o}}", "project", "name", a->project_name, "domain",
                                  domain_ref(a->project_domain_id, a->project_domain_name)));
        }
        if (scope)
                json_object_set_new(auth, "scope", scope);
        return json_checked(json_pack("{s:o}", "auth", auth));
}

/* Keystone's error message from {"error": {"message": ...}}, or the status. */
static const char *ks_error_message(const struct http_response *resp, json_t **hold)
{
        if (http_response_json(resp, hold, NULL) == 0) {
                const char *m = json_get_str(json_object_get(*hold, "error"), "message");
                if (m)
                        return m;
        }
        return "no message";
}

static int status_to_errno(int status)
{
        if (status == 401)
                return -EACCES;
        if (status == 403)
                return -EPERM;
        if (status == 404)
                return -ENOENT;
        if (status >= 500)
                return -EAGAIN;
        return -EBADMSG;
}

int ks_password_auth(const struct ks_auth *a, struct ks_token **ret, struct err *e)
{
        if (!a->auth_url)
                return err_set(e, -EINVAL, "no Keystone auth_url configured");
        _cleanup_free_ char *base = v3_base(a->auth_url);
        _cleanup_free_ char *url = xasprintf("%s/auth/tokens", base);
        json_auto_t *body = password_body(a);
        struct http_request rq = {.ca_file = a->ca_file, .timeout_ms = a->timeout_ms};
        static const char *const hdrs[] = {"Accept: application/json", NULL};
        _cleanup_(http_response_release) struct http_response resp = HTTP_RESPONSE_INIT;
        int r = http_json("POST", url, hdrs, body, &rq, &resp, e);
        if (r < 0)
                return r;
        if (resp.status != 201 && resp.status != 200) {
                json_auto_t *hold = NULL;
                return err_set(e, status_to_errno(resp.status),
                               "Keystone refused authentication for user %s: %d %s",
                               a->username  ? a->username
                               : a->user_id ? a->user_id
                                            : "?",
                               resp.status, ks_error_message(&resp, &hold));
        }
        const char *subject = http_response_header(&resp, "X-Subject-Token");
        if (!subject)
                return err_set(e, -EBADMSG, "Keystone answer lacks X-Subject-Token");
        json_auto_t *j = NULL;
        r = http_response_json(&resp, &j, e);
        if (r < 0)
                return err_wrap(e, -EBADMSG, "Keystone answer is not JSON");
        r = ks_token_parse(subject, j, ret, e);
        return r < 0 ? -EBADMSG : 0;
}

/* ---- session and validation cache --------------------------------------------------------- */

struct cache_entry {
        char *key;              /* the subject token */
        struct ks_token *token; /* NULL = known invalid */
        int64_t until_ms;       /* monotonic deadline */
        int64_t used_ms;        /* for LRU eviction */
        struct cache_entry *next;
};

#define KS_CACHE_BUCKETS 1024

struct ks_session {
        struct ks_session_opts o;
        char *v3;
        /* The strings behind o.auth (copied). */
        char *s_auth_url, *s_username, *s_user_id, *s_password, *s_udn, *s_udi, *s_pn, *s_pi,
                *s_pdn, *s_pdi, *s_trust, *s_ca;
        pthread_mutex_t token_lock; /* guards svc_token */
        struct ks_token *svc_token;
        pthread_mutex_t cache_lock; /* guards the cache */
        struct cache_entry *buckets[KS_CACHE_BUCKETS];
        size_t cache_n;
};

int ks_session_new(const struct ks_session_opts *o, struct ks_session **ret, struct err *e)
{
        if (!o->auth.auth_url)
                return err_set(e, -EINVAL, "[keystone_authtoken] auth_url is required");
        struct ks_session *s = xnew(struct ks_session, 1);
        s->o = *o;
        struct ks_auth *a = &s->o.auth;
        a->auth_url = s->s_auth_url = xstrdup(o->auth.auth_url);
        a->username = s->s_username = xstrdup_or_null(o->auth.username);
        a->user_id = s->s_user_id = xstrdup_or_null(o->auth.user_id);
        a->password = s->s_password = xstrdup_or_null(o->auth.password);
        a->user_domain_name = s->s_udn = xstrdup_or_null(o->auth.user_domain_name);
        a->user_domain_id = s->s_udi = xstrdup_or_null(o->auth.user_domain_id);
        a->project_name = s->s_pn = xstrdup_or_null(o->auth.project_name);
        a->project_id = s->s_pi = xstrdup_or_null(o->auth.project_id);
        a->project_domain_name = s->s_pdn = xstrdup_or_null(o->auth.project_domain_name);
        a->project_domain_id = s->s_pdi = xstrdup_or_null(o->auth.project_domain_id);
        a->trust_id = s->s_trust = xstrdup_or_null(o->auth.trust_id);
        a->ca_file = s->s_ca = xstrdup_or_null(o->auth.ca_file);
        if (!s->o.cache_max)
                s->o.cache_max = 1000;
        if (!s->o.invalid_ttl_s)
                s->o.invalid_ttl_s = 30;
        if (!s->o.renew_margin_s)
                s->o.renew_margin_s = 300;
        if (!s->o.max_cache_ttl_s)
                s->o.max_cache_ttl_s = 300;
        s->v3 = v3_base(a->auth_url);
        pthread_mutex_init(&s->token_lock, NULL);
        pthread_mutex_init(&s->cache_lock, NULL);
        *ret = s;
        return 0;
}

static void entry_free(struct cache_entry *en)
{
        ks_token_unref(en->token);
        free(en->key);
        free(en);
}

void ks_cache_clear(struct ks_session *s)
{
        pthread_mutex_lock(&s->cache_lock);
        for (size_t i = 0; i < KS_CACHE_BUCKETS; i++) {
                while (s->buckets[i]) {
                        struct cache_entry *en = s->buckets[i];
                        s->buckets[i] = en->next;
                        entry_free(en);
                }
        }
        s->cache_n = 0;
        pthread_mutex_unlock(&s->cache_lock);
}

void ks_session_free(struct ks_session *s)
{
        if (!s)
                return;
        ks_cache_clear(s);
        ks_token_unref(s->svc_token);
        pthread_mutex_destroy(&s->token_lock);
        pthread_mutex_destroy(&s->cache_lock);
        free(s->v3);
        free(s->s_auth_url);
        free(s->s_username);
        free(s->s_user_id);
        if (s->s_password)
                explicit_bzero(s->s_password, strlen(s->s_password));
        free(s->s_password);
        free(s->s_udn);
        free(s->s_udi);
        free(s->s_pn);
        free(s->s_pi);
        free(s->s_pdn);
        free(s->s_pdi);
        free(s->s_trust);
        free(s->s_ca);
        free(s);
}

/* Returns the service token, renewing it first when `force` or it is close to expiry. */
static int session_token(struct ks_session *s, bool force, struct ks_token **ret, struct err *e)
{
        int r = 0;
        pthread_mutex_lock(&s->token_lock);
        int64_t margin_us = (int64_t)s->o.renew_margin_s * 1000000;
        if (force || !s->svc_token || s->svc_token->expires_at_us - margin_us < time_now_us()) {
                struct ks_token *fresh = NULL;
                r = ks_password_auth(&s->o.auth, &fresh, e);
                if (r >= 0) {
                        ks_token_unref(s->svc_token);
                        s->svc_token = fresh;
                        log_debug("event=keystone_service_token_renewed user=%s",
                                  fresh->user_name ? fresh->user_name : "-");
                }
        }
        if (r >= 0)
                *ret = ks_token_ref(s->svc_token);
        pthread_mutex_unlock(&s->token_lock);
        return r;
}

int ks_session_token(struct ks_session *s, struct ks_token **ret, struct err *e)
{
        return session_token(s, false, ret, e);
}

int ks_session_endpoint(struct ks_session *s, const char *service_type, const char *interface,
                        const char *region, char **ret_url, struct err *e)
{
        _cleanup_(ks_token_unrefp) struct ks_token *t = NULL;
        int r = ks_session_token(s, &t, e);
        if (r < 0)
                return r;
        r = ks_catalog_url(t, service_type, interface, region, ret_url);
        if (r < 0)
                return err_set(e, r, "no %s endpoint for service type %s%s%s in the catalog",
                               interface ? interface : "public", service_type,
                               region ? " in region " : "", region ? region : "");
        return 0;
}

static size_t hash_str(const char *s)
{
        size_t h = 1469598103934665603ULL;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        return h % KS_CACHE_BUCKETS;
}

/* Looks up a cached validation: 1 found (valid, *ret ref'd), 0 found invalid, -ENOENT not
 * cached or expired. */
static int cache_get(struct ks_session *s, const char *key, struct ks_token **ret)
{
        int r = -ENOENT;
        int64_t now = time_mono_ms();
        pthread_mutex_lock(&s->cache_lock);
        struct cache_entry **pp = &s->buckets[hash_str(key)];
        while (*pp) {
                struct cache_entry *en = *pp;
                if (streq(en->key, key)) {
                        if (en->until_ms <= now ||
                            (en->token && en->token->expires_at_us <= time_now_us())) {
                                *pp = en->next;
                                entry_free(en);
                                s->cache_n--;
                                break;
                        }
                        en->used_ms = now;
                        if (en->token) {
                                *ret = ks_token_ref(en->token);
                                r = 1;
                        } else {
                                r = 0;
                        }
                        break;
                }
                pp = &en->next;
        }
        pthread_mutex_unlock(&s->cache_lock);
        return r;
}

static void cache_evict_one_locked(struct ks_session *s)
{
        struct cache_entry **victim = NULL;
        int64_t oldest = INT64_MAX;
        for (size_t i = 0; i < KS_CACHE_BUCKETS; i++)
                for (struct cache_entry **pp = &s->buckets[i]; *pp; pp = &(*pp)->next)
                        if ((*pp)->used_ms < oldest) {
                                oldest = (*pp)->used_ms;
                                victim = pp;
                        }
        if (victim) {
                struct cache_entry *en = *victim;
                *victim = en->next;
                entry_free(en);
                s->cache_n--;
        }
}

static void cache_put(struct ks_session *s, const char *key, struct ks_token *t)
{
        int64_t now = time_mono_ms();
        int64_t ttl_ms = (int64_t)(t ? s->o.max_cache_ttl_s : s->o.invalid_ttl_s) * 1000;
        if (t) {
                int64_t left_ms = (t->expires_at_us - time_now_us()) / 1000;
                ttl_ms = MIN(ttl_ms, left_ms);
                if (ttl_ms <= 0)
                        return;
        }
        pthread_mutex_lock(&s->cache_lock);
        size_t b = hash_str(key);
        for (struct cache_entry **pp = &s->buckets[b]; *pp; pp = &(*pp)->next)
                if (streq((*pp)->key, key)) {
                        struct cache_entry *old = *pp;
                        *pp = old->next;
                        entry_free(old);
                        s->cache_n--;
                        break;
                }
        while (s->cache_n >= s->o.cache_max)
                cache_evict_one_locked(s);
        struct cache_entry *en = xnew(struct cache_entry, 1);
        en->key = xstrdup(key);
        en->token = ks_token_ref(t);
        en->until_ms = now + ttl_ms;
        en->used_ms = now;
        en->next = s->buckets[b];
        s->buckets[b] = en;
        s->cache_n++;
        pthread_mutex_unlock(&s->cache_lock);
}

/* One GET /v3/auth/tokens. 0 valid (*ret), -EACCES invalid, -EAGAIN/-errno otherwise;
 * *ret_svc_rejected when Keystone rejected our own token (401). */
static int validate_remote(struct ks_session *s, const char *svc, const char *subject,
                           struct ks_token **ret, bool *ret_svc_rejected, struct err *e)
{
        _cleanup_free_ char *url = xasprintf("%s/auth/tokens", s->v3);
        _cleanup_free_ char *h1 = xasprintf("X-Auth-Token: %s", svc);
        _cleanup_free_ char *h2 = xasprintf("X-Subject-Token: %s", subject);
        const char *hdrs[] = {h1, h2, "Accept: application/json", NULL};
        struct http_request rq = {.method = "GET",
                                  .url = url,
                                  .headers = hdrs,
                                  .ca_file = s->o.auth.ca_file,
                                  .timeout_ms = s->o.auth.timeout_ms};
        _cleanup_(http_response_release) struct http_response resp = HTTP_RESPONSE_INIT;
        *ret_svc_rejected = false;
        int r = http_perform(&rq, &resp, e);
        if (r < 0)
                return err_wrap(e, -EAGAIN, "Keystone unreachable");
        if (resp.status == 200) {
                json_auto_t *j = NULL;
                if (http_response_json(&resp, &j, e) < 0 || ks_token_parse(subject, j, ret, e) < 0)
                        return err_set(e, -EAGAIN, "unparsable Keystone validation answer");
                return 0;
        }
        if (resp.status == 404)
                return err_set(e, -EACCES, "The request you have made requires authentication.");
        if (resp.status == 401) {
                *ret_svc_rejected = true;
                return err_set(e, -EAGAIN, "Keystone rejected the service token");
        }
        if (resp.status == 403)
                return err_set(e, -EAGAIN, "the service user may not validate tokens (403)");
        return err_set(e, -EAGAIN, "Keystone answered %d to token validation", resp.status);
}

int ks_validate(struct ks_session *s, const char *subject_token, struct ks_token **ret,
                struct err *e)
{
        if (!subject_token || !*subject_token || strlen(subject_token) > KS_MAX_TOKEN_BYTES ||
            strpbrk(subject_token, "\r\n"))
                return err_set(e, -EINVAL, "malformed token");
        struct ks_token *hit = NULL;
        int r = cache_get(s, subject_token, &hit);
        if (r == 1) {
                *ret = hit;
                return 0;
        }
        if (r == 0)
                return err_set(e, -EACCES, "The request you have made requires authentication.");

        for (int attempt = 0; attempt < 2; attempt++) {
                _cleanup_(ks_token_unrefp) struct ks_token *svc = NULL;
                r = session_token(s, attempt > 0, &svc, e);
                if (r < 0)
                        return err_wrap(e, -EAGAIN, "cannot authenticate the service");
                bool svc_rejected = false;
                _cleanup_(ks_token_unrefp) struct ks_token *t = NULL;
                r = validate_remote(s, svc->id, subject_token, &t, &svc_rejected, e);
                if (r == 0) {
                        if (t->expires_at_us <= time_now_us()) {
                                cache_put(s, subject_token, NULL);
                                return err_set(e, -EACCES, "token expired");
                        }
                        cache_put(s, subject_token, t);
                        *ret = TAKE_PTR(t);
                        return 0;
                }
                if (r == -EACCES) {
                        cache_put(s, subject_token, NULL);
                        return r;
                }
                if (!svc_rejected)
                        return r;
        }
        return r;
}
