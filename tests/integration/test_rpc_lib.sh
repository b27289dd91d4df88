# shellcheck shell=bash
# Helpers for the RPC integration tests: a private RabbitMQ node per test run under a temporary
# directory with its own random free ports (RPC_TEST_AMQP_PORT, distribution port +10000,
# RPC_TEST_EPMD_PORT), so a test may stop and restart its broker without touching the shared
# node of scripts/services, and runs from several build directories do not collide. Source it; call rpc_cleanup on exit (set as a trap).

# _rpc_free_port: prints a random port in 30000-39999 with nothing listening on it or on
# port+10000 (the node's distribution port), so test runs from several build directories
# do not collide.
_rpc_free_port()
{
	local p i
	for ((i = 0; i < 100; i++)); do
		p=$((30000 + RANDOM % 10000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null &&
			! (exec 3<>"/dev/tcp/127.0.0.1/$((p + 10000))") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}
RPC_TEST_AMQP_PORT=${RPC_TEST_AMQP_PORT:-$(_rpc_free_port)}
RPC_TEST_EPMD_PORT=${RPC_TEST_EPMD_PORT:-$(_rpc_free_port)}
RPC_TEST_DIR=$(mktemp -d /tmp/mc-rpc-test.XXXXXX)
RPC_TEST_URL=rabbit://guest:guest@127.0.0.1:$RPC_TEST_AMQP_PORT/
RPC_PIDS=()

rpc_say()
{
	printf '%s: %s\n' "$(basename "$0")" "$*" >&2
}

rpc_fail()
{
	rpc_say "FAIL: $*"
	exit 1
}

rpc_port_open()
{
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

_rpc_rabbit_env()
{
	export HOME=$RPC_TEST_DIR
	export RABBITMQ_NODENAME=mc-rpc-test-$RPC_TEST_AMQP_PORT@localhost
	export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
	export RABBITMQ_NODE_PORT=$RPC_TEST_AMQP_PORT
	export RABBITMQ_DIST_PORT=$((RPC_TEST_AMQP_PORT + 10000))
	export ERL_EPMD_PORT=$RPC_TEST_EPMD_PORT
	export ERL_EPMD_ADDRESS=127.0.0.1
	export RABBITMQ_MNESIA_BASE=$RPC_TEST_DIR/mnesia
	export RABBITMQ_LOG_BASE=$RPC_TEST_DIR/log
	export RABBITMQ_LOGS=-
	export RABBITMQ_CONF_ENV_FILE=$RPC_TEST_DIR/rabbitmq-env.conf
	export RABBITMQ_CONFIG_FILE=$RPC_TEST_DIR/rabbitmq.conf
	export RABBITMQ_ADVANCED_CONFIG_FILE=$RPC_TEST_DIR/advanced.config
	export RABBITMQ_ENABLED_PLUGINS_FILE=$RPC_TEST_DIR/enabled_plugins
	export RABBITMQ_PID_FILE=$RPC_TEST_DIR/rabbitmq.pid
	export RABBITMQ_SCHEDULER_BUSY_WAIT_THRESHOLD=none
	export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

# rabbit_start: starts (or restarts, keeping its data) the private node; waits until it accepts
# AMQP connections.
rabbit_start()
{
	rpc_port_open "$RPC_TEST_AMQP_PORT" && rpc_fail "port $RPC_TEST_AMQP_PORT is already taken"
	mkdir -p "$RPC_TEST_DIR/mnesia" "$RPC_TEST_DIR/log"
	(
		_rpc_rabbit_env
		if [ ! -s "$HOME/.erlang.cookie" ]; then
			umask 077
			head -c 32 /dev/urandom | md5sum | cut -c1-20 >"$HOME/.erlang.cookie"
		fi
		chmod 400 "$HOME/.erlang.cookie"
		: >"$RABBITMQ_CONF_ENV_FILE"
		echo '[].' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
		printf 'listeners.tcp.1 = 127.0.0.1:%s\nlog.console = true\nlog.console.level = warning\nlog.file = false\n' \
			"$RPC_TEST_AMQP_PORT" >"$RABBITMQ_CONFIG_FILE"
		setsid /usr/lib/rabbitmq/bin/rabbitmq-server </dev/null >>"$RPC_TEST_DIR/rabbit.log" 2>&1 &
		echo $! >"$RPC_TEST_DIR/launcher.pid"
	)
	local i
	for ((i = 0; i < 1200; i++)); do
		rpc_port_open "$RPC_TEST_AMQP_PORT" && return 0
		sleep 0.1
	done
	tail -20 "$RPC_TEST_DIR/rabbit.log" >&2
	rpc_fail "RabbitMQ did not start on $RPC_TEST_AMQP_PORT"
}

# rabbit_stop: stops the node (SIGTERM to its Erlang VM), waits until the port is closed.
rabbit_stop()
{
	local pid i
	pid=$(cat "$RPC_TEST_DIR/rabbitmq.pid" 2>/dev/null || true)
	[ -n "$pid" ] || pid=$(cat "$RPC_TEST_DIR/launcher.pid" 2>/dev/null || true)
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 600; i++)); do
		if ! rpc_port_open "$RPC_TEST_AMQP_PORT" && ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$RPC_TEST_DIR/rabbitmq.pid"
			return 0
		fi
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# rpc_bg NAME CMD...: runs CMD in the background with output in $RPC_TEST_DIR/NAME.{out,err};
# sets RPC_LAST_PID (the pid is also killed by rpc_cleanup). Call it directly, not in $(...).
rpc_bg()
{
	local name=$1
	shift
	"$@" >"$RPC_TEST_DIR/$name.out" 2>"$RPC_TEST_DIR/$name.err" &
	RPC_LAST_PID=$!
	RPC_PIDS+=("$RPC_LAST_PID")
}

# wait_for_line FILE REGEX [TIMEOUT_S]: waits until FILE has a line matching REGEX.
wait_for_line()
{
	local file=$1 re=$2 timeout=${3:-60} i
	for ((i = 0; i < timeout * 10; i++)); do
		grep -Eq -- "$re" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# stop_pid PID [TIMEOUT_S]: SIGTERM, wait, and report the exit status (124 if it had to be
# killed).
stop_pid()
{
	local pid=$1 timeout=${2:-20} i
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < timeout * 10; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			return $?
		fi
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null
	return 124
}

rpc_cleanup()
{
	local pid
	for pid in "${RPC_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	rabbit_stop >/dev/null 2>&1 || true
	(_rpc_rabbit_env && epmd -port "$RPC_TEST_EPMD_PORT" -kill >/dev/null 2>&1) || true
	if [ -z "${RPC_KEEP:-}" ]; then
		rm -rf "$RPC_TEST_DIR"
	else
		rpc_say "kept $RPC_TEST_DIR"
	fi
}
