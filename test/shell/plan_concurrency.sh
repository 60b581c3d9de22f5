#!/usr/bin/env bash
# Two sessions drawing plans at once: the same month of one agency is drawn
# once (the second session waits for the first's planning lock, then is
# refused with 23505), and two agencies draw side by side without waiting
# for each other (lock_timeout shows who waits; nothing is timed).  Runs
# against the cluster test/run started (PGHOST, PGPORT, PGUSER set); prints
# TAP.
set -uo pipefail
db=plan_concurrency
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists "$db" 2>/dev/null' EXIT
. "$(dirname "$0")/lib/tap.bash"
here=$(cd "$(dirname "$0")/../pgtap" && pwd)
q() { psql -qAtX -v ON_ERROR_STOP=1 -d "$db" "$@"; }

echo "1..6"
dropdb --if-exists "$db" 2>/dev/null
createdb "$db" && q -c "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $db"; exit 1; }
q >/dev/null <<SQL || { echo "Bail out! cannot load the brigades"; exit 1; }
SET client_min_messages = warning;
CREATE TEMP TABLE shell_setup (i integer);  -- (the helpers grant on the session's temporary schema)
\ir $here/registry_helpers.psql
\ir $here/plan_helpers.psql
SELECT pg_temp.make_units('WCH', 0, 800), pg_temp.make_units('ZD', 100000, 800);
SELECT pg_temp.make_inspectors('WCH', 6), pg_temp.make_inspectors('ZD', 6);
SELECT pg_temp.make_annual_plan('WCH', 2026), pg_temp.make_annual_plan('ZD', 2026);
SQL

# wait_for_lock — until some session holds a planning lock (an advisory lock)
wait_for_lock() {
    local i
    for i in $(seq 1 200); do
        [ "$(q -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" -gt 0 ] && return 0
        sleep 0.1
    done
    return 1
}

# session A draws WCH's July and keeps its transaction open; session B draws
# the same month meanwhile
(q -c "BEGIN" -c "SELECT spotcheck.plan_month('WCH', '2026-07-01')" -c "SELECT pg_sleep(3)" -c "COMMIT" >"$work/a.out" 2>&1; echo $? >"$work/a.rc") &
wait_for_lock
q -c "SET lock_timeout = '300ms'" -c "SELECT spotcheck.plan_month('WCH', '2026-07-01')" >"$work/b1.out" 2>&1
wait
q -c "SELECT spotcheck.plan_month('WCH', '2026-07-01')" >"$work/b2.out" 2>&1
check "session A draws the month" 0 "$(cat "$work/a.rc")"
check "session B, drawing the same month meanwhile, waits for A's lock" 1 "$(grep -c 'lock timeout' "$work/b1.out")"
check "and once A committed, is refused: the month is planned" 1 "$(grep -c 'already has a monthly plan for 2026-07' "$work/b2.out")"
check "one live plan for the month" 1 "$(q -c "SELECT count(*) FROM spotcheck.plans WHERE agency = 'WCH' AND month = '2026-07-01'")"

# two agencies side by side: neither waits for the other
(q -c "BEGIN" -c "SELECT spotcheck.plan_month('ZD', '2026-07-01')" -c "SELECT pg_sleep(3)" -c "COMMIT" >"$work/c.out" 2>&1) &
wait_for_lock
q -c "SET lock_timeout = '300ms'" \
  -c "SELECT spotcheck.execute_plan((SELECT plan FROM spotcheck.plans WHERE agency = 'WCH' AND month = '2026-07-01'), '1')" \
  -c "SELECT spotcheck.plan_month('WCH', '2026-08-01')" >"$work/d.out" 2>&1
check "another agency plans while the first holds its lock, without waiting for it" 0 "$?"
wait
check "both agencies have their plans" 3 "$(q -c "SELECT count(*) FROM spotcheck.plans")"
