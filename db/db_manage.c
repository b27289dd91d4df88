/*
 * magnum-db-manage: applies the embedded schema migrations (`upgrade`) and prints the schema
 * version (`version`), reading `[database] connection` from the config file as Magnum's tool
 * does. Exit status: 0 success, 1 failure (the message names the migration and quotes the
 * server), 2 bad usage.
 */
#include "common/common.h"

#include "common/config.h"
#include "common/db.h"
#include "db/migrations.h"

#define DEFAULT_CONFIG_FILE "/etc/magnum/magnum.conf"

/* [DEFAULT] options this tool reads besides [database] (common/db.h db_conf_load). */
struct manage_opts {
        bool debug;
};

static const struct conf_option manage_options[] = {
        {"DEFAULT", "debug", CONF_BOOL, "false", offsetof(struct manage_opts, debug), 0, 0,
         "Log at debug level."},
};

static void usage(FILE *f)
{
        fprintf(f,
                "usage: magnum-db-manage [--config-file PATH]... [--config-dir DIR]... [--debug] "
                "{upgrade [head] | version}\n");
}

static int cmd_upgrade(struct db_conn *c, struct err *e)
{
        int before = 0, applied = 0, after = 0;
        int r = db_schema_version(c, &before, e);
        if (r >= 0)
                r = magnum_db_upgrade(c, &applied, e);
        if (r >= 0)
                r = db_schema_version(c, &after, e);
        if (r < 0)
                return r;
        if (applied == 0)
                printf("Database is already at version %d; nothing to do\n", after);
        else
                printf("Upgraded database from version %d to %d (%d migration%s applied)\n", before,
                       after, applied, applied == 1 ? "" : "s");
        return 0;
}

static int cmd_version(struct db_conn *c, struct err *e)
{
        int v = 0;
        int r = db_schema_version(c, &v, e);
        if (r < 0)
                return r;
        printf("Current DB revision is %d\n", v);
        return 0;
}

static const struct {
        const char *name;
        int (*run)(struct db_conn *c, struct err *e);
} commands[] = {
        {"upgrade", cmd_upgrade},
        {"version", cmd_version},
};

int main(int argc, char **argv)
{
        struct conf_cli cli = {0};
        _cleanup_err_ struct err e = ERR_INIT;
        bool debug = false;
        int i = 1;
        for (; i < argc; i++) {
                const char *a = argv[i];
                int ca = conf_cli_arg(&cli, argc, argv, &i, &e);
                if (ca < 0) {
                        fprintf(stderr, "magnum-db-manage: %s\n", err_msg(&e));
                        usage(stderr);
                        return 2;
                }
                if (ca > 0)
                        continue;
                if (streq(a, "--debug") || streq(a, "-d")) {
                        debug = true;
                } else if (streq(a, "-h") || streq(a, "--help")) {
                        usage(stdout);
                        return 0;
                } else if (a[0] == '-') {
                        fprintf(stderr, "magnum-db-manage: unknown option %s\n", a);
                        usage(stderr);
                        return 2;
                } else {
                        break;
                }
        }
        if (i >= argc) {
                usage(stderr);
                return 2;
        }
        const char *cmd = argv[i++];
        size_t k = 0;
        while (k < ARRAY_SIZE(commands) && !streq(commands[k].name, cmd))
                k++;
        if (k == ARRAY_SIZE(commands)) {
                fprintf(stderr, "magnum-db-manage: unknown command '%s'\n", cmd);
                usage(stderr);
                return 2;
        }
        /* `upgrade head` is what deployment tools type; other targets are not supported */
        if (i < argc && !(streq(cmd, "upgrade") && streq(argv[i], "head") && i + 1 == argc)) {
                fprintf(stderr, "magnum-db-manage: unexpected argument '%s'\n", argv[i]);
                usage(stderr);
                return 2;
        }

        log_setup("magnum-db-manage", debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
        _cleanup_(conf_freep) struct conf *conf = NULL;
        if (cli.n_files + cli.n_dirs == 0)
                cli.files[cli.n_files++] = DEFAULT_CONFIG_FILE;
        int r = conf_load_cli(&cli, &conf, &e);
        if (r < 0) {
                fprintf(stderr, "magnum-db-manage: %s\n", err_msg(&e));
                return 1;
        }
        struct manage_opts mopts = {0};
        r = conf_apply(conf, manage_options, ARRAY_SIZE(manage_options), &mopts, &e);
        if (r < 0) {
                fprintf(stderr, "magnum-db-manage: %s\n", err_msg(&e));
                return 1;
        }
        if (mopts.debug && !debug)
                log_setup("magnum-db-manage", LOG_LVL_DEBUG);
        struct db_conf dc;
        r = db_conf_load(conf, &dc, &e);
        if (r < 0) {
                fprintf(stderr, "magnum-db-manage: %s\n", err_msg(&e));
                return 1;
        }
        _cleanup_db_conn_ struct db_conn *c = NULL;
        r = db_connect(dc.connection, &c, &e);
        db_conf_release(&dc);
        if (r >= 0)
                r = commands[k].run(c, &e);
        if (r < 0) {
                fprintf(stderr, "magnum-db-manage: %s failed: %s\n", cmd, err_msg(&e));
                return 1;
        }
        return 0;
}
