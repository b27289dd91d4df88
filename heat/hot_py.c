/* hot_py: Python value semantics (printing and equality) for Heat-compatible output. */
#include "common/common.h"

#include <math.h>

#include "common/json_util.h"
#include "heat/hot_py.h"

void hot_py_float(struct strbuf *sb, double d)
{
        char buf[64], digits[32];
        int prec, exp10 = 0;
        size_t nd = 0;

        if (isnan(d)) {
                strbuf_addstr(sb, "nan");
                return;
        }
        if (isinf(d)) {
                strbuf_addstr(sb, d < 0 ? "-inf" : "inf");
                return;
        }
        if (d == 0) {
                strbuf_addstr(sb, signbit(d) ? "-0.0" : "0.0");
                return;
        }
        for (prec = 1; prec <= 17; prec++) {
                snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
                if (strtod(buf, NULL) == d)
                        break;
        }
        /* buf = [-]d.ddde[+-]XX */
        {
                const char *p = buf;
                if (*p == '-') {
                        strbuf_addch(sb, '-');
                        p++;
                }
                for (; *p && *p != 'e'; p++)
                        if (*p != '.' && nd < sizeof(digits) - 1)
                                digits[nd++] = *p;
                digits[nd] = '\0';
                if (*p == 'e')
                        exp10 = (int)strtol(p + 1, NULL, 10);
        }
        while (nd > 1 && digits[nd - 1] == '0')
                digits[--nd] = '\0';
        if (exp10 < -4 || exp10 >= 16) {
                strbuf_addch(sb, digits[0]);
                if (nd > 1) {
                        strbuf_addch(sb, '.');
                        strbuf_addstr(sb, digits + 1);
                }
                strbuf_addf(sb, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
                return;
        }
        if (exp10 < 0) {
                strbuf_addstr(sb, "0.");
                for (int i = -1; i > exp10; i--)
                        strbuf_addch(sb, '0');
                strbuf_addstr(sb, digits);
                return;
        }
        for (int i = 0; i <= exp10; i++)
                strbuf_addch(sb, (size_t)i < nd ? digits[i] : '0');
        strbuf_addch(sb, '.');
        if ((size_t)exp10 + 1 < nd)
                strbuf_addstr(sb, digits + exp10 + 1);
        else
                strbuf_addch(sb, '0');
}

/* Decodes one UTF-8 code point; invalid bytes are returned as themselves. */
static unsigned utf8_next(const unsigned char **pp, const unsigned char *end)
{
        const unsigned char *p = *pp;
        unsigned c = *p++;
        int n = 0;

        if (c >= 0xf0 && c < 0xf8) {
                c &= 0x07;
                n = 3;
        } else if (c >= 0xe0) {
                c &= 0x0f;
                n = 2;
        } else if (c >= 0xc0) {
                c &= 0x1f;
                n = 1;
        }
        if (c >= 0x80 && n == 0) {
                *pp = p;
                return c;
        }
        for (int i = 0; i < n; i++) {
                if (p >= end || (*p & 0xc0) != 0x80)
                        break;
                c = (c << 6) | (*p++ & 0x3f);
        }
        *pp = p;
        return c;
}

static void json_string_out(struct strbuf *sb, const char *s, size_t len)
{
        const unsigned char *p = (const unsigned char *)s, *end = p + len;

        strbuf_addch(sb, '"');
        while (p < end) {
                unsigned c = *p;
                if (c < 0x80) {
                        p++;
                        switch (c) {
                        case '"':
                                strbuf_addstr(sb, "\\\"");
                                break;
                        case '\\':
                                strbuf_addstr(sb, "\\\\");
                                break;
                        case '\n':
                                strbuf_addstr(sb, "\\n");
                                break;
                        case '\r':
                                strbuf_addstr(sb, "\\r");
                                break;
                        case '\t':
                                strbuf_addstr(sb, "\\t");
                                break;
                        case '\b':
                                strbuf_addstr(sb, "\\b");
                                break;
                        case '\f':
                                strbuf_addstr(sb, "\\f");
                                break;
                        default:
                                if (c < 0x20)
                                        strbuf_addf(sb, "\\u%04x", c);
                                else
                                        strbuf_addch(sb, (int)c);
                        }
                        continue;
                }
                c = utf8_next(&p, end);
                if (c >= 0x10000) {
                        c -= 0x10000;
                        strbuf_addf(sb, "\\u%04x\\u%04x", 0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
                } else {
                        strbuf_addf(sb, "\\u%04x", c);
                }
        }
        strbuf_addch(sb, '"');
}

static int cmp_keys(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void hot_py_json_dumps(struct strbuf *sb, const json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_NULL:
                strbuf_addstr(sb, "null");
                return;
        case JSON_TRUE:
                strbuf_addstr(sb, "true");
                return;
        case JSON_FALSE:
                strbuf_addstr(sb, "false");
                return;
        case JSON_INTEGER:
                strbuf_addf(sb, "%lld", (long long)json_integer_value(v));
                return;
        case JSON_REAL: {
                double d = json_real_value(v);
                if (isnan(d))
                        strbuf_addstr(sb, "NaN");
                else if (isinf(d))
                        strbuf_addstr(sb, d < 0 ? "-Infinity" : "Infinity");
                else
                        hot_py_float(sb, d);
                return;
        }
        case JSON_STRING:
                json_string_out(sb, json_string_value(v), json_string_length(v));
                return;
        case JSON_ARRAY: {
                size_t i;
                json_t *it;
                strbuf_addch(sb, '[');
                json_array_foreach((json_t *)v, i, it)
                {
                        if (i)
                                strbuf_addstr(sb, ", ");
                        hot_py_json_dumps(sb, it);
                }
                strbuf_addch(sb, ']');
                return;
        }
        case JSON_OBJECT: {
                size_t n = json_object_size(v), i = 0;
                const char **keys = xnew(const char *, n ? n : 1);
                const char *k;
                json_t *it;
                json_object_foreach((json_t *)v, k, it) keys[i++] = k;
                qsort(keys, n, sizeof(*keys), cmp_keys);
                strbuf_addch(sb, '{');
                for (i = 0; i < n; i++) {
                        if (i)
                                strbuf_addstr(sb, ", ");
                        json_string_out(sb, keys[i], strlen(keys[i]));
                        strbuf_addstr(sb, ": ");
                        hot_py_json_dumps(sb, json_object_get(v, keys[i]));
                }
                strbuf_addch(sb, '}');
                free(keys);
                return;
        }
        }
}

static bool py_printable(unsigned c)
{
        if (c < 0x20 || c == 0x7f)
                return false;
        if (c >= 0x80 && c < 0xa0)
                return false;
        if (c == 0xad)
                return false;
        return true;
}

static void repr_string(struct strbuf *sb, const char *s, size_t len)
{
        const unsigned char *p = (const unsigned char *)s, *end = p + len;
        char q = '\'';

        if (memchr(s, '\'', len) && !memchr(s, '"', len))
                q = '"';
        strbuf_addch(sb, q);
        while (p < end) {
                const unsigned char *start = p;
                unsigned c = *p < 0x80 ? *p++ : utf8_next(&p, end);
                if (c == (unsigned)q || c == '\\')
                        strbuf_addf(sb, "\\%c", (char)c);
                else if (c == '\n')
                        strbuf_addstr(sb, "\\n");
                else if (c == '\r')
                        strbuf_addstr(sb, "\\r");
                else if (c == '\t')
                        strbuf_addstr(sb, "\\t");
                else if (!py_printable(c))
                        strbuf_addf(sb, c < 0x100 ? "\\x%02x" : "\\u%04x", c);
                else
                        strbuf_add(sb, start, (size_t)(p - start));
        }
        strbuf_addch(sb, q);
}

void hot_py_repr(struct strbuf *sb, const json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_STRING:
                repr_string(sb, json_string_value(v), json_string_length(v));
                return;
        case JSON_ARRAY: {
                size_t i;
                json_t *it;
                strbuf_addch(sb, '[');
                json_array_foreach((json_t *)v, i, it)
                {
                        if (i)
                                strbuf_addstr(sb, ", ");
                        hot_py_repr(sb, it);
                }
                strbuf_addch(sb, ']');
                return;
        }
        case JSON_OBJECT: {
                const char *k;
                json_t *it;
                bool first = true;
                strbuf_addch(sb, '{');
                json_object_foreach((json_t *)v, k, it)
                {
                        if (!first)
                                strbuf_addstr(sb, ", ");
                        first = false;
                        repr_string(sb, k, strlen(k));
                        strbuf_addstr(sb, ": ");
                        hot_py_repr(sb, it);
                }
                strbuf_addch(sb, '}');
                return;
        }
        default:
                hot_py_str(sb, v);
        }
}

void hot_py_str(struct strbuf *sb, const json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_NULL:
                strbuf_addstr(sb, "None");
                return;
        case JSON_TRUE:
                strbuf_addstr(sb, "True");
                return;
        case JSON_FALSE:
                strbuf_addstr(sb, "False");
                return;
        case JSON_INTEGER:
                strbuf_addf(sb, "%lld", (long long)json_integer_value(v));
                return;
        case JSON_REAL:
                hot_py_float(sb, json_real_value(v));
                return;
        case JSON_STRING:
                strbuf_add(sb, json_string_value(v), json_string_length(v));
                return;
        default:
                hot_py_repr(sb, v);
        }
}

static bool is_num(const json_t *v, double *d)
{
        if (json_is_integer(v))
                *d = (double)json_integer_value(v);
        else if (json_is_real(v))
                *d = json_real_value(v);
        else if (json_is_true(v))
                *d = 1;
        else if (json_is_false(v))
                *d = 0;
        else
                return false;
        return true;
}

bool hot_py_eq(const json_t *a, const json_t *b)
{
        double x, y;

        if (!a || !b)
                return a == b;
        if (json_is_integer(a) && json_is_integer(b))
                return json_integer_value(a) == json_integer_value(b);
        if (is_num(a, &x) && is_num(b, &y))
                return x == y;
        if (json_typeof(a) != json_typeof(b))
                return false;
        switch (json_typeof(a)) {
        case JSON_NULL:
                return true;
        case JSON_STRING:
                return json_string_length(a) == json_string_length(b) &&
                       memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) ==
                               0;
        case JSON_ARRAY: {
                size_t n = json_array_size(a);
                if (n != json_array_size(b))
                        return false;
                for (size_t i = 0; i < n; i++)
                        if (!hot_py_eq(json_array_get(a, i), json_array_get(b, i)))
                                return false;
                return true;
        }
        case JSON_OBJECT: {
                const char *k;
                json_t *it;
                if (json_object_size(a) != json_object_size(b))
                        return false;
                json_object_foreach((json_t *)a, k,
                                    it) if (!hot_py_eq(it, json_object_get(b, k))) return false;
                return true;
        }
        default:
                return false;
        }
}

const char *hot_py_type(const json_t *v)
{
        static const char *const names[] = {
                [JSON_OBJECT] = "dict", [JSON_ARRAY] = "list",    [JSON_STRING] = "str",
                [JSON_INTEGER] = "int", [JSON_REAL] = "float",    [JSON_TRUE] = "bool",
                [JSON_FALSE] = "bool",  [JSON_NULL] = "NoneType",
        };
        return v ? names[json_typeof(v)] : "NoneType";
}

char *hot_py_str_dup(const json_t *v)
{
        struct strbuf sb = STRBUF_INIT;
        hot_py_str(&sb, v);
        return strbuf_detach(&sb, NULL);
}

char *hot_py_repr_dup(const json_t *v)
{
        struct strbuf sb = STRBUF_INIT;
        hot_py_repr(&sb, v);
        return strbuf_detach(&sb, NULL);
}

char *hot_py_json_dup(const json_t *v)
{
        struct strbuf sb = STRBUF_INIT;
        hot_py_json_dumps(&sb, v);
        return strbuf_detach(&sb, NULL);
}

json_t *hot_py_real(double d)
{
        json_t *j;

        if (isnan(d))
                return json_checked(json_string("nan"));
        if (isinf(d))
                return json_checked(json_string(d < 0 ? "-inf" : "inf"));
        j = json_real(d);
        return json_checked(j);
}
