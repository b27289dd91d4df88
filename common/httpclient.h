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
 * Designed for a second, non-blocking engine beside it (the Heat engine drives hundreds of
 * requests on one thread): `struct http_multi` will take the same `struct http_request`, copy
 * what it needs at submit time, and deliver the same `struct http_response` to a completion
 * callback from http_multi_run(); both engines share one internal function that turns a
 * request into a configured CURL easy handle, so timeouts, TLS and size limits behave the same.
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

#define HTTP_DEFAULT_TIMEOUT_MS 30000
#define HTTP_DEFAULT_MAX_RESPONSE (16 * 1024 * 1024)

struct http_request {
        const char *method; /* NULL = "GET" */
        const char *url;    /* absolute http:// or https:// URL */
        /* NULL-terminated list of "Name: value" lines; NULL = none. A body without a
         * Content-Type header is sent as application/json. */
        const char *const *headers;
        const char *body; /* NULL = no body */
        size_t body_len;  /* bytes of body (body may contain NULs) */
        long timeout_ms;  /* whole request; 0 = HTTP_DEFAULT_TIMEOUT_MS */
        long connect_timeout_ms; /* 0 = min(timeout, 10 s) */
        /* TLS: CA bundle to verify the server against (NULL = system store), client
         * certificate + key for mutual TLS (PEM files), or no verification at all. */
        const char *ca_file;
        const char *client_cert_file;
        const char *client_key_file;
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
#define HTTP_RESPONSE_INIT {0, NULL, 0, STRBUF_INIT}

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
int http_json(const char *method, const char *url, const char *const *headers,
              const json_t *body, const struct http_request *base, struct http_response *ret,
              struct err *e);

/* A response header by case-insensitive name (the last when repeated); NULL when absent. */
const char *http_response_header(const struct http_response *r, const char *name);
/* Parses the body as JSON (with json_parse_limited's limits). -EINVAL not JSON, -ENODATA
 * empty body. On success *ret holds a new reference. */
int http_response_json(const struct http_response *r, json_t **ret, struct err *e);
/* Frees headers and body and resets to HTTP_RESPONSE_INIT. */
void http_response_release(struct http_response *r);

/* Maps a libcurl CURLcode (passed as int) to -errno, per the list above. */
int http_curlcode_to_errno(int curlcode);

#endif
