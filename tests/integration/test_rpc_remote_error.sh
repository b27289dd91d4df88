#!/usr/bin/env bash
# (c) Call round trips through a real RabbitMQ: a result comes back; a remote Magnum exception
# comes back with its class, message and HTTP code; an unknown method is oslo's NoSuchMethod; a
# cast reaches the server with the caller's request id in the server's log context; duplicates
# (same _unique_id) run once; an undecodable message is dead-lettered once; a transient handler
# failure is requeued once and dead-lettered the second time; SIGTERM lets an in-flight call
# finish and reply.
set -euo pipefail
tool=$1
. "$(dirname "$0")/test_rpc_lib.sh"
trap rpc_cleanup EXIT

rabbit_start
topic=rpc-it-$$
rpc_bg serve "$tool" serve "$RPC_TEST_URL" "$topic"
srv=$RPC_LAST_PID
wait_for_line "$RPC_TEST_DIR/serve.out" '^ready$' 60 || rpc_fail "server did not connect"

out=$("$tool" call "$RPC_TEST_URL" "$topic" ping '{}' 10000)
[ "$out" = true ] || rpc_fail "ping returned '$out'"

set +e
out=$("$tool" call "$RPC_TEST_URL" "$topic" fail \
	'{"class":"ClusterNotFound","code":404,"message":"Cluster 5d12 could not be found."}' 10000)
rc=$?
set -e
echo "$out"
[ "$rc" = 1 ] || rpc_fail "failing call exited $rc"
[ "$out" = "error errno=EREMOTEIO http=404 class=ClusterNotFound message=Cluster 5d12 could not be found." ] ||
	rpc_fail "remote error lost its class/code/message"

set +e
out=$("$tool" call "$RPC_TEST_URL" "$topic" fail '{"class":"Conflict","code":409,"message":"busy"}' 10000)
set -e
echo "$out" | grep -q 'http=409 class=Conflict message=busy' || rpc_fail "409 not kept: $out"

set +e
out=$("$tool" call "$RPC_TEST_URL" "$topic" no_such_method '{}' 10000)
set -e
echo "$out"
echo "$out" | grep -q 'class=NoSuchMethod message=Endpoint does not support RPC method no_such_method' ||
	rpc_fail "unknown method not reported as NoSuchMethod"

RPC_REQUEST_ID=req-11111111-2222-4333-8444-555555555555 \
	"$tool" cast "$RPC_TEST_URL" "$topic" echo '{"message":"hello-c"}' | grep -qx ok
wait_for_line "$RPC_TEST_DIR/serve.out" '^echo hello-c req=req-11111111-2222-4333-8444-555555555555$' 20 ||
	rpc_fail "cast not delivered with its request id"
grep -q 'req=req-11111111-2222-4333-8444-555555555555 event=echo' "$RPC_TEST_DIR/serve.err" ||
	rpc_fail "request id not in the server's log lines"

# a message published twice with one _unique_id is handled once
"$tool" dupcast "$RPC_TEST_URL" "$topic" echo '{"message":"dup-once"}' | grep -qx ok
# an undecodable message is dead-lettered (rejected, not requeued) and the server keeps serving
"$tool" raw "$RPC_TEST_URL" "$topic" 'not-an-oslo-envelope{' 1 | grep -qx ok
wait_for_line "$RPC_TEST_DIR/serve.err" 'event=rpc_dead_letter reason=malformed' 20 ||
	rpc_fail "malformed message not dead-lettered"
out=$("$tool" call "$RPC_TEST_URL" "$topic" ping '{}' 10000)
[ "$out" = true ] || rpc_fail "server stopped serving after a malformed message"
wait_for_line "$RPC_TEST_DIR/serve.err" 'event=rpc_duplicate_ignored' 20 || rpc_fail "duplicate not noticed"
[ "$(grep -c '^echo dup-once ' "$RPC_TEST_DIR/serve.out")" = 1 ] || rpc_fail "duplicate handled twice"
[ "$(grep -c 'event=rpc_dead_letter' "$RPC_TEST_DIR/serve.err")" = 1 ] ||
	rpc_fail "malformed message was redelivered"

# a transient handler error (-EAGAIN) requeues once, then the message runs again
"$tool" cast "$RPC_TEST_URL" "$topic" flaky '{"key":"k1"}' | grep -qx ok
wait_for_line "$RPC_TEST_DIR/serve.out" '^flaky k1 attempt 2$' 20 || rpc_fail "transient failure not retried"
grep -q 'event=rpc_requeue method=flaky' "$RPC_TEST_DIR/serve.err" || rpc_fail "requeue not logged"
# ...and a second transient failure dead-letters it instead of looping
"$tool" cast "$RPC_TEST_URL" "$topic" flaky '{"key":"k2","always":true}' | grep -qx ok
wait_for_line "$RPC_TEST_DIR/serve.err" 'event=rpc_dead_letter reason=retry_failed_again method=flaky' 20 ||
	rpc_fail "repeated transient failure not dead-lettered"
sleep 1
[ "$(grep -c '^flaky k2 ' "$RPC_TEST_DIR/serve.out")" = 2 ] || rpc_fail "always-failing message ran other than twice"

# a caller that gave up (its reply queue is gone): the reply comes back unroutable, is logged,
# and the server carries on
set +e
out=$("$tool" call "$RPC_TEST_URL" "$topic" slow '{"ms":2500,"key":"gone"}' 1000)
set -e
echo "$out" | grep -q 'errno=ETIMEDOUT' || rpc_fail "short call did not time out: $out"
wait_for_line "$RPC_TEST_DIR/serve.err" 'event=rpc_reply_undeliverable .*reason=caller_gone' 20 ||
	rpc_fail "reply to a vanished caller not detected"
out=$("$tool" call "$RPC_TEST_URL" "$topic" ping '{}' 10000)
[ "$out" = true ] || rpc_fail "server unhealthy after an undeliverable reply"

# SIGTERM while a call is in flight: the handler finishes, the caller gets its reply, exit 0
rpc_bg slowcall "$tool" call "$RPC_TEST_URL" "$topic" slow '{"ms":3000,"key":"inflight"}' 20000
caller=$RPC_LAST_PID
wait_for_line "$RPC_TEST_DIR/serve.out" '^slow start inflight$' 20 || rpc_fail "slow call never started"
stop_pid "$srv" 20 || rpc_fail "server did not exit cleanly on SIGTERM"
wait "$caller" || rpc_fail "in-flight call failed on SIGTERM: $(cat "$RPC_TEST_DIR/slowcall.out")"
[ "$(cat "$RPC_TEST_DIR/slowcall.out")" = '"slept"' ] || rpc_fail "in-flight call lost its reply"
rpc_say PASS
