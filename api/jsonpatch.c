/*
 * Magnum's JSON-patch rules and a small RFC 6902 applier (add / replace / remove over JSON
 * pointers) plus the Python-literal parser for label strings. See jsonpatch.h.
 */
#include "common/common.h"

#include <math.h>

#include <ctype.h>

#include "api/jsonpatch.h"
#include "api/schema.h"
#include "common/json_util.h"

#define PATCH_MAX_OPS 256

static bool path_ok(const char *p)
{
        /* ^(/[\w-]+)+$ */
        if (!*p)
                return false;
        while (*p) {
                if (*p != '/')
                        return false;
                p++;
                size_t n = 0;
                while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '-')) {
                        p++;
                        n++;
                }
                if (!n)
                        return false;
        }
        return true;
}

static bool in_list(const char *const *list, const char *s)
{
        for (size_t i = 0; list && list[i]; i++)
                if (streq(list[i], s))
                        return true;
        return false;
}

int jsonpatch_validate(const json_t *patch, const struct patch_rules *rules, struct err *e)
{
        if (!json_is_array(patch)) {
                _cleanup_free_ char *pv = schema_pystr(patch);
                return err_set(e, -EINVAL,
                               "Invalid input for field/attribute patch. Value: '%s'. Wrong type. "
                               "Expected '[<class 'magnum.api.controllers.v1.types."
                               "JsonPatchType'>]', got '<class '%s'>'",
                               pv, json_is_object(patch) ? "dict" : "str");
        }
        if (json_array_size(patch) > PATCH_MAX_OPS)
                return err_set(e, -EINVAL, "Too many patch operations (limit %d).", PATCH_MAX_OPS);
        size_t i;
        json_t *op;
        json_array_foreach(patch, i, op)
        {
                if (!json_is_object(op)) {
                        _cleanup_free_ char *pv = schema_pystr(op);
                        return err_set(e, -EINVAL,
                                       "Invalid input for field/attribute patch. Value: '%s'. "
                                       "Wrong type. Expected a JSON patch operation",
                                       pv);
                }
                const char *k;
                json_t *v;
                _cleanup_strbuf_ struct strbuf unknown = STRBUF_INIT;
                int n_unknown = 0;
                json_object_foreach(op, k, v)
                {
                        if (!streq(k, "op") && !streq(k, "path") && !streq(k, "value")) {
                                strbuf_addf(&unknown, "%s%s", n_unknown ? ", " : "", k);
                                n_unknown++;
                        }
                }
                if (n_unknown)
                        return err_set(e, -EINVAL, "Unknown attribute%s for argument patch: %s",
                                       n_unknown > 1 ? "s" : "", unknown.buf);
                json_t *path = json_object_get(op, "path");
                json_t *o = json_object_get(op, "op");
                json_t *value = json_object_get(op, "value");
                if (!path || json_is_null(path))
                        return err_set(e, -EINVAL,
                                       "Invalid input for field/attribute path. Value: 'None'. "
                                       "Mandatory field missing.");
                if (!json_is_string(path) || !path_ok(json_string_value(path))) {
                        _cleanup_free_ char *pv = schema_pystr(path);
                        return err_set(e, -EINVAL,
                                       "Invalid input for field/attribute path. Value: '%s'. "
                                       "Value should match the pattern ^(/[\\w-]+)+$",
                                       pv);
                }
                if (!o || json_is_null(o))
                        return err_set(e, -EINVAL,
                                       "Invalid input for field/attribute op. Value: 'None'. "
                                       "Mandatory field missing.");
                const char *os = json_string_value(o);
                if (!os || (!streq(os, "add") && !streq(os, "replace") && !streq(os, "remove"))) {
                        _cleanup_free_ char *pv = schema_pystr(o);
                        return err_set(e, -EINVAL,
                                       "Invalid input for field/attribute op. Value: '%s'. Value "
                                       "should be one of: add, replace, remove",
                                       pv);
                }
                if (value &&
                    (json_is_object(value) || json_is_array(value) || json_is_real(value))) {
                        _cleanup_free_ char *pv = schema_pystr(value);
                        return err_set(e, -EINVAL,
                                       "Invalid input for field/attribute value. Value: '%s'. "
                                       "Wrong type. Expected '(<class 'str'>, <class 'int'>)', "
                                       "got '<class '%s'>'",
                                       pv,
                                       json_is_object(value)  ? "dict"
                                       : json_is_array(value) ? "list"
                                                              : "float");
                }
                const char *ps = json_string_value(path);
                if (in_list(rules->internal, ps))
                        return err_set(e, -EINVAL,
                                       "'%s' is an internal attribute and can not be updated", ps);
                if (streq(os, "remove") && in_list(rules->nonremovable, ps))
                        return err_set(e, -EINVAL,
                                       "'%s' is a mandatory attribute and can not be removed", ps);
                if (!streq(os, "remove") && (!value || json_is_null(value)))
                        return err_set(e, -EINVAL, "'add' and 'replace' operations needs value");
        }
        return 0;
}

/* ---- Python literals ----------------------------------------------------------------------- */

struct lit {
        const char *p;
        int depth;
};

static void lit_ws(struct lit *l)
{
        while (*l->p && isspace((unsigned char)*l->p))
                l->p++;
}

static int lit_value(struct lit *l, json_t **ret);

static int lit_string(struct lit *l, json_t **ret)
{
        char q = *l->p++;
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        while (*l->p && *l->p != q) {
                if (*l->p == '\\' && l->p[1]) {
                        l->p++;
                        char c = *l->p;
                        strbuf_addch(&sb, c == 'n' ? '\n' : c == 't' ? '\t' : c);
                } else {
                        strbuf_addch(&sb, *l->p);
                }
                l->p++;
        }
        if (*l->p != q)
                return -EINVAL;
        l->p++;
        *ret = json_string(sb.buf); /* NULL when the text is not UTF-8 */
        return *ret ? 0 : -EINVAL;
}

static int lit_seq(struct lit *l, json_t **ret, bool dict)
{
        char close = dict ? '}' : ']';
        l->p++;
        if (++l->depth > 32)
                return -EINVAL;
        json_auto_t *out = json_checked(dict ? json_object() : json_array());
        lit_ws(l);
        while (*l->p != close) {
                json_auto_t *k = NULL, *v = NULL;
                int r = lit_value(l, &k);
                if (r < 0)
                        return r;
                lit_ws(l);
                if (dict) {
                        if (*l->p != ':' || !json_is_string(k))
                                return -EINVAL;
                        l->p++;
                        r = lit_value(l, &v);
                        if (r < 0)
                                return r;
                        json_object_set(out, json_string_value(k), v);
                } else {
                        json_array_append(out, k);
                }
                lit_ws(l);
                if (*l->p == ',') {
                        l->p++;
                        lit_ws(l);
                } else if (*l->p != close) {
                        return -EINVAL;
                }
        }
        l->p++;
        l->depth--;
        *ret = TAKE_PTR(out);
        return 0;
}

static int lit_value(struct lit *l, json_t **ret)
{
        lit_ws(l);
        const char *p = l->p;
        if (*p == '{')
                return lit_seq(l, ret, true);
        if (*p == '[')
                return lit_seq(l, ret, false);
        if (*p == '\'' || *p == '"')
                return lit_string(l, ret);
        static const struct {
                const char *word;
                int kind;
        } words[] = {{"True", 1}, {"False", 0}, {"None", 2}};
        for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
                size_t n = strlen(words[i].word);
                if (strncmp(p, words[i].word, n) == 0 && !isalnum((unsigned char)p[n])) {
                        l->p += n;
                        *ret = words[i].kind == 2 ? json_null() : json_boolean(words[i].kind);
                        return 0;
                }
        }
        if (*p == '-' || *p == '+' || isdigit((unsigned char)*p) || *p == '.') {
                char *end;
                errno = 0;
                long long n = strtoll(p, &end, 10);
                if (*end != '.' && *end != 'e' && *end != 'E' && end != p && !errno) {
                        l->p = end;
                        *ret = json_checked(json_integer(n));
                        return 0;
                }
                double d = strtod(p, &end);
                if (end == p)
                        return -EINVAL;
                l->p = end;
                /* Python reads 1e999 as inf, and labels/health reasons are stored as str(value);
                 * JSON has no infinity, so the value is kept as that string. */
                if (isinf(d))
                        *ret = json_checked(json_string(d > 0 ? "inf" : "-inf"));
                else
                        *ret = json_checked(json_real(d));
                return 0;
        }
        return -EINVAL;
}

int pyliteral_parse(const char *s, json_t **ret, struct err *e)
{
        struct lit l = {s, 0};
        json_auto_t *v = NULL;
        int r = lit_value(&l, &v);
        if (r == 0) {
                lit_ws(&l);
                if (*l.p)
                        r = -EINVAL;
        }
        if (r < 0)
                return err_set(e, -EINVAL, "malformed node or string: %s", s);
        *ret = TAKE_PTR(v);
        return 0;
}

/* ---- applying ------------------------------------------------------------------------------ */

/* Splits a JSON pointer into its parent container and the last token (unescaped). */
static int resolve_parent(json_t *doc, const char *path, json_t **ret_parent, char **ret_last)
{
        json_t *cur = doc;
        const char *p = path + 1;
        for (;;) {
                const char *slash = strchr(p, '/');
                _cleanup_free_ char *tok = xstrndup(p, slash ? (size_t)(slash - p) : strlen(p));
                if (!slash) {
                        *ret_parent = cur;
                        *ret_last = TAKE_PTR(tok);
                        return 0;
                }
                json_t *next = NULL;
                if (json_is_object(cur))
                        next = json_object_get(cur, tok);
                else if (json_is_array(cur)) {
                        long long idx;
                        if (str_to_ll(tok, 0, (long long)json_array_size(cur) - 1, &idx) == 0)
                                next = json_array_get(cur, (size_t)idx);
                }
                if (!next)
                        return -ENOENT;
                cur = next;
                p = slash + 1;
        }
}

static int apply_one(json_t *doc, const char *op, const char *path, json_t *value,
                     struct strbuf *reason)
{
        json_t *parent;
        _cleanup_free_ char *last = NULL;
        if (resolve_parent(doc, path, &parent, &last) < 0) {
                strbuf_addf(reason, "can't resolve path '%s'", path);
                return -EINVAL;
        }
        if (json_is_object(parent)) {
                bool exists = json_object_get(parent, last) != NULL;
                if (streq(op, "add")) {
                        json_object_set(parent, last, value);
                } else if (!exists) {
                        strbuf_addf(reason, "can't %s a non-existent object '%s'", op, last);
                        return -EINVAL;
                } else if (streq(op, "replace")) {
                        json_object_set(parent, last, value);
                } else {
                        json_object_del(parent, last);
                }
                return 0;
        }
        if (json_is_array(parent)) {
                size_t n = json_array_size(parent);
                long long idx;
                if (streq(op, "add") && streq(last, "-")) {
                        json_array_append(parent, value);
                        return 0;
                }
                if (str_to_ll(last, 0, (long long)n - (streq(op, "add") ? 0 : 1), &idx) < 0) {
                        strbuf_addf(reason, "can't %s outside of list", op);
                        return -EINVAL;
                }
                if (streq(op, "add"))
                        json_array_insert(parent, (size_t)idx, value);
                else if (streq(op, "replace"))
                        json_array_set(parent, (size_t)idx, value);
                else
                        json_array_remove(parent, (size_t)idx);
                return 0;
        }
        strbuf_addf(reason, "can't resolve path '%s'", path);
        return -EINVAL;
}

int jsonpatch_apply(const json_t *doc, const json_t *patch, json_t **ret, struct err *e)
{
        json_auto_t *out = json_deep_copy(doc);
        if (!out)
                return -ENOMEM;
        size_t i;
        json_t *op;
        json_array_foreach(patch, i, op)
        {
                const char *o = json_string_value(json_object_get(op, "op"));
                const char *path = json_string_value(json_object_get(op, "path"));
                json_t *value = json_object_get(op, "value");
                if (streq(o, "add") && !strchr(path + 1, '/')) {
                        json_t *cur = json_object_get(out, path + 1);
                        if (!cur)
                                return err_set(e, -EINVAL,
                                               "Adding a new attribute %s to the root of the "
                                               "resource is not allowed.",
                                               path);
                        if (!json_is_null(cur))
                                return err_set(e, -EINVAL,
                                               "The attribute %s has existed, please use "
                                               "'replace' operation instead.",
                                               path);
                }
                json_auto_t *val = value ? json_incref(value) : json_null();
                if (streq(o, "replace") &&
                    (streq(path, "/labels") || streq(path, "/health_status_reason")) &&
                    json_is_string(value)) {
                        json_t *parsed = NULL;
                        _cleanup_err_ struct err le = ERR_INIT;
                        if (pyliteral_parse(json_string_value(value), &parsed, &le) < 0) {
                                _cleanup_free_ char *pp = schema_pystr(patch);
                                return err_set(e, -EINVAL, "Couldn't apply patch '%s'. Reason: %s",
                                               pp, err_msg(&le));
                        }
                        json_decref(val);
                        val = parsed;
                }
                _cleanup_strbuf_ struct strbuf reason = STRBUF_INIT;
                if (apply_one(out, o, path, val, &reason) < 0) {
                        _cleanup_free_ char *pp = schema_pystr(patch);
                        return err_set(e, -EINVAL, "Couldn't apply patch '%s'. Reason: %s", pp,
                                       reason.buf);
                }
        }
        *ret = TAKE_PTR(out);
        return 0;
}
