/*
 * respcache: magnum-api's cache of whole GET answers (JSON bodies), so that a page polled
 * again and again (`openstack coe cluster list` in a loop, a dashboard) is served without
 * re-reading and re-rendering it - and never stale.
 *
 * Each answer is stored with the change generations of the tables it was built from
 * (db/migrations/0003_api_generation.sql and 0004: every write to those tables bumps its
 * group's counter in the same transaction; the cluster group also per project, and api/res.c
 * reads the caller's project counter, or the global one for admins' all-projects views, so a
 * generation here is always "of this caller's scope"). A request reads them first (one small
 * query), then either finds an entry built under exactly those generations - nothing it was
 * built from has changed since - or builds the answer and stores it under the generations it
 * read *before* reading the data, which is conservative: the data can only be newer than its
 * label, so an entry is never served after a change it does not show.
 *
 * The key is the whole of what an answer depends on besides the database: the caller's
 * identity (user, project, domain, roles: policy decisions), microversion, host (links) and
 * the request target. Memory is bounded (least recently used entries go first).
 *
 * Thread-safe; one lock, held only for lookups and copies.
 */
#ifndef MC_API_RESPCACHE_H
#define MC_API_RESPCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Table groups an answer can depend on (bit flags), as named in api_generation. */
enum rcache_dep {
        RCACHE_CLUSTERS = 1 << 0,  /* cluster, nodegroup */
        RCACHE_TEMPLATES = 1 << 1, /* cluster_template */
};
#define RCACHE_N_DEPS 2

/* Generation counters, indexed by the bit number of an rcache_dep. */
struct rcache_gens {
        int64_t v[RCACHE_N_DEPS];
};

struct rcache;

/* A cache holding at most max_bytes of keys and bodies. max_bytes 0 → NULL (no cache; every
 * function below accepts NULL and then caches nothing). */
struct rcache *rcache_new(size_t max_bytes);
void rcache_free(struct rcache *c);

/* Looks up key: when an entry exists whose generations equal `now` for each of its deps, a
 * copy of its body is returned in *ret_body / *ret_len (caller frees) and true. An entry
 * built under older generations is dropped. */
bool rcache_get(struct rcache *c, const char *key, const struct rcache_gens *now, char **ret_body,
                size_t *ret_len);
/* Stores a copy of body under key, depending on `deps` at generations `gens` (replacing any
 * entry with that key). Bodies larger than an eighth of the cache are not stored. */
void rcache_put(struct rcache *c, const char *key, unsigned deps, const struct rcache_gens *gens,
                const char *body, size_t len);

/* Counters for tests and metrics. */
struct rcache_stats {
        uint64_t hits, misses, stale, stores, evictions;
        size_t entries, bytes;
};
void rcache_stats(struct rcache *c, struct rcache_stats *ret);

#endif
