/*
 * Boot signalling, as a real node's boot scripts and os-collect-config do it:
 *
 *   - WaitConditionHandle: every `curl -i -X POST -H 'X-Auth-Token: T' ... URL` (Heat's curl_cli,
 *     e.g. Magnum's $WAIT_CURL) in the server's user_data or metadata is run: POST URL with
 *     X-Auth-Token T and {"status": "SUCCESS"}.
 *   - SoftwareDeployment: deployments are taken from the server metadata ("deployments") and,
 *     with POLL_SERVER_HEAT, from the orchestration API: the os-collect-config "heat" section
 *     of the user data (auth_url, user_id, password, project_id, stack_id, resource_name) gives
 *     the credentials to GET .../stacks/<stack>/resources/<resource>/metadata, polled for a
 *     while as the agent does. Each deployment is signalled once per action, with
 *     {"deploy_stdout", "deploy_stderr", "deploy_status_code": 0}: HEAT_SIGNAL through
 *     POST .../stacks/<deploy_stack_id>/resources/<deploy_resource_name>/signal with a token of
 *     the deployment's own user; CFN_SIGNAL / TEMP_URL_SIGNAL / ZAQAR-less URLs by POSTing to
 *     deploy_signal_id directly.
 *
 * Everything runs on a detached helper thread per server; sim_engine_stop waits for them.
 */
#include "common/common.h"

#include <time.h>

#include "common/httpclient.h"
#include "common/json_util.h"
#include "common/keystone.h"
#include "sim/sim.h"

#define POLL_INTERVAL_S 2
#define POLL_ROUNDS     90

struct signal_job {
        struct sim *sim;
        char *server_id;
        char *server_name;
        char *text;       /* user_data + metadata dump */
        json_t *metadata; /* nova metadata */
        json_t *done;     /* deployment id/action → true */
        bool wait_tls;    /* a Kubernetes master: signal once its API has its certificate */
};

/* Extracts (token, url) pairs from every curl_cli in text. */
static json_t *find_curls(const char *text)
{
        json_t *out = json_checked(json_array());
        static const char hdr[] = "X-Auth-Token: ";
        for (const char *p = strstr(text, "curl "); p; p = strstr(p + 5, "curl ")) {
                const char *eol = p;
                while (*eol && *eol != '\n' && *eol != '"')
                        eol++;
                _cleanup_free_ char *cmd = xstrndup(p, (size_t)(eol - p));
                if (!strstr(cmd, "-X POST"))
                        continue;
                const char *t = strstr(cmd, hdr);
                if (!t)
                        continue;
                t += sizeof(hdr) - 1;
                const char *te = t;
                while (*te && *te != '\'' && *te != '"' && *te != ' ')
                        te++;
                const char *u = strstr(te, "http://");
                if (!u)
                        u = strstr(te, "https://");
                if (!u)
                        continue;
                const char *ue = u;
                while (*ue && !strchr(" '\"\\\n", *ue))
                        ue++;
                _cleanup_free_ char *tok = xstrndup(t, (size_t)(te - t));
                _cleanup_free_ char *url = xstrndup(u, (size_t)(ue - u));
                json_array_append_new(out, json_pack("{s:s,s:s}", "token", tok, "url", url));
        }
        return out;
}

static int post(const char *url, const char *token, const json_t *body, int *ret_status,
                struct err *e)
{
        _cleanup_free_ char *h = token ? xasprintf("X-Auth-Token: %s", token) : NULL;
        const char *hdrs[] = {"Accept: application/json", h, NULL};
        struct http_response resp = HTTP_RESPONSE_INIT;
        struct http_request base = {.timeout_ms = 15000};
        int r = http_json("POST", url, hdrs, body, &base, &resp, e);
        *ret_status = resp.status;
        http_response_release(&resp);
        return r;
}

static const char *input(const json_t *deployment, const char *name)
{
        size_t i;
        json_t *in;
        json_array_foreach(json_object_get(deployment, "inputs"), i, in)
        {
                const char *n = json_get_str(in, "name");
                if (n && streq(n, name))
                        return json_get_str(in, "value");
        }
        return NULL;
}

/* The orchestration endpoint for a project: [sim] orchestration_url (with %(tenant_id)s or
 * %(project_id)s substituted; a bare ".../v1" gets "/<project>" appended, as the catalog's
 * "/v1/%(tenant_id)s" would), else the token's catalog. Caller frees; NULL when none. */
static char *heat_base(struct sim *s, const struct ks_token *tok, const char *project)
{
        char *url = NULL;
        const char *o = s->o.orchestration_url;
        if (o) {
                const char *ph = strstr(o, "%(tenant_id)s");
                if (!ph)
                        ph = strstr(o, "%(project_id)s");
                if (ph) {
                        const char *end = strchr(ph, ')') + 2;
                        url = xasprintf("%.*s%s%s", (int)(ph - o), o, project ? project : "", end);
                } else if (str_ends_with(o, "/v1") && project) {
                        url = xasprintf("%s/%s", o, project);
                } else {
                        url = xstrdup(o);
                }
        } else if (ks_catalog_url(tok, "orchestration", "public", NULL, &url) < 0) {
                return NULL;
        }
        while (url[0] && url[strlen(url) - 1] == '/')
                url[strlen(url) - 1] = '\0';
        return url;
}

/* Signals one deployment; 0 when the signal was accepted. */
static int signal_deployment(struct signal_job *j, const json_t *d, struct err *e)
{
        const char *transport = input(d, "deploy_signal_transport");
        const char *url = input(d, "deploy_signal_id");
        _cleanup_free_ char *stdout_text =
                xasprintf("magnum-sim: %s ran deployment %s\n", j->server_name,
                          json_get_str(d, "name") ? json_get_str(d, "name") : "");
        json_auto_t *body = json_pack("{s:s,s:s,s:i}", "deploy_stdout", stdout_text,
                                      "deploy_stderr", "", "deploy_status_code", 0);
        int status = 0, r;
        if (transport && streq(transport, "HEAT_SIGNAL")) {
                const char *auth = input(d, "deploy_auth_url");
                const char *user = input(d, "deploy_user_id");
                const char *pass = input(d, "deploy_password");
                const char *project = input(d, "deploy_project_id");
                const char *stack = input(d, "deploy_stack_id");
                const char *res = input(d, "deploy_resource_name");
                if (!auth || !user || !pass || !stack || !res)
                        return err_set(e, -EINVAL, "HEAT_SIGNAL deployment lacks credentials");
                struct ks_auth a = {
                        .auth_url = auth, .user_id = user, .password = pass, .project_id = project};
                struct ks_token *tok = NULL;
                if ((r = ks_password_auth(&a, &tok, e)) < 0)
                        return r;
                _cleanup_free_ char *heat = heat_base(j->sim, tok, project);
                if (!heat) {
                        ks_token_unref(tok);
                        return err_set(e, -ENOENT, "no orchestration endpoint in the catalog");
                }
                _cleanup_free_ char *surl =
                        xasprintf("%s/stacks/%s/resources/%s/signal", heat, stack, res);
                r = post(surl, tok->id, body, &status, e);
                ks_token_unref(tok);
                url = NULL;
                if (r >= 0 && status >= 300)
                        return err_set(e, -EPROTO, "POST %s -> %d", surl, status);
                return r;
        }
        if (!url)
                return err_set(e, -EINVAL, "deployment without deploy_signal_id");
        r = post(url, NULL, body, &status, e);
        if (r >= 0 && status >= 300)
                return err_set(e, -EPROTO, "POST %s -> %d", url, status);
        return r;
}

static void signal_deployments(struct signal_job *j, const json_t *deployments)
{
        size_t i;
        json_t *d;
        json_array_foreach(deployments, i, d)
        {
                const char *id = json_get_str(d, "id");
                const char *action = input(d, "deploy_action");
                if (!id)
                        continue;
                _cleanup_free_ char *key = xasprintf("%s/%s", id, action ? action : "CREATE");
                if (json_object_get(j->done, key))
                        continue;
                _cleanup_err_ struct err e = ERR_INIT;
                int r = signal_deployment(j, d, &e);
                if (r < 0) {
                        log_warn("event=deployment_signal_failed server=%s deployment=%s "
                                 "err=\"%s\"",
                                 j->server_id, id, err_msg(&e));
                        continue;
                }
                log_info("event=deployment_signalled server=%s deployment=%s action=%s",
                         j->server_id, id, action ? action : "CREATE");
                json_object_set_new(j->done, key, json_true());
        }
}

/* The os-collect-config "heat" section anywhere in the text, or NULL. */
static json_t *find_occ_heat(const char *text)
{
        for (const char *p = strstr(text, "\"heat\""); p; p = strstr(p + 6, "\"heat\"")) {
                const char *brace = strchr(p + 6, '{');
                if (!brace)
                        return NULL;
                json_error_t je;
                json_t *o = json_loads(brace, JSON_DISABLE_EOF_CHECK, &je);
                if (json_is_object(o) && json_get_str(o, "stack_id") &&
                    json_get_str(o, "resource_name"))
                        return o;
                json_decref(o);
        }
        return NULL;
}

/* GETs the server resource's metadata from the orchestration API. */
static json_t *poll_metadata(struct signal_job *j, const json_t *heat, struct err *e)
{
        struct ks_auth a = {.auth_url = json_get_str(heat, "auth_url"),
                            .user_id = json_get_str(heat, "user_id"),
                            .password = json_get_str(heat, "password"),
                            .project_id = json_get_str(heat, "project_id")};
        struct ks_token *tok = NULL;
        if (ks_password_auth(&a, &tok, e) < 0)
                return NULL;
        _cleanup_free_ char *base = heat_base(j->sim, tok, json_get_str(heat, "project_id"));
        if (!base) {
                ks_token_unref(tok);
                err_set(e, -ENOENT, "no orchestration endpoint");
                return NULL;
        }
        _cleanup_free_ char *url =
                xasprintf("%s/stacks/%s/resources/%s/metadata", base,
                          json_get_str(heat, "stack_id"), json_get_str(heat, "resource_name"));
        _cleanup_free_ char *h = xasprintf("X-Auth-Token: %s", tok->id);
        ks_token_unref(tok);
        const char *hdrs[] = {h, "Accept: application/json", NULL};
        struct http_response resp = HTTP_RESPONSE_INIT;
        json_t *out = NULL;
        if (http_json("GET", url, hdrs, NULL, NULL, &resp, e) >= 0 && resp.status == 200) {
                json_t *body = NULL;
                if (http_response_json(&resp, &body, e) >= 0) {
                        json_t *md = json_object_get(body, "metadata");
                        out = json_incref(md ? md : body);
                        json_decref(body);
                }
        }
        http_response_release(&resp);
        return out;
}

static bool job_over(struct signal_job *j)
{
        pthread_mutex_lock(&j->sim->lock);
        bool over = j->sim->stopping || !sim_get(j->sim, K_SERVER, j->server_id);
        pthread_mutex_unlock(&j->sim->lock);
        return over;
}

static void *signal_main(void *p)
{
        struct signal_job *j = p;
        /* Like wc-notify, a master reports only once its API answers: wait for the certificate
         * bootstrap (coe.c) to finish, for as long as a real boot would be given. */
        for (int t = 0; j->wait_tls && t < 1200 && !job_over(j); t++) {
                pthread_mutex_lock(&j->sim->lock);
                json_t *st = json_object_get(j->sim->node_state, j->server_id);
                bool ready = json_object_get(st, "tls") != NULL;
                pthread_mutex_unlock(&j->sim->lock);
                if (ready)
                        break;
                struct timespec ts = {0, 100 * 1000000L};
                nanosleep(&ts, NULL);
        }
        json_auto_t *curls = find_curls(j->text);
        size_t i;
        json_t *c;
        json_array_foreach(curls, i, c)
        {
                _cleanup_err_ struct err e = ERR_INIT;
                json_auto_t *body = json_pack("{s:s}", "status", "SUCCESS");
                int status = 0;
                int r = post(json_get_str(c, "url"), json_get_str(c, "token"), body, &status, &e);
                if (r < 0 || status >= 300)
                        log_warn("event=wait_condition_signal_failed server=%s status=%d "
                                 "err=\"%s\"",
                                 j->server_id, status, r < 0 ? err_msg(&e) : "http");
                else
                        log_info("event=wait_condition_signalled server=%s status=%d", j->server_id,
                                 status);
        }
        /* Nova metadata values are strings: a JSON-encoded list is accepted too */
        json_t *deps = json_object_get(j->metadata, "deployments");
        json_auto_t *parsed = NULL;
        if (json_is_string(deps)) {
                json_error_t je;
                parsed = json_loads(json_string_value(deps), 0, &je);
                deps = parsed;
        }
        signal_deployments(j, deps);
        json_auto_t *heat = find_occ_heat(j->text);
        for (int round = 0; heat && round < POLL_ROUNDS && !job_over(j); round++) {
                _cleanup_err_ struct err e = ERR_INIT;
                json_auto_t *md = poll_metadata(j, heat, &e);
                if (md)
                        signal_deployments(j, json_object_get(md, "deployments"));
                else if (round == 0)
                        log_info("event=metadata_poll_failed server=%s err=\"%s\"", j->server_id,
                                 err_msg(&e));
                for (int t = 0; t < POLL_INTERVAL_S * 10 && !job_over(j); t++) {
                        struct timespec ts = {0, 100 * 1000000L};
                        nanosleep(&ts, NULL);
                }
        }
        pthread_mutex_lock(&j->sim->lock);
        j->sim->helpers--;
        pthread_cond_broadcast(&j->sim->wake);
        pthread_mutex_unlock(&j->sim->lock);
        free(j->server_id);
        free(j->server_name);
        free(j->text);
        json_decref(j->metadata);
        json_decref(j->done);
        free(j);
        return NULL;
}

void sim_signal_server(struct sim *s, json_t *srv)
{
        if (!s->o.signal_enabled)
                return;
        const char *ud = json_get_str(srv, "_user_data");
        json_t *md = json_object_get(srv, "metadata");
        _cleanup_free_ char *mdtext = json_dumps(md, 0);
        if (!(ud && (strstr(ud, "X-Auth-Token") || strstr(ud, "\"heat\""))) &&
            !(mdtext && (strstr(mdtext, "X-Auth-Token") || strstr(mdtext, "deployments"))))
                return;
        struct signal_job *j = xnew(struct signal_job, 1);
        j->sim = s;
        j->server_id = xstrdup(json_get_str(srv, "id"));
        j->server_name = xstrdup(json_get_str(srv, "name"));
        j->text = xasprintf("%s\n%s", ud ? ud : "", mdtext ? mdtext : "");
        j->metadata = json_deep_copy(md);
        j->done = json_checked(json_object());
        const char *coe = json_get_str(srv, "_coe");
        const char *name = json_get_str(srv, "name");
        j->wait_tls = coe && streq(coe, "kubernetes") && name && strstr(name, "master") && ud &&
                      strstr(ud, "TRUSTEE_USER_ID") && !strstr(ud, "TLS_DISABLED=\"True\"");
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        s->helpers++;
        if (pthread_create(&t, &attr, signal_main, j) != 0) {
                s->helpers--;
                free(j->server_id);
                free(j->server_name);
                free(j->text);
                json_decref(j->metadata);
                json_decref(j->done);
                free(j);
        }
        pthread_attr_destroy(&attr);
}
