/*
 * fuzz_hot: template + environment loading, validation and resolution. The input is the
 * template text, optionally followed by a NUL byte and an environment file's text. Each input
 * is validated and resolved without and then with a shared document cache (twice, so that the
 * second round takes every document from the cache): the results must be the same.
 */
#include "common/common.h"

#include <stdint.h>

#include "common/json_util.h"
#include "heat/hot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "ok <result JSON>" or "<error class>: <message>" */
static char *run(const struct hot_input *in, bool resolve)
{
        struct hot_err he = HOT_ERR_INIT;
        json_t *out = NULL;
        char *s;

        if ((resolve ? hot_resolve(in, &out, &he) : hot_validate(in, &out, &he)) == 0) {
                char *d = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
                s = xasprintf("ok %s", d ? d : "(unprintable)");
                free(d);
                json_decref(out);
        } else {
                char *msg = hot_err_str(&he);
                s = xasprintf("%s: %s", he.type ? he.type : "?", msg ? msg : "");
                free(msg);
        }
        hot_err_clear(&he);
        return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *nul = memchr(data, '\0', size);
        size_t tlen = nul ? (size_t)(nul - (const char *)data) : size;
        _cleanup_free_ char *env = NULL;
        json_t *files = json_object();
        const char *env_paths[] = {"fuzz-env.yaml"};
        struct hot_input in = {.tmpl_path = "/nonexistent/fuzz.yaml",
                               .tmpl_text = (const char *)data,
                               .tmpl_len = tlen,
                               .files = files};
        struct hot_doc_cache *dc = hot_doc_cache_new();
        char *want[2];

        if (nul) {
                size_t elen = size - tlen - 1;
                env = xstrndup(nul + 1, elen);
                /* jansson strings must be UTF-8 without NULs; skip envs it refuses */
                {
                        json_t *s = json_stringn(env, strlen(env));
                        if (s) {
                                json_object_set_new(files, "fuzz-env.yaml", s);
                                in.env_paths = env_paths;
                                in.n_env = 1;
                        }
                }
        }
        for (int resolve = 0; resolve < 2; resolve++)
                want[resolve] = run(&in, resolve);
        in.doc_cache = dc;
        for (int round = 0; round < 2; round++) {
                for (int resolve = 0; resolve < 2; resolve++) {
                        char *got = run(&in, resolve);
                        if (strcmp(got, want[resolve]) != 0) {
                                fprintf(stderr, "doc cache changed the result:\n%s\n%s\n",
                                        want[resolve], got);
                                abort();
                        }
                        free(got);
                }
        }
        free(want[0]);
        free(want[1]);
        hot_doc_cache_free(dc);
        json_decref(files);
        return 0;
}
