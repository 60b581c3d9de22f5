#!/usr/bin/env bash
# The main job as ./demo/run plays it — every step of demo/steps on a cluster
# of its own whose clock the steps move through the month (libfaketime) —
# twice: a month whose year the working-day calendar records (June 2026: the
# objection is filed, verified and corrects the result) and the month after
# this one, whatever today is (when the calendar lacks its year, the demo says
# so and goes on).  Checks that every step runs, that each refusal the demo
# shows is the one it means to show and no other error occurs, and that the
# month's milestones are there.  Prints TAP.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib/tap.bash"
. "$(dirname "$0")/lib/cluster.bash"
. "$root/tools/cluster.sh"      # set_clock
work=$(mktemp -d /tmp/spotcheck-demo-month.XXXXXX)
chmod 755 "$work"
trap 'extra_cluster_stop; rm -rf "$work"' EXIT

faketime=$(dpkg -L libfaketime 2>/dev/null | grep -m1 '/libfaketime\.so\.1$')
[ -n "$faketime" ] || { echo "Bail out! libfaketime is not installed"; exit 1; }

# play THIS_MONTH LOG — a fresh cluster on the demo's clock, all steps
play() {
    local clock=$work/clock-$1
    set_clock "$clock" "$1-25 09:00" || return 1
    EXTRA_ENV=("LD_PRELOAD=$faketime" "FAKETIME_TIMESTAMP_FILE=$clock" FAKETIME_NO_CACHE=1 TZ=UTC)
    extra_cluster_start "timezone = 'Asia/Shanghai'" "jit = off" || return 1
    PGHOST=$EXTRA_DIR PGPORT=$EXTRA_PORT createdb -U postgres demo_month || return 1
    PGHOST=$EXTRA_DIR PGPORT=$EXTRA_PORT PGUSER=postgres PGDATABASE=demo_month \
        DEMO_CLOCK=$clock DEMO_THIS_MONTH=$1 DEMO_OUT=$work/out-$1 \
        bash "$root/demo/play.sh" >"$2" 2>&1
    local rc=$?
    extra_cluster_stop
    return $rc
}

# the refusals the demo shows on purpose, one pattern each
expected=(
    'invalid unified social credit code "91350100M000100Y44": check character at position 18'
    'permission denied for table units'
    'lowers the sampling ratio of the item it narrows'
    'the ordinary-unit share 120.00% of the annual plan'
    'already has a monthly plan for'
    "the reason for a reassignment '个人原因' is not one of"
    'permission denied: role planner_wch may not decide reassignment request'
    'names 1 inspector: at least two inspectors must be present'
    'has no body-camera recording'
)
check_errors() {    # check_errors LOG [MORE-PATTERN] — exactly the expected refusals, nothing else
    local log=$1 p missing="" unexpected
    local patterns=("${expected[@]}")
    [ -n "${2:-}" ] && patterns+=("$2")
    local args=()
    for p in "${patterns[@]}"; do
        grep -qF -- "$p" "$log" || missing+="$p; "
        args+=(-e "$p")
    done
    unexpected=$(grep '^ERROR:' "$log" | grep -vF "${args[@]}" | head -3)
    printf '%s' "${missing:+missing: $missing}${unexpected:+ unexpected: $unexpected}"
}

echo "1..16"
play 2026-05 "$work/june.log"; rc=$?
check "the demo plays June 2026 through every step" "0" "$rc"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$work/june.log" | tail -30
check "it shows exactly the refusals it means to, and no other error" "" "$(check_errors "$work/june.log")"
check "the plan is drawn on the 25th, before the deadline (not late)" "1" \
      "$(grep -cE '^late +\| f$' "$work/june.log")"
check "the plan is executed and published, and the portal reads targets without inspectors" "1" \
      "$(grep -cE '^ +published_targets' "$work/june.log")"
check "the reassignment is approved and filed" "1" "$(grep -c 'file_reassignment' "$work/june.log")"
check "five results are recorded and published" "1" "$(grep -A4 'the planner publishes the results' "$work/june.log" | grep -cE '^ +5$')"
check "the objection gets its due date by the calendar and corrects the result" "1" \
      "$(grep -c 'upheld objection 1, received on 2026-06-11 (Article 21)' "$work/june.log")"
check "the compliance report finds the five inspected targets followed the plan" "5" \
      "$(grep -cE '\| t +\| followed the plan \|' "$work/june.log")"
check "every draw passes spotcheck-verify, and the public transcript too" "3" \
      "$(grep -cE '^all [0-9]+ checks passed$|: all [0-9]+ checks passed$' "$work/june.log")"
check "and the audit chain verifies" "1" "$(grep -cE '^ t +\| +[0-9]+ \| chain intact' "$work/june.log")"
check "the public plan names every item with its title, a narrowing item with the title it inherits" "0|t" \
      "$(grep -cE '[A-Z]+-[0-9]+ (；|"|,|$)' "$work/out-2026-05/csv/public_plans.csv")|$(grep -qE 'WCH-02 [^；",]' "$work/out-2026-05/csv/public_plans.csv" && echo t)"

this=$(TZ=Asia/Shanghai date +%Y-%m)
next_year=$(TZ=Asia/Shanghai date -d "$this-01 +1 month" +%Y)
play "$this" "$work/next.log"; rc=$?
check "the demo plays next month ($this's plan for the month after) through every step" "0" "$rc"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$work/next.log" | tail -30
check "its compliance report finds the five inspected targets followed the plan (published in time whatever the holidays)" "5" \
      "$(grep -cE '\| t +\| followed the plan \|' "$work/next.log")"
if grep -qE "^ +$next_year$" <(psql -qAtX -c "SELECT year FROM spotcheck.calendar_years" 2>/dev/null) ; then
    check "with the calendar covering $next_year, the objection is verified" "1" \
          "$(grep -c 'upheld objection 1' "$work/next.log")"
    check "no other error" "" "$(check_errors "$work/next.log")"
    check "(calendar covered)" "0" "0"
else
    check "without $next_year in the calendar, the objection is refused naming the year" "1" \
          "$(grep -cE "^ERROR: .*(no holiday arrangement for $next_year|falls in $next_year, whose holiday arrangement)" "$work/next.log")"
    check "the demo says so plainly and goes on" "1" "$(grep -c 'has no holiday arrangement for '"$next_year"' yet' "$work/next.log")"
    check "and shows no other error" "" "$(check_errors "$work/next.log" "holiday arrangement")"
fi
