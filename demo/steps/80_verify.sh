#!/usr/bin/env bash
# What anyone can check: every draw's transcript exported and verified in the
# database (verify_draw) and by the standalone spotcheck-verify, check by
# check; the self-verifying web pages; the disclosure package and the CSV
# exports of the disclosure views, as the portal writes them; and the audit
# chain that recorded all of the month.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
plan=$(cat "$DEMO_OUT/plan-id")
VERIFY=$(pg_config --bindir)/spotcheck-verify

demo_clock "$(plan_day 15) 10:00"
say "the draws of the month: the plan's, and the reassignment's redraw"
P -U planner_wch -c "SELECT draw, purpose, state, pool_size, selected_count, entropy_declaration
                       FROM spotcheck.draws ORDER BY draw"
for draw in $(Q planner_wch "SELECT draw FROM spotcheck.draws WHERE state = 'executed' ORDER BY draw"); do
    say "draw $draw: verify_draw in the database"
    P -U planner_wch -qAt -F ' ' -c "SELECT rpad(check_name, 22), CASE WHEN ok THEN 'ok  ' ELSE 'FAIL' END, left(detail, 80)
                                      FROM spotcheck.verify_draw($draw)"
    Q planner_wch "SELECT spotcheck.draw_transcript($draw)" >"$DEMO_OUT/transcripts/draw-$draw.json"
    say "draw $draw: spotcheck-verify on the exported transcript ($(wc -c <"$DEMO_OUT/transcripts/draw-$draw.json") bytes)"
    "$VERIFY" "$DEMO_OUT/transcripts/draw-$draw.json"
done
say "the plan itself: what it froze, its draws, its changes"
P -U planner_wch -qAt -F ' ' -c "SELECT rpad(check_name, 26), CASE WHEN ok THEN 'ok' ELSE 'FAIL' END FROM spotcheck.verify_plan($plan)" | paste -sd ' ' | fold -w 110 -s

say "what the portal publishes: the disclosure package, the self-verifying pages, the views as CSV"
Q portal "SELECT spotcheck.disclosure_package($plan)" >"$DEMO_OUT/disclosure/plan-$plan.json"
for draw in $(Q portal "SELECT draw FROM spotcheck.public_draws WHERE plan = $plan AND transcript IS NOT NULL ORDER BY draw"); do
    Q portal "SELECT page FROM spotcheck.public_draw_pages WHERE draw = $draw" >"$DEMO_OUT/pages/draw-$draw.html"
    Q portal "SELECT transcript FROM spotcheck.public_draws WHERE draw = $draw" >"$DEMO_OUT/transcripts/public-draw-$draw.json"
    printf '   public transcript of draw %s: %s\n' "$draw" "$("$VERIFY" "$DEMO_OUT/transcripts/public-draw-$draw.json" | tail -1)"
done
for view in public_item_list public_plan_list public_plans public_amendments public_results public_draws; do
    P -U portal -q -c "\\copy (SELECT * FROM spotcheck.$view) TO '$DEMO_OUT/csv/$view.csv' WITH (FORMAT csv, HEADER)"
done
wc -l "$DEMO_OUT"/csv/*.csv | sed 's|'"$DEMO_OUT"'/||'

say "the audit chain: every change of the month, hash-chained"
P -U head_wch -c "SELECT action, count(*) AS entries FROM spotcheck.audit_log GROUP BY 1 ORDER BY 2 DESC LIMIT 12"
P -U head_wch -c "SELECT ok, entries, detail FROM spotcheck.verify_audit_chain()"
P -U head_wch -qAt -c "SELECT 'head to publish: entry ' || seq || ', ' || hash_hex FROM spotcheck.audit_head()"
