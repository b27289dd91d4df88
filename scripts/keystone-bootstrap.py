#!/usr/bin/python3
"""Creates magnum-c's development accounts and catalog in a running Keystone, idempotently.

Usage: keystone-bootstrap.py URL PASSWORD REGION
URL is the v3 endpoint (http://127.0.0.1:5000/v3); `keystone-manage bootstrap` must already
have created the admin user/project/role and the identity endpoints. Every object is looked up
first and only created (or its endpoint URL corrected) when missing, so running it again is
harmless. Accounts and catalog are those of docs/development.md.
"""

import json
import os
import sys
import urllib.error
import urllib.request

URL, PASSWORD, REGION = sys.argv[1:4]
HOST = "http://127.0.0.1"


def port(var, default):
    """A catalog port: scripts/lib.sh's MC_*_PORT from the environment, else the default."""
    return os.environ.get(var) or default


PROJECTS = ["admin", "demo", "alt_demo", "service"]
ROLES = ["admin", "member", "reader"]
# (user, project, role)
USERS = [
    ("demo", "demo", "member"),
    ("alt_demo", "alt_demo", "member"),
    ("magnum", "service", "admin"),
]
TRUSTEE_DOMAIN = "magnum"
TRUSTEE_ADMIN = "magnum_domain_admin"
# (type, name, url)
SERVICES = [
    ("container-infra", "magnum", HOST + ":" + port("MC_API_PORT", "9511") + "/v1"),
    ("orchestration", "heat", HOST + ":" + port("MC_HEAT_PORT", "8004") + "/v1/%(tenant_id)s"),
    ("compute", "nova", HOST + ":" + port("MC_SIM_NOVA_PORT", "8774") + "/v2.1"),
    ("network", "neutron", HOST + ":" + port("MC_SIM_NEUTRON_PORT", "9696")),
    ("image", "glance", HOST + ":" + port("MC_SIM_GLANCE_PORT", "9292")),
    ("volumev3", "cinderv3", HOST + ":" + port("MC_SIM_CINDER_PORT", "8776") + "/v3/%(project_id)s"),
    ("load-balancer", "octavia", HOST + ":" + port("MC_SIM_OCTAVIA_PORT", "9876")),
]
INTERFACES = ["public", "internal", "admin"]

token = None


def call(method, path, body=None, ok=(200, 201, 204)):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(URL + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    req.add_header("Accept", "application/json")
    if token:
        req.add_header("X-Auth-Token", token)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            raw = resp.read()
            return resp, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        if e.code in ok:
            return e, None
        sys.exit("keystone-bootstrap: %s %s -> %d %s" % (method, path, e.code, e.read()[:500]))


def find(collection, key, query):
    _, body = call("GET", "/%s?%s" % (collection, query))
    items = body[key]
    return items[0] if items else None


def ensure(collection, key, query, create_body):
    found = find(collection, key, query)
    if found:
        return found
    singular = key[:-1]
    _, body = call("POST", "/" + collection, {singular: create_body})
    print("keystone-bootstrap: created %s %s" % (singular, create_body.get("name", "")))
    return body[singular]


def login():
    global token
    resp, _ = call("POST", "/auth/tokens", {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}})
    token = resp.headers["X-Subject-Token"]


def main():
    login()
    projects = {p: ensure("projects", "projects", "name=%s&domain_id=default" % p,
                          {"name": p, "domain_id": "default"}) for p in PROJECTS}
    roles = {r: ensure("roles", "roles", "name=" + r, {"name": r}) for r in ROLES}
    for user, project, role in USERS:
        u = ensure("users", "users", "name=%s&domain_id=default" % user,
                   {"name": user, "domain_id": "default", "password": PASSWORD,
                    "default_project_id": projects[project]["id"]})
        call("PUT", "/projects/%s/users/%s/roles/%s"
             % (projects[project]["id"], u["id"], roles[role]["id"]))

    dom = ensure("domains", "domains", "name=" + TRUSTEE_DOMAIN,
                 {"name": TRUSTEE_DOMAIN, "description": "Owns users and projects created by magnum"})
    u = ensure("users", "users", "name=%s&domain_id=%s" % (TRUSTEE_ADMIN, dom["id"]),
               {"name": TRUSTEE_ADMIN, "domain_id": dom["id"], "password": PASSWORD})
    call("PUT", "/domains/%s/users/%s/roles/%s" % (dom["id"], u["id"], roles["admin"]["id"]))

    for stype, name, url in SERVICES:
        svc = ensure("services", "services", "type=" + stype, {"type": stype, "name": name})
        for iface in INTERFACES:
            q = "service_id=%s&interface=%s&region_id=%s" % (svc["id"], iface, REGION)
            ep = find("endpoints", "endpoints", q)
            if ep is None:
                call("POST", "/endpoints", {"endpoint": {
                    "service_id": svc["id"], "interface": iface, "region_id": REGION,
                    "url": url}})
            elif ep["url"] != url:
                call("PATCH", "/endpoints/" + ep["id"], {"endpoint": {"url": url}})


if __name__ == "__main__":
    main()
