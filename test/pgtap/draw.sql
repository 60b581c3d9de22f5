-- The draw protocol: the vectors reproduced by commit_draw/execute_draw, the
-- parallel aggregate, every input error, and the attacks of a dishonest
-- operator.  Statements run in autocommit: a draw is executed in a later
-- transaction than the one that committed it.
\ir helpers.psql
SELECT * FROM no_plan();

-- ---- the vectors ---------------------------------------------------------------
CREATE TABLE vdraw AS
SELECT (row_number() OVER ())::int AS n, d->>'name' AS name, d
  FROM jsonb_array_elements(pg_read_file(current_setting('spotcheck_test.vectors'))::jsonb->'draws') d;
CREATE TABLE vpool AS
SELECT v.name, c->>'key' AS key, c->>'stratum' AS stratum, (c->>'weight')::bigint AS weight
  FROM vdraw v, jsonb_array_elements(v.d->'pool') c;
DO $$
DECLARE v record;
BEGIN
    FOR v IN SELECT * FROM vdraw LOOP
        EXECUTE format('CREATE VIEW vp_%s AS SELECT key, stratum, weight FROM vpool WHERE name = %L', v.n, v.name);
    END LOOP;
END $$;
CREATE TABLE vid AS
SELECT v.name, v.d, spotcheck.commit_draw_with_secret(
           decode(v.d->>'secret', 'hex'), ('vp_' || v.n)::regclass,
           (SELECT jsonb_object_agg(q->>'stratum', (q->>'quota')::int) FROM jsonb_array_elements(v.d->'quotas') q),
           CASE WHEN v.d->>'entropy' = '' THEN 'none' ELSE 'the value of the test vector ' || v.name END) AS draw
  FROM vdraw v ORDER BY v.n;

SELECT is(encode(d.commitment, 'hex'), v.d->>'commitment', 'commitment of vector ' || v.name)
  FROM vid v JOIN spotcheck.draw d ON d.id = v.draw ORDER BY v.draw;
SELECT is(encode(d.pool_digest, 'hex'), v.d->>'pool_digest', 'pool digest of vector ' || v.name)
  FROM vid v JOIN spotcheck.draw d ON d.id = v.draw ORDER BY v.draw;
SELECT is(encode(d.quota_digest, 'hex'), v.d->>'quota_digest', 'quota digest of vector ' || v.name)
  FROM vid v JOIN spotcheck.draw d ON d.id = v.draw ORDER BY v.draw;
SELECT ok(NOT (spotcheck.draw_transcript(v.draw) ? 'secret'), 'no secret in the transcript before execution: ' || v.name)
  FROM vid v ORDER BY v.draw;
SELECT is(spotcheck.execute_draw(v.draw, v.d->>'entropy'), jsonb_array_length(v.d->'selected'),
          'execute_draw selects as many as vector ' || v.name)
  FROM vid v ORDER BY v.draw;
SELECT is(encode(d.seed, 'hex'), v.d->>'seed', 'seed of vector ' || v.name)
  FROM vid v JOIN spotcheck.draw d ON d.id = v.draw ORDER BY v.draw;
SELECT is((SELECT jsonb_agg(e ORDER BY convert_to(e->>'stratum', 'UTF8'), (e->>'rank')::int)
             FROM jsonb_array_elements(v.d->'selected') e),
          spotcheck.draw_transcript(v.draw)->'selected',
          'selection, ranks and tickets of vector ' || v.name)
  FROM vid v ORDER BY v.draw;
SELECT is(spotcheck.draw_transcript(v.draw)->>'secret', v.d->>'secret', 'the transcript reveals the secret after execution: ' || v.name)
  FROM vid v ORDER BY v.draw;
SELECT ok(bool_and(c.ok), 'verify_draw passes every check of vector ' || v.name)
  FROM vid v, spotcheck.verify_draw(v.draw) c GROUP BY v.name, v.draw ORDER BY v.draw;

-- the teams vector: a draw of the same pool with the inspector pool, m and exclusions
CREATE TABLE vteam AS
SELECT t FROM jsonb_array_elements(pg_read_file(current_setting('spotcheck_test.vectors'))::jsonb->'teams') t;
CREATE TABLE v_inspectors AS SELECT jsonb_array_elements_text(t->'inspectors') AS key FROM vteam;
CREATE TABLE v_exclusions AS SELECT x->>'inspector' AS inspector, x->>'target' AS target
  FROM vteam, jsonb_array_elements(t->'exclusions') x;
CREATE TABLE vtid AS
SELECT spotcheck.commit_draw_with_secret(decode(v.d->>'secret', 'hex'), ('vp_' || v.n)::regclass,
           (SELECT jsonb_object_agg(q->>'stratum', (q->>'quota')::int) FROM jsonb_array_elements(v.d->'quotas') q),
           'witnesses', 'v_inspectors', (SELECT (t->>'team_size')::int FROM vteam), 'v_exclusions') AS draw
  FROM vdraw v WHERE v.name = (SELECT t->>'draw' FROM vteam);
SELECT is(spotcheck.execute_draw(draw, (SELECT d->>'entropy' FROM vdraw WHERE name = 'weighted-three-strata')), 15,
          'the teams draw selects the 15 targets') FROM vtid;
SELECT is(spotcheck.draw_transcript(draw)->'teams'->'teams', (SELECT t->'teams' FROM vteam),
          'execute_draw forms the teams of the vector') FROM vtid;
SELECT is(spotcheck.draw_transcript(draw)->'teams'->'exclusions',
          (SELECT jsonb_agg(x ORDER BY x->>'target', x->>'inspector') FROM vteam, jsonb_array_elements(t->'exclusions') x),
          'the exclusions are frozen and published with the teams') FROM vtid;
SELECT ok(bool_and(c.ok), 'verify_draw passes for the teams draw') FROM vtid, spotcheck.verify_draw(vtid.draw) c;
SELECT is((SELECT ok FROM spotcheck.verify_draw(draw) WHERE check_name = 'teams'), true, 'verify_draw recomputes the teams') FROM vtid;

-- ---- draw_sample: parallel equals serial, Partial Aggregate in the plan ---------
CREATE TABLE big AS
SELECT 'K' || lpad(i::text, 8, '0') AS key,
       (ARRAY['key_crowded', 'key_other', 'general'])[1 + i % 3] AS stratum,
       1 + (i::bigint * 7919) % 400 AS weight
  FROM generate_series(1, 300000) i ORDER BY md5(i::text);
ANALYZE big;
CREATE TABLE big_sorted AS SELECT * FROM big ORDER BY key DESC;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
\set q 'SELECT stratum, spotcheck.draw_sample(key, weight, 500, sha256(''bench'')) AS keys FROM big GROUP BY stratum'
SELECT matches(pg_temp.plan_of(:'q'), 'Partial (Hash|Group)?Aggregate', 'the grouped draw runs as a parallel partial aggregate');
SELECT matches(pg_temp.plan_of('SELECT spotcheck.draw_sample(key, weight, 50, sha256(''x'')) FROM big'),
               'Partial Aggregate', 'an ungrouped draw too');
CREATE TABLE par AS SELECT stratum, spotcheck.draw_sample(key, weight, 500, sha256('bench')) AS keys FROM big GROUP BY stratum;
SET max_parallel_workers_per_gather = 0;
SELECT doesnt_match(pg_temp.plan_of(:'q'), 'Partial', 'with parallelism off the plan has no partial aggregate');
CREATE TABLE ser AS SELECT stratum, spotcheck.draw_sample(key, weight, 500, sha256('bench')) AS keys FROM big GROUP BY stratum;
CREATE TABLE ser2 AS SELECT stratum, spotcheck.draw_sample(key, weight, 500, sha256('bench')) AS keys FROM big_sorted GROUP BY stratum;
SELECT results_eq('SELECT stratum, keys FROM par ORDER BY 1', 'SELECT stratum, keys FROM ser ORDER BY 1',
                  'parallel and serial draws are identical');
SELECT results_eq('SELECT stratum, keys FROM ser2 ORDER BY 1', 'SELECT stratum, keys FROM ser ORDER BY 1',
                  'the draw does not depend on the order of the rows');
SELECT is((SELECT sum(cardinality(keys))::int FROM par), 1500, 'each stratum yields its quota');
-- exact reference: the first 500 of each stratum in priority order, by a plain sort
CREATE TABLE ref AS
SELECT stratum, array_agg(key ORDER BY pr, t, key COLLATE "C") AS keys FROM (
    SELECT stratum, key, t, ((('x' || encode(substr(t, 1, 8), 'hex'))::bit(64)::bigint::numeric + 18446744073709551616) % 18446744073709551616 + 1) / weight AS pr,
           row_number() OVER (PARTITION BY stratum ORDER BY ((('x' || encode(substr(t, 1, 8), 'hex'))::bit(64)::bigint::numeric + 18446744073709551616) % 18446744073709551616 + 1) / weight, t) AS rn
      FROM (SELECT *, spotcheck.ticket(sha256('bench'), key) AS t FROM big) b) x
 WHERE rn <= 500 GROUP BY stratum;
SELECT results_eq('SELECT stratum, keys FROM ser ORDER BY 1', 'SELECT stratum, keys FROM ref ORDER BY 1',
                  'draw_sample equals a full sort by (r+1)/w');
RESET max_parallel_workers_per_gather;
-- the final function trims and sorts the state in place: no window use
SELECT throws_ok($$SELECT spotcheck.draw_sample(key, weight, 5, sha256('bench')) OVER () FROM big$$,
    '0A000', NULL, 'draw_sample is not a window function');
SELECT throws_ok($$SELECT spotcheck.draw_sample_strata(key, stratum, weight, '{"general": 1}', sha256('bench')) OVER () FROM big$$,
    '0A000', NULL, 'nor is draw_sample_strata');
-- a duplicate straddling the quota, and one split across parallel workers
CREATE TABLE dup AS SELECT * FROM big UNION ALL SELECT * FROM big WHERE key = (SELECT keys[500] FROM ser WHERE stratum = 'general');
SET max_parallel_workers_per_gather = 2;
SELECT throws_ok('SELECT stratum, spotcheck.draw_sample(key, weight, 500, sha256(''bench'')) FROM dup GROUP BY stratum',
                 '23505', NULL, 'a duplicated key at the quota boundary is an error, in parallel too');
RESET max_parallel_workers_per_gather;
SELECT throws_ok($$SELECT spotcheck.draw_sample(k, w, 2, sha256('s')) FROM (VALUES ('a', 1::bigint), ('a', 7)) t(k, w)$$,
                 '23505', 'key "a" occurs more than once in one draw', 'a duplicated key with two weights is an error');
SELECT is((SELECT spotcheck.draw_sample(k, 1, 0, sha256('s')) FROM (VALUES ('a'), ('b')) t(k)), '{}'::text[],
          'quota 0 selects nothing');
SELECT is((SELECT spotcheck.draw_sample(k, 1, 5, sha256('s')) FROM (VALUES ('a'), ('b')) t(k) WHERE false), '{}'::text[],
          'no rows select nothing');
SELECT is((SELECT cardinality(spotcheck.draw_sample(k, 1, 5, sha256('s'))) FROM (VALUES ('a'), ('b')) t(k)), 2,
          'a stratum smaller than its quota is selected whole');
SELECT is((SELECT spotcheck.draw_sample(k, w, 1, sha256('s')) FROM (VALUES ('a', 4294967295), ('b', 1)) t(k, w)),
          CASE WHEN (('x' || encode(substr(spotcheck.ticket(sha256('s'), 'a'), 1, 8), 'hex'))::bit(64)::bigint::numeric + 18446744073709551616) % 18446744073709551616 + 1
                    < ((('x' || encode(substr(spotcheck.ticket(sha256('s'), 'b'), 1, 8), 'hex'))::bit(64)::bigint::numeric + 18446744073709551616) % 18446744073709551616 + 1) * 4294967295
               THEN '{a}'::text[] ELSE '{b}'::text[] END,
          'the largest weight compares exactly');

-- ---- draw_sample errors: SQLSTATE and the offending value ----------------------
SELECT throws_ok($$SELECT spotcheck.draw_sample('a', 0, 1, sha256('s'))$$, '22003', 'weight 0 of key "a" is outside 1..4294967295', 'weight 0');
SELECT throws_ok($$SELECT spotcheck.draw_sample('a', 4294967296, 1, sha256('s'))$$, '22003', 'weight 4294967296 of key "a" is outside 1..4294967295', 'weight 2^32');
SELECT throws_ok($$SELECT spotcheck.draw_sample('a', -5, 1, sha256('s'))$$, '22003', 'weight -5 of key "a" is outside 1..4294967295', 'negative weight');
SELECT throws_ok($$SELECT spotcheck.draw_sample('a', NULL, 1, sha256('s'))$$, '22004', 'weight of key "a" must not be null', 'null weight');
SELECT throws_ok($$SELECT spotcheck.draw_sample(NULL, 1, 1, sha256('s'))$$, '22004', 'key of a draw candidate must not be null', 'null key');
SELECT throws_ok($$SELECT spotcheck.draw_sample('a', 1, -1, sha256('s'))$$, '22023', 'quota -1 is negative', 'negative quota');
SELECT throws_ok($$SELECT spotcheck.draw_sample('a', 1, NULL, sha256('s'))$$, '22004', 'quota of draw_sample must not be null', 'null quota');
SELECT throws_ok($$SELECT spotcheck.draw_sample('a', 1, 1, '\x01'::bytea)$$, '22023', 'stream seed is 1 bytes long, not 32', 'short seed');
SELECT throws_ok($$SELECT spotcheck.draw_sample('a', 1, 1, NULL)$$, '22004', 'stream seed of draw_sample must not be null', 'null seed');
SELECT throws_ok($$SELECT spotcheck.draw_sample(k, 1, q, sha256('s')) FROM (VALUES ('a', 1), ('b', 3)) t(k, q)$$,
                 '22023', 'quota changed from 1 to 3 within one group of draw_sample', 'quota changing within a group');
SELECT throws_ok($$SELECT spotcheck.draw_sample(k, 1, 1, s) FROM (VALUES ('a', sha256('s')), ('b', sha256('t'))) t(k, s)$$,
                 '22023', NULL, 'seed changing within a group');
SELECT throws_ok($$SELECT spotcheck.ticket('\x01'::bytea, 'k')$$, '22023', 'stream seed is 1 bytes long, not 32', 'ticket with a short seed');

-- ---- commit_draw input errors -------------------------------------------------
CREATE TABLE pool_ok (key text, stratum text, weight bigint);
INSERT INTO pool_ok VALUES ('U1', 'general', 1), ('U2', 'general', 2), ('U3', 'key_crowded', 3), ('U4', 'key_crowded', 4);
CREATE TABLE pool_ctl AS SELECT * FROM pool_ok; INSERT INTO pool_ctl VALUES (E'U\t5', 'general', 1);
CREATE TABLE pool_empty_key AS SELECT * FROM pool_ok; INSERT INTO pool_empty_key VALUES ('', 'general', 1);
CREATE TABLE pool_ctl_stratum AS SELECT * FROM pool_ok; INSERT INTO pool_ctl_stratum VALUES ('U5', E'gen\x7feral', 1);
CREATE TABLE pool_dup AS SELECT * FROM pool_ok; INSERT INTO pool_dup VALUES ('U2', 'general', 9);
CREATE TABLE pool_w0 AS SELECT * FROM pool_ok; INSERT INTO pool_w0 VALUES ('U5', 'general', 0);
CREATE TABLE pool_wbig AS SELECT * FROM pool_ok; INSERT INTO pool_wbig VALUES ('U5', 'general', 4294967296);
CREATE TABLE pool_wnull AS SELECT * FROM pool_ok; INSERT INTO pool_wnull VALUES ('U5', 'general', NULL);
CREATE TABLE pool_nokey (k text, stratum text, weight bigint);
CREATE TABLE pool_numeric (key text, stratum text, weight numeric); INSERT INTO pool_numeric VALUES ('U1', 'general', 1.5);
\set quotas '''{"general": 1, "key_crowded": 1}'''
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ctl', '{"general": 1, "key_crowded": 1}', 'none')$$,
                 '22023', E'pool key ''U\t5'' contains a control character', 'a key with a control character is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_empty_key', '{"general": 1, "key_crowded": 1}', 'none')$$,
                 '22023', 'pool key '''' is empty', 'an empty key is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ctl_stratum', '{"general": 1, "key_crowded": 1}', 'none')$$,
                 '22023', E'stratum ''gen\x7feral'' of pool key ''U5'' contains a control character', 'a stratum with a control character is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_dup', '{"general": 1, "key_crowded": 1}', 'none')$$,
                 '23505', 'pool key ''U2'' occurs 2 times', 'a repeated key is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_w0', '{"general": 1, "key_crowded": 1}', 'none')$$,
                 '22003', 'weight 0 of pool key ''U5'' is outside 1..4294967295', 'weight 0 is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_wbig', '{"general": 1, "key_crowded": 1}', 'none')$$,
                 '22003', 'weight 4294967296 of pool key ''U5'' is outside 1..4294967295', 'weight 2^32 is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_wnull', '{"general": 1, "key_crowded": 1}', 'none')$$,
                 '22003', 'weight null of pool key ''U5'' is outside 1..4294967295', 'a null weight is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_nokey', '{"general": 1}', 'none')$$,
                 '42703', 'the pool public.pool_nokey has no column "key"', 'a pool without a key column is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_numeric', '{"general": 1}', 'none')$$,
                 '42804', 'column "weight" of the pool public.pool_numeric is of type numeric, not an integer type',
                 'a weight column that is not an integer type is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1}', 'none')$$,
                 '22023', 'stratum ''key_crowded'' of the pool (2 candidates) has no quota', 'a stratum without a quota is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": -1, "key_crowded": 1}', 'none')$$,
                 '22023', 'quota -1 of stratum ''general'' is not a whole number from 0 to 2147483647', 'a negative quota is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1.5, "key_crowded": 1}', 'none')$$,
                 '22023', 'quota 1.5 of stratum ''general'' is not a whole number from 0 to 2147483647', 'a fractional quota is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1, "": 2}', 'none')$$,
                 '22023', 'quota stratum '''' is empty', 'an empty quota stratum is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '[1, 2]', 'none')$$,
                 '22023', 'quotas must be a JSON object, got ''[1, 2]''', 'quotas that are not an object are refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', ' ')$$,
                 '22023', 'the entropy declaration must not be empty, got '' ''', 'an empty entropy declaration is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none', 'v_inspectors')$$,
                 '22023', 'an inspector pool was given without a team size',
                 'an inspector pool without a team size is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none', 'v_inspectors', 1)$$,
                 '22023', 'team size 1 is below 2', 'a team size below 2 is refused');
CREATE TABLE insp_dup (key text); INSERT INTO insp_dup VALUES ('I1'), ('I2'), ('I1');
CREATE TABLE insp_ctl (key text); INSERT INTO insp_ctl VALUES ('I1'), (E'I\n2');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none', 'insp_dup', 2)$$,
                 '23505', 'inspector key ''I1'' occurs 2 times', 'a repeated inspector is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none', 'insp_ctl', 2)$$,
                 '22023', E'inspector key ''I\n2'' contains a control character', 'an inspector key with a control character is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none', purpose => 'lottery')$$,
                 '22023', 'purpose ''lottery'' is not a draw purpose', 'an unknown purpose is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"redraw": 1}', 'none', purpose => 'redraw')$$,
                 '22023', NULL, 'a redraw needs the redraw pool shape');
SELECT throws_ok($$SELECT spotcheck.commit_draw(NULL, '{"general": 1}', 'none')$$,
                 '22004', 'the pool must not be null', 'a null pool is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none', team_size => 2)$$,
                 '22023', 'team size 2 was given without an inspector pool',
                 'a team size without an inspector pool is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none', exclusions => 'v_exclusions')$$,
                 '22023', 'exclusions were given without an inspector pool', 'exclusions without inspectors are refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'declared', purpose => 'redraw')$$,
                 '22023', 'a redraw takes no public entropy, but the declaration is ''declared''', 'a redraw with declared entropy is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw_with_secret('\x01'::bytea, 'pool_ok', '{"general": 1, "key_crowded": 1}', 'none')$$,
                 '22023', 'the secret is 1 bytes long, not 32', 'a supplied secret of the wrong length is refused');
SELECT throws_ok($$SELECT spotcheck.verify_draw(424242)$$, 'P0002', 'draw 424242 does not exist', 'verify_draw of an unknown draw');
SELECT throws_ok($$SELECT spotcheck.draw_transcript(424242)$$, 'P0002', 'draw 424242 does not exist', 'draw_transcript of an unknown draw');
SELECT throws_ok($$SELECT spotcheck.abandon_draw(424242, 'why')$$, 'P0002', 'draw 424242 does not exist', 'abandon_draw of an unknown draw');
SELECT is((SELECT count(*) FROM spotcheck.draw WHERE pool_source LIKE '%pool\_%'), 0::bigint,
          'refused commitments leave nothing behind');

-- ---- the protocol and its attacks --------------------------------------------
CREATE TABLE d AS SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1, "unused": 3}',
                                               'drand quicknet round 1') AS id;
SELECT is((SELECT state FROM spotcheck.draws WHERE draw = (SELECT id FROM d)), 'committed', 'a new draw is listed as committed');
SELECT is((SELECT secret_origin FROM spotcheck.draws WHERE draw = (SELECT id FROM d)), 'generated', 'its secret was generated');
SELECT throws_ok($$SELECT spotcheck.execute_draw(spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'x'), 'v')$$,
                 '25000', NULL, 'execute_draw refuses to run in the transaction that committed the draw');
SELECT throws_ok($$SELECT spotcheck.execute_draw((SELECT id FROM d), '')$$, '22023',
                 NULL, 'a declared entropy must be given');
SELECT throws_ok($$SELECT spotcheck.execute_draw(999999, 'v')$$, 'P0002', 'draw 999999 does not exist', 'an unknown draw');
SELECT throws_ok($$SELECT spotcheck.execute_draw((SELECT id FROM d), NULL)$$, '22004', NULL, 'a null entropy value is refused');
CREATE TABLE dn AS SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none') AS id;
SELECT throws_ok($$SELECT spotcheck.execute_draw((SELECT id FROM dn), 'chosen later')$$, '22023',
                 format('draw %s declared no entropy, but the value ''chosen later'' was given', (SELECT id FROM dn)),
                 'a value for a draw that declared none is refused');
SELECT is(spotcheck.execute_draw(id), 2, 'it executes with the empty value') FROM dn;
-- an execution shows its result to no one before it commits, so rolling it
-- back teaches nothing; executing again works
BEGIN;
SELECT spotcheck.execute_draw((SELECT id FROM d), 'round 1 value') AS n1 \gset
SELECT pg_temp.try_sql(format('SELECT spotcheck.draw_transcript(%s)', (SELECT id FROM d))) AS transcript_in_tx \gset
SELECT pg_temp.try_sql(format('SELECT spotcheck.verify_draw(%s)', (SELECT id FROM d))) AS verify_in_tx \gset
SELECT seed IS NULL AND selected_count IS NULL AS draws_hides_result FROM spotcheck.draws WHERE draw = (SELECT id FROM d) \gset
ROLLBACK;
SELECT is(:'transcript_in_tx', format('25000: draw %s was executed in this transaction; its result is revealed once the transaction commits',
                                      (SELECT id FROM d)),
          'the executing transaction cannot read the transcript');
SELECT is(:'verify_in_tx', format('25000: draw %s was executed in this transaction; its result is revealed once the transaction commits',
                                  (SELECT id FROM d)),
          'nor verify the draw');
SELECT ok(:'draws_hides_result', 'and spotcheck.draws shows it neither seed nor count');
SELECT is((SELECT state FROM spotcheck.draws WHERE draw = (SELECT id FROM d)), 'committed', 'a rolled-back execution leaves the draw committed');
SELECT is(spotcheck.execute_draw((SELECT id FROM d), 'round 1 value'), :n1, 'executing again selects as many');
SELECT is((SELECT seed FROM spotcheck.draws WHERE draw = (SELECT id FROM d)),
          encode(spotcheck.draw_seed((SELECT secret FROM spotcheck.draw_secret WHERE draw = (SELECT id FROM d)),
                                     (SELECT pool_digest FROM spotcheck.draw WHERE id = (SELECT id FROM d)),
                                     (SELECT quota_digest FROM spotcheck.draw WHERE id = (SELECT id FROM d)), 'round 1 value'), 'hex'),
          'once committed, spotcheck.draws shows the seed');
SELECT throws_ok($$SELECT spotcheck.execute_draw((SELECT id FROM d), 'another value')$$, '55000', NULL,
                 'execute_draw refuses a draw that was already executed');
SELECT is(spotcheck.draw_transcript((SELECT id FROM d))->'entropy'->>'value', 'round 1 value', 'the transcript names the entropy value');
SELECT is((SELECT count(*) FROM spotcheck.audit_log WHERE object = 'draw:' || (SELECT id FROM d) AND action IN ('draw.commit', 'draw.execute')),
          2::bigint, 'commitment and execution are in the audit log');
SELECT is((SELECT array_agg(check_name ORDER BY check_name) FROM spotcheck.verify_draw((SELECT id FROM d)) WHERE NOT ok), NULL,
          'an honest draw passes verify_draw');

-- the frozen rows cannot be changed through SQL, not even by a superuser
SELECT throws_ok($$UPDATE spotcheck.draw_pool SET weight = 4 WHERE draw = (SELECT id FROM d) AND key = 'U1'$$, '55000', NULL, 'pool rows are frozen');
SELECT throws_ok($$UPDATE spotcheck.draw_quota SET quota = 2 WHERE draw = (SELECT id FROM d)$$, '55000', NULL, 'quotas are frozen');
SELECT throws_ok($$UPDATE spotcheck.draw_selected SET key = 'U2' WHERE draw = (SELECT id FROM d)$$, '55000', NULL, 'results are frozen');
SELECT throws_ok($$DELETE FROM spotcheck.draw_selected WHERE draw = (SELECT id FROM d)$$, '55000', NULL, 'results cannot be deleted');
SELECT throws_ok($$TRUNCATE spotcheck.draw_team_member$$, '55000', NULL, 'teams cannot be truncated');
SELECT throws_ok($$UPDATE spotcheck.draw_secret SET secret = sha256('x')$$, '55000', NULL, 'secrets are frozen');
SELECT throws_ok($$UPDATE spotcheck.draw SET pool_digest = sha256('x') WHERE id = (SELECT id FROM d)$$, '55000', NULL, 'digests are frozen');
SELECT throws_ok($$UPDATE spotcheck.draw SET seed = sha256('x') WHERE id = (SELECT id FROM d)$$, '55000', NULL, 'the seed is frozen');
SELECT throws_ok($$DELETE FROM spotcheck.draw WHERE id = (SELECT id FROM d)$$, '55000', NULL, 'draws cannot be deleted');
-- nor can rows be added to them once frozen, not even by a superuser
CREATE TABLE te_inspectors (key text); INSERT INTO te_inspectors VALUES ('I1'), ('I2'), ('I3');
CREATE TABLE te AS SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none',
                                                'te_inspectors', 2) AS id;
CREATE TABLE tc AS SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none',
                                                'te_inspectors', 2) AS id;
SELECT is(spotcheck.execute_draw(id), 2, 'a draw with teams, executed') FROM te;
SELECT throws_ok(format($$INSERT INTO spotcheck.draw_exclusion VALUES (%s, 'I1', 'U1')$$, id), '55000',
                 format('insert on spotcheck.draw_exclusion is not allowed: draw %s was committed at %s and its inputs are frozen',
                        id, spotcheck.draw_time((SELECT committed_at FROM spotcheck.draw WHERE draw.id = te.id))),
                 'an exclusion cannot be added to an executed draw') FROM te;
SELECT throws_ok(format($$INSERT INTO spotcheck.draw_exclusion VALUES (%s, 'I1', 'U1')$$, id), '55000', NULL,
                 'nor to a committed one that is not executed yet') FROM tc;
SELECT throws_ok(format($$INSERT INTO spotcheck.draw_selected VALUES (%s, 'general', 1, 'U2', sha256('x'))$$, id), '55000',
                 format('insert on spotcheck.draw_selected is not allowed: draw %s is not being executed', id),
                 'and no result is written for a draw outside its execution') FROM tc;
SELECT throws_ok(format($$INSERT INTO spotcheck.draw_pool VALUES (%s, 'U9', 'general', 1)$$, id), '55000', NULL,
                 'a candidate cannot be added to a frozen pool') FROM te;
SELECT throws_ok(format($$INSERT INTO spotcheck.draw_quota VALUES (%s, 'more', 1)$$, id), '55000', NULL,
                 'nor a quota') FROM te;
SELECT throws_ok(format($$INSERT INTO spotcheck.draw_inspector VALUES (%s, 'I9')$$, id), '55000', NULL,
                 'nor an inspector') FROM te;
SELECT throws_ok(format($$INSERT INTO spotcheck.draw_selected SELECT p.draw, 'general', 2, p.key, sha256('x')
                           FROM spotcheck.draw_pool p WHERE p.draw = %s AND p.stratum = 'general'
                            AND NOT EXISTS (SELECT FROM spotcheck.draw_selected x WHERE x.draw = p.draw AND x.key = p.key)$$, id), '55000',
                 format('insert on spotcheck.draw_selected is not allowed: draw %s was executed at %s and its result is complete',
                        id, spotcheck.draw_time((SELECT executed_at FROM spotcheck.draw WHERE draw.id = te.id))),
                 'nor a selected target') FROM te;
SELECT throws_ok(format($$INSERT INTO spotcheck.draw_team_member
                           SELECT m.draw, m.target, 3, i.key, true FROM spotcheck.draw_team_member m JOIN spotcheck.draw_inspector i ON i.draw = m.draw
                            WHERE m.draw = %s AND m.member = 1
                              AND NOT EXISTS (SELECT FROM spotcheck.draw_team_member o WHERE o.draw = m.draw AND o.target = m.target AND o.inspector = i.key)
                            LIMIT 1$$, id), '55000', NULL, 'nor a team member') FROM te;
SELECT throws_ok($$INSERT INTO spotcheck.draw_pool VALUES (999999, 'U9', 'general', 1)$$, '55000',
                 'insert on spotcheck.draw_pool is not allowed: draw 999999 does not exist', 'nor rows of a draw that does not exist');
CREATE FUNCTION hint_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE h text;
BEGIN
    EXECUTE q;
    RETURN 'ran';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
    RETURN h;
END $$;
SELECT is(hint_of(format($$INSERT INTO spotcheck.draw_exclusion VALUES (%s, 'I1', 'U1')$$, id)),
          'Committed inputs and executed results are permanent; abandon the draw and commit a new one.',
          'the refusal says what to do instead, like the refusal of an update') FROM te;

-- a superuser who switches the triggers off is still found out
CREATE FUNCTION tamper(sql text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    SET LOCAL session_replication_role = replica;
    EXECUTE sql;
END $$;
CREATE FUNCTION failing(draw bigint) RETURNS text[] LANGUAGE sql AS $$
    SELECT COALESCE(array_agg(check_name ORDER BY check_name), '{}') FROM spotcheck.verify_draw(draw) WHERE NOT ok
$$;
CREATE TABLE t1 AS SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none') AS id;
SELECT is(spotcheck.execute_draw(id), 2, 'draw t1 executed') FROM t1;
SELECT tamper(format('UPDATE spotcheck.draw_pool SET weight = 100 WHERE draw = %s AND key = ''U1''', id)) FROM t1;
SELECT ok('pool_digest' = ANY(failing(id)), 'a changed pool row fails the pool_digest check') FROM t1;

CREATE TABLE t2 AS SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none') AS id;
SELECT is(spotcheck.execute_draw(id), 2, 'draw t2 executed') FROM t2;
SELECT tamper(format('UPDATE spotcheck.draw_quota SET quota = 2 WHERE draw = %s AND stratum = ''general''', id)) FROM t2;
SELECT ok('quota_digest' = ANY(failing(id)), 'a changed quota fails the quota_digest check') FROM t2;
SELECT tamper(format('INSERT INTO spotcheck.draw_pool VALUES (%s, ''U9'', ''general'', 1)', id)) FROM t2;
SELECT ok(ARRAY['pool_digest', 'pool_size'] <@ failing(id), 'a pool row added with the triggers off fails the pool_digest and pool_size checks') FROM t2;

CREATE TABLE t3 AS SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none') AS id;
SELECT is(spotcheck.execute_draw(id), 2, 'draw t3 executed') FROM t3;
SELECT tamper(format('UPDATE spotcheck.draw_secret SET secret = sha256(''chosen'') WHERE draw = %s', id)) FROM t3;
SELECT ok('commitment' = ANY(failing(id)), 'a changed secret fails the commitment check') FROM t3;

CREATE TABLE t4 AS SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none') AS id;
SELECT is(spotcheck.execute_draw(id), 2, 'draw t4 executed') FROM t4;
SELECT tamper(format('UPDATE spotcheck.draw_selected SET key = CASE key WHEN ''U1'' THEN ''U2'' ELSE ''U1'' END,
                         ticket = spotcheck.ticket(spotcheck.draw_stream_seed(d.seed, ''targets''), CASE key WHEN ''U1'' THEN ''U2'' ELSE ''U1'' END)
                        FROM spotcheck.draw d WHERE d.id = draw AND draw = %s AND stratum = ''general''', id)) FROM t4;
SELECT is(failing(id), ARRAY['execute_audited', 'selection'], 'a changed result fails the selection and audit checks') FROM t4;

-- a forger who changes a pool row and the stored digest together
CREATE TABLE t5 AS SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none') AS id;
SELECT tamper(format('UPDATE spotcheck.draw_pool SET weight = 100 WHERE draw = %1$s AND key = ''U1'';
                      UPDATE spotcheck.draw SET pool_digest = (SELECT spotcheck.pool_digest(key, stratum, weight ORDER BY convert_to(key, ''UTF8''))
                                                                 FROM spotcheck.draw_pool WHERE draw = %1$s) WHERE id = %1$s', id)) FROM t5;
SELECT is(failing(id), ARRAY['commit_audited', 'executed'], 'a pool rewritten with its digest is caught by the audit record (the draw is not executed yet)') FROM t5;

-- a forger who re-executes with another entropy value
CREATE TABLE t6 AS SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'declared round') AS id;
SELECT is(spotcheck.execute_draw(id, 'published value'), 2, 'draw t6 executed') FROM t6;
SELECT tamper(format('UPDATE spotcheck.draw SET entropy_value = ''better value'',
                          seed = spotcheck.draw_seed((SELECT secret FROM spotcheck.draw_secret WHERE draw = %1$s), pool_digest, quota_digest, ''better value'')
                       WHERE id = %1$s', id)) FROM t6;
SELECT ok('execute_audited' = ANY(failing(id)), 'a changed entropy value and seed are caught by the audit record') FROM t6;

-- ---- verify_draw answers false, never an error, whatever was changed -----------
-- Each tampering is made by a superuser with the triggers off, in a
-- transaction that is rolled back; verify_draw must report the failing check
-- with what it could not recompute, and a monitoring query over every draw
-- must not abort.
CREATE FUNCTION verify_failures(draw bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    SELECT COALESCE(string_agg(v.check_name || ' = ' || COALESCE(v.detail, 'no detail'), E'\n' ORDER BY v.check_name), 'none')
      INTO r FROM spotcheck.verify_draw(draw) v WHERE v.ok IS NOT TRUE;
    RETURN r;
EXCEPTION WHEN OTHERS THEN
    RETURN 'raised ' || SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION monitoring() RETURNS text LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    SELECT count(*) INTO n FROM spotcheck.draws d, spotcheck.verify_draw(d.draw) v WHERE NOT v.ok OR v.ok IS NULL OR v.detail IS NULL;
    RETURN 'ran';
EXCEPTION WHEN OTHERS THEN
    RETURN 'raised ' || SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE TABLE tv AS SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none') AS id;
SELECT is(spotcheck.execute_draw(id), 2, 'draw tv executed') FROM tv;
SELECT id AS tv FROM tv \gset
SELECT is(verify_failures(:tv), 'none', 'draw tv verifies');

BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM spotcheck.draw_secret WHERE draw = :tv;
SELECT verify_failures(:tv) AS no_secret, monitoring() AS no_secret_monitoring \gset
ROLLBACK;
SELECT is(:'no_secret'::text,
          E'commitment = the secret is missing\n'
           'execute_audited = could not recompute the result digests: the secret is missing\n'
           'seed = could not recompute: the secret is missing\n'
           'selection = could not recompute: there is no seed',
          'a deleted secret: the commitment, seed, selection and audit checks are false, with what could not be recomputed');
SELECT is(:'no_secret_monitoring'::text, 'ran', 'and verify_draw over every draw does not abort');

BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM spotcheck.draw_quota WHERE draw = :tv;
SELECT verify_failures(:tv) AS no_quotas, monitoring() AS no_quotas_monitoring \gset
ROLLBACK;
SELECT doesnt_match(:'no_quotas'::text, '^raised', 'deleted quotas: verify_draw does not raise');
SELECT matches(:'no_quotas'::text, E'(^|\n)selection = could not recompute: quotas of draw_sample_strata must not be null(\n|$)',
               'the selection check is false, saying why it could not be recomputed');
SELECT matches(:'no_quotas'::text, E'(^|\n)quotas_cover_pool = 2 strata of the pool without a quota(\n|$)', 'and the quotas are missed');
SELECT is(:'no_quotas_monitoring'::text, 'ran', 'and verify_draw over every draw does not abort');

BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE spotcheck.draw SET team_size = 2 WHERE id = :tv;
SELECT verify_failures(:tv) AS team_size, monitoring() AS team_size_monitoring \gset
ROLLBACK;
SELECT doesnt_match(:'team_size'::text, '^raised', 'a team size given to a draw without teams: verify_draw does not raise');
SELECT matches(:'team_size'::text, E'(^|\n)teams = could not recompute: target [^\n]* has 0 candidate inspectors[^\n]*(\n|$)',
               'the teams check is false, saying why they could not be recomputed');
SELECT matches(:'team_size'::text, E'(^|\n)commit_audited = the stored commitment, digests or committed inputs differ from the audit log',
               'and the team size differs from the one audited at commitment');
SELECT is(:'team_size_monitoring'::text, 'ran', 'and verify_draw over every draw does not abort');

BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE spotcheck.audit_log SET details = details || '{"pool_size": "many", "selected_count": "all"}'
 WHERE object = 'draw:' || :tv AND action IN ('draw.commit', 'draw.execute');
DELETE FROM spotcheck.draw_pool WHERE draw = :tv;
SELECT verify_failures(:tv) AS audit_text, monitoring() AS audit_text_monitoring \gset
ROLLBACK;
SELECT matches(:'audit_text'::text, E'(^|\n)commit_audited = could not recompute: invalid input syntax for type bigint: "many"(\n|$)',
               'an audit entry with text where a count belongs: commit_audited is false, with why');
SELECT matches(:'audit_text'::text, E'(^|\n)execute_audited = could not recompute: invalid input syntax for type integer: "all"(\n|$)',
               'and so is execute_audited');
SELECT matches(:'audit_text'::text, E'(^|\n)pool_size = 0 candidates frozen, 4 published(\n|$)', 'a deleted pool is missed');
SELECT is(:'audit_text_monitoring'::text, 'ran', 'and verify_draw over every draw does not abort');
SELECT is(verify_failures(:tv), 'none', 'rolled back, draw tv verifies again');

-- ---- the entropy value: not blank, not a document, never echoed whole ----------
CREATE TABLE ten AS SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'witnesses: three numbers') AS id;
SELECT id AS ten FROM ten \gset
SELECT throws_ok(format($$SELECT spotcheck.execute_draw(%s, '   ')$$, :ten), '22023',
                 format('draw %s declared the entropy ''witnesses: three numbers'', but no value was given', :ten),
                 'an entropy value of spaces alone is refused like the empty one');
SELECT throws_ok(format($$SELECT spotcheck.execute_draw(%s, E'\t\n\u3000 ')$$, :ten), '22023', NULL,
                 'as is one of tabs, line breaks and ideographic spaces');
SELECT throws_ok(format($$SELECT spotcheck.execute_draw(%s, E'\u200b\ufeff')$$, :ten), '22023', NULL,
                 'and one of zero-width characters, which show nothing');
SELECT throws_ok(format($$SELECT spotcheck.execute_draw(%s, E'\x01\u2060')$$, :ten), '22023', NULL,
                 'or of a control character and a word joiner');
SELECT throws_ok(format($$SELECT spotcheck.execute_draw(%s, repeat('x', 1000000))$$, :ten), '22023',
                 format('the entropy value of draw %s is 1000000 characters long, more than 1000', :ten),
                 'an entropy value of a million characters is refused, naming its length');
SELECT is(hint_of(format($$SELECT spotcheck.execute_draw(%s, repeat('x', 1001))$$, :ten)),
          'Pass the public value itself (a drand round''s randomness, the numbers the witnesses read out), not a document about it.',
          'one character over the limit too, saying what to pass');
SELECT is(spotcheck.execute_draw(:ten, ' 381204 ' || repeat('5', 992)), 2, 'a value of 1000 characters is taken');
SELECT is((SELECT length(entropy_value) FROM spotcheck.draws WHERE draw = :ten), 1000, 'and stored whole');
SELECT throws_ok(format($$SELECT spotcheck.execute_draw(%s, 'again')$$, :ten), '55000', NULL, 'executing it again is refused');
SELECT matches(pg_temp.try_sql(format($$SELECT spotcheck.execute_draw(%s, 'again')$$, :ten)),
               '^55000: draw \d+ was already executed at .* with entropy '' 381204 5{56}''\.\.\. \(1000 characters\)$',
               'and the refusal quotes 64 characters of the stored value and its length, not the value');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', repeat('declared ', 200))$$, '22023',
                 'the entropy declaration is 1800 characters long, more than 1000', 'a declaration longer than 1000 characters is refused');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', E'\u3000\t')$$, '22023',
                 NULL, 'as is one of white space');
SELECT throws_ok(format($$SELECT spotcheck.execute_draw(%s, repeat('y', 500))$$, (SELECT id FROM dn)), '55000', NULL,
                 '(a draw that declared none, executed)');

-- ---- abandoning ---------------------------------------------------------------
CREATE TABLE ab AS SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none') AS id;
SELECT throws_ok($$SELECT spotcheck.abandon_draw((SELECT id FROM ab), ' ')$$, '22023', NULL, 'abandoning needs a reason');
SELECT lives_ok($$SELECT spotcheck.abandon_draw((SELECT id FROM ab), 'pool was outdated')$$, 'a committed draw can be abandoned');
SELECT is((SELECT state || ': ' || abandon_reason FROM spotcheck.draws WHERE draw = (SELECT id FROM ab)),
          'abandoned: pool was outdated', 'it stays listed as abandoned, with its reason');
SELECT throws_ok($$SELECT spotcheck.execute_draw((SELECT id FROM ab))$$, '55000', NULL, 'an abandoned draw cannot be executed');
SELECT throws_ok($$SELECT spotcheck.abandon_draw((SELECT id FROM d), 'too late')$$, '55000', NULL, 'an executed draw cannot be abandoned');
SELECT is((SELECT count(*) FROM spotcheck.audit_log WHERE action = 'draw.abandon' AND object = 'draw:' || (SELECT id FROM ab)
            AND details->>'reason' = 'pool was outdated'), 1::bigint, 'abandoning is in the audit log');

-- ---- teams that cannot be formed ------------------------------------------------
CREATE TABLE two_inspectors (key text); INSERT INTO two_inspectors VALUES ('I1'), ('I2');
CREATE TABLE three_inspectors (key text); INSERT INTO three_inspectors VALUES ('I1'), ('I2'), ('I3');
CREATE TABLE excl_u (inspector text, target text); INSERT INTO excl_u SELECT 'I1', key FROM pool_ok;
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none',
                                                'two_inspectors', 2, 'excl_u')$$,
                 '23514', format('pool key %L has 1 eligible inspector, fewer than the team size 2',
                                 (SELECT min(key COLLATE "C") FROM pool_ok)),
                 'a pool with a unit that could never get a full team is refused at commitment');
SELECT throws_ok($$SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none',
                                                'two_inspectors', 3)$$,
                 '23514', NULL, 'as is a team size larger than the inspector pool');
-- the failure at execution is still handled, for rows changed behind the
-- extension's back: an exclusion added with the triggers off
CREATE TABLE tf AS SELECT spotcheck.commit_draw('pool_ok', '{"general": 1, "key_crowded": 1}', 'none',
                                                'three_inspectors', 2, 'excl_u') AS id;
SELECT tamper(format('INSERT INTO spotcheck.draw_exclusion SELECT %1$s, ''I2'', key FROM spotcheck.draw_pool WHERE draw = %1$s', id)) FROM tf;
SELECT is(spotcheck.execute_draw(id), 0, 'a draw whose teams cannot be formed selects nothing') FROM tf;
SELECT is((SELECT state FROM spotcheck.draws WHERE draw = tf.id), 'failed', 'and is listed as failed') FROM tf;
SELECT matches((SELECT failure_reason FROM spotcheck.draws WHERE draw = tf.id), 'has 1 candidate inspectors, fewer than the team size 2',
               'with its reason') FROM tf;
SELECT is((SELECT count(*) FROM spotcheck.draw_selected WHERE draw = tf.id), 0::bigint, 'nothing is selected') FROM tf;
SELECT is(failing(id), '{team_inputs}', 'verify_draw confirms the failure and finds the exclusions changed since commitment') FROM tf;
SELECT throws_ok(format('SELECT spotcheck.execute_draw(%s)', id), '55000', NULL, 'a failed draw cannot be executed again') FROM tf;
SELECT ok(spotcheck.draw_transcript(id) ? 'failure', 'the transcript records the failure') FROM tf;

-- ---- who may do what -----------------------------------------------------------
INSERT INTO spotcheck.agencies (code, name, level) VALUES ('ZD', '某市消防救援支队', 'detachment');
INSERT INTO spotcheck.agencies (code, name, level, parent) VALUES ('ZB', '某区消防救援大队', 'brigade', 'ZD');
CREATE ROLE draw_planner LOGIN IN ROLE spotcheck_planner;
INSERT INTO spotcheck.agency_members (member, agency) VALUES ('draw_planner', 'ZB');
CREATE ROLE draw_public LOGIN IN ROLE spotcheck_public;
CREATE TABLE secret_pool AS SELECT * FROM pool_ok;
CREATE TABLE open_pool AS SELECT * FROM pool_ok;
GRANT SELECT ON open_pool TO draw_planner;
CREATE TABLE rls_pool AS SELECT * FROM pool_ok;
ALTER TABLE rls_pool ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_general ON rls_pool TO draw_planner USING (stratum = 'general');
GRANT SELECT ON rls_pool TO draw_planner;
CREATE SCHEMA hidden;
CREATE TABLE hidden.pool AS SELECT * FROM pool_ok;
GRANT SELECT ON hidden.pool TO draw_planner;
SELECT 'hidden.pool'::regclass::oid AS hidden_oid \gset
SET ROLE draw_planner;
SELECT throws_ok(format($$SELECT spotcheck.commit_draw(%s::oid::regclass, '{"general": 1, "key_crowded": 1}', 'none', agency => 'ZB')$$, :hidden_oid), '42501',
                 'permission denied: role draw_planner cannot use the schema of the pool hidden.pool',
                 'a planner cannot commit a draw over a table in a schema it cannot use');
SELECT throws_ok($$SELECT spotcheck.commit_draw('secret_pool', '{"general": 1, "key_crowded": 1}', 'none', agency => 'ZB')$$, '42501',
                 NULL, 'a planner cannot commit a draw over a pool it cannot read');
SELECT throws_ok($$SELECT spotcheck.commit_draw('open_pool', '{"general": 1, "key_crowded": 1}', 'none')$$, '42501',
                 'permission denied: role draw_planner may not commit a draw without naming an agency',
                 'a planner commits only for an agency');
SELECT throws_ok($$SELECT spotcheck.commit_draw('open_pool', '{"general": 1, "key_crowded": 1}', 'none', agency => 'ZD')$$, '42501',
                 'permission denied: role draw_planner may not commit a draw for agency ZD: it is not a member of that agency',
                 'and only for its own agency');
SELECT lives_ok($$SELECT spotcheck.commit_draw('rls_pool', '{"general": 1, "key_crowded": 1}', 'none', agency => 'ZB')$$,
                'a pool under row-level security is read with the planner''s rights');
SELECT is((SELECT pool_size FROM spotcheck.draws ORDER BY draw DESC LIMIT 1),
          (SELECT count(*) FROM rls_pool WHERE stratum = 'general'),
          'and freezes exactly the rows the planner may see');
SELECT lives_ok($$SELECT spotcheck.commit_draw('open_pool', '{"general": 1, "key_crowded": 1}', 'none', agency => 'ZB')$$,
                'a planner commits a draw over a pool it can read');
SELECT throws_ok($$SELECT * FROM spotcheck.draw_secret$$, '42501', NULL, 'a planner cannot read the secrets');
SELECT throws_ok($$SELECT spotcheck.commit_draw_with_secret(sha256('x'), 'open_pool', '{"general": 1, "key_crowded": 1}', 'none')$$,
                 '42501', NULL, 'a planner cannot supply a secret');
SELECT throws_ok($$INSERT INTO spotcheck.draw_selected VALUES (1, 'general', 9, 'U1', sha256('x'))$$, '42501', NULL,
                 'a planner cannot write results directly');
SELECT throws_ok($$INSERT INTO spotcheck.draw_pool VALUES (1, 'U9', 'general', 1)$$, '42501', NULL,
                 'nor add to a frozen pool');
SELECT throws_ok($$UPDATE spotcheck.draw SET entropy_value = 'x'$$, '42501', NULL,
                 'nor change a draw');
SELECT is((SELECT committed_by FROM spotcheck.draws ORDER BY draw DESC LIMIT 1), 'draw_planner', 'the draw records who committed it');
RESET ROLE;
SET ROLE draw_public;
SELECT throws_ok($$SELECT spotcheck.draw_transcript(1)$$, '42501', NULL, 'the public role cannot read transcripts with inspectors');
SELECT throws_ok($$SELECT * FROM spotcheck.draws$$, '42501', NULL, 'nor the internal list of draws');
RESET ROLE;

SELECT * FROM finish();
