-- execute_draw and abandon_draw.
--
-- The public functions check that the caller plans for the draw's agency,
-- then call draw_execute / draw_abandon, which no role may call and which
-- the extension's own workflows (a reassignment's redraw) also use.
--
-- What an execution computes is never visible to the transaction that
-- executes: the selection and teams are readable (spotcheck.draw_selected,
-- draw_team_member, draw_transcript, verify_draw) only once that
-- transaction has committed, and the audit entry it writes holds no seed
-- and only digests keyed with the still-secret S.  So nobody can execute,
-- look at the outcome, and roll back.

-- The selection of a draw, recomputed from its frozen pool: (stratum, rank,
-- key, ticket) for the first quota candidates of each stratum.
CREATE FUNCTION spotcheck.draw_selection(draw bigint, stream_seed bytea)
RETURNS TABLE (stratum text, rank integer, key text, ticket bytea)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.stratum, r.ord::integer, r.key, spotcheck.ticket(stream_seed, r.key)
      FROM pg_catalog.jsonb_each(
               (SELECT spotcheck.draw_sample_strata(p.key, p.stratum, p.weight,
                           (SELECT pg_catalog.jsonb_object_agg(q.stratum, q.quota)
                              FROM spotcheck.draw_quota q WHERE q.draw = draw_selection.draw),
                           stream_seed)
                  FROM spotcheck.draw_pool p
                 WHERE p.draw = draw_selection.draw)) AS s(stratum, keys),
           LATERAL pg_catalog.jsonb_array_elements_text(s.keys) WITH ORDINALITY AS r(key, ord)
$$;

-- The teams of a draw for the given targets, recomputed from its frozen
-- inspector pool and exclusions.
CREATE FUNCTION spotcheck.draw_team_selection(draw bigint, teams_seed bytea, targets text[])
RETURNS TABLE (target text, member integer, inspector text, over_cap boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT t.* FROM spotcheck.draw_teams(
        teams_seed, targets,
        ARRAY(SELECT i.key FROM spotcheck.draw_inspector i WHERE i.draw = draw_team_selection.draw),
        (SELECT d.team_size FROM spotcheck.draw d WHERE d.id = draw_team_selection.draw),
        ARRAY(SELECT e.inspector FROM spotcheck.draw_exclusion e WHERE e.draw = draw_team_selection.draw ORDER BY e.inspector, e.target),
        ARRAY(SELECT e.target FROM spotcheck.draw_exclusion e WHERE e.draw = draw_team_selection.draw ORDER BY e.inspector, e.target)) t
$$;

-- SHA-256(S || lines), the lines "stratum\trank\tkey\tticket-hex\n" in
-- (stratum bytes, rank) order: what the audit log records of a result.
-- Keyed with the draw's secret S, it reveals nothing of the result before S
-- is revealed (even for a pool of three), and anyone can recompute it after.
CREATE FUNCTION spotcheck.draw_result_digest(draw bigint, secret bytea) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.encode(pg_catalog.sha256(secret || pg_catalog.convert_to(COALESCE(pg_catalog.string_agg(
               s.stratum || E'\t' || s.rank || E'\t' || s.key || E'\t' || pg_catalog.encode(s.ticket, 'hex') || E'\n',
               '' ORDER BY pg_catalog.convert_to(s.stratum, 'UTF8'), s.rank), ''), 'UTF8')), 'hex')
      FROM spotcheck.draw_selected s WHERE s.draw = draw_result_digest.draw
$$;

CREATE FUNCTION spotcheck.draw_teams_digest(draw bigint, secret bytea) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.encode(pg_catalog.sha256(secret || pg_catalog.convert_to(COALESCE(pg_catalog.string_agg(
               t.target || E'\t' || t.member || E'\t' || t.inspector || E'\t' || t.over_cap::text || E'\n',
               '' ORDER BY pg_catalog.convert_to(t.target, 'UTF8'), t.member), ''), 'UTF8')), 'hex')
      FROM spotcheck.draw_team_member t WHERE t.draw = draw_teams_digest.draw
$$;

-- Lock a draw for a state change; errors when it does not exist.
CREATE FUNCTION spotcheck.draw_for_change(draw bigint) RETURNS spotcheck.draw
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    d spotcheck.draw;
BEGIN
    SELECT * INTO d FROM spotcheck.draw x WHERE x.id = draw AND x.commitment IS NOT NULL FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'draw % does not exist', COALESCE(draw::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.draws lists the draws.';
    END IF;
    IF d.abandoned_at IS NOT NULL THEN
        RAISE EXCEPTION 'draw % was abandoned at % by %', d.id, d.abandoned_at, d.abandoned_by
            USING ERRCODE = '55000', DETAIL = 'Reason: ' || spotcheck.draw_clip(d.abandon_reason),
                  HINT = 'An abandoned draw stays abandoned; commit a new draw.';
    END IF;
    IF d.failure_reason IS NOT NULL THEN
        RAISE EXCEPTION 'draw % failed at %', d.id, d.executed_at
            USING ERRCODE = '55000', DETAIL = spotcheck.draw_clip(d.failure_reason),
                  HINT = 'A failed draw cannot be executed again; commit a new draw with a sufficient pool.';
    END IF;
    IF d.executed_at IS NOT NULL THEN
        RAISE EXCEPTION 'draw % was already executed at % by % with entropy %', d.id, d.executed_at,
                        d.executed_by, spotcheck.draw_quote(d.entropy_value)
            USING ERRCODE = '55000',
                  HINT = 'A draw is executed once; its result is in spotcheck.draw_selected and its transcript.';
    END IF;
    RETURN d;
END
$$;

-- The execution; no privilege check (callers check the caller first).
CREATE FUNCTION spotcheck.draw_execute(draw bigint, entropy text)
RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    d spotcheck.draw;
    s bytea;
    v_seed bytea;
    k bytea;
    n integer;
    p_strata text[];
    p_ranks integer[];
    p_keys text[];
    p_tickets bytea[];
    short record;
    reason text;
BEGIN
    d := spotcheck.draw_for_change(draw);
    IF d.committed_xid = pg_catalog.pg_current_xact_id() THEN
        RAISE EXCEPTION 'draw % cannot be executed in the transaction that committed it', d.id
            USING ERRCODE = '25000',
                  HINT = 'Commit the transaction that committed the draw, publish the commitment, and execute in a later transaction.';
    END IF;
    IF entropy IS NULL THEN
        RAISE EXCEPTION 'the entropy value of draw % must not be null', d.id
            USING ERRCODE = '22004', HINT = 'Pass the declared public value, or '''' when the declaration is ''none''.';
    END IF;
    IF pg_catalog.length(entropy) > spotcheck.draw_text_limit() THEN
        RAISE EXCEPTION 'the entropy value of draw % is % characters long, more than %', d.id,
                        pg_catalog.length(entropy), spotcheck.draw_text_limit()
            USING ERRCODE = '22023',
                  HINT = 'Pass the public value itself (a drand round''s randomness, the numbers the witnesses read out), not a document about it.';
    END IF;
    IF d.entropy_declaration = 'none' AND entropy <> '' THEN
        RAISE EXCEPTION 'draw % declared no entropy, but the value % was given', d.id, spotcheck.draw_quote(entropy)
            USING ERRCODE = '22023', HINT = 'Execute it with the empty string.';
    END IF;
    IF d.entropy_declaration <> 'none' AND entropy = '' THEN
        RAISE EXCEPTION 'draw % declared the entropy %, but no value was given', d.id, spotcheck.draw_quote(d.entropy_declaration)
            USING ERRCODE = '22023', HINT = 'Pass the public value the declaration names.';
    END IF;
    -- (white space alone is no public value: refused like the empty one)
    IF d.entropy_declaration <> 'none' AND spotcheck.draw_blank(entropy) THEN
        RAISE EXCEPTION 'draw % declared the entropy %, but no value was given', d.id, spotcheck.draw_quote(d.entropy_declaration)
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('The value given, %s, is only white space.', spotcheck.draw_quote(entropy)),
                  HINT = 'Pass the public value the declaration names.';
    END IF;

    SELECT x.secret INTO s FROM spotcheck.draw_secret x WHERE x.draw = d.id;
    v_seed := spotcheck.draw_seed(s, d.pool_digest, d.quota_digest, entropy);
    k := spotcheck.draw_stream_seed(v_seed, d.purpose);
    UPDATE spotcheck.draw x
       SET executed_at = pg_catalog.clock_timestamp(), executed_by = spotcheck.caller(),
           executed_xid = pg_catalog.pg_current_xact_id(), entropy_value = entropy,
           seed = v_seed
     WHERE x.id = d.id;

    -- (no temporary table here: a caller could have planted one with triggers)
    SELECT pg_catalog.array_agg(x.stratum), pg_catalog.array_agg(x.rank),
           pg_catalog.array_agg(x.key), pg_catalog.array_agg(x.ticket)
      INTO p_strata, p_ranks, p_keys, p_tickets
      FROM spotcheck.draw_selection(d.id, k) x;

    IF d.team_size IS NOT NULL THEN
        -- A target with fewer than m candidate inspectors fails the draw.
        SELECT p.key, (SELECT pg_catalog.count(*) FROM spotcheck.draw_inspector i WHERE i.draw = d.id)
                      - (SELECT pg_catalog.count(*) FROM spotcheck.draw_exclusion e WHERE e.draw = d.id AND e.target = p.key) AS candidates
          INTO short
          FROM pg_catalog.unnest(p_keys) AS p(key)
         WHERE (SELECT pg_catalog.count(*) FROM spotcheck.draw_inspector i WHERE i.draw = d.id)
               - (SELECT pg_catalog.count(*) FROM spotcheck.draw_exclusion e WHERE e.draw = d.id AND e.target = p.key) < d.team_size
         ORDER BY pg_catalog.convert_to(p.key, 'UTF8') LIMIT 1;
        IF FOUND THEN
            -- (commit_draw refuses such pools; a draw committed before
            -- that rule, or rows changed behind the extension's back, can
            -- still get here)
            reason := pg_catalog.format('target %s has %s candidate inspectors, fewer than the team size %s',
                                        short.key, short.candidates, d.team_size);
            UPDATE spotcheck.draw x SET failure_reason = reason, selected_count = 0 WHERE x.id = d.id;
            PERFORM spotcheck.audit_record('draw.execute', 'draw:' || d.id, d.agency, pg_catalog.jsonb_build_object(
                'entropy', entropy, 'selected_count', 0,
                'failure_digest', pg_catalog.encode(pg_catalog.sha256(s || pg_catalog.convert_to(reason, 'UTF8')), 'hex')));
            -- the reason names a selected target: it is shown once this commits
            RAISE WARNING 'draw % failed: a selected target has fewer candidate inspectors than the team size', d.id
                USING HINT = 'Nothing was selected; the reason is recorded and shown once this transaction commits.  Commit a new draw with more inspectors or fewer exclusions.';
            RETURN 0;
        END IF;
    END IF;

    INSERT INTO spotcheck.draw_selected (draw, stratum, rank, key, ticket)
        SELECT d.id, p.stratum, p.rank, p.key, p.ticket
          FROM ROWS FROM (pg_catalog.unnest(p_strata), pg_catalog.unnest(p_ranks),
                          pg_catalog.unnest(p_keys), pg_catalog.unnest(p_tickets)) AS p(stratum, rank, key, ticket);
    GET DIAGNOSTICS n = ROW_COUNT;
    IF d.team_size IS NOT NULL THEN
        INSERT INTO spotcheck.draw_team_member (draw, target, member, inspector, over_cap)
            SELECT d.id, t.target, t.member, t.inspector, t.over_cap
              FROM spotcheck.draw_team_selection(d.id, spotcheck.draw_stream_seed(v_seed, 'teams'), COALESCE(p_keys, '{}')) t;
    END IF;
    UPDATE spotcheck.draw x SET selected_count = n WHERE x.id = d.id;

    PERFORM spotcheck.audit_record('draw.execute', 'draw:' || d.id, d.agency, pg_catalog.jsonb_build_object(
        'entropy', entropy, 'selected_count', n,
        'result_digest', spotcheck.draw_result_digest(d.id, s),
        'teams_digest', CASE WHEN d.team_size IS NOT NULL THEN spotcheck.draw_teams_digest(d.id, s) END));
    RETURN n;
END
$$;

-- A draw for a state change by the caller: it exists, and the caller plans
-- for its agency.
CREATE FUNCTION spotcheck.draw_require_planner(draw bigint, action text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a text;
BEGIN
    SELECT d.agency INTO a FROM spotcheck.draw d WHERE d.id = draw AND d.commitment IS NOT NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'draw % does not exist', COALESCE(draw::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.draws lists the draws.';
    END IF;
    PERFORM spotcheck.require_agency_role(a, ARRAY['spotcheck_admin', 'spotcheck_planner']::name[],
                                          action || ' draw ' || draw);
END
$$;

CREATE FUNCTION spotcheck.execute_draw(draw bigint, entropy text DEFAULT '')
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM spotcheck.draw_require_planner(draw, 'execute');
    RETURN spotcheck.draw_execute(draw, entropy);
END
$$;
COMMENT ON FUNCTION spotcheck.execute_draw(bigint, text) IS
    'derive the seed from the secret, digests and the public entropy value, and select; once, in a later transaction than the commitment';

CREATE FUNCTION spotcheck.draw_abandon(draw bigint, reason text)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    d spotcheck.draw;
BEGIN
    IF reason IS NULL OR pg_catalog.btrim(reason) = '' THEN
        RAISE EXCEPTION 'abandoning draw % needs a reason', COALESCE(draw::text, 'null')
            USING ERRCODE = '22023', HINT = 'Say why the draw is abandoned; the reason is published with it.';
    END IF;
    d := spotcheck.draw_for_change(draw);
    UPDATE spotcheck.draw x
       SET abandoned_at = pg_catalog.clock_timestamp(), abandoned_by = spotcheck.caller(),
           abandon_reason = reason
     WHERE x.id = d.id;
    PERFORM spotcheck.audit_record('draw.abandon', 'draw:' || d.id, d.agency,
                                   pg_catalog.jsonb_build_object('reason', reason,
                                       'commitment', pg_catalog.encode(d.commitment, 'hex')));
END
$$;

CREATE FUNCTION spotcheck.abandon_draw(draw bigint, reason text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM spotcheck.draw_require_planner(draw, 'abandon');
    -- the reason is published with the draw (Article 22: no personal data)
    PERFORM spotcheck.abandon_reason_check(ARRAY[draw], reason, 'abandoning draw ' || draw);
    PERFORM spotcheck.draw_abandon(draw, reason);
END
$$;
COMMENT ON FUNCTION spotcheck.abandon_draw(bigint, text) IS
    'mark a committed, unexecuted draw abandoned, with its reason (published with it: no personal data); it stays listed';

GRANT EXECUTE ON FUNCTION spotcheck.execute_draw(bigint, text), spotcheck.abandon_draw(bigint, text)
    TO spotcheck_admin, spotcheck_planner;
