-- The directories over time: history of every change (who, when, what it
-- was and became), the audit trail, deactivation instead of deletion,
-- recorded code exceptions, and who can be drawn when.
BEGIN;
SELECT plan(24);
\ir registry_helpers.psql
SET LOCAL search_path = spotcheck, public;
CREATE ROLE tap_planner_zd LOGIN IN ROLE spotcheck_planner;
INSERT INTO agency_members (member, agency) VALUES ('tap_planner_zd', 'ZD');

SET ROLE tap_planner_zd;
INSERT INTO units (code, name, address, responsible_person, unit_type, agency, credit_class)
    VALUES (pg_temp.code(1), '鑫源商贸', '人民路1号', '王建国', '企业', 'ZD', 'B');
UPDATE units SET credit_class = 'C', risk_level = 3 WHERE code = pg_temp.code(1);
UPDATE units SET name = '鑫源商贸' WHERE code = pg_temp.code(1);   -- no change
UPDATE units SET active = false WHERE code = pg_temp.code(1);
RESET ROLE;

SELECT is((SELECT count(*) FROM unit_history WHERE code = pg_temp.code(1)), 3::bigint,
    'insert, two real updates: three history rows (an update that changes nothing adds none)');
SELECT results_eq($$SELECT operation, old_row ->> 'credit_class', new_row ->> 'credit_class', changed_by::text COLLATE "default"
                      FROM unit_history WHERE code = pg_temp.code(1) ORDER BY id$$,
    $$VALUES ('insert'::text, NULL::text, 'B'::text, 'tap_planner_zd'::text), ('update', 'B', 'C', 'tap_planner_zd'),
             ('update', 'C', 'C', 'tap_planner_zd')$$,
    'each history row says what the row was, what it became and who changed it');
SELECT is((SELECT count(DISTINCT changed_at) FROM unit_history WHERE code = pg_temp.code(1)), 1::bigint,
    'with the time of the change (one transaction here)');
SELECT is((SELECT (new_row ->> 'active')::boolean FROM unit_history WHERE code = pg_temp.code(1) ORDER BY id DESC LIMIT 1),
    false, 'the deactivation is the last change');
SELECT is((unit_as_of(pg_temp.code(1), now())).active, false, 'unit_as_of gives the row as it is now');
SELECT is(unit_as_of(pg_temp.code(1), now() - interval '1 day'), NULL, 'and nothing before it was registered');

-- the audit trail: each direct change is one chained entry with old and new row
SELECT is((SELECT count(*) FROM audit_pending WHERE action LIKE 'units.%' AND object = 'units:' || pg_temp.code(1)), 3::bigint,
    'three audit entries for the unit');
SELECT is((SELECT details -> 'new' ->> 'credit_class' FROM audit_pending
            WHERE action = 'units.update' AND object = 'units:' || pg_temp.code(1) ORDER BY id LIMIT 1), 'C',
    'the audit entry carries the new row');
SELECT is((SELECT agency FROM audit_pending WHERE action = 'units.insert' AND object = 'units:' || pg_temp.code(1)), 'ZD',
    'and the agency');

-- never deleted
SELECT throws_ok(format($$DELETE FROM units WHERE code = %L$$, pg_temp.code(1)), '55000', NULL,
    'a unit cannot be deleted, even by a superuser''s plain DELETE');
SELECT is((SELECT count(*) FROM units), 1::bigint, 'the unit is still there');

-- exceptions: held only while recorded, recorded with who and when
SELECT throws_ok($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                   VALUES ('91350100M000100Y44', '例外', '地址', '人', '企业', 'ZD')$$, '22P02', NULL,
    'a code failing the check is refused without an exception');
INSERT INTO unit_code_exceptions (code, agency, reason) VALUES ('91350100m000100y44', 'ZD', '登记机关确认的历史代码');
SELECT lives_ok($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                   VALUES ('91350100M000100Y44', '例外', '地址', '人', '企业', 'ZD')$$, 'and accepted once the exception is recorded');
SELECT results_eq($$SELECT code, allowed_by::text COLLATE "default" FROM unit_code_exceptions$$,
    $$VALUES ('91350100M000100Y44'::text, current_user::text COLLATE "default")$$, 'the exception records the canonical code and who allowed it');
SELECT throws_ok($$INSERT INTO unit_code_exceptions (code, agency, reason)
                   VALUES ('91350100M000100Y43', 'ZD', '不需要的例外')$$, '22023', NULL,
    'an exception for a valid code is refused');
INSERT INTO unit_code_exceptions (code, agency, reason, allowed_by, allowed_at)
    VALUES ('91350100M000100Y46', 'ZD', '伪造的记录人', 'someone_else', '2020-01-01');
SELECT is((SELECT (allowed_by = current_user AND allowed_at = now())::text FROM unit_code_exceptions WHERE code = '91350100M000100Y46'),
    'true', 'who allowed an exception and when cannot be forged');

-- inspectors: who can be drawn for a period
INSERT INTO inspectors (code, name, agency, certificate_no, certificate_valid_until) VALUES
    ('ZD-1', '甲', 'ZD', 'C-1', NULL), ('ZD-2', '乙', 'ZD', 'C-2', CURRENT_DATE + 20),
    ('ZD-3', '丙', 'ZD', 'C-3', NULL), ('ZD-4', '丁', 'ZD', 'C-4', NULL), ('WCH-1', '戊', 'WCH', 'C-5', NULL);
UPDATE inspectors SET active = false WHERE code = 'ZD-4';
INSERT INTO inspector_absences (inspector, starts, ends, reason) VALUES ('ZD-3', CURRENT_DATE + 5, CURRENT_DATE + 9, 'leave');
INSERT INTO inspector_recusals (inspector, unit, reason) VALUES ('ZD-1', pg_temp.code(1), '亲属在该单位任职');
SELECT set_eq($$SELECT code FROM available_inspectors('ZD', CURRENT_DATE, CURRENT_DATE + 4)$$, ARRAY['ZD-1', 'ZD-2', 'ZD-3'],
    'active officers of the agency, none absent in the period');
SELECT set_eq($$SELECT code FROM available_inspectors('ZD', CURRENT_DATE + 9, CURRENT_DATE + 30)$$, ARRAY['ZD-1'],
    'an absence overlapping the period and a certificate expiring inside it exclude an officer');
SELECT set_eq($$SELECT code FROM available_inspectors('ZD', CURRENT_DATE, CURRENT_DATE + 4, pg_temp.code(1))$$, ARRAY['ZD-2', 'ZD-3'],
    'a recusal excludes the officer for that unit');
SELECT is((SELECT count(*) FROM registry_history WHERE table_name IN ('inspector_absences', 'inspector_recusals') AND agency = 'ZD'), 2::bigint,
    'absences and recusals keep history under the inspector''s agency');

-- bulk changes (a load): one chained audit entry per statement and agency
-- holding the digest of the history rows; tampering with those rows is detected
INSERT INTO inspector_staging (code, name, agency, certificate_no, post)
SELECT code, name, agency, certificate_no, '防火监督' FROM inspectors WHERE agency IN ('ZD', 'WCH');
SELECT is((SELECT rows_updated FROM load_inspectors('posts.csv')), 5, 'a load changes the post of five inspectors');
SELECT results_eq($$SELECT agency, (details ->> 'rows')::int FROM audit_pending WHERE action = 'inspectors.bulk_update' ORDER BY agency$$,
    $$VALUES ('WCH'::text, 1), ('ZD', 4)$$, 'a bulk update is audited once per agency with its row count, not row by row');
SET CONSTRAINTS ALL IMMEDIATE;
SELECT is((SELECT bool_and(ok) FROM verify_registry_history()), true, 'the history rows match the chained digests');
ALTER TABLE registry_history DISABLE TRIGGER registry_history_append_only;
UPDATE registry_history SET new_row = jsonb_set(new_row, '{post}', '"内勤"')
 WHERE table_name = 'inspectors' AND object = 'ZD-2' AND operation = 'update' AND new_row ->> 'post' = '防火监督';
ALTER TABLE registry_history ENABLE TRIGGER registry_history_append_only;
SELECT results_eq($$SELECT agency, ok FROM verify_registry_history() ORDER BY agency$$,
    $$VALUES ('WCH'::text, true), ('ZD', false)$$, 'a history row changed behind the extension''s back is found');

SELECT * FROM finish();
ROLLBACK;
