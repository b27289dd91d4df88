#!/usr/bin/python3
"""magnum-sim: Debian's kubectl against an emulated Kubernetes master.

A master and two workers booted from fedora-coreos-latest (magnum_sim_coe=kubernetes) form a
cluster; the master is handed a serving certificate signed by a cluster CA (admin API) and is
reached on its floating IP. `kubectl get nodes` with a client certificate from the cluster CA
lists the three nodes Ready; without one, or with one from another CA, it is refused. Marking a
node NotReady and stopping the endpoint are visible to kubectl."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_sim_common import (GLANCE, ADMIN, BUILD, NEUTRON, NOVA, Sim, call, check, fail,
                             services_start, token, wait_for)

KUBECTL = "/opt/magnum-c/kubernetes-client/usr/bin/kubectl"


def kubeconfig(d, server, cert=None, key=None):
    path = os.path.join(d, "config-%s" % (os.path.basename(cert) if cert else "anon"))
    user = ""
    if cert:
        user = "    client-certificate: %s\n    client-key: %s\n" % (cert, key)
    with open(path, "w") as f:
        f.write("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
                "    server: %s\n    certificate-authority: %s/ca.pem\n"
                "contexts:\n- name: default\n  context:\n    cluster: c\n    user: admin\n"
                "current-context: default\npreferences: {}\nusers:\n- name: admin\n  user:\n%s"
                % (server, d, user or "    {}\n"))
    return path


def kubectl(cfg, *args):
    r = subprocess.run([KUBECTL, "--kubeconfig", cfg, "--request-timeout=10s"] + list(args),
                       capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


def main():
    if not os.access(KUBECTL, os.X_OK):
        fail("Debian's kubectl not installed (scripts/install-deps)")
    services_start()
    sim = Sim()
    try:
        tok, project = token()
        st, net = call("POST", NEUTRON + "/networks", tok, {"network": {"name": "k8snet"}})
        net_id = net["network"]["id"]
        st, sub = call("POST", NEUTRON + "/subnets", tok, {"subnet": {
            "network_id": net_id, "cidr": "10.0.0.0/24", "ip_version": 4}})
        st, nets = call("GET", NEUTRON + "/networks?router:external=True", tok)
        public = nets["networks"][0]["id"]
        st, router = call("POST", NEUTRON + "/routers", tok, {"router": {
            "external_gateway_info": {"network_id": public}}})
        call("PUT", NEUTRON + "/routers/%s/add_router_interface" % router["router"]["id"], tok,
             {"subnet_id": sub["subnet"]["id"]})
        st, imgs = call("GET", GLANCE + "/images?name=fedora-coreos-latest", tok)
        image = imgs["images"][0]["id"]
        ids = {}
        for name in ("kc-master-0", "kc-node-0", "kc-node-1"):
            st, srv = call("POST", NOVA + "/servers", tok, {"server": {
                "name": name, "imageRef": image, "flavorRef": "2",
                "networks": [{"uuid": net_id}]}})
            check(st == 202, "server %s accepted" % name)
            ids[name] = srv["server"]["id"]

        def active(sid):
            return call("GET", NOVA + "/servers/" + sid, tok)[1]["server"]["status"] == "ACTIVE"
        for name, sid in ids.items():
            wait_for(lambda: active(sid), name + " ACTIVE")
        st, ports = call("GET", NEUTRON + "/ports?device_id=" + ids["kc-master-0"], tok)
        st, fip = call("POST", NEUTRON + "/floatingips", tok, {"floatingip": {
            "floating_network_id": public, "port_id": ports["ports"][0]["id"]}})
        addr = fip["floatingip"]["floating_ip_address"]
        check(st == 201, "master floating IP %s" % addr)

        d = tempfile.mkdtemp(prefix="mc-sim-k8s-")
        r = subprocess.run([os.path.join(BUILD, "sim", "test_sim_certs"), d, addr])
        check(r.returncode == 0, "cluster CA and certificates generated with common/x509")
        pem = {n: open(os.path.join(d, n)).read() for n in ("ca.pem", "server.pem", "server-key.pem")}
        st, err = call("PUT", ADMIN + "/servers/%s/tls" % ids["kc-master-0"], None, {
            "ca": pem["ca.pem"], "cert": pem["server.pem"],
            "key": pem["server-key.pem"]})
        check(st == 204, "master handed its serving certificate")

        server = "https://%s:6443" % addr
        good = kubeconfig(d, server, os.path.join(d, "client.pem"), os.path.join(d, "client-key.pem"))
        anon = kubeconfig(d, server)
        rogue = kubeconfig(d, server, os.path.join(d, "rogue.pem"), os.path.join(d, "rogue-key.pem"))

        def nodes_ready():
            rc, out = kubectl(good, "get", "nodes")
            return rc == 0 and out.count(" Ready ") == 3 and out
        out = wait_for(nodes_ready, "kubectl get nodes with three Ready nodes")
        print(out)
        for name in ids:
            check(name in out, "node %s listed" % name)
        check("master" in out.splitlines()[1] or "master" in out, "master role shown")
        rc, out = kubectl(good, "version", "-o", "json")
        check(rc == 0 and '"gitVersion"' in out and "serverVersion" in out, "kubectl version sees the server")
        rc, out = kubectl(good, "get", "--raw", "/healthz")
        check(rc == 0 and out.strip() == "ok", "/healthz says ok")
        rc, out = kubectl(good, "get", "namespaces")
        check(rc == 0 and "kube-system" in out, "kubectl get namespaces")

        rc, out = kubectl(anon, "get", "nodes")
        # kubectl 1.20 answers a 401 by asking for a username (stdin is empty here)
        check(rc != 0 and ("Unauthorized" in out or "Username" in out),
              "kubectl refused without a client certificate")
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert",
                            os.path.join(d, "ca.pem"), server + "/api/v1/nodes"],
                           capture_output=True, text=True)
        check(r.stdout == "401", "the API answers 401 without a client certificate")
        rc, out = kubectl(rogue, "get", "nodes")
        check(rc != 0, "refused with a client certificate from another CA")

        st, _ = call("PUT", ADMIN + "/servers/%s/node" % ids["kc-node-1"], None, {"ready": False})
        check(st == 200, "kc-node-1 marked NotReady")
        rc, out = kubectl(good, "get", "nodes", "kc-node-1")
        check(rc == 0 and "NotReady" in out, "kubectl shows kc-node-1 NotReady")

        st, _ = call("PUT", ADMIN + "/servers/%s/node" % ids["kc-master-0"], None, {"endpoint": False})

        def down():
            rc, out = kubectl(good, "get", "nodes")
            return rc != 0 and "refused" in out
        wait_for(down, "endpoint stopped")
        check(True, "stopped COE endpoint refuses connections")
    finally:
        sim.stop()
    print("PASS")


if __name__ == "__main__":
    main()
