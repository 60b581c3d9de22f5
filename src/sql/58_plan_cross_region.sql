-- Cross-region checks (跨区域检查, Article 13(3)): the upper level (a
-- detachment or corps) draws one plan over the directories of agencies below
-- it, with its own annual plan's parameters (strata ratios or counts,
-- ordinary-unit share, team size, items, deadlines).  The inspector pool is
-- the upper level's and those agencies' inspectors available all month; by
-- default an inspector never inspects a unit of the agency it belongs to
-- (those pairs are exclusions of the draw, like recusals), so that a region
-- is checked by officers from elsewhere.  Units already in an open plan of
-- their own agency (or of the upper level) are left out, and a unit drawn
-- here counts as planned for its own agency's yearly round and coverage.

CREATE FUNCTION spotcheck.plan_cross_region(agency text, month date, agencies text[] DEFAULT NULL,
                                            entropy_declaration text DEFAULT NULL,
                                            exclude_own_region boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    m date;
    lvl text;
    subs text[];
    bad text;
    ap spotcheck.annual_plans;
    items bigint[];
    decl text;
    pid bigint;
    quotas jsonb;
    now_ts timestamptz := pg_catalog.clock_timestamp();
BEGIN
    m := spotcheck.plan_require_month(month, 'cross-region plan');
    PERFORM spotcheck.require_agency_role(agency, ARRAY['spotcheck_admin', 'spotcheck_planner', 'spotcheck_upper']::name[],
                                          'draw a cross-region plan for ' || spotcheck.plan_month_label(m));
    SELECT a.level INTO lvl FROM spotcheck.agencies a WHERE a.code OPERATOR(pg_catalog.=) agency;
    IF lvl NOT IN ('detachment', 'corps') THEN
        RAISE EXCEPTION 'agency "%" is a %: cross-region checks are drawn by an upper level', agency, lvl
            USING ERRCODE = '22023', HINT = 'A detachment or corps draws a cross-region plan over the agencies below it (Article 13(3)).';
    END IF;
    IF exclude_own_region IS NULL THEN
        RAISE EXCEPTION 'exclude_own_region must not be null' USING ERRCODE = '22004', HINT = 'Pass true or false.';
    END IF;
    IF agencies IS NULL THEN
        subs := ARRAY(SELECT s FROM spotcheck.agency_subtree(agency) s JOIN spotcheck.agencies a ON a.code OPERATOR(pg_catalog.=) s
                       WHERE a.level = 'brigade' ORDER BY s);
    ELSE
        subs := ARRAY(SELECT DISTINCT pg_catalog.btrim(s) FROM pg_catalog.unnest(agencies) s ORDER BY 1);
        SELECT pg_catalog.string_agg(s, ', ') INTO bad FROM pg_catalog.unnest(subs) s
         WHERE s IS NULL OR s OPERATOR(pg_catalog.=) agency
            OR NOT s IN (SELECT x FROM spotcheck.agency_subtree(agency) x)
            OR (SELECT a.level FROM spotcheck.agencies a WHERE a.code OPERATOR(pg_catalog.=) s) = 'department';
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'permission denied: agency "%" may not draw a cross-region plan over %: not a fire-and-rescue agency below it', agency, bad
                USING ERRCODE = '42501', HINT = 'List agencies below it (spotcheck.agency_subtree), or leave agencies empty for all its brigades.';
        END IF;
    END IF;
    IF pg_catalog.cardinality(subs) = 0 THEN
        RAISE EXCEPTION 'agency "%" has no agency below it to check', agency
            USING ERRCODE = '22023', HINT = 'Register its brigades (spotcheck.agencies, parent) first.';
    END IF;
    PERFORM spotcheck.plan_lock(subs || agency);
    PERFORM spotcheck.plan_require_no_unrevealed(subs || agency);

    ap := spotcheck.plan_annual(agency, pg_catalog.date_part('year', m)::integer, true);
    items := spotcheck.plan_items_in_force(agency, ARRAY(SELECT i.item_id FROM spotcheck.annual_plan_items i
                                                          WHERE i.agency = ap.agency AND i.year = ap.year),
                                           m, pg_catalog.format('the annual plan of agency "%s" for %s', agency, ap.year));
    decl := COALESCE(entropy_declaration, ap.entropy_declaration);
    IF decl IS NULL OR pg_catalog.btrim(decl) = '' THEN
        RAISE EXCEPTION 'the cross-region plan of agency "%" for % needs an entropy declaration', agency, spotcheck.plan_month_label(m)
            USING ERRCODE = '22023', HINT = 'Pass entropy_declaration, or set it in spotcheck.annual_plans.';
    END IF;

    INSERT INTO spotcheck.plan (kind, agency, scope_agencies, year, month, parameters, items, team_size, deadline,
                                entropy_declaration, drawn_at, drawn_by, drawn_xid)
    VALUES ('cross_region', agency, subs, ap.year, m,
            spotcheck.plan_parameters(ap) || pg_catalog.jsonb_build_object('exclude_own_region', exclude_own_region),
            items, ap.team_size, spotcheck.plan_deadline(ap, m), decl, now_ts, spotcheck.caller(), pg_catalog.pg_current_xact_id())
    RETURNING id INTO pid;
    PERFORM spotcheck.plan_fill(pid);
    quotas := spotcheck.plan_quotas(pid, ap);
    PERFORM spotcheck.plan_commit_draws(pid, quotas);
    RETURN pid;
END
$$;
COMMENT ON FUNCTION spotcheck.plan_cross_region(text, date, text[], text, boolean) IS
    'draw a cross-region plan (Article 13(3)) of an upper level over the directories of agencies below it, with inspectors from elsewhere; returns the plan id';

GRANT EXECUTE ON FUNCTION spotcheck.plan_cross_region(text, date, text[], text, boolean)
    TO spotcheck_admin, spotcheck_planner, spotcheck_upper;
