#!/usr/bin/env bash
# The registries, their history and the audit trail survive a plain pg_dump
# and pg_restore into a new database: same rows, no duplicated history or
# audit entries, sequences that continue (see README, "Dump and restore").
# Runs against the cluster test/run started; prints TAP.
set -uo pipefail
src=registry_dump_src
dst=registry_dump_dst
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"; dropdb --if-exists "$src" 2>/dev/null; dropdb --if-exists "$dst" 2>/dev/null; psql -qAtX -c "DROP ROLE IF EXISTS tap_dump_planner" >/dev/null 2>&1' EXIT

. "$(dirname "$0")/lib/tap.bash"
q() { local db=$1; shift; psql -qAtX -v ON_ERROR_STOP=1 -d "$db" -c "$*"; }

TABLES="agencies agency_members check_items check_item_uses unit_code_exceptions units inspectors
        inspector_absences inspector_recusals registry_history load_batches load_rejects audit_log"
# one digest per table over its rows as text, in a fixed order
digests() {
    local db=$1 t
    for t in $TABLES; do
        printf '%s=%s\n' "$t" "$(q "$db" "SELECT count(*) || ':' || md5(coalesce(string_agg(x::text, E'\n' ORDER BY x::text), '')) FROM spotcheck.$t x")"
    done
}

echo "1..22"
dropdb --if-exists "$src" 2>/dev/null; dropdb --if-exists "$dst" 2>/dev/null
psql -qAtX -c "DROP ROLE IF EXISTS tap_dump_planner" >/dev/null 2>&1
createdb "$src" && q "$src" "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $src"; exit 1; }
q postgres "CREATE ROLE tap_dump_planner LOGIN IN ROLE spotcheck_planner" >/dev/null

# fill every registry, with history, a bulk load with rejects, and the audit trail
psql -qX -v ON_ERROR_STOP=1 -d "$src" >/dev/null <<'SQL' || { echo "Bail out! could not fill $src"; exit 1; }
SET search_path = spotcheck, public;
INSERT INTO agencies VALUES ('SD', '总队', 'corps', NULL), ('ZB', '支队', 'detachment', 'SD'),
    ('ZD', '张店大队', 'brigade', 'ZB'), ('WCH', '文昌湖大队', 'brigade', 'ZB');
INSERT INTO agency_members (member, agency) VALUES ('tap_dump_planner', 'ZD');
INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year, valid_from)
    VALUES ('ZB', 'ZB-01', '责任制', '消防法', '内容', '{实地检查}', 5, 1, '2024-01-01');
INSERT INTO check_items (agency, code, parent_item, ratio, valid_from)
    SELECT 'ZD', 'ZD-01', id, 8, '2024-02-01' FROM check_items WHERE code = 'ZB-01';
INSERT INTO check_item_uses (item_id, used_by) SELECT id, 'plan:2026-01' FROM check_items WHERE code = 'ZD-01';
INSERT INTO unit_code_exceptions (code, agency, reason) VALUES ('91350100M000100Y44', 'ZD', '登记机关确认');
INSERT INTO units (code, name, address, responsible_person, unit_type, agency) VALUES
    ('91350100M000100Y44', '例外单位', '地址', '人', '企业', 'ZD'),
    ('370303200012345', '老字号', '地址', '人', '个体工商户', 'ZD');
UPDATE units SET credit_class = 'B' WHERE code = '370303200012345';
INSERT INTO inspectors (code, name, agency, certificate_no) VALUES ('ZD-1', '甲', 'ZD', 'C-1'), ('ZD-2', '乙', 'ZD', 'C-2');
INSERT INTO inspector_absences (inspector, starts, ends, reason) VALUES ('ZD-1', '2026-07-01', '2026-07-03', 'leave');
INSERT INTO inspector_recusals (inspector, unit, reason) VALUES ('ZD-2', '370303200012345', '亲属');
UPDATE inspectors SET active = false WHERE code = 'ZD-2';
SET ROLE tap_dump_planner;
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency, credit_class)
SELECT b || spotcheck.uscc_check_char(b)::text, '单位' || i, '地址', '人', '企业', 'ZD', CASE WHEN i % 50 = 0 THEN 'X' ELSE 'A' END
  FROM (SELECT i, '91370303' || o || CASE 11 - s % 11 WHEN 10 THEN 'X' WHEN 11 THEN '0' ELSE (11 - s % 11)::text END AS b
          FROM (SELECT i, o, (SELECT sum(substr(o, k::int, 1)::int * w)
                                FROM unnest(ARRAY[3,7,9,10,5,8,4,2]) WITH ORDINALITY AS x(w, k)) AS s
                  FROM (SELECT i, lpad(i::text, 8, '0') AS o FROM generate_series(1, 500) i) a) b) c;
SELECT load_units('dump-test.csv');
RESET ROLE;
SQL

before=$(digests "$src")
check "the source holds the loaded units" "492" "$(q "$src" "SELECT count(*) FROM spotcheck.units")"

pg_dump -Fc -f "$work/dump" "$src" 2>"$work/dump.err"
check "pg_dump succeeds" "0" "$?"
createdb "$dst"
pg_restore -d "$dst" "$work/dump" 2>"$work/restore.err"
rc=$?
check "pg_restore succeeds (no trigger records the restore)" "0" "$rc"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$work/restore.err" | head -20

after=$(digests "$dst")
for t in $TABLES; do
    check "$t: the same rows after restore" "$(grep "^$t=" <<<"$before")" "$(grep "^$t=" <<<"$after")"
done

# the restored database works on: sequences continue, rules and history hold
check "a new item gets a fresh id" "t" "$(q "$dst" "INSERT INTO spotcheck.check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year) VALUES ('ZB', 'ZB-02', 't', 'b', 'c', '{书面检查}', 5, 1) RETURNING id > (SELECT max(id) FROM spotcheck.check_items WHERE code <> 'ZB-02')")"
check "a change after the restore is recorded once, with a fresh history id" "1|true" \
      "$(q "$dst" "UPDATE spotcheck.units SET credit_class = 'C' WHERE code = '370303200012345'; SELECT count(*) || '|' || bool_and(id > (SELECT max(id) FROM spotcheck.registry_history h WHERE h.new_row ->> 'credit_class' = 'B')) FROM spotcheck.registry_history WHERE new_row ->> 'credit_class' = 'C'")"
check "the restored rules still refuse a bad code" "22P02" \
      "$(psql -qAtX -d "$dst" -v VERBOSITY=verbose -c "INSERT INTO spotcheck.units (code, name, address, responsible_person, unit_type, agency) VALUES ('91350100M000100Y45', 'n', 'a', 'p', 'x', 'ZD')" 2>&1 | grep -o '22P02' | head -1)"
check "the exception restored with its unit still holds" "exception" "$(q "$dst" "SELECT code_kind FROM spotcheck.units WHERE code = '91350100M000100Y44'")"
check "the bulk-load digests verify against the restored history" "t" "$(q "$dst" "SELECT bool_and(ok) FROM spotcheck.verify_registry_history()")"
check "the audit chain verifies in the restored database" "t" "$(q "$dst" "SELECT ok FROM spotcheck.verify_audit_chain()")"
