/* magnum-api's per-request pipeline: auth, root re-routing, microversions. See middleware.h. */
#include "common/common.h"

#include "api/errors.h"
#include "api/middleware.h"
#include "common/utf8.h"

/* Per-request state kept in the request's ctx slot. */
struct api_reqstate {
        struct ks_token *token;
        int minor;
};

static void reqstate_free(void *p)
{
        struct api_reqstate *st = p;
        ks_token_unref(st->token);
        free(st);
}

static struct api_reqstate *reqstate(struct httpd_req *req)
{
        struct api_reqstate *st = httpd_req_ctx(req);
        if (!st) {
                st = xnew(struct api_reqstate, 1);
                st->minor = 1;
                httpd_req_set_ctx(req, st, reqstate_free);
        }
        return st;
}

struct ks_token *api_req_token(const struct httpd_req *req)
{
        struct api_reqstate *st = httpd_req_ctx(req);
        return st ? st->token : NULL;
}

int api_req_minor(const struct httpd_req *req)
{
        struct api_reqstate *st = httpd_req_ctx(req);
        return st ? st->minor : 1;
}

/* ---- microversions ---- */

/* Python int() on a version component: optional sign, digits with single '_' between. */
static bool py_int(const char *s, size_t len, long long *ret)
{
        size_t i = 0;
        bool neg = false;
        if (i < len && (s[i] == '+' || s[i] == '-'))
                neg = s[i++] == '-';
        if (i == len)
                return false;
        long long v = 0;
        bool prev_digit = false;
        for (; i < len; i++) {
                if (s[i] == '_' && prev_digit && i + 1 < len) {
                        prev_digit = false;
                        continue;
                }
                if (s[i] < '0' || s[i] > '9')
                        return false;
                /* saturate: anything this large is out of range anyway */
                v = v > 100000000LL ? v : v * 10 + (s[i] - '0');
                prev_digit = true;
        }
        if (!prev_digit)
                return false;
        *ret = neg ? -v : v;
        return true;
}

enum api_version_status api_version_parse(const char *value, struct api_version *ret)
{
        if (!value) {
                *ret = (struct api_version){1, 1};
                return API_VERSION_OK;
        }
        /* str.split(): whitespace-separated tokens; exactly two wanted. */
        const char *tok[3];
        size_t tlen[3];
        size_t n = 0;
        for (const char *p = value; *p;) {
                while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' ||
                       *p == '\v')
                        p++;
                if (!*p)
                        break;
                const char *start = p;
                while (*p && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' ||
                               *p == '\v'))
                        p++;
                if (n == 2)
                        return API_VERSION_BAD_SERVICE;
                tok[n] = start;
                tlen[n++] = (size_t)(p - start);
        }
        if (n != 2)
                return API_VERSION_BAD_SERVICE;
        const char *vs = tok[1];
        size_t vlen = tlen[1];
        if (vlen == 6 && strncasecmp(vs, "latest", 6) == 0) {
                *ret = (struct api_version){1, API_MAX_MINOR};
                return API_VERSION_OK; /* "latest" replaces the service name too */
        }
        if (tlen[0] != 15 || strncmp(tok[0], "container-infra", 15) != 0)
                return API_VERSION_BAD_SERVICE;
        const char *dot = memchr(vs, '.', vlen);
        if (!dot || memchr(dot + 1, '.', (size_t)(vs + vlen - dot - 1)))
                return API_VERSION_BAD_VALUE;
        long long maj, min;
        if (!py_int(vs, (size_t)(dot - vs), &maj) ||
            !py_int(dot + 1, (size_t)(vs + vlen - dot - 1), &min))
                return API_VERSION_BAD_VALUE;
        *ret = (struct api_version){maj, min};
        if (maj != 1)
                return API_VERSION_MAJOR;
        if (min < 1 || min > API_MAX_MINOR)
                return API_VERSION_RANGE;
        return API_VERSION_OK;
}

char *api_version_message(enum api_version_status st, const struct api_version *v)
{
        static const char *const range =
                "[container-infra " API_MIN_VERSION ", container-infra " API_MAX_VERSION "]";
        switch (st) {
        case API_VERSION_BAD_SERVICE:
                return xstrdup("Invalid service type for OpenStack-API-Version header");
        case API_VERSION_BAD_VALUE:
                return xstrdup("Invalid value for OpenStack-API-Version header");
        case API_VERSION_MAJOR:
                /* Magnum's message really lacks the space after "service." */
                return xasprintf("Mutually exclusive versions requested. Version %lld.%lld "
                                 "requested but not supported by this service.The supported "
                                 "version range is: %s.",
                                 v->major, v->minor, range);
        case API_VERSION_RANGE:
                return xasprintf("Version %lld.%lld was requested but the minor version is not "
                                 "supported by this service. The supported version range is: "
                                 "%s.",
                                 v->major, v->minor, range);
        case API_VERSION_OK:
                break;
        }
        return xstrdup("");
}

/* ---- auth ---- */

bool api_path_is_public(const char *path)
{
        static const char *const public_paths[] = {"/", "/.json", "/v1", "/v1.json"};
        for (size_t i = 0; i < ARRAY_SIZE(public_paths); i++)
                if (streq(path, public_paths[i]))
                        return true;
        return false;
}

/* Identity headers keystonemiddleware removes from every request before setting its own. */
static const char *const auth_headers[] = {
        "X-Identity-Status",
        "X-Service-Identity-Status",
        "X-Service-Catalog",
        "X-Domain-Id",
        "X-Domain-Name",
        "X-Project-Id",
        "X-Project-Name",
        "X-Project-Domain-Id",
        "X-Project-Domain-Name",
        "X-User-Id",
        "X-User-Name",
        "X-User-Domain-Id",
        "X-User-Domain-Name",
        "X-Roles",
        "X-Is-Admin-Project",
        "X-Service-Domain-Id",
        "X-Service-Domain-Name",
        "X-Service-Project-Id",
        "X-Service-Project-Name",
        "X-Service-Project-Domain-Id",
        "X-Service-Project-Domain-Name",
        "X-Service-User-Id",
        "X-Service-User-Name",
        "X-Service-User-Domain-Id",
        "X-Service-User-Domain-Name",
        "X-Service-Roles",
        "X-Role",
        "X-User",
        "X-Tenant-Id",
        "X-Tenant-Name",
        "X-Tenant",
        "X-Trust-Id",
        "X-Trustee-Id",
};

static void set_identity_headers(struct httpd_req *req, const struct ks_token *t)
{
        for (size_t i = 0; i < ARRAY_SIZE(auth_headers); i++)
                httpd_req_set_header(req, auth_headers[i], NULL);
        struct strbuf roles = STRBUF_INIT;
        for (size_t i = 0; i < t->n_roles; i++) {
                if (i)
                        strbuf_addch(&roles, ',');
                strbuf_addstr(&roles, t->roles[i]);
        }
        const struct {
                const char *name;
                const char *value;
        } set[] = {
                {"X-Identity-Status", "Confirmed"},
                {"X-User-Id", t->user_id},
                {"X-User-Name", t->user_name},
                {"X-User-Domain-Id", t->user_domain_id},
                {"X-User-Domain-Name", t->user_domain_name},
                {"X-Project-Id", t->project_id},
                {"X-Project-Name", t->project_name},
                {"X-Project-Domain-Id", t->project_domain_id},
                {"X-Project-Domain-Name", t->project_domain_name},
                {"X-Domain-Id", t->domain_id},
                {"X-Domain-Name", t->domain_name},
                {"X-Roles", roles.buf},
                {"X-Is-Admin-Project", "True"},
                {"X-Trust-Id", t->trust_id},
                {"X-Trustee-Id", t->trustee_user_id},
        };
        for (size_t i = 0; i < ARRAY_SIZE(set); i++)
                if (set[i].value)
                        httpd_req_set_header(req, set[i].name, set[i].value);
        strbuf_release(&roles);
}

/* Returns 1 when the request was answered (401/503), 0 to go on. */
static int authenticate(struct httpd_req *req, const struct api_mw *mw)
{
        if (mw->auth == API_AUTH_NOAUTH) {
                static const struct {
                        const char *name, *def;
                } defaults[] = {
                        {"X-User-Id", "noauth-user"},
                        {"X-Project-Id", "noauth-project"},
                        {"X-Roles", "admin"},
                };
                for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
                        if (!httpd_req_header(req, defaults[i].name))
                                httpd_req_set_header(req, defaults[i].name, defaults[i].def);
                /* Identity values end up in JSON (RPC context, resources): keep them UTF-8. */
                for (size_t i = 0; i < ARRAY_SIZE(auth_headers); i++) {
                        const char *v = httpd_req_header(req, auth_headers[i]);
                        if (v && !utf8_valid(v, strlen(v))) {
                                _cleanup_free_ char *fixed = utf8_sanitize(v);
                                httpd_req_set_header(req, auth_headers[i], fixed);
                        }
                }
                return 0;
        }
        const char *tok = httpd_req_header(req, "X-Auth-Token");
        if (!tok || !*tok) {
                api_auth_reject(req, mw->www_authenticate_uri);
                return 1;
        }
        struct ks_token *t = NULL;
        struct err e = ERR_INIT;
        int r = ks_validate(mw->ks, tok, &t, &e);
        if (r == -EACCES || r == -EINVAL) {
                log_info("event=auth_rejected reason=\"%s\"", err_msg(&e));
                err_clear(&e);
                api_auth_reject(req, mw->www_authenticate_uri);
                return 1;
        }
        if (r < 0) {
                log_error("event=keystone_unavailable reason=\"%s\"", err_msg(&e));
                err_clear(&e);
                api_auth_unavailable(req);
                return 1;
        }
        reqstate(req)->token = t;
        set_identity_headers(req, t);
        return 0;
}

int api_check_args(struct httpd_req *req, const char *const *allowed)
{
        for (size_t i = 0; i < httpd_req_query_count(req); i++) {
                const char *k, *v;
                httpd_req_query_at(req, i, &k, &v);
                bool ok = false;
                for (const char *const *a = allowed; a && *a && !ok; a++)
                        ok = streq(*a, k);
                if (!ok) {
                        _cleanup_free_ char *msg = xasprintf("Unknown argument: \"%s\"", k);
                        api_error(req, 400, API_ERR_WSME, msg);
                        return 1;
                }
        }
        return 0;
}

int api_mw_before_route(struct httpd_req *req, void *data)
{
        const struct api_mw *mw = data;
        const char *path = httpd_req_path(req);
        struct api_reqstate *st = reqstate(req);

        if (streq(path, "/healthcheck"))
                return 0;
        if (!api_path_is_public(path) && authenticate(req, mw))
                return 1;
        if (streq(path, "/") || streq(path, "/.json"))
                return 0;

        /* Root controller: anything not under v1 is re-routed under it. */
        if (!(str_starts_with(path, "/v1/") || streq(path, "/v1") || streq(path, "/v1.json"))) {
                _cleanup_free_ char *np = xasprintf("/v1%s", path);
                /* httpd_req_set_path takes the encoded form: re-encode each segment. */
                struct strbuf enc = STRBUF_INIT;
                const char *p = np;
                while (*p) {
                        if (*p == '/') {
                                strbuf_addch(&enc, '/');
                                p++;
                                continue;
                        }
                        const char *slash = strchr(p, '/');
                        size_t len = slash ? (size_t)(slash - p) : strlen(p);
                        _cleanup_free_ char *seg = xstrndup(p, len);
                        strbuf_add_urlencoded(&enc, seg);
                        p += len;
                }
                httpd_req_set_path(req, enc.buf);
                strbuf_release(&enc);
        }

        struct api_version v = {1, 1};
        enum api_version_status vs =
                api_version_parse(httpd_req_header(req, "OpenStack-API-Version"), &v);
        if (vs == API_VERSION_BAD_SERVICE || vs == API_VERSION_BAD_VALUE) {
                _cleanup_free_ char *msg = api_version_message(vs, &v);
                api_error(req, 406, API_ERR_WEBOB, msg);
                return 1;
        }
        httpd_resp_set_header(req, "OpenStack-API-Minimum-Version",
                              "container-infra " API_MIN_VERSION);
        httpd_resp_set_header(req, "OpenStack-API-Maximum-Version",
                              "container-infra " API_MAX_VERSION);
        _cleanup_free_ char *cur = xasprintf("container-infra %lld.%lld", v.major, v.minor);
        httpd_resp_set_header(req, "OpenStack-API-Version", cur);
        httpd_resp_set_header(req, "Vary", "OpenStack-API-Version");
        if (vs != API_VERSION_OK) {
                _cleanup_free_ char *msg = api_version_message(vs, &v);
                api_error(req, 406, API_ERR_MICROVERSION, msg);
                return 1;
        }
        st->minor = (int)v.minor;
        return 0;
}
