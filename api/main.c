/*
 * magnum-api: the Magnum v1 REST API. `magnum-api --config-file PATH`.
 *
 * Start-up: read the config, build the shared app (DB pool, policy, RPC options, Keystone
 * session in keystone mode), assemble the route table (router.c) and serve with httpd until
 * SIGTERM/SIGINT, then stop cleanly (in-flight requests finish).
 */
#include "common/common.h"

#include <pthread.h>
#include <signal.h>

#include "api/errors.h"
#include "api/middleware.h"
#include "api/policy.h"
#include "api/res.h"
#include "api/router.h"
#include "common/config.h"
#include "common/db.h"
#include "common/httpclient.h"
#include "common/keystone.h"
#include "common/rpc.h"

struct api_opts {
        /* [DEFAULT] */
        char *auth_strategy;
        int service_down_time;
        bool debug;
        /* [api] */
        char *host;
        int port;
        int workers;
        int max_limit;
        int max_body_bytes;
        int response_cache_mb;
        /* [healthcheck] */
        char *healthcheck_disable_file;
        /* [keystone_authtoken] */
        char *www_authenticate_uri, *auth_url, *username, *password, *project_name,
                *user_domain_name, *project_domain_name, *cafile;
        /* [oslo_policy] */
        char *policy_file;
};

#define O(field) offsetof(struct api_opts, field)
static const struct conf_option api_options[] = {
        {"DEFAULT", "auth_strategy", CONF_STR, "keystone", O(auth_strategy), 0, 0,
         "keystone (validate X-Auth-Token with Keystone) or noauth (trust identity headers)."},
        {"DEFAULT", "service_down_time", CONF_INT, "180", O(service_down_time), 1, 86400,
         "Seconds since a service's last heartbeat after which mservices shows it down."},
        {"DEFAULT", "debug", CONF_BOOL, "false", O(debug), 0, 0, "Log at debug level."},
        {"api", "host", CONF_STR, "127.0.0.1", O(host), 0, 0, "Address magnum-api listens on."},
        {"api", "port", CONF_INT, "9511", O(port), 1, 65535, "Port magnum-api listens on."},
        {"api", "workers", CONF_INT, "0", O(workers), 0, 256,
         "Request threads: 0 = one thread per connection, N = a pool of N threads."},
        {"api", "max_limit", CONF_INT, "1000", O(max_limit), 1, 1000000,
         "Most items a collection request returns."},
        {"api", "max_request_body_size", CONF_INT, "114688", O(max_body_bytes), 1024,
         64 * 1024 * 1024, "Largest request body accepted, in bytes (413 above)."},
        {"api", "response_cache_mb", CONF_INT, "16", O(response_cache_mb), 0, 4096,
         "Memory for cached GET answers (cluster and template lists and shows), in MiB; 0 = "
         "off. A cached answer is served only while the tables it was built from are unchanged "
         "(api_generation counters), so it is never stale."},
        {"healthcheck", "disable_by_file_path", CONF_STR, "/etc/magnum/healthcheck_disable",
         O(healthcheck_disable_file), 0, 0,
         "When this file exists, /healthcheck answers 503 DISABLED BY FILE."},
        {"keystone_authtoken", "www_authenticate_uri", CONF_STR, NULL, O(www_authenticate_uri), 0,
         0, "Keystone URL announced to clients in WWW-Authenticate on 401."},
        {"keystone_authtoken", "auth_url", CONF_STR, NULL, O(auth_url), 0, 0,
         "Keystone URL used to validate tokens with the service's own credentials."},
        {"keystone_authtoken", "username", CONF_STR, NULL, O(username), 0, 0,
         "Service user that validates tokens."},
        {"keystone_authtoken", "password", CONF_STR, NULL, O(password), 0, 0,
         "Service user's password."},
        {"keystone_authtoken", "project_name", CONF_STR, NULL, O(project_name), 0, 0,
         "Service user's project."},
        {"keystone_authtoken", "user_domain_name", CONF_STR, "Default", O(user_domain_name), 0, 0,
         "Service user's domain."},
        {"keystone_authtoken", "project_domain_name", CONF_STR, "Default", O(project_domain_name),
         0, 0, "Service project's domain."},
        {"keystone_authtoken", "cafile", CONF_STR, NULL, O(cafile), 0, 0,
         "CA bundle for an https Keystone (system store when unset)."},
        {"oslo_policy", "policy_file", CONF_STR, "/etc/magnum/policy.yaml", O(policy_file), 0, 0,
         "YAML file overriding policy rules (missing file = defaults)."},
};
#undef O

/* Options of the resource handlers' res_config ([quotas], [trust], [drivers], cloud URLs).
 * Listed here because main fills res_app; their owners document them. */
struct res_opts {
        int max_clusters_per_project;
        char *trustee_domain_id;
        char *disabled_drivers;
        char *glance_url, *nova_url, *neutron_url;
        bool skip_os_checks;
};
#define R(field) offsetof(struct res_opts, field)
static const struct conf_option res_options[] = {
        {"quotas", "max_clusters_per_project", CONF_INT, "20", R(max_clusters_per_project), 0,
         1000000, "Default cluster quota of a project."},
        {"trust", "trustee_domain_id", CONF_STR, NULL, R(trustee_domain_id), 0, 0,
         "Domain of cluster trustee users."},
        {"drivers", "disabled_drivers", CONF_STR, "", R(disabled_drivers), 0, 0,
         "Comma-separated COE drivers to disable."},
        {"api", "glance_url", CONF_STR, NULL, R(glance_url), 0, 0,
         "Image API URL when the token has no catalog (noauth)."},
        {"api", "nova_url", CONF_STR, NULL, R(nova_url), 0, 0,
         "Compute API URL when the token has no catalog (noauth)."},
        {"api", "neutron_url", CONF_STR, NULL, R(neutron_url), 0, 0,
         "Network API URL when the token has no catalog (noauth)."},
        {"api", "skip_os_checks", CONF_BOOL, "false", R(skip_os_checks), 0, 0,
         "Do not check images/flavors/networks with the cloud (tests without a cloud)."},
};
#undef R

static void usage(FILE *f)
{
        fprintf(f, "usage: magnum-api [--config-file PATH]... [--config-dir DIR]...\n");
}

int main(int argc, char **argv)
{
        struct conf_cli cli = {0};
        struct err e = ERR_INIT;
        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--help") || streq(argv[i], "-h")) {
                        usage(stdout);
                        return 0;
                }
                int a = conf_cli_arg(&cli, argc, argv, &i, &e);
                if (a <= 0) {
                        if (a < 0)
                                fprintf(stderr, "magnum-api: %s\n", err_msg(&e));
                        usage(stderr);
                        return 2;
                }
        }
        log_setup("magnum-api", LOG_LVL_INFO);

        struct conf *conf = NULL;
        int r = conf_load_cli(&cli, &conf, &e);
        if (r < 0) {
                fprintf(stderr, "magnum-api: %s\n", err_msg(&e));
                return 1;
        }
        struct api_opts o = {0};
        struct res_opts ro = {0};
        if (conf_apply(conf, api_options, ARRAY_SIZE(api_options), &o, &e) < 0 ||
            conf_apply(conf, res_options, ARRAY_SIZE(res_options), &ro, &e) < 0) {
                fprintf(stderr, "magnum-api: %s\n", err_msg(&e));
                return 1;
        }
        if (o.debug)
                log_setup("magnum-api", LOG_LVL_DEBUG);

        struct api_mw mw = {.www_authenticate_uri = o.www_authenticate_uri};
        if (strcaseeq(o.auth_strategy, "noauth")) {
                mw.auth = API_AUTH_NOAUTH;
        } else if (strcaseeq(o.auth_strategy, "keystone")) {
                mw.auth = API_AUTH_KEYSTONE;
        } else {
                fprintf(stderr,
                        "magnum-api: [DEFAULT] auth_strategy: '%s' is not keystone or "
                        "noauth\n",
                        o.auth_strategy);
                return 1;
        }
        http_global_init();

        int ret = 1;
        struct db_pool *pool = NULL;
        struct policy *policy = NULL;
        struct rpc_opts rpc = {0};
        bool rpc_loaded = false;
        struct ks_session *ks = NULL;
        struct httpd *srv = NULL;
        struct httpd_route *routes = NULL;
        struct res_app app = {0};

        /* [database] options are common/db's. The pool connects lazily; a database that is
         * down answers 503 per request. */
        r = db_pool_new_from_conf(conf, &pool, NULL, &e);
        if (r < 0) {
                fprintf(stderr, "magnum-api: %s\n", err_msg(&e));
                goto out;
        }
        r = policy_load(o.policy_file, &policy, &e);
        if (r < 0) {
                fprintf(stderr, "magnum-api: %s\n", err_msg(&e));
                goto out;
        }
        if (conf_get(conf, "DEFAULT", "transport_url")) {
                r = rpc_opts_load(conf, &rpc, &e);
                if (r < 0) {
                        fprintf(stderr, "magnum-api: %s\n", err_msg(&e));
                        goto out;
                }
                rpc_loaded = true;
        }
        if (mw.auth == API_AUTH_KEYSTONE) {
                if (!o.auth_url || !o.username || !o.password) {
                        fprintf(stderr, "magnum-api: auth_strategy keystone needs "
                                        "[keystone_authtoken] auth_url, username and password\n");
                        goto out;
                }
                struct ks_session_opts so = {
                        .auth = {.auth_url = o.auth_url,
                                 .username = o.username,
                                 .password = o.password,
                                 .user_domain_name = o.user_domain_name,
                                 .project_name = o.project_name,
                                 .project_domain_name = o.project_domain_name,
                                 .ca_file = o.cafile},
                };
                r = ks_session_new(&so, &ks, &e);
                if (r < 0) {
                        fprintf(stderr, "magnum-api: %s\n", err_msg(&e));
                        goto out;
                }
                mw.ks = ks;
                /* Authenticate the service now so a misconfiguration shows at start-up and the
                 * first request does not pay for it; Keystone being down is not fatal. */
                struct ks_token *svc = NULL;
                r = ks_session_token(ks, &svc, &e);
                if (r < 0) {
                        log_warn("event=keystone_service_auth_failed detail=\"%s\"", err_msg(&e));
                        err_clear(&e);
                }
                ks_token_unref(svc);
                if (!mw.www_authenticate_uri)
                        mw.www_authenticate_uri = o.auth_url;
        }

        app.pool = pool;
        app.policy = policy;
        app.rpc = rpc_loaded ? &rpc : NULL;
        app.ks = ks;
        app.conf = (struct res_config){
                .max_limit = o.max_limit,
                .max_clusters_per_project = ro.max_clusters_per_project,
                .service_down_time = o.service_down_time,
                .trustee_domain_id = ro.trustee_domain_id,
                .disabled_drivers = ro.disabled_drivers,
                .glance_url = ro.glance_url,
                .nova_url = ro.nova_url,
                .neutron_url = ro.neutron_url,
                .skip_os_checks = ro.skip_os_checks,
        };
        pthread_mutex_init(&app.cache_lock, NULL);
        app.respcache = rcache_new((size_t)o.response_cache_mb * 1024 * 1024);
        res_set_app(&app);

        struct api_router_opts ropts = {.healthcheck_disable_file = o.healthcheck_disable_file,
                                        .service_down_time = o.service_down_time};
        size_t n_routes = 0;
        routes = api_routes_build(&ropts, &n_routes);
        static const struct httpd_hooks hooks = {
                .before_route = api_mw_before_route,
                .error = api_error_hook,
        };
        struct httpd_opts ho = {
                .name = "magnum-api",
                .host = o.host,
                .port = o.port,
                .threads = (unsigned)o.workers,
                .max_body_bytes = (size_t)o.max_body_bytes,
                .routes = routes,
                .n_routes = n_routes,
                .hooks = &hooks,
                .hooks_data = &mw,
        };

        /* Block the stop signals before any thread exists, so only sigwait sees them. */
        sigset_t sigs;
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGTERM);
        sigaddset(&sigs, SIGINT);
        pthread_sigmask(SIG_BLOCK, &sigs, NULL);
        signal(SIGPIPE, SIG_IGN);

        r = httpd_start(&ho, &srv, &e);
        if (r < 0) {
                fprintf(stderr, "magnum-api: %s\n", err_msg(&e));
                goto out;
        }
        log_info("event=api_started listen=%s:%d auth_strategy=%s", o.host, httpd_port(srv),
                 mw.auth == API_AUTH_NOAUTH ? "noauth" : "keystone");
        int sig = 0;
        sigwait(&sigs, &sig);
        log_info("event=api_stopping signal=%d", sig);
        ret = 0;
out:
        httpd_stop(srv);
        res_app_cleanup(&app);
        free(routes);
        ks_session_free(ks);
        if (rpc_loaded)
                rpc_opts_release(&rpc);
        policy_free(policy);
        db_pool_free(pool);
        if (app.policy)
                pthread_mutex_destroy(&app.cache_lock);
        conf_release(res_options, ARRAY_SIZE(res_options), &ro);
        conf_release(api_options, ARRAY_SIZE(api_options), &o);
        conf_free(conf);
        err_clear(&e);
        return ret;
}
