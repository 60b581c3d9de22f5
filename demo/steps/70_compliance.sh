#!/usr/bin/env bash
# The compliance report (Articles 23-24), on the 15th: first whether the
# audit chain and the plan's draws verify, then target by target whether the
# work followed the list and the plan — what exempts the staff who did.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
plan=$(cat "$DEMO_OUT/plan-id")

demo_clock "$(plan_day 15) 09:00"
say "the compliance report of plan $plan, as the head reads it"
P -U head_wch <<SQL
\pset footer off
SELECT line, check_name, followed, status FROM spotcheck.compliance_report($plan) WHERE target IS NULL ORDER BY line;
SELECT status, count(*) AS targets FROM spotcheck.compliance_report($plan) WHERE target IS NOT NULL GROUP BY 1 ORDER BY 2 DESC;
SELECT unit_name, deadline, inspected_on, array_to_string(inspectors, ',') AS inspectors, followed, status,
       array_to_string(deviations, '; ') AS deviations
  FROM spotcheck.compliance_report($plan) WHERE result IS NOT NULL ORDER BY line;
SQL
