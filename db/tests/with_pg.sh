#!/usr/bin/env bash
# with_pg.sh CMD... - runs CMD with MC_TEST_PG_ADMIN_URL pointing at a PostgreSQL superuser
# connection to the `postgres` database. Uses $MC_TEST_PG_ADMIN_URL when already set, else
# starts the private server with scripts/services (idempotent) and uses its fixed port.
set -euo pipefail
root=${MC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
if [ -z "${MC_TEST_PG_ADMIN_URL:-}" ]; then
	if [ ! -x "$root/scripts/services" ]; then
		echo "with_pg.sh: no scripts/services and MC_TEST_PG_ADMIN_URL unset" >&2
		exit 1
	fi
	# shellcheck source=scripts/lib.sh
	. "$root/scripts/lib.sh"
	if ! "$root/scripts/services" start pg >&2; then
		echo "with_pg.sh: warning: scripts/services start pg failed" >&2
	fi
	if ! /usr/lib/postgresql/15/bin/pg_isready -q -h "$MC_HOST" -p "$MC_PG_PORT"; then
		echo "with_pg.sh: PostgreSQL is not accepting connections on port $MC_PG_PORT" >&2
		exit 1
	fi
	MC_TEST_PG_ADMIN_URL="postgresql://$MC_PG_USER@$MC_HOST:$MC_PG_PORT/postgres"
fi
export MC_TEST_PG_ADMIN_URL
exec "$@"
