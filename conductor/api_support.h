/*
 * api_support: minimal conductor handlers for magnum-api's RPC methods (database effects only,
 * no stacks) until the cluster engine provides the real ones. See api_support.c.
 * Each follows rpc_handler_fn: 0 with *ret_result, or a -errno with f set (HTTP code kept).
 */
#ifndef MC_CONDUCTOR_API_SUPPORT_H
#define MC_CONDUCTOR_API_SUPPORT_H

#include "common/rpc.h"

int apisup_cluster_create(const struct rpc_call_info *ci, json_t **ret_result,
                          struct rpc_failure *f);
int apisup_cluster_update(const struct rpc_call_info *ci, json_t **ret_result,
                          struct rpc_failure *f);
int apisup_cluster_resize(const struct rpc_call_info *ci, json_t **ret_result,
                          struct rpc_failure *f);
int apisup_cluster_delete(const struct rpc_call_info *ci, json_t **ret_result,
                          struct rpc_failure *f);
int apisup_cluster_upgrade(const struct rpc_call_info *ci, json_t **ret_result,
                           struct rpc_failure *f);
int apisup_ng_create(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f);
int apisup_ng_update(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f);
int apisup_ng_delete(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f);
int apisup_get_ca(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f);
int apisup_sign_cert(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f);
int apisup_rotate_ca(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f);

#endif
