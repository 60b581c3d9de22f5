#!/usr/bin/env bash
# The two directories (Articles 9-12): about 3,000 units and 24 inspectors of
# the 文昌湖 brigade, exported by the government platforms as CSV and loaded
# through the bulk loader, a file of bad rows rejected line by line, the one
# unit whose registered code fails its check held through a recorded
# exception; absences, recusals, and the evidence the weights will read.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
D=$DEMO_OUT/data

say "the platforms' exports for $DEMO_PLAN_MONTH (generated deterministically by demo/data/generate.sh)"
bash demo/data/generate.sh "$D" "$DEMO_PLAN_MONTH" >/dev/null
wc -l "$D"/*.csv | sed 's|'"$D"'/||'

say "the head records the one exception: a registered code whose check character is wrong"
P -q -U head_wch <<SQL
CREATE TEMP TABLE exceptions_csv (code text, agency text, reason text);
\copy exceptions_csv FROM '$D/exceptions.csv' WITH (FORMAT csv, HEADER)
INSERT INTO spotcheck.unit_code_exceptions (code, agency, reason) SELECT * FROM exceptions_csv;
SQL
P -U head_wch -c "SELECT code, agency, left(reason, 40) AS reason, allowed_by FROM spotcheck.unit_code_exceptions"

cols="code,name,address,responsible_person,unit_type,agency,legal_representative,responsible_phone,manager_name,manager_phone,building_area,building_category,venue_category,industry_authority,region,is_key_unit,is_crowded_place,credit_class,risk_level,active"
say "the planner stages the units export and loads it (load_units)"
P -q -U planner_wch -c "\\copy spotcheck.unit_staging ($cols) FROM '$D/units.csv' WITH (FORMAT csv, HEADER)"
P -U planner_wch -c "SELECT id AS batch, rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected
                       FROM spotcheck.load_units('units.csv')"
say "a second export with bad rows: each rejected with its line, column, SQLSTATE, reason and hint"
P -q -U planner_wch -c "\\copy spotcheck.unit_staging ($cols) FROM '$D/units_bad.csv' WITH (FORMAT csv, HEADER)"
batch=$(Q planner_wch "SELECT id FROM spotcheck.load_units('units_bad.csv')")
P -U planner_wch -c "SELECT line_no AS line, column_name AS col, sqlstate, left(reason, 70) AS reason
                       FROM spotcheck.load_rejects WHERE batch_id = $batch ORDER BY line_no, column_name"

say "the inspectors (Article 10: only officers with an enforcement certificate)"
P -q -U planner_wch -c "\\copy spotcheck.inspector_staging (code,name,gender,agency,position,certificate_no,certificate_valid_until,post,title_category,enforcement_years,active) FROM '$D/inspectors.csv' WITH (FORMAT csv, HEADER)"
P -U planner_wch -c "SELECT id AS batch, rows_read, rows_inserted, rows_rejected FROM spotcheck.load_inspectors('inspectors.csv')"

say "absences next month, recusals (回避), and what inspections found and other systems reported (the weights' evidence)"
P -q -U planner_wch <<SQL
CREATE TEMP TABLE absences_csv (inspector text, starts date, ends date, reason text, note text);
\copy absences_csv FROM '$D/absences.csv' WITH (FORMAT csv, HEADER)
INSERT INTO spotcheck.inspector_absences (inspector, starts, ends, reason, note) SELECT * FROM absences_csv;
CREATE TEMP TABLE recusals_csv (inspector text, unit text, reason text);
\copy recusals_csv FROM '$D/recusals.csv' WITH (FORMAT csv, HEADER)
INSERT INTO spotcheck.inspector_recusals (inspector, unit, reason) SELECT * FROM recusals_csv;
CREATE TEMP TABLE signals_csv (unit text, kind text, source_system text, observed_at timestamptz, detail text, source_ref text);
\copy signals_csv FROM '$D/risk_signals.csv' WITH (FORMAT csv, HEADER)
INSERT INTO spotcheck.risk_signals (unit, agency, kind, source_system, observed_at, detail, source_ref)
SELECT s.unit, 'WCH', s.kind, s.source_system, s.observed_at, s.detail, s.source_ref FROM signals_csv s;
CREATE TEMP TABLE outcomes_csv (unit text, agency text, observed_on date, outcome text, source text, source_ref text, note text);
\copy outcomes_csv FROM '$D/outcomes.csv' WITH (FORMAT csv, HEADER)
INSERT INTO spotcheck.inspection_outcomes (unit, agency, observed_on, outcome, source, source_ref, note)
SELECT * FROM outcomes_csv WHERE agency = 'WCH';
SQL
P -U admin_zb -q <<SQL
CREATE TEMP TABLE outcomes_csv (unit text, agency text, observed_on date, outcome text, source text, source_ref text, note text);
\copy outcomes_csv FROM '$D/outcomes.csv' WITH (FORMAT csv, HEADER)
INSERT INTO spotcheck.inspection_outcomes (unit, agency, observed_on, outcome, source, source_ref, note)
SELECT * FROM outcomes_csv WHERE agency = 'ZB';
SQL

say "the administrator binds each inspector's login to the inspector it records results as"
P -q -U admin_zb -c "INSERT INTO spotcheck.inspector_logins (login, inspector)
                      SELECT format('insp_wch_%s', lpad(i::text, 3, '0')), format('WCH-%s', lpad(i::text, 3, '0'))
                        FROM generate_series(1, 24) i"

say "the directory of WCH, as its planner reads it"
P -U planner_wch <<'SQL'
SELECT count(*) AS units, count(*) FILTER (WHERE is_key_unit) AS key_units,
       count(*) FILTER (WHERE is_key_unit AND is_crowded_place) AS crowded_key_units,
       count(*) FILTER (WHERE code_kind = 'registration') AS registration_numbers,
       count(*) FILTER (WHERE code_kind = 'exception') AS exceptions,
       string_agg(DISTINCT credit_class, '') AS credit_classes
  FROM spotcheck.units;
SELECT code, name, address, unit_type, venue_category, credit_class AS credit, risk_level AS risk
  FROM spotcheck.units WHERE is_key_unit AND is_crowded_place ORDER BY code LIMIT 5;
SELECT (SELECT count(*) FROM spotcheck.inspectors) AS inspectors, (SELECT count(*) FROM spotcheck.inspector_absences) AS absences,
       (SELECT count(*) FROM spotcheck.inspector_recusals) AS recusals, (SELECT count(*) FROM spotcheck.risk_signals) AS risk_signals,
       (SELECT count(*) FROM spotcheck.inspection_outcomes) AS past_outcomes;
SQL
say "the portal's reporting account reads none of it"
P -U portal -c "SELECT count(*) FROM spotcheck.units" 2>&1 | sed -n 1p || true
