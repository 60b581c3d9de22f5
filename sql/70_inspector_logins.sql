-- Inspector logins as an administrator binds them, each refusal with its
-- SQLSTATE and message.  Lays out the brigade HT the following files (71_*
-- to 76_*) use: one unit in each stratum and two inspectors, so that its
-- plans draw every unit and every team is both inspectors, whatever the
-- draw's secret; and its people: a planner, a head, its two inspectors and a
-- portal (dropped at the end of 76_compliance).
\i sql/disclosure_setup.psql
INSERT INTO agencies (code, name, level, parent, region) VALUES ('HT', '桓台县消防救援大队', 'brigade', 'ZB', '370321');
INSERT INTO units (code, name, address, responsible_person, responsible_phone, legal_representative, unit_type, agency,
                   venue_category, is_key_unit, is_crowded_place, credit_class, risk_level)
VALUES (pg_temp.code(30001), '桓台商厦', '桓台县中心大街1号', '孙立新', '13905331111', '周红', '企业', 'HT', '商场市场', true, true, 'B', 3),
       (pg_temp.code(30002), '桓台化工仓库', '桓台县工业园2号', '吴国强', '13905332222', '郑海', '企业', 'HT', '仓储场所', true, false, 'C', 4),
       (pg_temp.code(30003), '桓台文具店', '桓台县东岳路3号', '冯丽', '13905333333', NULL, '个体工商户', 'HT', '商场市场', false, false, 'A', 1);
INSERT INTO inspectors (code, name, agency, certificate_no, certificate_valid_until) VALUES
    ('HT-001', '钱志远', 'HT', 'CERT-HT-1', '2030-12-31'), ('HT-002', '褚晓燕', 'HT', 'CERT-HT-2', '2030-12-31');
INSERT INTO annual_plans (agency, year, entropy_declaration) VALUES ('HT', 2026, 'witnesses: three numbers read out at the plan meeting');
INSERT INTO annual_plan_strata (agency, year, stratum, monthly_ratio) VALUES
    ('HT', 2026, 'key_crowded', 100), ('HT', 2026, 'key_other', 100), ('HT', 2026, 'general', 100);
INSERT INTO annual_plan_items (agency, year, item_id) SELECT 'HT', 2026, id FROM check_items WHERE code IN ('ZB-01', 'ZB-02');
-- the brigade's people: a planner, a head, its two inspectors, a portal
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['rg_ht_planner', 'rg_ht_head', 'rg_ht_i1', 'rg_ht_i2', 'rg_ht_portal'] LOOP
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r); END IF;
    END LOOP;
END $$;
CREATE ROLE rg_ht_planner LOGIN IN ROLE spotcheck_planner;
CREATE ROLE rg_ht_head LOGIN IN ROLE spotcheck_head;
CREATE ROLE rg_ht_i1 LOGIN IN ROLE spotcheck_inspector;
CREATE ROLE rg_ht_i2 LOGIN IN ROLE spotcheck_inspector;
CREATE ROLE rg_ht_portal LOGIN IN ROLE spotcheck_public;
INSERT INTO agency_members (member, agency) VALUES ('rg_ht_planner', 'HT'), ('rg_ht_head', 'HT'), ('rg_ht_i1', 'HT'), ('rg_ht_i2', 'HT');
-- a login is bound to an inspector by an administrator: the login must be an inspector of the inspector's agency
SELECT pg_temp.try($$INSERT INTO inspector_logins (login, inspector) VALUES ('rg_ht_head', 'HT-001')$$);
SELECT pg_temp.try($$INSERT INTO inspector_logins (login, inspector) VALUES ('rg_ht_i1', 'ZD-001')$$);
SELECT pg_temp.try($$INSERT INTO inspector_logins (login, inspector) VALUES ('rg_ht_i1', 'HT-009')$$);
SELECT pg_temp.try($$INSERT INTO inspector_logins (login, inspector) VALUES ('no_such_login', 'HT-001')$$);
INSERT INTO inspector_logins (login, inspector) VALUES ('rg_ht_i1', 'HT-001'), ('rg_ht_i2', 'HT-002');
SELECT login, inspector, agency FROM inspector_logins ORDER BY login;

-- each login reads its own binding; a login bound to nobody is no inspector
SET ROLE rg_ht_i2;
SELECT caller_inspector() AS i2;
SET ROLE rg_ht_head;
SELECT caller_inspector() IS NULL AS head_is_no_inspector;
SELECT pg_temp.try($$DELETE FROM inspector_logins$$);
RESET ROLE;
SELECT pg_temp.try($$UPDATE inspector_logins SET inspector = 'HT-002' WHERE login = 'rg_ht_i1'$$);
SELECT action, count(*) FROM audit_log WHERE action LIKE 'inspector_logins.%' GROUP BY action ORDER BY action;
