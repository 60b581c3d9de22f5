#!/usr/bin/env bash
# Next month's plan for the 文昌湖 brigade (Articles 13-18), with one call:
# the brigade's planner sets the annual plan's parameters in SQL (strata
# ratios, the ordinary-unit share, team size, items, a further yearly
# minimum), records what inspections found and the risk signals other systems
# reported, and draws the month with plan_month — pool, strata, floating
# weights, quotas and inspector pool built in the database.  The draw is
# executed in a later transaction; the targets are listed with name,
# address, deadline, items and team; one unit's weight is explained; the plan
# is verified in the database and its transcript by the standalone verifier.
set -euo pipefail
VERIFY=$(pg_config --bindir)/spotcheck-verify
P() { psql -X -v ON_ERROR_STOP=1 "$@"; }
month=$(P -qAt -c "SELECT to_char(spotcheck.plan_month_start(CURRENT_DATE + 31), 'YYYY-MM-DD')")
year=${month%%-*}

echo "-- planner_wch sets the annual plan for $year: parameters are data, a bad value is refused"
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
-- the items the plan checks: the corps' two items (the brigade's narrowing of
-- the second stands for it in its list)
INSERT INTO spotcheck.annual_plan_items (agency, year, item_id)
SELECT 'WCH', $year, id FROM spotcheck.check_items WHERE code IN ('SD-01', 'SD-02');
SQL
P -U planner_wch -c "UPDATE spotcheck.annual_plans SET min_general_share = 120 WHERE agency = 'WCH' AND year = $year" 2>&1 | sed -n 1,2p || true
P -U planner_wch -c "SELECT stratum, monthly_ratio, yearly_ratio FROM spotcheck.annual_plan_strata WHERE agency = 'WCH' AND year = $year ORDER BY stratum"

echo "-- what inspections found and what other systems reported feed the weights (Article 17)"
P -q -U planner_wch <<'SQL'
INSERT INTO spotcheck.inspection_outcomes (unit, agency, observed_on, outcome, source, source_ref)
SELECT code, 'WCH', CURRENT_DATE - 40 - (n % 200)::integer, (ARRAY['compliant', 'violation', 'penalised'])[1 + (n / 9) % 3],
       'provincial_platform', 'SD-WCH-' || n
  FROM (SELECT code, row_number() OVER (ORDER BY code) AS n FROM spotcheck.units WHERE agency = 'WCH' AND active) u
 WHERE n % 9 = 0;
INSERT INTO spotcheck.risk_signals (unit, kind, source_system, observed_at, detail)
SELECT code, (ARRAY['iot_alarm', 'complaint', 'hazard_report'])[1 + n % 3],
       (ARRAY['城市消防远程监控系统', '12345政务服务热线', '区应急管理局'])[1 + n % 3], now() - (n % 60) * interval '1 day', '自动导入'
  FROM (SELECT code, row_number() OVER (ORDER BY code DESC) AS n FROM spotcheck.units WHERE agency = 'WCH' AND active) u
 WHERE n % 13 = 0;
SQL
P -c "SELECT outcome, count(*) FROM spotcheck.inspection_outcomes GROUP BY 1 ORDER BY 1"

echo "-- a recusal: WCH-001 is related to the first crowded-place key unit"
P -q -c "INSERT INTO spotcheck.inspector_recusals (inspector, unit, reason)
         SELECT 'WCH-001', code, '近亲属任该单位消防安全管理人' FROM spotcheck.units
          WHERE agency = 'WCH' AND is_key_unit AND is_crowded_place AND active ORDER BY code LIMIT 1"

echo "-- transaction 1: planner_wch draws $month with one call"
plan=$(P -qAt -U planner_wch -c "SELECT spotcheck.plan_month('WCH', '$month')")
P -U planner_wch -c "SELECT plan, kind, month, state, deadline, drawn_at, draw_deadline, late, pool_size, left(entropy_declaration, 40) AS entropy
                       FROM spotcheck.plans WHERE plan = $plan"
P -U planner_wch -c "SELECT stratum, eligible, quota, rule FROM spotcheck.plan_strata WHERE plan = $plan
                      ORDER BY array_position(ARRAY['must_cover', 'key_crowded', 'key_other', 'general'], stratum)"
P -U planner_wch -c "SELECT reason, count(*) FROM spotcheck.plan_exclusions WHERE plan = $plan GROUP BY 1 ORDER BY 1"
echo "-- a second plan for the same month is refused:"
P -U planner_wch -c "SELECT spotcheck.plan_month('WCH', '$month')" 2>&1 | sed -n 1,2p || true

echo "-- transaction 2: the witnesses' numbers are read out, the plan is executed"
P -U planner_wch -c "SELECT spotcheck.execute_plan($plan, 'witnesses: 604217 118530 772946') AS targets"

echo "-- the plan (Article 15): name, address, deadline, items and the team of each target"
P -U planner_wch <<SQL
\pset footer off
SELECT stratum, rank, name, address, deadline, array_to_string(items, ',') AS items,
       array_to_string(team_names, '、') || ' (' || array_to_string(team, ',') || ')' AS team
  FROM spotcheck.plan_targets WHERE plan = $plan ORDER BY stratum, rank LIMIT 14;
SELECT stratum, count(*) AS targets FROM spotcheck.plan_targets WHERE plan = $plan GROUP BY 1 ORDER BY 1;
SQL

echo "-- why me, why so often: the weight of the first must-cover target, factor by factor"
P -U planner_wch -c "SELECT factor, input, rule_agency, rule_label, multiplier, note
                       FROM spotcheck.explain_weight((SELECT unit FROM spotcheck.plan_targets WHERE plan = $plan
                                                      ORDER BY stratum = 'must_cover' DESC, weight DESC, rank LIMIT 1), '$month')"

echo "-- every team has two inspectors, never the recused one; the yearly round so far"
P -U planner_wch -c "SELECT count(*) AS targets, min(cardinality(team)) AS smallest_team,
        (SELECT count(*) FROM spotcheck.plan_team t JOIN spotcheck.inspector_recusals r
            ON r.inspector = t.inspector AND r.unit = t.unit WHERE t.plan = $plan) AS recused_on_team
   FROM spotcheck.plan_targets WHERE plan = $plan"
P -U planner_wch -c "SELECT * FROM spotcheck.coverage('WCH', $year)"

echo "-- verified in the database, and by anyone with the transcript and spotcheck-verify"
P -qAt -U planner_wch -c "SELECT 'verify_plan: ' || string_agg(check_name || CASE WHEN ok THEN ' ok' ELSE ' FAILED' END, ', ')
                            FROM spotcheck.verify_plan($plan)"
draw=$(P -qAt -c "SELECT draw FROM spotcheck.plan WHERE id = $plan")
P -qAt -c "SELECT spotcheck.draw_transcript($draw)" >"$DEMO_OUT/plan-$month.json"
"$VERIFY" "$DEMO_OUT/plan-$month.json" | tail -2
