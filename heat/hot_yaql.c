/*
 * hot_yaql: the subset of yaql that Magnum's templates (and simple corpus cases) use:
 * `$` and `$.a.b` member access, string/number/bool/null literals, method calls
 * .startsWith() .endsWith() .contains() .len() .sum() .min() .max() .toUpper() .toLower()
 * .split(), functions len() min() max() int() str() bool(), arithmetic + - * /, comparisons,
 * `and` / `or` / `not`. Anything else fails with "Bad expression <reason>." so that a template
 * using more of yaql errors clearly instead of being silently misread.
 */
#include "common/common.h"

#include <ctype.h>
#include <math.h>
#include <limits.h>

#include "common/json_util.h"
#include "heat/hot_internal.h"
#include "heat/hot_py.h"

struct yq {
        const char *p;
        json_t *root;
        char *err;
        int depth;
};

static int yerr(struct yq *Y, const char *msg)
{
        if (!Y->err)
                Y->err = xstrdup(msg);
        return -EINVAL;
}

static void ws(struct yq *Y)
{
        while (isspace((unsigned char)*Y->p))
                Y->p++;
}

static bool eat(struct yq *Y, const char *tok)
{
        size_t n = strlen(tok);

        ws(Y);
        if (strncmp(Y->p, tok, n) != 0)
                return false;
        if (isalpha((unsigned char)tok[n - 1]) &&
            (isalnum((unsigned char)Y->p[n]) || Y->p[n] == '_'))
                return false;
        Y->p += n;
        return true;
}

static int expr(struct yq *Y, json_t **ret);

static int ident(struct yq *Y, char *buf, size_t n)
{
        size_t i = 0;

        ws(Y);
        if (!isalpha((unsigned char)*Y->p) && *Y->p != '_')
                return yerr(Y, "expected identifier");
        while ((isalnum((unsigned char)*Y->p) || *Y->p == '_') && i + 1 < n)
                buf[i++] = *Y->p++;
        buf[i] = '\0';
        return 0;
}

static int args(struct yq *Y, json_t **ret)
{
        json_t *a = json_checked(json_array());

        if (eat(Y, ")")) {
                *ret = a;
                return 0;
        }
        for (;;) {
                json_t *v = NULL;
                if (expr(Y, &v) < 0) {
                        json_decref(a);
                        return -EINVAL;
                }
                json_array_append_new(a, v);
                if (eat(Y, ","))
                        continue;
                if (eat(Y, ")"))
                        break;
                json_decref(a);
                return yerr(Y, "expected ')'");
        }
        *ret = a;
        return 0;
}

static bool num(const json_t *v, double *d)
{
        if (json_is_integer(v))
                *d = (double)json_integer_value(v);
        else if (json_is_real(v))
                *d = json_real_value(v);
        else
                return false;
        return true;
}

static json_t *mknum(double d, bool integral)
{
        if (integral && d > -9.0e18 && d < 9.0e18)
                return json_integer((json_int_t)d);
        return hot_py_real(d);
}

static int call(struct yq *Y, const char *name, json_t *self, json_t *a, json_t **ret)
{
        size_t n = json_array_size(a);
        json_t *x = n ? json_array_get(a, 0) : NULL;

        if (self && json_is_string(self) && n == 1 && json_is_string(x) &&
            (strcmp(name, "startsWith") == 0 || strcmp(name, "endsWith") == 0)) {
                const char *s = json_string_value(self), *t = json_string_value(x);
                *ret = json_boolean(name[0] == 's' ? str_starts_with(s, t) : str_ends_with(s, t));
                return 0;
        }
        if (self && n == 1 && strcmp(name, "contains") == 0) {
                if (json_is_string(self) && json_is_string(x)) {
                        *ret = json_boolean(strstr(json_string_value(self), json_string_value(x)) !=
                                            NULL);
                        return 0;
                }
                if (json_is_array(self)) {
                        size_t i;
                        json_t *it;
                        bool f = false;
                        json_array_foreach(self, i, it) f |= hot_py_eq(it, x);
                        *ret = json_boolean(f);
                        return 0;
                }
        }
        if (self && json_is_string(self) && n == 0 &&
            (strcmp(name, "toUpper") == 0 || strcmp(name, "toLower") == 0)) {
                char *s = xstrdup(json_string_value(self));
                for (char *q = s; *q; q++)
                        *q = (char)(name[2] == 'U' ? toupper((unsigned char)*q)
                                                   : tolower((unsigned char)*q));
                *ret = json_string(s);
                free(s);
                return 0;
        }
        if (self && json_is_string(self) && n == 1 && json_is_string(x) &&
            strcmp(name, "split") == 0) {
                json_t *out = json_checked(json_array());
                const char *p = json_string_value(self), *d = json_string_value(x), *h;
                if (!*d) {
                        json_decref(out);
                        return yerr(Y, "empty separator");
                }
                for (; (h = strstr(p, d)); p = h + strlen(d))
                        json_array_append_new(out, json_stringn(p, (size_t)(h - p)));
                json_array_append_new(out, json_string(p));
                *ret = out;
                return 0;
        }
        /* functions that take the collection as self or first argument */
        if (!self && n >= 1 &&
            (strcmp(name, "len") == 0 || strcmp(name, "sum") == 0 ||
             ((strcmp(name, "min") == 0 || strcmp(name, "max") == 0) && n == 1))) {
                self = x;
        }
        if (self && (strcmp(name, "len") == 0 || strcmp(name, "count") == 0)) {
                size_t l = json_is_string(self)   ? json_string_length(self)
                           : json_is_array(self)  ? json_array_size(self)
                           : json_is_object(self) ? json_object_size(self)
                                                  : 0;
                if (!json_is_string(self) && !json_is_array(self) && !json_is_object(self))
                        return yerr(Y, "len() of unsized object");
                *ret = json_integer((json_int_t)l);
                return 0;
        }
        if (self && json_is_array(self) &&
            (strcmp(name, "sum") == 0 || strcmp(name, "min") == 0 || strcmp(name, "max") == 0)) {
                size_t i;
                json_t *it;
                double acc = 0, d;
                bool integral = true, first = true;
                json_array_foreach(self, i, it)
                {
                        if (!num(it, &d))
                                return yerr(Y, "sequence items must be numbers");
                        integral &= json_is_integer(it);
                        if (name[1] == 'u')
                                acc += d;
                        else if (first || (name[1] == 'i' ? d < acc : d > acc))
                                acc = d;
                        first = false;
                }
                if (first && name[1] != 'u')
                        return yerr(Y, "min/max of an empty sequence");
                *ret = mknum(acc, integral);
                return 0;
        }
        if (!self && n == 2 && (strcmp(name, "min") == 0 || strcmp(name, "max") == 0)) {
                json_t *y = json_array_get(a, 1);
                double p, q;
                if (!num(x, &p) || !num(y, &q))
                        return yerr(Y, "min/max need numbers");
                *ret = json_incref(name[1] == 'i' ? (q < p ? y : x) : (q > p ? y : x));
                return 0;
        }
        if (!self && n == 1 && strcmp(name, "int") == 0) {
                double d;
                long long ll;
                if (json_is_string(x) &&
                    str_to_ll(json_string_value(x), LLONG_MIN, LLONG_MAX, &ll) == 0)
                        *ret = json_integer(ll);
                else if (num(x, &d))
                        *ret = mknum(d, true);
                else
                        return yerr(Y, "int() needs a number or numeric string");
                return 0;
        }
        if (!self && n == 1 && strcmp(name, "str") == 0) {
                _cleanup_free_ char *s = hot_py_str_dup(x);
                *ret = json_string(s);
                return 0;
        }
        if (!self && n == 1 && strcmp(name, "bool") == 0) {
                *ret = json_boolean(!(json_is_null(x) || json_is_false(x) ||
                                      (json_is_string(x) && !json_string_length(x)) ||
                                      (json_is_integer(x) && !json_integer_value(x)) ||
                                      (json_is_array(x) && !json_array_size(x)) ||
                                      (json_is_object(x) && !json_object_size(x))));
                return 0;
        }
        {
                _cleanup_free_ char *m =
                        xasprintf("unsupported yaql method or function %s()", name);
                return yerr(Y, m);
        }
}

static int primary(struct yq *Y, json_t **ret)
{
        ws(Y);
        if (++Y->depth > 64)
                return yerr(Y, "expression nested too deeply");
        if (*Y->p == '$') {
                Y->p++;
                *ret = json_incref(Y->root);
                return 0;
        }
        if (*Y->p == '"' || *Y->p == '\'') {
                char q = *Y->p++;
                struct strbuf sb = STRBUF_INIT;
                while (*Y->p && *Y->p != q) {
                        if (*Y->p == '\\' && Y->p[1])
                                Y->p++;
                        strbuf_addch(&sb, *Y->p++);
                }
                if (*Y->p != q) {
                        strbuf_release(&sb);
                        return yerr(Y, "unterminated string");
                }
                Y->p++;
                *ret = json_string(sb.buf);
                strbuf_release(&sb);
                return 0;
        }
        if (isdigit((unsigned char)*Y->p)) {
                char *end;
                double d = strtod(Y->p, &end);
                bool integral = true;
                for (const char *q = Y->p; q < end; q++)
                        if (*q == '.' || *q == 'e' || *q == 'E')
                                integral = false;
                Y->p = end;
                *ret = mknum(d, integral);
                return 0;
        }
        if (eat(Y, "(")) {
                if (expr(Y, ret) < 0)
                        return -EINVAL;
                if (!eat(Y, ")")) {
                        json_decref(*ret);
                        return yerr(Y, "expected ')'");
                }
                return 0;
        }
        if (eat(Y, "true")) {
                *ret = json_true();
                return 0;
        }
        if (eat(Y, "false")) {
                *ret = json_false();
                return 0;
        }
        if (eat(Y, "null")) {
                *ret = json_null();
                return 0;
        }
        if (isalpha((unsigned char)*Y->p)) {
                char name[64];
                json_t *a = NULL;
                int r;
                ident(Y, name, sizeof(name));
                if (!eat(Y, "("))
                        return yerr(Y, "unknown identifier");
                if (args(Y, &a) < 0)
                        return -EINVAL;
                r = call(Y, name, NULL, a, ret);
                json_decref(a);
                return r;
        }
        return yerr(Y, "unexpected token");
}

static int postfix(struct yq *Y, json_t **ret)
{
        json_t *v = NULL;

        if (primary(Y, &v) < 0)
                return -EINVAL;
        for (;;) {
                ws(Y);
                if (*Y->p == '.' && !isdigit((unsigned char)Y->p[1])) {
                        char name[128];
                        Y->p++;
                        if (ident(Y, name, sizeof(name)) < 0)
                                goto fail;
                        if (eat(Y, "(")) {
                                json_t *a = NULL, *out = NULL;
                                int r;
                                if (args(Y, &a) < 0)
                                        goto fail;
                                r = call(Y, name, v, a, &out);
                                json_decref(a);
                                if (r < 0)
                                        goto fail;
                                json_decref(v);
                                v = out;
                        } else {
                                json_t *n = json_is_object(v) ? json_object_get(v, name) : NULL;
                                n = n ? json_incref(n) : json_null();
                                json_decref(v);
                                v = n;
                        }
                } else if (*Y->p == '[') {
                        json_t *ix = NULL, *n = NULL;
                        Y->p++;
                        if (expr(Y, &ix) < 0)
                                goto fail;
                        if (!eat(Y, "]")) {
                                json_decref(ix);
                                yerr(Y, "expected ']'");
                                goto fail;
                        }
                        if (json_is_array(v) && json_is_integer(ix))
                                n = json_array_get(v, (size_t)json_integer_value(ix));
                        else if (json_is_object(v) && json_is_string(ix))
                                n = json_object_get(v, json_string_value(ix));
                        json_decref(ix);
                        n = n ? json_incref(n) : json_null();
                        json_decref(v);
                        v = n;
                } else {
                        break;
                }
        }
        *ret = v;
        return 0;
fail:
        json_decref(v);
        return -EINVAL;
}

static int unary(struct yq *Y, json_t **ret)
{
        if (eat(Y, "not")) {
                json_t *v = NULL;
                if (unary(Y, &v) < 0)
                        return -EINVAL;
                *ret = json_boolean(json_is_false(v) || json_is_null(v));
                json_decref(v);
                return 0;
        }
        if (eat(Y, "-")) {
                json_t *v = NULL;
                double d;
                if (unary(Y, &v) < 0)
                        return -EINVAL;
                if (!num(v, &d)) {
                        json_decref(v);
                        return yerr(Y, "unary minus needs a number");
                }
                *ret = mknum(-d, json_is_integer(v));
                json_decref(v);
                return 0;
        }
        return postfix(Y, ret);
}

static int binary(struct yq *Y, int level, json_t **ret)
{
        static const char *const ops[][6] = {
                {"or", NULL},     {"and", NULL},    {"=", "!=", "<=", ">=", "<", ">"},
                {"+", "-", NULL}, {"*", "/", NULL},
        };
        json_t *l = NULL;

        if (level == 5)
                return unary(Y, ret);
        if (binary(Y, level + 1, &l) < 0)
                return -EINVAL;
        for (;;) {
                const char *op = NULL;
                json_t *r = NULL, *out;
                double a, b;
                for (int i = 0; i < 6 && ops[level][i]; i++)
                        if (eat(Y, ops[level][i])) {
                                op = ops[level][i];
                                break;
                        }
                if (!op)
                        break;
                if (binary(Y, level + 1, &r) < 0) {
                        json_decref(l);
                        return -EINVAL;
                }
                if (level == 0 || level == 1) {
                        bool lt = !(json_is_false(l) || json_is_null(l));
                        out = json_incref(level == 0 ? (lt ? l : r) : (lt ? r : l));
                } else if (level == 2 && (strcmp(op, "=") == 0 || strcmp(op, "!=") == 0)) {
                        out = json_boolean(hot_py_eq(l, r) == (op[0] == '='));
                } else if (num(l, &a) && num(r, &b)) {
                        bool in = json_is_integer(l) && json_is_integer(r);
                        switch (op[0]) {
                        case '+':
                                out = mknum(a + b, in);
                                break;
                        case '-':
                                out = mknum(a - b, in);
                                break;
                        case '*':
                                out = mknum(a * b, in);
                                break;
                        case '/':
                                if (b == 0) {
                                        json_decref(l);
                                        json_decref(r);
                                        return yerr(Y, "division by zero");
                                }
                                out = mknum(in ? trunc(a / b) : a / b, in);
                                break;
                        case '<':
                                out = json_boolean(op[1] == '=' ? a <= b : a < b);
                                break;
                        default:
                                out = json_boolean(op[1] == '=' ? a >= b : a > b);
                                break;
                        }
                } else if (op[0] == '+' && json_is_string(l) && json_is_string(r)) {
                        _cleanup_free_ char *s =
                                xasprintf("%s%s", json_string_value(l), json_string_value(r));
                        out = json_string(s);
                } else {
                        json_decref(l);
                        json_decref(r);
                        return yerr(Y, "unsupported operand types");
                }
                json_decref(l);
                json_decref(r);
                l = out;
        }
        *ret = l;
        return 0;
}

static int expr(struct yq *Y, json_t **ret)
{
        return binary(Y, 0, ret);
}

int hot_yaql_eval(const char *e, json_t *data, json_t **ret, struct hot_err *he)
{
        struct yq Y = {.p = e, .root = data};
        json_t *v = NULL;

        if (expr(&Y, &v) < 0 || (ws(&Y), *Y.p != '\0')) {
                json_decref(v);
                hot_err_set(he, "ValueError", "Bad expression %s.",
                            Y.err ? Y.err : "unexpected trailing input");
                free(Y.err);
                return -EINVAL;
        }
        *ret = json_checked(v);
        return 0;
}
