-- The audit log: what gets recorded, that nobody changes it through SQL,
-- and that verify_audit_chain() finds every kind of tampering, including by
-- a superuser who switched the protecting triggers off.
BEGIN;
SELECT plan(54);

CREATE TABLE public.registry (k text PRIMARY KEY, agency text, v int);
CREATE TRIGGER registry_audit AFTER INSERT OR UPDATE OR DELETE ON public.registry
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('k', 'agency');
CREATE TRIGGER registry_audit_truncate AFTER TRUNCATE ON public.registry
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.audit_row_change();

-- ---- recording ---------------------------------------------------------------
SELECT results_eq($$SELECT ok, entries, first_bad FROM spotcheck.verify_audit_chain()$$,
    $$VALUES (true, 0::bigint, NULL::bigint)$$, 'an empty log verifies');
SELECT results_eq($$SELECT seq, hash_hex FROM spotcheck.audit_head()$$,
    $$VALUES (0::bigint, repeat('00', 32))$$, 'the head of an empty log is entry 0 with a zero hash');
INSERT INTO public.registry VALUES ('u1', '370303', 1), ('u2', '370304', 2);
SELECT is((SELECT count(*) FROM spotcheck.audit_pending), 2::bigint,
          'entries wait as pending until the transaction commits');
SELECT is((SELECT count(*) FROM spotcheck.audit_log), 0::bigint, 'and are not on the chain yet');
SET CONSTRAINTS ALL IMMEDIATE;
SELECT is((SELECT count(*) FROM spotcheck.audit_log), 2::bigint, 'chaining moves them onto the chain');
SELECT is((SELECT count(*) FROM spotcheck.audit_pending), 0::bigint, 'and clears the pending entries');
SET CONSTRAINTS ALL DEFERRED;

UPDATE public.registry SET v = 10 WHERE k = 'u1';
UPDATE public.registry SET v = 10 WHERE k = 'u1';     -- changes nothing
DELETE FROM public.registry WHERE k = 'u2';
SELECT ok(spotcheck.audit_append('plan.note', 'plan:2026-12', NULL, '{"units": 12}') IS NOT NULL,
          'audit_append records a note');
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;

SELECT results_eq(
    $$SELECT seq, action, object, agency FROM spotcheck.audit_log ORDER BY seq$$,
    $$VALUES (1::bigint, 'registry.insert', 'registry:u1', '370303'),
             (2, 'registry.insert', 'registry:u2', '370304'),
             (3, 'registry.update', 'registry:u1', '370303'),
             (4, 'registry.delete', 'registry:u2', '370304'),
             (5, 'plan.note', 'plan:2026-12', NULL)$$,
    'every change is one entry, in order, with no entry for an update that changed nothing');
SELECT is((SELECT details FROM spotcheck.audit_log WHERE seq = 3),
          '{"old": {"k": "u1", "v": 1, "agency": "370303"}, "new": {"k": "u1", "v": 10, "agency": "370303"}}'::jsonb,
          'an update records what the row was and what it became');
SELECT is((SELECT details -> 'new' FROM spotcheck.audit_log WHERE seq = 4), 'null'::jsonb,
          'a delete records the row that went');
SELECT is((SELECT actor FROM spotcheck.audit_log WHERE seq = 1), session_user::text,
          'the actor is the session''s login role');
SELECT results_eq($$SELECT origin FROM spotcheck.audit_log ORDER BY seq$$,
    $$VALUES ('extension'), ('extension'), ('extension'), ('extension'), ('manual')$$,
    'what the extension''s triggers wrote has origin extension, a note added by hand origin manual');

-- actor is the login role even when a SECURITY DEFINER function makes the change
CREATE ROLE audit_clerk LOGIN;
GRANT spotcheck_planner TO audit_clerk;
GRANT ALL ON public.registry TO audit_clerk;
SET SESSION AUTHORIZATION audit_clerk;
INSERT INTO public.registry VALUES ('u3', '370303', 3);
RESET SESSION AUTHORIZATION;
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT is((SELECT actor FROM spotcheck.audit_log WHERE object = 'registry:u3'), 'audit_clerk',
          'a change made by a login role through the trigger is attributed to that role');

TRUNCATE public.registry;
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT is((SELECT action FROM spotcheck.audit_log ORDER BY seq DESC LIMIT 1), 'registry.truncate',
          'a truncate of an audited table is recorded');

-- a rolled-back change leaves nothing, and no gap
SAVEPOINT before_rollback;
INSERT INTO public.registry VALUES ('u9', '370303', 9);
ROLLBACK TO SAVEPOINT before_rollback;
INSERT INTO public.registry VALUES ('u4', '370303', 4);
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT is((SELECT count(*) FROM spotcheck.audit_log WHERE object = 'registry:u9'), 0::bigint,
          'a rolled-back change is not on the chain');
SELECT is((SELECT max(seq) - count(*) FROM spotcheck.audit_log), 0::bigint,
          'sequence numbers have no gap');

-- ---- chaining -----------------------------------------------------------------
-- a transaction with more entries than are taken before the chain lock (256)
-- chains them all, in the order they were made
INSERT INTO public.registry SELECT 'b' || lpad(i::text, 4, '0'), '370303', i FROM generate_series(1, 600) i;
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT results_eq(
    $$SELECT count(*), bool_and(object = 'registry:b' || lpad((seq - first + 1)::text, 4, '0')), max(seq) - min(seq) + 1
        FROM (SELECT l.*, min(seq) OVER () AS first FROM spotcheck.audit_log l WHERE l.object LIKE 'registry:b%') x$$,
    $$VALUES (600::bigint, true, 600::bigint)$$,
    'a transaction''s 600 entries are chained together, in the order they were made');
SELECT is((SELECT count(*) FROM spotcheck.audit_pending) + (SELECT count(*) FROM spotcheck.audit_chain_marker), 0::bigint,
          'and leave nothing pending');

-- the trigger functions only work as the triggers they are, and no role may
-- attach them to a table of its own
SELECT throws_ok($$SELECT spotcheck.audit_chain_pending()$$, '39P01',
    'audit_chain_pending() may only be called as a trigger', 'chaining runs only as the marker''s trigger');
CREATE TEMP TABLE misuse (k text);
CREATE TRIGGER misuse_before BEFORE INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('k');
SELECT throws_ok($$INSERT INTO misuse VALUES ('x')$$, '39P01',
    'audit_row_change() must fire AFTER the change it records', 'audit_row_change refuses to fire before a change');
DROP TRIGGER misuse_before ON misuse;
CREATE TRIGGER misuse_nokey AFTER INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change();
SELECT throws_ok($$INSERT INTO misuse VALUES ('x')$$, '39P01',
    'audit_row_change() on misuse needs the name of its key column', 'and needs a key column for a row');
DROP TABLE misuse;
CREATE ROLE audit_table_owner;
GRANT spotcheck_admin TO audit_table_owner;
CREATE SCHEMA audit_own AUTHORIZATION audit_table_owner;
SET LOCAL ROLE audit_table_owner;
CREATE TABLE audit_own.t (k text);
SELECT throws_ok($$CREATE TRIGGER t_audit AFTER INSERT ON audit_own.t FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('k')$$,
    '42501', 'permission denied for function spotcheck.audit_row_change',
    'an administrator cannot attach audit_row_change to a table of its own (its entries would pass for the extension''s)');
SELECT throws_ok($$CREATE TRIGGER t_chain AFTER INSERT ON audit_own.t FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_chain_pending()$$,
    '42501', 'permission denied for function spotcheck.audit_chain_pending', 'nor the chaining trigger');
RESET ROLE;

SELECT throws_ok($$SELECT spotcheck.audit_append('', 'x', NULL, NULL)$$, '22004',
    'an audit entry needs an action and an object, got action '''' and object ''x''',
    'an entry without an action is refused');

-- ---- no setting keeps a change off the chain --------------------------------------
-- The marker that makes a transaction chain at commit is kept by the
-- extension, not in a setting: pretending it exists changes nothing.
DO $$ BEGIN
    PERFORM set_config('spotcheck.audit_marker', pg_current_xact_id()::text, true);
    PERFORM set_config('spotcheck.bulk_audit', 'on', true);
END $$;
INSERT INTO public.registry VALUES ('u5', '370303', 5);
SELECT is((SELECT count(*) FROM spotcheck.audit_chain_marker WHERE txid = pg_current_xact_id()), 1::bigint,
          'a change made with the old marker setting forged still marks the transaction for chaining');
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT is((SELECT count(*) FROM spotcheck.audit_log WHERE object = 'registry:u5'), 1::bigint,
          'and reaches the chain');
-- a marker made in a subtransaction that rolls back is made again
SAVEPOINT marker_sp;
INSERT INTO public.registry VALUES ('u6', '370303', 6);
ROLLBACK TO SAVEPOINT marker_sp;
INSERT INTO public.registry VALUES ('u7', '370303', 7);
SELECT is((SELECT count(*) FROM spotcheck.audit_chain_marker WHERE txid = pg_current_xact_id()), 1::bigint,
          'after a rolled-back subtransaction took the marker with it, the next change marks again');
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT results_eq($$SELECT object FROM spotcheck.audit_log WHERE object IN ('registry:u6', 'registry:u7')$$,
    $$VALUES ('registry:u7')$$, 'and its entry is chained, the rolled-back one is not');

-- ---- roles cannot write what passes for the extension's own entries ---------------
SET LOCAL ROLE spotcheck_planner;
SELECT throws_ok($$SELECT spotcheck.audit_record('draw.commit', 'draw:1', NULL, '{}')$$, '42501', NULL,
    'no role may call audit_record, which writes entries of origin extension');
SELECT throws_ok($$SELECT spotcheck.audit_mark_transaction()$$, '42501', NULL,
    'nor the marker function');
SELECT throws_ok($$SELECT spotcheck.audit_append('plan.note', 'plan:1', 'nowhere', '{}')$$, 'P0002',
    'agency ''nowhere'' does not exist', 'a note names a registered agency');
RESET ROLE;

-- the documented bytes: recompute entry 3 with nothing but sha256()
SELECT is(
    (SELECT sha256(l.prev_hash
                   || convert_to('spotcheck-audit-v2', 'UTF8') || decode(repeat('00', 14), 'hex')
                   || int8send(l.seq)
                   || int8send((extract(epoch FROM l.at) * 1000000)::bigint)
                   || int4send(octet_length(l.origin)) || convert_to(l.origin, 'UTF8')
                   || int4send(octet_length(l.actor)) || convert_to(l.actor, 'UTF8')
                   || int4send(octet_length(l.agency)) || convert_to(l.agency, 'UTF8')
                   || int4send(octet_length(l.action)) || convert_to(l.action, 'UTF8')
                   || int4send(octet_length(l.object)) || convert_to(l.object, 'UTF8')
                   || int4send(octet_length(l.details::text)) || convert_to(l.details::text, 'UTF8'))
       FROM spotcheck.audit_log l WHERE l.seq = 3),
    (SELECT hash FROM spotcheck.audit_log WHERE seq = 3),
    'an entry''s hash is SHA-256 over exactly the documented bytes');

-- ---- nobody changes the log through SQL ----------------------------------------
SELECT throws_ok($$UPDATE spotcheck.audit_log SET details = '{}' WHERE seq = 1$$, '42501',
    'the audit log is append-only: UPDATE on spotcheck.audit_log is refused',
    'even a superuser cannot update an entry while the triggers are on');
SELECT throws_ok($$DELETE FROM spotcheck.audit_log WHERE seq = 1$$, '42501',
    'the audit log is append-only: DELETE on spotcheck.audit_log is refused',
    'nor delete one');
SELECT throws_ok($$TRUNCATE spotcheck.audit_log$$, '42501',
    'the audit log is append-only: TRUNCATE on spotcheck.audit_log is refused',
    'nor truncate the log');
SELECT throws_ok($$UPDATE spotcheck.audit_chain_head SET seq = 1$$, '42501',
    'the audit log is append-only: UPDATE on spotcheck.audit_chain_head is refused',
    'nor move the head');
SELECT throws_ok($$DELETE FROM spotcheck.audit_chain_head$$, '42501',
    'the audit log is append-only: DELETE on spotcheck.audit_chain_head is refused',
    'nor delete it');
SELECT throws_ok($$TRUNCATE spotcheck.audit_chain_head$$, '42501',
    'the audit log is append-only: TRUNCATE on spotcheck.audit_chain_head is refused',
    'nor truncate it');
SET LOCAL ROLE spotcheck_admin;
SELECT throws_ok($$SELECT * FROM spotcheck.audit_pending$$, '42501', NULL,
    'the pending entries are not readable by the extension''s roles');
SELECT lives_ok($$SELECT * FROM spotcheck.audit_log$$, 'the administrator reads the log');
SELECT throws_ok($$INSERT INTO spotcheck.audit_log VALUES (100, now(), 'extension', 'x', NULL, 'forged', 'x', '{}', '\x00'::bytea, '\x00'::bytea)$$,
    '42501', 'permission denied for table audit_log', 'but cannot add an entry by hand');
RESET ROLE;
SET LOCAL ROLE spotcheck_public;
SELECT throws_ok($$SELECT * FROM spotcheck.audit_log$$, '42501', NULL,
    'the public role cannot read the log');
RESET ROLE;

-- ---- tampering by a superuser with the triggers off ------------------------------
SELECT is((SELECT ok FROM spotcheck.verify_audit_chain()), true, 'the untouched chain verifies');
CREATE TEMP TABLE published AS SELECT seq, hash FROM spotcheck.audit_head();

ALTER TABLE spotcheck.audit_log DISABLE TRIGGER USER;
ALTER TABLE spotcheck.audit_chain_head DISABLE TRIGGER USER;

SAVEPOINT t;
UPDATE spotcheck.audit_log SET details = '{"old": null, "new": {"k": "u1", "v": 0}}' WHERE seq = 3;
SELECT results_eq($$SELECT ok, first_bad, detail FROM spotcheck.verify_audit_chain()$$,
    $$VALUES (false, 3::bigint, 'entry 3 was changed after it was written: its hash does not match its content')$$,
    'a changed entry is found');
ROLLBACK TO SAVEPOINT t;

SAVEPOINT t;
UPDATE spotcheck.audit_log SET agency = '370304',
       hash = spotcheck.audit_entry_hash(prev_hash, seq, at, origin, actor, '370304', action, object, details::text)
 WHERE seq = 3;
SELECT results_eq($$SELECT ok, first_bad, detail FROM spotcheck.verify_audit_chain()$$,
    $$VALUES (false, 4::bigint, 'entry 4 does not link to the hash of the entry before it')$$,
    'a changed entry whose hash was recomputed breaks the link to the next one');
ROLLBACK TO SAVEPOINT t;

SAVEPOINT t;
UPDATE spotcheck.audit_log SET origin = 'extension',
       hash = spotcheck.audit_entry_hash(prev_hash, seq, at, 'extension', actor, agency, action, object, details::text)
 WHERE seq = 5;
SELECT results_eq($$SELECT ok, first_bad FROM spotcheck.verify_audit_chain()$$,
    $$VALUES (false, 6::bigint)$$, 'a note re-labelled as the extension''s own entry is found');
ROLLBACK TO SAVEPOINT t;

SAVEPOINT t;
DELETE FROM spotcheck.audit_log WHERE seq = 2;
SELECT results_eq($$SELECT ok, first_bad, detail FROM spotcheck.verify_audit_chain()$$,
    $$VALUES (false, 3::bigint, 'entry 3 follows entry 1: entries were removed or inserted')$$,
    'a removed entry is found');
ROLLBACK TO SAVEPOINT t;

SAVEPOINT t;
UPDATE spotcheck.audit_log SET seq = seq + 1000 WHERE seq IN (2, 3);
UPDATE spotcheck.audit_log SET seq = CASE seq WHEN 1002 THEN 3 ELSE 2 END WHERE seq > 1000;
SELECT results_eq($$SELECT ok, first_bad FROM spotcheck.verify_audit_chain()$$,
    $$VALUES (false, 2::bigint)$$, 'two entries swapped are found');
ROLLBACK TO SAVEPOINT t;

SAVEPOINT t;
UPDATE spotcheck.audit_log SET seq = seq + 1000 WHERE seq >= 3;
UPDATE spotcheck.audit_log SET seq = seq - 999 WHERE seq > 1000;
SELECT results_eq($$SELECT ok, first_bad FROM spotcheck.verify_audit_chain()$$,
    $$VALUES (false, 4::bigint)$$, 'renumbering entries to make room for a forged one is found');
ROLLBACK TO SAVEPOINT t;

SAVEPOINT t;
INSERT INTO spotcheck.audit_log
SELECT h.seq + 1, now(), 'extension', 'postgres', NULL, 'forged', 'x', '{}', h.hash,
       spotcheck.audit_entry_hash(h.hash, h.seq + 1, now(), 'extension', 'postgres', NULL, 'forged', 'x', '{}')
  FROM spotcheck.audit_chain_head h;
SELECT results_eq($$SELECT ok, detail FROM spotcheck.verify_audit_chain()$$,
    format($$VALUES (false, 'the chain ends at entry %s but its head names entry %s: entries at the end were removed or the head was changed')$$,
           (SELECT seq + 1 FROM published), (SELECT seq FROM published)),
    'an entry appended by hand, without moving the head, is found');
ROLLBACK TO SAVEPOINT t;

SAVEPOINT t;
DELETE FROM spotcheck.audit_log WHERE seq = (SELECT seq FROM published);
UPDATE spotcheck.audit_chain_head h SET seq = l.seq, hash = l.hash
  FROM (SELECT seq, hash FROM spotcheck.audit_log ORDER BY seq DESC LIMIT 1) l;
SELECT is((SELECT ok FROM spotcheck.verify_audit_chain()), true,
          'cutting the last entry and moving the head leaves a consistent chain...');
SELECT results_eq(
    format($$SELECT ok, first_bad FROM spotcheck.verify_audit_chain(%s, %L)$$,
           (SELECT seq FROM published), (SELECT hash FROM published)),
    format($$VALUES (false, %s::bigint)$$, (SELECT seq FROM published)),
    '...but the head published before is no longer in it');
ROLLBACK TO SAVEPOINT t;

SELECT is((SELECT ok FROM spotcheck.verify_audit_chain((SELECT seq FROM published), (SELECT hash FROM published))),
          true, 'the published head matches the untouched chain');
SELECT throws_ok($$SELECT * FROM spotcheck.verify_audit_chain(3, NULL)$$, '22023',
    'a published head needs both its sequence number and its hash, got ''3'' and NULL',
    'a published head without its hash is refused');

ALTER TABLE spotcheck.audit_log ENABLE TRIGGER USER;
ALTER TABLE spotcheck.audit_chain_head ENABLE TRIGGER USER;

SELECT * FROM finish();
ROLLBACK;
