/*
 * router: assembles magnum-api's httpd route table from
 *   - the API-level routes owned here: GET / and /v1 (root.c), /healthcheck (root.c),
 *     GET /v1/mservices (mservices.c);
 *   - every resource route in res_routes (routes.c), each registered with res_dispatch as the
 *     handler and the res_route entry as its data (res_dispatch checks the route's microversion
 *     range and builds the res_ctx).
 *
 * HOW TO ADD A RESOURCE: write api/<resource>.c with `int <x>_h_<op>(struct res_ctx *ctx)`
 * handlers, declare them in api/resources.h and add one line per route to res_routes in
 * api/routes.c ({method, pattern, min_minor, max_minor, handler}). Nothing here changes.
 * Patterns use httpd's syntax ("/v1/clusters/{id}"); a trailing '/' on requests is ignored
 * and literal segments ("detail") win over "{id}". The middleware (middleware.c) has already
 * authenticated the caller, set the identity headers and the microversion before a handler
 * runs; errors go through res_fail → errors.c, which builds Magnum's envelope.
 */
#ifndef MC_API_ROUTER_H
#define MC_API_ROUTER_H

#include <stddef.h>

#include "api/res.h"
#include "common/httpd.h"

/* Options root.c and mservices.c need (frozen at start-up). */
struct api_router_opts {
        const char *healthcheck_disable_file; /* 503 "DISABLED BY FILE" when it exists */
        int service_down_time;                /* seconds, for mservices state */
};

/* Builds the full table (caller frees the array; entries point to static data). The opts are
 * borrowed and must outlive the server. */
struct httpd_route *api_routes_build(const struct api_router_opts *o, size_t *ret_n);

/* root.c */
int api_h_root(struct httpd_req *req, void *data);
int api_h_v1(struct httpd_req *req, void *data);
int api_h_healthcheck(struct httpd_req *req, void *data);
/* The documents themselves (new references), for tests. host_url e.g. "http://h:9511". */
json_t *api_root_doc(const char *host_url);
json_t *api_v1_doc(const char *host_url);

/* mservices.c */
int ms_h_list(struct res_ctx *ctx);
/* "up" / "down" for a service row at `now_us` (spec §7). */
const char *ms_state(bool forced_down, int64_t last_seen_up, int64_t updated_at, int64_t created_at,
                     int64_t now_us, int service_down_time);
void ms_set_down_time(int seconds);

#endif
