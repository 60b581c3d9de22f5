-- Bulk loading: good rows in, every problem of every bad row reported with
-- its line, column, value and reason; corrected rows reload.
BEGIN;
\i sql/registry_setup.psql
\pset tuples_only off
COPY unit_staging (code, name, address, responsible_person, unit_type, agency, responsible_phone,
                   building_area, credit_class, risk_level, is_key_unit, is_crowded_place) FROM stdin WITH (FORMAT csv);
91350100M000100Y43,淄博鑫源商贸有限公司,淄博市张店区人民路1号,王建国,企业,ZD,13305331234,1200.5,A,2,true,否
91350100M000100Y44,校验位错误的单位,张店区柳泉路2号,李秀英,企业,ZD,,,,,,
370303200012345,老字号饭店,张店区共青团路9号,张志强,个体工商户,ZD,0533-2801234,88,B,3,是,是
91110000101623741K,,张店区华光路3号,,企业,ZD,电话待补,约500,E,9,maybe,
913703050001583858,无此大队的单位,某地,某人,企业,NOSUCH,,,,,,
370303200012345,重复的饭店,张店区共青团路9号,张志强,个体工商户,ZD,,,,,,
91370303000712710G,文昌湖的单位,文昌湖区1号,刘丽华,企业,WCH,,12.25,,,,
\.
SELECT rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected, kind, source
  FROM load_units('units-2026-11.csv');
SELECT line_no, column_name, value, sqlstate, reason FROM load_rejects ORDER BY line_no, id;
SELECT line_no, hint FROM load_rejects WHERE line_no IN (3, 5) ORDER BY line_no, id;
SELECT code, name, agency, building_area, credit_class, risk_level, is_key_unit, is_crowded_place, active
  FROM units ORDER BY code;
SELECT count(*) AS staging_left FROM my_unit_staging;

-- correct the rejected rows where they were kept, and load them again
SELECT restage_rejects((SELECT max(id) FROM load_batches)) AS restaged;
SELECT line_no, code, name FROM my_unit_staging ORDER BY line_no;
UPDATE my_unit_staging SET name = '华光路商店', responsible_person = '陈玉兰', responsible_phone = '0533-3101234',
                        building_area = '500', credit_class = 'C', risk_level = '3', is_key_unit = 'no'
 WHERE line_no = 5;
UPDATE my_unit_staging SET agency = 'ZD' WHERE line_no = 6;
DELETE FROM my_unit_staging WHERE line_no IN (3, 7);  -- the bad code needs an exception; line 7 was the duplicate
SELECT rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected FROM load_units('units-2026-11-fixed.csv');
SELECT line_no, column_name, value, sqlstate, reason FROM load_rejects
 WHERE batch_id = (SELECT max(id) FROM load_batches) ORDER BY line_no, id;

-- a reload changes only what differs; empty optional values keep what is stored
COPY unit_staging (code, name, address, responsible_person, unit_type, agency, credit_class, is_key_unit) FROM stdin WITH (FORMAT csv, HEADER);
code,name,address,responsible_person,unit_type,agency,credit_class,is_key_unit
91350100M000100Y43,淄博鑫源商贸有限公司,淄博市张店区人民路1号,王建国,企业,ZD,,
370303200012345,老字号饭店,张店区共青团路9号,张志强,个体工商户,ZD,C,
\.
SELECT rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected FROM load_units('delta.csv');
SELECT code, credit_class, is_key_unit, building_area FROM units WHERE code IN ('91350100M000100Y43', '370303200012345') ORDER BY code;

-- inspectors
COPY inspector_staging (code, name, gender, agency, position, certificate_no, certificate_valid_until, enforcement_years) FROM stdin WITH (FORMAT csv, HEADER);
code,name,gender,agency,position,certificate_no,certificate_valid_until,enforcement_years
ZD-001,刘海涛,男,ZD,监督员,SD-ZF-0001,2030-12-31,6
ZD-002,无证人员,女,ZD,文员,,,
ZD-003,周文静,女,ZD,参谋,SD-ZF-0001,2031-02-30,十年
ZD-004,孙立新,X,ZD,,SD-ZF-0004,2020-01-01,3
WCH-001,吴国庆,M,WCH,大队长,SD-ZF-0101,2029-06-30,12
\.
SELECT rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected FROM load_inspectors('inspectors.csv');
SELECT pg_temp.try($$SELECT load_inspectors('x.csv', -1)$$);
SELECT line_no, column_name, value, sqlstate, reason FROM load_rejects
 WHERE batch_id = (SELECT max(id) FROM load_batches) ORDER BY line_no, id;
SELECT code, name, gender, agency, certificate_no, certificate_valid_until, enforcement_years FROM inspectors ORDER BY code;
ROLLBACK;
