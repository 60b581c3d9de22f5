-- Attacks on the registries and the uscc type, run as the low-privilege
-- roles that would try them; each test asserts the refusal, so a change that
-- reopens a hole fails here.
BEGIN;
SELECT * FROM no_plan();
\ir registry_helpers.psql
\ir helpers.psql
SET LOCAL search_path = spotcheck, public;
CREATE ROLE rsec_plan_zd LOGIN IN ROLE spotcheck_planner;
CREATE ROLE rsec_plan_wch LOGIN IN ROLE spotcheck_planner;
CREATE ROLE rsec_plan_upper_zb LOGIN IN ROLE spotcheck_planner, spotcheck_upper;
CREATE ROLE rsec_insp_zd LOGIN IN ROLE spotcheck_inspector;
CREATE ROLE rsec_head_zd LOGIN IN ROLE spotcheck_head;
CREATE ROLE rsec_admin LOGIN IN ROLE spotcheck_admin;
CREATE ROLE rsec_plan_zb LOGIN IN ROLE spotcheck_planner;
INSERT INTO agency_members (member, agency) VALUES ('rsec_plan_zd', 'ZD'), ('rsec_plan_wch', 'WCH'), ('rsec_plan_zb', 'ZB'),
    ('rsec_plan_upper_zb', 'ZB'), ('rsec_insp_zd', 'ZD'), ('rsec_head_zd', 'ZD');
INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
SELECT pg_temp.code(i), '单位' || i, '地址', '人', '企业', CASE WHEN i <= 3 THEN 'ZD' ELSE 'WCH' END
  FROM generate_series(1, 6) i;
INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('WCH-1', '戊', 'WCH', 'CERT-W1');
INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year, valid_from)
SELECT a, a || '-01', 't', 'b', 'c', '{实地检查}', 5, 1, '2024-01-01'
  FROM unnest(ARRAY['SD', 'ZB', 'ZD', 'WCH', 'QD']) AS a;
CREATE TEMP TABLE item_of AS SELECT agency, id FROM check_items;
GRANT SELECT ON item_of TO PUBLIC;
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;

-- ---- no setting a role can change decides what is audited --------------------
SET ROLE rsec_plan_zd;
SET LOCAL spotcheck.bulk_audit = on;
INSERT INTO check_item_uses (item_id, used_by) SELECT id, 'plan:2026-07' FROM item_of WHERE agency = 'ZD';
INSERT INTO units (code, name, address, responsible_person, unit_type, agency)
    VALUES (pg_temp.code(20), '新单位', '地址', '人', '企业', 'ZD');
UPDATE units SET credit_class = 'C' WHERE code = pg_temp.code(1);
RESET spotcheck.bulk_audit;
RESET ROLE;
SELECT is((SELECT count(*) FROM audit_pending WHERE action = 'check_item_uses.insert'), 1::bigint,
    'with spotcheck.bulk_audit = on an item use is still audited');
SELECT is((SELECT count(*) FROM audit_pending WHERE action IN ('units.insert', 'units.update')
             AND object IN ('units:' || pg_temp.code(20), 'units:' || pg_temp.code(1))), 2::bigint,
    'and so are a unit inserted and a unit updated row by row');
SELECT is((SELECT count(*) FROM audit_pending WHERE action LIKE 'units.bulk_%'), 0::bigint,
    'the setting switched nothing to per-statement auditing');
SET ROLE rsec_plan_zd;
SELECT is(pg_temp.try_sql($$SELECT spotcheck.registry_bulk_begin(ARRAY['spotcheck.units'::regclass])$$),
    '42501: permission denied for function registry_bulk_begin', 'a planner cannot switch a table to bulk auditing');
SELECT is(pg_temp.try_sql($$SELECT spotcheck.registry_bulk_end()$$),
    '42501: permission denied for function registry_bulk_end', 'nor switch it back');
SELECT is(spotcheck.registry_bulk_active('spotcheck.units'), false, 'no table is in bulk mode outside a load');
RESET ROLE;

-- ---- an item use only for an item of one's own agency or its upper levels ----
SET ROLE rsec_plan_upper_zb;
SELECT is(pg_temp.try_sql(format($$INSERT INTO spotcheck.check_item_uses (item_id, used_by) VALUES (%s, 'plan:zb')$$,
                                 (SELECT id FROM item_of WHERE agency = 'ZD'))),
    '42501: new row violates row-level security policy for table "check_item_uses"',
    'a detachment planner (also of the upper level) cannot freeze a brigade''s item it may read');
SELECT is(pg_temp.try_sql(format($$INSERT INTO spotcheck.check_item_uses (item_id, used_by) VALUES (%s, 'plan:zb')$$,
                                 (SELECT id FROM item_of WHERE agency = 'ZB'))), 'ran',
    'it registers a use of its own item');
SELECT is(pg_temp.try_sql(format($$INSERT INTO spotcheck.check_item_uses (item_id, used_by) VALUES (%s, 'plan:zb')$$,
                                 (SELECT id FROM item_of WHERE agency = 'SD'))), 'ran',
    'and of an item it inherits');
SET ROLE rsec_plan_zd;
SELECT is(pg_temp.try_sql(format($$INSERT INTO spotcheck.check_item_uses (item_id, used_by) VALUES (%s, 'plan:zd')$$,
                                 (SELECT id FROM item_of WHERE agency = 'WCH'))),
    '42501: new row violates row-level security policy for table "check_item_uses"',
    'a brigade planner cannot freeze a sibling brigade''s item');
RESET ROLE;

-- ---- check_item_resolved returns only items the caller may read ---------------
SET ROLE rsec_insp_zd;
SELECT is((check_item_resolved((SELECT id FROM item_of WHERE agency = 'QD'))).id, NULL,
    'an inspector resolving another detachment''s item gets nothing');
SELECT is((SELECT count(*) FROM item_of i WHERE (check_item_resolved(i.id)).id IS NOT NULL), 3::bigint,
    'enumerating every id yields only its own and inherited items');
RESET ROLE;

-- ---- who holds a code or a certificate is not told to other agencies ---------
SET ROLE rsec_plan_zd;
SELECT is(pg_temp.try_sql($$SELECT * FROM spotcheck.registry_owners('units', ARRAY['x'])$$),
    '42883: function spotcheck.registry_owners(unknown, text[]) does not exist', 'no function lists the holders of codes');
SELECT is(pg_temp.try_sql($$SELECT spotcheck.inspector_certificate_holder('CERT-W1')$$),
    '42883: function spotcheck.inspector_certificate_holder(unknown) does not exist', 'nor of certificates');
SELECT is(pg_temp.try_sql(format($$INSERT INTO spotcheck.units (code, name, address, responsible_person, unit_type, agency)
                                  VALUES (%L, '抢注', '地址', '人', '企业', 'ZD')$$, pg_temp.code(5))),
    format('23505: unit "%s" is already registered, with another agency', pg_temp.code(5)),
    'registering another brigade''s unit says it is taken, not by whom');
SELECT is(pg_temp.try_sql($$INSERT INTO spotcheck.inspectors (code, name, agency, certificate_no) VALUES ('ZD-9', '某', 'ZD', 'cert-w1')$$),
    '23505: certificate "CERT-W1" of inspector "ZD-9" is already held by an inspector of another agency',
    'nor whose certificate a number is');
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency)
SELECT pg_temp.code(i), '单位' || i, '地址', '人', '企业', 'ZD' FROM generate_series(4, 6) i;
SELECT is((load_units('probe.csv')).rows_rejected, 3, 'a load naming three codes of another brigade rejects them');
SELECT is((SELECT count(*) FROM load_rejects WHERE reason LIKE '%with another agency, which you may not change'), 3::bigint,
    'and says only that another agency holds them');
SELECT is((SELECT count(*) FROM load_rejects WHERE reason LIKE '%WCH%'), 0::bigint, 'never which');
RESET ROLE;
SET ROLE rsec_admin;
SELECT is(pg_temp.try_sql(format($$INSERT INTO spotcheck.units (code, name, address, responsible_person, unit_type, agency)
                                  VALUES (%L, '抢注', '地址', '人', '企业', 'ZD')$$, pg_temp.code(5))),
    format('23505: unit "%s" is already registered, with agency "WCH"', pg_temp.code(5)),
    'an administrator, who may read every agency, is told which');
RESET ROLE;

-- a narrowing item below is not named to a writer who may not read it
INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year, valid_from)
    VALUES ('ZB', 'ZB-02', 't', 'b', 'c', '{实地检查}', 5, 1, '2024-01-01');
INSERT INTO check_items (agency, code, parent_item, ratio, valid_from)
    SELECT 'WCH', 'WCH-SECRET', id, 10, '2024-06-01' FROM check_items WHERE code = 'ZB-02';
SET ROLE rsec_plan_zb;
SELECT is(pg_temp.try_sql($$UPDATE spotcheck.check_items SET ratio = 20 WHERE code = 'ZB-02'$$),
    '23514: changing item "ZB-02" of agency "ZB" would make an item of an agency below it laxer than what it narrows',
    'loosening an item below a narrowing the detachment planner may not read does not name it');
RESET ROLE;
SET ROLE rsec_plan_upper_zb;
SELECT is(pg_temp.try_sql($$UPDATE spotcheck.check_items SET ratio = 20 WHERE code = 'ZB-02'$$),
    '23514: changing item "ZB-02" of agency "ZB" would make item "WCH-SECRET" of agency "WCH" laxer than what it narrows',
    'a member of the upper level, who reads the brigades, is told which');
RESET ROLE;

-- ---- batches and rejects are written by the loaders only ----------------------
SET ROLE rsec_plan_zd;
SELECT is(pg_temp.try_sql($$INSERT INTO spotcheck.load_batches (kind, loaded_by, rows_read) VALUES ('units', 'rsec_plan_zd', 99)$$),
    '42501: permission denied for table load_batches', 'a planner cannot forge a batch');
SELECT is(pg_temp.try_sql($$UPDATE spotcheck.load_batches SET rows_rejected = 0$$),
    '42501: permission denied for table load_batches', 'nor change its counts');
SELECT is(pg_temp.try_sql($$INSERT INTO spotcheck.load_rejects (batch_id, line_no, column_name, sqlstate, reason, row_data) VALUES (1, 1, 'x', 'x', 'x', '{}')$$),
    '42501: permission denied for table load_rejects', 'nor a reject');
RESET ROLE;

-- ---- internal helpers: no role may execute them -------------------------------
SET ROLE rsec_plan_zd;
SELECT is(pg_temp.try_sql(format('SELECT %s', f)), format('42501: permission denied for function %s', split_part(f, '(', 1)),
          format('a planner may not execute %s', split_part(f, '(', 1)))
  FROM unnest(ARRAY['unit_code_excepted(''x'')', 'unit_problems(NULL::spotcheck.units)',
                    'inspector_problems(NULL::spotcheck.inspectors)', 'load_units_write(''{ZD}'', NULL)',
                    'load_inspectors_write(''{ZD}'', NULL)', 'registry_change_digests(1)']) AS f;
-- a trigger function of the extension cannot be attached to a table of one's own
RESET ROLE;
CREATE SCHEMA rsec_own AUTHORIZATION rsec_plan_zd;
SET ROLE rsec_plan_zd;
CREATE TABLE rsec_own.fake (code text, agency text);
SELECT is(pg_temp.try_sql(format($$CREATE TRIGGER t AFTER INSERT ON rsec_own.fake REFERENCING NEW TABLE AS new_rows
                                  FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.%s$$, f)),
          format('42501: permission denied for function spotcheck.%s', split_part(f, '(', 1)),
          format('a role cannot attach %s to a table of its own', split_part(f, '(', 1)))
  FROM unnest(ARRAY['keep_history(''code'', ''agency'')', 'units_check()', 'inspectors_check()',
                    'check_items_check_below()', 'check_items_guard_delete()']) AS f;
RESET ROLE;

-- ---- the loader reads the caller's staging and nothing the caller supplies ----
SET ROLE rsec_plan_zd;
-- a temporary table named as the loader's working table, filled in advance
CREATE TEMP TABLE spotcheck_unit_claim AS SELECT * FROM spotcheck.unit_staging WITH NO DATA;
INSERT INTO spotcheck_unit_claim (code, name, address, responsible_person, unit_type, agency, staged_by, seq)
    VALUES (pg_temp.code(50), '塞进来的', '地址', '人', '企业', 'ZD', 'rsec_plan_wch', 1);
SELECT is((load_units('empty.csv')).rows_read, 0, 'a load with nothing staged reads nothing');
SELECT is((SELECT count(*) FROM units WHERE code = pg_temp.code(50)), 0::bigint,
    'rows planted in a look-alike temporary table are not loaded');
RESET ROLE;
SET ROLE rsec_plan_wch;
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency)
    VALUES (pg_temp.code(30), '文昌湖新单位', '地址', '人', '企业', 'WCH');
SET ROLE rsec_plan_zd;
SELECT is((load_units('others.csv')).rows_read, 0, 'a planner''s load never takes another role''s staged rows');
RESET ROLE;
SELECT is((SELECT count(*) FROM unit_staging WHERE staged_by = 'rsec_plan_wch'), 1::bigint, 'they stay staged');
SET ROLE rsec_insp_zd;
SELECT is(pg_temp.try_sql($$SELECT spotcheck.load_units()$$), '42501: permission denied for function load_units',
    'an inspector cannot load');
RESET ROLE;

-- ---- forged audit entries do not change what verification says --------------
SET ROLE rsec_plan_zd;
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency)
SELECT pg_temp.code(i), '批量单位' || i, '地址', '人', '企业', 'ZD' FROM generate_series(40, 44) i;
SELECT is((load_units('honest.csv')).rows_inserted, 5, 'an honest load of five units');
RESET ROLE;
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
CREATE TEMP TABLE verdict_before AS SELECT audit_seq, change_set, agency, ok FROM verify_registry_history();
GRANT SELECT ON verdict_before TO PUBLIC;
SET ROLE rsec_plan_zd;
SELECT ok(spotcheck.audit_append('units.bulk_update', 'units:change_set:' || (SELECT max(change_set) FROM verdict_before), 'ZD',
          jsonb_build_object('change_set', (SELECT max(change_set) FROM verdict_before), 'rows', 5, 'sha256', repeat('0', 64))) > 0,
    'a planner appends a forged units.bulk_update for the honest change set');
RESET ROLE;
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT is((SELECT count(*) FROM audit_log WHERE action = 'units.bulk_update' AND origin = 'manual'), 1::bigint,
    'the forged entry is on the chain, marked manual');
SELECT results_eq($$SELECT audit_seq, change_set, agency, ok FROM verify_registry_history() ORDER BY 1$$,
    $$SELECT audit_seq, change_set, agency, ok FROM verdict_before ORDER BY 1$$,
    'verify_registry_history gives the same verdict: it trusts only the extension''s entries');
SELECT is((SELECT bool_and(ok) FROM verify_registry_history()), true, 'the honest change set still verifies');
-- a check that fails says false, never null
ALTER TABLE registry_history DISABLE TRIGGER registry_history_append_only;
DELETE FROM registry_history WHERE change_set = (SELECT max(change_set) FROM verdict_before);
ALTER TABLE registry_history ENABLE TRIGGER registry_history_append_only;
SELECT results_eq($$SELECT ok, detail LIKE '%are missing%' FROM verify_registry_history()
                    WHERE change_set = (SELECT max(change_set) FROM verdict_before)$$,
    $$VALUES (false, true)$$, 'history rows removed behind the extension''s back: false, with why');
SELECT is((SELECT count(*) FROM verify_registry_history() WHERE ok IS NULL), 0::bigint, 'no verdict is null');
-- each role sees the verdicts of the agencies it may read
SET ROLE rsec_plan_wch;
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency)
    VALUES (pg_temp.code(60), '文昌湖批量', '地址', '人', '企业', 'WCH');
SELECT is((load_units('wch.csv')).rows_inserted, 2, 'another brigade loads its units (one staged earlier, one now)');
RESET ROLE;
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SET ROLE rsec_head_zd;
SELECT is((SELECT array_agg(DISTINCT agency) FROM verify_registry_history()), ARRAY['ZD'],
    'the head of one brigade gets the verdicts of its own agency only');
RESET ROLE;
SELECT is((SELECT array_agg(DISTINCT agency ORDER BY agency) FROM verify_registry_history()), ARRAY['WCH', 'ZD'],
    'a superuser gets every agency''s');

-- ---- errors quote at most a few dozen characters of the input -------------------
SET ROLE rsec_plan_zd;
SELECT cmp_ok(length(pg_temp.try_sql($$SELECT repeat('9', 10000000)::spotcheck.uscc$$)), '<', 200,
    'a 10 MB uscc input makes a short message');
SELECT is(pg_temp.try_sql($$SELECT repeat('9', 10000000)::spotcheck.uscc$$),
    '22P02: invalid unified social credit code "9999999999999999999999999999999999999999…" (10000000 characters): it has 10000000 characters, expected 18',
    'which quotes 40 characters and says how long the input was');
SELECT cmp_ok(length(pg_temp.try_sql($$SELECT spotcheck.uscc_check_char(repeat('Z', 1000000))$$)), '<', 300,
    'uscc_check_char too');
SELECT cmp_ok(length(pg_temp.try_sql(format($$INSERT INTO spotcheck.units (code, name, address, responsible_person, unit_type, agency)
                                             VALUES (%L, '某', '地址', '人', '企业', 'ZD')$$, repeat('9', 1000000)))), '<', 400,
    'a unit with a 1 MB code: a short message');
SELECT cmp_ok(length(pg_temp.try_sql(format($$INSERT INTO spotcheck.units (code, name, address, responsible_person, unit_type, agency)
                                             VALUES (%L, '某', '地址', '人', '企业', 'ZD')$$, repeat('z', 1000000)))), '<', 400,
    'also when the code has a letter outside the alphabet');
SELECT cmp_ok(length(pg_temp.try_sql(format($$INSERT INTO spotcheck.inspectors (code, name, agency, certificate_no)
                                             VALUES (%L, '某', 'ZD', 'C-LONG')$$, repeat('#', 1000000)))), '<', 300,
    'an inspector with a 1 MB code: a short message');
SELECT cmp_ok(length(pg_temp.try_sql(format($$INSERT INTO spotcheck.check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year)
                                             VALUES ('ZD', 'X', 't', 'b', 'c', ARRAY[%L], 5, 1)$$, repeat('法', 1000000)))), '<', 300,
    'an item with a 1 MB method: a short message');
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency, building_area, manager_phone)
    VALUES (repeat('9', 100000), '某', '地址', '人', '企业', 'ZD', repeat('1,', 100000), repeat('8', 100000));
SELECT is((load_units('huge.csv')).rows_rejected, 1, 'a load with huge fields rejects the row');
SELECT cmp_ok((SELECT max(length(reason)) FROM load_rejects WHERE batch_id = (SELECT max(id) FROM load_batches)), '<', 250,
    'with short reasons');
SELECT cmp_ok((SELECT max(length(value)) FROM load_rejects WHERE batch_id = (SELECT max(id) FROM load_batches)), '<=', 201,
    'and the rejected values clipped (the whole row stays in row_data)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
