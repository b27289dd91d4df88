/*
 * magnum-conductor: reads magnum.conf (--config-file), connects to PostgreSQL and RabbitMQ,
 * registers in magnum_service and heartbeats every periodic_interval_max seconds, and serves
 * the `magnum-conductor` RPC topic with [conductor] workers threads (each with its own AMQP
 * connection). SIGTERM/SIGINT: stop taking messages, let in-flight handlers finish, exit 0.
 */
#include "common/common.h"
#include "conductor/conductor.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "common/db.h"
#include "common/ids.h"

const struct conf_option conductor_conf_options[] = {
        {"DEFAULT", "host", CONF_STR, NULL, offsetof(struct conductor_opts, host), 0, 0,
         "Name this conductor registers under in magnum_service (default: the hostname)."},
        {"DEFAULT", "periodic_interval_max", CONF_INT, "60",
         offsetof(struct conductor_opts, periodic_interval_max), 1, 86400,
         "Seconds between heartbeats (and other periodic tasks)."},
        {"DEFAULT", "service_down_time", CONF_INT, "180",
         offsetof(struct conductor_opts, service_down_time), 1, 86400,
         "Seconds without a heartbeat after which a service is shown as down."},
        {"DEFAULT", "debug", CONF_BOOL, "false", offsetof(struct conductor_opts, debug), 0, 0,
         "Log at debug level."},
        {"conductor", "topic", CONF_STR, "magnum-conductor", offsetof(struct conductor_opts, topic),
         0, 0, "The RPC topic the conductor serves."},
        {"conductor", "workers", CONF_INT, "0", offsetof(struct conductor_opts, workers), 0, 256,
         "Worker threads consuming RPC messages (0: one per CPU)."},
        {"database", "connection", CONF_STR, NULL, offsetof(struct conductor_opts, db_connection),
         0, 0, "PostgreSQL URL, e.g. postgresql://magnum:pw@127.0.0.1/magnum."},
};
const size_t conductor_conf_options_count = ARRAY_SIZE(conductor_conf_options);

static int usage(FILE *f)
{
        fprintf(f, "usage: magnum-conductor --config-file PATH... [--config-dir DIR]...\n");
        return f == stderr ? 2 : 0;
}

/* Parses the command line; -EINVAL (message in e) on bad usage. */
static int parse_args(int argc, char **argv, struct conf_cli *cli, struct err *e)
{
        for (int i = 1; i < argc; i++) {
                int r = conf_cli_arg(cli, argc, argv, &i, e);
                if (r < 0)
                        return r;
                if (r == 0)
                        return err_set(e, -EINVAL, "unknown argument '%s'", argv[i]);
        }
        if (cli->n_files + cli->n_dirs == 0)
                return err_set(e, -EINVAL, "--config-file is required");
        return 0;
}

static void conductor_release(struct conductor *cd)
{
        conf_release(conductor_conf_options, conductor_conf_options_count, &cd->opts);
        rpc_opts_release(&cd->rpc);
}

/* Loads and checks the options; on failure nothing is left allocated in cd. */
static int load_config(const struct conf_cli *cli, struct conductor *cd, struct err *e)
{
        _cleanup_(conf_freep) struct conf *c = NULL;
        int r = conf_load_cli(cli, &c, e);
        if (r < 0)
                return r;
        if ((r = conf_apply(c, conductor_conf_options, conductor_conf_options_count, &cd->opts,
                            e)) < 0 ||
            (r = rpc_opts_load(c, &cd->rpc, e)) < 0) {
                conductor_release(cd);
                return r;
        }
        if (!cd->opts.db_connection || !cd->opts.db_connection[0]) {
                conductor_release(cd);
                return err_set(e, -EINVAL, "[database] connection is not set");
        }
        if (!cd->opts.host || !cd->opts.host[0]) {
                char name[256] = "";
                gethostname(name, sizeof(name) - 1);
                free(cd->opts.host);
                cd->opts.host = xstrdup(name[0] ? name : "localhost");
        }
        if (cd->opts.workers <= 0) {
                long n = sysconf(_SC_NPROCESSORS_ONLN);
                cd->opts.workers = n > 0 ? (int)MIN(n, 64L) : 1;
        }
        return 0;
}

/* Heartbeats until SIGTERM/SIGINT arrives; returns the signal. */
static int run_until_signal(struct conductor *cd, struct conductor_service **svc,
                            const sigset_t *sigs)
{
        int64_t next = time_mono_ms() + (int64_t)cd->opts.periodic_interval_max * 1000;
        for (;;) {
                int64_t left = next - time_mono_ms();
                if (left > 0) {
                        struct timespec ts = {.tv_sec = left / 1000,
                                              .tv_nsec = (left % 1000) * 1000000};
                        int sig = sigtimedwait(sigs, NULL, &ts);
                        if (sig > 0)
                                return sig;
                        continue; /* timeout or EINTR: recheck the clock */
                }
                next += (int64_t)cd->opts.periodic_interval_max * 1000;
                struct err e = ERR_INIT;
                int r = *svc ? conductor_service_heartbeat(*svc, &e)
                             : conductor_service_start(cd, svc, &e);
                if (r < 0)
                        log_error("event=service_heartbeat_failed error=\"%s\"", err_msg(&e));
                err_clear(&e);
        }
}

int main(int argc, char **argv)
{
        struct conductor cd = {0};
        _cleanup_err_ struct err e = ERR_INIT;
        int r;

        if (argc == 2 && (streq(argv[1], "--help") || streq(argv[1], "-h")))
                return usage(stdout);
        log_setup("magnum-conductor", LOG_LVL_INFO);
        struct conf_cli cli = {0};
        if (parse_args(argc, argv, &cli, &e) < 0) {
                fprintf(stderr, "magnum-conductor: %s\n", err_msg(&e));
                return usage(stderr);
        }
        if (load_config(&cli, &cd, &e) < 0) {
                fprintf(stderr, "magnum-conductor: %s\n", err_msg(&e));
                return 1;
        }
        if (cd.opts.debug)
                log_setup("magnum-conductor", LOG_LVL_DEBUG);

        /* Signals are taken synchronously by the main thread only; workers inherit the mask. */
        sigset_t sigs;
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGTERM);
        sigaddset(&sigs, SIGINT);
        pthread_sigmask(SIG_BLOCK, &sigs, NULL);
        signal(SIGPIPE, SIG_IGN);

        r = db_pool_new(cd.opts.db_connection, (unsigned)cd.opts.workers + 1, &cd.pool, &e);
        if (r < 0) {
                log_error("event=startup_failed error=\"%s\"", err_msg(&e));
                conductor_release(&cd);
                return 1;
        }

        /* At start, then every periodic interval (a failure is retried at the next one). */
        struct conductor_service *svc = NULL;
        r = conductor_service_start(&cd, &svc, &e);
        if (r < 0) {
                log_error("event=service_register_failed error=\"%s\"", err_msg(&e));
                err_clear(&e);
        }

        struct rpc_server_opts so = {.rpc = &cd.rpc,
                                     .topic = cd.opts.topic,
                                     .methods = conductor_methods,
                                     .n_methods = conductor_methods_count,
                                     .workers = cd.opts.workers,
                                     .userdata = &cd};
        struct rpc_server *srv = NULL;
        r = rpc_server_start(&so, &srv, &e);
        if (r < 0) {
                log_error("event=startup_failed error=\"%s\"", err_msg(&e));
                conductor_service_free(svc);
                db_pool_free(cd.pool);
                conductor_release(&cd);
                return 1;
        }
        log_info("event=started host=%s topic=%s server=%s workers=%d", cd.opts.host, cd.opts.topic,
                 rpc_server_name(srv), cd.opts.workers);

        int sig = run_until_signal(&cd, &svc, &sigs);
        log_info("event=stopping signal=%s", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        rpc_server_stop(srv);
        rpc_server_free(srv); /* waits for in-flight handlers */
        conductor_service_free(svc);
        db_pool_free(cd.pool);
        conductor_release(&cd);
        log_info("event=stopped");
        return 0;
}
