/*
 * fuzz_api_schema: POST bodies for every Magnum resource through the WSME-style schema. The first
 * byte picks the resource ('0' cluster template, '1' baymodel, '2' cluster, '3' bay,
 * '4' nodegroup, '5' quota, '6' federation, '7' certificate); the rest is the JSON body. A body
 * that parses must hold only declared attributes and render in both views.
 */
#include "common/common.h"

#include <math.h>
#include <stdint.h>

#include "api/schema.h"
#include "common/json_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct schema *const schemas[] = {
        &schema_cluster_template, &schema_baymodel, &schema_cluster,    &schema_bay,
        &schema_nodegroup,        &schema_quota,    &schema_federation, &schema_certificate,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1)
                return 0;
        const struct schema *s = schemas[data[0] % ARRAY_SIZE(schemas)];
        struct err e = ERR_INIT;
        json_t *body = NULL;
        if (json_parse_limited((const char *)data + 1, size - 1, JSON_DEFAULT_MAX_BYTES,
                               JSON_DEFAULT_MAX_DEPTH, &body, &e) < 0) {
                _cleanup_free_ char *text = xstrndup((const char *)data + 1, size - 1);
                bool b;
                (void)schema_parse_bool(text, &b);
                err_clear(&e);
                return 0;
        }
        free(schema_pystr(body));
        json_t *obj = NULL;
        if (schema_parse_body(s, body, &obj, &e) < 0) {
                if (obj || !e.msg)
                        abort();
                err_clear(&e);
        } else {
                const char *k;
                json_t *v;
                json_object_foreach(obj, k, v)
                {
                        if (!schema_field(s, k))
                                abort();
                }
                json_decref(schema_render(s, obj, false));
                json_decref(schema_render(s, obj, true));
                json_decref(obj);
        }
        json_decref(body);
        return 0;
}
