#!/usr/bin/env bash
# bench/audit.sh — what the audit chain costs.  On a throwaway cluster:
#  1. audited writes per second with 1, 4 and 16 concurrent pgbench clients,
#     each transaction one row update (a registry edit), against the same
#     writes to an identical table without the audit trigger;
#  2. one transaction inserting 100,000 rows, audited and not;
#  3. verify_audit_chain() over the resulting chain;
#  4. where an audited writer's time goes at 16 clients: the wait events of
#     the backends, sampled every 50 ms during one more run.
# Usage: bench/audit.sh [SECONDS_PER_RUN]   (default 10)
set -euo pipefail
. "$(dirname "$0")/../tools/cluster.sh"
cd "$SPOTCHECK_ROOT"
secs=${1:-10}

ensure_base_packages
build_and_install
start_cluster
export PATH="$PG_BIN:$PATH"
createdb bench
q() { psql -qAtX -d bench -v ON_ERROR_STOP=1 -c "$1"; }
q "CREATE EXTENSION spotcheck" >/dev/null
for t in plain audited; do
    q "CREATE TABLE $t (k int PRIMARY KEY, agency text NOT NULL, name text NOT NULL, v int NOT NULL DEFAULT 0);
       INSERT INTO $t SELECT k, 'A' || k % 20, 'unit ' || k FROM generate_series(1, 100000) k;"
done
q "CREATE TRIGGER audited_audit AFTER INSERT OR UPDATE OR DELETE ON audited
       FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('k', 'agency')"
q "VACUUM ANALYZE" >/dev/null
work=$CLUSTER_DIR/bench
mkdir -p "$work"
for t in plain audited; do
    printf '\\set k random(1, 100000)\nUPDATE %s SET v = v + 1 WHERE k = :k;\n' "$t" >"$work/$t.sql"
done

tps() { # tps TABLE CLIENTS
    pgbench -n -d bench -c "$2" -j "$(( $2 < 2 ? 1 : 2 ))" -T "$secs" -f "$work/$1.sql" 2>&1 \
        | sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}

echo "PostgreSQL $(q 'SHOW server_version'), $(nproc) cores; fsync and synchronous_commit off in the throwaway cluster"
echo
echo "1. one-row updates per second, ${secs}s per run (pgbench)"
printf '%-8s %12s %12s %8s\n' clients plain audited ratio
for c in 1 4 16; do
    p=$(tps plain "$c"); a=$(tps audited "$c")
    awk -v c="$c" -v p="$p" -v a="$a" 'BEGIN { printf "%-8s %12.0f %12.0f %8.2f\n", c, p, a, a / p }'
done

echo
echo "2. one transaction inserting 100,000 rows"
for t in plain audited; do
    q "CREATE TABLE ${t}_bulk (LIKE $t)" >/dev/null
done
q "CREATE TRIGGER audited_bulk_audit AFTER INSERT OR UPDATE OR DELETE ON audited_bulk
       FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('k', 'agency')"
for t in plain audited; do
    ms=$(psql -qAtX -d bench -c '\timing on' \
        -c "INSERT INTO ${t}_bulk SELECT k, 'A' || k % 20, 'unit ' || k, 0 FROM generate_series(1, 100000) k" \
        | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
    printf '%-8s %10.0f ms (commit, which chains the entries, included)\n' "$t" "$ms"
done

echo
n=$(q "SELECT count(*) FROM spotcheck.audit_log")
ms=$(psql -qAtX -d bench -c '\timing on' -c "SELECT ok FROM spotcheck.verify_audit_chain()" \
    | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
echo "3. verify_audit_chain() over $n entries: ${ms} ms; result: $(q 'SELECT detail FROM spotcheck.verify_audit_chain()')"

echo
echo "4. what the 16 backends of an audited run are doing (pg_stat_activity, sampled every 50 ms for ${secs}s)"
pgbench -n -d bench -c 16 -j 2 -T "$secs" -f "$work/audited.sql" >"$work/sampled.out" 2>&1 &
sleep 1
end=$((SECONDS + secs - 2))
while [ "$SECONDS" -lt "$end" ]; do
    psql -qAtX -d bench -c "SELECT CASE WHEN state = 'idle' THEN 'idle: waiting for the client'
                                        WHEN wait_event_type IS NULL THEN 'running'
                                        WHEN wait_event_type = 'Extension' THEN 'asking again for the chain lock'
                                        ELSE wait_event_type || ': ' || wait_event END
                              FROM pg_stat_activity
                             WHERE datname = 'bench' AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
    sleep 0.05
done | sort | uniq -c | sort -rn | awk '{ n[NR] = $1; $1 = ""; w[NR] = $0; t += n[NR] }
    END { for (i = 1; i <= NR; i++) printf "%6.1f%%  %s\n", 100 * n[i] / t, w[i] }'
wait
echo "(that run: $(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/sampled.out" | cut -d. -f1) audited writes per second)"
