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

#include "heat/hot.h"
#include "heat/hot_err.h"

#define HOT_YAML_MAX_DEPTH 128
#define HOT_YAML_MAX_NODES 2000000

#define HOT_DOC_CACHE_MAX_DOCS  1024
#define HOT_DOC_CACHE_MAX_BYTES (64 * 1024 * 1024)

/* Parses buf[0..len) as one JSON or YAML document into *ret (new reference; an empty
 * document gives JSON null). Errors (he->type "ValueError"): `Error parsing template
 * <what> <yaml message>`, nesting/node limits. `what` names the document in messages
 * (Heat says "[root stack]" for the root template). */
int hot_yaml_load(const char *buf, size_t len, const char *what, json_t **ret, struct hot_err *he);

/* As hot_yaml_load, through a document cache (may be NULL: plain hot_yaml_load). A text
 * parsed before through the same cache gives the same tree again (new reference, shared:
 * callers never modify a loaded document). Only successful parses are cached, so an error
 * names `what` of the current call. The cache keeps at most HOT_DOC_CACHE_MAX_DOCS texts
 * of HOT_DOC_CACHE_MAX_BYTES in all; beyond that documents are parsed without caching. */
int hot_yaml_load_cached(struct hot_doc_cache *c, const char *buf, size_t len, const char *what,
                         json_t **ret, struct hot_err *he);

/* Applies PyYAML's YAML 1.1 implicit typing to one plain scalar; new reference. */
json_t *hot_yaml_plain_scalar(const char *s, size_t len);

#endif
