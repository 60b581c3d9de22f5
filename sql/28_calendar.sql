-- The working-day calendar: due dates across holidays and make-up working days.
SET search_path = spotcheck, public;
\set SHOW_CONTEXT never
SET datestyle = ISO;

-- the examples of the arrangement
SELECT add_working_days('2026-04-30', 3) AS after_labour_day;    -- 05-01..05-05 off
SELECT add_working_days('2025-12-31', 3) AS across_new_year;     -- 01-04 (Sunday) is worked
SELECT add_working_days('2026-02-13', 1) AS before_spring_festival;  -- 02-14 (Saturday) is worked
SELECT add_working_days('2026-02-13', 2) AS after_spring_festival;   -- then 02-15..02-23 off
SELECT add_working_days('2026-05-08', -3) AS three_working_days_before;
SELECT add_working_days('2026-06-01', 0) AS zero_days;

-- day by day around National Day 2026
SELECT d::date AS day, to_char(d, 'Dy') AS dow, is_working_day(d::date) AS working,
       (SELECT kind || ' ' || name FROM calendar_days WHERE day = d::date) AS arrangement
  FROM generate_series('2026-09-19'::date, '2026-10-11', '1 day') d;

-- working days per year
SELECT date_part('year', d)::int AS year, count(*) FILTER (WHERE is_working_day(d::date)) AS working_days
  FROM generate_series('2025-01-01'::date, '2026-12-31', '1 day') d GROUP BY 1 ORDER BY 1;

-- a year without an arrangement is an error, never a guess
SELECT is_working_day('2027-01-04');
SELECT add_working_days('2026-12-29', 5);
SELECT add_working_days('2025-01-03', -3);

-- the calendar's own rules
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-03-04', 'workday', 'not a weekend');
INSERT INTO calendar_days (day, kind, name) VALUES ('2027-01-01', 'holiday', '元旦');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-03-07', 'festival', 'no such kind');

-- a DBA adds next year's arrangement each November
BEGIN;
INSERT INTO calendar_years (year, source) VALUES (2027, 'test arrangement');
INSERT INTO calendar_days (day, kind, name) VALUES ('2027-01-01', 'holiday', '元旦');
SELECT add_working_days('2026-12-29', 5) AS across_into_2027;
SELECT count(*) AS audited_changes FROM audit_pending WHERE action LIKE 'calendar_%';
ROLLBACK;
