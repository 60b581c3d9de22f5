-- Attacks on the draws and the audit log, run as the low-privilege roles
-- that would try them.  Each test asserts the refusal, so a change that
-- reopens a hole fails here.  Statements run in autocommit where a draw must
-- be committed in one transaction and executed in another.
SET client_min_messages = warning;
SELECT * FROM no_plan();
\ir registry_helpers.psql
\ir helpers.psql

CREATE ROLE sec_planner_zd LOGIN IN ROLE spotcheck_planner;
CREATE ROLE sec_planner_wch LOGIN IN ROLE spotcheck_planner;
CREATE ROLE sec_admin LOGIN IN ROLE spotcheck_admin;
CREATE ROLE sec_head_zd LOGIN IN ROLE spotcheck_head;
CREATE ROLE sec_inspector_zd LOGIN IN ROLE spotcheck_inspector;
CREATE ROLE sec_public LOGIN IN ROLE spotcheck_public;
INSERT INTO spotcheck.agency_members (member, agency) VALUES
    ('sec_planner_zd', 'ZD'), ('sec_planner_wch', 'WCH'), ('sec_head_zd', 'ZD'), ('sec_inspector_zd', 'ZD');
INSERT INTO spotcheck.units (code, name, address, responsible_person, unit_type, agency)
SELECT pg_temp.code(i), CASE WHEN i <= 6 THEN '张店单位' ELSE '文昌湖单位' END || i, '地址' || i,
       '负责人' || i, '企业', CASE WHEN i <= 6 THEN 'ZD' ELSE 'WCH' END
  FROM generate_series(1, 10) i;

-- what a caller-supplied function saw: the role it ran as
CREATE TABLE public.seen_as (who text, what text);
GRANT ALL ON public.seen_as TO PUBLIC;

-- ---- a caller's relation is read with the caller's rights, never the owner's ----
SET ROLE sec_planner_zd;
CREATE FUNCTION pg_temp.evil(what text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.seen_as VALUES (current_user, what);
    BEGIN
        EXECUTE format('ALTER ROLE %I SUPERUSER', session_user);
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
    RETURN true;
END $$;
CREATE TEMP VIEW evil_pool AS
    SELECT k AS key, 'general'::text AS stratum, 1 AS weight FROM (VALUES ('u1'), ('u2'), ('u3')) t(k) WHERE pg_temp.evil('pool');
CREATE TEMP VIEW evil_inspectors AS
    SELECT k AS key FROM (VALUES ('i1'), ('i2'), ('i3')) t(k) WHERE pg_temp.evil('inspectors');
CREATE TEMP VIEW evil_exclusions AS
    SELECT 'i1'::text AS inspector, 'u1'::text AS target WHERE pg_temp.evil('exclusions');
SELECT lives_ok($$SELECT spotcheck.commit_draw('evil_pool', '{"general": 1}', 'x', 'evil_inspectors', 2,
                                                'evil_exclusions', agency => 'ZD')$$,
                'a planner commits a draw over views that call its own functions');
RESET ROLE;
SELECT results_eq($$SELECT DISTINCT who FROM public.seen_as$$, $$VALUES ('sec_planner_zd')$$,
    'the functions in the pool, inspector and exclusion views ran as the planner, not as the extension''s owner');
SELECT results_eq($$SELECT what FROM public.seen_as GROUP BY what ORDER BY what$$,
    $$VALUES ('exclusions'), ('inspectors'), ('pool')$$, 'all three arguments were read');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'sec_planner_zd'), false,
    'and the planner did not become a superuser');

-- ---- row-level security holds for what a pool freezes ----------------------------
SET ROLE sec_planner_zd;
CREATE TEMP VIEW my_units AS SELECT code AS key, 'general'::text AS stratum, 1 AS weight FROM spotcheck.units;
SELECT spotcheck.commit_draw('my_units', '{"general": 2}', 'witnesses', agency => 'ZD') AS zd_draw \gset
RESET ROLE;
SELECT is((SELECT count(*) FROM spotcheck.draw_pool WHERE draw = :zd_draw), 6::bigint,
    'a pool over spotcheck.units freezes only the rows of the planner''s own agency');
SET ROLE sec_planner_wch;
SELECT is((SELECT count(*) FROM spotcheck.draw_pool WHERE draw = :zd_draw), 0::bigint,
    'another brigade''s planner sees nothing of that frozen pool');
SELECT is((SELECT count(*) FROM spotcheck.draws WHERE draw = :zd_draw), 0::bigint, 'nor the draw in the list');
SELECT is(pg_temp.try_sql(format('SELECT spotcheck.draw_transcript(%s)', :zd_draw)),
    format('42501: permission denied: role sec_planner_wch may not read draw %s of agency ZD', :zd_draw),
    'nor its transcript');
SELECT is(pg_temp.try_sql(format('SELECT spotcheck.verify_draw(%s)', :zd_draw)),
    format('42501: permission denied: role sec_planner_wch may not read draw %s of agency ZD', :zd_draw),
    'nor may it verify it');
RESET ROLE;
SET ROLE sec_inspector_zd;
SELECT is((SELECT count(*) FROM spotcheck.draw_pool WHERE draw = :zd_draw), 6::bigint,
    'an inspector of the agency reads its frozen pool');
RESET ROLE;

-- ---- rights over agencies ------------------------------------------------------------
SET ROLE sec_planner_wch;
SELECT is(pg_temp.try_sql(format('SELECT spotcheck.execute_draw(%s, %L)', :zd_draw, 'chosen by me')),
    format('42501: permission denied: role sec_planner_wch may not execute draw %s for agency ZD: it is not a member of that agency', :zd_draw),
    'a planner of another brigade cannot execute the draw');
SELECT is(pg_temp.try_sql(format('SELECT spotcheck.abandon_draw(%s, %L)', :zd_draw, 'not mine')),
    format('42501: permission denied: role sec_planner_wch may not abandon draw %s for agency ZD: it is not a member of that agency', :zd_draw),
    'nor abandon it');
SELECT is(pg_temp.try_sql($$SELECT spotcheck.commit_draw_values('forged', ARRAY['u1', 'u2'], ARRAY['general', 'general'],
                                                       ARRAY[1, 1]::bigint[], '{"general": 1}', 'x', agency => 'ZD')$$),
    '42501: permission denied: role sec_planner_wch may not commit a draw for agency ZD: it is not a member of that agency',
    'nor commit a draw for it');
SELECT is(pg_temp.try_sql($$SELECT spotcheck.commit_draw_values('forged', ARRAY['u1', 'u2'], ARRAY['general', 'general'],
                                                       ARRAY[1, 1]::bigint[], '{"general": 1}', 'x')$$),
    '42501: permission denied: role sec_planner_wch may not commit a draw without naming an agency',
    'nor one of no agency');
SELECT is(pg_temp.try_sql($$SELECT spotcheck.draw_commit_with('forged', ARRAY['u1'], ARRAY['general'], ARRAY[1]::bigint[],
                                                     '{"general": 1}', 'x', NULL, NULL, NULL, NULL, 'targets', 'WCH',
                                                     sha256('chosen'), 'generated')$$),
    '42501: permission denied for function draw_commit_with', 'nor call the internal commit with a secret of its choice');
SELECT is(pg_temp.try_sql(format('SELECT spotcheck.draw_execute(%s, %L)', :zd_draw, 'x')),
    '42501: permission denied for function draw_execute', 'nor the internal execution');
RESET ROLE;
SET ROLE sec_head_zd;
SELECT is(pg_temp.try_sql(format('SELECT spotcheck.execute_draw(%s, %L)', :zd_draw, 'x')),
    '42501: permission denied for function execute_draw', 'the head does not execute plan draws');
RESET ROLE;
SET ROLE sec_inspector_zd;
SELECT is(pg_temp.try_sql($$SELECT spotcheck.commit_draw('public.seen_as', '{}', 'x', agency => 'ZD')$$),
    '42501: permission denied for function commit_draw', 'an inspector cannot commit draws');
RESET ROLE;
SET ROLE sec_admin;
SELECT ok(pg_temp.try_sql(format('SELECT spotcheck.abandon_draw(%s, %L)',
    spotcheck.commit_draw_values('admin', ARRAY['u1', 'u2'], ARRAY['general', 'general'], ARRAY[1, 1]::bigint[],
                                 '{"general": 1}', 'x', agency => 'SN'), 'test')) = 'ran',
    'an administrator acts for any agency');
RESET ROLE;

-- ---- no transaction sees a result it can still roll back ---------------------------
SET ROLE sec_planner_zd;
BEGIN;
SELECT spotcheck.execute_draw(:zd_draw, 'witnesses: 111 222 333') AS n_in_tx \gset
SELECT pg_temp.try_sql(format('SELECT spotcheck.draw_transcript(%s)', :zd_draw)) AS transcript_in_tx,
       pg_temp.try_sql(format('SELECT spotcheck.verify_draw(%s)', :zd_draw)) AS verify_in_tx,
       (SELECT count(*) FROM spotcheck.draw_selected WHERE draw = :zd_draw) AS selected_in_tx,
       (SELECT seed IS NULL AND failure_reason IS NULL FROM spotcheck.draws WHERE draw = :zd_draw) AS no_seed_in_tx,
       pg_temp.try_sql('SELECT * FROM spotcheck.draw_secret') AS secret_in_tx,
       pg_temp.try_sql('SELECT * FROM spotcheck.draw') AS draw_table_in_tx
\gset
ROLLBACK;
RESET ROLE;
SELECT is(:'transcript_in_tx',
    format('25000: draw %s was executed in this transaction; its result is revealed once the transaction commits', :zd_draw),
    'the executing transaction cannot read the transcript and its secret');
SELECT is(:'verify_in_tx',
    format('25000: draw %s was executed in this transaction; its result is revealed once the transaction commits', :zd_draw),
    'nor recompute the result through verify_draw');
SELECT is(:selected_in_tx, 0, 'nor read the selection');
SELECT ok(:'no_seed_in_tx', 'nor the seed from spotcheck.draws');
SELECT matches(:'secret_in_tx'::text, '^42501', 'nor the secrets');
SELECT matches(:'draw_table_in_tx'::text, '^42501', 'nor the draw table itself');
-- an administrator reads the audit log: chaining early in the executing
-- transaction shows an entry that gives nothing away
SET ROLE sec_admin;
BEGIN;
SELECT spotcheck.execute_draw(:zd_draw, 'witnesses: 111 222 333') AS n_admin \gset
SET CONSTRAINTS ALL IMMEDIATE;
SELECT details AS execute_entry FROM spotcheck.audit_log
 WHERE action = 'draw.execute' AND object = 'draw:' || :zd_draw \gset
ROLLBACK;
RESET ROLE;
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(:'execute_entry'::jsonb) k),
    ARRAY['entropy', 'result_digest', 'selected_count', 'teams_digest'],
    'the execution''s audit entry holds no seed, only digests');
SELECT isnt(:'execute_entry'::jsonb->>'result_digest',
    (SELECT encode(sha256(convert_to(string_agg(stratum || E'\t' || rank || E'\t' || key || E'\t' || encode(ticket, 'hex') || E'\n',
                                                '' ORDER BY stratum, rank), 'UTF8')), 'hex')
       FROM spotcheck.draw_selection(:zd_draw, spotcheck.draw_stream_seed(spotcheck.draw_seed(
                (SELECT secret FROM spotcheck.draw_secret WHERE draw = :zd_draw),
                (SELECT pool_digest FROM spotcheck.draw WHERE id = :zd_draw),
                (SELECT quota_digest FROM spotcheck.draw WHERE id = :zd_draw), 'witnesses: 111 222 333'), 'targets'))),
    'and the result digest is keyed with the secret, so trying the few possible results does not match it');
SELECT is((SELECT state FROM spotcheck.draws WHERE draw = :zd_draw), 'committed', 'both rolled-back executions left the draw committed');
SET ROLE sec_planner_zd;
SELECT is(spotcheck.execute_draw(:zd_draw, 'witnesses: 111 222 333'), 2, 'executed for real, in its own transaction');
SELECT is((SELECT count(*) FROM spotcheck.draw_selected WHERE draw = :zd_draw), 2::bigint, 'the selection is visible once committed');
SELECT ok(spotcheck.draw_transcript(:zd_draw) ? 'secret', 'and the transcript reveals the secret');
RESET ROLE;

-- ---- audited changes stay on the chain whatever the session sets ----------------
SET ROLE sec_planner_zd;
BEGIN;
SELECT set_config('spotcheck.audit_marker', pg_current_xact_id()::text, true) IS NOT NULL AS forged_marker \gset
UPDATE spotcheck.units SET name = 'silently renamed' WHERE code = pg_temp.code(1);
COMMIT;
RESET ROLE;
SELECT is((SELECT count(*) FROM spotcheck.audit_log WHERE action = 'units.update' AND details->'new'->>'name' = 'silently renamed'),
    1::bigint, 'a change committed with a forged marker setting is on the chain');
SELECT is((SELECT count(*) FROM spotcheck.audit_pending), 0::bigint, 'and nothing is left pending');
SELECT is((SELECT ok FROM spotcheck.verify_audit_chain()), true, 'the chain verifies');

-- ---- forged entries do not pass for the extension's own -------------------------
SELECT last_value + 1 AS next_draw FROM spotcheck.draw_id_seq \gset
SET ROLE sec_planner_zd;
SELECT spotcheck.audit_append('draw.commit', 'draw:' || :next_draw, 'ZD',
                              '{"commitment": "00", "pool_digest": "00"}') IS NOT NULL AS forged \gset
SELECT spotcheck.commit_draw('my_units', '{"general": 2}', 'witnesses', agency => 'ZD') AS honest_draw \gset
RESET ROLE;
SELECT is(:honest_draw, :next_draw, 'the forger guessed the next draw''s id');
SELECT is((SELECT origin FROM spotcheck.audit_log WHERE action = 'draw.commit' AND object = 'draw:' || :honest_draw ORDER BY seq LIMIT 1),
    'manual', 'the forged draw.commit entry was recorded, as a manual note, before the honest one');
SELECT is((SELECT ok FROM spotcheck.verify_draw(:honest_draw) WHERE check_name = 'commit_audited'), true,
    'verify_draw trusts only the extension''s entry, so the honest draw still verifies');
SET ROLE sec_planner_zd;
SELECT is(pg_temp.try_sql($$CREATE TEMP TABLE forge (k text, agency text)$$), 'ran', 'a planner may create a table of its own');
SELECT is(pg_temp.try_sql($$CREATE TRIGGER forge AFTER INSERT ON pg_temp.forge FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('k')$$),
    '42501: permission denied for function spotcheck.audit_row_change', 'but cannot attach the audit trigger to it to write entries of origin extension');
RESET ROLE;

-- ---- the audit log shows a role the entries of its agencies only ----------------
CREATE ROLE sec_head_wch LOGIN IN ROLE spotcheck_head;
INSERT INTO spotcheck.agency_members (member, agency) VALUES ('sec_head_wch', 'WCH');
SET ROLE sec_head_wch;
SELECT is((SELECT count(*) FROM spotcheck.audit_log WHERE agency = 'ZD'), 0::bigint,
    'the head of one brigade reads no audit entry of another (they hold that brigade''s units, names and phones)');
SELECT ok((SELECT count(*) FROM spotcheck.audit_log WHERE agency = 'WCH') > 0, 'but reads its own brigade''s');
SELECT is((SELECT ok FROM spotcheck.verify_audit_chain()), true, 'and can still verify the whole chain');
RESET ROLE;

-- ---- verifications never answer null -----------------------------------------------
-- an executed draw whose audit entries were removed behind the extension's back
SET session_replication_role = replica;
CREATE TEMP TABLE kept_log AS SELECT * FROM spotcheck.audit_log WHERE object = 'draw:' || :zd_draw;
DELETE FROM spotcheck.audit_log WHERE object = 'draw:' || :zd_draw;
RESET session_replication_role;
SELECT is((SELECT count(*) FROM spotcheck.verify_draw(:zd_draw) WHERE ok IS NULL), 0::bigint,
    'verify_draw answers true or false for every check');
SELECT results_eq(format($$SELECT check_name, ok FROM spotcheck.verify_draw(%s) WHERE check_name IN ('commit_audited', 'team_inputs', 'execute_audited')$$, :zd_draw),
    $$VALUES ('commit_audited', false), ('execute_audited', false)$$,
    'and says false where the audit log no longer backs the draw');
SELECT is((SELECT ok FROM spotcheck.verify_audit_chain()), false, 'the chain itself shows the removal');
SET session_replication_role = replica;
INSERT INTO spotcheck.audit_log SELECT * FROM kept_log;
RESET session_replication_role;
SELECT is((SELECT ok FROM spotcheck.verify_audit_chain()), true, 'and verifies again once the entries are back');
SELECT is((SELECT count(*) FROM spotcheck.draws d, spotcheck.verify_draw(d.draw) v WHERE v.ok IS NULL), 0::bigint,
    'no check of any draw is null, executed or not');

-- a committed transaction whose entries never joined the chain is reported
ALTER TABLE spotcheck.audit_chain_marker DISABLE TRIGGER audit_chain;
UPDATE spotcheck.units SET name = 'renamed with the chaining off' WHERE code = pg_temp.code(2);
ALTER TABLE spotcheck.audit_chain_marker ENABLE TRIGGER audit_chain;
SELECT matches((SELECT detail FROM spotcheck.verify_audit_chain() WHERE NOT ok),
    '^1 entry of committed transactions never joined the chain',
    'entries left pending by a committed transaction are reported, not ignored');

SELECT * FROM finish();

-- ---- clean up the cluster-wide roles -----------------------------------------------
DELETE FROM spotcheck.agency_members WHERE member LIKE 'sec\_%';
DROP OWNED BY sec_planner_zd, sec_planner_wch, sec_admin, sec_head_zd, sec_head_wch, sec_inspector_zd, sec_public;
DROP ROLE sec_planner_zd, sec_planner_wch, sec_admin, sec_head_zd, sec_head_wch, sec_inspector_zd, sec_public;
