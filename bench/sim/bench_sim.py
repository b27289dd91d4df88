#!/usr/bin/python3
"""magnum-sim benchmark: startup-to-ready time and memory held by N servers.

Builds nothing: pass the magnum-sim binary of a release (non-sanitizer) build.
  bench/sim/bench_sim.py [--bin build/sim/magnum-sim] [--servers 10000]
Runs the sim in noauth mode on the standard ports + --port-offset, measures the time from
exec to the admin API answering, boots N servers (each with a port on one tenant network) over
keep-alive HTTP, waits until all are ACTIVE, and prints RSS from /proc. Prints numbers only; it
asserts nothing."""
import argparse
import http.client
import json
import os
import subprocess
import tempfile
import time


def rss_kb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "../../build/sim/magnum-sim"))
    ap.add_argument("--servers", type=int, default=10000)
    ap.add_argument("--port-offset", type=int, default=10000,
                    help="run on the standard ports + this offset (default 10000)")
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="mc-sim-bench-")
    t0 = time.monotonic()
    p = subprocess.Popen([a.bin, "--set", "sim.auth_strategy=noauth", "--set", "sim.state_dir=" + d,
                          "--set", "sim.boot_delay_ms=0", "--set", "sim.log_level=warning"] +
                         sum([["--set", "sim.%s_port=%d" % (k, v + a.port_offset)] for k, v in
                              (("nova", 8774), ("neutron", 9696), ("glance", 9292),
                               ("cinder", 8776), ("octavia", 9876), ("admin", 8799))], []),
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "log"), "w"))
    admin = None
    while True:
        try:
            admin = http.client.HTTPConnection("127.0.0.1", 8799 + a.port_offset, timeout=5)
            admin.request("GET", "/health")
            if admin.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.002)
        if time.monotonic() - t0 > 10:
            raise SystemExit("sim did not start")
    ready = time.monotonic() - t0
    print("startup_to_ready_ms %.1f" % (ready * 1000))
    print("rss_idle_mb %.1f" % (rss_kb(p.pid) / 1024))
    hdr = {"X-Project-Id": "bench", "Content-Type": "application/json"}
    neu = http.client.HTTPConnection("127.0.0.1", 9696 + a.port_offset)
    neu.request("POST", "/v2.0/networks", json.dumps({"network": {"name": "bench"}}), hdr)
    net = json.loads(neu.getresponse().read())["network"]["id"]
    neu.request("POST", "/v2.0/subnets", json.dumps({"subnet": {"network_id": net, "cidr": "10.0.0.0/16",
                                                                "ip_version": 4}}), hdr)
    neu.getresponse().read()
    gl = http.client.HTTPConnection("127.0.0.1", 9292 + a.port_offset)
    gl.request("GET", "/v2/images?name=cirros-0.5.2-x86_64-disk", headers=hdr)
    image = json.loads(gl.getresponse().read())["images"][0]["id"]
    nova = http.client.HTTPConnection("127.0.0.1", 8774 + a.port_offset)
    t1 = time.monotonic()
    for i in range(a.servers):
        body = {"server": {"name": "bench-%05d" % i, "imageRef": image, "flavorRef": "1",
                           "networks": [{"uuid": net}], "metadata": {"role": "worker"}}}
        nova.request("POST", "/v2.1/servers", json.dumps(body), hdr)
        r = nova.getresponse()
        r.read()
        if r.status != 202:
            raise SystemExit("server %d: %d" % (i, r.status))
    created = time.monotonic() - t1
    print("servers %d create_s %.1f create_per_s %.0f" % (a.servers, created, a.servers / created))
    while True:
        nova.request("GET", "/v2.1/servers/detail?status=BUILD&limit=1", headers=hdr)
        if not json.loads(nova.getresponse().read())["servers"]:
            break
        time.sleep(0.2)
    print("rss_with_servers_mb %.1f" % (rss_kb(p.pid) / 1024))
    t2 = time.monotonic()
    nova.request("GET", "/v2.1/servers/detail?limit=100000", headers=hdr)
    n = len(json.loads(nova.getresponse().read())["servers"])
    print("list_detail_servers %d list_detail_s %.2f" % (n, time.monotonic() - t2))
    time.sleep(1.5)  # the engine returns freed pages to the system about once a second
    print("rss_after_list_mb %.1f" % (rss_kb(p.pid) / 1024))
    p.terminate()
    p.wait(10)


if __name__ == "__main__":
    main()
