#!/usr/bin/env bash
# magnum-api's response cache (api/respcache.h): cluster and template GETs are served from it
# only while nothing they were built from has changed - whoever changed it (the API itself, a
# conductor writing rows, psql) - and never to another caller. Run with the cache on, then off.
. "$(dirname "${BASH_SOURCE[0]}")/lib-api-it.sh"

setup_db
PORT=$(free_port)
EP=http://127.0.0.1:$PORT/v1
V=(-H 'OpenStack-API-Version: container-infra latest')
P1=(-H 'X-Roles: member' -H 'X-Project-Id: proj-one' -H 'X-User-Id: user-one')
P2=(-H 'X-Roles: member' -H 'X-Project-Id: proj-two' -H 'X-User-Id: user-two')
hits() { grep -c 'event=respcache_hit' "$TMP/api.log" || true; }

# A template of proj-one and a cluster with two nodegroups, written as the conductor writes
# them (rows, not API calls).
sql "INSERT INTO cluster_template (uuid, name, project_id, user_id, coe, image_id, labels,
       server_type, network_driver, public, hidden)
     VALUES ('6a0c53a8-5b8e-4f8e-9d38-1c1b3f0c4c01', 'tpl', 'proj-one', 'user-one', 'kubernetes',
       'img', '{\"kube_tag\": \"v1.1\"}', 'vm', 'flannel', false, false)"
sql "INSERT INTO cluster (uuid, name, project_id, user_id, cluster_template_id, keypair, labels,
       status, create_timeout)
     VALUES ('2f1d9c3e-7a4b-4c5d-8e6f-0a1b2c3d4e01', 'c1', 'proj-one', 'user-one',
       '6a0c53a8-5b8e-4f8e-9d38-1c1b3f0c4c01', 'kp', '{\"kube_tag\": \"v1.1\"}',
       'CREATE_COMPLETE', 60)"
sql "INSERT INTO nodegroup (uuid, name, cluster_id, project_id, node_count, role, is_default,
       status)
     VALUES ('0d0e0f10-1112-4131-8151-617181920001', 'default-master',
       '2f1d9c3e-7a4b-4c5d-8e6f-0a1b2c3d4e01', 'proj-one', 1, 'master', true, 'CREATE_COMPLETE'),
            ('0d0e0f10-1112-4131-8151-617181920002', 'default-worker',
       '2f1d9c3e-7a4b-4c5d-8e6f-0a1b2c3d4e01', 'proj-one', 2, 'worker', true, 'CREATE_COMPLETE')"

run_checks()
{
	local cached=$1 h0 b
	h0=$(hits)
	# the same list twice: the same answer (and, with the cache on, the second from it)
	b=$(curl -sf "${V[@]}" "${P1[@]}" "$EP/clusters")
	echo "$b" | json_check 'j["clusters"][0]["status"] == "CREATE_COMPLETE"
	    and j["clusters"][0]["node_count"] == 2' || fail "first list: $b"
	[ "$(curl -sf "${V[@]}" "${P1[@]}" "$EP/clusters")" = "$b" ] || fail "second list differs"
	if [ "$cached" = on ]; then
		[ "$(hits)" -gt "$h0" ] || fail "the repeated list was not served from the cache"
	else
		[ "$(hits)" = 0 ] || fail "cache hits with the cache off"
	fi

	# another project asking the same URL gets its own (empty) answer
	curl -sf "${V[@]}" "${P2[@]}" "$EP/clusters" | json_check 'j["clusters"] == []' ||
		fail "proj-two saw proj-one's clusters"
	code=$(curl -s -o /dev/null -w '%{http_code}' "${V[@]}" "${P2[@]}" "$EP/clusters/c1")
	[ "$code" = 404 ] || fail "proj-two got $code for proj-one's cluster"
	# ... and keeps it cached while only proj-one's clusters change
	if [ "$cached" = on ]; then
		sql "UPDATE cluster SET status_reason = 'x' WHERE name = 'c1'"
		h0=$(hits)
		curl -sf "${V[@]}" "${P2[@]}" "$EP/clusters" | json_check 'j["clusters"] == []' ||
			fail "proj-two list after proj-one's change"
		[ "$(hits)" -gt "$h0" ] || fail "a change in proj-one invalidated proj-two's answer"
		# an admin's all-projects view sees every project's change
		curl -sf "${V[@]}" -H 'X-Roles: admin' "$EP/clusters/c1" |
			json_check 'j["status_reason"] == "x"' || fail "admin show"
		sql "UPDATE cluster SET status_reason = 'y' WHERE name = 'c1'"
		curl -sf "${V[@]}" -H 'X-Roles: admin' "$EP/clusters/c1" |
			json_check 'j["status_reason"] == "y"' || fail "stale admin show"
	fi

	# a status change written by the conductor shows at once, in the list and the show
	curl -sf "${V[@]}" "${P1[@]}" "$EP/clusters/c1" >/dev/null
	sql "UPDATE cluster SET status = 'UPDATE_IN_PROGRESS' WHERE name = 'c1'"
	curl -sf "${V[@]}" "${P1[@]}" "$EP/clusters" |
		json_check 'j["clusters"][0]["status"] == "UPDATE_IN_PROGRESS"' || fail "stale list"
	curl -sf "${V[@]}" "${P1[@]}" "$EP/clusters/c1" |
		json_check 'j["status"] == "UPDATE_IN_PROGRESS"' || fail "stale show"
	# so does a nodegroup resize, in the cluster (node_count comes from the nodegroups) and in
	# the nodegroup's own list and show
	curl -sf "${V[@]}" "${P1[@]}" "$EP/clusters/c1/nodegroups/default-worker" >/dev/null
	curl -sf "${V[@]}" "${P1[@]}" "$EP/clusters/c1/nodegroups" >/dev/null
	sql "UPDATE nodegroup SET node_count = 5 WHERE name = 'default-worker'"
	curl -sf "${V[@]}" "${P1[@]}" "$EP/clusters" | json_check 'j["clusters"][0]["node_count"] == 5' ||
		fail "node_count not refreshed"
	curl -sf "${V[@]}" "${P1[@]}" "$EP/clusters/c1/nodegroups/default-worker" |
		json_check 'j["node_count"] == 5' || fail "stale nodegroup show"
	curl -sf "${V[@]}" "${P1[@]}" "$EP/clusters/c1/nodegroups" |
		json_check 'sorted(n["node_count"] for n in j["nodegroups"]) == [1, 5]' ||
		fail "stale nodegroup list"
	# and a template label change, in the cluster's label differences (a template dependency)
	curl -sf "${V[@]}" "${P1[@]}" "$EP/clusters/c1" | json_check 'j["labels_overridden"] == {}' ||
		fail "labels_overridden before"
	sql "UPDATE cluster_template SET labels = '{\"kube_tag\": \"v1.2\"}'"
	curl -sf "${V[@]}" "${P1[@]}" "$EP/clusters/c1" |
		json_check 'j["labels_overridden"] == {"kube_tag": "v1.2"}' || fail "stale labels diff"

	# a template renamed through the API shows renamed in its show and list
	curl -sf "${V[@]}" "${P1[@]}" "$EP/clustertemplates/tpl" | json_check 'j["name"] == "tpl"' ||
		fail "template show"
	curl -sf "${V[@]}" "${P1[@]}" "$EP/clustertemplates" >/dev/null
	curl -sf -X PATCH "${V[@]}" "${P1[@]}" -H 'Content-Type: application/json' \
		-d '[{"op": "replace", "path": "/name", "value": "tpl2"}]' \
		"$EP/clustertemplates/tpl" >/dev/null || fail "template PATCH"
	curl -sf "${V[@]}" "${P1[@]}" "$EP/clustertemplates/tpl2" | json_check 'j["name"] == "tpl2"' ||
		fail "renamed template show"
	curl -sf "${V[@]}" "${P1[@]}" "$EP/clustertemplates" |
		json_check '[t["name"] for t in j["clustertemplates"]] == ["tpl2"]' || fail "stale template list"
	code=$(curl -s -o /dev/null -w '%{http_code}' "${V[@]}" "${P1[@]}" "$EP/clustertemplates/tpl")
	[ "$code" = 404 ] || fail "old template name still answers ($code)"

	# put the rows back for the next run
	sql "UPDATE cluster SET status = 'CREATE_COMPLETE'"
	sql "UPDATE nodegroup SET node_count = 2 WHERE name = 'default-worker'"
	sql "UPDATE cluster_template SET name = 'tpl', labels = '{\"kube_tag\": \"v1.1\"}'"
}

for mb in 16 0; do
	cat >"$TMP/api.conf" <<CONF
[DEFAULT]
auth_strategy = noauth
debug = true
[api]
port = $PORT
response_cache_mb = $mb
skip_os_checks = true
[database]
connection = $DB_URL
CONF
	start_api "$TMP/api.conf" "$PORT"
	run_checks "$([ "$mb" = 0 ] && echo off || echo on)"
	stop_api
done
echo "PASS api_respcache"
