-- The annual plan (年度监督抽查计划, Article 13(1)) and its parameters.
--
-- Per agency and year: how many units each stratum gives to a month's
-- sample (a monthly ratio or count, and/or a yearly ratio or count spread
-- over the months left), the minimum share of ordinary units (一般单位) in
-- every monthly sample (Article 14), the team size (at least 2, Article 18),
-- the deadline rule of each target (检查时限), the day of the month by which
-- next month's plan must be drawn (26, Article 15), the exclusion window for
-- recently checked units, the windows of the floating-weight evidence
-- (Article 17), the default entropy declaration, the further yearly minimums
-- (classes of unit that must be checked at least once a year besides the
-- crowded-place key units of Article 14), and the items of the list the plan
-- checks.  All of it is data: DBAs and planners change it with SQL; a bad
-- value is refused with a SQLSTATE, the value and a hint.  A plan keeps a
-- copy of the parameters it was drawn with (spotcheck.plan.parameters).
--
-- Months are dates: the first day of the month.  Nothing here depends on the
-- session's TimeZone or DateStyle: month arithmetic is done on dates, and a
-- moment is placed on a calendar day in China Standard Time (Asia/Shanghai).

-- ---- months and days -------------------------------------------------------------

CREATE FUNCTION spotcheck.plan_month_start(d date) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.make_date(pg_catalog.date_part('year', d)::integer, pg_catalog.date_part('month', d)::integer, 1)
$$;
COMMENT ON FUNCTION spotcheck.plan_month_start(date) IS 'the first day of the date''s month';

CREATE FUNCTION spotcheck.plan_month_end(d date) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT (spotcheck.plan_month_start(d) OPERATOR(pg_catalog.+) '1 month'::interval
            OPERATOR(pg_catalog.-) '1 day'::interval)::date
$$;
COMMENT ON FUNCTION spotcheck.plan_month_end(date) IS 'the last day of the date''s month';

CREATE FUNCTION spotcheck.plan_month_label(d date) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.lpad(pg_catalog.date_part('year', d)::integer::text, 4, '0') || '-'
        || pg_catalog.lpad(pg_catalog.date_part('month', d)::integer::text, 2, '0')
$$;
COMMENT ON FUNCTION spotcheck.plan_month_label(date) IS 'YYYY-MM of the date, whatever the DateStyle';

CREATE FUNCTION spotcheck.plan_day_label(d date) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT spotcheck.plan_month_label(d) || '-' || pg_catalog.lpad(pg_catalog.date_part('day', d)::integer::text, 2, '0')
$$;
COMMENT ON FUNCTION spotcheck.plan_day_label(date) IS 'YYYY-MM-DD of the date, whatever the DateStyle';

-- The calendar day of a moment in China Standard Time, and the moment a day
-- starts there.
CREATE FUNCTION spotcheck.plan_local_day(t timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT (t AT TIME ZONE 'Asia/Shanghai')::date
$$;
COMMENT ON FUNCTION spotcheck.plan_local_day(timestamptz) IS 'the calendar day of a moment in China Standard Time';

CREATE FUNCTION spotcheck.plan_day_start(d date) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT d::timestamp AT TIME ZONE 'Asia/Shanghai'
$$;
COMMENT ON FUNCTION spotcheck.plan_day_start(date) IS 'the moment a calendar day starts in China Standard Time';

-- A moment in messages: UTC, ISO 8601, whatever the session's settings.
CREATE FUNCTION spotcheck.plan_time(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
COMMENT ON FUNCTION spotcheck.plan_time(timestamptz) IS 'a moment as YYYY-MM-DDTHH:MI:SSZ (UTC), whatever the TimeZone and DateStyle';

-- ---- the annual plan ---------------------------------------------------------------

CREATE TABLE spotcheck.annual_plans (
    agency               text NOT NULL REFERENCES spotcheck.agencies (code),
    year                 integer NOT NULL,
    title                text,
    min_general_share    numeric(5,2) NOT NULL DEFAULT 10,
    team_size            integer NOT NULL DEFAULT 2,
    deadline_rule        text NOT NULL DEFAULT 'month_end',
    deadline_days        integer,
    draw_by_day          integer NOT NULL DEFAULT 26,
    recent_check_days    integer NOT NULL DEFAULT 0,
    duty_window_months   integer NOT NULL DEFAULT 12,
    signal_window_days   integer NOT NULL DEFAULT 90,
    entropy_declaration  text,
    created_by           name NOT NULL DEFAULT CURRENT_USER,
    created_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_by           name NOT NULL DEFAULT CURRENT_USER,
    updated_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (agency, year),
    CONSTRAINT annual_plans_year_range CHECK (year BETWEEN 2000 AND 2100),
    CONSTRAINT annual_plans_share_range CHECK (min_general_share BETWEEN 0 AND 100),
    CONSTRAINT annual_plans_team_size CHECK (team_size BETWEEN 2 AND 20),
    CONSTRAINT annual_plans_deadline_rule CHECK (
        (deadline_rule = 'month_end' AND deadline_days IS NULL)
        OR (deadline_rule = 'working_days' AND deadline_days BETWEEN 1 AND 23)
        OR (deadline_rule = 'days' AND deadline_days BETWEEN 1 AND 31)),
    CONSTRAINT annual_plans_draw_by_day CHECK (draw_by_day BETWEEN 1 AND 28),
    CONSTRAINT annual_plans_windows CHECK (recent_check_days BETWEEN 0 AND 366
        AND duty_window_months BETWEEN 1 AND 60 AND signal_window_days BETWEEN 1 AND 366),
    CONSTRAINT annual_plans_entropy CHECK (entropy_declaration IS NULL OR pg_catalog.btrim(entropy_declaration) <> '')
);
COMMENT ON TABLE spotcheck.annual_plans IS
    'the annual spot-check plan of an agency (Article 13(1)): the parameters its monthly plans are drawn with';
COMMENT ON COLUMN spotcheck.annual_plans.min_general_share IS
    'the least share, in percent, of ordinary units (一般单位, not key units) in every monthly sample (Article 14)';
COMMENT ON COLUMN spotcheck.annual_plans.team_size IS 'inspectors per target, at least 2 (Article 18)';
COMMENT ON COLUMN spotcheck.annual_plans.deadline_rule IS
    'each target''s deadline (检查时限): month_end (the last day of the plan month), working_days (the deadline_days-th working day of the month) or days (the deadline_days-th day of the month)';
COMMENT ON COLUMN spotcheck.annual_plans.draw_by_day IS
    'the day of the month by which next month''s plan must be drawn (Article 15: 26); a plan drawn later is flagged late';
COMMENT ON COLUMN spotcheck.annual_plans.recent_check_days IS
    'units with an inspection outcome in the last N days before the month are left out of the pool (0: none are); never a unit that still owes a yearly minimum';
COMMENT ON COLUMN spotcheck.annual_plans.duty_window_months IS
    'months of inspection outcomes that make up a unit''s duty fulfilment (Article 17)';
COMMENT ON COLUMN spotcheck.annual_plans.signal_window_days IS
    'days of risk signals (IoT alarms, complaints, hazards reported by other departments) counted in a unit''s weight';
COMMENT ON COLUMN spotcheck.annual_plans.entropy_declaration IS
    'the public entropy a plan declares when plan_month is not given one (e.g. ''witnesses: three six-digit numbers read out at the plan meeting'')';

-- How many units each stratum gives to a month's sample.  A monthly ratio
-- (percent of the stratum's eligible units) or count, and/or a yearly ratio
-- (percent of the agency's active units of that class) or count, spread over
-- the months left: the month's quota is the larger of the monthly figure and
-- ceil((yearly target - units already drawn from the stratum this year) /
-- months left, this one included).
CREATE TABLE spotcheck.annual_plan_strata (
    agency         text NOT NULL,
    year           integer NOT NULL,
    stratum        text NOT NULL,
    monthly_ratio  numeric(5,2),
    monthly_count  integer,
    yearly_ratio   numeric(5,2),
    yearly_count   integer,
    PRIMARY KEY (agency, year, stratum),
    FOREIGN KEY (agency, year) REFERENCES spotcheck.annual_plans (agency, year) ON DELETE CASCADE,
    CONSTRAINT annual_plan_strata_known CHECK (stratum IN ('key_crowded', 'key_other', 'general')),
    CONSTRAINT annual_plan_strata_one_monthly CHECK (monthly_ratio IS NULL OR monthly_count IS NULL),
    CONSTRAINT annual_plan_strata_one_yearly CHECK (yearly_ratio IS NULL OR yearly_count IS NULL),
    CONSTRAINT annual_plan_strata_some CHECK (COALESCE(monthly_ratio, monthly_count, yearly_ratio, yearly_count) IS NOT NULL),
    CONSTRAINT annual_plan_strata_ratios CHECK (monthly_ratio BETWEEN 0 AND 100 AND yearly_ratio BETWEEN 0 AND 100),
    CONSTRAINT annual_plan_strata_counts CHECK (monthly_count >= 0 AND yearly_count >= 0)
);
COMMENT ON TABLE spotcheck.annual_plan_strata IS
    'the sampling ratio or count of each stratum (key_crowded, key_other, general), monthly and/or yearly; the must-cover stratum needs none: its quota follows from the units still owing';

-- Further yearly minimums: a class of unit that must be checked at least
-- once a year (the crowded-place key units always are, Article 14).  A unit
-- belongs to the class when it matches every column that is set.
CREATE TABLE spotcheck.annual_plan_minimums (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency           text NOT NULL,
    year             integer NOT NULL,
    label            text NOT NULL,
    credit_class     text,
    risk_level       smallint,
    unit_type        text,
    venue_category   text,
    is_key_unit      boolean,
    is_crowded_place boolean,
    FOREIGN KEY (agency, year) REFERENCES spotcheck.annual_plans (agency, year) ON DELETE CASCADE,
    CONSTRAINT annual_plan_minimums_label CHECK (pg_catalog.btrim(label) <> ''),
    CONSTRAINT annual_plan_minimums_some CHECK (credit_class IS NOT NULL OR risk_level IS NOT NULL OR unit_type IS NOT NULL
        OR venue_category IS NOT NULL OR is_key_unit IS NOT NULL OR is_crowded_place IS NOT NULL),
    CONSTRAINT annual_plan_minimums_credit CHECK (credit_class IN ('A', 'B', 'C', 'D')),
    CONSTRAINT annual_plan_minimums_risk CHECK (risk_level BETWEEN 1 AND 4)
);
COMMENT ON TABLE spotcheck.annual_plan_minimums IS
    'classes of unit to be checked at least once in the year besides the crowded-place key units (Article 14), e.g. credit class D; a unit is in the class when it matches every column set';

-- The items of the list the plan checks.  A target is checked for those of
-- them whose object scope covers it; a unit no listed item covers is outside
-- the plan's scope.  An item narrowed below (parent_item) stands for the
-- narrowing item in the agency's effective list.
CREATE TABLE spotcheck.annual_plan_items (
    agency   text NOT NULL,
    year     integer NOT NULL,
    item_id  bigint NOT NULL REFERENCES spotcheck.check_items (id),
    PRIMARY KEY (agency, year, item_id),
    FOREIGN KEY (agency, year) REFERENCES spotcheck.annual_plans (agency, year) ON DELETE CASCADE
);
COMMENT ON TABLE spotcheck.annual_plan_items IS
    'the items (spotcheck.check_items) an annual plan checks; they decide the plan''s scope and each target''s items';

-- ---- validation: a clear error for every bad value -------------------------------

-- (Not SECURITY DEFINER: CURRENT_USER must be the writer.)
CREATE FUNCTION spotcheck.annual_plans_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.agency IS DISTINCT FROM OLD.agency OR NEW.year IS DISTINCT FROM OLD.year) THEN
        RAISE EXCEPTION 'the annual plan of agency "%" for % cannot change its agency or year', OLD.agency, OLD.year
            USING ERRCODE = '55000', HINT = 'Insert an annual plan for the other agency or year.';
    END IF;
    IF NOT EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code = NEW.agency) THEN
        RAISE EXCEPTION 'agency "%" of the annual plan does not exist', NEW.agency
            USING ERRCODE = '23503', HINT = 'Use the code of a registered agency (spotcheck.agencies).';
    END IF;
    IF NEW.year IS NULL OR NEW.year NOT BETWEEN 2000 AND 2100 THEN
        RAISE EXCEPTION 'year % of the annual plan of agency "%" is out of range', COALESCE(NEW.year::text, 'null'), NEW.agency
            USING ERRCODE = '22003', HINT = 'The year is a four-digit calendar year, 2000 to 2100.';
    END IF;
    IF TG_OP = 'INSERT' AND EXISTS (SELECT FROM spotcheck.annual_plans p WHERE p.agency = NEW.agency AND p.year = NEW.year) THEN
        RAISE EXCEPTION 'agency "%" already has an annual plan for %', NEW.agency, NEW.year
            USING ERRCODE = '23505', HINT = 'Change that row with UPDATE; an agency has one annual plan a year.';
    END IF;
    IF NEW.team_size IS NULL OR NEW.team_size < 2 THEN
        RAISE EXCEPTION 'team size % of the annual plan of agency "%" for % is below 2', COALESCE(NEW.team_size::text, 'null'), NEW.agency, NEW.year
            USING ERRCODE = '22023', HINT = 'An inspection team has at least two inspectors (Article 18).';
    ELSIF NEW.team_size > 20 THEN
        RAISE EXCEPTION 'team size % of the annual plan of agency "%" for % is above 20', NEW.team_size, NEW.agency, NEW.year
            USING ERRCODE = '22023', HINT = 'A team is two to twenty inspectors.';
    END IF;
    IF NEW.min_general_share IS NULL OR NEW.min_general_share < 0 OR NEW.min_general_share > 100 THEN
        RAISE EXCEPTION 'the ordinary-unit share % of the annual plan of agency "%" for % is %',
                        COALESCE(NEW.min_general_share::text || '%', 'null'), NEW.agency, NEW.year,
                        CASE WHEN NEW.min_general_share > 100 THEN 'above 100%' WHEN NEW.min_general_share < 0 THEN 'negative' ELSE 'missing' END
            USING ERRCODE = '22003',
                  HINT = 'min_general_share is the least percentage of ordinary units (一般单位) in a monthly sample, from 0 to 100 (Article 14).';
    END IF;
    IF NEW.deadline_rule IS NULL OR NEW.deadline_rule NOT IN ('month_end', 'working_days', 'days') THEN
        RAISE EXCEPTION 'unknown deadline rule "%" in the annual plan of agency "%" for %', NEW.deadline_rule, NEW.agency, NEW.year
            USING ERRCODE = '22023',
                  HINT = 'Use month_end (the last day of the plan month), working_days (the n-th working day of the month) or days (the n-th day of the month), with n in deadline_days.';
    END IF;
    IF NEW.deadline_rule = 'month_end' AND NEW.deadline_days IS NOT NULL THEN
        RAISE EXCEPTION 'deadline_days % is meaningless with the deadline rule month_end (agency "%", %)', NEW.deadline_days, NEW.agency, NEW.year
            USING ERRCODE = '22023', HINT = 'Leave deadline_days empty, or use the rule working_days or days.';
    ELSIF NEW.deadline_rule = 'working_days' AND (NEW.deadline_days IS NULL OR NEW.deadline_days NOT BETWEEN 1 AND 23) THEN
        RAISE EXCEPTION 'deadline rule working_days needs deadline_days from 1 to 23, got % (agency "%", %)',
                        COALESCE(NEW.deadline_days::text, 'null'), NEW.agency, NEW.year
            USING ERRCODE = '22023', HINT = 'The deadline is the n-th working day of the plan month; a month has at most 23.';
    ELSIF NEW.deadline_rule = 'days' AND (NEW.deadline_days IS NULL OR NEW.deadline_days NOT BETWEEN 1 AND 31) THEN
        RAISE EXCEPTION 'deadline rule days needs deadline_days from 1 to 31, got % (agency "%", %)',
                        COALESCE(NEW.deadline_days::text, 'null'), NEW.agency, NEW.year
            USING ERRCODE = '22023', HINT = 'The deadline is the n-th day of the plan month (the last day in a shorter month).';
    END IF;
    IF NEW.draw_by_day IS NULL OR NEW.draw_by_day NOT BETWEEN 1 AND 28 THEN
        RAISE EXCEPTION 'draw_by_day % of the annual plan of agency "%" for % is not a day from 1 to 28',
                        COALESCE(NEW.draw_by_day::text, 'null'), NEW.agency, NEW.year
            USING ERRCODE = '22023', HINT = 'Next month''s plan must be drawn by this day of the month; Article 15 says the 26th.';
    END IF;
    IF NEW.recent_check_days IS NULL OR NEW.recent_check_days NOT BETWEEN 0 AND 366 THEN
        RAISE EXCEPTION 'recent_check_days % of the annual plan of agency "%" for % is out of range',
                        COALESCE(NEW.recent_check_days::text, 'null'), NEW.agency, NEW.year
            USING ERRCODE = '22003', HINT = 'Units checked in the last N days (0 to 366; 0 leaves nobody out) are not drawn.';
    END IF;
    IF NEW.duty_window_months IS NULL OR NEW.duty_window_months NOT BETWEEN 1 AND 60 THEN
        RAISE EXCEPTION 'duty_window_months % of the annual plan of agency "%" for % is out of range',
                        COALESCE(NEW.duty_window_months::text, 'null'), NEW.agency, NEW.year
            USING ERRCODE = '22003', HINT = 'The months of inspection outcomes that count for duty fulfilment: 1 to 60 (12 by default).';
    END IF;
    IF NEW.signal_window_days IS NULL OR NEW.signal_window_days NOT BETWEEN 1 AND 366 THEN
        RAISE EXCEPTION 'signal_window_days % of the annual plan of agency "%" for % is out of range',
                        COALESCE(NEW.signal_window_days::text, 'null'), NEW.agency, NEW.year
            USING ERRCODE = '22003', HINT = 'The days of risk signals counted in a weight: 1 to 366 (90 by default).';
    END IF;
    IF NEW.entropy_declaration IS NOT NULL AND pg_catalog.btrim(NEW.entropy_declaration) = '' THEN
        RAISE EXCEPTION 'the entropy declaration of the annual plan of agency "%" for % is blank', NEW.agency, NEW.year
            USING ERRCODE = '22023', HINT = 'Say which future public value the plans will use, or leave it empty to give one to each plan.';
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.created_by := CURRENT_USER;
        NEW.created_at := pg_catalog.now();
    ELSE
        NEW.created_by := OLD.created_by;
        NEW.created_at := OLD.created_at;
    END IF;
    NEW.updated_by := CURRENT_USER;
    NEW.updated_at := pg_catalog.now();
    RETURN NEW;
END
$$;
CREATE TRIGGER annual_plans_check BEFORE INSERT OR UPDATE ON spotcheck.annual_plans
    FOR EACH ROW EXECUTE FUNCTION spotcheck.annual_plans_check();

CREATE FUNCTION spotcheck.annual_plan_strata_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    what text := pg_catalog.format('stratum "%s" of the annual plan of agency "%s" for %s', NEW.stratum, NEW.agency, NEW.year);
BEGIN
    IF NOT EXISTS (SELECT FROM spotcheck.annual_plans p WHERE p.agency = NEW.agency AND p.year = NEW.year) THEN
        RAISE EXCEPTION 'agency "%" has no annual plan for %', NEW.agency, NEW.year
            USING ERRCODE = '23503',
                  HINT = pg_catalog.format('Insert it first: INSERT INTO spotcheck.annual_plans (agency, year) VALUES (%L, %s).', NEW.agency, NEW.year);
    END IF;
    IF NEW.stratum IS NULL OR NEW.stratum NOT IN ('key_crowded', 'key_other', 'general') THEN
        RAISE EXCEPTION 'unknown stratum "%" in the annual plan of agency "%" for %', NEW.stratum, NEW.agency, NEW.year
            USING ERRCODE = '22023',
                  HINT = 'The strata with a ratio or count are key_crowded (crowded-place key units), key_other (other key units) and general (ordinary units); the must-cover stratum''s quota follows from the units still owing.';
    END IF;
    IF NEW.monthly_ratio IS NOT NULL AND NEW.monthly_count IS NOT NULL THEN
        RAISE EXCEPTION '% has both a monthly ratio (%) and a monthly count (%)', what, NEW.monthly_ratio, NEW.monthly_count
            USING ERRCODE = '22023', HINT = 'Give the monthly figure as a ratio or as a count, not both.';
    END IF;
    IF NEW.yearly_ratio IS NOT NULL AND NEW.yearly_count IS NOT NULL THEN
        RAISE EXCEPTION '% has both a yearly ratio (%) and a yearly count (%)', what, NEW.yearly_ratio, NEW.yearly_count
            USING ERRCODE = '22023', HINT = 'Give the yearly figure as a ratio or as a count, not both.';
    END IF;
    IF COALESCE(NEW.monthly_ratio, NEW.monthly_count, NEW.yearly_ratio, NEW.yearly_count) IS NULL THEN
        RAISE EXCEPTION '% has no ratio or count', what
            USING ERRCODE = '23502', HINT = 'Set monthly_ratio or monthly_count, and/or yearly_ratio or yearly_count (0 draws none).';
    END IF;
    IF NEW.monthly_ratio < 0 OR NEW.monthly_ratio > 100 OR NEW.yearly_ratio < 0 OR NEW.yearly_ratio > 100 THEN
        RAISE EXCEPTION 'the % ratio % of % is %', CASE WHEN NEW.monthly_ratio < 0 OR NEW.monthly_ratio > 100 THEN 'monthly' ELSE 'yearly' END,
                        (CASE WHEN NEW.monthly_ratio < 0 OR NEW.monthly_ratio > 100 THEN NEW.monthly_ratio ELSE NEW.yearly_ratio END)::text || '%', what,
                        CASE WHEN GREATEST(NEW.monthly_ratio, NEW.yearly_ratio) > 100 THEN 'above 100%' ELSE 'negative' END
            USING ERRCODE = '22003', HINT = 'A ratio is a percentage from 0 to 100.';
    END IF;
    IF NEW.monthly_count < 0 OR NEW.yearly_count < 0 THEN
        RAISE EXCEPTION 'the % count % of % is negative', CASE WHEN NEW.monthly_count < 0 THEN 'monthly' ELSE 'yearly' END,
                        LEAST(NEW.monthly_count, NEW.yearly_count), what
            USING ERRCODE = '22003', HINT = 'A count is a whole number of units, 0 or more.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER annual_plan_strata_check BEFORE INSERT OR UPDATE ON spotcheck.annual_plan_strata
    FOR EACH ROW EXECUTE FUNCTION spotcheck.annual_plan_strata_check();

CREATE FUNCTION spotcheck.annual_plan_minimums_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM spotcheck.annual_plans p WHERE p.agency = NEW.agency AND p.year = NEW.year) THEN
        RAISE EXCEPTION 'agency "%" has no annual plan for %', NEW.agency, NEW.year
            USING ERRCODE = '23503',
                  HINT = pg_catalog.format('Insert it first: INSERT INTO spotcheck.annual_plans (agency, year) VALUES (%L, %s).', NEW.agency, NEW.year);
    END IF;
    NEW.label := pg_catalog.btrim(NEW.label);
    IF NEW.label IS NULL OR NEW.label = '' THEN
        RAISE EXCEPTION 'a yearly minimum of agency "%" for % needs a label', NEW.agency, NEW.year
            USING ERRCODE = '23502', HINT = 'Say which units it is about, e.g. ''credit class D at least once a year''.';
    END IF;
    NEW.credit_class := pg_catalog.upper(pg_catalog.btrim(NEW.credit_class));
    IF NEW.credit_class NOT IN ('A', 'B', 'C', 'D') THEN
        RAISE EXCEPTION 'invalid credit_class "%" in the yearly minimum "%"', NEW.credit_class, NEW.label
            USING ERRCODE = '22023', HINT = 'The credit class is A (low risk), B, C or D (very high risk).';
    END IF;
    IF NEW.risk_level NOT BETWEEN 1 AND 4 THEN
        RAISE EXCEPTION 'risk_level % of the yearly minimum "%" is out of range', NEW.risk_level, NEW.label
            USING ERRCODE = '22003', HINT = 'The risk level is 1 (low) to 4 (very high).';
    END IF;
    IF NEW.credit_class IS NULL AND NEW.risk_level IS NULL AND NEW.unit_type IS NULL AND NEW.venue_category IS NULL
       AND NEW.is_key_unit IS NULL AND NEW.is_crowded_place IS NULL THEN
        RAISE EXCEPTION 'the yearly minimum "%" names no class of unit', NEW.label
            USING ERRCODE = '23502',
                  HINT = 'Set at least one of credit_class, risk_level, unit_type, venue_category, is_key_unit, is_crowded_place; a unit is in the class when it matches all that are set.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER annual_plan_minimums_check BEFORE INSERT OR UPDATE ON spotcheck.annual_plan_minimums
    FOR EACH ROW EXECUTE FUNCTION spotcheck.annual_plan_minimums_check();

-- An item of the plan belongs to the agency's list: its own, or one of an
-- upper level (inherited).  Looked up past row-level security, for that one
-- item only, and only as far as the caller may know it: its agency and code
-- when the caller may read that agency, when it is an upper level of one of
-- the caller's agencies (inherited items), or when the item is on a
-- published item list; of any other item nothing, as of an id that does not
-- exist.  (PL/pgSQL: spotcheck.publications is created after this file.)
CREATE FUNCTION spotcheck.plan_item_owner(item bigint, OUT agency text, OUT code text)
LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    SELECT i.agency, i.code INTO agency, code FROM spotcheck.check_items i
     WHERE i.id OPERATOR(pg_catalog.=) item
       AND (spotcheck.caller_may_read(i.agency)
            OR i.agency OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT u.u FROM pg_catalog.unnest(spotcheck.caller_agencies()) AS m(agency),
                                                                     LATERAL spotcheck.agency_ancestors(m.agency) AS u(u)))
            OR EXISTS (SELECT FROM spotcheck.publications x
                        WHERE x.kind OPERATOR(pg_catalog.=) 'item_list'
                          AND (x.snapshot OPERATOR(pg_catalog.->) 'items')
                              OPERATOR(pg_catalog.@>) pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('item', i.id))));
END
$$;

CREATE FUNCTION spotcheck.annual_plan_items_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    owner record;
BEGIN
    IF NOT EXISTS (SELECT FROM spotcheck.annual_plans p WHERE p.agency = NEW.agency AND p.year = NEW.year) THEN
        RAISE EXCEPTION 'agency "%" has no annual plan for %', NEW.agency, NEW.year
            USING ERRCODE = '23503',
                  HINT = pg_catalog.format('Insert it first: INSERT INTO spotcheck.annual_plans (agency, year) VALUES (%L, %s).', NEW.agency, NEW.year);
    END IF;
    SELECT * INTO owner FROM spotcheck.plan_item_owner(NEW.item_id);
    IF owner.agency IS NULL THEN
        RAISE EXCEPTION 'item % does not exist', NEW.item_id
            USING ERRCODE = '23503', HINT = 'Use the id of an item of spotcheck.check_items (see spotcheck.effective_check_items).';
    END IF;
    IF NOT owner.agency IN (SELECT a FROM spotcheck.agency_ancestors(NEW.agency) a) THEN
        RAISE EXCEPTION 'item % ("%" of agency "%") is not on the list of agency "%"', NEW.item_id, owner.code, owner.agency, NEW.agency
            USING ERRCODE = '23514',
                  HINT = 'A plan checks items of its agency''s own list or inherited from its upper levels (spotcheck.effective_check_items).';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER annual_plan_items_check BEFORE INSERT OR UPDATE ON spotcheck.annual_plan_items
    FOR EACH ROW EXECUTE FUNCTION spotcheck.annual_plan_items_check();

-- ---- audit, dump, rights -------------------------------------------------------

CREATE TRIGGER annual_plans_audit AFTER INSERT OR UPDATE OR DELETE ON spotcheck.annual_plans
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('agency', 'agency');
CREATE TRIGGER annual_plan_strata_audit AFTER INSERT OR UPDATE OR DELETE ON spotcheck.annual_plan_strata
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('stratum', 'agency');
CREATE TRIGGER annual_plan_minimums_audit AFTER INSERT OR UPDATE OR DELETE ON spotcheck.annual_plan_minimums
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('id', 'agency');
CREATE TRIGGER annual_plan_items_audit AFTER INSERT OR UPDATE OR DELETE ON spotcheck.annual_plan_items
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('item_id', 'agency');

SELECT pg_catalog.pg_extension_config_dump('spotcheck.annual_plans', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.annual_plan_strata', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.annual_plan_minimums', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.annual_plan_items', '');

-- Read: the agencies a role may read (an upper level those below it).
-- Write: planners and administrators, for their own agencies.
DO $policies$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['annual_plans', 'annual_plan_strata', 'annual_plan_minimums', 'annual_plan_items'] LOOP
        EXECUTE pg_catalog.format('ALTER TABLE spotcheck.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON spotcheck.%I FOR SELECT USING (agency = ANY ((SELECT spotcheck.readable_agencies())::text[]))',
                                  t || '_read', t);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON spotcheck.%I FOR ALL USING (agency = ANY ((SELECT spotcheck.writable_agencies())::text[])) '
                                  'WITH CHECK (agency = ANY ((SELECT spotcheck.writable_agencies())::text[]))', t || '_write', t);
    END LOOP;
END
$policies$;

REVOKE ALL ON spotcheck.annual_plans, spotcheck.annual_plan_strata, spotcheck.annual_plan_minimums,
    spotcheck.annual_plan_items FROM PUBLIC;
GRANT SELECT ON spotcheck.annual_plans, spotcheck.annual_plan_strata, spotcheck.annual_plan_minimums,
    spotcheck.annual_plan_items
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT INSERT, UPDATE, DELETE ON spotcheck.annual_plans, spotcheck.annual_plan_strata, spotcheck.annual_plan_minimums,
    spotcheck.annual_plan_items
    TO spotcheck_admin, spotcheck_planner;
GRANT EXECUTE ON FUNCTION spotcheck.plan_month_start(date), spotcheck.plan_month_end(date),
    spotcheck.plan_month_label(date), spotcheck.plan_day_label(date), spotcheck.plan_local_day(timestamptz),
    spotcheck.plan_day_start(date), spotcheck.plan_time(timestamptz)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
-- the item check of the writers' triggers
GRANT EXECUTE ON FUNCTION spotcheck.plan_item_owner(bigint) TO spotcheck_admin, spotcheck_planner;
