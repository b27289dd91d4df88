/*
 * ipam: IPv4 arithmetic for the simulated Neutron - CIDR parsing, allocation pools, picking the
 * next free address, and the loopback address that backs a tenant fixed IP (each tenant network
 * owns a 127.N.0.0/16 block, so overlapping tenant CIDRs never collide on the host).
 * Pure functions, no state.
 */
#ifndef MC_SIM_IPAM_H
#define MC_SIM_IPAM_H

#include <stdbool.h>
#include <stdint.h>

struct ipam_cidr {
        uint32_t net;    /* network address, host order */
        unsigned prefix; /* 0..32 */
};

/* Parses "a.b.c.d/n" (host bits must be zero, as Neutron demands for subnets: -EINVAL
 * otherwise, unless `lenient`, then they are masked off). Prefix 8..30 accepted for subnets;
 * anything else -EINVAL. */
int ipam_parse_cidr(const char *s, bool lenient, struct ipam_cidr *ret);
/* Parses a dotted IPv4 address. */
int ipam_parse_ip(const char *s, uint32_t *ret);
/* Formats into out (16 bytes). */
void ipam_format(uint32_t ip, char out[16]);
bool ipam_contains(const struct ipam_cidr *c, uint32_t ip);
/* First and last usable host addresses (network+1, broadcast-1). */
uint32_t ipam_first(const struct ipam_cidr *c);
uint32_t ipam_last(const struct ipam_cidr *c);
/* Host offset within the cidr. */
static inline uint32_t ipam_offset(const struct ipam_cidr *c, uint32_t ip)
{
        return ip - c->net;
}

/* The backing loopback address for `ip` of a network holding block N (1..254): 127.N.hi.lo,
 * where hi.lo are the low 16 bits of ip. */
uint32_t ipam_backing(unsigned block, uint32_t ip);

/* Picks the first address in [first, last] for which taken(ip, data) is false, skipping
 * `skip` (e.g. the gateway; 0 = none). -ENOSPC when the range is full. */
int ipam_next_free(uint32_t first, uint32_t last, uint32_t skip,
                   bool (*taken)(uint32_t ip, void *data), void *data, uint32_t *ret);

#endif
