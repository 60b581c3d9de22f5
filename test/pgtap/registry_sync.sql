-- The directories fed by nightly syncs from government platforms: an update
-- that changes nothing records nothing, verification does not depend on the
-- session's settings, exports load as the platforms write them, and the
-- rules hold against values that only look filled in.
BEGIN;
SELECT * FROM no_plan();
\ir registry_helpers.psql
\ir helpers.psql
SET LOCAL search_path = spotcheck, public;
CREATE ROLE rsync_plan LOGIN IN ROLE spotcheck_planner;
CREATE ROLE rsync_admin LOGIN IN ROLE spotcheck_admin;
INSERT INTO agency_members (member, agency) VALUES ('rsync_plan', 'ZD');

-- ---- an update that changes nothing records nothing ------------------------
SET ROLE rsync_plan;
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency, credit_class)
SELECT pg_temp.code(i), '单位' || i, '地址' || i, '负责人', '企业', 'ZD', 'B' FROM generate_series(1, 3000) i;
SELECT is((load_units('base.csv')).rows_inserted, 3000, 'three thousand units');
RESET ROLE;
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
CREATE TEMP TABLE before AS SELECT code, updated_at, xmin::text::bigint AS x FROM units;
SELECT is((SELECT count(*) FROM registry_history WHERE table_name = 'units'), 3000::bigint, 'one history row each');
SET ROLE rsync_plan;
UPDATE units SET name = name;
UPDATE units SET credit_class = credit_class, active = active, building_area = building_area WHERE agency = 'ZD';
UPDATE units SET name = name || ' ' WHERE code = pg_temp.code(1);    -- trimmed back: no change either
RESET ROLE;
SELECT is((SELECT count(*) FROM registry_history WHERE table_name = 'units'), 3000::bigint, 'UPDATE … SET name = name adds no history row');
SELECT is((SELECT count(*) FROM audit_pending WHERE action = 'units.update'), 0::bigint, 'and no audit entry');
SELECT is((SELECT count(*) FROM units u JOIN before b USING (code) WHERE u.updated_at <> b.updated_at), 0::bigint,
    'and leaves updated_at alone');
SET ROLE rsync_plan;
UPDATE units SET credit_class = 'D' WHERE code = pg_temp.code(2);
RESET ROLE;
SELECT is((SELECT count(*) FROM registry_history WHERE operation = 'update'), 1::bigint, 'a real change is recorded');
SELECT is((SELECT count(*) FROM audit_pending WHERE action = 'units.update'), 1::bigint, 'and audited');
SELECT is((SELECT updated_at > (SELECT b.updated_at FROM before b WHERE b.code = pg_temp.code(2)) OR updated_at = now()
             FROM units WHERE code = pg_temp.code(2)), true, 'and stamped');
-- the same for inspectors and memberships
INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('ZD-1', '甲', 'ZD', 'C-1');
UPDATE inspectors SET name = name, updated_at = now() - interval '1 day';
UPDATE agency_members SET member = member;
SELECT is((SELECT count(*) FROM registry_history WHERE table_name IN ('inspectors', 'agency_members') AND operation = 'update'),
    0::bigint, 'an inspector or a membership updated to itself records nothing');
SELECT is((SELECT count(*) FROM audit_pending WHERE action IN ('inspectors.update', 'agency_members.update')), 0::bigint,
    'in the audit log neither');
-- a nightly sync of the same export changes nothing either
SET ROLE rsync_plan;
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency, credit_class)
SELECT code, name, address, responsible_person, unit_type, agency, credit_class FROM units;
SELECT results_eq($$SELECT rows_read, rows_inserted, rows_updated, rows_unchanged FROM load_units('nightly.csv')$$,
    $$VALUES (3000, 0, 0, 3000)$$, 'a sync of the unchanged export writes nothing');
RESET ROLE;
SELECT is((SELECT count(*) FROM registry_history WHERE table_name = 'units'), 3001::bigint, 'and records nothing');

-- ---- verification gives the same answer whatever the session's settings ------
SET extra_float_digits = 0;
SET TimeZone = 'America/New_York';
SET DateStyle = 'SQL, DMY';
SET ROLE rsync_plan;
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency)
SELECT pg_temp.code(i), '另一批' || i, '地址', '人', '企业', 'ZD' FROM generate_series(5001, 5100) i;
SELECT is((load_units('settings.csv')).rows_inserted, 100, 'a load under other float, time zone and date settings');
RESET ROLE;
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT is((SELECT bool_and(ok) FROM verify_registry_history()), true, 'verifies under those settings');
RESET extra_float_digits;
RESET TimeZone;
RESET DateStyle;
SELECT is((SELECT bool_and(ok) FROM verify_registry_history()), true, 'and under the defaults');
SET extra_float_digits = 0;
SELECT is((SELECT bool_and(ok) FROM verify_registry_history()), true, 'and every digest written under the defaults verifies with extra_float_digits = 0');
SET extra_float_digits = -15;
SELECT is((SELECT bool_and(ok) FROM verify_registry_history()), true, 'or -15');
RESET extra_float_digits;
SELECT is((SELECT count(*) FROM verify_registry_history()), 2::bigint, 'two bulk inserts were checked');

-- ---- government exports load as written ----------------------------------------
SET ROLE rsync_plan;
INSERT INTO unit_staging (line_no, code, name, address, responsible_person, unit_type, agency, building_area,
                          is_key_unit, is_crowded_place, active, risk_level, credit_class, manager_phone, region)
VALUES (2, pg_temp.code(7001), '甲', '地址', '人', '企业', 'ZD', '1,234.5', '√', '×', '✓', '３', 'ｂ', '１３８-０５３３-１２３４', '３７０３０３'),
       (3, pg_temp.code(7002), '乙', '地址', '人', '企业', 'ZD', '１２３４．５ 平方米', '是', '否', NULL, '2', 'A', NULL, NULL),
       (4, pg_temp.code(7003), '丙', '地址', '人', '企业', 'ZD', '88㎡', 'Y', 'n', '✗', NULL, NULL, NULL, NULL),
       (5, pg_temp.code(7004), '丁', '地址', '人', '企业', 'ZD', '12,345,678.90m²', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
       (6, '９１３５０１００Ｍ０００１００Ｙ４３', '戊', '地址', '人', '企业', 'ZD', '1250.5平米', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
       -- ambiguous: refused
       (7, pg_temp.code(7006), '己', '地址', '人', '企业', 'ZD', '1.234,5', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
       (8, pg_temp.code(7007), '庚', '地址', '人', '企业', 'ZD', '1,23', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
       (9, pg_temp.code(7008), '辛', '地址', '人', '企业', 'ZD', '12.345', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
       (10, pg_temp.code(7009), '壬', '地址', '人', '企业', 'ZD', '7亩', 'X', NULL, NULL, NULL, NULL, NULL, NULL);
SELECT results_eq($$SELECT rows_read, rows_inserted, rows_rejected FROM load_units('export.csv')$$,
    $$VALUES (9, 5, 4)$$, 'five rows as exports write them load; four ambiguous ones are rejected');
SELECT results_eq($$SELECT building_area, is_key_unit, is_crowded_place, active, risk_level, credit_class, manager_phone, region
                      FROM units WHERE code IN (pg_temp.code(7001), pg_temp.code(7002), pg_temp.code(7003), pg_temp.code(7004), '91350100M000100Y43')
                     ORDER BY array_position(ARRAY['甲', '乙', '丙', '丁', '戊'], name)$$,
    $$VALUES (1234.50::numeric(12,2), true, false, true, 3::smallint, 'B'::text, '138-0533-1234'::text, '370303'::text),
             (1234.50, true, false, true, 2::smallint, 'A', NULL, NULL),
             (88.00, true, false, false, NULL::smallint, NULL, NULL, NULL),
             (12345678.90, false, false, true, NULL, NULL, NULL, NULL),
             (1250.50, false, false, true, NULL, NULL, NULL, NULL)$$,
    'thousands separators, full-width digits, units, √/×, ✓/✗ and full-width codes are normalised');
SELECT results_eq($$SELECT line_no, column_name, value FROM load_rejects
                     WHERE batch_id = (SELECT max(id) FROM load_batches) ORDER BY line_no, column_name$$,
    $$VALUES (7::bigint, 'building_area'::text, '1.234,5'::text), (8, 'building_area', '1,23'),
             (9, 'building_area', '12.345'), (10, 'building_area', '7亩'), (10, 'is_key_unit', 'X')$$,
    'what stays ambiguous is refused, at its line');
INSERT INTO inspector_staging (code, name, agency, certificate_no, certificate_valid_until, enforcement_years, active, gender)
VALUES ('ZD-11', '子', 'ZD', 'ｃ-１１', '2099/3/1', '１２', '√', '男'),
       ('ZD-12', '丑', 'ZD', 'C-12', '2099年3月1日', NULL, NULL, NULL),
       ('ZD-13', '寅', 'ZD', 'C-13', '２０９９－０３－０１', NULL, NULL, NULL),
       ('ZD-14', '卯', 'ZD', 'C-14', '20990301', NULL, NULL, NULL),
       ('ZD-15', '辰', 'ZD', 'C-15', '01/03/2099', NULL, NULL, NULL);
SELECT results_eq($$SELECT rows_inserted, rows_rejected FROM load_inspectors('officers.csv')$$,
    $$VALUES (4, 1)$$, 'dates as exports write them load; a day-month order is refused');
SELECT results_eq($$SELECT code, certificate_no, certificate_valid_until, enforcement_years FROM inspectors WHERE code LIKE 'ZD-1_' ORDER BY code$$,
    $$VALUES ('ZD-11'::text, 'C-11'::text, '2099-03-01'::date, 12::smallint), ('ZD-12', 'C-12', '2099-03-01', NULL),
             ('ZD-13', 'C-13', '2099-03-01', NULL), ('ZD-14', 'C-14', '2099-03-01', NULL)$$,
    'with their dates, numbers and certificates normalised');
-- a point followed by exactly three digits: a decimal point or a thousands point?
INSERT INTO unit_staging (line_no, code, name, address, responsible_person, unit_type, agency, building_area)
VALUES (2, pg_temp.code(7101), '子', '地址', '人', '企业', 'ZD', '1.250'),
       (3, pg_temp.code(7102), '丑', '地址', '人', '企业', 'ZD', '12.000'),
       (4, pg_temp.code(7103), '寅', '地址', '人', '企业', 'ZD', E'1250\u00a0平方米'),
       (5, pg_temp.code(7104), '卯', '地址', '人', '企业', 'ZD', E'88\u2009㎡'),
       (6, pg_temp.code(7105), '辰', '地址', '人', '企业', 'ZD', '1.2500 m²');
SELECT results_eq($$SELECT rows_inserted, rows_rejected FROM load_units('areas.csv')$$,
    $$VALUES (3, 2)$$, 'areas: two with a point and three digits are rejected, three are read');
SELECT results_eq($$SELECT line_no, column_name, value FROM load_rejects
                     WHERE batch_id = (SELECT max(id) FROM load_batches) ORDER BY line_no$$,
    $$VALUES (2::bigint, 'building_area'::text, '1.250'::text), (3, 'building_area', '12.000')$$,
    '1.250 and 12.000 are ambiguous, trailing zeros or not');
SELECT results_eq($$SELECT name, building_area FROM units WHERE code IN (pg_temp.code(7103), pg_temp.code(7104), pg_temp.code(7105))
                     ORDER BY code$$,
    $$VALUES ('寅'::text, 1250.00::numeric(12,2)), ('卯', 88.00), ('辰', 1.25)$$,
    'a no-break or thin space before the unit is a space; four decimals are not a thousands group');
RESET ROLE;
SELECT is(ARRAY(SELECT registry_area(v) FROM unnest(ARRAY['1.250', '2.500', '12.000', '1.000', '12.345', '1,250.000']) v),
          ARRAY[NULL, NULL, NULL, NULL, NULL, NULL]::numeric[],
          'registry_area reads no point followed by exactly three digits');
SELECT is(ARRAY(SELECT registry_area(v) FROM unnest(ARRAY['1.25', '1.20', '1.2500', '1,250.5', E'1250.5\u00a0\u00a0平米', E'40\u202fm2', E'40\u3000㎡']) v),
          ARRAY[1.25, 1.20, 1.25, 1250.5, 1250.5, 40, 40]::numeric[],
          'and reads the others, whatever space stands before the unit');

-- ---- values that only look filled in ---------------------------------------------
SELECT is(pg_temp.try_sql(format($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                                  VALUES (%L, E'\u00a0', '地址', '人', '企业', 'ZD')$$, pg_temp.code(8001))),
    format('23502: name is mandatory for unit "%s"', pg_temp.code(8001)), 'a name of only a no-break space is missing');
SELECT is(pg_temp.try_sql(format($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                                  VALUES (%L, '名', E'\u200b\u3000\u00a0', '人', '企业', 'ZD')$$, pg_temp.code(8001))),
    format('23502: address is mandatory for unit "%s"', pg_temp.code(8001)), 'an address of only zero-width and ideographic spaces too');
SELECT is(pg_temp.try_sql(format($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                                  VALUES (%L, '名', '地址', E'\u00a0\u2002', '企业', 'ZD')$$, pg_temp.code(8001))),
    format('23502: responsible_person is mandatory for unit "%s"', pg_temp.code(8001)), 'and a responsible person');
SELECT is(pg_temp.try_sql($$INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('ZD-20', E'\u00a0', 'ZD', 'C-20')$$),
    '23502: name is mandatory for inspector "ZD-20"', 'an inspector''s name too');
SELECT is(pg_temp.try_sql($$INSERT INTO agencies (code, name, level, parent) VALUES ('ZD2', E'\ufeff\u00a0', 'brigade', 'ZB')$$),
    '23502: agency "ZD2" needs a name', 'and an agency''s');
SELECT is(pg_temp.try_sql(format($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                                  VALUES (%L, E'\u2060', '地址', '人', '企业', 'ZD')$$, pg_temp.code(8001))),
    format('23502: name is mandatory for unit "%s"', pg_temp.code(8001)), 'a name of only a word joiner is missing');
SELECT is(pg_temp.try_sql(format($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                                  VALUES (%L, '名', E'\u00ad\u3164', '人', '企业', 'ZD')$$, pg_temp.code(8001))),
    format('23502: address is mandatory for unit "%s"', pg_temp.code(8001)), 'an address of a soft hyphen and a Hangul filler too');
SELECT is(pg_temp.try_sql(format($$INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
                                  VALUES (%L, '名', '地址', E'\u200c\u200d\ufe0f', '企业', 'ZD')$$, pg_temp.code(8001))),
    format('23502: responsible_person is mandatory for unit "%s"', pg_temp.code(8001)),
    'a responsible person of joiners and a variation selector too');
SELECT is(pg_temp.try_sql($$INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('ZD-20', E'\u115f\u1160\u2800', 'ZD', 'C-20')$$),
    '23502: name is mandatory for inspector "ZD-20"', 'an inspector''s name of Hangul fillers and a blank Braille pattern too');
SELECT is(pg_temp.try_sql($$INSERT INTO agencies (code, name, level, parent) VALUES ('ZD3', E'\x1f\x1c', 'brigade', 'ZB')$$),
    '23502: agency "ZD3" needs a name', 'a name of control characters is missing');
SELECT is(pg_temp.try_sql($$INSERT INTO agencies (code, name, level, parent) VALUES ('ZD3', E'\u0080\u009f\ufff9\ufffb', 'brigade', 'ZB')$$),
    '23502: agency "ZD3" needs a name', 'so is one of C1 controls and interlinear annotation marks');
SELECT is(spotcheck.registry_trim(E'\u9547\x1f'), E'\u9547\x1f', '(a visible character keeps the value as it is)');
SELECT is(pg_temp.try_sql($$INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('ZD-20', '午', 'ZD', E'\u2060\u00ad')$$),
    '23502: inspector "ZD-20" has no enforcement certificate number', 'and a certificate number of a word joiner and a soft hyphen');
INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('ZD-21', E'\u2060张三\u00ad\u3164', 'ZD', E'\u200dC-21\u2060');
SELECT results_eq($$SELECT name, certificate_no FROM inspectors WHERE code = 'ZD-21'$$, $$VALUES ('张三'::text, 'C-21'::text)$$,
    'around a visible value, such characters are trimmed like spaces');
SELECT is(registry_trim(E'葛\ufe00'), E'葛\ufe00', 'a variation selector after a character stays with it');

-- ---- an expired officer cannot be made available by erasing the expiry ---------
INSERT INTO inspectors (code, name, agency, certificate_no, certificate_valid_until)
    VALUES ('ZD-30', '巳', 'ZD', 'C-30', CURRENT_DATE + 1);
-- time passes: the certificate expired (written with the triggers off, as a restore would)
SET LOCAL session_replication_role = replica;
UPDATE inspectors SET certificate_valid_until = CURRENT_DATE - 10 WHERE code = 'ZD-30';
SET LOCAL session_replication_role = origin;
SELECT is(pg_temp.try_sql($$UPDATE inspectors SET certificate_valid_until = NULL WHERE code = 'ZD-30'$$),
    format('22004: the recorded expiry (%s) of the enforcement certificate of inspector "ZD-30" cannot be removed',
           to_char(CURRENT_DATE - 10, 'YYYY-MM-DD')),
    'the recorded expiry of an expired certificate cannot be erased');
SELECT is((SELECT count(*) FROM available_inspectors('ZD', CURRENT_DATE, CURRENT_DATE) WHERE code = 'ZD-30'), 0::bigint,
    'so the officer stays unavailable');
SELECT is(pg_temp.try_sql($$UPDATE inspectors SET certificate_valid_until = CURRENT_DATE + 300 WHERE code = 'ZD-30'$$), 'ran',
    'a renewal with its new expiry is recorded');
SELECT is(pg_temp.try_sql($$UPDATE inspectors SET certificate_no = 'C-30B', certificate_valid_until = NULL WHERE code = 'ZD-30'$$),
    format('22004: the new enforcement certificate "C-30B" of inspector "ZD-30" has no expiry date, but the one it replaces ("C-30") expires on %s',
           to_char(CURRENT_DATE + 300, 'YYYY-MM-DD')),
    'a new certificate replacing one whose expiry is recorded comes with its own expiry');
SELECT is(pg_temp.try_sql($$UPDATE inspectors SET certificate_no = 'C-30B', certificate_valid_until = CURRENT_DATE + 700 WHERE code = 'ZD-30'$$), 'ran',
    'and is recorded with it');
-- an expired, deactivated officer cannot come back under a new number without an expiry
INSERT INTO inspectors (code, name, agency, certificate_no, certificate_valid_until)
    VALUES ('ZD-31', '未', 'ZD', 'C-31', CURRENT_DATE + 1);
SET LOCAL session_replication_role = replica;
UPDATE inspectors SET certificate_valid_until = CURRENT_DATE - 3, active = false WHERE code = 'ZD-31';
SET LOCAL session_replication_role = origin;
SELECT is(pg_temp.try_sql($$UPDATE inspectors SET certificate_no = certificate_no || '-1', certificate_valid_until = NULL WHERE code = 'ZD-31'$$),
    format('22004: the new enforcement certificate "C-31-1" of inspector "ZD-31" has no expiry date, but the one it replaces ("C-31") expired on %s',
           to_char(CURRENT_DATE - 3, 'YYYY-MM-DD')),
    'an expired certificate cannot be replaced by a new number without an expiry');
SELECT is(pg_temp.try_sql($$UPDATE inspectors SET certificate_no = certificate_no || '-1', certificate_valid_until = NULL, active = true WHERE code = 'ZD-31'$$),
    format('22004: the new enforcement certificate "C-31-1" of inspector "ZD-31" has no expiry date, but the one it replaces ("C-31") expired on %s',
           to_char(CURRENT_DATE - 3, 'YYYY-MM-DD')),
    'nor together with the reactivation');
SELECT is(pg_temp.try_sql($$UPDATE inspectors SET active = true WHERE code = 'ZD-31'$$),
    format('22008: the enforcement certificate of inspector "ZD-31" expired on %s', to_char(CURRENT_DATE - 3, 'YYYY-MM-DD')),
    'so the officer cannot be reactivated');
SELECT is((SELECT count(*) FROM available_inspectors('ZD', CURRENT_DATE, CURRENT_DATE) WHERE code = 'ZD-31'), 0::bigint,
    'and stays unavailable');
-- nor through the loader: an empty date keeps the stored, expired one
SET ROLE rsync_plan;
INSERT INTO inspector_staging (line_no, code, name, agency, certificate_no, certificate_valid_until, active)
VALUES (2, 'ZD-31', '未', 'ZD', 'C-31-1', NULL, '1');
SELECT results_eq($$SELECT rows_updated, rows_rejected FROM load_inspectors('renewals.csv')$$, $$VALUES (0, 1)$$,
    'a load giving an expired officer a new number without its expiry is rejected');
SELECT results_eq($$SELECT column_name, sqlstate, reason FROM load_rejects WHERE batch_id = (SELECT max(id) FROM load_batches)$$,
    $$VALUES ('certificate_valid_until'::text, '22008'::text,
              format('the enforcement certificate of inspector "ZD-31" expired on %s', to_char(CURRENT_DATE - 3, 'YYYY-MM-DD')))$$,
    'with the reason');
INSERT INTO inspector_staging (line_no, code, name, agency, certificate_no, certificate_valid_until, active)
VALUES (2, 'ZD-31', '未', 'ZD', 'C-31-1', to_char(CURRENT_DATE + 365, 'YYYY-MM-DD'), '1');
SELECT results_eq($$SELECT rows_updated, rows_rejected FROM load_inspectors('renewals.csv')$$, $$VALUES (1, 0)$$,
    'the renewed certificate with its expiry loads');
-- a load never writes another agency's inspectors: neither a new one for it nor one it holds
INSERT INTO inspector_staging (line_no, code, name, agency, certificate_no, certificate_valid_until, active)
VALUES (2, 'WCH-90', '外', 'WCH', 'C-W90', to_char(CURRENT_DATE + 365, 'YYYY-MM-DD'), '1');
SELECT results_eq($$SELECT rows_inserted, rows_rejected FROM load_inspectors('other.csv')$$, $$VALUES (0, 1)$$,
    'a load naming another brigade as an inspector''s agency rejects the row');
SELECT results_eq($$SELECT column_name, sqlstate, reason FROM load_rejects WHERE batch_id = (SELECT max(id) FROM load_batches)$$,
    $$VALUES ('agency'::text, '42501'::text, 'agency "WCH" of inspector "WCH-90" is not one of the agencies you may change'::text)$$,
    'with the reason, 42501');
RESET ROLE;
SELECT is((SELECT count(*) FROM inspectors WHERE code = 'WCH-90'), 0::bigint, 'and nothing is written');
SELECT is((SELECT count(*) FROM available_inspectors('ZD', CURRENT_DATE, CURRENT_DATE) WHERE code = 'ZD-31'), 1::bigint,
    'and makes the officer available again');
-- with no expiry ever recorded, a number is corrected without one
INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('ZD-32', '申', 'ZD', 'C-32X');
SELECT is(pg_temp.try_sql($$UPDATE inspectors SET certificate_no = 'C-32' WHERE code = 'ZD-32'$$), 'ran',
    'a certificate whose expiry was never recorded changes its number without one');

-- ---- a narrowing only under a chain in force -------------------------------------
INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year, valid_from)
    VALUES ('SD', 'SD-01', '总队事项', 'b', 'c', '{实地检查}', 5, 1, '2024-01-01');
INSERT INTO check_items (agency, code, parent_item, valid_from)
    SELECT 'ZB', 'ZB-01', id, '2024-02-01' FROM check_items WHERE code = 'SD-01';
UPDATE check_items SET valid_to = CURRENT_DATE - 1 WHERE code = 'SD-01';
SELECT is(pg_temp.try_sql(format($$INSERT INTO check_items (agency, code, parent_item, valid_from) VALUES ('ZD', 'ZD-01', %s, CURRENT_DATE)$$,
                                 (SELECT id FROM check_items WHERE code = 'ZB-01'))),
    format('22008: item "ZD-01" starts on %s, outside the period in which the items it narrows are in force (2024-02-01 to %s)',
           to_char(CURRENT_DATE, 'YYYY-MM-DD'), to_char(CURRENT_DATE - 1, 'YYYY-MM-DD')),
    'a narrowing under a chain whose top item is retired is refused');
SELECT is(pg_temp.try_sql(format($$INSERT INTO check_items (agency, code, parent_item, valid_from) VALUES ('ZD', 'ZD-01', %s, CURRENT_DATE - 5)$$,
                                 (SELECT id FROM check_items WHERE code = 'ZB-01'))),
    format('22008: item "ZD-01" would be in force until further notice (no valid_to), after the items it narrows end on %s',
           to_char(CURRENT_DATE - 1, 'YYYY-MM-DD')),
    'one backdated into the chain''s past, open-ended, is refused: it would outlive the chain');
SELECT is(pg_temp.try_sql(format($$INSERT INTO check_items (agency, code, parent_item, valid_from, valid_to) VALUES ('ZD', 'ZD-01', %s, CURRENT_DATE - 5, CURRENT_DATE + 30)$$,
                                 (SELECT id FROM check_items WHERE code = 'ZB-01'))),
    format('22008: item "ZD-01" would be in force until %s, after the items it narrows end on %s',
           to_char(CURRENT_DATE + 30, 'YYYY-MM-DD'), to_char(CURRENT_DATE - 1, 'YYYY-MM-DD')),
    'as is one ending after the chain');
SELECT is(pg_temp.try_sql(format($$INSERT INTO check_items (agency, code, parent_item, valid_from, valid_to) VALUES ('ZD', 'ZD-01', %s, CURRENT_DATE - 5, CURRENT_DATE - 1)$$,
                                 (SELECT id FROM check_items WHERE code = 'ZB-01'))), 'ran',
    'one within the period of the whole chain is accepted');
SELECT is(pg_temp.try_sql($$UPDATE check_items SET valid_to = NULL WHERE code = 'ZD-01'$$),
    format('22008: item "ZD-01" would be in force until further notice (no valid_to), after the items it narrows end on %s',
           to_char(CURRENT_DATE - 1, 'YYYY-MM-DD')),
    'and cannot be extended past the chain''s end afterwards');
SELECT is(pg_temp.try_sql($$UPDATE check_items SET valid_to = CURRENT_DATE + 10 WHERE code = 'ZB-01'$$), 'ran',
    'a narrowing that was open when its chain ended can still be given an end (it moves nothing later)');

SELECT * FROM finish();
ROLLBACK;
