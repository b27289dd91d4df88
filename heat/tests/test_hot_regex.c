/* Unit tests: Python re.match + full-length semantics of allowed_pattern. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "heat/hot_regex.h"

static bool m(const char *pat, const char *s)
{
        int err = 0;
        bool r = hot_regex_fullmatch_py(pat, s, strlen(s), &err);

        assert_int_equal(err, 0);
        return r;
}

static void test_match(void **state)
{
        (void)state;
        assert_true(m("[a-z]+", "abc"));
        assert_false(m("[a-z]+", "abc1"));
        /* re.match is anchored at the start but the first match must span everything */
        assert_false(m("[a-z]+?", "abc"));
        assert_true(m("a|ab", "a"));
        assert_false(m("a|ab", "ab")); /* first alternative wins, end != len */
        assert_true(m("^(?!devicemapper$).*", "overlay2"));
        assert_false(m("^(?!devicemapper$).*", "devicemapper"));
        assert_true(m("(?=.*[0-9])[a-z0-9]{3,5}", "ab1"));
        assert_false(m("(?=.*[0-9])[a-z0-9]{3,5}", "abc"));
        assert_true(m("[^\\s]+\\d{2}", "x-12"));
        assert_true(m("\\w+@\\w+\\.com$", "a@b.com"));
        assert_true(m("(ab)*c", "ababc"));
        assert_true(m("(a*)*b", "aab"));
        assert_true(m("x{0,2}y", "xxy"));
        assert_false(m("x{0,2}y", "xxxy"));
        assert_true(m("[[:alpha:]]", ":]")); /* Python has no POSIX classes: a set of chars */
        assert_true(m("caf.", "caf\xc3\xa9"));
}

static void test_errors(void **state)
{
        struct hot_regex *re = NULL;
        char *msg = NULL;

        (void)state;
        assert_int_equal(hot_regex_compile("(?<=a)b", &re, &msg), -EINVAL);
        assert_non_null(msg);
        free(msg);
        msg = NULL;
        assert_int_equal(hot_regex_compile("a(b", &re, &msg), -EINVAL);
        free(msg);
        msg = NULL;
        assert_int_equal(hot_regex_compile("*a", &re, &msg), -EINVAL);
        free(msg);
        /* catastrophic backtracking is bounded */
        {
                struct strbuf s = STRBUF_INIT;
                size_t end;
                for (int i = 0; i < 40; i++)
                        strbuf_addch(&s, 'a');
                strbuf_addch(&s, '!');
                assert_int_equal(hot_regex_compile("(a+)+$", &re, NULL), 0);
                assert_true(hot_regex_match(re, s.buf, s.len, &end) <= 0);
                hot_regex_free(re);
                strbuf_release(&s);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_match),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
