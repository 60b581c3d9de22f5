#!/usr/bin/env bash
# Crash safety: nothing committed is lost, nothing half-written remains.
# On a cluster of its own (started and stopped here, same PostgreSQL tree as
# the one test/run started), a backend is killed with SIGKILL in the middle
# of a bulk load, of commit_draw, of execute_draw, and while its commit is
# chaining audit entries; and the server is stopped with pg_ctl stop -m
# immediate while 8 clients write audited changes and draws.  After each
# restart the audit chain verifies, every transaction whose COMMIT was
# acknowledged is in it exactly once, nothing of an unacknowledged one is
# half there, and every draw is either fully committed (or executed) and
# verifies, or absent.  The cluster runs with fsync off (an immediate stop
# kills processes, not the machine) and synchronous_commit on (a COMMIT is
# acknowledged only once its WAL is written).  Prints TAP.
set -uo pipefail
work=$(mktemp -d)
chmod 755 "$work"
. "$(dirname "$0")/lib/tap.bash"
. "$(dirname "$0")/lib/cluster.bash"
trap 'extra_cluster_stop; rm -rf "$work"' EXIT

EXTRA_PORT=5496
extra_cluster_start "fsync = off" "synchronous_commit = on" "restart_after_crash = on" \
    || { echo "Bail out! cannot start a cluster"; exit 1; }
export PGHOST=$EXTRA_DIR PGPORT=$EXTRA_PORT PGUSER=postgres PGDATABASE=crash
q() { psql -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

# wait_ready — until the server accepts connections again (after a crash
# the postmaster restarts every backend and replays the WAL)
wait_ready() {
    local i
    for i in $(seq 1 120); do
        psql -qAtX -d postgres -c "SELECT 1" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    return 1
}
# pid_waiting APP REL — the backend of application_name APP once it waits
# for a lock on the relation REL
pid_waiting() {
    local i pid
    for i in $(seq 1 100); do
        pid=$(psql -qAtX -d crash -c "SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                                        WHERE a.application_name = '$1' AND NOT l.granted
                                          AND l.locktype = 'relation' AND l.relation = '$2'::regclass")
        [ -n "$pid" ] && { echo "$pid"; return 0; }
        sleep 0.1
    done
    return 1
}
# hold_lock SQL — a session that holds a lock (taken by SQL) until it is killed
hold_lock() {
    PGAPPNAME=crash_holder psql -qX -c "BEGIN; $1; SELECT pg_sleep(600)" >/dev/null 2>&1 &
    local i
    for i in $(seq 1 50); do
        [ "$(psql -qAtX -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'crash_holder' AND wait_event = 'PgSleep'")" = 1 ] && return 0
        sleep 0.1
    done
    return 1
}
# kill_in APP REL — SIGKILL the backend of APP while it waits for REL, then
# wait for the server to come back; prints "killed" on success
# (The server is ready again only once the postmaster has noticed the death
# and restarted every backend: a connection made before that would succeed
# and then be cut by the restart.  The lock holder's backend going away shows
# that the restart has begun.)
kill_in() {
    local pid holder i
    pid=$(pid_waiting "$1" "$2") || { echo "no backend waiting for $2"; return 1; }
    holder=$(psql -qAtX -d postgres -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'crash_holder'")
    kill -9 "$pid" || return 1
    for i in $(seq 1 600); do
        { [ -z "$holder" ] || ! kill -0 "$holder" 2>/dev/null; } && break
        sleep 0.1
    done
    wait_ready && echo killed
    wait 2>/dev/null
}
chain_ok() {
    q "SELECT (SELECT ok FROM spotcheck.verify_audit_chain()) AND (SELECT count(*) = 0 FROM spotcheck.audit_pending)
              AND (SELECT count(*) = 0 FROM spotcheck.audit_chain_marker)"
}

echo "1..24"
psql -qX -d postgres -c "CREATE DATABASE crash" >/dev/null && q "CREATE EXTENSION spotcheck" >/dev/null \
    || { echo "Bail out! cannot create the extension"; exit 1; }
psql -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || { echo "Bail out! cannot fill the database"; exit 1; }
CREATE ROLE crash_planner LOGIN IN ROLE spotcheck_planner;
SET search_path = spotcheck, public;
INSERT INTO agencies VALUES ('ZB', '支队', 'detachment', NULL), ('ZD', '张店大队', 'brigade', 'ZB');
INSERT INTO agency_members (member, agency) VALUES ('crash_planner', 'ZD');
INSERT INTO inspectors (code, name, agency, certificate_no) SELECT 'I-' || i, '检查员' || i, 'ZD', 'C-' || i FROM generate_series(1, 8) i;
CREATE TABLE public.pool AS SELECT 'U' || lpad(i::text, 5, '0') AS key, CASE WHEN i % 5 = 0 THEN 'key' ELSE 'general' END AS stratum,
                                   (1 + i % 7)::bigint AS weight FROM generate_series(1, 3000) i;
CREATE TABLE public.team AS SELECT code AS key FROM inspectors;
-- what the 8 writers change, audited row by row
CREATE TABLE public.events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, client int NOT NULL, n int NOT NULL, UNIQUE (client, n));
CREATE TABLE public.counters (k int PRIMARY KEY, v int NOT NULL DEFAULT 0);
INSERT INTO public.counters SELECT k FROM generate_series(1, 8) k;
CREATE TRIGGER events_audit AFTER INSERT OR UPDATE OR DELETE ON public.events
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('id');
CREATE TRIGGER counters_audit AFTER INSERT OR UPDATE OR DELETE ON public.counters
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('k');
SQL
PGUSER=crash_planner psql -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || { echo "Bail out! cannot stage units"; exit 1; }
INSERT INTO spotcheck.unit_staging (code, name, address, responsible_person, unit_type, agency)
SELECT '3703032' || lpad(i::text, 8, '0'), '单位' || i, '地址', '人', '企业', 'ZD' FROM generate_series(1, 3000) i;
SQL
state() {  # what must not change when a transaction is killed
    q "SELECT (SELECT count(*) FROM spotcheck.units) || '|' || (SELECT count(*) FROM spotcheck.registry_history)
              || '|' || (SELECT count(*) FROM spotcheck.load_batches) || '|' || (SELECT count(*) FROM spotcheck.audit_log)
              || '|' || (SELECT count(*) FROM spotcheck.draw) || '|' || (SELECT count(*) FROM spotcheck.draw_pool)
              || '|' || (SELECT count(*) FROM spotcheck.draw_selected) || '|' || (SELECT count(*) FROM public.events)"
}

# ---- 1. a bulk load killed after its units are in, before its history ----
before=$(state)
hold_lock "LOCK TABLE spotcheck.registry_history IN SHARE MODE" || { echo "Bail out! no lock holder"; exit 1; }
PGUSER=crash_planner PGAPPNAME=crash_victim psql -qX -c "SELECT spotcheck.load_units('crash.csv')" >/dev/null 2>&1 &
check "a backend is killed in the middle of a bulk load (its units in, its history next)" "killed" \
    "$(kill_in crash_victim spotcheck.registry_history)"
check "after the restart nothing of the load is there: no unit, history, batch or entry" "$before" "$(state)"
check "the chain verifies and nothing is pending" "t" "$(chain_ok)"
check "the staged rows are still there and load" "3000|3000" \
    "$(PGUSER=crash_planner q "SELECT count(*) FROM spotcheck.my_unit_staging")|$(PGUSER=crash_planner q "SELECT rows_inserted FROM spotcheck.load_units('crash.csv')")"
check "the load is in the chain, with a history that verifies" "true|true" \
    "$(q "SELECT (SELECT ok FROM spotcheck.verify_audit_chain()) || '|' || (SELECT bool_and(ok) AND count(*) > 0 FROM spotcheck.verify_registry_history())")"

# ---- 2. commit_draw killed after its pool is frozen, before its secret ----
before=$(state)
hold_lock "LOCK TABLE spotcheck.draw_secret IN ACCESS EXCLUSIVE MODE" || { echo "Bail out! no lock holder"; exit 1; }
PGAPPNAME=crash_victim psql -qX -c "SELECT spotcheck.commit_draw('public.pool', '{\"general\": 20, \"key\": 5}', 'none', 'public.team', 2, agency => 'ZD')" >/dev/null 2>&1 &
check "a backend is killed in the middle of commit_draw (its pool frozen, its secret next)" "killed" \
    "$(kill_in crash_victim spotcheck.draw_secret)"
check "after the restart there is no draw, no frozen pool, no entry" "$before" "$(state)"
check "the chain verifies" "t" "$(chain_ok)"
draw=$(q "SELECT spotcheck.commit_draw('public.pool', '{\"general\": 20, \"key\": 5}', 'none', 'public.team', 2, agency => 'ZD')")
check "a draw committed afterwards verifies up to its execution" "0" \
    "$(q "SELECT count(*) FROM spotcheck.verify_draw($draw) v WHERE NOT v.ok AND v.check_name <> 'executed'")"

# ---- 3. execute_draw killed after its selection, before its teams ----
before=$(state)
hold_lock "LOCK TABLE spotcheck.draw_team_member IN ACCESS EXCLUSIVE MODE" || { echo "Bail out! no lock holder"; exit 1; }
PGAPPNAME=crash_victim psql -qX -c "SELECT spotcheck.execute_draw($draw)" >/dev/null 2>&1 &
check "a backend is killed in the middle of execute_draw (its selection in, its teams next)" "killed" \
    "$(kill_in crash_victim spotcheck.draw_team_member)"
check "after the restart the draw is still only committed: nothing selected, no entry" "$before|committed" \
    "$(state)|$(q "SELECT state FROM spotcheck.draws WHERE draw = $draw")"
check "the chain verifies" "t" "$(chain_ok)"
check "the draw is executed afterwards and verifies in full" "25|0" \
    "$(q "SELECT spotcheck.execute_draw($draw)")|$(q "SELECT count(*) FROM spotcheck.verify_draw($draw) v WHERE NOT v.ok")"

# ---- 4. a commit killed while it chains its entries -----------------------
draw=$(q "SELECT spotcheck.commit_draw('public.pool', '{\"general\": 10, \"key\": 2}', 'none', 'public.team', 2, agency => 'ZD')")
before=$(state)
hold_lock "LOCK TABLE spotcheck.audit_chain_head IN EXCLUSIVE MODE" || { echo "Bail out! no lock holder"; exit 1; }
PGAPPNAME=crash_victim psql -qX -c "SELECT spotcheck.execute_draw($draw)" >/dev/null 2>&1 &
check "a backend is killed while its commit waits to chain its entries (execute_draw)" "killed" \
    "$(kill_in crash_victim spotcheck.audit_chain_head)"
check "after the restart nothing of that transaction is there" "$before|committed" \
    "$(state)|$(q "SELECT state FROM spotcheck.draws WHERE draw = $draw")"
check "the chain verifies" "t" "$(chain_ok)"

# ---- 5. pg_ctl stop -m immediate under 8 writers --------------------------
# Each writer runs transactions of its own numbered event and a counter
# update (one of them also a note, one of them a draw committed and
# executed), printing "ack CLIENT N" once COMMIT returned.
for c in $(seq 1 8); do
    awk -v c="$c" 'BEGIN {
        print "\\set ON_ERROR_STOP 1"
        for (i = 1; i <= 4000; i++) {
            print "BEGIN;"
            print "INSERT INTO public.events (client, n) VALUES (" c ", " i ");"
            print "UPDATE public.counters SET v = v + 1 WHERE k = " c ";"
            if (c == 7) print "SELECT spotcheck.audit_append(\x27crash.note\x27, \x27note:" i "\x27, NULL, \x27{}\x27);"
            print "COMMIT;"
            print "\\echo ack " c " " i
        }
    }' >"$work/writer$c.sql"
done
awk 'BEGIN {
    print "\\set ON_ERROR_STOP 1"
    for (i = 1; i <= 400; i++) {
        print "SELECT spotcheck.commit_draw(\x27public.pool\x27, \x27{\"general\": 6, \"key\": 2}\x27, \x27none\x27, \x27public.team\x27, 2, agency => \x27ZD\x27) AS d \\gset"
        print "SELECT spotcheck.execute_draw(:d);"
        print "\\echo ack draw :d"
    }
}' >"$work/drawer.sql"
for c in $(seq 1 8); do
    psql -qAtX -f "$work/writer$c.sql" >"$work/acks$c" 2>/dev/null &
done
psql -qAtX -f "$work/drawer.sql" >"$work/acks_draw" 2>/dev/null &
sleep 4
extra_cluster_stop_mode immediate
wait 2>/dev/null
acked=$(cat "$work"/acks[0-9] | grep -c '^ack ')
echo "# $acked transactions and $(grep -c '^ack ' "$work/acks_draw") draws acknowledged before the stop"
check "the writers had committed transactions when the server stopped" "t" "$([ "$acked" -gt 100 ] && echo t)"
extra_cluster_restart_only && wait_ready
check "the server restarts" "1" "$(q "SELECT 1")"
check "the chain verifies after the restart, nothing pending" "t" "$(chain_ok)"
# every acknowledged event, by (client, n)
cat "$work"/acks[0-9] | awk '/^ack / { print $2 "\t" $3 }' >"$work/acked.tsv"
q "CREATE TABLE public.acked (client int, n int)" >/dev/null
psql -qX -c "\\copy public.acked FROM '$work/acked.tsv'" >/dev/null
check "every acknowledged transaction is there" "0" \
    "$(q "SELECT count(*) FROM public.acked a WHERE NOT EXISTS (SELECT FROM public.events e WHERE e.client = a.client AND e.n = a.n)")"
# how many times each object is in the chain, for one action
per_object() {
    echo "(SELECT object, count(*) AS times FROM spotcheck.audit_log WHERE action = '$1' GROUP BY object)"
}
check "every event that is there is in the chain exactly once, and nothing else of the writers is" "0|0" \
    "$(q "SELECT count(*) FROM public.events e LEFT JOIN $(per_object events.insert) l ON l.object = 'events:' || e.id
           WHERE coalesce(l.times, 0) <> 1")|$(
       q "SELECT count(*) FROM $(per_object events.insert) l
           WHERE NOT EXISTS (SELECT FROM public.events e WHERE l.object = 'events:' || e.id)")"
check "every counter moved once per transaction that is there, each move in the chain once" "0" \
    "$(q "SELECT count(*) FROM public.counters c
            LEFT JOIN (SELECT client, count(*) AS n FROM public.events GROUP BY client) e ON e.client = c.k
            LEFT JOIN $(per_object counters.update) l ON l.object = 'counters:' || c.k
           WHERE c.v <> coalesce(e.n, 0) OR c.v <> coalesce(l.times, 0)")"
check "the notes of the transactions that are there are in the chain once each, no other" "0|0" \
    "$(q "SELECT count(*) FROM public.events e LEFT JOIN $(per_object crash.note) l ON l.object = 'note:' || e.n
           WHERE e.client = 7 AND coalesce(l.times, 0) <> 1")|$(
       q "SELECT count(*) FROM $(per_object crash.note) l
           WHERE NOT EXISTS (SELECT FROM public.events e WHERE e.client = 7 AND l.object = 'note:' || e.n)")"
check "every draw is committed or executed, and verifies as such; every acknowledged one is executed" "0|0" \
    "$(q "SELECT count(*) FROM spotcheck.draws s, spotcheck.verify_draw(s.draw) v
           WHERE NOT v.ok AND NOT (s.state = 'committed' AND v.check_name = 'executed')")|$(
       awk '/^ack draw / { print $3 }' "$work/acks_draw" | while read -r d; do
           q "SELECT state FROM spotcheck.draws WHERE draw = $d"; done | grep -vc '^executed$')"
