/*
 * fuzz_json: request bodies through json_parse_limited, the gate every user-sent JSON passes.
 * Each input is parsed with the API's limits and with tight ones (so the size / depth refusals
 * are exercised too); a document that parses must dump compactly and parse back equal.
 */
#include "common/common.h"

#include <stdint.h>

#include "common/json_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_with(const char *buf, size_t len, size_t max_bytes, int max_depth)
{
        json_t *j = NULL;
        struct err e = ERR_INIT;
        int r = json_parse_limited(buf, len, max_bytes, max_depth, &j, &e);
        if (r < 0) {
                if (j || !e.msg || (r != -EINVAL && r != -EFBIG && r != -ELOOP))
                        abort();
                err_clear(&e);
                return;
        }
        _cleanup_free_ char *dump = json_dump_compact(j);
        json_t *back = NULL;
        if (json_parse_limited(dump, strlen(dump), SIZE_MAX, max_depth, &back, &e) < 0)
                abort();
        if (!json_equal(j, back))
                abort();
        /* the typed accessors on whatever came in */
        (void)json_get_str(j, "name");
        (void)json_get_int(j, "node_count", 1);
        (void)json_get_bool(j, "public", false);
        json_decref(back);
        json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        parse_with((const char *)data, size, JSON_DEFAULT_MAX_BYTES, JSON_DEFAULT_MAX_DEPTH);
        parse_with((const char *)data, size, 256, 3);
        return 0;
}
