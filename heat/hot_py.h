/*
 * hot_py: the bits of Python semantics Heat's answers depend on, over jansson values:
 * json.dumps(sort_keys=True) byte-for-byte, str() and repr(), float repr, equality
 * (1 == 1.0 == True, 0 == False, "1" != 1) and hashability.
 */
#ifndef MC_HOT_PY_H
#define MC_HOT_PY_H

#include <jansson.h>
#include <stdbool.h>

#include "common/strbuf.h"

/* Appends json.dumps(v, sort_keys=True) (separators ", " / ": ", ensure_ascii). */
void hot_py_json_dumps(struct strbuf *sb, const json_t *v);
/* Appends Python str(v): strings as-is, None/True/False, repr() for containers. */
void hot_py_str(struct strbuf *sb, const json_t *v);
/* Appends Python repr(v) ('quoted' strings, {'k': v} dicts in insertion order). */
void hot_py_repr(struct strbuf *sb, const json_t *v);
/* Appends repr(float) (shortest round-trip, 1e+16 / 1.5e-05 / 2.0). */
void hot_py_float(struct strbuf *sb, double d);
/* Python a == b on the Python values the JSON stands for. */
bool hot_py_eq(const json_t *a, const json_t *b);
/* Python type name (str, int, float, bool, NoneType, list, dict). */
const char *hot_py_type(const json_t *v);
/* A float as a JSON value. JSON (and jansson) cannot hold inf/nan: those become the
 * strings "inf", "-inf", "nan" (Python's str()); never NULL. */
json_t *hot_py_real(double d);
/* Helpers returning malloc'd strings. */
char *hot_py_str_dup(const json_t *v);
char *hot_py_repr_dup(const json_t *v);
char *hot_py_json_dup(const json_t *v);

#endif
