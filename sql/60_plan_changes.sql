-- Reassignment (Article 16) and amendment (Article 20): every error of the
-- workflows as a client sees it, and every direct write refused with the
-- function to use.  Lays out a brigade of its own (BS, under ZB) and plans
-- its next month, so that deadlines are still ahead; ids, days, inspectors
-- and unit codes that change from run to run are masked.
\i sql/plan_setup.psql
\set ECHO none
CREATE FUNCTION pg_temp.masked(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(s,
           '\m(assignment|target|request|amendment|member|removed target) [0-9]+', '\1 N', 'g'),
           '\m(reassignment|amendment):[0-9]+', '\1:N', 'g'),
           '[0-9]{4}-[0-9]{2}-[0-9]{2}', '<day>', 'g'),
           '\m(BS|ZB)-[0-9]{3}\M', '<inspector>', 'g'),
           '\m[0-9A-Z]{18}\M', '<unit>', 'g'),
           '(_reassignment|_amendment|publish_plan|execute_plan)\([0-9]+([,)])', '\1(N\2', 'g'),
           'year [0-9]{4}', 'year <year>', 'g')
$$;
-- what a client sees, masked; brief: without the detail
CREATE FUNCTION pg_temp.t(stmt text) RETURNS text LANGUAGE sql AS $$ SELECT pg_temp.masked(pg_temp.try(stmt)) $$;
CREATE FUNCTION pg_temp.brief(stmt text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(pg_temp.t(stmt), '\n  DETAIL: [^\n]*', '')
$$;
GRANT EXECUTE ON FUNCTION pg_temp.masked(text), pg_temp.t(text), pg_temp.brief(text), pg_temp.try(text), pg_temp.mask(text) TO PUBLIC;
SELECT format('GRANT USAGE ON SCHEMA %s TO PUBLIC', pg_my_temp_schema()::regnamespace) \gexec
INSERT INTO agencies (code, name, level, parent, region) VALUES ('BS', '博山区消防救援大队', 'brigade', 'ZB', '370304');
SET spotcheck.bulk_audit = on;
INSERT INTO units (code, name, address, responsible_person, unit_type, agency, venue_category,
                   is_key_unit, is_crowded_place, credit_class, risk_level, active)
SELECT pg_temp.code(20000 + i), '博山单位' || i, '淄博市博山区路' || i || '号', '负责人', '企业', 'BS',
       CASE WHEN i % 25 = 0 THEN '宾馆饭店' ELSE '办公场所' END, i % 10 = 0 OR i % 25 = 0, i % 25 = 0, 'A', 1 + i % 4, true
  FROM generate_series(1, 200) i;
RESET spotcheck.bulk_audit;
INSERT INTO inspectors (code, name, agency, certificate_no, certificate_valid_until)
SELECT 'BS-' || lpad(i::text, 3, '0'), '博山' || i || '号', 'BS', 'CERT-BS-' || i, '2030-12-31' FROM generate_series(1, 6) i;
CREATE FUNCTION pg_temp.next_month() RETURNS date LANGUAGE sql STABLE AS $$
    SELECT (date_trunc('month', (now() AT TIME ZONE 'Asia/Shanghai')::date) + interval '1 month')::date
$$;
SELECT pg_temp.next_month() AS m, date_part('year', pg_temp.next_month())::int AS y \gset
INSERT INTO annual_plans (agency, year, entropy_declaration) VALUES ('BS', :y, 'witnesses') ON CONFLICT DO NOTHING;
INSERT INTO annual_plan_strata (agency, year, stratum, monthly_ratio) VALUES ('BS', :y, 'key_crowded', 10), ('BS', :y, 'key_other', 10), ('BS', :y, 'general', 3);
INSERT INTO annual_plan_items (agency, year, item_id) SELECT 'BS', :y, id FROM check_items WHERE code = 'ZB-01';
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['regress_ch_planner', 'regress_ch_head', 'regress_ch_upper', 'regress_ch_upper_sd', 'regress_ch_inspector'] LOOP
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP ROLE %I', r); END IF;
    END LOOP;
END $$;
CREATE ROLE regress_ch_planner IN ROLE spotcheck_planner;
CREATE ROLE regress_ch_head IN ROLE spotcheck_head;
CREATE ROLE regress_ch_upper IN ROLE spotcheck_upper;
CREATE ROLE regress_ch_upper_sd IN ROLE spotcheck_upper;
CREATE ROLE regress_ch_inspector IN ROLE spotcheck_inspector;
INSERT INTO agency_members (member, agency) VALUES ('regress_ch_planner', 'BS'), ('regress_ch_head', 'BS'), ('regress_ch_upper', 'ZB'),
    ('regress_ch_upper_sd', 'SD'), ('regress_ch_inspector', 'BS');
SET SESSION AUTHORIZATION regress_ch_planner;
SELECT plan_month('BS', :'m') AS plan \gset
SELECT execute_plan(:plan, '1') > 0 AS executed \gset
RESET SESSION AUTHORIZATION;
SELECT target AS t1, unit AS u1 FROM plan_targets WHERE plan = :plan ORDER BY target LIMIT 1 \gset
SELECT target AS t2, unit AS u2 FROM plan_targets WHERE plan = :plan ORDER BY target OFFSET 1 LIMIT 1 \gset
SELECT team_member AS a1 FROM plan_team WHERE target = :t1 AND member = 1 \gset
SELECT team_member AS a2 FROM plan_team WHERE target = :t1 AND member = 2 \gset
SELECT team_member AS a3 FROM plan_team WHERE target = :t2 AND member = 1 \gset
\set ECHO all

-- the terms each workflow accepts, in English or Chinese
SELECT 'reassignment_reason' AS what, code, label, spellings FROM plan_change_terms('reassignment_reason')
UNION ALL SELECT 'amendment_kind', code, label, spellings FROM plan_change_terms('amendment_kind')
UNION ALL SELECT 'removal_reason', code, label, spellings FROM plan_change_terms('removal_reason');

-- ---- request_reassignment -------------------------------------------------------
SET SESSION AUTHORIZATION regress_ch_planner;
SELECT pg_temp.t($$SELECT request_reassignment(NULL, 'leave', 'x')$$);
SELECT pg_temp.t($$SELECT request_reassignment(987654, 'leave', 'x')$$);
SELECT pg_temp.t(format($$SELECT request_reassignment(%s, 'vacation', 'x')$$, :a1));
SELECT pg_temp.t(format($$SELECT request_reassignment(%s, NULL, 'x')$$, :a1));
SELECT pg_temp.t(format($$SELECT request_reassignment(%s, '休假', ' ')$$, :a1));
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_ch_inspector;
SELECT pg_temp.t(format($$SELECT request_reassignment(%s, 'leave', 'x')$$, :a1));
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_ch_planner;
SELECT request_reassignment(:a1, '公差', '赴省厅公差') AS r1 \gset
SELECT reason, state, requested_by FROM reassignments WHERE id = :r1;
SELECT purpose, state, entropy_declaration, pool_size FROM draws WHERE draw = (SELECT redraw FROM reassignments WHERE id = :r1);
SELECT pg_temp.t(format($$SELECT request_reassignment(%s, 'leave', 'x')$$, :a1));
SELECT pg_temp.t(format($$SELECT request_reassignment(%s, 'leave', 'x')$$, :a2));
SELECT pg_temp.t(format($$SELECT execute_draw(%s, '')$$, (SELECT redraw FROM reassignments WHERE id = :r1)));
SELECT pg_temp.t(format($$SELECT abandon_draw(%s, 'x')$$, (SELECT redraw FROM reassignments WHERE id = :r1)));
RESET SESSION AUTHORIZATION;
-- an empty pool: every other inspector absent on the deadline
INSERT INTO inspector_absences (inspector, starts, ends, reason, note)
SELECT code, (SELECT deadline FROM plan_target WHERE id = :t2), (SELECT deadline FROM plan_target WHERE id = :t2), 'training', 'regress'
  FROM inspectors WHERE agency = 'BS';
SET SESSION AUTHORIZATION regress_ch_planner;
SELECT pg_temp.brief(format($$SELECT request_reassignment(%s, 'leave', 'x')$$, :a3));
RESET SESSION AUTHORIZATION;
DELETE FROM inspector_absences WHERE note = 'regress';

-- ---- approve_reassignment -------------------------------------------------------
SET SESSION AUTHORIZATION regress_ch_planner;
SELECT pg_temp.t(format($$SELECT approve_reassignment(%s, true, 'ok')$$, :r1));
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_ch_upper;
SELECT pg_temp.t(format($$SELECT approve_reassignment(%s, true, 'ok')$$, :r1));
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_ch_head;
SELECT pg_temp.t(format($$SELECT approve_reassignment(%s, NULL, 'ok')$$, :r1));
SELECT pg_temp.t(format($$SELECT approve_reassignment(%s, true, '')$$, :r1));
SELECT pg_temp.t(format($$SELECT approve_reassignment(%s, true, '同意')$$, :r1));
SELECT pg_temp.t(format($$SELECT approve_reassignment(%s, true, '同意')$$, :r1));
SELECT pg_temp.t(format($$SELECT request_reassignment(%s, 'leave', '休假')$$, :a1));
SELECT state, decided_by, decision_note, new_team_member IS NOT NULL AS replaced FROM reassignments WHERE id = :r1;
RESET SESSION AUTHORIZATION;
SELECT substring(pg_temp.t(format($$SELECT execute_draw(%s, '')$$, (SELECT redraw FROM reassignments WHERE id = :r1))) FROM '^[^\n]* executed');

-- ---- file_reassignment ------------------------------------------------------------
SET SESSION AUTHORIZATION regress_ch_head;
SELECT pg_temp.t(format($$SELECT file_reassignment(%s)$$, :r1));
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_ch_upper_sd;
SELECT pg_temp.t(format($$SELECT file_reassignment(%s)$$, :r1));
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_ch_upper;
SELECT count(*) AS to_file FROM reassignments_to_file WHERE agency = 'BS';
SELECT pg_temp.t(format($$SELECT file_reassignment(%s)$$, :r1));
SELECT pg_temp.t(format($$SELECT file_reassignment(%s)$$, :r1));
SELECT count(*) AS to_file FROM reassignments_to_file WHERE agency = 'BS';
RESET SESSION AUTHORIZATION;
-- every step, in the audit log
SELECT action, details->>'reason' AS reason FROM audit_log
 WHERE object IN ('reassignment:' || :r1, 'draw:' || (SELECT redraw FROM reassignments WHERE id = :r1)) AND origin = 'extension' ORDER BY seq;

-- ---- request_amendment -------------------------------------------------------------
SET SESSION AUTHORIZATION regress_ch_planner;
SELECT pg_temp.t($$SELECT request_amendment(987654, 'remove', 'x', 'closed', 'x')$$);
-- executed, not yet published: nothing to amend; a planner publishes it
SELECT pg_temp.t(format($$SELECT request_amendment(%s, 'remove', %L, 'closed', 'x')$$, :plan, :'u2'));
SELECT publish_plan(:plan) > 0 AS published;
SELECT plan_is_published(:plan) AS published;
-- once published, it is never abandoned: it changes only by an amendment
SELECT pg_temp.t(format($$SELECT abandon_plan(%s, 'redraw')$$, :plan));
RESET SESSION AUTHORIZATION;
SELECT pg_temp.t(format($$UPDATE plan SET abandoned_at = now(), abandoned_by = 'dba', abandon_reason = 'x' WHERE id = %s$$, :plan));
SET SESSION AUTHORIZATION regress_ch_planner;
SELECT pg_temp.t(format($$SELECT request_amendment(%s, 'suspend', %L, 'closed', 'x')$$, :plan, :'u2'));
SELECT pg_temp.t(format($$SELECT request_amendment(%s, 'remove', 'NOPE', 'closed', 'x')$$, :plan));
SELECT pg_temp.t(format($$SELECT request_amendment(%s, 'remove', %L, 'bankrupt', 'x')$$, :plan, :'u2'));
SELECT pg_temp.t(format($$SELECT request_amendment(%s, 'remove', %L, 'closed', '')$$, :plan, :'u2'));
SELECT pg_temp.t(format($$SELECT request_amendment(%s, 'deadline', %L, 'flood', 'x')$$, :plan, :'u2'));
SELECT pg_temp.t(format($$SELECT request_amendment(%s, 'deadline', %L, '检查员博山1号家中有事', 'x', %L)$$, :plan, :'u2', :'m'));
SELECT pg_temp.t(format($$SELECT request_amendment(%s, 'deadline', %L, '单位请求延期，电话13905330001', 'x', %L)$$, :plan, :'u2', :'m'));
SELECT pg_temp.t(format($$SELECT request_amendment(%s, 'deadline', %L, 'flood', 'x', %L)$$, :plan, :'u2', make_date(:y + 1, 6, 1)));
SELECT pg_temp.t(format($$SELECT request_amendment(%s, 'replace', %L, 'x', 'x')$$, :plan, :'u2'));
SELECT request_amendment(:plan, 'remove', :'u2', '拆除', '已拆除') AS am \gset
SELECT pg_temp.t(format($$SELECT request_amendment(%s, 'deadline', %L, 'flood', 'x', %L)$$, :plan, :'u2', :'m'));
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_ch_head;
SELECT pg_temp.t(format($$SELECT request_amendment(%s, 'remove', %L, 'closed', 'x')$$, :plan, :'u1'));

-- ---- decide_amendment ----------------------------------------------------------------
SELECT pg_temp.t(format($$SELECT decide_amendment(%s, true, 'ok')$$, :am));
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_ch_upper_sd;
SELECT pg_temp.t(format($$SELECT decide_amendment(%s, true, 'ok')$$, :am));
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_ch_upper;
SELECT pg_temp.t(format($$SELECT decide_amendment(%s, NULL, 'ok')$$, :am));
SELECT pg_temp.t(format($$SELECT decide_amendment(%s, true, '同意')$$, :am));
SELECT pg_temp.t(format($$SELECT decide_amendment(%s, true, '同意')$$, :am));
SELECT kind, reason_label, state, decided_by FROM amendments WHERE amendment = :am;
SELECT state, removed_by = :am AS by_it FROM plan_targets WHERE target = :t2;
RESET SESSION AUTHORIZATION;

-- ---- no change by hand (here as the tables' owner) ------------------------------------
SELECT pg_temp.t(format('UPDATE plan_team_member SET inspector = inspector WHERE id = %s', :a2));
SELECT pg_temp.t(format('DELETE FROM plan_team_member WHERE id = %s', :a2));
SELECT pg_temp.t(format('INSERT INTO plan_team_member (plan_target, member, inspector, side, over_cap, draw) SELECT plan_target, 3, %L, side, false, draw FROM plan_team_member WHERE id = %s', 'BS-006', :a2));
SELECT pg_temp.t(format('UPDATE plan_target SET deadline = deadline + 1 WHERE id = %s', :t1));
SELECT pg_temp.t(format('UPDATE plan_target SET removed_by = NULL WHERE id = %s', :t2));
SELECT pg_temp.t(format('DELETE FROM plan_target WHERE id = %s', :t1));
SELECT pg_temp.t(format('INSERT INTO plan_target (plan, unit, stratum, rank, weight, deadline, draw) SELECT plan, %L, stratum, 9, weight, deadline, draw FROM plan_target WHERE id = %s', pg_temp.code(20199), :t1));
SELECT pg_temp.t(format('INSERT INTO plan_target_item (plan_target, item_id) SELECT %s, id FROM check_items WHERE code = ''ZD-01''', :t1));
SELECT pg_temp.t(format('UPDATE reassignments SET note = ''x'' WHERE id = %s', :r1));
SELECT pg_temp.t(format('DELETE FROM reassignments WHERE id = %s', :r1));
SELECT pg_temp.t(format('UPDATE plan_amendments SET state = ''rejected'' WHERE id = %s', :am));
SELECT pg_temp.t(format('DELETE FROM plan_amendments WHERE id = %s', :am));
SELECT pg_temp.t('TRUNCATE plan_amendments');
SELECT pg_temp.t('TRUNCATE plan_team_member CASCADE');
-- and as a role of the extension
SET SESSION AUTHORIZATION regress_ch_head;
SELECT pg_temp.t(format('UPDATE plan_team_member SET inspector = inspector WHERE id = %s', :a2));
SELECT pg_temp.t(format('UPDATE reassignments SET state = ''refused'' WHERE id = %s', :r1));
RESET SESSION AUTHORIZATION;

-- the plan verifies, its changes included
SELECT check_name, ok FROM verify_plan(:plan) WHERE check_name IN ('targets_are_drawn', 'teams_are_drawn', 'team_sizes', 'reassignments',
       'team_changes_recorded', 'amendments', 'target_changes_recorded');
\set ECHO none
DELETE FROM agency_members WHERE member LIKE 'regress_ch_%';
DROP ROLE regress_ch_planner, regress_ch_head, regress_ch_upper, regress_ch_upper_sd, regress_ch_inspector;
\set ECHO all
