-- The inspector directory: certified officers only; absences and recusals.
BEGIN;
\i sql/registry_setup.psql
INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
    VALUES ('91350100M000100Y43', '淄博鑫源商贸有限公司', '淄博市张店区人民路1号', '王建国', '企业', 'ZD');
SELECT pg_temp.try($$INSERT INTO inspectors (code, name, gender, agency, position, certificate_no, certificate_valid_until, post, title_category, enforcement_years)
                     VALUES ('ZD-001', '刘海涛', '男', 'ZD', '监督员', ' sd-zf-0001 ', '2030-12-31', '防火监督', '工程类', 6)$$);
SELECT code, gender, certificate_no FROM inspectors;

SELECT pg_temp.try($$INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('ZD-002', '无证人员', 'ZD', NULL)$$);
SELECT pg_temp.try($$INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('ZD-002', '无证人员', 'ZD', '   ')$$);
SELECT pg_temp.try($$INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('ZD-002', '重号人员', 'ZD', 'SD-ZF-0001')$$);
SELECT pg_temp.try($$INSERT INTO inspectors (code, name, agency, certificate_no, certificate_valid_until)
                     VALUES ('ZD-002', '过期人员', 'ZD', 'SD-ZF-0002', '2020-06-30')$$);
SELECT pg_temp.try($$INSERT INTO inspectors (code, name, gender, agency, certificate_no) VALUES ('ZD-002', '某', 'X', 'ZD', 'SD-ZF-0002')$$);
SELECT pg_temp.try($$INSERT INTO inspectors (code, name, agency, certificate_no, enforcement_years) VALUES ('ZD-002', '某', 'ZD', 'SD-ZF-0002', 99)$$);
SELECT pg_temp.try($$INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('ZD 002', '某', 'ZD', 'SD-ZF-0002')$$);
SELECT pg_temp.try($$INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('ZD-002', '', 'ZD', 'SD-ZF-0002')$$);
SELECT pg_temp.try($$INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('ZD-002', '某', 'NOSUCH', 'SD-ZF-0002')$$);
SELECT pg_temp.try($$UPDATE inspectors SET code = 'ZD-009' WHERE code = 'ZD-001'$$);
SELECT pg_temp.try($$UPDATE inspectors SET certificate_valid_until = '2021-01-01' WHERE code = 'ZD-001'$$);
SELECT pg_temp.try($$DELETE FROM inspectors$$);
SELECT pg_temp.try($$UPDATE inspectors SET active = false$$);

-- absences and recusals
SELECT pg_temp.try($$INSERT INTO inspector_absences (inspector, starts, ends, reason) VALUES ('ZD-001', '2026-07-01', '2026-07-10', '探亲')$$);
SELECT pg_temp.try($$INSERT INTO inspector_absences (inspector, starts, ends, reason) VALUES ('ZD-001', '2026-07-10', '2026-07-01', 'leave')$$);
SELECT pg_temp.try($$INSERT INTO inspector_absences (inspector, starts, ends, reason) VALUES ('NOBODY', '2026-07-01', '2026-07-10', 'leave')$$);
SELECT pg_temp.try($$INSERT INTO inspector_absences (inspector, starts, ends, reason) VALUES ('ZD-001', '2026-07-01', '2026-07-10', ' Official_Travel ')$$);
SELECT inspector, starts, ends, reason FROM inspector_absences;
SELECT pg_temp.try($$INSERT INTO inspector_recusals (inspector, unit, reason) VALUES ('ZD-001', '91350100m000100y43', '')$$);
SELECT pg_temp.try($$INSERT INTO inspector_recusals (inspector, unit, reason) VALUES ('ZD-001', '91110000101623741K', '亲属任职')$$);
SELECT pg_temp.try($$INSERT INTO inspector_recusals (inspector, unit, reason) VALUES ('ZD-001', '91350100m000100y43', '配偶在该单位任职')$$);
SELECT pg_temp.try($$UPDATE inspector_recusals SET unit = '91110000101623741K'$$);
SELECT pg_temp.try($$SELECT * FROM available_inspectors('ZD', '2026-08-01', '2026-07-01')$$);
SELECT pg_temp.try($$SELECT * FROM available_inspectors('ZD', NULL, '2026-07-01')$$);
ROLLBACK;
