-- The embedded Heat engine's tables, modelled on Heat 19 (heat/db/sqlalchemy/models.py) minus
-- convergence (sync_point, current_traversal/current_deps), snapshots and soft-deleted
-- services. Template, environment, files, metadata and property documents are JSON text.
-- Times are UTC `timestamp without time zone`.
--
-- Scaling out (DESIGN.md): N conductors share the work through leases, not a coordinator.
--   heat_engine   one row per running engine (conductor), heartbeated;
--   stack_lock    who works on a stack, until lease_expires_at; an expired lease may be taken
--                 over by another engine, which then resumes the stack from these tables;
--   resource      engine_id + lease_expires_at: the engine driving that resource right now.
-- The heat_stack_lock_* functions below are the only way the engine should take, renew and
-- drop a stack lease, so the rules live in one place.

CREATE TABLE raw_template_files (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    files text
);

CREATE TABLE raw_template (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    template text,
    files text,
    files_id integer REFERENCES raw_template_files (id),
    environment text
);

CREATE TABLE user_creds (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    username varchar(255),
    password varchar(255),
    region_name varchar(255),
    decrypt_method varchar(64),
    tenant varchar(1024),
    auth_url text,
    tenant_id varchar(256),
    trust_id varchar(255),
    trustor_user_id varchar(64)
);

CREATE TABLE stack (
    id varchar(36) PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    deleted_at timestamp without time zone,
    name varchar(255),
    raw_template_id integer NOT NULL REFERENCES raw_template (id),
    prev_raw_template_id integer REFERENCES raw_template (id),
    username varchar(256),
    tenant varchar(256),
    user_creds_id integer REFERENCES user_creds (id),
    owner_id varchar(36),            -- parent stack of a nested stack
    root_stack_id varchar(36),       -- outermost stack (self for a top-level stack)
    parent_resource_name varchar(255),
    timeout integer,                 -- minutes
    disable_rollback boolean NOT NULL DEFAULT true,
    stack_user_project_id varchar(64),
    backup boolean DEFAULT false,
    nested_depth integer DEFAULT 0,
    action varchar(255),
    status varchar(255),
    status_reason text,
    tags text                        -- JSON list, as the API returns it
);
CREATE INDEX ix_stack_name ON stack (name);
CREATE INDEX ix_stack_tenant ON stack (tenant);
CREATE INDEX ix_stack_owner_id ON stack (owner_id);
CREATE INDEX ix_stack_root_stack_id ON stack (root_stack_id);
-- a live stack name is unique per tenant (Heat: 409 StackExists); nested stacks are per parent
CREATE UNIQUE INDEX uniq_stack0tenant0name_live ON stack (tenant, name)
    WHERE deleted_at IS NULL AND owner_id IS NULL;

CREATE TABLE stack_tag (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    tag varchar(80),
    stack_id varchar(36) NOT NULL REFERENCES stack (id) ON DELETE CASCADE
);
CREATE INDEX ix_stack_tag_stack_id ON stack_tag (stack_id);

CREATE TABLE resource_properties_data (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    data text,
    encrypted boolean DEFAULT false
);

CREATE TABLE resource (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    uuid varchar(36) NOT NULL,
    name varchar(255),
    physical_resource_id varchar(255),   -- Heat's column "nova_instance"
    rsrc_metadata text,
    stack_id varchar(36) NOT NULL REFERENCES stack (id) ON DELETE CASCADE,
    root_stack_id varchar(36),
    rsrc_prop_data_id integer REFERENCES resource_properties_data (id),
    attr_data_id integer REFERENCES resource_properties_data (id),
    properties_data text,
    properties_data_encrypted boolean DEFAULT false,
    type varchar(255),
    action varchar(255),
    status varchar(255),
    status_reason text,
    engine_id varchar(36),               -- engine driving this resource now (NULL: nobody)
    lease_expires_at timestamp without time zone,
    atomic_key integer NOT NULL DEFAULT 0, -- bumped on every state write (optimistic locking)
    needed_by text,                      -- JSON lists of resource names
    requires text,
    replaces integer,
    replaced_by integer,
    current_template_id integer REFERENCES raw_template (id),
    CONSTRAINT uniq_resource0uuid UNIQUE (uuid)
);
CREATE INDEX ix_resource_stack_id_name ON resource (stack_id, name);
CREATE INDEX ix_resource_root_stack_id ON resource (root_stack_id);
CREATE INDEX ix_resource_physical_resource_id ON resource (physical_resource_id);

CREATE TABLE resource_data (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    key varchar(255),
    value text,
    redact boolean DEFAULT false,
    decrypt_method varchar(64),
    resource_id integer NOT NULL,
    CONSTRAINT fk_resource_id FOREIGN KEY (resource_id) REFERENCES resource (id)
        ON DELETE CASCADE,
    CONSTRAINT uniq_resource_data0resource_id0key UNIQUE (resource_id, key)
);

CREATE TABLE event (
    id serial PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    uuid varchar(36) NOT NULL,
    stack_id varchar(36) NOT NULL REFERENCES stack (id) ON DELETE CASCADE,
    resource_action varchar(255),
    resource_status varchar(255),
    resource_name varchar(255),
    physical_resource_id varchar(255),
    resource_status_reason varchar(255),
    resource_type varchar(255),
    rsrc_prop_data_id integer REFERENCES resource_properties_data (id),
    resource_properties text,
    CONSTRAINT uniq_event0uuid UNIQUE (uuid)
);
CREATE INDEX ix_event_stack_id ON event (stack_id, id);

CREATE TABLE software_config (
    id varchar(36) PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    name varchar(255),
    "group" varchar(255),
    config text,
    tenant varchar(64) NOT NULL
);
CREATE INDEX ix_software_config_tenant ON software_config (tenant);

CREATE TABLE software_deployment (
    id varchar(36) PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    config_id varchar(36) NOT NULL REFERENCES software_config (id),
    server_id varchar(36) NOT NULL,
    input_values text,
    output_values text,
    tenant varchar(64) NOT NULL,
    stack_user_project_id varchar(64),
    action varchar(255),
    status varchar(255),
    status_reason text
);
CREATE INDEX ix_software_deployment_created_at ON software_deployment (created_at);
CREATE INDEX ix_software_deployment_server_id ON software_deployment (server_id);
CREATE INDEX ix_software_deployment_tenant ON software_deployment (tenant);

-- Engines (one per conductor process) and their liveness.
CREATE TABLE heat_engine (
    engine_id varchar(36) PRIMARY KEY,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    host varchar(255) NOT NULL,
    last_seen_up timestamp without time zone NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

-- Stack leases. A row exists while some engine holds or recently held the stack.
CREATE TABLE stack_lock (
    stack_id varchar(36) PRIMARY KEY REFERENCES stack (id) ON DELETE CASCADE,
    created_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp without time zone,
    engine_id varchar(36) NOT NULL,
    lease_expires_at timestamp without time zone NOT NULL
);
CREATE INDEX ix_stack_lock_lease_expires_at ON stack_lock (lease_expires_at);

-- Takes (or renews) the lease on a stack for `engine` for `lease_seconds`. Succeeds when the
-- stack is unleased, already leased by `engine`, or its lease has expired (a dead engine's
-- stack is taken over). Returns the engine that holds the lease afterwards: `engine` on
-- success, the other holder otherwise. Atomic under concurrency (one row, ON CONFLICT).
CREATE FUNCTION heat_stack_lock_acquire(p_stack_id varchar, p_engine varchar,
                                        p_lease_seconds integer)
RETURNS varchar LANGUAGE plpgsql AS $$
DECLARE
    now_utc timestamp := clock_timestamp() AT TIME ZONE 'utc';
    holder varchar;
BEGIN
    INSERT INTO stack_lock AS l (stack_id, engine_id, lease_expires_at, created_at)
    VALUES (p_stack_id, p_engine, now_utc + make_interval(secs => p_lease_seconds), now_utc)
    ON CONFLICT (stack_id) DO UPDATE
        SET engine_id = EXCLUDED.engine_id,
            lease_expires_at = EXCLUDED.lease_expires_at,
            updated_at = now_utc
        WHERE l.engine_id = EXCLUDED.engine_id OR l.lease_expires_at < now_utc
    RETURNING engine_id INTO holder;
    IF holder IS NULL THEN
        SELECT engine_id INTO holder FROM stack_lock WHERE stack_id = p_stack_id;
    END IF;
    RETURN holder;
END $$;

-- Drops the lease if `engine` holds it; returns whether it did.
CREATE FUNCTION heat_stack_lock_release(p_stack_id varchar, p_engine varchar)
RETURNS boolean LANGUAGE sql AS $$
    WITH d AS (DELETE FROM stack_lock WHERE stack_id = p_stack_id AND engine_id = p_engine
               RETURNING 1)
    SELECT count(*) > 0 FROM d;
$$;

-- Stacks whose lease has expired while they were IN_PROGRESS: work a live engine should adopt.
CREATE VIEW heat_orphaned_stack AS
    SELECT s.id AS stack_id, l.engine_id AS last_engine_id, l.lease_expires_at
    FROM stack s JOIN stack_lock l ON l.stack_id = s.id
    WHERE s.status = 'IN_PROGRESS' AND s.deleted_at IS NULL
      AND l.lease_expires_at < (clock_timestamp() AT TIME ZONE 'utc');
