/*
 * IPv4 arithmetic for the simulated Neutron; see ipam.h.
 */
#include "common/common.h"

#include <arpa/inet.h>

#include "sim/ipam.h"

int ipam_parse_ip(const char *s, uint32_t *ret)
{
        struct in_addr a;
        if (!s || inet_pton(AF_INET, s, &a) != 1)
                return -EINVAL;
        *ret = ntohl(a.s_addr);
        return 0;
}

void ipam_format(uint32_t ip, char out[16])
{
        snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

int ipam_parse_cidr(const char *s, bool lenient, struct ipam_cidr *ret)
{
        if (!s)
                return -EINVAL;
        const char *slash = strchr(s, '/');
        if (!slash || slash - s > 15)
                return -EINVAL;
        char ip[16];
        memcpy(ip, s, (size_t)(slash - s));
        ip[slash - s] = '\0';
        uint32_t a;
        long long prefix;
        if (ipam_parse_ip(ip, &a) < 0 || str_to_ll(slash + 1, 0, 32, &prefix) < 0)
                return -EINVAL;
        if (prefix < 8 || prefix > 30)
                return -EINVAL;
        uint32_t mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
        if ((a & ~mask) && !lenient)
                return -EINVAL;
        ret->net = a & mask;
        ret->prefix = (unsigned)prefix;
        return 0;
}

bool ipam_contains(const struct ipam_cidr *c, uint32_t ip)
{
        uint32_t mask = c->prefix == 0 ? 0 : 0xffffffffu << (32 - c->prefix);
        return (ip & mask) == c->net;
}

uint32_t ipam_first(const struct ipam_cidr *c)
{
        return c->net + 1;
}

uint32_t ipam_last(const struct ipam_cidr *c)
{
        uint32_t size = c->prefix == 0 ? 0xffffffffu : (1u << (32 - c->prefix)) - 1;
        return c->net + size - 1;
}

uint32_t ipam_backing(unsigned block, uint32_t ip)
{
        return (127u << 24) | ((block & 255u) << 16) | (ip & 0xffffu);
}

int ipam_next_free(uint32_t first, uint32_t last, uint32_t skip,
                   bool (*taken)(uint32_t ip, void *data), void *data, uint32_t *ret)
{
        for (uint64_t ip = first; ip <= last; ip++) {
                if ((uint32_t)ip == skip || taken((uint32_t)ip, data))
                        continue;
                *ret = (uint32_t)ip;
                return 0;
        }
        return -ENOSPC;
}
