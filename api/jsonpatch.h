/*
 * jsonpatch: Magnum's flavour of RFC 6902 for PATCH bodies - the body must be a list of
 * {op: add|replace|remove, path: "/a[/b..]", value: str|int|bool|null}; paths a resource marks
 * internal can never be touched, mandatory ones never removed; `add` on a root attribute needs
 * the attribute to exist and be null; `replace` of /labels or /health_status_reason with a
 * string parses it as a Python literal (magnumclient sends str(dict)).
 */
#ifndef MC_API_JSONPATCH_H
#define MC_API_JSONPATCH_H

#include <jansson.h>

#include "common/err.h"

struct patch_rules {
        const char *const *internal;     /* NULL-terminated "/x" paths that can't be updated */
        const char *const *nonremovable; /* NULL-terminated "/x" paths that can't be removed */
};

/* Validates the shape of a patch body (list of well-formed operations, internal / mandatory /
 * value rules). -EINVAL with Magnum's 400 message. */
int jsonpatch_validate(const json_t *patch, const struct patch_rules *rules, struct err *e);

/* Applies a validated patch to a copy of doc; *ret gets the patched document (new reference).
 * -EINVAL with "Couldn't apply patch '...'. Reason: ..." or the root-add messages. */
int jsonpatch_apply(const json_t *doc, const json_t *patch, json_t **ret, struct err *e);

/* Parses a Python literal dict/list/str/int/float/bool/None (as ast.literal_eval would) into
 * JSON. -EINVAL when malformed (message = Python's complaint, approximately). */
int pyliteral_parse(const char *s, json_t **ret, struct err *e);

#endif
