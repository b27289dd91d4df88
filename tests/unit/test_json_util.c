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

/* Random values: strings with every control character, quotes, backslashes, multi-byte UTF-8
 * and NULs; keys likewise; integers at the extremes; reals; nesting. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static unsigned rnd(unsigned n)
{
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return (unsigned)(rng % n);
}

static void rnd_text(char *buf, size_t *len)
{
        static const char *const pieces[] = {
                "a",  "Z",   "\"",   "\\",   "/", "\b", "\f",           "\n",
                "\r", "\t",  "\x01", "\x1f", " ", "é",  "\xe2\x80\xa8", "\xf0\x9f\x90\xb3",
                "{}", "\x7f"};
        size_t n = rnd(12), o = 0;
        for (size_t i = 0; i < n; i++) {
                if (rnd(20) == 0) {
                        buf[o++] = '\0';
                        continue;
                }
                const char *p = pieces[rnd(ARRAY_SIZE(pieces))];
                memcpy(buf + o, p, strlen(p));
                o += strlen(p);
        }
        *len = o;
}

static json_t *rnd_value(int depth)
{
        char buf[128];
        size_t len;
        switch (rnd(depth > 4 ? 6 : 8)) {
        case 0:
                return json_null();
        case 1:
                return json_boolean(rnd(2));
        case 2: {
                static const json_int_t ints[] = {0, -1, 42, INT64_MAX, INT64_MIN, 1000000007};
                return json_integer(ints[rnd(ARRAY_SIZE(ints))]);
        }
        case 3: {
                static const double reals[] = {0.0, -0.5, 1e300, 3.14159, 1e-7, 100.0, 2.5e15};
                return json_real(reals[rnd(ARRAY_SIZE(reals))]);
        }
        case 4:
        case 5:
                rnd_text(buf, &len);
                return json_stringn(buf, len);
        case 6: {
                json_t *a = json_array();
                for (unsigned i = rnd(5); i > 0; i--)
                        json_array_append_new(a, rnd_value(depth + 1));
                return a;
        }
        default: {
                json_t *o = json_object();
                for (unsigned i = rnd(5); i > 0; i--) {
                        rnd_text(buf, &len);
                        json_object_setn_new(o, buf, len, rnd_value(depth + 1));
                }
                return o;
        }
        }
}

/* Our compact dump is byte for byte jansson's JSON_COMPACT dump, for every kind of value. */
static void test_dump_matches_jansson(void **state)
{
        (void)state;
        for (int i = 0; i < 3000; i++) {
                json_t *v = rnd_value(0);
                char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                assert_non_null(want);
                char *got = json_dump_compact(v);
                struct strbuf sb = STRBUF_INIT;
                json_dump_strbuf(&sb, v, JSON_COMPACT);
                if (strcmp(want, got) != 0)
                        fail_msg("dump differs:\njansson: %s\nours:    %s", want, got);
                assert_string_equal(sb.buf, want);
                strbuf_release(&sb);
                free(want);
                free(got);
                json_decref(v);
        }
        /* other flags still go through jansson */
        json_t *o = json_pack("{s:i,s:[i,i]}", "b", 1, "a", 2, 3);
        struct strbuf sb = STRBUF_INIT;
        json_dump_strbuf(&sb, o, JSON_SORT_KEYS | JSON_COMPACT);
        assert_string_equal(sb.buf, "{\"a\":[2,3],\"b\":1}");
        strbuf_release(&sb);
        json_decref(o);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_ok),
                cmocka_unit_test(test_size_limit),
                cmocka_unit_test(test_depth_limit),
                cmocka_unit_test(test_invalid),
                cmocka_unit_test(test_dump_matches_jansson),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
