/*
 * The umbrella of Magnum's data-access layer (library mc_db): one header per table family,
 * each with its own .c file in db/ -
 *
 *   db/service.h      magnum_service      (register, heartbeat, list)
 *   db/migrations.h   the embedded schema  (upgrade, version)
 *   db/cluster.h, db/cluster_template.h, db/nodegroup.h, ... added by their owners
 *
 * Include the specific header where only one family is needed; this one pulls in all of them.
 * Every function takes a `struct db_conn *` checked out of a common/db.h pool by the caller, so
 * the caller decides transaction boundaries (db_begin / db_commit around several calls).
 */
#ifndef MC_MAGNUM_DB_H
#define MC_MAGNUM_DB_H

#include "common/db.h"
#include "db/migrations.h"
#include "db/service.h"

#endif
