# shellcheck shell=bash
# Shared by every script in scripts/: where things live, the fixed ports, URLs and accounts of
# docs/development.md, and small helpers (port waits, pidfiles, logs). Source it; it sets no
# shell options of its own and starts nothing.

MC_ROOT=${MC_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
MC_STATE_DIR=${MC_STATE_DIR:-$MC_ROOT/.state}
MC_LOG_DIR=$MC_STATE_DIR/log
MC_RUN_DIR=$MC_STATE_DIR/run

# Debian's interpreters and clients, never whatever comes first in PATH (pyenv).
MC_PYTHON=/usr/bin/python3
MC_OPENSTACK=/usr/bin/openstack

MC_HOST=127.0.0.1
MC_PASSWORD=secret
MC_REGION=RegionOne

# PostgreSQL 15
MC_PG_BIN=/usr/lib/postgresql/15/bin
MC_PG_PORT=${MC_PG_PORT:-15432}
MC_PG_DIR=$MC_STATE_DIR/pg
MC_PG_DATA=$MC_PG_DIR/data
MC_PG_SOCKDIR=$MC_PG_DIR/run
MC_PG_USER=postgres
MC_PG_URL=postgresql://postgres@$MC_HOST:$MC_PG_PORT/magnum
MC_PG_KEYSTONE_URL=postgresql://postgres@$MC_HOST:$MC_PG_PORT/keystone

# RabbitMQ
MC_AMQP_PORT=${MC_AMQP_PORT:-5682}
MC_RABBIT_DIST_PORT=${MC_RABBIT_DIST_PORT:-25682}
MC_EPMD_PORT=${MC_EPMD_PORT:-4380}
MC_RABBIT_NODE=${MC_RABBIT_NODE:-magnum-c@localhost}
MC_RABBIT_DIR=$MC_STATE_DIR/rabbitmq
MC_AMQP_URL=rabbit://guest:guest@$MC_HOST:$MC_AMQP_PORT/

# Keystone (uwsgi)
MC_KEYSTONE_PORT=${MC_KEYSTONE_PORT:-5000}
MC_KEYSTONE_DIR=$MC_STATE_DIR/keystone
MC_KEYSTONE_URL=http://$MC_HOST:$MC_KEYSTONE_PORT/v3

# The ports above can be overridden from the environment (e.g. to measure a second, throwaway
# instance next to the shared one); everything else derives from them.

# Our own services and the simulated cloud (overridable too; scripts/keystone-bootstrap.py
# writes these ports into the catalog)
MC_API_PORT=${MC_API_PORT:-9511}
MC_HEAT_PORT=${MC_HEAT_PORT:-8004}
MC_SIM_NOVA_PORT=${MC_SIM_NOVA_PORT:-8774}
MC_SIM_NEUTRON_PORT=${MC_SIM_NEUTRON_PORT:-9696}
MC_SIM_GLANCE_PORT=${MC_SIM_GLANCE_PORT:-9292}
MC_SIM_CINDER_PORT=${MC_SIM_CINDER_PORT:-8776}
MC_SIM_OCTAVIA_PORT=${MC_SIM_OCTAVIA_PORT:-9876}
MC_SIM_ADMIN_PORT=${MC_SIM_ADMIN_PORT:-8799}
MC_API_URL=http://$MC_HOST:$MC_API_PORT/v1
MC_HEAT_URL=http://$MC_HOST:$MC_HEAT_PORT/v1

# Build directories used by quickstart (release) and test (sanitizers).
MC_BUILD_DIR=${MC_BUILD_DIR:-$MC_ROOT/build}
MC_TEST_BUILD_DIR=${MC_TEST_BUILD_DIR:-$MC_ROOT/build-test}

# mc_log_file SVC -> path of the service's log file (creating the log directory).
mc_log_file()
{
	mkdir -p "$MC_LOG_DIR"
	printf '%s/%s.log\n' "$MC_LOG_DIR" "$1"
}

# mc_say MSG... -> prints a progress line on stderr, prefixed with the calling script's name.
mc_say()
{
	printf '%s: %s\n' "$(basename "$0")" "$*" >&2
}

# mc_die MSG... -> prints the message on stderr and exits 1.
mc_die()
{
	mc_say "error: $*"
	exit 1
}

# mc_now -> microseconds since the epoch, for timings (no fork).
mc_now()
{
	echo "${EPOCHREALTIME/./}"
}

# mc_elapsed START -> seconds elapsed since START (from mc_now), two decimals.
mc_elapsed()
{
	local us=$((${EPOCHREALTIME/./} - $1))
	printf '%d.%02d' $((us / 1000000)) $((us % 1000000 / 10000))
}

# mc_port_open PORT [HOST] -> status 0 when something accepts TCP connections on HOST:PORT.
mc_port_open()
{
	(exec 3<>"/dev/tcp/${2:-$MC_HOST}/$1") 2>/dev/null
}

# wait_for_port PORT [TIMEOUT_S] [PID] -> waits until PORT on 127.0.0.1 accepts connections.
# Returns 1 on timeout, or as soon as PID (when given) is no longer alive.
wait_for_port()
{
	local port=$1 timeout=${2:-60} pid=${3:-} deadline
	deadline=$((EPOCHSECONDS + timeout))
	while ! mc_port_open "$port"; do
		if [ -n "$pid" ] && ! mc_pid_alive "$pid"; then
			return 1
		fi
		if [ "$EPOCHSECONDS" -ge "$deadline" ]; then
			return 1
		fi
		sleep 0.05
	done
}

# mc_pidfile NAME -> path of NAME's pidfile.
mc_pidfile()
{
	printf '%s/%s.pid\n' "$MC_RUN_DIR" "$1"
}

# mc_pid NAME -> prints the pid recorded for NAME when that process is alive; status 1 otherwise.
mc_pid()
{
	local f pid
	f=$(mc_pidfile "$1")
	[ -s "$f" ] || return 1
	read -r pid <"$f" || return 1
	mc_pid_alive "$pid" || return 1
	printf '%s\n' "$pid"
}

# mc_pid_alive PID -> status 0 when PID exists and is not a zombie (unreaped children of a
# container's init still answer kill -0).
mc_pid_alive()
{
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
	! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# mc_running NAME -> status 0 when NAME's recorded process is alive.
mc_running()
{
	mc_pid "$1" >/dev/null
}

# mc_start_bg NAME CMD... -> runs CMD detached (own session, stdin /dev/null, output appended to
# the NAME log), records its pid in NAME's pidfile and prints the pid.
mc_start_bg()
{
	local name=$1 log pid
	shift
	mkdir -p "$MC_RUN_DIR"
	log=$(mc_log_file "$name")
	printf '\n=== %s starting: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$log"
	# The daemon records its own pid after setsid (which forks when the caller happens to be a
	# process group leader) and then execs CMD, keeping that pid. fd 9 is mc_lock's lock: a
	# daemon must not keep holding it.
	local pidfile i
	pidfile=$(mc_pidfile "$name")
	rm -f "$pidfile"
	setsid bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidfile" "$@" \
		</dev/null >>"$log" 2>&1 9>&- &
	for ((i = 0; i < 1000; i++)); do
		[ -s "$pidfile" ] && break
		sleep 0.02
	done
	read -r pid <"$pidfile" || return 1
	printf '%s\n' "$pid"
}

# mc_stop_pid PID [TIMEOUT_S] -> sends SIGTERM to PID, waits up to TIMEOUT_S (default 20) for it
# to exit, then SIGKILLs it. Status 0 once it is gone.
mc_stop_pid()
{
	local pid=$1 timeout=${2:-20} i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < timeout * 20; i++)); do
		mc_pid_alive "$pid" || return 0
		sleep 0.05
	done
	mc_say "pid $pid did not exit after ${timeout}s, killing it"
	kill -KILL "$pid" 2>/dev/null || true
	sleep 0.1
}

# mc_stop NAME [TIMEOUT_S] -> stops NAME's recorded process (if alive) and removes its pidfile.
mc_stop()
{
	local pid
	if pid=$(mc_pid "$1"); then
		mc_stop_pid "$pid" "${2:-20}"
	fi
	rm -f "$(mc_pidfile "$1")"
}

# mc_kubectl ARGS... -> Debian's kubectl (package kubernetes-client), wherever install-deps put it.
mc_kubectl()
{
	local k
	k=$(mc_kubectl_path) || {
		mc_say "Debian's kubectl is not installed: run scripts/install-deps"
		return 127
	}
	"$k" "$@"
}

# mc_kubectl_path -> prints the path of Debian's kubectl; status 1 when it is not installed.
mc_kubectl_path()
{
	if [ "$(dpkg-query -S /usr/bin/kubectl 2>/dev/null | cut -d: -f1)" = kubernetes-client ]; then
		echo /usr/bin/kubectl
	elif [ -x /opt/magnum-c/kubernetes-client/usr/bin/kubectl ]; then
		echo /opt/magnum-c/kubernetes-client/usr/bin/kubectl
	else
		return 1
	fi
}

# mc_lock -> takes the state directory's lock on fd 9 (waits for other scripts holding it), so
# two concurrent `services start` never race on the same private instances.
mc_lock()
{
	mkdir -p "$MC_STATE_DIR"
	exec 9>"$MC_STATE_DIR/.lock"
	flock 9
}

# mc_source_openrc NAME -> exports the OS_* variables of $MC_STATE_DIR/NAME-openrc.
mc_source_openrc()
{
	# shellcheck disable=SC1090
	. "$MC_STATE_DIR/$1-openrc"
}
