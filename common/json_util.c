/* JSON parsing with limits and small typed accessors: see json_util.h. */
#include "common/common.h"
#include "common/json_util.h"

/* Depth check without building anything: counts [ and { outside strings. jansson's own limit
 * (2048) is far above what any API accepts and would let a body burn stack first. */
static int json_depth_ok(const char *buf, size_t len, int max_depth)
{
        int depth = 0;
        bool in_str = false;
        for (size_t i = 0; i < len; i++) {
                char c = buf[i];
                if (in_str) {
                        if (c == '\\')
                                i++;
                        else if (c == '"')
                                in_str = false;
                        continue;
                }
                if (c == '"')
                        in_str = true;
                else if (c == '[' || c == '{') {
                        if (++depth > max_depth)
                                return 0;
                } else if (c == ']' || c == '}')
                        depth--;
        }
        return 1;
}

int json_parse_limited(const char *buf, size_t len, size_t max_bytes, int max_depth, json_t **ret,
                       struct err *e)
{
        json_error_t jerr;
        json_t *j;

        if (len > max_bytes)
                return err_set(e, -EFBIG, "JSON document is larger than %zu bytes", max_bytes);
        if (!json_depth_ok(buf, len, max_depth))
                return err_set(e, -ELOOP, "JSON document is nested deeper than %d levels",
                               max_depth);
        j = json_loadb(buf, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (!j)
                return err_set(e, -EINVAL, "line %d column %d: %s", jerr.line, jerr.column,
                               jerr.text);
        *ret = j;
        return 0;
}

/* ---- compact serialisation ---------------------------------------------------------------
 * The same bytes as jansson's json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY), written straight
 * into a strbuf: jansson's dumper calls back per token and registers every container in a
 * hashtable keyed by its printed address (its cycle check), which made it most of the cost of
 * rendering a page of 100 clusters. Strings keep UTF-8 as is and escape exactly what jansson
 * escapes ('"', '\\', control characters; \b \f \n \r \t short forms, else \u00XX in upper
 * case); reals go through jansson itself (rare here, and its formatting has details). */

/* Longest nesting dumped; jansson refuses deeper trees too (and a cycle ends up here). */
#define DUMP_MAX_DEPTH 2048

static void dump_string(struct strbuf *sb, const char *s, size_t len)
{
        static const char hex[] = "0123456789ABCDEF";
        strbuf_grow(sb, len + 2);
        strbuf_addch(sb, '"');
        size_t run = 0;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c >= 0x20 && c != '"' && c != '\\')
                        continue;
                strbuf_add(sb, s + run, i - run);
                run = i + 1;
                char esc[6] = {'\\', 0};
                size_t n = 2;
                switch (c) {
                case '"':
                case '\\':
                        esc[1] = (char)c;
                        break;
                case '\b':
                        esc[1] = 'b';
                        break;
                case '\f':
                        esc[1] = 'f';
                        break;
                case '\n':
                        esc[1] = 'n';
                        break;
                case '\r':
                        esc[1] = 'r';
                        break;
                case '\t':
                        esc[1] = 't';
                        break;
                default:
                        esc[1] = 'u';
                        esc[2] = '0';
                        esc[3] = '0';
                        esc[4] = hex[c >> 4];
                        esc[5] = hex[c & 15];
                        n = 6;
                }
                strbuf_add(sb, esc, n);
        }
        strbuf_add(sb, s + run, len - run);
        strbuf_addch(sb, '"');
}

static void dump_value(struct strbuf *sb, const json_t *j, int depth)
{
        if (depth > DUMP_MAX_DEPTH)
                abort();
        switch (json_typeof(j)) {
        case JSON_OBJECT: {
                bool first = true;
                strbuf_addch(sb, '{');
                for (void *it = json_object_iter((json_t *)j); it;
                     it = json_object_iter_next((json_t *)j, it)) {
                        if (!first)
                                strbuf_addch(sb, ',');
                        first = false;
                        dump_string(sb, json_object_iter_key(it), json_object_iter_key_len(it));
                        strbuf_addch(sb, ':');
                        dump_value(sb, json_object_iter_value(it), depth + 1);
                }
                strbuf_addch(sb, '}');
                break;
        }
        case JSON_ARRAY: {
                strbuf_addch(sb, '[');
                for (size_t i = 0, n = json_array_size(j); i < n; i++) {
                        if (i)
                                strbuf_addch(sb, ',');
                        dump_value(sb, json_array_get(j, i), depth + 1);
                }
                strbuf_addch(sb, ']');
                break;
        }
        case JSON_STRING:
                dump_string(sb, json_string_value(j), json_string_length(j));
                break;
        case JSON_INTEGER:
                strbuf_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
                break;
        case JSON_REAL: {
                char *r = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
                if (!r)
                        abort(); /* inf / nan: jansson refuses them, as before */
                strbuf_addstr(sb, r);
                free(r);
                break;
        }
        case JSON_TRUE:
                strbuf_addstr(sb, "true");
                break;
        case JSON_FALSE:
                strbuf_addstr(sb, "false");
                break;
        case JSON_NULL:
                strbuf_addstr(sb, "null");
                break;
        }
}

char *json_dump_compact(const json_t *j)
{
        struct strbuf sb = STRBUF_INIT;
        dump_value(&sb, j, 0);
        return strbuf_detach(&sb, NULL);
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
        strbuf_add(data, buffer, size);
        return 0;
}

void json_dump_strbuf(struct strbuf *sb, const json_t *j, size_t flags)
{
        if (flags == JSON_COMPACT) {
                dump_value(sb, j, 0);
                return;
        }
        if (json_dump_callback(j, dump_cb, sb, flags | JSON_ENCODE_ANY) < 0)
                abort();
}

const char *json_get_str(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(obj, key));
}

long long json_get_int(const json_t *obj, const char *key, long long def)
{
        json_t *v = json_object_get(obj, key);
        return json_is_integer(v) ? json_integer_value(v) : def;
}

bool json_get_bool(const json_t *obj, const char *key, bool def)
{
        json_t *v = json_object_get(obj, key);
        return json_is_boolean(v) ? json_is_true(v) : def;
}

json_t *json_checked(json_t *j)
{
        if (!j) {
                log_error("event=json_alloc_failed");
                abort();
        }
        return j;
}

json_t *json_string_or_null(const char *s)
{
        return json_checked(s ? json_string(s) : json_null());
}
