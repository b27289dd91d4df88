/*
 * amqp: one AMQP 0-9-1 connection to RabbitMQ (librabbitmq), owned by ONE thread.
 *
 * What it adds over librabbitmq:
 *   - connects from an oslo `transport_url` (several hosts, tried in turn);
 *   - reconnects with capped exponential backoff while the broker is down, re-running the
 *     owner's on_connect callback (declarations, consumers) on every new connection;
 *   - publishes in confirm mode with the mandatory flag: amqp_conn_publish() returns 0 only
 *     once the broker has confirmed the message, and -ENXIO when the broker returned it as
 *     unroutable (no queue bound);
 *   - one frame reader, so deliveries that arrive while a publish waits for its confirm are
 *     queued and handed out by amqp_conn_next_delivery();
 *   - librabbitmq status codes and AMQP channel/connection exceptions are translated here, once,
 *     into -errno + struct err.
 *
 * Errno conventions: -ECONNRESET the connection is gone (the caller reconnects), -ETIMEDOUT a
 * wait ran out, -ENXIO unroutable publish, -EACCES login/vhost refused, -ENOENT a missing
 * exchange/queue, -EEXIST an exchange/queue exists with different settings, -EPROTO the broker
 * or library saw bad framing, -ECANCELED the stop flag was raised, -EIO anything else.
 * After any error other than -ETIMEDOUT/-ENXIO/-ECANCELED the connection is closed and the next
 * operation needs amqp_conn_connect().
 *
 *   struct amqp_conn_opts o = AMQP_CONN_OPTS_INIT;
 *   o.url = url; o.on_connect = declare_my_queues; o.userdata = me; o.stop = &stopping;
 *   r = amqp_conn_new(&o, &c, &e);
 *   r = amqp_conn_connect(c, -1, &e);              // retries until connected or stopped
 *   r = amqp_conn_publish(c, "magnum", "magnum-conductor", body, len, &props, &e);
 */
#ifndef MC_AMQP_H
#define MC_AMQP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/strbuf.h"

/* ---- transport_url ------------------------------------------------------------------------ */

#define AMQP_URL_MAX_LEN   4096
#define AMQP_URL_MAX_HOSTS 16
#define AMQP_DEFAULT_PORT  5672

struct amqp_host {
        char *host; /* without IPv6 brackets */
        int port;
        char *user;     /* percent-decoded; "guest" when the URL has none */
        char *password; /* percent-decoded; "guest" when the URL has none */
};

struct amqp_url {
        struct amqp_host *hosts;
        size_t n_hosts;
        char *vhost; /* percent-decoded path; "/" when the path is empty */
};

/* Parses `rabbit://user:pass@host:port[,user:pass@host2:port2...]/vhost[?query]` (oslo's
 * transport_url; the query is ignored). -EINVAL with a message that never contains the
 * password on a malformed URL, an unsupported scheme, a bad port, more than
 * AMQP_URL_MAX_HOSTS hosts or a URL longer than AMQP_URL_MAX_LEN. *ret is owned by the caller. */
int amqp_url_parse(const char *url, struct amqp_url **ret, struct err *e);
/* NULL-safe. */
void amqp_url_free(struct amqp_url *u);

/* ---- connection --------------------------------------------------------------------------- */

struct amqp_conn;

/* Called after every successful (re)connect, before the connection is used; declares
 * exchanges/queues and starts consumers. A negative return drops the connection and counts
 * as a failed attempt. */
typedef int (*amqp_on_connect_fn)(struct amqp_conn *c, void *userdata, struct err *e);

struct amqp_conn_opts {
        const char *url;       /* transport_url (copied) */
        int retry_interval_ms; /* first backoff delay */
        int retry_max_ms;      /* backoff cap */
        int heartbeat_s;       /* AMQP heartbeat; 0 disables */
        int op_timeout_ms;     /* socket connect, login, declare and confirm waits */
        amqp_on_connect_fn on_connect;
        void *userdata;
        const atomic_bool *stop; /* when it becomes true, waits return -ECANCELED; may be NULL */
};
#define AMQP_CONN_OPTS_INIT                                                                        \
        {                                                                                          \
                .url = NULL, .retry_interval_ms = 1000, .retry_max_ms = 30000, .heartbeat_s = 60,  \
                .op_timeout_ms = 10000                                                             \
        }

/* Validates the URL and creates an unconnected connection. -EINVAL from amqp_url_parse. */
int amqp_conn_new(const struct amqp_conn_opts *o, struct amqp_conn **ret, struct err *e);
/* Closes the connection (unacked deliveries go back to their queues) and frees. NULL-safe. */
void amqp_conn_free(struct amqp_conn *c);

/* Connects (no-op when connected): tries every host in turn, then sleeps with capped
 * exponential backoff and tries again, until connected and on_connect succeeded, until
 * `deadline_ms` (a time_mono_ms() value; -1 = no deadline) → -ETIMEDOUT with the last error in
 * e, or until the stop flag → -ECANCELED. Each failure is logged at warning level. A
 * declaration the broker refuses as inequivalent (-EEXIST) is returned at once: waiting does
 * not fix it. */
int amqp_conn_connect(struct amqp_conn *c, int64_t deadline_ms, struct err *e);
/* One pass over the hosts, no sleeping. Errors as above plus the last host's error. */
int amqp_conn_connect_once(struct amqp_conn *c, struct err *e);
/* Drops the connection (if any); the next amqp_conn_connect() opens a new one. */
void amqp_conn_disconnect(struct amqp_conn *c);
bool amqp_conn_is_open(const struct amqp_conn *c);
/* Increments on every new connection; deliveries remember it (acks of older ones are moot). */
uint64_t amqp_conn_generation(const struct amqp_conn *c);
/* "host:port" of the current (or last tried) broker, for logs. Never NULL. */
const char *amqp_conn_peer(const struct amqp_conn *c);

/* ---- declarations (normally called from on_connect) ------------------------------------- */

/* exchange.declare; type "topic" / "fanout" / "direct". */
int amqp_conn_declare_exchange(struct amqp_conn *c, const char *name, const char *type,
                               bool durable, bool auto_delete, struct err *e);
/* queue.declare; expires_ms > 0 adds x-expires (the queue is deleted after being unused that
 * long). */
int amqp_conn_declare_queue(struct amqp_conn *c, const char *name, bool durable, bool auto_delete,
                            int expires_ms, struct err *e);
int amqp_conn_bind_queue(struct amqp_conn *c, const char *queue, const char *exchange,
                         const char *routing_key, struct err *e);
/* basic.qos per consumer. */
int amqp_conn_prefetch(struct amqp_conn *c, int count, struct err *e);
/* basic.consume with explicit acks. */
int amqp_conn_consume(struct amqp_conn *c, const char *queue, struct err *e);

/* ---- publish / consume -------------------------------------------------------------------- */

struct amqp_publish_props {
        bool persistent;   /* delivery_mode 2 */
        int expiration_ms; /* > 0: per-message TTL */
};

/* Publishes with mandatory=true and waits (op_timeout_ms) for the broker's confirm.
 * 0: confirmed and routed. -ENXIO: returned unroutable (the connection stays usable).
 * -EIO: nacked by the broker. Connection-level errors as in the header comment. */
int amqp_conn_publish(struct amqp_conn *c, const char *exchange, const char *routing_key,
                      const void *body, size_t len, const struct amqp_publish_props *p,
                      struct err *e);

struct amqp_delivery {
        uint64_t tag;
        uint64_t generation; /* connection it came on */
        bool redelivered;
        char *exchange;
        char *routing_key;
        struct strbuf body;
};
#define AMQP_DELIVERY_INIT                                                                         \
        {                                                                                          \
                0, 0, false, NULL, NULL, STRBUF_INIT                                               \
        }

/* Waits up to timeout_ms for the next message from any consumer of this connection.
 * 1: *ret filled (release with amqp_delivery_release). 0: nothing within the timeout.
 * Negative: connection error (connection closed), -ECANCELED when stopping. */
int amqp_conn_next_delivery(struct amqp_conn *c, int timeout_ms, struct amqp_delivery *ret,
                            struct err *e);
void amqp_delivery_release(struct amqp_delivery *d);

/* basic.ack / basic.reject. -ESTALE when the delivery came on an earlier connection (the broker
 * has already requeued it; nothing is sent). */
int amqp_conn_ack(struct amqp_conn *c, const struct amqp_delivery *d, struct err *e);
int amqp_conn_reject(struct amqp_conn *c, const struct amqp_delivery *d, bool requeue,
                     struct err *e);

/* true for the errnos that mean "connection lost, reconnect and retry". */
bool amqp_error_is_connection(int r);

#endif
