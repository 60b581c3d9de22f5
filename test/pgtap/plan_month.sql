-- plan_month as a brigade's planner uses it: the pool in strata with every
-- exclusion explained, weights, quotas (must-cover, ratios, the ordinary
-- share), the inspector pool, one committed draw executed in a later
-- transaction, plan_targets; every bad input refused with its SQLSTATE and
-- message and nothing left behind; one live plan a month; the late flag;
-- undrawable units and too few inspectors refused; results hidden from the
-- executing transaction; independence from TimeZone and DateStyle.
-- Statements run in autocommit: a plan is executed in a later transaction.
\ir helpers.psql
SELECT * FROM no_plan();
\ir registry_helpers.psql
\ir plan_helpers.psql
SET client_min_messages = warning;

DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['tap_pm_planner', 'tap_pm_zd', 'tap_pm_inspector', 'tap_pm_none'] LOOP
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r); END IF;
    END LOOP;
END $$;
CREATE ROLE tap_pm_planner LOGIN IN ROLE spotcheck_planner;
CREATE ROLE tap_pm_zd LOGIN IN ROLE spotcheck_planner;
CREATE ROLE tap_pm_inspector LOGIN IN ROLE spotcheck_inspector;
CREATE ROLE tap_pm_none LOGIN IN ROLE spotcheck_planner;
INSERT INTO spotcheck.agency_members (member, agency) VALUES
    ('tap_pm_planner', 'WCH'), ('tap_pm_zd', 'ZD'), ('tap_pm_inspector', 'WCH');

SELECT is(pg_temp.make_units('WCH', 0, 1500), 1500::bigint, 'a brigade of 1,500 units');
SELECT is(pg_temp.make_units('ZD', 100000, 600), 600::bigint, 'and one of 600');
SELECT is(pg_temp.make_inspectors('WCH', 10) + pg_temp.make_inspectors('ZD', 6) + pg_temp.make_inspectors('ZB', 3)
          + pg_temp.make_inspectors('ZBSJ', 4), 23::bigint, 'their inspectors, the detachment''s and the partner''s');
SELECT lives_ok($$SELECT pg_temp.make_annual_plan('WCH', 2026), pg_temp.make_annual_plan('ZD', 2026)$$, 'their annual plans');
-- ZD checks only crowded places: its other units are outside the plan's scope
DELETE FROM spotcheck.annual_plan_items WHERE agency = 'ZD' AND item_id = (SELECT id FROM spotcheck.check_items WHERE code = 'ZB-01');
UPDATE spotcheck.annual_plans SET recent_check_days = 30 WHERE agency = 'ZD';
INSERT INTO spotcheck.annual_plan_minimums (agency, year, label, credit_class)
VALUES ('WCH', 2026, '信用等级D的单位每年至少检查一次', 'D');

-- What a client sees of an error: SQLSTATE, message, detail, hint.
CREATE FUNCTION pg_temp.err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hnt text;
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    RETURN st || ' ' || msg || E'\nDETAIL: ' || COALESCE(det, '') || E'\nHINT: ' || COALESCE(hnt, '');
END
$$;
-- Everything a plan writes, counted: an error must leave all of it as it was.
CREATE FUNCTION pg_temp.written() RETURNS text LANGUAGE sql AS $$
    SELECT format('plans %s draws %s pool %s excluded %s strata %s uses %s', (SELECT count(*) FROM spotcheck.plan),
                  (SELECT count(*) FROM spotcheck.draw), (SELECT count(*) FROM spotcheck.plan_pool),
                  (SELECT count(*) FROM spotcheck.plan_exclusions), (SELECT count(*) FROM spotcheck.plan_strata),
                  (SELECT count(*) FROM spotcheck.check_item_uses))
$$;
CREATE TEMP TABLE before AS SELECT pg_temp.written() AS w;
GRANT ALL ON before TO PUBLIC;

-- ---- bad input -------------------------------------------------------------------
SET ROLE tap_pm_planner;
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('NOPE', '2026-07-01')$$),
    '^P0002 agency ''NOPE'' does not exist', 'an unknown agency: P0002, naming it');
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', NULL)$$),
    '^22004 the month of the monthly plan must not be null', 'no month: 22004');
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', '2025-07-01')$$),
    '^55000 agency "WCH" has no annual plan for 2025\n.*HINT: Insert them first: INSERT INTO spotcheck.annual_plans',
    'a month without parameters: 55000, naming agency and year, with the INSERT to run');
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('ZD', '2026-07-01')$$),
    '^42501 permission denied: role tap_pm_planner may not draw the monthly plan 2026-07 for agency ZD: it is not a member',
    'another agency''s month: 42501');
INSERT INTO spotcheck.annual_plans (agency, year) VALUES ('WCH', 2027);
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', '2027-03-01')$$),
    '^55000 the annual plan of agency "WCH" for 2027 has no ratio or count for the stratum key_crowded, key_other, general',
    'missing stratum parameters: 55000, naming the strata');
SELECT matches(pg_temp.err($$UPDATE spotcheck.annual_plans SET team_size = 1 WHERE agency = 'WCH' AND year = 2027$$),
    '^22023 team size 1 of the annual plan of agency "WCH" for 2027 is below 2\n.*HINT: An inspection team has at least two inspectors \(Article 18\)',
    'a team size below 2: 22023, with the article');
SELECT matches(pg_temp.err($$UPDATE spotcheck.annual_plans SET min_general_share = 120 WHERE agency = 'WCH' AND year = 2027$$),
    '^22003 the ordinary-unit share 120(\.00)?% of the annual plan of agency "WCH" for 2027 is above 100%',
    'a share above 100%: 22003, naming the value');
INSERT INTO spotcheck.annual_plan_strata (agency, year, stratum, monthly_count) VALUES
    ('WCH', 2027, 'key_crowded', 1), ('WCH', 2027, 'key_other', 100000), ('WCH', 2027, 'general', 5);
INSERT INTO spotcheck.annual_plan_items (agency, year, item_id) SELECT 'WCH', 2027, id FROM spotcheck.check_items WHERE code = 'ZB-01';
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', '2027-03-01', 'witnesses')$$),
    '^22023 the monthly count 100000 of stratum key_other is larger than its [0-9]+ active units \(agency "WCH", 2027-03\)',
    'a quota larger than its stratum: 22023, naming count, stratum and size');
UPDATE spotcheck.annual_plan_strata SET monthly_count = 2 WHERE agency = 'WCH' AND year = 2027 AND stratum = 'key_other';
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', '2027-03-01')$$),
    '^22023 the monthly plan of agency "WCH" for 2027-03 needs an entropy declaration',
    'no entropy declaration, neither given nor in the annual plan: 22023');
UPDATE spotcheck.annual_plan_strata SET monthly_count = NULL, monthly_ratio = 100 WHERE agency = 'WCH' AND year = 2027 AND stratum = 'key_crowded';
UPDATE spotcheck.annual_plans SET min_general_share = 100 WHERE agency = 'WCH' AND year = 2027;
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', '2027-03-01', 'witnesses')$$),
    '^22023 the ordinary-unit share of 100% leaves no room for the [0-9]+ units of the other strata',
    'an ordinary share of 100% with other strata to draw: 22023');
RESET ROLE;
SELECT is(pg_temp.written(), (SELECT w FROM before), 'every refusal left nothing behind: no plan, draw, pool, exclusion, stratum or item use');

-- ---- the July plan ---------------------------------------------------------------
SET ROLE tap_pm_planner;
SELECT matches(pg_temp.err($$SELECT spotcheck.execute_plan(spotcheck.plan_month('WCH', '2026-07-01'), '1')$$),
    '^25000 draw [0-9]+ cannot be executed in the transaction that committed it',
    'a plan is never executed in the transaction that drew it (and the attempt leaves nothing)');
CREATE TEMP TABLE july AS SELECT spotcheck.plan_month('WCH', '2026-07-01') AS plan;
GRANT ALL ON july TO PUBLIC;
RESET ROLE;
SELECT is((SELECT kind || ' ' || agency || ' ' || month || ' ' || state || ' ' || deadline || ' ' || draw_deadline FROM spotcheck.plans WHERE plan = (SELECT plan FROM july)),
          'month WCH 2026-07-01 committed 2026-07-31 2026-06-26', 'the plan: kind, month, committed, deadline the last day of the month, due by 26 June');
SELECT is((SELECT late FROM spotcheck.plan WHERE id = (SELECT plan FROM july)),
          (now() AT TIME ZONE 'Asia/Shanghai')::date > '2026-06-26'::date, 'late exactly when drawn after 26 June (China Standard Time)');
SELECT is((SELECT drawn_by FROM spotcheck.plan WHERE id = (SELECT plan FROM july)), 'tap_pm_planner', 'drawn by the planner');
SELECT is((SELECT parameters->'annual_plan'->>'min_general_share' FROM spotcheck.plan WHERE id = (SELECT plan FROM july)), '20.00',
          'the plan keeps the parameters it was drawn with');

-- every unit of the directory is in exactly one stratum or excluded once
SELECT is((SELECT count(*) FROM spotcheck.plan_pool WHERE plan = (SELECT plan FROM july))
          + (SELECT count(*) FROM spotcheck.plan_exclusions WHERE plan = (SELECT plan FROM july)), 1500::bigint,
          'every unit of the directory is in the pool or excluded');
SELECT is_empty($$SELECT unit FROM spotcheck.plan_pool WHERE plan = (SELECT plan FROM july)
                  INTERSECT SELECT unit FROM spotcheck.plan_exclusions WHERE plan = (SELECT plan FROM july)$$, 'never both');
SELECT set_eq($$SELECT unit FROM spotcheck.plan_exclusions WHERE plan = (SELECT plan FROM july)$$,
              $$SELECT code FROM spotcheck.units WHERE agency = 'WCH' AND NOT active$$, 'the inactive units, and only they, are excluded here');
SELECT set_eq($$SELECT unit, stratum FROM spotcheck.plan_pool WHERE plan = (SELECT plan FROM july)$$,
              $$SELECT code, CASE WHEN (is_key_unit AND is_crowded_place) OR credit_class = 'D' THEN 'must_cover'
                                  WHEN is_key_unit AND is_crowded_place THEN 'key_crowded'
                                  WHEN is_key_unit THEN 'key_other' ELSE 'general' END
                  FROM spotcheck.units WHERE agency = 'WCH' AND active$$,
              'strata: crowded-place key units and credit class D owe their yearly check; key; ordinary');
SELECT ok((SELECT count(*) FROM spotcheck.units WHERE agency = 'WCH' AND is_key_unit AND is_crowded_place) BETWEEN 40 AND 90,
          'some tens of crowded-place key units');

-- quotas
SELECT is((SELECT quota FROM spotcheck.plan_strata WHERE plan = (SELECT plan FROM july) AND stratum = 'must_cover'),
          (SELECT ceil(count(*) / 6.0)::integer FROM spotcheck.plan_pool WHERE plan = (SELECT plan FROM july) AND stratum = 'must_cover'),
          'must-cover quota: ceil(owing / 6 months left)');
SELECT is((SELECT quota FROM spotcheck.plan_strata WHERE plan = (SELECT plan FROM july) AND stratum = 'key_other'),
          (SELECT greatest(ceil(0.03 * count(*)), ceil(ceil(0.80 * (SELECT count(*) FROM spotcheck.units WHERE agency = 'WCH' AND active AND is_key_unit AND NOT is_crowded_place)) / 6.0))::integer
             FROM spotcheck.plan_pool WHERE plan = (SELECT plan FROM july) AND stratum = 'key_other'),
          'other key units: the larger of 3% a month and the yearly 80% spread over the months left');
SELECT ok((SELECT g.quota * 100 >= 20 * (SELECT sum(quota) FROM spotcheck.plan_strata WHERE plan = g.plan)
             FROM spotcheck.plan_strata g WHERE g.plan = (SELECT plan FROM july) AND g.stratum = 'general'),
          'ordinary units are at least 20% of the sample');
SELECT is((SELECT jsonb_object_agg(stratum, quota) FROM spotcheck.draw_quota WHERE draw = (SELECT draw FROM spotcheck.plan WHERE id = (SELECT plan FROM july))),
          (SELECT jsonb_object_agg(stratum, quota) FROM spotcheck.plan_strata WHERE plan = (SELECT plan FROM july)), 'the draw has those quotas');
SELECT is((SELECT team_size FROM spotcheck.draw WHERE id = (SELECT draw FROM spotcheck.plan WHERE id = (SELECT plan FROM july))), 2,
          'and the team size');
SELECT set_eq($$SELECT key FROM spotcheck.draw_inspector WHERE draw = (SELECT draw FROM spotcheck.plan WHERE id = (SELECT plan FROM july))$$,
              $$SELECT code FROM spotcheck.available_inspectors('WCH', '2026-07-01', '2026-07-31')$$, 'the inspector pool: available all July');
SELECT set_eq($$SELECT item_id FROM spotcheck.check_item_uses WHERE used_by = 'plan:' || (SELECT plan FROM july)$$,
              $$SELECT id FROM spotcheck.check_items WHERE code IN ('ZB-01', 'ZB-02')$$, 'the items are registered as used by the plan');

-- one live plan a month; another month waits for this one's execution
SET ROLE tap_pm_planner;
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', '2026-07-15')$$),
    '^23505 agency "WCH" already has a monthly plan for 2026-07: plan [0-9]+, drawn at .* by tap_pm_planner\n.*HINT: One live monthly plan per month: abandon plan',
    'a month already planned: 23505, naming the plan');
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', '2026-08-01')$$),
    '^55000 the monthly plan [0-9]+ of agency "WCH" for 2026-07 is committed but not executed', 'the next month waits for this one''s execution');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.execute_plan(%s, '   ')$$, (SELECT plan FROM july))),
    '^22023 draw [0-9]+ declared the entropy ''witnesses: three six-digit numbers read out at the plan meeting'', but no value was given\nDETAIL: The value given, ''   '', is only white space\.',
    'a plan is not executed with an entropy value of spaces: 22023, as with none');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.execute_plan(%s, repeat('9', 5000))$$, (SELECT plan FROM july))),
    '^22023 the entropy value of draw [0-9]+ is 5000 characters long, more than 1000\n',
    'nor with one of 5000 characters: 22023, naming its length');
SELECT is(spotcheck.execute_plan((SELECT plan FROM july), '381204 550129 907731'),
          (SELECT sum(least(quota, eligible))::integer FROM spotcheck.plan_strata WHERE plan = (SELECT plan FROM july)),
          'executed in a later transaction: every quota filled');
RESET ROLE;

-- plan_targets
SET ROLE tap_pm_inspector;
SELECT is((SELECT count(*) FROM spotcheck.plan_targets WHERE plan = (SELECT plan FROM july)),
          (SELECT selected_count::bigint FROM spotcheck.draws WHERE draw = (SELECT draw FROM spotcheck.plan WHERE id = (SELECT plan FROM july))),
          'plan_targets: one row per target, read by an inspector of the brigade');
SELECT is_empty($$SELECT target FROM spotcheck.plan_targets WHERE plan = (SELECT plan FROM july)
                   AND (cardinality(team) <> 2 OR cardinality(items) = 0 OR deadline <> '2026-07-31' OR name IS NULL OR address IS NULL)$$,
                'each with name, address, deadline, items and a team of two');
SELECT is_empty($$SELECT t.unit FROM spotcheck.plan_targets t JOIN spotcheck.plan_pool p ON p.plan = t.plan AND p.unit = t.unit
                   WHERE t.plan = (SELECT plan FROM july) AND (p.stratum <> t.stratum OR p.weight <> t.weight)$$,
                'with the stratum and weight of the pool');
SELECT set_eq($$SELECT t.target, i FROM spotcheck.plan_targets t, unnest(t.item_ids) i WHERE t.plan = (SELECT plan FROM july)$$,
              $$SELECT t.target, i.id FROM spotcheck.plan_targets t JOIN spotcheck.units u ON u.code = t.unit
                  JOIN spotcheck.check_items i ON i.code IN ('ZB-01', 'ZB-02')
                 WHERE t.plan = (SELECT plan FROM july) AND (i.venue_categories = '{}' OR u.venue_category = ANY (i.venue_categories))$$,
              'each target is checked for the plan''s items that cover it');
RESET ROLE;
SELECT ok(bool_and(ok), 'verify_plan passes every check') FROM spotcheck.verify_plan((SELECT plan FROM july));
SELECT is((SELECT count(*) FROM spotcheck.audit_log WHERE action IN ('plan.commit', 'plan.execute') AND object = 'plan:' || (SELECT plan FROM july)),
          2::bigint, 'the audit log holds the plan''s commitment and execution');

-- the late flag and the plan's record cannot be edited
SELECT matches(pg_temp.err(format('UPDATE spotcheck.plan SET late = NOT late WHERE id = %s', (SELECT plan FROM july))),
    '^55000 plan [0-9]+ was drawn at .* and cannot be changed', 'the late flag cannot be edited, not even by the owner');
SET ROLE tap_pm_planner;
SELECT matches(pg_temp.err(format('UPDATE spotcheck.plan SET late = false WHERE id = %s', (SELECT plan FROM july))),
    '^42501 permission denied for table plan', 'nor by a planner');
SELECT matches(pg_temp.err('DELETE FROM spotcheck.plan_target'), '^42501 permission denied for table plan_target', 'targets are not written by hand');
RESET ROLE;

-- ---- August: results hidden from the executing transaction --------------------------
SET ROLE tap_pm_planner;
CREATE TEMP TABLE august AS SELECT spotcheck.plan_month('WCH', '2026-08-01') AS plan;
GRANT ALL ON august TO PUBLIC;
BEGIN;
SELECT ok(spotcheck.execute_plan((SELECT plan FROM august), '1 2 3') > 0, 'August executed…');
SELECT is((SELECT count(*) FROM spotcheck.plan_targets WHERE plan = (SELECT plan FROM august)), 0::bigint,
          '…but plan_targets shows nothing of it inside the executing transaction');
SELECT is((SELECT count(*) FROM spotcheck.plan_target WHERE plan = (SELECT plan FROM august)), 0::bigint, 'nor does the table');
SELECT is((SELECT count(*) FROM spotcheck.plan_team WHERE plan = (SELECT plan FROM august)), 0::bigint, 'nor the teams');
SELECT matches(pg_temp.err(format('SELECT * FROM spotcheck.verify_plan(%s)', (SELECT plan FROM august))),
    '^25000 plan [0-9]+ was executed in this transaction', 'verify_plan waits for the commit');
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', '2026-09-01')$$),
    '^25000 plan [0-9]+ \(draw [0-9]+\) was executed in this transaction', 'no next plan drawn from results not yet revealed');
COMMIT;
SELECT ok((SELECT count(*) FROM spotcheck.plan_targets WHERE plan = (SELECT plan FROM august)) > 0, 'shown once the execution committed');
RESET ROLE;

-- abandoned and drawn again: both stay listed
SET ROLE tap_pm_planner;
SELECT matches(pg_temp.err(format('SELECT spotcheck.abandon_plan(%s, %L)', (SELECT plan FROM august), '')),
    '^22023 abandoning plan [0-9]+ needs a reason', 'abandoning needs a reason');
SELECT lives_ok(format('SELECT spotcheck.abandon_plan(%s, %L)', (SELECT plan FROM august), '计划有误，重新抽取'), 'the planner abandons August');
CREATE TEMP TABLE august2 AS SELECT spotcheck.plan_month('WCH', '2026-08-01') AS plan;
GRANT ALL ON august2 TO PUBLIC;
SELECT is((SELECT array_agg(state ORDER BY plan) FROM spotcheck.plans WHERE agency = 'WCH' AND month = '2026-08-01'),
          ARRAY['abandoned', 'committed'], 'both August plans are listed, the first abandoned');
SELECT is((SELECT count(*) FROM spotcheck.plan_pool p WHERE p.plan = (SELECT plan FROM august2) AND p.stratum = 'must_cover'),
          (SELECT count(*) FROM spotcheck.plan_pool p WHERE p.plan = (SELECT plan FROM july) AND p.stratum = 'must_cover')
          - (SELECT count(*) FROM spotcheck.plan_target t WHERE t.plan = (SELECT plan FROM july) AND t.stratum = 'must_cover'),
          'the abandoned plan''s targets do not count: those July drew no longer owe, August''s do again');
SELECT lives_ok(format('SELECT spotcheck.execute_plan(%s, %L)', (SELECT plan FROM august2), '4 5 6'), 'the new August plan is executed');
RESET ROLE;

-- ---- exclusions: open plans, recent checks, decisions ----------------------------------
-- ZD: a special plan for September drawn and executed first; its targets are
-- in an open plan when the month is drawn
INSERT INTO spotcheck.special_campaigns (agency, code, title, venue_categories, count, starts, ends)
VALUES ('ZD', 'ZX-09', '秋季商场专项', '{商场市场}', 5, '2026-09-01', '2026-09-30');
INSERT INTO spotcheck.special_campaign_items SELECT c.id, i.id FROM spotcheck.special_campaigns c, spotcheck.check_items i
 WHERE c.code = 'ZX-09' AND i.code = 'ZB-02';
SET ROLE tap_pm_zd;
CREATE TEMP TABLE zd_special AS SELECT spotcheck.plan_special((SELECT id FROM spotcheck.special_campaigns WHERE code = 'ZX-09'), '2026-09-01') AS plan;
GRANT ALL ON zd_special TO PUBLIC;
SELECT lives_ok(format('SELECT spotcheck.execute_plan(%s, %L)', (SELECT plan FROM zd_special), '7'), 'ZD''s special plan executed');
RESET ROLE;
-- a recent inspection of an ordinary unit, and of a unit that owes its yearly check
CREATE TEMP TABLE zd_units AS
SELECT (SELECT code FROM spotcheck.units WHERE agency = 'ZD' AND active AND NOT is_key_unit AND venue_category = '宾馆饭店'
          AND code NOT IN (SELECT unit FROM spotcheck.plan_target) ORDER BY code LIMIT 1) AS ordinary,
       (SELECT code FROM spotcheck.units WHERE agency = 'ZD' AND active AND is_key_unit AND is_crowded_place
          AND code NOT IN (SELECT unit FROM spotcheck.plan_target) ORDER BY code LIMIT 1) AS owing,
       (SELECT code FROM spotcheck.units WHERE agency = 'ZD' AND active AND NOT is_key_unit AND venue_category = '宾馆饭店'
          AND code NOT IN (SELECT unit FROM spotcheck.plan_target) ORDER BY code OFFSET 1 LIMIT 1) AS decided,
       (SELECT code FROM spotcheck.units WHERE agency = 'ZD' AND active AND venue_category = '办公场所' ORDER BY code LIMIT 1) AS office;
GRANT ALL ON zd_units TO PUBLIC;
SET ROLE tap_pm_zd;
INSERT INTO spotcheck.inspection_outcomes (unit, agency, observed_on, outcome, source, source_ref)
SELECT ordinary, 'ZD', date '2026-08-20', 'compliant', 'provincial_platform', 'SD-2026-0001' FROM zd_units
UNION ALL SELECT owing, 'ZD', date '2026-08-21', 'violation', 'provincial_platform', 'SD-2026-0002' FROM zd_units;
INSERT INTO spotcheck.pool_decisions (agency, unit, first_month, last_month, reason)
SELECT 'ZD', decided, '2026-09-01', '2026-09-01', '大队长决定：该单位九月停业装修' FROM zd_units;
CREATE TEMP TABLE zd_sept AS SELECT spotcheck.plan_month('ZD', '2026-09-01', 'witnesses') AS plan;
GRANT ALL ON zd_sept TO PUBLIC;
RESET ROLE;
SELECT set_eq($$SELECT x.unit FROM spotcheck.plan_exclusions x WHERE x.plan = (SELECT plan FROM zd_sept) AND x.reason = 'open_plan'$$,
              $$SELECT unit FROM spotcheck.plan_target WHERE plan = (SELECT plan FROM zd_special)$$,
              'the special plan''s targets are in an open plan: excluded');
SELECT is((SELECT reason || ': ' || detail FROM spotcheck.explain_exclusion((SELECT ordinary FROM zd_units), '2026-09-01')),
          'recently_checked: inspected on 2026-08-20, within 30 days before the month', 'an ordinary unit inspected recently is left out, and why');
SELECT is((SELECT in_pool::text || ' ' || stratum FROM spotcheck.explain_exclusion((SELECT owing FROM zd_units), '2026-09-01')),
          'true must_cover', 'a unit that owes its yearly check is drawn all the same');
SELECT matches((SELECT reason || ': ' || detail FROM spotcheck.explain_exclusion((SELECT decided FROM zd_units), '2026-09-01')),
          '^decision: decision [0-9]+ of agency ZD: 大队长决定：该单位九月停业装修$', 'a recorded decision, with its reason');
SELECT is((SELECT reason FROM spotcheck.explain_exclusion((SELECT office FROM zd_units), '2026-09-01')), 'out_of_scope',
          'a unit no item of the plan covers is out of scope');
SELECT is((SELECT detail FROM spotcheck.explain_exclusion((SELECT office FROM zd_units), '2026-09-01')),
          'none of the plan''s items covers its unit type and venue category', 'and explained');
SELECT is((SELECT duty_input || ' ' || duty_factor FROM spotcheck.plan_pool WHERE plan = (SELECT plan FROM zd_sept) AND unit = (SELECT owing FROM zd_units)),
          'violation 3', 'a violation found in August raises the unit''s duty factor');
SELECT is((SELECT count(*) FROM spotcheck.plan_exclusions WHERE plan = (SELECT plan FROM zd_sept) AND owes_minimum), 0::bigint,
          'no unit owing a minimum is left out');

-- ---- no unit undrawable; too few inspectors ------------------------------------------
-- every WCH inspector but one recused from a crowded-place key unit
CREATE TEMP TABLE victim AS SELECT code FROM spotcheck.units WHERE agency = 'WCH' AND active AND is_key_unit AND is_crowded_place
                        AND code NOT IN (SELECT unit FROM spotcheck.plan_target) ORDER BY code LIMIT 1;
GRANT ALL ON victim TO PUBLIC;
SET ROLE tap_pm_planner;
INSERT INTO spotcheck.inspector_recusals (inspector, unit, reason)
SELECT i.code, v.code, '近亲属在该单位任职' FROM spotcheck.inspectors i, victim v WHERE i.agency = 'WCH' AND i.code <> 'WCH-001';
RESET ROLE;
SELECT ok(set_config('tap.before', pg_temp.written(), false) IS NOT NULL, 'what is written, counted');
SET ROLE tap_pm_planner;
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', '2026-09-01')$$),
    format('^23514 unit "%s" \(WCH单位[0-9]+\) would have 1 eligible inspector for the month plan of agency "WCH" for 2026-09, fewer than the team size 2\nDETAIL: Eligible: WCH-001 [^.]+\. Recused: WCH-002 [^,]+ \(近亲属在该单位任职\),',
           (SELECT code FROM victim)),
    'a unit with fewer eligible inspectors than the team size: 23514, naming the unit, who is eligible and who is recused');
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', '2026-09-01')$$),
    'HINT: No unit may be left undrawable.*spotcheck.inspector_secondments.*spotcheck.pool_decisions', 'and saying how to resolve it');
RESET ROLE;
SELECT is(pg_temp.written(), current_setting('tap.before'), 'nothing is committed, nothing dropped silently');
SET ROLE tap_pm_planner;
-- resolved by seconding an inspector of the detachment for September
INSERT INTO spotcheck.inspector_secondments (inspector, agency, starts, ends, reason)
VALUES ('ZB-001', 'WCH', '2026-09-01', '2026-12-31', '支队派员支援第四季度抽查');
CREATE TEMP TABLE sept AS SELECT spotcheck.plan_month('WCH', '2026-09-01') AS plan;
GRANT ALL ON sept TO PUBLIC;
RESET ROLE;
SELECT is((SELECT seconded FROM spotcheck.plan_inspectors WHERE plan = (SELECT plan FROM sept) AND inspector = 'ZB-001'), true,
          'the seconded inspector is in the pool');
SELECT is((SELECT count(*) FROM spotcheck.plan_recusals WHERE plan = (SELECT plan FROM sept) AND unit = (SELECT code FROM victim)), 9::bigint,
          'the recusals are frozen as exclusions');
SELECT is((SELECT count(*) FROM spotcheck.draw_exclusion WHERE draw = (SELECT draw FROM spotcheck.plan WHERE id = (SELECT plan FROM sept))
            AND target = (SELECT code FROM victim)), 9::bigint, 'and committed with the draw');

-- too few inspectors: all but one of ZD's on leave in October
INSERT INTO spotcheck.inspector_absences (inspector, starts, ends, reason)
SELECT code, '2026-10-05', '2026-10-12', 'training' FROM spotcheck.inspectors WHERE agency = 'ZD' AND code <> 'ZD-001';
SET ROLE tap_pm_zd;
SELECT lives_ok(format('SELECT spotcheck.execute_plan(%s, %L)', (SELECT plan FROM zd_sept), '8'), 'ZD''s September executed');
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('ZD', '2026-10-01', 'witnesses')$$),
    '^55000 too few inspectors for the month plan of agency "ZD" for 2026-10: a team needs 2, 1 is available for the whole month\nDETAIL: Available: ZD-001\. Not available: ZD-002 [^ ]+ \(training 2026-10-05\.\.2026-10-12\)',
    'too few inspectors: 55000, saying how many are needed and available, and who is away');
RESET ROLE;

-- ---- TimeZone and DateStyle do not move months or days --------------------------------
SET TimeZone = 'America/Los_Angeles';
SET DateStyle = 'SQL, DMY';
SET ROLE tap_pm_planner;
SELECT lives_ok(format('SELECT spotcheck.execute_plan(%s, %L)', (SELECT plan FROM sept), '9'), 'September executed');
CREATE TEMP TABLE october AS SELECT spotcheck.plan_month('WCH', '2026-10-31') AS plan;
GRANT ALL ON october TO PUBLIC;
RESET ROLE;
SELECT is((SELECT to_char(month, 'YYYY-MM-DD') || ' ' || to_char(deadline, 'YYYY-MM-DD') || ' ' || to_char(draw_deadline, 'YYYY-MM-DD')
             FROM spotcheck.plan WHERE id = (SELECT plan FROM october)),
          '2026-10-01 2026-10-31 2026-09-26', 'any day of the month names it; deadline and due day whatever the session''s TimeZone');
SELECT is((SELECT late FROM spotcheck.plan WHERE id = (SELECT plan FROM october)),
          (now() AT TIME ZONE 'Asia/Shanghai')::date > '2026-09-26'::date, 'late judged in China Standard Time');
SELECT ok((SELECT rule FROM spotcheck.plan_strata WHERE plan = (SELECT plan FROM october) AND stratum = 'must_cover') LIKE '% / 3 months left)%',
          'three months left in October');
RESET TimeZone;
RESET DateStyle;

-- ---- a planner of no agency, an inspector ----------------------------------------------
SET ROLE tap_pm_none;
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', '2026-11-01')$$), '^42501 permission denied: role tap_pm_none',
    'a planner of no agency cannot plan');
SELECT is((SELECT count(*) FROM spotcheck.plans), 0::bigint, 'and sees no plan');
SET ROLE tap_pm_inspector;
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', '2026-11-01')$$), '^42501 permission denied for function plan_month',
    'an inspector cannot plan');
RESET ROLE;

SELECT * FROM finish();
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['tap_pm_planner', 'tap_pm_zd', 'tap_pm_inspector', 'tap_pm_none'] LOOP
        EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r);
    END LOOP;
END $$;
