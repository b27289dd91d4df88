/* magnum-api's httpd route table: API-level routes plus res_routes. See router.h. */
#include "common/common.h"

#include "api/router.h"

/* API-level res_routes (handled through res_dispatch like any resource). */
static const struct res_route api_res_routes[] = {
        {"GET", "/v1/mservices", 1, 0, ms_h_list},
};

struct httpd_route *api_routes_build(const struct api_router_opts *o, size_t *ret_n)
{
        const struct httpd_route fixed[] = {
                {"GET", "/", api_h_root, NULL, NULL},
                {"GET", "/v1", api_h_v1, NULL, NULL},
                {"GET", "/healthcheck", api_h_healthcheck, (void *)o, NULL},
                {"HEAD", "/healthcheck", api_h_healthcheck, (void *)o, NULL},
        };
        ms_set_down_time(o->service_down_time);
        size_t n = ARRAY_SIZE(fixed) + ARRAY_SIZE(api_res_routes) + res_routes_count;
        struct httpd_route *t = xnew(struct httpd_route, n);
        size_t k = 0;
        for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
                t[k++] = fixed[i];
        for (size_t i = 0; i < ARRAY_SIZE(api_res_routes); i++)
                t[k++] = (struct httpd_route){api_res_routes[i].method, api_res_routes[i].pattern,
                                              res_dispatch, (void *)&api_res_routes[i], NULL};
        for (size_t i = 0; i < res_routes_count; i++)
                t[k++] = (struct httpd_route){res_routes[i].method, res_routes[i].pattern,
                                              res_dispatch, (void *)&res_routes[i], NULL};
        *ret_n = k;
        return t;
}
