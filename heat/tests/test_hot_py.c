/* Unit tests: Python json.dumps(sort_keys=True), str()/repr(), float repr and equality. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "common/json_util.h"
#include "heat/hot_py.h"

static void check_dumps(const char *json, const char *want)
{
        json_auto_t *j = json_loads(json, JSON_DECODE_ANY, NULL);
        _cleanup_free_ char *got = NULL;

        assert_non_null(j);
        got = hot_py_json_dup(j);
        assert_string_equal(got, want);
}

static void test_json_dumps(void **state)
{
        (void)state;
        check_dumps("{\"b\": 1, \"a\": [true, null, 1.5, \"x\"]}",
                    "{\"a\": [true, null, 1.5, \"x\"], \"b\": 1}");
        check_dumps("{}", "{}");
        check_dumps("[]", "[]");
        check_dumps("\"caf\\u00e9 \\ud83d\\ude00 \\n\\t\\\"\"",
                    "\"caf\\u00e9 \\ud83d\\ude00 \\n\\t\\\"\"");
        check_dumps("1e16", "1e+16");
        check_dumps("0.0001", "0.0001");
        check_dumps("0.00001", "1e-05");
        check_dumps("100.0", "100.0");
}

static void test_str_repr(void **state)
{
        json_auto_t *j = json_loads("{\"k\": [true, null, \"it's\", 2.0]}", 0, NULL);
        _cleanup_free_ char *r = hot_py_repr_dup(j);
        _cleanup_free_ char *s = NULL;
        json_auto_t *t = json_true();

        (void)state;
        assert_string_equal(r, "{'k': [True, None, \"it's\", 2.0]}");
        s = hot_py_str_dup(t);
        assert_string_equal(s, "True");
}

static void test_eq(void **state)
{
        json_auto_t *one = json_integer(1), *onef = json_real(1.0), *t = json_true(),
                    *s1 = json_string("1"), *zero = json_integer(0), *f = json_false();

        (void)state;
        assert_true(hot_py_eq(one, onef));
        assert_true(hot_py_eq(one, t));
        assert_true(hot_py_eq(zero, f));
        assert_false(hot_py_eq(one, s1));
        assert_false(hot_py_eq(zero, t));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_json_dumps),
                cmocka_unit_test(test_str_repr),
                cmocka_unit_test(test_eq),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
