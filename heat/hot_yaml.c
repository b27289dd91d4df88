/*
 * hot_yaml: JSON-or-YAML loading with PyYAML SafeLoader typing on top of libyaml events.
 * Only plain scalars are typed implicitly; quoted scalars are strings; `!!tag`s are honoured
 * for the SafeLoader's tags. Error texts follow PyYAML's MarkedYAMLError layout (context,
 * mark, problem, mark with a source snippet) so a user sees what Heat prints.
 */
#include "common/common.h"

#include <ctype.h>
#include <math.h>
#include <yaml.h>

#include "common/json_util.h"
#include "heat/hot_py.h"
#include "heat/hot_yaml.h"

struct anchor {
        char *name;
        json_t *value;
        size_t nodes;
};

struct loader {
        yaml_parser_t parser;
        const char *buf;
        size_t len;
        const char *what;
        struct anchor *anchors;
        size_t n_anchors, alloc_anchors;
        size_t nodes;
        struct hot_err *he;
};

/* ---- implicit typing (PyYAML Resolver, YAML 1.1) ---- */

static bool match_bool(const char *s, bool *ret)
{
        static const char *const t[] = {"yes",  "Yes", "YES", "true", "True",
                                        "TRUE", "on",  "On",  "ON"};
        static const char *const f[] = {"no",    "No",  "NO",  "false", "False",
                                        "FALSE", "off", "Off", "OFF"};

        for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
                if (strcmp(s, t[i]) == 0) {
                        *ret = true;
                        return true;
                }
                if (strcmp(s, f[i]) == 0) {
                        *ret = false;
                        return true;
                }
        }
        return false;
}

static bool match_null(const char *s)
{
        return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
               strcmp(s, "NULL") == 0;
}

static bool all_in(const char *s, const char *set)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (!strchr(set, *s))
                        return false;
        return true;
}

/* [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+ for ints (dot part handled by float). */
static bool match_sexagesimal(const char *s, bool allow_zero_lead)
{
        const char *p = s;

        if (!isdigit((unsigned char)*p) || (!allow_zero_lead && *p == '0'))
                return false;
        while (isdigit((unsigned char)*p) || *p == '_')
                p++;
        if (*p != ':')
                return false;
        while (*p == ':') {
                p++;
                if (!isdigit((unsigned char)*p))
                        return false;
                if (isdigit((unsigned char)p[1])) {
                        if (*p > '5')
                                return false;
                        p += 2;
                } else {
                        p++;
                }
        }
        return *p == '\0';
}

static bool match_int(const char *s)
{
        const char *p = s;

        if (*p == '-' || *p == '+')
                p++;
        if (p[0] == '0' && p[1] == 'b')
                return all_in(p + 2, "01_");
        if (p[0] == '0' && p[1] == 'x')
                return all_in(p + 2, "0123456789abcdefABCDEF_");
        if (p[0] == '0' && p[1] == '\0')
                return true;
        if (p[0] == '0')
                return all_in(p + 1, "01234567_");
        if (*p >= '1' && *p <= '9' && all_in(p, "0123456789_"))
                return true;
        return match_sexagesimal(p, false);
}

static bool match_exp(const char *p)
{
        /* (?:[eE][-+][0-9]+)?$ */
        if (!*p)
                return true;
        if (*p != 'e' && *p != 'E')
                return false;
        p++;
        if (*p != '-' && *p != '+')
                return false;
        p++;
        if (!*p)
                return false;
        while (isdigit((unsigned char)*p))
                p++;
        return *p == '\0';
}

static bool match_float(const char *s)
{
        const char *p = s;

        if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0)
                return true;
        if (*p == '-' || *p == '+')
                p++;
        if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 || strcmp(p, ".INF") == 0)
                return true;
        if (*p == '.' && p == s) {
                /* \.[0-9_]+(?:[eE][-+][0-9]+)? (no sign) */
                p++;
                if (!(isdigit((unsigned char)*p) || *p == '_'))
                        return false;
                while (isdigit((unsigned char)*p) || *p == '_')
                        p++;
                return match_exp(p);
        }
        if (!isdigit((unsigned char)*p))
                return false;
        while (isdigit((unsigned char)*p) || *p == '_')
                p++;
        if (*p == '.') {
                p++;
                while (isdigit((unsigned char)*p) || *p == '_')
                        p++;
                return match_exp(p);
        }
        if (*p == ':') {
                /* [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]* */
                while (*p == ':') {
                        p++;
                        if (!isdigit((unsigned char)*p))
                                return false;
                        if (isdigit((unsigned char)p[1])) {
                                if (*p > '5')
                                        return false;
                                p += 2;
                        } else {
                                p++;
                        }
                }
                if (*p != '.')
                        return false;
                p++;
                while (isdigit((unsigned char)*p) || *p == '_')
                        p++;
                return *p == '\0';
        }
        return false;
}

static char *strip_underscores(const char *s)
{
        char *r = xstrdup(s), *w = r;

        for (const char *p = s; *p; p++)
                if (*p != '_')
                        *w++ = *p;
        *w = '\0';
        return r;
}

static json_t *construct_int(const char *s)
{
        _cleanup_free_ char *v = strip_underscores(s);
        char *p = v;
        int sign = 1;
        long long n = 0;

        if (*p == '-') {
                sign = -1;
                p++;
        } else if (*p == '+') {
                p++;
        }
        if (strcmp(p, "0") == 0)
                return json_checked(json_integer(0));
        if (strchr(p, ':')) {
                /* base 60, computed in double so that huge values cannot overflow */
                double base = 1, d = 0;
                char *digits[64];
                size_t nd = 0;
                for (char *tok = p;;) {
                        char *c = strchr(tok, ':');
                        if (nd < ARRAY_SIZE(digits))
                                digits[nd++] = tok;
                        if (!c)
                                break;
                        *c = '\0';
                        tok = c + 1;
                }
                while (nd-- > 0) {
                        d += strtod(digits[nd], NULL) * base;
                        base *= 60;
                }
                if (d < 9.0e18)
                        return json_checked(json_integer(sign * (long long)d));
                return hot_py_real(sign * d);
        }
        errno = 0;
        if (p[0] == '0' && p[1] == 'b')
                n = strtoll(p + 2, NULL, 2);
        else if (p[0] == '0' && p[1] == 'x')
                n = strtoll(p + 2, NULL, 16);
        else if (p[0] == '0')
                n = strtoll(p + 1, NULL, 8);
        else
                n = strtoll(p, NULL, 10);
        if (errno == ERANGE) /* beyond 64 bits: keep Python's value as a float */
                return hot_py_real((sign * strtod(p, NULL)));
        return json_checked(json_integer(sign * n));
}

static json_t *construct_float(const char *s)
{
        _cleanup_free_ char *v = strip_underscores(s);
        char *p = v;
        double sign = 1.0;

        for (char *q = v; *q; q++)
                *q = (char)tolower((unsigned char)*q);
        if (*p == '-') {
                sign = -1.0;
                p++;
        } else if (*p == '+') {
                p++;
        }
        if (strcmp(p, ".inf") == 0)
                return hot_py_real((sign * INFINITY));
        if (strcmp(p, ".nan") == 0)
                return hot_py_real((NAN));
        if (strchr(p, ':')) {
                double base = 1, n = 0;
                char *parts[64];
                size_t np = 0;
                for (char *tok = p;;) {
                        char *c = strchr(tok, ':');
                        if (np < ARRAY_SIZE(parts))
                                parts[np++] = tok;
                        if (!c)
                                break;
                        *c = '\0';
                        tok = c + 1;
                }
                while (np-- > 0) {
                        n += strtod(parts[np], NULL) * base;
                        base *= 60;
                }
                return hot_py_real((sign * n));
        }
        return hot_py_real((sign * strtod(p, NULL)));
}

/* Can a plain scalar starting with c resolve to anything but str? PyYAML's implicit
 * resolvers are keyed by first character: bool [yYnNtTfFoO], null [~nN] (and empty), int and
 * float [-+0-9.]. (Timestamps [0-9] stay strings in Heat's loader.) Most scalars in a template
 * start elsewhere, and this test spares them the matchers below. */
static bool maybe_typed(unsigned char c)
{
        static const bool first[256] = {
                ['y'] = true, ['Y'] = true, ['n'] = true, ['N'] = true, ['t'] = true, ['T'] = true,
                ['f'] = true, ['F'] = true, ['o'] = true, ['O'] = true, ['~'] = true, ['-'] = true,
                ['+'] = true, ['.'] = true, ['0'] = true, ['1'] = true, ['2'] = true, ['3'] = true,
                ['4'] = true, ['5'] = true, ['6'] = true, ['7'] = true, ['8'] = true, ['9'] = true,
        };

        return first[c];
}

/* Exactly one of PyYAML's bool / null words (yes/no/true/false/on/off/null in their three
 * spellings); s need not be NUL-terminated. */
static bool is_bool_null_word(const char *s, size_t len)
{
        static const char *const words[] = {
                "yes",   "Yes", "YES", "true", "True", "TRUE",  "on",
                "On",    "ON",  "no",  "No",   "NO",   "false", "False",
                "FALSE", "off", "Off", "OFF",  "null", "Null",  "NULL",
        };

        if (len < 2 || len > 5)
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(words); i++)
                if (strlen(words[i]) == len && memcmp(words[i], s, len) == 0)
                        return true;
        return false;
}

static bool is_letter(unsigned char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* True when PyYAML would certainly resolve this plain scalar to str: the matchers below are
 * needed only for numbers, bool/null words and the empty scalar. */
static bool plain_is_str(const char *s, size_t len)
{
        unsigned char c;

        if (!len)
                return false;
        c = (unsigned char)s[0];
        if (!maybe_typed(c))
                return true;
        if (c == '~')
                return len != 1;
        if (is_letter(c))
                return !is_bool_null_word(s, len);
        return false;
}

/* A string value from text that is valid UTF-8 when `utf8` (libyaml's scalars are: its
 * reader rejects malformed input and its escape decoding rejects surrogates and values
 * beyond U+10FFFF), which spares jansson's second check of every byte. */
static json_t *str_value(const char *s, size_t len, bool utf8)
{
        return json_checked(utf8 ? json_stringn_nocheck(s, len) : json_stringn(s, len));
}

static json_t *plain_scalar(const char *s, size_t len, bool utf8)
{
        bool b;

        if (plain_is_str(s, len))
                return str_value(s, len, utf8);
        if (strlen(s) != len) /* embedded NUL: never a number */
                return str_value(s, len, utf8);
        if (match_null(s))
                return json_null();
        if (match_bool(s, &b))
                return json_boolean(b);
        if (match_int(s))
                return construct_int(s);
        if (match_float(s))
                return construct_float(s);
        return str_value(s, len, utf8);
}

json_t *hot_yaml_plain_scalar(const char *s, size_t len)
{
        return plain_scalar(s, len, false);
}

/* ---- errors ---- */

static void add_mark(struct loader *L, struct strbuf *sb, yaml_mark_t m)
{
        /* PyYAML Mark.__str__ with get_snippet(indent=4, max_length=75) */
        size_t ptr = m.index < L->len ? m.index : L->len;
        size_t start = ptr, end = ptr;
        const char *head = "", *tail = "";

        strbuf_addf(sb, "  in \"<unicode string>\", line %zu, column %zu:\n", m.line + 1,
                    m.column + 1);
        while (start > 0 && L->buf[start - 1] != '\r' && L->buf[start - 1] != '\n' &&
               L->buf[start - 1] != '\0') {
                start--;
                if ((double)(ptr - start) > 75.0 / 2 - 1) {
                        head = " ... ";
                        start += 5;
                        break;
                }
        }
        while (end < L->len && L->buf[end] != '\r' && L->buf[end] != '\n' && L->buf[end] != '\0') {
                end++;
                if ((double)(end - ptr) > 75.0 / 2 - 1) {
                        tail = " ... ";
                        end -= 5;
                        break;
                }
        }
        strbuf_addf(sb, "    %s", head);
        strbuf_add(sb, L->buf + start, end - start);
        strbuf_addf(sb, "%s\n", tail);
        for (size_t i = 0; i < 4 + ptr - start + strlen(head); i++)
                strbuf_addch(sb, ' ');
        strbuf_addch(sb, '^');
}

static int marked_error(struct loader *L, const char *context, const yaml_mark_t *cmark,
                        const char *problem, const yaml_mark_t *pmark)
{
        struct strbuf sb = STRBUF_INIT;
        bool any = false;

        if (context) {
                strbuf_addstr(&sb, context);
                any = true;
        }
        if (cmark &&
            (!problem || !pmark || cmark->line != pmark->line || cmark->column != pmark->column)) {
                if (any)
                        strbuf_addch(&sb, '\n');
                add_mark(L, &sb, *cmark);
                any = true;
        }
        if (problem) {
                if (any)
                        strbuf_addch(&sb, '\n');
                strbuf_addstr(&sb, problem);
                any = true;
        }
        if (pmark) {
                if (any)
                        strbuf_addch(&sb, '\n');
                add_mark(L, &sb, *pmark);
        }
        hot_err_set(L->he, "ValueError", "Error parsing template %s %s", L->what, sb.buf);
        strbuf_release(&sb);
        return -EINVAL;
}

static int parser_error(struct loader *L)
{
        yaml_parser_t *p = &L->parser;

        if (p->error == YAML_READER_ERROR) {
                return hot_err_set(L->he, "ValueError",
                                   "Error parsing template %s unacceptable character #x%04x: %s\n"
                                   "  in \"<unicode string>\", position %zu",
                                   L->what, p->problem_value, p->problem ? p->problem : "",
                                   p->problem_offset);
        }
        if (p->error == YAML_MEMORY_ERROR) {
                fprintf(stderr, "libyaml: out of memory\n");
                abort();
        }
        return marked_error(L, p->context, p->context ? &p->context_mark : NULL, p->problem,
                            &p->problem_mark);
}

/* ---- construction ---- */

static int next_event(struct loader *L, yaml_event_t *ev)
{
        if (!yaml_parser_parse(&L->parser, ev))
                return parser_error(L);
        return 0;
}

static int load_node(struct loader *L, yaml_event_t *ev, int depth, json_t **ret);

static void anchor_store(struct loader *L, const char *name, json_t *v, size_t nodes)
{
        for (size_t i = 0; i < L->n_anchors; i++) {
                if (strcmp(L->anchors[i].name, name) == 0) {
                        json_decref(L->anchors[i].value);
                        L->anchors[i].value = json_incref(v);
                        L->anchors[i].nodes = nodes;
                        return;
                }
        }
        L->anchors = xgrow(L->anchors, L->n_anchors + 1, &L->alloc_anchors, sizeof(*L->anchors));
        L->anchors[L->n_anchors++] =
                (struct anchor){.name = xstrdup(name), .value = json_incref(v), .nodes = nodes};
}

static int count_node(struct loader *L, size_t n, const yaml_mark_t *m)
{
        L->nodes += n;
        if (L->nodes > HOT_YAML_MAX_NODES)
                return marked_error(L, NULL, NULL,
                                    "document too large (too many nodes, aliases included)", m);
        return 0;
}

static const char *tag_short(const char *tag)
{
        static const char prefix[] = "tag:yaml.org,2002:";

        if (tag && strncmp(tag, prefix, sizeof(prefix) - 1) == 0)
                return tag + sizeof(prefix) - 1;
        return NULL;
}

static int load_scalar(struct loader *L, yaml_event_t *ev, json_t **ret)
{
        const char *v = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        const char *tag = (const char *)ev->data.scalar.tag;
        const char *t;

        if (!tag || strcmp(tag, "!") == 0) {
                if (!tag && ev->data.scalar.plain_implicit &&
                    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
                        /* PyYAML resolves a plain "=" to the value tag and "<<" to the merge
                         * tag (a "<<" key merges: load_mapping never gets here for it); its
                         * SafeConstructor builds neither. */
                        const char *special = len == 1 && v[0] == '=' ? "tag:yaml.org,2002:value"
                                              : len == 2 && memcmp(v, "<<", 2) == 0
                                                      ? "tag:yaml.org,2002:merge"
                                                      : NULL;
                        if (special) {
                                _cleanup_free_ char *msg = xasprintf(
                                        "could not determine a constructor for the tag '%s'",
                                        special);
                                return marked_error(L, NULL, NULL, msg, &ev->start_mark);
                        }
                        *ret = plain_scalar(v, len, true);
                } else {
                        *ret = str_value(v, len, true);
                }
                return 0;
        }
        t = tag_short(tag);
        if (t && (strcmp(t, "str") == 0 || strcmp(t, "timestamp") == 0)) {
                *ret = str_value(v, len, true);
                return 0;
        }
        if (t && strcmp(t, "null") == 0) {
                *ret = json_null();
                return 0;
        }
        if (t && strcmp(t, "bool") == 0) {
                bool b;
                _cleanup_free_ char *low = xstrndup(v, len);
                for (char *q = low; *q; q++)
                        *q = (char)tolower((unsigned char)*q);
                if (match_bool(low, &b)) {
                        *ret = json_boolean(b);
                        return 0;
                }
        }
        if (t && strcmp(t, "int") == 0 && match_int(v)) {
                *ret = construct_int(v);
                return 0;
        }
        if (t && strcmp(t, "float") == 0 && (match_float(v) || match_int(v))) {
                *ret = construct_float(v);
                return 0;
        }
        {
                _cleanup_free_ char *msg =
                        xasprintf("could not determine a constructor for the tag '%s'", tag);
                return marked_error(L, NULL, NULL, msg, &ev->start_mark);
        }
}

static int check_collection_tag(struct loader *L, yaml_event_t *ev, const char *tag,
                                const char *want)
{
        const char *t;

        if (!tag || strcmp(tag, "!") == 0)
                return 0;
        t = tag_short(tag);
        if (t && strcmp(t, want) == 0)
                return 0;
        {
                _cleanup_free_ char *msg =
                        xasprintf("could not determine a constructor for the tag '%s'", tag);
                return marked_error(L, NULL, NULL, msg, &ev->start_mark);
        }
}

static int load_sequence(struct loader *L, int depth, json_t **ret)
{
        json_auto_t *arr = json_checked(json_array());
        int r;

        for (;;) {
                yaml_event_t ev;
                json_t *item = NULL;

                r = next_event(L, &ev);
                if (r < 0)
                        return r;
                if (ev.type == YAML_SEQUENCE_END_EVENT) {
                        yaml_event_delete(&ev);
                        break;
                }
                r = load_node(L, &ev, depth + 1, &item);
                yaml_event_delete(&ev);
                if (r < 0)
                        return r;
                json_array_append_new(arr, item);
        }
        *ret = TAKE_PTR(arr);
        return 0;
}

/* Python str() of a scalar key (PyYAML would keep an int key; JSON objects need strings). */
static char *key_string(json_t *k)
{
        if (json_is_string(k))
                return xstrdup(json_string_value(k));
        if (json_is_null(k))
                return xstrdup("None");
        if (json_is_true(k))
                return xstrdup("True");
        if (json_is_false(k))
                return xstrdup("False");
        if (json_is_integer(k))
                return xasprintf("%lld", (long long)json_integer_value(k));
        return xasprintf("%.17g", json_real_value(k));
}

static void merge_into(json_t *merged, json_t *src)
{
        const char *k;
        json_t *v;

        /* earlier merge sources win: only add keys not yet present */
        json_object_foreach(src, k, v) if (!json_object_get(merged, k))
                json_object_set(merged, k, v);
}

/* A mapping key that load_node() would turn into a plain string: a scalar without anchor or
 * tag that is quoted, or plain and certainly str, within the depth limit. libyaml's scalars
 * are NUL-terminated, valid UTF-8 (its reader and escape decoding reject anything else). */
static bool plain_str_key(const yaml_event_t *kev, int depth)
{
        if (kev->type != YAML_SCALAR_EVENT || kev->data.scalar.anchor || kev->data.scalar.tag ||
            depth + 1 > HOT_YAML_MAX_DEPTH)
                return false;
        if (kev->data.scalar.plain_implicit && kev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
                return plain_is_str((const char *)kev->data.scalar.value, kev->data.scalar.length);
        return true;
}

static int load_mapping(struct loader *L, yaml_mark_t start, int depth, json_t **ret)
{
        json_auto_t *obj = json_checked(json_object());
        json_auto_t *merged = NULL;
        int r;

        for (;;) {
                yaml_event_t kev, vev;
                json_t *key = NULL, *val = NULL;
                bool is_merge;
                yaml_mark_t kmark;

                r = next_event(L, &kev);
                if (r < 0)
                        return r;
                if (kev.type == YAML_MAPPING_END_EVENT) {
                        yaml_event_delete(&kev);
                        break;
                }
                kmark = kev.start_mark;
                is_merge = kev.type == YAML_SCALAR_EVENT && !kev.data.scalar.tag &&
                           kev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                           kev.data.scalar.length == 2 &&
                           memcmp(kev.data.scalar.value, "<<", 2) == 0;
                if (plain_str_key(&kev, depth) && !is_merge) {
                        /* the common case: the key is the scalar's text (up to a NUL, as
                         * key_string() makes it), with no json_t built for it */
                        r = count_node(L, 1, &kev.start_mark);
                        if (r >= 0)
                                r = next_event(L, &vev);
                        if (r < 0) {
                                yaml_event_delete(&kev);
                                return r;
                        }
                        r = load_node(L, &vev, depth + 1, &val);
                        yaml_event_delete(&vev);
                        if (r >= 0)
                                json_object_set_new_nocheck(
                                        obj, (const char *)kev.data.scalar.value, val);
                        yaml_event_delete(&kev);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (is_merge) {
                        r = count_node(L, 1, &kev.start_mark);
                        key = json_string("<<");
                } else {
                        r = load_node(L, &kev, depth + 1, &key);
                }
                yaml_event_delete(&kev);
                if (r < 0)
                        return r;
                r = next_event(L, &vev);
                if (r < 0) {
                        json_decref(key);
                        return r;
                }
                r = load_node(L, &vev, depth + 1, &val);
                yaml_event_delete(&vev);
                if (r < 0) {
                        json_decref(key);
                        return r;
                }
                if (json_is_object(key) || json_is_array(key)) {
                        json_decref(key);
                        json_decref(val);
                        return marked_error(L, "while constructing a mapping", &start,
                                            "found unhashable key", &kmark);
                }
                if (is_merge) {
                        json_decref(key);
                        if (!merged)
                                merged = json_checked(json_object());
                        if (json_is_object(val)) {
                                merge_into(merged, val);
                        } else if (json_is_array(val)) {
                                size_t i;
                                json_t *m;
                                json_array_foreach(val, i, m)
                                {
                                        if (!json_is_object(m)) {
                                                json_decref(val);
                                                return marked_error(
                                                        L, "while constructing a mapping", &start,
                                                        "expected a mapping for merging, but found "
                                                        "a sequence element",
                                                        &kmark);
                                        }
                                        merge_into(merged, m);
                                }
                        } else {
                                json_decref(val);
                                return marked_error(L, "while constructing a mapping", &start,
                                                    "expected a mapping or list of mappings for "
                                                    "merging, but found scalar",
                                                    &kmark);
                        }
                        json_decref(val);
                        continue;
                }
                {
                        _cleanup_free_ char *ks = key_string(key);
                        json_decref(key);
                        json_object_set_new_nocheck(obj, ks, val);
                }
        }
        if (merged) {
                const char *k;
                json_t *v;
                json_object_foreach(obj, k, v) json_object_set(merged, k, v);
                *ret = TAKE_PTR(merged);
                return 0;
        }
        *ret = TAKE_PTR(obj);
        return 0;
}

static size_t json_node_count(json_t *j)
{
        size_t n = 1, i;
        const char *k;
        json_t *v;

        if (json_is_object(j)) {
                json_object_foreach(j, k, v) n += json_node_count(v);
        } else if (json_is_array(j)) {
                json_array_foreach(j, i, v) n += json_node_count(v);
        }
        return n;
}

static int load_node(struct loader *L, yaml_event_t *ev, int depth, json_t **ret)
{
        const char *anchor = NULL;
        size_t before = L->nodes;
        int r;

        if (depth > HOT_YAML_MAX_DEPTH)
                return marked_error(L, NULL, NULL, "document nested too deeply (limit 128)",
                                    &ev->start_mark);
        switch (ev->type) {
        case YAML_ALIAS_EVENT:
                for (size_t i = L->n_anchors; i-- > 0;) {
                        if (strcmp(L->anchors[i].name, (const char *)ev->data.alias.anchor) == 0) {
                                r = count_node(L, L->anchors[i].nodes, &ev->start_mark);
                                if (r < 0)
                                        return r;
                                *ret = json_checked(json_deep_copy(L->anchors[i].value));
                                return 0;
                        }
                }
                {
                        _cleanup_free_ char *msg = xasprintf("found undefined alias '%s'",
                                                             (const char *)ev->data.alias.anchor);
                        return marked_error(L, NULL, NULL, msg, &ev->start_mark);
                }
        case YAML_SCALAR_EVENT:
                anchor = (const char *)ev->data.scalar.anchor;
                r = count_node(L, 1, &ev->start_mark);
                if (r >= 0)
                        r = load_scalar(L, ev, ret);
                break;
        case YAML_SEQUENCE_START_EVENT:
                anchor = (const char *)ev->data.sequence_start.anchor;
                r = check_collection_tag(L, ev, (const char *)ev->data.sequence_start.tag, "seq");
                if (r >= 0)
                        r = count_node(L, 1, &ev->start_mark);
                if (r >= 0)
                        r = load_sequence(L, depth, ret);
                break;
        case YAML_MAPPING_START_EVENT:
                anchor = (const char *)ev->data.mapping_start.anchor;
                r = check_collection_tag(L, ev, (const char *)ev->data.mapping_start.tag, "map");
                if (r >= 0)
                        r = count_node(L, 1, &ev->start_mark);
                if (r >= 0)
                        r = load_mapping(L, ev->start_mark, depth, ret);
                break;
        default:
                return marked_error(L, NULL, NULL, "unexpected YAML event", &ev->start_mark);
        }
        if (r < 0)
                return r;
        if (anchor)
                anchor_store(L, anchor, *ret,
                             L->nodes - before ? L->nodes - before : json_node_count(*ret));
        return 0;
}

static int load_yaml(struct loader *L, json_t **ret)
{
        yaml_event_t ev;
        json_t *doc = NULL;
        int r;

        for (;;) {
                r = next_event(L, &ev);
                if (r < 0)
                        goto fail;
                if (ev.type == YAML_STREAM_END_EVENT) {
                        yaml_event_delete(&ev);
                        break;
                }
                if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_END_EVENT) {
                        yaml_event_delete(&ev);
                        continue;
                }
                if (ev.type == YAML_DOCUMENT_START_EVENT) {
                        yaml_event_delete(&ev);
                        if (doc) {
                                /* PyYAML get_single_node: a second document is an error */
                                r = next_event(L, &ev);
                                if (r < 0)
                                        goto fail;
                                r = marked_error(L, "expected a single document in the stream",
                                                 NULL, "but found another document",
                                                 &ev.start_mark);
                                yaml_event_delete(&ev);
                                goto fail;
                        }
                        r = next_event(L, &ev);
                        if (r < 0)
                                goto fail;
                        r = load_node(L, &ev, 0, &doc);
                        yaml_event_delete(&ev);
                        if (r < 0)
                                goto fail;
                        continue;
                }
                yaml_event_delete(&ev);
        }
        *ret = doc ? doc : json_null();
        return 0;
fail:
        json_decref(doc);
        return r;
}

int hot_yaml_load(const char *buf, size_t len, const char *what, json_t **ret, struct hot_err *he)
{
        struct loader L = {.buf = buf, .len = len, .what = what ? what : "[root stack]", .he = he};
        json_t *j;
        int r;

        /* Heat tries JSON first. */
        j = json_loadb(buf, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (j) {
                if (json_node_count(j) > HOT_YAML_MAX_NODES) {
                        json_decref(j);
                        return hot_err_set(he, "ValueError",
                                           "Error parsing template %s "
                                           "document too large",
                                           L.what);
                }
                *ret = j;
                return 0;
        }
        if (!yaml_parser_initialize(&L.parser)) {
                fprintf(stderr, "libyaml: cannot initialise parser\n");
                abort();
        }
        yaml_parser_set_input_string(&L.parser, (const unsigned char *)buf, len);
        yaml_parser_set_encoding(&L.parser, YAML_UTF8_ENCODING);
        r = load_yaml(&L, ret);
        yaml_parser_delete(&L.parser);
        for (size_t i = 0; i < L.n_anchors; i++) {
                free(L.anchors[i].name);
                json_decref(L.anchors[i].value);
        }
        free(L.anchors);
        return r;
}

/* ---- document cache ---- */

struct hot_doc {
        char *text;
        size_t len;
        json_t *doc;
};

struct hot_doc_cache {
        struct hot_doc *docs;
        size_t n, alloc;
        size_t bytes;
};

struct hot_doc_cache *hot_doc_cache_new(void)
{
        return xnew(struct hot_doc_cache, 1);
}

struct hot_doc_cache *hot_doc_cache_free(struct hot_doc_cache *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n; i++) {
                free(c->docs[i].text);
                json_decref(c->docs[i].doc);
        }
        free(c->docs);
        free(c);
        return NULL;
}

int hot_yaml_load_cached(struct hot_doc_cache *c, const char *buf, size_t len, const char *what,
                         json_t **ret, struct hot_err *he)
{
        json_t *doc = NULL;
        int r;

        if (!c)
                return hot_yaml_load(buf, len, what, ret, he);
        /* few documents, mostly of different lengths: memcmp only on equal lengths */
        for (size_t i = 0; i < c->n; i++) {
                if (c->docs[i].len == len && memcmp(c->docs[i].text, buf, len) == 0) {
                        *ret = json_incref(c->docs[i].doc);
                        return 0;
                }
        }
        r = hot_yaml_load(buf, len, what, &doc, he);
        if (r < 0)
                return r;
        if (c->n < HOT_DOC_CACHE_MAX_DOCS && len <= HOT_DOC_CACHE_MAX_BYTES - c->bytes) {
                struct hot_doc *d;
                c->docs = xgrow(c->docs, c->n + 1, &c->alloc, sizeof(*c->docs));
                d = &c->docs[c->n++];
                d->text = xmalloc(len + 1);
                memcpy(d->text, buf, len);
                d->text[len] = '\0';
                d->len = len;
                d->doc = json_incref(doc);
                c->bytes += len;
        }
        *ret = doc;
        return 0;
}
