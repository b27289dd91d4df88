/*
 * schema: the declarative description of each Magnum API resource (cluster template, cluster,
 * nodegroup, quota, federation, bay, baymodel, certificate) and the two generic operations on
 * it that WSME performs in the real service:
 *
 *   - schema_parse_body(): a request body → a JSON object holding only declared attributes,
 *     coerced to their declared types (ints from strings/floats/bools, label values to
 *     strings), with defaults filled in; unknown, read-only, missing-mandatory and
 *     out-of-range attributes give the exact WSME 400 message;
 *   - schema_render(): a stored object → its API view (full or list view), emitting the
 *     attributes declared with a default even when unset, as WSME does.
 *
 * Resources travel through the API layer as jansson objects keyed by attribute name; the db
 * layer (db/object.h) reads and writes the same shape.
 */
#ifndef MC_API_SCHEMA_H
#define MC_API_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>

#include "common/err.h"

enum sf_type {
        SF_STR,     /* string with min/max length (max 0 = unbounded text) */
        SF_INT,     /* integer in [min, max] (max < min = unbounded above) */
        SF_BOOL,    /* oslo strict bool: true/false or strings "true"/"1"/"yes"/... */
        SF_LABELS,  /* dict str → str|int|bool|float, values stored as strings */
        SF_STRDICT, /* dict str → str */
        SF_DICT,    /* any JSON object */
        SF_STRLIST, /* list of strings */
        SF_UUID,    /* uuid-like string */
        SF_ENUM,    /* one of enum_values */
        SF_DNSLIST, /* comma-separated IPv4 list */
        SF_LINKS,   /* read-only links list */
        SF_TIME,    /* read-only timestamp */
};

enum {
        SF_MANDATORY = 1u << 0,   /* missing in a create body → 400 */
        SF_READONLY = 1u << 1,    /* present in a body → 400 "Cannot set read only field." */
        SF_LISTVIEW = 1u << 2,    /* kept in the list (summary) view */
        SF_DEFAULT = 1u << 3,     /* has a default (def_*), filled on parse and echoed on render */
        SF_ECHO_LIST = 1u << 4,   /* in list view emitted as its default, not its value */
        SF_NOT_IN_FULL = 1u << 5, /* only shown in list view (none today; kept for symmetry) */
};

struct schema_field {
        const char *name;
        enum sf_type type;
        unsigned flags;
        long long min, max;             /* lengths for SF_STR, values for SF_INT */
        const char *const *enum_values; /* NULL-terminated, SF_ENUM */
        /* the default when SF_DEFAULT: text for strings/enums, number for ints and bools
         * (def_null means a null default) */
        const char *def_str;
        long long def_int;
        bool def_null;
};

struct schema {
        const char *argname; /* WSME body argument name: "cluster_template", "cluster", ... */
        const struct schema_field *fields;
        size_t n_fields;
};

extern const struct schema schema_cluster_template;
extern const struct schema schema_baymodel;
extern const struct schema schema_cluster;
extern const struct schema schema_bay;
extern const struct schema schema_nodegroup;
extern const struct schema schema_quota;
extern const struct schema schema_federation;
extern const struct schema schema_certificate;

/* The field named `name`, NULL when the schema has none. */
const struct schema_field *schema_field(const struct schema *s, const char *name);

/* Parses a create body (already JSON-decoded) against s. On success *ret is a new object with
 * every attribute present in the body (coerced; JSON null kept as null) plus every SF_DEFAULT
 * attribute not given. -EINVAL with the WSME message in e on any violation. */
int schema_parse_body(const struct schema *s, const json_t *body, json_t **ret, struct err *e);

/* Validates and coerces one attribute value (used by schema_parse_body and by PATCH, which
 * re-validates the patched document). *ret is a new reference. -EINVAL with message. */
int schema_coerce(const struct schema_field *f, const json_t *v, json_t **ret, struct err *e);

/* The API view of obj: every declared non-link field that obj holds (nulls kept), plus
 * defaults of SF_DEFAULT fields; list_view keeps only SF_LISTVIEW fields (SF_ECHO_LIST ones
 * rendered as their default). Links are not added here. Returns a new object. */
json_t *schema_render(const struct schema *s, const json_t *obj, bool list_view);
/* The stored fields the list view shows (SF_LISTVIEW, not links, not echoed defaults), as a
 * NULL-terminated array of names for dbo_query.columns: a list reads nothing else. At most
 * max - 1 names; returns ret. */
const char **schema_listview_columns(const struct schema *s, const char **ret, size_t max);

/* Python's str() of a JSON value, as WSME puts it in "Value: '...'" messages. Caller frees. */
char *schema_pystr(const json_t *v);

/* Parses an oslo strict boolean ("true"/"1"/"yes"/"on"/"y"/"t" and their negatives, any case).
 * -EINVAL otherwise. */
int schema_parse_bool(const char *s, bool *ret);

#endif
