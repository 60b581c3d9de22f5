-- The working-day calendar's behaviour.
BEGIN;
SELECT plan(26);
SET LOCAL search_path = spotcheck, public;

SELECT is((SELECT count(*) FROM generate_series('2025-01-01'::date, '2025-12-31', '1 day') d
            WHERE is_working_day(d::date)), 248::bigint, '2025 has 248 working days');
SELECT is((SELECT count(*) FROM generate_series('2026-01-01'::date, '2026-12-31', '1 day') d
            WHERE is_working_day(d::date)), 248::bigint, '2026 has 248 working days');
SELECT ok(is_working_day('2026-10-10'), 'a Saturday made a working day is a working day');
SELECT ok(NOT is_working_day('2026-10-05'), 'a Monday in the National Day holiday is not');
SELECT ok(NOT is_working_day('2026-03-07'), 'an ordinary Saturday is not');
SELECT is(add_working_days('2026-04-30', 3), '2026-05-08'::date, 'three working days after 2026-04-30');
SELECT is(add_working_days('2025-12-31', 3), '2026-01-06'::date, 'three working days after 2025-12-31');
-- every answer agrees with counting: the n-th working day after d has exactly n working days in (d, result]
SELECT is_empty($$
    SELECT d, n FROM (SELECT g::date AS d FROM generate_series('2025-01-01'::date, '2026-11-30', '7 days') g) days, generate_series(1, 10) n
     WHERE (SELECT count(*) FROM generate_series(d + 1, add_working_days(d, n), '1 day') x
             WHERE is_working_day(x::date)) <> n
        OR NOT is_working_day(add_working_days(d, n))$$,
    'add_working_days lands on a working day with exactly n working days counted');
SELECT throws_ok($$SELECT is_working_day('2027-03-01')$$, '55000',
    'the working-day calendar has no holiday arrangement for 2027 (asked about 2027-03-01)',
    'a year without an arrangement is refused, naming the year');

-- a DBA's addition is audited and works at once
INSERT INTO calendar_years (year, source) VALUES (2027, 'test');
INSERT INTO calendar_days (day, kind, name) VALUES ('2027-01-01', 'holiday', '元旦');
SELECT is(add_working_days('2026-12-31', 1), '2027-01-04'::date, 'the added year is used at once');
SELECT is((SELECT count(*) FROM audit_pending WHERE action IN ('calendar_years.insert', 'calendar_days.insert')),
          2::bigint, 'the additions are audited');
SET LOCAL ROLE spotcheck_planner;
SELECT throws_ok($$INSERT INTO spotcheck.calendar_days (day, kind, name) VALUES ('2027-02-01', 'holiday', 'x')$$,
    '42501', NULL, 'only the administrator changes the calendar');
RESET ROLE;

-- the shipped arrangement: corrected, never taken away, and only the
-- extension ships rows (what a dump and a restore bring back is in
-- test/shell/restore.sh)
SELECT is((SELECT count(*) FROM calendar_days WHERE day = '2027-01-01' AND NOT shipped), 1::bigint,
          'a row the administrator adds is not shipped');
INSERT INTO calendar_days (day, kind, name, shipped) VALUES ('2027-01-02', 'holiday', '元旦', true);
SELECT is((SELECT shipped FROM calendar_days WHERE day = '2027-01-02'), false,
          'nor when it says it is: only the extension ships rows');
UPDATE calendar_days SET name = '春节调休（更正）' WHERE day = '2026-02-14';
SELECT results_eq($$SELECT kind, name, shipped FROM calendar_days WHERE day = '2026-02-14'$$,
    $$VALUES ('workday'::text, '春节调休（更正）'::text, false)$$,
    'a corrected shipped day is the administrator''s: it is no longer shipped');
UPDATE calendar_days SET name = name WHERE day = '2026-02-28';
SELECT is((SELECT shipped FROM calendar_days WHERE day = '2026-02-28'), true,
          'an update that changes nothing leaves it as shipped');
UPDATE calendar_years SET source = source || '（修订）' WHERE year = 2026;
SELECT is((SELECT shipped FROM calendar_years WHERE year = 2026), false, 'so does a corrected source of a shipped year');
SELECT throws_ok($$DELETE FROM calendar_days WHERE day = '2026-10-10'$$, '55000',
    'calendar day 2026-10-10 (workday 国庆节调休) is the State Council''s arrangement shipped with the extension and cannot be deleted',
    'a shipped day cannot be deleted');
UPDATE calendar_days SET kind = 'holiday', name = '国庆节（调整）' WHERE day = '2026-10-10';
SELECT ok(NOT is_working_day('2026-10-10'), 'it is corrected instead: a make-up working day cancelled becomes a holiday');
SELECT throws_ok($$UPDATE calendar_days SET day = '2026-02-21' WHERE day = '2026-02-28'$$, '55000',
    'calendar day 2026-02-28 (workday 春节调休) is the State Council''s arrangement shipped with the extension and cannot move to 2026-02-21',
    'nor moved to another day');
SELECT throws_ok($$DELETE FROM calendar_years WHERE year = 2025$$, '55000',
    'calendar year 2025 is the State Council''s arrangement shipped with the extension and cannot be deleted',
    'nor a shipped year deleted');
-- a correction reverted leaves the day the administrator's, and still the State Council's
UPDATE calendar_days SET name = '国庆节 ' WHERE day = '2026-10-01';
UPDATE calendar_days SET name = '国庆节' WHERE day = '2026-10-01';
SELECT throws_ok($$DELETE FROM calendar_days WHERE day = '2026-10-01'$$, '55000',
    'calendar day 2026-10-01 (holiday 国庆节) is the State Council''s arrangement shipped with the extension and cannot be deleted',
    'a shipped day corrected, then set back, still cannot be deleted');
SELECT throws_ok($$UPDATE calendar_days SET day = '2026-10-12' WHERE day = '2026-10-01'$$, '55000', NULL,
    'nor moved');
UPDATE calendar_years SET source = source WHERE year = 2025;
-- the same as the administrator, who keeps the calendar
SET LOCAL ROLE spotcheck_admin;
SELECT lives_ok($$UPDATE spotcheck.calendar_days SET name = '劳动节 ' WHERE day = '2026-05-01'$$,
    'the administrator corrects a shipped day');
SELECT throws_ok($$DELETE FROM spotcheck.calendar_days WHERE day = '2026-05-01'$$, '55000', NULL,
    'but does not delete it');
RESET ROLE;
SELECT is((SELECT count(*) FROM spotcheck.calendar_shipped_days()), (SELECT count(*) FROM calendar_days WHERE day < '2027-01-01'),
          'the shipped arrangement is known to the extension day by day (calendar_shipped_days), whatever the table holds');

SELECT * FROM finish();
ROLLBACK;
