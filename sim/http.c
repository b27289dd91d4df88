/*
 * What every simulated service shares at the HTTP level: Keystone token validation (as
 * keystonemiddleware does it: 401 with its JSON body and WWW-Authenticate), injected faults
 * (latency, error rates), the request scaffolding of the Nova / Cinder / Octavia handlers
 * (wrapped bodies, finding a visible resource or answering 404, showing one), and each API's
 * own error body format:
 *   Nova / Cinder   {"itemNotFound": {"code": 404, "message": "..."}}
 *   Neutron         {"NeutronError": {"type": "NetworkNotFound", "message": "...", "detail": ""}}
 *   Glance          webob's HTML error page
 *   Octavia         {"faultcode": "Client", "faultstring": "...", "debuginfo": null}
 */
#include "common/common.h"

#include <stdarg.h>
#include <time.h>

#include "common/ids.h"
#include "common/json_util.h"
#include "common/keystone.h"
#include "sim/sim.h"

struct listener {
        struct sim *sim;
        enum sim_svc svc;
};

const char sim_public_meta[] = "public";

static void ctx_free(void *p)
{
        struct sim_ctx *c = p;
        ks_token_unref(c->tok);
        free(c);
}

struct sim_ctx *sim_ctx(struct httpd_req *req)
{
        return httpd_req_ctx(req);
}

static const struct {
        int status;
        const char *nova, *neutron;
} fault_names[] = {
        {400, "badRequest", "HTTPBadRequest"},
        {401, "unauthorized", "HTTPUnauthorized"},
        {403, "forbidden", "HTTPForbidden"},
        {404, "itemNotFound", "HTTPNotFound"},
        {405, "badMethod", "HTTPMethodNotAllowed"},
        {409, "conflictingRequest", "HTTPConflict"},
        {413, "overLimit", "HTTPRequestEntityTooLarge"},
        {415, "badMediaType", "HTTPUnsupportedMediaType"},
        {429, "overLimit", "HTTPTooManyRequests"},
        {500, "computeFault", "HTTPInternalServerError"},
        {501, "notImplemented", "HTTPNotImplemented"},
        {503, "serviceUnavailable", "HTTPServiceUnavailable"},
};

static void render_error(struct httpd_req *req, enum sim_svc svc, int status, const char *type,
                         const char *msg)
{
        const char *nova = "computeFault", *neutron = "HTTPInternalServerError";
        for (size_t i = 0; i < ARRAY_SIZE(fault_names); i++)
                if (fault_names[i].status == status) {
                        nova = fault_names[i].nova;
                        neutron = fault_names[i].neutron;
                }
        json_auto_t *j = NULL;
        switch (svc) {
        case SVC_NOVA:
        case SVC_CINDER:
                j = json_pack("{s:{s:i,s:s?}}", type ? type : nova, "code", status, "message", msg);
                break;
        case SVC_NEUTRON:
                j = json_pack("{s:{s:s?,s:s?,s:s?}}", "NeutronError", "type", type ? type : neutron,
                              "message", msg, "detail", "");
                break;
        case SVC_OCTAVIA:
                j = json_pack("{s:s?,s:s?,s:n}", "faultcode", status < 500 ? "Client" : "Server",
                              "faultstring", msg, "debuginfo");
                break;
        case SVC_GLANCE: {
                _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
                strbuf_addf(&sb,
                            "<html>\n <head>\n  <title>%d %s</title>\n </head>\n <body>\n  "
                            "<h1>%d %s</h1>\n  %s<br /><br />\n\n\n\n </body>\n</html>",
                            status, httpd_reason(status), status, httpd_reason(status), msg);
                httpd_resp_body(req, status, "text/html; charset=UTF-8", sb.buf, sb.len);
                return;
        }
        default:
                j = json_pack("{s:{s:i,s:s?,s:s?}}", "error", "code", status, "title",
                              httpd_reason(status), "message", msg);
        }
        httpd_resp_json(req, status, json_checked(j));
}

int sim_error(struct httpd_req *req, int status, const char *type, const char *fmt, ...)
{
        struct sim_ctx *c = sim_ctx(req);
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        render_error(req, c ? c->svc : SVC_ADMIN, status, type, sb.buf);
        return 0;
}

int sim_reply(struct httpd_req *req, int status, json_t *j)
{
        httpd_resp_json(req, status, j);
        json_decref(j);
        return 0;
}

int sim_body(struct httpd_req *req, json_t **ret)
{
        size_t len;
        const char *body = httpd_req_body(req, &len);
        _cleanup_err_ struct err e = ERR_INIT;
        json_t *j = NULL;
        if (len == 0 || json_parse_limited(body, len, JSON_DEFAULT_MAX_BYTES, 32, &j, &e) < 0 ||
            !json_is_object(j)) {
                json_decref(j);
                struct sim_ctx *c = sim_ctx(req);
                if (c && c->svc == SVC_NEUTRON)
                        sim_error(req, 400, "HTTPBadRequest", "Malformed request body");
                else if (c && c->svc == SVC_OCTAVIA)
                        sim_error(req, 400, NULL,
                                  "Invalid input for field/attribute. Value: "
                                  "'%.*s'. Malformed request body",
                                  (int)MIN(len, 200), body);
                else
                        sim_error(req, 400, NULL, "Malformed request body");
                return -EINVAL;
        }
        *ret = j;
        return 0;
}

int sim_body_member(struct httpd_req *req, const char *key, const char *missing, json_t **ret_root,
                    json_t **ret)
{
        json_t *root;
        if (sim_body(req, &root) < 0)
                return -EINVAL;
        json_t *b = json_object_get(root, key);
        if (!json_is_object(b)) {
                json_decref(root);
                sim_error(req, 400, NULL, "%s", missing);
                return -EINVAL;
        }
        *ret_root = root;
        *ret = b;
        return 0;
}

json_t *sim_find(struct httpd_req *req, enum sim_kind k, const char *id)
{
        struct sim_ctx *c = sim_ctx(req);
        json_t *o = sim_get(c->sim, k, id);
        if (!o || !sim_visible(c, k, o))
                return NULL;
        return o;
}

int sim_not_found(struct httpd_req *req, const struct sim_res *r, const char *id)
{
        return sim_error(req, 404, NULL, "%s %s %s", r->label, id, r->missing);
}

json_t *sim_lock_find(struct httpd_req *req, const struct sim_res *r, const char *id)
{
        struct sim *s = sim_ctx(req)->sim;
        pthread_mutex_lock(&s->lock);
        json_t *o = sim_find(req, r->kind, id);
        if (!o) {
                pthread_mutex_unlock(&s->lock);
                sim_not_found(req, r, id);
        }
        return o;
}

int sim_show(struct httpd_req *req, const struct sim_res *r, const char *id)
{
        struct sim *s = sim_ctx(req)->sim;
        pthread_mutex_lock(&s->lock);
        json_t *o = sim_find(req, r->kind, id);
        json_t *out = NULL;
        if (o)
                out = json_pack("{s:o}", r->one, r->view ? r->view(req, o) : sim_public(o, req));
        pthread_mutex_unlock(&s->lock);
        if (!out)
                return sim_not_found(req, r, id);
        return sim_reply(req, 200, json_checked(out));
}

static void fault_hook_error(struct httpd_req *req, int status, const char *detail, void *data)
{
        struct listener *l = data;
        render_error(req, l->svc, status, NULL, detail);
}

/* Injected latency and errors, decided under the lock, slept outside it. */
static bool inject_fault(struct listener *l, struct httpd_req *req)
{
        struct sim *s = l->sim;
        int delay, status = 0;
        pthread_mutex_lock(&s->lock);
        struct sim_faults *f = &s->faults;
        delay = f->delay_ms[l->svc];
        if (f->error_status[l->svc]) {
                if (f->error_count[l->svc] > 0) {
                        status = f->error_status[l->svc];
                        if (--f->error_count[l->svc] == 0 && f->error_rate[l->svc] <= 0)
                                f->error_status[l->svc] = 0;
                } else if (f->error_rate[l->svc] > 0) {
                        uint32_t r;
                        random_bytes(&r, sizeof(r));
                        if ((double)r / 4294967296.0 < f->error_rate[l->svc])
                                status = f->error_status[l->svc];
                }
        }
        pthread_mutex_unlock(&s->lock);
        if (delay > 0) {
                struct timespec ts = {delay / 1000, (long)(delay % 1000) * 1000000L};
                nanosleep(&ts, NULL);
        }
        if (status) {
                render_error(req, l->svc, status, NULL,
                             status == 409 ? "Injected conflict (magnum-sim fault)."
                                           : "Injected failure (magnum-sim fault).");
                return true;
        }
        return false;
}

static int unauthorized(struct httpd_req *req, struct sim *s)
{
        _cleanup_free_ char *www =
                xasprintf("Keystone uri=\"%s\"", s->o.ks_auth_url ? s->o.ks_auth_url : "");
        httpd_resp_set_header(req, "WWW-Authenticate", www);
        json_auto_t *j =
                json_pack("{s:{s:i,s:s?,s:s?}}", "error", "code", 401, "title", "Unauthorized",
                          "message", "The request you have made requires authentication.");
        return httpd_resp_json(req, 401, json_checked(j));
}

/* Nova's microversion negotiation: the sim implements 2.1 only, so "latest" and 2.1 are
 * served (and echoed in the response headers); anything else is refused as Nova refuses a
 * version above its maximum. Returns 1 when it answered. */
static int nova_version(struct httpd_req *req)
{
        httpd_resp_set_header(req, "OpenStack-API-Version", "compute 2.1");
        httpd_resp_set_header(req, "X-OpenStack-Nova-API-Version", "2.1");
        httpd_resp_set_header(req, "Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version");
        const char *h = httpd_req_header(req, "OpenStack-API-Version");
        const char *v = NULL;
        if (h && strncasecmp(h, "compute ", 8) == 0)
                v = h + 8;
        else if (!h)
                v = httpd_req_header(req, "X-OpenStack-Nova-API-Version");
        if (!v)
                return 0;
        while (*v == ' ')
                v++;
        if (strcaseeq(v, "latest") || strcaseeq(v, "2.latest") || streq(v, "2.1") ||
            streq(v, "2.01"))
                return 0;
        unsigned major, minor;
        char extra;
        if (sscanf(v, "%u.%u%c", &major, &minor, &extra) != 2) {
                render_error(req, SVC_NOVA, 400, NULL,
                             "API Version String is not valid: expected \"X.Y\"");
                return 1;
        }
        _cleanup_free_ char *msg = xasprintf("Version %u.%u is not supported by the API. "
                                             "Minimum is 2.1 and maximum is 2.1.",
                                             major, minor);
        render_error(req, SVC_NOVA, 406, NULL, msg);
        return 1;
}

static int before_handler(struct httpd_req *req, const struct httpd_route *route, void *data)
{
        struct listener *l = data;
        struct sim *s = l->sim;
        struct sim_ctx *c = xnew(struct sim_ctx, 1);
        c->sim = s;
        c->svc = l->svc;
        httpd_req_set_ctx(req, c, ctx_free);
        if (l->svc != SVC_ADMIN && inject_fault(l, req))
                return 1;
        if (l->svc == SVC_NOVA && nova_version(req) > 0)
                return 1;
        if (route->meta == (const void *)sim_public_meta || l->svc == SVC_ADMIN)
                return 0;

        const char *token = httpd_req_header(req, "X-Auth-Token");
        if (streq(s->o.auth_strategy, "noauth")) {
                const char *p = httpd_req_header(req, "X-Project-Id");
                const char *u = httpd_req_header(req, "X-User-Id");
                const char *roles = httpd_req_header(req, "X-Roles");
                c->project_id = httpd_req_strdup(req, p ? p : (token && *token ? token : "demo"));
                c->user_id = httpd_req_strdup(req, u ? u : "demo");
                c->admin = roles && strstr(roles, "admin");
                return 0;
        }
        if (!token || !*token)
                return unauthorized(req, s) + 1;
        struct ks_token *t = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        int r = ks_validate(s->ks, token, &t, &e);
        if (r == -EAGAIN) {
                log_warn("event=token_validation_unavailable err=\"%s\"", err_msg(&e));
                render_error(req, l->svc, 503, NULL,
                             "The server is currently unavailable. Please try again later.");
                return 1;
        }
        if (r < 0 || !t)
                return unauthorized(req, s) + 1;
        c->tok = t;
        c->project_id = t->project_id ? t->project_id : "";
        c->user_id = t->user_id;
        c->admin = t->is_admin;
        return 0;
}

const struct httpd_hooks sim_hooks = {
        .before_handler = before_handler,
        .error = fault_hook_error,
};

void *sim_listener_data(struct sim *s, enum sim_svc svc)
{
        struct listener *l = xnew(struct listener, 1);
        l->sim = s;
        l->svc = svc;
        return l;
}
