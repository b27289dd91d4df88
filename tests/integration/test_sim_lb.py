#!/usr/bin/python3
"""magnum-sim: an Octavia load balancer is a real HAProxy that forwards TCP to its members,
health-checks them, and stops sending to a member that is down or disabled.

Two echo servers listen on the loopback addresses backing two tenant ports; the load balancer
is reached through a floating IP on its VIP port (as Magnum's API load balancer is)."""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_sim_common import (ADMIN, NEUTRON, OCTAVIA, Sim, call, check, fail, services_start,
                             token, wait_for)


class Echo:
    def __init__(self, host, name):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 7000))
        self.sock.listen(16)
        self.name = name
        self.running = True
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while self.running:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            try:
                c.settimeout(2)
                data = c.recv(1024)
                c.sendall(self.name.encode() + b":" + data)
            except OSError:
                pass
            c.close()

    def close(self):
        self.running = False
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self.sock.close()


def ask(addr, port):
    s = socket.create_connection((addr, port), timeout=3)
    s.sendall(b"hello")
    data = s.recv(1024)
    s.close()
    return data.decode()


def main():
    services_start()
    sim = Sim()
    echoes = []
    try:
        tok, project = token()
        st, net = call("POST", NEUTRON + "/networks", tok, {"network": {"name": "lbnet"}})
        check(st == 201, "network created")
        net_id = net["network"]["id"]
        st, sub = call("POST", NEUTRON + "/subnets", tok, {"subnet": {
            "network_id": net_id, "cidr": "10.0.0.0/24", "ip_version": 4, "name": "lbsub"}})
        check(st == 201, "subnet created")
        sub_id = sub["subnet"]["id"]
        st, nets = call("GET", NEUTRON + "/networks?router:external=True", tok)
        public = nets["networks"][0]["id"]
        st, router = call("POST", NEUTRON + "/routers", tok, {"router": {
            "name": "r", "external_gateway_info": {"network_id": public}}})
        check(st == 201, "router with gateway created")
        st, _ = call("PUT", NEUTRON + "/routers/%s/add_router_interface" % router["router"]["id"],
                     tok, {"subnet_id": sub_id})
        check(st == 200, "router interface added")

        # two "servers": ports whose backing loopback addresses run echo servers
        members = []
        for name in ("a", "b"):
            st, port = call("POST", NEUTRON + "/ports", tok, {"port": {"network_id": net_id}})
            check(st == 201, "port %s created" % name)
            st, info = call("GET", ADMIN + "/ports/" + port["port"]["id"])
            backing = info["backing"][0]
            check(backing.startswith("127.") and backing.endswith(
                "." + port["port"]["fixed_ips"][0]["ip_address"].split(".")[-1]),
                "port %s backed by loopback %s" % (name, backing))
            echoes.append(Echo(backing, name))
            members.append(port["port"]["fixed_ips"][0]["ip_address"])

        st, lb = call("POST", OCTAVIA + "/lbaas/loadbalancers", tok, {"loadbalancer": {
            "name": "lb", "vip_subnet_id": sub_id}})
        check(st == 201 and lb["loadbalancer"]["provisioning_status"] == "PENDING_CREATE",
              "load balancer PENDING_CREATE")
        lb_id = lb["loadbalancer"]["id"]
        st, err = call("POST", OCTAVIA + "/lbaas/listeners", tok, {"listener": {
            "loadbalancer_id": lb_id, "protocol": "TCP", "protocol_port": 8443}})
        check(st == 409 and "immutable" in err["faultstring"], "pending load balancer is immutable")

        def active():
            st, b = call("GET", OCTAVIA + "/lbaas/loadbalancers/" + lb_id, tok)
            return b["loadbalancer"]["provisioning_status"] == "ACTIVE"

        def step(method, path, body, expect=201):
            wait_for(active, "load balancer ACTIVE")
            st, b = call(method, OCTAVIA + path, tok, body)
            if st != expect:
                fail("%s %s -> %s %s" % (method, path, st, b))
            return b

        lis = step("POST", "/lbaas/listeners", {"listener": {
            "loadbalancer_id": lb_id, "protocol": "TCP", "protocol_port": 8443, "name": "l"}})
        pool = step("POST", "/lbaas/pools", {"pool": {
            "listener_id": lis["listener"]["id"], "protocol": "TCP",
            "lb_algorithm": "ROUND_ROBIN"}})["pool"]
        mids = []
        for addr in members:
            m = step("POST", "/lbaas/pools/%s/members" % pool["id"], {"member": {
                "address": addr, "protocol_port": 7000, "subnet_id": sub_id}})
            mids.append(m["member"]["id"])
        step("POST", "/lbaas/healthmonitors", {"healthmonitor": {
            "pool_id": pool["id"], "type": "TCP", "delay": 1, "timeout": 1, "max_retries": 1,
            "max_retries_down": 1}})
        wait_for(active, "load balancer ACTIVE")

        # reach it through a floating IP on the VIP port, as Magnum does
        st, fip = call("POST", NEUTRON + "/floatingips", tok, {"floatingip": {
            "floating_network_id": public, "port_id": lb["loadbalancer"]["vip_port_id"]}})
        check(st == 201, "floating IP on the VIP port")
        addr = fip["floatingip"]["floating_ip_address"]

        def both_answer():
            try:
                seen = {ask(addr, 8443).split(":")[0] for _ in range(6)}
            except OSError:
                return False
            return seen == {"a", "b"}
        wait_for(both_answer, "round robin over both members via HAProxy")
        check(True, "HAProxy forwards TCP to both members at %s:8443" % addr)

        def member_status(mid):
            st, b = call("GET", OCTAVIA + "/lbaas/pools/%s/members/%s" % (pool["id"], mid), tok)
            return b["member"]["operating_status"]
        wait_for(lambda: member_status(mids[0]) == "ONLINE", "member a ONLINE")

        # member b dies: health checks take it out, traffic goes to a only
        echoes[1].close()
        wait_for(lambda: member_status(mids[1]) == "ERROR", "member b ERROR after its server died")
        replies = {ask(addr, 8443).split(":")[0] for _ in range(6)}
        check(replies == {"a"}, "traffic only to the healthy member (%s)" % replies)
        st, p = call("GET", OCTAVIA + "/lbaas/pools/" + pool["id"], tok)
        check(p["pool"]["operating_status"] == "DEGRADED", "pool DEGRADED")
        st, l = call("GET", OCTAVIA + "/lbaas/loadbalancers/" + lb_id, tok)
        check(l["loadbalancer"]["operating_status"] == "DEGRADED", "load balancer DEGRADED")

        # admin-disable member a: nothing left to forward to
        step("PUT", "/lbaas/pools/%s/members/%s" % (pool["id"], mids[0]),
             {"member": {"admin_state_up": False}}, expect=200)
        wait_for(active, "load balancer ACTIVE")

        def refused():
            try:
                r = ask(addr, 8443)
                return r == ""
            except OSError:
                return True
        wait_for(refused, "no member answers once a is disabled")
        check(True, "disabled member receives no traffic")

        st, err = call("DELETE", OCTAVIA + "/lbaas/loadbalancers/" + lb_id, tok)
        check(st == 400 and "has children" in err["faultstring"], "delete without cascade refused")
        st, _ = call("DELETE", OCTAVIA + "/lbaas/loadbalancers/%s?cascade=true" % lb_id, tok)
        check(st == 204, "cascade delete accepted")
        wait_for(lambda: call("GET", OCTAVIA + "/lbaas/loadbalancers/" + lb_id, tok)[0] == 404,
                 "load balancer gone")

        def stopped():
            try:
                socket.create_connection((addr, 8443), timeout=1).close()
                return False
            except OSError:
                return True
        wait_for(stopped, "HAProxy stopped after delete")
        check(True, "HAProxy stopped on delete")
        st, err = call("GET", OCTAVIA + "/lbaas/loadbalancers/" + lb_id, tok)
        check(st == 404 and err["faultstring"] == "Load Balancer %s not found." % lb_id,
              "Octavia 404 body")
    finally:
        for e in echoes:
            e.close()
        sim.stop()
    print("PASS")


if __name__ == "__main__":
    main()
