#!/usr/bin/env bash
# test_db_manage.sh MAGNUM_DB_MANAGE - drives magnum-db-manage as an operator would, against a
# fresh database mc_test_<random> on $MC_TEST_PG_ADMIN_URL (see with_pg.sh), dropped at exit.
set -euo pipefail
bin=$1
admin=${MC_TEST_PG_ADMIN_URL:?run through with_pg.sh}
work=$(mktemp -d)
db=mc_test_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
base=${admin%/*}        # postgresql://user@host:port
fails=0

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -d "$admin" "$@"; }
dbs=()
newdb() { # newdb NAME: creates a database dropped at exit
	dbs+=("$1")
	psql_admin -c "CREATE DATABASE $1"
}
cleanup() {
	for d in "${dbs[@]}"; do
		psql_admin -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
# expect NAME WANT_RC PATTERN CMD... : runs CMD, checks its exit code and that PATTERN (grep -E)
# occurs in its combined output.
expect() {
	local name=$1 want=$2 pat=$3
	shift 3
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" != "$want" ]; then
		fail "$name: exit $rc, want $want; output: $out"
	elif ! grep -qE -- "$pat" <<<"$out"; then
		fail "$name: output lacks /$pat/: $out"
	else
		echo "ok: $name"
	fi
}
conf() { # conf FILE URL
	printf '[DEFAULT]\ndebug = false\n\n[database]\nconnection = %s\n' "$2" >"$1"
}

newdb "$db"
# the oslo/SQLAlchemy spelling, with a password and devstack's extra parameters
url="${base/postgresql:\/\//postgresql+psycopg2://}/$db?charset=utf8&plugin=dbcounter"
url=${url/@/:Sup3rS3cret@}
if [[ "$url" != *Sup3rS3cret@* ]]; then url=${url/:\/\//://postgres:Sup3rS3cret@}; fi
conf "$work/magnum.conf" "$url"

expect "version on an empty database" 0 '^Current DB revision is 0$' \
	"$bin" --config-file "$work/magnum.conf" version
expect "upgrade from empty" 0 'from version 0 to [0-9]+ \([0-9]+ migrations applied\)' \
	"$bin" --config-file "$work/magnum.conf" upgrade
latest=$("$bin" --config-file "$work/magnum.conf" version | sed -n 's/^Current DB revision is //p')
[ "${latest:-0}" -ge 2 ] || fail "version after upgrade is '$latest'"
expect "upgrade twice is a no-op" 0 "already at version $latest" \
	"$bin" --config-file "$work/magnum.conf" upgrade head
expect "version prints the number" 0 "^Current DB revision is $latest\$" \
	"$bin" --config-file="$work/magnum.conf" version
n=$(psql_admin -At -d "$base/$db" -c "SELECT count(*) FROM schema_migrations")
[ "$n" = "$latest" ] || fail "schema_migrations has $n rows, want $latest"

# two concurrent upgrades of a second fresh database: both succeed, one applies
db2=${db}_c
newdb "$db2"
conf "$work/c.conf" "$base/$db2"
"$bin" --config-file "$work/c.conf" upgrade >"$work/u1" 2>&1 &
p1=$!
"$bin" --config-file "$work/c.conf" upgrade >"$work/u2" 2>&1 &
p2=$!
rc1=0 rc2=0
wait $p1 || rc1=$?
wait $p2 || rc2=$?
[ $rc1 = 0 ] && [ $rc2 = 0 ] || fail "concurrent upgrades exited $rc1/$rc2: $(cat "$work/u1" "$work/u2")"
applied=$(grep -l 'migrations applied' "$work/u1" "$work/u2" | wc -l)
noop=$(grep -l 'already at version' "$work/u1" "$work/u2" | wc -l)
if [ "$applied" = 1 ] && [ "$noop" = 1 ]; then echo "ok: concurrent upgrades"; else
	fail "concurrent upgrades: applied=$applied noop=$noop: $(cat "$work/u1" "$work/u2")"; fi

# a migration that fails names itself and quotes the server; nothing of it stays
db3=${db}_b
newdb "$db3"
psql_admin -d "$base/$db3" -c "CREATE TABLE federation (id int)"
conf "$work/b.conf" "$base/$db3"
expect "failed migration reports itself" 1 \
	'upgrade failed: migration 0001_magnum failed: relation "federation" already exists' \
	"$bin" --config-file "$work/b.conf" upgrade
expect "failed migration left version 0" 0 '^Current DB revision is 0$' \
	"$bin" --config-file "$work/b.conf" version
left=$(psql_admin -At -d "$base/$db3" -c "SELECT to_regclass('cluster_template') IS NULL")
[ "$left" = t ] || fail "the failed migration left cluster_template behind"

# bad and unreachable connections: non-zero, clear message, never the password
conf "$work/refused.conf" "postgresql://postgres:Sup3rS3cret@127.0.0.1:1/magnum"
expect "unreachable server" 1 'cannot connect to the database postgresql://postgres:\*\*\*@127.0.0.1:1/magnum: .*refused' \
	"$bin" --config-file "$work/refused.conf" upgrade
conf "$work/nodb.conf" "$base/${db}_missing"
expect "missing database" 1 'database "'"${db}"'_missing" does not exist' \
	"$bin" --config-file "$work/nodb.conf" version
conf "$work/mysql.conf" "mysql+pymysql://magnum:Sup3rS3cret@127.0.0.1/magnum?charset=utf8"
expect "unsupported backend" 1 "unsupported database backend 'mysql'" \
	"$bin" --config-file "$work/mysql.conf" upgrade
printf '[DEFAULT]\n' >"$work/empty.conf"
expect "no [database] connection" 1 'connection is not set' \
	"$bin" --config-file "$work/empty.conf" upgrade
expect "missing config file" 1 'No such file' "$bin" --config-file "$work/nope.conf" upgrade
expect "unknown command" 2 "unknown command 'downgrade'" \
	"$bin" --config-file "$work/magnum.conf" downgrade
# several --config-file (the later wins) and a --config-dir (its *.conf after the files)
expect "a later --config-file overrides" 0 "^Current DB revision is $latest\$" \
	"$bin" --config-file "$work/refused.conf" --config-file "$work/magnum.conf" version
mkdir -p "$work/conf.d"
cp "$work/refused.conf" "$work/conf.d/50-refused.conf"
expect "--config-dir comes after the files" 1 'cannot connect' \
	"$bin" --config-file "$work/magnum.conf" --config-dir "$work/conf.d" version
cp "$work/magnum.conf" "$work/conf.d/60-good.conf"
expect "--config-dir files in name order" 0 "^Current DB revision is $latest\$" \
	"$bin" --config-dir="$work/conf.d" version
expect "missing --config-dir" 1 'No such file' "$bin" --config-dir "$work/nope.d" version
if "$bin" --config-file "$work/refused.conf" upgrade 2>&1 | grep -q Sup3rS3cret; then
	fail "password leaked in an error message"
fi

if [ $fails -gt 0 ]; then
	echo "$fails check(s) failed" >&2
	exit 1
fi
echo "all magnum-db-manage checks passed"
