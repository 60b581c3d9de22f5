-- The tamper-evident audit log (Articles 23-24: the evidence that an agency
-- followed its list and plan).
--
-- Every state change appends one entry.  Entries made in a transaction wait
-- in audit_pending; at commit a deferred trigger takes the chain lock and
-- appends them to audit_log, each hashed over the hash of the one before
-- (see src/audit.c for the exact bytes).  Chaining at commit keeps the chain
-- linear with no gaps (a rolled-back transaction leaves nothing) and cannot
-- deadlock with the row locks that the audited changes themselves take.

CREATE TABLE spotcheck.audit_log (
    seq       bigint PRIMARY KEY CHECK (seq > 0),
    at        timestamptz NOT NULL,
    origin    text NOT NULL CHECK (origin IN ('extension', 'manual')),
    actor     text,
    agency    text,
    action    text NOT NULL,
    object    text NOT NULL,
    details   jsonb NOT NULL DEFAULT '{}',
    prev_hash bytea NOT NULL CHECK (pg_catalog.length(prev_hash) = 32),
    hash      bytea NOT NULL CHECK (pg_catalog.length(hash) = 32)
);
COMMENT ON TABLE spotcheck.audit_log IS
    'hash-chained log of every state change; append-only, verified by spotcheck.verify_audit_chain()';
COMMENT ON COLUMN spotcheck.audit_log.origin IS
    'extension: written by the extension''s own functions and triggers (no role can write such an entry); manual: appended by a role with spotcheck.audit_append()';

-- Entries of transactions that have not committed yet.
CREATE TABLE spotcheck.audit_pending (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid    xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
    at      timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    origin  text NOT NULL CHECK (origin IN ('extension', 'manual')),
    actor   text DEFAULT SESSION_USER,
    agency  text,
    action  text NOT NULL,
    object  text NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_pending_txid_idx ON spotcheck.audit_pending (txid, id);

-- Whether the extension announced something in this transaction: an entry of
-- origin 'extension' (which only the extension's own functions write), still
-- pending (it joins the chain at commit), with this action, this object
-- (any, when NULL) and details holding at least the given ones.  The triggers
-- that let a row or a change through only when the extension's workflow
-- announced it ask this.
CREATE FUNCTION spotcheck.audit_announced(action text, object text, details jsonb DEFAULT '{}') RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT FROM spotcheck.audit_pending a
                    WHERE a.txid OPERATOR(pg_catalog.=) pg_catalog.pg_current_xact_id() AND a.origin = 'extension'
                      AND a.action OPERATOR(pg_catalog.=) audit_announced.action
                      AND (audit_announced.object IS NULL OR a.object OPERATOR(pg_catalog.=) audit_announced.object)
                      AND a.details OPERATOR(pg_catalog.@>) audit_announced.details)
$$;

-- One row per transaction with pending entries; its deferred trigger chains them.
CREATE TABLE spotcheck.audit_chain_marker (
    txid xid8 PRIMARY KEY
);

-- The head of the chain: the last sequence number and hash.  Locking this
-- table is what serialises writers.  Its one row is created by the first
-- chaining, not by the install script, so that a restored dump brings its
-- own head without colliding with one made at CREATE EXTENSION.
CREATE TABLE spotcheck.audit_chain_head (
    single boolean PRIMARY KEY DEFAULT true CHECK (single),
    seq    bigint NOT NULL,
    hash   bytea NOT NULL CHECK (pg_catalog.length(hash) = 32),
    at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);

-- The log and its head are user data: pg_dump keeps them.
SELECT pg_catalog.pg_extension_config_dump('spotcheck.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.audit_chain_head', '');

-- ---- hashing (C) -------------------------------------------------------------

CREATE FUNCTION spotcheck.audit_entry_hash(prev_hash bytea, seq bigint, at timestamptz, origin text,
        actor text, agency text, action text, object text, details text)
    RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION spotcheck.audit_entry_hash(bytea, bigint, timestamptz, text, text, text, text, text, text) IS
    'the hash of one audit entry given the hash before it (details as jsonb text)';

CREATE FUNCTION spotcheck.audit_chain_hash(start_hash bytea, seq bigint, at timestamptz, origin text,
        actor text, agency text, action text, object text, details text)
    RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE WINDOW;

-- (Not SECURITY DEFINER: it reads and writes the audit tables directly, with
-- no query, so no privilege is asked of the committing role; only the
-- extension's owner may attach it.)
CREATE FUNCTION spotcheck.audit_chain_pending() RETURNS trigger
    AS 'MODULE_PATHNAME' LANGUAGE C;

CREATE CONSTRAINT TRIGGER audit_chain
    AFTER INSERT ON spotcheck.audit_chain_marker
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_chain_pending();

-- ---- appending -----------------------------------------------------------------

-- Makes sure this transaction's pending entries are chained at commit: the
-- first call of a transaction inserts the marker row that carries the
-- deferred trigger.  Whether that is done is kept in the backend (C), not in
-- a setting a role could change.  No role may call it.
CREATE FUNCTION spotcheck.audit_mark_transaction() RETURNS void
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;

-- Every entry goes into audit_pending here: checked, stamped with its origin
-- and the session's login role (a SECURITY DEFINER caller does not hide who
-- acted), and the transaction marked for chaining.  No role may call it.
CREATE FUNCTION spotcheck.audit_pend(origin text, action text, object text, agency text, details jsonb)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    pending_id bigint;
BEGIN
    IF action IS NULL OR pg_catalog.btrim(action) = '' OR object IS NULL OR pg_catalog.btrim(object) = '' THEN
        RAISE EXCEPTION 'an audit entry needs an action and an object, got action % and object %',
                        pg_catalog.quote_nullable(pg_catalog.left(action, 64)),
                        pg_catalog.quote_nullable(pg_catalog.left(object, 64))
            USING ERRCODE = '22004',
                  HINT = 'Name what happened (for example units.update) and what it concerns.';
    END IF;
    INSERT INTO spotcheck.audit_pending (origin, actor, agency, action, object, details)
        VALUES (origin, SESSION_USER, agency, action, object, COALESCE(details, '{}'::jsonb))
        RETURNING id INTO pending_id;
    PERFORM spotcheck.audit_mark_transaction();
    RETURN pending_id;
END
$$;

-- How the extension's own functions record a state change: an entry of
-- origin 'extension', which verifications trust.  No role may call it; the
-- extension's SECURITY DEFINER functions and triggers do.
CREATE FUNCTION spotcheck.audit_record(action text, object text, agency text, details jsonb)
RETURNS bigint
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$ SELECT spotcheck.audit_pend('extension', action, object, agency, details) $$;
COMMENT ON FUNCTION spotcheck.audit_record(text, text, text, jsonb) IS
    'internal: record a state change made by the extension (origin extension); it joins the hash chain when the transaction commits';

-- A note a role adds to the log by hand (origin 'manual'): a correction, a
-- remark, a decision taken outside the database.  It is chained like every
-- entry, but no verification takes it for something the extension did.  A
-- role names an agency only if it may act for it.
CREATE FUNCTION spotcheck.audit_append(action text, object text, agency text, details jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF agency IS NOT NULL THEN
        PERFORM spotcheck.require_agency_role(agency, ARRAY['spotcheck_admin', 'spotcheck_planner',
            'spotcheck_head', 'spotcheck_upper', 'spotcheck_inspector']::name[], 'add an audit note');
    END IF;
    RETURN spotcheck.audit_pend('manual', action, object, agency, details);
END
$$;
COMMENT ON FUNCTION spotcheck.audit_append(text, text, text, jsonb) IS
    'add a note to the audit log by hand (origin manual); it joins the hash chain when the transaction commits';

-- Trigger for audited tables:
--   AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW
--     EXECUTE FUNCTION spotcheck.audit_row_change('key_column' [, 'agency_column'])
--   AFTER TRUNCATE ... FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.audit_row_change()
-- logs <table>.insert|update|delete|truncate with {"old": row, "new": row}
-- (rows as to_jsonb() gives them), object <table>:<key>, the row's agency.
-- An UPDATE that changes nothing is not a state change and is not logged.
-- It runs once per changed row, so it is C (src/audit.c) and writes
-- audit_pending directly; only the extension's owner may attach it.
CREATE FUNCTION spotcheck.audit_row_change() RETURNS trigger
    AS 'MODULE_PATHNAME' LANGUAGE C;

-- ---- protection ------------------------------------------------------------------

-- Nobody changes the log through SQL: entries are never updated or deleted,
-- and only the chaining trigger (running as the extension's owner) may add
-- them or move the head; no role of the extension holds INSERT on them.  A
-- superuser can still write directly or disable these triggers;
-- verify_audit_chain() is what catches that.
CREATE FUNCTION spotcheck.audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on spotcheck.% is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = '42501',
              DETAIL = 'Entries are added only when a transaction that changed state commits.',
              HINT = 'Record a correction as a new note with spotcheck.audit_append().';
END
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON spotcheck.audit_log
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON spotcheck.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.audit_refuse_change();
-- The head moves with every commit that chains entries, under the chain
-- lock: its guard is C, and lets through only the chaining trigger's update.
CREATE FUNCTION spotcheck.audit_head_guard() RETURNS trigger
    AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE TRIGGER audit_chain_head_guard
    BEFORE UPDATE OR DELETE ON spotcheck.audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_head_guard();
CREATE TRIGGER audit_chain_head_no_truncate
    BEFORE TRUNCATE ON spotcheck.audit_chain_head
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.audit_head_guard();

-- ---- verification ---------------------------------------------------------------

-- The latest sequence number and hash: publish it, or hand it to the upper
-- level, and anyone can later prove that nothing up to it changed.
CREATE FUNCTION spotcheck.audit_head(OUT seq bigint, OUT hash bytea, OUT hash_hex text, OUT at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT COALESCE(h.seq, 0), COALESCE(h.hash, z.zero), pg_catalog.encode(COALESCE(h.hash, z.zero), 'hex'), h.at
      FROM (SELECT pg_catalog.decode(pg_catalog.repeat('00', 32), 'hex') AS zero) z
      LEFT JOIN spotcheck.audit_chain_head h ON true
$$;

-- Walk the whole chain.  Each entry must follow the one before it by
-- sequence number, name its hash as prev_hash, and hash to its own hash;
-- the last entry must be the head.  Given a published head (seq and hash),
-- that entry must still carry that hash.  first_bad is the first sequence
-- number at which the chain breaks.
CREATE FUNCTION spotcheck.verify_audit_chain(published_seq bigint DEFAULT NULL,
                                             published_hash bytea DEFAULT NULL)
RETURNS TABLE (ok boolean, entries bigint, first_bad bigint, detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    zero bytea := pg_catalog.decode(pg_catalog.repeat('00', 32), 'hex');
    n bigint;
    bad record;
    head_seq bigint;
    head_hash bytea;
    last record;
    pub_hash bytea;
    stranded bigint;
    stranded_first bigint;
BEGIN
    IF (published_seq IS NULL) <> (published_hash IS NULL) THEN
        RAISE EXCEPTION 'a published head needs both its sequence number and its hash, got % and %',
                        pg_catalog.quote_nullable(published_seq),
                        pg_catalog.quote_nullable(pg_catalog.encode(published_hash, 'hex'))
            USING ERRCODE = '22023',
                  HINT = 'Pass both values returned by spotcheck.audit_head(), or neither.';
    END IF;

    SELECT pg_catalog.count(*) INTO n FROM spotcheck.audit_log;

    SELECT c.seq,
           CASE WHEN c.seq OPERATOR(pg_catalog.<>) COALESCE(c.prev_seq, 0) + 1 THEN
                    pg_catalog.format('entry %s follows entry %s: entries were removed or inserted',
                                      c.seq, COALESCE(c.prev_seq, 0))
                WHEN c.prev_hash OPERATOR(pg_catalog.<>) COALESCE(c.prev_entry_hash, zero) THEN
                    pg_catalog.format('entry %s does not link to the hash of the entry before it', c.seq)
                ELSE pg_catalog.format('entry %s was changed after it was written: its hash does not match its content', c.seq)
           END AS why
      INTO bad
      FROM (SELECT l.seq, l.prev_hash, l.hash,
                   pg_catalog.lag(l.seq) OVER w AS prev_seq,
                   pg_catalog.lag(l.hash) OVER w AS prev_entry_hash,
                   spotcheck.audit_entry_hash(l.prev_hash, l.seq, l.at, l.origin, l.actor, l.agency,
                                              l.action, l.object, l.details::text) AS recomputed
              FROM spotcheck.audit_log l
            WINDOW w AS (ORDER BY l.seq)) c
     WHERE c.seq OPERATOR(pg_catalog.<>) COALESCE(c.prev_seq, 0) + 1
        OR c.prev_hash OPERATOR(pg_catalog.<>) COALESCE(c.prev_entry_hash, zero)
        OR c.recomputed OPERATOR(pg_catalog.<>) c.hash
     ORDER BY c.seq
     LIMIT 1;
    IF FOUND THEN
        RETURN QUERY SELECT false, n, bad.seq, bad.why;
        RETURN;
    END IF;

    SELECT l.seq, l.hash INTO last FROM spotcheck.audit_log l ORDER BY l.seq DESC LIMIT 1;
    SELECT h.seq, h.hash INTO head_seq, head_hash FROM spotcheck.audit_chain_head h;
    IF NOT FOUND THEN
        IF n = 0 THEN           -- nothing was ever logged
            head_seq := 0;
            head_hash := zero;
        ELSE
            RETURN QUERY SELECT false, n, NULL::bigint,
                'the chain head is missing: it was deleted behind the extension''s back'::text;
            RETURN;
        END IF;
    END IF;
    IF head_seq OPERATOR(pg_catalog.<>) COALESCE(last.seq, 0)
       OR head_hash OPERATOR(pg_catalog.<>) COALESCE(last.hash, zero) THEN
        RETURN QUERY SELECT false, n, COALESCE(last.seq, 0) + 1,
            pg_catalog.format('the chain ends at entry %s but its head names entry %s: entries at the end were removed or the head was changed',
                              COALESCE(last.seq, 0), head_seq);
        RETURN;
    END IF;

    -- Pending entries that another transaction left: that transaction
    -- committed (or they would be invisible) without chaining them, which
    -- only happens when the chaining trigger was switched off.
    SELECT pg_catalog.count(*), pg_catalog.min(p.id) INTO stranded, stranded_first
      FROM spotcheck.audit_pending p
     WHERE p.txid OPERATOR(pg_catalog.<>) COALESCE(pg_catalog.pg_current_xact_id_if_assigned(), '0'::xid8);
    IF stranded > 0 THEN
        RETURN QUERY SELECT false, n, NULL::bigint,
            pg_catalog.format('%s %s of committed transactions never joined the chain (first pending id %s): the chaining trigger was bypassed',
                              stranded, CASE WHEN stranded = 1 THEN 'entry' ELSE 'entries' END, stranded_first);
        RETURN;
    END IF;

    IF published_seq IS NOT NULL THEN
        SELECT l.hash INTO pub_hash FROM spotcheck.audit_log l WHERE l.seq = published_seq;
        IF pub_hash IS NULL OR pub_hash OPERATOR(pg_catalog.<>) published_hash THEN
            RETURN QUERY SELECT false, n, published_seq,
                pg_catalog.format('the published head (entry %s, hash %s) is not in the chain: %s',
                    published_seq, pg_catalog.encode(published_hash, 'hex'),
                    CASE WHEN pub_hash IS NULL THEN 'there is no such entry'
                         ELSE 'that entry now hashes to ' || pg_catalog.encode(pub_hash, 'hex') END);
            RETURN;
        END IF;
    END IF;

    RETURN QUERY SELECT true, n, NULL::bigint,
        CASE WHEN published_seq IS NULL
             THEN pg_catalog.format('chain intact: %s %s', n, CASE WHEN n = 1 THEN 'entry' ELSE 'entries' END)
             ELSE pg_catalog.format('chain intact: %s %s; the published head at entry %s matches',
                                    n, CASE WHEN n = 1 THEN 'entry' ELSE 'entries' END, published_seq)
        END;
END
$$;

-- ---- privileges ------------------------------------------------------------------

REVOKE ALL ON spotcheck.audit_log, spotcheck.audit_pending, spotcheck.audit_chain_marker,
    spotcheck.audit_chain_head FROM PUBLIC;
GRANT SELECT ON spotcheck.audit_log TO spotcheck_admin, spotcheck_head, spotcheck_upper;
GRANT EXECUTE ON FUNCTION spotcheck.audit_append(text, text, text, jsonb),
    spotcheck.audit_head(), spotcheck.verify_audit_chain(bigint, bytea)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
