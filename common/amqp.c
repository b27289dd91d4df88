/*
 * AMQP connection wrapper over librabbitmq: transport_url parsing, reconnect with backoff,
 * publisher confirms + mandatory publishing, one frame reader, and the single place where
 * librabbitmq statuses and AMQP exceptions become -errno + struct err. See amqp.h.
 */
#include "common/common.h"
#include "common/amqp.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <time.h>

#include "common/ids.h"

#define AMQP_CHANNEL   1
#define AMQP_FRAME_MAX 131072
/* Bodies above this are truncated (and then fail to parse upstream) rather than buffered. */
#define AMQP_MAX_BODY (64u * 1024 * 1024)
/* How often long waits look at the stop flag. */
#define STOP_POLL_MS 200

struct amqp_conn {
        struct amqp_url *url;
        struct amqp_conn_opts o;
        amqp_connection_state_t st; /* NULL when disconnected */
        bool broken;                /* the socket is unusable: close without a handshake */
        uint64_t generation;
        size_t next_host;
        char peer[320];

        /* publisher confirm state of the current connection (one publish at a time) */
        uint64_t publish_seq;
        uint64_t confirmed_upto;
        bool nacked;
        bool returned;
        int return_code;
        struct strbuf return_text;

        /* deliveries read while waiting for something else, handed out in order */
        struct amqp_delivery *pending;
        size_t n_pending, alloc_pending;
};

/* ---- transport_url ------------------------------------------------------------------------ */

static int hexval(int ch)
{
        if (ch >= '0' && ch <= '9')
                return ch - '0';
        if (ch >= 'a' && ch <= 'f')
                return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F')
                return ch - 'A' + 10;
        return -1;
}

/* Percent-decodes s[0..n) into a new string; -EINVAL on a bad escape. */
static int pct_decode(const char *s, size_t n, char **ret)
{
        struct strbuf sb = STRBUF_INIT;
        for (size_t i = 0; i < n; i++) {
                if (s[i] != '%') {
                        strbuf_addch(&sb, s[i]);
                        continue;
                }
                if (i + 2 >= n) {
                        strbuf_release(&sb);
                        return -EINVAL;
                }
                int a = hexval(s[i + 1]), b = hexval(s[i + 2]);
                if (a < 0 || b < 0) {
                        strbuf_release(&sb);
                        return -EINVAL;
                }
                strbuf_addch(&sb, a * 16 + b);
                i += 2;
        }
        *ret = strbuf_detach(&sb, NULL);
        return 0;
}

static void amqp_host_release(struct amqp_host *h)
{
        free(h->host);
        free(h->user);
        free(h->password);
}

void amqp_url_free(struct amqp_url *u)
{
        if (!u)
                return;
        for (size_t i = 0; i < u->n_hosts; i++)
                amqp_host_release(&u->hosts[i]);
        free(u->hosts);
        free(u->vhost);
        free(u);
}
DEFINE_CLEANUP_FUNC(struct amqp_url, amqp_url_free)

/* One "user:pass@host:port" element of the netloc. */
static int parse_host(const char *s, size_t n, struct amqp_host *h, struct err *e)
{
        const char *at = NULL;
        for (size_t i = 0; i < n; i++)
                if (s[i] == '@')
                        at = s + i;
        const char *hp = s;
        size_t hn = n;
        int r;

        if (at) {
                size_t cn = (size_t)(at - s);
                const char *colon = memchr(s, ':', cn);
                size_t un = colon ? (size_t)(colon - s) : cn;
                r = pct_decode(s, un, &h->user);
                if (r == 0)
                        r = colon ? pct_decode(colon + 1, cn - un - 1, &h->password)
                                  : pct_decode("", 0, &h->password);
                if (r < 0)
                        return err_set(e, -EINVAL,
                                       "transport_url: bad percent-escape in "
                                       "the user name or password");
                hp = at + 1;
                hn = n - cn - 1;
        } else {
                h->user = xstrdup("guest");
                h->password = xstrdup("guest");
        }

        const char *port = NULL;
        size_t port_n = 0;
        if (hn > 0 && hp[0] == '[') {
                const char *close = memchr(hp, ']', hn);
                if (!close)
                        return err_set(e, -EINVAL, "transport_url: unterminated '[' in host");
                h->host = xstrndup(hp + 1, (size_t)(close - hp - 1));
                size_t rest = hn - (size_t)(close - hp) - 1;
                if (rest > 0) {
                        if (close[1] != ':')
                                return err_set(e, -EINVAL, "transport_url: junk after ']' in host");
                        port = close + 2;
                        port_n = rest - 1;
                }
        } else {
                const char *colon = memchr(hp, ':', hn);
                size_t name_n = colon ? (size_t)(colon - hp) : hn;
                h->host = xstrndup(hp, name_n);
                if (colon) {
                        port = colon + 1;
                        port_n = hn - name_n - 1;
                }
        }
        if (!h->host[0])
                return err_set(e, -EINVAL, "transport_url: empty host name");
        h->port = AMQP_DEFAULT_PORT;
        if (port) {
                _cleanup_free_ char *p = xstrndup(port, port_n);
                long long v;
                if (str_to_ll(p, 1, 65535, &v) < 0)
                        return err_set(e, -EINVAL, "transport_url: invalid port '%s' for host %s",
                                       p, h->host);
                h->port = (int)v;
        }
        return 0;
}

int amqp_url_parse(const char *url, struct amqp_url **ret, struct err *e)
{
        static const char scheme[] = "rabbit://";
        _cleanup_(amqp_url_freep) struct amqp_url *u = NULL;
        size_t alloc = 0;
        int r;

        if (!url || !url[0])
                return err_set(e, -EINVAL, "transport_url is not set");
        if (strlen(url) > AMQP_URL_MAX_LEN)
                return err_set(e, -EINVAL, "transport_url is longer than %d characters",
                               AMQP_URL_MAX_LEN);
        if (!str_starts_with(url, scheme)) {
                const char *sep = strstr(url, "://");
                return err_set(e, -EINVAL,
                               "transport_url: unsupported transport '%.*s' (only rabbit:// is)",
                               sep ? (int)MIN(sep - url, 32) : 0, url);
        }
        const char *net = url + strlen(scheme);
        size_t net_n = strcspn(net, "/?");
        const char *path = net + net_n;

        u = xnew(struct amqp_url, 1);
        if (net_n == 0)
                return err_set(e, -EINVAL, "transport_url: no host");
        const char *p = net;
        while (p <= net + net_n) {
                size_t n = strcspn(p, ",/?");
                if (p + n > net + net_n)
                        n = (size_t)(net + net_n - p);
                if (u->n_hosts == AMQP_URL_MAX_HOSTS)
                        return err_set(e, -EINVAL, "transport_url: more than %d hosts",
                                       AMQP_URL_MAX_HOSTS);
                u->hosts = xgrow(u->hosts, u->n_hosts + 1, &alloc, sizeof(*u->hosts));
                struct amqp_host *h = &u->hosts[u->n_hosts++];
                memset(h, 0, sizeof(*h));
                if (n == 0)
                        return err_set(e, -EINVAL, "transport_url: empty host entry");
                r = parse_host(p, n, h, e);
                if (r < 0)
                        return r;
                p += n + 1;
        }

        if (*path == '/') {
                size_t vn = strcspn(path + 1, "?");
                if (vn == 0)
                        u->vhost = xstrdup("/");
                else if (pct_decode(path + 1, vn, &u->vhost) < 0)
                        return err_set(e, -EINVAL, "transport_url: bad percent-escape in vhost");
        } else {
                u->vhost = xstrdup("/");
        }
        *ret = TAKE_PTR(u);
        return 0;
}

/* ---- error translation (the one place) ----------------------------------------------------- */

struct status_map {
        int status;
        int err;
};

static const struct status_map status_errnos[] = {
        {AMQP_STATUS_TIMEOUT, -ETIMEDOUT},
        {AMQP_STATUS_HOSTNAME_RESOLUTION_FAILED, -EHOSTUNREACH},
        {AMQP_STATUS_BAD_AMQP_DATA, -EPROTO},
        {AMQP_STATUS_UNKNOWN_CLASS, -EPROTO},
        {AMQP_STATUS_UNKNOWN_METHOD, -EPROTO},
        {AMQP_STATUS_INCOMPATIBLE_AMQP_VERSION, -EPROTO},
        {AMQP_STATUS_UNEXPECTED_STATE, -EPROTO},
        {AMQP_STATUS_INVALID_PARAMETER, -EINVAL},
        {AMQP_STATUS_TABLE_TOO_BIG, -E2BIG},
        {AMQP_STATUS_CONNECTION_CLOSED, -ECONNRESET},
        {AMQP_STATUS_SOCKET_ERROR, -ECONNRESET},
        {AMQP_STATUS_SOCKET_CLOSED, -ECONNRESET},
        {AMQP_STATUS_HEARTBEAT_TIMEOUT, -ECONNRESET},
        {AMQP_STATUS_TCP_ERROR, -ECONNRESET},
        {AMQP_STATUS_TCP_SOCKETLIB_INIT_ERROR, -ECONNRESET},
};

/* AMQP reply codes from connection.close / channel.close. */
static const struct status_map reply_errnos[] = {
        {AMQP_CONNECTION_FORCED, -ECONNRESET}, {AMQP_ACCESS_REFUSED, -EACCES},
        {AMQP_NOT_ALLOWED, -EACCES},           {AMQP_NOT_FOUND, -ENOENT},
        {AMQP_RESOURCE_LOCKED, -EBUSY},        {AMQP_PRECONDITION_FAILED, -EEXIST},
        {AMQP_RESOURCE_ERROR, -ENOSPC},        {AMQP_FRAME_ERROR, -EPROTO},
        {AMQP_SYNTAX_ERROR, -EPROTO},          {AMQP_COMMAND_INVALID, -EPROTO},
        {AMQP_CHANNEL_ERROR, -EPROTO},         {AMQP_UNEXPECTED_FRAME, -EPROTO},
        {AMQP_INTERNAL_ERROR, -EIO},
};

static int map_code(const struct status_map *m, size_t n, int code, int def)
{
        for (size_t i = 0; i < n; i++)
                if (m[i].status == code)
                        return m[i].err;
        return def;
}

bool amqp_error_is_connection(int r)
{
        return r == -ECONNRESET || r == -ECONNREFUSED || r == -EHOSTUNREACH || r == -EPIPE ||
               r == -ENOTCONN || r == -EPROTO || r == -EIO || r == -ETIMEDOUT || r == -EACCES ||
               r == -ENOSPC || r == -EBUSY;
}

static void conn_drop(struct amqp_conn *c)
{
        if (!c->st)
                return;
        if (!c->broken) {
                amqp_channel_close(c->st, AMQP_CHANNEL, AMQP_REPLY_SUCCESS);
                amqp_connection_close(c->st, AMQP_REPLY_SUCCESS);
        }
        amqp_destroy_connection(c->st);
        c->st = NULL;
        c->broken = false;
        for (size_t i = 0; i < c->n_pending; i++)
                amqp_delivery_release(&c->pending[i]);
        c->n_pending = 0;
}

/* librabbitmq status → -errno, message in e; the connection is dropped for anything but a
 * timeout. */
static int fail_status(struct amqp_conn *c, int status, const char *what, struct err *e)
{
        int r = map_code(status_errnos, ARRAY_SIZE(status_errnos), status, -EIO);
        err_set(e, r, "%s: %s (RabbitMQ %s)", what, amqp_error_string2(status), c->peer);
        if (r != -ETIMEDOUT) {
                c->broken = true;
                conn_drop(c);
        }
        return r;
}

/* A connection.close or channel.close sent by the broker: answer nothing, drop the whole
 * connection (the next operation reconnects and redeclares). */
static int fail_close(struct amqp_conn *c, uint16_t code, amqp_bytes_t text, const char *what,
                      struct err *e)
{
        int r = map_code(reply_errnos, ARRAY_SIZE(reply_errnos), code, -EIO);
        err_set(e, r, "%s: broker closed the channel: %u %.*s (RabbitMQ %s)", what, code,
                (int)MIN(text.len, 512u), (const char *)text.bytes, c->peer);
        c->broken = true;
        conn_drop(c);
        return r;
}

static int check_reply(struct amqp_conn *c, amqp_rpc_reply_t rep, const char *what, struct err *e)
{
        switch (rep.reply_type) {
        case AMQP_RESPONSE_NORMAL:
                return 0;
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
                return fail_status(c, rep.library_error, what, e);
        case AMQP_RESPONSE_SERVER_EXCEPTION:
                if (rep.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
                        const amqp_connection_close_t *m = rep.reply.decoded;
                        return fail_close(c, m->reply_code, m->reply_text, what, e);
                }
                if (rep.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
                        const amqp_channel_close_t *m = rep.reply.decoded;
                        return fail_close(c, m->reply_code, m->reply_text, what, e);
                }
                break;
        default:
                break;
        }
        err_set(e, -EPROTO, "%s: unexpected reply from RabbitMQ %s", what, c->peer);
        c->broken = true;
        conn_drop(c);
        return -EPROTO;
}

/* ---- connection ---------------------------------------------------------------------------- */

static struct timeval ms_to_tv(int ms)
{
        struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
        return tv;
}

static bool stopping(const struct amqp_conn *c)
{
        return c->o.stop && atomic_load(c->o.stop);
}

int amqp_conn_new(const struct amqp_conn_opts *o, struct amqp_conn **ret, struct err *e)
{
        struct amqp_url *u = NULL;
        int r = amqp_url_parse(o->url, &u, e);
        if (r < 0)
                return r;
        struct amqp_conn *c = xnew(struct amqp_conn, 1);
        c->url = u;
        c->o = *o;
        c->o.url = NULL; /* the parsed form is kept; the text may hold a password */
        if (c->o.retry_interval_ms <= 0)
                c->o.retry_interval_ms = 1000;
        if (c->o.retry_max_ms < c->o.retry_interval_ms)
                c->o.retry_max_ms = c->o.retry_interval_ms;
        if (c->o.op_timeout_ms <= 0)
                c->o.op_timeout_ms = 10000;
        strbuf_init(&c->return_text, 0);
        snprintf(c->peer, sizeof(c->peer), "%s:%d", u->hosts[0].host, u->hosts[0].port);
        *ret = c;
        return 0;
}

void amqp_conn_free(struct amqp_conn *c)
{
        if (!c)
                return;
        conn_drop(c);
        free(c->pending);
        strbuf_release(&c->return_text);
        amqp_url_free(c->url);
        free(c);
}

bool amqp_conn_is_open(const struct amqp_conn *c)
{
        return c->st != NULL;
}

uint64_t amqp_conn_generation(const struct amqp_conn *c)
{
        return c->generation;
}

const char *amqp_conn_peer(const struct amqp_conn *c)
{
        return c->peer;
}

void amqp_conn_disconnect(struct amqp_conn *c)
{
        conn_drop(c);
}

static int open_one(struct amqp_conn *c, const struct amqp_host *h, struct err *e)
{
        struct timeval tv = ms_to_tv(c->o.op_timeout_ms);
        amqp_rpc_reply_t rep;
        int status;

        snprintf(c->peer, sizeof(c->peer), "%s:%d", h->host, h->port);
        c->st = amqp_new_connection();
        if (!c->st)
                return err_set(e, -ENOMEM, "amqp_new_connection failed");
        c->broken = true; /* until the handshake is through */
        amqp_socket_t *sock = amqp_tcp_socket_new(c->st);
        if (!sock) {
                conn_drop(c);
                return err_set(e, -ENOMEM, "amqp_tcp_socket_new failed");
        }
        amqp_set_handshake_timeout(c->st, &tv);
        amqp_set_rpc_timeout(c->st, &tv);
        status = amqp_socket_open_noblock(sock, h->host, h->port, &tv);
        if (status != AMQP_STATUS_OK)
                return fail_status(c, status, "connect", e);
        rep = amqp_login(c->st, c->url->vhost, 0, AMQP_FRAME_MAX, c->o.heartbeat_s,
                         AMQP_SASL_METHOD_PLAIN, h->user, h->password);
        int r = check_reply(c, rep, "login", e);
        if (r < 0)
                return r;
        c->broken = false;
        amqp_channel_open(c->st, AMQP_CHANNEL);
        r = check_reply(c, amqp_get_rpc_reply(c->st), "channel.open", e);
        if (r < 0)
                return r;
        amqp_confirm_select(c->st, AMQP_CHANNEL);
        r = check_reply(c, amqp_get_rpc_reply(c->st), "confirm.select", e);
        if (r < 0)
                return r;
        c->generation++;
        c->publish_seq = c->confirmed_upto = 0;
        return 0;
}

int amqp_conn_connect_once(struct amqp_conn *c, struct err *e)
{
        int r = -ECONNREFUSED;
        if (c->st)
                return 0;
        for (size_t i = 0; i < c->url->n_hosts; i++) {
                if (stopping(c))
                        return err_set(e, -ECANCELED, "stopping");
                size_t idx = (c->next_host + i) % c->url->n_hosts;
                struct err he = ERR_INIT;
                r = open_one(c, &c->url->hosts[idx], &he);
                if (r == 0 && c->o.on_connect) {
                        r = c->o.on_connect(c, c->o.userdata, &he);
                        if (r < 0) {
                                conn_drop(c);
                        }
                }
                if (r == 0) {
                        c->next_host = idx;
                        err_clear(&he);
                        log_debug("event=amqp_connected peer=%s vhost=%s", c->peer, c->url->vhost);
                        return 0;
                }
                if (e) {
                        err_clear(e);
                        *e = he;
                } else {
                        err_clear(&he);
                }
        }
        /* start the next pass at the following host */
        c->next_host = (c->next_host + 1) % c->url->n_hosts;
        return r;
}

/* Sleeps ms milliseconds, waking early when the stop flag rises. */
static void sleep_interruptible(const struct amqp_conn *c, int64_t ms)
{
        while (ms > 0 && !stopping(c)) {
                int64_t slice = MIN(ms, (int64_t)STOP_POLL_MS);
                struct timespec ts = {.tv_sec = slice / 1000, .tv_nsec = (slice % 1000) * 1000000};
                nanosleep(&ts, NULL);
                ms -= slice;
        }
}

int amqp_conn_connect(struct amqp_conn *c, int64_t deadline_ms, struct err *e)
{
        int64_t delay = c->o.retry_interval_ms;
        for (;;) {
                if (stopping(c))
                        return err_set(e, -ECANCELED, "stopping");
                struct err ce = ERR_INIT;
                int r = amqp_conn_connect_once(c, &ce);
                if (r == 0) {
                        err_clear(&ce);
                        return 0;
                }
                if (r == -ECANCELED) {
                        err_clear(&ce);
                        return err_set(e, r, "stopping");
                }
                if (r == -EEXIST || r == -EINVAL) {
                        /* A declaration that contradicts the broker's (PRECONDITION_FAILED)
                         * does not heal by waiting: report it now. */
                        err_set(e, r, "%s", err_msg(&ce));
                        err_clear(&ce);
                        return r;
                }
                int64_t now = time_mono_ms();
                if (deadline_ms >= 0 && now >= deadline_ms) {
                        err_set(e, -ETIMEDOUT, "could not reach RabbitMQ: %s", err_msg(&ce));
                        err_clear(&ce);
                        return -ETIMEDOUT;
                }
                int64_t wait = delay;
                if (deadline_ms >= 0)
                        wait = MIN(wait, deadline_ms - now);
                log_warn("event=amqp_connect_failed peer=%s retry_in_ms=%lld error=\"%s\"", c->peer,
                         (long long)wait, err_msg(&ce));
                err_clear(&ce);
                sleep_interruptible(c, wait);
                delay = MIN(delay * 2, (int64_t)c->o.retry_max_ms);
        }
}

/* ---- declarations -------------------------------------------------------------------------- */

static int need_open(struct amqp_conn *c, struct err *e)
{
        if (c->st)
                return 0;
        return err_set(e, -ECONNRESET, "not connected to RabbitMQ %s", c->peer);
}

int amqp_conn_declare_exchange(struct amqp_conn *c, const char *name, const char *type,
                               bool durable, bool auto_delete, struct err *e)
{
        int r = need_open(c, e);
        if (r < 0)
                return r;
        amqp_exchange_declare(c->st, AMQP_CHANNEL, amqp_cstring_bytes(name),
                              amqp_cstring_bytes(type), 0, durable, auto_delete, 0,
                              amqp_empty_table);
        _cleanup_free_ char *what = xasprintf("exchange.declare %s", name);
        return check_reply(c, amqp_get_rpc_reply(c->st), what, e);
}

int amqp_conn_declare_queue(struct amqp_conn *c, const char *name, bool durable, bool auto_delete,
                            int expires_ms, struct err *e)
{
        int r = need_open(c, e);
        if (r < 0)
                return r;
        amqp_table_entry_t entry = {
                .key = amqp_cstring_bytes("x-expires"),
                .value = {.kind = AMQP_FIELD_KIND_I32, .value = {.i32 = expires_ms}}};
        amqp_table_t args = amqp_empty_table;
        if (expires_ms > 0) {
                args.num_entries = 1;
                args.entries = &entry;
        }
        amqp_queue_declare(c->st, AMQP_CHANNEL, amqp_cstring_bytes(name), 0, durable, 0,
                           auto_delete, args);
        _cleanup_free_ char *what = xasprintf("queue.declare %s", name);
        return check_reply(c, amqp_get_rpc_reply(c->st), what, e);
}

int amqp_conn_bind_queue(struct amqp_conn *c, const char *queue, const char *exchange,
                         const char *routing_key, struct err *e)
{
        int r = need_open(c, e);
        if (r < 0)
                return r;
        amqp_queue_bind(c->st, AMQP_CHANNEL, amqp_cstring_bytes(queue),
                        amqp_cstring_bytes(exchange), amqp_cstring_bytes(routing_key),
                        amqp_empty_table);
        _cleanup_free_ char *what = xasprintf("queue.bind %s", queue);
        return check_reply(c, amqp_get_rpc_reply(c->st), what, e);
}

int amqp_conn_prefetch(struct amqp_conn *c, int count, struct err *e)
{
        int r = need_open(c, e);
        if (r < 0)
                return r;
        amqp_basic_qos(c->st, AMQP_CHANNEL, 0, (uint16_t)count, 0);
        return check_reply(c, amqp_get_rpc_reply(c->st), "basic.qos", e);
}

int amqp_conn_consume(struct amqp_conn *c, const char *queue, struct err *e)
{
        int r = need_open(c, e);
        if (r < 0)
                return r;
        amqp_basic_consume(c->st, AMQP_CHANNEL, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 0,
                           0, amqp_empty_table);
        _cleanup_free_ char *what = xasprintf("basic.consume %s", queue);
        return check_reply(c, amqp_get_rpc_reply(c->st), what, e);
}

/* ---- the frame reader ---------------------------------------------------------------------- */

void amqp_delivery_release(struct amqp_delivery *d)
{
        free(d->exchange);
        free(d->routing_key);
        strbuf_release(&d->body);
        d->exchange = d->routing_key = NULL;
}

static int read_frame(struct amqp_conn *c, amqp_frame_t *f, int timeout_ms, struct err *e)
{
        struct timeval tv = ms_to_tv(MAX(timeout_ms, 0));
        int status = amqp_simple_wait_frame_noblock(c->st, f, &tv);
        if (status == AMQP_STATUS_TIMEOUT)
                return -ETIMEDOUT;
        if (status != AMQP_STATUS_OK)
                return fail_status(c, status, "read", e);
        return 0;
}

/* Reads the content header and body frames that follow a deliver/return method. */
static int read_content(struct amqp_conn *c, struct strbuf *body, struct err *e)
{
        amqp_frame_t f;
        int r = read_frame(c, &f, c->o.op_timeout_ms, e);
        if (r == -ETIMEDOUT)
                return fail_status(c, AMQP_STATUS_TIMEOUT, "read content header", e);
        if (r < 0)
                return r;
        if (f.frame_type != AMQP_FRAME_HEADER) {
                c->broken = true;
                conn_drop(c);
                return err_set(e, -EPROTO, "expected a content header from RabbitMQ %s", c->peer);
        }
        uint64_t size = f.payload.properties.body_size, got = 0;
        while (got < size) {
                r = read_frame(c, &f, c->o.op_timeout_ms, e);
                if (r == -ETIMEDOUT)
                        return fail_status(c, AMQP_STATUS_TIMEOUT, "read content body", e);
                if (r < 0)
                        return r;
                if (f.frame_type != AMQP_FRAME_BODY) {
                        c->broken = true;
                        conn_drop(c);
                        return err_set(e, -EPROTO, "expected a body frame from RabbitMQ %s",
                                       c->peer);
                }
                size_t n = f.payload.body_fragment.len;
                if (body && body->len + n <= AMQP_MAX_BODY)
                        strbuf_add(body, f.payload.body_fragment.bytes, n);
                got += n;
        }
        return 0;
}

static char *bytes_dup(amqp_bytes_t b)
{
        return xstrndup(b.bytes ? (const char *)b.bytes : "", b.len);
}

static int on_deliver(struct amqp_conn *c, const amqp_method_t *m, struct err *e)
{
        const amqp_basic_deliver_t *d = m->decoded;
        struct amqp_delivery dl = AMQP_DELIVERY_INIT;
        dl.tag = d->delivery_tag;
        dl.generation = c->generation;
        dl.redelivered = d->redelivered;
        dl.exchange = bytes_dup(d->exchange);
        dl.routing_key = bytes_dup(d->routing_key);
        int r = read_content(c, &dl.body, e);
        if (r < 0) {
                amqp_delivery_release(&dl);
                return r;
        }
        c->pending = xgrow(c->pending, c->n_pending + 1, &c->alloc_pending, sizeof(*c->pending));
        c->pending[c->n_pending++] = dl;
        return 0;
}

static int on_ack(struct amqp_conn *c, const amqp_method_t *m, struct err *e)
{
        (void)e;
        const amqp_basic_ack_t *a = m->decoded;
        if (a->delivery_tag > c->confirmed_upto || !a->delivery_tag)
                c->confirmed_upto = a->delivery_tag ? a->delivery_tag : c->publish_seq;
        return 0;
}

static int on_nack(struct amqp_conn *c, const amqp_method_t *m, struct err *e)
{
        (void)e;
        const amqp_basic_nack_t *a = m->decoded;
        c->nacked = true;
        if (a->delivery_tag > c->confirmed_upto || !a->delivery_tag)
                c->confirmed_upto = a->delivery_tag ? a->delivery_tag : c->publish_seq;
        return 0;
}

static int on_return(struct amqp_conn *c, const amqp_method_t *m, struct err *e)
{
        const amqp_basic_return_t *rt = m->decoded;
        c->returned = true;
        c->return_code = rt->reply_code;
        strbuf_reset(&c->return_text);
        strbuf_add(&c->return_text, rt->reply_text.bytes, MIN(rt->reply_text.len, 256u));
        return read_content(c, NULL, e);
}

static int on_channel_close(struct amqp_conn *c, const amqp_method_t *m, struct err *e)
{
        const amqp_channel_close_t *cl = m->decoded;
        return fail_close(c, cl->reply_code, cl->reply_text, "channel", e);
}

static int on_connection_close(struct amqp_conn *c, const amqp_method_t *m, struct err *e)
{
        const amqp_connection_close_t *cl = m->decoded;
        return fail_close(c, cl->reply_code, cl->reply_text, "connection", e);
}

static int on_cancel(struct amqp_conn *c, const amqp_method_t *m, struct err *e)
{
        (void)m;
        /* The broker cancelled a consumer (its queue was deleted): reconnecting redeclares. */
        c->broken = false;
        conn_drop(c);
        return err_set(e, -ECONNRESET, "RabbitMQ %s cancelled our consumer", c->peer);
}

static const struct {
        amqp_method_number_t id;
        int (*fn)(struct amqp_conn *c, const amqp_method_t *m, struct err *e);
} method_handlers[] = {
        {AMQP_BASIC_DELIVER_METHOD, on_deliver},
        {AMQP_BASIC_ACK_METHOD, on_ack},
        {AMQP_BASIC_NACK_METHOD, on_nack},
        {AMQP_BASIC_RETURN_METHOD, on_return},
        {AMQP_CHANNEL_CLOSE_METHOD, on_channel_close},
        {AMQP_CONNECTION_CLOSE_METHOD, on_connection_close},
        {AMQP_BASIC_CANCEL_METHOD, on_cancel},
};

/* Reads and handles one frame. -ETIMEDOUT when none arrived within timeout_ms. */
static int pump(struct amqp_conn *c, int timeout_ms, struct err *e)
{
        amqp_frame_t f;
        int r = read_frame(c, &f, timeout_ms, e);
        if (r < 0)
                return r;
        if (f.frame_type == AMQP_FRAME_METHOD) {
                for (size_t i = 0; i < ARRAY_SIZE(method_handlers); i++)
                        if (method_handlers[i].id == f.payload.method.id) {
                                r = method_handlers[i].fn(c, &f.payload.method, e);
                                break;
                        }
        }
        if (c->st)
                amqp_maybe_release_buffers(c->st);
        return r;
}

/* ---- publish / consume --------------------------------------------------------------------- */

int amqp_conn_publish(struct amqp_conn *c, const char *exchange, const char *routing_key,
                      const void *body, size_t len, const struct amqp_publish_props *p,
                      struct err *e)
{
        int r = need_open(c, e);
        if (r < 0)
                return r;

        /* Read what is pending first: answers the broker's heartbeats on a connection that sat
         * idle and notices one the broker has already closed, before the message is lost in a
         * dead socket. */
        r = pump(c, 0, e);
        if (r < 0 && r != -ETIMEDOUT)
                return r;
        if (!c->st)
                return err_set(e, -ECONNRESET, "lost RabbitMQ %s", c->peer);

        char expiration[24];
        amqp_basic_properties_t props = {0};
        props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_CONTENT_ENCODING_FLAG |
                       AMQP_BASIC_DELIVERY_MODE_FLAG;
        props.content_type = amqp_cstring_bytes("application/json");
        props.content_encoding = amqp_cstring_bytes("utf-8");
        props.delivery_mode = p && p->persistent ? 2 : 1;
        if (p && p->expiration_ms > 0) {
                snprintf(expiration, sizeof(expiration), "%d", p->expiration_ms);
                props._flags |= AMQP_BASIC_EXPIRATION_FLAG;
                props.expiration = amqp_cstring_bytes(expiration);
        }
        amqp_bytes_t b = {.len = len, .bytes = (void *)body};

        c->returned = false;
        c->nacked = false;
        int status = amqp_basic_publish(c->st, AMQP_CHANNEL, amqp_cstring_bytes(exchange),
                                        amqp_cstring_bytes(routing_key), 1, 0, &props, b);
        if (status != AMQP_STATUS_OK)
                return fail_status(c, status, "basic.publish", e);
        uint64_t seq = ++c->publish_seq;

        int64_t deadline = time_mono_ms() + c->o.op_timeout_ms;
        while (c->confirmed_upto < seq) {
                int64_t left = deadline - time_mono_ms();
                if (left <= 0) {
                        /* The message's fate is unknown: start over on a fresh connection. */
                        c->broken = true;
                        conn_drop(c);
                        return err_set(e, -ECONNRESET,
                                       "RabbitMQ %s did not confirm a publish within %d ms",
                                       c->peer, c->o.op_timeout_ms);
                }
                r = pump(c, (int)left, e);
                if (r < 0 && r != -ETIMEDOUT)
                        return r;
                if (!c->st)
                        return err_set(e, -ECONNRESET, "lost RabbitMQ %s", c->peer);
        }
        if (c->returned)
                return err_set(e, -ENXIO,
                               "message to exchange '%s' with routing key '%s' was returned "
                               "by RabbitMQ: %d %s",
                               exchange, routing_key, c->return_code, c->return_text.buf);
        if (c->nacked)
                return err_set(e, -EIO, "RabbitMQ %s refused (nacked) a message to '%s'", c->peer,
                               routing_key);
        return 0;
}

static void pop_pending(struct amqp_conn *c, struct amqp_delivery *ret)
{
        *ret = c->pending[0];
        memmove(c->pending, c->pending + 1, (c->n_pending - 1) * sizeof(*c->pending));
        c->n_pending--;
}

int amqp_conn_next_delivery(struct amqp_conn *c, int timeout_ms, struct amqp_delivery *ret,
                            struct err *e)
{
        int64_t deadline = time_mono_ms() + MAX(timeout_ms, 0);
        for (;;) {
                if (c->n_pending > 0) {
                        pop_pending(c, ret);
                        return 1;
                }
                int r = need_open(c, e);
                if (r < 0)
                        return r;
                if (stopping(c))
                        return err_set(e, -ECANCELED, "stopping");
                int64_t left = deadline - time_mono_ms();
                if (left <= 0)
                        return 0;
                r = pump(c, (int)MIN(left, (int64_t)STOP_POLL_MS), e);
                if (r < 0 && r != -ETIMEDOUT)
                        return r;
        }
}

int amqp_conn_ack(struct amqp_conn *c, const struct amqp_delivery *d, struct err *e)
{
        if (!c->st || d->generation != c->generation)
                return err_set(e, -ESTALE, "delivery %llu came on an earlier connection",
                               (unsigned long long)d->tag);
        int status = amqp_basic_ack(c->st, AMQP_CHANNEL, d->tag, 0);
        if (status != AMQP_STATUS_OK)
                return fail_status(c, status, "basic.ack", e);
        return 0;
}

int amqp_conn_reject(struct amqp_conn *c, const struct amqp_delivery *d, bool requeue,
                     struct err *e)
{
        if (!c->st || d->generation != c->generation)
                return err_set(e, -ESTALE, "delivery %llu came on an earlier connection",
                               (unsigned long long)d->tag);
        int status = amqp_basic_reject(c->st, AMQP_CHANNEL, d->tag, requeue);
        if (status != AMQP_STATUS_OK)
                return fail_status(c, status, "basic.reject", e);
        return 0;
}
