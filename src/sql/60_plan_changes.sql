-- Changes to a drawn plan: reassignment of a drawn inspector (Article 16)
-- and amendment of a published plan (Article 20).  The tables here are the
-- record; the functions that alone write them are in 61_* and later files.
--
--   plan_team_member.replaced_by  the assignment that replaced this one
--                                 (NULL while it is current); set only by
--                                 approve_reassignment
--   plan_target.removed_by        the approved amendment that took the
--                                 target out of the plan (NULL while in it)
--   plan_target.added_by          the approved replacement amendment that
--                                 added the target (NULL for a drawn one)
--   plan_target.deadline          the current deadline; a deadline
--                                 amendment changes it and keeps both values
--   reassignments                 one row per request to replace a drawn
--                                 inspector: reason, the head's decision,
--                                 the redraw and the upper level's filing
--   plan_amendments               one row per requested amendment: kind,
--                                 target, reason, the upper level's
--                                 decision, and the redraw of a replacement
--
-- A target's current team is its plan_team_member rows with replaced_by
-- NULL whose draw is revealed; a plan's current targets are its plan_target
-- rows with removed_by NULL whose draw is revealed.

-- (The columns themselves are defined with their tables in
-- 53_plan_tables.sql, so that the plan views and functions can read them.)

CREATE TABLE spotcheck.reassignments (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_member      bigint NOT NULL REFERENCES spotcheck.plan_team_member (id),
    plan             bigint NOT NULL REFERENCES spotcheck.plan (id),
    plan_target      bigint NOT NULL REFERENCES spotcheck.plan_target (id),
    agency           text NOT NULL REFERENCES spotcheck.agencies (code),
    inspector        text NOT NULL REFERENCES spotcheck.inspectors (code),
    reason           text NOT NULL,
    note             text NOT NULL,
    requested_at     timestamptz NOT NULL,
    requested_by     text NOT NULL,
    requested_xid    xid8 NOT NULL,
    requested_session text NOT NULL,
    available_from   date NOT NULL,
    available_to     date NOT NULL,
    redraw           bigint NOT NULL UNIQUE REFERENCES spotcheck.draw (id),
    state            text NOT NULL DEFAULT 'open',
    decided_at       timestamptz,
    decided_by       text,
    decision_note    text,
    new_team_member  bigint UNIQUE REFERENCES spotcheck.plan_team_member (id),
    filed_at         timestamptz,
    filed_by         text,
    filed_agency     text REFERENCES spotcheck.agencies (code),
    filing_note      text,
    CONSTRAINT reassignments_reason_known CHECK (reason IN ('post_change', 'official_travel', 'leave', 'recusal')),
    CONSTRAINT reassignments_state_known CHECK (state IN ('open', 'approved', 'refused')),
    CONSTRAINT reassignments_note_given CHECK (pg_catalog.btrim(note) <> ''),
    CONSTRAINT reassignments_decided_together CHECK (
        (state = 'open') = (decided_at IS NULL) AND (decided_at IS NULL) = (decided_by IS NULL)
        AND (decided_at IS NULL) = (decision_note IS NULL)),
    CONSTRAINT reassignments_replacement_when_approved CHECK ((state = 'approved') = (new_team_member IS NOT NULL)),
    CONSTRAINT reassignments_filed_when_approved CHECK (filed_at IS NULL OR state = 'approved'),
    CONSTRAINT reassignments_filed_together CHECK (
        (filed_at IS NULL) = (filed_by IS NULL) AND (filed_at IS NULL) = (filed_agency IS NULL))
);
-- one open request per assignment, and per target (a second redraw of the
-- same team must exclude the first one's replacement, known only once the
-- first is approved)
CREATE UNIQUE INDEX reassignments_one_open ON spotcheck.reassignments (team_member) WHERE state = 'open';
CREATE UNIQUE INDEX reassignments_one_open_per_target ON spotcheck.reassignments (plan_target) WHERE state = 'open';
CREATE INDEX reassignments_team_member_idx ON spotcheck.reassignments (team_member);
CREATE INDEX reassignments_plan_idx ON spotcheck.reassignments (plan);
CREATE INDEX reassignments_to_file_idx ON spotcheck.reassignments (agency) WHERE state = 'approved' AND filed_at IS NULL;
COMMENT ON TABLE spotcheck.reassignments IS
    'requests to replace a drawn inspector (Article 16): reason, the redraw committed when the request was made, the head''s decision, the replacement and the upper level''s filing (备案)';
COMMENT ON COLUMN spotcheck.reassignments.team_member IS 'the assignment (spotcheck.plan_team_member) to be replaced';
COMMENT ON COLUMN spotcheck.reassignments.reason IS
    'post_change (岗位调整), official_travel (公差), leave (休假) or recusal (回避)';
COMMENT ON COLUMN spotcheck.reassignments.redraw IS
    'the redraw committed when the request was made: its pool is every inspector eligible to replace the leaving one at that moment; executed on approval, abandoned on refusal';
COMMENT ON COLUMN spotcheck.reassignments.state IS 'open, approved (the redraw executed) or refused (the redraw abandoned)';
COMMENT ON COLUMN spotcheck.reassignments.available_from IS
    'the period the replacement must be available for (from the day of the request, or the plan month, to the target''s deadline); the redraw''s pool was frozen for it';
COMMENT ON COLUMN spotcheck.reassignments.new_team_member IS 'the assignment the redraw created';
COMMENT ON COLUMN spotcheck.reassignments.filed_at IS 'when the upper level recorded that it received the filing (备案)';

CREATE TABLE spotcheck.plan_amendments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan           bigint NOT NULL REFERENCES spotcheck.plan (id),
    agency         text NOT NULL REFERENCES spotcheck.agencies (code),
    kind           text NOT NULL,
    target         bigint NOT NULL REFERENCES spotcheck.plan_target (id),
    unit           text NOT NULL REFERENCES spotcheck.units (code),
    stratum        text NOT NULL,
    reason         text NOT NULL,
    detail         text NOT NULL,
    old_deadline   date,
    new_deadline   date,
    requested_at   timestamptz NOT NULL,
    requested_by   text NOT NULL,
    requested_xid  xid8 NOT NULL,
    requested_session text NOT NULL,
    state          text NOT NULL DEFAULT 'open',
    decided_at     timestamptz,
    decided_by     text,
    decision_note  text,
    redraw         bigint UNIQUE REFERENCES spotcheck.draw (id),
    member_redraw  bigint UNIQUE REFERENCES spotcheck.draw (id),
    redraw_left_out jsonb,
    new_target     bigint UNIQUE REFERENCES spotcheck.plan_target (id),
    CONSTRAINT plan_amendments_kind_known CHECK (kind IN ('remove', 'deadline', 'replace')),
    CONSTRAINT plan_amendments_state_known CHECK (state IN ('open', 'approved', 'rejected')),
    CONSTRAINT plan_amendments_detail_given CHECK (pg_catalog.btrim(detail) <> ''),
    CONSTRAINT plan_amendments_remove_reason CHECK (
        kind <> 'remove' OR reason IN ('closed_down', 'demolished', 'moved_out')),
    CONSTRAINT plan_amendments_deadline_values CHECK (
        (kind = 'remove') = (new_deadline IS NULL) AND (kind = 'deadline') = (old_deadline IS NOT NULL)),
    CONSTRAINT plan_amendments_redraw_for_replace CHECK (
        (kind = 'replace') = (redraw IS NOT NULL) AND (member_redraw IS NULL OR kind = 'replace')
        AND (redraw_left_out IS NULL OR kind = 'replace')),
    CONSTRAINT plan_amendments_decided_together CHECK (
        (state = 'open') = (decided_at IS NULL) AND (decided_at IS NULL) = (decided_by IS NULL)
        AND (decided_at IS NULL) = (decision_note IS NULL)),
    CONSTRAINT plan_amendments_new_target_when_approved CHECK (
        new_target IS NULL OR (kind = 'replace' AND state = 'approved'))
);
-- one open amendment per target; one open replacement per stratum of a plan
-- (two redraws over the same units could draw the same one)
CREATE UNIQUE INDEX plan_amendments_one_open ON spotcheck.plan_amendments (target) WHERE state = 'open';
CREATE UNIQUE INDEX plan_amendments_one_open_replace ON spotcheck.plan_amendments (plan, stratum) WHERE state = 'open' AND kind = 'replace';
-- a removed target is replaced once
CREATE UNIQUE INDEX plan_amendments_one_replacement ON spotcheck.plan_amendments (target) WHERE state = 'approved' AND kind = 'replace';
CREATE INDEX plan_amendments_plan_idx ON spotcheck.plan_amendments (plan);
COMMENT ON TABLE spotcheck.plan_amendments IS
    'amendments of a published plan (Article 20): requested by the planning agency, approved or rejected by its upper level; an approved one is part of the plan''s record';
COMMENT ON COLUMN spotcheck.plan_amendments.kind IS
    'remove (a target closed down, demolished or moved out of the area), deadline (a target''s deadline changes), replace (a removed target is replaced by a redraw from its stratum)';
COMMENT ON COLUMN spotcheck.plan_amendments.target IS 'the target removed, whose deadline changes, or (replace) the removed target being replaced';
COMMENT ON COLUMN spotcheck.plan_amendments.reason IS
    'remove: closed_down (停业/关闭), demolished (拆除) or moved_out (迁出辖区); deadline and replace: the reason as given';
COMMENT ON COLUMN spotcheck.plan_amendments.redraw IS
    'replace: the draw committed when the amendment was requested (the stratum''s undrawn units, and a team); executed on approval, abandoned on rejection';
COMMENT ON COLUMN spotcheck.plan_amendments.new_deadline IS
    'deadline: the target''s new deadline (old_deadline the one it replaces); replace: the replacement''s deadline';
COMMENT ON COLUMN spotcheck.plan_amendments.member_redraw IS
    'replace in a joint plan: the draw of the replacement''s members drawn from single-stratum pools per unit, as the plan''s member draw';
COMMENT ON COLUMN spotcheck.plan_amendments.redraw_left_out IS
    'replace: the units of the stratum left out of the redraw''s pool, and why (not drawn yet but excluded since, or without a full team)';
COMMENT ON COLUMN spotcheck.plan_amendments.new_target IS 'replace: the target the approved redraw added';

-- (plan_target.removed_by and added_by name amendments without a foreign
-- key: plan_amendments refers to plan_target, and a cycle of foreign keys
-- between two dumped tables has no order to restore them in.  Only
-- decide_amendment sets them; verify_plan checks every reference.)
CREATE INDEX plan_target_removed_by_idx ON spotcheck.plan_target (removed_by) WHERE removed_by IS NOT NULL;
CREATE INDEX plan_target_added_by_idx ON spotcheck.plan_target (added_by) WHERE added_by IS NOT NULL;

SELECT pg_catalog.pg_extension_config_dump('spotcheck.reassignments', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.plan_amendments', '');

-- The revealed draws of the plans the caller may read, and of their
-- reassignments and amendments (the row-level security of plan_target and
-- plan_team_member; see 53_plan_tables.sql).
CREATE OR REPLACE FUNCTION spotcheck.caller_plan_draws() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT d.id
      FROM spotcheck.plan p
      JOIN LATERAL (SELECT p.draw AS id UNION ALL SELECT p.member_draw
                    UNION ALL SELECT r.redraw FROM spotcheck.reassignments r WHERE r.plan OPERATOR(pg_catalog.=) p.id
                    UNION ALL SELECT a.redraw FROM spotcheck.plan_amendments a WHERE a.plan OPERATOR(pg_catalog.=) p.id
                    UNION ALL SELECT a.member_redraw FROM spotcheck.plan_amendments a WHERE a.plan OPERATOR(pg_catalog.=) p.id) x ON true
      JOIN spotcheck.draw d ON d.id OPERATOR(pg_catalog.=) x.id
     WHERE p.id IN (SELECT spotcheck.caller_plans()) AND spotcheck.draw_revealed(d)
$$;

REVOKE ALL ON spotcheck.reassignments, spotcheck.plan_amendments FROM PUBLIC;
GRANT SELECT ON spotcheck.reassignments, spotcheck.plan_amendments
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
ALTER TABLE spotcheck.reassignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE spotcheck.plan_amendments ENABLE ROW LEVEL SECURITY;
CREATE POLICY reassignments_read ON spotcheck.reassignments FOR SELECT USING (plan IN (SELECT spotcheck.caller_plans()));
CREATE POLICY plan_amendments_read ON spotcheck.plan_amendments FOR SELECT USING (plan IN (SELECT spotcheck.caller_plans()));

-- ---- the facts the workflows ask about ------------------------------------------

-- Whether a plan is published: spotcheck.plan_is_published(plan), defined
-- with the publication record (72_publication.sql); every use of
-- "published" goes through it.

-- Whether the inspection of a target is recorded:
-- spotcheck.target_inspected(target), defined with the results
-- (71_results.sql), which it reads.

-- The terms the workflows accept, in English or Chinese: one row per
-- accepted spelling, with the code stored.
CREATE FUNCTION spotcheck.plan_change_terms(what text)
RETURNS TABLE (code text, label text, spellings text[])
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT v.code, v.label, v.spellings
      FROM (VALUES
        ('reassignment_reason', 1, 'post_change', '岗位调整', ARRAY['post_change', 'post change', '岗位调整', '岗位变动']),
        ('reassignment_reason', 2, 'official_travel', '公差', ARRAY['official_travel', 'official travel', 'travel', '公差', '出差']),
        ('reassignment_reason', 3, 'leave', '休假', ARRAY['leave', '休假', '请假']),
        ('reassignment_reason', 4, 'recusal', '回避', ARRAY['recusal', '回避']),
        ('amendment_kind', 1, 'remove', '移除检查对象', ARRAY['remove', 'removal', '移除', '移除检查对象', '删除']),
        ('amendment_kind', 2, 'deadline', '变更检查时限', ARRAY['deadline', 'change deadline', '时限', '变更时限', '变更检查时限', '调整时限']),
        ('amendment_kind', 3, 'replace', '补抽替换', ARRAY['replace', 'replacement', '替换', '补抽', '补抽替换']),
        ('removal_reason', 1, 'closed_down', '关闭停业', ARRAY['closed_down', 'closed down', 'closed', '关闭', '停业', '歇业', '关闭停业', '已关闭停业']),
        ('removal_reason', 2, 'demolished', '拆除', ARRAY['demolished', '拆除', '已拆除']),
        ('removal_reason', 3, 'moved_out', '迁出辖区', ARRAY['moved_out', 'moved out', 'moved out of the area', '迁出', '迁出辖区', '已迁出'])
      ) AS v(what, ord, code, label, spellings)
     WHERE v.what = plan_change_terms.what
     ORDER BY v.ord
$$;

-- The code of a term, or an error (22023) that lists what is accepted.
CREATE FUNCTION spotcheck.plan_change_term(what text, value text, described_as text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v text := pg_catalog.lower(pg_catalog.regexp_replace(pg_catalog.btrim(COALESCE(value, ''), E' \t\r\n\u3000'), '[\s_-]+', ' ', 'g'));
    c text;
BEGIN
    SELECT t.code INTO c FROM spotcheck.plan_change_terms(what) t
     WHERE v = ANY (ARRAY(SELECT pg_catalog.replace(s, '_', ' ') FROM pg_catalog.unnest(t.spellings) s));
    IF c IS NULL THEN
        RAISE EXCEPTION '% % is not one of %', described_as, spotcheck.draw_quote(value),
                        (SELECT pg_catalog.string_agg(t.code || ' (' || t.label || ')', ', ') FROM spotcheck.plan_change_terms(what) t)
            USING ERRCODE = CASE WHEN value IS NULL THEN '22004' ELSE '22023' END,
                  HINT = pg_catalog.format('Give one of: %s — in English or in Chinese.',
                             (SELECT pg_catalog.string_agg(t.code || ' or ' || t.label, '; ') FROM spotcheck.plan_change_terms(what) t));
    END IF;
    RETURN c;
END
$$;

-- (the views of the workflows show the terms' labels to every role)
GRANT EXECUTE ON FUNCTION spotcheck.plan_change_terms(text)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
