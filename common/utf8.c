/* UTF-8 validation and lossy repair: see utf8.h. */
#include "common/common.h"
#include "common/utf8.h"

/* Length of the valid UTF-8 sequence at s (at most `left` bytes), 0 when invalid. */
static size_t seq_len(const unsigned char *s, size_t left)
{
        unsigned c = s[0];
        size_t n;
        unsigned cp, min;
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) {
                n = 2;
                cp = c & 0x1f;
                min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                cp = c & 0x0f;
                min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                cp = c & 0x07;
                min = 0x10000;
        } else {
                return 0;
        }
        if (left < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

bool utf8_valid(const char *s, size_t len)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t i = 0;
        while (i < len) {
                size_t n = seq_len(p + i, len - i);
                if (n == 0)
                        return false;
                i += n;
        }
        return true;
}

char *utf8_sanitize(const char *s)
{
        if (!s)
                return NULL;
        size_t len = strlen(s);
        if (utf8_valid(s, len))
                return xstrdup(s);
        struct strbuf sb = STRBUF_INIT;
        const unsigned char *p = (const unsigned char *)s;
        size_t i = 0;
        while (i < len) {
                size_t n = seq_len(p + i, len - i);
                if (n == 0) {
                        strbuf_addstr(&sb, "\xef\xbf\xbd");
                        i++;
                } else {
                        strbuf_add(&sb, p + i, n);
                        i += n;
                }
        }
        return strbuf_detach(&sb, NULL);
}
