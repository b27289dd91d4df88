/*
 * hot_yaml: loads template / environment text into jansson values the way Heat's loader does:
 * JSON first (no YAML typing), else YAML through libyaml with PyYAML's YAML 1.1 implicit
 * resolvers for plain scalars (yes/on -> true, 0755 -> 493, 1:30 -> 90, 1e3 stays a string,
 * timestamps stay strings), merge keys, anchors/aliases, duplicate keys (last wins).
 * Limits: input size, nesting depth and total node count (alias bombs).
 */
#ifndef MC_HOT_YAML_H
#define MC_HOT_YAML_H

#include <jansson.h>
#include <stddef.h>

#include "heat/hot_err.h"

#define HOT_YAML_MAX_DEPTH 128
#define HOT_YAML_MAX_NODES 2000000

/* Parses buf[0..len) as one JSON or YAML document into *ret (new reference; an empty
 * document gives JSON null). Errors (he->type "ValueError"): `Error parsing template
 * <what> <yaml message>`, nesting/node limits. `what` names the document in messages
 * (Heat says "[root stack]" for the root template). */
int hot_yaml_load(const char *buf, size_t len, const char *what, json_t **ret, struct hot_err *he);

/* Applies PyYAML's YAML 1.1 implicit typing to one plain scalar; new reference. */
json_t *hot_yaml_plain_scalar(const char *s, size_t len);

#endif
