/*
 * middleware: what runs for every magnum-api request before a resource handler, in the order
 * of Magnum's paste pipeline (spec §1.1-1.2):
 *
 *   1. healthcheck    /healthcheck is answered by its route, outside auth and versions;
 *   2. authtoken      unless the path is public ("/", "/v1", with optional ".json"):
 *                     keystone: X-Auth-Token validated through the ks_session (cached); missing
 *                     or invalid → keystonemiddleware's 401; Keystone down → 503. Client-sent
 *                     identity headers are dropped and X-User-Id, X-User-Name, X-User-Domain-Id,
 *                     X-User-Domain-Name, X-Project-Id, X-Project-Name, X-Project-Domain-Id,
 *                     X-Project-Domain-Name, X-Domain-Id, X-Domain-Name, X-Roles,
 *                     X-Identity-Status, X-Trust-Id, X-Trustee-Id are set from the token
 *                     (httpd_req_set_header), so handlers read the identity from headers as
 *                     Magnum's ContextHook does; the token itself is the request's ctx
 *                     (api_req_token);
 *                     noauth: headers are taken as sent; missing X-User-Id / X-Project-Id /
 *                     X-Roles default to "noauth-user" / "noauth-project" / "admin" (the caller
 *                     is trusted, as with a pipeline without authtoken in a test cloud);
 *   3. root routing   a first path segment other than "v1" is re-routed under /v1;
 *   4. microversions  for /v1...: OpenStack-API-Version parsed (missing → 1.1, latest → 1.10),
 *                     the Minimum/Maximum/Version/Vary response headers set, 406s answered.
 *
 * Route tables are in routes.c.
 */
#ifndef MC_API_MIDDLEWARE_H
#define MC_API_MIDDLEWARE_H

#include <stdbool.h>

#include "common/httpd.h"
#include "common/keystone.h"

enum api_auth_strategy { API_AUTH_KEYSTONE, API_AUTH_NOAUTH };

/* Frozen at start-up; the hooks' data. */
struct api_mw {
        enum api_auth_strategy auth;
        struct ks_session *ks;            /* keystone mode */
        const char *www_authenticate_uri; /* for WWW-Authenticate */
};

/* Result of parsing an OpenStack-API-Version header. */
enum api_version_status {
        API_VERSION_OK,
        API_VERSION_BAD_SERVICE, /* 406 "Invalid service type for OpenStack-API-Version header" */
        API_VERSION_BAD_VALUE,   /* 406 "Invalid value for OpenStack-API-Version header" */
        API_VERSION_MAJOR,       /* major != 1: microversion 406 "Mutually exclusive ..." */
        API_VERSION_RANGE,       /* minor outside 1..10: microversion 406 */
};

struct api_version {
        long long major, minor;
};

/* Parses the header value (NULL = absent → 1.1) as Magnum's Version.parse_headers does, then
 * checks the supported range. *ret is set whenever the value parsed (also for MAJOR/RANGE). */
enum api_version_status api_version_parse(const char *value, struct api_version *ret);

/* The 406 message for a status other than OK (the version is needed for MAJOR/RANGE). Caller
 * frees. */
char *api_version_message(enum api_version_status st, const struct api_version *v);

/* True for the paths keystonemiddleware lets through unauthenticated. */
bool api_path_is_public(const char *path);

/* httpd before_route hook: steps 2-4 above. data = struct api_mw. */
int api_mw_before_route(struct httpd_req *req, void *data);

/* The validated Keystone token of this request (keystone mode), NULL otherwise. Borrowed for
 * the request's lifetime. */
struct ks_token *api_req_token(const struct httpd_req *req);

/* The microversion minor the request asked for (1 when absent). Valid after the hook ran. */
int api_req_minor(const struct httpd_req *req);

/* Checks that req has no query arguments other than `allowed` (NULL-terminated, may be NULL):
 * else answers 400 `Unknown argument: "x"` (WSME) and returns 1; 0 when fine. */
int api_check_args(struct httpd_req *req, const char *const *allowed);

#endif
