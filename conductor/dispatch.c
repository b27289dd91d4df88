/*
 * The conductor's RPC dispatch table: method name → handler. Add a line here when an area file
 * gains a handler; nothing else routes messages.
 */
#include "common/common.h"
#include "conductor/conductor.h"
#include "conductor/api_support.h"

const struct rpc_method conductor_methods[] = {
        /* listener.c */
        {"ping_conductor", conductor_ping},
        {"echo", conductor_echo},
        /* api_support.c (minimal stand-ins until the cluster engine lands) */
        {"cluster_create", apisup_cluster_create},
        {"cluster_update", apisup_cluster_update},
        {"cluster_resize", apisup_cluster_resize},
        {"cluster_delete", apisup_cluster_delete},
        {"cluster_upgrade", apisup_cluster_upgrade},
        {"nodegroup_create", apisup_ng_create},
        {"nodegroup_update", apisup_ng_update},
        {"nodegroup_delete", apisup_ng_delete},
        {"get_ca_certificate", apisup_get_ca},
        {"sign_certificate", apisup_sign_cert},
        {"rotate_ca_certificate", apisup_rotate_ca},
};
const size_t conductor_methods_count = ARRAY_SIZE(conductor_methods);
