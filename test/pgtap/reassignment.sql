-- Reassignment of a drawn inspector (Article 16) as the brigade uses it and
-- as every role might try to get around it: the request and its redraw over
-- exactly the eligible inspectors, every bad input refused with its SQLSTATE
-- and nothing written, the head's approval (never by the requester, never
-- for another agency, never twice, never in the request's transaction), the
-- redraw executed only by it and recomputed independently from its
-- transcript, approve-peek-rollback teaching nothing, refusal, filing by the
-- parent agency's upper level only, and direct writes to every plan and team
-- table refused for every role and the tables' owner.
-- Statements run in autocommit: a request is decided in a later transaction.
\ir helpers.psql
SELECT * FROM no_plan();
\ir registry_helpers.psql
\ir plan_helpers.psql
\ir change_helpers.psql
SET client_min_messages = warning;

DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['tap_ra_planner', 'tap_ra_head', 'tap_ra_head2', 'tap_ra_both', 'tap_ra_zd_head', 'tap_ra_upper',
                             'tap_ra_upper_qd', 'tap_ra_upper_sd', 'tap_ra_inspector', 'tap_ra_recorder', 'tap_ra_public'] LOOP
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r); END IF;
    END LOOP;
END $$;
CREATE ROLE tap_ra_planner LOGIN IN ROLE spotcheck_planner;
CREATE ROLE tap_ra_head LOGIN IN ROLE spotcheck_head;
CREATE ROLE tap_ra_head2 LOGIN IN ROLE spotcheck_head;
CREATE ROLE tap_ra_both LOGIN IN ROLE spotcheck_planner, spotcheck_head;
CREATE ROLE tap_ra_zd_head LOGIN IN ROLE spotcheck_head;
CREATE ROLE tap_ra_upper LOGIN IN ROLE spotcheck_upper;
CREATE ROLE tap_ra_upper_qd LOGIN IN ROLE spotcheck_upper;
CREATE ROLE tap_ra_upper_sd LOGIN IN ROLE spotcheck_upper;
CREATE ROLE tap_ra_inspector LOGIN IN ROLE spotcheck_inspector;
CREATE ROLE tap_ra_recorder LOGIN IN ROLE spotcheck_inspector;
CREATE ROLE tap_ra_public LOGIN IN ROLE spotcheck_public;
INSERT INTO spotcheck.agency_members (member, agency) VALUES
    ('tap_ra_planner', 'WCH'), ('tap_ra_head', 'WCH'), ('tap_ra_head2', 'WCH'), ('tap_ra_both', 'WCH'), ('tap_ra_zd_head', 'ZD'),
    ('tap_ra_upper', 'ZB'), ('tap_ra_upper_qd', 'QD'), ('tap_ra_upper_sd', 'SD'), ('tap_ra_inspector', 'WCH');

-- next month's plan of the brigade, drawn and executed
SELECT pg_temp.next_month() AS m, date_part('year', pg_temp.next_month())::int AS y,
       (pg_temp.next_month() + interval '1 month - 1 day')::date AS month_end,
       greatest((now() AT TIME ZONE 'Asia/Shanghai')::date, pg_temp.next_month()) AS period_from \gset
SELECT is(pg_temp.make_units('WCH', 0, 600) + pg_temp.make_inspectors('WCH', 10) + pg_temp.make_inspectors('ZB', 3), 613::bigint,
          'a brigade of 600 units and 10 inspectors, and 3 of its detachment');
SELECT lives_ok(format('SELECT pg_temp.make_annual_plan(%L, %s)', 'WCH', :y), 'its annual plan');
SET SESSION AUTHORIZATION tap_ra_planner;
CREATE TEMP TABLE plan_ AS SELECT spotcheck.plan_month('WCH', :'m') AS plan;
SELECT ok(spotcheck.execute_plan((SELECT plan FROM plan_), 'witnesses: 118 204 377') > 0, 'next month''s plan, drawn and executed');
RESET SESSION AUTHORIZATION;
SELECT plan FROM plan_ \gset
-- the first target, its two members, and the inspectors off its team
SELECT target AS t1, unit AS u1, deadline AS dl FROM spotcheck.plan_targets WHERE plan = :plan ORDER BY target LIMIT 1 \gset
SELECT team_member AS a1, inspector AS i1 FROM spotcheck.plan_team WHERE target = :t1 AND member = 1 \gset
SELECT team_member AS a2, inspector AS i2 FROM spotcheck.plan_team WHERE target = :t1 AND member = 2 \gset
CREATE TEMP TABLE off_team AS
SELECT code, row_number() OVER (ORDER BY code) AS n FROM spotcheck.inspectors
 WHERE agency = 'WCH' AND code NOT IN (:'i1', :'i2');
GRANT SELECT ON off_team, plan_ TO PUBLIC;
SELECT code AS absent FROM off_team WHERE n = 1 \gset
SELECT code AS expiring FROM off_team WHERE n = 2 \gset
SELECT code AS inactive FROM off_team WHERE n = 3 \gset
SELECT code AS recused FROM off_team WHERE n = 4 \gset
-- what the registries say now: one absent during the target's period, one
-- whose certificate ends before the deadline, one deactivated, one recused
-- from the unit; one detachment inspector seconded for the whole period,
-- another for part of it
INSERT INTO spotcheck.inspector_absences (inspector, starts, ends, reason) VALUES (:'absent', :'dl', :'dl', 'leave');
UPDATE spotcheck.inspectors SET certificate_valid_until = :'dl'::date - 1 WHERE code = :'expiring';
UPDATE spotcheck.inspectors SET active = false WHERE code = :'inactive';
INSERT INTO spotcheck.inspector_recusals (inspector, unit, reason) VALUES (:'recused', :'u1', '配偶在该单位任职');
INSERT INTO spotcheck.inspector_secondments (inspector, agency, starts, ends, reason) VALUES
    ('ZB-001', 'WCH', :'period_from', :'dl', '支队派员支援'),
    ('ZB-002', 'WCH', :'period_from', :'dl'::date - 1, '支队派员支援');
CREATE TEMP TABLE eligible AS
SELECT code FROM off_team WHERE n > 4 UNION ALL SELECT 'ZB-001';
GRANT SELECT ON eligible TO PUBLIC;

-- ---- bad input: SQLSTATE, message, hint; nothing written ------------------------
CREATE TEMP TABLE before AS SELECT pg_temp.written() AS w;
GRANT SELECT ON before TO PUBLIC;
SET SESSION AUTHORIZATION tap_ra_planner;
SELECT matches(pg_temp.err($$SELECT spotcheck.request_reassignment(NULL, 'leave', 'x')$$),
    '^22004 the assignment to replace must not be null\n.*HINT: Pass the team_member of spotcheck.plan_team', 'no assignment: 22004');
SELECT matches(pg_temp.err($$SELECT spotcheck.request_reassignment(987654, 'leave', 'x')$$),
    '^P0002 assignment 987654 does not exist\n.*HINT: spotcheck.plan_team lists', 'an unknown assignment: P0002, naming it');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_reassignment(%s, 'holiday', 'x')$$, :a1)),
    '^22023 the reason for a reassignment ''holiday'' is not one of post_change \(岗位调整\), official_travel \(公差\), leave \(休假\), recusal \(回避\)\n.*HINT: Give one of: post_change or 岗位调整; official_travel or 公差; leave or 休假; recusal or 回避',
    'a reason outside Article 16: 22023, naming it and listing the four, in English and Chinese');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_reassignment(%s, NULL, 'x')$$, :a1)),
    '^22004 the reason for a reassignment null is not one of', 'no reason: 22004');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_reassignment(%s, 'leave', '  ')$$, :a1)),
    '^22023 the request to replace inspector \S+ on target \d+ needs a note, got ''  ''\n.*HINT: Say what happened',
    'a blank note: 22023');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_ra_inspector;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_reassignment(%s, 'leave', 'x')$$, :a1)),
    '^42501 permission denied: role tap_ra_inspector may not request the reassignment of a member of plan \d+ for agency WCH\n.*That needs membership in spotcheck_planner or spotcheck_head',
    'an inspector may not request: 42501');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_ra_zd_head;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_reassignment(%s, 'leave', 'x')$$, :a1)),
    '^P0002 assignment \d+ does not exist', 'another brigade''s head does not even see the assignment: P0002');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_ra_upper;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_reassignment(%s, 'leave', 'x')$$, :a1)),
    '^42501 permission denied: role tap_ra_upper may not request the reassignment', 'the upper level does not request: 42501');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_ra_public;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_reassignment(%s, 'leave', 'x')$$, :a1)),
    '^42501 permission denied for function request_reassignment', 'the public role may not call it at all');
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.written(), (SELECT w FROM before), 'none of that wrote anything');

-- ---- the request and its redraw ---------------------------------------------------
SET SESSION AUTHORIZATION tap_ra_planner;
CREATE TEMP TABLE req1 AS SELECT spotcheck.request_reassignment(:a1, '休假', '年休假，已批准') AS r;
RESET SESSION AUTHORIZATION;
SELECT r AS r1 FROM req1 \gset
SELECT redraw AS d1 FROM spotcheck.reassignments WHERE id = :r1 \gset
SELECT is((SELECT reason || ' ' || state || ' ' || requested_by || ' ' || inspector FROM spotcheck.reassignments WHERE id = :r1),
          'leave open tap_ra_planner ' || :'i1', 'the Chinese reason is stored as its code; the request is open');
SELECT is((SELECT purpose || ' ' || state || ' ' || entropy_declaration || ' ' || agency || ' ' || pool_source FROM spotcheck.draws WHERE draw = :d1),
          'redraw committed none WCH reassignment:' || :r1, 'the redraw is committed at once: purpose redraw, no public entropy');
SELECT is(ARRAY(SELECT key FROM spotcheck.draw_pool WHERE draw = :d1 ORDER BY key), ARRAY(SELECT code FROM eligible ORDER BY code),
          'its pool is exactly the eligible inspectors: not the team, not absent, certificate valid, active, not recused, the seconded one');
SELECT is((SELECT jsonb_agg(DISTINCT stratum || '/' || weight) FROM spotcheck.draw_pool WHERE draw = :d1), '["redraw/1"]'::jsonb,
          'stratum redraw, weight 1 throughout');
SELECT is((SELECT jsonb_object_agg(stratum, quota) FROM spotcheck.draw_quota WHERE draw = :d1), '{"redraw": 1}'::jsonb, 'quota 1');
SELECT is((SELECT details->>'redraw' || ' ' || (details->>'pool_size') || ' ' || (details->>'reason') FROM spotcheck.audit_log
            WHERE action = 'reassignment.request' AND object = 'reassignment:' || :r1 AND origin = 'extension'),
          :d1 || ' ' || (SELECT count(*) FROM eligible) || ' leave', 'the request is in the audit log with its redraw');
SELECT is((SELECT available_from || ' ' || available_to FROM spotcheck.reassignments WHERE id = :r1), :'period_from' || ' ' || :'dl',
          'the pool was frozen for the period to the target''s deadline');

SET SESSION AUTHORIZATION tap_ra_planner;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_reassignment(%s, 'leave', 'again')$$, :a1)),
    '^55000 assignment \d+ already has an open request \d+, filed at .* by tap_ra_planner\n.*HINT: One request per target at a time',
    'the same assignment twice: 55000');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_reassignment(%s, 'official travel', 'x')$$, :a2)),
    '^55000 target \d+ already has an open request \d+ \(for assignment \d+\)',
    'the other member of the same team while one is open: 55000');
-- nobody executes or abandons the redraw but the head's decision
SELECT matches(pg_temp.err(format($$SELECT spotcheck.execute_draw(%s, '')$$, :d1)),
    '^42501 draw \d+ is the redraw of reassignment request \d+: it is executed only when that is approved\n.*HINT: The replacement is drawn by the approval itself: spotcheck.approve_reassignment\(\d+, approve, note\)',
    'the planner cannot execute the redraw: 42501 naming approve_reassignment');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.abandon_draw(%s, 'no')$$, :d1)),
    '^42501 draw \d+ is the redraw of reassignment request \d+: it is abandoned only when that is refused',
    'nor abandon it');
RESET SESSION AUTHORIZATION;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.execute_draw(%s, '')$$, :d1)),
    '^42501 draw \d+ is the redraw of reassignment request', 'nor can the owner');

-- ---- deciding: who may not ----------------------------------------------------------
CREATE TEMP TABLE before2 AS SELECT pg_temp.written() AS w;
GRANT SELECT ON before2 TO PUBLIC;
SET SESSION AUTHORIZATION tap_ra_planner;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.approve_reassignment(%s, true, 'ok')$$, :r1)),
    '^42501 permission denied: role tap_ra_planner may not decide reassignment request \d+ for agency WCH\n.*That needs membership in spotcheck_head',
    'the planner who asked may not approve: 42501');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_ra_zd_head;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.approve_reassignment(%s, true, 'ok')$$, :r1)),
    '^P0002 reassignment request \d+ does not exist', 'another agency''s head: P0002');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_ra_upper;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.approve_reassignment(%s, true, 'ok')$$, :r1)),
    '^42501 permission denied: role tap_ra_upper may not decide reassignment request', 'the upper level does not approve: 42501');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_ra_head;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.approve_reassignment(%s, NULL, 'ok')$$, :r1)),
    '^22004 the decision on reassignment request \d+ must not be null', 'no decision: 22004');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.approve_reassignment(%s, true, '')$$, :r1)),
    '^22023 the decision on reassignment request \d+ needs a note, got ''''', 'no note: 22023');
SELECT matches(pg_temp.err($$SELECT spotcheck.approve_reassignment(987654, true, 'ok')$$),
    '^P0002 reassignment request 987654 does not exist', 'an unknown request: P0002');
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.written(), (SELECT w FROM before2), 'none of that wrote anything');

-- one login holding both roles requests (as a planner) and may not decide (as a head)
SELECT target AS t2 FROM spotcheck.plan_targets WHERE plan = :plan ORDER BY target OFFSET 1 LIMIT 1 \gset
SELECT team_member AS a3, inspector AS i3 FROM spotcheck.plan_team WHERE target = :t2 AND member = 2 \gset
SET SESSION AUTHORIZATION tap_ra_both;
CREATE TEMP TABLE req2 AS SELECT spotcheck.request_reassignment(:a3, 'post change', '调任支队') AS r;
SELECT r AS r2 FROM req2 \gset
SELECT matches(pg_temp.err(format($$SELECT spotcheck.approve_reassignment(%s, true, 'ok')$$, :r2)),
    '^42501 permission denied: reassignment request \d+ was filed by role tap_ra_both \(login tap_ra_both\); role tap_ra_both \(login tap_ra_both\) may not decide it\n.*HINT: Another spotcheck_head member of agency WCH decides it',
    'whoever filed the request may not approve it, even holding the head''s role: 42501');
RESET SESSION AUTHORIZATION;
-- nor in the transaction that filed it
BEGIN;
SET SESSION AUTHORIZATION tap_ra_planner;
SELECT spotcheck.request_reassignment(
    (SELECT team_member FROM spotcheck.plan_team WHERE plan = :plan AND target <> :t1 AND target <> :t2 ORDER BY target, member LIMIT 1), 'leave', 'x') AS r3 \gset
SET SESSION AUTHORIZATION tap_ra_head;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.approve_reassignment(%s, true, 'ok')$$, :r3)),
    '^25000 reassignment request \d+ was filed in this transaction\n.*HINT: Commit the request first', 'the request''s own transaction: 25000');
RESET SESSION AUTHORIZATION;
ROLLBACK;

-- ---- approve, peek, roll back: the approving transaction learns nothing ---------------
CREATE TEMP TABLE audit_before AS SELECT max(seq) AS seq FROM spotcheck.audit_log;
GRANT SELECT ON audit_before TO PUBLIC;
BEGIN;
SET SESSION AUTHORIZATION tap_ra_head;
SELECT function_returns('spotcheck', 'approve_reassignment', ARRAY['bigint', 'boolean', 'text'], 'void',
                        'approve_reassignment returns nothing that could name the replacement');
SELECT is(spotcheck.approve_reassignment(:r1, true, '同意，按规定重新抽取')::text, '', 'the head approves');
SELECT is(ARRAY(SELECT inspector FROM spotcheck.plan_team WHERE target = :t1 ORDER BY member), ARRAY[:'i2'],
          'plan_team in that transaction: the leaving member is gone, no replacement shows');
SELECT is((SELECT team FROM spotcheck.plan_targets WHERE target = :t1), ARRAY[:'i2'], 'plan_targets: the same');
SELECT is((SELECT count(*) FROM spotcheck.plan_team_member WHERE plan_target = :t1 AND replaced_by IS NULL), 1::bigint,
          'the table itself shows no new row');
SELECT is_empty(format('SELECT * FROM spotcheck.draw_selected WHERE draw = %s', :d1), 'draw_selected: nothing');
SELECT is((SELECT state || ' ' || COALESCE(seed, '-') || ' ' || COALESCE(selected_count::text, '-') FROM spotcheck.draws WHERE draw = :d1),
          'executed - -', 'spotcheck.draws: executed, no seed, no count');
SELECT matches(pg_temp.err(format('SELECT spotcheck.draw_transcript(%s)', :d1)), '^25000 draw \d+ was executed in this transaction',
               'draw_transcript refuses: 25000');
SELECT matches(pg_temp.err(format('SELECT * FROM spotcheck.verify_draw(%s)', :d1)), '^25000', 'verify_draw refuses: 25000');
SELECT matches(pg_temp.err(format('SELECT * FROM spotcheck.verify_plan(%s)', :plan)), '^25000', 'verify_plan refuses: 25000');
SELECT matches(pg_temp.err(format('SELECT * FROM spotcheck.verify_plan_changes(%s)', :plan)), '^25000', 'verify_plan_changes refuses: 25000');
SELECT is((SELECT state || ' ' || COALESCE(new_inspector, '-') || ' ' || COALESCE(new_team_member::text, '-')
             FROM spotcheck.reassignment_requests WHERE request = :r1), 'approved - -',
          'reassignment_requests: approved, the replacement not shown');
SELECT is_empty('SELECT * FROM spotcheck.reassignments_to_file', 'reassignments_to_file: nothing');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_reassignment(%s, 'leave', 'x')$$, :a2)),
    '^25000 the team of target \d+ was drawn in this transaction',
    'a further request on the team, whose pool would leave the replacement out: 25000');
SELECT is((SELECT max(seq) FROM spotcheck.audit_log), (SELECT seq FROM audit_before), 'the audit log shows nothing before commit');
RESET SESSION AUTHORIZATION;
ROLLBACK;
SELECT is((SELECT state FROM spotcheck.reassignments WHERE id = :r1), 'open', 'after the rollback the request is open');
SELECT is((SELECT state FROM spotcheck.draws WHERE draw = :d1), 'committed', 'and its redraw committed, not executed');
SELECT is((SELECT max(seq) FROM spotcheck.audit_log), (SELECT seq FROM audit_before), 'and the audit log as it was');

-- ---- approval -----------------------------------------------------------------------
SET SESSION AUTHORIZATION tap_ra_head;
SELECT lives_ok(format($$SELECT spotcheck.approve_reassignment(%s, true, '同意，按规定重新抽取')$$, :r1), 'the head approves, and commits');
RESET SESSION AUTHORIZATION;
SELECT new_team_member AS n1 FROM spotcheck.reassignments WHERE id = :r1 \gset
SELECT inspector AS new1 FROM spotcheck.plan_team_member WHERE id = :n1 \gset
SELECT is((SELECT state || ' ' || decided_by || ' ' || decision_note FROM spotcheck.reassignments WHERE id = :r1),
          'approved tap_ra_head 同意，按规定重新抽取', 'the request is approved, by whom and why');
SELECT ok(:'new1' IN (SELECT code FROM eligible), 'the replacement is one of the eligible inspectors');
SELECT is((SELECT replaced_by FROM spotcheck.plan_team_member WHERE id = :a1), :n1::bigint, 'the old assignment stays, marked replaced by the new one');
SELECT is((SELECT member || ' ' || side || ' ' || draw || ' ' || plan_target FROM spotcheck.plan_team_member WHERE id = :n1),
          '1 ours ' || :d1 || ' ' || :t1, 'the new one takes the same position, drawn by the redraw');
SELECT is(ARRAY(SELECT inspector FROM spotcheck.plan_team WHERE target = :t1 ORDER BY member), ARRAY[:'new1', :'i2'],
          'plan_team shows the current team');
SELECT is((SELECT replaces FROM spotcheck.plan_team WHERE team_member = :n1), :a1::bigint, 'and which assignment the new one replaces');
SELECT is((SELECT team FROM spotcheck.plan_targets WHERE target = :t1), ARRAY[:'new1', :'i2'], 'so does plan_targets');
SELECT is((SELECT new_inspector FROM spotcheck.reassignment_requests WHERE request = :r1), :'new1', 'and reassignment_requests');

-- the redraw, recomputed from its transcript with nothing but SHA-256 and arithmetic
CREATE TEMP TABLE t1 AS SELECT spotcheck.draw_transcript(:d1) AS t;
SELECT is((SELECT encode(sha256(pg_temp.tag('spotcheck-v1/commit') || decode(t->>'secret', 'hex')), 'hex') FROM t1),
          (SELECT t->>'commitment' FROM t1), 'recomputed: the secret hashes to the commitment published with the request');
SELECT is((SELECT encode(pg_temp.ref_pool_digest(t), 'hex') || encode(pg_temp.ref_quota_digest(t), 'hex') FROM t1),
          (SELECT (t->>'pool_digest') || (t->>'quota_digest') FROM t1), 'recomputed: the pool and quota digests');
SELECT is((SELECT t->'entropy'->>'value' FROM t1), '', 'the entropy is empty: nobody could steer it');
SELECT is((SELECT pg_temp.ref_selection(t) FROM t1), jsonb_build_object('redraw', jsonb_build_array(:'new1')),
          'recomputed: the redraw selects exactly the replacement');
SELECT is((SELECT count(*) FROM spotcheck.verify_draw(:d1) WHERE NOT ok), 0::bigint, 'verify_draw passes every check');
SELECT is((SELECT count(*) FROM spotcheck.verify_plan(:plan) WHERE NOT ok), 0::bigint, 'verify_plan passes every check');
SET SESSION AUTHORIZATION tap_ra_zd_head;
SELECT matches(pg_temp.err(format('SELECT * FROM spotcheck.verify_plan_changes(%s)', :plan)),
    '^P0002 plan [0-9]+ does not exist', 'another brigade''s head cannot see the changes of this plan: P0002');
SELECT matches(pg_temp.err(format('SELECT * FROM spotcheck.verify_plan(%s)', :plan)),
    '^P0002 plan [0-9]+ does not exist', 'nor verify the plan');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT detail FROM spotcheck.verify_plan(:plan) WHERE check_name = 'reassignments'),
          '2 requests (1 approved, 0 refused, 1 open; 0 filed): redraws, records and audit entries agree', 'including the reassignments');
SELECT is((SELECT string_agg(action, ',' ORDER BY seq) FROM spotcheck.audit_log
            WHERE object IN ('reassignment:' || :r1, 'draw:' || :d1) AND origin = 'extension'),
          'draw.commit,reassignment.request,reassignment.approve,draw.execute', 'every step is in the audit log, in order');
SELECT is((SELECT count(*) FROM spotcheck.verify_audit_chain() WHERE NOT ok), 0::bigint, 'and the chain verifies');

-- ---- what cannot be done twice -------------------------------------------------------
SET SESSION AUTHORIZATION tap_ra_head2;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.approve_reassignment(%s, true, 'again')$$, :r1)),
    '^55000 reassignment request \d+ was already approved at .* by tap_ra_head\n.*HINT: A request is decided once', 'approving twice: 55000');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.approve_reassignment(%s, false, 'no')$$, :r1)),
    '^55000 reassignment request \d+ was already approved', 'refusing after the approval: 55000');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_ra_planner;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.execute_draw(%s, '')$$, :d1)),
    '^55000 draw \d+ was already executed at .* by tap_ra_head with entropy', 're-running the redraw: 55000');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_reassignment(%s, 'leave', 'x')$$, :a1)),
    '^55000 assignment \d+ \(inspector \S+ on target \d+\) was already replaced by assignment \d+\n.*HINT: A replaced assignment is history; to replace the replacement, request spotcheck.request_reassignment\(' || :n1 || ', reason, note\)',
    'a replaced assignment cannot be requested again; the hint names the replacement');
RESET SESSION AUTHORIZATION;

-- ---- refusal ------------------------------------------------------------------------
SELECT redraw AS d2 FROM spotcheck.reassignments WHERE id = :r2 \gset
CREATE TEMP TABLE team2 AS SELECT ARRAY(SELECT inspector FROM spotcheck.plan_team WHERE target = :t2 ORDER BY member) AS team;
SET SESSION AUTHORIZATION tap_ra_head;
SELECT lives_ok(format($$SELECT spotcheck.approve_reassignment(%s, false, '任务紧，不予调整')$$, :r2), 'the head refuses the other request');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT state || ' ' || decided_by || ' ' || decision_note FROM spotcheck.reassignments WHERE id = :r2),
          'refused tap_ra_head 任务紧，不予调整', 'refused, by whom and why');
SELECT is((SELECT state FROM spotcheck.draws WHERE draw = :d2), 'abandoned', 'its redraw is abandoned');
SELECT is((SELECT abandon_reason FROM spotcheck.draws WHERE draw = :d2), 'reassignment request ' || :r2 || ' refused: 任务紧，不予调整',
          'with the reason');
SELECT is(ARRAY(SELECT inspector FROM spotcheck.plan_team WHERE target = :t2 ORDER BY member), (SELECT team FROM team2),
          'the team is unchanged');
SELECT is((SELECT count(*) FROM spotcheck.verify_draw(:d2) WHERE NOT ok AND check_name <> 'executed'), 0::bigint,
          'the abandoned redraw still verifies what it committed');

-- ---- filing with the upper level (备案) -------------------------------------------------
SET SESSION AUTHORIZATION tap_ra_upper_qd;
SELECT is_empty('SELECT * FROM spotcheck.reassignments_to_file', 'another detachment sees nothing to file');
SELECT matches(pg_temp.err(format('SELECT spotcheck.file_reassignment(%s)', :r1)), '^P0002 reassignment request \d+ does not exist',
               'nor can it file it: P0002');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_ra_upper_sd;
SELECT is_empty('SELECT * FROM spotcheck.reassignments_to_file', 'the corps above the detachment is not the one filed with');
SELECT matches(pg_temp.err(format('SELECT spotcheck.file_reassignment(%s)', :r1)),
    '^42501 permission denied: role tap_ra_upper_sd may not file reassignment request \d+ for agency WCH: that is for a spotcheck_upper member of its upper level ZB',
    'filing for an agency that is not its child: 42501');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_ra_head;
SELECT matches(pg_temp.err(format('SELECT spotcheck.file_reassignment(%s)', :r1)), '^42501 permission denied: role tap_ra_head may not file',
               'the head does not file with itself: 42501');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_ra_upper;
SELECT is(ARRAY(SELECT request || ' ' || inspector || '→' || new_inspector || ' ' || reason FROM spotcheck.reassignments_to_file),
          ARRAY[:r1 || ' ' || :'i1' || '→' || :'new1' || ' leave'], 'the detachment sees the approved request awaiting its filing');
SELECT matches(pg_temp.err(format('SELECT spotcheck.file_reassignment(%s)', :r2)),
    '^55000 reassignment request \d+ is refused: only an approved reassignment is filed', 'a refused request is not filed: 55000');
SELECT lives_ok(format($$SELECT spotcheck.file_reassignment(%s, '备案〔2027〕3号')$$, :r1), 'the detachment records the filing');
SELECT matches(pg_temp.err(format('SELECT spotcheck.file_reassignment(%s)', :r1)), '^55000 reassignment request \d+ was already filed at',
               'filing twice: 55000');
SELECT is_empty('SELECT * FROM spotcheck.reassignments_to_file', 'nothing left to file');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT filed_by || ' ' || filed_agency || ' ' || filing_note FROM spotcheck.reassignments WHERE id = :r1), 'tap_ra_upper ZB 备案〔2027〕3号',
          'who filed, for which agency, with its note');
SELECT is((SELECT count(*) FROM spotcheck.audit_log WHERE action = 'reassignment.file' AND object = 'reassignment:' || :r1), 1::bigint,
          'the filing is audited');

-- ---- an empty pool is refused at the request, with the reason -------------------------
SELECT target AS t3, deadline AS dl3 FROM spotcheck.plan_targets WHERE plan = :plan ORDER BY target OFFSET 2 LIMIT 1 \gset
SELECT team_member AS a5 FROM spotcheck.plan_team WHERE target = :t3 AND member = 1 \gset
INSERT INTO spotcheck.inspector_absences (inspector, starts, ends, reason, note)
SELECT code, :'dl3', :'dl3', 'training', 'empty-pool test' FROM spotcheck.inspectors WHERE agency IN ('WCH', 'ZB');
CREATE TEMP TABLE before3 AS SELECT pg_temp.written() AS w;
GRANT SELECT ON before3 TO PUBLIC;
SET SESSION AUTHORIZATION tap_ra_planner;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_reassignment(%s, 'leave', 'x')$$, :a5)),
    '^55000 no inspector is eligible to replace \S+ on target \d+ \(unit \S+\) from \S+ to \S+\nDETAIL: Not eligible: .*the inspector to be replaced.*\nHINT: The redraw''s pool would be empty',
    'an empty pool: 55000, saying why each inspector is out');
-- (the detail lists the inspectors by code, so where the team's other member
-- stands among them depends on the draw: each reason is looked for on its own)
SELECT ok(e ~ 'DETAIL: Not eligible: [^\n]*already on the target''s team'
          AND e ~ 'DETAIL: Not eligible: [^\n]*WCH-\d+ \S+ \(absent \(training\)'
          AND e ~ 'DETAIL: Not eligible: [^\n]*ZB-001 \S+ \(absent \(training\)'
          AND e ~ 'DETAIL: Not eligible: [^\n]*ZB-002 \S+ \(absent',
          '(each with its reason, the seconded ones included)')
  FROM (SELECT pg_temp.err(format($$SELECT spotcheck.request_reassignment(%s, 'leave', 'x')$$, :a5)) AS e) x;
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.written(), (SELECT w FROM before3), 'and nothing is written');
DELETE FROM spotcheck.inspector_absences WHERE note = 'empty-pool test';

-- ---- an inspection outcome naming a plan target comes only with its result ----------------
-- (written by hand, by the owner, it would freeze the target's team: refused)
SELECT matches(pg_temp.err(format($$INSERT INTO spotcheck.inspection_outcomes (unit, agency, observed_on, outcome, source, source_ref, plan_target)
                                    SELECT unit, 'WCH', current_date, 'compliant', 'plan_result', 'RA-1', target
                                      FROM spotcheck.plan_targets WHERE target = %s$$, :t3)),
    '^42501 an inspection outcome of plan target \d+ cannot be written by hand\nDETAIL: No audit entry of the extension in this transaction announces it\.\nHINT: Use spotcheck.record_result',
    'an outcome naming a plan target, written by hand even by the owner: 42501, naming spotcheck.record_result');
SELECT ok(NOT spotcheck.target_inspected(:t3) AND NOT EXISTS (SELECT FROM spotcheck.inspection_outcomes WHERE plan_target = :t3),
          'nothing was written, and the target is not inspected');
-- a result recorded after the request: the approval is refused, the request
-- stays open.  A result records an inspection that took place, so this uses
-- a plan of the current month, whose targets can be inspected today.
SELECT date_trunc('month', (now() AT TIME ZONE 'Asia/Shanghai')::date)::date AS cm,
       date_part('year', now() AT TIME ZONE 'Asia/Shanghai')::int AS cy \gset
SELECT lives_ok(format('SELECT pg_temp.make_annual_plan(%L, %s) WHERE NOT EXISTS (SELECT FROM spotcheck.annual_plans WHERE agency = %L AND year = %s)',
                       'WCH', :cy, 'WCH', :cy), '(the annual plan of the current year)');
SET SESSION AUTHORIZATION tap_ra_planner;
SET client_min_messages = error;
CREATE TEMP TABLE plan_cm AS SELECT spotcheck.plan_month('WCH', :'cm') AS plan;
SET client_min_messages = warning;
SELECT ok(spotcheck.execute_plan((SELECT plan FROM plan_cm), 'witnesses: 404 505 606') > 0, 'this month''s plan, drawn late and executed');
RESET SESSION AUTHORIZATION;
SELECT plan AS plan_cm FROM plan_cm \gset
SELECT target AS t4 FROM spotcheck.plan_targets WHERE plan = :plan_cm ORDER BY target LIMIT 1 \gset
SELECT team_member AS a6 FROM spotcheck.plan_team WHERE target = :t4 AND member = 2 \gset
-- the inspector of member 1 records the result with a login bound to him or her
INSERT INTO spotcheck.agency_members (member, agency) VALUES ('tap_ra_recorder', 'WCH');
INSERT INTO spotcheck.inspector_logins (login, inspector)
SELECT 'tap_ra_recorder', inspector FROM spotcheck.plan_team WHERE target = :t4 AND member = 1;
SET SESSION AUTHORIZATION tap_ra_planner;
SELECT spotcheck.request_reassignment(:a6, 'recusal', '与被检查单位负责人系亲属') AS r4 \gset
RESET SESSION AUTHORIZATION;
SELECT ok(NOT spotcheck.target_inspected(:t4), 'a target without a result is not inspected');
SET SESSION AUTHORIZATION tap_ra_recorder;
SELECT ok(spotcheck.record_result(:t4, (now() AT TIME ZONE 'Asia/Shanghai')::date, 'no_problem', '按清单检查，未发现问题', '实地检查',
                                  ARRAY(SELECT inspector FROM spotcheck.plan_team WHERE target = :t4 ORDER BY member), ARRAY['DSJ-RA-4']) > 0,
          'the team records its result today, the member to be replaced among them (the request is not decided)');
RESET SESSION AUTHORIZATION;
SELECT ok(spotcheck.target_inspected(:t4), 'the target is inspected');
-- its duty-fulfilment record voided by a planner: the result alone still says so
SET SESSION AUTHORIZATION tap_ra_planner;
UPDATE spotcheck.inspection_outcomes SET void_reason = '重复录入' WHERE plan_target = :t4;
RESET SESSION AUTHORIZATION;
SELECT ok(spotcheck.target_inspected(:t4) AND NOT EXISTS (SELECT FROM spotcheck.inspection_outcomes WHERE plan_target = :t4 AND voided_at IS NULL),
          'a result in spotcheck.inspection_results counts as recorded, whatever became of its outcome row');
SET SESSION AUTHORIZATION tap_ra_head;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.approve_reassignment(%s, true, 'ok')$$, :r4)),
    '^55000 the inspection of target \d+ \(unit \S+\) was recorded after the request\n.*HINT: Refuse the request: spotcheck.approve_reassignment\(\d+, false, note\)',
    'approving for a target inspected since: 55000, the hint says to refuse');
SELECT is((SELECT state FROM spotcheck.reassignments WHERE id = :r4), 'open', 'the failed approval left the request open');
SELECT is((SELECT state FROM spotcheck.draws WHERE draw = (SELECT redraw FROM spotcheck.reassignments WHERE id = :r4)), 'committed',
          'and its redraw not executed');
SELECT lives_ok(format($$SELECT spotcheck.approve_reassignment(%s, false, '已检查完毕')$$, :r4), 'it can be refused');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_ra_planner;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_reassignment(%s, 'leave', '休假')$$, :a6)),
    '^55000 the inspection of target \d+ \(unit \S+\) is already recorded\n.*HINT: The team that inspected is part of the record',
    'and no new request is taken for it: 55000');
RESET SESSION AUTHORIZATION;

-- ---- no change by hand, for any role, nor the owner ----------------------------------------
CREATE TEMP TABLE before4 AS SELECT pg_temp.written() AS w;
GRANT SELECT ON before4 TO PUBLIC;
CREATE TEMP TABLE attacks (n serial, what text, stmt text);
INSERT INTO attacks (what, stmt) VALUES
    ('member', format('UPDATE spotcheck.plan_team_member SET inspector = %L WHERE id = %s', (SELECT code FROM eligible ORDER BY code LIMIT 1), :a2)),
    ('member', format('UPDATE spotcheck.plan_team_member SET replaced_by = %s WHERE id = %s', :a2, :n1)),
    ('member', format('DELETE FROM spotcheck.plan_team_member WHERE id = %s', :a2)),
    ('team', format('INSERT INTO spotcheck.plan_team_member (plan_target, member, inspector, side, over_cap, draw) VALUES (%s, 3, %L, ''ours'', false, %s)',
            :t1, (SELECT code FROM eligible ORDER BY code LIMIT 1), :d1)),
    ('target', format('UPDATE spotcheck.plan_target SET deadline = deadline + 10 WHERE id = %s', :t1)),
    ('target', format('UPDATE spotcheck.plan_target SET removed_by = 1 WHERE id = %s', :t1)),
    ('target', format('DELETE FROM spotcheck.plan_target WHERE id = %s', :t1)),
    ('targets', format('INSERT INTO spotcheck.plan_target (plan, unit, stratum, rank, weight, deadline, draw) SELECT %s, unit, stratum, 99, weight, %L, %s FROM spotcheck.plan_pool WHERE plan = %s AND unit NOT IN (SELECT unit FROM spotcheck.plan_target) LIMIT 1',
            :plan, :'dl', (SELECT draw FROM spotcheck.plan WHERE id = :plan), :plan)),
    ('items', format('INSERT INTO spotcheck.plan_target_item (plan_target, item_id) SELECT %s, id FROM spotcheck.check_items WHERE code = ''WCH-01''', :t1)),
    ('frozen', format('DELETE FROM spotcheck.plan_target_item WHERE plan_target = %s', :t1)),
    ('request', format('UPDATE spotcheck.reassignments SET state = ''refused'' WHERE id = %s', :r1)),
    ('request', format('UPDATE spotcheck.reassignments SET filed_at = NULL, filed_by = NULL, filed_agency = NULL WHERE id = %s', :r1)),
    ('request', format('DELETE FROM spotcheck.reassignments WHERE id = %s', :r2)),
    ('requests', format('INSERT INTO spotcheck.reassignments (team_member, plan, plan_target, agency, inspector, reason, note, requested_at, requested_by, requested_xid, requested_session, available_from, available_to, redraw) VALUES (%s, %s, %s, ''WCH'', %L, ''leave'', ''x'', now(), ''x'', pg_current_xact_id(), ''x'', %L, %L, %s)',
            :a2, :plan, :t1, :'i2', :'period_from', :'dl', :d2)),
    ('frozen', format('UPDATE spotcheck.plan SET deadline = deadline + 1 WHERE id = %s', :plan)),
    ('frozen', format('DELETE FROM spotcheck.plan_pool WHERE plan = %s', :plan)),
    ('frozen', format('UPDATE spotcheck.plan_inspectors SET side = side WHERE plan = %s', :plan)),
    ('frozen', format('DELETE FROM spotcheck.plan_strata WHERE plan = %s', :plan)),
    ('frozen', format('UPDATE spotcheck.draw_selected SET key = key WHERE draw = %s', :d1)),
    ('truncate', 'TRUNCATE spotcheck.plan_team_member CASCADE'),
    ('truncate', 'TRUNCATE spotcheck.plan_target CASCADE'),
    ('truncate', 'TRUNCATE spotcheck.reassignments');
GRANT SELECT ON attacks TO PUBLIC;
-- every role of the extension, and the public role: no privilege at all
SELECT is(ARRAY(SELECT DISTINCT r || ': ' || left(pg_temp.err(format('SET LOCAL ROLE %I; %s', r, a.stmt)), 5)
                  FROM attacks a, unnest(ARRAY['tap_ra_planner', 'tap_ra_head', 'tap_ra_upper', 'tap_ra_inspector', 'tap_ra_public']) r
                 ORDER BY 1),
          ARRAY['tap_ra_head: 42501', 'tap_ra_inspector: 42501', 'tap_ra_planner: 42501', 'tap_ra_public: 42501', 'tap_ra_upper: 42501'],
          'every write to every plan, team and request table is refused for every role: 42501');
SELECT is((SELECT count(*) FROM attacks a, unnest(ARRAY['tap_ra_planner', 'tap_ra_head', 'tap_ra_upper', 'tap_ra_inspector', 'tap_ra_public']) r
            WHERE pg_temp.err(format('SET LOCAL ROLE %I; %s', r, a.stmt)) !~ '^42501 permission denied for (table|sequence)'),
          0::bigint, '(each by the table''s privileges)');
-- the owner of the tables: the triggers refuse, naming the functions to use
SELECT matches(pg_temp.err((SELECT stmt FROM attacks WHERE n = 1)),
    '^42501 team member \d+ of target \d+ cannot be changed by hand \(UPDATE\)\n.*HINT: A drawn inspector is changed only for post change, official travel, leave or recusal \(Article 16\): spotcheck.request_reassignment\(assignment, reason, note\), approved by the head with spotcheck.approve_reassignment',
    'the owner changing a member: 42501 naming request_reassignment and approve_reassignment');
SELECT matches(pg_temp.err((SELECT stmt FROM attacks WHERE n = 2)), '^42501 team member \d+ of target \d+ cannot be changed by hand \(UPDATE\)',
               'the owner marking a member replaced: 42501');
SELECT matches(pg_temp.err((SELECT stmt FROM attacks WHERE n = 3)), '^42501 team member \d+ of target \d+ cannot be changed by hand \(DELETE\)',
               'the owner deleting a member: 42501');
SELECT matches(pg_temp.err((SELECT stmt FROM attacks WHERE n = 4)),
    '^42501 the team of target \d+ cannot be changed by hand \(INSERT\)\n.*HINT: A team is drawn, never designated', 'the owner adding a member: 42501');
SELECT matches(pg_temp.err((SELECT stmt FROM attacks WHERE n = 5)),
    '^42501 target \d+ of plan \d+ cannot be changed by hand \(UPDATE\)\n.*HINT: A published plan changes only by an amendment \(Article 20\): spotcheck.request_amendment',
    'the owner moving a deadline: 42501 naming request_amendment');
SELECT matches(pg_temp.err((SELECT stmt FROM attacks WHERE n = 6)), '^42501 target \d+ of plan \d+ cannot be changed by hand \(UPDATE\)',
               'the owner marking a target removed: 42501');
SELECT matches(pg_temp.err((SELECT stmt FROM attacks WHERE n = 7)), '^42501 target \d+ of plan \d+ cannot be changed by hand \(DELETE\)',
               'the owner deleting a target: 42501');
SELECT matches(pg_temp.err((SELECT stmt FROM attacks WHERE n = 8)),
    '^42501 the targets of plan \d+ cannot be changed by hand \(INSERT\)\n.*HINT: A target is drawn, never entered', 'the owner adding a target: 42501');
SELECT matches(pg_temp.err((SELECT stmt FROM attacks WHERE n = 9)), '^42501 the items of target \d+ cannot be changed by hand \(INSERT\)',
               'the owner adding an item to a target: 42501');
SELECT matches(pg_temp.err((SELECT stmt FROM attacks WHERE n = 11)),
    '^42501 reassignment request \d+ cannot be changed by hand \(UPDATE\)\n.*HINT: Requests are filed with spotcheck.request_reassignment',
    'the owner rewriting a decision: 42501');
SELECT matches(pg_temp.err((SELECT stmt FROM attacks WHERE n = 12)), '^42501 reassignment request \d+ cannot be changed by hand \(UPDATE\)',
               'the owner undoing a filing: 42501');
SELECT matches(pg_temp.err((SELECT stmt FROM attacks WHERE n = 13)), '^42501 reassignment request \d+ cannot be changed by hand \(DELETE\)',
               'the owner deleting a request: 42501');
SELECT matches(pg_temp.err((SELECT stmt FROM attacks WHERE n = 14)), '^42501 reassignment requests cannot be changed by hand \(INSERT\)',
               'the owner inserting a request: 42501');
SELECT is(ARRAY(SELECT left(pg_temp.err(stmt), 5) FROM attacks WHERE what = 'frozen' ORDER BY n), ARRAY['55000', '55000', '55000', '55000', '55000', '55000'],
          'the target''s items, the plan row, its frozen pool, inspectors and strata, and the draw''s result: refused as frozen (55000)');
SELECT is(ARRAY(SELECT split_part(pg_temp.err(stmt), E'\n', 1) FROM attacks WHERE what = 'truncate' ORDER BY n),
          ARRAY['42501 the teams of plans cannot be changed by hand (TRUNCATE)', '42501 the targets of plans cannot be changed by hand (TRUNCATE)',
                '42501 reassignment requests cannot be changed by hand (TRUNCATE)'], 'TRUNCATE by the owner: 42501');
-- even an audit entry forged by the owner does not open the door: the new
-- value must be the one the record and its redraw dictate
SELECT matches(pg_temp.err(format($$INSERT INTO spotcheck.audit_pending (origin, action, object) VALUES ('extension', 'reassignment.approve', 'reassignment:%s');
                                     UPDATE spotcheck.plan_team_member SET replaced_by = %s WHERE id = %s$$, :r1, :n1, :a2)),
    '^42501 team member \d+ of target \d+ cannot be changed by hand', 'a forged announcement does not let a row through');
SELECT is(pg_temp.written(), (SELECT w FROM before4), 'nothing of that was written');
-- nor is a row added to what the plan froze, by the owner either
SELECT is(pg_temp.err(format($$INSERT INTO spotcheck.plan_recusals (plan, inspector, unit, reason) VALUES (%s, %L, %L, 'forged')$$,
                             :plan, :'i2', :'u1')),
          format(E'55000 insert on spotcheck.plan_recusals is not allowed: plan %s was drawn at %s and what it froze is complete\n'
                  'DETAIL: \n'
                  'HINT: What a plan was drawn from is permanent; abandon the plan and draw a new one.',
                 :plan, spotcheck.draw_time((SELECT drawn_at FROM spotcheck.plan WHERE id = :plan))),
          'the owner adding a recusal to a drawn plan: 55000, saying what to do instead');
SELECT is(ARRAY(SELECT left(pg_temp.err(format(
                    'INSERT INTO spotcheck.%1$I SELECT (jsonb_populate_record(NULL::spotcheck.%1$I, to_jsonb(x) || jsonb_build_object(%2$L, (to_jsonb(x)->>%2$L) || ''-x''))).*
                       FROM spotcheck.%1$I x WHERE x.plan = %3$s LIMIT 1', t, k, :plan)), 5)
                  FROM (VALUES ('plan_strata', 'stratum'), ('plan_pool', 'unit'), ('plan_exclusions', 'unit'), ('plan_inspectors', 'inspector')) v(t, k)),
          ARRAY['55000', '55000', '55000', '55000'],
          'nor a stratum, a unit of the pool, an exclusion or an inspector: 55000');
SELECT is(ARRAY(SELECT left(pg_temp.err(format($$INSERT INTO spotcheck.draw_exclusion VALUES (%s, %L, %L)$$, draw, :'i2', :'u1')), 5)
                  FROM spotcheck.plan WHERE id = :plan), ARRAY['55000'],
          'nor an exclusion to the plan''s draw');
-- with the triggers off, an added row is found by verify_plan
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO spotcheck.plan_recusals (plan, inspector, unit, reason) VALUES (:plan, :'i2', :'u1', 'forged');
SELECT is((SELECT ok FROM spotcheck.verify_plan(:plan) WHERE check_name = 'frozen_digest'), false,
          'a row added to a frozen table with the triggers off is found by verify_plan');
ROLLBACK;

-- ---- a superuser who switches the triggers off is found ---------------------------------
BEGIN;
ALTER TABLE spotcheck.plan_team_member DISABLE TRIGGER USER;
UPDATE spotcheck.plan_team_member SET inspector = :'i1' WHERE id = :n1;
SELECT is((SELECT string_agg(check_name, ',' ORDER BY check_name) FROM spotcheck.verify_plan(:plan) WHERE NOT ok), 'reassignments',
          'a replacement rewritten with the triggers off: verify_plan''s reassignments check fails');
ROLLBACK;
BEGIN;
ALTER TABLE spotcheck.plan_team_member DISABLE TRIGGER USER;
UPDATE spotcheck.plan_team_member SET replaced_by = :a1 WHERE id = :a2;
SELECT is((SELECT string_agg(check_name, ',' ORDER BY check_name) FROM spotcheck.verify_plan(:plan) WHERE NOT ok),
          'team_changes_recorded,team_sizes', 'a member marked replaced with the triggers off, without a request: found');
ROLLBACK;
SELECT is((SELECT count(*) FROM spotcheck.verify_plan(:plan) WHERE NOT ok), 0::bigint, 'the plan as it is verifies');

-- ---- verify_plan answers false, never an error, whatever was changed ----------------------
CREATE FUNCTION pg_temp.plan_failures(plan bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    SELECT COALESCE(string_agg(regexp_replace(v.check_name, '^draw [0-9]+$', 'draw N') || ' = ' || COALESCE(v.detail, 'no detail'),
                               E'\n' ORDER BY v.check_name), 'none')
      INTO r FROM spotcheck.verify_plan(plan) v WHERE v.ok IS NOT TRUE;
    RETURN r;
EXCEPTION WHEN OTHERS THEN
    RETURN 'raised ' || SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION pg_temp.monitoring() RETURNS text LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    SELECT count(*) INTO n FROM spotcheck.plans p, spotcheck.verify_plan(p.plan) v WHERE NOT v.ok OR v.ok IS NULL OR v.detail IS NULL;
    RETURN 'ran';
EXCEPTION WHEN OTHERS THEN
    RETURN 'raised ' || SQLSTATE || ': ' || SQLERRM;
END $$;
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM spotcheck.draw_secret WHERE draw = (SELECT draw FROM spotcheck.plan WHERE id = :plan);
UPDATE spotcheck.audit_log SET details = details || '{"draw": "the first"}' WHERE action = 'plan.commit' AND object = 'plan:' || :plan;
UPDATE spotcheck.audit_log SET details = details || '{"team_member": "someone"}' WHERE action = 'reassignment.request' AND object = 'reassignment:' || :r1;
SELECT pg_temp.plan_failures(:plan) AS plan_tampered, pg_temp.monitoring() AS plan_monitoring \gset
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM spotcheck.draw_quota WHERE draw = :d1;
SELECT pg_temp.plan_failures(:plan) AS redraw_tampered, pg_temp.monitoring() AS redraw_monitoring \gset
ROLLBACK;
SELECT doesnt_match(:'plan_tampered'::text, '^raised', 'verify_plan of a plan whose draws and audit entries were changed does not raise');
SELECT matches(:'plan_tampered'::text, E'(^|\n)draw N = commitment: the secret is missing; [^\n]*seed: could not recompute: the secret is missing',
               'the plan''s draw without its secret: false, saying what could not be recomputed');
SELECT matches(:'plan_tampered'::text, E'(^|\n)parameters_audited = could not recompute: invalid input syntax for type bigint: "the first"(\n|$)',
               'an audit entry with text for the draw: parameters_audited is false, with why');
SELECT matches(:'plan_tampered'::text, format(E'(^|\n)reassignments = [^\n]*request %s: could not recompute: invalid input syntax for type bigint: "someone"', :r1),
               'a request whose audit entry cannot be read: the reassignments check is false, naming the request');
SELECT is(:'plan_monitoring'::text, 'ran', 'and verify_plan over every plan does not abort');
SELECT matches(:'redraw_tampered'::text, format(E'^reassignments = [^\n]*request %s: draw %s: [^\n]*selection: could not recompute: quotas of draw_sample_strata must not be null', :r1, :d1),
               'a redraw without its quotas: the reassignments check is false, naming the request, its redraw and what could not be recomputed');
SELECT is(:'redraw_monitoring'::text, 'ran', 'and verify_plan over every plan does not abort');
SELECT is((SELECT count(*) FROM spotcheck.verify_plan(:plan) WHERE NOT ok), 0::bigint, 'rolled back, the plan verifies again');

-- ---- what a superuser can change with the triggers off is found, never skipped ----------
CREATE FUNCTION pg_temp.failing(plan bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    SELECT COALESCE(string_agg(regexp_replace(v.check_name, '^draw [0-9]+$', 'draw N'), ',' ORDER BY v.check_name), 'none')
      INTO r FROM spotcheck.verify_plan(plan) v WHERE v.ok IS NOT TRUE OR v.detail IS NULL;
    RETURN r;
EXCEPTION WHEN OTHERS THEN
    RETURN 'raised ' || SQLSTATE || ': ' || SQLERRM;
END $$;
-- the failing checks after a statement run with the triggers off, rolled back
-- (the statement and the setting are undone with the block's subtransaction)
CREATE FUNCTION pg_temp.failing_after(plan bigint, stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    BEGIN
        SET LOCAL session_replication_role = replica;
        EXECUTE stmt;
        r := pg_temp.failing(plan);
        RAISE EXCEPTION USING ERRCODE = 'P0004', MESSAGE = r;
    EXCEPTION WHEN assert_failure THEN
        r := SQLERRM;
    END;
    RETURN r;
END $$;
SELECT draw AS pdraw FROM spotcheck.plan WHERE id = :plan \gset
SELECT count(*) AS checks_before FROM spotcheck.verify_plan(:plan) \gset
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM spotcheck.draw WHERE id = :pdraw;
SELECT pg_temp.failing(:plan) AS no_draw, pg_temp.plan_failures(:plan) AS no_draw_detail,
       (SELECT count(*) FROM spotcheck.verify_plan(:plan)) AS checks_no_draw \gset
SELECT is((SELECT array_agg(check_name || ' ' || ok || ' ' || detail ORDER BY check_name) FROM spotcheck.verify_draw(:pdraw)),
          ARRAY[format('commit_audited false the audit log records the commitment %s of a draw for plan:%s that is not stored',
                       (SELECT details->>'commitment' FROM spotcheck.audit_log WHERE action = 'draw.commit' AND object = 'draw:' || :pdraw), :plan),
                format('row false draw %s is recorded in the audit log but its row is missing', :pdraw)],
          'verify_draw of a committed draw whose row is gone: false rows saying so, not "does not exist"');
SET LOCAL SESSION AUTHORIZATION tap_ra_head;
SELECT is((SELECT count(*) FROM spotcheck.verify_draw(:pdraw) WHERE NOT ok), 2::bigint, 'a head of the draw''s agency is told too');
RESET SESSION AUTHORIZATION;
SET LOCAL SESSION AUTHORIZATION tap_ra_zd_head;
SELECT matches(pg_temp.err(format('SELECT * FROM spotcheck.verify_draw(%s)', :pdraw)), '^42501 permission denied: role tap_ra_zd_head may not read draw \d+ of agency WCH',
               'a head of another agency learns nothing more than of a draw that is there: 42501');
RESET SESSION AUTHORIZATION;
ROLLBACK;
SELECT is(:'no_draw'::text, 'draw N', 'the plan''s draw deleted with the triggers off: verify_plan''s draw check is false');
SELECT matches(:'no_draw_detail'::text, format('^draw N = draw %s of the plan is missing$', :pdraw), 'saying the plan''s draw is missing');
SELECT is(:checks_no_draw::bigint, :checks_before::bigint, 'and no check is left out');
SELECT matches(pg_temp.err('SELECT * FROM spotcheck.verify_draw(999999999)'), '^P0002 draw 999999999 does not exist',
               'a draw never committed still does not exist: P0002');
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM spotcheck.draw WHERE id = :d1;
SELECT matches(pg_temp.plan_failures(:plan), format(E'^reassignments = request %s: draw %s is missing$', :r1, :d1),
               'a reassignment''s redraw deleted: the reassignments check says it is missing');
ROLLBACK;

BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE spotcheck.plan SET items = '{}' WHERE id = :plan;
SELECT is(pg_temp.failing(:plan), 'parameters_audited,target_items', 'the plan''s items emptied with the triggers off: found');
SELECT matches(pg_temp.plan_failures(:plan), E'parameters_audited = differs from the audit log \\(items\\): ',
               'parameters_audited names the items');
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM spotcheck.plan_target_item WHERE plan_target = :t1;
SELECT is(pg_temp.failing(:plan), 'target_items', 'a target''s items deleted with the triggers off: found');
SELECT matches(pg_temp.plan_failures(:plan), '^target_items = 1 targets not checked for exactly the items frozen with their unit',
               'target_items counts the target');
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO spotcheck.plan_target_item (plan_target, item_id)
SELECT :t1, id FROM spotcheck.check_items WHERE id NOT IN (SELECT item_id FROM spotcheck.plan_target_item WHERE plan_target = :t1) LIMIT 1;
SELECT is(pg_temp.failing(:plan), 'target_items', 'an item added to a target with the triggers off: found');
ROLLBACK;
SELECT is((SELECT array_agg(x.what || ': ' || pg_temp.failing_after(:plan, x.stmt) ORDER BY x.what) FROM (VALUES
           ('entropy_declaration', format($$UPDATE spotcheck.plan SET entropy_declaration = 'another' WHERE id = %s$$, :plan)),
           ('scope_agencies', format($$UPDATE spotcheck.plan SET scope_agencies = '{}' WHERE id = %s$$, :plan)),
           ('target weight', format($$UPDATE spotcheck.plan_target SET weight = weight + 1 WHERE id = %s$$, :t1)),
           ('strata rule', format($$UPDATE spotcheck.plan_strata SET rule = 'another' WHERE plan = %s$$, :plan)),
           ('strata details', format($$UPDATE spotcheck.plan_strata SET details = '{"x": 1}' WHERE plan = %s$$, :plan)),
           ('exclusion detail', format($$UPDATE spotcheck.plan_exclusions SET detail = 'another' WHERE plan = %s$$, :plan)),
           ('over_cap', format($$UPDATE spotcheck.plan_team_member SET over_cap = NOT over_cap WHERE draw = %s AND id = (SELECT min(id) FROM spotcheck.plan_team_member WHERE draw = %s)$$, :pdraw, :pdraw)),
           ('draw pool source', format($$UPDATE spotcheck.draw SET pool_source = 'values' WHERE id = %s$$, :pdraw))) x(what, stmt)),
          ARRAY['draw pool source: draw N', 'entropy_declaration: parameters_audited', 'exclusion detail: frozen_digest',
                'over_cap: teams_are_drawn', 'scope_agencies: parameters_audited', 'strata details: frozen_digest',
                'strata rule: frozen_digest', 'target weight: targets_are_drawn'],
          'the entropy declaration, scope, a target''s weight, a stratum''s rule or details, an exclusion''s detail, a member''s over_cap or the draw''s source changed with the triggers off: found');
SELECT is((SELECT count(*) FROM spotcheck.verify_plan(:plan) WHERE NOT ok), 0::bigint, 'rolled back, the plan verifies');

-- ---- the replacement can be replaced in turn ----------------------------------------------
SET SESSION AUTHORIZATION tap_ra_head;
SELECT spotcheck.request_reassignment(:n1, 'official_travel', '赴省厅公差') AS r5 \gset
RESET SESSION AUTHORIZATION;
SELECT redraw AS d5 FROM spotcheck.reassignments WHERE id = :r5 \gset
SELECT ok(NOT EXISTS (SELECT FROM spotcheck.draw_pool WHERE draw = :d5 AND key IN (:'new1', :'i2')),
          'a head may request too; the pool leaves out the current team');
SELECT ok(EXISTS (SELECT FROM spotcheck.draw_pool WHERE draw = :d5 AND key = :'i1'),
          'the first inspector, back from leave and no longer on the team, is eligible again');
SET SESSION AUTHORIZATION tap_ra_head;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.approve_reassignment(%s, true, 'ok')$$, :r5)),
    '^42501 permission denied: reassignment request \d+ was filed by role tap_ra_head', 'the head who asked may not approve it');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_ra_head2;
SELECT lives_ok(format($$SELECT spotcheck.approve_reassignment(%s, true, '同意')$$, :r5), 'another head approves');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT pg_temp.ref_selection(spotcheck.draw_transcript(:d5))->'redraw'->>0),
          (SELECT inspector FROM spotcheck.plan_team WHERE target = :t1 AND member = 1), 'recomputed: the second redraw''s replacement');
SELECT is((SELECT count(*) FROM spotcheck.plan_team_member WHERE plan_target = :t1), 4::bigint, 'the target keeps its history: four assignments');
SELECT is((SELECT count(*) FROM spotcheck.verify_plan(:plan) WHERE NOT ok), 0::bigint, 'and the plan verifies');

SELECT * FROM finish();
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['tap_ra_planner', 'tap_ra_head', 'tap_ra_head2', 'tap_ra_both', 'tap_ra_zd_head', 'tap_ra_upper',
                             'tap_ra_upper_qd', 'tap_ra_upper_sd', 'tap_ra_inspector', 'tap_ra_recorder', 'tap_ra_public'] LOOP
        EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r);
    END LOOP;
END $$;
