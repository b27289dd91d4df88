/*
 * hot_regex: a small backtracking regex engine for Heat's allowed_pattern, with Python `re`
 * semantics for the subset templates use: literals and escapes, `.`, classes `[...]` with
 * ranges/negation and \d \w \s \D \W \S, anchors ^ $ \A \Z \b \B, groups ( ) (?: ) (?P<n> ),
 * lookahead (?= ) (?! ), alternation, greedy and lazy * + ? {m} {m,} {m,n}. Matching works
 * on UTF-8 code points; \w/\d/\s are ASCII plus "any non-ASCII letter" approximations.
 * Not supported (compile error): backreferences, lookbehind, inline flags, conditionals.
 */
#ifndef MC_HOT_REGEX_H
#define MC_HOT_REGEX_H

#include <stdbool.h>
#include <stddef.h>

struct hot_regex;

/* Compiles pattern; -EINVAL with *ret_msg (malloc'd) on unsupported/invalid syntax. */
int hot_regex_compile(const char *pattern, struct hot_regex **ret, char **ret_msg);
void hot_regex_free(struct hot_regex *re);
/* Python re.match(pattern, s): anchored at 0; on a match *ret_end is the byte offset where
 * the (first, by backtracking priority) match ends. Returns 1 match, 0 no match, -E2BIG when
 * the step budget is exhausted. */
int hot_regex_match(const struct hot_regex *re, const char *s, size_t len, size_t *ret_end);
/* re.match + match.end() == len(s), as Heat's allowed_pattern check; false on errors. */
bool hot_regex_fullmatch_py(const char *pattern, const char *s, size_t len, int *ret_err);

#endif
