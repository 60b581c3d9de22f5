-- The annual plan's parameters: a table a DBA changes with SQL; every bad
-- value refused with its SQLSTATE, the value and a hint.  Also lays out the
-- directory the following plan files draw from (kept until 99_uninstall):
-- a detachment with two brigades and a partner department, 300 + 200 units,
-- inspectors, items.
\i sql/plan_setup.psql
INSERT INTO agencies (code, name, level, parent, region) VALUES
    ('SD', '山东省消防救援总队', 'corps', NULL, '370000'),
    ('ZB', '淄博市消防救援支队', 'detachment', 'SD', '370300'),
    ('WCH', '文昌湖消防救援大队', 'brigade', 'ZB', '370390'),
    ('ZD', '张店区消防救援大队', 'brigade', 'ZB', '370303'),
    ('ZBSJ', '淄博市市场监督管理局', 'department', 'ZB', '370300');
SET spotcheck.bulk_audit = on;
-- every 10th unit a key unit, every 25th a crowded-place key unit; every 7th credit class D; every 50th inactive
INSERT INTO units (code, name, address, responsible_person, unit_type, agency, venue_category,
                   is_key_unit, is_crowded_place, credit_class, risk_level, active)
SELECT pg_temp.code(CASE a WHEN 'WCH' THEN i ELSE 10000 + i END), a || '单位' || i, '淄博市' || a || '路' || i || '号', '负责人',
       (ARRAY['企业', '企业', '个体工商户', '事业单位'])[1 + i % 4], a,
       CASE WHEN i % 25 = 0 THEN '宾馆饭店' ELSE (ARRAY['商场市场', '生产加工企业', '办公场所', '餐饮场所', '仓储场所'])[1 + i % 5] END,
       i % 10 = 0 OR i % 25 = 0, i % 25 = 0, CASE WHEN i % 7 = 0 THEN 'D' ELSE (ARRAY['A', 'B', 'C'])[1 + i % 3] END,
       1 + i % 4, i % 50 <> 1
  FROM (VALUES ('WCH', 300), ('ZD', 200)) v(a, n), generate_series(1, v.n) i;
RESET spotcheck.bulk_audit;
INSERT INTO inspectors (code, name, agency, certificate_no, certificate_valid_until)
SELECT a || '-' || lpad(i::text, 3, '0'), (ARRAY['王海涛', '李丽华', '张建国', '刘文静', '陈志强', '杨秀英'])[1 + i % 6],
       a, 'CERT-' || a || '-' || i, '2030-12-31'
  FROM (VALUES ('WCH', 6), ('ZD', 4), ('ZB', 3), ('ZBSJ', 3)) v(a, n), generate_series(1, v.n) i;
INSERT INTO check_items (agency, code, title, legal_basis, content, unit_types, venue_categories, methods, ratio, frequency_per_year, valid_from)
VALUES ('ZB', 'ZB-01', '消防安全责任制落实情况', '《消防法》第十六条', '责任人、管理人履职', '{}', '{}', '{实地检查}', 3, 1, '2025-01-01'),
       ('ZB', 'ZB-02', '人员密集场所疏散条件', '《消防法》第二十八条', '疏散通道、安全出口', '{}', '{商场市场,宾馆饭店,餐饮场所}', '{实地检查}', 5, 1, '2025-01-01'),
       ('ZD', 'ZD-01', '张店区电动自行车', '区政府令', '充电', '{企业}', '{}', '{实地检查}', 5, 1, '2025-01-01');

-- an annual plan, and every bad value
SELECT pg_temp.try($$INSERT INTO annual_plans (agency, year, entropy_declaration) VALUES ('WCH', 2026, 'witnesses: three six-digit numbers read out at the plan meeting')$$);
SELECT agency, year, min_general_share, team_size, deadline_rule, deadline_days, draw_by_day, recent_check_days, duty_window_months, signal_window_days
  FROM annual_plans;
SELECT pg_temp.try($$INSERT INTO annual_plans (agency, year) VALUES ('WCH', 2026)$$);
SELECT pg_temp.try($$INSERT INTO annual_plans (agency, year) VALUES ('NOPE', 2026)$$);
SELECT pg_temp.try($$INSERT INTO annual_plans (agency, year) VALUES ('ZD', 1999)$$);
SELECT pg_temp.try($$UPDATE annual_plans SET team_size = 1 WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE annual_plans SET team_size = 21 WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE annual_plans SET min_general_share = 120 WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE annual_plans SET min_general_share = -1 WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE annual_plans SET deadline_rule = 'quarter_end' WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE annual_plans SET deadline_rule = 'working_days' WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE annual_plans SET deadline_days = 10 WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE annual_plans SET deadline_rule = 'days', deadline_days = 32 WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE annual_plans SET draw_by_day = 31 WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE annual_plans SET recent_check_days = -5 WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE annual_plans SET duty_window_months = 0 WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE annual_plans SET signal_window_days = 400 WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE annual_plans SET entropy_declaration = '  ' WHERE agency = 'WCH'$$);
SELECT pg_temp.try($$UPDATE annual_plans SET year = 2027 WHERE agency = 'WCH'$$);

-- strata
SELECT pg_temp.try($$INSERT INTO annual_plan_strata (agency, year, stratum, monthly_ratio) VALUES ('WCH', 2025, 'general', 1)$$);
SELECT pg_temp.try($$INSERT INTO annual_plan_strata (agency, year, stratum, monthly_ratio) VALUES ('WCH', 2026, 'must_cover', 1)$$);
SELECT pg_temp.try($$INSERT INTO annual_plan_strata (agency, year, stratum, monthly_ratio, monthly_count) VALUES ('WCH', 2026, 'general', 1, 5)$$);
SELECT pg_temp.try($$INSERT INTO annual_plan_strata (agency, year, stratum, yearly_ratio, yearly_count) VALUES ('WCH', 2026, 'general', 1, 5)$$);
SELECT pg_temp.try($$INSERT INTO annual_plan_strata (agency, year, stratum) VALUES ('WCH', 2026, 'general')$$);
SELECT pg_temp.try($$INSERT INTO annual_plan_strata (agency, year, stratum, monthly_ratio) VALUES ('WCH', 2026, 'general', 150)$$);
SELECT pg_temp.try($$INSERT INTO annual_plan_strata (agency, year, stratum, yearly_count) VALUES ('WCH', 2026, 'general', -3)$$);
SELECT pg_temp.try($$INSERT INTO annual_plan_strata (agency, year, stratum, monthly_ratio, yearly_ratio) VALUES
    ('WCH', 2026, 'key_crowded', 10, NULL), ('WCH', 2026, 'key_other', 5, 80), ('WCH', 2026, 'general', 2, 20)$$);
SELECT stratum, monthly_ratio, monthly_count, yearly_ratio, yearly_count FROM annual_plan_strata ORDER BY stratum;

-- further yearly minimums
SELECT pg_temp.try($$INSERT INTO annual_plan_minimums (agency, year, label) VALUES ('WCH', 2026, '全部单位')$$);
SELECT pg_temp.try($$INSERT INTO annual_plan_minimums (agency, year, label, credit_class) VALUES ('WCH', 2026, '', 'D')$$);
SELECT pg_temp.try($$INSERT INTO annual_plan_minimums (agency, year, label, credit_class) VALUES ('WCH', 2026, '信用E级', 'E')$$);
SELECT pg_temp.try($$INSERT INTO annual_plan_minimums (agency, year, label, risk_level) VALUES ('WCH', 2026, '风险等级5', 5)$$);
SELECT pg_temp.try($$INSERT INTO annual_plan_minimums (agency, year, label, credit_class) VALUES ('WCH', 2026, '信用等级D的单位每年至少检查一次', ' d ')$$);
SELECT label, credit_class FROM annual_plan_minimums;

-- items: of the agency's list (its own or inherited)
SELECT pg_temp.try($$INSERT INTO annual_plan_items (agency, year, item_id) VALUES ('WCH', 2026, 999999)$$);
SELECT pg_temp.try($$INSERT INTO annual_plan_items (agency, year, item_id) SELECT 'WCH', 2026, id FROM check_items WHERE code = 'ZD-01'$$);
SELECT pg_temp.try($$INSERT INTO annual_plan_items (agency, year, item_id) SELECT 'WCH', 2026, id FROM check_items WHERE code IN ('ZB-01', 'ZB-02')$$);
SELECT i.code FROM annual_plan_items a JOIN check_items i ON i.id = a.item_id ORDER BY 1;

-- ZD's and the detachment's plans, used by the following files
INSERT INTO annual_plans (agency, year, min_general_share, recent_check_days, entropy_declaration)
VALUES ('ZD', 2026, 20, 30, 'witnesses'), ('ZB', 2026, 10, 0, 'witnesses');
INSERT INTO annual_plan_strata (agency, year, stratum, monthly_ratio, monthly_count) VALUES
    ('ZD', 2026, 'key_crowded', NULL, 1), ('ZD', 2026, 'key_other', 10, NULL), ('ZD', 2026, 'general', 2, NULL),
    ('ZB', 2026, 'key_crowded', 5, NULL), ('ZB', 2026, 'key_other', 2, NULL), ('ZB', 2026, 'general', 1, NULL);
INSERT INTO annual_plan_items (agency, year, item_id) SELECT a, 2026, id FROM check_items, unnest(ARRAY['ZD', 'ZB']) a WHERE code IN ('ZB-01', 'ZB-02');
-- every change of the parameters is in the audit log
SELECT action, count(*) FROM audit_log WHERE action LIKE 'annual_plan%' GROUP BY action ORDER BY action;
