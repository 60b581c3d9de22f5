-- The unit directory: every bad value refused with its SQLSTATE, a message
-- naming it and a hint; code exceptions; deactivate, never delete.
BEGIN;
\i sql/registry_setup.psql
CREATE TEMP VIEW good AS SELECT '91350100M000100Y43'::text AS code, '淄博鑫源商贸有限公司'::text AS name,
    '淄博市张店区人民路1号'::text AS address, '王建国'::text AS person, '企业'::text AS type, 'ZD'::text AS agency;

-- valid codes in canonical form: upper case, trimmed; or a 15-digit registration number
SELECT pg_temp.try($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                     VALUES (E'\u3000 91350100m000100y43 ', '　淄博鑫源商贸有限公司 ', '淄博市张店区人民路1号', '王建国', '企业', 'ZD')$$);
SELECT pg_temp.try($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency, credit_class)
                     VALUES ('370303200012345', '张店区老字号饭店', '淄博市张店区共青团路9号', '李秀英', '个体工商户', 'ZD', ' b ')$$);
SELECT code, code_kind, '[' || name || ']', credit_class FROM units ORDER BY code;

-- the code
SELECT pg_temp.try(format($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                            VALUES (%L, 'n', 'a', 'p', '企业', 'ZD')$$, c))
  FROM unnest(ARRAY['91350100M000100Y44', '91350100MO00100Y43', '9135010OM000100Y4', '37030320001234X',
                    '3703032000123', '', NULL]) AS c;
-- a registered code that fails the check: only through a recorded exception
SELECT pg_temp.try($$INSERT INTO unit_code_exceptions (code, agency, reason)
                     VALUES ('91350100M000100Y44', 'ZD', '营业执照原件所载代码，登记机关确认')$$);
SELECT pg_temp.try($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                     VALUES ('91350100m000100y44', '例外单位', '地址', '负责人', '企业', 'ZD')$$);
SELECT code, code_kind FROM units WHERE code_kind = 'exception';
SELECT code, agency, allowed_by = current_user AS by_me, allowed_at = now() AS now, reason FROM unit_code_exceptions;
SELECT pg_temp.try($$INSERT INTO unit_code_exceptions (code, agency, reason) VALUES ('91350100M000100Y43', 'ZD', '不需要的例外')$$);
SELECT pg_temp.try($$INSERT INTO unit_code_exceptions (code, agency, reason) VALUES ('9135-0100M000100Y4', 'ZD', '形状不对的代码')$$);
SELECT pg_temp.try($$INSERT INTO unit_code_exceptions (code, agency, reason) VALUES ('91350100M000100Y45', 'ZD', ' ')$$);
SELECT pg_temp.try($$UPDATE unit_code_exceptions SET reason = '改理由'$$);
SELECT pg_temp.try($$DELETE FROM unit_code_exceptions$$);

-- the mandatory basics
SELECT pg_temp.try($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                     VALUES ('91110000101623741K', '  ', 'a', 'p', '企业', 'ZD')$$);
SELECT pg_temp.try($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                     VALUES ('91110000101623741K', 'n', NULL, 'p', '企业', 'ZD')$$);
SELECT pg_temp.try($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                     VALUES ('91110000101623741K', 'n', 'a', E'\u3000', '企业', 'ZD')$$);
SELECT pg_temp.try($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                     VALUES ('91110000101623741K', 'n', 'a', 'p', '', 'ZD')$$);
SELECT pg_temp.try($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                     VALUES ('91110000101623741K', 'n', 'a', 'p', '企业', NULL)$$);
SELECT pg_temp.try($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                     VALUES ('91110000101623741K', 'n', 'a', 'p', '企业', 'NOSUCH')$$);
-- the optional values, when given
SELECT pg_temp.try(format($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency, %I)
                            VALUES ('91110000101623741K', 'n', 'a', 'p', '企业', 'ZD', %L)$$, col, val))
  FROM (VALUES ('responsible_phone', '电话待补'), ('manager_phone', '12'), ('building_area', '0'),
               ('building_area', '-30.5'), ('region', '37030'), ('credit_class', 'E'), ('risk_level', '5'),
               ('risk_level', '0')) AS v(col, val);

-- identity, deactivation, never deletion
SELECT pg_temp.try($$UPDATE units SET code = '91110000101623741K' WHERE code = '370303200012345'$$);
SELECT pg_temp.try($$UPDATE units SET active = false WHERE code = '370303200012345'$$);
SELECT pg_temp.try($$DELETE FROM units WHERE code = '370303200012345'$$);
SELECT pg_temp.try($$TRUNCATE units CASCADE$$);
SELECT code, active FROM units ORDER BY code;
ROLLBACK;
