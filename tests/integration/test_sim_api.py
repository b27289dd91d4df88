#!/usr/bin/python3
"""magnum-sim: the error bodies and status codes of the real APIs, quotas that can be exceeded,
and the model surviving a restart through its snapshot file."""
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_sim_common import (ADMIN, GLANCE, NEUTRON, NOVA, PORTS, Sim, call, check, fail,
                             services_start, token, wait_for)

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
        for attr, value in (("network_id", net_id), ("cidr", "10.0.1.0/24")):
            st, b = call("PUT", NEUTRON + "/subnets/" + sub["subnet"]["id"], tok,
                         {"subnet": {attr: value}})
            check(st == 400 and b["NeutronError"]["message"] ==
                  "Cannot update read-only attribute " + attr,
                  "Neutron subnet update of %s -> 400 naming it" % attr)
        st, b = call("DELETE", NEUTRON + "/networks/" + net_id, alt_tok)
        check(st == 404, "another project's network is invisible (404)")
        st, b = call("GET", NEUTRON + "/networks?name=keep-me", alt_tok)
        check(b["networks"] == [], "another project's list does not show it")

        # Cinder volume attached through Nova, refused deletion while in use, detached
        st, imgs = call("GET", GLANCE + "/images?name=cirros-0.5.2-x86_64-disk", tok)
        st, srv = call("POST", NOVA + "/servers", tok, {"server": {
            "name": "volhost", "imageRef": imgs["images"][0]["id"], "flavorRef": "1",
            "networks": [{"uuid": net_id}]}})
        sid = srv["server"]["id"]
        st, vol = call("POST", CINDER + "/%s/volumes" % project, tok, {"volume": {
            "size": 1, "name": "data", "volume_type": "lvmdriver-1"}})
        check(st == 202 and vol["volume"]["status"] == "creating", "volume creating")
        vid = vol["volume"]["id"]
        vurl = CINDER + "/%s/volumes/%s" % (project, vid)
        wait_for(lambda: call("GET", vurl, tok)[1]["volume"]["status"] == "available", "volume available")
        wait_for(lambda: call("GET", NOVA + "/servers/" + sid, tok)[1]["server"]["status"] == "ACTIVE",
                 "server ACTIVE")
        st, att = call("POST", NOVA + "/servers/%s/os-volume_attachments" % sid, tok,
                       {"volumeAttachment": {"volumeId": vid}})
        check(st == 200 and att["volumeAttachment"]["volumeId"] == vid, "volume attached through Nova")
        st, v = call("GET", vurl, tok)
        check(v["volume"]["status"] == "in-use" and v["volume"]["attachments"][0]["server_id"] == sid,
              "volume in-use with its attachment")
        st, s = call("GET", NOVA + "/servers/" + sid, tok)
        check(s["server"]["os-extended-volumes:volumes_attached"] == [{"id": vid}],
              "server lists the attached volume")
        check(att["volumeAttachment"]["device"] == "/dev/vdb", "first attachment gets /dev/vdb")
        st, l = call("GET", NOVA + "/servers/%s/os-volume_attachments" % sid, tok)
        check(st == 200 and l["volumeAttachments"] == [att["volumeAttachment"]],
              "attachment list shows the attachment as created")
        st, b = call("DELETE", vurl, tok)
        check(st == 400 and "Invalid volume" in b["badRequest"]["message"], "in-use volume not deletable")
        st, _ = call("DELETE", NOVA + "/servers/%s/os-volume_attachments/%s" % (sid, vid), tok)
        check(st == 202 and call("GET", vurl, tok)[1]["volume"]["status"] == "available", "volume detached")
        st, _ = call("DELETE", vurl, tok)
        wait_for(lambda: call("GET", vurl, tok)[0] == 404, "volume deleted")
        check(True, "volume deleted")
        call("DELETE", NOVA + "/servers/" + sid, tok)

        st, _ = call("POST", ADMIN + "/faults", None, {"quota": {"project": project, "network": 1,
                                                                  "instances": 0}})
        st, b = call("POST", NEUTRON + "/networks", tok, {"network": {"name": "second"}})
        check(st == 409 and b["NeutronError"]["type"] == "OverQuota" and
              b["NeutronError"]["message"] == "Quota exceeded for resources: ['network'].",
              "network quota exhausted -> 409 OverQuota")
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
        st, _ = call("POST", NEUTRON + "/ports", tok, {"port": {"network_id": net_id, "fixed_ips": [
            {"ip_address": "10.0.0.50"}]}})
        check(st == 201, "port with a requested address")
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
        st, b = call("POST", NEUTRON + "/ports", tok, {"port": {"network_id": net_id, "fixed_ips": [
            {"ip_address": "10.0.0.50"}]}})
        check(st == 409 and b["NeutronError"]["type"] == "IpAddressAlreadyAllocated",
              "an address allocated before the restart is still taken")
        st, b = call("POST", NEUTRON + "/ports", tok, {"port": {"network_id": net_id}})
        check(st == 201 and b["port"]["fixed_ips"][0]["ip_address"].startswith("10.0.0."),
              "allocations continue after the restart")
        # every network gets a 127.N loopback block of its own: when they run out, the answer
        # is Neutron's for exhausted tenant network segments, not a quota error
        call("POST", ADMIN + "/faults", None, {"quota": {"project": project, "network": 1000}})
        made, st = [], 201
        while st == 201 and len(made) < 300:
            st, b = call("POST", NEUTRON + "/networks", tok, {"network": {"name": "many"}})
            if st == 201:
                made.append(b["network"]["id"])
        check(st == 503 and b["NeutronError"]["type"] == "NoNetworkAvailable" and
              200 < len(made) < 256, "no free loopback block -> 503 NoNetworkAvailable")
        for nid in made:
            call("DELETE", NEUTRON + "/networks/" + nid, tok)
        st, b = call("POST", NEUTRON + "/networks", tok, {"network": {"name": "again"}})
        check(st == 201, "a deleted network's block is handed out again")
    finally:
        sim.stop()
        os.unlink(snap)
    print("PASS")


if __name__ == "__main__":
    main()
