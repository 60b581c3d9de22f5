#!/usr/bin/env bash
# bench/draw.sh — how fast is the auditable draw?  Builds and installs
# spotcheck, starts a throwaway cluster, and for each pool size (default
# 100,000, 1,000,000 and 10,000,000 candidates in three weighted strata,
# quotas adding to 5%) measures in the same run:
#   draw     spotcheck.draw_sample grouped by stratum, each row's quota joined
#   strata   spotcheck.draw_sample_strata: the same selection in one pass and
#            one group, no join (as execute_draw runs it)
#   pgcrypto the same selection written in plain SQL with pgcrypto's digest()
#            and numeric priorities, ranked with row_number() per stratum
#   random   ORDER BY random() LIMIT quota, one query per stratum (not auditable)
#   window   row_number() OVER (PARTITION BY stratum ORDER BY random()), one query
#   scan     the bare scan reading every key
#   sha      the bare scan plus one SHA-256 per row (the built-in sha256())
#   group    the join with the quotas and the grouping by stratum alone, with
#            count(*) for the aggregate: what `draw` pays PostgreSQL per row
# each with parallel workers off and on, in REPS rounds of every method in
# turn.  In a round each method gets a new connection that loads spotcheck
# and pgcrypto (a few milliseconds, once per connection), runs the query
# once cold and once more timed.  The table shows the medians of the timed
# and of the cold runs and the peak resident memory (VmHWM) of the backend.
# The query counts the rows of the method's query by its first column, so no
# method pays for copying its result into a row.  Not a test; prints a table
# and writes it to bench/out/.
#
#   bench/draw.sh                       # all sizes (no full sorts at 10 million)
#   FULL=1 bench/draw.sh                # the full sorts at 10 million too
#   SIZES="1000000" REPS=5 bench/draw.sh
set -euo pipefail
. "$(dirname "$0")/../tools/cluster.sh"
cd "$SPOTCHECK_ROOT"

SIZES=${SIZES:-"100000 1000000 10000000"}
REPS=${REPS:-3}
# Small shared buffers: every method reads the table the same way (from the
# OS cache through a ring buffer), and VmHWM is mostly the backend's own memory.
export CLUSTER_EXTRA_CONF=${CLUSTER_EXTRA_CONF:-"shared_buffers = 32MB
jit = off
work_mem = 64MB
max_parallel_workers_per_gather = 2"}

ensure_base_packages          # pgcrypto ships with postgresql-15
build_and_install
start_cluster
export PATH="$PG_BIN:$PATH"
mkdir -p bench/out
out=bench/out/draw-$(date -u +%Y%m%dT%H%M%SZ).txt

psql -qX -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION spotcheck' -c 'CREATE EXTENSION pgcrypto' >/dev/null

# 64 bytes every ticket starts with: TAG("spotcheck-v1/ticket") || K
K_HEX=$(psql -qAtX -c "SELECT encode(sha256('bench'), 'hex')")
PREFIX_HEX=$(psql -qAtX -c "SELECT encode(convert_to('spotcheck-v1/ticket', 'UTF8') || '\x$(printf '%026d' 0)'::bytea, 'hex')")$K_HEX

q_draw() {
    echo "SELECT spotcheck.draw_sample(p.key, p.weight, q.quota, '\\x$K_HEX'::bytea) AS v, p.stratum
            FROM pool_$1 p JOIN quota_$1 q USING (stratum) GROUP BY p.stratum"
}
q_strata() {
    echo "SELECT spotcheck.draw_sample_strata(p.key, p.stratum, p.weight,
                (SELECT jsonb_object_agg(q.stratum, q.quota) FROM quota_$1 q), '\\x$K_HEX'::bytea) AS v
            FROM pool_$1 p"
}
q_pgcrypto() {
    echo "SELECT key AS v, stratum FROM (
             SELECT p.stratum, p.key, q.quota,
                    row_number() OVER (PARTITION BY p.stratum
                                       ORDER BY ((('x' || encode(substr(t, 1, 8), 'hex'))::bit(64)::bigint::numeric
                                                  + 18446744073709551616) % 18446744073709551616 + 1) / p.weight, t) AS rn
               FROM (SELECT *, digest('\\x$PREFIX_HEX'::bytea || convert_to(key, 'UTF8'), 'sha256') AS t FROM pool_$1) p
               JOIN quota_$1 q USING (stratum)) x
           WHERE rn <= quota"
}
q_random() {
    local parts=() s
    for s in key_crowded key_other general; do
        parts+=("(SELECT key AS v FROM pool_$1 WHERE stratum = '$s' ORDER BY random() LIMIT (SELECT quota FROM quota_$1 WHERE stratum = '$s'))")
    done
    local IFS=$'\n'
    echo "${parts[0]} UNION ALL ${parts[1]} UNION ALL ${parts[2]}"
}
q_window() {
    echo "SELECT key AS v, stratum FROM (SELECT stratum, key, row_number() OVER (PARTITION BY stratum ORDER BY random()) AS rn
                                   FROM pool_$1) x JOIN quota_$1 q USING (stratum) WHERE rn <= q.quota"
}
q_scan() { echo "SELECT key AS v FROM pool_$1"; }
q_group() {
    echo "SELECT count(*) AS v, p.stratum FROM pool_$1 p JOIN quota_$1 q USING (stratum) GROUP BY p.stratum"
}
q_sha() { echo "SELECT sha256(convert_to(key, 'UTF8')) AS v FROM pool_$1"; }

# run SQL WORKERS -> "ms cold kB": in a new connection, the query once cold
# and once more timed; both times and the backend's VmHWM
run() {
    local sql=$1 workers=$2 out times
    out=$(psql -qAtX -v ON_ERROR_STOP=1 <<SQL
SET max_parallel_workers_per_gather = $workers;
SELECT length(spotcheck.ticket(sha256(''), 'warm')) + length(digest('', 'sha256')) AS loaded \gset
\timing on
SELECT count(*) FROM ($sql) x WHERE x.v IS NOT NULL;
SELECT count(*) FROM ($sql) x WHERE x.v IS NOT NULL;
\timing off
SELECT 'hwm ' || substring(pg_read_file('/proc/self/status') from 'VmHWM:\s*([0-9]+)');
SQL
)
    times=$(awk '/^Time:/ {print $2}' <<<"$out")
    printf '%s %s %s\n' "$(tail -1 <<<"$times")" "$(head -1 <<<"$times")" "$(awk '/^hwm / {print $2}' <<<"$out")"
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

{
echo "spotcheck draw benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, PostgreSQL $(psql -qAtX -c 'SHOW server_version')"
echo "$REPS rounds (1 at 10 million and above) of every method in turn; in each, a new connection runs the query cold, then again timed"
echo "ms = median of the timed runs; cold = median of the cold runs; MB = largest peak RSS (VmHWM) of a backend; workers = max_parallel_workers_per_gather"
printf '\n%-10s %-9s %7s %11s %11s %9s %9s %9s\n' candidates method workers ms cold MB "x random" "x sha"
} | tee "$out"

for n in $SIZES; do
    log "generating $n candidates"
    psql -qX -v ON_ERROR_STOP=1 -c "DROP TABLE IF EXISTS pool_$n, quota_$n" >/dev/null
    psql -qX -v ON_ERROR_STOP=1 -v n="$n" -v pool="pool_$n" -v quota="quota_$n" -f bench/pool.sql >/dev/null
    psql -qX -v ON_ERROR_STOP=1 -c "VACUUM ANALYZE pool_$n" -c "VACUUM ANALYZE quota_$n" >/dev/null
    reps=$REPS
    [ "$n" -ge 10000000 ] && REPS=1
    methods="scan sha group draw strata random window pgcrypto"
    # the full sorts take minutes at 10 million; FULL=1 measures them too
    [ "$n" -ge 10000000 ] && [ -z "${FULL:-}" ] && methods="scan sha group draw strata random"
    declare -A ms=() cold=() mb=() t_ms=() t_cold=()
    for w in 0 2; do
        # rounds of every method in turn, so a slow spell of the machine
        # falls on all of them rather than on one
        for r in $(seq "$REPS"); do
            for m in $methods; do
                log "$n candidates: $m, workers $w, round $r"
                read -r t c h < <(run "$(q_$m "$n")" "$w")
                t_ms[$m.$w]+=" $t"
                t_cold[$m.$w]+=" $c"
                [ "${h:-0}" -gt "${mb[$m.$w]:-0}" ] && mb[$m.$w]=$h
            done
        done
        for m in $methods; do
            ms[$m.$w]=$(median <<<"${t_ms[$m.$w]}")
            cold[$m.$w]=$(median <<<"${t_cold[$m.$w]}")
        done
        for m in $methods; do
            awk -v n="$n" -v m="$m" -v w="$w" -v t="${ms[$m.$w]}" -v c="${cold[$m.$w]}" -v kb="${mb[$m.$w]}" \
                -v r="${ms[random.$w]}" -v s="${ms[sha.$w]}" \
                'BEGIN { printf "%-10s %-9s %7s %11.1f %11.1f %9.1f %9.2f %9.2f\n", n, m, w, t, c, kb / 1024, t / r, t / s }'
        done | tee -a "$out"
    done
    # the two goals, for the auditable draw as execute_draw runs it
    awk -v n="$n" -v d="${ms[strata.0]}" -v r="${ms[random.0]}" -v s="${ms[sha.0]}" \
        -v dc="${cold[strata.0]}" -v rc="${cold[random.0]}" 'BEGIN {
        printf "%s: goals (serial): strata / random = %.2f (at most 0.5: %s; cold runs %.2f); strata / sha = %.2f (at most 2: %s)\n",
               n, d / r, d / r <= 0.5 ? "met" : "NOT met", dc / rc, d / s, d / s <= 2 ? "met" : "NOT met" }' | tee -a "$out"
    REPS=$reps
    # the plain-SQL selection is the same draw (numeric priorities; ties by ticket)
    [[ " $methods " == *" pgcrypto "* ]] || { psql -qX -c "DROP TABLE pool_$n, quota_$n" >/dev/null; continue; }
    same=$(psql -qAtX -c "SELECT count(*) FROM ((SELECT stratum, unnest(v) FROM ($(q_draw "$n")) d)
                                               EXCEPT (SELECT stratum, v FROM ($(q_pgcrypto "$n")) p)) x")
    echo "$n: draw_sample and the pgcrypto query differ in $same keys" | tee -a "$out"
    same=$(psql -qAtX -c "SELECT count(*) FROM ((SELECT stratum, unnest(v) FROM ($(q_draw "$n")) d)
                                               EXCEPT (SELECT s.key, k FROM ($(q_strata "$n")) x, jsonb_each(x.v) s,
                                                       jsonb_array_elements_text(s.value) k)) y")
    echo "$n: draw_sample and draw_sample_strata differ in $same keys" | tee -a "$out"
    psql -qX -c "DROP TABLE pool_$n, quota_$n" >/dev/null
done
log "written to $out"
