-- Special campaigns (drawn alone and alongside the month), joint checks with
-- a partner department, and cross-region plans of the upper level: each a
-- committed draw under the same protocol, listed with its kind; the rules of
-- each; their errors.  Statements run in autocommit.
\ir helpers.psql
SELECT * FROM no_plan();
\ir registry_helpers.psql
\ir plan_helpers.psql
SET client_min_messages = warning;

DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['tap_pc_wch', 'tap_pc_zd', 'tap_pc_upper', 'tap_pc_partner'] LOOP
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r); END IF;
    END LOOP;
END $$;
CREATE ROLE tap_pc_wch LOGIN IN ROLE spotcheck_planner;
CREATE ROLE tap_pc_zd LOGIN IN ROLE spotcheck_planner;
CREATE ROLE tap_pc_upper LOGIN IN ROLE spotcheck_upper;
CREATE ROLE tap_pc_partner LOGIN IN ROLE spotcheck_inspector;
INSERT INTO spotcheck.agency_members (member, agency) VALUES
    ('tap_pc_wch', 'WCH'), ('tap_pc_zd', 'ZD'), ('tap_pc_upper', 'ZB'), ('tap_pc_partner', 'ZBSJ');

SELECT is(pg_temp.make_units('WCH', 0, 800) + pg_temp.make_units('ZD', 100000, 700), 1500::bigint, 'two brigades');
SELECT is(pg_temp.make_inspectors('WCH', 8) + pg_temp.make_inspectors('ZD', 6) + pg_temp.make_inspectors('ZB', 4)
          + pg_temp.make_inspectors('ZBSJ', 5), 23::bigint, 'their inspectors, the detachment''s and the partner department''s');
SELECT lives_ok($$SELECT pg_temp.make_annual_plan('WCH', 2026), pg_temp.make_annual_plan('ZD', 2026), pg_temp.make_annual_plan('ZB', 2026)$$,
                'annual plans of both brigades and of the detachment');

CREATE FUNCTION pg_temp.err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hnt text;
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    RETURN st || ' ' || msg || E'\nDETAIL: ' || COALESCE(det, '') || E'\nHINT: ' || COALESCE(hnt, '');
END
$$;
CREATE FUNCTION pg_temp.verified(p bigint) RETURNS text LANGUAGE sql AS $$
    SELECT COALESCE(string_agg(check_name || ': ' || detail, '; '), 'all checks pass') FROM spotcheck.verify_plan(p) WHERE NOT ok
$$;

-- ---- a special campaign: its own scope, ratio and items ------------------------------
SET ROLE tap_pc_zd;
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.special_campaigns (agency, code, title, ratio, count, starts, ends)
                             VALUES ('ZD', 'X', '专项', 5, 5, '2026-06-01', '2026-08-31')$$),
    '^22023 campaign "X" has both a ratio \(5(\.00)?%\) and a count \(5\)', 'a ratio and a count: 22023');
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.special_campaigns (agency, code, title, ratio, starts, ends)
                             VALUES ('ZD', 'X', '专项', 120, '2026-06-01', '2026-08-31')$$),
    '^22003 ratio 120(\.00)?% of campaign "X" is above 100%', 'a ratio above 100%: 22003');
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.special_campaigns (agency, code, title, ratio, team_size, starts, ends)
                             VALUES ('ZD', 'X', '专项', 5, 1, '2026-06-01', '2026-08-31')$$),
    '^22023 team size 1 of campaign "X" is below 2', 'a team of one: 22023');
SELECT matches(pg_temp.err($$INSERT INTO spotcheck.special_campaigns (agency, code, title, partner, ratio, team_size, partner_team_size, starts, ends)
                             VALUES ('ZD', 'X', '联合', 'WCH', 5, 1, 1, '2026-06-01', '2026-08-31')$$),
    '^23514 partner "WCH" of campaign "X" is a brigade, not a department', 'a partner that is not a department: 23514');
SELECT matches(pg_temp.err(format($$INSERT INTO spotcheck.special_campaigns (agency, code, title, units, count, starts, ends)
                                    VALUES ('ZD', 'X', '专项', ARRAY[%L], 1, '2026-06-01', '2026-08-31')$$, pg_temp.code(1))),
    '^23503 campaign "X" lists units that are not in the directory of agency "ZD"', 'a unit of another brigade: 23503');
INSERT INTO spotcheck.special_campaigns (agency, code, title, basis, venue_categories, ratio, starts, ends)
VALUES ('ZD', 'ZX-SUMMER', '夏季宾馆饭店消防安全专项检查', '张店大队2026年专项检查方案', '{宾馆饭店,餐饮场所}', 20, '2026-06-01', '2026-08-31');
INSERT INTO spotcheck.special_campaign_items (campaign, item_id)
SELECT c.id, i.id FROM spotcheck.special_campaigns c, spotcheck.check_items i WHERE c.code = 'ZX-SUMMER' AND i.code = 'ZB-02';
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_special((SELECT id FROM spotcheck.special_campaigns WHERE code = 'ZX-SUMMER'), '2026-09-01')$$),
    '^22023 campaign "ZX-SUMMER" runs from 2026-06-01 to 2026-08-31, not in 2026-09', 'a month outside the campaign: 22023');
CREATE TEMP TABLE summer AS SELECT spotcheck.plan_special((SELECT id FROM spotcheck.special_campaigns WHERE code = 'ZX-SUMMER'), '2026-06-01') AS plan;
GRANT ALL ON summer TO PUBLIC;
SELECT is((SELECT kind || ' ' || state FROM spotcheck.plans WHERE plan = (SELECT plan FROM summer)), 'special committed', 'drawn alone: a special plan');
SELECT set_eq($$SELECT unit FROM spotcheck.plan_pool WHERE plan = (SELECT plan FROM summer)$$,
              $$SELECT code FROM spotcheck.units WHERE agency = 'ZD' AND active AND venue_category IN ('宾馆饭店', '餐饮场所')$$,
              'its pool: the active units of its scope');
SELECT is((SELECT quota FROM spotcheck.plan_strata WHERE plan = (SELECT plan FROM summer)),
          (SELECT ceil(0.2 * count(*))::integer FROM spotcheck.plan_pool WHERE plan = (SELECT plan FROM summer)), 'its quota: 20% of them');
SELECT matches(pg_temp.err($$UPDATE spotcheck.special_campaigns SET ratio = 30 WHERE code = 'ZX-SUMMER'$$),
    '^55000 campaign "ZX-SUMMER" of agency "ZD" was drawn by plan [0-9]+; only its end can change', 'a drawn campaign keeps its scope and ratio');
SELECT lives_ok($$UPDATE spotcheck.special_campaigns SET ends = '2026-07-31' WHERE code = 'ZX-SUMMER'$$, 'its end can move');
SELECT ok(spotcheck.execute_plan((SELECT plan FROM summer), '1 2 3') > 0, 'executed');
SELECT is_empty($$SELECT target FROM spotcheck.plan_targets WHERE plan = (SELECT plan FROM summer) AND (items <> '{ZB-02}' OR cardinality(team) <> 2)$$,
                'its targets are checked for the campaign''s item by teams of two');
SELECT is(pg_temp.verified((SELECT plan FROM summer)), 'all checks pass', 'it verifies');

-- a campaign over a list of units, with a count
INSERT INTO spotcheck.special_campaigns (agency, code, title, units, count, starts, ends)
SELECT 'ZD', 'ZX-LIST', '举报单位核查专项', (SELECT array_agg(code) FROM (SELECT code FROM spotcheck.units WHERE agency = 'ZD' AND active
                                                                          AND code NOT IN (SELECT unit FROM spotcheck.plan_target) ORDER BY code LIMIT 6) x),
       4, '2026-01-01', '2026-12-31';
INSERT INTO spotcheck.special_campaign_items (campaign, item_id)
SELECT c.id, i.id FROM spotcheck.special_campaigns c, spotcheck.check_items i WHERE c.code = 'ZX-LIST' AND i.code = 'ZB-01';
CREATE TEMP TABLE listed AS SELECT spotcheck.plan_special((SELECT id FROM spotcheck.special_campaigns WHERE code = 'ZX-LIST'), '2026-06-01') AS plan;
GRANT ALL ON listed TO PUBLIC;
SELECT set_eq($$SELECT unit FROM spotcheck.plan_pool WHERE plan = (SELECT plan FROM listed)$$,
              $$SELECT unnest(units) FROM spotcheck.special_campaigns WHERE code = 'ZX-LIST'$$, 'a list of units is the whole scope');
SELECT is((SELECT quota FROM spotcheck.plan_strata WHERE plan = (SELECT plan FROM listed)), 4, 'the count is the quota');
UPDATE spotcheck.special_campaigns SET ends = '2026-12-31' WHERE code = 'ZX-SUMMER';
SELECT lives_ok(format('SELECT spotcheck.abandon_plan(%s, %L)', (SELECT plan FROM listed), '范围有误'), 'abandoned');
INSERT INTO spotcheck.special_campaigns (agency, code, title, units, count, starts, ends)
SELECT 'ZD', 'ZX-TOOMANY', '专项', units, 7, starts, ends FROM spotcheck.special_campaigns WHERE code = 'ZX-LIST';
INSERT INTO spotcheck.special_campaign_items (campaign, item_id)
SELECT c.id, i.id FROM spotcheck.special_campaigns c, spotcheck.check_items i WHERE c.code = 'ZX-TOOMANY' AND i.code = 'ZB-01';
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_special((SELECT id FROM spotcheck.special_campaigns WHERE code = 'ZX-TOOMANY'), '2026-06-01')$$),
    '^22023 campaign "ZX-TOOMANY" draws 7, more than the 6 eligible units in its scope', 'a count larger than its scope: 22023');

-- ---- alongside the month: committed together, executed together ------------------------
INSERT INTO spotcheck.special_campaigns (agency, code, title, venue_categories, ratio, starts, ends)
VALUES ('ZD', 'ZX-DEC', '冬季商场市场专项', '{商场市场}', 25, '2026-12-01', '2026-12-31');
INSERT INTO spotcheck.special_campaign_items (campaign, item_id)
SELECT c.id, i.id FROM spotcheck.special_campaigns c, spotcheck.check_items i WHERE c.code = 'ZX-DEC' AND i.code IN ('ZB-01', 'ZB-02');
RESET ROLE;
INSERT INTO spotcheck.special_campaigns (agency, code, title, ratio, starts, ends) VALUES ('WCH', 'WCH-ZX', '文昌湖专项', 5, '2026-01-01', '2026-12-31');
CREATE TEMP TABLE wch_zx AS SELECT id FROM spotcheck.special_campaigns WHERE code = 'WCH-ZX';
GRANT ALL ON wch_zx TO PUBLIC;
SET ROLE tap_pc_zd;
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_month('ZD', '2026-12-01', campaigns => ARRAY[(SELECT id FROM wch_zx)])$$),
    '^P0002 campaign [0-9]+ does not exist', 'another brigade''s campaign does not exist for this planner');
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_special((SELECT id FROM wch_zx), '2026-12-01')$$),
    '^P0002 campaign [0-9]+ does not exist', 'nor can it be drawn on its own (plan_special)');
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_joint((SELECT id FROM wch_zx), '2026-12-01')$$),
    '^P0002 campaign [0-9]+ does not exist', 'nor as a joint check (plan_joint)');
CREATE TEMP TABLE december AS
SELECT spotcheck.plan_month('ZD', '2026-12-01', campaigns => ARRAY[(SELECT id FROM spotcheck.special_campaigns WHERE code = 'ZX-DEC')]) AS plan;
GRANT ALL ON december TO PUBLIC;
CREATE TEMP TABLE dec_special AS SELECT plan FROM spotcheck.plans WHERE alongside = (SELECT plan FROM december);
GRANT ALL ON dec_special TO PUBLIC;
SELECT is((SELECT array_agg(kind || ':' || state ORDER BY plan) FROM spotcheck.plans WHERE plan = (SELECT plan FROM december) OR alongside = (SELECT plan FROM december)),
          ARRAY['month:committed', 'special:committed'], 'the month and its campaign, committed together');
RESET ROLE;
SELECT is((SELECT count(DISTINCT d.committed_xid) FROM spotcheck.plan p JOIN spotcheck.draw d ON d.id = p.draw
            WHERE p.id = (SELECT plan FROM december) OR p.alongside = (SELECT plan FROM december)), 1::bigint, 'in one transaction');
SET ROLE tap_pc_zd;
SELECT is((SELECT count(DISTINCT entropy_declaration) FROM spotcheck.plans WHERE plan = (SELECT plan FROM december) OR alongside = (SELECT plan FROM december)),
          1::bigint, 'declaring the same public entropy');
SELECT ok(spotcheck.execute_plan((SELECT plan FROM december), '111 222 333') > 0, 'executing the month…');
SELECT is((SELECT state FROM spotcheck.plans WHERE plan = (SELECT plan FROM dec_special)), 'executed', '…executes the campaign too');
SELECT is_empty($$SELECT s.target FROM spotcheck.plan_targets s
                   LEFT JOIN spotcheck.plan_targets m ON m.plan = (SELECT plan FROM december) AND m.unit = s.unit
                   WHERE s.plan = (SELECT plan FROM dec_special) AND s.combined_with IS DISTINCT FROM m.target$$,
                'a unit drawn by both is shown combined with the month''s target');
SELECT is(pg_temp.verified((SELECT plan FROM dec_special)), 'all checks pass', 'the campaign verifies');

-- ---- a joint check: one of ours and one of the partner's per team -----------------------
INSERT INTO spotcheck.special_campaigns (agency, code, title, partner, venue_categories, count, team_size, partner_team_size, starts, ends)
VALUES ('ZD', 'LH-MALLS', '商场市场消防与市场监管联合检查', 'ZBSJ', '{商场市场}', 10, 1, 1, '2026-01-01', '2026-12-31'),
       ('ZD', 'LH-HOTELS', '宾馆饭店联合检查', 'ZBSJ', '{宾馆饭店}', 6, 2, 1, '2026-01-01', '2026-12-31');
INSERT INTO spotcheck.special_campaign_items (campaign, item_id)
SELECT c.id, i.id FROM spotcheck.special_campaigns c, spotcheck.check_items i WHERE c.code LIKE 'LH-%' AND i.code IN ('ZB-01', 'ZB-02');
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_special((SELECT id FROM spotcheck.special_campaigns WHERE code = 'LH-MALLS'), '2026-11-01')$$),
    '^22023 campaign "LH-MALLS" is a joint check with "ZBSJ"\n.*HINT: Draw it with spotcheck.plan_joint', 'a joint campaign is drawn with plan_joint');
RESET ROLE;
-- a partner inspector recused from a unit of the scope
INSERT INTO spotcheck.inspector_recusals (inspector, unit, reason)
SELECT 'ZBSJ-001', code, '曾为该单位提供咨询服务' FROM spotcheck.units WHERE agency = 'ZD' AND venue_category = '商场市场' AND active ORDER BY code LIMIT 20;
SET ROLE tap_pc_zd;
CREATE TEMP TABLE malls AS SELECT spotcheck.plan_joint((SELECT id FROM spotcheck.special_campaigns WHERE code = 'LH-MALLS'), '2026-11-01') AS plan;
GRANT ALL ON malls TO PUBLIC;
CREATE TEMP TABLE hotels AS SELECT spotcheck.plan_joint((SELECT id FROM spotcheck.special_campaigns WHERE code = 'LH-HOTELS'), '2026-11-01') AS plan;
GRANT ALL ON hotels TO PUBLIC;
SELECT is((SELECT kind || ' ' || partner || ' ' || (member_draw IS NOT NULL)::text FROM spotcheck.plans WHERE plan = (SELECT plan FROM malls)),
          'joint ZBSJ true', 'a joint plan with the partner, and a second draw for the members');
RESET ROLE;
SELECT is((SELECT count(DISTINCT d.committed_xid) FROM spotcheck.plan p JOIN spotcheck.draw d ON d.id IN (p.draw, p.member_draw)
            WHERE p.id = (SELECT plan FROM malls)), 1::bigint, 'both draws committed together, before anyone knows the targets');
SELECT is((SELECT team_size FROM spotcheck.draw WHERE id = (SELECT draw FROM spotcheck.plan WHERE id = (SELECT plan FROM malls))), NULL::integer,
          'with one of ours per team the targets'' draw forms no teams');
SELECT is((SELECT team_size FROM spotcheck.draw WHERE id = (SELECT draw FROM spotcheck.plan WHERE id = (SELECT plan FROM hotels))), 2,
          'with two of ours it forms them with the team algorithm');
SET ROLE tap_pc_zd;
SELECT ok(spotcheck.execute_plan((SELECT plan FROM malls), '444') = 10 AND spotcheck.execute_plan((SELECT plan FROM hotels), '555') = 6,
          'both joint plans executed');
RESET ROLE;
SELECT is_empty($$SELECT t.target FROM spotcheck.plan_targets t WHERE t.plan = (SELECT plan FROM malls)
                   AND (SELECT array_agg(i.agency ORDER BY m.member) FROM unnest(t.team) WITH ORDINALITY m(code, member)
                          JOIN spotcheck.inspectors i ON i.code = m.code) <> ARRAY['ZD', 'ZBSJ']$$,
                'every malls team: one of ours, then one of the partner''s');
SELECT is_empty($$SELECT t.target FROM spotcheck.plan_targets t WHERE t.plan = (SELECT plan FROM hotels)
                   AND (SELECT array_agg(i.agency ORDER BY m.member) FROM unnest(t.team) WITH ORDINALITY m(code, member)
                          JOIN spotcheck.inspectors i ON i.code = m.code) <> ARRAY['ZD', 'ZD', 'ZBSJ']$$,
                'every hotels team: two of ours, then one of the partner''s');
SELECT is_empty($$SELECT m.* FROM spotcheck.plan_team m JOIN spotcheck.inspector_recusals r ON r.inspector = m.inspector AND r.unit = m.unit
                   WHERE m.plan IN ((SELECT plan FROM malls), (SELECT plan FROM hotels))$$, 'never a recused partner inspector');
SELECT is(pg_temp.verified((SELECT plan FROM malls)), 'all checks pass', 'the malls plan verifies: both draws, the member pool derived');
SELECT is(pg_temp.verified((SELECT plan FROM hotels)), 'all checks pass', 'so does the hotels plan');
SELECT is((SELECT count(*) FROM spotcheck.verify_draw((SELECT member_draw FROM spotcheck.plan WHERE id = (SELECT plan FROM malls))) WHERE NOT ok),
          0::bigint, 'the member draw verifies like any draw');
SET ROLE tap_pc_partner;
SELECT is((SELECT count(*) FROM spotcheck.plan_targets WHERE plan = (SELECT plan FROM malls)), 10::bigint,
          'the partner department reads the joint plan''s targets and teams');
SELECT is((SELECT count(*) FROM spotcheck.plans WHERE agency = 'ZD'), 2::bigint, 'and of the brigade''s plans only the joint ones');
RESET ROLE;
-- too few partner inspectors
INSERT INTO spotcheck.inspector_absences (inspector, starts, ends, reason)
SELECT code, '2026-10-01', '2026-10-31', 'other' FROM spotcheck.inspectors WHERE agency = 'ZBSJ';
SET ROLE tap_pc_zd;
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_joint((SELECT id FROM spotcheck.special_campaigns WHERE code = 'LH-MALLS'), '2026-10-01')$$),
    '^55000 too few inspectors of partner "ZBSJ" for the joint plan of agency "ZD" for 2026-10: a team needs 1, 0 are available',
    'no partner inspector available: 55000');
RESET ROLE;

-- ---- cross-region: the detachment over its brigades -------------------------------------
SET ROLE tap_pc_wch;
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_cross_region('ZB', '2026-11-01')$$),
    '^42501 permission denied: role tap_pc_wch may not draw a cross-region plan for 2026-11 for agency ZB', 'a brigade planner cannot');
CREATE TEMP TABLE wch_nov AS SELECT spotcheck.plan_month('WCH', '2026-11-01') AS plan;
GRANT ALL ON wch_nov TO PUBLIC;
SELECT ok(spotcheck.execute_plan((SELECT plan FROM wch_nov), '9') > 0, 'WCH''s November drawn and executed');
SET ROLE tap_pc_upper;
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_cross_region('ZB', '2026-11-01', ARRAY['WCH', 'SN'])$$),
    '^42501 permission denied: agency "ZB" may not draw a cross-region plan over SN', 'not over another detachment''s brigade');
SELECT matches(pg_temp.err($$SELECT spotcheck.plan_cross_region('WCH', '2026-11-01')$$),
    '^42501 permission denied', 'an upper-level member does not plan for a brigade');
CREATE TEMP TABLE cross_nov AS SELECT spotcheck.plan_cross_region('ZB', '2026-11-01') AS plan;
GRANT ALL ON cross_nov TO PUBLIC;
SELECT is((SELECT kind || ' ' || agency || ' ' || array_to_string(scope_agencies, ',') FROM spotcheck.plans WHERE plan = (SELECT plan FROM cross_nov)),
          'cross_region ZB WCH,ZD', 'the upper level draws over all its brigades');
SELECT set_eq($$SELECT inspector FROM spotcheck.plan_inspectors WHERE plan = (SELECT plan FROM cross_nov)$$,
              $$SELECT code FROM spotcheck.inspectors WHERE agency IN ('ZB', 'WCH', 'ZD')$$, 'with the inspectors of all three');
SELECT set_eq($$SELECT unit FROM spotcheck.plan_exclusions WHERE plan = (SELECT plan FROM cross_nov) AND reason = 'open_plan'$$,
              $$SELECT t.unit FROM spotcheck.plan_target t JOIN spotcheck.plan p ON p.id = t.plan
                 WHERE p.agency IN ('WCH', 'ZD') AND p.abandoned_at IS NULL AND t.deadline >= '2026-11-01'$$,
              'units in the brigades'' open plans (WCH''s November, ZD''s joint checks) are left out');
SELECT ok(spotcheck.execute_plan((SELECT plan FROM cross_nov), '10') > 0, 'executed by the upper level');
RESET ROLE;
SELECT is_empty($$SELECT m.* FROM spotcheck.plan_team m JOIN spotcheck.units u ON u.code = m.unit
                   WHERE m.plan = (SELECT plan FROM cross_nov) AND m.inspector_agency = u.agency$$,
                'no inspector inspects a unit of its own brigade');
SELECT ok((SELECT count(DISTINCT u.agency) FROM spotcheck.plan_targets t JOIN spotcheck.units u ON u.code = t.unit
            WHERE t.plan = (SELECT plan FROM cross_nov)) = 2, 'targets in both brigades');
SELECT is(pg_temp.verified((SELECT plan FROM cross_nov)), 'all checks pass', 'the cross-region plan verifies');
CREATE TEMP TABLE wch_planned AS
SELECT count(DISTINCT t.unit) AS n FROM spotcheck.plan_target t JOIN spotcheck.units u ON u.code = t.unit AND u.agency = 'WCH' AND u.active;
GRANT ALL ON wch_planned TO PUBLIC;
SET ROLE tap_pc_wch;
SELECT is((SELECT count(*) FROM spotcheck.plans WHERE plan = (SELECT plan FROM cross_nov)), 0::bigint, 'a brigade does not list the upper level''s plan');
SELECT is((SELECT planned FROM spotcheck.coverage('WCH', 2026) WHERE stratum = 'all'),
          (SELECT n FROM wch_planned), 'but its coverage counts the units the upper level drew');
CREATE TEMP TABLE wch_dec AS SELECT spotcheck.plan_month('WCH', '2026-12-01') AS plan;
GRANT ALL ON wch_dec TO PUBLIC;
RESET ROLE;
SELECT is_empty($$SELECT unit FROM spotcheck.plan_pool WHERE plan = (SELECT plan FROM wch_dec) AND stratum = 'must_cover'
                  INTERSECT SELECT unit FROM spotcheck.plan_target WHERE plan = (SELECT plan FROM cross_nov)$$,
                'and a unit it drew no longer owes its yearly check');
SELECT is((SELECT array_agg(kind ORDER BY kind) FROM (SELECT DISTINCT kind FROM spotcheck.plans) k),
          ARRAY['cross_region', 'joint', 'month', 'special'], 'every kind appears in the plan list');

SELECT * FROM finish();
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['tap_pc_wch', 'tap_pc_zd', 'tap_pc_upper', 'tap_pc_partner'] LOOP
        EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r);
    END LOOP;
END $$;
