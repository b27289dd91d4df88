/*
 * Resource schemas (the attribute tables of Magnum's WSME types) and the generic body parser /
 * renderer over them. See schema.h.
 */
#include "common/common.h"

#include <arpa/inet.h>
#include <limits.h>
#include <math.h>

#include "api/schema.h"
#include "common/ids.h"
#include "common/json_util.h"

#define UNBOUNDED (-1)

static const char *const coe_values[] = {"kubernetes", "swarm",      "mesos",
                                         "dcos",       "swarm-mode", NULL};
static const char *const server_type_values[] = {"vm", "bm", NULL};
static const char *const status_values[] = {"CREATE_IN_PROGRESS",
                                            "CREATE_FAILED",
                                            "CREATE_COMPLETE",
                                            "UPDATE_IN_PROGRESS",
                                            "UPDATE_FAILED",
                                            "UPDATE_COMPLETE",
                                            "DELETE_IN_PROGRESS",
                                            "DELETE_FAILED",
                                            "DELETE_COMPLETE",
                                            "RESUME_COMPLETE",
                                            "RESUME_FAILED",
                                            "RESTORE_COMPLETE",
                                            "ROLLBACK_IN_PROGRESS",
                                            "ROLLBACK_FAILED",
                                            "ROLLBACK_COMPLETE",
                                            "SNAPSHOT_COMPLETE",
                                            "CHECK_COMPLETE",
                                            "ADOPT_COMPLETE",
                                            NULL};
static const char *const health_values[] = {"HEALTHY", "UNHEALTHY", "UNKNOWN", NULL};
static const char *const fed_status_values[] = {"CREATE_IN_PROGRESS", "CREATE_FAILED",
                                                "CREATE_COMPLETE",    "UPDATE_IN_PROGRESS",
                                                "UPDATE_FAILED",      "UPDATE_COMPLETE",
                                                "DELETE_IN_PROGRESS", "DELETE_FAILED",
                                                "DELETE_COMPLETE",    NULL};
static const char *const quota_resource_values[] = {"Cluster", NULL};

#define STR255(n, fl)                                                                              \
        {                                                                                          \
                n, SF_STR, (fl), 1, 255, NULL, NULL, 0, false                                      \
        }
#define TEXT(n, fl)                                                                                \
        {                                                                                          \
                n, SF_STR, (fl), 0, 0, NULL, NULL, 0, false                                        \
        }
#define RO_TEXT(n)                                                                                 \
        {                                                                                          \
                n, SF_STR, SF_READONLY, 0, 0, NULL, NULL, 0, false                                 \
        }
#define BOOLD(n, d)                                                                                \
        {                                                                                          \
                n, SF_BOOL, SF_DEFAULT, 0, 0, NULL, NULL, (d), false                               \
        }
#define BOOL(n)                                                                                    \
        {                                                                                          \
                n, SF_BOOL, 0, 0, 0, NULL, NULL, 0, false                                          \
        }
#define INTR(n, lo, hi, fl)                                                                        \
        {                                                                                          \
                n, SF_INT, (fl), (lo), (hi), NULL, NULL, 0, false                                  \
        }
#define INTD(n, lo, d, fl)                                                                         \
        {                                                                                          \
                n, SF_INT, (fl) | SF_DEFAULT, (lo), UNBOUNDED, NULL, NULL, (d), false              \
        }
#define TS(n)                                                                                      \
        {                                                                                          \
                n, SF_TIME, SF_READONLY, 0, 0, NULL, NULL, 0, false                                \
        }
#define LINKS                                                                                      \
        {                                                                                          \
                "links", SF_LINKS, SF_READONLY | SF_LISTVIEW, 0, 0, NULL, NULL, 0, false           \
        }
#define UUIDF(fl)                                                                                  \
        {                                                                                          \
                "uuid", SF_UUID, (fl), 0, 0, NULL, NULL, 0, false                                  \
        }
#define ENUMF(n, vals, fl)                                                                         \
        {                                                                                          \
                n, SF_ENUM, (fl), 0, 0, vals, NULL, 0, false                                       \
        }
#define TYPED(n, t, fl)                                                                            \
        {                                                                                          \
                n, t, (fl), 0, 0, NULL, NULL, 0, false                                             \
        }

#define CT_FIELDS(keypair_flags, dns_type)                                                         \
        UUIDF(0), STR255("name", 0), ENUMF("coe", coe_values, SF_MANDATORY),                       \
                STR255("image_id", SF_MANDATORY), STR255("flavor_id", 0),                          \
                STR255("master_flavor_id", 0), TYPED("dns_nameserver", dns_type, 0),               \
                STR255("keypair_id", keypair_flags), STR255("external_network_id", 0),             \
                STR255("fixed_network", 0), STR255("fixed_subnet", 0),                             \
                STR255("network_driver", 0), INTR("apiserver_port", 1024, 65535, 0),               \
                INTR("docker_volume_size", 1, UNBOUNDED, 0), STR255("cluster_distro", 0), LINKS,   \
                STR255("http_proxy", 0), STR255("https_proxy", 0), STR255("no_proxy", 0),          \
                STR255("volume_driver", 0), BOOLD("registry_enabled", 0),                          \
                TYPED("labels", SF_LABELS, 0), BOOLD("tls_disabled", 0), BOOLD("public", 0),       \
                {"server_type", SF_ENUM, SF_DEFAULT, 0, 0, server_type_values, "vm", 0, false},    \
                STR255("insecure_registry", 0), STR255("docker_storage_driver", 0),                \
                BOOLD("master_lb_enabled", 0), BOOLD("floating_ip_enabled", 1),                    \
                RO_TEXT("project_id"), RO_TEXT("user_id"), BOOLD("hidden", 0),                     \
                {"tags", SF_STR, 0, 0, 255, NULL, NULL, 0, false}, TS("created_at"),               \
                TS("updated_at")

static const struct schema_field ct_fields[] = {CT_FIELDS(0, SF_DNSLIST)};
const struct schema schema_cluster_template = {"cluster_template", ct_fields,
                                               ARRAY_SIZE(ct_fields)};
static const struct schema_field bm_fields[] = {CT_FIELDS(SF_MANDATORY, SF_DNSLIST)};
const struct schema schema_baymodel = {"baymodel", bm_fields, ARRAY_SIZE(bm_fields)};

/* Name pattern is checked by the cluster validator (api/validate.c) because WSME reports it
 * as a field error with the pattern text. */
#define CLUSTER_COMMON                                                                             \
        {"name", SF_STR, SF_LISTVIEW, 1, 242, NULL, NULL, 0, false},                               \
                INTD("master_count", 1, 1, SF_LISTVIEW),                                           \
                {"docker_volume_size", SF_INT, SF_LISTVIEW, 1, UNBOUNDED, NULL, NULL, 0, false},   \
                TYPED("labels", SF_LABELS, SF_LISTVIEW), STR255("master_flavor_id", SF_LISTVIEW),  \
                STR255("flavor_id", SF_LISTVIEW), LINKS,                                           \
                {"stack_id", SF_STR, SF_READONLY | SF_LISTVIEW, 0, 0, NULL, NULL, 0, false},       \
                ENUMF("status", status_values, SF_LISTVIEW), TEXT("status_reason", 0),             \
                TEXT("discovery_url", 0), RO_TEXT("api_address"), RO_TEXT("coe_version"),          \
                RO_TEXT("container_version"), TYPED("node_addresses", SF_STRLIST, SF_READONLY),    \
                TYPED("master_addresses", SF_STRLIST, SF_READONLY), STR255("fixed_network", 0),    \
                STR255("fixed_subnet", 0), TS("created_at"), TS("updated_at")

static const struct schema_field cluster_fields[] = {
        UUIDF(SF_LISTVIEW),
        CLUSTER_COMMON,
        {"cluster_template_id", SF_STR, SF_MANDATORY | SF_LISTVIEW, 0, 0, NULL, NULL, 0, false},
        STR255("keypair", SF_LISTVIEW),
        INTD("node_count", 0, 1, SF_LISTVIEW),
        INTD("create_timeout", 0, 60, SF_LISTVIEW),
        ENUMF("health_status", health_values, SF_LISTVIEW),
        TYPED("health_status_reason", SF_STRDICT, 0),
        RO_TEXT("project_id"),
        RO_TEXT("user_id"),
        TYPED("faults", SF_STRDICT, 0),
        BOOL("floating_ip_enabled"),
        {"merge_labels", SF_BOOL, SF_DEFAULT | SF_LISTVIEW | SF_ECHO_LIST, 0, 0, NULL, NULL, 0,
         false},
        TYPED("labels_overridden", SF_LABELS, 0),
        TYPED("labels_added", SF_LABELS, 0),
        TYPED("labels_skipped", SF_LABELS, 0),
        BOOL("master_lb_enabled"),
};
const struct schema schema_cluster = {"cluster", cluster_fields, ARRAY_SIZE(cluster_fields)};

static const struct schema_field bay_fields[] = {
        UUIDF(SF_LISTVIEW),
        CLUSTER_COMMON,
        {"baymodel_id", SF_STR, SF_MANDATORY | SF_LISTVIEW, 0, 0, NULL, NULL, 0, false},
        INTD("node_count", 1, 1, SF_LISTVIEW),
        INTD("bay_create_timeout", 0, 60, SF_LISTVIEW),
        TYPED("bay_faults", SF_STRDICT, 0),
        BOOLD("floating_ip_enabled", 1),
        BOOL("master_lb_enabled"),
};
const struct schema schema_bay = {"bay", bay_fields, ARRAY_SIZE(bay_fields)};

static const struct schema_field ng_fields[] = {
        INTR("id", 1, UNBOUNDED, 0),
        UUIDF(SF_LISTVIEW),
        {"name", SF_STR, SF_DEFAULT | SF_LISTVIEW, 1, 255, NULL, NULL, 0, true},
        TYPED("cluster_id", SF_UUID, 0),
        RO_TEXT("project_id"),
        {"docker_volume_size", SF_INT, 0, 1, UNBOUNDED, NULL, NULL, 0, false},
        TYPED("labels", SF_LABELS, 0),
        {"links", SF_LINKS, SF_READONLY, 0, 0, NULL, NULL, 0, false},
        STR255("flavor_id", SF_LISTVIEW),
        STR255("image_id", SF_LISTVIEW),
        TYPED("node_addresses", SF_STRLIST, SF_READONLY),
        INTD("node_count", 0, 1, SF_LISTVIEW),
        {"role", SF_STR, SF_DEFAULT | SF_LISTVIEW, 1, 255, NULL, "worker", 0, false},
        INTD("min_node_count", 0, 0, SF_LISTVIEW | SF_ECHO_LIST),
        {"max_node_count", SF_INT, SF_DEFAULT | SF_LISTVIEW | SF_ECHO_LIST, 0, UNBOUNDED, NULL,
         NULL, 0, true},
        TYPED("is_default", SF_BOOL, SF_LISTVIEW),
        {"stack_id", SF_STR, SF_READONLY | SF_LISTVIEW, 0, 0, NULL, NULL, 0, false},
        ENUMF("status", status_values, SF_LISTVIEW),
        TEXT("status_reason", 0),
        TEXT("version", 0),
        {"merge_labels", SF_BOOL, SF_DEFAULT | SF_LISTVIEW | SF_ECHO_LIST, 0, 0, NULL, NULL, 0,
         false},
        TYPED("labels_overridden", SF_LABELS, 0),
        TYPED("labels_added", SF_LABELS, 0),
        TYPED("labels_skipped", SF_LABELS, 0),
        TS("created_at"),
        TS("updated_at"),
};
const struct schema schema_nodegroup = {"nodegroup", ng_fields, ARRAY_SIZE(ng_fields)};

static const struct schema_field quota_fields[] = {
        INTR("id", 1, UNBOUNDED, SF_LISTVIEW),
        INTD("hard_limit", 0, 1, SF_LISTVIEW),
        {"project_id", SF_STR, SF_DEFAULT | SF_LISTVIEW, 1, 255, NULL, NULL, 0, true},
        {"resource", SF_ENUM, SF_DEFAULT | SF_LISTVIEW, 0, 0, quota_resource_values, "Cluster", 0,
         false},
        TS("created_at"),
        TS("updated_at"),
};
const struct schema schema_quota = {"quota", quota_fields, ARRAY_SIZE(quota_fields)};

static const struct schema_field fed_fields[] = {
        UUIDF(SF_LISTVIEW),
        {"name", SF_STR, SF_LISTVIEW, 1, 242, NULL, NULL, 0, false},
        TYPED("hostcluster_id", SF_STR, SF_LISTVIEW),
        TYPED("member_ids", SF_STRLIST, SF_LISTVIEW),
        ENUMF("status", fed_status_values, SF_LISTVIEW),
        TEXT("status_reason", 0),
        TYPED("properties", SF_STRDICT, SF_LISTVIEW),
        LINKS,
        TS("created_at"),
        TS("updated_at"),
};
const struct schema schema_federation = {"federation", fed_fields, ARRAY_SIZE(fed_fields)};

static const struct schema_field cert_fields[] = {
        TEXT("bay_uuid", 0),
        TEXT("cluster_uuid", 0),
        {"links", SF_LINKS, SF_READONLY, 0, 0, NULL, NULL, 0, false},
        {"csr", SF_STR, 0, 1, 0, NULL, NULL, 0, false},
        TEXT("pem", 0),
        TEXT("ca_cert_type", 0),
        TS("created_at"),
        TS("updated_at"),
};
const struct schema schema_certificate = {"certificate", cert_fields, ARRAY_SIZE(cert_fields)};

const struct schema_field *schema_field(const struct schema *s, const char *name)
{
        for (size_t i = 0; i < s->n_fields; i++)
                if (streq(s->fields[i].name, name))
                        return &s->fields[i];
        return NULL;
}

static void pyfloat(struct strbuf *sb, double d)
{
        /* Python repr of a float: shortest round-trip, always with a '.' or exponent. */
        char tmp[64];
        for (int prec = 1; prec <= 17; prec++) {
                snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
                if (strtod(tmp, NULL) == d)
                        break;
        }
        strbuf_addstr(sb, tmp);
        if (!strpbrk(tmp, ".eni"))
                strbuf_addstr(sb, ".0");
}

static void pyrepr(struct strbuf *sb, const json_t *v, bool top)
{
        switch (json_typeof(v)) {
        case JSON_NULL:
                strbuf_addstr(sb, "None");
                break;
        case JSON_TRUE:
                strbuf_addstr(sb, "True");
                break;
        case JSON_FALSE:
                strbuf_addstr(sb, "False");
                break;
        case JSON_INTEGER:
                strbuf_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
                break;
        case JSON_REAL:
                pyfloat(sb, json_real_value(v));
                break;
        case JSON_STRING:
                if (top)
                        strbuf_addstr(sb, json_string_value(v));
                else
                        strbuf_addf(sb, "'%s'", json_string_value(v));
                break;
        case JSON_ARRAY: {
                size_t i;
                json_t *x;
                strbuf_addch(sb, '[');
                json_array_foreach(v, i, x)
                {
                        if (i)
                                strbuf_addstr(sb, ", ");
                        pyrepr(sb, x, false);
                }
                strbuf_addch(sb, ']');
                break;
        }
        case JSON_OBJECT: {
                const char *k;
                json_t *x;
                bool first = true;
                strbuf_addch(sb, '{');
                json_object_foreach((json_t *)v, k, x)
                {
                        if (!first)
                                strbuf_addstr(sb, ", ");
                        first = false;
                        strbuf_addf(sb, "'%s': ", k);
                        pyrepr(sb, x, false);
                }
                strbuf_addch(sb, '}');
                break;
        }
        }
}

char *schema_pystr(const json_t *v)
{
        struct strbuf sb = STRBUF_INIT;
        pyrepr(&sb, v, true);
        return strbuf_detach(&sb, NULL);
}

int schema_parse_bool(const char *s, bool *ret)
{
        static const char *const yes[] = {"1", "t", "true", "on", "y", "yes"};
        static const char *const no[] = {"0", "f", "false", "off", "n", "no"};
        for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
                if (strcaseeq(s, yes[i])) {
                        *ret = true;
                        return 0;
                }
        for (size_t i = 0; i < ARRAY_SIZE(no); i++)
                if (strcaseeq(s, no[i])) {
                        *ret = false;
                        return 0;
                }
        return -EINVAL;
}

static int invalid(struct err *e, const char *field, const json_t *v, const char *msg)
{
        _cleanup_free_ char *pv = v ? schema_pystr(v) : xstrdup("None");
        return err_set(e, -EINVAL, "Invalid input for field/attribute %s. Value: '%s'. %s", field,
                       pv, msg);
}

static bool is_ipv4(const char *s)
{
        struct in_addr a;
        return inet_pton(AF_INET, s, &a) == 1;
}

/* A label/dict value as the string Python's str() would store. */
static json_t *label_value(const json_t *v)
{
        if (json_is_string(v))
                return json_incref((json_t *)v);
        _cleanup_free_ char *s = schema_pystr(v);
        return json_checked(json_string(s));
}

int schema_coerce(const struct schema_field *f, const json_t *v, json_t **ret, struct err *e)
{
        if (json_is_null(v)) {
                *ret = json_null();
                return 0;
        }
        switch (f->type) {
        case SF_STR:
        case SF_UUID:
        case SF_ENUM:
        case SF_DNSLIST: {
                if (!json_is_string(v))
                        return invalid(e, f->name, v,
                                       f->type == SF_STR ? "Value should be string"
                                                         : "Wrong type. Expected '<class 'str'>'");
                const char *s = json_string_value(v);
                size_t len = strlen(s);
                if (f->type == SF_STR) {
                        if ((long long)len < f->min) {
                                char m[96];
                                snprintf(m, sizeof(m),
                                         "Value should have a minimum character requirement of "
                                         "%lld",
                                         f->min);
                                return invalid(e, f->name, v, m);
                        }
                        if (f->max > 0 && (long long)len > f->max) {
                                char m[96];
                                snprintf(m, sizeof(m),
                                         "Value should have a maximum character requirement of "
                                         "%lld",
                                         f->max);
                                return invalid(e, f->name, v, m);
                        }
                } else if (f->type == SF_UUID) {
                        if (!uuid_is_like(s))
                                return err_set(e, -EINVAL, "Expected a uuid but received %s.", s);
                } else if (f->type == SF_ENUM) {
                        bool ok = false;
                        for (size_t i = 0; f->enum_values[i]; i++)
                                ok = ok || streq(s, f->enum_values[i]);
                        if (!ok) {
                                _cleanup_strbuf_ struct strbuf m = STRBUF_INIT;
                                strbuf_addstr(&m, "Value should be one of: ");
                                for (size_t i = 0; f->enum_values[i]; i++)
                                        strbuf_addf(&m, "%s%s", i ? ", " : "", f->enum_values[i]);
                                return invalid(e, f->name, v, m.buf);
                        }
                } else {
                        /* dns_list: every comma-separated entry an IPv4 address */
                        _cleanup_free_ char *copy = xstrdup(s);
                        char *save = NULL;
                        for (char *t = strtok_r(copy, ",", &save); t;
                             t = strtok_r(NULL, ",", &save)) {
                                while (*t == ' ')
                                        t++;
                                if (!is_ipv4(t))
                                        return err_set(e, -EINVAL,
                                                       "Invalid input for field/attribute "
                                                       "dns_nameserver. Value: '%s'. Invalid DNS "
                                                       "nameserver: %s",
                                                       s, t);
                        }
                }
                *ret = json_incref((json_t *)v);
                return 0;
        }
        case SF_INT: {
                long long n;
                if (json_is_integer(v))
                        n = json_integer_value(v);
                else if (json_is_real(v) && isfinite(json_real_value(v)))
                        /* Python's int() truncates any float; clamp before the C cast
                         * (undefined out of range) so the bounds check below reports it. */
                        n = json_real_value(v) >= 9.2e18    ? LLONG_MAX
                            : json_real_value(v) <= -9.2e18 ? LLONG_MIN
                                                            : (long long)json_real_value(v);
                else if (json_is_boolean(v))
                        n = json_is_true(v);
                else if (json_is_string(v) &&
                         str_to_ll(json_string_value(v), -(1LL << 62), 1LL << 62, &n) == 0)
                        ;
                else
                        return invalid(e, f->name, v,
                                       "Wrong type. Expected '<class 'int'>', got '<class "
                                       "'str'>'");
                if (n < f->min) {
                        char m[64];
                        snprintf(m, sizeof(m), "Value should be greater or equal to %lld", f->min);
                        _cleanup_(json_decrefp) json_t *nv = json_checked(json_integer(n));
                        return invalid(e, f->name, nv, m);
                }
                if (f->max >= f->min && n > f->max) {
                        char m[64];
                        snprintf(m, sizeof(m), "Value should be lower or equal to %lld", f->max);
                        _cleanup_(json_decrefp) json_t *nv = json_checked(json_integer(n));
                        return invalid(e, f->name, nv, m);
                }
                *ret = json_checked(json_integer(n));
                return 0;
        }
        case SF_BOOL: {
                bool b;
                if (json_is_boolean(v))
                        b = json_is_true(v);
                else if (json_is_integer(v) &&
                         (json_integer_value(v) == 0 || json_integer_value(v) == 1))
                        b = json_integer_value(v);
                else if (json_is_string(v) && schema_parse_bool(json_string_value(v), &b) == 0)
                        ;
                else {
                        _cleanup_free_ char *pv = schema_pystr(v);
                        char m[640];
                        snprintf(m, sizeof(m),
                                 "Unrecognized value '%.400s', acceptable values are: '0', '1', "
                                 "'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'",
                                 pv);
                        return invalid(e, f->name, v, m);
                }
                *ret = json_boolean(b);
                return 0;
        }
        case SF_LABELS:
        case SF_STRDICT:
        case SF_DICT: {
                if (!json_is_object(v))
                        return invalid(e, f->name, v, "Value not a valid dict");
                if (f->type == SF_DICT) {
                        *ret = json_incref((json_t *)v);
                        return 0;
                }
                json_auto_t *out = json_checked(json_object());
                const char *k;
                json_t *x;
                json_object_foreach((json_t *)v, k, x)
                {
                        if (f->type == SF_STRDICT && !json_is_string(x))
                                return invalid(e, f->name, v,
                                               "Wrong type. Expected '<class 'str'>'");
                        if (json_is_object(x) || json_is_array(x) || json_is_null(x))
                                return invalid(e, f->name, v,
                                               "Value should be one of str, int, bool, float");
                        json_object_set_new(out, k, label_value(x));
                }
                *ret = TAKE_PTR(out);
                return 0;
        }
        case SF_STRLIST: {
                if (!json_is_array(v))
                        return invalid(e, f->name, v, "Value not a valid list");
                size_t i;
                json_t *x;
                json_array_foreach(v, i, x)
                {
                        if (!json_is_string(x))
                                return invalid(e, f->name, v,
                                               "Wrong type. Expected '<class 'str'>'");
                }
                *ret = json_incref((json_t *)v);
                return 0;
        }
        case SF_LINKS:
        case SF_TIME:
                *ret = json_incref((json_t *)v);
                return 0;
        }
        return -EINVAL;
}

static json_t *default_value(const struct schema_field *f)
{
        if (f->def_null)
                return json_null();
        switch (f->type) {
        case SF_BOOL:
                return json_boolean(f->def_int);
        case SF_INT:
                return json_checked(json_integer(f->def_int));
        default:
                return f->def_str ? json_checked(json_string(f->def_str)) : json_null();
        }
}

int schema_parse_body(const struct schema *s, const json_t *body, json_t **ret, struct err *e)
{
        if (!json_is_object(body)) {
                _cleanup_free_ char *pv = schema_pystr(body);
                return err_set(e, -EINVAL,
                               "Invalid input for field/attribute %s. Value: '%s'. Wrong type. "
                               "Expected '<class 'dict'>', got '<class '%s'>'",
                               s->argname, pv,
                               json_is_array(body)    ? "list"
                               : json_is_string(body) ? "str"
                                                      : "int");
        }
        /* Unknown attributes first (all of them, in the body's order). */
        _cleanup_strbuf_ struct strbuf unknown = STRBUF_INIT;
        size_t n_unknown = 0;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)body, k, v)
        {
                if (!schema_field(s, k)) {
                        strbuf_addf(&unknown, "%s%s", n_unknown ? ", " : "", k);
                        n_unknown++;
                }
        }
        if (n_unknown)
                return err_set(e, -EINVAL, "Unknown attribute%s for argument %s: %s",
                               n_unknown > 1 ? "s" : "", s->argname, unknown.buf);

        json_auto_t *out = json_checked(json_object());
        for (size_t i = 0; i < s->n_fields; i++) {
                const struct schema_field *f = &s->fields[i];
                json_t *bv = json_object_get(body, f->name);
                if (bv) {
                        json_t *cv = NULL;
                        int r = schema_coerce(f, bv, &cv, e);
                        if (r < 0)
                                return r;
                        if (f->flags & SF_READONLY) {
                                r = invalid(e, f->name, cv, "Cannot set read only field.");
                                json_decref(cv);
                                return r;
                        }
                        json_object_set_new(out, f->name, cv);
                } else if (f->flags & SF_MANDATORY) {
                        return err_set(e, -EINVAL,
                                       "Invalid input for field/attribute %s. Value: 'None'. "
                                       "Mandatory field missing.",
                                       f->name);
                } else if (f->flags & SF_DEFAULT) {
                        json_object_set_new(out, f->name, default_value(f));
                }
        }
        *ret = TAKE_PTR(out);
        return 0;
}

const char **schema_listview_columns(const struct schema *s, const char **ret, size_t max)
{
        size_t n = 0;
        for (size_t i = 0; i < s->n_fields && n + 1 < max; i++) {
                const struct schema_field *f = &s->fields[i];
                if (f->type != SF_LINKS && (f->flags & SF_LISTVIEW) && !(f->flags & SF_ECHO_LIST))
                        ret[n++] = f->name;
        }
        ret[n] = NULL;
        return ret;
}

json_t *schema_render(const struct schema *s, const json_t *obj, bool list_view)
{
        json_t *out = json_checked(json_object());
        for (size_t i = 0; i < s->n_fields; i++) {
                const struct schema_field *f = &s->fields[i];
                if (f->type == SF_LINKS)
                        continue;
                if (list_view && !(f->flags & SF_LISTVIEW))
                        continue;
                json_t *v = json_object_get(obj, f->name);
                if (list_view && (f->flags & SF_ECHO_LIST)) {
                        json_object_set_new(out, f->name, default_value(f));
                        continue;
                }
                if (v)
                        json_object_set(out, f->name, v);
                else if (f->flags & SF_DEFAULT)
                        json_object_set_new(out, f->name, default_value(f));
                else if (list_view)
                        json_object_set_new(out, f->name, json_null());
        }
        return out;
}
