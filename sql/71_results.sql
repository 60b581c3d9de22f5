-- Inspection results as a client sees them: the categories, every rule of
-- record_result refused with its SQLSTATE and message, a result and its
-- inspection outcome, corrections, and what cannot be changed.  Uses the
-- brigade HT of 70_inspector_logins; its July plan draws every unit.
\i sql/disclosure_setup.psql
-- the July plan, executed in a later transaction: every unit, teams of both inspectors
SELECT plan_month('HT', '2026-07-01') > 0 AS drawn;
SELECT id AS july FROM plan WHERE agency = 'HT' AND month = '2026-07-01' \gset
SELECT execute_plan(:july, '20260701') AS targets;
SELECT t.stratum, u.name, t.deadline, (SELECT string_agg(m.inspector, ',' ORDER BY m.inspector) FROM plan_team_member m WHERE m.plan_target = t.id) AS team
  FROM plan_target t JOIN units u ON u.code = t.unit WHERE t.plan = :july ORDER BY t.stratum;
SELECT id AS gen FROM plan_target WHERE plan = :july AND stratum = 'general' \gset
SELECT id AS ko FROM plan_target WHERE plan = :july AND stratum = 'key_other' \gset
SELECT id AS mc FROM plan_target WHERE plan = :july AND stratum = 'must_cover' \gset

-- the categories and the outcome each counts as
SELECT position, code, name, outcome, inspected, source FROM result_categories ORDER BY position;

-- every rule, as the inspector HT-001 sees it
SET ROLE rg_ht_i1;
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-06-30', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-1}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-08-01', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-1}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2099-07-10', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-1}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, NULL, 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-1}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', 'no_problem', '检查', '实地检查', '{HT-001}', '{DSJ-1}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', 'no_problem', '检查', '实地检查', '{HT-001,HT-001}', '{DSJ-1}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', 'no_problem', '检查', '实地检查', '{HT-001,ZD-001}', '{DSJ-1}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-1,""}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-1,DSJ-1}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', '合格', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-1}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', 'no_problem', ' ', '实地检查', '{HT-001,HT-002}', '{DSJ-1}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', 'no_problem', '检查', '电话检查', '{HT-001,HT-002}', '{DSJ-1}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-1}', items => '{999999}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', 'no_problem', '冯丽（13905333333）在场', '实地检查', '{HT-001,HT-002}', '{DSJ-1}')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-1}', summary => '冯丽签字确认')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-1}', summary => '钱志远、褚晓燕检查')$$, :gen));
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-1}', summary => '回执寄 fl@example.cn')$$, :gen));
SELECT pg_temp.try($$SELECT record_result(424242, '2026-07-10', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-1}')$$);
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-10', 'no_problem', '检查', '实地检查', '{HT-002,ZD-001}', '{DSJ-1}')$$, :gen));
-- recorded by HT-001, present with HT-002
SELECT record_result(:gen, '2026-07-10', '未发现问题', '检查消防安全责任制落实情况，未发现问题', '实地检查', '{HT-002,HT-001}',
                     '{DSJ-20260710-001,DSJ-20260710-002}') > 0 AS recorded;
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-11', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-1}')$$, :gen));
RESET ROLE;
-- who else may record: a planner from the team's signed record; not the head, not the portal
SET ROLE rg_ht_head;
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-12', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-2}')$$, :ko));
SET ROLE rg_ht_portal;
SELECT pg_temp.try(format($$SELECT record_result(%s, '2026-07-12', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-2}')$$, :ko));
SET ROLE rg_ht_planner;
SELECT record_result(:ko, '2026-07-12', 'problem_pending', '库房疏散通道堆放货物', '实地检查', '{HT-001,HT-002}', '{DSJ-20260712-001}',
                     summary => '疏散通道堆放货物，已责令改正') > 0 AS recorded;
RESET ROLE;
SELECT u.name, r.inspected_on, r.category, r.summary, r.method, array_to_string(ARRAY(SELECT unnest(r.inspectors) ORDER BY 1), ',') AS inspectors,
       r.recordings, r.publish_within, r.recorded_by, r.on_behalf, r.corrects
  FROM inspection_results r JOIN units u ON u.code = r.unit ORDER BY r.inspected_on;
-- each with its inspection outcome, which the duty factor of later months reads
SELECT u.name, o.observed_on, o.outcome, o.source, o.source_ref ~ '^result:[0-9]+$' AS source_ref, o.note, o.voided_at IS NULL AS live
  FROM inspection_outcomes o JOIN units u ON u.code = o.unit WHERE o.plan_target IN (:gen, :ko) ORDER BY o.observed_on;
SELECT factor, input FROM explain_weight(pg_temp.code(30002), '2026-09-01') WHERE factor = 'duty';
SELECT action, count(*) FROM audit_log WHERE action LIKE 'result.%' GROUP BY action ORDER BY action;

-- corrections: by the head, with a reason; a new outcome when the outcome or the date changes
SET ROLE rg_ht_planner;
SELECT pg_temp.try(format($$SELECT correct_result(%s, '复核', category => 'no_problem')$$, (SELECT id FROM inspection_results WHERE plan_target = :ko)));
SET ROLE rg_ht_head;
SELECT pg_temp.try(format($$SELECT correct_result(%s, NULL, category => 'no_problem')$$, (SELECT id FROM inspection_results WHERE plan_target = :ko)));
SELECT pg_temp.try(format($$SELECT correct_result(%s, '复核')$$, (SELECT id FROM inspection_results WHERE plan_target = :ko)));
SELECT pg_temp.try(format($$SELECT correct_result(%s, '吴国强要求更正', category => 'problem_corrected')$$, (SELECT id FROM inspection_results WHERE plan_target = :ko)));
SELECT correct_result((SELECT id FROM inspection_results WHERE plan_target = :ko), '复核执法记录仪视频：现场已改正',
                      category => 'problem_corrected') > 0 AS corrected;
SELECT pg_temp.try(format($$SELECT correct_result(%s, '再次更正', category => 'no_problem')$$, (SELECT min(id) FROM inspection_results WHERE plan_target = :ko)));
SELECT correct_result((SELECT max(id) FROM inspection_results WHERE plan_target = :ko), '检查日期录入错误', inspected_on => '2026-07-13') > 0 AS corrected;
RESET ROLE;
SELECT result = (SELECT min(id) FROM inspection_results WHERE plan_target = :ko) AS first, state, category, inspected_on, correction_reason
  FROM results WHERE target = :ko ORDER BY result;
SELECT o.observed_on, o.outcome, o.voided_at IS NULL AS live, pg_temp.mask(o.void_reason) AS void_reason
  FROM inspection_outcomes o WHERE o.plan_target = :ko ORDER BY o.id;

-- what cannot be changed, not even by the owner
SELECT pg_temp.try($$UPDATE inspection_results SET category = 'no_problem'$$);
SELECT pg_temp.try($$DELETE FROM inspection_results$$);
SELECT pg_temp.try($$TRUNCATE inspection_results CASCADE$$);
SELECT pg_temp.try($$UPDATE result_categories SET outcome = 'compliant' WHERE code = 'obstructed'$$);
SELECT pg_temp.try($$INSERT INTO result_categories (code, name, outcome, inspected, position, source) VALUES ('Bad Code', '坏', 'compliant', true, 20, 'local')$$);
SELECT pg_temp.try($$INSERT INTO result_categories (code, name, outcome, inspected, position, source) VALUES ('warned', '警告', 'lenient', true, 20, 'local')$$);
SET ROLE rg_ht_planner;
SELECT pg_temp.try($$INSERT INTO inspection_results (plan_target) VALUES (1)$$);
SELECT pg_temp.try($$INSERT INTO result_categories (code, name, outcome, inspected, position, source) VALUES ('warned', '警告', 'violation', true, 20, 'local')$$);
RESET ROLE;
