#!/usr/bin/env bash
# magnum-api end to end with Keystone auth and the real `openstack coe` client
# (python3-magnumclient 4.0.0): every command family, including the error cases users meet.
#
# Starts (and stops) its own magnum-api on 127.0.0.1:$MC_API_PORT (9511: the port the Keystone
# catalog names for container-infra), a magnum-conductor, a private database and RabbitMQ vhost
# on the shared PostgreSQL/RabbitMQ/Keystone (scripts/services), and magnum-sim, the simulated
# cloud, on the catalog's compute/network/image ports (sim_for_api.sh): magnum-api looks up
# images (os_distro), flavors, keypairs and external networks there through the catalog with
# the user's token. The sim's seed data supplies fedora-coreos-latest, ubuntu-mesos, m1.small
# and the external network `public`; demo's keypair `default` and an image without os_distro
# are created here with the openstack client.
#
# HONEST NOTES: the conductor answering here is conductor/api_support.c (database effects
# only, no Heat stacks), so clusters stay CREATE_IN_PROGRESS; for the nodegroup commands the
# test sets the cluster's api_address in the database, because only a finished stack would
# (nodegroup create needs one).
set -euo pipefail

ROOT=${MC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${MC_BUILD_DIR:-$ROOT/build}
API_BIN=$BUILD/api/magnum-api
COND_BIN=$BUILD/conductor/magnum-conductor
DBM_BIN=$BUILD/db/magnum-db-manage
for b in "$API_BIN" "$COND_BIN" "$DBM_BIN"; do
	[ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }
done

"$ROOT/scripts/services" start >/dev/null
# shellcheck disable=SC1091
. "${MC_STATE_DIR:-$ROOT/.state}/env"
STATE=$MC_STATE_DIR
PY=/usr/bin/python3
OSC=/usr/bin/openstack

API_PORT=${MC_API_PORT:-9511}
if (exec 3<>/dev/tcp/127.0.0.1/"$API_PORT") 2>/dev/null; then
	echo "FAIL: 127.0.0.1:$API_PORT is already in use (another magnum-api?)"
	exit 1
fi

WORK=$(mktemp -d /tmp/mc-api-ks.XXXXXX)
DB=mc_api_ks_$$
VHOST=mc_api_ks_$$
PIDS=()
cleanup()
{
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	psql -q "postgresql://postgres@127.0.0.1:$MC_PG_PORT/postgres" \
		-c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
	rabbitctl delete_vhost "$VHOST" >/dev/null 2>&1 || true
	if [ "${KEEP:-}" = "" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

# rabbitmqctl against the private node (same environment as scripts/services).
rabbitctl()
{
	(
		# shellcheck disable=SC1091
		. "$ROOT/scripts/lib.sh"
		eval "$(sed -n '/^rabbit_env()/,/^}/p' "$ROOT/scripts/services")"
		rabbit_env
		: >"$WORK/rabbit-env.conf"
		chmod 644 "$WORK/rabbit-env.conf"
		export RABBITMQ_CONF_ENV_FILE=$WORK/rabbit-env.conf
		rabbitmqctl --erlang-cookie "$(cat "$MC_RABBIT_DIR/.erlang.cookie")" -q "$@"
	)
}

free_port()
{
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

psql -q "postgresql://postgres@127.0.0.1:$MC_PG_PORT/postgres" -c "CREATE DATABASE $DB" >/dev/null
DBURL="postgresql://postgres@127.0.0.1:$MC_PG_PORT/$DB"
rabbitctl add_vhost "$VHOST"
rabbitctl set_permissions -p "$VHOST" guest ".*" ".*" ".*"
AMQP="rabbit://guest:guest@127.0.0.1:$MC_AMQP_PORT/$VHOST"

# shellcheck source=tests/integration/sim_for_api.sh
. "$ROOT/tests/integration/sim_for_api.sh"
sim_start

TRUSTEE_DOMAIN_ID=$(. "$STATE/admin-openrc"; $OSC domain show "$MC_TRUSTEE_DOMAIN" -f value -c id)

cat >"$WORK/magnum.conf" <<EOF
[DEFAULT]
auth_strategy = keystone
transport_url = $AMQP
host = apitest
[api]
host = 127.0.0.1
port = $API_PORT
[keystone_authtoken]
auth_url = $MC_KEYSTONE_URL
www_authenticate_uri = $MC_KEYSTONE_URL
username = $MC_SERVICE_USER
password = $MC_PASSWORD
project_name = $MC_SERVICE_PROJECT
[trust]
trustee_domain_id = $TRUSTEE_DOMAIN_ID
[database]
connection = $DBURL
[oslo_policy]
policy_file = $WORK/policy.yaml
EOF
"$DBM_BIN" --config-file "$WORK/magnum.conf" upgrade >/dev/null
"$COND_BIN" --config-file "$WORK/magnum.conf" >"$WORK/conductor.log" 2>&1 &
PIDS+=($!)
"$API_BIN" --config-file "$WORK/magnum.conf" >"$WORK/api.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do
	(exec 3<>/dev/tcp/127.0.0.1/"$API_PORT") 2>/dev/null && break
	sleep 0.1
done

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok   - $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }

# One password login per user (bcrypt is slow); every command then authenticates with the
# token (keystoneauth's v3token plugin), still through Keystone and its catalog.
declare -A TOKEN
for who in admin demo alt_demo; do
	TOKEN[$who]=$(. "$STATE/$who-openrc"; $OSC token issue -f value -c id)
done

# as USER cmd... : runs `openstack` as admin|demo|alt_demo, output in $OUT, status in $RC.
as()
{
	local who=$1
	shift
	set +e
	OUT=$(
		# shellcheck disable=SC1090
		. "$STATE/$who-openrc"
		unset OS_USERNAME OS_PASSWORD OS_USER_DOMAIN_NAME
		OS_AUTH_TYPE=v3token OS_TOKEN=${TOKEN[$who]} $OSC "$@" 2>&1
	)
	RC=$?
	set -e
}
# expect_ok DESC USER cmd... [-- grep-pattern]
expect_ok()
{
	local desc=$1 who=$2
	shift 2
	local args=() pat=""
	while [ $# -gt 0 ]; do
		if [ "$1" = "--" ]; then pat=$2; break; fi
		args+=("$1")
		shift
	done
	as "$who" "${args[@]}"
	if [ $RC -ne 0 ]; then bad "$desc (rc=$RC: $(echo "$OUT" | tail -1))"; return; fi
	if [ -n "$pat" ] && ! echo "$OUT" | grep -Eq -- "$pat"; then
		bad "$desc (output lacks /$pat/: $(echo "$OUT" | head -5 | tr '\n' ' '))"
		return
	fi
	ok "$desc"
}
# expect_err DESC USER "(HTTP NNN)" pattern cmd...
expect_err()
{
	local desc=$1 who=$2 code=$3 pat=$4
	shift 4
	as "$who" "$@"
	# (magnumclient's quota commands print the failure and still exit 0)
	if ! echo "$OUT" | grep -q -- "(HTTP $code)"; then bad "$desc (wanted HTTP $code: $OUT)"; return; fi
	if ! echo "$OUT" | grep -Eq -- "$pat"; then bad "$desc (wanted /$pat/: $OUT)"; return; fi
	ok "$desc"
}
field() { echo "$OUT" | $PY -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }

E="--external-network public"
IMG=fedora-coreos-latest

# ---- the cloud, through the catalog with the real client (magnum-sim)
expect_ok "demo creates its keypair in Nova" demo keypair create default -- "BEGIN"
expect_ok "demo uploads an image without os_distro" demo image create no-distro -f json \
	-- '"name": "no-distro"'
expect_ok "the sim's Glance has fedora-coreos-latest" demo image show $IMG -f json \
	-- '"os_distro": "fedora-coreos"'

# ---- cluster templates
expect_ok "admin creates a public template" admin coe cluster template create pub $E \
	--image $IMG --coe kubernetes --public --labels kube_tag=v1.27.3 -f json \
	-- '"public": true'
expect_ok "demo creates a private template" demo coe cluster template create k8s $E \
	--image $IMG --coe kubernetes --keypair default --flavor m1.small \
	--master-flavor m1.small --labels kube_tag=v1.26.1,foo=bar -f json \
	-- '"cluster_distro": "fedora-coreos"'
expect_ok "template show fills defaults" demo coe cluster template show k8s -f json \
	-- '"network_driver": "flannel"'
expect_ok "demo lists own + public" demo coe cluster template list -f value -c name -- 'pub'
as demo coe cluster template list -f value -c name
echo "$OUT" | grep -qx k8s && ok "demo's list has its template" || bad "demo's list lacks k8s: $OUT"
expect_err "alt_demo cannot see demo's template" alt_demo 404 "could not be found" \
	coe cluster template show k8s
expect_err "bad label value" demo 400 "mesos_slave_isolation" coe cluster template create \
	badlabel $E --image ubuntu-mesos --coe mesos --labels mesos_slave_isolation=bogus
expect_err "unknown image" demo 400 "not supported" coe cluster template create x $E \
	--image nope --coe kubernetes
expect_err "image without os_distro" demo 400 "not supported" coe cluster template create x \
	$E --image no-distro --coe kubernetes
expect_err "unknown flavor" demo 400 "Unable to find flavor" coe cluster template create x \
	$E --image $IMG --coe kubernetes --flavor nosuch
expect_err "unknown external network" demo 400 "Unable to find external network" \
	coe cluster template create x --external-network nonet --image $IMG \
	--coe kubernetes
expect_err "network driver not for the COE" demo 400 "Network driver type docker" \
	coe cluster template create x $E --image $IMG --coe kubernetes \
	--network-driver docker
expect_err "non-admin may not publish" demo 403 "public or hidden" \
	coe cluster template create x $E --image $IMG --coe kubernetes --public
expect_ok "mesos is a supported COE" demo coe cluster template create mesos $E --image ubuntu-mesos \
	--coe mesos -f json -- '"coe": "mesos"'
expect_ok "template update" demo coe cluster template update k8s replace \
	docker_volume_size=5 -f json -- '"docker_volume_size": 5'

# ---- clusters
expect_err "unknown template is 404 at 1.10" demo 404 "ClusterTemplate nosuch could not be found" \
	coe cluster create c0 --cluster-template nosuch
expect_err "unknown keypair is 404" demo 404 "Unable to find keypair" \
	coe cluster create c0 --cluster-template k8s --keypair nosuchkey
expect_err "master_count>1 needs a load balancer" demo 400 "master_count must be 1" \
	coe cluster create c0 --cluster-template k8s --master-count 3
expect_ok "demo creates a cluster" demo coe cluster create c1 --cluster-template k8s \
	--node-count 2 -- "Request to create cluster"
for _ in $(seq 50); do
	as demo coe cluster list -f value -c name
	echo "$OUT" | grep -qx c1 && break
	sleep 0.2
done
expect_ok "cluster list shows it" demo coe cluster list -f json \
	-- '"status": "CREATE_IN_PROGRESS"'
expect_ok "cluster show" demo coe cluster show c1 -f json -- '"node_count": 2'
as demo coe cluster show c1 -f json
CUUID=$(field uuid)
expect_ok "labels inherited from the template" demo coe cluster show c1 -f json \
	-- '"kube_tag": "v1.26.1"'
expect_err "cross-project show is 404" alt_demo 404 "could not be found" coe cluster show c1
expect_ok "admin sees every project's clusters" admin coe cluster list -f value -c name -- '^c1$'
expect_ok "cluster update node_count" demo coe cluster update c1 replace node_count=3 \
	-- "accepted"
expect_err "cluster update of another field" demo 400 "cannot change cluster property" \
	coe cluster update c1 replace name=other
expect_ok "cluster resize" demo coe cluster resize c1 4 -- "accepted"
for _ in $(seq 50); do
	as demo coe cluster show c1 -f value -c node_count
	[ "$OUT" = 4 ] && break
	sleep 0.2
done
[ "$OUT" = 4 ] && ok "resize reached the nodegroup" || bad "node_count after resize: $OUT"
expect_ok "cluster upgrade" demo coe cluster upgrade c1 pub -- "accepted"

# ---- quotas and stats (these magnumclient commands print tables only)
DEMO_PID=$(. "$STATE/admin-openrc"; $OSC project show demo -f value -c id)
expect_ok "admin sets demo's quota" admin coe quotas create --project-id "$DEMO_PID" \
	--resource Cluster --hard-limit 1 -- 'hard_limit +\| 1 '
expect_err "quota exceeded is 403" demo 403 "maximum clusters per project, 1" \
	coe cluster create c2 --cluster-template k8s
expect_ok "quota show" demo coe quotas show --project-id "$DEMO_PID" --resource Cluster \
	-- 'hard_limit +\| 1 '
expect_ok "quota update" admin coe quotas update --project-id "$DEMO_PID" --resource Cluster \
	--hard-limit 5 -- 'hard_limit +\| 5 '
expect_ok "quota list (all tenants)" admin coe quotas list --all-tenants -- "$DEMO_PID"
expect_err "non-admin quota create is 403" demo 403 "quota:create" coe quotas create \
	--project-id "$DEMO_PID" --resource Cluster --hard-limit 3
expect_ok "quota delete" admin coe quotas delete --project-id "$DEMO_PID" --resource Cluster
expect_ok "stats for own project" demo coe stats list "$DEMO_PID" -- 'clusters +\| 1 '
expect_err "stats of another project is 403" alt_demo 403 "Not authorized" \
	coe stats list "$DEMO_PID"

# ---- services
expect_err "non-admin service list is 403" demo 403 "magnum-service:get_all" coe service list
expect_ok "admin service list" admin coe service list -f json -- '"state": "up"'

# ---- certificates
openssl req -new -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/csr.pem" \
	-subj "/CN=admin/O=system:masters" 2>/dev/null
expect_ok "ca show" demo coe ca show c1 -- "BEGIN CERTIFICATE"
expect_ok "ca sign" demo coe ca sign c1 "$WORK/csr.pem" -- "BEGIN CERTIFICATE"
expect_err "ca show across projects is 404" alt_demo 404 "could not be found" coe ca show c1
expect_ok "ca rotate" demo coe ca rotate c1 -- "accepted"

# ---- nodegroups (needs an API address; set as a finished stack would)
psql -q "$DBURL" -c "UPDATE cluster SET api_address = 'https://10.0.0.5:6443' WHERE uuid = '$CUUID'"
expect_ok "nodegroup create" demo coe nodegroup create c1 ng1 --node-count 2 --max-nodes 4 \
	-- "Request to create nodegroup"
for _ in $(seq 50); do
	as demo coe nodegroup list c1 -f value -c name
	echo "$OUT" | grep -qx ng1 && break
	sleep 0.2
done
expect_ok "nodegroup list" demo coe nodegroup list c1 -f value -c name -- '^ng1$'
expect_ok "nodegroup show" demo coe nodegroup show c1 ng1 -f json -- '"max_node_count": 4'
expect_err "nodegroup min > max is 409" demo 409 "is invalid" coe nodegroup update c1 ng1 \
	replace min_node_count=9
expect_ok "nodegroup update" demo coe nodegroup update c1 ng1 replace max_node_count=6 \
	-- "accepted|max_node_count"
expect_err "duplicate nodegroup name is 409" demo 409 "already exists" \
	coe nodegroup create c1 ng1
expect_err "default nodegroup can't be deleted" demo 400 "default nodegroup" \
	coe nodegroup delete c1 default-worker
expect_ok "nodegroup delete" demo coe nodegroup delete c1 ng1 -- "Request to delete"

# ---- deletes
expect_err "non-owner can't delete a public template" demo 403 "clustertemplate:delete" \
	coe cluster template delete pub
expect_err "template in use can't be deleted" admin 400 "referenced" \
	coe cluster template delete pub
expect_ok "cluster delete" demo coe cluster delete c1 -- "Request to delete"
for _ in $(seq 50); do
	as demo coe cluster list -f value -c name
	echo "$OUT" | grep -qx c1 || break
	sleep 0.2
done
expect_ok "template delete" demo coe cluster template delete k8s mesos -- "Request to delete"
expect_ok "public template delete (admin)" admin coe cluster template delete pub -- "Request to delete"

echo "# passed $PASS failed $FAIL"
[ "$FAIL" -eq 0 ]
