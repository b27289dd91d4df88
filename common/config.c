/* INI configuration with line-numbered errors and typed option tables: see config.h. */
#include "common/common.h"
#include "common/config.h"

#include <dirent.h>
#include <ini.h>
#include <limits.h>
#include <math.h>

struct conf_entry {
        char *section;
        char *name;
        char *value;
        int line;
        size_t source; /* index into conf.sources: the file the value came from */
};

struct conf {
        char **sources; /* file names for messages; [0] is the conf's own name */
        size_t n_sources, sources_alloc;
        struct conf_entry *entries;
        size_t n, alloc;
};

static size_t add_source(struct conf *c, const char *name)
{
        c->sources = xgrow(c->sources, c->n_sources + 1, &c->sources_alloc, sizeof(char *));
        c->sources[c->n_sources] = xstrdup(name);
        return c->n_sources++;
}

struct conf *conf_new_empty(void)
{
        struct conf *c = xnew(struct conf, 1);
        add_source(c, "<defaults>");
        return c;
}

void conf_free(struct conf *c)
{
        if (!c)
                return;
        for (size_t i = 0; i < c->n; i++) {
                free(c->entries[i].section);
                free(c->entries[i].name);
                free(c->entries[i].value);
        }
        free(c->entries);
        for (size_t i = 0; i < c->n_sources; i++)
                free(c->sources[i]);
        free(c->sources);
        free(c);
}

static bool section_eq(const char *a, const char *b)
{
        /* oslo.config treats DEFAULT case-insensitively only in that it is the one spelling;
         * accept "default" too, which is what users mistype. */
        if (strcaseeq(a, "DEFAULT") && strcaseeq(b, "DEFAULT"))
                return true;
        return streq(a, b);
}

static const struct conf_entry *conf_find(const struct conf *c, const char *section,
                                          const char *name)
{
        for (size_t i = c->n; i > 0; i--) {
                const struct conf_entry *en = &c->entries[i - 1];
                if (section_eq(en->section, section) && streq(en->name, name))
                        return en;
        }
        return NULL;
}

const char *conf_get(const struct conf *c, const char *section, const char *name)
{
        const struct conf_entry *en = conf_find(c, section, name);
        return en ? en->value : NULL;
}

static void conf_add(struct conf *c, const char *section, const char *name, const char *value,
                     int line)
{
        c->entries = xgrow(c->entries, c->n + 1, &c->alloc, sizeof(*c->entries));
        c->entries[c->n++] = (struct conf_entry){
                .section = xstrdup(section),
                .name = xstrdup(name),
                .value = xstrdup(value),
                .line = line,
        };
}

void conf_set(struct conf *c, const char *section, const char *name, const char *value)
{
        conf_add(c, section, name, value, 0);
}

/* Parsing state: inih calls our reader once per line, so the reader's count is the line the
 * handler is looking at. */
struct parse_state {
        struct conf *conf;
        const char *text;
        size_t pos, len;
        int line;
        bool too_many;
};

static char *reader(char *str, int num, void *stream)
{
        struct parse_state *ps = stream;
        size_t i = 0;

        if (ps->pos >= ps->len)
                return NULL;
        while (ps->pos < ps->len && i + 1 < (size_t)num) {
                char ch = ps->text[ps->pos++];
                str[i++] = ch;
                if (ch == '\n')
                        break;
        }
        str[i] = '\0';
        ps->line++;
        return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
        struct parse_state *ps = user;
        if (!name) /* section start notification */
                return 1;
        if (ps->conf->n >= CONF_MAX_ENTRIES) {
                ps->too_many = true;
                return 0;
        }
        conf_add(ps->conf, section[0] ? section : "DEFAULT", name, value ? value : "", ps->line);
        return 1;
}

int conf_load_string(const char *text, const char *name, struct conf **ret, struct err *e)
{
        _cleanup_(conf_freep) struct conf *c = conf_new_empty();
        struct parse_state ps = {.conf = c, .text = text, .len = strlen(text)};
        int r;

        free(c->sources[0]);
        c->sources[0] = xstrdup(name);
        if (ps.len > CONF_MAX_BYTES)
                return err_set(e, -EFBIG, "%s: larger than %d bytes", name, CONF_MAX_BYTES);
        r = ini_parse_stream(reader, &ps, handler, &ps);
        if (ps.too_many)
                return err_set(e, -E2BIG, "%s:%d: more than %d options", name, ps.line,
                               CONF_MAX_ENTRIES);
        if (r > 0)
                return err_set(e, -EINVAL,
                               "%s:%d: syntax error (expected [section] or name = value)", name, r);
        if (r < 0)
                return err_set(e, -EIO, "%s: cannot be parsed", name);
        *ret = TAKE_PTR(c);
        return 0;
}

int conf_load_file(const char *path, struct conf **ret, struct err *e)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        char buf[8192];
        size_t n;

        if (!f)
                return err_set(e, -errno, "%s: %s", path, strerror(errno));
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
                strbuf_add(&sb, buf, n);
                if (sb.len > CONF_MAX_BYTES)
                        return err_set(e, -EFBIG, "%s: larger than %d bytes", path, CONF_MAX_BYTES);
        }
        if (ferror(f))
                return err_set(e, -EIO, "%s: read error", path);
        if (memchr(sb.buf, '\0', sb.len))
                return err_set(e, -EINVAL, "%s: contains a NUL byte", path);
        return conf_load_string(sb.buf, path, ret, e);
}

void conf_merge(struct conf *dst, struct conf *src)
{
        size_t base = dst->n_sources;
        for (size_t i = 0; i < src->n_sources; i++)
                add_source(dst, src->sources[i]);
        for (size_t i = 0; i < src->n; i++) {
                dst->entries = xgrow(dst->entries, dst->n + 1, &dst->alloc, sizeof(*dst->entries));
                struct conf_entry en = src->entries[i];
                en.source += base;
                dst->entries[dst->n++] = en;
        }
        src->n = 0; /* the strings now belong to dst */
        conf_free(src);
}

static int conf_filter(const struct dirent *d)
{
        size_t n = strlen(d->d_name);
        return d->d_name[0] != '.' && n > 5 && streq(d->d_name + n - 5, ".conf");
}

int conf_load_cli(const struct conf_cli *cli, struct conf **ret, struct err *e)
{
        _cleanup_(conf_freep) struct conf *c = conf_new_empty();
        for (size_t i = 0; i < cli->n_files; i++) {
                struct conf *f = NULL;
                int r = conf_load_file(cli->files[i], &f, e);
                if (r < 0)
                        return r;
                conf_merge(c, f);
        }
        for (size_t i = 0; i < cli->n_dirs; i++) {
                struct dirent **names = NULL;
                int n = scandir(cli->dirs[i], &names, conf_filter, alphasort);
                if (n < 0)
                        return err_set(e, -errno, "%s: %s", cli->dirs[i], strerror(errno));
                int r = 0;
                for (int k = 0; k < n; k++) {
                        if (r == 0) {
                                _cleanup_free_ char *path =
                                        xasprintf("%s/%s", cli->dirs[i], names[k]->d_name);
                                struct conf *f = NULL;
                                r = conf_load_file(path, &f, e);
                                if (r == 0)
                                        conf_merge(c, f);
                        }
                        free(names[k]);
                }
                free(names);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

int conf_cli_arg(struct conf_cli *cli, int argc, char **argv, int *i, struct err *e)
{
        static const struct {
                const char *name;
                bool dir;
        } opts[] = {{"--config-file", false},
                    {"--config_file", false},
                    {"--config-dir", true},
                    {"--config_dir", true}};
        const char *a = argv[*i];
        for (size_t k = 0; k < ARRAY_SIZE(opts); k++) {
                size_t n = strlen(opts[k].name);
                const char *v;
                if (streq(a, opts[k].name)) {
                        if (*i + 1 >= argc)
                                return err_set(e, -EINVAL, "%s needs a value", opts[k].name);
                        v = argv[++*i];
                } else if (strncmp(a, opts[k].name, n) == 0 && a[n] == '=') {
                        v = a + n + 1;
                } else {
                        continue;
                }
                if (cli->n_files + cli->n_dirs >= CONF_CLI_MAX)
                        return err_set(e, -E2BIG, "more than %d --config-file/--config-dir",
                                       CONF_CLI_MAX);
                if (opts[k].dir)
                        cli->dirs[cli->n_dirs++] = v;
                else
                        cli->files[cli->n_files++] = v;
                return 1;
        }
        return 0;
}

int conf_parse_bool(const char *s, bool *ret)
{
        static const char *const yes[] = {"true", "yes", "on", "1"};
        static const char *const no[] = {"false", "no", "off", "0"};
        for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
                if (strcaseeq(s, yes[i])) {
                        *ret = true;
                        return 0;
                }
                if (strcaseeq(s, no[i])) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

static int apply_one(const struct conf *c, const struct conf_option *o, void *target, struct err *e)
{
        const struct conf_entry *en = conf_find(c, o->section, o->name);
        const char *v = en ? en->value : o->def;
        char where[512];
        char *p = (char *)target + o->offset;

        if (en && en->line)
                snprintf(where, sizeof(where), "%s:%d: [%s] %s", c->sources[en->source], en->line,
                         o->section, o->name);
        else
                snprintf(where, sizeof(where), "[%s] %s", o->section, o->name);

        switch (o->type) {
        case CONF_STR:
                *(char **)p = xstrdup_or_null(v);
                return 0;
        case CONF_INT: {
                long long n;
                int r;
                if (!v) {
                        *(int *)p = 0;
                        return 0;
                }
                r = str_to_ll(v, LLONG_MIN, LLONG_MAX, &n);
                if (r < 0)
                        return err_set(e, -EINVAL, "%s: '%s' is not an integer", where, v);
                if (o->min < o->max && (n < o->min || n > o->max))
                        return err_set(e, -ERANGE, "%s: %lld is outside [%lld, %lld]", where, n,
                                       o->min, o->max);
                if (n < INT_MIN || n > INT_MAX)
                        return err_set(e, -ERANGE, "%s: %lld is too large", where, n);
                *(int *)p = (int)n;
                return 0;
        }
        case CONF_BOOL: {
                bool b = false;
                if (v && conf_parse_bool(v, &b) < 0)
                        return err_set(e, -EINVAL, "%s: '%s' is not a boolean (true/false)", where,
                                       v);
                *(bool *)p = b;
                return 0;
        }
        case CONF_DOUBLE: {
                char *end;
                double d;
                if (!v) {
                        *(double *)p = 0;
                        return 0;
                }
                errno = 0;
                d = strtod(v, &end);
                if (!*v || *end || errno || !isfinite(d))
                        return err_set(e, -EINVAL, "%s: '%s' is not a number", where, v);
                if (o->min < o->max && (d < (double)o->min || d > (double)o->max))
                        return err_set(e, -ERANGE, "%s: %g is outside [%lld, %lld]", where, d,
                                       o->min, o->max);
                *(double *)p = d;
                return 0;
        }
        }
        return err_set(e, -EINVAL, "%s: unknown option type", where);
}

int conf_apply(const struct conf *c, const struct conf_option *opts, size_t n, void *target,
               struct err *e)
{
        for (size_t i = 0; i < n; i++) {
                int r = apply_one(c, &opts[i], target, e);
                if (r < 0) {
                        conf_release(opts, i, target);
                        return r;
                }
        }
        return 0;
}

void conf_release(const struct conf_option *opts, size_t n, void *target)
{
        for (size_t i = 0; i < n; i++)
                if (opts[i].type == CONF_STR) {
                        char **p = (char **)((char *)target + opts[i].offset);
                        free(*p);
                        *p = NULL;
                }
}
