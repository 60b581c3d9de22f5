-- Amendment of a published plan (Article 20) as the brigade and its
-- detachment use it and as every role might try to get around it: an
-- executed plan is amended only once published (publish_plan), and a
-- published one is never abandoned; removing
-- a target (the must-cover accounting follows), changing a deadline,
-- replacing a removed target by a redraw from its stratum with a drawn team
-- (recomputed independently from the transcript), approval by the parent's
-- upper level only, approve-peek-rollback teaching nothing, rejection; a
-- joint plan's replacement with the partner's members, a cross-region plan's
-- changes decided one level higher; every bad input and every direct write
-- refused.  Statements run in autocommit.
\ir helpers.psql
SELECT * FROM no_plan();
\ir registry_helpers.psql
\ir plan_helpers.psql
\ir change_helpers.psql
SET client_min_messages = warning;

DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['tap_am_planner', 'tap_am_both', 'tap_am_head', 'tap_am_upper', 'tap_am_upper2', 'tap_am_upper_qd',
                             'tap_am_upper_sd', 'tap_am_zd_planner', 'tap_am_zb_head', 'tap_am_inspector', 'tap_am_public'] LOOP
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r); END IF;
    END LOOP;
END $$;
CREATE ROLE tap_am_planner LOGIN IN ROLE spotcheck_planner;
CREATE ROLE tap_am_both LOGIN IN ROLE spotcheck_planner, spotcheck_upper;
CREATE ROLE tap_am_head LOGIN IN ROLE spotcheck_head;
CREATE ROLE tap_am_upper LOGIN IN ROLE spotcheck_upper;
CREATE ROLE tap_am_upper2 LOGIN IN ROLE spotcheck_upper;
CREATE ROLE tap_am_upper_qd LOGIN IN ROLE spotcheck_upper;
CREATE ROLE tap_am_upper_sd LOGIN IN ROLE spotcheck_upper;
CREATE ROLE tap_am_zd_planner LOGIN IN ROLE spotcheck_planner;
CREATE ROLE tap_am_zb_head LOGIN IN ROLE spotcheck_head;
CREATE ROLE tap_am_inspector LOGIN IN ROLE spotcheck_inspector;
CREATE ROLE tap_am_public LOGIN IN ROLE spotcheck_public;
INSERT INTO spotcheck.agency_members (member, agency) VALUES
    ('tap_am_planner', 'WCH'), ('tap_am_both', 'WCH'), ('tap_am_both', 'ZB'), ('tap_am_head', 'WCH'), ('tap_am_upper', 'ZB'),
    ('tap_am_upper2', 'ZB'), ('tap_am_upper_qd', 'QD'), ('tap_am_upper_sd', 'SD'), ('tap_am_zd_planner', 'ZD'),
    ('tap_am_zb_head', 'ZB'), ('tap_am_inspector', 'WCH');

SELECT pg_temp.next_month() AS m, date_part('year', pg_temp.next_month())::int AS y,
       (pg_temp.next_month() + interval '1 month')::date AS m2, date_part('year', pg_temp.next_month() + interval '1 month')::int AS y2,
       (pg_temp.next_month() + interval '1 month - 1 day')::date AS month_end,
       greatest((now() AT TIME ZONE 'Asia/Shanghai')::date, pg_temp.next_month()) AS period_from \gset
SELECT is(pg_temp.make_units('WCH', 0, 600) + pg_temp.make_units('ZD', 100000, 200) + pg_temp.make_inspectors('WCH', 10)
          + pg_temp.make_inspectors('ZD', 4) + pg_temp.make_inspectors('ZB', 3) + pg_temp.make_inspectors('ZBSJ', 4), 821::bigint,
          'two brigades'' units and inspectors, the detachment''s and the partner department''s');
SELECT lives_ok(format('SELECT pg_temp.make_annual_plan(a, y) FROM unnest(ARRAY[%L, %L, %L]) a, unnest(ARRAY[%s, %s]) y GROUP BY a, y',
                       'WCH', 'ZD', 'ZB', :y, :y2), 'the annual plans');
SET SESSION AUTHORIZATION tap_am_planner;
SELECT spotcheck.plan_month('WCH', :'m') AS plan \gset
SELECT ok(spotcheck.execute_plan(:plan, 'witnesses: 500 600 700') > 0, 'next month''s plan, drawn and executed');
RESET SESSION AUTHORIZATION;
SELECT target AS tr, unit AS ur FROM spotcheck.plan_targets WHERE plan = :plan AND stratum = 'must_cover' ORDER BY target LIMIT 1 \gset
-- executed is not published: an amendment waits for the publication
CREATE TEMP TABLE before_pub AS SELECT pg_temp.written() AS w;
GRANT SELECT ON before_pub TO PUBLIC;
SET SESSION AUTHORIZATION tap_am_planner;
SELECT is(spotcheck.plan_is_published(:plan), false, '(executed, the plan is not published yet)');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'remove', %L, 'closed', 'x')$$, :plan, :'ur')),
    format('^55000 plan %s is not published\nDETAIL: \nHINT: An amendment changes a published plan \(Article 20\)\. Publish it first with spotcheck\.publish_plan\(%s\), as a planner or head of agency WCH',
           :plan, :plan),
    'an amendment of an executed plan not yet published: 55000, the hint naming publish_plan');
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.written(), (SELECT w FROM before_pub), 'and nothing is written');
SET SESSION AUTHORIZATION tap_am_head;
SELECT ok(spotcheck.publish_plan(:plan) > 0, 'the head of the brigade publishes the plan');
RESET SESSION AUTHORIZATION;
SELECT is(spotcheck.plan_is_published(:plan), true, 'from then on it is published');
-- a published plan is never abandoned, by its planner or by a direct write of the tables' owner
SET SESSION AUTHORIZATION tap_am_planner;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.abandon_plan(%s, 'drawn again')$$, :plan)),
    '^55000 plan \d+ was published at \S+ by tap_am_head and cannot be abandoned\nDETAIL: A published plan changes only by an amendment its upper level approves \(Article 20\)\.\nHINT: Request an amendment for each target that must change: spotcheck\.request_amendment\(\d+, kind, target, reason, detail\)',
    'a published plan is not abandoned: 55000, the hint naming request_amendment');
RESET SESSION AUTHORIZATION;
SELECT matches(pg_temp.err(format($$UPDATE spotcheck.plan SET abandoned_at = now(), abandoned_by = 'dba', abandon_reason = 'x' WHERE id = %s$$, :plan)),
    '^55000 plan \d+ was published at \S+ by tap_am_head and cannot be abandoned', 'nor by a direct write, even the tables'' owner''s');
SELECT is((SELECT state FROM spotcheck.plans WHERE plan = :plan), 'executed', 'the plan stays in force');
SELECT ok((SELECT count(*) FROM spotcheck.plan_targets WHERE plan = :plan AND stratum = 'must_cover') >= 2,
          '(the plan has at least two targets that owe the yearly round)');
SELECT target AS tr2, unit AS ur2 FROM spotcheck.plan_targets WHERE plan = :plan AND stratum = 'must_cover' ORDER BY target OFFSET 1 LIMIT 1 \gset
SELECT target AS td, unit AS ud, deadline AS dl FROM spotcheck.plan_targets WHERE plan = :plan AND stratum = 'general' ORDER BY target LIMIT 1 \gset
SELECT (:'month_end'::date - 5) AS new_dl \gset

-- ---- bad input: SQLSTATE, message, hint; nothing written ------------------------
CREATE TEMP TABLE before AS SELECT pg_temp.written() AS w;
GRANT SELECT ON before TO PUBLIC;
SET SESSION AUTHORIZATION tap_am_planner;
SELECT matches(pg_temp.err($$SELECT spotcheck.request_amendment(987654, 'remove', 'x', 'closed', 'x')$$),
    '^P0002 plan 987654 does not exist\n.*HINT: spotcheck.plans lists the plans you may read', 'an unknown plan: P0002');
SELECT matches(pg_temp.err($$SELECT spotcheck.request_amendment(NULL, 'remove', 'x', 'closed', 'x')$$), '^P0002 plan null does not exist', 'no plan: P0002');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'cancel', %L, 'closed', 'x')$$, :plan, :'ur')),
    '^22023 the kind of amendment ''cancel'' is not one of remove \(移除检查对象\), deadline \(变更检查时限\), replace \(补抽替换\)\n.*HINT: Give one of:',
    'an unknown kind: 22023, listing the three');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, NULL, %L, 'closed', 'x')$$, :plan, :'ur')),
    '^22004 the kind of amendment null is not one of', 'no kind: 22004');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'remove', %L, 'closed', 'x')$$, :plan, pg_temp.code(999999))),
    '^P0002 unit ''\S+'' is not a target of plan \d+\n.*HINT: Name the target by its unit code', 'a unit that is not a target: P0002');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'remove', NULL, 'closed', 'x')$$, :plan)),
    '^22004 unit null is not a target of plan', 'no unit: 22004');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'remove', %L, 'bankrupt', 'x')$$, :plan, :'ur')),
    '^22023 the reason for removing a target ''bankrupt'' is not one of closed_down \(关闭停业\), demolished \(拆除\), moved_out \(迁出辖区\)',
    'a removal reason outside closed down, demolished, moved out: 22023, listing them');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'remove', %L, 'closed', ' ')$$, :plan, :'ur')),
    '^22023 the amendment of target \d+ \(unit \S+\) needs a detail, got '' ''\n.*HINT: Say what happened and on what evidence', 'no detail: 22023');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'remove', %L, 'closed', 'x', %L)$$, :plan, :'ur', :'new_dl')),
    '^22023 a removal takes no new deadline', 'a removal with a deadline: 22023');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'deadline', %L, 'flood', 'x')$$, :plan, :'ud')),
    '^22004 a deadline amendment of target \d+ needs the new deadline', 'a deadline amendment without the deadline: 22004');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'deadline', %L, '', 'x', %L)$$, :plan, :'ud', :'new_dl')),
    '^22023 the deadline amendment of target \d+ \(unit \S+\) needs a reason', 'a deadline amendment without a reason: 22023');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'deadline', %L, %L, 'x', %L)$$, :plan, :'ud',
                                  (SELECT responsible_person || '申请延期' FROM spotcheck.units WHERE code = :'ud'), :'new_dl')),
    '^22023 the reason of the deadline amendment of target \d+ \(unit \S+\) contains the name of a person \(负…\)\nDETAIL: The reason of an approved amendment is published with the plan',
    'a reason naming the unit''s responsible person, published with the plan: 22023 (Article 22)');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'deadline', %L, %L, 'x', %L)$$, :plan, :'ud',
                                  (SELECT name || '出差' FROM spotcheck.inspectors WHERE code = 'WCH-003'), :'new_dl')),
    '^22023 the reason of the deadline amendment of target \d+ \(unit \S+\) contains the name of a person',
    'or an inspector of the plan: 22023');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'deadline', %L, 'flood', 'x', %L)$$, :plan, :'ud', :'dl')),
    '^22023 \S+ is already the deadline of target', 'the same deadline: 22023');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'deadline', %L, 'flood', 'x', %L)$$, :plan, :'ud', (now() AT TIME ZONE 'Asia/Shanghai')::date - 1)),
    '^22008 the new deadline \S+ is before ', 'a deadline in the past: 22008');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'deadline', %L, 'flood', 'x', %L)$$, :plan, :'ud', make_date(:y + 1, 1, 1))),
    '^22008 the new deadline \S+ is after the end of the plan''s year', 'a deadline past the plan''s year: 22008');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'replace', %L, 'keep the quota', 'x')$$, :plan, :'ur')),
    '^55000 target \d+ \(unit \S+\) is still in plan \d+\n.*HINT: A target is replaced once it is removed', 'replacing a target still in the plan: 55000');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_head;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'remove', %L, 'closed', 'x')$$, :plan, :'ur')),
    '^42501 permission denied: role tap_am_head may not request an amendment of plan \d+ for agency WCH', 'the head does not request: 42501');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_upper;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'remove', %L, 'closed', 'x')$$, :plan, :'ur')),
    '^42501 permission denied: role tap_am_upper may not request an amendment', 'nor the upper level: 42501');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_zd_planner;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'remove', %L, 'closed', 'x')$$, :plan, :'ur')),
    '^P0002 plan \d+ does not exist', 'another brigade''s planner does not see the plan: P0002');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_public;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'remove', %L, 'closed', 'x')$$, :plan, :'ur')),
    '^42501 permission denied for function request_amendment', 'the public role may not call it');
RESET SESSION AUTHORIZATION;
-- a plan not yet published, then abandoned
SET SESSION AUTHORIZATION tap_am_planner;
SELECT spotcheck.plan_month('WCH', :'m2') AS plan2 \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.written() <> (SELECT w FROM before), true, '(a second plan committed, not executed)');
CREATE TEMP TABLE before_b AS SELECT pg_temp.written() AS w;
GRANT SELECT ON before_b TO PUBLIC;
SET SESSION AUTHORIZATION tap_am_planner;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'remove', %L, 'closed', 'x')$$, :plan2, :'ur')),
    '^55000 plan \d+ is not published\n.*HINT: An amendment changes a published plan \(Article 20\)', 'a plan not published: 55000');
SELECT lives_ok(format($$SELECT spotcheck.abandon_plan(%s, 'drawn too early')$$, :plan2), '(abandoned)');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'remove', %L, 'closed', 'x')$$, :plan2, :'ur')),
    '^55000 plan \d+ was abandoned at \S+ by tap_am_planner', 'an abandoned plan: 55000');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM spotcheck.plan_amendments), 0::bigint, 'none of that wrote an amendment');

-- ---- removal -------------------------------------------------------------------------
SELECT ok(NOT EXISTS (SELECT FROM spotcheck.coverage_due('WCH', :y) WHERE unit = :'ur'), 'before: the must-cover unit is planned, not due');
SELECT is((SELECT stratum FROM spotcheck.explain_exclusion(:'ur', (:'m'::date + interval '1 month')::date)), 'key_crowded',
          'and the month after would not owe it');
SET SESSION AUTHORIZATION tap_am_planner;
SELECT spotcheck.request_amendment(:plan, '移除', :'ur', '停业', '市场监管部门2027年第5号注销通知') AS ar \gset
RESET SESSION AUTHORIZATION;
SELECT is((SELECT kind || ' ' || reason || ' ' || state || ' ' || requested_by FROM spotcheck.plan_amendments WHERE id = :ar),
          'remove closed_down open tap_am_planner', 'the Chinese kind and reason are stored as their codes; open');
SELECT is((SELECT state FROM spotcheck.plan_targets WHERE target = :tr), 'in_plan', 'until it is approved the target stays in the plan');
SET SESSION AUTHORIZATION tap_am_planner;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'deadline', %L, 'x', 'x', %L)$$, :plan, :'ur', :'new_dl')),
    '^55000 target \d+ \(unit \S+\) already has an open amendment \d+ \(remove\)', 'a second amendment of the same target: 55000');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.decide_amendment(%s, true, 'ok')$$, :ar)),
    '^42501 permission denied: role tap_am_planner may not decide amendment \d+ of plan \d+ for agency WCH: that is for a spotcheck_upper member of its upper level ZB',
    'the planner may not decide: 42501');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_head;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.decide_amendment(%s, true, 'ok')$$, :ar)), '^42501 permission denied: role tap_am_head may not decide',
               'nor the head: 42501');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_upper_qd;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.decide_amendment(%s, true, 'ok')$$, :ar)), '^P0002 amendment \d+ does not exist',
               'another detachment: P0002');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_upper_sd;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.decide_amendment(%s, true, 'ok')$$, :ar)),
    '^42501 permission denied: role tap_am_upper_sd may not decide amendment \d+ of plan \d+ for agency WCH: that is for a spotcheck_upper member of its upper level ZB',
    'the corps, above the detachment, is not the one to decide: 42501');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_upper;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.decide_amendment(%s, NULL, 'ok')$$, :ar)), '^22004 the decision on amendment \d+ must not be null',
               'no decision: 22004');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.decide_amendment(%s, true, NULL)$$, :ar)), '^22004 the decision on amendment \d+ needs a note',
               'no note: 22004');
SELECT matches(pg_temp.err($$SELECT spotcheck.decide_amendment(987654, true, 'ok')$$), '^P0002 amendment 987654 does not exist', 'an unknown amendment: P0002');
SELECT lives_ok(format($$SELECT spotcheck.decide_amendment(%s, true, '支队批复〔2027〕7号')$$, :ar), 'the detachment approves the removal');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.decide_amendment(%s, false, 'no')$$, :ar)),
    '^55000 amendment \d+ was already approved at \S+ by tap_am_upper', 'deciding twice: 55000');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT state || ' ' || removed_by FROM spotcheck.plan_targets WHERE target = :tr), 'removed ' || :ar, 'the target is marked removed by it');
SELECT is((SELECT state || ' ' || decided_by || ' ' || decision_note || ' ' || reason_label FROM spotcheck.amendments WHERE amendment = :ar),
          'approved tap_am_upper 支队批复〔2027〕7号 关闭停业', 'the amendment is part of the plan''s record, with who decided and why');
SELECT is((SELECT targets_in_plan FROM spotcheck.plans WHERE plan = :plan), (SELECT targets - 1::bigint FROM spotcheck.plans WHERE plan = :plan),
          'one target fewer in the plan');
SELECT ok(EXISTS (SELECT FROM spotcheck.coverage_due('WCH', :y) WHERE unit = :'ur'), 'the removed crowded-place key unit is owed again');
SELECT is((SELECT stratum FROM spotcheck.explain_exclusion(:'ur', (:'m'::date + interval '1 month')::date)), 'must_cover',
          'and the next month''s pool would put it in the must-cover stratum');
SET SESSION AUTHORIZATION tap_am_planner;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'remove', %L, 'demolished', 'x')$$, :plan, :'ur')),
    '^55000 target \d+ \(unit \S+\) was already removed from plan \d+ by amendment \d+', 'removing it again: 55000');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_reassignment((SELECT team_member FROM spotcheck.plan_team WHERE target = %s LIMIT 1), 'leave', 'x')$$, :tr)),
    '^55000 target \d+ \(unit \S+\) was removed from plan \d+ by amendment \d+', 'a removed target''s team is not reassigned: 55000');
-- the requester, holding the upper level's role too, may not decide its own request
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_both;
SELECT spotcheck.request_amendment(:plan, 'remove', :'ur2', 'moved out', '已迁出本辖区') AS ar2 \gset
SELECT matches(pg_temp.err(format($$SELECT spotcheck.decide_amendment(%s, true, 'ok')$$, :ar2)),
    '^42501 permission denied: amendment \d+ was requested by role tap_am_both \(login tap_am_both\); role tap_am_both \(login tap_am_both\) may not decide it',
    'whoever requested may not approve, even as a member of the upper level: 42501');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_upper2;
SELECT lives_ok(format($$SELECT spotcheck.decide_amendment(%s, true, '同意')$$, :ar2), 'another member of the upper level approves it');
RESET SESSION AUTHORIZATION;

-- ---- deadline ------------------------------------------------------------------------
SET SESSION AUTHORIZATION tap_am_planner;
SELECT spotcheck.request_amendment(:plan, 'deadline', :'ud', '汛期道路中断', '防汛指挥部通知', :'new_dl') AS ad \gset
RESET SESSION AUTHORIZATION;
SELECT is((SELECT old_deadline || ' ' || new_deadline FROM spotcheck.plan_amendments WHERE id = :ad), :'dl' || ' ' || :'new_dl',
          'the amendment keeps the old and the new deadline');
SET SESSION AUTHORIZATION tap_am_upper;
SELECT lives_ok(format($$SELECT spotcheck.decide_amendment(%s, true, '同意调整时限')$$, :ad), 'approved');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT deadline FROM spotcheck.plan_targets WHERE target = :td), :'new_dl'::date, 'the target''s deadline is the new one');
SET SESSION AUTHORIZATION tap_am_planner;
SELECT spotcheck.request_amendment(:plan, 'deadline', :'ud', '再次调整', '说明', :'month_end') AS ad2 \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_upper;
SELECT lives_ok(format($$SELECT spotcheck.decide_amendment(%s, false, '不同意')$$, :ad2), 'a second change is rejected');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT deadline FROM spotcheck.plan_targets WHERE target = :td), :'new_dl'::date, 'a rejected amendment leaves the plan as it was');
SELECT is((SELECT state || ' ' || decision_note FROM spotcheck.amendments WHERE amendment = :ad2), 'rejected 不同意', 'and is kept as rejected');

-- ---- replacement ------------------------------------------------------------------------
-- since the plan was drawn: one undrawn must-cover unit deactivated, one left
-- out by a decision; both must stay out of the redraw
SELECT unit AS gone FROM spotcheck.plan_pool WHERE plan = :plan AND stratum = 'must_cover' AND unit NOT IN (SELECT unit FROM spotcheck.plan_target)
 ORDER BY unit LIMIT 1 \gset
SELECT unit AS decided FROM spotcheck.plan_pool WHERE plan = :plan AND stratum = 'must_cover' AND unit NOT IN (SELECT unit FROM spotcheck.plan_target)
 ORDER BY unit OFFSET 1 LIMIT 1 \gset
UPDATE spotcheck.units SET active = false WHERE code = :'gone';
INSERT INTO spotcheck.pool_decisions (agency, unit, first_month, last_month, reason) VALUES ('WCH', :'decided', :'m', :'m', '整改期间暂不抽查');
SET SESSION AUTHORIZATION tap_am_planner;
SELECT spotcheck.request_amendment(:plan, 'replace', :'ur', '补足人员密集场所检查数量', '替换已注销单位') AS ax \gset
RESET SESSION AUTHORIZATION;
SELECT redraw AS dx FROM spotcheck.plan_amendments WHERE id = :ax \gset
SELECT is((SELECT purpose || ' ' || state || ' ' || entropy_declaration || ' ' || team_size FROM spotcheck.draws WHERE draw = :dx),
          'targets committed none 2', 'the replacement''s draw is committed with the request: no public entropy, a team of two');
SELECT is((SELECT jsonb_object_agg(stratum, quota) FROM spotcheck.draw_quota WHERE draw = :dx), '{"must_cover": 1}'::jsonb,
          'one unit of the removed target''s stratum');
SELECT set_eq(format('SELECT key, weight FROM spotcheck.draw_pool WHERE draw = %s', :dx),
              format($$SELECT unit, weight FROM spotcheck.plan_pool WHERE plan = %s AND stratum = 'must_cover'
                        AND unit NOT IN (SELECT unit FROM spotcheck.plan_target WHERE plan = %s) AND unit NOT IN (%L, %L)$$,
                     :plan, :plan, :'gone', :'decided'),
              'its pool: the stratum''s undrawn units with the weights frozen in the plan, less those excluded since');
SELECT is((SELECT redraw_left_out FROM spotcheck.plan_amendments WHERE id = :ax),
          jsonb_build_array(jsonb_build_object('unit', :'gone', 'why', 'inactive in the directory'),
                            jsonb_build_object('unit', :'decided', 'why', (SELECT format('decision %s of agency WCH: 整改期间暂不抽查', id)
                                                                            FROM spotcheck.pool_decisions WHERE unit = :'decided'))),
          'what was left out, and why, is recorded');
SELECT set_eq(format('SELECT key FROM spotcheck.draw_inspector WHERE draw = %s', :dx),
              format($$SELECT code FROM spotcheck.available_inspectors('WCH', %L, %L)$$, :'period_from', :'month_end'),
              'its inspectors: the brigade''s available until the deadline');
SET SESSION AUTHORIZATION tap_am_planner;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'replace', %L, 'x', 'x')$$, :plan, :'ur2')),
    '^55000 plan \d+ already has an open replacement \d+ in stratum must_cover', 'a second replacement in the same stratum while one is open: 55000');
SELECT matches(pg_temp.err(format($$SELECT spotcheck.execute_draw(%s, '')$$, :dx)),
    '^42501 draw \d+ is the redraw of amendment \d+: it is executed only when that is approved\n.*HINT: .*spotcheck.decide_amendment\(\d+, approve, note\)',
    'the planner cannot execute it: 42501 naming decide_amendment');
RESET SESSION AUTHORIZATION;

-- approve, peek, roll back
CREATE TEMP TABLE explained AS
SELECT key, (SELECT x.stratum || ' ' || COALESCE(x.reason, '-') FROM spotcheck.explain_exclusion(key, :'m2') x) AS how
  FROM spotcheck.draw_pool WHERE draw = :dx;
GRANT SELECT ON explained TO PUBLIC;
BEGIN;
SET SESSION AUTHORIZATION tap_am_upper;
SELECT is(spotcheck.decide_amendment(:ax, true, '同意补抽')::text, '', 'the detachment approves');
SELECT is((SELECT count(*) FROM spotcheck.plan_targets WHERE plan = :plan AND added_by IS NOT NULL), 0::bigint,
          'in that transaction plan_targets shows no replacement');
SELECT is((SELECT count(*) FROM spotcheck.plan_target WHERE plan = :plan AND added_by IS NOT NULL), 0::bigint, 'nor does the table');
SELECT is((SELECT COALESCE(new_unit, '-') FROM spotcheck.amendments WHERE amendment = :ax), '-', 'nor the amendment');
SELECT is_empty(format('SELECT * FROM spotcheck.draw_selected WHERE draw = %s', :dx), 'nor draw_selected');
SELECT is_empty(format('SELECT * FROM spotcheck.draw_team_member WHERE draw = %s', :dx), 'nor draw_team_member');
SELECT matches(pg_temp.err(format('SELECT spotcheck.draw_transcript(%s)', :dx)), '^25000', 'draw_transcript refuses: 25000');
SELECT matches(pg_temp.err(format('SELECT * FROM spotcheck.verify_plan(%s)', :plan)), '^25000', 'verify_plan refuses: 25000');
SELECT is_empty(format($$SELECT key, how FROM explained
                         EXCEPT SELECT key, (SELECT x.stratum || ' ' || COALESCE(x.reason, '-') FROM spotcheck.explain_exclusion(key, %L) x) FROM explained$$, :'m2'),
                'explain_exclusion explains every candidate as before: none is shown planned');
SELECT is((SELECT planned FROM spotcheck.coverage('WCH', :y) WHERE stratum = 'all'),
          (SELECT count(DISTINCT t.unit) FROM spotcheck.plan_targets t JOIN spotcheck.plans p USING (plan)
            WHERE p.agency = 'WCH' AND p.state = 'executed' AND t.state = 'in_plan'), 'coverage counts no replacement either');
SELECT matches(pg_temp.err(format('SELECT spotcheck.plan_cross_region(%L, %L)', 'ZB', :'m2')), '^25000 plan \d+ \(draw \d+\) was executed in this transaction',
               'a plan drawn in that transaction would see the replacement among the open plans: 25000');
RESET SESSION AUTHORIZATION;
ROLLBACK;
SELECT is((SELECT state FROM spotcheck.plan_amendments WHERE id = :ax), 'open', 'after the rollback the amendment is open');
SELECT is((SELECT state FROM spotcheck.draws WHERE draw = :dx), 'committed', 'its redraw not executed');
SET SESSION AUTHORIZATION tap_am_upper;
SELECT lives_ok(format($$SELECT spotcheck.decide_amendment(%s, true, '同意补抽')$$, :ax), 'approved, and committed');
RESET SESSION AUTHORIZATION;
SELECT new_target AS tx FROM spotcheck.plan_amendments WHERE id = :ax \gset
SELECT unit AS ux FROM spotcheck.plan_target WHERE id = :tx \gset
SELECT is((SELECT stratum || ' ' || deadline || ' ' || added_by || ' ' || state FROM spotcheck.plan_targets WHERE target = :tx),
          'must_cover ' || (SELECT deadline FROM spotcheck.plan_target WHERE id = :tr) || ' ' || :ax || ' in_plan',
          'the replacement is in the plan: same stratum, the removed target''s deadline, added by the amendment');
SELECT is((SELECT weight FROM spotcheck.plan_target WHERE id = :tx), (SELECT weight FROM spotcheck.plan_pool WHERE plan = :plan AND unit = :'ux'),
          'with its frozen weight');
SELECT is((SELECT item_ids FROM spotcheck.plan_targets WHERE target = :tx), (SELECT items FROM spotcheck.plan_pool WHERE plan = :plan AND unit = :'ux'),
          'and its frozen items');
SELECT is((SELECT targets_in_plan FROM spotcheck.plans WHERE plan = :plan), (SELECT targets - 1::bigint FROM spotcheck.plans WHERE plan = :plan),
          'two removed, one replaced');
CREATE TEMP TABLE tx AS SELECT spotcheck.draw_transcript(:dx) AS t;
SELECT is((SELECT pg_temp.ref_selection(t) FROM tx), jsonb_build_object('must_cover', jsonb_build_array(:'ux')),
          'recomputed from the transcript: the redraw selects exactly the replacement, by the frozen weights');
SELECT is((SELECT team FROM spotcheck.plan_targets WHERE target = :tx), (SELECT pg_temp.ref_team_of_one(t, :'ux') FROM tx),
          'recomputed: its team is the first two of the team order, drawn, never chosen');
SELECT is((SELECT count(*) FROM spotcheck.verify_draw(:dx) WHERE NOT ok), 0::bigint, 'verify_draw passes every check');
SELECT is((SELECT count(*) FROM spotcheck.verify_plan(:plan) WHERE NOT ok), 0::bigint, 'verify_plan passes every check');
SELECT is((SELECT detail FROM spotcheck.verify_plan(:plan) WHERE check_name = 'amendments'),
          '5 amendments (4 approved, 1 rejected, 0 open): redraws, records and audit entries agree', 'including the amendments');
SELECT ok(NOT EXISTS (SELECT FROM spotcheck.coverage_due('WCH', :y) WHERE unit = :'ux'), 'the replacement counts as planned');
SELECT is((SELECT string_agg(action, ',' ORDER BY seq) FROM spotcheck.audit_log
            WHERE object IN ('amendment:' || :ax, 'draw:' || :dx) AND origin = 'extension'),
          'draw.commit,amendment.request,amendment.approve,draw.execute', 'every step is in the audit log, in order');
SET SESSION AUTHORIZATION tap_am_planner;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.request_amendment(%s, 'replace', %L, 'x', 'x')$$, :plan, :'ur')),
    '^55000 removed target \d+ \(unit \S+\) was already replaced by target \d+ \(amendment \d+\)', 'replacing it twice: 55000');
-- the replacement's team member can be reassigned like any other
SELECT lives_ok(format($$SELECT spotcheck.request_reassignment((SELECT team_member FROM spotcheck.plan_team WHERE target = %s AND member = 2), 'leave', '休假')$$, :tx),
                'a replacement''s member can be reassigned');
-- a replacement rejected: its redraw is abandoned, the plan unchanged
SELECT spotcheck.request_amendment(:plan, 'replace', :'ur2', '补足', '替换已迁出单位') AS ay \gset
RESET SESSION AUTHORIZATION;
CREATE TEMP TABLE before_y AS SELECT pg_temp.written() AS w;
SET SESSION AUTHORIZATION tap_am_upper;
SELECT lives_ok(format($$SELECT spotcheck.decide_amendment(%s, false, '本月不再补抽')$$, :ay), 'another replacement is rejected');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT state FROM spotcheck.draws WHERE draw = (SELECT redraw FROM spotcheck.plan_amendments WHERE id = :ay)), 'abandoned',
          'its redraw is abandoned');
SELECT is((SELECT count(*) FROM spotcheck.plan_target WHERE plan = :plan), (SELECT targets + 1::bigint FROM spotcheck.plans WHERE plan = :plan),
          'no target added');

-- ---- no change by hand -------------------------------------------------------------------
CREATE TEMP TABLE before4 AS SELECT pg_temp.written() AS w;
GRANT SELECT ON before4 TO PUBLIC;
CREATE TEMP TABLE attacks (n serial, stmt text);
INSERT INTO attacks (stmt) VALUES
    (format('UPDATE spotcheck.plan_amendments SET state = ''rejected'' WHERE id = %s', :ar)),
    (format('UPDATE spotcheck.plan_amendments SET new_deadline = new_deadline + 1 WHERE id = %s', :ad)),
    (format('DELETE FROM spotcheck.plan_amendments WHERE id = %s', :ad2)),
    (format('INSERT INTO spotcheck.plan_amendments (plan, agency, kind, target, unit, stratum, reason, detail, requested_at, requested_by, requested_xid, requested_session) VALUES (%s, ''WCH'', ''remove'', %s, %L, ''general'', ''closed_down'', ''x'', now(), ''x'', pg_current_xact_id(), ''x'')',
            :plan, :td, :'ud')),
    (format('UPDATE spotcheck.plan_target SET removed_by = NULL WHERE id = %s', :tr)),
    (format('UPDATE spotcheck.plan_target SET deadline = %L WHERE id = %s', :'dl', :td)),
    (format('UPDATE spotcheck.plan_target SET added_by = NULL WHERE id = %s', :tx)),
    (format('DELETE FROM spotcheck.plan_target WHERE id = %s', :tx)),
    ('TRUNCATE spotcheck.plan_amendments');
GRANT SELECT ON attacks TO PUBLIC;
SELECT is((SELECT count(*) FROM attacks a, unnest(ARRAY['tap_am_planner', 'tap_am_head', 'tap_am_upper', 'tap_am_inspector', 'tap_am_public']) r
            WHERE pg_temp.err(format('SET LOCAL ROLE %I; %s', r, a.stmt)) !~ '^42501 permission denied for (table|sequence)'),
          0::bigint, 'every write to amendments and targets is refused for every role by privileges: 42501');
SELECT is(ARRAY(SELECT split_part(pg_temp.err(stmt), E'\n', 1) FROM attacks ORDER BY n),
          ARRAY['42501 amendment ' || :ar || ' cannot be changed by hand (UPDATE)', '42501 amendment ' || :ad || ' cannot be changed by hand (UPDATE)',
                '42501 amendment ' || :ad2 || ' cannot be changed by hand (DELETE)', '42501 amendments cannot be changed by hand (INSERT)',
                '42501 target ' || :tr || ' of plan ' || :plan || ' cannot be changed by hand (UPDATE)',
                '42501 target ' || :td || ' of plan ' || :plan || ' cannot be changed by hand (UPDATE)',
                '42501 target ' || :tx || ' of plan ' || :plan || ' cannot be changed by hand (UPDATE)',
                '42501 target ' || :tx || ' of plan ' || :plan || ' cannot be changed by hand (DELETE)',
                '42501 amendments cannot be changed by hand (TRUNCATE)'],
          'and for the tables'' owner by the triggers: 42501');
SELECT matches(pg_temp.err((SELECT stmt FROM attacks WHERE n = 1)),
    'HINT: Amendments are requested by the planning agency with spotcheck.request_amendment\(plan, kind, target, reason, detail\) and approved or rejected by its upper level with spotcheck.decide_amendment',
    '(naming the functions to use)');
SELECT is(pg_temp.written(), (SELECT w FROM before4), 'nothing of that was written');
BEGIN;
ALTER TABLE spotcheck.plan_target DISABLE TRIGGER USER;
UPDATE spotcheck.plan_target SET deadline = :'dl' WHERE id = :td;
UPDATE spotcheck.plan_target SET removed_by = NULL WHERE id = :tr2;
SELECT is((SELECT string_agg(check_name, ',' ORDER BY check_name) FROM spotcheck.verify_plan(:plan) WHERE NOT ok), 'amendments,target_changes_recorded',
          'a deadline and a removal undone with the triggers off: verify_plan finds them');
ROLLBACK;

-- ---- a joint plan: the replacement's partner member drawn like the plan's ----------------
INSERT INTO spotcheck.special_campaigns (agency, code, title, partner, count, team_size, partner_team_size, starts, ends)
VALUES ('WCH', 'AM-JOINT', '消防与市场监管联合检查', 'ZBSJ', 4, 2, 1, :'m', :'month_end');
INSERT INTO spotcheck.special_campaign_items (campaign, item_id)
SELECT c.id, i.id FROM spotcheck.special_campaigns c, spotcheck.check_items i WHERE c.code = 'AM-JOINT' AND i.code = 'ZB-01';
SET SESSION AUTHORIZATION tap_am_planner;
SELECT spotcheck.plan_joint((SELECT id FROM spotcheck.special_campaigns WHERE code = 'AM-JOINT'), :'m') AS jp \gset
SELECT ok(spotcheck.execute_plan(:jp, 'witnesses: 1 2 3') > 0, 'a joint plan, drawn and executed');
SELECT ok(spotcheck.publish_plan(:jp) > 0, 'and published by the planner');
SELECT target AS jt, unit AS ju FROM spotcheck.plan_targets WHERE plan = :jp ORDER BY target LIMIT 1 \gset
SELECT spotcheck.request_amendment(:jp, 'remove', :'ju', 'demolished', '已拆除') AS jr \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_upper;
SELECT lives_ok(format($$SELECT spotcheck.decide_amendment(%s, true, '同意')$$, :jr), 'a target of it removed');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_planner;
SELECT spotcheck.request_amendment(:jp, 'replace', :'ju', '补抽', '替换已拆除单位') AS jx \gset
RESET SESSION AUTHORIZATION;
SELECT ok((SELECT member_redraw IS NOT NULL FROM spotcheck.plan_amendments WHERE id = :jx), 'the replacement comes with a member draw for the partner');
SELECT is((SELECT jsonb_agg(DISTINCT split_part(stratum, '/', 2)) FROM spotcheck.draw_pool
            WHERE draw = (SELECT member_redraw FROM spotcheck.plan_amendments WHERE id = :jx)), '["partner"]'::jsonb,
          'whose pool is the partner''s inspectors for each candidate unit');
SET SESSION AUTHORIZATION tap_am_upper;
SELECT lives_ok(format($$SELECT spotcheck.decide_amendment(%s, true, '同意')$$, :jx), 'approved');
RESET SESSION AUTHORIZATION;
SELECT new_target AS jn FROM spotcheck.plan_amendments WHERE id = :jx \gset
SELECT is(ARRAY(SELECT side || ':' || inspector_agency FROM spotcheck.plan_team WHERE target = :jn ORDER BY member),
          ARRAY['ours:WCH', 'ours:WCH', 'partner:ZBSJ'], 'the replacement''s team: two of ours and one of the partner''s');
SELECT is((SELECT inspector FROM spotcheck.plan_team WHERE target = :jn AND side = 'partner'),
          (SELECT split_part(x, '/', 2) FROM jsonb_array_elements_text(pg_temp.ref_selection(spotcheck.draw_transcript(
               (SELECT member_redraw FROM spotcheck.plan_amendments WHERE id = :jx)))->((SELECT unit FROM spotcheck.plan_target WHERE id = :jn) || '/partner')) x),
          'recomputed: the partner''s member is the member draw''s pick for that unit');
SELECT is((SELECT count(*) FROM spotcheck.verify_plan(:jp) WHERE NOT ok), 0::bigint, 'the joint plan verifies');
-- a partner member is replaced from the partner's inspectors
SET SESSION AUTHORIZATION tap_am_planner;
SELECT spotcheck.request_reassignment((SELECT team_member FROM spotcheck.plan_team WHERE target = :jn AND side = 'partner'), 'official travel', '公差') AS jq \gset
RESET SESSION AUTHORIZATION;
SELECT set_eq(format('SELECT key FROM spotcheck.draw_pool WHERE draw = (SELECT redraw FROM spotcheck.reassignments WHERE id = %s)', :jq),
              format($$SELECT code FROM spotcheck.inspectors WHERE agency = 'ZBSJ' AND code <> (SELECT inspector FROM spotcheck.plan_team WHERE target = %s AND side = 'partner')$$, :jn),
              'a partner member''s redraw pool is the partner''s other inspectors');

-- ---- a cross-region plan: decided one level higher ---------------------------------------
SET SESSION AUTHORIZATION tap_am_upper;
SELECT spotcheck.plan_cross_region('ZB', :'m') AS cp \gset
SELECT ok(spotcheck.execute_plan(:cp, 'witnesses: 4 5 6') > 0, 'the detachment''s cross-region plan, drawn and executed');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_zb_head;
SELECT ok(spotcheck.publish_plan(:cp) > 0, 'and published by the detachment''s head');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_upper;
SELECT target AS ct, unit AS cu FROM spotcheck.plan_targets WHERE plan = :cp ORDER BY target LIMIT 1 \gset
SELECT spotcheck.request_reassignment((SELECT team_member FROM spotcheck.plan_team WHERE target = :ct AND member = 1), 'leave', '休假') AS cq \gset
SELECT ok(NOT EXISTS (SELECT FROM spotcheck.draw_pool d JOIN spotcheck.inspectors i ON i.code = d.key
                       WHERE d.draw = (SELECT redraw FROM spotcheck.reassignments WHERE id = :cq)
                         AND i.agency = (SELECT agency FROM spotcheck.units WHERE code = :'cu')),
          'the redraw of a cross-region team leaves out the unit''s own brigade');
SELECT spotcheck.request_amendment(:cp, 'remove', :'cu', 'closed', '停业') AS ca \gset
SELECT matches(pg_temp.err(format($$SELECT spotcheck.decide_amendment(%s, true, 'ok')$$, :ca)),
    '^42501 permission denied: role tap_am_upper may not decide amendment \d+ of plan \d+ for agency ZB: that is for a spotcheck_upper member of its upper level SD',
    'the detachment requested it; its upper level, the corps, decides it');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_upper2;
SELECT matches(pg_temp.err(format($$SELECT spotcheck.decide_amendment(%s, true, 'ok')$$, :ca)),
    '^42501 permission denied: role tap_am_upper2 may not decide amendment \d+ of plan \d+ for agency ZB: that is for a spotcheck_upper member of its upper level SD',
    'not any other member of the detachment either');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_zb_head;
SELECT lives_ok(format($$SELECT spotcheck.approve_reassignment(%s, true, '同意')$$, :cq), 'the detachment''s head approves its reassignment');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_am_upper_sd;
SELECT lives_ok(format($$SELECT spotcheck.decide_amendment(%s, true, '总队同意')$$, :ca), 'the corps approves the amendment');
SELECT lives_ok(format($$SELECT spotcheck.file_reassignment(%s)$$, :cq), 'and receives the filing of the reassignment');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM spotcheck.verify_plan(:cp) WHERE NOT ok), 0::bigint, 'the cross-region plan verifies');

SELECT * FROM finish();
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['tap_am_planner', 'tap_am_both', 'tap_am_head', 'tap_am_upper', 'tap_am_upper2', 'tap_am_upper_qd',
                             'tap_am_upper_sd', 'tap_am_zd_planner', 'tap_am_zb_head', 'tap_am_inspector', 'tap_am_public'] LOOP
        EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r);
    END LOOP;
END $$;
