/*
 * The engine thread: the sim's clock. It finishes timed transitions (server BUILD → ACTIVE,
 * volume creating → available, Octavia PENDING_* → ACTIVE, deletions), fires boot signals, and
 * reconciles the host processes with the model: HAProxy per load balancer and an emulated COE
 * endpoint per COE server. Plans are computed under the lock, applied outside it.
 */
#include "common/common.h"

#include <malloc.h>
#include <time.h>

#include "common/ids.h"
#include "common/json_util.h"
#include "sim/sim.h"

static void settle(struct sim *s, const struct sim_pending *p)
{
        json_t *o = sim_get(s, p->kind, p->id);
        if (!o)
                return;
        switch (p->kind) {
        case K_SERVER:
                sim_nova_boot_done(s, o);
                if (json_get_bool(o, "_signal", false)) {
                        json_object_del(o, "_signal");
                        sim_signal_server(s, o);
                }
                break;
        case K_VOLUME: {
                const char *st = json_get_str(o, "status");
                if (st && streq(st, "creating")) {
                        sim_set_str(o, "status", "available");
                        sim_touch(o, true);
                } else if (st && streq(st, "deleting")) {
                        sim_del(s, K_VOLUME, p->id);
                }
                break;
        }
        case K_LB:
        case K_LISTENER:
        case K_POOL:
        case K_MEMBER:
        case K_HM:
                sim_octavia_settle(s, p->kind, o);
                break;
        default:
                break;
        }
}

static void *engine_main(void *arg)
{
        struct sim *s = arg;
        int64_t last_poll = 0;
        pthread_mutex_lock(&s->lock);
        while (!s->stopping) {
                int64_t now = time_mono_ms();
                int64_t next = now + 200;
                for (size_t i = 0; i < s->n_pending; i++)
                        next = MIN(next, s->pending[i].due_ms);
                if (next > now && !s->lb_dirty && !s->coe_dirty) {
                        struct timespec ts;
                        clock_gettime(CLOCK_REALTIME, &ts);
                        int64_t wait = next - now;
                        ts.tv_sec += wait / 1000;
                        ts.tv_nsec += (wait % 1000) * 1000000L;
                        if (ts.tv_nsec >= 1000000000L) {
                                ts.tv_sec++;
                                ts.tv_nsec -= 1000000000L;
                        }
                        pthread_cond_timedwait(&s->wake, &s->lock, &ts);
                        if (s->stopping)
                                break;
                }
                now = time_mono_ms();
                /* Due transitions, in order; settle() may schedule more (appends). */
                for (size_t i = 0; i < s->n_pending;) {
                        if (s->pending[i].due_ms > now) {
                                i++;
                                continue;
                        }
                        struct sim_pending p = s->pending[i];
                        s->pending[i] = s->pending[--s->n_pending];
                        settle(s, &p);
                }
                struct sim_lb_plan *lbp = NULL;
                size_t n_lbp = 0;
                bool lbs = s->lb_dirty;
                if (lbs) {
                        s->lb_dirty = false;
                        lbp = sim_haproxy_plan(s, &n_lbp);
                }
                struct sim_coe_plan *cp = NULL;
                size_t n_cp = 0;
                bool coe = s->coe_dirty;
                if (coe) {
                        s->coe_dirty = false;
                        cp = sim_coe_plan(s, &n_cp);
                }
                bool poll = now - last_poll >= s->o.health_interval_ms;
                pthread_mutex_unlock(&s->lock);

                if (lbs) {
                        sim_haproxy_apply(s, lbp, n_lbp);
                        sim_lb_plan_free(lbp, n_lbp);
                }
                if (coe) {
                        sim_coe_apply(s, cp, n_cp);
                        sim_coe_plan_free(cp, n_cp);
                }
                if (poll) {
                        sim_haproxy_poll(s);
                        /* big list responses are freed per request; hand the pages back */
                        malloc_trim(0);
                        last_poll = time_mono_ms();
                }
                pthread_mutex_lock(&s->lock);
        }
        pthread_mutex_unlock(&s->lock);
        sim_haproxy_stop_all(s);
        sim_coe_stop_all(s);
        return NULL;
}

int sim_engine_start(struct sim *s, struct err *e)
{
        s->stopping = false;
        int r = pthread_create(&s->engine, NULL, engine_main, s);
        if (r != 0)
                return err_set(e, -r, "cannot start the engine thread");
        s->engine_running = true;
        return 0;
}

void sim_engine_stop(struct sim *s)
{
        if (!s->engine_running)
                return;
        pthread_mutex_lock(&s->lock);
        s->stopping = true;
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->engine, NULL);
        s->engine_running = false;
        /* helper threads poll s->stopping; wait until they are gone before freeing s */
        pthread_mutex_lock(&s->lock);
        while (s->helpers > 0)
                pthread_cond_wait(&s->wake, &s->lock);
        pthread_mutex_unlock(&s->lock);
}

void sim_engine_kick(struct sim *s)
{
        pthread_mutex_lock(&s->lock);
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
}
