/*
 * validate: Magnum's semantic checks on cluster templates and clusters (spec §2.1-2.2) - the
 * COE driver table, server types, network/volume drivers per COE, devicemapper volume size,
 * labels, master_count vs master_lb_enabled, cluster names - and the checks against the cloud
 * (Glance image with os_distro, Nova flavor and keypair, Neutron external network), which go
 * through the Keystone catalog with a short cache (api/osclients.c).
 *
 * Every function answers the error itself through res_fail and returns 1, or returns 0.
 */
#ifndef MC_API_VALIDATE_H
#define MC_API_VALIDATE_H

#include <jansson.h>

#include "api/res.h"

/* True when a driver is registered (and not disabled) for the triple. */
bool validate_driver_exists(struct res_ctx *ctx, const char *server_type, const char *distro,
                            const char *coe);

/* The decorator checks of CT create / update, in Magnum's order, on the parsed body `ct`
 * (network_driver default filled in place). `is_update` skips the server_type and
 * driver-exists steps and the default fill. */
int validate_ct_static(struct res_ctx *ctx, json_t *ct, bool is_update);
/* The OS-resource checks on a CT dict (image, flavors, external network, labels); sets
 * cluster_distro from the image when `set_distro`. */
int validate_ct_os(struct res_ctx *ctx, json_t *ct, bool set_distro);
/* Label validators (mesos / swarm). */
int validate_labels(struct res_ctx *ctx, const json_t *labels);
/* Cluster name pattern ^[a-zA-Z][a-zA-Z0-9_.-]*$ (400 with the WSME message). */
int validate_cluster_name(struct res_ctx *ctx, const json_t *name);

/* Cloud lookups (cached). Answer 400/404 as Magnum does and return 1, or 0. */
int os_check_image(struct res_ctx *ctx, const char *image, char **ret_os_distro);
int os_check_flavor(struct res_ctx *ctx, const char *flavor);
int os_check_keypair(struct res_ctx *ctx, const char *keypair);
int os_check_external_network(struct res_ctx *ctx, const char *net);
/* The image's os_distro without answering errors (NULL when unknown). Caller frees. */
char *os_image_distro_quiet(struct res_ctx *ctx, const char *image);

#endif
