/*
 * utf8: validation and lossy repair of UTF-8 text, for putting bytes a client sent (paths,
 * query keys, header values) into JSON, which jansson refuses unless they are valid UTF-8.
 */
#ifndef MC_UTF8_H
#define MC_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is valid UTF-8 (no overlongs, surrogates or code points > U+10FFFF). */
bool utf8_valid(const char *s, size_t len);
/* A copy of the NUL-terminated s with every invalid sequence replaced by U+FFFD (caller frees).
 * NULL gives NULL. */
char *utf8_sanitize(const char *s);

#endif
