/* Tests for common/utf8: validation and lossy repair. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "common/utf8.h"

static void test_valid(void **state _unused_)
{
        static const char *const good[] = {
                "", "plain", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbd"};
        static const char *const bad[] = {"\xff",         "\xc3",         "\xc0\xaf",
                                          "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                          "a\x80z",       "\xe2\x82"};
        for (size_t i = 0; i < ARRAY_SIZE(good); i++)
                assert_true(utf8_valid(good[i], strlen(good[i])));
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
                assert_false(utf8_valid(bad[i], strlen(bad[i])));
}

static void test_sanitize(void **state _unused_)
{
        char *s = utf8_sanitize("a\xffz");
        assert_string_equal(s, "a\xef\xbf\xbdz");
        free(s);
        s = utf8_sanitize("caf\xc3\xa9");
        assert_string_equal(s, "caf\xc3\xa9");
        free(s);
        s = utf8_sanitize("\xe2\x82");
        assert_string_equal(s, "\xef\xbf\xbd\xef\xbf\xbd");
        assert_true(utf8_valid(s, strlen(s)));
        free(s);
        assert_null(utf8_sanitize(NULL));
        unsigned seed = 9;
        for (int i = 0; i < 5000; i++) {
                char buf[16];
                for (size_t j = 0; j < sizeof(buf) - 1; j++)
                        buf[j] = (char)(rand_r(&seed) % 255 + 1);
                buf[sizeof(buf) - 1] = '\0';
                s = utf8_sanitize(buf);
                assert_true(utf8_valid(s, strlen(s)));
                free(s);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_sanitize),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
