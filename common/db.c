/* PostgreSQL pool, queries, transactions and migrations over libpq: see db.h. */
#include "common/common.h"
#include "common/db.h"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>

#include "common/config.h"
#include "common/ids.h"

/* Seconds libpq may spend connecting unless the URL says otherwise. */
#define DB_CONNECT_TIMEOUT "10"
/* Key of the session advisory lock that serialises migration runners ("mcdbmigr"). */
#define DB_MIGRATE_LOCK_KEY "7812735610466453362"
/* Upper bound on the length of a [database] connection value. */
#define DB_URL_MAX 4096

/* A statement prepared on one session, named "mc_<id>", reused while its SQL text is asked
 * for again: the server parses and plans a statement once per session instead of per call. */
struct db_stmt {
        uint64_t hash;
        char *sql;
        unsigned id;
        uint64_t last_used; /* conn's use counter at the last execution (LRU eviction) */
};

/* Statements kept prepared per session; the least recently used one is deallocated beyond. */
#define DB_STMT_CACHE_MAX 128

struct db_conn {
        PGconn *pg;
        struct db_pool *pool; /* NULL for a one-off connection */
        bool broken;          /* the server went away mid-statement */
        struct db_conn *next; /* idle list link */
        struct db_stmt stmts[DB_STMT_CACHE_MAX];
        size_t n_stmts;
        unsigned next_stmt_id;
        uint64_t uses;
};

struct db_pool {
        char *conninfo;
        char *redacted;
        unsigned max, open, idle_n;
        struct db_conn *idle;
        pthread_mutex_t lock;
        pthread_cond_t cond; /* signalled when a connection is released or a slot frees */
};

struct db_result {
        PGresult *res;
};

/* ---- SQLSTATE → errno, translated once ------------------------------------------------------ */

/* Exact codes first, then two-character classes; anything else is -EIO. */
static const struct {
        const char *state;
        int err;
} sqlstate_map[] = {
        {"23505", -EEXIST},       /* unique_violation */
        {"23503", -ENOENT},       /* foreign_key_violation (-EBUSY for DELETE, see below) */
        {"23502", -EINVAL},       /* not_null_violation */
        {"23514", -EINVAL},       /* check_violation */
        {"40001", -EAGAIN},       /* serialization_failure */
        {"40P01", -EAGAIN},       /* deadlock_detected */
        {"55P03", -EAGAIN},       /* lock_not_available */
        {"53300", -EAGAIN},       /* too_many_connections */
        {"57014", -ETIMEDOUT},    /* query_canceled (statement_timeout) */
        {"57P01", -EIO},          /* admin_shutdown (pg_terminate_backend) */
        {"57P02", -EIO},          /* crash_shutdown */
        {"57P03", -ECONNREFUSED}, /* cannot_connect_now */
        {"3D000", -ENOENT},       /* invalid_catalog_name: database does not exist */
        {"08", -EIO},             /* connection_exception */
        {"22", -EINVAL},          /* data_exception: bad integer text, value too long, ... */
        {"28", -EACCES},          /* invalid_authorization_specification */
        {"42", -EINVAL},          /* syntax_error_or_access_rule_violation */
};

int db_errno_from_sqlstate(const char *sqlstate, bool is_delete)
{
        if (!sqlstate || strlen(sqlstate) != 5)
                return -EIO;
        if (streq(sqlstate, "23503") && is_delete)
                return -EBUSY; /* the row is still referenced */
        for (size_t i = 0; i < ARRAY_SIZE(sqlstate_map); i++)
                if (strlen(sqlstate_map[i].state) == 5 && streq(sqlstate, sqlstate_map[i].state))
                        return sqlstate_map[i].err;
        for (size_t i = 0; i < ARRAY_SIZE(sqlstate_map); i++)
                if (strlen(sqlstate_map[i].state) == 2 &&
                    strncmp(sqlstate, sqlstate_map[i].state, 2) == 0)
                        return sqlstate_map[i].err;
        return -EIO;
}

/* SQLSTATEs after which the session is gone. */
static bool sqlstate_kills_session(const char *s)
{
        return s && (strncmp(s, "08", 2) == 0 || streq(s, "57P01") || streq(s, "57P02") ||
                     streq(s, "57P03"));
}

/* ---- URLs ------------------------------------------------------------------------------------- */

static bool url_has_scheme(const char *url)
{
        return strstr(url, "://") != NULL;
}

/* Splits "<scheme>://<rest>"; *ret_scheme_len is the length before any "+driver". */
static void url_scheme(const char *url, size_t *ret_scheme_len, const char **ret_rest)
{
        const char *sep = strstr(url, "://");
        size_t n = (size_t)(sep - url);
        const char *plus = memchr(url, '+', n);
        *ret_scheme_len = plus ? (size_t)(plus - url) : n;
        *ret_rest = sep + 3;
}

char *db_url_redact(const char *url)
{
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        if (!url)
                return xstrdup("");
        if (!url_has_scheme(url)) {
                /* keyword=value form: mask any password=... token */
                const char *p = url;
                while (*p) {
                        const char *kw = strstr(p, "password");
                        if (!kw) {
                                strbuf_addstr(&sb, p);
                                break;
                        }
                        const char *q = kw + strlen("password");
                        while (*q == ' ')
                                q++;
                        if (*q != '=' || (kw > url && kw[-1] != ' ' && kw[-1] != '\t')) {
                                strbuf_add(&sb, p, (size_t)(q - p));
                                p = q;
                                continue;
                        }
                        strbuf_add(&sb, p, (size_t)(q - p + 1));
                        strbuf_addstr(&sb, "***");
                        q++;
                        while (*q == ' ')
                                q++;
                        if (*q == '\'') {
                                for (q++; *q && *q != '\''; q++)
                                        if (*q == '\\' && q[1])
                                                q++;
                                if (*q)
                                        q++;
                        } else {
                                while (*q && *q != ' ' && *q != '\t')
                                        q++;
                        }
                        p = q;
                }
                return strbuf_detach(&sb, NULL);
        }
        const char *rest = strstr(url, "://") + 3;
        size_t auth_len = strcspn(rest, "/?#");
        const char *at = NULL;
        for (const char *p = rest; p < rest + auth_len; p++)
                if (*p == '@')
                        at = p;
        strbuf_add(&sb, url, (size_t)(rest - url));
        if (at) {
                const char *colon = memchr(rest, ':', (size_t)(at - rest));
                if (colon) {
                        strbuf_add(&sb, rest, (size_t)(colon - rest));
                        strbuf_addstr(&sb, ":***");
                } else {
                        strbuf_add(&sb, rest, (size_t)(at - rest));
                }
                strbuf_add(&sb, at, (size_t)(rest + auth_len - at));
        } else {
                strbuf_add(&sb, rest, auth_len);
        }
        const char *p = rest + auth_len;
        const char *q = strchr(p, '?');
        if (!q) {
                strbuf_addstr(&sb, p);
                return strbuf_detach(&sb, NULL);
        }
        strbuf_add(&sb, p, (size_t)(q - p + 1));
        q++;
        while (*q) {
                size_t n = strcspn(q, "&");
                if (n >= 9 && strncasecmp(q, "password=", 9) == 0)
                        strbuf_addstr(&sb, "password=***");
                else
                        strbuf_add(&sb, q, n);
                q += n;
                if (*q == '&') {
                        strbuf_addch(&sb, '&');
                        q++;
                }
        }
        return strbuf_detach(&sb, NULL);
}

/* Whether `kw` (length n) is a connection keyword this libpq understands. */
static bool libpq_knows_keyword(const char *kw, size_t n)
{
        PQconninfoOption *defs = PQconndefaults();
        bool found = false;
        if (!defs)
                return false;
        for (PQconninfoOption *o = defs; o->keyword; o++)
                if (strlen(o->keyword) == n && strncmp(o->keyword, kw, n) == 0) {
                        found = true;
                        break;
                }
        PQconninfoFree(defs);
        return found;
}

/* Checks the password text does not leak into a libpq parse message. */
static bool msg_mentions_password(const char *msg, const char *url)
{
        if (!url_has_scheme(url))
                return strstr(msg, "password") != NULL;
        const char *rest = strstr(url, "://") + 3;
        size_t auth_len = strcspn(rest, "/?#");
        const char *at = NULL;
        for (const char *p = rest; p < rest + auth_len; p++)
                if (*p == '@')
                        at = p;
        if (!at)
                return false;
        const char *colon = memchr(rest, ':', (size_t)(at - rest));
        if (!colon || at - colon <= 1)
                return false;
        _cleanup_free_ char *pw = xstrndup(colon + 1, (size_t)(at - colon - 1));
        /* any 3-character piece of the password appearing in the message counts */
        size_t n = strlen(pw);
        for (size_t i = 0; i + 3 <= n || (n < 3 && i == 0); i++) {
                _cleanup_free_ char *piece = xstrndup(pw + i, MIN((size_t)3, n));
                if (strstr(msg, piece))
                        return true;
        }
        return false;
}

int db_url_to_conninfo(const char *url, char **ret_conninfo, struct err *e)
{
        if (!url || !*url)
                return err_set(e, -EINVAL, "[database] connection is not set");
        if (strlen(url) > DB_URL_MAX)
                return err_set(e, -EINVAL, "[database] connection is longer than %d bytes",
                               DB_URL_MAX);
        _cleanup_free_ char *redacted = db_url_redact(url);
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

        if (url_has_scheme(url)) {
                size_t slen;
                const char *rest;
                url_scheme(url, &slen, &rest);
                if (!((slen == 10 && strncasecmp(url, "postgresql", 10) == 0) ||
                      (slen == 8 && strncasecmp(url, "postgres", 8) == 0)))
                        return err_set(e, -EINVAL,
                                       "unsupported database backend '%.*s' in [database] "
                                       "connection %s: only postgresql is supported",
                                       (int)slen, url, redacted);
                strbuf_addstr(&sb, "postgresql://");
                const char *q = strchr(rest, '?');
                if (!q) {
                        strbuf_addstr(&sb, rest);
                } else {
                        strbuf_add(&sb, rest, (size_t)(q - rest));
                        /* keep only parameters libpq knows (drops SQLAlchemy's charset=,
                         * oslo.db's plugin=, ...) */
                        char sepch = '?';
                        q++;
                        while (*q) {
                                size_t n = strcspn(q, "&");
                                size_t kn = strcspn(q, "=&");
                                if (kn > n)
                                        kn = n;
                                if (n > 0 && libpq_knows_keyword(q, kn)) {
                                        strbuf_addch(&sb, sepch);
                                        strbuf_add(&sb, q, n);
                                        sepch = '&';
                                } else if (n > 0) {
                                        log_debug("event=db_url_param_dropped param=%.*s", (int)kn,
                                                  q);
                                }
                                q += n;
                                if (*q == '&')
                                        q++;
                        }
                }
        } else {
                strbuf_addstr(&sb, url);
        }

        char *perr = NULL;
        PQconninfoOption *opts = PQconninfoParse(sb.buf, &perr);
        if (!opts) {
                _cleanup_free_ char *m = NULL;
                if (perr) {
                        m = xstrdup(perr);
                        PQfreemem(perr);
                        size_t l = strlen(m);
                        while (l > 0 && (m[l - 1] == '\n' || m[l - 1] == ' '))
                                m[--l] = '\0';
                }
                if (!m || msg_mentions_password(m, url))
                        return err_set(e, -EINVAL, "invalid [database] connection %s", redacted);
                return err_set(e, -EINVAL, "invalid [database] connection %s: %s", redacted, m);
        }
        /* libpq checks numbers only when connecting; a bad port is a config error now */
        for (PQconninfoOption *o = opts; o->keyword; o++) {
                if (!o->val || !streq(o->keyword, "port"))
                        continue;
                for (const char *p = o->val; *p;) {
                        size_t n = strcspn(p, ",");
                        _cleanup_free_ char *one = xstrndup(p, n);
                        long long port;
                        if (n > 0 && str_to_ll(one, 1, 65535, &port) < 0) {
                                PQconninfoFree(opts);
                                return err_set(e, -EINVAL,
                                               "invalid [database] connection %s: bad port '%s'",
                                               redacted, one);
                        }
                        p += n;
                        if (*p == ',')
                                p++;
                }
        }
        PQconninfoFree(opts);
        *ret_conninfo = strbuf_detach(&sb, NULL);
        return 0;
}

/* ---- [database] options ---------------------------------------------------------------------- */

static const struct conf_option db_conf_options[] = {
        {"database", "connection", CONF_STR, NULL, offsetof(struct db_conf, connection), 0, 0,
         "URL of the PostgreSQL database, libpq or SQLAlchemy form "
         "(postgresql+psycopg2://user:password@host:port/dbname)."},
        {"database", "max_pool_size", CONF_INT, "5", offsetof(struct db_conf, max_pool_size), 1,
         1000, "Connections each process keeps open at most."},
        {"database", "pool_timeout", CONF_INT, "30", offsetof(struct db_conf, pool_timeout), 1,
         3600, "Seconds to wait for a free pooled connection before failing."},
};

int db_conf_load(const struct conf *c, struct db_conf *ret, struct err *e)
{
        struct db_conf dc = {0};
        int r = conf_apply(c, db_conf_options, ARRAY_SIZE(db_conf_options), &dc, e);
        if (r < 0) {
                db_conf_release(&dc);
                return r;
        }
        if (!dc.connection || !*dc.connection) {
                db_conf_release(&dc);
                return err_set(e, -EINVAL, "[database] connection is not set");
        }
        *ret = dc;
        return 0;
}

void db_conf_release(struct db_conf *dc)
{
        if (dc)
                conf_release(db_conf_options, ARRAY_SIZE(db_conf_options), dc);
}

int db_pool_new_from_conf(const struct conf *c, struct db_pool **ret, int *ret_timeout_ms,
                          struct err *e)
{
        struct db_conf dc;
        int r = db_conf_load(c, &dc, e);
        if (r < 0)
                return r;
        r = db_pool_new(dc.connection, (unsigned)dc.max_pool_size, ret, e);
        if (r >= 0 && ret_timeout_ms)
                *ret_timeout_ms = dc.pool_timeout * 1000;
        db_conf_release(&dc);
        return r;
}

/* ---- connections ------------------------------------------------------------------------------ */

static void notice_quiet(void *arg _unused_, const char *message)
{
        size_t n = strlen(message);
        while (n > 0 && message[n - 1] == '\n')
                n--;
        log_debug("event=db_notice msg=\"%.*s\"", (int)n, message);
}

/* libpq's message without its trailing newline, as a new string. */
static char *pg_error_text(PGconn *pg)
{
        const char *m = pg ? PQerrorMessage(pg) : "out of memory";
        /* one line: libpq separates its hints with "\n\t" */
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        bool space = false;
        for (const char *p = m && *m ? m : "unknown libpq error"; *p; p++) {
                if (*p == '\n' || *p == '\t' || *p == ' ') {
                        space = true;
                        continue;
                }
                if (space && sb.len > 0)
                        strbuf_addch(&sb, ' ');
                space = false;
                strbuf_addch(&sb, *p);
        }
        return strbuf_detach(&sb, NULL);
}

/* Opens one session: ISO dates and UTC so timestamps read back the same everywhere. */
static int conn_open(const char *conninfo, const char *redacted, PGconn **ret, struct err *e)
{
        const char *const keys[] = {"connect_timeout", "dbname", "fallback_application_name", NULL};
        const char *const vals[] = {DB_CONNECT_TIMEOUT, conninfo, program_invocation_short_name,
                                    NULL};
        PGconn *pg = PQconnectdbParams(keys, vals, 1);
        if (!pg || PQstatus(pg) != CONNECTION_OK) {
                _cleanup_free_ char *m = pg_error_text(pg);
                PQfinish(pg);
                log_debug("event=db_connect_failed url=%s", redacted);
                return err_set(e, -ECONNREFUSED, "cannot connect to the database %s: %s", redacted,
                               m);
        }
        PQsetNoticeProcessor(pg, notice_quiet, NULL);
        PGresult *res = PQexec(pg, "SET datestyle = 'ISO'; SET timezone = 'UTC'; "
                                   "SET client_encoding = 'UTF8'");
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
                _cleanup_free_ char *m = pg_error_text(pg);
                PQclear(res);
                PQfinish(pg);
                return err_set(e, -EIO, "cannot set up the database session %s: %s", redacted, m);
        }
        PQclear(res);
        *ret = pg;
        return 0;
}

int db_connect(const char *url, struct db_conn **ret, struct err *e)
{
        _cleanup_free_ char *conninfo = NULL;
        int r = db_url_to_conninfo(url, &conninfo, e);
        if (r < 0)
                return r;
        _cleanup_free_ char *redacted = db_url_redact(url);
        PGconn *pg;
        r = conn_open(conninfo, redacted, &pg, e);
        if (r < 0)
                return r;
        struct db_conn *c = xnew(struct db_conn, 1);
        c->pg = pg;
        *ret = c;
        return 0;
}

/* Forgets every prepared statement (the session that held them is gone or being replaced). */
static void stmts_reset(struct db_conn *c)
{
        for (size_t i = 0; i < c->n_stmts; i++)
                free(c->stmts[i].sql);
        c->n_stmts = 0;
}

void db_conn_close(struct db_conn *c)
{
        if (!c)
                return;
        stmts_reset(c);
        PQfinish(c->pg);
        free(c);
}

int db_conn_backend_pid(const struct db_conn *c)
{
        return PQbackendPID(c->pg);
}

/* An idle session is usable when libpq thinks so and the server has not closed the socket
 * meanwhile (pg_terminate_backend, restart, idle timeout): anything readable on an idle socket
 * is consumed, and EOF turns the status bad. */
static bool conn_usable(struct db_conn *c)
{
        if (c->broken || PQstatus(c->pg) != CONNECTION_OK ||
            PQtransactionStatus(c->pg) != PQTRANS_IDLE)
                return false;
        /* A terminated backend sends a FATAL message and then closes: the first read may
         * consume only the message, so keep reading while the socket stays readable. */
        for (int round = 0; round < 8; round++) {
                struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
                if (pfd.fd < 0)
                        return false;
                int n = poll(&pfd, 1, 0);
                if (n < 0)
                        return false;
                if (n == 0)
                        break;
                if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))
                        return false;
                if (!PQconsumeInput(c->pg) || PQstatus(c->pg) != CONNECTION_OK)
                        return false;
                PGnotify *nt;
                while ((nt = PQnotifies(c->pg)))
                        PQfreemem(nt);
                /* an error result queued while idle means the server gave up on us */
                while (!PQisBusy(c->pg)) {
                        PGresult *res = PQgetResult(c->pg);
                        if (!res)
                                break;
                        ExecStatusType st = PQresultStatus(res);
                        PQclear(res);
                        if (st == PGRES_FATAL_ERROR)
                                return false;
                }
        }
        return PQstatus(c->pg) == CONNECTION_OK;
}

/* ---- pool ------------------------------------------------------------------------------------- */

int db_pool_new(const char *url, unsigned max_size, struct db_pool **ret, struct err *e)
{
        if (max_size == 0)
                return err_set(e, -EINVAL, "database pool size must be at least 1");
        _cleanup_free_ char *conninfo = NULL;
        int r = db_url_to_conninfo(url, &conninfo, e);
        if (r < 0)
                return r;
        struct db_pool *p = xnew(struct db_pool, 1);
        p->conninfo = TAKE_PTR(conninfo);
        p->redacted = db_url_redact(url);
        p->max = max_size;
        pthread_mutex_init(&p->lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&p->cond, &ca);
        pthread_condattr_destroy(&ca);
        *ret = p;
        return 0;
}

void db_pool_free(struct db_pool *p)
{
        if (!p)
                return;
        if (p->open != p->idle_n)
                log_warn("event=db_pool_free_busy open=%u idle=%u", p->open, p->idle_n);
        while (p->idle) {
                struct db_conn *c = p->idle;
                p->idle = c->next;
                db_conn_close(c);
        }
        pthread_cond_destroy(&p->cond);
        pthread_mutex_destroy(&p->lock);
        free(p->conninfo);
        free(p->redacted);
        free(p);
}

void db_pool_stats(struct db_pool *p, unsigned *ret_open, unsigned *ret_idle)
{
        pthread_mutex_lock(&p->lock);
        if (ret_open)
                *ret_open = p->open;
        if (ret_idle)
                *ret_idle = p->idle_n;
        pthread_mutex_unlock(&p->lock);
}

static void deadline_from_ms(int timeout_ms, struct timespec *ts)
{
        clock_gettime(CLOCK_MONOTONIC, ts);
        ts->tv_sec += timeout_ms / 1000;
        ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (ts->tv_nsec >= 1000000000L) {
                ts->tv_sec++;
                ts->tv_nsec -= 1000000000L;
        }
}

int db_pool_acquire(struct db_pool *p, int timeout_ms, struct db_conn **ret, struct err *e)
{
        struct timespec deadline;
        if (timeout_ms >= 0)
                deadline_from_ms(timeout_ms, &deadline);

        pthread_mutex_lock(&p->lock);
        for (;;) {
                if (p->idle) {
                        struct db_conn *c = p->idle;
                        p->idle = c->next;
                        c->next = NULL;
                        p->idle_n--;
                        pthread_mutex_unlock(&p->lock);
                        if (conn_usable(c)) {
                                *ret = c;
                                return 0;
                        }
                        /* Replace the dead session in place: the slot stays counted. */
                        log_info("event=db_conn_replaced reason=\"%s\"",
                                 c->broken ? "broken" : "closed by server");
                        stmts_reset(c);
                        PQfinish(c->pg);
                        c->pg = NULL;
                        c->broken = false;
                        int r = conn_open(p->conninfo, p->redacted, &c->pg, e);
                        if (r < 0) {
                                free(c);
                                pthread_mutex_lock(&p->lock);
                                p->open--;
                                pthread_cond_signal(&p->cond);
                                pthread_mutex_unlock(&p->lock);
                                return r;
                        }
                        *ret = c;
                        return 0;
                }
                if (p->open < p->max) {
                        p->open++;
                        pthread_mutex_unlock(&p->lock);
                        PGconn *pg;
                        int r = conn_open(p->conninfo, p->redacted, &pg, e);
                        if (r < 0) {
                                pthread_mutex_lock(&p->lock);
                                p->open--;
                                pthread_cond_signal(&p->cond);
                                pthread_mutex_unlock(&p->lock);
                                return r;
                        }
                        struct db_conn *c = xnew(struct db_conn, 1);
                        c->pg = pg;
                        c->pool = p;
                        *ret = c;
                        return 0;
                }
                if (timeout_ms < 0) {
                        pthread_cond_wait(&p->cond, &p->lock);
                } else if (pthread_cond_timedwait(&p->cond, &p->lock, &deadline) == ETIMEDOUT &&
                           !p->idle && p->open >= p->max) {
                        unsigned max = p->max;
                        pthread_mutex_unlock(&p->lock);
                        return err_set(e, -ETIMEDOUT,
                                       "no database connection free within %d ms (pool of %u)",
                                       timeout_ms, max);
                }
        }
}

void db_pool_release(struct db_conn *c)
{
        if (!c)
                return;
        struct db_pool *p = c->pool;
        if (!p) {
                db_conn_close(c);
                return;
        }
        if (!c->broken && PQstatus(c->pg) == CONNECTION_OK &&
            PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
                /* someone returned a connection mid-transaction: undo it rather than leak it */
                log_warn("event=db_conn_released_in_transaction");
                PGresult *res = PQexec(c->pg, "ROLLBACK");
                if (PQresultStatus(res) != PGRES_COMMAND_OK)
                        c->broken = true;
                PQclear(res);
        }
        bool keep = !c->broken && PQstatus(c->pg) == CONNECTION_OK &&
                    PQtransactionStatus(c->pg) == PQTRANS_IDLE;
        if (!keep) {
                db_conn_close(c);
                c = NULL;
        }
        pthread_mutex_lock(&p->lock);
        if (c) {
                c->next = p->idle;
                p->idle = c;
                p->idle_n++;
        } else {
                p->open--;
        }
        pthread_cond_signal(&p->cond);
        pthread_mutex_unlock(&p->lock);
}

/* ---- queries ---------------------------------------------------------------------------------- */

static bool sql_is_delete(const char *sql)
{
        while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '(')
                sql++;
        return strncasecmp(sql, "DELETE", 6) == 0;
}

/* Turns a failed PGresult (or NULL) into -errno + message; marks the session broken when the
 * server or the socket went away. */
static int result_error(struct db_conn *c, PGresult *res, const char *sql, struct err *e)
{
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (PQstatus(c->pg) != CONNECTION_OK || sqlstate_kills_session(state))
                c->broken = true;
        if (!state) {
                /* client-side failure: the socket died or libpq could not send */
                _cleanup_free_ char *m = pg_error_text(c->pg);
                log_debug("event=db_error sqlstate=- broken=%d", c->broken);
                return err_set(e, -EIO, "database error: %s", m);
        }
        int r = db_errno_from_sqlstate(state, sql_is_delete(sql));
        const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        strbuf_addstr(&sb, primary ? primary : "unknown error");
        if (detail)
                strbuf_addf(&sb, " (%s)", detail);
        log_debug("event=db_error sqlstate=%s constraint=%s", state, constraint ? constraint : "-");
        return err_set(e, r, "%s", sb.buf);
}

/* FNV-1a over the statement text. */
static uint64_t sql_hash(const char *sql)
{
        uint64_t h = 1469598103934665603ULL;
        for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
                h = (h ^ *p) * 1099511628211ULL;
        return h;
}

static struct db_stmt *stmt_find(struct db_conn *c, const char *sql, uint64_t h)
{
        for (size_t i = 0; i < c->n_stmts; i++)
                if (c->stmts[i].hash == h && streq(c->stmts[i].sql, sql))
                        return &c->stmts[i];
        return NULL;
}

/* Drops one cached statement on the server (DEALLOCATE) and from the cache. Inside a failed
 * transaction the server refuses any command: the statement is then only forgotten here and
 * stays allocated on the server under its unique name, harmless until the session ends. */
static void stmt_drop(struct db_conn *c, struct db_stmt *s)
{
        if (PQtransactionStatus(c->pg) != PQTRANS_INERROR) {
                char q[48];
                snprintf(q, sizeof(q), "DEALLOCATE mc_%u", s->id);
                PQclear(PQexec(c->pg, q));
        }
        free(s->sql);
        *s = c->stmts[--c->n_stmts];
}

/* The prepared statement for sql on this session, preparing it when new. NULL with
 * *ret_fail set to the server's answer when preparing failed (a syntax error, a lost
 * connection: reported like a failed execution); NULL and no result inside a failed
 * transaction, where the server takes no PREPARE (the caller runs the text unprepared). */
static struct db_stmt *stmt_get(struct db_conn *c, const char *sql, size_t nparams,
                                PGresult **ret_fail)
{
        uint64_t h = sql_hash(sql);
        struct db_stmt *s = stmt_find(c, sql, h);
        *ret_fail = NULL;
        if (s)
                return s;
        if (PQtransactionStatus(c->pg) == PQTRANS_INERROR)
                return NULL;
        if (c->n_stmts == DB_STMT_CACHE_MAX) {
                struct db_stmt *lru = &c->stmts[0];
                for (size_t i = 1; i < c->n_stmts; i++)
                        if (c->stmts[i].last_used < lru->last_used)
                                lru = &c->stmts[i];
                stmt_drop(c, lru);
        }
        char name[32];
        unsigned id = c->next_stmt_id++;
        snprintf(name, sizeof(name), "mc_%u", id);
        PGresult *res = PQprepare(c->pg, name, sql, (int)nparams, NULL);
        if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
                *ret_fail = res;
                return NULL;
        }
        PQclear(res);
        s = &c->stmts[c->n_stmts++];
        *s = (struct db_stmt){.hash = h, .sql = xstrdup(sql), .id = id};
        return s;
}

/* Runs sql as a prepared statement of this session (see struct db_stmt). A statement whose
 * result shape changed under it (a migration altered its table: SQLSTATE 0A000, "cached plan
 * must not change result type") is prepared afresh and, outside a transaction, run again. */
static PGresult *exec_prepared(struct db_conn *c, const char *sql, size_t nparams,
                               const char *const *params)
{
        bool in_tx = PQtransactionStatus(c->pg) != PQTRANS_IDLE;
        for (int attempt = 0; attempt < 2; attempt++) {
                PGresult *fail;
                struct db_stmt *s = stmt_get(c, sql, nparams, &fail);
                if (!s) {
                        if (fail || PQstatus(c->pg) != CONNECTION_OK)
                                return fail;
                        break;
                }
                s->last_used = ++c->uses;
                char name[32];
                snprintf(name, sizeof(name), "mc_%u", s->id);
                PGresult *res = PQexecPrepared(c->pg, name, (int)nparams, params, NULL, NULL, 0);
                const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
                if (!state || !streq(state, "0A000"))
                        return res;
                stmt_drop(c, s);
                if (in_tx)
                        return res;
                PQclear(res);
        }
        return PQexecParams(c->pg, sql, (int)nparams, NULL, params, NULL, NULL, 0);
}

int db_exec(struct db_conn *c, struct db_result **ret, struct err *e, const char *sql,
            size_t nparams, const char *const *params)
{
        if (c->broken || PQstatus(c->pg) != CONNECTION_OK) {
                c->broken = true;
                return err_set(e, -EIO, "database connection lost");
        }
        if (nparams > 65535)
                return err_set(e, -EINVAL, "too many query parameters");
        PGresult *res = exec_prepared(c, sql, nparams, params);
        ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
                int r = result_error(c, res, sql, e);
                PQclear(res);
                return r;
        }
        long long rows = 0;
        if (st == PGRES_TUPLES_OK) {
                rows = PQntuples(res);
        } else {
                const char *t = PQcmdTuples(res);
                if (t && *t && str_to_ll(t, 0, INT32_MAX, &rows) < 0)
                        rows = 0;
        }
        if (ret) {
                struct db_result *dr = xnew(struct db_result, 1);
                dr->res = res;
                *ret = dr;
        } else {
                PQclear(res);
        }
        return (int)MIN(rows, (long long)INT32_MAX);
}

int db_exec_script(struct db_conn *c, const char *sql, struct err *e)
{
        if (c->broken || PQstatus(c->pg) != CONNECTION_OK) {
                c->broken = true;
                return err_set(e, -EIO, "database connection lost");
        }
        PGresult *res = PQexec(c->pg, sql);
        ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
                int r = result_error(c, res, sql, e);
                PQclear(res);
                return r;
        }
        PQclear(res);
        return 0;
}

size_t db_result_rows(const struct db_result *r)
{
        return r ? (size_t)PQntuples(r->res) : 0;
}

size_t db_result_cols(const struct db_result *r)
{
        return r ? (size_t)PQnfields(r->res) : 0;
}

int db_result_col(const struct db_result *r, const char *name)
{
        int i = PQfnumber(r->res, name);
        return i < 0 ? -ENOENT : i;
}

static bool in_range(const struct db_result *r, size_t row, size_t col)
{
        return r && row < (size_t)PQntuples(r->res) && col < (size_t)PQnfields(r->res);
}

bool db_is_null(const struct db_result *r, size_t row, size_t col)
{
        return !in_range(r, row, col) || PQgetisnull(r->res, (int)row, (int)col);
}

const char *db_get_text(const struct db_result *r, size_t row, size_t col)
{
        if (db_is_null(r, row, col))
                return NULL;
        return PQgetvalue(r->res, (int)row, (int)col);
}

char *db_dup_text(const struct db_result *r, size_t row, size_t col)
{
        return xstrdup_or_null(db_get_text(r, row, col));
}

int db_get_int64(const struct db_result *r, size_t row, size_t col, int64_t *ret)
{
        const char *s = db_get_text(r, row, col);
        if (!s)
                return -ENODATA;
        long long v;
        int k = str_to_ll(s, INT64_MIN, INT64_MAX, &v);
        if (k < 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

int db_get_int(const struct db_result *r, size_t row, size_t col, int *ret)
{
        const char *s = db_get_text(r, row, col);
        if (!s)
                return -ENODATA;
        long long v;
        if (str_to_ll(s, INT32_MIN, INT32_MAX, &v) < 0)
                return -EINVAL;
        *ret = (int)v;
        return 0;
}

int db_get_bool(const struct db_result *r, size_t row, size_t col, bool *ret)
{
        const char *s = db_get_text(r, row, col);
        if (!s)
                return -ENODATA;
        if (streq(s, "t") || streq(s, "true"))
                *ret = true;
        else if (streq(s, "f") || streq(s, "false"))
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

int db_get_time(const struct db_result *r, size_t row, size_t col, int64_t *ret)
{
        const char *s = db_get_text(r, row, col);
        if (!s)
                return -ENODATA;
        int64_t us;
        if (time_parse_iso(s, &us) < 0)
                return -EINVAL;
        *ret = us;
        return 0;
}

void db_result_free(struct db_result *r)
{
        if (!r)
                return;
        PQclear(r->res);
        free(r);
}

/* ---- transactions ----------------------------------------------------------------------------- */

int db_begin(struct db_conn *c, struct db_tx *tx, struct err *e)
{
        if (tx->conn)
                return err_set(e, -EALREADY, "transaction already open");
        int r = db_exec(c, NULL, e, "BEGIN", 0, NULL);
        if (r < 0)
                return r;
        tx->conn = c;
        return 0;
}

int db_commit(struct db_tx *tx, struct err *e)
{
        struct db_conn *c = tx->conn;
        if (!c)
                return err_set(e, -EINVAL, "no transaction open");
        if (PQtransactionStatus(c->pg) == PQTRANS_INERROR) {
                db_rollback(tx);
                return err_set(e, -EINVAL, "transaction aborted by an earlier error; rolled back");
        }
        struct db_result *res = NULL;
        int r = db_exec(c, &res, e, "COMMIT", 0, NULL);
        tx->conn = NULL;
        if (r < 0) {
                if (PQstatus(c->pg) == CONNECTION_OK &&
                    PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
                        PGresult *rb = PQexec(c->pg, "ROLLBACK");
                        PQclear(rb);
                }
                return r;
        }
        /* COMMIT of an aborted transaction reports success with the tag ROLLBACK */
        bool rolled_back = streq(PQcmdStatus(res->res), "ROLLBACK");
        db_result_free(res);
        if (rolled_back)
                return err_set(e, -EINVAL, "transaction was rolled back by the server");
        return 0;
}

void db_rollback(struct db_tx *tx)
{
        struct db_conn *c = tx->conn;
        if (!c)
                return;
        tx->conn = NULL;
        if (c->broken || PQstatus(c->pg) != CONNECTION_OK)
                return;
        PGresult *res = PQexec(c->pg, "ROLLBACK");
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
                c->broken = PQstatus(c->pg) != CONNECTION_OK;
        PQclear(res);
}

int db_transaction(struct db_conn *c, int attempts,
                   int (*fn)(struct db_conn *c, void *userdata, struct err *e), void *userdata,
                   struct err *e)
{
        int r = -EAGAIN;
        for (int i = 0; i < MAX(attempts, 1); i++) {
                if (i > 0) {
                        /* back off 1-10 ms, growing, so the winners get out of the way */
                        uint8_t rnd;
                        random_bytes(&rnd, 1);
                        usleep((useconds_t)(1000 * (1 + (rnd % 5) * MIN(i, 2))));
                        log_debug("event=db_tx_retry attempt=%d", i + 1);
                }
                _cleanup_db_tx_ struct db_tx tx = DB_TX_INIT;
                r = db_begin(c, &tx, e);
                if (r < 0)
                        return r;
                r = fn(c, userdata, e);
                if (r >= 0) {
                        int k = db_commit(&tx, e);
                        if (k < 0)
                                r = k;
                }
                if (r != -EAGAIN)
                        return r;
        }
        return r;
}

/* ---- migrations ------------------------------------------------------------------------------- */

int db_schema_version(struct db_conn *c, int *ret_version, struct err *e)
{
        _cleanup_db_result_ struct db_result *res = NULL;
        int r = db_exec(c, &res, e, "SELECT to_regclass('schema_migrations') IS NOT NULL", 0, NULL);
        if (r < 0)
                return r;
        bool exists = false;
        if (db_get_bool(res, 0, 0, &exists) < 0)
                return err_set(e, -EIO, "unexpected answer checking schema_migrations");
        if (!exists) {
                *ret_version = 0;
                return 0;
        }
        db_result_free(TAKE_PTR(res));
        r = db_exec(c, &res, e, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", 0, NULL);
        if (r < 0)
                return r;
        int v = 0;
        if (db_get_int(res, 0, 0, &v) < 0)
                return err_set(e, -EIO, "unexpected answer reading schema_migrations");
        *ret_version = v;
        return 0;
}

static int migrations_check(const struct db_migration *m, size_t n, struct err *e)
{
        for (size_t i = 0; i < n; i++) {
                if (m[i].version <= 0 || !m[i].name || !m[i].sql)
                        return err_set(e, -EINVAL, "migration %zu is malformed", i);
                if (i > 0 && m[i].version <= m[i - 1].version)
                        return err_set(e, -EINVAL, "migration %s: version %d is not above %d",
                                       m[i].name, m[i].version, m[i - 1].version);
        }
        return 0;
}

static bool version_applied(const struct db_result *res, int version)
{
        for (size_t i = 0; i < db_result_rows(res); i++) {
                int v;
                if (db_get_int(res, i, 0, &v) == 0 && v == version)
                        return true;
        }
        return false;
}

/* An applied migration whose SQL has since been edited is a bug (databases that applied the
 * old text never see the change): say so loudly, but keep going. */
static void migration_check_unchanged(struct db_conn *c, const struct db_migration *m)
{
        char vbuf[16];
        snprintf(vbuf, sizeof(vbuf), "%d", m->version);
        int n = db_exec(c, NULL, NULL,
                        "SELECT 1 FROM schema_migrations WHERE version = $1 "
                        "AND checksum IS NOT NULL AND checksum <> md5($2)",
                        DB_PARAMS(vbuf, m->sql));
        if (n > 0)
                log_warn("event=db_migration_changed version=%d name=%s msg=\"applied with "
                         "different SQL; never edit an applied migration, add a new one\"",
                         m->version, m->name);
}

/* Applies one migration and records it, in one transaction. */
static int migration_apply(struct db_conn *c, const struct db_migration *m, struct err *e)
{
        _cleanup_err_ struct err inner = ERR_INIT;
        _cleanup_db_tx_ struct db_tx tx = DB_TX_INIT;
        int r = db_begin(c, &tx, &inner);
        if (r >= 0)
                r = db_exec_script(c, m->sql, &inner);
        if (r >= 0) {
                char vbuf[16];
                snprintf(vbuf, sizeof(vbuf), "%d", m->version);
                r = db_exec(c, NULL, &inner,
                            "INSERT INTO schema_migrations (version, name, checksum) "
                            "VALUES ($1, $2, md5($3))",
                            DB_PARAMS(vbuf, m->name, m->sql));
        }
        if (r >= 0)
                r = db_commit(&tx, &inner);
        if (r < 0)
                return err_set(e, r, "migration %s failed: %s", m->name, err_msg(&inner));
        return 0;
}

int db_migrate(struct db_conn *c, const struct db_migration *m, size_t n, int *ret_applied,
               struct err *e)
{
        int r = migrations_check(m, n, e);
        if (r < 0)
                return r;
        /* Session-level lock: a second runner waits here until the first is done, then finds
         * everything applied. */
        r = db_exec(c, NULL, e, "SELECT pg_advisory_lock(" DB_MIGRATE_LOCK_KEY ")", 0, NULL);
        if (r < 0)
                return r;
        int applied = 0;
        r = db_exec(c, NULL, e,
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " version integer PRIMARY KEY,"
                    " name text NOT NULL,"
                    " applied_at timestamp without time zone NOT NULL"
                    "  DEFAULT (now() AT TIME ZONE 'utc'),"
                    " checksum text)",
                    0, NULL);
        if (r >= 0)
                r = db_exec(c, NULL, e,
                            "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text",
                            0, NULL);
        _cleanup_db_result_ struct db_result *done = NULL;
        if (r >= 0)
                r = db_exec(c, &done, e, "SELECT version FROM schema_migrations", 0, NULL);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (version_applied(done, m[i].version)) {
                        migration_check_unchanged(c, &m[i]);
                        continue;
                }
                log_info("event=db_migration_apply version=%d name=%s", m[i].version, m[i].name);
                r = migration_apply(c, &m[i], e);
                if (r >= 0)
                        applied++;
        }
        if (!c->broken && PQstatus(c->pg) == CONNECTION_OK) {
                PGresult *res = PQexec(c->pg, "SELECT pg_advisory_unlock(" DB_MIGRATE_LOCK_KEY ")");
                PQclear(res);
        }
        if (r < 0)
                return r;
        int current = 0;
        if (db_schema_version(c, &current, NULL) >= 0 && n > 0 && current > m[n - 1].version)
                log_warn("event=db_schema_newer version=%d known=%d", current, m[n - 1].version);
        if (ret_applied)
                *ret_applied = applied;
        return 0;
}
