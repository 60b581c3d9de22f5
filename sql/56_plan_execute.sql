-- Executing, abandoning and verifying a plan; what cannot be changed.
\i sql/plan_setup.psql
SELECT pg_temp.try($$SELECT execute_plan(999999, '1')$$);
SELECT execute_plan((SELECT id FROM plan WHERE agency = 'WCH' AND month = '2026-07-01'), '381204 550129 907731') AS targets;
SELECT pg_temp.try($$SELECT execute_plan((SELECT id FROM plan WHERE agency = 'WCH' AND month = '2026-07-01'), '1')$$);
SELECT kind, state, targets FROM plans WHERE agency = 'WCH';
-- every target: stratum, rank, deadline, items and a team of two, as drawn
SELECT stratum, count(*) AS targets, min(rank) AS first_rank, max(rank) AS last_rank, min(deadline) AS deadline,
       bool_and(cardinality(team) = 2) AS teams_of_two, bool_and(cardinality(items) > 0) AS items
  FROM plan_targets WHERE agency = 'WCH' GROUP BY stratum ORDER BY stratum;
SELECT check_name, ok FROM verify_plan((SELECT id FROM plan WHERE agency = 'WCH' AND month = '2026-07-01'));
-- the record cannot be changed, not even by the owner
SELECT pg_temp.try($$UPDATE plan SET late = false WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE plan SET deadline = '2026-08-31' WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$DELETE FROM plan WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE plan_pool SET weight = 1$$);
SELECT pg_temp.try($$DELETE FROM plan_strata$$);
SELECT pg_temp.try($$UPDATE plan_target_item SET item_id = item_id$$);
-- abandoning
SELECT pg_temp.try($$SELECT abandon_plan((SELECT id FROM plan WHERE agency = 'ZD' AND month = '2026-07-01'), ' ')$$);
SELECT pg_temp.try($$SELECT abandon_plan((SELECT id FROM plan WHERE agency = 'ZD' AND month = '2026-07-01'), '参数设置有误')$$);
SELECT pg_temp.try($$SELECT abandon_plan((SELECT id FROM plan WHERE agency = 'ZD' AND month = '2026-07-01'), '再次放弃')$$);
SELECT pg_temp.try($$SELECT execute_plan((SELECT id FROM plan WHERE agency = 'ZD' AND month = '2026-07-01'), '1')$$);
SELECT kind, state, abandon_reason, (SELECT state FROM draws d WHERE d.draw = p.draw) AS draw_state FROM plans p WHERE agency = 'ZD';
SELECT plan_month('ZD', '2026-07-01') > 0 AS drawn_again;
SELECT month, state FROM plans WHERE agency = 'ZD' ORDER BY plan;
-- abandoning the draw abandons the plan
SELECT pg_temp.try($$SELECT abandon_draw((SELECT draw FROM plan WHERE agency = 'ZD' AND abandoned_at IS NULL), '抽取仪式中断')$$);
SELECT state, abandon_reason ~ '^its draw [0-9]+ was abandoned: 抽取仪式中断$' AS reason FROM plans WHERE agency = 'ZD' ORDER BY plan;
SELECT action, count(*) FROM audit_log WHERE action LIKE 'plan.%' GROUP BY action ORDER BY action;
