/* key=value logging with per-thread request ids: see log.h. */
#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/strbuf.h"

/* Frozen after log_setup(), before any thread starts. */
static const char *log_program = "magnum";
static enum log_level log_min_level = LOG_LVL_INFO;

static __thread char thread_req_id[64];

static const char *const level_names[] = {"debug", "info", "warning", "error"};

void log_setup(const char *program, enum log_level level)
{
        log_program = program;
        log_min_level = level;
}

int log_level_from_string(const char *s, enum log_level *ret)
{
        for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
                if (strcasecmp(s, level_names[i]) == 0) {
                        *ret = (enum log_level)i;
                        return 0;
                }
        if (strcasecmp(s, "warn") == 0) {
                *ret = LOG_LVL_WARN;
                return 0;
        }
        return -EINVAL;
}

void log_set_request_id(const char *req_id)
{
        if (!req_id) {
                thread_req_id[0] = '\0';
                return;
        }
        snprintf(thread_req_id, sizeof(thread_req_id), "%s", req_id);
}

const char *log_request_id(void)
{
        return thread_req_id[0] ? thread_req_id : "-";
}

int log_level_enabled(enum log_level level)
{
        return level >= log_min_level;
}

static void log_write(enum log_level level, const char *suffix, const char *fmt, va_list ap)
{
        struct strbuf sb = STRBUF_INIT;
        struct timespec ts;
        struct tm tm;

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strbuf_addf(&sb, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s prog=%s req=%s ",
                    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                    ts.tv_nsec / 1000000, level_names[level], log_program, log_request_id());
        strbuf_vaddf(&sb, fmt, ap);
        if (suffix)
                strbuf_addstr(&sb, suffix);
        strbuf_addch(&sb, '\n');
        /* One write per line keeps lines whole when threads log at once. */
        fwrite(sb.buf, 1, sb.len, stderr);
        strbuf_release(&sb);
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
        if (!log_level_enabled(level))
                return;
        log_write(level, NULL, fmt, ap);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        log_vmsg(level, fmt, ap);
        va_end(ap);
}

int log_errno(enum log_level level, int r, const char *fmt, ...)
{
        if (!log_level_enabled(level))
                return r;
        char suffix[160];
        char buf[128];
        const char *msg = strerror_r(r < 0 ? -r : r, buf, sizeof(buf));
        snprintf(suffix, sizeof(suffix), " err=\"%s\"", msg);
        va_list ap;
        va_start(ap, fmt);
        log_write(level, suffix, fmt, ap);
        va_end(ap);
        return r;
}
