/*
 * Magnum's policy defaults and a small oslo.policy check-string evaluator. See policy.h.
 */
#include "common/common.h"

#include <ctype.h>
#include <yaml.h>

#include "api/policy.h"

struct rule {
        char *name;
        char *check;
};

struct policy {
        struct rule *rules;
        size_t n, alloc;
};

static const struct {
        const char *name, *check;
} defaults[] = {
        {"context_is_admin", "role:admin"},
        {"admin_or_owner", "is_admin:True or project_id:%(project_id)s"},
        {"admin_api", "rule:context_is_admin"},
        {"admin_or_user", "is_admin:True or user_id:%(user_id)s"},
        {"cluster_user", "user_id:%(trustee_user_id)s"},
        {"deny_cluster_user", "not domain_id:%(trustee_domain_id)s"},
        {"bay:create", "rule:deny_cluster_user"},
        {"bay:delete", "rule:deny_cluster_user"},
        {"bay:detail", "rule:deny_cluster_user"},
        {"bay:get", "rule:deny_cluster_user"},
        {"bay:get_all", "rule:deny_cluster_user"},
        {"bay:update", "rule:deny_cluster_user"},
        {"baymodel:create", "rule:deny_cluster_user"},
        {"baymodel:delete", "rule:deny_cluster_user"},
        {"baymodel:detail", "rule:deny_cluster_user"},
        {"baymodel:get", "rule:deny_cluster_user"},
        {"baymodel:get_all", "rule:deny_cluster_user"},
        {"baymodel:update", "rule:deny_cluster_user"},
        {"baymodel:publish", "rule:admin_api"},
        {"certificate:create", "rule:admin_or_user or rule:cluster_user"},
        {"certificate:get", "rule:admin_or_user or rule:cluster_user"},
        {"certificate:rotate_ca", "rule:admin_or_owner"},
        {"cluster:create", "rule:deny_cluster_user"},
        {"cluster:delete", "rule:deny_cluster_user"},
        {"cluster:delete_all_projects", "rule:admin_api"},
        {"cluster:detail", "rule:deny_cluster_user"},
        {"cluster:detail_all_projects", "rule:admin_api"},
        {"cluster:get", "rule:deny_cluster_user"},
        {"cluster:get_one_all_projects", "rule:admin_api"},
        {"cluster:get_all", "rule:deny_cluster_user"},
        {"cluster:get_all_all_projects", "rule:admin_api"},
        {"cluster:update", "rule:deny_cluster_user"},
        {"cluster:update_health_status", "rule:admin_or_user or rule:cluster_user"},
        {"cluster:update_all_projects", "rule:admin_api"},
        {"cluster:resize", "rule:deny_cluster_user"},
        {"cluster:upgrade", "rule:deny_cluster_user"},
        {"cluster:upgrade_all_projects", "rule:admin_api"},
        {"clustertemplate:create", "rule:deny_cluster_user"},
        {"clustertemplate:delete", "rule:admin_or_owner"},
        {"clustertemplate:delete_all_projects", "rule:admin_api"},
        {"clustertemplate:detail_all_projects", "rule:admin_api"},
        {"clustertemplate:detail", "rule:deny_cluster_user"},
        {"clustertemplate:get", "rule:deny_cluster_user"},
        {"clustertemplate:get_one_all_projects", "rule:admin_api"},
        {"clustertemplate:get_all", "rule:deny_cluster_user"},
        {"clustertemplate:get_all_all_projects", "rule:admin_api"},
        {"clustertemplate:update", "rule:admin_or_owner"},
        {"clustertemplate:update_all_projects", "rule:admin_api"},
        {"clustertemplate:publish", "rule:admin_api"},
        {"federation:create", "rule:deny_cluster_user"},
        {"federation:delete", "rule:deny_cluster_user"},
        {"federation:detail", "rule:deny_cluster_user"},
        {"federation:get", "rule:deny_cluster_user"},
        {"federation:get_all", "rule:deny_cluster_user"},
        {"federation:update", "rule:deny_cluster_user"},
        {"magnum-service:get_all", "rule:admin_api"},
        {"quota:create", "rule:admin_api"},
        {"quota:delete", "rule:admin_api"},
        {"quota:get", "rule:admin_or_owner"},
        {"quota:get_all", "rule:admin_api"},
        {"quota:update", "rule:admin_api"},
        {"stats:get_all", "rule:admin_or_owner"},
        {"nodegroup:get", "rule:admin_or_owner"},
        {"nodegroup:get_all", "rule:admin_or_owner"},
        {"nodegroup:get_all_all_projects", "rule:admin_api"},
        {"nodegroup:get_one_all_projects", "rule:admin_api"},
        {"nodegroup:create", "rule:admin_or_owner"},
        {"nodegroup:update", "rule:admin_or_owner"},
        {"nodegroup:delete", "rule:admin_or_owner"},
};

static void policy_set(struct policy *p, const char *name, const char *check)
{
        for (size_t i = 0; i < p->n; i++)
                if (streq(p->rules[i].name, name)) {
                        free(p->rules[i].check);
                        p->rules[i].check = xstrdup(check);
                        return;
                }
        if (p->n == p->alloc) {
                p->alloc = p->alloc ? p->alloc * 2 : 128;
                p->rules = xrealloc(p->rules, p->alloc * sizeof(*p->rules));
        }
        p->rules[p->n].name = xstrdup(name);
        p->rules[p->n].check = xstrdup(check);
        p->n++;
}

static const char *policy_get(const struct policy *p, const char *name)
{
        for (size_t i = 0; i < p->n; i++)
                if (streq(p->rules[i].name, name))
                        return p->rules[i].check;
        return NULL;
}

void policy_free(struct policy *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n; i++) {
                free(p->rules[i].name);
                free(p->rules[i].check);
        }
        free(p->rules);
        free(p);
}

static int load_yaml(struct policy *p, const char *path, struct err *e)
{
        _cleanup_fclose_ FILE *f = fopen(path, "r");
        if (!f)
                return errno == ENOENT ? 0 : err_set(e, -errno, "%s: %m", path);
        yaml_parser_t parser;
        if (!yaml_parser_initialize(&parser))
                return err_set(e, -ENOMEM, "yaml parser");
        yaml_parser_set_input_file(&parser, f);
        int r = 0, depth = 0;
        _cleanup_free_ char *key = NULL;
        for (bool done = false; !done;) {
                yaml_event_t ev;
                if (!yaml_parser_parse(&parser, &ev)) {
                        r = err_set(e, -EINVAL, "%s:%zu: %s", path, parser.problem_mark.line + 1,
                                    parser.problem ? parser.problem : "invalid YAML");
                        break;
                }
                switch (ev.type) {
                case YAML_MAPPING_START_EVENT:
                case YAML_SEQUENCE_START_EVENT:
                        if (++depth > 1)
                                r = err_set(e, -EINVAL, "%s: rules must be a flat mapping", path);
                        break;
                case YAML_MAPPING_END_EVENT:
                case YAML_SEQUENCE_END_EVENT:
                        depth--;
                        break;
                case YAML_SCALAR_EVENT:
                        if (!key) {
                                key = xstrdup((const char *)ev.data.scalar.value);
                        } else {
                                policy_set(p, key, (const char *)ev.data.scalar.value);
                                free(TAKE_PTR(key));
                        }
                        break;
                case YAML_STREAM_END_EVENT:
                        done = true;
                        break;
                default:
                        break;
                }
                yaml_event_delete(&ev);
                if (r < 0)
                        break;
        }
        yaml_parser_delete(&parser);
        return r;
}

int policy_load(const char *yaml_path, struct policy **ret, struct err *e)
{
        struct policy *p = xnew(struct policy, 1);
        for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
                policy_set(p, defaults[i].name, defaults[i].check);
        if (yaml_path) {
                int r = load_yaml(p, yaml_path, e);
                if (r < 0) {
                        policy_free(p);
                        return r;
                }
        }
        *ret = p;
        return 0;
}

/* ---- evaluation ---------------------------------------------------------------------------- */

struct ev {
        const struct policy *p;
        const struct policy_creds *c;
        const json_t *target;
        const char *s;
        int depth;
        bool bad;
};

static bool eval_or(struct ev *v);

static void skip_ws(struct ev *v)
{
        while (isspace((unsigned char)*v->s))
                v->s++;
}

static bool word_is(struct ev *v, const char *w)
{
        size_t n = strlen(w);
        return strncmp(v->s, w, n) == 0 && (v->s[n] == '\0' || isspace((unsigned char)v->s[n]) ||
                                            v->s[n] == '(' || v->s[n] == ')');
}

static bool eval_rule_name(struct ev *v, const char *name)
{
        const char *check = policy_get(v->p, name);
        if (!check || v->depth > 16)
                return false;
        struct ev sub = {v->p, v->c, v->target, check, v->depth + 1, false};
        skip_ws(&sub);
        if (!*sub.s)
                return true; /* empty rule = always */
        bool r = eval_or(&sub);
        return r && !sub.bad;
}

static const char *cred_value(struct ev *v, const char *attr, char *buf)
{
        if (streq(attr, "user_id"))
                return v->c->user_id;
        if (streq(attr, "project_id"))
                return v->c->project_id;
        if (streq(attr, "domain_id") || streq(attr, "user_domain_id"))
                return v->c->domain_id;
        if (streq(attr, "is_admin")) {
                bool a = eval_rule_name(v, "context_is_admin");
                buf[0] = a ? 'T' : 'F';
                return a ? "True" : "False";
        }
        return NULL;
}

static bool eval_atom(struct ev *v, const char *tok)
{
        if (streq(tok, "@"))
                return true;
        if (streq(tok, "!"))
                return false;
        const char *colon = strchr(tok, ':');
        if (!colon) {
                v->bad = true;
                return false;
        }
        _cleanup_free_ char *kind = xstrndup(tok, (size_t)(colon - tok));
        const char *match = colon + 1;
        if (streq(kind, "rule"))
                return eval_rule_name(v, match);
        if (streq(kind, "role")) {
                for (size_t i = 0; i < v->c->n_roles; i++)
                        if (strcaseeq(v->c->roles[i], match))
                                return true;
                return false;
        }
        /* generic: <cred attr>:<value or %(target)s> */
        _cleanup_free_ char *want = NULL;
        if (str_starts_with(match, "%(") && str_ends_with(match, ")s")) {
                _cleanup_free_ char *key = xstrndup(match + 2, strlen(match) - 4);
                json_t *tv = v->target ? json_object_get(v->target, key) : NULL;
                if (json_is_string(tv))
                        want = xstrdup(json_string_value(tv));
                else if (json_is_boolean(tv))
                        want = xstrdup(json_is_true(tv) ? "True" : "False");
                else
                        return false;
        } else {
                want = xstrdup(match);
        }
        char buf[2];
        const char *have = cred_value(v, kind, buf);
        if (!have)
                return false;
        return strcaseeq(kind, "is_admin") ? strcaseeq(have, want) : streq(have, want);
}

static bool eval_unary(struct ev *v)
{
        skip_ws(v);
        if (word_is(v, "not")) {
                v->s += 3;
                return !eval_unary(v);
        }
        if (*v->s == '(') {
                v->s++;
                bool r = eval_or(v);
                skip_ws(v);
                if (*v->s == ')')
                        v->s++;
                else
                        v->bad = true;
                return r;
        }
        /* A check runs to the next blank; trailing ')' beyond the check's own "%(...)s"
         * parentheses close enclosing groups and are left in the stream (as oslo does). */
        const char *start = v->s;
        while (*v->s && !isspace((unsigned char)*v->s))
                v->s++;
        int depth = 0;
        const char *end = start;
        for (const char *p = start; p < v->s; p++) {
                if (*p == '(')
                        depth++;
                else if (*p == ')' && --depth < 0)
                        break;
                end = p + 1;
        }
        v->s = end;
        if (end == start) {
                v->bad = true;
                return false;
        }
        _cleanup_free_ char *tok = xstrndup(start, (size_t)(end - start));
        return eval_atom(v, tok);
}

static bool eval_and(struct ev *v)
{
        bool r = eval_unary(v);
        for (;;) {
                skip_ws(v);
                if (!word_is(v, "and"))
                        return r;
                v->s += 3;
                bool x = eval_unary(v);
                r = r && x;
        }
}

static bool eval_or(struct ev *v)
{
        bool r = eval_and(v);
        for (;;) {
                skip_ws(v);
                if (!word_is(v, "or"))
                        return r;
                v->s += 2;
                bool x = eval_and(v);
                r = r || x;
        }
}

int policy_eval_string(const struct policy *p, const char *check, const struct policy_creds *c,
                       const json_t *target, bool *ret)
{
        struct ev v = {p, c, target, check, 0, false};
        skip_ws(&v);
        bool r = *v.s ? eval_or(&v) : true;
        skip_ws(&v);
        if (v.bad || *v.s)
                return -EINVAL;
        *ret = r;
        return 0;
}

bool policy_check(const struct policy *p, const char *name, const struct policy_creds *creds,
                  const json_t *target)
{
        struct ev v = {p, creds, target, "", 0, false};
        return eval_rule_name(&v, name);
}
