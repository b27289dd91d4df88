/*
 * object: generic row access for Magnum's object tables (cluster_template, cluster, nodegroup,
 * quotas, federation, x509keypair). Each table is a static descriptor of its columns; rows
 * travel as jansson objects keyed by column name with typed values (text → string, integer,
 * boolean, JSON columns parsed, timestamps as Python-isoformat UTC strings, SQL NULL → null).
 *
 * SQL is assembled only from the identifiers in these static descriptors (and sort keys that
 * were checked against them); every value is a $n parameter.
 *
 *   struct dbo_filter f[] = {{"name", name}};
 *   struct dbo_query q = {.filters = f, .n_filters = 1, .project_id = ctx_project};
 *   json_auto_t *rows = NULL;
 *   r = dbo_select(c, &dbo_cluster, &q, &rows, &e);
 */
#ifndef MC_DB_OBJECT_H
#define MC_DB_OBJECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/db.h"
#include "common/err.h"

enum dbo_type { DBO_TEXT, DBO_INT, DBO_BOOL, DBO_JSON, DBO_TIME };

struct dbo_column {
        const char *name;
        enum dbo_type type;
        /* When set, the column is computed by this SQL expression (read-only, not sortable);
         * "%T" in it stands for the table name. */
        const char *expr;
        /* Expensive computed column: left out (absent from rows) when dbo_query.skip_heavy. */
        bool heavy;
};

struct dbo_table {
        const char *name;
        const struct dbo_column *cols;
        size_t n_cols;
        /* visibility columns, NULL when the table has none */
        const char *public_col, *hidden_col;
        /* Extra FROM clause for computed columns (e.g. a LEFT JOIN LATERAL aggregate); "%T"
         * stands for the table name. NULL = none. */
        const char *join;
};

extern const struct dbo_table dbo_cluster_template;
extern const struct dbo_table dbo_cluster;
extern const struct dbo_table dbo_nodegroup;
extern const struct dbo_table dbo_quota;
extern const struct dbo_table dbo_federation;
extern const struct dbo_table dbo_x509keypair;

/* Equality filter; value NULL means IS NULL. */
struct dbo_filter {
        const char *col;
        const char *value;
};

enum dbo_visibility {
        DBO_VIS_PROJECT = 0,             /* project_id = $project (when project_id set) */
        DBO_VIS_PROJECT_OR_PUBLIC,       /* ... OR public */
        DBO_VIS_PROJECT_OR_PUBLIC_SHOWN, /* ... OR (public AND NOT hidden) */
};

struct dbo_query {
        const struct dbo_filter *filters;
        size_t n_filters;
        const char *project_id; /* NULL = every project */
        enum dbo_visibility visibility;
        const char *sort_key; /* NULL = "id"; must be a real column (dbo_sortable) */
        bool sort_desc;
        long limit;           /* <= 0 = no limit */
        const json_t *marker; /* keyset position: a row previously returned, or NULL */
        bool skip_heavy;      /* leave out columns marked heavy (list views) */
        /* Only these columns (NULL-terminated names; "id" always comes too); NULL = all. */
        const char *const *columns;
};

/* The column named `name` (stored or computed), NULL when none. */
const struct dbo_column *dbo_column(const struct dbo_table *t, const char *name);
/* True when `name` is a stored column one may sort by. */
bool dbo_sortable(const struct dbo_table *t, const char *name);

/* Rows matching q, ordered by (sort_key, id). *ret is a new array. */
int dbo_select(struct db_conn *c, const struct dbo_table *t, const struct dbo_query *q,
               json_t **ret, struct err *e);
/* Exactly one row matching q: -ENOENT none, -ENOTUNIQ several. *ret new object. */
int dbo_get_one(struct db_conn *c, const struct dbo_table *t, const struct dbo_query *q,
                json_t **ret, struct err *e);
/* Number of rows matching q (sort/limit/marker ignored). */
int dbo_count(struct db_conn *c, const struct dbo_table *t, const struct dbo_query *q, int64_t *ret,
              struct err *e);
/* Inserts the stored columns present in obj (created_at = now unless given); *ret (optional)
 * gets the new row. -EEXIST on a unique violation. */
int dbo_insert(struct db_conn *c, const struct dbo_table *t, const json_t *obj, json_t **ret,
               struct err *e);
/* Updates row `id` with the stored columns present in changes (updated_at = now); *ret
 * (optional) gets the row after. -ENOENT when gone. */
int dbo_update(struct db_conn *c, const struct dbo_table *t, int64_t id, const json_t *changes,
               json_t **ret, struct err *e);
/* Deletes row `id`; -ENOENT when gone. */
int dbo_delete(struct db_conn *c, const struct dbo_table *t, int64_t id, struct err *e);

/* One change generation to read (db/migrations/0003 and 0004): group `name` ("clusters",
 * "templates"), for one project (`project` non-empty: only that project's rows changed it)
 * or for all ("" or NULL: the global counter). */
struct dbo_gen_req {
        const char *name;
        const char *project;
};
/* Reads the generations asked for into ret[0..n), in one statement (one snapshot). A project
 * counter never bumped reads 0; a group without its global counter → -ENOENT. At most one
 * distinct non-empty project per call (-EINVAL otherwise). */
int dbo_generations(struct db_conn *c, const struct dbo_gen_req *reqs, size_t n, int64_t *ret,
                    struct err *e);

#endif
