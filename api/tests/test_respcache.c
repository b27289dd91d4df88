/*
 * Unit tests for api/respcache: an answer is served only under the generations it was stored
 * with (for the groups it depends on), stale entries go, memory stays under the limit with the
 * least recently used entries evicted first, a late store never replaces a newer answer, and
 * many threads can use one cache.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <pthread.h>

#include "api/respcache.h"

static bool get(struct rcache *c, const char *key, int64_t g0, int64_t g1, const char *want)
{
        struct rcache_gens g = {{g0, g1}};
        char *body = NULL;
        size_t len = 0;
        if (!rcache_get(c, key, &g, &body, &len))
                return false;
        bool same = want && len == strlen(want) && memcmp(body, want, len) == 0 && body[len] == 0;
        free(body);
        assert_true(same);
        return true;
}

static void put(struct rcache *c, const char *key, unsigned deps, int64_t g0, int64_t g1,
                const char *body)
{
        struct rcache_gens g = {{g0, g1}};
        rcache_put(c, key, deps, &g, body, strlen(body));
}

static void test_generations(void **state _unused_)
{
        struct rcache *c = rcache_new(1 << 20);
        assert_false(get(c, "k", 1, 1, NULL));
        put(c, "k", RCACHE_CLUSTERS, 1, 1, "{\"a\":1}");
        assert_true(get(c, "k", 1, 1, "{\"a\":1}"));
        /* a change in a group the answer does not depend on keeps it */
        assert_true(get(c, "k", 1, 7, "{\"a\":1}"));
        /* a change in its group: a miss, and the stale entry is gone */
        assert_false(get(c, "k", 2, 7, NULL));
        assert_false(get(c, "k", 1, 1, NULL));
        put(c, "both", RCACHE_CLUSTERS | RCACHE_TEMPLATES, 3, 4, "x");
        assert_false(get(c, "both", 3, 5, NULL));
        put(c, "both", RCACHE_CLUSTERS | RCACHE_TEMPLATES, 3, 5, "y");
        assert_true(get(c, "both", 3, 5, "y"));
        /* a store made under older generations does not replace a newer answer */
        put(c, "both", RCACHE_CLUSTERS | RCACHE_TEMPLATES, 3, 4, "old");
        assert_true(get(c, "both", 3, 5, "y"));
        /* ... but a newer one replaces an older */
        put(c, "both", RCACHE_CLUSTERS | RCACHE_TEMPLATES, 4, 5, "z");
        assert_true(get(c, "both", 4, 5, "z"));
        struct rcache_stats st;
        rcache_stats(c, &st);
        assert_int_equal(st.entries, 1);
        assert_int_equal(st.stale, 2);
        assert_true(st.hits >= 5);
        rcache_free(c);
}

static void test_limits(void **state _unused_)
{
        /* no cache: nothing stored, nothing found, no crash */
        struct rcache *off = rcache_new(0);
        assert_null(off);
        put(off, "k", RCACHE_CLUSTERS, 1, 1, "x");
        assert_false(get(off, "k", 1, 1, NULL));
        rcache_free(off);

        size_t max = 64 * 1024;
        struct rcache *c = rcache_new(max);
        char body[4000];
        memset(body, 'b', sizeof(body) - 1);
        body[sizeof(body) - 1] = 0;
        for (int i = 0; i < 100; i++) {
                char key[16];
                snprintf(key, sizeof(key), "k%d", i);
                put(c, key, RCACHE_TEMPLATES, 0, 0, body);
                if (i == 1)
                        assert_true(get(c, "k0", 0, 0, body)); /* k0 becomes recently used */
        }
        struct rcache_stats st;
        rcache_stats(c, &st);
        assert_true(st.bytes <= max);
        assert_true(st.entries >= 10 && st.entries < 20);
        assert_true(st.evictions > 0);
        assert_true(get(c, "k99", 0, 0, body));
        assert_false(get(c, "k2", 0, 0, NULL)); /* least recently used: evicted */
        /* a body over an eighth of the cache is not stored */
        char *big = xmalloc(max / 8 + 2);
        memset(big, 'x', max / 8 + 1);
        big[max / 8 + 1] = 0;
        put(c, "big", RCACHE_TEMPLATES, 0, 0, big);
        assert_false(get(c, "big", 0, 0, NULL));
        free(big);
        rcache_free(c);
}

struct worker {
        struct rcache *c;
        int id;
};

static void *hammer(void *arg)
{
        struct worker *w = arg;
        for (int i = 0; i < 5000; i++) {
                char key[32], body[32];
                snprintf(key, sizeof(key), "k%d", i % 50);
                snprintf(body, sizeof(body), "body-%d", i % 50);
                struct rcache_gens g = {{i / 1000, 0}};
                char *got = NULL;
                size_t len;
                if (rcache_get(w->c, key, &g, &got, &len)) {
                        /* whatever generation it came from, it is the body stored for key */
                        if (strcmp(got, body) != 0)
                                abort();
                        free(got);
                } else {
                        rcache_put(w->c, key, RCACHE_CLUSTERS, &g, body, strlen(body));
                }
        }
        return NULL;
}

static void test_threads(void **state _unused_)
{
        struct rcache *c = rcache_new(16 * 1024);
        pthread_t t[4];
        struct worker w[4];
        for (int i = 0; i < 4; i++) {
                w[i] = (struct worker){c, i};
                pthread_create(&t[i], NULL, hammer, &w[i]);
        }
        for (int i = 0; i < 4; i++)
                pthread_join(t[i], NULL);
        struct rcache_stats st;
        rcache_stats(c, &st);
        assert_true(st.hits > 0);
        assert_true(st.bytes <= 16 * 1024);
        rcache_free(c);
}

int main(void)
{
        log_setup("test_api_respcache", LOG_LVL_WARN);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_generations),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_threads),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
