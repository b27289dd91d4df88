/*
 * hot_stack: the validator and resolver. Loads the template and environment files, detects
 * the version, checks sections, builds parameters, conditions and resource definitions, and
 * walks every snippet in Heat 19's validation order (spec heat.md §2.6); `resolve` then
 * computes parameter values, conditions, resource properties and outputs.
 */
#include "common/common.h"

#include <ctype.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <limits.h>
#include <libgen.h>

#include "common/json_util.h"
#include "heat/hot.h"
#include "heat/hot_internal.h"
#include "heat/hot_py.h"
#include "heat/hot_rtypes.h"
#include "heat/hot_yaml.h"

struct hot_env_set {
        json_t *parameters; /* the request's own object until an environment changes it */
        bool parameters_shared;
        json_t *parameter_defaults;
        json_t *registry;     /* key -> {"value": v, "dir": d} (flattened globals + user) */
        json_t *res_registry; /* resources: {name-glob: {...}} */
        json_t *event_sinks;
};

static const struct hot_version versions[] = {
        {HOT_KIND_HOT, 0, "heat_template_version", "2013-05-23", NULL},
        {HOT_KIND_HOT, 1, "heat_template_version", "2014-10-16", NULL},
        {HOT_KIND_HOT, 2, "heat_template_version", "2015-04-30", NULL},
        {HOT_KIND_HOT, 3, "heat_template_version", "2015-10-15", NULL},
        {HOT_KIND_HOT, 4, "heat_template_version", "2016-04-08", NULL},
        {HOT_KIND_HOT, 5, "heat_template_version", "2016-10-14", "newton"},
        {HOT_KIND_HOT, 6, "heat_template_version", "2017-02-24", "ocata"},
        {HOT_KIND_HOT, 7, "heat_template_version", "2017-09-01", "pike"},
        {HOT_KIND_HOT, 8, "heat_template_version", "2018-03-02", "queens"},
        {HOT_KIND_HOT, 9, "heat_template_version", "2018-08-31", "rocky"},
        {HOT_KIND_HOT, 10, "heat_template_version", "2021-04-16", "wallaby"},
        {HOT_KIND_CFN_AWS, 10, "AWSTemplateFormatVersion", "2010-09-09", NULL},
        {HOT_KIND_CFN_HEAT, 10, "HeatTemplateFormatVersion", "2012-12-12", NULL},
};

static const char *const sec_hot[] = {
        [SEC_PARAMS] = "parameters",       [SEC_RESOURCES] = "resources",
        [SEC_OUTPUTS] = "outputs",         [SEC_CONDITIONS] = "conditions",
        [SEC_DESCRIPTION] = "description", [SEC_TYPE] = "type",
        [SEC_PROPS] = "properties",        [SEC_METADATA] = "metadata",
        [SEC_DEPENDS] = "depends_on",      [SEC_VALUE] = "value",
        [SEC_CONDITION] = "condition",
};
static const char *const sec_cfn[] = {
        [SEC_PARAMS] = "Parameters",       [SEC_RESOURCES] = "Resources",
        [SEC_OUTPUTS] = "Outputs",         [SEC_CONDITIONS] = "Conditions",
        [SEC_DESCRIPTION] = "Description", [SEC_TYPE] = "Type",
        [SEC_PROPS] = "Properties",        [SEC_METADATA] = "Metadata",
        [SEC_DEPENDS] = "DependsOn",       [SEC_VALUE] = "Value",
        [SEC_CONDITION] = "Condition",
};

const char *hot_sec(const struct hot_stack *s, int which)
{
        return s->ver->kind == HOT_KIND_HOT ? sec_hot[which] : sec_cfn[which];
}

int hot_read_file(const char *path, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        char *buf;
        size_t len = 0;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if ((size_t)st.st_size > (size_t)HOT_MAX_TEMPLATE_SIZE * 4)
                return -EFBIG;
        buf = xmalloc((size_t)st.st_size + 1);
        while (len < (size_t)st.st_size) {
                ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        free(buf);
                        return n < 0 ? -errno : -EIO;
                }
                len += (size_t)n;
        }
        buf[len] = '\0';
        *ret = buf;
        if (ret_len)
                *ret_len = len;
        return 0;
}

static char *dir_of(const char *path)
{
        _cleanup_free_ char *t = xstrdup(path ? path : ".");
        return xstrdup(dirname(t));
}

static char *join_path(const char *dir, const char *rel)
{
        const char *r = rel;
        size_t dl, rl;
        char *p;

        if (str_starts_with(r, "file://"))
                return xstrdup(r + 7);
        if (r[0] == '/' || !dir)
                return xstrdup(r);
        dl = strlen(dir);
        rl = strlen(r);
        p = xmalloc(dl + rl + 2);
        memcpy(p, dir, dl);
        p[dl] = '/';
        memcpy(p + dl + 1, r, rl + 1);
        return p;
}

/* Appends "a.b" or "a.b.c" (c may be NULL): the walks' start paths, built for every resource
 * and output of every stack, without printf. */
static void path_dotted(struct strbuf *sb, const char *a, const char *b, const char *c)
{
        strbuf_addstr(sb, a);
        strbuf_addch(sb, '.');
        strbuf_addstr(sb, b);
        if (c) {
                strbuf_addch(sb, '.');
                strbuf_addstr(sb, c);
        }
}

static json_t *file_lookup_json(json_t *files, json_t *cache, const char *dir, const char *key)
{
        json_t *v = json_object_get(files, key);
        _cleanup_free_ char *path = NULL;
        char *buf = NULL;
        size_t len;

        if (json_is_string(v))
                return v;
        if (strstr(key, "://") && !str_starts_with(key, "file://"))
                return NULL;
        path = join_path(dir, key);
        v = json_object_get(cache, path);
        if (v)
                return v;
        if (hot_read_file(path, &buf, &len) < 0)
                return NULL;
        /* file contents must be UTF-8 text to become a JSON string */
        v = json_stringn(buf, len);
        free(buf);
        if (!v)
                return NULL;
        json_object_set_new(cache, path, v);
        return v;
}

static const char *file_lookup(json_t *files, json_t *cache, const char *dir, const char *key)
{
        return json_string_value(file_lookup_json(files, cache, dir, key));
}

json_t *hot_stack_file(struct hot_stack *s, const char *key)
{
        return file_lookup_json(s->files, s->filecache, s->base_dir, key);
}

static double mono_now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every template / environment text becomes a document here (through the caller's cache). */
static int load_doc(struct hot_stack *s, const char *buf, size_t len, const char *what,
                    json_t **ret, struct hot_err *he)
{
        double t0 = s->stats ? mono_now() : 0;
        int r = hot_yaml_load_cached(s->docs, buf, len, what, ret, he);

        if (s->stats)
                s->stats->parse += mono_now() - t0;
        return r;
}

/* ---- environment ---- */

static void env_free(struct hot_env_set *e)
{
        json_decref(e->parameters);
        json_decref(e->parameter_defaults);
        json_decref(e->registry);
        json_decref(e->res_registry);
        json_decref(e->event_sinks);
}

static int env_merge_one(struct hot_env_set *e, json_t *env, const char *dir, const char *name,
                         struct hot_err *he)
{
        static const char *const sections[] = {
                "parameters",  "parameter_defaults",         "resource_registry",
                "event_sinks", "parameter_merge_strategies", "encrypted_param_names"};
        json_t *strategies, *v, *reg;
        const char *k;

        if (json_is_null(env))
                return 0;
        if (!json_is_object(env))
                return hot_err_set(he, "ValueError",
                                   "The environment is not a valid YAML mapping data type.");
        json_object_foreach(env, k, v)
        {
                bool ok = false;
                for (size_t i = 0; !ok && i < ARRAY_SIZE(sections); i++)
                        ok |= strcmp(k, sections[i]) == 0;
                if (!ok)
                        return hot_err_set(he, "ValueError", "environment has wrong section \"%s\"",
                                           k);
                if (json_is_null(v))
                        return hot_err_set(he, "ValueError", "environment has empty section \"%s\"",
                                           k);
        }
        strategies = json_object_get(env, "parameter_merge_strategies");
        for (int sec = 0; sec < 2; sec++) {
                json_t *src = json_object_get(env, sec ? "parameter_defaults" : "parameters");
                json_t *dst;
                if (!sec && e->parameters_shared && json_object_size(src)) {
                        /* copy on write: most environments leave the parameters alone */
                        json_t *c = json_checked(json_copy(e->parameters));
                        json_decref(e->parameters);
                        e->parameters = c;
                        e->parameters_shared = false;
                }
                dst = sec ? e->parameter_defaults : e->parameters;
                json_object_foreach(src, k, v)
                {
                        json_t *st = json_object_get(strategies, k);
                        const char *strat =
                                json_string_value(st ? st : json_object_get(strategies, "default"));
                        json_t *old = json_object_get(dst, k);
                        if (json_is_null(v))
                                continue;
                        if (strat && strcmp(strat, "overwrite") != 0 && old) {
                                if (json_is_boolean(v))
                                        return hot_err_set(
                                                he, "ValueError",
                                                "Invalid merge strategy '%s' for parameter '%s'.",
                                                strat, k);
                                if (json_is_string(old) && json_is_string(v)) {
                                        _cleanup_free_ char *c =
                                                xasprintf("%s,%s", json_string_value(old),
                                                          json_string_value(v));
                                        json_object_set_new(dst, k, json_string(c));
                                } else if (json_is_array(old) && json_is_array(v)) {
                                        json_t *c = json_copy(old);
                                        json_array_extend(c, v);
                                        json_object_set_new(dst, k, c);
                                } else if (json_is_object(old) && json_is_object(v)) {
                                        json_t *c = json_deep_copy(old);
                                        json_object_update(c, v);
                                        json_object_set_new(dst, k, c);
                                } else if (json_is_number(old) && json_is_number(v)) {
                                        json_object_set_new(
                                                dst, k,
                                                json_is_integer(old) && json_is_integer(v)
                                                        ? json_integer(json_integer_value(old) +
                                                                       json_integer_value(v))
                                                        : hot_py_real(json_number_value(old) +
                                                                      json_number_value(v)));
                                } else {
                                        json_object_set(dst, k, v);
                                }
                                continue;
                        }
                        json_object_set(dst, k, v);
                }
        }
        reg = json_object_get(env, "resource_registry");
        if (reg && !json_is_object(reg))
                return hot_err_set(he, "ValueError",
                                   "environment has wrong section \"resource_registry\"");
        /* one "dir" string for all of this file's entries (json_pack per entry was a
         * noticeable part of merging Magnum's environments into every nested stack) */
        json_auto_t *dirj = reg ? json_string(dir ? dir : ".") : NULL; /* NULL: not UTF-8 */
        json_object_foreach(reg, k, v)
        {
                json_t *entry;
                if (strcmp(k, "resources") == 0) {
                        json_object_set(e->res_registry, "resources", v);
                        continue;
                }
                if (strcmp(k, "base_url") == 0)
                        continue;
                if (json_is_null(v)) {
                        json_object_del(e->registry, k);
                        continue;
                }
                if (!dirj) /* as json_pack failing did: the entry is not added */
                        continue;
                entry = json_checked(json_object());
                json_object_set_new_nocheck(entry, "value", json_incref(v));
                json_object_set_new_nocheck(entry, "dir", json_incref(dirj));
                json_object_set_new(e->registry, k, entry);
        }
        v = json_object_get(env, "event_sinks");
        if (json_is_array(v))
                json_array_extend(e->event_sinks, v);
        (void)name;
        return 0;
}

static bool is_template_url(const char *v)
{
        return str_ends_with(v, ".yaml") || str_ends_with(v, ".template") ||
               str_ends_with(v, ".yml");
}

/* Maps a type through the registry; *ret_tmpl set when it ends at a template file. */
static const char *registry_map(struct hot_stack *s, const char *rname, const char *type,
                                char **ret_tmpl)
{
        json_t *reg = s->env ? s->env->registry : NULL;
        const char *cur = type;
        static __thread char globbuf[512];

        *ret_tmpl = NULL;
        for (int hops = 0; hops < 20; hops++) {
                json_t *e = NULL, *rr;
                const char *k;
                json_t *v;
                /* per-resource overrides */
                rr = s->env ? json_object_get(s->env->res_registry, "resources") : NULL;
                json_object_foreach(rr, k, v)
                {
                        if (fnmatch(k, rname, 0) == 0 && json_is_string(json_object_get(v, cur))) {
                                const char *val = json_string_value(json_object_get(v, cur));
                                if (is_template_url(val)) {
                                        *ret_tmpl = xstrdup(val);
                                        return val;
                                }
                                if (strcmp(val, cur) != 0) {
                                        cur = val;
                                        continue;
                                }
                        }
                }
                e = json_object_get(reg, cur);
                if (!e) {
                        json_object_foreach(reg, k, v)
                        {
                                size_t kl = strlen(k);
                                if (kl && k[kl - 1] == '*' && strncmp(k, cur, kl - 1) == 0) {
                                        const char *val =
                                                json_string_value(json_object_get(v, "value"));
                                        if (val && val[strlen(val) - 1] == '*') {
                                                snprintf(globbuf, sizeof(globbuf), "%.*s%s",
                                                         (int)strlen(val) - 1, val, cur + kl - 1);
                                                if (strcmp(globbuf, cur) == 0)
                                                        return cur;
                                                cur = globbuf;
                                                e = (json_t *)1;
                                        } else if (val && strcmp(val, cur) != 0) {
                                                e = v;
                                        }
                                        break;
                                }
                        }
                        if (e == (json_t *)1)
                                continue;
                }
                if (!e)
                        break;
                {
                        const char *val = json_string_value(json_object_get(e, "value"));
                        if (!val || strcmp(val, cur) == 0)
                                break;
                        if (is_template_url(val)) {
                                *ret_tmpl = join_path(json_string_value(json_object_get(e, "dir")),
                                                      val);
                                return val;
                        }
                        cur = val;
                }
        }
        if (is_template_url(cur)) {
                *ret_tmpl = xstrdup(cur);
                return cur;
        }
        return cur;
}

/* ---- validation ---- */

static int detect_version(struct hot_stack *s, struct hot_err *he)
{
        const char *keys[] = {"heat_template_version", "AWSTemplateFormatVersion",
                              "HeatTemplateFormatVersion"};
        const char *found = NULL, *val = NULL;
        struct strbuf amb = STRBUF_INIT;
        int count = 0;

        for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
                json_t *v = json_object_get(s->tmpl, keys[i]);
                if (json_is_string(v)) {
                        if (count)
                                strbuf_addstr(&amb, ", ");
                        strbuf_addf(&amb, "%s", keys[i]);
                        found = keys[i];
                        val = json_string_value(v);
                        count++;
                }
        }
        if (count > 1) {
                hot_err_set(he, "InvalidTemplateVersion",
                            "The template version is invalid: Ambiguous versions (%s)", amb.buf);
                strbuf_release(&amb);
                return -EINVAL;
        }
        strbuf_release(&amb);
        if (!found)
                return hot_err_set(
                        he, "InvalidTemplateVersion",
                        "The template version is invalid: Template version was not provided");
        for (size_t i = 0; i < ARRAY_SIZE(versions); i++) {
                if (strcmp(versions[i].key, found) != 0)
                        continue;
                if (strcmp(versions[i].date, val) == 0 ||
                    (versions[i].alias && strcmp(versions[i].alias, val) == 0)) {
                        s->ver = &versions[i];
                        return 0;
                }
        }
        {
                struct strbuf sb = STRBUF_INIT;
                if (strcmp(found, "heat_template_version") == 0) {
                        for (size_t i = 0; i < 11; i++)
                                strbuf_addf(&sb, "%s%s", i ? ", " : "", versions[i].date);
                        for (size_t i = 5; i < 11; i++)
                                strbuf_addf(&sb, ", %s", versions[i].alias);
                } else {
                        strbuf_addstr(&sb, strcmp(found, "AWSTemplateFormatVersion") == 0
                                                   ? "2010-09-09"
                                                   : "2012-12-12");
                }
                hot_err_set(he, "InvalidTemplateVersion",
                            "The template version is invalid: \"%s: %s\". \"%s\" should be%s%s: %s",
                            found, val, found,
                            strcmp(found, "heat_template_version") == 0 ? " " : "",
                            strcmp(found, "heat_template_version") == 0 ? "one of" : "", sb.buf);
                strbuf_release(&sb);
                return -EINVAL;
        }
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *const hot_res_keys[] = {"type",        "properties",      "metadata",
                                           "depends_on",  "deletion_policy", "update_policy",
                                           "description", "condition",       "external_id"};

static int check_sections(struct hot_stack *s, struct hot_err *he)
{
        static const char *const hot[] = {"heat_template_version",
                                          "description",
                                          "parameter_groups",
                                          "parameters",
                                          "resources",
                                          "outputs",
                                          "conditions"};
        static const char *const cfn[] = {"AWSTemplateFormatVersion",
                                          "HeatTemplateFormatVersion",
                                          "Description",
                                          "Mappings",
                                          "Parameters",
                                          "Resources",
                                          "Outputs",
                                          "Conditions"};
        const char *k;
        json_t *v;

        json_object_foreach(s->tmpl, k, v)
        {
                bool ok = false;
                if (s->ver->kind == HOT_KIND_HOT) {
                        for (size_t i = 0; !ok && i < ARRAY_SIZE(hot); i++)
                                ok |= strcmp(k, hot[i]) == 0;
                        if (strcmp(k, "conditions") == 0 && s->ver->idx < HOT_V20161014)
                                ok = false;
                } else {
                        for (size_t i = 0; !ok && i < ARRAY_SIZE(cfn); i++)
                                ok |= strcmp(k, cfn[i]) == 0;
                        if (strcmp(k, "Conditions") == 0 && s->ver->kind != HOT_KIND_CFN_AWS)
                                ok = false;
                }
                if (!ok)
                        return hot_err_set(he, "InvalidTemplateSection",
                                           "The template section is invalid: %s", k);
        }
        v = json_object_get(s->tmpl, hot_sec(s, SEC_RESOURCES));
        if (v && !json_is_null(v) && !json_is_object(v))
                return hot_err_svf(he, NULL,
                                   "\"%s\" must contain a map of resource maps. Found a "
                                   "[<class '%s'>] instead",
                                   hot_sec(s, SEC_RESOURCES), hot_py_type(v));
        if (s->ver->kind == HOT_KIND_HOT) {
                /* HOT validate_section: resources sorted by name; keys, then the type key */
                size_t n = json_object_size(v), i = 0;
                const char **names = xnew(const char *, n + 1);
                const char *rn;
                json_t *rd;
                int r = 0;
                json_object_foreach(v, rn, rd) names[i++] = rn;
                qsort(names, n, sizeof(*names), cmp_str);
                for (i = 0; i < n && r == 0; i++) {
                        const char *rk;
                        json_t *x;
                        rd = json_object_get(v, names[i]);
                        if (!rd || json_is_null(rd) || json_is_false(rd) ||
                            (json_is_object(rd) && !json_object_size(rd)) ||
                            (json_is_array(rd) && !json_array_size(rd)) ||
                            (json_is_string(rd) && !json_string_length(rd)) ||
                            (json_is_integer(rd) && !json_integer_value(rd))) {
                                r = hot_err_svf(he, NULL, "Each resource must contain a type key.");
                                break;
                        }
                        if (!json_is_object(rd)) {
                                r = hot_err_svf(he, NULL,
                                                "\"resources\" must contain a map of resource "
                                                "maps. Found a [<class '%s'>] instead",
                                                hot_py_type(rd));
                                break;
                        }
                        json_object_foreach(rd, rk, x)
                        {
                                bool ok = false;
                                for (size_t j = 0; !ok && j < 7; j++)
                                        ok |= strcmp(rk, hot_res_keys[j]) == 0;
                                if ((strcmp(rk, "condition") == 0 ||
                                     strcmp(rk, "external_id") == 0) &&
                                    s->ver->idx >= HOT_V20161014)
                                        ok = true;
                                if (!ok) {
                                        r = hot_err_svf(he, NULL,
                                                        "\"%s\" is not a valid keyword inside a "
                                                        "resource definition",
                                                        rk);
                                        break;
                                }
                        }
                        if (r == 0 && !json_object_get(rd, "type"))
                                r = hot_err_svf(he, NULL, "Each resource must contain a type key.");
                }
                free(names);
                if (r < 0)
                        return r;
        }
        {
                const char *rn;
                json_t *rd;
                json_object_foreach(v, rn, rd)
                {
                        json_t *t;
                        if (!json_is_object(rd) && !json_is_null(rd))
                                return hot_err_svf(he, NULL,
                                                   "Resources must contain Resource. Found a "
                                                   "[<class '%s'>] instead",
                                                   hot_py_type(rd));
                        t = json_object_get(rd, hot_sec(s, SEC_TYPE));
                        if (!t || json_is_null(t) || json_is_false(t) ||
                            (json_is_string(t) && !json_string_length(t)))
                                return hot_err_svf(he, NULL,
                                                   "Each Resource must contain a Type key.");
                }
        }
        if (json_object_size(v) > HOT_MAX_RESOURCES)
                return hot_err_set(he, "RequestLimitExceeded",
                                   "Request limit exceeded: Maximum resources per stack exceeded.");
        return 0;
}

static const char *const cfn_res_keys[] = {"Type",        "Properties",     "Metadata",
                                           "DependsOn",   "DeletionPolicy", "UpdatePolicy",
                                           "Description", "Condition"};

static int resource_defs(struct hot_stack *s, struct hot_err *he)
{
        json_t *res = s->resources, *rd;
        const char *name;
        bool hot = s->ver->kind == HOT_KIND_HOT;

        json_object_foreach(res, name, rd)
        {
                const char *k;
                json_t *v, *cond;
                bool enabled = true;
                json_object_foreach(rd, k, v)
                {
                        bool ok = false;
                        if (hot) {
                                for (size_t i = 0; !ok && i < ARRAY_SIZE(hot_res_keys); i++)
                                        ok |= strcmp(k, hot_res_keys[i]) == 0;
                                if ((strcmp(k, "condition") == 0 ||
                                     strcmp(k, "external_id") == 0) &&
                                    s->ver->idx < HOT_V20161014)
                                        ok = false;
                        } else {
                                ok = true; /* CFN resource keys are not checked by Heat */
                                (void)cfn_res_keys;
                        }
                        if (!ok)
                                return hot_err_svf(he, NULL,
                                                   "\"%s\" is not a valid keyword inside a "
                                                   "resource definition",
                                                   k);
                }
                v = json_object_get(rd, hot_sec(s, SEC_TYPE));
                if (!json_is_string(v))
                        return hot_err_svf(he, NULL, "Resource %s %s type must be string", name,
                                           hot_sec(s, SEC_TYPE));
                if (strchr(name, '/'))
                        return hot_err_svf(he, NULL, "Resource name may not contain \"/\"");
                for (int sec = SEC_PROPS; sec <= SEC_METADATA; sec++) {
                        v = json_object_get(rd, hot_sec(s, sec));
                        if (v && !json_is_object(v))
                                return hot_err_svf(he, NULL, "Resource %s %s type must be object",
                                                   name, hot_sec(s, sec));
                }
                v = json_object_get(rd, hot_sec(s, SEC_DEPENDS));
                if (v && !json_is_string(v) && !json_is_array(v))
                        return hot_err_svf(he, NULL, "Resource %s %s type must be list or string",
                                           name, hot_sec(s, SEC_DEPENDS));
                if (json_is_array(v)) {
                        size_t i;
                        json_t *d;
                        json_array_foreach(v, i, d) if (!json_is_string(d)) return hot_err_svf(
                                he, NULL, "Resource %s %s must be a list of strings", name,
                                hot_sec(s, SEC_DEPENDS));
                }
                {
                        const char *dk = hot ? "deletion_policy" : "DeletionPolicy";
                        v = json_object_get(rd, dk);
                        if (v && !json_is_string(v) &&
                            !(json_is_object(v) && json_object_size(v) == 1 &&
                              hot_func_find(s, json_object_iter_key(json_object_iter(v)), false)))
                                return hot_err_svf(he, NULL, "Resource %s %s type must be string",
                                                   name, dk);
                        if (v) {
                                static const char *const pol[] = {"Delete", "Retain", "Snapshot"};
                                struct strbuf dpath = STRBUF_INIT;
                                struct hot_ev dev = {.s = s, .mode = HM_RESOLVE, .path = &dpath};
                                json_auto_t *pv = NULL;
                                bool ok = false;
                                int r;
                                strbuf_addf(&dpath, "%s.%s.%s", hot_sec(s, SEC_RESOURCES), name,
                                            dk);
                                r = hot_eval(&dev, v, &pv, he);
                                strbuf_release(&dpath);
                                if (r < 0)
                                        return r;
                                for (size_t i = 0; json_is_string(pv) && i < 3; i++) {
                                        const char *x = json_string_value(pv);
                                        ok |= strcmp(x, pol[i]) == 0;
                                        if (hot && s->ver->idx >= HOT_V20161014 &&
                                            x[0] == tolower((unsigned char)pol[i][0]) &&
                                            strcmp(x + 1, pol[i] + 1) == 0)
                                                ok = true;
                                }
                                if (!ok && !json_is_null(pv)) {
                                        _cleanup_free_ char *ps = hot_py_str_dup(pv);
                                        return hot_err_svf(he, NULL,
                                                           "Invalid deletion policy \"%s\"", ps);
                                }
                        }
                }
                v = json_object_get(rd, hot ? "update_policy" : "UpdatePolicy");
                if (v && !json_is_object(v))
                        return hot_err_svf(he, NULL, "Resource %s %s type must be object", name,
                                           hot ? "update_policy" : "UpdatePolicy");
                v = json_object_get(rd, hot_sec(s, SEC_DESCRIPTION));
                if (v && !json_is_string(v))
                        return hot_err_svf(he, NULL, "Resource %s %s type must be string", name,
                                           hot_sec(s, SEC_DESCRIPTION));
                v = json_object_get(rd, "external_id");
                if (hot && v && !json_is_string(v) && !json_is_object(v))
                        return hot_err_svf(he, NULL, "Resource %s external_id type must be string",
                                           name);
                for (int sec = SEC_PROPS; sec <= SEC_METADATA; sec++) {
                        struct strbuf ppath = STRBUF_INIT;
                        struct hot_ev pev = {
                                .s = s, .mode = HM_VALIDATE, .path = &ppath, .ifs_only = true};
                        int r;
                        path_dotted(&ppath, hot_sec(s, SEC_RESOURCES), name, hot_sec(s, sec));
                        r = hot_eval(&pev, json_object_get(rd, hot_sec(s, sec)), NULL, he);
                        strbuf_release(&ppath);
                        if (r < 0)
                                return r;
                }
                cond = json_object_get(rd, hot_sec(s, SEC_CONDITION));
                if (cond && json_is_null(cond) && hot)
                        return hot_err_svf(he, NULL,
                                           "Resource %s %s type must be string_or_boolean", name,
                                           hot_sec(s, SEC_CONDITION));
                if (cond && !json_is_null(cond)) {
                        struct strbuf path = STRBUF_INIT;
                        struct hot_ev ev = {
                                .s = s, .mode = HM_RESOLVE, .cond = true, .path = &path};
                        int r;
                        if (!json_is_string(cond) && !json_is_boolean(cond) &&
                            !json_is_object(cond)) {
                                /* (null is handled like any other non-string below) */
                                strbuf_release(&path);
                                return hot_err_svf(he, NULL,
                                                   "Resource %s %s type must be string_or_boolean",
                                                   name, hot_sec(s, SEC_CONDITION));
                        }
                        strbuf_addf(&path, "resources.%s.condition", name);
                        r = hot_cond_eval(&ev, cond, &enabled, he);
                        strbuf_release(&path);
                        if (r < 0) {
                                if (he->path && json_array_size(he->path) == 0 && !he->error &&
                                    strcmp(he->type, "StackValidationFailed") == 0) {
                                        const char *pre[] = {hot_sec(s, SEC_RESOURCES), name,
                                                             hot_sec(s, SEC_CONDITION)};
                                        hot_err_prefix_n(he, pre, 3);
                                }
                                return r;
                        }
                }
                json_object_set_new(s->enabled, name, json_boolean(enabled));
        }
        return 0;
}

static int check_conditions(struct hot_stack *s, struct hot_err *he)
{
        json_t *defs = s->cond_defs, *v;
        const char *name;

        if (!defs || json_is_null(defs))
                return 0;
        if (!json_is_object(defs))
                return hot_err_svf(he, "Conditions validation error",
                                   "Condition definitions must be a map. Found a %s instead",
                                   hot_py_type(defs));
        json_object_foreach(defs, name, v)
        {
                struct strbuf path = STRBUF_INIT;
                struct hot_ev ev = {.s = s, .mode = HM_VALIDATE, .cond = true, .path = &path};
                int r;
                if (!json_is_boolean(v) &&
                    !(json_is_object(v) && json_object_size(v) == 1 &&
                      hot_func_find(s, json_object_iter_key(json_object_iter(v)), true))) {
                        _cleanup_free_ char *str = hot_py_str_dup(v);
                        return hot_err_svf(he, "Condition validation error",
                                           "The definition of condition \"%s\" is invalid: %s",
                                           name, str);
                }
                strbuf_addf(&path, "conditions.%s", name);
                r = hot_eval(&ev, v, NULL, he);
                strbuf_release(&path);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Walks properties + metadata of every enabled resource (references, argument shapes). */
static const char *py_class(const char *type)
{
        static const struct {
                const char *type, *cls;
        } classes[] = {
                {"OS::Heat::None", "NoneResource"},
                {"OS::Heat::RandomString", "RandomString"},
                {"OS::Heat::TestResource", "TestResource"},
                {"OS::Heat::Value", "Value"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
                if (type && strcmp(type, classes[i].type) == 0)
                        return classes[i].cls;
        return "GenericResource";
}

static int dfs_cycle(json_t *graph, const char *n, json_t *state)
{
        json_t *st = json_object_get(state, n);
        const char *d;
        json_t *x;

        if (st)
                return json_integer_value(st) == 1 ? 1 : 0;
        json_object_set_new(state, n, json_integer(1));
        json_object_foreach(json_object_get(graph, n), d,
                            x) if (dfs_cycle(graph, d, state)) return 1;
        json_object_set_new(state, n, json_integer(2));
        return 0;
}

/* Heat's CircularDependencyException over explicit dependencies (depends_on + references).
 * One colouring for all start nodes: a finished node reaches no cycle, so skipping it finds
 * the same first cycle, with the same nodes in progress in the same order, as a fresh search
 * from every start node did (at n^2 cost). */
static int check_cycles(struct hot_stack *s, json_t *graph, struct hot_err *he)
{
        json_auto_t *state = json_checked(json_object());
        const char *n;
        json_t *x;

        json_object_foreach(graph, n, x)
        {
                if (dfs_cycle(graph, n, state)) {
                        struct strbuf sb = STRBUF_INIT;
                        const char *k;
                        json_t *v;
                        bool first = true;
                        /* the nodes still "in progress" form the cycle */
                        strbuf_addch(&sb, '{');
                        json_object_foreach(state, k, v)
                        {
                                const char *d;
                                json_t *y;
                                bool f2 = true;
                                if (json_integer_value(v) != 1)
                                        continue;
                                strbuf_addf(
                                        &sb, "%s%s \"%s\": {", first ? "" : ", ",
                                        py_class(json_string_value(json_object_get(s->types, k))),
                                        k);
                                json_object_foreach(json_object_get(graph, k), d, y)
                                {
                                        if (json_integer_value(json_object_get(state, d)) != 1)
                                                continue;
                                        strbuf_addf(&sb, "%s%s \"%s\"", f2 ? "" : ", ",
                                                    py_class(json_string_value(
                                                            json_object_get(s->types, d))),
                                                    d);
                                        f2 = false;
                                }
                                strbuf_addch(&sb, '}');
                                first = false;
                        }
                        strbuf_addch(&sb, '}');
                        hot_err_set(he, "CircularDependencyException",
                                    "Circular Dependency Found: %s", sb.buf);
                        strbuf_release(&sb);
                        return -EINVAL;
                }
        }
        return 0;
}

static int check_resources(struct hot_stack *s, struct hot_err *he)
{
        const char *name;
        json_t *rd;
        json_t *graph = s->graph = json_checked(json_object());

        /* every type must exist before any resource is validated, and is known to every
         * get_attr: Heat checks an attribute name against its resource's type whatever the
         * order the resources are declared in */
        json_object_foreach(s->resources, name, rd)
        {
                _cleanup_free_ char *tmpl = NULL;
                const char *type;
                if (!json_is_true(json_object_get(s->enabled, name)))
                        continue;
                type = registry_map(s, name,
                                    json_string_value(json_object_get(rd, hot_sec(s, SEC_TYPE))),
                                    &tmpl);
                if (!tmpl && !hot_rtype_lookup(type))
                        return hot_err_set(he, "StackValidationFailed",
                                           "The Resource Type (%s) could not be found.", type);
                json_object_set_new(s->types, name, json_string(type));
        }

        json_object_foreach(s->resources, name, rd)
        {
                const char *type;
                _cleanup_free_ char *tmpl = NULL;
                const struct hot_rtype *rt;
                json_t *deps, *d;
                size_t i;

                if (!json_is_true(json_object_get(s->enabled, name)))
                        continue;
                type = registry_map(s, name,
                                    json_string_value(json_object_get(rd, hot_sec(s, SEC_TYPE))),
                                    &tmpl);
                rt = tmpl ? hot_rtype_template() : hot_rtype_lookup(type);
                if (!rt)
                        return hot_err_set(he, "StackValidationFailed",
                                           "The Resource Type (%s) could not be found.", type);
                if (tmpl && !file_lookup(s->files, s->filecache, s->base_dir, tmpl)) {
                        const char *sch = strstr(type, "://");
                        return hot_err_svf(
                                he, NULL,
                                "Could not fetch remote template \"%s\": Invalid URL scheme %.*s",
                                type, sch ? (int)(sch - type) : 0, type);
                }
                for (int sec = SEC_PROPS; sec <= SEC_METADATA; sec++) {
                        struct strbuf path = STRBUF_INIT;
                        _cleanup_strbuf_ struct strbuf dps = STRBUF_INIT;
                        const char *dp;
                        struct hot_ev ev = {
                                .s = s, .mode = HM_VALIDATE, .path = &path, .dep_path = NULL};
                        int r;
                        /* dependency-style path: "<res>.Properties<rest>" */
                        path_dotted(&dps, name, sec == SEC_PROPS ? "Properties" : "Metadata", NULL);
                        dp = dps.buf;
                        strbuf_addbuf(&path, &dps);
                        ev.dep_path = dp;
                        /* references go straight into the resource's node of the graph */
                        deps = json_object_get(graph, name);
                        if (!deps)
                                json_object_set_new(graph, name,
                                                    deps = json_checked(json_object()));
                        ev.deps = deps;
                        r = hot_eval(&ev, json_object_get(rd, hot_sec(s, sec)), NULL, he);
                        strbuf_release(&path);
                        if (r < 0) {
                                if (strcmp(he->type, "StackValidationFailed") == 0 &&
                                    json_array_size(he->path) == 1) {
                                        /* rewrite "<res>.Properties.x.fn" into Heat's
                                         * "resources.<res>.properties.x.fn" */
                                        const char *p =
                                                json_string_value(json_array_get(he->path, 0));
                                        _cleanup_free_ char *np =
                                                xasprintf("%s.%s.%s%s", hot_sec(s, SEC_RESOURCES),
                                                          name, hot_sec(s, sec), p + strlen(dp));
                                        json_array_set_new(he->path, 0, json_string(np));
                                }
                                return r;
                        }
                }
                d = json_object_get(rd, hot_sec(s, SEC_DEPENDS));
                {
                        json_t *g = json_object_get(graph, name), *x;
                        if (!g)
                                json_object_set_new(graph, name, g = json_object());
                        if (json_is_string(d) &&
                            json_is_true(json_object_get(s->enabled, json_string_value(d))))
                                json_object_set_new(g, json_string_value(d), json_true());
                        json_array_foreach(d, i, x) if (json_is_string(x) &&
                                                        json_is_true(json_object_get(
                                                                s->enabled, json_string_value(x))))
                                json_object_set_new(g, json_string_value(x), json_true());
                }
                if (json_is_string(d)) {
                        if (!json_object_get(s->enabled, json_string_value(d)))
                                return hot_err_set(
                                        he, "InvalidTemplateReference",
                                        "The specified reference \"%s\" (in %s) is incorrect.",
                                        json_string_value(d), name);
                } else {
                        json_t *x;
                        json_array_foreach(d, i, x) if (
                                !json_object_get(
                                        s->enabled,
                                        json_string_value(
                                                x))) return hot_err_set(he,
                                                                        "InvalidTemplateReference",
                                                                        "The specified reference "
                                                                        "\"%s\" (in %s) is "
                                                                        "incorrect.",
                                                                        json_string_value(x), name);
                }
                /* deletion policy "Snapshot" needs plugin support */
                {
                        json_t *dp = json_object_get(rd, s->ver->kind == HOT_KIND_HOT
                                                                 ? "deletion_policy"
                                                                 : "DeletionPolicy");
                        if (json_is_string(dp) &&
                            strcasecmp(json_string_value(dp), "snapshot") == 0 && !tmpl &&
                            !rt->snapshot) {
                                const char *pre[] = {hot_sec(s, SEC_RESOURCES), name,
                                                     s->ver->kind == HOT_KIND_HOT
                                                             ? "deletion_policy"
                                                             : "DeletionPolicy"};
                                hot_err_svf(he, NULL, "\"Snapshot\" deletion policy not supported");
                                hot_err_prefix_n(he, pre, 3);
                                return -EINVAL;
                        }
                }
                /* update_policy keys against the type's update policy schema */
                {
                        const char *up =
                                s->ver->kind == HOT_KIND_HOT ? "update_policy" : "UpdatePolicy";
                        json_t *upv = json_object_get(rd, up);
                        const char *k;
                        json_t *x;
                        if (json_is_object(upv) &&
                            !(rt->any_prop && strcmp(rt->name, "OS::Heat::None") != 0))
                                json_object_foreach(upv, k, x)
                                {
                                        if (!hot_rtype_has_update_policy(tmpl ? NULL : rt, k)) {
                                                const char *pre[] = {hot_sec(s, SEC_RESOURCES),
                                                                     name, up};
                                                hot_err_svf(he, "Property error",
                                                            "Unknown Property %s", k);
                                                hot_err_prefix_n(he, pre, 3);
                                                return -EINVAL;
                                        }
                                }
                }
                /* unknown properties (template resources: against the child's parameters) */
                {
                        json_t *props = json_object_get(rd, hot_sec(s, SEC_PROPS));
                        json_t *child_params = NULL, *child = NULL;
                        const char *k;
                        json_t *v;
                        if (tmpl) {
                                const char *text =
                                        file_lookup(s->files, s->filecache, s->base_dir, tmpl);
                                struct hot_err he2 = HOT_ERR_INIT;
                                if (text &&
                                    load_doc(s, text, strlen(text), tmpl, &child, &he2) == 0 &&
                                    json_is_object(child))
                                        child_params = json_object_get(
                                                child,
                                                json_object_get(child, "heat_template_version")
                                                        ? "parameters"
                                                        : "Parameters");
                                hot_err_clear(&he2);
                        }
                        if (json_is_object(props) && (!tmpl || child_params)) {
                                json_object_foreach(props, k, v)
                                {
                                        bool ok = tmpl ? json_object_get(child_params, k) != NULL
                                                       : hot_rtype_has_prop(rt, k);
                                        if (!ok) {
                                                const char *pre[] = {hot_sec(s, SEC_RESOURCES),
                                                                     name, hot_sec(s, SEC_PROPS)};
                                                json_decref(child);
                                                hot_err_svf(he, "Property error",
                                                            "Unknown Property %s", k);
                                                hot_err_prefix_n(he, pre, 3);
                                                return -EINVAL;
                                        }
                                }
                        }
                        json_decref(child);
                }
        }
        return check_cycles(s, graph, he);
}

static int check_outputs(struct hot_stack *s, struct hot_err *he)
{
        json_t *outs = json_object_get(s->tmpl, hot_sec(s, SEC_OUTPUTS)), *od;
        const char *name;

        if (outs && !json_is_null(outs) && !json_is_object(outs))
                return hot_err_svf(he, NULL, "Outputs must be a map");
        json_object_foreach(outs, name, od)
        {
                struct strbuf path = STRBUF_INIT;
                struct hot_ev ev = {.s = s, .mode = HM_VALIDATE, .path = &path};
                json_t *cond;
                bool enabled = true;
                int r;
                if (!json_is_object(od)) {
                        const char *pre[] = {hot_sec(s, SEC_OUTPUTS), name};
                        hot_err_svf(he, "Output validation error",
                                    "Output definitions must be a map. Found a %s instead",
                                    hot_py_type(od));
                        hot_err_prefix_n(he, pre, 2);
                        return -EINVAL;
                }
                if (!json_object_get(od, hot_sec(s, SEC_VALUE))) {
                        const char *pre[] = {hot_sec(s, SEC_OUTPUTS), name};
                        hot_err_svf(he, "Output validation error",
                                    "Each output definition must contain a %s key.",
                                    hot_sec(s, SEC_VALUE));
                        hot_err_prefix_n(he, pre, 2);
                        return -EINVAL;
                }
                cond = json_object_get(od, hot_sec(s, SEC_CONDITION));
                if (cond && !json_is_null(cond)) {
                        struct hot_ev cev = {
                                .s = s, .mode = HM_RESOLVE, .cond = true, .path = &path};
                        strbuf_addf(&path, "outputs.%s.condition", name);
                        r = hot_cond_eval(&cev, cond, &enabled, he);
                        strbuf_reset(&path);
                        if (r < 0) {
                                strbuf_release(&path);
                                return r;
                        }
                }
                if (!enabled) {
                        strbuf_release(&path);
                        continue;
                }
                path_dotted(&path, hot_sec(s, SEC_OUTPUTS), name, hot_sec(s, SEC_VALUE));
                r = hot_eval(&ev, json_object_get(od, hot_sec(s, SEC_VALUE)), NULL, he);
                strbuf_release(&path);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void stack_free(struct hot_stack *s)
{
        hot_params_free(s);
        json_decref(s->tmpl);
        json_decref(s->cond_vals);
        json_decref(s->cond_busy);
        json_decref(s->enabled);
        json_decref(s->types);
        json_decref(s->graph);
        json_decref(s->absent);
        json_decref(s->filecache);
        free(s->stack_name);
        free(s->stack_id);
        free(s->project_id);
        free((char *)s->base_dir);
}

static int load_inputs(const struct hot_input *in, struct hot_stack *s, struct hot_env_set *env,
                       struct hot_err *he)
{
        _cleanup_free_ char *owned = NULL;
        const char *text;
        size_t len = 0;
        int r;

        s->filecache = in->file_cache ? json_incref(in->file_cache) : json_checked(json_object());
        s->cond_vals = json_checked(json_object());
        s->cond_busy = json_checked(json_object());
        s->enabled = json_checked(json_object());
        s->types = json_checked(json_object());
        s->absent = json_checked(json_object());
        s->files = in->files;
        s->attrs = in->attrs;
        s->base_dir = dir_of(in->tmpl_path);
        s->stack_name = xstrdup(in->stack_name ? in->stack_name : "dummy");
        s->stack_id = xstrdup("None");
        s->project_id = xstrdup("test_tenant_id");
        /* request parameters go into environment.parameters first, env files merge on top */
        if (json_is_object(in->params)) {
                env->parameters = json_incref(in->params);
                env->parameters_shared = true;
        } else {
                env->parameters = json_checked(json_object());
        }
        env->parameter_defaults = json_checked(json_object());
        env->registry = json_checked(json_object());
        env->res_registry = json_checked(json_object());
        env->event_sinks = json_checked(json_array());
        s->env = env;
        s->docs = in->doc_cache;
        s->stats = in->stats;

        /* the text is borrowed (the caller's, or the file cache's, which s holds) */
        if (in->tmpl_text) {
                text = in->tmpl_text;
                len = in->tmpl_len;
        } else {
                json_t *c = json_object_get(s->filecache, in->tmpl_path);
                if (c) {
                        text = json_string_value(c);
                        len = json_string_length(c);
                } else {
                        r = hot_read_file(in->tmpl_path, &owned, &len);
                        if (r < 0)
                                return hot_err_set(he, "IOError", "%s: %s", in->tmpl_path,
                                                   strerror(-r));
                        text = owned;
                        c = json_stringn(owned, len);
                        if (c)
                                json_object_set_new(s->filecache, in->tmpl_path, c);
                }
        }
        if (len > HOT_MAX_TEMPLATE_SIZE)
                return hot_err_set(
                        he, "RequestLimitExceeded",
                        "Request limit exceeded: Template size (%zu bytes) exceeds maximum "
                        "allowed size (%d bytes).",
                        len, HOT_MAX_TEMPLATE_SIZE);
        r = load_doc(s, text, len, "[root stack]", &s->tmpl, he);
        if (r < 0)
                return r;
        if (!json_is_object(s->tmpl))
                return hot_err_set(he, "ValueError",
                                   "The template is not a JSON object or YAML mapping.");
        if (!json_object_get(s->tmpl, "heat_template_version") &&
            !json_object_get(s->tmpl, "AWSTemplateFormatVersion") &&
            !json_object_get(s->tmpl, "HeatTemplateFormatVersion"))
                return hot_err_set(he, "ValueError", "Template format version not found.");
        for (size_t i = 0; i < in->n_env; i++) {
                _cleanup_free_ char *eowned = NULL, *edir = NULL;
                json_auto_t *ej = NULL;
                const char *et;
                size_t el;
                const char *content =
                        json_string_value(json_object_get(in->files, in->env_paths[i]));
                if (!content)
                        content =
                                json_string_value(json_object_get(s->filecache, in->env_paths[i]));
                if (content) {
                        et = content; /* borrowed, up to a NUL as a C string */
                        el = strlen(et);
                } else {
                        json_t *c;
                        r = hot_read_file(in->env_paths[i], &eowned, &el);
                        if (r < 0)
                                return hot_err_set(he, "IOError", "%s: %s", in->env_paths[i],
                                                   strerror(-r));
                        et = eowned;
                        c = json_stringn(eowned, el);
                        if (c)
                                json_object_set_new(s->filecache, in->env_paths[i], c);
                }
                r = load_doc(s, et, el, in->env_paths[i], &ej, he);
                if (r < 0)
                        return r;
                edir = dir_of(in->env_paths[i]);
                r = env_merge_one(env, ej, edir, in->env_paths[i], he);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int validate_stack_timed(const struct hot_input *in, struct hot_stack *s,
                                struct hot_env_set *env, bool values, struct hot_err *he);

/* Loads and validates (Heat's order); the time goes to in->stats when given. */
static int validate_stack(const struct hot_input *in, struct hot_stack *s, struct hot_env_set *env,
                          bool values, struct hot_err *he)
{
        double t0 = in->stats ? mono_now() : 0, p0 = in->stats ? in->stats->parse : 0;
        int r;

        r = validate_stack_timed(in, s, env, values, he);
        if (in->stats)
                in->stats->validate += mono_now() - t0 - (in->stats->parse - p0);
        return r;
}

static int validate_stack_timed(const struct hot_input *in, struct hot_stack *s,
                                struct hot_env_set *env, bool values, struct hot_err *he)
{
        int r;

        r = load_inputs(in, s, env, he);
        if (r < 0)
                return r;
        r = detect_version(s, he);
        if (r < 0)
                return r;
        r = check_sections(s, he);
        if (r < 0)
                return r;
        s->resources = json_object_get(s->tmpl, hot_sec(s, SEC_RESOURCES));
        s->cond_defs = json_object_get(s->tmpl, hot_sec(s, SEC_CONDITIONS));
        s->check_values = values;
        r = hot_params_init(s, env->parameters, env->parameter_defaults, values, he);
        if (r < 0)
                return r;
        r = hot_param_groups_validate(s, he);
        if (r < 0)
                return r;
        r = check_conditions(s, he);
        if (r < 0)
                return r;
        r = resource_defs(s, he);
        if (r < 0)
                return r;
        {
                const char *k;
                json_t *v;
                struct strbuf dup = STRBUF_INIT;
                json_object_foreach(s->resources, k,
                                    v) if (hot_param_find(s, k) &&
                                           json_is_true(json_object_get(s->enabled, k)))
                        strbuf_addf(&dup, "%s'%s'", dup.len ? ", " : "", k);
                if (dup.len) {
                        hot_err_svf(he, NULL, "Duplicate names {%s}", dup.buf);
                        strbuf_release(&dup);
                        return -EINVAL;
                }
        }
        r = check_resources(s, he);
        if (r < 0)
                return r;
        return check_outputs(s, he);
}

int hot_validate(const struct hot_input *in, json_t **ret, struct hot_err *he)
{
        struct hot_stack s = {0};
        struct hot_env_set env = {0};
        json_t *out, *params;
        int r;

        /* Heat's template-validate accepts any given parameter value and echoes it; values are
         * checked against their constraints only when a stack is created or previewed. */
        r = validate_stack(in, &s, &env, false, he);
        if (r >= 0) {
                json_t *d = json_object_get(s.tmpl, hot_sec(&s, SEC_DESCRIPTION));
                out = json_checked(json_object());
                json_object_set_new(out, "ok", json_true());
                json_object_set_new(
                        out, "version",
                        json_string(json_string_value(json_object_get(s.tmpl, s.ver->key))));
                json_object_set_new(out, "description",
                                    d ? json_incref(d) : json_string("No description"));
                params = json_checked(json_object());
                for (size_t i = 0; i < s.n_params; i++)
                        json_object_set_new(params, s.params[i].name,
                                            hot_param_describe(&s, &s.params[i]));
                json_object_set_new(out, "parameters", params);
                if (json_object_get(s.tmpl, "parameter_groups"))
                        json_object_set(out, "parameter_groups",
                                        json_object_get(s.tmpl, "parameter_groups"));
                *ret = out;
        }
        stack_free(&s);
        env_free(&env);
        return r;
}

static bool res_on(struct hot_stack *s, const char *name)
{
        return json_is_true(json_object_get(s->enabled, name));
}

int hot_resolve(const struct hot_input *in, json_t **ret, struct hot_err *he)
{
        struct hot_stack s = {0};
        struct hot_env_set env = {0};
        struct hot_input in2 = *in;
        json_t *out = NULL, *params, *conds, *res, *outs, *rd, *od;
        const char *name;
        double t0 = 0;
        int r;

        if (!in2.stack_name)
                in2.stack_name = "stack";
        r = validate_stack(&in2, &s, &env, true, he);
        if (r < 0)
                goto done;
        if (in->stats)
                t0 = mono_now();
        out = json_checked(json_object());
        params = json_checked(json_object());
        json_object_set_new(out, "parameters", params);
        for (size_t i = 0; i < s.n_params; i++) {
                json_t *v;
                r = hot_param_value(&s, &s.params[i], &v, he);
                if (r < 0)
                        goto done;
                json_object_set(params, s.params[i].name, v);
        }
        conds = json_checked(json_object());
        json_object_set_new(out, "conditions", conds);
        json_object_foreach(s.cond_defs, name, rd)
        {
                bool b;
                r = hot_cond_named(&s, name, &b, he);
                if (r < 0)
                        goto done;
                json_object_set_new(conds, name, json_boolean(b));
        }
        res = json_checked(json_object());
        json_object_set_new(out, "resources", res);
        json_object_foreach(s.resources, name, rd)
        {
                json_t *o, *deps = json_checked(json_object()), *dl;
                struct strbuf path = STRBUF_INIT;
                _cleanup_strbuf_ struct strbuf dps = STRBUF_INIT;
                const char *dp;
                struct hot_ev ev = {.s = &s, .mode = HM_RESOLVE, .path = &path};
                json_t *props = NULL, *d;
                const char *k;
                json_t *v;
                size_t i;
                if (!json_is_true(json_object_get(s.enabled, name))) {
                        json_decref(deps);
                        continue;
                }
                path_dotted(&dps, name, "Properties", NULL);
                dp = ev.dep_path = dps.buf;
                /* dependencies: validation's walk found them (every type was known) */
                strbuf_addstr(&path, dp);
                json_object_update(deps, json_object_get(s.graph, name));
                r = hot_eval(&ev, json_object_get(rd, hot_sec(&s, SEC_PROPS)), &props, he);
                strbuf_release(&path);
                if (r < 0) {
                        json_decref(deps);
                        goto done;
                }
                /* explicit depends_on as written (disabled targets included, as Heat's
                 * definition keeps them); an external resource depends on nothing */
                d = json_object_get(rd, hot_sec(&s, SEC_DEPENDS));
                if (json_is_string(d) && res_on(&s, json_string_value(d)))
                        json_object_set_new(deps, json_string_value(d), json_true());
                json_array_foreach(d, i,
                                   v) if (json_is_string(v) && res_on(&s, json_string_value(v)))
                        json_object_set_new(deps, json_string_value(v), json_true());
                if (json_object_get(rd, "external_id") &&
                    !json_is_null(json_object_get(rd, "external_id")))
                        json_object_clear(deps);
                dl = json_checked(json_array());
                json_object_foreach(deps, k, v) json_array_append_new(dl, json_string(k));
                json_decref(deps);
                {
                        /* sort names */
                        size_t n = json_array_size(dl);
                        for (size_t a = 1; a < n; a++)
                                for (size_t b = a;
                                     b > 0 && strcmp(json_string_value(json_array_get(dl, b - 1)),
                                                     json_string_value(json_array_get(dl, b))) > 0;
                                     b--) {
                                        json_t *t = json_incref(json_array_get(dl, b));
                                        json_array_set(dl, b, json_array_get(dl, b - 1));
                                        json_array_set_new(dl, b - 1, t);
                                }
                }
                o = json_checked(json_object());
                json_object_set(o, "type", json_object_get(s.types, name));
                json_object_set_new(o, "properties",
                                    props && !json_is_null(props) ? props : json_object());
                json_object_set_new(o, "depends_on", dl);
                json_object_set_new(res, name, o);
        }
        outs = json_checked(json_object());
        json_object_set_new(out, "outputs", outs);
        json_object_foreach(json_object_get(s.tmpl, hot_sec(&s, SEC_OUTPUTS)), name, od)
        {
                struct strbuf path = STRBUF_INIT;
                struct hot_ev ev = {.s = &s, .mode = HM_RESOLVE, .path = &path};
                json_t *cond = json_object_get(od, hot_sec(&s, SEC_CONDITION)), *v = NULL;
                bool enabled = true;
                if (cond && !json_is_null(cond)) {
                        struct hot_ev cev = {
                                .s = &s, .mode = HM_RESOLVE, .cond = true, .path = &path};
                        r = hot_cond_eval(&cev, cond, &enabled, he);
                        if (r < 0) {
                                strbuf_release(&path);
                                goto done;
                        }
                }
                if (!enabled) {
                        strbuf_release(&path); /* omitted (tool contract) */
                        continue;
                }
                path_dotted(&path, hot_sec(&s, SEC_OUTPUTS), name, hot_sec(&s, SEC_VALUE));
                r = hot_eval(&ev, json_object_get(od, hot_sec(&s, SEC_VALUE)), &v, he);
                strbuf_release(&path);
                if (r < 0)
                        goto done;
                json_object_set_new(outs, name, v == s.absent ? (json_decref(v), json_null()) : v);
        }
        *ret = TAKE_PTR(out);
        r = 0;
done:
        json_decref(out);
        stack_free(&s);
        env_free(&env);
        if (in->stats && t0 > 0)
                in->stats->resolve += mono_now() - t0;
        return r;
}
