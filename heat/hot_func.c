/*
 * hot_func: the intrinsic-function table {name, versions, check, resolve} and the snippet
 * walker. HM_VALIDATE walks a snippet as Heat's parse + validate() do (argument shapes,
 * references, attribute names, removed functions); HM_RESOLVE computes values. `if` is a
 * macro: only the chosen branch is walked. Conditions use their own table (normal functions
 * become "invalid in this context").
 */
#include "common/common.h"

#include <ctype.h>
#include <limits.h>
#include <gnutls/crypto.h>
#include <stdarg.h>

#include "common/json_util.h"
#include "heat/hot_internal.h"
#include "heat/hot_py.h"
#include "heat/hot_rtypes.h"

#define SVF "StackValidationFailed"

/* Python exception class of a function's result() error, from its message. */
static const char *resolve_class(const char *msg)
{
        static const char *const type_errors[] = {
                "must be a list",
                "must be a string",
                "must be a map",
                "must operate on",
                "delimiter must be",
                "Items to join",
                "params must be",
                "template must be",
                "Incorrect arguments:",
                "only works with lists",
                "filters a list",
                "should be a sequence",
                "can't traverse",
                "must be string",
                "argument must be",
                "must be an integer",
                "parameters must be a mapping",
                "must contain a map",
                "must be lists",
                "should be boolean",
                "placeholders must be strings",
                "requires string as left operand",
        };
        for (size_t i = 0; i < ARRAY_SIZE(type_errors); i++)
                if (strstr(msg, type_errors[i]))
                        return "TypeError";
        return "ValueError";
}

static int fn_errv(struct hot_ev *ev, const struct hot_func *f, struct hot_err *he, bool keyerror,
                   const char *fmt, va_list ap)
{
        struct strbuf p = STRBUF_INIT, m = STRBUF_INIT;

        if (ev->mode == HM_RESOLVE && !ev->cond && !keyerror) {
                strbuf_vaddf(&m, fmt, ap);
                hot_err_set(he, resolve_class(m.buf), "%s", m.buf);
                he->resolve = true;
                strbuf_release(&m);
                return -EINVAL;
        }

        strbuf_addbuf(&p, ev->path);
        if (f)
                strbuf_addf(&p, ".%s", f->name);
        strbuf_vaddf(&m, fmt, ap);
        if (keyerror) {
                json_t *s = json_checked(json_string(m.buf));
                strbuf_reset(&m);
                hot_py_repr(&m, s);
                json_decref(s);
        }
        hot_err_svf(he, NULL, "%s", m.buf);
        json_array_append_new(he->path, json_checked(json_string(p.buf)));
        strbuf_release(&p);
        strbuf_release(&m);
        return -EINVAL;
}

int hot_fn_err(struct hot_ev *ev, const struct hot_func *f, struct hot_err *he, const char *fmt,
               ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = fn_errv(ev, f, he, false, fmt, ap);
        va_end(ap);
        return r;
}

static int fn_keyerr(struct hot_ev *ev, const struct hot_func *f, struct hot_err *he,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fn_keyerr(struct hot_ev *ev, const struct hot_func *f, struct hot_err *he,
                     const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = fn_errv(ev, f, he, true, fmt, ap);
        va_end(ap);
        return r;
}

/* Resolves a sub-snippet (always in resolve mode, keeping the path). */
static int R(struct hot_ev *ev, json_t *node, json_t **ret, struct hot_err *he)
{
        struct hot_ev sub = *ev;

        sub.mode = HM_RESOLVE;
        return hot_eval(&sub, node, ret, he);
}

static bool is_str(const json_t *j)
{
        return json_is_string(j);
}

/* Python s[idx] on a UTF-8 string (code points; negative from the end); NULL when out of
 * range. */
static json_t *str_index(json_t *str, long long idx)
{
        const unsigned char *p = (const unsigned char *)json_string_value(str);
        const unsigned char *end = p + json_string_length(str);
        long long n = 0;

        for (const unsigned char *q = p; q < end; q++)
                if ((*q & 0xc0) != 0x80)
                        n++;
        if (idx < 0)
                idx += n;
        if (idx < 0 || idx >= n)
                return NULL;
        for (long long i = 0; p < end; p++) {
                if ((*p & 0xc0) == 0x80)
                        continue;
                if (i++ == idx) {
                        const unsigned char *e = p + 1;
                        while (e < end && (*e & 0xc0) == 0x80)
                                e++;
                        return json_stringn((const char *)p, (size_t)(e - p));
                }
        }
        return NULL;
}

/* ---- get_param ---- */

static int walk_path(json_t *v, json_t *path, size_t from, json_t **ret)
{
        for (size_t i = from; i < json_array_size(path); i++) {
                json_t *k = json_array_get(path, i);
                if (json_is_object(v)) {
                        char buf[32];
                        const char *key;
                        if (json_is_string(k)) {
                                key = json_string_value(k);
                        } else if (json_is_integer(k)) {
                                snprintf(buf, sizeof(buf), "%lld",
                                         (long long)json_integer_value(k));
                                key = buf; /* Python: int key on a dict misses unless int keys */
                                v = NULL;
                                break;
                        } else {
                                v = NULL;
                                break;
                        }
                        v = json_object_get(v, key);
                        if (!v)
                                break;
                } else if (json_is_array(v) || json_is_string(v)) {
                        long long idx;
                        if (json_is_string(k)) {
                                if (str_to_ll(json_string_value(k), LLONG_MIN, LLONG_MAX, &idx) < 0)
                                        return -1; /* TypeError -> "" */
                        } else if (json_is_integer(k)) {
                                idx = json_integer_value(k);
                        } else {
                                return -1;
                        }
                        if (json_is_string(v)) {
                                json_t *c = str_index(v, idx);
                                if (!c)
                                        return -1;
                                if (i + 1 != json_array_size(path)) {
                                        json_decref(c);
                                        return -1;
                                }
                                *ret = c;
                                return 0;
                        }
                        if (idx < 0)
                                idx += (long long)json_array_size(v);
                        if (idx < 0 || (size_t)idx >= json_array_size(v))
                                return -1;
                        v = json_array_get(v, (size_t)idx);
                } else {
                        return -1;
                }
        }
        if (!v)
                return -1;
        *ret = json_incref(v);
        return 0;
}

static int pseudo_value(struct hot_stack *s, const char *name, json_t **ret)
{
        const char *v = NULL;

        if (strcmp(name, "OS::stack_name") == 0 || strcmp(name, "AWS::StackName") == 0)
                v = s->stack_name;
        else if (strcmp(name, "OS::stack_id") == 0 || strcmp(name, "AWS::StackId") == 0)
                v = s->stack_id;
        else if (strcmp(name, "OS::project_id") == 0)
                v = s->project_id;
        else if (strcmp(name, "AWS::Region") == 0)
                v = "ap-southeast-1";
        if (!v)
                return -ENOENT;
        *ret = json_checked(json_string(v));
        return 0;
}

static int get_param_value(struct hot_stack *s, const char *name, json_t **ret, struct hot_err *he)
{
        struct hot_param *p = hot_param_find(s, name);
        json_t *v;
        int r;

        if (!p) {
                if (pseudo_value(s, name, ret) == 0)
                        return 0;
                return hot_err_set(he, "UserParameterMissing",
                                   "The Parameter (%s) was not provided.", name);
        }
        r = hot_param_value(s, p, &v, he);
        if (r < 0)
                return r;
        *ret = json_incref(v);
        return 0;
}

static int f_get_param(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                       struct hot_err *he)
{
        json_auto_t *a = NULL;
        json_t *name, *v = NULL;
        int r;

        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        if (!a || json_is_null(a) || (json_is_string(a) && !json_string_length(a)) ||
            (json_is_array(a) && !json_array_size(a)) ||
            (json_is_object(a) && !json_object_size(a)) || json_is_false(a) ||
            (json_is_integer(a) && !json_integer_value(a)))
                return hot_fn_err(ev, f, he, "Function \"%s\" must have arguments", f->name);
        if (json_is_string(a))
                name = a;
        else if (json_is_array(a))
                name = json_array_get(a, 0);
        else
                return hot_fn_err(ev, f, he, "Argument to \"%s\" must be string or list", f->name);
        if (!json_is_string(name))
                return hot_fn_err(ev, f, he, "Parameter name in \"%s\" must be string", f->name);
        r = get_param_value(ev->s, json_string_value(name), &v, he);
        if (r < 0)
                return r;
        if (json_is_array(a) && json_array_size(a) > 1) {
                json_t *out = NULL;
                /* type checks that raise TypeError are swallowed into "" as in Heat */
                if (walk_path(v, a, 1, &out) < 0)
                        out = json_checked(json_string(""));
                json_decref(v);
                *ret = out;
                return 0;
        }
        *ret = v;
        return 0;
}

/* CFN Ref: a resource name gives the reference id, else a parameter. */
static int ref_id(struct hot_ev *ev, const char *name, json_t **ret)
{
        json_t *fx = ev->s->attrs ? json_object_get(ev->s->attrs, name) : NULL;
        json_t *ref = fx ? json_object_get(fx, "$ref") : NULL;

        if (ref && ev->mode == HM_RESOLVE) {
                *ret = json_incref(ref);
                return 0;
        }
        *ret = json_checked(json_string(name));
        return 0;
}

static bool res_enabled(struct hot_stack *s, const char *name)
{
        return json_is_true(json_object_get(s->enabled, name));
}

static int ref_missing(struct hot_ev *ev, const char *name, struct hot_err *he)
{
        struct strbuf key = STRBUF_INIT;

        if (ev->dep_path) {
                strbuf_addstr(&key, ev->dep_path);
                strbuf_addstr(&key, ev->path->buf + strlen(ev->dep_path) +
                                            (ev->path->len >= strlen(ev->dep_path) ? 0 : 0));
        } else {
                strbuf_addstr(&key, "unknown");
        }
        hot_err_set(he, "InvalidTemplateReference",
                    "The specified reference \"%s\" (in %s) is incorrect.", name, key.buf);
        strbuf_release(&key);
        return -EINVAL;
}

/* ---- get_resource ---- */

static int c_get_resource(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                          struct hot_err *he)
{
        json_auto_t *a = NULL;
        int r;

        (void)f;
        (void)ret;
        if (!ev->dep_path)
                return 0; /* outputs: GetResource has no validate() */
        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        if (!json_is_string(a) || !res_enabled(ev->s, json_string_value(a))) {
                _cleanup_free_ char *n = hot_py_str_dup(a);
                return ref_missing(ev, n, he);
        }
        if (ev->deps)
                json_object_set_new(ev->deps, json_string_value(a), json_true());
        return 0;
}

static int f_get_resource(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                          struct hot_err *he)
{
        json_auto_t *a = NULL;
        int r;

        (void)f;
        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        if (!json_is_string(a) || !res_enabled(ev->s, json_string_value(a))) {
                _cleanup_free_ char *n = hot_py_str_dup(a);
                return ref_missing(ev, n, he);
        }
        return ref_id(ev, json_string_value(a), ret);
}

/* ---- get_attr ---- */

static int getattr_shape(struct hot_ev *ev, const struct hot_func *f, json_t *args,
                         struct hot_err *he)
{
        bool allattrs = f->variant >= 2;

        if (allattrs &&
            (!args || json_is_null(args) || (json_is_array(args) && !json_array_size(args)) ||
             (json_is_string(args) && !json_string_length(args))))
                return hot_fn_err(ev, f, he,
                                  "Arguments to \"%s\" can be of the next forms: "
                                  "[resource_name] or [resource_name, attribute, (path), ...]",
                                  f->name);
        if (!json_is_array(args))
                return hot_fn_err(ev, f, he, "Argument to \"%s\" must be a list", f->name);
        if (json_array_size(args) < (allattrs ? 1 : 2))
                return hot_fn_err(ev, f, he,
                                  "Arguments to \"%s\" must be of the form "
                                  "[resource_name, attribute, (path), ...]",
                                  f->name);
        return 0;
}

static int c_get_attr(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                      struct hot_err *he)
{
        json_auto_t *name = NULL, *attr = NULL;
        const struct hot_rtype *rt;
        int r;

        (void)ret;
        r = getattr_shape(ev, f, args, he);
        if (r < 0)
                return r;
        r = R(ev, json_array_get(args, 0), &name, he);
        if (r < 0)
                return r;
        if (!json_is_string(name) || !res_enabled(ev->s, json_string_value(name))) {
                _cleanup_free_ char *n = hot_py_str_dup(name);
                if (ev->dep_path)
                        return ref_missing(ev, n, he);
                hot_err_set(he, "InvalidTemplateReference",
                            "The specified reference \"%s\" (in unknown) is incorrect.", n);
                goto wrap;
        }
        if (ev->deps)
                json_object_set_new(ev->deps, json_string_value(name), json_true());
        if (json_array_size(args) < 2)
                return 0;
        r = R(ev, json_array_get(args, 1), &attr, he);
        if (r < 0)
                return r;
        {
                /* every enabled resource is typed before any is validated; a template
                 * resource's type has no rtype (NULL: any attribute passes) */
                json_t *t = json_object_get(ev->s->types, json_string_value(name));
                rt = hot_rtype_lookup(json_string_value(t));
        }
        if (!json_is_string(attr) || !hot_rtype_has_attr(rt, json_string_value(attr))) {
                _cleanup_free_ char *a = hot_py_str_dup(attr);
                _cleanup_free_ char *n = hot_py_str_dup(json_array_get(args, 0));
                hot_err_set(he, "InvalidTemplateAttribute",
                            "The Referenced Attribute (%s %s) is incorrect.", n, a);
                goto wrap;
        }
        return 0;
wrap : {
        /* function.validate(): StackValidationFailed(path=<path>.get_attr, message=str(e)) */
        _cleanup_free_ char *msg = xstrdup(he->message);
        return hot_fn_err(ev, f, he, "%s", msg);
}
}

static int f_get_attr(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                      struct hot_err *he)
{
        json_auto_t *name = NULL, *attr = NULL, *rest = NULL;
        json_t *fx, *v;
        int r;

        r = getattr_shape(ev, f, args, he);
        if (r < 0)
                return r;
        r = R(ev, json_array_get(args, 0), &name, he);
        if (r < 0)
                return r;
        if (!json_is_string(name) || !res_enabled(ev->s, json_string_value(name))) {
                _cleanup_free_ char *n = hot_py_str_dup(name);
                return ref_missing(ev, n, he);
        }
        fx = ev->s->attrs ? json_object_get(ev->s->attrs, json_string_value(name)) : NULL;
        if (json_array_size(args) == 1) {
                json_t *all;
                const char *k;
                if (!fx) {
                        *ret = json_null();
                        return 0;
                }
                all = json_checked(json_object());
                json_object_foreach(fx, k, v) if (strcmp(k, "$ref") != 0 && strcmp(k, "show") != 0)
                        json_object_set(all, k, v);
                *ret = all;
                return 0;
        }
        r = R(ev, json_array_get(args, 1), &attr, he);
        if (r < 0)
                return r;
        rest = json_checked(json_array());
        for (size_t i = 2; i < json_array_size(args); i++) {
                json_t *c = NULL;
                r = R(ev, json_array_get(args, i), &c, he);
                if (r < 0)
                        return r;
                json_array_append_new(rest, c);
        }
        v = fx && json_is_string(attr) ? json_object_get(fx, json_string_value(attr)) : NULL;
        if (!v) {
                *ret = json_null();
                return 0;
        }
        /* path walk: missing key / bad index -> null; string index on a list -> null */
        v = json_incref(v);
        for (size_t i = 0; i < json_array_size(rest) && v; i++) {
                json_t *k = json_array_get(rest, i), *n = NULL;
                if (json_is_object(v) && json_is_string(k)) {
                        n = json_incref(json_object_get(v, json_string_value(k)));
                } else if (json_is_array(v) && json_is_integer(k)) {
                        long long idx = json_integer_value(k);
                        if (idx < 0)
                                idx += (long long)json_array_size(v);
                        if (idx >= 0 && (size_t)idx < json_array_size(v))
                                n = json_incref(json_array_get(v, (size_t)idx));
                } else if (json_is_string(v) && json_is_integer(k)) {
                        n = str_index(v, json_integer_value(k));
                }
                json_decref(v);
                v = n;
        }
        *ret = v ? v : json_null();
        return 0;
}

/* ---- get_file ---- */

static int f_get_file(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                      struct hot_err *he)
{
        json_auto_t *a = NULL;
        json_t *content;
        int r;

        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        if (!json_is_string(a))
                return hot_fn_err(ev, f, he, "Argument to \"%s\" must be a string", f->name);
        content = hot_stack_file(ev->s, json_string_value(a));
        if (!content)
                return hot_fn_err(ev, f, he,
                                  "No content found in the \"files\" section for %s path: %s",
                                  f->name, json_string_value(a));
        *ret = json_incref(content);
        return 0;
}

static int c_get_file(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                      struct hot_err *he)
{
        (void)ev, (void)f, (void)args, (void)ret, (void)he;
        return 0;
}

/* ---- list_join ---- */

static int c_list_join(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                       struct hot_err *he)
{
        const char *ex = f->variant ? "\"%s\" : [ \" \", [ \"str1\", \"str2\"] ...]"
                                    : "\"%s\" : [ \" \", [ \"str1\", \"str2\"]]";
        _cleanup_free_ char *example = NULL;

        (void)ret;
        example = xasprintf(ex, f->name);
        if (!json_is_array(args) ||
            (f->variant ? json_array_size(args) < 2 : json_array_size(args) != 2))
                return hot_fn_err(ev, f, he, "Incorrect arguments to \"%s\" should be: %s", f->name,
                                  example);
        return 0;
}

static int f_list_join(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                       struct hot_err *he)
{
        json_auto_t *delim = NULL, *items = json_checked(json_array());
        struct strbuf sb = STRBUF_INIT;
        size_t i;
        json_t *it;
        int r;

        r = c_list_join(ev, f, args, ret, he);
        if (r < 0)
                return r;
        for (i = 1; i < json_array_size(args); i++) {
                json_auto_t *l = NULL;
                r = R(ev, json_array_get(args, i), &l, he);
                if (r < 0)
                        return r;
                if (!f->variant && (json_is_null(l))) {
                        continue;
                }
                if (f->variant &&
                    (!l || json_is_null(l) || (json_is_array(l) && !json_array_size(l)) ||
                     (json_is_string(l) && !json_string_length(l)) ||
                     (json_is_object(l) && !json_object_size(l)) || json_is_false(l)))
                        continue;
                if (!json_is_array(l))
                        return hot_fn_err(ev, f, he, "\"%s\" must operate on %s", f->name,
                                          f->variant ? "a list" : "a list");
                json_array_extend(items, l);
        }
        r = R(ev, json_array_get(args, 0), &delim, he);
        if (r < 0)
                return r;
        if (!json_is_string(delim))
                return hot_fn_err(ev, f, he, "\"%s\" delimiter must be a string", f->name);
        {
                /* one allocation for the common all-strings case (big get_file scripts) */
                size_t need = 0;
                json_array_foreach(items, i, it) need +=
                        json_string_length(it) + json_string_length(delim);
                strbuf_grow(&sb, need);
        }
        json_array_foreach(items, i, it)
        {
                if (i)
                        strbuf_add(&sb, json_string_value(delim), json_string_length(delim));
                if (json_is_null(it))
                        continue;
                if (json_is_string(it)) {
                        strbuf_add(&sb, json_string_value(it), json_string_length(it));
                } else if (f->variant && (json_is_array(it) || json_is_object(it))) {
                        hot_py_json_dumps(&sb, it);
                } else {
                        _cleanup_free_ char *rep = hot_py_repr_dup(it);
                        if (strlen(rep) > 200)
                                rep[200] = '\0';
                        strbuf_release(&sb);
                        return hot_fn_err(
                                ev, f, he,
                                f->variant ? "Items to join must be string, map or list not %s"
                                           : "Items to join must be strings not %s",
                                rep);
                }
        }
        /* joined valid UTF-8 pieces (and ASCII JSON) stay valid UTF-8 */
        *ret = json_checked(json_stringn_nocheck(sb.buf, sb.len));
        strbuf_release(&sb);
        return 0;
}

/* ---- str_replace (variant: 0 plain, 1 json, 2 strict, 3 vstrict) ---- */

static int c_str_replace(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                         struct hot_err *he)
{
        json_t *params;

        (void)ret;
        if (!json_is_object(args))
                return hot_fn_err(ev, f, he, "Arguments to \"%s\" must be a map", f->name);
        params = json_object_get(args, "params");
        if (!params || !json_object_get(args, "template"))
                return fn_keyerr(ev, f, he,
                                 "\"%s\" syntax should be %s:\n"
                                 "              template: This is var1 template var2\n"
                                 "              params:\n"
                                 "                var1: a\n"
                                 "                var2: string",
                                 f->name, f->name);
        if (!json_is_object(params))
                return hot_fn_err(ev, f, he, "\"%s\" parameters must be a mapping", f->name);
        return 0;
}

static int cmp_placeholders(const void *a, const void *b)
{
        const char *x = *(const char *const *)a, *y = *(const char *const *)b;
        size_t lx = strlen(x), ly = strlen(y);

        if (lx != ly)
                return lx > ly ? -1 : 1;
        return strcmp(x, y);
}

/* Heat's str_replace: the template is split at the (non-overlapping, leftmost) occurrences of
 * the first placeholder, each piece is replaced in with the next placeholder, and so on; the
 * pieces are joined with the values. The pieces a placeholder sees are visited left to right,
 * so one cursor per placeholder (its next occurrence in the whole template) answers every
 * search: a template with n placeholders that each occur once costs ~2n searches, not n^2/2
 * (write-heat-params-master.sh has ~150). The occurrences themselves come from one scan of
 * the template for all placeholders at once (bucketed by their first two bytes), or, when
 * there are too many of them to keep, from a memmem per placeholder. */
struct repl {
        const char *s;
        size_t len;
        const char **keys, **vals;
        size_t *klen, *vlen;
        size_t *next; /* first occurrence at or after the last search point (len + 1: none) */
        bool *known;  /* next[k] computed */
        bool *used;
        size_t n;
        struct strbuf *out;
        size_t *occ;       /* all occurrences, placeholder by placeholder, ascending; or NULL */
        size_t *occ_start; /* placeholder k's are occ[occ_start[k] .. occ_start[k + 1]) */
};

#define REPL_BUCKETS 256

static size_t repl_bucket(unsigned char a, unsigned char b)
{
        return ((size_t)a * 257 + b) & (REPL_BUCKETS - 1);
}

/* Fills R->occ / R->occ_start; leaves them NULL when the occurrences exceed a budget that
 * keeps the index small (a placeholder like "a" can occur at every position). */
static void repl_index(struct repl *R)
{
        size_t n = R->n, budget = 4 * n + 4096, total = 0, alloc = 0;
        unsigned head1[256] = {0}, head2[REPL_BUCKETS] = {0}, *chain;
        size_t *count;
        struct {
                size_t k, pos;
        } *hits = NULL;
        bool first[256] = {false}, ok = true;
        const unsigned char *s = (const unsigned char *)R->s;
        int n_first = 0, only = 0;

        if (n >= UINT_MAX) /* chains hold indices + 1 as unsigned */
                return;
        chain = xnew(unsigned, n + 1);
        count = xnew(size_t, n + 1);

        /* chains of placeholder indices (+ 1; 0 ends a chain) by first byte / first two */
        for (size_t k = n; k-- > 0;) {
                const unsigned char *key = (const unsigned char *)R->keys[k];
                unsigned *head;
                if (!R->klen[k])
                        continue;
                if (!first[key[0]]) {
                        n_first++;
                        only = key[0];
                }
                first[key[0]] = true;
                head = R->klen[k] == 1 ? &head1[key[0]] : &head2[repl_bucket(key[0], key[1])];
                chain[k] = *head;
                *head = (unsigned)k + 1;
        }
        for (size_t i = 0; i < R->len && ok; i++) {
                if (n_first == 1) {
                        /* typically every placeholder starts with '$' or '_' */
                        const unsigned char *q = memchr(s + i, only, R->len - i);
                        if (!q)
                                break;
                        i = (size_t)(q - s);
                } else if (!first[s[i]]) {
                        continue;
                }
                for (int one = 1; one >= 0 && ok; one--) {
                        unsigned c;
                        if (one)
                                c = head1[s[i]];
                        else if (i + 1 < R->len)
                                c = head2[repl_bucket(s[i], s[i + 1])];
                        else
                                break;
                        for (; c; c = chain[c - 1]) {
                                size_t k = c - 1;
                                if (R->klen[k] > R->len - i ||
                                    memcmp(s + i, R->keys[k], R->klen[k]))
                                        continue;
                                if (total == budget) {
                                        ok = false;
                                        break;
                                }
                                hits = xgrow(hits, total + 1, &alloc, sizeof(*hits));
                                hits[total].k = k;
                                hits[total++].pos = i;
                                count[k]++;
                        }
                }
        }
        if (ok) {
                /* counting sort by placeholder; positions stay ascending within each */
                R->occ_start = xnew(size_t, n + 1);
                R->occ = xnew(size_t, total + 1);
                for (size_t k = 0; k < n; k++)
                        R->occ_start[k + 1] = R->occ_start[k] + count[k];
                memset(count, 0, (n + 1) * sizeof(*count));
                for (size_t h = 0; h < total; h++)
                        R->occ[R->occ_start[hits[h].k] + count[hits[h].k]++] = hits[h].pos;
        }
        free(hits);
        free(chain);
        free(count);
}

static size_t repl_find(struct repl *R, size_t k, size_t p)
{
        if (R->known[k] && R->next[k] >= p)
                return R->next[k];
        if (R->occ) {
                /* first occurrence at or after p */
                size_t lo = R->occ_start[k], hi = R->occ_start[k + 1];
                while (lo < hi) {
                        size_t mid = lo + (hi - lo) / 2;
                        if (R->occ[mid] < p)
                                lo = mid + 1;
                        else
                                hi = mid;
                }
                R->next[k] = lo < R->occ_start[k + 1] ? R->occ[lo] : R->len + 1;
        } else {
                const char *hit = memmem(R->s + p, R->len - p, R->keys[k], R->klen[k]);
                R->next[k] = hit ? (size_t)(hit - R->s) : R->len + 1;
        }
        R->known[k] = true;
        return R->next[k];
}

static void repl_piece(struct repl *R, size_t k, size_t a, size_t b)
{
        size_t p = a;

        if (k == R->n) {
                strbuf_add(R->out, R->s + a, b - a);
                return;
        }
        for (;;) {
                size_t q = R->klen[k] ? repl_find(R, k, p) : R->len + 1;
                if (q > b || b - q < R->klen[k]) {
                        repl_piece(R, k + 1, p, b);
                        return;
                }
                R->used[k] = true;
                repl_piece(R, k + 1, p, q);
                strbuf_add(R->out, R->vals[k], R->vlen[k]);
                p = q + R->klen[k];
        }
}

static void replace_all(struct strbuf *out, const char *s, size_t len, const char **keys,
                        const char **vals, size_t n, bool *used)
{
        struct repl R = {.s = s,
                         .len = len,
                         .keys = keys,
                         .vals = vals,
                         .klen = xnew(size_t, n + 1),
                         .vlen = xnew(size_t, n + 1),
                         .next = xnew(size_t, n + 1),
                         .known = xnew(bool, n + 1),
                         .used = used,
                         .n = n,
                         .out = out};

        for (size_t i = 0; i < n; i++) {
                R.klen[i] = strlen(keys[i]);
                R.vlen[i] = strlen(vals[i]);
        }
        if (n)
                repl_index(&R);
        repl_piece(&R, 0, 0, len);
        free(R.klen);
        free(R.vlen);
        free(R.next);
        free(R.known);
        free(R.occ);
        free(R.occ_start);
}

static int f_str_replace(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                         struct hot_err *he)
{
        json_auto_t *tmpl = NULL, *params = NULL;
        const char *k;
        json_t *v;
        size_t n, i = 0;
        const char **keys, **vals;
        char **owned;
        bool *used;
        struct strbuf out = STRBUF_INIT;
        int r;

        r = c_str_replace(ev, f, args, ret, he);
        if (r < 0)
                return r;
        r = R(ev, json_object_get(args, "template"), &tmpl, he);
        if (r < 0)
                return r;
        r = R(ev, json_object_get(args, "params"), &params, he);
        if (r < 0)
                return r;
        if (!json_is_string(tmpl))
                return hot_fn_err(ev, f, he, "\"%s\" template must be a string", f->name);
        if (!json_is_object(params))
                return hot_fn_err(ev, f, he, "\"%s\" params must be a map", f->name);
        n = json_object_size(params);
        keys = xnew(const char *, n + 1);
        vals = xnew(const char *, n + 1);
        owned = xnew(char *, n + 1);
        used = xnew(bool, n + 1);
        json_object_foreach(params, k, v) keys[i++] = k;
        qsort(keys, n, sizeof(*keys), cmp_placeholders);
        for (i = 0; i < n; i++) {
                v = json_object_get(params, keys[i]);
                bool empty = json_is_null(v) || (json_is_string(v) && !json_string_length(v)) ||
                             (json_is_array(v) && !json_array_size(v)) ||
                             (json_is_object(v) && !json_object_size(v));
                if (f->variant == 3 && empty) {
                        r = hot_fn_err(ev, f, he,
                                       "%s has an undefined or empty value for param %s, must be "
                                       "a defined non-empty value",
                                       f->name, keys[i]);
                        goto out;
                }
                if (json_is_null(v)) {
                        owned[i] = xstrdup("");
                } else if (json_is_array(v) || json_is_object(v)) {
                        if (f->variant == 0) {
                                r = hot_fn_err(ev, f, he,
                                               "\"%s\" params must be strings or numbers, param %s "
                                               "is not valid",
                                               f->name, keys[i]);
                                goto out;
                        }
                        owned[i] = hot_py_json_dup(v);
                } else {
                        owned[i] = hot_py_str_dup(v);
                }
                vals[i] = owned[i];
        }
        /* Heat splits on each placeholder in turn, the empty one (shortest) last: Python's
         * str.split("") raises */
        if (n && !keys[n - 1][0]) {
                r = hot_fn_err(ev, f, he, "empty separator");
                goto out;
        }
        replace_all(&out, json_string_value(tmpl), json_string_length(tmpl), keys, vals, n, used);
        if (f->variant >= 2) {
                struct strbuf miss = STRBUF_INIT;
                for (i = 0; i < n; i++)
                        if (!used[i])
                                strbuf_addf(&miss, "%s%s", miss.len ? "," : "", keys[i]);
                if (miss.len) {
                        r = hot_fn_err(ev, f, he,
                                       "The following params were not found in the template: %s",
                                       miss.buf);
                        strbuf_release(&miss);
                        goto out;
                }
                strbuf_release(&miss);
        }
        *ret = json_checked(json_stringn_nocheck(out.buf, out.len));
        r = 0;
out:
        strbuf_release(&out);
        for (i = 0; i < n; i++)
                free(owned[i]);
        free(owned);
        free(keys);
        free(vals);
        free(used);
        return r;
}

/* ---- repeat (variant 0 lists, 1 lists/maps, 2 + permutations) ---- */

static int c_repeat(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                    struct hot_err *he)
{
        json_t *fe, *perm;

        (void)ret;
        if (!json_is_object(args))
                return hot_fn_err(ev, f, he, "Arguments to \"%s\" must be a map", f->name);
        fe = json_object_get(args, "for_each");
        if (!fe || !json_object_get(args, "template"))
                return fn_keyerr(ev, f, he,
                                 "\"repeat\" syntax should be repeat:\n"
                                 "              template: This is %%var%%\n"
                                 "              for_each:\n"
                                 "                %%var%%: ['a', 'b', 'c']");
        perm = json_object_get(args, "permutations");
        if (f->variant >= 2 && perm && !json_is_boolean(perm))
                return hot_fn_err(ev, f, he,
                                  "\"permutations\" should be boolean type for %s function.",
                                  f->name);
        if (!json_is_object(fe) ||
            (json_object_size(fe) == 1 &&
             hot_func_find(ev->s, json_object_iter_key(json_object_iter(fe)), false)))
                if (!json_is_object(fe))
                        return hot_fn_err(ev, f, he,
                                          "The \"for_each\" argument to \"%s\" must contain a map",
                                          f->name);
        return 0;
}

static json_t *repeat_subst(json_t *t, const char **keys, const char **vals, size_t n)
{
        if (json_is_string(t)) {
                struct strbuf sb = STRBUF_INIT;
                strbuf_addstr(&sb, json_string_value(t));
                for (size_t i = 0; i < n; i++) {
                        struct strbuf o = STRBUF_INIT;
                        size_t kl = strlen(keys[i]);
                        const char *p = sb.buf, *hit;
                        if (!kl) {
                                strbuf_release(&o);
                                continue;
                        }
                        while ((hit = strstr(p, keys[i]))) {
                                strbuf_add(&o, p, (size_t)(hit - p));
                                strbuf_addstr(&o, vals[i]);
                                p = hit + kl;
                        }
                        strbuf_addstr(&o, p);
                        strbuf_release(&sb);
                        sb = o;
                }
                t = json_checked(json_string(sb.buf));
                strbuf_release(&sb);
                return t;
        }
        if (json_is_array(t)) {
                json_t *a = json_checked(json_array()), *it;
                size_t i;
                json_array_foreach(t, i, it)
                        json_array_append_new(a, repeat_subst(it, keys, vals, n));
                return a;
        }
        if (json_is_object(t)) {
                json_t *o = json_checked(json_object()), *it;
                const char *k;
                json_object_foreach(t, k, it)
                {
                        json_t *ks = json_checked(json_string(k));
                        json_t *nk = repeat_subst(ks, keys, vals, n);
                        json_object_set_new(o, json_string_value(nk),
                                            repeat_subst(it, keys, vals, n));
                        json_decref(ks);
                        json_decref(nk);
                }
                return o;
        }
        return json_incref(t);
}

static int f_repeat(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                    struct hot_err *he)
{
        json_auto_t *fe = NULL, *tmpl = NULL, *lists = json_checked(json_array());
        json_t *perm = json_object_get(args, "permutations");
        bool nested = !(f->variant >= 2 && json_is_false(perm));
        const char *k;
        json_t *v, *out;
        size_t n, total = 1, i;
        const char **keys;
        int r;

        r = c_repeat(ev, f, args, ret, he);
        if (r < 0)
                return r;
        r = R(ev, json_object_get(args, "for_each"), &fe, he);
        if (r < 0)
                return r;
        if (!json_is_object(fe))
                return hot_fn_err(ev, f, he,
                                  "The \"for_each\" argument to \"%s\" must contain a map",
                                  f->name);
        n = json_object_size(fe);
        keys = xnew(const char *, n + 1);
        i = 0;
        json_object_foreach(fe, k, v)
        {
                json_t *l;
                keys[i++] = k;
                if (json_is_null(v)) {
                        l = json_checked(json_array());
                } else if (json_is_array(v)) {
                        l = json_incref(v);
                } else if (json_is_object(v) && f->variant >= 1 && nested) {
                        const char *mk;
                        json_t *mv;
                        l = json_checked(json_array());
                        json_object_foreach(v, mk, mv)
                                json_array_append_new(l, json_checked(json_string(mk)));
                } else {
                        free(keys);
                        return hot_fn_err(ev, f, he,
                                          (f->variant >= 1 && nested)
                                                  ? "The values of the \"for_each\" argument to "
                                                    "\"%s\" must be lists or maps"
                                                  : "The values of the \"for_each\" argument to "
                                                    "\"%s\" must be lists",
                                          f->name);
                }
                json_array_append_new(lists, l);
        }
        if (!nested) {
                size_t len0 = n ? json_array_size(json_array_get(lists, 0)) : 0;
                for (i = 0; i < n; i++)
                        if (json_array_size(json_array_get(lists, i)) != len0) {
                                free(keys);
                                return hot_fn_err(ev, f, he,
                                                  "For %s, the length of for_each values should be "
                                                  "equal if no nested loop.",
                                                  f->name);
                        }
                total = n ? len0 : 0;
        } else {
                for (i = 0; i < n; i++)
                        total *= json_array_size(json_array_get(lists, i));
                if (n == 0)
                        total = 0;
        }
        r = R(ev, json_object_get(args, "template"), &tmpl, he);
        if (r < 0) {
                free(keys);
                return r;
        }
        if (total > 100000) {
                free(keys);
                return hot_fn_err(ev, f, he, "repeat produces too many items");
        }
        out = json_checked(json_array());
        for (size_t c = 0; c < total; c++) {
                const char **vals = xnew(const char *, n + 1);
                char **own = xnew(char *, n + 1);
                size_t rem = c;
                for (size_t j = n; j-- > 0;) {
                        json_t *l = json_array_get(lists, j);
                        size_t idx = nested ? rem % json_array_size(l) : c;
                        if (nested)
                                rem /= json_array_size(l);
                        own[j] = hot_py_str_dup(json_array_get(l, idx));
                        vals[j] = own[j];
                }
                json_array_append_new(out, repeat_subst(tmpl, keys, vals, n));
                for (size_t j = 0; j < n; j++)
                        free(own[j]);
                free(own);
                free(vals);
        }
        free(keys);
        *ret = out;
        return 0;
}

/* ---- digest ---- */

static const struct {
        const char *name;
        gnutls_digest_algorithm_t alg;
} digests[] = {
        {"md5", GNUTLS_DIG_MD5},           {"sha1", GNUTLS_DIG_SHA1},
        {"sha224", GNUTLS_DIG_SHA224},     {"sha256", GNUTLS_DIG_SHA256},
        {"sha384", GNUTLS_DIG_SHA384},     {"sha512", GNUTLS_DIG_SHA512},
        {"sha3_224", GNUTLS_DIG_SHA3_224}, {"sha3_256", GNUTLS_DIG_SHA3_256},
        {"sha3_384", GNUTLS_DIG_SHA3_384}, {"sha3_512", GNUTLS_DIG_SHA3_512},
};

static int f_digest(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                    struct hot_err *he)
{
        json_auto_t *a = NULL;
        unsigned char out[64];
        struct strbuf sb = STRBUF_INIT, latin = STRBUF_INIT;
        const char *alg;
        int r;

        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        if (!json_is_array(a) || !is_str(json_array_get(a, 0)) ||
            (json_array_size(a) > 1 && !is_str(json_array_get(a, 1))) || (json_array_size(a) > 2))
                return hot_fn_err(ev, f, he,
                                  "Argument to function \"%s\" must be a list of strings", f->name);
        if (json_array_size(a) != 2)
                return hot_fn_err(ev, f, he,
                                  "Function \"%s\" usage: [\"<algorithm>\", \"<value>\"]", f->name);
        alg = json_string_value(json_array_get(a, 0));
        for (size_t i = 0; i < ARRAY_SIZE(digests); i++) {
                if (strcasecmp(alg, digests[i].name) != 0)
                        continue;
                /* latin-1 encode: code points > 255 are an error in Python */
                {
                        const unsigned char *p =
                                (const unsigned char *)json_string_value(json_array_get(a, 1));
                        while (*p) {
                                unsigned c = *p;
                                if (c < 0x80) {
                                        p++;
                                } else if ((c & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
                                        c = ((c & 0x1f) << 6) | (p[1] & 0x3f);
                                        p += 2;
                                } else {
                                        strbuf_release(&latin);
                                        return hot_fn_err(ev, f, he,
                                                          "'latin-1' codec can't encode character");
                                }
                                if (c > 0xff) {
                                        strbuf_release(&latin);
                                        return hot_fn_err(ev, f, he,
                                                          "'latin-1' codec can't encode character");
                                }
                                strbuf_addch(&latin, (int)c);
                        }
                }
                gnutls_hash_fast(digests[i].alg, latin.buf, latin.len, out);
                for (unsigned j = 0; j < gnutls_hash_get_len(digests[i].alg); j++)
                        strbuf_addf(&sb, "%02x", out[j]);
                strbuf_release(&latin);
                *ret = json_checked(json_string(sb.buf));
                strbuf_release(&sb);
                return 0;
        }
        return hot_fn_err(ev, f, he, "Algorithm must be one of %s",
                          "{'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha3_224', "
                          "'sha3_256', 'sha3_384', 'sha3_512'}");
}

/* ---- str_split ---- */

static int c_str_split(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                       struct hot_err *he)
{
        (void)ret;
        if (!json_is_array(args) || json_array_size(args) < 2 || json_array_size(args) > 3)
                return hot_fn_err(ev, f, he,
                                  "Incorrect arguments to \"%s\" should be: \"%s\" : [ \",\", "
                                  "\"apples,pears\", <index>]",
                                  f->name, f->name);
        return 0;
}

static int f_str_split(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                       struct hot_err *he)
{
        json_auto_t *a = NULL, *out = NULL;
        const char *d, *s, *p, *hit;
        int r;

        r = c_str_split(ev, f, args, ret, he);
        if (r < 0)
                return r;
        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        if (json_is_null(json_array_get(a, 1))) {
                *ret = json_null();
                return 0;
        }
        if (!is_str(json_array_get(a, 0)) || !is_str(json_array_get(a, 1)))
                return hot_fn_err(ev, f, he,
                                  "Incorrect arguments to \"%s\" should be: \"%s\" : [ \",\", "
                                  "\"apples,pears\", <index>]",
                                  f->name, f->name);
        d = json_string_value(json_array_get(a, 0));
        s = json_string_value(json_array_get(a, 1));
        if (!*d)
                return hot_fn_err(ev, f, he, "empty separator");
        out = json_checked(json_array());
        for (p = s; (hit = strstr(p, d)); p = hit + strlen(d))
                json_array_append_new(out, json_checked(json_stringn(p, (size_t)(hit - p))));
        json_array_append_new(out, json_checked(json_string(p)));
        if (json_array_size(a) == 3) {
                json_t *ix = json_array_get(a, 2);
                long long idx;
                if (json_is_integer(ix))
                        idx = json_integer_value(ix);
                else if (!json_is_string(ix) ||
                         str_to_ll(json_string_value(ix), LLONG_MIN, LLONG_MAX, &idx) < 0)
                        return hot_fn_err(ev, f, he,
                                          "Incorrect index to \"%s\" should be: \"%s\" : [ \",\", "
                                          "\"apples,pears\", <index>]",
                                          f->name, f->name);
                if (idx < 0 || (size_t)idx >= json_array_size(out))
                        return hot_fn_err(ev, f, he,
                                          "Incorrect index to \"%s\" should be between 0 and %zu",
                                          f->name, json_array_size(out) - 1);
                *ret = json_incref(json_array_get(out, (size_t)idx));
                return 0;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

/* ---- map_merge / map_replace ---- */

static int f_map_merge(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                       struct hot_err *he)
{
        json_auto_t *a = NULL;
        json_t *out, *m;
        size_t i;
        int r;

        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        if (!json_is_array(a))
                return hot_fn_err(ev, f, he,
                                  "Incorrect arguments to \"%s\" should be: \"%s\" : [ { \"key1\": "
                                  "\"val1\" }, { \"key2\": \"val2\" } ]",
                                  f->name, f->name);
        out = json_checked(json_object());
        json_array_foreach(a, i, m)
        {
                if (json_is_null(m))
                        continue;
                if (!json_is_object(m)) {
                        json_decref(out);
                        return hot_fn_err(ev, f, he,
                                          "Incorrect arguments: Items to merge must be maps.");
                }
                json_object_update(out, m);
        }
        *ret = out;
        return 0;
}

static int f_map_replace(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                         struct hot_err *he)
{
        static const char ex[] =
                "\"%s\" : [ { \"key1\": \"val1\" }, {\"keys\": {\"key1\": \"key2\"}, "
                "\"values\": {\"val1\": \"val2\"}}]";
        json_auto_t *a = NULL;
        _cleanup_free_ char *example = xasprintf(ex, f->name);
        json_t *in, *repl, *rk, *rv, *out, *v;
        const char *k;
        int r;

        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        if (!json_is_array(a) || json_array_size(a) != 2)
                return hot_fn_err(ev, f, he, "Incorrect arguments to \"%s\" should be: %s", f->name,
                                  example);
        in = json_array_get(a, 0);
        repl = json_array_get(a, 1);
        if ((!json_is_null(in) && !json_is_object(in)) ||
            (!json_is_null(repl) && !json_is_object(repl)))
                return hot_fn_err(
                        ev, f, he,
                        "Incorrect arguments: to \"%s\", arguments must be a list of maps. "
                        "Example:  %s",
                        f->name, example);
        json_object_foreach(
                repl, k,
                v) if (strcmp(k, "keys") != 0 &&
                       strcmp(k, "values") !=
                               0) return hot_fn_err(ev, f, he,
                                                    "Incorrect arguments to \"%s\" should be: %s",
                                                    f->name, example);
        rk = json_object_get(repl, "keys");
        rv = json_object_get(repl, "values");
        if ((rk && !json_is_null(rk) && !json_is_object(rk)) ||
            (rv && !json_is_null(rv) && !json_is_object(rv)))
                return hot_fn_err(
                        ev, f, he,
                        "Incorrect arguments: to \"%s\", arguments must be a list of maps. "
                        "Example:  %s",
                        f->name, example);
        out = json_checked(json_object());
        json_object_foreach(in, k, v)
        {
                json_t *nk = rk ? json_object_get(rk, k) : NULL;
                const char *key = k;
                json_t *nv = v;
                if (nk && !json_is_null(nk)) {
                        _cleanup_free_ char *ks = hot_py_str_dup(nk);
                        if (json_object_get(in, ks) && strcmp(ks, k) != 0) {
                                json_decref(out);
                                return hot_fn_err(
                                        ev, f, he,
                                        "key replacement %s collides with a key in the input map",
                                        ks);
                        }
                        if (json_object_get(out, ks)) {
                                json_decref(out);
                                return hot_fn_err(
                                        ev, f, he,
                                        "key replacement %s collides with a key in the output map",
                                        ks);
                        }
                        json_object_set(out, ks, v);
                        key = NULL;
                }
                if (rv && (json_is_string(v))) {
                        json_t *x = json_object_get(rv, json_string_value(v));
                        if (x)
                                nv = x;
                } else if (rv && (json_is_integer(v) || json_is_boolean(v) || json_is_real(v))) {
                        _cleanup_free_ char *vs = hot_py_str_dup(v);
                        (void)vs; /* non-string keys cannot come from YAML maps */
                }
                if (key)
                        json_object_set(out, key, nv);
                else {
                        _cleanup_free_ char *ks = hot_py_str_dup(nk);
                        json_object_set(out, ks, nv);
                }
        }
        *ret = out;
        return 0;
}

/* ---- yaql ---- */

static int c_yaql(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                  struct hot_err *he)
{
        json_t *k;
        const char *key;

        (void)ret;
        if (!json_is_object(args))
                return hot_fn_err(ev, f, he, "Arguments to \"%s\" must be a map.", f->name);
        json_object_foreach(args, key, k) if (strcmp(key, "expression") != 0 &&
                                              strcmp(key, "data") != 0) goto syntax;
        if (!json_object_get(args, "expression") || !json_object_get(args, "data"))
                goto syntax;
        k = json_object_get(args, "expression");
        if (!json_is_string(k) &&
            !(json_is_object(k) && json_object_size(k) == 1 &&
              hot_func_find(ev->s, json_object_iter_key(json_object_iter(k)), ev->cond)))
                return hot_fn_err(ev, f, he,
                                  "The \"expression\" argument to %s must contain a string.",
                                  f->name);
        return 0;
syntax:
        return fn_keyerr(ev, f, he,
                         "\"%s\" syntax should be %s:\n"
                         "              expression: $.data.var1.sum()\n"
                         "              data:\n"
                         "                var1: [3, 2, 1]",
                         f->name, f->name);
}

static int f_yaql(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                  struct hot_err *he)
{
        json_auto_t *expr = NULL, *data = NULL, *root = NULL;
        int r;

        r = c_yaql(ev, f, args, ret, he);
        if (r < 0)
                return r;
        r = R(ev, json_object_get(args, "expression"), &expr, he);
        if (r < 0)
                return r;
        if (!json_is_string(expr))
                return hot_fn_err(ev, f, he,
                                  "The \"expression\" argument to %s must contain a string.",
                                  f->name);
        r = R(ev, json_object_get(args, "data"), &data, he);
        if (r < 0)
                return r;
        root = json_pack("{sO}", "data", data);
        r = hot_yaql_eval(json_string_value(expr), root, ret, he);
        if (r < 0) {
                _cleanup_free_ char *msg = xstrdup(he->message);
                return hot_fn_err(ev, f, he, "%s", msg);
        }
        return 0;
}

/* ---- if (macro) ---- */

static int if_shape(struct hot_ev *ev, const struct hot_func *f, json_t *args, struct hot_err *he)
{
        size_t n = json_array_size(args);

        if (!json_is_array(args) || !(n == 3 || (f->variant && n == 2)))
                return hot_fn_err(ev, f, he,
                                  "Arguments to \"%s\" must be of the form: [condition_name, "
                                  "value_if_true, value_if_false]",
                                  f->name);
        return 0;
}

static int f_if(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                struct hot_err *he)
{
        struct hot_ev cev = *ev;
        bool c;
        size_t plen = ev->path->len;
        int r;

        r = if_shape(ev, f, args, he);
        if (r < 0)
                return r;
        cev.cond = true;
        cev.mode = HM_RESOLVE;
        strbuf_addstr(ev->path, "[0]");
        r = hot_cond_eval(&cev, json_array_get(args, 0), &c, he);
        strbuf_setlen(ev->path, plen);
        if (r < 0)
                return r;
        if (!c && json_array_size(args) == 2) {
                *ret = ev->mode == HM_RESOLVE ? json_incref(ev->s->absent) : NULL;
                return 0;
        }
        strbuf_addstr(ev->path, c ? "[1]" : "[2]");
        r = hot_eval(ev, json_array_get(args, c ? 1 : 2), ret, he);
        strbuf_setlen(ev->path, plen);
        return r;
}

/* ---- condition functions ---- */

static int f_equals(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                    struct hot_err *he)
{
        json_auto_t *a = NULL, *b = NULL;
        int r;

        if (!json_is_array(args) || json_array_size(args) != 2)
                return hot_fn_err(ev, f, he,
                                  "Arguments to \"%s\" must be of the form: [value_1, value_2]",
                                  f->name);
        if (ev->mode == HM_VALIDATE)
                return 0;
        r = R(ev, json_array_get(args, 0), &a, he);
        if (r >= 0)
                r = R(ev, json_array_get(args, 1), &b, he);
        if (r < 0)
                return r;
        *ret = json_boolean(hot_py_eq(a, b));
        return 0;
}

static int f_not(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                 struct hot_err *he)
{
        bool c;
        int r;
        size_t plen = ev->path->len;

        if (ev->s->ver->kind != HOT_KIND_HOT) {
                if (!json_is_array(args) || json_array_size(args) != 1)
                        return hot_fn_err(ev, f, he,
                                          "Arguments to \"%s\" must be of the form: "
                                          "[condition]",
                                          f->name);
                args = json_array_get(args, 0);
        }
        if (ev->mode == HM_VALIDATE)
                return 0;
        strbuf_addf(ev->path, ".%s", f->name);
        r = hot_cond_eval(ev, args, &c, he);
        strbuf_setlen(ev->path, plen);
        if (r < 0)
                return r;
        *ret = json_boolean(!c);
        return 0;
}

static int f_andor(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                   struct hot_err *he)
{
        bool is_and = f->variant == 0, acc = is_and;
        size_t i, plen = ev->path->len;
        json_t *it;

        if (!json_is_array(args))
                return hot_fn_err(ev, f, he, "Arguments to \"%s\" must be a list of conditions",
                                  f->name);
        if (json_array_size(args) < 2)
                return hot_fn_err(ev, f, he,
                                  "The minimum number of condition arguments to \"%s\" is 2.",
                                  f->name);
        if (ev->mode == HM_VALIDATE)
                return 0;
        json_array_foreach(args, i, it)
        {
                bool c;
                int r;
                strbuf_addf(ev->path, ".%s[%zu]", f->name, i);
                r = hot_cond_eval(ev, it, &c, he);
                strbuf_setlen(ev->path, plen);
                if (r < 0)
                        return r;
                if (is_and && !c)
                        acc = false;
                if (!is_and && c)
                        acc = true;
        }
        *ret = json_boolean(acc);
        return 0;
}

static int f_contains(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                      struct hot_err *he)
{
        json_auto_t *a = NULL;
        json_t *v, *seq, *it;
        size_t i;
        int r;

        if (!json_is_array(args))
                return hot_fn_err(
                        ev, f, he,
                        "Incorrect arguments to \"%s\" should be: \"%s\" : [ \"value1\", [ "
                        "\"value1\", \"value2\"]]",
                        f->name, f->name);
        if (json_array_size(args) != 2)
                return hot_fn_err(
                        ev, f, he,
                        "Arguments to \"%s\" must be of the form: [value1, [value1, value2]]",
                        f->name);
        if (ev->mode == HM_VALIDATE)
                return 0;
        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        v = json_array_get(a, 0);
        seq = json_array_get(a, 1);
        if (json_is_string(seq)) {
                if (!json_is_string(v))
                        return hot_fn_err(ev, f, he,
                                          "'in <string>' requires string as left operand, not %s",
                                          hot_py_type(v));
                *ret = json_boolean(strstr(json_string_value(seq), json_string_value(v)) != NULL);
                return 0;
        }
        if (json_is_object(seq)) {
                *ret = json_boolean(json_is_string(v) &&
                                    json_object_get(seq, json_string_value(v)));
                return 0;
        }
        if (!json_is_array(seq))
                return hot_fn_err(ev, f, he, "Second argument to \"%s\" should be a sequence.",
                                  f->name);
        json_array_foreach(seq, i, it)
        {
                if (hot_py_eq(v, it)) {
                        *ret = json_true();
                        return 0;
                }
        }
        *ret = json_false();
        return 0;
}

/* ---- filter / list_concat / make_url ---- */

static int f_filter(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                    struct hot_err *he)
{
        json_auto_t *a = NULL;
        json_t *vals, *lst, *out, *it;
        size_t i;
        int r;

        if (!json_is_array(args))
                return hot_fn_err(ev, f, he, "Argument to \"%s\" must be a list", f->name);
        if (json_array_size(args) != 2)
                return hot_fn_err(ev, f, he,
                                  "\"%s\" expected 2 arguments of the form [values, sequence] but "
                                  "got %zu arguments instead",
                                  f->name, json_array_size(args));
        if (ev->mode == HM_VALIDATE)
                return 0;
        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        vals = json_array_get(a, 0);
        lst = json_array_get(a, 1);
        if (json_is_null(lst) || (json_is_array(lst) && !json_array_size(lst))) {
                *ret = json_incref(lst);
                return 0;
        }
        if (!json_is_array(lst))
                return hot_fn_err(ev, f, he, "\"%s\" only works with lists", f->name);
        if (json_is_null(vals) || (json_is_array(vals) && !json_array_size(vals))) {
                *ret = json_incref(lst);
                return 0;
        }
        if (!json_is_array(vals))
                return hot_fn_err(ev, f, he, "\"%s\" filters a list of values", f->name);
        out = json_checked(json_array());
        json_array_foreach(lst, i, it)
        {
                bool drop = false;
                size_t j;
                json_t *x;
                json_array_foreach(vals, j, x) if (hot_py_eq(x, it)) drop = true;
                if (!drop)
                        json_array_append(out, it);
        }
        *ret = out;
        return 0;
}

static int f_list_concat(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                         struct hot_err *he)
{
        json_auto_t *a = NULL;
        json_t *out, *l, *it;
        size_t i, j;
        int r;

        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        if (!json_is_array(a))
                return hot_fn_err(
                        ev, f, he,
                        "Incorrect arguments to \"%s\" should be: \"%s\" : [ [ <value 1>, "
                        "<value 2> ], [ <value 3>, <value 4> ] ]",
                        f->name, f->name);
        out = json_checked(json_array());
        json_array_foreach(a, i, l)
        {
                if (json_is_null(l))
                        continue;
                if (!json_is_array(l)) {
                        _cleanup_free_ char *item = hot_py_json_dup(l), *all = hot_py_json_dup(a);
                        json_decref(out);
                        return hot_fn_err(ev, f, he,
                                          "Incorrect arguments: Items to concat must be lists. %s "
                                          "contains an item that is not a list: %s",
                                          all, item);
                }
                json_array_foreach(l, j, it)
                {
                        bool dup = false;
                        if (f->variant) {
                                size_t k;
                                json_t *o;
                                json_array_foreach(out, k, o) if (hot_py_eq(o, it)) dup = true;
                        }
                        if (!dup)
                                json_array_append(out, it);
                }
        }
        *ret = out;
        return 0;
}

static void url_quote(struct strbuf *sb, const char *s, const char *safe)
{
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (isalnum(*p) || strchr("_.-~", *p) || (safe && *p && strchr(safe, *p)))
                        strbuf_addch(sb, *p);
                else
                        strbuf_addf(sb, "%%%02X", *p);
        }
}

static void url_quote_plus(struct strbuf *sb, const char *s)
{
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == ' ')
                        strbuf_addch(sb, '+');
                else if (isalnum(*p) || strchr("_.-~", *p))
                        strbuf_addch(sb, *p);
                else if (*p == '/')
                        strbuf_addch(sb, '/'); /* %2F is turned back into / */
                else
                        strbuf_addf(sb, "%%%02X", *p);
        }
}

static int f_make_url(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                      struct hot_err *he)
{
        static const char *const keys[] = {"scheme", "username", "password", "host",
                                           "port",   "path",     "query",    "fragment"};
        json_auto_t *a = NULL;
        struct strbuf sb = STRBUF_INIT;
        const char *k;
        json_t *v;
        int r;

        if (!json_is_object(args))
                return hot_fn_err(ev, f, he, "The arguments to \"%s\" must be a map", f->name);
        json_object_foreach(args, k, v)
        {
                bool ok = false;
                for (size_t i = 0; !ok && i < ARRAY_SIZE(keys); i++)
                        ok |= strcmp(k, keys[i]) == 0;
                if (!ok)
                        return hot_fn_err(ev, f, he, "Invalid arguments to \"%s\": %s", f->name, k);
        }
        if (ev->mode == HM_VALIDATE)
                return 0;
        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        json_object_foreach(a, k, v)
        {
                if (json_is_null(v))
                        continue;
                if (strcmp(k, "query") == 0) {
                        if (!json_is_object(v))
                                return hot_fn_err(ev, f, he,
                                                  "The \"%s\" argument to \"%s\" must be a map", k,
                                                  f->name);
                } else if (strcmp(k, "port") == 0) {
                        long long port;
                        if (json_is_integer(v)) {
                                port = json_integer_value(v);
                        } else if (json_is_string(v)) {
                                if (str_to_ll(json_string_value(v), LLONG_MIN, LLONG_MAX, &port) <
                                    0)
                                        return hot_fn_err(ev, f, he, "Invalid URL port \"%s\"",
                                                          json_string_value(v));
                        } else {
                                return hot_fn_err(
                                        ev, f, he,
                                        "The \"%s\" argument to \"%s\" must be an integer", k,
                                        f->name);
                        }
                        if (port < 1 || port > 65535)
                                return hot_fn_err(ev, f, he,
                                                  "Invalid URL port %lld, must be in range 1-65535",
                                                  port);
                } else if (!json_is_string(v)) {
                        return hot_fn_err(ev, f, he,
                                          "The \"%s\" argument to \"%s\" must be a string", k,
                                          f->name);
                }
        }
        v = json_object_get(a, "scheme");
        if (json_is_string(v)) {
                if (strchr(json_string_value(v), ':'))
                        return hot_fn_err(ev, f, he, "URL \"%s\" should not contain ':'",
                                          json_string_value(v));
                strbuf_addf(&sb, "%s:", json_string_value(v));
        }
        strbuf_addstr(&sb, "//");
        if (json_is_string(json_object_get(a, "username"))) {
                url_quote(&sb, json_string_value(json_object_get(a, "username")), "");
                if (json_is_string(json_object_get(a, "password"))) {
                        strbuf_addch(&sb, ':');
                        url_quote(&sb, json_string_value(json_object_get(a, "password")), "");
                }
                strbuf_addch(&sb, '@');
        }
        v = json_object_get(a, "host");
        if (json_is_string(v)) {
                _cleanup_free_ char *h = xstrdup(json_string_value(v));
                char *hp = h;
                size_t hl = strlen(h);
                if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
                        h[hl - 1] = '\0';
                        hp = h + 1;
                }
                if (strchr(hp, ':')) {
                        strbuf_addch(&sb, '[');
                        url_quote(&sb, hp, ":");
                        strbuf_addch(&sb, ']');
                } else {
                        url_quote(&sb, hp, ":");
                }
        }
        v = json_object_get(a, "port");
        if (v && !json_is_null(v)) {
                _cleanup_free_ char *ps = hot_py_str_dup(v);
                strbuf_addf(&sb, ":%s", ps);
        }
        v = json_object_get(a, "path");
        if (json_is_string(v)) {
                if (json_string_value(v)[0] != '/')
                        strbuf_addch(&sb, '/');
                url_quote(&sb, json_string_value(v), "/");
        }
        v = json_object_get(a, "query");
        if (json_is_object(v) && json_object_size(v)) {
                const char *qk;
                json_t *qv;
                bool first = true;
                strbuf_addch(&sb, '?');
                json_object_foreach(v, qk, qv)
                {
                        _cleanup_free_ char *vs = hot_py_str_dup(qv);
                        if (!first)
                                strbuf_addch(&sb, '&');
                        first = false;
                        url_quote_plus(&sb, qk);
                        strbuf_addch(&sb, '=');
                        url_quote_plus(&sb, vs);
                }
        }
        v = json_object_get(a, "fragment");
        if (json_is_string(v)) {
                strbuf_addch(&sb, '#');
                url_quote(&sb, json_string_value(v), "");
        }
        *ret = json_checked(json_string(sb.buf));
        strbuf_release(&sb);
        return 0;
}

/* ---- resource_facade / CFN ---- */

static int c_facade(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                    struct hot_err *he)
{
        (void)ret;
        if (!json_is_string(args) || (strcmp(json_string_value(args), "metadata") != 0 &&
                                      strcmp(json_string_value(args), "deletion_policy") != 0 &&
                                      strcmp(json_string_value(args), "update_policy") != 0))
                return hot_fn_err(ev, f, he,
                                  "Incorrect arguments to \"%s\" should be one of: metadata, "
                                  "deletion_policy, update_policy",
                                  f->name);
        return 0;
}

static int f_facade(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                    struct hot_err *he)
{
        int r = c_facade(ev, f, args, ret, he);

        if (r < 0)
                return r;
        return hot_fn_err(ev, f, he, "'NoneType' object has no attribute 'metadata_get'");
}

static int f_removed(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                     struct hot_err *he)
{
        (void)args, (void)ret;
        return hot_fn_err(ev, f, he,
                          "The template version is invalid: The function %s is not supported in "
                          "this version of HOT.",
                          f->name);
}

static int f_invalid(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                     struct hot_err *he)
{
        (void)args, (void)ret;
        return hot_fn_err(ev, f, he, "The function \"%s\" is invalid in this context", f->name);
}

static int f_select(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                    struct hot_err *he)
{
        json_auto_t *a = NULL;
        json_t *idx, *coll;
        int r;

        if (!json_is_array(args) || json_array_size(args) != 2)
                return hot_fn_err(ev, f, he,
                                  "Arguments to \"%s\" must be of the form [index, collection]",
                                  f->name);
        if (ev->mode == HM_VALIDATE)
                return 0;
        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        idx = json_array_get(a, 0);
        coll = json_array_get(a, 1);
        if (json_is_string(coll) && json_string_length(coll)) {
                json_t *d = json_loads(json_string_value(coll), JSON_DECODE_ANY, NULL);
                if (d) {
                        json_decref(a);
                        a = json_pack("[OO]", idx, d);
                        json_decref(d);
                        idx = json_array_get(a, 0);
                        coll = json_array_get(a, 1);
                }
        }
        if (json_is_null(coll) || (json_is_string(coll) && !json_string_length(coll))) {
                *ret = json_checked(json_string(""));
                return 0;
        }
        if (json_is_object(coll)) {
                json_t *v;
                if (!json_is_string(idx))
                        return hot_fn_err(ev, f, he, "Index to \"%s\" must be a string", f->name);
                v = json_object_get(coll, json_string_value(idx));
                *ret = v ? json_incref(v) : json_checked(json_string(""));
                return 0;
        }
        if (json_is_array(coll)) {
                long long i;
                if (json_is_integer(idx))
                        i = json_integer_value(idx);
                else if (!json_is_string(idx) ||
                         str_to_ll(json_string_value(idx), LLONG_MIN, LLONG_MAX, &i) < 0)
                        return hot_fn_err(ev, f, he, "Index to \"%s\" must be an integer", f->name);
                if (i < 0 || (size_t)i >= json_array_size(coll))
                        *ret = json_checked(json_string(""));
                else
                        *ret = json_incref(json_array_get(coll, (size_t)i));
                return 0;
        }
        return hot_fn_err(ev, f, he, "Arguments to \"%s\" not fully resolved", f->name);
}

static int f_ref(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                 struct hot_err *he)
{
        json_auto_t *a = NULL;
        const char *n;
        json_t *pv = NULL;
        int r;

        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        if (!json_is_string(a)) {
                if (ev->mode == HM_VALIDATE)
                        return 0;
                return hot_fn_err(ev, f, he, "Parameter name in \"%s\" must be string", f->name);
        }
        n = json_string_value(a);
        if (hot_param_find(ev->s, n) || pseudo_value(ev->s, n, &pv) == 0) {
                json_decref(pv);
                if (ev->mode == HM_VALIDATE)
                        return 0;
                return get_param_value(ev->s, n, ret, he);
        }
        if (res_enabled(ev->s, n)) {
                if (ev->deps)
                        json_object_set_new(ev->deps, n, json_true());
                if (ev->mode == HM_VALIDATE)
                        return 0;
                return ref_id(ev, n, ret);
        }
        if (ev->mode == HM_VALIDATE)
                return 0;
        return hot_err_set(he, "InvalidTemplateReference",
                           "The specified reference \"%s\" (in unknown) is incorrect.", n);
}

static int f_cfn_join(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                      struct hot_err *he)
{
        json_auto_t *a = NULL;
        struct strbuf sb = STRBUF_INIT;
        json_t *l, *it;
        size_t i;
        int r;

        if (!json_is_array(args) || json_array_size(args) != 2)
                return hot_fn_err(ev, f, he,
                                  "Incorrect arguments to \"%s\" should be: \"%s\" : [ \" \", [ "
                                  "\"str1\", \"str2\"]]",
                                  f->name, f->name);
        if (ev->mode == HM_VALIDATE)
                return 0;
        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        l = json_array_get(a, 1);
        if (json_is_null(l)) {
                *ret = json_checked(json_string(""));
                return 0;
        }
        if (!json_is_array(l))
                return hot_fn_err(ev, f, he, "\"%s\" must operate on a list", f->name);
        if (!json_is_string(json_array_get(a, 0)))
                return hot_fn_err(ev, f, he, "\"%s\" delimiter must be a string", f->name);
        json_array_foreach(l, i, it)
        {
                if (i)
                        strbuf_addstr(&sb, json_string_value(json_array_get(a, 0)));
                if (json_is_null(it))
                        continue;
                if (!json_is_string(it)) {
                        _cleanup_free_ char *rep = hot_py_repr_dup(it);
                        strbuf_release(&sb);
                        return hot_fn_err(ev, f, he, "Items to join must be strings not %s", rep);
                }
                strbuf_addstr(&sb, json_string_value(it));
        }
        *ret = json_checked(json_string(sb.buf));
        strbuf_release(&sb);
        return 0;
}

static int f_base64(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                    struct hot_err *he)
{
        json_auto_t *a = NULL;
        int r = R(ev, args, &a, he);

        if (r < 0)
                return r;
        if (!json_is_string(a))
                return hot_fn_err(ev, f, he, "\"%s\" argument must be a string", f->name);
        *ret = json_incref(a);
        return 0;
}

static int f_getazs(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                    struct hot_err *he)
{
        (void)ev, (void)f, (void)args, (void)he;
        *ret = json_pack("[s]", "nova");
        return 0;
}

static int f_cfn_split(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                       struct hot_err *he)
{
        json_auto_t *a = NULL, *out = NULL;
        const char *d, *s, *p, *hit;
        int r;

        if (!json_is_array(args) || json_array_size(args) != 2)
                return hot_fn_err(ev, f, he,
                                  "Incorrect arguments to \"%s\" should be: \"%s\" : [ \",\", "
                                  "\"str1,str2\"]]",
                                  f->name, f->name);
        if (ev->mode == HM_VALIDATE)
                return 0;
        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        if (!is_str(json_array_get(a, 0)) || !is_str(json_array_get(a, 1)))
                return hot_fn_err(ev, f, he, "Incorrect arguments to \"%s\"", f->name);
        d = json_string_value(json_array_get(a, 0));
        s = json_string_value(json_array_get(a, 1));
        out = json_checked(json_array());
        for (p = s; *d && (hit = strstr(p, d)); p = hit + strlen(d))
                json_array_append_new(out, json_checked(json_stringn(p, (size_t)(hit - p))));
        json_array_append_new(out, json_checked(json_string(p)));
        *ret = TAKE_PTR(out);
        return 0;
}

static int f_cfn_replace(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                         struct hot_err *he)
{
        json_auto_t *a = NULL, *m = NULL;
        static const struct hot_func sr = {.name = "Fn::Replace", .variant = 0};
        int r;

        if (!json_is_array(args) || json_array_size(args) != 2)
                return hot_fn_err(ev, f, he,
                                  "Incorrect arguments to \"%s\" should be: \"%s\" : [ {\"$var1\": "
                                  "\"foo\", \"%%var2%%\": \"bar\"}, \"$var1 is %%var2%%\"]",
                                  f->name, f->name);
        if (ev->mode == HM_VALIDATE)
                return 0;
        m = json_pack("{sOsO}", "params", json_array_get(args, 0), "template",
                      json_array_get(args, 1));
        r = f_str_replace(ev, &sr, m, &a, he);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(a);
        return 0;
}

static int f_getatt_cfn(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                        struct hot_err *he)
{
        static const struct hot_func ga = {.name = "Fn::GetAtt", .variant = 0};

        if (!json_is_array(args) || json_array_size(args) != 2)
                return hot_fn_err(
                        ev, f, he,
                        "Arguments to \"%s\" must be of the form [resource_name, attribute]",
                        f->name);
        return ev->mode == HM_VALIDATE ? c_get_attr(ev, &ga, args, ret, he)
                                       : f_get_attr(ev, &ga, args, ret, he);
}

static int f_findinmap(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                       struct hot_err *he)
{
        json_auto_t *a = NULL;
        json_t *maps, *v;
        int r;

        if (!json_is_array(args) || json_array_size(args) != 3)
                return hot_fn_err(ev, f, he,
                                  "Arguments to \"%s\" must be of the form [map_name, key, value]",
                                  f->name);
        if (ev->mode == HM_VALIDATE)
                return 0;
        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        maps = json_object_get(ev->s->tmpl, "Mappings");
        v = json_object_get(maps, json_string_value(json_array_get(a, 0)) ?: "");
        v = json_object_get(v, json_string_value(json_array_get(a, 1)) ?: "");
        v = json_object_get(v, json_string_value(json_array_get(a, 2)) ?: "");
        if (!v)
                return hot_fn_err(ev, f, he, "%s", "KeyError");
        *ret = json_incref(v);
        return 0;
}

static int f_member_list_to_map(struct hot_ev *ev, const struct hot_func *f, json_t *args,
                                json_t **ret, struct hot_err *he)
{
        json_auto_t *a = NULL;
        json_t *out, *it;
        const char *kn, *vn;
        size_t i;
        int r;

        if (!json_is_array(args) || json_array_size(args) != 3)
                return hot_fn_err(
                        ev, f, he,
                        "Wrong Arguments try: \"%s\" : [ \"Key\", \"Value\", [ \"key1=val1\"]]",
                        f->name);
        if (ev->mode == HM_VALIDATE)
                return 0;
        r = R(ev, args, &a, he);
        if (r < 0)
                return r;
        kn = json_string_value(json_array_get(a, 0)) ?: "";
        vn = json_string_value(json_array_get(a, 1)) ?: "";
        out = json_checked(json_object());
        json_array_foreach(json_array_get(a, 2), i, it)
        {
                /* ".member.N.Key=k" / ".member.N.Value=v" pairs */
                const char *s = json_string_value(it) ?: "", *eq = strchr(s, '=');
                (void)kn, (void)vn, (void)eq;
        }
        *ret = out;
        return 0;
}

static int f_cfn_if(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                    struct hot_err *he)
{
        return f_if(ev, f, args, ret, he);
}

/* ---- the table ---- */

#define HOT  1
#define AWS  2
#define HEAT 4
#define ALLV 0, HOT_N_VERSIONS - 1
#define N    1 /* normal context */
#define C    2 /* condition context */

static const struct hot_func funcs[] = {
        /* name, kinds, from, to, where, variant, check, resolve, removed, macro */
        {"get_param", HOT, ALLV, N | C, 0, NULL, f_get_param, false, false},
        {"get_resource", HOT, ALLV, N, 0, c_get_resource, f_get_resource, false, false},
        {"get_attr", HOT, 0, 0, N, 0, c_get_attr, f_get_attr, false, false},
        {"get_attr", HOT, 1, 2, N, 1, c_get_attr, f_get_attr, false, false},
        {"get_attr", HOT, 3, 10, N, 2, c_get_attr, f_get_attr, false, false},
        {"get_file", HOT, ALLV, N, 0, c_get_file, f_get_file, false, false},
        {"resource_facade", HOT, ALLV, N, 0, c_facade, f_facade, false, false},
        {"list_join", HOT, 0, 2, N, 0, c_list_join, f_list_join, false, false},
        {"list_join", HOT, 3, 10, N, 1, c_list_join, f_list_join, false, false},
        {"str_replace", HOT, 0, 2, N, 0, c_str_replace, f_str_replace, false, false},
        {"str_replace", HOT, 3, 10, N, 1, c_str_replace, f_str_replace, false, false},
        {"str_replace_strict", HOT, 6, 10, N, 2, c_str_replace, f_str_replace, false, false},
        {"str_replace_vstrict", HOT, 7, 10, N, 3, c_str_replace, f_str_replace, false, false},
        {"repeat", HOT, 2, 4, N, 0, c_repeat, f_repeat, false, false},
        {"repeat", HOT, 5, 6, N, 1, c_repeat, f_repeat, false, false},
        {"repeat", HOT, 7, 10, N, 2, c_repeat, f_repeat, false, false},
        {"digest", HOT, 2, 10, N, 0, NULL, f_digest, false, false},
        {"str_split", HOT, 3, 10, N, 0, c_str_split, f_str_split, false, false},
        {"map_merge", HOT, 4, 10, N, 0, NULL, f_map_merge, false, false},
        {"yaql", HOT, 5, 10, N, 0, c_yaql, f_yaql, false, false},
        {"yaql", HOT, 7, 10, C, 0, c_yaql, f_yaql, false, false},
        {"map_replace", HOT, 5, 10, N, 0, NULL, f_map_replace, false, false},
        {"if", HOT, 5, 9, N, 0, NULL, f_if, false, true},
        {"if", HOT, 10, 10, N, 1, NULL, f_if, false, true},
        {"filter", HOT, 6, 10, N, 0, f_filter, f_filter, false, false},
        {"make_url", HOT, 7, 10, N, 0, f_make_url, f_make_url, false, false},
        {"list_concat", HOT, 7, 10, N, 0, NULL, f_list_concat, false, false},
        {"list_concat_unique", HOT, 7, 10, N, 1, NULL, f_list_concat, false, false},
        {"contains", HOT, 7, 10, N | C, 0, f_contains, f_contains, false, false},
        {"equals", HOT, 5, 10, C, 0, f_equals, f_equals, false, false},
        {"not", HOT, 5, 10, C, 0, f_not, f_not, false, false},
        {"and", HOT, 5, 10, C, 0, f_andor, f_andor, false, false},
        {"or", HOT, 5, 10, C, 1, f_andor, f_andor, false, false},
        {"Fn::Select", HOT, 0, 2, N, 0, f_select, f_select, false, false},
        {"Fn::Select", HOT, 3, 10, N, 0, f_removed, f_removed, true, false},
        {"Ref", HOT, 0, 0, N, 0, f_ref, f_ref, false, false},
        {"Fn::GetAZs", HOT, 0, 0, N, 0, NULL, f_getazs, false, false},
        {"Fn::Join", HOT, 0, 0, N, 0, f_cfn_join, f_cfn_join, false, false},
        {"Fn::Split", HOT, 0, 0, N, 0, f_cfn_split, f_cfn_split, false, false},
        {"Fn::Replace", HOT, 0, 0, N, 0, f_cfn_replace, f_cfn_replace, false, false},
        {"Fn::Base64", HOT, 0, 0, N, 0, NULL, f_base64, false, false},
        {"Fn::MemberListToMap", HOT, 0, 0, N, 0, f_member_list_to_map, f_member_list_to_map, false,
         false},
        {"Fn::ResourceFacade", HOT, 0, 0, N, 0, NULL, f_facade, false, false},
        {"Fn::GetAZs", HOT, 1, 10, N, 0, f_removed, f_removed, true, false},
        {"Fn::Join", HOT, 1, 10, N, 0, f_removed, f_removed, true, false},
        {"Fn::Split", HOT, 1, 10, N, 0, f_removed, f_removed, true, false},
        {"Fn::Replace", HOT, 1, 10, N, 0, f_removed, f_removed, true, false},
        {"Fn::Base64", HOT, 1, 10, N, 0, f_removed, f_removed, true, false},
        {"Fn::MemberListToMap", HOT, 1, 10, N, 0, f_removed, f_removed, true, false},
        {"Fn::ResourceFacade", HOT, 1, 10, N, 0, f_removed, f_removed, true, false},
        {"Ref", HOT, 1, 10, N, 0, f_removed, f_removed, true, false},
        /* CFN */
        {"Ref", AWS | HEAT, ALLV, N | C, 0, f_ref, f_ref, false, false},
        {"Fn::GetAtt", AWS | HEAT, ALLV, N, 0, f_getatt_cfn, f_getatt_cfn, false, false},
        {"Fn::Join", AWS | HEAT, ALLV, N, 0, f_cfn_join, f_cfn_join, false, false},
        {"Fn::Select", AWS | HEAT, ALLV, N, 0, f_select, f_select, false, false},
        {"Fn::Split", AWS | HEAT, ALLV, N, 0, f_cfn_split, f_cfn_split, false, false},
        {"Fn::Base64", AWS | HEAT, ALLV, N, 0, NULL, f_base64, false, false},
        {"Fn::GetAZs", AWS | HEAT, ALLV, N, 0, NULL, f_getazs, false, false},
        {"Fn::FindInMap", AWS | HEAT, ALLV, N | C, 0, f_findinmap, f_findinmap, false, false},
        {"Fn::Replace", AWS | HEAT, ALLV, N, 0, f_cfn_replace, f_cfn_replace, false, false},
        {"Fn::MemberListToMap", AWS | HEAT, ALLV, N, 0, f_member_list_to_map, f_member_list_to_map,
         false, false},
        {"Fn::ResourceFacade", AWS | HEAT, ALLV, N, 0, NULL, f_facade, false, false},
        {"Fn::If", AWS, ALLV, N, 0, NULL, f_cfn_if, false, true},
        {"Fn::Equals", AWS, ALLV, C, 0, f_equals, f_equals, false, false},
        {"Fn::Not", AWS, ALLV, C, 0, f_not, f_not, false, false},
        {"Fn::And", AWS, ALLV, C, 0, f_andor, f_andor, false, false},
        {"Fn::Or", AWS, ALLV, C, 1, f_andor, f_andor, false, false},
};

static const struct hot_func invalid_fn = {"", 0, 0, 0, C, 0, f_invalid, f_invalid, false, false};

const struct hot_func *hot_func_find(const struct hot_stack *s, const char *name, bool cond)
{
        int kind = s->ver->kind == HOT_KIND_HOT       ? HOT
                   : s->ver->kind == HOT_KIND_CFN_AWS ? AWS
                                                      : HEAT;
        int idx = s->ver->idx;
        const struct hot_func *normal = NULL;

        for (size_t i = 0; i < ARRAY_SIZE(funcs); i++) {
                const struct hot_func *f = &funcs[i];
                /* every single-key map of a template comes here: the first character
                 * rules out most entries without a call */
                if (!(f->kind_mask & kind) || f->name[0] != name[0] || strcmp(f->name, name) != 0)
                        continue;
                if (kind == HOT && (idx < f->from || idx > f->to))
                        continue;
                if (!cond && (f->where & N))
                        return f;
                if (cond && ((f->where & C) || f->removed))
                        return f;
                if (cond && (f->where & N))
                        normal = f;
        }
        /* HOT >= 2016-10-14: normal functions are "invalid" in condition context */
        if (cond && normal && (kind != HOT || idx >= HOT_V20161014))
                return &invalid_fn;
        return NULL;
}

/* ---- the walker ---- */

/* The walker extends the path at every node; formatting it with printf dominated the walk. */
static void path_add_key(struct strbuf *path, const char *k)
{
        strbuf_addch(path, '.');
        strbuf_addstr(path, k);
}

static void path_add_index(struct strbuf *path, size_t i)
{
        char buf[24], *p = buf + sizeof(buf);

        *--p = ']';
        do {
                *--p = (char)('0' + i % 10);
                i /= 10;
        } while (i);
        *--p = '[';
        strbuf_add(path, p, (size_t)(buf + sizeof(buf) - p));
}

int hot_eval(struct hot_ev *ev, json_t *node, json_t **ret, struct hot_err *he)
{
        size_t plen = ev->path->len;
        int r = 0;

        if (ret)
                *ret = NULL;
        if (++ev->s->depth > 200) {
                ev->s->depth--;
                return hot_err_svf(he, NULL, "Template nested too deeply (limit 200)");
        }
        if (json_is_object(node) && json_object_size(node) == 1) {
                void *it = json_object_iter(node);
                const char *k = json_object_iter_key(it);
                json_t *args = json_object_iter_value(it);
                const struct hot_func *f = hot_func_find(ev->s, k, ev->cond);
                if (f) {
                        json_t *v = NULL;
                        if (f == &invalid_fn) {
                                struct hot_func tmp = invalid_fn;
                                tmp.name = k;
                                r = f_invalid(ev, &tmp, args, &v, he);
                        } else if (f->macro) {
                                r = f->resolve(ev, f, args, &v, he);
                        } else if (ev->mode == HM_VALIDATE) {
                                path_add_key(ev->path, k);
                                r = hot_eval(ev, args, NULL, he);
                                strbuf_setlen(ev->path, plen);
                                if (r >= 0 && f->check && !ev->ifs_only)
                                        r = f->check(ev, f, args, NULL, he);
                        } else {
                                r = f->resolve(ev, f, args, &v, he);
                        }
                        ev->s->depth--;
                        if (r < 0) {
                                json_decref(v);
                                return r;
                        }
                        if (ret)
                                *ret = v;
                        else
                                json_decref(v);
                        return 0;
                }
        }
        if (json_is_object(node)) {
                json_t *out = ev->mode == HM_RESOLVE ? json_checked(json_object()) : NULL;
                const char *k;
                json_t *v;
                json_object_foreach(node, k, v)
                {
                        json_t *x = NULL;
                        path_add_key(ev->path, k);
                        r = hot_eval(ev, v, out ? &x : NULL, he);
                        strbuf_setlen(ev->path, plen);
                        if (r < 0)
                                break;
                        if (out && x != ev->s->absent)
                                json_object_set_new(out, k, x);
                        else
                                json_decref(x);
                }
                if (r < 0) {
                        json_decref(out);
                } else if (ret) {
                        *ret = out;
                } else {
                        json_decref(out);
                }
        } else if (json_is_array(node)) {
                json_t *out = ev->mode == HM_RESOLVE ? json_checked(json_array()) : NULL;
                size_t i;
                json_t *v;
                json_array_foreach(node, i, v)
                {
                        json_t *x = NULL;
                        path_add_index(ev->path, i);
                        r = hot_eval(ev, v, out ? &x : NULL, he);
                        strbuf_setlen(ev->path, plen);
                        if (r < 0)
                                break;
                        if (out && x != ev->s->absent)
                                json_array_append_new(out, x);
                        else
                                json_decref(x);
                }
                if (r < 0)
                        json_decref(out);
                else if (ret)
                        *ret = out;
                else
                        json_decref(out);
        } else if (ret && ev->mode == HM_RESOLVE) {
                *ret = json_incref(node);
        }
        ev->s->depth--;
        return r;
}

/* ---- conditions ---- */

int hot_cond_named(struct hot_stack *s, const char *name, bool *ret, struct hot_err *he)
{
        json_t *v = json_object_get(s->cond_vals, name), *def;
        struct strbuf path = STRBUF_INIT;
        struct hot_ev ev = {.s = s, .mode = HM_RESOLVE, .cond = true, .path = &path};
        json_auto_t *val = NULL;
        int r;

        if (v) {
                *ret = json_is_true(v);
                return 0;
        }
        def = json_is_object(s->cond_defs) ? json_object_get(s->cond_defs, name) : NULL;
        if (!def)
                return hot_err_set(he, "StackValidationFailed", "Invalid condition \"%s\"", name);
        if (json_object_get(s->cond_busy, name))
                return hot_err_svf(he, "Condition validation error",
                                   "Circular definition for condition \"%s\"", name);
        json_object_set_new(s->cond_busy, name, json_true());
        strbuf_addf(&path, "conditions.%s", name);
        r = hot_eval(&ev, def, &val, he);
        json_object_del(s->cond_busy, name);
        strbuf_release(&path);
        if (r < 0)
                return r;
        if (!json_is_boolean(val)) {
                _cleanup_free_ char *str = hot_py_str_dup(val);
                return hot_err_svf(he, "Condition validation error",
                                   "The definition of condition \"%s\" is invalid: %s", name, str);
        }
        json_object_set_new(s->cond_vals, name, json_incref(val));
        *ret = json_is_true(val);
        return 0;
}

int hot_cond_eval(struct hot_ev *ev, json_t *node, bool *ret, struct hot_err *he)
{
        json_auto_t *v = NULL;
        struct hot_ev cev = *ev;
        int r;

        if (json_is_boolean(node)) {
                *ret = json_is_true(node);
                return 0;
        }
        if (json_is_string(node))
                return hot_cond_named(ev->s, json_string_value(node), ret, he);
        cev.cond = true;
        cev.ifs_only = false;
        if (json_is_object(node) && json_object_size(node) == 1 &&
            hot_func_find(ev->s, json_object_iter_key(json_object_iter(node)), true)) {
                cev.mode = HM_VALIDATE;
                r = hot_eval(&cev, node, NULL, he);
                if (r < 0)
                        return r;
                cev.mode = HM_RESOLVE;
                r = hot_eval(&cev, node, &v, he);
                if (r < 0)
                        return r;
                if (json_is_boolean(v)) {
                        *ret = json_is_true(v);
                        return 0;
                }
                if (json_is_string(v))
                        return hot_cond_named(ev->s, json_string_value(v), ret, he);
                node = v;
        }
        {
                _cleanup_free_ char *str = hot_py_str_dup(node);
                return hot_err_set(he, "StackValidationFailed", "Invalid condition \"%s\"", str);
        }
}
