/*
 * rpc: oslo.messaging-compatible RPC over RabbitMQ (spec/magnum.md §4.1-4.2), on common/amqp.
 *
 * Wire format: AMQP body {"oslo.version": "2.0", "oslo.message": "<json string>"}; the inner
 * message carries method, args, `_context_<key>` for every context key (request_id always),
 * `_unique_id`, and for calls `_msg_id`, `_reply_q`, `_timeout`. Replies go to the caller's
 * `reply_<hex>` queue through the default exchange as {result, failure, ending, _msg_id,
 * _unique_id}; `failure` is a JSON string {class, module, message, tb, args, kwargs} and Magnum
 * exceptions carry their HTTP status in kwargs.code.
 *
 * Topology: topic exchange `<control_exchange>` (magnum), shared topic queue `<topic>`, a
 * per-server queue `<topic>.<server>`, fanout exchange `<topic>_fanout` with a per-server queue
 * `<topic>_fanout_<hex>`.
 *
 * Durability (decided here, options in [oslo_messaging_rabbit]):
 *   - amqp_durable_queues (default TRUE here; oslo's default is false): the control exchange
 *     and topic queues are durable and casts are published persistent, so a cast the broker has
 *     confirmed survives a RabbitMQ restart. Per-server, fanout and reply queues live only as
 *     long as their process and are always transient
 *     (auto-delete, x-expires = rabbit_transient_queues_ttl). Set it to the same value as any
 *     Python oslo service sharing the vhost, or RabbitMQ refuses the mismatched declaration.
 *   - A cast returns only when the broker confirmed it; while RabbitMQ is down the client
 *     retries with capped exponential backoff (rabbit_retry_interval doubling up to
 *     rabbit_interval_max) for up to rpc_response_timeout seconds.
 *   - Publishing is mandatory: when no queue is bound for a topic (a broker restarted with
 *     transient queues, or no conductor ever started) the client declares and binds the topic
 *     queue itself and publishes again, so the message waits for a conductor instead of being
 *     dropped (oslo drops it). Server-specific topics ("<topic>.<server>") are not declared.
 *   - Servers ack after the handler ran and the reply was sent (at-least-once, prefetch 1 per
 *     consumer); a message redelivered after a lost ack is dropped by `_unique_id`.
 *
 * Handlers run on the worker thread that owns the AMQP connection, which cannot answer the
 * broker's heartbeats meanwhile: a handler must return well within heartbeat_timeout_threshold
 * (default 60 s) and hand long work (stacks, polling) to other threads. If it does not, the
 * broker drops the connection, the unacked message is redelivered, and only this process's
 * `_unique_id` cache stops it running twice.
 *
 * Failed messages: exactly one function in rpc.c (rpc_settle) decides: handled (including
 * handler failures sent back to the caller) → ack; duplicate → ack; undecodable → reject
 * without requeue (dead-lettered if the operator set a dead-letter policy, else dropped, logged
 * at error level); handler returned -EAGAIN (transient) → requeue once, dead-letter the second
 * time.
 */
#ifndef MC_RPC_H
#define MC_RPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/config.h"
#include "common/err.h"

/* ---- options ------------------------------------------------------------------------------- */

struct rpc_opts {
        char *transport_url;    /* [DEFAULT] transport_url */
        char *control_exchange; /* [DEFAULT] control_exchange */
        int response_timeout;   /* [DEFAULT] rpc_response_timeout, seconds */
        bool durable;           /* [oslo_messaging_rabbit] amqp_durable_queues */
        bool auto_delete;       /* [oslo_messaging_rabbit] amqp_auto_delete */
        int retry_interval;     /* [oslo_messaging_rabbit] rabbit_retry_interval, seconds */
        int interval_max;       /* [oslo_messaging_rabbit] rabbit_interval_max, seconds */
        int heartbeat;          /* [oslo_messaging_rabbit] heartbeat_timeout_threshold, s */
        int transient_ttl;      /* [oslo_messaging_rabbit] rabbit_transient_queues_ttl, s */
};

/* The option table (for documentation and conf_apply). */
extern const struct conf_option rpc_conf_options[];
extern const size_t rpc_conf_options_count;

/* Fills *o from the config (defaults for what is absent) and checks the transport_url parses.
 * -EINVAL with a file:line message on a bad value. Release with rpc_opts_release. */
int rpc_opts_load(const struct conf *c, struct rpc_opts *o, struct err *e);
void rpc_opts_release(struct rpc_opts *o);

/* ---- failures ------------------------------------------------------------------------------ */

/* An error a handler reports, or one that came back from a remote server. */
struct rpc_failure {
        struct err err;   /* -errno (-EREMOTEIO for a remote failure) and the message */
        int http_code;    /* the Magnum exception's `code`; 0 when unknown */
        char *class_name; /* e.g. "ClusterNotFound"; NULL = generic */
        char *module;     /* e.g. "magnum.common.exception"; NULL = that default */
};
#define RPC_FAILURE_INIT                                                                           \
        {                                                                                          \
                ERR_INIT, 0, NULL, NULL                                                            \
        }

/* Sets every field (replacing earlier values); returns code. class_name NULL → generic
 * "MagnumException". NULL f is ok. */
int rpc_failure_set(struct rpc_failure *f, int code, int http_code, const char *class_name,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Same with an explicit module (for oslo's own exceptions). */
int rpc_failure_set_module(struct rpc_failure *f, int code, const char *module,
                           const char *class_name, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
void rpc_failure_clear(struct rpc_failure *f);
/* "ClassName: message (HTTP n)" style text for logs; valid until f changes. */
const char *rpc_failure_msg(const struct rpc_failure *f);

/* oslo's failure dict {class, module, message, tb, args, kwargs}; new reference. */
json_t *rpc_failure_to_json(const struct rpc_failure *f);
/* Reads a failure dict into f (code -EREMOTEIO, http_code from kwargs.code). -EINVAL when j
 * is not a failure dict. */
int rpc_failure_from_json(const json_t *j, struct rpc_failure *f);

static inline void rpc_failure_clearp(struct rpc_failure *f)
{
        rpc_failure_clear(f);
}
#define _cleanup_rpc_failure_ __attribute__((cleanup(rpc_failure_clearp)))

/* ---- envelope codec (pure functions; unit tested) ------------------------------------------ */

#define RPC_MAX_MESSAGE_BYTES (16 * 1024 * 1024)
#define RPC_MAX_JSON_DEPTH    64

struct rpc_request {
        char *method;
        json_t *args;    /* object; never NULL after decode */
        json_t *ctx;     /* context keys without the `_context_` prefix; never NULL */
        char *msg_id;    /* NULL for a cast */
        char *reply_q;   /* NULL for a cast */
        char *unique_id; /* NULL when absent */
        char *version;   /* NULL when absent (oslo then assumes "1.0") */
        int timeout;     /* `_timeout` seconds, 0 when null/absent */
};

/* Encodes a request into an AMQP body (caller frees). args NULL → {}, ctx NULL → no context
 * keys. Never fails. */
char *rpc_encode_request(const struct rpc_request *req);
/* Decodes an AMQP body. -EINVAL (message says what) for anything that is not an oslo 2.0
 * envelope with a string `method`; -EFBIG / -ELOOP on size/depth limits. */
int rpc_decode_request(const char *body, size_t len, struct rpc_request *ret, struct err *e);
void rpc_request_release(struct rpc_request *r);

struct rpc_reply {
        char *msg_id;
        char *unique_id;
        json_t *result;  /* json null when absent */
        json_t *failure; /* the decoded failure dict, NULL when the call succeeded */
        bool ending;
};

/* Encodes a reply: f NULL → success with result (NULL → null). Caller frees. */
char *rpc_encode_reply(const char *msg_id, const char *unique_id, const json_t *result,
                       const struct rpc_failure *f);
int rpc_decode_reply(const char *body, size_t len, struct rpc_reply *ret, struct err *e);
void rpc_reply_release(struct rpc_reply *r);

/* ---- client (one per thread) --------------------------------------------------------------- */

struct rpc_client;

/* Creates a client; it connects on first use. opts are copied. */
int rpc_client_new(const struct rpc_opts *opts, struct rpc_client **ret, struct err *e);
void rpc_client_free(struct rpc_client *c);

/* Sends method(args) to `topic` without waiting for the handler. Returns 0 once the broker has
 * confirmed the message; retries across broker outages for up to rpc_response_timeout.
 * Errors (in f->err): -ETIMEDOUT broker unreachable/unconfirmed for that long, -ENXIO no queue
 * (server-specific topic nobody consumes), others from amqp. ctx: request context object
 * (request_id defaults to the thread's log request id). */
int rpc_cast(struct rpc_client *c, const char *topic, const char *method, const json_t *args,
             const json_t *ctx, struct rpc_failure *f);
/* Calls method(args) and waits for the reply, timeout_ms <= 0 → rpc_response_timeout.
 * 0: *ret_result is the (new reference) result. -ETIMEDOUT: "Timed out waiting for a reply to
 * message ID <id>". -EREMOTEIO: the handler failed; f has the remote class, module, message
 * and HTTP code. */
int rpc_call(struct rpc_client *c, const char *topic, const char *method, const json_t *args,
             const json_t *ctx, int timeout_ms, json_t **ret_result, struct rpc_failure *f);

/* ---- server -------------------------------------------------------------------------------- */

struct rpc_call_info {
        const char *method;
        const json_t *ctx;  /* context keys (request_id, user_id, project_id, ...) */
        const json_t *args; /* keyword arguments */
        bool is_call;       /* the caller waits for a result */
        void *worker;       /* what worker_init returned for this thread */
        void *userdata;     /* rpc_server_opts.userdata */
};

/* Returns 0 and sets *ret_result (NULL → null), or a negative errno with f describing the
 * failure sent back to the caller. -EAGAIN means "transient, try the message again later". */
typedef int (*rpc_handler_fn)(const struct rpc_call_info *ci, json_t **ret_result,
                              struct rpc_failure *f);

struct rpc_method {
        const char *name;
        rpc_handler_fn fn;
};

struct rpc_server_opts {
        const struct rpc_opts *rpc;
        const char *topic;  /* e.g. "magnum-conductor" */
        const char *server; /* per-server queue suffix; NULL → random 12 hex chars */
        const struct rpc_method *methods;
        size_t n_methods;
        int workers; /* threads, each with its own AMQP connection; <= 0 → 1 */
        /* Optional per-thread resources (a DB connection...). worker_init failing keeps that
         * worker retrying with backoff. */
        int (*worker_init)(void *userdata, void **ret_worker, struct err *e);
        void (*worker_fini)(void *userdata, void *worker);
        void *userdata;
};

struct rpc_server;

/* Starts the worker threads; each connects (retrying while RabbitMQ is down), declares the
 * topology and consumes. Returns once the threads run; -EINVAL for bad options. */
int rpc_server_start(const struct rpc_server_opts *o, struct rpc_server **ret, struct err *e);
/* Asks the workers to stop taking messages; in-flight handlers finish. Async-signal-safe. */
void rpc_server_stop(struct rpc_server *s);
/* Stops, joins the workers (their unacked deliveries return to the queue) and frees. */
void rpc_server_free(struct rpc_server *s);
/* The per-server name (queue suffix). */
const char *rpc_server_name(const struct rpc_server *s);
/* Number of workers currently connected to RabbitMQ. */
int rpc_server_connected_workers(struct rpc_server *s);

#endif
