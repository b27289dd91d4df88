/*
 * fuzz_api_patch: a PATCH body for /v1/clusters/{id} (and the same rules for templates): the
 * input is decoded as the API does, validated with the cluster's internal / mandatory paths,
 * applied to a stored-cluster-shaped document, and every patched attribute re-checked against
 * the cluster schema as the handler does. The raw input also goes through the Python-literal
 * parser that `replace /labels` strings use.
 */
#include "common/common.h"

#include <math.h>
#include <stdint.h>

#include "api/jsonpatch.h"
#include "api/schema.h"
#include "common/json_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const internal[] = {"/created_at",  "/updated_at",  "/id",
                                       "/uuid",        "/links",       "/status",
                                       "/api_address", "/coe_version", NULL};
static const char *const nonremovable[] = {"/cluster_template_id", NULL};

static const char doc_text[] =
        "{\"uuid\": \"0f3c8a5e-5d1c-4d55-8f4f-2c1f8b2f9a11\", \"name\": \"k8s\","
        " \"cluster_template_id\": \"7b1f2c3d-1111-2222-3333-444455556666\","
        " \"node_count\": 1, \"master_count\": 1, \"keypair\": \"default\","
        " \"labels\": {\"kube_tag\": \"v1.23.3\", \"a\": \"b\"}, \"docker_volume_size\": null,"
        " \"health_status_reason\": {}, \"discovery_url\": null, \"flavor_id\": \"m1.small\","
        " \"nested\": {\"list\": [1, 2, {\"x\": null}]}, \"create_timeout\": 60,"
        " \"master_lb_enabled\": false, \"floating_ip_enabled\": true}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = xstrndup((const char *)data, size);
        struct err e = ERR_INIT;
        json_t *lit = NULL;
        /* its only caller hands it JSON string values, which jansson has checked to be UTF-8;
         * on other bytes pyliteral_parse aborts (see /work/brief/fuzz-findings.md) */
        json_t *as_str = json_stringn((const char *)data, size);
        if (as_str && pyliteral_parse(s, &lit, &e) == 0)
                json_decref(lit);
        else
                err_clear(&e);
        json_decref(as_str);

        static json_t *doc;
        if (!doc && json_parse_limited(doc_text, strlen(doc_text), SIZE_MAX, 8, &doc, &e) < 0)
                abort();

        json_t *patch = NULL;
        if (json_parse_limited((const char *)data, size, JSON_DEFAULT_MAX_BYTES,
                               JSON_DEFAULT_MAX_DEPTH, &patch, &e) < 0) {
                err_clear(&e);
                return 0;
        }
        struct patch_rules rules = {internal, nonremovable};
        json_t *out = NULL;
        if (jsonpatch_validate(patch, &rules, &e) < 0) {
                if (!e.msg)
                        abort();
                err_clear(&e);
        } else if (jsonpatch_apply(doc, patch, &out, &e) < 0) {
                if (out || !e.msg)
                        abort();
                err_clear(&e);
        } else {
                const char *k;
                json_t *v;
                json_object_foreach(out, k, v)
                {
                        const struct schema_field *f = schema_field(&schema_cluster, k);
                        json_t *c = NULL;
                        if (!f || json_is_null(v))
                                continue;
                        if (schema_coerce(f, v, &c, &e) == 0)
                                json_decref(c);
                        else
                                err_clear(&e);
                }
                json_decref(out);
        }
        json_decref(patch);
        return 0;
}
