-- Coverage of the yearly round (Article 14): per stratum, how many units
-- exist (active, in the agency's directory), how many were planned this year
-- (a target of a live plan whose execution has committed: the agency's own
-- plans, special and joint ones, and the upper level's cross-region plans),
-- and how many were checked (an inspection outcome observed this year); and
-- the units that owe a yearly minimum and are not planned yet.

-- The units of an agency with their class, whether a yearly minimum applies
-- (crowded-place key units always; classes of the annual plan's minimums),
-- and whether they were planned and checked in the year.
CREATE FUNCTION spotcheck.plan_coverage_units(agency text, year integer)
RETURNS TABLE (unit text, name text, address text, stratum text, minimum text, planned boolean, checked boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH planned AS MATERIALIZED (
        SELECT DISTINCT t.unit FROM spotcheck.plan_target t
          JOIN spotcheck.plan q ON q.id = t.plan
          JOIN spotcheck.draw d ON d.id = t.draw
         WHERE q.year = plan_coverage_units.year AND q.abandoned_at IS NULL AND spotcheck.draw_revealed(d)
           AND t.removed_by IS NULL
           AND plan_coverage_units.agency = ANY (q.scope_agencies)
    ), checked AS MATERIALIZED (
        SELECT DISTINCT o.unit FROM spotcheck.inspection_outcomes o
         WHERE o.voided_at IS NULL
           AND o.observed_on BETWEEN pg_catalog.make_date(plan_coverage_units.year, 1, 1) AND pg_catalog.make_date(plan_coverage_units.year, 12, 31)
    ), minimums AS MATERIALIZED (
        SELECT m.* FROM spotcheck.annual_plan_minimums m
         WHERE m.agency = plan_coverage_units.agency AND m.year = plan_coverage_units.year
    )
    SELECT u.code, u.name, u.address,
           CASE WHEN u.is_key_unit AND u.is_crowded_place THEN 'key_crowded' WHEN u.is_key_unit THEN 'key_other' ELSE 'general' END,
           CASE WHEN u.is_key_unit AND u.is_crowded_place THEN 'crowded-place key unit, once a year (Article 14)'
                ELSE (SELECT m.label FROM minimums m
                       WHERE (m.credit_class IS NULL OR m.credit_class = u.credit_class)
                         AND (m.risk_level IS NULL OR m.risk_level = u.risk_level)
                         AND (m.unit_type IS NULL OR m.unit_type = u.unit_type)
                         AND (m.venue_category IS NULL OR m.venue_category = u.venue_category)
                         AND (m.is_key_unit IS NULL OR m.is_key_unit = u.is_key_unit)
                         AND (m.is_crowded_place IS NULL OR m.is_crowded_place = u.is_crowded_place)
                       ORDER BY m.id LIMIT 1) END,
           EXISTS (SELECT FROM planned p WHERE p.unit = u.code),
           EXISTS (SELECT FROM checked c WHERE c.unit = u.code)
      FROM spotcheck.units u
     WHERE u.agency = plan_coverage_units.agency AND u.active
$$;

CREATE FUNCTION spotcheck.plan_require_reader(agency text, year integer, what text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF agency IS NULL OR NOT EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code OPERATOR(pg_catalog.=) agency) THEN
        RAISE EXCEPTION 'agency % does not exist', pg_catalog.quote_nullable(pg_catalog.left(agency, 64))
            USING ERRCODE = 'P0002', HINT = 'Use the code of a registered agency (spotcheck.agencies).';
    END IF;
    IF year IS NULL OR year NOT BETWEEN 2000 AND 2100 THEN
        RAISE EXCEPTION 'year % is out of range', COALESCE(year::text, 'null')
            USING ERRCODE = '22003', HINT = 'Give a calendar year, 2000 to 2100.';
    END IF;
    IF NOT spotcheck.caller_may_read(agency) THEN
        RAISE EXCEPTION 'permission denied: role % may not read the % of agency %', spotcheck.caller(), what, agency
            USING ERRCODE = '42501', HINT = 'The members of an agency and of the agencies above it read its plans.';
    END IF;
END
$$;

CREATE FUNCTION spotcheck.coverage(agency text, year integer)
RETURNS TABLE (stratum text, units bigint, planned bigint, checked bigint, must_cover bigint, must_cover_due bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
    PERFORM spotcheck.plan_require_reader(agency, year, 'coverage');
    RETURN QUERY
    SELECT COALESCE(c.stratum, 'all'), pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE c.planned),
           pg_catalog.count(*) FILTER (WHERE c.checked), pg_catalog.count(*) FILTER (WHERE c.minimum IS NOT NULL),
           pg_catalog.count(*) FILTER (WHERE c.minimum IS NOT NULL AND NOT c.planned)
      FROM (SELECT s.s AS stratum FROM pg_catalog.unnest(ARRAY['key_crowded', 'key_other', 'general']) s(s)) k
      LEFT JOIN spotcheck.plan_coverage_units(agency, year) c ON c.stratum = k.stratum
     GROUP BY ROLLUP (c.stratum)
     ORDER BY c.stratum IS NULL, pg_catalog.array_position(ARRAY['key_crowded', 'key_other', 'general'], c.stratum);
END
$$;
COMMENT ON FUNCTION spotcheck.coverage(text, integer) IS
    'per stratum (and all): active units, units planned this year, units checked this year, units owing a yearly minimum and those of them not yet planned';

CREATE FUNCTION spotcheck.coverage_due(agency text, year integer)
RETURNS TABLE (unit text, name text, address text, stratum text, minimum text, status text, last_left_out text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    unplanned_months integer;
    unplanned_at_all integer;
    this_month date := pg_catalog.date_trunc('month', spotcheck.plan_local_day(pg_catalog.now()))::date;
BEGIN
    PERFORM spotcheck.plan_require_reader(agency, year, 'coverage');
    -- the months of the year with no live monthly plan: at all, and from this
    -- month on (a month that is over can no longer be inspected in time)
    SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE m.month >= this_month)
      INTO unplanned_at_all, unplanned_months
      FROM pg_catalog.generate_series(pg_catalog.make_date(year, 1, 1), pg_catalog.make_date(year, 12, 1), '1 month') AS m(month)
     WHERE NOT EXISTS (SELECT FROM spotcheck.plan p
                        WHERE p.agency OPERATOR(pg_catalog.=) coverage_due.agency AND p.kind = 'month'
                          AND p.month = m.month::date AND p.abandoned_at IS NULL);
    RETURN QUERY
    SELECT c.unit, c.name, c.address, c.stratum, c.minimum,
           CASE WHEN unplanned_months > 0 THEN pg_catalog.format('due: %s month%s of %s still to be planned', unplanned_months,
                                                                 CASE WHEN unplanned_months = 1 THEN '' ELSE 's' END, year)
                WHEN unplanned_at_all = 0 THEN pg_catalog.format('unmet: every month of %s is planned', year)
                ELSE pg_catalog.format('unmet: the months of %s not planned yet are over', year) END,
           (SELECT pg_catalog.format('plan %s (%s): %s — %s', x.plan, spotcheck.plan_month_label(p.month), x.reason, x.detail)
              FROM spotcheck.plan_exclusions x JOIN spotcheck.plan p ON p.id = x.plan
             WHERE x.unit = c.unit AND p.year = coverage_due.year AND p.abandoned_at IS NULL
               AND coverage_due.agency = ANY (p.scope_agencies)
             ORDER BY p.month DESC, p.id DESC LIMIT 1)
      FROM spotcheck.plan_coverage_units(agency, year) c
     WHERE c.minimum IS NOT NULL AND NOT c.planned
     ORDER BY pg_catalog.convert_to(c.unit, 'UTF8');
END
$$;
COMMENT ON FUNCTION spotcheck.coverage_due(text, integer) IS
    'the units owing a yearly minimum (crowded-place key units, classes of annual_plan_minimums) not yet planned this year, whether the year can still meet it, and the last plan that left them out and why';

GRANT EXECUTE ON FUNCTION spotcheck.coverage(text, integer), spotcheck.coverage_due(text, integer)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
