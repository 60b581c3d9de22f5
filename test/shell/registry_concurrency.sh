#!/usr/bin/env bash
# The directories loaded and edited from several sessions at once: nothing
# staged is lost, a load never writes back a value it read before another
# session changed it, two overlapping loads turn their shared rows into
# updates, unchanged rows or rejects (never a raw error, never a deadlock),
# and every batch counts exactly.  Runs against the cluster test/run started
# (PGHOST, PGPORT, PGUSER set); prints TAP.
#
# The interleavings are forced, not hoped for: a statement trigger on the
# directory (test-only) makes a session that has set test.pause wait on an
# advisory lock the test holds, and the test watches pg_stat_activity to see
# a session wait for a lock before it goes on.
set -uo pipefail
db=registry_concurrency
work=$(mktemp -d)
. "$(dirname "$0")/lib/tap.bash"
q() { psql -qAtX -d "$db" -v ON_ERROR_STOP=1 -c "$1"; }

# ---- sessions driven through a FIFO ----------------------------------------
declare -A FD
# open NAME ROLE — a psql session as ROLE, application_name NAME
open_session() {
    mkfifo "$work/$1.in"
    PGAPPNAME=$1 psql -qAtX -d "$db" -U "$2" <"$work/$1.in" >"$work/$1.out" 2>&1 &
    exec {fd}>"$work/$1.in"
    FD[$1]=$fd
}
marks=0
# send NAME SQL — hand SQL to the session; returns at once
send() { printf '%s\n' "$2" >&"${FD[$1]}"; }
# run NAME SQL — run SQL in the session and wait until it has finished
run() {
    marks=$((marks + 1))
    send "$1" "$2"
    send "$1" "\\echo @@done$marks"
    wait_for "$1 to finish" "grep -q '^@@done$marks\$' '$work/$1.out'"
}
# wait_for WHAT COMMAND — poll COMMAND until it succeeds (at most 60 s)
wait_for() {
    local i
    for i in $(seq 1 1200); do
        eval "$2" && return 0
        sleep 0.05
    done
    echo "# timed out waiting for $1" >&2
    return 1
}
# waiting_on_lock NAME — is the session waiting for a lock right now?
waiting_on_lock() {
    [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1' AND wait_event_type = 'Lock'")" = 1 ]
}
close_sessions() {
    local s
    for s in "${!FD[@]}"; do send "$s" '\q'; exec {FD[$s]}>&-; done
    wait
}
cleanup() { close_sessions 2>/dev/null; rm -rf "$work"; dropdb --if-exists "$db" 2>/dev/null; }
trap cleanup EXIT

dropdb --if-exists "$db" 2>/dev/null
createdb "$db" && q "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $db"; exit 1; }
psql -qX -d "$db" -v ON_ERROR_STOP=1 >/dev/null 2>"$work/setup.err" <<'SQL' || { sed 's/^/# /' "$work/setup.err"; echo "Bail out! setup failed"; exit 1; }
INSERT INTO spotcheck.agencies (code, name, level, parent) VALUES
    ('SD', '山东省消防救援总队', 'corps', NULL), ('ZB', '淄博市消防救援支队', 'detachment', 'SD'),
    ('ZD', '张店区消防救援大队', 'brigade', 'ZB'), ('WCH', '文昌湖消防救援大队', 'brigade', 'ZB');
DO $$ BEGIN
    DROP ROLE IF EXISTS conc_plan_a, conc_plan_b, conc_admin;
    CREATE ROLE conc_plan_a LOGIN IN ROLE spotcheck_planner;
    CREATE ROLE conc_plan_b LOGIN IN ROLE spotcheck_planner;
    CREATE ROLE conc_admin LOGIN IN ROLE spotcheck_admin;
END $$;
INSERT INTO spotcheck.agency_members (member, agency) VALUES ('conc_plan_a', 'ZD'), ('conc_plan_b', 'ZD');
-- the n-th valid unified social credit code of a series
CREATE FUNCTION public.code(n integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT b || spotcheck.uscc_check_char(b)::text
      FROM (SELECT '91370303' || o || CASE 11 - s % 11 WHEN 10 THEN 'X' WHEN 11 THEN '0' ELSE (11 - s % 11)::text END AS b
              FROM (SELECT o, (SELECT sum(substr(o, k::int, 1)::int * w)
                                 FROM unnest(ARRAY[3,7,9,10,5,8,4,2]) WITH ORDINALITY AS x(w, k)) AS s
                      FROM (SELECT lpad(n::text, 8, '0') AS o) a) b) c
$$;
-- (test only) a session that set test.pause waits here, after writing the
-- directory and before committing, until the test releases lock 4242
CREATE FUNCTION public.pause_here() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('test.pause', true) = 'on' THEN
        PERFORM pg_advisory_xact_lock(4242);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER zz_pause AFTER INSERT OR UPDATE ON spotcheck.units
    FOR EACH STATEMENT EXECUTE FUNCTION public.pause_here();
CREATE TRIGGER zz_pause AFTER INSERT OR UPDATE ON spotcheck.inspectors
    FOR EACH STATEMENT EXECUTE FUNCTION public.pause_here();
GRANT EXECUTE ON FUNCTION public.code(integer), public.pause_here() TO PUBLIC;
SQL

stage_units() {   # stage_units SESSION FROM TO [ORDER] [NAME-PREFIX]
    run "$1" "INSERT INTO spotcheck.unit_staging (code, name, address, responsible_person, unit_type, agency)
              SELECT public.code(i), '${5:-单位}' || i, '地址' || i, '负责人', '企业', 'ZD'
                FROM generate_series($2, $3) i ORDER BY i ${4:-ASC};"
}

open_session hold postgres
open_session a conc_plan_a
open_session a2 conc_plan_a
open_session b conc_plan_b
open_session admin conc_admin

# ---- 1. a load takes exactly the staged rows it reads -------------------------
run hold "SELECT pg_advisory_lock(4242);"
stage_units a 1 20000
send a "SET test.pause = on;"
send a "SELECT 'A', rows_read, rows_inserted, rows_rejected FROM spotcheck.load_units('first.csv');"
wait_for "load A to pause" "waiting_on_lock a"
# the same login stages ten more rows (autocommit) and loads them meanwhile
stage_units a2 20001 20010
run a2 "SELECT 'A2', rows_read, rows_inserted, rows_rejected FROM spotcheck.load_units('ten.csv');"
check "the second load reads the ten rows staged meanwhile, without waiting for the first" \
    "A2|10|10|0" "$(grep '^A2|' "$work/a2.out")"
run hold "SELECT pg_advisory_unlock(4242);"
run a "RESET test.pause;"
check "the first load reads and inserts its 20,000 rows" "A|20000|20000|0" "$(grep '^A|' "$work/a.out")"
check "every staged row was loaded: 20,010 units" 20010 "$(q "SELECT count(*) FROM spotcheck.units")"
check "nothing is left staged and nothing was deleted unread" 0 \
    "$(q "SELECT count(*) FROM spotcheck.unit_staging WHERE staged_by = 'conc_plan_a'")"

# rows staged while a load runs stay staged for the next load
run hold "SELECT pg_advisory_lock(4242);"
stage_units a 20011 20020
send a "SET test.pause = on;"
send a "SELECT 'A3', rows_read FROM spotcheck.load_units('more.csv');"
wait_for "load A to pause" "waiting_on_lock a"
stage_units a2 20021 20025
run hold "SELECT pg_advisory_unlock(4242);"
run a "RESET test.pause;"
check "a load reads only what was staged before it started" "A3|10" "$(grep '^A3|' "$work/a.out")"
check "rows staged during a load stay staged" 5 \
    "$(q "SELECT count(*) FROM spotcheck.unit_staging WHERE staged_by = 'conc_plan_a'")"
run a2 "SELECT 'A4', rows_read, rows_inserted FROM spotcheck.load_units('rest.csv');"
check "and the next load takes them" "A4|5|5" "$(grep '^A4|' "$work/a2.out")"

# ---- 2. a load never writes back a value it read before a concurrent change ---
u=$(q "SELECT public.code(7)")
run admin "BEGIN; UPDATE spotcheck.units SET manager_phone = '0533-1234567', credit_class = 'D' WHERE code = '$u';"
# the load renames the unit and leaves the optional fields empty
run b "INSERT INTO spotcheck.unit_staging (code, name, address, responsible_person, unit_type, agency)
       VALUES ('$u', '改名的单位', '地址7', '负责人', '企业', 'ZD');"
send b "SELECT 'B', rows_read, rows_updated, rows_unchanged, rows_rejected FROM spotcheck.load_units('rename.csv');"
wait_for "the load to wait for the administrator's row lock" "waiting_on_lock b"
run admin "COMMIT;"
run b "SELECT 1;"
check "the load waits, then updates the unit" "B|1|1|0|0" "$(grep '^B|' "$work/b.out")"
check "the administrator's phone and credit class survive the load" "0533-1234567|D|改名的单位" \
    "$(q "SELECT concat_ws('|', manager_phone, credit_class, name) FROM spotcheck.units WHERE code = '$u'")"
check "the load's history row starts from the administrator's version" "D|D" \
    "$(q "SELECT concat_ws('|', old_row ->> 'credit_class', new_row ->> 'credit_class') FROM spotcheck.registry_history
          WHERE table_name = 'units' AND object = '$u' ORDER BY id DESC LIMIT 1")"

# ---- 3. two overlapping loads at once -------------------------------------------
# A: units 30001..33000 ascending; B: 31501..34500 descending, half of the
# shared ones with another name.  B runs while A's rows are written but not
# committed.
run hold "SELECT pg_advisory_lock(4242);"
stage_units a 30001 33000 ASC
run b "INSERT INTO spotcheck.unit_staging (code, name, address, responsible_person, unit_type, agency)
       SELECT public.code(i), CASE WHEN i % 2 = 0 THEN '单位' ELSE '另一名称' END || i, '地址' || i, '负责人', '企业', 'ZD'
         FROM generate_series(31501, 34500) i ORDER BY i DESC;"
send a "SET test.pause = on;"
send a "SELECT 'A5', rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected FROM spotcheck.load_units('a.csv');"
wait_for "load A to pause" "waiting_on_lock a"
send b "SELECT 'B2', rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected FROM spotcheck.load_units('b.csv');"
wait_for "load B to wait for A's rows" "waiting_on_lock b"
run hold "SELECT pg_advisory_unlock(4242);"
run a "RESET test.pause;"
run b "SELECT 1;"
check "load A inserts its 3,000 rows" "A5|3000|3000|0|0|0" "$(grep '^A5|' "$work/a.out")"
check "load B: 1,500 new, 750 shared rows changed, 750 unchanged, no error" "B2|3000|1500|750|750|0" \
    "$(grep '^B2|' "$work/b.out")"
check "no raw error in either session" 0 "$(cat "$work/a.out" "$work/b.out" | grep -c ERROR)"
check "the directory holds the union of both files" 4500 \
    "$(q "SELECT count(*) FROM spotcheck.units u JOIN generate_series(30001, 34500) i ON u.code = public.code(i)")"
check "B's names won for the shared rows it changed" 750 \
    "$(q "SELECT count(*) FROM spotcheck.units u JOIN generate_series(31501, 33000) i ON u.code = public.code(i) WHERE u.name LIKE '另一名称%'")"
check "each batch's counts add up to what it read" 0 \
    "$(q "SELECT count(*) FROM spotcheck.load_batches WHERE rows_read <> rows_inserted + rows_updated + rows_unchanged + rows_rejected OR rows_unchanged < 0")"

# the same again with no pause: both loads run freely, in opposite line order
stage_units a 40001 43000 ASC X
stage_units b 40001 43000 DESC Y
send a "SELECT 'A6', rows_read, rows_inserted + rows_updated + rows_unchanged, rows_rejected FROM spotcheck.load_units('a2.csv');"
send b "SELECT 'B6', rows_read, rows_inserted + rows_updated + rows_unchanged, rows_rejected FROM spotcheck.load_units('b2.csv');"
run a "SELECT 1;"
run b "SELECT 1;"
check "free-running loads in opposite order: A completes" "A6|3000|3000|0" "$(grep '^A6|' "$work/a.out")"
check "free-running loads in opposite order: B completes" "B6|3000|3000|0" "$(grep '^B6|' "$work/b.out")"
check "no deadlock and no raw error" 0 "$(cat "$work/a.out" "$work/b.out" | grep -c ERROR)"
check "each of the 3,000 units holds the name of one of the two loads" 3000 \
    "$(q "SELECT count(*) FROM spotcheck.units WHERE name ~ '^[XY][0-9]+$'")"

# a unit another agency registers meanwhile becomes a reject of the load
run hold "SELECT pg_advisory_lock(4242);"
run admin "SET test.pause = on;"
send admin "INSERT INTO spotcheck.units (code, name, address, responsible_person, unit_type, agency)
            VALUES (public.code(50001), '文昌湖的单位', '地址', '负责人', '企业', 'WCH');"
wait_for "the administrator's insert to pause" "waiting_on_lock admin"
run b "INSERT INTO spotcheck.unit_staging (code, name, address, responsible_person, unit_type, agency)
       SELECT public.code(i), '张店的单位' || i, '地址', '负责人', '企业', 'ZD' FROM generate_series(50001, 50002) i;"
send b "SELECT 'B3', rows_read, rows_inserted, rows_updated, rows_rejected FROM spotcheck.load_units('b3.csv');"
wait_for "load B to wait for the administrator's row" "waiting_on_lock b"
run hold "SELECT pg_advisory_unlock(4242);"
run admin "RESET test.pause;"
run b "SELECT 1;"
check "a unit registered by another agency meanwhile is a reject of the load, not an error" "B3|2|1|0|1" \
    "$(grep '^B3|' "$work/b.out")"
check "which says only that another agency holds it" "code|42501|unit \"$(q "SELECT public.code(50001)")\" is registered with another agency, which you may not change" \
    "$(q "SELECT concat_ws('|', column_name, sqlstate, reason) FROM spotcheck.load_rejects r JOIN spotcheck.load_batches b ON b.id = r.batch_id WHERE b.source = 'b3.csv'")"
check "the other agency keeps its unit" "WCH|文昌湖的单位" \
    "$(q "SELECT concat_ws('|', agency, name) FROM spotcheck.units WHERE code = public.code(50001)")"

# ---- 4. inspectors: a certificate taken meanwhile is a reject, not an error -----
run hold "SELECT pg_advisory_lock(4242);"
run a "INSERT INTO spotcheck.inspector_staging (code, name, agency, certificate_no) VALUES ('ZD-1', '甲', 'ZD', 'C-9'), ('ZD-2', '乙', 'ZD', 'C-8');"
run b "INSERT INTO spotcheck.inspector_staging (code, name, agency, certificate_no) VALUES ('ZD-3', '丙', 'ZD', 'C-9'), ('ZD-4', '丁', 'ZD', 'C-7');"
send a "SET test.pause = on;"
send a "SELECT 'IA', rows_read, rows_inserted, rows_rejected FROM spotcheck.load_inspectors('ia.csv');"
wait_for "inspector load A to pause" "waiting_on_lock a"
send b "SELECT 'IB', rows_read, rows_inserted, rows_rejected FROM spotcheck.load_inspectors('ib.csv');"
wait_for "inspector load B to wait for A's certificate" "waiting_on_lock b"
run hold "SELECT pg_advisory_unlock(4242);"
run a "RESET test.pause;"
run b "SELECT 1;"
check "load A inserts both officers" "IA|2|2|0" "$(grep '^IA|' "$work/a.out")"
check "load B inserts one and rejects the one whose certificate A took" "IB|2|1|1" "$(grep '^IB|' "$work/b.out")"
check "the reject says why, at its line" "2|certificate_no|23505" \
    "$(q "SELECT concat_ws('|', line_no, column_name, sqlstate) FROM spotcheck.load_rejects r JOIN spotcheck.load_batches b ON b.id = r.batch_id WHERE b.source = 'ib.csv'")"

# and an inspector load takes exactly the rows it reads, too
run hold "SELECT pg_advisory_lock(4242);"
run a "INSERT INTO spotcheck.inspector_staging (code, name, agency, certificate_no)
       SELECT 'ZD-1' || i, '员' || i, 'ZD', 'C-1' || i FROM generate_series(100, 199) i;"
send a "SET test.pause = on;"
send a "SELECT 'IA2', rows_read, rows_inserted FROM spotcheck.load_inspectors('ia2.csv');"
wait_for "inspector load A to pause" "waiting_on_lock a"
run a2 "INSERT INTO spotcheck.inspector_staging (code, name, agency, certificate_no)
        SELECT 'ZD-2' || i, '员' || i, 'ZD', 'C-2' || i FROM generate_series(100, 104) i;"
run a2 "SELECT 'IA3', rows_read, rows_inserted FROM spotcheck.load_inspectors('ia3.csv');"
run hold "SELECT pg_advisory_unlock(4242);"
run a "RESET test.pause;"
check "an inspector load reads the rows staged meanwhile by the same login, without waiting" "IA3|5|5" \
    "$(grep '^IA3|' "$work/a2.out")"
check "the first inspector load loads its own 100" "IA2|100|100" "$(grep '^IA2|' "$work/a.out")"
check "no inspector row is left staged or lost" "0|105" \
    "$(q "SELECT (SELECT count(*) FROM spotcheck.inspector_staging WHERE staged_by = 'conc_plan_a') || '|' ||
              (SELECT count(*) FROM spotcheck.inspectors WHERE code ~ '^ZD-[12]1[0-9][0-9]$')")"

# ---- 5. the record of all this ----------------------------------------------------
check "every unit change is in the history exactly once per statement" 0 \
    "$(q "SELECT count(*) FROM (SELECT change_set, object FROM spotcheck.registry_history GROUP BY 1, 2 HAVING count(*) > 1) d")"
check "the bulk digests verify" "t" "$(q "SELECT bool_and(ok) FROM spotcheck.verify_registry_history()")"
check "the audit chain verifies" "t" "$(q "SELECT ok FROM spotcheck.verify_audit_chain()")"
echo "1..$n"
