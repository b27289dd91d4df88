/*
 * hot_err: the error a Heat user would see. Heat raises Python exceptions whose class name
 * (StackValidationFailed, InvalidTemplateVersion, ...) and str() reach the client; we carry
 * both. StackValidationFailed-style errors are kept as (error, path, message) so that callers
 * can prefix a path exactly as Heat re-raises with a longer path.
 */
#ifndef MC_HOT_ERR_H
#define MC_HOT_ERR_H

#include <jansson.h>
#include <stdbool.h>

struct hot_err {
        const char *type; /* exception class name (static string); NULL = no error */
        char *error;      /* StackValidationFailed "error" part ("Property error"), or NULL */
        json_t *path;     /* array of path items (strings / ints), never NULL when set */
        char *message;    /* the message part */
        bool resolve;     /* raised while resolving (not by parse/validate hooks) */
};
#define HOT_ERR_INIT                                                                               \
        {                                                                                          \
                NULL, NULL, NULL, NULL, false                                                      \
        }

/* Sets a plain error: type + message (no error prefix, empty path). Returns -EINVAL. */
int hot_err_set(struct hot_err *he, const char *type, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Sets a StackValidationFailed with an optional error prefix and a path given as a
 * NULL-terminated list of strings. Returns -EINVAL. */
int hot_err_svf(struct hot_err *he, const char *error, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Prepends path items (strings) in front of the current path; no-op when no error. */
void hot_err_prefix(struct hot_err *he, const char *item);
/* Prepends several items, first one outermost. */
void hot_err_prefix_n(struct hot_err *he, const char *const *items, size_t n);
/* Sets the error prefix ("Property error") when none is set yet. */
void hot_err_set_error(struct hot_err *he, const char *error);
/* The str() of the exception as Heat prints it; caller frees. */
char *hot_err_str(const struct hot_err *he);
void hot_err_clear(struct hot_err *he);
static inline void hot_err_clearp(struct hot_err *he)
{
        hot_err_clear(he);
}
#define _cleanup_hot_err_ __attribute__((cleanup(hot_err_clearp)))

#endif
