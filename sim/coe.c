#include "common/common.h"
#include "sim/sim.h"
struct sim_coe_plan *sim_coe_plan(struct sim *s, size_t *ret_n) { (void)s; *ret_n = 0; return NULL; }
void sim_coe_plan_free(struct sim_coe_plan *p, size_t n) { (void)p; (void)n; }
void sim_coe_apply(struct sim *s, struct sim_coe_plan *p, size_t n) { (void)s; (void)p; (void)n; }
void sim_coe_stop_all(struct sim *s) { (void)s; }
int sim_coe_set_tls(struct sim *s, const char *server_id, const char *ca_pem,
                    const char *cert_pem, const char *key_pem, struct err *e)
{ (void)s; (void)server_id; (void)ca_pem; (void)cert_pem; (void)key_pem; return err_set(e, -ENOSYS, "todo"); }
