-- Restoring a dump.  A DBA's plain commands
--     pg_dump -Fc -d prod -f prod.dump; createdb copy; pg_restore -d copy prod.dump
--     (also pg_restore -j N, pg_dump | psql, pg_dumpall | psql)
-- bring the extension's data back exactly, record nothing new, and refuse to
-- merge a dump into a database whose spotcheck already holds data.
--
-- What a restore does.  pg_dump writes CREATE EXTENSION, then every
-- configuration table (pg_extension_config_dump) as one
-- COPY <table> (<every stored column>) FROM stdin, in a session with
-- row_security and check_function_bodies off.  pg_restore -j loads those
-- tables in parallel, in any order.
--
-- How the extension recognises it (src/restore.c).  Every configuration table
-- carries two statement triggers, _restore_begin and _restore_end, enabled
-- ALWAYS.  A COPY of that form, run by a superuser, into a table that holds no
-- rows, while the extension holds no data at all or a restore is under way,
-- is a restore statement: it runs with session_replication_role = replica,
-- so no ordinary trigger fires for it (no rule for new rows, no stamping, no
-- history, no audit entry, no foreign-key check: the rows are those of a
-- consistent dump), and the role goes back to origin when it ends.  The first
-- one records the restore (spotcheck.restores); each table is restored once
-- (spotcheck.restored_tables).  A restore is under way until it has loaded
-- every configuration table, and only while a session that loaded one of
-- them is connected.  A superuser's COPY of that form that is not a restore
-- statement is refused, clearly: it would merge the dump with data already
-- there.  Any other statement, by any role, meets every trigger, a
-- superuser's ordinary COPY too.
--
-- The extension's sequences are not in the dump (so a refused restore cannot
-- set them back); after a superuser's COPY into a table, the sequences owned
-- by its columns are moved past the largest value the table holds, which is
-- how a restore continues them.
--
-- Rows the extension ships (a boolean column shipped, true for the rows
-- CREATE EXTENSION installs) never count as data of the database.  A table
-- whose shipped rows never change is dumped WHERE NOT shipped: they come
-- back with the extension.  A table whose shipped rows an administrator may
-- correct (the calendar) is dumped whole, and its restore statement
-- removes the shipped rows CREATE EXTENSION installed, as a replica, before
-- the dump's rows (shipped or corrected) are loaded.
--
-- What a new table of the extension must do to be restore-safe:
--   1. mark its data for pg_dump: pg_extension_config_dump('spotcheck.t', '')
--      (or 'WHERE NOT shipped' if the extension ships rows in it that never
--      change, as the result categories); never mark a sequence;
--   2. keep its triggers ordinary (not ENABLE ALWAYS or REPLICA), so that a
--      restore statement does not fire them;
--   3. fill ids from sequences owned by their column (serial, identity, or
--      ALTER SEQUENCE ... OWNED BY);
--   4. exist when this file runs, which attaches the two triggers to every
--      configuration table (an update script that adds a table calls
--      spotcheck.restore_protect_all() after creating it).
-- Nothing else: no order among tables, no call in its own triggers.
-- test/pgtap/restore.sql checks 1-4 for every configuration table.

-- ---- sequences -------------------------------------------------------------------

-- The change-set numbers live in registry_history.change_set; owning the
-- sequence by that column is what lets a restore continue it.
ALTER SEQUENCE spotcheck.registry_change_set_seq OWNED BY spotcheck.registry_history.change_set;

-- Move the sequences owned by the table's columns past the largest value
-- each column holds (never back).
CREATE FUNCTION spotcheck.restore_sequences(rel regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s record;
    top bigint;
    last bigint;
    called boolean;
BEGIN
    FOR s IN SELECT d.objid::regclass AS seq, a.attname
               FROM pg_catalog.pg_depend d
               JOIN pg_catalog.pg_class c ON c.oid = d.objid AND c.relkind = 'S'
               JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
              WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
                AND d.refobjid = rel AND d.deptype IN ('a', 'i')
    LOOP
        EXECUTE pg_catalog.format('SELECT pg_catalog.max(%I)::bigint FROM %s', s.attname, rel) INTO top;
        EXECUTE pg_catalog.format('SELECT last_value, is_called FROM %s', s.seq) INTO last, called;
        IF top IS NOT NULL AND (top > last OR (top = last AND NOT called)) THEN
            PERFORM pg_catalog.setval(s.seq, top, true);
        END IF;
    END LOOP;
END
$$;

-- ---- the record of restores ----------------------------------------------------

-- One row per restore into this database, and one per table it loaded.
-- Not dumped: they describe this database.
CREATE TABLE spotcheck.restores (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    started_by  name NOT NULL,
    application text,
    client      inet
);
COMMENT ON TABLE spotcheck.restores IS 'restores of a dump into this database';

CREATE TABLE spotcheck.restored_tables (
    restore       bigint NOT NULL REFERENCES spotcheck.restores,
    table_name    regclass NOT NULL,
    restored_at   timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    backend_pid   integer NOT NULL,
    backend_start timestamptz NOT NULL,
    PRIMARY KEY (restore, table_name)
);
COMMENT ON TABLE spotcheck.restored_tables IS
    'the tables each restore loaded, each once, and the session that loaded it';

-- The configuration tables of the extension, with pg_dump's filter.
CREATE FUNCTION spotcheck.restore_tables(OUT rel regclass, OUT filter text) RETURNS SETOF record
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT c.rel::pg_catalog.regclass, COALESCE(c.cond, '')
      FROM pg_catalog.pg_extension e,
           LATERAL ROWS FROM (pg_catalog.unnest(e.extconfig), pg_catalog.unnest(e.extcondition)) AS c(rel, cond)
      JOIN pg_catalog.pg_class k ON k.oid = c.rel
     WHERE e.extname = 'spotcheck' AND k.relkind = 'r'
$$;

-- The restore under way: the latest one, if it has not loaded every
-- configuration table yet and a session that loaded one is still connected.
CREATE FUNCTION spotcheck.restore_under_way() RETURNS bigint
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.id FROM (SELECT pg_catalog.max(x.id) AS id FROM spotcheck.restores x) r
     WHERE r.id IS NOT NULL
       AND EXISTS (SELECT FROM spotcheck.restore_tables() t
                    WHERE NOT EXISTS (SELECT FROM spotcheck.restored_tables d
                                       WHERE d.restore = r.id AND d.table_name = t.rel))
       AND EXISTS (SELECT FROM spotcheck.restored_tables d,
                               LATERAL pg_catalog.pg_stat_get_activity(d.backend_pid) a
                    WHERE d.restore = r.id AND a.backend_start = d.backend_start)
$$;

-- Whether the table has the column shipped: the extension ships rows in it.
CREATE FUNCTION spotcheck.restore_ships_rows(rel regclass) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                    WHERE a.attrelid = rel AND a.attname = 'shipped' AND a.attnum > 0 AND NOT a.attisdropped
                      AND a.atttypid = 'pg_catalog.bool'::pg_catalog.regtype)
$$;

-- Which configuration tables hold rows (the rows the extension ships, such
-- as the shipped calendar, do not count): "spotcheck.agencies,
-- spotcheck.units", or NULL when none does.  Given a table, only that one.
CREATE FUNCTION spotcheck.restore_holdings(only_table regclass DEFAULT NULL) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t record;
    found_rows boolean;
    held text[] := '{}';
BEGIN
    FOR t IN SELECT r.rel, CASE WHEN spotcheck.restore_ships_rows(r.rel) THEN 'WHERE NOT shipped' ELSE r.filter END AS filter
               FROM spotcheck.restore_tables() r
              WHERE only_table IS NULL OR r.rel = only_table
              ORDER BY r.rel::text
    LOOP
        EXECUTE pg_catalog.format('SELECT EXISTS (SELECT FROM %s %s)', t.rel, t.filter) INTO found_rows;
        IF found_rows THEN
            held := held || t.rel::text;
        END IF;
    END LOOP;
    RETURN CASE WHEN pg_catalog.cardinality(held) > 0 THEN pg_catalog.array_to_string(held, ', ') END;
END
$$;

-- Called by a restore statement before it loads the table: in a table the
-- dump holds whole although the extension ships rows in it (the calendar),
-- the shipped rows CREATE EXTENSION installed make way for the dump's, which
-- are the source's as they stood (shipped or corrected).  As a replica: the
-- rows go as they came, with no rule, no history and no audit entry.
CREATE FUNCTION spotcheck.restore_replace_shipped(rel regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET session_replication_role = replica AS $$
BEGIN
    IF spotcheck.restore_ships_rows(rel)
       AND EXISTS (SELECT FROM spotcheck.restore_tables() r
                    WHERE r.rel OPERATOR(pg_catalog.=) restore_replace_shipped.rel AND r.filter OPERATOR(pg_catalog.=) '') THEN
        EXECUTE pg_catalog.format('DELETE FROM %s WHERE shipped', rel);
    END IF;
END
$$;

-- Called when a superuser's COPY into a configuration table ends: the
-- table's sequences continue (restore_sequences), and in a calendar table the
-- shipped arrangement that the dump did not carry is put back (a dump made
-- before the calendar was dumped whole holds the administrator's rows only;
-- a shipped row is never deleted, so a newer dump carries every one).
CREATE FUNCTION spotcheck.restore_table_loaded(rel regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET session_replication_role = replica AS $$
BEGIN
    PERFORM spotcheck.restore_sequences(rel);
    IF rel OPERATOR(pg_catalog.=) 'spotcheck.calendar_years'::pg_catalog.regclass THEN
        INSERT INTO spotcheck.calendar_years (year, source, shipped)
        SELECT y.year, y.source, true FROM spotcheck.calendar_shipped_years() y
         WHERE NOT EXISTS (SELECT FROM spotcheck.calendar_years c WHERE c.year OPERATOR(pg_catalog.=) y.year);
    ELSIF rel OPERATOR(pg_catalog.=) 'spotcheck.calendar_days'::pg_catalog.regclass THEN
        INSERT INTO spotcheck.calendar_days (day, kind, name, shipped)
        SELECT d.day, d.kind, d.name, true FROM spotcheck.calendar_shipped_days() d
         WHERE NOT EXISTS (SELECT FROM spotcheck.calendar_days c WHERE c.day OPERATOR(pg_catalog.=) d.day);
    END IF;
END
$$;

-- ---- the triggers ----------------------------------------------------------------

CREATE FUNCTION spotcheck.restore_statement_begin() RETURNS trigger
    AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION spotcheck.restore_statement_end() RETURNS trigger
    AS 'MODULE_PATHNAME' LANGUAGE C;

-- Attach _restore_begin and _restore_end to every configuration table that
-- lacks them, enabled ALWAYS (they also judge the statements of a session
-- that already runs as a replica).
CREATE FUNCTION spotcheck.restore_protect_all() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT r.rel FROM spotcheck.restore_tables() r
              WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_trigger g
                                 WHERE g.tgrelid = r.rel AND g.tgname = '_restore_begin')
              ORDER BY r.rel::text
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER _restore_begin BEFORE INSERT ON %s FOR EACH STATEMENT '
            'EXECUTE FUNCTION spotcheck.restore_statement_begin()', t.rel);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER _restore_end AFTER INSERT ON %s FOR EACH STATEMENT '
            'EXECUTE FUNCTION spotcheck.restore_statement_end()', t.rel);
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER _restore_begin', t.rel);
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER _restore_end', t.rel);
    END LOOP;
END
$$;

SELECT spotcheck.restore_protect_all();

-- ---- privileges ------------------------------------------------------------------

REVOKE ALL ON spotcheck.restores, spotcheck.restored_tables FROM PUBLIC;
GRANT SELECT ON spotcheck.restores, spotcheck.restored_tables TO spotcheck_admin;
