/*
 * Configuration: an INI file in magnum.conf's shape ([DEFAULT] transport_url, [database]
 * connection, [api] port, ...) parsed once at start-up into a frozen `struct conf`, then applied
 * to typed option tables that each module owns:
 *
 *   struct api_opts { char *host; int port; };
 *   static const struct conf_option api_options[] = {
 *           {"api", "host", CONF_STR, "127.0.0.1", offsetof(struct api_opts, host), 0, 0,
 *            "Address magnum-api listens on."},
 *           {"api", "port", CONF_INT, "9511", offsetof(struct api_opts, port), 1, 65535,
 *            "Port magnum-api listens on."},
 *   };
 *   r = conf_apply(conf, api_options, ARRAY_SIZE(api_options), &opts, &e);
 *
 * Every error names the file and line ("magnum.conf:12: [api] port: 'abc' is not an integer").
 * Option names not in any table are ignored, as oslo.config does. Section names are
 * case-sensitive except DEFAULT.
 */
#ifndef MC_CONFIG_H
#define MC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

struct conf;

enum conf_type {
        CONF_STR,    /* char * (owned by the target; NULL when the default is NULL) */
        CONF_INT,    /* int, checked against [min, max] */
        CONF_BOOL,   /* bool; true/false, yes/no, on/off, 1/0 (case-insensitive) */
        CONF_DOUBLE, /* double, checked against [min, max] when min < max */
};

struct conf_option {
        const char *section;
        const char *name;
        enum conf_type type;
        const char *def; /* default as text, NULL for none */
        size_t offset;   /* offsetof() into the target struct */
        long long min, max;
        const char *help;
};

/* Limits on what a config file may hold. */
#define CONF_MAX_BYTES   (1024 * 1024)
#define CONF_MAX_ENTRIES 4096

/* Parses an INI file. Syntax errors → -EINVAL with "path:line: ..." in e. Missing file →
 * -ENOENT. On success *ret owns the new conf. */
int conf_load_file(const char *path, struct conf **ret, struct err *e);
/* Same for text held in memory; `name` is used in messages. */
int conf_load_string(const char *text, const char *name, struct conf **ret, struct err *e);
struct conf *conf_new_empty(void);
void conf_free(struct conf *c);
/* Appends src's values after dst's (so they override them), keeping each value's file and line
 * for messages; takes over and frees src. */
void conf_merge(struct conf *dst, struct conf *src);

/* The configuration a service's command line names, as oslo.config reads it: each
 * `--config-file PATH` in order (later files override earlier ones), then every `*.conf` of each
 * `--config-dir DIR` in name order. */
#define CONF_CLI_MAX 32
struct conf_cli {
        const char *files[CONF_CLI_MAX];
        const char *dirs[CONF_CLI_MAX];
        size_t n_files, n_dirs;
};
/* If argv[*i] is --config-file / --config-dir (or their `_` spellings, with the value in the
 * next argument or after '='), records it, advances *i past a separate value and returns 1;
 * returns 0 for any other argument; -EINVAL when the value is missing, -E2BIG past
 * CONF_CLI_MAX. The strings are borrowed from argv. */
int conf_cli_arg(struct conf_cli *cli, int argc, char **argv, int *i, struct err *e);
/* Loads what cli names into one conf (an empty one when it names nothing). A missing or
 * unreadable file or directory → its -errno with the path in e; syntax errors as
 * conf_load_file. */
int conf_load_cli(const struct conf_cli *cli, struct conf **ret, struct err *e);

/* Raw lookup (last assignment wins); NULL when absent. */
const char *conf_get(const struct conf *c, const char *section, const char *name);
/* Adds or overrides a value (used for command-line overrides and tests). */
void conf_set(struct conf *c, const char *section, const char *name, const char *value);

/* Fills `target` from the table: every option gets its configured value or its default.
 * Strings previously in the target are not freed (apply once to a zeroed struct). */
int conf_apply(const struct conf *c, const struct conf_option *opts, size_t n, void *target,
               struct err *e);
/* Frees the strings conf_apply put in target. */
void conf_release(const struct conf_option *opts, size_t n, void *target);

/* Parses an oslo-style boolean. */
int conf_parse_bool(const char *s, bool *ret);

static inline void conf_freep(struct conf **c)
{
        conf_free(*c);
}
#endif
