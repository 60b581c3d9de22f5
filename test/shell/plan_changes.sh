#!/usr/bin/env bash
# Reassignment and amendment across sessions and tools: two heads approving
# the same request at once (one wins, the other is told it was decided),
# another session reading the plan while an approval is uncommitted (it sees
# the team as it was), spotcheck-verify on the exported transcripts of a
# redraw and of a replacement's draw (and failing a tampered copy), an
# amendment waiting for the plan's publication, and a dump restored as the
# README says (plain pg_restore) with every change still verifying.
# Runs against the cluster test/run started (PGHOST, PGPORT, PGUSER set);
# prints TAP.
set -uo pipefail
db=plan_changes
work=$(mktemp -d)
chmod 755 "$work"
roles="sc_ch_planner sc_ch_head1 sc_ch_head2 sc_ch_upper"
cleanup() {
    rm -rf "$work"
    for d in "$db" "${db}_copy"; do dropdb --if-exists "$d" 2>/dev/null; done
    for r in $roles; do psql -qAtX -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
trap cleanup EXIT
VERIFY=${SPOTCHECK_VERIFY:-$(pg_config --bindir)/spotcheck-verify}

. "$(dirname "$0")/lib/tap.bash"
q() { psql -qAtX -v ON_ERROR_STOP=1 -d "$db" "$@"; }
as() { local who=$1; shift; psql -qAtX -v ON_ERROR_STOP=1 -U "$who" -d "$db" "$@"; }

[ -x "$VERIFY" ] || { echo "Bail out! $VERIFY is not installed"; exit 1; }
cleanup; work=$(mktemp -d); chmod 755 "$work"
createdb "$db" && q -c "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $db"; exit 1; }
for r in $roles; do psql -qAtX -d postgres -c "CREATE ROLE $r LOGIN" >/dev/null; done
q >/dev/null <<'SQL' || { echo "Bail out! cannot lay out the brigade"; exit 1; }
GRANT spotcheck_planner TO sc_ch_planner;
GRANT spotcheck_head TO sc_ch_head1, sc_ch_head2;
GRANT spotcheck_upper TO sc_ch_upper;
INSERT INTO spotcheck.agencies (code, name, level, parent, region) VALUES
    ('SD', '山东省消防救援总队', 'corps', NULL, '370000'),
    ('ZB', '淄博市消防救援支队', 'detachment', 'SD', '370300'),
    ('WCH', '文昌湖消防救援大队', 'brigade', 'ZB', '370390');
INSERT INTO spotcheck.agency_members (member, agency) VALUES
    ('sc_ch_planner', 'WCH'), ('sc_ch_head1', 'WCH'), ('sc_ch_head2', 'WCH'), ('sc_ch_upper', 'ZB');
CREATE FUNCTION code(n integer) RETURNS text LANGUAGE sql AS $$
    SELECT b || spotcheck.uscc_check_char(b)::text
      FROM (SELECT '91370303' || o || CASE 11 - s % 11 WHEN 10 THEN 'X' WHEN 11 THEN '0' ELSE (11 - s % 11)::text END AS b
              FROM (SELECT o, (SELECT sum(substr(o, k::int, 1)::int * w)
                                 FROM unnest(ARRAY[3,7,9,10,5,8,4,2]) WITH ORDINALITY AS x(w, k)) AS s
                      FROM (SELECT lpad(n::text, 8, '0') AS o) a) b) c
$$;
SET spotcheck.bulk_audit = on;
INSERT INTO spotcheck.units (code, name, address, responsible_person, unit_type, agency, venue_category,
                             is_key_unit, is_crowded_place, credit_class, risk_level, active)
SELECT code(i), '单位' || i, '文昌湖路' || i || '号', '负责人', '企业', 'WCH', CASE WHEN i % 20 = 0 THEN '宾馆饭店' ELSE '办公场所' END,
       i % 10 = 0, i % 20 = 0, (ARRAY['A', 'B', 'C', 'D'])[1 + i % 4], 1 + i % 4, true
  FROM generate_series(1, 300) i;
RESET spotcheck.bulk_audit;
INSERT INTO spotcheck.inspectors (code, name, agency, certificate_no, certificate_valid_until)
SELECT 'WCH-' || lpad(i::text, 3, '0'), '检查员' || i, 'WCH', 'CERT-' || i, '2030-12-31' FROM generate_series(1, 8) i;
INSERT INTO spotcheck.check_items (agency, code, title, legal_basis, content, unit_types, venue_categories, methods, ratio, frequency_per_year, valid_from)
VALUES ('ZB', 'ZB-01', '消防安全责任制落实情况', '《消防法》第十六条', '责任人、管理人履职', '{}', '{}', '{实地检查}', 3, 1, '2025-01-01');
CREATE TABLE m AS SELECT (date_trunc('month', (now() AT TIME ZONE 'Asia/Shanghai')::date) + interval '1 month')::date AS m;
INSERT INTO spotcheck.annual_plans (agency, year, entropy_declaration) SELECT 'WCH', date_part('year', m), 'witnesses' FROM m;
INSERT INTO spotcheck.annual_plan_strata (agency, year, stratum, monthly_ratio)
SELECT 'WCH', date_part('year', m), s, 5 FROM m, unnest(ARRAY['key_crowded', 'key_other', 'general']) s;
INSERT INTO spotcheck.annual_plan_items (agency, year, item_id) SELECT 'WCH', date_part('year', m), id FROM m, spotcheck.check_items;
GRANT SELECT ON m TO PUBLIC;
SQL

echo "1..14"
plan=$(as sc_ch_planner -c "SELECT spotcheck.plan_month('WCH', (SELECT m FROM m))")
as sc_ch_planner -c "SELECT spotcheck.execute_plan($plan, 'witnesses: 1 2 3')" >/dev/null
t=$(q -c "SELECT min(target) FROM spotcheck.plan_targets WHERE plan = $plan")
team=$(q -c "SELECT string_agg(inspector, ',' ORDER BY member) FROM spotcheck.plan_team WHERE target = $t")
a=$(q -c "SELECT team_member FROM spotcheck.plan_team WHERE target = $t AND member = 1")
r=$(as sc_ch_planner -c "SELECT spotcheck.request_reassignment($a, 'leave', '年休假')")

# ---- two heads at once, and a reader while the approval is uncommitted ----
as sc_ch_head1 -c "BEGIN" -c "SELECT spotcheck.approve_reassignment($r, true, '同意')" \
   -c "SELECT pg_sleep(3)" -c "COMMIT" >"$work/a.out" 2>&1 &
first=$!
sleep 1
check "another session reading the plan meanwhile sees the team as it was" "$team" \
    "$(as sc_ch_planner -c "SELECT string_agg(inspector, ',' ORDER BY member) FROM spotcheck.plan_team WHERE target = $t")"
check "and the request still open" "open" "$(as sc_ch_planner -c "SELECT state FROM spotcheck.reassignments WHERE id = $r")"
second=$(as sc_ch_head2 -c "SELECT spotcheck.approve_reassignment($r, true, '同意')" 2>&1)
wait "$first"; rc=$?
check "the first head's approval commits" "0" "$rc"
check "the second head, waiting on the first, is told the request was already approved (55000)" "1" \
    "$(grep -c 'ERROR:  reassignment request [0-9]* was already approved at .* by sc_ch_head1' <<<"$second")"
check "one replacement, drawn once" "1" "$(q -c "SELECT count(*) FROM spotcheck.plan_team_member WHERE draw = (SELECT redraw FROM spotcheck.reassignments WHERE id = $r)")"
new=$(q -c "SELECT inspector FROM spotcheck.plan_team_member WHERE id = (SELECT new_team_member FROM spotcheck.reassignments WHERE id = $r)")
check "now every session sees the new team" "$new,${team#*,}" \
    "$(as sc_ch_planner -c "SELECT string_agg(inspector, ',' ORDER BY member) FROM spotcheck.plan_team WHERE target = $t")"

# ---- spotcheck-verify on the redraw, and on a replacement's draw ----
d=$(q -c "SELECT redraw FROM spotcheck.reassignments WHERE id = $r")
as sc_ch_head1 -c "SELECT spotcheck.draw_transcript($d)" >"$work/redraw.json"
out=$("$VERIFY" "$work/redraw.json" 2>&1)
check "spotcheck-verify passes the reassignment's redraw" "0 1" "$? $(grep -cE '^all [0-9]+ checks passed$' <<<"$out")"
check "whose transcript selects the new member" "$new" "$(q -c "SELECT t->'selected'->0->>'key' FROM (SELECT '$(cat "$work/redraw.json")'::jsonb AS t) x")"
q -c "SELECT jsonb_set(t, '{selected,0,key}', to_jsonb((SELECT p->>'key' FROM jsonb_array_elements(t->'pool') p WHERE p->>'key' <> t->'selected'->0->>'key' LIMIT 1)))
        FROM (SELECT '$(cat "$work/redraw.json")'::jsonb AS t) x" >"$work/chosen.json"
"$VERIFY" "$work/chosen.json" >/dev/null 2>&1
check "and fails a copy naming another inspector" "1" "$?"

u=$(q -c "SELECT unit FROM spotcheck.plan_targets WHERE plan = $plan ORDER BY target DESC LIMIT 1")
refused=$(as sc_ch_planner -c "SELECT spotcheck.request_amendment($plan, 'remove', '$u', 'closed', '关闭')" 2>&1)
as sc_ch_planner -c "SELECT spotcheck.publish_plan($plan)" >/dev/null
check "an amendment waits for the plan's publication (publish_plan), which its planner then makes" "1 t" \
    "$(grep -c "ERROR:  plan $plan is not published" <<<"$refused") $(q -c "SELECT spotcheck.plan_is_published($plan)")"
am=$(as sc_ch_planner -c "SELECT spotcheck.request_amendment($plan, 'remove', '$u', 'closed', '关闭')")
as sc_ch_upper -c "SELECT spotcheck.decide_amendment($am, true, '同意')" >/dev/null
ax=$(as sc_ch_planner -c "SELECT spotcheck.request_amendment($plan, 'replace', '$u', '补抽', '替换')")
as sc_ch_upper -c "SELECT spotcheck.decide_amendment($ax, true, '同意')" >/dev/null
dx=$(q -c "SELECT redraw FROM spotcheck.plan_amendments WHERE id = $ax")
as sc_ch_upper -c "SELECT spotcheck.draw_transcript($dx)" >"$work/replacement.json"
out=$("$VERIFY" "$work/replacement.json" 2>&1)
check "spotcheck-verify passes the replacement's draw, its team included" "0 1 1" \
    "$? $(grep -cE '^all [0-9]+ checks passed$' <<<"$out") $(grep -ciE 'team' <<<"$out" | sed 's/^[1-9][0-9]*$/1/')"
check "verify_plan passes every check of the changed plan" "0" "$(q -c "SELECT count(*) FROM spotcheck.verify_plan($plan) WHERE NOT ok")"

# ---- a dump restored as the README says ----
pg_dump -Fc -d "$db" -f "$work/db.dump" 2>"$work/dump.log" && createdb "${db}_copy" \
    && pg_restore -d "${db}_copy" "$work/db.dump" >"$work/restore.log" 2>&1
check "the plan, its publication and its changes are restored" "1 1 2 1" \
    "$(psql -qAtX -d "${db}_copy" -c "SELECT (SELECT count(*) FROM spotcheck.reassignments) || ' ' || (SELECT count(*) FROM spotcheck.plan_amendments WHERE state = 'approved' AND kind = 'replace') || ' ' || (SELECT count(*) FROM spotcheck.plan_amendments) || ' ' || (SELECT count(*) FROM spotcheck.publications WHERE kind = 'plan')")"
check "and verify there as they did" "0" "$(psql -qAtX -d "${db}_copy" -c "SELECT count(*) FROM spotcheck.verify_plan($plan) WHERE NOT ok")"
