-- Magnum's tables as of Magnum 15 (magnum/db/sqlalchemy/models.py after all alembic versions):
-- same table and column names, types, unique-constraint names and nullability. Python-side
-- defaults (default=False/True/0, server_type 'vm') are server defaults here, so inserts may
-- omit them. Timestamps are UTC in `timestamp without time zone`, as oslo.db stores them;
-- created_at is filled by the database, updated_at stays NULL until the first update.
-- JSON columns are text holding the serialized document, exactly as the API renders it back
-- (Magnum's JSONEncodedDict/List are TEXT too); NULL documents are stored as '{}' / '[]' by
-- the data-access layer.

CREATE TABLE cluster_template (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    uuid varchar(36),
    project_id varchar(255),
    user_id varchar(255),
    name varchar(255),
    image_id varchar(255),
    flavor_id varchar(255),
    master_flavor_id varchar(255),
    keypair_id varchar(255),
    external_network_id varchar(255),
    fixed_network varchar(255),
    fixed_subnet varchar(255),
    network_driver varchar(255),
    volume_driver varchar(255),
    dns_nameserver varchar(255),
    apiserver_port integer,
    docker_volume_size integer,
    docker_storage_driver varchar(255),
    cluster_distro varchar(255),
    coe varchar(255),
    http_proxy varchar(255),
    https_proxy varchar(255),
    no_proxy varchar(255),
    registry_enabled boolean DEFAULT false,
    labels text,
    tls_disabled boolean DEFAULT false,
    public boolean DEFAULT false,
    server_type varchar(255) DEFAULT 'vm',
    insecure_registry varchar(255),
    master_lb_enabled boolean DEFAULT false,
    floating_ip_enabled boolean DEFAULT true,
    hidden boolean DEFAULT false,
    tags varchar(255),
    CONSTRAINT uniq_baymodel0uuid UNIQUE (uuid)
);
CREATE INDEX ix_cluster_template_project_id ON cluster_template (project_id);
CREATE INDEX ix_cluster_template_name ON cluster_template (name);

CREATE TABLE cluster (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    project_id varchar(255),
    user_id varchar(255),
    uuid varchar(36),
    name varchar(255),
    cluster_template_id varchar(255),
    keypair varchar(255),
    docker_volume_size integer,
    labels text,
    master_flavor_id varchar(255),
    flavor_id varchar(255),
    stack_id varchar(255),
    api_address varchar(255),
    status varchar(20),
    status_reason text,
    health_status varchar(20),
    health_status_reason text,
    create_timeout integer,
    discovery_url varchar(255),
    trust_id varchar(255),
    trustee_username varchar(255),
    trustee_user_id varchar(255),
    trustee_password varchar(255),
    coe_version varchar(255),
    container_version varchar(255),
    ca_cert_ref varchar(512),
    magnum_cert_ref varchar(512),
    etcd_ca_cert_ref varchar(512),
    front_proxy_ca_cert_ref varchar(512),
    fixed_network varchar(255),
    fixed_subnet varchar(255),
    floating_ip_enabled boolean DEFAULT true,
    master_lb_enabled boolean DEFAULT false,
    CONSTRAINT uniq_bay0uuid UNIQUE (uuid)
);
CREATE INDEX ix_cluster_project_id ON cluster (project_id);
CREATE INDEX ix_cluster_name ON cluster (name);
CREATE INDEX ix_cluster_cluster_template_id ON cluster (cluster_template_id);
CREATE INDEX ix_cluster_stack_id ON cluster (stack_id);

CREATE TABLE nodegroup (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    uuid varchar(36) NOT NULL,
    name varchar(255) NOT NULL,
    cluster_id varchar(255) NOT NULL,
    project_id varchar(255) NOT NULL,
    docker_volume_size integer,
    labels text,
    flavor_id varchar(255),
    image_id varchar(255),
    node_addresses text,
    node_count integer,
    max_node_count integer,
    min_node_count integer,
    role varchar(255),
    is_default boolean DEFAULT false,
    stack_id varchar(255),
    status varchar(20),
    status_reason text,
    version varchar(20),
    CONSTRAINT uniq_nodegroup0uuid UNIQUE (uuid),
    CONSTRAINT uniq_nodegroup0cluster_id0name UNIQUE (cluster_id, name)
);
CREATE INDEX ix_nodegroup_project_id ON nodegroup (project_id);

CREATE TABLE x509keypair (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    uuid varchar(36),
    certificate text,
    private_key text,
    private_key_passphrase text,
    intermediates text,
    project_id varchar(255),
    user_id varchar(255),
    CONSTRAINT uniq_x509keypair0uuid UNIQUE (uuid)
);

CREATE TABLE magnum_service (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    report_count integer NOT NULL DEFAULT 0,
    host varchar(255),
    "binary" varchar(255),
    disabled boolean DEFAULT false,
    disabled_reason varchar(255),
    last_seen_up timestamp without time zone,
    forced_down boolean DEFAULT false,
    CONSTRAINT uniq_magnum_service0host0binary UNIQUE (host, "binary")
);

CREATE TABLE quotas (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    project_id varchar(255),
    resource varchar(255),
    hard_limit integer NOT NULL,
    CONSTRAINT uniq_quotas0project_id0resource UNIQUE (project_id, resource)
);

CREATE TABLE federation (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    project_id varchar(255),
    uuid varchar(36),
    name varchar(255),
    hostcluster_id varchar(255),
    member_ids text,
    status varchar(20),
    status_reason text,
    properties text,
    CONSTRAINT uniq_federation0uuid UNIQUE (uuid)
);
