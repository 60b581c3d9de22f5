-- Agencies (消防救援机构) and who belongs to them.
--
-- The fire-and-rescue hierarchy is corps (总队) → detachment (支队) → brigade
-- (大队); other departments (market supervision, education, …) take part in
-- joint checks.  The upper level of an agency is its parent.  Membership of a
-- login role in an agency is data (agency_members); the row-level security
-- of every registry is computed from it (see 26_registry_security.sql).

-- ---- text helpers shared by the registries ----------------------------------

-- Whitespace trimmed from every text field: ASCII blanks and every Unicode
-- space a pasted or exported value carries (no-break space U+00A0, the
-- ideographic space U+3000, the zero-width space and byte-order mark, the
-- word joiner U+2060, the soft hyphen U+00AD, the Hangul filler U+3164, …);
-- NULL when no visible character is left (C, src/registry.c).
CREATE FUNCTION spotcheck.registry_trim(t text) RETURNS text
    AS 'MODULE_PATHNAME', 'spotcheck_registry_trim' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The full-width forms of ASCII characters (digits, Latin letters,
-- punctuation: Ａ１．－（）…) and the ideographic space as ASCII, as Chinese
-- input methods and exports write numbers, codes, dates and phone numbers
-- (C, src/registry.c; UTF-8 databases).
CREATE FUNCTION spotcheck.registry_halfwidth(t text) RETURNS text
    AS 'MODULE_PATHNAME', 'spotcheck_registry_halfwidth' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- A value as a message quotes it: whole when short, else its first 40
-- characters and its length, so that a huge value never makes a huge
-- message, reject or log line.  NULL is quoted as NULL.
CREATE FUNCTION spotcheck.registry_quote(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t IS NULL THEN 'NULL'
                WHEN pg_catalog.length(t) <= 40 THEN '"' || t || '"'
                ELSE '"' || pg_catalog.left(t, 40) || '…" (' || pg_catalog.length(t) || ' characters)' END
$$;

CREATE TABLE spotcheck.agencies (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    level       text NOT NULL,
    parent      text REFERENCES spotcheck.agencies (code),
    region      text,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT agencies_code_format CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$'),
    CONSTRAINT agencies_name_not_blank CHECK (pg_catalog.btrim(name) <> ''),
    CONSTRAINT agencies_level_known CHECK (level IN ('corps', 'detachment', 'brigade', 'department')),
    CONSTRAINT agencies_not_own_parent CHECK (parent IS DISTINCT FROM code),
    CONSTRAINT agencies_region_format CHECK (region IS NULL OR region ~ '^[0-9]{6}$')
);
CREATE INDEX agencies_parent_idx ON spotcheck.agencies (parent);
COMMENT ON TABLE spotcheck.agencies IS
    'agencies: corps → detachment → brigade, and other departments; parent = upper level';

-- The level rule: a brigade's parent is a detachment, a detachment's parent
-- (when recorded) is a corps, a corps has none; a department may hang
-- anywhere.  No cycles.  Checked for the row and for its children, so that
-- changing an agency's level cannot leave a child under the wrong kind.
CREATE FUNCTION spotcheck.agencies_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    parent_level text;
    bad record;
BEGIN
    NEW.code := spotcheck.registry_trim(NEW.code);
    NEW.name := spotcheck.registry_trim(NEW.name);
    IF NEW.code IS NULL OR NEW.code !~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$' THEN
        RAISE EXCEPTION 'invalid agency code %', spotcheck.registry_quote(NEW.code)
            USING ERRCODE = '22023',
                  HINT = 'An agency code is 1 to 32 letters, digits, "_", "." or "-", starting with a letter or digit.';
    END IF;
    IF NEW.name IS NULL OR NEW.name = '' THEN
        RAISE EXCEPTION 'agency "%" needs a name', NEW.code
            USING ERRCODE = '23502', HINT = 'Give the agency''s official name.';
    END IF;
    NEW.region := spotcheck.registry_halfwidth(spotcheck.registry_trim(NEW.region));
    IF NEW.region !~ '^[0-9]{6}$' THEN
        RAISE EXCEPTION 'invalid region % for agency "%"', spotcheck.registry_quote(NEW.region), NEW.code
            USING ERRCODE = '22023', HINT = 'The region is a 6-digit administrative division code (GB/T 2260), or empty.';
    END IF;
    IF NEW.level IS NULL OR NEW.level NOT IN ('corps', 'detachment', 'brigade', 'department') THEN
        RAISE EXCEPTION 'invalid level % for agency "%"', spotcheck.registry_quote(NEW.level), NEW.code
            USING ERRCODE = '22023',
                  HINT = 'The level is one of corps, detachment, brigade, department.';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.code <> OLD.code THEN
        RAISE EXCEPTION 'the code of agency "%" cannot change', OLD.code
            USING ERRCODE = '55000',
                  HINT = 'An agency code is referred to by every registry; register a new agency instead.';
    END IF;
    IF NEW.parent IS NOT NULL THEN
        SELECT a.level INTO parent_level FROM spotcheck.agencies a WHERE a.code = NEW.parent;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'parent agency % of agency "%" does not exist', spotcheck.registry_quote(NEW.parent), NEW.code
                USING ERRCODE = '23503', HINT = 'Register the upper-level agency first.';
        END IF;
    END IF;
    IF NEW.level = 'brigade' AND parent_level IS DISTINCT FROM 'detachment' THEN
        RAISE EXCEPTION 'brigade "%" must have a detachment as parent, not %', NEW.code,
                coalesce('the ' || parent_level || ' "' || NEW.parent || '"', 'none')
            USING ERRCODE = '23514', HINT = 'Set parent to the code of the detachment the brigade belongs to.';
    ELSIF NEW.level = 'detachment' AND NEW.parent IS NOT NULL AND parent_level <> 'corps' THEN
        RAISE EXCEPTION 'detachment "%" must have a corps as parent, not the % "%"', NEW.code, parent_level, NEW.parent
            USING ERRCODE = '23514', HINT = 'Set parent to the code of the corps, or leave it empty.';
    ELSIF NEW.level = 'corps' AND NEW.parent IS NOT NULL THEN
        RAISE EXCEPTION 'corps "%" cannot have a parent agency (got "%")', NEW.code, NEW.parent
            USING ERRCODE = '23514', HINT = 'A corps is the top of the hierarchy; leave parent empty.';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        -- children must still fit under the (possibly changed) level
        SELECT c.code, c.level INTO bad FROM spotcheck.agencies c
         WHERE c.parent = NEW.code
           AND NOT ((c.level = 'brigade' AND NEW.level = 'detachment')
                 OR (c.level = 'detachment' AND NEW.level = 'corps')
                 OR c.level = 'department')
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'agency "%" cannot become a % while % "%" is below it', NEW.code, NEW.level, bad.level, bad.code
                USING ERRCODE = '23514', HINT = 'Move the agencies below it first.';
        END IF;
        IF NEW.parent IS NOT NULL AND NEW.parent IS DISTINCT FROM OLD.parent THEN
            -- serialise re-parenting so two moves cannot close a cycle together
            PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('spotcheck.agencies.parent'));
            IF NEW.code IN (SELECT s FROM spotcheck.agency_ancestors(NEW.parent) s) THEN
                RAISE EXCEPTION 'agency "%" cannot be placed under "%": that agency is already below it', NEW.code, NEW.parent
                    USING ERRCODE = '23514', HINT = 'The hierarchy may not contain a cycle.';
            END IF;
        END IF;
    END IF;
    RETURN NEW;
END
$$;

-- The agency and every agency below it (recursive), nearest first.
CREATE FUNCTION spotcheck.agency_subtree(agency text)
RETURNS SETOF text
LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    WITH RECURSIVE t(code, depth) AS (
        SELECT a.code, 0 FROM spotcheck.agencies a WHERE a.code = agency
        UNION
        SELECT a.code, t.depth + 1 FROM spotcheck.agencies a JOIN t ON a.parent = t.code
         WHERE t.depth < 64
    )
    SELECT code FROM t ORDER BY depth, code
$$;
COMMENT ON FUNCTION spotcheck.agency_subtree(text) IS
    'the agency and all agencies at any depth below it';

-- The agency and every agency above it, the agency itself first.
CREATE FUNCTION spotcheck.agency_ancestors(agency text)
RETURNS SETOF text
LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    WITH RECURSIVE t(code, parent, depth) AS (
        SELECT a.code, a.parent, 0 FROM spotcheck.agencies a WHERE a.code = agency
        UNION
        SELECT a.code, a.parent, t.depth + 1 FROM spotcheck.agencies a JOIN t ON a.code = t.parent
         WHERE t.depth < 64
    )
    SELECT code FROM t ORDER BY depth
$$;
COMMENT ON FUNCTION spotcheck.agency_ancestors(text) IS
    'the agency and its upper levels, nearest first';

CREATE TRIGGER agencies_check BEFORE INSERT OR UPDATE ON spotcheck.agencies
    FOR EACH ROW EXECUTE FUNCTION spotcheck.agencies_check();

-- Which login role belongs to which agency.  Row-level security of the
-- registries is derived from this table and from the group roles the login
-- role is a member of.
CREATE TABLE spotcheck.agency_members (
    member     name NOT NULL,
    agency     text NOT NULL REFERENCES spotcheck.agencies (code),
    added_by   name NOT NULL DEFAULT CURRENT_USER,
    added_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (member, agency)
);
CREATE INDEX agency_members_agency_idx ON spotcheck.agency_members (agency);
COMMENT ON TABLE spotcheck.agency_members IS
    'membership of a login role in an agency; the basis of row-level security';

-- (Not SECURITY DEFINER: CURRENT_USER must be the role that writes.)
CREATE FUNCTION spotcheck.agency_members_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = NEW.member) THEN
        RAISE EXCEPTION 'role % does not exist', spotcheck.registry_quote(NEW.member)
            USING ERRCODE = '42704', HINT = 'Create the login role first, then make it a member of an agency.';
    END IF;
    IF NOT EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code = NEW.agency) THEN
        RAISE EXCEPTION 'agency % does not exist', spotcheck.registry_quote(NEW.agency)
            USING ERRCODE = '23503', HINT = 'Use the code of a registered agency (spotcheck.agencies).';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.member <> OLD.member OR NEW.agency <> OLD.agency THEN
            RAISE EXCEPTION 'the membership of "%" in agency "%" cannot be moved', OLD.member, OLD.agency
                USING ERRCODE = '55000', HINT = 'Delete the membership and add a new one.';
        END IF;
        -- who added it and when stay; an update changes nothing else
        NEW.added_by := OLD.added_by;
        NEW.added_at := OLD.added_at;
        RETURN NEW;
    END IF;
    NEW.added_by := CURRENT_USER;
    NEW.added_at := pg_catalog.now();
    RETURN NEW;
END
$$;
CREATE TRIGGER agency_members_check BEFORE INSERT OR UPDATE ON spotcheck.agency_members
    FOR EACH ROW EXECUTE FUNCTION spotcheck.agency_members_check();

SELECT pg_catalog.pg_extension_config_dump('spotcheck.agencies', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.agency_members', '');

-- ---- whose rows a role may see and change (used by row-level security) ----
--
-- Plain (SECURITY INVOKER) functions over an owner-rights view: the view
-- reads agency_members past its row-level security but only ever returns
-- the memberships of CURRENT_USER, so no role can ask about another's.

CREATE VIEW spotcheck.my_agency_memberships AS
    SELECT m.agency FROM spotcheck.agency_members m WHERE m.member = CURRENT_USER;
COMMENT ON VIEW spotcheck.my_agency_memberships IS 'the agencies the current role is a member of';

CREATE FUNCTION spotcheck.is_registry_admin() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS
$$ SELECT pg_catalog.pg_has_role(CURRENT_USER, 'spotcheck_admin', 'USAGE') $$;

-- The agencies whose rows the current role may change: those it belongs to
-- (every agency for an administrator).
CREATE FUNCTION spotcheck.writable_agencies() RETURNS text[]
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN spotcheck.is_registry_admin()
                THEN (SELECT coalesce(pg_catalog.array_agg(a.code), '{}') FROM spotcheck.agencies a)
                ELSE (SELECT coalesce(pg_catalog.array_agg(m.agency), '{}') FROM spotcheck.my_agency_memberships m)
           END
$$;

-- The agencies whose rows the current role may read: those it belongs to,
-- and for a member of spotcheck_upper every agency below them too.
CREATE FUNCTION spotcheck.readable_agencies() RETURNS text[]
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN spotcheck.is_registry_admin()
                THEN (SELECT coalesce(pg_catalog.array_agg(a.code), '{}') FROM spotcheck.agencies a)
                WHEN pg_catalog.pg_has_role(CURRENT_USER, 'spotcheck_upper', 'USAGE')
                THEN (SELECT coalesce(pg_catalog.array_agg(DISTINCT s.s), '{}')
                        FROM spotcheck.my_agency_memberships m,
                             LATERAL spotcheck.agency_subtree(m.agency) AS s(s))
                ELSE (SELECT coalesce(pg_catalog.array_agg(m.agency), '{}') FROM spotcheck.my_agency_memberships m)
           END
$$;

-- The agencies whose items the current role's plans may use: those it
-- belongs to and their upper levels (inherited items); every agency for an
-- administrator.
CREATE FUNCTION spotcheck.item_usable_agencies() RETURNS text[]
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN spotcheck.is_registry_admin()
                THEN (SELECT coalesce(pg_catalog.array_agg(a.code), '{}') FROM spotcheck.agencies a)
                ELSE (SELECT coalesce(pg_catalog.array_agg(DISTINCT s.s), '{}')
                        FROM spotcheck.my_agency_memberships m,
                             LATERAL spotcheck.agency_ancestors(m.agency) AS s(s))
           END
$$;

-- For the item list: the readable agencies and the upper levels of the
-- agencies the role belongs to (their items are inherited).
CREATE FUNCTION spotcheck.item_readable_agencies() RETURNS text[]
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT spotcheck.readable_agencies() ||
           (SELECT coalesce(pg_catalog.array_agg(DISTINCT s.s), '{}')
              FROM spotcheck.my_agency_memberships m,
                   LATERAL spotcheck.agency_ancestors(m.agency) AS s(s))
$$;
