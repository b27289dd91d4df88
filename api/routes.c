/*
 * The route table of Magnum's v1 resources: {method, pattern, min/max microversion, handler}.
 * The API router registers each entry with res_dispatch as the httpd handler and the entry as
 * its data. Trailing slashes are ignored by httpd; "/detail" literals win over "{id}".
 */
#include "common/common.h"

#include "api/resources.h"

const struct res_route res_routes[] = {
        {"GET", "/v1/clustertemplates", 1, 0, ct_h_list},
        {"GET", "/v1/clustertemplates/detail", 1, 0, ct_h_detail},
        {"GET", "/v1/clustertemplates/{id}", 1, 0, ct_h_get},
        {"POST", "/v1/clustertemplates", 1, 0, ct_h_create},
        {"PATCH", "/v1/clustertemplates/{id}", 1, 0, ct_h_patch},
        {"DELETE", "/v1/clustertemplates/{id}", 1, 0, ct_h_delete},

        {"GET", "/v1/baymodels", 1, 0, bm_h_list},
        {"GET", "/v1/baymodels/detail", 1, 0, bm_h_detail},
        {"GET", "/v1/baymodels/{id}", 1, 0, bm_h_get},
        {"POST", "/v1/baymodels", 1, 0, bm_h_create},
        {"PATCH", "/v1/baymodels/{id}", 1, 0, bm_h_patch},
        {"DELETE", "/v1/baymodels/{id}", 1, 0, bm_h_delete},

        {"GET", "/v1/clusters", 1, 0, cl_h_list},
        {"GET", "/v1/clusters/detail", 1, 0, cl_h_detail},
        {"GET", "/v1/clusters/{id}", 1, 0, cl_h_get},
        {"POST", "/v1/clusters", 1, 0, cl_h_create},
        {"PATCH", "/v1/clusters/{id}", 1, 0, cl_h_patch},
        {"DELETE", "/v1/clusters/{id}", 1, 0, cl_h_delete},
        {"POST", "/v1/clusters/{id}/actions/resize", 7, 0, cl_h_resize},
        {"POST", "/v1/clusters/{id}/actions/upgrade", 7, 0, cl_h_upgrade},

        {"GET", "/v1/clusters/{cluster}/nodegroups", 9, 0, ng_h_list},
        {"GET", "/v1/clusters/{cluster}/nodegroups/{id}", 9, 0, ng_h_get},
        {"POST", "/v1/clusters/{cluster}/nodegroups", 9, 0, ng_h_create},
        {"PATCH", "/v1/clusters/{cluster}/nodegroups/{id}", 9, 0, ng_h_patch},
        {"DELETE", "/v1/clusters/{cluster}/nodegroups/{id}", 9, 0, ng_h_delete},

        {"GET", "/v1/certificates/{id}", 1, 0, cert_h_get},
        {"POST", "/v1/certificates", 1, 0, cert_h_sign},
        {"PATCH", "/v1/certificates/{id}", 1, 0, cert_h_rotate},

        {"GET", "/v1/stats", 1, 0, stats_h_get},

        {"GET", "/v1/quotas", 1, 0, quota_h_list},
        {"GET", "/v1/quotas/{project}/{resource}", 1, 0, quota_h_get},
        {"POST", "/v1/quotas", 1, 0, quota_h_create},
        {"PATCH", "/v1/quotas/{project}/{resource}", 1, 0, quota_h_update},
        {"DELETE", "/v1/quotas/{project}/{resource}", 1, 0, quota_h_delete},

        {"GET", "/v1/federations", 1, 0, fed_h_list},
        {"GET", "/v1/federations/detail", 1, 0, fed_h_detail},
        {"GET", "/v1/federations/{id}", 1, 0, fed_h_get},
        {"POST", "/v1/federations", 1, 0, fed_h_create},
        {"PATCH", "/v1/federations/{id}", 1, 0, fed_h_patch},
        {"DELETE", "/v1/federations/{id}", 1, 0, fed_h_delete},

        {"GET", "/v1/bays", 1, 0, bay_h_list},
        {"GET", "/v1/bays/detail", 1, 0, bay_h_detail},
        {"GET", "/v1/bays/{id}", 1, 0, bay_h_get},
        {"POST", "/v1/bays", 1, 0, bay_h_create},
        {"PATCH", "/v1/bays/{id}", 1, 0, bay_h_patch},
        {"DELETE", "/v1/bays/{id}", 1, 0, bay_h_delete},
};
const size_t res_routes_count = ARRAY_SIZE(res_routes);
