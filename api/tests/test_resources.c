/*
 * Unit tests of the resource layer's pure pieces: WSME-style body parsing (schema.c), Magnum's
 * JSON-patch rules (jsonpatch.c) and the policy engine (policy.c).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "api/jsonpatch.h"
#include "api/policy.h"
#include "api/schema.h"
#include "common/json_util.h"

static json_t *J(const char *s)
{
        json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
        assert_non_null(j);
        return j;
}

static void parse_expect_error(const struct schema *s, const char *body, const char *msg)
{
        json_auto_t *b = J(body);
        json_auto_t *out = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(schema_parse_body(s, b, &out, &e), -EINVAL);
        assert_string_equal(err_msg(&e), msg);
}

static void test_ct_body_rules(void **state)
{
        (void)state;
        parse_expect_error(&schema_cluster_template,
                           "{\"image_id\":\"i\",\"coe\":\"kubernetes\",\"bogus\":1}",
                           "Unknown attribute for argument cluster_template: bogus");
        parse_expect_error(&schema_cluster_template, "{\"image_id\":\"i\"}",
                           "Invalid input for field/attribute coe. Value: 'None'. Mandatory "
                           "field missing.");
        parse_expect_error(&schema_cluster_template,
                           "{\"image_id\":\"i\",\"coe\":\"kubernetes\",\"project_id\":\"p\"}",
                           "Invalid input for field/attribute project_id. Value: 'p'. Cannot set "
                           "read only field.");
        parse_expect_error(&schema_cluster_template,
                           "{\"image_id\":\"i\",\"coe\":\"kubernetes\",\"name\":\"\"}",
                           "Invalid input for field/attribute name. Value: ''. Value should have "
                           "a minimum character requirement of 1");
        parse_expect_error(&schema_cluster_template,
                           "{\"image_id\":\"i\",\"coe\":\"kubernetes\",\"docker_volume_size\":0}",
                           "Invalid input for field/attribute docker_volume_size. Value: '0'. "
                           "Value should be greater or equal to 1");
        parse_expect_error(
                &schema_cluster_template,
                "{\"image_id\":\"i\",\"coe\":\"kubernetes\",\"dns_nameserver\":\"8.8.8.x\"}",
                "Invalid input for field/attribute dns_nameserver. Value: '8.8.8.x'. "
                "Invalid DNS nameserver: 8.8.8.x");
}

static void test_ct_body_defaults_and_coercion(void **state)
{
        (void)state;
        json_auto_t *b = J("{\"image_id\":\"i\",\"coe\":\"swarm\",\"docker_volume_size\":\"3\","
                           "\"labels\":{\"a\":true,\"b\":1,\"c\":\"x\"},\"flavor_id\":null}");
        json_auto_t *out = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(schema_parse_body(&schema_cluster_template, b, &out, &e), 0);
        assert_int_equal(json_integer_value(json_object_get(out, "docker_volume_size")), 3);
        json_t *labels = json_object_get(out, "labels");
        assert_string_equal(json_string_value(json_object_get(labels, "a")), "True");
        assert_string_equal(json_string_value(json_object_get(labels, "b")), "1");
        assert_true(json_is_null(json_object_get(out, "flavor_id")));
        assert_true(json_is_true(json_object_get(out, "floating_ip_enabled")));
        assert_string_equal(json_string_value(json_object_get(out, "server_type")), "vm");
}

static void test_cluster_list_view_echoes_defaults(void **state)
{
        (void)state;
        json_auto_t *row = J("{\"uuid\":\"u\",\"name\":\"n\",\"node_count\":3,\"labels\":{},"
                             "\"api_address\":\"x\",\"keypair\":null}");
        json_auto_t *v = schema_render(&schema_cluster, row, true);
        assert_true(json_is_false(json_object_get(v, "merge_labels")));
        assert_null(json_object_get(v, "api_address"));
        assert_true(json_is_null(json_object_get(v, "keypair")));
        assert_true(json_is_null(json_object_get(v, "health_status")));
        json_auto_t *ng = J("{\"uuid\":\"u\",\"min_node_count\":2,\"max_node_count\":5}");
        json_auto_t *nv = schema_render(&schema_nodegroup, ng, true);
        assert_int_equal(json_integer_value(json_object_get(nv, "min_node_count")), 0);
        assert_true(json_is_null(json_object_get(nv, "max_node_count")));
}

static const char *const internal[] = {"/uuid", "/project_id", NULL};
static const char *const nonremovable[] = {"/coe", NULL};

static void patch_expect_error(const char *doc, const char *patch, const char *msg)
{
        json_auto_t *p = J(patch);
        json_auto_t *d = J(doc);
        struct patch_rules pr = {internal, nonremovable};
        _cleanup_err_ struct err e = ERR_INIT;
        int r = jsonpatch_validate(p, &pr, &e);
        if (r == 0) {
                json_auto_t *out = NULL;
                r = jsonpatch_apply(d, p, &out, &e);
        }
        assert_int_equal(r, -EINVAL);
        assert_string_equal(err_msg(&e), msg);
}

static void test_patch_rules(void **state)
{
        (void)state;
        const char *doc = "{\"name\":\"a\",\"coe\":\"k\",\"labels\":{},\"tags\":null}";
        patch_expect_error(doc, "[{\"op\":\"replace\",\"path\":\"/uuid\",\"value\":\"x\"}]",
                           "'/uuid' is an internal attribute and can not be updated");
        patch_expect_error(doc, "[{\"op\":\"remove\",\"path\":\"/coe\"}]",
                           "'/coe' is a mandatory attribute and can not be removed");
        patch_expect_error(doc, "[{\"op\":\"add\",\"path\":\"/name\"}]",
                           "'add' and 'replace' operations needs value");
        patch_expect_error(doc, "[{\"op\":\"add\",\"path\":\"/nope\",\"value\":1}]",
                           "Adding a new attribute /nope to the root of the resource is not "
                           "allowed.");
        patch_expect_error(doc, "[{\"op\":\"add\",\"path\":\"/name\",\"value\":\"b\"}]",
                           "The attribute /name has existed, please use 'replace' operation "
                           "instead.");
        patch_expect_error(doc, "[{\"op\":\"move\",\"path\":\"/name\",\"value\":\"b\"}]",
                           "Invalid input for field/attribute op. Value: 'move'. Value should be "
                           "one of: add, replace, remove");
        patch_expect_error(doc, "{\"op\":\"add\"}",
                           "Invalid input for field/attribute patch. Value: '{'op': 'add'}'. "
                           "Wrong type. Expected '[<class "
                           "'magnum.api.controllers.v1.types.JsonPatchType'>]', got '<class "
                           "'dict'>'");
}

static void test_patch_apply_labels_literal(void **state)
{
        (void)state;
        json_auto_t *d = J("{\"labels\":{\"a\":\"1\"},\"tags\":null}");
        json_auto_t *p = J("[{\"op\":\"replace\",\"path\":\"/labels\",\"value\":\"{'k': 'v', "
                           "'n': 2, 'b': True}\"},{\"op\":\"add\",\"path\":\"/tags\",\"value\":"
                           "\"t\"}]");
        json_auto_t *out = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(jsonpatch_apply(d, p, &out, &e), 0);
        json_t *l = json_object_get(out, "labels");
        assert_string_equal(json_string_value(json_object_get(l, "k")), "v");
        assert_int_equal(json_integer_value(json_object_get(l, "n")), 2);
        assert_true(json_is_true(json_object_get(l, "b")));
        assert_null(json_object_get(l, "a"));
        assert_string_equal(json_string_value(json_object_get(out, "tags")), "t");
}

/* A literal Python reads as infinity (1e999) must not take the API down; Magnum ends up with
 * str(inf) == "inf" as the label value. */
static void test_patch_labels_literal_infinity(void **state)
{
        (void)state;
        json_auto_t *d = J("{\"labels\":{}}");
        json_auto_t *p = J("[{\"op\":\"replace\",\"path\":\"/labels\",\"value\":\"{'a': 1e999, "
                           "'b': -1e999, 'c': 2.5}\"}]");
        json_auto_t *out = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(jsonpatch_apply(d, p, &out, &e), 0);
        json_t *l = json_object_get(out, "labels");
        assert_string_equal(json_string_value(json_object_get(l, "a")), "inf");
        assert_string_equal(json_string_value(json_object_get(l, "b")), "-inf");
        assert_true(json_real_value(json_object_get(l, "c")) == 2.5);
}

static void test_policy_defaults(void **state)
{
        (void)state;
        struct policy *p = NULL;
        assert_int_equal(policy_load(NULL, &p, NULL), 0);
        const char *member[] = {"member"}, *admin[] = {"admin"};
        struct policy_creds demo = {"u1", "p1", "default", member, 1};
        struct policy_creds adm = {"a1", "pa", "default", admin, 1};
        json_auto_t *own = J("{\"project_id\":\"p1\",\"user_id\":\"u1\"}");
        json_auto_t *other = J("{\"project_id\":\"p2\",\"user_id\":\"u2\"}");
        assert_true(policy_check(p, "clustertemplate:update", &demo, own));
        assert_false(policy_check(p, "clustertemplate:update", &demo, other));
        assert_true(policy_check(p, "clustertemplate:update", &adm, other));
        assert_false(policy_check(p, "magnum-service:get_all", &demo, NULL));
        assert_true(policy_check(p, "magnum-service:get_all", &adm, NULL));
        assert_false(policy_check(p, "certificate:get", &demo, other));
        json_auto_t *trustee = J("{\"project_id\":\"p2\",\"user_id\":\"u2\","
                                 "\"trustee_user_id\":\"u1\"}");
        assert_true(policy_check(p, "certificate:get", &demo, trustee));
        /* the trustee domain is denied cluster APIs */
        struct policy_creds tr = {"t1", "p1", "tdom", member, 1};
        json_auto_t *tt = J("{\"project_id\":\"p1\",\"trustee_domain_id\":\"tdom\"}");
        assert_false(policy_check(p, "cluster:create", &tr, tt));
        assert_true(policy_check(p, "cluster:create", &demo, tt));
        bool r;
        assert_int_equal(
                policy_eval_string(p, "(role:member and not role:admin) or !", &demo, NULL, &r), 0);
        assert_true(r);
        assert_int_equal(policy_eval_string(p, "role:", &demo, NULL, &r), 0);
        assert_int_equal(policy_eval_string(p, "(role:member", &demo, NULL, &r), -EINVAL);
        policy_free(p);
}

static void test_policy_yaml_override(void **state)
{
        (void)state;
        char path[] = "/tmp/mc-policy-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        const char *y = "\"magnum-service:get_all\": \"role:member\"\n"
                        "\"cluster:create\": \"!\"\n";
        assert_int_equal(write(fd, y, strlen(y)), (ssize_t)strlen(y));
        close(fd);
        struct policy *p = NULL;
        assert_int_equal(policy_load(path, &p, NULL), 0);
        unlink(path);
        const char *member[] = {"member"};
        struct policy_creds demo = {"u1", "p1", "default", member, 1};
        assert_true(policy_check(p, "magnum-service:get_all", &demo, NULL));
        assert_false(policy_check(p, "cluster:create", &demo, NULL));
        policy_free(p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ct_body_rules),
                cmocka_unit_test(test_patch_labels_literal_infinity),
                cmocka_unit_test(test_ct_body_defaults_and_coercion),
                cmocka_unit_test(test_cluster_list_view_echoes_defaults),
                cmocka_unit_test(test_patch_rules),
                cmocka_unit_test(test_patch_apply_labels_literal),
                cmocka_unit_test(test_policy_defaults),
                cmocka_unit_test(test_policy_yaml_override),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
