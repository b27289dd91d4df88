/*
 * httpd: the HTTP server every process uses (magnum-api, magnum-sim's five services and its
 * emulated COE endpoints, the conductor's Heat API). A thin layer over libmicrohttpd:
 *
 *   - a route TABLE of {method, pattern, handler, data, meta}; patterns have named segments,
 *     "/v1/clusters/{id}/nodegroups/{ng}"; a trailing '/' on the request path is ignored; a path
 *     that matches a pattern only under another method gets 405 + Allow (decided here); HEAD
 *     falls back to the GET route (the body is not sent);
 *   - one `struct httpd_req` per request holding the parsed request (method, path, percent-
 *     decoded query args with repeated keys kept in order, case-insensitive headers, body bounded
 *     by max_body_bytes → 413, path params) and the response being built; it owns an arena
 *     (httpd_req_alloc / httpd_req_strdup / httpd_req_defer) released when the response has been
 *     sent, so handlers can return early without leaking;
 *   - `X-OpenStack-Request-Id: req-<uuid>` on every response (taken from the request header when it
 *     is a well-formed req-<uuid>, else generated), set as the thread's log request id while the
 *     request runs, and one access-log line per request;
 *   - limits on URL length (414), header count / bytes (431), body bytes (413);
 *   - thread-per-connection (blocking handlers are fine: DB, Keystone, RPC calls) or a fixed
 *     thread pool, HTTP/1.1 keep-alive, optional TLS via GnuTLS with client-certificate
 *     verification (the verified subject DN is exposed to handlers);
 *   - hooks so a service can run middleware (auth, microversions) and render framework errors
 *     (404/405/413/...) in its own error format.
 *
 *   static int get_cluster(struct httpd_req *req, void *data)
 *   {
 *           const char *id = httpd_req_param(req, "id");
 *           json_auto_t *j = ...;
 *           return httpd_resp_json(req, 200, j);
 *   }
 *   static const struct httpd_route routes[] = {
 *           {"GET", "/v1/clusters/{id}", get_cluster, NULL, NULL},
 *   };
 *   struct httpd_opts o = {.name = "magnum-api", .host = "127.0.0.1", .port = 9511,
 *                          .routes = routes, .n_routes = ARRAY_SIZE(routes)};
 *   r = httpd_start(&o, &srv, &e);  ...  httpd_stop(srv);
 *
 * Thread safety: handlers run concurrently on several threads; a `struct httpd_req` belongs to
 * the one thread running its handler. The route table and hook data are shared read-only.
 */
#ifndef MC_HTTPD_H
#define MC_HTTPD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

struct httpd;
struct httpd_req;

/* A handler (or hook) fills the response with the httpd_resp_* helpers and returns >= 0.
 * Returning < 0 without having set a response makes the server answer 500 through the error
 * hook (the errno is logged, never shown). Handlers must not keep `req` after returning. */
typedef int (*httpd_handler_fn)(struct httpd_req *req, void *data);

struct httpd_route {
        const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", ... */
        /* '/'-separated literal segments and "{name}" segments matching exactly one non-empty
         * segment (percent-decoded, so "{id}" may contain '/' when sent as %2F). A final "{name*}"
         * matches the rest of the path (one or more segments, joined by '/'). Literal segments
         * win over named ones at the same position, so "/v1/clusters/detail" may sit beside
         * "/v1/clusters/{id}" in any order. */
        const char *pattern;
        httpd_handler_fn handler;
        void *data;       /* passed to the handler */
        const void *meta; /* opaque per-route data for hooks (e.g. api's min microversion,
                           * "public" flag); httpd never reads it */
};

/* Middleware and error rendering; every member optional. `data` is httpd_opts.hooks_data. */
struct httpd_hooks {
        /* After the request is read and its request id set, before routing. May rewrite the
         * path (httpd_req_set_path), set response headers that every answer must carry, or
         * answer itself (set a response and return > 0: routing and the handler are skipped). */
        int (*before_route)(struct httpd_req *req, void *data);
        /* After a route matched (route->meta available), before its handler. Same return
         * convention: > 0 with a response set means "answered" (e.g. 401, 403, 406). */
        int (*before_handler)(struct httpd_req *req, const struct httpd_route *route, void *data);
        /* Renders an error the framework decided: 400 (malformed request), 404 (no route),
         * 405 (the `Allow` header is already set), 413, 414, 431, 500 (handler failed), 503.
         * `detail` is a human sentence. Must set a response. Without this hook the server
         * answers {"error": {"code": N, "title": "<reason>", "message": "<detail>"}}. */
        void (*error)(struct httpd_req *req, int status, const char *detail, void *data);
        /* Called after the response has been queued, for metrics; must not touch the response. */
        void (*done)(struct httpd_req *req, void *data);
};

struct httpd_tls {
        const char *cert_file; /* server certificate chain, PEM file */
        const char *key_file;  /* its private key, PEM file (unencrypted) */
        /* CA bundle (PEM file) to verify client certificates against; NULL = don't ask. */
        const char *client_ca_file;
        /* The same as PEM text held in memory (e.g. certificates issued at run time); each
         * takes precedence over its *_file. A certificate and a key are required either way. */
        const char *cert_pem;
        const char *key_pem;
        const char *client_ca_pem;
        /* When true (and a client CA set), a request without a verified client certificate
         * is answered 401 through the error hook before routing. */
        bool require_client_cert;
};

struct httpd_opts {
        const char *name; /* used in log lines: "magnum-api", "nova", "k8s-127.1.0.5" */
        const char *host; /* IPv4/IPv6 literal to bind; NULL = "127.0.0.1" */
        int port;         /* 0 = ephemeral (read it back with httpd_port) */
        /* 0 = thread per connection (default; blocking handlers never stall other clients);
         * N > 0 = a pool of N polling threads (cheap, for many idle listeners such as the
         * sim's emulated COE endpoints, whose handlers never block). */
        unsigned threads;
        unsigned max_connections;         /* 0 = 512 */
        unsigned idle_timeout_s;          /* keep-alive idle timeout; 0 = 60 */
        size_t max_body_bytes;            /* 0 = 1 MiB; larger body → 413 */
        size_t max_url_bytes;             /* 0 = 8192; longer request-target → 414 */
        unsigned max_headers;             /* 0 = 100; more request headers → 431 */
        size_t max_header_bytes;          /* 0 = 32 KiB total header bytes → 431 */
        bool quiet;                       /* no access-log lines (benchmarks) */
        const struct httpd_route *routes; /* copied by httpd_start */
        size_t n_routes;
        const struct httpd_hooks *hooks; /* NULL = none; must outlive the server */
        void *hooks_data;
        const struct httpd_tls *tls; /* NULL = plain HTTP; files are read at start */
};

/* Starts listening and serving. Errors: -EINVAL bad options or route pattern (message names
 * it), -EADDRINUSE / -EACCES bind failures, -ENOENT / -EBADMSG for unreadable / invalid TLS
 * files. On success *ret owns the server: stop it with httpd_stop. */
int httpd_start(const struct httpd_opts *o, struct httpd **ret, struct err *e);
/* The port actually bound (useful with port 0). */
int httpd_port(const struct httpd *h);
/* Stops accepting, lets in-flight handlers finish, closes every connection and frees h.
 * NULL is ok. Must not be called from a handler. */
void httpd_stop(struct httpd *h);

/* ---- the request --------------------------------------------------------------------- */

const char *httpd_req_method(const struct httpd_req *req);
/* The percent-decoded path without query and without trailing '/' ("/" stays "/"). */
const char *httpd_req_path(const struct httpd_req *req);
/* The request-target exactly as received (path + '?' + query, still encoded). */
const char *httpd_req_raw_url(const struct httpd_req *req);
/* Replaces the path used for routing (before_route only; percent-encoded form, as sent);
 * httpd_req_path then returns its decoded form. Copied. */
void httpd_req_set_path(struct httpd_req *req, const char *path);
/* A named segment of the matched route ("{id}" → "id"); NULL when absent. */
const char *httpd_req_param(const struct httpd_req *req, const char *name);
/* The matched route, NULL before routing or when none matched. */
const struct httpd_route *httpd_req_route(const struct httpd_req *req);

/* Query arguments, percent- and '+'-decoded, in the order sent. "?a" gives value "". */
size_t httpd_req_query_count(const struct httpd_req *req);
/* The i-th argument (i < count). */
void httpd_req_query_at(const struct httpd_req *req, size_t i, const char **ret_key,
                        const char **ret_value);
/* The FIRST value of key, or NULL when absent. */
const char *httpd_req_query(const struct httpd_req *req, const char *key);

/* A request header by case-insensitive name (the first when repeated); NULL when absent. */
const char *httpd_req_header(const struct httpd_req *req, const char *name);
/* Overrides a request header as later httpd_req_header calls see it; value NULL hides it.
 * For middleware that derives headers (auth middleware strips client-sent X-User-Id/X-Roles/...
 * and sets them from the validated token, as keystonemiddleware does). Copied. */
void httpd_req_set_header(struct httpd_req *req, const char *name, const char *value);
/* The body bytes (NUL-terminated for convenience; may contain NULs); len 0 when none. */
const char *httpd_req_body(const struct httpd_req *req, size_t *ret_len);
/* "req-<uuid>", also in the response's X-OpenStack-Request-Id and the thread's log id. */
const char *httpd_req_id(const struct httpd_req *req);
/* "http://host:port" or "https://..." from the Host header (the bound address when absent),
 * for building links. */
const char *httpd_req_host_url(const struct httpd_req *req);
/* Peer address as text ("127.0.0.1"). */
const char *httpd_req_peer(const struct httpd_req *req);
/* The verified client certificate's subject DN ("CN=admin,O=system:masters"), or NULL when
 * the connection is not TLS, no certificate was sent, or it did not verify. */
const char *httpd_req_client_cert_subject(const struct httpd_req *req);

/* Per-request arena: memory freed after the response is sent. Never returns NULL. */
void *httpd_req_alloc(struct httpd_req *req, size_t n);
char *httpd_req_strdup(struct httpd_req *req, const char *s);
char *httpd_req_printf(struct httpd_req *req, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Runs fn(p) when the request ends (in reverse order of registration). */
void httpd_req_defer(struct httpd_req *req, void (*fn)(void *), void *p);
/* One slot for middleware state (e.g. api's request context), freed with free_fn at the end. */
void httpd_req_set_ctx(struct httpd_req *req, void *ctx, void (*free_fn)(void *));
void *httpd_req_ctx(const struct httpd_req *req);

/* ---- the response -------------------------------------------------------------------- */
/* The helpers below replace any body set earlier; headers accumulate. All return 0 so a
 * handler can `return httpd_resp_json(...)`. */

/* Sets (replaces, case-insensitively) a response header. Values are copied. */
void httpd_resp_set_header(struct httpd_req *req, const char *name, const char *value);
/* Appends a header even if one of that name exists (Set-Cookie style). */
void httpd_resp_add_header(struct httpd_req *req, const char *name, const char *value);
/* Removes a response header (no-op when absent). */
void httpd_resp_del_header(struct httpd_req *req, const char *name);
/* A response header already set, NULL when none. */
const char *httpd_resp_header(const struct httpd_req *req, const char *name);
/* Status `status`, Content-Type application/json, body = compact dump of j (borrowed). */
int httpd_resp_json(struct httpd_req *req, int status, const json_t *j);
/* Status and a body of `len` bytes copied from body, with the given Content-Type. */
int httpd_resp_body(struct httpd_req *req, int status, const char *content_type, const void *body,
                    size_t len);
/* Like httpd_resp_body, taking over body (malloc'd, len bytes plus a NUL) instead of copying. */
int httpd_resp_body_take(struct httpd_req *req, int status, const char *content_type, char *body,
                         size_t len);
/* The response body set so far (NULL and 0 when none); valid until the body changes. */
const char *httpd_resp_body_get(const struct httpd_req *req, size_t *ret_len);
/* Status with an empty body (204, 202 without body, ...). */
int httpd_resp_empty(struct httpd_req *req, int status);
/* Renders an error through the server's error hook (or the default body). */
int httpd_resp_error(struct httpd_req *req, int status, const char *detail);
/* The status set so far, 0 when no response was set. */
int httpd_resp_status(const struct httpd_req *req);
/* The HTTP reason phrase of a status ("Not Found"); "Unknown" for unknown codes. */
const char *httpd_reason(int status);

/* ---- pieces exposed for unit tests and reuse ------------------------------------------ */

/* Percent-decodes s[0..len) into a new string (caller frees); '+' becomes ' ' when plus_space.
 * A malformed escape ("%zz", "%4") is kept literally, as Python's unquote does. -EINVAL when
 * the result would contain a NUL (%00). */
int httpd_url_decode(const char *s, size_t len, bool plus_space, char **ret);

struct httpd_router;
/* Compiles a route table (copied). -EINVAL with a message for a malformed pattern. */
int httpd_router_new(const struct httpd_route *routes, size_t n, struct httpd_router **ret,
                     struct err *e);
void httpd_router_free(struct httpd_router *r);
/* Matches method + path (the still percent-encoded path: it is split on '/' first, then each
 * segment is decoded, so %2F stays inside a segment; trailing '/' ignored). On a match
 * returns the route index >= 0 and fills ret_names[i] (pointing into the router) and
 * ret_values[i] (malloc'd: caller frees each) for up to max_params named segments, count in
 * *ret_n_params. -ENOENT: no pattern matches the path. -EMLINK: the path matches only under
 * other methods; *ret_allow gets e.g. "GET, POST" (caller frees). ret_allow may be NULL. */
int httpd_router_match(const struct httpd_router *r, const char *method, const char *path,
                       const char **ret_names, char **ret_values, size_t max_params,
                       size_t *ret_n_params, char **ret_allow);

#endif
