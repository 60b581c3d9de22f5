-- Who is calling, and for which agencies it may act.
--
-- Inside a SECURITY DEFINER function CURRENT_USER is the extension's owner.
-- The role that called in is spotcheck.invoking_role(): the current user
-- outside every definer function (the login role, or the role it SET ROLE
-- to).  These helpers answer for that role, so that a definer function
-- checks its caller's rights and never its own.  Each answers only about
-- the caller, so they may be granted to every role of the extension.
--
--   caller()                      the calling role's name
--   caller_in(group_role)         whether the caller is a member of a group role
--   caller_agencies()             the agencies the caller belongs to (all for an administrator)
--   caller_readable_agencies()    those, for spotcheck_upper also every agency below them
--   caller_may_read(agency)       whether the agency is among the readable ones
--   require_agency_role(agency, group_roles, action)
--                                 refuses (42501) unless the caller holds one of the group roles
--                                 and belongs to the agency; a superuser always passes, and a
--                                 member of spotcheck_admin passes when the list names it
--   require_upper_role(agency, action, parent_only)
--                                 refuses unless the caller holds spotcheck_upper and belongs to
--                                 the agency's parent (or, parent_only false, to any agency above it)

CREATE FUNCTION spotcheck.invoking_role() RETURNS oid
    LANGUAGE C STABLE PARALLEL RESTRICTED
    AS 'MODULE_PATHNAME', 'spotcheck_invoking_role';
COMMENT ON FUNCTION spotcheck.invoking_role() IS
    'the role calling into the extension: current_user outside every SECURITY DEFINER function';

CREATE FUNCTION spotcheck.caller() RETURNS name
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid = spotcheck.invoking_role()
$$;
COMMENT ON FUNCTION spotcheck.caller() IS 'the name of the role calling into the extension';

CREATE FUNCTION spotcheck.caller_in(group_role name) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.pg_has_role(spotcheck.invoking_role(), r.oid, 'USAGE')
      FROM pg_catalog.pg_roles r WHERE r.rolname = group_role
$$;
COMMENT ON FUNCTION spotcheck.caller_in(name) IS
    'whether the calling role is a member of the group role (a superuser is a member of every role)';

CREATE FUNCTION spotcheck.caller_is_superuser() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid = spotcheck.invoking_role()
$$;

-- Reads agency_members past its row-level security, for the caller only.
CREATE FUNCTION spotcheck.caller_agencies() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN spotcheck.caller_in('spotcheck_admin')
                THEN (SELECT COALESCE(pg_catalog.array_agg(a.code ORDER BY a.code), '{}') FROM spotcheck.agencies a)
                ELSE (SELECT COALESCE(pg_catalog.array_agg(m.agency ORDER BY m.agency), '{}')
                        FROM spotcheck.agency_members m
                       WHERE m.member OPERATOR(pg_catalog.=) spotcheck.caller())
           END
$$;
COMMENT ON FUNCTION spotcheck.caller_agencies() IS
    'the agencies the calling role belongs to (every agency for an administrator)';

CREATE FUNCTION spotcheck.caller_readable_agencies() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN spotcheck.caller_in('spotcheck_admin') OR NOT spotcheck.caller_in('spotcheck_upper')
                THEN spotcheck.caller_agencies()
                ELSE (SELECT COALESCE(pg_catalog.array_agg(DISTINCT s.s), '{}')
                        FROM pg_catalog.unnest(spotcheck.caller_agencies()) AS m(agency),
                             LATERAL spotcheck.agency_subtree(m.agency) AS s(s))
           END
$$;
COMMENT ON FUNCTION spotcheck.caller_readable_agencies() IS
    'the agencies whose data the calling role may read: its own, for spotcheck_upper also those below them';

CREATE FUNCTION spotcheck.caller_may_read(agency text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT COALESCE(spotcheck.caller_is_superuser(), false)
        OR CASE WHEN agency IS NULL THEN spotcheck.caller_in('spotcheck_admin')
                ELSE agency OPERATOR(pg_catalog.=) ANY (spotcheck.caller_readable_agencies()) END
$$;
COMMENT ON FUNCTION spotcheck.caller_may_read(text) IS
    'whether the calling role may read the agency''s data (null: an object of no agency, administrators only)';

CREATE FUNCTION spotcheck.require_agency_role(agency text, group_roles name[], action text)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    who name := spotcheck.caller();
BEGIN
    IF agency IS NOT NULL AND NOT EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code OPERATOR(pg_catalog.=) agency) THEN
        RAISE EXCEPTION 'agency % does not exist', pg_catalog.quote_literal(pg_catalog.left(agency, 64))
            USING ERRCODE = 'P0002', HINT = 'Use the code of a registered agency (spotcheck.agencies).';
    END IF;
    IF spotcheck.caller_is_superuser() THEN
        RETURN;
    END IF;
    IF 'spotcheck_admin' OPERATOR(pg_catalog.=) ANY (group_roles) AND spotcheck.caller_in('spotcheck_admin') THEN
        RETURN;
    END IF;
    IF agency IS NULL THEN
        RAISE EXCEPTION 'permission denied: role % may not % without naming an agency', who, action
            USING ERRCODE = '42501',
                  HINT = 'Name the agency you act for; only an administrator acts for no agency.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.unnest(group_roles) g(r)
                    WHERE g.r OPERATOR(pg_catalog.<>) 'spotcheck_admin' AND spotcheck.caller_in(g.r)) THEN
        RAISE EXCEPTION 'permission denied: role % may not % for agency %', who, action, agency
            USING ERRCODE = '42501',
                  DETAIL = pg_catalog.format('That needs membership in %s.',
                               pg_catalog.array_to_string(group_roles, ' or ')),
                  HINT = 'Ask an administrator to grant the role you need.';
    END IF;
    IF NOT agency OPERATOR(pg_catalog.=) ANY (spotcheck.caller_agencies()) THEN
        RAISE EXCEPTION 'permission denied: role % may not % for agency %: it is not a member of that agency',
                        who, action, agency
            USING ERRCODE = '42501',
                  HINT = 'An administrator records who belongs to which agency in spotcheck.agency_members.';
    END IF;
END
$$;
COMMENT ON FUNCTION spotcheck.require_agency_role(text, name[], text) IS
    'refuse (42501) unless the calling role holds one of the group roles and belongs to the agency';

CREATE FUNCTION spotcheck.require_upper_role(agency text, action text, parent_only boolean DEFAULT true)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    who name := spotcheck.caller();
    uppers text[];
BEGIN
    IF agency IS NULL OR NOT EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code OPERATOR(pg_catalog.=) agency) THEN
        RAISE EXCEPTION 'agency % does not exist', pg_catalog.quote_nullable(pg_catalog.left(agency, 64))
            USING ERRCODE = 'P0002', HINT = 'Use the code of a registered agency (spotcheck.agencies).';
    END IF;
    IF spotcheck.caller_is_superuser() THEN
        RETURN;
    END IF;
    uppers := CASE WHEN parent_only
                   THEN ARRAY(SELECT a.parent FROM spotcheck.agencies a WHERE a.code OPERATOR(pg_catalog.=) agency AND a.parent IS NOT NULL)
                   ELSE ARRAY(SELECT s FROM spotcheck.agency_ancestors(agency) s WHERE s OPERATOR(pg_catalog.<>) agency) END;
    IF NOT spotcheck.caller_in('spotcheck_upper') OR NOT (uppers OPERATOR(pg_catalog.&&) spotcheck.caller_agencies()) THEN
        RAISE EXCEPTION 'permission denied: role % may not % for agency %: that is for a spotcheck_upper member of %',
                        who, action, agency,
                        CASE WHEN pg_catalog.cardinality(uppers) = 0 THEN 'an upper level it does not have'
                             WHEN parent_only THEN 'its upper level ' || uppers[1]
                             ELSE 'an agency above it (' || pg_catalog.array_to_string(uppers, ', ') || ')' END
            USING ERRCODE = '42501',
                  HINT = 'The upper level acts here; an administrator records its members in spotcheck.agency_members.';
    END IF;
END
$$;
COMMENT ON FUNCTION spotcheck.require_upper_role(text, text, boolean) IS
    'refuse (42501) unless the calling role holds spotcheck_upper and belongs to the agency''s upper level';

GRANT EXECUTE ON FUNCTION spotcheck.invoking_role(), spotcheck.caller(), spotcheck.caller_in(name),
    spotcheck.caller_is_superuser(), spotcheck.caller_agencies(), spotcheck.caller_readable_agencies(),
    spotcheck.caller_may_read(text), spotcheck.require_agency_role(text, name[], text),
    spotcheck.require_upper_role(text, text, boolean)
  TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
