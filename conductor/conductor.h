/*
 * magnum-conductor's shared pieces: its options, the process-wide state handlers reach through
 * rpc_call_info.userdata, the RPC dispatch table (dispatch.c) and the handlers, one file per
 * area (listener.c: ping_conductor, echo; later cluster.c, nodegroup.c, certificate.c, ...).
 */
#ifndef MC_CONDUCTOR_H
#define MC_CONDUCTOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/config.h"
#include "common/rpc.h"

struct db_pool;

struct conductor_opts {
        char *host;                /* [DEFAULT] host */
        int periodic_interval_max; /* [DEFAULT] periodic_interval_max, seconds */
        int service_down_time;     /* [DEFAULT] service_down_time, seconds */
        bool debug;                /* [DEFAULT] debug */
        char *topic;               /* [conductor] topic */
        int workers;               /* [conductor] workers; 0 = number of CPUs */
        char *db_connection;       /* [database] connection */
};

extern const struct conf_option conductor_conf_options[];
extern const size_t conductor_conf_options_count;

/* Shared, frozen after start-up except the pool (which locks itself). */
struct conductor {
        struct conductor_opts opts;
        struct rpc_opts rpc;
        struct db_pool *pool; /* handlers acquire a connection per message */
};

/* The dispatch table: every RPC method the conductor answers. */
extern const struct rpc_method conductor_methods[];
extern const size_t conductor_methods_count;

/* listener.c */
/* ping_conductor (call): → true. */
int conductor_ping(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f);
/* echo (cast): logs args.message. */
int conductor_echo(const struct rpc_call_info *ci, json_t **ret_result, struct rpc_failure *f);

/* service.c: magnum_service registration and heartbeat (spec §7). */
struct conductor_service;
/* Registers (host, "magnum-conductor") and records the first heartbeat. Database errors as
 * -errno + e. *ret is owned by the caller. */
int conductor_service_start(struct conductor *cd, struct conductor_service **ret, struct err *e);
/* One heartbeat (report_count + 1); re-registers when the row was deleted. */
int conductor_service_heartbeat(struct conductor_service *s, struct err *e);
void conductor_service_free(struct conductor_service *s);

#endif
