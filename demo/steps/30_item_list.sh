#!/usr/bin/env bash
# The item list (随机抽查事项清单, Article 7): the corps' and the detachment's
# items, which the brigade inherits without copying, and the brigade's own
# (one narrowing an upper item for its hotels and restaurants); published,
# and read by the portal as the public sees it.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

say "the corps, the detachment and the brigade keep their items (the administrator enters the upper levels')"
P -q -U admin_zb <<'SQL'
INSERT INTO spotcheck.check_items (agency, code, title, legal_basis, content, unit_types, venue_categories, methods, ratio, frequency_per_year, valid_from) VALUES
 ('SD', 'SD-01', '消防安全责任制落实情况', '《中华人民共和国消防法》第十六条、第十七条', '消防安全责任人、管理人履职，消防安全制度落实，防火检查巡查', '{}', '{}', '{实地检查,书面检查}', 3, 1, '2025-01-01'),
 ('SD', 'SD-02', '人员密集场所疏散条件', '《中华人民共和国消防法》第二十八条', '疏散通道、安全出口、应急照明和疏散指示标志', '{}', '{商场市场,宾馆饭店,公共娱乐场所,医院,学校,养老机构,餐饮场所,景区,文体场馆,宗教活动场所}', '{实地检查}', 5, 1, '2025-01-01'),
 ('ZB', 'ZB-01', '建筑消防设施维护保养检测', '《中华人民共和国消防法》第十六条第一款第三项', '消防设施完好有效，年度检测报告', '{企业,事业单位,机关}', '{}', '{实地检查,检验检测}', 4, 1, '2025-01-01');
SQL
P -q -U planner_wch <<'SQL'
INSERT INTO spotcheck.check_items (agency, code, title, legal_basis, content, venue_categories, methods, ratio, frequency_per_year, valid_from) VALUES
 ('WCH', 'WCH-01', '旅游景区及民宿消防安全', '《山东省消防条例》第十九条', '景区游客中心、民宿、农家乐疏散条件和用火用电管理', '{宾馆饭店,餐饮场所,景区}', '{实地检查}', 10, 2, '2025-03-01');
-- the brigade narrows the corps' evacuation item for its hotels and restaurants: a higher ratio, twice a year
INSERT INTO spotcheck.check_items (agency, code, parent_item, ratio, frequency_per_year, venue_categories, valid_from, remarks)
SELECT 'WCH', 'WCH-02', id, 10, 2, '{宾馆饭店,餐饮场所}', '2025-03-01', '旅游旺季前后各一次' FROM spotcheck.check_items WHERE code = 'SD-02';
SQL
P -U planner_wch -c "SELECT code, subject, title, ratio, frequency_per_year AS per_year, narrows, inherited
                       FROM spotcheck.effective_check_items('WCH') ORDER BY code"
say "a narrowing that would loosen the upper item is refused"
P -U planner_wch -c "INSERT INTO spotcheck.check_items (agency, code, parent_item, ratio) SELECT 'WCH', 'WCH-03', id, 1 FROM spotcheck.check_items WHERE code = 'ZB-01'" 2>&1 | sed -n 1,2p || true

say "the planner publishes the list (Article 19); the portal reads it"
P -U planner_wch -c "SELECT spotcheck.publish_item_list('WCH') AS publication"
P -U portal -c "SELECT code, title, subject_name AS subject, inherited, ratio, frequency_per_year AS per_year, methods FROM spotcheck.public_item_list WHERE agency = 'WCH' ORDER BY code"
