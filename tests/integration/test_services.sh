#!/usr/bin/env bash
# The private services of scripts/services, as a developer or another test uses them:
#   - `services start` is idempotent: a second start keeps the same processes;
#   - PostgreSQL answers SQL in the magnum and keystone databases;
#   - RabbitMQ answers `rabbitmq-diagnostics ping` and speaks AMQP 0-9-1 on its port;
#   - Keystone issues a token for demo (real openstack client, demo-openrc) whose catalog lists
#     every service magnum-c needs, and answers a wrong password with 401.
# Leaves the services running (other tests share them); scripts/test stops what it started.
set -euo pipefail
root=${MC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"

failures=0
ok()
{
	echo "ok: $*"
}
fail()
{
	echo "FAIL: $*"
	failures=$((failures + 1))
}

"$root/scripts/services" start || {
	echo "FAIL: scripts/services start"
	exit 1
}
pids1="$(mc_pid pg) $(mc_pid rabbitmq) $(mc_pid keystone)"
"$root/scripts/services" start
pids2="$(mc_pid pg) $(mc_pid rabbitmq) $(mc_pid keystone)"
if [ "$pids1" = "$pids2" ]; then
	ok "second start kept the same processes ($pids1)"
else
	fail "second start changed processes: '$pids1' -> '$pids2'"
fi
"$root/scripts/services" status && ok "status reports all running" || fail "status"

# shellcheck disable=SC1091
. "$MC_STATE_DIR/env"
[ "$MC_PG_URL" = "postgresql://postgres@127.0.0.1:15432/magnum" ] && ok "env: MC_PG_URL" ||
	fail "env: MC_PG_URL=$MC_PG_URL"
[ "$MC_AMQP_URL" = "rabbit://guest:guest@127.0.0.1:5682/" ] && ok "env: MC_AMQP_URL" ||
	fail "env: MC_AMQP_URL=$MC_AMQP_URL"

# PostgreSQL
for db in magnum keystone; do
	got=$(psql -X -At "postgresql://postgres@127.0.0.1:$MC_PG_PORT/$db" -c "SELECT current_database(), 6*7" 2>&1) || true
	[ "$got" = "$db|42" ] && ok "PostgreSQL answers SQL in $db" || fail "PostgreSQL in $db: $got"
done
got=$(psql -X -At "postgresql://postgres@127.0.0.1:$MC_PG_PORT/keystone" \
	-c "SELECT count(*) > 0 FROM information_schema.tables WHERE table_name = 'project'" 2>&1) || true
[ "$got" = t ] && ok "keystone's schema lives in our PostgreSQL" || fail "keystone schema: $got"

# RabbitMQ: the management CLI's ping against our private node, then an AMQP protocol header,
# to which a broker answers with a Connection.Start method frame (type 1, channel 0).
# (The CLI is a whole Erlang VM: on a saturated machine give it time, and a second chance.)
for attempt in 1 2; do
	got=$(
		export HOME=$MC_RABBIT_DIR ERL_EPMD_PORT=$MC_EPMD_PORT RABBITMQ_NODENAME=$MC_RABBIT_NODE
		timeout 180 /usr/lib/rabbitmq/bin/rabbitmq-diagnostics -q ping 2>&1
	) || true
	grep -q "Ping succeeded" <<<"$got" && break
done
grep -q "Ping succeeded" <<<"$got" && ok "rabbitmq-diagnostics ping" || fail "rabbitmq ping: $got"
got=$(
	exec 3<>"/dev/tcp/127.0.0.1/$MC_AMQP_PORT"
	printf 'AMQP\x00\x00\x09\x01' >&3
	timeout 5 head -c 7 <&3 | od -An -tx1 | tr -d ' \n'
) || true
[ "${got:0:6}" = 010000 ] && ok "AMQP 0-9-1 handshake starts on $MC_AMQP_PORT" ||
	fail "AMQP handshake: got '$got'"

# Keystone, through the real client: demo logs in (password, project demo) and reads the
# catalog of its token, every service magnum-c needs with its public URL.
catalog=$(
	mc_source_openrc demo
	"$MC_OPENSTACK" catalog list -f json 2>&1
) || true
want='{"identity": "http://127.0.0.1:5000/v3",
 "container-infra": "http://127.0.0.1:9511/v1",
 "orchestration": "http://127.0.0.1:8004/v1/<demo>",
 "compute": "http://127.0.0.1:8774/v2.1", "network": "http://127.0.0.1:9696",
 "image": "http://127.0.0.1:9292", "volumev3": "http://127.0.0.1:8776/v3/<demo>",
 "load-balancer": "http://127.0.0.1:9876"}'
while IFS= read -r line; do
	case "$line" in
	ok:*) ok "${line#ok: }" ;;
	*) fail "${line#FAIL: }" ;;
	esac
done < <("$MC_PYTHON" - "$catalog" "$want" <<'PY' 2>&1
import json, re, sys
try:
    catalog = json.loads(sys.argv[1])
except ValueError:
    print("FAIL: demo could not list its catalog: " + sys.argv[1][:300])
    sys.exit()
want = json.loads(sys.argv[2])
for stype, url in want.items():
    entry = [c for c in catalog if c["Type"] == stype]
    if not entry:
        print("FAIL: catalog lacks %s" % stype)
        continue
    eps = entry[0]["Endpoints"]
    # A list of endpoints (json) or, in older clients, "region\n  public: url" text.
    if isinstance(eps, str):
        text, found = eps, re.findall(r"public: (\S+)", eps)
    else:
        text, found = json.dumps(eps), [e["url"] for e in eps if e.get("interface") == "public"]
    # %(tenant_id)s / %(project_id)s come back substituted with demo's project id.
    pattern = re.escape(url).replace(re.escape("<demo>"), "[0-9a-f]{32}")
    if any(re.fullmatch(pattern, u) for u in found):
        print("ok: catalog lists %s at %s" % (stype, url))
    else:
        print("FAIL: %s endpoints %s, want public %s" % (stype, text, url))
PY
)

body='{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"demo",
 "domain":{"id":"default"},"password":"wrong"}}}}}'
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	-d "$body" "$MC_KEYSTONE_URL/auth/tokens")
[ "$code" = 401 ] && ok "wrong password gets 401" || fail "wrong password got $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	-d "${body/wrong/$MC_PASSWORD}" "$MC_KEYSTONE_URL/auth/tokens")
[ "$code" = 201 ] && ok "right password gets 201" || fail "right password got $code"

# The trustee domain and its admin, as Magnum's [trust] section expects them.
got=$(
	mc_source_openrc admin
	"$MC_OPENSTACK" role assignment list --domain magnum --user magnum_domain_admin \
		--user-domain magnum --names -f value -c Role 2>&1
) || true
[ "$got" = admin ] && ok "magnum_domain_admin is admin of domain magnum" ||
	fail "trustee domain admin: $got"

if [ $failures -gt 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
