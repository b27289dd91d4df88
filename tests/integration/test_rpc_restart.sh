#!/usr/bin/env bash
# (b) Durability across a RabbitMQ restart:
#   1. a cast made while the broker is down returns only after the broker is back and has
#      confirmed it, and the (reconnected) server receives it;
#   2. a cast confirmed while no server runs survives a broker restart (durable queue,
#      persistent message) and is delivered to a server started afterwards.
set -euo pipefail
tool=$1
. "$(dirname "$0")/test_rpc_lib.sh"
trap rpc_cleanup EXIT

rabbit_start
topic=rpc-restart-$$
rpc_bg serve "$tool" serve "$RPC_TEST_URL" "$topic"
srv=$RPC_LAST_PID
wait_for_line "$RPC_TEST_DIR/serve.out" '^ready$' 60 || rpc_fail "server did not connect"

rabbit_stop
rpc_say "broker stopped; casting"
RPC_TIMEOUT=120 rpc_bg cast1 "$tool" cast "$RPC_TEST_URL" "$topic" echo '{"message":"during-restart"}'
caster=$RPC_LAST_PID
sleep 3
kill -0 "$caster" 2>/dev/null || rpc_fail "cast returned while the broker was down: $(cat "$RPC_TEST_DIR/cast1.out")"
rabbit_start
rpc_say "broker back"
wait "$caster" || rpc_fail "cast failed: $(cat "$RPC_TEST_DIR/cast1.out")"
grep -qx ok "$RPC_TEST_DIR/cast1.out" || rpc_fail "cast did not confirm"
wait_for_line "$RPC_TEST_DIR/serve.out" '^echo during-restart ' 60 ||
	rpc_fail "cast made during the restart was not delivered"
[ "$(grep -c '^echo during-restart ' "$RPC_TEST_DIR/serve.out")" = 1 ] ||
	rpc_fail "cast delivered more than once"
grep -q 'event=amqp_connect_failed' "$RPC_TEST_DIR/cast1.err" ||
	rpc_fail "client did not log its reconnect attempts"

stop_pid "$srv" 20 || rpc_fail "server did not exit cleanly"
"$tool" cast "$RPC_TEST_URL" "$topic" echo '{"message":"queued-while-down"}' | grep -qx ok
rabbit_stop
rabbit_start
rpc_bg serve2 "$tool" serve "$RPC_TEST_URL" "$topic"
srv=$RPC_LAST_PID
wait_for_line "$RPC_TEST_DIR/serve2.out" '^echo queued-while-down ' 60 ||
	rpc_fail "confirmed cast did not survive the broker restart"
stop_pid "$srv" 20 || rpc_fail "second server did not exit cleanly"
rpc_say PASS
