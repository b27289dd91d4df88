/*
 * fuzz_httpd: the request-side parsing httpd does without a socket. The first line of the input
 * is the method, the rest the request-target. The target is split at '?'; the path is routed
 * through magnum-api's full route table (api_routes_build) and the query is percent-decoded piece
 * by piece as httpd does (both '+' modes). Matched parameters must be non-empty and a 405 must
 * come with an Allow list.
 */
#include "common/common.h"

#include <stdint.h>

#include "api/router.h"
#include "common/httpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PARAMS 8

static struct httpd_router *router(void)
{
        static struct httpd_router *r;
        static struct api_router_opts ro = {NULL, 60};
        if (!r) {
                size_t n;
                _cleanup_free_ struct httpd_route *routes = api_routes_build(&ro, &n);
                struct err e = ERR_INIT;
                if (httpd_router_new(routes, n, &r, &e) < 0)
                        abort();
        }
        return r;
}

static void decode(const char *s, size_t len)
{
        for (int plus = 0; plus < 2; plus++) {
                char *out = NULL;
                int r = httpd_url_decode(s, len, plus, &out);
                if (r < 0) {
                        if (out || r != -EINVAL)
                                abort();
                        continue;
                }
                /* decoding only ever shrinks */
                if (strlen(out) > len)
                        abort();
                free(out);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *in = xstrndup((const char *)data, size);
        char *nl = strchr(in, '\n');
        const char *method = nl ? in : "GET";
        char *target = nl ? nl + 1 : in;
        if (nl)
                *nl = '\0';

        decode(target, strlen(target));
        char *q = strchr(target, '?');
        if (q) {
                *q++ = '\0';
                /* key=value pairs separated by '&' */
                for (char *p = q; p;) {
                        char *amp = strchr(p, '&');
                        size_t len = amp ? (size_t)(amp - p) : strlen(p);
                        char *eq = memchr(p, '=', len);
                        if (eq) {
                                decode(p, (size_t)(eq - p));
                                decode(eq + 1, len - (size_t)(eq - p) - 1);
                        } else {
                                decode(p, len);
                        }
                        p = amp ? amp + 1 : NULL;
                }
        }

        const char *names[MAX_PARAMS];
        char *values[MAX_PARAMS] = {0};
        size_t n = 0;
        char *allow = NULL;
        int r = httpd_router_match(router(), method, target, names, values, MAX_PARAMS, &n, &allow);
        if (r >= 0) {
                if (n > MAX_PARAMS)
                        abort();
                for (size_t i = 0; i < n; i++) {
                        if (!names[i] || !values[i] || !values[i][0])
                                abort();
                        free(values[i]);
                }
        } else if (r == -EMLINK) {
                if (!allow || !allow[0])
                        abort();
        } else if (r != -ENOENT && r != -EINVAL) {
                abort();
        }
        free(allow);
        return 0;
}
