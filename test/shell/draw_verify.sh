#!/usr/bin/env bash
# spotcheck-verify against transcripts exported by draw_transcript for every
# test vector (and its teams), against transcripts built straight from the
# vectors file, against tampered copies (each must fail the named check) and
# against malformed JSON (refused with line and column).  Runs against the
# cluster test/run started (PGHOST, PGPORT, PGUSER set); prints TAP.
set -uo pipefail
db=draw_verify
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists "$db" 2>/dev/null' EXIT
VERIFY=${SPOTCHECK_VERIFY:-$(pg_config --bindir)/spotcheck-verify}

n=0
ok() {      # ok DESCRIPTION CONDITION-EXIT-STATUS
    n=$((n + 1))
    if [ "$2" -eq 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi
}
q() { psql -qAtX -v ON_ERROR_STOP=1 -d "$db" "$@"; }
export_transcript() { q -c "SELECT t FROM tr WHERE name = '$1'" >"$work/$1.json"; }

# verify NAME EXPECTED_EXIT [PATTERN] — run the verifier, check exit and output
verify() {
    local out rc
    out=$("$VERIFY" "$work/$1.json" 2>&1); rc=$?
    if [ "$rc" -ne "$2" ]; then echo "#   $1: exit $rc, expected $2"; sed 's/^/#   /' <<<"$out" | head -20; return 1; fi
    if [ -n "${3:-}" ] && ! grep -qE -- "$3" <<<"$out"; then echo "#   $1: no line matching '$3'"; sed 's/^/#   /' <<<"$out" | head -20; return 1; fi
    return 0
}

[ -x "$VERIFY" ] || { echo "Bail out! $VERIFY is not installed"; exit 1; }
dropdb --if-exists "$db" 2>/dev/null
createdb "$db" && q -c "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $db"; exit 1; }

q >/dev/null <<'SQL'
CREATE TABLE vec AS SELECT pg_read_file(current_setting('spotcheck_test.vectors'))::jsonb AS j;
CREATE TABLE vdraw AS SELECT (row_number() OVER ())::int AS n, d->>'name' AS name, d
                        FROM vec, jsonb_array_elements(j->'draws') d;
CREATE TABLE vteam AS SELECT t FROM vec, jsonb_array_elements(j->'teams') t;
CREATE TABLE vpool AS SELECT v.name, c->>'key' AS key, c->>'stratum' AS stratum, (c->>'weight')::bigint AS weight
                        FROM vdraw v, jsonb_array_elements(v.d->'pool') c;
CREATE TABLE v_inspectors AS SELECT jsonb_array_elements_text(t->'inspectors') AS key FROM vteam;
CREATE TABLE v_exclusions AS SELECT x->>'inspector' AS inspector, x->>'target' AS target
                               FROM vteam, jsonb_array_elements(t->'exclusions') x;
DO $$
DECLARE v record;
BEGIN
    FOR v IN SELECT * FROM vdraw LOOP
        EXECUTE format('CREATE VIEW vp_%s AS SELECT key, stratum, weight FROM vpool WHERE name = %L', v.n, v.name);
    END LOOP;
END $$;
CREATE FUNCTION quotas_of(d jsonb) RETURNS jsonb LANGUAGE sql AS
  $$ SELECT jsonb_object_agg(q->>'stratum', (q->>'quota')::int) FROM jsonb_array_elements(d->'quotas') q $$;
CREATE TABLE ids AS
SELECT 'db-' || v.name AS name, v.d,
       spotcheck.commit_draw_with_secret(decode(v.d->>'secret', 'hex'), ('vp_' || v.n)::regclass, quotas_of(v.d),
           CASE WHEN v.d->>'entropy' = '' THEN 'none' ELSE 'vector ' || v.name END) AS draw
  FROM vdraw v
UNION ALL
SELECT 'db-teams', v.d,
       spotcheck.commit_draw_with_secret(decode(v.d->>'secret', 'hex'), ('vp_' || v.n)::regclass, quotas_of(v.d),
           'vector teams', 'v_inspectors', (SELECT (t->>'team_size')::int FROM vteam), 'v_exclusions')
  FROM vdraw v WHERE v.name = (SELECT t->>'draw' FROM vteam);
-- awkward keys and weights: 2- to 4-byte UTF-8, keys past one SHA-256 block,
-- quotes and backslashes, the largest weight, a quota larger than its stratum
CREATE TABLE awkward (key text, stratum text, weight bigint);
INSERT INTO awkward VALUES
 (repeat('长', 30), 'a', 4294967295), (repeat('x', 55), 'a', 1), (repeat('y', 56), 'a', 1), (repeat('z', 120), 'a', 2),
 ('quote"back\slash', 'a', 3), (E'nbsp\u00a0sep\u2028', 'b b', 4294967295), ('é', 'b b', 4294967294),
 (E'e\u0301', 'b b', 7), ('😀', 'a', 1000), ('A', 'Z', 1), ('a', 'Z', 1);
INSERT INTO awkward SELECT 'k' || i, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b b' END, 1 + (i * 2654435761) % 4294967295
  FROM generate_series(1, 300) i;
INSERT INTO ids SELECT 'db-awkward', NULL, spotcheck.commit_draw('awkward', '{"a": 7, "b b": 150, "Z": 1, "none here": 3}', 'declared');
-- an unexecuted draw, and one whose teams cannot be formed: commit_draw
-- refuses such a pool, so the exclusions that make it fail are added behind
-- the extension's back (triggers off) after the commitment
CREATE TABLE three AS SELECT key FROM v_inspectors ORDER BY key LIMIT 3;
CREATE TABLE ids2 AS
SELECT 'db-unexecuted' AS name, spotcheck.commit_draw(('vp_' || v.n)::regclass, quotas_of(v.d), 'none') AS draw
  FROM vdraw v WHERE v.name = 'four-candidates'
UNION ALL
SELECT 'db-failed', spotcheck.commit_draw(('vp_' || v.n)::regclass, quotas_of(v.d), 'none', 'three', 3)
  FROM vdraw v WHERE v.name = 'four-candidates';
SET session_replication_role = replica;
INSERT INTO spotcheck.draw_exclusion
SELECT i.draw, (SELECT min(key) FROM three), p.key FROM ids2 i JOIN spotcheck.draw_pool p ON p.draw = i.draw
 WHERE i.name = 'db-failed';
RESET session_replication_role;
SQL
q -c "SELECT spotcheck.execute_draw(draw, COALESCE(d->>'entropy', 'v✓')) FROM ids" >/dev/null
q -c "SET client_min_messages = error; SELECT spotcheck.execute_draw(draw) FROM ids2 WHERE name = 'db-failed'" >/dev/null

q >/dev/null <<'SQL'
CREATE TABLE tr AS
SELECT name, spotcheck.draw_transcript(draw) AS t FROM ids
UNION ALL
SELECT name, spotcheck.draw_transcript(draw) FROM ids2
UNION ALL
-- transcripts written straight from the vectors file, without any draw in the database
SELECT 'vec-' || v.name, jsonb_build_object(
           'algorithm', 'spotcheck-v1', 'draw', v.n, 'purpose', 'targets',
           'commitment', v.d->'commitment', 'secret', v.d->'secret',
           'entropy', jsonb_build_object('declaration', 'vector', 'value', v.d->'entropy'),
           'pool_digest', v.d->'pool_digest', 'quota_digest', v.d->'quota_digest', 'seed', v.d->'seed',
           'quotas', v.d->'quotas', 'pool', v.d->'pool', 'selected', v.d->'selected')
       || CASE WHEN v.name = (SELECT t->>'draw' FROM vteam) THEN
              jsonb_build_object('teams', (SELECT jsonb_build_object('team_size', t->'team_size', 'inspectors', t->'inspectors',
                                                                     'exclusions', t->'exclusions', 'teams', t->'teams') FROM vteam))
          ELSE '{}' END
  FROM vdraw v;

-- tampered copies of the teams draw's transcript
CREATE TABLE base AS SELECT t FROM tr WHERE name = 'db-teams';
INSERT INTO tr
SELECT 'bad-secret', jsonb_set(t, '{secret}', to_jsonb(encode(sha256('chosen'), 'hex'))) FROM base
UNION ALL SELECT 'bad-weight', jsonb_set(t, '{pool,0,weight}', to_jsonb((t->'pool'->0->>'weight')::int + 1)) FROM base
UNION ALL SELECT 'bad-quota', jsonb_set(t, '{quotas,0,quota}', to_jsonb((t->'quotas'->0->>'quota')::int + 1)) FROM base
UNION ALL SELECT 'bad-entropy', jsonb_set(t, '{entropy,value}', '"a better value"') FROM base
UNION ALL SELECT 'bad-seed', jsonb_set(t, '{seed}', to_jsonb(encode(sha256('seed'), 'hex'))) FROM base
UNION ALL SELECT 'bad-commitment', jsonb_set(t, '{commitment}', to_jsonb(encode(sha256('c'), 'hex'))) FROM base
UNION ALL SELECT 'bad-selected-key', jsonb_set(t, '{selected,0,key}',
                 (SELECT p->'key' FROM jsonb_array_elements(t->'pool') p
                   WHERE p->>'stratum' = t->'selected'->0->>'stratum'
                     AND NOT EXISTS (SELECT FROM jsonb_array_elements(t->'selected') s WHERE s->>'key' = p->>'key') LIMIT 1)) FROM base
UNION ALL SELECT 'bad-rank', jsonb_set(jsonb_set(t, '{selected,0,rank}', t->'selected'->1->'rank'), '{selected,1,rank}', t->'selected'->0->'rank') FROM base
UNION ALL SELECT 'bad-ticket', jsonb_set(t, '{selected,0,ticket}', to_jsonb(encode(sha256('t'), 'hex'))) FROM base
UNION ALL SELECT 'bad-dropped', jsonb_set(t, '{selected}', (t->'selected') - 0) FROM base
UNION ALL SELECT 'bad-member', jsonb_set(t, '{teams,teams,0,members,0,inspector}',
                 to_jsonb((SELECT i FROM jsonb_array_elements_text(t->'teams'->'inspectors') i
                            WHERE i NOT IN (SELECT m->>'inspector' FROM jsonb_array_elements(t->'teams'->'teams'->0->'members') m) LIMIT 1))) FROM base
UNION ALL SELECT 'bad-over-cap', jsonb_set(t, '{teams,teams,0,members,0,over_cap}', 'true') FROM base
UNION ALL SELECT 'bad-exclusion', jsonb_set(t, '{teams,exclusions}', (t->'teams'->'exclusions') - 0) FROM base
UNION ALL SELECT 'bad-time', jsonb_set(t, '{executed_at}', '"2000-01-01T00:00:00+08:00"') FROM base
UNION ALL SELECT 'bad-extra-candidate', jsonb_set(t, '{pool}', (t->'pool') || '[{"key": "91370303ZZZZZZZZZZ", "stratum": "general", "weight": 1}]') FROM base;
SQL

echo "1..37"
for name in $(q -c "SELECT name FROM tr ORDER BY name"); do export_transcript "$name"; done

for v in four-candidates weighted-three-strata uniform-no-entropy utf8-and-shortfall teams; do
    verify "db-$v" 0 '^all [0-9]+ checks passed$'; ok "the transcript draw_transcript exported for $v passes" $?
done
for v in four-candidates weighted-three-strata uniform-no-entropy utf8-and-shortfall; do
    verify "vec-$v" 0 '^all [0-9]+ checks passed$'; ok "the vector $v, as a transcript, passes" $?
done
verify db-awkward 0 '^ok +selection: 158 selected'; ok "a draw over awkward keys and weights passes" $?
verify "vec-weighted-three-strata" 0 '^ok +teams: 15 teams of 2'; ok "the teams vector is recomputed by the verifier" $?
verify "db-teams" 0 '^ok +teams: 15 teams of 2'; ok "the teams of the database draw are recomputed" $?
verify "db-failed" 0 '^ok +failure: target'; ok "a draw that failed for want of inspectors verifies as failed" $?
verify "db-unexecuted" 1 '^FAIL +secret'; ok "an unexecuted draw's transcript lacks the secret and fails" $?

verify bad-secret 1 '^FAIL +commitment'; ok "a changed secret fails the commitment check" $?
verify bad-weight 1 '^FAIL +pool_digest'; ok "a changed weight fails the pool digest check" $?
verify bad-quota 1 '^FAIL +quota_digest'; ok "a changed quota fails the quota digest check" $?
verify bad-entropy 1 '^FAIL +seed'; ok "a changed entropy value fails the seed check" $?
verify bad-seed 1 '^FAIL +seed'; ok "a changed seed fails the seed check" $?
verify bad-commitment 1 '^FAIL +commitment'; ok "a changed commitment fails the commitment check" $?
verify bad-selected-key 1 '^FAIL +selection'; ok "a swapped-in target fails the selection check" $?
verify bad-rank 1 '^FAIL +selection'; ok "swapped ranks fail the selection check" $?
verify bad-ticket 1 '^FAIL +selection'; ok "a changed ticket fails the selection check" $?
verify bad-dropped 1 '^FAIL +selection'; ok "a dropped target fails the selection check" $?
verify bad-member 1 '^FAIL +teams'; ok "a changed team member fails the teams check" $?
verify bad-over-cap 1 '^FAIL +teams'; ok "a changed over-cap flag fails the teams check" $?
verify bad-exclusion 1 '^FAIL +teams'; ok "a dropped exclusion fails the teams check" $?
verify bad-extra-candidate 1 '^FAIL +pool_digest'; ok "an added candidate fails the pool digest check" $?
verify bad-time 1 '^FAIL +commit_before_execute'; ok "an execution time before the commitment fails" $?

head -c 300 "$work/db-teams.json" >"$work/truncated.json"
verify truncated 2 'malformed JSON at line 1, column 30[0-9]'; ok "a truncated transcript is refused with line and column" $?
printf '{\n  "algorithm": "spotcheck-v1",\n  "draw": 1,\n}\n' >"$work/comma.json"
verify comma 2 'malformed JSON at line 4, column 1: trailing comma'; ok "a trailing comma is refused with line and column" $?
printf '{"a": 1, "a": 2}' >"$work/twice.json"
verify twice 2 'line 1, column 10: member "a" appears twice'; ok "a repeated member is refused" $?
printf '{"a": 01}' >"$work/zero.json"
verify zero 2 'line 1, column 8: leading zero'; ok "a leading zero is refused" $?
printf '{"a": "\xff"}' >"$work/utf8.json"
verify utf8 2 'invalid UTF-8'; ok "invalid UTF-8 is refused" $?
printf '{"a": "x"} x' >"$work/garbage.json"
verify garbage 2 'line 1, column 12: unexpected text after the JSON value'; ok "text after the value is refused" $?
sed 's/"weight": \([0-9]*\)/"weight": \1.0/' "$work/db-teams.json" >"$work/fraction.json"
verify fraction 2 'expected a whole number'; ok "a fractional weight is refused" $?
"$VERIFY" "$work/no-such-file.json" >/dev/null 2>&1; [ $? -eq 2 ]; ok "a missing file exits 2" $?
