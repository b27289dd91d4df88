/*
 * policy: Magnum's oslo.policy rules (spec §8.4) with their default check strings, evaluated
 * against the caller's credentials and a target, and overridable by a policy.yaml that maps
 * the same rule names to new check strings.
 *
 * Check-string grammar (oslo): `@` (always), `!` (never), `rule:<name>`, `role:<name>`,
 * `<attr>:<literal | %(target_key)s | True | False>`, `not X`, `X and Y`, `X or Y`, parentheses.
 */
#ifndef MC_API_POLICY_H
#define MC_API_POLICY_H

#include <jansson.h>
#include <stdbool.h>

#include "common/err.h"

struct policy;

/* The caller as oslo.policy sees it. Strings borrowed. */
struct policy_creds {
        const char *user_id;
        const char *project_id;
        const char *domain_id; /* the user's domain */
        const char *const *roles;
        size_t n_roles;
};

/* Loads the defaults, then overrides from `yaml_path` when non-NULL and present (a missing file
 * is not an error; a malformed one is -EINVAL with a message). */
int policy_load(const char *yaml_path, struct policy **ret, struct err *e);
void policy_free(struct policy *p);

/* Evaluates rule `name` (unknown names deny) for creds against target (a JSON object whose
 * string/bool members %(key)s refers to; may be NULL). is_admin is creds' context_is_admin. */
bool policy_check(const struct policy *p, const char *name, const struct policy_creds *creds,
                  const json_t *target);

/* Evaluates a check string directly (tests). -EINVAL when it does not parse. */
int policy_eval_string(const struct policy *p, const char *check, const struct policy_creds *c,
                       const json_t *target, bool *ret);

#endif
