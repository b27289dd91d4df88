/*
 * The sim's admin API (port [sim] admin_port, no token): fault injection, reset, snapshots,
 * node readiness and COE endpoint control, and a look at the host addresses behind tenant IPs.
 *
 *   POST /faults   {"fail_boots": N,
 *                   "delay_ms": {"nova": 200, ...},
 *                   "errors": {"neutron": {"status": 503, "rate": 0.5, "count": 3}},
 *                   "quota": {"project": "<id>", "instances": 0, "floatingip": 0, ...}}
 *   GET  /faults   current faults;  DELETE /faults  clears them
 *   POST /reset    empties the model and re-seeds it
 *   POST /snapshot {"path": "..."} (default [sim] snapshot_file)
 *   PUT  /servers/{id}/node   {"ready": false, "endpoint": false}   NotReady / stop endpoint
 *   PUT  /servers/{id}/tls    {"ca": PEM, "cert": PEM, "key": PEM}  hand a master its TLS
 *   GET  /ports/{id}          {"fixed_ips": [...], "backing": ["127.N.x.y"]}
 *   GET  /health              {"status": "ok"}
 */
#include "common/common.h"

#include "common/json_util.h"
#include "sim/sim.h"

#define LOCK(s)   pthread_mutex_lock(&(s)->lock)
#define UNLOCK(s) pthread_mutex_unlock(&(s)->lock)

static const char *const svc_names[SVC_COUNT] = {"nova",   "neutron", "glance",
                                                 "cinder", "octavia", "admin"};

static int svc_index(const char *name)
{
        for (int i = 0; i < SVC_COUNT; i++)
                if (streq(svc_names[i], name))
                        return i;
        return -1;
}

static json_t *faults_json(struct sim *s)
{
        json_t *delay = json_checked(json_object());
        json_t *errors = json_checked(json_object());
        for (int i = 0; i < SVC_COUNT; i++) {
                if (s->faults.delay_ms[i])
                        json_object_set_new(delay, svc_names[i],
                                            json_integer(s->faults.delay_ms[i]));
                if (s->faults.error_status[i])
                        json_object_set_new(errors, svc_names[i],
                                            json_pack("{s:i,s:f,s:i}", "status",
                                                      s->faults.error_status[i], "rate",
                                                      s->faults.error_rate[i], "count",
                                                      s->faults.error_count[i]));
        }
        return json_pack("{s:i,s:o,s:o}", "fail_boots", s->faults.fail_boots, "delay_ms", delay,
                         "errors", errors);
}

static int faults_get(struct httpd_req *req, void *data)
{
        struct sim *s = data;
        LOCK(s);
        json_t *j = faults_json(s);
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(j));
}

static int faults_clear(struct httpd_req *req, void *data)
{
        struct sim *s = data;
        LOCK(s);
        memset(&s->faults, 0, sizeof(s->faults));
        UNLOCK(s);
        return httpd_resp_empty(req, 204);
}

static int faults_set(struct httpd_req *req, void *data)
{
        struct sim *s = data;
        json_auto_t *b = NULL;
        if (sim_body(req, &b) < 0)
                return 0;
        const char *k;
        json_t *v;
        /* validate first so a bad request changes nothing */
        json_object_foreach(
                json_object_get(b, "delay_ms"), k,
                v) if (svc_index(k) < 0 ||
                       !json_is_integer(v)) return sim_error(req, 400, NULL,
                                                             "delay_ms: unknown service '%s'", k);
        json_object_foreach(json_object_get(b, "errors"), k, v)
        {
                long long st = json_get_int(v, "status", 0);
                if (svc_index(k) < 0 || st < 400 || st > 599)
                        return sim_error(req, 400, NULL,
                                         "errors: '%s' needs a known service and a 4xx/5xx "
                                         "status",
                                         k);
        }
        json_t *quota = json_object_get(b, "quota");
        if (quota && !json_get_str(quota, "project"))
                return sim_error(req, 400, NULL, "quota: 'project' is required");
        LOCK(s);
        if (json_is_integer(json_object_get(b, "fail_boots")))
                s->faults.fail_boots = (int)json_integer_value(json_object_get(b, "fail_boots"));
        json_object_foreach(json_object_get(b, "delay_ms"), k, v) s->faults.delay_ms[svc_index(k)] =
                (int)json_integer_value(v);
        json_object_foreach(json_object_get(b, "errors"), k, v)
        {
                int i = svc_index(k);
                s->faults.error_status[i] = (int)json_get_int(v, "status", 0);
                json_t *rate = json_object_get(v, "rate");
                s->faults.error_rate[i] = json_is_number(rate) ? json_number_value(rate) : 0;
                s->faults.error_count[i] = (int)json_get_int(v, "count", 0);
                if (s->faults.error_rate[i] <= 0 && s->faults.error_count[i] <= 0)
                        s->faults.error_rate[i] = 1.0;
        }
        if (quota) {
                const char *p = json_get_str(quota, "project");
                json_t *q = json_object_get(s->quotas, p);
                if (!q) {
                        q = json_checked(json_object());
                        json_object_set_new(s->quotas, p, q);
                }
                json_object_foreach(quota, k, v) if (json_is_integer(v)) json_object_set(q, k, v);
        }
        json_t *j = faults_json(s);
        UNLOCK(s);
        return sim_reply(req, 200, json_checked(j));
}

static int reset(struct httpd_req *req, void *data)
{
        sim_reset(data);
        return httpd_resp_empty(req, 204);
}

static int snapshot(struct httpd_req *req, void *data)
{
        struct sim *s = data;
        json_auto_t *b = NULL;
        size_t len;
        httpd_req_body(req, &len);
        if (len > 0 && sim_body(req, &b) < 0)
                return 0;
        const char *path = b ? json_get_str(b, "path") : NULL;
        if (!path)
                path = s->o.snapshot_file;
        if (!path)
                return sim_error(req, 400, NULL, "no path and no [sim] snapshot_file");
        _cleanup_err_ struct err e = ERR_INIT;
        if (sim_snapshot_save(s, path, &e) < 0)
                return sim_error(req, 500, NULL, "%s", err_msg(&e));
        return sim_reply(req, 200, json_checked(json_pack("{s:s?}", "path", path)));
}

static int node_state(struct httpd_req *req, void *data)
{
        struct sim *s = data;
        json_auto_t *b = NULL;
        if (sim_body(req, &b) < 0)
                return 0;
        const char *id = httpd_req_param(req, "id");
        LOCK(s);
        if (!sim_get(s, K_SERVER, id)) {
                UNLOCK(s);
                return sim_error(req, 404, NULL, "server %s not found", id);
        }
        json_t *st = json_object_get(s->node_state, id);
        if (!st) {
                st = json_checked(json_object());
                json_object_set_new(s->node_state, id, st);
        }
        json_t *r = json_object_get(b, "ready");
        json_t *ep = json_object_get(b, "endpoint");
        if (json_is_boolean(r))
                json_object_set(st, "ready", r);
        if (json_is_boolean(ep)) {
                json_object_set(st, "endpoint", ep);
                s->coe_dirty = true;
        }
        json_t *out = json_deep_copy(st);
        UNLOCK(s);
        sim_engine_kick(s);
        return sim_reply(req, 200, json_checked(out));
}

static int server_tls(struct httpd_req *req, void *data)
{
        struct sim *s = data;
        json_auto_t *b = NULL;
        if (sim_body(req, &b) < 0)
                return 0;
        const char *ca = json_get_str(b, "ca"), *cert = json_get_str(b, "cert"),
                   *key = json_get_str(b, "key");
        if (!ca || !cert || !key)
                return sim_error(req, 400, NULL, "ca, cert and key (PEM) are required");
        _cleanup_err_ struct err e = ERR_INIT;
        int r = sim_coe_set_tls(s, httpd_req_param(req, "id"), ca, cert, key, &e);
        if (r == -ENOENT)
                return sim_error(req, 404, NULL, "%s", err_msg(&e));
        if (r < 0)
                return sim_error(req, 400, NULL, "%s", err_msg(&e));
        sim_engine_kick(s);
        return httpd_resp_empty(req, 204);
}

static int port_info(struct httpd_req *req, void *data)
{
        struct sim *s = data;
        const char *id = httpd_req_param(req, "id");
        LOCK(s);
        json_t *p = sim_get(s, K_PORT, id);
        json_t *out = p ? json_pack("{s:O,s:O}", "fixed_ips", json_object_get(p, "fixed_ips"),
                                    "backing", json_object_get(p, "_backing"))
                        : NULL;
        UNLOCK(s);
        if (!out)
                return sim_error(req, 404, NULL, "port %s not found", id);
        return sim_reply(req, 200, json_checked(out));
}

static int health(struct httpd_req *req, void *data)
{
        (void)data;
        return sim_reply(req, 200, json_checked(json_pack("{s:s?}", "status", "ok")));
}

#define P(m, path, fn)                                                                             \
        {                                                                                          \
                m, path, fn, NULL, NULL                                                            \
        }
const struct httpd_route sim_admin_routes[] = {
        P("GET", "/health", health),
        P("GET", "/faults", faults_get),
        P("POST", "/faults", faults_set),
        P("DELETE", "/faults", faults_clear),
        P("POST", "/reset", reset),
        P("POST", "/snapshot", snapshot),
        P("PUT", "/servers/{id}/node", node_state),
        P("PUT", "/servers/{id}/tls", server_tls),
        P("GET", "/ports/{id}", port_info),
};
const size_t sim_admin_n_routes = ARRAY_SIZE(sim_admin_routes);
