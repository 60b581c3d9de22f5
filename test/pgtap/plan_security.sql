-- The plan functions attacked as low-privilege roles: planted temporary
-- tables, triggers and search paths, settings, the internal functions called
-- directly, another agency's plans, direct writes to the plan tables; and who
-- may do what (planner, head, upper level, inspector, public).
\ir helpers.psql
SELECT * FROM no_plan();
\ir registry_helpers.psql
\ir plan_helpers.psql
SET client_min_messages = warning;

DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['tap_ps_wch', 'tap_ps_zd', 'tap_ps_head', 'tap_ps_upper', 'tap_ps_insp', 'tap_ps_public', 'tap_ps_admin'] LOOP
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r); END IF;
    END LOOP;
END $$;
CREATE ROLE tap_ps_wch LOGIN IN ROLE spotcheck_planner;
CREATE ROLE tap_ps_zd LOGIN IN ROLE spotcheck_planner;
CREATE ROLE tap_ps_head LOGIN IN ROLE spotcheck_head;
CREATE ROLE tap_ps_upper LOGIN IN ROLE spotcheck_upper;
CREATE ROLE tap_ps_insp LOGIN IN ROLE spotcheck_inspector;
CREATE ROLE tap_ps_public LOGIN IN ROLE spotcheck_public;
CREATE ROLE tap_ps_admin LOGIN IN ROLE spotcheck_admin;
INSERT INTO spotcheck.agency_members (member, agency) VALUES
    ('tap_ps_wch', 'WCH'), ('tap_ps_zd', 'ZD'), ('tap_ps_head', 'WCH'), ('tap_ps_upper', 'ZB'), ('tap_ps_insp', 'WCH');
SELECT is(pg_temp.make_units('WCH', 0, 400) + pg_temp.make_units('ZD', 100000, 300), 700::bigint, 'two small brigades');
SELECT is(pg_temp.make_inspectors('WCH', 5) + pg_temp.make_inspectors('ZD', 4), 9::bigint, 'their inspectors');
SELECT lives_ok($$SELECT pg_temp.make_annual_plan('WCH', 2026), pg_temp.make_annual_plan('ZD', 2026)$$, 'annual plans');

CREATE FUNCTION pg_temp.err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text;
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    RETURN st || ' ' || msg;
END
$$;

-- ZD's plan for June, drawn and executed by its planner
SET ROLE tap_ps_zd;
CREATE TEMP TABLE zd_june AS SELECT spotcheck.plan_month('ZD', '2026-06-01') AS plan;
GRANT ALL ON zd_june TO PUBLIC;
SELECT ok(spotcheck.execute_plan((SELECT plan FROM zd_june), '1') > 0, 'ZD''s June plan');
RESET ROLE;
CREATE TEMP TABLE zd_unit AS SELECT unit FROM spotcheck.plan_target WHERE plan = (SELECT plan FROM zd_june) ORDER BY unit LIMIT 1;
GRANT ALL ON zd_unit TO PUBLIC;

-- ---- a planner plants objects and settings, then plans ---------------------------------
SET ROLE tap_ps_wch;
CREATE TEMP TABLE fired (what text);
GRANT ALL ON fired TO PUBLIC;
CREATE FUNCTION pg_temp.note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO pg_temp.fired VALUES (TG_TABLE_NAME || ' ' || current_user); RETURN NEW; END $$;
-- look-alikes of the tables plan_month writes, with triggers that would run as whoever writes them
CREATE TEMP TABLE plan (LIKE spotcheck.plan);
CREATE TEMP TABLE plan_pool (LIKE spotcheck.plan_pool);
CREATE TEMP TABLE units (LIKE spotcheck.units);
CREATE TEMP TABLE draw_pool (draw bigint, key text, stratum text, weight bigint);
CREATE TRIGGER t BEFORE INSERT ON pg_temp.plan FOR EACH ROW EXECUTE FUNCTION pg_temp.note();
CREATE TRIGGER t BEFORE INSERT ON pg_temp.plan_pool FOR EACH ROW EXECUTE FUNCTION pg_temp.note();
CREATE TRIGGER t BEFORE INSERT ON pg_temp.draw_pool FOR EACH ROW EXECUTE FUNCTION pg_temp.note();
INSERT INTO pg_temp.units SELECT * FROM spotcheck.units WHERE agency = 'WCH' LIMIT 3;
SET search_path = pg_temp, spotcheck, public;
SET spotcheck.bulk_audit = on;
CREATE TEMP TABLE wch_june AS SELECT spotcheck.plan_month('WCH', '2026-06-01') AS plan;
GRANT ALL ON wch_june TO PUBLIC;
SELECT is((SELECT count(*) FROM pg_temp.fired), 0::bigint, 'no planted trigger ever fired');
SELECT is((SELECT count(*) FROM pg_temp.plan) + (SELECT count(*) FROM pg_temp.plan_pool) + (SELECT count(*) FROM pg_temp.draw_pool), 0::bigint,
          'the planted tables were never written');
SELECT is((SELECT pool_size FROM spotcheck.plans WHERE plan = (SELECT plan FROM wch_june)),
          (SELECT count(*) FROM spotcheck.units WHERE agency = 'WCH' AND active), 'the pool came from the directory, not from a planted units table');
RESET spotcheck.bulk_audit;
RESET search_path;
RESET ROLE;
SELECT is((SELECT count(*) FROM spotcheck.audit_log WHERE action = 'plan.commit' AND object = 'plan:' || (SELECT plan FROM wch_june) AND origin = 'extension'),
          1::bigint, 'the plan is audited by the extension whatever the session''s settings');

-- ---- the internal functions cannot be called ---------------------------------------------
SET ROLE tap_ps_wch;
SELECT matches(pg_temp.err(format('SELECT spotcheck.plan_fill(%s)', (SELECT plan FROM wch_june))), '^42501 permission denied for function plan_fill',
               'plan_fill: refused');
SELECT matches(pg_temp.err(format('SELECT spotcheck.plan_commit_draws(%s, %L)', (SELECT plan FROM wch_june), '{}')),
               '^42501 permission denied for function plan_commit_draws', 'plan_commit_draws: refused');
SELECT matches(pg_temp.err('SELECT spotcheck.plan_campaign_commit(1, ''2026-06-01'', ''x'', NULL)'),
               '^42501 permission denied for function plan_campaign_commit', 'plan_campaign_commit: refused');
SELECT matches(pg_temp.err(format('SELECT spotcheck.plan_materialise(%s)', (SELECT plan FROM wch_june))),
               '^42501 permission denied for function plan_materialise', 'plan_materialise: refused');
SELECT matches(pg_temp.err($$SELECT * FROM spotcheck.plan_classify(ARRAY['ZD'], 'ZD', 'ZD', '{}', '2026-06-01', 'ZD', 0, 12, 90, '{ZD}', '{}', '{}', '{}', NULL)$$),
               '^42501 permission denied for function plan_classify', 'plan_classify (which would read another agency''s directory): refused');
SELECT matches(pg_temp.err($$SELECT * FROM spotcheck.weigh_units('ZD', '2026-06-01', 12, 90, ARRAY['ZD'])$$),
               '^42501 permission denied for function weigh_units', 'weigh_units: refused');
SELECT matches(pg_temp.err('SELECT spotcheck.plan_lock(ARRAY[''ZD''])'), '^42501 permission denied for function plan_lock', 'plan_lock: refused');

-- ---- another agency's plans do not exist for it ------------------------------------------
SELECT matches(pg_temp.err(format('SELECT spotcheck.execute_plan(%s, %L)', (SELECT plan FROM zd_june), '1')),
               '^P0002 plan [0-9]+ does not exist', 'execute_plan of another agency''s plan: it does not exist');
SELECT matches(pg_temp.err(format('SELECT spotcheck.abandon_plan(%s, %L)', (SELECT plan FROM zd_june), 'x')),
               '^P0002 plan [0-9]+ does not exist', 'abandon_plan: neither');
SELECT matches(pg_temp.err(format('SELECT * FROM spotcheck.verify_plan(%s)', (SELECT plan FROM zd_june))),
               '^P0002 plan [0-9]+ does not exist', 'verify_plan: neither');
SELECT matches(pg_temp.err(format('SELECT * FROM spotcheck.explain_weight(%L, %L)', (SELECT unit FROM zd_unit), '2026-06-01')),
               '^P0002 unit "[0-9A-Z]+" does not exist', 'explain_weight of another agency''s unit: it does not exist');
SELECT matches(pg_temp.err(format('SELECT * FROM spotcheck.explain_exclusion(%L, %L)', (SELECT unit FROM zd_unit), '2026-06-01')),
               '^P0002 unit "[0-9A-Z]+" does not exist', 'explain_exclusion: neither');
SELECT matches(pg_temp.err($$SELECT * FROM spotcheck.coverage('ZD', 2026)$$),
               '^42501 permission denied: role tap_ps_wch may not read the coverage of agency ZD', 'coverage of another agency: 42501');
SELECT matches(pg_temp.err($$SELECT * FROM spotcheck.coverage_due('ZD', 2026)$$), '^42501', 'coverage_due: 42501');
SELECT is((SELECT count(*) FROM spotcheck.plans WHERE agency = 'ZD')
          + (SELECT count(*) FROM spotcheck.plan_targets WHERE agency = 'ZD')
          + (SELECT count(*) FROM spotcheck.plan_target WHERE plan = (SELECT plan FROM zd_june))
          + (SELECT count(*) FROM spotcheck.plan_pool WHERE plan = (SELECT plan FROM zd_june))
          + (SELECT count(*) FROM spotcheck.plan_exclusions WHERE plan = (SELECT plan FROM zd_june))
          + (SELECT count(*) FROM spotcheck.plan_team_member), 0::bigint,
          'it reads nothing of another agency''s plans, through the views or the tables');

-- ---- the plan tables are written by the extension only -----------------------------------
SELECT matches(pg_temp.err(format('INSERT INTO spotcheck.plan_target (plan, unit, stratum, rank, weight, deadline, draw) SELECT %s, code, %L, 1, 1, %L, 1 FROM spotcheck.units LIMIT 1',
                                  (SELECT plan FROM wch_june), 'general', '2026-06-30')),
               '^42501 permission denied for table plan_target', 'a planner cannot add a target');
SELECT matches(pg_temp.err('UPDATE spotcheck.plan_pool SET weight = 1'), '^42501 permission denied for table plan_pool', 'nor change a weight');
SELECT matches(pg_temp.err('DELETE FROM spotcheck.plan_exclusions'), '^42501 permission denied for table plan_exclusions', 'nor delete an exclusion');
SELECT matches(pg_temp.err('UPDATE spotcheck.plan SET late = false'), '^42501 permission denied for table plan', 'nor edit the late flag');
RESET ROLE;
SELECT matches(pg_temp.err('UPDATE spotcheck.plan_pool SET weight = weight'), '^55000 update on spotcheck.plan_pool is not allowed',
               'even the owner cannot change a frozen pool');
SELECT matches(pg_temp.err('DELETE FROM spotcheck.plan'), '^55000 plan [0-9]+ cannot be deleted', 'nor delete a plan');
SELECT matches(pg_temp.err('TRUNCATE spotcheck.plan_strata'), '^55000 truncate on spotcheck.plan_strata is not allowed', 'nor truncate its strata');

-- ---- parameters, rules and evidence: each agency its own --------------------------------
SET ROLE tap_ps_wch;
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.annual_plans (agency, year) VALUES ('ZD', 2027)$$), '^42501',
               'a planner cannot write another agency''s annual plan');
SELECT matches(pg_temp.err($$UPDATE spotcheck.annual_plans SET team_size = 3 WHERE agency = 'ZD'$$), 'ok', 'an update of another agency''s…');
SELECT is((SELECT count(*) FROM spotcheck.annual_plans WHERE agency = 'ZD'), 0::bigint, '…does not even see it');
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.weight_rules (agency, factor, match, multiplier) VALUES (NULL, 'credit_class', 'D', 50)$$), '^42501',
               'a planner cannot set a default weight rule for every agency');
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.weight_rules (agency, factor, match, multiplier) VALUES ('ZD', 'credit_class', 'D', 50)$$), '^42501',
               'nor one of another agency');
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.weight_rules (agency, factor, match, multiplier, shipped) VALUES ('WCH', 'credit_class', 'D', 50, true)$$),
               '^42501 only the extension ships default weight rules', 'nor pass one off as shipped');
SELECT lives_ok($$INSERT INTO spotcheck.weight_rules (agency, factor, match, multiplier, label, valid_from) VALUES ('WCH', 'credit_class', 'D', 16, '文昌湖：D级加倍', '2027-01-01')$$,
                'its own agency''s rule, from next year');
SELECT matches(pg_temp.err(format($$INSERT INTO spotcheck.inspection_outcomes (unit, agency, observed_on, outcome, source) VALUES (%L, 'ZD', '2026-05-01', 'penalised', 'manual')$$,
                                  (SELECT unit FROM zd_unit))),
               '^23503 unit "[0-9A-Z]+" of the inspection outcome does not exist', 'no outcome for another agency''s unit');
SELECT matches(pg_temp.err(format($$INSERT INTO spotcheck.risk_signals (unit, kind, source_system, observed_at) VALUES (%L, 'complaint', '12345', now())$$,
                                  (SELECT unit FROM zd_unit))),
               '^23503 unit "[0-9A-Z]+" of the risk signal does not exist', 'nor a risk signal');
SELECT matches(pg_temp.err(format($$INSERT INTO spotcheck.pool_decisions (agency, unit, first_month, last_month, reason) VALUES ('ZD', %L, '2026-07-01', '2026-07-01', '某某原因说明')$$,
                                  (SELECT unit FROM zd_unit))),
               '^23503', 'nor a decision about it');
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.inspector_secondments (inspector, agency, starts, ends, reason) VALUES ('ZD-001', 'WCH', '2026-07-01', '2026-07-31', '借调支援抽查')$$),
               '^23503 inspector "ZD-001" does not exist', 'nor borrow a sibling brigade''s inspector, whose agency it is not told');
RESET ROLE;

-- ---- who may do what ------------------------------------------------------------------------
SET ROLE tap_ps_head;
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', '2026-07-01')$$), '^42501 permission denied for function plan_month', 'the head reads, does not plan');
SELECT ok((SELECT count(*) FROM spotcheck.plans WHERE agency = 'WCH') = 1 AND (SELECT count(*) FROM spotcheck.coverage('WCH', 2026)) = 4,
          'the head reads its agency''s plans and coverage');
SET ROLE tap_ps_upper;
SELECT is((SELECT array_agg(agency ORDER BY agency) FROM spotcheck.plans), ARRAY['WCH', 'ZD'], 'the upper level reads the plans of the brigades below it');
SELECT ok((SELECT count(*) FROM spotcheck.plan_targets WHERE agency = 'ZD') > 0, 'and their targets');
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('WCH', '2026-07-01')$$), '^42501 permission denied for function plan_month',
               'but plans no brigade''s month');
SELECT matches(pg_temp.err(format('SELECT spotcheck.execute_plan(%s, %L)', (SELECT plan FROM wch_june), '1')),
               '^42501 permission denied: role tap_ps_upper may not execute plan [0-9]+ for agency WCH', 'nor executes it');
SET ROLE tap_ps_insp;
SELECT matches(pg_temp.err(format('SELECT spotcheck.execute_plan(%s, %L)', (SELECT plan FROM wch_june), '1')),
               '^42501 permission denied for function execute_plan', 'an inspector cannot execute a plan');
SELECT matches(pg_temp.err(format('SELECT spotcheck.abandon_plan(%s, %L)', (SELECT plan FROM wch_june), 'x')),
               '^42501 permission denied for function abandon_plan', 'nor abandon one');
SELECT is((SELECT count(*) FROM spotcheck.plans), 1::bigint, 'an inspector lists its brigade''s plan only');
SET ROLE tap_ps_public;
SELECT matches(pg_temp.err('SELECT * FROM spotcheck.plans'), '^42501 permission denied for view plans', 'the public role reads no plan list');
SELECT matches(pg_temp.err('SELECT * FROM spotcheck.plan_targets'), '^42501 permission denied for view plan_targets', 'nor the targets with their teams');
SELECT matches(pg_temp.err(format('SELECT * FROM spotcheck.explain_weight(%L, %L)', (SELECT unit FROM zd_unit), '2026-06-01')),
               '^42501 permission denied for function explain_weight', 'nor explains weights');
SELECT matches(pg_temp.err('SELECT * FROM spotcheck.weight_rules'), '^42501 permission denied for table weight_rules', 'nor reads the rules');
SELECT matches(pg_temp.err('SELECT * FROM spotcheck.inspection_outcomes'), '^42501 permission denied for table inspection_outcomes', 'nor the evidence');
SET ROLE tap_ps_admin;
SELECT lives_ok($$SELECT spotcheck.plan_month('ZD', '2026-07-01')$$, 'an administrator plans for any agency');
RESET ROLE;

-- ---- who owns an inspector or an item: only as far as the caller may know ----------------
SELECT is(pg_temp.make_inspectors('ZB', 1), 1::bigint, 'an inspector of the detachment');
INSERT INTO spotcheck.agencies (code, name, level, region) VALUES ('SJ', '某区市场监督管理局', 'department', '370303');
SELECT is(pg_temp.make_inspectors('SJ', 1), 1::bigint, 'and one of a partner department');
SELECT id AS wch_item FROM spotcheck.check_items WHERE code = 'WCH-01' \gset
SELECT id AS zb_item FROM spotcheck.check_items WHERE code = 'ZB-01' \gset
SET ROLE tap_ps_zd;
SELECT is((SELECT count(*) FROM spotcheck.inspectors WHERE code = 'WCH-001'), 0::bigint, 'a planner of ZD does not see WCH''s inspectors');
SELECT is((SELECT row(agency, level)::text FROM spotcheck.plan_inspector_owner('WCH-001')), '(,)',
          'nor does plan_inspector_owner tell it which agency holds one of them: nothing, as for a missing code');
SELECT is((SELECT row(agency, level)::text FROM spotcheck.plan_inspector_owner('NOBODY-001')), '(,)', '(a missing code)');
SELECT is((SELECT row(agency, level)::text FROM spotcheck.plan_inspector_owner('ZD-001')), '(ZD,brigade)', 'its own inspector: told');
SELECT is((SELECT row(agency, level)::text FROM spotcheck.plan_inspector_owner('ZB-001')), '(ZB,detachment)',
          'an inspector of its upper level, who may be seconded to it: told');
SELECT is((SELECT row(agency, level)::text FROM spotcheck.plan_inspector_owner('SJ-001')), '(SJ,department)',
          'a partner department''s inspector, who may be seconded to it: told');
SELECT lives_ok($$INSERT INTO spotcheck.inspector_secondments (inspector, agency, starts, ends, reason) VALUES ('ZB-001', 'ZD', '2026-08-01', '2026-08-31', '支队派员支援')$$,
                'so a secondment from the upper level still works');
SELECT lives_ok($$INSERT INTO spotcheck.inspector_secondments (inspector, agency, starts, ends, reason) VALUES ('SJ-001', 'ZD', '2026-08-01', '2026-08-31', '联合检查借调')$$,
                'as does one from a partner department');
SELECT is((SELECT count(*) FROM spotcheck.check_items WHERE code = 'WCH-01'), 0::bigint, 'a planner of ZD does not see WCH''s own items');
SELECT is((SELECT row(agency, code)::text FROM spotcheck.plan_item_owner(:wch_item)), '(,)',
          'nor does plan_item_owner tell it whose item it is: nothing, as for a missing id');
SELECT is((SELECT row(agency, code)::text FROM spotcheck.plan_item_owner(:zb_item)), '(ZB,ZB-01)', 'an item of its upper level (inherited): told');
SELECT is(pg_temp.err(format('INSERT INTO spotcheck.annual_plan_items (agency, year, item_id) VALUES (%L, 2026, %s)', 'ZD', :wch_item)),
          format('23503 item %s does not exist', :wch_item), 'putting another brigade''s item on its list: as if it did not exist');
RESET ROLE;
SET ROLE tap_ps_wch;
SELECT ok(spotcheck.publish_item_list('WCH') IS NOT NULL, 'WCH publishes its item list');
SET ROLE tap_ps_zd;
SELECT is((SELECT row(agency, code)::text FROM spotcheck.plan_item_owner(:wch_item)), '(WCH,WCH-01)', 'an item on a published list: told');
SELECT is(pg_temp.err(format('INSERT INTO spotcheck.annual_plan_items (agency, year, item_id) VALUES (%L, 2026, %s)', 'ZD', :wch_item)),
          format('23514 item %s ("WCH-01" of agency "WCH") is not on the list of agency "ZD"', :wch_item), 'and so named when refused');
RESET ROLE;

SELECT * FROM finish();
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['tap_ps_wch', 'tap_ps_zd', 'tap_ps_head', 'tap_ps_upper', 'tap_ps_insp', 'tap_ps_public', 'tap_ps_admin'] LOOP
        EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r);
    END LOOP;
END $$;
