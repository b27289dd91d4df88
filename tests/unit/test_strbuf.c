/* Unit tests for common/strbuf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/common.h"

static void test_addf_grows(void **state)
{
        (void)state;
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        assert_int_equal(sb.len, 0);
        assert_string_equal(sb.buf, "");
        for (int i = 0; i < 1000; i++)
                strbuf_addf(&sb, "%d,", i);
        assert_true(str_starts_with(sb.buf, "0,1,2,"));
        assert_true(str_ends_with(sb.buf, "998,999,"));
        assert_int_equal(strlen(sb.buf), sb.len);
}

static void test_detach_and_reset(void **state)
{
        (void)state;
        struct strbuf sb = STRBUF_INIT;
        strbuf_addstr(&sb, "hello");
        strbuf_addch(&sb, '!');
        size_t len;
        char *s = strbuf_detach(&sb, &len);
        assert_string_equal(s, "hello!");
        assert_int_equal(len, 6);
        assert_int_equal(sb.len, 0);
        assert_string_equal(sb.buf, "");
        free(s);
        /* detach of an empty strbuf still hands out a malloc'd string */
        s = strbuf_detach(&sb, NULL);
        assert_string_equal(s, "");
        free(s);
}

static void test_trim_and_urlencode(void **state)
{
        (void)state;
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        strbuf_addstr(&sb, "  \t padded \n");
        strbuf_trim(&sb);
        assert_string_equal(sb.buf, "padded");
        strbuf_reset(&sb);
        strbuf_add_urlencoded(&sb, "a b/c?d=é~");
        assert_string_equal(sb.buf, "a%20b%2Fc%3Fd%3D%C3%A9~");
}

static void test_str_to_ll(void **state)
{
        (void)state;
        long long v;
        assert_int_equal(str_to_ll("42", 0, 100, &v), 0);
        assert_int_equal(v, 42);
        assert_int_equal(str_to_ll("-1", 0, 100, &v), -ERANGE);
        assert_int_equal(str_to_ll("12x", 0, 100, &v), -EINVAL);
        assert_int_equal(str_to_ll("", 0, 100, &v), -EINVAL);
        assert_int_equal(str_to_ll("99999999999999999999", 0, 100, &v), -ERANGE);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_addf_grows),
                cmocka_unit_test(test_detach_and_reset),
                cmocka_unit_test(test_trim_and_urlencode),
                cmocka_unit_test(test_str_to_ll),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
