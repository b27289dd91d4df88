#include "common/common.h"
#include "sim/sim.h"
void sim_signal_server(struct sim *s, json_t *server)
{
        (void)s;
        (void)server;
}
