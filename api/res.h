/*
 * res: what every Magnum resource handler (api/clustertemplates.c, clusters.c, ...) shares -
 * the application state they run against, the per-request context (caller identity, policy
 * credentials, microversion), and helpers for the steps every handler repeats: reading a JSON
 * body, answering an error through the API's one error renderer (httpd_resp_error → the
 * api error hook, which builds Magnum's envelope), pagination and links, lookups by uuid or
 * name, and RPC casts/calls to the conductor.
 *
 * Resource routes are exported as a table (res_routes) of {method, pattern, min/max
 * microversion, handler}; the API's router registers them.
 */
#ifndef MC_API_RES_H
#define MC_API_RES_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

#include "api/policy.h"
#include "api/respcache.h"
#include "api/schema.h"
#include "common/db.h"
#include "common/err.h"
#include "common/httpd.h"
#include "common/keystone.h"
#include "common/rpc.h"
#include "db/object.h"

#define RES_MAX_MINOR 10

/* One cached answer of the cloud (api/validate.c). */
struct os_cache_entry {
        char *key;
        int status;
        json_t *body;
        int64_t at_ms;
};

struct res_config {
        int max_limit;                 /* [api] max_limit (1000) */
        int max_clusters_per_project;  /* [quotas] max_clusters_per_project (20) */
        int service_down_time;         /* [DEFAULT] service_down_time (180) */
        const char *trustee_domain_id; /* [trust] trustee_domain_id; NULL = unknown */
        const char *disabled_drivers;  /* [drivers] disabled_drivers, comma list */
        /* Cloud endpoints used when the caller's token carries no catalog (noauth). */
        const char *glance_url, *nova_url, *neutron_url;
        bool skip_os_checks; /* do not call Glance/Nova/Neutron at all (tests without a cloud) */
};

struct res_app {
        struct db_pool *pool;
        struct policy *policy;
        struct rpc_opts *rpc;  /* NULL = no RPC (casts answer 503) */
        struct ks_session *ks; /* NULL in noauth */
        struct res_config conf;
        pthread_mutex_t rpc_lock;     /* zero-initialised is a valid unlocked mutex (glibc) */
        struct rpc_client **rpc_idle; /* RPC clients not in use by a request */
        size_t rpc_n, rpc_alloc;
        pthread_mutex_t cache_lock;
        struct os_cache_entry *cache; /* Glance/Nova/Neutron answers, see osclients.c */
        size_t cache_n, cache_alloc;
        struct rcache *respcache; /* GET answers (api/respcache.h); NULL = off */
};

/* The caller of one request. */
struct res_ctx {
        struct httpd_req *req;
        struct res_app *app;
        int minor; /* microversion 1.<minor> */
        const char *user_id, *project_id, *domain_id, *user_name, *project_name;
        const char *auth_token; /* NULL in noauth */
        const char *const *roles;
        size_t n_roles;
        bool is_admin;
        struct policy_creds creds;
        struct ks_token *token; /* borrowed; NULL when not keystone-authenticated */
        struct db_conn *db;     /* this request's connection once res_db took one */
        /* Armed by res_cache_lookup: where res_respond_cacheable stores the answer. */
        const char *cache_key;
        unsigned cache_deps;
        struct rcache_gens cache_gens;
};

typedef int (*res_handler_fn)(struct res_ctx *ctx);

struct res_route {
        const char *method;
        const char *pattern;
        int min_minor, max_minor; /* route only exists for 1.min..1.max (max 0 = latest) */
        res_handler_fn handler;
};

extern const struct res_route res_routes[];
extern const size_t res_routes_count;

/* Frees what the handlers accumulated in app (idle RPC clients, the cloud lookup cache); call
 * after the server stopped. */
void res_app_cleanup(struct res_app *app);

/* The generic httpd handler all resource routes go through: builds the context (identity
 * from the auth middleware, microversion), checks the route's version range (406) and calls
 * the res_route found in `data`. */
int res_dispatch(struct httpd_req *req, void *data);
/* The app every dispatch uses (set once at start-up by the API main). */
void res_set_app(struct res_app *app);

/* Fills ctx from req: identity headers as keystonemiddleware sets them (X-User-Id,
 * X-Project-Id, X-Roles, X-User-Domain-Id, ...), or the validated token the auth middleware
 * stored; microversion from OpenStack-API-Version (missing → 1.1, latest → 1.10). */
int res_ctx_init(struct res_ctx *ctx, struct httpd_req *req, struct res_app *app);

/* Answers an error: status + Magnum message (the error hook renders the envelope). Returns 0. */
int res_fail(struct res_ctx *ctx, int status, const char *fmt, ...) _printf_(3, 4);
/* Answers e's message with `status`. */
int res_fail_err(struct res_ctx *ctx, int status, const struct err *e);
/* Internal failure (500) with the errno logged. */
int res_fail_internal(struct res_ctx *ctx, int r, const struct err *e);

/* Parses the body as JSON: 415 for a non-JSON content type, 400 "Request is not in valid JSON
 * format". Returns 0 with *ret (new ref), or 1 when an error response was sent. An empty
 * body gives *ret = NULL. */
int res_body(struct res_ctx *ctx, json_t **ret);

/* What every create (and the other schema-checked bodies) starts with: no query arguments
 * (400), a JSON body (400 `Missing argument: "<argname>"` when empty; argname NULL = the
 * schema's), parsed and checked against s (400 with its message). 0 with *ret (new
 * reference), 1 when an error was answered. */
int res_parse_body(struct res_ctx *ctx, const struct schema *s, const char *argname, json_t **ret);
/* Enforces `rule` against target (NULL = the caller's own project/user): false → 403
 * "Policy doesn't allow <rule> to be performed." answered, returns 1; allowed → 0. */
int res_enforce(struct res_ctx *ctx, const char *rule, const json_t *target);
bool res_allowed(struct res_ctx *ctx, const char *rule, const json_t *target);

/* Checks every query argument is in `allowed` (NULL-terminated): else 400
 * `Unknown argument: "x"` answered and returns 1. */
int res_check_args(struct res_ctx *ctx, const char *const *allowed);

struct res_page {
        long limit;
        const char *sort_key, *sort_dir, *marker;
        bool desc;
};
/* Reads limit/sort_key/sort_dir/marker with Magnum's rules (400s answered → returns 1).
 * marker_uuid: whether the marker must be uuid-like. */
int res_page_parse(struct res_ctx *ctx, const struct dbo_table *t, bool marker_uuid,
                   struct res_page *ret);
/* Builds {"<coll>": items, "next"?} taking ownership of items. next_path e.g.
 * "clusters/detail"; marker_key = item key holding the marker ("uuid" or "id"). */
json_t *res_collection(struct res_ctx *ctx, const char *coll, json_t *items,
                       const struct res_page *pg, const char *next_path, const char *marker_key,
                       const char *extra_query);

/* Adds "links" [self, bookmark] for <host>/v1/<path> to obj. */
void res_add_links(struct res_ctx *ctx, json_t *obj, const char *path);

/* A database connection for this request (released at request end; the same one on every
 * call within a request). 503 answered → 1. */
int res_db(struct res_ctx *ctx, struct db_conn **ret);

/* Serves a GET from the response cache (api/respcache.h) when it holds this request's answer
 * built from the current state of `deps` (RCACHE_* flags): returns 1, answered. Otherwise
 * returns 0 and, when caching is on, arms ctx so that res_respond_cacheable stores the answer.
 * Call it after the checks that can refuse the request (arguments, policy) and before reading
 * the data. A failure to read the generations only turns caching off for this request. */
int res_cache_lookup(struct res_ctx *ctx, unsigned deps);
/* Answers 200 with j, and stores the body in the response cache when res_cache_lookup armed
 * this request. Returns 0. */
int res_respond_cacheable(struct res_ctx *ctx, const json_t *j);
/* Looks up one row of t by uuid (when ident is uuid-like) or name within the scope q.
 * Errors answered (returns 1): not found → `notfound_status` with "<Kind> <ident> could not be
 * found.", several by name → 409 `dup_msg`. 0 with *ret on success. */
int res_lookup(struct res_ctx *ctx, struct db_conn *c, const struct dbo_table *t,
               const struct dbo_query *scope, const char *ident, const char *kind,
               int notfound_status, const char *dup_msg, json_t **ret);

/* The request context as sent to the conductor (`_context_*` keys). New reference. */
json_t *res_rpc_context(struct res_ctx *ctx);
/* Casts/calls to topic magnum-conductor. Failures answered (503/504/the remote code) → 1. */
int res_cast(struct res_ctx *ctx, const char *method, json_t *args);
int res_call(struct res_ctx *ctx, const char *method, json_t *args, json_t **ret_result);
/* Sets labels_overridden (the parent's value where labels differ), labels_added (keys only in
 * labels) and labels_skipped (parent keys absent from labels) on out, as Magnum shows a
 * cluster against its template and a nodegroup against its cluster. */
void res_labels_diff(json_t *out, const json_t *parent, const json_t *labels);
/* Wraps a row as an oslo versioned-object primitive {"magnum_object.name": ..., data}. */
json_t *res_ovo(const char *name, const char *version, const json_t *data);

/* Generates "<greek>-<n>-<suffix>" names as Magnum's NameGenerator does. Caller frees. */
char *res_random_name(const char *suffix);

/* String form of an integer id, for filters. */
char *res_itoa(long long v);

#endif
