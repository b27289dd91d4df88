/*
 * PostgreSQL access through libpq: a thread-safe connection pool, parameterised queries with a
 * small result wrapper, transactions that roll back unless committed, and a generic migrations
 * runner. Every libpq / SQLSTATE code is translated here, once, into a -errno plus the server's
 * message in a struct err; callers never see PGresult or SQLSTATE.
 *
 *   _cleanup_(db_pool_freep) struct db_pool *pool = NULL;
 *   r = db_pool_new(url, 8, &pool, &e);                 // "postgresql+psycopg2://u:pw@h/db" ok
 *   _cleanup_db_conn_ struct db_conn *c = NULL;
 *   r = db_pool_acquire(pool, 5000, &c, &e);           // -ETIMEDOUT when all are busy
 *   _cleanup_db_tx_ struct db_tx tx = DB_TX_INIT;
 *   r = db_begin(c, &tx, &e);
 *   _cleanup_db_result_ struct db_result *res = NULL;
 *   r = db_exec(c, &res, &e, "SELECT id FROM cluster WHERE uuid = $1", DB_PARAMS(uuid));
 *   r = db_commit(&tx, &e);                            // else the cleanup rolls back
 *
 * SQL text is always a constant; values travel only as parameters ($1, $2, ...).
 * Timestamps are `timestamp without time zone` holding UTC, read as int64 microseconds since the
 * epoch (the unit of common/ids.h time_now_us / time_format_iso).
 */
#ifndef MC_DB_H
#define MC_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct db_pool;
struct db_conn;
struct db_result;

/* An SQL NULL timestamp read through db_get_time(). */
#define DB_TIME_NULL INT64_MIN

/* ---- connection URLs ---------------------------------------------------------------------- */

/* Turns a `[database] connection` value into a libpq connection URI. Accepts libpq URIs and the
 * oslo/SQLAlchemy forms `postgresql://`, `postgres://`, `postgresql+psycopg2://` (any +driver
 * is stripped); query parameters libpq does not know (SQLAlchemy's `charset=`, `client_encoding`
 * is kept) are dropped. Other backends (mysql://, sqlite://) and malformed URLs → -EINVAL with a
 * message that never contains the password. *ret_conninfo is owned by the caller. */
int db_url_to_conninfo(const char *url, char **ret_conninfo, struct err *e);
/* The URL with any password (userinfo or ?password=) replaced by "***", for logs and messages.
 * Always succeeds; the result is owned by the caller. */
char *db_url_redact(const char *url);

/* ---- [database] options ------------------------------------------------------------------- */

struct conf;

/* The `[database]` options, named as oslo.db names them. */
struct db_conf {
        char *connection;  /* [database] connection (required) */
        int max_pool_size; /* [database] max_pool_size, default 5 */
        int pool_timeout;  /* [database] pool_timeout: seconds to wait for a free connection,
                            * default 30 */
};

/* Reads the [database] options from conf. A bad number → -EINVAL / -ERANGE with
 * "file:line: [database] ..."; no connection → -EINVAL "[database] connection is not set".
 * Free with db_conf_release. */
int db_conf_load(const struct conf *c, struct db_conf *ret, struct err *e);
void db_conf_release(struct db_conf *dc);
/* db_conf_load + db_pool_new: a pool of max_pool_size connections. *ret_timeout_ms (optional)
 * gets pool_timeout in milliseconds, the value to pass to db_pool_acquire. */
int db_pool_new_from_conf(const struct conf *c, struct db_pool **ret, int *ret_timeout_ms,
                          struct err *e);

/* ---- errors ------------------------------------------------------------------------------- */

/* The -errno for a five-character SQLSTATE: 23505 → -EEXIST, 23503 → -ENOENT (or -EBUSY when
 * `is_delete`: the row is still referenced), 40001/40P01/55P03 → -EAGAIN, 57014 → -ETIMEDOUT,
 * class 08 and 57P0x → -EIO, 28xxx → -EACCES, 22xxx/23502/23514 → -EINVAL, else -EIO.
 * NULL or empty → -EIO. */
int db_errno_from_sqlstate(const char *sqlstate, bool is_delete);

/* ---- pool --------------------------------------------------------------------------------- */

/* Creates a pool of at most max_size connections to `url` (see db_url_to_conninfo). Connections
 * are opened lazily by db_pool_acquire. -EINVAL on a bad URL or max_size 0. */
int db_pool_new(const char *url, unsigned max_size, struct db_pool **ret, struct err *e);
/* Closes every idle connection and frees the pool. All connections must have been released.
 * NULL is ok. */
void db_pool_free(struct db_pool *p);
/* Checks out a connection, waiting up to timeout_ms (<0: forever) for one to become free. An
 * idle connection that the server closed meanwhile is detected and replaced. Errors:
 * -ETIMEDOUT (all busy), -ECONNREFUSED (cannot connect; server message in e). Thread-safe. */
int db_pool_acquire(struct db_pool *p, int timeout_ms, struct db_conn **ret, struct err *e);
/* Returns a connection to its pool. A broken connection, or one left inside a transaction, is
 * closed (and later replaced) instead of reused. NULL is ok. Thread-safe. */
void db_pool_release(struct db_conn *c);
/* Counts for tests and metrics: connections open (idle + in use) and idle. */
void db_pool_stats(struct db_pool *p, unsigned *ret_open, unsigned *ret_idle);

/* A one-off connection outside any pool (magnum-db-manage, tests); release with db_conn_close.
 * -EINVAL bad URL, -ECONNREFUSED unreachable. */
int db_connect(const char *url, struct db_conn **ret, struct err *e);
void db_conn_close(struct db_conn *c);
/* The server process id serving this connection (for pg_terminate_backend in tests). */
int db_conn_backend_pid(const struct db_conn *c);

/* ---- queries ------------------------------------------------------------------------------ */

/* Runs one statement with text parameters (NULL element = SQL NULL) via PQexecParams. Returns
 * the row count (rows returned for SELECT/RETURNING, rows affected otherwise) or a -errno from
 * db_errno_from_sqlstate with the server's message (and the constraint name when any) in e.
 * When ret is non-NULL it receives the result (caller frees). `sql` must be a constant. */
int db_exec(struct db_conn *c, struct db_result **ret, struct err *e, const char *sql,
            size_t nparams, const char *const *params);
/* db_exec(c, &res, e, sql, DB_PARAMS(a, b)) - a counted array of parameters. */
#define DB_PARAMS(...)                                                                             \
        (sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),                            \
                ((const char *const[]){__VA_ARGS__})
/* Runs a script of several statements with no parameters (PQexec). Only for SQL compiled into
 * the program (migrations); never for text built at run time. */
int db_exec_script(struct db_conn *c, const char *sql, struct err *e);

size_t db_result_rows(const struct db_result *r);
size_t db_result_cols(const struct db_result *r);
/* Column index by name, or -ENOENT. */
int db_result_col(const struct db_result *r, const char *name);
bool db_is_null(const struct db_result *r, size_t row, size_t col);
/* The value as text, NULL for SQL NULL. Valid until db_result_free. Out of range → NULL. */
const char *db_get_text(const struct db_result *r, size_t row, size_t col);
/* Copy of the text (NULL for SQL NULL), owned by the caller. */
char *db_dup_text(const struct db_result *r, size_t row, size_t col);
/* Integer / boolean / timestamp getters: -ENODATA on SQL NULL, -EINVAL when the text does not
 * parse. Timestamps are read as UTC and returned as microseconds since the epoch. */
int db_get_int64(const struct db_result *r, size_t row, size_t col, int64_t *ret);
int db_get_int(const struct db_result *r, size_t row, size_t col, int *ret);
int db_get_bool(const struct db_result *r, size_t row, size_t col, bool *ret);
int db_get_time(const struct db_result *r, size_t row, size_t col, int64_t *ret);
void db_result_free(struct db_result *r);

/* ---- transactions ------------------------------------------------------------------------- */

struct db_tx {
        struct db_conn *conn; /* NULL when no transaction is open */
};
#define DB_TX_INIT                                                                                 \
        {                                                                                          \
                NULL                                                                               \
        }

/* BEGIN on c; tx must be DB_TX_INIT. */
int db_begin(struct db_conn *c, struct db_tx *tx, struct err *e);
/* COMMIT; a failed commit (e.g. -EAGAIN serialization failure) leaves nothing applied. */
int db_commit(struct db_tx *tx, struct err *e);
/* ROLLBACK when still open; no-op otherwise. */
void db_rollback(struct db_tx *tx);

/* Runs fn inside BEGIN ... COMMIT, retrying the whole transaction (up to `attempts` times, with
 * a short random back-off) when it fails with -EAGAIN (serialization failure, deadlock, lock
 * not available); fn must therefore only touch the database and its own output. Any other
 * error from fn or COMMIT is returned after a rollback. fn returns >= 0 to commit, and that
 * value is returned on success. */
int db_transaction(struct db_conn *c, int attempts,
                   int (*fn)(struct db_conn *c, void *userdata, struct err *e), void *userdata,
                   struct err *e);

/* ---- migrations --------------------------------------------------------------------------- */

struct db_migration {
        int version;      /* strictly increasing, > 0 */
        const char *name; /* e.g. "0001_magnum" */
        const char *sql;  /* a script of statements */
};

/* Brings the schema up to the last migration: takes a session advisory lock (so concurrent
 * runners serialise), creates `schema_migrations` when missing, and applies each migration not
 * yet recorded in its own transaction. A failure rolls that migration back and returns its
 * -errno with "migration <name> failed: <server message>" in e. *ret_applied (optional) gets the
 * number applied now (0 when already current). */
int db_migrate(struct db_conn *c, const struct db_migration *m, size_t n, int *ret_applied,
               struct err *e);
/* The highest applied version, 0 when none (or no schema_migrations table). */
int db_schema_version(struct db_conn *c, int *ret_version, struct err *e);

/* ---- cleanup helpers ---------------------------------------------------------------------- */

static inline void db_pool_freep(struct db_pool **p)
{
        db_pool_free(*p);
}
static inline void db_pool_releasep(struct db_conn **c)
{
        db_pool_release(*c);
}
#define _cleanup_db_conn_ __attribute__((cleanup(db_pool_releasep)))
static inline void db_conn_closep(struct db_conn **c)
{
        db_conn_close(*c);
}
static inline void db_result_freep(struct db_result **r)
{
        db_result_free(*r);
}
#define _cleanup_db_result_ __attribute__((cleanup(db_result_freep)))
static inline void db_txp(struct db_tx *tx)
{
        db_rollback(tx);
}
#define _cleanup_db_tx_ __attribute__((cleanup(db_txp)))

#endif
