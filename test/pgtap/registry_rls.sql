-- Row-level security as each role: a planner sees and changes only its
-- agencies' rows, the upper level sees its subordinates, the administrator
-- everything, the public role nothing here.
BEGIN;
SELECT plan(40);
\ir registry_helpers.psql
SET LOCAL search_path = spotcheck, public;
CREATE ROLE tap_admin LOGIN IN ROLE spotcheck_admin;
CREATE ROLE tap_plan_zd LOGIN IN ROLE spotcheck_planner;
CREATE ROLE tap_plan_wch LOGIN IN ROLE spotcheck_planner;
CREATE ROLE tap_upper_zb LOGIN IN ROLE spotcheck_upper;
CREATE ROLE tap_head_zd LOGIN IN ROLE spotcheck_head;
CREATE ROLE tap_insp_zd LOGIN IN ROLE spotcheck_inspector;
CREATE ROLE tap_public LOGIN IN ROLE spotcheck_public;
CREATE ROLE tap_plan_none LOGIN IN ROLE spotcheck_planner;
INSERT INTO agency_members (member, agency) VALUES ('tap_plan_zd', 'ZD'), ('tap_plan_wch', 'WCH'),
    ('tap_upper_zb', 'ZB'), ('tap_head_zd', 'ZD'), ('tap_insp_zd', 'ZD');

INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
SELECT pg_temp.code(i), '单位' || i, '地址', '人', '企业', a
  FROM (VALUES (1, 'ZD'), (2, 'ZD'), (3, 'ZD'), (4, 'WCH'), (5, 'WCH'), (6, 'SN')) AS v(i, a);
INSERT INTO inspectors (code, name, agency, certificate_no) VALUES
    ('ZD-1', '甲', 'ZD', 'C1'), ('ZD-2', '乙', 'ZD', 'C2'), ('WCH-1', '丙', 'WCH', 'C3'), ('SN-1', '丁', 'SN', 'C4');
INSERT INTO inspector_absences (inspector, starts, ends, reason) VALUES ('ZD-1', '2026-01-01', '2026-01-05', 'leave'),
    ('WCH-1', '2026-01-01', '2026-01-05', 'leave');
INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year, valid_from)
SELECT a, a || '-01', 't', 'b', 'c', '{实地检查}', 5, 1, '2024-01-01'
  FROM unnest(ARRAY['SD', 'ZB', 'WCH', 'ZD', 'QD']) AS a;

-- a planner: its agency's rows, plus the items it inherits
SET ROLE tap_plan_zd;
SELECT is((SELECT array_agg(DISTINCT agency) FROM units), ARRAY['ZD'], 'planner: units of its own agency only');
SELECT is((SELECT count(*) FROM units), 3::bigint, 'planner: all three of them');
SELECT is((SELECT array_agg(code ORDER BY code) FROM inspectors), ARRAY['ZD-1', 'ZD-2'], 'planner: its own inspectors');
SELECT is((SELECT array_agg(inspector) FROM inspector_absences), ARRAY['ZD-1'], 'planner: their absences');
SELECT is((SELECT array_agg(agency ORDER BY agency) FROM check_items), ARRAY['SD', 'ZB', 'ZD'],
    'planner: its own items and those of its upper levels, not a sibling''s or a cousin''s');
SELECT is((SELECT count(*) FROM effective_check_items('ZD', '2026-06-01')), 3::bigint, 'planner: its effective list');
SELECT is((SELECT array_agg(DISTINCT agency) FROM unit_history), ARRAY['ZD'], 'planner: history of its own rows');
SELECT is((SELECT array_agg(member::text ORDER BY member) FROM agency_members),
    ARRAY['tap_head_zd', 'tap_insp_zd', 'tap_plan_zd'], 'planner: who belongs to its agency');
SELECT lives_ok(format($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                         VALUES (%L, '新单位', '地址', '人', '企业', 'ZD')$$, pg_temp.code(7)), 'planner: registers a unit in its agency');
SELECT throws_ok(format($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                          VALUES (%L, '别处单位', '地址', '人', '企业', 'WCH')$$, pg_temp.code(8)), '42501', NULL,
    'planner: cannot register a unit in another agency');
SELECT lives_ok($$UPDATE units SET name = '改名' WHERE agency = 'WCH'$$, 'planner: an update of another agency''s rows…');
SELECT throws_ok(format($$UPDATE units SET agency = 'WCH' WHERE code = %L$$, pg_temp.code(1)), '42501', NULL,
    'planner: cannot hand a unit to another agency');
SELECT lives_ok($$UPDATE units SET active = false WHERE code = (SELECT min(code) FROM units)$$, 'planner: deactivates its unit');
SELECT throws_ok($$INSERT INTO inspector_absences (inspector, starts, ends, reason) VALUES ('WCH-1', '2026-02-01', '2026-02-02', 'leave')$$,
    '23503', NULL, 'planner: an inspector of another agency does not exist for it');
SELECT throws_ok($$INSERT INTO agencies VALUES ('X1', 'x', 'corps')$$, '42501', NULL, 'planner: cannot change the agencies');
SELECT throws_ok($$INSERT INTO agency_members VALUES ('tap_plan_zd', 'WCH')$$, '42501', NULL, 'planner: cannot join an agency');
SELECT throws_ok($$INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year)
                   VALUES ('ZB', 'ZB-99', 't', 'b', 'c', '{实地检查}', 5, 1)$$, '42501', NULL, 'planner: cannot add to the upper level''s list');
SELECT throws_ok($$INSERT INTO unit_code_exceptions (code, agency, reason) VALUES ('91350100M000100Y44', 'ZD', '理由充分')$$,
    '42501', NULL, 'planner: cannot allow a code exception (the head does)');
RESET ROLE;
SELECT is((SELECT count(*) FROM units WHERE name = '改名'), 0::bigint, '…changed nothing');

-- another planner, and one that belongs to no agency
SET ROLE tap_plan_wch;
SELECT is((SELECT array_agg(DISTINCT agency) FROM units), ARRAY['WCH'], 'the other brigade''s planner sees its own');
SET ROLE tap_plan_none;
SELECT is((SELECT count(*) FROM units), 0::bigint, 'a planner of no agency sees no unit');
SELECT is((SELECT count(*) FROM check_items), 0::bigint, 'and no item');

-- the upper level: its subordinate agencies, read only
SET ROLE tap_upper_zb;
SELECT is((SELECT array_agg(DISTINCT agency ORDER BY agency) FROM units), ARRAY['WCH', 'ZD'], 'upper: the units of every brigade below it');
SELECT is((SELECT count(*) FROM units), 6::bigint, 'upper: all of them (not the other detachment''s)');
SELECT is((SELECT array_agg(DISTINCT agency ORDER BY agency) FROM unit_history), ARRAY['WCH', 'ZD'], 'upper: their history');
SELECT throws_ok($$UPDATE units SET name = 'x'$$, '42501', NULL, 'upper: cannot change units');
SELECT lives_ok($$SELECT count(*) FROM audit_log$$, 'upper: may read the audit log');

-- the head: its agency; allows code exceptions
SET ROLE tap_head_zd;
SELECT is((SELECT count(*) FROM units), 4::bigint, 'head: the units of its agency');
SELECT lives_ok($$INSERT INTO unit_code_exceptions (code, agency, reason) VALUES ('91350100M000100Y44', 'ZD', '登记机关确认')$$,
    'head: allows a code exception for its agency');
SELECT throws_ok($$INSERT INTO unit_code_exceptions (code, agency, reason) VALUES ('91350100M000100Y45', 'WCH', '登记机关确认')$$,
    '42501', NULL, 'head: but not for another agency');
SELECT throws_ok($$INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('ZD-9', '某', 'ZD', 'C9')$$,
    '42501', NULL, 'head: does not keep the directories');

-- an inspector: reads its agency's directory, changes nothing, no history
SET ROLE tap_insp_zd;
SELECT is((SELECT count(*) FROM units), 4::bigint, 'inspector: the units of its agency');
SELECT throws_ok($$UPDATE units SET name = 'x'$$, '42501', NULL, 'inspector: cannot change them');
SELECT throws_ok($$SELECT count(*) FROM unit_history$$, '42501', NULL, 'inspector: no history');

-- the administrator: everything
SET ROLE tap_admin;
SELECT is((SELECT count(*) FROM units), 7::bigint, 'admin: every unit');
SELECT lives_ok($$INSERT INTO agencies VALUES ('QD2', '青岛第二大队', 'brigade', 'QD')$$, 'admin: keeps the agencies');

-- the public: nothing here
SET ROLE tap_public;
SELECT throws_ok($$SELECT count(*) FROM units$$, '42501', NULL, 'public: no units');
SELECT throws_ok($$SELECT count(*) FROM agencies$$, '42501', NULL, 'public: no agencies');
SELECT throws_ok($$SELECT count(*) FROM inspectors$$, '42501', NULL, 'public: no inspectors');
SELECT throws_ok($$SELECT * FROM effective_check_items('ZD')$$, '42501', NULL, 'public: not even the item list function');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
