# Shared by api/tests/api_*.sh: a private database with the schema, and a magnum-api on a free
# port, both removed at exit. Needs scripts/services (PostgreSQL; Keystone for keystone tests)
# and magnum-db-manage + magnum-api built in $MC_BUILD_DIR.
set -euo pipefail
MC_SOURCE_DIR=${MC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# shellcheck source=scripts/lib.sh
. "$MC_SOURCE_DIR/scripts/lib.sh"
MC_BUILD_DIR=${MC_BUILD_DIR:-$MC_SOURCE_DIR/build}
OPENSTACK=/usr/bin/openstack
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/mc-api-it.XXXXXX)
DB_NAME=mc_api_it_$$
API_PID=
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$MC_PG_PORT" -U postgres)

cleanup()
{
	if [ -n "$API_PID" ]; then
		kill "$API_PID" 2>/dev/null || true
		wait "$API_PID" 2>/dev/null || true
	fi
	"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB_NAME" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT

fail()
{
	echo "FAIL: $*" >&2
	if [ -f "$TMP/api.log" ]; then
		echo "--- magnum-api log (tail)" >&2
		tail -20 "$TMP/api.log" >&2
	fi
	exit 1
}

free_port()
{
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# setup_db: starts PostgreSQL (idempotent) and creates $DB_NAME with the schema.
setup_db()
{
	"$MC_SOURCE_DIR/scripts/services" start pg >/dev/null
	"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB_NAME" >/dev/null
	DB_URL=postgresql://postgres@127.0.0.1:$MC_PG_PORT/$DB_NAME
	printf '[database]\nconnection = %s\n' "$DB_URL" > "$TMP/db.conf"
	"$MC_BUILD_DIR/db/magnum-db-manage" --config-file "$TMP/db.conf" upgrade >/dev/null 2>&1 ||
		fail "magnum-db-manage upgrade failed"
}

sql()
{
	"${PSQL[@]}" -d "$DB_NAME" -At -c "$1"
}

# start_api CONF_FILE PORT: runs magnum-api and waits until /healthcheck answers.
start_api()
{
	"$MC_BUILD_DIR/api/magnum-api" --config-file "$1" >"$TMP/api.log" 2>&1 &
	API_PID=$!
	for _ in $(seq 100); do
		if curl -sf "http://127.0.0.1:$2/healthcheck" >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$API_PID" 2>/dev/null || fail "magnum-api exited"
		sleep 0.1
	done
	fail "magnum-api did not answer on port $2"
}

# stop_api: SIGTERM and check a clean exit (status 0, no sanitizer report).
stop_api()
{
	kill -TERM "$API_PID"
	local rc=0
	wait "$API_PID" || rc=$?
	API_PID=
	[ "$rc" = 0 ] || fail "magnum-api exited with $rc on SIGTERM"
	! grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$TMP/api.log" ||
		fail "sanitizer report in magnum-api log"
}

# jq-less JSON assertion: json_check 'python expression over j' < json
json_check()
{
	"$PY" -c "import json,sys; j=json.load(sys.stdin); sys.exit(0 if ($1) else 1)"
}
