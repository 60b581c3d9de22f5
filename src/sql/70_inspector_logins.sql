-- Which login role is which inspector of the directory.
--
-- agency_members says which agency a login role acts for; an inspector who
-- records the result of an inspection acts as a person of the inspector
-- directory, and only for a target whose current team he or she is on.
-- This table binds a login role to that person: one login per inspector,
-- one inspector per login.  Only an administrator binds (it is an identity
-- decision, like membership), the login must be a member of
-- spotcheck_inspector and of the inspector's agency, and every change is
-- audited.  An inspector who leaves is unbound (DELETE); what they recorded
-- keeps their inspector code and login.

CREATE TABLE spotcheck.inspector_logins (
    login        name PRIMARY KEY,
    inspector    text NOT NULL UNIQUE REFERENCES spotcheck.inspectors (code),
    agency       text NOT NULL REFERENCES spotcheck.agencies (code),
    bound_by     name NOT NULL,
    bound_at     timestamptz NOT NULL
);
COMMENT ON TABLE spotcheck.inspector_logins IS
    'the login role of an inspector of the directory: who may record results as that inspector (one login per inspector)';
COMMENT ON COLUMN spotcheck.inspector_logins.agency IS 'the inspector''s agency (stamped from the directory)';

-- (Not SECURITY DEFINER: CURRENT_USER must be the role that writes.)
CREATE FUNCTION spotcheck.inspector_logins_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.login <> OLD.login OR NEW.inspector <> OLD.inspector) THEN
        RAISE EXCEPTION 'the binding of login "%" to inspector "%" cannot be changed', OLD.login, OLD.inspector
            USING ERRCODE = '55000', HINT = 'Delete the binding and add a new one.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = NEW.login) THEN
        RAISE EXCEPTION 'role "%" does not exist', NEW.login
            USING ERRCODE = '42704', HINT = 'Create the login role first, then bind it to its inspector.';
    END IF;
    SELECT i.agency INTO NEW.agency FROM spotcheck.inspectors i WHERE i.code = NEW.inspector;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'inspector "%" does not exist', NEW.inspector
            USING ERRCODE = '23503', HINT = 'Use the code of an inspector of the directory (spotcheck.inspectors).';
    END IF;
    IF NOT pg_catalog.pg_has_role(NEW.login, 'spotcheck_inspector', 'USAGE') THEN
        RAISE EXCEPTION 'role "%" is not a member of spotcheck_inspector', NEW.login
            USING ERRCODE = '22023', HINT = pg_catalog.format('GRANT spotcheck_inspector TO %I first.', NEW.login);
    END IF;
    IF NOT EXISTS (SELECT FROM spotcheck.agency_members m WHERE m.member = NEW.login AND m.agency = NEW.agency) THEN
        RAISE EXCEPTION 'role "%" is not a member of agency "%", the agency of inspector "%"', NEW.login, NEW.agency, NEW.inspector
            USING ERRCODE = '22023',
                  HINT = pg_catalog.format('Add it first: INSERT INTO spotcheck.agency_members (member, agency) VALUES (%L, %L).', NEW.login, NEW.agency);
    END IF;
    NEW.bound_by := CURRENT_USER;
    NEW.bound_at := pg_catalog.now();
    RETURN NEW;
END
$$;
CREATE TRIGGER inspector_logins_check BEFORE INSERT OR UPDATE ON spotcheck.inspector_logins
    FOR EACH ROW EXECUTE FUNCTION spotcheck.inspector_logins_check();
CREATE TRIGGER inspector_logins_audit AFTER INSERT OR UPDATE OR DELETE ON spotcheck.inspector_logins
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('login', 'agency');
CREATE TRIGGER inspector_logins_audit_truncate AFTER TRUNCATE ON spotcheck.inspector_logins
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.audit_row_change();
SELECT pg_catalog.pg_extension_config_dump('spotcheck.inspector_logins', '');

-- The inspector the calling role is (NULL when it is bound to none).
CREATE FUNCTION spotcheck.caller_inspector() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT l.inspector FROM spotcheck.inspector_logins l WHERE l.login OPERATOR(pg_catalog.=) spotcheck.caller()
$$;
COMMENT ON FUNCTION spotcheck.caller_inspector() IS 'the inspector (spotcheck.inspectors.code) the calling login role is bound to, if any';

ALTER TABLE spotcheck.inspector_logins ENABLE ROW LEVEL SECURITY;
CREATE POLICY inspector_logins_read ON spotcheck.inspector_logins FOR SELECT
    USING (login = CURRENT_USER OR agency = ANY ((SELECT spotcheck.readable_agencies())::text[]));
CREATE POLICY inspector_logins_admin ON spotcheck.inspector_logins FOR ALL
    USING ((SELECT spotcheck.is_registry_admin())) WITH CHECK ((SELECT spotcheck.is_registry_admin()));

REVOKE ALL ON spotcheck.inspector_logins FROM PUBLIC;
GRANT SELECT ON spotcheck.inspector_logins
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT INSERT, UPDATE, DELETE ON spotcheck.inspector_logins TO spotcheck_admin;
GRANT EXECUTE ON FUNCTION spotcheck.caller_inspector()
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
