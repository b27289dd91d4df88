#!/usr/bin/python3
"""magnum-sim: an emulated Kubernetes master obtains its serving certificate the way a real one
does (make-cert.sh): with the trustee credentials in its user_data it gets a Keystone token,
fetches the cluster CA from magnum-api (GET /certificates/<cluster>) and has its CSR signed
(POST /certificates); then kubectl, with a client certificate from the same CA, verifies the
master's certificate and lists the nodes. magnum-api is played by a small local listener that
checks the token against the real Keystone and signs with python3-cryptography."""
import base64
import datetime
import json
import os
import subprocess
import sys
import tempfile
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_sim_common import (GLANCE, KEYSTONE, NEUTRON, NOVA, Sim, call, check, fail,
                             services_start, token, wait_for)

KUBECTL = "/opt/magnum-c/kubernetes-client/usr/bin/kubectl"
MAGNUM_PORT = 19511
CLUSTER = str(uuid.uuid4())
SEEN = []


def name(cn, org=None):
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


now = datetime.datetime.utcnow()
CA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CA = (x509.CertificateBuilder().subject_name(name("bs-cluster")).issuer_name(name("bs-cluster"))
      .public_key(CA_KEY.public_key()).serial_number(x509.random_serial_number())
      .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
      .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
      .sign(CA_KEY, hashes.SHA256()))
CA_PEM = CA.public_bytes(serialization.Encoding.PEM).decode().strip()


def sign(csr_or_key, subject=None):
    if subject is None:
        csr = csr_or_key
        b = x509.CertificateBuilder().subject_name(csr.subject).public_key(csr.public_key())
        for ext in csr.extensions:
            b = b.add_extension(ext.value, ext.critical)
    else:
        b = x509.CertificateBuilder().subject_name(subject).public_key(csr_or_key.public_key())
        b = b.add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), False)
    return (b.issuer_name(CA.subject).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .sign(CA_KEY, hashes.SHA256()))


class Magnum(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def token_ok(self):
        st, _ = call("GET", KEYSTONE + "/auth/tokens", self.headers.get("X-Auth-Token"),
                     headers={"X-Subject-Token": self.headers.get("X-Auth-Token") or "x"})
        return st == 200

    def do_GET(self):
        SEEN.append(("GET", self.path))
        if not self.token_ok():
            return self.reply(401, {"error": "bad token"})
        if self.path.startswith("/v1/certificates/" + CLUSTER):
            return self.reply(200, {"cluster_uuid": CLUSTER, "pem": CA_PEM})
        self.reply(404, {"errors": []})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n))
        SEEN.append(("POST", self.path, body))
        if not self.token_ok():
            return self.reply(401, {"error": "bad token"})
        csr = x509.load_pem_x509_csr(body["csr"].encode())
        cert = sign(csr).public_bytes(serialization.Encoding.PEM).decode().strip()
        self.reply(201, {"cluster_uuid": body["cluster_uuid"], "csr": body["csr"], "pem": cert})


def main():
    services_start()
    magnum = HTTPServer(("127.0.0.1", MAGNUM_PORT), Magnum)
    threading.Thread(target=magnum.serve_forever, daemon=True).start()
    sim = Sim()
    try:
        tok, project = token()
        st, info = call("GET", KEYSTONE + "/auth/tokens", tok, headers={"X-Subject-Token": tok})
        user_id = info["token"]["user"]["id"]
        st, net = call("POST", NEUTRON + "/networks", tok, {"network": {"name": "bsnet"}})
        net_id = net["network"]["id"]
        st, sub = call("POST", NEUTRON + "/subnets", tok, {"subnet": {
            "network_id": net_id, "cidr": "10.0.0.0/24", "ip_version": 4}})
        st, nets = call("GET", NEUTRON + "/networks?router:external=True", tok)
        public = nets["networks"][0]["id"]
        st, router = call("POST", NEUTRON + "/routers", tok, {"router": {
            "external_gateway_info": {"network_id": public}}})
        call("PUT", NEUTRON + "/routers/%s/add_router_interface" % router["router"]["id"], tok,
             {"subnet_id": sub["subnet"]["id"]})
        st, port = call("POST", NEUTRON + "/ports", tok, {"port": {"network_id": net_id}})
        st, fip = call("POST", NEUTRON + "/floatingips", tok, {"floatingip": {
            "floating_network_id": public, "port_id": port["port"]["id"]}})
        addr = fip["floatingip"]["floating_ip_address"]
        heat_params = ('CLUSTER_UUID="%s"\nMAGNUM_URL="http://127.0.0.1:%d/v1"\nAUTH_URL="%s"\n'
                       'TRUSTEE_USER_ID="%s"\nTRUSTEE_PASSWORD="secret"\nTRUST_ID=""\n'
                       'TLS_DISABLED="False"\n') % (CLUSTER, MAGNUM_PORT, KEYSTONE, user_id)
        user_data = "#!/bin/sh\ncat > /etc/sysconfig/heat-params <<EOF\n%sEOF\n" % heat_params
        st, imgs = call("GET", GLANCE + "/images?name=fedora-coreos-latest", tok)
        st, srv = call("POST", NOVA + "/servers", tok, {"server": {
            "name": "bs-master-0", "imageRef": imgs["images"][0]["id"], "flavorRef": "2",
            "networks": [{"port": port["port"]["id"]}],
            "user_data": base64.b64encode(user_data.encode()).decode()}})
        check(st == 202, "master with trustee credentials in user_data accepted")
        wait_for(lambda: any(s[0] == "POST" for s in SEEN), "CSR posted to magnum-api", 60)
        gets = [s for s in SEEN if s[0] == "GET"]
        posts = [s for s in SEEN if s[0] == "POST"]
        check(gets and gets[0][1] == "/v1/certificates/" + CLUSTER, "cluster CA fetched with a trustee token")
        body = posts[0][2]
        check(body["cluster_uuid"] == CLUSTER and body["ca_cert_type"] == "kubelet",
              "CSR posted with cluster_uuid and ca_cert_type")
        csr = x509.load_pem_x509_csr(body["csr"].encode())
        sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        ips = [str(i) for i in sans.get_values_for_type(x509.IPAddress)]
        check(addr in ips, "CSR names the master's floating IP %s (%s)" % (addr, ips))

        d = tempfile.mkdtemp(prefix="mc-sim-bs-")
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = sign(key, name("admin", "system:masters"))
        open(os.path.join(d, "ca.pem"), "w").write(CA_PEM + "\n")
        open(os.path.join(d, "cert.pem"), "wb").write(cert.public_bytes(serialization.Encoding.PEM))
        open(os.path.join(d, "key.pem"), "wb").write(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption()))
        cfg = os.path.join(d, "config")
        open(cfg, "w").write(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://%s:6443\n"
            "    certificate-authority: %s/ca.pem\ncontexts:\n- name: default\n  context:\n"
            "    cluster: c\n    user: admin\ncurrent-context: default\nusers:\n- name: admin\n"
            "  user:\n    client-certificate: %s/cert.pem\n    client-key: %s/key.pem\n" % (addr, d, d, d))

        def ready():
            r = subprocess.run([KUBECTL, "--kubeconfig", cfg, "get", "nodes"], capture_output=True,
                               text=True, timeout=30)
            return r.returncode == 0 and "bs-master-0" in r.stdout and r.stdout
        out = wait_for(ready, "kubectl get nodes against the bootstrapped master", 30)
        print(out)
        check(" Ready " in out, "kubectl verifies the bootstrapped serving certificate and lists the node")
    finally:
        sim.stop()
        magnum.shutdown()
    print("PASS")


if __name__ == "__main__":
    main()
