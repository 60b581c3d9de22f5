#!/usr/bin/env bash
# Many sessions writing audited rows at once produce one linear chain: no
# fork, no gap, no deadlock, and no serialization failure caused by the
# chain, at every isolation level, with eight sessions a core too.  A
# committer waiting for the chain lock queues after 200 ms, where
# lock_timeout applies, and can be cancelled while it waits.  Runs against
# the cluster test/run started (PGHOST, PGPORT, PGUSER set); prints TAP.
set -uo pipefail
PGBENCH=${PGBENCH:-$(pg_config --bindir)/pgbench}
db=audit_concurrency
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists "$db" 2>/dev/null' EXIT

. "$(dirname "$0")/lib/tap.bash"
q() { psql -qAtX -d "$db" -c "$1"; }

echo "1..14"
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
cat >"$work/one_row.sql" <<'SQL'
\set k random(1, 80)
UPDATE counters SET v = v + 1 WHERE k = :k;
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
check "16 clients (eight a core) updating one row each: no error" \
    "0 0" "$(run_clients rc16 'read\ committed' 16 150 one_row.sql)"
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

# ---- waiting for the chain lock ---------------------------------------------
# A committer asks for the lock without queueing and retries; one that has
# waited 200 ms queues like any lock request: it shows in pg_locks, and
# lock_timeout and cancellation end its wait, leaving nothing of it.
hold() {  # hold the chain lock for $1 seconds in the background
    psql -qAtX -d "$db" -c "BEGIN; LOCK TABLE spotcheck.audit_chain_head IN EXCLUSIVE MODE; SELECT pg_sleep($1)" >/dev/null &
    local i
    for i in $(seq 1 50); do
        [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND wait_event = 'PgSleep'")" = 1 ] && return 0
        sleep 0.1
    done
}
waiter_state() {
    q "SELECT a.wait_event_type || '|' || l.granted FROM pg_stat_activity a
         JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'relation' AND l.relation = 'spotcheck.audit_chain_head'::regclass
        WHERE a.application_name = 'chain_waiter'"
}
before=$(q "SELECT v FROM counters WHERE k = 1")
hold 3
PGAPPNAME=chain_waiter psql -qAtX -d "$db" -c "UPDATE counters SET v = v + 1 WHERE k = 1" >"$work/waiter.out" 2>&1 &
sleep 1
check "a committer that waited more than 200 ms for the chain lock queues for it" "Lock|false" "$(waiter_state)"
wait
check "and commits once the lock is free, its change on the chain" "$((before + 1))|t" \
    "$(q "SELECT v FROM counters WHERE k = 1")|$(q "SELECT ok FROM spotcheck.verify_audit_chain()")"

hold 3
PGAPPNAME=chain_waiter PGOPTIONS="-c lock_timeout=600" psql -qAtX -d "$db" -c "UPDATE counters SET v = v + 1 WHERE k = 1" >"$work/waiter.out" 2>&1
check "lock_timeout ends a queued wait for the chain lock" "1" "$(grep -c 'canceling statement due to lock timeout' "$work/waiter.out")"
PGAPPNAME=chain_waiter psql -qAtX -d "$db" -c "UPDATE counters SET v = v + 1 WHERE k = 1" >"$work/waiter.out" 2>&1 &
sleep 0.1
q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'chain_waiter'" >/dev/null
wait
check "cancellation ends a wait for the chain lock, also before it queues" "1" "$(grep -c 'canceling statement due to user request' "$work/waiter.out")"
check "and neither leaves anything: the row as it was, the chain verifies, nothing pending" "$((before + 1))|t|0" \
    "$(q "SELECT v FROM counters WHERE k = 1")|$(q "SELECT ok FROM spotcheck.verify_audit_chain()")|$(q "SELECT count(*) FROM spotcheck.audit_pending")"
