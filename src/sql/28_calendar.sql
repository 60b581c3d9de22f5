-- The working-day calendar (Article 21 counts working days).
--
-- A working day is a Monday to Friday that is not a statutory holiday, or a
-- weekend day the State Council's arrangement makes a working day (调休上班).
-- The arrangement is published each year, usually in November: it is data
-- that a DBA adds, not code.  A year is covered only once it is recorded in
-- calendar_years; asking about a year that is not covered is an error, never
-- a guess.

CREATE TABLE spotcheck.calendar_years (
    year        integer PRIMARY KEY CHECK (year BETWEEN 1949 AND 9999),
    source      text NOT NULL CHECK (pg_catalog.btrim(source) <> ''),
    shipped     boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE spotcheck.calendar_years IS
    'years whose holiday arrangement is recorded in spotcheck.calendar_days';

CREATE TABLE spotcheck.calendar_days (
    day         date PRIMARY KEY,
    year        integer NOT NULL GENERATED ALWAYS AS (pg_catalog.date_part('year', day)::integer) STORED
                REFERENCES spotcheck.calendar_years (year),
    kind        text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name        text NOT NULL CHECK (pg_catalog.btrim(name) <> ''),
    shipped     boolean NOT NULL DEFAULT false,
    CONSTRAINT makeup_workday_on_weekend
        CHECK (kind <> 'workday' OR pg_catalog.date_part('isodow', day) IN (6, 7))
);
COMMENT ON TABLE spotcheck.calendar_days IS
    'statutory holidays (days off) and make-up working days (调休上班); every other day follows the week';

-- pg_dump writes the whole calendar, the rows the extension ships too (an
-- administrator may correct them), and a restore puts the dump's calendar in
-- place of the one CREATE EXTENSION installed (90_restore.sql): the copy
-- holds exactly the source's calendar.  shipped marks a row as the extension
-- installed it, untouched; such rows do not count as data of the database.
SELECT pg_catalog.pg_extension_config_dump('spotcheck.calendar_years', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.calendar_days', '');

-- Clear errors for a bad calendar row, before the constraints see it.
CREATE FUNCTION spotcheck.calendar_days_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    y integer := pg_catalog.date_part('year', NEW.day)::integer;
BEGIN
    IF NEW.kind IS NULL OR NEW.kind NOT IN ('holiday', 'workday') THEN
        RAISE EXCEPTION 'calendar day % has kind %, which is neither holiday nor workday',
                        pg_catalog.to_char(NEW.day, 'YYYY-MM-DD'), pg_catalog.quote_nullable(NEW.kind)
            USING ERRCODE = '22023',
                  HINT = 'Use holiday for a statutory day off and workday for a make-up working day (调休上班).';
    END IF;
    IF NEW.kind = 'workday' AND pg_catalog.date_part('isodow', NEW.day) < 6 THEN
        RAISE EXCEPTION 'make-up working day % is a %, not a weekend day',
                        pg_catalog.to_char(NEW.day, 'YYYY-MM-DD'), pg_catalog.btrim(pg_catalog.to_char(NEW.day, 'Day'))
            USING ERRCODE = '22023',
                  DETAIL = 'A weekday is a working day already; only a Saturday or Sunday can be made one.',
                  HINT = 'Check the date against the State Council''s arrangement.';
    END IF;
    IF NOT EXISTS (SELECT FROM spotcheck.calendar_years c WHERE c.year = y) THEN
        RAISE EXCEPTION 'calendar day % belongs to %, whose arrangement is not recorded',
                        pg_catalog.to_char(NEW.day, 'YYYY-MM-DD'), y
            USING ERRCODE = '23503',
                  HINT = pg_catalog.format('First insert the year: INSERT INTO spotcheck.calendar_years (year, source) VALUES (%s, ''<the notice>'').', y);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER calendar_days_check BEFORE INSERT OR UPDATE ON spotcheck.calendar_days
    FOR EACH ROW EXECUTE FUNCTION spotcheck.calendar_days_check();

-- A clear error for a day outside the covered years.
CREATE FUNCTION spotcheck.calendar_require_year(d date) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    y integer := pg_catalog.date_part('year', d)::integer;
BEGIN
    IF d IS NULL THEN
        RAISE EXCEPTION 'the working-day calendar cannot answer for a null date'
            USING ERRCODE = '22004', HINT = 'Pass a date.';
    END IF;
    IF NOT EXISTS (SELECT FROM spotcheck.calendar_years c WHERE c.year = y) THEN
        RAISE EXCEPTION 'the working-day calendar has no holiday arrangement for % (asked about %)',
                        y, pg_catalog.to_char(d, 'YYYY-MM-DD')
            USING ERRCODE = '55000',
                  DETAIL = pg_catalog.format('Years covered: %s.',
                      COALESCE((SELECT pg_catalog.string_agg(c.year::text, ', ' ORDER BY c.year)
                                  FROM spotcheck.calendar_years c), 'none')),
                  HINT = pg_catalog.format('Record the State Council''s %s arrangement: a row in spotcheck.calendar_years, '
                                           'and its holidays and make-up working days in spotcheck.calendar_days.', y);
    END IF;
END
$$;

CREATE FUNCTION spotcheck.is_working_day(d date) RETURNS boolean
LANGUAGE plpgsql STABLE STRICT SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k text;
BEGIN
    PERFORM spotcheck.calendar_require_year(d);
    SELECT c.kind INTO k FROM spotcheck.calendar_days c WHERE c.day = d;
    IF k IS NOT NULL THEN
        RETURN k = 'workday';
    END IF;
    RETURN pg_catalog.date_part('isodow', d) < 6;
END
$$;
COMMENT ON FUNCTION spotcheck.is_working_day(date) IS
    'whether the date is a working day under the State Council''s holiday arrangement';

-- The n-th working day after d (n > 0), or before it (n < 0); d itself for n = 0.
CREATE FUNCTION spotcheck.add_working_days(d date, n integer) RETURNS date
LANGUAGE plpgsql STABLE STRICT SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    step integer := CASE WHEN n < 0 THEN -1 ELSE 1 END;
    left_to_count integer := abs(n);
    cur date := d;
BEGIN
    PERFORM spotcheck.calendar_require_year(d);
    WHILE left_to_count > 0 LOOP
        cur := cur + step;
        IF spotcheck.is_working_day(cur) THEN
            left_to_count := left_to_count - 1;
        END IF;
    END LOOP;
    RETURN cur;
END
$$;
COMMENT ON FUNCTION spotcheck.add_working_days(date, integer) IS
    'the n-th working day after the date (before it for negative n)';

-- ---- shipped arrangements -----------------------------------------------------
-- 国务院办公厅关于2025年部分节假日安排的通知 (2024-11-12) and 2026 (2025-11-04).
-- The arrangements as the extension ships them, as functions: the rows
-- installed below, what a shipped day or year is (it is corrected, never
-- taken away: calendar_*_shipped below), and what a restore puts back when a
-- dump does not carry it (90_restore.sql).
CREATE FUNCTION spotcheck.calendar_shipped_years(OUT year integer, OUT source text) RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    VALUES
    (2025, '国务院办公厅关于2025年部分节假日安排的通知 (2024-11-12)'),
    (2026, '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)')
$$;

CREATE FUNCTION spotcheck.calendar_shipped_days(OUT day date, OUT kind text, OUT name text) RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT d::date, 'holiday', h.name
      FROM (VALUES ('元旦', '2025-01-01', '2025-01-01'),
               ('春节', '2025-01-28', '2025-02-04'),
               ('清明节', '2025-04-04', '2025-04-06'),
               ('劳动节', '2025-05-01', '2025-05-05'),
               ('端午节', '2025-05-31', '2025-06-02'),
               ('国庆节、中秋节', '2025-10-01', '2025-10-08'),
               ('元旦', '2026-01-01', '2026-01-03'),
               ('春节', '2026-02-15', '2026-02-23'),
               ('清明节', '2026-04-04', '2026-04-06'),
               ('劳动节', '2026-05-01', '2026-05-05'),
               ('端午节', '2026-06-19', '2026-06-21'),
               ('中秋节', '2026-09-25', '2026-09-27'),
               ('国庆节', '2026-10-01', '2026-10-07')) AS h(name, first_day, last_day),
           pg_catalog.generate_series(h.first_day::date, h.last_day::date, interval '1 day') AS d
    UNION ALL
    SELECT w.day::date, 'workday', w.name FROM (VALUES
        ('2025-01-26', '春节调休'),
        ('2025-02-08', '春节调休'),
        ('2025-04-27', '劳动节调休'),
        ('2025-09-28', '国庆节、中秋节调休'),
        ('2025-10-11', '国庆节、中秋节调休'),
        ('2026-01-04', '元旦调休'),
        ('2026-02-14', '春节调休'),
        ('2026-02-28', '春节调休'),
        ('2026-05-09', '劳动节调休'),
        ('2026-09-20', '国庆节调休'),
        ('2026-10-10', '国庆节调休')) AS w(day, name)
$$;

INSERT INTO spotcheck.calendar_years (year, source, shipped) SELECT y.year, y.source, true FROM spotcheck.calendar_shipped_years() y;
INSERT INTO spotcheck.calendar_days (day, kind, name, shipped) SELECT d.day, d.kind, d.name, true FROM spotcheck.calendar_shipped_days() d;

-- Only the extension ships rows: a row written is the administrator's
-- (shipped = false), and a shipped row that is changed becomes one.  The
-- State Council's arrangement is corrected, never taken away: a shipped row
-- is not deleted, nor moved to another day or year (from here on: the
-- shipped rows above are part of the extension).
CREATE FUNCTION spotcheck.calendar_days_shipped() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND (OLD.shipped OR EXISTS (SELECT FROM spotcheck.calendar_shipped_days() x WHERE x.day = OLD.day)) THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'calendar day % (% %) is the State Council''s arrangement shipped with the extension and cannot be deleted',
                            pg_catalog.to_char(OLD.day, 'YYYY-MM-DD'), OLD.kind, OLD.name
                USING ERRCODE = '55000',
                      HINT = pg_catalog.format('Correct the day instead: UPDATE spotcheck.calendar_days SET kind = ..., name = ... WHERE day = %L '
                                               '(a make-up working day that is cancelled becomes a holiday).',
                                               pg_catalog.to_char(OLD.day, 'YYYY-MM-DD'));
        END IF;
        IF NEW.day IS DISTINCT FROM OLD.day THEN
            RAISE EXCEPTION 'calendar day % (% %) is the State Council''s arrangement shipped with the extension and cannot move to %',
                            pg_catalog.to_char(OLD.day, 'YYYY-MM-DD'), OLD.kind, OLD.name,
                            coalesce(pg_catalog.to_char(NEW.day, 'YYYY-MM-DD'), 'NULL')
                USING ERRCODE = '55000', HINT = 'Correct its kind or name, and insert the other day as a row of its own.';
        END IF;
        IF (NEW.kind, NEW.name) IS NOT DISTINCT FROM (OLD.kind, OLD.name) THEN
            NEW.shipped := true;        -- untouched: as shipped
            RETURN NEW;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    NEW.shipped := false;
    RETURN NEW;
END
$$;
CREATE TRIGGER calendar_days_shipped BEFORE INSERT OR UPDATE OR DELETE ON spotcheck.calendar_days
    FOR EACH ROW EXECUTE FUNCTION spotcheck.calendar_days_shipped();

CREATE FUNCTION spotcheck.calendar_years_shipped() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND (OLD.shipped OR EXISTS (SELECT FROM spotcheck.calendar_shipped_years() x WHERE x.year = OLD.year)) THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'calendar year % is the State Council''s arrangement shipped with the extension and cannot be deleted', OLD.year
                USING ERRCODE = '55000', HINT = 'Correct its days, or its source, instead.';
        END IF;
        IF NEW.year IS DISTINCT FROM OLD.year THEN
            RAISE EXCEPTION 'calendar year % is the State Council''s arrangement shipped with the extension and cannot become %',
                            OLD.year, coalesce(NEW.year::text, 'NULL')
                USING ERRCODE = '55000', HINT = 'Correct its source, and insert the other year as a row of its own.';
        END IF;
        IF NEW.source IS NOT DISTINCT FROM OLD.source THEN
            NEW.shipped := true;        -- untouched: as shipped
            RETURN NEW;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    NEW.shipped := false;
    RETURN NEW;
END
$$;
CREATE TRIGGER calendar_years_shipped BEFORE INSERT OR UPDATE OR DELETE ON spotcheck.calendar_years
    FOR EACH ROW EXECUTE FUNCTION spotcheck.calendar_years_shipped();

-- Changes to the calendar move due dates: they are audited (from here on:
-- the shipped rows above are part of the extension, not changes).
CREATE TRIGGER calendar_years_audit AFTER INSERT OR UPDATE OR DELETE ON spotcheck.calendar_years
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('year');
CREATE TRIGGER calendar_days_audit AFTER INSERT OR UPDATE OR DELETE ON spotcheck.calendar_days
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('day');

REVOKE ALL ON spotcheck.calendar_years, spotcheck.calendar_days FROM PUBLIC;
GRANT SELECT ON spotcheck.calendar_years, spotcheck.calendar_days
    TO spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT SELECT, INSERT, UPDATE, DELETE ON spotcheck.calendar_years, spotcheck.calendar_days
    TO spotcheck_admin;
GRANT EXECUTE ON FUNCTION spotcheck.is_working_day(date), spotcheck.add_working_days(date, integer),
    spotcheck.calendar_require_year(date), spotcheck.calendar_shipped_years(), spotcheck.calendar_shipped_days()
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
