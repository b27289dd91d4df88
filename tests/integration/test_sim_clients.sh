#!/usr/bin/env bash
# magnum-sim against the real OpenStack clients, authenticated by the real Keystone:
# openstack server list/show, network list, subnet list, floating ip list, image list,
# loadbalancer list/show (python3-octaviaclient), plus the real error for a missing server.
set -euo pipefail
SRC=${MC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${MC_BUILD_DIR:-$SRC/build}
. "$SRC/scripts/lib.sh"
"$SRC/scripts/services" start >/dev/null
STATE=${MC_STATE_DIR:-$SRC/.state}
# shellcheck disable=SC1091
. "$STATE/demo-openrc"
OS=/usr/bin/openstack

# The clients find the sim through the Keystone catalog, so this test needs the catalog ports
# (stop a quickstart sim first: scripts/stop).
if (exec 3<>/dev/tcp/127.0.0.1/8774) 2>/dev/null; then
	echo "FAIL: something already listens on 8774" >&2; exit 1
fi
DIR=$(mktemp -d /tmp/mc-sim-clients.XXXXXX)
"$BUILD/sim/magnum-sim" --set sim.state_dir="$DIR" --set sim.boot_delay_ms=300 >"$DIR/sim.log" 2>&1 &
SIM=$!
cleanup() { kill "$SIM" 2>/dev/null || true; wait "$SIM" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/8799) 2>/dev/null && break; sleep 0.05; done

fail() { echo "FAIL: $*" >&2; echo "--- sim log" >&2; tail -30 "$DIR/sim.log" >&2; exit 1; }
ok() { echo "ok: $*"; }

out=$($OS image list -f value -c Name)
grep -qx fedora-coreos-latest <<<"$out" || fail "image list lacks fedora-coreos-latest: $out"
ok "image list shows the seeded COE images"
$OS image show fedora-coreos-latest -f json | grep -q '"os_distro": "fedora-coreos"' ||
	grep -q 'os_distro' <<<"$($OS image show fedora-coreos-latest -f json)" || fail "image os_distro"
ok "image show carries os_distro"

$OS network create cnet -f value -c id >/dev/null
$OS subnet create csub --network cnet --subnet-range 10.1.0.0/24 >/dev/null
$OS router create crouter >/dev/null
$OS router set crouter --external-gateway public
$OS router add subnet crouter csub
out=$($OS network list -f value -c Name)
grep -qx cnet <<<"$out" && grep -qx public <<<"$out" || fail "network list: $out"
ok "network list shows cnet and public"
out=$($OS subnet list -f value -c Name -c Subnet)
grep -q "csub 10.1.0.0/24" <<<"$out" || fail "subnet list: $out"
ok "subnet list shows csub 10.1.0.0/24"

$OS server create --image fedora-coreos-latest --flavor m1.small --network cnet cvm -f value -c id >/dev/null
for _ in $(seq 50); do
	st=$($OS server show cvm -f value -c status); [ "$st" = ACTIVE ] && break; sleep 0.2
done
[ "$st" = ACTIVE ] || fail "server never became ACTIVE ($st)"
ok "server BUILD -> ACTIVE"
out=$($OS server list -f value -c Name -c Status -c Networks)
grep -q "cvm ACTIVE" <<<"$out" && grep -q "10.1.0." <<<"$out" || fail "server list: $out"
ok "server list shows cvm ACTIVE with its fixed IP"
fip=$($OS floating ip create public -f value -c floating_ip_address)
$OS server add floating ip cvm "$fip"
$OS server show cvm -f value -c addresses | grep -q "$fip" || fail "floating IP not in server addresses"
ok "server show lists fixed and floating addresses"
out=$($OS floating ip list -f value -c "Floating IP Address" -c "Fixed IP Address")
grep -q "$fip 10.1.0." <<<"$out" || fail "floating ip list: $out"
ok "floating ip list shows $fip -> fixed IP"
if err=$($OS server show does-not-exist 2>&1); then fail "show of a missing server succeeded"; fi
grep -q "No server with a name or ID of 'does-not-exist' exists." <<<"$err" || fail "missing server error: $err"
ok "missing server -> the client's not-found error"

$OS loadbalancer create --name clb --vip-subnet-id csub >/dev/null
for _ in $(seq 50); do
	st=$($OS loadbalancer show clb -f value -c provisioning_status); [ "$st" = ACTIVE ] && break; sleep 0.2
done
[ "$st" = ACTIVE ] || fail "load balancer never ACTIVE ($st)"
out=$($OS loadbalancer list -f value -c name -c provisioning_status -c vip_address)
grep -q "clb 10.1.0.[0-9]* ACTIVE" <<<"$out" || fail "loadbalancer list: $out"
ok "loadbalancer list/show: clb ACTIVE on its VIP"

# a token Keystone does not know is refused as keystonemiddleware refuses it
code=$(curl -s -o "$DIR/body" -w '%{http_code}' -H 'X-Auth-Token: bogus' http://127.0.0.1:8774/v2.1/servers)
[ "$code" = 401 ] && grep -q '"Unauthorized"' "$DIR/body" || fail "bogus token -> $code $(cat "$DIR/body")"
ok "invalid token -> 401"

$OS server delete cvm
for _ in $(seq 50); do $OS server show cvm >/dev/null 2>&1 || break; sleep 0.2; done
$OS server show cvm >/dev/null 2>&1 && fail "server still there after delete"
ok "server delete"
cleanup
trap - EXIT
if grep -q -e "Sanitizer" -e "runtime error" "$DIR/sim.log"; then fail "sanitizer report"; fi
echo PASS
