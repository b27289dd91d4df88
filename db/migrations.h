/*
 * Magnum's schema: the db/migrations/NNNN_*.sql files, compiled into the binary at build time
 * (CMake generates db_migrations_data.c), so no install path is involved.
 */
#ifndef MC_DB_MIGRATIONS_H
#define MC_DB_MIGRATIONS_H

#include <stddef.h>

#include "common/db.h"

/* The embedded migrations, in version order. */
extern const struct db_migration magnum_migrations[];
extern const size_t magnum_migrations_count;

/* db_migrate() with magnum_migrations: see common/db.h. */
int magnum_db_upgrade(struct db_conn *c, int *ret_applied, struct err *e);
/* The newest version this binary knows. */
int magnum_db_latest_version(void);

#endif
