-- Objections (Article 21) as the brigade's office receives them: due three
-- working days after receipt across the Spring Festival, National Day, the
-- New Year and make-up working days, an error naming the year the calendar
-- lacks (never a guess); filed by the office for a published result only;
-- verified by the head, rejected or upheld; an upheld one corrects the
-- published result, and the correction is public with the original shown as
-- corrected; the objections past their due date; the record cannot be
-- changed; attacks on the SECURITY DEFINER functions.
\ir helpers.psql
SELECT * FROM no_plan();
\ir registry_helpers.psql
\ir plan_helpers.psql
\ir disclosure_helpers.psql
SET client_min_messages = warning;

-- ---- due dates --------------------------------------------------------------------------
SELECT results_eq($$SELECT received, spotcheck.objection_due(received) FROM (VALUES
        ('2026-02-12'::date), ('2026-02-13'), ('2025-01-24'), ('2026-09-30'), ('2026-09-17'), ('2026-04-29'),
        ('2025-12-31'), ('2025-09-26'), ('2025-09-29'), ('2026-12-25'), ('2026-12-28')) AS v(received)$$,
    $$VALUES ('2026-02-12'::date, '2026-02-24'::date), ('2026-02-13', '2026-02-25'), ('2025-01-24', '2025-02-05'),
             ('2026-09-30', '2026-10-10'), ('2026-09-17', '2026-09-21'), ('2026-04-29', '2026-05-07'),
             ('2025-12-31', '2026-01-06'), ('2025-09-26', '2025-09-30'), ('2025-09-29', '2025-10-10'), ('2026-12-25', '2026-12-30'),
             ('2026-12-28', '2026-12-31')$$,
    'three working days after receipt: across the Spring Festival (Saturday 14 February 2026 worked), the 2025 Spring Festival '
    '(Sunday 26 January worked), National Day (Saturday 10 October worked), the make-up Sunday 20 September, Labour Day, '
    'the New Year (Sunday 4 January worked), National Day 2025 (Sunday 28 September and Saturday 11 October worked), and to the last day of 2026');
SELECT matches(pg_temp.err($$SELECT spotcheck.objection_due('2026-12-29')$$),
    '^55000 the due date of an objection received on 2026-12-29 falls in 2027, whose holiday arrangement the working-day calendar does not record\nDETAIL: Three working days after receipt \(Article 21\) cannot be counted past 2026-12-31\. Years covered: 2025, 2026\.\nHINT: Record the State Council''s 2027 arrangement first',
    'received on 29 December 2026, due in 2027: an error naming 2027, never a guess');
SELECT matches(pg_temp.err($$SELECT spotcheck.objection_due('2024-12-30')$$),
    '^55000 the working-day calendar has no holiday arrangement for 2024 \(asked about 2024-12-30\)',
    'received in a year not recorded: the calendar''s error, naming the year');
BEGIN;
INSERT INTO spotcheck.calendar_years (year, source) VALUES (2027, 'test arrangement');
INSERT INTO spotcheck.calendar_days (day, kind, name) VALUES ('2027-01-01', 'holiday', '元旦');
SELECT is(spotcheck.objection_due('2026-12-29'), '2027-01-04'::date, 'once 2027 is recorded the due date is counted into it');
ROLLBACK;

-- ---- a published plan with published results -----------------------------------------------
SELECT lives_ok($$SELECT pg_temp.make_units('WCH', 0, 300), pg_temp.make_units('ZD', 100000, 100),
                         pg_temp.make_inspectors('WCH', 6), pg_temp.make_inspectors('ZD', 3),
                         pg_temp.make_annual_plan('WCH', 2026), pg_temp.make_annual_plan('ZD', 2026),
                         pg_temp.make_roles('tap_ob')$$, 'two brigades, their inspectors, annual plans and roles');
UPDATE spotcheck.units SET responsible_person = '赵志强', manager_phone = '13800001111' WHERE agency = 'WCH';
CREATE TEMP TABLE p AS SELECT spotcheck.plan_month('WCH', '2026-07-01') AS july;
GRANT ALL ON p TO PUBLIC;
SELECT ok(spotcheck.execute_plan(july, '9') > 0, 'the July plan is executed') FROM p;
CREATE TEMP TABLE t AS
SELECT row_number() OVER (ORDER BY x.id)::integer AS n, x.id, x.unit, pg_temp.team(x.id) AS team
  FROM spotcheck.plan_target x WHERE x.plan = (SELECT july FROM p);
GRANT ALL ON t TO PUBLIC;
SET ROLE tap_ob_planner;
CREATE TEMP TABLE r AS
SELECT t.n, spotcheck.record_result(t.id, ('2026-07-' || (9 + t.n))::date, 'problem_pending', '疏散通道堵塞，已责令改正',
                                    '实地检查', t.team, ARRAY['DSJ-' || t.n]) AS id
  FROM t WHERE t.n <= 5;
GRANT ALL ON r TO PUBLIC;
SELECT spotcheck.publish_plan((SELECT july FROM p)) IS NOT NULL AS published \gset
RESET ROLE;
CREATE FUNCTION pg_temp.rid(n integer) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM r WHERE r.n = $1 $$;
GRANT EXECUTE ON FUNCTION pg_temp.rid(integer) TO PUBLIC;
-- results 1 to 4 published, result 5 not
SET ROLE tap_ob_planner;
SELECT is((SELECT count(*) FROM (SELECT spotcheck.publish_result(pg_temp.rid(n)) FROM generate_series(1, 4) n) x), 4::bigint,
          'results 1 to 4 are published, result 5 is not');
RESET ROLE;
-- The results were published in July, days after their inspection: the
-- servers' clock is pinned to today, so the test dates the publications back
-- with the triggers off (a superuser's edit of the time alone: the row and
-- what was published, which its audit entry holds, stay the same).
SET session_replication_role = replica;
UPDATE spotcheck.publications SET published_at = '2026-07-20 09:00+08' WHERE kind = 'result';
SET session_replication_role = origin;
CREATE TEMP TABLE before AS SELECT pg_temp.disclosure_written() AS w;
GRANT ALL ON before TO PUBLIC;

-- ---- filing -------------------------------------------------------------------------------
SET ROLE tap_ob_i1;
SELECT matches(pg_temp.err('SELECT spotcheck.file_objection(pg_temp.rid(1), ''结果有误'')'), '^42501 permission denied for function file_objection',
    'an inspector does not file objections to results (the office receives them)');
SET ROLE tap_ob_upper;
SELECT matches(pg_temp.err('SELECT spotcheck.file_objection(pg_temp.rid(1), ''结果有误'')'), '^42501 permission denied for function file_objection',
    'nor the upper level (the unit objects to the agency that published)');
SET ROLE tap_ob_public;
SELECT matches(pg_temp.err('SELECT spotcheck.file_objection(1, ''结果有误'')'), '^42501 permission denied for function file_objection',
    'nor the public role (the unit is not a database role)');
SET ROLE tap_ob_zd;
SELECT matches(pg_temp.err('SELECT spotcheck.file_objection(pg_temp.rid(1), ''结果有误'')'), '^P0002 result [0-9]+ does not exist',
    'another brigade''s office: the result does not exist for it');
SET ROLE tap_ob_planner;
SELECT matches(pg_temp.err('SELECT spotcheck.file_objection(pg_temp.rid(5), ''结果有误'')'),
    '^55000 result [0-9]+ is not published: an objection is to a published result \(Article 21\)', 'an unpublished result: 55000');
SELECT matches(pg_temp.err('SELECT spotcheck.file_objection(pg_temp.rid(1), '' '')'),
    '^23502 the objection to result [0-9]+ needs the unit''s statement', 'no statement: 23502');
SELECT matches(pg_temp.err('SELECT spotcheck.file_objection(pg_temp.rid(1), ''结果有误'', channel => ''fax'')'),
    '^22023 unknown channel ''fax'' for the objection to result [0-9]+\nDETAIL: \nHINT: The channels are in_person, letter, online, phone and other',
    'an unknown channel: 22023');
SELECT matches(pg_temp.err('SELECT spotcheck.file_objection(pg_temp.rid(1), ''结果有误'', ''2026-07-19'')'),
    '^22008 the objection to result [0-9]+ is received on 2026-07-19, before the result was published on 2026-07-20\nDETAIL: \nHINT: An objection is to a published result \(Article 21\)',
    'received before the result was published: 22008 (Article 21: an objection is to a published result)');
SELECT matches(pg_temp.err(format('SELECT spotcheck.file_objection(pg_temp.rid(1), ''结果有误'', %L)', current_date + 1)),
    '^22008 the objection to result [0-9]+ is received on [0-9-]+, in the future', 'received tomorrow: 22008');
SELECT matches(pg_temp.err('SELECT spotcheck.file_objection(pg_temp.rid(1), ''结果有误'', ''2024-12-30'')'),
    '^22008 the objection to result [0-9]+ is received on 2024-12-30, before the result was published on 2026-07-20',
    'received in 2024, long before the result was published: 22008');
RESET ROLE;
-- without the 2026 arrangement, an objection received on 30 July 2026 is due in a year not recorded
BEGIN;
SET LOCAL client_min_messages = warning;
-- (the shipped arrangement is never deleted: taken out with the triggers off)
SET LOCAL session_replication_role = replica;
DELETE FROM spotcheck.calendar_days WHERE year = 2026;
DELETE FROM spotcheck.calendar_years WHERE year = 2026;
SET LOCAL session_replication_role = origin;
SET LOCAL ROLE tap_ob_planner;
SELECT matches(pg_temp.err('SELECT spotcheck.file_objection(pg_temp.rid(1), ''结果有误'', ''2026-07-30'')'),
    '^55000 the working-day calendar has no holiday arrangement for 2026 \(asked about 2026-07-30\)',
    'an objection whose due date falls in a year not recorded is refused, naming the year');
ROLLBACK;
SELECT is(pg_temp.disclosure_written(), (SELECT w FROM before), 'every refusal left nothing behind');

SET ROLE tap_ob_planner;
CREATE TEMP TABLE o AS
SELECT 1 AS n, spotcheck.file_objection(pg_temp.rid(1), '该单位称检查当日疏散通道并未堵塞，有监控为证', '2026-07-30', 'letter', '联系人电话见来函') AS id
UNION ALL SELECT 2, spotcheck.file_objection(pg_temp.rid(2), '对检查结论有异议', '2026-09-30', 'in_person')
UNION ALL SELECT 3, spotcheck.file_objection(pg_temp.rid(3), '对检查结论有异议', '2026-09-17', 'online');
GRANT ALL ON o TO PUBLIC;
SELECT matches(pg_temp.err('SELECT spotcheck.file_objection(pg_temp.rid(1), ''又一份'')'),
    '^23505 result [0-9]+ already has an open objection: objection [0-9]+, received on 2026-07-30', 'one open objection per result: 23505');
RESET ROLE;
CREATE FUNCTION pg_temp.oid_(n integer) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM o WHERE o.n = $1 $$;
GRANT EXECUTE ON FUNCTION pg_temp.oid_(integer) TO PUBLIC;
SELECT results_eq($$SELECT result, agency, unit, channel, received_on, due_on, state, filed_by FROM spotcheck.objections ORDER BY id$$,
    $$SELECT pg_temp.rid(1), 'WCH', (SELECT unit FROM t WHERE n = 1), 'letter', '2026-07-30'::date, '2026-08-04'::date, 'open', 'tap_ob_planner'
      UNION ALL SELECT pg_temp.rid(2), 'WCH', (SELECT unit FROM t WHERE n = 2), 'in_person', '2026-09-30', '2026-10-10', 'open', 'tap_ob_planner'
      UNION ALL SELECT pg_temp.rid(3), 'WCH', (SELECT unit FROM t WHERE n = 3), 'online', '2026-09-17', '2026-09-21', 'open', 'tap_ob_planner'$$,
    'the objections as filed: result, unit, channel, receipt, due three working days later, open, by the office');
SELECT is((SELECT count(*) FROM spotcheck.audit_log WHERE action = 'objection.file'), 3::bigint, 'each is audited');
SELECT results_eq($$SELECT objection, received_on, due_on, days_late FROM spotcheck.overdue_objections ORDER BY objection$$,
    $$SELECT pg_temp.oid_(1), '2026-07-30'::date, '2026-08-04'::date, current_date - '2026-08-04'::date
      UNION ALL SELECT pg_temp.oid_(2), '2026-09-30', '2026-10-10', current_date - '2026-10-10'::date
      UNION ALL SELECT pg_temp.oid_(3), '2026-09-17', '2026-09-21', current_date - '2026-09-21'::date$$,
    'overdue_objections: every open objection past its due date, and how late');
SET ROLE tap_ob_zd;
SELECT is_empty('SELECT * FROM spotcheck.overdue_objections', 'another brigade sees none of them');
SELECT is_empty('SELECT * FROM spotcheck.objections', 'nor the objections themselves');
RESET ROLE;

-- ---- verification by the head ---------------------------------------------------------------
SET ROLE tap_ob_planner;
SELECT matches(pg_temp.err('SELECT spotcheck.resolve_objection(pg_temp.oid_(1), ''rejected'', ''核实无误'')'),
    '^42501 permission denied for function resolve_objection', 'a planner does not resolve objections');
SET ROLE tap_ob_head;
SELECT matches(pg_temp.err('SELECT spotcheck.resolve_objection(pg_temp.oid_(1), ''partly'', ''核实'')'),
    '^22023 unknown outcome ''partly'' for objection [0-9]+', 'an unknown outcome: 22023');
SELECT matches(pg_temp.err('SELECT spotcheck.resolve_objection(pg_temp.oid_(1), ''rejected'', NULL)'),
    '^23502 the resolution of objection [0-9]+ needs what the verification found', 'no verification: 23502');
SELECT matches(pg_temp.err('SELECT spotcheck.resolve_objection(pg_temp.oid_(1), ''rejected'', ''核实'', category => ''no_problem'')'),
    '^22023 objection [0-9]+ is rejected but corrected values are given', 'rejected with corrections: 22023');
SELECT matches(pg_temp.err('SELECT spotcheck.resolve_objection(pg_temp.oid_(1), ''upheld'', ''核实'')'),
    '^22023 objection [0-9]+ is upheld but no corrected value is given', 'upheld without a correction: 22023');
SELECT matches(pg_temp.err('SELECT spotcheck.resolve_objection(pg_temp.oid_(1), ''upheld'', ''核实'', summary => ''赵志强已整改'')'),
    '^22023 the public summary of the correction of result [0-9]+ contains the name of a person',
    'the correction it makes is checked like any result');
-- upheld: the result is corrected and the correction published
SET client_min_messages = error;
CREATE TEMP TABLE up AS SELECT spotcheck.resolve_objection(pg_temp.oid_(1), 'upheld', '调取监控及执法记录仪视频核实，检查时通道已清理，结论有误',
    category => 'no_problem', findings => '疏散通道畅通，未发现问题') AS correction;
GRANT ALL ON up TO PUBLIC;
-- rejected
CREATE TEMP TABLE rj AS SELECT spotcheck.resolve_objection(pg_temp.oid_(2), 'rejected', '调取执法记录仪视频核实，检查结论无误') AS correction;
GRANT ALL ON rj TO PUBLIC;
SET client_min_messages = warning;
SELECT matches(pg_temp.err('SELECT spotcheck.resolve_objection(pg_temp.oid_(2), ''upheld'', ''再核实'', category => ''no_problem'')'),
    '^55000 objection [0-9]+ was already resolved \(rejected\) at .* by tap_ob_head', 'an objection is resolved once: 55000');
RESET ROLE;
SELECT results_eq($$SELECT state, correction, resolved_by, verification FROM spotcheck.objections WHERE id IN (pg_temp.oid_(1), pg_temp.oid_(2)) ORDER BY id$$,
    $$VALUES ('upheld', (SELECT correction FROM up), 'tap_ob_head', '调取监控及执法记录仪视频核实，检查时通道已清理，结论有误'),
             ('rejected', NULL::bigint, 'tap_ob_head', '调取执法记录仪视频核实，检查结论无误')$$,
    'the verifications: upheld with its correction, rejected without one, by the head');
SELECT is((SELECT correction FROM rj), NULL, 'a rejection returns no correction');
SELECT results_eq($$SELECT corrects, objection, category, summary, correction_reason FROM spotcheck.inspection_results WHERE id = (SELECT correction FROM up)$$,
    $$VALUES (pg_temp.rid(1), pg_temp.oid_(1), 'no_problem', '疏散通道畅通，未发现问题', 'upheld objection ' || pg_temp.oid_(1) || ', received on 2026-07-30 (Article 21)')$$,
    'the upheld objection corrected the result; the verification stays internal, the published reason names the objection');
SELECT results_eq($$SELECT o.outcome, o.voided_at IS NULL FROM spotcheck.inspection_outcomes o WHERE o.plan_target = (SELECT id FROM t WHERE n = 1) ORDER BY o.id$$,
    $$VALUES ('violation', false), ('compliant', true)$$, 'the violation it recorded is voided; the unit counts as compliant');
SELECT is((SELECT published_by FROM spotcheck.publications WHERE kind = 'result' AND result = (SELECT correction FROM up)), 'tap_ob_head',
          'the correction is published at once, by the head who upheld the objection');
SELECT is((SELECT l.details->>'late' FROM spotcheck.audit_log l WHERE l.action = 'objection.resolve' AND l.object = 'objection:' || pg_temp.oid_(1)),
          'true', 'the audit entry says it was verified after its due date');
-- what the public sees
SET ROLE tap_ob_public;
SELECT results_eq($$SELECT result, status, category, summary, corrects, corrected_by, correction_reason
                      FROM spotcheck.public_results WHERE target = (SELECT id FROM t WHERE n = 1) ORDER BY result$$,
    $$VALUES (pg_temp.rid(1), 'corrected', '发现问题待后续处理', '疏散通道堵塞，已责令改正', NULL::bigint, (SELECT correction FROM up), NULL::text),
             ((SELECT correction FROM up), 'current', '未发现问题', '疏散通道畅通，未发现问题', pg_temp.rid(1), NULL::bigint,
              'upheld objection ' || pg_temp.oid_(1) || ', received on 2026-07-30 (Article 21)')$$,
    'the public sees the original, marked corrected, and the correction naming it, both dated');
SELECT ok((SELECT bool_and(corrected_by_on IS NOT NULL) FROM spotcheck.public_results WHERE result = pg_temp.rid(1))
          AND (SELECT bool_and(corrected_on IS NOT NULL AND published_at IS NOT NULL) FROM spotcheck.public_results WHERE result = (SELECT correction FROM up)),
          'with the day of the correction on both');
SELECT matches(pg_temp.err('SELECT * FROM spotcheck.objections'), '^42501 permission denied for table objections',
    'objections themselves are not disclosed (the statement and contact are the unit''s)');
RESET ROLE;
SELECT results_eq($$SELECT objection FROM spotcheck.overdue_objections$$, $$SELECT pg_temp.oid_(3)$$,
    'only the objection still open stays overdue');
-- a new objection against the corrected version is filed against the current one
SET ROLE tap_ob_head;
SELECT matches(pg_temp.err('SELECT spotcheck.file_objection(pg_temp.rid(1), ''再次异议'')'),
    '^55000 result [0-9]+ was corrected by result [0-9]+: the objection is to the current result', 'objecting to a corrected version: 55000');
-- (a letter received before the correction was published, after the original was, is filed
-- against the current version: the unit objected during publication)
BEGIN;
SELECT ok(spotcheck.file_objection((SELECT correction FROM up), '来函日期早于更正', '2026-08-01') > 0,
          'an objection received after the first publication, before the correction''s, is filed against the correction');
ROLLBACK;
SELECT matches(pg_temp.err('SELECT spotcheck.file_objection((SELECT correction FROM up), ''异议'', ''2026-07-19'')'),
    '^22008 the objection to result [0-9]+ is received on 2026-07-19, before the result was published on 2026-07-20',
    'but not one received before the result was first published');
CREATE TEMP TABLE o4 AS SELECT spotcheck.file_objection((SELECT correction FROM up), '仍有异议') AS id;
GRANT ALL ON o4 TO PUBLIC;
RESET ROLE;
SELECT is((SELECT due_on FROM spotcheck.objections WHERE id = (SELECT id FROM o4)), spotcheck.objection_due(current_date),
          'received today, due three working days from today');
SELECT is_empty($$SELECT * FROM spotcheck.overdue_objections WHERE objection = (SELECT id FROM o4)$$, 'not overdue');

-- ---- the record cannot be changed -------------------------------------------------------------
SELECT matches(pg_temp.err($$UPDATE spotcheck.objections SET state = 'rejected' WHERE id = (SELECT id FROM o WHERE n = 1)$$),
    '^55000 objection [0-9]+ was resolved \(upheld\) at .*\nDETAIL: \nHINT: A verified objection stays as it was verified',
    'a verified objection cannot be changed, even by a superuser');
SELECT matches(pg_temp.err($$UPDATE spotcheck.objections SET received_on = '2026-09-29' WHERE id = (SELECT id FROM o WHERE n = 3)$$),
    '^55000 objection [0-9]+ cannot be changed\nDETAIL: \nHINT: Only its verification is recorded', 'nor what was received');
SELECT matches(pg_temp.err($$DELETE FROM spotcheck.objections$$), '^55000 objection [0-9]+ cannot be deleted', 'nor deleted');
SELECT matches(pg_temp.err($$TRUNCATE spotcheck.objections CASCADE$$), '^55000 truncate on spotcheck.objections is not allowed', 'nor truncated');
SET ROLE tap_ob_head;
SELECT matches(pg_temp.err($$UPDATE spotcheck.objections SET due_on = '2026-12-31'$$), '^42501 permission denied for table objections',
    'no role writes the table directly');
RESET ROLE;

-- ---- attacks on the SECURITY DEFINER functions ----------------------------------------------
GRANT CREATE ON SCHEMA public TO tap_ob_head;
SET ROLE tap_ob_head;
CREATE TABLE public.attack_log (what text);
CREATE FUNCTION public.add_working_days(date, integer) RETURNS date LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.attack_log VALUES ('add_working_days'); RETURN '2099-12-31'; END $$;
CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.attack_log VALUES ('lower'); RETURN 'upheld'; END $$;
CREATE TEMP TABLE calendar_days (day date, kind text);
INSERT INTO calendar_days SELECT d, 'workday' FROM generate_series('2026-10-01'::date, '2026-10-07', '1 day') d;
SET search_path = public, pg_temp, spotcheck, pg_catalog;
SET TimeZone = 'Pacific/Kiritimati';
CREATE TEMP TABLE o5 AS SELECT spotcheck.file_objection(pg_temp.rid(4), '异议', '2026-09-30') AS id;
SELECT is((SELECT due_on FROM spotcheck.objections WHERE id = (SELECT id FROM o5)), '2026-10-10'::date,
          'planted calendar functions and tables, a search path and a time zone change no due date');
SELECT matches(pg_temp.err('SELECT spotcheck.resolve_objection((SELECT id FROM o5), ''Rejected'', ''核实'')'), '^ok',
               'an outcome is read as written');
RESET search_path;
SET TimeZone = 'Asia/Shanghai';
SELECT is_empty('SELECT * FROM public.attack_log', 'none of the planted functions ran');
RESET ROLE;
SELECT is((SELECT state FROM spotcheck.objections WHERE id = (SELECT id FROM o5)), 'rejected', 'the objection was rejected, not upheld');

SELECT * FROM finish();
