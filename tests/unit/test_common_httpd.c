/*
 * Tests for common/httpd and common/httpclient: the router on its own, URL decoding, then a
 * real server on an ephemeral port driven by the real client (paths, params, query, headers,
 * bodies and their limits, 404/405 + Allow, request ids, hooks, TLS with client certificates).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "common/httpclient.h"
#include "common/httpd.h"
#include "common/ids.h"
#include "common/json_util.h"

static int h_dummy(struct httpd_req *req, void *data _unused_)
{
        return httpd_resp_empty(req, 204);
}

static const struct httpd_route table[] = {
        {"GET", "/v1/clusters", h_dummy, NULL, NULL},
        {"POST", "/v1/clusters", h_dummy, NULL, NULL},
        {"GET", "/v1/clusters/{id}", h_dummy, NULL, NULL},
        {"PATCH", "/v1/clusters/{id}", h_dummy, NULL, NULL},
        {"DELETE", "/v1/clusters/{id}", h_dummy, NULL, NULL},
        {"GET", "/v1/clusters/detail", h_dummy, NULL, NULL},
        {"GET", "/v1/clusters/{cid}/nodegroups/{ng}", h_dummy, NULL, NULL},
        {"GET", "/files/{path*}", h_dummy, NULL, NULL},
        {"GET", "/", h_dummy, NULL, NULL},
};

static int match(struct httpd_router *r, const char *method, const char *path, char **vals,
                 size_t *np, char **allow)
{
        const char *names[8];
        return httpd_router_match(r, method, path, names, vals, 8, np, allow);
}

static void free_vals(char **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i]);
}

static void test_router(void **state _unused_)
{
        struct httpd_router *r = NULL;
        assert_int_equal(httpd_router_new(table, ARRAY_SIZE(table), &r, NULL), 0);
        char *v[8];
        size_t n = 0;
        char *allow = NULL;

        assert_int_equal(match(r, "GET", "/v1/clusters", v, &n, NULL), 0);
        assert_int_equal(match(r, "GET", "/v1/clusters/", v, &n, NULL), 0);
        assert_int_equal(match(r, "POST", "/v1/clusters", v, &n, NULL), 1);
        /* literal beats named at the same position, whatever the table order */
        assert_int_equal(match(r, "GET", "/v1/clusters/detail", v, &n, NULL), 5);
        assert_int_equal(n, 0);
        /* but another method on "detail" still reaches {id} */
        assert_int_equal(match(r, "DELETE", "/v1/clusters/detail", v, &n, NULL), 4);
        assert_string_equal(v[0], "detail");
        free_vals(v, n);

        assert_int_equal(match(r, "GET", "/v1/clusters/abc%2Fdef/", v, &n, NULL), 2);
        assert_int_equal(n, 1);
        assert_string_equal(v[0], "abc/def");
        free_vals(v, n);

        assert_int_equal(match(r, "GET", "/v1/clusters/c1/nodegroups/ng%20x", v, &n, NULL), 6);
        assert_int_equal(n, 2);
        assert_string_equal(v[0], "c1");
        assert_string_equal(v[1], "ng x");
        free_vals(v, n);

        assert_int_equal(match(r, "GET", "/files/a/b/c", v, &n, NULL), 7);
        assert_string_equal(v[0], "a/b/c");
        free_vals(v, n);
        assert_int_equal(match(r, "GET", "/files", v, &n, NULL), -ENOENT);

        assert_int_equal(match(r, "PUT", "/v1/clusters/x", v, &n, &allow), -EMLINK);
        assert_string_equal(allow, "GET, PATCH, DELETE");
        free(allow);
        allow = NULL;
        assert_int_equal(match(r, "DELETE", "/v1/clusters", v, &n, &allow), -EMLINK);
        assert_string_equal(allow, "GET, POST");
        free(allow);

        assert_int_equal(match(r, "GET", "/v1/nothing", v, &n, NULL), -ENOENT);
        assert_int_equal(match(r, "GET", "/v1/clusters/a/b", v, &n, NULL), -ENOENT);
        assert_int_equal(match(r, "GET", "/", v, &n, NULL), 8);
        assert_int_equal(match(r, "GET", "//", v, &n, NULL), 8);
        httpd_router_free(r);

        static const struct httpd_route bad1[] = {{"GET", "/a/{x", h_dummy, NULL, NULL}};
        static const struct httpd_route bad2[] = {{"GET", "/a/{x*}/b", h_dummy, NULL, NULL}};
        static const struct httpd_route bad3[] = {{"GET", "a", h_dummy, NULL, NULL}};
        struct err e = ERR_INIT;
        assert_int_equal(httpd_router_new(bad1, 1, &r, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "{x"));
        err_clear(&e);
        assert_int_equal(httpd_router_new(bad2, 1, &r, NULL), -EINVAL);
        assert_int_equal(httpd_router_new(bad3, 1, &r, NULL), -EINVAL);
}

static void test_url_decode(void **state _unused_)
{
        char *s = NULL;
        assert_int_equal(httpd_url_decode("a%20b+c", 7, true, &s), 0);
        assert_string_equal(s, "a b c");
        free(s);
        assert_int_equal(httpd_url_decode("a+b", 3, false, &s), 0);
        assert_string_equal(s, "a+b");
        free(s);
        assert_int_equal(httpd_url_decode("%zz%4", 5, false, &s), 0);
        assert_string_equal(s, "%zz%4");
        free(s);
        assert_int_equal(httpd_url_decode("%C3%A9", 6, false, &s), 0);
        assert_string_equal(s, "\xc3\xa9");
        free(s);
        assert_int_equal(httpd_url_decode("a%00b", 5, false, &s), -EINVAL);
}

/* Random bytes through the router and decoder: no crash, no leak, sane results (ASan). */
static void test_router_random(void **state _unused_)
{
        struct httpd_router *r = NULL;
        assert_int_equal(httpd_router_new(table, ARRAY_SIZE(table), &r, NULL), 0);
        static const char alphabet[] = "/%%2F0aAz{}*?&=+.-_ \x01\xff";
        unsigned seed = 12345;
        for (int iter = 0; iter < 20000; iter++) {
                char path[64];
                size_t len = (size_t)(rand_r(&seed) % (sizeof(path) - 1));
                for (size_t i = 0; i < len; i++)
                        path[i] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
                path[len] = '\0';
                char *v[8];
                size_t n = 0;
                char *allow = NULL;
                int m = match(r, iter % 2 ? "GET" : "PUT", path, v, &n, &allow);
                if (m >= 0)
                        free_vals(v, n);
                free(allow);
                char *d = NULL;
                if (httpd_url_decode(path, len, true, &d) == 0) {
                        assert_true(strlen(d) <= len);
                        free(d);
                }
        }
        httpd_router_free(r);
}

/* ---- live server ---- */

static int h_echo(struct httpd_req *req, void *data)
{
        json_auto_t *q = json_checked(json_array());
        for (size_t i = 0; i < httpd_req_query_count(req); i++) {
                const char *k, *v;
                httpd_req_query_at(req, i, &k, &v);
                json_array_append_new(q, json_checked(json_pack("[s,s]", k, v)));
        }
        size_t blen;
        const char *body = httpd_req_body(req, &blen);
        /* arena memory and deferred frees must not leak even on this early path */
        char *scratch = httpd_req_printf(req, "%s!", httpd_req_path(req));
        httpd_req_defer(req, free, xstrdup("deferred"));
        const char *id = httpd_req_param(req, "id");
        const char *hdr = httpd_req_header(req, "x-test-header");
        json_auto_t *j = json_checked(json_pack(
                "{s:s,s:s,s:s?,s:O,s:s%,s:s?,s:s,s:s,s:s}", "method", httpd_req_method(req), "path",
                httpd_req_path(req), "id", id, "query", q, "body", body, blen, "hdr", hdr,
                "scratch", scratch, "tag", (const char *)data, "req_id", httpd_req_id(req)));
        httpd_resp_set_header(req, "X-Extra", "1");
        return httpd_resp_json(req, 200, j);
}

static int h_fail(struct httpd_req *req _unused_, void *data _unused_)
{
        return -EIO;
}

static int h_cert(struct httpd_req *req, void *data _unused_)
{
        const char *s = httpd_req_client_cert_subject(req);
        return httpd_resp_body(req, 200, "text/plain", s ? s : "none", strlen(s ? s : "none"));
}

static int before_route(struct httpd_req *req, void *data _unused_)
{
        httpd_resp_set_header(req, "X-Hooked", "yes");
        httpd_req_set_header(req, "X-Test-Header", NULL);
        httpd_req_set_header(req, "x-test-header", httpd_req_header(req, "X-Rewrite"));
        if (httpd_req_header(req, "X-Deny")) {
                httpd_resp_body(req, 406, "text/plain", "no", 2);
                return 1;
        }
        return 0;
}

static void render_error(struct httpd_req *req, int status, const char *detail, void *data _unused_)
{
        json_auto_t *j = json_checked(json_pack("{s:i,s:s}", "status", status, "detail", detail));
        httpd_resp_json(req, status, j);
}

static const struct httpd_hooks hooks = {
        .before_route = before_route,
        .error = render_error,
};

static const struct httpd_route live_routes[] = {
        {"GET", "/v1/things", h_echo, "list", NULL},
        {"POST", "/v1/things", h_echo, "create", NULL},
        {"GET", "/v1/things/{id}", h_echo, "get", NULL},
        {"GET", "/fail", h_fail, NULL, NULL},
        {"GET", "/cert", h_cert, NULL, NULL},
};

static struct httpd *srv;
static char base[64];

static int setup_server(void **state _unused_)
{
        struct httpd_opts o = {.name = "test",
                               .port = 0,
                               .max_body_bytes = 1000,
                               .routes = live_routes,
                               .n_routes = ARRAY_SIZE(live_routes),
                               .hooks = &hooks};
        struct err e = ERR_INIT;
        int r = httpd_start(&o, &srv, &e);
        if (r < 0)
                fprintf(stderr, "httpd_start: %s\n", err_msg(&e));
        assert_int_equal(r, 0);
        snprintf(base, sizeof(base), "http://127.0.0.1:%d", httpd_port(srv));
        return 0;
}

static int teardown_server(void **state _unused_)
{
        httpd_stop(srv);
        srv = NULL;
        return 0;
}

static json_t *get_json(const char *method, const char *path, const char *const *hdrs,
                        const char *body, size_t blen, int *ret_status, struct http_response *keep)
{
        char url[512];
        snprintf(url, sizeof(url), "%s%s", base, path);
        struct http_request rq = {
                .method = method, .url = url, .headers = hdrs, .body = body, .body_len = blen};
        struct http_response resp = HTTP_RESPONSE_INIT;
        struct err e = ERR_INIT;
        int r = http_perform(&rq, &resp, &e);
        if (r < 0)
                fprintf(stderr, "http_perform: %s\n", err_msg(&e));
        assert_int_equal(r, 0);
        err_clear(&e);
        *ret_status = resp.status;
        json_t *j = NULL;
        (void)http_response_json(&resp, &j, NULL);
        if (keep)
                *keep = resp;
        else
                http_response_release(&resp);
        return j;
}

static void test_live_basic(void **state _unused_)
{
        int st;
        struct http_response resp;
        const char *hdrs[] = {"X-TEST-HEADER: spoofed", "X-Rewrite: hello", NULL};
        json_auto_t *j = get_json("GET", "/v1/things/abc%2F1/?a=1&b=x+y&a=2&flag&e=%C3%A9", hdrs,
                                  NULL, 0, &st, &resp);
        assert_int_equal(st, 200);
        assert_string_equal(json_get_str(j, "path"), "/v1/things/abc/1");
        assert_string_equal(json_get_str(j, "id"), "abc/1");
        assert_string_equal(json_get_str(j, "hdr"), "hello");
        assert_string_equal(json_get_str(j, "tag"), "get");
        assert_string_equal(json_get_str(j, "scratch"), "/v1/things/abc/1!");
        json_t *q = json_object_get(j, "query");
        assert_int_equal(json_array_size(q), 5);
        assert_string_equal(json_string_value(json_array_get(json_array_get(q, 1), 1)), "x y");
        assert_string_equal(json_string_value(json_array_get(json_array_get(q, 2), 1)), "2");
        assert_string_equal(json_string_value(json_array_get(json_array_get(q, 3), 0)), "flag");
        assert_string_equal(json_string_value(json_array_get(json_array_get(q, 3), 1)), "");
        assert_string_equal(json_string_value(json_array_get(json_array_get(q, 4), 1)), "\xc3\xa9");
        const char *rid = http_response_header(&resp, "x-openstack-request-id");
        assert_non_null(rid);
        assert_true(str_starts_with(rid, "req-") && uuid_is_like(rid + 4));
        assert_string_equal(rid, json_get_str(j, "req_id"));
        assert_string_equal(http_response_header(&resp, "Content-Type"), "application/json");
        assert_string_equal(http_response_header(&resp, "X-Extra"), "1");
        assert_string_equal(http_response_header(&resp, "X-Hooked"), "yes");
        http_response_release(&resp);
}

static void test_live_request_id(void **state _unused_)
{
        int st;
        struct http_response resp;
        const char *good[] = {"X-OpenStack-Request-Id: req-0a1b2c3d-0000-4000-8000-123456789abc",
                              NULL};
        json_auto_t *j = get_json("GET", "/v1/things", good, NULL, 0, &st, &resp);
        assert_string_equal(http_response_header(&resp, "X-OpenStack-Request-Id"),
                            "req-0a1b2c3d-0000-4000-8000-123456789abc");
        http_response_release(&resp);
        const char *bad[] = {"X-OpenStack-Request-Id: req-<script>", NULL};
        json_auto_t *j2 = get_json("GET", "/v1/things", bad, NULL, 0, &st, &resp);
        const char *rid = http_response_header(&resp, "X-OpenStack-Request-Id");
        assert_true(str_starts_with(rid, "req-") && uuid_is_like(rid + 4));
        http_response_release(&resp);
        /* two requests never share an id */
        json_auto_t *a = get_json("GET", "/v1/things", NULL, NULL, 0, &st, NULL);
        json_auto_t *b = get_json("GET", "/v1/things", NULL, NULL, 0, &st, NULL);
        assert_string_not_equal(json_get_str(a, "req_id"), json_get_str(b, "req_id"));
}

static void test_live_errors(void **state _unused_)
{
        int st;
        struct http_response resp;
        json_auto_t *j = get_json("GET", "/nope", NULL, NULL, 0, &st, NULL);
        assert_int_equal(st, 404);
        assert_int_equal(json_get_int(j, "status", 0), 404);

        json_auto_t *j2 = get_json("DELETE", "/v1/things", NULL, NULL, 0, &st, &resp);
        assert_int_equal(st, 405);
        assert_string_equal(http_response_header(&resp, "Allow"), "GET, POST");
        http_response_release(&resp);

        /* HEAD is served by the GET route, without a body */
        json_auto_t *jh = get_json("HEAD", "/v1/things", NULL, NULL, 0, &st, &resp);
        assert_int_equal(st, 200);
        assert_int_equal(resp.body.len, 0);
        assert_non_null(http_response_header(&resp, "X-OpenStack-Request-Id"));
        http_response_release(&resp);

        json_auto_t *j3 = get_json("GET", "/fail", NULL, NULL, 0, &st, NULL);
        assert_int_equal(st, 500);

        const char *deny[] = {"X-Deny: 1", NULL};
        json_auto_t *j4 = get_json("GET", "/v1/things", deny, NULL, 0, &st, &resp);
        assert_int_equal(st, 406);
        assert_string_equal(resp.body.buf, "no");
        http_response_release(&resp);
}

static void test_live_body(void **state _unused_)
{
        int st;
        const char *body = "{\"name\": \"x\"}";
        json_auto_t *j = get_json("POST", "/v1/things", NULL, body, strlen(body), &st, NULL);
        assert_int_equal(st, 200);
        assert_string_equal(json_get_str(j, "body"), body);
        assert_string_equal(json_get_str(j, "tag"), "create");

        char *big = xmalloc(5000);
        memset(big, 'a', 5000);
        json_auto_t *j2 = get_json("POST", "/v1/things", NULL, big, 5000, &st, NULL);
        assert_int_equal(st, 413);
        assert_int_equal(json_get_int(j2, "status", 0), 413);
        /* chunked upload without Content-Length is bounded too */
        const char *chunked[] = {"Transfer-Encoding: chunked", NULL};
        json_auto_t *j3 = get_json("POST", "/v1/things", chunked, big, 5000, &st, NULL);
        assert_int_equal(st, 413);
        free(big);
}

static void test_live_limits(void **state _unused_)
{
        int st;
        struct strbuf sb = STRBUF_INIT;
        strbuf_addstr(&sb, "/v1/things?x=");
        for (int i = 0; i < 9000; i++)
                strbuf_addch(&sb, 'a');
        char url[10000];
        snprintf(url, sizeof(url), "%s%s", base, sb.buf);
        struct http_request rq = {.url = url};
        struct http_response resp = HTTP_RESPONSE_INIT;
        assert_int_equal(http_perform(&rq, &resp, NULL), 0);
        assert_true(resp.status == 414 || resp.status == 431);
        http_response_release(&resp);
        strbuf_release(&sb);

        /* too many headers */
        const char *many[130];
        char store[128][32];
        for (int i = 0; i < 128; i++) {
                snprintf(store[i], sizeof(store[i]), "X-H%d: v", i);
                many[i] = store[i];
        }
        many[128] = NULL;
        json_auto_t *j = get_json("GET", "/v1/things", many, NULL, 0, &st, NULL);
        assert_int_equal(st, 431);
}

static void test_client_errors(void **state _unused_)
{
        struct http_response resp = HTTP_RESPONSE_INIT;
        struct err e = ERR_INIT;
        struct http_request rq = {.url = "http://127.0.0.1:1/x", .timeout_ms = 2000};
        assert_int_equal(http_perform(&rq, &resp, &e), -ECONNREFUSED);
        assert_non_null(strstr(e.msg, "127.0.0.1:1"));
        err_clear(&e);
        struct http_request rq2 = {.url = "ftp://x/"};
        assert_int_equal(http_perform(&rq2, &resp, &e), -EINVAL);
        err_clear(&e);
        /* size-limited response */
        char url[512];
        snprintf(url, sizeof(url), "%s/v1/things?pad=%0200d", base, 0);
        struct http_request rq3 = {.url = url, .max_response_bytes = 50};
        assert_int_equal(http_perform(&rq3, &resp, &e), -EFBIG);
        err_clear(&e);
        assert_int_equal(resp.status, 0);
}

/* ---- the curl-multi engine ---- */

struct multi_result {
        int r;
        int status;
        char *id;
        bool called;
};

static void on_done(void *data, int r, struct http_response *resp, const struct err *e _unused_)
{
        struct multi_result *mr = data;
        assert_false(mr->called);
        mr->called = true;
        mr->r = r;
        mr->status = resp->status;
        if (r == 0) {
                json_auto_t *j = NULL;
                if (http_response_json(resp, &j, NULL) == 0)
                        mr->id = xstrdup_or_null(json_get_str(j, "id"));
        }
}

static void test_multi(void **state _unused_)
{
        enum { N = 40 };
        struct multi_result res[N + 1] = {0};
        struct http_multi *m = NULL;
        assert_int_equal(http_multi_new(8, &m, NULL), 0);
        for (int i = 0; i < N; i++) {
                char url[128];
                snprintf(url, sizeof(url), "%s/v1/things/item-%d", base, i);
                struct http_request rq = {.url = url};
                assert_int_equal(http_multi_add(m, &rq, on_done, &res[i], NULL), 0);
        }
        struct http_request refused = {.url = "http://127.0.0.1:1/", .timeout_ms = 3000};
        assert_int_equal(http_multi_add(m, &refused, on_done, &res[N], NULL), 0);
        struct http_request bad = {.url = "gopher://x"};
        assert_int_equal(http_multi_add(m, &bad, on_done, NULL, NULL), -EINVAL);
        assert_int_equal(http_multi_pending(m), N + 1);
        for (int guard = 0; guard < 1000 && http_multi_pending(m) > 0; guard++)
                assert_true(http_multi_run(m, 100) >= 0);
        assert_int_equal(http_multi_pending(m), 0);
        for (int i = 0; i < N; i++) {
                char want[32];
                snprintf(want, sizeof(want), "item-%d", i);
                assert_true(res[i].called);
                assert_int_equal(res[i].r, 0);
                assert_int_equal(res[i].status, 200);
                assert_string_equal(res[i].id, want);
                free(res[i].id);
        }
        assert_true(res[N].called);
        assert_int_equal(res[N].r, -ECONNREFUSED);

        /* freeing with transfers in flight cancels them, each callback exactly once */
        struct multi_result pend[3] = {0};
        for (int i = 0; i < 3; i++) {
                char url[128];
                snprintf(url, sizeof(url), "%s/v1/things/p%d", base, i);
                struct http_request rq = {.url = url};
                assert_int_equal(http_multi_add(m, &rq, on_done, &pend[i], NULL), 0);
        }
        http_multi_free(m);
        for (int i = 0; i < 3; i++) {
                assert_true(pend[i].called);
                assert_int_equal(pend[i].r, -ECANCELED);
        }
}

/* ---- TLS with client certificates (certificates made with openssl at test time) ---- */

static char tlsdir[64];

static int sh(const char *fmt, ...)
{
        struct strbuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        int r = system(sb.buf);
        strbuf_release(&sb);
        return r;
}

static void test_tls(void **state _unused_)
{
        snprintf(tlsdir, sizeof(tlsdir), "/tmp/mc-httpd-tls-XXXXXX");
        assert_non_null(mkdtemp(tlsdir));
        int r = sh("cd %s && K='ec -pkeyopt ec_paramgen_curve:prime256v1' && "
                   "openssl req -x509 -newkey $K -nodes -keyout ca.key -out ca.pem "
                   "-days 2 -subj /CN=test-ca 2>/dev/null >/dev/null && "
                   "openssl req -newkey $K -nodes -keyout srv.key -out srv.csr "
                   "-subj /CN=127.0.0.1 2>/dev/null >/dev/null && "
                   "printf 'subjectAltName=IP:127.0.0.1\\n' > ext && "
                   "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
                   "-out srv.pem -days 2 -extfile ext 2>/dev/null >/dev/null && "
                   "openssl req -newkey $K -nodes -keyout cli.key -out cli.csr "
                   "-subj '/O=system:masters/CN=admin' 2>/dev/null >/dev/null && "
                   "openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
                   "-out cli.pem -days 2 2>/dev/null >/dev/null && "
                   "openssl req -x509 -newkey $K -nodes -keyout other.key -out other.pem "
                   "-days 2 -subj /CN=intruder 2>/dev/null >/dev/null",
                   tlsdir);
        assert_int_equal(r, 0);
        char cert[128], key[128], ca[128], ccert[128], ckey[128], ocert[128], okey[128];
        snprintf(cert, sizeof(cert), "%s/srv.pem", tlsdir);
        snprintf(key, sizeof(key), "%s/srv.key", tlsdir);
        snprintf(ca, sizeof(ca), "%s/ca.pem", tlsdir);
        snprintf(ccert, sizeof(ccert), "%s/cli.pem", tlsdir);
        snprintf(ckey, sizeof(ckey), "%s/cli.key", tlsdir);
        snprintf(ocert, sizeof(ocert), "%s/other.pem", tlsdir);
        snprintf(okey, sizeof(okey), "%s/other.key", tlsdir);

        struct httpd_tls tls = {.cert_file = cert, .key_file = key, .client_ca_file = ca};
        struct httpd_opts o = {.name = "tls",
                               .threads = 2,
                               .routes = live_routes,
                               .n_routes = ARRAY_SIZE(live_routes),
                               .tls = &tls};
        struct httpd *s = NULL;
        struct err e = ERR_INIT;
        r = httpd_start(&o, &s, &e);
        if (r < 0)
                fprintf(stderr, "%s\n", err_msg(&e));
        assert_int_equal(r, 0);
        char url[128];
        snprintf(url, sizeof(url), "https://127.0.0.1:%d/cert", httpd_port(s));

        struct http_response resp = HTTP_RESPONSE_INIT;
        struct http_request rq = {
                .url = url, .ca_file = ca, .client_cert_file = ccert, .client_key_file = ckey};
        r = http_perform(&rq, &resp, &e);
        if (r < 0)
                fprintf(stderr, "%s\n", err_msg(&e));
        assert_int_equal(r, 0);
        assert_int_equal(resp.status, 200);
        assert_non_null(strstr(resp.body.buf, "CN=admin"));
        assert_non_null(strstr(resp.body.buf, "O=system:masters"));

        /* no client cert: served, but no subject */
        struct http_request rq2 = {.url = url, .ca_file = ca};
        assert_int_equal(http_perform(&rq2, &resp, NULL), 0);
        assert_string_equal(resp.body.buf, "none");
        /* a certificate from another CA does not verify */
        struct http_request rq3 = {
                .url = url, .ca_file = ca, .client_cert_file = ocert, .client_key_file = okey};
        if (http_perform(&rq3, &resp, NULL) == 0)
                assert_string_equal(resp.body.buf, "none");
        /* the client refuses a server it cannot verify */
        struct http_request rq4 = {.url = url};
        assert_int_equal(http_perform(&rq4, &resp, NULL), -EPROTO);
        http_response_release(&resp);
        httpd_stop(s);

        /* require_client_cert: 401 without one */
        tls.require_client_cert = true;
        o.threads = 0;
        assert_int_equal(httpd_start(&o, &s, &e), 0);
        snprintf(url, sizeof(url), "https://127.0.0.1:%d/cert", httpd_port(s));
        struct http_request rq5 = {.url = url, .ca_file = ca};
        assert_int_equal(http_perform(&rq5, &resp, NULL), 0);
        assert_int_equal(resp.status, 401);
        struct http_request rq6 = {
                .url = url, .ca_file = ca, .client_cert_file = ccert, .client_key_file = ckey};
        assert_int_equal(http_perform(&rq6, &resp, NULL), 0);
        assert_int_equal(resp.status, 200);
        http_response_release(&resp);
        httpd_stop(s);

        /* the same material given in memory */
        char *cert_pem = NULL, *key_pem = NULL, *ca_pem = NULL;
        size_t sz;
        FILE *f;
        assert_non_null(f = fopen(cert, "r"));
        assert_true(getdelim(&cert_pem, &sz, '\0', f) > 0);
        fclose(f);
        assert_non_null(f = fopen(key, "r"));
        assert_true(getdelim(&key_pem, &sz, '\0', f) > 0);
        fclose(f);
        assert_non_null(f = fopen(ca, "r"));
        assert_true(getdelim(&ca_pem, &sz, '\0', f) > 0);
        fclose(f);
        struct httpd_tls mem = {.cert_pem = cert_pem,
                                .key_pem = key_pem,
                                .client_ca_pem = ca_pem,
                                .require_client_cert = true};
        o.tls = &mem;
        assert_int_equal(httpd_start(&o, &s, &e), 0);
        snprintf(url, sizeof(url), "https://127.0.0.1:%d/cert", httpd_port(s));
        struct http_request rq7 = {
                .url = url, .ca_file = ca, .client_cert_file = ccert, .client_key_file = ckey};
        assert_int_equal(http_perform(&rq7, &resp, NULL), 0);
        assert_int_equal(resp.status, 200);
        assert_non_null(strstr(resp.body.buf, "CN=admin"));
        /* client side from memory too */
        char *ccert_pem = NULL, *ckey_pem = NULL;
        assert_non_null(f = fopen(ccert, "r"));
        assert_true(getdelim(&ccert_pem, &sz, '\0', f) > 0);
        fclose(f);
        assert_non_null(f = fopen(ckey, "r"));
        assert_true(getdelim(&ckey_pem, &sz, '\0', f) > 0);
        fclose(f);
        struct http_request rq8 = {.url = url,
                                   .ca_pem = ca_pem,
                                   .client_cert_pem = ccert_pem,
                                   .client_key_pem = ckey_pem};
        assert_int_equal(http_perform(&rq8, &resp, NULL), 0);
        assert_int_equal(resp.status, 200);
        assert_non_null(strstr(resp.body.buf, "CN=admin"));
        free(ccert_pem);
        free(ckey_pem);
        http_response_release(&resp);
        httpd_stop(s);
        struct httpd_tls notpem = {.cert_pem = "garbage", .key_pem = key_pem};
        o.tls = &notpem;
        assert_int_equal(httpd_start(&o, &s, &e), -EBADMSG);
        free(cert_pem);
        free(key_pem);
        free(ca_pem);
        err_clear(&e);
        sh("rm -rf %s", tlsdir);
}

static void test_bind_errors(void **state _unused_)
{
        struct httpd_opts o = {
                .name = "dup", .port = httpd_port(srv), .routes = live_routes, .n_routes = 1};
        struct httpd *s = NULL;
        struct err e = ERR_INIT;
        assert_int_equal(httpd_start(&o, &s, &e), -EADDRINUSE);
        err_clear(&e);
        o.port = 0;
        o.host = "not-an-ip";
        assert_int_equal(httpd_start(&o, &s, &e), -EINVAL);
        err_clear(&e);
}

int main(void)
{
        log_setup("test_httpd", LOG_LVL_WARN);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_router),          cmocka_unit_test(test_url_decode),
                cmocka_unit_test(test_router_random),   cmocka_unit_test(test_live_basic),
                cmocka_unit_test(test_live_request_id), cmocka_unit_test(test_live_errors),
                cmocka_unit_test(test_live_body),       cmocka_unit_test(test_live_limits),
                cmocka_unit_test(test_client_errors),   cmocka_unit_test(test_multi),
                cmocka_unit_test(test_bind_errors),     cmocka_unit_test(test_tls),
        };
        return cmocka_run_group_tests(tests, setup_server, teardown_server);
}
