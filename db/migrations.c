/* Magnum's embedded schema applied through the generic runner: see migrations.h. */
#include "common/common.h"
#include "db/migrations.h"

int magnum_db_upgrade(struct db_conn *c, int *ret_applied, struct err *e)
{
        return db_migrate(c, magnum_migrations, magnum_migrations_count, ret_applied, e);
}

int magnum_db_latest_version(void)
{
        return magnum_migrations_count ? magnum_migrations[magnum_migrations_count - 1].version : 0;
}
