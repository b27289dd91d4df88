/*
 * hot_param: template parameters: schema checks, value conversion by type (Python int()/
 * float()/bool rules), constraints (length, range, modulo, allowed_values, allowed_pattern,
 * custom_constraint) with Heat's messages, parameter_groups, and the template-validate
 * description of each parameter.
 */
#include "common/common.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>

#include "common/json_util.h"
#include "heat/hot_internal.h"
#include "heat/hot_py.h"
#include "heat/hot_regex.h"

static const char *const ptype_names[] = {
        [PT_STRING] = "string", [PT_NUMBER] = "number",   [PT_LIST] = "comma_delimited_list",
        [PT_JSON] = "json",     [PT_BOOLEAN] = "boolean",
};
static const char *const ptype_api[] = {
        [PT_STRING] = "String", [PT_NUMBER] = "Number",   [PT_LIST] = "CommaDelimitedList",
        [PT_JSON] = "Json",     [PT_BOOLEAN] = "Boolean",
};

int hot_ptype_parse(const char *t, enum hot_ptype *ret)
{
        static const struct {
                const char *name;
                enum hot_ptype t;
        } names[] = {
                {"string", PT_STRING},
                {"number", PT_NUMBER},
                {"comma_delimited_list", PT_LIST},
                {"json", PT_JSON},
                {"boolean", PT_BOOLEAN},
                /* CFN spellings */
                {"String", PT_STRING},
                {"Number", PT_NUMBER},
                {"CommaDelimitedList", PT_LIST},
                {"Json", PT_JSON},
                {"Boolean", PT_BOOLEAN},
        };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (t && strcmp(t, names[i].name) == 0) {
                        *ret = names[i].t;
                        return 0;
                }
        return -EINVAL;
}

static size_t name_hash(const char *name)
{
        size_t h = 2166136261u; /* FNV-1a */

        for (const unsigned char *p = (const unsigned char *)name; *p; p++)
                h = (h ^ *p) * 16777619u;
        return h;
}

/* get_param and the user-parameter checks look names up all the time (kubecluster.yaml has
 * ~170 parameters, its nested stacks get ~130 given values each): hash them once. */
static void params_index(struct hot_stack *s)
{
        size_t cap = 16;

        while (cap < s->n_params * 2)
                cap *= 2;
        free(s->param_slots);
        s->param_slots = xnew(unsigned, cap);
        s->param_mask = cap - 1;
        for (size_t i = 0; i < s->n_params; i++) {
                size_t h = name_hash(s->params[i].name) & s->param_mask;
                while (s->param_slots[h])
                        h = (h + 1) & s->param_mask;
                s->param_slots[h] = (unsigned)i + 1;
        }
}

struct hot_param *hot_param_find(struct hot_stack *s, const char *name)
{
        if (!s->param_slots) { /* while the parameters are being built */
                for (size_t i = 0; i < s->n_params; i++)
                        if (strcmp(s->params[i].name, name) == 0)
                                return &s->params[i];
                return NULL;
        }
        for (size_t h = name_hash(name) & s->param_mask; s->param_slots[h];
             h = (h + 1) & s->param_mask) {
                struct hot_param *p = &s->params[s->param_slots[h] - 1];
                if (strcmp(p->name, name) == 0)
                        return p;
        }
        return NULL;
}

/* Python int(str) then float(str) for Number parameters. */
static int to_number(json_t *raw, json_t **ret, char **msg)
{
        const char *s;
        long long ll;
        char *end;
        double d;

        if (json_is_integer(raw) || json_is_real(raw)) {
                *ret = json_incref(raw);
                return 0;
        }
        if (json_is_boolean(raw)) {
                *ret = json_integer(json_is_true(raw));
                return 0;
        }
        if (!json_is_string(raw)) {
                *msg = xasprintf("float() argument must be a string or a real number, not '%s'",
                                 hot_py_type(raw));
                return -EINVAL;
        }
        s = json_string_value(raw);
        {
                _cleanup_free_ char *t = xstrdup(s);
                char *p = t, *e;
                while (isspace((unsigned char)*p))
                        p++;
                e = p + strlen(p);
                while (e > p && isspace((unsigned char)e[-1]))
                        *--e = '\0';
                if (*p && str_to_ll(p, LLONG_MIN, LLONG_MAX, &ll) == 0) {
                        *ret = json_integer(ll);
                        return 0;
                }
                errno = 0;
                d = strtod(p, &end);
                if (*p && *end == '\0' &&
                    !(isnan(d) && strncasecmp(p, "nan", 3) != 0 &&
                      strncasecmp(p + 1, "nan", 3) != 0)) {
                        *ret = hot_py_real(d);
                        return 0;
                }
        }
        *msg = xasprintf("could not convert string to float: '%s'", s);
        return -EINVAL;
}

static int to_bool(json_t *raw, json_t **ret, char **msg)
{
        static const char *const t[] = {"1", "on", "t", "true", "y", "yes"};
        static const char *const f[] = {"0", "f", "false", "n", "no", "off"};
        _cleanup_free_ char *s = NULL;

        if (json_is_boolean(raw)) {
                *ret = json_incref(raw);
                return 0;
        }
        s = hot_py_str_dup(raw);
        for (char *p = s; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
                if (strcmp(s, t[i]) == 0) {
                        *ret = json_true();
                        return 0;
                }
                if (strcmp(s, f[i]) == 0) {
                        *ret = json_false();
                        return 0;
                }
        }
        {
                _cleanup_free_ char *orig = hot_py_str_dup(raw);
                *msg = xasprintf("Unrecognized value '%s', acceptable values are: '0', '1', 'f', "
                                 "'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'",
                                 orig);
        }
        return -EINVAL;
}

static int to_list(json_t *raw, json_t **ret, char **msg)
{
        json_t *out;

        (void)msg;
        if (json_is_array(raw)) {
                size_t i;
                json_t *it;
                out = json_checked(json_array());
                json_array_foreach(raw, i, it)
                {
                        _cleanup_free_ char *t = hot_py_str_dup(it);
                        json_array_append_new(out, json_checked(json_string(t)));
                }
                *ret = out;
                return 0;
        }
        out = json_checked(json_array());
        if (json_is_string(raw) && json_string_length(raw)) {
                const char *p = json_string_value(raw), *c;
                while ((c = strchr(p, ','))) {
                        json_array_append_new(out, json_checked(json_stringn(p, (size_t)(c - p))));
                        p = c + 1;
                }
                json_array_append_new(out, json_checked(json_string(p)));
        } else if (!json_is_string(raw) && !json_is_null(raw)) {
                _cleanup_free_ char *s = hot_py_str_dup(raw);
                json_array_append_new(out, json_checked(json_string(s)));
        }
        *ret = out;
        return 0;
}

static int to_json(json_t *raw, json_t **ret, char **msg)
{
        json_error_t jerr;
        json_t *v;

        if (json_is_object(raw) || json_is_array(raw)) {
                *ret = json_incref(raw);
                return 0;
        }
        if (json_is_string(raw) && !json_string_length(raw)) {
                *ret = json_checked(json_object());
                return 0;
        }
        if (!json_is_string(raw)) {
                *msg = xasprintf("Value must be valid JSON: the JSON object must be str, bytes or "
                                 "bytearray, not %s",
                                 hot_py_type(raw));
                return -EINVAL;
        }
        v = json_loads(json_string_value(raw), JSON_DECODE_ANY, &jerr);
        if (!v) {
                *msg = xasprintf("Value must be valid JSON: %s", jerr.text);
                return -EINVAL;
        }
        if (!json_is_object(v) && !json_is_array(v)) {
                json_decref(v);
                *msg = xasprintf("Value must be valid JSON");
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

static int convert(enum hot_ptype t, json_t *raw, json_t **ret, char **msg)
{
        switch (t) {
        case PT_STRING:
                if (json_is_string(raw)) {
                        *ret = json_incref(raw);
                } else {
                        _cleanup_free_ char *s = hot_py_str_dup(raw);
                        *ret = json_checked(json_string(s));
                }
                return 0;
        case PT_NUMBER:
                return to_number(raw, ret, msg);
        case PT_BOOLEAN:
                return to_bool(raw, ret, msg);
        case PT_LIST:
                return to_list(raw, ret, msg);
        case PT_JSON:
                return to_json(raw, ret, msg);
        }
        return -EINVAL;
}

static double num(json_t *v)
{
        return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
}

/* Checks one constraint; *msg set on violation. Returns <0 schema error (*msg set). */
static int check_constraint(enum hot_ptype t, json_t *c, json_t *val, bool check_custom, char **msg,
                            bool *schema_err)
{
        json_t *x;
        const char *desc = json_string_value(json_object_get(c, "description"));

        *schema_err = false;
        if ((x = json_object_get(c, "length"))) {
                json_t *mn = json_object_get(x, "min"), *mx = json_object_get(x, "max");
                size_t len = json_is_string(val)   ? json_string_length(val)
                             : json_is_array(val)  ? json_array_size(val)
                             : json_is_object(val) ? json_object_size(val)
                                                   : 0;
                if (t != PT_STRING && t != PT_LIST && t != PT_JSON) {
                        *msg = xasprintf("Length constraint invalid for %s", ptype_names[t]);
                        *schema_err = true;
                        return -EINVAL;
                }
                if ((mn && (double)len < num(mn)) || (mx && (double)len > num(mx))) {
                        _cleanup_free_ char *a = mn ? hot_py_str_dup(mn) : xstrdup("None");
                        _cleanup_free_ char *b = mx ? hot_py_str_dup(mx) : xstrdup("None");
                        *msg = desc ? xstrdup(desc)
                                    : xasprintf("length (%zu) is out of range (min: %s, max: %s)",
                                                len, a, b);
                        return 1;
                }
                return 0;
        }
        if ((x = json_object_get(c, "range"))) {
                json_t *mn = json_object_get(x, "min"), *mx = json_object_get(x, "max");
                if (t != PT_NUMBER) {
                        *msg = xasprintf("Range constraint invalid for %s", ptype_names[t]);
                        *schema_err = true;
                        return -EINVAL;
                }
                if ((mn && num(val) < num(mn)) || (mx && num(val) > num(mx))) {
                        _cleanup_free_ char *v = hot_py_str_dup(val);
                        _cleanup_free_ char *a = mn ? hot_py_str_dup(mn) : xstrdup("None");
                        _cleanup_free_ char *b = mx ? hot_py_str_dup(mx) : xstrdup("None");
                        *msg = desc ? xstrdup(desc)
                                    : xasprintf("%s is out of range (min: %s, max: %s)", v, a, b);
                        return 1;
                }
                return 0;
        }
        if ((x = json_object_get(c, "modulo"))) {
                json_t *st = json_object_get(x, "step"), *of = json_object_get(x, "offset");
                double step = num(st), off = num(of), v = num(val), m;
                if (t != PT_NUMBER) {
                        *msg = xasprintf("Modulo constraint invalid for %s", ptype_names[t]);
                        *schema_err = true;
                        return -EINVAL;
                }
                if (!step)
                        return 0;
                m = fmod(v, step);
                if (m != 0 && ((m < 0) != (step < 0)))
                        m += step;
                if (m != off) {
                        _cleanup_free_ char *vs = hot_py_str_dup(val), *ss = hot_py_str_dup(st),
                                            *os = hot_py_str_dup(of);
                        *msg = desc ? xstrdup(desc)
                                    : xasprintf("%s is not a multiple of %s with an offset of %s",
                                                vs, ss, os);
                        return 1;
                }
                return 0;
        }
        if ((x = json_object_get(c, "allowed_values"))) {
                size_t i, j;
                json_t *a, *it;
                bool ok = true;
                if (t == PT_JSON) {
                        *msg = xasprintf("AllowedValues constraint invalid for %s", ptype_names[t]);
                        *schema_err = true;
                        return -EINVAL;
                }
                if (t == PT_LIST) {
                        json_array_foreach(val, j, it)
                        {
                                bool found = false;
                                json_array_foreach(x, i, a)
                                {
                                        _cleanup_free_ char *as = hot_py_str_dup(a);
                                        if (strcmp(as, json_string_value(it)) == 0)
                                                found = true;
                                }
                                ok &= found;
                        }
                } else {
                        ok = false;
                        json_array_foreach(x, i, a)
                        {
                                json_t *ca = NULL;
                                _cleanup_free_ char *m = NULL;
                                if (convert(t, a, &ca, &m) == 0 && hot_py_eq(ca, val))
                                        ok = true;
                                json_decref(ca);
                        }
                }
                if (!ok) {
                        struct strbuf sb = STRBUF_INIT;
                        strbuf_addstr(&sb, "[");
                        json_array_foreach(x, i, a)
                        {
                                if (i)
                                        strbuf_addstr(&sb, ", ");
                                hot_py_json_dumps(&sb, a);
                        }
                        strbuf_addstr(&sb, "]");
                        if (desc) {
                                *msg = xstrdup(desc);
                        } else {
                                /* Heat quotes scalars as "<str(value)>" (a number given
                                 * as 42 reads "42"); lists keep their JSON form. */
                                _cleanup_free_ char *v = json_is_array(val) || json_is_object(val)
                                                                 ? hot_py_json_dup(val)
                                                                 : hot_py_str_dup(val);
                                *msg = xasprintf(json_is_array(val) || json_is_object(val)
                                                         ? "%s is not an allowed value %s"
                                                         : "\"%s\" is not an allowed value %s",
                                                 v, sb.buf);
                        }
                        strbuf_release(&sb);
                        return 1;
                }
                return 0;
        }
        if ((x = json_object_get(c, "allowed_pattern"))) {
                int err = 0;
                if (t != PT_STRING) {
                        *msg = xasprintf("AllowedPattern constraint invalid for %s",
                                         ptype_names[t]);
                        *schema_err = true;
                        return -EINVAL;
                }
                if (!json_is_string(x) ||
                    !hot_regex_fullmatch_py(json_string_value(x), json_string_value(val),
                                            json_string_length(val), &err)) {
                        *msg = desc ? xstrdup(desc)
                                    : xasprintf("\"%s\" does not match pattern \"%s\"",
                                                json_string_value(val), json_string_value(x) ?: "");
                        return 1;
                }
                return 0;
        }
        if ((x = json_object_get(c, "custom_constraint"))) {
                /* Cloud-backed constraints (nova.flavor, glance.image, ...) need the cloud:
                 * accepted here; the engine checks them against the cloud in part 2. */
                (void)check_custom;
                return 0;
        }
        *msg = xstrdup("No constraint expressed");
        *schema_err = true;
        return -EINVAL;
}

/* Converts raw to the type, then checks it against the constraints `cons` (may be NULL). */
static int convert_checked(const char *name, enum hot_ptype type, json_t *cons, json_t *raw,
                           bool check_custom, json_t **ret, struct hot_err *he)
{
        json_t *c;
        json_auto_t *v = NULL;
        char *msg = NULL;
        size_t i;

        if (convert(type, raw, &v, &msg) < 0) {
                hot_err_svf(he, NULL, "Parameter '%s' is invalid: %s", name, msg);
                free(msg);
                return -EINVAL;
        }
        json_array_foreach(cons, i, c)
        {
                bool schema_err;
                int r = check_constraint(type, c, v, check_custom, &msg, &schema_err);
                if (r != 0) {
                        if (schema_err)
                                hot_err_set(he, "InvalidSchemaError", "%s", msg);
                        else
                                hot_err_svf(he, NULL, "Parameter '%s' is invalid: %s", name, msg);
                        free(msg);
                        return -EINVAL;
                }
        }
        *ret = TAKE_PTR(v);
        return 0;
}

int hot_param_convert(const struct hot_stack *s, const char *name, enum hot_ptype type,
                      json_t *schema, json_t *raw, bool check_custom, json_t **ret,
                      struct hot_err *he)
{
        (void)s;
        return convert_checked(name, type, json_object_get(schema, "constraints"), raw,
                               check_custom, ret, he);
}

int hot_param_value(struct hot_stack *s, struct hot_param *p, json_t **ret, struct hot_err *he)
{
        json_t *raw = p->user ? p->user : p->def;
        int r;

        if (p->value) {
                *ret = p->value;
                return 0;
        }
        if (!raw)
                return hot_err_set(he, "UserParameterMissing",
                                   "The Parameter (%s) was not provided.", p->name);
        if (!s->check_values && p->user) {
                /* template-validate: the given value is typed but not constraint-checked */
                r = convert_checked(p->name, p->type, NULL, raw, true, &p->value, he);
        } else {
                r = hot_param_convert(s, p->name, p->type, p->schema, raw, true, &p->value, he);
        }
        if (r < 0)
                return r;
        *ret = p->value;
        return 0;
}

static const char *const hot_param_keys[] = {"type",  "description", "default",   "hidden",
                                             "label", "constraints", "immutable", "tags"};
enum {
        PK_TYPE,
        PK_DESCRIPTION,
        PK_DEFAULT,
        PK_HIDDEN,
        PK_LABEL,
        PK_CONSTRAINTS,
        PK_IMMUTABLE,
        PK_TAGS
};
static const char *const cfn_param_keys[] = {
        "Type",      "Default",  "NoEcho",   "AllowedValues", "AllowedPattern",        "MaxLength",
        "MinLength", "MaxValue", "MinValue", "Description",   "ConstraintDescription", "Label"};

/* CFN parameter schemas are rewritten into the HOT shape once. */
static json_t *cfn_to_hot(json_t *d)
{
        json_t *o = json_checked(json_object()), *cons = json_checked(json_array()), *x;

        if ((x = json_object_get(d, "Type")))
                json_object_set(o, "type", x);
        if ((x = json_object_get(d, "Default")))
                json_object_set(o, "default", x);
        if ((x = json_object_get(d, "Description")))
                json_object_set(o, "description", x);
        if ((x = json_object_get(d, "Label")))
                json_object_set(o, "label", x);
        x = json_object_get(d, "NoEcho");
        if (x && (json_is_true(x) ||
                  (json_is_string(x) && strcasecmp(json_string_value(x), "true") == 0)))
                json_object_set_new(o, "hidden", json_true());
        if ((x = json_object_get(d, "AllowedValues")))
                json_array_append_new(cons, json_pack("{sO}", "allowed_values", x));
        if ((x = json_object_get(d, "AllowedPattern")))
                json_array_append_new(cons, json_pack("{sO}", "allowed_pattern", x));
        if (json_object_get(d, "MinLength") || json_object_get(d, "MaxLength")) {
                json_t *l = json_checked(json_object());
                if ((x = json_object_get(d, "MinLength")))
                        json_object_set_new(
                                l, "min",
                                json_integer(strtoll(json_is_string(x) ? json_string_value(x) : "0",
                                                     NULL, 10) +
                                             (json_is_integer(x) ? json_integer_value(x) : 0)));
                if ((x = json_object_get(d, "MaxLength")))
                        json_object_set_new(
                                l, "max",
                                json_integer(strtoll(json_is_string(x) ? json_string_value(x) : "0",
                                                     NULL, 10) +
                                             (json_is_integer(x) ? json_integer_value(x) : 0)));
                json_array_append_new(cons, json_pack("{so}", "length", l));
        }
        if (json_object_get(d, "MinValue") || json_object_get(d, "MaxValue")) {
                json_t *l = json_checked(json_object());
                if ((x = json_object_get(d, "MinValue")))
                        json_object_set_new(
                                l, "min",
                                json_is_string(x) ? hot_py_real(strtod(json_string_value(x), NULL))
                                                  : json_incref(x));
                if ((x = json_object_get(d, "MaxValue")))
                        json_object_set_new(
                                l, "max",
                                json_is_string(x) ? hot_py_real(strtod(json_string_value(x), NULL))
                                                  : json_incref(x));
                json_array_append_new(cons, json_pack("{so}", "range", l));
        }
        if ((x = json_object_get(d, "ConstraintDescription"))) {
                size_t i;
                json_t *c;
                json_array_foreach(cons, i, c) json_object_set(c, "description", x);
        }
        json_object_set_new(o, "constraints", cons);
        return o;
}

void hot_params_free(struct hot_stack *s)
{
        for (size_t i = 0; i < s->n_params; i++) {
                free(s->params[i].name);
                json_decref(s->params[i].schema);
                json_decref(s->params[i].user);
                json_decref(s->params[i].def);
                json_decref(s->params[i].value);
        }
        free(s->params);
        s->params = NULL;
        s->n_params = 0;
        free(s->param_slots);
        s->param_slots = NULL;
        s->param_mask = 0;
}

/* Checks one parameter definition as Heat's Schema.from_dict does. For HOT, ret_keys[i] gets
 * the value of hot_param_keys[i] (NULL when absent), found while checking the keys, so that
 * nothing needs looking up again. */
static int check_schema(struct hot_stack *s, const char *name, json_t *def,
                        json_t *ret_keys[ARRAY_SIZE(hot_param_keys)], struct hot_err *he)
{
        bool hot = s->ver->kind == HOT_KIND_HOT;
        json_t **kv = ret_keys;
        const char *k;
        json_t *v;

        memset(kv, 0, sizeof(*kv) * ARRAY_SIZE(hot_param_keys));

        if (!json_is_object(def))
                return hot_err_set(he, "InvalidSchemaError",
                                   "Invalid parameter (%s), expected a mapping", name);
        json_object_foreach(def, k, v)
        {
                bool ok = false;
                if (hot) {
                        for (size_t i = 0; !ok && i < ARRAY_SIZE(hot_param_keys); i++) {
                                ok |= strcmp(k, hot_param_keys[i]) == 0;
                                if (ok)
                                        kv[i] = v;
                        }
                        if (strcmp(k, "tags") == 0 && s->ver->idx < HOT_V20180302)
                                ok = false;
                } else {
                        for (size_t i = 0; !ok && i < ARRAY_SIZE(cfn_param_keys); i++)
                                ok |= strcmp(k, cfn_param_keys[i]) == 0;
                }
                if (!ok)
                        return hot_err_set(he, "InvalidSchemaError",
                                           "Invalid key '%s' for parameter (%s)", k, name);
        }
        if (!(hot ? kv[PK_TYPE] : json_object_get(def, "Type")))
                return hot_err_set(he, "InvalidSchemaError",
                                   "Missing parameter type for parameter: %s", name);
        if (hot && kv[PK_TAGS] && !json_is_array(kv[PK_TAGS]))
                return hot_err_set(he, "InvalidSchemaError",
                                   "Tags property should be a list for parameter: %s", name);
        if (hot) {
                json_t *cons = kv[PK_CONSTRAINTS], *c;
                size_t i;
                if (cons && !json_is_null(cons) && !json_is_array(cons))
                        return hot_err_set(he, "InvalidSchemaError",
                                           "Invalid parameter constraints "
                                           "for parameter %s, expected a list",
                                           name);
                json_array_foreach(cons, i, c)
                {
                        static const char *const kinds[] = {"length",          "range",
                                                            "modulo",          "allowed_values",
                                                            "allowed_pattern", "custom_constraint",
                                                            "description"};
                        const char *ck;
                        json_t *cv;
                        if (!json_is_object(c))
                                return hot_err_set(
                                        he, "InvalidSchemaError",
                                        "Invalid parameter constraints, expected a mapping");
                        json_object_foreach(c, ck, cv)
                        {
                                bool known = false;
                                for (size_t j = 0; !known && j < ARRAY_SIZE(kinds); j++)
                                        known |= strcmp(ck, kinds[j]) == 0;
                                if (!known)
                                        return hot_err_set(
                                                he, "InvalidSchemaError",
                                                "Invalid key '%s' for parameter constraints", ck);
                        }
                        if (json_object_get(c, "modulo") && s->ver->idx >= HOT_V20170224) {
                                json_t *m = json_object_get(c, "modulo");
                                if (!json_is_object(m))
                                        return hot_err_set(
                                                he, "InvalidSchemaError",
                                                "Invalid modulo constraint, expected a mapping");
                                json_object_foreach(m, ck, cv) if (
                                        strcmp(ck, "step") != 0 &&
                                        strcmp(ck, "offset") !=
                                                0) return hot_err_set(he, "InvalidSchemaError",
                                                                      "Invalid key '%s' for modulo "
                                                                      "constraint",
                                                                      ck);
                        } else if (json_object_get(c, "range") || json_object_get(c, "length")) {
                                const char *kind = json_object_get(c, "range") ? "range" : "length";
                                json_t *m = json_object_get(c, kind);
                                if (!json_is_object(m))
                                        return hot_err_set(
                                                he, "InvalidSchemaError",
                                                "Invalid %s constraint, expected a mapping", kind);
                                json_object_foreach(
                                        m, ck,
                                        cv) if (strcmp(ck, "min") != 0 &&
                                                strcmp(ck, "max") !=
                                                        0) return hot_err_set(he,
                                                                              "InvalidSchemaError",
                                                                              "Invalid key '%s' "
                                                                              "for %s constraint",
                                                                              ck, kind);
                        } else if (json_object_get(c, "allowed_values")) {
                                json_t *m = json_object_get(c, "allowed_values");
                                if (!json_is_array(m))
                                        return hot_err_set(he, "InvalidSchemaError",
                                                           "AllowedValues must be a list");
                        } else if (json_object_get(c, "allowed_pattern")) {
                                if (!json_is_string(json_object_get(c, "allowed_pattern")))
                                        return hot_err_set(he, "InvalidSchemaError",
                                                           "AllowedPattern must be a string");
                        } else if (!json_object_get(c, "custom_constraint")) {
                                return hot_err_set(he, "InvalidSchemaError",
                                                   "No constraint expressed");
                        }
                }
        }
        return 0;
}

int hot_params_init(struct hot_stack *s, json_t *user, json_t *defaults, bool validate_values,
                    struct hot_err *he)
{
        bool hot = s->ver->kind == HOT_KIND_HOT;
        json_t *sec = json_object_get(s->tmpl, hot ? "parameters" : "Parameters"), *def;
        const char *name, *k;
        json_t *v;
        int r;

        if (sec && !json_is_null(sec) && !json_is_object(sec))
                return hot_err_set(he, "InvalidSchemaError",
                                   "Invalid parameters, expected a mapping");
        s->params = xnew(struct hot_param, json_object_size(sec) + 1);
        json_object_foreach(sec, name, def)
        {
                struct hot_param *p = &s->params[s->n_params];
                json_t *schema, *kv[ARRAY_SIZE(hot_param_keys)];
                const char *ts;
                r = check_schema(s, name, def, kv, he);
                if (r < 0)
                        return r;
                schema = hot ? json_incref(def) : cfn_to_hot(def);
                if (!hot) { /* the keys of the converted schema */
                        kv[PK_TYPE] = json_object_get(schema, "type");
                        kv[PK_HIDDEN] = json_object_get(schema, "hidden");
                        kv[PK_DEFAULT] = json_object_get(schema, "default");
                }
                ts = json_string_value(kv[PK_TYPE]);
                p->name = xstrdup(name);
                p->schema = schema;
                s->n_params++;
                if (hot_ptype_parse(ts, &p->type) < 0) {
                        _cleanup_free_ char *tr = hot_py_str_dup(kv[PK_TYPE]);
                        return hot_err_set(he, "InvalidSchemaError", "Invalid type (%s)", tr);
                }
                p->hidden = json_is_true(kv[PK_HIDDEN]);
                v = defaults ? json_object_get(defaults, name) : NULL;
                if (!v)
                        v = kv[PK_DEFAULT];
                if (v && !json_is_null(v))
                        p->def = json_incref(v);
                v = user ? json_object_get(user, name) : NULL;
                if (v && !json_is_null(v))
                        p->user = json_incref(v);
        }
        params_index(s);
        /* unknown user parameters */
        json_object_foreach(user, k, v)
        {
                if (!hot_param_find(s, k) && !json_is_null(v))
                        return hot_err_set(he, "UnknownUserParameter",
                                           "The Parameter (%s) was not defined in template.", k);
        }
        /* schema validation: defaults must satisfy the (non-custom) constraints */
        for (size_t i = 0; i < s->n_params; i++) {
                struct hot_param *p = &s->params[i];
                json_t *cv = NULL;
                if (p->def) {
                        r = hot_param_convert(s, p->name, p->type, p->schema, p->def, false, &cv,
                                              he);
                        if (r < 0) {
                                if (strcmp(he->type, "InvalidSchemaError") == 0) {
                                        _cleanup_free_ char *m = xstrdup(he->message);
                                        hot_err_set(he, "InvalidSchemaError",
                                                    "Parameter '%s' is invalid: %s", p->name, m);
                                        return r;
                                }
                                {
                                        /* "Parameter 'p' is invalid: X" -> Invalid default */
                                        const char *m = he->message;
                                        const char *pre = strstr(m, "is invalid: ");
                                        _cleanup_free_ char *exc = xstrdup(pre ? pre + 12 : m);
                                        _cleanup_free_ char *ds = hot_py_str_dup(p->def);
                                        hot_err_set(he, "InvalidSchemaError",
                                                    "Parameter '%s' is invalid: Invalid default %s "
                                                    "(%s)",
                                                    p->name, ds, exc);
                                }
                                return r;
                        }
                        json_decref(cv);
                }
                if (validate_values && p->user) {
                        r = hot_param_value(s, p, &cv, he);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

json_t *hot_param_describe(struct hot_stack *s, struct hot_param *p)
{
        json_t *o = json_checked(json_object()), *cons, *c, *x;
        const char *label = json_string_value(json_object_get(p->schema, "label"));
        const char *desc = json_string_value(json_object_get(p->schema, "description"));
        struct strbuf cdesc = STRBUF_INIT;
        size_t i;

        (void)s;
        json_object_set_new(o, "Type", json_string(ptype_api[p->type]));
        json_object_set_new(o, "Description", json_string(desc ? desc : ""));
        json_object_set_new(o, "NoEcho", json_string(p->hidden ? "true" : "false"));
        json_object_set_new(o, "Label", json_string(label ? label : p->name));
        if (p->def)
                json_object_set(o, "Default", p->def);
        if (p->user)
                json_object_set(o, "Value", p->user);
        if ((x = json_object_get(p->schema, "tags")) && json_array_size(x))
                json_object_set(o, "Tags", x);
        cons = json_object_get(p->schema, "constraints");
        json_array_foreach(cons, i, c)
        {
                json_t *y;
                if ((y = json_object_get(c, "length"))) {
                        if ((x = json_object_get(y, "min")))
                                json_object_set(o, "MinLength", x);
                        if ((x = json_object_get(y, "max")))
                                json_object_set(o, "MaxLength", x);
                } else if ((y = json_object_get(c, "range"))) {
                        if ((x = json_object_get(y, "min")))
                                json_object_set(o, "MinValue", x);
                        if ((x = json_object_get(y, "max")))
                                json_object_set(o, "MaxValue", x);
                } else if ((y = json_object_get(c, "modulo"))) {
                        if ((x = json_object_get(y, "step")))
                                json_object_set(o, "Step", x);
                        if ((x = json_object_get(y, "offset")))
                                json_object_set(o, "Offset", x);
                } else if ((y = json_object_get(c, "allowed_values"))) {
                        json_object_set(o, "AllowedValues", y);
                } else if ((y = json_object_get(c, "allowed_pattern"))) {
                        json_object_set(o, "AllowedPattern", y);
                } else if ((y = json_object_get(c, "custom_constraint"))) {
                        json_object_set(o, "CustomConstraint", y);
                }
                if ((x = json_object_get(c, "description")) && json_is_string(x))
                        strbuf_addf(&cdesc, "%s%s", cdesc.len ? " " : "", json_string_value(x));
        }
        if (cdesc.len)
                json_object_set_new(o, "ConstraintDescription", json_string(cdesc.buf));
        strbuf_release(&cdesc);
        return o;
}

int hot_param_groups_validate(struct hot_stack *s, struct hot_err *he)
{
        json_t *groups = json_object_get(s->tmpl, "parameter_groups"), *g, *seen;
        size_t i;
        int r = 0;

        if (!groups || json_is_null(groups))
                return 0;
        if (!json_is_array(groups))
                return hot_err_svf(he, "Parameter Groups error",
                                   "The parameter_groups should be a list."),
                       hot_err_prefix(he, "parameter_groups"), -EINVAL;
        seen = json_checked(json_object());
        json_array_foreach(groups, i, g)
        {
                json_t *ps = json_object_get(g, "parameters"), *p;
                const char *label = json_string_value(json_object_get(g, "label"));
                _cleanup_free_ char *where = xasprintf("parameter_groups.%s", label ? label : "");
                size_t j;
                if (!ps) {
                        r = hot_err_svf(
                                he, "Parameter Groups error",
                                "The parameters must be provided for each parameter group.");
                        hot_err_prefix(he, where);
                        break;
                }
                if (!json_is_array(ps)) {
                        r = hot_err_svf(he, "Parameter Groups error",
                                        "The parameters of parameter group should be a list.");
                        hot_err_prefix(he, where);
                        break;
                }
                json_array_foreach(ps, j, p)
                {
                        _cleanup_free_ char *n = hot_py_str_dup(p);
                        if (json_object_get(seen, n)) {
                                r = hot_err_svf(
                                        he, "Parameter Groups error",
                                        "The %s parameter must be assigned to one parameter "
                                        "group only.",
                                        n);
                                hot_err_prefix(he, where);
                                break;
                        }
                        json_object_set_new(seen, n, json_true());
                        if (!hot_param_find(s, n)) {
                                r = hot_err_svf(
                                        he, "Parameter Groups error",
                                        "The grouped parameter %s does not reference a valid "
                                        "parameter.",
                                        n);
                                hot_err_prefix(he, where);
                                break;
                        }
                }
                if (r < 0)
                        break;
        }
        json_decref(seen);
        return r;
}
