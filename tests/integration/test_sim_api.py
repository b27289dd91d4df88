#!/usr/bin/python3
"""magnum-sim: the error bodies and status codes of the real APIs, quotas that can be exceeded,
and the model surviving a restart through its snapshot file."""
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_sim_common import (ADMIN, GLANCE, NEUTRON, NOVA, PORTS, Sim, call, check, fail,
                             services_start, token)

CINDER = "http://127.0.0.1:%d/v3" % PORTS["cinder"]


def main():
    services_start()
    tok, project = token()
    alt_tok, alt_project = token("alt_demo", "alt_demo")
    missing = str(uuid.uuid4())
    snap = "/tmp/mc-sim-snapshot-%s.json" % missing[:8]
    sim = Sim("sim.snapshot_file=" + snap)
    try:
        st, b = call("GET", NOVA + "/servers/" + missing, tok)
        check(st == 404 and b == {"itemNotFound": {"code": 404, "message":
                                                   "Instance %s could not be found." % missing}},
              "Nova 404 itemNotFound body")
        st, b = call("GET", NEUTRON + "/networks/" + missing, tok)
        check(st == 404 and b == {"NeutronError": {"type": "NetworkNotFound", "message":
                                                   "Network %s could not be found." % missing,
                                                   "detail": ""}},
              "Neutron 404 NeutronError body")
        st, b = call("GET", CINDER + "/%s/volumes/%s" % (project, missing), tok)
        check(st == 404 and b["itemNotFound"]["message"] == "Volume %s could not be found." % missing,
              "Cinder 404 itemNotFound body")
        st, b = call("GET", GLANCE + "/images/" + missing, tok)
        check(st == 404 and "No image found with ID %s" % missing in b, "Glance 404 page")
        st, b = call("POST", NEUTRON + "/networks", tok, b"{not json", raw=True)
        check(st == 400 and b["NeutronError"]["type"] == "HTTPBadRequest", "Neutron malformed body -> 400")
        st, b = call("POST", NEUTRON + "/networks", tok, {"network": {"name": "x", "bogus": 1}})
        check(st == 400 and "Unrecognized attribute(s) 'bogus'" in b["NeutronError"]["message"],
              "Neutron unknown attribute -> 400")
        st, net = call("POST", NEUTRON + "/networks", tok, {"network": {"name": "keep-me"}})
        net_id = net["network"]["id"]
        st, b = call("POST", NEUTRON + "/subnets", tok, {"subnet": {
            "network_id": net_id, "cidr": "10.0.0.1/24", "ip_version": 4}})
        check(st == 400 and "'10.0.0.0/24' is recommended" in b["NeutronError"]["message"],
              "Neutron host bits in cidr -> 400 with the recommended cidr")
        st, sub = call("POST", NEUTRON + "/subnets", tok, {"subnet": {
            "network_id": net_id, "cidr": "10.0.0.0/24", "ip_version": 4}})
        st, b = call("POST", NEUTRON + "/subnets", tok, {"subnet": {
            "network_id": net_id, "cidr": "10.0.0.128/25", "ip_version": 4}})
        check(st == 400 and "overlaps with another subnet" in b["NeutronError"]["message"],
              "Neutron overlapping subnet -> 400")
        st, b = call("DELETE", NEUTRON + "/networks/" + net_id, alt_tok)
        check(st == 404, "another project's network is invisible (404)")
        st, b = call("GET", NEUTRON + "/networks?name=keep-me", alt_tok)
        check(b["networks"] == [], "another project's list does not show it")

        st, _ = call("POST", ADMIN + "/faults", None, {"quota": {"project": project, "network": 1,
                                                                  "instances": 0}})
        st, b = call("POST", NEUTRON + "/networks", tok, {"network": {"name": "second"}})
        check(st == 409 and b["NeutronError"]["type"] == "OverQuota" and
              b["NeutronError"]["message"] == "Quota exceeded for resources: ['network'].",
              "network quota exhausted -> 409 OverQuota")
        st, imgs = call("GET", GLANCE + "/images?name=cirros-0.5.2-x86_64-disk", tok)
        st, b = call("POST", NOVA + "/servers", tok, {"server": {
            "name": "q", "imageRef": imgs["images"][0]["id"], "flavorRef": "1",
            "networks": [{"uuid": net_id}]}})
        check(st == 403 and b["forbidden"]["message"].startswith("Quota exceeded for instances"),
              "instance quota exhausted -> 403 forbidden")
        st, b = call("POST", NOVA + "/servers", tok, {"server": {
            "name": "q", "imageRef": imgs["images"][0]["id"], "flavorRef": "nope"}})
        check(st == 400 and b["badRequest"]["message"] == "Flavor nope could not be found.",
              "unknown flavor -> 400 badRequest")
        st, b = call("GET", NEUTRON + "/quotas/" + project, tok)
        check(st == 200 and b["quota"]["network"] == 1, "Neutron quota shows the override")
        st, _ = call("POST", ADMIN + "/faults", None, {"delay_ms": {"glance": 50}})
        st, f = call("GET", ADMIN + "/faults")
        check(f["delay_ms"] == {"glance": 50}, "delay fault recorded")
        st, b = call("POST", ADMIN + "/faults", None, {"errors": {"nova": {"status": 200}}})
        check(st == 400, "admin rejects a nonsense fault")
    finally:
        sim.stop()
    sim = Sim("sim.snapshot_file=" + snap)
    try:
        st, b = call("GET", NEUTRON + "/networks/" + net_id, tok)
        check(st == 200 and b["network"]["name"] == "keep-me" and
              b["network"]["subnets"] == [sub["subnet"]["id"]],
              "network and subnet survive a restart through the snapshot")
        st, b = call("POST", NEUTRON + "/ports", tok, {"port": {"network_id": net_id}})
        check(st == 201 and b["port"]["fixed_ips"][0]["ip_address"] == "10.0.0.2",
              "allocations continue after the restart")
    finally:
        sim.stop()
        os.unlink(snap)
    print("PASS")


if __name__ == "__main__":
    main()
