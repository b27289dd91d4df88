/*
 * keystone: a Keystone v3 client for our services.
 *
 *   - ks_password_auth(): password authentication (user + project, each by name+domain or id;
 *     or scoped to a trust) → a token with its expiry, roles and service catalog;
 *   - ks_catalog_url(): endpoint lookup by service type / interface / region;
 *   - struct ks_session: a service's own identity ([keystone_authtoken] username/password/...):
 *     its token is fetched lazily and renewed before it expires; it validates users' tokens
 *     (GET /v3/auth/tokens, X-Auth-Token = service token, X-Subject-Token = user token) with a
 *     thread-safe cache (valid tokens until expiry, bounded size; invalid ones briefly).
 *
 * A `struct ks_token` is immutable once built and reference-counted, so the cache can hand
 * the same object to many threads: take it with ks_token_ref, drop it with ks_token_unref.
 * Never log `token->id` (it is a bearer secret).
 */
#ifndef MC_KEYSTONE_H
#define MC_KEYSTONE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Password credentials. Strings are borrowed. */
struct ks_auth {
        const char *auth_url; /* "http://127.0.0.1:5000/v3" or ".../v3/" or without "/v3" */
        const char *username;
        const char *user_id; /* alternative to username */
        const char *password;
        const char *user_domain_name; /* NULL and no user_domain_id → "Default" */
        const char *user_domain_id;
        const char *project_name; /* scope; NULL project_name/id and NULL trust = unscoped */
        const char *project_id;
        const char *project_domain_name; /* NULL and no project_domain_id → "Default" */
        const char *project_domain_id;
        const char *trust_id; /* scope to a trust instead of a project */
        const char *ca_file;  /* for https auth_url */
        long timeout_ms;      /* 0 = 30 s */
};

struct ks_endpoint {
        char *service_type; /* "container-infra" */
        char *service_name; /* "magnum" (may be NULL) */
        char *interface;    /* "public" | "internal" | "admin" */
        char *region;       /* region_id, may be NULL */
        char *url;
};

struct ks_token {
        int refs; /* managed by ks_token_ref / ks_token_unref */
        char *id; /* the token itself (secret) */
        int64_t expires_at_us;
        int64_t issued_at_us;
        char *user_id, *user_name, *user_domain_id, *user_domain_name;
        /* NULL when the token is not project-scoped */
        char *project_id, *project_name, *project_domain_id, *project_domain_name;
        char *domain_id, *domain_name; /* domain-scoped tokens */
        char **roles;                  /* role names */
        size_t n_roles;
        bool is_admin; /* has role "admin" (Magnum's context_is_admin) */
        /* OS-TRUST:trust section, when the token was obtained through a trust. */
        char *trust_id, *trustee_user_id, *trustor_user_id;
        struct ks_endpoint *catalog; /* empty when the token has no catalog */
        size_t n_catalog;
};

/* Builds a token from the body of POST/GET /v3/auth/tokens (`{"token": {...}}`) and the
 * X-Subject-Token value `id` (copied; may be NULL). -EINVAL (message says what) when the body
 * lacks token/expires_at/user. On success *ret holds one reference. */
int ks_token_parse(const char *id, const json_t *body, struct ks_token **ret, struct err *e);
struct ks_token *ks_token_ref(struct ks_token *t);
/* Drops a reference; frees at zero. NULL is ok. */
void ks_token_unref(struct ks_token *t);
/* True when t has role `role` (case-insensitive, as oslo.policy compares). */
bool ks_token_has_role(const struct ks_token *t, const char *role);

/* Finds the URL for service_type + interface ("public" when NULL) + region (any when NULL)
 * in the token's catalog. -ENOENT when absent. *ret_url is a new string. */
int ks_catalog_url(const struct ks_token *t, const char *service_type, const char *interface,
                   const char *region, char **ret_url);

/* POST /v3/auth/tokens with a password (or trust) method. Errors: -EACCES wrong credentials
 * (401), -EPERM forbidden scope (403), -ENOENT 404, transport errors as http_perform,
 * -EBADMSG unparsable answer. On success *ret holds one reference (with catalog). */
int ks_password_auth(const struct ks_auth *a, struct ks_token **ret, struct err *e);

struct ks_session;

struct ks_session_opts {
        struct ks_auth auth; /* the service's own credentials; strings copied */
        size_t cache_max;    /* 0 = 1000 entries; the least recently used is evicted */
        int invalid_ttl_s;   /* how long a rejected token stays rejected; 0 = 30 */
        int renew_margin_s;  /* renew the service token this long before expiry; 0 = 300 */
        int max_cache_ttl_s; /* cap on how long a valid token is trusted; 0 = 300 */
};

/* Creates a session; no network traffic until first use. */
int ks_session_new(const struct ks_session_opts *o, struct ks_session **ret, struct err *e);
void ks_session_free(struct ks_session *s);

/* The service's own token (authenticating or renewing when it expires within renew_margin_s).
 * On success *ret holds a reference. Errors as ks_password_auth. */
int ks_session_token(struct ks_session *s, struct ks_token **ret, struct err *e);
/* Endpoint URL from the service token's catalog (see ks_catalog_url). */
int ks_session_endpoint(struct ks_session *s, const char *service_type, const char *interface,
                        const char *region, char **ret_url, struct err *e);

/* Validates a user's token (cache first). 0 with *ret (a reference) when valid; -EACCES when
 * Keystone says it is invalid or expired (answer 401); -EAGAIN when Keystone could not be
 * asked or answered 5xx (answer 503); -EINVAL for an empty / oversized token. Thread-safe. */
int ks_validate(struct ks_session *s, const char *subject_token, struct ks_token **ret,
                struct err *e);
/* Forgets every cached validation (tests, and after a role change). */
void ks_cache_clear(struct ks_session *s);

#endif
