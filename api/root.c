/*
 * The public documents (spec §1.3): GET / (API versions) and GET /v1 (resource links), and
 * oslo.middleware's /healthcheck.
 */
#include "common/common.h"

#include <sys/stat.h>

#include "api/errors.h"
#include "api/middleware.h"
#include "api/router.h"
#include "common/json_util.h"

static json_t *mklink(const char *host, const char *rel, const char *path)
{
        _cleanup_free_ char *href = xasprintf("%s/%s", host, path);
        return json_checked(json_pack("{s:s,s:s}", "href", href, "rel", rel));
}

json_t *api_root_doc(const char *host)
{
        json_t *ver = json_checked(json_pack("{s:s,s:[o],s:s,s:s,s:s}", "id", "v1", "links",
                                             mklink(host, "self", "v1/"), "status", "CURRENT",
                                             "max_version", API_MAX_VERSION, "min_version",
                                             API_MIN_VERSION));
        return json_checked(
                json_pack("{s:s,s:s,s:[o]}", "name", "OpenStack Magnum API", "description",
                          "Magnum is an OpenStack project which aims to provide container cluster "
                          "management.",
                          "versions", ver));
}

json_t *api_v1_doc(const char *host)
{
        static const char *const colls[] = {"baymodels", "bays",   "clustertemplates",
                                            "clusters",  "quotas", "certificates",
                                            "mservices", "stats",  "federations"};
        json_t *doc = json_checked(json_object());
        json_object_set_new(doc, "id", json_checked(json_string("v1")));
        json_object_set_new(
                doc, "media_types",
                json_checked(json_pack("[{s:s,s:s}]", "base", "application/json", "type",
                                       "application/vnd.openstack.magnum.v1+json")));
        json_object_set_new(
                doc, "links",
                json_checked(
                        json_pack("[o,{s:s,s:s,s:s}]", mklink(host, "self", "v1/"), "href",
                                  "http://docs.openstack.org/developer/magnum/dev/api-spec-v1.html",
                                  "rel", "describedby", "type", "text/html")));
        for (size_t i = 0; i < ARRAY_SIZE(colls); i++) {
                _cleanup_free_ char *self = xasprintf("v1/%s/", colls[i]);
                _cleanup_free_ char *book = xasprintf("%s/", colls[i]);
                json_object_set_new(doc, colls[i],
                                    json_checked(json_pack("[o,o]", mklink(host, "self", self),
                                                           mklink(host, "bookmark", book))));
        }
        json_object_set_new(
                doc, "nodegroups",
                json_checked(json_pack(
                        "[o,o]", mklink(host, "self", "v1/clusters/{cluster_id}/nodegroups"),
                        mklink(host, "bookmark", "clusters/{cluster_id}/nodegroups"))));
        return doc;
}

int api_h_root(struct httpd_req *req, void *data _unused_)
{
        if (api_check_args(req, NULL))
                return 0;
        json_auto_t *doc = api_root_doc(httpd_req_host_url(req));
        return httpd_resp_json(req, 200, doc);
}

int api_h_v1(struct httpd_req *req, void *data _unused_)
{
        if (api_check_args(req, NULL))
                return 0;
        json_auto_t *doc = api_v1_doc(httpd_req_host_url(req));
        return httpd_resp_json(req, 200, doc);
}

int api_h_healthcheck(struct httpd_req *req, void *data)
{
        const struct api_router_opts *o = data;
        struct stat st;
        if (o && o->healthcheck_disable_file && stat(o->healthcheck_disable_file, &st) == 0)
                return httpd_resp_body(req, 503, "text/plain; charset=UTF-8", "DISABLED BY FILE",
                                       16);
        return httpd_resp_body(req, 200, "text/plain; charset=UTF-8", "OK", 2);
}
