/*
 * Tests for common/keystone: token body parsing (project, domain and trust scoped tokens,
 * catalog lookup) and the validation cache, against a small Keystone stand-in served by
 * common/httpd on an ephemeral port (the integration tests use the real Keystone).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "common/httpd.h"
#include "common/ids.h"
#include "common/json_util.h"
#include "common/keystone.h"

static const char *token_json =
        "{\"token\": {\"methods\": [\"password\"],"
        " \"user\": {\"domain\": {\"id\": \"default\", \"name\": \"Default\"},"
        "  \"id\": \"u-1\", \"name\": \"demo\", \"password_expires_at\": null},"
        " \"audit_ids\": [\"x\"], \"expires_at\": \"2099-01-02T03:04:05.000000Z\","
        " \"issued_at\": \"2026-01-02T03:04:05.000000Z\","
        " \"project\": {\"domain\": {\"id\": \"default\", \"name\": \"Default\"},"
        "  \"id\": \"p-1\", \"name\": \"demo\"}, \"is_domain\": false,"
        " \"roles\": [{\"id\": \"r1\", \"name\": \"member\"}, {\"id\": \"r2\", \"name\": "
        "\"reader\"}],"
        " \"catalog\": [{\"endpoints\": ["
        "   {\"id\": \"e1\", \"interface\": \"public\", \"region_id\": \"RegionOne\","
        "    \"url\": \"http://127.0.0.1:9511/v1\", \"region\": \"RegionOne\"},"
        "   {\"id\": \"e2\", \"interface\": \"internal\", \"region_id\": \"RegionOne\","
        "    \"url\": \"http://10.0.0.1:9511/v1\", \"region\": \"RegionOne\"}],"
        "  \"id\": \"s1\", \"type\": \"container-infra\", \"name\": \"magnum\"},"
        "  {\"endpoints\": [{\"id\": \"e3\", \"interface\": \"public\", \"region_id\": \"Two\","
        "    \"url\": \"http://two:8774/v2.1\"}], \"type\": \"compute\", \"name\": \"nova\"}]}}";

static void test_parse(void **state _unused_)
{
        json_auto_t *j = NULL;
        assert_int_equal(json_parse_limited(token_json, strlen(token_json), 1 << 20, 32, &j, NULL),
                         0);
        struct ks_token *t = NULL;
        assert_int_equal(ks_token_parse("gAAAA-secret", j, &t, NULL), 0);
        assert_string_equal(t->id, "gAAAA-secret");
        assert_string_equal(t->user_id, "u-1");
        assert_string_equal(t->user_name, "demo");
        assert_string_equal(t->user_domain_id, "default");
        assert_string_equal(t->user_domain_name, "Default");
        assert_string_equal(t->project_id, "p-1");
        assert_string_equal(t->project_name, "demo");
        assert_string_equal(t->project_domain_name, "Default");
        assert_int_equal(t->n_roles, 2);
        assert_string_equal(t->roles[1], "reader");
        assert_false(t->is_admin);
        assert_true(ks_token_has_role(t, "MEMBER"));
        assert_null(t->trust_id);
        char buf[33];
        time_format_iso(t->expires_at_us, buf);
        assert_string_equal(buf, "2099-01-02T03:04:05+00:00");

        char *url = NULL;
        assert_int_equal(ks_catalog_url(t, "container-infra", NULL, NULL, &url), 0);
        assert_string_equal(url, "http://127.0.0.1:9511/v1");
        free(url);
        assert_int_equal(ks_catalog_url(t, "container-infra", "internal", "RegionOne", &url), 0);
        assert_string_equal(url, "http://10.0.0.1:9511/v1");
        free(url);
        assert_int_equal(ks_catalog_url(t, "compute", "public", "RegionOne", &url), -ENOENT);
        assert_int_equal(ks_catalog_url(t, "compute", "public", "Two", &url), 0);
        free(url);
        assert_int_equal(ks_catalog_url(t, "image", NULL, NULL, &url), -ENOENT);
        struct ks_token *t2 = ks_token_ref(t);
        ks_token_unref(t);
        assert_string_equal(t2->user_id, "u-1");
        ks_token_unref(t2);
}

static void test_parse_trust_and_admin(void **state _unused_)
{
        const char *s = "{\"token\": {\"user\": {\"id\": \"trustee\", \"name\": \"t\","
                        " \"domain\": {\"id\": \"d1\", \"name\": \"magnum\"}},"
                        " \"expires_at\": \"2099-01-02T03:04:05Z\","
                        " \"roles\": [{\"name\": \"admin\"}],"
                        " \"OS-TRUST:trust\": {\"id\": \"tr-1\", \"impersonation\": false,"
                        "  \"trustee_user\": {\"id\": \"trustee\"},"
                        "  \"trustor_user\": {\"id\": \"trustor\"}},"
                        " \"domain\": {\"id\": \"d1\", \"name\": \"magnum\"}}}";
        json_auto_t *j = json_loads(s, 0, NULL);
        assert_non_null(j);
        struct ks_token *t = NULL;
        assert_int_equal(ks_token_parse(NULL, j, &t, NULL), 0);
        assert_true(t->is_admin);
        assert_null(t->project_id);
        assert_string_equal(t->domain_name, "magnum");
        assert_string_equal(t->trust_id, "tr-1");
        assert_string_equal(t->trustee_user_id, "trustee");
        assert_string_equal(t->trustor_user_id, "trustor");
        assert_int_equal(t->n_catalog, 0);
        ks_token_unref(t);

        static const char *bad[] = {
                "{}",
                "{\"token\": []}",
                "{\"token\": {\"user\": {\"id\": \"u\"}}}",
                "{\"token\": {\"expires_at\": \"2099-01-01T00:00:00Z\"}}",
                "{\"token\": {\"expires_at\": \"tomorrow\", \"user\": {\"id\": \"u\"}}}",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                json_auto_t *b = json_loads(bad[i], 0, NULL);
                struct err e = ERR_INIT;
                assert_int_equal(ks_token_parse("x", b, &t, &e), -EINVAL);
                assert_non_null(e.msg);
                err_clear(&e);
        }
}

/* ---- a Keystone stand-in ---- */

static int n_auth, n_validate;
static bool reject_service_token_once;
static const char *svc_token_value = "svc-token-1";

static int fk_auth(struct httpd_req *req, void *data _unused_)
{
        size_t len;
        const char *body = httpd_req_body(req, &len);
        json_auto_t *j = json_loadb(body, len, 0, NULL);
        const char *pw = NULL;
        (void)json_unpack(j, "{s:{s:{s:{s:{s:s}}}}}", "auth", "identity", "password", "user",
                          "password", &pw);
        n_auth++;
        if (!pw || !streq(pw, "secret")) {
                json_auto_t *err = json_pack("{s:{s:i,s:s,s:s}}", "error", "code", 401, "title",
                                             "Unauthorized", "message", "bad password");
                return httpd_resp_json(req, 401, err);
        }
        svc_token_value = n_auth == 1 ? "svc-token-1" : "svc-token-2";
        httpd_resp_set_header(req, "X-Subject-Token", svc_token_value);
        json_auto_t *t = json_loads(token_json, 0, NULL);
        return httpd_resp_json(req, 201, t);
}

static int fk_validate(struct httpd_req *req, void *data _unused_)
{
        n_validate++;
        const char *auth = httpd_req_header(req, "X-Auth-Token");
        const char *subj = httpd_req_header(req, "X-Subject-Token");
        if (!auth || !streq(auth, svc_token_value) || reject_service_token_once) {
                reject_service_token_once = false;
                return httpd_resp_empty(req, 401);
        }
        if (!subj || !str_starts_with(subj, "good")) {
                json_auto_t *err = json_pack("{s:{s:i,s:s}}", "error", "code", 404, "message",
                                             "Could not find token");
                return httpd_resp_json(req, 404, err);
        }
        json_auto_t *t = json_loads(token_json, 0, NULL);
        if (streq(subj, "good-admin")) {
                json_t *roles = json_object_get(json_object_get(t, "token"), "roles");
                json_array_append_new(roles, json_pack("{s:s}", "name", "admin"));
        }
        return httpd_resp_json(req, 200, t);
}

static const struct httpd_route fk_routes[] = {
        {"POST", "/v3/auth/tokens", fk_auth, NULL, NULL},
        {"GET", "/v3/auth/tokens", fk_validate, NULL, NULL},
};

static void test_session(void **state _unused_)
{
        struct httpd *srv = NULL;
        struct httpd_opts o = {
                .name = "fake-keystone", .routes = fk_routes, .n_routes = 2, .quiet = true};
        assert_int_equal(httpd_start(&o, &srv, NULL), 0);
        char url[64];
        snprintf(url, sizeof(url), "http://127.0.0.1:%d/v3/", httpd_port(srv));

        struct ks_session_opts so = {.auth = {.auth_url = url,
                                              .username = "magnum",
                                              .password = "secret",
                                              .project_name = "service"},
                                     .cache_max = 2};
        struct ks_session *s = NULL;
        assert_int_equal(ks_session_new(&so, &s, NULL), 0);

        struct ks_token *t = NULL;
        struct err e = ERR_INIT;
        assert_int_equal(ks_validate(s, "good-1", &t, &e), 0);
        assert_string_equal(t->user_id, "u-1");
        assert_false(t->is_admin);
        ks_token_unref(t);
        assert_int_equal(n_auth, 1);
        assert_int_equal(n_validate, 1);
        /* cached */
        assert_int_equal(ks_validate(s, "good-1", &t, NULL), 0);
        ks_token_unref(t);
        assert_int_equal(n_validate, 1);
        /* invalid: rejected, then remembered */
        assert_int_equal(ks_validate(s, "bogus", &t, &e), -EACCES);
        err_clear(&e);
        assert_int_equal(ks_validate(s, "bogus", &t, NULL), -EACCES);
        assert_int_equal(n_validate, 2);
        /* admin role */
        assert_int_equal(ks_validate(s, "good-admin", &t, NULL), 0);
        assert_true(t->is_admin);
        ks_token_unref(t);
        /* the cache is bounded (2): good-1 was least recently used and is gone */
        int before = n_validate;
        assert_int_equal(ks_validate(s, "good-1", &t, NULL), 0);
        ks_token_unref(t);
        assert_int_equal(n_validate, before + 1);
        /* Keystone rejects our service token once: re-authenticate and retry */
        ks_cache_clear(s);
        reject_service_token_once = true;
        assert_int_equal(ks_validate(s, "good-2", &t, NULL), 0);
        ks_token_unref(t);
        assert_int_equal(n_auth, 2);

        char *ep = NULL;
        assert_int_equal(ks_session_endpoint(s, "container-infra", "public", NULL, &ep, NULL), 0);
        assert_string_equal(ep, "http://127.0.0.1:9511/v1");
        free(ep);
        assert_int_equal(ks_validate(s, "", &t, NULL), -EINVAL);
        ks_session_free(s);

        /* wrong service password → validation cannot proceed → -EAGAIN (503) */
        so.auth.password = "wrong";
        assert_int_equal(ks_session_new(&so, &s, NULL), 0);
        assert_int_equal(ks_validate(s, "good-1", &t, &e), -EAGAIN);
        assert_non_null(strstr(e.msg, "bad password"));
        err_clear(&e);
        struct ks_token *svc = NULL;
        assert_int_equal(ks_session_token(s, &svc, NULL), -EACCES);
        ks_session_free(s);
        httpd_stop(srv);

        /* Keystone down */
        so.auth.password = "secret";
        assert_int_equal(ks_session_new(&so, &s, NULL), 0);
        assert_int_equal(ks_validate(s, "good-1", &t, NULL), -EAGAIN);
        ks_session_free(s);
}

int main(void)
{
        log_setup("test_keystone", LOG_LVL_WARN);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_parse_trust_and_admin),
                cmocka_unit_test(test_session),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
