#!/usr/bin/python3
"""A tiny stand-in for the cloud (Glance images, Nova flavors/keypairs, Neutron external
networks) used by the magnum-api integration tests when magnum-sim is not available. It serves
only the read-only lookups magnum-api's validation does, with fixed data:

  images:   fedora-coreos (os_distro fedora-coreos), fedora-atomic, ubuntu (os_distro ubuntu),
            no-distro (no os_distro)
  flavors:  m1.small, m1.medium, ds1G
  keypairs: default, kp
  networks: public (router:external), dup x2 (external, same name)

usage: test_api_fakecloud.py PORT_GLANCE PORT_NOVA PORT_NEUTRON
"""
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

IMAGES = [
    {"id": "11111111-1111-4111-8111-111111111111", "name": "fedora-coreos",
     "os_distro": "fedora-coreos", "status": "active"},
    {"id": "22222222-2222-4222-8222-222222222222", "name": "fedora-atomic",
     "os_distro": "fedora-atomic", "status": "active"},
    {"id": "33333333-3333-4333-8333-333333333333", "name": "ubuntu",
     "os_distro": "ubuntu", "status": "active"},
    {"id": "44444444-4444-4444-8444-444444444444", "name": "no-distro", "status": "active"},
]
FLAVORS = [{"id": "1", "name": "m1.small"}, {"id": "2", "name": "m1.medium"},
           {"id": "3", "name": "ds1G"}]
KEYPAIRS = ["default", "kp"]
NETWORKS = [
    {"id": "aaaaaaaa-0000-4000-8000-000000000001", "name": "public", "router:external": True},
    {"id": "aaaaaaaa-0000-4000-8000-000000000002", "name": "dup", "router:external": True},
    {"id": "aaaaaaaa-0000-4000-8000-000000000003", "name": "dup", "router:external": True},
]


class Handler(BaseHTTPRequestHandler):
    kind = None

    def log_message(self, *a):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        p = u.path.rstrip("/")
        if self.kind == "glance":
            if p == "/v2/images":
                imgs = [i for i in IMAGES if "name" not in q or i["name"] == q["name"][0]]
                return self.reply(200, {"images": imgs})
            if p.startswith("/v2/images/"):
                for i in IMAGES:
                    if i["id"] == p.split("/")[-1]:
                        return self.reply(200, i)
        elif self.kind == "nova":
            p = p.replace("/v2.1", "")
            if p == "/flavors/detail":
                return self.reply(200, {"flavors": FLAVORS})
            if p.startswith("/os-keypairs/"):
                name = urllib.parse.unquote(p.split("/")[-1])
                if name in KEYPAIRS:
                    return self.reply(200, {"keypair": {"name": name}})
        elif self.kind == "neutron":
            if p == "/v2.0/networks":
                return self.reply(200, {"networks": NETWORKS})
        return self.reply(404, {"itemNotFound": {"code": 404, "message": "not found"}})

    # Nova keypair create/delete (tempest's keypair setup goes through the catalog's compute).
    def do_POST(self):
        p = urllib.parse.urlparse(self.path).path.replace("/v2.1", "").rstrip("/")
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n) or b"{}")
        if self.kind == "nova" and p == "/os-keypairs":
            # Nova keypairs belong to a user; this fake has one shared namespace, so a create
            # of an existing name succeeds (two tempest users may create "default" at once).
            name = body.get("keypair", {}).get("name")
            if name not in KEYPAIRS:
                KEYPAIRS.append(name)
            return self.reply(200, {"keypair": {"name": name, "private_key": "-----BEGIN "
                                                "RSA PRIVATE KEY-----\nx\n-----END RSA "
                                                "PRIVATE KEY-----\n", "public_key": "ssh-rsa x",
                                                "fingerprint": "00", "user_id": "u"}})
        return self.reply(404, {"itemNotFound": {"code": 404, "message": "not found"}})

    def do_DELETE(self):
        p = urllib.parse.urlparse(self.path).path.replace("/v2.1", "").rstrip("/")
        if self.kind == "nova" and p.startswith("/os-keypairs/"):
            name = urllib.parse.unquote(p.split("/")[-1])
            if name in KEYPAIRS:
                # deletes are not applied: another user's keypair of that name must survive
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        return self.reply(404, {"itemNotFound": {"code": 404, "message": "not found"}})


def serve(kind, port):
    h = type("H" + kind, (Handler,), {"kind": kind})
    ThreadingHTTPServer(("127.0.0.1", port), h).serve_forever()


if __name__ == "__main__":
    ports = [int(x) for x in sys.argv[1:4]]
    for kind, port in zip(("glance", "nova", "neutron"), ports):
        threading.Thread(target=serve, args=(kind, port), daemon=True).start()
    threading.Event().wait()
