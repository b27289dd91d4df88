/* Unit tests for common/ids: uuids and OpenStack timestamp formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/common.h"
#include "common/ids.h"

static void test_uuid(void **state)
{
        (void)state;
        char u[UUID_STR_LEN], n[UUID_STR_LEN];
        uuid_generate_str(u);
        assert_int_equal(strlen(u), 36);
        assert_int_equal(u[14], '4');
        assert_true(uuid_is_like(u));
        assert_true(uuid_is_like("0F2B8E3A0F2B8E3A0F2B8E3A0F2B8E3A"));
        assert_int_equal(uuid_normalize("0F2B8E3A0F2B8E3A0F2B8E3A0F2B8E3A", n), 0);
        assert_string_equal(n, "0f2b8e3a-0f2b-8e3a-0f2b-8e3a0f2b8e3a");
        assert_false(uuid_is_like("not-a-uuid"));
        assert_false(uuid_is_like("0f2b8e3a-0f2b-8e3a-0f2b-8e3a0f2b8e3g"));
        assert_false(uuid_is_like("0f2b8e3a0-f2b-8e3a-0f2b-8e3a0f2b8e3a"));
        char r[UUID_STR_LEN + 4];
        request_id_generate(r);
        assert_true(str_starts_with(r, "req-"));
        assert_true(uuid_is_like(r + 4));
}

static void test_time_format(void **state)
{
        (void)state;
        char out[33];
        int64_t us;
        time_format_iso(1672628645LL * 1000000, out);
        assert_string_equal(out, "2023-01-02T03:04:05+00:00");
        time_format_iso(1672628645LL * 1000000 + 123, out);
        assert_string_equal(out, "2023-01-02T03:04:05.000123+00:00");
        assert_int_equal(time_parse_iso("2023-01-02T03:04:05.000123+00:00", &us), 0);
        assert_int_equal(us, 1672628645LL * 1000000 + 123);
        assert_int_equal(time_parse_iso("2023-01-02 03:04:05", &us), 0);
        assert_int_equal(us, 1672628645LL * 1000000);
        assert_int_equal(time_parse_iso("2023-01-02T03:04:05Z", &us), 0);
        assert_int_equal(time_parse_iso("2023-13-02T03:04:05Z", &us), -EINVAL);
        assert_int_equal(time_parse_iso("yesterday", &us), -EINVAL);
        /* years before 1000 are zero-padded, as isoformat does, and parse back (fuzz_ids) */
        assert_int_equal(time_parse_iso("0226-11-26T15:00:00.000000Z", &us), 0);
        time_format_iso(us, out);
        assert_string_equal(out, "0226-11-26T15:00:00+00:00");
}

static void test_random_hex(void **state)
{
        (void)state;
        char a[13], b[13];
        random_hex(a, 12);
        random_hex(b, 12);
        assert_int_equal(strlen(a), 12);
        assert_string_not_equal(a, b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_uuid),
                cmocka_unit_test(test_time_format),
                cmocka_unit_test(test_random_hex),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
