#!/usr/bin/env bash
# Next month's plan for the 文昌湖 brigade, drawn by its planner from the
# directories loaded above (Articles 14-18): the active units in three strata
# with weights from credit class and risk, the inspectors available that
# month, the recusals; committed in one transaction with a declared source of
# public entropy, executed in another, listed with name, address and
# deadline, verified in the database and by the standalone verifier.
set -euo pipefail
VERIFY=$(pg_config --bindir)/spotcheck-verify
P() { psql -X -v ON_ERROR_STOP=1 "$@"; }
month=$(P -qAt -c "SELECT to_char(date_trunc('month', CURRENT_DATE + 31), 'YYYY-MM-DD')")

echo "-- a recusal: WCH-001 is related to the first crowded key unit"
P -q -c "INSERT INTO spotcheck.inspector_recusals (inspector, unit, reason)
         SELECT 'WCH-001', code, '近亲属任该单位消防安全管理人' FROM spotcheck.units
          WHERE agency = 'WCH' AND is_key_unit AND is_crowded_place AND active ORDER BY code LIMIT 1"

echo "-- planner_wch freezes next month's inputs ($month) and commits the draw (transaction 1)"
draw=$(P -qAt -U planner_wch <<SQL | tail -1
-- the pool: strata by Article 14, weights by Article 17 (credit class A..D, risk level 1..4)
CREATE TEMP TABLE month_pool AS
SELECT u.code AS key,
       CASE WHEN u.is_key_unit AND u.is_crowded_place THEN 'key_crowded'
            WHEN u.is_key_unit THEN 'key_other' ELSE 'general' END AS stratum,
       ((CASE u.credit_class WHEN 'A' THEN 50 WHEN 'B' THEN 100 WHEN 'C' THEN 200 WHEN 'D' THEN 400 ELSE 100 END)
        * (1 + COALESCE(u.risk_level, 1)))::bigint AS weight
  FROM spotcheck.units u WHERE u.agency = 'WCH' AND u.active;
CREATE TEMP TABLE month_inspectors AS
SELECT code AS key FROM spotcheck.available_inspectors('WCH', '$month', ('$month'::date + interval '1 month - 1 day')::date);
CREATE TEMP TABLE month_recusals AS
SELECT r.inspector, r.unit AS target FROM spotcheck.inspector_recusals r
  JOIN month_inspectors i ON i.key = r.inspector JOIN month_pool p ON p.key = r.unit;
-- quotas: crowded key units at least once a year (a tenth a month), other key
-- units 7%, ordinary units 2% and never none
SELECT spotcheck.commit_draw('month_pool',
         (SELECT jsonb_object_agg(stratum, CASE stratum WHEN 'key_crowded' THEN ceil(n / 10.0)
                                                        WHEN 'key_other' THEN ceil(n * 0.07)
                                                        ELSE greatest(1, ceil(n * 0.02)) END::int)
            FROM (SELECT stratum, count(*) AS n FROM month_pool GROUP BY stratum) s),
         'witnesses: three six-digit numbers read out at the plan meeting',
         'month_inspectors', 2, 'month_recusals', agency => 'WCH');
SQL
)
P -c "SELECT draw, state, pool_size, left(commitment, 16) || '…' AS commitment, entropy_declaration FROM spotcheck.draws WHERE draw = $draw"
P -c "SELECT stratum, quota, (SELECT count(*) FROM spotcheck.draw_pool p WHERE p.draw = q.draw AND p.stratum = q.stratum) AS units
        FROM spotcheck.draw_quota q WHERE draw = $draw ORDER BY stratum"

echo "-- transaction 2: the witnesses' numbers are read out, the draw is executed"
P -U planner_wch -c "SELECT spotcheck.execute_draw($draw, 'witnesses: 604217 118530 772946') AS selected"

echo "-- the plan (Article 15: name, address, deadline); the deadline is the 15th working day of the month"
P -U planner_wch <<SQL
\pset footer off
SELECT s.stratum, s.rank, u.name, u.address,
       CASE WHEN EXISTS (SELECT FROM spotcheck.calendar_years y WHERE y.year = date_part('year', '$month'::date))
            THEN spotcheck.add_working_days('$month'::date - 1, 15)::text
            ELSE 'calendar for ' || date_part('year', '$month'::date) || ' not yet recorded' END AS deadline,
       (SELECT string_agg(i.name || ' (' || t.inspector || ')', '、' ORDER BY t.member)
          FROM spotcheck.draw_team_member t JOIN spotcheck.inspectors i ON i.code = t.inspector
         WHERE t.draw = s.draw AND t.target = s.key) AS team
  FROM spotcheck.draw_selected s JOIN spotcheck.units u ON u.code = s.key
 WHERE s.draw = $draw ORDER BY s.stratum, s.rank;
SQL
echo "-- every team has two inspectors, no recused inspector is on the unit's team, and the load is spread:"
P -U planner_wch -c "SELECT count(DISTINCT target) AS units, min(n) AS smallest_team,
        (SELECT count(*) FROM spotcheck.draw_team_member t JOIN spotcheck.inspector_recusals r
            ON r.inspector = t.inspector AND r.unit = t.target WHERE t.draw = $draw) AS recused_on_team,
        (SELECT string_agg(inspector || ':' || c, ' ' ORDER BY inspector)
           FROM (SELECT inspector, count(*) c FROM spotcheck.draw_team_member WHERE draw = $draw GROUP BY 1) l) AS load
   FROM (SELECT target, count(*) n FROM spotcheck.draw_team_member WHERE draw = $draw GROUP BY target) t"

echo "-- verified in the database, and by anyone with the transcript and spotcheck-verify"
P -qAt -c "SELECT 'verify_draw: ' || string_agg(check_name || CASE WHEN ok THEN ' ok' ELSE ' FAILED' END, ', ')
             FROM spotcheck.verify_draw($draw)"
P -qAt -c "SELECT spotcheck.draw_transcript($draw)" >"$DEMO_OUT/plan-$month.json"
"$VERIFY" "$DEMO_OUT/plan-$month.json" | tail -2
