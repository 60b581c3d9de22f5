-- Inspection results as the brigade records them: an inspector of the team
-- records the July result of a target (date in the plan period, category,
-- findings, method, two or more inspectors of the current team, body-camera
-- recordings); every rule refused with its SQLSTATE and message and nothing
-- left behind; the inspection outcome the duty factor reads; who may record
-- and who may not; no UPDATE, DELETE or TRUNCATE, even for a superuser;
-- corrections by the head that keep or replace the outcome; targets changed
-- by the real workflows (a deadline amended, a member reassigned, approved
-- and filed, a target removed): only the current, committed team records,
-- and never for a removed target; attacks on the SECURITY DEFINER functions.
\ir helpers.psql
SELECT * FROM no_plan();
\ir registry_helpers.psql
\ir plan_helpers.psql
\ir disclosure_helpers.psql
SET client_min_messages = warning;

SELECT lives_ok($$SELECT pg_temp.make_units('WCH', 0, 400), pg_temp.make_units('ZD', 100000, 100),
                         pg_temp.make_inspectors('WCH', 6), pg_temp.make_inspectors('ZD', 3),
                         pg_temp.make_annual_plan('WCH', 2026), pg_temp.make_annual_plan('ZD', 2026),
                         pg_temp.make_roles('tap_rs')$$, 'two brigades, their inspectors, annual plans and roles');
-- the brigade's responsible persons have names that a summary must not carry
UPDATE spotcheck.units SET responsible_person = '王建国', legal_representative = '李秀英', responsible_phone = '13905330001'
 WHERE agency = 'WCH';

CREATE TEMP TABLE p AS SELECT spotcheck.plan_month('WCH', '2026-07-01') AS july, spotcheck.plan_month('ZD', '2026-07-01') AS zd;
SELECT ok(spotcheck.execute_plan(july, '123456') > 5 AND spotcheck.execute_plan(zd, '123456') > 0, 'the July plans are executed')
  FROM p;
-- the July targets, numbered
CREATE TEMP TABLE t AS
SELECT row_number() OVER (ORDER BY x.id)::integer AS n, x.id, x.unit, pg_temp.team(x.id) AS team
  FROM spotcheck.plan_target x WHERE x.plan = (SELECT july FROM p);
CREATE TEMP TABLE zt AS SELECT min(id) AS id FROM spotcheck.plan_target WHERE plan = (SELECT zd FROM p);
GRANT ALL ON p, t, zt TO PUBLIC;
CREATE FUNCTION pg_temp.tid(n integer) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM t WHERE t.n = $1 $$;
CREATE FUNCTION pg_temp.team_of(n integer) RETURNS text[] LANGUAGE sql AS $$ SELECT team FROM t WHERE t.n = $1 $$;
CREATE FUNCTION pg_temp.outsider(n integer) RETURNS text LANGUAGE sql AS $$
    SELECT min(i) FROM unnest(ARRAY['WCH-001','WCH-002','WCH-003','WCH-004','WCH-005','WCH-006']) i WHERE NOT i = ANY (pg_temp.team_of(n))
$$;
GRANT EXECUTE ON FUNCTION pg_temp.tid(integer), pg_temp.team_of(integer), pg_temp.outsider(integer) TO PUBLIC;
-- a record_result call for target n by its team, with what varies
CREATE FUNCTION pg_temp.rec(n integer, day text, category text DEFAULT 'no_problem', findings text DEFAULT '检查消防安全责任制落实情况，未发现问题',
                            inspectors text[] DEFAULT NULL, recordings text[] DEFAULT ARRAY['DSJ-20260710-001'], method text DEFAULT '实地检查',
                            extra text DEFAULT '') RETURNS text LANGUAGE sql AS $$
    SELECT format('SELECT spotcheck.record_result(%s, %L, %L, %L, %L, %L, %L%s)', pg_temp.tid(n), day, category, findings, method,
                  COALESCE(inspectors, pg_temp.team_of(n)), recordings, extra)
$$;
GRANT EXECUTE ON FUNCTION pg_temp.rec(integer, text, text, text, text[], text[], text, text) TO PUBLIC;

-- ---- the categories ---------------------------------------------------------------
SELECT results_eq($$SELECT code, name, outcome FROM spotcheck.result_categories ORDER BY position$$,
    $$VALUES ('no_problem', '未发现问题', 'compliant'), ('problem_pending', '发现问题待后续处理', 'violation'),
             ('problem_corrected', '发现问题经责令已改正', 'violation'), ('no_activity', '未发现开展本次抽查涉及的经营活动', 'compliant'),
             ('closed', '已关闭停业或正在组织清算', 'violation'), ('unreachable', '通过登记的住所（经营场所）无法联系', 'violation'),
             ('obstructed', '不配合检查情节严重', 'violation'), ('other_department', '违反其他部门相关规定', 'violation'),
             ('deregistered', '注销', 'violation'), ('licence_revoked', '被吊销', 'violation'),
             ('registration_revoked', '被撤销', 'violation'), ('moved_out', '迁出', 'violation'),
             ('penalised', '发现违法行为已立案查处', 'penalised')$$,
    'the standard categories, each with the outcome it counts as: compliant only when checked and nothing wrong was found');
SELECT matches(pg_temp.err($$UPDATE spotcheck.result_categories SET outcome = 'compliant' WHERE code = 'unreachable'$$),
    '^55000 result category "unreachable" \(.*\) is shipped with the extension and cannot be changed or deleted',
    'a shipped category cannot be changed');

-- ---- an inspector of the team records the result -----------------------------------
CREATE TEMP TABLE before AS SELECT pg_temp.disclosure_written() AS w;
GRANT ALL ON before TO PUBLIC;
SELECT set_config('tap.login', pg_temp.login_of('tap_rs', (SELECT team[1] FROM t WHERE n = 1)), false) IS NOT NULL AS ignore \gset
SET ROLE tap_rs_none;
SELECT matches(pg_temp.err(pg_temp.rec(1, '2026-07-10')), '^42501 permission denied for schema spotcheck',
    'a role with no role of the extension cannot even reach the schema');
RESET ROLE;
SELECT pg_temp.become(current_setting('tap.login'));
CREATE TEMP TABLE r1 AS SELECT spotcheck.record_result(pg_temp.tid(1), '2026-07-10', '未发现问题', '检查消防安全责任制落实情况，未发现问题',
                                                       '实地检查', pg_temp.team_of(1), ARRAY['DSJ-20260710-001', 'DSJ-20260710-002']) AS id;
GRANT SELECT ON r1 TO PUBLIC;
RESET ROLE;
SELECT results_eq($$SELECT plan_target, inspected_on, category, method, inspectors, recordings, corrects, recorded_by, on_behalf,
                           publish_within, summary
                      FROM spotcheck.inspection_results WHERE id = (SELECT id FROM r1)$$,
    $$SELECT pg_temp.tid(1), '2026-07-10'::date, 'no_problem', '实地检查', pg_temp.team_of(1),
             ARRAY['DSJ-20260710-001', 'DSJ-20260710-002'], NULL::bigint, current_setting('tap.login'), false, 20,
             '检查消防安全责任制落实情况，未发现问题'$$,
    'the result: target, date, category named by its name, method, the team present, the recordings, who recorded it, 20 working days to publish; the summary is the findings');
SELECT is((SELECT items FROM spotcheck.inspection_results WHERE id = (SELECT id FROM r1)),
          ARRAY(SELECT item_id FROM spotcheck.plan_target_item WHERE plan_target = pg_temp.tid(1) ORDER BY item_id),
          'the items checked are the target''s items by default');
SELECT results_eq($$SELECT o.unit, o.agency, o.observed_on, o.outcome, o.source, o.source_ref, o.plan_target, o.voided_at IS NULL
                      FROM spotcheck.inspection_outcomes o JOIN spotcheck.inspection_results r ON r.outcome = o.id
                     WHERE r.id = (SELECT id FROM r1)$$,
    $$SELECT (SELECT unit FROM t WHERE n = 1), 'WCH', '2026-07-10'::date, 'compliant', 'plan_result', 'result:' || (SELECT id FROM r1),
             pg_temp.tid(1), true$$,
    'its inspection outcome: the unit, the agency, the day, compliant, source plan_result, the result and the target');
SELECT is((SELECT o.recorded_by::text FROM spotcheck.inspection_outcomes o JOIN spotcheck.inspection_results r ON r.outcome = o.id
            WHERE r.id = (SELECT id FROM r1)), current_setting('tap.login'),
          'recorded by the inspector who recorded the result, not by the extension''s owner');
SELECT is((SELECT l.details->>'digest' FROM spotcheck.audit_log l WHERE l.action = 'result.record' AND l.object = 'result:' || (SELECT id FROM r1)),
          (SELECT spotcheck.result_digest(r) FROM spotcheck.inspection_results r WHERE r.id = (SELECT id FROM r1)),
          'the audit log records the result with the SHA-256 of its content');
SELECT is((SELECT digest FROM spotcheck.inspection_results WHERE id = (SELECT id FROM r1)),
          (SELECT encode(sha256(convert_to(jsonb_build_object(
                'id', r.id, 'plan_target', r.plan_target, 'plan', r.plan, 'agency', r.agency, 'unit', r.unit,
                'inspected_on', to_char(r.inspected_on, 'YYYY-MM-DD'), 'category', r.category, 'findings', r.findings,
                'summary', r.summary, 'method', r.method, 'items', r.items, 'inspectors', r.inspectors,
                'team_members', r.team_members, 'recordings', r.recordings, 'publish_within', r.publish_within,
                'outcome', r.outcome, 'corrects', r.corrects, 'correction_reason', r.correction_reason,
                'objection', r.objection, 'recorded_at', to_char(r.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                'recorded_by', r.recorded_by, 'on_behalf', r.on_behalf)::text, 'UTF8')), 'hex')
             FROM spotcheck.inspection_results r WHERE r.id = (SELECT id FROM r1)),
          'the digest is SHA-256 over the content with times in UTC, recomputable with sha256() alone');

-- the duty-fulfilment factor of a later plan reads it
SELECT is((SELECT input FROM spotcheck.explain_weight((SELECT unit FROM t WHERE n = 1), '2026-09-01') WHERE factor = 'duty'),
          'compliant', 'the duty factor of September sees the unit''s July result as compliant');

-- ---- every rule, refused with what it is ----------------------------------------------
SELECT pg_temp.become(pg_temp.login_of('tap_rs', (SELECT team[1] FROM t WHERE n = 2)));
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-06-30')),
    '^22008 the result of target [0-9]+ is dated 2026-06-30, outside the plan period: target [0-9]+ of plan [0-9]+ \(2026-07\) is inspected from 2026-07-01 to 2026-07-31',
    'a date before the plan month: 22008, outside the plan period, with the period');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-08-01')), '^22008 .* dated 2026-08-01, outside the plan period',
    'a date after the month and the deadline: 22008');
SELECT matches(pg_temp.err(pg_temp.rec(2, (current_date + 1)::text)), '^22008 the result of target [0-9]+ is dated .*, in the future',
    'a date in the future: 22008');
SELECT matches(pg_temp.err(pg_temp.rec(2, NULL)), '^22004 the result of target [0-9]+ needs the date of the inspection', 'no date: 22004');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', inspectors => (pg_temp.team_of(2))[1:1])),
    '^23514 the result of target [0-9]+ names 1 inspector: at least two inspectors must be present \(Article 18\)',
    'one inspector: 23514, at least two (Article 18)');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', inspectors => pg_temp.team_of(2) || (pg_temp.team_of(2))[1])),
    '^22023 the result of target [0-9]+ names an inspector twice', 'an inspector named twice: 22023');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', inspectors => pg_temp.team_of(2) || pg_temp.outsider(2))),
    '^23514 the result of target [0-9]+ names WCH-00[1-6] who is not on the current team of target [0-9]+\nDETAIL: The current team: WCH-00[1-6], WCH-00[1-6]\.\nHINT: Only the drawn team inspects a target; a drawn inspector is changed only by an approved and filed reassignment',
    'someone not on the team: 23514, naming them and the current team');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', inspectors => ARRAY[(pg_temp.team_of(2))[1], 'ZD-001'])),
    '^23514 .* names ZD-001 who is not on the current team', 'an inspector of another brigade: 23514');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', recordings => '{}')),
    '^23502 the result of target [0-9]+ has no body-camera recording: at least one recording reference is required \(执法记录仪, Article 18\)',
    'no recording: 23502, naming the body camera and the article');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', recordings => NULL::text[])), '^23502 .* has no body-camera recording',
    'a null list of recordings: 23502');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', recordings => ARRAY['DSJ-1', ' '])),
    '^22023 the result of target [0-9]+ has an empty, overlong or unprintable recording reference', 'a blank recording reference: 22023');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', recordings => ARRAY['DSJ-1', 'DSJ-1'])), '^22023 .* names a recording twice',
    'a recording twice: 22023');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', category => '合格')),
    '^22023 unknown result category ''合格''\nDETAIL: \nHINT: Name a category of spotcheck.result_categories', 'an unknown category: 22023');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', findings => '  ')), '^23502 the result of target [0-9]+ needs its findings',
    'no findings: 23502');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', method => '电话检查')),
    '^22023 unknown check method ''电话检查'' for the result of target [0-9]+\nDETAIL: \nHINT: The check methods are 实地检查, 书面检查, 检验检测, 网络监测 and 委托专业机构辅助',
    'an unknown method: 22023, listing the methods');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', extra => ', items => ARRAY[999999]')),
    '^22023 the result of target [0-9]+ names item 999999 not in force for agency "WCH" on 2026-07-11', 'an item not in force: 22023');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', findings => '检查时负责人（手机13905330001）在场')),
    '^22023 the public summary of the result of target [0-9]+ contains a mobile phone number \(\*+\)\nDETAIL: The summary \(the findings, when no summary is given\) is published',
    'findings with a phone number, published as the summary: 22023, saying what it contains without repeating it');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', findings => '负责人王建国在场')),
    '^22023 the public summary of .* contains the name of a person \(王…\)', 'the responsible person''s name: 22023');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', extra => format(', summary => %L', '由' || (SELECT name FROM spotcheck.inspectors WHERE code = (pg_temp.team_of(2))[1]) || '检查'))),
    '^22023 the public summary of .* contains the name of a person', 'an inspector''s name in the summary: 22023');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', extra => ', summary => ''联系 0533-2861234''')),
    '^22023 .* contains a landline phone number', 'a landline number: 22023');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', extra => ', summary => ''身份证370303198001011234''')),
    '^22023 .* contains an identity card number', 'an identity card number: 22023');
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', extra => ', summary => ''邮箱 wang@example.cn''')),
    '^22023 .* contains an e-mail address', 'an e-mail address: 22023');
SELECT matches(pg_temp.err(format('SELECT spotcheck.record_result(%s, ''2026-07-11'', ''no_problem'', ''x'', ''实地检查'', %L, ARRAY[''a''])',
                                  424242, pg_temp.team_of(2))),
    '^P0002 plan target 424242 does not exist', 'an unknown target: P0002');
SELECT matches(pg_temp.err(format('SELECT spotcheck.record_result(%s, ''2026-07-11'', ''no_problem'', ''x'', ''实地检查'', ARRAY[''ZD-001'',''ZD-002''], ARRAY[''a''])',
                                  (SELECT id FROM zt))),
    '^P0002 plan target [0-9]+ does not exist', 'a target of another brigade''s plan does not exist for this inspector');
SELECT pg_temp.become(current_setting('tap.login'));
SELECT matches(pg_temp.err(pg_temp.rec(1, '2026-07-11')),
    '^23505 target [0-9]+ already has a result: result [0-9]+, recorded at .* by tap_rs_i[1-6]\nDETAIL: \nHINT: A result is changed only by a correction: spotcheck.correct_result\([0-9]+, reason',
    'a second result for a target: 23505, naming the first and the way to correct it');
RESET ROLE;
SELECT is(pg_temp.disclosure_written(),
          (SELECT regexp_replace(regexp_replace(w, 'results 0', 'results 1'), 'outcomes 0 live 0', 'outcomes 1 live 1') FROM before),
          'every refusal left nothing behind: one result and one outcome, the first');

-- ---- who may record ----------------------------------------------------------------
SELECT pg_temp.become(pg_temp.login_of('tap_rs', pg_temp.outsider(2)));
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11')),
    '^42501 permission denied: role tap_rs_i[1-6] may not record the result of target [0-9]+\nDETAIL: Inspector WCH-00[1-6] is not on the current team of target',
    'an inspector who is not on the team: 42501');
SELECT pg_temp.become(pg_temp.login_of('tap_rs', (SELECT team[1] FROM t WHERE n = 2)));
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11', inspectors => ARRAY[(pg_temp.team_of(2))[2], pg_temp.outsider(2)])),
    '^42501 permission denied: inspector WCH-00[1-6] records only an inspection of target [0-9]+ he or she took part in',
    'an inspector of the team records only an inspection they took part in');
SET ROLE tap_rs_head;
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11')), '^42501 permission denied for function record_result',
    'the head does not record results (the head decides the objections to them)');
SET ROLE tap_rs_upper;
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11')), '^42501 permission denied for function record_result', 'nor the upper level');
SET ROLE tap_rs_admin;
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11')), '^42501 permission denied for function record_result', 'nor an administrator');
SET ROLE tap_rs_public;
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11')), '^42501 permission denied for function record_result', 'nor the public');
SET ROLE tap_rs_zd;
SELECT matches(pg_temp.err(pg_temp.rec(2, '2026-07-11')), '^P0002 plan target [0-9]+ does not exist',
    'a planner of another brigade does not even see the target');
SET ROLE tap_rs_planner;
CREATE TEMP TABLE r2 AS SELECT spotcheck.record_result(pg_temp.tid(2), '2026-07-11', 'problem_pending', '疏散通道堵塞，已下发责令整改通知书',
    '实地检查', pg_temp.team_of(2), ARRAY['DSJ-20260711-007'], summary => '疏散通道堵塞，已责令整改') AS id;
GRANT SELECT ON r2 TO PUBLIC;
RESET ROLE;
SELECT results_eq($$SELECT recorded_by, on_behalf, summary, findings FROM spotcheck.inspection_results WHERE id = (SELECT id FROM r2)$$,
    $$VALUES ('tap_rs_planner'::text, true, '疏散通道堵塞，已责令整改', '疏散通道堵塞，已下发责令整改通知书')$$,
    'a planner enters the team''s signed record, marked as entered on its behalf; the summary given is kept apart from the findings');
SELECT is((SELECT o.outcome FROM spotcheck.inspection_outcomes o JOIN spotcheck.inspection_results r ON r.outcome = o.id WHERE r.id = (SELECT id FROM r2)),
          'violation', 'a problem found counts as a violation');

-- ---- nobody changes a recorded result ------------------------------------------------------
SELECT matches(pg_temp.err($$UPDATE spotcheck.inspection_results SET category = 'no_problem'$$),
    '^55000 update on spotcheck.inspection_results is not allowed\nDETAIL: \nHINT: A recorded result is changed only by a correction',
    'UPDATE is refused, even for a superuser');
SELECT matches(pg_temp.err($$DELETE FROM spotcheck.inspection_results$$), '^55000 delete on spotcheck.inspection_results is not allowed',
    'DELETE is refused');
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.inspection_results OVERRIDING SYSTEM VALUE
                             SELECT 990001, plan_target, plan, agency, unit, inspected_on, category, findings, summary, method, items, inspectors,
                                    team_members, recordings, publish_within, outcome, NULL, NULL, NULL, recorded_at, recorded_by, on_behalf, digest
                               FROM spotcheck.inspection_results WHERE id = (SELECT id FROM r2)$$),
    '^42501 result 990001 cannot be written by hand\nDETAIL: No audit entry of the extension in this transaction announces it\.\nHINT: Use spotcheck.record_result',
    'INSERT by hand is refused, even for a superuser: a result is written with its audit entry, by spotcheck.record_result');
SELECT matches(pg_temp.err($$TRUNCATE spotcheck.inspection_results CASCADE$$), '^55000 truncate on spotcheck.inspection_results is not allowed',
    'TRUNCATE is refused');
SET ROLE tap_rs_planner;
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.inspection_results (plan_target) VALUES (1)$$),
    '^42501 permission denied for table inspection_results', 'no role may insert a result directly');
SELECT matches(pg_temp.err($$UPDATE spotcheck.inspection_results SET findings = 'x'$$),
    '^42501 permission denied for table inspection_results', 'nor update one');
RESET ROLE;

-- ---- corrections -------------------------------------------------------------------------
SET ROLE tap_rs_planner;
SELECT matches(pg_temp.err(format('SELECT spotcheck.correct_result(%s, %L, category => %L)', (SELECT id FROM r1), 'wrong', 'problem_pending')),
    '^42501 permission denied for function correct_result', 'a planner does not correct a result');
SET ROLE tap_rs_head;
SELECT matches(pg_temp.err(format('SELECT spotcheck.correct_result(%s, NULL, category => %L)', (SELECT id FROM r1), 'problem_pending')),
    '^23502 a correction of result [0-9]+ needs its reason', 'a correction needs its reason: 23502');
SELECT matches(pg_temp.err(format('SELECT spotcheck.correct_result(%s, %L)', (SELECT id FROM r1), '复核')),
    '^22023 the correction of result [0-9]+ changes nothing', 'a correction that changes nothing: 22023');
-- the category changes: the old outcome is voided, a new one stands
CREATE TEMP TABLE c1 AS SELECT spotcheck.correct_result((SELECT id FROM r1), '复核执法记录仪视频，发现疏散指示标志损坏未记录',
    category => 'problem_corrected', findings => '疏散指示标志损坏，现场责令改正，已改正') AS id;
GRANT SELECT ON c1 TO PUBLIC;
SELECT matches(pg_temp.err(format('SELECT spotcheck.correct_result(%s, %L, category => %L)', (SELECT id FROM r1), 'again', 'no_problem')),
    '^55000 result [0-9]+ was already corrected by result [0-9]+\nDETAIL: \nHINT: Correct the current version, result [0-9]+',
    'a version already corrected cannot be corrected again: 55000, naming the current one');
RESET ROLE;
SELECT results_eq($$SELECT corrects, category, findings, summary, inspected_on, inspectors, recordings, correction_reason, on_behalf
                      FROM spotcheck.inspection_results WHERE id = (SELECT id FROM c1)$$,
    $$SELECT (SELECT id FROM r1), 'problem_corrected', '疏散指示标志损坏，现场责令改正，已改正', '疏散指示标志损坏，现场责令改正，已改正',
             '2026-07-10'::date, pg_temp.team_of(1), ARRAY['DSJ-20260710-001', 'DSJ-20260710-002'],
             '复核执法记录仪视频，发现疏散指示标志损坏未记录', false$$,
    'the correction: names what it corrects and why, takes the new values and keeps the others (the summary follows new findings)');
SELECT results_eq($$SELECT result, state, corrected_by FROM spotcheck.results WHERE target = pg_temp.tid(1) ORDER BY result$$,
    $$VALUES ((SELECT id FROM r1), 'corrected', (SELECT id FROM c1)), ((SELECT id FROM c1), 'current', NULL::bigint)$$,
    'spotcheck.results shows the original as corrected and the correction as current');
SELECT results_eq($$SELECT o.source_ref, o.outcome, o.voided_at IS NULL, o.void_reason ~ '^result [0-9]+ corrected by result [0-9]+: 复核'
                      FROM spotcheck.inspection_outcomes o WHERE o.plan_target = pg_temp.tid(1) ORDER BY o.id$$,
    $$VALUES ('result:' || (SELECT id FROM r1), 'compliant', false, true), ('result:' || (SELECT id FROM c1), 'violation', true, NULL)$$,
    'a correction that changes the outcome voids the old inspection outcome, with the reason, and writes the new one');
SELECT is(ARRAY(SELECT COALESCE(o.voided_by::text, '-') || ' ' || o.recorded_by FROM spotcheck.inspection_outcomes o
                  WHERE o.plan_target = pg_temp.tid(1) ORDER BY o.id),
          ARRAY['tap_rs_head ' || current_setting('tap.login'), '- tap_rs_head'],
    'voided by the head who corrected, the new one recorded by the head: the outcomes name the real roles');
SELECT is((SELECT input FROM spotcheck.explain_weight((SELECT unit FROM t WHERE n = 1), '2026-09-01') WHERE factor = 'duty'),
          'violation', 'the duty factor now sees the corrected outcome');
-- a correction that keeps outcome and date keeps the outcome row
SET ROLE tap_rs_head;
CREATE TEMP TABLE c2 AS SELECT spotcheck.correct_result((SELECT id FROM c1), '补充执法记录仪编号',
    recordings => ARRAY['DSJ-20260710-001', 'DSJ-20260710-002', 'DSJ-20260710-003']) AS id;
GRANT SELECT ON c2 TO PUBLIC;
RESET ROLE;
SELECT is((SELECT outcome FROM spotcheck.inspection_results WHERE id = (SELECT id FROM c2)),
          (SELECT outcome FROM spotcheck.inspection_results WHERE id = (SELECT id FROM c1)),
          'a correction that keeps the outcome and the date keeps the outcome row');
SELECT is((SELECT count(*) FROM spotcheck.inspection_outcomes WHERE plan_target = pg_temp.tid(1) AND voided_at IS NULL), 1::bigint,
          'one live outcome per target, whatever the corrections');
-- a correction of the date moves the outcome
SET ROLE tap_rs_head;
CREATE TEMP TABLE c3 AS SELECT spotcheck.correct_result((SELECT id FROM c2), '日期录入错误', inspected_on => '2026-07-09') AS id;
GRANT SELECT ON c3 TO PUBLIC;
SELECT matches(pg_temp.err(format('SELECT spotcheck.correct_result(%s, %L, summary => %L)', (SELECT id FROM c3), '补充', '负责人李秀英已签字')),
    '^22023 the public summary of the correction of result [0-9]+ contains the name of a person', 'a correction is checked like a result');
SELECT matches(pg_temp.err(format('SELECT spotcheck.correct_result(%s, %L, summary => %L)', (SELECT id FROM c3), '李秀英要求更正', '已更正')),
    '^22023 the reason of the correction of result [0-9]+ contains the name of a person', 'and so is its reason, which is published');
RESET ROLE;
SELECT results_eq($$SELECT o.observed_on, o.voided_at IS NULL FROM spotcheck.inspection_outcomes o WHERE o.plan_target = pg_temp.tid(1) ORDER BY o.id$$,
    $$VALUES ('2026-07-10'::date, false), ('2026-07-10'::date, false), ('2026-07-09'::date, true)$$,
    'a correction of the date voids the outcome of the old date and writes one for the new');
SET ROLE tap_rs_zd;
SELECT matches(pg_temp.err(format('SELECT spotcheck.correct_result(%s, %L, category => %L)', (SELECT id FROM c3), 'x', 'no_problem')),
    '^42501 permission denied for function correct_result', 'a planner of another brigade: no');
RESET ROLE;

-- ---- reassigned and removed targets ----------------------------------------------------
-- The workflows of Articles 16 and 20 on the July plan, once its planner has
-- published it; each step in a transaction of its own, each by its own login.
SET SESSION AUTHORIZATION tap_rs_planner;
SELECT ok(spotcheck.publish_plan((SELECT july FROM p)) > 0, 'the July plan is published');
-- an inspected target is neither removed nor given another deadline
SELECT matches(pg_temp.err(format('SELECT spotcheck.request_amendment(%s, %L, %L, %L, %L)', (SELECT july FROM p), 'remove',
                                  (SELECT unit FROM t WHERE n = 1), 'closed', '停业')),
    '^55000 the inspection of target [0-9]+ \(unit [0-9A-Z]+\) is already recorded', 'an inspected target is not removed: 55000');
-- target 3: its deadline moved to the year's end by an approved amendment, so
-- that its team can still change; then its first member replaced by a
-- reassignment the head approves and the detachment files
SELECT spotcheck.request_amendment((SELECT july FROM p), 'deadline', (SELECT unit FROM t WHERE n = 3), '单位停业装修，延期检查',
                                   '单位延期申请及装修合同', '2026-12-31') AS ad3 \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_rs_upper;
SELECT lives_ok(format('SELECT spotcheck.decide_amendment(%s, true, %L)', :ad3, '同意延期'), 'the detachment approves the new deadline');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_rs_planner;
SELECT spotcheck.request_reassignment((SELECT id FROM spotcheck.plan_team_member WHERE plan_target = pg_temp.tid(3) AND member = 1),
                                      'leave', '年休假') AS ra3 \gset
RESET SESSION AUTHORIZATION;
-- while the approval has not committed, nobody records for the target: the
-- replaced member is off the team, the replacement not on it yet
BEGIN;
SET SESSION AUTHORIZATION tap_rs_head;
SELECT lives_ok(format('SELECT spotcheck.approve_reassignment(%s, true, %L)', :ra3, '同意'), 'the head approves (not committed yet)');
RESET SESSION AUTHORIZATION;
SELECT array_agg(inspector ORDER BY member) AS drawn3 FROM spotcheck.plan_team_member WHERE plan_target = pg_temp.tid(3) AND replaced_by IS NULL \gset
SET SESSION AUTHORIZATION tap_rs_planner;
SELECT matches(pg_temp.err(format('SELECT spotcheck.record_result(%s, current_date, %L, %L, %L, %L, %L)', pg_temp.tid(3), 'no_problem', '检查',
                                  '实地检查', :'drawn3', ARRAY['DSJ-3'])),
    '^23514 the result of target [0-9]+ names WCH-00[1-6] who is not on the current team of target [0-9]+\nDETAIL: The current team: WCH-00[1-6]\.',
    'with the team the uncommitted approval drew: 23514, the replacement is not on the team yet');
SELECT matches(pg_temp.err(pg_temp.rec(3, current_date::text)),
    '^23514 the result of target [0-9]+ names WCH-00[1-6] who is not on the current team', 'nor with the team as drawn: the replaced member is off it');
RESET SESSION AUTHORIZATION;
SELECT pg_temp.login_of('tap_rs', inspector) AS new3_login FROM spotcheck.plan_team_member
 WHERE plan_target = pg_temp.tid(3) AND draw = (SELECT redraw FROM spotcheck.reassignments WHERE id = :ra3) \gset
SET SESSION AUTHORIZATION :"new3_login";
SELECT matches(pg_temp.err(format('SELECT spotcheck.record_result(%s, current_date, %L, %L, %L, %L, %L)', pg_temp.tid(3), 'no_problem', '检查',
                                  '实地检查', :'drawn3', ARRAY['DSJ-3'])),
    '^42501 permission denied: role tap_rs_i[1-6] may not record the result of target [0-9]+\nDETAIL: Inspector WCH-00[1-6] is not on the current team of target',
    'nor may the replacement, whose draw has not committed, record as a member of the team');
RESET SESSION AUTHORIZATION;
ROLLBACK;
SET SESSION AUTHORIZATION tap_rs_head;
SELECT lives_ok(format('SELECT spotcheck.approve_reassignment(%s, true, %L)', :ra3, '同意'), 'the head approves the reassignment: the replacement is drawn');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_rs_upper;
SELECT lives_ok(format('SELECT spotcheck.file_reassignment(%s)', :ra3), 'and the detachment receives its filing');
RESET SESSION AUTHORIZATION;
CREATE TEMP TABLE team3 AS SELECT pg_temp.team(pg_temp.tid(3)) AS team;
GRANT ALL ON team3 TO PUBLIC;
SELECT is((SELECT team FROM team3), :'drawn3'::text[], 'the committed approval drew the same replacement');
SELECT pg_temp.become(pg_temp.login_of('tap_rs', (SELECT team[2] FROM t WHERE n = 3)));
SELECT matches(pg_temp.err(pg_temp.rec(3, current_date::text)),
    '^23514 the result of target [0-9]+ names WCH-00[1-6] who is not on the current team', 'the replaced inspector is no longer on the team');
SELECT lives_ok(pg_temp.rec(3, current_date::text, inspectors => (SELECT team FROM team3)),
    'the current team after the reassignment records the result');
RESET ROLE;
SELECT is((SELECT team_members FROM spotcheck.inspection_results WHERE plan_target = pg_temp.tid(3)),
          ARRAY(SELECT id FROM spotcheck.plan_team_member WHERE plan_target = pg_temp.tid(3) AND replaced_by IS NULL ORDER BY member),
          'the result names the assignments of the inspectors present');
-- target 4 is removed by an approved amendment
SET SESSION AUTHORIZATION tap_rs_planner;
SELECT spotcheck.request_amendment((SELECT july FROM p), 'remove', (SELECT unit FROM t WHERE n = 4), '停业', '区市场监管局注销通知') AS ar4 \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_rs_upper;
SELECT lives_ok(format('SELECT spotcheck.decide_amendment(%s, true, %L)', :ar4, '同意移出'), 'target 4 is removed from the plan by an approved amendment');
RESET SESSION AUTHORIZATION;
SELECT pg_temp.become(pg_temp.login_of('tap_rs', (SELECT team[1] FROM t WHERE n = 4)));
SELECT matches(pg_temp.err(pg_temp.rec(4, '2026-07-12')),
    '^55000 target [0-9]+ \(unit "[0-9A-Z]+"\) was removed from plan [0-9]+ by amendment [0-9]+, approved on [0-9-]+: no result is recorded for it\nDETAIL: Reason: closed_down',
    'a target removed by amendment: 55000, naming the amendment and its reason');
RESET ROLE;
SELECT is((SELECT count(*) FROM spotcheck.verify_plan((SELECT july FROM p)) WHERE NOT ok), 0::bigint,
          'the plan, its amendments and its reassignment verify');

-- ---- the inspector logins -----------------------------------------------------------------
SET ROLE tap_rs_planner;
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.inspector_logins (login, inspector) VALUES ('tap_rs_planner', 'WCH-006')$$),
    '^42501 permission denied for table inspector_logins', 'only an administrator binds a login to an inspector');
RESET ROLE;
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.inspector_logins (login, inspector) VALUES ('tap_rs_i1', 'WCH-006')$$),
    '^23505 ', 'one inspector per login, one login per inspector');
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.inspector_logins (login, inspector) VALUES ('tap_rs_head', 'ZD-001')$$),
    '^22023 role "tap_rs_head" is not a member of spotcheck_inspector', 'the login must be an inspector''s');
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.inspector_logins (login, inspector) VALUES ('tap_rs_i1', 'NOPE-1')$$),
    '^23503 inspector "NOPE-1" does not exist', 'an unknown inspector is refused');
SET ROLE tap_rs_none;
SELECT matches(pg_temp.err('SELECT spotcheck.caller_inspector()'), '^42501 permission denied for schema spotcheck',
    'a role outside the extension cannot ask');
SET ROLE tap_rs_head;
SELECT is(spotcheck.caller_inspector(), NULL, 'a head bound to no inspector is none');
SELECT pg_temp.become('tap_rs_i5');
SELECT is(spotcheck.caller_inspector(), 'WCH-005', 'an inspector''s login is that inspector');
RESET ROLE;

-- ---- attacks on the SECURITY DEFINER functions -----------------------------------------------
-- An inspector of the team who plants functions and tables named like the
-- ones the functions use, and a search path that puts them first, changes
-- nothing: the functions name everything with its schema.
GRANT CREATE ON SCHEMA public TO tap_rs_i1, tap_rs_i2, tap_rs_i3, tap_rs_i4, tap_rs_i5, tap_rs_i6;
SELECT pg_temp.become(pg_temp.login_of('tap_rs', (SELECT team[1] FROM t WHERE n = 5)));
CREATE TABLE public.attack_log (what text);
CREATE FUNCTION public.btrim(text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.attack_log VALUES ('btrim'); RETURN $1; END $$;
CREATE FUNCTION public.cardinality(anyarray) RETURNS integer LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.attack_log VALUES ('cardinality'); RETURN 9; END $$;
CREATE FUNCTION public.caller() RETURNS name LANGUAGE sql AS $$ SELECT 'tap_rs_head'::name $$;
CREATE TEMP TABLE plan_team_member (plan_target bigint, inspector text, replaced_by bigint);
INSERT INTO plan_team_member SELECT pg_temp.tid(5), 'WCH-00' || i, NULL FROM generate_series(1, 6) i;
SET search_path = public, pg_temp, spotcheck, pg_catalog;
SELECT matches(pg_temp.err(pg_temp.rec(5, '2026-07-12', inspectors => ARRAY[(pg_temp.team_of(5))[1], pg_temp.outsider(5)])),
    '^23514 .* who is not on the current team', 'planted functions, tables and a search path do not let an outsider onto the team');
SELECT matches(pg_temp.err(pg_temp.rec(5, '2026-07-12', inspectors => (pg_temp.team_of(5))[1:1])),
    '^23514 .* names 1 inspector', 'nor make one inspector count as two');
SET spotcheck.bulk_audit = on;
SELECT lives_ok(pg_temp.rec(5, '2026-07-12'), 'the team records its result as always');
RESET search_path;
SELECT is_empty('SELECT * FROM public.attack_log', 'none of the planted functions ran inside the extension');
RESET ROLE;
SELECT is((SELECT count(*) FROM spotcheck.audit_log WHERE action = 'result.record' AND object = 'result:' || (SELECT id FROM spotcheck.inspection_results WHERE plan_target = pg_temp.tid(5))),
          1::bigint, 'and no setting the caller made changed what is audited');
SELECT is((SELECT recorded_by FROM spotcheck.inspection_results WHERE plan_target = pg_temp.tid(5)),
          pg_temp.login_of('tap_rs', (SELECT team[1] FROM t WHERE n = 5)), 'the recorder is the caller, whatever caller() it planted');

SELECT * FROM finish();
