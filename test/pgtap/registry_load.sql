-- Bulk loading as a planner: the good rows in, every bad one reported with
-- its line; private staging; only the planner's own agencies; all or nothing.
BEGIN;
SELECT plan(20);
\ir registry_helpers.psql
SET LOCAL search_path = spotcheck, public;
CREATE ROLE tap_load_zd LOGIN IN ROLE spotcheck_planner;
CREATE ROLE tap_load_wch LOGIN IN ROLE spotcheck_planner;
INSERT INTO agency_members (member, agency) VALUES ('tap_load_zd', 'ZD'), ('tap_load_wch', 'WCH');
-- a unit another brigade already holds
INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
    VALUES (pg_temp.code(9000), '文昌湖的单位', '文昌湖区', '某', '企业', 'WCH');

SET ROLE tap_load_wch;
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency)
    VALUES (pg_temp.code(800), '别人暂存的单位', '地址', '人', '企业', 'WCH');
SET ROLE tap_load_zd;
SELECT is((SELECT count(*) FROM my_unit_staging), 0::bigint, 'another planner''s staged rows are invisible');
SELECT throws_ok($$SELECT count(*) FROM unit_staging$$, '42501', NULL, 'the staging table itself is write-only');
-- a file of 1,000 rows (line 1 is the header): 10 bad in different ways
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency, building_area, credit_class)
SELECT CASE WHEN i = 17 THEN '91350100M000100Y44' WHEN i = 500 THEN pg_temp.code(9000) ELSE pg_temp.code(i) END,
       '单位' || i, '地址' || i, CASE WHEN i = 33 THEN '' ELSE '负责人' END, '企业',
       CASE WHEN i = 250 THEN 'WCH' WHEN i = 251 THEN 'NOSUCH' ELSE 'ZD' END,
       CASE WHEN i = 600 THEN '一千' ELSE (100 + i)::text END,
       CASE WHEN i IN (700, 701, 702) THEN 'Z' ELSE 'A' END
  FROM generate_series(1, 1000) AS i;
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency)
    VALUES (pg_temp.code(5), '同一单位又一行', '地址', '人', '企业', 'ZD'), (pg_temp.code(1001), NULL, NULL, '人', '企业', 'ZD');
SELECT results_eq($$SELECT rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected FROM load_units('units.csv')$$,
    $$VALUES (1002, 990, 0, 0, 12)$$, 'the load reads every row, inserts the good ones and rejects the bad ones');
SELECT results_eq($$SELECT line_no, column_name, sqlstate FROM load_rejects ORDER BY line_no, column_name$$,
    $$VALUES (6::bigint, 'code'::text, '23505'::text),
             (18, 'code', '22P02'), (34, 'responsible_person', '23502'),
             (251, 'agency', '42501'), (252, 'agency', '23503'), (501, 'code', '42501'),
             (601, 'building_area', '22P02'), (701, 'credit_class', '22023'), (702, 'credit_class', '22023'),
             (703, 'credit_class', '22023'), (1002, 'code', '23505'), (1003, 'address', '23502'), (1003, 'name', '23502')$$,
    'each problem of each bad row is reported at its line (the header is line 1)');
SELECT is((SELECT count(*) FROM units WHERE agency = 'ZD'), 990::bigint, 'the good rows are in the directory');
SELECT is((SELECT count(*) FROM unit_history WHERE agency = 'ZD'), 990::bigint, 'each with its history row');
SELECT is((SELECT count(*) FROM my_unit_staging), 0::bigint, 'the staged rows were consumed');
SELECT is((SELECT row_data ->> 'name' FROM load_rejects WHERE line_no = 34), '单位33', 'a rejected row is kept whole');
RESET ROLE;
SELECT is((SELECT name FROM units WHERE code = pg_temp.code(9000)), '文昌湖的单位', 'another agency''s unit was left alone');
SELECT is((SELECT count(*) FROM unit_staging WHERE staged_by = 'tap_load_wch'), 1::bigint, 'and another planner''s staged row too');
SELECT results_eq($$SELECT action, agency, (details ->> 'rows')::int FROM audit_pending
                     WHERE action IN ('units.bulk_insert', 'units.load') ORDER BY id$$,
    $$VALUES ('units.bulk_insert'::text, 'ZD'::text, 990), ('units.load', NULL, NULL)$$,
    'the load is in the audit trail: the digest of the inserted rows, and the batch');
SELECT is((SELECT count(*) FROM audit_pending WHERE action = 'units.insert'), 1::bigint,
    'row-by-row audit entries only for the direct insert');

-- correct and reload: lines keep their numbers
SET ROLE tap_load_zd;
SELECT is(restage_rejects((SELECT max(id) FROM load_batches)), 12, 'the twelve rejected rows are staged again');
UPDATE my_unit_staging SET responsible_person = '补录负责人' WHERE line_no = 34;
UPDATE my_unit_staging SET agency = 'ZD' WHERE line_no = 252;
UPDATE my_unit_staging SET credit_class = 'D' WHERE line_no IN (701, 702, 703);
DELETE FROM my_unit_staging WHERE line_no NOT IN (34, 252, 701, 702, 703, 601);
SELECT results_eq($$SELECT rows_read, rows_inserted, rows_rejected FROM load_units('units-fixed.csv')$$,
    $$VALUES (6, 5, 1)$$, 'the corrected rows load; the one left uncorrected is rejected again');
SELECT is((SELECT line_no FROM load_rejects WHERE batch_id = (SELECT max(id) FROM load_batches)), 601::bigint,
    'at its original line');

-- a reload of the same rows changes nothing and records nothing
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency, building_area, credit_class)
SELECT code, name, address, responsible_person, unit_type, agency, building_area::text, credit_class
  FROM units WHERE agency = 'ZD' ORDER BY code LIMIT 100;
SELECT results_eq($$SELECT rows_inserted, rows_updated, rows_unchanged FROM load_units('again.csv', 0)$$,
    $$VALUES (0, 0, 100)$$, 'reloading unchanged rows updates nothing');
SELECT is((SELECT count(*) FROM unit_history WHERE agency = 'ZD'), 995::bigint, 'and adds no history');

-- all or nothing: a failure in the middle leaves no trace
RESET ROLE;
CREATE FUNCTION public.tap_fail_on_unit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.name = '会失败的单位' THEN RAISE EXCEPTION 'disk full (simulated)'; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER tap_fail AFTER INSERT ON units FOR EACH ROW EXECUTE FUNCTION public.tap_fail_on_unit();
GRANT EXECUTE ON FUNCTION public.tap_fail_on_unit() TO PUBLIC;
SET ROLE tap_load_zd;
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency)
SELECT pg_temp.code(2000 + i), CASE WHEN i = 50 THEN '会失败的单位' ELSE '单位' END, '地址', '人', '企业', 'ZD'
  FROM generate_series(1, 100) i;
SELECT throws_ok($$SELECT load_units('fails.csv')$$, 'P0001', 'disk full (simulated)', 'a load that fails midway raises');
SELECT results_eq($$SELECT (SELECT count(*) FROM units WHERE code >= pg_temp.code(2001)),
                           (SELECT count(*) FROM load_batches WHERE source = 'fails.csv'),
                           (SELECT count(*) FROM my_unit_staging)$$,
    $$VALUES (0::bigint, 0::bigint, 100::bigint)$$, 'and leaves no unit, no batch, and the staged rows for another try');
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency, staged_by)
    VALUES (pg_temp.code(801), '冒名暂存', '地址', '人', '企业', 'WCH', 'tap_load_wch');
RESET ROLE;
SELECT is((SELECT staged_by::text FROM unit_staging WHERE name = '冒名暂存'), 'tap_load_zd',
    'a row cannot be staged in another role''s name');

SELECT * FROM finish();
ROLLBACK;
