-- The compliance report of the brigade HT's July plan as a client reads it
-- (Articles 23-24): first whether the audit chain and the plan verify, then
-- each target with each deviation named.  The plan was drawn now for a past
-- month, so its inspections predate its draw and its publications are late:
-- the report says so.  Then the roles of 71_results are dropped.
\i sql/disclosure_setup.psql
SELECT id AS july FROM plan WHERE agency = 'HT' AND month = '2026-07-01' \gset
SET ROLE rg_ht_i2;
SELECT line, check_name, (SELECT stratum FROM plan_target WHERE id = c.target) AS stratum, c.inspected_on, c.followed,
       pg_temp.mask(c.status) AS status, pg_temp.mask(array_to_string(c.deviations, E'\n  ')) AS deviations
  FROM compliance_report(:july) c ORDER BY line;
SET ROLE rg_ht_portal;
SELECT pg_temp.try(format('SELECT * FROM compliance_report(%s)', :july));
RESET ROLE;
SELECT pg_temp.try('SELECT * FROM compliance_report(424242)');
-- a draw changed behind the extension's back: the report says so first
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE draw_selected SET rank = rank + 10 WHERE draw = (SELECT draw FROM plan WHERE id = :july) AND stratum = 'general';
SELECT line, check_name, followed, pg_temp.mask(status) AS status FROM compliance_report(:july) WHERE line <= 2 ORDER BY line;
ROLLBACK;

DELETE FROM inspector_logins WHERE login LIKE 'rg\_ht\_%';
DELETE FROM agency_members WHERE member LIKE 'rg\_ht\_%';
DROP ROLE rg_ht_planner, rg_ht_head, rg_ht_i1, rg_ht_i2, rg_ht_portal;
