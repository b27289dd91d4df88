-- Per-project change generations for the `clusters` group (see 0003_api_generation.sql).
--
-- A project's cluster list, cluster and nodegroup answers only change when that project's
-- clusters or nodegroups change, so a write in one project no longer invalidates every other
-- project's cached answers. Rows of api_generation are now (name, project_id):
--   project_id ''   the group's global counter, bumped by every write (answers that span all
--                   projects: an admin's views, and the `templates` group, which has public rows)
--   project_id P    bumped by writes to rows of project P (for nodegroups: the nodegroup's own
--                   project and its cluster's); created on the first such write, a missing row
--                   reads as 0
-- TRUNCATE bumps every counter of the group. Counters are bumped in (name, project_id) order,
-- the global one first, so concurrent writers lock them in the same order.

ALTER TABLE api_generation ADD COLUMN project_id text NOT NULL DEFAULT '';
ALTER TABLE api_generation DROP CONSTRAINT api_generation_pkey;
ALTER TABLE api_generation ADD PRIMARY KEY (name, project_id);

-- Bumps the group's global counter, then one counter per project in `projects`.
CREATE FUNCTION api_generation_bump_projects(grp text, projects text[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE api_generation SET gen = gen + 1 WHERE name = grp AND project_id = '';
    INSERT INTO api_generation AS g (name, project_id, gen)
    SELECT grp, p, 1 FROM (SELECT DISTINCT p FROM unnest(projects) AS u(p) WHERE p <> '') AS d
    ORDER BY p
    ON CONFLICT (name, project_id) DO UPDATE SET gen = g.gen + 1;
$$;

CREATE FUNCTION cluster_api_generation_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE api_generation SET gen = gen + 1 WHERE name = 'clusters';
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM api_generation_bump_projects('clusters',
            ARRAY(SELECT COALESCE(project_id, '') FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM api_generation_bump_projects('clusters',
            ARRAY(SELECT COALESCE(project_id, '') FROM new_rows
                  UNION SELECT COALESCE(project_id, '') FROM old_rows));
    ELSE
        PERFORM api_generation_bump_projects('clusters',
            ARRAY(SELECT COALESCE(project_id, '') FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;

-- A nodegroup counts for its own project and for its cluster's.
CREATE FUNCTION nodegroup_projects(ngs_cluster_ids text[], ngs_projects text[]) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT ARRAY(SELECT unnest(ngs_projects)
                 UNION SELECT COALESCE(c.project_id, '') FROM cluster c
                 WHERE c.uuid = ANY (ngs_cluster_ids));
$$;

CREATE FUNCTION nodegroup_api_generation_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE api_generation SET gen = gen + 1 WHERE name = 'clusters';
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM api_generation_bump_projects('clusters', nodegroup_projects(
            ARRAY(SELECT cluster_id FROM new_rows), ARRAY(SELECT project_id FROM new_rows)));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM api_generation_bump_projects('clusters', nodegroup_projects(
            ARRAY(SELECT cluster_id FROM new_rows UNION SELECT cluster_id FROM old_rows),
            ARRAY(SELECT project_id FROM new_rows UNION SELECT project_id FROM old_rows)));
    ELSE
        PERFORM api_generation_bump_projects('clusters', nodegroup_projects(
            ARRAY(SELECT cluster_id FROM old_rows), ARRAY(SELECT project_id FROM old_rows)));
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER cluster_api_generation ON cluster;
DROP TRIGGER nodegroup_api_generation ON nodegroup;

CREATE TRIGGER cluster_api_generation_ins AFTER INSERT ON cluster
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cluster_api_generation_bump();
CREATE TRIGGER cluster_api_generation_upd AFTER UPDATE ON cluster
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cluster_api_generation_bump();
CREATE TRIGGER cluster_api_generation_del AFTER DELETE ON cluster
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cluster_api_generation_bump();
CREATE TRIGGER cluster_api_generation_trunc AFTER TRUNCATE ON cluster
    FOR EACH STATEMENT EXECUTE FUNCTION cluster_api_generation_bump();

CREATE TRIGGER nodegroup_api_generation_ins AFTER INSERT ON nodegroup
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION nodegroup_api_generation_bump();
CREATE TRIGGER nodegroup_api_generation_upd AFTER UPDATE ON nodegroup
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION nodegroup_api_generation_bump();
CREATE TRIGGER nodegroup_api_generation_del AFTER DELETE ON nodegroup
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION nodegroup_api_generation_bump();
CREATE TRIGGER nodegroup_api_generation_trunc AFTER TRUNCATE ON nodegroup
    FOR EACH STATEMENT EXECUTE FUNCTION nodegroup_api_generation_bump();
