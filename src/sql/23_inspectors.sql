-- The inspector directory (执法检查人员名录库, Article 10), with availability
-- (absences) and recusals beside it.  Only officers holding an enforcement
-- certificate (执法资格证) can be listed: certificate_no is mandatory, a
-- certificate already expired cannot be entered, and a recorded expiry is
-- never dropped (a new certificate replacing it comes with its own).

CREATE TABLE spotcheck.inspectors (
    code                     text PRIMARY KEY,
    name                     text NOT NULL,
    gender                   text,
    agency                   text NOT NULL REFERENCES spotcheck.agencies (code),
    position                 text,
    certificate_no           text NOT NULL,
    certificate_valid_until  date,
    post                     text,
    title_category           text,
    enforcement_years        smallint,
    active                   boolean NOT NULL DEFAULT true,
    registered_at            timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at               timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT inspectors_code_format CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$'),
    CONSTRAINT inspectors_name_not_blank CHECK (pg_catalog.btrim(name) <> ''),
    CONSTRAINT inspectors_gender_known CHECK (gender IN ('M', 'F')),
    CONSTRAINT inspectors_certificate_not_blank CHECK (pg_catalog.btrim(certificate_no) <> ''),
    CONSTRAINT inspectors_certificate_unique UNIQUE (certificate_no),
    CONSTRAINT inspectors_years_range CHECK (enforcement_years BETWEEN 0 AND 60)
);
CREATE INDEX inspectors_agency_idx ON spotcheck.inspectors (agency);
COMMENT ON TABLE spotcheck.inspectors IS
    'the inspector directory (Article 10): certified officers only; deactivated, never deleted';
COMMENT ON COLUMN spotcheck.inspectors.code IS 'stable public identifier of the inspector';
COMMENT ON COLUMN spotcheck.inspectors.certificate_no IS 'enforcement certificate number (执法资格证编号), mandatory';

CREATE FUNCTION spotcheck.inspector_normalize(i spotcheck.inspectors) RETURNS spotcheck.inspectors
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ROW(spotcheck.registry_halfwidth(spotcheck.registry_trim(i.code)), spotcheck.registry_trim(i.name),
               CASE pg_catalog.lower(spotcheck.registry_halfwidth(spotcheck.registry_trim(i.gender)))
                    WHEN 'm' THEN 'M' WHEN 'male' THEN 'M' WHEN '男' THEN 'M'
                    WHEN 'f' THEN 'F' WHEN 'female' THEN 'F' WHEN '女' THEN 'F'
                    ELSE spotcheck.registry_trim(i.gender) END,
               spotcheck.registry_trim(i.agency), spotcheck.registry_trim(i.position),
               pg_catalog.upper(spotcheck.registry_halfwidth(spotcheck.registry_trim(i.certificate_no))), i.certificate_valid_until,
               spotcheck.registry_trim(i.post), spotcheck.registry_trim(i.title_category),
               i.enforcement_years, i.active, i.registered_at, i.updated_at)::spotcheck.inspectors
$$;

-- What is wrong with a (normalised) inspector row; old is the row before an
-- update (NULL for a new one).  Shared by the trigger and the bulk loader,
-- both SECURITY DEFINER (a certificate number is unique across agencies);
-- no role may execute it.  The holder of a certificate is named only to a
-- caller who may read the holder's agency.
CREATE FUNCTION spotcheck.inspector_problems(i spotcheck.inspectors, old spotcheck.inspectors DEFAULT NULL)
RETURNS TABLE (column_name text, value text, sqlstate text, message text, hint text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    holder record;
    who text := spotcheck.registry_quote(i.code);
BEGIN
    IF i.code IS NULL THEN
        RETURN QUERY SELECT 'code', NULL::text, '23502', 'an inspector code is mandatory',
            'Give the inspector''s stable public identifier.';
    ELSIF i.code !~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$' THEN
        RETURN QUERY SELECT 'code', i.code, '22023', format('invalid inspector code %s', who),
            'An inspector code is 1 to 32 letters, digits, "_", "." or "-", starting with a letter or digit.';
    END IF;
    IF i.name IS NULL THEN
        RETURN QUERY SELECT 'name', NULL::text, '23502', format('name is mandatory for inspector %s', who),
            'Give the inspector''s name.';
    END IF;
    IF i.gender NOT IN ('M', 'F') THEN
        RETURN QUERY SELECT 'gender', i.gender, '22023',
            format('invalid gender %s for inspector %s', spotcheck.registry_quote(i.gender), who),
            'Gender is M (男, male) or F (女, female); leave it empty when not recorded.';
    END IF;
    IF i.agency IS NULL THEN
        RETURN QUERY SELECT 'agency', NULL::text, '23502', format('agency is mandatory for inspector %s', who),
            'Give the code of the inspector''s agency.';
    ELSIF NOT EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code = i.agency) THEN
        RETURN QUERY SELECT 'agency', i.agency, '23503',
            format('agency %s of inspector %s does not exist', spotcheck.registry_quote(i.agency), who),
            'Use the code of a registered agency (spotcheck.agencies).';
    END IF;
    IF i.certificate_no IS NULL THEN
        RETURN QUERY SELECT 'certificate_no', NULL::text, '23502',
            format('inspector %s has no enforcement certificate number', who),
            'Only officers holding an enforcement certificate (执法资格证) may be in the inspector directory (Article 10).';
    ELSE
        SELECT x.code, x.agency INTO holder FROM spotcheck.inspectors x
         WHERE x.certificate_no = i.certificate_no AND x.code IS DISTINCT FROM i.code;
        IF FOUND THEN
            RETURN QUERY SELECT 'certificate_no', i.certificate_no, '23505',
                format('certificate %s of inspector %s is already held by %s', spotcheck.registry_quote(i.certificate_no), who,
                       CASE WHEN holder.agency = ANY (spotcheck.caller_readable_agencies())
                            THEN format('inspector "%s"', holder.code) ELSE 'an inspector of another agency' END),
                'A certificate number belongs to one officer; check both rows.';
        END IF;
    END IF;
    IF i.certificate_valid_until < CURRENT_DATE
       AND (old IS NULL OR i.certificate_no IS DISTINCT FROM old.certificate_no
            OR i.certificate_valid_until IS DISTINCT FROM old.certificate_valid_until
            OR (i.active AND NOT old.active)) THEN
        RETURN QUERY SELECT 'certificate_valid_until', to_char(i.certificate_valid_until, 'YYYY-MM-DD'), '22008',
            format('the enforcement certificate of inspector %s expired on %s', who, to_char(i.certificate_valid_until, 'YYYY-MM-DD')),
            'An officer whose certificate has expired cannot be entered or reactivated; record the renewed certificate.';
    END IF;
    -- a recorded expiry is evidence: it can be replaced by a renewal's date,
    -- or by the expiry of the certificate that replaces it, but never simply
    -- be erased, with the certificate or without it (an unrecorded expiry
    -- counts as valid, so erasing it would bring an expired officer back)
    IF old.code IS NOT NULL AND i.certificate_valid_until IS NULL AND old.certificate_valid_until IS NOT NULL THEN
        IF i.certificate_no IS NOT DISTINCT FROM old.certificate_no THEN
            RETURN QUERY SELECT 'certificate_valid_until', NULL::text, '22004',
                format('the recorded expiry (%s) of the enforcement certificate of inspector %s cannot be removed',
                       to_char(old.certificate_valid_until, 'YYYY-MM-DD'), who),
                'Record the renewed certificate''s expiry date, or its new number with its expiry.';
        ELSE
            RETURN QUERY SELECT 'certificate_valid_until', NULL::text, '22004',
                format('the new enforcement certificate %s of inspector %s has no expiry date, but the one it replaces (%s) %s on %s',
                       spotcheck.registry_quote(i.certificate_no), who, spotcheck.registry_quote(old.certificate_no),
                       CASE WHEN old.certificate_valid_until < CURRENT_DATE THEN 'expired' ELSE 'expires' END,
                       to_char(old.certificate_valid_until, 'YYYY-MM-DD')),
                'Record the new certificate''s expiry date (today or later) with its number.';
        END IF;
    END IF;
    IF i.enforcement_years NOT BETWEEN 0 AND 60 THEN
        RETURN QUERY SELECT 'enforcement_years', i.enforcement_years::text, '22003',
            format('enforcement_years %s of inspector %s is out of range', i.enforcement_years, who),
            'Years of enforcement work are a whole number from 0 to 60.';
    END IF;
    RETURN;
END
$$;

-- SECURITY DEFINER for the same reason as units_check: uniqueness of codes
-- and certificates spans agencies.  It reads nothing but the row written.
CREATE FUNCTION spotcheck.inspectors_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p record;
    holder text;
BEGIN
    NEW := spotcheck.inspector_normalize(NEW);
    IF TG_OP = 'UPDATE' THEN
        IF NEW.code IS DISTINCT FROM OLD.code THEN
            RAISE EXCEPTION 'the code of inspector "%" cannot change to %', OLD.code, spotcheck.registry_quote(NEW.code)
                USING ERRCODE = '55000', HINT = 'The code is the inspector''s stable public identifier.';
        END IF;
        NEW.registered_at := OLD.registered_at;
        NEW.updated_at := OLD.updated_at;
        IF NEW IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;
        END IF;
    ELSE
        NEW.registered_at := now();
        -- a clear message for a second registration (the primary key would
        -- refuse it anyway); the bulk loader settles its rows itself
        IF NOT spotcheck.registry_bulk_active('spotcheck.inspectors'::regclass) THEN
            SELECT x.agency INTO holder FROM spotcheck.inspectors x WHERE x.code = NEW.code;
            IF FOUND THEN
                RAISE EXCEPTION 'inspector "%" is already registered, with %', NEW.code,
                        CASE WHEN holder = ANY (spotcheck.caller_readable_agencies())
                             THEN pg_catalog.format('agency "%s"', holder) ELSE 'another agency' END
                    USING ERRCODE = '23505', HINT = 'An inspector is registered once: update that row.';
            END IF;
        END IF;
    END IF;
    NEW.updated_at := now();
    FOR p IN SELECT * FROM spotcheck.inspector_problems(NEW, CASE WHEN TG_OP = 'UPDATE' THEN OLD END) LIMIT 1 LOOP
        RAISE EXCEPTION USING ERRCODE = p.sqlstate, MESSAGE = p.message, HINT = p.hint;
    END LOOP;
    RETURN NEW;
END
$$;
CREATE TRIGGER inspectors_check BEFORE INSERT OR UPDATE ON spotcheck.inspectors
    FOR EACH ROW EXECUTE FUNCTION spotcheck.inspectors_check();
CREATE TRIGGER inspectors_no_delete BEFORE DELETE ON spotcheck.inspectors
    FOR EACH ROW EXECUTE FUNCTION spotcheck.refuse_registry_delete('inspector');
CREATE TRIGGER inspectors_no_truncate BEFORE TRUNCATE ON spotcheck.inspectors
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change(
        'A registered inspector is never deleted: set active = false to take them out of the draws.');

-- When an inspector cannot be drawn: leave, official travel, post change
-- (Article 16's reasons), training or other, over an inclusive date range.
CREATE TABLE spotcheck.inspector_absences (
    id           bigserial PRIMARY KEY,
    inspector    text NOT NULL REFERENCES spotcheck.inspectors (code),
    starts       date NOT NULL,
    ends         date NOT NULL,
    reason       text NOT NULL,
    note         text,
    recorded_by  name NOT NULL DEFAULT CURRENT_USER,
    recorded_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT inspector_absences_period CHECK (ends >= starts),
    CONSTRAINT inspector_absences_reason_known CHECK (reason IN ('leave', 'official_travel', 'post_change', 'training', 'other'))
);
CREATE INDEX inspector_absences_inspector_idx ON spotcheck.inspector_absences (inspector, starts);
COMMENT ON TABLE spotcheck.inspector_absences IS
    'periods (inclusive) when an inspector cannot be drawn, with the reason';

-- An inspector who must not inspect a unit (回避), and why.
CREATE TABLE spotcheck.inspector_recusals (
    inspector    text NOT NULL REFERENCES spotcheck.inspectors (code),
    unit         text NOT NULL REFERENCES spotcheck.units (code),
    reason       text NOT NULL,
    recorded_by  name NOT NULL DEFAULT CURRENT_USER,
    recorded_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (inspector, unit),
    CONSTRAINT inspector_recusals_reason_not_blank CHECK (pg_catalog.btrim(reason) <> '')
);
CREATE INDEX inspector_recusals_unit_idx ON spotcheck.inspector_recusals (unit);
COMMENT ON TABLE spotcheck.inspector_recusals IS 'inspector–unit pairs excluded from a draw (回避), with the reason';

CREATE FUNCTION spotcheck.inspector_absences_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.recorded_by := CURRENT_USER;
        NEW.recorded_at := now();
    ELSE
        NEW.recorded_by := OLD.recorded_by;
        NEW.recorded_at := OLD.recorded_at;
        IF NEW.id <> OLD.id OR NEW.inspector <> OLD.inspector THEN
            RAISE EXCEPTION 'absence % cannot move to another inspector', OLD.id
                USING ERRCODE = '55000', HINT = 'Delete it and record a new one.';
        END IF;
    END IF;
    IF NOT EXISTS (SELECT FROM spotcheck.inspectors i WHERE i.code = NEW.inspector) THEN
        RAISE EXCEPTION 'inspector % does not exist', spotcheck.registry_quote(NEW.inspector)
            USING ERRCODE = '23503', HINT = 'Use the code of an inspector in the directory you may change.';
    END IF;
    NEW.reason := lower(spotcheck.registry_trim(NEW.reason));
    IF NEW.reason IS NULL OR NEW.reason NOT IN ('leave', 'official_travel', 'post_change', 'training', 'other') THEN
        RAISE EXCEPTION 'invalid absence reason % for inspector "%"', spotcheck.registry_quote(NEW.reason), NEW.inspector
            USING ERRCODE = '22023', HINT = 'The reason is one of leave, official_travel, post_change, training, other.';
    END IF;
    IF NEW.starts IS NULL OR NEW.ends IS NULL OR NEW.ends < NEW.starts THEN
        RAISE EXCEPTION 'absence of inspector "%" from % to % is not a period', NEW.inspector,
                coalesce(to_char(NEW.starts, 'YYYY-MM-DD'), 'NULL'), coalesce(to_char(NEW.ends, 'YYYY-MM-DD'), 'NULL')
            USING ERRCODE = '22008', HINT = 'Give the first and the last day of the absence, the last not before the first.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER inspector_absences_check BEFORE INSERT OR UPDATE ON spotcheck.inspector_absences
    FOR EACH ROW EXECUTE FUNCTION spotcheck.inspector_absences_check();

CREATE FUNCTION spotcheck.inspector_recusals_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.unit := spotcheck.unit_code_normalize(NEW.unit);
    IF TG_OP = 'INSERT' THEN
        NEW.recorded_by := CURRENT_USER;
        NEW.recorded_at := now();
    ELSE
        NEW.recorded_by := OLD.recorded_by;
        NEW.recorded_at := OLD.recorded_at;
        IF NEW.inspector <> OLD.inspector OR NEW.unit <> OLD.unit THEN
            RAISE EXCEPTION 'the recusal of inspector "%" from unit "%" cannot change its inspector or unit', OLD.inspector, OLD.unit
                USING ERRCODE = '55000', HINT = 'Delete it and record a new one.';
        END IF;
    END IF;
    IF NOT EXISTS (SELECT FROM spotcheck.inspectors i WHERE i.code = NEW.inspector) THEN
        RAISE EXCEPTION 'inspector % does not exist', spotcheck.registry_quote(NEW.inspector)
            USING ERRCODE = '23503', HINT = 'Use the code of an inspector in the directory you may change.';
    END IF;
    IF NOT EXISTS (SELECT FROM spotcheck.units u WHERE u.code = NEW.unit) THEN
        RAISE EXCEPTION 'unit % does not exist', spotcheck.registry_quote(NEW.unit)
            USING ERRCODE = '23503', HINT = 'Use the code of a unit in the directory you may read.';
    END IF;
    NEW.reason := spotcheck.registry_trim(NEW.reason);
    IF NEW.reason IS NULL THEN
        RAISE EXCEPTION 'the recusal of inspector "%" from unit "%" needs a reason', NEW.inspector, NEW.unit
            USING ERRCODE = '23502', HINT = 'Say why the inspector must not inspect the unit (e.g. a relative works there).';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER inspector_recusals_check BEFORE INSERT OR UPDATE ON spotcheck.inspector_recusals
    FOR EACH ROW EXECUTE FUNCTION spotcheck.inspector_recusals_check();

-- The inspectors of an agency who can be drawn for every day of [from_date,
-- to_date]: active, certificate valid through to_date (an unrecorded expiry
-- counts as valid), no absence overlapping the period, and -- when a unit is
-- given -- not recused from it.  Runs with the caller's rights.
CREATE FUNCTION spotcheck.available_inspectors(agency text, from_date date, to_date date, unit text DEFAULT NULL)
RETURNS SETOF spotcheck.inspectors
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF from_date IS NULL OR to_date IS NULL OR to_date < from_date THEN
        RAISE EXCEPTION 'invalid period from % to %', coalesce(to_char(from_date, 'YYYY-MM-DD'), 'NULL'), coalesce(to_char(to_date, 'YYYY-MM-DD'), 'NULL')
            USING ERRCODE = '22008', HINT = 'Give the first and the last day of the period, the last not before the first.';
    END IF;
    RETURN QUERY
    SELECT i.* FROM spotcheck.inspectors i
     WHERE i.agency = available_inspectors.agency
       AND i.active
       AND (i.certificate_valid_until IS NULL OR i.certificate_valid_until >= to_date)
       AND NOT EXISTS (SELECT FROM spotcheck.inspector_absences a
                        WHERE a.inspector = i.code AND a.starts <= to_date AND a.ends >= from_date)
       AND (unit IS NULL OR NOT EXISTS (SELECT FROM spotcheck.inspector_recusals r
                        WHERE r.inspector = i.code AND r.unit = spotcheck.unit_code_normalize(available_inspectors.unit)))
     ORDER BY i.code;
END
$$;
COMMENT ON FUNCTION spotcheck.available_inspectors(text, date, date, text) IS
    'inspectors of an agency who can be drawn for the whole period (and, given a unit, are not recused from it)';

SELECT pg_catalog.pg_extension_config_dump('spotcheck.inspectors', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.inspector_absences', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.inspector_recusals', '');
