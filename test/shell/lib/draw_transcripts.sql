-- Draw transcripts for the verifier tests (test/shell/draw_verify.sh for
-- spotcheck-verify, test/shell/verify_web.sh for the web page): run with psql
-- in a database with spotcheck, in autocommit (each draw is executed in a
-- later transaction than the one that committed it).  Leaves table tr (name,
-- t): the transcript draw_transcript exports for every test vector (db-*)
-- and for a few more draws, the vectors written straight as transcripts
-- (vec-*), and tampered copies of the teams draw (bad-*, see tamperings in
-- draw_transcripts.bash).
\set ON_ERROR_STOP on
\set QUIET on
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

-- a draw whose keys are markup (every one selected, so every one is shown),
-- and one abandoned before it was executed
CREATE TABLE markup (key text, stratum text, weight bigint);
INSERT INTO markup VALUES ('</script><script>alert(1)</script>', 'a', 5), ('<!--', 'a', 3), ('&amp;&lt;', 'a', 2),
  ('<img src=x onerror=alert(2)>', 'a', 9), (E'line\u2028para\u2029end', 'a', 4), ('</SCRIPT >', 'a', 1), ('"quoted" \\', 'a', 6);
INSERT INTO markup SELECT 'm' || i, 'a', i FROM generate_series(1, 20) i;
INSERT INTO ids2 SELECT 'db-markup', spotcheck.commit_draw('markup', '{"a": 30}', 'none');
INSERT INTO ids2 SELECT 'db-abandoned', spotcheck.commit_draw(('vp_' || v.n)::regclass, quotas_of(v.d), 'none')
  FROM vdraw v WHERE v.name = 'four-candidates';

SELECT spotcheck.execute_draw(draw, COALESCE(d->>'entropy', 'v✓')) FROM ids \g /dev/null
SELECT spotcheck.execute_draw(draw) FROM ids2 WHERE name = 'db-markup' \g /dev/null
SELECT spotcheck.abandon_draw(draw, 'superseded by a new commitment') FROM ids2 WHERE name = 'db-abandoned' \g /dev/null
SET client_min_messages = error;
SELECT spotcheck.execute_draw(draw) FROM ids2 WHERE name = 'db-failed' \g /dev/null
RESET client_min_messages;

CREATE TABLE tr AS
SELECT name, spotcheck.draw_transcript(draw) AS t FROM ids
UNION ALL
SELECT name, spotcheck.draw_transcript(draw) FROM ids2
UNION ALL
-- what the public sees of a draw with teams, a failed one, an abandoned one
SELECT 'pub-' || substr(name, 4), spotcheck.draw_public_transcript(draw)
  FROM (SELECT name, draw FROM ids UNION ALL SELECT name, draw FROM ids2) x
 WHERE name IN ('db-teams', 'db-failed', 'db-abandoned', 'db-markup')
UNION ALL
-- transcripts written straight from the vectors file, without any draw in the database
SELECT 'vec-' || v.name, jsonb_build_object(
           'algorithm', 'spotcheck-v1', 'draw', v.n, 'purpose', 'targets',
           'committed_at', '2026-01-05T09:00:00+08:00', 'executed_at', '2026-01-05T10:00:00+08:00',
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
UNION ALL SELECT 'bad-no-commit-time', t - 'committed_at' FROM base
UNION ALL SELECT 'bad-no-times', t - 'committed_at' - 'executed_at' FROM base
UNION ALL SELECT 'bad-extra-candidate', jsonb_set(t, '{pool}', (t->'pool') || '[{"key": "91370303ZZZZZZZZZZ", "stratum": "general", "weight": 1}]') FROM base;

-- well-formed JSON that is not a transcript: a field missing, fields of the wrong type
INSERT INTO tr
SELECT 'missing-pool', t - 'pool' FROM base
UNION ALL SELECT 'pool-object', jsonb_set(t, '{pool}', '{}') FROM base
UNION ALL SELECT 'weight-text', jsonb_set(t, '{pool,0,weight}', '"1"') FROM base
UNION ALL SELECT 'secret-short', jsonb_set(t, '{secret}', '"abc"') FROM base;
