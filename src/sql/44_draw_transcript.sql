-- draw_transcript: the JSON document of DRAW-SPEC.md that lets anyone
-- recompute a draw (spotcheck-verify reads it).  The secret appears only once
-- the draw is executed.  The teams part names inspectors: the function is
-- granted only to the roles that may see them (not spotcheck_public).

-- A draw the caller is about to read: it exists, the caller may read its
-- agency, and its result, if any, has been revealed (the transaction that
-- executed it has committed).  For draw_transcript and verify_draw.
CREATE FUNCTION spotcheck.draw_for_reading(draw bigint) RETURNS spotcheck.draw
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    d spotcheck.draw;
BEGIN
    SELECT * INTO d FROM spotcheck.draw x WHERE x.id = draw AND x.commitment IS NOT NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'draw % does not exist', COALESCE(draw::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.draws lists the draws.';
    END IF;
    IF NOT spotcheck.caller_may_read(d.agency) THEN
        RAISE EXCEPTION 'permission denied: role % may not read draw % of agency %', spotcheck.caller(), d.id,
                        COALESCE(d.agency, '(none)')
            USING ERRCODE = '42501',
                  HINT = 'A draw is read by the members of its agency and of the agencies above it.';
    END IF;
    IF d.executed_at IS NOT NULL AND NOT spotcheck.draw_revealed(d) THEN
        RAISE EXCEPTION 'draw % was executed in this transaction; its result is revealed once the transaction commits', d.id
            USING ERRCODE = '25000',
                  HINT = 'Commit, then read the transcript: nobody may see a result and still roll its execution back.';
    END IF;
    RETURN d;
END
$$;

CREATE FUNCTION spotcheck.draw_time(t timestamptz) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- The transcript of a draw row, whoever asks: internal (granted to no role),
-- for draw_transcript after its checks and for the extension's own functions
-- that decide for themselves who may see which part (the disclosure of
-- published plans).  The caller must make sure the draw's result may be
-- revealed (spotcheck.draw_revealed).
CREATE FUNCTION spotcheck.draw_transcript_of(d spotcheck.draw) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    state text := CASE WHEN d.abandoned_at IS NOT NULL THEN 'abandoned'
                       WHEN d.failure_reason IS NOT NULL THEN 'failed'
                       WHEN d.executed_at IS NOT NULL THEN 'executed'
                       ELSE 'committed' END;
    t jsonb;
BEGIN
    t := pg_catalog.jsonb_build_object(
        'algorithm', d.algorithm,
        'draw', d.id,
        'purpose', d.purpose,
        'state', state,
        'agency', d.agency,
        'secret_origin', d.secret_origin,
        'committed_at', spotcheck.draw_time(d.committed_at),
        'executed_at', spotcheck.draw_time(d.executed_at),
        'commitment', pg_catalog.encode(d.commitment, 'hex'),
        'entropy', pg_catalog.jsonb_build_object('declaration', d.entropy_declaration, 'value', d.entropy_value),
        'pool_digest', pg_catalog.encode(d.pool_digest, 'hex'),
        'quota_digest', pg_catalog.encode(d.quota_digest, 'hex'),
        'seed', pg_catalog.encode(d.seed, 'hex'),
        'quotas', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                              'stratum', q.stratum, 'quota', q.quota,
                              'size', (SELECT pg_catalog.count(*) FROM spotcheck.draw_pool p
                                        WHERE p.draw = d.id AND p.stratum = q.stratum))
                          ORDER BY pg_catalog.convert_to(q.stratum, 'UTF8')), '[]')
                     FROM spotcheck.draw_quota q WHERE q.draw = d.id),
        'pool', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                            'key', p.key, 'stratum', p.stratum, 'weight', p.weight)
                        ORDER BY pg_catalog.convert_to(p.key, 'UTF8')), '[]')
                   FROM spotcheck.draw_pool p WHERE p.draw = d.id),
        'selected', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                'key', s.key, 'stratum', s.stratum, 'rank', s.rank,
                                'ticket', pg_catalog.encode(s.ticket, 'hex'))
                            ORDER BY pg_catalog.convert_to(s.stratum, 'UTF8'), s.rank), '[]')
                       FROM spotcheck.draw_selected s WHERE s.draw = d.id));
    IF d.executed_at IS NOT NULL THEN
        t := t || pg_catalog.jsonb_build_object('secret',
                 (SELECT pg_catalog.encode(x.secret, 'hex') FROM spotcheck.draw_secret x WHERE x.draw = d.id));
    END IF;
    IF d.failure_reason IS NOT NULL THEN
        t := t || pg_catalog.jsonb_build_object('failure', d.failure_reason);
    END IF;
    IF d.abandoned_at IS NOT NULL THEN
        t := t || pg_catalog.jsonb_build_object('abandoned', pg_catalog.jsonb_build_object(
                 'at', spotcheck.draw_time(d.abandoned_at), 'by', d.abandoned_by, 'reason', d.abandon_reason));
    END IF;
    IF d.team_size IS NOT NULL THEN
        t := t || pg_catalog.jsonb_build_object('teams', pg_catalog.jsonb_build_object(
            'team_size', d.team_size,
            'inspectors', (SELECT COALESCE(pg_catalog.jsonb_agg(i.key ORDER BY pg_catalog.convert_to(i.key, 'UTF8')), '[]')
                             FROM spotcheck.draw_inspector i WHERE i.draw = d.id),
            'exclusions', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                      'inspector', e.inspector, 'target', e.target)
                                  ORDER BY pg_catalog.convert_to(e.target, 'UTF8'), pg_catalog.convert_to(e.inspector, 'UTF8')), '[]')
                             FROM spotcheck.draw_exclusion e WHERE e.draw = d.id),
            'teams', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('target', g.target, 'members', g.members)
                                 ORDER BY pg_catalog.convert_to(g.target, 'UTF8')), '[]')
                        FROM (SELECT m.target,
                                     pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('inspector', m.inspector, 'over_cap', m.over_cap)
                                                          ORDER BY m.member) AS members
                                FROM spotcheck.draw_team_member m WHERE m.draw = d.id
                               GROUP BY m.target) g)));
    END IF;
    RETURN t;
END
$$;
COMMENT ON FUNCTION spotcheck.draw_transcript_of(spotcheck.draw) IS
    'internal: the transcript of a draw row, without any check of who asks';

CREATE FUNCTION spotcheck.draw_transcript(draw bigint) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT spotcheck.draw_transcript_of(spotcheck.draw_for_reading(draw))
$$;
COMMENT ON FUNCTION spotcheck.draw_transcript(bigint) IS
    'the transcript of a draw (DRAW-SPEC.md); the secret only after execution; check it with spotcheck-verify';

GRANT EXECUTE ON FUNCTION spotcheck.draw_transcript(bigint)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
