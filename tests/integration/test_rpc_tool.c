/*
 * mc-rpc-tool: drives common/rpc from shell-level integration tests against a real RabbitMQ.
 *
 *   mc-rpc-tool serve URL TOPIC               serve echo / ping / fail until SIGTERM; prints
 *                                             "ready" once connected and "echo <message>" per echo
 *   mc-rpc-tool cast URL TOPIC METHOD ARGS    prints "ok" once the broker confirmed the cast
 *   mc-rpc-tool call URL TOPIC METHOD ARGS TIMEOUT_MS
 *                                             prints the result JSON, or on failure
 *                                             "error errno=<name> http=<n> class=<c> message=<m>"
 *   mc-rpc-tool raw URL TOPIC BODY COUNT      publishes BODY (any bytes) COUNT times as is
 *   mc-rpc-tool dupcast URL TOPIC METHOD ARGS publishes one cast twice with the same _unique_id
 *   mc-rpc-tool bench URL TOPIC N             N sequential ping calls; prints calls/s and
 *                                             latency percentiles (a measurement, not a test)
 *
 * ARGS is a JSON object. Options through the environment: RPC_TIMEOUT (rpc_response_timeout,
 * seconds), RPC_DURABLE (amqp_durable_queues), RPC_EXCHANGE (control_exchange).
 */
#include "common/common.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "common/amqp.h"
#include "common/config.h"
#include "common/ids.h"
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
                conf_set(c, "oslo_messaging_rabbit", "amqp_durable_queues", getenv("RPC_DURABLE"));
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
                               json_get_str(ci->args, "message") ? json_get_str(ci->args, "message")
                                                                 : "failed");
}

/* Transient failure: -EAGAIN on the first attempt of each message id "key", then success;
 * args.always makes every attempt fail. Prints "flaky <key> attempt <n>". */
static int h_flaky(const struct rpc_call_info *ci, json_t **ret, struct rpc_failure *f)
{
        static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
        static int attempts;
        (void)ret;
        pthread_mutex_lock(&lock);
        int n = ++attempts;
        pthread_mutex_unlock(&lock);
        const char *key = json_get_str(ci->args, "key");
        printf("flaky %s attempt %d\n", key ? key : "", n);
        fflush(stdout);
        if (json_get_bool(ci->args, "always", false) || n == 1)
                return rpc_failure_set(f, -EAGAIN, 503, NULL, "try again");
        return 0;
}

/* Sleeps args.ms milliseconds, then returns "slept"; prints "slow start <args.key>" first. */
static int h_slow(const struct rpc_call_info *ci, json_t **ret, struct rpc_failure *f)
{
        (void)f;
        long long ms = json_get_int(ci->args, "ms", 1000);
        const char *key = json_get_str(ci->args, "key");
        printf("slow start %s\n", key ? key : "-");
        fflush(stdout);
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
        *ret = json_string("slept");
        return 0;
}

static const struct rpc_method tool_methods[] = {
        {"slow", h_slow}, {"echo", h_echo}, {"ping", h_ping}, {"fail", h_fail}, {"flaky", h_flaky},
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

/* ---- raw publishing (bypasses rpc_cast, to test what servers do with odd messages) -------- */

static int publish_raw(const struct rpc_opts *o, const char *topic, const char *body, int count)
{
        struct amqp_conn_opts co = AMQP_CONN_OPTS_INIT;
        co.url = o->transport_url;
        struct amqp_conn *c = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        int r = amqp_conn_new(&co, &c, &e);
        if (r == 0)
                r = amqp_conn_connect(c, time_mono_ms() + 30000, &e);
        for (int i = 0; r == 0 && i < count; i++) {
                struct amqp_publish_props p = {.persistent = true};
                r = amqp_conn_publish(c, o->control_exchange, topic, body, strlen(body), &p, &e);
        }
        amqp_conn_free(c);
        if (r < 0) {
                printf("error %s\n", err_msg(&e));
                return 1;
        }
        printf("ok\n");
        return 0;
}

static int dupcast(const struct rpc_opts *o, const char *topic, const char *method,
                   const char *args_text)
{
        json_auto_t *args = json_loads(args_text, 0, NULL);
        json_auto_t *ctx = json_pack("{s:s}", "request_id", "req-dup");
        char uid[33];
        random_hex(uid, 32);
        uid[32] = '\0';
        struct rpc_request req = {
                .method = (char *)method, .args = args, .ctx = ctx, .unique_id = uid};
        _cleanup_free_ char *body = rpc_encode_request(&req);
        return publish_raw(o, topic, body, 2);
}

static int cmp_ll(const void *a, const void *b)
{
        long long x = *(const long long *)a, y = *(const long long *)b;
        return x < y ? -1 : x > y;
}

static int bench(const struct rpc_opts *o, const char *topic, int n)
{
        struct rpc_client *c = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        if (rpc_client_new(o, &c, &e) < 0)
                return 1;
        long long *lat = xnew(long long, n);
        int64_t t0 = time_now_us();
        int failed = 0;
        for (int i = 0; i < n; i++) {
                _cleanup_rpc_failure_ struct rpc_failure f = RPC_FAILURE_INIT;
                json_auto_t *res = NULL;
                int64_t t = time_now_us();
                if (rpc_call(c, topic, "ping", NULL, NULL, 10000, &res, &f) < 0)
                        failed++;
                lat[i] = time_now_us() - t;
        }
        int64_t total = time_now_us() - t0;
        qsort(lat, n, sizeof(*lat), cmp_ll);
        printf("calls=%d failed=%d total_s=%.3f calls_per_s=%.1f p50_ms=%.3f p99_ms=%.3f\n", n,
               failed, total / 1e6, n / (total / 1e6), lat[n / 2] / 1000.0,
               lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1000.0);
        free(lat);
        rpc_client_free(c);
        return failed ? 1 : 0;
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
        else if (streq(argv[1], "raw") && argc >= 6)
                rc = publish_raw(&o, argv[3], argv[4], (int)strtol(argv[5], NULL, 10));
        else if (streq(argv[1], "dupcast") && argc >= 6)
                rc = dupcast(&o, argv[3], argv[4], argv[5]);
        else if (streq(argv[1], "bench") && argc >= 5 && strtol(argv[4], NULL, 10) > 0)
                rc = bench(&o, argv[3], (int)strtol(argv[4], NULL, 10));
        else
                rc = usage();
        rpc_opts_release(&o);
        return rc;
}
