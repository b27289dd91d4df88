/*
 * hot_rtypes: Heat 19 resource type schemas (names only in part 1) for the types Magnum's
 * drivers and the conformance corpora use. Property and attribute names follow Heat 19's
 * plugins (spec heat.md §6).
 */
#include "common/common.h"

#include "heat/hot_rtypes.h"

static const struct hot_rtype types[] = {
        {"OS::Heat::None", "", "", true, true, false, NULL},
        {"OS::Heat::TestResource",
         "value update_replace fail client_name entity_name wait_secs action_wait_secs "
         "attr_wait_secs constraint_prop_secs update_replace_value",
         "output", false, false, false, NULL},
        {"OS::Heat::RandomString", "length sequence character_classes character_sequences salt",
         "value", false, false, false, NULL},
        {"OS::Heat::Value", "value type", "value", false, false, false, NULL},
        {"OS::Heat::ResourceGroup",
         "count index_var resource_def removal_policies removal_policies_mode",
         "refs refs_map attributes removed_rsrc_list", true, false, false, NULL},
        {"OS::Heat::ResourceChain", "resources concurrent resource_properties",
         "refs refs_map attributes", true, false, false, NULL},
        {"OS::Heat::AutoScalingGroup",
         "min_size max_size desired_capacity cooldown resource rolling_updates",
         "current_size outputs outputs_list refs refs_map", true, false, false, NULL},
        {"OS::Heat::ScalingPolicy",
         "auto_scaling_group_id adjustment_type scaling_adjustment cooldown min_adjustment_step",
         "alarm_url signal_url", false, false, false, NULL},
        {"OS::Heat::SoftwareConfig", "group config inputs outputs options", "config", false, false,
         false, NULL},
        {"OS::Heat::StructuredConfig", "group config inputs outputs options", "config", false,
         false, false, NULL},
        {"OS::Heat::CloudConfig", "cloud_config", "config", false, false, false, NULL},
        {"OS::Heat::MultipartMime", "parts group", "config", false, false, false, NULL},
        {"OS::Heat::SoftwareComponent", "configs inputs outputs options", "config", false, false,
         false, NULL},
        {"OS::Heat::SoftwareDeployment", "server config input_values actions signal_transport name",
         "deploy_stdout deploy_stderr deploy_status_code", true, false, false, NULL},
        {"OS::Heat::StructuredDeployment",
         "server config input_values actions signal_transport name input_key "
         "input_values_validate",
         "deploy_stdout deploy_stderr deploy_status_code", true, false, false, NULL},
        {"OS::Heat::SoftwareDeploymentGroup",
         "servers config input_values actions signal_transport name",
         "deploy_stdouts deploy_stderrs deploy_status_codes", true, false, false, NULL},
        {"OS::Heat::StructuredDeploymentGroup",
         "servers config input_values actions signal_transport name input_key "
         "input_values_validate",
         "deploy_stdouts deploy_stderrs deploy_status_codes", true, false, false, NULL},
        {"OS::Heat::WaitConditionHandle", "signal_transport", "token endpoint curl_cli signal",
         false, false, false, NULL},
        {"OS::Heat::WaitCondition", "handle timeout count", "data", false, false, false, NULL},
        {"OS::Heat::UpdateWaitConditionHandle", "", "", false, false, false, NULL},
        {"AWS::CloudFormation::WaitConditionHandle", "", "", false, false, false, NULL},
        {"AWS::CloudFormation::WaitCondition", "Handle Timeout Count", "Data", false, false, false,
         NULL},
        {"AWS::CloudFormation::Stack", "TemplateURL TimeoutInMinutes Parameters", "", true, false,
         false, NULL},
        {"OS::Heat::Stack", "context template timeout parameters", "outputs stack_name", false,
         false, false, NULL},
        {"OS::Heat::DeployedServer",
         "name metadata software_config_transport deployment_swift_data",
         "networks name os_collect_config", false, false, false, NULL},
        {"OS::Heat::SwiftSignalHandle", "", "token endpoint curl_cli", false, false, false, NULL},
        {"OS::Heat::SwiftSignal", "handle timeout count", "data", false, false, false, NULL},
        {"OS::Heat::InstanceGroup", "", "", true, true, false, NULL},
        {"OS::Heat::HARestarter", "InstanceId", "AlarmUrl", false, false, false, NULL},
        {"OS::Heat::CWLiteAlarm", "", "", false, true, false, NULL},
        {"OS::Nova::Server",
         "name image block_device_mapping block_device_mapping_v2 flavor flavor_update_policy "
         "image_update_policy key_name admin_user availability_zone security_groups networks "
         "scheduler_hints metadata user_data_format user_data_update_policy "
         "software_config_transport user_data reservation_id config_drive diskConfig personality "
         "admin_pass deployment_swift_data tags",
         "show addresses networks first_address instance_name accessIPv4 accessIPv6 console_urls "
         "name os_collect_config tags",
         false, false, true, NULL},
        {"OS::Nova::ServerGroup", "name policies policy rules", "", false, false, false, NULL},
        {"OS::Nova::KeyPair", "name save_private_key type public_key user",
         "public_key private_key", false, false, false, NULL},
        {"OS::Nova::Flavor", "", "", false, true, false, NULL},
        {"OS::Neutron::Net",
         "name value_specs admin_state_up tenant_id shared dhcp_agent_ids port_security_enabled "
         "qos_policy dns_domain tags availability_zone_hints",
         "status name subnets admin_state_up tenant_id port_security_enabled mtu qos_policy_id "
         "l2_adjacency segments",
         false, false, false, NULL},
        {"OS::Neutron::Subnet",
         "network_id network subnetpool prefixlen cidr value_specs name ip_version "
         "dns_nameservers gateway_ip enable_dhcp allocation_pools tenant_id host_routes "
         "ipv6_ra_mode ipv6_address_mode segment tags",
         "name network_id tenant_id allocation_pools gateway_ip host_routes ip_version cidr "
         "dns_nameservers enable_dhcp ipv6_ra_mode ipv6_address_mode subnetpool_id segment_id",
         false, false, false, NULL},
        {"OS::Neutron::Router",
         "name external_gateway_info value_specs admin_state_up l3_agent_id l3_agent_ids "
         "distributed ha tags",
         "status external_gateway_info name admin_state_up tenant_id", false, false, false, NULL},
        {"OS::Neutron::RouterInterface", "router router_id subnet_id subnet port_id port", "",
         false, false, false, NULL},
        {"OS::Neutron::RouterGateway", "router_id network_id network", "", false, false, false,
         NULL},
        {"OS::Neutron::Port",
         "name network_id network fixed_ips security_groups replacement_policy device_id "
         "device_owner dns_name value_specs admin_state_up mac_address allowed_address_pairs "
         "binding:vnic_type port_security_enabled qos_policy tags propagate_uplink_status "
         "no_fixed_ips",
         "admin_state_up device_id device_owner fixed_ips mac_address name network_id "
         "security_groups status tenant_id allowed_address_pairs subnets port_security_enabled "
         "qos_policy_id dns_assignment network",
         false, false, false, NULL},
        {"OS::Neutron::FloatingIP",
         "floating_network_id floating_network value_specs port_id port fixed_ip_address "
         "floating_ip_address floating_subnet dns_name dns_domain",
         "router_id tenant_id floating_network_id fixed_ip_address floating_ip_address port_id",
         false, false, false, NULL},
        {"OS::Neutron::FloatingIPAssociation", "floatingip_id port_id fixed_ip_address", "", false,
         false, false, NULL},
        {"OS::Neutron::SecurityGroup", "name description rules", "", false, false, false, NULL},
        {"OS::Neutron::SecurityGroupRule",
         "security_group description direction ethertype port_range_min port_range_max protocol "
         "remote_group remote_ip_prefix",
         "", false, false, false, NULL},
        {"OS::Neutron::ProviderNet", "", "", true, true, false, NULL},
        {"OS::Neutron::Trunk", "", "", true, true, false, NULL},
        {"OS::Octavia::LoadBalancer",
         "description name provider vip_address vip_subnet admin_state_up tenant_id flavor "
         "availability_zone",
         "vip_address vip_port_id vip_subnet_id pools flavor_id", false, false, false, NULL},
        {"OS::Octavia::Listener",
         "protocol_port protocol loadbalancer default_pool name admin_state_up description "
         "default_tls_container_ref sni_container_refs connection_limit tenant_id allowed_cidrs",
         "loadbalancers default_pool_id", false, false, false, NULL},
        {"OS::Octavia::Pool",
         "admin_state_up description session_persistence name lb_algorithm listener "
         "loadbalancer protocol tls_enabled",
         "admin_state_up name lb_algorithm listeners members protocol session_persistence "
         "description healthmonitor_id",
         false, false, false, NULL},
        {"OS::Octavia::PoolMember",
         "pool address protocol_port monitor_address monitor_port weight admin_state_up subnet "
         "tags",
         "address pool_id", false, false, false, NULL},
        {"OS::Octavia::HealthMonitor",
         "admin_state_up delay expected_codes http_method max_retries pool timeout type url_path "
         "tenant_id",
         "pools", false, false, false, NULL},
        {"OS::Neutron::LBaaS::LoadBalancer",
         "description name provider vip_address vip_subnet admin_state_up tenant_id",
         "vip_address vip_port_id vip_subnet_id pools listeners", false, false, false, NULL},
        {"OS::Neutron::LBaaS::Listener",
         "protocol_port protocol loadbalancer default_pool name admin_state_up description "
         "default_tls_container_ref sni_container_refs connection_limit tenant_id",
         "loadbalancers default_pool_id", false, false, false, NULL},
        {"OS::Neutron::LBaaS::Pool",
         "admin_state_up description session_persistence name lb_algorithm listener "
         "loadbalancer protocol",
         "admin_state_up name lb_algorithm listeners members protocol session_persistence "
         "description healthmonitor_id",
         false, false, false, NULL},
        {"OS::Neutron::LBaaS::PoolMember",
         "pool address protocol_port weight admin_state_up subnet", "address pool_id", false, false,
         false, NULL},
        {"OS::Neutron::LBaaS::HealthMonitor",
         "admin_state_up delay expected_codes http_method max_retries pool timeout type url_path "
         "tenant_id",
         "pools", false, false, false, NULL},
        {"OS::Cinder::Volume",
         "availability_zone name description size snapshot_id backup_id image volume_type "
         "metadata source_volid scheduler_hints read_only multiattach",
         "availability_zone size snapshot_id display_name display_description volume_type "
         "metadata source_volid status created_at bootable metadata_values encrypted "
         "attachments attachments_list multiattach",
         false, false, true, NULL},
        {"OS::Cinder::VolumeAttachment", "instance_uuid volume_id mountpoint", "", false, false,
         false, NULL},
        {"OS::Swift::Container", "", "", true, true, false, NULL},
        {"OS::Aodh::Alarm", "", "", true, true, false, NULL},
        {"OS::Aodh::GnocchiAggregationByResourcesAlarm", "", "", true, true, false, NULL},
        {"OS::Glance::WebImage", "", "", true, true, false, NULL},
        {"OS::Keystone::Project", "", "", true, true, false, NULL},
        {"OS::Keystone::User", "", "", true, true, false, NULL},
        {"OS::Keystone::Role", "", "", true, true, false, NULL},
        {"OS::Zaqar::Queue", "", "", true, true, false, NULL},
        {"OS::Mistral::Workflow", "", "", true, true, false, NULL},
        {"OS::Magnum::ClusterTemplate", "", "", true, true, false, NULL},
        {"OS::Magnum::Cluster", "", "", true, true, false, NULL},
        {"AWS::EC2::Instance", "", "", true, true, false, NULL},
        {"AWS::EC2::EIP", "", "", true, true, false, NULL},
        {"AWS::EC2::EIPAssociation", "", "", true, true, false, NULL},
        {"AWS::EC2::SecurityGroup", "", "", true, true, false, NULL},
        {"AWS::EC2::Volume", "", "", true, true, false, NULL},
        {"AWS::EC2::VolumeAttachment", "", "", true, true, false, NULL},
        {"AWS::IAM::User", "", "", true, true, false, NULL},
        {"AWS::IAM::AccessKey", "", "", true, true, false, NULL},
        {"AWS::AutoScaling::LaunchConfiguration", "", "", true, true, false, NULL},
        {"AWS::AutoScaling::AutoScalingGroup", "", "", true, true, false, NULL},
        {"AWS::AutoScaling::ScalingPolicy", "", "", true, true, false, NULL},
        {"AWS::CloudWatch::Alarm", "", "", true, true, false, NULL},
        {"AWS::ElasticLoadBalancing::LoadBalancer", "", "", true, true, false, NULL},
};

static const struct hot_rtype template_type = {"<template>", "", "", true, true, false, NULL};

const struct hot_rtype *hot_rtype_lookup(const char *name)
{
        if (!name)
                return NULL;
        for (size_t i = 0; i < ARRAY_SIZE(types); i++)
                if (strcmp(types[i].name, name) == 0)
                        return &types[i];
        return NULL;
}

const struct hot_rtype *hot_rtype_template(void)
{
        return &template_type;
}

static bool word_in(const char *list, const char *w)
{
        size_t n = strlen(w);

        for (const char *p = list; *p;) {
                while (*p == ' ')
                        p++;
                if (*p == '*')
                        p++;
                if (strncmp(p, w, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
                        return true;
                while (*p && *p != ' ')
                        p++;
        }
        return false;
}

bool hot_rtype_has_attr(const struct hot_rtype *rt, const char *attr)
{
        if (!rt || rt->any_attr || strcmp(attr, "show") == 0)
                return true;
        return word_in(rt->attrs, attr);
}

bool hot_rtype_has_prop(const struct hot_rtype *rt, const char *prop)
{
        if (!rt || rt->any_prop)
                return true;
        return word_in(rt->props, prop);
}

static const struct {
        const char *type;
        const char *keys;
} update_policies[] = {
        {"OS::Heat::ResourceGroup", "batch_create rolling_update"},
        {"OS::Heat::AutoScalingGroup", "rolling_update"},
        {"OS::Heat::SoftwareDeploymentGroup", "batch_create rolling_update"},
        {"OS::Heat::StructuredDeploymentGroup", "batch_create rolling_update"},
        {"OS::Heat::InstanceGroup", "RollingUpdate"},
        {"AWS::AutoScaling::AutoScalingGroup", "AutoScalingRollingUpdate"},
};

bool hot_rtype_has_update_policy(const struct hot_rtype *rt, const char *key)
{
        if (!rt)
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(update_policies); i++)
                if (strcmp(update_policies[i].type, rt->name) == 0)
                        return word_in(update_policies[i].keys, key);
        return false;
}
