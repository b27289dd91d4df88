/*
 * Unit tests: template versions and sections, conditions, resource definitions, and
 * environments (sections, registry aliases/globs/template resources, merge order).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "hot_test_util.h"

static void expect_error(const char *text, const char *want)
{
        char *err = hot_t_validate(text, NULL, NULL, NULL, 0, NULL);

        if (!err || strcmp(err, want) != 0)
                fail_msg("got %s, want %s", err ? err : "ok", want);
        free(err);
}

static void test_versions_sections(void **state)
{
        (void)state;
        expect_error(
                "heat_template_version: 2099-01-01\n",
                "InvalidTemplateVersion: The template version is invalid: \"heat_template_version: "
                "2099-01-01\". \"heat_template_version\" should be one of: 2013-05-23, 2014-10-16, "
                "2015-04-30, 2015-10-15, 2016-04-08, 2016-10-14, 2017-02-24, 2017-09-01, "
                "2018-03-02, "
                "2018-08-31, 2021-04-16, newton, ocata, pike, queens, rocky, wallaby");
        expect_error("heat_template_version: 2015-04-30\nfoo: {}\n",
                     "InvalidTemplateSection: The template section is invalid: foo");
        expect_error("heat_template_version: 2015-04-30\nconditions: {}\n",
                     "InvalidTemplateSection: The template section is invalid: conditions");
        expect_error("description: x\n", "ValueError: Template format version not found.");
        expect_error("- 1\n", "ValueError: The template is not a JSON object or YAML mapping.");
        expect_error("heat_template_version: 2015-04-30\nresources:\n  r: {typo: x}\n",
                     "StackValidationFailed: \"typo\" is not a valid keyword inside a resource "
                     "definition");
        expect_error("heat_template_version: 2015-04-30\nresources:\n  r: {type: OS::Foo::Bar}\n",
                     "StackValidationFailed: The Resource Type (OS::Foo::Bar) could not be found.");
        expect_error(
                "heat_template_version: 2015-04-30\nresources:\n  r: {type: OS::Heat::None, "
                "depends_on: nope}\n",
                "InvalidTemplateReference: The specified reference \"nope\" (in r) is incorrect.");
        expect_error("heat_template_version: 2015-04-30\nresources:\n  r:\n    type: "
                     "OS::Heat::RandomString\n"
                     "    properties: {lenght: 3}\n",
                     "StackValidationFailed: Property error: resources.r.properties: Unknown "
                     "Property lenght");
        expect_error(
                "heat_template_version: 2015-04-30\nresources:\n  r:\n    type: OS::Heat::Value\n"
                "    properties: {value: {get_resource: q}}\n",
                "InvalidTemplateReference: The specified reference \"q\" (in r.Properties.value) "
                "is incorrect.");
        expect_error("heat_template_version: 2015-04-30\nparameters:\n  r: {type: string}\n"
                     "resources:\n  r: {type: OS::Heat::None}\n",
                     "StackValidationFailed: Duplicate names {'r'}");
        expect_error(
                "heat_template_version: 2015-04-30\noutputs:\n  o: {description: x}\n",
                "StackValidationFailed: Output validation error: outputs.o: Each output definition "
                "must contain a value key.");
        expect_error("heat_template_version: 2016-10-14\nresources:\n  r: {type: OS::Heat::None, "
                     "deletion_policy: Keep}\n",
                     "StackValidationFailed: Invalid deletion policy \"Keep\"");
        /* the nodes in progress when the first cycle is found (a and c are finished first) */
        expect_error("heat_template_version: 2018-08-31\nresources:\n"
                     "  a: {type: OS::Heat::None, depends_on: c}\n"
                     "  b: {type: OS::Heat::None, depends_on: [c, d]}\n"
                     "  c: {type: OS::Heat::None}\n"
                     "  d: {type: OS::Heat::Value, properties: {value: {get_resource: e}}}\n"
                     "  e: {type: OS::Heat::None, depends_on: [c, f]}\n"
                     "  f: {type: OS::Heat::None, depends_on: [d]}\n",
                     "CircularDependencyException: Circular Dependency Found: {NoneResource "
                     "\"b\": {Value \"d\"}, Value \"d\": {NoneResource \"e\"}, NoneResource "
                     "\"e\": {NoneResource \"f\"}, NoneResource \"f\": {Value \"d\"}}");
}

static void test_conditions(void **state)
{
        const char *text = "heat_template_version: 2016-10-14\n"
                           "parameters:\n  env: {type: string, default: prod}\n"
                           "conditions:\n"
                           "  prod: {equals: [{get_param: env}, prod]}\n"
                           "  notprod: {not: prod}\n"
                           "  both: {and: [prod, {not: notprod}]}\n"
                           "resources:\n"
                           "  a: {type: OS::Heat::None, condition: prod}\n"
                           "  b: {type: OS::Heat::None, condition: notprod, depends_on: a}\n"
                           "outputs:\n"
                           "  o: {value: {if: [both, {get_resource: a}, {get_resource: b}]}}\n"
                           "  p: {value: 1, condition: notprod}\n";
        char *err = NULL;
        json_auto_t *out = hot_t_resolve(text, NULL, NULL, NULL, 0, &err);

        (void)state;
        assert_null(err);
        assert_true(json_is_true(json_object_get(json_object_get(out, "conditions"), "both")));
        assert_non_null(json_object_get(json_object_get(out, "resources"), "a"));
        assert_null(json_object_get(json_object_get(out, "resources"), "b"));
        assert_string_equal(
                json_string_value(json_object_get(json_object_get(out, "outputs"), "o")), "a");
        assert_null(json_object_get(json_object_get(out, "outputs"), "p"));

        expect_error("heat_template_version: 2016-10-14\nconditions:\n  c: {get_attr: [a, b]}\n",
                     "StackValidationFailed: conditions.c.get_attr: The function \"get_attr\" is "
                     "invalid in this context");
        expect_error("heat_template_version: 2016-10-14\nconditions:\n  c: yes_please\n",
                     "StackValidationFailed: Condition validation error: The definition of "
                     "condition \"c\" is invalid: yes_please");
        expect_error(
                "heat_template_version: 2016-10-14\nconditions:\n  a: {not: b}\n  b: {not: a}\n"
                "resources:\n  r: {type: OS::Heat::None, condition: a}\n",
                "StackValidationFailed: Condition validation error: Circular definition for "
                "condition \"a\"");
        expect_error("heat_template_version: 2016-10-14\nresources:\n  r: {type: OS::Heat::None, "
                     "condition: zz}\n",
                     "StackValidationFailed: resources.r.condition: Invalid condition \"zz\"");
        expect_error("heat_template_version: 2016-10-14\nconditions:\n  c: {and: [true]}\n",
                     "StackValidationFailed: conditions.c.and: The minimum number of condition "
                     "arguments to \"and\" is 2.");
}

static void test_environment(void **state)
{
        const char *tmpl = "heat_template_version: queens\n"
                           "parameters:\n  a: {type: string, default: t}\n  b: {type: string}\n"
                           "  l: {type: comma_delimited_list, default: ''}\n"
                           "resources:\n"
                           "  x: {type: My::Alias}\n"
                           "  y: {type: Glob::Value, properties: {value: 1}}\n"
                           "  w: {type: Many::Anything}\n"
                           "  z: {type: My::Nested, properties: {size: 1}}\n"
                           "outputs:\n  a: {value: {get_param: a}}\n  b: {value: {get_param: b}}\n"
                           "  l: {value: {get_param: l}}\n";
        json_auto_t *files = json_pack(
                "{ss ss ss ss}", "e1.yaml",
                "parameters: {b: from-e1}\nparameter_defaults: {a: d1}\n"
                "resource_registry:\n  My::Alias: OS::Heat::None\n  Glob::*: OS::Heat::*\n  "
                "Many::*: OS::Heat::None\n"
                "  My::Nested: nested.yaml\n",
                "e2.yaml",
                "parameters: {b: from-e2, l: p}\nparameter_merge_strategies: {l: merge}\n",
                "e3.yaml", "parameters: {l: q}\nparameter_merge_strategies: {l: merge}\n",
                "/nonexistent/nested.yaml",
                "heat_template_version: 2015-04-30\nparameters:\n  size: {type: number}\n");
        const char *envs[] = {"e1.yaml", "e2.yaml", "e3.yaml"};
        json_auto_t *params = json_pack("{ss}", "b", "from-request");
        char *err = NULL;
        json_auto_t *out = NULL;
        json_t *o;

        (void)state;
        /* the registry value nested.yaml resolves against the env file's directory; give it
         * in the files map under the path the CLI would look up */
        json_object_set_new(files, "./nested.yaml",
                            json_string("heat_template_version: 2015-04-30\nparameters:\n  size: "
                                        "{type: number}\n"));
        out = hot_t_resolve(tmpl, params, files, envs, 3, &err);
        if (err)
                fail_msg("%s", err);
        o = json_object_get(out, "outputs");
        assert_string_equal(json_string_value(json_object_get(o, "a")), "d1");
        /* an environment file's parameters override the request's (Heat's merge order) */
        assert_string_equal(json_string_value(json_object_get(o, "b")), "from-e2");
        /* merge strategy: comma-joined */
        assert_int_equal(json_array_size(json_object_get(o, "l")), 2);
        /* the caller's parameters are left as they were */
        assert_int_equal(json_object_size(params), 1);
        assert_string_equal(json_string_value(json_object_get(params, "b")), "from-request");
        o = json_object_get(out, "resources");
        assert_string_equal(json_string_value(json_object_get(json_object_get(o, "x"), "type")),
                            "OS::Heat::None");
        assert_string_equal(json_string_value(json_object_get(json_object_get(o, "y"), "type")),
                            "OS::Heat::Value");
        assert_string_equal(json_string_value(json_object_get(json_object_get(o, "w"), "type")),
                            "OS::Heat::None");
        json_decref(out);
        out = NULL;

        {
                json_auto_t *f2 = json_pack("{ss}", "bad.yaml", "paramters: {}\n");
                const char *e[] = {"bad.yaml"};
                char *msg = hot_t_validate(tmpl, NULL, f2, e, 1, NULL);
                assert_string_equal(msg, "ValueError: environment has wrong section \"paramters\"");
                free(msg);
        }
}

/* resolve's depends_on: validation's references (to resources declared before or after) plus
 * depends_on */
static void test_resolve_depends_on(void **state)
{
        static const char text[] =
                "heat_template_version: 2018-08-31\n"
                "resources:\n"
                "  a:\n"
                "    type: OS::Heat::Value\n"
                "    properties: {value: [{get_attr: [b, value]}, {get_resource: c}]}\n"
                "  b: {type: OS::Heat::RandomString}\n"
                "  c: {type: OS::Heat::None}\n"
                "  d:\n"
                "    type: OS::Heat::Value\n"
                "    properties: {value: [{get_attr: [b, value]}, {get_resource: c}]}\n"
                "    metadata: {x: {get_resource: a}}\n"
                "  e: {type: OS::Heat::None, depends_on: [d, c]}\n";
        static const char *const want[][2] = {
                {"a", "[\"b\",\"c\"]"}, {"b", "[]"}, {"c", "[]"}, {"d", "[\"a\",\"b\",\"c\"]"},
                {"e", "[\"c\",\"d\"]"},
        };
        char *err = NULL;
        json_auto_t *out = hot_t_resolve(text, NULL, NULL, NULL, 0, &err);

        (void)state;
        if (!out)
                fail_msg("%s", err);
        for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
                json_t *r = json_object_get(json_object_get(out, "resources"), want[i][0]);
                _cleanup_free_ char *got =
                        json_dumps(json_object_get(r, "depends_on"), JSON_COMPACT);
                assert_string_equal(got, want[i][1]);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_versions_sections),
                cmocka_unit_test(test_conditions),
                cmocka_unit_test(test_environment),
                cmocka_unit_test(test_resolve_depends_on),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
