/*
 * fuzz_hot: template + environment loading, validation and resolution. The input is the
 * template text, optionally followed by a NUL byte and an environment file's text.
 */
#include "common/common.h"

#include <stdint.h>

#include "common/json_util.h"
#include "heat/hot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *nul = memchr(data, '\0', size);
        size_t tlen = nul ? (size_t)(nul - (const char *)data) : size;
        _cleanup_free_ char *env = NULL;
        json_t *files = json_object(), *out = NULL;
        const char *env_paths[] = {"fuzz-env.yaml"};
        struct hot_input in = {.tmpl_path = "/nonexistent/fuzz.yaml",
                               .tmpl_text = (const char *)data,
                               .tmpl_len = tlen,
                               .files = files};
        struct hot_err he = HOT_ERR_INIT;

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
        if (hot_validate(&in, &out, &he) == 0) {
                json_decref(out);
                out = NULL;
                if (hot_resolve(&in, &out, &he) == 0)
                        json_decref(out);
        }
        {
                char *msg = hot_err_str(&he);
                free(msg);
        }
        hot_err_clear(&he);
        json_decref(files);
        return 0;
}
