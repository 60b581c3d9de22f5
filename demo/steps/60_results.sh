#!/usr/bin/env bash
# The inspections (Article 18): on the 8th, teams inspect five targets and one
# of the two inspectors present records each result, with the body-camera
# recordings; a result outside the rules is refused.  On the 10th the planner
# publishes them; the portal reads them.  On the 11th a unit objects to its
# result (Article 21): verified within three working days by the calendar —
# or, when the calendar lacks the year, the objection cannot be dated and the
# demo says so.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
plan=$(cat "$DEMO_OUT/plan-id")
day8=$(plan_day 8)

demo_clock "$day8 17:30"
say "five targets inspected on $day8; an inspector of each team records the result"
results=()
n=0
for spec in "no_problem|检查消防安全责任制落实、疏散通道和消防设施，未发现问题" \
            "problem_corrected|一层安全出口锁闭，当场责令改正，已整改" \
            "no_problem|消防控制室值班、设施维护保养记录齐全，未发现问题" \
            "problem_pending|二层疏散通道堆放杂物，下达责令限期改正通知书" \
            "no_problem|用火用电管理规范，灭火器有效，未发现问题"; do
    n=$((n + 1))
    category=${spec%%|*}; findings=${spec#*|}
    target=$(Q planner_wch "SELECT target FROM spotcheck.plan_targets WHERE plan = $plan AND state = 'in_plan' ORDER BY target OFFSET $((n - 1)) LIMIT 1")
    team=$(Q planner_wch "SELECT string_agg(inspector, ',' ORDER BY member) FROM spotcheck.plan_team WHERE target = $target")
    login=insp_wch_${team%%,*}; login=${login/WCH-/}
    results+=("$(Q "$login" "SELECT spotcheck.record_result($target, '$day8', '$category', '$findings', '实地检查',
                                  inspectors => string_to_array('$team', ','),
                                  recordings => ARRAY['DSJ-${day8//-/}-$(printf %03d $n)', 'DSJ-${day8//-/}-$(printf %03d $n)-2'])")")
done
P -U planner_wch -c "SELECT result, unit_name, inspected_on, category_name, array_to_string(inspectors, ',') AS inspectors,
                            array_to_string(recordings, ',') AS recordings, recorded_by
                       FROM spotcheck.results WHERE plan = $plan ORDER BY result"
say "a result with one inspector, or with no recording, is refused, naming the rule"
one=$(Q planner_wch "SELECT target FROM spotcheck.plan_targets WHERE plan = $plan ORDER BY target OFFSET 5 LIMIT 1")
team=$(Q planner_wch "SELECT string_agg(inspector, ',' ORDER BY member) FROM spotcheck.plan_team WHERE target = $one")
login=insp_wch_${team%%,*}; login=${login/WCH-/}
P -U "$login" -c "SELECT spotcheck.record_result($one, '$day8', 'no_problem', '未发现问题', '实地检查',
                      inspectors => ARRAY['${team%%,*}'], recordings => ARRAY['DSJ-1'])" 2>&1 | sed -n 1,2p || true
P -U "$login" -c "SELECT spotcheck.record_result($one, '$day8', 'no_problem', '未发现问题', '实地检查',
                      inspectors => string_to_array('$team', ','), recordings => '{}')" 2>&1 | sed -n 1,2p || true

demo_clock "$(plan_day 10) 09:30"
say "the planner publishes the results (Article 19); the portal reads them"
P -U planner_wch -c "SELECT spotcheck.publish_results($plan) AS published"
P -U portal -c "SELECT unit_name, inspected_on, agency_name, category, summary, status
                  FROM spotcheck.public_results WHERE plan = $plan ORDER BY result"

demo_clock "$(plan_day 11) 09:00"
disputed=${results[3]}
say "a unit disputes its result (Article 21): the office files the objection on its behalf"
if out=$(P -U planner_wch -qAt -c "SELECT spotcheck.file_objection($disputed, '单位称检查当日二层通道内物品为临时装卸货物，已于当日清理', channel => 'letter')" 2>&1); then
    objection=$out
    P -U planner_wch -c "SELECT id AS objection, result, received_on, due_on FROM spotcheck.objections WHERE id = $objection"
    demo_clock "$(plan_day 12) 16:00"
    say "the head verifies it against the body-camera recordings and upholds it: the result is corrected, the original stays public, marked"
    P -U head_wch -c "SELECT spotcheck.resolve_objection($objection, 'upheld', '调取执法记录仪视频核实，物品为临时装卸货物，当日已清理',
                                                         category => 'problem_corrected', findings => '二层通道临时堆放货物，当场清理完毕',
                                                         summary => '二层通道临时堆放货物，当场清理完毕') AS correction"
    P -U portal -c "SELECT result, unit_name, category, summary, status, corrects, corrected_on, correction_reason
                      FROM spotcheck.public_results WHERE target = (SELECT target FROM spotcheck.public_results WHERE result = $disputed) ORDER BY result"
else
    printf '%s\n' "$out" | sed -n 1,3p
    echo "   The working-day calendar has no holiday arrangement for ${DEMO_PLAN_MONTH%%-*} yet, so an objection received"
    echo "   then cannot be given its due date (three working days, Article 21) and is not filed: the"
    echo "   administrator records the State Council's arrangement for that year (published each November)"
    echo "   in spotcheck.calendar_years and calendar_days, and the objection is filed then. The rest goes on."
fi
