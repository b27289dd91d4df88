/*
 * mc-rpc-tool: drives common/rpc from shell-level integration tests against a real RabbitMQ.
 *
 *   mc-rpc-tool serve URL TOPIC               serve echo / ping / fail until SIGTERM; prints
 *                                             "ready" once connected and "echo <message>" per echo
 *   mc-rpc-tool cast URL TOPIC METHOD ARGS    prints "ok" once the broker confirmed the cast
 *   mc-rpc-tool call URL TOPIC METHOD ARGS TIMEOUT_MS
 *                                             prints the result JSON, or on failure
 *                                             "error errno=<name> http=<n> class=<c> message=<m>"
 *
 * ARGS is a JSON object. Options through the environment: RPC_TIMEOUT (rpc_response_timeout,
 * seconds), RPC_DURABLE (amqp_durable_queues), RPC_EXCHANGE (control_exchange).
 */
#include "common/common.h"

#include <signal.h>

#include "common/config.h"
#include "common/json_util.h"
#include "common/rpc.h"

static int usage(void)
{
        fprintf(stderr, "usage: mc-rpc-tool serve URL TOPIC | cast URL TOPIC METHOD ARGS | "
                        "call URL TOPIC METHOD ARGS TIMEOUT_MS\n");
        return 2;
}

static int load_opts(const char *url, struct rpc_opts *o)
{
        _cleanup_(conf_freep) struct conf *c = conf_new_empty();
        _cleanup_err_ struct err e = ERR_INIT;
        conf_set(c, "DEFAULT", "transport_url", url);
        if (getenv("RPC_TIMEOUT"))
                conf_set(c, "DEFAULT", "rpc_response_timeout", getenv("RPC_TIMEOUT"));
        if (getenv("RPC_EXCHANGE"))
                conf_set(c, "DEFAULT", "control_exchange", getenv("RPC_EXCHANGE"));
        if (getenv("RPC_DURABLE"))
                conf_set(c, "oslo_messaging_rabbit", "amqp_durable_queues",
                         getenv("RPC_DURABLE"));
        conf_set(c, "oslo_messaging_rabbit", "rabbit_interval_max", "2");
        int r = rpc_opts_load(c, o, &e);
        if (r < 0)
                fprintf(stderr, "mc-rpc-tool: %s\n", err_msg(&e));
        return r;
}

/* ---- serve --------------------------------------------------------------------------------- */

static int h_echo(const struct rpc_call_info *ci, json_t **ret, struct rpc_failure *f)
{
        (void)ret;
        (void)f;
        const char *m = json_get_str(ci->args, "message");
        log_info("event=echo message=\"%s\"", m ? m : "");
        printf("echo %s req=%s\n", m ? m : "", log_request_id());
        fflush(stdout);
        return 0;
}

static int h_ping(const struct rpc_call_info *ci, json_t **ret, struct rpc_failure *f)
{
        (void)ci;
        (void)f;
        *ret = json_true();
        return 0;
}

/* Fails the way a Magnum handler does: args {class, code, message}. */
static int h_fail(const struct rpc_call_info *ci, json_t **ret, struct rpc_failure *f)
{
        (void)ret;
        return rpc_failure_set(f, -EINVAL, (int)json_get_int(ci->args, "code", 500),
                               json_get_str(ci->args, "class"), "%s",
                               json_get_str(ci->args, "message") ? json_get_str(ci->args,
                                                                                "message")
                                                                 : "failed");
}

static const struct rpc_method tool_methods[] = {
        {"echo", h_echo},
        {"ping", h_ping},
        {"fail", h_fail},
};

static int serve(const struct rpc_opts *o, const char *topic)
{
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        pthread_sigmask(SIG_BLOCK, &set, NULL);

        struct rpc_server_opts so = {.rpc = o,
                                     .topic = topic,
                                     .methods = tool_methods,
                                     .n_methods = ARRAY_SIZE(tool_methods),
                                     .workers = 2};
        struct rpc_server *s = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        if (rpc_server_start(&so, &s, &e) < 0) {
                fprintf(stderr, "mc-rpc-tool: %s\n", err_msg(&e));
                return 1;
        }
        bool ready = false;
        for (;;) {
                struct timespec ts = {0, 100 * 1000000};
                int sig = sigtimedwait(&set, NULL, &ts);
                if (sig == SIGTERM || sig == SIGINT)
                        break;
                if (!ready && rpc_server_connected_workers(s) == so.workers) {
                        ready = true;
                        printf("ready\n");
                        fflush(stdout);
                }
        }
        rpc_server_free(s);
        return 0;
}

/* ---- client -------------------------------------------------------------------------------- */

static void print_failure(int r, const struct rpc_failure *f)
{
        static const struct {
                int err;
                const char *name;
        } names[] = {{-ETIMEDOUT, "ETIMEDOUT"}, {-EREMOTEIO, "EREMOTEIO"}, {-ENXIO, "ENXIO"}};
        const char *name = "other";
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (names[i].err == r)
                        name = names[i].name;
        printf("error errno=%s http=%d class=%s message=%s\n", name, f->http_code,
               f->class_name ? f->class_name : "-", rpc_failure_msg(f));
}

static int client(const struct rpc_opts *o, int argc, char **argv)
{
        const char *cmd = argv[1], *topic = argv[3], *method = argv[4];
        json_auto_t *args = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        if (json_parse_limited(argv[5], strlen(argv[5]), 65536, 32, &args, &e) < 0 ||
            !json_is_object(args)) {
                fprintf(stderr, "mc-rpc-tool: ARGS must be a JSON object\n");
                return 2;
        }
        struct rpc_client *c = NULL;
        if (rpc_client_new(o, &c, &e) < 0) {
                fprintf(stderr, "mc-rpc-tool: %s\n", err_msg(&e));
                return 1;
        }
        json_auto_t *ctx = json_pack("{s:s, s:s}", "request_id",
                                     getenv("RPC_REQUEST_ID") ? getenv("RPC_REQUEST_ID")
                                                              : "req-00000000-0000-4000-8000-"
                                                                "000000000000",
                                     "project_id", "demo");
        _cleanup_rpc_failure_ struct rpc_failure f = RPC_FAILURE_INIT;
        int r, rc = 0;
        if (streq(cmd, "cast")) {
                r = rpc_cast(c, topic, method, args, ctx, &f);
                if (r == 0)
                        printf("ok\n");
        } else {
                long long t = 0;
                if (argc < 7 || str_to_ll(argv[6], 1, 3600000, &t) < 0) {
                        rpc_client_free(c);
                        return usage();
                }
                json_auto_t *result = NULL;
                r = rpc_call(c, topic, method, args, ctx, (int)t, &result, &f);
                if (r == 0) {
                        _cleanup_free_ char *s = json_dumps(result, JSON_ENCODE_ANY | JSON_COMPACT);
                        printf("%s\n", s);
                }
        }
        if (r < 0) {
                print_failure(r, &f);
                rc = 1;
        }
        rpc_client_free(c);
        return rc;
}

int main(int argc, char **argv)
{
        log_setup("mc-rpc-tool", getenv("RPC_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_INFO);
        if (argc < 4)
                return usage();
        struct rpc_opts o;
        if (load_opts(argv[2], &o) < 0)
                return 2;
        int rc;
        if (streq(argv[1], "serve"))
                rc = serve(&o, argv[3]);
        else if ((streq(argv[1], "cast") || streq(argv[1], "call")) && argc >= 6)
                rc = client(&o, argc, argv);
        else
                rc = usage();
        rpc_opts_release(&o);
        return rc;
}
