-- Publication as a client sees it: the item list, the plan and its results
-- published by the office, each refusal with its SQLSTATE and message, the
-- record of what was published, the publication deadline in working days
-- and the results past it.  Uses the brigade HT of 71_results.
\i sql/disclosure_setup.psql
SELECT id AS july FROM plan WHERE agency = 'HT' AND month = '2026-07-01' \gset
SELECT id AS gen FROM plan_target WHERE plan = :july AND stratum = 'general' \gset
SELECT id AS ko FROM plan_target WHERE plan = :july AND stratum = 'key_other' \gset
SELECT id AS mc FROM plan_target WHERE plan = :july AND stratum = 'must_cover' \gset
SELECT min(id) AS wch_plan FROM plan WHERE agency = 'WCH' \gset
-- August: drawn, not executed
SELECT plan_month('HT', '2026-08-01') > 0 AS drawn;
SELECT id AS august FROM plan WHERE agency = 'HT' AND month = '2026-08-01' \gset

-- who may publish: the planners and the head of the agency
SET ROLE rg_ht_i1;
SELECT pg_temp.try(format('SELECT publish_plan(%s)', :july));
SET ROLE rg_ht_portal;
SELECT pg_temp.try(format('SELECT publish_plan(%s)', :july));
SET ROLE rg_ht_planner;
SELECT pg_temp.try('SELECT publish_plan(424242)');
SELECT pg_temp.try(format('SELECT publish_plan(%s)', :wch_plan));
SELECT pg_temp.try(format('SELECT publish_plan(%s)', :august));
SELECT pg_temp.try(format('SELECT execute_plan(%s, ''1''); SELECT publish_plan(%s)', :august, :august));
SELECT pg_temp.try(format('SELECT publish_results(%s)', :july));
SELECT pg_temp.try(format('SELECT publish_result(%s)', (SELECT id FROM inspection_results WHERE plan_target = :gen)));
SELECT plan_is_published(:july) AS published_before;
SELECT publish_plan(:july) > 0 AS published;
SELECT plan_is_published(:july) AS published_after;
SELECT pg_temp.try(format('SELECT publish_plan(%s)', :july));
RESET ROLE;
SELECT kind, agency, plan = :july AS the_plan, published_by, snapshot_digest = encode(sha256(convert_to(snapshot::text, 'UTF8')), 'hex') AS digest_ok
  FROM publications WHERE kind = 'plan' AND agency = 'HT';
SELECT x->>'name' AS unit, x->>'stratum' AS stratum, x->>'deadline' AS deadline, x->'items' AS items
  FROM publications q, jsonb_array_elements(q.snapshot->'targets') x WHERE q.kind = 'plan' AND q.plan = :july ORDER BY 2;
SELECT action, details->>'snapshot_digest' = (SELECT snapshot_digest FROM publications WHERE kind = 'plan' AND plan = :july) AS audited
  FROM audit_log WHERE action = 'publication.plan' AND object = 'plan:' || :july;

-- the results: the current version of each, once
SET ROLE rg_ht_head;
SELECT publish_results(:july) AS published;
SELECT publish_results(:july) AS published_again;
SELECT pg_temp.try(format('SELECT publish_result(%s)', (SELECT min(id) FROM inspection_results WHERE plan_target = :ko)));
SELECT pg_temp.try(format('SELECT publish_result(%s)', (SELECT max(id) FROM inspection_results WHERE plan_target = :ko)));
RESET ROLE;
SELECT u.name, r.category, q.published_by, q.snapshot->>'summary' AS summary, q.snapshot->>'corrects' IS NOT NULL AS names_what_it_corrects
  FROM publications q JOIN inspection_results r ON r.id = q.result JOIN units u ON u.code = r.unit
 WHERE q.kind = 'result' AND q.plan = :july ORDER BY u.name;
-- the head corrects a published result: the correction is published at once
SET ROLE rg_ht_head;
SELECT correct_result((SELECT id FROM inspection_results WHERE plan_target = :gen), '补充检查项目', summary => '检查消防安全责任制落实情况、疏散条件，未发现问题') > 0 AS corrected;
RESET ROLE;
SELECT r.corrects IS NOT NULL AS correction, q.published_by FROM publications q JOIN inspection_results r ON r.id = q.result
 WHERE q.kind = 'result' AND r.plan_target = :gen ORDER BY r.id;

-- the item list, in force today, own and inherited
SET ROLE rg_ht_planner;
SELECT publish_item_list('HT') > 0 AS published;
SELECT publish_item_list('HT') = (SELECT max(id) FROM publications WHERE kind = 'item_list' AND agency = 'HT') AS unchanged;
SELECT pg_temp.try($$SELECT publish_item_list('WCH')$$);
RESET ROLE;
SELECT pg_temp.try($$SELECT publish_item_list('ZBSJ')$$);
SELECT x->>'code' AS code, x->>'title' AS title, x->>'subject_name' AS subject, x->'inherited' AS inherited
  FROM publications q, jsonb_array_elements(q.snapshot->'items') x WHERE q.kind = 'item_list' AND q.agency = 'HT' ORDER BY 1;

-- nothing published is changed or removed
SELECT pg_temp.try($$UPDATE publications SET published_at = published_at - interval '1 month'$$);
SELECT pg_temp.try($$DELETE FROM publications$$);
SELECT pg_temp.try($$TRUNCATE publications$$);
SET ROLE rg_ht_planner;
SELECT pg_temp.try($$INSERT INTO publications (kind, agency, published_at, published_by, snapshot, snapshot_digest) VALUES ('item_list', 'HT', now(), 'x', '{}', 'x')$$);
RESET ROLE;

-- the deadline: 20 working days after the inspection unless an agency shortens it for itself and those below
SELECT result_publish_days('HT') AS ht, result_publish_days('ZD') AS zd;
SELECT pg_temp.try($$UPDATE disclosure_settings SET result_publish_days = 30 WHERE agency IS NULL$$);
SELECT pg_temp.try($$DELETE FROM disclosure_settings WHERE agency IS NULL$$);
SELECT pg_temp.try($$INSERT INTO disclosure_settings (agency, result_publish_days) VALUES ('ZB', 0)$$);
INSERT INTO disclosure_settings (agency, result_publish_days) VALUES ('ZB', 15);
SET ROLE rg_ht_planner;
SELECT pg_temp.try($$INSERT INTO disclosure_settings (agency, result_publish_days) VALUES ('HT', 16)$$);
SELECT pg_temp.try($$INSERT INTO disclosure_settings (agency, result_publish_days) VALUES ('ZD', 10)$$);
SELECT pg_temp.try($$INSERT INTO disclosure_settings (agency, result_publish_days) VALUES ('HT', 12)$$);
RESET ROLE;
SELECT result_publish_days('HT') AS ht, result_publish_days('ZD') AS zd, result_publish_days('ZB') AS zb, result_publish_days('SD') AS sd;
SELECT s.due, s.covered_until FROM working_day_deadline('2026-07-10', 20) s;
SELECT s.due, s.covered_until FROM working_day_deadline('2026-09-20', 12) s;
SELECT s.due, s.covered_until FROM working_day_deadline('2026-12-10', 20) s;
SELECT pg_temp.try($$SELECT working_day_deadline('2024-12-10', 20)$$);
-- the must-cover target, recorded now with the deadline of 12 days, is past it: listed until published
SET ROLE rg_ht_planner;
SELECT record_result(:mc, '2026-07-20', 'no_problem', '检查', '实地检查', '{HT-001,HT-002}', '{DSJ-20260720-001}') > 0 AS recorded;
RESET ROLE;
SELECT u.name, o.inspected_on, o.publish_within, o.publish_by, o.note FROM overdue_publications o JOIN units u ON u.code = o.unit WHERE o.agency = 'HT';
SET ROLE rg_ht_i2;
SELECT count(*) AS seen_by_an_inspector FROM overdue_publications WHERE agency = 'HT';
SET ROLE rg_ht_planner;
SELECT publish_results(:july) AS published;
SELECT count(*) AS overdue FROM overdue_publications WHERE agency = 'HT';
RESET ROLE;
SELECT action, count(*) FROM audit_log WHERE action LIKE 'publication.%' AND agency = 'HT' GROUP BY action ORDER BY action;
