-- Reassignment of a drawn inspector (Article 16): request → the head's
-- approval → redraw → filing with the upper level.
--
--   request_reassignment(assignment, reason, note)
--       a planner (or head) of the plan's agency asks to replace one drawn
--       team member of one target for post change (岗位调整), official
--       travel (公差), leave (休假) or recusal (回避).  The request commits a
--       redraw at once (DRAW-SPEC.md, purpose redraw): its pool is every
--       inspector eligible to replace this one at that moment, its secret is
--       committed now and its entropy is empty, so nobody can steer it.
--   approve_reassignment(request, approve, note)
--       a spotcheck_head member of the plan's agency, never the role that
--       filed the request, approves (the redraw is executed: the replacement
--       is drawn, never chosen; the old assignment stays, marked replaced)
--       or refuses (the redraw is abandoned; the team is unchanged).  The
--       approving transaction cannot see whom it drew: the new assignment
--       shows once it has committed.
--   file_reassignment(request)
--       a spotcheck_upper member of the agency's upper level records that it
--       received the filing (备案); reassignments_to_file lists what awaits.
--
-- One open request per target at a time: a second redraw for the same team
-- must leave out the first one's replacement, known only once approved.

-- The inspector pool a plan draws a side of a team from, for a period: the
-- plan's agency (and for a cross-region plan the agencies below it), or the
-- joint partner department; seconded inspectors included.
CREATE FUNCTION spotcheck.plan_change_inspectors(pid bigint, side text, from_date date, to_date date)
RETURNS TABLE (inspector text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT DISTINCT x.inspector
      FROM spotcheck.plan p,
           LATERAL pg_catalog.unnest(CASE WHEN plan_change_inspectors.side = 'partner' THEN ARRAY[p.partner]
                                          WHEN p.kind = 'cross_region' THEN p.scope_agencies || p.agency
                                          ELSE ARRAY[p.agency] END) a,
           LATERAL spotcheck.plan_inspector_pool(a, from_date, to_date) x
     WHERE p.id = pid
$$;

-- The (inspector, unit) pairs of a plan that must not meet, among the given
-- ones, and why: a recusal (回避) recorded now, or, in a cross-region plan
-- that excludes them, a unit of the inspector's own agency.
CREATE FUNCTION spotcheck.plan_change_exclusions(pid bigint, inspectors text[], units text[])
RETURNS TABLE (inspector text, unit text, reason text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT DISTINCT ON (x.inspector, x.unit) x.inspector, x.unit, x.reason FROM (
        SELECT r.inspector, r.unit, 'recused: ' || r.reason AS reason
          FROM spotcheck.inspector_recusals r
         WHERE r.inspector = ANY (inspectors) AND r.unit = ANY (units)
        UNION ALL
        SELECT i.code, u.code, 'own region (cross-region check)'
          FROM spotcheck.plan p, spotcheck.inspectors i, spotcheck.units u
         WHERE p.id = pid AND p.kind = 'cross_region' AND COALESCE((p.parameters->>'exclude_own_region')::boolean, true)
           AND i.code = ANY (inspectors) AND u.code = ANY (units) AND i.agency = u.agency) x
     ORDER BY x.inspector, x.unit, x.reason
$$;

-- Why an inspector may not inspect a unit of a plan, or NULL.
CREATE FUNCTION spotcheck.plan_change_exclusion(pid bigint, inspector text, unit text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT e.reason FROM spotcheck.plan_change_exclusions(pid, ARRAY[inspector], ARRAY[unit]) e
$$;

-- Every inspector who could replace an assignment for a period, and for
-- those who may not, why: the redraw's pool is the rows with why_not NULL.
CREATE FUNCTION spotcheck.reassignment_candidates(assignment bigint, from_date date, to_date date)
RETURNS TABLE (inspector text, name text, agency text, why_not text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH m AS (SELECT x.* FROM spotcheck.plan_team_member x WHERE x.id = assignment),
         t AS (SELECT x.* FROM spotcheck.plan_target x JOIN m ON x.id = m.plan_target),
         p AS (SELECT x.* FROM spotcheck.plan x JOIN t ON x.id = t.plan),
         ags AS (SELECT DISTINCT a FROM p, m,
                        LATERAL pg_catalog.unnest(CASE WHEN m.side = 'partner' THEN ARRAY[p.partner]
                                                       WHEN p.kind = 'cross_region' THEN p.scope_agencies || p.agency
                                                       ELSE ARRAY[p.agency] END) a),
         pool AS (SELECT x.inspector FROM p, m, LATERAL spotcheck.plan_change_inspectors(p.id, m.side, from_date, to_date) x),
         everyone AS (SELECT i.code FROM spotcheck.inspectors i WHERE i.agency IN (SELECT a FROM ags)
                      UNION SELECT s.inspector FROM spotcheck.inspector_secondments s
                             WHERE s.agency IN (SELECT a FROM ags) AND s.starts <= to_date AND s.ends >= from_date
                      UNION SELECT pool.inspector FROM pool),
         team AS (SELECT c.inspector FROM spotcheck.plan_team_member c, t WHERE c.plan_target = t.id AND c.replaced_by IS NULL)
    SELECT e.code, i.name, i.agency,
           CASE WHEN e.code = (SELECT m.inspector FROM m) THEN 'the inspector to be replaced'
                WHEN e.code IN (SELECT team.inspector FROM team) THEN 'already on the target''s team'
                WHEN e.code NOT IN (SELECT pool.inspector FROM pool) THEN
                     COALESCE((SELECT CASE WHEN NOT x.active THEN 'inactive'
                                           WHEN x.certificate_valid_until < to_date
                                                THEN 'certificate valid until ' || spotcheck.plan_day_label(x.certificate_valid_until)
                                           ELSE COALESCE(
                                               (SELECT 'absent (' || b.reason || ') ' || spotcheck.plan_day_label(b.starts) || '..' || spotcheck.plan_day_label(b.ends)
                                                  FROM spotcheck.inspector_absences b
                                                 WHERE b.inspector = x.code AND b.starts <= to_date AND b.ends >= from_date
                                                 ORDER BY b.starts LIMIT 1),
                                               (SELECT 'seconded only from ' || spotcheck.plan_day_label(s.starts) || ' to ' || spotcheck.plan_day_label(s.ends)
                                                  FROM spotcheck.inspector_secondments s
                                                 WHERE s.inspector = x.code AND s.agency IN (SELECT a FROM ags) AND s.starts <= to_date AND s.ends >= from_date
                                                 ORDER BY s.ends DESC LIMIT 1)) END
                                 FROM spotcheck.inspectors x WHERE x.code = e.code), 'not available for the whole period')
                ELSE spotcheck.plan_change_exclusion((SELECT p.id FROM p), e.code, (SELECT t.unit FROM t)) END
      FROM everyone e JOIN spotcheck.inspectors i ON i.code = e.code
     ORDER BY pg_catalog.convert_to(e.code, 'UTF8')
$$;
COMMENT ON FUNCTION spotcheck.reassignment_candidates(bigint, date, date) IS
    'internal: every inspector of the pool a team member is replaced from, and why each one that is not eligible is not';

-- The role's view of a request: it exists and the caller may read its plan.
CREATE FUNCTION spotcheck.reassignment_for_change(request bigint) RETURNS spotcheck.reassignments
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r spotcheck.reassignments;
BEGIN
    SELECT * INTO r FROM spotcheck.reassignments x WHERE x.id = request FOR UPDATE;
    IF NOT FOUND OR NOT r.plan IN (SELECT spotcheck.caller_plans()) THEN
        RAISE EXCEPTION 'reassignment request % does not exist', COALESCE(request::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.reassignment_requests lists the requests you may read.';
    END IF;
    RETURN r;
END
$$;

CREATE FUNCTION spotcheck.request_reassignment(assignment bigint, reason text, note text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m spotcheck.plan_team_member;
    t spotcheck.plan_target;
    p spotcheck.plan;
    code text;
    other record;
    today date := spotcheck.plan_local_day(pg_catalog.now());
    from_d date;
    keys text[];
    rid bigint;
    did bigint;
    why text;
BEGIN
    IF assignment IS NULL THEN
        RAISE EXCEPTION 'the assignment to replace must not be null'
            USING ERRCODE = '22004', HINT = 'Pass the team_member of spotcheck.plan_team.';
    END IF;
    SELECT * INTO m FROM spotcheck.plan_team_member x WHERE x.id = assignment;
    IF FOUND THEN
        SELECT * INTO t FROM spotcheck.plan_target x WHERE x.id = m.plan_target FOR UPDATE;
        SELECT * INTO p FROM spotcheck.plan x WHERE x.id = t.plan;
    END IF;
    -- an assignment the caller may not read, or whose draw is not revealed
    -- here, does not exist for it
    IF NOT FOUND OR NOT p.id IN (SELECT spotcheck.caller_plans())
       OR NOT EXISTS (SELECT FROM spotcheck.draw d WHERE d.id = m.draw AND spotcheck.draw_revealed(d)) THEN
        RAISE EXCEPTION 'assignment % does not exist', assignment
            USING ERRCODE = 'P0002', HINT = 'spotcheck.plan_team lists the drawn team members you may read (column team_member).';
    END IF;
    PERFORM spotcheck.require_agency_role(p.agency,
        CASE WHEN p.kind = 'cross_region' THEN ARRAY['spotcheck_planner', 'spotcheck_head', 'spotcheck_upper']::name[]
             ELSE ARRAY['spotcheck_planner', 'spotcheck_head']::name[] END,
        pg_catalog.format('request the reassignment of a member of plan %s', p.id));
    code := spotcheck.plan_change_term('reassignment_reason', reason, 'the reason for a reassignment');
    IF note IS NULL OR pg_catalog.btrim(note) = '' THEN
        RAISE EXCEPTION 'the request to replace inspector % on target % needs a note, got %', m.inspector, t.id, spotcheck.draw_quote(note)
            USING ERRCODE = CASE WHEN note IS NULL THEN '22004' ELSE '22023' END,
                  HINT = 'Say what happened and since when (e.g. the leave approved from 2026-07-10 to 2026-07-20); the note is kept with the request.';
    END IF;
    IF p.abandoned_at IS NOT NULL THEN
        RAISE EXCEPTION 'plan % was abandoned at % by %', p.id, spotcheck.plan_time(p.abandoned_at), p.abandoned_by
            USING ERRCODE = '55000', DETAIL = 'Reason: ' || spotcheck.draw_clip(p.abandon_reason), HINT = 'An abandoned plan has no teams to change.';
    END IF;
    IF m.replaced_by IS NOT NULL THEN
        RAISE EXCEPTION 'assignment % (inspector % on target %) was already replaced by assignment %', m.id, m.inspector, t.id, m.replaced_by
            USING ERRCODE = '55000',
                  HINT = pg_catalog.format('A replaced assignment is history; to replace the replacement, request spotcheck.request_reassignment(%s, reason, note).', m.replaced_by);
    END IF;
    SELECT x.id, x.team_member, x.requested_at, x.requested_by INTO other FROM spotcheck.reassignments x
     WHERE x.plan_target = t.id AND x.state = 'open';
    IF FOUND THEN
        RAISE EXCEPTION '%', CASE WHEN other.team_member = m.id
                                  THEN pg_catalog.format('assignment %s already has an open request %s, filed at %s by %s', m.id, other.id,
                                                         spotcheck.plan_time(other.requested_at), other.requested_by)
                                  ELSE pg_catalog.format('target %s already has an open request %s (for assignment %s), filed at %s by %s', t.id,
                                                         other.id, other.team_member, spotcheck.plan_time(other.requested_at), other.requested_by) END
            USING ERRCODE = '55000',
                  HINT = 'One request per target at a time: the next redraw must leave out the replacement the open one will draw.  The head decides it first with spotcheck.approve_reassignment(request, approve, note).';
    END IF;
    IF t.removed_by IS NOT NULL THEN
        RAISE EXCEPTION 'target % (unit %) was removed from plan % by amendment %', t.id, t.unit, p.id, t.removed_by
            USING ERRCODE = '55000', HINT = 'A removed target is not inspected: its team needs no change.';
    END IF;
    IF spotcheck.target_inspected(t.id) THEN
        RAISE EXCEPTION 'the inspection of target % (unit %) is already recorded', t.id, t.unit
            USING ERRCODE = '55000', HINT = 'The team that inspected is part of the record and is not changed afterwards.';
    END IF;
    IF EXISTS (SELECT FROM spotcheck.plan_team_member c JOIN spotcheck.draw d ON d.id = c.draw
                WHERE c.plan_target = t.id AND NOT spotcheck.draw_revealed(d)) THEN
        RAISE EXCEPTION 'the team of target % was drawn in this transaction', t.id
            USING ERRCODE = '25000', HINT = 'Commit first: a redraw leaves out the team as everyone can see it.';
    END IF;
    from_d := GREATEST(today, p.month);
    IF t.deadline < from_d THEN
        RAISE EXCEPTION 'the deadline of target % (unit %) passed on %', t.id, t.unit, spotcheck.plan_day_label(t.deadline)
            USING ERRCODE = '55000',
                  HINT = 'A replacement must be available until the deadline: amend the deadline first (spotcheck.request_amendment(plan, ''deadline'', unit, reason, detail, new_deadline)).';
    END IF;

    keys := ARRAY(SELECT c.inspector FROM spotcheck.reassignment_candidates(m.id, from_d, t.deadline) c
                   WHERE c.why_not IS NULL ORDER BY pg_catalog.convert_to(c.inspector, 'UTF8'));
    IF pg_catalog.cardinality(keys) = 0 THEN
        SELECT pg_catalog.string_agg(c.inspector || ' ' || c.name || ' (' || c.why_not || ')', ', ') INTO why
          FROM (SELECT * FROM spotcheck.reassignment_candidates(m.id, from_d, t.deadline) LIMIT 40) c;
        RAISE EXCEPTION 'no inspector is eligible to replace % on target % (unit %) from % to %', m.inspector, t.id, t.unit,
                        spotcheck.plan_day_label(from_d), spotcheck.plan_day_label(t.deadline)
            USING ERRCODE = '55000', DETAIL = 'Not eligible: ' || COALESCE(why, 'the agency has no other inspector') || '.',
                  HINT = 'The redraw''s pool would be empty.  Second an upper-level inspector for the period (spotcheck.inspector_secondments), or review absences and recusals, and request again; the plan is unchanged.';
    END IF;

    rid := pg_catalog.nextval('spotcheck.reassignments_id_seq'::pg_catalog.regclass);
    did := spotcheck.draw_commit_with('reassignment:' || rid, keys,
                                      pg_catalog.array_fill('redraw'::text, ARRAY[pg_catalog.cardinality(keys)]),
                                      pg_catalog.array_fill(1::bigint, ARRAY[pg_catalog.cardinality(keys)]),
                                      '{"redraw": 1}', 'none', NULL, NULL, NULL, NULL, 'redraw', p.agency,
                                      spotcheck.draw_new_secret(), 'generated');
    PERFORM spotcheck.audit_record('reassignment.request', 'reassignment:' || rid, p.agency, pg_catalog.jsonb_build_object(
        'plan', p.id, 'target', t.id, 'unit', t.unit, 'team_member', m.id, 'member', m.member, 'side', m.side,
        'inspector', m.inspector, 'reason', code, 'note', note, 'requested_by', spotcheck.caller(),
        'available_from', spotcheck.plan_day_label(from_d), 'available_to', spotcheck.plan_day_label(t.deadline),
        'redraw', did, 'pool_size', pg_catalog.cardinality(keys)));
    INSERT INTO spotcheck.reassignments (id, team_member, plan, plan_target, agency, inspector, reason, note,
                                         requested_at, requested_by, requested_xid, requested_session,
                                         available_from, available_to, redraw)
    OVERRIDING SYSTEM VALUE
    VALUES (rid, m.id, p.id, t.id, p.agency, m.inspector, code, note, pg_catalog.clock_timestamp(), spotcheck.caller(),
            pg_catalog.pg_current_xact_id(), SESSION_USER, from_d, t.deadline, did);
    RETURN rid;
END
$$;
COMMENT ON FUNCTION spotcheck.request_reassignment(bigint, text, text) IS
    'request to replace one drawn team member (Article 16: post change, official travel, leave or recusal); commits the redraw over every eligible inspector at once; returns the request id';

CREATE FUNCTION spotcheck.approve_reassignment(request bigint, approve boolean, note text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r spotcheck.reassignments;
    p spotcheck.plan;
    t spotcheck.plan_target;
    m spotcheck.plan_team_member;
    chosen text;
    nid bigint;
    st text;
BEGIN
    r := spotcheck.reassignment_for_change(request);
    SELECT * INTO p FROM spotcheck.plan x WHERE x.id = r.plan;
    PERFORM spotcheck.require_agency_role(p.agency, ARRAY['spotcheck_head']::name[],
                                          pg_catalog.format('decide reassignment request %s', r.id));
    IF approve IS NULL THEN
        RAISE EXCEPTION 'the decision on reassignment request % must not be null', r.id
            USING ERRCODE = '22004', HINT = 'Pass approve => true to approve (the replacement is drawn) or false to refuse.';
    END IF;
    IF note IS NULL OR pg_catalog.btrim(note) = '' THEN
        RAISE EXCEPTION 'the decision on reassignment request % needs a note, got %', r.id, spotcheck.draw_quote(note)
            USING ERRCODE = CASE WHEN note IS NULL THEN '22004' ELSE '22023' END,
                  HINT = 'Say why it is approved or refused; the note is kept with the decision.';
    END IF;
    IF r.state <> 'open' THEN
        RAISE EXCEPTION 'reassignment request % was already % at % by %', r.id, r.state, spotcheck.plan_time(r.decided_at), r.decided_by
            USING ERRCODE = '55000', DETAIL = 'Note: ' || r.decision_note,
                  HINT = 'A request is decided once; file a new request if the team must change again.';
    END IF;
    IF r.requested_by = spotcheck.caller() OR r.requested_session = SESSION_USER THEN
        RAISE EXCEPTION 'permission denied: reassignment request % was filed by role % (login %); role % (login %) may not decide it',
                        r.id, r.requested_by, r.requested_session, spotcheck.caller(), SESSION_USER
            USING ERRCODE = '42501', DETAIL = 'Whoever requests a reassignment, under any role of the same login, does not approve it.',
                  HINT = pg_catalog.format('Another spotcheck_head member of agency %s decides it (Article 16: the head approves what was requested).', p.agency);
    END IF;
    IF r.requested_xid = pg_catalog.pg_current_xact_id() THEN
        RAISE EXCEPTION 'reassignment request % was filed in this transaction', r.id
            USING ERRCODE = '25000', HINT = 'Commit the request first: its redraw is committed before it is decided, and executed in a later transaction.';
    END IF;

    IF NOT approve THEN
        PERFORM spotcheck.audit_record('reassignment.refuse', 'reassignment:' || r.id, p.agency, pg_catalog.jsonb_build_object(
            'plan', p.id, 'target', r.plan_target, 'team_member', r.team_member, 'redraw', r.redraw,
            'decided_by', spotcheck.caller(), 'note', note));
        PERFORM spotcheck.draw_abandon(r.redraw, pg_catalog.format('reassignment request %s refused: %s', r.id, note));
        UPDATE spotcheck.reassignments x
           SET state = 'refused', decided_at = pg_catalog.clock_timestamp(), decided_by = spotcheck.caller(), decision_note = approve_reassignment.note
         WHERE x.id = r.id;
        RETURN;
    END IF;

    SELECT * INTO t FROM spotcheck.plan_target x WHERE x.id = r.plan_target FOR UPDATE;
    SELECT * INTO m FROM spotcheck.plan_team_member x WHERE x.id = r.team_member;
    IF p.abandoned_at IS NOT NULL THEN
        RAISE EXCEPTION 'plan % was abandoned at % by %', p.id, spotcheck.plan_time(p.abandoned_at), p.abandoned_by
            USING ERRCODE = '55000', HINT = pg_catalog.format('Refuse the request: spotcheck.approve_reassignment(%s, false, note).', r.id);
    END IF;
    IF t.removed_by IS NOT NULL THEN
        RAISE EXCEPTION 'target % (unit %) was removed from plan % by amendment % after the request', t.id, t.unit, p.id, t.removed_by
            USING ERRCODE = '55000', HINT = pg_catalog.format('Refuse the request: spotcheck.approve_reassignment(%s, false, note).', r.id);
    END IF;
    IF spotcheck.target_inspected(t.id) THEN
        RAISE EXCEPTION 'the inspection of target % (unit %) was recorded after the request', t.id, t.unit
            USING ERRCODE = '55000', HINT = pg_catalog.format('Refuse the request: spotcheck.approve_reassignment(%s, false, note).', r.id);
    END IF;
    IF t.deadline <> r.available_to THEN
        RAISE EXCEPTION 'the deadline of target % changed from % to % after the request', t.id,
                        spotcheck.plan_day_label(r.available_to), spotcheck.plan_day_label(t.deadline)
            USING ERRCODE = '55000',
                  DETAIL = 'The redraw''s pool holds the inspectors available until the old deadline.',
                  HINT = pg_catalog.format('Refuse the request (spotcheck.approve_reassignment(%s, false, note)) and request again.', r.id);
    END IF;
    IF m.replaced_by IS NOT NULL THEN
        RAISE EXCEPTION 'assignment % was already replaced by assignment %', m.id, m.replaced_by
            USING ERRCODE = '55000', HINT = pg_catalog.format('Refuse the request: spotcheck.approve_reassignment(%s, false, note).', r.id);
    END IF;

    -- announced first: the triggers let through only what is announced
    PERFORM spotcheck.audit_record('reassignment.approve', 'reassignment:' || r.id, p.agency, pg_catalog.jsonb_build_object(
        'plan', p.id, 'target', r.plan_target, 'team_member', r.team_member, 'redraw', r.redraw,
        'decided_by', spotcheck.caller(), 'note', note));
    PERFORM spotcheck.draw_execute(r.redraw, '');
    -- From here on the replacement is known to this transaction: whatever
    -- fails says nothing about it.
    BEGIN
        SELECT s.key INTO STRICT chosen FROM spotcheck.draw_selected s WHERE s.draw = r.redraw;
        INSERT INTO spotcheck.plan_team_member (plan_target, member, inspector, side, over_cap, draw)
        VALUES (m.plan_target, m.member, chosen, m.side, false, r.redraw)
        RETURNING id INTO nid;
        UPDATE spotcheck.plan_team_member x SET replaced_by = nid WHERE x.id = m.id;
        UPDATE spotcheck.reassignments x
           SET state = 'approved', decided_at = pg_catalog.clock_timestamp(), decided_by = spotcheck.caller(),
               decision_note = approve_reassignment.note, new_team_member = nid
         WHERE x.id = r.id;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
        RAISE EXCEPTION 'approving reassignment request % failed after its redraw was executed (SQLSTATE %)', r.id, st
            USING ERRCODE = st,
                  HINT = 'Nothing was changed: the request stays open and the team as it was.  The cause is not shown, as it could name the replacement.';
    END;
END
$$;
COMMENT ON FUNCTION spotcheck.approve_reassignment(bigint, boolean, text) IS
    'the head''s decision on a reassignment request: approve executes its redraw (the replacement is shown once this transaction commits), refuse abandons it';

CREATE FUNCTION spotcheck.file_reassignment(request bigint, note text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r spotcheck.reassignments;
    upper_agency text;
BEGIN
    r := spotcheck.reassignment_for_change(request);
    PERFORM spotcheck.require_upper_role(r.agency, pg_catalog.format('file reassignment request %s', r.id), true);
    IF r.state <> 'approved' THEN
        RAISE EXCEPTION 'reassignment request % is %: only an approved reassignment is filed', r.id, r.state
            USING ERRCODE = '55000',
                  HINT = CASE WHEN r.state = 'open' THEN 'The head decides it first (spotcheck.approve_reassignment).'
                              ELSE 'A refused request changed nothing; there is nothing to file.' END;
    END IF;
    IF r.filed_at IS NOT NULL THEN
        RAISE EXCEPTION 'reassignment request % was already filed at % by %', r.id, spotcheck.plan_time(r.filed_at), r.filed_by
            USING ERRCODE = '55000', HINT = 'A filing is recorded once; spotcheck.reassignments_to_file lists what still awaits.';
    END IF;
    IF NOT EXISTS (SELECT FROM spotcheck.draw d WHERE d.id = r.redraw AND spotcheck.draw_revealed(d)) THEN
        RAISE EXCEPTION 'reassignment request % was approved in this transaction', r.id
            USING ERRCODE = '25000', HINT = 'Commit the approval first; the filing records a replacement everyone can see.';
    END IF;
    SELECT a.parent INTO upper_agency FROM spotcheck.agencies a WHERE a.code = r.agency;
    PERFORM spotcheck.audit_record('reassignment.file', 'reassignment:' || r.id, r.agency, pg_catalog.jsonb_build_object(
        'plan', r.plan, 'team_member', r.team_member, 'new_team_member', r.new_team_member,
        'filed_by', spotcheck.caller(), 'filed_agency', upper_agency, 'note', NULLIF(pg_catalog.btrim(file_reassignment.note), '')));
    UPDATE spotcheck.reassignments x
       SET filed_at = pg_catalog.clock_timestamp(), filed_by = spotcheck.caller(), filed_agency = upper_agency,
           filing_note = NULLIF(pg_catalog.btrim(file_reassignment.note), '')
     WHERE x.id = r.id;
END
$$;
COMMENT ON FUNCTION spotcheck.file_reassignment(bigint, text) IS
    'the upper level records that it received the filing (备案) of an approved reassignment, with an optional note (e.g. the filing number)';

-- ---- views --------------------------------------------------------------------------

-- Every request the role may read, with names; the replacement once the
-- approval has committed.
CREATE VIEW spotcheck.reassignment_requests WITH (security_barrier) AS
SELECT r.id AS request, r.plan, p.kind, r.agency, p.month, r.plan_target AS target, t.unit, u.name AS unit_name,
       r.team_member, o.member, o.side, r.inspector, oi.name AS inspector_name,
       r.reason, (SELECT x.label FROM spotcheck.plan_change_terms('reassignment_reason') x WHERE x.code = r.reason) AS reason_label,
       r.note, r.requested_at, r.requested_by, r.available_from, r.available_to,
       r.state,
       r.decided_at, r.decided_by, r.decision_note,
       CASE WHEN spotcheck.draw_revealed(d) THEN r.new_team_member END AS new_team_member,
       CASE WHEN spotcheck.draw_revealed(d) THEN n.inspector END AS new_inspector,
       CASE WHEN spotcheck.draw_revealed(d) THEN ni.name END AS new_inspector_name,
       r.filed_at, r.filed_by, r.filed_agency, r.filing_note,
       r.redraw, d.pool_size AS redraw_pool_size
  FROM spotcheck.reassignments r
  JOIN spotcheck.plan p ON p.id = r.plan
  JOIN spotcheck.plan_target t ON t.id = r.plan_target
  JOIN spotcheck.units u ON u.code = t.unit
  JOIN spotcheck.plan_team_member o ON o.id = r.team_member
  JOIN spotcheck.inspectors oi ON oi.code = r.inspector
  JOIN spotcheck.draw d ON d.id = r.redraw
  LEFT JOIN spotcheck.plan_team_member n ON n.id = r.new_team_member
  LEFT JOIN spotcheck.inspectors ni ON ni.code = n.inspector
 WHERE p.agency = ANY ((SELECT spotcheck.caller_readable_agencies())::text[])
    OR p.partner = ANY ((SELECT spotcheck.caller_readable_agencies())::text[])
    OR (SELECT spotcheck.caller_is_superuser());
COMMENT ON VIEW spotcheck.reassignment_requests IS
    'every reassignment request (Article 16) the role may read: who leaves and why, the decision, the replacement once the approval has committed, the filing';

-- What the upper level has to file: approved (and committed), not yet filed,
-- of the agencies whose upper level the role belongs to.
CREATE VIEW spotcheck.reassignments_to_file WITH (security_barrier) AS
SELECT q.request, q.plan, q.kind, q.agency, a.parent AS upper_agency, q.month, q.target, q.unit, q.unit_name,
       q.team_member, q.member, q.side, q.inspector, q.inspector_name, q.reason, q.reason_label, q.note,
       q.requested_at, q.requested_by, q.decided_at, q.decided_by, q.decision_note,
       q.new_team_member, q.new_inspector, q.new_inspector_name, q.redraw
  FROM spotcheck.reassignment_requests q
  JOIN spotcheck.agencies a ON a.code = q.agency
 WHERE q.state = 'approved' AND q.filed_at IS NULL
   AND ((a.parent = ANY ((SELECT spotcheck.caller_agencies())::text[]) AND (SELECT spotcheck.caller_in('spotcheck_upper')))
        OR (SELECT spotcheck.caller_in('spotcheck_admin')) OR (SELECT spotcheck.caller_is_superuser()));
COMMENT ON VIEW spotcheck.reassignments_to_file IS
    'approved reassignments not yet filed (备案) with the upper level, for the spotcheck_upper members of that upper level';

REVOKE ALL ON spotcheck.reassignment_requests, spotcheck.reassignments_to_file FROM PUBLIC;
GRANT SELECT ON spotcheck.reassignment_requests, spotcheck.reassignments_to_file
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT EXECUTE ON FUNCTION spotcheck.request_reassignment(bigint, text, text),
    spotcheck.approve_reassignment(bigint, boolean, text), spotcheck.file_reassignment(bigint, text)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
