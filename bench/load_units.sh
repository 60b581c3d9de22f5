#!/usr/bin/env bash
# bench/load_units.sh — how fast the unit directory loads from CSV.
#
# Generates a realistic file of ROWS units (default 100,000) for ten brigades
# of one detachment: valid generated unified social credit codes, about 3%
# 15-digit registration numbers, and BAD_PCT percent (default 1) bad rows of
# each of eight kinds (bad check character, blank mandatory field, unknown
# agency, bad credit class, unreadable area, bad phone, bad yes/no, the same
# code twice).  Then times, on a throwaway cluster:
#   1. \copy into spotcheck.unit_staging
#   2. spotcheck.load_units() as a planner of the ten brigades (its rights:
#      only their rows): validation, rejects, inserts, history, audit digests
#   3. the same file loaded again (nothing changes)
# and, for comparison in the same run, the alternatives:
#   A. COPY of only the good rows straight into spotcheck.units (the same
#      triggers, audited row by row; a single bad row would abort it)
#   B. the same COPY with every trigger off (session_replication_role =
#      replica): the floor of storing the rows at all
# Usage: bench/load_units.sh [ROWS] [BAD_PCT]
set -euo pipefail
. "$(dirname "$0")/../tools/cluster.sh"
cd "$SPOTCHECK_ROOT"
ROWS=${1:-100000}
BAD_PCT=${2:-1}

ensure_base_packages
build_and_install
start_cluster
work=$CLUSTER_DIR/bench
mkdir -p "$work"

COLS="code,name,address,responsible_person,unit_type,agency,legal_representative,responsible_phone,manager_name,manager_phone,building_area,building_category,venue_category,industry_authority,region,is_key_unit,is_crowded_place,credit_class,risk_level,active"
BRIGADES="B01,B02,B03,B04,B05,B06,B07,B08,B09,B10"

setup_db() {   # setup_db NAME — the extension and the agencies
    createdb "$1"
    psql -qX -v ON_ERROR_STOP=1 -d "$1" >/dev/null <<SQL
CREATE EXTENSION spotcheck;
INSERT INTO spotcheck.agencies (code, name, level, parent) VALUES
    ('SD', '山东省消防救援总队', 'corps', NULL), ('ZB', '淄博市消防救援支队', 'detachment', 'SD');
INSERT INTO spotcheck.agencies (code, name, level, parent)
SELECT b, '第' || right(b, 2) || '大队', 'brigade', 'ZB' FROM unnest(string_to_array('$BRIGADES', ',')) b;
SQL
}
now_s() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

log "generating $ROWS units ($BAD_PCT% bad of each kind)"
setup_db bench
t0=$(now_s)
psql -qAtX -v ON_ERROR_STOP=1 -d bench -v rows="$ROWS" -v bad_pct="$BAD_PCT" -v agencies="$BRIGADES" -v seed=0.42 \
     -f tools/gen_units.sql >"$work/units.csv"
t1=$(now_s)
log "generated $(($(wc -l <"$work/units.csv") - 1)) rows in $(secs "$t0" "$t1") s"

psql -qX -v ON_ERROR_STOP=1 -d bench >/dev/null <<SQL
CREATE ROLE bench_planner LOGIN IN ROLE spotcheck_planner;
INSERT INTO spotcheck.agency_members (member, agency) SELECT 'bench_planner', b FROM unnest(string_to_array('$BRIGADES', ',')) b;
SQL

run_load() {   # run_load LABEL — stage the file and load it as the planner; prints the batch
    local a b c
    a=$(now_s)
    psql -qX -v ON_ERROR_STOP=1 -d bench -U bench_planner -c "\\copy spotcheck.unit_staging ($COLS) FROM '$work/units.csv' WITH (FORMAT csv, HEADER)"
    b=$(now_s)
    batch=$(psql -qAtX -v ON_ERROR_STOP=1 -d bench -U bench_planner -c "SELECT rows_read || ' read, ' || rows_inserted || ' inserted, ' || rows_updated || ' updated, ' || rows_unchanged || ' unchanged, ' || rows_rejected || ' rejected' FROM spotcheck.load_units('units.csv')")
    c=$(now_s)
    stage_s=$(secs "$a" "$b"); load_s=$(secs "$b" "$c"); total_s=$(secs "$a" "$c")
    printf '%-44s copy %6ss  load_units %6ss  total %6ss   (%s)\n' "$1" "$stage_s" "$load_s" "$total_s" "$batch"
}
echo
echo "== $ROWS units, $BAD_PCT% bad rows of each of 8 kinds; $(nproc) CPUs"
run_load "1. first load (staging + load_units)"
first_total=$total_s
run_load "2. same file again (nothing changes)"
echo "   rejects by column and SQLSTATE:"
psql -qAtX -d bench -c "SELECT '     ' || column_name || ' ' || sqlstate || ': ' || count(*) FROM spotcheck.load_rejects WHERE batch_id = 1 GROUP BY column_name, sqlstate ORDER BY 1"
rows_good=$(psql -qAtX -d bench -c "SELECT count(*) FROM spotcheck.units")

# alternatives: the good rows only, straight into the table
psql -qX -d bench -c "\\copy (SELECT $COLS FROM spotcheck.units ORDER BY code) TO '$work/good.csv' WITH (FORMAT csv, HEADER)" >/dev/null
setup_db bench_direct
a=$(now_s)
psql -qX -v ON_ERROR_STOP=1 -d bench_direct -c "\\copy spotcheck.units ($COLS) FROM '$work/good.csv' WITH (FORMAT csv, HEADER)" >/dev/null
b=$(now_s)
direct_s=$(secs "$a" "$b")
printf '%-44s %6ss for %s rows (row-by-row audit)\n' "A. COPY of the good rows into units" "$direct_s" "$rows_good"
setup_db bench_raw
a=$(now_s)
PGOPTIONS='-c session_replication_role=replica' psql -qX -v ON_ERROR_STOP=1 -d bench_raw \
    -c "\\copy spotcheck.units ($COLS) FROM '$work/good.csv' WITH (FORMAT csv, HEADER)" >/dev/null
b=$(now_s)
raw_s=$(secs "$a" "$b")
printf '%-44s %6ss for %s rows (no checks, no history, no audit)\n' "B. the same with every trigger off" "$raw_s" "$rows_good"
echo
awk -v l="$first_total" -v d="$direct_s" -v r="$raw_s" 'BEGIN {
    printf "staging + load_units / direct COPY of good rows: %.2f\n", l / d;
    printf "staging + load_units / COPY with triggers off:   %.2f\n", l / r }'
