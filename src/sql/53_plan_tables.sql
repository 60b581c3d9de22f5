-- Plans: what plan_month (and plan_special, plan_joint, plan_cross_region)
-- freeze when they commit a plan's draw, and what its execution adds.
--
--   plan               one row per plan: kind, agency, month, the parameters it
--                      was drawn with (a copy), its draws, when it was drawn and
--                      whether that was late (Article 15).  Never deleted; a
--                      plan is abandoned with a reason and stays listed.
--   plan_strata        each stratum's eligible units and quota, and how the
--                      quota was worked out
--   plan_pool          every unit of the pool: stratum, weight and the factors
--                      and rules the weight came from (explain_weight reads it)
--   plan_exclusions    every unit of the plan's directory left out, and why
--   plan_inspectors    the inspector pool(s), frozen at commitment
--   plan_recusals      the recusal pairs between them and the pool, frozen
--   plan_weight_rules  the weight rules the plan used (they never change)
--   plan_target        a drawn target: unit, stratum, rank, weight, deadline
--                      (stable id: amendments and results refer to it);
--                      removed_by / added_by: the amendment that removed or
--                      added it (60_plan_changes.sql and after)
--   plan_target_item   the items a target is checked for (also registered in
--                      spotcheck.check_item_uses as used by 'plan:<id>')
--   plan_team_member   a drawn team member of a target (stable id:
--                      reassignment refers to it), with the draw that drew it;
--                      replaced_by: the assignment that replaced it
--
-- Everything before plan_target is frozen at commitment and never changes
-- (triggers refuse it).  plan_target, plan_target_item and plan_team_member
-- are written when the draw that fills them is executed (a trigger on
-- spotcheck.draw, whoever executes it); afterwards they change only through
-- the reassignment (Article 16) and amendment (Article 20) workflows, whose
-- triggers (61_plan_change_guard.sql) refuse every other write by anyone.
-- A draw's result is never shown to the transaction that executed it: the
-- views below, and the row-level security of the tables, show targets and
-- teams only once that transaction has committed.

CREATE TABLE spotcheck.plan (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                text NOT NULL,
    agency              text NOT NULL REFERENCES spotcheck.agencies (code),
    partner             text REFERENCES spotcheck.agencies (code),
    scope_agencies      text[] NOT NULL,
    year                integer NOT NULL,
    month               date NOT NULL,
    campaign            bigint,
    alongside           bigint REFERENCES spotcheck.plan (id),
    parameters          jsonb NOT NULL,
    items               bigint[] NOT NULL,
    team_size           integer NOT NULL,
    partner_team_size   integer,
    deadline            date NOT NULL,
    entropy_declaration text NOT NULL,
    draw                bigint UNIQUE REFERENCES spotcheck.draw (id),
    member_draw         bigint UNIQUE REFERENCES spotcheck.draw (id),
    drawn_at            timestamptz NOT NULL,
    drawn_by            text NOT NULL,
    drawn_xid           xid8 NOT NULL,
    draw_deadline       date,
    late                boolean,
    frozen_digest       text,
    abandoned_at        timestamptz,
    abandoned_by        text,
    abandon_reason      text,
    CONSTRAINT plan_kind_known CHECK (kind IN ('month', 'special', 'cross_region', 'joint')),
    CONSTRAINT plan_month_first_day CHECK (pg_catalog.date_part('day', month) = 1
                                           AND pg_catalog.date_part('year', month) = year),
    CONSTRAINT plan_team CHECK (team_size >= 1 AND team_size + COALESCE(partner_team_size, 0) >= 2
                                AND (kind = 'joint' OR (team_size >= 2 AND partner_team_size IS NULL))),
    CONSTRAINT plan_partner CHECK ((kind = 'joint') = (partner IS NOT NULL) AND (partner IS NULL) = (partner_team_size IS NULL)),
    CONSTRAINT plan_lateness CHECK ((kind = 'month') = (draw_deadline IS NOT NULL) AND (draw_deadline IS NULL) = (late IS NULL)),
    CONSTRAINT plan_abandoned_together CHECK (
        (abandoned_at IS NULL) = (abandoned_by IS NULL) AND (abandoned_at IS NULL) = (abandon_reason IS NULL))
);
-- one live monthly plan per agency and month; an abandoned one stays listed
CREATE UNIQUE INDEX plan_one_live_month ON spotcheck.plan (agency, month) WHERE kind = 'month' AND abandoned_at IS NULL;
CREATE INDEX plan_agency_year_idx ON spotcheck.plan (agency, year);
CREATE INDEX plan_alongside_idx ON spotcheck.plan (alongside);
COMMENT ON TABLE spotcheck.plan IS
    'one row per plan (Articles 13, 15): kind, agency, month, parameters as drawn, its draws, when it was drawn and whether late; listed with its state in spotcheck.plans';
COMMENT ON COLUMN spotcheck.plan.kind IS
    'month (the monthly batch of the annual plan), special (专项检查), cross_region (by an upper level over its subordinates'' directories) or joint (with a partner department''s inspectors)';
COMMENT ON COLUMN spotcheck.plan.scope_agencies IS 'the agencies whose unit directories the pool is drawn from';
COMMENT ON COLUMN spotcheck.plan.month IS 'the plan month (its first day)';
COMMENT ON COLUMN spotcheck.plan.alongside IS 'for a special or joint plan drawn with a monthly plan: that plan; both are executed together';
COMMENT ON COLUMN spotcheck.plan.parameters IS 'the annual plan''s parameters (and the campaign''s) as they were when the plan was drawn';
COMMENT ON COLUMN spotcheck.plan.items IS 'the items in force the plan checks; a target is checked for those whose scope covers it';
COMMENT ON COLUMN spotcheck.plan.team_size IS 'our inspectors per target (for a joint plan: besides the partner''s partner_team_size)';
COMMENT ON COLUMN spotcheck.plan.deadline IS 'the deadline (检查时限) each target gets under the annual plan''s rule';
COMMENT ON COLUMN spotcheck.plan.draw IS 'the committed draw of the targets (and, except for a joint plan with one of our inspectors per team, of the teams)';
COMMENT ON COLUMN spotcheck.plan.member_draw IS 'joint plans: the draw of the partner''s inspectors (and of ours, when one per team) for every unit of the pool';
COMMENT ON COLUMN spotcheck.plan.drawn_at IS 'when the plan was drawn (committed)';
COMMENT ON COLUMN spotcheck.plan.draw_deadline IS 'monthly plans: the day of the month before by which it had to be drawn (Article 15)';
COMMENT ON COLUMN spotcheck.plan.late IS 'monthly plans: drawn after draw_deadline (China Standard Time); set once, never edited';
COMMENT ON COLUMN spotcheck.plan.frozen_digest IS 'SHA-256 of the frozen pool factors, strata and exclusions, also chained in the audit log (verify_plan)';

CREATE TABLE spotcheck.plan_strata (
    plan      bigint NOT NULL REFERENCES spotcheck.plan (id),
    stratum   text NOT NULL,
    eligible  integer NOT NULL CHECK (eligible >= 0),
    quota     integer NOT NULL CHECK (quota >= 0),
    rule      text NOT NULL,
    details   jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (plan, stratum)
);
COMMENT ON TABLE spotcheck.plan_strata IS
    'each stratum of a plan''s pool: eligible units, quota, and how the quota was worked out (rule, details)';

-- plan_pool and plan_exclusions hold a row per unit of the directory for
-- every plan (50,000 for a large brigade): their plan column has no foreign
-- key, whose per-row check would cost more than building the pool.  Only
-- plan_fill writes them, in the transaction that creates the plan row, and a
-- plan row is never deleted; verify_plan checks the pool against the draw.
CREATE TABLE spotcheck.plan_pool (
    plan           bigint NOT NULL,
    unit           text NOT NULL,
    stratum        text NOT NULL,
    weight         bigint NOT NULL CHECK (weight BETWEEN 1 AND 4294967295),
    owes_minimum   boolean NOT NULL,
    credit_input   text NOT NULL,
    credit_rule    bigint NOT NULL,
    credit_factor  integer NOT NULL,
    risk_input     text NOT NULL,
    risk_rule      bigint NOT NULL,
    risk_factor    integer NOT NULL,
    duty_input     text NOT NULL,
    duty_rule      bigint NOT NULL,
    duty_factor    integer NOT NULL,
    signals        integer NOT NULL,
    signal_rule    bigint NOT NULL,
    signal_factor  integer NOT NULL,
    items          bigint[] NOT NULL,
    PRIMARY KEY (plan, unit),
    CONSTRAINT plan_pool_weight_is_product CHECK (weight = credit_factor::bigint * risk_factor * duty_factor * signal_factor)
);
COMMENT ON TABLE spotcheck.plan_pool IS
    'every unit of a plan''s pool with its stratum and weight, and each weight factor''s input, rule and multiplier (Article 17), frozen at commitment';
COMMENT ON COLUMN spotcheck.plan_pool.owes_minimum IS 'the unit still owed a yearly minimum (crowded-place key unit, or a class of annual_plan_minimums) when the plan was drawn';
COMMENT ON COLUMN spotcheck.plan_pool.items IS 'the plan''s items whose object scope covers the unit: what it is checked for if drawn';

CREATE TABLE spotcheck.plan_exclusions (
    plan          bigint NOT NULL,
    unit          text NOT NULL,
    reason        text NOT NULL,
    detail        text NOT NULL,
    owes_minimum  boolean NOT NULL,
    PRIMARY KEY (plan, unit),
    CONSTRAINT plan_exclusions_reason_known CHECK (reason IN ('inactive', 'decision', 'out_of_scope', 'open_plan', 'recently_checked'))
);
CREATE INDEX plan_exclusions_unit_idx ON spotcheck.plan_exclusions (unit);
COMMENT ON TABLE spotcheck.plan_exclusions IS
    'every unit of a plan''s directory (or campaign scope) left out of its pool, with why: inactive, decision, out_of_scope, open_plan, recently_checked';
COMMENT ON COLUMN spotcheck.plan_exclusions.owes_minimum IS
    'the unit owes a yearly minimum that this plan cannot serve: reported by coverage_due';

CREATE TABLE spotcheck.plan_inspectors (
    plan       bigint NOT NULL REFERENCES spotcheck.plan (id),
    inspector  text NOT NULL,
    side       text NOT NULL CHECK (side IN ('ours', 'partner')),
    seconded   boolean NOT NULL,
    PRIMARY KEY (plan, inspector)
);
COMMENT ON TABLE spotcheck.plan_inspectors IS
    'the inspectors who could be drawn for a plan (available for the whole month), frozen at commitment; partner = the joint partner department''s';

CREATE TABLE spotcheck.plan_recusals (
    plan       bigint NOT NULL REFERENCES spotcheck.plan (id),
    inspector  text NOT NULL,
    unit       text NOT NULL,
    reason     text NOT NULL,
    PRIMARY KEY (plan, inspector, unit)
);
COMMENT ON TABLE spotcheck.plan_recusals IS
    'the pairs of the plan''s inspectors and pool units that must not meet (回避, or own-region inspectors in a cross-region plan), frozen at commitment';

CREATE TABLE spotcheck.plan_weight_rules (
    plan  bigint NOT NULL REFERENCES spotcheck.plan (id),
    rule  bigint NOT NULL REFERENCES spotcheck.weight_rules (id),
    PRIMARY KEY (plan, rule)
);
CREATE INDEX plan_weight_rules_rule_idx ON spotcheck.plan_weight_rules (rule);
COMMENT ON TABLE spotcheck.plan_weight_rules IS 'the weight rules in force for a plan; a rule used by a plan never changes';

-- The first plan that used a rule, whoever asks (a rule of an upper level is
-- used by the plans of the agencies below it, which its writer cannot see).
CREATE FUNCTION spotcheck.weight_rule_used_by(rule bigint) RETURNS bigint
LANGUAGE sql STABLE STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.min(u.plan) FROM spotcheck.plan_weight_rules u WHERE u.rule OPERATOR(pg_catalog.=) weight_rule_used_by.rule
$$;

GRANT EXECUTE ON FUNCTION spotcheck.weight_rule_used_by(bigint) TO spotcheck_admin, spotcheck_planner;

CREATE TABLE spotcheck.plan_target (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan        bigint NOT NULL REFERENCES spotcheck.plan (id),
    unit        text NOT NULL REFERENCES spotcheck.units (code),
    stratum     text NOT NULL,
    rank        integer NOT NULL CHECK (rank >= 1),
    weight      bigint NOT NULL,
    deadline    date NOT NULL,
    draw        bigint NOT NULL REFERENCES spotcheck.draw (id),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    removed_by  bigint,
    added_by    bigint,
    UNIQUE (plan, unit)
);
CREATE INDEX plan_target_unit_idx ON spotcheck.plan_target (unit);
COMMENT ON TABLE spotcheck.plan_target IS
    'a unit drawn by a plan (stable id for amendments and results); shown in spotcheck.plan_targets once the draw''s execution has committed';
COMMENT ON COLUMN spotcheck.plan_target.deadline IS 'the inspection deadline (检查时限), as amended (spotcheck.plan_amendments keeps every earlier one)';
COMMENT ON COLUMN spotcheck.plan_target.draw IS 'the draw that selected it (for a replacement, the amendment''s redraw)';
COMMENT ON COLUMN spotcheck.plan_target.removed_by IS
    'the approved amendment (spotcheck.plan_amendments) that removed the target from the plan; NULL while it is in the plan';
COMMENT ON COLUMN spotcheck.plan_target.added_by IS
    'the approved replacement amendment (spotcheck.plan_amendments) that added the target; NULL for a target of the plan''s own draw';

CREATE TABLE spotcheck.plan_target_item (
    plan_target  bigint NOT NULL REFERENCES spotcheck.plan_target (id),
    item_id      bigint NOT NULL REFERENCES spotcheck.check_items (id),
    PRIMARY KEY (plan_target, item_id)
);
COMMENT ON TABLE spotcheck.plan_target_item IS 'the items a target is checked for';

CREATE TABLE spotcheck.plan_team_member (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_target  bigint NOT NULL REFERENCES spotcheck.plan_target (id),
    member       integer NOT NULL CHECK (member >= 1),
    inspector    text NOT NULL REFERENCES spotcheck.inspectors (code),
    side         text NOT NULL CHECK (side IN ('ours', 'partner')),
    over_cap     boolean NOT NULL,
    draw         bigint NOT NULL REFERENCES spotcheck.draw (id),
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    replaced_by  bigint UNIQUE REFERENCES spotcheck.plan_team_member (id),
    CONSTRAINT plan_team_member_not_replaced_by_itself CHECK (replaced_by <> id),
    -- a position and an inspector once among a target's current members; a
    -- replaced assignment keeps its row, and its replacement takes its
    -- position (checked at commit: the replacement is written first)
    CONSTRAINT plan_team_member_current_member EXCLUDE USING btree (plan_target WITH =, member WITH =)
        WHERE (replaced_by IS NULL) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX plan_team_member_current_inspector ON spotcheck.plan_team_member (plan_target, inspector) WHERE replaced_by IS NULL;
CREATE INDEX plan_team_member_target_idx ON spotcheck.plan_team_member (plan_target);
CREATE INDEX plan_team_member_inspector_idx ON spotcheck.plan_team_member (inspector);
COMMENT ON TABLE spotcheck.plan_team_member IS
    'a drawn member of a target''s team (stable id for reassignment): position, inspector, side (ours or the joint partner''s), and the draw that drew it';
COMMENT ON COLUMN spotcheck.plan_team_member.over_cap IS 'taken in the team algorithm''s second pass, beyond the load cap (DRAW-SPEC.md)';
COMMENT ON COLUMN spotcheck.plan_team_member.replaced_by IS
    'the assignment that replaced this one after an approved reassignment (spotcheck.reassignments); NULL while current';

-- inspection outcomes may name the plan target they record
ALTER TABLE spotcheck.inspection_outcomes
    ADD CONSTRAINT inspection_outcomes_plan_target_fkey FOREIGN KEY (plan_target) REFERENCES spotcheck.plan_target (id);

-- ---- column documentation of the tables later workflows build on ----------------------
COMMENT ON COLUMN spotcheck.plan.id IS 'the plan''s stable id; its items are registered in check_item_uses as used by ''plan:<id>''';
COMMENT ON COLUMN spotcheck.plan.agency IS 'the agency whose plan it is (for a cross-region plan, the upper level that drew it)';
COMMENT ON COLUMN spotcheck.plan.partner IS 'joint plans: the partner department (agencies.level = department)';
COMMENT ON COLUMN spotcheck.plan.year IS 'the year of the plan month: the annual plan it belongs to';
COMMENT ON COLUMN spotcheck.plan.campaign IS 'special and joint plans: the campaign (spotcheck.special_campaigns) drawn';
COMMENT ON COLUMN spotcheck.plan.partner_team_size IS 'joint plans: the partner''s inspectors per target';
COMMENT ON COLUMN spotcheck.plan.entropy_declaration IS 'the public entropy its draws declared (the same for all of them)';
COMMENT ON COLUMN spotcheck.plan.drawn_by IS 'the role that drew the plan';
COMMENT ON COLUMN spotcheck.plan.drawn_xid IS 'the transaction that drew it (its draws are executed in a later one)';
COMMENT ON COLUMN spotcheck.plan.abandoned_at IS 'when the plan was abandoned (it stays listed; the month can be drawn again)';
COMMENT ON COLUMN spotcheck.plan.abandoned_by IS 'who abandoned it';
COMMENT ON COLUMN spotcheck.plan.abandon_reason IS 'why';
COMMENT ON COLUMN spotcheck.plan_target.id IS 'the target''s stable id: results, amendments and reassignments refer to it';
COMMENT ON COLUMN spotcheck.plan_target.plan IS 'the plan that drew it';
COMMENT ON COLUMN spotcheck.plan_target.unit IS 'the unit''s code (spotcheck.units)';
COMMENT ON COLUMN spotcheck.plan_target.stratum IS 'the stratum it was drawn from';
COMMENT ON COLUMN spotcheck.plan_target.rank IS 'its rank in the stratum''s priority order (DRAW-SPEC.md)';
COMMENT ON COLUMN spotcheck.plan_target.weight IS 'the weight it was drawn with (plan_pool, explain_weight)';
COMMENT ON COLUMN spotcheck.plan_target.created_at IS 'when the draw''s execution wrote it';
COMMENT ON COLUMN spotcheck.plan_team_member.id IS 'the assignment''s stable id: a reassignment refers to it';
COMMENT ON COLUMN spotcheck.plan_team_member.plan_target IS 'the target (spotcheck.plan_target) the inspector goes to';
COMMENT ON COLUMN spotcheck.plan_team_member.member IS 'the position in the team: ours first, then the joint partner''s';
COMMENT ON COLUMN spotcheck.plan_team_member.inspector IS 'the inspector''s code (spotcheck.inspectors)';
COMMENT ON COLUMN spotcheck.plan_team_member.side IS 'ours, or partner (a joint plan''s partner department)';
COMMENT ON COLUMN spotcheck.plan_team_member.draw IS 'the draw that drew the member: the plan''s draw, or a joint plan''s member draw';
COMMENT ON COLUMN spotcheck.plan_team_member.created_at IS 'when the draw''s execution wrote it';
COMMENT ON COLUMN spotcheck.plan_pool.plan IS 'the plan (spotcheck.plan; written with it, never without it)';
COMMENT ON COLUMN spotcheck.plan_pool.unit IS 'the unit''s code';
COMMENT ON COLUMN spotcheck.plan_pool.stratum IS 'must_cover, key_crowded, key_other, general (special, joint: the campaign''s one stratum)';
COMMENT ON COLUMN spotcheck.plan_pool.weight IS 'the weight frozen in the draw: the product of the four factors';
COMMENT ON COLUMN spotcheck.plan_pool.credit_input IS 'the unit''s credit class (or unrated)';
COMMENT ON COLUMN spotcheck.plan_pool.credit_rule IS 'the weight rule that gave the credit factor';
COMMENT ON COLUMN spotcheck.plan_pool.credit_factor IS 'its multiplier';
COMMENT ON COLUMN spotcheck.plan_pool.risk_input IS 'the unit''s fire-risk level (or unrated)';
COMMENT ON COLUMN spotcheck.plan_pool.risk_rule IS 'the weight rule that gave the risk factor';
COMMENT ON COLUMN spotcheck.plan_pool.risk_factor IS 'its multiplier';
COMMENT ON COLUMN spotcheck.plan_pool.duty_input IS 'the most severe inspection outcome in the duty window: penalised, violation, compliant, or none';
COMMENT ON COLUMN spotcheck.plan_pool.duty_rule IS 'the weight rule that gave the duty factor';
COMMENT ON COLUMN spotcheck.plan_pool.duty_factor IS 'its multiplier';
COMMENT ON COLUMN spotcheck.plan_pool.signals IS 'risk signals observed in the signal window';
COMMENT ON COLUMN spotcheck.plan_pool.signal_rule IS 'the weight rule that gave the signal factor';
COMMENT ON COLUMN spotcheck.plan_pool.signal_factor IS 'its multiplier';
COMMENT ON COLUMN spotcheck.plan_exclusions.plan IS 'the plan (spotcheck.plan; written with it, never without it)';
COMMENT ON COLUMN spotcheck.plan_exclusions.unit IS 'the unit''s code';
COMMENT ON COLUMN spotcheck.plan_exclusions.reason IS 'inactive, decision, out_of_scope, open_plan or recently_checked (the first that applies)';
COMMENT ON COLUMN spotcheck.plan_exclusions.detail IS 'the reason in words: which decision, plan or inspection';

-- ---- protection ------------------------------------------------------------------

-- A plan row never changes, except: its draws are set once, in the
-- transaction that created it, and it is abandoned once, unless it was
-- published.  Nothing is deleted.
CREATE FUNCTION spotcheck.plan_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    pub record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'plan % cannot be deleted', OLD.id
            USING ERRCODE = '55000', HINT = 'Abandon it with spotcheck.abandon_plan(plan, reason); plans are kept.';
    END IF;
    IF (pg_catalog.to_jsonb(NEW) - 'draw' - 'member_draw' - 'frozen_digest' - 'abandoned_at' - 'abandoned_by' - 'abandon_reason')
       OPERATOR(pg_catalog.<>) (pg_catalog.to_jsonb(OLD) - 'draw' - 'member_draw' - 'frozen_digest' - 'abandoned_at' - 'abandoned_by' - 'abandon_reason') THEN
        RAISE EXCEPTION 'plan % was drawn at % and cannot be changed', OLD.id, spotcheck.plan_time(OLD.drawn_at)
            USING ERRCODE = '55000',
                  DETAIL = 'Its kind, month, parameters, deadline, drawing time and lateness are a permanent record.',
                  HINT = 'Abandon it with spotcheck.abandon_plan(plan, reason) and draw a new plan.';
    END IF;
    IF (NEW.draw IS DISTINCT FROM OLD.draw AND (OLD.draw IS NOT NULL OR OLD.drawn_xid OPERATOR(pg_catalog.<>) pg_catalog.pg_current_xact_id()))
       OR (NEW.member_draw IS DISTINCT FROM OLD.member_draw
           AND (OLD.member_draw IS NOT NULL OR OLD.drawn_xid OPERATOR(pg_catalog.<>) pg_catalog.pg_current_xact_id()))
       OR (NEW.frozen_digest IS DISTINCT FROM OLD.frozen_digest
           AND (OLD.frozen_digest IS NOT NULL OR OLD.drawn_xid OPERATOR(pg_catalog.<>) pg_catalog.pg_current_xact_id())) THEN
        RAISE EXCEPTION 'the draws of plan % cannot change', OLD.id
            USING ERRCODE = '55000', HINT = 'Abandon the plan and draw a new one.';
    END IF;
    IF OLD.abandoned_at IS NOT NULL AND (NEW.abandoned_at, NEW.abandoned_by, NEW.abandon_reason)
                                        IS DISTINCT FROM (OLD.abandoned_at, OLD.abandoned_by, OLD.abandon_reason) THEN
        RAISE EXCEPTION 'plan % was abandoned at % by %', OLD.id, spotcheck.plan_time(OLD.abandoned_at), OLD.abandoned_by
            USING ERRCODE = '55000', DETAIL = 'Reason: ' || spotcheck.draw_clip(OLD.abandon_reason), HINT = 'An abandoned plan stays abandoned.';
    END IF;
    -- A published plan is never abandoned (Article 20): it changes only by
    -- an amendment its upper level approves.  (spotcheck.plan_is_published
    -- and the publication record are defined in 72_publication.sql.)
    IF OLD.abandoned_at IS NULL AND NEW.abandoned_at IS NOT NULL AND spotcheck.plan_is_published(OLD.id) THEN
        SELECT x.published_at, x.published_by INTO pub FROM spotcheck.publications x
         WHERE x.kind OPERATOR(pg_catalog.=) 'plan' AND x.plan OPERATOR(pg_catalog.=) OLD.id;
        RAISE EXCEPTION 'plan % was published at % by % and cannot be abandoned', OLD.id, spotcheck.plan_time(pub.published_at), pub.published_by
            USING ERRCODE = '55000',
                  DETAIL = 'A published plan changes only by an amendment its upper level approves (Article 20).',
                  HINT = pg_catalog.format('Request an amendment for each target that must change: spotcheck.request_amendment(%s, kind, target, reason, detail) to remove a target, change its deadline or replace a removed one; the upper level decides it with spotcheck.decide_amendment.', OLD.id);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER plan_guard BEFORE UPDATE OR DELETE ON spotcheck.plan
    FOR EACH ROW EXECUTE FUNCTION spotcheck.plan_guard();

-- What a plan froze never changes (spotcheck.refuse_change, with what to do
-- instead), and nothing is added to it once the plan is sealed: only the
-- transaction that draws the plan writes it, before it records the frozen
-- digest (spotcheck.refuse_frozen_insert; plan_target_item has its own guard,
-- 61_plan_change_guard.sql).
DO $protect$
DECLARE
    t text;
    frozen_hint text := 'What a plan was drawn from is permanent; abandon the plan and draw a new one.';
BEGIN
    FOREACH t IN ARRAY ARRAY['plan_strata', 'plan_pool', 'plan_exclusions', 'plan_inspectors', 'plan_recusals',
                             'plan_weight_rules', 'plan_target_item'] LOOP
        EXECUTE pg_catalog.format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON spotcheck.%I
                                       FOR EACH ROW EXECUTE FUNCTION spotcheck.refuse_change(%L)', t || '_frozen', t, frozen_hint);
        EXECUTE pg_catalog.format('CREATE TRIGGER %I BEFORE TRUNCATE ON spotcheck.%I
                                       FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change(%L)', t || '_no_truncate', t, frozen_hint);
        IF t <> 'plan_target_item' THEN
            EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER INSERT ON spotcheck.%I REFERENCING NEW TABLE AS added
                                           FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_frozen_insert(%L, %L)',
                                      t || '_frozen_insert', t, 'plan', frozen_hint);
        END IF;
    END LOOP;
    FOREACH t IN ARRAY ARRAY['plan', 'plan_strata', 'plan_pool', 'plan_exclusions', 'plan_inspectors', 'plan_recusals',
                             'plan_weight_rules', 'plan_target', 'plan_target_item', 'plan_team_member'] LOOP
        EXECUTE pg_catalog.format('SELECT pg_catalog.pg_extension_config_dump(%L, %L)', 'spotcheck.' || t, '');
    END LOOP;
END
$protect$;
CREATE TRIGGER plan_no_truncate BEFORE TRUNCATE ON spotcheck.plan
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change('Plans are permanent: abandon a plan that is not published with spotcheck.abandon_plan(plan, reason).');

-- ---- who sees what ------------------------------------------------------------
--
-- A plan is read by the roles that may read its agency (its own members; the
-- upper levels' spotcheck_upper members; administrators) and, for a joint
-- plan, its partner department's.  Targets and teams only once the draw that
-- produced them is revealed (its execution committed).

CREATE FUNCTION spotcheck.caller_plans() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT p.id FROM spotcheck.plan p
     WHERE p.agency OPERATOR(pg_catalog.=) ANY ((SELECT spotcheck.caller_readable_agencies())::text[])
        OR p.partner OPERATOR(pg_catalog.=) ANY ((SELECT spotcheck.caller_readable_agencies())::text[])
        OR (SELECT spotcheck.caller_is_superuser())
$$;
COMMENT ON FUNCTION spotcheck.caller_plans() IS 'the plans the calling role may read';

-- The revealed draws of the plans the caller may read (60_plan_changes.sql
-- adds the redraws of their reassignments and amendments).
CREATE FUNCTION spotcheck.caller_plan_draws() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT d.id FROM spotcheck.plan p JOIN spotcheck.draw d ON d.id OPERATOR(pg_catalog.=) p.draw OR d.id OPERATOR(pg_catalog.=) p.member_draw
     WHERE p.id IN (SELECT spotcheck.caller_plans()) AND spotcheck.draw_revealed(d)
$$;

DO $rls$
DECLARE
    t text;
BEGIN
    EXECUTE 'ALTER TABLE spotcheck.plan ENABLE ROW LEVEL SECURITY';
    EXECUTE 'CREATE POLICY plan_read ON spotcheck.plan FOR SELECT USING (id IN (SELECT spotcheck.caller_plans()))';
    FOREACH t IN ARRAY ARRAY['plan_strata', 'plan_pool', 'plan_exclusions', 'plan_inspectors', 'plan_recusals',
                             'plan_weight_rules'] LOOP
        EXECUTE pg_catalog.format('ALTER TABLE spotcheck.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON spotcheck.%I FOR SELECT USING (plan IN (SELECT spotcheck.caller_plans()))',
                                  t || '_read', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['plan_target', 'plan_team_member'] LOOP
        EXECUTE pg_catalog.format('ALTER TABLE spotcheck.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON spotcheck.%I FOR SELECT USING (draw IN (SELECT spotcheck.caller_plan_draws()))',
                                  t || '_read', t);
    END LOOP;
    EXECUTE 'ALTER TABLE spotcheck.plan_target_item ENABLE ROW LEVEL SECURITY';
    EXECUTE 'CREATE POLICY plan_target_item_read ON spotcheck.plan_target_item FOR SELECT
                 USING (plan_target IN (SELECT t.id FROM spotcheck.plan_target t))';
END
$rls$;

-- ---- views ----------------------------------------------------------------------

-- The plan list: every plan the role may read, with its kind and state.
CREATE VIEW spotcheck.plans WITH (security_barrier) AS
SELECT p.id AS plan, p.kind, p.agency, p.partner, p.month, p.year,
       CASE WHEN p.abandoned_at IS NOT NULL THEN 'abandoned'
            WHEN (d.failure_reason IS NOT NULL AND spotcheck.draw_revealed(d))
                 OR (m.failure_reason IS NOT NULL AND spotcheck.draw_revealed(m)) THEN 'failed'
            WHEN d.executed_at IS NOT NULL AND (m.id IS NULL OR m.executed_at IS NOT NULL) THEN 'executed'
            ELSE 'committed' END AS state,
       p.deadline, p.drawn_at, p.drawn_by, p.draw_deadline, p.late,
       p.draw, p.member_draw, p.alongside, p.campaign, p.scope_agencies, p.entropy_declaration,
       p.team_size, p.partner_team_size, d.pool_size,
       CASE WHEN spotcheck.draw_revealed(d) THEN d.selected_count END AS targets,
       p.abandoned_at, p.abandoned_by, p.abandon_reason,
       CASE WHEN spotcheck.draw_revealed(d) THEN
           (SELECT pg_catalog.count(*) FROM spotcheck.plan_target t JOIN spotcheck.draw td ON td.id = t.draw
             WHERE t.plan = p.id AND t.removed_by IS NULL AND spotcheck.draw_revealed(td)) END AS targets_in_plan
  FROM spotcheck.plan p
  JOIN spotcheck.draw d ON d.id = p.draw
  LEFT JOIN spotcheck.draw m ON m.id = p.member_draw
 WHERE p.agency = ANY ((SELECT spotcheck.caller_readable_agencies())::text[])
    OR p.partner = ANY ((SELECT spotcheck.caller_readable_agencies())::text[])
    OR (SELECT spotcheck.caller_is_superuser());
COMMENT ON VIEW spotcheck.plans IS
    'every plan the role may read with its kind and state (committed, executed, failed, abandoned); target counts once the execution has committed (targets drawn, targets_in_plan after amendments)';

-- The plan's targets: unit, stratum, rank, weight, deadline, items and team.
CREATE VIEW spotcheck.plan_targets WITH (security_barrier) AS
SELECT t.plan, p.kind, p.agency, p.month, t.id AS target, t.unit, u.name, u.address, t.stratum, t.rank, t.weight,
       t.deadline,
       ARRAY(SELECT i.code FROM spotcheck.plan_target_item ti JOIN spotcheck.check_items i ON i.id = ti.item_id
              WHERE ti.plan_target = t.id ORDER BY i.code, i.id) AS items,
       ARRAY(SELECT ti.item_id FROM spotcheck.plan_target_item ti WHERE ti.plan_target = t.id ORDER BY ti.item_id) AS item_ids,
       ARRAY(SELECT m.inspector FROM spotcheck.plan_team_member m JOIN spotcheck.draw md ON md.id = m.draw
              WHERE m.plan_target = t.id AND m.replaced_by IS NULL AND spotcheck.draw_revealed(md) ORDER BY m.member) AS team,
       ARRAY(SELECT i.name FROM spotcheck.plan_team_member m JOIN spotcheck.draw md ON md.id = m.draw
                    JOIN spotcheck.inspectors i ON i.code = m.inspector
              WHERE m.plan_target = t.id AND m.replaced_by IS NULL AND spotcheck.draw_revealed(md) ORDER BY m.member) AS team_names,
       (SELECT o.id FROM spotcheck.plan_target o JOIN spotcheck.draw od ON od.id = o.draw
         WHERE o.plan = p.alongside AND o.unit = t.unit AND o.removed_by IS NULL AND spotcheck.draw_revealed(od)) AS combined_with,
       CASE WHEN t.removed_by IS NULL THEN 'in_plan' ELSE 'removed' END AS state,
       t.removed_by, t.added_by
  FROM spotcheck.plan_target t
  JOIN spotcheck.plan p ON p.id = t.plan
  JOIN spotcheck.draw d ON d.id = t.draw
  JOIN spotcheck.units u ON u.code = t.unit
 WHERE spotcheck.draw_revealed(d)
   AND (p.agency = ANY ((SELECT spotcheck.caller_readable_agencies())::text[])
        OR p.partner = ANY ((SELECT spotcheck.caller_readable_agencies())::text[])
        OR (SELECT spotcheck.caller_is_superuser()));
COMMENT ON VIEW spotcheck.plan_targets IS
    'each target of a plan the role may read: unit code, name, address, stratum, rank, weight, deadline (检查时限) as amended, items, current team, and whether an approved amendment removed it (state, removed_by) or added it (added_by); shown once the draw''s execution has committed';
COMMENT ON COLUMN spotcheck.plan_targets.combined_with IS
    'for a special or joint plan drawn alongside a monthly plan: the monthly plan''s target of the same unit, inspected together';

-- One row per team member.
CREATE VIEW spotcheck.plan_team WITH (security_barrier) AS
SELECT t.plan, m.plan_target AS target, t.unit, m.id AS team_member, m.member, m.inspector, i.name, i.agency AS inspector_agency,
       m.side, m.over_cap, m.draw,
       (SELECT o.id FROM spotcheck.plan_team_member o WHERE o.replaced_by = m.id) AS replaces
  FROM spotcheck.plan_team_member m
  JOIN spotcheck.plan_target t ON t.id = m.plan_target
  JOIN spotcheck.plan p ON p.id = t.plan
  JOIN spotcheck.draw d ON d.id = m.draw
  JOIN spotcheck.draw td ON td.id = t.draw
  JOIN spotcheck.inspectors i ON i.code = m.inspector
 WHERE m.replaced_by IS NULL AND spotcheck.draw_revealed(d) AND spotcheck.draw_revealed(td)
   AND (p.agency = ANY ((SELECT spotcheck.caller_readable_agencies())::text[])
        OR p.partner = ANY ((SELECT spotcheck.caller_readable_agencies())::text[])
        OR (SELECT spotcheck.caller_is_superuser()));
COMMENT ON VIEW spotcheck.plan_team IS
    'each current member of a plan''s targets'' teams (stable id team_member), with the inspector''s agency and side, and the assignment it replaced after an approved reassignment (replaces); once the draw that drew it has committed';

REVOKE ALL ON spotcheck.plan, spotcheck.plan_strata, spotcheck.plan_pool, spotcheck.plan_exclusions,
    spotcheck.plan_inspectors, spotcheck.plan_recusals, spotcheck.plan_weight_rules, spotcheck.plan_target,
    spotcheck.plan_target_item, spotcheck.plan_team_member, spotcheck.plans, spotcheck.plan_targets,
    spotcheck.plan_team FROM PUBLIC;
GRANT SELECT ON spotcheck.plan, spotcheck.plan_strata, spotcheck.plan_pool, spotcheck.plan_exclusions,
    spotcheck.plan_inspectors, spotcheck.plan_recusals, spotcheck.plan_weight_rules, spotcheck.plan_target,
    spotcheck.plan_target_item, spotcheck.plan_team_member, spotcheck.plans, spotcheck.plan_targets,
    spotcheck.plan_team
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT EXECUTE ON FUNCTION spotcheck.caller_plans(), spotcheck.caller_plan_draws()
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
