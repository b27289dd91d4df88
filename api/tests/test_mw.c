/*
 * Unit tests for magnum-api's own layer: microversion parsing and messages, the error envelope
 * (title truncation, WSME vs webob variants, Accept negotiation, the microversion 406 entry),
 * public paths, mservices state, root documents, and the middleware driven over real HTTP
 * (noauth) for headers, 406s, unknown query args and re-routing.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "api/errors.h"
#include "api/middleware.h"
#include "api/router.h"
#include "common/httpclient.h"
#include "common/httpd.h"
#include "common/json_util.h"

static void test_version_parse(void **state _unused_)
{
        struct api_version v;
        assert_int_equal(api_version_parse(NULL, &v), API_VERSION_OK);
        assert_true(v.major == 1 && v.minor == 1);
        assert_int_equal(api_version_parse("container-infra 1.5", &v), API_VERSION_OK);
        assert_int_equal(v.minor, 5);
        assert_int_equal(api_version_parse("  container-infra \t 1.10 ", &v), API_VERSION_OK);
        assert_int_equal(v.minor, 10);
        assert_int_equal(api_version_parse("container-infra latest", &v), API_VERSION_OK);
        assert_int_equal(v.minor, 10);
        assert_int_equal(api_version_parse("container-infra LATEST", &v), API_VERSION_OK);
        /* Magnum replaces the service with its own when "latest" is asked */
        assert_int_equal(api_version_parse("compute latest", &v), API_VERSION_OK);
        assert_int_equal(api_version_parse("container-infra 1.11", &v), API_VERSION_RANGE);
        assert_int_equal(v.minor, 11);
        assert_int_equal(api_version_parse("container-infra 1.0", &v), API_VERSION_RANGE);
        assert_int_equal(api_version_parse("container-infra 2.1", &v), API_VERSION_MAJOR);
        assert_int_equal(api_version_parse("container-infra 01.05", &v), API_VERSION_OK);
        assert_int_equal(v.minor, 5);
        assert_int_equal(api_version_parse("", &v), API_VERSION_BAD_SERVICE);
        assert_int_equal(api_version_parse("container-infra", &v), API_VERSION_BAD_SERVICE);
        assert_int_equal(api_version_parse("1.5", &v), API_VERSION_BAD_SERVICE);
        assert_int_equal(api_version_parse("container-infra 1.5 x", &v), API_VERSION_BAD_SERVICE);
        assert_int_equal(api_version_parse("Container-Infra 1.5", &v), API_VERSION_BAD_SERVICE);
        assert_int_equal(api_version_parse("compute 1.5", &v), API_VERSION_BAD_SERVICE);
        assert_int_equal(api_version_parse("container-infra 1", &v), API_VERSION_BAD_VALUE);
        assert_int_equal(api_version_parse("container-infra 1.2.3", &v), API_VERSION_BAD_VALUE);
        assert_int_equal(api_version_parse("container-infra 1.x", &v), API_VERSION_BAD_VALUE);
        assert_int_equal(api_version_parse("container-infra .5", &v), API_VERSION_BAD_VALUE);

        struct api_version big = {1, 11};
        char *m = api_version_message(API_VERSION_RANGE, &big);
        assert_string_equal(m, "Version 1.11 was requested but the minor version is not "
                               "supported by this service. The supported version range is: "
                               "[container-infra 1.1, container-infra 1.10].");
        free(m);
        struct api_version two = {2, 0};
        m = api_version_message(API_VERSION_MAJOR, &two);
        assert_non_null(strstr(m, "Version 2.0 requested but not supported by this service.The"));
        free(m);
}

static void test_title(void **state _unused_)
{
        char *t = api_error_title("Cluster 1.2.3 could not be found.");
        assert_string_equal(t, "Cluster 1");
        free(t);
        t = api_error_title("Policy doesn't allow magnum-service:get_all to be performed.");
        assert_string_equal(t, "Policy doesn't allow magnum-service:get_all to be performed");
        free(t);
        t = api_error_title("no dot here");
        assert_string_equal(t, "no dot here");
        free(t);
        t = api_error_title("");
        assert_string_equal(t, "");
        free(t);
}

static void test_accept(void **state _unused_)
{
        assert_false(api_accept_json(NULL));
        assert_false(api_accept_json("*/*"));
        assert_true(api_accept_json("application/json"));
        assert_true(api_accept_json("application/*"));
        assert_false(api_accept_json("text/html"));
        /* ties go to the earlier offer (text/plain) */
        assert_false(api_accept_json("application/json, */*"));
        assert_true(api_accept_json("application/json, */*;q=0.5"));
        assert_false(api_accept_json("application/json;q=0.2, text/html"));
        assert_false(api_accept_json("application/json;q=0"));
}

static void test_envelope(void **state _unused_)
{
        json_auto_t *b =
                api_error_body(404, API_ERR_WSME, "Cluster 1.2.3 could not be found.", true);
        json_t *en = json_array_get(json_object_get(b, "errors"), 0);
        assert_int_equal(json_array_size(json_object_get(b, "errors")), 1);
        assert_string_equal(json_get_str(en, "request_id"), "");
        assert_string_equal(json_get_str(en, "code"), "client");
        assert_int_equal(json_get_int(en, "status", 0), 404);
        assert_string_equal(json_get_str(en, "title"), "Cluster 1");
        assert_string_equal(json_get_str(en, "detail"), "Cluster 1.2.3 could not be found.");
        assert_int_equal(json_array_size(json_object_get(en, "links")), 0);
        assert_int_equal(json_object_size(en), 6);

        json_auto_t *s = api_error_body(500, API_ERR_WSME, "An unknown exception occurred.", false);
        en = json_array_get(json_object_get(s, "errors"), 0);
        assert_string_equal(json_get_str(en, "code"), "server");
        assert_string_equal(json_get_str(en, "title"), "An unknown exception occurred");

        /* webob errors: JSON Accept → reason as title, detail (null when none) */
        json_auto_t *w = api_error_body(404, API_ERR_WEBOB, NULL, true);
        en = json_array_get(json_object_get(w, "errors"), 0);
        assert_string_equal(json_get_str(en, "code"), "");
        assert_string_equal(json_get_str(en, "title"), "Not Found");
        assert_true(json_is_null(json_object_get(en, "detail")));
        json_auto_t *w2 = api_error_body(406, API_ERR_WEBOB, "Invalid value for x", false);
        en = json_array_get(json_object_get(w2, "errors"), 0);
        assert_string_equal(json_get_str(en, "title"), "");
        assert_string_equal(json_get_str(en, "detail"), "");
        assert_int_equal(json_get_int(en, "status", 0), 406);

        /* bytes a client sent that are not UTF-8 must not break the body */
        json_auto_t *bad = api_error_body(400, API_ERR_WSME, "Unknown argument: \"\xff\"", true);
        en = json_array_get(json_object_get(bad, "errors"), 0);
        assert_string_equal(json_get_str(en, "detail"), "Unknown argument: \"\xef\xbf\xbd\"");

        json_auto_t *mv = api_error_body(406, API_ERR_MICROVERSION, "Version 1.11 was ...", true);
        en = json_array_get(json_object_get(mv, "errors"), 0);
        assert_string_equal(json_get_str(en, "code"), "magnum.microversion-unsupported");
        assert_string_equal(json_get_str(en, "title"), "Requested microversion is unsupported");
        assert_string_equal(json_get_str(en, "max_version"), "1.10");
        assert_string_equal(json_get_str(en, "min_version"), "1.1");
        assert_string_equal(json_get_str(en, "description"), "Version 1.11 was ...");
        assert_null(json_object_get(en, "status"));
        assert_null(json_object_get(en, "request_id"));
        assert_string_equal(json_get_str(json_array_get(json_object_get(en, "links"), 0), "href"),
                            "http://docs.openstack.org/api-guide/compute/microversions.html");
        json_auto_t *mv2 = api_error_body(406, API_ERR_MICROVERSION, "x", false);
        en = json_array_get(json_object_get(mv2, "errors"), 0);
        assert_null(json_object_get(en, "description"));
        assert_int_equal(json_object_size(en), 5);
}

static void test_public_and_state(void **state _unused_)
{
        assert_true(api_path_is_public("/"));
        assert_true(api_path_is_public("/v1"));
        assert_true(api_path_is_public("/v1.json"));
        assert_false(api_path_is_public("/v1/clusters"));
        assert_false(api_path_is_public("/v2"));

        int64_t now = 1000LL * 1000000;
        assert_string_equal(ms_state(false, now - 60LL * 1000000, DB_TIME_NULL, 0, now, 180), "up");
        assert_string_equal(ms_state(false, now - 181LL * 1000000, now, 0, now, 180), "down");
        assert_string_equal(ms_state(true, now, now, now, now, 180), "down");
        assert_string_equal(ms_state(false, DB_TIME_NULL, DB_TIME_NULL, now - 10, now, 180), "up");
        assert_string_equal(ms_state(false, DB_TIME_NULL, now - 200LL * 1000000, now, now, 180),
                            "down");
}

static void test_docs(void **state _unused_)
{
        json_auto_t *r = api_root_doc("http://h:9511");
        json_t *v = json_array_get(json_object_get(r, "versions"), 0);
        assert_string_equal(json_get_str(v, "id"), "v1");
        assert_string_equal(json_get_str(v, "max_version"), "1.10");
        assert_string_equal(json_get_str(json_array_get(json_object_get(v, "links"), 0), "href"),
                            "http://h:9511/v1/");
        json_auto_t *d = api_v1_doc("http://h:9511");
        json_t *cl = json_object_get(d, "clusters");
        assert_string_equal(json_get_str(json_array_get(cl, 0), "href"),
                            "http://h:9511/v1/clusters/");
        assert_string_equal(json_get_str(json_array_get(cl, 1), "href"), "http://h:9511/clusters/");
        assert_string_equal(json_get_str(json_array_get(cl, 1), "rel"), "bookmark");
        assert_string_equal(
                json_get_str(json_array_get(json_object_get(d, "nodegroups"), 0), "href"),
                "http://h:9511/v1/clusters/{cluster_id}/nodegroups");
        assert_string_equal(json_get_str(json_array_get(json_object_get(d, "links"), 1), "type"),
                            "text/html");
}

/* Random header values through the parsers: no crash, results in range (ASan/UBSan). */
static void test_parsers_random(void **state _unused_)
{
        static const char alphabet[] = "container-infra latest 0123456789.,;=q*/+-_\t";
        unsigned seed = 777;
        for (int iter = 0; iter < 20000; iter++) {
                char buf[48];
                size_t len = (size_t)(rand_r(&seed) % (sizeof(buf) - 1));
                for (size_t i = 0; i < len; i++)
                        buf[i] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
                buf[len] = '\0';
                struct api_version v = {0, 0};
                enum api_version_status st = api_version_parse(buf, &v);
                if (st == API_VERSION_OK)
                        assert_true(v.major == 1 && v.minor >= 1 && v.minor <= 10);
                if (st != API_VERSION_OK) {
                        char *m = api_version_message(st, &v);
                        assert_true(strlen(m) > 0);
                        free(m);
                }
                (void)api_accept_json(buf);
                char *t = api_error_title(buf);
                assert_null(strchr(t, '.'));
                free(t);
        }
}

/* ---- the middleware over HTTP (noauth), with stand-in handlers ---- */

static int h_echo_identity(struct httpd_req *req, void *data _unused_)
{
        json_auto_t *j = json_checked(json_pack(
                "{s:s?,s:s?,s:s?,s:i,s:s}", "user", httpd_req_header(req, "X-User-Id"), "project",
                httpd_req_header(req, "X-Project-Id"), "roles", httpd_req_header(req, "X-Roles"),
                "minor", api_req_minor(req), "path", httpd_req_path(req)));
        return httpd_resp_json(req, 200, j);
}

static int h_not_found(struct httpd_req *req, void *data _unused_)
{
        return httpd_resp_error(req, 404, "Cluster 1.2 could not be found.");
}

static struct httpd *srv;
static char base[64];

static int setup(void **state _unused_)
{
        static const struct httpd_route routes[] = {
                {"GET", "/", api_h_root, NULL, NULL},
                {"GET", "/v1", api_h_v1, NULL, NULL},
                {"GET", "/v1/echo", h_echo_identity, NULL, NULL},
                {"POST", "/v1/echo", h_echo_identity, NULL, NULL},
                {"GET", "/v1/missing", h_not_found, NULL, NULL},
        };
        static const struct httpd_hooks hooks = {.before_route = api_mw_before_route,
                                                 .error = api_error_hook};
        static struct api_mw mw = {.auth = API_AUTH_NOAUTH};
        struct httpd_opts o = {.name = "api-test",
                               .routes = routes,
                               .n_routes = ARRAY_SIZE(routes),
                               .hooks = &hooks,
                               .hooks_data = &mw,
                               .quiet = true};
        assert_int_equal(httpd_start(&o, &srv, NULL), 0);
        snprintf(base, sizeof(base), "http://127.0.0.1:%d", httpd_port(srv));
        return 0;
}

static int teardown(void **state _unused_)
{
        httpd_stop(srv);
        return 0;
}

static json_t *call(const char *method, const char *path, const char *const *hdrs,
                    struct http_response *resp)
{
        char url[256];
        snprintf(url, sizeof(url), "%s%s", base, path);
        struct http_request rq = {.method = method, .url = url, .headers = hdrs};
        assert_int_equal(http_perform(&rq, resp, NULL), 0);
        json_t *j = NULL;
        (void)http_response_json(resp, &j, NULL);
        return j;
}

static void test_http(void **state _unused_)
{
        struct http_response resp = HTTP_RESPONSE_INIT;
        /* root: no version headers */
        json_auto_t *root = call("GET", "/", NULL, &resp);
        assert_int_equal(resp.status, 200);
        assert_null(http_response_header(&resp, "OpenStack-API-Version"));
        assert_non_null(strstr(
                json_get_str(
                        json_array_get(json_object_get(
                                               json_array_get(json_object_get(root, "versions"), 0),
                                               "links"),
                                       0),
                        "href"),
                "/v1/"));

        /* /v1: version headers, default 1.1 */
        json_auto_t *v1 = call("GET", "/v1/", NULL, &resp);
        assert_int_equal(resp.status, 200);
        assert_string_equal(http_response_header(&resp, "OpenStack-API-Version"),
                            "container-infra 1.1");
        assert_string_equal(http_response_header(&resp, "OpenStack-API-Minimum-Version"),
                            "container-infra 1.1");
        assert_string_equal(http_response_header(&resp, "OpenStack-API-Maximum-Version"),
                            "container-infra 1.10");
        assert_string_equal(http_response_header(&resp, "Vary"), "OpenStack-API-Version");

        /* noauth defaults and client-sent identity */
        const char *latest[] = {"OpenStack-API-Version: container-infra latest", NULL};
        json_auto_t *id = call("GET", "/v1/echo", latest, &resp);
        assert_string_equal(json_get_str(id, "roles"), "admin");
        assert_string_equal(json_get_str(id, "project"), "noauth-project");
        assert_int_equal(json_get_int(id, "minor", 0), 10);
        assert_string_equal(http_response_header(&resp, "OpenStack-API-Version"),
                            "container-infra 1.10");
        const char *member[] = {"X-Roles: member", "X-Project-Id: p1", NULL};
        json_auto_t *id2 = call("GET", "/v1/echo", member, &resp);
        assert_string_equal(json_get_str(id2, "roles"), "member");
        assert_string_equal(json_get_str(id2, "project"), "p1");

        const char *badid[] = {"X-User-Id: u\xff", NULL};
        json_auto_t *id3 = call("GET", "/v1/echo", badid, &resp);
        assert_string_equal(json_get_str(id3, "user"), "u\xef\xbf\xbd");

        /* re-routing under /v1 */
        json_auto_t *rr = call("GET", "/echo", NULL, &resp);
        assert_int_equal(resp.status, 200);
        assert_string_equal(json_get_str(rr, "path"), "/v1/echo");

        /* 406 unsupported: special entry, version headers present */
        const char *bad[] = {"OpenStack-API-Version: container-infra 1.11",
                             "Accept: application/json", NULL};
        json_auto_t *e1 = call("GET", "/v1/echo", bad, &resp);
        assert_int_equal(resp.status, 406);
        assert_string_equal(http_response_header(&resp, "OpenStack-API-Version"),
                            "container-infra 1.11");
        json_t *en = json_array_get(json_object_get(e1, "errors"), 0);
        assert_string_equal(json_get_str(en, "code"), "magnum.microversion-unsupported");
        assert_non_null(strstr(json_get_str(en, "description"), "Version 1.11 was requested"));

        /* 406 malformed: plain webob entry, no version headers */
        const char *bad2[] = {"OpenStack-API-Version: container-infra x",
                              "Accept: application/json", NULL};
        json_auto_t *e2 = call("GET", "/v1/echo", bad2, &resp);
        assert_int_equal(resp.status, 406);
        assert_null(http_response_header(&resp, "OpenStack-API-Version"));
        en = json_array_get(json_object_get(e2, "errors"), 0);
        assert_string_equal(json_get_str(en, "title"), "Not Acceptable");
        assert_string_equal(json_get_str(en, "detail"),
                            "Invalid value for OpenStack-API-Version header");

        /* routing 404 / 405 (webob, no Accept → empty strings) */
        json_auto_t *e3 = call("GET", "/v1/nothing", NULL, &resp);
        assert_int_equal(resp.status, 404);
        en = json_array_get(json_object_get(e3, "errors"), 0);
        assert_string_equal(json_get_str(en, "title"), "");
        assert_string_equal(http_response_header(&resp, "Content-Type"), "application/json");
        const char *aj[] = {"Accept: application/json", NULL};
        json_auto_t *e4 = call("DELETE", "/v1/echo", aj, &resp);
        assert_int_equal(resp.status, 405);
        assert_string_equal(http_response_header(&resp, "Allow"), "GET, POST");
        en = json_array_get(json_object_get(e4, "errors"), 0);
        assert_string_equal(json_get_str(en, "title"), "Method Not Allowed");

        /* handler error: WSME entry */
        json_auto_t *e5 = call("GET", "/v1/missing", NULL, &resp);
        assert_int_equal(resp.status, 404);
        en = json_array_get(json_object_get(e5, "errors"), 0);
        assert_string_equal(json_get_str(en, "title"), "Cluster 1");
        assert_string_equal(json_get_str(en, "code"), "client");

        /* a query key that is not UTF-8, and a Host header that cannot be echoed */
        json_auto_t *e7 = call("GET", "/v1?%ff=1", NULL, &resp);
        assert_int_equal(resp.status, 400);
        en = json_array_get(json_object_get(e7, "errors"), 0);
        assert_string_equal(json_get_str(en, "detail"), "Unknown argument: \"\xef\xbf\xbd\"");
        const char *badhost[] = {"Host: \xff\xfe", NULL};
        json_auto_t *v1b = call("GET", "/v1", badhost, &resp);
        assert_int_equal(resp.status, 200);
        assert_true(str_starts_with(
                json_get_str(json_array_get(json_object_get(v1b, "clusters"), 0), "href"),
                "http://127.0.0.1:"));

        /* unknown query argument on the public documents */
        json_auto_t *e6 = call("GET", "/v1?foo=1", NULL, &resp);
        assert_int_equal(resp.status, 400);
        en = json_array_get(json_object_get(e6, "errors"), 0);
        assert_string_equal(json_get_str(en, "detail"), "Unknown argument: \"foo\"");
        http_response_release(&resp);
}

int main(void)
{
        log_setup("test_api_mw", LOG_LVL_WARN);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_version_parse),    cmocka_unit_test(test_title),
                cmocka_unit_test(test_accept),           cmocka_unit_test(test_envelope),
                cmocka_unit_test(test_public_and_state), cmocka_unit_test(test_docs),
                cmocka_unit_test(test_parsers_random),   cmocka_unit_test(test_http),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
