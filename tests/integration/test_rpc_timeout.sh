#!/usr/bin/env bash
# (a) A call to a topic no conductor serves times out with oslo's clear message, and the call's
# message does not linger in the queue afterwards (it expires with the call).
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
