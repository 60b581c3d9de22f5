#!/usr/bin/env bash
# A drawn inspector is sent on official travel (Article 16): the planner
# files a request, which at once commits a redraw over every inspector
# eligible to replace them; the head (not the requester) approves, which
# executes the redraw — the replacement is drawn, never chosen, and shows
# only once the approval has committed; the detachment records the filing.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
plan=$(cat "$DEMO_OUT/plan-id")

demo_clock "$(plan_day 2) 09:00"
member=$(Q planner_wch "SELECT team_member FROM spotcheck.plan_team WHERE plan = $plan AND member = 1
                        ORDER BY (SELECT stratum = 'must_cover' FROM spotcheck.plan_target t WHERE t.id = target) DESC, target LIMIT 1")
target=$(Q planner_wch "SELECT target FROM spotcheck.plan_team WHERE team_member = $member")
say "the team of one target before the change"
P -U planner_wch -c "SELECT t.unit, t.name AS unit_name, m.member, m.inspector, m.name
                       FROM spotcheck.plan_team m JOIN spotcheck.plan_targets t ON t.target = m.target
                      WHERE m.target = $target ORDER BY m.member"
say "the planner requests the change; a reason outside the four of Article 16 is refused with the list"
P -U planner_wch -c "SELECT spotcheck.request_reassignment($member, '个人原因', '')" 2>&1 | sed -n 1,3p || true
request=$(Q planner_wch "SELECT spotcheck.request_reassignment($member, '公差', '赴省总队参加执法资格考试阅卷，$(plan_day 3) 至 $(plan_day 12)')")
P -U planner_wch -c "SELECT request, unit_name, inspector_name, reason_label, state, redraw, redraw_pool_size
                       FROM spotcheck.reassignment_requests WHERE request = $request"

demo_clock "$(plan_day 2) 10:00"
say "the requester cannot approve its own request; the head approves, and the redraw is executed"
P -U planner_wch -c "SELECT spotcheck.approve_reassignment($request, true, '同意')" 2>&1 | sed -n 1p || true
P -U head_wch -c "SELECT spotcheck.approve_reassignment($request, true, '情况属实，同意重新随机选派')"
P -U head_wch -c "SELECT request, state, decided_by, inspector_name AS leaves, new_inspector_name AS drawn_in, redraw
                    FROM spotcheck.reassignment_requests WHERE request = $request"

demo_clock "$(plan_day 2) 15:00"
say "the detachment's upper-level officer sees it waiting and records the filing (备案); the team now"
P -U upper_zb -c "SELECT request, agency, unit_name, reason_label, decided_at FROM spotcheck.reassignments_to_file"
P -U upper_zb -c "SELECT spotcheck.file_reassignment($request, '淄消备字〔$(date +%Y)〕第12号')"
P -U planner_wch -c "SELECT t.unit, m.member, m.inspector, m.name, m.replaces IS NOT NULL AS by_redraw
                       FROM spotcheck.plan_team m JOIN spotcheck.plan_targets t ON t.target = m.target
                      WHERE m.target = $target ORDER BY m.member"
