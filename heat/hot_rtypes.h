/*
 * hot_rtypes: the resource type table. Part 1 (template language) fills the name, the
 * property names (for "Unknown Property" checks), the attribute names (for get_attr
 * validation) and whether a type accepts any attribute/property name. Part 2 adds the
 * lifecycle ops to the same struct, one file per plugin.
 */
#ifndef MC_HOT_RTYPES_H
#define MC_HOT_RTYPES_H

#include <stdbool.h>

struct hot_rtype_ops; /* part 2: create / check_complete / update / delete */

struct hot_rtype {
        const char *name;
        const char *props; /* space-separated property names ("*" prefix = required) */
        const char *attrs; /* space-separated attribute names (show is implicit) */
        bool any_attr;     /* overrides attribute lookup (None, groups, templates...) */
        bool any_prop;     /* accepts any property (OS::Heat::None) */
        bool snapshot;     /* supports the Snapshot deletion policy */
        const struct hot_rtype_ops *ops;
};

/* The type named exactly `name`, or NULL. */
const struct hot_rtype *hot_rtype_lookup(const char *name);
/* The pseudo type used for template resources (any attribute; properties from the child). */
const struct hot_rtype *hot_rtype_template(void);
/* True when rt has attribute `attr` (always true for any_attr types and for "show"). NULL rt
 * (unknown type, already reported elsewhere) accepts everything. */
bool hot_rtype_has_attr(const struct hot_rtype *rt, const char *attr);
/* True when rt has a property named `prop`. */
bool hot_rtype_has_prop(const struct hot_rtype *rt, const char *prop);

/* True when `key` is in the type's update_policy schema (NULL rt: template resource, none). */
bool hot_rtype_has_update_policy(const struct hot_rtype *rt, const char *key);

#endif
