-- The spot-check item list (随机抽查事项清单, Article 7).
--
-- Each agency keeps its own items.  A brigade's list derives from its
-- detachment's (and so on up): the effective list of an agency is every item
-- in force of the agency and of its upper levels, where an item that an
-- agency at or above it narrows is replaced by the narrowing item.  Inherited
-- items are never copied.  A narrowing item refers to the item it narrows
-- (parent_item); what it leaves empty it inherits, and what it sets may only
-- be stricter: a ratio and a frequency at least as high, an object scope
-- within the narrowed one.  Items are retired with valid_to, never deleted
-- once in force or used by a plan.

CREATE TABLE spotcheck.check_items (
    id                   bigserial PRIMARY KEY,
    agency               text NOT NULL REFERENCES spotcheck.agencies (code),
    code                 text NOT NULL,
    title                text,
    sub_item             text,
    legal_basis          text,
    content              text,
    unit_types           text[] NOT NULL DEFAULT '{}',
    venue_categories     text[] NOT NULL DEFAULT '{}',
    methods              text[],
    ratio                numeric(5,2),
    frequency_per_year   smallint,
    inspector_requirement text,
    remarks              text,
    valid_from           date NOT NULL DEFAULT CURRENT_DATE,
    valid_to             date,
    parent_item          bigint REFERENCES spotcheck.check_items (id),
    created_by           name NOT NULL DEFAULT CURRENT_USER,
    created_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT check_items_code_unique UNIQUE (agency, code),
    CONSTRAINT check_items_code_format CHECK (code ~ '^[^[:space:]].{0,63}$'),
    CONSTRAINT check_items_period CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CONSTRAINT check_items_ratio_range CHECK (ratio > 0 AND ratio <= 100),
    CONSTRAINT check_items_frequency_range CHECK (frequency_per_year BETWEEN 1 AND 366),
    CONSTRAINT check_items_methods_known CHECK (methods <@ ARRAY['实地检查', '书面检查', '检验检测', '网络监测', '委托专业机构辅助']
                                                AND pg_catalog.cardinality(methods) > 0),
    CONSTRAINT check_items_root_complete CHECK (parent_item IS NOT NULL OR
        (title IS NOT NULL AND legal_basis IS NOT NULL AND content IS NOT NULL
         AND methods IS NOT NULL AND ratio IS NOT NULL AND frequency_per_year IS NOT NULL))
);
CREATE INDEX check_items_parent_idx ON spotcheck.check_items (parent_item);
COMMENT ON TABLE spotcheck.check_items IS
    'the spot-check item list of each agency (Article 7); agency = 抽查主体; ratio in percent';
COMMENT ON COLUMN spotcheck.check_items.unit_types IS
    'unit types the item applies to; empty: no restriction (beyond the narrowed item''s)';
COMMENT ON COLUMN spotcheck.check_items.parent_item IS
    'the item of an upper-level agency that this item narrows; NULL for an item of its own';

-- Where a plan uses an item.  Plan tables register their references here (a
-- row per plan and item, e.g. used_by = 'plan:42'); a used item can never be
-- deleted and only its valid_to and remarks can change.  Rows are permanent.
CREATE TABLE spotcheck.check_item_uses (
    item_id   bigint NOT NULL REFERENCES spotcheck.check_items (id),
    used_by   text NOT NULL CHECK (pg_catalog.btrim(used_by) <> ''),
    used_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (item_id, used_by)
);
COMMENT ON TABLE spotcheck.check_item_uses IS
    'references from plans to items; registering one freezes the item (append-only)';

-- The item with every inherited field filled in from the items it narrows,
-- and the period in which the whole chain is in force (chain_valid_from:
-- the latest start; chain_valid_to: the earliest end).  Runs with the
-- caller's rights: it resolves only items the caller may read (an item it
-- may not read comes back as a row of NULLs).
CREATE FUNCTION spotcheck.check_item_resolved(item bigint,
    OUT id bigint, OUT agency text, OUT title text, OUT legal_basis text, OUT content text,
    OUT unit_types text[], OUT venue_categories text[], OUT methods text[], OUT ratio numeric,
    OUT frequency_per_year smallint, OUT valid_from date, OUT valid_to date,
    OUT chain_valid_from date, OUT chain_valid_to date)
LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
    WITH RECURSIVE up AS (
        SELECT i.*, 0 AS depth FROM spotcheck.check_items i WHERE i.id = item
        UNION ALL
        SELECT i.*, up.depth + 1 FROM spotcheck.check_items i JOIN up ON i.id = up.parent_item
         WHERE up.depth < 64
    )
    SELECT (SELECT u.id FROM up u WHERE u.depth = 0),
           (SELECT u.agency FROM up u WHERE u.depth = 0),
           (SELECT u.title FROM up u WHERE u.title IS NOT NULL ORDER BY u.depth LIMIT 1),
           (SELECT u.legal_basis FROM up u WHERE u.legal_basis IS NOT NULL ORDER BY u.depth LIMIT 1),
           (SELECT u.content FROM up u WHERE u.content IS NOT NULL ORDER BY u.depth LIMIT 1),
           coalesce((SELECT u.unit_types FROM up u WHERE u.unit_types <> '{}' ORDER BY u.depth LIMIT 1), '{}'),
           coalesce((SELECT u.venue_categories FROM up u WHERE u.venue_categories <> '{}' ORDER BY u.depth LIMIT 1), '{}'),
           (SELECT u.methods FROM up u WHERE u.methods IS NOT NULL ORDER BY u.depth LIMIT 1),
           (SELECT u.ratio FROM up u WHERE u.ratio IS NOT NULL ORDER BY u.depth LIMIT 1),
           (SELECT u.frequency_per_year FROM up u WHERE u.frequency_per_year IS NOT NULL ORDER BY u.depth LIMIT 1),
           (SELECT u.valid_from FROM up u WHERE u.depth = 0),
           (SELECT u.valid_to FROM up u WHERE u.depth = 0),
           (SELECT pg_catalog.max(u.valid_from) FROM up u),
           (SELECT pg_catalog.min(u.valid_to) FROM up u)
$$;

-- Is the narrowing row r (its own fields) at least as strict as the resolved
-- item p?  Raises the first violation.
CREATE FUNCTION spotcheck.check_item_narrowing_check(r spotcheck.check_items, p record)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF r.ratio IS NOT NULL AND r.ratio < p.ratio THEN
        RAISE EXCEPTION 'item % of agency "%" lowers the sampling ratio of the item it narrows from % to %',
                spotcheck.registry_quote(r.code), r.agency, p.ratio, r.ratio
            USING ERRCODE = '23514',
                  HINT = 'A narrowing item may only be stricter: use a ratio of at least the narrowed item''s, or leave it empty to inherit it.';
    END IF;
    IF r.frequency_per_year IS NOT NULL AND r.frequency_per_year < p.frequency_per_year THEN
        RAISE EXCEPTION 'item % of agency "%" lowers the frequency of the item it narrows from % to % a year',
                spotcheck.registry_quote(r.code), r.agency, p.frequency_per_year, r.frequency_per_year
            USING ERRCODE = '23514',
                  HINT = 'A narrowing item may only be stricter: check at least as often, or leave the frequency empty to inherit it.';
    END IF;
    IF p.unit_types <> '{}' AND NOT (r.unit_types <@ p.unit_types) THEN
        RAISE EXCEPTION 'item % of agency "%" widens the unit types of the item it narrows: % is not within %',
                spotcheck.registry_quote(r.code), r.agency, r.unit_types, p.unit_types
            USING ERRCODE = '23514',
                  HINT = 'A narrowing item may only apply to a subset of the narrowed item''s unit types (empty inherits them).';
    END IF;
    IF p.venue_categories <> '{}' AND NOT (r.venue_categories <@ p.venue_categories) THEN
        RAISE EXCEPTION 'item % of agency "%" widens the venue categories of the item it narrows: % is not within %',
                spotcheck.registry_quote(r.code), r.agency, r.venue_categories, p.venue_categories
            USING ERRCODE = '23514',
                  HINT = 'A narrowing item may only apply to a subset of the narrowed item''s venue categories (empty inherits them).';
    END IF;
END
$$;

-- (Not SECURITY DEFINER: CURRENT_USER must be the writer.)
CREATE FUNCTION spotcheck.check_items_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p record;
    m text;
    allowed CONSTANT text[] := ARRAY['实地检查', '书面检查', '检验检测', '网络监测', '委托专业机构辅助'];
BEGIN
    NEW.code := spotcheck.registry_trim(NEW.code);
    IF NOT EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code = NEW.agency) THEN
        RAISE EXCEPTION 'agency % of item % does not exist', spotcheck.registry_quote(NEW.agency), spotcheck.registry_quote(NEW.code)
            USING ERRCODE = '23503', HINT = 'The subject of an item is a registered agency (spotcheck.agencies).';
    END IF;
    IF NEW.code IS NULL THEN
        RAISE EXCEPTION 'an item code cannot be blank'
            USING ERRCODE = '23502', HINT = 'Give the item its number (编号) on the agency''s list.';
    END IF;
    IF EXISTS (SELECT FROM spotcheck.check_items i
                WHERE i.agency = NEW.agency AND i.code = NEW.code AND i.id <> NEW.id) THEN
        RAISE EXCEPTION 'agency "%" already has an item %', NEW.agency, spotcheck.registry_quote(NEW.code)
            USING ERRCODE = '23505', HINT = 'Item codes are unique on an agency''s list; retired items keep theirs.';
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.created_by := CURRENT_USER;
        NEW.created_at := now();
    ELSE
        NEW.created_by := OLD.created_by;
        NEW.created_at := OLD.created_at;
        IF NEW.id <> OLD.id OR NEW.agency <> OLD.agency OR NEW.parent_item IS DISTINCT FROM OLD.parent_item THEN
            RAISE EXCEPTION 'item "%" of agency "%" cannot change its id, agency or the item it narrows', OLD.code, OLD.agency
                USING ERRCODE = '55000', HINT = 'Retire the item with valid_to and add a new one.';
        END IF;
        IF EXISTS (SELECT FROM spotcheck.check_item_uses u WHERE u.item_id = OLD.id)
           AND (pg_catalog.to_jsonb(NEW) - 'valid_to' - 'remarks') <> (pg_catalog.to_jsonb(OLD) - 'valid_to' - 'remarks') THEN
            RAISE EXCEPTION 'item "%" of agency "%" is used by a plan; only its valid_to and remarks can change', OLD.code, OLD.agency
                USING ERRCODE = '55000', HINT = 'Retire the item with valid_to and add a new one with the new content.';
        END IF;
        IF NEW.valid_from <> OLD.valid_from AND OLD.valid_from <= CURRENT_DATE THEN
            RAISE EXCEPTION 'item "%" of agency "%" has been in force since %; its valid_from cannot change', OLD.code, OLD.agency, to_char(OLD.valid_from, 'YYYY-MM-DD')
                USING ERRCODE = '55000', HINT = 'Retire the item with valid_to and add a new one.';
        END IF;
        IF NEW.valid_to IS DISTINCT FROM OLD.valid_to AND NEW.valid_to < CURRENT_DATE - 1
           AND OLD.valid_from < CURRENT_DATE THEN
            RAISE EXCEPTION 'item "%" of agency "%" cannot be retired retroactively (valid_to %)', OLD.code, OLD.agency, to_char(NEW.valid_to, 'YYYY-MM-DD')
                USING ERRCODE = '22008', HINT = 'The earliest valid_to is yesterday, which retires the item from today.';
        END IF;
    END IF;
    IF NEW.valid_to < NEW.valid_from THEN
        RAISE EXCEPTION 'item % of agency "%" ends (%) before it starts (%)', spotcheck.registry_quote(NEW.code), NEW.agency, to_char(NEW.valid_to, 'YYYY-MM-DD'), to_char(NEW.valid_from, 'YYYY-MM-DD')
            USING ERRCODE = '22008', HINT = 'valid_to is the last day the item is in force; it cannot precede valid_from.';
    END IF;
    IF NEW.ratio IS NOT NULL AND (NEW.ratio <= 0 OR NEW.ratio > 100) THEN
        RAISE EXCEPTION 'sampling ratio % of item % is out of range', NEW.ratio, spotcheck.registry_quote(NEW.code)
            USING ERRCODE = '22003', HINT = 'The ratio is a percentage greater than 0 and at most 100.';
    END IF;
    IF NEW.frequency_per_year IS NOT NULL AND (NEW.frequency_per_year < 1 OR NEW.frequency_per_year > 366) THEN
        RAISE EXCEPTION 'frequency % of item % is out of range', NEW.frequency_per_year, spotcheck.registry_quote(NEW.code)
            USING ERRCODE = '22003', HINT = 'The frequency is the number of checks a year, from 1 to 366.';
    END IF;
    IF NEW.methods IS NOT NULL THEN
        IF pg_catalog.cardinality(NEW.methods) = 0 THEN
            RAISE EXCEPTION 'item % names no check method', spotcheck.registry_quote(NEW.code)
                USING ERRCODE = '22023', HINT = 'Name at least one of 实地检查, 书面检查, 检验检测, 网络监测, 委托专业机构辅助.';
        END IF;
        FOREACH m IN ARRAY NEW.methods LOOP
            IF m IS NULL OR NOT m = ANY (allowed) THEN
                RAISE EXCEPTION 'unknown check method % in item %', spotcheck.registry_quote(m), spotcheck.registry_quote(NEW.code)
                    USING ERRCODE = '22023', HINT = 'Methods are 实地检查, 书面检查, 检验检测, 网络监测, 委托专业机构辅助.';
            END IF;
        END LOOP;
    END IF;
    NEW.title := spotcheck.registry_trim(NEW.title);
    NEW.legal_basis := spotcheck.registry_trim(NEW.legal_basis);
    NEW.content := spotcheck.registry_trim(NEW.content);
    IF NEW.parent_item IS NULL THEN
        IF NEW.title IS NULL OR NEW.legal_basis IS NULL
           OR NEW.content IS NULL OR NEW.methods IS NULL OR NEW.ratio IS NULL
           OR NEW.frequency_per_year IS NULL THEN
            RAISE EXCEPTION 'item % of agency "%" is incomplete: %', spotcheck.registry_quote(NEW.code), NEW.agency,
                    concat_ws(', ', CASE WHEN NEW.title IS NULL THEN 'title' END,
                                    CASE WHEN NEW.legal_basis IS NULL THEN 'legal_basis' END,
                                    CASE WHEN NEW.content IS NULL THEN 'content' END,
                                    CASE WHEN NEW.methods IS NULL THEN 'methods' END,
                                    CASE WHEN NEW.ratio IS NULL THEN 'ratio' END,
                                    CASE WHEN NEW.frequency_per_year IS NULL THEN 'frequency_per_year' END) || ' missing'
                USING ERRCODE = '23502',
                      HINT = 'An item of the agency''s own needs title, legal_basis, content, methods, ratio and frequency_per_year; a narrowing item (parent_item set) inherits them.';
        END IF;
    ELSE
        IF NOT EXISTS (SELECT FROM spotcheck.check_items i WHERE i.id = NEW.parent_item) THEN
            RAISE EXCEPTION 'item % narrowed by item % does not exist', NEW.parent_item, spotcheck.registry_quote(NEW.code)
                USING ERRCODE = '23503', HINT = 'parent_item is the id of an item of an upper-level agency.';
        END IF;
        SELECT * INTO p FROM spotcheck.check_item_resolved(NEW.parent_item);
        IF p.agency = NEW.agency OR NOT p.agency IN (SELECT a FROM spotcheck.agency_ancestors(NEW.agency) a) THEN
            RAISE EXCEPTION 'item % of agency "%" cannot narrow item % of agency "%", which is not above it',
                    spotcheck.registry_quote(NEW.code), NEW.agency, NEW.parent_item, p.agency
                USING ERRCODE = '23514', HINT = 'A narrowing item refers to an item of one of the agency''s upper levels.';
        END IF;
        -- everything it narrows, up to the top of the chain, must be in force
        -- when it starts (a narrowing is in force only while its chain is)
        IF NEW.valid_from < p.chain_valid_from OR NEW.valid_from > p.chain_valid_to THEN
            RAISE EXCEPTION 'item % starts on %, outside the period in which the items it narrows are in force (% to %)',
                    spotcheck.registry_quote(NEW.code), to_char(NEW.valid_from, 'YYYY-MM-DD'),
                    to_char(p.chain_valid_from, 'YYYY-MM-DD'), coalesce(to_char(p.chain_valid_to, 'YYYY-MM-DD'), 'open')
                USING ERRCODE = '22008',
                      HINT = 'A narrowing item can start only while the item it narrows, and every item that one narrows, is in force.';
        END IF;
        -- and end when the chain ends, at the latest: a new narrowing, or one
        -- whose valid_to is put later, cannot outlive what it narrows
        IF p.chain_valid_to IS NOT NULL AND (NEW.valid_to IS NULL OR NEW.valid_to > p.chain_valid_to)
           AND (TG_OP = 'INSERT' OR COALESCE(NEW.valid_to, 'infinity'::date) > COALESCE(OLD.valid_to, 'infinity'::date)) THEN
            RAISE EXCEPTION 'item % would be in force until %, after the items it narrows end on %',
                    spotcheck.registry_quote(NEW.code), coalesce(to_char(NEW.valid_to, 'YYYY-MM-DD'), 'further notice (no valid_to)'),
                    to_char(p.chain_valid_to, 'YYYY-MM-DD')
                USING ERRCODE = '22008',
                      HINT = format('A narrowing item is in force only while everything it narrows is: set valid_to to %s or earlier.',
                                    to_char(p.chain_valid_to, 'YYYY-MM-DD'));
        END IF;
        PERFORM spotcheck.check_item_narrowing_check(NEW, p);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER check_items_check BEFORE INSERT OR UPDATE ON spotcheck.check_items
    FOR EACH ROW EXECUTE FUNCTION spotcheck.check_items_check();

-- A change to an item must not leave an item below it laxer than what it
-- narrows (the narrowing items may belong to agencies the writer cannot see).
CREATE FUNCTION spotcheck.check_items_check_below() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    d spotcheck.check_items;
    p record;
BEGIN
    FOR d IN
        WITH RECURSIVE down AS (
            SELECT c.* FROM spotcheck.check_items c WHERE c.parent_item = NEW.id
            UNION ALL
            SELECT c.* FROM spotcheck.check_items c JOIN down ON c.parent_item = down.id
        )
        SELECT * FROM down
    LOOP
        SELECT * INTO p FROM spotcheck.check_item_resolved(d.parent_item);
        BEGIN
            PERFORM spotcheck.check_item_narrowing_check(d, p);
        EXCEPTION WHEN check_violation THEN
            -- the narrowing item is named only to a writer who may read its agency
            IF d.agency = ANY (spotcheck.caller_readable_agencies()) THEN
                RAISE EXCEPTION 'changing item "%" of agency "%" would make item "%" of agency "%" laxer than what it narrows',
                        NEW.code, NEW.agency, d.code, d.agency
                    USING ERRCODE = '23514', DETAIL = SQLERRM,
                          HINT = 'Tighten or retire the narrowing item first.';
            END IF;
            RAISE EXCEPTION 'changing item "%" of agency "%" would make an item of an agency below it laxer than what it narrows',
                    NEW.code, NEW.agency
                USING ERRCODE = '23514',
                      HINT = 'Ask the agencies below to tighten or retire their narrowing items first.';
        END;
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER check_items_check_below AFTER UPDATE OF ratio, frequency_per_year, unit_types, venue_categories
    ON spotcheck.check_items FOR EACH ROW EXECUTE FUNCTION spotcheck.check_items_check_below();

-- An item is deleted only when it was never in force, nobody narrows it and
-- no plan uses it (a draft entered by mistake); otherwise it is retired.
CREATE FUNCTION spotcheck.check_items_guard_delete() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT FROM spotcheck.check_item_uses u WHERE u.item_id = OLD.id) THEN
        RAISE EXCEPTION 'item "%" of agency "%" is used by a plan and cannot be deleted', OLD.code, OLD.agency
            USING ERRCODE = '55000', HINT = 'Retire it instead: set valid_to to the last day it is in force.';
    ELSIF OLD.valid_from <= CURRENT_DATE THEN
        RAISE EXCEPTION 'item "%" of agency "%" has been in force since % and cannot be deleted', OLD.code, OLD.agency, to_char(OLD.valid_from, 'YYYY-MM-DD')
            USING ERRCODE = '55000', HINT = 'Retire it instead: set valid_to to the last day it is in force.';
    ELSIF EXISTS (SELECT FROM spotcheck.check_items c WHERE c.parent_item = OLD.id) THEN
        RAISE EXCEPTION 'item "%" of agency "%" is narrowed by other items and cannot be deleted', OLD.code, OLD.agency
            USING ERRCODE = '55000', HINT = 'Retire it instead: set valid_to to the last day it is in force.';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER check_items_guard_delete BEFORE DELETE ON spotcheck.check_items
    FOR EACH ROW EXECUTE FUNCTION spotcheck.check_items_guard_delete();

CREATE FUNCTION spotcheck.refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION '% on %.% is not allowed', lower(TG_OP), TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = '55000', HINT = coalesce(TG_ARGV[0], 'The rows of this table are permanent records.');
END
$$;
CREATE TRIGGER check_item_uses_append_only BEFORE UPDATE OR DELETE ON spotcheck.check_item_uses
    FOR EACH ROW EXECUTE FUNCTION spotcheck.refuse_change('A reference from a plan to an item is a permanent record.');
CREATE TRIGGER check_items_no_truncate BEFORE TRUNCATE ON spotcheck.check_items
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change('Items are retired with valid_to, never deleted.');
CREATE TRIGGER check_item_uses_no_truncate BEFORE TRUNCATE ON spotcheck.check_item_uses
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change('A reference from a plan to an item is a permanent record.');

-- The effective item list of an agency on a day: its own items and those of
-- its upper levels in force that day, each narrowed item replaced by the
-- items narrowing it, every inherited field resolved.  A narrowing item is in
-- force only while everything it narrows is.
CREATE FUNCTION spotcheck.effective_check_items(agency text, on_date date DEFAULT CURRENT_DATE)
RETURNS TABLE (id bigint, code text, title text, sub_item text, legal_basis text, content text,
               subject text, unit_types text[], venue_categories text[], methods text[],
               ratio numeric, frequency_per_year smallint, inspector_requirement text,
               valid_from date, valid_to date, narrows bigint, inherited boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH RECURSIVE chain AS (
        SELECT a AS code FROM spotcheck.agency_ancestors(agency) a
    ), cand AS (
        SELECT i.* FROM spotcheck.check_items i JOIN chain c ON i.agency = c.code
         WHERE i.valid_from <= on_date AND (i.valid_to IS NULL OR i.valid_to >= on_date)
    ), resolved AS (
        SELECT c.id, c.agency, c.code, c.title, c.sub_item, c.legal_basis, c.content, c.unit_types,
               c.venue_categories, c.methods, c.ratio, c.frequency_per_year, c.inspector_requirement,
               c.valid_from, c.valid_to, c.parent_item, 0 AS depth
          FROM cand c WHERE c.parent_item IS NULL
        UNION ALL
        SELECT c.id, c.agency, c.code, coalesce(c.title, r.title), coalesce(c.sub_item, r.sub_item),
               coalesce(c.legal_basis, r.legal_basis), coalesce(c.content, r.content),
               CASE WHEN c.unit_types = '{}' THEN r.unit_types ELSE c.unit_types END,
               CASE WHEN c.venue_categories = '{}' THEN r.venue_categories ELSE c.venue_categories END,
               coalesce(c.methods, r.methods), coalesce(c.ratio, r.ratio),
               coalesce(c.frequency_per_year, r.frequency_per_year),
               coalesce(c.inspector_requirement, r.inspector_requirement),
               c.valid_from, c.valid_to, c.parent_item, r.depth + 1
          FROM cand c JOIN resolved r ON c.parent_item = r.id
         WHERE r.depth < 64
    )
    SELECT r.id, r.code, r.title, r.sub_item, r.legal_basis, r.content, r.agency, r.unit_types,
           r.venue_categories, r.methods, r.ratio, r.frequency_per_year, r.inspector_requirement,
           r.valid_from, r.valid_to, r.parent_item, r.agency <> effective_check_items.agency
      FROM resolved r
     WHERE NOT EXISTS (SELECT FROM resolved n WHERE n.parent_item = r.id)
     ORDER BY r.agency <> effective_check_items.agency, r.code, r.id
$$;
COMMENT ON FUNCTION spotcheck.effective_check_items(text, date) IS
    'the item list in force for an agency on a day: inherited, own and narrowing items, fields resolved';

SELECT pg_catalog.pg_extension_config_dump('spotcheck.check_items', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.check_item_uses', '');
