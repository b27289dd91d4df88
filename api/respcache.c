/* magnum-api's response cache: a hash table with an LRU list. See respcache.h. */
#include "common/common.h"

#include <pthread.h>

#include "api/respcache.h"

struct entry {
        char *key;
        uint64_t hash;
        unsigned deps;
        struct rcache_gens gens;
        char *body;
        size_t len;
        struct entry *hnext;       /* hash chain */
        struct entry *prev, *next; /* LRU list, most recent first */
};

struct rcache {
        pthread_mutex_t lock;
        size_t max_bytes, bytes;
        struct entry **buckets;
        size_t n_buckets, n_entries; /* n_buckets: a power of two */
        struct entry *head, *tail;
        struct rcache_stats st;
};

/* Fixed cost charged per entry besides key and body (struct, allocator overhead). */
#define ENTRY_OVERHEAD 96

static uint64_t key_hash(const char *s)
{
        uint64_t h = 1469598103934665603ULL;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                h = (h ^ *p) * 1099511628211ULL;
        return h;
}

static size_t entry_cost(const struct entry *e)
{
        return strlen(e->key) + e->len + ENTRY_OVERHEAD;
}

struct rcache *rcache_new(size_t max_bytes)
{
        if (max_bytes == 0)
                return NULL;
        struct rcache *c = xnew(struct rcache, 1);
        pthread_mutex_init(&c->lock, NULL);
        c->max_bytes = max_bytes;
        c->n_buckets = 64;
        c->buckets = xnew(struct entry *, c->n_buckets);
        return c;
}

static void entry_free(struct entry *e)
{
        free(e->key);
        free(e->body);
        free(e);
}

void rcache_free(struct rcache *c)
{
        if (!c)
                return;
        for (struct entry *e = c->head, *next; e; e = next) {
                next = e->next;
                entry_free(e);
        }
        free(c->buckets);
        pthread_mutex_destroy(&c->lock);
        free(c);
}

static void lru_unlink(struct rcache *c, struct entry *e)
{
        if (e->prev)
                e->prev->next = e->next;
        else
                c->head = e->next;
        if (e->next)
                e->next->prev = e->prev;
        else
                c->tail = e->prev;
        e->prev = e->next = NULL;
}

static void lru_push_front(struct rcache *c, struct entry *e)
{
        e->prev = NULL;
        e->next = c->head;
        if (c->head)
                c->head->prev = e;
        c->head = e;
        if (!c->tail)
                c->tail = e;
}

static struct entry **find_slot(struct rcache *c, const char *key, uint64_t h)
{
        struct entry **pp = &c->buckets[h & (c->n_buckets - 1)];
        while (*pp && !((*pp)->hash == h && streq((*pp)->key, key)))
                pp = &(*pp)->hnext;
        return pp;
}

/* Unlinks and frees the entry *slot points at. */
static void remove_at(struct rcache *c, struct entry **slot)
{
        struct entry *e = *slot;
        *slot = e->hnext;
        lru_unlink(c, e);
        c->bytes -= entry_cost(e);
        c->n_entries--;
        entry_free(e);
}

static void grow(struct rcache *c)
{
        size_t n = c->n_buckets * 2;
        struct entry **b = xnew(struct entry *, n);
        for (size_t i = 0; i < c->n_buckets; i++) {
                for (struct entry *e = c->buckets[i], *next; e; e = next) {
                        next = e->hnext;
                        e->hnext = b[e->hash & (n - 1)];
                        b[e->hash & (n - 1)] = e;
                }
        }
        free(c->buckets);
        c->buckets = b;
        c->n_buckets = n;
}

static bool gens_match(const struct entry *e, const struct rcache_gens *now)
{
        for (unsigned i = 0; i < RCACHE_N_DEPS; i++)
                if ((e->deps & (1u << i)) && e->gens.v[i] != now->v[i])
                        return false;
        return true;
}

static bool gens_newer_or_equal(const struct entry *a, const struct entry *b)
{
        for (unsigned i = 0; i < RCACHE_N_DEPS; i++)
                if ((b->deps & (1u << i)) &&
                    (!(a->deps & (1u << i)) || a->gens.v[i] < b->gens.v[i]))
                        return false;
        return true;
}

bool rcache_get(struct rcache *c, const char *key, const struct rcache_gens *now, char **ret_body,
                size_t *ret_len)
{
        if (!c)
                return false;
        uint64_t h = key_hash(key);
        bool hit = false;
        pthread_mutex_lock(&c->lock);
        struct entry **slot = find_slot(c, key, h);
        struct entry *e = *slot;
        if (e && gens_match(e, now)) {
                char *b = xmalloc(e->len + 1);
                memcpy(b, e->body, e->len + 1);
                *ret_body = b;
                *ret_len = e->len;
                lru_unlink(c, e);
                lru_push_front(c, e);
                c->st.hits++;
                hit = true;
        } else if (e) {
                remove_at(c, slot);
                c->st.stale++;
        } else {
                c->st.misses++;
        }
        pthread_mutex_unlock(&c->lock);
        return hit;
}

void rcache_put(struct rcache *c, const char *key, unsigned deps, const struct rcache_gens *gens,
                const char *body, size_t len)
{
        if (!c || len > c->max_bytes / 8)
                return;
        struct entry *n = xnew(struct entry, 1);
        n->key = xstrdup(key);
        n->hash = key_hash(key);
        n->deps = deps;
        n->gens = *gens;
        n->body = xmalloc(len + 1);
        memcpy(n->body, body, len);
        n->body[len] = '\0';
        n->len = len;
        size_t cost = entry_cost(n);

        pthread_mutex_lock(&c->lock);
        struct entry **slot = find_slot(c, key, n->hash);
        if (*slot && gens_newer_or_equal(*slot, n)) {
                /* a request that read the generations later stored its answer first */
                pthread_mutex_unlock(&c->lock);
                entry_free(n);
                return;
        }
        if (*slot)
                remove_at(c, slot);
        while (c->tail && c->bytes + cost > c->max_bytes) {
                struct entry *old = c->tail;
                remove_at(c, find_slot(c, old->key, old->hash));
                c->st.evictions++;
        }
        if (c->n_entries >= c->n_buckets)
                grow(c);
        struct entry **head = &c->buckets[n->hash & (c->n_buckets - 1)];
        n->hnext = *head;
        *head = n;
        lru_push_front(c, n);
        c->bytes += cost;
        c->n_entries++;
        c->st.stores++;
        pthread_mutex_unlock(&c->lock);
}

void rcache_stats(struct rcache *c, struct rcache_stats *ret)
{
        *ret = (struct rcache_stats){0};
        if (!c)
                return;
        pthread_mutex_lock(&c->lock);
        *ret = c->st;
        ret->entries = c->n_entries;
        ret->bytes = c->bytes;
        pthread_mutex_unlock(&c->lock);
}
