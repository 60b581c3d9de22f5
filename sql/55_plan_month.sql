-- plan_month: its errors, then WCH's July: parameters as drawn, strata and
-- quotas, exclusions, the draw it committed; then the errors of a month
-- already planned, of an undrawable unit and of too few inspectors.
\i sql/plan_setup.psql
SELECT pg_temp.try($$SELECT plan_month('NOPE', '2026-07-01')$$);
SELECT pg_temp.try($$SELECT plan_month('WCH', NULL)$$);
SELECT pg_temp.try($$SELECT plan_month('WCH', '1999-07-01')$$);
SELECT pg_temp.try($$SELECT plan_month('WCH', '2025-07-01')$$);
SELECT pg_temp.try($$SELECT plan_month('ZBSJ', '2026-07-01')$$);
INSERT INTO annual_plans (agency, year) VALUES ('ZD', 2027);
SELECT pg_temp.try($$SELECT plan_month('ZD', '2027-01-01')$$);
INSERT INTO annual_plan_strata (agency, year, stratum, monthly_count) VALUES ('ZD', 2027, 'key_crowded', 50), ('ZD', 2027, 'key_other', 1), ('ZD', 2027, 'general', 1);
SELECT pg_temp.try($$SELECT plan_month('ZD', '2027-01-01')$$);
INSERT INTO annual_plan_items (agency, year, item_id) SELECT 'ZD', 2027, id FROM check_items WHERE code = 'ZD-01';
UPDATE check_items SET valid_to = '2026-12-31' WHERE code = 'ZD-01';
SELECT pg_temp.try($$SELECT plan_month('ZD', '2027-01-01')$$);
UPDATE check_items SET valid_to = NULL WHERE code = 'ZD-01';
SELECT pg_temp.try($$SELECT plan_month('ZD', '2027-01-01')$$);
SELECT pg_temp.try($$SELECT plan_month('ZD', '2027-01-01', 'witnesses')$$);
UPDATE annual_plan_strata SET monthly_count = 2 WHERE agency = 'ZD' AND year = 2027 AND stratum = 'key_crowded';
UPDATE annual_plans SET deadline_rule = 'working_days', deadline_days = 10 WHERE agency = 'ZD' AND year = 2027;
SELECT pg_temp.try($$SELECT plan_month('ZD', '2027-01-01', 'witnesses')$$);
SELECT count(*) AS plans_left_behind FROM plan;

-- WCH's July
SELECT plan_month('WCH', '2026-07-01') > 0 AS drawn;
SELECT kind, agency, month, state, deadline, draw_deadline, late, team_size, entropy_declaration, pool_size
  FROM plans WHERE agency = 'WCH';
SELECT parameters->'annual_plan'->>'min_general_share' AS share, parameters->'strata' AS strata, parameters->'minimums' AS minimums
  FROM plan WHERE agency = 'WCH';
SELECT stratum, eligible, quota, rule FROM plan_strata ORDER BY array_position(ARRAY['must_cover', 'key_crowded', 'key_other', 'general'], stratum);
SELECT reason, count(*), bool_or(owes_minimum) AS owing FROM plan_exclusions GROUP BY reason ORDER BY reason;
SELECT stratum, count(*), min(weight), max(weight) FROM plan_pool GROUP BY stratum ORDER BY stratum;
-- the draw it committed: the pool, quotas, inspectors and recusals it froze
SELECT d.purpose, d.pool_source ~ '^plan:[0-9]+$' AS pool_source, d.pool_size, d.team_size, d.entropy_declaration, d.state
  FROM plan p JOIN draws d ON d.draw = p.draw WHERE p.agency = 'WCH';
SELECT (SELECT jsonb_object_agg(stratum, quota) FROM draw_quota q WHERE q.draw = p.draw) AS quotas,
       (SELECT string_agg(key, ' ' ORDER BY key) FROM draw_inspector i WHERE i.draw = p.draw) AS inspectors
  FROM plan p WHERE p.agency = 'WCH';
SELECT count(*) AS items_used FROM check_item_uses u JOIN plan p ON u.used_by = 'plan:' || p.id WHERE p.agency = 'WCH';
-- explained from the plan now
SELECT in_pool, stratum, reason, detail, note FROM explain_exclusion(pg_temp.code(30), '2026-07-01');

-- a month already planned
SELECT pg_temp.try($$SELECT plan_month('WCH', '2026-07-20')$$);
-- the next one waits until this one is executed
SELECT pg_temp.try($$SELECT plan_month('WCH', '2026-08-01')$$);

-- ZD: every inspector but one recused from a crowded-place key unit (unit 10025)
INSERT INTO inspector_recusals (inspector, unit, reason)
SELECT code, pg_temp.code(10025), '近亲属在该单位任职' FROM inspectors WHERE agency = 'ZD' AND code <> 'ZD-004';
SELECT pg_temp.try($$SELECT plan_month('ZD', '2026-07-01')$$);
-- resolved by a decision for July; then all but one of ZD's inspectors are away
INSERT INTO pool_decisions (agency, unit, first_month, last_month, reason) SELECT 'ZD', pg_temp.code(10025), '2026-07-01', '2026-07-01', '回避后检查人员不足，报请支队跨区域检查';
INSERT INTO inspector_absences (inspector, starts, ends, reason) SELECT code, '2026-07-20', '2026-07-25', 'training' FROM inspectors WHERE agency = 'ZD' AND code <> 'ZD-001';
SELECT pg_temp.try($$SELECT plan_month('ZD', '2026-07-01')$$);
DELETE FROM inspector_absences WHERE starts = '2026-07-20';
SELECT pg_temp.try($$SELECT plan_month('ZD', '2026-07-01')$$);
SELECT stratum, eligible, quota, rule FROM plan_strata s JOIN plan p ON p.id = s.plan WHERE p.agency = 'ZD'
 ORDER BY array_position(ARRAY['must_cover', 'key_crowded', 'key_other', 'general'], stratum);
SELECT reason, detail, owes_minimum FROM plan_exclusions x JOIN plan p ON p.id = x.plan WHERE p.agency = 'ZD' AND x.reason = 'decision';
