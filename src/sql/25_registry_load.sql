-- Bulk loading (Article 12: data arrives from government platforms and line
-- departments).
--
--   \copy spotcheck.unit_staging (code, name, …) FROM 'units.csv' CSV HEADER
--   SELECT * FROM spotcheck.load_units('units.csv');
--
-- Staging tables hold text exactly as it came; each role sees and loads
-- only the rows it staged (through spotcheck.my_unit_staging).  One call
-- takes the caller's staged rows (exactly those it reads), checks every row
-- with the same rules as the directory's own triggers, inserts or updates
-- the good rows, and records every problem of every bad row (line number,
-- column, value, reason) in load_rejects under a batch id, with the whole
-- row kept for correction and reload.  It runs in the caller's transaction:
-- it loads all the good rows or nothing, and a failed load leaves its rows
-- staged.
--
-- Concurrency.  A load claims its rows by deleting them from staging at the
-- start (rows another load of the same role is still processing are
-- skipped, not waited for), so rows staged meanwhile stay for the next
-- load.  It writes new and changed rows in one statement in code order
-- (INSERT … ON CONFLICT DO UPDATE): two loads lock shared rows in the same
-- order and cannot deadlock; a row another session inserted or changed
-- meanwhile is merged with its latest committed version (an empty optional
-- value keeps what is stored now, not what the load first read), becomes an
-- update, an unchanged row or a reject, and is counted exactly.

CREATE TABLE spotcheck.unit_staging (
    line_no              bigint,
    code                 text,
    name                 text,
    address              text,
    responsible_person   text,
    unit_type            text,
    agency               text,
    legal_representative text,
    responsible_phone    text,
    manager_name         text,
    manager_phone        text,
    building_area        text,
    building_category    text,
    venue_category       text,
    industry_authority   text,
    region               text,
    is_key_unit          text,
    is_crowded_place     text,
    credit_class         text,
    risk_level           text,
    active               text,
    staged_by            name NOT NULL DEFAULT CURRENT_USER,
    seq                  bigserial
);
CREATE INDEX unit_staging_by_idx ON spotcheck.unit_staging (staged_by, seq);
COMMENT ON TABLE spotcheck.unit_staging IS
    'units as read from a file (all text); line_no NULL: counted from the order of the rows, after the header';

CREATE TABLE spotcheck.inspector_staging (
    line_no                  bigint,
    code                     text,
    name                     text,
    gender                   text,
    agency                   text,
    position                 text,
    certificate_no           text,
    certificate_valid_until  text,
    post                     text,
    title_category           text,
    enforcement_years        text,
    active                   text,
    staged_by                name NOT NULL DEFAULT CURRENT_USER,
    seq                      bigserial
);
CREATE INDEX inspector_staging_by_idx ON spotcheck.inspector_staging (staged_by, seq);
COMMENT ON TABLE spotcheck.inspector_staging IS
    'inspectors as read from a file (all text); line_no NULL: counted from the order of the rows, after the header';

-- COPY cannot write to a table under row-level security, so the staging
-- tables have none: the extension's roles may only INSERT (COPY) into them;
-- a trigger stamps each row with the role that staged it, and each role
-- reads, corrects and removes its own rows through my_unit_staging and
-- my_inspector_staging (views that show only the current role's rows).
CREATE FUNCTION spotcheck.staging_owner() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.staged_by := CURRENT_USER;
    ELSE
        NEW.staged_by := OLD.staged_by;
        NEW.seq := OLD.seq;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER unit_staging_owner BEFORE INSERT OR UPDATE ON spotcheck.unit_staging
    FOR EACH ROW EXECUTE FUNCTION spotcheck.staging_owner();
CREATE TRIGGER inspector_staging_owner BEFORE INSERT OR UPDATE ON spotcheck.inspector_staging
    FOR EACH ROW EXECUTE FUNCTION spotcheck.staging_owner();
CREATE VIEW spotcheck.my_unit_staging WITH (security_barrier) AS
    SELECT * FROM spotcheck.unit_staging WHERE staged_by = CURRENT_USER WITH CASCADED CHECK OPTION;
CREATE VIEW spotcheck.my_inspector_staging WITH (security_barrier) AS
    SELECT * FROM spotcheck.inspector_staging WHERE staged_by = CURRENT_USER WITH CASCADED CHECK OPTION;
COMMENT ON VIEW spotcheck.my_unit_staging IS 'the units the current role has staged: read, correct, remove';
COMMENT ON VIEW spotcheck.my_inspector_staging IS 'the inspectors the current role has staged: read, correct, remove';

CREATE TABLE spotcheck.load_batches (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('units', 'inspectors')),
    source          text,
    loaded_by       name NOT NULL,
    loaded_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    rows_read       integer NOT NULL DEFAULT 0,
    rows_inserted   integer NOT NULL DEFAULT 0,
    rows_updated    integer NOT NULL DEFAULT 0,
    rows_unchanged  integer NOT NULL DEFAULT 0,
    rows_rejected   integer NOT NULL DEFAULT 0
);
COMMENT ON TABLE spotcheck.load_batches IS 'one row per bulk load, with its counts';

CREATE TABLE spotcheck.load_rejects (
    id           bigserial PRIMARY KEY,
    batch_id     bigint NOT NULL REFERENCES spotcheck.load_batches (id),
    line_no      bigint NOT NULL,
    column_name  text NOT NULL,
    value        text,
    sqlstate     text NOT NULL,
    reason       text NOT NULL,
    hint         text,
    row_data     jsonb NOT NULL
);
CREATE INDEX load_rejects_batch_idx ON spotcheck.load_rejects (batch_id, line_no);
COMMENT ON TABLE spotcheck.load_rejects IS
    'every problem of every rejected row of a load: line, column, value, reason; row_data is the row as staged';

-- Text to typed values for the loader: NULL when the text cannot be read
-- (the loader reports it), so that one bad value never aborts the load.
-- Government exports write yes/no as 是/否, √/×, ✓/✗ as well as true/false,
-- and numbers with full-width digits, thousands separators and units.
CREATE FUNCTION spotcheck.registry_bool(t text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE pg_catalog.lower(spotcheck.registry_halfwidth(spotcheck.registry_trim(t)))
                WHEN 'true' THEN true WHEN 't' THEN true WHEN '1' THEN true WHEN 'yes' THEN true
                WHEN 'y' THEN true WHEN '是' THEN true WHEN '√' THEN true WHEN '✓' THEN true
                WHEN '✔' THEN true WHEN '☑' THEN true
                WHEN 'false' THEN false WHEN 'f' THEN false WHEN '0' THEN false WHEN 'no' THEN false
                WHEN 'n' THEN false WHEN '否' THEN false WHEN '×' THEN false WHEN '✗' THEN false
                WHEN '✘' THEN false WHEN '☒' THEN false END
$$;
CREATE FUNCTION spotcheck.registry_bool_ok(t text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT spotcheck.registry_trim(t) IS NULL OR spotcheck.registry_bool(t) IS NOT NULL $$;

-- A date as exports write it: 2026-03-01, 2026/3/1, 2026.03.01, 2026年3月1日
-- or 20260301, in full-width digits too.  Day-month orders (01/03/2026) are
-- ambiguous and not read.
CREATE FUNCTION spotcheck.registry_date(t text) RETURNS date
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v text := spotcheck.registry_halfwidth(spotcheck.registry_trim(t));
    m text[];
BEGIN
    m := regexp_match(v, '^([0-9]{4})(?:[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})|年([0-9]{1,2})月([0-9]{1,2})日?|([0-9]{2})([0-9]{2}))$');
    IF m IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN make_date(m[1]::int, coalesce(m[2], m[4], m[6])::int, coalesce(m[3], m[5], m[7])::int);
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format OR numeric_value_out_of_range THEN
    RETURN NULL;
END
$$;

-- An area in square metres as exports write it: 1250.5, 1,250.5 (thousands
-- separators only in groups of three), full-width digits, a unit after the
-- number (平方米, 平米, ㎡, m², m2), any space between them (a no-break
-- space too).  What stays ambiguous is not read: a comma that is not a
-- thousands separator (1,25 or 1.250,5), a point followed by exactly three
-- digits (1.250 and 12.000: a decimal point or a thousands point?), more
-- than two decimals that are not zeros (1.2345), another unit (亩).
CREATE FUNCTION spotcheck.registry_area(t text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v text := spotcheck.registry_halfwidth(spotcheck.registry_trim(t));
BEGIN
    IF v IS NULL THEN
        RETURN NULL;
    END IF;
    v := regexp_replace(v, '[[:space:]\u0085\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]*'
                           '(平方米|平米|㎡|[mM]²|[mM]2)$', '');
    IF v ~ '^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$' THEN
        v := replace(v, ',', '');
    END IF;
    IF v !~ '^[0-9]{1,10}(\.[0-9]{1,2}0*)?$' OR v ~ '\.[0-9]{3}$' THEN
        RETURN NULL;
    END IF;
    RETURN v::numeric(12,2);
END
$$;

-- A small whole number (risk level, years), in full-width digits too.
CREATE FUNCTION spotcheck.registry_int(t text) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN spotcheck.registry_halfwidth(spotcheck.registry_trim(t)) ~ '^[0-9]{1,4}$'
                THEN spotcheck.registry_halfwidth(spotcheck.registry_trim(t))::smallint END
$$;

-- A rejected value as load_rejects keeps it: at most 200 characters (the
-- whole row is in row_data).
CREATE FUNCTION spotcheck.registry_clip(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN pg_catalog.length(t) > 200 THEN pg_catalog.left(t, 200) || '…' ELSE t END $$;

-- Would a loaded unit (its normalised row u, which of the optional flags the
-- file gives) leave the stored row x as it is?  An empty optional value
-- keeps what is stored.  False when there is no stored row.
CREATE FUNCTION spotcheck.unit_load_unchanged(u spotcheck.units, given boolean[], x spotcheck.units)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT x.code IS NOT NULL AND
           (x.name, x.address, x.responsible_person, x.unit_type, x.agency, x.legal_representative,
            x.responsible_phone, x.manager_name, x.manager_phone, x.building_area, x.building_category,
            x.venue_category, x.industry_authority, x.region, x.is_key_unit, x.is_crowded_place,
            x.credit_class, x.risk_level, x.active)
           IS NOT DISTINCT FROM
           (u.name, u.address, u.responsible_person, u.unit_type, u.agency,
            coalesce(u.legal_representative, x.legal_representative),
            coalesce(u.responsible_phone, x.responsible_phone),
            coalesce(u.manager_name, x.manager_name), coalesce(u.manager_phone, x.manager_phone),
            coalesce(u.building_area, x.building_area), coalesce(u.building_category, x.building_category),
            coalesce(u.venue_category, x.venue_category), coalesce(u.industry_authority, x.industry_authority),
            coalesce(u.region, x.region),
            CASE WHEN given[1] THEN u.is_key_unit ELSE x.is_key_unit END,
            CASE WHEN given[2] THEN u.is_crowded_place ELSE x.is_crowded_place END,
            coalesce(u.credit_class, x.credit_class), coalesce(u.risk_level, x.risk_level),
            CASE WHEN given[3] THEN u.active ELSE x.active END)
$$;

-- Write the checked rows of pg_temp.spotcheck_unit_load (only_code: just that
-- one) in code order: new units inserted, changed ones merged with their
-- latest version.  Returns each row written and whether it was inserted.
-- Internal to load_units; no role may execute it.
CREATE FUNCTION spotcheck.load_units_write(writable text[], only_code text)
RETURNS TABLE (written_code text, was_inserted boolean)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RETURN QUERY
    WITH w AS (
        INSERT INTO spotcheck.units AS t (code, name, address, responsible_person, unit_type, agency,
               legal_representative, responsible_phone, manager_name, manager_phone, building_area,
               building_category, venue_category, industry_authority, region, is_key_unit,
               is_crowded_place, credit_class, risk_level, active)
        SELECT (l.u).code, (l.u).name, (l.u).address, (l.u).responsible_person, (l.u).unit_type, (l.u).agency,
               (l.u).legal_representative, (l.u).responsible_phone, (l.u).manager_name, (l.u).manager_phone,
               (l.u).building_area, (l.u).building_category, (l.u).venue_category, (l.u).industry_authority,
               (l.u).region, (l.u).is_key_unit, (l.u).is_crowded_place, (l.u).credit_class, (l.u).risk_level,
               (l.u).active
          FROM pg_temp.spotcheck_unit_load l
          LEFT JOIN spotcheck.units x ON x.code = l.code
         WHERE (only_code IS NULL OR l.code = only_code)
           AND NOT EXISTS (SELECT FROM pg_temp.spotcheck_unit_load_problems p WHERE p.seq = l.seq)
           -- what is unchanged as this statement sees it is not written
           AND NOT spotcheck.unit_load_unchanged(l.u, l.given, x)
         ORDER BY l.code
        -- a unit that exists (also one another session inserted meanwhile):
        -- merged with its latest committed version, which this statement has locked
        ON CONFLICT (code) DO UPDATE SET
               name = EXCLUDED.name, address = EXCLUDED.address,
               responsible_person = EXCLUDED.responsible_person, unit_type = EXCLUDED.unit_type,
               agency = EXCLUDED.agency,
               legal_representative = coalesce(EXCLUDED.legal_representative, t.legal_representative),
               responsible_phone = coalesce(EXCLUDED.responsible_phone, t.responsible_phone),
               manager_name = coalesce(EXCLUDED.manager_name, t.manager_name),
               manager_phone = coalesce(EXCLUDED.manager_phone, t.manager_phone),
               building_area = coalesce(EXCLUDED.building_area, t.building_area),
               building_category = coalesce(EXCLUDED.building_category, t.building_category),
               venue_category = coalesce(EXCLUDED.venue_category, t.venue_category),
               industry_authority = coalesce(EXCLUDED.industry_authority, t.industry_authority),
               region = coalesce(EXCLUDED.region, t.region),
               credit_class = coalesce(EXCLUDED.credit_class, t.credit_class),
               risk_level = coalesce(EXCLUDED.risk_level, t.risk_level),
               (is_key_unit, is_crowded_place, active) =
                   (SELECT CASE WHEN g.given[1] THEN EXCLUDED.is_key_unit ELSE t.is_key_unit END,
                           CASE WHEN g.given[2] THEN EXCLUDED.is_crowded_place ELSE t.is_crowded_place END,
                           CASE WHEN g.given[3] THEN EXCLUDED.active ELSE t.active END
                      FROM pg_temp.spotcheck_unit_load g WHERE g.code = EXCLUDED.code)
         WHERE t.agency = ANY (writable)
           AND ((t.name, t.address, t.responsible_person, t.unit_type, t.agency, t.legal_representative,
                 t.responsible_phone, t.manager_name, t.manager_phone, t.building_area, t.building_category,
                 t.venue_category, t.industry_authority, t.region, t.credit_class, t.risk_level)
                IS DISTINCT FROM
                (EXCLUDED.name, EXCLUDED.address, EXCLUDED.responsible_person, EXCLUDED.unit_type,
                 EXCLUDED.agency, coalesce(EXCLUDED.legal_representative, t.legal_representative),
                 coalesce(EXCLUDED.responsible_phone, t.responsible_phone),
                 coalesce(EXCLUDED.manager_name, t.manager_name), coalesce(EXCLUDED.manager_phone, t.manager_phone),
                 coalesce(EXCLUDED.building_area, t.building_area),
                 coalesce(EXCLUDED.building_category, t.building_category),
                 coalesce(EXCLUDED.venue_category, t.venue_category),
                 coalesce(EXCLUDED.industry_authority, t.industry_authority), coalesce(EXCLUDED.region, t.region),
                 coalesce(EXCLUDED.credit_class, t.credit_class), coalesce(EXCLUDED.risk_level, t.risk_level))
                OR EXISTS (SELECT FROM pg_temp.spotcheck_unit_load g
                            WHERE g.code = EXCLUDED.code
                              AND (t.is_key_unit, t.is_crowded_place, t.active) IS DISTINCT FROM
                                  (CASE WHEN g.given[1] THEN EXCLUDED.is_key_unit ELSE t.is_key_unit END,
                                   CASE WHEN g.given[2] THEN EXCLUDED.is_crowded_place ELSE t.is_crowded_place END,
                                   CASE WHEN g.given[3] THEN EXCLUDED.active ELSE t.active END)))
        RETURNING t.code AS c, t.xmax::text = '0' AS ins
    )
    SELECT w.c, w.ins FROM w;
END
$$;

CREATE FUNCTION spotcheck.load_units(source text DEFAULT NULL, header_lines integer DEFAULT 1)
RETURNS spotcheck.load_batches
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    batch spotcheck.load_batches;
    caller name;
    writable text[] := spotcheck.caller_agencies();
    readable text[] := spotcheck.caller_readable_agencies();
    n_read integer;
    rec record;
    msg text;
    state text;
    n integer;
    t text;
BEGIN
    caller := spotcheck.caller();
    IF header_lines IS NULL OR header_lines < 0 THEN
        RAISE EXCEPTION 'header_lines must be 0 or more, got %', coalesce(header_lines::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Give the number of lines before the first data line of the file (1 for a header).';
    END IF;
    INSERT INTO spotcheck.load_batches (kind, source, loaded_by)
        VALUES ('units', source, caller) RETURNING * INTO batch;

    -- (left over only by a call that failed inside a subtransaction)
    FOREACH t IN ARRAY ARRAY['spotcheck_unit_claim', 'spotcheck_unit_load', 'spotcheck_unit_load_problems',
                             'spotcheck_unit_written'] LOOP
        IF pg_catalog.to_regclass('pg_temp.' || t) IS NOT NULL THEN
            EXECUTE pg_catalog.format('DROP TABLE pg_temp.%I', t);
        END IF;
    END LOOP;

    -- take the caller's staged rows: exactly these are loaded and removed
    CREATE TEMP TABLE spotcheck_unit_claim ON COMMIT DROP AS
        SELECT * FROM spotcheck.unit_staging WITH NO DATA;
    WITH claimed AS (
        DELETE FROM spotcheck.unit_staging s
         WHERE s.seq IN (SELECT x.seq FROM spotcheck.unit_staging x WHERE x.staged_by = caller
                           FOR UPDATE SKIP LOCKED)
        RETURNING s.*
    )
    INSERT INTO pg_temp.spotcheck_unit_claim SELECT * FROM claimed;
    GET DIAGNOSTICS n_read = ROW_COUNT;
    ANALYZE pg_temp.spotcheck_unit_claim;

    CREATE TEMP TABLE spotcheck_unit_load ON COMMIT DROP AS
    SELECT r.line, r.seq, (r.u).code AS code, r.area_ok, r.risk_ok, r.bool_ok, r.given, r.u
      FROM (SELECT q.line, q.seq,
                   q.area_txt IS NULL OR q.building_area IS NOT NULL AS area_ok,
                   q.risk_txt IS NULL OR q.risk_level IS NOT NULL AS risk_ok,
                   q.bool_ok, q.given,
                   -- only plain columns inside ROW(): the planner then inlines unit_normalize
                   spotcheck.unit_normalize(ROW(
                       q.code, NULL, q.name, q.address, q.responsible_person, q.unit_type, q.agency,
                       q.legal_representative, q.responsible_phone, q.manager_name, q.manager_phone,
                       q.building_area, q.building_category, q.venue_category, q.industry_authority, q.region,
                       q.is_key_unit, q.is_crowded_place, q.credit_class, q.risk_level, q.active,
                       NULL, NULL)::spotcheck.units) AS u
              FROM (SELECT coalesce(s.line_no, nr.rn + header_lines) AS line,
                           s.seq, s.code, s.name, s.address, s.responsible_person, s.unit_type, s.agency,
                           s.legal_representative, s.responsible_phone, s.manager_name, s.manager_phone,
                           spotcheck.registry_trim(s.building_area) AS area_txt,
                           CASE WHEN spotcheck.registry_trim(s.building_area) ~ '^[0-9]{1,10}(\.[0-9]{1,2})?$'
                                THEN spotcheck.registry_trim(s.building_area)::numeric
                                ELSE spotcheck.registry_area(s.building_area) END AS building_area,
                           s.building_category, s.venue_category, s.industry_authority, s.region,
                           coalesce(spotcheck.registry_bool(s.is_key_unit), false) AS is_key_unit,
                           coalesce(spotcheck.registry_bool(s.is_crowded_place), false) AS is_crowded_place,
                           s.credit_class,
                           spotcheck.registry_trim(s.risk_level) AS risk_txt,
                           spotcheck.registry_int(s.risk_level) AS risk_level,
                           coalesce(spotcheck.registry_bool(s.active), true) AS active,
                           ARRAY[spotcheck.registry_bool_ok(s.is_key_unit), spotcheck.registry_bool_ok(s.is_crowded_place),
                                 spotcheck.registry_bool_ok(s.active)] AS bool_ok,
                           -- which optional flags the file gives (an empty one keeps the stored value)
                           ARRAY[spotcheck.registry_trim(s.is_key_unit) IS NOT NULL,
                                 spotcheck.registry_trim(s.is_crowded_place) IS NOT NULL,
                                 spotcheck.registry_trim(s.active) IS NOT NULL] AS given
                      FROM pg_temp.spotcheck_unit_claim s
                      -- numbering apart from the wide rows: only the sequence numbers are sorted
                      JOIN (SELECT x.seq, pg_catalog.row_number() OVER (ORDER BY x.seq) AS rn
                              FROM pg_temp.spotcheck_unit_claim x) nr ON nr.seq = s.seq
                    OFFSET 0) q) r;

    -- what is wrong with each row; a row that would leave the stored unit as
    -- it is is not written, so its values need no check (a nightly sync of
    -- an unchanged export checks nothing again; should the unit change
    -- before the write, the directory's update trigger checks the merged row)
    CREATE TEMP TABLE spotcheck_unit_load_problems ON COMMIT DROP AS
    SELECT l.line, l.seq, x.column_name, x.value, x.sqlstate, x.message, x.hint
      FROM pg_temp.spotcheck_unit_load l
      LEFT JOIN spotcheck.units o ON o.code = l.code,
           LATERAL spotcheck.unit_problems(l.u) x
     WHERE NOT spotcheck.unit_load_unchanged(l.u, l.given, o);

    -- values that could not be read as their type
    INSERT INTO pg_temp.spotcheck_unit_load_problems
    SELECT l.line, l.seq, c.col, c.val, '22P02',
           format('%s %s of unit %s is not %s', c.col, spotcheck.registry_quote(c.val),
                  spotcheck.registry_quote(l.code),
                  CASE c.col WHEN 'building_area' THEN 'a number of square metres'
                       WHEN 'risk_level' THEN 'a whole number' ELSE 'yes or no' END),
           CASE c.col WHEN 'building_area' THEN 'Write the area in square metres with at most two decimals, e.g. 1250.5 or 1,250.5 平方米.'
                WHEN 'risk_level' THEN 'Write 1 (low), 2 (general), 3 (high) or 4 (very high).'
                ELSE 'Write true/false, yes/no, 1/0, 是/否 or √/×; leave it empty for the default.' END
      FROM pg_temp.spotcheck_unit_load l
      JOIN pg_temp.spotcheck_unit_claim s ON s.seq = l.seq,
           LATERAL (VALUES ('building_area', s.building_area, l.area_ok),
                           ('risk_level', s.risk_level, l.risk_ok),
                           ('is_key_unit', s.is_key_unit, l.bool_ok[1]),
                           ('is_crowded_place', s.is_crowded_place, l.bool_ok[2]),
                           ('active', s.active, l.bool_ok[3])) AS c(col, val, ok)
     WHERE NOT (l.area_ok AND l.risk_ok AND l.bool_ok = '{t,t,t}') AND NOT c.ok;

    -- the same code twice in one file: ambiguous, so every such line is rejected
    INSERT INTO pg_temp.spotcheck_unit_load_problems
    SELECT l.line, l.seq, 'code', l.code, '23505',
           format('unit %s appears on %s lines of this load (%s)', spotcheck.registry_quote(l.code), d.n, d.lines),
           'Keep one line per unit and load again.'
      FROM pg_temp.spotcheck_unit_load l
      JOIN (SELECT x.code, pg_catalog.count(*) AS n,
                   pg_catalog.string_agg(x.line::text, ', ' ORDER BY x.line) AS lines
              FROM pg_temp.spotcheck_unit_load x WHERE x.code IS NOT NULL
             GROUP BY x.code HAVING pg_catalog.count(*) > 1) d
        ON d.code = l.code;

    -- rows the caller may not write: a new agency not theirs, or a unit held
    -- by another agency (named only when the caller may read it)
    INSERT INTO pg_temp.spotcheck_unit_load_problems
    SELECT l.line, l.seq, 'agency', (l.u).agency, '42501',
           format('agency "%s" of unit %s is not one of the agencies you may change', (l.u).agency,
                  spotcheck.registry_quote(l.code)),
           'Load only units of the agencies you are a member of (spotcheck.agency_members).'
      FROM pg_temp.spotcheck_unit_load l
     WHERE (l.u).agency IS NOT NULL AND NOT (l.u).agency = ANY (writable)
       AND EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code = (l.u).agency)
    UNION ALL
    SELECT l.line, l.seq, 'code', l.code, '42501',
           format('unit "%s" is registered with %s, which you may not change', l.code,
                  CASE WHEN o.agency = ANY (readable) THEN format('agency "%s"', o.agency) ELSE 'another agency' END),
           'Ask the agency that holds it (an administrator can say which) to transfer the unit.'
      FROM pg_temp.spotcheck_unit_load l
      JOIN spotcheck.units o ON o.code = l.code
     WHERE NOT o.agency = ANY (writable);

    -- write: new and changed units in code order, audited per statement and
    -- agency (see keep_history); the state that says so is the loader's own
    CREATE TEMP TABLE spotcheck_unit_written (code text, inserted boolean) ON COMMIT DROP;
    CREATE INDEX ON pg_temp.spotcheck_unit_load (code);
    BEGIN
        PERFORM spotcheck.registry_bulk_begin(ARRAY['spotcheck.units'::regclass]);
        INSERT INTO pg_temp.spotcheck_unit_written SELECT * FROM spotcheck.load_units_write(writable, NULL);
        PERFORM spotcheck.registry_bulk_end();
    EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
        -- a row that cannot be written as it stands now (another session
        -- changed what it depends on): row by row, each failure a reject
        FOR rec IN SELECT l.seq, l.line, l.code FROM pg_temp.spotcheck_unit_load l
                    WHERE NOT EXISTS (SELECT FROM pg_temp.spotcheck_unit_load_problems p WHERE p.seq = l.seq)
                    ORDER BY l.code LOOP
            BEGIN
                PERFORM spotcheck.registry_bulk_begin(ARRAY['spotcheck.units'::regclass]);
                INSERT INTO pg_temp.spotcheck_unit_written SELECT * FROM spotcheck.load_units_write(writable, rec.code);
                PERFORM spotcheck.registry_bulk_end();
            EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
                GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
                -- what is wrong with the row now, as the rules say it
                INSERT INTO pg_temp.spotcheck_unit_load_problems
                SELECT l.line, l.seq, x.column_name, x.value, x.sqlstate, x.message, x.hint
                  FROM pg_temp.spotcheck_unit_load l, LATERAL spotcheck.unit_problems(l.u) x
                 WHERE l.seq = rec.seq;
                GET DIAGNOSTICS n = ROW_COUNT;
                IF n = 0 THEN
                    INSERT INTO pg_temp.spotcheck_unit_load_problems VALUES
                        (rec.line, rec.seq, 'code', rec.code, state, msg,
                         'Check the unit as it is stored now and load the line again.');
                END IF;
            END;
        END LOOP;
    END;

    -- good rows neither written nor unchanged: the unit moved meanwhile to an
    -- agency the caller may not change (this statement sees it, locked)
    INSERT INTO pg_temp.spotcheck_unit_load_problems
    SELECT l.line, l.seq, 'code', l.code, '42501',
           format('unit "%s" is registered with %s, which you may not change', l.code,
                  CASE WHEN o.agency = ANY (readable) THEN format('agency "%s"', o.agency) ELSE 'another agency' END),
           'Ask the agency that holds it (an administrator can say which) to transfer the unit.'
      FROM pg_temp.spotcheck_unit_load l
      JOIN spotcheck.units o ON o.code = l.code
     WHERE NOT o.agency = ANY (writable)
       AND NOT EXISTS (SELECT FROM pg_temp.spotcheck_unit_load_problems p WHERE p.seq = l.seq)
       AND NOT EXISTS (SELECT FROM pg_temp.spotcheck_unit_written w WHERE w.code = l.code);

    INSERT INTO spotcheck.load_rejects (batch_id, line_no, column_name, value, sqlstate, reason, hint, row_data)
    SELECT batch.id, p.line, p.column_name, spotcheck.registry_clip(p.value), p.sqlstate, p.message, p.hint,
           pg_catalog.to_jsonb(s) - 'staged_by' - 'seq' - 'line_no'
      FROM pg_temp.spotcheck_unit_load_problems p
      JOIN pg_temp.spotcheck_unit_claim s ON s.seq = p.seq
     ORDER BY p.line, p.column_name;

    UPDATE spotcheck.load_batches b SET
           rows_read = n_read,
           rows_rejected = (SELECT pg_catalog.count(DISTINCT p.seq) FROM pg_temp.spotcheck_unit_load_problems p),
           rows_inserted = (SELECT pg_catalog.count(*) FROM pg_temp.spotcheck_unit_written w WHERE w.inserted),
           rows_updated = (SELECT pg_catalog.count(*) FROM pg_temp.spotcheck_unit_written w WHERE NOT w.inserted)
     WHERE b.id = batch.id;
    UPDATE spotcheck.load_batches b SET rows_unchanged = b.rows_read - b.rows_rejected - b.rows_inserted - b.rows_updated
     WHERE b.id = batch.id
    RETURNING * INTO batch;

    DROP TABLE pg_temp.spotcheck_unit_written, pg_temp.spotcheck_unit_load_problems,
        pg_temp.spotcheck_unit_load, pg_temp.spotcheck_unit_claim;
    PERFORM spotcheck.audit_record('units.load', 'load_batch:' || batch.id, NULL, pg_catalog.to_jsonb(batch));
    RETURN batch;
END
$$;
COMMENT ON FUNCTION spotcheck.load_units(text, integer) IS
    'load the units the caller staged: good rows inserted or updated, every problem of a bad row in load_rejects';

-- Write the checked rows of pg_temp.spotcheck_inspector_load (only_code:
-- just that one) in code order; as load_units_write.  Internal.
CREATE FUNCTION spotcheck.load_inspectors_write(writable text[], only_code text)
RETURNS TABLE (written_code text, was_inserted boolean)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RETURN QUERY
    WITH w AS (
        INSERT INTO spotcheck.inspectors AS t (code, name, gender, agency, position, certificate_no,
               certificate_valid_until, post, title_category, enforcement_years, active)
        SELECT (l.i).code, (l.i).name, (l.i).gender, (l.i).agency, (l.i).position, (l.i).certificate_no,
               (l.i).certificate_valid_until, (l.i).post, (l.i).title_category, (l.i).enforcement_years,
               (l.i).active
          FROM pg_temp.spotcheck_inspector_load l
          LEFT JOIN spotcheck.inspectors x ON x.code = l.code
         WHERE (only_code IS NULL OR l.code = only_code)
           AND NOT EXISTS (SELECT FROM pg_temp.spotcheck_inspector_load_problems p WHERE p.seq = l.seq)
           AND (x.code IS NULL OR
                (x.name, x.agency, x.certificate_no, x.gender, x.position, x.certificate_valid_until, x.post,
                 x.title_category, x.enforcement_years, x.active)
                IS DISTINCT FROM
                ((l.i).name, (l.i).agency, (l.i).certificate_no, coalesce((l.i).gender, x.gender),
                 coalesce((l.i).position, x.position),
                 coalesce((l.i).certificate_valid_until, x.certificate_valid_until),
                 coalesce((l.i).post, x.post), coalesce((l.i).title_category, x.title_category),
                 coalesce((l.i).enforcement_years, x.enforcement_years),
                 CASE WHEN l.given[1] THEN (l.i).active ELSE x.active END))
         ORDER BY l.code
        ON CONFLICT (code) DO UPDATE SET
               name = EXCLUDED.name, agency = EXCLUDED.agency, certificate_no = EXCLUDED.certificate_no,
               gender = coalesce(EXCLUDED.gender, t.gender),
               position = coalesce(EXCLUDED.position, t.position),
               certificate_valid_until = coalesce(EXCLUDED.certificate_valid_until, t.certificate_valid_until),
               post = coalesce(EXCLUDED.post, t.post),
               title_category = coalesce(EXCLUDED.title_category, t.title_category),
               enforcement_years = coalesce(EXCLUDED.enforcement_years, t.enforcement_years),
               active = (SELECT CASE WHEN g.given[1] THEN EXCLUDED.active ELSE t.active END
                           FROM pg_temp.spotcheck_inspector_load g WHERE g.code = EXCLUDED.code)
         WHERE t.agency = ANY (writable)
           AND (t.name, t.agency, t.certificate_no, t.gender, t.position, t.certificate_valid_until, t.post,
                t.title_category, t.enforcement_years, t.active)
               IS DISTINCT FROM
               (EXCLUDED.name, EXCLUDED.agency, EXCLUDED.certificate_no, coalesce(EXCLUDED.gender, t.gender),
                coalesce(EXCLUDED.position, t.position),
                coalesce(EXCLUDED.certificate_valid_until, t.certificate_valid_until),
                coalesce(EXCLUDED.post, t.post), coalesce(EXCLUDED.title_category, t.title_category),
                coalesce(EXCLUDED.enforcement_years, t.enforcement_years),
                (SELECT CASE WHEN g.given[1] THEN EXCLUDED.active ELSE t.active END
                   FROM pg_temp.spotcheck_inspector_load g WHERE g.code = EXCLUDED.code))
        RETURNING t.code AS c, t.xmax::text = '0' AS ins
    )
    SELECT w.c, w.ins FROM w;
END
$$;

CREATE FUNCTION spotcheck.load_inspectors(source text DEFAULT NULL, header_lines integer DEFAULT 1)
RETURNS spotcheck.load_batches
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    batch spotcheck.load_batches;
    caller name;
    writable text[] := spotcheck.caller_agencies();
    readable text[] := spotcheck.caller_readable_agencies();
    n_read integer;
    rec record;
    msg text;
    state text;
    n integer;
    t text;
BEGIN
    caller := spotcheck.caller();
    IF header_lines IS NULL OR header_lines < 0 THEN
        RAISE EXCEPTION 'header_lines must be 0 or more, got %', coalesce(header_lines::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Give the number of lines before the first data line of the file (1 for a header).';
    END IF;
    INSERT INTO spotcheck.load_batches (kind, source, loaded_by)
        VALUES ('inspectors', source, caller) RETURNING * INTO batch;

    FOREACH t IN ARRAY ARRAY['spotcheck_inspector_claim', 'spotcheck_inspector_load',
                             'spotcheck_inspector_load_problems', 'spotcheck_inspector_written'] LOOP
        IF pg_catalog.to_regclass('pg_temp.' || t) IS NOT NULL THEN
            EXECUTE pg_catalog.format('DROP TABLE pg_temp.%I', t);
        END IF;
    END LOOP;

    CREATE TEMP TABLE spotcheck_inspector_claim ON COMMIT DROP AS
        SELECT * FROM spotcheck.inspector_staging WITH NO DATA;
    WITH claimed AS (
        DELETE FROM spotcheck.inspector_staging s
         WHERE s.seq IN (SELECT x.seq FROM spotcheck.inspector_staging x WHERE x.staged_by = caller
                           FOR UPDATE SKIP LOCKED)
        RETURNING s.*
    )
    INSERT INTO pg_temp.spotcheck_inspector_claim SELECT * FROM claimed;
    GET DIAGNOSTICS n_read = ROW_COUNT;

    CREATE TEMP TABLE spotcheck_inspector_load ON COMMIT DROP AS
    SELECT r.line, r.seq, (r.i).code AS code, r.raw, r.conv_problems, r.given, r.i
      FROM (SELECT r.line, r.seq, r.raw, r.conv_problems, r.given,
                   spotcheck.inspector_normalize(ROW(
                       r.s_code, r.s_name, r.s_gender, r.s_agency, r.s_position, r.s_certificate_no,
                       spotcheck.registry_date(r.s_certificate_valid_until), r.s_post, r.s_title_category,
                       spotcheck.registry_int(r.s_enforcement_years),
                       coalesce(spotcheck.registry_bool(r.s_active), true), NULL, NULL)::spotcheck.inspectors) AS i
              FROM (SELECT coalesce(s.line_no, pg_catalog.row_number() OVER (ORDER BY s.seq) + header_lines) AS line, s.seq,
                           pg_catalog.to_jsonb(s) - 'staged_by' - 'seq' - 'line_no' AS raw,
                           s.code AS s_code, s.name AS s_name, s.gender AS s_gender, s.agency AS s_agency,
                           s.position AS s_position, s.certificate_no AS s_certificate_no,
                           s.certificate_valid_until AS s_certificate_valid_until, s.post AS s_post,
                           s.title_category AS s_title_category, s.enforcement_years AS s_enforcement_years,
                           s.active AS s_active,
                           ARRAY[spotcheck.registry_trim(s.active) IS NOT NULL] AS given,
                           ARRAY(SELECT pg_catalog.jsonb_build_object('column_name', c.col, 'value', c.val)
                                   FROM (VALUES ('certificate_valid_until', s.certificate_valid_until,
                                                 spotcheck.registry_trim(s.certificate_valid_until) IS NULL
                                                 OR spotcheck.registry_date(s.certificate_valid_until) IS NOT NULL),
                                                ('enforcement_years', s.enforcement_years,
                                                 spotcheck.registry_trim(s.enforcement_years) IS NULL
                                                 OR spotcheck.registry_int(s.enforcement_years) IS NOT NULL),
                                                ('active', s.active, spotcheck.registry_bool_ok(s.active))) AS c(col, val, ok)
                                  WHERE NOT c.ok) AS conv_problems
                      FROM pg_temp.spotcheck_inspector_claim s) r) r;

    CREATE TEMP TABLE spotcheck_inspector_load_problems ON COMMIT DROP AS
    SELECT l.line, l.seq, x.column_name, x.value, x.sqlstate, x.message, x.hint
      FROM pg_temp.spotcheck_inspector_load l
      LEFT JOIN spotcheck.inspectors cur ON cur.code = l.code,
           -- the row as it would be stored (empty optional values keep what is stored)
           LATERAL (SELECT p.column_name, p.value, p.sqlstate, p.message, p.hint
                      FROM spotcheck.inspector_problems(ROW(
                                (l.i).code, (l.i).name, coalesce((l.i).gender, cur.gender), (l.i).agency,
                                coalesce((l.i).position, cur.position), (l.i).certificate_no,
                                coalesce((l.i).certificate_valid_until, cur.certificate_valid_until),
                                coalesce((l.i).post, cur.post), coalesce((l.i).title_category, cur.title_category),
                                coalesce((l.i).enforcement_years, cur.enforcement_years),
                                CASE WHEN l.given[1] OR cur.code IS NULL THEN (l.i).active ELSE cur.active END,
                                NULL, NULL)::spotcheck.inspectors, cur) p
                    UNION ALL
                    SELECT c ->> 'column_name', c ->> 'value', '22P02',
                           format('%s %s of inspector %s is not %s', c ->> 'column_name',
                                  spotcheck.registry_quote(c ->> 'value'), spotcheck.registry_quote(l.code),
                                  CASE c ->> 'column_name' WHEN 'certificate_valid_until' THEN 'a date'
                                       WHEN 'enforcement_years' THEN 'a whole number' ELSE 'yes or no' END),
                           CASE c ->> 'column_name' WHEN 'certificate_valid_until' THEN 'Write the date as YYYY-MM-DD (2026/3/1 and 2026年3月1日 are read too).'
                                WHEN 'enforcement_years' THEN 'Write the number of years as digits.'
                                ELSE 'Write true/false, yes/no, 1/0, 是/否 or √/×; leave it empty for the default.' END
                      FROM pg_catalog.unnest(l.conv_problems) c) x;

    INSERT INTO pg_temp.spotcheck_inspector_load_problems
    SELECT l.line, l.seq, d.col, d.val, '23505',
           format('%s %s appears on %s lines of this load (%s)', d.col, spotcheck.registry_quote(d.val), d.n, d.lines),
           'Keep one line per inspector and one inspector per certificate, and load again.'
      FROM pg_temp.spotcheck_inspector_load l
      JOIN (SELECT 'code' AS col, x.code AS val, pg_catalog.count(*) AS n,
                   pg_catalog.string_agg(x.line::text, ', ' ORDER BY x.line) AS lines
              FROM pg_temp.spotcheck_inspector_load x WHERE x.code IS NOT NULL GROUP BY x.code HAVING pg_catalog.count(*) > 1
            UNION ALL
            SELECT 'certificate_no', (x.i).certificate_no, pg_catalog.count(*),
                   pg_catalog.string_agg(x.line::text, ', ' ORDER BY x.line)
              FROM pg_temp.spotcheck_inspector_load x WHERE (x.i).certificate_no IS NOT NULL
             GROUP BY (x.i).certificate_no HAVING pg_catalog.count(*) > 1) d
        ON d.val = CASE d.col WHEN 'code' THEN l.code ELSE (l.i).certificate_no END;

    INSERT INTO pg_temp.spotcheck_inspector_load_problems
    SELECT l.line, l.seq, 'agency', (l.i).agency, '42501',
           format('agency "%s" of inspector %s is not one of the agencies you may change', (l.i).agency,
                  spotcheck.registry_quote(l.code)),
           'Load only inspectors of the agencies you are a member of (spotcheck.agency_members).'
      FROM pg_temp.spotcheck_inspector_load l
     WHERE (l.i).agency IS NOT NULL AND NOT (l.i).agency = ANY (writable)
       AND EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code = (l.i).agency)
    UNION ALL
    SELECT l.line, l.seq, 'code', l.code, '42501',
           format('inspector "%s" is registered with %s, which you may not change', l.code,
                  CASE WHEN o.agency = ANY (readable) THEN format('agency "%s"', o.agency) ELSE 'another agency' END),
           'Ask the agency that holds the inspector (an administrator can say which) to transfer them.'
      FROM pg_temp.spotcheck_inspector_load l
      JOIN spotcheck.inspectors o ON o.code = l.code
     WHERE NOT o.agency = ANY (writable);

    CREATE TEMP TABLE spotcheck_inspector_written (code text, inserted boolean) ON COMMIT DROP;
    CREATE INDEX ON pg_temp.spotcheck_inspector_load (code);
    BEGIN
        PERFORM spotcheck.registry_bulk_begin(ARRAY['spotcheck.inspectors'::regclass]);
        INSERT INTO pg_temp.spotcheck_inspector_written SELECT * FROM spotcheck.load_inspectors_write(writable, NULL);
        PERFORM spotcheck.registry_bulk_end();
    EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
        -- e.g. another session took a certificate number meanwhile, or a
        -- certificate the row relies on expired: row by row, each failure a reject
        FOR rec IN SELECT l.seq, l.line, l.code FROM pg_temp.spotcheck_inspector_load l
                    WHERE NOT EXISTS (SELECT FROM pg_temp.spotcheck_inspector_load_problems p WHERE p.seq = l.seq)
                    ORDER BY l.code LOOP
            BEGIN
                PERFORM spotcheck.registry_bulk_begin(ARRAY['spotcheck.inspectors'::regclass]);
                INSERT INTO pg_temp.spotcheck_inspector_written
                    SELECT * FROM spotcheck.load_inspectors_write(writable, rec.code);
                PERFORM spotcheck.registry_bulk_end();
            EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
                GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
                -- what is wrong with the row now (e.g. whose certificate it
                -- would take), as the rules say it
                INSERT INTO pg_temp.spotcheck_inspector_load_problems
                SELECT l.line, l.seq, x.column_name, x.value, x.sqlstate, x.message, x.hint
                  FROM pg_temp.spotcheck_inspector_load l
                  LEFT JOIN spotcheck.inspectors cur ON cur.code = l.code,
                       LATERAL spotcheck.inspector_problems(ROW(
                                (l.i).code, (l.i).name, coalesce((l.i).gender, cur.gender), (l.i).agency,
                                coalesce((l.i).position, cur.position), (l.i).certificate_no,
                                coalesce((l.i).certificate_valid_until, cur.certificate_valid_until),
                                coalesce((l.i).post, cur.post), coalesce((l.i).title_category, cur.title_category),
                                coalesce((l.i).enforcement_years, cur.enforcement_years),
                                CASE WHEN l.given[1] OR cur.code IS NULL THEN (l.i).active ELSE cur.active END,
                                NULL, NULL)::spotcheck.inspectors, cur) x
                 WHERE l.seq = rec.seq;
                GET DIAGNOSTICS n = ROW_COUNT;
                IF n = 0 THEN
                    INSERT INTO pg_temp.spotcheck_inspector_load_problems VALUES
                        (rec.line, rec.seq, 'code', rec.code, state, msg,
                         'Check the inspector as stored now and load the line again.');
                END IF;
            END;
        END LOOP;
    END;

    INSERT INTO pg_temp.spotcheck_inspector_load_problems
    SELECT l.line, l.seq, 'code', l.code, '42501',
           format('inspector "%s" is registered with %s, which you may not change', l.code,
                  CASE WHEN o.agency = ANY (readable) THEN format('agency "%s"', o.agency) ELSE 'another agency' END),
           'Ask the agency that holds the inspector (an administrator can say which) to transfer them.'
      FROM pg_temp.spotcheck_inspector_load l
      JOIN spotcheck.inspectors o ON o.code = l.code
     WHERE NOT o.agency = ANY (writable)
       AND NOT EXISTS (SELECT FROM pg_temp.spotcheck_inspector_load_problems p WHERE p.seq = l.seq)
       AND NOT EXISTS (SELECT FROM pg_temp.spotcheck_inspector_written w WHERE w.code = l.code);

    INSERT INTO spotcheck.load_rejects (batch_id, line_no, column_name, value, sqlstate, reason, hint, row_data)
    SELECT batch.id, p.line, p.column_name, spotcheck.registry_clip(p.value), p.sqlstate, p.message, p.hint, l.raw
      FROM pg_temp.spotcheck_inspector_load_problems p JOIN pg_temp.spotcheck_inspector_load l ON l.seq = p.seq
     ORDER BY p.line, p.column_name;

    UPDATE spotcheck.load_batches b SET
           rows_read = n_read,
           rows_rejected = (SELECT pg_catalog.count(DISTINCT p.seq) FROM pg_temp.spotcheck_inspector_load_problems p),
           rows_inserted = (SELECT pg_catalog.count(*) FROM pg_temp.spotcheck_inspector_written w WHERE w.inserted),
           rows_updated = (SELECT pg_catalog.count(*) FROM pg_temp.spotcheck_inspector_written w WHERE NOT w.inserted)
     WHERE b.id = batch.id;
    UPDATE spotcheck.load_batches b SET rows_unchanged = b.rows_read - b.rows_rejected - b.rows_inserted - b.rows_updated
     WHERE b.id = batch.id
    RETURNING * INTO batch;

    DROP TABLE pg_temp.spotcheck_inspector_written, pg_temp.spotcheck_inspector_load_problems,
        pg_temp.spotcheck_inspector_load, pg_temp.spotcheck_inspector_claim;
    PERFORM spotcheck.audit_record('inspectors.load', 'load_batch:' || batch.id, NULL, pg_catalog.to_jsonb(batch));
    RETURN batch;
END
$$;
COMMENT ON FUNCTION spotcheck.load_inspectors(text, integer) IS
    'load the inspectors the caller staged: good rows inserted or updated, every problem of a bad row in load_rejects';

-- Put the rejected rows of a batch back into the caller's staging table,
-- each with its original line number, to be corrected (UPDATE … WHERE
-- line_no = …) and loaded again.  Returns the number of rows staged.
CREATE FUNCTION spotcheck.restage_rejects(batch_id bigint) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    k text;
    n integer;
BEGIN
    SELECT b.kind INTO k FROM spotcheck.load_batches b WHERE b.id = restage_rejects.batch_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'load batch % does not exist', batch_id
            USING ERRCODE = '22023', HINT = 'See spotcheck.load_batches for the batches you ran.';
    END IF;
    IF k = 'units' THEN
        INSERT INTO spotcheck.unit_staging (line_no, code, name, address, responsible_person, unit_type, agency,
               legal_representative, responsible_phone, manager_name, manager_phone, building_area,
               building_category, venue_category, industry_authority, region, is_key_unit, is_crowded_place,
               credit_class, risk_level, active)
        SELECT r.line_no, x.code, x.name, x.address, x.responsible_person, x.unit_type, x.agency,
               x.legal_representative, x.responsible_phone, x.manager_name, x.manager_phone, x.building_area,
               x.building_category, x.venue_category, x.industry_authority, x.region, x.is_key_unit,
               x.is_crowded_place, x.credit_class, x.risk_level, x.active
          FROM (SELECT DISTINCT ON (j.line_no) j.line_no, j.row_data FROM spotcheck.load_rejects j
                 WHERE j.batch_id = restage_rejects.batch_id ORDER BY j.line_no) r,
               LATERAL pg_catalog.jsonb_populate_record(NULL::spotcheck.unit_staging, r.row_data) x
         ORDER BY r.line_no;
    ELSE
        INSERT INTO spotcheck.inspector_staging (line_no, code, name, gender, agency, position, certificate_no,
               certificate_valid_until, post, title_category, enforcement_years, active)
        SELECT r.line_no, x.code, x.name, x.gender, x.agency, x.position, x.certificate_no,
               x.certificate_valid_until, x.post, x.title_category, x.enforcement_years, x.active
          FROM (SELECT DISTINCT ON (j.line_no) j.line_no, j.row_data FROM spotcheck.load_rejects j
                 WHERE j.batch_id = restage_rejects.batch_id ORDER BY j.line_no) r,
               LATERAL pg_catalog.jsonb_populate_record(NULL::spotcheck.inspector_staging, r.row_data) x
         ORDER BY r.line_no;
    END IF;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION spotcheck.restage_rejects(bigint) IS
    'stage the rejected rows of a load again, with their line numbers, for correction and reload';

SELECT pg_catalog.pg_extension_config_dump('spotcheck.load_batches', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.load_rejects', '');
