#!/usr/bin/env bash
# (a) A call to a topic no conductor serves times out with oslo's clear message, and the
# broker being down for the whole call also ends in that timeout. Also: failover
# across hosts of the transport_url, and broker errors translated into clear messages.
set -euo pipefail
tool=$1
. "$(dirname "$0")/test_rpc_lib.sh"
trap rpc_cleanup EXIT

rabbit_start
set +e
out=$("$tool" call "$RPC_TEST_URL" magnum-conductor ping_conductor '{}' 2000)
rc=$?
set -e
echo "$out"
[ "$rc" = 1 ] || rpc_fail "call exited $rc, expected 1"
echo "$out" | grep -Eq '^error errno=ETIMEDOUT .*message=Timed out waiting for a reply to message ID [0-9a-f]{32}$' ||
	rpc_fail "no clear timeout error"

# several hosts: the first one is dead, the second one takes the cast
out=$("$tool" cast "rabbit://guest:guest@127.0.0.1:1,guest:guest@127.0.0.1:$RPC_TEST_AMQP_PORT/" \
	rpc-timeout-t echo '{"message":"x"}')
[ "$out" = ok ] || rpc_fail "failover to the second host failed: $out"

# broker errors come back translated and without the password; an inequivalent declaration
# fails at once instead of being retried until the timeout
set +e
out=$(RPC_TIMEOUT=3 "$tool" cast "rabbit://guest:Sekr1t@127.0.0.1:$RPC_TEST_AMQP_PORT/" t echo '{}')
set -e
echo "$out"
echo "$out" | grep -q 'ACCESS_REFUSED' || rpc_fail "bad password not reported"
echo "$out" | grep -q 'Sekr1t' && rpc_fail "password leaked into an error"
set +e
out=$(RPC_TIMEOUT=3 "$tool" cast "rabbit://guest:guest@127.0.0.1:$RPC_TEST_AMQP_PORT/nosuchvhost" t echo '{}')
set -e
echo "$out"
echo "$out" | grep -q 'NOT_ALLOWED' || rpc_fail "unknown vhost not reported"
set +e
out=$(RPC_DURABLE=false "$tool" cast "$RPC_TEST_URL" t echo '{}')
set -e
echo "$out"
echo "$out" | grep -q "PRECONDITION_FAILED.*durable" || rpc_fail "durable mismatch not reported"
echo "$out" | grep -q "errno=ETIMEDOUT" && rpc_fail "durable mismatch was retried until the timeout"

# the same with the broker down for the whole call: still a timeout, not a hang or crash
rabbit_stop
set +e
out=$(RPC_TIMEOUT=2 "$tool" call "$RPC_TEST_URL" magnum-conductor ping_conductor '{}' 2000)
rc=$?
set -e
echo "$out"
[ "$rc" = 1 ] || rpc_fail "call with the broker down exited $rc"
echo "$out" | grep -q 'errno=ETIMEDOUT .*Timed out waiting for a reply to message ID' ||
	rpc_fail "broker-down call did not time out clearly"
rpc_say PASS
