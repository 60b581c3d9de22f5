-- Cross-region plans: the detachment over its brigades' directories.
\i sql/plan_setup.psql
SELECT pg_temp.try($$SELECT plan_cross_region('WCH', '2026-09-01')$$);
SELECT pg_temp.try($$SELECT plan_cross_region('ZB', '2026-09-01', ARRAY['WCH', 'ZBSJ'])$$);
SELECT pg_temp.try($$SELECT plan_cross_region('ZB', '2026-09-01', ARRAY['ZB'])$$);
SELECT pg_temp.try($$SELECT plan_cross_region('ZB', '2026-09-01', exclude_own_region => NULL)$$);
SELECT pg_temp.try($$SELECT plan_cross_region('SD', '2026-09-01')$$);
SELECT plan_cross_region('ZB', '2026-09-01') > 0 AS drawn;
SELECT kind, agency, scope_agencies, month, state, deadline, late, team_size, pool_size FROM plans WHERE kind = 'cross_region';
SELECT s.stratum, s.eligible, s.quota, s.rule FROM plan_strata s JOIN plan p ON p.id = s.plan WHERE p.kind = 'cross_region'
 ORDER BY array_position(ARRAY['key_crowded', 'key_other', 'general'], s.stratum);
SELECT i.agency, count(*) AS inspectors FROM plan p JOIN plan_inspectors x ON x.plan = p.id JOIN inspectors i ON i.code = x.inspector
 WHERE p.kind = 'cross_region' GROUP BY i.agency ORDER BY i.agency;
SELECT r.reason, count(*) FROM plan p JOIN plan_recusals r ON r.plan = p.id WHERE p.kind = 'cross_region' GROUP BY r.reason ORDER BY r.reason;
SELECT execute_plan(id, '1') > 0 AS executed FROM plan WHERE kind = 'cross_region';
SELECT count(*) FILTER (WHERE i.agency = u.agency) AS own_region, count(*) AS members
  FROM plan_team m JOIN units u ON u.code = m.unit JOIN inspectors i ON i.code = m.inspector
 WHERE m.plan = (SELECT id FROM plan WHERE kind = 'cross_region');
SELECT bool_and(ok) AS verified FROM verify_plan((SELECT id FROM plan WHERE kind = 'cross_region'));
