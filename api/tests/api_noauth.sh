#!/usr/bin/env bash
# magnum-api with auth_strategy noauth, driven by the real client:
#   openstack --os-auth-type none --os-endpoint http://127.0.0.1:PORT/v1 coe service list
# plus the error shapes a user sees (403 for a non-admin caller, 404/405/406, unknown args).
. "$(dirname "${BASH_SOURCE[0]}")/lib-api-it.sh"

setup_db
PORT=$(free_port)
cat > "$TMP/api.conf" <<CONF
[DEFAULT]
auth_strategy = noauth
[api]
port = $PORT
[database]
connection = $DB_URL
CONF
start_api "$TMP/api.conf" "$PORT"
EP=http://127.0.0.1:$PORT/v1
osc() { "$OPENSTACK" --os-auth-type none --os-endpoint "$EP" "$@"; }

# No services yet: an empty list.
out=$(osc coe service list -f json) || fail "coe service list failed"
echo "$out" | json_check 'j == []' || fail "expected an empty list, got $out"

# One live conductor and one that stopped heartbeating 10 minutes ago.
sql "INSERT INTO magnum_service (host, \"binary\", report_count, last_seen_up, updated_at)
     VALUES ('node-a', 'magnum-conductor', 7, now() AT TIME ZONE 'utc', now() AT TIME ZONE 'utc'),
            ('node-b', 'magnum-conductor', 3, (now() AT TIME ZONE 'utc') - interval '10 minutes',
             (now() AT TIME ZONE 'utc') - interval '10 minutes')"
out=$(osc coe service list -f json) || fail "coe service list failed"
echo "$out"
echo "$out" | json_check 'len(j) == 2 and j[0]["host"] == "node-a" and j[0]["state"] == "up"
    and j[0]["binary"] == "magnum-conductor" and "report_count" not in j[0]
    and j[1]["state"] == "down" and j[1]["id"] > j[0]["id"]' ||
	fail "unexpected service list: $out"

# Raw API: body shape and headers.
body=$(curl -sf -H 'OpenStack-API-Version: container-infra latest' "$EP/mservices/")
echo "$body" | json_check 'set(j["mservices"][0]) == {"id","host","binary","state","report_count",
    "disabled","disabled_reason","created_at","updated_at"} and j["mservices"][0]["disabled"] is False
    and j["mservices"][0]["report_count"] == 7
    and j["mservices"][0]["disabled_reason"] is None and "next" not in j
    and j["mservices"][0]["created_at"].endswith("+00:00")' || fail "mservices body: $body"

# A non-admin caller: 403 with Magnum's envelope.
code=$(curl -s -o "$TMP/b" -w '%{http_code}' -H 'X-Roles: member' "$EP/mservices")
[ "$code" = 403 ] || fail "member got $code"
json_check 'j["errors"][0]["title"] == "Policy doesn'"'"'t allow magnum-service:get_all to be performed"
    and j["errors"][0]["code"] == "client" and j["errors"][0]["status"] == 403' < "$TMP/b" ||
	fail "403 body: $(cat "$TMP/b")"

# Unknown query argument → 400.
code=$(curl -s -o "$TMP/b" -w '%{http_code}' "$EP/mservices?foo=bar")
[ "$code" = 400 ] || fail "unknown arg got $code"
json_check 'j["errors"][0]["detail"] == "Unknown argument: \"foo\""' < "$TMP/b" || fail "400 body"

# Microversions: too new → 406 with the special entry; garbage → plain 406.
code=$(curl -s -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' -H 'Accept: application/json' \
	-H 'OpenStack-API-Version: container-infra 1.99' "$EP/mservices")
[ "$code" = 406 ] || fail "1.99 got $code"
grep -qi '^OpenStack-API-Version: container-infra 1.99' "$TMP/h" || fail "no version header on 406"
json_check 'j["errors"][0]["code"] == "magnum.microversion-unsupported" and j["errors"][0]["max_version"] == "1.10"' \
	< "$TMP/b" || fail "406 body: $(cat "$TMP/b")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'OpenStack-API-Version: nova 1.2' "$EP/mservices")
[ "$code" = 406 ] || fail "bad service got $code"

# Routing: 404 and 405 (+ Allow), root documents public and unversioned.
code=$(curl -s -o /dev/null -w '%{http_code}' "$EP/nosuchthing")
[ "$code" = 404 ] || fail "unknown path got $code"
code=$(curl -s -o /dev/null -D "$TMP/h" -w '%{http_code}' -X DELETE "$EP/mservices")
[ "$code" = 405 ] || fail "DELETE mservices got $code"
grep -qi '^Allow: GET' "$TMP/h" || fail "no Allow header"
curl -sf "http://127.0.0.1:$PORT/" | json_check 'j["versions"][0]["max_version"] == "1.10"' ||
	fail "root document"
curl -sf "$EP" | json_check 'j["mservices"][0]["href"].endswith("/v1/mservices/")' ||
	fail "v1 document"
grep -q 'event=http_access .*path="/v1/mservices" status=200' "$TMP/api.log" || fail "no access log"

# Cluster and legacy bay lists share their page selection: empty pages, and an unknown
# marker is 404 for both (Magnum looks the marker up before listing).
curl -sf "$EP/clusters" | json_check 'j == {"clusters": []}' || fail "empty cluster list"
curl -sf "$EP/bays/detail" | json_check 'j == {"bays": []}' || fail "empty bay list"
for coll in clusters bays; do
	code=$(curl -s -o "$TMP/b" -w '%{http_code}' \
		"$EP/$coll?marker=0f3c8a5e-5d1c-4d55-8f4f-2c1f8b2f9a11")
	[ "$code" = 404 ] || fail "$coll with unknown marker got $code"
done
code=$(curl -s -o "$TMP/b" -w '%{http_code}' "$EP/bays?limit=0")
[ "$code" = 400 ] || fail "bays limit=0 got $code"

# Stats: clusters of the project, and the node counts of the project's nodegroups (masters
# included, summed by the nodegroup's own project as Magnum does).
sql "INSERT INTO cluster (uuid, name, project_id) VALUES ('5b1e6c1e-0000-4000-8000-000000000001', 's1', 'ps')"
sql "INSERT INTO nodegroup (uuid, name, cluster_id, project_id, node_count, role)
     VALUES ('5b1e6c1e-0000-4000-8000-000000000011', 'm', '5b1e6c1e-0000-4000-8000-000000000001', 'ps', 1, 'master'),
            ('5b1e6c1e-0000-4000-8000-000000000012', 'w', '5b1e6c1e-0000-4000-8000-000000000001', 'ps', 3, 'worker'),
            ('5b1e6c1e-0000-4000-8000-000000000013', 'w', 'gone-cluster', 'ps', 2, 'worker')"
curl -sf "$EP/stats?project_id=ps" | json_check 'j == {"clusters": 1, "nodes": 6}' ||
	fail "stats of ps: $(curl -s "$EP/stats?project_id=ps")"
curl -sf -H 'X-Roles: member' -H 'X-Project-Id: other' "$EP/stats" |
	json_check 'j == {"clusters": 0, "nodes": 0}' || fail "stats of an empty project"

# A create (or quota update) without a body: 400 naming the missing argument, as WSME does.
for pair in clusters:cluster clustertemplates:cluster_template baymodels:baymodel bays:bay \
	federations:federation quotas:quota certificates:certificate; do
	coll=${pair%%:*} arg=${pair#*:}
	code=$(curl -s -o "$TMP/b" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		-H 'OpenStack-API-Version: container-infra latest' "$EP/$coll")
	[ "$code" = 400 ] || fail "POST $coll without a body got $code"
	json_check "'Missing argument: \"$arg\"' in j['errors'][0]['detail']" <"$TMP/b" ||
		fail "POST $coll without a body: $(cat "$TMP/b")"
done
code=$(curl -s -o "$TMP/b" -w '%{http_code}' -X PATCH -H 'Content-Type: application/json' \
	"$EP/quotas/ps/Cluster")
[ "$code" = 400 ] || fail "PATCH quota without a body got $code"
json_check "'Missing argument: \"quotapatch\"' in j['errors'][0]['detail']" <"$TMP/b" ||
	fail "PATCH quota without a body: $(cat "$TMP/b")"

stop_api
echo "PASS api_noauth"
