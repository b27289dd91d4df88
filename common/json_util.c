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

char *json_dump_compact(const json_t *j)
{
        char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!s)
                abort();
        return s;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
        strbuf_add(data, buffer, size);
        return 0;
}

void json_dump_strbuf(struct strbuf *sb, const json_t *j, size_t flags)
{
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
