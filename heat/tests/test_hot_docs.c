/*
 * Unit tests: the document cache that the calls of one operation share (hot_doc_cache): the
 * same results as without it, documents left unmodified by validation and resolution, parse
 * errors naming the current document, changed texts parsed anew, and its size limit.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "hot_test_util.h"
#include "heat/hot_yaml.h"

static const char parent_yaml[] =
        "heat_template_version: 2018-08-31\n"
        "parameters:\n"
        "  s: {type: string}\n"
        "  p: {type: json, default: {a: [1, 2], m: {k: v}}}\n"
        "  l: {type: comma_delimited_list, default: 'x,y'}\n"
        "  n: {type: number, default: 0755}\n"
        "conditions:\n"
        "  hi: {equals: [{get_param: s}, hello]}\n"
        "resources:\n"
        "  child:\n"
        "    type: child.yaml\n"
        "    properties: {x: {get_param: s}, j: {get_param: p}}\n"
        "  v:\n"
        "    type: OS::Heat::Value\n"
        "    properties:\n"
        "      value: {map_merge: [{get_param: p}, {b: {get_param: l}}]}\n"
        "  w:\n"
        "    type: OS::Heat::Value\n"
        "    condition: hi\n"
        "    properties:\n"
        "      value:\n"
        "        str_replace:\n"
        "          template: {get_file: script.sh}\n"
        "          params: {$X: {get_param: s}, $XY: {get_param: n}}\n"
        "    depends_on: [v]\n"
        "  z: {type: My::None, depends_on: w}\n"
        "outputs:\n"
        "  o: {value: {get_attr: [v, value]}}\n"
        "  q: {value: {list_join: ['-', {get_param: l}, [{get_resource: child}]]}}\n";

static const char child_yaml[] =
        "heat_template_version: 2018-08-31\n"
        "parameters:\n"
        "  s: {type: string}\n"
        "  l: {type: comma_delimited_list}\n"
        "  x: {type: string, default: dx}\n"
        "  j: {type: json, default: {d: 1}}\n"
        "resources:\n"
        "  r: {type: OS::Heat::Value, properties: {value: {get_param: j}}}\n"
        "outputs:\n"
        "  x: {value: {get_param: x}}\n";

static json_t *files_map(const char *e1)
{
        return json_pack("{ssssssss}", "child.yaml", child_yaml, "script.sh", "echo $X $XY $X\n",
                         "e1.yaml", e1, "e2.yaml",
                         "parameter_defaults: {l: 'a,b,c'}\n"
                         "resource_registry: {My::None: OS::Heat::None}\n");
}

/* resolve (or validate) `text` with the given cache; compact JSON of the result or the error */
static char *run(const char *text, json_t *files, struct hot_doc_cache *dc, bool resolve)
{
        static const char *const envs[] = {"e1.yaml", "e2.yaml"};
        struct hot_input in = {.tmpl_path = "/nonexistent/t.yaml",
                               .tmpl_text = text,
                               .tmpl_len = strlen(text),
                               .files = files,
                               .env_paths = envs,
                               .n_env = ARRAY_SIZE(envs),
                               .doc_cache = dc};
        struct hot_err he = HOT_ERR_INIT;
        json_t *out = NULL;
        char *s;
        int r = resolve ? hot_resolve(&in, &out, &he) : hot_validate(&in, &out, &he);

        if (r < 0) {
                _cleanup_free_ char *m = hot_err_str(&he);
                s = xasprintf("%s: %s", he.type, m);
                hot_err_clear(&he);
                return s;
        }
        s = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(out);
        return s;
}

static char *dump_parsed(const char *text, struct hot_doc_cache *dc)
{
        struct hot_err he = HOT_ERR_INIT;
        json_t *j = NULL;
        char *s;

        assert_int_equal(hot_yaml_load_cached(dc, text, strlen(text), "x", &j, &he), 0);
        s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(j);
        return s;
}

static void test_same_results(void **state)
{
        json_auto_t *files = files_map("parameters: {s: hello}\n");
        struct hot_doc_cache *dc = hot_doc_cache_new();
        const char *const texts[] = {parent_yaml, child_yaml};

        (void)state;
        for (size_t t = 0; t < ARRAY_SIZE(texts); t++) {
                for (int resolve = 0; resolve < 2; resolve++) {
                        _cleanup_free_ char *want = run(texts[t], files, NULL, resolve);
                        if (!strstr(want, resolve ? "\"resources\"" : "\"ok\""))
                                fail_msg("%s", want);
                        /* the first call fills the cache, the next ones use it */
                        for (int i = 0; i < 3; i++) {
                                _cleanup_free_ char *got = run(texts[t], files, dc, resolve);
                                assert_string_equal(got, want);
                        }
                }
        }
        /* the cached documents are still what the texts parse to */
        for (size_t t = 0; t < ARRAY_SIZE(texts); t++) {
                _cleanup_free_ char *fresh = dump_parsed(texts[t], NULL);
                _cleanup_free_ char *cached = dump_parsed(texts[t], dc);
                assert_string_equal(cached, fresh);
        }
        hot_doc_cache_free(dc);
}

static void test_errors_and_changes(void **state)
{
        struct hot_doc_cache *dc = hot_doc_cache_new();
        json_auto_t *bad = files_map("parameters: [\n");
        json_auto_t *one = files_map("parameters: {s: one}\n");
        json_auto_t *two = files_map("parameters: {s: two}\n");
        char *e;

        (void)state;
        /* errors are not cached: each names the document being loaded */
        for (int i = 0; i < 2; i++) {
                e = run(parent_yaml, bad, dc, false);
                assert_non_null(strstr(e, "Error parsing template e1.yaml "));
                free(e);
                e = run("parameters: [\n", bad, dc, false);
                assert_non_null(strstr(e, "Error parsing template [root stack] "));
                free(e);
        }
        /* a changed text under the same name is parsed anew */
        e = run(parent_yaml, one, dc, true);
        assert_non_null(strstr(e, "\"s\":\"one\""));
        free(e);
        e = run(parent_yaml, two, dc, true);
        assert_non_null(strstr(e, "\"s\":\"two\""));
        free(e);
        hot_doc_cache_free(dc);
}

static void test_limit(void **state)
{
        struct hot_doc_cache *dc = hot_doc_cache_new();
        size_t n = HOT_DOC_CACHE_MAX_DOCS + 100;

        (void)state;
        for (int pass = 0; pass < 2; pass++) {
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *text = xasprintf("v: %zu\n", i);
                        _cleanup_free_ char *want = xasprintf("{\"v\":%zu}", i);
                        _cleanup_free_ char *got = dump_parsed(text, dc);
                        assert_string_equal(got, want);
                }
        }
        assert_null(hot_doc_cache_free(dc));
        assert_null(hot_doc_cache_free(NULL));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_same_results),
                cmocka_unit_test(test_errors_and_changes),
                cmocka_unit_test(test_limit),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
