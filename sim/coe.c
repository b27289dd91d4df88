/*
 * Emulated COE endpoints. A master server booted from an image whose `magnum_sim_coe` property
 * names a COE serves that COE's API on every host address it has (the loopback addresses
 * backing its fixed IPs, and its floating IPs):
 *
 *   kubernetes  HTTPS on [sim] k8s_port with a serving certificate obtained the way a real master
 *               gets it (trustee credentials from user_data → Keystone token → magnum-api signs
 *               its CSR and hands out the cluster CA), or handed over through the admin API;
 *               client certificates are required and checked against the cluster CA. Serves
 *               /healthz, /readyz, /livez, /version, /api, /apis, /api/v1, nodes (one per server
 *               of the cluster, Ready unless marked NotReady), namespaces, empty pod/service
 *               lists, and Table output for kubectl. TLS_DISABLED clusters get plain HTTP on 8080.
 *   swarm       the Docker Engine API: /_ping, /version, /info, /nodes (plain HTTP on 2375, or
 *               HTTPS on [sim] swarm_port when TLS material is present).
 *   mesos       /health, /master/state (and /state, /state.json) on [sim] mesos_port.
 *
 * The cluster a server belongs to is the CLUSTER_UUID in its user data, else its metadata
 * `magnum_cluster`, else its name up to "-master"/"-node"/"-minion".
 */
#include "common/common.h"

#include <ctype.h>
#include <sys/stat.h>
#include <time.h>

#include "common/httpclient.h"
#include "common/ids.h"
#include "common/json_util.h"
#include "common/keystone.h"
#include "common/x509.h"
#include "sim/sim.h"

#define COE_MAX_ADDRS 8

struct sim_coe {
        struct sim *sim;
        char *server_id;
        char *coe;
        char *cluster;
        char *project;
        char *tls_sig;   /* identity of the TLS material in use ("" = plain) */
        char *addrs_sig; /* addresses joined, to notice changes */
        struct httpd *srv[COE_MAX_ADDRS];
        char *listen[COE_MAX_ADDRS];
        size_t n_srv;
        struct sim_coe *next;
};

/* ---- finding parameters in user data ---------------------------------------------------- */

/* The value of NAME in `NAME="v"`, `NAME='v'`, `NAME=v` or `"NAME": "v"` forms; NULL if absent. */
static char *param_get(const char *text, const char *name)
{
        if (!text)
                return NULL;
        size_t nl = strlen(name);
        for (const char *p = strstr(text, name); p; p = strstr(p + 1, name)) {
                if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
                        continue;
                const char *q = p + nl;
                if (*q == '"')
                        q++;
                while (*q == ' ')
                        q++;
                if (*q != '=' && *q != ':')
                        continue;
                q++;
                while (*q == ' ')
                        q++;
                char quote = 0;
                if (*q == '"' || *q == '\'')
                        quote = *q++;
                const char *end = q;
                while (*end && (quote ? *end != quote : !strchr(" \t\r\n;,}", *end)))
                        end++;
                if (end == q)
                        continue;
                return xstrndup(q, (size_t)(end - q));
        }
        return NULL;
}

static char *cluster_key(json_t *srv)
{
        char *v = param_get(json_get_str(srv, "_user_data"), "CLUSTER_UUID");
        if (v)
                return v;
        const char *m = json_get_str(json_object_get(srv, "metadata"), "magnum_cluster");
        if (m)
                return xstrdup(m);
        const char *name = json_get_str(srv, "name");
        static const char *const marks[] = {"-master", "-node", "-minion", "-slave", NULL};
        for (size_t i = 0; marks[i]; i++) {
                const char *p = strstr(name, marks[i]);
                if (p)
                        return xstrndup(name, (size_t)(p - name));
        }
        return xstrdup(name);
}

static bool is_master(json_t *srv)
{
        const char *role = json_get_str(json_object_get(srv, "metadata"), "magnum_sim_role");
        if (role)
                return streq(role, "master");
        const char *name = json_get_str(srv, "name");
        return name && strstr(name, "master") != NULL;
}

/* ---- the plan --------------------------------------------------------------------------- */

void sim_coe_plan_free(struct sim_coe_plan *p, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(p[i].server_id);
                free(p[i].coe);
                free(p[i].cluster);
                free(p[i].user_data);
                for (size_t j = 0; p[i].addrs && p[i].addrs[j]; j++)
                        free(p[i].addrs[j]);
                free(p[i].addrs);
        }
        free(p);
}

static void bootstrap_start(struct sim *s, json_t *srv);

struct sim_coe_plan *sim_coe_plan(struct sim *s, size_t *ret_n)
{
        size_t n = 0, alloc = 0;
        struct sim_coe_plan *p = NULL;
        const char *id;
        json_t *srv;
        json_object_foreach(s->db[K_SERVER], id, srv)
        {
                const char *coe = json_get_str(srv, "_coe");
                const char *st = json_get_str(srv, "status");
                if (!coe || !st || !streq(st, "ACTIVE") || !is_master(srv))
                        continue;
                json_t *ns = json_object_get(s->node_state, id);
                if (!json_get_bool(ns, "endpoint", true))
                        continue;
                if ((streq(coe, "kubernetes") || str_starts_with(coe, "swarm")) &&
                    !json_object_get(ns, "tls") && !json_get_bool(ns, "bootstrapping", false)) {
                        _cleanup_free_ char *off =
                                param_get(json_get_str(srv, "_user_data"), "TLS_DISABLED");
                        if (!off || !strcaseeq(off, "true"))
                                bootstrap_start(s, srv);
                }
                p = xgrow(p, n + 1, &alloc, sizeof(*p));
                struct sim_coe_plan *e = &p[n++];
                memset(e, 0, sizeof(*e));
                e->server_id = xstrdup(id);
                e->coe = xstrdup(coe);
                e->master = true;
                e->cluster = cluster_key(srv);
                e->addrs = xnew(char *, COE_MAX_ADDRS + 1);
                size_t na = 0;
                size_t i;
                json_t *pid;
                json_array_foreach(json_object_get(srv, "_ports"), i, pid)
                {
                        json_t *port = sim_get(s, K_PORT, json_string_value(pid));
                        size_t j;
                        json_t *b;
                        json_array_foreach(json_object_get(port, "_backing"), j,
                                           b) if (na < COE_MAX_ADDRS) e->addrs[na++] =
                                xstrdup(json_string_value(b));
                        const char *k;
                        json_t *fip;
                        json_object_foreach(s->db[K_FIP], k, fip)
                        {
                                const char *fp = json_get_str(fip, "port_id");
                                if (fp && streq(fp, json_string_value(pid)) && na < COE_MAX_ADDRS)
                                        e->addrs[na++] =
                                                xstrdup(json_get_str(fip, "floating_ip_address"));
                        }
                }
                e->user_data = xstrdup_or_null(json_get_str(srv, "_user_data"));
        }
        *ret_n = n;
        return p;
}

/* ---- Kubernetes ------------------------------------------------------------------------- */

static int k8s_status(struct httpd_req *req, int code, const char *reason, const char *msg)
{
        json_auto_t *j = json_pack("{s:s?,s:s?,s:{},s:s?,s:s?,s:s?,s:i}", "kind", "Status",
                                   "apiVersion", "v1", "metadata", "status", "Failure", "message",
                                   msg, "reason", reason, "code", code);
        return httpd_resp_json(req, code, json_checked(j));
}

static void k8s_error_hook(struct httpd_req *req, int status, const char *detail, void *data)
{
        (void)data;
        (void)detail;
        if (status == 401)
                k8s_status(req, 401, "Unauthorized", "Unauthorized");
        else if (status == 404)
                k8s_status(req, 404, "NotFound",
                           "the server could not find the requested "
                           "resource");
        else
                k8s_status(req, status, httpd_reason(status), detail ? detail : "error");
}

static const struct httpd_hooks k8s_hooks = {.error = k8s_error_hook};

static int text_ok(struct httpd_req *req, void *data)
{
        (void)data;
        httpd_resp_set_header(req, "X-Content-Type-Options", "nosniff");
        return httpd_resp_body(req, 200, "text/plain; charset=utf-8", "ok", 2);
}

static int k8s_version(struct httpd_req *req, void *data)
{
        struct sim_coe *ep = data;
        const char *v = ep->sim->o.k8s_version;
        char major[8] = "1", minor[8] = "21";
        sscanf(v, "v%7[0-9].%7[0-9]", major, minor);
        json_auto_t *j = json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?}", "major", major,
                                   "minor", minor, "gitVersion", v, "gitCommit",
                                   "0000000000000000000000000000000000000000", "gitTreeState",
                                   "clean", "buildDate", "2022-03-16T15:51:37Z", "goVersion",
                                   "go1.16.15", "compiler", "gc", "platform", "linux/amd64");
        return httpd_resp_json(req, 200, json_checked(j));
}

static int k8s_api(struct httpd_req *req, void *data)
{
        (void)data;
        json_auto_t *j =
                json_pack("{s:s?,s:[s?],s:[{s:s?,s:s?}]}", "kind", "APIVersions", "versions", "v1",
                          "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0", "serverAddress",
                          httpd_req_header(req, "Host") ? httpd_req_header(req, "Host") : "");
        return httpd_resp_json(req, 200, json_checked(j));
}

static int k8s_apis(struct httpd_req *req, void *data)
{
        (void)data;
        json_auto_t *j =
                json_pack("{s:s?,s:s?,s:[]}", "kind", "APIGroupList", "apiVersion", "v1", "groups");
        return httpd_resp_json(req, 200, json_checked(j));
}

static json_t *resource(const char *name, const char *kind, bool namespaced, const char *shortn)
{
        json_t *r = json_pack("{s:s?,s:s?,s:b,s:s?,s:[s?,s?,s?,s?,s?,s?,s?]}", "name", name,
                              "singularName", "", "namespaced", namespaced, "kind", kind, "verbs",
                              "create", "delete", "get", "list", "patch", "update", "watch");
        if (shortn)
                json_object_set_new(r, "shortNames", json_pack("[s?]", shortn));
        return r;
}

static int k8s_api_v1(struct httpd_req *req, void *data)
{
        (void)data;
        json_auto_t *j = json_pack(
                "{s:s?,s:s?,s:[o,o,o,o,o,o]}", "kind", "APIResourceList", "groupVersion", "v1",
                "resources", resource("nodes", "Node", false, "no"),
                resource("namespaces", "Namespace", false, "ns"),
                resource("pods", "Pod", true, "po"), resource("services", "Service", true, "svc"),
                resource("configmaps", "ConfigMap", true, "cm"),
                resource("secrets", "Secret", true, NULL));
        return httpd_resp_json(req, 200, json_checked(j));
}

static const char *k8s_age(const char *created, char out[16])
{
        int64_t us;
        if (!created || time_parse_iso(created, &us) < 0) {
                snprintf(out, 16, "<unknown>");
                return out;
        }
        long long s = (long long)((time_now_us() - us) / 1000000);
        if (s < 120)
                snprintf(out, 16, "%llds", s);
        else if (s < 3 * 3600)
                snprintf(out, 16, "%lldm", s / 60);
        else if (s < 48 * 3600)
                snprintf(out, 16, "%lldh", s / 3600);
        else
                snprintf(out, 16, "%lldd", s / 86400);
        return out;
}

/* Nodes of the endpoint's cluster as Node objects (lock taken here). */
static json_t *k8s_nodes(struct sim_coe *ep, const char *only)
{
        struct sim *s = ep->sim;
        json_t *arr = json_checked(json_array());
        char now[40];
        sim_time(now, false);
        pthread_mutex_lock(&s->lock);
        const char *id;
        json_t *srv;
        json_object_foreach(s->db[K_SERVER], id, srv)
        {
                const char *st = json_get_str(srv, "status");
                const char *p = json_get_str(srv, "_project");
                if (!st || !streq(st, "ACTIVE") || !p || !streq(p, ep->project))
                        continue;
                _cleanup_free_ char *key = cluster_key(srv);
                if (!streq(key, ep->cluster))
                        continue;
                const char *name = json_get_str(srv, "name");
                if (only && !streq(only, name))
                        continue;
                bool ready = json_get_bool(json_object_get(s->node_state, id), "ready", true);
                json_t *port = sim_get(
                        s, K_PORT,
                        json_string_value(json_array_get(json_object_get(srv, "_ports"), 0)));
                const char *ip = json_get_str(json_array_get(json_object_get(port, "fixed_ips"), 0),
                                              "ip_address");
                json_t *labels = json_pack("{s:s?,s:s?,s:s?,s:s?}", "kubernetes.io/hostname", name,
                                           "kubernetes.io/os", "linux", "kubernetes.io/arch",
                                           "amd64", "magnum.openstack.org/role",
                                           is_master(srv) ? "master" : "worker");
                if (is_master(srv))
                        json_object_set_new(labels, "node-role.kubernetes.io/master",
                                            json_string(""));
                json_t *addrs = json_pack("[{s:s?,s:s?}]", "type", "Hostname", "address", name);
                if (ip)
                        json_array_insert_new(
                                addrs, 0,
                                json_pack("{s:s?,s:s?}", "type", "InternalIP", "address", ip));
                json_t *node = json_pack(
                        "{s:s?,s:s?,s:{s:s?,s:s?,s:s?,s:s?,s:o},s:{s:s?},"
                        "s:{s:[{s:s,s:s,s:s,s:s,s:s,s:s?}],s:o,s:{s:s,s:s,s:s,s:s,s:s,s:s,s:s}}}",
                        "kind", "Node", "apiVersion", "v1", "metadata", "name", name, "uid", id,
                        "resourceVersion", "1", "creationTimestamp", json_get_str(srv, "created"),
                        "labels", labels, "spec", "providerID", "openstack:///sim", "status",
                        "conditions", "type", "Ready", "status", ready ? "True" : "False", "reason",
                        ready ? "KubeletReady" : "KubeletNotReady", "message",
                        ready ? "kubelet is posting ready status"
                              : "container runtime network not ready",
                        "lastHeartbeatTime", now, "lastTransitionTime",
                        json_get_str(srv, "created"), "addresses", addrs, "nodeInfo",
                        "kubeletVersion", s->o.k8s_version, "kubeProxyVersion", s->o.k8s_version,
                        "osImage", "Fedora CoreOS 35", "operatingSystem", "linux", "architecture",
                        "amd64", "containerRuntimeVersion", "docker://20.10.12", "kernelVersion",
                        "5.15.0-sim");
                json_array_append_new(arr, json_checked(node));
        }
        pthread_mutex_unlock(&s->lock);
        return arr;
}

static bool wants_table(struct httpd_req *req)
{
        const char *a = httpd_req_header(req, "Accept");
        return a && strstr(a, "as=Table");
}

static json_t *node_row(json_t *node)
{
        json_t *md = json_object_get(node, "metadata");
        json_t *cond =
                json_array_get(json_object_get(json_object_get(node, "status"), "conditions"), 0);
        bool ready = streq(json_get_str(cond, "status"), "True");
        bool master = json_object_get(json_object_get(md, "labels"),
                                      "node-role.kubernetes.io/master") != NULL;
        char age[16];
        json_t *info = json_object_get(json_object_get(node, "status"), "nodeInfo");
        return json_pack("{s:[s?,s?,s?,s?,s?],s:{s:s?,s:s?,s:O}}", "cells",
                         json_get_str(md, "name"), ready ? "Ready" : "NotReady",
                         master ? "master" : "<none>",
                         k8s_age(json_get_str(md, "creationTimestamp"), age),
                         json_get_str(info, "kubeletVersion"), "object", "kind",
                         "PartialObjectMetadata", "apiVersion", "meta.k8s.io/v1", "metadata", md);
}

static json_t *node_table(json_t *nodes)
{
        json_t *rows = json_checked(json_array());
        size_t i;
        json_t *n;
        json_array_foreach(nodes, i, n) json_array_append_new(rows, json_checked(node_row(n)));
        return json_pack(
                "{s:s?,s:s?,s:{s:s?},s:[{s:s?,s:s?,s:s?,s:s?,s:i},{s:s?,s:s?,s:s?,s:s?,s:i},"
                "{s:s,s:s,s:s,s:s,s:i},{s:s,s:s,s:s,s:s,s:i},{s:s,s:s,s:s,s:s,s:i}],s:o}",
                "kind", "Table", "apiVersion", "meta.k8s.io/v1", "metadata", "resourceVersion", "1",
                "columnDefinitions", "name", "Name", "type", "string", "format", "name",
                "description", "Name of the node", "priority", 0, "name", "Status", "type",
                "string", "format", "", "description", "The status of the node", "priority", 0,
                "name", "Roles", "type", "string", "format", "", "description",
                "The roles of the node", "priority", 0, "name", "Age", "type", "string", "format",
                "", "description", "CreationTimestamp", "priority", 0, "name", "Version", "type",
                "string", "format", "", "description", "Kubelet Version", "priority", 0, "rows",
                rows);
}

static int k8s_nodes_list(struct httpd_req *req, void *data)
{
        struct sim_coe *ep = data;
        json_t *nodes = k8s_nodes(ep, NULL);
        json_auto_t *j = NULL;
        if (wants_table(req)) {
                j = node_table(nodes);
                json_decref(nodes);
        } else {
                j = json_pack("{s:s?,s:s?,s:{s:s?},s:o}", "kind", "NodeList", "apiVersion", "v1",
                              "metadata", "resourceVersion", "1", "items", nodes);
        }
        return httpd_resp_json(req, 200, json_checked(j));
}

static int k8s_node_get(struct httpd_req *req, void *data)
{
        struct sim_coe *ep = data;
        const char *name = httpd_req_param(req, "name");
        json_auto_t *nodes = k8s_nodes(ep, name);
        json_t *n = json_array_get(nodes, 0);
        if (!n) {
                _cleanup_free_ char *msg = xasprintf("nodes \"%s\" not found", name);
                json_auto_t *j =
                        json_pack("{s:s?,s:s?,s:{},s:s?,s:s?,s:s?,s:{s:s?,s:s?},s:i}", "kind",
                                  "Status", "apiVersion", "v1", "metadata", "status", "Failure",
                                  "message", msg, "reason", "NotFound", "details", "name", name,
                                  "kind", "nodes", "code", 404);
                return httpd_resp_json(req, 404, json_checked(j));
        }
        if (wants_table(req)) {
                json_auto_t *one = json_pack("[O]", n);
                json_auto_t *t = node_table(one);
                return httpd_resp_json(req, 200, json_checked(t));
        }
        return httpd_resp_json(req, 200, n);
}

static const char *const namespaces[] = {"default", "kube-system", "kube-public", "kube-node-lease",
                                         NULL};

static json_t *ns_obj(const char *name)
{
        return json_pack("{s:s?,s:s?,s:{s:s?,s:s?,s:s?},s:{s:[s?]},s:{s:s?}}", "kind", "Namespace",
                         "apiVersion", "v1", "metadata", "name", name, "resourceVersion", "1",
                         "creationTimestamp", "2022-01-01T00:00:00Z", "spec", "finalizers",
                         "kubernetes", "status", "phase", "Active");
}

static int k8s_ns_list(struct httpd_req *req, void *data)
{
        (void)data;
        json_t *items = json_checked(json_array());
        for (size_t i = 0; namespaces[i]; i++)
                json_array_append_new(items, ns_obj(namespaces[i]));
        json_auto_t *j =
                json_pack("{s:s?,s:s?,s:{s:s?},s:o}", "kind", "NamespaceList", "apiVersion", "v1",
                          "metadata", "resourceVersion", "1", "items", items);
        return httpd_resp_json(req, 200, json_checked(j));
}

static int k8s_ns_get(struct httpd_req *req, void *data)
{
        (void)data;
        const char *ns = httpd_req_param(req, "ns");
        for (size_t i = 0; namespaces[i]; i++)
                if (streq(namespaces[i], ns)) {
                        json_auto_t *j = ns_obj(ns);
                        return httpd_resp_json(req, 200, json_checked(j));
                }
        _cleanup_free_ char *msg = xasprintf("namespaces \"%s\" not found", ns);
        return k8s_status(req, 404, "NotFound", msg);
}

static int k8s_ns_sub(struct httpd_req *req, void *data)
{
        (void)data;
        const char *ns = httpd_req_param(req, "ns");
        const char *kind = httpd_req_param(req, "kind");
        bool known = false;
        for (size_t i = 0; namespaces[i]; i++)
                known |= streq(namespaces[i], ns);
        static const char *const kinds[][2] = {{"pods", "PodList"},
                                               {"services", "ServiceList"},
                                               {"configmaps", "ConfigMapList"},
                                               {"secrets", "SecretList"},
                                               {"events", "EventList"},
                                               {"endpoints", "EndpointsList"}};
        for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
                if (!streq(kinds[i][0], kind))
                        continue;
                if (!known) {
                        _cleanup_free_ char *msg = xasprintf("namespaces \"%s\" not found", ns);
                        return k8s_status(req, 404, "NotFound", msg);
                }
                json_auto_t *j =
                        json_pack("{s:s?,s:s?,s:{s:s?},s:[]}", "kind", kinds[i][1], "apiVersion",
                                  "v1", "metadata", "resourceVersion", "1", "items");
                return httpd_resp_json(req, 200, json_checked(j));
        }
        return k8s_status(req, 404, "NotFound", "the server could not find the requested resource");
}

#define R(m, p, fn)                                                                                \
        {                                                                                          \
                m, p, fn, NULL, NULL                                                               \
        }
static const struct httpd_route k8s_routes[] = {
        R("GET", "/healthz", text_ok),
        R("GET", "/readyz", text_ok),
        R("GET", "/livez", text_ok),
        R("GET", "/version", k8s_version),
        R("GET", "/api", k8s_api),
        R("GET", "/apis", k8s_apis),
        R("GET", "/api/v1", k8s_api_v1),
        R("GET", "/api/v1/nodes", k8s_nodes_list),
        R("GET", "/api/v1/nodes/{name}", k8s_node_get),
        R("GET", "/api/v1/namespaces", k8s_ns_list),
        R("GET", "/api/v1/namespaces/{ns}", k8s_ns_get),
        R("GET", "/api/v1/namespaces/{ns}/{kind}", k8s_ns_sub),
};

/* ---- Docker (swarm) -------------------------------------------------------------------- */

static int docker_ping(struct httpd_req *req, void *data)
{
        (void)data;
        httpd_resp_set_header(req, "Api-Version", "1.41");
        return httpd_resp_body(req, 200, "text/plain; charset=utf-8", "OK", 2);
}

static int docker_version(struct httpd_req *req, void *data)
{
        (void)data;
        json_auto_t *j = json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?}", "Version",
                                   "20.10.12", "ApiVersion", "1.41", "MinAPIVersion", "1.12",
                                   "GitCommit", "459d0df", "GoVersion", "go1.16.12", "Os", "linux",
                                   "Arch", "amd64", "KernelVersion", "5.15.0-sim");
        return httpd_resp_json(req, 200, json_checked(j));
}

/* Cluster members as Docker swarm nodes. */
static json_t *docker_nodes(struct sim_coe *ep, int *ret_managers)
{
        struct sim *s = ep->sim;
        json_t *arr = json_checked(json_array());
        int managers = 0;
        pthread_mutex_lock(&s->lock);
        const char *id;
        json_t *srv;
        json_object_foreach(s->db[K_SERVER], id, srv)
        {
                const char *st = json_get_str(srv, "status");
                const char *p = json_get_str(srv, "_project");
                if (!st || !streq(st, "ACTIVE") || !p || !streq(p, ep->project))
                        continue;
                _cleanup_free_ char *key = cluster_key(srv);
                if (!streq(key, ep->cluster))
                        continue;
                bool ready = json_get_bool(json_object_get(s->node_state, id), "ready", true);
                bool mgr = is_master(srv);
                managers += mgr;
                json_t *port = sim_get(
                        s, K_PORT,
                        json_string_value(json_array_get(json_object_get(srv, "_ports"), 0)));
                const char *ip = json_get_str(json_array_get(json_object_get(port, "fixed_ips"), 0),
                                              "ip_address");
                json_t *n =
                        json_pack("{s:s?,s:{s:s?,s:s?},s:{s:s?},s:{s:s?,s:s?}}", "ID", id, "Spec",
                                  "Role", mgr ? "manager" : "worker", "Availability", "active",
                                  "Description", "Hostname", json_get_str(srv, "name"), "Status",
                                  "State", ready ? "ready" : "down", "Addr", ip);
                if (mgr)
                        json_object_set_new(n, "ManagerStatus",
                                            json_pack("{s:b,s:s?,s:s?}", "Leader", managers == 1,
                                                      "Reachability", "reachable", "Addr", ip));
                json_array_append_new(arr, json_checked(n));
        }
        pthread_mutex_unlock(&s->lock);
        if (ret_managers)
                *ret_managers = managers;
        return arr;
}

static int docker_nodes_h(struct httpd_req *req, void *data)
{
        json_auto_t *j = docker_nodes(data, NULL);
        return httpd_resp_json(req, 200, j);
}

static int docker_info(struct httpd_req *req, void *data)
{
        struct sim_coe *ep = data;
        int managers = 0;
        json_auto_t *nodes = docker_nodes(ep, &managers);
        json_auto_t *j = json_pack(
                "{s:s?,s:i,s:i,s:i,s:i,s:i,s:s?,s:s?,s:s?,s:i,s:I,s:{s:s?,s:s?,s:b,s:i,s:i}}", "ID",
                ep->server_id, "Containers", 0, "ContainersRunning", 0, "ContainersPaused", 0,
                "ContainersStopped", 0, "Images", 0, "ServerVersion", "20.10.12", "OperatingSystem",
                "Fedora Atomic", "Name", ep->server_id, "NCPU", 2, "MemTotal",
                (json_int_t)4096 * 1024 * 1024, "Swarm", "NodeID", ep->server_id, "LocalNodeState",
                "active", "ControlAvailable", true, "Nodes", (int)json_array_size(nodes),
                "Managers", managers);
        return httpd_resp_json(req, 200, json_checked(j));
}

static const struct httpd_route docker_routes[] = {
        R("GET", "/_ping", docker_ping),      R("HEAD", "/_ping", docker_ping),
        R("GET", "/version", docker_version), R("GET", "/info", docker_info),
        R("GET", "/nodes", docker_nodes_h),   R("GET", "/{v}/_ping", docker_ping),
        R("HEAD", "/{v}/_ping", docker_ping), R("GET", "/{v}/version", docker_version),
        R("GET", "/{v}/info", docker_info),   R("GET", "/{v}/nodes", docker_nodes_h),
};

/* ---- Mesos ------------------------------------------------------------------------------- */

static int mesos_health(struct httpd_req *req, void *data)
{
        (void)data;
        return httpd_resp_empty(req, 200);
}

static int mesos_state(struct httpd_req *req, void *data)
{
        struct sim_coe *ep = data;
        struct sim *s = ep->sim;
        json_t *slaves = json_checked(json_array());
        const char *leader_ip = "127.0.0.1";
        pthread_mutex_lock(&s->lock);
        const char *id;
        json_t *srv;
        json_object_foreach(s->db[K_SERVER], id, srv)
        {
                const char *st = json_get_str(srv, "status");
                const char *p = json_get_str(srv, "_project");
                if (!st || !streq(st, "ACTIVE") || !p || !streq(p, ep->project) || is_master(srv))
                        continue;
                _cleanup_free_ char *key = cluster_key(srv);
                if (!streq(key, ep->cluster))
                        continue;
                json_t *f = sim_get(s, K_FLAVOR, json_get_str(srv, "_flavor"));
                bool ready = json_get_bool(json_object_get(s->node_state, id), "ready", true);
                double cpus = (double)json_get_int(f, "vcpus", 1);
                double mem = (double)json_get_int(f, "ram", 1024);
                double disk = (double)json_get_int(f, "disk", 10) * 1024;
                json_array_append_new(slaves,
                                      json_pack("{s:s?,s:s?,s:b,s:{s:f,s:f,s:f},s:{s:f,s:f,s:f}}",
                                                "id", id, "hostname", json_get_str(srv, "name"),
                                                "active", ready, "resources", "cpus", cpus, "mem",
                                                mem, "disk", disk, "used_resources", "cpus", 0.0,
                                                "mem", 0.0, "disk", 0.0));
        }
        pthread_mutex_unlock(&s->lock);
        _cleanup_free_ char *leader = xasprintf("master@%s:%d", leader_ip, s->o.mesos_port);
        json_auto_t *j =
                json_pack("{s:s?,s:s?,s:s?,s:i,s:i,s:o}", "version", "1.9.0", "leader", leader,
                          "hostname", ep->server_id, "activated_slaves",
                          (int)json_array_size(slaves), "deactivated_slaves", 0, "slaves", slaves);
        return httpd_resp_json(req, 200, json_checked(j));
}

static const struct httpd_route mesos_routes[] = {
        R("GET", "/health", mesos_health),      R("GET", "/master/health", mesos_health),
        R("GET", "/master/state", mesos_state), R("GET", "/master/state.json", mesos_state),
        R("GET", "/state", mesos_state),        R("GET", "/state.json", mesos_state),
};

/* ---- TLS material ------------------------------------------------------------------------ */

int sim_coe_set_tls(struct sim *s, const char *server_id, const char *ca_pem, const char *cert_pem,
                    const char *key_pem, struct err *e)
{
        int r = x509_verify(cert_pem, ca_pem, e);
        if (r < 0)
                return r;
        pthread_mutex_lock(&s->lock);
        if (!sim_get(s, K_SERVER, server_id)) {
                pthread_mutex_unlock(&s->lock);
                return err_set(e, -ENOENT, "server %s not found", server_id);
        }
        json_t *st = json_object_get(s->node_state, server_id);
        if (!st) {
                st = json_checked(json_object());
                json_object_set_new(s->node_state, server_id, st);
        }
        json_object_set_new(
                st, "tls",
                json_pack("{s:s?,s:s?,s:s?}", "ca", ca_pem, "cert", cert_pem, "key", key_pem));
        s->coe_dirty = true;
        pthread_mutex_unlock(&s->lock);
        return 0;
}

/* Writes the TLS files for an endpoint; returns the directory (caller frees) or NULL. */
static char *write_tls(struct sim *s, const char *server_id, json_t *tls)
{
        char *dir = xasprintf("%s/coe-%s", s->run_dir, server_id);
        mkdir(dir, 0700);
        static const char *const names[] = {"ca", "cert", "key"};
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s.pem", dir, names[i]);
                FILE *f = fopen(path, "w");
                if (!f) {
                        free(dir);
                        return NULL;
                }
                fprintf(f, "%s\n", json_get_str(tls, names[i]));
                fclose(f);
        }
        return dir;
}

/* ---- bootstrapping a master's certificate, as make-cert.sh does ------------------------- */

struct bootstrap {
        struct sim *sim;
        char *server_id, *user_data, *addrs;
};

static char *json_pem(const struct http_response *resp)
{
        json_auto_t *j = NULL;
        if (http_response_json(resp, &j, NULL) < 0)
                return NULL;
        return xstrdup_or_null(json_get_str(j, "pem"));
}

static int bootstrap_once(struct bootstrap *b, json_t **ret_tls, struct err *e)
{
        _cleanup_free_ char *user = param_get(b->user_data, "TRUSTEE_USER_ID");
        _cleanup_free_ char *pass = param_get(b->user_data, "TRUSTEE_PASSWORD");
        _cleanup_free_ char *trust = param_get(b->user_data, "TRUST_ID");
        _cleanup_free_ char *auth = param_get(b->user_data, "AUTH_URL");
        _cleanup_free_ char *magnum = param_get(b->user_data, "MAGNUM_URL");
        _cleanup_free_ char *cluster = param_get(b->user_data, "CLUSTER_UUID");
        if (!user || !pass || !auth || !magnum || !cluster)
                return err_set(e, -ENODATA, "no trustee credentials in user data");
        struct ks_auth a = {.auth_url = auth, .user_id = user, .password = pass, .trust_id = trust};
        struct ks_token *tok = NULL;
        int r = ks_password_auth(&a, &tok, e);
        if (r < 0)
                return r;
        _cleanup_free_ char *hdr_tok = xasprintf("X-Auth-Token: %s", tok->id);
        ks_token_unref(tok);
        const char *hdrs[] = {hdr_tok, "OpenStack-API-Version: container-infra latest",
                              "Accept: application/json", NULL};
        _cleanup_free_ char *ca_url = xasprintf("%s/certificates/%s", magnum, cluster);
        struct http_response resp = HTTP_RESPONSE_INIT;
        r = http_json("GET", ca_url, hdrs, NULL, NULL, &resp, e);
        _cleanup_free_ char *ca = r >= 0 && resp.status == 200 ? json_pem(&resp) : NULL;
        int st = resp.status;
        http_response_release(&resp);
        if (!ca)
                return r < 0 ? r : err_set(e, -EAGAIN, "GET %s -> %d", ca_url, st);
        _cleanup_free_ char *key = NULL;
        _cleanup_free_ char *csr = NULL;
        if ((r = x509_generate_key(2048, NULL, &key, e)) < 0)
                return r;
        /* SANs: every address the API answers on, plus the in-cluster names */
        const char *ips[COE_MAX_ADDRS + 2] = {NULL};
        _cleanup_free_ char *addrs = xstrdup(b->addrs ? b->addrs : "");
        size_t n = 0;
        char *save = NULL;
        for (char *t = strtok_r(addrs, " ", &save); t && n < COE_MAX_ADDRS;
             t = strtok_r(NULL, " ", &save))
                ips[n++] = t;
        ips[n++] = "10.254.0.1";
        const char *dns[] = {"kubernetes", "kubernetes.default", "kubernetes.default.svc",
                             "kubernetes.default.svc.cluster.local", NULL};
        const char *eku[] = {X509_EKU_SERVER_AUTH, X509_EKU_CLIENT_AUTH, NULL};
        struct x509_csr_opts o = {.cn = "kubernetes",
                                  .key_usage = X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT,
                                  .ext_key_usage = eku,
                                  .dns_names = dns,
                                  .ip_addresses = ips};
        if ((r = x509_generate_csr(key, NULL, &o, &csr, e)) < 0)
                return r;
        json_auto_t *body = json_pack("{s:s?,s:s?,s:s?}", "cluster_uuid", cluster, "csr", csr,
                                      "ca_cert_type", "kubelet");
        _cleanup_free_ char *sign_url = xasprintf("%s/certificates", magnum);
        r = http_json("POST", sign_url, hdrs, body, NULL, &resp, e);
        _cleanup_free_ char *cert = r >= 0 && resp.status == 201 ? json_pem(&resp) : NULL;
        st = resp.status;
        http_response_release(&resp);
        if (!cert)
                return r < 0 ? r : err_set(e, -EAGAIN, "POST %s -> %d", sign_url, st);
        *ret_tls = json_pack("{s:s?,s:s?,s:s?}", "ca", ca, "cert", cert, "key", key);
        return 0;
}

static void *bootstrap_main(void *p)
{
        struct bootstrap *b = p;
        json_t *tls = NULL;
        for (int attempt = 0; attempt < 60; attempt++) {
                _cleanup_err_ struct err e = ERR_INIT;
                int r = bootstrap_once(b, &tls, &e);
                if (r == 0)
                        break;
                log_info("event=coe_cert_bootstrap server=%s attempt=%d err=\"%s\"", b->server_id,
                         attempt, err_msg(&e));
                if (r == -ENODATA)
                        break;
                for (int t = 0; t < 20; t++) {
                        struct timespec ts = {0, 100 * 1000000L};
                        nanosleep(&ts, NULL);
                        pthread_mutex_lock(&b->sim->lock);
                        bool stop = b->sim->stopping;
                        pthread_mutex_unlock(&b->sim->lock);
                        if (stop)
                                break;
                }
                pthread_mutex_lock(&b->sim->lock);
                bool gone = !sim_get(b->sim, K_SERVER, b->server_id) || b->sim->stopping;
                pthread_mutex_unlock(&b->sim->lock);
                if (gone)
                        break;
        }
        pthread_mutex_lock(&b->sim->lock);
        json_t *st = json_object_get(b->sim->node_state, b->server_id);
        if (st) {
                json_object_del(st, "bootstrapping");
                if (tls) {
                        json_object_set(st, "tls", tls);
                        b->sim->coe_dirty = true;
                        log_info("event=coe_cert_obtained server=%s", b->server_id);
                }
        }
        b->sim->helpers--;
        pthread_cond_broadcast(&b->sim->wake);
        pthread_mutex_unlock(&b->sim->lock);
        json_decref(tls);
        free(b->server_id);
        free(b->user_data);
        free(b->addrs);
        free(b);
        return NULL;
}

/* Lock held. Starts the certificate bootstrap of a Kubernetes master once. */
static void bootstrap_start(struct sim *s, json_t *srv)
{
        const char *id = json_get_str(srv, "id");
        const char *ud = json_get_str(srv, "_user_data");
        _cleanup_free_ char *u = param_get(ud, "TRUSTEE_USER_ID");
        if (!u)
                return; /* nothing to authenticate with: wait for the admin API */
        json_t *st = json_object_get(s->node_state, id);
        if (!st) {
                st = json_checked(json_object());
                json_object_set_new(s->node_state, id, st);
        }
        json_object_set_new(st, "bootstrapping", json_true());
        struct bootstrap *b = xnew(struct bootstrap, 1);
        b->sim = s;
        b->server_id = xstrdup(id);
        b->user_data = xstrdup(ud);
        struct strbuf sb = STRBUF_INIT;
        size_t i;
        json_t *pid;
        json_array_foreach(json_object_get(srv, "_ports"), i, pid)
        {
                json_t *port = sim_get(s, K_PORT, json_string_value(pid));
                size_t j;
                json_t *x;
                json_array_foreach(json_object_get(port, "_backing"), j, x)
                        strbuf_addf(&sb, "%s ", json_string_value(x));
                json_array_foreach(json_object_get(port, "fixed_ips"), j, x)
                        strbuf_addf(&sb, "%s ", json_get_str(x, "ip_address"));
                const char *k;
                json_t *fip;
                json_object_foreach(s->db[K_FIP], k, fip)
                {
                        const char *fp = json_get_str(fip, "port_id");
                        if (fp && streq(fp, json_string_value(pid)))
                                strbuf_addf(&sb, "%s ", json_get_str(fip, "floating_ip_address"));
                }
        }
        b->addrs = strbuf_detach(&sb, NULL);
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        s->helpers++;
        if (pthread_create(&t, &attr, bootstrap_main, b) != 0) {
                s->helpers--;
                json_object_del(st, "bootstrapping");
                free(b->server_id);
                free(b->user_data);
                free(b->addrs);
                free(b);
        }
        pthread_attr_destroy(&attr);
}

/* ---- running endpoints -------------------------------------------------------------------- */

static void ep_stop(struct sim_coe *ep)
{
        for (size_t i = 0; i < ep->n_srv; i++) {
                httpd_stop(ep->srv[i]);
                log_info("event=coe_endpoint_stopped server=%s coe=%s addr=%s", ep->server_id,
                         ep->coe, ep->listen[i]);
                free(ep->listen[i]);
        }
        ep->n_srv = 0;
}

static void ep_free(struct sim_coe *ep)
{
        ep_stop(ep);
        free(ep->server_id);
        free(ep->coe);
        free(ep->cluster);
        free(ep->project);
        free(ep->tls_sig);
        free(ep->addrs_sig);
        free(ep);
}

static void ep_start(struct sim *s, struct sim_coe *ep, char **addrs, json_t *tls)
{
        const struct httpd_route *routes;
        size_t n_routes;
        int port;
        const struct httpd_hooks *hooks = NULL;
        bool k8s = streq(ep->coe, "kubernetes");
        if (k8s) {
                routes = k8s_routes;
                n_routes = ARRAY_SIZE(k8s_routes);
                port = tls ? s->o.k8s_port : 8080;
                hooks = &k8s_hooks;
        } else if (streq(ep->coe, "swarm") || streq(ep->coe, "swarm-mode")) {
                routes = docker_routes;
                n_routes = ARRAY_SIZE(docker_routes);
                port = tls ? s->o.swarm_port : 2375;
        } else if (streq(ep->coe, "mesos")) {
                routes = mesos_routes;
                n_routes = ARRAY_SIZE(mesos_routes);
                port = s->o.mesos_port;
        } else {
                return;
        }
        _cleanup_free_ char *dir = tls ? write_tls(s, ep->server_id, tls) : NULL;
        _cleanup_free_ char *cert = dir ? xasprintf("%s/cert.pem", dir) : NULL;
        _cleanup_free_ char *key = dir ? xasprintf("%s/key.pem", dir) : NULL;
        _cleanup_free_ char *ca = dir ? xasprintf("%s/ca.pem", dir) : NULL;
        struct httpd_tls t = {.cert_file = cert,
                              .key_file = key,
                              .client_ca_file = ca,
                              .require_client_cert = true};
        struct httpd_route *rt = xnew(struct httpd_route, n_routes);
        for (size_t i = 0; i < n_routes; i++) {
                rt[i] = routes[i];
                rt[i].data = ep;
        }
        for (size_t i = 0; addrs[i] && ep->n_srv < COE_MAX_ADDRS; i++) {
                _cleanup_free_ char *name = xasprintf("%s-%s", ep->coe, addrs[i]);
                struct httpd_opts o = {.name = name,
                                       .host = addrs[i],
                                       .port = port,
                                       .threads = 2,
                                       .routes = rt,
                                       .n_routes = n_routes,
                                       .hooks = hooks,
                                       .tls = dir ? &t : NULL,
                                       .quiet = !log_level_enabled(LOG_LVL_DEBUG)};
                _cleanup_err_ struct err e = ERR_INIT;
                struct httpd *h = NULL;
                if (httpd_start(&o, &h, &e) < 0) {
                        log_warn("event=coe_endpoint_failed server=%s addr=%s:%d err=\"%s\"",
                                 ep->server_id, addrs[i], port, err_msg(&e));
                        continue;
                }
                ep->listen[ep->n_srv] = xasprintf("%s:%d", addrs[i], port);
                ep->srv[ep->n_srv++] = h;
                log_info("event=coe_endpoint_started server=%s coe=%s addr=%s:%d tls=%s",
                         ep->server_id, ep->coe, addrs[i], port, dir ? "yes" : "no");
        }
        free(rt);
}

void sim_coe_apply(struct sim *s, struct sim_coe_plan *plan, size_t n)
{
        for (struct sim_coe **pp = &s->coes; *pp;) {
                struct sim_coe *ep = *pp;
                bool keep = false;
                for (size_t i = 0; i < n && !keep; i++)
                        keep = streq(plan[i].server_id, ep->server_id);
                if (keep) {
                        pp = &ep->next;
                        continue;
                }
                *pp = ep->next;
                ep_free(ep);
        }
        for (size_t i = 0; i < n; i++) {
                struct sim_coe_plan *p = &plan[i];
                struct strbuf sig = STRBUF_INIT;
                for (size_t j = 0; p->addrs[j]; j++)
                        strbuf_addf(&sig, "%s ", p->addrs[j]);
                /* the TLS material and project, read under the lock */
                pthread_mutex_lock(&s->lock);
                json_t *tls = json_object_get(json_object_get(s->node_state, p->server_id), "tls");
                json_t *tls_copy = tls ? json_deep_copy(tls) : NULL;
                json_t *srv = sim_get(s, K_SERVER, p->server_id);
                char *project = xstrdup_or_null(json_get_str(srv, "_project"));
                pthread_mutex_unlock(&s->lock);
                bool k8s = streq(p->coe, "kubernetes");
                _cleanup_free_ char *off = param_get(p->user_data, "TLS_DISABLED");
                bool plain_ok = !k8s || (off && strcaseeq(off, "true"));
                const char *tsig = tls_copy ? json_get_str(tls_copy, "cert") : "";
                struct sim_coe *ep = s->coes;
                while (ep && !streq(ep->server_id, p->server_id))
                        ep = ep->next;
                if (ep && streq(ep->addrs_sig, sig.buf) && streq(ep->tls_sig, tsig)) {
                        strbuf_release(&sig);
                        json_decref(tls_copy);
                        free(project);
                        continue;
                }
                if (!ep) {
                        ep = xnew(struct sim_coe, 1);
                        ep->sim = s;
                        ep->server_id = xstrdup(p->server_id);
                        ep->next = s->coes;
                        s->coes = ep;
                }
                ep_stop(ep);
                free(ep->coe);
                free(ep->cluster);
                free(ep->project);
                free(ep->tls_sig);
                free(ep->addrs_sig);
                ep->coe = xstrdup(p->coe);
                ep->cluster = xstrdup(p->cluster);
                ep->project = project ? project : xstrdup("");
                ep->tls_sig = xstrdup(tsig);
                ep->addrs_sig = strbuf_detach(&sig, NULL);
                if (tls_copy || plain_ok)
                        ep_start(s, ep, p->addrs, tls_copy);
                json_decref(tls_copy);
        }
}

void sim_coe_stop_all(struct sim *s)
{
        while (s->coes) {
                struct sim_coe *ep = s->coes;
                s->coes = ep->next;
                ep_free(ep);
        }
}
