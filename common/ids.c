/* uuids, request ids, random data and timestamps: see ids.h. */
#include "common/common.h"
#include "common/ids.h"

#include <ctype.h>
#include <sys/random.h>
#include <uuid/uuid.h>

void random_bytes(void *buf, size_t n)
{
        size_t got = 0;
        while (got < n) {
                ssize_t r = getrandom((char *)buf + got, n - got, 0);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        log_error("event=getrandom_failed errno=%d", errno);
                        abort();
                }
                got += (size_t)r;
        }
}

void uuid_generate_str(char out[UUID_STR_LEN])
{
        uuid_t u;
        uuid_generate_random(u);
        uuid_unparse_lower(u, out);
}

void request_id_generate(char out[UUID_STR_LEN + 4])
{
        memcpy(out, "req-", 4);
        uuid_generate_str(out + 4);
}

int uuid_normalize(const char *s, char out[UUID_STR_LEN])
{
        static const int dash_at[] = {8, 13, 18, 23};
        char hex[33];
        size_t n = 0, len = strlen(s);

        if (len == 36) {
                for (size_t i = 0; i < ARRAY_SIZE(dash_at); i++)
                        if (s[dash_at[i]] != '-')
                                return -EINVAL;
        } else if (len != 32) {
                return -EINVAL;
        }
        for (const char *p = s; *p; p++) {
                if (*p == '-' && len == 36)
                        continue;
                if (!isxdigit((unsigned char)*p) || n >= 32)
                        return -EINVAL;
                hex[n++] = (char)tolower((unsigned char)*p);
        }
        if (n != 32)
                return -EINVAL;
        hex[32] = '\0';
        snprintf(out, UUID_STR_LEN, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
                 hex + 20);
        return 0;
}

bool uuid_is_like(const char *s)
{
        char tmp[UUID_STR_LEN];
        return s && uuid_normalize(s, tmp) == 0;
}

void random_hex(char *out, size_t n)
{
        static const char hex[] = "0123456789abcdef";
        unsigned char b[64];
        size_t i = 0;
        while (i < n) {
                size_t chunk = MIN(sizeof(b), (n - i + 1) / 2);
                random_bytes(b, chunk);
                for (size_t j = 0; j < chunk && i < n; j++) {
                        out[i++] = hex[b[j] >> 4];
                        if (i < n)
                                out[i++] = hex[b[j] & 15];
                }
        }
        out[n] = '\0';
}

int64_t time_now_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t time_mono_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void time_format_iso(int64_t us, char out[33])
{
        time_t secs = (time_t)(us / 1000000);
        long frac = (long)(us % 1000000);
        struct tm tm;

        if (frac < 0) {
                frac += 1000000;
                secs -= 1;
        }
        gmtime_r(&secs, &tm);
        /* strftime bounds the date part; years past 9999 cannot occur for stored times. %04Y
         * because isoformat zero-pads years before 1000 and time_parse_iso wants 4 digits. */
        size_t n = strftime(out, 33, "%04Y-%m-%dT%H:%M:%S", &tm);
        if (frac)
                snprintf(out + n, 33 - n, ".%06ld+00:00", frac);
        else
                snprintf(out + n, 33 - n, "+00:00");
}

static int parse_digits(const char **p, int n, int *ret)
{
        int v = 0;
        for (int i = 0; i < n; i++) {
                if (!isdigit((unsigned char)**p))
                        return -EINVAL;
                v = v * 10 + (**p - '0');
                (*p)++;
        }
        *ret = v;
        return 0;
}

int time_parse_iso(const char *s, int64_t *ret_us)
{
        struct tm tm = {0};
        int y, mo, d, h, mi, sec;
        long frac = 0;
        const char *p = s;

        if (parse_digits(&p, 4, &y) < 0 || *p++ != '-' || parse_digits(&p, 2, &mo) < 0 ||
            *p++ != '-' || parse_digits(&p, 2, &d) < 0 || (*p != 'T' && *p != ' '))
                return -EINVAL;
        p++;
        if (parse_digits(&p, 2, &h) < 0 || *p++ != ':' || parse_digits(&p, 2, &mi) < 0 ||
            *p++ != ':' || parse_digits(&p, 2, &sec) < 0)
                return -EINVAL;
        if (*p == '.') {
                int digits = 0;
                p++;
                while (isdigit((unsigned char)*p)) {
                        if (digits < 6) {
                                frac = frac * 10 + (*p - '0');
                                digits++;
                        }
                        p++;
                }
                if (!digits)
                        return -EINVAL;
                while (digits++ < 6)
                        frac *= 10;
        }
        if (*p == 'Z')
                p++;
        else if (streq(p, "+00:00") || streq(p, "+00"))
                p += strlen(p);
        if (*p)
                return -EINVAL;
        if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
                return -EINVAL;
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = sec;
        *ret_us = (int64_t)timegm(&tm) * 1000000 + frac;
        return 0;
}
