-- Floating probability (Article 17): a unit's sampling weight is the product
-- of four integer factors, each given by a rule of spotcheck.weight_rules:
--
--   credit_class  the unit's fire-safety credit class: A, B, C, D, or unrated
--   risk_level    its fire-risk level: 1, 2, 3, 4, or unrated
--   duty          its duty fulfilment: the most severe inspection outcome of
--                 the last duty_window_months before the plan month
--                 (penalised > violation > compliant), or none
--   signals       how many risk signals (IoT alarms, complaints, hazards
--                 reported by other departments) were observed in the last
--                 signal_window_days before the plan month: the rule with the
--                 highest threshold (match) not above the count
--
-- Which rule: for each factor and match, the rule in force on the first day
-- of the plan month of the nearest agency (the agency itself, then its upper
-- levels), else a default (agency empty) set by an administrator, else the
-- default shipped with the extension.  Multipliers are 1 to 255, so the
-- product (at most 255^4) is always a valid draw weight.  A rule used by a
-- plan never changes (only valid_to, to retire it); the weight a plan used is
-- frozen in its pool, and spotcheck.explain_weight shows each factor, the
-- rule that gave it, and the product.

CREATE TABLE spotcheck.weight_rules (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency      text REFERENCES spotcheck.agencies (code),
    factor      text NOT NULL,
    match       text NOT NULL,
    multiplier  integer NOT NULL,
    label       text,
    valid_from  date NOT NULL DEFAULT CURRENT_DATE,
    valid_to    date,
    shipped     boolean NOT NULL DEFAULT false,
    created_by  name NOT NULL DEFAULT CURRENT_USER,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT weight_rules_factor_known CHECK (factor IN ('credit_class', 'risk_level', 'duty', 'signals')),
    CONSTRAINT weight_rules_match_known CHECK (
        (factor = 'credit_class' AND match IN ('A', 'B', 'C', 'D', 'unrated'))
        OR (factor = 'risk_level' AND match IN ('1', '2', '3', '4', 'unrated'))
        OR (factor = 'duty' AND match IN ('penalised', 'violation', 'compliant', 'none'))
        OR (factor = 'signals' AND match ~ '^(0|[1-9][0-9]{0,3})$')),
    CONSTRAINT weight_rules_multiplier_range CHECK (multiplier BETWEEN 1 AND 255),
    CONSTRAINT weight_rules_period CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CONSTRAINT weight_rules_shipped_default CHECK (NOT shipped OR agency IS NULL)
);
CREATE INDEX weight_rules_lookup_idx ON spotcheck.weight_rules (factor, match);
COMMENT ON TABLE spotcheck.weight_rules IS
    'the floating-weight rules (Article 17): per factor and match an integer multiplier; a unit''s weight is the product of its four factors';
COMMENT ON COLUMN spotcheck.weight_rules.agency IS
    'the agency whose plans (and those of the agencies below it) use the rule; empty: a default for every agency';
COMMENT ON COLUMN spotcheck.weight_rules.match IS
    'credit_class: A B C D unrated; risk_level: 1 2 3 4 unrated; duty: penalised violation compliant none; signals: the least number of signals in the window';
COMMENT ON COLUMN spotcheck.weight_rules.multiplier IS 'the factor, 1 to 255';
COMMENT ON COLUMN spotcheck.weight_rules.shipped IS 'a default shipped with the extension: fixed; an administrator''s default or an agency''s rule overrides it';

-- (Not SECURITY DEFINER: CURRENT_USER must be the writer.)
CREATE FUNCTION spotcheck.weight_rules_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    clash record;
    used bigint;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.shipped THEN
            RAISE EXCEPTION 'weight rule % is a default shipped with the extension and cannot be %', OLD.id,
                            CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END
                USING ERRCODE = '55000',
                      HINT = 'Override it: insert a rule with the same factor and match, for an agency, or with an empty agency (administrators) for every agency.';
        END IF;
        used := spotcheck.weight_rule_used_by(OLD.id);
        IF used IS NOT NULL AND (TG_OP = 'DELETE'
            OR (pg_catalog.to_jsonb(NEW) - 'valid_to') OPERATOR(pg_catalog.<>) (pg_catalog.to_jsonb(OLD) - 'valid_to')) THEN
            RAISE EXCEPTION 'weight rule % was used by plan % and cannot be %', OLD.id, used,
                            CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END
                USING ERRCODE = '55000',
                      HINT = 'Retire it (set valid_to) and insert a new rule from the next day; plans keep the weights they were drawn with.';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
    END IF;
    IF NEW.shipped THEN
        RAISE EXCEPTION 'only the extension ships default weight rules'
            USING ERRCODE = '42501', HINT = 'Insert the rule with shipped = false.';
    END IF;
    IF NEW.agency IS NOT NULL AND NOT EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code = NEW.agency) THEN
        RAISE EXCEPTION 'agency "%" of the weight rule does not exist', NEW.agency
            USING ERRCODE = '23503', HINT = 'Use the code of a registered agency, or leave it empty for a default.';
    END IF;
    NEW.factor := pg_catalog.lower(pg_catalog.btrim(NEW.factor));
    NEW.match := pg_catalog.btrim(NEW.match);
    IF NEW.factor IS NULL OR NEW.factor NOT IN ('credit_class', 'risk_level', 'duty', 'signals') THEN
        RAISE EXCEPTION 'unknown weight factor "%"', NEW.factor
            USING ERRCODE = '22023', HINT = 'The factors are credit_class, risk_level, duty and signals (Article 17).';
    END IF;
    IF NEW.factor = 'credit_class' THEN
        NEW.match := CASE WHEN pg_catalog.lower(NEW.match) = 'unrated' THEN 'unrated' ELSE pg_catalog.upper(NEW.match) END;
    ELSIF NEW.factor = 'duty' THEN
        NEW.match := pg_catalog.lower(NEW.match);
    ELSIF NEW.factor = 'signals' AND NEW.match ~ '^[0-9]{1,4}$' THEN
        NEW.match := NEW.match::integer::text;
    ELSIF NEW.factor = 'risk_level' THEN
        NEW.match := pg_catalog.lower(NEW.match);
    END IF;
    IF NOT ((NEW.factor = 'credit_class' AND NEW.match IN ('A', 'B', 'C', 'D', 'unrated'))
            OR (NEW.factor = 'risk_level' AND NEW.match IN ('1', '2', '3', '4', 'unrated'))
            OR (NEW.factor = 'duty' AND NEW.match IN ('penalised', 'violation', 'compliant', 'none'))
            OR (NEW.factor = 'signals' AND NEW.match ~ '^(0|[1-9][0-9]{0,3})$')) OR NEW.match IS NULL THEN
        RAISE EXCEPTION 'invalid match "%" for the weight factor %', NEW.match, NEW.factor
            USING ERRCODE = '22023',
                  HINT = CASE NEW.factor
                              WHEN 'credit_class' THEN 'A credit-class rule matches A, B, C, D or unrated.'
                              WHEN 'risk_level' THEN 'A risk-level rule matches 1, 2, 3, 4 or unrated.'
                              WHEN 'duty' THEN 'A duty rule matches penalised, violation, compliant (the most severe outcome in the window) or none (no outcome).'
                              ELSE 'A signals rule matches a count from 0 to 9999: it applies from that many signals in the window up to the next rule''s threshold.' END;
    END IF;
    IF NEW.multiplier IS NULL OR NEW.multiplier NOT BETWEEN 1 AND 255 THEN
        RAISE EXCEPTION 'multiplier % of the weight rule % = % is out of range', COALESCE(NEW.multiplier::text, 'null'), NEW.factor, NEW.match
            USING ERRCODE = '22003', HINT = 'A multiplier is a whole number from 1 to 255; the weight is the product of four of them.';
    END IF;
    IF NEW.valid_to < NEW.valid_from THEN
        RAISE EXCEPTION 'weight rule % = % ends (%) before it starts (%)', NEW.factor, NEW.match,
                        spotcheck.plan_day_label(NEW.valid_to), spotcheck.plan_day_label(NEW.valid_from)
            USING ERRCODE = '22008', HINT = 'valid_to is the last day the rule is in force.';
    END IF;
    SELECT r.id, r.valid_from, r.valid_to INTO clash FROM spotcheck.weight_rules r
     WHERE r.agency IS NOT DISTINCT FROM NEW.agency AND r.factor = NEW.factor AND r.match = NEW.match
       AND r.shipped = NEW.shipped AND r.id <> NEW.id
       AND r.valid_from <= COALESCE(NEW.valid_to, 'infinity'::date) AND COALESCE(r.valid_to, 'infinity'::date) >= NEW.valid_from
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'weight rule % = % of % overlaps rule % (in force from % to %)', NEW.factor, NEW.match,
                        COALESCE('agency "' || NEW.agency || '"', 'the defaults'), clash.id,
                        spotcheck.plan_day_label(clash.valid_from), COALESCE(spotcheck.plan_day_label(clash.valid_to), 'open')
            USING ERRCODE = '23505', HINT = 'Retire the other rule first (set its valid_to to the day before this one starts).';
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.created_by := CURRENT_USER;
        NEW.created_at := pg_catalog.now();
    END IF;
    RETURN NEW;
END
$$;

-- The shipped defaults: credit class doubles from A to D, risk grows with its level,
-- a unit found with violations or penalised in the window weighs more and
-- one found compliant weighs less, and risk signals raise the weight.
-- (created by the extension itself at a fixed time, so that every installation
-- holds the same rows, and a restored database the same as its source)
INSERT INTO spotcheck.weight_rules (agency, factor, match, multiplier, label, valid_from, shipped, created_by, created_at) VALUES
    (NULL, 'credit_class', 'A', 1, '信用等级A（低风险）', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'credit_class', 'B', 2, '信用等级B（一般风险）', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'credit_class', 'C', 4, '信用等级C（较高风险）', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'credit_class', 'D', 8, '信用等级D（高风险）', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'credit_class', 'unrated', 2, '未评定信用等级', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'risk_level', '1', 1, '火灾风险低', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'risk_level', '2', 2, '火灾风险一般', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'risk_level', '3', 3, '火灾风险较高', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'risk_level', '4', 4, '火灾风险高', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'risk_level', 'unrated', 2, '未评估火灾风险', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'duty', 'penalised', 4, '近期受到行政处罚', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'duty', 'violation', 3, '近期检查发现违法行为', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'duty', 'none', 2, '近期无检查记录', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'duty', 'compliant', 1, '近期检查未发现问题', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'signals', '0', 1, '无风险信号', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'signals', '1', 2, '有风险信号（1-2条）', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08'),
    (NULL, 'signals', '3', 3, '风险信号较多（3条及以上）', '2000-01-01', true, 'spotcheck', '2026-12-01 00:00:00+08');

-- From here on the rules are checked (the shipped rows above are part of the
-- extension: no role can add, change or delete one).
CREATE TRIGGER weight_rules_check BEFORE INSERT OR UPDATE OR DELETE ON spotcheck.weight_rules
    FOR EACH ROW EXECUTE FUNCTION spotcheck.weight_rules_check();

-- The rules in force for an agency on a day: per factor and match, the
-- nearest agency's rule (the agency, then its upper levels), else an
-- administrator's default, else the shipped default.
CREATE FUNCTION spotcheck.weight_rules_in_force(agency text, on_date date)
RETURNS SETOF spotcheck.weight_rules
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT DISTINCT ON (r.factor, r.match) r.*
      FROM spotcheck.weight_rules r
      LEFT JOIN (SELECT x.a, x.ord FROM spotcheck.agency_ancestors(weight_rules_in_force.agency) WITH ORDINALITY AS x(a, ord)) c
             ON c.a = r.agency
     WHERE (r.agency IS NULL OR c.a IS NOT NULL)
       AND r.valid_from <= on_date AND (r.valid_to IS NULL OR r.valid_to >= on_date)
     ORDER BY r.factor, r.match, c.ord NULLS LAST, r.shipped, r.valid_from DESC, r.id DESC
$$;
COMMENT ON FUNCTION spotcheck.weight_rules_in_force(text, date) IS
    'the weight rule in force for each factor and match for an agency on a day (nearest agency first, then defaults)';

-- What a rule set lacks to weigh every unit: a rule for each credit class
-- (and unrated), each risk level (and unrated), each duty status, and a
-- signals rule from 0.
CREATE FUNCTION spotcheck.weight_rules_missing(agency text, on_date date)
RETURNS TABLE (factor text, match text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT n.f, n.m
      FROM (VALUES ('credit_class', 'A'), ('credit_class', 'B'), ('credit_class', 'C'), ('credit_class', 'D'),
                   ('credit_class', 'unrated'), ('risk_level', '1'), ('risk_level', '2'), ('risk_level', '3'),
                   ('risk_level', '4'), ('risk_level', 'unrated'), ('duty', 'penalised'), ('duty', 'violation'),
                   ('duty', 'compliant'), ('duty', 'none'), ('signals', '0')) AS n(f, m)
     WHERE NOT EXISTS (SELECT FROM spotcheck.weight_rules_in_force(agency, on_date) r
                        WHERE r.factor = n.f AND r.match = n.m)
$$;

-- The weight of the active and inactive units of the given agencies (or of
-- one unit) for a plan month: each factor's input, the rule that applies and
-- its multiplier, and the product.  Set-based: one pass over the units, one
-- aggregate of the outcomes and one of the signals.
CREATE FUNCTION spotcheck.weigh_units(rules_agency text, month date, duty_months integer, signal_days integer,
                                      unit_agencies text[], one_unit text DEFAULT NULL)
RETURNS TABLE (unit text, credit_input text, credit_rule bigint, credit_factor integer,
               risk_input text, risk_rule bigint, risk_factor integer,
               duty_input text, duty_rule bigint, duty_factor integer,
               signals integer, signal_rule bigint, signal_factor integer, weight bigint)
LANGUAGE sql STABLE ROWS 20000 SET search_path = pg_catalog, pg_temp AS $$
    WITH r AS MATERIALIZED (
        SELECT x.id, x.factor, x.match, x.multiplier FROM spotcheck.weight_rules_in_force(weigh_units.rules_agency, weigh_units.month) x
    ), sig_rules AS (
        SELECT r.id, r.multiplier, r.match::integer AS lo,
               pg_catalog.lead(r.match::integer) OVER (ORDER BY r.match::integer) AS hi
          FROM r WHERE r.factor = 'signals'
    ), u AS (
        SELECT u.code, COALESCE(u.credit_class, 'unrated') AS credit, COALESCE(u.risk_level::text, 'unrated') AS risk
          FROM spotcheck.units u
         WHERE u.agency = ANY (weigh_units.unit_agencies) AND (weigh_units.one_unit IS NULL OR u.code = weigh_units.one_unit)
    ), duty AS (
        SELECT o.unit, pg_catalog.max(CASE o.outcome WHEN 'penalised' THEN 3 WHEN 'violation' THEN 2 ELSE 1 END) AS severity
          FROM spotcheck.inspection_outcomes o
         WHERE o.voided_at IS NULL
           AND o.observed_on >= (weigh_units.month - pg_catalog.make_interval(months => weigh_units.duty_months))::date
           AND o.observed_on < weigh_units.month
           AND (weigh_units.one_unit IS NULL OR o.unit = weigh_units.one_unit)
         GROUP BY o.unit
    ), sig AS (
        SELECT s.unit, pg_catalog.count(*)::integer AS n
          FROM spotcheck.risk_signals s
         WHERE s.voided_at IS NULL
           AND s.observed_at >= spotcheck.plan_day_start(weigh_units.month - weigh_units.signal_days)
           AND s.observed_at < spotcheck.plan_day_start(weigh_units.month)
           AND (weigh_units.one_unit IS NULL OR s.unit = weigh_units.one_unit)
         GROUP BY s.unit
    ), f AS (
        SELECT u.code, u.credit, rc.id AS credit_rule, rc.multiplier AS credit_factor,
               u.risk, rr.id AS risk_rule, rr.multiplier AS risk_factor,
               CASE d.severity WHEN 3 THEN 'penalised' WHEN 2 THEN 'violation' WHEN 1 THEN 'compliant' ELSE 'none' END AS duty,
               COALESCE(s.n, 0) AS signals
          FROM u
          LEFT JOIN duty d ON d.unit = u.code
          LEFT JOIN sig s ON s.unit = u.code
          LEFT JOIN r rc ON rc.factor = 'credit_class' AND rc.match = u.credit
          LEFT JOIN r rr ON rr.factor = 'risk_level' AND rr.match = u.risk
    )
    SELECT f.code, f.credit, f.credit_rule, f.credit_factor, f.risk, f.risk_rule, f.risk_factor,
           f.duty, rd.id, rd.multiplier, f.signals, rs.id, rs.multiplier,
           f.credit_factor::bigint * f.risk_factor * rd.multiplier * rs.multiplier
      FROM f
      LEFT JOIN r rd ON rd.factor = 'duty' AND rd.match = f.duty
      LEFT JOIN sig_rules rs ON f.signals >= rs.lo AND (rs.hi IS NULL OR f.signals < rs.hi)
$$;
COMMENT ON FUNCTION spotcheck.weigh_units(text, date, integer, integer, text[], text) IS
    'internal: the weight factors of units for a plan month (rules of rules_agency; outcomes and signals in their windows)';

-- ---- audit, dump, rights -------------------------------------------------------

CREATE TRIGGER weight_rules_audit AFTER INSERT OR UPDATE OR DELETE ON spotcheck.weight_rules
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('id', 'agency');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.weight_rules', 'WHERE NOT shipped');

-- Everyone in the agencies reads the defaults and the rules of its own
-- agencies, those above them (inherited) and, for the upper level, below;
-- planners write their agencies' rules, administrators the defaults too.
ALTER TABLE spotcheck.weight_rules ENABLE ROW LEVEL SECURITY;
CREATE POLICY weight_rules_read ON spotcheck.weight_rules FOR SELECT
    USING (agency IS NULL OR agency = ANY ((SELECT spotcheck.item_readable_agencies())::text[]));
CREATE POLICY weight_rules_write ON spotcheck.weight_rules FOR ALL
    USING (agency = ANY ((SELECT spotcheck.writable_agencies())::text[]) OR (agency IS NULL AND (SELECT spotcheck.is_registry_admin())))
    WITH CHECK (agency = ANY ((SELECT spotcheck.writable_agencies())::text[]) OR (agency IS NULL AND (SELECT spotcheck.is_registry_admin())));

REVOKE ALL ON spotcheck.weight_rules FROM PUBLIC;
GRANT SELECT ON spotcheck.weight_rules
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT INSERT, UPDATE, DELETE ON spotcheck.weight_rules TO spotcheck_admin, spotcheck_planner;
GRANT EXECUTE ON FUNCTION spotcheck.weight_rules_in_force(text, date), spotcheck.weight_rules_missing(text, date)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
