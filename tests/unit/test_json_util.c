/* Unit tests for common/json_util: limits on size and depth, parse errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/common.h"
#include "common/json_util.h"

static void test_parse_ok(void **state)
{
        (void)state;
        json_auto_t *j = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        const char *s = "{\"a\": [1, 2, {\"b\": \"x\"}], \"t\": true}";
        assert_int_equal(json_parse_limited(s, strlen(s), 1024, 8, &j, &e), 0);
        assert_true(json_get_bool(j, "t", false));
        _cleanup_free_ char *out = json_dump_compact(j);
        assert_string_equal(out, "{\"a\":[1,2,{\"b\":\"x\"}],\"t\":true}");
}

static void test_size_limit(void **state)
{
        (void)state;
        json_t *j = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        const char *s = "[1,2,3,4,5,6,7,8,9,10]";
        assert_int_equal(json_parse_limited(s, strlen(s), 10, 8, &j, &e), -EFBIG);
        assert_null(j);
        assert_string_equal(e.msg, "JSON document is larger than 10 bytes");
}

static void test_depth_limit(void **state)
{
        (void)state;
        json_t *j = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        for (int i = 0; i < 100; i++)
                strbuf_addch(&sb, '[');
        for (int i = 0; i < 100; i++)
                strbuf_addch(&sb, ']');
        assert_int_equal(json_parse_limited(sb.buf, sb.len, 1 << 20, 64, &j, &e), -ELOOP);
        /* brackets inside strings do not count */
        const char *s = "{\"k\": \"[[[[[[[[[[[[[[[[[[[[\\\"[[[[\"}";
        json_auto_t *ok = NULL;
        assert_int_equal(json_parse_limited(s, strlen(s), 1 << 20, 2, &ok, &e), 0);
}

static void test_invalid(void **state)
{
        (void)state;
        json_t *j = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(json_parse_limited("{\"a\":", 5, 100, 8, &j, &e), -EINVAL);
        assert_true(str_starts_with(e.msg, "line 1 column"));
        assert_int_equal(json_parse_limited("", 0, 100, 8, &j, &e), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_ok),
                cmocka_unit_test(test_size_limit),
                cmocka_unit_test(test_depth_limit),
                cmocka_unit_test(test_invalid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
