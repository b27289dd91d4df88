/*
 * strbuf: a growable string that knows its length and is never NULL (after STRBUF_INIT its
 * buf points at a shared empty string). Modelled on git's strbuf.
 *
 *   _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
 *   strbuf_addf(&sb, "%s/v1/%s", host, coll);
 *   return strbuf_detach(&sb, NULL);      // caller owns the returned string
 */
#ifndef MC_STRBUF_H
#define MC_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct strbuf {
        size_t alloc;
        size_t len;
        char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT                                                                                \
        {                                                                                          \
                .alloc = 0, .len = 0, .buf = strbuf_slopbuf                                        \
        }

void strbuf_init(struct strbuf *sb, size_t hint);
/* Frees the buffer and re-initialises sb; safe on an initialised empty strbuf. */
void strbuf_release(struct strbuf *sb);
/* Returns the buffer (always a malloc'd NUL-terminated string, owned by the caller) and
 * re-initialises sb. *ret_len gets the length when non-NULL. */
char *strbuf_detach(struct strbuf *sb, size_t *ret_len);
/* Ensures room for `extra` more bytes plus the NUL. */
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Appends s percent-encoded as a URL query/path component (RFC 3986 unreserved kept). */
void strbuf_add_urlencoded(struct strbuf *sb, const char *s);

/* Removes leading/trailing ASCII whitespace. */
void strbuf_trim(struct strbuf *sb);
bool strbuf_starts_with(const struct strbuf *sb, const char *prefix);

static inline void strbuf_releasep(struct strbuf *sb)
{
        strbuf_release(sb);
}
#define _cleanup_strbuf_ __attribute__((cleanup(strbuf_releasep)))

/* Plain C-string helpers that belong nowhere else. */
bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
/* Parses a whole string as a base-10 long long in [min, max]; -EINVAL / -ERANGE on failure. */
int str_to_ll(const char *s, long long min, long long max, long long *ret);

#endif
