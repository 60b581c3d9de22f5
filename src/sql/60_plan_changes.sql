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

ALTER TABLE spotcheck.plan_team_member
    ADD COLUMN replaced_by bigint REFERENCES spotcheck.plan_team_member (id),
    ADD CONSTRAINT plan_team_member_not_replaced_by_itself CHECK (replaced_by IS DISTINCT FROM id);
CREATE UNIQUE INDEX plan_team_member_replaced_by_idx ON spotcheck.plan_team_member (replaced_by);
COMMENT ON COLUMN spotcheck.plan_team_member.replaced_by IS
    'the assignment that replaced this one after an approved reassignment (spotcheck.reassignments); NULL while current';

ALTER TABLE spotcheck.plan_target
    ADD COLUMN removed_by bigint,
    ADD COLUMN added_by bigint;
COMMENT ON COLUMN spotcheck.plan_target.removed_by IS
    'the approved amendment (spotcheck.plan_amendments) that removed the target from the plan; NULL while it is in the plan';
COMMENT ON COLUMN spotcheck.plan_target.added_by IS
    'the approved replacement amendment (spotcheck.plan_amendments) that added the target; NULL for a target of the plan''s own draw';

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
-- one open request per assignment
CREATE UNIQUE INDEX reassignments_one_open ON spotcheck.reassignments (team_member) WHERE state = 'open';
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
COMMENT ON COLUMN spotcheck.reassignments.new_team_member IS 'the assignment the redraw created';
COMMENT ON COLUMN spotcheck.reassignments.filed_at IS 'when the upper level recorded that it received the filing (备案)';

CREATE TABLE spotcheck.plan_amendments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan           bigint NOT NULL REFERENCES spotcheck.plan (id),
    agency         text NOT NULL REFERENCES spotcheck.agencies (code),
    kind           text NOT NULL,
    target         bigint NOT NULL REFERENCES spotcheck.plan_target (id),
    unit           text NOT NULL REFERENCES spotcheck.units (code),
    reason         text NOT NULL,
    detail         text NOT NULL,
    old_deadline   date,
    new_deadline   date,
    requested_at   timestamptz NOT NULL,
    requested_by   text NOT NULL,
    requested_xid  xid8 NOT NULL,
    state          text NOT NULL DEFAULT 'open',
    decided_at     timestamptz,
    decided_by     text,
    decision_note  text,
    redraw         bigint UNIQUE REFERENCES spotcheck.draw (id),
    new_target     bigint UNIQUE REFERENCES spotcheck.plan_target (id),
    CONSTRAINT plan_amendments_kind_known CHECK (kind IN ('remove', 'deadline', 'replace')),
    CONSTRAINT plan_amendments_state_known CHECK (state IN ('open', 'approved', 'rejected')),
    CONSTRAINT plan_amendments_detail_given CHECK (pg_catalog.btrim(detail) <> ''),
    CONSTRAINT plan_amendments_remove_reason CHECK (
        kind <> 'remove' OR reason IN ('closed_down', 'demolished', 'moved_out')),
    CONSTRAINT plan_amendments_deadline_values CHECK (
        (kind = 'deadline') = (new_deadline IS NOT NULL) AND (kind = 'deadline') = (old_deadline IS NOT NULL)),
    CONSTRAINT plan_amendments_redraw_for_replace CHECK ((kind = 'replace') = (redraw IS NOT NULL)),
    CONSTRAINT plan_amendments_decided_together CHECK (
        (state = 'open') = (decided_at IS NULL) AND (decided_at IS NULL) = (decided_by IS NULL)
        AND (decided_at IS NULL) = (decision_note IS NULL)),
    CONSTRAINT plan_amendments_new_target_when_approved CHECK (
        new_target IS NULL OR (kind = 'replace' AND state = 'approved'))
);
-- one open amendment per target
CREATE UNIQUE INDEX plan_amendments_one_open ON spotcheck.plan_amendments (target) WHERE state = 'open';
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
COMMENT ON COLUMN spotcheck.plan_amendments.new_target IS 'replace: the target the approved redraw added';

ALTER TABLE spotcheck.plan_target
    ADD CONSTRAINT plan_target_removed_by_fkey FOREIGN KEY (removed_by) REFERENCES spotcheck.plan_amendments (id),
    ADD CONSTRAINT plan_target_added_by_fkey FOREIGN KEY (added_by) REFERENCES spotcheck.plan_amendments (id);
CREATE INDEX plan_target_removed_by_idx ON spotcheck.plan_target (removed_by);

SELECT pg_catalog.pg_extension_config_dump('spotcheck.reassignments', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.plan_amendments', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.reassignments_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.plan_amendments_id_seq', '');

REVOKE ALL ON spotcheck.reassignments, spotcheck.plan_amendments FROM PUBLIC;
GRANT SELECT ON spotcheck.reassignments, spotcheck.plan_amendments
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
ALTER TABLE spotcheck.reassignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE spotcheck.plan_amendments ENABLE ROW LEVEL SECURITY;
CREATE POLICY reassignments_read ON spotcheck.reassignments FOR SELECT USING (plan IN (SELECT spotcheck.caller_plans()));
CREATE POLICY plan_amendments_read ON spotcheck.plan_amendments FOR SELECT USING (plan IN (SELECT spotcheck.caller_plans()));
