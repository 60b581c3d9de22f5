-- Agencies: the level rule, cycles, memberships; every refusal as a client sees it.
BEGIN;
\i sql/registry_setup.psql

SELECT pg_temp.try($$INSERT INTO agencies VALUES ('总队!', 'x', 'corps')$$);
SELECT pg_temp.try($$INSERT INTO agencies VALUES ('SQ', 'x', 'squad')$$);
SELECT pg_temp.try($$INSERT INTO agencies VALUES ('B1', '无上级大队', 'brigade')$$);
SELECT pg_temp.try($$INSERT INTO agencies VALUES ('B1', '总队直属大队', 'brigade', 'SD')$$);
SELECT pg_temp.try($$INSERT INTO agencies VALUES ('D1', '大队下的支队', 'detachment', 'WCH')$$);
SELECT pg_temp.try($$INSERT INTO agencies VALUES ('C2', '有上级的总队', 'corps', 'SD')$$);
SELECT pg_temp.try($$INSERT INTO agencies VALUES ('B1', '上级不存在', 'brigade', 'NOSUCH')$$);
SELECT pg_temp.try($$INSERT INTO agencies VALUES ('B1', '  ', 'brigade', 'ZB')$$);
SELECT pg_temp.try($$INSERT INTO agencies VALUES ('B1', '地区码错', 'brigade', 'ZB', '3703')$$);
SELECT pg_temp.try($$UPDATE agencies SET code = 'WC' WHERE code = 'WCH'$$);
SELECT pg_temp.try($$UPDATE agencies SET level = 'brigade', parent = 'SD' WHERE code = 'ZB'$$);
SELECT pg_temp.try($$UPDATE agencies SET level = 'department' WHERE code = 'ZB'$$);
SELECT pg_temp.try($$UPDATE agencies SET parent = 'ZD' WHERE code = 'WCH'$$);
-- other departments may hang anywhere, but not in a cycle
SELECT pg_temp.try($$INSERT INTO agencies VALUES ('MS', '区市场监管局', 'department', 'WCH')$$);
SELECT pg_temp.try($$INSERT INTO agencies VALUES ('MS2', '市场监管所', 'department', 'MS')$$);
SELECT pg_temp.try($$UPDATE agencies SET parent = 'MS2' WHERE code = 'MS'$$);
SELECT pg_temp.try($$UPDATE agencies SET parent = 'MS' WHERE code = 'MS'$$);

-- at or below, at or above
SELECT string_agg(s, ' ') FROM agency_subtree('SD') s;
SELECT string_agg(s, ' ') FROM agency_subtree('ZD') s;
SELECT string_agg(s, ' ') FROM agency_ancestors('MS2') s;
SELECT count(*) FROM agency_subtree('NOSUCH');

-- membership names an existing role
SELECT pg_temp.try($$INSERT INTO agency_members (member, agency) VALUES ('no_such_role_x', 'WCH')$$);
SELECT pg_temp.try($$INSERT INTO agency_members (member, agency) VALUES (current_user, 'NOSUCH')$$);
SELECT pg_temp.try($$INSERT INTO agency_members (member, agency) VALUES (current_user, 'WCH')$$);
SELECT pg_temp.try($$UPDATE agency_members SET agency = 'ZD' WHERE agency = 'WCH'$$);
ROLLBACK;
