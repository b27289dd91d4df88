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

/* Parsed template / environment documents shared between calls that belong together: a stack
 * and its nested stacks in one operation, where the same environment files and child
 * templates come up again and again. Keyed by the exact text, so a changed file is parsed
 * anew. Documents in the cache are never modified; a result of hot_validate / hot_resolve
 * may share values with them, so callers must not modify results in place either. */
struct hot_doc_cache;

/* An empty cache; free with hot_doc_cache_free (accepts NULL, returns NULL). */
struct hot_doc_cache *hot_doc_cache_new(void);
struct hot_doc_cache *hot_doc_cache_free(struct hot_doc_cache *c);

/* Optional time spent per phase (seconds, CLOCK_MONOTONIC), added to by hot_validate and
 * hot_resolve; for benchmarks. */
struct hot_stats {
        double parse;    /* YAML/JSON text -> documents (templates, environments, children) */
        double validate; /* the rest of validation: environment, parameters, conditions,
                          * resources, outputs */
        double resolve;  /* hot_resolve after validation: values, properties, outputs,
                          * freeing the stack */
};

struct hot_input {
        const char *tmpl_path; /* file to read (relative paths resolve against its dir) */
        const char *tmpl_text; /* or the text itself (then tmpl_path may name it) */
        size_t tmpl_len;
        const char *const *env_paths; /* environment files, merged in order */
        size_t n_env;
        json_t *files;                   /* FILES.json map (borrowed), may be NULL */
        json_t *params;                  /* -P name=value (strings; borrowed), may be NULL */
        json_t *attrs;                   /* resolve: ATTRS.json fixture (borrowed), may be NULL */
        const char *stack_name;          /* default "dummy" for validate, "stack" for resolve */
        json_t *file_cache;              /* optional caller-owned {path: content} cache of files
                                       * read from disk (templates, env files, get_file);
                                       * reused across calls, e.g. for nested stacks */
        struct hot_doc_cache *doc_cache; /* optional, caller-owned (see above) */
        struct hot_stats *stats;         /* optional, caller-owned */
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
