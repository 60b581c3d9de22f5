#!/usr/bin/env bash
# A month's draw of inspection targets and teams, end to end: commit over a
# generated pool of 3,000 units in one transaction, execute in another with
# the public entropy that was declared, show the result and the teams,
# verify inside the database, export the transcript, verify it with the
# standalone spotcheck-verify, write the self-verifying page an agency
# publishes, and show that a doctored transcript fails.
set -euo pipefail
VERIFY=$(pg_config --bindir)/spotcheck-verify
q() { psql -X -v ON_ERROR_STOP=1 "$@"; }

echo "-- a pool of 3,000 units in three strata, with risk weights; 12 inspectors; recusals"
q -q <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS demo_draw_pool, demo_inspectors, demo_recusals;
-- unit codes: valid unified social credit codes of one district (370303)
CREATE TABLE demo_draw_pool AS
SELECT body || spotcheck.uscc_check_char(body)::text AS key,
       CASE WHEN i % 10 = 0 THEN 'key_crowded' WHEN i % 10 < 3 THEN 'key_other' ELSE 'general' END AS stratum,
       CASE WHEN i % 10 = 0 THEN 300 WHEN i % 10 < 3 THEN 150 ELSE 100 END
         + (CASE WHEN i % 7 = 0 THEN 100 ELSE 0 END)  -- last year's hazards raise the weight
         - (CASE WHEN i % 11 = 0 THEN 50 ELSE 0 END)  -- good credit lowers it
         AS weight
  FROM (SELECT i, '91370303' || org || CASE 11 - s % 11 WHEN 10 THEN 'X' WHEN 11 THEN '0' ELSE (11 - s % 11)::text END AS body
          FROM (SELECT i, org, (SELECT sum((strpos('0123456789ABCDEF', substr(org, k, 1)) - 1) * (ARRAY[3,7,9,10,5,8,4,2])[k])
                                  FROM generate_series(1, 8) k)::int AS s
                  FROM (SELECT i, upper(substr(md5('unit' || i), 1, 8)) AS org FROM generate_series(1, 3000) i) o) w) u;
CREATE TABLE demo_inspectors AS SELECT 'FJ-' || lpad(i::text, 3, '0') AS key FROM generate_series(1, 12) i;
CREATE TABLE demo_recusals AS
SELECT 'FJ-00' || (1 + i % 9) AS inspector, key AS target
  FROM (SELECT key, row_number() OVER (ORDER BY key) AS i FROM demo_draw_pool) p WHERE i % 40 = 0;
SQL
q -c "SELECT stratum, count(*) AS units, min(weight) AS min_weight, max(weight) AS max_weight FROM demo_draw_pool GROUP BY 1 ORDER BY 1"

echo "-- transaction 1: commit the draw (pool, quotas, inspectors, team size 2, recusals, entropy declaration)"
draw=$(q -qAt -c "SELECT spotcheck.commit_draw('demo_draw_pool', '{\"key_crowded\": 15, \"key_other\": 15, \"general\": 30}',
                      'witnesses: three six-digit numbers read out at the draw meeting',
                      'demo_inspectors', 2, 'demo_recusals', agency => 'ZD')")
q -c "SELECT draw, state, pool_size, commitment, committed_at FROM spotcheck.draws WHERE draw = $draw"
echo "-- before execution the transcript has the commitment but no secret:"
q -qAt -c "SELECT 'secret in transcript: ' || (spotcheck.draw_transcript($draw) ? 'secret')"

echo "-- transaction 2: execute with the numbers the witnesses read out"
q -c "SELECT spotcheck.execute_draw($draw, 'witnesses: 381204 550129 907731') AS selected"
q -c "SELECT stratum, rank, key, substr(encode(ticket, 'hex'), 1, 16) AS ticket_prefix
        FROM spotcheck.draw_selected WHERE draw = $draw AND rank <= 5 ORDER BY stratum, rank"
q -c "SELECT target, string_agg(inspector || CASE WHEN over_cap THEN ' (over cap)' ELSE '' END, ', ' ORDER BY member) AS team
        FROM spotcheck.draw_team_member WHERE draw = $draw GROUP BY target ORDER BY target LIMIT 8"
echo "-- executing it again is refused:"
q -c "SELECT spotcheck.execute_draw($draw, 'witnesses: 111111 222222 333333')" 2>&1 | sed -n 1,2p || true

echo "-- verify_draw recomputes everything inside the database"
q -c "SELECT check_name, ok, left(detail, 90) AS detail FROM spotcheck.verify_draw($draw)"

echo "-- the transcript, exported for anyone to check"
q -qAt -c "SELECT spotcheck.draw_transcript($draw)" >"$DEMO_OUT/draw-$draw.json"
ls -l "$DEMO_OUT/draw-$draw.json"
"$VERIFY" "$DEMO_OUT/draw-$draw.json"

echo "-- the page the agency publishes: the verification page with the draw's public transcript (no teams) in it;"
echo "-- opened in any browser it runs the same checks (tools/verify-web/spotcheck-verify.html)"
q -qAt -c "SELECT spotcheck.verification_page($draw)" >"$DEMO_OUT/draw-$draw.html"
ls -l "$DEMO_OUT/draw-$draw.html"

echo "-- a transcript doctored to swap in an unselected unit fails verification"
q -qAt -c "SELECT jsonb_set(t, '{selected,0,key}',
                            (SELECT p->'key' FROM jsonb_array_elements(t->'pool') p
                              WHERE p->>'stratum' = t->'selected'->0->>'stratum'
                                AND NOT EXISTS (SELECT FROM jsonb_array_elements(t->'selected') s WHERE s->>'key' = p->>'key')
                              LIMIT 1))
             FROM (SELECT spotcheck.draw_transcript($draw) AS t) x" >"$DEMO_OUT/draw-$draw-doctored.json"
if "$VERIFY" "$DEMO_OUT/draw-$draw-doctored.json"; then
    echo "error: the doctored transcript passed" >&2; exit 1
else
    echo "-- spotcheck-verify rejected the doctored transcript (exit $?)"
fi
