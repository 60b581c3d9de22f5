-- No change by hand: once a plan's draw is executed, its targets, their
-- items and their teams change only through the workflows of Articles 16
-- and 20 (request_reassignment / approve_reassignment, request_amendment /
-- decide_amendment), whoever writes — a role of the extension, an
-- application writing to the tables, or the tables' owner.
--
-- Triggers decide, row by row, from facts no SQL statement can fake:
--   * a row inserted into plan_target, plan_target_item or plan_team_member
--     must be exactly what a draw executed in this very transaction
--     selected (a plan's own draws, or an approved change's redraw);
--   * an UPDATE is allowed only for the column a workflow changes
--     (plan_team_member.replaced_by, plan_target.removed_by and deadline,
--     the state of a request), and only when the extension has announced
--     that very change in this transaction's audit entries (origin
--     'extension', which only the extension's own functions write) and the
--     new value is the one the workflow's record and redraw dictate;
--   * DELETE and TRUNCATE are refused;
--   * a change's redraw is executed only by the approval that it belongs to,
--     and abandoned only by the refusal (a trigger on spotcheck.draw).
-- Every refusal is an error (42501) that names the function to use.  A
-- superuser who switches the triggers off is found by verify_plan (every
-- change against its record, its redraw and its audit entries), verify_draw
-- and the audit chain.

-- Whether a draw was executed, successfully, by this transaction.
CREATE FUNCTION spotcheck.plan_change_executed_here(draw bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT COALESCE((SELECT d.executed_xid OPERATOR(pg_catalog.=) pg_catalog.pg_current_xact_id()
                            AND d.failure_reason IS NULL AND d.selected_count IS NOT NULL
                       FROM spotcheck.draw d WHERE d.id OPERATOR(pg_catalog.=) plan_change_executed_here.draw), false)
$$;

-- The workflow record a draw is the redraw of, if any.
CREATE FUNCTION spotcheck.plan_change_of_draw(draw bigint, OUT kind text, OUT id bigint, OUT part text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT x.kind, x.id, x.part FROM (
        SELECT 'reassignment' AS kind, r.id, 'redraw' AS part FROM spotcheck.reassignments r
         WHERE r.redraw OPERATOR(pg_catalog.=) plan_change_of_draw.draw
        UNION ALL
        SELECT 'amendment', a.id, CASE WHEN a.redraw OPERATOR(pg_catalog.=) plan_change_of_draw.draw THEN 'redraw' ELSE 'member_redraw' END
          FROM spotcheck.plan_amendments a
         WHERE a.redraw OPERATOR(pg_catalog.=) plan_change_of_draw.draw OR a.member_redraw OPERATOR(pg_catalog.=) plan_change_of_draw.draw) x
     LIMIT 1
$$;

-- Whether a team member row is exactly what the draw (a target draw with
-- teams, or a member draw with keys "unit/inspector") gave the target.
CREATE FUNCTION spotcheck.plan_change_member_drawn(m spotcheck.plan_team_member, unit text, team_draw bigint,
                                                   member_draw bigint, team_size integer) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE
        WHEN m.draw OPERATOR(pg_catalog.=) team_draw THEN
            m.side = 'ours' AND EXISTS (SELECT FROM spotcheck.draw_team_member x
                                         WHERE x.draw OPERATOR(pg_catalog.=) m.draw AND x.target OPERATOR(pg_catalog.=) unit
                                           AND x.member OPERATOR(pg_catalog.=) m.member
                                           AND x.inspector OPERATOR(pg_catalog.=) m.inspector
                                           AND x.over_cap OPERATOR(pg_catalog.=) m.over_cap)
        WHEN m.draw OPERATOR(pg_catalog.=) member_draw THEN
            NOT m.over_cap AND EXISTS (SELECT FROM spotcheck.draw_selected s
                                        WHERE s.draw OPERATOR(pg_catalog.=) m.draw
                                          AND s.key OPERATOR(pg_catalog.=) (unit || '/' || m.inspector)
                                          AND s.stratum OPERATOR(pg_catalog.=) (unit || '/' || m.side)
                                          AND m.member OPERATOR(pg_catalog.=) CASE m.side WHEN 'ours' THEN s.rank ELSE team_size + s.rank END)
        ELSE false END
$$;

CREATE FUNCTION spotcheck.plan_change_refuse(what text, op text, hint text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION '% cannot be changed by hand (%)', what, op
        USING ERRCODE = '42501', HINT = hint;
END
$$;

-- ---- plan_target -------------------------------------------------------------------

CREATE FUNCTION spotcheck.plan_target_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p spotcheck.plan;
    a spotcheck.plan_amendments;
    ok boolean := false;
    hint constant text := 'A published plan changes only by an amendment (Article 20): spotcheck.request_amendment(plan, kind, target, reason, detail), approved or rejected by the upper level with spotcheck.decide_amendment(amendment, approve, note).';
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM spotcheck.plan_change_refuse('the targets of plans', TG_OP, hint);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM spotcheck.plan_change_refuse(pg_catalog.format('target %s of plan %s', OLD.id, OLD.plan), TG_OP,
                                             hint || ' A removed target stays listed with the amendment that removed it.');
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT * INTO p FROM spotcheck.plan x WHERE x.id OPERATOR(pg_catalog.=) NEW.plan;
        IF NEW.removed_by IS NULL AND spotcheck.plan_change_executed_here(NEW.draw)
           AND EXISTS (SELECT FROM spotcheck.draw_selected s
                        WHERE s.draw OPERATOR(pg_catalog.=) NEW.draw AND s.key OPERATOR(pg_catalog.=) NEW.unit
                          AND s.stratum OPERATOR(pg_catalog.=) NEW.stratum AND s.rank OPERATOR(pg_catalog.=) NEW.rank)
           AND EXISTS (SELECT FROM spotcheck.plan_pool x
                        WHERE x.plan OPERATOR(pg_catalog.=) NEW.plan AND x.unit OPERATOR(pg_catalog.=) NEW.unit
                          AND x.stratum OPERATOR(pg_catalog.=) NEW.stratum AND x.weight OPERATOR(pg_catalog.=) NEW.weight) THEN
            IF NEW.draw OPERATOR(pg_catalog.=) p.draw THEN
                ok := NEW.added_by IS NULL AND NEW.deadline OPERATOR(pg_catalog.=) p.deadline;
            ELSE
                SELECT * INTO a FROM spotcheck.plan_amendments x WHERE x.redraw OPERATOR(pg_catalog.=) NEW.draw;
                ok := FOUND AND a.kind = 'replace' AND a.state = 'open' AND a.plan OPERATOR(pg_catalog.=) NEW.plan
                      AND NEW.added_by OPERATOR(pg_catalog.=) a.id AND NEW.deadline OPERATOR(pg_catalog.=) a.new_deadline
                      AND NEW.stratum OPERATOR(pg_catalog.=) a.stratum
                      AND spotcheck.audit_announced('amendment.approve', 'amendment:' || a.id);
            END IF;
        END IF;
        IF NOT ok THEN
            PERFORM spotcheck.plan_change_refuse(pg_catalog.format('the targets of plan %s', NEW.plan), 'INSERT',
                'A target is drawn, never entered: the plan''s draw writes its targets when it is executed, and an approved replacement amendment adds one by a redraw. ' || hint);
        END IF;
        RETURN NEW;
    END IF;

    -- UPDATE: removed_by (once) and deadline, each by its approved amendment
    IF (pg_catalog.to_jsonb(NEW) - 'removed_by' - 'deadline') OPERATOR(pg_catalog.<>) (pg_catalog.to_jsonb(OLD) - 'removed_by' - 'deadline') THEN
        ok := false;
    ELSIF NEW.removed_by IS DISTINCT FROM OLD.removed_by THEN
        SELECT * INTO a FROM spotcheck.plan_amendments x WHERE x.id OPERATOR(pg_catalog.=) NEW.removed_by;
        ok := OLD.removed_by IS NULL AND FOUND AND a.kind = 'remove' AND a.state = 'open'
              AND a.target OPERATOR(pg_catalog.=) OLD.id AND NEW.deadline OPERATOR(pg_catalog.=) OLD.deadline
              AND spotcheck.audit_announced('amendment.approve', 'amendment:' || a.id);
    ELSIF NEW.deadline IS DISTINCT FROM OLD.deadline THEN
        SELECT * INTO a FROM spotcheck.plan_amendments x
         WHERE x.target OPERATOR(pg_catalog.=) OLD.id AND x.kind = 'deadline' AND x.state = 'open';
        ok := FOUND AND OLD.removed_by IS NULL AND a.old_deadline OPERATOR(pg_catalog.=) OLD.deadline
              AND a.new_deadline OPERATOR(pg_catalog.=) NEW.deadline
              AND spotcheck.audit_announced('amendment.approve', 'amendment:' || a.id);
    ELSE
        ok := false;  -- not even a row rewritten as it was
    END IF;
    IF NOT ok THEN
        PERFORM spotcheck.plan_change_refuse(pg_catalog.format('target %s of plan %s', OLD.id, OLD.plan), 'UPDATE', hint);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER plan_target_guard BEFORE INSERT OR UPDATE OR DELETE ON spotcheck.plan_target
    FOR EACH ROW EXECUTE FUNCTION spotcheck.plan_target_guard();
CREATE TRIGGER plan_target_no_truncate BEFORE TRUNCATE ON spotcheck.plan_target
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.plan_target_guard();

-- ---- plan_target_item -------------------------------------------------------------

CREATE FUNCTION spotcheck.plan_target_item_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t spotcheck.plan_target;
BEGIN
    SELECT * INTO t FROM spotcheck.plan_target x WHERE x.id OPERATOR(pg_catalog.=) NEW.plan_target;
    IF NOT FOUND OR NOT spotcheck.plan_change_executed_here(t.draw)
       OR NOT EXISTS (SELECT FROM spotcheck.plan_pool x
                       WHERE x.plan OPERATOR(pg_catalog.=) t.plan AND x.unit OPERATOR(pg_catalog.=) t.unit
                         AND NEW.item_id OPERATOR(pg_catalog.=) ANY (x.items)) THEN
        PERFORM spotcheck.plan_change_refuse(pg_catalog.format('the items of target %s', NEW.plan_target), 'INSERT',
            'A target is checked for the plan''s items that cover it, frozen with the plan''s pool and written when its draw is executed.');
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER plan_target_item_guard BEFORE INSERT ON spotcheck.plan_target_item
    FOR EACH ROW EXECUTE FUNCTION spotcheck.plan_target_item_guard();

-- ---- plan_team_member -------------------------------------------------------------

CREATE FUNCTION spotcheck.plan_team_member_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t spotcheck.plan_target;
    p spotcheck.plan;
    a spotcheck.plan_amendments;
    r spotcheck.reassignments;
    leaving spotcheck.plan_team_member;
    ok boolean := false;
    hint constant text := 'A drawn inspector is changed only for post change, official travel, leave or recusal (Article 16): spotcheck.request_reassignment(assignment, reason, note), approved by the head with spotcheck.approve_reassignment(request, approve, note), which redraws the replacement.';
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM spotcheck.plan_change_refuse('the teams of plans', TG_OP, hint);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM spotcheck.plan_change_refuse(pg_catalog.format('team member %s of target %s', OLD.id, OLD.plan_target), TG_OP,
                                             hint || ' A replaced assignment stays, marked replaced.');
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT * INTO t FROM spotcheck.plan_target x WHERE x.id OPERATOR(pg_catalog.=) NEW.plan_target;
        SELECT * INTO p FROM spotcheck.plan x WHERE x.id OPERATOR(pg_catalog.=) t.plan;
        IF NEW.replaced_by IS NULL AND spotcheck.plan_change_executed_here(NEW.draw) THEN
            IF NEW.draw IN (p.draw, p.member_draw) THEN
                ok := t.draw OPERATOR(pg_catalog.=) p.draw
                      AND spotcheck.plan_change_member_drawn(NEW, t.unit, p.draw, p.member_draw, p.team_size);
            ELSE
                SELECT * INTO r FROM spotcheck.reassignments x WHERE x.redraw OPERATOR(pg_catalog.=) NEW.draw;
                IF FOUND THEN
                    SELECT * INTO leaving FROM spotcheck.plan_team_member x WHERE x.id OPERATOR(pg_catalog.=) r.team_member;
                    ok := r.state = 'open' AND NEW.plan_target OPERATOR(pg_catalog.=) r.plan_target
                          AND NEW.plan_target OPERATOR(pg_catalog.=) leaving.plan_target
                          AND NEW.member OPERATOR(pg_catalog.=) leaving.member AND NEW.side OPERATOR(pg_catalog.=) leaving.side
                          AND NOT NEW.over_cap
                          AND EXISTS (SELECT FROM spotcheck.draw_selected s
                                       WHERE s.draw OPERATOR(pg_catalog.=) NEW.draw AND s.key OPERATOR(pg_catalog.=) NEW.inspector)
                          AND spotcheck.audit_announced('reassignment.approve', 'reassignment:' || r.id);
                ELSE
                    SELECT * INTO a FROM spotcheck.plan_amendments x
                     WHERE x.redraw OPERATOR(pg_catalog.=) NEW.draw OR x.member_redraw OPERATOR(pg_catalog.=) NEW.draw;
                    ok := FOUND AND a.state = 'open' AND t.added_by OPERATOR(pg_catalog.=) a.id
                          AND t.draw OPERATOR(pg_catalog.=) a.redraw
                          AND spotcheck.plan_change_member_drawn(NEW, t.unit, a.redraw, a.member_redraw, p.team_size)
                          AND spotcheck.audit_announced('amendment.approve', 'amendment:' || a.id);
                END IF;
            END IF;
        END IF;
        IF NOT ok THEN
            PERFORM spotcheck.plan_change_refuse(pg_catalog.format('the team of target %s', NEW.plan_target), 'INSERT',
                'A team is drawn, never designated: the plan''s draw writes it when executed. ' || hint);
        END IF;
        RETURN NEW;
    END IF;

    -- UPDATE: replaced_by, once, by the approval of the request for this assignment
    IF (pg_catalog.to_jsonb(NEW) - 'replaced_by') OPERATOR(pg_catalog.<>) (pg_catalog.to_jsonb(OLD) - 'replaced_by') THEN
        ok := false;
    ELSIF NEW.replaced_by IS NOT DISTINCT FROM OLD.replaced_by THEN
        ok := false;  -- not even a row rewritten as it was
    ELSE
        SELECT * INTO r FROM spotcheck.reassignments x WHERE x.team_member OPERATOR(pg_catalog.=) OLD.id AND x.state = 'open';
        ok := FOUND AND OLD.replaced_by IS NULL
              AND EXISTS (SELECT FROM spotcheck.plan_team_member n
                           WHERE n.id OPERATOR(pg_catalog.=) NEW.replaced_by AND n.draw OPERATOR(pg_catalog.=) r.redraw
                             AND n.plan_target OPERATOR(pg_catalog.=) OLD.plan_target AND n.member OPERATOR(pg_catalog.=) OLD.member)
              AND spotcheck.audit_announced('reassignment.approve', 'reassignment:' || r.id);
    END IF;
    IF NOT ok THEN
        PERFORM spotcheck.plan_change_refuse(pg_catalog.format('team member %s of target %s', OLD.id, OLD.plan_target), 'UPDATE', hint);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER plan_team_member_guard BEFORE INSERT OR UPDATE OR DELETE ON spotcheck.plan_team_member
    FOR EACH ROW EXECUTE FUNCTION spotcheck.plan_team_member_guard();
CREATE TRIGGER plan_team_member_no_truncate BEFORE TRUNCATE ON spotcheck.plan_team_member
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.plan_team_member_guard();

-- ---- the workflow records ------------------------------------------------------------

CREATE FUNCTION spotcheck.reassignments_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    d spotcheck.draw;
    ok boolean := false;
    unchanged jsonb;
    hint constant text := 'Requests are filed with spotcheck.request_reassignment(assignment, reason, note), decided by the head with spotcheck.approve_reassignment(request, approve, note) and filed with the upper level by spotcheck.file_reassignment(request); they are kept.';
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM spotcheck.plan_change_refuse('reassignment requests', TG_OP, hint);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM spotcheck.plan_change_refuse('reassignment request ' || OLD.id, TG_OP, hint);
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT * INTO d FROM spotcheck.draw x WHERE x.id OPERATOR(pg_catalog.=) NEW.redraw;
        ok := FOUND AND NEW.state = 'open' AND NEW.decided_at IS NULL AND NEW.new_team_member IS NULL AND NEW.filed_at IS NULL
              AND d.purpose = 'redraw' AND d.committed_xid OPERATOR(pg_catalog.=) pg_catalog.pg_current_xact_id()
              AND d.pool_source OPERATOR(pg_catalog.=) ('reassignment:' || NEW.id)
              AND NEW.requested_xid OPERATOR(pg_catalog.=) pg_catalog.pg_current_xact_id()
              AND spotcheck.audit_announced('reassignment.request', 'reassignment:' || NEW.id);
        IF NOT ok THEN
            PERFORM spotcheck.plan_change_refuse('reassignment requests', 'INSERT', hint);
        END IF;
        RETURN NEW;
    END IF;
    unchanged := pg_catalog.to_jsonb(OLD) - 'state' - 'decided_at' - 'decided_by' - 'decision_note' - 'new_team_member'
                 - 'filed_at' - 'filed_by' - 'filed_agency' - 'filing_note';
    IF unchanged OPERATOR(pg_catalog.<>) (pg_catalog.to_jsonb(NEW) - 'state' - 'decided_at' - 'decided_by' - 'decision_note' - 'new_team_member'
                                          - 'filed_at' - 'filed_by' - 'filed_agency' - 'filing_note') THEN
        ok := false;
    ELSIF OLD.state = 'open' AND NEW.state = 'approved' THEN
        ok := NEW.filed_at IS NULL AND spotcheck.plan_change_executed_here(OLD.redraw)
              AND EXISTS (SELECT FROM spotcheck.plan_team_member n
                           WHERE n.id OPERATOR(pg_catalog.=) NEW.new_team_member AND n.draw OPERATOR(pg_catalog.=) OLD.redraw)
              AND spotcheck.audit_announced('reassignment.approve', 'reassignment:' || OLD.id);
    ELSIF OLD.state = 'open' AND NEW.state = 'refused' THEN
        ok := NEW.filed_at IS NULL AND NEW.new_team_member IS NULL
              AND EXISTS (SELECT FROM spotcheck.draw x WHERE x.id OPERATOR(pg_catalog.=) OLD.redraw AND x.abandoned_at IS NOT NULL)
              AND spotcheck.audit_announced('reassignment.refuse', 'reassignment:' || OLD.id);
    ELSIF OLD.state = 'approved' AND NEW.state = 'approved' AND OLD.filed_at IS NULL AND NEW.filed_at IS NOT NULL THEN
        ok := (NEW.decided_at, NEW.decided_by, NEW.decision_note, NEW.new_team_member)
              IS NOT DISTINCT FROM (OLD.decided_at, OLD.decided_by, OLD.decision_note, OLD.new_team_member)
              AND spotcheck.audit_announced('reassignment.file', 'reassignment:' || OLD.id);
    ELSE
        ok := false;
    END IF;
    IF NOT ok THEN
        PERFORM spotcheck.plan_change_refuse('reassignment request ' || OLD.id, 'UPDATE', hint);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER reassignments_guard BEFORE INSERT OR UPDATE OR DELETE ON spotcheck.reassignments
    FOR EACH ROW EXECUTE FUNCTION spotcheck.reassignments_guard();
CREATE TRIGGER reassignments_no_truncate BEFORE TRUNCATE ON spotcheck.reassignments
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.reassignments_guard();

CREATE FUNCTION spotcheck.plan_amendments_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ok boolean := false;
    hint constant text := 'Amendments are requested by the planning agency with spotcheck.request_amendment(plan, kind, target, reason, detail) and approved or rejected by its upper level with spotcheck.decide_amendment(amendment, approve, note); they are kept as part of the plan''s record.';
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM spotcheck.plan_change_refuse('amendments', TG_OP, hint);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM spotcheck.plan_change_refuse('amendment ' || OLD.id, TG_OP, hint);
    END IF;
    IF TG_OP = 'INSERT' THEN
        ok := NEW.state = 'open' AND NEW.decided_at IS NULL AND NEW.new_target IS NULL
              AND NEW.requested_xid OPERATOR(pg_catalog.=) pg_catalog.pg_current_xact_id()
              AND (NEW.redraw IS NULL OR EXISTS (SELECT FROM spotcheck.draw d
                                                  WHERE d.id OPERATOR(pg_catalog.=) NEW.redraw
                                                    AND d.committed_xid OPERATOR(pg_catalog.=) pg_catalog.pg_current_xact_id()
                                                    AND d.pool_source OPERATOR(pg_catalog.=) ('amendment:' || NEW.id)))
              AND (NEW.member_redraw IS NULL OR EXISTS (SELECT FROM spotcheck.draw d
                                                  WHERE d.id OPERATOR(pg_catalog.=) NEW.member_redraw
                                                    AND d.committed_xid OPERATOR(pg_catalog.=) pg_catalog.pg_current_xact_id()
                                                    AND d.pool_source OPERATOR(pg_catalog.=) ('amendment:' || NEW.id || '/members')))
              AND spotcheck.audit_announced('amendment.request', 'amendment:' || NEW.id);
        IF NOT ok THEN
            PERFORM spotcheck.plan_change_refuse('amendments', 'INSERT', hint);
        END IF;
        RETURN NEW;
    END IF;
    IF (pg_catalog.to_jsonb(OLD) - 'state' - 'decided_at' - 'decided_by' - 'decision_note' - 'new_target')
       OPERATOR(pg_catalog.<>) (pg_catalog.to_jsonb(NEW) - 'state' - 'decided_at' - 'decided_by' - 'decision_note' - 'new_target') THEN
        ok := false;
    ELSIF OLD.state = 'open' AND NEW.state = 'approved' THEN
        ok := spotcheck.audit_announced('amendment.approve', 'amendment:' || OLD.id)
              AND CASE OLD.kind
                    WHEN 'replace' THEN spotcheck.plan_change_executed_here(OLD.redraw)
                                        AND EXISTS (SELECT FROM spotcheck.plan_target t
                                                     WHERE t.id OPERATOR(pg_catalog.=) NEW.new_target AND t.added_by OPERATOR(pg_catalog.=) OLD.id)
                    WHEN 'remove' THEN NEW.new_target IS NULL
                                       AND EXISTS (SELECT FROM spotcheck.plan_target t
                                                    WHERE t.id OPERATOR(pg_catalog.=) OLD.target AND t.removed_by OPERATOR(pg_catalog.=) OLD.id)
                    ELSE NEW.new_target IS NULL
                         AND EXISTS (SELECT FROM spotcheck.plan_target t
                                      WHERE t.id OPERATOR(pg_catalog.=) OLD.target AND t.deadline OPERATOR(pg_catalog.=) OLD.new_deadline) END;
    ELSIF OLD.state = 'open' AND NEW.state = 'rejected' THEN
        ok := NEW.new_target IS NULL
              AND (OLD.redraw IS NULL OR EXISTS (SELECT FROM spotcheck.draw d WHERE d.id OPERATOR(pg_catalog.=) OLD.redraw AND d.abandoned_at IS NOT NULL))
              AND spotcheck.audit_announced('amendment.reject', 'amendment:' || OLD.id);
    ELSE
        ok := false;
    END IF;
    IF NOT ok THEN
        PERFORM spotcheck.plan_change_refuse('amendment ' || OLD.id, 'UPDATE', hint);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER plan_amendments_guard BEFORE INSERT OR UPDATE OR DELETE ON spotcheck.plan_amendments
    FOR EACH ROW EXECUTE FUNCTION spotcheck.plan_amendments_guard();
CREATE TRIGGER plan_amendments_no_truncate BEFORE TRUNCATE ON spotcheck.plan_amendments
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.plan_amendments_guard();

-- ---- the redraws: executed by the approval, abandoned by the refusal ------------------

CREATE FUNCTION spotcheck.plan_change_draw_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    c record;
    decide text;
BEGIN
    SELECT * INTO c FROM spotcheck.plan_change_of_draw(NEW.id);
    IF c.kind IS NULL THEN
        RETURN NEW;
    END IF;
    decide := CASE c.kind WHEN 'reassignment' THEN pg_catalog.format('spotcheck.approve_reassignment(%s, approve, note)', c.id)
                          ELSE pg_catalog.format('spotcheck.decide_amendment(%s, approve, note)', c.id) END;
    IF OLD.executed_at IS NULL AND NEW.executed_at IS NOT NULL
       AND NOT spotcheck.audit_announced(c.kind || '.approve', c.kind || ':' || c.id) THEN
        RAISE EXCEPTION 'draw % is the redraw of % %: it is executed only when that is approved', NEW.id,
                        CASE c.kind WHEN 'reassignment' THEN 'reassignment request' ELSE 'amendment' END, c.id
            USING ERRCODE = '42501',
                  HINT = 'The replacement is drawn by the approval itself: ' || decide || ' with approve => true.';
    END IF;
    IF OLD.abandoned_at IS NULL AND NEW.abandoned_at IS NOT NULL
       AND NOT spotcheck.audit_announced(c.kind || CASE c.kind WHEN 'reassignment' THEN '.refuse' ELSE '.reject' END,
                                               c.kind || ':' || c.id) THEN
        RAISE EXCEPTION 'draw % is the redraw of % %: it is abandoned only when that is refused', NEW.id,
                        CASE c.kind WHEN 'reassignment' THEN 'reassignment request' ELSE 'amendment' END, c.id
            USING ERRCODE = '42501',
                  HINT = 'Refuse it with ' || decide || ' and approve => false; the redraw is abandoned with it.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER plan_change_draw_guard BEFORE UPDATE ON spotcheck.draw
    FOR EACH ROW WHEN ((OLD.executed_at IS NULL AND NEW.executed_at IS NOT NULL)
                       OR (OLD.abandoned_at IS NULL AND NEW.abandoned_at IS NOT NULL))
    EXECUTE FUNCTION spotcheck.plan_change_draw_guard();
