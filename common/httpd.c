/*
 * httpd: routing, request parsing, limits, request ids and access logs over libmicrohttpd.
 * See httpd.h for the contract. libmicrohttpd does the sockets, HTTP/1.1 parsing, keep-alive,
 * threads and TLS; everything a handler sees (path, query, params, body) is parsed here from the
 * raw request-target, which MHD hands us through its URI log callback, so that '%2F' inside a
 * segment and '+' in query strings are decoded the way WSGI servers decode them.
 */
#include "common/common.h"
#include "common/httpd.h"

#include <arpa/inet.h>
#include <limits.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include "common/ids.h"
#include "common/json_util.h"
#include "common/utf8.h"

#define HTTPD_MAX_PARAMS   8
#define HTTPD_MAX_SEGMENTS 64

/* ---- router ----------------------------------------------------------------------------- */

struct route_seg {
        char *lit;  /* literal text, or NULL for a named segment */
        char *name; /* named segment's name */
        bool rest;  /* "{name*}": the rest of the path */
};

struct compiled_route {
        struct httpd_route r;
        struct route_seg *segs;
        size_t n_segs;
};

struct httpd_router {
        struct compiled_route *routes;
        size_t n;
};

void httpd_router_free(struct httpd_router *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n; i++) {
                for (size_t j = 0; j < r->routes[i].n_segs; j++) {
                        free(r->routes[i].segs[j].lit);
                        free(r->routes[i].segs[j].name);
                }
                free(r->routes[i].segs);
        }
        free(r->routes);
        free(r);
}
DEFINE_CLEANUP_FUNC(struct httpd_router, httpd_router_free)

/* Splits a path into its '/'-separated non-empty segments (pointers into a copy). */
static size_t split_path(char *copy, char **segs, size_t max)
{
        size_t n = 0;
        char *p = copy;
        while (*p) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                if (n == max)
                        return max + 1;
                segs[n++] = p;
                char *slash = strchr(p, '/');
                if (!slash)
                        break;
                *slash = '\0';
                p = slash + 1;
        }
        return n;
}

int httpd_router_new(const struct httpd_route *routes, size_t n, struct httpd_router **ret,
                     struct err *e)
{
        _cleanup_(httpd_router_freep) struct httpd_router *r = xnew(struct httpd_router, 1);
        r->routes = xnew(struct compiled_route, n ? n : 1);
        for (size_t i = 0; i < n; i++) {
                const struct httpd_route *src = &routes[i];
                struct compiled_route *cr = &r->routes[r->n++];
                cr->r = *src;
                if (!src->method || !src->pattern || !src->handler || src->pattern[0] != '/')
                        return err_set(e, -EINVAL,
                                       "route %zu: method, pattern starting with "
                                       "'/' and handler are required",
                                       i);
                _cleanup_free_ char *copy = xstrdup(src->pattern);
                char *segs[HTTPD_MAX_SEGMENTS];
                size_t ns = split_path(copy, segs, HTTPD_MAX_SEGMENTS);
                if (ns > HTTPD_MAX_SEGMENTS)
                        return err_set(e, -EINVAL, "route %s: too many segments", src->pattern);
                cr->segs = xnew(struct route_seg, ns ? ns : 1);
                cr->n_segs = ns;
                for (size_t j = 0; j < ns; j++) {
                        size_t len = strlen(segs[j]);
                        if (segs[j][0] == '{') {
                                if (len < 3 || segs[j][len - 1] != '}')
                                        return err_set(e, -EINVAL, "route %s: bad segment '%s'",
                                                       src->pattern, segs[j]);
                                bool rest = segs[j][len - 2] == '*';
                                if (rest && j != ns - 1)
                                        return err_set(e, -EINVAL, "route %s: {name*} must be last",
                                                       src->pattern);
                                size_t nlen = len - 2 - (rest ? 1 : 0);
                                if (nlen == 0)
                                        return err_set(e, -EINVAL, "route %s: empty name",
                                                       src->pattern);
                                cr->segs[j].name = xstrndup(segs[j] + 1, nlen);
                                cr->segs[j].rest = rest;
                        } else {
                                if (strchr(segs[j], '{') || strchr(segs[j], '}'))
                                        return err_set(e, -EINVAL, "route %s: bad segment '%s'",
                                                       src->pattern, segs[j]);
                                cr->segs[j].lit = xstrdup(segs[j]);
                        }
                }
        }
        *ret = TAKE_PTR(r);
        return 0;
}

/* Matches one compiled route against decoded segments. Returns a score (higher = more
 * literal segments early on) >= 0, or -1 when it doesn't match. */
static long long route_score(const struct compiled_route *cr, char **segs, size_t ns)
{
        long long score = 0;
        if (cr->n_segs == 0)
                return ns == 0 ? 1 : -1;
        bool has_rest = cr->segs[cr->n_segs - 1].rest;
        if (has_rest ? ns < cr->n_segs : ns != cr->n_segs)
                return -1;
        for (size_t i = 0; i < cr->n_segs; i++) {
                score <<= 1;
                if (cr->segs[i].lit) {
                        if (!streq(cr->segs[i].lit, segs[i]))
                                return -1;
                        score |= 1;
                }
        }
        return score;
}

int httpd_router_match(const struct httpd_router *r, const char *method, const char *path,
                       const char **ret_names, char **ret_values, size_t max_params,
                       size_t *ret_n_params, char **ret_allow)
{
        _cleanup_free_ char *copy = xstrdup(path);
        char *raw[HTTPD_MAX_SEGMENTS];
        char *segs[HTTPD_MAX_SEGMENTS];
        size_t ns = split_path(copy, raw, HTTPD_MAX_SEGMENTS);
        if (ns > HTTPD_MAX_SEGMENTS)
                return -ENOENT;
        size_t decoded = 0;
        int r_ = 0;
        for (; decoded < ns; decoded++) {
                r_ = httpd_url_decode(raw[decoded], strlen(raw[decoded]), false, &segs[decoded]);
                if (r_ < 0)
                        break;
        }
        long long best = -1;
        ssize_t best_i = -1;
        bool path_matched = false;
        if (r_ == 0) {
                for (size_t i = 0; i < r->n; i++) {
                        long long s = route_score(&r->routes[i], segs, ns);
                        if (s < 0)
                                continue;
                        path_matched = true;
                        if (strcmp(r->routes[i].r.method, method) == 0 && s > best) {
                                best = s;
                                best_i = (ssize_t)i;
                        }
                }
        }
        int ret = -ENOENT;
        if (best_i >= 0) {
                const struct compiled_route *cr = &r->routes[best_i];
                size_t np = 0;
                for (size_t i = 0; i < cr->n_segs && np < max_params; i++) {
                        if (cr->segs[i].lit)
                                continue;
                        ret_names[np] = cr->segs[i].name;
                        if (cr->segs[i].rest) {
                                struct strbuf sb = STRBUF_INIT;
                                for (size_t j = i; j < ns; j++) {
                                        if (j > i)
                                                strbuf_addch(&sb, '/');
                                        strbuf_addstr(&sb, segs[j]);
                                }
                                ret_values[np++] = strbuf_detach(&sb, NULL);
                        } else {
                                ret_values[np++] = xstrdup(segs[i]);
                        }
                }
                *ret_n_params = np;
                ret = (int)best_i;
        } else if (path_matched) {
                if (ret_allow) {
                        struct strbuf sb = STRBUF_INIT;
                        for (size_t i = 0; i < r->n; i++) {
                                if (route_score(&r->routes[i], segs, ns) < 0)
                                        continue;
                                bool seen = false;
                                for (size_t k = 0; k < i && !seen; k++)
                                        seen = streq(r->routes[k].r.method,
                                                     r->routes[i].r.method) &&
                                               route_score(&r->routes[k], segs, ns) >= 0;
                                if (seen)
                                        continue;
                                if (sb.len)
                                        strbuf_addstr(&sb, ", ");
                                strbuf_addstr(&sb, r->routes[i].r.method);
                        }
                        *ret_allow = strbuf_detach(&sb, NULL);
                }
                ret = -EMLINK;
        }
        for (size_t i = 0; i < decoded; i++)
                free(segs[i]);
        return ret;
}

/* ---- decoding ----------------------------------------------------------------------------- */

static int hexval(int c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int httpd_url_decode(const char *s, size_t len, bool plus_space, char **ret)
{
        struct strbuf sb = STRBUF_INIT;
        strbuf_grow(&sb, len);
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (c == '%' && i + 2 < len && hexval((unsigned char)s[i + 1]) >= 0 &&
                    hexval((unsigned char)s[i + 2]) >= 0) {
                        int v = hexval((unsigned char)s[i + 1]) * 16 +
                                hexval((unsigned char)s[i + 2]);
                        if (v == 0) {
                                strbuf_release(&sb);
                                return -EINVAL;
                        }
                        strbuf_addch(&sb, v);
                        i += 2;
                } else if (c == '+' && plus_space) {
                        strbuf_addch(&sb, ' ');
                } else if (c == '\0') {
                        strbuf_release(&sb);
                        return -EINVAL;
                } else {
                        /* A malformed escape stays literal, as Python's unquote keeps it. */
                        strbuf_addch(&sb, c);
                }
        }
        *ret = strbuf_detach(&sb, NULL);
        return 0;
}

/* ---- server and request state --------------------------------------------------------- */

struct httpd {
        char *name;
        struct MHD_Daemon *mhd;
        struct httpd_router *router;
        const struct httpd_hooks *hooks;
        void *hooks_data;
        bool tls;
        bool want_client_cert;
        bool require_client_cert;
        bool quiet;
        size_t max_body, max_url, max_header_bytes;
        unsigned max_headers;
        int port;
        char *bound_url;
        char *key_pem, *cert_pem, *ca_pem;
};

struct kv {
        char *key;
        char *value;
};

struct arena_block {
        struct arena_block *next;
        max_align_t data[];
};

struct deferred {
        struct deferred *next;
        void (*fn)(void *);
        void *p;
};

struct httpd_req {
        struct httpd *srv;
        struct MHD_Connection *conn;
        int64_t start_ms;
        char *raw_url;
        char *raw_path; /* encoded, as sent (or as rewritten) */
        char *path;     /* decoded, trailing '/' removed */
        char method[16];
        bool bad_url; /* undecodable request-target → 400 */
        struct kv *query;
        size_t n_query, alloc_query;
        struct kv *hov; /* header overrides (value NULL = hidden) */
        size_t n_hov, alloc_hov;
        const struct compiled_route *route;
        const char *param_names[HTTPD_MAX_PARAMS];
        char *param_values[HTTPD_MAX_PARAMS];
        size_t n_params;
        struct strbuf body;
        bool body_too_large;
        bool started;
        bool responded;
        char req_id[64];
        char *host_url;
        char *peer;
        char *cert_subject;
        bool cert_checked;
        /* response */
        int status;
        char *content_type;
        char *resp_body;
        size_t resp_len;
        struct kv *rh;
        size_t n_rh, alloc_rh;
        /* arena */
        struct arena_block *arena;
        struct deferred *deferred;
        void *ctx;
        void (*ctx_free)(void *);
};

/* ---- reason phrases (a table, not a switch) ---- */

static const struct {
        int status;
        const char *reason;
} reasons[] = {
        {100, "Continue"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {204, "No Content"},
        {300, "Multiple Choices"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {304, "Not Modified"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {406, "Not Acceptable"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {410, "Gone"},
        {411, "Length Required"},
        {412, "Precondition Failed"},
        {413, "Request Entity Too Large"},
        {414, "Request-URI Too Long"},
        {415, "Unsupported Media Type"},
        {422, "Unprocessable Entity"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
};

const char *httpd_reason(int status)
{
        for (size_t i = 0; i < ARRAY_SIZE(reasons); i++)
                if (reasons[i].status == status)
                        return reasons[i].reason;
        return "Unknown";
}

/* ---- request accessors ---- */

const char *httpd_req_method(const struct httpd_req *req)
{
        return req->method;
}

const char *httpd_req_path(const struct httpd_req *req)
{
        return req->path;
}

const char *httpd_req_raw_url(const struct httpd_req *req)
{
        return req->raw_url;
}

static void set_paths(struct httpd_req *req, const char *raw_path)
{
        free(req->raw_path);
        free(req->path);
        req->raw_path = xstrdup(raw_path);
        char *dec = NULL;
        if (httpd_url_decode(raw_path, strlen(raw_path), false, &dec) < 0) {
                req->bad_url = true;
                dec = xstrdup(raw_path);
        }
        size_t len = strlen(dec);
        while (len > 1 && dec[len - 1] == '/')
                dec[--len] = '\0';
        if (len == 0) {
                free(dec);
                dec = xstrdup("/");
        }
        req->path = dec;
}

void httpd_req_set_path(struct httpd_req *req, const char *path)
{
        set_paths(req, path);
}

const char *httpd_req_param(const struct httpd_req *req, const char *name)
{
        for (size_t i = 0; i < req->n_params; i++)
                if (streq(req->param_names[i], name))
                        return req->param_values[i];
        return NULL;
}

const struct httpd_route *httpd_req_route(const struct httpd_req *req)
{
        return req->route ? &req->route->r : NULL;
}

size_t httpd_req_query_count(const struct httpd_req *req)
{
        return req->n_query;
}

void httpd_req_query_at(const struct httpd_req *req, size_t i, const char **ret_key,
                        const char **ret_value)
{
        *ret_key = req->query[i].key;
        *ret_value = req->query[i].value;
}

const char *httpd_req_query(const struct httpd_req *req, const char *key)
{
        for (size_t i = 0; i < req->n_query; i++)
                if (streq(req->query[i].key, key))
                        return req->query[i].value;
        return NULL;
}

void httpd_req_set_header(struct httpd_req *req, const char *name, const char *value)
{
        for (size_t i = 0; i < req->n_hov; i++)
                if (strcaseeq(req->hov[i].key, name)) {
                        char *v = xstrdup_or_null(value); /* value may be the old one */
                        free(req->hov[i].value);
                        req->hov[i].value = v;
                        return;
                }
        req->hov = xgrow(req->hov, req->n_hov + 1, &req->alloc_hov, sizeof(*req->hov));
        req->hov[req->n_hov++] = (struct kv){xstrdup(name), xstrdup_or_null(value)};
}

const char *httpd_req_header(const struct httpd_req *req, const char *name)
{
        for (size_t i = 0; i < req->n_hov; i++)
                if (strcaseeq(req->hov[i].key, name))
                        return req->hov[i].value;
        if (!req->conn)
                return NULL;
        return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *httpd_req_body(const struct httpd_req *req, size_t *ret_len)
{
        if (ret_len)
                *ret_len = req->body.len;
        return req->body.buf;
}

const char *httpd_req_id(const struct httpd_req *req)
{
        return req->req_id;
}

const char *httpd_req_host_url(const struct httpd_req *req)
{
        return req->host_url ? req->host_url : req->srv->bound_url;
}

const char *httpd_req_peer(const struct httpd_req *req)
{
        return req->peer ? req->peer : "-";
}

static void check_client_cert(struct httpd_req *req)
{
        req->cert_checked = true;
        if (!req->srv->tls || !req->srv->want_client_cert || !req->conn)
                return;
        const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        if (!ci || !ci->tls_session)
                return;
        gnutls_session_t session = (gnutls_session_t)ci->tls_session;
        unsigned status = 0;
        if (gnutls_certificate_verify_peers2(session, &status) < 0 || status != 0)
                return;
        unsigned n = 0;
        const gnutls_datum_t *certs = gnutls_certificate_get_peers(session, &n);
        if (!certs || n == 0)
                return;
        gnutls_x509_crt_t crt;
        if (gnutls_x509_crt_init(&crt) < 0)
                return;
        gnutls_datum_t dn = {NULL, 0};
        if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) >= 0 &&
            gnutls_x509_crt_get_dn3(crt, &dn, 0) >= 0) {
                req->cert_subject = xstrndup((const char *)dn.data, dn.size);
                gnutls_free(dn.data);
        }
        gnutls_x509_crt_deinit(crt);
}

const char *httpd_req_client_cert_subject(const struct httpd_req *req)
{
        if (!req->cert_checked)
                check_client_cert((struct httpd_req *)req);
        return req->cert_subject;
}

/* ---- arena ---- */

void *httpd_req_alloc(struct httpd_req *req, size_t n)
{
        struct arena_block *b = xmalloc(sizeof(*b) + (n ? n : 1));
        b->next = req->arena;
        req->arena = b;
        memset(b->data, 0, n);
        return b->data;
}

char *httpd_req_strdup(struct httpd_req *req, const char *s)
{
        size_t n = strlen(s) + 1;
        char *p = httpd_req_alloc(req, n);
        memcpy(p, s, n);
        return p;
}

char *httpd_req_printf(struct httpd_req *req, const char *fmt, ...)
{
        struct strbuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        char *p = httpd_req_strdup(req, sb.buf);
        strbuf_release(&sb);
        return p;
}

void httpd_req_defer(struct httpd_req *req, void (*fn)(void *), void *p)
{
        struct deferred *d = xnew(struct deferred, 1);
        d->fn = fn;
        d->p = p;
        d->next = req->deferred;
        req->deferred = d;
}

void httpd_req_set_ctx(struct httpd_req *req, void *ctx, void (*free_fn)(void *))
{
        if (req->ctx && req->ctx_free)
                req->ctx_free(req->ctx);
        req->ctx = ctx;
        req->ctx_free = free_fn;
}

void *httpd_req_ctx(const struct httpd_req *req)
{
        return req->ctx;
}

/* ---- response ---- */

static ssize_t rh_find(const struct httpd_req *req, const char *name)
{
        for (size_t i = 0; i < req->n_rh; i++)
                if (strcaseeq(req->rh[i].key, name))
                        return (ssize_t)i;
        return -1;
}

void httpd_resp_add_header(struct httpd_req *req, const char *name, const char *value)
{
        req->rh = xgrow(req->rh, req->n_rh + 1, &req->alloc_rh, sizeof(*req->rh));
        req->rh[req->n_rh++] = (struct kv){xstrdup(name), xstrdup(value)};
}

void httpd_resp_del_header(struct httpd_req *req, const char *name)
{
        ssize_t i;
        while ((i = rh_find(req, name)) >= 0) {
                free(req->rh[i].key);
                free(req->rh[i].value);
                memmove(&req->rh[i], &req->rh[i + 1], (req->n_rh - i - 1) * sizeof(*req->rh));
                req->n_rh--;
        }
}

void httpd_resp_set_header(struct httpd_req *req, const char *name, const char *value)
{
        httpd_resp_del_header(req, name);
        httpd_resp_add_header(req, name, value);
}

const char *httpd_resp_header(const struct httpd_req *req, const char *name)
{
        ssize_t i = rh_find(req, name);
        return i >= 0 ? req->rh[i].value : NULL;
}

static void set_body(struct httpd_req *req, int status, const char *ctype, char *body, size_t len)
{
        free(req->resp_body);
        free(req->content_type);
        req->status = status;
        req->content_type = ctype ? xstrdup(ctype) : NULL;
        req->resp_body = body;
        req->resp_len = len;
}

int httpd_resp_json(struct httpd_req *req, int status, const json_t *j)
{
        struct strbuf sb = STRBUF_INIT;
        json_dump_strbuf(&sb, j, JSON_COMPACT);
        size_t len;
        char *b = strbuf_detach(&sb, &len);
        set_body(req, status, "application/json", b, len);
        return 0;
}

int httpd_resp_body(struct httpd_req *req, int status, const char *content_type, const void *body,
                    size_t len)
{
        char *b = xmalloc(len + 1);
        if (len)
                memcpy(b, body, len);
        b[len] = '\0';
        set_body(req, status, content_type, b, len);
        return 0;
}

int httpd_resp_body_take(struct httpd_req *req, int status, const char *content_type, char *body,
                         size_t len)
{
        set_body(req, status, content_type, body, len);
        return 0;
}

const char *httpd_resp_body_get(const struct httpd_req *req, size_t *ret_len)
{
        *ret_len = req->resp_len;
        return req->resp_body;
}

int httpd_resp_empty(struct httpd_req *req, int status)
{
        set_body(req, status, NULL, NULL, 0);
        return 0;
}

int httpd_resp_status(const struct httpd_req *req)
{
        return req->status;
}

static void default_error(struct httpd_req *req, int status, const char *detail_in)
{
        _cleanup_free_ char *detail = utf8_sanitize(detail_in);
        json_auto_t *j =
                json_checked(json_pack("{s:{s:i,s:s,s:s}}", "error", "code", status, "title",
                                       httpd_reason(status), "message", detail ? detail : ""));
        httpd_resp_json(req, status, j);
}

int httpd_resp_error(struct httpd_req *req, int status, const char *detail)
{
        const struct httpd_hooks *h = req->srv->hooks;
        if (h && h->error)
                h->error(req, status, detail, req->srv->hooks_data);
        if (!h || !h->error || req->status == 0)
                default_error(req, status, detail);
        return 0;
}

/* ---- request lifecycle ---- */

static void req_free(struct httpd_req *req)
{
        if (!req)
                return;
        while (req->deferred) {
                struct deferred *d = req->deferred;
                req->deferred = d->next;
                d->fn(d->p);
                free(d);
        }
        if (req->ctx && req->ctx_free)
                req->ctx_free(req->ctx);
        while (req->arena) {
                struct arena_block *b = req->arena;
                req->arena = b->next;
                free(b);
        }
        for (size_t i = 0; i < req->n_query; i++) {
                free(req->query[i].key);
                free(req->query[i].value);
        }
        free(req->query);
        for (size_t i = 0; i < req->n_hov; i++) {
                free(req->hov[i].key);
                free(req->hov[i].value);
        }
        free(req->hov);
        for (size_t i = 0; i < req->n_rh; i++) {
                free(req->rh[i].key);
                free(req->rh[i].value);
        }
        free(req->rh);
        for (size_t i = 0; i < req->n_params; i++)
                free(req->param_values[i]);
        strbuf_release(&req->body);
        free(req->raw_url);
        free(req->raw_path);
        free(req->path);
        free(req->host_url);
        free(req->peer);
        free(req->cert_subject);
        free(req->content_type);
        free(req->resp_body);
        free(req);
}

static void parse_query(struct httpd_req *req, const char *qs)
{
        const char *p = qs;
        while (*p) {
                const char *end = strchr(p, '&');
                size_t len = end ? (size_t)(end - p) : strlen(p);
                if (len > 0) {
                        const char *eq = memchr(p, '=', len);
                        size_t klen = eq ? (size_t)(eq - p) : len;
                        char *k = NULL, *v = NULL;
                        if (httpd_url_decode(p, klen, true, &k) < 0 ||
                            httpd_url_decode(eq ? eq + 1 : "", eq ? len - klen - 1 : 0, true, &v) <
                                    0) {
                                free(k);
                                free(v);
                                req->bad_url = true;
                        } else {
                                req->query = xgrow(req->query, req->n_query + 1, &req->alloc_query,
                                                   sizeof(*req->query));
                                req->query[req->n_query++] = (struct kv){k, v};
                        }
                }
                if (!end)
                        break;
                p = end + 1;
        }
}

/* MHD's URI log callback: the first thing called for a request, with the raw target. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
        struct httpd *srv = cls;
        struct httpd_req *req = xnew(struct httpd_req, 1);
        req->srv = srv;
        req->conn = conn;
        req->start_ms = time_mono_ms();
        req->body = (struct strbuf)STRBUF_INIT;
        req->raw_url = xstrdup(uri ? uri : "/");
        return req;
}

static bool valid_req_id(const char *s)
{
        return s && strlen(s) == 40 && str_starts_with(s, "req-") && uuid_is_like(s + 4) &&
               strchr(s + 4, '-') != NULL;
}

struct hdr_count {
        unsigned n;
        size_t bytes;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind _unused_, const char *key,
                                    const char *value)
{
        struct hdr_count *c = cls;
        c->n++;
        c->bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
        return MHD_YES;
}

/* A Host header we are willing to echo into links: printable ASCII, no path or quoting. */
static bool host_ok(const char *h)
{
        for (const char *p = h; *p; p++)
                if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
                    strchr("/\\\"<>'`{}|^", *p))
                        return false;
        return strlen(h) <= 255;
}

/* Request set-up on the first access-handler call (headers are all there). Returns 0 to go
 * on, or an HTTP status to answer with at once. */
static int req_begin(struct httpd_req *req, const char *method)
{
        struct httpd *srv = req->srv;
        snprintf(req->method, sizeof(req->method), "%s", method);

        const char *given =
                MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-OpenStack-Request-Id");
        if (valid_req_id(given)) {
                snprintf(req->req_id, sizeof(req->req_id), "%s", given);
                for (char *c = req->req_id; *c; c++)
                        if (*c >= 'A' && *c <= 'Z')
                                *c = (char)(*c - 'A' + 'a');
        } else {
                request_id_generate(req->req_id);
        }
        log_set_request_id(req->req_id);

        const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr) {
                char buf[INET6_ADDRSTRLEN] = "";
                const struct sockaddr *sa = ci->client_addr;
                if (sa->sa_family == AF_INET)
                        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf,
                                  sizeof(buf));
                else if (sa->sa_family == AF_INET6)
                        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
                                  sizeof(buf));
                req->peer = xstrdup(buf);
        }

        const char *host = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Host");
        if (host && *host && host_ok(host))
                req->host_url = xasprintf("%s://%s", srv->tls ? "https" : "http", host);

        /* Split the raw target into path and query. Absolute-form targets keep only the path. */
        const char *target = req->raw_url;
        if (strncasecmp(target, "http://", 7) == 0 || strncasecmp(target, "https://", 8) == 0) {
                const char *p = strchr(strstr(target, "//") + 2, '/');
                target = p ? p : "/";
        }
        const char *q = strchr(target, '?');
        _cleanup_free_ char *raw_path =
                q ? xstrndup(target, (size_t)(q - target)) : xstrdup(target);
        set_paths(req, raw_path[0] ? raw_path : "/");
        if (q)
                parse_query(req, q + 1);

        if (strlen(req->raw_url) > srv->max_url)
                return 414;
        struct hdr_count hc = {0, 0};
        MHD_get_connection_values(req->conn, MHD_HEADER_KIND, count_header, &hc);
        if (hc.n > srv->max_headers || hc.bytes > srv->max_header_bytes)
                return 431;
        const char *cl = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Content-Length");
        long long clen = 0;
        if (cl && str_to_ll(cl, 0, LLONG_MAX, &clen) == 0 && (size_t)clen > srv->max_body)
                return 413;
        if (req->bad_url)
                return 400;
        return 0;
}

static void run_request(struct httpd_req *req)
{
        struct httpd *srv = req->srv;
        const struct httpd_hooks *h = srv->hooks;
        int r;

        if (srv->require_client_cert && !httpd_req_client_cert_subject(req)) {
                httpd_resp_error(req, 401, "A verified client certificate is required.");
                return;
        }
        if (h && h->before_route) {
                r = h->before_route(req, srv->hooks_data);
                if (r > 0 && req->status)
                        return;
                if (r < 0) {
                        log_error_errno(r, "event=http_hook_failed hook=before_route");
                        httpd_resp_error(req, 500,
                                         "The server has either erred or is "
                                         "incapable of performing the requested operation.");
                        return;
                }
        }
        if (req->bad_url) {
                httpd_resp_error(req, 400, "The request URL could not be decoded.");
                return;
        }
        _cleanup_free_ char *allow = NULL;
        r = httpd_router_match(srv->router, req->method, req->raw_path, req->param_names,
                               req->param_values, HTTPD_MAX_PARAMS, &req->n_params, &allow);
        if (r < 0 && streq(req->method, "HEAD")) {
                /* HEAD is GET without the body (MHD drops it), unless a HEAD route exists. */
                free(allow);
                allow = NULL;
                r = httpd_router_match(srv->router, "GET", req->raw_path, req->param_names,
                                       req->param_values, HTTPD_MAX_PARAMS, &req->n_params, &allow);
        }
        if (r == -EMLINK) {
                httpd_resp_set_header(req, "Allow", allow);
                httpd_resp_error(req, 405, "The method is not allowed for the requested URL.");
                return;
        }
        if (r < 0) {
                httpd_resp_error(req, 404, "The resource could not be found.");
                return;
        }
        req->route = &srv->router->routes[r];
        if (h && h->before_handler) {
                r = h->before_handler(req, &req->route->r, srv->hooks_data);
                if (r > 0 && req->status)
                        return;
                if (r < 0) {
                        log_error_errno(r, "event=http_hook_failed hook=before_handler");
                        httpd_resp_error(req, 500,
                                         "The server has either erred or is "
                                         "incapable of performing the requested operation.");
                        return;
                }
        }
        r = req->route->r.handler(req, req->route->r.data);
        if (r < 0 && req->status == 0) {
                log_error_errno(r, "event=http_handler_failed method=%s path=%s", req->method,
                                req->path);
                httpd_resp_error(req, 500,
                                 "The server has either erred or is incapable of "
                                 "performing the requested operation.");
        } else if (req->status == 0) {
                log_error("event=http_handler_no_response method=%s path=%s", req->method,
                          req->path);
                httpd_resp_error(req, 500,
                                 "The server has either erred or is incapable of "
                                 "performing the requested operation.");
        }
}

static enum MHD_Result send_response(struct httpd_req *req)
{
        /* The body is handed over to MHD (freed with free() once sent), not copied. */
        struct MHD_Response *resp =
                req->resp_body
                        ? MHD_create_response_from_buffer(req->resp_len, req->resp_body,
                                                          MHD_RESPMEM_MUST_FREE)
                        : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (!resp)
                return MHD_NO;
        req->resp_body = NULL;
        bool have_ctype = false;
        for (size_t i = 0; i < req->n_rh; i++) {
                if (strcaseeq(req->rh[i].key, "Content-Type"))
                        have_ctype = true;
                MHD_add_response_header(resp, req->rh[i].key, req->rh[i].value);
        }
        if (req->content_type && !have_ctype)
                MHD_add_response_header(resp, "Content-Type", req->content_type);
        MHD_add_response_header(resp, "X-OpenStack-Request-Id", req->req_id);
        enum MHD_Result ret = MHD_queue_response(req->conn, (unsigned)req->status, resp);
        MHD_destroy_response(resp);
        req->responded = true;
        return ret;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url _unused_,
                                 const char *method, const char *version _unused_,
                                 const char *upload_data, size_t *upload_data_size, void **con_cls)
{
        struct httpd *srv = cls;
        struct httpd_req *req = *con_cls;
        if (!req) /* no URI callback happened (should not): make one */
                req = *con_cls = on_uri(srv, url, conn);
        req->conn = conn;

        if (!req->started) {
                req->started = true;
                int st = req_begin(req, method);
                if (st) {
                        const char *msg = st == 414   ? "The request URL is too long."
                                          : st == 431 ? "Too many or too large request headers."
                                          : st == 413 ? "The request body is too large."
                                                      : "The request URL could not be decoded.";
                        /* 400 (undecodable URL) goes through before_route first, which may
                         * answer otherwise (e.g. 406s), then run_request answers 400. */
                        if (st != 400) {
                                httpd_resp_error(req, st, msg);
                                return send_response(req);
                        }
                }
                return MHD_YES;
        }
        log_set_request_id(req->req_id);
        if (*upload_data_size) {
                if (!req->body_too_large) {
                        if (req->body.len + *upload_data_size > srv->max_body)
                                req->body_too_large = true;
                        else
                                strbuf_add(&req->body, upload_data, *upload_data_size);
                }
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (req->responded)
                return MHD_YES;
        if (req->body_too_large) {
                httpd_resp_error(req, 413, "The request body is too large.");
                return send_response(req);
        }
        run_request(req);
        return send_response(req);
}

static void on_completed(void *cls _unused_, struct MHD_Connection *conn _unused_, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
        struct httpd_req *req = *con_cls;
        if (!req)
                return;
        *con_cls = NULL;
        if (req->started) {
                struct httpd *srv = req->srv;
                log_set_request_id(req->req_id);
                if (!srv->quiet)
                        log_info("event=http_access server=%s peer=%s method=%s path=\"%s\" "
                                 "status=%d dur_ms=%lld%s",
                                 srv->name, httpd_req_peer(req), req->method,
                                 req->path ? req->path : "-", req->status,
                                 (long long)(time_mono_ms() - req->start_ms),
                                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
                if (srv->hooks && srv->hooks->done)
                        srv->hooks->done(req, srv->hooks_data);
        }
        req_free(req);
        log_set_request_id(NULL);
}

/* ---- start / stop ---- */

static int read_file(const char *path, char **ret, struct err *e)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return err_set(e, -errno, "cannot open %s: %s", path, strerror(errno));
        struct strbuf sb = STRBUF_INIT;
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
                strbuf_add(&sb, buf, n);
                if (sb.len > 1024 * 1024) {
                        strbuf_release(&sb);
                        return err_set(e, -EFBIG, "%s is too large", path);
                }
        }
        if (!strstr(sb.buf, "-----BEGIN")) {
                strbuf_release(&sb);
                return err_set(e, -EBADMSG, "%s is not PEM", path);
        }
        *ret = strbuf_detach(&sb, NULL);
        return 0;
}

static int pem_or_file(const char *pem, const char *path, char **ret, struct err *e)
{
        if (!pem)
                return read_file(path, ret, e);
        if (!strstr(pem, "-----BEGIN"))
                return err_set(e, -EBADMSG, "TLS material given in memory is not PEM");
        *ret = xstrdup(pem);
        return 0;
}

static void httpd_free(struct httpd *h)
{
        if (!h)
                return;
        httpd_router_free(h->router);
        free(h->name);
        free(h->bound_url);
        if (h->key_pem)
                explicit_bzero(h->key_pem, strlen(h->key_pem));
        free(h->key_pem);
        free(h->cert_pem);
        free(h->ca_pem);
        free(h);
}
DEFINE_CLEANUP_FUNC(struct httpd, httpd_free)

static int open_listener(const char *host, int port, int *ret_fd, struct err *e)
{
        struct sockaddr_storage ss = {0};
        socklen_t sl;
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
                s4->sin_family = AF_INET;
                s4->sin_port = htons((uint16_t)port);
                sl = sizeof(*s4);
        } else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons((uint16_t)port);
                sl = sizeof(*s6);
        } else {
                return err_set(e, -EINVAL, "listen address '%s' is not an IP address", host);
        }
        _cleanup_close_ int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return err_set(e, -errno, "socket: %s", strerror(errno));
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
                return err_set(e, -errno, "cannot bind %s:%d: %s", host, port, strerror(errno));
        if (listen(fd, 512) < 0)
                return err_set(e, -errno, "listen %s:%d: %s", host, port, strerror(errno));
        struct sockaddr_storage got;
        socklen_t gl = sizeof(got);
        if (getsockname(fd, (struct sockaddr *)&got, &gl) == 0)
                *ret_fd = TAKE_FD(fd);
        else
                return err_set(e, -errno, "getsockname: %s", strerror(errno));
        return ntohs(got.ss_family == AF_INET ? ((struct sockaddr_in *)&got)->sin_port
                                              : ((struct sockaddr_in6 *)&got)->sin6_port);
}

int httpd_start(const struct httpd_opts *o, struct httpd **ret, struct err *e)
{
        int r;
        _cleanup_(httpd_freep) struct httpd *h = xnew(struct httpd, 1);
        h->name = xstrdup(o->name ? o->name : "httpd");
        h->hooks = o->hooks;
        h->hooks_data = o->hooks_data;
        h->quiet = o->quiet;
        h->max_body = o->max_body_bytes ? o->max_body_bytes : 1024 * 1024;
        h->max_url = o->max_url_bytes ? o->max_url_bytes : 8192;
        h->max_headers = o->max_headers ? o->max_headers : 100;
        h->max_header_bytes = o->max_header_bytes ? o->max_header_bytes : 32 * 1024;
        if (o->port < 0 || o->port > 65535)
                return err_set(e, -EINVAL, "port %d out of range", o->port);
        r = httpd_router_new(o->routes, o->n_routes, &h->router, e);
        if (r < 0)
                return r;

        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
        if (o->threads == 0)
                flags |= MHD_USE_THREAD_PER_CONNECTION;
        else
                flags |= MHD_USE_AUTO;
        if (o->tls) {
                const struct httpd_tls *t = o->tls;
                if ((!t->cert_pem && !t->cert_file) || (!t->key_pem && !t->key_file))
                        return err_set(e, -EINVAL, "TLS needs a certificate and a key");
                if ((r = pem_or_file(t->cert_pem, t->cert_file, &h->cert_pem, e)) < 0 ||
                    (r = pem_or_file(t->key_pem, t->key_file, &h->key_pem, e)) < 0)
                        return r;
                if (t->client_ca_pem || t->client_ca_file) {
                        r = pem_or_file(t->client_ca_pem, t->client_ca_file, &h->ca_pem, e);
                        if (r < 0)
                                return r;
                        h->want_client_cert = true;
                        h->require_client_cert = o->tls->require_client_cert;
                }
                h->tls = true;
                flags |= MHD_USE_TLS;
        }
        const char *host = o->host ? o->host : "127.0.0.1";
        int fd = -1;
        r = open_listener(host, o->port, &fd, e);
        if (r < 0)
                return r;
        h->port = r;
        h->bound_url = strchr(host, ':')
                               ? xasprintf("%s://[%s]:%d", h->tls ? "https" : "http", host, r)
                               : xasprintf("%s://%s:%d", h->tls ? "https" : "http", host, r);

        struct MHD_OptionItem opts[16];
        size_t n = 0;
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, fd, NULL};
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, h};
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, h};
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT,
                                            o->max_connections ? o->max_connections : 512, NULL};
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT,
                                            o->idle_timeout_s ? o->idle_timeout_s : 60, NULL};
        /* MHD keeps the request line and headers in this per-connection pool, so it is what
         * bounds them at the socket level (MHD answers 431/414 itself when exceeded). */
        opts[n++] = (struct MHD_OptionItem){
                MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                (intptr_t)(MAX(h->max_header_bytes, h->max_url) + 16 * 1024), NULL};
        if (o->threads > 0)
                opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, o->threads, NULL};
        if (h->tls) {
                opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert_pem};
                opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, h->key_pem};
                if (h->ca_pem)
                        opts[n++] =
                                (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, h->ca_pem};
        }
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

        h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_access, h, MHD_OPTION_ARRAY, opts,
                                  MHD_OPTION_END);
        if (!h->mhd) {
                close(fd);
                return err_set(e, h->tls ? -EBADMSG : -EIO,
                               "libmicrohttpd could not start %s on %s:%d%s", h->name, host,
                               h->port, h->tls ? " (check the TLS certificate and key)" : "");
        }
        log_debug("event=http_listen server=%s url=%s", h->name, h->bound_url);
        *ret = TAKE_PTR(h);
        return 0;
}

int httpd_port(const struct httpd *h)
{
        return h->port;
}

void httpd_stop(struct httpd *h)
{
        if (!h)
                return;
        if (h->mhd)
                MHD_stop_daemon(h->mhd);
        httpd_free(h);
}
