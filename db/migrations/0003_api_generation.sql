-- Change generations for magnum-api's response cache (api/respcache.h).
--
-- api_generation holds one counter per group of tables an API answer is built from. Every
-- statement that writes one of those tables bumps its group's counter in the same transaction
-- (statement-level triggers below), so a committed change is always accompanied by a committed
-- bump, whoever made it: magnum-api, a conductor, magnum-db-manage or psql. An API process that
-- reads a counter before reading the data, and finds the counter unchanged later, knows that
-- nothing it read has changed since: a cached answer built under that counter is still exact.
--
--   clusters   cluster, nodegroup (a cluster's node counts and addresses come from its
--              nodegroups)
--   templates  cluster_template (the labels a cluster shows as overridden/added/skipped come
--              from its template)

CREATE TABLE api_generation (
    name text PRIMARY KEY,
    gen bigint NOT NULL DEFAULT 0
);

INSERT INTO api_generation (name, gen) VALUES ('clusters', 0), ('templates', 0);

CREATE FUNCTION api_generation_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE api_generation SET gen = gen + 1 WHERE name = TG_ARGV[0];
    RETURN NULL;
END
$$;

CREATE TRIGGER cluster_api_generation
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cluster
    FOR EACH STATEMENT EXECUTE FUNCTION api_generation_bump('clusters');
CREATE TRIGGER nodegroup_api_generation
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON nodegroup
    FOR EACH STATEMENT EXECUTE FUNCTION api_generation_bump('clusters');
CREATE TRIGGER cluster_template_api_generation
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cluster_template
    FOR EACH STATEMENT EXECUTE FUNCTION api_generation_bump('templates');
