-- Dynamic management (Article 11): every change to the item list, the two
-- directories, absences, recusals and code exceptions keeps its history.
--
-- Two records of each change, for two purposes:
--   * the audit log (05_audit.sql): tamper-evident, hash-chained, one chain
--     for every kind of state change; readable by admin, head and upper in
--     full.  It proves nothing was changed behind the extension's back.
--   * registry_history (here): queryable per registry and per row, indexed
--     by (table, key), scoped by row-level security to the agencies a role
--     may read, so a planner can ask "what did this unit look like on
--     1 March and who changed it" (spotcheck.unit_as_of) without reading the
--     whole chain of every agency.
-- The audit log alone would answer the question only for roles allowed to
-- read all of it, by scanning JSON of every object; hence both.

-- Which registry tables the bulk loaders are writing (src/registry.c): state
-- of the backend, not a setting.  Only the loaders' own code switches it
-- (begin and end may be executed by no role); it is off again at the end of
-- the transaction, and when the subtransaction that switched it aborts.
CREATE FUNCTION spotcheck.registry_bulk_begin(tables regclass[]) RETURNS void
    AS 'MODULE_PATHNAME', 'spotcheck_registry_bulk_begin' LANGUAGE C STRICT;
CREATE FUNCTION spotcheck.registry_bulk_end() RETURNS void
    AS 'MODULE_PATHNAME', 'spotcheck_registry_bulk_end' LANGUAGE C;
CREATE FUNCTION spotcheck.registry_bulk_active(tab regclass) RETURNS boolean
    AS 'MODULE_PATHNAME', 'spotcheck_registry_bulk_active' LANGUAGE C STRICT;
COMMENT ON FUNCTION spotcheck.registry_bulk_active(regclass) IS
    'whether a bulk load is writing the table in this transaction (its changes are then audited per statement and agency)';

CREATE SEQUENCE spotcheck.registry_change_set_seq;

CREATE TABLE spotcheck.registry_history (
    id          bigserial PRIMARY KEY,
    change_set  bigint NOT NULL,
    table_name  text NOT NULL,
    object      text NOT NULL,
    agency      text,
    operation   text NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
    old_row     jsonb,
    new_row     jsonb,
    changed_by  name NOT NULL,
    changed_at  timestamptz NOT NULL
);
CREATE INDEX registry_history_object_idx ON spotcheck.registry_history (table_name, object, id);
CREATE INDEX registry_history_agency_idx ON spotcheck.registry_history (agency);
CREATE INDEX registry_history_change_set_idx ON spotcheck.registry_history (change_set);
COMMENT ON TABLE spotcheck.registry_history IS
    'what each registry row was and became, who changed it and when (append-only); change_set = one statement';

-- The role that acts: the role set with SET ROLE if any, else the login
-- role.  A SECURITY DEFINER function changes CURRENT_USER but not this.
CREATE FUNCTION spotcheck.acting_role() RETURNS name
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN pg_catalog.current_setting('role') = 'none' THEN SESSION_USER
                ELSE pg_catalog.current_setting('role')::name END
$$;

-- The digests of a change set's history rows, one per agency, as recorded
-- in the audit log for bulk changes: SHA-256 over one line per row in id
-- order.  Every field is written in a form no session setting changes (the
-- time as exact decimal seconds since the epoch, jsonb as its canonical
-- text), so a digest recomputes identically in any session.
CREATE FUNCTION spotcheck.registry_change_digests(change_set bigint)
RETURNS TABLE (agency text, n bigint, digest text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT h.agency, pg_catalog.count(*),
           pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.string_agg(
               pg_catalog.concat_ws('|', h.id, h.table_name, h.object, h.operation, h.old_row::text,
                                    h.new_row::text, h.changed_by, EXTRACT(EPOCH FROM h.changed_at)),
               E'\n' ORDER BY h.id), 'UTF8')), 'hex')
      FROM spotcheck.registry_history h
     WHERE h.change_set = registry_change_digests.change_set
     GROUP BY h.agency
$$;

-- Statement-level, one trigger per event with its transition table:
--   keep_history('key columns', 'agency column' [, 'inspectors'])
-- key columns (comma-separated) pair old and new rows and name the object;
-- with 'inspectors' the agency is that of the inspector in the named column.
-- While the loaders write a table in bulk (spotcheck.registry_bulk_active,
-- state that only the loaders' own code can set) the per-row audit trigger
-- stands aside and this trigger chains, per agency, one audit entry holding
-- the count and the SHA-256 of the history rows it wrote; both ask the same
-- state, so every change is in the audit log one way or the other.
CREATE FUNCTION spotcheck.keep_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    keys text[] := pg_catalog.string_to_array(TG_ARGV[0], ',');
    obj_o text;
    obj_n text;
    join_on text;
    ag text;
    cs bigint := pg_catalog.nextval('spotcheck.registry_change_set_seq');
    who name := spotcheck.acting_role();
    r record;
BEGIN
    SELECT pg_catalog.string_agg(pg_catalog.format('o.%I::text', k), ' || '':'' || '),
           pg_catalog.string_agg(pg_catalog.format('n.%I::text', k), ' || '':'' || '),
           pg_catalog.string_agg(pg_catalog.format('o.%1$I = n.%1$I', k), ' AND ')
      INTO obj_o, obj_n, join_on
      FROM pg_catalog.unnest(keys) AS k;
    ag := CASE WHEN TG_NARGS > 2 AND TG_ARGV[2] = 'inspectors'
               THEN pg_catalog.format('(SELECT i.agency FROM spotcheck.inspectors i WHERE i.code = %%1$s.%I)', TG_ARGV[1])
               ELSE pg_catalog.format('%%1$s.%I::text', TG_ARGV[1]) END;
    IF TG_OP = 'INSERT' THEN
        EXECUTE pg_catalog.format(
            'INSERT INTO spotcheck.registry_history (change_set, table_name, object, agency, operation, old_row, new_row, changed_by, changed_at) '
            'SELECT $1, $2, %s, %s, ''insert'', NULL, pg_catalog.to_jsonb(n), $3, pg_catalog.now() FROM new_rows n',
            obj_n, pg_catalog.format(ag, 'n'))
        USING cs, TG_TABLE_NAME, who;
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE pg_catalog.format(
            'INSERT INTO spotcheck.registry_history (change_set, table_name, object, agency, operation, old_row, new_row, changed_by, changed_at) '
            'SELECT $1, $2, %s, %s, ''update'', pg_catalog.to_jsonb(o), pg_catalog.to_jsonb(n), $3, pg_catalog.now() '
            'FROM old_rows o JOIN new_rows n ON %s WHERE pg_catalog.to_jsonb(o) OPERATOR(pg_catalog.<>) pg_catalog.to_jsonb(n)',
            obj_n, pg_catalog.format(ag, 'n'), join_on)
        USING cs, TG_TABLE_NAME, who;
    ELSE
        EXECUTE pg_catalog.format(
            'INSERT INTO spotcheck.registry_history (change_set, table_name, object, agency, operation, old_row, new_row, changed_by, changed_at) '
            'SELECT $1, $2, %s, %s, ''delete'', pg_catalog.to_jsonb(o), NULL, $3, pg_catalog.now() FROM old_rows o',
            obj_o, pg_catalog.format(ag, 'o'))
        USING cs, TG_TABLE_NAME, who;
    END IF;
    IF spotcheck.registry_bulk_active(TG_RELID) THEN
        FOR r IN SELECT d.agency, d.n, d.digest FROM spotcheck.registry_change_digests(cs) d ORDER BY d.agency LOOP
            PERFORM spotcheck.audit_record(TG_TABLE_NAME || '.bulk_' || pg_catalog.lower(TG_OP),
                TG_TABLE_NAME || ':change_set:' || cs, r.agency,
                pg_catalog.jsonb_build_object('change_set', cs, 'rows', r.n, 'sha256', r.digest));
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER registry_history_append_only BEFORE UPDATE OR DELETE ON spotcheck.registry_history
    FOR EACH ROW EXECUTE FUNCTION spotcheck.refuse_change('History is a permanent record.');
CREATE TRIGGER registry_history_no_truncate BEFORE TRUNCATE ON spotcheck.registry_history
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change('History is a permanent record.');

-- History and audit triggers on every registry.  They are ordinary (not
-- ALWAYS) triggers: a restore run with session_replication_role = replica
-- (see README, "Dump and restore") loads the dumped history and audit log
-- as they were instead of recording the restore as new changes.
DO $triggers$
DECLARE
    t record;
    ev text;
BEGIN
    FOR t IN SELECT * FROM (VALUES
            ('agencies',              'code',             'code',      NULL, 'code'),
            ('agency_members',        'member,agency',    'agency',    NULL, 'member'),
            ('check_items',           'id',               'agency',    NULL, 'id'),
            ('check_item_uses',       'item_id,used_by',  NULL,        NULL, 'item_id'),
            ('unit_code_exceptions',  'code',             'agency',    NULL, 'code'),
            ('units',                 'code',             'agency',    NULL, 'code'),
            ('inspectors',            'code',             'agency',    NULL, 'code'),
            ('inspector_absences',    'id',               'inspector', 'inspectors', 'id'),
            ('inspector_recusals',    'inspector,unit',   'inspector', 'inspectors', 'inspector'))
            AS v(tab, keys, ag, via, audit_key)
    LOOP
        IF t.tab <> 'check_item_uses' THEN
            FOREACH ev IN ARRAY ARRAY['insert', 'update', 'delete'] LOOP
                EXECUTE pg_catalog.format(
                    'CREATE TRIGGER %I AFTER %s ON spotcheck.%I REFERENCING %s TABLE AS %s '
                    'FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.keep_history(%L, %L%s)',
                    t.tab || '_history_' || ev, ev, t.tab,
                    CASE ev WHEN 'insert' THEN 'NEW' WHEN 'delete' THEN 'OLD' ELSE 'OLD TABLE AS old_rows NEW' END,
                    CASE ev WHEN 'delete' THEN 'old_rows' ELSE 'new_rows' END,
                    t.keys, t.ag,
                    CASE WHEN t.via IS NOT NULL THEN pg_catalog.format(', %L', t.via) ELSE '' END);
            END LOOP;
        END IF;
        -- only the tables the loaders write in bulk may be audited per
        -- statement instead; every other registry is audited row by row always
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON spotcheck.%I FOR EACH ROW %s'
            'EXECUTE FUNCTION spotcheck.audit_row_change(%L%s)',
            t.tab || '_audit', t.tab,
            CASE WHEN t.tab IN ('units', 'inspectors')
                 THEN pg_catalog.format('WHEN (NOT spotcheck.registry_bulk_active(%L::regclass)) ', 'spotcheck.' || t.tab)
                 ELSE '' END,
            t.audit_key,
            CASE WHEN t.ag IS NOT NULL AND t.via IS NULL THEN pg_catalog.format(', %L', t.ag) ELSE '' END);
    END LOOP;
END
$triggers$;

-- Recompute the digest of every bulk change the extension recorded in the
-- audit log and compare it with the history rows: any row changed, added or removed
-- behind the extension's back shows up here.  ok is true or false, never
-- NULL: an entry whose change set, count or digest is missing or malformed
-- fails.
CREATE FUNCTION spotcheck.verify_registry_history()
RETURNS TABLE (audit_seq bigint, change_set bigint, agency text, ok boolean, detail text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT e.seq, e.cs, e.agency,
           coalesce(d.digest OPERATOR(pg_catalog.=) e.sha256 AND d.n::text OPERATOR(pg_catalog.=) e.n, false),
           CASE WHEN e.cs IS NULL
                THEN pg_catalog.format('audit entry %s names no change set', e.seq)
                WHEN d.digest IS NULL
                THEN pg_catalog.format('the history rows of change set %s for agency %s are missing (audit entry %s)',
                                       e.cs, coalesce(e.agency, 'none'), e.seq)
                WHEN d.digest OPERATOR(pg_catalog.=) e.sha256 AND d.n::text OPERATOR(pg_catalog.=) e.n
                THEN pg_catalog.format('%s history rows match', e.n)
                ELSE pg_catalog.format('the history rows of change set %s no longer match the digest in audit entry %s',
                                       e.cs, e.seq) END
      FROM (SELECT l.seq, l.agency,
                   CASE WHEN l.details ->> 'change_set' ~ '^[0-9]{1,18}$'
                        THEN (l.details ->> 'change_set')::bigint END AS cs,
                   l.details ->> 'rows' AS n, l.details ->> 'sha256' AS sha256
              FROM spotcheck.audit_log l
             -- only entries the extension itself wrote: a hand-appended
             -- (origin 'manual') entry of the same name proves nothing
             WHERE l.action ~ '^(units|inspectors)\.bulk_(insert|update|delete)$'
               AND l.origin OPERATOR(pg_catalog.=) 'extension') e
      LEFT JOIN LATERAL (SELECT x.n, x.digest FROM spotcheck.registry_change_digests(e.cs) x
                          WHERE x.agency IS NOT DISTINCT FROM e.agency) d ON true
     -- the caller sees the verdicts of the agencies it may read
     WHERE spotcheck.caller_may_read(e.agency)
     ORDER BY e.seq
$$;
COMMENT ON FUNCTION spotcheck.verify_registry_history() IS
    'check the history rows of every bulk change against the digest chained in the audit log';

-- One view per registry (security_invoker: the caller's row-level security
-- applies).
CREATE VIEW spotcheck.unit_history WITH (security_invoker = true) AS
    SELECT h.id, h.object AS code, h.agency, h.operation, h.old_row, h.new_row, h.changed_by, h.changed_at
      FROM spotcheck.registry_history h WHERE h.table_name = 'units';
CREATE VIEW spotcheck.inspector_history WITH (security_invoker = true) AS
    SELECT h.id, h.object AS code, h.agency, h.operation, h.old_row, h.new_row, h.changed_by, h.changed_at
      FROM spotcheck.registry_history h WHERE h.table_name = 'inspectors';
CREATE VIEW spotcheck.check_item_history WITH (security_invoker = true) AS
    SELECT h.id, h.object::bigint AS item_id, h.agency, h.operation, h.old_row, h.new_row, h.changed_by, h.changed_at
      FROM spotcheck.registry_history h WHERE h.table_name = 'check_items';
CREATE VIEW spotcheck.inspector_absence_history WITH (security_invoker = true) AS
    SELECT h.id, h.object::bigint AS absence_id, h.agency, h.operation, h.old_row, h.new_row, h.changed_by, h.changed_at
      FROM spotcheck.registry_history h WHERE h.table_name = 'inspector_absences';
CREATE VIEW spotcheck.inspector_recusal_history WITH (security_invoker = true) AS
    SELECT h.id, h.object AS inspector, h.agency, h.operation, h.old_row, h.new_row, h.changed_by, h.changed_at
      FROM spotcheck.registry_history h WHERE h.table_name = 'inspector_recusals';

-- A registry row as it was at a moment (NULL if it did not exist then).
CREATE FUNCTION spotcheck.unit_as_of(code text, at timestamptz) RETURNS spotcheck.units
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.jsonb_populate_record(NULL::spotcheck.units, h.new_row)
      FROM spotcheck.registry_history h
     WHERE h.table_name = 'units' AND h.object = spotcheck.unit_code_normalize(unit_as_of.code)
       AND h.changed_at <= unit_as_of.at
     ORDER BY h.id DESC LIMIT 1
$$;
CREATE FUNCTION spotcheck.inspector_as_of(code text, at timestamptz) RETURNS spotcheck.inspectors
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.jsonb_populate_record(NULL::spotcheck.inspectors, h.new_row)
      FROM spotcheck.registry_history h
     WHERE h.table_name = 'inspectors' AND h.object = inspector_as_of.code
       AND h.changed_at <= inspector_as_of.at
     ORDER BY h.id DESC LIMIT 1
$$;
CREATE FUNCTION spotcheck.check_item_as_of(id bigint, at timestamptz) RETURNS spotcheck.check_items
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.jsonb_populate_record(NULL::spotcheck.check_items, h.new_row)
      FROM spotcheck.registry_history h
     WHERE h.table_name = 'check_items' AND h.object = check_item_as_of.id::text
       AND h.changed_at <= check_item_as_of.at
     ORDER BY h.id DESC LIMIT 1
$$;

SELECT pg_catalog.pg_extension_config_dump('spotcheck.registry_history', '');
