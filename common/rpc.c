/*
 * oslo.messaging-compatible RPC: options, failures, the envelope codec, the client (cast/call)
 * and the threaded server with its dispatch table. See rpc.h for the wire format and the
 * durability decisions.
 */
#include "common/common.h"
#include "common/rpc.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <time.h>

#include "common/amqp.h"
#include "common/ids.h"
#include "common/json_util.h"

#define CONTEXT_PREFIX         "_context_"
#define MAGNUM_EXC_MODULE      "magnum.common.exception"
#define OSLO_DISPATCHER_MODULE "oslo_messaging.rpc.dispatcher"
#define DEDUP_SLOTS            1024
#define SERVER_POLL_MS         250

/* ---- options ------------------------------------------------------------------------------- */

const struct conf_option rpc_conf_options[] = {
        {"DEFAULT", "transport_url", CONF_STR, "rabbit://guest:guest@localhost:5672/",
         offsetof(struct rpc_opts, transport_url), 0, 0,
         "RabbitMQ URL: rabbit://user:pass@host:port[,user:pass@host2:port2]/vhost."},
        {"DEFAULT", "control_exchange", CONF_STR, "magnum",
         offsetof(struct rpc_opts, control_exchange), 0, 0,
         "Topic exchange the RPC topics live in."},
        {"DEFAULT", "rpc_response_timeout", CONF_INT, "60",
         offsetof(struct rpc_opts, response_timeout), 1, 3600,
         "Seconds to wait for a call's reply, and for the broker to confirm a cast."},
        {"oslo_messaging_rabbit", "amqp_durable_queues", CONF_BOOL, "true",
         offsetof(struct rpc_opts, durable), 0, 0,
         "Durable control exchange and topic queues, persistent casts."},
        {"oslo_messaging_rabbit", "amqp_auto_delete", CONF_BOOL, "false",
         offsetof(struct rpc_opts, auto_delete), 0, 0,
         "Auto-delete the control exchange and topic queues."},
        {"oslo_messaging_rabbit", "rabbit_retry_interval", CONF_INT, "1",
         offsetof(struct rpc_opts, retry_interval), 1, 3600,
         "Seconds before the first reconnect attempt; doubles on each failure."},
        {"oslo_messaging_rabbit", "rabbit_interval_max", CONF_INT, "30",
         offsetof(struct rpc_opts, interval_max), 1, 3600,
         "Cap, in seconds, of the reconnect backoff."},
        {"oslo_messaging_rabbit", "heartbeat_timeout_threshold", CONF_INT, "60",
         offsetof(struct rpc_opts, heartbeat), 0, 3600, "AMQP heartbeat in seconds (0 disables)."},
        {"oslo_messaging_rabbit", "rabbit_transient_queues_ttl", CONF_INT, "1800",
         offsetof(struct rpc_opts, transient_ttl), 1, 86400 * 7,
         "Seconds an unused reply or fanout queue lives before RabbitMQ deletes it."},
};
const size_t rpc_conf_options_count = ARRAY_SIZE(rpc_conf_options);

int rpc_opts_load(const struct conf *c, struct rpc_opts *o, struct err *e)
{
        memset(o, 0, sizeof(*o));
        int r = conf_apply(c, rpc_conf_options, rpc_conf_options_count, o, e);
        if (r < 0)
                return r;
        struct amqp_url *u = NULL;
        r = amqp_url_parse(o->transport_url, &u, e);
        amqp_url_free(u);
        if (r < 0) {
                rpc_opts_release(o);
                return r;
        }
        return 0;
}

void rpc_opts_release(struct rpc_opts *o)
{
        conf_release(rpc_conf_options, rpc_conf_options_count, o);
}

static void rpc_opts_copy(struct rpc_opts *dst, const struct rpc_opts *src)
{
        *dst = *src;
        dst->transport_url = xstrdup_or_null(src->transport_url);
        dst->control_exchange = xstrdup(src->control_exchange ? src->control_exchange : "magnum");
        if (dst->response_timeout <= 0)
                dst->response_timeout = 60;
        if (dst->retry_interval <= 0)
                dst->retry_interval = 1;
        if (dst->interval_max < dst->retry_interval)
                dst->interval_max = dst->retry_interval;
        if (dst->transient_ttl <= 0)
                dst->transient_ttl = 1800;
}

static struct amqp_conn_opts conn_opts(const struct rpc_opts *o)
{
        struct amqp_conn_opts co = AMQP_CONN_OPTS_INIT;
        co.url = o->transport_url;
        co.retry_interval_ms = o->retry_interval * 1000;
        co.retry_max_ms = o->interval_max * 1000;
        co.heartbeat_s = o->heartbeat;
        return co;
}

/* ---- failures ------------------------------------------------------------------------------ */

static void failure_vset(struct rpc_failure *f, int code, int http_code, const char *module,
                         const char *class_name, const char *fmt, va_list ap)
{
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        strbuf_vaddf(&sb, fmt, ap);
        err_set(&f->err, code, "%s", sb.buf);
        f->http_code = http_code;
        free(f->class_name);
        free(f->module);
        f->class_name = xstrdup_or_null(class_name);
        f->module = xstrdup_or_null(module);
}

int rpc_failure_set(struct rpc_failure *f, int code, int http_code, const char *class_name,
                    const char *fmt, ...)
{
        if (!f)
                return code;
        va_list ap;
        va_start(ap, fmt);
        failure_vset(f, code, http_code, NULL, class_name, fmt, ap);
        va_end(ap);
        return code;
}

int rpc_failure_set_module(struct rpc_failure *f, int code, const char *module,
                           const char *class_name, const char *fmt, ...)
{
        if (!f)
                return code;
        va_list ap;
        va_start(ap, fmt);
        failure_vset(f, code, 0, module, class_name, fmt, ap);
        va_end(ap);
        return code;
}

void rpc_failure_clear(struct rpc_failure *f)
{
        err_clear(&f->err);
        free(f->class_name);
        free(f->module);
        f->class_name = f->module = NULL;
        f->http_code = 0;
}

const char *rpc_failure_msg(const struct rpc_failure *f)
{
        return err_msg(&f->err);
}

json_t *rpc_failure_to_json(const struct rpc_failure *f)
{
        const char *msg = err_msg(&f->err);
        json_t *kwargs = json_checked(json_object());
        if (f->http_code > 0)
                json_object_set_new(kwargs, "code", json_integer(f->http_code));
        return json_checked(json_pack("{s:s, s:s, s:s, s:[], s:[s], s:o}", "class",
                                      f->class_name ? f->class_name : "MagnumException", "module",
                                      f->module ? f->module : MAGNUM_EXC_MODULE, "message", msg,
                                      "tb", "args", msg, "kwargs", kwargs));
}

int rpc_failure_from_json(const json_t *j, struct rpc_failure *f)
{
        const char *cls = json_get_str(j, "class");
        const char *msg = json_get_str(j, "message");
        if (!json_is_object(j) || !cls)
                return -EINVAL;
        const json_t *kwargs = json_object_get(j, "kwargs");
        int http = (int)json_get_int(kwargs, "code", 0);
        if (http < 100 || http > 599)
                http = 0;
        rpc_failure_set_module(f, -EREMOTEIO, json_get_str(j, "module"), cls, "%s", msg ? msg : "");
        f->http_code = http;
        return 0;
}

/* ---- envelope codec ------------------------------------------------------------------------ */

static char *wrap_envelope(json_t *inner)
{
        _cleanup_free_ char *msg = json_dump_compact(inner);
        json_auto_t *outer =
                json_checked(json_pack("{s:s, s:s}", "oslo.version", "2.0", "oslo.message", msg));
        return json_dump_compact(outer);
}

/* Parses the outer envelope and returns the inner message object (new reference). */
static int unwrap_envelope(const char *body, size_t len, json_t **ret, struct err *e)
{
        json_auto_t *outer = NULL;
        int r = json_parse_limited(body, len, RPC_MAX_MESSAGE_BYTES, RPC_MAX_JSON_DEPTH, &outer, e);
        if (r < 0)
                return r;
        const char *ver = json_get_str(outer, "oslo.version");
        const char *msg = json_get_str(outer, "oslo.message");
        if (!ver || !msg)
                return err_set(e, -EINVAL, "not an oslo.messaging 2.0 envelope");
        if (!str_starts_with(ver, "2."))
                return err_set(e, -EINVAL, "unsupported oslo.version '%s'", ver);
        json_t *inner = NULL;
        r = json_parse_limited(msg, strlen(msg), RPC_MAX_MESSAGE_BYTES, RPC_MAX_JSON_DEPTH, &inner,
                               e);
        if (r < 0)
                return r;
        if (!json_is_object(inner)) {
                json_decref(inner);
                return err_set(e, -EINVAL, "oslo.message is not a JSON object");
        }
        *ret = inner;
        return 0;
}

char *rpc_encode_request(const struct rpc_request *req)
{
        json_auto_t *m = json_checked(json_object());
        json_object_set_new(m, "method", json_string(req->method));
        json_object_set_new(m, "args", req->args ? json_deep_copy(req->args) : json_object());
        if (req->version)
                json_object_set_new(m, "version", json_string(req->version));
        if (req->msg_id) {
                json_object_set_new(m, "_msg_id", json_string(req->msg_id));
                json_object_set_new(m, "_reply_q", json_string_or_null(req->reply_q));
                json_object_set_new(m, "_timeout",
                                    req->timeout > 0 ? json_integer(req->timeout) : json_null());
        }
        if (req->unique_id)
                json_object_set_new(m, "_unique_id", json_string(req->unique_id));
        const char *key;
        json_t *v;
        if (json_is_object(req->ctx)) {
                json_object_foreach((json_t *)req->ctx, key, v)
                {
                        _cleanup_free_ char *k = xasprintf(CONTEXT_PREFIX "%s", key);
                        json_object_set(m, k, v);
                }
        }
        return wrap_envelope(m);
}

void rpc_request_release(struct rpc_request *r)
{
        free(r->method);
        json_decref(r->args);
        json_decref(r->ctx);
        free(r->msg_id);
        free(r->reply_q);
        free(r->unique_id);
        free(r->version);
        memset(r, 0, sizeof(*r));
}

int rpc_decode_request(const char *body, size_t len, struct rpc_request *ret, struct err *e)
{
        json_auto_t *m = NULL;
        int r = unwrap_envelope(body, len, &m, e);
        if (r < 0)
                return r;
        const char *method = json_get_str(m, "method");
        if (!method || !method[0])
                return err_set(e, -EINVAL, "message has no method");
        json_t *args = json_object_get(m, "args");
        if (args && !json_is_object(args) && !json_is_null(args))
                return err_set(e, -EINVAL, "message args is not an object");
        const json_t *reply_q = json_object_get(m, "_reply_q");
        const json_t *msg_id = json_object_get(m, "_msg_id");
        if (msg_id && !json_is_string(msg_id))
                return err_set(e, -EINVAL, "message _msg_id is not a string");
        if (msg_id && !json_is_string(reply_q))
                return err_set(e, -EINVAL, "message has _msg_id but no _reply_q");

        struct rpc_request q = {0};
        q.method = xstrdup(method);
        q.args = json_is_object(args) ? json_incref(args) : json_checked(json_object());
        q.ctx = json_checked(json_object());
        q.msg_id = xstrdup_or_null(json_string_value(msg_id));
        q.reply_q = msg_id ? xstrdup(json_string_value(reply_q)) : NULL;
        q.unique_id = xstrdup_or_null(json_get_str(m, "_unique_id"));
        q.version = xstrdup_or_null(json_get_str(m, "version"));
        q.timeout = (int)json_get_int(m, "_timeout", 0);
        const char *key;
        json_t *v;
        json_object_foreach(m, key, v)
        {
                if (str_starts_with(key, CONTEXT_PREFIX) && key[strlen(CONTEXT_PREFIX)])
                        json_object_set(q.ctx, key + strlen(CONTEXT_PREFIX), v);
        }
        *ret = q;
        return 0;
}

char *rpc_encode_reply(const char *msg_id, const char *unique_id, const json_t *result,
                       const struct rpc_failure *f)
{
        json_auto_t *m = json_checked(json_object());
        if (f) {
                json_auto_t *fj = rpc_failure_to_json(f);
                _cleanup_free_ char *fs = json_dump_compact(fj);
                json_object_set_new(m, "result", json_null());
                json_object_set_new(m, "failure", json_string(fs));
        } else {
                json_object_set_new(m, "result", result ? json_deep_copy(result) : json_null());
                json_object_set_new(m, "failure", json_null());
        }
        json_object_set_new(m, "ending", json_true());
        json_object_set_new(m, "_msg_id", json_string_or_null(msg_id));
        json_object_set_new(m, "_unique_id", json_string_or_null(unique_id));
        return wrap_envelope(m);
}

void rpc_reply_release(struct rpc_reply *r)
{
        free(r->msg_id);
        free(r->unique_id);
        json_decref(r->result);
        json_decref(r->failure);
        memset(r, 0, sizeof(*r));
}

int rpc_decode_reply(const char *body, size_t len, struct rpc_reply *ret, struct err *e)
{
        json_auto_t *m = NULL;
        int r = unwrap_envelope(body, len, &m, e);
        if (r < 0)
                return r;
        const char *msg_id = json_get_str(m, "_msg_id");
        if (!msg_id)
                return err_set(e, -EINVAL, "reply has no _msg_id");
        json_t *failure = NULL;
        const json_t *fj = json_object_get(m, "failure");
        if (json_is_string(fj)) {
                const char *fs = json_string_value(fj);
                r = json_parse_limited(fs, strlen(fs), RPC_MAX_MESSAGE_BYTES, RPC_MAX_JSON_DEPTH,
                                       &failure, e);
                if (r < 0)
                        return r;
                if (!json_is_object(failure) || !json_get_str(failure, "class")) {
                        json_decref(failure);
                        return err_set(e, -EINVAL, "reply failure is not a failure dict");
                }
        } else if (fj && !json_is_null(fj)) {
                return err_set(e, -EINVAL, "reply failure is not a string");
        }
        json_t *result = json_object_get(m, "result");
        struct rpc_reply q = {0};
        q.msg_id = xstrdup(msg_id);
        q.unique_id = xstrdup_or_null(json_get_str(m, "_unique_id"));
        q.result = result ? json_incref(result) : json_null();
        q.failure = failure;
        q.ending = json_get_bool(m, "ending", false);
        *ret = q;
        return 0;
}

/* ---- shared helpers ------------------------------------------------------------------------ */

static void sleep_ms(int64_t ms)
{
        if (ms <= 0)
                return;
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
}

static void new_hex_id(char out[33])
{
        random_hex(out, 32);
        out[32] = '\0';
}

/* The context to send: a copy of ctx with request_id filled in when missing. */
static json_t *context_for_send(const json_t *ctx)
{
        json_t *c = json_is_object(ctx) ? json_checked(json_deep_copy(ctx))
                                        : json_checked(json_object());
        if (!json_get_str(c, "request_id")) {
                const char *cur = log_request_id();
                char rid[UUID_STR_LEN + 4];
                if (streq(cur, "-")) {
                        request_id_generate(rid);
                        cur = rid;
                }
                json_object_set_new(c, "request_id", json_string(cur));
        }
        return c;
}

/* ---- client -------------------------------------------------------------------------------- */

struct rpc_client {
        struct rpc_opts o;
        struct amqp_conn *conn;
        char reply_q[6 + 33]; /* "" until the first call */
};

static int client_on_connect(struct amqp_conn *conn, void *userdata, struct err *e)
{
        struct rpc_client *c = userdata;
        int r = amqp_conn_declare_exchange(conn, c->o.control_exchange, "topic", c->o.durable,
                                           c->o.auto_delete, e);
        if (r < 0 || !c->reply_q[0])
                return r;
        r = amqp_conn_declare_queue(conn, c->reply_q, false, true, c->o.transient_ttl * 1000, e);
        if (r < 0)
                return r;
        return amqp_conn_consume(conn, c->reply_q, e);
}

int rpc_client_new(const struct rpc_opts *opts, struct rpc_client **ret, struct err *e)
{
        struct rpc_client *c = xnew(struct rpc_client, 1);
        rpc_opts_copy(&c->o, opts);
        struct amqp_conn_opts co = conn_opts(&c->o);
        co.on_connect = client_on_connect;
        co.userdata = c;
        int r = amqp_conn_new(&co, &c->conn, e);
        if (r < 0) {
                rpc_client_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

void rpc_client_free(struct rpc_client *c)
{
        if (!c)
                return;
        amqp_conn_free(c->conn);
        rpc_opts_release(&c->o);
        free(c);
}

/* Topic queues are declared by the client only for plain topics (see rpc.h). */
static bool may_declare_topic(const char *topic)
{
        return !strchr(topic, '.');
}

static int declare_topic_queue(const struct rpc_opts *o, struct amqp_conn *conn, const char *queue,
                               const char *routing_key, struct err *e)
{
        int r = amqp_conn_declare_queue(conn, queue, o->durable, o->auto_delete, 0, e);
        if (r < 0)
                return r;
        return amqp_conn_bind_queue(conn, queue, o->control_exchange, routing_key, e);
}

/* Publishes to the control exchange until the broker confirmed it or deadline_ms passes:
 * reconnects with backoff across outages and declares a missing topic queue once. */
static int client_publish(struct rpc_client *c, const char *topic, const char *body,
                          const struct amqp_publish_props *props, int64_t deadline_ms,
                          struct err *e)
{
        bool declared = false;
        int64_t delay = c->o.retry_interval * 1000;
        for (int attempt = 0;; attempt++) {
                int r = amqp_conn_connect(c->conn, deadline_ms, e);
                if (r < 0)
                        return r;
                r = amqp_conn_publish(c->conn, c->o.control_exchange, topic, body, strlen(body),
                                      props, e);
                if (r == 0)
                        return 0;
                if (r == -ENXIO && !declared && may_declare_topic(topic)) {
                        log_info("event=rpc_declare_topic_queue topic=%s reason=unroutable", topic);
                        declared = true;
                        r = declare_topic_queue(&c->o, c->conn, topic, topic, e);
                        if (r == 0)
                                continue;
                }
                if (r == -ENXIO || !amqp_error_is_connection(r))
                        return r;
                int64_t left = deadline_ms - time_mono_ms();
                if (left <= 0)
                        return err_set(e, -ETIMEDOUT, "RabbitMQ did not confirm the message: %s",
                                       e ? err_msg(e) : "");
                /* The first failure is usually a connection that died while idle: retry at
                 * once on a new one; back off from the second. */
                int64_t wait = attempt == 0 ? 0 : MIN(delay, left);
                log_warn("event=rpc_publish_retry topic=%s retry_in_ms=%lld error=\"%s\"", topic,
                         (long long)wait, e ? err_msg(e) : "");
                amqp_conn_disconnect(c->conn);
                sleep_ms(wait);
                if (attempt > 0)
                        delay = MIN(delay * 2, (int64_t)c->o.interval_max * 1000);
        }
}

int rpc_cast(struct rpc_client *c, const char *topic, const char *method, const json_t *args,
             const json_t *ctx, struct rpc_failure *f)
{
        char unique_id[33];
        new_hex_id(unique_id);
        json_auto_t *sctx = context_for_send(ctx);
        struct rpc_request req = {.method = (char *)method,
                                  .args = (json_t *)args,
                                  .ctx = sctx,
                                  .unique_id = unique_id};
        _cleanup_free_ char *body = rpc_encode_request(&req);
        struct amqp_publish_props props = {.persistent = c->o.durable};
        _cleanup_err_ struct err e = ERR_INIT;
        int64_t deadline = time_mono_ms() + (int64_t)c->o.response_timeout * 1000;

        int r = client_publish(c, topic, body, &props, deadline, &e);
        if (r < 0)
                return rpc_failure_set(f, r, 0, NULL, "cast %s to %s failed: %s", method, topic,
                                       err_msg(&e));
        log_debug("event=rpc_cast topic=%s method=%s unique_id=%s", topic, method, unique_id);
        return 0;
}

static int ensure_reply_queue(struct rpc_client *c, int64_t deadline_ms, struct err *e)
{
        if (c->reply_q[0])
                return 0;
        char hex[33];
        new_hex_id(hex);
        snprintf(c->reply_q, sizeof(c->reply_q), "reply_%s", hex);
        if (!amqp_conn_is_open(c->conn))
                return 0; /* on_connect declares it */
        int r = amqp_conn_declare_queue(c->conn, c->reply_q, false, true, c->o.transient_ttl * 1000,
                                        e);
        if (r == 0)
                r = amqp_conn_consume(c->conn, c->reply_q, e);
        (void)deadline_ms;
        return r;
}

int rpc_call(struct rpc_client *c, const char *topic, const char *method, const json_t *args,
             const json_t *ctx, int timeout_ms, json_t **ret_result, struct rpc_failure *f)
{
        char msg_id[33], unique_id[33];
        _cleanup_err_ struct err e = ERR_INIT;
        if (timeout_ms <= 0)
                timeout_ms = c->o.response_timeout * 1000;
        int64_t deadline = time_mono_ms() + timeout_ms;
        int r = ensure_reply_queue(c, deadline, &e);
        if (r < 0 && !amqp_error_is_connection(r))
                return rpc_failure_set(f, r, 0, NULL, "call %s: %s", method, err_msg(&e));

        new_hex_id(msg_id);
        new_hex_id(unique_id);
        json_auto_t *sctx = context_for_send(ctx);
        struct rpc_request req = {.method = (char *)method,
                                  .args = (json_t *)args,
                                  .ctx = sctx,
                                  .msg_id = msg_id,
                                  .reply_q = c->reply_q,
                                  .unique_id = unique_id};
        _cleanup_free_ char *body = rpc_encode_request(&req);
        /* The request expires when the caller stops waiting (as oslo sets it). */
        struct amqp_publish_props props = {.persistent = false, .expiration_ms = timeout_ms};

        r = client_publish(c, topic, body, &props, deadline, &e);
        if (r == -ETIMEDOUT)
                return rpc_failure_set(f, -ETIMEDOUT, 0, "MessagingTimeout",
                                       "Timed out waiting for a reply to message ID %s (%s)",
                                       msg_id, err_msg(&e));
        if (r < 0)
                return rpc_failure_set(f, r, 0, NULL, "call %s to %s failed: %s", method, topic,
                                       err_msg(&e));
        log_debug("event=rpc_call topic=%s method=%s msg_id=%s", topic, method, msg_id);

        for (;;) {
                int64_t left = deadline - time_mono_ms();
                if (left <= 0)
                        break;
                struct amqp_delivery d = AMQP_DELIVERY_INIT;
                err_clear(&e);
                r = amqp_conn_next_delivery(c->conn, (int)left, &d, &e);
                if (r == 0)
                        break;
                if (r < 0) {
                        /* Our reply queue went with the connection; a new one is declared on
                         * reconnect, but a reply sent meanwhile is lost: keep waiting anyway. */
                        log_warn("event=rpc_call_connection_lost msg_id=%s error=\"%s\"", msg_id,
                                 err_msg(&e));
                        err_clear(&e);
                        if (amqp_conn_connect(c->conn, deadline, &e) < 0)
                                break;
                        continue;
                }
                struct rpc_reply rep = {0};
                struct err de = ERR_INIT;
                int dr = rpc_decode_reply(d.body.buf, d.body.len, &rep, &de);
                amqp_conn_ack(c->conn, &d, NULL);
                amqp_delivery_release(&d);
                if (dr < 0) {
                        log_warn("event=rpc_bad_reply error=\"%s\"", err_msg(&de));
                        err_clear(&de);
                        continue;
                }
                if (!streq(rep.msg_id, msg_id)) {
                        log_debug("event=rpc_stale_reply msg_id=%s", rep.msg_id);
                        rpc_reply_release(&rep);
                        continue;
                }
                if (rep.failure) {
                        rpc_failure_from_json(rep.failure, f);
                        rpc_reply_release(&rep);
                        return -EREMOTEIO;
                }
                if (!rep.ending) {
                        /* pre-"ending" style partial reply: wait for the final one */
                        rpc_reply_release(&rep);
                        continue;
                }
                if (ret_result)
                        *ret_result = TAKE_PTR(rep.result);
                rpc_reply_release(&rep);
                return 0;
        }
        return rpc_failure_set(f, -ETIMEDOUT, 0, "MessagingTimeout",
                               "Timed out waiting for a reply to message ID %s", msg_id);
}

/* ---- server -------------------------------------------------------------------------------- */

struct rpc_server;

struct rpc_worker {
        struct rpc_server *srv;
        int index;
        pthread_t thread;
        struct amqp_conn *conn;
        void *data; /* worker_init's */
        bool connected;
        bool started; /* thread is running and must be joined */
};

struct rpc_server {
        struct rpc_opts o;
        char *topic;
        char server[64];
        char fanout_q[128];
        const struct rpc_method *methods;
        size_t n_methods;
        int (*worker_init)(void *userdata, void **ret_worker, struct err *e);
        void (*worker_fini)(void *userdata, void *worker);
        void *userdata;

        atomic_bool stop;
        atomic_int connected;
        struct rpc_worker *workers;
        int n_workers;

        pthread_mutex_t dedup_lock;
        char dedup[DEDUP_SLOTS][33];
        size_t dedup_next;
};

/* true when unique_id was seen before; remembers it otherwise. */
static bool dedup_check_and_add(struct rpc_server *s, const char *unique_id)
{
        bool seen = false;
        pthread_mutex_lock(&s->dedup_lock);
        for (size_t i = 0; i < DEDUP_SLOTS && !seen; i++)
                seen = streq(s->dedup[i], unique_id);
        if (!seen) {
                snprintf(s->dedup[s->dedup_next], sizeof(s->dedup[0]), "%s", unique_id);
                s->dedup_next = (s->dedup_next + 1) % DEDUP_SLOTS;
        }
        pthread_mutex_unlock(&s->dedup_lock);
        return seen;
}

static void dedup_forget(struct rpc_server *s, const char *unique_id)
{
        pthread_mutex_lock(&s->dedup_lock);
        for (size_t i = 0; i < DEDUP_SLOTS; i++)
                if (streq(s->dedup[i], unique_id))
                        s->dedup[i][0] = '\0';
        pthread_mutex_unlock(&s->dedup_lock);
}

enum rpc_outcome {
        RPC_OUT_DONE,      /* handled; failures were sent back to the caller */
        RPC_OUT_DUPLICATE, /* `_unique_id` already handled */
        RPC_OUT_MALFORMED, /* cannot be decoded: will never succeed */
        RPC_OUT_RETRY,     /* the handler hit a transient error */
};

/* The one place that decides what happens to a consumed message. */
static void rpc_settle(struct rpc_worker *w, const struct amqp_delivery *d, enum rpc_outcome out,
                       const char *what)
{
        struct err e = ERR_INIT;
        int r;
        switch (out) {
        case RPC_OUT_DONE:
        case RPC_OUT_DUPLICATE:
                r = amqp_conn_ack(w->conn, d, &e);
                break;
        case RPC_OUT_RETRY:
                if (!d->redelivered) {
                        log_warn("event=rpc_requeue %s", what);
                        r = amqp_conn_reject(w->conn, d, true, &e);
                        break;
                }
                /* fall through: a second transient failure dead-letters it */
                log_error("event=rpc_dead_letter reason=retry_failed_again %s", what);
                r = amqp_conn_reject(w->conn, d, false, &e);
                break;
        case RPC_OUT_MALFORMED:
        default:
                log_error("event=rpc_dead_letter reason=malformed %s", what);
                r = amqp_conn_reject(w->conn, d, false, &e);
                break;
        }
        if (r == -ESTALE)
                log_info("event=rpc_settle_skipped reason=connection_replaced %s", what);
        else if (r < 0)
                log_warn("event=rpc_settle_failed %s error=\"%s\"", what, err_msg(&e));
        err_clear(&e);
}

static int worker_on_connect(struct amqp_conn *conn, void *userdata, struct err *e)
{
        struct rpc_worker *w = userdata;
        struct rpc_server *s = w->srv;
        const struct rpc_opts *o = &s->o;
        _cleanup_free_ char *server_q = xasprintf("%s.%s", s->topic, s->server);
        _cleanup_free_ char *fanout_x = xasprintf("%s_fanout", s->topic);
        int r;

        if ((r = amqp_conn_declare_exchange(conn, o->control_exchange, "topic", o->durable,
                                            o->auto_delete, e)) < 0 ||
            (r = declare_topic_queue(o, conn, s->topic, s->topic, e)) < 0 ||
            (r = amqp_conn_declare_queue(conn, server_q, false, true, o->transient_ttl * 1000, e)) <
                    0 ||
            (r = amqp_conn_bind_queue(conn, server_q, o->control_exchange, server_q, e)) < 0 ||
            (r = amqp_conn_declare_exchange(conn, fanout_x, "fanout", false, true, e)) < 0 ||
            (r = amqp_conn_declare_queue(conn, s->fanout_q, false, true, o->transient_ttl * 1000,
                                         e)) < 0 ||
            (r = amqp_conn_bind_queue(conn, s->fanout_q, fanout_x, s->topic, e)) < 0 ||
            (r = amqp_conn_prefetch(conn, 1, e)) < 0 ||
            (r = amqp_conn_consume(conn, s->topic, e)) < 0 ||
            (r = amqp_conn_consume(conn, server_q, e)) < 0 ||
            (r = amqp_conn_consume(conn, s->fanout_q, e)) < 0)
                return r;
        return 0;
}

static const struct rpc_method *find_method(const struct rpc_server *s, const char *name)
{
        if (name[0] == '_') /* private methods are never dispatchable */
                return NULL;
        for (size_t i = 0; i < s->n_methods; i++)
                if (streq(s->methods[i].name, name))
                        return &s->methods[i];
        return NULL;
}

/* oslo accepts "1.x" for endpoints at 1.0 (absent version means "1.0"). */
static bool version_supported(const char *version)
{
        if (!version)
                return true;
        return str_starts_with(version, "1.") || streq(version, "1");
}

/* Sends the reply for a call; a vanished caller (reply queue gone) is only logged. */
static void send_reply(struct rpc_worker *w, const struct rpc_request *req, const json_t *result,
                       const struct rpc_failure *f)
{
        char unique_id[33];
        new_hex_id(unique_id);
        _cleanup_free_ char *body = rpc_encode_reply(req->msg_id, unique_id, result, f);
        struct amqp_publish_props props = {0};
        for (int attempt = 0; attempt < 2; attempt++) {
                struct err e = ERR_INIT;
                int r = amqp_conn_publish(w->conn, "", req->reply_q, body, strlen(body), &props,
                                          &e);
                if (r == 0)
                        return;
                if (r == -ENXIO) {
                        log_warn("event=rpc_reply_undeliverable msg_id=%s reply_q=%s "
                                 "reason=caller_gone",
                                 req->msg_id, req->reply_q);
                        err_clear(&e);
                        return;
                }
                log_warn("event=rpc_reply_failed msg_id=%s error=\"%s\"", req->msg_id, err_msg(&e));
                err_clear(&e);
                if (amqp_conn_connect(w->conn, time_mono_ms() + 10000, NULL) < 0)
                        return;
        }
}

/* Runs the method (or answers oslo's UnsupportedVersion / NoSuchMethod), replies to a call, and
 * says what should become of the message. */
static enum rpc_outcome dispatch(struct rpc_worker *w, const struct rpc_request *req,
                                 const char *what)
{
        struct rpc_server *s = w->srv;
        _cleanup_rpc_failure_ struct rpc_failure f = RPC_FAILURE_INIT;
        json_auto_t *result = NULL;
        const struct rpc_method *m = find_method(s, req->method);
        int r;

        if (!version_supported(req->version)) {
                r = rpc_failure_set_module(&f, -EPROTONOSUPPORT, OSLO_DISPATCHER_MODULE,
                                           "UnsupportedVersion",
                                           "Endpoint does not support RPC version %s. "
                                           "Attempted method: %s",
                                           req->version, req->method);
        } else if (!m) {
                r = rpc_failure_set_module(&f, -EOPNOTSUPP, OSLO_DISPATCHER_MODULE, "NoSuchMethod",
                                           "Endpoint does not support RPC method %s", req->method);
        } else {
                struct rpc_call_info ci = {.method = req->method,
                                           .ctx = req->ctx,
                                           .args = req->args,
                                           .is_call = req->msg_id != NULL,
                                           .worker = w->data,
                                           .userdata = s->userdata};
                int64_t t0 = time_mono_ms();
                r = m->fn(&ci, &result, &f);
                if (r < 0 && !f.err.code)
                        rpc_failure_set(&f, r, 500, NULL, "%s failed: %s", req->method,
                                        strerror(-r));
                log_info("event=rpc_handled %s result=%s ms=%lld", what, r < 0 ? "failure" : "ok",
                         (long long)(time_mono_ms() - t0));
        }

        if (r == -EAGAIN)
                return RPC_OUT_RETRY;
        if (r < 0)
                log_warn("event=rpc_failure %s class=%s code=%d message=\"%s\"", what,
                         f.class_name ? f.class_name : "MagnumException", f.http_code,
                         rpc_failure_msg(&f));
        if (req->msg_id)
                send_reply(w, req, result, r < 0 ? &f : NULL);
        return RPC_OUT_DONE;
}

static void handle_delivery(struct rpc_worker *w, const struct amqp_delivery *d)
{
        struct rpc_server *s = w->srv;
        struct rpc_request req = {0};
        _cleanup_err_ struct err e = ERR_INIT;
        _cleanup_free_ char *what = NULL;
        enum rpc_outcome out;

        if (rpc_decode_request(d->body.buf, d->body.len, &req, &e) < 0) {
                what = xasprintf("queue_key=%s bytes=%zu error=\"%s\"", d->routing_key, d->body.len,
                                 err_msg(&e));
                rpc_settle(w, d, RPC_OUT_MALFORMED, what);
                return;
        }
        log_set_request_id(json_get_str(req.ctx, "request_id"));
        what = xasprintf("method=%s msg_id=%s unique_id=%s", req.method,
                         req.msg_id ? req.msg_id : "-", req.unique_id ? req.unique_id : "-");

        if (req.unique_id && dedup_check_and_add(s, req.unique_id)) {
                log_info("event=rpc_duplicate_ignored %s", what);
                out = RPC_OUT_DUPLICATE;
        } else {
                out = dispatch(w, &req, what);
                if (out == RPC_OUT_RETRY && req.unique_id)
                        dedup_forget(s, req.unique_id); /* the redelivery must run */
        }
        rpc_settle(w, d, out, what);
        log_set_request_id(NULL);
        rpc_request_release(&req);
}

static void *worker_main(void *arg)
{
        struct rpc_worker *w = arg;
        struct rpc_server *s = w->srv;
        _cleanup_err_ struct err e = ERR_INIT;
        int64_t delay = s->o.retry_interval * 1000;

        while (!atomic_load(&s->stop) && s->worker_init) {
                int r = s->worker_init(s->userdata, &w->data, &e);
                if (r == 0)
                        break;
                log_warn("event=rpc_worker_init_failed worker=%d retry_in_ms=%lld error=\"%s\"",
                         w->index, (long long)delay, err_msg(&e));
                err_clear(&e);
                for (int64_t t = 0; t < delay && !atomic_load(&s->stop); t += 100)
                        sleep_ms(100);
                delay = MIN(delay * 2, (int64_t)s->o.interval_max * 1000);
        }

        while (!atomic_load(&s->stop)) {
                if (!amqp_conn_is_open(w->conn)) {
                        if (w->connected) {
                                w->connected = false;
                                atomic_fetch_sub(&s->connected, 1);
                        }
                        err_clear(&e);
                        int r = amqp_conn_connect(w->conn, -1, &e);
                        if (r == -ECANCELED)
                                break;
                        if (r < 0) {
                                /* a permanent refusal: say so loudly, retry slowly */
                                log_error("event=rpc_worker_cannot_connect worker=%d "
                                          "retry_in_s=%d error=\"%s\"",
                                          w->index, s->o.interval_max, err_msg(&e));
                                for (int t = 0;
                                     t < s->o.interval_max * 10 && !atomic_load(&s->stop); t++)
                                        sleep_ms(100);
                                continue;
                        }
                        w->connected = true;
                        atomic_fetch_add(&s->connected, 1);
                        log_info("event=rpc_worker_connected worker=%d peer=%s topic=%s "
                                 "server=%s",
                                 w->index, amqp_conn_peer(w->conn), s->topic, s->server);
                }
                struct amqp_delivery d = AMQP_DELIVERY_INIT;
                err_clear(&e);
                int r = amqp_conn_next_delivery(w->conn, SERVER_POLL_MS, &d, &e);
                if (r == 1) {
                        handle_delivery(w, &d);
                        amqp_delivery_release(&d);
                } else if (r < 0 && r != -ECANCELED) {
                        log_warn("event=rpc_worker_disconnected worker=%d error=\"%s\"", w->index,
                                 err_msg(&e));
                }
        }
        if (w->connected)
                atomic_fetch_sub(&s->connected, 1);
        w->connected = false;
        /* Closing returns any prefetched, unacked message to its queue. */
        amqp_conn_disconnect(w->conn);
        if (s->worker_fini && w->data)
                s->worker_fini(s->userdata, w->data);
        w->data = NULL;
        return NULL;
}

int rpc_server_start(const struct rpc_server_opts *o, struct rpc_server **ret, struct err *e)
{
        if (!o->rpc || !o->topic || !o->topic[0] || strchr(o->topic, '.'))
                return err_set(e, -EINVAL, "rpc server: a topic without '.' is required");
        for (size_t i = 0; i < o->n_methods; i++)
                if (!o->methods[i].name || !o->methods[i].fn)
                        return err_set(e, -EINVAL,
                                       "rpc server: method table entry %zu is "
                                       "incomplete",
                                       i);
        struct rpc_server *s = xnew(struct rpc_server, 1);
        rpc_opts_copy(&s->o, o->rpc);
        s->topic = xstrdup(o->topic);
        if (o->server && o->server[0]) {
                snprintf(s->server, sizeof(s->server), "%s", o->server);
        } else {
                random_hex(s->server, 12);
                s->server[12] = '\0';
        }
        char hex[33];
        new_hex_id(hex);
        snprintf(s->fanout_q, sizeof(s->fanout_q), "%s_fanout_%s", s->topic, hex);
        s->methods = o->methods;
        s->n_methods = o->n_methods;
        s->worker_init = o->worker_init;
        s->worker_fini = o->worker_fini;
        s->userdata = o->userdata;
        atomic_init(&s->stop, false);
        atomic_init(&s->connected, 0);
        pthread_mutex_init(&s->dedup_lock, NULL);
        s->n_workers = o->workers > 0 ? o->workers : 1;
        s->workers = xnew(struct rpc_worker, s->n_workers);

        for (int i = 0; i < s->n_workers; i++) {
                struct rpc_worker *w = &s->workers[i];
                w->srv = s;
                w->index = i;
                struct amqp_conn_opts co = conn_opts(&s->o);
                co.on_connect = worker_on_connect;
                co.userdata = w;
                co.stop = &s->stop;
                int r = amqp_conn_new(&co, &w->conn, e);
                if (r < 0) {
                        rpc_server_free(s);
                        return r;
                }
        }
        for (int i = 0; i < s->n_workers; i++) {
                int r = pthread_create(&s->workers[i].thread, NULL, worker_main, &s->workers[i]);
                s->workers[i].started = r == 0;
                if (r != 0) {
                        rpc_server_free(s);
                        return err_set(e, -r, "rpc server: cannot start a worker thread");
                }
        }
        *ret = s;
        return 0;
}

void rpc_server_stop(struct rpc_server *s)
{
        atomic_store(&s->stop, true);
}

void rpc_server_free(struct rpc_server *s)
{
        if (!s)
                return;
        atomic_store(&s->stop, true);
        for (int i = 0; i < s->n_workers; i++) {
                if (s->workers[i].started)
                        pthread_join(s->workers[i].thread, NULL);
                amqp_conn_free(s->workers[i].conn);
        }
        free(s->workers);
        pthread_mutex_destroy(&s->dedup_lock);
        free(s->topic);
        rpc_opts_release(&s->o);
        free(s);
}

const char *rpc_server_name(const struct rpc_server *s)
{
        return s->server;
}

int rpc_server_connected_workers(struct rpc_server *s)
{
        return atomic_load(&s->connected);
}
