-- Verifying a plan's changes: every reassignment and amendment against its
-- redraw (verify_draw), its audit entries and the rows it changed, and every
-- changed row against the record that changed it.  verify_plan returns these
-- rows after its own; a superuser who switched the triggers off and edited a
-- target or a team is found here.  Like verify_draw's, no check raises: a
-- record whose recomputation fails on rows changed behind the extension's
-- back is reported as a problem ("could not recompute: " and the reason).

-- The first extension entry of the audit log for an action and object.
CREATE FUNCTION spotcheck.plan_change_audited(action text, object text) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT l.details FROM spotcheck.audit_log l
     WHERE l.action = plan_change_audited.action AND l.object = plan_change_audited.object AND l.origin = 'extension'
     ORDER BY l.seq LIMIT 1
$$;

-- What is wrong with a change's redraw, or NULL: verify_draw's failed checks
-- (for a draw still committed, all but "executed"), and its state against
-- the record's.  (verify_plan_changes has checked the caller's right to the
-- plan, and that its redraws are revealed.)
CREATE FUNCTION spotcheck.plan_change_draw_problem(draw bigint, pool_source text, expect text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    d spotcheck.draw;
    bad text;
    state text;
BEGIN
    SELECT * INTO d FROM spotcheck.draw x WHERE x.id = draw;
    IF NOT FOUND THEN
        RETURN pg_catalog.format('draw %s is missing', draw);
    END IF;
    IF d.pool_source <> pool_source THEN
        RETURN pg_catalog.format('draw %s was committed for %s, not %s', d.id, d.pool_source, pool_source);
    END IF;
    state := CASE WHEN d.abandoned_at IS NOT NULL THEN 'abandoned' WHEN d.failure_reason IS NOT NULL THEN 'failed'
                  WHEN d.executed_at IS NOT NULL THEN 'executed' ELSE 'committed' END;
    IF state <> expect THEN
        RETURN pg_catalog.format('draw %s is %s, the record says it should be %s', d.id, state, expect);
    END IF;
    SELECT pg_catalog.string_agg(v.check_name || ': ' || v.detail, '; ') INTO bad
      FROM spotcheck.draw_verify_of(d) v
     WHERE NOT v.ok AND NOT (v.check_name = 'executed' AND expect IN ('committed', 'abandoned'));
    IF bad IS NOT NULL THEN
        RETURN pg_catalog.format('draw %s: %s', d.id, bad);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION spotcheck.verify_plan_changes(plan bigint)
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p spotcheck.plan;
    r spotcheck.reassignments;
    a spotcheck.plan_amendments;
    old_m spotcheck.plan_team_member;
    new_m spotcheck.plan_team_member;
    t spotcheck.plan_target;
    nt spotcheck.plan_target;
    e jsonb;
    problem text;
    problems text[] := '{}';
    n bigint;
    counts jsonb;
BEGIN
    SELECT * INTO p FROM spotcheck.plan q WHERE q.id = verify_plan_changes.plan;
    IF NOT FOUND OR NOT p.id IN (SELECT spotcheck.caller_plans()) THEN
        RAISE EXCEPTION 'plan % does not exist', COALESCE(verify_plan_changes.plan::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.plans lists the plans you may read.';
    END IF;
    IF EXISTS (SELECT FROM spotcheck.draw x
                WHERE x.id IN (SELECT q.redraw FROM spotcheck.reassignments q WHERE q.plan = p.id
                               UNION ALL SELECT q.redraw FROM spotcheck.plan_amendments q WHERE q.plan = p.id
                               UNION ALL SELECT q.member_redraw FROM spotcheck.plan_amendments q WHERE q.plan = p.id)
                  AND x.executed_at IS NOT NULL AND NOT spotcheck.draw_revealed(x)) THEN
        RAISE EXCEPTION 'a change of plan % was approved in this transaction; it is verified once the transaction commits', p.id
            USING ERRCODE = '25000', HINT = 'Commit, then verify: nobody may see a redraw''s result and still roll it back.';
    END IF;

    -- ---- reassignments ------------------------------------------------------------
    FOR r IN SELECT * FROM spotcheck.reassignments q WHERE q.plan = p.id ORDER BY q.id LOOP
        BEGIN
            problem := spotcheck.plan_change_draw_problem(r.redraw, 'reassignment:' || r.id,
                           CASE r.state WHEN 'open' THEN 'committed' WHEN 'approved' THEN 'executed' ELSE 'abandoned' END);
            SELECT * INTO old_m FROM spotcheck.plan_team_member x WHERE x.id = r.team_member;
            IF problem IS NULL AND (old_m.plan_target <> r.plan_target OR old_m.inspector <> r.inspector) THEN
                problem := pg_catalog.format('assignment %s is not inspector %s on target %s', r.team_member, r.inspector, r.plan_target);
            END IF;
            IF problem IS NULL AND EXISTS (
                   SELECT FROM spotcheck.draw_pool x
                    WHERE x.draw = r.redraw
                      AND x.key IN (SELECT m.inspector FROM spotcheck.plan_team_member m
                                     WHERE m.plan_target = r.plan_target AND m.created_at < r.requested_at
                                       AND NOT EXISTS (SELECT FROM spotcheck.reassignments q
                                                        WHERE q.team_member = m.id AND q.state = 'approved' AND q.decided_at < r.requested_at))) THEN
                problem := pg_catalog.format('the pool of redraw %s holds the inspector leaving or one of the team', r.redraw);
            END IF;
            e := spotcheck.plan_change_audited('reassignment.request', 'reassignment:' || r.id);
            IF problem IS NULL AND (e IS NULL OR (e->>'redraw')::bigint IS DISTINCT FROM r.redraw
                                    OR (e->>'team_member')::bigint IS DISTINCT FROM r.team_member
                                    OR e->>'reason' IS DISTINCT FROM r.reason OR e->>'requested_by' IS DISTINCT FROM r.requested_by) THEN
                problem := 'the request differs from its audit entry: ' || COALESCE(e::text, 'none');
            END IF;
            IF problem IS NULL AND r.state <> 'open' THEN
                e := spotcheck.plan_change_audited(CASE r.state WHEN 'approved' THEN 'reassignment.approve' ELSE 'reassignment.refuse' END,
                                                   'reassignment:' || r.id);
                IF e IS NULL OR e->>'decided_by' IS DISTINCT FROM r.decided_by OR e->>'note' IS DISTINCT FROM r.decision_note THEN
                    problem := 'the decision differs from its audit entry: ' || COALESCE(e::text, 'none');
                END IF;
            END IF;
            IF problem IS NULL AND r.state = 'approved' THEN
                SELECT * INTO new_m FROM spotcheck.plan_team_member x WHERE x.id = r.new_team_member;
                IF new_m.id IS NULL OR new_m.draw <> r.redraw OR new_m.plan_target <> old_m.plan_target OR new_m.member <> old_m.member
                   OR new_m.side <> old_m.side OR old_m.replaced_by IS DISTINCT FROM new_m.id
                   OR NOT EXISTS (SELECT FROM spotcheck.draw_selected s WHERE s.draw = r.redraw AND s.key = new_m.inspector) THEN
                    problem := pg_catalog.format('assignment %s is not the redraw''s replacement of assignment %s', r.new_team_member, r.team_member);
                END IF;
            END IF;
            IF problem IS NULL AND r.filed_at IS NOT NULL THEN
                e := spotcheck.plan_change_audited('reassignment.file', 'reassignment:' || r.id);
                IF e IS NULL OR e->>'filed_by' IS DISTINCT FROM r.filed_by THEN
                    problem := 'the filing differs from its audit entry: ' || COALESCE(e::text, 'none');
                END IF;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            problem := 'could not recompute: ' || SQLERRM;
        END;
        IF problem IS NOT NULL THEN
            problems := problems || ('request ' || r.id || ': ' || problem);
        END IF;
    END LOOP;
    SELECT pg_catalog.jsonb_build_object('all', pg_catalog.count(*), 'approved', pg_catalog.count(*) FILTER (WHERE q.state = 'approved'),
                                         'refused', pg_catalog.count(*) FILTER (WHERE q.state = 'refused'),
                                         'open', pg_catalog.count(*) FILTER (WHERE q.state = 'open'),
                                         'filed', pg_catalog.count(*) FILTER (WHERE q.filed_at IS NOT NULL))
      INTO counts FROM spotcheck.reassignments q WHERE q.plan = p.id;
    check_name := 'reassignments'; ok := pg_catalog.cardinality(problems) = 0;
    detail := CASE WHEN ok THEN pg_catalog.format('%s requests (%s approved, %s refused, %s open; %s filed): redraws, records and audit entries agree',
                                                  counts->>'all', counts->>'approved', counts->>'refused', counts->>'open', counts->>'filed')
                   ELSE pg_catalog.array_to_string(problems, '; ') END;
    RETURN NEXT;

    -- every replaced assignment, and every member not drawn with the plan,
    -- comes from an approved request or an approved replacement
    check_name := 'team_changes_recorded';
    BEGIN
        SELECT pg_catalog.count(*) INTO n FROM spotcheck.plan_team_member m JOIN spotcheck.plan_target x ON x.id = m.plan_target
         WHERE x.plan = p.id
           AND ((m.replaced_by IS NOT NULL
                 AND NOT EXISTS (SELECT FROM spotcheck.reassignments q WHERE q.team_member = m.id AND q.state = 'approved'
                                    AND q.new_team_member = m.replaced_by))
                OR (m.draw NOT IN (p.draw, COALESCE(p.member_draw, -1))
                    AND NOT EXISTS (SELECT FROM spotcheck.reassignments q WHERE q.new_team_member = m.id AND q.state = 'approved')
                    AND NOT EXISTS (SELECT FROM spotcheck.plan_amendments q WHERE q.new_target = m.plan_target AND q.state = 'approved'
                                       AND m.draw IN (q.redraw, q.member_redraw))));
        ok := n = 0;
        detail := pg_catalog.format('%s assignments replaced or added without an approved request or replacement', n);
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;

    -- ---- amendments -----------------------------------------------------------------
    problems := '{}';
    FOR a IN SELECT * FROM spotcheck.plan_amendments q WHERE q.plan = p.id ORDER BY q.id LOOP
        BEGIN
            problem := NULL;
            SELECT * INTO t FROM spotcheck.plan_target x WHERE x.id = a.target;
            IF t.plan IS DISTINCT FROM p.id OR t.unit IS DISTINCT FROM a.unit OR t.stratum IS DISTINCT FROM a.stratum THEN
                problem := pg_catalog.format('target %s is not unit %s of stratum %s of the plan', a.target, a.unit, a.stratum);
            END IF;
            e := spotcheck.plan_change_audited('amendment.request', 'amendment:' || a.id);
            IF problem IS NULL AND (e IS NULL OR e->>'kind' IS DISTINCT FROM a.kind OR (e->>'target')::bigint IS DISTINCT FROM a.target
                                    OR e->>'reason' IS DISTINCT FROM a.reason OR e->>'detail' IS DISTINCT FROM a.detail
                                    OR e->>'new_deadline' IS DISTINCT FROM spotcheck.plan_day_label(a.new_deadline)
                                    OR (e->>'redraw')::bigint IS DISTINCT FROM a.redraw
                                    OR (e->>'member_redraw')::bigint IS DISTINCT FROM a.member_redraw) THEN
                problem := 'the request differs from its audit entry: ' || COALESCE(e::text, 'none');
            END IF;
            IF problem IS NULL AND a.state <> 'open' THEN
                e := spotcheck.plan_change_audited(CASE a.state WHEN 'approved' THEN 'amendment.approve' ELSE 'amendment.reject' END,
                                                   'amendment:' || a.id);
                IF e IS NULL OR e->>'decided_by' IS DISTINCT FROM a.decided_by OR e->>'note' IS DISTINCT FROM a.decision_note THEN
                    problem := 'the decision differs from its audit entry: ' || COALESCE(e::text, 'none');
                END IF;
            END IF;
            IF problem IS NULL AND a.redraw IS NOT NULL THEN
                problem := COALESCE(
                    spotcheck.plan_change_draw_problem(a.redraw, 'amendment:' || a.id,
                        CASE a.state WHEN 'open' THEN 'committed' WHEN 'approved' THEN 'executed' ELSE 'abandoned' END),
                    CASE WHEN a.member_redraw IS NOT NULL THEN
                        spotcheck.plan_change_draw_problem(a.member_redraw, 'amendment:' || a.id || '/members',
                            CASE a.state WHEN 'open' THEN 'committed' WHEN 'approved' THEN 'executed' ELSE 'abandoned' END) END);
                -- the pool: units of the stratum, with their frozen weights, not
                -- targets of the plan when the amendment was requested
                IF problem IS NULL AND EXISTS (
                       SELECT FROM spotcheck.draw_pool x
                        WHERE x.draw = a.redraw
                          AND (x.stratum <> a.stratum
                               OR NOT EXISTS (SELECT FROM spotcheck.plan_pool y WHERE y.plan = p.id AND y.unit = x.key
                                                 AND y.stratum = a.stratum AND y.weight = x.weight)
                               OR EXISTS (SELECT FROM spotcheck.plan_target y WHERE y.plan = p.id AND y.unit = x.key
                                             AND y.created_at < a.requested_at))) THEN
                    problem := pg_catalog.format('the pool of redraw %s holds a unit that is not an undrawn unit of stratum %s with its frozen weight',
                                                 a.redraw, a.stratum);
                END IF;
                IF problem IS NULL AND EXISTS (SELECT FROM spotcheck.draw_quota x WHERE x.draw = a.redraw
                                                 AND (x.stratum <> a.stratum OR x.quota <> 1)) THEN
                    problem := pg_catalog.format('redraw %s does not draw one unit of stratum %s', a.redraw, a.stratum);
                END IF;
            END IF;
            IF problem IS NULL AND a.state = 'approved' THEN
                IF a.kind = 'remove' AND t.removed_by IS DISTINCT FROM a.id THEN
                    problem := pg_catalog.format('target %s is not marked removed by it', a.target);
                ELSIF a.kind = 'replace' THEN
                    SELECT * INTO nt FROM spotcheck.plan_target x WHERE x.id = a.new_target;
                    IF nt.id IS NULL OR nt.plan <> p.id OR nt.added_by IS DISTINCT FROM a.id OR nt.draw <> a.redraw
                       OR nt.stratum <> a.stratum OR nt.deadline IS DISTINCT FROM COALESCE(
                              (SELECT q.new_deadline FROM spotcheck.plan_amendments q
                                WHERE q.target = nt.id AND q.kind = 'deadline' AND q.state = 'approved' ORDER BY q.decided_at DESC LIMIT 1),
                              a.new_deadline)
                       OR NOT EXISTS (SELECT FROM spotcheck.draw_selected s WHERE s.draw = a.redraw AND s.key = nt.unit AND s.rank = nt.rank)
                       OR NOT EXISTS (SELECT FROM spotcheck.plan_pool y WHERE y.plan = p.id AND y.unit = nt.unit AND y.weight = nt.weight) THEN
                        problem := pg_catalog.format('target %s is not the redraw''s replacement', a.new_target);
                    ELSIF EXISTS (
                            (SELECT m.member, m.inspector, m.over_cap FROM spotcheck.plan_team_member m
                              WHERE m.plan_target = nt.id AND m.draw = a.redraw
                             EXCEPT SELECT x.member, x.inspector, x.over_cap FROM spotcheck.draw_team_member x
                                     WHERE x.draw = a.redraw AND x.target = nt.unit)
                            UNION ALL
                            (SELECT x.member, x.inspector, x.over_cap FROM spotcheck.draw_team_member x
                              WHERE x.draw = a.redraw AND x.target = nt.unit
                             EXCEPT SELECT m.member, m.inspector, m.over_cap FROM spotcheck.plan_team_member m
                                     WHERE m.plan_target = nt.id AND m.draw = a.redraw)
                            UNION ALL
                            (SELECT m.member, m.inspector, false FROM spotcheck.plan_team_member m
                              WHERE m.plan_target = nt.id AND m.draw = a.member_redraw
                             EXCEPT SELECT CASE pg_catalog.split_part(s.stratum, '/', 2) WHEN 'ours' THEN s.rank ELSE p.team_size + s.rank END,
                                           pg_catalog.split_part(s.key, '/', 2), false
                                      FROM spotcheck.draw_selected s
                                     WHERE s.draw = a.member_redraw AND pg_catalog.split_part(s.stratum, '/', 1) = nt.unit)
                            UNION ALL
                            (SELECT CASE pg_catalog.split_part(s.stratum, '/', 2) WHEN 'ours' THEN s.rank ELSE p.team_size + s.rank END,
                                    pg_catalog.split_part(s.key, '/', 2), false
                               FROM spotcheck.draw_selected s
                              WHERE s.draw = a.member_redraw AND pg_catalog.split_part(s.stratum, '/', 1) = nt.unit
                             EXCEPT SELECT m.member, m.inspector, false FROM spotcheck.plan_team_member m
                                     WHERE m.plan_target = nt.id AND m.draw = a.member_redraw)) THEN
                        problem := pg_catalog.format('the team of target %s is not the one its redraw drew', a.new_target);
                    END IF;
                END IF;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            problem := 'could not recompute: ' || SQLERRM;
        END;
        IF problem IS NOT NULL THEN
            problems := problems || ('amendment ' || a.id || ': ' || problem);
        END IF;
    END LOOP;
    SELECT pg_catalog.jsonb_build_object('all', pg_catalog.count(*), 'approved', pg_catalog.count(*) FILTER (WHERE q.state = 'approved'),
                                         'rejected', pg_catalog.count(*) FILTER (WHERE q.state = 'rejected'),
                                         'open', pg_catalog.count(*) FILTER (WHERE q.state = 'open'))
      INTO counts FROM spotcheck.plan_amendments q WHERE q.plan = p.id;
    check_name := 'amendments'; ok := pg_catalog.cardinality(problems) = 0;
    detail := CASE WHEN ok THEN pg_catalog.format('%s amendments (%s approved, %s rejected, %s open): redraws, records and audit entries agree',
                                                  counts->>'all', counts->>'approved', counts->>'rejected', counts->>'open')
                   ELSE pg_catalog.array_to_string(problems, '; ') END;
    RETURN NEXT;

    -- every removed or added target, and every deadline, comes from an
    -- approved amendment
    check_name := 'target_changes_recorded';
    BEGIN
        SELECT pg_catalog.count(*) INTO n FROM spotcheck.plan_target x
         WHERE x.plan = p.id
           AND ((x.removed_by IS NOT NULL
                 AND NOT EXISTS (SELECT FROM spotcheck.plan_amendments q WHERE q.id = x.removed_by AND q.target = x.id
                                    AND q.kind = 'remove' AND q.state = 'approved'))
                OR (x.added_by IS NOT NULL
                    AND NOT EXISTS (SELECT FROM spotcheck.plan_amendments q WHERE q.id = x.added_by AND q.new_target = x.id
                                       AND q.kind = 'replace' AND q.state = 'approved'))
                OR (x.added_by IS NULL AND x.draw <> p.draw)
                OR (x.removed_by IS NULL AND EXISTS (SELECT FROM spotcheck.plan_amendments q WHERE q.target = x.id
                                                        AND q.kind = 'remove' AND q.state = 'approved'))
                OR x.deadline IS DISTINCT FROM COALESCE(
                       (SELECT q.new_deadline FROM spotcheck.plan_amendments q
                         WHERE q.target = x.id AND q.kind = 'deadline' AND q.state = 'approved' ORDER BY q.decided_at DESC LIMIT 1),
                       (SELECT q.new_deadline FROM spotcheck.plan_amendments q WHERE q.id = x.added_by),
                       p.deadline));
        ok := n = 0;
        detail := pg_catalog.format('%s targets in the plan (%s removed, %s added by replacement), %s removed, added or with a deadline not given by an approved amendment',
                                    (SELECT pg_catalog.count(*) FROM spotcheck.plan_target x WHERE x.plan = p.id AND x.removed_by IS NULL),
                                    (SELECT pg_catalog.count(*) FROM spotcheck.plan_target x WHERE x.plan = p.id AND x.removed_by IS NOT NULL),
                                    (SELECT pg_catalog.count(*) FROM spotcheck.plan_target x WHERE x.plan = p.id AND x.added_by IS NOT NULL), n);
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION spotcheck.verify_plan_changes(bigint) IS
    'recompute a plan''s reassignments and amendments: each redraw with verify_draw, each record against its audit entries, each changed target and team member against the record that changed it';

GRANT EXECUTE ON FUNCTION spotcheck.verify_plan_changes(bigint)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
