-- Bulk loading (Article 12: data arrives from government platforms and line
-- departments).
--
--   \copy spotcheck.unit_staging (code, name, …) FROM 'units.csv' CSV HEADER
--   SELECT * FROM spotcheck.load_units('units.csv');
--
-- Staging tables hold text exactly as it came; each role sees and loads
-- only the rows it staged (through spotcheck.my_unit_staging).  One call checks every row with the same rules
-- as the directory's own triggers, inserts or updates the good rows, and
-- records every problem of every bad row (line number, column, value,
-- reason) in load_rejects under a batch id, with the whole row kept for
-- correction and reload.  It runs in the caller's transaction: it loads all
-- the good rows or nothing.

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
CREATE FUNCTION spotcheck.registry_bool(t text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(spotcheck.registry_trim(t))
                WHEN 'true' THEN true WHEN 't' THEN true WHEN '1' THEN true WHEN 'yes' THEN true
                WHEN 'y' THEN true WHEN '是' THEN true
                WHEN 'false' THEN false WHEN 'f' THEN false WHEN '0' THEN false WHEN 'no' THEN false
                WHEN 'n' THEN false WHEN '否' THEN false END
$$;
CREATE FUNCTION spotcheck.registry_bool_ok(t text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT spotcheck.registry_trim(t) IS NULL OR spotcheck.registry_bool(t) IS NOT NULL $$;

CREATE FUNCTION spotcheck.registry_date(t text) RETURNS date
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF spotcheck.registry_trim(t) !~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$' THEN
        RETURN NULL;
    END IF;
    RETURN make_date(split_part(btrim(t), '-', 1)::int, split_part(btrim(t), '-', 2)::int,
                     split_part(btrim(t), '-', 3)::int);
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
    RETURN NULL;
END
$$;

-- Which agency holds each of the given codes, whoever asks: a load must be
-- able to say that a code it cannot see belongs to another agency (which
-- reveals only that agency's code for a unit or officer the file names).
CREATE FUNCTION spotcheck.registry_owners(kind text, codes text[])
RETURNS TABLE (code text, agency text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT u.code, u.agency FROM spotcheck.units u
     WHERE kind = 'units' AND u.code = ANY (codes)
    UNION ALL
    SELECT i.code, i.agency FROM spotcheck.inspectors i
     WHERE kind = 'inspectors' AND i.code = ANY (codes)
$$;

-- The audit entry of a finished load (units.load or inspectors.load, with
-- the batch's counts): recorded by the extension, once, for a batch of the
-- role that loaded it.
CREATE FUNCTION spotcheck.load_batch_audit(batch_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    b spotcheck.load_batches;
BEGIN
    SELECT * INTO b FROM spotcheck.load_batches x
     WHERE x.id = batch_id AND x.loaded_by OPERATOR(pg_catalog.=) spotcheck.acting_role();
    IF NOT FOUND THEN
        RAISE EXCEPTION 'load batch % does not exist or was not loaded by %', batch_id, spotcheck.acting_role()
            USING ERRCODE = '42501', HINT = 'Loads are recorded by spotcheck.load_units and spotcheck.load_inspectors.';
    END IF;
    IF EXISTS (SELECT FROM spotcheck.audit_pending p WHERE p.object = 'load_batch:' || b.id AND p.origin = 'extension')
       OR EXISTS (SELECT FROM spotcheck.audit_log l WHERE l.object = 'load_batch:' || b.id AND l.origin = 'extension') THEN
        RETURN;
    END IF;
    PERFORM spotcheck.audit_record(b.kind || '.load', 'load_batch:' || b.id, NULL, pg_catalog.to_jsonb(b));
END
$$;

CREATE FUNCTION spotcheck.load_units(source text DEFAULT NULL, header_lines integer DEFAULT 1)
RETURNS spotcheck.load_batches
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    batch spotcheck.load_batches;
    writable text[] := spotcheck.writable_agencies();
    n_ins integer;
    n_upd integer;
BEGIN
    INSERT INTO spotcheck.load_batches (kind, source, loaded_by)
        VALUES ('units', source, spotcheck.acting_role()) RETURNING * INTO batch;

    -- (left over only by a call that failed inside a subtransaction)
    IF pg_catalog.to_regclass('pg_temp.spotcheck_unit_load') IS NOT NULL THEN
        DROP TABLE pg_temp.spotcheck_unit_load;
    END IF;
    IF pg_catalog.to_regclass('pg_temp.spotcheck_unit_load_problems') IS NOT NULL THEN
        DROP TABLE pg_temp.spotcheck_unit_load_problems;
    END IF;
    CREATE TEMP TABLE spotcheck_unit_load ON COMMIT DROP AS
    SELECT r.line, r.seq, r.area_ok, r.risk_ok, r.bool_ok, r.given,
           -- only plain columns inside ROW(): the planner then inlines unit_normalize
           spotcheck.unit_normalize(ROW(
               r.code, NULL, r.name, r.address, r.responsible_person, r.unit_type, r.agency,
               r.legal_representative, r.responsible_phone, r.manager_name, r.manager_phone,
               r.building_area, r.building_category, r.venue_category, r.industry_authority, r.region,
               r.is_key_unit, r.is_crowded_place, r.credit_class, r.risk_level, r.active,
               NULL, NULL)::spotcheck.units) AS u
      FROM (SELECT coalesce(s.line_no, nr.rn + header_lines) AS line, s.seq,
                   s.code, s.name, s.address, s.responsible_person, s.unit_type, s.agency,
                   s.legal_representative, s.responsible_phone, s.manager_name, s.manager_phone,
                   CASE WHEN spotcheck.registry_trim(s.building_area) ~ '^[0-9]{1,10}(\.[0-9]{1,2})?$'
                        THEN spotcheck.registry_trim(s.building_area)::numeric END AS building_area,
                   s.building_category, s.venue_category, s.industry_authority, s.region,
                   coalesce(spotcheck.registry_bool(s.is_key_unit), false) AS is_key_unit,
                   coalesce(spotcheck.registry_bool(s.is_crowded_place), false) AS is_crowded_place,
                   s.credit_class,
                   CASE WHEN spotcheck.registry_trim(s.risk_level) ~ '^[0-9]{1,4}$'
                        THEN spotcheck.registry_trim(s.risk_level)::smallint END AS risk_level,
                   coalesce(spotcheck.registry_bool(s.active), true) AS active,
                   coalesce(spotcheck.registry_trim(s.building_area) ~ '^[0-9]{1,10}(\.[0-9]{1,2})?$', true) AS area_ok,
                   coalesce(spotcheck.registry_trim(s.risk_level) ~ '^[0-9]{1,4}$', true) AS risk_ok,
                   ARRAY[spotcheck.registry_bool_ok(s.is_key_unit), spotcheck.registry_bool_ok(s.is_crowded_place),
                         spotcheck.registry_bool_ok(s.active)] AS bool_ok,
                   -- which optional flags the file gives (an empty one keeps the stored value)
                   ARRAY[spotcheck.registry_trim(s.is_key_unit) IS NOT NULL,
                         spotcheck.registry_trim(s.is_crowded_place) IS NOT NULL,
                         spotcheck.registry_trim(s.active) IS NOT NULL] AS given
              FROM spotcheck.my_unit_staging s
              -- numbering apart from the wide rows: only the sequence numbers are sorted
              JOIN (SELECT x.seq, pg_catalog.row_number() OVER (ORDER BY x.seq) AS rn
                      FROM spotcheck.my_unit_staging x) nr ON nr.seq = s.seq
             WHERE s.staged_by = CURRENT_USER) r;

    CREATE TEMP TABLE spotcheck_unit_load_problems ON COMMIT DROP AS
    SELECT l.line, l.seq, x.column_name, x.value, x.sqlstate, x.message, x.hint
      FROM spotcheck_unit_load l, LATERAL spotcheck.unit_problems(l.u) x;

    -- values that could not be read as their type
    INSERT INTO spotcheck_unit_load_problems
    SELECT l.line, l.seq, c.col, c.val, '22P02',
           format('%s "%s" of unit "%s" is not %s', c.col, c.val, (l.u).code,
                  CASE c.col WHEN 'building_area' THEN 'a number of square metres'
                       WHEN 'risk_level' THEN 'a whole number' ELSE 'yes or no' END),
           CASE c.col WHEN 'building_area' THEN 'Write the area as digits with at most two decimals, e.g. 1250.5.'
                WHEN 'risk_level' THEN 'Write 1 (low), 2 (general), 3 (high) or 4 (very high).'
                ELSE 'Write true/false, yes/no, 1/0 or 是/否; leave it empty for the default.' END
      FROM spotcheck_unit_load l
      JOIN spotcheck.my_unit_staging s ON s.seq = l.seq,
           LATERAL (VALUES ('building_area', s.building_area, l.area_ok),
                           ('risk_level', s.risk_level, l.risk_ok),
                           ('is_key_unit', s.is_key_unit, l.bool_ok[1]),
                           ('is_crowded_place', s.is_crowded_place, l.bool_ok[2]),
                           ('active', s.active, l.bool_ok[3])) AS c(col, val, ok)
     WHERE NOT (l.area_ok AND l.risk_ok AND l.bool_ok = '{t,t,t}') AND NOT c.ok;

    -- the same code twice in one file: ambiguous, so every such line is rejected
    INSERT INTO spotcheck_unit_load_problems
    SELECT l.line, l.seq, 'code', (l.u).code, '23505',
           format('unit "%s" appears on %s lines of this load (%s)', (l.u).code, d.n, d.lines),
           'Keep one line per unit and load again.'
      FROM spotcheck_unit_load l
      JOIN (SELECT (u).code AS code, pg_catalog.count(*) AS n,
                   pg_catalog.string_agg(line::text, ', ' ORDER BY line) AS lines
              FROM spotcheck_unit_load WHERE (u).code IS NOT NULL GROUP BY (u).code HAVING pg_catalog.count(*) > 1) d
        ON d.code = (l.u).code;

    -- rows the caller may not write: a new agency not theirs, or a unit already held by another agency
    INSERT INTO spotcheck_unit_load_problems
    SELECT l.line, l.seq, 'agency', (l.u).agency, '42501',
           format('agency "%s" of unit "%s" is not one of the agencies you may change', (l.u).agency, (l.u).code),
           'Load only units of the agencies you are a member of (spotcheck.agency_members).'
      FROM spotcheck_unit_load l
     WHERE (l.u).agency IS NOT NULL AND NOT (l.u).agency = ANY (writable)
       AND EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code = (l.u).agency)
    UNION ALL
    SELECT l.line, l.seq, 'code', (l.u).code, '42501',
           format('unit "%s" is registered with agency "%s", which you may not change', (l.u).code, o.agency),
           'Ask that agency (or an administrator) to transfer the unit.'
      FROM spotcheck_unit_load l
      JOIN spotcheck.registry_owners('units', ARRAY(SELECT (u).code FROM spotcheck_unit_load)) o ON o.code = (l.u).code
     WHERE NOT o.agency = ANY (writable);

    INSERT INTO spotcheck.load_rejects (batch_id, line_no, column_name, value, sqlstate, reason, hint, row_data)
    SELECT batch.id, p.line, p.column_name, p.value, p.sqlstate, p.message, p.hint,
           pg_catalog.to_jsonb(s) - 'staged_by' - 'seq' - 'line_no'
      FROM spotcheck_unit_load_problems p
      JOIN spotcheck.my_unit_staging s ON s.seq = p.seq
     ORDER BY p.line, p.column_name;

    -- good rows: existing units first (only those that change), then new
    -- ones; audited per statement and agency (see keep_history)
    PERFORM pg_catalog.set_config('spotcheck.bulk_audit', 'on', true);
    WITH nv AS (
        SELECT (l.u).code AS code, (l.u).name AS name, (l.u).address AS address,
               (l.u).responsible_person AS responsible_person, (l.u).unit_type AS unit_type, (l.u).agency AS agency,
               coalesce((l.u).legal_representative, t.legal_representative) AS legal_representative,
               coalesce((l.u).responsible_phone, t.responsible_phone) AS responsible_phone,
               coalesce((l.u).manager_name, t.manager_name) AS manager_name,
               coalesce((l.u).manager_phone, t.manager_phone) AS manager_phone,
               coalesce((l.u).building_area, t.building_area) AS building_area,
               coalesce((l.u).building_category, t.building_category) AS building_category,
               coalesce((l.u).venue_category, t.venue_category) AS venue_category,
               coalesce((l.u).industry_authority, t.industry_authority) AS industry_authority,
               coalesce((l.u).region, t.region) AS region,
               CASE WHEN l.given[1] THEN (l.u).is_key_unit ELSE t.is_key_unit END AS is_key_unit,
               CASE WHEN l.given[2] THEN (l.u).is_crowded_place ELSE t.is_crowded_place END AS is_crowded_place,
               coalesce((l.u).credit_class, t.credit_class) AS credit_class,
               coalesce((l.u).risk_level, t.risk_level) AS risk_level,
               CASE WHEN l.given[3] THEN (l.u).active ELSE t.active END AS active
          FROM spotcheck_unit_load l JOIN spotcheck.units t ON t.code = (l.u).code
         WHERE NOT EXISTS (SELECT FROM spotcheck_unit_load_problems p WHERE p.seq = l.seq)
    ), upd AS (
        UPDATE spotcheck.units t SET
               name = nv.name, address = nv.address, responsible_person = nv.responsible_person,
               unit_type = nv.unit_type, agency = nv.agency, legal_representative = nv.legal_representative,
               responsible_phone = nv.responsible_phone, manager_name = nv.manager_name,
               manager_phone = nv.manager_phone, building_area = nv.building_area,
               building_category = nv.building_category, venue_category = nv.venue_category,
               industry_authority = nv.industry_authority, region = nv.region, is_key_unit = nv.is_key_unit,
               is_crowded_place = nv.is_crowded_place, credit_class = nv.credit_class,
               risk_level = nv.risk_level, active = nv.active
          FROM nv
         WHERE t.code = nv.code
           AND (t.name, t.address, t.responsible_person, t.unit_type, t.agency, t.legal_representative,
                t.responsible_phone, t.manager_name, t.manager_phone, t.building_area, t.building_category,
                t.venue_category, t.industry_authority, t.region, t.is_key_unit, t.is_crowded_place,
                t.credit_class, t.risk_level, t.active)
               IS DISTINCT FROM
               (nv.name, nv.address, nv.responsible_person, nv.unit_type, nv.agency, nv.legal_representative,
                nv.responsible_phone, nv.manager_name, nv.manager_phone, nv.building_area, nv.building_category,
                nv.venue_category, nv.industry_authority, nv.region, nv.is_key_unit, nv.is_crowded_place,
                nv.credit_class, nv.risk_level, nv.active)
        RETURNING 1
    )
    SELECT pg_catalog.count(*) INTO n_upd FROM upd;

    INSERT INTO spotcheck.units (code, name, address, responsible_person, unit_type, agency,
           legal_representative, responsible_phone, manager_name, manager_phone, building_area,
           building_category, venue_category, industry_authority, region, is_key_unit,
           is_crowded_place, credit_class, risk_level, active)
    SELECT (u).code, (u).name, (u).address, (u).responsible_person, (u).unit_type, (u).agency,
           (u).legal_representative, (u).responsible_phone, (u).manager_name, (u).manager_phone,
           (u).building_area, (u).building_category, (u).venue_category, (u).industry_authority,
           (u).region, (u).is_key_unit, (u).is_crowded_place, (u).credit_class, (u).risk_level, (u).active
      FROM spotcheck_unit_load l
     WHERE NOT EXISTS (SELECT FROM spotcheck_unit_load_problems p WHERE p.seq = l.seq)
       AND NOT EXISTS (SELECT FROM spotcheck.units t WHERE t.code = (l.u).code)
     ORDER BY l.line;
    GET DIAGNOSTICS n_ins = ROW_COUNT;
    PERFORM pg_catalog.set_config('spotcheck.bulk_audit', 'off', true);

    UPDATE spotcheck.load_batches b SET
           rows_read = (SELECT pg_catalog.count(*) FROM spotcheck_unit_load),
           rows_rejected = (SELECT pg_catalog.count(DISTINCT seq) FROM spotcheck_unit_load_problems),
           rows_inserted = n_ins, rows_updated = n_upd
     WHERE b.id = batch.id;
    UPDATE spotcheck.load_batches b SET rows_unchanged = b.rows_read - b.rows_rejected - b.rows_inserted - b.rows_updated
     WHERE b.id = batch.id
    RETURNING * INTO batch;

    DELETE FROM spotcheck.my_unit_staging;
    DROP TABLE spotcheck_unit_load_problems;
    DROP TABLE spotcheck_unit_load;
    PERFORM spotcheck.load_batch_audit(batch.id);
    RETURN batch;
END
$$;
COMMENT ON FUNCTION spotcheck.load_units(text, integer) IS
    'load the units the caller staged: good rows inserted or updated, every problem of a bad row in load_rejects';

CREATE FUNCTION spotcheck.load_inspectors(source text DEFAULT NULL, header_lines integer DEFAULT 1)
RETURNS spotcheck.load_batches
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    batch spotcheck.load_batches;
    writable text[] := spotcheck.writable_agencies();
    n_ins integer;
    n_upd integer;
BEGIN
    INSERT INTO spotcheck.load_batches (kind, source, loaded_by)
        VALUES ('inspectors', source, spotcheck.acting_role()) RETURNING * INTO batch;

    -- (left over only by a call that failed inside a subtransaction)
    IF pg_catalog.to_regclass('pg_temp.spotcheck_inspector_load') IS NOT NULL THEN
        DROP TABLE pg_temp.spotcheck_inspector_load;
    END IF;
    IF pg_catalog.to_regclass('pg_temp.spotcheck_inspector_load_problems') IS NOT NULL THEN
        DROP TABLE pg_temp.spotcheck_inspector_load_problems;
    END IF;
    CREATE TEMP TABLE spotcheck_inspector_load ON COMMIT DROP AS
    SELECT r.line, r.seq, r.raw, r.conv_problems, r.given,
           spotcheck.inspector_normalize(ROW(
               r.s_code, r.s_name, r.s_gender, r.s_agency, r.s_position, r.s_certificate_no,
               spotcheck.registry_date(r.s_certificate_valid_until), r.s_post, r.s_title_category,
               CASE WHEN r.years_ok THEN spotcheck.registry_trim(r.s_enforcement_years)::smallint END,
               coalesce(spotcheck.registry_bool(r.s_active), true), NULL, NULL)::spotcheck.inspectors) AS i
      FROM (SELECT coalesce(s.line_no, pg_catalog.row_number() OVER (ORDER BY s.seq) + header_lines) AS line, s.seq,
                   pg_catalog.to_jsonb(s) - 'staged_by' - 'seq' - 'line_no' AS raw,
                   s.code AS s_code, s.name AS s_name, s.gender AS s_gender, s.agency AS s_agency,
                   s.position AS s_position, s.certificate_no AS s_certificate_no,
                   s.certificate_valid_until AS s_certificate_valid_until, s.post AS s_post,
                   s.title_category AS s_title_category, s.enforcement_years AS s_enforcement_years,
                   s.active AS s_active,
                   coalesce(spotcheck.registry_trim(s.enforcement_years) ~ '^[0-9]{1,4}$', true) AS years_ok,
                   ARRAY[spotcheck.registry_trim(s.active) IS NOT NULL] AS given,
                   ARRAY(SELECT pg_catalog.jsonb_build_object('column_name', c.col, 'value', c.val)
                           FROM (VALUES ('certificate_valid_until', s.certificate_valid_until,
                                         spotcheck.registry_trim(s.certificate_valid_until) IS NULL
                                         OR spotcheck.registry_date(s.certificate_valid_until) IS NOT NULL),
                                        ('enforcement_years', s.enforcement_years,
                                         coalesce(spotcheck.registry_trim(s.enforcement_years) ~ '^[0-9]{1,4}$', true)),
                                        ('active', s.active, spotcheck.registry_bool_ok(s.active))) AS c(col, val, ok)
                          WHERE NOT c.ok) AS conv_problems
              FROM spotcheck.my_inspector_staging s) r;

    CREATE TEMP TABLE spotcheck_inspector_load_problems ON COMMIT DROP AS
    SELECT l.line, l.seq, x.column_name, x.value, x.sqlstate, x.message, x.hint
      FROM spotcheck_inspector_load l
      LEFT JOIN spotcheck.inspectors cur ON cur.code = (l.i).code,
           LATERAL (SELECT p.column_name, p.value, p.sqlstate, p.message, p.hint
                      FROM spotcheck.inspector_problems(l.i, cur) p
                    UNION ALL
                    SELECT c ->> 'column_name', c ->> 'value', '22P02',
                           format('%s "%s" of inspector "%s" is not %s', c ->> 'column_name', c ->> 'value', (l.i).code,
                                  CASE c ->> 'column_name' WHEN 'certificate_valid_until' THEN 'a date'
                                       WHEN 'enforcement_years' THEN 'a whole number' ELSE 'yes or no' END),
                           CASE c ->> 'column_name' WHEN 'certificate_valid_until' THEN 'Write the date as YYYY-MM-DD.'
                                WHEN 'enforcement_years' THEN 'Write the number of years as digits.'
                                ELSE 'Write true/false, yes/no, 1/0 or 是/否; leave it empty for the default.' END
                      FROM pg_catalog.unnest(l.conv_problems) c) x;

    INSERT INTO spotcheck_inspector_load_problems
    SELECT l.line, l.seq, d.col, d.val, '23505',
           format('%s "%s" appears on %s lines of this load (%s)', d.col, d.val, d.n, d.lines),
           'Keep one line per inspector and one inspector per certificate, and load again.'
      FROM spotcheck_inspector_load l
      JOIN (SELECT 'code' AS col, (i).code AS val, pg_catalog.count(*) AS n,
                   pg_catalog.string_agg(line::text, ', ' ORDER BY line) AS lines
              FROM spotcheck_inspector_load WHERE (i).code IS NOT NULL GROUP BY (i).code HAVING pg_catalog.count(*) > 1
            UNION ALL
            SELECT 'certificate_no', (i).certificate_no, pg_catalog.count(*),
                   pg_catalog.string_agg(line::text, ', ' ORDER BY line)
              FROM spotcheck_inspector_load WHERE (i).certificate_no IS NOT NULL
             GROUP BY (i).certificate_no HAVING pg_catalog.count(*) > 1) d
        ON d.val = CASE d.col WHEN 'code' THEN (l.i).code ELSE (l.i).certificate_no END;

    INSERT INTO spotcheck_inspector_load_problems
    SELECT l.line, l.seq, 'agency', (l.i).agency, '42501',
           format('agency "%s" of inspector "%s" is not one of the agencies you may change', (l.i).agency, (l.i).code),
           'Load only inspectors of the agencies you are a member of (spotcheck.agency_members).'
      FROM spotcheck_inspector_load l
     WHERE (l.i).agency IS NOT NULL AND NOT (l.i).agency = ANY (writable)
       AND EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code = (l.i).agency)
    UNION ALL
    SELECT l.line, l.seq, 'code', (l.i).code, '42501',
           format('inspector "%s" is registered with agency "%s", which you may not change', (l.i).code, o.agency),
           'Ask that agency (or an administrator) to transfer the inspector.'
      FROM spotcheck_inspector_load l
      JOIN spotcheck.registry_owners('inspectors', ARRAY(SELECT (i).code FROM spotcheck_inspector_load)) o
        ON o.code = (l.i).code
     WHERE NOT o.agency = ANY (writable);

    INSERT INTO spotcheck.load_rejects (batch_id, line_no, column_name, value, sqlstate, reason, hint, row_data)
    SELECT batch.id, p.line, p.column_name, p.value, p.sqlstate, p.message, p.hint, l.raw
      FROM spotcheck_inspector_load_problems p JOIN spotcheck_inspector_load l ON l.seq = p.seq
     ORDER BY p.line, p.column_name;

    PERFORM pg_catalog.set_config('spotcheck.bulk_audit', 'on', true);
    WITH nv AS (
        SELECT (l.i).code AS code, (l.i).name AS name, (l.i).agency AS agency,
               (l.i).certificate_no AS certificate_no,
               coalesce((l.i).gender, t.gender) AS gender,
               coalesce((l.i).position, t.position) AS position,
               coalesce((l.i).certificate_valid_until, t.certificate_valid_until) AS certificate_valid_until,
               coalesce((l.i).post, t.post) AS post,
               coalesce((l.i).title_category, t.title_category) AS title_category,
               coalesce((l.i).enforcement_years, t.enforcement_years) AS enforcement_years,
               CASE WHEN l.given[1] THEN (l.i).active ELSE t.active END AS active
          FROM spotcheck_inspector_load l JOIN spotcheck.inspectors t ON t.code = (l.i).code
         WHERE NOT EXISTS (SELECT FROM spotcheck_inspector_load_problems p WHERE p.seq = l.seq)
    ), upd AS (
        UPDATE spotcheck.inspectors t SET
               name = nv.name, agency = nv.agency, certificate_no = nv.certificate_no, gender = nv.gender,
               position = nv.position, certificate_valid_until = nv.certificate_valid_until, post = nv.post,
               title_category = nv.title_category, enforcement_years = nv.enforcement_years, active = nv.active
          FROM nv
         WHERE t.code = nv.code
           AND (t.name, t.agency, t.certificate_no, t.gender, t.position, t.certificate_valid_until, t.post,
                t.title_category, t.enforcement_years, t.active)
               IS DISTINCT FROM
               (nv.name, nv.agency, nv.certificate_no, nv.gender, nv.position, nv.certificate_valid_until, nv.post,
                nv.title_category, nv.enforcement_years, nv.active)
        RETURNING 1
    )
    SELECT pg_catalog.count(*) INTO n_upd FROM upd;

    INSERT INTO spotcheck.inspectors (code, name, gender, agency, position, certificate_no,
           certificate_valid_until, post, title_category, enforcement_years, active)
    SELECT (i).code, (i).name, (i).gender, (i).agency, (i).position, (i).certificate_no,
           (i).certificate_valid_until, (i).post, (i).title_category, (i).enforcement_years, (i).active
      FROM spotcheck_inspector_load l
     WHERE NOT EXISTS (SELECT FROM spotcheck_inspector_load_problems p WHERE p.seq = l.seq)
       AND NOT EXISTS (SELECT FROM spotcheck.inspectors t WHERE t.code = (l.i).code)
     ORDER BY l.line;
    GET DIAGNOSTICS n_ins = ROW_COUNT;
    PERFORM pg_catalog.set_config('spotcheck.bulk_audit', 'off', true);

    UPDATE spotcheck.load_batches b SET
           rows_read = (SELECT pg_catalog.count(*) FROM spotcheck_inspector_load),
           rows_rejected = (SELECT pg_catalog.count(DISTINCT seq) FROM spotcheck_inspector_load_problems),
           rows_inserted = n_ins, rows_updated = n_upd
     WHERE b.id = batch.id;
    UPDATE spotcheck.load_batches b SET rows_unchanged = b.rows_read - b.rows_rejected - b.rows_inserted - b.rows_updated
     WHERE b.id = batch.id
    RETURNING * INTO batch;

    DELETE FROM spotcheck.my_inspector_staging;
    DROP TABLE spotcheck_inspector_load_problems;
    DROP TABLE spotcheck_inspector_load;
    PERFORM spotcheck.load_batch_audit(batch.id);
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
