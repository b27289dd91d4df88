/*
 * hot_internal: the state shared by the template modules (template, functions, parameters,
 * conditions, validator, resolver). Not a public interface: callers use heat/hot.h.
 */
#ifndef MC_HOT_INTERNAL_H
#define MC_HOT_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "common/strbuf.h"
#include "heat/hot.h"
#include "heat/hot_err.h"

/* Template dialects. HOT versions are indexed 0..10 in date order. */
enum {
        HOT_V20130523,
        HOT_V20141016,
        HOT_V20150430,
        HOT_V20151015,
        HOT_V20160408,
        HOT_V20161014,
        HOT_V20170224,
        HOT_V20170901,
        HOT_V20180302,
        HOT_V20180831,
        HOT_V20210416,
        HOT_N_VERSIONS
};
enum { HOT_KIND_HOT, HOT_KIND_CFN_AWS, HOT_KIND_CFN_HEAT };

struct hot_version {
        int kind;
        int idx;         /* HOT index, or 0 for CFN */
        const char *key; /* heat_template_version / AWSTemplateFormatVersion / ... */
        const char *date;
        const char *alias; /* NULL when none */
};

enum hot_ptype { PT_STRING, PT_NUMBER, PT_LIST, PT_JSON, PT_BOOLEAN };

struct hot_param {
        char *name;
        enum hot_ptype type;
        json_t *schema; /* the raw definition (borrowed from the template) */
        json_t *user;   /* user value (raw), or NULL */
        json_t *def;    /* default (raw; after parameter_defaults), or NULL */
        json_t *value;  /* typed value cache, or NULL */
        bool hidden;
        bool pseudo;
};

struct hot_stack;

/* Evaluation modes. */
enum hot_mode {
        HM_VALIDATE, /* parse + validate hooks: no values needed */
        HM_RESOLVE,  /* compute values */
};

struct hot_ev {
        struct hot_stack *s;
        enum hot_mode mode;
        bool cond;            /* condition context */
        struct strbuf *path;  /* Heat parse path ("resources.r.properties.x") */
        json_t *deps;         /* when non-NULL: object of referenced resource names */
        const char *dep_path; /* "r.Properties" for InvalidTemplateReference messages */
        bool ifs_only;        /* HM_VALIDATE: only expand `if` macros (Heat's parse order) */
};

struct hot_func;
typedef int (*hot_func_fn)(struct hot_ev *ev, const struct hot_func *f, json_t *args, json_t **ret,
                           struct hot_err *he);

struct hot_func {
        const char *name;
        int kind_mask; /* 1 HOT, 2 CFN AWS, 4 CFN Heat */
        int from, to;  /* HOT version range (inclusive) */
        int where;     /* 1 normal, 2 condition context, 3 both */
        int variant;
        hot_func_fn check;   /* HM_VALIDATE: constructor + validate() checks; may be NULL */
        hot_func_fn resolve; /* HM_RESOLVE */
        bool removed;
        bool macro; /* sees raw (unparsed) args: if */
};

struct hot_stack {
        json_t *tmpl;
        const struct hot_version *ver;
        struct hot_env_set *env; /* merged environment (borrowed) */
        json_t *files;           /* borrowed */
        const char *base_dir;
        struct hot_param *params;
        size_t n_params;
        unsigned *param_slots; /* open-addressing index into params (i + 1; 0 empty) */
        size_t param_mask;
        json_t *cond_defs; /* borrowed */
        json_t *cond_vals; /* name -> bool */
        json_t *cond_busy; /* names under evaluation (cycle detection) */
        json_t *resources; /* raw section (borrowed) */
        json_t *enabled;   /* name -> bool for every declared resource */
        json_t *types;     /* name -> resolved type string */
        json_t *graph;     /* name -> {dependency: true} found by validation (references in
                            * properties and metadata, enabled depends_on) */
        json_t *attrs;     /* fixture (borrowed), may be NULL */
        char *stack_name, *stack_id, *project_id;
        json_t *absent;             /* sentinel for the 2-arg `if` */
        json_t *filecache;          /* path -> content read from disk */
        struct hot_doc_cache *docs; /* parsed documents (borrowed), may be NULL */
        struct hot_stats *stats;    /* phase times (borrowed), may be NULL */
        int depth;
        bool check_values; /* check given parameter values against their constraints
                            * (create/preview/resolve); template-validate does not */
};

/* Section / key names per dialect. */
const char *hot_sec(const struct hot_stack *s, int which);
enum {
        SEC_PARAMS,
        SEC_RESOURCES,
        SEC_OUTPUTS,
        SEC_CONDITIONS,
        SEC_DESCRIPTION,
        SEC_TYPE,
        SEC_PROPS,
        SEC_METADATA,
        SEC_DEPENDS,
        SEC_VALUE,
        SEC_CONDITION
};

/* ---- functions (hot_func.c) ---- */
/* Finds the function named `name` for the stack's version in a normal/condition context. */
const struct hot_func *hot_func_find(const struct hot_stack *s, const char *name, bool cond);
/* Evaluates (HM_RESOLVE: returns the value; HM_VALIDATE: walks, *ret = NULL or a
 * placeholder) any snippet. The path is extended and restored. */
int hot_eval(struct hot_ev *ev, json_t *node, json_t **ret, struct hot_err *he);
/* Evaluates a condition expression (name, bool, or condition function) to a bool. */
int hot_cond_eval(struct hot_ev *ev, json_t *node, bool *ret, struct hot_err *he);
/* Resolves the named condition (cached); errors as Heat's Conditions. */
int hot_cond_named(struct hot_stack *s, const char *name, bool *ret, struct hot_err *he);
/* Makes an error raised at the current path: StackValidationFailed(path=<path>.<fn>). */
int hot_fn_err(struct hot_ev *ev, const struct hot_func *f, struct hot_err *he, const char *fmt,
               ...) __attribute__((format(printf, 4, 5)));

/* ---- parameters (hot_param.c) ---- */
int hot_params_init(struct hot_stack *s, json_t *user, json_t *defaults, bool validate_values,
                    struct hot_err *he);
void hot_params_free(struct hot_stack *s);
struct hot_param *hot_param_find(struct hot_stack *s, const char *name);
/* Typed value (borrowed), UserParameterMissing when none. */
int hot_param_value(struct hot_stack *s, struct hot_param *p, json_t **ret, struct hot_err *he);
/* Converts + validates a value for a parameter definition; new ref in *ret. */
int hot_param_convert(const struct hot_stack *s, const char *name, enum hot_ptype type,
                      json_t *schema, json_t *raw, bool check_custom, json_t **ret,
                      struct hot_err *he);
int hot_ptype_parse(const char *t, enum hot_ptype *ret);
/* Template-validate style description of one parameter. */
json_t *hot_param_describe(struct hot_stack *s, struct hot_param *p);
int hot_param_groups_validate(struct hot_stack *s, struct hot_err *he);

/* ---- stack (hot_stack.c) ---- */
/* get_file / template lookup: files map first, then a file relative to the template's
 * directory (cached). NULL when absent. */
json_t *hot_stack_file(struct hot_stack *s, const char *key); /* borrowed JSON string */

/* ---- yaql subset (hot_yaql.c) ---- */
int hot_yaql_eval(const char *expr, json_t *data, json_t **ret, struct hot_err *he);

#endif
