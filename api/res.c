/*
 * Shared machinery of the resource handlers; see res.h.
 */
#include "common/common.h"

#include <stdarg.h>

#include "api/res.h"
#include "common/ids.h"
#include "common/json_util.h"

static struct res_app *the_app;

void res_set_app(struct res_app *app)
{
        the_app = app;
}

static int parse_version(const char *h, int *ret_minor)
{
        if (!h)
                return 1;
        const char *p = h;
        while (*p == ' ')
                p++;
        if (strncasecmp(p, "container-infra", 15) != 0)
                return -EINVAL;
        p += 15;
        while (*p == ' ')
                p++;
        if (strcasecmp(p, "latest") == 0) {
                *ret_minor = RES_MAX_MINOR;
                return 0;
        }
        long long maj, min;
        const char *dot = strchr(p, '.');
        if (!dot)
                return -EINVAL;
        _cleanup_free_ char *ms = xstrndup(p, (size_t)(dot - p));
        if (str_to_ll(ms, 0, 1000, &maj) < 0 || str_to_ll(dot + 1, 0, 1000, &min) < 0)
                return -EINVAL;
        if (maj != 1 || min < 1 || min > RES_MAX_MINOR)
                return -ERANGE;
        *ret_minor = (int)min;
        return 0;
}

static const char *const *split_roles(struct httpd_req *req, const char *s, size_t *ret_n)
{
        size_t n = 0, cap = 8;
        const char **v = httpd_req_alloc(req, cap * sizeof(char *));
        if (s) {
                char *copy = httpd_req_strdup(req, s);
                char *save = NULL;
                for (char *t = strtok_r(copy, ",", &save); t && n < cap;
                     t = strtok_r(NULL, ",", &save)) {
                        while (*t == ' ')
                                t++;
                        v[n++] = t;
                }
        }
        *ret_n = n;
        return v;
}

int res_ctx_init(struct res_ctx *ctx, struct httpd_req *req, struct res_app *app)
{
        *ctx = (struct res_ctx){.req = req, .app = app, .minor = 1};
        int r = parse_version(httpd_req_header(req, "OpenStack-API-Version"), &ctx->minor);
        if (r < 0)
                ctx->minor = 1; /* the version middleware has answered 406 before us */
        ctx->user_id = httpd_req_header(req, "X-User-Id");
        ctx->project_id = httpd_req_header(req, "X-Project-Id");
        ctx->domain_id = httpd_req_header(req, "X-User-Domain-Id");
        ctx->user_name = httpd_req_header(req, "X-User-Name");
        ctx->project_name = httpd_req_header(req, "X-Project-Name");
        ctx->auth_token = httpd_req_header(req, "X-Auth-Token");
        ctx->roles = split_roles(req, httpd_req_header(req, "X-Roles"), &ctx->n_roles);
        /* A cluster's trustee user (in the trustee domain) carries its project in its name,
         * "<cluster uuid>_<project id>"; Magnum scopes its lookups by that project. */
        const char *tdom = app->conf.trustee_domain_id;
        if (tdom && ctx->domain_id && streq(tdom, ctx->domain_id) && ctx->user_name) {
                const char *us = strchr(ctx->user_name, '_');
                if (us) {
                        const char *end = strchr(us + 1, '_');
                        ctx->project_id =
                                end ? httpd_req_printf(req, "%.*s", (int)(end - us - 1), us + 1)
                                    : us + 1;
                }
        }
        ctx->creds = (struct policy_creds){ctx->user_id, ctx->project_id, ctx->domain_id,
                                           ctx->roles, ctx->n_roles};
        ctx->is_admin = policy_check(app->policy, "context_is_admin", &ctx->creds, NULL);
        return 0;
}

int res_fail(struct res_ctx *ctx, int status, const char *fmt, ...)
{
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        return httpd_resp_error(ctx->req, status, sb.buf);
}

int res_fail_err(struct res_ctx *ctx, int status, const struct err *e)
{
        return httpd_resp_error(ctx->req, status, err_msg(e));
}

int res_fail_internal(struct res_ctx *ctx, int r, const struct err *e)
{
        log_error_errno(r, "event=api_internal_error detail=\"%s\"", e ? err_msg(e) : "-");
        if (r == -ETIMEDOUT || r == -ECONNREFUSED)
                return httpd_resp_error(ctx->req, 503, "Service Unavailable");
        return httpd_resp_error(ctx->req, 500, "An unknown exception occurred.");
}

int res_body(struct res_ctx *ctx, json_t **ret)
{
        size_t len = 0;
        const char *body = httpd_req_body(ctx->req, &len);
        *ret = NULL;
        if (len == 0)
                return 0;
        const char *ct = httpd_req_header(ctx->req, "Content-Type");
        if (ct) {
                _cleanup_free_ char *mt = xstrndup(ct, strcspn(ct, ";"));
                for (size_t l = strlen(mt); l > 0 && mt[l - 1] == ' '; l--)
                        mt[l - 1] = '\0';
                if (!strcaseeq(mt, "application/json") && !strcaseeq(mt, "text/javascript") &&
                    !strcaseeq(mt, "application/javascript")) {
                        res_fail(ctx, 415, "Unknown mimetype: %s", mt);
                        return 1;
                }
        }
        _cleanup_err_ struct err e = ERR_INIT;
        int r = json_parse_limited(body, len, JSON_DEFAULT_MAX_BYTES, JSON_DEFAULT_MAX_DEPTH, ret,
                                   &e);
        if (r < 0) {
                res_fail(ctx, 400, "Request is not in valid JSON format");
                return 1;
        }
        return 0;
}

static json_t *default_target(struct res_ctx *ctx)
{
        json_t *t = json_checked(json_object());
        json_object_set_new(t, "project_id", json_string_or_null(ctx->project_id));
        json_object_set_new(t, "user_id", json_string_or_null(ctx->user_id));
        return t;
}

bool res_allowed(struct res_ctx *ctx, const char *rule, const json_t *target)
{
        json_auto_t *t = target ? json_deep_copy(target) : default_target(ctx);
        if (ctx->app->conf.trustee_domain_id)
                json_object_set_new(t, "trustee_domain_id",
                                    json_string(ctx->app->conf.trustee_domain_id));
        return policy_check(ctx->app->policy, rule, &ctx->creds, t);
}

int res_enforce(struct res_ctx *ctx, const char *rule, const json_t *target)
{
        if (res_allowed(ctx, rule, target))
                return 0;
        res_fail(ctx, 403, "Policy doesn't allow %s to be performed.", rule);
        return 1;
}

int res_check_args(struct res_ctx *ctx, const char *const *allowed)
{
        size_t n = httpd_req_query_count(ctx->req);
        for (size_t i = 0; i < n; i++) {
                const char *k, *v;
                httpd_req_query_at(ctx->req, i, &k, &v);
                bool ok = false;
                for (size_t j = 0; allowed && allowed[j]; j++)
                        ok = ok || streq(allowed[j], k);
                if (!ok) {
                        res_fail(ctx, 400, "Unknown argument: \"%s\"", k);
                        return 1;
                }
        }
        return 0;
}

int res_page_parse(struct res_ctx *ctx, const struct dbo_table *t, bool marker_uuid,
                   struct res_page *ret)
{
        *ret = (struct res_page){
                .limit = ctx->app->conf.max_limit, .sort_key = "id", .sort_dir = "asc"};
        const char *limit = httpd_req_query(ctx->req, "limit");
        if (limit) {
                long long n;
                if (str_to_ll(limit, -(1LL << 40), 1LL << 40, &n) < 0) {
                        res_fail(ctx, 400,
                                 "Invalid input for field/attribute limit. Value: '%s'. unable "
                                 "to convert to int",
                                 limit);
                        return 1;
                }
                if (n <= 0) {
                        res_fail(ctx, 400, "Limit must be positive");
                        return 1;
                }
                ret->limit = MIN(n, (long long)ctx->app->conf.max_limit);
        }
        const char *sd = httpd_req_query(ctx->req, "sort_dir");
        if (sd) {
                if (!streq(sd, "asc") && !streq(sd, "desc")) {
                        res_fail(ctx, 400,
                                 "Invalid sort direction: %s. Acceptable values are 'asc' or "
                                 "'desc'",
                                 sd);
                        return 1;
                }
                ret->sort_dir = sd;
                ret->desc = streq(sd, "desc");
        }
        const char *sk = httpd_req_query(ctx->req, "sort_key");
        if (sk) {
                if (!dbo_sortable(t, sk)) {
                        res_fail(ctx, 400,
                                 "The sort_key value \"%s\" is an invalid field for sorting", sk);
                        return 1;
                }
                ret->sort_key = sk;
        }
        const char *m = httpd_req_query(ctx->req, "marker");
        if (m) {
                if (marker_uuid && !uuid_is_like(m)) {
                        res_fail(ctx, 400,
                                 "Invalid input for field/attribute marker. Value: '%s'. unable "
                                 "to convert to UuidType. Error: Expected a uuid but received "
                                 "%s.",
                                 m, m);
                        return 1;
                }
                ret->marker = m;
        }
        return 0;
}

json_t *res_collection(struct res_ctx *ctx, const char *coll, json_t *items,
                       const struct res_page *pg, const char *next_path, const char *marker_key,
                       const char *extra_query)
{
        json_t *out = json_checked(json_object());
        size_t n = json_array_size(items);
        if (pg && n > 0 && (long)n == pg->limit) {
                json_t *last = json_array_get(items, n - 1);
                json_t *mk = json_object_get(last, marker_key);
                _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
                strbuf_addf(&sb, "%s/v1/%s?", httpd_req_host_url(ctx->req), next_path);
                if (extra_query)
                        strbuf_addf(&sb, "%s&", extra_query);
                strbuf_addf(&sb, "sort_key=%s&sort_dir=%s&limit=%ld&marker=", pg->sort_key,
                            pg->sort_dir, pg->limit);
                if (json_is_integer(mk))
                        strbuf_addf(&sb, "%" JSON_INTEGER_FORMAT, json_integer_value(mk));
                else if (json_is_string(mk))
                        strbuf_addstr(&sb, json_string_value(mk));
                json_object_set_new(out, coll, items);
                json_object_set_new(out, "next", json_checked(json_string(sb.buf)));
                return out;
        }
        json_object_set_new(out, coll, items);
        return out;
}

void res_add_links(struct res_ctx *ctx, json_t *obj, const char *path)
{
        const char *host = httpd_req_host_url(ctx->req);
        _cleanup_free_ char *self = NULL, *bm = NULL;
        _cleanup_strbuf_ struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
        strbuf_addf(&a, "%s/v1/%s", host, path);
        strbuf_addf(&b, "%s/%s", host, path);
        json_object_set_new(obj, "links",
                            json_pack("[{s:s,s:s},{s:s,s:s}]", "href", a.buf, "rel", "self", "href",
                                      b.buf, "rel", "bookmark"));
}

static void conn_release(void *p)
{
        db_pool_release(p);
}

int res_parse_body(struct res_ctx *ctx, const struct schema *s, const char *argname, json_t **ret)
{
        if (res_check_args(ctx, NULL))
                return 1;
        json_auto_t *body = NULL;
        if (res_body(ctx, &body))
                return 1;
        if (!body) {
                res_fail(ctx, 400, "Missing argument: \"%s\"", argname ? argname : s->argname);
                return 1;
        }
        _cleanup_err_ struct err e = ERR_INIT;
        if (schema_parse_body(s, body, ret, &e) < 0) {
                res_fail_err(ctx, 400, &e);
                return 1;
        }
        return 0;
}

int res_db(struct res_ctx *ctx, struct db_conn **ret)
{
        if (ctx->db) {
                *ret = ctx->db;
                return 0;
        }
        _cleanup_err_ struct err e = ERR_INIT;
        struct db_conn *c = NULL;
        int r = db_pool_acquire(ctx->app->pool, 10000, &c, &e);
        if (r < 0) {
                log_error_errno(r, "event=db_acquire_failed detail=\"%s\"", err_msg(&e));
                httpd_resp_error(ctx->req, 503, "Database unavailable");
                return 1;
        }
        httpd_req_defer(ctx->req, conn_release, c);
        ctx->db = c;
        *ret = c;
        return 0;
}

/* Names of the api_generation groups, by bit number of enum rcache_dep, and whether a
 * project-scoped answer may use the group's per-project counter (templates have public rows:
 * any project's change may show, so they are always read globally). */
static const struct {
        const char *name;
        bool per_project;
} gen_groups[RCACHE_N_DEPS] = {{"clusters", true}, {"templates", false}};

/* Appends one key field; NULL is told apart from every string. */
static void key_field(struct strbuf *sb, const char *v)
{
        if (v)
                strbuf_addstr(sb, v);
        else
                strbuf_addch(sb, '\x01');
        strbuf_addch(sb, '\x1f');
}

int res_cache_lookup(struct res_ctx *ctx, unsigned deps)
{
        struct rcache *rc = ctx->app->respcache;
        if (!rc)
                return 0;
        struct db_conn *c;
        if (res_db(ctx, &c))
                return 1;
        _cleanup_err_ struct err e = ERR_INIT;
        /* Admins' cluster views span every project; everyone else sees their own. */
        const char *project = ctx->is_admin || !ctx->project_id ? "" : ctx->project_id;
        struct dbo_gen_req reqs[RCACHE_N_DEPS];
        for (size_t i = 0; i < RCACHE_N_DEPS; i++)
                reqs[i] = (struct dbo_gen_req){gen_groups[i].name,
                                               gen_groups[i].per_project ? project : ""};
        struct rcache_gens g;
        int r = dbo_generations(c, reqs, RCACHE_N_DEPS, g.v, &e);
        if (r < 0) {
                log_warn("event=respcache_off reason=\"%s\"", err_msg(&e));
                return 0;
        }
        _cleanup_strbuf_ struct strbuf key = STRBUF_INIT;
        strbuf_addf(&key, "%d\x1f", ctx->minor);
        key_field(&key, httpd_req_host_url(ctx->req));
        key_field(&key, ctx->user_id);
        key_field(&key, ctx->user_name);
        key_field(&key, ctx->domain_id);
        key_field(&key, ctx->project_id);
        for (size_t i = 0; i < ctx->n_roles; i++)
                key_field(&key, ctx->roles[i]);
        key_field(&key, httpd_req_raw_url(ctx->req));
        char *body;
        size_t len;
        if (rcache_get(rc, key.buf, &g, &body, &len)) {
                log_debug("event=respcache_hit bytes=%zu", len);
                httpd_resp_body_take(ctx->req, 200, "application/json", body, len);
                return 1;
        }
        ctx->cache_key = httpd_req_strdup(ctx->req, key.buf);
        ctx->cache_deps = deps;
        ctx->cache_gens = g;
        return 0;
}

int res_respond_cacheable(struct res_ctx *ctx, const json_t *j)
{
        httpd_resp_json(ctx->req, 200, j);
        if (ctx->cache_key) {
                size_t len;
                const char *body = httpd_resp_body_get(ctx->req, &len);
                rcache_put(ctx->app->respcache, ctx->cache_key, ctx->cache_deps, &ctx->cache_gens,
                           body, len);
        }
        return 0;
}

int res_lookup(struct res_ctx *ctx, struct db_conn *c, const struct dbo_table *t,
               const struct dbo_query *scope, const char *ident, const char *kind,
               int notfound_status, const char *dup_msg, json_t **ret)
{
        _cleanup_err_ struct err e = ERR_INIT;
        struct dbo_filter f[8];
        struct dbo_query q = *scope;
        size_t n = 0;
        for (size_t i = 0; i < scope->n_filters && i < 7; i++)
                f[n++] = scope->filters[i];
        char norm[UUID_STR_LEN];
        if (uuid_normalize(ident, norm) == 0)
                f[n++] = (struct dbo_filter){"uuid", norm};
        else
                f[n++] = (struct dbo_filter){"name", ident};
        q.filters = f;
        q.n_filters = n;
        int r = dbo_get_one(c, t, &q, ret, &e);
        if (r == -ENOENT) {
                res_fail(ctx, notfound_status, "%s %s could not be found.", kind, ident);
                return 1;
        }
        if (r == -ENOTUNIQ) {
                res_fail(ctx, 409, "%s", dup_msg);
                return 1;
        }
        if (r < 0) {
                res_fail_internal(ctx, r, &e);
                return 1;
        }
        return 0;
}

json_t *res_rpc_context(struct res_ctx *ctx)
{
        json_t *roles = json_checked(json_array());
        for (size_t i = 0; i < ctx->n_roles; i++)
                json_array_append_new(roles, json_string(ctx->roles[i]));
        json_t *c = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:s,s:o,s:o,s:b}", "user_id",
                              json_string_or_null(ctx->user_id), "project_id",
                              json_string_or_null(ctx->project_id), "user_name",
                              json_string_or_null(ctx->user_name), "project_name",
                              json_string_or_null(ctx->project_name), "user_domain_id",
                              json_string_or_null(ctx->domain_id), "auth_token",
                              json_string_or_null(ctx->auth_token), "roles", roles, "is_admin",
                              ctx->is_admin, "request_id", httpd_req_id(ctx->req), "user",
                              json_string_or_null(ctx->user_name), "project",
                              json_string_or_null(ctx->project_name), "all_tenants", false);
        return json_checked(c);
}

/* RPC clients are pooled in the app: a request takes one (connecting a new one only when
 * none is idle) and gives it back when the request ends, so connections are reused across
 * httpd's short-lived connection threads. */
static void rpc_client_giveback(void *p)
{
        struct rpc_client *c = p;
        struct res_app *app = the_app;
        pthread_mutex_lock(&app->rpc_lock);
        if (app->rpc_n == app->rpc_alloc) {
                app->rpc_alloc = app->rpc_alloc ? app->rpc_alloc * 2 : 8;
                app->rpc_idle = xrealloc(app->rpc_idle, app->rpc_alloc * sizeof(*app->rpc_idle));
        }
        app->rpc_idle[app->rpc_n++] = c;
        pthread_mutex_unlock(&app->rpc_lock);
}

static int rpc_client_for_request(struct res_ctx *ctx, struct rpc_client **ret)
{
        struct res_app *app = ctx->app;
        if (!app->rpc)
                return -ENOTCONN;
        struct rpc_client *c = NULL;
        pthread_mutex_lock(&app->rpc_lock);
        if (app->rpc_n > 0)
                c = app->rpc_idle[--app->rpc_n];
        pthread_mutex_unlock(&app->rpc_lock);
        if (!c) {
                _cleanup_err_ struct err e = ERR_INIT;
                int r = rpc_client_new(app->rpc, &c, &e);
                if (r < 0)
                        return r;
        }
        httpd_req_defer(ctx->req, rpc_client_giveback, c);
        *ret = c;
        return 0;
}

void res_app_cleanup(struct res_app *app)
{
        for (size_t i = 0; i < app->rpc_n; i++)
                rpc_client_free(app->rpc_idle[i]);
        free(app->rpc_idle);
        app->rpc_idle = NULL;
        app->rpc_n = app->rpc_alloc = 0;
        for (size_t i = 0; i < app->cache_n; i++) {
                free(app->cache[i].key);
                json_decref(app->cache[i].body);
        }
        free(app->cache);
        app->cache = NULL;
        app->cache_n = app->cache_alloc = 0;
        rcache_free(app->respcache);
        app->respcache = NULL;
}

int res_cast(struct res_ctx *ctx, const char *method, json_t *args)
{
        struct rpc_client *c;
        int r = rpc_client_for_request(ctx, &c);
        if (r < 0) {
                res_fail(ctx, 503, "The conductor RPC transport is not configured.");
                return 1;
        }
        json_auto_t *rc = res_rpc_context(ctx);
        _cleanup_rpc_failure_ struct rpc_failure f = RPC_FAILURE_INIT;
        r = rpc_cast(c, "magnum-conductor", method, args, rc, &f);
        if (r < 0) {
                log_error_errno(r, "event=rpc_cast_failed method=%s detail=\"%s\"", method,
                                rpc_failure_msg(&f));
                res_fail(ctx, 503, "Could not send the request to the conductor.");
                return 1;
        }
        log_info("event=rpc_cast method=%s", method);
        return 0;
}

int res_call(struct res_ctx *ctx, const char *method, json_t *args, json_t **ret_result)
{
        struct rpc_client *c;
        int r = rpc_client_for_request(ctx, &c);
        if (r < 0) {
                res_fail(ctx, 503, "The conductor RPC transport is not configured.");
                return 1;
        }
        json_auto_t *rc = res_rpc_context(ctx);
        _cleanup_rpc_failure_ struct rpc_failure f = RPC_FAILURE_INIT;
        r = rpc_call(c, "magnum-conductor", method, args, rc, 0, ret_result, &f);
        if (r == -EREMOTEIO) {
                res_fail(ctx, f.http_code >= 400 ? f.http_code : 500, "%s", err_msg(&f.err));
                return 1;
        }
        if (r < 0) {
                log_error_errno(r, "event=rpc_call_failed method=%s detail=\"%s\"", method,
                                rpc_failure_msg(&f));
                res_fail(ctx, r == -ETIMEDOUT ? 504 : 503, "%s", err_msg(&f.err));
                return 1;
        }
        return 0;
}

json_t *res_ovo(const char *name, const char *version, const json_t *data)
{
        return json_checked(json_pack("{s:s,s:s,s:s,s:O}", "magnum_object.name", name,
                                      "magnum_object.namespace", "magnum", "magnum_object.version",
                                      version, "magnum_object.data", data));
}

char *res_random_name(const char *suffix)
{
        static const char *const greek[] = {
                "alpha", "beta",  "gamma",  "delta",   "epsilon", "zeta", "eta",     "theta",
                "iota",  "kappa", "lambda", "mu",      "nu",      "xi",   "omicron", "pi",
                "rho",   "sigma", "tau",    "upsilon", "phi",     "chi",  "psi",     "omega"};
        unsigned char rnd[2];
        random_bytes(rnd, sizeof(rnd));
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "%s-%d-%s", greek[rnd[0] % ARRAY_SIZE(greek)], rnd[1] % 24 + 1, suffix);
        return strbuf_detach(&sb, NULL);
}

char *res_itoa(long long v)
{
        char buf[32];
        snprintf(buf, sizeof(buf), "%lld", v);
        return xstrdup(buf);
}

int res_dispatch(struct httpd_req *req, void *data)
{
        const struct res_route *rt = data;
        struct res_ctx ctx;
        res_ctx_init(&ctx, req, the_app);
        if (ctx.minor < rt->min_minor || (rt->max_minor && ctx.minor > rt->max_minor))
                return httpd_resp_error(req, 406,
                                        "The requested version does not support this method.");
        return rt->handler(&ctx);
}

void res_labels_diff(json_t *out, const json_t *parent, const json_t *labels)
{
        json_t *over = json_checked(json_object()), *added = json_checked(json_object()),
               *skipped = json_checked(json_object());
        const char *k;
        json_t *v;
        if (json_is_object(labels))
                json_object_foreach((json_t *)labels, k, v)
                {
                        json_t *pv = json_is_object(parent) ? json_object_get(parent, k) : NULL;
                        if (!pv)
                                json_object_set(added, k, v);
                        else if (!json_equal(pv, v))
                                json_object_set(over, k, pv);
                }
        if (json_is_object(parent))
                json_object_foreach((json_t *)parent, k, v)
                {
                        if (!json_is_object(labels) || !json_object_get(labels, k))
                                json_object_set(skipped, k, v);
                }
        json_object_set_new(out, "labels_overridden", over);
        json_object_set_new(out, "labels_added", added);
        json_object_set_new(out, "labels_skipped", skipped);
}
