-- A year planned month by month for a realistic brigade (3,000 units, about
-- a hundred crowded-place key units, 20 inspectors with recusals and leave),
-- each month drawn by the planner and executed in a later transaction.
-- Against the guideline: every crowded-place key unit (and every unit of the
-- yearly-minimum class) is in some plan by December; every monthly sample
-- meets the ordinary share; every team has two inspectors, never a recused
-- or absent one; each plan verifies; every draw and team is recomputed
-- independently from its transcript (SQL with sha256() and numeric
-- arithmetic only); explain_weight matches the frozen weight of every unit
-- of a plan, also after the rules change.
\ir helpers.psql
SELECT * FROM no_plan();
\ir registry_helpers.psql
\ir plan_helpers.psql
SET client_min_messages = warning;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'tap_year_planner') THEN
        DROP OWNED BY tap_year_planner; DROP ROLE tap_year_planner;
    END IF;
END $$;
CREATE ROLE tap_year_planner LOGIN IN ROLE spotcheck_planner;
INSERT INTO spotcheck.agency_members (member, agency) VALUES ('tap_year_planner', 'WCH');

SELECT is(pg_temp.make_units('WCH', 0, 3000), 3000::bigint, 'a brigade of 3,000 units');
SELECT ok((SELECT count(*) FROM spotcheck.units WHERE is_key_unit AND is_crowded_place AND active) BETWEEN 80 AND 160,
          'about a hundred crowded-place key units');
SELECT is(pg_temp.make_inspectors('WCH', 20), 20::bigint, 'twenty inspectors');
SELECT lives_ok($$SELECT pg_temp.make_annual_plan('WCH', 2026)$$, 'the annual plan for 2026');
INSERT INTO spotcheck.annual_plan_minimums (agency, year, label, credit_class)
VALUES ('WCH', 2026, '信用等级D的单位每年至少检查一次', 'D');
-- recusals: 60 pairs; leave and training spread over the year
INSERT INTO spotcheck.inspector_recusals (inspector, unit, reason)
SELECT 'WCH-' || lpad((1 + pg_temp.h(i, 11) % 20)::text, 3, '0'), pg_temp.code(1 + pg_temp.h(i, 12) * 3), '近亲属在该单位任职'
  FROM generate_series(1, 60) i ON CONFLICT DO NOTHING;
INSERT INTO spotcheck.inspector_absences (inspector, starts, ends, reason)
SELECT 'WCH-' || lpad((1 + (m * 7) % 20)::text, 3, '0'), make_date(2026, m, 10), make_date(2026, m, 20), 'leave'
  FROM generate_series(1, 12) m;
-- evidence for the weights: outcomes and signals in the first months
INSERT INTO spotcheck.inspection_outcomes (unit, agency, observed_on, outcome, source, source_ref)
SELECT pg_temp.code(i * 7), 'WCH', make_date(2026, 1 + i % 4, 5), (ARRAY['compliant', 'violation', 'penalised'])[1 + i % 3],
       'provincial_platform', 'SD-' || i
  FROM generate_series(1, 150) i;
INSERT INTO spotcheck.risk_signals (unit, kind, source_system, observed_at, detail)
SELECT pg_temp.code(i * 11), (ARRAY['iot_alarm', 'complaint', 'hazard_report'])[1 + i % 3], '城市消防物联网平台',
       make_date(2026, 1 + i % 5, 3)::timestamp AT TIME ZONE 'Asia/Shanghai', '烟感报警'
  FROM generate_series(1, 200) i;

-- ---- the year, month by month: drawn, then executed in the next transaction ----
SET ROLE tap_year_planner;
\o /dev/null
SELECT format('SELECT spotcheck.plan_month(%L, %L)', 'WCH', to_char(m, 'YYYY-MM-DD')),
       format('SELECT spotcheck.execute_plan((SELECT plan FROM spotcheck.plans WHERE agency = %L AND month = %L AND state = %L), %L)',
              'WCH', to_char(m, 'YYYY-MM-DD'), 'committed', 'witnesses: ' || to_char(m, 'MMDD') || ' 381204 550129')
  FROM generate_series(date '2026-01-01', date '2026-12-01', interval '1 month') m
\gexec
\o
RESET ROLE;
CREATE TEMP TABLE year_plans AS SELECT plan, month, draw FROM spotcheck.plans WHERE agency = 'WCH' AND kind = 'month' ORDER BY month;

SELECT is((SELECT count(*) FROM spotcheck.plans WHERE agency = 'WCH' AND kind = 'month' AND state = 'executed'), 12::bigint,
          'twelve monthly plans, all executed');
SELECT is_empty($$SELECT code FROM spotcheck.units WHERE agency = 'WCH' AND active AND is_key_unit AND is_crowded_place
                  EXCEPT SELECT t.unit FROM spotcheck.plan_targets t JOIN year_plans y USING (plan)$$,
                'every crowded-place key unit is in some plan by December');
SELECT is_empty($$SELECT code FROM spotcheck.units WHERE agency = 'WCH' AND active AND credit_class = 'D'
                  EXCEPT SELECT t.unit FROM spotcheck.plan_targets t JOIN year_plans y USING (plan)$$,
                'so is every unit of the further yearly minimum (credit class D)');
SELECT is_empty($$SELECT * FROM spotcheck.coverage_due('WCH', 2026)$$, 'coverage_due lists nobody');
SELECT is((SELECT planned || '/' || units || ' ' || must_cover_due FROM spotcheck.coverage('WCH', 2026) WHERE stratum = 'key_crowded'),
          (SELECT count(*) || '/' || count(*) || ' 0' FROM spotcheck.units WHERE agency = 'WCH' AND active AND is_key_unit AND is_crowded_place),
          'coverage: every crowded-place key unit planned, none due');
SELECT is((SELECT sum(units) FROM spotcheck.coverage('WCH', 2026) WHERE stratum <> 'all'),
          (SELECT count(*)::numeric FROM spotcheck.units WHERE agency = 'WCH' AND active), 'coverage counts every active unit once');
SELECT is((SELECT planned FROM spotcheck.coverage('WCH', 2026) WHERE stratum = 'all'),
          (SELECT count(DISTINCT unit) FROM spotcheck.plan_targets t JOIN year_plans y USING (plan)), 'and every planned unit');
SELECT is((SELECT checked FROM spotcheck.coverage('WCH', 2026) WHERE stratum = 'all'),
          (SELECT count(DISTINCT o.unit) FROM spotcheck.inspection_outcomes o JOIN spotcheck.units u ON u.code = o.unit AND u.active),
          'and every unit checked this year');
SELECT ok((SELECT quota FROM spotcheck.plan_strata s JOIN year_plans y USING (plan) WHERE y.month = '2026-12-01' AND s.stratum = 'must_cover')
          = (SELECT eligible FROM spotcheck.plan_strata s JOIN year_plans y USING (plan) WHERE y.month = '2026-12-01' AND s.stratum = 'must_cover'),
          'in December the must-cover quota is every unit still owing');
SELECT is_empty($$SELECT y.month FROM year_plans y JOIN spotcheck.plan_strata s USING (plan)
                   WHERE s.stratum = 'must_cover' AND s.quota <> ceil(s.eligible / (13 - date_part('month', y.month)))$$,
                'every month''s must-cover quota is ceil(owing / months left)');

-- the ordinary share, counted on the units drawn (一般单位: not key units)
SELECT is_empty($$SELECT t.plan FROM spotcheck.plan_targets t JOIN year_plans y USING (plan) JOIN spotcheck.units u ON u.code = t.unit
                   GROUP BY t.plan HAVING 100 * count(*) FILTER (WHERE NOT u.is_key_unit) < 20 * count(*)$$,
                'every monthly sample is at least 20% ordinary units');
-- teams
SELECT is_empty($$SELECT t.target FROM spotcheck.plan_targets t JOIN year_plans y USING (plan)
                   WHERE cardinality(t.team) < 2 OR cardinality(t.team) <> (SELECT count(DISTINCT x) FROM unnest(t.team) x)$$,
                'every team has two different inspectors');
SELECT is_empty($$SELECT m.* FROM spotcheck.plan_team m JOIN year_plans y USING (plan)
                   JOIN spotcheck.inspector_recusals r ON r.inspector = m.inspector AND r.unit = m.unit$$,
                'never a recused inspector');
SELECT is_empty($$SELECT m.* FROM spotcheck.plan_team m JOIN year_plans y USING (plan)
                   JOIN spotcheck.inspector_absences a ON a.inspector = m.inspector
                    AND a.starts <= (y.month + interval '1 month - 1 day')::date AND a.ends >= y.month$$,
                'never an inspector absent during the month');
SELECT ok((SELECT count(*) FROM spotcheck.plan_recusals r JOIN year_plans y USING (plan)) > 0, '(and there were recusals to respect)');
SELECT is((SELECT count(*) FROM year_plans y, spotcheck.verify_plan(y.plan) v WHERE NOT v.ok), 0::bigint,
          'verify_plan passes every check of every month');

-- ---- an independent recomputation of every draw and team, from its transcript ----
CREATE FUNCTION pg_temp.tag(s text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to(s, 'UTF8') || decode(repeat('00', 32 - octet_length(s)), 'hex')
$$;
CREATE FUNCTION pg_temp.be64(t bytea) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT sum(get_byte(t, i)::numeric * (256::numeric ^ (7 - i))::numeric(40, 0)) FROM generate_series(0, 7) i
$$;
-- the seed and stream seeds, from the secret, the pool, the quotas and the entropy value
CREATE FUNCTION pg_temp.ref_seed(t jsonb) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(pg_temp.tag('spotcheck-v1/seed') || decode(t->>'secret', 'hex')
        || sha256(COALESCE((SELECT string_agg(convert_to(p->>'key' || E'\t' || (p->>'stratum') || E'\t' || (p->>'weight') || E'\n', 'UTF8'), ''
                                              ORDER BY convert_to(p->>'key', 'UTF8'))
                              FROM jsonb_array_elements(t->'pool') p), ''))
        || sha256(COALESCE((SELECT string_agg(convert_to(q->>'stratum' || E'\t' || (q->>'quota') || E'\n', 'UTF8'), ''
                                              ORDER BY convert_to(q->>'stratum', 'UTF8'))
                              FROM jsonb_array_elements(t->'quotas') q), ''))
        || convert_to(t->'entropy'->>'value', 'UTF8'))
$$;
CREATE FUNCTION pg_temp.ref_stream(t jsonb, purpose text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(pg_temp.tag('spotcheck-v1/stream') || pg_temp.ref_seed(t) || convert_to(purpose, 'UTF8'))
$$;
-- the selection: per stratum, the first quota candidates by (r + 1) / w,
-- compared exactly as floor((r + 1) * 2^96 / w), then ticket, then key bytes
CREATE FUNCTION pg_temp.ref_selected(t jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    WITH k AS MATERIALIZED (SELECT pg_temp.ref_stream(t, 'targets') AS k),
    c AS (SELECT p->>'key' AS key, p->>'stratum' AS stratum, (p->>'weight')::numeric AS w,
                 sha256(pg_temp.tag('spotcheck-v1/ticket') || k.k || convert_to(p->>'key', 'UTF8')) AS ticket
            FROM jsonb_array_elements(t->'pool') p, k),
    r AS (SELECT c.*, row_number() OVER (PARTITION BY c.stratum
                          ORDER BY div((pg_temp.be64(c.ticket) + 1) * (2::numeric ^ 96)::numeric(40, 0), c.w), c.ticket, convert_to(c.key, 'UTF8')) AS rank
            FROM c)
    SELECT COALESCE(jsonb_agg(jsonb_build_object('key', r.key, 'stratum', r.stratum, 'rank', r.rank, 'ticket', encode(r.ticket, 'hex'))
                              ORDER BY convert_to(r.stratum, 'UTF8'), r.rank), '[]')
      FROM r JOIN jsonb_array_elements(t->'quotas') q ON q->>'stratum' = r.stratum
     WHERE r.rank <= (q->>'quota')::integer
$$;
-- the teams: targets in key order, cap = ceil(m * targets / inspectors), each
-- target's candidates by T(SEED_teams, target 0x1F inspector); a first pass
-- under the cap, a second over it
CREATE FUNCTION pg_temp.ref_teams(t jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    k bytea := pg_temp.ref_stream(t, 'teams');
    m integer := (t->'teams'->>'team_size')::integer;
    insp text[] := ARRAY(SELECT jsonb_array_elements_text(t->'teams'->'inspectors'));
    targets text[] := ARRAY(SELECT e->>'key' FROM jsonb_array_elements(t->'selected') e ORDER BY convert_to(e->>'key', 'UTF8'));
    cap integer;
    load jsonb := '{}';
    g text;
    c text;
    taken text[];
    over boolean[];
    result jsonb := '[]';
    cand text[];
    excl text[] := ARRAY(SELECT (x->>'inspector') || '|' || (x->>'target') FROM jsonb_array_elements(t->'teams'->'exclusions') x);
BEGIN
    IF cardinality(targets) = 0 THEN RETURN '[]'; END IF;
    cap := ceil(m * cardinality(targets)::numeric / cardinality(insp));
    FOREACH g IN ARRAY targets LOOP
        cand := ARRAY(SELECT i FROM unnest(insp) i
                       WHERE NOT (i || '|' || g) = ANY (excl)
                       ORDER BY sha256(pg_temp.tag('spotcheck-v1/ticket') || k || convert_to(g, 'UTF8') || '\x1f'::bytea || convert_to(i, 'UTF8')),
                                convert_to(i, 'UTF8'));
        taken := '{}'; over := '{}';
        FOREACH c IN ARRAY cand LOOP
            EXIT WHEN cardinality(taken) = m;
            IF COALESCE((load->>c)::integer, 0) < cap THEN taken := taken || c; over := over || false; END IF;
        END LOOP;
        FOREACH c IN ARRAY cand LOOP
            EXIT WHEN cardinality(taken) = m;
            IF NOT c = ANY (taken) THEN taken := taken || c; over := over || true; END IF;
        END LOOP;
        FOREACH c IN ARRAY taken LOOP
            load := load || jsonb_build_object(c, COALESCE((load->>c)::integer, 0) + 1);
        END LOOP;
        result := result || jsonb_build_array(jsonb_build_object('target', g, 'members',
                      (SELECT jsonb_agg(jsonb_build_object('inspector', taken[n], 'over_cap', over[n]) ORDER BY n)
                         FROM generate_series(1, cardinality(taken)) n)));
    END LOOP;
    RETURN result;
END
$$;
CREATE TEMP TABLE transcripts AS
SELECT y.plan, y.month, spotcheck.draw_transcript(y.draw) AS t FROM year_plans y;
SELECT is((SELECT count(*) FROM transcripts WHERE encode(sha256(pg_temp.tag('spotcheck-v1/commit') || decode(t->>'secret', 'hex')), 'hex') = t->>'commitment'),
          12::bigint, 'recomputed: each secret hashes to its published commitment');
SELECT is((SELECT count(*) FROM transcripts WHERE encode(pg_temp.ref_seed(t), 'hex') = t->>'seed'), 12::bigint,
          'recomputed: each seed from secret, pool, quotas and entropy value');
SELECT is((SELECT count(*) FROM transcripts WHERE pg_temp.ref_selected(t) = t->'selected'), 12::bigint,
          'recomputed: each month''s selection, ranks and tickets');
SELECT is((SELECT count(*) FROM transcripts WHERE pg_temp.ref_teams(t) = t->'teams'->'teams'), 12::bigint,
          'recomputed: each month''s teams, with the cap and over-cap picks');
SELECT is((SELECT count(*) FROM transcripts x
            WHERE (SELECT jsonb_agg(jsonb_build_object('key', unit, 'stratum', stratum, 'weight', weight) ORDER BY convert_to(unit, 'UTF8'))
                     FROM spotcheck.plan_pool WHERE plan = x.plan) = x.t->'pool'), 12::bigint,
          'each transcript''s pool is the plan''s frozen pool');
SELECT is((SELECT count(*) FROM transcripts x
            WHERE (SELECT jsonb_agg(jsonb_build_object('target', t.unit, 'members', t.team) ORDER BY convert_to(t.unit, 'UTF8'))
                     FROM spotcheck.plan_targets t WHERE t.plan = x.plan)
                = (SELECT jsonb_agg(jsonb_build_object('target', e->>'target',
                                    'members', (SELECT jsonb_agg(mm->>'inspector' ORDER BY n) FROM jsonb_array_elements(e->'members') WITH ORDINALITY AS z(mm, n)))
                                    ORDER BY convert_to(e->>'target', 'UTF8'))
                     FROM jsonb_array_elements(x.t->'teams'->'teams') e)), 12::bigint,
          'plan_targets shows exactly the transcript''s teams');

-- ---- explain_weight: the frozen weight of every unit of a plan ------------------
CREATE TEMP TABLE june AS SELECT plan FROM year_plans WHERE month = '2026-06-01';
SELECT is((SELECT count(*) FROM spotcheck.plan_pool x
            WHERE x.plan = (SELECT plan FROM june)
              AND (SELECT w.multiplier FROM spotcheck.explain_weight(x.unit, '2026-06-01') w WHERE w.factor = 'weight') <> x.weight), 0::bigint,
          'explain_weight gives the frozen weight of every unit of June''s pool');
SELECT is((SELECT count(*) FROM spotcheck.plan_pool x
            WHERE x.plan = (SELECT plan FROM june)
              AND (SELECT exp(sum(ln(w.multiplier)))::numeric(20, 0) FROM spotcheck.explain_weight(x.unit, '2026-06-01') w WHERE w.factor <> 'weight')
                  <> x.weight), 0::bigint,
          'and its four factors multiply to it');
SELECT is((SELECT count(*) FROM spotcheck.plan_pool x JOIN spotcheck.draw_pool d ON d.key = x.unit
            WHERE x.plan = (SELECT plan FROM june) AND d.draw = (SELECT draw FROM year_plans WHERE month = '2026-06-01') AND d.weight <> x.weight),
          0::bigint, 'which is the weight frozen in the draw');
SELECT ok((SELECT count(*) FROM spotcheck.plan_pool x WHERE x.plan = (SELECT plan FROM june) AND x.duty_input <> 'none') > 0
          AND (SELECT count(*) FROM spotcheck.plan_pool x WHERE x.plan = (SELECT plan FROM june) AND x.signals > 0) > 0,
          'June''s weights read outcomes and risk signals');
-- the weight computed now for a month without a plan equals what a plan of it freezes
SELECT is((SELECT jsonb_agg(jsonb_build_array(factor, input, rule, multiplier) ORDER BY factor)
             FROM spotcheck.explain_weight((SELECT unit FROM spotcheck.plan_pool WHERE plan = (SELECT plan FROM june) AND duty_input = 'penalised' ORDER BY unit LIMIT 1), '2026-06-01')),
          (SELECT jsonb_agg(jsonb_build_array(f, i, r, m) ORDER BY f)
             FROM spotcheck.plan_pool x,
                  LATERAL (VALUES ('credit_class', x.credit_input, x.credit_rule, x.credit_factor::bigint), ('risk_level', x.risk_input, x.risk_rule, x.risk_factor),
                                  ('duty', x.duty_input, x.duty_rule, x.duty_factor), ('signals', x.signals::text, x.signal_rule, x.signal_factor),
                                  ('weight', NULL, NULL, x.weight)) v(f, i, r, m)
            WHERE x.plan = (SELECT plan FROM june) AND x.unit = (SELECT unit FROM spotcheck.plan_pool WHERE plan = (SELECT plan FROM june) AND duty_input = 'penalised' ORDER BY unit LIMIT 1)),
          'explain_weight lists each factor''s input, rule and multiplier as frozen');
-- a rule changed afterwards changes no past plan
INSERT INTO spotcheck.weight_rules (agency, factor, match, multiplier, label, valid_from)
VALUES ('WCH', 'credit_class', 'D', 20, '文昌湖：信用D级加权', '2026-01-01');
SELECT is((SELECT count(*) FROM spotcheck.plan_pool x
            WHERE x.plan = (SELECT plan FROM june)
              AND (SELECT w.multiplier FROM spotcheck.explain_weight(x.unit, '2026-06-01') w WHERE w.factor = 'weight') <> x.weight), 0::bigint,
          'after a new rule, explain_weight still gives June''s frozen weights');
SELECT is((SELECT count(*) FROM year_plans y, spotcheck.verify_plan(y.plan) v WHERE NOT v.ok), 0::bigint, 'and every plan still verifies');
SELECT matches((SELECT w.multiplier || ' ' || w.note FROM spotcheck.explain_weight(
                   (SELECT code FROM spotcheck.units WHERE agency = 'WCH' AND credit_class = 'D' AND active ORDER BY code LIMIT 1), '2027-01-01') w
                 WHERE w.factor = 'credit_class'),
               '^20 fire-safety credit class$', 'while a month not yet drawn weighs with the new rule');
SELECT throws_ok($$UPDATE spotcheck.weight_rules SET multiplier = 9 WHERE shipped AND factor = 'credit_class' AND match = 'D'$$, '55000', NULL,
                 'a shipped default rule cannot be changed');

SELECT * FROM finish();
DROP OWNED BY tap_year_planner;
DROP ROLE tap_year_planner;
