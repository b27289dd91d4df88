/* hot_err: Heat-style exceptions (class name + str()) as plain data. */
#include "common/common.h"

#include <ctype.h>
#include <stdarg.h>

#include "common/json_util.h"
#include "heat/hot_err.h"

void hot_err_clear(struct hot_err *he)
{
        if (!he)
                return;
        free(he->error);
        free(he->message);
        json_decref(he->path);
        *he = (struct hot_err)HOT_ERR_INIT;
}

static int hot_err_vset(struct hot_err *he, const char *type, const char *error, const char *fmt,
                        va_list ap)
{
        struct strbuf sb = STRBUF_INIT;

        if (!he)
                return -EINVAL;
        hot_err_clear(he);
        strbuf_vaddf(&sb, fmt, ap);
        he->type = type;
        he->error = xstrdup_or_null(error);
        he->path = json_checked(json_array());
        he->message = strbuf_detach(&sb, NULL);
        return -EINVAL;
}

int hot_err_set(struct hot_err *he, const char *type, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = hot_err_vset(he, type, NULL, fmt, ap);
        va_end(ap);
        return r;
}

int hot_err_svf(struct hot_err *he, const char *error, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = hot_err_vset(he, "StackValidationFailed", error, fmt, ap);
        va_end(ap);
        return r;
}

void hot_err_prefix(struct hot_err *he, const char *item)
{
        if (!he || !he->type)
                return;
        json_array_insert_new(he->path, 0, json_checked(json_string(item)));
}

void hot_err_prefix_n(struct hot_err *he, const char *const *items, size_t n)
{
        while (n-- > 0)
                hot_err_prefix(he, items[n]);
}

void hot_err_set_error(struct hot_err *he, const char *error)
{
        if (!he || !he->type || (he->error && *he->error))
                return;
        free(he->error);
        he->error = xstrdup(error);
}

static bool all_digits(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isdigit((unsigned char)*s))
                        return false;
        return true;
}

char *hot_err_str(const struct hot_err *he)
{
        struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
        size_t i;
        json_t *it;

        if (!he || !he->type)
                return xstrdup("");
        json_array_foreach(he->path, i, it)
        {
                if (json_is_integer(it)) {
                        strbuf_addf(&path, "[%lld]", (long long)json_integer_value(it));
                } else if (all_digits(json_string_value(it))) {
                        strbuf_addf(&path, "[%s]", json_string_value(it));
                } else if (path.len > 0) {
                        strbuf_addf(&path, ".%s", json_string_value(it));
                } else {
                        strbuf_addstr(&path, json_string_value(it));
                }
        }
        if (he->error && *he->error)
                strbuf_addf(&sb, "%s: ", he->error);
        if (path.len)
                strbuf_addf(&sb, "%s: ", path.buf);
        strbuf_addstr(&sb, he->message ? he->message : "");
        strbuf_release(&path);
        return strbuf_detach(&sb, NULL);
}
