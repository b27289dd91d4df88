/*
 * One real HAProxy per Octavia load balancer, as an amphora: bound to the VIP's backing
 * loopback address (and its floating IP, when one points at the VIP port), a frontend per
 * listener, a backend per pool with a server per member (at the member's backing address),
 * health checks from the pool's health monitor. Reloaded (-sf) when the rendered configuration
 * changes, stopped when the load balancer goes away. Member health is read back from each
 * process's stats socket.
 */
#include "common/common.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "common/json_util.h"
#include "sim/sim.h"

struct sim_lb_proc {
        char *lb_id;
        char *cfg;
        pid_t pid;
        struct sim_lb_proc *next;
};

void sim_lb_plan_free(struct sim_lb_plan *p, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(p[i].lb_id);
                free(p[i].cfg);
        }
        free(p);
}

/* Where a member address really is on this host. */
static char *member_backing(struct sim *s, json_t *m)
{
        const char *addr = json_get_str(m, "address");
        const char *sub_id = json_get_str(m, "subnet_id");
        json_t *sub = sim_get(s, K_SUBNET, sub_id);
        if (sub)
                return sim_backing_addr(s, json_get_str(sub, "network_id"), addr);
        json_t *port = sim_port_by_ip(s, NULL, addr);
        if (port)
                return sim_backing_addr(s, json_get_str(port, "network_id"), addr);
        return xstrdup(addr); /* a host address used directly */
}

static const char *balance_of(const char *alg)
{
        if (alg && streq(alg, "LEAST_CONNECTIONS"))
                return "leastconn";
        if (alg && (streq(alg, "SOURCE_IP") || streq(alg, "SOURCE_IP_PORT")))
                return "source";
        return "roundrobin";
}

static void render_backend(struct sim *s, struct strbuf *sb, json_t *pool)
{
        const char *id = json_get_str(pool, "id");
        const char *proto = json_get_str(pool, "protocol");
        bool http = proto && streq(proto, "HTTP");
        json_t *hm = sim_get(s, K_HM, json_get_str(pool, "healthmonitor_id"));
        bool check = hm && json_get_bool(hm, "admin_state_up", true);
        strbuf_addf(sb, "\nbackend %s\n    mode %s\n    balance %s\n", id, http ? "http" : "tcp",
                    balance_of(json_get_str(pool, "lb_algorithm")));
        if (check) {
                const char *type = json_get_str(hm, "type");
                if (type && str_starts_with(type, "HTTP")) {
                        strbuf_addf(sb, "    option httpchk %s %s\n",
                                    json_get_str(hm, "http_method"), json_get_str(hm, "url_path"));
                        const char *ec = json_get_str(hm, "expected_codes");
                        if (ec)
                                strbuf_addf(sb, "    http-check expect rstatus %s\n", ec);
                }
                strbuf_addf(sb, "    timeout check %llds\n",
                            (long long)json_get_int(hm, "timeout", 5));
                strbuf_addf(sb, "    default-server inter %llds fall %lld rise %lld\n",
                            (long long)json_get_int(hm, "delay", 5),
                            (long long)json_get_int(hm, "max_retries_down", 3),
                            (long long)json_get_int(hm, "max_retries", 3));
        }
        size_t i;
        json_t *mref;
        json_array_foreach(json_object_get(pool, "members"), i, mref)
        {
                json_t *m = sim_get(s, K_MEMBER, json_get_str(mref, "id"));
                if (!m)
                        continue;
                const char *ps = json_get_str(m, "provisioning_status");
                if (ps && streq(ps, "PENDING_CREATE"))
                        continue;
                _cleanup_free_ char *addr = member_backing(s, m);
                strbuf_addf(sb, "    server %s %s:%lld weight %lld%s%s%s\n", json_get_str(m, "id"),
                            addr, (long long)json_get_int(m, "protocol_port", 0),
                            (long long)json_get_int(m, "weight", 1), check ? " check" : "",
                            json_get_bool(m, "backup", false) ? " backup" : "",
                            json_get_bool(m, "admin_state_up", true) ? "" : " disabled");
        }
}

static char *render(struct sim *s, json_t *lb)
{
        const char *id = json_get_str(lb, "id");
        const char *ps = json_get_str(lb, "provisioning_status");
        if (!ps || streq(ps, "PENDING_CREATE") || streq(ps, "PENDING_DELETE"))
                return NULL;
        json_t *vport = sim_get(s, K_PORT, json_get_str(lb, "vip_port_id"));
        const char *vip = json_string_value(json_array_get(json_object_get(vport, "_backing"), 0));
        if (!vip)
                return NULL;
        /* floating IPs on the VIP port are real loopback addresses too */
        json_t *fips = json_checked(json_array());
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_FIP], k, v)
        {
                const char *p = json_get_str(v, "port_id");
                if (p && streq(p, json_get_str(vport, "id")))
                        json_array_append_new(fips,
                                              json_string(json_get_str(v, "floating_ip_address")));
        }
        struct strbuf sb = STRBUF_INIT;
        strbuf_addf(
                &sb,
                "# magnum-sim amphora for load balancer %s\n"
                "global\n    maxconn 4096\n    stats socket %s/lb-%s.sock mode 600 level admin\n"
                "\ndefaults\n    timeout connect 5s\n    timeout client 50s\n"
                "    timeout server 50s\n    log global\n",
                id, s->run_dir, id);
        int frontends = 0;
        size_t i;
        json_t *lref;
        bool lb_up = json_get_bool(lb, "admin_state_up", true);
        json_array_foreach(json_object_get(lb, "listeners"), i, lref)
        {
                json_t *l = sim_get(s, K_LISTENER, json_get_str(lref, "id"));
                if (!l || !lb_up || !json_get_bool(l, "admin_state_up", true))
                        continue;
                const char *lps = json_get_str(l, "provisioning_status");
                if (lps && (streq(lps, "PENDING_CREATE") || streq(lps, "PENDING_DELETE")))
                        continue;
                const char *proto = json_get_str(l, "protocol");
                if (proto && streq(proto, "UDP"))
                        continue; /* HAProxy does not do UDP */
                bool http = proto && streq(proto, "HTTP");
                long long port = json_get_int(l, "protocol_port", 0);
                strbuf_addf(&sb, "\nfrontend %s\n    mode %s\n    bind %s:%lld\n",
                            json_get_str(l, "id"), http ? "http" : "tcp", vip, port);
                size_t j;
                json_t *f;
                json_array_foreach(fips, j, f)
                        strbuf_addf(&sb, "    bind %s:%lld\n", json_string_value(f), port);
                long long limit = json_get_int(l, "connection_limit", -1);
                if (limit > 0)
                        strbuf_addf(&sb, "    maxconn %lld\n", limit);
                json_t *cidrs = json_object_get(l, "allowed_cidrs");
                if (json_array_size(cidrs) > 0) {
                        strbuf_addstr(&sb, "    acl allowed src");
                        json_array_foreach(cidrs, j, f)
                                strbuf_addf(&sb, " %s", json_string_value(f));
                        strbuf_addstr(&sb, "\n    tcp-request connection reject if !allowed\n");
                }
                json_t *pool = sim_get(s, K_POOL, json_get_str(l, "default_pool_id"));
                if (pool && json_get_bool(pool, "admin_state_up", true))
                        strbuf_addf(&sb, "    default_backend %s\n", json_get_str(pool, "id"));
                frontends++;
        }
        json_decref(fips);
        if (frontends == 0) {
                strbuf_release(&sb);
                return NULL;
        }
        json_t *pref;
        json_array_foreach(json_object_get(lb, "pools"), i, pref)
        {
                json_t *pool = sim_get(s, K_POOL, json_get_str(pref, "id"));
                const char *pps = pool ? json_get_str(pool, "provisioning_status") : NULL;
                if (pool && !(pps && streq(pps, "PENDING_CREATE")))
                        render_backend(s, &sb, pool);
        }
        return strbuf_detach(&sb, NULL);
}

struct sim_lb_plan *sim_haproxy_plan(struct sim *s, size_t *ret_n)
{
        size_t n = json_object_size(s->db[K_LB]), i = 0;
        struct sim_lb_plan *p = xnew(struct sim_lb_plan, n + 1);
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_LB], k, v)
        {
                p[i].lb_id = xstrdup(k);
                p[i].cfg = render(s, v);
                i++;
        }
        *ret_n = i;
        return p;
}

static int write_file(const char *path, const char *text)
{
        _cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
        FILE *f = fopen(tmp, "w");
        if (!f)
                return -errno;
        fputs(text, f);
        if (fclose(f) != 0)
                return -EIO;
        return rename(tmp, path) < 0 ? -errno : 0;
}

/* Runs haproxy in daemon mode (optionally replacing old_pid) and returns the new pid. */
static pid_t run_haproxy(struct sim *s, const char *lb_id, pid_t old_pid)
{
        _cleanup_free_ char *cfg = xasprintf("%s/lb-%s.cfg", s->run_dir, lb_id);
        _cleanup_free_ char *pidf = xasprintf("%s/lb-%s.pid", s->run_dir, lb_id);
        char oldbuf[32];
        snprintf(oldbuf, sizeof(oldbuf), "%d", (int)old_pid);
        unlink(pidf);
        pid_t child = fork();
        if (child < 0)
                return -errno;
        if (child == 0) {
                /* stdout/stderr stay ours so HAProxy's complaints land in our log */
                if (old_pid > 0)
                        execl(s->o.haproxy_bin, "haproxy", "-q", "-D", "-f", cfg, "-p", pidf, "-sf",
                              oldbuf, (char *)NULL);
                else
                        execl(s->o.haproxy_bin, "haproxy", "-q", "-D", "-f", cfg, "-p", pidf,
                              (char *)NULL);
                _exit(127);
        }
        int status = 0;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                log_error("event=haproxy_failed lb=%s status=%d cfg=%s", lb_id, status, cfg);
                return -EIO;
        }
        FILE *f = fopen(pidf, "r");
        if (!f)
                return -ENOENT;
        char line[32] = "";
        if (!fgets(line, sizeof(line), f))
                line[0] = '\0';
        fclose(f);
        long long pid;
        char *nl = strchr(line, '\n');
        if (nl)
                *nl = '\0';
        if (str_to_ll(line, 1, 1 << 30, &pid) < 0)
                return -EBADMSG;
        return (pid_t)pid;
}

static void stop_proc(struct sim *s, struct sim_lb_proc *p)
{
        if (p->pid > 0) {
                kill(p->pid, SIGTERM);
                for (int i = 0; i < 50 && kill(p->pid, 0) == 0; i++) {
                        struct timespec ts = {0, 20 * 1000000L};
                        nanosleep(&ts, NULL);
                }
                log_info("event=haproxy_stopped lb=%s pid=%d", p->lb_id, (int)p->pid);
        }
        _cleanup_free_ char *sock = xasprintf("%s/lb-%s.sock", s->run_dir, p->lb_id);
        unlink(sock);
        p->pid = 0;
        free(p->cfg);
        p->cfg = NULL;
}

void sim_haproxy_apply(struct sim *s, struct sim_lb_plan *plan, size_t n)
{
        /* stop processes whose load balancer is gone or has nothing to serve */
        for (struct sim_lb_proc **pp = &s->lbs; *pp;) {
                struct sim_lb_proc *p = *pp;
                bool keep = false;
                for (size_t i = 0; i < n && !keep; i++)
                        keep = streq(plan[i].lb_id, p->lb_id) && plan[i].cfg;
                if (keep) {
                        pp = &p->next;
                        continue;
                }
                stop_proc(s, p);
                *pp = p->next;
                free(p->lb_id);
                free(p);
        }
        for (size_t i = 0; i < n; i++) {
                if (!plan[i].cfg)
                        continue;
                struct sim_lb_proc *p = s->lbs;
                while (p && !streq(p->lb_id, plan[i].lb_id))
                        p = p->next;
                if (p && p->cfg && streq(p->cfg, plan[i].cfg) && p->pid > 0 && kill(p->pid, 0) == 0)
                        continue;
                if (!p) {
                        p = xnew(struct sim_lb_proc, 1);
                        p->lb_id = xstrdup(plan[i].lb_id);
                        p->next = s->lbs;
                        s->lbs = p;
                }
                _cleanup_free_ char *cfgp = xasprintf("%s/lb-%s.cfg", s->run_dir, p->lb_id);
                int r = write_file(cfgp, plan[i].cfg);
                if (r < 0) {
                        log_error_errno(r, "event=haproxy_cfg_write lb=%s", p->lb_id);
                        continue;
                }
                pid_t old = p->pid > 0 && kill(p->pid, 0) == 0 ? p->pid : 0;
                pid_t pid = run_haproxy(s, p->lb_id, old);
                if (pid < 0) {
                        log_error_errno((int)pid, "event=haproxy_start lb=%s", p->lb_id);
                        continue;
                }
                log_info("event=haproxy_%s lb=%s pid=%d", old ? "reloaded" : "started", p->lb_id,
                         (int)pid);
                p->pid = pid;
                free(p->cfg);
                p->cfg = xstrdup(plan[i].cfg);
        }
}

/* Sends "show stat" to a stats socket and returns the CSV (caller frees), NULL on failure. */
static char *show_stat(const char *path)
{
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return NULL;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(path) >= sizeof(sa.sun_path))
                return NULL;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        struct timeval tv = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return NULL;
        static const char cmd[] = "show stat\n";
        if (write(fd, cmd, sizeof(cmd) - 1) != (ssize_t)(sizeof(cmd) - 1))
                return NULL;
        struct strbuf sb = STRBUF_INIT;
        char buf[4096];
        ssize_t r;
        while ((r = read(fd, buf, sizeof(buf))) > 0 && sb.len < (1 << 20))
                strbuf_add(&sb, buf, (size_t)r);
        return strbuf_detach(&sb, NULL);
}

/* Parses HAProxy's CSV: member id (svname) → "UP" / "DOWN" / "MAINT" / "NOCHECK". */
static json_t *parse_stat(char *csv)
{
        json_t *out = json_checked(json_object());
        int col_sv = 1, col_status = -1;
        char *save = NULL;
        for (char *line = strtok_r(csv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *fields[64];
                int nf = 0;
                char *p = line;
                if (line[0] == '#')
                        p = line + 2;
                while (nf < 64) {
                        fields[nf++] = p;
                        char *comma = strchr(p, ',');
                        if (!comma)
                                break;
                        *comma = '\0';
                        p = comma + 1;
                }
                if (line[0] == '#') {
                        for (int i = 0; i < nf; i++) {
                                if (streq(fields[i], "svname"))
                                        col_sv = i;
                                if (streq(fields[i], "status"))
                                        col_status = i;
                        }
                        continue;
                }
                if (col_status < 0 || nf <= col_status || nf <= col_sv)
                        continue;
                const char *sv = fields[col_sv], *st = fields[col_status];
                if (streq(sv, "FRONTEND") || streq(sv, "BACKEND"))
                        continue;
                const char *v = "NOCHECK";
                if (str_starts_with(st, "UP"))
                        v = "UP";
                else if (str_starts_with(st, "DOWN") || str_starts_with(st, "NOLB"))
                        v = "DOWN";
                else if (str_starts_with(st, "MAINT"))
                        v = "MAINT";
                if (streq(st, "no check"))
                        v = "NOCHECK";
                json_object_set_new(out, sv, json_string(v));
        }
        return out;
}

void sim_haproxy_poll(struct sim *s)
{
        for (struct sim_lb_proc *p = s->lbs; p; p = p->next) {
                if (p->pid <= 0)
                        continue;
                _cleanup_free_ char *sock = xasprintf("%s/lb-%s.sock", s->run_dir, p->lb_id);
                _cleanup_free_ char *csv = show_stat(sock);
                if (!csv)
                        continue;
                json_t *st = parse_stat(csv);
                pthread_mutex_lock(&s->lock);
                sim_octavia_health(s, p->lb_id, st);
                pthread_mutex_unlock(&s->lock);
                json_decref(st);
        }
}

void sim_haproxy_stop_all(struct sim *s)
{
        while (s->lbs) {
                struct sim_lb_proc *p = s->lbs;
                s->lbs = p->next;
                stop_proc(s, p);
                free(p->lb_id);
                free(p);
        }
}
