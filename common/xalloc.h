/*
 * Allocators that never return NULL: on exhaustion they log one line and abort, so callers
 * never check. Library constructors (json_object(), PQconnectdb, ...) are still checked.
 */
#ifndef MC_XALLOC_H
#define MC_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows an array to hold at least `need` elements of `size` bytes; *alloc is the capacity. */
void *xgrow(void *p, size_t need, size_t *alloc, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* strdup that passes NULL through. */
char *xstrdup_or_null(const char *s);
/* asprintf that aborts on failure. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define xnew(type, n) ((type *)xcalloc((n), sizeof(type)))

#endif
