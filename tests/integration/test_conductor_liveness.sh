#!/usr/bin/env bash
# A conductor's liveness as `openstack coe service list` shows it (spec magnum.md §7): a running
# magnum-conductor heartbeats and stays "up" well past service_down_time; once it is killed
# (SIGKILL: no chance to say goodbye) it turns "down" after service_down_time.
# Small intervals (heartbeat 1 s, service_down_time 6 s) keep the test short.
. "$MC_SOURCE_DIR/api/tests/lib-api-it.sh"

"$MC_SOURCE_DIR/scripts/services" start rabbitmq >/dev/null
# shellcheck disable=SC1091
. "$MC_STATE_DIR/env"
setup_db
HOST=liveness-$$
COND_PID=
trap 'if [ -n "$COND_PID" ]; then kill -9 "$COND_PID" 2>/dev/null || true; fi; cleanup' EXIT

cat >"$TMP/conductor.conf" <<CONF
[DEFAULT]
transport_url = $MC_AMQP_URL
host = $HOST
periodic_interval_max = 1
[conductor]
topic = mc-liveness-$$
[database]
connection = $DB_URL
CONF
PORT=$(free_port)
cat >"$TMP/api.conf" <<CONF
[DEFAULT]
auth_strategy = noauth
service_down_time = 6
[api]
port = $PORT
[database]
connection = $DB_URL
CONF
start_api "$TMP/api.conf" "$PORT"
osc() { "$OPENSTACK" --os-auth-type none --os-endpoint "http://127.0.0.1:$PORT/v1" "$@"; }
# state of our host, "" when not listed
state() { osc coe service list -f json | "$PY" -c "import json,sys; print(''.join(s['state'] for s in json.load(sys.stdin) if s['host'] == '$HOST'))"; }
count() { sql "SELECT report_count FROM magnum_service WHERE host = '$HOST'"; }

"$MC_BUILD_DIR/conductor/magnum-conductor" --config-file "$TMP/conductor.conf" \
	>"$TMP/conductor.log" 2>&1 &
COND_PID=$!
for _ in $(seq 300); do
	[ "$(state)" = up ] && break
	kill -0 "$COND_PID" 2>/dev/null || { tail -20 "$TMP/conductor.log"; fail "conductor exited"; }
	sleep 0.1
done
[ "$(state)" = up ] || fail "conductor never listed as up"

# Alive for longer than service_down_time: still up, and the heartbeat count keeps rising.
c1=$(count)
sleep 8
[ "$(state)" = up ] || fail "a running conductor went down"
c2=$(count)
[ "$c2" -gt "$c1" ] || fail "report_count did not increase ($c1 -> $c2)"

kill -9 "$COND_PID"
wait "$COND_PID" 2>/dev/null || true
COND_PID=
s=
for _ in $(seq 60); do
	s=$(state)
	[ "$s" = down ] && break
	sleep 0.5
done
[ "$s" = down ] || fail "killed conductor still listed as '$s'"
c3=$(count)
sleep 2
[ "$(count)" = "$c3" ] || fail "report_count still moving after the kill"
stop_api
echo "PASS test_conductor_liveness (report_count $c1 -> $c2 -> $c3)"
