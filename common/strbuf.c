/* Growable length-carrying strings: see strbuf.h. */
#include "common/strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

char strbuf_slopbuf[1];

void strbuf_init(struct strbuf *sb, size_t hint)
{
        sb->alloc = sb->len = 0;
        sb->buf = strbuf_slopbuf;
        if (hint)
                strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
        if (sb->alloc)
                free(sb->buf);
        strbuf_init(sb, 0);
}

char *strbuf_detach(struct strbuf *sb, size_t *ret_len)
{
        char *res;
        strbuf_grow(sb, 0);
        res = sb->buf;
        if (ret_len)
                *ret_len = sb->len;
        strbuf_init(sb, 0);
        return res;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
        bool fresh = !sb->alloc;
        if (sb->len + extra + 1 <= sb->len)
                abort(); /* overflow */
        if (fresh)
                sb->buf = NULL;
        sb->buf = xgrow(sb->buf, sb->len + extra + 1, &sb->alloc, 1);
        if (fresh)
                sb->buf[0] = '\0';
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
        if (!sb->alloc) {
                if (len)
                        abort();
                return;
        }
        sb->len = len;
        sb->buf[len] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
        strbuf_grow(sb, len);
        memcpy(sb->buf + sb->len, data, len);
        sb->len += len;
        sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
        strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
        strbuf_grow(sb, 1);
        sb->buf[sb->len++] = (char)c;
        sb->buf[sb->len] = '\0';
}

void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other)
{
        strbuf_add(sb, other->buf, other->len);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
        va_list cp;
        int n;

        strbuf_grow(sb, 64);
        va_copy(cp, ap);
        n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
        va_end(cp);
        if (n < 0)
                abort();
        if ((size_t)n >= sb->alloc - sb->len) {
                strbuf_grow(sb, (size_t)n);
                n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
        }
        sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(sb, fmt, ap);
        va_end(ap);
}

void strbuf_add_urlencoded(struct strbuf *sb, const char *s)
{
        static const char hex[] = "0123456789ABCDEF";
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
                        strbuf_addch(sb, c);
                } else {
                        strbuf_addch(sb, '%');
                        strbuf_addch(sb, hex[c >> 4]);
                        strbuf_addch(sb, hex[c & 15]);
                }
        }
}

void strbuf_trim(struct strbuf *sb)
{
        size_t start = 0, end = sb->len;
        while (end > 0 && isspace((unsigned char)sb->buf[end - 1]))
                end--;
        while (start < end && isspace((unsigned char)sb->buf[start]))
                start++;
        if (start)
                memmove(sb->buf, sb->buf + start, end - start);
        strbuf_setlen(sb, end - start);
}

bool strbuf_starts_with(const struct strbuf *sb, const char *prefix)
{
        return str_starts_with(sb->buf, prefix);
}

bool str_starts_with(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends_with(const char *s, const char *suffix)
{
        size_t ls = strlen(s), lx = strlen(suffix);
        return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

int str_to_ll(const char *s, long long min, long long max, long long *ret)
{
        char *end;
        long long v;

        if (!s || !*s)
                return -EINVAL;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (*end != '\0')
                return -EINVAL;
        if (errno == ERANGE || v < min || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}
