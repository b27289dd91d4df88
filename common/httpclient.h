/*
 * httpclient: HTTP(S) requests over libcurl (GnuTLS flavour) for Keystone, the cloud APIs
 * (Nova, Neutron, ... or magnum-sim), COE health polling over mutual TLS.
 *
 * A request is a plain description (`struct http_request`, all borrowed pointers) and a
 * response is a plain result (`struct http_response`, owned by the caller). This first engine
 * is blocking: http_perform() runs one request on the calling thread and is thread-safe
 * (curl_global_init runs once; each thread reuses its own easy handle, so consecutive calls
 * from one thread to the same host share a kept-alive connection).
 *
 * The non-blocking engine (struct http_multi, below) drives many transfers on one thread (the
 * Heat engine has hundreds of requests in flight): it takes the same `struct http_request`,
 * delivers the same `struct http_response` to a completion callback from http_multi_run(), and
 * shares with http_perform the one function that configures a CURL easy handle from a request,
 * so timeouts, TLS, size limits and errno mapping behave the same in both.
 *
 *   struct http_request rq = {.method = "GET", .url = url, .headers = hdrs};
 *   _cleanup_(http_response_release) struct http_response resp = HTTP_RESPONSE_INIT;
 *   r = http_perform(&rq, &resp, &e);
 *   if (r < 0) ...                      // transport failure: no HTTP status
 *   if (resp.status == 200) ... resp.body.buf ...
 */
#ifndef MC_HTTPCLIENT_H
#define MC_HTTPCLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "common/strbuf.h"

#define HTTP_DEFAULT_TIMEOUT_MS   30000
#define HTTP_DEFAULT_MAX_RESPONSE (16 * 1024 * 1024)

struct http_request {
        const char *method; /* NULL = "GET" */
        const char *url;    /* absolute http:// or https:// URL */
        /* NULL-terminated list of "Name: value" lines; NULL = none. A body without a
         * Content-Type header is sent as application/json. */
        const char *const *headers;
        const char *body;        /* NULL = no body */
        size_t body_len;         /* bytes of body (body may contain NULs) */
        long timeout_ms;         /* whole request; 0 = HTTP_DEFAULT_TIMEOUT_MS */
        long connect_timeout_ms; /* 0 = min(timeout, 10 s) */
        /* TLS: CA bundle to verify the server against (NULL = system store), client
         * certificate + key for mutual TLS (PEM files), or no verification at all. */
        const char *ca_file;
        const char *client_cert_file;
        const char *client_key_file;
        /* The same as PEM text in memory (each takes precedence over its *_file): written to
         * a private 0700 temporary directory for the transfer and removed after it, since
         * libcurl's GnuTLS backend only reads files. */
        const char *ca_pem;
        const char *client_cert_pem;
        const char *client_key_pem;
        bool insecure;
        size_t max_response_bytes; /* 0 = HTTP_DEFAULT_MAX_RESPONSE; more → -EFBIG */
};

struct http_header {
        char *name;
        char *value;
};

struct http_response {
        int status;                  /* HTTP status, 0 when no response arrived */
        struct http_header *headers; /* in order received, final response only */
        size_t n_headers;
        struct strbuf body; /* NUL-terminated */
};
#define HTTP_RESPONSE_INIT                                                                         \
        {                                                                                          \
                0, NULL, 0, STRBUF_INIT                                                            \
        }

/* Once per process before threads start (idempotent and thread-safe anyway: http_perform
 * calls it too). */
void http_global_init(void);

/* Performs one request, blocking. Any HTTP status (including 4xx/5xx) returns 0 with
 * ret->status set; ret must be HTTP_RESPONSE_INIT or released (it is reset first).
 * Transport errors (message in e, naming the URL but never header values):
 *   -EINVAL bad request description / URL, -ECONNREFUSED, -EHOSTUNREACH (resolve/route),
 *   -ETIMEDOUT, -EPROTO TLS handshake / certificate failure, -ECONNRESET connection dropped,
 *   -EFBIG response larger than max_response_bytes, -EIO anything else. */
int http_perform(const struct http_request *req, struct http_response *ret, struct err *e);

/* Convenience: method + url + optional JSON body (borrowed; serialised compactly) + headers.
 * Same contract as http_perform, with `base` supplying TLS/timeout fields (NULL = defaults). */
int http_json(const char *method, const char *url, const char *const *headers, const json_t *body,
              const struct http_request *base, struct http_response *ret, struct err *e);

/* A response header by case-insensitive name (the last when repeated); NULL when absent. */
const char *http_response_header(const struct http_response *r, const char *name);
/* Parses the body as JSON (with json_parse_limited's limits). -EINVAL not JSON, -ENODATA
 * empty body. On success *ret holds a new reference. */
int http_response_json(const struct http_response *r, json_t **ret, struct err *e);
/* Frees headers and body and resets to HTTP_RESPONSE_INIT. */
void http_response_release(struct http_response *r);

/* ---- non-blocking engine (curl multi) ------------------------------------------------------ */

struct http_multi;

/* Completion callback: r is 0 (resp->status set) or a transport error as http_perform returns
 * (message in e), or -ECANCELED when the engine was freed first. The callback may keep the
 * response by copying *resp and setting *resp = (struct http_response)HTTP_RESPONSE_INIT;
 * otherwise it is released when the callback returns. It may call http_multi_add. */
typedef void (*http_done_fn)(void *data, int r, struct http_response *resp, const struct err *e);

/* A new engine running at most max_parallel connections at once (0 = 64; more transfers
 * wait in curl's queue). Not thread-safe: one engine belongs to one thread. */
int http_multi_new(unsigned max_parallel, struct http_multi **ret, struct err *e);
/* Cancels what is still pending (callbacks get -ECANCELED) and frees m. NULL is ok. */
void http_multi_free(struct http_multi *m);
/* Queues a request; everything in req is copied (req may go away on return). -EINVAL for a
 * bad request description (nothing queued, cb not called); otherwise cb is called exactly once
 * from a later http_multi_run or http_multi_free. */
int http_multi_add(struct http_multi *m, const struct http_request *req, http_done_fn cb,
                   void *data, struct err *e);
/* Does the I/O that is ready, waiting up to timeout_ms (0 = not at all) for some, and runs the
 * callbacks of finished transfers. Returns the number still in flight, or -EIO when curl
 * failed. */
int http_multi_run(struct http_multi *m, int timeout_ms);
/* Transfers added and not yet completed. */
size_t http_multi_pending(const struct http_multi *m);

/* Maps a libcurl CURLcode (passed as int) to -errno, per the list above. */
int http_curlcode_to_errno(int curlcode);

#endif
