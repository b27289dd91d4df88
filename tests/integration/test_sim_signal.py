#!/usr/bin/python3
"""magnum-sim: a booted server signals its WaitConditionHandle and SoftwareDeployments the way
a real node's boot scripts do, against a tiny local orchestration listener:

  - the WaitConditionHandle curl_cli ($WAIT_CURL) in user_data → POST with its token and
    {"status": "SUCCESS"};
  - a HEAT_SIGNAL deployment in the server metadata → a Keystone token for the deployment's
    user (real Keystone) and POST .../stacks/<stack>/resources/<res>/signal;
  - a POLL_SERVER_HEAT os-collect-config section in user_data → the agent polls the resource
    metadata from the orchestration API and signals the deployment it finds there (URL signal);
  - fault injection: the next boot fails (ERROR, no signal), and an API error rate."""
import base64
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_sim_common import (GLANCE, ADMIN, KEYSTONE, NEUTRON, NOVA, Sim, call, check, fail,
                             services_start, token, wait_for)

SEEN = []
PORT = 18004


class Heat(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode()
        SEEN.append(("POST", self.path, self.headers.get("X-Auth-Token"), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def do_GET(self):
        SEEN.append(("GET", self.path, self.headers.get("X-Auth-Token"), ""))
        if self.path.endswith("/resources/kube_master/metadata"):
            md = {"deployments": [{"id": "dep-polled", "name": "master_config", "group": "script",
                                   "inputs": [
                                       {"name": "deploy_signal_transport", "value": "TEMP_URL_SIGNAL"},
                                       {"name": "deploy_action", "value": "CREATE"},
                                       {"name": "deploy_signal_id",
                                        "value": "http://127.0.0.1:%d/polled-signal" % PORT}]}]}
            data = json.dumps(md).encode()
            self.send_response(200)
        else:
            data = b'{"error": "not found"}'
            self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    services_start()
    httpd = HTTPServer(("127.0.0.1", PORT), Heat)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    sim = Sim("sim.orchestration_url=http://127.0.0.1:%d/v1" % PORT)
    try:
        tok, project = token()
        st, info = call("GET", KEYSTONE + "/auth/tokens", tok, headers={"X-Subject-Token": tok})
        user_id = info["token"]["user"]["id"]
        st, net = call("POST", NEUTRON + "/networks", tok, {"network": {"name": "signet"}})
        net_id = net["network"]["id"]
        call("POST", NEUTRON + "/subnets", tok, {"subnet": {
            "network_id": net_id, "cidr": "192.168.7.0/24", "ip_version": 4}})
        wc_url = "http://127.0.0.1:%d/v1/proj/stacks/st/sid/resources/master_wait_handle/signal" % PORT
        user_data = ("#!/bin/bash\ncat > /etc/sysconfig/heat-params <<EOF\n"
                     "WAIT_CURL=\"curl -i -X POST -H 'X-Auth-Token: wc-token-123' "
                     "-H 'Content-Type: application/json' -H 'Accept: application/json' %s\"\n"
                     "EOF\n"
                     '{"os-collect-config": {"heat": {"auth_url": "%s", "user_id": "%s", '
                     '"password": "secret", "project_id": "%s", "stack_id": "st/sid", '
                     '"resource_name": "kube_master"}}}\n') % (wc_url, KEYSTONE, user_id, project)
        deployments = [{"id": "dep-heat", "name": "enable_services", "group": "script", "inputs": [
            {"name": "deploy_signal_transport", "value": "HEAT_SIGNAL"},
            {"name": "deploy_auth_url", "value": KEYSTONE},
            {"name": "deploy_user_id", "value": user_id},
            {"name": "deploy_password", "value": "secret"},
            {"name": "deploy_project_id", "value": project},
            {"name": "deploy_stack_id", "value": "st/sid"},
            {"name": "deploy_resource_name", "value": "enable_services_deployment"}]}]
        st, srv = call("POST", NOVA + "/servers", tok, {"server": {
            "name": "sig-node", "imageRef": image(tok), "flavorRef": "1",
            "networks": [{"uuid": net_id}],
            "user_data": base64.b64encode(user_data.encode()).decode(),
            "metadata": {"deployments": json.dumps(deployments)}}})
        check(st == 202, "server with WaitCondition + deployments accepted")

        def posted(path_part):
            return [s for s in SEEN if s[0] == "POST" and path_part in s[1]]
        wc = wait_for(lambda: posted("master_wait_handle/signal"), "WaitCondition signal")
        check(wc[0][2] == "wc-token-123" and json.loads(wc[0][3]) == {"status": "SUCCESS"},
              "WaitConditionHandle signalled with its token and status SUCCESS")
        hs = wait_for(lambda: posted("/v1/%s/stacks/st/sid/resources/enable_services_deployment/signal"
                                     % project),
                      "HEAT_SIGNAL deployment signal")
        st, _ = call("GET", KEYSTONE + "/auth/tokens", tok, headers={"X-Subject-Token": hs[0][2]})
        check(st == 200 and json.loads(hs[0][3])["deploy_status_code"] == 0,
              "HEAT_SIGNAL deployment signalled with a Keystone token of the deployment user")
        polled = wait_for(lambda: posted("/polled-signal"), "polled deployment signal")
        body = json.loads(polled[0][3])
        check(body["deploy_status_code"] == 0 and "deploy_stdout" in body,
              "deployment found by polling the orchestration API signalled")
        gets = [s for s in SEEN if s[0] == "GET" and
                s[1] == "/v1/%s/stacks/st/sid/resources/kube_master/metadata" % project]
        st, _ = call("GET", KEYSTONE + "/auth/tokens", tok, headers={"X-Subject-Token": gets[0][2]})
        check(st == 200, "metadata polled with a real Keystone token of the os-collect-config user")

        st, srv2 = call("POST", NOVA + "/servers", tok, {"server": {
            "name": "sig-node-2", "imageRef": image(tok), "flavorRef": "1",
            "networks": [{"uuid": net_id}], "metadata": {}}})
        check(st == 202, "plain server accepted")

        # faults: the next boot fails
        st, f = call("POST", ADMIN + "/faults", None, {"fail_boots": 1})
        check(st == 200 and f["fail_boots"] == 1, "fault: fail the next boot")
        st, bad = call("POST", NOVA + "/servers", tok, {"server": {
            "name": "doomed", "imageRef": image(tok), "flavorRef": "1",
            "networks": [{"uuid": net_id}]}})

        def status(sid):
            return call("GET", NOVA + "/servers/" + sid, tok)[1]["server"]
        s = wait_for(lambda: status(bad["server"]["id"])["status"] == "ERROR" and status(bad["server"]["id"]),
                     "failed boot")
        check(s["fault"]["code"] == 500 and "No valid host" in s["fault"]["message"],
              "failed boot: ERROR with a Nova fault")
        s2 = wait_for(lambda: status(srv2["server"]["id"])["status"] == "ACTIVE", "second server ACTIVE")
        check(s2, "servers booted before the fault are unaffected")

        st, _ = call("POST", ADMIN + "/faults", None, {"errors": {"neutron": {"status": 503, "count": 2}}})
        a = call("GET", NEUTRON + "/networks", tok)
        b = call("GET", NEUTRON + "/networks", tok)
        c = call("GET", NEUTRON + "/networks", tok)
        check(a[0] == 503 and b[0] == 503 and "NeutronError" in a[1] and c[0] == 200,
              "fault: exactly the next 2 Neutron calls answer 503 in Neutron's format")
        st, _ = call("POST", ADMIN + "/faults", None, {"quota": {"project": project, "floatingip": 0}})
        st, nets = call("GET", NEUTRON + "/networks?router:external=True", tok)
        st, err = call("POST", NEUTRON + "/floatingips", tok, {"floatingip": {
            "floating_network_id": nets["networks"][0]["id"]}})
        check(st == 409 and err["NeutronError"]["type"] == "OverQuota",
              "fault: exhausted floating IP quota -> 409 OverQuota")
        st, _ = call("POST", ADMIN + "/reset")
        st, servers = call("GET", NOVA + "/servers", tok)
        check(st == 200 and servers["servers"] == [], "reset empties the model")
    finally:
        sim.stop()
        httpd.shutdown()
    print("PASS")


def image(tok):
    st, imgs = call("GET", GLANCE + "/images?name=cirros-0.5.2-x86_64-disk", tok)
    return imgs["images"][0]["id"]


if __name__ == "__main__":
    main()
