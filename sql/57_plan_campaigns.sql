-- Special campaigns and joint checks: their parameters and errors, one drawn
-- alone and one jointly with the market-supervision department.
\i sql/plan_setup.psql
SELECT pg_temp.try($$INSERT INTO special_campaigns (agency, code, title, ratio, starts, ends) VALUES ('WCH', 'ZX-01', '', 10, '2026-06-01', '2026-08-31')$$);
SELECT pg_temp.try($$INSERT INTO special_campaigns (agency, code, title, starts, ends) VALUES ('WCH', 'ZX-01', '夏季专项', '2026-06-01', '2026-08-31')$$);
SELECT pg_temp.try($$INSERT INTO special_campaigns (agency, code, title, ratio, count, starts, ends) VALUES ('WCH', 'ZX-01', '夏季专项', 10, 20, '2026-06-01', '2026-08-31')$$);
SELECT pg_temp.try($$INSERT INTO special_campaigns (agency, code, title, ratio, starts, ends) VALUES ('WCH', 'ZX-01', '夏季专项', 0, '2026-06-01', '2026-08-31')$$);
SELECT pg_temp.try($$INSERT INTO special_campaigns (agency, code, title, count, starts, ends) VALUES ('WCH', 'ZX-01', '夏季专项', 0, '2026-06-01', '2026-08-31')$$);
SELECT pg_temp.try($$INSERT INTO special_campaigns (agency, code, title, ratio, team_size, starts, ends) VALUES ('WCH', 'ZX-01', '夏季专项', 10, 1, '2026-06-01', '2026-08-31')$$);
SELECT pg_temp.try($$INSERT INTO special_campaigns (agency, code, title, ratio, starts, ends) VALUES ('WCH', 'ZX-01', '夏季专项', 10, '2026-08-31', '2026-06-01')$$);
SELECT pg_temp.try($$INSERT INTO special_campaigns (agency, code, title, ratio, partner_team_size, starts, ends) VALUES ('WCH', 'ZX-01', '夏季专项', 10, 1, '2026-06-01', '2026-08-31')$$);
SELECT pg_temp.try($$INSERT INTO special_campaigns (agency, code, title, partner, ratio, team_size, starts, ends) VALUES ('WCH', 'LH-01', '联合检查', 'ZBSJ', 10, 1, '2026-06-01', '2026-08-31')$$);
SELECT pg_temp.try($$INSERT INTO special_campaigns (agency, code, title, partner, ratio, team_size, partner_team_size, starts, ends) VALUES ('WCH', 'LH-01', '联合检查', 'ZB', 10, 1, 1, '2026-06-01', '2026-08-31')$$);
SELECT pg_temp.try($$INSERT INTO special_campaigns (agency, code, title, venue_categories, ratio, starts, ends, entropy_declaration)
                     VALUES ('WCH', 'ZX-01', '夏季宾馆饭店专项', '{宾馆饭店,餐饮场所}', 30, '2026-06-01', '2026-08-31', 'witnesses at the campaign meeting')$$);
SELECT pg_temp.try($$INSERT INTO special_campaigns (agency, code, title, partner, venue_categories, count, team_size, partner_team_size, starts, ends, entropy_declaration)
                     VALUES ('WCH', 'LH-01', '商场市场联合检查', 'ZBSJ', '{商场市场}', 5, 1, 1, '2026-01-01', '2026-12-31', 'witnesses')$$);
SELECT pg_temp.try($$INSERT INTO special_campaign_items (campaign, item_id) SELECT c.id, i.id FROM special_campaigns c, check_items i WHERE c.code = 'ZX-01' AND i.code = 'ZD-01'$$);
SELECT pg_temp.try($$INSERT INTO special_campaign_items (campaign, item_id) SELECT c.id, i.id FROM special_campaigns c, check_items i WHERE i.code = 'ZB-02'$$);
SELECT pg_temp.try($$SELECT plan_special((SELECT id FROM special_campaigns WHERE code = 'ZX-01'), '2026-09-01')$$);
SELECT pg_temp.try($$SELECT plan_special((SELECT id FROM special_campaigns WHERE code = 'LH-01'), '2026-08-01')$$);
SELECT pg_temp.try($$SELECT plan_joint((SELECT id FROM special_campaigns WHERE code = 'ZX-01'), '2026-08-01')$$);
SELECT pg_temp.try($$SELECT plan_special(999999, '2026-08-01')$$);
SELECT plan_special((SELECT id FROM special_campaigns WHERE code = 'ZX-01'), '2026-08-01') > 0 AS special;
SELECT plan_joint((SELECT id FROM special_campaigns WHERE code = 'LH-01'), '2026-08-01') > 0 AS joint;
SELECT kind, partner, month, state, deadline, late, team_size, partner_team_size, pool_size, member_draw IS NOT NULL AS member_draw
  FROM plans WHERE kind IN ('special', 'joint') ORDER BY plan;
SELECT p.kind, s.stratum, s.eligible, s.quota, s.rule FROM plan_strata s JOIN plan p ON p.id = s.plan WHERE p.kind IN ('special', 'joint') ORDER BY p.id;
-- the joint plan's member draw: one stratum per unit and side, the partner's inspectors and ours
SELECT count(DISTINCT y.stratum) AS strata, count(*) AS candidates, count(*) FILTER (WHERE y.stratum LIKE '%/ours') AS ours,
       count(*) FILTER (WHERE y.stratum LIKE '%/partner') AS partner, min(y.weight) = 1 AND max(y.weight) = 1 AS weight_one
  FROM plan p JOIN draw_pool y ON y.draw = p.member_draw WHERE p.kind = 'joint';
SELECT pg_temp.try($$UPDATE special_campaigns SET count = 6 WHERE code = 'LH-01'$$);
SELECT pg_temp.try($$DELETE FROM special_campaign_items WHERE campaign = (SELECT id FROM special_campaigns WHERE code = 'LH-01')$$);
SELECT execute_plan(p.id, 'witnesses: 1') FROM plan p WHERE p.kind IN ('special', 'joint') ORDER BY p.id;
SELECT kind, count(*) AS targets, bool_and(cardinality(team) = 2) AS teams_of_two,
       string_agg(DISTINCT array_to_string(items, ','), ';') AS items
  FROM plan_targets WHERE kind IN ('special', 'joint') GROUP BY kind ORDER BY kind;
SELECT t.kind, m.member, m.side, i.agency, count(*) FROM plan_team m JOIN plan_targets t ON t.target = m.target
  JOIN inspectors i ON i.code = m.inspector WHERE t.kind = 'joint' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2;
SELECT p.kind, v.check_name, v.ok FROM plan p, verify_plan(p.id) v WHERE p.kind = 'joint' AND v.check_name !~ '^draw ' ORDER BY v.check_name;
SELECT p.kind, bool_and(v.ok) FROM plan p, verify_plan(p.id) v WHERE p.kind IN ('special', 'joint') GROUP BY p.kind ORDER BY p.kind;
