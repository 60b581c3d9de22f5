-- The draw algorithm against the published test vectors, and the errors of
-- its building blocks, exactly as a user sees them.
SET search_path = spotcheck, public;
\set VERBOSITY default

CREATE TEMP TABLE vdraw AS
SELECT d->>'name' AS name, d
  FROM jsonb_array_elements(pg_read_file(current_setting('spotcheck_test.vectors'))::jsonb->'draws') d;
CREATE TEMP TABLE vpool AS
SELECT v.name, c->>'key' AS key, c->>'stratum' AS stratum, (c->>'weight')::bigint AS weight
  FROM vdraw v, jsonb_array_elements(v.d->'pool') c;
CREATE TEMP TABLE vquota AS
SELECT v.name, q->>'stratum' AS stratum, (q->>'quota')::integer AS quota
  FROM vdraw v, jsonb_array_elements(v.d->'quotas') q;

-- commitment, digests and seed, recomputed from secret, pool, quotas, entropy
SELECT v.name,
       encode(draw_commitment(decode(v.d->>'secret', 'hex')), 'hex') = v.d->>'commitment' AS commitment,
       encode(p.digest, 'hex') = v.d->>'pool_digest' AS pool_digest,
       encode(q.digest, 'hex') = v.d->>'quota_digest' AS quota_digest,
       encode(draw_seed(decode(v.d->>'secret', 'hex'), p.digest, q.digest, v.d->>'entropy'), 'hex') = v.d->>'seed' AS seed
  FROM vdraw v
  CROSS JOIN LATERAL (SELECT pool_digest(x.key, x.stratum, x.weight ORDER BY convert_to(x.key, 'UTF8')) AS digest
                        FROM vpool x WHERE x.name = v.name) p
  CROSS JOIN LATERAL (SELECT quota_digest(x.stratum, x.quota ORDER BY convert_to(x.stratum, 'UTF8')) AS digest
                        FROM vquota x WHERE x.name = v.name) q
 ORDER BY v.name;

-- draw_sample grouped by stratum gives each vector's selection, in rank order
SELECT v.name, s.stratum, s.keys,
       s.keys = ARRAY(SELECT e->>'key' FROM jsonb_array_elements(v.d->'selected') e
                       WHERE e->>'stratum' = s.stratum ORDER BY (e->>'rank')::int) AS as_published
  FROM vdraw v
  CROSS JOIN LATERAL (
      SELECT x.stratum,
             draw_sample(x.key, x.weight, q.quota,
                         draw_stream_seed(decode(v.d->>'seed', 'hex'), 'targets')) AS keys
        FROM vpool x JOIN vquota q ON q.name = x.name AND q.stratum = x.stratum
       WHERE x.name = v.name
       GROUP BY x.stratum) s
 WHERE v.name <> 'uniform-no-entropy'
 ORDER BY v.name, convert_to(s.stratum, 'UTF8');

-- the same for the 1000-candidate vector, without printing its 50 keys
SELECT v.name, s.keys = ARRAY(SELECT e->>'key' FROM jsonb_array_elements(v.d->'selected') e
                                ORDER BY (e->>'rank')::int) AS as_published
  FROM vdraw v
  CROSS JOIN LATERAL (
      SELECT draw_sample(x.key, x.weight, q.quota,
                         draw_stream_seed(decode(v.d->>'seed', 'hex'), 'targets')) AS keys
        FROM vpool x JOIN vquota q ON q.name = x.name AND q.stratum = x.stratum
       WHERE x.name = v.name) s
 WHERE v.name = 'uniform-no-entropy';

-- every published ticket
SELECT v.name, count(*) AS tickets,
       count(*) FILTER (WHERE encode(ticket(draw_stream_seed(decode(v.d->>'seed', 'hex'), 'targets'), e->>'key'), 'hex')
                              = e->>'ticket') AS equal
  FROM vdraw v, jsonb_array_elements(v.d->'selected') e
 GROUP BY v.name ORDER BY v.name;

-- the teams vector
SELECT t->>'name' AS name,
       (SELECT jsonb_agg(jsonb_build_object('target', g.target, 'members', g.members) ORDER BY convert_to(g.target, 'UTF8'))
          FROM (SELECT m.target, jsonb_agg(jsonb_build_object('inspector', m.inspector, 'over_cap', m.over_cap)
                                           ORDER BY m.member) AS members
                  FROM draw_teams(draw_stream_seed(decode(v.d->>'seed', 'hex'), 'teams'),
                                  ARRAY(SELECT e->>'key' FROM jsonb_array_elements(v.d->'selected') e),
                                  ARRAY(SELECT jsonb_array_elements_text(t->'inspectors')),
                                  (t->>'team_size')::int,
                                  ARRAY(SELECT x->>'inspector' FROM jsonb_array_elements(t->'exclusions') x),
                                  ARRAY(SELECT x->>'target' FROM jsonb_array_elements(t->'exclusions') x)) m
                 GROUP BY m.target) g) = t->'teams' AS teams_as_published
  FROM jsonb_array_elements(pg_read_file(current_setting('spotcheck_test.vectors'))::jsonb->'teams') t
  JOIN vdraw v ON v.name = t->>'draw';

-- ---- errors ------------------------------------------------------------------
\set seed '''\\x0000000000000000000000000000000000000000000000000000000000000000''::bytea'
SELECT ticket('\x00'::bytea, 'k');
SELECT draw_sample(k, w, 1, :seed) FROM (VALUES ('a', 0::bigint)) t(k, w);
SELECT draw_sample(k, w, 1, :seed) FROM (VALUES ('a', 4294967296)) t(k, w);
SELECT draw_sample(k, w, 1, :seed) FROM (VALUES ('a', NULL::bigint)) t(k, w);
SELECT draw_sample(k, w, 1, :seed) FROM (VALUES (NULL::text, 1::bigint)) t(k, w);
SELECT draw_sample(k, w, 2, :seed) FROM (VALUES ('a', 1::bigint), ('b', 1), ('a', 1)) t(k, w);
SELECT draw_sample(k, w, -1, :seed) FROM (VALUES ('a', 1::bigint)) t(k, w);
SELECT draw_sample(k, w, 1, '\x0102'::bytea) FROM (VALUES ('a', 1::bigint)) t(k, w);
SELECT draw_sample(k, w, q, :seed) FROM (VALUES ('a', 1::bigint, 1), ('b', 1, 2)) t(k, w, q);
SELECT draw_sample(k, w, 1, s) FROM (VALUES ('a', 1::bigint, :seed), ('b', 1, sha256(''))) t(k, w, s);
SELECT pool_digest(k, 's', 1) FROM (VALUES ('b'), ('a')) t(k);
SELECT * FROM draw_teams(:seed, ARRAY['t1'], ARRAY['i1', 'i2'], 3, '{}', '{}');
SELECT * FROM draw_teams(:seed, ARRAY['t1'], ARRAY['i1', 'i2'], 2, ARRAY['i1'], ARRAY['t1']);
SELECT * FROM draw_teams(:seed, ARRAY['t1'], ARRAY['i1', 'i1'], 2, '{}', '{}');
SELECT * FROM draw_teams(:seed, ARRAY['t1'], ARRAY['i1', 'i2'], 1, '{}', '{}');
