-- verify_draw: recompute a draw from what is stored and say, check by check,
-- whether it holds.  It trusts nothing it can recompute: the frozen rows are
-- hashed again, the result is drawn again, and the values stored at
-- commitment and execution are compared with what the audit log recorded
-- then, so rows edited with the triggers disabled are found.
--
-- Every check answers true or false, never null and never an error: rows
-- deleted or changed behind the extension's back can make a recomputation
-- itself fail (no secret, no quotas, a team size the inspector pool cannot
-- fill), and that check then reports false with "could not recompute: " and
-- the reason, so that a monitoring query over every draw
-- (SELECT ... FROM spotcheck.draws d, spotcheck.verify_draw(d.draw) WHERE NOT ok)
-- never aborts.  Each check runs in a block of its own for that reason.

-- The checks of a draw row, whoever asks: internal (granted to no role), for
-- verify_draw after its checks of who may read the draw, and for verify_plan,
-- which has checked the caller's right to the plan.  The caller must make
-- sure the draw's result may be revealed (spotcheck.draw_revealed).
CREATE FUNCTION spotcheck.draw_verify_of(d spotcheck.draw)
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s bytea;
    v bytea;
    n bigint;
    m bigint;
    seed bytea;
    k bytea;
    a jsonb;
    audited_agency text;
    diff record;
BEGIN
    check_name := 'algorithm'; ok := COALESCE(d.algorithm = 'spotcheck-v1', false); detail := COALESCE(d.algorithm, 'none');
    RETURN NEXT;

    -- ---- commitment
    check_name := 'commitment';
    BEGIN
        SELECT x.secret INTO s FROM spotcheck.draw_secret x WHERE x.draw = d.id;
        ok := COALESCE(spotcheck.draw_commitment(s) = d.commitment, false);
        detail := CASE WHEN s IS NULL THEN 'the secret is missing'
                       WHEN ok THEN 'H(TAG("spotcheck-v1/commit") || S) = ' || pg_catalog.encode(d.commitment, 'hex')
                       ELSE 'the secret does not hash to the published commitment ' || COALESCE(pg_catalog.encode(d.commitment, 'hex'), 'null') END;
    EXCEPTION WHEN OTHERS THEN
        s := NULL; ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;

    -- ---- pool
    check_name := 'pool_digest';
    BEGIN
        SELECT spotcheck.pool_digest(p.key, p.stratum, p.weight ORDER BY pg_catalog.convert_to(p.key, 'UTF8')), pg_catalog.count(*)
          INTO v, n FROM spotcheck.draw_pool p WHERE p.draw = d.id;
        ok := COALESCE(v = d.pool_digest, false);
        detail := CASE WHEN ok THEN pg_catalog.encode(v, 'hex')
                       ELSE pg_catalog.format('the frozen pool hashes to %s, the commitment published %s',
                                              COALESCE(pg_catalog.encode(v, 'hex'), 'null'), COALESCE(pg_catalog.encode(d.pool_digest, 'hex'), 'null')) END;
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;
    check_name := 'pool_size';
    BEGIN
        SELECT pg_catalog.count(*) INTO n FROM spotcheck.draw_pool p WHERE p.draw = d.id;
        ok := COALESCE(n = d.pool_size, false);
        detail := pg_catalog.format('%s candidates frozen, %s published', n, COALESCE(d.pool_size::text, 'none'));
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;
    check_name := 'pool_rules';
    BEGIN
        SELECT pg_catalog.count(*) FILTER (WHERE spotcheck.draw_label_problem(p.key) IS NOT NULL
                                   OR spotcheck.draw_label_problem(p.stratum) IS NOT NULL
                                   OR p.weight NOT BETWEEN 1 AND 4294967295),
               pg_catalog.count(*) - pg_catalog.count(DISTINCT p.key)
          INTO n, m FROM spotcheck.draw_pool p WHERE p.draw = d.id;
        ok := n = 0 AND m = 0;
        detail := pg_catalog.format('%s rows with a bad key, stratum or weight; %s repeated keys', n, m);
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;

    -- ---- quotas
    check_name := 'quota_digest';
    BEGIN
        SELECT spotcheck.quota_digest(q.stratum, q.quota ORDER BY pg_catalog.convert_to(q.stratum, 'UTF8'))
          INTO v FROM spotcheck.draw_quota q WHERE q.draw = d.id;
        ok := COALESCE(v = d.quota_digest, false);
        detail := CASE WHEN ok THEN pg_catalog.encode(v, 'hex')
                       ELSE pg_catalog.format('the frozen quotas hash to %s, the commitment published %s',
                                              COALESCE(pg_catalog.encode(v, 'hex'), 'null'), COALESCE(pg_catalog.encode(d.quota_digest, 'hex'), 'null')) END;
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;
    check_name := 'quotas_cover_pool';
    BEGIN
        SELECT pg_catalog.count(DISTINCT p.stratum) INTO n FROM spotcheck.draw_pool p
         WHERE p.draw = d.id AND NOT EXISTS (SELECT FROM spotcheck.draw_quota q WHERE q.draw = d.id AND q.stratum = p.stratum);
        ok := n = 0;
        detail := pg_catalog.format('%s strata of the pool without a quota', n);
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;

    -- ---- what the audit log recorded at commitment (chained entries the
    -- extension wrote; a hand-appended note cannot stand in for one)
    check_name := 'commit_audited';
    BEGIN
        SELECT l.details, l.agency INTO a, audited_agency FROM spotcheck.audit_log l
         WHERE l.action = 'draw.commit' AND l.object = 'draw:' || d.id AND l.origin = 'extension'
         ORDER BY l.seq LIMIT 1;
        ok := COALESCE(a->>'commitment' = pg_catalog.encode(d.commitment, 'hex')
                       AND a->>'pool_source' = d.pool_source
                       AND audited_agency IS NOT DISTINCT FROM d.agency
                       AND a->>'pool_digest' = pg_catalog.encode(d.pool_digest, 'hex')
                       AND a->>'quota_digest' = pg_catalog.encode(d.quota_digest, 'hex')
                       AND (a->>'pool_size')::bigint = d.pool_size
                       AND a->>'purpose' = d.purpose
                       AND a->>'entropy_declaration' = d.entropy_declaration
                       AND (a->>'team_size')::integer IS NOT DISTINCT FROM d.team_size, false);
        detail := CASE WHEN a IS NULL THEN 'no draw.commit entry in the audit log'
                       WHEN ok THEN 'commitment and digests match the audit log'
                       ELSE 'the stored commitment, digests or committed inputs differ from the audit log: '
                            || a::text || ', agency ' || COALESCE(audited_agency, 'none') END;
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;

    IF d.team_size IS NOT NULL THEN
        check_name := 'team_inputs';
        BEGIN
            SELECT pg_catalog.count(*) INTO n FROM spotcheck.draw_exclusion e
             WHERE e.draw = d.id
               AND (NOT EXISTS (SELECT FROM spotcheck.draw_inspector i WHERE i.draw = d.id AND i.key = e.inspector)
                    OR NOT EXISTS (SELECT FROM spotcheck.draw_pool p WHERE p.draw = d.id AND p.key = e.target));
            SELECT pg_catalog.count(*) INTO m FROM spotcheck.draw_inspector i WHERE i.draw = d.id;
            ok := COALESCE(n = 0 AND m = (a->>'inspectors')::bigint
                           AND (SELECT pg_catalog.count(*) FROM spotcheck.draw_exclusion e WHERE e.draw = d.id) = (a->>'exclusions')::bigint,
                           false);
            detail := pg_catalog.format('%s inspectors (%s at commitment), %s exclusions (%s at commitment), %s dangling',
                                        m, COALESCE(a->>'inspectors', 'none recorded'),
                                        (SELECT pg_catalog.count(*) FROM spotcheck.draw_exclusion e WHERE e.draw = d.id),
                                        COALESCE(a->>'exclusions', 'none recorded'), n);
        EXCEPTION WHEN OTHERS THEN
            ok := false; detail := 'could not recompute: ' || SQLERRM;
        END;
        RETURN NEXT;
    END IF;

    IF d.executed_at IS NULL THEN
        check_name := 'executed'; ok := false;
        detail := CASE WHEN d.abandoned_at IS NOT NULL THEN 'abandoned: ' || COALESCE(d.abandon_reason, 'no reason recorded')
                       ELSE 'committed, not executed yet' END;
        RETURN NEXT;
        RETURN;
    END IF;

    -- ---- execution
    check_name := 'commit_before_execute';
    ok := COALESCE(d.committed_at < d.executed_at AND d.committed_xid <> d.executed_xid, false);
    detail := pg_catalog.format('committed %s, executed %s, in %s transactions',
                                COALESCE(spotcheck.draw_time(d.committed_at), 'never'), COALESCE(spotcheck.draw_time(d.executed_at), 'never'),
                                CASE WHEN d.committed_xid <> d.executed_xid THEN 'different' ELSE 'the same' END);
    RETURN NEXT;

    -- the seed and the stream seed, from the secret: without them nothing
    -- after this can be recomputed
    check_name := 'seed';
    BEGIN
        seed := spotcheck.draw_seed(s, d.pool_digest, d.quota_digest, d.entropy_value);
        k := spotcheck.draw_stream_seed(seed, d.purpose);
        ok := COALESCE(seed = d.seed, false);
        detail := CASE WHEN ok THEN pg_catalog.encode(seed, 'hex')
                       WHEN s IS NULL THEN 'could not recompute: the secret is missing'
                       WHEN seed IS NULL THEN 'could not recompute: the digests or the entropy value are missing'
                       ELSE pg_catalog.format('recomputed %s, stored %s', pg_catalog.encode(seed, 'hex'),
                                              COALESCE(pg_catalog.encode(d.seed, 'hex'), 'null')) END;
    EXCEPTION WHEN OTHERS THEN
        seed := NULL; k := NULL; ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;

    IF d.failure_reason IS NULL THEN
        check_name := 'selection';
        BEGIN
            IF k IS NULL THEN
                ok := false; detail := 'could not recompute: there is no seed';
            ELSE
                SELECT x.* INTO diff FROM (
                    (SELECT 'missing from the stored result' AS what, r.* FROM spotcheck.draw_selection(d.id, k) r
                     EXCEPT
                     SELECT 'missing from the stored result', s2.stratum, s2.rank, s2.key, s2.ticket
                       FROM spotcheck.draw_selected s2 WHERE s2.draw = d.id)
                    UNION ALL
                    (SELECT 'not in the recomputed result', s2.stratum, s2.rank, s2.key, s2.ticket
                       FROM spotcheck.draw_selected s2 WHERE s2.draw = d.id
                     EXCEPT
                     SELECT 'not in the recomputed result', r.* FROM spotcheck.draw_selection(d.id, k) r)) x
                 LIMIT 1;
                ok := NOT FOUND;
                detail := CASE WHEN ok THEN pg_catalog.format('%s selected, as recomputed',
                                                (SELECT pg_catalog.count(*) FROM spotcheck.draw_selected s2 WHERE s2.draw = d.id))
                               ELSE pg_catalog.format('%s: stratum %s rank %s key %s', diff.what, diff.stratum, diff.rank, diff.key) END;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            ok := false; detail := 'could not recompute: ' || SQLERRM;
        END;
        RETURN NEXT;
        check_name := 'selected_count';
        BEGIN
            SELECT pg_catalog.count(*) INTO n FROM spotcheck.draw_selected s2 WHERE s2.draw = d.id;
            ok := COALESCE(n = d.selected_count, false);
            detail := pg_catalog.format('%s rows, %s recorded', n, COALESCE(d.selected_count::text, 'none'));
        EXCEPTION WHEN OTHERS THEN
            ok := false; detail := 'could not recompute: ' || SQLERRM;
        END;
        RETURN NEXT;
    ELSE
        check_name := 'failure';
        BEGIN
            SELECT pg_catalog.count(*) INTO n FROM spotcheck.draw_selected s2 WHERE s2.draw = d.id;
            IF k IS NULL THEN
                ok := false;
                detail := pg_catalog.format('%s (could not recompute: there is no seed; %s rows selected)', d.failure_reason, n);
            ELSE
                SELECT pg_catalog.count(*) INTO m FROM spotcheck.draw_selection(d.id, k) r
                 WHERE (SELECT pg_catalog.count(*) FROM spotcheck.draw_inspector i WHERE i.draw = d.id)
                       - (SELECT pg_catalog.count(*) FROM spotcheck.draw_exclusion e WHERE e.draw = d.id AND e.target = r.key) < d.team_size;
                ok := COALESCE(n = 0 AND m > 0 AND d.selected_count = 0, false);
                detail := pg_catalog.format('%s (recomputed: %s targets short of inspectors; %s rows selected)',
                                            d.failure_reason, m, n);
            END IF;
        EXCEPTION WHEN OTHERS THEN
            ok := false; detail := d.failure_reason || ' (could not recompute: ' || SQLERRM || ')';
        END;
        RETURN NEXT;
    END IF;

    IF d.team_size IS NOT NULL AND d.failure_reason IS NULL THEN
        check_name := 'teams';
        BEGIN
            IF seed IS NULL THEN
                ok := false; detail := 'could not recompute: there is no seed';
            ELSE
                SELECT x.* INTO diff FROM (
                    (SELECT t.* FROM spotcheck.draw_team_selection(d.id, spotcheck.draw_stream_seed(seed, 'teams'),
                                ARRAY(SELECT r.key FROM spotcheck.draw_selection(d.id, k) r)) t
                     EXCEPT
                     SELECT m2.target, m2.member, m2.inspector, m2.over_cap FROM spotcheck.draw_team_member m2 WHERE m2.draw = d.id)
                    UNION ALL
                    (SELECT m2.target, m2.member, m2.inspector, m2.over_cap FROM spotcheck.draw_team_member m2 WHERE m2.draw = d.id
                     EXCEPT
                     SELECT t.* FROM spotcheck.draw_team_selection(d.id, spotcheck.draw_stream_seed(seed, 'teams'),
                                ARRAY(SELECT r.key FROM spotcheck.draw_selection(d.id, k) r)) t)) x
                 LIMIT 1;
                ok := NOT FOUND;
                detail := CASE WHEN ok THEN pg_catalog.format('%s team members, as recomputed',
                                                (SELECT pg_catalog.count(*) FROM spotcheck.draw_team_member m2 WHERE m2.draw = d.id))
                               ELSE pg_catalog.format('differs at target %s member %s (%s)', diff.target, diff.member, diff.inspector) END;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            ok := false; detail := 'could not recompute: ' || SQLERRM;
        END;
        RETURN NEXT;
    END IF;

    -- ---- what the audit log recorded at execution: the entropy value, the
    -- count, and the result and teams digests keyed with the secret
    check_name := 'execute_audited';
    BEGIN
        SELECT l.details INTO a FROM spotcheck.audit_log l
         WHERE l.action = 'draw.execute' AND l.object = 'draw:' || d.id AND l.origin = 'extension'
         ORDER BY l.seq LIMIT 1;
        ok := COALESCE(a->>'entropy' = d.entropy_value
              AND (a->>'selected_count')::integer = d.selected_count
              AND (d.failure_reason IS NOT NULL OR a->>'result_digest' = spotcheck.draw_result_digest(d.id, s))
              AND (d.failure_reason IS NULL
                   OR a->>'failure_digest' = pg_catalog.encode(pg_catalog.sha256(s || pg_catalog.convert_to(d.failure_reason, 'UTF8')), 'hex'))
              AND (d.team_size IS NULL OR d.failure_reason IS NOT NULL OR a->>'teams_digest' = spotcheck.draw_teams_digest(d.id, s)),
              false);
        detail := CASE WHEN a IS NULL THEN 'no draw.execute entry in the audit log'
                       WHEN ok THEN 'entropy and result match the audit log'
                       WHEN s IS NULL THEN 'could not recompute the result digests: the secret is missing'
                       ELSE 'the stored entropy or result differs from the audit log: ' || a::text END;
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION spotcheck.draw_verify_of(spotcheck.draw) IS
    'internal: the checks of verify_draw for a draw row, without any check of who asks';

-- A draw whose row is gone (or was stripped of its commitment) but whose
-- commitment the audit log records is reported, not denied: the entry names
-- its agency, and only a caller who may read that agency learns of it.
CREATE FUNCTION spotcheck.verify_draw(draw bigint)
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    e record;
BEGIN
    IF NOT EXISTS (SELECT FROM spotcheck.draw x WHERE x.id OPERATOR(pg_catalog.=) verify_draw.draw AND x.commitment IS NOT NULL) THEN
        SELECT l.agency, l.details INTO e FROM spotcheck.audit_log l
         WHERE l.action OPERATOR(pg_catalog.=) 'draw.commit' AND l.object OPERATOR(pg_catalog.=) ('draw:' OPERATOR(pg_catalog.||) verify_draw.draw::text)
           AND l.origin OPERATOR(pg_catalog.=) 'extension'
         ORDER BY l.seq LIMIT 1;
        IF FOUND AND verify_draw.draw IS NOT NULL THEN
            IF NOT spotcheck.caller_may_read(e.agency) THEN
                RAISE EXCEPTION 'permission denied: role % may not read draw % of agency %', spotcheck.caller(), verify_draw.draw,
                                COALESCE(e.agency, '(none)')
                    USING ERRCODE = '42501',
                          HINT = 'A draw is read by the members of its agency and of the agencies above it.';
            END IF;
            check_name := 'row'; ok := false;
            detail := pg_catalog.format('draw %s is recorded in the audit log but its row is %s', verify_draw.draw,
                                        CASE WHEN EXISTS (SELECT FROM spotcheck.draw x WHERE x.id OPERATOR(pg_catalog.=) verify_draw.draw)
                                             THEN 'without its commitment' ELSE 'missing' END);
            RETURN NEXT;
            check_name := 'commit_audited'; ok := false;
            detail := pg_catalog.format('the audit log records the commitment %s of a draw for %s that is not stored',
                                        COALESCE(e.details->>'commitment', 'none'), COALESCE(e.details->>'pool_source', 'no pool source'));
            RETURN NEXT;
            RETURN;
        END IF;
    END IF;
    RETURN QUERY SELECT v.check_name, v.ok, v.detail FROM spotcheck.draw_verify_of(spotcheck.draw_for_reading(verify_draw.draw)) v;
END
$$;
COMMENT ON FUNCTION spotcheck.verify_draw(bigint) IS
    'recompute a draw''s commitment, digests, seed, selection and teams and compare them with what is stored and audited; every check true or false, never an error';

GRANT EXECUTE ON FUNCTION spotcheck.verify_draw(bigint)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
