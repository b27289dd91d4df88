/*
 * resources: the handler functions of every Magnum resource file (clustertemplates.c,
 * clusters.c, nodegroups.c, certificates.c, quotas.c, stats.c, federations.c, bays.c) and the
 * helpers they share across files. The route table that binds them is res_routes (routes.c).
 */
#ifndef MC_API_RESOURCES_H
#define MC_API_RESOURCES_H

#include "api/res.h"

/* clustertemplates.c */
int ct_h_list(struct res_ctx *ctx);
int ct_h_detail(struct res_ctx *ctx);
int ct_h_get(struct res_ctx *ctx);
int ct_h_create(struct res_ctx *ctx);
int ct_h_patch(struct res_ctx *ctx);
int ct_h_delete(struct res_ctx *ctx);
int bm_h_list(struct res_ctx *ctx);
int bm_h_detail(struct res_ctx *ctx);
int bm_h_get(struct res_ctx *ctx);
int bm_h_create(struct res_ctx *ctx);
int bm_h_patch(struct res_ctx *ctx);
int bm_h_delete(struct res_ctx *ctx);
/* The API view of a template row with links under `coll`. New reference. */
json_t *ct_render(struct res_ctx *ctx, const json_t *row, const char *coll);
/* Finds a template by uuid or name in scope; answers 404/`notfound_status`/409 → 1. */
int ct_lookup(struct res_ctx *ctx, struct db_conn *c, const struct dbo_query *scope,
              const char *ident, int notfound_status, json_t **ret);

/* clusters.c */
int cl_h_list(struct res_ctx *ctx);
int cl_h_detail(struct res_ctx *ctx);
int cl_h_get(struct res_ctx *ctx);
int cl_h_create(struct res_ctx *ctx);
int cl_h_patch(struct res_ctx *ctx);
int cl_h_delete(struct res_ctx *ctx);
int cl_h_resize(struct res_ctx *ctx);
int cl_h_upgrade(struct res_ctx *ctx);
/* Scope for cluster lookups (admins: all after `<prefix>:<all_rule>`; else own project).
 * 1 when 403 answered. */
int cl_scope(struct res_ctx *ctx, const char *all_rule, struct dbo_query *q);
int cl_lookup(struct res_ctx *ctx, struct db_conn *c, const struct dbo_query *scope,
              const char *ident, int notfound_status, json_t **ret);
/* The page of cluster rows a list request asks for (pagination, marker within scope q, light
 * rows unless detail; only `list_columns` when not NULL and not detail); shared by clusters
 * and bays. 1 when a response was already sent. */
int cl_select_page(struct res_ctx *ctx, struct dbo_query *q, bool detail,
                   const char *const *list_columns, struct res_page *pg, struct db_conn **ret_c,
                   json_t **ret_rows);
/* The create flow of spec §2.2 on a parsed cluster-shaped body (bays: no quota, keypair from
 * the baymodel, a synchronous call at 1.1). Fills ret_uuid; answers errors → 1. */
int cl_create_flow(struct res_ctx *ctx, json_t *cl, int ct_notfound_status, bool bay,
                   char *ret_uuid);
/* The cluster as a versioned-object primitive for RPC. */
json_t *cl_ovo(const json_t *row);

/* nodegroups.c */
int ng_h_list(struct res_ctx *ctx);
int ng_h_get(struct res_ctx *ctx);
int ng_h_create(struct res_ctx *ctx);
int ng_h_patch(struct res_ctx *ctx);
int ng_h_delete(struct res_ctx *ctx);

/* certificates.c */
int cert_h_get(struct res_ctx *ctx);
int cert_h_sign(struct res_ctx *ctx);
int cert_h_rotate(struct res_ctx *ctx);

/* quotas.c */
int quota_h_list(struct res_ctx *ctx);
int quota_h_get(struct res_ctx *ctx);
int quota_h_create(struct res_ctx *ctx);
int quota_h_update(struct res_ctx *ctx);
int quota_h_delete(struct res_ctx *ctx);

/* stats.c */
int stats_h_get(struct res_ctx *ctx);

/* federations.c */
int fed_h_list(struct res_ctx *ctx);
int fed_h_detail(struct res_ctx *ctx);
int fed_h_get(struct res_ctx *ctx);
int fed_h_create(struct res_ctx *ctx);
int fed_h_patch(struct res_ctx *ctx);
int fed_h_delete(struct res_ctx *ctx);

/* bays.c */
int bay_h_list(struct res_ctx *ctx);
int bay_h_detail(struct res_ctx *ctx);
int bay_h_get(struct res_ctx *ctx);
int bay_h_create(struct res_ctx *ctx);
int bay_h_patch(struct res_ctx *ctx);
int bay_h_delete(struct res_ctx *ctx);

#endif
