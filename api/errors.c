/* The one place magnum-api error bodies are built: see errors.h. */
#include "common/common.h"

#include "api/errors.h"
#include "common/json_util.h"
#include "common/utf8.h"

char *api_error_title(const char *faultstring)
{
        const char *dot = strchr(faultstring, '.');
        return dot ? xstrndup(faultstring, (size_t)(dot - faultstring)) : xstrdup(faultstring);
}

/* q-value of `offer` ("type/sub") under one media range, -1 when it doesn't match; *spec gets
 * the range's specificity (2 exact, 1 type wildcard, 0 full wildcard). */
static double range_q(const char *range, size_t rlen, const char *offer, int *spec)
{
        /* range: "type/sub;q=0.5;..." */
        const char *semi = memchr(range, ';', rlen);
        size_t mlen = semi ? (size_t)(semi - range) : rlen;
        while (mlen && range[mlen - 1] == ' ')
                mlen--;
        _cleanup_free_ char *media = xstrndup(range, mlen);
        double q = 1.0;
        for (const char *p = semi; p && p < range + rlen;) {
                p++;
                while (p < range + rlen && *p == ' ')
                        p++;
                if (p + 2 <= range + rlen && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
                        _cleanup_free_ char *qs = xstrndup(p + 2, (size_t)(range + rlen - p - 2));
                        char *end = NULL;
                        q = strtod(qs, &end);
                        if (end == qs)
                                q = 1.0;
                }
                p = memchr(p, ';', (size_t)(range + rlen - p));
        }
        const char *slash = strchr(offer, '/');
        size_t tlen = (size_t)(slash - offer);
        if (streq(media, "*/*")) {
                *spec = 0;
                return q;
        }
        if (strlen(media) == tlen + 2 && strncasecmp(media, offer, tlen) == 0 &&
            streq(media + tlen, "/*")) {
                *spec = 1;
                return q;
        }
        if (strcaseeq(media, offer)) {
                *spec = 2;
                return q;
        }
        return -1;
}

bool api_accept_json(const char *accept)
{
        static const char *const offers[] = {"text/plain", "text/html", "application/json"};
        if (!accept || !*accept)
                accept = "*/*";
        double best_q = 0;
        size_t best = SIZE_MAX;
        for (size_t o = 0; o < ARRAY_SIZE(offers); o++) {
                double q = -1;
                int best_spec = -1;
                const char *p = accept;
                while (*p) {
                        while (*p == ' ' || *p == ',')
                                p++;
                        if (!*p)
                                break;
                        const char *end = strchr(p, ',');
                        size_t len = end ? (size_t)(end - p) : strlen(p);
                        int spec = 0;
                        double rq = range_q(p, len, offers[o], &spec);
                        if (rq >= 0 && spec > best_spec) {
                                best_spec = spec;
                                q = rq;
                        }
                        p += len;
                }
                if (q > best_q) {
                        best_q = q;
                        best = o;
                }
        }
        return best == 2;
}

static json_t *microversion_entry(const char *description, bool accept_json)
{
        json_t *en = json_checked(json_object());
        if (accept_json) {
                /* pecan's JSON rendering comes first, then the fields are overwritten/added. */
                json_object_set_new(en, "code", json_checked(json_string("")));
                json_object_set_new(en, "title", json_checked(json_string("")));
                json_object_set_new(en, "description", json_string_or_null(description));
        }
        json_object_set_new(en, "max_version", json_checked(json_string(API_MAX_VERSION)));
        json_object_set_new(en, "min_version", json_checked(json_string(API_MIN_VERSION)));
        json_object_set_new(en, "code",
                            json_checked(json_string("magnum.microversion-unsupported")));
        json_object_set_new(en, "links",
                            json_checked(json_pack("[{s:s,s:s}]", "rel", "help", "href",
                                                   "http://docs.openstack.org/api-guide/compute/"
                                                   "microversions.html")));
        json_object_set_new(en, "title",
                            json_checked(json_string("Requested microversion is unsupported")));
        return en;
}

json_t *api_error_body(int status, enum api_err_kind kind, const char *detail_in, bool accept_json)
{
        /* Messages quote what the client sent (names, query keys), which need not be UTF-8. */
        _cleanup_free_ char *detail = utf8_sanitize(detail_in);
        json_t *en;
        if (kind == API_ERR_MICROVERSION) {
                en = microversion_entry(detail, accept_json);
        } else {
                const char *code = "";
                json_t *title, *det;
                if (kind == API_ERR_WSME) {
                        code = status < 500 ? "client" : "server";
                        const char *fs = detail ? detail : "";
                        _cleanup_free_ char *t = api_error_title(fs);
                        title = json_checked(json_string(t));
                        det = json_checked(json_string(fs));
                } else if (accept_json) {
                        title = json_checked(json_string(httpd_reason(status)));
                        det = json_string_or_null(detail);
                } else {
                        title = json_checked(json_string(""));
                        det = json_checked(json_string(""));
                }
                en = json_checked(json_pack("{s:s,s:s,s:i,s:o,s:o,s:[]}", "request_id", "", "code",
                                            code, "status", status, "title", title, "detail", det,
                                            "links"));
        }
        return json_checked(json_pack("{s:[o]}", "errors", en));
}

int api_error(struct httpd_req *req, int status, enum api_err_kind kind, const char *detail)
{
        bool aj = api_accept_json(httpd_req_header(req, "Accept"));
        json_auto_t *body = api_error_body(status, kind, detail, aj);
        return httpd_resp_json(req, status, body);
}

void api_error_hook(struct httpd_req *req, int status, const char *detail, void *data _unused_)
{
        bool routed = httpd_req_route(req) != NULL;
        bool webob = !routed || status == 405 || status == 406 || status == 413 || status == 414 ||
                     status == 431;
        /* pecan raises its routing 404/405 without a detail: JSON null. */
        if (!routed && (status == 404 || status == 405))
                detail = NULL;
        if (status == 401 && !routed) {
                /* e.g. an mTLS requirement: not used by magnum-api, keep a sane body */
                api_error(req, status, API_ERR_WEBOB, detail);
                return;
        }
        api_error(req, status, webob ? API_ERR_WEBOB : API_ERR_WSME, detail);
}

int api_auth_reject(struct httpd_req *req, const char *www_authenticate_uri)
{
        json_auto_t *body = json_checked(
                json_pack("{s:{s:i,s:s,s:s}}", "error", "code", 401, "title", "Unauthorized",
                          "message", "The request you have made requires authentication."));
        _cleanup_free_ char *hv =
                xasprintf("Keystone uri=\"%s\"", www_authenticate_uri ? www_authenticate_uri : "");
        httpd_resp_set_header(req, "WWW-Authenticate", hv);
        return httpd_resp_json(req, 401, body);
}

int api_auth_unavailable(struct httpd_req *req)
{
        json_auto_t *body = json_checked(
                json_pack("{s:{s:i,s:s,s:s}}", "error", "code", 503, "title", "Service Unavailable",
                          "message", "The Keystone service is temporarily unavailable."));
        return httpd_resp_json(req, 503, body);
}
