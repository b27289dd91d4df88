/*
 * jansson helpers: a cleanup type, parsing with limits on size and nesting (every body a user
 * sends goes through json_parse_limited), and dumping into strbufs.
 */
#ifndef MC_JSON_UTIL_H
#define MC_JSON_UTIL_H

#include <jansson.h>
#include <stdbool.h>

#include "common/err.h"
#include "common/strbuf.h"

/* jansson >= 2.11 provides json_auto_t (a json_t * released at scope exit). */

#define JSON_DEFAULT_MAX_BYTES (1024 * 1024)
#define JSON_DEFAULT_MAX_DEPTH 64

/* Parses exactly one JSON value (any type) from buf[0..len). Errors:
 * -EFBIG longer than max_bytes, -ELOOP nested deeper than max_depth, -EINVAL not JSON
 * (message "line L column C: <reason>"). On success *ret holds a new reference. */
int json_parse_limited(const char *buf, size_t len, size_t max_bytes, int max_depth, json_t **ret,
                       struct err *e);

/* Compact serialisation (no spaces), keys in insertion order. Caller frees. */
char *json_dump_compact(const json_t *j);
/* Appends the serialisation to sb with jansson `flags`. */
void json_dump_strbuf(struct strbuf *sb, const json_t *j, size_t flags);

/* Typed lookups that return NULL / the default on absence or wrong type. */
const char *json_get_str(const json_t *obj, const char *key);
long long json_get_int(const json_t *obj, const char *key, long long def);
bool json_get_bool(const json_t *obj, const char *key, bool def);

/* json_string() of a possibly-NULL C string: NULL → json null. Never returns NULL. */
json_t *json_string_or_null(const char *s);
/* Aborts (as xmalloc does) when jansson cannot allocate. */
json_t *json_checked(json_t *j);

#endif
