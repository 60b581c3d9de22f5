#!/usr/bin/env bash
# A brigade's year as its planner lives it: each month drawn in one session
# (plan_month) and executed in another (execute_plan), a joint check with the
# market-supervision department in June; every plan's draw exported with
# draw_transcript and recomputed by the standalone spotcheck-verify, with no
# database; a doctored transcript refused.  Runs against the cluster test/run
# started (PGHOST, PGPORT, PGUSER set); prints TAP.
set -uo pipefail
db=plan_year
role=shell_plan_wch
work=$(mktemp -d)
VERIFY=${SPOTCHECK_VERIFY:-$(pg_config --bindir)/spotcheck-verify}
cleanup() { [ -n "${KEEP_WORK:-}" ] && { echo "# kept $work"; return; }; rm -rf "$work"; dropdb --if-exists "$db" 2>/dev/null; psql -qAtX -d postgres -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1; }
trap cleanup EXIT
. "$(dirname "$0")/lib/tap.bash"
here=$(cd "$(dirname "$0")/../pgtap" && pwd)
q() { psql -qAtX -v ON_ERROR_STOP=1 -d "$db" "$@"; }
as_planner() { psql -qAtX -v ON_ERROR_STOP=1 -d "$db" -U "$role" "$@"; }

echo "1..9"
[ -x "$VERIFY" ] || { echo "Bail out! $VERIFY is not installed"; exit 1; }
dropdb --if-exists "$db" 2>/dev/null
psql -qAtX -d postgres -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1
createdb "$db" && q -c "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $db"; exit 1; }
psql -qAtX -d postgres -c "CREATE ROLE $role LOGIN IN ROLE spotcheck_planner" >/dev/null

# the brigade: 3,000 units, 20 inspectors with recusals and leave, the
# partner department's inspectors, the annual plan and a joint campaign
q >/dev/null <<SQL || { echo "Bail out! cannot load the brigade"; exit 1; }
SET client_min_messages = warning;
CREATE TEMP TABLE shell_setup (i integer);  -- (the helpers grant on the session's temporary schema)
\ir $here/registry_helpers.psql
\ir $here/plan_helpers.psql
SELECT pg_temp.make_units('WCH', 0, 3000), pg_temp.make_inspectors('WCH', 20), pg_temp.make_inspectors('ZBSJ', 6);
SELECT pg_temp.make_annual_plan('WCH', 2026);
INSERT INTO spotcheck.agency_members (member, agency) VALUES ('$role', 'WCH');
INSERT INTO spotcheck.inspector_recusals (inspector, unit, reason)
SELECT 'WCH-' || lpad((1 + pg_temp.h(i, 11) % 20)::text, 3, '0'), pg_temp.code(1 + pg_temp.h(i, 12) * 3), '近亲属在该单位任职'
  FROM generate_series(1, 60) i ON CONFLICT DO NOTHING;
INSERT INTO spotcheck.inspector_absences (inspector, starts, ends, reason)
SELECT 'WCH-' || lpad((1 + (m * 7) % 20)::text, 3, '0'), make_date(2026, m, 10), make_date(2026, m, 20), 'leave'
  FROM generate_series(1, 12) m;
INSERT INTO spotcheck.special_campaigns (agency, code, title, partner, venue_categories, count, team_size, partner_team_size, starts, ends)
VALUES ('WCH', 'LH-06', '商场市场消防与市场监管联合检查', 'ZBSJ', '{商场市场}', 8, 1, 1, '2026-06-01', '2026-06-30');
INSERT INTO spotcheck.special_campaign_items (campaign, item_id)
SELECT c.id, i.id FROM spotcheck.special_campaigns c, spotcheck.check_items i WHERE c.code = 'LH-06' AND i.code IN ('ZB-01', 'ZB-02');
SQL

# each month: drawn in one session, executed in the next; its transcript exported
fails=0
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
    plan=$(as_planner -c "SELECT spotcheck.plan_month('WCH', '2026-$m-01')") || { fails=$((fails + 1)); continue; }
    as_planner -c "SELECT spotcheck.execute_plan($plan, 'witnesses: 2026-$m 381204 550129')" >/dev/null || fails=$((fails + 1))
    as_planner -c "SELECT spotcheck.draw_transcript(draw) FROM spotcheck.plan WHERE id = $plan" >"$work/month-$m.json"
done
check "twelve months drawn and executed by the planner, each in two sessions" 0 "$fails"

ok=0
for f in "$work"/month-*.json; do
    "$VERIFY" "$f" >"$f.out" 2>&1 && grep -q "checks passed" "$f.out" && ok=$((ok + 1))
done
check "spotcheck-verify recomputes every month's commitment, seed, selection and teams" 12 "$ok"
check "each month's transcript has its teams" 12 "$(grep -l '"teams"' "$work"/month-*.json | wc -l | tr -d ' ')"

joint=$(as_planner -c "SELECT spotcheck.plan_joint((SELECT id FROM spotcheck.special_campaigns WHERE code = 'LH-06'), '2026-06-01')")
as_planner -c "SELECT spotcheck.execute_plan($joint, 'witnesses: joint 777')" >/dev/null
as_planner -c "SELECT spotcheck.draw_transcript(draw) FROM spotcheck.plan WHERE id = $joint" >"$work/joint-targets.json"
as_planner -c "SELECT spotcheck.draw_transcript(member_draw) FROM spotcheck.plan WHERE id = $joint" >"$work/joint-members.json"
ok=0
for f in "$work"/joint-*.json; do "$VERIFY" "$f" >/dev/null 2>&1 && ok=$((ok + 1)); done
check "both draws of the joint plan verify standalone (targets, and the members drawn per unit)" 2 "$ok"
check "every joint team: one of ours, then one of the partner's" 8 \
    "$(q -c "SELECT count(*) FROM spotcheck.plan_targets t WHERE t.plan = $joint
               AND (SELECT array_agg(i.agency ORDER BY n) FROM unnest(t.team) WITH ORDINALITY m(code, n)
                      JOIN spotcheck.inspectors i ON i.code = m.code) = ARRAY['WCH', 'ZBSJ']")"

check "verify_plan passes every check of every plan" 0 \
    "$(as_planner -c "SELECT count(*) FROM spotcheck.plans p, spotcheck.verify_plan(p.plan) v WHERE NOT v.ok")"
check "every crowded-place key unit and every unit owing a yearly minimum is planned by December" 0 \
    "$(as_planner -c "SELECT count(*) FROM spotcheck.coverage_due('WCH', 2026)")"

# a doctored transcript: the first team's first member swapped for another
# inspector of the pool (edited as JSON; the verifier then runs on the file alone)
{ echo "SELECT jsonb_set(t, '{teams,teams,0,members,0,inspector}',
                 to_jsonb((SELECT i FROM jsonb_array_elements_text(t->'teams'->'inspectors') i
                            WHERE i <> t->'teams'->'teams'->0->'members'->0->>'inspector'
                              AND i <> t->'teams'->'teams'->0->'members'->1->>'inspector' LIMIT 1)))"
  printf 'FROM (SELECT $t$%s$t$::jsonb AS t) x;\n' "$(cat "$work/month-07.json")"; } >"$work/doctor.sql"
q -f "$work/doctor.sql" >"$work/doctored.json"
"$VERIFY" "$work/doctored.json" >"$work/doctored.out" 2>&1
check "a transcript with one team member changed is refused (exit 1)" 1 "$?"
check "and the failing check is the teams'" 1 "$(grep -c -i 'teams.*fail\|FAIL.*teams' "$work/doctored.out")"
