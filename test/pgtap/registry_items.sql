-- The item list: a brigade's effective list derives from its detachment's
-- and corps' without copying; narrowing items replace what they narrow and
-- inherit what they leave empty; retirement and start dates decide what is in force.
BEGIN;
SELECT plan(22);
\ir registry_helpers.psql
SET LOCAL search_path = spotcheck, public;

INSERT INTO check_items (id, agency, code, title, legal_basis, content, unit_types, venue_categories, methods,
                         ratio, frequency_per_year, valid_from, valid_to) VALUES
    (1, 'SD', 'SD-01', '消防安全责任制落实', '《消防法》第十六条', '责任人履职', '{}', '{}', '{实地检查}', 3, 1, '2024-01-01', NULL),
    (2, 'ZB', 'ZB-01', '消防设施维护保养', '《消防法》第十六条', '设施完好有效', '{企业,事业单位}', '{}', '{实地检查}', 5, 1, '2024-01-01', NULL),
    (3, 'ZB', 'ZB-02', '2025年冬春专项', '总队通知', '电气火灾隐患', '{}', '{}', '{实地检查}', 10, 2, '2025-01-01', '2025-12-31'),
    (4, 'QD', 'QD-01', '青岛本地事项', '市规定', '内容', '{}', '{}', '{书面检查}', 5, 1, '2024-01-01', NULL),
    (5, 'WCH', 'WCH-01', '旅游景区人员密集场所', '区规定', '景区疏散', '{}', '{公共娱乐场所}', '{实地检查}', 20, 4, '2024-06-01', NULL);
SELECT setval('check_items_id_seq', 100);
-- the detachment narrows the corps item; the brigade narrows the detachment's narrowing
INSERT INTO check_items (id, agency, code, parent_item, ratio, unit_types, valid_from)
    VALUES (10, 'ZB', 'ZB-03', 1, 4, '{企业,机关}', '2024-03-01');
INSERT INTO check_items (id, agency, code, parent_item, ratio, unit_types, title, valid_from)
    VALUES (11, 'WCH', 'WCH-02', 10, 6, '{企业}', '景区企业消防安全责任制', '2024-06-01');

SELECT is((SELECT count(*) FROM check_items), 7::bigint, 'seven rows in all: nothing is copied down');
SELECT set_eq($$SELECT id FROM effective_check_items('WCH', '2025-06-01')$$, ARRAY[2, 3, 5, 11]::bigint[],
    'the brigade in 2025: the detachment''s items, its own, and its narrowing in place of the chain it narrows');
SELECT set_eq($$SELECT id FROM effective_check_items('ZD', '2025-06-01')$$, ARRAY[2, 3, 10]::bigint[],
    'the sibling brigade inherits the detachment''s narrowing, not the other brigade''s items');
SELECT set_eq($$SELECT id FROM effective_check_items('SN', '2025-06-01')$$, ARRAY[1, 4]::bigint[],
    'a brigade of another detachment sees the corps item unnarrowed and its own detachment''s items');
SELECT set_eq($$SELECT id FROM effective_check_items('WCH', '2026-06-01')$$, ARRAY[2, 5, 11]::bigint[],
    'a retired item leaves the list after its valid_to');
SELECT set_eq($$SELECT id FROM effective_check_items('WCH', '2024-04-01')$$, ARRAY[2, 10]::bigint[],
    'before the brigade''s items started, it had the detachment''s narrowing of the corps item');
SELECT set_eq($$SELECT id FROM effective_check_items('WCH', '2024-02-01')$$, ARRAY[1, 2]::bigint[],
    'and before that the corps item itself');
SELECT results_eq($$SELECT title, legal_basis, content, methods, ratio, frequency_per_year, unit_types, subject, narrows, inherited
                      FROM effective_check_items('WCH', '2025-06-01') WHERE id = 11$$,
    $$VALUES ('景区企业消防安全责任制'::text, '《消防法》第十六条'::text, '责任人履职'::text, '{实地检查}'::text[],
              6::numeric, 1::smallint, '{企业}'::text[], 'WCH'::text, 10::bigint, false)$$,
    'a narrowing item resolves what it leaves empty from the whole chain above it');
SELECT results_eq($$SELECT ratio, unit_types, inherited FROM effective_check_items('ZD', '2025-06-01') WHERE id = 10$$,
    $$VALUES (4::numeric, '{企业,机关}'::text[], true)$$, 'the detachment''s narrowing is inherited as narrowed');
SELECT is((SELECT count(*) FROM effective_check_items('NOSUCH', '2025-06-01')), 0::bigint,
    'an unknown agency has an empty list');

-- retiring what is narrowed retires the narrowing too
UPDATE check_items SET valid_to = CURRENT_DATE - 1 WHERE id = 10;
SELECT set_eq($$SELECT id FROM effective_check_items('WCH')$$, ARRAY[1, 2, 5]::bigint[],
    'when the detachment retires its narrowing, the brigade''s narrowing of it lapses and the corps item returns');
UPDATE check_items SET valid_to = NULL WHERE id = 10;

-- an item an agency moved away from no longer narrows anything for it
INSERT INTO agencies VALUES ('ZB2', '淄博第二支队', 'detachment', 'SD');
UPDATE agencies SET parent = 'ZB2' WHERE code = 'WCH';
SELECT set_eq($$SELECT id FROM effective_check_items('WCH', '2025-06-01')$$, ARRAY[1, 5]::bigint[],
    'after the brigade moves to another detachment, it inherits that chain only');
UPDATE agencies SET parent = 'ZB' WHERE code = 'WCH';

-- stricter narrowing is accepted; tightening the narrowed item above a narrowing is refused
SELECT lives_ok($$INSERT INTO check_items (agency, code, parent_item, ratio, frequency_per_year, venue_categories)
                   VALUES ('ZD', 'ZD-01', 2, 5, 2, '{商场市场}')$$, 'equal ratio, higher frequency and a venue scope narrow');
SELECT throws_ok($$UPDATE check_items SET ratio = 7 WHERE id = 10$$, '23514', NULL,
    'raising the detachment''s ratio above the brigade''s narrowing is refused');
SELECT is((SELECT ratio FROM check_items WHERE id = 10), 4.00::numeric(5,2), 'and leaves the item as it was');

-- used items: frozen but retirable; never deleted
INSERT INTO check_item_uses (item_id, used_by) VALUES (5, 'plan:2026-07');
SELECT throws_ok($$UPDATE check_items SET ratio = 30 WHERE id = 5$$, '55000', NULL, 'a used item''s content is frozen');
SELECT lives_ok($$UPDATE check_items SET valid_to = CURRENT_DATE + 30 WHERE id = 5$$, 'a used item can be retired');
SELECT throws_ok($$DELETE FROM check_items WHERE id = 5$$, '55000', NULL, 'a used item is never deleted');

-- history: what the row was and became, who and when
SELECT is((SELECT count(*) FROM check_item_history WHERE item_id = 5), 2::bigint, 'the item''s insert and its retirement are in its history');
SELECT is((SELECT (old_row ->> 'valid_to', new_row ->> 'valid_to', changed_by)::text FROM check_item_history
            WHERE item_id = 5 AND operation = 'update'),
          (NULL::text, (CURRENT_DATE + 30)::text, current_user::text)::text, 'the update records old and new valid_to and who');

-- which items apply to a unit: the effective list of its agency, by object scope
INSERT INTO units (code, name, address, responsible_person, unit_type, agency, venue_category) VALUES
    (pg_temp.code(1), '景区酒店', '地址', '人', '企业', 'WCH', '公共娱乐场所'),
    (pg_temp.code(2), '景区管委会', '地址', '人', '机关', 'WCH', '办公场所');
SELECT set_eq(format($$SELECT id FROM unit_check_items(%L, '2025-06-01')$$, pg_temp.code(1)), ARRAY[2, 3, 5, 11]::bigint[],
    'a company in a public entertainment venue: every item of its brigade''s list covers it');
SELECT set_eq(format($$SELECT id FROM unit_check_items(%L, '2025-06-01')$$, pg_temp.code(2)), ARRAY[3]::bigint[],
    'an office of a government body: only the item without a unit-type or venue restriction');

SELECT * FROM finish();
ROLLBACK;
