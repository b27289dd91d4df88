/*
 * httpd + httpclient throughput: an in-process server (thread per connection, or a pool with
 * --pool N) with one JSON route, hammered by T client threads doing R requests each through
 * http_perform (keep-alive per thread). Prints requests/second and the mean latency.
 *
 * With --multi P, one client thread drives all T*R requests through the curl-multi engine
 * with P connections in parallel.
 *
 *   build-x/bench/httpd_bench [--threads T] [--requests R] [--pool N] [--multi P]
 */
#include "common/common.h"

#include <getopt.h>
#include <pthread.h>

#include "common/httpclient.h"
#include "common/httpd.h"
#include "common/ids.h"
#include "common/json_util.h"

static int h_get(struct httpd_req *req, void *data _unused_)
{
        json_auto_t *j = json_checked(
                json_pack("{s:s,s:s}", "id", httpd_req_param(req, "id"), "status", "ACTIVE"));
        return httpd_resp_json(req, 200, j);
}

static char url[128];
static int per_thread = 2000;
static int failures;

static long done_ok;

static void on_done(void *data _unused_, int r, struct http_response *resp,
                    const struct err *e _unused_)
{
        if (r == 0 && resp->status == 200)
                done_ok++;
        else
                failures++;
}

static void run_multi(long total, unsigned parallel)
{
        struct http_multi *m = NULL;
        if (http_multi_new(parallel, &m, NULL) < 0)
                abort();
        struct http_request rq = {.url = url};
        long added = 0;
        /* keep at most 4x parallel queued so memory stays flat */
        while (added < total || http_multi_pending(m) > 0) {
                while (added < total && http_multi_pending(m) < 4 * (size_t)parallel) {
                        if (http_multi_add(m, &rq, on_done, NULL, NULL) < 0)
                                abort();
                        added++;
                }
                http_multi_run(m, 50);
        }
        http_multi_free(m);
}

static void *client(void *arg _unused_)
{
        struct http_response resp = HTTP_RESPONSE_INIT;
        struct http_request rq = {.url = url};
        for (int i = 0; i < per_thread; i++)
                if (http_perform(&rq, &resp, NULL) < 0 || resp.status != 200)
                        __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        http_response_release(&resp);
        return NULL;
}

int main(int argc, char **argv)
{
        int threads = 4, pool = 0, multi = 0, c;
        static const struct option lo[] = {{"threads", required_argument, NULL, 't'},
                                           {"requests", required_argument, NULL, 'r'},
                                           {"pool", required_argument, NULL, 'p'},
                                           {"multi", required_argument, NULL, 'm'},
                                           {NULL, 0, NULL, 0}};
        while ((c = getopt_long(argc, argv, "t:r:p:m:", lo, NULL)) != -1) {
                long long v = 0;
                if (!optarg || str_to_ll(optarg, 0, 1000000, &v) < 0)
                        return 2;
                if (c == 't')
                        threads = (int)v;
                else if (c == 'r')
                        per_thread = (int)v;
                else if (c == 'p')
                        pool = (int)v;
                else if (c == 'm')
                        multi = (int)v;
                else
                        return 2;
        }
        log_setup("httpd_bench", LOG_LVL_WARN);
        http_global_init();
        static const struct httpd_route routes[] = {
                {"GET", "/v2.1/servers/{id}", h_get, NULL, NULL}};
        struct httpd_opts o = {.name = "bench",
                               .routes = routes,
                               .n_routes = 1,
                               .threads = (unsigned)pool,
                               .quiet = true};
        struct httpd *srv = NULL;
        struct err e = ERR_INIT;
        if (httpd_start(&o, &srv, &e) < 0) {
                fprintf(stderr, "%s\n", err_msg(&e));
                return 1;
        }
        snprintf(url, sizeof(url), "http://127.0.0.1:%d/v2.1/servers/abc", httpd_port(srv));
        long total = (long)threads * per_thread;
        if (multi > 0) {
                int64_t t0 = time_mono_ms();
                run_multi(total, (unsigned)multi);
                int64_t dt = time_mono_ms() - t0;
                printf("httpd_bench: %s server, curl-multi on 1 thread, %d parallel: %ld "
                       "requests in %lld ms = %.0f req/s, failures %d\n",
                       pool ? "pool" : "thread-per-connection", multi, total, (long long)dt,
                       dt ? total * 1000.0 / dt : 0.0, failures);
                httpd_stop(srv);
                return failures || done_ok != total ? 1 : 0;
        }
        pthread_t *t = xnew(pthread_t, (size_t)threads);
        int64_t start = time_mono_ms();
        for (int i = 0; i < threads; i++)
                pthread_create(&t[i], NULL, client, NULL);
        for (int i = 0; i < threads; i++)
                pthread_join(t[i], NULL);
        int64_t ms = time_mono_ms() - start;
        printf("httpd_bench: %s server, %d client threads x %d requests: %ld requests in "
               "%lld ms = %.0f req/s, mean latency %.3f ms, failures %d\n",
               pool ? "pool" : "thread-per-connection", threads, per_thread, total, (long long)ms,
               ms ? total * 1000.0 / ms : 0.0, total ? (double)ms * threads / total : 0.0,
               failures);
        free(t);
        httpd_stop(srv);
        return failures ? 1 : 0;
}
