/*
 * bench_hot: parse + validate + resolve of Magnum's k8s_fedora_coreos_v1 kubecluster.yaml
 * with its environment files, then its nested templates (template resources and
 * ResourceGroup members, one level per nesting, properties passed as parameters). Prints the
 * time per full pass (mean / min over N passes), where a pass spends it (parse / validate /
 * resolve) and the process's peak RSS. Prints numbers, asserts nothing.
 *
 * The headline is the cold pass: every pass starts with no parsed document; within the pass
 * the calls share one hot_doc_cache, as the stacks of one operation do (environment files
 * and child templates are parsed once per pass, not once per nested stack). File contents
 * are read from disk once (the file cache), as an engine keeps them. For comparison it
 * then runs N passes of isolated calls (no document sharing at all) and N warm passes (the
 * document cache kept across passes, i.e. nothing parsed after the first pass).
 *
 *   bench_hot DRIVERS_DIR [N]     DRIVERS_DIR = .../magnum/drivers (from python3-magnum)
 *   BENCH_ROOT_ONLY=1: kubecluster.yaml alone; BENCH_VERBOSE=1: print failures;
 *   BENCH_ONLY=cold|isolated|warm: that mode only (for callgrind: instructions per pass
 *   are (Ir(N=11) - Ir(N=1)) / 10)
 */
#include "common/common.h"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "common/json_util.h"
#include "heat/hot.h"
#include "heat/hot_yaml.h"

static const char *const envs[] = {
        "with_private_network",   "no_etcd_volume",     "no_volume",
        "with_master_lb_octavia", "enable_floating_ip", "enable_lb_floating_ip",
};

struct counts {
        int templates, resolved, failed;
};

/* template path -> filled parameters, computed once outside the timed passes */
static json_t *param_cache;
/* file contents read from disk, shared across templates as an engine shares them */
static json_t *file_cache;

/* Values for parameters without defaults, by type (first allowed value when constrained). */
static json_t *fill_params(const char *path, json_t *given)
{
        _cleanup_free_ char *text = NULL;
        size_t len;
        json_t *t = NULL, *out = json_copy(given ? given : json_object());
        struct hot_err he = HOT_ERR_INIT;
        const char *name;
        json_t *def;

        if (hot_read_file(path, &text, &len) < 0 || hot_yaml_load(text, len, NULL, &t, &he) < 0) {
                hot_err_clear(&he);
                return out;
        }
        json_object_foreach(json_object_get(t, "parameters"), name, def)
        {
                const char *type = json_string_value(json_object_get(def, "type"));
                json_t *cons = json_object_get(def, "constraints"), *c, *v = NULL;
                size_t i;
                if (json_object_get(def, "default") || json_object_get(out, name))
                        continue;
                json_array_foreach(cons, i,
                                   c) if (json_array_size(json_object_get(c, "allowed_values"))) v =
                        json_incref(json_array_get(json_object_get(c, "allowed_values"), 0));
                if (!v)
                        v = !type                                       ? json_string("x")
                            : strcmp(type, "number") == 0               ? json_integer(1)
                            : strcmp(type, "boolean") == 0              ? json_false()
                            : strcmp(type, "json") == 0                 ? json_object()
                            : strcmp(type, "comma_delimited_list") == 0 ? json_string("")
                                                                        : json_string("bench");
                json_object_set_new(out, name, v);
        }
        json_decref(t);
        return out;
}

/* what one pass shares between its calls */
struct pass {
        struct hot_doc_cache *docs; /* NULL: every call parses everything itself */
        struct hot_stats *stats;
};

static void run_one(const char *path, json_t *params, const char *const *env_paths, size_t n_env,
                    int depth, const struct pass *ps, struct counts *c)
{
        _cleanup_free_ char *dir = NULL;
        json_t *out = NULL, *res, *rd, *p;
        struct hot_input in = {.tmpl_path = path,
                               .env_paths = env_paths,
                               .n_env = n_env,
                               .stack_name = "bench",
                               .file_cache = file_cache,
                               .doc_cache = ps->docs,
                               .stats = ps->stats};
        struct hot_err he = HOT_ERR_INIT;
        const char *name;

        p = json_object_get(param_cache, path);
        if (!p) {
                p = fill_params(path, params);
                json_object_set_new(param_cache, path, p);
        }
        in.params = p;
        c->templates++;
        /* hot_resolve = parse + validate (as hot_validate) + resolve */
        if (hot_resolve(&in, &out, &he) < 0) {
                c->failed++;
                if (getenv("BENCH_VERBOSE")) {
                        _cleanup_free_ char *m = hot_err_str(&he);
                        fprintf(stderr, "%s: %s: %s\n", path, he.type, m);
                }
                hot_err_clear(&he);
                return;
        }
        c->resolved++;
        if (depth >= 3 || getenv("BENCH_ROOT_ONLY")) {
                json_decref(out);
                return;
        }
        {
                const char *slash = strrchr(path, '/');
                dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
        }
        res = json_object_get(out, "resources");
        json_object_foreach(res, name, rd)
        {
                const char *type = json_string_value(json_object_get(rd, "type"));
                json_t *props = json_object_get(rd, "properties"), *child_params;
                _cleanup_free_ char *child = NULL;
                if (type && strcmp(type, "OS::Heat::ResourceGroup") == 0) {
                        json_t *def = json_object_get(props, "resource_def");
                        type = json_string_value(json_object_get(def, "type"));
                        props = json_object_get(def, "properties");
                }
                if (!type || !str_ends_with(type, ".yaml"))
                        continue;
                child = type[0] == '/' ? xstrdup(type) : xasprintf("%s/%s", dir, type);
                if (access(child, R_OK) != 0 && env_paths && n_env) {
                        /* registry values are relative to the environment file */
                        const char *slash = strrchr(env_paths[0], '/');
                        _cleanup_free_ char *edir =
                                slash ? xstrndup(env_paths[0], (size_t)(slash - env_paths[0]))
                                      : xstrdup(".");
                        free(child);
                        child = xasprintf("%s/%s", edir, type);
                }
                child_params = json_object();
                {
                        const char *k;
                        json_t *v;
                        json_object_foreach(props, k, v) if (!json_is_null(v))
                                json_object_set(child_params, k, v);
                }
                run_one(child, child_params, env_paths, n_env, depth + 1, ps, c);
                json_decref(child_params);
        }
        json_decref(out);
}

static double now(clockid_t clk)
{
        struct timespec ts;

        clock_gettime(clk, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum mode { COLD, ISOLATED, WARM };

static const struct {
        const char *name, *what;
} modes[] = {
        [COLD] = {"cold", "cold (headline; nothing parsed before a pass)"},
        [ISOLATED] = {"isolated", "isolated calls (no document shared within a pass)"},
        [WARM] = {"warm", "warm (documents cached across passes; not the headline)"},
};

struct result {
        double total, best, cpu, median;
        double free_docs; /* freeing the pass's document cache (cold) */
        struct hot_stats st;
        struct counts c;
};

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

/* n passes in one mode */
static void run_passes(enum mode m, long long n, const char *root, json_t *cluster_params,
                       const char *const *env_paths, size_t n_env, struct result *res)
{
        struct hot_doc_cache *keep = m == WARM ? hot_doc_cache_new() : NULL;
        double *times = xnew(double, (size_t)n);
        double cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);

        memset(res, 0, sizeof(*res));
        res->best = 1e9;
        for (long long i = 0; i < n; i++) {
                double t0 = now(CLOCK_MONOTONIC), dt;
                struct pass ps = {.docs = m == COLD ? hot_doc_cache_new() : keep,
                                  .stats = &res->st};
                memset(&res->c, 0, sizeof(res->c));
                run_one(root, cluster_params, env_paths, n_env, 0, &ps, &res->c);
                if (m == COLD) {
                        double f0 = now(CLOCK_MONOTONIC);
                        hot_doc_cache_free(ps.docs);
                        res->free_docs += now(CLOCK_MONOTONIC) - f0;
                }
                dt = now(CLOCK_MONOTONIC) - t0;
                times[i] = dt;
                res->total += dt;
                if (dt < res->best)
                        res->best = dt;
        }
        res->cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
        /* the median resists the shared machine's slow spells better than the mean */
        qsort(times, (size_t)n, sizeof(*times), cmp_double);
        res->median = times[n / 2];
        free(times);
        hot_doc_cache_free(keep);
}

static void print_result(const char *what, long long n, const struct result *r)
{
        double k = 1e3 / (double)n;

        printf("bench_hot: %s: %lld passes: wall mean %.3f ms, median %.3f ms, min %.3f ms; "
               "CPU %.3f ms per pass\n",
               what, n, r->total * k, r->median * 1e3, r->best * 1e3, r->cpu * k);
        printf("bench_hot:   per pass: parse %.3f ms, validate %.3f ms, resolve %.3f ms, "
               "freeing documents %.3f ms, other %.3f ms (bench: results, child parameters)\n",
               r->st.parse * k, r->st.validate * k, r->st.resolve * k, r->free_docs * k,
               (r->total - r->st.parse - r->st.validate - r->st.resolve - r->free_docs) * k);
}

int main(int argc, char **argv)
{
        const char *drivers = argc > 1 ? argv[1] : NULL;
        long long n = 50;
        _cleanup_free_ char *root = NULL;
        const char *env_paths[ARRAY_SIZE(envs)];
        char *env_store[ARRAY_SIZE(envs)];
        struct result warmup, cold = {0}, iso = {0}, warm = {0};
        const char *only = getenv("BENCH_ONLY");
        int printed = 0;
        struct rusage ru;

        if (argc > 2 && str_to_ll(argv[2], 1, 1000000, &n) < 0)
                n = 0;
        if (!drivers || n <= 0) {
                fprintf(stderr, "usage: bench_hot MAGNUM_DRIVERS_DIR [N]\n");
                return 2;
        }
        root = xasprintf("%s/k8s_fedora_coreos_v1/templates/kubecluster.yaml", drivers);
        for (size_t i = 0; i < ARRAY_SIZE(envs); i++) {
                env_store[i] =
                        xasprintf("%s/common/templates/environments/%s.yaml", drivers, envs[i]);
                env_paths[i] = env_store[i];
        }
        /* what Magnum sets for the cluster stack (the rest: defaults / filled by type) */
        json_auto_t *cluster_params = json_pack("{sbsisi}", "is_cluster_stack", 1,
                                                "number_of_masters", 1, "number_of_minions", 2);
        param_cache = json_object();
        file_cache = json_object();
        /* warm-up: fills the file and parameter caches (not timed) */
        run_passes(ISOLATED, 1, root, cluster_params, env_paths, ARRAY_SIZE(envs), &warmup);
        for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
                struct result *r = m == COLD ? &cold : m == ISOLATED ? &iso : &warm;
                if (only && strcmp(only, modes[m].name) != 0)
                        continue;
                run_passes((enum mode)m, n, root, cluster_params, env_paths, ARRAY_SIZE(envs), r);
                getrusage(RUSAGE_SELF, &ru);
                if (!printed++)
                        printf("bench_hot: kubecluster.yaml + %zu env files + nested templates: %d "
                               "templates per pass (%d parsed+validated+resolved, %d failed)\n",
                               ARRAY_SIZE(envs), r->c.templates, r->c.resolved, r->c.failed);
                print_result(modes[m].what, n, r);
                printf("bench_hot:   peak RSS of the process so far %.1f MB\n",
                       (double)ru.ru_maxrss / 1024.0);
                fflush(stdout);
        }
        json_decref(param_cache);
        json_decref(file_cache);
        for (size_t i = 0; i < ARRAY_SIZE(envs); i++)
                free(env_store[i]);
        return cold.c.failed || iso.c.failed || warm.c.failed ? 1 : 0;
}
