#!/usr/bin/env bash
# pg_dump and restore keep the user data of the extension: the audit log
# and its head, and the calendar rows a DBA added, without duplicating the
# rows the extension ships.  Runs against the cluster test/run started;
# prints TAP.
set -uo pipefail
src=dump_src
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"; for d in $src dump_exact dump_plain; do dropdb --if-exists "$d" 2>/dev/null; done' EXIT

. "$(dirname "$0")/lib/tap.bash"
q() { psql -qAtX -d "$1" -c "$2"; }

# what is compared between the databases
fingerprint() {
    q "$1" "SELECT md5(string_agg(seq || '|' || encode(hash, 'hex') || '|' || details::text, ',' ORDER BY seq))
              FROM spotcheck.audit_log"
}
calendar() {
    q "$1" "SELECT count(*) || ' rows, ' || count(*) FILTER (WHERE NOT shipped) || ' added, md5 '
                || md5(string_agg(day || kind || name, ',' ORDER BY day))
              FROM spotcheck.calendar_days"
}

echo "1..11"
dropdb --if-exists "$src" 2>/dev/null
createdb "$src" && q "$src" "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $src"; exit 1; }
psql -qX -d "$src" -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || { echo "Bail out! cannot fill $src"; exit 1; }
INSERT INTO spotcheck.calendar_years (year, source) VALUES (2027, '国务院办公厅关于2027年部分节假日安排的通知');
INSERT INTO spotcheck.calendar_days (day, kind, name) VALUES
    ('2027-01-01', 'holiday', '元旦'), ('2027-02-06', 'workday', '春节调休');
SELECT spotcheck.audit_append('plan.note', 'plan:2026-12', NULL, '{"units": 12}');
UPDATE spotcheck.calendar_days SET name = '元旦节' WHERE day = '2027-01-01';
SQL
src_log=$(fingerprint "$src")
src_cal=$(calendar "$src")
src_head=$(q "$src" "SELECT seq || ':' || hash_hex FROM spotcheck.audit_head()")

pg_dump -Fc -d "$src" -f "$work/src.dump" || { echo "Bail out! pg_dump failed"; exit 1; }

# The supported restore: triggers off (session_replication_role = replica),
# so the restore itself records nothing and the copy is exact.
createdb dump_exact
PGOPTIONS="-c session_replication_role=replica" pg_restore -d dump_exact "$work/src.dump" \
    >"$work/exact.log" 2>&1
check "pg_restore with session_replication_role = replica reports no error" "0" \
    "$(grep -c 'error' "$work/exact.log")"
check "the audit log is restored entry for entry" "$src_log" "$(fingerprint dump_exact)"
check "the chain head is restored" "$src_head" \
    "$(q dump_exact "SELECT seq || ':' || hash_hex FROM spotcheck.audit_head()")"
check "the restored chain verifies against the head published before the dump" "t" \
    "$(q dump_exact "SELECT ok FROM spotcheck.verify_audit_chain(${src_head%%:*}, decode('${src_head#*:}', 'hex'))")"
check "the calendar is restored: added rows kept, shipped rows not duplicated" "$src_cal" "$(calendar dump_exact)"
check "the added year works after the restore" "2027-01-04" \
    "$(q dump_exact "SELECT spotcheck.add_working_days('2026-12-31', 1)")"
check "appending after the restore continues the restored chain" "t" \
    "$(q dump_exact "SELECT spotcheck.audit_append('restore.check', 'db', NULL, NULL) > 0;
                     SELECT ok FROM spotcheck.verify_audit_chain()" | tail -1)"

# A plain SQL dump replayed with psql and the triggers on: restoring the
# added calendar rows is itself recorded, after the restored entries.
pg_dump -d "$src" -f "$work/src.sql" || { echo "Bail out! pg_dump failed"; exit 1; }
createdb dump_plain
psql -qX -d dump_plain -f "$work/src.sql" >"$work/plain.log" 2>&1
check "a plain dump replayed by psql reports no error" "0" "$(grep -c 'ERROR' "$work/plain.log")"
check "the restored entries come first, unchanged" "$src_log" \
    "$(q dump_plain "SELECT md5(string_agg(seq || '|' || encode(hash, 'hex') || '|' || details::text, ',' ORDER BY seq))
                       FROM spotcheck.audit_log WHERE seq <= ${src_head%%:*}")"
check "the restore's own inserts follow them and the chain verifies" "t" \
    "$(q dump_plain "SELECT ok FROM spotcheck.verify_audit_chain(${src_head%%:*}, decode('${src_head#*:}', 'hex'))")"
check "the calendar is the same after a plain restore" "$src_cal" "$(calendar dump_plain)"
