#!/usr/bin/env bash
# pg_dump and pg_restore keep draws: an executed draw with teams still
# verifies and has the identical transcript, a committed one can still be
# executed, an abandoned one stays abandoned.  Runs against the cluster
# test/run started; prints TAP.
set -uo pipefail
src=draw_dump_src
dst=draw_dump_dst
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"; for d in $src $dst; do dropdb --if-exists "$d" 2>/dev/null; done' EXIT

. "$(dirname "$0")/lib/tap.bash"
q() { psql -qAtX -d "$1" -c "$2"; }

echo "1..7"
for d in $src $dst; do dropdb --if-exists "$d" 2>/dev/null; done
createdb "$src" && q "$src" "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $src"; exit 1; }
psql -qX -d "$src" -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || { echo "Bail out! cannot fill $src"; exit 1; }
CREATE TABLE pool AS SELECT 'U' || lpad(i::text, 4, '0') AS key, CASE WHEN i % 4 = 0 THEN 'key_crowded' ELSE 'general' END AS stratum,
                            (1 + i % 9)::bigint AS weight FROM generate_series(1, 400) i;
CREATE TABLE inspectors AS SELECT 'FJ-' || i AS key FROM generate_series(1, 6) i;
CREATE TABLE recusals AS SELECT 'FJ-1' AS inspector, key AS target FROM pool WHERE key LIKE '%7';
CREATE TABLE ids AS SELECT spotcheck.commit_draw('pool', '{"general": 8, "key_crowded": 4}', 'drand round 7',
                                                 'inspectors', 2, 'recusals') AS a,
                           spotcheck.commit_draw('pool', '{"general": 3, "key_crowded": 3}', 'none') AS b,
                           spotcheck.commit_draw('pool', '{"general": 1, "key_crowded": 1}', 'none') AS c;
SQL
q "$src" "SELECT spotcheck.execute_draw(a, 'round 7 value') FROM ids" >/dev/null
q "$src" "SELECT spotcheck.abandon_draw(c, 'superseded') FROM ids" >/dev/null
before=$(q "$src" "SELECT md5(spotcheck.draw_transcript(a)::text) FROM ids")

pg_dump -Fc -f "$work/src.dump" "$src" 2>"$work/dump.err" || sed 's/^/# /' "$work/dump.err"
createdb "$dst"
pg_restore -d "$dst" "$work/src.dump" 2>"$work/restore.err"
check "pg_restore reports no error" "" "$(grep -i error "$work/restore.err" | head -3)"
check "the draws and their states survive" \
    "$(q "$src" "SELECT string_agg(draw || ':' || state, ',' ORDER BY draw) FROM spotcheck.draws")" \
    "$(q "$dst" "SELECT string_agg(draw || ':' || state, ',' ORDER BY draw) FROM spotcheck.draws")"
check "the executed draw's transcript is identical" "$before" \
    "$(q "$dst" "SELECT md5(spotcheck.draw_transcript(a)::text) FROM ids")"
check "the executed draw verifies after restore" "0" \
    "$(q "$dst" "SELECT count(*) FROM ids, spotcheck.verify_draw(a) v WHERE NOT v.ok")"
check "the committed draw can be executed after restore" "6" \
    "$(q "$dst" "SELECT spotcheck.execute_draw(b) FROM ids")"
check "and verifies" "0" "$(q "$dst" "SELECT count(*) FROM ids, spotcheck.verify_draw(b) v WHERE NOT v.ok")"
check "new draws continue the numbering" "4" \
    "$(q "$dst" "SELECT spotcheck.commit_draw('pool', '{\"general\": 1, \"key_crowded\": 1}', 'none')")"
