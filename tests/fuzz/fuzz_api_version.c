/*
 * fuzz_api_version: the OpenStack-API-Version header magnum-api parses on every /v1 request
 * (api_version_parse, then the 406 message when it is refused), and the public-path check the
 * auth middleware applies to the request path.
 */
#include "common/common.h"

#include <stdint.h>

#include "api/errors.h"
#include "api/middleware.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = xstrndup((const char *)data, size);
        struct api_version v = {-1, -1};
        enum api_version_status st = api_version_parse(s, &v);
        if (st == API_VERSION_OK) {
                if (v.major != 1 || v.minor < 1 || v.minor > API_MAX_MINOR)
                        abort();
        } else {
                _cleanup_free_ char *msg = api_version_message(st, &v);
                if (!msg || !msg[0])
                        abort();
        }
        (void)api_path_is_public(s);
        return 0;
}
