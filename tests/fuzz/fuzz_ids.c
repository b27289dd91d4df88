/*
 * fuzz_ids: the small text parsers every layer leans on for untrusted text - timestamps from
 * Keystone tokens and the database (time_parse_iso), ids from URLs and bodies (uuid_normalize),
 * integers from query strings and config (str_to_ll) - plus the URL encode/decode pair. Each
 * must agree with its inverse: a parsed time formats and parses back to itself, a normalised
 * uuid is a fixed point, and decode(urlencode(s)) == s.
 */
#include "common/common.h"

#include <ctype.h>
#include <stdint.h>

#include "common/httpd.h"
#include "common/ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 0001-01-01 .. 9999-12-31, the years isoformat can print */
#define YEAR1_US     (-62135596800LL * 1000000)
#define YEAR10000_US (253402300800LL * 1000000)

static void check_time(const char *s)
{
        int64_t us, back;
        char out[33];
        if (time_parse_iso(s, &us) < 0 || us < YEAR1_US || us >= YEAR10000_US)
                return;
        time_format_iso(us, out);
        if (time_parse_iso(out, &back) < 0 || back != us) {
                fprintf(stderr, "fuzz_ids: '%s' -> %lld -> '%s' does not parse back\n", s,
                        (long long)us, out);
                abort();
        }
}

static void check_uuid(const char *s)
{
        char out[UUID_STR_LEN], again[UUID_STR_LEN];
        bool like = uuid_is_like(s);
        if ((uuid_normalize(s, out) == 0) != like)
                abort();
        if (like && (uuid_normalize(out, again) < 0 || !streq(out, again) || strlen(out) != 36))
                abort();
}

static void check_int(const char *s)
{
        long long v;
        if (str_to_ll(s, -1000, 1000, &v) == 0 && (v < -1000 || v > 1000))
                abort();
}

static void check_url(const char *s)
{
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        _cleanup_free_ char *dec = NULL;
        strbuf_add_urlencoded(&sb, s);
        for (size_t i = 0; i < sb.len; i++)
                if (!isalnum((unsigned char)sb.buf[i]) && !strchr("-_.~%", sb.buf[i]))
                        abort();
        if (httpd_url_decode(sb.buf, sb.len, true, &dec) < 0 || !streq(dec, s))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = xstrndup((const char *)data, size);
        check_time(s);
        check_uuid(s);
        check_int(s);
        check_url(s);
        return 0;
}
