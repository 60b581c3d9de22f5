-- The inspection-object directory (检查对象名录库, Article 9).
--
-- The key is the text column code, holding one of
--   * a valid unified social credit code, in canonical form (upper case,
--     trimmed) -- code_kind 'uscc';
--   * a legacy 15-digit registration number (注册号) -- code_kind 'registration';
--   * a code listed in spotcheck.unit_code_exceptions: a real registered code
--     whose check characters are wrong, allowed by a named role at a recorded
--     time for a recorded reason -- code_kind 'exception'.
-- Anything else is refused.  Text rather than the uscc type because the
-- directory must hold the two other kinds; the uscc type's own validation is
-- what decides the first kind.

CREATE TABLE spotcheck.unit_code_exceptions (
    code        text PRIMARY KEY,
    agency      text NOT NULL REFERENCES spotcheck.agencies (code),
    allowed_by  name NOT NULL DEFAULT CURRENT_USER,
    allowed_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    reason      text NOT NULL,
    CONSTRAINT unit_code_exceptions_shape CHECK (code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
    CONSTRAINT unit_code_exceptions_reason CHECK (pg_catalog.length(pg_catalog.btrim(reason)) >= 4)
);
COMMENT ON TABLE spotcheck.unit_code_exceptions IS
    'registered unit codes that fail the GB 32100 check, each allowed explicitly (append-only)';

CREATE FUNCTION spotcheck.unit_code_exceptions_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.code := spotcheck.unit_code_normalize(NEW.code);
    NEW.allowed_by := CURRENT_USER;
    NEW.allowed_at := now();
    IF NEW.code IS NULL OR NEW.code !~ '^[0-9A-HJ-NPQRTUWXY]{18}$' THEN
        RAISE EXCEPTION 'invalid exception code %: it is not 18 characters of the credit-code alphabet', spotcheck.registry_quote(NEW.code)
            USING ERRCODE = '22P02',
                  HINT = 'Exceptions are for registered 18-character codes whose check character is wrong; other codes cannot be held.';
    END IF;
    IF spotcheck.uscc_is_valid(NEW.code) THEN
        RAISE EXCEPTION 'code "%" is a valid unified social credit code and needs no exception', NEW.code
            USING ERRCODE = '22023', HINT = 'Register the unit with this code directly.';
    END IF;
    NEW.reason := spotcheck.registry_trim(NEW.reason);
    IF length(coalesce(NEW.reason, '')) < 4 THEN
        RAISE EXCEPTION 'the exception for code "%" needs a reason', NEW.code
            USING ERRCODE = '23502', HINT = 'Say why the code is accepted, e.g. the registration certificate that shows it.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER unit_code_exceptions_check BEFORE INSERT ON spotcheck.unit_code_exceptions
    FOR EACH ROW EXECUTE FUNCTION spotcheck.unit_code_exceptions_check();
CREATE TRIGGER unit_code_exceptions_append_only BEFORE UPDATE OR DELETE ON spotcheck.unit_code_exceptions
    FOR EACH ROW EXECUTE FUNCTION spotcheck.refuse_change('An exception is a permanent record; a unit may still be using the code.');
CREATE TRIGGER unit_code_exceptions_no_truncate BEFORE TRUNCATE ON spotcheck.unit_code_exceptions
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change('An exception is a permanent record; a unit may still be using the code.');

-- Whether a code is listed as an exception.  A code's validity does not
-- depend on who writes it, so this must see every agency's exceptions: it is
-- called only by the extension's SECURITY DEFINER code (the directory's
-- trigger and the loader), and no role may execute it.
CREATE FUNCTION spotcheck.unit_code_excepted(code text) RETURNS boolean
LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS
$$ SELECT EXISTS (SELECT FROM spotcheck.unit_code_exceptions e WHERE e.code = unit_code_excepted.code) $$;

-- The canonical form of a unit code: trimmed, full-width characters folded
-- to ASCII, upper case.
CREATE FUNCTION spotcheck.unit_code_normalize(code text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT pg_catalog.upper(spotcheck.registry_halfwidth(spotcheck.registry_trim(code))) $$;

CREATE FUNCTION spotcheck.unit_code_kind(code text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN spotcheck.uscc_is_valid(code) THEN 'uscc'
                WHEN code ~ '^[0-9]{15}$' THEN 'registration'
                ELSE 'exception' END
$$;

CREATE TABLE spotcheck.units (
    code                 text PRIMARY KEY,
    code_kind            text NOT NULL GENERATED ALWAYS AS (spotcheck.unit_code_kind(code)) STORED,
    name                 text NOT NULL,
    address              text NOT NULL,
    responsible_person   text NOT NULL,
    unit_type            text NOT NULL,
    agency               text NOT NULL REFERENCES spotcheck.agencies (code),
    legal_representative text,
    responsible_phone    text,
    manager_name         text,
    manager_phone        text,
    building_area        numeric(12,2),
    building_category    text,
    venue_category       text,
    industry_authority   text,
    region               text,
    is_key_unit          boolean NOT NULL DEFAULT false,
    is_crowded_place     boolean NOT NULL DEFAULT false,
    credit_class         text,
    risk_level           smallint,
    active               boolean NOT NULL DEFAULT true,
    registered_at        timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT units_code_shape CHECK (code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$' OR code ~ '^[0-9]{15}$'),
    CONSTRAINT units_basics_not_blank CHECK (pg_catalog.btrim(name) <> '' AND pg_catalog.btrim(address) <> ''
                                             AND pg_catalog.btrim(responsible_person) <> '' AND pg_catalog.btrim(unit_type) <> ''),
    CONSTRAINT units_building_area_range CHECK (building_area > 0),
    CONSTRAINT units_region_format CHECK (region ~ '^[0-9]{6}$'),
    CONSTRAINT units_credit_class_known CHECK (credit_class IN ('A', 'B', 'C', 'D')),
    CONSTRAINT units_risk_level_range CHECK (risk_level BETWEEN 1 AND 4)
);
CREATE INDEX units_agency_idx ON spotcheck.units (agency);
COMMENT ON TABLE spotcheck.units IS
    'the inspection-object directory (Article 9); deactivated (active = false), never deleted';
COMMENT ON COLUMN spotcheck.units.code IS
    'unified social credit code (canonical), 15-digit registration number, or a recorded exception';
COMMENT ON COLUMN spotcheck.units.credit_class IS 'fire-safety credit class: A low risk … D very high risk';
COMMENT ON COLUMN spotcheck.units.risk_level IS 'fire risk: 1 low, 2 general, 3 high, 4 very high';

-- Every field trimmed; blank optional fields become NULL; the code and the
-- credit class in canonical form; full-width digits in the code, the phone
-- numbers, the region and the credit class folded to ASCII.
-- (A single SQL expression without SET, so that the planner inlines it into
-- the bulk loader's query; every name is qualified.)
CREATE FUNCTION spotcheck.unit_normalize(u spotcheck.units) RETURNS spotcheck.units
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ROW(spotcheck.unit_code_normalize(u.code), u.code_kind,
               spotcheck.registry_trim(u.name), spotcheck.registry_trim(u.address),
               spotcheck.registry_trim(u.responsible_person), spotcheck.registry_trim(u.unit_type),
               spotcheck.registry_trim(u.agency), spotcheck.registry_trim(u.legal_representative),
               spotcheck.registry_halfwidth(spotcheck.registry_trim(u.responsible_phone)),
               spotcheck.registry_trim(u.manager_name),
               spotcheck.registry_halfwidth(spotcheck.registry_trim(u.manager_phone)), u.building_area,
               spotcheck.registry_trim(u.building_category), spotcheck.registry_trim(u.venue_category),
               spotcheck.registry_trim(u.industry_authority),
               spotcheck.registry_halfwidth(spotcheck.registry_trim(u.region)),
               u.is_key_unit, u.is_crowded_place,
               pg_catalog.upper(spotcheck.registry_halfwidth(spotcheck.registry_trim(u.credit_class))),
               u.risk_level, u.active, u.registered_at, u.updated_at)::spotcheck.units
$$;

-- What is wrong with a (normalised) unit row: one row per bad value, with
-- the SQLSTATE, message and hint the trigger raises for it.  Used both by
-- the trigger and by the bulk loader, so that the two never disagree.
-- Why a unit code is refused (called only for codes that are refused).
CREATE FUNCTION spotcheck.unit_code_reason(code text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN pg_catalog.length(code) = 15 THEN 'a 15-character registration number has digits only'
                ELSE coalesce(spotcheck.uscc_problem(code), 'it is not a valid code') END
$$;

-- (One SQL query without SET, so that the planner inlines it into the bulk
-- loader's query; every name is qualified.)
CREATE FUNCTION spotcheck.unit_problems(u spotcheck.units)
RETURNS TABLE (column_name text, value text, sqlstate text, message text, hint text)
LANGUAGE sql STABLE AS $$
    SELECT 'code', NULL::text, '23502', 'a unit code is mandatory',
           'Give the unified social credit code, or the 15-digit registration number (注册号).'
     WHERE u.code IS NULL
    UNION ALL
    SELECT 'code', u.code, '22P02',
           pg_catalog.format('invalid unit code %s: %s', spotcheck.registry_quote(u.code), spotcheck.unit_code_reason(u.code)),
           'Use a valid unified social credit code or a 15-digit registration number (注册号); a registered code that fails the check is accepted only once recorded in spotcheck.unit_code_exceptions.'
     WHERE NOT spotcheck.uscc_is_valid(u.code) AND u.code OPERATOR(pg_catalog.!~) '^[0-9]{15}$'
       AND NOT spotcheck.unit_code_excepted(u.code)
    UNION ALL
    SELECT 'name', NULL, '23502', pg_catalog.format('name is mandatory for unit %s', spotcheck.registry_quote(u.code)),
           'Give the unit''s registered name.'
     WHERE u.name IS NULL
    UNION ALL
    SELECT 'address', NULL, '23502', pg_catalog.format('address is mandatory for unit %s', spotcheck.registry_quote(u.code)),
           'Give the unit''s address.'
     WHERE u.address IS NULL
    UNION ALL
    SELECT 'responsible_person', NULL, '23502', pg_catalog.format('responsible_person is mandatory for unit %s', spotcheck.registry_quote(u.code)),
           'Give the fire-safety responsible person (消防安全责任人): the legal representative or principal.'
     WHERE u.responsible_person IS NULL
    UNION ALL
    SELECT 'unit_type', NULL, '23502', pg_catalog.format('unit_type is mandatory for unit %s', spotcheck.registry_quote(u.code)),
           'Give the unit type (单位类型).'
     WHERE u.unit_type IS NULL
    UNION ALL
    SELECT 'agency', NULL, '23502', pg_catalog.format('agency is mandatory for unit %s', spotcheck.registry_quote(u.code)),
           'Give the code of the agency whose directory holds the unit.'
     WHERE u.agency IS NULL
    UNION ALL
    SELECT 'agency', u.agency, '23503', pg_catalog.format('agency %s of unit %s does not exist', spotcheck.registry_quote(u.agency), spotcheck.registry_quote(u.code)),
           'Use the code of a registered agency (spotcheck.agencies).'
     WHERE u.agency IS NOT NULL
       AND NOT EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code OPERATOR(pg_catalog.=) u.agency)
    UNION ALL
    SELECT 'responsible_phone', u.responsible_phone, '22023',
           pg_catalog.format('invalid responsible_phone %s for unit %s', spotcheck.registry_quote(u.responsible_phone), spotcheck.registry_quote(u.code)),
           'A phone number has 5 to 31 digits, spaces, "-" or parentheses, optionally after a leading "+".'
     WHERE u.responsible_phone OPERATOR(pg_catalog.!~) '^\+?[0-9][0-9 ()-]{4,30}$'
    UNION ALL
    SELECT 'manager_phone', u.manager_phone, '22023',
           pg_catalog.format('invalid manager_phone %s for unit %s', spotcheck.registry_quote(u.manager_phone), spotcheck.registry_quote(u.code)),
           'A phone number has 5 to 31 digits, spaces, "-" or parentheses, optionally after a leading "+".'
     WHERE u.manager_phone OPERATOR(pg_catalog.!~) '^\+?[0-9][0-9 ()-]{4,30}$'
    UNION ALL
    SELECT 'building_area', u.building_area::text, '22003',
           pg_catalog.format('building_area %s of unit %s is not positive', u.building_area, spotcheck.registry_quote(u.code)),
           'The building area is in square metres and greater than 0; leave it empty when unknown.'
     WHERE u.building_area OPERATOR(pg_catalog.<=) 0
    UNION ALL
    SELECT 'region', u.region, '22023', pg_catalog.format('invalid region %s for unit %s', spotcheck.registry_quote(u.region), spotcheck.registry_quote(u.code)),
           'The region is a 6-digit administrative division code (GB/T 2260).'
     WHERE u.region OPERATOR(pg_catalog.!~) '^[0-9]{6}$'
    UNION ALL
    SELECT 'credit_class', u.credit_class, '22023',
           pg_catalog.format('invalid credit_class %s for unit %s', spotcheck.registry_quote(u.credit_class), spotcheck.registry_quote(u.code)),
           'The credit class is A (low risk), B, C or D (very high risk); leave it empty when not rated.'
     WHERE u.credit_class NOT IN ('A', 'B', 'C', 'D')
    UNION ALL
    SELECT 'risk_level', u.risk_level::text, '22003',
           pg_catalog.format('risk_level %s of unit %s is out of range', u.risk_level, spotcheck.registry_quote(u.code)),
           'The risk level is 1 (low), 2 (general), 3 (high) or 4 (very high); leave it empty when not assessed.'
     WHERE u.risk_level NOT BETWEEN 1 AND 4
$$;

-- SECURITY DEFINER: a code's validity (recorded exceptions) and whether a
-- unit is already registered do not depend on which rows the writer may
-- read.  It reads nothing the writer supplies but the row itself, and names
-- the agency holding a code only to a writer who may read that agency.
CREATE FUNCTION spotcheck.units_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p record;
    holder text;
BEGIN
    NEW := spotcheck.unit_normalize(NEW);
    IF TG_OP = 'UPDATE' THEN
        IF NEW.code IS DISTINCT FROM OLD.code THEN
            RAISE EXCEPTION 'the code of unit "%" cannot change to %', OLD.code, spotcheck.registry_quote(NEW.code)
                USING ERRCODE = '55000',
                      HINT = 'A code is the unit''s identity; deactivate this unit and register the new code as a new unit.';
        END IF;
        NEW.registered_at := OLD.registered_at;
        -- an update that changes no value changes nothing, updated_at included
        -- (code_kind, generated, is not yet computed in NEW)
        IF (NEW.name, NEW.address, NEW.responsible_person, NEW.unit_type, NEW.agency,
            NEW.legal_representative, NEW.responsible_phone, NEW.manager_name, NEW.manager_phone,
            NEW.building_area, NEW.building_category, NEW.venue_category, NEW.industry_authority,
            NEW.region, NEW.is_key_unit, NEW.is_crowded_place, NEW.credit_class, NEW.risk_level, NEW.active)
           IS NOT DISTINCT FROM
           (OLD.name, OLD.address, OLD.responsible_person, OLD.unit_type, OLD.agency,
            OLD.legal_representative, OLD.responsible_phone, OLD.manager_name, OLD.manager_phone,
            OLD.building_area, OLD.building_category, OLD.venue_category, OLD.industry_authority,
            OLD.region, OLD.is_key_unit, OLD.is_crowded_place, OLD.credit_class, OLD.risk_level, OLD.active) THEN
            NEW.updated_at := OLD.updated_at;
            RETURN NEW;
        END IF;
    ELSE
        NEW.registered_at := now();
        NEW.updated_at := now();
        -- A row the bulk loader inserts it has just checked with these very
        -- rules (unit_problems on the same normalised row, in the same
        -- transaction; what they consult -- agencies, append-only code
        -- exceptions -- cannot have gone since), and it settles codes that
        -- are already registered itself.  Only the loader's own code can
        -- say that a load is writing (src/registry.c).
        IF spotcheck.registry_bulk_active('spotcheck.units'::regclass) THEN
            RETURN NEW;
        END IF;
        -- a clear message for a second registration (the primary key would
        -- refuse it anyway)
        SELECT u.agency INTO holder FROM spotcheck.units u WHERE u.code = NEW.code;
        IF FOUND THEN
            RAISE EXCEPTION 'unit "%" is already registered, with %', NEW.code,
                    CASE WHEN holder = ANY (spotcheck.caller_readable_agencies())
                         THEN pg_catalog.format('agency "%s"', holder) ELSE 'another agency' END
                USING ERRCODE = '23505',
                      HINT = 'A unit is registered once: update that row, or ask the agency that holds it (an administrator can say which) to transfer it.';
        END IF;
    END IF;
    NEW.updated_at := now();
    FOR p IN SELECT * FROM spotcheck.unit_problems(NEW) LIMIT 1 LOOP
        RAISE EXCEPTION USING ERRCODE = p.sqlstate, MESSAGE = p.message, HINT = p.hint;
    END LOOP;
    RETURN NEW;
END
$$;
CREATE TRIGGER units_check BEFORE INSERT OR UPDATE ON spotcheck.units
    FOR EACH ROW EXECUTE FUNCTION spotcheck.units_check();

-- Deactivate, never delete: a plan may refer to the row (plans keep the
-- code), so a registered unit or inspector stays for good.
CREATE FUNCTION spotcheck.refuse_registry_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION '% "%" cannot be deleted', TG_ARGV[0], pg_catalog.to_jsonb(OLD) ->> 'code'
        USING ERRCODE = '55000',
              HINT = format('A registered %s is never deleted: set active = false to take it out of the draws.', TG_ARGV[0]);
END
$$;
CREATE TRIGGER units_no_delete BEFORE DELETE ON spotcheck.units
    FOR EACH ROW EXECUTE FUNCTION spotcheck.refuse_registry_delete('unit');
CREATE TRIGGER units_no_truncate BEFORE TRUNCATE ON spotcheck.units
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change(
        'A registered unit is never deleted: set active = false to take it out of the draws.');

-- The items in force on a day that apply to a unit: its agency's effective
-- list, restricted by each item's object scope (an empty scope restricts
-- nothing).
CREATE FUNCTION spotcheck.unit_check_items(unit text, on_date date DEFAULT CURRENT_DATE)
RETURNS TABLE (id bigint, code text, title text, subject text, methods text[], ratio numeric,
               frequency_per_year smallint)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT e.id, e.code, e.title, e.subject, e.methods, e.ratio, e.frequency_per_year
      FROM spotcheck.units u,
           LATERAL spotcheck.effective_check_items(u.agency, on_date) e
     WHERE u.code = spotcheck.unit_code_normalize(unit_check_items.unit)
       AND (e.unit_types = '{}' OR u.unit_type = ANY (e.unit_types))
       AND (e.venue_categories = '{}' OR u.venue_category = ANY (e.venue_categories))
     ORDER BY e.code, e.id
$$;
COMMENT ON FUNCTION spotcheck.unit_check_items(text, date) IS
    'the items in force on a day whose object scope covers the unit';

SELECT pg_catalog.pg_extension_config_dump('spotcheck.unit_code_exceptions', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.units', '');
