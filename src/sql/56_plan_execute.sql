-- Executing, abandoning and verifying plans.
--
-- A plan's draws are executed like any draw, in a later transaction than the
-- one that committed them: execute_plan(plan, entropy) executes every draw of
-- the plan still pending (and those of the special or joint plans drawn
-- alongside it), all with the one public value its declaration named;
-- execute_draw on the plan's draw works too.  Whoever executes, a trigger on
-- spotcheck.draw writes the plan's targets, their items and their teams once
-- the draw's result is in — shown by spotcheck.plan_targets only after that
-- transaction commits.  Abandoning a plan abandons its pending draws (and
-- abandoning one of its draws abandons the plan).  verify_plan recomputes a
-- plan from what it froze and from its draws' transcripts.

-- Write what an executed draw of the plan adds: the targets (main draw), the
-- items of each target, and the team members (main draw's teams, and the
-- joint plan's member draw).  Idempotent: each part is written once.
CREATE FUNCTION spotcheck.plan_materialise(pid bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p spotcheck.plan;
    d spotcheck.draw;
    md spotcheck.draw;
    n_targets integer := 0;
    n_members integer := 0;
    n integer;
BEGIN
    SELECT * INTO p FROM spotcheck.plan x WHERE x.id = pid;
    SELECT * INTO d FROM spotcheck.draw x WHERE x.id = p.draw;
    IF d.selected_count IS NULL OR d.failure_reason IS NOT NULL THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT FROM spotcheck.plan_target t WHERE t.plan = pid) THEN
        -- (look-ups in the pool by its primary key, one per target: the
        -- planner cannot know how large the newest plan's pool is)
        INSERT INTO spotcheck.plan_target (plan, unit, stratum, rank, weight, deadline, draw)
        SELECT pid, s.key, s.stratum, s.rank,
               (SELECT x.weight FROM spotcheck.plan_pool x WHERE x.plan = pid AND x.unit = s.key), p.deadline, d.id
          FROM spotcheck.draw_selected s
         WHERE s.draw = d.id
         ORDER BY s.stratum, s.rank;
        GET DIAGNOSTICS n_targets = ROW_COUNT;
        INSERT INTO spotcheck.plan_target_item (plan_target, item_id)
        SELECT t.id, pg_catalog.unnest((SELECT x.items FROM spotcheck.plan_pool x WHERE x.plan = pid AND x.unit = t.unit))
          FROM spotcheck.plan_target t
         WHERE t.plan = pid;
        IF d.team_size IS NOT NULL THEN
            INSERT INTO spotcheck.plan_team_member (plan_target, member, inspector, side, over_cap, draw)
            SELECT t.id, m.member, m.inspector, 'ours', m.over_cap, d.id
              FROM spotcheck.draw_team_member m JOIN spotcheck.plan_target t ON t.plan = pid AND t.unit = m.target
             WHERE m.draw = d.id
             ORDER BY t.id, m.member;
            GET DIAGNOSTICS n_members = ROW_COUNT;
        END IF;
    END IF;
    IF p.member_draw IS NOT NULL THEN
        SELECT * INTO md FROM spotcheck.draw x WHERE x.id = p.member_draw;
        IF md.selected_count IS NOT NULL AND md.failure_reason IS NULL
           AND NOT EXISTS (SELECT FROM spotcheck.plan_team_member m JOIN spotcheck.plan_target t ON t.id = m.plan_target
                            WHERE t.plan = pid AND m.draw = md.id) THEN
            -- member-draw keys are "unit/inspector", strata "unit/side"
            INSERT INTO spotcheck.plan_team_member (plan_target, member, inspector, side, over_cap, draw)
            SELECT t.id,
                   CASE pg_catalog.split_part(s.stratum, '/', 2) WHEN 'ours' THEN s.rank ELSE p.team_size + s.rank END,
                   pg_catalog.split_part(s.key, '/', 2), pg_catalog.split_part(s.stratum, '/', 2), false, md.id
              FROM spotcheck.plan_target t
             CROSS JOIN LATERAL (SELECT y.* FROM spotcheck.draw_selected y
                                  WHERE y.draw = md.id AND y.stratum IN (t.unit || '/ours', t.unit || '/partner')) s
             WHERE t.plan = pid
             ORDER BY t.id, 2;
            GET DIAGNOSTICS n = ROW_COUNT;
            n_members := n_members + n;
        END IF;
    END IF;
    IF n_targets > 0 OR n_members > 0 THEN
        -- counts only: the result is revealed when this transaction commits
        PERFORM spotcheck.audit_record('plan.execute', 'plan:' || pid, p.agency, pg_catalog.jsonb_build_object(
            'kind', p.kind, 'month', spotcheck.plan_month_label(p.month), 'draw', p.draw, 'member_draw', p.member_draw,
            'targets_written', n_targets, 'team_members_written', n_members));
    END IF;
END
$$;

-- On spotcheck.draw: a plan's draw executed (its result written) or abandoned.
CREATE FUNCTION spotcheck.plan_draw_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    pid bigint;
    sibling bigint;
BEGIN
    SELECT p.id INTO pid FROM spotcheck.plan p
     WHERE p.draw OPERATOR(pg_catalog.=) NEW.id OR p.member_draw OPERATOR(pg_catalog.=) NEW.id;
    IF pid IS NULL THEN
        RETURN NULL;
    END IF;
    IF OLD.selected_count IS NULL AND NEW.selected_count IS NOT NULL THEN
        PERFORM spotcheck.plan_materialise(pid);
    END IF;
    IF OLD.abandoned_at IS NULL AND NEW.abandoned_at IS NOT NULL THEN
        UPDATE spotcheck.plan p
           SET abandoned_at = NEW.abandoned_at, abandoned_by = NEW.abandoned_by,
               abandon_reason = pg_catalog.format('its draw %s was abandoned: %s', NEW.id, NEW.abandon_reason)
         WHERE p.id = pid AND p.abandoned_at IS NULL;
        IF FOUND THEN
            PERFORM spotcheck.audit_record('plan.abandon', 'plan:' || pid, NEW.agency,
                pg_catalog.jsonb_build_object('reason', 'draw ' || NEW.id || ' abandoned: ' || NEW.abandon_reason));
        END IF;
        SELECT CASE WHEN p.draw = NEW.id THEN p.member_draw ELSE p.draw END INTO sibling FROM spotcheck.plan p WHERE p.id = pid;
        IF sibling IS NOT NULL AND EXISTS (SELECT FROM spotcheck.draw d WHERE d.id = sibling AND d.executed_at IS NULL AND d.abandoned_at IS NULL) THEN
            PERFORM spotcheck.draw_abandon(sibling, pg_catalog.format('draw %s of the same plan %s was abandoned', NEW.id, pid));
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER plan_draw_changed AFTER UPDATE ON spotcheck.draw
    FOR EACH ROW WHEN ((OLD.selected_count IS NULL AND NEW.selected_count IS NOT NULL)
                       OR (OLD.abandoned_at IS NULL AND NEW.abandoned_at IS NOT NULL))
    EXECUTE FUNCTION spotcheck.plan_draw_changed();

-- A plan for a state change by the caller: it exists, and the caller plans
-- for its agency (for a cross-region plan, a planner or upper-level member of
-- the upper agency).
CREATE FUNCTION spotcheck.plan_require_planner(plan bigint, action text) RETURNS spotcheck.plan
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p spotcheck.plan;
BEGIN
    SELECT * INTO p FROM spotcheck.plan x WHERE x.id = plan;
    IF NOT FOUND OR NOT spotcheck.caller_may_read(p.agency) AND NOT (p.partner IS NOT NULL AND spotcheck.caller_may_read(p.partner)) THEN
        RAISE EXCEPTION 'plan % does not exist', COALESCE(plan::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.plans lists the plans you may read.';
    END IF;
    PERFORM spotcheck.require_agency_role(p.agency,
        CASE WHEN p.kind = 'cross_region' THEN ARRAY['spotcheck_admin', 'spotcheck_planner', 'spotcheck_upper']::name[]
             ELSE ARRAY['spotcheck_admin', 'spotcheck_planner']::name[] END,
        action || ' plan ' || p.id);
    RETURN p;
END
$$;

CREATE FUNCTION spotcheck.execute_plan(plan bigint, entropy text DEFAULT '')
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    p spotcheck.plan;
    d record;
    n integer := 0;
    k integer;
    did_any boolean := false;
BEGIN
    p := spotcheck.plan_require_planner(plan, 'execute');
    IF p.abandoned_at IS NOT NULL THEN
        RAISE EXCEPTION 'plan % was abandoned at % by %', p.id, spotcheck.plan_time(p.abandoned_at), p.abandoned_by
            USING ERRCODE = '55000', DETAIL = 'Reason: ' || spotcheck.draw_clip(p.abandon_reason), HINT = 'Draw a new plan.';
    END IF;
    -- the plan's own draws first, then those of the plans drawn alongside it
    FOR d IN SELECT x.id, x.plan_id FROM (
                 SELECT q.draw AS id, q.id AS plan_id, 0 AS ord, q.id AS plan_ord FROM spotcheck.plan q WHERE q.id = p.id
                 UNION ALL SELECT q.member_draw, q.id, 1, q.id FROM spotcheck.plan q WHERE q.id = p.id AND q.member_draw IS NOT NULL
                 UNION ALL SELECT q.draw, q.id, 2, q.id FROM spotcheck.plan q WHERE q.alongside = p.id AND q.abandoned_at IS NULL
                 UNION ALL SELECT q.member_draw, q.id, 3, q.id FROM spotcheck.plan q
                            WHERE q.alongside = p.id AND q.abandoned_at IS NULL AND q.member_draw IS NOT NULL) x
              JOIN spotcheck.draw dr ON dr.id = x.id
             WHERE dr.executed_at IS NULL AND dr.abandoned_at IS NULL
             ORDER BY x.ord, x.plan_ord LOOP
        k := spotcheck.draw_execute(d.id, entropy);
        IF d.id = p.draw THEN
            n := k;
        END IF;
        did_any := true;
    END LOOP;
    IF NOT did_any THEN
        RAISE EXCEPTION 'plan % has no draw left to execute', p.id
            USING ERRCODE = '55000',
                  DETAIL = (SELECT pg_catalog.format('Draw %s was executed at %s by %s with entropy %s.', x.id,
                                                     spotcheck.draw_time(x.executed_at), x.executed_by, spotcheck.draw_quote(x.entropy_value))
                              FROM spotcheck.draw x WHERE x.id = p.draw),
                  HINT = 'A plan is executed once; its targets are in spotcheck.plan_targets.';
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION spotcheck.execute_plan(bigint, text) IS
    'execute the pending draws of a plan (and of the plans drawn alongside it) with the declared public value, in a later transaction than the plan''s; returns the number of targets drawn';

CREATE FUNCTION spotcheck.abandon_plan(plan bigint, reason text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p spotcheck.plan;
    q record;
    d bigint;
BEGIN
    p := spotcheck.plan_require_planner(plan, 'abandon');
    IF reason IS NULL OR pg_catalog.btrim(reason) = '' THEN
        RAISE EXCEPTION 'abandoning plan % needs a reason', p.id
            USING ERRCODE = '22023', HINT = 'Say why the plan is abandoned; the reason is kept with it.';
    END IF;
    IF p.abandoned_at IS NOT NULL THEN
        RAISE EXCEPTION 'plan % was already abandoned at % by %', p.id, spotcheck.plan_time(p.abandoned_at), p.abandoned_by
            USING ERRCODE = '55000', DETAIL = 'Reason: ' || spotcheck.draw_clip(p.abandon_reason), HINT = 'An abandoned plan stays abandoned.';
    END IF;
    -- the reason goes to the plan's pending draws, which are published with
    -- the plan drawn in its place (Article 22: no personal data)
    PERFORM spotcheck.abandon_reason_check(
        ARRAY(SELECT pg_catalog.unnest(ARRAY[x.draw, x.member_draw]) FROM spotcheck.plan x WHERE x.id = p.id OR x.alongside = p.id),
        reason, 'abandoning plan ' || p.id);
    -- the plan, and the plans drawn alongside it that are still pending (a
    -- published plan is refused by spotcheck.plan_guard: it changes only
    -- by an approved amendment)
    FOR q IN SELECT x.id, x.agency FROM spotcheck.plan x
              WHERE x.id = p.id
                 OR (x.alongside = p.id AND x.abandoned_at IS NULL
                     AND EXISTS (SELECT FROM spotcheck.draw y WHERE y.id = x.draw AND y.executed_at IS NULL))
              ORDER BY x.id LOOP
        UPDATE spotcheck.plan x SET abandoned_at = pg_catalog.clock_timestamp(), abandoned_by = spotcheck.caller(),
                                    abandon_reason = CASE WHEN x.id = p.id THEN reason
                                                          ELSE pg_catalog.format('drawn alongside plan %s, abandoned: %s', p.id, reason) END
         WHERE x.id = q.id;
        PERFORM spotcheck.audit_record('plan.abandon', 'plan:' || q.id, q.agency, pg_catalog.jsonb_build_object('reason', reason));
        FOR d IN SELECT y.id FROM spotcheck.plan x JOIN spotcheck.draw y ON y.id = x.draw OR y.id = x.member_draw
                  WHERE x.id = q.id AND y.executed_at IS NULL AND y.abandoned_at IS NULL ORDER BY y.id LOOP
            PERFORM spotcheck.draw_abandon(d, pg_catalog.format('plan %s abandoned: %s', q.id, reason));
        END LOOP;
    END LOOP;
END
$$;
COMMENT ON FUNCTION spotcheck.abandon_plan(bigint, text) IS
    'abandon a plan with its reason (published with its draws: no personal data), and its pending draws, and the plans drawn alongside it still pending; it stays listed, and the month can be drawn again';

-- Recompute a plan: what it froze against its audit entry, its pools against
-- its draws, its quotas against its rules, every draw with verify_draw, and
-- its targets and teams against the draws' results.  Like verify_draw, every
-- check answers true or false and none raises: a check whose recomputation
-- fails on rows changed behind the extension's back reports false with
-- "could not recompute: " and the reason.
CREATE FUNCTION spotcheck.verify_plan(plan bigint)
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    p spotcheck.plan;
    d spotcheck.draw;
    md spotcheck.draw;
    a jsonb;
    n bigint;
    n2 bigint;
    v text;
    rec record;
    ent text;
    months_left integer;
    dr spotcheck.draw;
BEGIN
    SELECT * INTO p FROM spotcheck.plan q WHERE q.id = plan;
    IF NOT FOUND OR NOT (spotcheck.caller_may_read(p.agency) OR (p.partner IS NOT NULL AND spotcheck.caller_may_read(p.partner))) THEN
        RAISE EXCEPTION 'plan % does not exist', COALESCE(plan::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.plans lists the plans you may read.';
    END IF;
    SELECT * INTO d FROM spotcheck.draw q WHERE q.id = p.draw;
    SELECT * INTO md FROM spotcheck.draw q WHERE q.id = p.member_draw;
    IF (d.executed_at IS NOT NULL AND NOT spotcheck.draw_revealed(d)) OR (md.executed_at IS NOT NULL AND NOT spotcheck.draw_revealed(md))
       OR EXISTS (SELECT FROM spotcheck.draw x
                   WHERE x.id IN (SELECT r.redraw FROM spotcheck.reassignments r WHERE r.plan = p.id
                                  UNION ALL SELECT a.redraw FROM spotcheck.plan_amendments a WHERE a.plan = p.id
                                  UNION ALL SELECT a.member_redraw FROM spotcheck.plan_amendments a WHERE a.plan = p.id)
                     AND x.executed_at IS NOT NULL AND NOT spotcheck.draw_revealed(x)) THEN
        RAISE EXCEPTION 'plan % was executed in this transaction; it is verified once the transaction commits', p.id
            USING ERRCODE = '25000', HINT = 'Commit, then verify: nobody may see a result and still roll its execution back.';
    END IF;

    -- ---- what was frozen, against the audit log
    check_name := 'frozen_digest';
    BEGIN
        SELECT l.details INTO a FROM spotcheck.audit_log l
         WHERE l.action = 'plan.commit' AND l.object = 'plan:' || p.id AND l.origin = 'extension' ORDER BY l.seq LIMIT 1;
        v := spotcheck.plan_frozen_digest(p.id);
        ok := COALESCE(v = p.frozen_digest AND v = a->>'frozen_digest', false);
        detail := CASE WHEN a IS NULL THEN 'no plan.commit entry in the audit log'
                       WHEN ok THEN 'pool factors, strata, exclusions, inspectors and recusals hash to ' || v || ', as audited'
                       ELSE pg_catalog.format('recomputed %s, stored %s, audited %s', v, p.frozen_digest, a->>'frozen_digest') END;
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;
    check_name := 'parameters_audited';
    BEGIN
        -- the entropy declaration: the one the plan's draw committed to (its
        -- commit_audited check holds the draw row to its draw.commit entry;
        -- a draw row that is gone is reported by the draw's own check)
        ent := CASE WHEN d.id IS NULL THEN p.entropy_declaration ELSE d.entropy_declaration END;
        SELECT pg_catalog.array_to_string(ARRAY(
                   SELECT x.what FROM (VALUES
                       ('parameters', a->>'parameters_digest' = pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(p.parameters::text, 'UTF8')), 'hex')),
                       ('draw', (a->>'draw')::bigint = p.draw),
                       ('member draw', a ? 'member_draw' AND (a->>'member_draw')::bigint IS NOT DISTINCT FROM p.member_draw),
                       ('scope agencies', a->'scope_agencies' = pg_catalog.to_jsonb(p.scope_agencies)),
                       ('items', a->'items' = pg_catalog.to_jsonb(p.items)),
                       ('entropy declaration', ent = p.entropy_declaration),
                       ('lateness', a ? 'late' AND (a->>'late')::boolean IS NOT DISTINCT FROM p.late),
                       ('drawing time', a->>'drawn_at' = spotcheck.draw_time(p.drawn_at))) x(what, same)
                    WHERE x.same IS NOT TRUE), ', ') INTO v;
        ok := a IS NOT NULL AND v = '';
        detail := CASE WHEN a IS NULL THEN 'no plan.commit entry in the audit log'
                       WHEN ok THEN 'parameters, draws, scope, items, entropy declaration, drawing time and lateness as audited'
                       ELSE 'differs from the audit log (' || v || '): ' || a::text END;
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;

    -- ---- the pool is the draw's pool; every weight is its factors' product under the plan's rules
    check_name := 'pool_is_drawn';
    BEGIN
        SELECT pg_catalog.count(*) INTO n FROM (
            (SELECT x.unit, x.stratum, x.weight FROM spotcheck.plan_pool x WHERE x.plan = p.id
             EXCEPT SELECT y.key, y.stratum, y.weight FROM spotcheck.draw_pool y WHERE y.draw = p.draw)
            UNION ALL
            (SELECT y.key, y.stratum, y.weight FROM spotcheck.draw_pool y WHERE y.draw = p.draw
             EXCEPT SELECT x.unit, x.stratum, x.weight FROM spotcheck.plan_pool x WHERE x.plan = p.id)) z;
        ok := n = 0;
        detail := pg_catalog.format('%s units in the pool, %s differences with the draw''s frozen pool',
                                    (SELECT pg_catalog.count(*) FROM spotcheck.plan_pool x WHERE x.plan = p.id), n);
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;
    check_name := 'weights';
    BEGIN
        SELECT pg_catalog.count(*) INTO n FROM spotcheck.plan_pool x
         WHERE x.plan = p.id AND (
               x.weight <> x.credit_factor::bigint * x.risk_factor * x.duty_factor * x.signal_factor
            OR NOT EXISTS (SELECT FROM spotcheck.weight_rules w JOIN spotcheck.plan_weight_rules u ON u.rule = w.id AND u.plan = p.id
                            WHERE w.id = x.credit_rule AND w.factor = 'credit_class' AND w.match = x.credit_input AND w.multiplier = x.credit_factor)
            OR NOT EXISTS (SELECT FROM spotcheck.weight_rules w JOIN spotcheck.plan_weight_rules u ON u.rule = w.id AND u.plan = p.id
                            WHERE w.id = x.risk_rule AND w.factor = 'risk_level' AND w.match = x.risk_input AND w.multiplier = x.risk_factor)
            OR NOT EXISTS (SELECT FROM spotcheck.weight_rules w JOIN spotcheck.plan_weight_rules u ON u.rule = w.id AND u.plan = p.id
                            WHERE w.id = x.duty_rule AND w.factor = 'duty' AND w.match = x.duty_input AND w.multiplier = x.duty_factor)
            OR NOT EXISTS (SELECT FROM spotcheck.weight_rules w JOIN spotcheck.plan_weight_rules u ON u.rule = w.id AND u.plan = p.id
                            WHERE w.id = x.signal_rule AND w.factor = 'signals' AND w.match::integer <= x.signals AND w.multiplier = x.signal_factor
                              AND NOT EXISTS (SELECT FROM spotcheck.weight_rules w2 JOIN spotcheck.plan_weight_rules u2 ON u2.rule = w2.id AND u2.plan = p.id
                                               WHERE w2.factor = 'signals' AND w2.match::integer <= x.signals AND w2.match::integer > w.match::integer)));
        ok := n = 0;
        detail := pg_catalog.format('%s weights that are not the product of the plan''s rules for their inputs', n);
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;

    -- ---- quotas
    check_name := 'quotas_are_drawn';
    BEGIN
        SELECT pg_catalog.count(*) INTO n FROM (
            (SELECT x.stratum, x.quota FROM spotcheck.plan_strata x WHERE x.plan = p.id
             EXCEPT SELECT y.stratum, y.quota FROM spotcheck.draw_quota y WHERE y.draw = p.draw)
            UNION ALL
            (SELECT y.stratum, y.quota FROM spotcheck.draw_quota y WHERE y.draw = p.draw
             EXCEPT SELECT x.stratum, x.quota FROM spotcheck.plan_strata x WHERE x.plan = p.id)) z;
        ok := n = 0;
        detail := COALESCE((SELECT pg_catalog.string_agg(x.stratum || ' ' || x.quota || ' of ' || x.eligible, ', ' ORDER BY x.stratum)
                              FROM spotcheck.plan_strata x WHERE x.plan = p.id), 'no strata')
               || CASE WHEN n = 0 THEN '' ELSE pg_catalog.format(' (%s differences with the draw''s quotas)', n) END;
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;
    IF p.kind = 'month' THEN
        check_name := 'must_cover_quota';
        BEGIN
            months_left := 13 - pg_catalog.date_part('month', p.month)::integer;
            SELECT x.eligible, x.quota INTO rec FROM spotcheck.plan_strata x WHERE x.plan = p.id AND x.stratum = 'must_cover';
            ok := COALESCE(rec.quota = (rec.eligible + months_left - 1) / months_left
                           AND rec.eligible = (SELECT pg_catalog.count(*) FROM spotcheck.plan_pool x WHERE x.plan = p.id AND x.stratum = 'must_cover'), false);
            detail := pg_catalog.format('%s units owing, %s months left, quota %s', rec.eligible, months_left, rec.quota);
        EXCEPTION WHEN OTHERS THEN
            ok := false; detail := 'could not recompute: ' || SQLERRM;
        END;
        RETURN NEXT;
    END IF;
    IF p.kind IN ('month', 'cross_region') THEN
        check_name := 'general_share';
        BEGIN
            SELECT x.quota AS g, (SELECT pg_catalog.sum(y.quota) FROM spotcheck.plan_strata y WHERE y.plan = p.id) AS total,
                   (p.parameters->'annual_plan'->>'min_general_share')::numeric AS share
              INTO rec FROM spotcheck.plan_strata x WHERE x.plan = p.id AND x.stratum = 'general';
            ok := COALESCE(rec.g * 100 >= rec.share * rec.total, false);
            detail := pg_catalog.format('%s ordinary units of %s drawn at least, share %s%% (at least %s%%)', rec.g, rec.total,
                                        CASE WHEN rec.total > 0 THEN pg_catalog.round(100.0 * rec.g / rec.total, 1)::text ELSE '-' END, rec.share);
        EXCEPTION WHEN OTHERS THEN
            ok := false; detail := 'could not recompute: ' || SQLERRM;
        END;
        RETURN NEXT;
    END IF;

    -- ---- a joint plan's member draw: its pool is every unit of the plan's
    -- pool paired with every inspector of the frozen pools not recused from
    -- it (the partner's, and ours when a team has one of ours), weight 1,
    -- one stratum per unit and side with the team sizes as quotas
    IF p.member_draw IS NOT NULL THEN
        check_name := 'member_pool_derived';
        BEGIN
            SELECT pg_catalog.count(*) INTO n FROM (
                (SELECT u.unit || '/' || i.inspector AS key, u.unit || '/' || i.side AS stratum, 1::bigint AS weight
                   FROM spotcheck.plan_pool u JOIN spotcheck.plan_inspectors i ON i.plan = p.id
                  WHERE u.plan = p.id AND (i.side = 'partner' OR p.team_size = 1)
                    AND NOT EXISTS (SELECT FROM spotcheck.plan_recusals r WHERE r.plan = p.id AND r.unit = u.unit AND r.inspector = i.inspector)
                 EXCEPT SELECT y.key, y.stratum, y.weight FROM spotcheck.draw_pool y WHERE y.draw = p.member_draw)
                UNION ALL
                (SELECT y.key, y.stratum, y.weight FROM spotcheck.draw_pool y WHERE y.draw = p.member_draw
                 EXCEPT
                 SELECT u.unit || '/' || i.inspector, u.unit || '/' || i.side, 1::bigint
                   FROM spotcheck.plan_pool u JOIN spotcheck.plan_inspectors i ON i.plan = p.id
                  WHERE u.plan = p.id AND (i.side = 'partner' OR p.team_size = 1)
                    AND NOT EXISTS (SELECT FROM spotcheck.plan_recusals r WHERE r.plan = p.id AND r.unit = u.unit AND r.inspector = i.inspector))) z;
            SELECT pg_catalog.count(*) INTO n2 FROM (
                (SELECT u.unit || '/partner' AS stratum, p.partner_team_size AS quota FROM spotcheck.plan_pool u WHERE u.plan = p.id
                 UNION ALL
                 SELECT u.unit || '/ours', p.team_size FROM spotcheck.plan_pool u WHERE u.plan = p.id AND p.team_size = 1)
                EXCEPT SELECT y.stratum, y.quota FROM spotcheck.draw_quota y WHERE y.draw = p.member_draw) z;
            ok := n = 0 AND n2 = 0 AND (SELECT pg_catalog.count(*) FROM spotcheck.draw_quota y WHERE y.draw = p.member_draw)
                                       = (SELECT pg_catalog.count(*) * CASE WHEN p.team_size = 1 THEN 2 ELSE 1 END FROM spotcheck.plan_pool u WHERE u.plan = p.id);
            detail := pg_catalog.format('the member draw''s pool is the plan''s pool times its frozen inspector pools less the recusals: %s differences in candidates, %s in quotas',
                                        n, n2);
        EXCEPTION WHEN OTHERS THEN
            ok := false; detail := 'could not recompute: ' || SQLERRM;
        END;
        RETURN NEXT;
    END IF;

    -- ---- every draw, as verify_draw recomputes it (the caller's right to
    -- the plan is checked above, and every draw of it is revealed)
    -- (a draw the plan names whose row is gone is reported, never skipped)
    FOR n, v IN SELECT x.id, x.source FROM (VALUES (p.draw, 'plan:' || p.id), (p.member_draw, 'plan:' || p.id || '/members')) x(id, source)
                 WHERE x.id IS NOT NULL ORDER BY x.id LOOP
        check_name := 'draw ' || n;
        BEGIN
            dr := NULL;
            SELECT y.* INTO dr FROM spotcheck.draw y WHERE y.id = n;
            IF dr.id IS NULL THEN
                ok := false; detail := pg_catalog.format('draw %s of the plan is missing', n);
            ELSIF dr.pool_source IS DISTINCT FROM v THEN
                ok := false; detail := pg_catalog.format('draw %s was committed for %s, not %s', n, dr.pool_source, v);
            ELSE
                SELECT COALESCE(pg_catalog.bool_and(c.ok), false) AS bool_and, pg_catalog.count(*),
                       pg_catalog.string_agg(c.check_name || ': ' || c.detail, '; ') FILTER (WHERE NOT c.ok)
                  INTO rec FROM spotcheck.draw_verify_of(dr) c;
                ok := rec.bool_and;
                detail := CASE WHEN rec.bool_and THEN pg_catalog.format('verify_draw: all %s checks pass', rec.count) ELSE rec.string_agg END;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            ok := false; detail := 'could not recompute: ' || SQLERRM;
        END;
        RETURN NEXT;
    END LOOP;
    IF p.draw IS NULL THEN
        check_name := 'draw'; ok := false; detail := 'the plan names no draw';
        RETURN NEXT;
    END IF;

    -- a plan whose draw is pending, failed or abandoned has no targets; one
    -- that has targets has them checked whatever its draw row says
    IF (d.id IS NULL OR d.executed_at IS NULL OR d.failure_reason IS NOT NULL)
       AND NOT EXISTS (SELECT FROM spotcheck.plan_target t WHERE t.plan = p.id) THEN
        RETURN;
    END IF;

    -- ---- targets and teams are the draws' results
    check_name := 'targets_are_drawn';
    BEGIN
        SELECT pg_catalog.count(*) INTO n FROM (
            (SELECT t.unit, t.stratum, t.rank FROM spotcheck.plan_target t WHERE t.plan = p.id AND t.added_by IS NULL
             EXCEPT SELECT s.key, s.stratum, s.rank FROM spotcheck.draw_selected s WHERE s.draw = p.draw)
            UNION ALL
            (SELECT s.key, s.stratum, s.rank FROM spotcheck.draw_selected s WHERE s.draw = p.draw
             EXCEPT SELECT t.unit, t.stratum, t.rank FROM spotcheck.plan_target t WHERE t.plan = p.id AND t.added_by IS NULL)) z;
        -- every target (a replacement too) has its unit's stratum and frozen weight
        SELECT pg_catalog.count(*) INTO n2 FROM spotcheck.plan_target t
         WHERE t.plan = p.id
           AND NOT EXISTS (SELECT FROM spotcheck.plan_pool x WHERE x.plan = p.id AND x.unit = t.unit AND x.stratum = t.stratum AND x.weight = t.weight);
        ok := n = 0 AND n2 = 0;
        detail := pg_catalog.format('%s targets, %s differences with the draw''s selection, %s with a stratum or weight not their unit''s in the frozen pool',
                                    (SELECT pg_catalog.count(*) FROM spotcheck.plan_target t WHERE t.plan = p.id AND t.added_by IS NULL), n, n2);
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;
    check_name := 'teams_are_drawn';
    BEGIN
        SELECT pg_catalog.count(*) INTO n FROM (
            (SELECT t.unit, m.member, m.inspector, m.side, m.over_cap FROM spotcheck.plan_team_member m JOIN spotcheck.plan_target t ON t.id = m.plan_target
              WHERE t.plan = p.id AND m.draw = p.draw
             EXCEPT SELECT y.target, y.member, y.inspector, 'ours', y.over_cap FROM spotcheck.draw_team_member y WHERE y.draw = p.draw)
            UNION ALL
            (SELECT y.target, y.member, y.inspector, 'ours', y.over_cap FROM spotcheck.draw_team_member y WHERE y.draw = p.draw
             EXCEPT SELECT t.unit, m.member, m.inspector, m.side, m.over_cap FROM spotcheck.plan_team_member m JOIN spotcheck.plan_target t ON t.id = m.plan_target
                     WHERE t.plan = p.id AND m.draw = p.draw)) z;
        -- a joint plan's member draw: keys "unit/inspector", strata "unit/side"
        SELECT pg_catalog.count(*) INTO n2 FROM (
            (SELECT t.unit || '/' || m.inspector AS key, m.side, m.member FROM spotcheck.plan_team_member m JOIN spotcheck.plan_target t ON t.id = m.plan_target
              WHERE t.plan = p.id AND m.draw = p.member_draw AND NOT m.over_cap
             EXCEPT SELECT s.key, pg_catalog.split_part(s.stratum, '/', 2),
                            CASE pg_catalog.split_part(s.stratum, '/', 2) WHEN 'ours' THEN s.rank ELSE p.team_size + s.rank END
                       FROM spotcheck.draw_selected s
                     WHERE s.draw = p.member_draw AND pg_catalog.split_part(s.stratum, '/', 1) IN (SELECT t.unit FROM spotcheck.plan_target t WHERE t.plan = p.id AND t.added_by IS NULL))
            UNION ALL
            (SELECT s.key, pg_catalog.split_part(s.stratum, '/', 2),
                            CASE pg_catalog.split_part(s.stratum, '/', 2) WHEN 'ours' THEN s.rank ELSE p.team_size + s.rank END
                       FROM spotcheck.draw_selected s
              WHERE s.draw = p.member_draw AND pg_catalog.split_part(s.stratum, '/', 1) IN (SELECT t.unit FROM spotcheck.plan_target t WHERE t.plan = p.id AND t.added_by IS NULL)
             EXCEPT SELECT t.unit || '/' || m.inspector, m.side, m.member FROM spotcheck.plan_team_member m JOIN spotcheck.plan_target t ON t.id = m.plan_target
                     WHERE t.plan = p.id AND m.draw = p.member_draw AND NOT m.over_cap)) z;
        n := n + n2;
        ok := n = 0;
        detail := pg_catalog.format('%s team members, %s differences with the draws'' results',
                                    (SELECT pg_catalog.count(*) FROM spotcheck.plan_team_member m JOIN spotcheck.plan_target t ON t.id = m.plan_target
                                      WHERE t.plan = p.id), n);
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;
    IF p.member_draw IS NULL OR md.executed_at IS NOT NULL THEN
        check_name := 'team_sizes';
        BEGIN
            SELECT pg_catalog.count(*) INTO n FROM spotcheck.plan_target t
             WHERE t.plan = p.id
               AND ((SELECT pg_catalog.count(*) FROM spotcheck.plan_team_member m WHERE m.plan_target = t.id AND m.side = 'ours' AND m.replaced_by IS NULL) <> p.team_size
                 OR (SELECT pg_catalog.count(*) FROM spotcheck.plan_team_member m WHERE m.plan_target = t.id AND m.side = 'partner' AND m.replaced_by IS NULL)
                    <> COALESCE(p.partner_team_size, 0));
            ok := n = 0;
            detail := pg_catalog.format('%s targets without a full team of %s of ours%s (at least 2 in all, Article 18)', n, p.team_size,
                                        CASE WHEN p.partner IS NOT NULL THEN pg_catalog.format(' and %s of %s', p.partner_team_size, p.partner) ELSE '' END);
        EXCEPTION WHEN OTHERS THEN
            ok := false; detail := 'could not recompute: ' || SQLERRM;
        END;
        RETURN NEXT;
    END IF;
    check_name := 'members_eligible';
    BEGIN
        SELECT pg_catalog.count(*) INTO n FROM spotcheck.plan_team_member m JOIN spotcheck.plan_target t ON t.id = m.plan_target
         WHERE t.plan = p.id AND m.draw IN (p.draw, p.member_draw)
           AND (EXISTS (SELECT FROM spotcheck.plan_recusals r WHERE r.plan = p.id AND r.inspector = m.inspector AND r.unit = t.unit)
                OR NOT EXISTS (SELECT FROM spotcheck.plan_inspectors i WHERE i.plan = p.id AND i.inspector = m.inspector AND i.side = m.side));
        ok := n = 0;
        detail := pg_catalog.format('%s members drawn with the plan recused from their target or not in the plan''s inspector pool (available all month)', n);
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;
    check_name := 'items_registered';
    BEGIN
        SELECT pg_catalog.count(*) INTO n FROM (SELECT i FROM pg_catalog.unnest(p.items) i
                                                 EXCEPT SELECT u.item_id FROM spotcheck.check_item_uses u WHERE u.used_by = 'plan:' || p.id) z;
        ok := n = 0;
        detail := pg_catalog.format('%s items of the plan, %s not registered in check_item_uses', pg_catalog.cardinality(p.items), n);
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;
    -- each target is checked for exactly the items frozen with its unit in
    -- the pool (covered by the frozen digest), which are items of the plan
    check_name := 'target_items';
    BEGIN
        SELECT pg_catalog.count(*) INTO n FROM spotcheck.plan_target t LEFT JOIN spotcheck.plan_pool x ON x.plan = p.id AND x.unit = t.unit
         WHERE t.plan = p.id
           AND (x.unit IS NULL
                OR ARRAY(SELECT i.item_id FROM spotcheck.plan_target_item i WHERE i.plan_target = t.id ORDER BY i.item_id)
                   IS DISTINCT FROM ARRAY(SELECT DISTINCT u.u FROM pg_catalog.unnest(x.items) u(u) ORDER BY u.u));
        SELECT pg_catalog.count(*) INTO n2 FROM spotcheck.plan_pool x WHERE x.plan = p.id AND NOT x.items <@ p.items;
        ok := n = 0 AND n2 = 0;
        detail := pg_catalog.format('%s targets not checked for exactly the items frozen with their unit; %s units of the pool with items that are not the plan''s',
                                    n, n2);
    EXCEPTION WHEN OTHERS THEN
        ok := false; detail := 'could not recompute: ' || SQLERRM;
    END;
    RETURN NEXT;
    -- its reassignments and amendments (64_plan_change_verify.sql, whose
    -- checks do not raise either)
    RETURN QUERY SELECT * FROM spotcheck.verify_plan_changes(p.id);
END
$$;
COMMENT ON FUNCTION spotcheck.verify_plan(bigint) IS
    'recompute a plan: frozen inputs against the audit log, pool and quotas against its draws, weights against its rules, every draw with verify_draw, targets and teams against the results';

GRANT EXECUTE ON FUNCTION spotcheck.execute_plan(bigint, text), spotcheck.abandon_plan(bigint, text)
    TO spotcheck_admin, spotcheck_planner, spotcheck_upper;
GRANT EXECUTE ON FUNCTION spotcheck.verify_plan(bigint)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
