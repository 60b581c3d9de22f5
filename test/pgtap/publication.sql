-- Publication as the brigade's office does it: the item list, the plan once
-- its execution has committed, its results; when, who and exactly what (a
-- snapshot, its SHA-256 in the audit log); refusals with their SQLSTATE and
-- message; the publication deadline in working days and the results past
-- it; corrections of published results published at once; the record is
-- append-only; attacks on the SECURITY DEFINER functions.
\ir helpers.psql
SELECT * FROM no_plan();
\ir registry_helpers.psql
\ir plan_helpers.psql
\ir disclosure_helpers.psql
SET client_min_messages = warning;

SELECT lives_ok($$SELECT pg_temp.make_units('WCH', 0, 300), pg_temp.make_units('ZD', 100000, 100),
                         pg_temp.make_inspectors('WCH', 6), pg_temp.make_inspectors('ZD', 3),
                         pg_temp.make_annual_plan('WCH', 2026), pg_temp.make_annual_plan('ZD', 2026),
                         pg_temp.make_roles('tap_pb')$$, 'two brigades, their inspectors, annual plans and roles');
DO $$ BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'tap_pb_sn') THEN DROP OWNED BY tap_pb_sn; DROP ROLE tap_pb_sn; END IF;
END $$;
CREATE ROLE tap_pb_sn LOGIN IN ROLE spotcheck_planner;
INSERT INTO spotcheck.agency_members (member, agency) VALUES ('tap_pb_sn', 'SN');

CREATE TEMP TABLE p AS SELECT spotcheck.plan_month('WCH', '2026-07-01') AS july, spotcheck.plan_month('ZD', '2026-07-01') AS zd;
GRANT ALL ON p TO PUBLIC;
SELECT ok(spotcheck.execute_plan(july, '371') > 0 AND spotcheck.execute_plan(zd, '371') > 0, 'the July plans are executed') FROM p;
CREATE TEMP TABLE aug AS SELECT spotcheck.plan_month('WCH', '2026-08-01') AS plan;
GRANT ALL ON aug TO PUBLIC;
CREATE TEMP TABLE t AS
SELECT row_number() OVER (ORDER BY x.id)::integer AS n, x.id, x.unit, pg_temp.team(x.id) AS team
  FROM spotcheck.plan_target x WHERE x.plan = (SELECT july FROM p);
GRANT ALL ON t TO PUBLIC;
-- results of four July targets, recorded by a planner from the teams' records
SET ROLE tap_pb_planner;
CREATE TEMP TABLE r AS
SELECT t.n, spotcheck.record_result(t.id, ('2026-07-' || (9 + t.n))::date, CASE WHEN t.n = 2 THEN 'problem_pending' ELSE 'no_problem' END,
                                    '检查完毕', '实地检查', t.team, ARRAY['DSJ-' || t.n]) AS id
  FROM t WHERE t.n <= 4;
GRANT ALL ON r TO PUBLIC;
RESET ROLE;
CREATE FUNCTION pg_temp.rid(n integer) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM r WHERE r.n = $1 $$;
GRANT EXECUTE ON FUNCTION pg_temp.rid(integer) TO PUBLIC;
CREATE TEMP TABLE before AS SELECT pg_temp.disclosure_written() AS w;
GRANT ALL ON before TO PUBLIC;

-- ---- publishing the plan ---------------------------------------------------------------
SET ROLE tap_pb_i1;
SELECT matches(pg_temp.err('SELECT spotcheck.publish_plan((SELECT july FROM p))'), '^42501 permission denied for function publish_plan',
    'an inspector does not publish');
SET ROLE tap_pb_upper;
SELECT matches(pg_temp.err('SELECT spotcheck.publish_plan((SELECT july FROM p))'), '^42501 permission denied for function publish_plan',
    'nor the upper level');
SET ROLE tap_pb_admin;
SELECT matches(pg_temp.err('SELECT spotcheck.publish_plan((SELECT july FROM p))'), '^42501 permission denied for function publish_plan',
    'nor an administrator');
SET ROLE tap_pb_public;
SELECT matches(pg_temp.err('SELECT spotcheck.publish_plan(1)'), '^42501 permission denied for function publish_plan', 'nor the public');
SET ROLE tap_pb_zd;
SELECT matches(pg_temp.err('SELECT spotcheck.publish_plan((SELECT july FROM p))'), '^P0002 plan [0-9]+ does not exist',
    'a planner of another brigade: the plan does not exist for it');
SET ROLE tap_pb_planner;
SELECT matches(pg_temp.err('SELECT spotcheck.publish_plan((SELECT plan FROM aug))'),
    '^55000 plan [0-9]+ is committed but not executed: there are no targets to publish yet', 'a plan not executed: 55000');
SELECT matches(pg_temp.err('SELECT spotcheck.execute_plan((SELECT plan FROM aug), ''1''); SELECT spotcheck.publish_plan((SELECT plan FROM aug))'),
    '^25000 plan [0-9]+ was executed in this transaction; it is published once the transaction commits',
    'a plan executed in the same transaction: 25000 (nobody publishes a result they could still roll back)');
RESET ROLE;
SELECT ok(spotcheck.execute_plan(plan, '372') > 0, 'the August plan is executed (and stays unpublished)') FROM aug;
SET ROLE tap_pb_planner;
SELECT matches(pg_temp.err('SELECT spotcheck.publish_results((SELECT july FROM p))'),
    '^55000 plan [0-9]+ is not published: its results are published after it\nDETAIL: \nHINT: Publish the plan first: SELECT spotcheck.publish_plan\([0-9]+\)\.',
    'results before their plan: 55000');
SELECT matches(pg_temp.err('SELECT spotcheck.publish_result(pg_temp.rid(1))'), '^55000 plan [0-9]+ is not published', 'one result neither');
RESET ROLE;
SELECT is(spotcheck.plan_is_published((SELECT july FROM p)), false, 'plan_is_published: not yet');
SET ROLE tap_pb_head;
CREATE TEMP TABLE pub AS SELECT spotcheck.publish_plan((SELECT july FROM p)) AS id;
GRANT ALL ON pub TO PUBLIC;
SELECT matches(pg_temp.err('SELECT spotcheck.publish_plan((SELECT july FROM p))'),
    '^55000 plan [0-9]+ was already published at [0-9T:.-]+Z by tap_pb_head\nDETAIL: \nHINT: A published plan changes only by an amendment approved by the upper level \(Article 20\)',
    'a plan is published once: 55000, naming when and by whom');
RESET ROLE;
SELECT results_eq($$SELECT kind, agency, plan, result, published_by FROM spotcheck.publications WHERE id = (SELECT id FROM pub)$$,
    $$VALUES ('plan', 'WCH', (SELECT july FROM p), NULL::bigint, 'tap_pb_head')$$, 'the publication: the plan, by the head');
SELECT set_eq($$SELECT x->>'unit' AS unit, x->>'name' AS name, x->>'stratum' AS stratum, (x->>'deadline')::date AS deadline FROM spotcheck.publications q,
                       jsonb_array_elements(q.snapshot->'targets') x WHERE q.id = (SELECT id FROM pub)$$,
              $$SELECT unit, name, stratum, deadline FROM spotcheck.plan_targets WHERE plan = (SELECT july FROM p)$$,
              'its snapshot holds exactly the plan''s targets: unit, name, stratum, deadline');
SELECT ok(NOT (SELECT snapshot::text FROM spotcheck.publications WHERE id = (SELECT id FROM pub)) ~ 'WCH-0',
          'and names no inspector');
SELECT is((SELECT l.details->>'snapshot_digest' FROM spotcheck.audit_log l WHERE l.action = 'publication.plan' AND l.object = 'plan:' || (SELECT july FROM p)),
          (SELECT encode(sha256(convert_to(snapshot::text, 'UTF8')), 'hex') FROM spotcheck.publications WHERE id = (SELECT id FROM pub)),
          'the audit log records the publication with the SHA-256 of what was published');
SELECT is(spotcheck.plan_is_published((SELECT july FROM p)), true, 'plan_is_published reads the publication record');
SET ROLE tap_pb_i2;
SELECT is(spotcheck.plan_is_published((SELECT july FROM p)), true, 'every role of the extension may ask');
SET ROLE tap_pb_public;
SELECT matches(pg_temp.err('SELECT spotcheck.plan_is_published(1)'), '^42501 permission denied for function plan_is_published',
    'the public role reads the views instead');
RESET ROLE;

-- ---- publishing results ------------------------------------------------------------------
SET ROLE tap_pb_planner;
SELECT is(spotcheck.publish_results((SELECT july FROM p)), 4, 'publish_results publishes the four results recorded');
SELECT is(spotcheck.publish_results((SELECT july FROM p)), 0, 'and nothing twice');
SELECT matches(pg_temp.err('SELECT spotcheck.publish_result(pg_temp.rid(1))'),
    '^55000 result [0-9]+ was already published at .* by tap_pb_planner', 'a result is published once: 55000');
RESET ROLE;
SELECT results_eq($$SELECT q.result, q.published_by, q.snapshot->>'category_name' AS c, q.snapshot->>'summary' AS s
                      FROM spotcheck.publications q WHERE q.kind = 'result' AND q.plan = (SELECT july FROM p) ORDER BY q.result$$,
    $$SELECT r.id, 'tap_pb_planner', CASE WHEN r.n = 2 THEN '发现问题待后续处理' ELSE '未发现问题' END, '检查完毕' FROM r ORDER BY r.id$$,
    'each result''s publication: who, and the category and summary as published');
-- the head corrects a published result: the correction is published at once, the original stays published
SET ROLE tap_pb_head;
CREATE TEMP TABLE c AS SELECT spotcheck.correct_result(pg_temp.rid(2), '整改复查记录补录', category => 'problem_corrected') AS id;
GRANT ALL ON c TO PUBLIC;
RESET ROLE;
SELECT results_eq($$SELECT q.kind, q.published_by, q.snapshot->>'corrects' FROM spotcheck.publications q WHERE q.result = (SELECT id FROM c)$$,
    $$VALUES ('result', 'tap_pb_head', pg_temp.rid(2)::text)$$,
    'the correction of a published result is published at once, by the head, naming what it corrects');
SELECT is((SELECT count(*) FROM spotcheck.publications WHERE result = pg_temp.rid(2)), 1::bigint, 'and the original stays published');
SET ROLE tap_pb_planner;
SELECT matches(pg_temp.err('SELECT spotcheck.publish_result(pg_temp.rid(2))'),
    '^55000 result [0-9]+ was corrected by result [0-9]+: only the current version is published', 'a corrected version is not published again');
RESET ROLE;
-- a result recorded after the publication of its plan
SET ROLE tap_pb_planner;
CREATE TEMP TABLE r5 AS SELECT spotcheck.record_result(t.id, '2026-07-20', 'no_problem', '检查完毕', '实地检查', t.team, ARRAY['DSJ-5']) AS id
  FROM t WHERE n = 5;
GRANT ALL ON r5 TO PUBLIC;
SELECT is(spotcheck.publish_result((SELECT id FROM r5)) IS NOT NULL, true, 'publish_result publishes one');
RESET ROLE;

-- ---- nobody changes the record -------------------------------------------------------------
SELECT matches(pg_temp.err('UPDATE spotcheck.publications SET published_at = now() - interval ''1 year'''),
    '^55000 update on spotcheck.publications is not allowed\nDETAIL: \nHINT: What was published stays published',
    'UPDATE of a publication is refused, even for a superuser');
SELECT matches(pg_temp.err('DELETE FROM spotcheck.publications'), '^55000 delete on spotcheck.publications is not allowed', 'DELETE too');
SELECT matches(pg_temp.err('TRUNCATE spotcheck.publications'), '^55000 truncate on spotcheck.publications is not allowed', 'TRUNCATE too');
SET ROLE tap_pb_planner;
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.publications (kind, agency, plan, published_at, published_by, snapshot, snapshot_digest)
                              VALUES ('plan', 'WCH', (SELECT plan FROM aug), now(), 'x', '{}', 'x')$$),
    '^42501 permission denied for table publications', 'no role writes a publication directly');
SELECT is((SELECT count(*) FROM spotcheck.publications WHERE kind = 'plan'), 1::bigint, 'a planner reads the publications of its agency');
RESET ROLE;
SET ROLE tap_pb_zd;
SELECT is((SELECT count(*) FROM spotcheck.publications), 0::bigint, 'another brigade''s planner reads none of them');
RESET ROLE;

-- ---- the item list -------------------------------------------------------------------------
SET ROLE tap_pb_planner;
CREATE TEMP TABLE il AS SELECT spotcheck.publish_item_list('WCH') AS id;
GRANT ALL ON il TO PUBLIC;
SELECT is(spotcheck.publish_item_list('WCH'), (SELECT id FROM il), 'publishing an unchanged list publishes nothing new');
RESET ROLE;
SELECT set_eq($$SELECT (x->>'item')::bigint AS id, x->>'code' AS code, (x->>'inherited')::boolean AS inherited FROM spotcheck.publications q,
                       jsonb_array_elements(q.snapshot->'items') x WHERE q.id = (SELECT id FROM il)$$,
              $$SELECT id, code, inherited FROM spotcheck.effective_check_items('WCH', current_date)$$,
              'the snapshot is the effective list in force: own, inherited and narrowing items');
INSERT INTO spotcheck.check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year, valid_from)
VALUES ('WCH', 'WCH-02', '消防控制室值班', '《消防法》第十六条', '持证上岗、双人值班', '{实地检查}', 5, 1, current_date);
SET ROLE tap_pb_head;
SELECT isnt(spotcheck.publish_item_list('WCH'), (SELECT id FROM il), 'a changed list is published anew');
RESET ROLE;
SELECT is((SELECT count(*) FROM spotcheck.public_item_list WHERE agency = 'WCH'), 4::bigint, 'the disclosure view shows the latest list');
SET ROLE tap_pb_sn;
SELECT matches(pg_temp.err($$SELECT spotcheck.publish_item_list('SN')$$), '^55000 agency "SN" has no item in force to publish',
    'an agency without items: 55000');
SELECT matches(pg_temp.err($$SELECT spotcheck.publish_item_list('WCH')$$),
    '^42501 permission denied: role tap_pb_sn may not publish the item list for agency WCH: it is not a member of that agency',
    'another agency''s list: 42501');
RESET ROLE;
SELECT matches(pg_temp.err($$SELECT spotcheck.publish_item_list('ZBSJ')$$), '^22023 agency "ZBSJ" is a partner department',
    'a partner department has no fire item list: 22023');

-- ---- the publication deadline ------------------------------------------------------------------
SELECT is(spotcheck.result_publish_days('WCH'), 20, 'by default a result is published within 20 working days');
SELECT matches(pg_temp.err('UPDATE spotcheck.disclosure_settings SET result_publish_days = 30 WHERE agency IS NULL'),
    '^55000 the default publication deadline \(20 working days\) is part of the extension and cannot be changed', 'the default stays');
SET ROLE tap_pb_upper;
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.disclosure_settings (agency, result_publish_days) VALUES ('ZB', 15)$$),
    '^42501 permission denied for table disclosure_settings', 'the upper level sets nothing here (a planner of the detachment does)');
RESET ROLE;
INSERT INTO spotcheck.disclosure_settings (agency, result_publish_days) VALUES ('ZB', 15);
SET ROLE tap_pb_planner;
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.disclosure_settings (agency, result_publish_days) VALUES ('WCH', 18)$$),
    '^23514 agency "WCH" cannot allow 18 working days to publish a result: 15 applies from above', 'an agency may not loosen its upper level''s deadline');
SELECT lives_ok($$INSERT INTO spotcheck.disclosure_settings (agency, result_publish_days) VALUES ('WCH', 10)$$, 'but may shorten it');
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.disclosure_settings (agency, result_publish_days) VALUES ('ZD', 10)$$),
    '^42501 new row violates row-level security policy', 'not for another agency');
RESET ROLE;
SELECT is(spotcheck.result_publish_days('WCH'), 10, 'WCH''s own deadline');
SELECT is(spotcheck.result_publish_days('ZD'), 15, 'ZD takes the detachment''s');
SELECT is(spotcheck.result_publish_days('QD'), 20, 'QD the default');
SET ROLE tap_pb_planner;
CREATE TEMP TABLE r6 AS SELECT spotcheck.record_result(t.id, '2026-07-21', 'no_problem', '检查完毕', '实地检查', t.team, ARRAY['DSJ-6']) AS id
  FROM t WHERE n = 6;
GRANT ALL ON r6 TO PUBLIC;
RESET ROLE;
SELECT is((SELECT publish_within FROM spotcheck.inspection_results WHERE id = (SELECT id FROM r6)), 10,
          'a result keeps the deadline in force when it was recorded');
-- the results past their deadline
SELECT results_eq($$SELECT result, inspected_on, publish_within, publish_by, days_late, note FROM spotcheck.overdue_publications$$,
    $$SELECT (SELECT id FROM r6), '2026-07-21'::date, 10, '2026-08-04'::date, current_date - '2026-08-04'::date, NULL::text$$,
    'overdue_publications: the unpublished result, due 10 working days after 21 July (4 August), and how late');
SET ROLE tap_pb_zd;
SELECT is_empty('SELECT * FROM spotcheck.overdue_publications', 'another brigade does not see them');
SET ROLE tap_pb_planner;
SELECT lives_ok('SELECT spotcheck.publish_results((SELECT july FROM p))', 'publishing it');
SELECT is_empty('SELECT * FROM spotcheck.overdue_publications', 'takes it off the list');
RESET ROLE;
SELECT results_eq($$SELECT due, covered_until FROM spotcheck.working_day_deadline('2026-12-01', 20)$$,
    $$VALUES ('2026-12-29'::date, NULL::date)$$, 'a deadline inside the calendar: the day');
SELECT results_eq($$SELECT due, covered_until FROM spotcheck.working_day_deadline('2026-12-20', 20)$$,
    $$VALUES (NULL::date, '2026-12-31'::date)$$, 'a deadline in 2027, not recorded: none, and the last day covered');
SELECT matches(pg_temp.err($$SELECT spotcheck.working_day_deadline('2024-12-20', 20)$$),
    '^55000 the working-day calendar has no holiday arrangement for 2024', 'a start in a year not recorded: the calendar''s error');

SELECT is(pg_temp.disclosure_written(), 'results 7 outcomes 6 live 6 publications 10 objections 0 open 0',
          'what was written: 7 result versions, 6 outcomes (the correction kept its outcome), 10 publications');

-- ---- attacks on the SECURITY DEFINER functions -----------------------------------------------
GRANT CREATE ON SCHEMA public TO tap_pb_planner;
SET ROLE tap_pb_planner;
CREATE TABLE public.attack_log (what text);
CREATE FUNCTION public.caller() RETURNS name LANGUAGE sql AS $$ SELECT 'somebody_else'::name $$;
CREATE FUNCTION public.encode(bytea, text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.attack_log VALUES ('encode'); RETURN 'x'; END $$;
CREATE TEMP TABLE publications (id bigint, kind text, plan bigint);
INSERT INTO publications VALUES (1, 'plan', (SELECT plan FROM aug));
SET search_path = public, pg_temp, spotcheck, pg_catalog;
SELECT is(spotcheck.plan_is_published((SELECT plan FROM aug)), false, 'a planted publications table does not publish a plan');
SELECT matches(pg_temp.err('SELECT spotcheck.publish_results((SELECT plan FROM aug))'), '^55000 plan [0-9]+ is not published',
    'nor lets its results be published');
SELECT matches(pg_temp.err($$SELECT spotcheck.publish_item_list('ZD')$$), '^42501 permission denied: role tap_pb_planner may not publish the item list for agency ZD',
    'a planted caller() does not make it another role');
RESET search_path;
SELECT is_empty('SELECT * FROM public.attack_log', 'none of the planted functions ran');
RESET ROLE;

SELECT * FROM finish();
