#!/usr/bin/python3
"""magnum-sim: the Swarm (Docker Engine API) and Mesos emulated endpoints on the masters'
floating IPs, counting the cluster's nodes the way Magnum's swarm and mesos monitors read them."""
import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_sim_common import (ADMIN, GLANCE, NEUTRON, NOVA, Sim, call, check, fail,
                             services_start, token, wait_for)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except OSError as e:
        return 0, str(e)


def main():
    services_start()
    sim = Sim()
    try:
        tok, project = token()
        st, net = call("POST", NEUTRON + "/networks", tok, {"network": {"name": "coenet"}})
        net_id = net["network"]["id"]
        st, sub = call("POST", NEUTRON + "/subnets", tok, {"subnet": {
            "network_id": net_id, "cidr": "10.0.0.0/24", "ip_version": 4}})
        st, nets = call("GET", NEUTRON + "/networks?router:external=True", tok)
        public = nets["networks"][0]["id"]
        st, router = call("POST", NEUTRON + "/routers", tok, {"router": {
            "external_gateway_info": {"network_id": public}}})
        call("PUT", NEUTRON + "/routers/%s/add_router_interface" % router["router"]["id"], tok,
             {"subnet_id": sub["subnet"]["id"]})

        def boot(name, image):
            st, imgs = call("GET", GLANCE + "/images?name=" + image, tok)
            st, srv = call("POST", NOVA + "/servers", tok, {"server": {
                "name": name, "imageRef": imgs["images"][0]["id"], "flavorRef": "2",
                "networks": [{"uuid": net_id}]}})
            if st != 202:
                fail("boot %s: %s %s" % (name, st, srv))
            sid = srv["server"]["id"]
            wait_for(lambda: call("GET", NOVA + "/servers/" + sid, tok)[1]["server"]["status"] == "ACTIVE",
                     name + " ACTIVE")
            return sid

        def fip(sid):
            st, ports = call("GET", NEUTRON + "/ports?device_id=" + sid, tok)
            st, f = call("POST", NEUTRON + "/floatingips", tok, {"floatingip": {
                "floating_network_id": public, "port_id": ports["ports"][0]["id"]}})
            return f["floatingip"]["floating_ip_address"]

        sw = boot("sw-master-0", "fedora-atomic-latest")
        boot("sw-node-0", "fedora-atomic-latest")
        boot("sw-node-1", "fedora-atomic-latest")
        addr = fip(sw)
        st, body = wait_for(lambda: get("http://%s:2375/_ping" % addr)[0] == 200 and
                            get("http://%s:2375/_ping" % addr), "docker /_ping")
        check(body == "OK", "Docker /_ping answers OK on the swarm master's floating IP")
        st, info = get("http://%s:2375/info" % addr)
        info = json.loads(info)
        check(info["Swarm"]["Nodes"] == 3 and info["Swarm"]["Managers"] == 1,
              "Docker /info: 3 swarm nodes, 1 manager")
        st, nodes = get("http://%s:2375/v1.41/nodes" % addr)
        nodes = json.loads(nodes)
        check(sorted(n["Description"]["Hostname"] for n in nodes) ==
              ["sw-master-0", "sw-node-0", "sw-node-1"] and
              all(n["Status"]["State"] == "ready" for n in nodes), "Docker /nodes lists them ready")
        st, v = get("http://%s:2375/version" % addr)
        check(json.loads(v)["ApiVersion"] == "1.41", "Docker /version")

        ms = boot("ms-master-0", "ubuntu-mesos")
        slave = boot("ms-slave-0", "ubuntu-mesos")
        boot("ms-slave-1", "ubuntu-mesos")
        maddr = fip(ms)
        wait_for(lambda: get("http://%s:5050/health" % maddr)[0] == 200, "mesos /health")
        st, state = get("http://%s:5050/master/state" % maddr)
        state = json.loads(state)
        check(state["activated_slaves"] == 2 and
              sorted(s["hostname"] for s in state["slaves"]) == ["ms-slave-0", "ms-slave-1"],
              "Mesos /master/state lists the two slaves")
        check(state["slaves"][0]["resources"]["mem"] == 2048.0, "slave resources from the flavor")
        call("DELETE", NOVA + "/servers/" + slave, tok)
        st, state = get("http://%s:5050/master/state" % maddr)
        check(json.loads(state)["activated_slaves"] == 1, "a deleted slave disappears")
    finally:
        sim.stop()
    print("PASS")


if __name__ == "__main__":
    main()
