#!/usr/bin/env bash
# The item list and the two directories (一单两库) of a detachment with five
# brigades: agencies and who belongs to them, item lists that derive from the
# upper level, 6,000 units and 40 inspectors loaded from CSV files with some
# bad rows rejected and reported, the same data seen as each role, and a
# change kept in history.
set -euo pipefail
cd "$(dirname "$0")/../.."
P() { psql -X -v ON_ERROR_STOP=1 "$@"; }

echo "-- agencies, login roles and their memberships"
P -q <<'SQL'
INSERT INTO spotcheck.agencies (code, name, level, parent, region) VALUES
    ('SD', '山东省消防救援总队', 'corps', NULL, '370000'),
    ('ZB', '淄博市消防救援支队', 'detachment', 'SD', '370300'),
    ('WCH', '文昌湖省级旅游度假区消防救援大队', 'brigade', 'ZB', '370390'),
    ('ZD', '张店区消防救援大队', 'brigade', 'ZB', '370303'),
    ('ZC', '淄川区消防救援大队', 'brigade', 'ZB', '370302'),
    ('BS', '博山区消防救援大队', 'brigade', 'ZB', '370304'),
    ('LZ', '临淄区消防救援大队', 'brigade', 'ZB', '370305'),
    ('ZBSJ', '淄博市市场监督管理局', 'department', 'ZB', '370300');
DO $$ DECLARE r text[]; BEGIN
    FOREACH r SLICE 1 IN ARRAY ARRAY[['clerk_zb', 'spotcheck_planner'], ['planner_wch', 'spotcheck_planner'],
            ['planner_zd', 'spotcheck_planner'], ['upper_zb', 'spotcheck_upper'], ['head_wch', 'spotcheck_head'],
            ['inspector_wch', 'spotcheck_inspector'], ['citizen', 'spotcheck_public']] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r[1]) THEN
            EXECUTE format('CREATE ROLE %I LOGIN IN ROLE %I', r[1], r[2]);
        END IF;
    END LOOP;
END $$;
-- the detachment's data clerk loads for all five brigades
INSERT INTO spotcheck.agency_members (member, agency)
SELECT 'clerk_zb', b FROM unnest(ARRAY['WCH', 'ZD', 'ZC', 'BS', 'LZ']) b
UNION ALL VALUES ('planner_wch', 'WCH'), ('planner_zd', 'ZD'), ('upper_zb', 'ZB'), ('head_wch', 'WCH'),
                 ('inspector_wch', 'WCH');
SQL
P -c "SELECT a.code, a.level, a.parent, a.name, (SELECT string_agg(m.member, ', ' ORDER BY m.member) FROM spotcheck.agency_members m WHERE m.agency = a.code) AS members FROM spotcheck.agencies a ORDER BY a.level <> 'corps', a.level <> 'detachment', a.code"

echo "-- item lists: the corps', the detachment's, and what the brigades add or narrow"
P -q <<'SQL'
SET search_path = spotcheck, public;
INSERT INTO check_items (agency, code, title, legal_basis, content, unit_types, venue_categories, methods, ratio, frequency_per_year, valid_from) VALUES
 ('SD', 'SD-01', '消防安全责任制落实情况', '《中华人民共和国消防法》第十六条、第十七条', '消防安全责任人、管理人履职，消防安全制度落实', '{}', '{}', '{实地检查,书面检查}', 3, 1, '2025-01-01'),
 ('SD', 'SD-02', '人员密集场所疏散条件', '《消防法》第二十八条', '疏散通道、安全出口、应急照明和疏散指示标志', '{}', '{商场市场,宾馆饭店,公共娱乐场所,医院,学校,养老机构,餐饮场所}', '{实地检查}', 5, 1, '2025-01-01'),
 ('ZB', 'ZB-01', '建筑消防设施维护保养检测', '《消防法》第十六条第一款第三项', '消防设施完好有效，年度检测报告', '{企业,事业单位,机关}', '{}', '{实地检查,检验检测}', 4, 1, '2025-01-01'),
 ('ZB', 'ZB-02', '消防安全重点单位“户籍化”管理', '《机关、团体、企业、事业单位消防安全管理规定》', '重点单位备案、标识化管理', '{企业,事业单位}', '{}', '{书面检查}', 10, 1, '2025-01-01'),
 ('ZB', 'ZB-03', '电动自行车停放充电', '淄博市人民政府令', '室内停放、飞线充电', '{}', '{}', '{实地检查,网络监测}', 5, 2, '2025-01-01'),
 ('WCH', 'WCH-01', '旅游景区人员密集场所专项', '区管委会文件', '景区游客中心、民宿疏散条件', '{}', '{宾馆饭店,公共娱乐场所,餐饮场所}', '{实地检查}', 15, 4, '2025-03-01');
-- the detachment narrows the corps' item for its area; 文昌湖 narrows it again for its hotels and restaurants
INSERT INTO check_items (agency, code, parent_item, ratio, venue_categories, valid_from)
SELECT 'ZB', 'ZB-04', id, 8, '{商场市场,宾馆饭店,公共娱乐场所,餐饮场所}', '2025-02-01' FROM check_items WHERE code = 'SD-02';
INSERT INTO check_items (agency, code, parent_item, ratio, frequency_per_year, venue_categories, valid_from, remarks)
SELECT 'WCH', 'WCH-02', id, 20, 2, '{宾馆饭店,餐饮场所}', '2025-03-01', '旅游旺季前后各一次' FROM check_items WHERE code = 'ZB-04';
SQL
P -c "SELECT code, subject, title, venue_categories, ratio, frequency_per_year AS per_year, narrows, inherited FROM spotcheck.effective_check_items('WCH')"
P -c "SELECT code, subject, ratio, inherited FROM spotcheck.effective_check_items('ZD')"
echo "-- a narrowing that would be laxer is refused:"
P -c "INSERT INTO spotcheck.check_items (agency, code, parent_item, ratio) SELECT 'ZD', 'ZD-01', id, 2 FROM spotcheck.check_items WHERE code = 'ZB-01'" 2>&1 || true

echo "-- 6,000 units from the platforms' CSV export, with some bad rows"
P -qAt -v rows=6000 -v bad_pct=0.4 -v agencies=WCH,ZD,ZC,BS,LZ -v seed=0.2026 -f tools/gen_units.sql >"$DEMO_OUT/units.csv"
echo "$(($(wc -l <"$DEMO_OUT/units.csv") - 1)) rows in units.csv; the first two:"
head -3 "$DEMO_OUT/units.csv"
P -U clerk_zb -c "\\copy spotcheck.unit_staging (code,name,address,responsible_person,unit_type,agency,legal_representative,responsible_phone,manager_name,manager_phone,building_area,building_category,venue_category,industry_authority,region,is_key_unit,is_crowded_place,credit_class,risk_level,active) FROM '$DEMO_OUT/units.csv' WITH (FORMAT csv, HEADER)"
P -U clerk_zb -c "SELECT id AS batch, rows_read, rows_inserted, rows_updated, rows_rejected FROM spotcheck.load_units('units.csv')"
P -U clerk_zb -c "SELECT column_name, sqlstate, count(*) AS rows FROM spotcheck.load_rejects GROUP BY 1, 2 ORDER BY 1, 2"
P -U clerk_zb -c "SELECT DISTINCT ON (column_name, sqlstate) line_no, column_name, value, reason FROM spotcheck.load_rejects ORDER BY column_name, sqlstate, line_no"
echo "-- the clerk corrects what can be corrected in the rejected rows (credit class, missing responsible person) and loads them again"
P -U clerk_zb <<'SQL'
SELECT spotcheck.restage_rejects(1) AS restaged;
UPDATE spotcheck.my_unit_staging SET credit_class = 'C' WHERE credit_class = 'E';
UPDATE spotcheck.my_unit_staging SET responsible_person = '待核实负责人' WHERE coalesce(responsible_person, '') = '';
DELETE FROM spotcheck.my_unit_staging WHERE credit_class IS DISTINCT FROM 'C' AND responsible_person <> '待核实负责人';
SELECT rows_read, rows_inserted, rows_rejected FROM spotcheck.load_units('units-corrected.csv');
SQL

echo "-- 40 inspectors: one without a certificate, one expired, one certificate number on two lines"
P -qAt >"$DEMO_OUT/inspectors.csv" <<'SQL'
COPY (SELECT code, name, gender, agency, position, certificate_no, certificate_valid_until, post, title_category, enforcement_years
        FROM (SELECT b || '-' || lpad(i::text, 3, '0') AS code,
                     (ARRAY['王','李','张','刘','陈','杨','赵','黄'])[1 + (i * 7 + k) % 8] || (ARRAY['海涛','丽华','建国','文静','志强','秀英','立新','红梅'])[1 + (i + k * 3) % 8] AS name,
                     CASE WHEN (i + k) % 3 = 0 THEN '女' ELSE '男' END AS gender, b AS agency,
                     (ARRAY['大队长','教导员','监督员','参谋','监督员'])[1 + i % 5] AS position,
                     CASE WHEN b = 'ZD' AND i = 8 THEN '' WHEN b = 'ZC' AND i = 8 THEN 'SD-ZB-' || lpad((k * 100 + 1)::text, 5, '0')
                          ELSE 'SD-ZB-' || lpad((k * 100 + i)::text, 5, '0') END AS certificate_no,
                     CASE WHEN b = 'BS' AND i = 8 THEN '2024-12-31' ELSE (DATE '2028-06-30' + i * 30)::text END AS certificate_valid_until,
                     '防火监督' AS post, (ARRAY['工程类','法律类','管理类'])[1 + i % 3] AS title_category, 2 + (i * k) % 15 AS enforcement_years
                FROM unnest(ARRAY['WCH','ZD','ZC','BS','LZ']) WITH ORDINALITY AS a(b, k), generate_series(1, 8) i) x
       ORDER BY agency, code) TO STDOUT WITH (FORMAT csv, HEADER);
SQL
P -U clerk_zb -c "\\copy spotcheck.inspector_staging (code,name,gender,agency,position,certificate_no,certificate_valid_until,post,title_category,enforcement_years) FROM '$DEMO_OUT/inspectors.csv' WITH (FORMAT csv, HEADER)"
P -U clerk_zb -c "SELECT rows_read, rows_inserted, rows_rejected FROM spotcheck.load_inspectors('inspectors.csv')"
P -U clerk_zb -c "SELECT line_no, column_name, value, reason FROM spotcheck.load_rejects WHERE batch_id = (SELECT max(id) FROM spotcheck.load_batches) ORDER BY line_no, column_name"

echo "-- the same directory seen as each role"
for r in clerk_zb planner_wch planner_zd upper_zb head_wch inspector_wch; do
    P -qAt -U "$r" -c "SELECT rpad('$r', 14) || ' units ' || lpad((SELECT count(*) FROM spotcheck.units)::text, 5)
        || '  agencies ' || coalesce((SELECT string_agg(DISTINCT agency, ',' ORDER BY agency) FROM spotcheck.units), '-')
        || '  inspectors ' || (SELECT count(*) FROM spotcheck.inspectors)
        || '  items ' || (SELECT count(*) FROM spotcheck.check_items)"
done
P -U citizen -c "SELECT count(*) FROM spotcheck.units" 2>&1 || true

echo "-- dynamic management: a change and a deactivation, kept in history; a deletion refused"
P -U planner_wch <<'SQL'
\pset footer off
SELECT code AS unit FROM spotcheck.units ORDER BY code LIMIT 1 \gset
UPDATE spotcheck.units SET credit_class = 'D', risk_level = 4 WHERE code = :'unit';
UPDATE spotcheck.units SET active = false WHERE code = :'unit';
\set ON_ERROR_STOP off
DELETE FROM spotcheck.units WHERE code = :'unit';
\set ON_ERROR_STOP on
SELECT id, operation, old_row ->> 'credit_class' AS credit_was, new_row ->> 'credit_class' AS credit_now,
       new_row ->> 'active' AS active, changed_by
  FROM spotcheck.unit_history WHERE code = :'unit' ORDER BY id;
SQL

echo "-- who can be drawn in 文昌湖 next month (one officer is on leave)"
P -q -c "INSERT INTO spotcheck.inspector_absences (inspector, starts, ends, reason) VALUES ('WCH-002', date_trunc('month', CURRENT_DATE + 31)::date, date_trunc('month', CURRENT_DATE + 31)::date + 9, 'leave')"
P -U planner_wch -c "SELECT code, name, position, certificate_valid_until FROM spotcheck.available_inspectors('WCH', date_trunc('month', CURRENT_DATE + 31)::date, (date_trunc('month', CURRENT_DATE + 31) + interval '1 month - 1 day')::date)"
