#!/usr/bin/env bash
# Wire compatibility with the real oslo.messaging (Debian's python3-oslo.messaging, the library
# Magnum itself uses), both ways, through a real RabbitMQ:
#   - Python RPCClient → our server: call → result, remote failure → RemoteError carrying our
#     class and message, cast → delivered with the caller's request id;
#   - our client → Python RPC server: call → result, a raised exception with kwargs.code → our
#     failure with class, message and HTTP code, cast → delivered.
# Python is configured with amqp_durable_queues = true, our default (see common/rpc.h).
set -euo pipefail
tool=$1
. "$(dirname "$0")/test_rpc_lib.sh"
trap rpc_cleanup EXIT
py=/usr/bin/python3
$py -c 'import oslo_messaging' 2>/dev/null || { rpc_say "SKIP: python3-oslo.messaging missing"; exit 0; }

cat >"$RPC_TEST_DIR/oslo.conf" <<CONF
[DEFAULT]
transport_url = $RPC_TEST_URL
control_exchange = magnum
[oslo_messaging_rabbit]
amqp_durable_queues = true
CONF
cat >"$RPC_TEST_DIR/oslo_side.py" <<'PY'
"""Python half of the interop test: `client TOPIC` or `server TOPIC`."""
import signal
import sys
import threading

from oslo_config import cfg
import oslo_messaging as om


class ClusterNotFound(Exception):
    """Shaped like magnum.common.exception: message plus kwargs carrying the HTTP code."""

    def __init__(self, message, code):
        super().__init__(message)
        self.kwargs = {'code': code}


class Endpoint:
    def ping_conductor(self, ctxt):
        return True

    def fail(self, ctxt, message, code):
        raise ClusterNotFound(message, code)

    def echo(self, ctxt, message):
        print('echo %s req=%s' % (message, ctxt.get('request_id')), flush=True)


def transport(conf_file):
    conf = cfg.CONF  # oslo.messaging registers its metrics options on the global one
    conf(['--config-file', conf_file], project='interop')
    return om.get_rpc_transport(conf)


def run_client(conf_file, topic):
    t = transport(conf_file)
    client = om.RPCClient(t, om.Target(topic=topic), timeout=15)
    ctx = {'request_id': 'req-00000000-1111-4222-8333-444444444444', 'project_id': 'p'}
    print('call ping -> %r' % client.call(ctx, 'ping'), flush=True)
    for method, kwargs in (('fail', {'message': 'Cluster c1 could not be found.', 'code': 404,
                                     'class': 'ClusterNotFound'}),
                           ('no_such_method', {})):
        try:
            client.call(ctx, method, **kwargs)
            print('%s -> no exception' % method, flush=True)
        except om.RemoteError as e:
            print('%s -> RemoteError %s: %s' % (method, e.exc_type, e.value), flush=True)
    client.cast(ctx, 'echo', message='from-python')
    print('cast done', flush=True)
    t.cleanup()


def run_server(conf_file, topic):
    t = transport(conf_file)
    server = om.get_rpc_server(t, om.Target(topic=topic, server='pyserver'), [Endpoint()],
                               executor='threading')
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    server.start()
    print('ready', flush=True)
    stop.wait()
    server.stop()
    server.wait()
    t.cleanup()


if __name__ == '__main__':
    {'client': run_client, 'server': run_server}[sys.argv[1]](sys.argv[2], sys.argv[3])
PY

rabbit_start

# --- Python client → our server
rpc_bg serve "$tool" serve "$RPC_TEST_URL" interop-c
srv=$RPC_LAST_PID
wait_for_line "$RPC_TEST_DIR/serve.out" '^ready$' 60 || rpc_fail "our server did not connect"
out=$($py "$RPC_TEST_DIR/oslo_side.py" client "$RPC_TEST_DIR/oslo.conf" interop-c 2>"$RPC_TEST_DIR/pyclient.err" || true)
echo "$out"
echo "$out" | grep -q "^call ping -> True$" ||
	rpc_fail "Python call failed: $(tail -5 "$RPC_TEST_DIR/pyclient.err")"
echo "$out" | grep -q "^fail -> RemoteError ClusterNotFound: Cluster c1 could not be found.$" ||
	rpc_fail "Python client did not get our failure"
echo "$out" | grep -q "^no_such_method -> RemoteError NoSuchMethod: Endpoint does not support RPC method no_such_method$" ||
	rpc_fail "Python client did not get NoSuchMethod"
echo "$out" | grep -q '^cast done$' || rpc_fail "Python cast failed"
wait_for_line "$RPC_TEST_DIR/serve.out" '^echo from-python req=req-00000000-1111-4222-8333-444444444444$' 20 ||
	rpc_fail "Python cast not delivered to our server with its request id"
stop_pid "$srv" 20 || rpc_fail "our server did not stop cleanly"

# --- our client → Python server
rpc_bg pyserver $py "$RPC_TEST_DIR/oslo_side.py" server "$RPC_TEST_DIR/oslo.conf" interop-py
pysrv=$RPC_LAST_PID
wait_for_line "$RPC_TEST_DIR/pyserver.out" '^ready$' 60 ||
	rpc_fail "Python server did not start: $(tail -5 "$RPC_TEST_DIR/pyserver.err")"
out=$("$tool" call "$RPC_TEST_URL" interop-py ping_conductor '{}' 15000)
[ "$out" = true ] || rpc_fail "call to the Python server returned '$out'"
set +e
out=$("$tool" call "$RPC_TEST_URL" interop-py fail '{"message":"Cluster c2 could not be found.","code":404}' 15000)
set -e
echo "$out"
[ "$out" = "error errno=EREMOTEIO http=404 class=ClusterNotFound message=Cluster c2 could not be found." ] ||
	rpc_fail "Python failure not decoded with class/code/message"
RPC_REQUEST_ID=req-99999999-8888-4777-8666-555555555555 \
	"$tool" cast "$RPC_TEST_URL" interop-py echo '{"message":"from-c"}' | grep -qx ok
wait_for_line "$RPC_TEST_DIR/pyserver.out" '^echo from-c req=req-99999999-8888-4777-8666-555555555555$' 20 ||
	rpc_fail "our cast not delivered to the Python server with its request id"
stop_pid "$pysrv" 30 || true
rpc_say PASS
