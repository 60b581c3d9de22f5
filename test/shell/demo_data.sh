#!/usr/bin/env bash
# The demo's data set (demo/data/generate.sh): generated twice, once with the
# default plan month and once naming it under another TimeZone and DateStyle,
# the bytes are identical; the directory is what the demo needs (about 3,000
# units of the 文昌湖 brigade with unique names and valid codes, 8–12% key
# units, crowded places only where the venue category is one, 24 inspectors);
# every unit and inspector row loads through load_units / load_inspectors as a
# planner of WCH, the excepted code only once its exception is recorded; the
# absences fall in the plan month, the recusals name loaded units and
# inspectors, the evidence lies in its windows; the bad file gives exactly the
# expected rejects.  Runs against the cluster test/run started; prints TAP.
set -uo pipefail
db=demo_data_test
planner=tap_demo_data_planner
head=tap_demo_data_head
work=$(mktemp -d)
chmod 755 "$work"
root=$(cd "$(dirname "$0")/../.." && pwd)
gen=$root/demo/data/generate.sh
drop_db() {
    dropdb --if-exists "$db" 2>/dev/null
    psql -qAtX -d postgres -c "DROP ROLE IF EXISTS $planner" -c "DROP ROLE IF EXISTS $head" >/dev/null 2>&1
}
trap 'rm -rf "$work"; drop_db' EXIT

. "$(dirname "$0")/lib/tap.bash"
q() { psql -qAtX -v ON_ERROR_STOP=1 -d "$db" "$@"; }
as() { local role=$1; shift; psql -qAtX -v ON_ERROR_STOP=1 -d "$db" -U "$role" "$@"; }
UNIT_COLUMNS=code,name,address,responsible_person,unit_type,agency,legal_representative,responsible_phone,manager_name,manager_phone,building_area,building_category,venue_category,industry_authority,region,is_key_unit,is_crowded_place,credit_class,risk_level,active
INSPECTOR_COLUMNS=code,name,gender,agency,position,certificate_no,certificate_valid_until,post,title_category,enforcement_years,active
FILES="units.csv inspectors.csv exceptions.csv absences.csv recusals.csv risk_signals.csv outcomes.csv units_bad.csv"

echo "1..39"
drop_db
createdb "$db" && q -c "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $db"; exit 1; }
q >/dev/null <<SQL || { echo "Bail out! cannot set up $db"; exit 1; }
CREATE ROLE $planner LOGIN IN ROLE spotcheck_planner;
CREATE ROLE $head LOGIN IN ROLE spotcheck_head;
INSERT INTO spotcheck.agencies (code, name, level, parent, region) VALUES
    ('SD', '山东省消防救援总队', 'corps', NULL, '370000'),
    ('ZB', '淄博市消防救援支队', 'detachment', 'SD', '370300'),
    ('WCH', '淄博文昌湖省级旅游度假区消防救援大队', 'brigade', 'ZB', '370390');
INSERT INTO spotcheck.agency_members (member, agency) VALUES ('$planner', 'WCH'), ('$head', 'WCH');
SQL
month=$(q -c "SELECT to_char(date_trunc('month', (now() AT TIME ZONE 'Asia/Shanghai') + interval '1 month'), 'YYYY-MM')")

# ---- generation: twice, the same bytes ----------------------------------------
PGDATABASE=$db "$gen" "$work/a" >"$work/a.out" 2>&1
check "generate.sh with the default plan month succeeds" "0" "$?"
grep -q "plan month $month:" "$work/a.out"
check "the default plan month is the month after today in China ($month)" "0" "$?"
PGDATABASE=$db PGOPTIONS='-c TimeZone=America/Los_Angeles -c DateStyle=SQL,DMY -c IntervalStyle=sql_standard' \
    "$gen" "$work/b" "$month" >"$work/b.out" 2>&1
check "generate.sh naming the month, under another TimeZone and DateStyle, succeeds" "0" "$?"
same=0
for f in $FILES; do cmp -s "$work/a/$f" "$work/b/$f" || { echo "#   $f differs"; same=1; }; done
check "the two runs wrote byte-identical files" "0" "$same"
check "nothing but the eight files is left in the output folder" "$(echo $FILES | tr ' ' '\n' | sort | tr '\n' ' ')" \
      "$(ls -A "$work/a" | sort | tr '\n' ' ')"
PGDATABASE=$db "$gen" "$work/c" 2027-13 >"$work/c.out" 2>&1
check "a malformed plan month is refused (exit 2, naming it)" "2:1" "$?:$(grep -c 'invalid PLAN_MONTH "2027-13"' "$work/c.out")"
d=$work/a

check "units.csv has the columns of spotcheck.unit_staging, in order" "$UNIT_COLUMNS" "$(head -1 "$d/units.csv")"
check "inspectors.csv has the columns of spotcheck.inspector_staging, in order" "$INSPECTOR_COLUMNS" "$(head -1 "$d/inspectors.csv")"

# ---- the files as written -------------------------------------------------------
q >/dev/null <<SQL || { echo "Bail out! cannot read the generated files"; exit 1; }
CREATE TABLE f_units ($(sed 's/,/ text, /g' <<<"$UNIT_COLUMNS") text);
\copy f_units FROM '$d/units.csv' WITH (FORMAT csv, HEADER)
CREATE INDEX ON f_units (code);
CREATE TABLE f_inspectors ($(sed 's/,/ text, /g' <<<"$INSPECTOR_COLUMNS") text);
\copy f_inspectors FROM '$d/inspectors.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE f_exceptions (code text, agency text, reason text);
\copy f_exceptions FROM '$d/exceptions.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE f_absences (inspector text, starts date, ends date, reason text, note text);
\copy f_absences FROM '$d/absences.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE f_recusals (inspector text, unit text, reason text);
\copy f_recusals FROM '$d/recusals.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE f_signals (unit text, kind text, source_system text, observed_at timestamptz, detail text, source_ref text);
\copy f_signals FROM '$d/risk_signals.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE f_outcomes (unit text, agency text, observed_on date, outcome text, source text, source_ref text, note text);
\copy f_outcomes FROM '$d/outcomes.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE plan AS SELECT '$month-01'::date AS first_day, ('$month-01'::date + interval '1 month - 1 day')::date AS last_day;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC;
SQL

units=$(q -c "SELECT count(*) FROM f_units")
check "about 3,000 units (2,900–3,100; $units)" "t" "$(q -c "SELECT $units BETWEEN 2900 AND 3100")"
check "24 inspectors" "24" "$(q -c "SELECT count(*) FROM f_inspectors")"
check "unit names are unique" "0" "$(q -c "SELECT count(*) - count(DISTINCT name) FROM f_units")"
check "no unit name ends in a digit (nor holds one)" "" "$(q -c "SELECT string_agg(name, ', ') FROM f_units WHERE name ~ '[0-9０-９]'")"
check "every unit is the brigade's: agency WCH, region 370390, an address in the zone" "0" \
      "$(q -c "SELECT count(*) FROM f_units WHERE agency <> 'WCH' OR region <> '370390'
                  OR address !~ '^山东省淄博市文昌湖省级旅游度假区(萌水镇|商家镇|岭子镇).+[0-9]+号$'")"
check "key units are 8–12% of the units" "t" \
      "$(q -c "SELECT avg((is_key_unit = 'true')::int) BETWEEN 0.08 AND 0.12 FROM f_units")"
check "crowded places only in crowded venue categories" "" \
      "$(q -c "SELECT string_agg(DISTINCT venue_category, ', ') FROM f_units WHERE is_crowded_place = 'true'
                  AND venue_category NOT IN ('公共娱乐场所', '宾馆饭店', '商场市场', '餐饮场所', '学校', '医院', '养老机构',
                                             '景区', '宗教活动场所', '文体场馆')")"
check "between a third and two thirds of the key units are crowded places" "t" \
      "$(q -c "SELECT avg((is_crowded_place = 'true')::int) BETWEEN 0.33 AND 0.67 FROM f_units WHERE is_key_unit = 'true'")"
check "credit classes A–D, mostly A or B; risk levels 1–4" "0:true" \
      "$(q -c "SELECT count(*) FILTER (WHERE credit_class NOT IN ('A','B','C','D') OR risk_level NOT IN ('1','2','3','4'))
                      || ':' || (avg((credit_class IN ('A', 'B'))::int) >= 0.75) FROM f_units")"
check "every code is a valid credit code or a 15-digit registration number, but one" "1" \
      "$(q -c "SELECT count(*) FROM f_units WHERE NOT spotcheck.uscc_is_valid(code) AND code !~ '^[0-9]{15}$'")"
check "that one is the code of exceptions.csv, whose check character alone is wrong" "1:true" \
      "$(q -c "SELECT count(*) || ':' || bool_and(spotcheck.uscc_is_valid(left(e.code, 17) || spotcheck.uscc_check_char(left(e.code, 17))::text))
                 FROM f_units u JOIN f_exceptions e ON e.code = u.code
                WHERE NOT spotcheck.uscc_is_valid(u.code) AND u.code !~ '^[0-9]{15}$'")"
check "some units have only a 15-digit registration number, each an individual business" "true:0" \
      "$(q -c "SELECT (count(*) BETWEEN 5 AND 100) || ':' || count(*) FILTER (WHERE unit_type <> '个体工商户')
                 FROM f_units WHERE code ~ '^[0-9]{15}$'")"
check "the registration authority and type of each code fit the unit type (91 企业, 92 个体工商户, 12 事业单位 …)" "" \
      "$(q -c "SELECT string_agg(DISTINCT unit_type || ' ' || left(code, 2), ', ') FROM f_units
                WHERE length(code) = 18 AND left(code, 2) <> CASE unit_type WHEN '企业' THEN '91' WHEN '个体工商户' THEN '92'
                      WHEN '农民专业合作社' THEN '93' WHEN '事业单位' THEN '12' WHEN '机关' THEN '11' WHEN '社会团体' THEN '51'
                      WHEN '民办非企业单位' THEN '52' WHEN '基金会' THEN '53' WHEN '宗教活动场所' THEN '71' END")"
check "the division in each code is of the area (370390, or 淄川, 周村, 淄博 for older registrations)" "" \
      "$(q -c "SELECT string_agg(DISTINCT substr(code, 3, 6), ', ') FROM f_units
                WHERE length(code) = 18 AND substr(code, 3, 6) NOT IN ('370390', '370302', '370306', '370300')")"

# ---- loading as a planner of WCH --------------------------------------------------
stage_units() { echo "\\copy spotcheck.unit_staging ($UNIT_COLUMNS) FROM '$1' WITH (FORMAT csv, HEADER)"; }
first=$(as "$planner" <<SQL 2>&1
BEGIN;
$(stage_units "$d/units.csv")
SELECT id AS batch, rows_read || ':' || rows_rejected AS counts FROM spotcheck.load_units('units.csv') \\gset
SELECT :'counts' || ':' || string_agg(column_name || ' ' || sqlstate || ' ' || value, '; ') FROM spotcheck.load_rejects WHERE batch_id = :batch;
ROLLBACK;
SQL
)
check "without its exception, the excepted code is the only row refused" \
      "$units:1:code 22P02 $(q -c "SELECT code FROM f_exceptions")" "$first"

as "$head" >/dev/null <<SQL
CREATE TEMP TABLE exceptions_csv (code text, agency text, reason text);
\\copy exceptions_csv FROM '$d/exceptions.csv' WITH (FORMAT csv, HEADER)
INSERT INTO spotcheck.unit_code_exceptions (code, agency, reason) SELECT code, agency, reason FROM exceptions_csv;
SQL
check "the brigade's head records the exception of exceptions.csv" "1" "$(q -c "SELECT count(*) FROM spotcheck.unit_code_exceptions")"

loaded=$(as "$planner" <<SQL 2>&1
$(stage_units "$d/units.csv")
SELECT rows_read || ':' || rows_inserted || ':' || rows_rejected FROM spotcheck.load_units('units.csv');
\\copy spotcheck.inspector_staging ($INSPECTOR_COLUMNS) FROM '$d/inspectors.csv' WITH (FORMAT csv, HEADER)
SELECT rows_read || ':' || rows_inserted || ':' || rows_rejected FROM spotcheck.load_inspectors('inspectors.csv');
SQL
)
check "every unit loads through load_units as a planner of WCH, none rejected" "$units:$units:0" "$(sed -n 1p <<<"$loaded")"
check "every inspector loads through load_inspectors, none rejected" "24:24:0" "$(sed -n 2p <<<"$loaded")"
check "the directory holds the excepted code as kind exception, the rest as uscc or registration" "exception:1" \
      "$(q -c "SELECT code_kind || ':' || count(*) FROM spotcheck.units u JOIN f_exceptions e USING (code) GROUP BY code_kind")"
check "the directory matches the file: keys, crowded places, credit classes" "0" \
      "$(q -c "SELECT count(*) FROM spotcheck.units u JOIN f_units f USING (code)
                WHERE u.is_key_unit::text <> f.is_key_unit OR u.is_crowded_place::text <> f.is_crowded_place
                   OR u.credit_class <> f.credit_class OR u.name <> f.name")"

side=$(as "$planner" <<SQL 2>&1
CREATE TEMP TABLE absences_csv (inspector text, starts date, ends date, reason text, note text);
\\copy absences_csv FROM '$d/absences.csv' WITH (FORMAT csv, HEADER)
INSERT INTO spotcheck.inspector_absences (inspector, starts, ends, reason, note) SELECT * FROM absences_csv;
CREATE TEMP TABLE recusals_csv (inspector text, unit text, reason text);
\\copy recusals_csv FROM '$d/recusals.csv' WITH (FORMAT csv, HEADER)
INSERT INTO spotcheck.inspector_recusals (inspector, unit, reason) SELECT * FROM recusals_csv;
SELECT (SELECT count(*) FROM spotcheck.inspector_absences) || ':' || (SELECT count(*) FROM spotcheck.inspector_recusals);
SQL
)
check "the planner records every absence and recusal of the files" \
      "$(q -c "SELECT (SELECT count(*) FROM f_absences) || ':' || (SELECT count(*) FROM f_recusals)")" "$side"
check "some inspectors are absent, every absence within the plan month ($month)" "true:0" \
      "$(q -c "SELECT (count(*) BETWEEN 3 AND 10) || ':' || count(*) FILTER (WHERE a.starts < p.first_day OR a.ends > p.last_day OR a.ends < a.starts)
                 FROM f_absences a, plan p")"
check "recusal pairs name loaded inspectors and units, with a reason" "0:true" \
      "$(q -c "SELECT count(*) FILTER (WHERE i.code IS NULL OR u.code IS NULL OR btrim(r.reason) = '') || ':' || (count(*) >= 3)
                 FROM f_recusals r LEFT JOIN spotcheck.inspectors i ON i.code = r.inspector
                 LEFT JOIN spotcheck.units u ON u.code = r.unit")"
check "one certificate expires within the plan month; available for the month: the others not absent in it" \
      "1:$(q -c "SELECT count(*) FROM f_inspectors i, plan p WHERE i.certificate_valid_until::date >= p.last_day
                   AND NOT EXISTS (SELECT FROM f_absences a WHERE a.inspector = i.code AND a.starts <= p.last_day AND a.ends >= p.first_day)")" \
      "$(q -c "SELECT count(*) FROM f_inspectors, plan WHERE certificate_valid_until::date BETWEEN first_day AND last_day"):$(as "$planner" -c \
          "SELECT count(*) FROM spotcheck.available_inspectors('WCH', (SELECT first_day FROM plan), (SELECT last_day FROM plan))")"
check "that makes 16 of the 24 inspectors available for teams of two" "16" \
      "$(as "$planner" -c "SELECT count(*) FROM spotcheck.available_inspectors('WCH', (SELECT first_day FROM plan), (SELECT last_day FROM plan))")"

# ---- evidence for the plan ----------------------------------------------------------
check "risk signals: known units and kinds, a source and detail, within the 90 days before the plan month" "true:0" \
      "$(q -c "SELECT (count(*) >= 50) || ':' || count(*) FILTER (WHERE NOT EXISTS (SELECT FROM f_units u WHERE u.code = s.unit)
                   OR s.kind NOT IN ('iot_alarm', 'complaint', 'hazard_report', 'other') OR btrim(s.source_system) = ''
                   OR btrim(s.detail) = '' OR s.observed_at < (p.first_day - 90)::timestamp AT TIME ZONE 'Asia/Shanghai'
                   OR s.observed_at >= (p.first_day - interval '1 month') AT TIME ZONE 'Asia/Shanghai')
                 FROM f_signals s, plan p")"
check "risk signals: each kind present, references unique per source system" "4:0" \
      "$(q -c "SELECT count(DISTINCT kind) || ':' || (count(*) - count(DISTINCT (source_system, source_ref))) FROM f_signals")"
check "outcomes: known units, outcomes and agencies, within the 18 months before the plan month" "true:0" \
      "$(q -c "SELECT (count(*) >= 300) || ':' || count(*) FILTER (WHERE NOT EXISTS (SELECT FROM f_units u WHERE u.code = o.unit)
                   OR o.outcome NOT IN ('violation', 'penalised', 'compliant') OR o.agency NOT IN ('WCH', 'ZB')
                   OR o.observed_on < (p.first_day - interval '18 months')::date OR o.observed_on >= (p.first_day - interval '1 month')::date)
                 FROM f_outcomes o, plan p")"
check "outcomes: all three outcomes present, references unique per source" "3:0" \
      "$(q -c "SELECT count(DISTINCT outcome) || ':' || (count(*) - count(DISTINCT (source, source_ref))) FROM f_outcomes")"

# ---- the bad file ----------------------------------------------------------------------
bad=$(as "$planner" <<SQL 2>&1
$(stage_units "$d/units_bad.csv")
SELECT rows_read || ':' || rows_inserted || ':' || rows_rejected FROM spotcheck.load_units('units_bad.csv');
SELECT string_agg(line_no || ' ' || column_name || ' ' || sqlstate, ', ' ORDER BY line_no, column_name)
  FROM spotcheck.load_rejects WHERE batch_id = (SELECT max(id) FROM spotcheck.load_batches);
SQL
)
check "units_bad.csv: every row read and rejected" "8:0:8" "$(sed -n 1p <<<"$bad")"
check "units_bad.csv: the expected rejects (line, column, SQLSTATE)" \
      "2 code 22P02, 3 address 23502, 3 responsible_person 23502, 4 credit_class 22023, 5 code 22P02, 6 responsible_phone 22023, 6 risk_level 22003, 7 building_area 22P02, 8 agency 23503, 9 is_crowded_place 22P02" \
      "$(sed -n 2p <<<"$bad")"
