/*
 * Logging: one line per event on stderr, `key=value`, always carrying the program name and the
 * current request id. The request id is per thread: a worker sets it when it starts handling a
 * request or RPC message (log_set_request_id) and clears it when done, so every line it writes
 * in between can be matched across api and conductor.
 *
 *   log_info("event=cluster_create cluster=%s", uuid);
 *   return log_error_errno(r, "event=db_connect_failed");   // returns r (a -errno)
 *
 * Never log secrets (passwords, private keys, tokens).
 */
#ifndef MC_LOG_H
#define MC_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_DEBUG, LOG_LVL_INFO, LOG_LVL_WARN, LOG_LVL_ERROR };

/* Set once at start-up, before threads exist. */
void log_setup(const char *program, enum log_level level);
/* Parses "debug" / "info" / "warning" / "error"; -EINVAL on anything else. */
int log_level_from_string(const char *s, enum log_level *ret);

/* The calling thread's request id (NULL clears it). The string is copied. */
void log_set_request_id(const char *req_id);
/* The calling thread's request id, or "-" when none. Valid until the next set. */
const char *log_request_id(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap);
/* Logs at error level with err=<strerror(-r)> appended and returns r (expected negative). */
int log_errno(enum log_level level, int r, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int log_level_enabled(enum log_level level);

#define log_debug(...)          log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
#define log_info(...)           log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_warn(...)           log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_error(...)          log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_error_errno(r, ...) log_errno(LOG_LVL_ERROR, (r), __VA_ARGS__)
#define log_warn_errno(r, ...)  log_errno(LOG_LVL_WARN, (r), __VA_ARGS__)
#define log_debug_errno(r, ...) log_errno(LOG_LVL_DEBUG, (r), __VA_ARGS__)

#endif
