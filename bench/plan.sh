#!/usr/bin/env bash
# bench/plan.sh — how long does a brigade's plan take?  Builds and installs
# spotcheck, starts a throwaway cluster, loads a brigade of UNITS units (50,000
# by default: 10% key units, 4% crowded-place key units, credit classes and
# risk levels, 2% inactive) and INSPECTORS inspectors (200) with recusals,
# leave, two years of inspection outcomes and risk signals, an annual plan and
# two items, then measures in the same run:
#   month    plan_month for one month (pool, strata, weights, quotas,
#            inspector pool, commit) and, in the next transaction,
#            execute_plan (selection, teams, targets written)
#   year     the twelve months of 2026, each drawn and then executed
#   manual   the hand-written alternative plan_month replaces: the planner
#            builds a pool (strata and weights from credit class and risk
#            only, no exclusions, no explanation) in a temporary table and
#            commits it with commit_draw, then execute_draw
# REPS rounds of month (each in new connections; the plan is abandoned
# between rounds so the month can be drawn again), YEAR_REPS rounds of the
# year (the year's plans are abandoned between rounds), REPS of manual.
# Prints the medians, also of the first round (a connection's first plan
# compiles the functions), and writes them to bench/out/.
#
#   bench/plan.sh                     # 50,000 units, 200 inspectors, 5 and 3 rounds
#   UNITS=10000 REPS=3 YEAR_REPS=1 bench/plan.sh
set -euo pipefail
. "$(dirname "$0")/../tools/cluster.sh"
cd "$SPOTCHECK_ROOT"

UNITS=${UNITS:-50000}
INSPECTORS=${INSPECTORS:-200}
REPS=${REPS:-5}
YEAR_REPS=${YEAR_REPS:-3}

ensure_base_packages
build_and_install
start_cluster
export PATH="$PG_BIN:$PATH"
mkdir -p bench/out
out=bench/out/plan-$(date -u +%Y%m%dT%H%M%SZ).txt
q() { psql -qAtX -v ON_ERROR_STOP=1 "$@"; }

log "loading a brigade of $UNITS units and $INSPECTORS inspectors"
q -c 'CREATE EXTENSION spotcheck' >/dev/null
q -v units="$UNITS" -v inspectors="$INSPECTORS" >/dev/null <<'SQL'
SET client_min_messages = warning;
INSERT INTO spotcheck.agencies (code, name, level, parent, region) VALUES
    ('SD', '山东省消防救援总队', 'corps', NULL, '370000'),
    ('ZB', '淄博市消防救援支队', 'detachment', 'SD', '370300'),
    ('ZD', '张店区消防救援大队', 'brigade', 'ZB', '370303');
CREATE FUNCTION pg_temp.code(n integer) RETURNS text LANGUAGE sql AS $$
    SELECT b || spotcheck.uscc_check_char(b)::text
      FROM (SELECT '91370303' || o || CASE 11 - s % 11 WHEN 10 THEN 'X' WHEN 11 THEN '0' ELSE (11 - s % 11)::text END AS b
              FROM (SELECT o, (SELECT sum(substr(o, k::int, 1)::int * w)
                                 FROM unnest(ARRAY[3,7,9,10,5,8,4,2]) WITH ORDINALITY AS x(w, k)) AS s
                      FROM (SELECT lpad(n::text, 8, '0') AS o) a) b) c
$$;
CREATE FUNCTION pg_temp.h(i integer, salt integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT (('x' || left(md5(i || '/' || salt), 7))::bit(28)::integer % 1000)
$$;
SET spotcheck.bulk_audit = on;
INSERT INTO spotcheck.units (code, name, address, responsible_person, unit_type, agency, venue_category,
                             is_key_unit, is_crowded_place, credit_class, risk_level, active)
SELECT pg_temp.code(i), '单位' || i, '淄博市张店区人民路' || i || '号', '负责人' || i,
       (ARRAY['企业', '企业', '企业', '个体工商户', '事业单位', '机关'])[1 + pg_temp.h(i, 1) % 6], 'ZD',
       (ARRAY['商场市场', '宾馆饭店', '生产加工企业', '仓储场所', '办公场所', '餐饮场所', '公共娱乐场所', '医院'])[1 + pg_temp.h(i, 4) % 8],
       pg_temp.h(i, 2) < 100,
       (pg_temp.h(i, 2) < 100 AND pg_temp.h(i, 3) < 400) OR (pg_temp.h(i, 2) >= 100 AND pg_temp.h(i, 3) < 150),
       CASE WHEN pg_temp.h(i, 5) < 450 THEN 'A' WHEN pg_temp.h(i, 5) < 750 THEN 'B' WHEN pg_temp.h(i, 5) < 870 THEN 'C'
            WHEN pg_temp.h(i, 5) < 900 THEN 'D' END,
       1 + pg_temp.h(i, 6) % 4, pg_temp.h(i, 7) >= 20
  FROM generate_series(1, :units) i;
INSERT INTO spotcheck.inspectors (code, name, agency, certificate_no, certificate_valid_until)
SELECT 'ZD-' || lpad(i::text, 4, '0'), '检查员' || i, 'ZD', 'CERT-ZD-' || i, '2030-12-31' FROM generate_series(1, :inspectors) i;
RESET spotcheck.bulk_audit;
INSERT INTO spotcheck.inspector_recusals (inspector, unit, reason)
SELECT 'ZD-' || lpad((1 + pg_temp.h(i, 11) % :inspectors)::text, 4, '0'), pg_temp.code(1 + (pg_temp.h(i, 12) * 37 + i) % :units),
       '近亲属在该单位任职'
  FROM generate_series(1, 300) i ON CONFLICT DO NOTHING;
INSERT INTO spotcheck.inspector_absences (inspector, starts, ends, reason)
SELECT 'ZD-' || lpad((1 + (m * 7 + k) % :inspectors)::text, 4, '0'), make_date(2026, m, 10), make_date(2026, m, 20), 'leave'
  FROM generate_series(1, 12) m, generate_series(1, 5) k;
INSERT INTO spotcheck.inspection_outcomes (unit, agency, observed_on, outcome, source, source_ref)
SELECT pg_temp.code(1 + (i * 17) % :units), 'ZD', make_date(2025 + i % 2, 1 + i % 11, 5),
       (ARRAY['compliant', 'violation', 'penalised'])[1 + i % 3], 'provincial_platform', 'B-' || i
  FROM generate_series(1, :units / 25) i;
INSERT INTO spotcheck.risk_signals (unit, kind, source_system, observed_at)
SELECT pg_temp.code(1 + (i * 13) % :units), (ARRAY['iot_alarm', 'complaint', 'hazard_report'])[1 + i % 3], '城市消防物联网平台',
       make_date(2025 + i % 2, 1 + i % 11, 3)::timestamp AT TIME ZONE 'Asia/Shanghai'
  FROM generate_series(1, :units / 16) i;
INSERT INTO spotcheck.check_items (agency, code, title, legal_basis, content, unit_types, venue_categories, methods, ratio, frequency_per_year, valid_from)
VALUES ('ZB', 'ZB-01', '消防安全责任制落实情况', '《消防法》第十六条', '责任人、管理人履职', '{}', '{}', '{实地检查}', 3, 1, '2025-01-01'),
       ('ZB', 'ZB-02', '人员密集场所疏散条件', '《消防法》第二十八条', '疏散通道、安全出口', '{}',
        '{商场市场,宾馆饭店,公共娱乐场所,医院,餐饮场所}', '{实地检查}', 5, 1, '2025-01-01');
INSERT INTO spotcheck.annual_plans (agency, year, min_general_share, entropy_declaration)
VALUES ('ZD', 2026, 20, 'witnesses: three six-digit numbers read out at the plan meeting');
INSERT INTO spotcheck.annual_plan_strata (agency, year, stratum, monthly_ratio, yearly_ratio) VALUES
    ('ZD', 2026, 'key_crowded', 2, NULL), ('ZD', 2026, 'key_other', 1, 20), ('ZD', 2026, 'general', 0.2, 3);
INSERT INTO spotcheck.annual_plan_items (agency, year, item_id) SELECT 'ZD', 2026, id FROM spotcheck.check_items;
CREATE TABLE bench_times (what text, round integer, phase text, ms numeric);
ANALYZE;
SQL

# record WHAT ROUND PHASE MS — keep one measurement
record() { q -c "INSERT INTO bench_times VALUES ('$1', $2, '$3', $4)" >/dev/null; }

month_round() {   # one month: plan (new connection), execute (another), then abandon
    local r=$1 t
    t=$(q <<'SQL'
SELECT clock_timestamp() AS t0 \gset
SELECT spotcheck.plan_month('ZD', '2026-06-01') AS p \gset
SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000, 1) || ' ' || :p;
SQL
)
    record month "$r" plan "${t% *}"
    local p=${t#* }
    t=$(q <<SQL
SELECT clock_timestamp() AS t0 \\gset
SELECT spotcheck.execute_plan($p, 'witnesses: 381204 550129 907731') AS n \\gset
SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000, 1);
SQL
)
    record month "$r" execute "$t"
    q -c "SELECT spotcheck.abandon_plan($p, 'benchmark round')" >/dev/null
}

year_round() {    # twelve months, each planned then executed; then all abandoned
    local r=$1 t m
    t=$(q <<'SQL'
SELECT clock_timestamp() AS t0 \gset
SELECT format('SELECT spotcheck.plan_month(%L, %L)', 'ZD', to_char(m, 'YYYY-MM-DD')),
       format('SELECT spotcheck.execute_plan((SELECT plan FROM spotcheck.plans WHERE agency = %L AND month = %L AND state = %L), %L)',
              'ZD', to_char(m, 'YYYY-MM-DD'), 'committed', 'witnesses ' || to_char(m, 'MM'))
  FROM generate_series(date '2026-01-01', date '2026-12-01', interval '1 month') m \gexec
SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000, 1);
SQL
)
    record year "$r" total "$(tail -1 <<<"$t")"
    q -c "SELECT count(*) FROM spotcheck.coverage_due('ZD', 2026)" >"bench/out/.due"
    record year "$r" due_after_december "$(cat bench/out/.due)"
    q >/dev/null <<'SQL'
SELECT spotcheck.abandon_plan(plan, 'benchmark round') FROM spotcheck.plans WHERE agency = 'ZD' AND state <> 'abandoned' ORDER BY plan;
SQL
}

manual_round() {  # the hand-written pool, committed with commit_draw, executed with execute_draw
    local r=$1 t d
    t=$(q <<'SQL'
SELECT clock_timestamp() AS t0 \gset
CREATE TEMP TABLE month_pool AS
SELECT u.code AS key,
       CASE WHEN u.is_key_unit AND u.is_crowded_place THEN 'key_crowded' WHEN u.is_key_unit THEN 'key_other' ELSE 'general' END AS stratum,
       ((CASE u.credit_class WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 4 WHEN 'D' THEN 8 ELSE 2 END) * COALESCE(u.risk_level, 2))::bigint AS weight
  FROM spotcheck.units u WHERE u.agency = 'ZD' AND u.active;
CREATE TEMP TABLE month_inspectors AS SELECT code AS key FROM spotcheck.available_inspectors('ZD', '2026-06-01', '2026-06-30');
CREATE TEMP TABLE month_recusals AS SELECT r.inspector, r.unit AS target FROM spotcheck.inspector_recusals r;
SELECT spotcheck.commit_draw('month_pool',
         (SELECT jsonb_object_agg(stratum, ceil(n * CASE stratum WHEN 'key_crowded' THEN 0.1 WHEN 'key_other' THEN 0.01 ELSE 0.002 END)::int)
            FROM (SELECT stratum, count(*) AS n FROM month_pool GROUP BY stratum) s),
         'witnesses', 'month_inspectors', 2, 'month_recusals', agency => 'ZD') AS d \gset
SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000, 1) || ' ' || :d;
SQL
)
    record manual "$r" plan "${t% *}"
    d=${t#* }
    t=$(q <<SQL
SELECT clock_timestamp() AS t0 \\gset
SELECT spotcheck.execute_draw($d, 'witnesses: 1') AS n \\gset
SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000, 1);
SQL
)
    record manual "$r" execute "$t"
}

for r in $(seq 1 "$REPS"); do
    log "round $r of $REPS: one month, and the hand-written alternative"
    month_round "$r"
    manual_round "$r"
done
for r in $(seq 1 "$YEAR_REPS"); do
    log "round $r of $YEAR_REPS: a year"
    year_round "$r"
done
rm -f bench/out/.due

{
    echo "bench/plan.sh: $UNITS units, $INSPECTORS inspectors; $(nproc) CPUs; $(psql -qAtX -c 'SHOW server_version'); $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    psql -qX -P footer=off <<'SQL'
SELECT what, phase, count(*) AS rounds,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
       min(ms) AS min_ms, max(ms) AS max_ms,
       (SELECT ms FROM bench_times b WHERE b.what = t.what AND b.phase = t.phase AND b.round = 1) AS first_round_ms
  FROM bench_times t GROUP BY what, phase ORDER BY what, phase;
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s)::numeric, 1) AS month_plan_and_execute_median_ms
  FROM (SELECT round, sum(ms) AS s FROM bench_times WHERE what = 'month' GROUP BY round) x;
SELECT (SELECT count(*) FROM spotcheck.units WHERE agency = 'ZD' AND active) AS active_units,
       (SELECT count(*) FROM spotcheck.units WHERE agency = 'ZD' AND active AND is_key_unit AND is_crowded_place) AS crowded_key_units,
       (SELECT round(avg(pool_size)) FROM spotcheck.plans WHERE agency = 'ZD') AS mean_pool,
       (SELECT round(avg(targets)) FROM spotcheck.plans WHERE agency = 'ZD' AND targets IS NOT NULL) AS mean_targets;
SQL
} | tee "$out"
log "written to $out"
