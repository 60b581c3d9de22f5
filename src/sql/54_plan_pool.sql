-- The pool of a plan (Articles 14, 17): every unit of the plan's directory
-- falls in exactly one stratum, or is left out for a reason that
-- spotcheck.explain_exclusion gives; every unit of the pool gets its weight,
-- which spotcheck.explain_weight explains.  Also the two records an agency
-- uses to make sure no unit is undrawable: a decision to leave a unit out of
-- the pools of some months, and an inspector seconded from an upper level
-- or a partner department.
--
-- Strata (in this order):
--   must_cover   monthly plans: units that still owe a yearly minimum — every
--                crowded-place key unit (人员密集场所消防安全重点单位, Article
--                14) and every unit of a class in annual_plan_minimums — not
--                yet a target of a live plan this year
--   key_crowded  other crowded-place key units
--   key_other    other key units (消防安全重点单位)
--   general      ordinary units (一般单位)
-- (special and joint plans draw their campaign's scope as one stratum).
-- Left out, first reason that applies:
--   inactive          the unit is deactivated
--   decision          a recorded decision leaves it out of this month
--   out_of_scope      none of the plan's items covers it
--   open_plan         it is a target of a live plan of the agency whose
--                     deadline has not passed by the start of the month
--   recently_checked  an inspection outcome in the last recent_check_days
--                     before the month (never for a unit owing a minimum)

-- ---- decisions and secondments --------------------------------------------------

CREATE TABLE spotcheck.pool_decisions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency       text NOT NULL REFERENCES spotcheck.agencies (code),
    unit         text NOT NULL REFERENCES spotcheck.units (code),
    first_month  date NOT NULL,
    last_month   date NOT NULL,
    reason       text NOT NULL,
    decided_by   name NOT NULL DEFAULT CURRENT_USER,
    decided_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT pool_decisions_months CHECK (pg_catalog.date_part('day', first_month) = 1
        AND pg_catalog.date_part('day', last_month) = 1 AND last_month >= first_month),
    CONSTRAINT pool_decisions_reason CHECK (pg_catalog.length(pg_catalog.btrim(reason)) >= 4)
);
CREATE INDEX pool_decisions_unit_idx ON spotcheck.pool_decisions (unit);
COMMENT ON TABLE spotcheck.pool_decisions IS
    'a recorded decision to leave a unit out of an agency''s pools for some months (e.g. a unit no team could inspect), with its reason; reported, never silent';

CREATE TABLE spotcheck.inspector_secondments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspector    text NOT NULL REFERENCES spotcheck.inspectors (code),
    agency       text NOT NULL REFERENCES spotcheck.agencies (code),
    starts       date NOT NULL,
    ends         date NOT NULL,
    reason       text NOT NULL,
    recorded_by  name NOT NULL DEFAULT CURRENT_USER,
    recorded_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT inspector_secondments_period CHECK (ends >= starts),
    CONSTRAINT inspector_secondments_reason CHECK (pg_catalog.length(pg_catalog.btrim(reason)) >= 4)
);
CREATE INDEX inspector_secondments_agency_idx ON spotcheck.inspector_secondments (agency, starts);
COMMENT ON TABLE spotcheck.inspector_secondments IS
    'an inspector of an upper level or of a partner department who joins an agency''s inspector pool for a period (inclusive); drawn like the agency''s own';

-- Who owns an inspector, as far as the caller may know: the agency and its
-- level when the caller may read that agency, or when that agency may lend
-- the caller's agencies its inspectors -- an upper level of one of them (the
-- writer of a secondment names an inspector of an upper level's directory,
-- which it cannot read) or a partner department.  Of any other inspector
-- (a sibling brigade's, say) nothing, as of a code that does not exist.
CREATE FUNCTION spotcheck.plan_inspector_owner(inspector text, OUT agency text, OUT level text)
LANGUAGE sql STABLE STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT i.agency, a.level FROM spotcheck.inspectors i JOIN spotcheck.agencies a ON a.code OPERATOR(pg_catalog.=) i.agency
     WHERE i.code OPERATOR(pg_catalog.=) inspector
       AND (spotcheck.caller_may_read(i.agency)
            OR a.level OPERATOR(pg_catalog.=) 'department'
            OR i.agency OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT u.u FROM pg_catalog.unnest(spotcheck.caller_agencies()) AS m(agency),
                                                                     LATERAL spotcheck.agency_ancestors(m.agency) AS u(u))))
$$;

-- (Not SECURITY DEFINER: CURRENT_USER must be the writer.)
CREATE FUNCTION spotcheck.pool_records_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    owner record;
    unit_agency text;
BEGIN
    IF TG_TABLE_NAME = 'pool_decisions' THEN
        IF TG_OP = 'UPDATE' AND (pg_catalog.to_jsonb(NEW) - 'last_month') OPERATOR(pg_catalog.<>) (pg_catalog.to_jsonb(OLD) - 'last_month') THEN
            RAISE EXCEPTION 'decision % can only change its last month', OLD.id
                USING ERRCODE = '55000', HINT = 'Record a new decision for anything else.';
        END IF;
        IF TG_OP = 'INSERT' THEN
            NEW.unit := spotcheck.unit_code_normalize(NEW.unit);
            SELECT u.agency INTO unit_agency FROM spotcheck.units u WHERE u.code = NEW.unit;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'unit "%" of the decision does not exist', NEW.unit
                    USING ERRCODE = '23503', HINT = 'Use the code of a unit in the directory you may read.';
            END IF;
            IF NOT NEW.agency IN (SELECT a FROM spotcheck.agency_ancestors(unit_agency) a) THEN
                RAISE EXCEPTION 'agency "%" cannot decide about unit "%" of agency "%"', NEW.agency, NEW.unit, unit_agency
                    USING ERRCODE = '23514', HINT = 'A decision is taken by the unit''s agency or one above it.';
            END IF;
            NEW.decided_by := CURRENT_USER;
            NEW.decided_at := pg_catalog.now();
        END IF;
        IF NEW.first_month IS NULL OR NEW.last_month IS NULL THEN
            RAISE EXCEPTION 'the decision about unit "%" needs its first and last month', NEW.unit
                USING ERRCODE = '23502', HINT = 'Give the first day of the first and of the last month it covers.';
        END IF;
        NEW.first_month := spotcheck.plan_month_start(NEW.first_month);
        NEW.last_month := spotcheck.plan_month_start(NEW.last_month);
        IF NEW.last_month < NEW.first_month THEN
            RAISE EXCEPTION 'the decision about unit "%" ends (%) before it starts (%)', NEW.unit,
                            spotcheck.plan_month_label(NEW.last_month), spotcheck.plan_month_label(NEW.first_month)
                USING ERRCODE = '22008', HINT = 'Give the first and the last month it covers.';
        END IF;
        IF pg_catalog.length(pg_catalog.btrim(COALESCE(NEW.reason, ''))) < 4 THEN
            RAISE EXCEPTION 'the decision to leave unit "%" out needs a reason', NEW.unit
                USING ERRCODE = '23502', HINT = 'Say why, and who decided: the decision is published with the plan''s exclusions.';
        END IF;
        RETURN NEW;
    END IF;

    -- inspector_secondments
    IF TG_OP = 'UPDATE' AND (NEW.inspector <> OLD.inspector OR NEW.agency <> OLD.agency) THEN
        RAISE EXCEPTION 'secondment % cannot change its inspector or agency', OLD.id
            USING ERRCODE = '55000', HINT = 'Record a new secondment.';
    END IF;
    SELECT * INTO owner FROM spotcheck.plan_inspector_owner(NEW.inspector);
    IF owner.agency IS NULL THEN
        RAISE EXCEPTION 'inspector "%" does not exist', NEW.inspector
            USING ERRCODE = '23503', HINT = 'Use the code of an inspector of spotcheck.inspectors.';
    END IF;
    IF owner.agency = NEW.agency THEN
        RAISE EXCEPTION 'inspector "%" already belongs to agency "%"', NEW.inspector, NEW.agency
            USING ERRCODE = '22023', HINT = 'A secondment brings an inspector of another agency.';
    END IF;
    IF owner.level <> 'department' AND NOT owner.agency IN (SELECT a FROM spotcheck.agency_ancestors(NEW.agency) a) THEN
        RAISE EXCEPTION 'inspector "%" of agency "%" cannot be seconded to agency "%"', NEW.inspector, owner.agency, NEW.agency
            USING ERRCODE = '23514',
                  HINT = 'An agency is lent inspectors by its upper levels or by a partner department; a cross-region plan of the upper level draws across brigades.';
    END IF;
    IF NEW.starts IS NULL OR NEW.ends IS NULL OR NEW.ends < NEW.starts THEN
        RAISE EXCEPTION 'secondment of inspector "%" from % to % is not a period', NEW.inspector,
                        COALESCE(spotcheck.plan_day_label(NEW.starts), 'null'), COALESCE(spotcheck.plan_day_label(NEW.ends), 'null')
            USING ERRCODE = '22008', HINT = 'Give the first and the last day, the last not before the first.';
    END IF;
    IF pg_catalog.length(pg_catalog.btrim(COALESCE(NEW.reason, ''))) < 4 THEN
        RAISE EXCEPTION 'the secondment of inspector "%" needs a reason', NEW.inspector
            USING ERRCODE = '23502', HINT = 'Say why and on whose decision the inspector joins the pool.';
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.recorded_by := CURRENT_USER;
        NEW.recorded_at := pg_catalog.now();
    ELSE
        NEW.recorded_by := OLD.recorded_by;
        NEW.recorded_at := OLD.recorded_at;
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION spotcheck.pool_records_no_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION '% % cannot be deleted', CASE TG_TABLE_NAME WHEN 'pool_decisions' THEN 'decision' ELSE 'secondment' END, OLD.id
        USING ERRCODE = '55000',
              HINT = CASE TG_TABLE_NAME WHEN 'pool_decisions' THEN 'It is a record: end it by setting last_month.'
                                        ELSE 'It is a record: end it by setting ends.' END;
END
$$;

DO $records$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['pool_decisions', 'inspector_secondments'] LOOP
        EXECUTE pg_catalog.format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON spotcheck.%I
                                       FOR EACH ROW EXECUTE FUNCTION spotcheck.pool_records_check()', t || '_check', t);
        EXECUTE pg_catalog.format('CREATE TRIGGER %I BEFORE DELETE ON spotcheck.%I
                                       FOR EACH ROW EXECUTE FUNCTION spotcheck.pool_records_no_delete()', t || '_no_delete', t);
        EXECUTE pg_catalog.format('CREATE TRIGGER %I BEFORE TRUNCATE ON spotcheck.%I
                                       FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change(%L)', t || '_no_truncate', t,
                                  'These are records of decisions; end one by changing its period.');
        EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON spotcheck.%I
                                       FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change(''id'', ''agency'')', t || '_audit', t);
        EXECUTE pg_catalog.format('ALTER TABLE spotcheck.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON spotcheck.%I FOR SELECT USING (agency = ANY ((SELECT spotcheck.readable_agencies())::text[]))',
                                  t || '_read', t);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON spotcheck.%I FOR ALL USING (agency = ANY ((SELECT spotcheck.writable_agencies())::text[])) '
                                  'WITH CHECK (agency = ANY ((SELECT spotcheck.writable_agencies())::text[]))', t || '_write', t);
        EXECUTE pg_catalog.format('SELECT pg_catalog.pg_extension_config_dump(%L, %L)', 'spotcheck.' || t, '');
    END LOOP;
END
$records$;

-- ---- the inspector pool -------------------------------------------------------

-- The inspectors who can be drawn for an agency for every day of a period:
-- its own available inspectors (spotcheck.available_inspectors) and those
-- seconded to it for the whole period who are available too.
CREATE FUNCTION spotcheck.plan_inspector_pool(agency text, from_date date, to_date date)
RETURNS TABLE (inspector text, seconded boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT a.code, false FROM spotcheck.available_inspectors(agency, from_date, to_date) a
    UNION
    SELECT i.code, true
      FROM spotcheck.inspector_secondments s
      JOIN spotcheck.inspectors i ON i.code = s.inspector
     WHERE s.agency = plan_inspector_pool.agency AND s.starts <= from_date AND s.ends >= to_date
       AND i.agency <> plan_inspector_pool.agency
       AND i.active
       AND (i.certificate_valid_until IS NULL OR i.certificate_valid_until >= to_date)
       AND NOT EXISTS (SELECT FROM spotcheck.inspector_absences x
                        WHERE x.inspector = i.code AND x.starts <= to_date AND x.ends >= from_date)
$$;
COMMENT ON FUNCTION spotcheck.plan_inspector_pool(text, date, date) IS
    'the inspectors an agency can draw for a whole period: its own available ones and those seconded to it';

-- Why an inspector of an agency is not in its pool for a period (for the
-- error that says how many are available).
CREATE FUNCTION spotcheck.plan_unavailable_inspectors(agency text, from_date date, to_date date)
RETURNS TABLE (inspector text, name text, why text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT i.code, i.name,
           CASE WHEN NOT i.active THEN 'inactive'
                WHEN i.certificate_valid_until < to_date THEN 'certificate valid until ' || spotcheck.plan_day_label(i.certificate_valid_until)
                ELSE (SELECT x.reason || ' ' || spotcheck.plan_day_label(x.starts) || '..' || spotcheck.plan_day_label(x.ends)
                        FROM spotcheck.inspector_absences x
                       WHERE x.inspector = i.code AND x.starts <= to_date AND x.ends >= from_date
                       ORDER BY x.starts LIMIT 1) END
      FROM spotcheck.inspectors i
     WHERE i.agency = plan_unavailable_inspectors.agency
       AND i.code NOT IN (SELECT p.inspector FROM spotcheck.plan_inspector_pool(plan_unavailable_inspectors.agency, from_date, to_date) p)
     ORDER BY i.code
$$;

-- ---- every unit of a plan's directory, classified and weighed -------------------

-- One row per unit of the scope agencies (matching the campaign filter, if
-- any): its stratum, or the reason it is left out, whether it owes a yearly
-- minimum, the plan items covering it, and its weight factors.  One query:
-- each rule is a join, not a loop per unit.
CREATE FUNCTION spotcheck.plan_classify(
    scope_agencies text[], rules_agency text, items_agency text, item_ids bigint[], month date,
    must_cover_agency text, recent_days integer, duty_months integer, signal_days integer,
    open_agencies text[], unit_types text[], venue_categories text[], units text[],
    single_stratum text, one_unit text DEFAULT NULL)
RETURNS TABLE (unit text, stratum text, reason text, detail text, owes_minimum boolean, items bigint[],
               credit_input text, credit_rule bigint, credit_factor integer,
               risk_input text, risk_rule bigint, risk_factor integer,
               duty_input text, duty_rule bigint, duty_factor integer,
               signals integer, signal_rule bigint, signal_factor integer, weight bigint)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET enable_mergejoin = off AS $$
BEGIN
    -- (dynamic, so that it is planned for the values at hand: a generic plan
    -- of this query joins 50,000 units by nested loops; and without merge
    -- joins, which the row estimates of its common table expressions would
    -- pay for with three sorts of every unit code)
    RETURN QUERY EXECUTE '
    WITH items AS MATERIALIZED (
        SELECT e.id, e.unit_types, e.venue_categories
          FROM spotcheck.effective_check_items($3, $5) e
         WHERE e.id = ANY ($4)
    ), planned AS MATERIALIZED (
        SELECT DISTINCT t.unit FROM spotcheck.plan_target t JOIN spotcheck.plan q ON q.id = t.plan
          JOIN spotcheck.draw td ON td.id = t.draw AND spotcheck.draw_revealed(td)
         WHERE $6 IS NOT NULL AND t.removed_by IS NULL
           AND q.year = pg_catalog.date_part(''year'', $5)::integer AND q.abandoned_at IS NULL
    ), minimums AS MATERIALIZED (
        SELECT m.* FROM spotcheck.annual_plan_minimums m
         WHERE m.agency = $6 AND m.year = pg_catalog.date_part(''year'', $5)::integer
    ), open AS MATERIALIZED (
        SELECT DISTINCT ON (t.unit) t.unit, t.plan, q.kind, q.month, t.deadline
          FROM spotcheck.plan_target t JOIN spotcheck.plan q ON q.id = t.plan
          JOIN spotcheck.draw td ON td.id = t.draw AND spotcheck.draw_revealed(td)
         WHERE q.abandoned_at IS NULL AND (q.agency = ANY ($10) OR q.scope_agencies && $10) AND t.deadline >= $5
           AND t.removed_by IS NULL
         ORDER BY t.unit, t.deadline DESC, t.plan DESC
    ), recent AS MATERIALIZED (
        SELECT o.unit, pg_catalog.max(o.observed_on) AS last_on
          FROM spotcheck.inspection_outcomes o
         WHERE $7 > 0 AND o.voided_at IS NULL
           AND o.observed_on >= $5 - $7 AND o.observed_on < $5
           AND ($15 IS NULL OR o.unit = $15)
         GROUP BY o.unit
    ), decided AS MATERIALIZED (
        SELECT DISTINCT ON (d.unit) d.unit, d.id, d.reason, d.agency
          FROM spotcheck.pool_decisions d
         WHERE d.agency = ANY ($10) AND d.first_month <= $5 AND d.last_month >= $5
         ORDER BY d.unit, d.id DESC
    ), w AS MATERIALIZED (
        SELECT * FROM spotcheck.weigh_units($2, $5, $8, $9, $1, $15)
    ), u AS (
        SELECT u.code, u.active, u.is_key_unit, u.is_crowded_place, u.credit_class, u.risk_level, u.unit_type,
               u.venue_category
          FROM spotcheck.units u
         WHERE u.agency = ANY ($1)
           AND ($15 IS NULL OR u.code = $15)
           AND ($11 = ''{}'' OR u.unit_type = ANY ($11))
           AND ($12 = ''{}'' OR u.venue_category = ANY ($12))
           AND ($13 = ''{}'' OR u.code = ANY ($13))
    ), scope AS MATERIALIZED (
        -- the plan items covering each kind of unit (a few dozen kinds)
        SELECT k.unit_type, k.venue_category,
               ARRAY(SELECT i.id FROM items i
                      WHERE (i.unit_types = ''{}'' OR k.unit_type = ANY (i.unit_types))
                        AND (i.venue_categories = ''{}'' OR k.venue_category = ANY (i.venue_categories))
                      ORDER BY i.id) AS item_ids
          FROM (SELECT DISTINCT u.unit_type, COALESCE(u.venue_category, '''') AS venue_category FROM u) k
    ), c AS (
        SELECT u.code, u.active, u.is_key_unit, u.is_crowded_place, k.item_ids,
               ($6 IS NOT NULL AND u.active AND p.unit IS NULL
                AND ((u.is_key_unit AND u.is_crowded_place)
                     OR EXISTS (SELECT FROM minimums m
                                 WHERE (m.credit_class IS NULL OR m.credit_class = u.credit_class)
                                   AND (m.risk_level IS NULL OR m.risk_level = u.risk_level)
                                   AND (m.unit_type IS NULL OR m.unit_type = u.unit_type)
                                   AND (m.venue_category IS NULL OR m.venue_category = u.venue_category)
                                   AND (m.is_key_unit IS NULL OR m.is_key_unit = u.is_key_unit)
                                   AND (m.is_crowded_place IS NULL OR m.is_crowded_place = u.is_crowded_place)))) AS owes
          FROM u
          JOIN scope k ON k.unit_type = u.unit_type AND k.venue_category = COALESCE(u.venue_category, '''')
          LEFT JOIN planned p ON p.unit = u.code
    )
    SELECT c.code,
           CASE WHEN $14 IS NOT NULL THEN $14
                WHEN c.owes THEN ''must_cover''
                WHEN c.is_key_unit AND c.is_crowded_place THEN ''key_crowded''
                WHEN c.is_key_unit THEN ''key_other''
                ELSE ''general'' END,
           x.reason,
           CASE x.reason
                WHEN ''inactive'' THEN ''the unit is deactivated in the directory''
                WHEN ''decision'' THEN pg_catalog.format(''decision %s of agency %s: %s'', d.id, d.agency, d.reason)
                WHEN ''out_of_scope'' THEN ''none of the plan''''s items covers its unit type and venue category''
                WHEN ''open_plan'' THEN pg_catalog.format(''a target of %s plan %s (%s) with the deadline %s'', o.kind, o.plan,
                                                        spotcheck.plan_month_label(o.month), spotcheck.plan_day_label(o.deadline))
                WHEN ''recently_checked'' THEN pg_catalog.format(''inspected on %s, within %s days before the month'',
                                                               spotcheck.plan_day_label(r.last_on), $7)
           END,
           c.owes, c.item_ids,
           w.credit_input, w.credit_rule, w.credit_factor, w.risk_input, w.risk_rule, w.risk_factor,
           w.duty_input, w.duty_rule, w.duty_factor, w.signals, w.signal_rule, w.signal_factor, w.weight
      FROM c
      LEFT JOIN decided d ON d.unit = c.code
      LEFT JOIN open o ON o.unit = c.code
      LEFT JOIN recent r ON r.unit = c.code
      LEFT JOIN w ON w.unit = c.code
      CROSS JOIN LATERAL (SELECT CASE WHEN NOT c.active THEN ''inactive''
                                      WHEN d.unit IS NOT NULL THEN ''decision''
                                      WHEN pg_catalog.cardinality(c.item_ids) = 0 THEN ''out_of_scope''
                                      WHEN o.unit IS NOT NULL THEN ''open_plan''
                                      WHEN r.unit IS NOT NULL AND NOT c.owes THEN ''recently_checked'' END AS reason) x'
    USING scope_agencies, rules_agency, items_agency, item_ids, month, must_cover_agency, recent_days, duty_months,
          signal_days, open_agencies, unit_types, venue_categories, units, single_stratum, one_unit;
END
$$;
COMMENT ON FUNCTION spotcheck.plan_classify(text[], text, text, bigint[], date, text, integer, integer, integer, text[], text[], text[], text[], text, text) IS
    'internal: every unit of a plan''s directory with its stratum or the reason it is left out, its items and its weight factors';

-- ---- explanations ---------------------------------------------------------------

-- The live parameters for a unit's agency and a month: its annual plan's
-- windows (defaults when there is none) and items.
CREATE FUNCTION spotcheck.plan_unit_context(unit text, month date,
    OUT code text, OUT agency text, OUT has_annual_plan boolean, OUT duty_months integer, OUT signal_days integer,
    OUT recent_days integer, OUT items bigint[])
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT u.code, u.agency, a.agency IS NOT NULL, COALESCE(a.duty_window_months, 12), COALESCE(a.signal_window_days, 90),
           COALESCE(a.recent_check_days, 0),
           ARRAY(SELECT i.item_id FROM spotcheck.annual_plan_items i WHERE i.agency = a.agency AND i.year = a.year ORDER BY i.item_id)
      FROM spotcheck.units u
      LEFT JOIN spotcheck.annual_plans a ON a.agency = u.agency AND a.year = pg_catalog.date_part('year', month)::integer
     WHERE u.code = spotcheck.unit_code_normalize(unit)
$$;

-- The unit and month a caller asks about: it exists and the caller may read it.
CREATE FUNCTION spotcheck.plan_require_unit(unit text, month date, action text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a text;
BEGIN
    IF month IS NULL THEN
        RAISE EXCEPTION 'the month to % must not be null', action
            USING ERRCODE = '22004', HINT = 'Pass the plan month as a date, e.g. ''2026-07-01''.';
    END IF;
    SELECT u.agency INTO a FROM spotcheck.units u WHERE u.code = spotcheck.unit_code_normalize(unit);
    IF NOT FOUND OR NOT spotcheck.caller_may_read(a) THEN
        RAISE EXCEPTION 'unit "%" does not exist', pg_catalog.left(COALESCE(unit, 'null'), 64)
            USING ERRCODE = 'P0002', HINT = 'Use the code of a unit of the directory you may read (spotcheck.units).';
    END IF;
    RETURN a;
END
$$;

-- The plan whose frozen pool answers for a unit and month: the live monthly
-- plan of the unit's agency, else the latest live plan of that month that
-- drew from the unit's directory.
CREATE FUNCTION spotcheck.plan_for_unit_month(unit text, agency text, month date) RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT p.id FROM spotcheck.plan p
     WHERE p.month = spotcheck.plan_month_start(plan_for_unit_month.month) AND p.abandoned_at IS NULL
       AND plan_for_unit_month.agency = ANY (p.scope_agencies)
       AND (EXISTS (SELECT FROM spotcheck.plan_pool x WHERE x.plan = p.id AND x.unit = plan_for_unit_month.unit)
            OR EXISTS (SELECT FROM spotcheck.plan_exclusions x WHERE x.plan = p.id AND x.unit = plan_for_unit_month.unit))
     ORDER BY p.kind = 'month' AND p.agency = plan_for_unit_month.agency DESC, p.id DESC
     LIMIT 1
$$;

-- Why me, why so often: each factor of a unit's weight for a month, the rule
-- that gave it, and the product.  When a live plan of that month has the unit
-- in its pool, the weight it was drawn with (frozen); otherwise the weight it
-- would get now.
CREATE FUNCTION spotcheck.explain_weight(unit text, month date)
RETURNS TABLE (factor text, input text, rule bigint, rule_agency text, rule_label text, multiplier bigint, note text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    ag text;
    m date;
    ctx record;
    pid bigint;
    f record;
    src text;
BEGIN
    ag := spotcheck.plan_require_unit(unit, month, 'explain a weight for');
    m := spotcheck.plan_month_start(month);
    SELECT * INTO ctx FROM spotcheck.plan_unit_context(unit, m);
    pid := spotcheck.plan_for_unit_month(ctx.code, ag, m);
    IF pid IS NOT NULL AND EXISTS (SELECT FROM spotcheck.plan_pool x WHERE x.plan = pid AND x.unit = ctx.code) THEN
        SELECT x.credit_input, x.credit_rule, x.credit_factor, x.risk_input, x.risk_rule, x.risk_factor,
               x.duty_input, x.duty_rule, x.duty_factor, x.signals, x.signal_rule, x.signal_factor, x.weight
          INTO f FROM spotcheck.plan_pool x WHERE x.plan = pid AND x.unit = ctx.code;
        src := pg_catalog.format('frozen in the pool of plan %s (draw %s)', pid, (SELECT p.draw FROM spotcheck.plan p WHERE p.id = pid));
    ELSE
        IF EXISTS (SELECT FROM spotcheck.weight_rules_missing(ag, m)) THEN
            RAISE EXCEPTION 'the weight rules in force for agency "%" on % lack a rule for %', ag, spotcheck.plan_day_label(m),
                            (SELECT pg_catalog.string_agg(x.factor || ' = ' || x.match, ', ') FROM spotcheck.weight_rules_missing(ag, m) x)
                USING ERRCODE = '55000', HINT = 'Add the missing rules to spotcheck.weight_rules (or keep a default in force).';
        END IF;
        SELECT w.* INTO f FROM spotcheck.weigh_units(ag, m, ctx.duty_months, ctx.signal_days, ARRAY[ag], ctx.code) w;
        src := CASE WHEN pid IS NOT NULL THEN pg_catalog.format('not in the pool of plan %s; the weight it would get now', pid)
                    ELSE 'no plan of this month has drawn it yet: the weight it would get now' END
            || CASE WHEN ctx.has_annual_plan THEN '' ELSE ' (no annual plan for the year: default windows of 12 months and 90 days)' END;
    END IF;
    RETURN QUERY
    SELECT v.factor, v.input, v.rule, r.agency, r.label, v.multiplier::bigint, v.note
      FROM (VALUES (1, 'credit_class', f.credit_input, f.credit_rule, f.credit_factor, 'fire-safety credit class'),
                   (2, 'risk_level', f.risk_input, f.risk_rule, f.risk_factor, 'fire-risk level'),
                   (3, 'duty', f.duty_input, f.duty_rule, f.duty_factor,
                    pg_catalog.format('most severe inspection outcome in the %s months before the month', ctx.duty_months)),
                   (4, 'signals', f.signals::text, f.signal_rule, f.signal_factor,
                    pg_catalog.format('risk signals in the %s days before the month', ctx.signal_days)))
           AS v(ord, factor, input, rule, multiplier, note)
      LEFT JOIN spotcheck.weight_rules r ON r.id = v.rule
     ORDER BY v.ord;
    RETURN QUERY SELECT 'weight'::text, NULL::text, NULL::bigint, NULL::text, NULL::text, f.weight, src;
END
$$;
COMMENT ON FUNCTION spotcheck.explain_weight(text, date) IS
    'each factor of a unit''s weight for a month (credit class, risk level, duty fulfilment, risk signals), the rule that gave it, and the product; frozen when a plan of that month has it in its pool';

-- Why a unit is, or is not, in the pool of a month: from the live plan of
-- that month when there is one (frozen), else as it would be now.
CREATE FUNCTION spotcheck.explain_exclusion(unit text, month date)
RETURNS TABLE (unit_code text, agency text, plan_month date, plan bigint, in_pool boolean, stratum text, weight bigint,
               reason text, detail text, owes_minimum boolean, note text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    ag text;
    m date;
    ctx record;
    pid bigint;
    r record;
BEGIN
    ag := spotcheck.plan_require_unit(unit, explain_exclusion.month, 'explain a pool for');
    m := spotcheck.plan_month_start(explain_exclusion.month);
    SELECT * INTO ctx FROM spotcheck.plan_unit_context(unit, m);
    pid := spotcheck.plan_for_unit_month(ctx.code, ag, m);
    IF pid IS NOT NULL THEN
        RETURN QUERY
        SELECT ctx.code, ag, m, pid, true, x.stratum, x.weight, NULL::text,
               pg_catalog.format('in stratum %s with weight %s', x.stratum, x.weight), x.owes_minimum,
               pg_catalog.format('frozen in plan %s', pid)
          FROM spotcheck.plan_pool x WHERE x.plan = pid AND x.unit = ctx.code
        UNION ALL
        SELECT ctx.code, ag, m, pid, false, NULL::text, NULL::bigint, x.reason, x.detail, x.owes_minimum,
               pg_catalog.format('frozen in plan %s', pid)
          FROM spotcheck.plan_exclusions x WHERE x.plan = pid AND x.unit = ctx.code;
        RETURN;
    END IF;
    IF NOT ctx.has_annual_plan THEN
        RETURN QUERY SELECT ctx.code, ag, m, NULL::bigint, NULL::boolean, NULL::text, NULL::bigint, NULL::text,
                            pg_catalog.format('agency %s has no annual plan for %s, so no pool for the month', ag,
                                              pg_catalog.date_part('year', m)::integer),
                            NULL::boolean, 'no plan drawn'::text;
        RETURN;
    END IF;
    SELECT c.* INTO r
      FROM spotcheck.plan_classify(ARRAY[ag], ag, ag,
               ARRAY(SELECT e.id FROM spotcheck.effective_check_items(ag, m) e
                      WHERE e.id = ANY (ctx.items) OR spotcheck.plan_item_narrows_any(e.id, ctx.items)),
               m, ag, ctx.recent_days, ctx.duty_months, ctx.signal_days, ARRAY[ag], '{}', '{}', '{}', NULL, ctx.code) c;
    RETURN QUERY SELECT ctx.code, ag, m, NULL::bigint, r.reason IS NULL, CASE WHEN r.reason IS NULL THEN r.stratum END,
                        CASE WHEN r.reason IS NULL THEN r.weight END, r.reason,
                        COALESCE(r.detail, pg_catalog.format('in stratum %s with weight %s', r.stratum, r.weight)),
                        r.owes_minimum, 'no monthly plan drawn yet: as it would be now'::text;
END
$$;
COMMENT ON FUNCTION spotcheck.explain_exclusion(text, date) IS
    'whether a unit is in its agency''s pool for a month, its stratum and weight, or why it is left out (inactive, decision, out_of_scope, open_plan, recently_checked)';

-- Whether an item narrows (directly or further down) one of the listed items:
-- in the effective list a narrowing item stands for the item it narrows.
CREATE FUNCTION spotcheck.plan_item_narrows_any(item bigint, listed bigint[]) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH RECURSIVE up AS (
        SELECT i.id, i.parent_item, 0 AS depth FROM spotcheck.check_items i WHERE i.id = item
        UNION ALL
        SELECT i.id, i.parent_item, up.depth + 1 FROM spotcheck.check_items i JOIN up ON i.id = up.parent_item
         WHERE up.depth < 64
    )
    SELECT EXISTS (SELECT FROM up WHERE up.depth > 0 AND up.id = ANY (listed))
$$;

REVOKE ALL ON spotcheck.pool_decisions, spotcheck.inspector_secondments FROM PUBLIC;
GRANT SELECT ON spotcheck.pool_decisions, spotcheck.inspector_secondments
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
-- DELETE only so that the trigger can say what to do instead
GRANT INSERT, UPDATE, DELETE ON spotcheck.pool_decisions, spotcheck.inspector_secondments
    TO spotcheck_admin, spotcheck_planner, spotcheck_head;
GRANT EXECUTE ON FUNCTION spotcheck.explain_weight(text, date), spotcheck.explain_exclusion(text, date),
    spotcheck.plan_inspector_pool(text, date, date), spotcheck.plan_item_narrows_any(bigint, bigint[])
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
-- the secondment check of the writers' triggers
GRANT EXECUTE ON FUNCTION spotcheck.plan_inspector_owner(text) TO spotcheck_admin, spotcheck_planner, spotcheck_head;
