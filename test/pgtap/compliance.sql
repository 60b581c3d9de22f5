-- The compliance report (Articles 23-24) over a year: a brigade's twelve
-- monthly plans of 2026, drawn, executed and published, with results,
-- publications and objections; each plan reported; then each kind of
-- deviation made on a target and named by the report on that target, while
-- a December target done by the book is reported as followed; and a plan
-- whose draw or audit chain no longer verifies says so in its first lines.
\ir helpers.psql
SELECT * FROM no_plan();
\ir registry_helpers.psql
\ir plan_helpers.psql
\ir disclosure_helpers.psql
SET client_min_messages = warning;

SELECT lives_ok($$SELECT pg_temp.make_units('WCH', 0, 800), pg_temp.make_inspectors('WCH', 6), pg_temp.make_inspectors('ZB', 2),
                         pg_temp.make_annual_plan('WCH', 2026), pg_temp.make_roles('tap_cp')$$,
                'a brigade, its inspectors, the annual plan and the roles');
-- deadlines: the 20th of the month
UPDATE spotcheck.annual_plans SET deadline_rule = 'days', deadline_days = 20 WHERE agency = 'WCH' AND year = 2026;

-- ---- a year -------------------------------------------------------------------------------
CREATE TEMP TABLE p (month integer, plan bigint);
GRANT ALL ON p TO PUBLIC;
SELECT pg_temp.become('tap_cp_planner');
INSERT INTO p SELECT 1, spotcheck.plan_month('WCH', '2026-01-01');
SELECT ok(spotcheck.execute_plan(plan, '2026-01') > 0, 'January is executed') FROM p WHERE month = 1;
INSERT INTO p SELECT 2, spotcheck.plan_month('WCH', '2026-02-01');
SELECT ok(spotcheck.execute_plan(plan, '2026-02') > 0, 'February') FROM p WHERE month = 2;
INSERT INTO p SELECT 3, spotcheck.plan_month('WCH', '2026-03-01');
SELECT ok(spotcheck.execute_plan(plan, '2026-03') > 0, 'March') FROM p WHERE month = 3;
INSERT INTO p SELECT 4, spotcheck.plan_month('WCH', '2026-04-01');
SELECT ok(spotcheck.execute_plan(plan, '2026-04') > 0, 'April') FROM p WHERE month = 4;
INSERT INTO p SELECT 5, spotcheck.plan_month('WCH', '2026-05-01');
SELECT ok(spotcheck.execute_plan(plan, '2026-05') > 0, 'May') FROM p WHERE month = 5;
INSERT INTO p SELECT 6, spotcheck.plan_month('WCH', '2026-06-01');
SELECT ok(spotcheck.execute_plan(plan, '2026-06') > 0, 'June') FROM p WHERE month = 6;
INSERT INTO p SELECT 7, spotcheck.plan_month('WCH', '2026-07-01');
SELECT ok(spotcheck.execute_plan(plan, '2026-07') > 0, 'July') FROM p WHERE month = 7;
INSERT INTO p SELECT 8, spotcheck.plan_month('WCH', '2026-08-01');
SELECT ok(spotcheck.execute_plan(plan, '2026-08') > 0, 'August') FROM p WHERE month = 8;
INSERT INTO p SELECT 9, spotcheck.plan_month('WCH', '2026-09-01');
SELECT ok(spotcheck.execute_plan(plan, '2026-09') > 0, 'September') FROM p WHERE month = 9;
INSERT INTO p SELECT 10, spotcheck.plan_month('WCH', '2026-10-01');
SELECT ok(spotcheck.execute_plan(plan, '2026-10') > 0, 'October') FROM p WHERE month = 10;
INSERT INTO p SELECT 11, spotcheck.plan_month('WCH', '2026-11-01');
SELECT ok(spotcheck.execute_plan(plan, '2026-11') > 0, 'November') FROM p WHERE month = 11;
INSERT INTO p SELECT 12, spotcheck.plan_month('WCH', '2026-12-01');
SELECT ok(spotcheck.execute_plan(plan, '2026-12') > 0, 'December') FROM p WHERE month = 12;
RESET ROLE;
CREATE FUNCTION pg_temp.pl(m integer) RETURNS bigint LANGUAGE sql AS $$ SELECT plan FROM p WHERE month = m $$;
GRANT EXECUTE ON FUNCTION pg_temp.pl(integer) TO PUBLIC;
CREATE TEMP TABLE t AS
SELECT x.plan, q.month, row_number() OVER (PARTITION BY x.plan ORDER BY x.id)::integer AS n, x.id, x.unit, x.deadline,
       pg_temp.team(x.id) AS team
  FROM spotcheck.plan_target x JOIN p q ON q.plan = x.plan;
GRANT ALL ON t TO PUBLIC;
CREATE FUNCTION pg_temp.tg(m integer, k integer) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM t WHERE month = m AND n = k $$;
GRANT EXECUTE ON FUNCTION pg_temp.tg(integer, integer) TO PUBLIC;
SELECT ok((SELECT count(*) FROM t) > 60, 'a year of targets: ' || (SELECT count(*) FROM t));

-- Results of January to November for every target but the last two of each
-- month, inspected on the 10th by the team, all plans and results published;
-- an objection to the first result of each month from March on, verified.
-- (Inspected in the past, they are inspected before their plan's draw — the
-- plans are drawn today — and published after their deadline: the report
-- names both.)
SET ROLE tap_cp_planner;
CREATE TEMP TABLE r AS
SELECT t.month, t.n, spotcheck.record_result(t.id, make_date(2026, t.month, 10), CASE WHEN t.n % 5 = 0 THEN 'problem_pending' ELSE 'no_problem' END,
                                             '按清单逐项检查', '实地检查', t.team, ARRAY[format('DSJ-2026%s-%s', lpad(t.month::text, 2, '0'), t.n)]) AS id
  FROM t WHERE t.month <= 11 AND t.n <= (SELECT count(*) FROM t u WHERE u.plan = t.plan) - 2;
GRANT ALL ON r TO PUBLIC;
SELECT is((SELECT count(*) FROM p WHERE spotcheck.publish_plan(plan) IS NOT NULL), 12::bigint, 'the twelve plans are published');
SELECT ok((SELECT sum(spotcheck.publish_results(plan)) FROM p WHERE month <= 11) = (SELECT count(*) FROM r), 'their results are published');
RESET ROLE;
CREATE FUNCTION pg_temp.rs(m integer, k integer) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM r WHERE month = m AND n = k $$;
GRANT EXECUTE ON FUNCTION pg_temp.rs(integer, integer) TO PUBLIC;
-- An objection is received during publication (Article 21): the first result
-- of each month from March on is taken as published on the 20th, the day its
-- objection is received (the servers' clock is pinned to today, so the test
-- dates the publication back with the triggers off: a superuser's edit that
-- changes neither the row's id nor what was published, which the audit
-- entry holds).
SET session_replication_role = replica;
UPDATE spotcheck.publications q SET published_at = make_date(2026, r.month, 20) + time '09:00'
  FROM r WHERE q.kind = 'result' AND q.result = r.id AND r.n = 1 AND r.month >= 3;
SET session_replication_role = origin;
SET ROLE tap_cp_head;
SELECT matches(pg_temp.err(format('SELECT spotcheck.file_objection(%s, %L, %L)', pg_temp.rs(3, 1), '对结果有异议', '2026-03-19')),
    '^22008 the objection to result [0-9]+ is received on 2026-03-19, before the result was published on 2026-03-20\nDETAIL: \nHINT: An objection is to a published result',
    'an objection received before the result was published: 22008');
CREATE TEMP TABLE o AS
SELECT m AS month, spotcheck.file_objection(pg_temp.rs(m, 1), '对结果有异议', make_date(2026, m, 20)) AS id FROM generate_series(3, 11) m;
GRANT ALL ON o TO PUBLIC;
SET client_min_messages = error;
SELECT ok((SELECT count(*) FROM o WHERE spotcheck.resolve_objection(id, 'rejected', '核实无误') IS NULL) = 9, 'the objections are verified (late)');
SET client_min_messages = warning;
RESET ROLE;

-- ---- the year, reported ----------------------------------------------------------------------
CREATE TEMP TABLE y AS SELECT q.month, c.* FROM p q, spotcheck.compliance_report(q.plan) c;
SELECT is((SELECT count(*) FROM y WHERE target IS NOT NULL), (SELECT count(*) FROM t), 'one line per target of the year');
SELECT is((SELECT count(DISTINCT month) FROM y WHERE check_name = 'audit_chain' AND followed), 12::bigint,
          'each report says first that the audit chain verifies');
SELECT is((SELECT count(*) FROM y WHERE check_name = 'plan' AND followed), 12::bigint, 'and that the plan and its draws verify');
SELECT is((SELECT count(*) FROM y WHERE check_name = 'plan_drawn_on_time' AND NOT followed), 12::bigint,
          'every plan of the year was drawn late (they are drawn now)');
SELECT is((SELECT count(*) FROM y WHERE check_name = 'plan_published' AND followed), 12::bigint, 'and is published');
SELECT is_empty($$SELECT month, target FROM y WHERE month <= 11 AND result IS NOT NULL
                  AND NOT deviations @> ARRAY[format('inspected on %s, before the draw %s that selected it was executed on %s',
                                                      to_char(inspected_on, 'YYYY-MM-DD'), (SELECT draw FROM spotcheck.plan_target WHERE id = y.target),
                                                      to_char(current_date, 'YYYY-MM-DD'))]$$,
    'every result of January to November was inspected before its plan''s draw, and the report says so');
SELECT is_empty($$SELECT month, target FROM y WHERE month <= 10 AND result IS NOT NULL
                  AND result NOT IN (SELECT id FROM r WHERE n = 1 AND month >= 3)
                  AND NOT EXISTS (SELECT FROM unnest(deviations) d WHERE d ~ '^published on [0-9-]+, after its deadline [0-9-]+ \(20 working days after the inspection\)$')$$,
    'and those of January to October published after their deadline of 20 working days (but the ones objected to, published on the 20th)');
SELECT is_empty($$SELECT month, target FROM y WHERE month = 11 AND result IS NOT NULL
                  AND EXISTS (SELECT FROM unnest(deviations) d WHERE d ~ '^published on')$$,
    'November''s, inspected on the 10th and due on 8 December, were published in time');
SELECT is_empty($$SELECT month, target FROM y WHERE month <= 11 AND target IS NOT NULL AND result IS NULL
                  AND NOT deviations @> ARRAY[format('not inspected by its deadline %s', to_char(make_date(2026, month, 20), 'YYYY-MM-DD'))]$$,
    'the targets left uninspected are named, with their deadline (the 20th)');
SELECT is((SELECT count(*) FROM y, unnest(deviations) d WHERE d ~ '^objection [0-9]+, received on [0-9-]+, verified on [0-9-]+, after its due date'),
          9::bigint, 'the nine objections verified late are named');
SELECT is((SELECT count(*) FROM y WHERE target IS NOT NULL AND followed IS NULL), (SELECT count(*) FROM t WHERE month = 12),
          'December''s targets, not yet inspected and not yet due, are pending: neither followed nor deviating');

-- ---- December: a target done by the book -------------------------------------------------------
SELECT pg_temp.become(pg_temp.login_of('tap_cp', (SELECT team[1] FROM t WHERE month = 12 AND n = 1)));
CREATE TEMP TABLE d1 AS SELECT spotcheck.record_result(pg_temp.tg(12, 1), current_date, 'no_problem', '按清单逐项检查，未发现问题', '实地检查',
                                                       (SELECT team FROM t WHERE month = 12 AND n = 1), ARRAY['DSJ-202612-1']) AS id;
GRANT ALL ON d1 TO PUBLIC;
SELECT pg_temp.become('tap_cp_planner');
SELECT ok(spotcheck.publish_result((SELECT id FROM d1)) > 0, 'a December target inspected today by its team, published today');
SELECT pg_temp.become('tap_cp_head');
CREATE TEMP TABLE o12 AS SELECT spotcheck.file_objection((SELECT id FROM d1), '异议') AS id;
SELECT is(spotcheck.resolve_objection((SELECT id FROM o12), 'rejected', '核实无误'), NULL, 'its objection verified the day it came');
RESET ROLE;
SELECT results_eq($$SELECT followed, status, deviations FROM spotcheck.compliance_report(pg_temp.pl(12)) WHERE target = pg_temp.tg(12, 1)$$,
    $$VALUES (true, 'followed the plan', '{}'::text[])$$,
    'the report: it followed the plan, nothing to name (Article 24)');

-- ---- each kind of deviation, on a target of December ----------------------------------------------
-- 2: a reassignment approved but not filed; 3: a member added to the team behind the draw's back;
-- 4: the plan's item not checked, another checked, by a method of neither; 5: inspected after its deadline (moved earlier);
-- 6: a result altered behind the extension's back; 7: its inspection outcome voided by hand;
-- 8: recorded, then removed from the plan; 9: a correction whose publication was removed behind the extension's back;
-- 10: an objection past its due date
-- 2: the workflow of Article 16, but for its last step: the planner requests, the head approves (the
-- replacement is drawn), the detachment has not filed it yet
SET SESSION AUTHORIZATION tap_cp_planner;
SELECT spotcheck.request_reassignment((SELECT id FROM spotcheck.plan_team_member WHERE plan_target = pg_temp.tg(12, 2) AND member = 1),
                                      'official travel', '赴支队公差') AS ra2 \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_cp_head;
SELECT lives_ok(format('SELECT spotcheck.approve_reassignment(%s, true, %L)', :ra2, '同意'),
                'target 2: a member replaced by a reassignment the head approves');
RESET SESSION AUTHORIZATION;
-- 3: behind the extension's back, a superuser with the triggers off
SET session_replication_role = replica;
INSERT INTO spotcheck.plan_team_member (plan_target, member, inspector, side, over_cap, draw)
SELECT pg_temp.tg(12, 3), 9, 'ZB-001', 'ours', false, (SELECT draw FROM spotcheck.plan WHERE id = pg_temp.pl(12));
SET session_replication_role = origin;
CREATE FUNCTION pg_temp.cur_team(k integer) RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(m.inspector ORDER BY m.member) FROM spotcheck.plan_team_member m WHERE m.plan_target = pg_temp.tg(12, k) AND m.replaced_by IS NULL
$$;
CREATE TEMP TABLE teams AS SELECT k, pg_temp.cur_team(k) AS team FROM generate_series(1, 10) k;
GRANT ALL ON teams TO PUBLIC;
INSERT INTO spotcheck.check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year, valid_from)
VALUES ('WCH', 'WCH-09', '消防档案', '《消防法》第十六条', '档案建立', '{书面检查}', 5, 1, '2026-01-01');
SET ROLE tap_cp_planner;
CREATE TEMP TABLE dv AS
SELECT k, spotcheck.record_result(pg_temp.tg(12, k), current_date, 'no_problem', '检查', CASE WHEN k = 4 THEN '检验检测' ELSE '实地检查' END,
                                  (SELECT team FROM teams WHERE teams.k = x.k), ARRAY['DSJ-D-' || k],
                                  items => CASE WHEN k = 4 THEN ARRAY[(SELECT id FROM spotcheck.check_items WHERE code = 'WCH-09')] END) AS id
  FROM generate_series(2, 9) x(k);
GRANT ALL ON dv TO PUBLIC;
SELECT is((SELECT count(*) FROM dv WHERE k <> 9 AND spotcheck.publish_result(id) > 0), 7::bigint, 'their results are published (but that of 9)');
RESET ROLE;
CREATE FUNCTION pg_temp.dv(k integer) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM dv WHERE dv.k = $1 $$;
GRANT EXECUTE ON FUNCTION pg_temp.dv(integer) TO PUBLIC;
-- 5: the deadline moved to the day before by an amendment recorded as approved (behind the workflow,
-- which takes no deadline in the past, nor any for an inspected target)
SELECT ok(pg_temp.amend_behind('tap_cp', pg_temp.tg(12, 5), 'deadline', '提前检查', current_date - 1) > 0,
          'target 5''s deadline is moved to yesterday');
-- 6: the stored result altered, triggers off (its recordings cannot be removed: constraints hold even then)
SET session_replication_role = replica;
SELECT matches(pg_temp.err($$UPDATE spotcheck.inspection_results SET recordings = '{}' WHERE id = pg_temp.dv(6)$$),
    '^23514 new row for relation "inspection_results" violates check constraint "inspection_results_recording"',
    'with triggers off a superuser still cannot store a result without a recording');
SELECT matches(pg_temp.err($$UPDATE spotcheck.inspection_results SET inspectors = inspectors[1:1], team_members = team_members[1:1] WHERE id = pg_temp.dv(6)$$),
    '^23514 new row for relation "inspection_results" violates check constraint "inspection_results_two_inspectors"',
    'nor with one inspector');
UPDATE spotcheck.inspection_results SET recordings = ARRAY['DSJ-replaced'] WHERE id = pg_temp.dv(6);
SET session_replication_role = origin;
-- 7: the outcome voided by a planner
SET ROLE tap_cp_planner;
UPDATE spotcheck.inspection_outcomes SET void_reason = '误录' WHERE source_ref = 'result:' || pg_temp.dv(7);
RESET ROLE;
-- 8: removed after its result was recorded (behind the workflow, which refuses it)
SELECT ok(pg_temp.amend_behind('tap_cp', pg_temp.tg(12, 8), 'remove', NULL) > 0, 'target 8 is removed after its inspection');
-- 9: published, an objection upheld, the correction's publication then removed behind the extension's back
SET ROLE tap_cp_planner;
SELECT ok(spotcheck.publish_result(pg_temp.dv(9)) > 0, 'result 9 is published');
RESET ROLE;
SET ROLE tap_cp_head;
CREATE TEMP TABLE o9 AS SELECT spotcheck.file_objection(pg_temp.dv(9), '异议', current_date) AS id;
CREATE TEMP TABLE c9 AS SELECT spotcheck.resolve_objection((SELECT id FROM o9), 'upheld', '核实有误', category => 'problem_pending',
                                                            findings => '发现问题') AS id;
GRANT ALL ON o9, c9 TO PUBLIC;
RESET ROLE;
SET session_replication_role = replica;
DELETE FROM spotcheck.publications WHERE result = (SELECT id FROM c9);
SET session_replication_role = origin;
-- 10: an objection received long ago, still open (result 2 taken as published on 1 December)
SET session_replication_role = replica;
UPDATE spotcheck.publications SET published_at = '2026-12-01 09:00+08' WHERE kind = 'result' AND result = pg_temp.dv(2);
SET session_replication_role = origin;
SET ROLE tap_cp_head;
SELECT ok(spotcheck.file_objection(pg_temp.dv(2), '异议', '2026-12-01') > 0, 'an objection to result 2, received on 1 December, left open');
RESET ROLE;

CREATE TEMP TABLE rep AS SELECT * FROM spotcheck.compliance_report(pg_temp.pl(12));
GRANT ALL ON rep TO PUBLIC;
CREATE FUNCTION pg_temp.devs(k integer) RETURNS text[] LANGUAGE sql AS $$ SELECT deviations FROM rep WHERE target = pg_temp.tg(12, k) $$;
SELECT ok(EXISTS (SELECT FROM unnest(pg_temp.devs(2)) d WHERE d ~ '^inspector WCH-00[1-6] replaced WCH-00[1-6] by reassignment [0-9]+, approved but not filed with the upper level \(Article 16\)$'),
          'a member put in by a reassignment not filed with the upper level');
SELECT ok(EXISTS (SELECT FROM unnest(pg_temp.devs(3)) d WHERE d ~ '^inspector ZB-001 is not in the team draw [0-9]+ drew for unit [0-9A-Z]+$'),
          'a member added to the team behind the draw');
SELECT ok(EXISTS (SELECT FROM unnest(pg_temp.devs(4)) d WHERE d ~ '^plan items not checked: ZB-01(, ZB-02)?$')
          AND pg_temp.devs(4) @> ARRAY['items outside the plan checked: WCH-09']
          AND EXISTS (SELECT FROM unnest(pg_temp.devs(4)) d WHERE d ~ '^checked by 检验检测, not a method of the items \(书面检查\)$'),
          'the plan''s item not checked, an item outside the plan checked, by a method of neither');
SELECT ok(pg_temp.devs(5) @> ARRAY[format('inspected on %s, after its deadline %s', to_char(current_date, 'YYYY-MM-DD'), to_char(current_date - 1, 'YYYY-MM-DD'))],
          'inspected after its deadline');
SELECT is(pg_temp.devs(6), ARRAY[format('result %s differs from its audit entry: it was changed outside the extension', pg_temp.dv(6))],
          'a result altered behind the extension''s back: it differs from its audit entry');
SELECT ok(EXISTS (SELECT FROM unnest(pg_temp.devs(7)) d WHERE d ~ '^the duty-fulfilment record \(spotcheck.inspection_outcomes\) does not match result [0-9]+: 0 live record\(s\), 0 matching$'),
          'the duty-fulfilment record voided by hand');
SELECT results_eq($$SELECT status ~ '^removed by amendment [0-9]+, approved on ', deviations FROM rep WHERE target = pg_temp.tg(12, 8)$$,
    $$VALUES (true, ARRAY[format('result %s is recorded for a target removed from the plan', pg_temp.dv(8))])$$,
    'a result recorded for a target removed from the plan');
SELECT ok(pg_temp.devs(9) @> ARRAY[format('result %s, the correction of a published result, is not published', (SELECT id FROM c9)),
                                   format('objection %s was upheld but its correction %s is not published', (SELECT id FROM o9), (SELECT id FROM c9))],
          'an upheld objection''s correction that is not published');
SELECT ok(EXISTS (SELECT FROM unnest(pg_temp.devs(2)) d WHERE d ~ '^objection [0-9]+, received on 2026-12-01, not verified by its due date 2026-12-04 \(Article 21\)$'),
          'an objection not verified by its due date');
SELECT ok(EXISTS (SELECT FROM unnest(pg_temp.devs(10)) d WHERE d ~ '^not inspected by its deadline') IS NOT TRUE
          AND (SELECT followed FROM rep WHERE target = pg_temp.tg(12, 10)) IS NULL,
          'a target still within its deadline is pending, not a deviation');
SELECT is((SELECT count(*) FROM rep WHERE target IN (SELECT pg_temp.tg(12, k) FROM generate_series(2, 9) k) AND followed), 0::bigint,
          'every one of them is reported as not having followed the plan');
SELECT is((SELECT followed FROM rep WHERE target = pg_temp.tg(12, 1)), true, 'and the one done by the book still has');

-- a target marked removed by an approved amendment of it that is not a removal (its deadline change)
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE spotcheck.plan_target SET removed_by = (SELECT id FROM spotcheck.plan_amendments WHERE target = pg_temp.tg(12, 5))
 WHERE id = pg_temp.tg(12, 5);
SELECT is((SELECT deviations FROM spotcheck.compliance_report(pg_temp.pl(12)) WHERE target = pg_temp.tg(12, 5)),
          ARRAY[format('removed by amendment %s, which is not an approved removal of this target',
                       (SELECT id FROM spotcheck.plan_amendments WHERE target = pg_temp.tg(12, 5))),
                format('result %s is recorded for a target removed from the plan', pg_temp.dv(5))],
          'a target marked removed by its approved deadline change: not a removal');
ROLLBACK;

-- a publication and an objection written behind the extension's back (triggers off): neither has
-- the audit entry the extension writes with it
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO spotcheck.publications (kind, agency, plan, result, published_at, published_by, snapshot, snapshot_digest)
SELECT 'result', agency, plan, id, now(), 'forger', '{}', 'forged' FROM spotcheck.inspection_results WHERE id = (SELECT id FROM c9);
INSERT INTO spotcheck.objections (result, plan, plan_target, agency, unit, statement, channel, received_on, due_on, filed_at, filed_by,
                                  state, verification, resolved_at, resolved_by)
SELECT id, plan, plan_target, agency, unit, '异议', 'letter', current_date, current_date + 3, now(), 'forger',
       'rejected', '核实无误', now(), 'forger' FROM spotcheck.inspection_results WHERE id = pg_temp.dv(3);
SELECT ok(EXISTS (SELECT FROM unnest((SELECT deviations FROM spotcheck.compliance_report(pg_temp.pl(12)) WHERE target = pg_temp.tg(12, 9))) d
                   WHERE d ~ '^publication [0-9]+ of its result has no audit entry: it was written outside the extension$'),
          'a publication written behind the extension''s back is named');
SELECT ok(EXISTS (SELECT FROM unnest((SELECT deviations FROM spotcheck.compliance_report(pg_temp.pl(12)) WHERE target = pg_temp.tg(12, 3))) d
                   WHERE d ~ '^objection [0-9]+ has no audit entry as filed: it was written or changed outside the extension$'),
          'so is an objection');
ROLLBACK;
-- and with the triggers on, neither can be written by hand, even by a superuser
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.publications (kind, agency, plan, result, published_at, published_by, snapshot, snapshot_digest)
                             SELECT 'result', agency, plan, id, now(), 'forger', '{}', 'forged'
                               FROM spotcheck.inspection_results WHERE id = (SELECT id FROM c9)$$),
    '^42501 publication [0-9]+ cannot be written by hand\nDETAIL: No audit entry of the extension in this transaction announces it\.\nHINT: Use spotcheck.publish_item_list, spotcheck.publish_plan or spotcheck.publish_results',
    'a publication by hand: 42501');
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.objections (result, plan, plan_target, agency, unit, statement, channel, received_on, due_on, filed_at, filed_by)
                             SELECT id, plan, plan_target, agency, unit, '异议', 'letter', current_date, current_date + 3, now(), 'forger'
                               FROM spotcheck.inspection_results WHERE id = pg_temp.dv(3)$$),
    '^42501 objection [0-9]+ cannot be written by hand\nDETAIL: No audit entry of the extension in this transaction announces it\.\nHINT: Use spotcheck.file_objection',
    'an objection by hand: 42501');

-- the calendar without the year: a result published within as many calendar days as its working-day
-- limit was in time whatever the holidays; one published later is undetermined, never a deviation
BEGIN;
SET LOCAL client_min_messages = warning;
-- (the shipped arrangement is never deleted: taken out with the triggers off)
SET LOCAL session_replication_role = replica;
DELETE FROM spotcheck.calendar_days WHERE year = 2026;
DELETE FROM spotcheck.calendar_years WHERE year = 2026;
SET LOCAL session_replication_role = origin;
CREATE TEMP TABLE rep_nocal AS SELECT * FROM spotcheck.compliance_report(pg_temp.pl(12));
CREATE TEMP TABLE rep_nocal11 AS SELECT * FROM spotcheck.compliance_report(pg_temp.pl(11));
SELECT results_eq($$SELECT followed, status FROM rep_nocal WHERE target = pg_temp.tg(12, 1)$$,
    $$VALUES (true, 'followed the plan')$$,
    'without the year''s arrangement, a result published the day it was inspected is in time all the same');
SELECT is_empty($$SELECT target FROM rep_nocal11 WHERE result IS NOT NULL AND result NOT IN (SELECT id FROM r WHERE n = 1)
                    AND (status !~ '^deviation; undetermined: published on [0-9-]+; whether that was in time cannot be computed: the working-day calendar has no arrangement for 2026$'
                         OR EXISTS (SELECT FROM unnest(deviations) d WHERE d ~ 'publish'))$$,
    'one published 25 days after its inspection is undetermined (not a deviation) when the calendar lacks the year');
SELECT ok((SELECT count(*) FROM rep_nocal11 WHERE status ~ '; undetermined: published on ') >= 3, '(there are such results in November)');
ROLLBACK;

-- ---- records that no longer verify: said first ----------------------------------------------------
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE spotcheck.draw_selected SET rank = rank + 100 WHERE draw = (SELECT draw FROM spotcheck.plan WHERE id = pg_temp.pl(7))
   AND rank = 1 AND stratum = 'general';
SELECT results_eq($$SELECT line, check_name, followed FROM spotcheck.compliance_report(pg_temp.pl(7)) WHERE line <= 2$$,
    $$VALUES (1, 'audit_chain', true), (2, 'plan', false)$$,
    'a draw changed behind the extension''s back: the second line says the plan does not verify');
SELECT ok((SELECT status FROM spotcheck.compliance_report(pg_temp.pl(7)) WHERE line = 2) = 'the plan or its draws do not verify: this report cannot be relied on'
          AND (SELECT deviations FROM spotcheck.compliance_report(pg_temp.pl(7)) WHERE line = 2)::text ~ 'draw [0-9]+: selection',
          'naming the failing checks');
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE spotcheck.audit_log SET details = details || '{"digest": "0"}' WHERE action = 'result.record' AND object = 'result:' || pg_temp.rs(7, 1);
SELECT results_eq($$SELECT line, check_name, followed, status ~ '^the audit chain does not verify from entry [0-9]+: this report cannot be relied on$'
                      FROM spotcheck.compliance_report(pg_temp.pl(7)) WHERE line = 1$$,
    $$VALUES (1, 'audit_chain', false, true)$$, 'an audit entry changed: the first line says the audit chain does not verify');
ROLLBACK;

-- ---- who may read it ------------------------------------------------------------------------------
SET ROLE tap_cp_i3;
SELECT ok((SELECT count(*) FROM spotcheck.compliance_report(pg_temp.pl(12))) > 4, 'an inspector reads the report of the plans of the agency (to show what was followed)');
SET ROLE tap_cp_upper;
SELECT ok((SELECT count(*) FROM spotcheck.compliance_report(pg_temp.pl(12))) > 4, 'the upper level too');
SET ROLE tap_cp_zd;
SELECT matches(pg_temp.err('SELECT * FROM spotcheck.compliance_report(pg_temp.pl(12))'), '^P0002 plan [0-9]+ does not exist',
    'another brigade: the plan does not exist for it');
SET ROLE tap_cp_public;
SELECT matches(pg_temp.err('SELECT * FROM spotcheck.compliance_report(1)'), '^42501 permission denied for function compliance_report', 'nor the public');
RESET ROLE;
-- attack: planted functions and a search path change nothing in the report
GRANT CREATE ON SCHEMA public TO tap_cp_i3;
SET ROLE tap_cp_i3;
CREATE FUNCTION public.cardinality(anyarray) RETURNS integer LANGUAGE sql AS $$ SELECT 0 $$;
CREATE FUNCTION public.verify_audit_chain() RETURNS TABLE (ok boolean, entries bigint, first_bad bigint, detail text) LANGUAGE sql AS $$ SELECT true, 0::bigint, NULL::bigint, '' $$;
CREATE TEMP TABLE inspection_results (id bigint, plan_target bigint);
SET search_path = public, pg_temp, spotcheck, pg_catalog;
SELECT results_eq($$SELECT target, followed, deviations FROM spotcheck.compliance_report(pg_temp.pl(12)) ORDER BY line$$,
                  $$SELECT target, followed, deviations FROM rep ORDER BY line$$,
                  'planted functions, a planted table and a search path change nothing in the report');
RESET search_path;
RESET ROLE;

-- ---- the reassignment, filed at last -------------------------------------------------------------
-- the detachment files target 2's reassignment: from then on it was made by the book
SET SESSION AUTHORIZATION tap_cp_upper;
SELECT lives_ok(format('SELECT spotcheck.file_reassignment(%s, %L)', :ra2, '支队备案〔2026〕12号'), 'the detachment files the reassignment');
RESET SESSION AUTHORIZATION;
SELECT ok(NOT EXISTS (SELECT FROM spotcheck.compliance_report(pg_temp.pl(12)) c, unnest(c.deviations) d
                       WHERE c.target = pg_temp.tg(12, 2) AND d ~ '(reassignment|team)')
          AND EXISTS (SELECT FROM spotcheck.compliance_report(pg_temp.pl(12)) c WHERE c.target = pg_temp.tg(12, 2)
                         AND c.inspectors = (SELECT team FROM teams WHERE k = 2)),
          'once filed, the replacement counts as properly put in: the report names no deviation of the team');

-- ---- a joint plan's replacement, inspected by the team drawn with it -------------------------------
-- (its partner member comes from the replacement's member redraw: as drawn, not put in)
SELECT is(pg_temp.make_inspectors('ZBSJ', 3), 3::bigint, 'the partner department''s inspectors');
INSERT INTO spotcheck.special_campaigns (agency, code, title, partner, count, team_size, partner_team_size, starts, ends)
VALUES ('WCH', 'CP-JOINT', '消防与市场监管联合检查', 'ZBSJ', 3, 2, 1, '2026-12-01', '2026-12-31');
INSERT INTO spotcheck.special_campaign_items (campaign, item_id)
SELECT c.id, i.id FROM spotcheck.special_campaigns c, spotcheck.check_items i WHERE c.code = 'CP-JOINT' AND i.code = 'ZB-01';
SET SESSION AUTHORIZATION tap_cp_planner;
SELECT spotcheck.plan_joint((SELECT id FROM spotcheck.special_campaigns WHERE code = 'CP-JOINT'), '2026-12-01') AS jp \gset
SELECT ok(spotcheck.execute_plan(:jp, '2026-12-joint') > 0, 'December''s joint plan, executed');
SELECT ok(spotcheck.publish_plan(:jp) > 0, 'and published');
SELECT unit AS ju FROM spotcheck.plan_targets WHERE plan = :jp ORDER BY target LIMIT 1 \gset
SELECT spotcheck.request_amendment(:jp, 'remove', :'ju', 'demolished', '已拆除') AS jr \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_cp_upper;
SELECT lives_ok(format('SELECT spotcheck.decide_amendment(%s, true, %L)', :jr, '同意'), 'a target of it removed');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_cp_planner;
SELECT spotcheck.request_amendment(:jp, 'replace', :'ju', '补足联合检查数量', '替换已拆除单位') AS jx \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_cp_upper;
SELECT lives_ok(format('SELECT spotcheck.decide_amendment(%s, true, %L)', :jx, '同意补抽'), 'and replaced, with a team of two and the partner''s member');
RESET SESSION AUTHORIZATION;
SELECT new_target AS jn FROM spotcheck.plan_amendments WHERE id = :jx \gset
SET SESSION AUTHORIZATION tap_cp_planner;
SELECT ok(spotcheck.record_result(:jn, current_date, 'no_problem', '联合检查，未发现问题', '实地检查',
                                  ARRAY(SELECT inspector FROM spotcheck.plan_team WHERE target = :jn ORDER BY member), ARRAY['DSJ-J-1']) > 0,
          'the replacement is inspected by its whole team, the partner''s member included');
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT cardinality(inspectors), deviations FROM spotcheck.compliance_report(%s) WHERE target = %s', :jp, :jn),
    $$VALUES (3, '{}'::text[])$$,
    'the report names no deviation: every member was drawn with the replacement, the partner''s by its member redraw');

SELECT * FROM finish();
