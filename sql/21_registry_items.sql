-- The item list: completeness, methods, ranges, narrowing only stricter,
-- retirement instead of deletion; every refusal as a client sees it.
BEGIN;
\i sql/registry_setup.psql
INSERT INTO check_items (id, agency, code, title, legal_basis, content, unit_types, venue_categories, methods,
                         ratio, frequency_per_year, valid_from) VALUES
    (1, 'ZB', 'ZB-01', '消防安全责任制落实情况', '《中华人民共和国消防法》第十六条', '消防安全责任人、管理人履职情况',
     '{企业,机关,事业单位}', '{}', '{实地检查,书面检查}', 5, 1, '2020-01-01'),
    (2, 'ZB', 'ZB-02', '建筑消防设施维护保养', '《消防法》第十六条第一款第三项', '消防设施完好有效',
     '{}', '{商场市场,宾馆饭店,公共娱乐场所}', '{实地检查}', 10, 2, '2020-01-01'),
    (3, 'SD', 'SD-01', '人员密集场所专项检查', '《消防法》第二十六条', '疏散通道、安全出口畅通',
     '{}', '{}', '{实地检查}', 3, 1, '2020-01-01');
SELECT setval('check_items_id_seq', 100);

-- items of an agency's own must be complete and sensible
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, title, methods, ratio, frequency_per_year)
                     VALUES ('WCH', 'W-1', '只有标题', '{实地检查}', 5, 1)$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year)
                     VALUES ('WCH', 'W-1', 't', 'b', 'c', '{上门查看}', 5, 1)$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year)
                     VALUES ('WCH', 'W-1', 't', 'b', 'c', '{}', 5, 1)$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year)
                     VALUES ('WCH', 'W-1', 't', 'b', 'c', '{实地检查}', 0, 1)$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year)
                     VALUES ('WCH', 'W-1', 't', 'b', 'c', '{实地检查}', 120, 1)$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year)
                     VALUES ('WCH', 'W-1', 't', 'b', 'c', '{实地检查}', 5, 0)$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year, valid_from, valid_to)
                     VALUES ('WCH', 'W-1', 't', 'b', 'c', '{实地检查}', 5, 1, '2026-03-01', '2026-02-28')$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year)
                     VALUES ('NOSUCH', 'W-1', 't', 'b', 'c', '{实地检查}', 5, 1)$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year)
                     VALUES ('WCH', '   ', 't', 'b', 'c', '{实地检查}', 5, 1)$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year)
                     VALUES ('ZB', 'ZB-01', 't', 'b', 'c', '{实地检查}', 5, 1)$$);

-- a narrowing item may only be stricter than what it narrows
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, parent_item, ratio) VALUES ('WCH', 'W-1', 1, 4.5)$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, parent_item, frequency_per_year) VALUES ('WCH', 'W-1', 2, 1)$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, parent_item, unit_types) VALUES ('WCH', 'W-1', 1, '{企业,个体工商户}')$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, parent_item, venue_categories) VALUES ('WCH', 'W-1', 2, '{学校}')$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, parent_item) VALUES ('WCH', 'W-1', 999)$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, parent_item, valid_from) VALUES ('WCH', 'W-1', 1, '2019-06-01')$$);
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, parent_item) VALUES ('ZB', 'ZB-09', 1)$$);
SELECT pg_temp.try($$INSERT INTO check_items (id, agency, code, parent_item, ratio, unit_types, valid_from)
                     VALUES (10, 'WCH', 'W-1', 1, 8, '{企业}', '2021-01-01')$$);
-- a brigade cannot narrow its sibling's item
SELECT pg_temp.try($$INSERT INTO check_items (agency, code, parent_item) VALUES ('ZD', 'Z-1', 10)$$);
-- nor can the narrowed item be loosened under it afterwards
SELECT pg_temp.try($$UPDATE check_items SET ratio = 9 WHERE id = 1$$);
SELECT pg_temp.try($$UPDATE check_items SET unit_types = '{机关}' WHERE id = 1$$);
SELECT pg_temp.try($$UPDATE check_items SET ratio = 6 WHERE id = 1$$);

-- what an item is and narrows does not change; a used item is frozen
SELECT pg_temp.try($$UPDATE check_items SET parent_item = 2 WHERE id = 10$$);
SELECT pg_temp.try($$UPDATE check_items SET agency = 'ZD' WHERE id = 10$$);
SELECT pg_temp.try($$UPDATE check_items SET valid_from = '2020-06-01' WHERE id = 2$$);
SELECT pg_temp.try($$UPDATE check_items SET valid_to = '2021-12-31' WHERE id = 2$$);
INSERT INTO check_item_uses (item_id, used_by) VALUES (2, 'plan:2026-01');
SELECT pg_temp.try($$UPDATE check_items SET content = '改过的内容' WHERE id = 2$$);
SELECT pg_temp.try($$UPDATE check_items SET remarks = '2026年起改由专项检查覆盖' WHERE id = 2$$);
SELECT pg_temp.try($$UPDATE check_item_uses SET used_by = 'plan:x'$$);
SELECT pg_temp.try($$DELETE FROM check_item_uses$$);

-- deletion: only a draft never in force, unused and not narrowed
INSERT INTO check_items (id, agency, code, title, legal_basis, content, methods, ratio, frequency_per_year, valid_from)
    VALUES (20, 'WCH', 'W-9', '草稿', 'b', 'c', '{书面检查}', 5, 1, '2099-01-01'),
                                   (21, 'ZB', 'ZB-9', '草稿', 'b', 'c', '{书面检查}', 5, 1, '2099-01-01');
INSERT INTO check_items (agency, code, parent_item, valid_from) VALUES ('WCH', 'W-10', 21, '2099-02-01');
SELECT pg_temp.try($$DELETE FROM check_items WHERE id = 1$$);
SELECT pg_temp.try($$DELETE FROM check_items WHERE id = 2$$);
SELECT pg_temp.try($$DELETE FROM check_items WHERE id = 21$$);
SELECT pg_temp.try($$DELETE FROM check_items WHERE id = 20$$);
SELECT pg_temp.try($$TRUNCATE check_items CASCADE$$);

-- the effective lists on a day in 2026: the brigade sees the corps' and the
-- detachment's items, its narrowing item in place of ZB-01, fields resolved
\pset tuples_only off
SELECT id, code, title, subject, unit_types, venue_categories, methods, ratio, frequency_per_year AS freq,
       narrows, inherited
  FROM effective_check_items('WCH', '2026-06-01');
SELECT id, code, subject, unit_types, ratio, narrows, inherited FROM effective_check_items('ZD', '2026-06-01');
SELECT id, code, subject, ratio, inherited FROM effective_check_items('ZB', '2026-06-01');
-- before the narrowing item started, the brigade had the detachment's item
SELECT id, code, subject, ratio, inherited FROM effective_check_items('WCH', '2020-06-01');
ROLLBACK;
