-- Restores (src/restore.c, src/sql/90_restore.sql): every table of the
-- extension carries the restore triggers and keeps nothing a restore could
-- not bring back; a COPY in the form pg_dump writes, by a superuser, into the
-- empty tables of an empty extension loads the rows as they were, in any
-- order, and records nothing; the same COPY by any other role, or in any
-- other form, meets every rule.  (The refusals, which stop a psql script, are
-- in sql/90_restore.sql; the whole dump and restore in test/shell/restore.sh.)
-- This database's spotcheck is empty when the file starts.
BEGIN;
SELECT plan(27);

CREATE TEMP VIEW config_tables AS
    SELECT c.rel::regclass AS rel FROM pg_extension e, unnest(e.extconfig) AS c(rel)
     WHERE e.extname = 'spotcheck';

-- ---- what every table of the extension must do -------------------------------
SELECT is_empty($$
    SELECT t.rel FROM config_tables t JOIN pg_class k ON k.oid = t.rel WHERE k.relkind = 'r'
       AND NOT EXISTS (SELECT FROM pg_trigger g WHERE g.tgrelid = t.rel AND g.tgname = '_restore_begin'
                          AND g.tgfoid = 'spotcheck.restore_statement_begin()'::regprocedure
                          AND g.tgenabled = 'A' AND g.tgtype = 6)$$,      -- BEFORE INSERT, per statement
    'every table of the extension judges each INSERT statement first (_restore_begin, enabled ALWAYS)');
SELECT is_empty($$
    SELECT t.rel FROM config_tables t JOIN pg_class k ON k.oid = t.rel WHERE k.relkind = 'r'
       AND NOT EXISTS (SELECT FROM pg_trigger g WHERE g.tgrelid = t.rel AND g.tgname = '_restore_end'
                          AND g.tgfoid = 'spotcheck.restore_statement_end()'::regprocedure
                          AND g.tgenabled = 'A' AND g.tgtype = 4)$$,      -- AFTER INSERT, per statement
    'and ends it (_restore_end, enabled ALWAYS)');
SELECT is_empty($$
    SELECT g.tgrelid::regclass, g.tgname FROM pg_trigger g JOIN config_tables t ON t.rel = g.tgrelid
     WHERE g.tgname NOT IN ('_restore_begin', '_restore_end') AND g.tgenabled <> 'O'$$,
    'every other trigger of a table of the extension is ordinary, so that a restore statement does not fire it');
SELECT is_empty($$
    SELECT t.rel FROM config_tables t JOIN pg_class k ON k.oid = t.rel WHERE k.relkind <> 'r'$$,
    'no sequence is in the dump (a refused restore cannot set one back)');
SELECT is_empty($$
    SELECT a.attrelid::regclass, a.attname FROM pg_attribute a JOIN config_tables t ON t.rel = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attnum > 0 AND NOT a.attisdropped
       AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%')
       AND pg_get_serial_sequence(a.attrelid::regclass::text, a.attname) IS NULL$$,
    'every column filled from a sequence owns it, so that a restore moves it on');
SELECT is_empty($$
    SELECT r.rel, r.filter FROM spotcheck.restore_tables() r
     WHERE NOT (r.filter = '' OR (r.filter = 'WHERE NOT shipped' AND spotcheck.restore_ships_rows(r.rel)))$$,
    'every table is dumped whole, or without the rows the extension ships (which come back with it)');
SELECT is(pg_get_serial_sequence('spotcheck.registry_history', 'change_set'), 'spotcheck.registry_change_set_seq',
          'the change-set numbers'' sequence belongs to registry_history.change_set');
SELECT results_eq($$SELECT rel FROM spotcheck.restore_tables() ORDER BY 1$$,
    $$SELECT t.rel FROM config_tables t JOIN pg_class k ON k.oid = t.rel WHERE k.relkind = 'r' ORDER BY 1$$,
    'restore_tables() lists the tables pg_dump writes');
SELECT is_empty($$
    SELECT r.rolname, p.oid::regprocedure FROM pg_roles r, pg_proc p
     WHERE r.rolname LIKE 'spotcheck\_%' AND p.pronamespace = 'spotcheck'::regnamespace
       AND p.proname LIKE 'restore\_%' AND has_function_privilege(r.oid, p.oid, 'EXECUTE')$$,
    'no role of the extension may run the restore functions');
SELECT is_empty($$
    SELECT r.rolname, t FROM pg_roles r, unnest(ARRAY['spotcheck.restores', 'spotcheck.restored_tables']) t
     WHERE r.rolname LIKE 'spotcheck\_%'
       AND (has_table_privilege(r.oid, t, 'INSERT') OR has_table_privilege(r.oid, t, 'UPDATE')
            OR has_table_privilege(r.oid, t, 'DELETE') OR has_table_privilege(r.oid, t, 'TRUNCATE'))$$,
    'nor write the record of restores');
SELECT throws_ok($$SELECT spotcheck.restore_statement_begin()$$, '39P01',
                 'restore_statement_begin() may only be called as a trigger',
                 'the trigger functions cannot be called as functions');

-- ---- a restore: the form pg_dump writes, by a superuser, into an empty extension
SELECT is(spotcheck.restore_holdings(), NULL, 'the extension holds nothing yet');
SET row_security = off;
SET check_function_bodies = off;
-- a membership before its agency, a day before its year: the order of
-- pg_restore -j; a member stamped by someone else, at another time
COPY spotcheck.agency_members (member, agency, added_by, added_at) FROM stdin;
postgres	ZD	dba_old	2021-03-04 05:06:07+00
\.
COPY spotcheck.calendar_days (day, kind, name, shipped) FROM stdin;
2031-01-01	holiday	元旦	f
\.
COPY spotcheck.calendar_years (year, source, shipped) FROM stdin;
2031	通知	f
\.
COPY spotcheck.agencies (code, name, level, parent, region, created_at) FROM stdin;
ZD	张店大队	brigade	ZB	\N	2020-01-02 03:04:05+00
ZB	淄博支队	detachment	\N	\N	2020-01-01 00:00:00+00
\.
RESET row_security;
RESET check_function_bodies;

SELECT results_eq($$SELECT member, agency, added_by, added_at FROM spotcheck.agency_members$$,
    $$VALUES ('postgres'::name, 'ZD', 'dba_old'::name, '2021-03-04 05:06:07+00'::timestamptz)$$,
    'the rows are loaded as they were: nothing stamped anew');
SELECT results_eq($$SELECT code, parent, created_at FROM spotcheck.agencies ORDER BY code$$,
    $$VALUES ('ZB', NULL, '2020-01-01 00:00:00+00'::timestamptz), ('ZD', 'ZB', '2020-01-02 03:04:05+00')$$,
    'in any order: a brigade before its detachment');
SELECT is((SELECT count(*) FROM spotcheck.calendar_days WHERE day = '2031-01-01'), 1::bigint,
          'a calendar day before its year');
SELECT results_eq($$SELECT day, kind, name, shipped FROM spotcheck.calendar_days ORDER BY day$$,
    $$SELECT d.day, d.kind, d.name, true FROM spotcheck.calendar_shipped_days() d
      UNION ALL SELECT '2031-01-01'::date, 'holiday', '元旦', false ORDER BY 1$$,
    'the calendar is the dump''s, and the shipped arrangement it does not carry (a dump made before the calendar was dumped whole) is put back');
SELECT results_eq($$SELECT year, shipped FROM spotcheck.calendar_years ORDER BY year$$,
    $$SELECT y.year, true FROM spotcheck.calendar_shipped_years() y UNION ALL SELECT 2031, false ORDER BY 1$$, 'and so are its years');
SELECT is((SELECT count(*) FROM spotcheck.registry_history) + (SELECT count(*) FROM spotcheck.audit_pending), 0::bigint,
          'and nothing is recorded: no history, no audit entry');
SELECT is(current_setting('session_replication_role'), 'origin',
          'the session is back to ordinary triggers after each restore statement');
SELECT results_eq($$SELECT r.started_by, array_agg(t.table_name::text ORDER BY t.table_name::text)
                     FROM spotcheck.restores r JOIN spotcheck.restored_tables t ON t.restore = r.id GROUP BY r.id$$,
    $$VALUES (current_user::name, ARRAY['spotcheck.agencies', 'spotcheck.agency_members', 'spotcheck.calendar_days', 'spotcheck.calendar_years'])$$,
    'one restore is recorded, with every table it loaded');
SELECT is(spotcheck.restore_under_way(), (SELECT id FROM spotcheck.restores),
          'and it is under way until every table is loaded');

-- ---- everything else meets every rule ------------------------------------------
SELECT throws_ok($$INSERT INTO spotcheck.agencies (code, name, level, parent) VALUES ('WCH', '文昌湖大队', 'brigade', 'NOPE')$$,
    '23503', 'parent agency "NOPE" of agency "WCH" does not exist',
    'right after the restore statements, a new row meets the rules again');
INSERT INTO spotcheck.agencies (code, name, level, parent) VALUES ('WCH', '文昌湖大队', 'brigade', 'ZB');
SELECT is((SELECT count(*) FROM spotcheck.registry_history WHERE object = 'WCH'), 1::bigint,
          'and is recorded in the history');

-- the same form by a role that is not a superuser: an ordinary COPY
CREATE ROLE tap_restore_admin IN ROLE spotcheck_admin;
SET ROLE tap_restore_admin;
SET row_security = off;
SET check_function_bodies = off;
COPY spotcheck.calendar_days (day, kind, name, shipped) FROM stdin;
2031-02-01	holiday	春节	f
\.
RESET ROLE;
SELECT is((SELECT count(*) FROM spotcheck.audit_pending WHERE action = 'calendar_days.insert'), 1::bigint,
          'the same COPY by an administrator who is not a superuser is ordinary: it is audited');
SELECT is((SELECT count(*) FROM spotcheck.restored_tables WHERE table_name = 'spotcheck.calendar_days'::regclass), 1::bigint,
          'and is not taken for a restore');

-- a superuser's COPY in another form: an ordinary COPY
RESET row_security;
COPY spotcheck.agency_members (member, agency, added_by, added_at) FROM stdin;
tap_restore_admin	WCH	dba_old	2021-03-04 05:06:07+00
\.
SELECT results_eq($$SELECT added_by = current_user, added_at = now() FROM spotcheck.agency_members WHERE member = 'tap_restore_admin'$$,
    $$VALUES (true, true)$$,
    'a superuser''s COPY with row security on is ordinary: the row is stamped by the rules');
SELECT throws_ok($$COPY spotcheck.calendar_days (day, kind, name, shipped) FROM PROGRAM 'printf "2033-01-03\tholiday\tx\tf\n"'$$,
    '23503', 'calendar day 2033-01-03 belongs to 2033, whose arrangement is not recorded',
    'and so is one from a program: a day of an unrecorded year is refused by the rules');

SELECT * FROM finish();
ROLLBACK;
