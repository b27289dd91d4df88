/* Unit tests: YAML 1.1 typing as PyYAML's SafeLoader gives it to Heat, JSON-first, errors. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "common/json_util.h"
#include "heat/hot_yaml.h"

static json_t *load(const char *text)
{
        json_t *j = NULL;
        struct hot_err he = HOT_ERR_INIT;

        assert_int_equal(hot_yaml_load(text, strlen(text), NULL, &j, &he), 0);
        return j;
}

static void expect_scalar(const char *yaml_value, const char *json)
{
        _cleanup_free_ char *doc = xasprintf("v: %s\n", yaml_value);
        json_auto_t *j = load(doc);
        _cleanup_free_ char *got = json_dumps(json_object_get(j, "v"), JSON_ENCODE_ANY);

        if (strcmp(got, json) != 0)
                fail_msg("%s -> %s, expected %s", yaml_value, got, json);
}

static void test_yaml11_scalars(void **state)
{
        (void)state;
        expect_scalar("yes", "true");
        expect_scalar("On", "true");
        expect_scalar("NO", "false");
        expect_scalar("off", "false");
        expect_scalar("y", "\"y\"");
        expect_scalar("~", "null");
        expect_scalar("Null", "null");
        expect_scalar("", "null");
        expect_scalar("0755", "493");
        expect_scalar("08", "\"08\"");
        expect_scalar("0x1f", "31");
        expect_scalar("0b101", "5");
        expect_scalar("1_000", "1000");
        expect_scalar("-12", "-12");
        expect_scalar("1:30", "90");
        expect_scalar("1e3", "\"1e3\"");
        expect_scalar("1.0e+3", "1000.0");
        expect_scalar("1.5", "1.5");
        expect_scalar(".5", "0.5");
        expect_scalar("2016-10-14", "\"2016-10-14\"");
        expect_scalar("2001-12-14t21:59:43.10-05:00", "\"2001-12-14t21:59:43.10-05:00\"");
        expect_scalar("'yes'", "\"yes\"");
        expect_scalar("\"0755\"", "\"0755\"");
        expect_scalar("!!str 12", "\"12\"");
        expect_scalar("!!int \"12\"", "12");
        expect_scalar(".inf", "\"inf\""); /* JSON has no infinity: Python str() form */
        /* words near the bool/null ones stay strings */
        expect_scalar("yEs", "\"yEs\"");
        expect_scalar("nul", "\"nul\"");
        expect_scalar("nulls", "\"nulls\"");
        expect_scalar("offf", "\"offf\"");
        expect_scalar("type", "\"type\"");
        expect_scalar("~~", "\"~~\"");
        expect_scalar("\"a\\0b\"", "\"a\\u0000b\"");
}

/* keys are typed like values, then made strings as Python's str() would */
static void test_yaml11_keys(void **state)
{
        json_auto_t *j = load("yes: 1\nOff: 2\n~: 3\n12: 4\n0x1f: 5\ntype: 6\nnulls: 7\n"
                              "'on': 8\n? \"a\\0b\"\n: 9\n");
        static const char *const want[] = {"True", "False", "None", "12", "31",
                                           "type", "nulls", "on",   "a"};

        (void)state;
        assert_int_equal(json_object_size(j), ARRAY_SIZE(want));
        for (size_t i = 0; i < ARRAY_SIZE(want); i++)
                if (!json_object_get(j, want[i]))
                        fail_msg("key %s missing", want[i]);
}

static void test_structure(void **state)
{
        json_auto_t *j = NULL;

        (void)state;
        /* duplicate keys: the last one wins (PyYAML dict assignment) */
        j = load("a: 1\nb: 2\na: 3\n");
        assert_int_equal(json_integer_value(json_object_get(j, "a")), 3);
        json_decref(j);
        /* merge keys and aliases */
        j = load("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "m"), "x")), 1);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "m"), "y")), 3);
        json_decref(j);
        /* JSON text is parsed as JSON: no YAML typing of string values */
        j = load("{\"v\": \"yes\", \"n\": 1.0}");
        assert_string_equal(json_string_value(json_object_get(j, "v")), "yes");
        json_decref(j);
        /* an empty document is null */
        j = load("");
        assert_true(json_is_null(j));
        json_decref(j);
        j = NULL;
}

static void test_errors(void **state)
{
        struct hot_err he = HOT_ERR_INIT;
        json_t *j = NULL;
        const char *bad = "a: [1, 2\n";
        struct strbuf deep = STRBUF_INIT;

        (void)state;
        assert_int_equal(hot_yaml_load(bad, strlen(bad), NULL, &j, &he), -EINVAL);
        assert_string_equal(he.type, "ValueError");
        assert_true(str_starts_with(he.message, "Error parsing template [root stack] "));
        assert_non_null(strstr(he.message, "line 2, column 1"));
        hot_err_clear(&he);
        /* unknown tag: PyYAML's constructor error with a snippet */
        assert_int_equal(hot_yaml_load("a: !foo x\n", 10, NULL, &j, &he), -EINVAL);
        assert_non_null(strstr(he.message, "could not determine a constructor for the tag '!foo'"));
        assert_non_null(strstr(he.message, "    a: !foo x\n       ^"));
        hot_err_clear(&he);
        /* a plain "=" or "<<" as a value resolves to the value / merge tag, which PyYAML's
         * SafeConstructor cannot build; as keys they are a string and a merge */
        static const struct {
                const char *text, *tag, *snippet;
        } special[] = {
                {"a: =\n", "tag:yaml.org,2002:value", "    a: =\n       ^"},
                {"a: <<\n", "tag:yaml.org,2002:merge", "    a: <<\n       ^"},
                {"a: [1, =]\n", "tag:yaml.org,2002:value", "    a: [1, =]\n           ^"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(special); i++) {
                assert_int_equal(
                        hot_yaml_load(special[i].text, strlen(special[i].text), NULL, &j, &he),
                        -EINVAL);
                _cleanup_free_ char *want = xasprintf(
                        "could not determine a constructor for the tag '%s'", special[i].tag);
                assert_non_null(strstr(he.message, want));
                assert_non_null(strstr(he.message, special[i].snippet));
                hot_err_clear(&he);
        }
        static const struct {
                const char *text, *json;
        } fine[] = {
                {"=: 1\n", "{\"=\":1}"},
                {"a: \"=\"\n", "{\"a\":\"=\"}"},
                {"a: !!str <<\n", "{\"a\":\"<<\"}"},
                {"x: &b {k: 1}\ny: {<<: *b, z: 2}\n", "{\"x\":{\"k\":1},\"y\":{\"k\":1,\"z\":2}}"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(fine); i++) {
                json_t *v = NULL;
                if (hot_yaml_load(fine[i].text, strlen(fine[i].text), NULL, &v, &he) < 0)
                        fail_msg("%s: %s", fine[i].text, he.message);
                _cleanup_free_ char *got = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
                assert_string_equal(got, fine[i].json);
                json_decref(v);
        }
        /* nesting limit */
        for (int i = 0; i < 300; i++)
                strbuf_addch(&deep, '[');
        assert_int_equal(hot_yaml_load(deep.buf, deep.len, NULL, &j, &he), -EINVAL);
        hot_err_clear(&he);
        strbuf_release(&deep);
        /* alias bomb: bounded by the node limit */
        {
                struct strbuf b = STRBUF_INIT;
                strbuf_addstr(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
                for (int i = 1; i < 12; i++)
                        strbuf_addf(&b,
                                    "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
                                    "*a%d, *a%d]\n",
                                    i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                                    i - 1, i - 1);
                assert_int_equal(hot_yaml_load(b.buf, b.len, NULL, &j, &he), -EINVAL);
                assert_non_null(strstr(he.message, "too many nodes"));
                hot_err_clear(&he);
                strbuf_release(&b);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_yaml11_scalars),
                cmocka_unit_test(test_yaml11_keys),
                cmocka_unit_test(test_structure),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
