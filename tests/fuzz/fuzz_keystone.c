/*
 * fuzz_keystone: the body of a Keystone GET/POST /v3/auth/tokens answer as ks_token_parse reads
 * it (what magnum-api gets back for every user token it validates). A token that parses is
 * queried the way the services use it: catalog lookups, role checks, an extra reference.
 */
#include "common/common.h"

#include <stdint.h>

#include "common/json_util.h"
#include "common/keystone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_t *body = NULL;
        struct err e = ERR_INIT;
        if (json_parse_limited((const char *)data, size, JSON_DEFAULT_MAX_BYTES,
                               JSON_DEFAULT_MAX_DEPTH, &body, &e) < 0) {
                err_clear(&e);
                return 0;
        }
        struct ks_token *t = NULL;
        if (ks_token_parse("gAAAAAfuzz", body, &t, &e) < 0) {
                if (t || !e.msg)
                        abort();
                err_clear(&e);
                json_decref(body);
                return 0;
        }
        json_decref(body); /* the token must not borrow from the body */
        if (!t->id || !t->user_id || t->refs != 1)
                abort();
        static const char *const types[] = {"identity", "container-infra", "orchestration",
                                            "compute", ""};
        static const char *const ifaces[] = {"public", "internal", "admin"};
        for (size_t i = 0; i < ARRAY_SIZE(types); i++)
                for (size_t k = 0; k < ARRAY_SIZE(ifaces); k++) {
                        char *url = NULL;
                        int r = ks_catalog_url(t, types[i], ifaces[k], k ? "RegionOne" : NULL,
                                               &url);
                        if ((r == 0) != (url != NULL) || (r < 0 && r != -ENOENT))
                                abort();
                        free(url);
                }
        if (t->is_admin != ks_token_has_role(t, "ADMIN"))
                abort();
        for (size_t i = 0; i < t->n_roles; i++)
                if (!ks_token_has_role(t, t->roles[i]))
                        abort();
        ks_token_unref(ks_token_ref(t));
        ks_token_unref(t);
        return 0;
}
