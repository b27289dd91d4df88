#!/usr/bin/env bash
# magnum-api with auth_strategy keystone against the real Keystone (scripts/services):
#   no token → keystonemiddleware's 401 body + WWW-Authenticate; bad token → 401;
#   demo (member) → `openstack coe service list` fails with 403; admin → 200.
# The client reaches our port through the admin_token auth type (a real Keystone token sent to
# an explicit endpoint); when 9511 is free the catalog path (plain openrc) is exercised too.
. "$(dirname "${BASH_SOURCE[0]}")/lib-api-it.sh"

"$MC_SOURCE_DIR/scripts/services" start pg keystone >/dev/null 2>&1 ||
	"$MC_SOURCE_DIR/scripts/services" start >/dev/null
setup_db

write_conf()
{
	cat > "$TMP/api.conf" <<CONF
[DEFAULT]
auth_strategy = keystone
[api]
port = $1
[keystone_authtoken]
www_authenticate_uri = $MC_KEYSTONE_URL
auth_url = $MC_KEYSTONE_URL
username = magnum
password = $MC_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
[database]
connection = $DB_URL
CONF
}

# token_for USER: a project-scoped token from the real Keystone.
token_for()
{
	env -i PATH=/usr/bin:/bin HOME="$TMP" "$OPENSTACK" --os-auth-url "$MC_KEYSTONE_URL" \
		--os-identity-api-version 3 --os-username "$1" --os-password "$MC_PASSWORD" \
		--os-project-name "$1" --os-user-domain-name Default --os-project-domain-name Default \
		token issue -f value -c id
}

# osc_token TOKEN ARGS...: the real client with that token against our port.
osc_token()
{
	local tok=$1
	shift
	env -i PATH=/usr/bin:/bin HOME="$TMP" "$OPENSTACK" --os-auth-type admin_token \
		--os-endpoint "$EP" --os-token "$tok" "$@"
}

PORT=$(free_port)
write_conf "$PORT"
start_api "$TMP/api.conf" "$PORT"
EP=http://127.0.0.1:$PORT/v1
sql "INSERT INTO magnum_service (host, \"binary\", report_count, last_seen_up, updated_at)
     VALUES ('node-a', 'magnum-conductor', 2, now() AT TIME ZONE 'utc', now() AT TIME ZONE 'utc')"

# No token: keystonemiddleware's 401.
code=$(curl -s -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' "$EP/mservices")
[ "$code" = 401 ] || fail "no token got $code"
json_check 'j == {"error": {"code": 401, "title": "Unauthorized",
    "message": "The request you have made requires authentication."}}' < "$TMP/b" ||
	fail "401 body: $(cat "$TMP/b")"
grep -qi "^WWW-Authenticate: Keystone uri=\"$MC_KEYSTONE_URL\"" "$TMP/h" ||
	fail "WWW-Authenticate missing: $(cat "$TMP/h")"
# A bogus token: 401 too; public documents need none.
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Auth-Token: gAAAAAbogus' "$EP/mservices")
[ "$code" = 401 ] || fail "bogus token got $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$EP/")
[ "$code" = 200 ] || fail "GET /v1 without token got $code"
# An unknown path without a token is a 401, not a 404 (auth runs before routing).
code=$(curl -s -o /dev/null -w '%{http_code}' "$EP/nosuchthing")
[ "$code" = 401 ] || fail "unknown path without token got $code"

DEMO=$(token_for demo) || fail "cannot get a demo token"
ADMIN=$(token_for admin) || fail "cannot get an admin token"

# Spoofed identity headers are ignored: demo stays a member.
code=$(curl -s -o "$TMP/b" -w '%{http_code}' -H "X-Auth-Token: $DEMO" -H 'X-Roles: admin' \
	"$EP/mservices")
[ "$code" = 403 ] || fail "demo with spoofed X-Roles got $code"

if osc_token "$DEMO" coe service list > "$TMP/out" 2>&1; then
	fail "demo: coe service list succeeded: $(cat "$TMP/out")"
fi
grep -q "Policy doesn't allow magnum-service:get_all to be performed (HTTP 403)" "$TMP/out" ||
	fail "demo: unexpected client output: $(cat "$TMP/out")"

out=$(osc_token "$ADMIN" coe service list -f json) || fail "admin: coe service list failed"
echo "$out" | json_check 'len(j) == 1 and j[0]["host"] == "node-a" and j[0]["state"] == "up"' ||
	fail "admin: $out"
stop_api

# Through the catalog (container-infra → 127.0.0.1:9511/v1), when nobody else holds 9511.
if "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",9511))' 2>/dev/null; then
	write_conf 9511
	start_api "$TMP/api.conf" 9511
	if (. "$MC_STATE_DIR/demo-openrc" && "$OPENSTACK" coe service list) > "$TMP/out" 2>&1; then
		fail "demo via catalog succeeded"
	fi
	grep -q "HTTP 403" "$TMP/out" || fail "demo via catalog: $(cat "$TMP/out")"
	(. "$MC_STATE_DIR/admin-openrc" && "$OPENSTACK" coe service list -f value -c host) \
		> "$TMP/out" 2>&1 || fail "admin via catalog: $(cat "$TMP/out")"
	grep -qx node-a "$TMP/out" || fail "admin via catalog: $(cat "$TMP/out")"
	stop_api
else
	echo "note: port 9511 busy, catalog path skipped"
fi
echo "PASS api_keystone"
