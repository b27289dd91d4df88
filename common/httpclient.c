/*
 * httpclient: blocking HTTP(S) over libcurl. See httpclient.h. The part that turns a
 * `struct http_request` into a configured easy handle (http_easy_setup) and the header/body
 * sinks are written so a curl-multi engine can share them unchanged.
 */
#include "common/common.h"
#include "common/httpclient.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "common/json_util.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
/* Each thread keeps one easy handle (reset between requests) so its connection cache gives
 * keep-alive across calls to the same host; freed when the thread exits. */
static pthread_key_t curl_key;

static void curl_handle_free(void *p)
{
        curl_easy_cleanup(p);
}

static void curl_init_once(void)
{
        if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
                log_error("event=curl_global_init_failed");
                abort();
        }
        if (pthread_key_create(&curl_key, curl_handle_free) != 0) {
                log_error("event=pthread_key_create_failed");
                abort();
        }
}

/* The calling thread's easy handle, reset to defaults; NULL when curl cannot allocate. */
static CURL *thread_handle(void)
{
        CURL *c = pthread_getspecific(curl_key);
        if (c) {
                curl_easy_reset(c);
                return c;
        }
        c = curl_easy_init();
        if (c && pthread_setspecific(curl_key, c) != 0) {
                curl_easy_cleanup(c);
                return NULL;
        }
        return c;
}

void http_global_init(void)
{
        pthread_once(&curl_once, curl_init_once);
}

/* Everything an in-flight transfer owns; the multi engine keeps one per transfer. */
struct http_xfer {
        CURL *curl;
        struct http_xfer *next;   /* multi engine's list */
        struct http_response own; /* multi engine: the response being filled */
        http_done_fn cb;
        void *cb_data;
        char *url;    /* multi engine: for messages */
        char *tmpdir; /* PEM material written for this transfer, removed at the end */
        struct curl_slist *hdrs;
        struct http_response *resp;
        size_t max_bytes;
        bool too_large;
        char errbuf[CURL_ERROR_SIZE];
};

static const struct {
        CURLcode code;
        int err;
} curl_errors[] = {
        {CURLE_OK, 0},
        {CURLE_UNSUPPORTED_PROTOCOL, -EINVAL},
        {CURLE_URL_MALFORMAT, -EINVAL},
        {CURLE_COULDNT_RESOLVE_HOST, -EHOSTUNREACH},
        {CURLE_COULDNT_RESOLVE_PROXY, -EHOSTUNREACH},
        {CURLE_COULDNT_CONNECT, -ECONNREFUSED},
        {CURLE_OPERATION_TIMEDOUT, -ETIMEDOUT},
        {CURLE_SSL_CONNECT_ERROR, -EPROTO},
        {CURLE_PEER_FAILED_VERIFICATION, -EPROTO},
        {CURLE_SSL_CERTPROBLEM, -EPROTO},
        {CURLE_SSL_CIPHER, -EPROTO},
        {CURLE_SSL_CACERT_BADFILE, -EPROTO},
        {CURLE_SSL_ISSUER_ERROR, -EPROTO},
        {CURLE_SSL_CRL_BADFILE, -EPROTO},
        {CURLE_USE_SSL_FAILED, -EPROTO},
        {CURLE_SEND_ERROR, -ECONNRESET},
        {CURLE_RECV_ERROR, -ECONNRESET},
        {CURLE_GOT_NOTHING, -ECONNRESET},
        {CURLE_PARTIAL_FILE, -ECONNRESET},
        {CURLE_FILESIZE_EXCEEDED, -EFBIG},
        {CURLE_OUT_OF_MEMORY, -ENOMEM},
};

int http_curlcode_to_errno(int curlcode)
{
        for (size_t i = 0; i < ARRAY_SIZE(curl_errors); i++)
                if ((int)curl_errors[i].code == curlcode)
                        return curl_errors[i].err;
        return -EIO;
}

void http_response_release(struct http_response *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_headers; i++) {
                free(r->headers[i].name);
                free(r->headers[i].value);
        }
        free(r->headers);
        strbuf_release(&r->body);
        *r = (struct http_response)HTTP_RESPONSE_INIT;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        struct http_xfer *x = userdata;
        size_t n = size * nmemb;
        if (x->resp->body.len + n > x->max_bytes) {
                x->too_large = true;
                return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
        }
        strbuf_add(&x->resp->body, ptr, n);
        return n;
}

static void clear_headers(struct http_response *r)
{
        for (size_t i = 0; i < r->n_headers; i++) {
                free(r->headers[i].name);
                free(r->headers[i].value);
        }
        r->n_headers = 0;
}

static size_t on_header(char *ptr, size_t size, size_t nitems, void *userdata)
{
        struct http_xfer *x = userdata;
        size_t n = size * nitems;
        struct http_response *r = x->resp;
        /* A status line starts a new response (after 100 Continue or a redirect): keep only
         * the final response's headers. */
        if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
                clear_headers(r);
                return n;
        }
        const char *colon = memchr(ptr, ':', n);
        if (!colon)
                return n;
        if (r->n_headers >= 256)
                return n;
        size_t nlen = (size_t)(colon - ptr);
        const char *v = colon + 1;
        const char *end = ptr + n;
        while (v < end && (*v == ' ' || *v == '\t'))
                v++;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
                end--;
        size_t alloc = r->n_headers; /* xgrow needs a capacity: grow one at a time */
        r->headers = xrealloc(r->headers, (alloc + 1) * sizeof(*r->headers));
        r->headers[r->n_headers++] =
                (struct http_header){xstrndup(ptr, nlen), xstrndup(v, (size_t)(end - v))};
        return n;
}

/* Writes pem as <x->tmpdir>/<name> (creating the directory) and returns the path (owned by
 * the caller). */
static int write_pem(struct http_xfer *x, const char *name, const char *pem, char **ret,
                     struct err *e)
{
        if (!x->tmpdir) {
                char tmpl[] = "/tmp/mc-http-XXXXXX";
                if (!mkdtemp(tmpl))
                        return err_set(e, -errno, "mkdtemp: %s", strerror(errno));
                x->tmpdir = xstrdup(tmpl);
        }
        char *path = xasprintf("%s/%s", x->tmpdir, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
                int r = -errno;
                free(path);
                return err_set(e, r, "cannot write TLS material: %s", strerror(-r));
        }
        size_t len = strlen(pem), off = 0;
        while (off < len) {
                ssize_t w = write(fd, pem + off, len - off);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        int r = -errno;
                        close(fd);
                        free(path);
                        return err_set(e, r ? r : -EIO, "cannot write TLS material");
                }
                off += (size_t)w;
        }
        close(fd);
        *ret = path;
        return 0;
}

static void remove_tmpdir(struct http_xfer *x)
{
        static const char *const names[] = {"ca.pem", "cert.pem", "key.pem"};
        if (!x->tmpdir)
                return;
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", x->tmpdir, names[i]);
                unlink(p);
        }
        rmdir(x->tmpdir);
        free(x->tmpdir);
        x->tmpdir = NULL;
}

/* Configures x->curl from req; shared by http_perform and the multi engine. */
static int http_easy_setup(struct http_xfer *x, const struct http_request *req, struct err *e)
{
        CURL *c = x->curl;
        if (!req->url ||
            !(str_starts_with(req->url, "http://") || str_starts_with(req->url, "https://")))
                return err_set(e, -EINVAL, "not an http(s) URL: %s", req->url ? req->url : "");
        const char *method = req->method ? req->method : "GET";
        long timeout = req->timeout_ms > 0 ? req->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS;
        long ctimeout =
                req->connect_timeout_ms > 0 ? req->connect_timeout_ms : MIN(timeout, 10000L);
        x->max_bytes =
                req->max_response_bytes ? req->max_response_bytes : HTTP_DEFAULT_MAX_RESPONSE;
        curl_easy_setopt(c, CURLOPT_URL, req->url);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ctimeout);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_bytes);
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
        if (streq(method, "GET")) {
                curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        } else if (streq(method, "HEAD")) {
                curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        } else {
                curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        }
        bool have_ctype = false;
        for (const char *const *h = req->headers; h && *h; h++) {
                if (strncasecmp(*h, "Content-Type:", 13) == 0)
                        have_ctype = true;
                x->hdrs = curl_slist_append(x->hdrs, *h);
                if (!x->hdrs)
                        return err_set(e, -ENOMEM, "curl_slist_append failed");
        }
        if (req->body) {
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
                curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, req->body);
                if (streq(method, "GET"))
                        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "GET");
                if (!have_ctype)
                        x->hdrs = curl_slist_append(x->hdrs, "Content-Type: application/json");
        }
        /* No "Expect: 100-continue" round trip on bodies. */
        x->hdrs = curl_slist_append(x->hdrs, "Expect:");
        if (!x->hdrs)
                return err_set(e, -ENOMEM, "curl_slist_append failed");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->hdrs);
        const struct {
                const char *pem, *file, *name;
                CURLoption opt, type_opt;
        } tls[] = {
                {req->ca_pem, req->ca_file, "ca.pem", CURLOPT_CAINFO, 0},
                {req->client_cert_pem, req->client_cert_file, "cert.pem", CURLOPT_SSLCERT,
                 CURLOPT_SSLCERTTYPE},
                {req->client_key_pem, req->client_key_file, "key.pem", CURLOPT_SSLKEY,
                 CURLOPT_SSLKEYTYPE},
        };
        for (size_t i = 0; i < ARRAY_SIZE(tls); i++) {
                _cleanup_free_ char *written = NULL;
                const char *path = tls[i].file;
                if (tls[i].pem) {
                        int r = write_pem(x, tls[i].name, tls[i].pem, &written, e);
                        if (r < 0)
                                return r;
                        path = written;
                }
                if (!path)
                        continue;
                curl_easy_setopt(c, tls[i].opt, path); /* libcurl copies the string */
                /* A given CA replaces the system store: without this, curl-gnutls also
                 * parses every file of its default CA directory on each new connection. */
                if (tls[i].opt == CURLOPT_CAINFO)
                        curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
                if (tls[i].type_opt)
                        curl_easy_setopt(c, tls[i].type_opt, "PEM");
        }
        if (req->insecure) {
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        return 0;
}

/* Turns a finished transfer's CURLcode into the contract's result. */
static int http_xfer_finish(struct http_xfer *x, const char *url, CURLcode cc, struct err *e)
{
        if (x->too_large || cc == CURLE_FILESIZE_EXCEEDED)
                return err_set(e, -EFBIG, "%s: response larger than %zu bytes", url, x->max_bytes);
        if (cc != CURLE_OK)
                return err_set(e, http_curlcode_to_errno(cc), "%s: %s", url,
                               x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc));
        long status = 0;
        curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
        x->resp->status = (int)status;
        return 0;
}

int http_perform(const struct http_request *req, struct http_response *ret, struct err *e)
{
        http_global_init();
        http_response_release(ret);
        struct http_xfer x = {.resp = ret};
        x.curl = thread_handle();
        if (!x.curl)
                return err_set(e, -ENOMEM, "curl_easy_init failed");
        int r = http_easy_setup(&x, req, e);
        if (r >= 0) {
                CURLcode cc = curl_easy_perform(x.curl);
                r = http_xfer_finish(&x, req->url, cc, e);
        }
        /* The handle keeps pointers to hdrs and x: drop them before they go away. */
        curl_easy_setopt(x.curl, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(x.curl, CURLOPT_ERRORBUFFER, NULL);
        curl_slist_free_all(x.hdrs);
        remove_tmpdir(&x);
        if (r < 0)
                http_response_release(ret);
        return r;
}

int http_json(const char *method, const char *url, const char *const *headers, const json_t *body,
              const struct http_request *base, struct http_response *ret, struct err *e)
{
        struct http_request rq = base ? *base : (struct http_request){0};
        rq.method = method;
        rq.url = url;
        rq.headers = headers;
        _cleanup_free_ char *dump = NULL;
        if (body) {
                dump = json_dump_compact(body);
                rq.body = dump;
                rq.body_len = strlen(dump);
        } else {
                rq.body = NULL;
                rq.body_len = 0;
        }
        return http_perform(&rq, ret, e);
}

const char *http_response_header(const struct http_response *r, const char *name)
{
        for (size_t i = r->n_headers; i > 0; i--)
                if (strcaseeq(r->headers[i - 1].name, name))
                        return r->headers[i - 1].value;
        return NULL;
}

int http_response_json(const struct http_response *r, json_t **ret, struct err *e)
{
        if (r->body.len == 0)
                return err_set(e, -ENODATA, "empty response body");
        return json_parse_limited(r->body.buf, r->body.len, HTTP_DEFAULT_MAX_RESPONSE,
                                  JSON_DEFAULT_MAX_DEPTH, ret, e);
}

/* ---- curl multi engine -------------------------------------------------------------------- */

struct http_multi {
        CURLM *multi;
        struct http_xfer *xfers; /* in flight */
        size_t n;
};

int http_multi_new(unsigned max_parallel, struct http_multi **ret, struct err *e)
{
        http_global_init();
        CURLM *cm = curl_multi_init();
        if (!cm)
                return err_set(e, -ENOMEM, "curl_multi_init failed");
        curl_multi_setopt(cm, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                          (long)(max_parallel ? max_parallel : 64));
        struct http_multi *m = xnew(struct http_multi, 1);
        m->multi = cm;
        *ret = m;
        return 0;
}

static void xfer_free(struct http_xfer *x)
{
        if (x->curl)
                curl_easy_cleanup(x->curl);
        curl_slist_free_all(x->hdrs);
        http_response_release(&x->own);
        remove_tmpdir(x);
        free(x->url);
        free(x);
}

static void xfer_unlink(struct http_multi *m, struct http_xfer *x)
{
        for (struct http_xfer **pp = &m->xfers; *pp; pp = &(*pp)->next)
                if (*pp == x) {
                        *pp = x->next;
                        m->n--;
                        return;
                }
}

int http_multi_add(struct http_multi *m, const struct http_request *req, http_done_fn cb,
                   void *data, struct err *e)
{
        struct http_xfer *x = xnew(struct http_xfer, 1);
        x->own = (struct http_response)HTTP_RESPONSE_INIT;
        x->resp = &x->own;
        x->cb = cb;
        x->cb_data = data;
        x->url = xstrdup(req->url ? req->url : "");
        x->curl = curl_easy_init();
        if (!x->curl) {
                xfer_free(x);
                return err_set(e, -ENOMEM, "curl_easy_init failed");
        }
        /* libcurl copies every string option; the header list and body copy are x's. */
        int r = http_easy_setup(x, req, e);
        if (r < 0) {
                xfer_free(x);
                return r;
        }
        curl_easy_setopt(x->curl, CURLOPT_PRIVATE, x);
        if (curl_multi_add_handle(m->multi, x->curl) != CURLM_OK) {
                xfer_free(x);
                return err_set(e, -EIO, "curl_multi_add_handle failed");
        }
        x->next = m->xfers;
        m->xfers = x;
        m->n++;
        return 0;
}

static void xfer_complete(struct http_multi *m, struct http_xfer *x, int r, const struct err *e)
{
        xfer_unlink(m, x);
        curl_multi_remove_handle(m->multi, x->curl);
        if (r < 0)
                http_response_release(&x->own);
        x->cb(x->cb_data, r, &x->own, e);
        xfer_free(x);
}

int http_multi_run(struct http_multi *m, int timeout_ms)
{
        int running = 0;
        if (curl_multi_perform(m->multi, &running) != CURLM_OK)
                return -EIO;
        if (timeout_ms > 0 && m->n > 0) {
                if (curl_multi_poll(m->multi, NULL, 0, timeout_ms, NULL) != CURLM_OK)
                        return -EIO;
                if (curl_multi_perform(m->multi, &running) != CURLM_OK)
                        return -EIO;
        }
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m->multi, &left))) {
                if (msg->msg != CURLMSG_DONE)
                        continue;
                struct http_xfer *x = NULL;
                curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
                if (!x)
                        continue;
                struct err e = ERR_INIT;
                int r = http_xfer_finish(x, x->url, msg->data.result, &e);
                xfer_complete(m, x, r, &e);
                err_clear(&e);
        }
        return (int)m->n;
}

size_t http_multi_pending(const struct http_multi *m)
{
        return m->n;
}

void http_multi_free(struct http_multi *m)
{
        if (!m)
                return;
        while (m->xfers) {
                struct err e = ERR_INIT;
                err_set(&e, -ECANCELED, "%s: cancelled", m->xfers->url);
                xfer_complete(m, m->xfers, -ECANCELED, &e);
                err_clear(&e);
        }
        curl_multi_cleanup(m->multi);
        free(m);
}
