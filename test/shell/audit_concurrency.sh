#!/usr/bin/env bash
# Many sessions writing audited rows at once produce one linear chain: no
# fork, no gap, no deadlock, and no serialization failure caused by the
# chain, at every isolation level.  Runs against the cluster test/run
# started (PGHOST, PGPORT, PGUSER set); prints TAP.
set -uo pipefail
PGBENCH=${PGBENCH:-$(pg_config --bindir)/pgbench}
db=audit_concurrency
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists "$db" 2>/dev/null' EXIT

. "$(dirname "$0")/lib/tap.bash"
q() { psql -qAtX -d "$db" -c "$1"; }

echo "1..8"
dropdb --if-exists "$db" 2>/dev/null
createdb "$db" && q "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $db"; exit 1; }
q "CREATE TABLE counters (k int PRIMARY KEY, agency text, v int NOT NULL DEFAULT 0);
   INSERT INTO counters SELECT k, 'A' || k % 3 FROM generate_series(1, 80) k;
   CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, client int, note text);
   CREATE TRIGGER counters_audit AFTER INSERT OR UPDATE OR DELETE ON counters
       FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('k', 'agency');
   CREATE TRIGGER events_audit AFTER INSERT OR UPDATE OR DELETE ON events
       FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('id');" >/dev/null
base=$(q "SELECT seq FROM spotcheck.audit_head()")

# Two row updates per transaction, always in key order: deadlock-free on
# its own.  A chain that locked its head at the first append would deadlock
# here (the second update waits for a row held by a session that waits for
# the head).
cat >"$work/two_rows.sql" <<'SQL'
\set a random(1, 40)
\set b random(41, 80)
BEGIN;
UPDATE counters SET v = v + 1 WHERE k = :a;
UPDATE counters SET v = v + 1 WHERE k = :b;
END;
SQL
cat >"$work/inserts.sql" <<'SQL'
BEGIN;
INSERT INTO events (client, note) VALUES (:client_id, 'first');
INSERT INTO events (client, note) VALUES (:client_id, 'second');
END;
SQL

# run_clients NAME ISOLATION CLIENTS TRANSACTIONS SCRIPT — "rc errors"
run_clients() {
    local rc
    PGOPTIONS="-c default_transaction_isolation=$2" \
        "$PGBENCH" -n -d "$db" -c "$3" -j 2 -t "$4" -f "$work/$5" >"$work/$1.out" 2>&1
    rc=$?
    echo "$rc $(grep -ciE 'deadlock|error|could not serialize|aborted' "$work/$1.out")"
    [ "$rc" -eq 0 ] || sed 's/^/#   /' "$work/$1.out" | head -20 >&2
}
check "8 clients updating two rows each in read committed: no error, no deadlock" \
    "0 0" "$(run_clients rc 'read\ committed' 8 250 two_rows.sql)"
check "6 clients inserting in repeatable read: no serialization failure from the chain" \
    "0 0" "$(run_clients rr 'repeatable\ read' 6 200 inserts.sql)"
check "6 clients inserting in serializable: no serialization failure from the chain" \
    "0 0" "$(run_clients ser serializable 6 200 inserts.sql)"

check "every committed update is one entry" \
    "$(q "SELECT sum(v) FROM counters")" \
    "$(q "SELECT count(*) FROM spotcheck.audit_log WHERE action = 'counters.update' AND seq > $base")"
check "every committed insert is one entry" \
    "$(q "SELECT count(*) FROM events")" \
    "$(q "SELECT count(*) FROM spotcheck.audit_log WHERE action = 'events.insert' AND seq > $base")"
check "sequence numbers run from 1 with no gap and no repeat" \
    "$(q "SELECT count(*) FROM spotcheck.audit_log")" \
    "$(q "SELECT count(DISTINCT seq) FILTER (WHERE seq BETWEEN 1 AND (SELECT count(*) FROM spotcheck.audit_log)) FROM spotcheck.audit_log")"
check "no entry is left pending" 0 "$(q "SELECT count(*) FROM spotcheck.audit_pending")"
check "the chain verifies: one line, no fork" "t" "$(q "SELECT ok FROM spotcheck.verify_audit_chain()")"
