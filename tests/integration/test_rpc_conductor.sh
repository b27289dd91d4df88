#!/usr/bin/env bash
# (d) magnum-conductor end to end with real PostgreSQL and RabbitMQ: it registers in
# magnum_service (binary magnum-conductor, our [DEFAULT] host), heartbeats (report_count grows
# every periodic_interval_max), answers ping_conductor (call → true) and echo (cast, logged with
# the caller's request id), and on SIGTERM stops consuming and exits 0. Works in a fresh
# database mc_rpc_<random> (dropped at exit) on the private PostgreSQL (db/tests/with_pg.sh).
set -euo pipefail
conductor=$1
tool=$2
dbmanage=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ -z "${MC_TEST_PG_ADMIN_URL:-}" ]; then
	exec "$root/db/tests/with_pg.sh" "$0" "$@"
fi
. "$here/test_rpc_lib.sh"
admin=$MC_TEST_PG_ADMIN_URL
db=mc_rpc_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
dburl=${admin%/*}/$db
psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -d "$admin" "$@"; }
cleanup()
{
	rpc_cleanup
	psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

psql_admin -c "CREATE DATABASE $db"
conf=$RPC_TEST_DIR/magnum.conf
cat >"$conf" <<CONF
[DEFAULT]
transport_url = $RPC_TEST_URL
host = rpc-it-host-$$
periodic_interval_max = 1

[conductor]
workers = 2

[database]
connection = $dburl
CONF
"$dbmanage" --config-file "$conf" upgrade >/dev/null

rabbit_start
rpc_bg conductor "$conductor" --config-file "$conf"
cpid=$RPC_LAST_PID
wait_for_line "$RPC_TEST_DIR/conductor.err" 'event=rpc_worker_connected worker=1' 60 ||
	rpc_fail "conductor did not connect: $(tail -5 "$RPC_TEST_DIR/conductor.err")"

row() { psql -X -At -d "$dburl" -c "SELECT host, \"binary\", report_count FROM magnum_service"; }
first=$(row)
echo "magnum_service: $first"
[[ "$first" == "rpc-it-host-$$|magnum-conductor|"* ]] || rpc_fail "not registered: '$first'"
[ "$(psql -X -At -d "$dburl" -c "SELECT count(*) FROM magnum_service")" = 1 ] ||
	rpc_fail "more than one magnum_service row"
c1=${first##*|}
[ "$c1" -ge 1 ] || rpc_fail "no heartbeat at start (report_count $c1)"
for ((i = 0; i < 100; i++)); do
	c2=$(row)
	c2=${c2##*|}
	[ "$c2" -ge $((c1 + 2)) ] && break
	sleep 0.1
done
[ "$c2" -ge $((c1 + 2)) ] || rpc_fail "report_count did not grow ($c1 → $c2)"
[ "$(psql -X -At -d "$dburl" -c "SELECT last_seen_up IS NOT NULL FROM magnum_service")" = t ] ||
	rpc_fail "last_seen_up not set"

out=$("$tool" call "$RPC_TEST_URL" magnum-conductor ping_conductor '{}' 10000)
[ "$out" = true ] || rpc_fail "ping_conductor returned '$out'"
RPC_REQUEST_ID=req-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee \
	"$tool" cast "$RPC_TEST_URL" magnum-conductor echo '{"message":"hello conductor"}' | grep -qx ok
wait_for_line "$RPC_TEST_DIR/conductor.err" \
	'req=req-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee event=echo message="hello conductor"' 20 ||
	rpc_fail "echo not logged with the request id"

rc=0
stop_pid "$cpid" 10 || rc=$?
[ "$rc" = 0 ] || rpc_fail "conductor exit status $rc on SIGTERM: $(tail -5 "$RPC_TEST_DIR/conductor.err")"
grep -q 'event=stopped' "$RPC_TEST_DIR/conductor.err" || rpc_fail "no clean stop logged"

# stopped means stopped consuming: a ping now times out
set +e
out=$("$tool" call "$RPC_TEST_URL" magnum-conductor ping_conductor '{}' 1500)
set -e
echo "$out" | grep -q 'errno=ETIMEDOUT' || rpc_fail "a stopped conductor still answered: $out"

# bad configuration is refused with a clear message
printf '[DEFAULT]\ntransport_url = kafka://x/\n[database]\nconnection = %s\n' "$dburl" >"$RPC_TEST_DIR/bad.conf"
set +e
out=$("$conductor" --config-file "$RPC_TEST_DIR/bad.conf" 2>&1)
rc=$?
set -e
[ "$rc" = 1 ] && grep -q "unsupported transport 'kafka'" <<<"$out" || rpc_fail "bad transport_url: rc=$rc $out"
rpc_say PASS
