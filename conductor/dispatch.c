/*
 * The conductor's RPC dispatch table: method name → handler. Add a line here when an area file
 * gains a handler; nothing else routes messages.
 */
#include "common/common.h"
#include "conductor/conductor.h"

const struct rpc_method conductor_methods[] = {
        /* listener.c */
        {"ping_conductor", conductor_ping},
        {"echo", conductor_echo},
};
const size_t conductor_methods_count = ARRAY_SIZE(conductor_methods);
