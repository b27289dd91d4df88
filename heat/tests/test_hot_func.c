/*
 * Unit tests: every intrinsic function, resolved through a one-output template, with its
 * error cases. Each case: HOT version, the output value (YAML flow), and either the
 * expected JSON (compact) or the expected "Class: message".
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "hot_test_util.h"

struct fcase {
        const char *version;
        const char *value;
        const char *want;  /* compact JSON of the output, or NULL */
        const char *error; /* "Class: message" or NULL */
};

static const char params_yaml[] = "parameters:\n"
                                  "  s: {type: string, default: abc}\n"
                                  "  n: {type: number, default: 2}\n"
                                  "  l: {type: comma_delimited_list, default: 'x,y'}\n"
                                  "  j: {type: json, default: {a: [1, 2]}}\n"
                                  "  b: {type: boolean, default: 'yes'}\n"
                                  "conditions_placeholder: {}\n";

static const struct fcase cases[] = {
        /* get_param: typed values, paths, misses give "" */
        {"2018-08-31", "{get_param: n}", "2", NULL},
        {"2018-08-31", "{get_param: b}", "true", NULL},
        {"2018-08-31", "{get_param: l}", "[\"x\",\"y\"]", NULL},
        {"2018-08-31", "{get_param: [j, a, '1']}", "2", NULL},
        {"2018-08-31", "{get_param: [j, a, 5]}", "\"\"", NULL},
        {"2018-08-31", "{get_param: [j, zz]}", "\"\"", NULL},
        {"2018-08-31", "{get_param: [l, 1]}", "\"y\"", NULL},
        {"2018-08-31", "{get_param: OS::stack_name}", "\"unit\"", NULL},
        {"2018-08-31", "{get_param: nope}", NULL,
         "UserParameterMissing: The Parameter (nope) was not provided."},
        {"2018-08-31", "{get_param: []}", NULL,
         "ValueError: Function \"get_param\" must have arguments"},
        {"2018-08-31", "{get_param: {a: b}}", NULL,
         "TypeError: Argument to \"get_param\" must be string or list"},
        /* list_join */
        {"2018-08-31", "{list_join: [',', [a, b], [c]]}", "\"a,b,c\"", NULL},
        {"2018-08-31", "{list_join: [',', [a, {x: 1}, null]]}", "\"a,{\\\"x\\\": 1},\"", NULL},
        {"2018-08-31", "{list_join: [',', [1]]}", NULL,
         "TypeError: Items to join must be string, map or list not 1"},
        {"2018-08-31", "{list_join: [',', abc]}", NULL,
         "TypeError: \"list_join\" must operate on a list"},
        {"2018-08-31", "{list_join: [',']}", NULL,
         "StackValidationFailed: outputs.o.value.list_join: Incorrect arguments to \"list_join\" "
         "should be: \"list_join\" : [ \" \", [ \"str1\", \"str2\"] ...]"},
        {"2014-10-16", "{list_join: [',', [a, b]]}", "\"a,b\"", NULL},
        {"2014-10-16", "{list_join: [',', [a], [b]]}", NULL,
         "StackValidationFailed: outputs.o.value.list_join: Incorrect arguments to \"list_join\" "
         "should be: \"list_join\" : [ \" \", [ \"str1\", \"str2\"]]"},
        /* str_replace variants */
        {"2018-08-31", "{str_replace: {template: aaa, params: {a: b, aa: c}}}", "\"cb\"", NULL},
        /* longest placeholder first, the next ones only inside the pieces between its
         * occurrences (an occurrence across a piece boundary does not count) */
        {"2018-08-31", "{str_replace: {template: abcd, params: {bcd: X, ab: Y}}}", "\"aX\"", NULL},
        {"2018-08-31", "{str_replace: {template: 'bcde bc', params: {cde: X, bc: Y}}}", "\"bX Y\"",
         NULL},
        {"2018-08-31",
         "{str_replace: {template: '$a$ab$abc $ab$a', params: {$a: 1, $ab: 2, $abc: 3}}}",
         "\"123 21\"", NULL},
        {"2018-08-31", "{str_replace: {template: aaaa, params: {aa: X, a: Y}}}", "\"XX\"", NULL},
        {"2018-08-31", "{str_replace: {template: 'v=$v', params: {$v: {k: [1, 2.0]}}}}",
         "\"v={\\\"k\\\": [1, 2.0]}\"", NULL},
        {"2014-10-16", "{str_replace: {template: 'v=$v', params: {$v: true}}}", "\"v=True\"", NULL},
        {"2014-10-16", "{str_replace: {template: 'v=$v', params: {$v: [1]}}}", NULL,
         "TypeError: \"str_replace\" params must be strings or numbers, param $v is not valid"},
        {"2018-08-31", "{str_replace_strict: {template: x, params: {a: b, c: d}}}", NULL,
         "ValueError: The following params were not found in the template: a,c"},
        {"2018-08-31", "{str_replace_vstrict: {template: a, params: {a: ''}}}", NULL,
         "ValueError: str_replace_vstrict has an undefined or empty value for param a, must be a "
         "defined non-empty value"},
        /* Python's str.split("") raises: an empty placeholder is an error, not skipped */
        {"2018-08-31", "{str_replace: {template: abc, params: {'': x, a: y}}}", NULL,
         "ValueError: empty separator"},
        {"2018-08-31", "{str_replace: {template: x}}", NULL,
         "StackValidationFailed: outputs.o.value.str_replace: '\"str_replace\" syntax should be "
         "str_replace:\\n              template: This is var1 template var2\\n              "
         "params:\\n                var1: a\\n                var2: string'"},
        /* repeat */
        {"2018-08-31", "{repeat: {template: '%a%-%b%', for_each: {'%a%': [1, 2], '%b%': [x, y]}}}",
         "[\"1-x\",\"1-y\",\"2-x\",\"2-y\"]", NULL},
        {"2018-08-31",
         "{repeat: {template: '%a%-%b%', for_each: {'%a%': [1, 2], '%b%': [x, y]}, permutations: "
         "false}}",
         "[\"1-x\",\"2-y\"]", NULL},
        {"2018-08-31", "{repeat: {template: {'k%a%': '%a%'}, for_each: {'%a%': {p: 1}}}}",
         "[{\"kp\":\"p\"}]", NULL},
        {"2018-08-31",
         "{repeat: {template: x, for_each: {'%a%': [1], '%b%': [1, 2]}, permutations: false}}",
         NULL,
         "ValueError: For repeat, the length of for_each values should be equal if no nested "
         "loop."},
        {"2018-08-31", "{repeat: {template: x, for_each: {'%a%': null}}}", "[]", NULL},
        /* digest, str_split */
        {"2018-08-31", "{digest: [sha256, abc]}",
         "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"", NULL},
        {"2018-08-31", "{digest: [MD5, '']}", "\"d41d8cd98f00b204e9800998ecf8427e\"", NULL},
        {"2018-08-31", "{digest: [sha256]}", NULL,
         "ValueError: Function \"digest\" usage: [\"<algorithm>\", \"<value>\"]"},
        {"2018-08-31", "{str_split: [',', 'a,b,c']}", "[\"a\",\"b\",\"c\"]", NULL},
        {"2018-08-31", "{str_split: [',', 'a,b,c', 2]}", "\"c\"", NULL},
        {"2018-08-31", "{str_split: [',', 'a,b,c', 3]}", NULL,
         "ValueError: Incorrect index to \"str_split\" should be between 0 and 2"},
        /* map_merge / map_replace */
        {"2018-08-31", "{map_merge: [{a: 1, b: 1}, null, {b: 2}]}", "{\"a\":1,\"b\":2}", NULL},
        {"2018-08-31", "{map_merge: [{a: 1}, [1]]}", NULL,
         "TypeError: Incorrect arguments: Items to merge must be maps."},
        {"2018-08-31", "{map_replace: [{a: x, b: y}, {keys: {a: c}, values: {y: z}}]}",
         "{\"c\":\"x\",\"b\":\"z\"}", NULL},
        {"2018-08-31", "{map_replace: [{a: 1, b: 2}, {keys: {a: b}}]}", NULL,
         "ValueError: key replacement b collides with a key in the input map"},
        /* yaql subset */
        {"2018-08-31", "{yaql: {expression: '$.data.t.startsWith(\"v3.3.\")', data: {t: v3.3.1}}}",
         "true", NULL},
        {"2018-08-31",
         "{yaql: {expression: 'min($.data.a, $.data.b) + $.data.l.len()', data: {a: 3, b: 2, l: "
         "[1]}}}",
         "3", NULL},
        {"2018-08-31", "{yaql: {expression: '$.data.l.sum()', data: {l: [1, 2, 3]}}}", "6", NULL},
        {"2018-08-31", "{yaql: {expression: '$.data.l.select($)', data: {l: []}}}", NULL,
         "ValueError: Bad expression unsupported yaql method or function select()."},
        /* if (macro), 2-argument if on wallaby */
        {"2018-08-31", "{if: [true, yes_branch, {get_resource: nonexistent}]}", "\"yes_branch\"",
         NULL},
        {"2018-08-31", "{if: [{equals: [{get_param: s}, abc]}, 1, 2]}", "1", NULL},
        {"2021-04-16", "[1, {if: [false, 2]}, 3]", "[1,3]", NULL},
        {"2018-08-31", "{if: [false, 2]}", NULL,
         "StackValidationFailed: outputs.o.value.if: Arguments to \"if\" must be of the form: "
         "[condition_name, value_if_true, value_if_false]"},
        /* condition functions are plain data outside conditions */
        {"2018-08-31", "{equals: [1, 1]}", "{\"equals\":[1,1]}", NULL},
        {"2014-10-16", "{digest: [md5, a]}", "{\"digest\":[\"md5\",\"a\"]}", NULL},
        /* filter, contains, list_concat(_unique), make_url */
        {"2018-08-31", "{filter: [[1, x], [1, 2, x, 3, true]]}", "[2,3]", NULL},
        {"2018-08-31", "{filter: [[1], abc]}", NULL, "TypeError: \"filter\" only works with lists"},
        {"2018-08-31", "{contains: [b, abc]}", "true", NULL},
        {"2018-08-31", "{contains: [1, [1.0]]}", "true", NULL},
        {"2018-08-31", "{contains: [1, 2]}", NULL,
         "TypeError: Second argument to \"contains\" should be a sequence."},
        {"2018-08-31", "{list_concat: [[1], null, [2]]}", "[1,2]", NULL},
        {"2018-08-31", "{list_concat_unique: [[1, 2], [2.0, 3, true]]}", "[1,2,3]", NULL},
        {"2018-08-31", "{list_concat: [[1], 2]}", NULL,
         "TypeError: Incorrect arguments: Items to concat must be lists. [[1], 2] contains an item "
         "that is not a list: 2"},
        {"2018-08-31",
         "{make_url: {scheme: https, username: u s, password: 'p@', host: '[::1]', port: 8080, "
         "path: /a b/c, query: {q: x/y z, r: 1}, fragment: f g}}",
         "\"https://u%20s:p%40@[::1]:8080/a%20b/c?q=x/y+z&r=1#f%20g\"", NULL},
        {"2018-08-31", "{make_url: {host: h, port: 70000}}", NULL,
         "ValueError: Invalid URL port 70000, must be in range 1-65535"},
        {"2018-08-31", "{make_url: {hots: h}}", NULL,
         "StackValidationFailed: outputs.o.value.make_url: Invalid arguments to \"make_url\": "
         "hots"},
        /* get_file from the files map */
        {"2018-08-31", "{get_file: 'file:///x.sh'}", "\"#!/bin/sh\\n\"", NULL},
        {"2018-08-31", "{get_file: missing.sh}", NULL,
         "ValueError: No content found in the \"files\" section for get_file path: missing.sh"},
        /* removed / version-gated functions */
        {"2018-08-31", "{Fn::Select: [0, [a]]}", NULL,
         "StackValidationFailed: outputs.o.value.Fn::Select: The template version is invalid: The "
         "function Fn::Select is not supported in this version of HOT."},
        {"2015-04-30", "{Fn::Select: ['1', [a, b]]}", "\"b\"", NULL},
        {"2013-05-23", "{Fn::Join: ['-', [a, b]]}", "\"a-b\"", NULL},
        /* get_attr / get_resource during preview: null / logical name */
        {"2018-08-31", "{get_attr: [r, value]}", "null", NULL},
        {"2018-08-31", "{get_resource: r}", "\"r\"", NULL},
        {"2018-08-31", "{get_attr: [r, nope]}", NULL,
         "StackValidationFailed: outputs.o.value.get_attr: The Referenced Attribute (r nope) is "
         "incorrect."},
        {"2018-08-31", "{get_attr: [zz, value]}", NULL,
         "StackValidationFailed: outputs.o.value.get_attr: The specified reference \"zz\" (in "
         "unknown) is incorrect."},
        {"2018-08-31", "{get_attr: r}", NULL,
         "StackValidationFailed: outputs.o.value.get_attr: Argument to \"get_attr\" must be a "
         "list"},
};

static void test_functions(void **state)
{
        json_auto_t *files = json_pack("{ss}", "file:///x.sh", "#!/bin/sh\n");
        int failures = 0;

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                const struct fcase *c = &cases[i];
                _cleanup_free_ char *err = NULL, *got = NULL;
                _cleanup_free_ char *text =
                        xasprintf("heat_template_version: %s\n"
                                  "parameters:\n"
                                  "  s: {type: string, default: abc}\n"
                                  "  n: {type: number, default: 2}\n"
                                  "  l: {type: comma_delimited_list, default: 'x,y'}\n"
                                  "  j: {type: json, default: {a: [1, 2]}}\n"
                                  "  b: {type: boolean, default: 'yes'}\n"
                                  "resources:\n"
                                  "  r: {type: OS::Heat::RandomString}\n"
                                  "outputs:\n"
                                  "  o: {value: %s}\n",
                                  c->version, c->value);
                json_auto_t *out = NULL;
                {
                        struct hot_input in = {.tmpl_path = "/nonexistent/t.yaml",
                                               .tmpl_text = text,
                                               .tmpl_len = strlen(text),
                                               .files = files,
                                               .stack_name = "unit"};
                        struct hot_err he = HOT_ERR_INIT;
                        if (hot_resolve(&in, &out, &he) < 0) {
                                _cleanup_free_ char *m = hot_err_str(&he);
                                err = xasprintf("%s: %s", he.type, m);
                                hot_err_clear(&he);
                        }
                }
                if (out)
                        got = json_dumps(json_object_get(json_object_get(out, "outputs"), "o"),
                                         JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
                if (c->want && (!got || strcmp(got, c->want) != 0)) {
                        print_error("case %zu %s: got %s / %s, want %s\n", i, c->value,
                                    got ? got : "-", err ? err : "-", c->want);
                        failures++;
                }
                if (c->error && (!err || strcmp(err, c->error) != 0)) {
                        print_error("case %zu %s: got %s / %s, want error %s\n", i, c->value,
                                    got ? got : "-", err ? err : "-", c->error);
                        failures++;
                }
        }
        (void)params_yaml;
        assert_int_equal(failures, 0);
}

/* Heat's definition of str_replace, literally: split at the first placeholder (longest, then
 * lowest), replace in the pieces with the rest, join with the value. */
struct ph {
        char *key, *val;
};

static void ref_replace(struct strbuf *out, const char *s, size_t len, const struct ph *ph,
                        size_t n)
{
        size_t klen;
        const char *p = s, *end = s + len;

        if (!n) {
                strbuf_add(out, s, len);
                return;
        }
        klen = strlen(ph[0].key);
        for (;;) {
                const char *hit = NULL;
                for (const char *q = p; q + klen <= end && !hit; q++)
                        if (memcmp(q, ph[0].key, klen) == 0)
                                hit = q;
                ref_replace(out, p, (size_t)((hit ? hit : end) - p), ph + 1, n - 1);
                if (!hit)
                        return;
                strbuf_addstr(out, ph[0].val);
                p = hit + klen;
        }
}

static int cmp_longest(const void *a, const void *b)
{
        const char *x = ((const struct ph *)a)->key, *y = ((const struct ph *)b)->key;

        if (strlen(x) != strlen(y))
                return strlen(x) > strlen(y) ? -1 : 1;
        return strcmp(x, y);
}

static unsigned rnd(unsigned *seed, unsigned n)
{
        *seed = *seed * 1103515245u + 12345u;
        return (*seed >> 16) % n;
}

/* str_replace against the definition above on random templates and placeholders over a small
 * alphabet (overlaps, repeats, placeholders inside others, pieces cut mid-occurrence) */
static void test_str_replace_random(void **state)
{
        unsigned seed = 12345;

        (void)state;
        for (int iter = 0; iter < 1500; iter++) {
                const char *alpha = iter % 3 ? "ab$" : "ab";
                unsigned na = (unsigned)strlen(alpha);
                size_t len = rnd(&seed, 40), n = rnd(&seed, 6);
                char tmpl[48];
                struct ph ph[6];
                struct strbuf yaml = STRBUF_INIT, want = STRBUF_INIT;
                char *err = NULL;
                json_t *out;
                const char *got;

                for (size_t i = 0; i < len; i++)
                        tmpl[i] = alpha[rnd(&seed, na)];
                tmpl[len] = '\0';
                for (size_t i = 0; i < n; i++) {
                        char k[5];
                        bool dup;
                        do {
                                size_t kl = 1 + rnd(&seed, 4);
                                for (size_t j = 0; j < kl; j++)
                                        k[j] = alpha[rnd(&seed, na)];
                                k[kl] = '\0';
                                dup = false;
                                for (size_t j = 0; j < i; j++)
                                        dup |= strcmp(ph[j].key, k) == 0;
                        } while (dup);
                        ph[i].key = xstrdup(k);
                        ph[i].val = xasprintf("<%zu>", i);
                }
                strbuf_addf(&yaml,
                            "heat_template_version: 2018-08-31\n"
                            "outputs:\n  o:\n    value:\n      str_replace:\n"
                            "        template: '%s'\n        params: {",
                            tmpl);
                for (size_t i = 0; i < n; i++)
                        strbuf_addf(&yaml, "%s'%s': '%s'", i ? ", " : "", ph[i].key, ph[i].val);
                strbuf_addstr(&yaml, "}\n");
                qsort(ph, n, sizeof(*ph), cmp_longest);
                ref_replace(&want, tmpl, len, ph, n);
                out = hot_t_resolve(yaml.buf, NULL, NULL, NULL, 0, &err);
                if (!out)
                        fail_msg("%s: %s", yaml.buf, err);
                got = json_string_value(json_object_get(json_object_get(out, "outputs"), "o"));
                if (!got || strcmp(got, want.buf) != 0)
                        fail_msg("%s: got %s, want %s", yaml.buf, got ? got : "(none)", want.buf);
                json_decref(out);
                for (size_t i = 0; i < n; i++) {
                        free(ph[i].key);
                        free(ph[i].val);
                }
                strbuf_release(&yaml);
                strbuf_release(&want);
        }
}

/* get_attr's attribute name is checked against the referenced resource's type whether that
 * resource is declared before or after the reference (Heat knows every resource when it
 * validates any). */
static void test_get_attr_any_order(void **state)
{
        (void)state;
        static const char *const orders[] = {
                "  a:\n    type: OS::Heat::Value\n    properties:\n      value: {get_attr: [b, "
                "%s]}\n"
                "  b: {type: OS::Heat::RandomString}\n",
                "  b: {type: OS::Heat::RandomString}\n"
                "  a:\n    type: OS::Heat::Value\n    properties:\n      value: {get_attr: [b, "
                "%s]}\n",
        };
        for (size_t i = 0; i < ARRAY_SIZE(orders); i++) {
                _cleanup_free_ char *res = xasprintf(orders[i], "nope");
                _cleanup_free_ char *text =
                        xasprintf("heat_template_version: 2018-08-31\nresources:\n%s", res);
                _cleanup_free_ char *err = hot_t_validate(text, NULL, NULL, NULL, 0, NULL);
                assert_non_null(err);
                assert_string_equal(err, "StackValidationFailed: resources.a.properties.value."
                                         "get_attr: The Referenced Attribute (b nope) is "
                                         "incorrect.");
                _cleanup_free_ char *res2 = xasprintf(orders[i], "value");
                _cleanup_free_ char *text2 =
                        xasprintf("heat_template_version: 2018-08-31\nresources:\n%s", res2);
                _cleanup_free_ char *err2 = hot_t_validate(text2, NULL, NULL, NULL, 0, NULL);
                assert_null(err2);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_functions),
                cmocka_unit_test(test_str_replace_random),
                cmocka_unit_test(test_get_attr_any_order),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
