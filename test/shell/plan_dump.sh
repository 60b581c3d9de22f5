#!/usr/bin/env bash
# pg_dump and pg_restore keep plans: every plan table comes back row for row,
# the plans still verify, the sequences continue, the shipped weight rules are
# not duplicated and an administrator's rule comes back.  Restored with the
# triggers off (README, "Dump and restore").  Runs against the cluster
# test/run started; prints TAP.
set -uo pipefail
src=plan_dump_src
dst=plan_dump_dst
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"; for d in $src $dst; do dropdb --if-exists "$d" 2>/dev/null; done' EXIT
. "$(dirname "$0")/lib/tap.bash"
here=$(cd "$(dirname "$0")/../pgtap" && pwd)
q() { psql -qAtX -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
tables="annual_plans annual_plan_strata annual_plan_minimums annual_plan_items weight_rules inspection_outcomes risk_signals
        pool_decisions inspector_secondments special_campaigns special_campaign_items plan plan_strata plan_pool plan_exclusions
        plan_inspectors plan_recusals plan_weight_rules plan_target plan_target_item plan_team_member"
digest() {  # digest DB — one md5 per table, of its rows in a fixed order
    local t out=""
    for t in $tables; do
        # (the shipped weight rules come with the extension, not from the dump)
        out+="$t $(q "$1" "SELECT md5(COALESCE(string_agg(x::text, E'\n' ORDER BY x::text), '')) FROM spotcheck.$t x
                            WHERE '$t' <> 'weight_rules' OR NOT (to_jsonb(x) ->> 'shipped')::boolean") "
    done
    echo "$out"
}

echo "1..6"
for d in $src $dst; do dropdb --if-exists "$d" 2>/dev/null; done
createdb "$src" && q "$src" "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $src"; exit 1; }
psql -qX -d "$src" -v ON_ERROR_STOP=1 >/dev/null <<SQL || { echo "Bail out! cannot fill $src"; exit 1; }
SET client_min_messages = warning;
CREATE TEMP TABLE shell_setup (i integer);  -- (the helpers grant on the session's temporary schema)
\ir $here/registry_helpers.psql
\ir $here/plan_helpers.psql
SELECT pg_temp.make_units('WCH', 0, 600), pg_temp.make_inspectors('WCH', 6), pg_temp.make_inspectors('ZBSJ', 3);
SELECT pg_temp.make_annual_plan('WCH', 2026);
INSERT INTO spotcheck.weight_rules (agency, factor, match, multiplier, label, valid_from) VALUES (NULL, 'credit_class', 'D', 10, '全省：D级加权', '2026-01-01');
INSERT INTO spotcheck.inspection_outcomes (unit, agency, observed_on, outcome, source) SELECT pg_temp.code(7), 'WCH', '2026-03-01', 'violation', 'manual';
INSERT INTO spotcheck.risk_signals (unit, kind, source_system, observed_at) SELECT pg_temp.code(8), 'complaint', '12345', '2026-04-01';
INSERT INTO spotcheck.special_campaigns (agency, code, title, partner, venue_categories, count, team_size, partner_team_size, starts, ends)
VALUES ('WCH', 'LH', '联合检查', 'ZBSJ', '{商场市场}', 3, 1, 1, '2026-01-01', '2026-12-31');
INSERT INTO spotcheck.special_campaign_items SELECT c.id, i.id FROM spotcheck.special_campaigns c, spotcheck.check_items i WHERE i.code = 'ZB-01';
SQL
q "$src" "SELECT spotcheck.plan_month('WCH', '2026-05-01')" >/dev/null
q "$src" "SELECT spotcheck.execute_plan(plan, '1') FROM spotcheck.plans WHERE month = '2026-05-01'" >/dev/null
q "$src" "SELECT spotcheck.plan_joint((SELECT id FROM spotcheck.special_campaigns), '2026-06-01')" >/dev/null
q "$src" "SELECT spotcheck.execute_plan(plan, '2') FROM spotcheck.plans WHERE kind = 'joint'" >/dev/null
q "$src" "SELECT spotcheck.plan_month('WCH', '2026-06-01')" >/dev/null
before=$(digest "$src")

pg_dump -Fc -f "$work/src.dump" "$src" 2>"$work/dump.err" || sed 's/^/# /' "$work/dump.err"
createdb "$dst"
PGOPTIONS='-c session_replication_role=replica' pg_restore -d "$dst" "$work/src.dump" 2>"$work/restore.err"
check "pg_restore reports no error" "" "$(grep -i error "$work/restore.err" | head -3)"
check "every plan table comes back row for row" "$before" "$(digest "$dst")"
check "every plan still verifies in the copy (the committed June plan up to its execution)" \
    "$(q "$src" "SELECT string_agg(p.plan || ':' || v.check_name || ':' || v.ok, ',' ORDER BY p.plan, v.check_name) FROM spotcheck.plans p, spotcheck.verify_plan(p.plan) v")" \
    "$(q "$dst" "SELECT string_agg(p.plan || ':' || v.check_name || ':' || v.ok, ',' ORDER BY p.plan, v.check_name) FROM spotcheck.plans p, spotcheck.verify_plan(p.plan) v")"
check "the committed plan is executed in the copy" "t" \
    "$(q "$dst" "SELECT spotcheck.execute_plan(plan, '3') > 0 FROM spotcheck.plans WHERE state = 'committed'")"
next=$(q "$dst" "SELECT spotcheck.plan_month('WCH', '2026-07-01')")
check "the next plan gets the next id" "$(q "$src" "SELECT max(id) + 1 FROM spotcheck.plan")" "$next"
check "the shipped rules are not duplicated, the administrator's default is back" "17 1" \
    "$(q "$dst" "SELECT count(*) FILTER (WHERE shipped) || ' ' || count(*) FILTER (WHERE NOT shipped) FROM spotcheck.weight_rules")"
