-- Draws: what commit_draw freezes and execute_draw adds.  Only the
-- extension's functions write here; triggers refuse every other change, and
-- verify_draw recomputes everything in case the triggers were bypassed.

CREATE TABLE spotcheck.draw (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    algorithm           text NOT NULL DEFAULT 'spotcheck-v1' CHECK (algorithm = 'spotcheck-v1'),
    purpose             text NOT NULL CHECK (purpose IN ('targets', 'redraw')),
    pool_source         text NOT NULL,
    agency              text REFERENCES spotcheck.agencies (code),
    entropy_declaration text NOT NULL CHECK (entropy_declaration <> ''),
    secret_origin       text NOT NULL CHECK (secret_origin IN ('generated', 'supplied')),
    team_size           integer CHECK (team_size >= 2),
    -- sealed at the end of commit_draw:
    commitment          bytea CHECK (length(commitment) = 32),
    pool_digest         bytea CHECK (length(pool_digest) = 32),
    quota_digest        bytea CHECK (length(quota_digest) = 32),
    pool_size           bigint CHECK (pool_size >= 0),
    committed_at        timestamptz NOT NULL,
    committed_by        text NOT NULL,
    committed_xid       xid8 NOT NULL,
    -- set by execute_draw:
    executed_at         timestamptz,
    executed_by         text,
    executed_xid        xid8,
    entropy_value       text,
    seed                bytea CHECK (length(seed) = 32),
    selected_count      integer CHECK (selected_count >= 0),
    failure_reason      text,
    -- set by abandon_draw:
    abandoned_at        timestamptz,
    abandoned_by        text,
    abandon_reason      text,
    CONSTRAINT draw_sealed_together CHECK (
        (commitment IS NULL) = (pool_digest IS NULL) AND (pool_digest IS NULL) = (quota_digest IS NULL)
        AND (quota_digest IS NULL) = (pool_size IS NULL)),
    CONSTRAINT draw_executed_together CHECK (
        (executed_at IS NULL) = (executed_xid IS NULL) AND (executed_at IS NULL) = (seed IS NULL)
        AND (executed_at IS NULL) = (entropy_value IS NULL) AND (executed_at IS NULL) = (executed_by IS NULL)
        AND (selected_count IS NULL OR executed_at IS NOT NULL)
        AND (failure_reason IS NULL OR executed_at IS NOT NULL)),
    CONSTRAINT draw_abandoned_together CHECK (
        (abandoned_at IS NULL) = (abandoned_by IS NULL) AND (abandoned_at IS NULL) = (abandon_reason IS NULL)),
    CONSTRAINT draw_abandoned_or_executed CHECK (abandoned_at IS NULL OR executed_at IS NULL)
);
COMMENT ON TABLE spotcheck.draw IS 'one row per committed draw (DRAW-SPEC.md); its state is in spotcheck.draws';

-- The secret S, readable by no role of the extension; draw_transcript
-- reveals it once the draw's execution has committed.
CREATE TABLE spotcheck.draw_secret (
    draw   bigint PRIMARY KEY REFERENCES spotcheck.draw,
    secret bytea NOT NULL CHECK (length(secret) = 32)
);

-- draw_pool has a row per candidate (50,000 for a large brigade's month):
-- its draw column carries no foreign key, whose per-row check cost more than
-- the rest of freezing the pool.  Only draw_commit_with writes it, in the
-- transaction that creates the draw row; a draw is never deleted.
CREATE TABLE spotcheck.draw_pool (
    draw    bigint NOT NULL,
    key     text NOT NULL CHECK (key <> '' AND key !~ '[\x01-\x1f\x7f]'),
    stratum text NOT NULL CHECK (stratum <> '' AND stratum !~ '[\x01-\x1f\x7f]'),
    weight  bigint NOT NULL CHECK (weight BETWEEN 1 AND 4294967295),
    PRIMARY KEY (draw, key)
);

CREATE TABLE spotcheck.draw_quota (
    draw    bigint NOT NULL REFERENCES spotcheck.draw,
    stratum text NOT NULL CHECK (stratum <> '' AND stratum !~ '[\x01-\x1f\x7f]'),
    quota   integer NOT NULL CHECK (quota >= 0),
    PRIMARY KEY (draw, stratum)
);

-- Teams: the inspector pool and the exclusions (回避) frozen at commitment.
CREATE TABLE spotcheck.draw_inspector (
    draw bigint NOT NULL REFERENCES spotcheck.draw,
    key  text NOT NULL CHECK (key <> '' AND key !~ '[\x01-\x1f\x7f]'),
    PRIMARY KEY (draw, key)
);

CREATE TABLE spotcheck.draw_exclusion (
    draw      bigint NOT NULL,
    inspector text NOT NULL,
    target    text NOT NULL,
    PRIMARY KEY (draw, inspector, target),
    FOREIGN KEY (draw, inspector) REFERENCES spotcheck.draw_inspector,
    FOREIGN KEY (draw, target) REFERENCES spotcheck.draw_pool
);

CREATE TABLE spotcheck.draw_selected (
    draw    bigint NOT NULL,
    stratum text NOT NULL,
    rank    integer NOT NULL CHECK (rank >= 1),
    key     text NOT NULL,
    ticket  bytea NOT NULL CHECK (length(ticket) = 32),
    PRIMARY KEY (draw, stratum, rank),
    UNIQUE (draw, key),
    FOREIGN KEY (draw, key) REFERENCES spotcheck.draw_pool
);

CREATE TABLE spotcheck.draw_team_member (
    draw      bigint NOT NULL,
    target    text NOT NULL,
    member    integer NOT NULL CHECK (member >= 1),
    inspector text NOT NULL,
    over_cap  boolean NOT NULL,
    PRIMARY KEY (draw, target, member),
    UNIQUE (draw, target, inspector),
    FOREIGN KEY (draw, target) REFERENCES spotcheck.draw_selected (draw, key),
    FOREIGN KEY (draw, inspector) REFERENCES spotcheck.draw_inspector
);
CREATE INDEX ON spotcheck.draw_exclusion (draw, target);
CREATE INDEX ON spotcheck.draw_team_member (draw, inspector);

-- ---- protection ------------------------------------------------------------

-- The draw row: the committed inputs never change once sealed; the execution
-- columns are written once, in one transaction; nothing is ever deleted.
CREATE FUNCTION spotcheck.draw_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me xid8 := pg_catalog.pg_current_xact_id();
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'draw % cannot be deleted', OLD.id
            USING ERRCODE = '55000', HINT = 'Abandon it with spotcheck.abandon_draw(draw, reason); draws are kept.';
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.committed_xid IS DISTINCT FROM OLD.committed_xid THEN
        RAISE EXCEPTION 'the identity of draw % cannot change', OLD.id USING ERRCODE = '55000';
    END IF;
    IF OLD.commitment IS NOT NULL AND (
        NEW.algorithm, NEW.purpose, NEW.pool_source, NEW.agency, NEW.entropy_declaration,
        NEW.secret_origin, NEW.team_size, NEW.commitment, NEW.pool_digest, NEW.quota_digest,
        NEW.pool_size, NEW.committed_at, NEW.committed_by)
        IS DISTINCT FROM (
        OLD.algorithm, OLD.purpose, OLD.pool_source, OLD.agency, OLD.entropy_declaration,
        OLD.secret_origin, OLD.team_size, OLD.commitment, OLD.pool_digest, OLD.quota_digest,
        OLD.pool_size, OLD.committed_at, OLD.committed_by) THEN
        RAISE EXCEPTION 'draw % is committed; its inputs cannot change', OLD.id
            USING ERRCODE = '55000', HINT = 'Abandon it and commit a new draw.';
    END IF;
    IF OLD.commitment IS NULL AND OLD.committed_xid <> me THEN
        RAISE EXCEPTION 'draw % was never sealed', OLD.id USING ERRCODE = '55000';
    END IF;
    IF OLD.abandoned_at IS NOT NULL THEN
        RAISE EXCEPTION 'draw % was abandoned; it cannot change', OLD.id USING ERRCODE = '55000';
    END IF;
    IF (OLD.executed_at IS NOT NULL AND (OLD.executed_xid <> me OR OLD.selected_count IS NOT NULL))
       AND (NEW.executed_at, NEW.executed_by, NEW.executed_xid, NEW.entropy_value, NEW.seed,
            NEW.selected_count, NEW.failure_reason, NEW.abandoned_at)
           IS DISTINCT FROM
           (OLD.executed_at, OLD.executed_by, OLD.executed_xid, OLD.entropy_value, OLD.seed,
            OLD.selected_count, OLD.failure_reason, OLD.abandoned_at) THEN
        RAISE EXCEPTION 'draw % was executed; its result cannot change', OLD.id USING ERRCODE = '55000';
    END IF;
    IF NEW.executed_xid IS NOT NULL AND NEW.executed_xid = NEW.committed_xid THEN
        RAISE EXCEPTION 'draw % cannot be executed in the transaction that committed it', OLD.id
            USING ERRCODE = '25000';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER draw_guard BEFORE UPDATE OR DELETE ON spotcheck.draw
    FOR EACH ROW EXECUTE FUNCTION spotcheck.draw_guard();

-- Frozen rows never change and are never deleted (spotcheck.refuse_change,
-- with what to do instead), and none is added once they are frozen
-- (spotcheck.refuse_frozen_insert): the committed inputs only in the
-- transaction that commits the draw, before it is sealed; the result only in
-- the transaction that executes it, before its count is recorded.  The
-- extension's roles have no INSERT privilege on these tables at all (only
-- commit_draw and execute_draw write them); the triggers stop the tables'
-- owner.  A restore loads them as a replica, which fires no ordinary trigger
-- (90_restore.sql).  Rows added with the triggers switched off change the
-- recomputed digests and result, which verify_draw reports.

-- A statement-level trigger AFTER INSERT, with the inserted rows as the
-- transition table "added": TG_ARGV[0] says what the rows belong to --
-- 'draw inputs' (pool, quotas, secret, inspectors, exclusions: written
-- while the draw row is not sealed, by the transaction that created it),
-- 'draw result' (selection, teams: written by the transaction executing the
-- draw, before it records the count) or 'plan' (what a plan froze: written
-- by the transaction that created the plan row, before its frozen digest);
-- TG_ARGV[1] is the hint.  One check per statement, not per row: a pool has
-- 50,000 rows.
CREATE FUNCTION spotcheck.refuse_frozen_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me xid8 := pg_catalog.pg_current_xact_id();
    what text := TG_ARGV[0];
    owner_id bigint;
    d spotcheck.draw;
    p record;
    why text;
BEGIN
    FOR owner_id IN EXECUTE CASE WHEN what = 'plan' THEN 'SELECT DISTINCT a.plan FROM added a ORDER BY 1'
                                 ELSE 'SELECT DISTINCT a.draw FROM added a ORDER BY 1' END LOOP
        IF what = 'plan' THEN
            SELECT x.id, x.drawn_at, x.drawn_xid, x.frozen_digest INTO p FROM spotcheck.plan x WHERE x.id OPERATOR(pg_catalog.=) owner_id;
            why := CASE WHEN p.id IS NULL THEN pg_catalog.format('plan %s does not exist', COALESCE(owner_id::text, 'null'))
                        WHEN p.frozen_digest IS NOT NULL OR p.drawn_xid OPERATOR(pg_catalog.<>) me
                        THEN pg_catalog.format('plan %s was drawn at %s and what it froze is complete', p.id, spotcheck.draw_time(p.drawn_at)) END;
        ELSE
            SELECT * INTO d FROM spotcheck.draw x WHERE x.id OPERATOR(pg_catalog.=) owner_id;
            why := CASE WHEN d.id IS NULL THEN pg_catalog.format('draw %s does not exist', COALESCE(owner_id::text, 'null'))
                        WHEN what = 'draw inputs' AND (d.commitment IS NOT NULL OR d.committed_xid OPERATOR(pg_catalog.<>) me)
                        THEN pg_catalog.format('draw %s was committed at %s and its inputs are frozen', d.id, spotcheck.draw_time(d.committed_at))
                        WHEN what = 'draw result' AND d.executed_at IS NOT NULL
                             AND (d.executed_xid OPERATOR(pg_catalog.<>) me OR d.selected_count IS NOT NULL OR d.failure_reason IS NOT NULL)
                        THEN pg_catalog.format('draw %s was executed at %s and its result is complete', d.id, spotcheck.draw_time(d.executed_at))
                        WHEN what = 'draw result' AND d.executed_at IS NULL
                        THEN pg_catalog.format('draw %s is not being executed', d.id) END;
        END IF;
        IF why IS NOT NULL THEN
            RAISE EXCEPTION 'insert on %.% is not allowed: %', TG_TABLE_SCHEMA, TG_TABLE_NAME, why
                USING ERRCODE = '55000', HINT = COALESCE(TG_ARGV[1], 'The rows of this table are permanent records.');
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION spotcheck.refuse_frozen_insert() IS
    'trigger: refuse rows added to what a draw or plan froze, once it is frozen (argument: draw inputs, draw result or plan; and the hint)';

DO $protect$
DECLARE
    t text;
    frozen_hint text := 'Committed inputs and executed results are permanent; abandon the draw and commit a new one.';
BEGIN
    FOREACH t IN ARRAY ARRAY['draw_secret', 'draw_pool', 'draw_quota', 'draw_inspector',
                             'draw_exclusion', 'draw_selected', 'draw_team_member'] LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON spotcheck.%I
                 FOR EACH ROW EXECUTE FUNCTION spotcheck.refuse_change(%L)', t || '_frozen', t, frozen_hint);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER %I AFTER INSERT ON spotcheck.%I REFERENCING NEW TABLE AS added
                 FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_frozen_insert(%L, %L)', t || '_frozen_insert', t,
            CASE WHEN t IN ('draw_selected', 'draw_team_member') THEN 'draw result' ELSE 'draw inputs' END, frozen_hint);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER %I BEFORE TRUNCATE ON spotcheck.%I
                 FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change(%L)', t || '_no_truncate', t, frozen_hint);
        EXECUTE pg_catalog.format('SELECT pg_catalog.pg_extension_config_dump(%L, %L)',
                                  'spotcheck.' || t, '');
    END LOOP;
END
$protect$;
CREATE TRIGGER draw_no_truncate BEFORE TRUNCATE ON spotcheck.draw
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change('Draws are permanent: abandon a draw with spotcheck.abandon_draw(draw, reason).');

SELECT pg_catalog.pg_extension_config_dump('spotcheck.draw', '');

-- ---- who sees what ------------------------------------------------------------
--
-- A role sees the draws of the agencies it may read (its own; for
-- spotcheck_upper also those below them; every agency for an administrator).
-- A draw's result — seed, selection, teams, secret — is revealed only once
-- its execution has committed: the transaction that executes a draw cannot
-- see what it drew, so it cannot look and then roll back.  The base table
-- spotcheck.draw is read through spotcheck.draws; the frozen rows are read
-- directly, filtered by row-level security.  The extension's own functions
-- (the tables' owner) see everything and check the caller themselves.

-- Whether the draw's execution is visible here: executed, and not by the
-- current transaction (which has not committed yet).
CREATE FUNCTION spotcheck.draw_revealed(d spotcheck.draw) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT d.executed_at IS NOT NULL
       AND d.executed_xid OPERATOR(pg_catalog.<>) COALESCE(pg_catalog.pg_current_xact_id_if_assigned(), '0'::xid8)
$$;
COMMENT ON FUNCTION spotcheck.draw_revealed(spotcheck.draw) IS
    'whether the draw''s result may be shown: it was executed by a transaction other than the current one';

-- The draws the caller may read; with revealed_only, only those whose
-- execution is visible.  For the row-level security of the draw tables.
CREATE FUNCTION spotcheck.caller_draws(revealed_only boolean) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT d.id FROM spotcheck.draw d
     WHERE (d.agency OPERATOR(pg_catalog.=) ANY ((SELECT spotcheck.caller_readable_agencies())::text[])
            OR (d.agency IS NULL AND (SELECT spotcheck.caller_in('spotcheck_admin')))
            OR (SELECT spotcheck.caller_is_superuser()))
       AND (NOT revealed_only OR spotcheck.draw_revealed(d))
$$;

DO $rls$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['draw_pool', 'draw_quota', 'draw_inspector', 'draw_exclusion',
                             'draw_selected', 'draw_team_member'] LOOP
        EXECUTE pg_catalog.format('ALTER TABLE spotcheck.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format(
            'CREATE POLICY %I ON spotcheck.%I FOR SELECT USING (draw IN (SELECT spotcheck.caller_draws(%s)))',
            t || '_read', t, (t IN ('draw_selected', 'draw_team_member'))::text);
    END LOOP;
END
$rls$;
ALTER TABLE spotcheck.draw ENABLE ROW LEVEL SECURITY;
ALTER TABLE spotcheck.draw_secret ENABLE ROW LEVEL SECURITY;

-- ---- the list of draws and their state ---------------------------------------
CREATE VIEW spotcheck.draws WITH (security_barrier) AS
SELECT d.id AS draw,
       CASE WHEN d.abandoned_at IS NOT NULL THEN 'abandoned'
            WHEN d.failure_reason IS NOT NULL AND spotcheck.draw_revealed(d) THEN 'failed'
            WHEN d.executed_at IS NOT NULL THEN 'executed'
            ELSE 'committed' END AS state,
       d.purpose, d.agency, d.pool_source, d.pool_size,
       d.team_size, d.entropy_declaration,
       pg_catalog.encode(d.commitment, 'hex') AS commitment,
       d.committed_at, d.committed_by,
       d.executed_at, d.executed_by, d.entropy_value,
       CASE WHEN spotcheck.draw_revealed(d) THEN pg_catalog.encode(d.seed, 'hex') END AS seed,
       CASE WHEN spotcheck.draw_revealed(d) THEN d.selected_count END AS selected_count,
       CASE WHEN spotcheck.draw_revealed(d) THEN d.failure_reason END AS failure_reason,
       d.abandoned_at, d.abandoned_by, d.abandon_reason,
       d.secret_origin
  FROM spotcheck.draw d
 WHERE d.commitment IS NOT NULL
   AND (d.agency OPERATOR(pg_catalog.=) ANY ((SELECT spotcheck.caller_readable_agencies())::text[])
        OR (d.agency IS NULL AND (SELECT spotcheck.caller_in('spotcheck_admin')))
        OR (SELECT spotcheck.caller_is_superuser()));
COMMENT ON VIEW spotcheck.draws IS
    'every draw the role may read, with its state: committed, executed, failed or abandoned; seed and result once the execution has committed';

REVOKE ALL ON spotcheck.draw, spotcheck.draw_secret, spotcheck.draw_pool, spotcheck.draw_quota,
    spotcheck.draw_inspector, spotcheck.draw_exclusion, spotcheck.draw_selected, spotcheck.draw_team_member,
    spotcheck.draws FROM PUBLIC;
GRANT SELECT ON spotcheck.draws, spotcheck.draw_pool, spotcheck.draw_quota, spotcheck.draw_selected,
    spotcheck.draw_inspector, spotcheck.draw_exclusion, spotcheck.draw_team_member
  TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT EXECUTE ON FUNCTION spotcheck.draw_revealed(spotcheck.draw), spotcheck.caller_draws(boolean)
  TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
