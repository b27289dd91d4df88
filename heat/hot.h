/*
 * hot: the embedded Heat engine's template language (part 1). Takes a template, environment
 * files and a files map and answers what Heat 19's template-validate API answers, or resolves
 * parameters, conditions, resource definitions and outputs (attributes from a fixture).
 *
 *   struct hot_input in = {.tmpl_path = "kubecluster.yaml", .env_paths = envs, .n_env = 2};
 *   json_t *out; struct hot_err he = HOT_ERR_INIT;
 *   if (hot_validate(&in, &out, &he) < 0) ... he.type, hot_err_str(&he) ...
 */
#ifndef MC_HOT_H
#define MC_HOT_H

#include <jansson.h>
#include <stddef.h>

#include "heat/hot_err.h"

#define HOT_MAX_TEMPLATE_SIZE 524288
#define HOT_MAX_RESOURCES     1000

struct hot_input {
        const char *tmpl_path; /* file to read (relative paths resolve against its dir) */
        const char *tmpl_text; /* or the text itself (then tmpl_path may name it) */
        size_t tmpl_len;
        const char *const *env_paths; /* environment files, merged in order */
        size_t n_env;
        json_t *files;          /* FILES.json map (borrowed), may be NULL */
        json_t *params;         /* -P name=value (strings; borrowed), may be NULL */
        json_t *attrs;          /* resolve: ATTRS.json fixture (borrowed), may be NULL */
        const char *stack_name; /* default "dummy" for validate, "stack" for resolve */
        json_t *file_cache;     /* optional caller-owned {path: content} cache of files
                                       * read from disk (templates, env files, get_file);
                                       * reused across calls, e.g. for nested stacks */
};

/* Heat's template-validate: on success *ret = {"ok": true, "version", "description",
 * "parameters" [, "parameter_groups"]}; on failure -EINVAL and he = exception class +
 * message. -ENOENT / -EIO when an input file cannot be read (he->type "IOError"). */
int hot_validate(const struct hot_input *in, json_t **ret, struct hot_err *he);

/* Validates, then resolves: *ret = {"parameters", "conditions", "resources", "outputs"}. */
int hot_resolve(const struct hot_input *in, json_t **ret, struct hot_err *he);

/* Reads a whole file (limit HOT_MAX_TEMPLATE_SIZE * 4) into a malloc'd NUL-terminated buffer. */
int hot_read_file(const char *path, char **ret, size_t *ret_len);

#endif
