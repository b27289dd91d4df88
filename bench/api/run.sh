#!/usr/bin/env bash
# bench/api/run.sh BUILD_DIR [SECONDS] [THREADS]
#
# Measures magnum-api with Keystone auth on (tokens validated once, then cached):
#   GET  /v1/clusters?limit=100     (1,000 clusters with two nodegroups each, pages of 100)
#   GET  /v1/clustertemplates/<id>
#   POST /v1/clustertemplates
# and the resident memory of an idle magnum-api. The GETs are measured twice: with the
# response cache on (the default; every request still checks the change generations in
# PostgreSQL) and by a second magnum-api with `response_cache_mb = 0`, where every request
# reads and renders its answer. Use a build without sanitizers
# (cmake -DSANITIZE=OFF -DCMAKE_BUILD_TYPE=Release): ASan multiplies memory and time.
# Starts its own magnum-api on an ephemeral port, a private database on the shared PostgreSQL
# and magnum-sim on the catalog's cloud ports (tests/integration/sim_for_api.sh); stops them
# at the end. Prints numbers, asserts none.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:?usage: run.sh BUILD_DIR [SECONDS] [THREADS]}
SECS=${2:-10}
THREADS=${3:-2}
BUILD=$(cd "$BUILD" && pwd)
"$ROOT/scripts/services" start >/dev/null
# shellcheck disable=SC1091
. "${MC_STATE_DIR:-$ROOT/.state}/env"
PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/mc-api-bench.XXXXXX)
DB=mc_api_bench_$$
PIDS=()
cleanup()
{
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	psql -q "postgresql://postgres@127.0.0.1:$MC_PG_PORT/postgres" \
		-c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

psql -q "postgresql://postgres@127.0.0.1:$MC_PG_PORT/postgres" -c "CREATE DATABASE $DB"
DBURL="postgresql://postgres@127.0.0.1:$MC_PG_PORT/$DB"
AP=$(free_port)
# shellcheck source=tests/integration/sim_for_api.sh
. "$ROOT/tests/integration/sim_for_api.sh"
sim_start
cat >"$WORK/magnum.conf" <<EOF
[DEFAULT]
auth_strategy = keystone
[api]
host = 127.0.0.1
port = $AP
[keystone_authtoken]
auth_url = $MC_KEYSTONE_URL
username = $MC_SERVICE_USER
password = $MC_PASSWORD
project_name = $MC_SERVICE_PROJECT
[database]
connection = $DBURL
EOF
"$BUILD/db/magnum-db-manage" --config-file "$WORK/magnum.conf" upgrade >/dev/null 2>&1
"$BUILD/api/magnum-api" --config-file "$WORK/magnum.conf" >"$WORK/api.log" 2>&1 &
API_PID=$!
PIDS+=($API_PID)
AP0=$(free_port)
sed -e "s/^port = $AP\$/port = $AP0\nresponse_cache_mb = 0/" "$WORK/magnum.conf" >"$WORK/nocache.conf"
"$BUILD/api/magnum-api" --config-file "$WORK/nocache.conf" >"$WORK/api-nocache.log" 2>&1 &
PIDS+=($!)
for p in $AP $AP0; do
	for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.1; done
done
sleep 1
echo "idle_rss_kb_at_start=$(awk '/VmRSS/{print $2}' /proc/$API_PID/status)"

TOK=$(. "$MC_STATE_DIR/demo-openrc"; /usr/bin/openstack token issue -f value -c id)
PROJ=$(. "$MC_STATE_DIR/demo-openrc"; /usr/bin/openstack token issue -f value -c project_id)
URL=http://127.0.0.1:$AP/v1
H=(-H "X-Auth-Token: $TOK" -H "OpenStack-API-Version: container-infra latest")
CT=$(curl -sf "${H[@]}" -H "Content-Type: application/json" -X POST "$URL/clustertemplates" \
	-d '{"name":"bench","image_id":"fedora-coreos-latest","coe":"kubernetes","external_network_id":"public"}' |
	$PY -c 'import json,sys; print(json.load(sys.stdin)["uuid"])')
psql -q "$DBURL" <<EOF
INSERT INTO cluster (uuid, name, project_id, user_id, cluster_template_id, keypair, labels,
                     status, create_timeout, flavor_id, master_flavor_id)
SELECT gen_random_uuid(), 'c' || i, '$PROJ', 'u', '$CT', 'default', '{"kube_tag": "v1.27.3"}',
       'CREATE_COMPLETE', 60, 'm1.small', 'm1.small'
FROM generate_series(1, 1000) AS i;
INSERT INTO nodegroup (uuid, name, cluster_id, project_id, node_count, role, is_default,
                       node_addresses, status)
SELECT gen_random_uuid(), r.name, c.uuid, c.project_id, r.n, r.role, true, '["10.0.0.1"]',
       'CREATE_COMPLETE'
FROM cluster c, (VALUES ('default-master', 'master', 1), ('default-worker', 'worker', 3))
     AS r(name, role, n);
ANALYZE;
EOF
# warm the token cache and the connections
curl -sf "${H[@]}" "$URL/clusters?limit=100" >/dev/null
N=$(curl -sf "${H[@]}" "$URL/clusters?limit=100" | $PY -c 'import json,sys; d=json.load(sys.stdin); print(len(d["clusters"]), "next" in d)')
echo "page check: items+next = $N"

B="$BUILD/bench/api/api_bench"
URL0=http://127.0.0.1:$AP0/v1
curl -sf "${H[@]}" "$URL0/clusters?limit=100" >/dev/null
echo "response cache on:"
"$B" -u "$URL/clusters?limit=100" "${H[@]}" -t "$THREADS" -d "$SECS" || true
"$B" -u "$URL/clustertemplates/$CT" "${H[@]}" -t "$THREADS" -d "$SECS" || true
echo "response cache off (response_cache_mb = 0):"
"$B" -u "$URL0/clusters?limit=100" "${H[@]}" -t "$THREADS" -d "$SECS" || true
"$B" -u "$URL0/clustertemplates/$CT" "${H[@]}" -t "$THREADS" -d "$SECS" || true
"$B" -u "$URL/clustertemplates" -X POST "${H[@]}" -t "$THREADS" -d "$SECS" \
	-b '{"name":"b-@UUID@","image_id":"fedora-coreos-latest","coe":"kubernetes","external_network_id":"public"}' || true
sleep 2
echo "idle_rss_kb_after_load=$(awk '/VmRSS/{print $2}' /proc/$API_PID/status)"
