/*
 * api_bench: a closed-loop HTTP load generator for magnum-api. T threads, each with one
 * keep-alive connection, send the same request back to back for D seconds; prints requests/s
 * and p50 / p99 / max latency. Numbers only: never run as a test.
 *
 *   api_bench -u http://127.0.0.1:9511/v1/clusters?limit=100 -H "X-Auth-Token: $TOK" \
 *             -t 2 -d 10 [-X POST -b body.json] [-e 200]
 *
 * For POST, "@UUID@" in the body is replaced by a fresh uuid per request (names must differ
 * only if the caller wants them to).
 */
#include "common/common.h"

#include <curl/curl.h>
#include <getopt.h>
#include <pthread.h>

#include "common/ids.h"

#define MAX_HEADERS 16

struct opts {
        const char *url, *method, *body;
        const char *headers[MAX_HEADERS];
        size_t n_headers;
        int threads, seconds, expect;
};

struct worker {
        const struct opts *o;
        int64_t *lat_us;
        size_t n, cap;
        size_t errors;
};

static size_t sink(char *p, size_t s, size_t n, void *u)
{
        (void)p;
        (void)u;
        return s * n;
}

static void *run(void *arg)
{
        struct worker *w = arg;
        const struct opts *o = w->o;
        CURL *c = curl_easy_init();
        if (!c)
                return NULL;
        struct curl_slist *hl = NULL;
        for (size_t i = 0; i < o->n_headers; i++)
                hl = curl_slist_append(hl, o->headers[i]);
        hl = curl_slist_append(hl, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_URL, o->url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, o->method);
        int64_t end = time_mono_ms() + (int64_t)o->seconds * 1000;
        struct strbuf body = STRBUF_INIT;
        while (time_mono_ms() < end) {
                if (o->body) {
                        strbuf_reset(&body);
                        const char *mark = strstr(o->body, "@UUID@");
                        if (mark) {
                                char u[UUID_STR_LEN];
                                uuid_generate_str(u);
                                strbuf_add(&body, o->body, (size_t)(mark - o->body));
                                strbuf_addstr(&body, u);
                                strbuf_addstr(&body, mark + 6);
                        } else {
                                strbuf_addstr(&body, o->body);
                        }
                        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.buf);
                        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body.len);
                }
                int64_t t0 = time_now_us();
                CURLcode rc = curl_easy_perform(c);
                int64_t dt = time_now_us() - t0;
                long status = 0;
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
                if (rc != CURLE_OK || status != o->expect)
                        w->errors++;
                if (w->n == w->cap) {
                        w->cap = w->cap ? w->cap * 2 : 4096;
                        w->lat_us = xrealloc(w->lat_us, w->cap * sizeof(*w->lat_us));
                }
                w->lat_us[w->n++] = dt;
        }
        strbuf_release(&body);
        curl_slist_free_all(hl);
        curl_easy_cleanup(c);
        return NULL;
}

static int cmp64(const void *a, const void *b)
{
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
        return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
        struct opts o = {.method = "GET", .threads = 2, .seconds = 10, .expect = 0};
        int ch;
        while ((ch = getopt(argc, argv, "u:X:b:H:t:d:e:")) != -1) {
                long long v;
                switch (ch) {
                case 'u':
                        o.url = optarg;
                        break;
                case 'X':
                        o.method = optarg;
                        break;
                case 'b':
                        o.body = optarg;
                        break;
                case 'H':
                        if (o.n_headers < MAX_HEADERS)
                                o.headers[o.n_headers++] = optarg;
                        break;
                case 't':
                case 'd':
                case 'e':
                        if (str_to_ll(optarg, 1, 100000, &v) < 0) {
                                fprintf(stderr, "bad -%c value\n", ch);
                                return 2;
                        }
                        if (ch == 't')
                                o.threads = (int)v;
                        else if (ch == 'd')
                                o.seconds = (int)v;
                        else
                                o.expect = (int)v;
                        break;
                default:
                        fprintf(stderr, "usage: api_bench -u URL [-X M] [-b BODY] [-H HDR]... "
                                        "[-t THREADS] [-d SECONDS] [-e STATUS]\n");
                        return 2;
                }
        }
        if (!o.url)
                return fprintf(stderr, "-u URL is required\n"), 2;
        if (!o.expect)
                o.expect = streq(o.method, "POST") ? 201 : 200;
        curl_global_init(CURL_GLOBAL_DEFAULT);
        struct worker *w = xnew(struct worker, (size_t)o.threads);
        pthread_t *th = xnew(pthread_t, (size_t)o.threads);
        int64_t t0 = time_mono_ms();
        for (int i = 0; i < o.threads; i++) {
                w[i].o = &o;
                pthread_create(&th[i], NULL, run, &w[i]);
        }
        size_t total = 0, errors = 0;
        for (int i = 0; i < o.threads; i++) {
                pthread_join(th[i], NULL);
                total += w[i].n;
                errors += w[i].errors;
        }
        double secs = (double)(time_mono_ms() - t0) / 1000.0;
        int64_t *all = xnew(int64_t, total ? total : 1);
        size_t k = 0;
        for (int i = 0; i < o.threads; i++) {
                memcpy(all + k, w[i].lat_us, w[i].n * sizeof(int64_t));
                k += w[i].n;
                free(w[i].lat_us);
        }
        qsort(all, total, sizeof(int64_t), cmp64);
        double p50 = total ? (double)all[total / 2] / 1000.0 : 0;
        double p99 = total ? (double)all[(size_t)((double)total * 0.99)] / 1000.0 : 0;
        double mx = total ? (double)all[total - 1] / 1000.0 : 0;
        printf("%s %s threads=%d requests=%zu errors=%zu req_per_s=%.0f p50_ms=%.2f "
               "p99_ms=%.2f max_ms=%.2f\n",
               o.method, o.url, o.threads, total, errors, (double)total / secs, p50, p99, mx);
        free(all);
        free(w);
        free(th);
        curl_global_cleanup();
        return errors ? 1 : 0;
}
