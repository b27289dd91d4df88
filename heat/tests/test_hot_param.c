/*
 * Unit tests: parameter types, constraints (length, range, modulo, allowed_values,
 * allowed_pattern) with Heat's messages, invalid defaults, schema errors, unknown
 * parameters, parameter_groups, and the template-validate parameter description.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "hot_test_util.h"

struct pcase {
        const char *version;
        const char *param; /* the parameter definition (YAML flow) */
        const char *value; /* -P value or NULL (default used) */
        const char *want;  /* compact JSON of the resolved value, or NULL */
        const char *error; /* "Class: message" or NULL */
};

static const struct pcase cases[] = {
        {"2018-08-31", "{type: string, default: 12}", NULL, "\"12\"", NULL},
        {"2018-08-31", "{type: number}", "1.5", "1.5", NULL},
        {"2018-08-31", "{type: number}", "1e3", "1000.0", NULL},
        {"2018-08-31", "{type: number}", "x1", NULL,
         "StackValidationFailed: Parameter 'p' is invalid: could not convert string to float: "
         "'x1'"},
        {"2018-08-31", "{type: boolean}", "Yes", "true", NULL},
        {"2018-08-31", "{type: boolean}", "maybe", NULL,
         "StackValidationFailed: Parameter 'p' is invalid: Unrecognized value 'maybe', acceptable "
         "values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"},
        {"2018-08-31", "{type: comma_delimited_list}", "a, b,", "[\"a\",\" b\",\"\"]", NULL},
        {"2018-08-31", "{type: comma_delimited_list}", "", "[]", NULL},
        {"2018-08-31", "{type: json}", "{\"a\": 1}", "{\"a\":1}", NULL},
        {"2018-08-31", "{type: json}", "{bad", NULL, NULL},
        {"2018-08-31", "{type: string, constraints: [{length: {min: 3}}]}", "ab", NULL,
         "StackValidationFailed: Parameter 'p' is invalid: length (2) is out of range (min: 3, "
         "max: None)"},
        {"2018-08-31", "{type: number, constraints: [{range: {min: 1, max: 512}}]}", "1000", NULL,
         "StackValidationFailed: Parameter 'p' is invalid: 1000 is out of range (min: 1, max: "
         "512)"},
        {"2018-08-31", "{type: number, constraints: [{modulo: {step: 2, offset: 1}}]}", "4", NULL,
         "StackValidationFailed: Parameter 'p' is invalid: 4 is not a multiple of 2 with an offset "
         "of 1"},
        {"2018-08-31", "{type: number, constraints: [{modulo: {step: 2, offset: 1}}]}", "-3", "-3",
         NULL},
        {"2016-10-14", "{type: number, constraints: [{modulo: {step: 2, offset: 1}}]}", "3", NULL,
         "InvalidSchemaError: No constraint expressed"},
        {"2018-08-31", "{type: string, constraints: [{allowed_values: [a, b]}]}", "c", NULL,
         "StackValidationFailed: Parameter 'p' is invalid: \"c\" is not an allowed value [\"a\", "
         "\"b\"]"},
        {"2018-08-31", "{type: number, constraints: [{allowed_values: [1, 2]}]}", "2.0", "2.0",
         NULL},
        {"2018-08-31", "{type: number, constraints: [{allowed_values: [1, 4, 8]}]}", "42", NULL,
         "StackValidationFailed: Parameter 'p' is invalid: \"42\" is not an allowed value [1, 4, "
         "8]"},
        {"2018-08-31", "{type: comma_delimited_list, constraints: [{allowed_values: [a, b]}]}",
         "a,c", NULL,
         "StackValidationFailed: Parameter 'p' is invalid: [\"a\", \"c\"] is not an allowed value "
         "[\"a\", \"b\"]"},
        {"2018-08-31", "{type: string, constraints: [{allowed_pattern: '[a-z]+'}]}", "abc1", NULL,
         "StackValidationFailed: Parameter 'p' is invalid: \"abc1\" does not match pattern "
         "\"[a-z]+\""},
        {"2018-08-31", "{type: string, constraints: [{allowed_pattern: '^(?!devicemapper$).*'}]}",
         "overlay", "\"overlay\"", NULL},
        {"2018-08-31",
         "{type: string, constraints: [{allowed_pattern: '[a-z]+', description: too bad}]}", "1",
         NULL, "StackValidationFailed: Parameter 'p' is invalid: too bad"},
        {"2018-08-31", "{type: string, default: ab, constraints: [{length: {min: 3}}]}", NULL, NULL,
         "InvalidSchemaError: Parameter 'p' is invalid: Invalid default ab (length (2) is out of "
         "range (min: 3, max: None))"},
        {"2018-08-31", "{type: string, constraints: [{range: {min: 1}}]}", "x", NULL,
         "InvalidSchemaError: Range constraint invalid for string"},
        {"2018-08-31", "{type: string, constraints: [{custom_constraint: nova.flavor}]}",
         "m1.small", "\"m1.small\"", NULL},
        {"2018-08-31", "{type: str}", "x", NULL, "InvalidSchemaError: Invalid type (str)"},
        {"2018-08-31", "{default: 1}", "x", NULL,
         "InvalidSchemaError: Missing parameter type for parameter: p"},
        {"2018-08-31", "{type: string, foo: 1}", "x", NULL,
         "InvalidSchemaError: Invalid key 'foo' for parameter (p)"},
        {"2015-04-30", "{type: string, tags: [a]}", "x", NULL,
         "InvalidSchemaError: Invalid key 'tags' for parameter (p)"},
        {"2018-08-31", "{type: string}", NULL, NULL,
         "UserParameterMissing: The Parameter (p) was not provided."},
};

static void test_params(void **state)
{
        int failures = 0;

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                const struct pcase *c = &cases[i];
                _cleanup_free_ char *text = xasprintf(
                        "heat_template_version: %s\nparameters:\n  p: %s\n", c->version, c->param);
                json_auto_t *params = json_object();
                _cleanup_free_ char *err = NULL, *got = NULL;
                json_auto_t *out = NULL;
                if (c->value)
                        json_object_set_new(params, "p", json_string(c->value));
                out = hot_t_resolve(text, params, NULL, NULL, 0, &err);
                if (out)
                        got = json_dumps(json_object_get(json_object_get(out, "parameters"), "p"),
                                         JSON_COMPACT | JSON_ENCODE_ANY);
                if ((c->want && (!got || strcmp(got, c->want) != 0)) ||
                    (c->error && (!err || strcmp(err, c->error) != 0)) ||
                    (!c->want && !c->error && !err)) {
                        print_error("case %zu %s=%s: got %s / %s\n", i, c->param,
                                    c->value ? c->value : "-", got ? got : "-", err ? err : "-");
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

static void test_validate_api(void **state)
{
        const char *text =
                "heat_template_version: 2018-03-02\n"
                "parameters:\n"
                "  key: {type: string, label: Key, description: d, hidden: true, default: k,\n"
                "        constraints: [{length: {min: 1, max: 9}, description: short},\n"
                "                      {allowed_pattern: '[a-z]+', description: lower}]}\n"
                "  n: {type: number, constraints: [{range: {min: 1}}]}\n"
                "parameter_groups:\n"
                "- {label: g, parameters: [key]}\n";
        json_t *out = NULL;
        json_t *p;
        char *err;
        json_auto_t *unknown = json_pack("{ss}", "zz", "1");

        (void)state;
        err = hot_t_validate(text, NULL, NULL, NULL, 0, &out);
        assert_null(err);
        p = json_object_get(json_object_get(out, "parameters"), "key");
        assert_string_equal(json_string_value(json_object_get(p, "Type")), "String");
        assert_string_equal(json_string_value(json_object_get(p, "NoEcho")), "true");
        assert_string_equal(json_string_value(json_object_get(p, "Label")), "Key");
        assert_int_equal(json_integer_value(json_object_get(p, "MaxLength")), 9);
        assert_string_equal(json_string_value(json_object_get(p, "AllowedPattern")), "[a-z]+");
        assert_string_equal(json_string_value(json_object_get(p, "ConstraintDescription")),
                            "short lower");
        p = json_object_get(json_object_get(out, "parameters"), "n");
        assert_null(json_object_get(p, "Default")); /* missing values are fine in validate */
        assert_int_equal(json_integer_value(json_object_get(p, "MinValue")), 1);
        json_decref(out);

        /* template-validate does not check given values against constraints (Heat 19 echoes
         * them); resolve (create/preview) does */
        json_auto_t *low = json_pack("{ss}", "n", "0");
        err = hot_t_validate(text, low, NULL, NULL, 0, NULL);
        assert_null(err);
        json_t *res = hot_t_resolve(text, low, NULL, NULL, 0, &err);
        assert_null(res);
        assert_string_equal(err, "StackValidationFailed: Parameter 'n' is invalid: 0 is out of "
                                 "range (min: 1, max: None)");
        free(err);

        err = hot_t_validate(text, unknown, NULL, NULL, 0, NULL);
        assert_string_equal(
                err, "UnknownUserParameter: The Parameter (zz) was not defined in template.");
        free(err);

        err = hot_t_validate("heat_template_version: 2018-03-02\nparameters:\n  a: {type: string}\n"
                             "parameter_groups:\n- {label: g, parameters: [a, b]}\n",
                             NULL, NULL, NULL, 0, NULL);
        assert_string_equal(err,
                            "StackValidationFailed: Parameter Groups error: parameter_groups.g: "
                            "The grouped parameter b does not reference a valid parameter.");
        free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_params),
                cmocka_unit_test(test_validate_api),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
