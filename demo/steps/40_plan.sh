#!/usr/bin/env bash
# Next month's plan (Articles 13-18), drawn before the 26th (Article 15) with
# one call: the annual plan's parameters are data; plan_month builds the pool
# from the directory — strata, the yearly round of crowded-place key units,
# floating weights from credit, risk, past inspections and risk signals — and
# the inspector pool, and commits one draw for targets and teams.  The
# witnesses' numbers are read out at the plan meeting; the plan is executed in
# a later transaction, published, and read by the portal without inspectors.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
month=$DEMO_PLAN_MONTH-01
year=${DEMO_PLAN_MONTH%%-*}

say "the planner sets the annual plan for $year: parameters are data, a bad value is refused"
P -q -U planner_wch <<SQL
INSERT INTO spotcheck.annual_plans (agency, year, title, min_general_share, team_size, entropy_declaration)
VALUES ('WCH', $year, '文昌湖大队${year}年度“双随机、一公开”消防监督抽查计划', 20, 2,
        'witnesses: three six-digit numbers read out at the plan meeting');
-- crowded-place key units at least once a year (Article 14) need no row; the
-- other strata: a monthly ratio, and a yearly one spread over the months left
INSERT INTO spotcheck.annual_plan_strata (agency, year, stratum, monthly_ratio, yearly_ratio) VALUES
    ('WCH', $year, 'key_crowded', 5, NULL), ('WCH', $year, 'key_other', 5, 80), ('WCH', $year, 'general', 1, 20);
INSERT INTO spotcheck.annual_plan_minimums (agency, year, label, credit_class)
VALUES ('WCH', $year, '信用等级D的单位每年至少检查一次', 'D');
INSERT INTO spotcheck.annual_plan_items (agency, year, item_id)
SELECT 'WCH', $year, id FROM spotcheck.check_items WHERE code IN ('SD-01', 'SD-02', 'ZB-01', 'WCH-01');
SQL
P -U planner_wch -c "UPDATE spotcheck.annual_plans SET min_general_share = 120 WHERE agency = 'WCH' AND year = $year" 2>&1 | sed -n 1,2p || true

say "transaction 1, on the 25th: the planner draws $DEMO_PLAN_MONTH with one call, declaring the public entropy"
plan=$(Q planner_wch "SELECT spotcheck.plan_month('WCH', '$month',
    'witnesses: three six-digit numbers read out at the plan meeting of $DEMO_THIS_MONTH-25 10:00')")
echo "$plan" >"$DEMO_OUT/plan-id"
P -U planner_wch -c "SELECT plan, kind, month, state, deadline, drawn_at, draw_deadline, late, pool_size, draw,
                            (SELECT commitment FROM spotcheck.draws WHERE draw = p.draw) AS commitment
                       FROM spotcheck.plans p WHERE plan = $plan" -x
P -U planner_wch -c "SELECT stratum, eligible, quota, rule FROM spotcheck.plan_strata WHERE plan = $plan
                      ORDER BY array_position(ARRAY['must_cover', 'key_crowded', 'key_other', 'general'], stratum)"
P -U planner_wch -c "SELECT reason, count(*) AS units FROM spotcheck.plan_exclusions WHERE plan = $plan GROUP BY 1 ORDER BY 1"
P -U planner_wch -c "SELECT (SELECT count(*) FROM spotcheck.plan_inspectors WHERE plan = $plan) AS inspectors_in_pool,
                            (SELECT count(*) FROM spotcheck.plan_recusals WHERE plan = $plan) AS recusal_pairs"
echo "   a second plan for the same month is refused:"
P -U planner_wch -c "SELECT spotcheck.plan_month('WCH', '$month')" 2>&1 | sed -n 1,2p || true

demo_clock "$DEMO_THIS_MONTH-25 10:30"
say "transaction 2, at the meeting: the witnesses read out 604217 118530 772946; the plan is executed"
P -U planner_wch -c "SELECT spotcheck.execute_plan($plan, 'witnesses: 604217 118530 772946') AS targets"

say "the plan (Article 15): name, address, deadline (检查时限), items and team of each target"
P -U planner_wch <<SQL
\pset footer off
SELECT stratum, rank, name, address, deadline, array_to_string(items, ',') AS items,
       array_to_string(team_names, '、') AS team
  FROM spotcheck.plan_targets WHERE plan = $plan ORDER BY array_position(ARRAY['must_cover', 'key_crowded', 'key_other', 'general'], stratum), rank LIMIT 12;
SELECT stratum, count(*) AS targets, min(weight) AS min_weight, max(weight) AS max_weight
  FROM spotcheck.plan_targets WHERE plan = $plan GROUP BY 1 ORDER BY 1;
SQL

say "why me, why so often (Article 17): the weight of the heaviest target, factor by factor"
P -U planner_wch -c "SELECT factor, input, rule_agency, rule_label, multiplier, note
                       FROM spotcheck.explain_weight((SELECT unit FROM spotcheck.plan_targets WHERE plan = $plan
                                                      ORDER BY weight DESC, unit LIMIT 1), '$month')"
say "every team has two inspectors, none absent, none recused; the yearly round so far"
P -U planner_wch -c "SELECT count(*) AS targets, min(cardinality(team)) AS smallest_team,
        (SELECT count(*) FROM spotcheck.plan_team t JOIN spotcheck.inspector_recusals r
            ON r.inspector = t.inspector AND r.unit = t.unit WHERE t.plan = $plan) AS recused_on_team,
        (SELECT count(*) FROM spotcheck.plan_team t JOIN spotcheck.inspector_absences a ON a.inspector = t.inspector
          WHERE t.plan = $plan AND a.starts <= '$month'::date + interval '1 month' - interval '1 day' AND a.ends >= '$month') AS absent_on_team
   FROM spotcheck.plan_targets WHERE plan = $plan"
P -U planner_wch -c "SELECT * FROM spotcheck.coverage('WCH', $year)"

say "the planner publishes the plan (Articles 19-20); the portal reads it — no inspector, ever"
P -U planner_wch -c "SELECT spotcheck.publish_plan($plan) AS publication"
P -U portal <<SQL
\pset footer off
SELECT month, agency_name, unit_name, address, stratum, deadline, items, draw
  FROM spotcheck.public_plans WHERE plan = $plan ORDER BY stratum, rank LIMIT 8;
SELECT count(*) AS published_targets FROM spotcheck.public_plans WHERE plan = $plan;
SQL
