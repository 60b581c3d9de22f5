-- The disclosure as the public sees it: connected as a login granted
-- spotcheck_public (what a portal or a reporting tool uses), it reads every
-- disclosure view and finds there exactly what was published — the item
-- list, the published plans with their approved amendments, the published
-- results with their corrections, every draw of a published plan (an
-- abandoned plan's, an amendment's redraw; a joint plan's draw of inspectors
-- listed, its transcript withheld) — and tries every table, every private
-- function and every way to see an inspector, a name or a phone number: all
-- refused, or empty.  What the catalogs still show it is asserted here and
-- documented in the README.
\ir helpers.psql
SELECT * FROM no_plan();
\ir registry_helpers.psql
\ir plan_helpers.psql
\ir disclosure_helpers.psql
SET client_min_messages = warning;

SELECT lives_ok($$SELECT pg_temp.make_units('WCH', 0, 300), pg_temp.make_inspectors('WCH', 6), pg_temp.make_inspectors('ZBSJ', 4),
                         pg_temp.make_annual_plan('WCH', 2026), pg_temp.make_roles('tap_dp')$$,
                'a brigade, its inspectors, the partner department''s, the annual plan and the roles');
-- an inspector of the brigade who is in no plan's pool (inactive)
INSERT INTO spotcheck.inspectors (code, name, gender, agency, position, certificate_no, certificate_valid_until, active)
VALUES ('WCH-099', '孙浩然', 'M', 'WCH', '监督员', 'CERT-WCH-99', '2030-12-31', false);
SELECT name AS inspector_1 FROM spotcheck.inspectors WHERE code = 'WCH-001' \gset
-- personal data of every unit: names and phone numbers the public must never see
UPDATE spotcheck.units SET responsible_person = '责任人' || lpad(substring(name from '[0-9]+$'), 4, '0'),
                           legal_representative = '法代' || lpad(substring(name from '[0-9]+$'), 4, '0'),
                           manager_name = '管理人' || lpad(substring(name from '[0-9]+$'), 4, '0'),
                           responsible_phone = '139' || lpad(substring(name from '[0-9]+$'), 8, '0'),
                           manager_phone = '0533-28' || lpad(substring(name from '[0-9]+$'), 5, '0')
 WHERE agency = 'WCH';
INSERT INTO spotcheck.special_campaigns (agency, code, title, partner, count, team_size, partner_team_size, starts, ends)
VALUES ('WCH', 'LH-10', '与市场监管部门联合检查', 'ZBSJ', 3, 1, 1, '2026-10-01', '2026-10-31');
INSERT INTO spotcheck.special_campaign_items SELECT c.id, i.id FROM spotcheck.special_campaigns c, spotcheck.check_items i
 WHERE c.code = 'LH-10' AND i.code = 'ZB-01';

-- July: drawn, executed, published, results published (one corrected)
-- August: executed, not published.  September: a first plan abandoned
-- (a reason naming an inspector, a unit's responsible person or giving a
-- phone number is refused: it would be published with the plan drawn in its
-- place), the second published.  October: a joint plan, published.
-- December: committed only.
SET ROLE tap_dp_planner;
CREATE TEMP TABLE p (name text, plan bigint);
INSERT INTO p SELECT 'july', spotcheck.plan_month('WCH', '2026-07-01');
SELECT ok(spotcheck.execute_plan((SELECT plan FROM p WHERE name = 'july'), '101') > 0, 'July');
INSERT INTO p SELECT 'august', spotcheck.plan_month('WCH', '2026-08-01');
SELECT ok(spotcheck.execute_plan((SELECT plan FROM p WHERE name = 'august'), '102') > 0, 'August');
INSERT INTO p SELECT 'september_1', spotcheck.plan_month('WCH', '2026-09-01');
GRANT ALL ON p TO PUBLIC;
RESET ROLE;
-- the responsible person of a unit in the first September plan's pool
SELECT u.responsible_person AS pool_person FROM spotcheck.draw_pool k JOIN spotcheck.units u ON u.code = k.key
 WHERE k.draw = (SELECT draw FROM spotcheck.plan WHERE id = (SELECT plan FROM p WHERE name = 'september_1')) ORDER BY k.key LIMIT 1 \gset
SET ROLE tap_dp_planner;
SELECT matches(pg_temp.err(format('SELECT spotcheck.abandon_plan(%s, %L)', (SELECT plan FROM p WHERE name = 'september_1'),
                                  '抽签员孙浩然操作失误，单位负责人要求改期，联系+8613812345678')),
    '^22023 the reason for abandoning plan [0-9]+ contains a mobile phone number \(\*{14}\)\nDETAIL: The reason a draw is abandoned is published with the draws of the plan .*\nHINT: Say what went wrong without naming anyone or giving contact details',
    'abandoning a plan for a reason that names an inspector and gives a phone number with the country code: 22023, naming the kind found without repeating it, with a hint');
SELECT matches(pg_temp.err(format('SELECT spotcheck.abandon_plan(%s, %L)', (SELECT plan FROM p WHERE name = 'september_1'), '抽签员孙浩然操作失误，改期抽取')),
    '^22023 the reason for abandoning plan [0-9]+ contains the name of a person \(孙…\)', 'an inspector of the brigade, even one in no pool: 22023');
SELECT matches(pg_temp.err(format('SELECT spotcheck.abandon_plan(%s, %L)', (SELECT plan FROM p WHERE name = 'september_1'), '抽签员' || :'inspector_1' || '未到场')),
    '^22023 the reason for abandoning plan [0-9]+ contains the name of a person', 'an inspector of the plan''s pool: 22023');
SELECT matches(pg_temp.err(format('SELECT spotcheck.abandon_plan(%s, %L)', (SELECT plan FROM p WHERE name = 'september_1'), '单位负责人' || :'pool_person' || '要求改期')),
    '^22023 the reason for abandoning plan [0-9]+ contains the name of a person \(责…\)', 'the responsible person of a unit in the plan''s pool: 22023');
SELECT matches(pg_temp.err(format('SELECT spotcheck.abandon_plan(%s, %L)', (SELECT plan FROM p WHERE name = 'september_1'), '单位要求改期，联系（０５３３）５２１２３４５')),
    '^22023 the reason for abandoning plan [0-9]+ contains a landline phone number', 'a landline in full-width digits and parentheses: 22023');
SELECT is((SELECT state FROM spotcheck.plans WHERE plan = (SELECT plan FROM p WHERE name = 'september_1')), 'committed',
          'a refused reason abandons nothing');
SELECT lives_ok(format('SELECT spotcheck.abandon_plan(%s, %L)', (SELECT plan FROM p WHERE name = 'september_1'), '抽签操作失误，单位申请改期，重新抽取'),
                'the first September plan is abandoned before its execution, for a reason fit to publish');
INSERT INTO p SELECT 'september', spotcheck.plan_month('WCH', '2026-09-01');
SELECT ok(spotcheck.execute_plan((SELECT plan FROM p WHERE name = 'september'), '103') > 0, 'September, drawn again');
INSERT INTO p SELECT 'october', spotcheck.plan_joint((SELECT id FROM spotcheck.special_campaigns WHERE code = 'LH-10'), '2026-10-01');
SELECT ok(spotcheck.execute_plan((SELECT plan FROM p WHERE name = 'october'), '104') > 0, 'October''s joint plan');
INSERT INTO p SELECT 'december', spotcheck.plan_month('WCH', '2026-12-01');
SELECT matches(pg_temp.err(format('SELECT spotcheck.abandon_draw(%s, %L)', (SELECT draw FROM spotcheck.plans WHERE plan = (SELECT plan FROM p WHERE name = 'december')),
                                  '抽签员' || :'inspector_1' || '未到场')),
    '^22023 the reason for abandoning draw [0-9]+ contains the name of a person', 'abandoning a draw for a reason naming an inspector: 22023');
SELECT matches(pg_temp.err(format('SELECT spotcheck.abandon_draw(%s, %L)', (SELECT draw FROM spotcheck.plans WHERE plan = (SELECT plan FROM p WHERE name = 'december')),
                                  '见证人邮箱 ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ')),
    '^22023 the reason for abandoning draw [0-9]+ contains an e-mail address', 'or giving a full-width e-mail address: 22023');
RESET ROLE;
CREATE FUNCTION pg_temp.pl(name text) RETURNS bigint LANGUAGE sql AS $$ SELECT plan FROM p WHERE p.name = $1 $$;
GRANT EXECUTE ON FUNCTION pg_temp.pl(text) TO PUBLIC;
CREATE TEMP TABLE t AS
SELECT row_number() OVER (ORDER BY x.id)::integer AS n, x.id, x.unit, pg_temp.team(x.id) AS team
  FROM spotcheck.plan_target x WHERE x.plan = pg_temp.pl('july');
GRANT ALL ON t TO PUBLIC;
-- results: three July targets and one of August; the findings (internal) name the responsible person and the phone
SET ROLE tap_dp_planner;
CREATE TEMP TABLE r AS
SELECT t.n, spotcheck.record_result(t.id, ('2026-07-' || (9 + t.n))::date, 'problem_pending',
                                    format('负责人%s（%s）在场，疏散通道堵塞', u.responsible_person, u.responsible_phone),
                                    '实地检查', t.team, ARRAY['DSJ-' || t.n], summary => '疏散通道堵塞，已责令改正') AS id
  FROM t JOIN spotcheck.units u ON u.code = t.unit WHERE t.n <= 3;
INSERT INTO r SELECT 9, spotcheck.record_result(x.id, '2026-08-12', 'no_problem', '未发现问题', '实地检查', pg_temp.team(x.id), ARRAY['DSJ-9'])
  FROM spotcheck.plan_target x WHERE x.plan = pg_temp.pl('august') ORDER BY x.id LIMIT 1;
GRANT ALL ON r TO PUBLIC;
SELECT ok(spotcheck.publish_plan(pg_temp.pl(n)) > 0, 'published: ' || n) FROM unnest(ARRAY['july', 'september', 'october']) n;
SELECT is(spotcheck.publish_results(pg_temp.pl('july')), 3, 'July''s results are published');
SELECT ok(spotcheck.publish_item_list('WCH') > 0, 'the item list is published');
RESET ROLE;
SET ROLE tap_dp_head;
CREATE TEMP TABLE c AS SELECT spotcheck.correct_result((SELECT id FROM r WHERE n = 2), '复核视频后更正', category => 'problem_corrected') AS id;
GRANT ALL ON c TO PUBLIC;
RESET ROLE;
-- amendments of the published July plan: target 4 removed by the workflow
-- (the planner requests, the detachment approves); target 5's deadline moved,
-- for a reason that carries a name and a phone number — recorded behind the
-- workflow, which refuses such a reason and a deadline in the past, to show
-- that the views mask what was written before the rules or around them; a
-- replacement of target 4 requested, its redraw pending
SET SESSION AUTHORIZATION tap_dp_planner;
SELECT spotcheck.request_amendment(pg_temp.pl('july'), 'remove', (SELECT unit FROM t WHERE n = 4), '停业', '区市场监管局注销通知') AS ar4 \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION tap_dp_upper;
SELECT lives_ok(format('SELECT spotcheck.decide_amendment(%s, true, %L)', :ar4, '同意移出'), 'target 4 is removed by an approved amendment');
RESET SESSION AUTHORIZATION;
CREATE TEMP TABLE am AS
SELECT pg_temp.amend_behind('tap_dp', t.id, 'deadline', format('单位装修，%s（电话%s）申请延期，检查员%s知悉', u.responsible_person,
                                                                 u.responsible_phone, (SELECT name FROM spotcheck.inspectors WHERE code = 'WCH-001')),
                            '2026-08-14') AS id
  FROM t JOIN spotcheck.units u ON u.code = t.unit WHERE t.n = 5;
SET SESSION AUTHORIZATION tap_dp_planner;
SELECT spotcheck.request_amendment(pg_temp.pl('july'), 'replace', (SELECT unit FROM t WHERE n = 4), '补足本月抽查数量', '替换已注销单位',
                                   '2026-12-31') AS ax \gset
RESET SESSION AUTHORIZATION;
CREATE TEMP TABLE rp AS SELECT redraw AS draw FROM spotcheck.plan_amendments WHERE id = :ax;
GRANT ALL ON rp, am TO PUBLIC;
-- rejecting the replacement abandons its redraw with the note, which the public reads
SET SESSION AUTHORIZATION tap_dp_upper;
SELECT matches(pg_temp.err(format('SELECT spotcheck.decide_amendment(%s, false, %L)', :ax, '不予补抽，详询0533-5212345')),
    '^22023 the reason for rejecting amendment [0-9]+ \(its redraw is abandoned with the note\) contains a landline phone number',
    'rejecting a replacement with a note giving a phone number: 22023');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT state FROM spotcheck.plan_amendments WHERE id = :ax), 'open', 'the replacement stays open, its redraw pending');
-- a reason written before the rule, or around it by the tables' owner, is
-- masked on the way out: the names of the inspectors and of the persons of
-- the units the draw concerns, phone numbers and e-mail addresses however written
SET session_replication_role = replica;
UPDATE spotcheck.draw
   SET abandon_reason = format('plan %s abandoned: 抽签员孙浩然、%s操作失误，单位负责人%s要求改期，联系+8613812345678，座机（0533）521-2345，手机１３８ １２３４ ５６７８，邮箱 wang＠example．com',
                               pg_temp.pl('september_1'), :'inspector_1', :'pool_person')
 WHERE id = (SELECT draw FROM spotcheck.plan WHERE id = pg_temp.pl('september_1'));
RESET session_replication_role;
CREATE TEMP TABLE masked AS
SELECT format('plan %s abandoned: 抽签员＊＊＊、＊＊＊操作失误，单位负责人＊＊＊要求改期，联系＊＊＊，座机＊＊＊，手机＊＊＊，邮箱 ＊＊＊', pg_temp.pl('september_1')) AS reason;
GRANT SELECT ON masked TO PUBLIC;
SET ROLE tap_dp_planner;
SELECT matches(spotcheck.draw_public_transcript((SELECT draw FROM spotcheck.plans WHERE plan = pg_temp.pl('september_1')))->'abandoned'->>'reason',
               '要求改期，联系＊＊＊，座机＊＊＊，手机＊＊＊，邮箱 ＊＊＊$',
               'the public transcript a planner exports masks the phone numbers and the e-mail address too');
RESET ROLE;
ANALYZE spotcheck.units, spotcheck.inspectors, spotcheck.inspection_results, spotcheck.objections;
-- what the public should see, worked out from the tables
CREATE TEMP TABLE exp_targets AS
SELECT id FROM spotcheck.plan_target WHERE plan IN (pg_temp.pl('july'), pg_temp.pl('september'), pg_temp.pl('october'));
CREATE TEMP TABLE exp_draws AS
SELECT pg_temp.pl('july') AS plan, p.draw, 'targets' AS role, 'executed' AS state FROM spotcheck.plan p WHERE p.id = pg_temp.pl('july')
UNION ALL SELECT pg_temp.pl('july'), (SELECT draw FROM rp), 'replacement', 'committed'
UNION ALL SELECT pg_temp.pl('september'), p.draw, 'targets', 'executed' FROM spotcheck.plan p WHERE p.id = pg_temp.pl('september')
UNION ALL SELECT pg_temp.pl('september'), p.draw, 'superseded', 'abandoned' FROM spotcheck.plan p WHERE p.id = pg_temp.pl('september_1')
UNION ALL SELECT pg_temp.pl('october'), p.draw, 'targets', 'executed' FROM spotcheck.plan p WHERE p.id = pg_temp.pl('october')
UNION ALL SELECT pg_temp.pl('october'), p.member_draw, 'members', 'executed' FROM spotcheck.plan p WHERE p.id = pg_temp.pl('october');
CREATE TEMP TABLE exp_august AS SELECT draw FROM spotcheck.plan WHERE id = pg_temp.pl('august');
GRANT SELECT ON exp_targets, exp_draws, exp_august TO PUBLIC;

-- ---- every view, read as the public ----------------------------------------------------------
SET ROLE tap_dp_public;
SELECT lives_ok(format('SELECT * FROM spotcheck.%I', v), 'the public reads spotcheck.' || v)
  FROM unnest(ARRAY['public_item_list', 'public_plan_list', 'public_plans', 'public_amendments', 'public_results', 'public_draws',
                    'public_draw_pages']) v;
SELECT set_eq('SELECT plan FROM spotcheck.public_plan_list', 'SELECT pg_temp.pl(n) FROM unnest(ARRAY[''july'', ''september'', ''october'']) n',
              'the published plans, and only they');
SELECT set_eq('SELECT target FROM spotcheck.public_plans',
              'SELECT id FROM exp_targets',
              'public_plans: every target of the published plans, and none of August, of the abandoned plan or of December');
SELECT results_eq($$SELECT status, deadline, amendments ~ '^[0-9-]+ 移出计划：停业或关闭$' FROM spotcheck.public_plans WHERE target = (SELECT id FROM t WHERE n = 4)$$,
    $$VALUES ('removed', '2026-07-31'::date, true)$$, 'a removed target stays listed, marked removed, with the amendment');
SELECT results_eq($$SELECT status, deadline, amendments FROM spotcheck.public_plans WHERE target = (SELECT id FROM t WHERE n = 5)$$,
    $$SELECT 'drawn', '2026-08-14'::date, to_char(current_date, 'YYYY-MM-DD') || ' 调整检查时限：单位装修，＊＊＊（电话＊＊＊）申请延期，检查员＊＊＊知悉（2026-07-31 → 2026-08-14）'$$,
    'a moved deadline shows the new one and the amendment, the names and the phone number in its reason masked');
SELECT results_eq($$SELECT kind, kind_name, reason FROM spotcheck.public_amendments ORDER BY amendment$$,
    $$VALUES ('remove', '移出计划', '停业或关闭'), ('deadline', '调整检查时限', '单位装修，＊＊＊（电话＊＊＊）申请延期，检查员＊＊＊知悉')$$,
    'public_amendments: the approved amendments only (the pending replacement is not one)');
SELECT set_eq('SELECT result FROM spotcheck.public_results',
              'SELECT id FROM r WHERE n <= 3 UNION ALL SELECT id FROM c',
              'public_results: the published results and the correction, not the unpublished August result');
SELECT results_eq($$SELECT category, summary, status FROM spotcheck.public_results WHERE result = (SELECT id FROM r WHERE n = 1)$$,
    $$VALUES ('发现问题待后续处理', '疏散通道堵塞，已责令改正', 'current')$$, 'a result shows its summary, never the findings');
SELECT set_eq('SELECT plan, draw, role, state FROM spotcheck.public_draws',
    'SELECT plan, draw, role, state FROM exp_draws',
    'public_draws: every draw of the published plans, the abandoned plan''s and the pending redraw included');
SELECT is((SELECT abandon_reason FROM spotcheck.public_draws WHERE role = 'superseded'), (SELECT reason FROM masked),
          'the abandonment''s reason, the names of the inspectors and of the unit''s responsible person and every phone number and e-mail address masked');
SELECT is((SELECT transcript->'abandoned'->>'reason' FROM spotcheck.public_draws WHERE role = 'superseded'), (SELECT reason FROM masked),
          'and so in its public transcript');
SELECT is((SELECT d->>'abandon_reason' FROM jsonb_array_elements(spotcheck.disclosure_package(pg_temp.pl('september'))->'draws') d
            WHERE d->>'role' = 'superseded'), (SELECT reason FROM masked), 'and in the disclosure package');
SELECT results_eq($$SELECT transcript IS NULL, withheld FROM spotcheck.public_draws WHERE role = 'members'$$,
    $$VALUES (true, 'its candidates and its result are inspectors, whom the public plan leaves out (Article 20)')$$,
    'the joint plan''s draw of inspectors is listed, its transcript withheld, saying why');
SELECT is((SELECT count(*) FROM spotcheck.public_draws WHERE withheld IS NULL AND (transcript ? 'teams' OR transcript->'abandoned' ? 'by')),
          0::bigint, 'no public transcript has a teams part or the role that abandoned a draw');
SELECT is((SELECT transcript->'withheld' FROM spotcheck.public_draws WHERE role = 'targets' AND plan = pg_temp.pl('july')),
          '["teams"]'::jsonb, 'a transcript says what it withholds');
SELECT is((SELECT count(*) FROM spotcheck.public_draw_pages), 5::bigint, 'a verification page for each transcript that is not withheld');
SELECT is((SELECT count(*) FROM spotcheck.public_item_list WHERE agency = 'WCH'), 3::bigint, 'the published item list');

-- ---- no inspector, no name, no phone number: anywhere ---------------------------------------
CREATE TEMP TABLE seen AS
SELECT string_agg(x, E'\n') AS txt FROM (
    SELECT row_to_json(v)::text AS x FROM spotcheck.public_item_list v
    UNION ALL SELECT row_to_json(v)::text FROM spotcheck.public_plan_list v
    UNION ALL SELECT row_to_json(v)::text FROM spotcheck.public_plans v
    UNION ALL SELECT row_to_json(v)::text FROM spotcheck.public_amendments v
    UNION ALL SELECT row_to_json(v)::text FROM spotcheck.public_results v
    UNION ALL SELECT row_to_json(v)::text FROM spotcheck.public_draws v
    UNION ALL SELECT spotcheck.disclosure_package(plan)::text FROM spotcheck.public_plan_list) z;
CREATE TEMP TABLE pages AS SELECT string_agg(page, E'\n') AS txt FROM spotcheck.public_draw_pages;
RESET ROLE;
CREATE TEMP TABLE secrets AS
SELECT 'inspector code' AS kind, code AS s FROM spotcheck.inspectors
UNION ALL SELECT 'inspector name', name FROM spotcheck.inspectors
UNION ALL SELECT 'certificate', certificate_no FROM spotcheck.inspectors
UNION ALL SELECT 'inspector login', login FROM spotcheck.inspector_logins
UNION ALL SELECT 'responsible person', responsible_person FROM spotcheck.units WHERE agency = 'WCH'
UNION ALL SELECT 'legal representative', legal_representative FROM spotcheck.units WHERE agency = 'WCH'
UNION ALL SELECT 'manager', manager_name FROM spotcheck.units WHERE agency = 'WCH'
UNION ALL SELECT 'phone', responsible_phone FROM spotcheck.units WHERE agency = 'WCH'
UNION ALL SELECT 'phone', manager_phone FROM spotcheck.units WHERE agency = 'WCH'
UNION ALL SELECT 'findings', findings FROM spotcheck.inspection_results WHERE findings <> summary
UNION ALL SELECT 'recording', unnest(recordings) FROM spotcheck.inspection_results;
GRANT SELECT ON secrets TO PUBLIC;
SELECT ok((SELECT length(txt) FROM seen) > 100000, 'everything the views, the packages and the pages show, gathered');
SELECT is_empty($$SELECT kind, s FROM secrets, seen WHERE strpos(seen.txt, s) > 0$$,
    'no inspector (code, name, certificate, login), no responsible person, legal representative or manager, no phone number, no findings, no recording in any view or package');
SELECT is_empty($$SELECT kind, s FROM secrets, pages WHERE strpos(pages.txt, s) > 0$$, 'nor in any verification page');
SELECT is_empty($$SELECT m FROM seen, regexp_matches(seen.txt, '(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])', 'g') m$$,
    'no mobile number at all (the digits inside unit codes are not one)');

-- ---- everything else: refused -------------------------------------------------------------------
CREATE FUNCTION pg_temp.try_read(rel regclass) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SELECT 1 FROM %s LIMIT 1', rel);
    RETURN 'read';
EXCEPTION WHEN insufficient_privilege THEN RETURN 'refused';
          WHEN OTHERS THEN RETURN SQLSTATE;
END $$;
CREATE FUNCTION pg_temp.try_call(f regprocedure) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    args text;
BEGIN
    -- (SELECT NULL) rather than a constant: a strict function of a NULL
    -- constant is folded to NULL by the planner without being called
    SELECT string_agg('(SELECT NULL::' || format_type(a, NULL) || ')', ', ' ORDER BY k) INTO args
      FROM unnest((SELECT proargtypes::oid[] FROM pg_proc WHERE oid = f)) WITH ORDINALITY AS x(a, k);
    EXECUTE format('SELECT %s(%s)', (SELECT p.oid::regproc FROM pg_proc p WHERE p.oid = f), COALESCE(args, ''));
    RETURN 'called';
EXCEPTION WHEN insufficient_privilege THEN RETURN 'refused';
          WHEN OTHERS THEN RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.try_read(regclass), pg_temp.try_call(regprocedure) TO PUBLIC;
CREATE TEMP TABLE allowed_functions AS
SELECT p.oid::regprocedure AS f FROM pg_proc p
 WHERE p.pronamespace = 'spotcheck'::regnamespace
   AND (p.proname ~ '^uscc_(in|out|recv|send|lt|le|eq|ne|ge|gt|cmp|hash|hash_extended)$'
        OR p.proname IN ('published_plan_draws', 'published_draw_transcript', 'published_draw_page', 'disclosure_mask',
                         'personal_data_patterns', 'personal_data_normalize', 'personal_data_id_checked', 'disclosure_package'));
GRANT SELECT ON allowed_functions TO PUBLIC;
SET ROLE tap_dp_public;
SELECT is_empty($$SELECT c.oid::regclass, pg_temp.try_read(c.oid) FROM pg_class c
                   WHERE c.relnamespace = 'spotcheck'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p', 'S', 'f')
                     AND c.relname NOT IN ('public_item_list', 'public_plan_list', 'public_plans', 'public_amendments',
                                           'public_results', 'public_draws', 'public_draw_pages')
                     AND pg_temp.try_read(c.oid) <> 'refused'$$,
    'every other table, view and sequence of the extension: permission denied (units, inspectors, plans, results, objections, audit log, draws...)');
SELECT ok((SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'spotcheck'::regnamespace AND c.relkind IN ('r', 'v')) > 60,
          'and there are many');
SELECT set_eq($$SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'spotcheck'::regnamespace
                  AND has_function_privilege(p.oid, 'EXECUTE')$$,
              'SELECT f FROM allowed_functions',
              'the functions the public may execute: the disclosure''s own (each returns only published data), the masking and the uscc type''s support');
SELECT is_empty($$SELECT p.oid::regprocedure, pg_temp.try_call(p.oid) FROM pg_proc p
                   WHERE p.pronamespace = 'spotcheck'::regnamespace AND p.prokind IN ('f', 'a')
                     AND NOT p.oid IN (SELECT f FROM allowed_functions)
                     AND NOT EXISTS (SELECT FROM unnest(p.proargtypes) a WHERE a IN ('internal'::regtype, 'cstring'::regtype))
                     AND pg_temp.try_call(p.oid) <> 'refused'$$,
    'calling any other function of the extension: permission denied (draw_transcript, draw_public_transcript, verification_page, compliance_report, the rights helpers...)');
SELECT matches(pg_temp.err('SELECT spotcheck.published_draw_transcript((SELECT draw FROM spotcheck.plan WHERE id = 1))'),
    '^42501 permission denied for table plan', 'the public cannot even look a draw up in the plan table');
SELECT matches(pg_temp.err(format('SELECT spotcheck.published_draw_transcript(%s)', (SELECT max(draw) FROM spotcheck.public_draws) + 1)),
    '^P0002 draw [0-9]+ is not a draw of a published plan', 'the transcript of a draw of no published plan: P0002');
SELECT matches(pg_temp.err('SELECT spotcheck.published_draw_transcript((SELECT draw FROM exp_august))'), '^P0002 draw [0-9]+ is not a draw of a published plan',
    'August''s draw (executed, not published): P0002, as for a draw that does not exist');
SELECT is(spotcheck.published_draw_transcript((SELECT draw FROM spotcheck.public_draws WHERE role = 'members')), NULL,
    'the joint plan''s draw of inspectors: no transcript');
SELECT matches(pg_temp.err('SELECT spotcheck.published_draw_page((SELECT draw FROM spotcheck.public_draws WHERE role = ''members''))'),
    '^22023 the transcript of draw [0-9]+ is not public', 'nor a page');
SELECT matches(pg_temp.err('SELECT spotcheck.disclosure_package(pg_temp.pl(''august''))'), '^P0002 plan [0-9]+ is not published', 'the package of an unpublished plan: P0002');
SELECT is_empty($$SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'spotcheck'::regnamespace AND c.relname LIKE 'public\_%'
                     AND (has_table_privilege(c.oid, 'INSERT') OR has_table_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE')
                          OR has_table_privilege(c.oid, 'TRUNCATE'))$$, 'the views are read-only for the public');
SELECT matches(pg_temp.err('INSERT INTO spotcheck.public_results (result) VALUES (1)'), '^(42501|55000) ', 'an INSERT is refused');

-- the public role's own tables, functions and search path change nothing in what the functions return
CREATE TEMP TABLE publications (kind text, plan bigint);
INSERT INTO publications SELECT 'plan', id FROM generate_series(1, 100) id;
CREATE TEMP TABLE plan (id bigint, draw bigint, member_draw bigint);
CREATE FUNCTION pg_temp.draw_revealed(d anyelement) RETURNS boolean LANGUAGE sql AS 'SELECT true';
SET search_path = pg_temp, spotcheck, pg_catalog, public;
SELECT matches(pg_temp.err('SELECT spotcheck.published_draw_transcript((SELECT draw FROM exp_august))'), '^P0002 draw [0-9]+ is not a draw of a published plan',
    'a planted publications table does not publish August''s draw');
SELECT is((SELECT count(*) FROM spotcheck.published_plan_draws()), (SELECT count(*) FROM exp_draws), 'nor add a draw to the published ones');
SELECT is((SELECT count(*) FROM spotcheck.public_plans), (SELECT count(*) FROM exp_targets), 'nor a target to the views');
RESET search_path;
DROP TABLE pg_temp.publications, pg_temp.plan;

-- ---- a condition of the reader's own sees only published rows ---------------------------------
CREATE TEMP TABLE leaked (v text);
CREATE FUNCTION pg_temp.leak(v text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN INSERT INTO leaked VALUES (v); RETURN true; END $$;
SELECT ok((SELECT count(*) FROM spotcheck.public_plans WHERE pg_temp.leak(unit)) > 0, 'a reader filters public_plans with a function that records what it sees');
SELECT ok((SELECT count(*) FROM spotcheck.public_results WHERE pg_temp.leak(summary)) > 0, 'and public_results');
SELECT ok((SELECT count(*) FROM spotcheck.public_draws WHERE pg_temp.leak(seed)) > 0, 'and public_draws');
RESET ROLE;
SELECT is_empty($$SELECT v FROM leaked WHERE v IN (SELECT unit FROM spotcheck.plan_target WHERE plan IN (pg_temp.pl('august'), pg_temp.pl('december'))
                                                   EXCEPT SELECT unit FROM spotcheck.public_plans)
                   OR v IN (SELECT findings FROM spotcheck.inspection_results)
                   OR v IN (SELECT encode(seed, 'hex') FROM spotcheck.draw WHERE id NOT IN (SELECT draw FROM spotcheck.public_draws))$$,
    'the security barrier: the function saw no unpublished target, no findings, no seed of an unpublished draw');

-- ---- what the catalogs show the public --------------------------------------------------------
SET ROLE tap_dp_public;
SELECT is((SELECT count(*) FROM pg_stats WHERE schemaname = 'spotcheck'), 0::bigint,
          'pg_stats: no statistics (most common values, histograms) of any column of the extension''s tables');
SELECT is((SELECT count(*) FROM pg_stats_ext WHERE schemaname = 'spotcheck'), 0::bigint, 'nor extended statistics');
SELECT matches(pg_temp.err('SELECT * FROM pg_statistic'), '^42501 permission denied for table pg_statistic', 'nor the raw statistics');
SELECT ok((SELECT prosrc FROM pg_proc WHERE proname = 'record_result') ~ 'result_write',
          'pg_proc.prosrc: the source of the extension''s functions is readable (it is the shipped code, no data)');
SELECT is_empty($$SELECT p.proname FROM pg_proc p, secrets s WHERE p.pronamespace = 'spotcheck'::regnamespace AND strpos(p.prosrc, s.s) > 0$$,
    'and holds no personal data');
SELECT ok((SELECT definition FROM pg_views WHERE schemaname = 'spotcheck' AND viewname = 'plan_targets') ~ 'inspectors',
          'pg_views.definition: every view''s definition is readable, the private ones'' too (no data in them)');
SELECT ok((SELECT reltuples FROM pg_class WHERE oid = 'spotcheck.units'::regclass) > 0,
          'pg_class: row estimates of the tables are readable (how many units, not which)');
SELECT ok((SELECT n_tup_ins FROM pg_stat_user_tables WHERE relid = 'spotcheck.inspection_results'::regclass) >= 0,
          'pg_stat_user_tables: activity counts are readable (how many rows were written, not what)');
SELECT ok(EXISTS (SELECT FROM pg_roles WHERE rolname = 'tap_dp_i1'),
          'pg_roles: login role names are readable cluster-wide, so name logins by number, not by person');
SELECT is_empty($$SELECT * FROM pg_stat_activity WHERE usename <> current_user AND query IS NOT NULL AND query <> '<insufficient privilege>' AND query <> ''$$,
    'pg_stat_activity: other sessions'' queries are hidden');
SELECT is(('91350100M000100Y43'::spotcheck.uscc)::text, '91350100M000100Y43',
          'the uscc type''s support functions (granted to PUBLIC) work, and reveal nothing');
SELECT matches(pg_temp.err('SELECT spotcheck.uscc_is_valid(''x'')'), '^42501 permission denied for function uscc_is_valid',
    'its other functions are the extension''s roles''');
RESET ROLE;

-- ---- a replacement approved in the reader's own transaction is not revealed ------------------------
SELECT targets || ' ' || amendments AS counts_before FROM spotcheck.public_plan_list WHERE plan = pg_temp.pl('july') \gset
BEGIN;
SET SESSION AUTHORIZATION tap_dp_upper;
SELECT lives_ok(format('SELECT spotcheck.decide_amendment(%s, true, %L)', :ax, '同意补抽'), 'the detachment approves the replacement (not committed)');
SELECT results_eq($$SELECT state, seed, transcript, withheld FROM spotcheck.public_draws WHERE draw = (SELECT draw FROM rp)$$,
    $$VALUES ('committed', NULL::text, NULL::jsonb, 'its execution has not committed yet')$$,
    'its redraw, executed in this very transaction, shows no result, even in the public views');
SELECT is_empty(format('SELECT * FROM spotcheck.public_amendments WHERE amendment = %s', :ax),
    'public_amendments does not show the replacement yet');
SELECT is_empty(format('SELECT * FROM spotcheck.public_plans WHERE plan = %s AND status = %L', pg_temp.pl('july'), 'added'),
    'nor does public_plans: no target added');
SELECT is((SELECT amendments FROM spotcheck.public_plans WHERE target = (SELECT id FROM t WHERE n = 4)),
          to_char(current_date, 'YYYY-MM-DD') || ' 移出计划：停业或关闭', 'and the removed target lists only its removal');
SELECT is((SELECT targets || ' ' || amendments FROM spotcheck.public_plan_list WHERE plan = pg_temp.pl('july')), :'counts_before',
          'public_plan_list counts neither the new target nor the amendment yet');
RESET SESSION AUTHORIZATION;
ROLLBACK;

-- ---- the staff read the same views -------------------------------------------------------------
SET ROLE tap_dp_i2;
SELECT is((SELECT count(*) FROM spotcheck.public_plans), (SELECT count(*) FROM exp_targets), 'an inspector reads the disclosure as the public does');
RESET ROLE;

-- ---- the replacement, approved and committed, is public ---------------------------------------------
SET SESSION AUTHORIZATION tap_dp_upper;
SELECT lives_ok(format('SELECT spotcheck.decide_amendment(%s, true, %L)', :ax, '同意补抽'), 'the detachment approves the replacement');
RESET SESSION AUTHORIZATION;
SET ROLE tap_dp_public;
SELECT results_eq(format($$SELECT kind, reason, new_target IS NOT NULL, new_unit = (SELECT unit FROM spotcheck.public_plans WHERE status = 'added')
                             FROM spotcheck.public_amendments WHERE amendment = %s$$, :ax),
    $$VALUES ('replace', '补足本月抽查数量', true, true)$$,
    'once committed, public_amendments shows the replacement with its reason, and public_plans the target it added');
SELECT isnt((SELECT targets || ' ' || amendments FROM spotcheck.public_plan_list WHERE plan = pg_temp.pl('july')), :'counts_before',
            'and public_plan_list counts them');
SELECT results_eq($$SELECT state, transcript IS NOT NULL, transcript ? 'teams' FROM spotcheck.public_draws WHERE draw = (SELECT draw FROM rp)$$,
    $$VALUES ('executed', true, false)$$, 'and public_draws its redraw, executed, with a public transcript that names no inspector');
SELECT is((SELECT count(*) FROM spotcheck.public_plans v, secrets x
            WHERE x.kind IN ('inspector code', 'inspector name', 'certificate', 'inspector login')
              AND strpos(row_to_json(v)::text, x.s) > 0), 0::bigint,
          'no inspector in the public plan, its replacement included');
RESET ROLE;

SELECT * FROM finish();
