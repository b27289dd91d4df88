"""Helpers shared by the magnum-sim integration tests (not a test itself).

Starts the private services (scripts/services), starts magnum-sim on the catalog's ports with a
private state directory, gets Keystone tokens, and talks to the simulated APIs over HTTP.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SRC = os.environ.get("MC_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
BUILD = os.environ.get("MC_BUILD_DIR", os.path.join(SRC, "build"))
SIM_BIN = os.path.join(BUILD, "sim", "magnum-sim")
KEYSTONE = "http://127.0.0.1:5000/v3"
# These tests talk to the sim directly, so they run it on shifted ports and can run beside a
# quickstart sim that holds the catalog's ports.
OFF = int(os.environ.get("MC_SIM_TEST_PORT_OFFSET", "10000"))
PORTS = {"nova": 8774 + OFF, "neutron": 9696 + OFF, "glance": 9292 + OFF, "cinder": 8776 + OFF,
         "octavia": 9876 + OFF, "admin": 8799 + OFF}
NOVA = "http://127.0.0.1:%d/v2.1" % PORTS["nova"]
NEUTRON = "http://127.0.0.1:%d/v2.0" % PORTS["neutron"]
GLANCE = "http://127.0.0.1:%d/v2" % PORTS["glance"]
OCTAVIA = "http://127.0.0.1:%d/v2" % PORTS["octavia"]
ADMIN = "http://127.0.0.1:%d" % PORTS["admin"]


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok: " + msg)


def services_start():
    r = subprocess.run([os.path.join(SRC, "scripts", "services"), "start"], capture_output=True, text=True)
    if r.returncode != 0:
        fail("scripts/services start failed: " + r.stderr[-2000:])
    env = {}
    for line in open(os.path.join(os.environ.get("MC_STATE_DIR", os.path.join(SRC, ".state")), "env")):
        line = line.strip()
        if line.startswith("export "):
            k, _, v = line[7:].partition("=")
            env[k] = v.strip("'\"")
    return env


def port_open(port, host="127.0.0.1"):
    s = socket.socket()
    s.settimeout(0.2)
    try:
        s.connect((host, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


class Sim:
    """A magnum-sim process for one test."""

    def __init__(self, *sets):
        busy = [p for p in PORTS.values() if port_open(p)]
        if busy:
            fail("something already listens on %s; stop it first" % busy)
        self.dir = tempfile.mkdtemp(prefix="mc-sim-test-")
        args = [SIM_BIN, "--set", "sim.state_dir=" + self.dir]
        for svc, port in PORTS.items():
            args += ["--set", "sim.%s_port=%d" % (svc, port)]
        for s in ("sim.boot_delay_ms=200", "sim.lb_delay_ms=100", "sim.health_interval_ms=300") + sets:
            args += ["--set", s]
        self.log = open(os.path.join(self.dir, "sim.log"), "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(100):
            if port_open(PORTS["admin"]) and port_open(PORTS["nova"]):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        fail("magnum-sim did not start; log:\n" + open(os.path.join(self.dir, "sim.log")).read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        log = open(os.path.join(self.dir, "sim.log")).read()
        if "Sanitizer" in log or "runtime error:" in log:
            print(log, file=sys.stderr)
            fail("sanitizer report in magnum-sim log")


def token(user="demo", project="demo", password="secret"):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"name": "Default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"name": "Default"}}}}}
    req = urllib.request.Request(KEYSTONE + "/auth/tokens", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        tok = r.headers["X-Subject-Token"]
        return tok, json.load(r)["token"]["project"]["id"]


def call(method, url, tok=None, body=None, headers=None, raw=False):
    """Returns (status, parsed JSON or text)."""
    h = {"Content-Type": "application/json"}
    if tok:
        h["X-Auth-Token"] = tok
    h.update(headers or {})
    data = json.dumps(body).encode() if body is not None and not raw else body
    req = urllib.request.Request(url, data=data, headers=h, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            status = r.status
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        status = e.code
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, text


def wait_for(fn, what, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    fail("timed out waiting for " + what)
