/*
 * The ListenerAPI methods: ping_conductor (liveness check the API may call) and echo (a cast
 * that only logs, for checking the path api → RabbitMQ → conductor).
 */
#include "common/common.h"
#include "conductor/conductor.h"

#include "common/json_util.h"

int conductor_ping(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f)
{
        (void)ci;
        (void)f;
        *ret_result = json_true();
        return 0;
}

/* Logged with the caller's request id (the rpc server set it for this thread). */
int conductor_echo(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f)
{
        (void)ret_result;
        (void)f;
        const json_t *m = json_object_get(ci->args, "message");
        _cleanup_free_ char *text = m ? json_dumps(m, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
        log_info("event=echo message=%s", text ? text : "null");
        return 0;
}
