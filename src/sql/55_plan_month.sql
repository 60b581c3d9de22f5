-- plan_month: the monthly plan (Articles 13-15, 17, 18) as one function call.
--
-- plan_month(agency, month [, entropy_declaration] [, campaigns]) checks that
-- the caller plans for the agency, takes the agency's planning lock, and in
-- one transaction:
--   1. records the plan with a copy of the annual plan's parameters, the
--      deadline of its targets, when it was drawn and whether that was after
--      the deadline day of the month before (Article 15);
--   2. classifies every unit of the agency's directory (54_plan_pool.sql):
--      stratum and weight, or the reason it is left out;
--   3. works out each stratum's quota: the must-cover stratum gets
--      ceil(units still owing / months left in the year, this one included),
--      so every such unit is drawn by December whatever the draws turn out
--      to be; the others their monthly and yearly ratio or count; ordinary
--      units at least the configured share of the sample;
--   4. freezes the inspector pool (available all month, seconded ones
--      included) and the recusals, and refuses — naming the unit, its
--      eligible inspectors and the team size — a unit that could not get a
--      full team, and a pool too small for one team;
--   5. commits one draw for targets and teams (DRAW-SPEC.md), registers the
--      plan's items as used, and records everything in the audit log.
-- The draw is executed later, in another transaction (execute_plan or
-- execute_draw); its targets then appear in spotcheck.plan_targets.
-- Every error leaves nothing behind: it aborts the whole call.
--
-- The pools are built here, from the registries, with the owner's rights and
-- filtered by the agency — never from a relation the caller names.
--
-- The plan functions run with jit = off: compiling the pool's few large
-- queries costs more (100-200 ms a plan) than it saves.

-- Serialise the plans of the given agencies (sorted, so that two calls
-- locking overlapping sets cannot deadlock).
CREATE FUNCTION spotcheck.plan_lock(agencies text[]) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('spotcheck.plan/' || a, 0))
      FROM (SELECT DISTINCT a FROM pg_catalog.unnest(agencies) a ORDER BY a) x
$$;

-- Refuse to plan from results nobody may see yet: a draw of one of these
-- agencies' plans executed in this very transaction.
CREATE FUNCTION spotcheck.plan_require_no_unrevealed(agencies text[]) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p record;
BEGIN
    SELECT q.id, d.id AS draw INTO p FROM spotcheck.plan q JOIN spotcheck.draw d ON d.id = q.draw OR d.id = q.member_draw
     WHERE (q.agency = ANY (agencies) OR q.scope_agencies && agencies)
       AND d.executed_at IS NOT NULL AND NOT spotcheck.draw_revealed(d)
     LIMIT 1;
    IF NOT FOUND THEN
        -- the redraw of a reassignment or amendment approved in this transaction
        SELECT q.id, d.id AS draw INTO p FROM spotcheck.plan q
          JOIN spotcheck.draw d ON d.id IN (SELECT r.redraw FROM spotcheck.reassignments r WHERE r.plan = q.id
                                            UNION ALL SELECT a.redraw FROM spotcheck.plan_amendments a WHERE a.plan = q.id
                                            UNION ALL SELECT a.member_redraw FROM spotcheck.plan_amendments a WHERE a.plan = q.id)
         WHERE (q.agency = ANY (agencies) OR q.scope_agencies && agencies)
           AND d.executed_at IS NOT NULL AND NOT spotcheck.draw_revealed(d)
         LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'plan % (draw %) was executed in this transaction', p.id, p.draw
            USING ERRCODE = '25000',
                  HINT = 'Commit the execution first: a new plan is drawn from what earlier plans drew, which nobody may see before the execution commits.';
    END IF;
END
$$;

-- The annual plan of an agency for a year, with a clear error when it or any
-- of its stratum parameters is missing.
CREATE FUNCTION spotcheck.plan_annual(agency text, year integer, strata_needed boolean) RETURNS spotcheck.annual_plans
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ap spotcheck.annual_plans;
    missing text;
BEGIN
    SELECT * INTO ap FROM spotcheck.annual_plans a WHERE a.agency = plan_annual.agency AND a.year = plan_annual.year;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'agency "%" has no annual plan for %', agency, year
            USING ERRCODE = '55000',
                  DETAIL = 'A plan is drawn with the parameters of the agency''s annual plan (Article 13): strata ratios, ordinary-unit share, team size, deadlines, items.',
                  HINT = pg_catalog.format('Insert them first: INSERT INTO spotcheck.annual_plans (agency, year) VALUES (%L, %s); then its rows in spotcheck.annual_plan_strata and spotcheck.annual_plan_items.', agency, year);
    END IF;
    IF strata_needed THEN
        SELECT pg_catalog.string_agg(s, ', ') INTO missing
          FROM pg_catalog.unnest(ARRAY['key_crowded', 'key_other', 'general']) s
         WHERE NOT EXISTS (SELECT FROM spotcheck.annual_plan_strata x
                            WHERE x.agency = plan_annual.agency AND x.year = plan_annual.year AND x.stratum = s);
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION 'the annual plan of agency "%" for % has no ratio or count for the stratum %', agency, year, missing
                USING ERRCODE = '55000',
                      HINT = pg_catalog.format('Insert them, e.g. INSERT INTO spotcheck.annual_plan_strata (agency, year, stratum, monthly_ratio) VALUES (%L, %s, %L, 2).',
                                               agency, year, pg_catalog.split_part(missing, ', ', 1));
        END IF;
    END IF;
    RETURN ap;
END
$$;

-- The items of an annual plan in force for the agency on a day (an item the
-- agency or a level between narrows stands for the narrowing item), with a
-- clear error when there is none.
CREATE FUNCTION spotcheck.plan_items_in_force(agency text, listed bigint[], on_date date, what text) RETURNS bigint[]
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ids bigint[];
BEGIN
    ids := ARRAY(SELECT e.id FROM spotcheck.effective_check_items(agency, on_date) e
                  WHERE e.id = ANY (listed) OR spotcheck.plan_item_narrows_any(e.id, listed)
                  ORDER BY e.id);
    IF pg_catalog.cardinality(ids) = 0 THEN
        RAISE EXCEPTION '% lists no item in force for agency "%" on %', what, agency, spotcheck.plan_day_label(on_date)
            USING ERRCODE = '55000',
                  DETAIL = pg_catalog.format('Items listed: %s.',
                               COALESCE((SELECT pg_catalog.string_agg(i.code || ' of ' || i.agency
                                                                      || CASE WHEN i.valid_to IS NOT NULL THEN ', in force until ' || spotcheck.plan_day_label(i.valid_to) ELSE '' END,
                                                                      '; ' ORDER BY i.agency, i.code)
                                           FROM spotcheck.check_items i WHERE i.id = ANY (listed)), 'none')),
                  HINT = 'A plan checks items of the list (Article 7): add items in force that day (see spotcheck.effective_check_items).';
    END IF;
    RETURN ids;
END
$$;

-- A plan's deadline under the annual plan's rule.
CREATE FUNCTION spotcheck.plan_deadline(ap spotcheck.annual_plans, month date) RETURNS date
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE ap.deadline_rule
                WHEN 'month_end' THEN spotcheck.plan_month_end(month)
                WHEN 'days' THEN LEAST(month + ap.deadline_days - 1, spotcheck.plan_month_end(month))
                WHEN 'working_days' THEN spotcheck.add_working_days(month - 1, ap.deadline_days)
           END
$$;

-- The parameters of an annual plan as they are now (a plan keeps a copy).
CREATE FUNCTION spotcheck.plan_parameters(ap spotcheck.annual_plans) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.jsonb_build_object(
        'annual_plan', pg_catalog.to_jsonb(ap) - 'created_by' - 'created_at',
        'strata', (SELECT COALESCE(pg_catalog.jsonb_object_agg(s.stratum, pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                                        'monthly_ratio', s.monthly_ratio, 'monthly_count', s.monthly_count,
                                        'yearly_ratio', s.yearly_ratio, 'yearly_count', s.yearly_count))), '{}')
                     FROM spotcheck.annual_plan_strata s WHERE s.agency = ap.agency AND s.year = ap.year),
        'minimums', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.to_jsonb(m) - 'agency' - 'year') ORDER BY m.id), '[]')
                       FROM spotcheck.annual_plan_minimums m WHERE m.agency = ap.agency AND m.year = ap.year),
        'items', (SELECT COALESCE(pg_catalog.jsonb_agg(i.item_id ORDER BY i.item_id), '[]')
                    FROM spotcheck.annual_plan_items i WHERE i.agency = ap.agency AND i.year = ap.year))
$$;

-- Fill a plan's pool and exclusions from its row (kind, scope, items, month,
-- parameters), after checking that its weight rules can weigh every unit.
CREATE FUNCTION spotcheck.plan_fill(pid bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p spotcheck.plan;
    a jsonb;
    c jsonb;
    missing text;
BEGIN
    SELECT * INTO p FROM spotcheck.plan x WHERE x.id = pid;
    a := p.parameters->'annual_plan';
    c := COALESCE(p.parameters->'campaign', '{}');
    SELECT pg_catalog.string_agg(x.factor || ' = ' || x.match, ', ') INTO missing FROM spotcheck.weight_rules_missing(p.agency, p.month) x;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'the weight rules in force for agency "%" on % lack a rule for %', p.agency, spotcheck.plan_day_label(p.month), missing
            USING ERRCODE = '55000',
                  HINT = 'Every unit needs a multiplier for each factor: add the missing rules to spotcheck.weight_rules, or keep a default in force.';
    END IF;
    WITH r AS MATERIALIZED (
        SELECT * FROM spotcheck.plan_classify(
            p.scope_agencies, p.agency, p.agency, p.items, p.month,
            CASE WHEN p.kind = 'month' THEN p.agency END,
            (a->>'recent_check_days')::integer, (a->>'duty_window_months')::integer, (a->>'signal_window_days')::integer,
            p.scope_agencies || p.agency,
            ARRAY(SELECT pg_catalog.jsonb_array_elements_text(COALESCE(c->'unit_types', '[]'))),
            ARRAY(SELECT pg_catalog.jsonb_array_elements_text(COALESCE(c->'venue_categories', '[]'))),
            ARRAY(SELECT pg_catalog.jsonb_array_elements_text(COALESCE(c->'units', '[]'))),
            CASE WHEN p.kind IN ('special', 'joint') THEN p.kind END)
    ), excluded AS (
        INSERT INTO spotcheck.plan_exclusions (plan, unit, reason, detail, owes_minimum)
        SELECT pid, r.unit, r.reason, r.detail, r.owes_minimum FROM r WHERE r.reason IS NOT NULL
        RETURNING 1
    )
    INSERT INTO spotcheck.plan_pool (plan, unit, stratum, weight, owes_minimum, credit_input, credit_rule, credit_factor,
                                     risk_input, risk_rule, risk_factor, duty_input, duty_rule, duty_factor,
                                     signals, signal_rule, signal_factor, items)
    SELECT pid, r.unit, r.stratum, r.weight, r.owes_minimum, r.credit_input, r.credit_rule, r.credit_factor,
           r.risk_input, r.risk_rule, r.risk_factor, r.duty_input, r.duty_rule, r.duty_factor,
           r.signals, r.signal_rule, r.signal_factor, r.items
      FROM r WHERE r.reason IS NULL;
END
$$;

-- The quotas of a plan drawn with the annual plan's strata (monthly and
-- cross-region plans): one plan_strata row per stratum; returns the quota
-- object of the draw.
CREATE FUNCTION spotcheck.plan_quotas(pid bigint, ap spotcheck.annual_plans) RETURNS jsonb
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p spotcheck.plan;
    months_left integer;
    s text;
    sp spotcheck.annual_plan_strata;
    eligible integer;
    class_size integer;
    drawn integer;
    monthly integer;
    target integer;
    yearly integer;
    q integer;
    rule text;
    det jsonb;
    quotas jsonb := '{}';
    others integer;
    need integer;
    where_ text;
    sizes jsonb;
BEGIN
    SELECT * INTO p FROM spotcheck.plan x WHERE x.id = pid;
    months_left := 13 - pg_catalog.date_part('month', p.month)::integer;
    -- the pool's strata, counted in one pass
    SELECT COALESCE(pg_catalog.jsonb_object_agg(g.stratum, g.n), '{}') INTO sizes
      FROM (SELECT x.stratum, pg_catalog.count(*) AS n FROM spotcheck.plan_pool x WHERE x.plan = pid GROUP BY x.stratum) g;
    where_ := pg_catalog.format('agency "%s", %s', p.agency, spotcheck.plan_month_label(p.month));

    IF p.kind = 'month' THEN
        eligible := COALESCE((sizes->>'must_cover')::integer, 0);
        q := (eligible + months_left - 1) / months_left;
        INSERT INTO spotcheck.plan_strata (plan, stratum, eligible, quota, rule, details)
        VALUES (pid, 'must_cover', eligible, q,
                pg_catalog.format('ceil(%s units still owing a yearly minimum / %s months left) = %s', eligible, months_left, q),
                pg_catalog.jsonb_build_object('owing_in_pool', eligible, 'months_left', months_left,
                    'owing_left_out', (SELECT pg_catalog.count(*) FROM spotcheck.plan_exclusions x WHERE x.plan = pid AND x.owes_minimum)));
        quotas := quotas || pg_catalog.jsonb_build_object('must_cover', q);
    END IF;

    FOREACH s IN ARRAY ARRAY['key_crowded', 'key_other', 'general'] LOOP
        SELECT * INTO sp FROM spotcheck.annual_plan_strata x WHERE x.agency = ap.agency AND x.year = ap.year AND x.stratum = s;
        eligible := COALESCE((sizes->>s)::integer, 0);
        det := pg_catalog.jsonb_build_object('months_left', months_left);
        rule := '';
        monthly := 0;
        IF sp.monthly_count IS NOT NULL THEN
            SELECT pg_catalog.count(*) INTO class_size FROM spotcheck.units u
             WHERE u.agency = ANY (p.scope_agencies) AND u.active
               AND CASE s WHEN 'key_crowded' THEN u.is_key_unit AND u.is_crowded_place
                          WHEN 'key_other' THEN u.is_key_unit AND NOT u.is_crowded_place
                          ELSE NOT u.is_key_unit END;
            IF sp.monthly_count > class_size THEN
                RAISE EXCEPTION 'the monthly count % of stratum % is larger than its % active units (%)', sp.monthly_count, s, class_size, where_
                    USING ERRCODE = '22023',
                          HINT = 'Lower monthly_count in spotcheck.annual_plan_strata, or give a monthly_ratio instead.';
            END IF;
            monthly := LEAST(sp.monthly_count, eligible);
            rule := pg_catalog.format('monthly count %s', sp.monthly_count)
                 || CASE WHEN monthly < sp.monthly_count THEN pg_catalog.format(', only %s eligible this month', eligible) ELSE '' END;
        ELSIF sp.monthly_ratio IS NOT NULL THEN
            monthly := pg_catalog.ceil(sp.monthly_ratio * eligible / 100)::integer;
            rule := pg_catalog.format('ceil(%s%% of %s eligible) = %s', sp.monthly_ratio, eligible, monthly);
        END IF;
        det := det || pg_catalog.jsonb_build_object('monthly', monthly);
        yearly := 0;
        IF sp.yearly_ratio IS NOT NULL OR sp.yearly_count IS NOT NULL THEN
            SELECT pg_catalog.count(*) INTO class_size FROM spotcheck.units u
             WHERE u.agency = ANY (p.scope_agencies) AND u.active
               AND CASE s WHEN 'key_crowded' THEN u.is_key_unit AND u.is_crowded_place
                          WHEN 'key_other' THEN u.is_key_unit AND NOT u.is_crowded_place
                          ELSE NOT u.is_key_unit END;
            SELECT pg_catalog.count(*) INTO drawn FROM spotcheck.plan_target t JOIN spotcheck.plan x ON x.id = t.plan
             WHERE x.agency = p.agency AND x.kind = p.kind AND x.year = p.year AND x.abandoned_at IS NULL AND t.stratum = s
               AND t.removed_by IS NULL;
            IF sp.yearly_count IS NOT NULL THEN
                IF sp.yearly_count > class_size THEN
                    RAISE EXCEPTION 'the yearly count % of stratum % is larger than its % active units (%)', sp.yearly_count, s, class_size, where_
                        USING ERRCODE = '22023', HINT = 'Lower yearly_count in spotcheck.annual_plan_strata, or give a yearly_ratio instead.';
                END IF;
                target := sp.yearly_count;
            ELSE
                target := pg_catalog.ceil(sp.yearly_ratio * class_size / 100)::integer;
            END IF;
            yearly := (GREATEST(target - drawn, 0) + months_left - 1) / months_left;
            det := det || pg_catalog.jsonb_build_object('yearly_target', target, 'class_size', class_size,
                                                        'drawn_this_year', drawn, 'yearly_part', yearly);
            IF yearly > eligible THEN
                det := det || pg_catalog.jsonb_build_object('yearly_unreachable',
                    pg_catalog.format('the yearly target needs %s this month, only %s are eligible', yearly, eligible));
                yearly := eligible;
            END IF;
            rule := rule || CASE WHEN rule = '' THEN '' ELSE '; ' END
                 || pg_catalog.format('yearly target %s - %s drawn, over %s months = %s', target, drawn, months_left, yearly);
        END IF;
        q := GREATEST(monthly, yearly);
        IF s = 'general' THEN
            -- Ordinary units are never less than the share of the sample:
            -- with the other strata's quotas Q and the share s, the general
            -- quota g must have g >= s/100 * (Q + g), i.e. g >= s*Q / (100 - s).
            others := (quotas->>'key_crowded')::integer + (quotas->>'key_other')::integer + COALESCE((quotas->>'must_cover')::integer, 0);
            IF ap.min_general_share >= 100 THEN
                IF others > 0 THEN
                    RAISE EXCEPTION 'the ordinary-unit share of 100%% leaves no room for the % units of the other strata (%)', others, where_
                        USING ERRCODE = '22023', HINT = 'Lower min_general_share in spotcheck.annual_plans, or set the other strata''s ratios to 0.';
                END IF;
                need := 0;
            ELSE
                need := pg_catalog.ceil(ap.min_general_share * others / (100 - ap.min_general_share))::integer;
            END IF;
            IF need > eligible THEN
                RAISE EXCEPTION 'the ordinary-unit share of % needs % ordinary units beside the % of the other strata, but only % are eligible (%)',
                                ap.min_general_share::text || '%', need, others, eligible, where_
                    USING ERRCODE = '22023',
                          HINT = 'Lower min_general_share or the other strata''s ratios in the annual plan; spotcheck.explain_exclusion says why units are left out.';
            END IF;
            det := det || pg_catalog.jsonb_build_object('share', ap.min_general_share, 'share_minimum', need, 'other_strata', others);
            IF need > q THEN
                rule := rule || CASE WHEN rule = '' THEN '' ELSE '; ' END
                     || pg_catalog.format('raised to %s: ordinary units at least %s%% of the sample (%s in the other strata)',
                                          need, ap.min_general_share, others);
                q := need;
            END IF;
        END IF;
        INSERT INTO spotcheck.plan_strata (plan, stratum, eligible, quota, rule, details)
        VALUES (pid, s, eligible, q, rule, det);
        quotas := quotas || pg_catalog.jsonb_build_object(s, q);
    END LOOP;
    RETURN quotas;
END
$$;

-- The frozen part of a plan, hashed: pool factors and items, strata (with
-- how each quota was worked out), exclusions (with their detail), inspector
-- pools and recusals, one line per row in a fixed order.
CREATE FUNCTION spotcheck.plan_frozen_digest(pid bigint) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
        -- (the rules a row names give its inputs and multipliers; verify_plan
        -- checks them against the rules, so the digest covers the rule ids)
        COALESCE((SELECT pg_catalog.string_agg(x.unit || E'\t' || x.stratum || E'\t' || x.weight || E'\t' || x.owes_minimum
                                               || E'\t' || x.credit_rule || E'\t' || x.risk_rule || E'\t' || x.duty_rule
                                               || E'\t' || x.signals || E'\t' || x.signal_rule || E'\t' || x.items::text,
                                               E'\n' ORDER BY x.unit COLLATE "C")
                    FROM spotcheck.plan_pool x WHERE x.plan = pid), '') || E'\n' ||
        COALESCE((SELECT pg_catalog.string_agg(pg_catalog.concat_ws(E'\t', 'stratum', x.stratum, x.eligible, x.quota, x.rule, x.details::text), E'\n' ORDER BY x.stratum)
                    FROM spotcheck.plan_strata x WHERE x.plan = pid), '') || E'\n' ||
        COALESCE((SELECT pg_catalog.string_agg(pg_catalog.concat_ws(E'\t', 'excluded', x.unit, x.reason, x.owes_minimum, x.detail), E'\n' ORDER BY pg_catalog.convert_to(x.unit, 'UTF8'))
                    FROM spotcheck.plan_exclusions x WHERE x.plan = pid), '') || E'\n' ||
        COALESCE((SELECT pg_catalog.string_agg(pg_catalog.concat_ws(E'\t', 'inspector', x.inspector, x.side, x.seconded), E'\n' ORDER BY pg_catalog.convert_to(x.inspector, 'UTF8'))
                    FROM spotcheck.plan_inspectors x WHERE x.plan = pid), '') || E'\n' ||
        COALESCE((SELECT pg_catalog.string_agg(pg_catalog.concat_ws(E'\t', 'recusal', x.inspector, x.unit), E'\n'
                                               ORDER BY pg_catalog.convert_to(x.inspector, 'UTF8'), pg_catalog.convert_to(x.unit, 'UTF8'))
                    FROM spotcheck.plan_recusals x WHERE x.plan = pid), ''), 'UTF8')), 'hex')
$$;

-- Freeze the inspector pool(s) and recusals of a plan whose pool and quotas
-- are written, refuse what could not be drawn, commit its draw(s), register
-- its items and weight rules, and audit it.  No privilege check: the plan_*
-- functions check the caller first.
CREATE FUNCTION spotcheck.plan_commit_draws(pid bigint, quotas jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p spotcheck.plan;
    ms date;
    me date;
    n_ours integer;
    n_partner integer := 0;
    main_teams boolean;
    short record;
    n_short integer;
    detail text;
    keys text[];
    strata text[];
    weights bigint[];
    insp text[];
    ex_i text[];
    ex_t text[];
    did bigint;
    mid bigint;
    mquotas jsonb;
    unavailable text;
    what text;
    frozen text;
BEGIN
    SELECT * INTO p FROM spotcheck.plan x WHERE x.id = pid;
    ms := p.month;
    me := spotcheck.plan_month_end(ms);
    what := pg_catalog.format('%s plan of agency "%s" for %s', p.kind, p.agency, spotcheck.plan_month_label(ms));

    -- ---- the inspector pools, available for the whole month
    INSERT INTO spotcheck.plan_inspectors (plan, inspector, side, seconded)
    SELECT pid, x.inspector, 'ours', pg_catalog.bool_and(x.seconded)
      FROM pg_catalog.unnest(CASE WHEN p.kind = 'cross_region' THEN p.scope_agencies || p.agency ELSE ARRAY[p.agency] END) a,
           LATERAL spotcheck.plan_inspector_pool(a, ms, me) x
     GROUP BY x.inspector;
    IF p.kind = 'joint' THEN
        INSERT INTO spotcheck.plan_inspectors (plan, inspector, side, seconded)
        SELECT pid, x.inspector, 'partner', x.seconded FROM spotcheck.plan_inspector_pool(p.partner, ms, me) x
        ON CONFLICT DO NOTHING;
    END IF;
    SELECT pg_catalog.count(*) FILTER (WHERE x.side = 'ours'), pg_catalog.count(*) FILTER (WHERE x.side = 'partner')
      INTO n_ours, n_partner FROM spotcheck.plan_inspectors x WHERE x.plan = pid;

    -- ---- recusals between them and the pool (and, across regions, an
    -- inspector never inspects a unit of the agency it belongs to)
    -- (the pool was written in this transaction, so the planner knows
    -- nothing of its size: every look-up in it below is a scalar sub-select
    -- on its primary key, never a join it could turn into a scan per row)
    INSERT INTO spotcheck.plan_recusals (plan, inspector, unit, reason)
    SELECT pid, r.inspector, r.unit, r.reason
      FROM spotcheck.plan_inspectors i
      JOIN spotcheck.inspector_recusals r ON r.inspector = i.inspector
     WHERE i.plan = pid
       AND (SELECT true FROM spotcheck.plan_pool u WHERE u.plan = pid AND u.unit = r.unit);
    IF p.kind = 'cross_region' AND COALESCE((p.parameters->>'exclude_own_region')::boolean, true) THEN
        INSERT INTO spotcheck.plan_recusals (plan, inspector, unit, reason)
        SELECT pid, i.inspector, un.code, 'own region (cross-region check)'
          FROM spotcheck.plan_inspectors i
          JOIN spotcheck.inspectors x ON x.code = i.inspector
          JOIN spotcheck.units un ON un.agency = x.agency
         WHERE i.plan = pid
           AND (SELECT true FROM spotcheck.plan_pool u WHERE u.plan = pid AND u.unit = un.code)
        ON CONFLICT DO NOTHING;
    END IF;

    -- ---- too few inspectors for one team
    IF n_ours < p.team_size OR (p.kind = 'joint' AND n_partner < p.partner_team_size) THEN
        IF n_ours < p.team_size THEN
            SELECT pg_catalog.string_agg(pg_catalog.format('%s %s (%s)', x.inspector, x.name, x.why), ', ') INTO unavailable
              FROM spotcheck.plan_unavailable_inspectors(p.agency, ms, me) x;
            RAISE EXCEPTION 'too few inspectors for the %: a team needs %, % % available for the whole month', what, p.team_size, n_ours,
                            CASE WHEN n_ours = 1 THEN 'is' ELSE 'are' END
                USING ERRCODE = '55000',
                      DETAIL = pg_catalog.format('Available: %s. Not available: %s.',
                                   COALESCE((SELECT pg_catalog.string_agg(x.inspector, ', ' ORDER BY x.inspector) FROM spotcheck.plan_inspectors x
                                              WHERE x.plan = pid AND x.side = 'ours'), 'none'), COALESCE(unavailable, 'nobody else')),
                      HINT = 'Register or reactivate inspectors, renew certificates, second an upper-level inspector (spotcheck.inspector_secondments), or lower team_size in the annual plan (not below 2).';
        END IF;
        RAISE EXCEPTION 'too few inspectors of partner "%" for the %: a team needs %, % % available for the whole month',
                        p.partner, what, p.partner_team_size, n_partner, CASE WHEN n_partner = 1 THEN 'is' ELSE 'are' END
            USING ERRCODE = '55000', HINT = 'The partner department registers its inspectors in spotcheck.inspectors (agency level department).';
    END IF;

    -- ---- no unit may be undrawable: every unit of the pool needs a full team
    WITH rc AS (
        SELECT r.unit, i.side, pg_catalog.count(*) AS n
          FROM spotcheck.plan_recusals r JOIN spotcheck.plan_inspectors i ON i.plan = pid AND i.inspector = r.inspector
         WHERE r.plan = pid GROUP BY r.unit, i.side
    ), e AS (
        -- (only units with a recusal can be short; every one is in the pool)
        SELECT rc.unit,
               n_ours - COALESCE(pg_catalog.sum(rc.n) FILTER (WHERE rc.side = 'ours'), 0) AS ours,
               n_partner - COALESCE(pg_catalog.sum(rc.n) FILTER (WHERE rc.side = 'partner'), 0) AS partner
          FROM rc GROUP BY rc.unit
    )
    SELECT e.unit, e.ours, e.partner,
           (SELECT pg_catalog.count(*) FROM e e2 WHERE e2.ours < p.team_size OR (p.kind = 'joint' AND e2.partner < p.partner_team_size)) AS n,
           (SELECT pg_catalog.string_agg(e2.unit, ', ' ORDER BY e2.unit) FROM (SELECT e3.unit FROM e e3
                 WHERE e3.ours < p.team_size OR (p.kind = 'joint' AND e3.partner < p.partner_team_size) ORDER BY e3.unit LIMIT 10) e2) AS units
      INTO short
      FROM e WHERE e.ours < p.team_size OR (p.kind = 'joint' AND e.partner < p.partner_team_size)
     ORDER BY pg_catalog.convert_to(e.unit, 'UTF8') LIMIT 1;
    IF FOUND THEN
        SELECT pg_catalog.format('Eligible: %s. Recused: %s.%s',
                   COALESCE((SELECT pg_catalog.string_agg(i.inspector || ' ' || x.name, ', ' ORDER BY i.inspector)
                               FROM spotcheck.plan_inspectors i JOIN spotcheck.inspectors x ON x.code = i.inspector
                              WHERE i.plan = pid
                                AND NOT EXISTS (SELECT FROM spotcheck.plan_recusals r WHERE r.plan = pid AND r.unit = short.unit AND r.inspector = i.inspector)), 'nobody'),
                   (SELECT pg_catalog.string_agg(r.inspector || ' ' || x.name || ' (' || r.reason || ')', ', ' ORDER BY r.inspector)
                      FROM spotcheck.plan_recusals r JOIN spotcheck.inspectors x ON x.code = r.inspector
                     WHERE r.plan = pid AND r.unit = short.unit),
                   CASE WHEN short.n > 1 THEN pg_catalog.format(' %s units in all are short: %s%s.', short.n, short.units,
                                                                 CASE WHEN short.n > 10 THEN ', ...' ELSE '' END) ELSE '' END)
          INTO detail;
        RAISE EXCEPTION 'unit "%" (%) would have % eligible % for the %, fewer than the team size %',
                        short.unit, (SELECT u.name FROM spotcheck.units u WHERE u.code = short.unit),
                        CASE WHEN short.ours < p.team_size THEN short.ours ELSE short.partner END,
                        CASE WHEN short.ours < p.team_size THEN 'inspector' ELSE 'partner inspector' END
                        || CASE WHEN (CASE WHEN short.ours < p.team_size THEN short.ours ELSE short.partner END) = 1 THEN '' ELSE 's' END, what,
                        CASE WHEN short.ours < p.team_size THEN p.team_size ELSE p.partner_team_size END
            USING ERRCODE = '23514', DETAIL = detail,
                  HINT = 'No unit may be left undrawable.  Before the month is drawn, second an upper-level or joint inspector to the agency (spotcheck.inspector_secondments), review the recusals (spotcheck.inspector_recusals), or record a decision to leave the unit out of this month (spotcheck.pool_decisions); then plan again.';
    END IF;

    -- ---- the draw of targets (and teams)
    main_teams := p.team_size >= 2;
    SELECT COALESCE(pg_catalog.array_agg(x.unit), '{}'), COALESCE(pg_catalog.array_agg(x.stratum), '{}'),
           COALESCE(pg_catalog.array_agg(x.weight), '{}')
      INTO keys, strata, weights FROM spotcheck.plan_pool x WHERE x.plan = pid;
    IF main_teams THEN
        insp := ARRAY(SELECT x.inspector FROM spotcheck.plan_inspectors x WHERE x.plan = pid AND x.side = 'ours' ORDER BY x.inspector);
        SELECT COALESCE(pg_catalog.array_agg(r.inspector ORDER BY r.inspector, r.unit), '{}'),
               COALESCE(pg_catalog.array_agg(r.unit ORDER BY r.inspector, r.unit), '{}')
          INTO ex_i, ex_t
          FROM spotcheck.plan_recusals r JOIN spotcheck.plan_inspectors i ON i.plan = pid AND i.inspector = r.inspector AND i.side = 'ours'
         WHERE r.plan = pid;
    END IF;
    did := spotcheck.draw_commit_with('plan:' || pid, keys, strata, weights, quotas, p.entropy_declaration,
                                      insp, CASE WHEN main_teams THEN p.team_size END, ex_i, ex_t,
                                      'targets', p.agency, spotcheck.draw_new_secret(), 'generated');

    -- ---- joint plans: the members drawn for every unit of the pool, in a
    -- second draw committed now (before anyone knows the targets): one
    -- stratum per unit and side, keys "unit/inspector", weight 1
    IF p.kind = 'joint' THEN
        SELECT COALESCE(pg_catalog.array_agg(k.key ORDER BY k.key), '{}'), COALESCE(pg_catalog.array_agg(k.stratum ORDER BY k.key), '{}'),
               COALESCE(pg_catalog.array_agg(1::bigint ORDER BY k.key), '{}')
          INTO keys, strata, weights
          FROM (SELECT u.unit || '/' || i.inspector AS key, u.unit || '/' || i.side AS stratum
                  FROM spotcheck.plan_pool u JOIN spotcheck.plan_inspectors i ON i.plan = pid
                 WHERE u.plan = pid AND (i.side = 'partner' OR NOT main_teams)
                   AND (SELECT pg_catalog.count(*) FROM spotcheck.plan_recusals r
                         WHERE r.plan = pid AND r.inspector = i.inspector AND r.unit = u.unit) = 0) k;
        SELECT COALESCE(pg_catalog.jsonb_object_agg(s.stratum, s.quota), '{}') INTO mquotas
          FROM (SELECT u.unit || '/partner' AS stratum, p.partner_team_size AS quota FROM spotcheck.plan_pool u WHERE u.plan = pid
                UNION ALL
                SELECT u.unit || '/ours', p.team_size FROM spotcheck.plan_pool u WHERE u.plan = pid AND NOT main_teams) s;
        mid := spotcheck.draw_commit_with('plan:' || pid || '/members', keys, strata, weights, mquotas, p.entropy_declaration,
                                          NULL, NULL, NULL, NULL, 'targets', p.agency, spotcheck.draw_new_secret(), 'generated');
    END IF;

    UPDATE spotcheck.plan x SET draw = did, member_draw = mid WHERE x.id = pid;
    INSERT INTO spotcheck.plan_weight_rules (plan, rule)
    SELECT pid, r.id FROM spotcheck.weight_rules_in_force(p.agency, p.month) r;
    INSERT INTO spotcheck.check_item_uses (item_id, used_by)
    SELECT i, 'plan:' || pid FROM pg_catalog.unnest(p.items) i
    ON CONFLICT DO NOTHING;
    frozen := spotcheck.plan_frozen_digest(pid);
    UPDATE spotcheck.plan x SET frozen_digest = frozen WHERE x.id = pid;

    PERFORM spotcheck.audit_record('plan.commit', 'plan:' || pid, p.agency, pg_catalog.jsonb_build_object(
        'kind', p.kind, 'month', spotcheck.plan_month_label(p.month), 'draw', did, 'member_draw', mid,
        'partner', p.partner, 'alongside', p.alongside, 'campaign', p.campaign, 'scope_agencies', p.scope_agencies, 'items', p.items,
        'pool_size', (SELECT pg_catalog.count(*) FROM spotcheck.plan_pool x WHERE x.plan = pid),
        'quotas', quotas, 'team_size', p.team_size, 'partner_team_size', p.partner_team_size,
        'inspectors', n_ours, 'partner_inspectors', n_partner,
        'excluded', (SELECT COALESCE(pg_catalog.jsonb_object_agg(e.reason, e.n), '{}')
                       FROM (SELECT x.reason, pg_catalog.count(*) AS n FROM spotcheck.plan_exclusions x WHERE x.plan = pid GROUP BY x.reason) e),
        'deadline', spotcheck.plan_day_label(p.deadline), 'drawn_at', spotcheck.draw_time(p.drawn_at),
        'draw_deadline', spotcheck.plan_day_label(p.draw_deadline), 'late', p.late,
        'parameters_digest', pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(p.parameters::text, 'UTF8')), 'hex'),
        'frozen_digest', frozen));
END
$$;

-- The common start of every kind of plan: the month, its checks, the row.
CREATE FUNCTION spotcheck.plan_require_month(month date, what text) RETURNS date
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF month IS NULL THEN
        RAISE EXCEPTION 'the month of the % must not be null', what
            USING ERRCODE = '22004', HINT = 'Pass the plan month as a date, e.g. ''2026-07-01'' (any day of the month will do).';
    END IF;
    IF pg_catalog.date_part('year', month) NOT BETWEEN 2000 AND 2100 THEN
        RAISE EXCEPTION 'month % of the % is out of range', spotcheck.plan_month_label(month), what
            USING ERRCODE = '22008', HINT = 'Plans are drawn for months of the years 2000 to 2100.';
    END IF;
    RETURN spotcheck.plan_month_start(month);
END
$$;

CREATE FUNCTION spotcheck.plan_month(agency text, month date, entropy_declaration text DEFAULT NULL,
                                     campaigns bigint[] DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    m date;
    ap spotcheck.annual_plans;
    existing record;
    items bigint[];
    decl text;
    pid bigint;
    quotas jsonb;
    now_ts timestamptz := pg_catalog.clock_timestamp();
    draw_deadline date;
    prev date;
    c bigint;
    owing_out record;
BEGIN
    m := spotcheck.plan_require_month(month, 'monthly plan');
    PERFORM spotcheck.require_agency_role(agency, ARRAY['spotcheck_admin', 'spotcheck_planner']::name[],
                                          'draw the monthly plan ' || spotcheck.plan_month_label(m));
    FOREACH c IN ARRAY COALESCE(campaigns, '{}') LOOP
        PERFORM spotcheck.plan_campaign_alongside(c, agency);
    END LOOP;
    IF (SELECT a.level FROM spotcheck.agencies a WHERE a.code OPERATOR(pg_catalog.=) agency) = 'department' THEN
        RAISE EXCEPTION 'agency "%" is a partner department, not a fire-and-rescue agency', agency
            USING ERRCODE = '22023', HINT = 'A department takes part in joint plans (spotcheck.plan_joint); monthly plans are the brigades''.';
    END IF;
    PERFORM spotcheck.plan_lock(ARRAY[agency]);

    SELECT p.id, p.drawn_at, p.drawn_by INTO existing FROM spotcheck.plan p
     WHERE p.agency OPERATOR(pg_catalog.=) plan_month.agency AND p.kind = 'month' AND p.month = m AND p.abandoned_at IS NULL;
    IF FOUND THEN
        RAISE EXCEPTION 'agency "%" already has a monthly plan for %: plan %, drawn at % by %', agency,
                        spotcheck.plan_month_label(m), existing.id, spotcheck.plan_time(existing.drawn_at), existing.drawn_by
            USING ERRCODE = '23505',
                  HINT = pg_catalog.format('One live monthly plan per month: abandon plan %s first (spotcheck.abandon_plan(%s, reason)); both stay listed.', existing.id, existing.id);
    END IF;
    SELECT p.id, p.month INTO existing FROM spotcheck.plan p JOIN spotcheck.draw d ON d.id = p.draw
     WHERE p.agency OPERATOR(pg_catalog.=) plan_month.agency AND p.kind = 'month' AND p.abandoned_at IS NULL AND d.executed_at IS NULL
     ORDER BY p.month LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the monthly plan % of agency "%" for % is committed but not executed', existing.id, agency,
                        spotcheck.plan_month_label(existing.month)
            USING ERRCODE = '55000',
                  HINT = 'Execute it (spotcheck.execute_plan) or abandon it first: a month''s must-cover quota counts what the earlier months drew.';
    END IF;
    PERFORM spotcheck.plan_require_no_unrevealed(ARRAY[agency]);

    ap := spotcheck.plan_annual(agency, pg_catalog.date_part('year', m)::integer, true);
    items := spotcheck.plan_items_in_force(agency, ARRAY(SELECT i.item_id FROM spotcheck.annual_plan_items i
                                                          WHERE i.agency = ap.agency AND i.year = ap.year),
                                           m, pg_catalog.format('the annual plan of agency "%s" for %s', agency, ap.year));
    decl := COALESCE(entropy_declaration, ap.entropy_declaration);
    IF decl IS NULL OR pg_catalog.btrim(decl) = '' THEN
        RAISE EXCEPTION 'the monthly plan of agency "%" for % needs an entropy declaration', agency, spotcheck.plan_month_label(m)
            USING ERRCODE = '22023',
                  HINT = 'Pass entropy_declaration (e.g. ''witnesses: three six-digit numbers read out at the plan meeting''), or set it in spotcheck.annual_plans.';
    END IF;
    prev := (m OPERATOR(pg_catalog.-) '1 month'::interval)::date;
    draw_deadline := pg_catalog.make_date(pg_catalog.date_part('year', prev)::integer, pg_catalog.date_part('month', prev)::integer, ap.draw_by_day);

    INSERT INTO spotcheck.plan (kind, agency, scope_agencies, year, month, parameters, items, team_size, deadline,
                                entropy_declaration, drawn_at, drawn_by, drawn_xid, draw_deadline, late)
    VALUES ('month', agency, ARRAY[agency], ap.year, m, spotcheck.plan_parameters(ap), items, ap.team_size,
            spotcheck.plan_deadline(ap, m), decl, now_ts, spotcheck.caller(), pg_catalog.pg_current_xact_id(),
            draw_deadline, spotcheck.plan_local_day(now_ts) > draw_deadline)
    RETURNING id INTO pid;

    PERFORM spotcheck.plan_fill(pid);
    quotas := spotcheck.plan_quotas(pid, ap);
    PERFORM spotcheck.plan_commit_draws(pid, quotas);

    SELECT pg_catalog.count(*) AS n, pg_catalog.string_agg(x.unit || ' (' || x.reason || ')', ', ' ORDER BY x.unit) AS units
      INTO owing_out FROM spotcheck.plan_exclusions x WHERE x.plan = pid AND x.owes_minimum;
    IF owing_out.n > 0 THEN
        RAISE WARNING '% % owing a yearly minimum % left out of the monthly plan of agency "%" for %', owing_out.n,
                      CASE WHEN owing_out.n = 1 THEN 'unit' ELSE 'units' END, CASE WHEN owing_out.n = 1 THEN 'is' ELSE 'are' END,
                      agency, spotcheck.plan_month_label(m)
            USING DETAIL = pg_catalog.left(owing_out.units, 2000),
                  HINT = 'spotcheck.coverage_due lists them with the reason; a minimum that can no longer be met in the year is reported there.';
    END IF;

    FOR c IN SELECT DISTINCT x FROM pg_catalog.unnest(campaigns) x ORDER BY x LOOP
        PERFORM spotcheck.plan_campaign_commit(c, m, decl, pid);
    END LOOP;
    RETURN pid;
END
$$;
COMMENT ON FUNCTION spotcheck.plan_month(text, date, text, bigint[]) IS
    'draw the monthly plan of an agency: pool, strata, weights and quotas from the annual plan, inspectors available all month, one committed draw of targets and teams; returns the plan id';

GRANT EXECUTE ON FUNCTION spotcheck.plan_month(text, date, text, bigint[]) TO spotcheck_admin, spotcheck_planner;
