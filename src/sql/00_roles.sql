-- Group roles and schema access.
--
-- The extension's group roles are cluster-wide and outlive the extension;
-- they are created only when missing so that a second database, or a
-- reinstall, reuses them.  None of them can log in: login roles are made
-- members of them by the DBA.
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['spotcheck_admin', 'spotcheck_planner',
                             'spotcheck_head', 'spotcheck_upper',
                             'spotcheck_inspector', 'spotcheck_public']
    LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$roles$;

REVOKE ALL ON SCHEMA spotcheck FROM PUBLIC;
GRANT USAGE ON SCHEMA spotcheck TO spotcheck_admin, spotcheck_planner,
    spotcheck_head, spotcheck_upper, spotcheck_inspector, spotcheck_public;
