/*
 * magnum-heat: debug/conformance CLI for the HOT template library.
 *   magnum-heat validate TEMPLATE [-e ENV]... [-P k=v]... [--files FILES.json]
 *   magnum-heat resolve  TEMPLATE [-e ENV]... [-P k=v]... [--files F] [--attrs A] [--stack-name N]
 * Prints one JSON document; exit 0 ok, 1 Heat error ({"ok": false, "error", "message"}),
 * 2 usage / IO error.
 */
#include "common/common.h"

#include "common/json_util.h"
#include "heat/hot.h"

static int usage(void)
{
        fprintf(stderr,
                "usage: magnum-heat validate|resolve TEMPLATE [-e ENV]... [-P name=value]... "
                "[--files FILES.json] [--attrs ATTRS.json] [--stack-name NAME]\n");
        return 2;
}

static json_t *load_json_file(const char *path)
{
        _cleanup_free_ char *buf = NULL;
        size_t len;
        json_t *j = NULL;
        struct err e = ERR_INIT;

        if (hot_read_file(path, &buf, &len) < 0) {
                fprintf(stderr, "magnum-heat: cannot read %s\n", path);
                return NULL;
        }
        if (json_parse_limited(buf, len, 64 * 1024 * 1024, 256, &j, &e) < 0 || !json_is_object(j)) {
                fprintf(stderr, "magnum-heat: %s: %s\n", path, e.msg ? e.msg : "not a JSON object");
                err_clear(&e);
                json_decref(j);
                return NULL;
        }
        return j;
}

int main(int argc, char **argv)
{
        const char **envs = xnew(const char *, (size_t)argc + 1);
        json_auto_t *params = json_checked(json_object()), *files = NULL, *attrs = NULL;
        struct hot_input in = {0};
        struct hot_err he = HOT_ERR_INIT;
        json_t *out = NULL;
        const char *cmd, *tmpl = NULL;
        size_t n_env = 0;
        int r, rc;

        if (argc < 3) {
                free(envs);
                return usage();
        }
        cmd = argv[1];
        for (int i = 2; i < argc; i++) {
                const char *a = argv[i];
                if ((strcmp(a, "-e") == 0 || strcmp(a, "--environment") == 0) && i + 1 < argc) {
                        envs[n_env++] = argv[++i];
                } else if ((strcmp(a, "-P") == 0 || strcmp(a, "--parameter") == 0) &&
                           i + 1 < argc) {
                        const char *kv = argv[++i], *eq = strchr(kv, '=');
                        _cleanup_free_ char *k = NULL;
                        if (!eq) {
                                free(envs);
                                return usage();
                        }
                        k = xstrndup(kv, (size_t)(eq - kv));
                        json_object_set_new(params, k, json_checked(json_string(eq + 1)));
                } else if (strcmp(a, "--files") == 0 && i + 1 < argc) {
                        files = load_json_file(argv[++i]);
                        if (!files) {
                                free(envs);
                                return 2;
                        }
                } else if (strcmp(a, "--attrs") == 0 && i + 1 < argc) {
                        attrs = load_json_file(argv[++i]);
                        if (!attrs) {
                                free(envs);
                                return 2;
                        }
                } else if (strcmp(a, "--stack-name") == 0 && i + 1 < argc) {
                        in.stack_name = argv[++i];
                } else if (a[0] == '-' || tmpl) {
                        free(envs);
                        return usage();
                } else {
                        tmpl = a;
                }
        }
        if (!tmpl) {
                free(envs);
                return usage();
        }
        in.tmpl_path = tmpl;
        in.env_paths = envs;
        in.n_env = n_env;
        in.files = files;
        in.params = params;
        in.attrs = attrs;
        if (strcmp(cmd, "validate") == 0) {
                r = hot_validate(&in, &out, &he);
        } else if (strcmp(cmd, "resolve") == 0) {
                r = hot_resolve(&in, &out, &he);
        } else {
                free(envs);
                return usage();
        }
        free(envs);
        if (r < 0) {
                _cleanup_free_ char *msg = hot_err_str(&he);
                if (he.type && strcmp(he.type, "IOError") == 0) {
                        fprintf(stderr, "magnum-heat: %s\n", msg);
                        hot_err_clear(&he);
                        return 2;
                }
                out = json_pack("{sbssss}", "ok", 0, "error", he.type ? he.type : "Error",
                                "message", msg);
                rc = 1;
        } else {
                rc = 0;
        }
        {
                char *s = json_dumps(out, JSON_INDENT(2) | JSON_ENSURE_ASCII);
                printf("%s\n", s);
                free(s);
        }
        json_decref(out);
        hot_err_clear(&he);
        return rc;
}
