/*
 * errors: every error body magnum-api sends is built here (spec §1.5), so the shapes live in one
 * place:
 *
 *   - the Magnum envelope {"errors": [{"request_id": "", "code", "status", "title", "detail",
 *     "links": []}]} for errors raised inside the API app, in its two variants:
 *       WSME   (handler errors: res_fail / httpd_resp_error from a matched route):
 *              code "client"/"server", title = detail cut at the first '.', detail = message;
 *       WEBOB  (routing 404/405, microversion 406s, 413...): code "", title = HTTP reason and
 *              detail = the webob detail (null when none) when the request's Accept picks JSON,
 *              otherwise code/title/detail all "";
 *   - the microversion-unsupported 406 entry (max_version/min_version/code/links/title, plus
 *     "description" when Accept picks JSON);
 *   - keystonemiddleware's own bodies: 401 {"error": {...}} + WWW-Authenticate, and 503.
 *
 * The httpd error hook (api_error_hook) routes framework errors here: a status answered through
 * httpd_resp_error() is WEBOB when no route matched or the status is 405/406/413/414/431,
 * WSME otherwise. Handlers therefore just call res_fail()/httpd_resp_error().
 */
#ifndef MC_API_ERRORS_H
#define MC_API_ERRORS_H

#include <jansson.h>
#include <stdbool.h>

#include "common/httpd.h"

enum api_err_kind {
        API_ERR_WSME,         /* a Magnum/WSME fault */
        API_ERR_WEBOB,        /* a plain webob HTTP exception raised by pecan/Magnum */
        API_ERR_MICROVERSION, /* HTTPNotAcceptableAPIVersion */
};

#define API_MIN_VERSION "1.1"
#define API_MAX_VERSION "1.10"
#define API_MAX_MINOR   10

/* The fault title: faultstring up to (not including) the first '.'; the whole string when
 * it has none. Caller frees. */
char *api_error_title(const char *faultstring);

/* Whether pecan would render a webob error as JSON for this Accept header value (NULL =
 * missing = any type): the best of (text/plain, text/html, application/json) by q-value, ties
 * going to the earlier offer, must be application/json. */
bool api_accept_json(const char *accept);

/* THE error body builder. detail may be NULL (webob errors without detail → JSON null).
 * accept_json: api_accept_json() of the request. Returns a new reference. */
json_t *api_error_body(int status, enum api_err_kind kind, const char *detail, bool accept_json);

/* Answers req with api_error_body (Content-Type application/json). Returns 0. */
int api_error(struct httpd_req *req, int status, enum api_err_kind kind, const char *detail);

/* httpd error hook (httpd_hooks.error) for magnum-api. */
void api_error_hook(struct httpd_req *req, int status, const char *detail, void *data);

/* keystonemiddleware's rejection: 401 {"error": {"code": 401, "title": "Unauthorized",
 * "message": "The request you have made requires authentication."}} with
 * `WWW-Authenticate: Keystone uri="<www_authenticate_uri>"`. Returns 0. */
int api_auth_reject(struct httpd_req *req, const char *www_authenticate_uri);
/* keystonemiddleware's 503 when Keystone cannot be reached. Returns 0. */
int api_auth_unavailable(struct httpd_req *req);

#endif
