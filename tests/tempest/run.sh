#!/usr/bin/env bash
# tests/tempest/run.sh [BUILD_DIR] - runs Magnum's own API test suite (Debian package
# magnum-tempest-plugin, magnum_tempest_plugin.tests.api) against our magnum-api.
#
# Starts its own magnum-api (Keystone auth) on an ephemeral port, a magnum-conductor (with
# conductor/api_support.c), a private database and RabbitMQ vhost on the shared services, and
# magnum-sim on the Keystone catalog's cloud ports (tests/integration/sim_for_api.sh): the API's
# image/flavor/keypair/network lookups and tempest's own keypair setup go there through the
# catalog. Uses pre-provisioned accounts
# (admin, demo, alt_demo) as spec running-the-real-pieces.md advises. Excludes the tests in
# skip-list.txt (reasons there). One worker by default: the three pre-provisioned accounts
# (one of them admin) are not enough for two workers that both want admin credentials. Prints tempest's pass/fail/skip counts; exit status is
# tempest's.
# mc-integration: manual
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-${MC_BUILD_DIR:-$ROOT/build}}" && pwd)
command -v tempest >/dev/null || { echo "SKIP: tempest not installed (apt-get install magnum-tempest-plugin)"; exit 77; }
"$ROOT/scripts/services" start >/dev/null
# shellcheck disable=SC1091
. "${MC_STATE_DIR:-$ROOT/.state}/env"
PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/mc-tempest.XXXXXX)
DB=mc_tempest_$$
VHOST=mc_tempest_$$
PIDS=()
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
cleanup()
{
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	psql -q "postgresql://postgres@127.0.0.1:$MC_PG_PORT/postgres" \
		-c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
	rabbitctl delete_vhost "$VHOST" >/dev/null 2>&1 || true
	tempest workspace remove --name "mc-tempest-$$" >/dev/null 2>&1 || true
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port_busy() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

psql -q "postgresql://postgres@127.0.0.1:$MC_PG_PORT/postgres" -c "CREATE DATABASE $DB"
rabbitctl add_vhost "$VHOST"
rabbitctl set_permissions -p "$VHOST" guest ".*" ".*" ".*"
# The simulated cloud on the catalog's ports (fails if something else holds them).
# shellcheck source=tests/integration/sim_for_api.sh
. "$ROOT/tests/integration/sim_for_api.sh"
sim_start
AP=$(free_port)
cat >"$WORK/magnum.conf" <<CONF
[DEFAULT]
auth_strategy = keystone
transport_url = rabbit://guest:guest@127.0.0.1:$MC_AMQP_PORT/$VHOST
host = tempest
[api]
host = 127.0.0.1
port = $AP
[keystone_authtoken]
auth_url = $MC_KEYSTONE_URL
www_authenticate_uri = $MC_KEYSTONE_URL
username = $MC_SERVICE_USER
password = $MC_PASSWORD
project_name = $MC_SERVICE_PROJECT
[database]
connection = postgresql://postgres@127.0.0.1:$MC_PG_PORT/$DB
CONF
"$BUILD/db/magnum-db-manage" --config-file "$WORK/magnum.conf" upgrade >/dev/null 2>&1
"$BUILD/conductor/magnum-conductor" --config-file "$WORK/magnum.conf" >"$WORK/conductor.log" 2>&1 &
PIDS+=($!)
"$BUILD/api/magnum-api" --config-file "$WORK/magnum.conf" >"$WORK/api.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do port_busy "$AP" && break; sleep 0.1; done

cd "$WORK"
tempest init --name "mc-tempest-$$" ws >/dev/null
cat >ws/etc/accounts.yaml <<ACC
- username: '$MC_ADMIN_USER'
  project_name: '$MC_ADMIN_PROJECT'
  password: '$MC_PASSWORD'
  domain_name: Default
  types: [admin]
- username: '$MC_DEMO_USER'
  project_name: '$MC_DEMO_PROJECT'
  password: '$MC_PASSWORD'
  domain_name: Default
  roles: [member]
- username: '$MC_ALT_DEMO_USER'
  project_name: '$MC_ALT_DEMO_PROJECT'
  password: '$MC_PASSWORD'
  domain_name: Default
  roles: [member]
ACC
cat >ws/etc/tempest.conf <<TC
[DEFAULT]
log_file = $WORK/tempest.log
[auth]
use_dynamic_credentials = false
test_accounts_file = $WORK/ws/etc/accounts.yaml
default_credentials_domain_name = Default
admin_username = $MC_ADMIN_USER
admin_password = $MC_PASSWORD
admin_project_name = $MC_ADMIN_PROJECT
admin_domain_name = Default
[identity]
uri_v3 = $MC_KEYSTONE_URL
auth_version = v3
region = $MC_REGION
[identity-feature-enabled]
api_v2 = false
[service_available]
magnum = true
[magnum]
magnum_url = http://127.0.0.1:$AP/v1
image_id = fedora-coreos-latest
nic_id = public
keypair_name = default
flavor_id = m1.small
master_flavor_id = m1.small
dns_nameserver = 8.8.8.8
copy_logs = false
cluster_creation_timeout = 1
TC
cd ws
set +e
tempest run --regex '^magnum_tempest_plugin\.tests\.api' \
	--exclude-list "$ROOT/tests/tempest/skip-list.txt" --concurrency "${CONCURRENCY:-1}" \
	>"$WORK/tempest-run.log" 2>&1
rc=$?
set -e
grep -E "^(\{[0-9]+\} )?magnum_tempest_plugin.*\.\.\. (FAILED|ok|SKIPPED)" "$WORK/tempest-run.log" |
	grep -v " ok$" || true
grep -E "^ - (Passed|Failed|Skipped|Expected Fail|Unexpected Success):|^Totals|Sum of execute" \
	"$WORK/tempest-run.log" || tail -30 "$WORK/tempest-run.log"
exit $rc
