/*
 * Unit tests for magnum-sim's address management: CIDR parsing as Neutron validates it,
 * allocation from subnets (requested and automatic addresses, exhaustion, release), and the
 * loopback addresses that back tenant fixed IPs (overlapping tenant CIDRs on different networks
 * never share a host address; the external network's addresses are their own backing).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "common/json_util.h"
#include "sim/ipam.h"
#include "sim/sim.h"

static void test_cidr_parse(void **state)
{
        (void)state;
        struct ipam_cidr c;
        assert_int_equal(ipam_parse_cidr("10.0.0.0/24", false, &c), 0);
        assert_int_equal(c.prefix, 24);
        char buf[16];
        ipam_format(ipam_first(&c), buf);
        assert_string_equal(buf, "10.0.0.1");
        ipam_format(ipam_last(&c), buf);
        assert_string_equal(buf, "10.0.0.254");
        /* host bits set: Neutron refuses, the lenient form masks them */
        assert_int_equal(ipam_parse_cidr("10.0.0.1/24", false, &c), -EINVAL);
        assert_int_equal(ipam_parse_cidr("10.0.0.1/24", true, &c), 0);
        ipam_format(c.net, buf);
        assert_string_equal(buf, "10.0.0.0");
        assert_int_equal(ipam_parse_cidr("10.0.0.0", false, &c), -EINVAL);
        assert_int_equal(ipam_parse_cidr("10.0.0.0/33", false, &c), -EINVAL);
        assert_int_equal(ipam_parse_cidr("10.0.0.0/31", false, &c), -EINVAL);
        assert_int_equal(ipam_parse_cidr("300.0.0.0/24", false, &c), -EINVAL);
        assert_int_equal(ipam_parse_cidr("10.0.0.0/abc", false, &c), -EINVAL);
        assert_int_equal(ipam_parse_cidr(NULL, false, &c), -EINVAL);
        uint32_t ip;
        assert_int_equal(ipam_parse_cidr("192.168.4.0/22", false, &c), 0);
        assert_int_equal(ipam_parse_ip("192.168.7.255", &ip), 0);
        assert_true(ipam_contains(&c, ip));
        assert_int_equal(ipam_parse_ip("192.168.8.0", &ip), 0);
        assert_false(ipam_contains(&c, ip));
}

static void test_backing(void **state)
{
        (void)state;
        uint32_t ip;
        char buf[16];
        assert_int_equal(ipam_parse_ip("10.0.3.7", &ip), 0);
        ipam_format(ipam_backing(5, ip), buf);
        assert_string_equal(buf, "127.5.3.7");
        ipam_format(ipam_backing(6, ip), buf);
        assert_string_equal(buf, "127.6.3.7");
}

static bool taken_even(uint32_t ip, void *data)
{
        (void)data;
        return (ip & 1) == 0;
}

static void test_next_free(void **state)
{
        (void)state;
        uint32_t got;
        assert_int_equal(ipam_next_free(10, 20, 11, taken_even, NULL, &got), 0);
        assert_int_equal(got, 13); /* 10, 12 taken; 11 skipped (gateway) */
        assert_int_equal(ipam_next_free(10, 10, 0, taken_even, NULL, &got), -ENOSPC);
}

static struct sim *new_sim(void)
{
        struct sim_opts o = {.host = "127.0.0.1",
                             .auth_strategy = "noauth",
                             .state_dir = "/tmp/mc-test-sim-ipam",
                             .floating_cidr = "127.254.0.0/24",
                             .quota_port = -1,
                             .quota_network = 100,
                             .quota_subnet = 100,
                             .haproxy_bin = "/bin/false",
                             .k8s_version = "v1.21.0"};
        struct sim *s = NULL;
        struct err e = ERR_INIT;
        assert_int_equal(sim_new(&o, &s, &e), 0);
        return s;
}

static json_t *make_net(struct sim *s, const char *cidr_text)
{
        json_auto_t *b = json_pack("{s:s}", "name", "n");
        int r;
        json_t *net = sim_network_new(s, "p1", b, &r);
        assert_non_null(net);
        struct ipam_cidr c;
        assert_int_equal(ipam_parse_cidr(cidr_text, false, &c), 0);
        json_auto_t *sb = json_pack("{s:s}", "name", "sub");
        assert_non_null(sim_subnet_new(s, "p1", net, sb, &c, cidr_text));
        return net;
}

static json_t *port_on(struct sim *s, json_t *net, const char *ip, int *ret_status,
                       const char **ret_type)
{
        struct sim_ctx c = {.sim = s, .project_id = "p1", .user_id = "u1"};
        json_auto_t *b = json_pack("{s:s}", "network_id", json_get_str(net, "id"));
        if (ip)
                json_object_set_new(b, "fixed_ips", json_pack("[{s:s}]", "ip_address", ip));
        json_t *port = NULL;
        struct err e = ERR_INIT;
        int r = sim_port_create(s, &c, b, &port, ret_status, ret_type, &e);
        err_clear(&e);
        return r < 0 ? NULL : port;
}

static const char *port_ip(json_t *port)
{
        return json_get_str(json_array_get(json_object_get(port, "fixed_ips"), 0), "ip_address");
}

static const char *port_backing(json_t *port)
{
        return json_string_value(json_array_get(json_object_get(port, "_backing"), 0));
}

static void test_allocation(void **state)
{
        (void)state;
        struct sim *s = new_sim();
        json_t *a = make_net(s, "10.0.0.0/29"); /* hosts .1-.6, gateway .1 */
        json_t *b = make_net(s, "10.0.0.0/29"); /* the same tenant CIDR on another network */
        int status = 0;
        const char *type = NULL;
        json_t *p1 = port_on(s, a, NULL, &status, &type);
        json_t *p2 = port_on(s, a, NULL, &status, &type);
        assert_string_equal(port_ip(p1), "10.0.0.2");
        assert_string_equal(port_ip(p2), "10.0.0.3");
        json_t *q1 = port_on(s, b, NULL, &status, &type);
        assert_string_equal(port_ip(q1), "10.0.0.2");
        /* same tenant address, different host addresses */
        assert_true(str_starts_with(port_backing(p1), "127."));
        assert_string_not_equal(port_backing(p1), port_backing(q1));
        assert_true(str_ends_with(port_backing(p1), ".0.2"));

        /* a requested address, then the same one again */
        assert_non_null(port_on(s, a, "10.0.0.6", &status, &type));
        assert_null(port_on(s, a, "10.0.0.6", &status, &type));
        assert_int_equal(status, 409);
        assert_string_equal(type, "IpAddressAlreadyAllocated");
        assert_null(port_on(s, a, "10.9.9.9", &status, &type));
        assert_int_equal(status, 400);

        /* fill the subnet: .4 .5 remain, then it is exhausted */
        assert_non_null(port_on(s, a, NULL, &status, &type));
        assert_non_null(port_on(s, a, NULL, &status, &type));
        assert_null(port_on(s, a, NULL, &status, &type));
        assert_int_equal(status, 409);
        assert_string_equal(type, "IpAddressGenerationFailure");

        /* deleting a port frees its address for reuse */
        char freed[16];
        snprintf(freed, sizeof(freed), "%s", port_ip(p2));
        sim_port_delete(s, json_get_str(p2, "id"));
        json_t *again = port_on(s, a, NULL, &status, &type);
        assert_non_null(again);
        assert_string_equal(port_ip(again), freed);

        /* the external network's addresses are real loopback addresses */
        json_t *pub = NULL;
        const char *k;
        json_t *v;
        json_object_foreach(s->db[K_NETWORK], k, v) if (json_get_bool(v, "router:external", false))
                pub = v;
        assert_non_null(pub);
        _cleanup_free_ char *backing = sim_backing_addr(s, json_get_str(pub, "id"), "127.254.0.9");
        assert_string_equal(backing, "127.254.0.9");
        sim_free(s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cidr_parse),
                cmocka_unit_test(test_backing),
                cmocka_unit_test(test_next_free),
                cmocka_unit_test(test_allocation),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
