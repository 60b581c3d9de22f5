-- Amendment of a published plan (Article 20): a published plan changes only
-- by an amendment its agency requests and its upper level approves.
--
--   request_amendment(plan, kind, target, reason, detail [, new_deadline])
--       a planner of the plan's agency asks to
--         remove   a target that closed down (关闭停业), was demolished (拆除)
--                  or moved out of the area (迁出辖区);
--         deadline change a target's deadline (new_deadline);
--         replace  replace a removed target by a redraw from its stratum's
--                  units of the plan's frozen pool not drawn (and not
--                  excluded since), with their frozen weights; the
--                  replacement gets a drawn team.  The redraw is committed
--                  with the request, its entropy empty: nobody chooses.
--       target is the unit code of the target (for replace, of the removed
--       one).
--   decide_amendment(amendment, approve, note)
--       a spotcheck_upper member of the agency's upper level approves (the
--       change is made; a replacement is drawn, shown once the approval has
--       committed) or rejects it (the plan stays as it was; a redraw is
--       abandoned).
-- An approved amendment is part of the plan's record (spotcheck.amendments),
-- with its date and reason.
--
-- The replacement's draw.  DRAW-SPEC.md's purpose 'redraw' replaces one team
-- member: uniform weights in a stratum named 'redraw'.  Replacing a target
-- must keep the floating probability of Article 17, so it is a 'targets'
-- draw over the removed target's stratum with quota 1 and the weights the
-- plan froze, forming the replacement's team with the spec's team algorithm
-- from the inspectors available until its deadline (and, in a joint plan,
-- a member draw for the partner's inspectors, as the plan's own).  It is an
-- ordinary committed draw: verify_draw and spotcheck-verify check it.

-- The units a replacement is drawn from: the stratum's units of the frozen
-- pool not drawn by the plan, each with why it is left out, if it is.
CREATE FUNCTION spotcheck.amendment_candidates(pid bigint, stratum text, from_date date, to_date date,
                                               ours text[], partners text[])
RETURNS TABLE (unit text, weight bigint, why_not text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH p AS (SELECT x.* FROM spotcheck.plan x WHERE x.id = pid),
         c AS (SELECT x.unit, x.weight, u.active, u.agency
                 FROM spotcheck.plan_pool x JOIN spotcheck.units u ON u.code = x.unit
                WHERE x.plan = pid AND x.stratum = amendment_candidates.stratum
                  AND NOT EXISTS (SELECT FROM spotcheck.plan_target y WHERE y.plan = pid AND y.unit = x.unit)),
         ex AS (SELECT e.inspector, e.unit FROM spotcheck.plan_change_exclusions(pid, ours || COALESCE(partners, '{}'),
                                                                                 ARRAY(SELECT c.unit FROM c)) e)
    SELECT c.unit, c.weight,
           CASE WHEN NOT c.active THEN 'inactive in the directory'
                ELSE COALESCE(
                    (SELECT pg_catalog.format('decision %s of agency %s: %s', d.id, d.agency, d.reason)
                       FROM spotcheck.pool_decisions d, p
                      WHERE d.unit = c.unit AND d.agency = ANY (p.scope_agencies || p.agency)
                        AND d.first_month <= p.month AND d.last_month >= p.month
                      ORDER BY d.id DESC LIMIT 1),
                    (SELECT pg_catalog.format('a target of %s plan %s until %s', q.kind, q.id, spotcheck.plan_day_label(y.deadline))
                       FROM spotcheck.plan_target y JOIN spotcheck.plan q ON q.id = y.plan
                      WHERE y.unit = c.unit AND q.id <> pid AND q.abandoned_at IS NULL AND y.removed_by IS NULL
                        AND y.deadline >= from_date
                      ORDER BY y.deadline DESC LIMIT 1),
                    (SELECT pg_catalog.format('%s eligible inspectors, fewer than the team size %s', n, p.team_size)
                       FROM p, LATERAL (SELECT pg_catalog.cardinality(ours)
                                               - (SELECT pg_catalog.count(*) FROM ex WHERE ex.unit = c.unit AND ex.inspector = ANY (ours)) AS n) k
                      WHERE k.n < p.team_size),
                    (SELECT pg_catalog.format('%s eligible inspectors of %s, fewer than %s', n, p.partner, p.partner_team_size)
                       FROM p, LATERAL (SELECT pg_catalog.cardinality(partners)
                                               - (SELECT pg_catalog.count(*) FROM ex WHERE ex.unit = c.unit AND ex.inspector = ANY (partners)) AS n) k
                      WHERE p.partner IS NOT NULL AND k.n < p.partner_team_size)) END
      FROM c
     ORDER BY pg_catalog.convert_to(c.unit, 'UTF8')
$$;

CREATE FUNCTION spotcheck.amendment_for_change(amendment bigint) RETURNS spotcheck.plan_amendments
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a spotcheck.plan_amendments;
BEGIN
    SELECT * INTO a FROM spotcheck.plan_amendments x WHERE x.id = amendment FOR UPDATE;
    IF NOT FOUND OR NOT a.plan IN (SELECT spotcheck.caller_plans()) THEN
        RAISE EXCEPTION 'amendment % does not exist', COALESCE(amendment::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.amendments lists the amendments you may read.';
    END IF;
    RETURN a;
END
$$;

-- A deadline given by an amendment: in the plan's year, not before its
-- month, not in the past.
CREATE FUNCTION spotcheck.amendment_check_deadline(p spotcheck.plan, d date, today date, what text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF d < GREATEST(today, p.month) THEN
        RAISE EXCEPTION 'the % % is before %', what, spotcheck.plan_day_label(d),
                        CASE WHEN today > p.month THEN 'today (' || spotcheck.plan_day_label(today) || ')'
                             ELSE 'the plan month ' || spotcheck.plan_month_label(p.month) END
            USING ERRCODE = '22008', HINT = 'Give a day from today (and from the plan month) on.';
    END IF;
    IF d > pg_catalog.make_date(p.year, 12, 31) THEN
        RAISE EXCEPTION 'the % % is after the end of the plan''s year %', what, spotcheck.plan_day_label(d), p.year
            USING ERRCODE = '22008', HINT = 'A target of a year''s plan is inspected within that year; draw it again in next year''s plans instead.';
    END IF;
END
$$;

CREATE FUNCTION spotcheck.request_amendment(plan bigint, kind text, target text, reason text, detail text,
                                            new_deadline date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p spotcheck.plan;
    t spotcheck.plan_target;
    k text;
    rcode text;
    today date := spotcheck.plan_local_day(pg_catalog.now());
    from_d date;
    dl date;
    other record;
    aid bigint;
    did bigint;
    mid bigint;
    ours text[];
    partners text[];
    keys text[];
    weights bigint[];
    left_out jsonb;
    main_teams boolean;
    ex_i text[];
    ex_t text[];
    mkeys text[];
    mstrata text[];
    mquotas jsonb;
    found_pd text;
BEGIN
    SELECT * INTO p FROM spotcheck.plan x WHERE x.id = request_amendment.plan;
    IF NOT FOUND OR NOT p.id IN (SELECT spotcheck.caller_plans()) THEN
        RAISE EXCEPTION 'plan % does not exist', COALESCE(request_amendment.plan::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.plans lists the plans you may read.';
    END IF;
    PERFORM spotcheck.require_agency_role(p.agency,
        CASE WHEN p.kind = 'cross_region' THEN ARRAY['spotcheck_planner', 'spotcheck_upper']::name[]
             ELSE ARRAY['spotcheck_planner']::name[] END,
        pg_catalog.format('request an amendment of plan %s', p.id));
    k := spotcheck.plan_change_term('amendment_kind', kind, 'the kind of amendment');
    IF p.abandoned_at IS NOT NULL THEN
        RAISE EXCEPTION 'plan % was abandoned at % by %', p.id, spotcheck.plan_time(p.abandoned_at), p.abandoned_by
            USING ERRCODE = '55000', DETAIL = 'Reason: ' || spotcheck.draw_clip(p.abandon_reason), HINT = 'An abandoned plan is not amended.';
    END IF;
    IF NOT spotcheck.plan_is_published(p.id) THEN
        RAISE EXCEPTION 'plan % is not published', p.id
            USING ERRCODE = '55000',
                  HINT = CASE WHEN EXISTS (SELECT FROM spotcheck.draw d WHERE d.id IN (p.draw, p.member_draw) AND d.executed_at IS NULL)
                              THEN pg_catalog.format('An amendment changes a published plan (Article 20). Execute the plan (spotcheck.execute_plan(%s, entropy)) and publish it (spotcheck.publish_plan(%s)) first.', p.id, p.id)
                              ELSE pg_catalog.format('An amendment changes a published plan (Article 20). Publish it first with spotcheck.publish_plan(%s), as a planner or head of agency %s; from then on it changes only by an amendment its upper level approves.', p.id, p.agency) END;
    END IF;
    IF EXISTS (SELECT FROM spotcheck.draw d WHERE d.id IN (p.draw, p.member_draw) AND NOT spotcheck.draw_revealed(d)) THEN
        RAISE EXCEPTION 'plan % was executed in this transaction', p.id
            USING ERRCODE = '25000', HINT = 'Commit the execution first: an amendment changes the plan everyone can see.';
    END IF;
    SELECT * INTO t FROM spotcheck.plan_target x
     WHERE x.plan = p.id AND x.unit = spotcheck.unit_code_normalize(request_amendment.target) FOR UPDATE;
    IF NOT FOUND OR NOT EXISTS (SELECT FROM spotcheck.draw d WHERE d.id = t.draw AND spotcheck.draw_revealed(d)) THEN
        RAISE EXCEPTION 'unit % is not a target of plan %', spotcheck.draw_quote(request_amendment.target), p.id
            USING ERRCODE = CASE WHEN request_amendment.target IS NULL THEN '22004' ELSE 'P0002' END,
                  HINT = 'Name the target by its unit code, as spotcheck.plan_targets lists it.';
    END IF;
    IF detail IS NULL OR pg_catalog.btrim(detail) = '' THEN
        RAISE EXCEPTION 'the amendment of target % (unit %) needs a detail, got %', t.id, t.unit, spotcheck.draw_quote(detail)
            USING ERRCODE = CASE WHEN detail IS NULL THEN '22004' ELSE '22023' END,
                  HINT = 'Say what happened and on what evidence (e.g. the notice of closure and its number); the upper level decides on it, and it is kept with the plan''s record.';
    END IF;
    SELECT x.id, x.kind, x.requested_at, x.requested_by INTO other FROM spotcheck.plan_amendments x WHERE x.target = t.id AND x.state = 'open';
    IF FOUND THEN
        RAISE EXCEPTION 'target % (unit %) already has an open amendment % (%), requested at % by %', t.id, t.unit, other.id, other.kind,
                        spotcheck.plan_time(other.requested_at), other.requested_by
            USING ERRCODE = '55000', HINT = 'The upper level decides it first (spotcheck.decide_amendment).';
    END IF;

    IF k = 'remove' THEN
        rcode := spotcheck.plan_change_term('removal_reason', reason, 'the reason for removing a target');
        IF new_deadline IS NOT NULL THEN
            RAISE EXCEPTION 'a removal takes no new deadline, got %', spotcheck.plan_day_label(new_deadline)
                USING ERRCODE = '22023', HINT = 'Leave new_deadline out, or request kind ''deadline''.';
        END IF;
    ELSE
        IF reason IS NULL OR pg_catalog.btrim(reason) = '' THEN
            RAISE EXCEPTION 'the % amendment of target % (unit %) needs a reason, got %', k, t.id, t.unit, spotcheck.draw_quote(reason)
                USING ERRCODE = CASE WHEN reason IS NULL THEN '22004' ELSE '22023' END,
                      HINT = 'Say why; the reason is published with the plan.';
        END IF;
        rcode := pg_catalog.btrim(reason);
        -- the reason of an approved amendment is published with the plan
        -- (Article 22: no personal data)
        found_pd := spotcheck.personal_data_found(rcode, spotcheck.target_personal_names(t.id));
        IF found_pd IS NOT NULL THEN
            RAISE EXCEPTION 'the reason of the % amendment of target % (unit %) contains %', k, t.id, t.unit, found_pd
                USING ERRCODE = '22023',
                      DETAIL = 'The reason of an approved amendment is published with the plan (spotcheck.public_plans, spotcheck.public_amendments); it may not carry phone numbers, identity card or e-mail details, or the names of the unit''s responsible persons or of inspectors (Article 22).',
                      HINT = 'Write the reason for publication; the evidence goes in detail, which stays internal.';
        END IF;
    END IF;
    IF k IN ('remove', 'deadline') THEN
        IF t.removed_by IS NOT NULL THEN
            RAISE EXCEPTION 'target % (unit %) was already removed from plan % by amendment %', t.id, t.unit, p.id, t.removed_by
                USING ERRCODE = '55000',
                      HINT = CASE WHEN k = 'remove' THEN 'Nothing to remove.' ELSE 'A removed target has no deadline to change.' END;
        END IF;
        IF spotcheck.target_inspected(t.id) THEN
            RAISE EXCEPTION 'the inspection of target % (unit %) is already recorded', t.id, t.unit
                USING ERRCODE = '55000', HINT = 'An inspected target is part of the record; it is neither removed nor given another deadline.';
        END IF;
    END IF;
    IF k = 'deadline' THEN
        IF new_deadline IS NULL THEN
            RAISE EXCEPTION 'a deadline amendment of target % needs the new deadline', t.id
                USING ERRCODE = '22004', HINT = 'Pass new_deadline => ''YYYY-MM-DD''.';
        END IF;
        IF new_deadline = t.deadline THEN
            RAISE EXCEPTION '% is already the deadline of target % (unit %)', spotcheck.plan_day_label(new_deadline), t.id, t.unit
                USING ERRCODE = '22023', HINT = 'Give a different day.';
        END IF;
        PERFORM spotcheck.amendment_check_deadline(p, new_deadline, today, 'new deadline');
    END IF;

    aid := pg_catalog.nextval('spotcheck.plan_amendments_id_seq'::pg_catalog.regclass);
    IF k = 'replace' THEN
        IF t.removed_by IS NULL THEN
            RAISE EXCEPTION 'target % (unit %) is still in plan %', t.id, t.unit, p.id
                USING ERRCODE = '55000',
                      HINT = 'A target is replaced once it is removed: request kind ''remove'' first, then ''replace'' once the upper level has approved the removal.';
        END IF;
        SELECT x.id, x.new_target INTO other FROM spotcheck.plan_amendments x WHERE x.target = t.id AND x.kind = 'replace' AND x.state = 'approved';
        IF FOUND THEN
            RAISE EXCEPTION 'removed target % (unit %) was already replaced by target % (amendment %)', t.id, t.unit, other.new_target, other.id
                USING ERRCODE = '55000', HINT = 'A removed target is replaced once.';
        END IF;
        SELECT x.id, x.unit INTO other FROM spotcheck.plan_amendments x
         WHERE x.plan = p.id AND x.stratum = t.stratum AND x.kind = 'replace' AND x.state = 'open';
        IF FOUND THEN
            RAISE EXCEPTION 'plan % already has an open replacement % in stratum % (for unit %)', p.id, other.id, t.stratum, other.unit
                USING ERRCODE = '55000',
                  HINT = 'One replacement per stratum at a time: two redraws over the same units could draw the same one.  The upper level decides it first.';
        END IF;
        dl := COALESCE(new_deadline, t.deadline);
        PERFORM spotcheck.amendment_check_deadline(p, dl, today, 'deadline of the replacement');
        -- the pool leaves out units planned elsewhere: from what everyone can see
        PERFORM spotcheck.plan_require_no_unrevealed(p.scope_agencies || p.agency);
        from_d := GREATEST(today, p.month);
        ours := ARRAY(SELECT x.inspector FROM spotcheck.plan_change_inspectors(p.id, 'ours', from_d, dl) x ORDER BY 1);
        IF p.partner IS NOT NULL THEN
            partners := ARRAY(SELECT x.inspector FROM spotcheck.plan_change_inspectors(p.id, 'partner', from_d, dl) x ORDER BY 1);
        END IF;
        SELECT COALESCE(pg_catalog.array_agg(c.unit ORDER BY c.unit) FILTER (WHERE c.why_not IS NULL), '{}'),
               COALESCE(pg_catalog.array_agg(c.weight ORDER BY c.unit) FILTER (WHERE c.why_not IS NULL), '{}'),
               COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('unit', c.unit, 'why', c.why_not) ORDER BY c.unit)
                            FILTER (WHERE c.why_not IS NOT NULL), '[]')
          INTO keys, weights, left_out
          FROM spotcheck.amendment_candidates(p.id, t.stratum, from_d, dl, ours, partners) c;
        IF pg_catalog.cardinality(keys) = 0 THEN
            RAISE EXCEPTION 'no unit of stratum % of plan % is left to replace target % (unit %)', t.stratum, p.id, t.id, t.unit
                USING ERRCODE = '55000',
                      DETAIL = pg_catalog.format('%s units of the stratum were not drawn; left out: %s', pg_catalog.jsonb_array_length(left_out),
                                                 COALESCE(NULLIF(pg_catalog.left((SELECT pg_catalog.string_agg(e->>'unit' || ' (' || (e->>'why') || ')', ', ')
                                                                                   FROM pg_catalog.jsonb_array_elements(left_out) e), 1500), ''), 'none')),
                      HINT = 'The redraw''s pool would be empty; the plan is unchanged.  Units are left out when inactive, decided out, planned elsewhere, or short of a full team.';
        END IF;
        main_teams := p.team_size >= 2;
        IF main_teams THEN
            SELECT COALESCE(pg_catalog.array_agg(e.inspector ORDER BY e.inspector, e.unit), '{}'),
                   COALESCE(pg_catalog.array_agg(e.unit ORDER BY e.inspector, e.unit), '{}')
              INTO ex_i, ex_t FROM spotcheck.plan_change_exclusions(p.id, ours, keys) e;
        END IF;
        did := spotcheck.draw_commit_with('amendment:' || aid, keys,
                                          pg_catalog.array_fill(t.stratum, ARRAY[pg_catalog.cardinality(keys)]), weights,
                                          pg_catalog.jsonb_build_object(t.stratum, 1), 'none',
                                          CASE WHEN main_teams THEN ours END, CASE WHEN main_teams THEN p.team_size END,
                                          ex_i, ex_t, 'targets', p.agency, spotcheck.draw_new_secret(), 'generated');
        IF p.kind = 'joint' THEN
            -- as the plan's member draw: keys "unit/inspector", strata "unit/side"
            WITH ex AS MATERIALIZED (SELECT e.inspector, e.unit FROM spotcheck.plan_change_exclusions(p.id, partners || ours, keys) e)
            SELECT COALESCE(pg_catalog.array_agg(z.key ORDER BY z.key), '{}'), COALESCE(pg_catalog.array_agg(z.stratum ORDER BY z.key), '{}')
              INTO mkeys, mstrata
              FROM (SELECT u || '/' || i.inspector AS key, u || '/' || i.side AS stratum
                      FROM pg_catalog.unnest(keys) u,
                           LATERAL (SELECT x AS inspector, 'partner' AS side FROM pg_catalog.unnest(partners) x
                                    UNION ALL
                                    SELECT x, 'ours' FROM pg_catalog.unnest(ours) x WHERE NOT main_teams) i
                     WHERE NOT EXISTS (SELECT FROM ex WHERE ex.inspector = i.inspector AND ex.unit = u)) z;
            SELECT pg_catalog.jsonb_object_agg(s.stratum, s.quota) INTO mquotas
              FROM (SELECT u || '/partner' AS stratum, p.partner_team_size AS quota FROM pg_catalog.unnest(keys) u
                    UNION ALL
                    SELECT u || '/ours', p.team_size FROM pg_catalog.unnest(keys) u WHERE NOT main_teams) s;
            mid := spotcheck.draw_commit_with('amendment:' || aid || '/members', mkeys, mstrata,
                                              pg_catalog.array_fill(1::bigint, ARRAY[pg_catalog.cardinality(mkeys)]),
                                              mquotas, 'none', NULL, NULL, NULL, NULL, 'targets', p.agency,
                                              spotcheck.draw_new_secret(), 'generated');
        END IF;
    END IF;

    PERFORM spotcheck.audit_record('amendment.request', 'amendment:' || aid, p.agency, pg_catalog.jsonb_build_object(
        'plan', p.id, 'kind', k, 'target', t.id, 'unit', t.unit, 'stratum', t.stratum, 'reason', rcode, 'detail', detail,
        'old_deadline', CASE WHEN k = 'deadline' THEN spotcheck.plan_day_label(t.deadline) END,
        'new_deadline', spotcheck.plan_day_label(CASE WHEN k = 'deadline' THEN new_deadline WHEN k = 'replace' THEN dl END),
        'requested_by', spotcheck.caller(), 'redraw', did, 'member_redraw', mid,
        'redraw_pool_size', pg_catalog.cardinality(keys), 'left_out', pg_catalog.jsonb_array_length(left_out)));
    INSERT INTO spotcheck.plan_amendments (id, plan, agency, kind, target, unit, stratum, reason, detail, old_deadline, new_deadline,
                                           requested_at, requested_by, requested_xid, requested_session,
                                           redraw, member_redraw, redraw_left_out)
    OVERRIDING SYSTEM VALUE
    VALUES (aid, p.id, p.agency, k, t.id, t.unit, t.stratum, rcode, detail,
            CASE WHEN k = 'deadline' THEN t.deadline END,
            CASE WHEN k = 'deadline' THEN new_deadline WHEN k = 'replace' THEN dl END,
            pg_catalog.clock_timestamp(), spotcheck.caller(), pg_catalog.pg_current_xact_id(), SESSION_USER,
            did, mid, CASE WHEN k = 'replace' THEN left_out END);
    RETURN aid;
END
$$;
COMMENT ON FUNCTION spotcheck.request_amendment(bigint, text, text, text, text, date) IS
    'request an amendment of a published plan (Article 20): remove a target, change its deadline, or replace a removed target by a redraw from its stratum; returns the amendment id';

CREATE FUNCTION spotcheck.decide_amendment(amendment bigint, approve boolean, note text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a spotcheck.plan_amendments;
    p spotcheck.plan;
    t spotcheck.plan_target;
    chosen record;
    nt bigint;
    st text;
BEGIN
    a := spotcheck.amendment_for_change(amendment);
    SELECT * INTO p FROM spotcheck.plan x WHERE x.id = a.plan;
    PERFORM spotcheck.require_upper_role(p.agency, pg_catalog.format('decide amendment %s of plan %s', a.id, p.id), true);
    IF approve IS NULL THEN
        RAISE EXCEPTION 'the decision on amendment % must not be null', a.id
            USING ERRCODE = '22004', HINT = 'Pass approve => true to approve or false to reject.';
    END IF;
    IF note IS NULL OR pg_catalog.btrim(note) = '' THEN
        RAISE EXCEPTION 'the decision on amendment % needs a note, got %', a.id, spotcheck.draw_quote(note)
            USING ERRCODE = CASE WHEN note IS NULL THEN '22004' ELSE '22023' END,
                  HINT = 'Say why it is approved or rejected (e.g. the approval document''s number); it is kept with the plan''s record.';
    END IF;
    IF a.state <> 'open' THEN
        RAISE EXCEPTION 'amendment % was already % at % by %', a.id, a.state, spotcheck.plan_time(a.decided_at), a.decided_by
            USING ERRCODE = '55000', DETAIL = 'Note: ' || a.decision_note, HINT = 'An amendment is decided once; request a new one.';
    END IF;
    IF a.requested_by = spotcheck.caller() OR a.requested_session = SESSION_USER THEN
        RAISE EXCEPTION 'permission denied: amendment % was requested by role % (login %); role % (login %) may not decide it',
                        a.id, a.requested_by, a.requested_session, spotcheck.caller(), SESSION_USER
            USING ERRCODE = '42501', HINT = 'Another spotcheck_upper member of the upper level decides it (Article 20).';
    END IF;
    IF a.requested_xid = pg_catalog.pg_current_xact_id() THEN
        RAISE EXCEPTION 'amendment % was requested in this transaction', a.id
            USING ERRCODE = '25000', HINT = 'Commit the request first; it is decided in a later transaction.';
    END IF;

    IF NOT approve THEN
        IF a.redraw IS NOT NULL THEN
            -- the redraw is abandoned with the note, and published with the
            -- plan's draws (Article 22: no personal data)
            PERFORM spotcheck.abandon_reason_check(ARRAY[a.redraw, a.member_redraw], note,
                                                   pg_catalog.format('rejecting amendment %s (its redraw is abandoned with the note)', a.id));
        END IF;
        PERFORM spotcheck.audit_record('amendment.reject', 'amendment:' || a.id, p.agency, pg_catalog.jsonb_build_object(
            'plan', p.id, 'kind', a.kind, 'target', a.target, 'decided_by', spotcheck.caller(), 'note', note));
        IF a.redraw IS NOT NULL THEN
            PERFORM spotcheck.draw_abandon(a.redraw, pg_catalog.format('amendment %s rejected: %s', a.id, note));
        END IF;
        IF a.member_redraw IS NOT NULL THEN
            PERFORM spotcheck.draw_abandon(a.member_redraw, pg_catalog.format('amendment %s rejected: %s', a.id, note));
        END IF;
        UPDATE spotcheck.plan_amendments x
           SET state = 'rejected', decided_at = pg_catalog.clock_timestamp(), decided_by = spotcheck.caller(), decision_note = decide_amendment.note
         WHERE x.id = a.id;
        RETURN;
    END IF;

    SELECT * INTO t FROM spotcheck.plan_target x WHERE x.id = a.target FOR UPDATE;
    IF p.abandoned_at IS NOT NULL THEN
        RAISE EXCEPTION 'plan % was abandoned at % by %', p.id, spotcheck.plan_time(p.abandoned_at), p.abandoned_by
            USING ERRCODE = '55000', HINT = pg_catalog.format('Reject the amendment: spotcheck.decide_amendment(%s, false, note).', a.id);
    END IF;
    IF a.kind IN ('remove', 'deadline') AND spotcheck.target_inspected(t.id) THEN
        RAISE EXCEPTION 'the inspection of target % (unit %) was recorded after the amendment was requested', t.id, t.unit
            USING ERRCODE = '55000', HINT = pg_catalog.format('Reject the amendment: spotcheck.decide_amendment(%s, false, note).', a.id);
    END IF;
    IF a.kind = 'deadline' AND t.deadline <> a.old_deadline THEN
        RAISE EXCEPTION 'the deadline of target % changed from % to % since the amendment was requested', t.id,
                        spotcheck.plan_day_label(a.old_deadline), spotcheck.plan_day_label(t.deadline)
            USING ERRCODE = '55000', HINT = pg_catalog.format('Reject the amendment: spotcheck.decide_amendment(%s, false, note).', a.id);
    END IF;

    -- announced first: the triggers let through only what is announced
    PERFORM spotcheck.audit_record('amendment.approve', 'amendment:' || a.id, p.agency, pg_catalog.jsonb_build_object(
        'plan', p.id, 'kind', a.kind, 'target', a.target, 'unit', a.unit, 'reason', a.reason,
        'old_deadline', spotcheck.plan_day_label(a.old_deadline), 'new_deadline', spotcheck.plan_day_label(a.new_deadline),
        'redraw', a.redraw, 'member_redraw', a.member_redraw, 'decided_by', spotcheck.caller(), 'note', note));
    IF a.kind = 'remove' THEN
        UPDATE spotcheck.plan_target x SET removed_by = a.id WHERE x.id = t.id;
    ELSIF a.kind = 'deadline' THEN
        UPDATE spotcheck.plan_target x SET deadline = a.new_deadline WHERE x.id = t.id;
    ELSE
        PERFORM spotcheck.draw_execute(a.redraw, '');
        IF a.member_redraw IS NOT NULL THEN
            PERFORM spotcheck.draw_execute(a.member_redraw, '');
        END IF;
        -- From here on the replacement is known to this transaction: whatever
        -- fails says nothing about it.
        BEGIN
            SELECT s.key, s.rank, x.weight, x.items INTO STRICT chosen
              FROM spotcheck.draw_selected s JOIN spotcheck.plan_pool x ON x.plan = p.id AND x.unit = s.key
             WHERE s.draw = a.redraw;
            INSERT INTO spotcheck.plan_target (plan, unit, stratum, rank, weight, deadline, draw, added_by)
            VALUES (p.id, chosen.key, a.stratum, chosen.rank, chosen.weight, a.new_deadline, a.redraw, a.id)
            RETURNING id INTO nt;
            INSERT INTO spotcheck.plan_target_item (plan_target, item_id)
            SELECT nt, i FROM pg_catalog.unnest(chosen.items) i;
            INSERT INTO spotcheck.plan_team_member (plan_target, member, inspector, side, over_cap, draw)
            SELECT nt, m.member, m.inspector, 'ours', m.over_cap, a.redraw
              FROM spotcheck.draw_team_member m WHERE m.draw = a.redraw AND m.target = chosen.key
             ORDER BY m.member;
            IF a.member_redraw IS NOT NULL THEN
                INSERT INTO spotcheck.plan_team_member (plan_target, member, inspector, side, over_cap, draw)
                SELECT nt, CASE pg_catalog.split_part(s.stratum, '/', 2) WHEN 'ours' THEN s.rank ELSE p.team_size + s.rank END,
                       pg_catalog.split_part(s.key, '/', 2), pg_catalog.split_part(s.stratum, '/', 2), false, a.member_redraw
                  FROM spotcheck.draw_selected s
                 WHERE s.draw = a.member_redraw AND pg_catalog.split_part(s.stratum, '/', 1) = chosen.key
                 ORDER BY 2;
            END IF;
            UPDATE spotcheck.plan_amendments x
               SET state = 'approved', decided_at = pg_catalog.clock_timestamp(), decided_by = spotcheck.caller(),
                   decision_note = decide_amendment.note, new_target = nt
             WHERE x.id = a.id;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
            RAISE EXCEPTION 'approving amendment % failed after its redraw was executed (SQLSTATE %)', a.id, st
                USING ERRCODE = st,
                      HINT = 'Nothing was changed: the amendment stays open and the plan as it was.  The cause is not shown, as it could name the replacement.';
        END;
        RETURN;
    END IF;
    UPDATE spotcheck.plan_amendments x
       SET state = 'approved', decided_at = pg_catalog.clock_timestamp(), decided_by = spotcheck.caller(), decision_note = decide_amendment.note
     WHERE x.id = a.id;
END
$$;
COMMENT ON FUNCTION spotcheck.decide_amendment(bigint, boolean, text) IS
    'the upper level''s decision on an amendment: approve makes the change (a replacement is drawn, shown once this transaction commits), reject leaves the plan as it was';

-- ---- the record -------------------------------------------------------------------

CREATE VIEW spotcheck.amendments WITH (security_barrier) AS
SELECT a.id AS amendment, a.plan, p.kind AS plan_kind, a.agency, p.month, a.kind,
       (SELECT x.label FROM spotcheck.plan_change_terms('amendment_kind') x WHERE x.code = a.kind) AS kind_label,
       a.target, a.unit, u.name AS unit_name, a.stratum, a.reason,
       (SELECT x.label FROM spotcheck.plan_change_terms('removal_reason') x WHERE x.code = a.reason AND a.kind = 'remove') AS reason_label,
       a.detail, a.old_deadline, a.new_deadline, a.requested_at, a.requested_by,
       a.state, a.decided_at, a.decided_by, a.decision_note,
       a.redraw, a.member_redraw, d.pool_size AS redraw_pool_size, a.redraw_left_out,
       CASE WHEN spotcheck.draw_revealed(d) THEN a.new_target END AS new_target,
       CASE WHEN spotcheck.draw_revealed(d) THEN nt.unit END AS new_unit,
       CASE WHEN spotcheck.draw_revealed(d) THEN nu.name END AS new_unit_name
  FROM spotcheck.plan_amendments a
  JOIN spotcheck.plan p ON p.id = a.plan
  JOIN spotcheck.units u ON u.code = a.unit
  LEFT JOIN spotcheck.draw d ON d.id = a.redraw
  LEFT JOIN spotcheck.plan_target nt ON nt.id = a.new_target
  LEFT JOIN spotcheck.units nu ON nu.code = nt.unit
 WHERE p.agency = ANY ((SELECT spotcheck.caller_readable_agencies())::text[])
    OR p.partner = ANY ((SELECT spotcheck.caller_readable_agencies())::text[])
    OR (SELECT spotcheck.caller_is_superuser());
COMMENT ON VIEW spotcheck.amendments IS
    'every amendment (Article 20) of the plans the role may read: kind, target, reason and detail, deadlines, the decision, and the replacement once its approval has committed; approved ones are part of the plan''s record';

REVOKE ALL ON spotcheck.amendments FROM PUBLIC;
GRANT SELECT ON spotcheck.amendments TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT EXECUTE ON FUNCTION spotcheck.request_amendment(bigint, text, text, text, text, date),
    spotcheck.decide_amendment(bigint, boolean, text)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
