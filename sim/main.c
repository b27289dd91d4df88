/*
 * magnum-sim: the embedded development cloud. Reads [sim] and [keystone_authtoken] from a
 * magnum.conf-style file, seeds its model, serves Nova/Neutron/Glance/Cinder/Octavia and the
 * admin API on 127.0.0.1 until SIGINT/SIGTERM, then stops every HAProxy and COE endpoint it
 * started (and writes the snapshot file when one is configured).
 *
 *   magnum-sim [--config-file FILE] [--set SECTION.NAME=VALUE]...
 */
#include "common/common.h"

#include <getopt.h>
#include <signal.h>

#include "common/config.h"
#include "common/ids.h"
#include "sim/sim.h"

#define O(sec, name, type, def, field, min, max, help)                                             \
        {                                                                                          \
                sec, name, type, def, offsetof(struct sim_opts, field), min, max, help             \
        }

static const struct conf_option sim_options[] = {
        O("sim", "host", CONF_STR, "127.0.0.1", host, 0, 0, "Address the APIs listen on."),
        O("sim", "nova_port", CONF_INT, "8774", ports[SVC_NOVA], 0, 65535, "Compute API port."),
        O("sim", "neutron_port", CONF_INT, "9696", ports[SVC_NEUTRON], 0, 65535,
          "Network API port."),
        O("sim", "glance_port", CONF_INT, "9292", ports[SVC_GLANCE], 0, 65535, "Image API port."),
        O("sim", "cinder_port", CONF_INT, "8776", ports[SVC_CINDER], 0, 65535,
          "Block storage API port."),
        O("sim", "octavia_port", CONF_INT, "9876", ports[SVC_OCTAVIA], 0, 65535,
          "Load-balancer API port."),
        O("sim", "admin_port", CONF_INT, "8799", ports[SVC_ADMIN], 0, 65535,
          "Admin API port (faults, reset, snapshots)."),
        O("sim", "auth_strategy", CONF_STR, "keystone", auth_strategy, 0, 0,
          "keystone (validate X-Auth-Token) or noauth (project from X-Project-Id)."),
        O("sim", "boot_delay_ms", CONF_INT, "500", boot_delay_ms, 0, 3600000,
          "How long a server stays in BUILD."),
        O("sim", "lb_delay_ms", CONF_INT, "200", lb_delay_ms, 0, 3600000,
          "How long Octavia objects stay PENDING_*."),
        O("sim", "volume_delay_ms", CONF_INT, "200", volume_delay_ms, 0, 3600000,
          "How long a volume stays creating."),
        O("sim", "delete_delay_ms", CONF_INT, "100", delete_delay_ms, 0, 3600000,
          "How long a volume stays deleting."),
        O("sim", "state_dir", CONF_STR, ".state/sim", state_dir, 0, 0,
          "Directory for HAProxy configs, sockets and COE certificates."),
        O("sim", "snapshot_file", CONF_STR, NULL, snapshot_file, 0, 0,
          "Load the model from this file at start (when present) and save it at exit."),
        O("sim", "haproxy_bin", CONF_STR, "/usr/sbin/haproxy", haproxy_bin, 0, 0,
          "HAProxy binary backing Octavia load balancers."),
        O("sim", "floating_cidr", CONF_STR, "127.254.0.0/16", floating_cidr, 0, 0,
          "CIDR of the external network `public` (real loopback addresses)."),
        O("sim", "k8s_version", CONF_STR, "v1.21.11", k8s_version, 0, 0,
          "gitVersion the emulated Kubernetes masters report."),
        O("sim", "k8s_port", CONF_INT, "6443", k8s_port, 1, 65535,
          "Port of the emulated Kubernetes API."),
        O("sim", "swarm_port", CONF_INT, "2376", swarm_port, 1, 65535,
          "Port of the emulated Docker Engine API."),
        O("sim", "mesos_port", CONF_INT, "5050", mesos_port, 1, 65535,
          "Port of the emulated Mesos master."),
        O("sim", "health_interval_ms", CONF_INT, "1000", health_interval_ms, 100, 600000,
          "How often member health is read from HAProxy."),
        O("sim", "signal", CONF_BOOL, "true", signal_enabled, 0, 0,
          "Signal WaitConditions / SoftwareDeployments found in user_data after boot."),
        O("sim", "orchestration_url", CONF_STR, NULL, orchestration_url, 0, 0,
          "Override the orchestration endpoint used for deployment signals."),
        O("sim", "quota_instances", CONF_INT, "1000000", quota_instances, -1, 1 << 30,
          "Nova instances per project."),
        O("sim", "quota_cores", CONF_INT, "-1", quota_cores, -1, 1 << 30, "Nova cores."),
        O("sim", "quota_ram", CONF_INT, "-1", quota_ram, -1, 1 << 30, "Nova RAM (MB)."),
        O("sim", "quota_network", CONF_INT, "100", quota_network, -1, 1 << 30, ""),
        O("sim", "quota_subnet", CONF_INT, "100", quota_subnet, -1, 1 << 30, ""),
        O("sim", "quota_port", CONF_INT, "-1", quota_port, -1, 1 << 30, ""),
        O("sim", "quota_router", CONF_INT, "10", quota_router, -1, 1 << 30, ""),
        O("sim", "quota_floatingip", CONF_INT, "50", quota_floatingip, -1, 1 << 30, ""),
        O("sim", "quota_security_group", CONF_INT, "10", quota_security_group, -1, 1 << 30, ""),
        O("sim", "quota_security_group_rule", CONF_INT, "100", quota_security_group_rule, -1,
          1 << 30, ""),
        O("sim", "quota_volumes", CONF_INT, "10", quota_volumes, -1, 1 << 30, ""),
        O("sim", "quota_gigabytes", CONF_INT, "1000", quota_gigabytes, -1, 1 << 30, ""),
        O("sim", "quota_loadbalancer", CONF_INT, "-1", quota_loadbalancer, -1, 1 << 30, ""),
        O("sim", "log_level", CONF_STR, "info", log_level, 0, 0, "debug, info, warning, error."),
        O("keystone_authtoken", "auth_url", CONF_STR, "http://127.0.0.1:5000/v3", ks_auth_url, 0, 0,
          "Keystone the tokens are validated against."),
        O("keystone_authtoken", "username", CONF_STR, "magnum", ks_username, 0, 0, ""),
        O("keystone_authtoken", "password", CONF_STR, "secret", ks_password, 0, 0, ""),
        O("keystone_authtoken", "project_name", CONF_STR, "service", ks_project_name, 0, 0, ""),
        O("keystone_authtoken", "user_domain_name", CONF_STR, "Default", ks_user_domain_name, 0, 0,
          ""),
        O("keystone_authtoken", "project_domain_name", CONF_STR, "Default", ks_project_domain_name,
          0, 0, ""),
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
        got_signal = sig;
}

static void usage(FILE *f)
{
        fprintf(f, "usage: magnum-sim [--config-file FILE] [--set SECTION.NAME=VALUE]...\n");
}

int main(int argc, char **argv)
{
        static const struct option longopts[] = {
                {"config-file", required_argument, NULL, 'c'},
                {"set", required_argument, NULL, 's'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        const char *config_file = NULL;
        struct conf *c = conf_new_empty();
        struct err e = ERR_INIT;
        int opt;
        /* --set overrides are applied after the file is loaded */
        char *sets[64];
        int n_sets = 0;
        while ((opt = getopt_long(argc, argv, "c:s:h", longopts, NULL)) != -1) {
                switch (opt) {
                case 'c':
                        config_file = optarg;
                        break;
                case 's':
                        if (n_sets < 64)
                                sets[n_sets++] = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (config_file) {
                conf_free(c);
                c = NULL;
                if (conf_load_file(config_file, &c, &e) < 0) {
                        fprintf(stderr, "magnum-sim: %s\n", err_msg(&e));
                        return 1;
                }
        }
        for (int i = 0; i < n_sets; i++) {
                _cleanup_free_ char *dup = xstrdup(sets[i]);
                char *dot = strchr(dup, '.');
                char *eq = strchr(dup, '=');
                if (!dot || !eq || eq < dot) {
                        fprintf(stderr, "magnum-sim: --set wants SECTION.NAME=VALUE\n");
                        return 2;
                }
                *dot = '\0';
                *eq = '\0';
                conf_set(c, dup, dot + 1, eq + 1);
        }
        struct sim_opts o = {0};
        if (conf_apply(c, sim_options, ARRAY_SIZE(sim_options), &o, &e) < 0) {
                fprintf(stderr, "magnum-sim: %s\n", err_msg(&e));
                return 1;
        }
        conf_free(c);
        enum log_level lvl = LOG_LVL_INFO;
        if (log_level_from_string(o.log_level, &lvl) < 0) {
                fprintf(stderr, "magnum-sim: [sim] log_level: bad value '%s'\n", o.log_level);
                return 1;
        }
        log_setup("magnum-sim", lvl);
        int64_t t0 = time_mono_ms();

        struct sim *s = NULL;
        int r = sim_new(&o, &s, &e);
        if (r < 0) {
                log_error("event=start_failed err=\"%s\"", err_msg(&e));
                return 1;
        }
        if (o.snapshot_file) {
                err_clear(&e);
                r = sim_snapshot_load(s, o.snapshot_file, &e);
                if (r < 0 && r != -ENOENT) {
                        log_error("event=snapshot_load_failed err=\"%s\"", err_msg(&e));
                        sim_free(s);
                        return 1;
                }
                if (r == 0)
                        log_info("event=snapshot_loaded path=%s", o.snapshot_file);
        }
        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        err_clear(&e);
        r = sim_start(s, &e);
        if (r < 0) {
                log_error("event=start_failed err=\"%s\"", err_msg(&e));
                sim_free(s);
                return 1;
        }
        log_info("event=ready startup_ms=%lld nova=%d neutron=%d glance=%d cinder=%d octavia=%d "
                 "admin=%d auth=%s",
                 (long long)(time_mono_ms() - t0), o.ports[SVC_NOVA], o.ports[SVC_NEUTRON],
                 o.ports[SVC_GLANCE], o.ports[SVC_CINDER], o.ports[SVC_OCTAVIA], o.ports[SVC_ADMIN],
                 o.auth_strategy);
        while (!got_signal)
                pause();
        log_info("event=stopping signal=%d", (int)got_signal);
        sim_stop(s);
        if (o.snapshot_file) {
                err_clear(&e);
                if (sim_snapshot_save(s, o.snapshot_file, &e) < 0)
                        log_error("event=snapshot_save_failed err=\"%s\"", err_msg(&e));
        }
        sim_free(s);
        conf_release(sim_options, ARRAY_SIZE(sim_options), &o);
        err_clear(&e);
        return 0;
}
