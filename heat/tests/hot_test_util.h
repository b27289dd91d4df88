/* Helpers for the HOT unit tests: run validate/resolve on inline text, get "Class: message". */
#ifndef MC_HOT_TEST_UTIL_H
#define MC_HOT_TEST_UTIL_H

#include "common/common.h"

#include "common/json_util.h"
#include "heat/hot.h"

/* Resolves `text`; returns the whole result document or NULL with *ret_err = "Class: msg". */
static inline json_t *hot_t_resolve(const char *text, json_t *params, json_t *files,
                                    const char *const *envs, size_t n_env, char **ret_err)
{
        struct hot_input in = {.tmpl_path = "/nonexistent/t.yaml",
                               .tmpl_text = text,
                               .tmpl_len = strlen(text),
                               .params = params,
                               .files = files,
                               .env_paths = envs,
                               .n_env = n_env};
        struct hot_err he = HOT_ERR_INIT;
        json_t *out = NULL;

        *ret_err = NULL;
        if (hot_resolve(&in, &out, &he) < 0) {
                _cleanup_free_ char *m = hot_err_str(&he);
                *ret_err = xasprintf("%s: %s", he.type, m);
                hot_err_clear(&he);
                return NULL;
        }
        return out;
}

static inline char *hot_t_validate(const char *text, json_t *params, json_t *files,
                                   const char *const *envs, size_t n_env, json_t **ret)
{
        struct hot_input in = {.tmpl_path = "/nonexistent/t.yaml",
                               .tmpl_text = text,
                               .tmpl_len = strlen(text),
                               .params = params,
                               .files = files,
                               .env_paths = envs,
                               .n_env = n_env};
        struct hot_err he = HOT_ERR_INIT;
        json_t *out = NULL;

        if (hot_validate(&in, &out, &he) < 0) {
                _cleanup_free_ char *m = hot_err_str(&he);
                char *e = xasprintf("%s: %s", he.type, m);
                hot_err_clear(&he);
                return e;
        }
        if (ret)
                *ret = out;
        else
                json_decref(out);
        return NULL;
}

#endif
