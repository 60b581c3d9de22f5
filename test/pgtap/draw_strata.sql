-- draw_sample_strata: the whole stratified selection in one pass equals
-- draw_sample grouped by stratum, in parallel as serially; its errors.
BEGIN;
SELECT plan(16);
\ir helpers.psql

CREATE TABLE public.big_pool AS
SELECT '9137' || upper(substr(md5(i::text), 1, 14)) AS key,
       CASE WHEN i % 10 = 0 THEN 'key_crowded' WHEN i % 10 < 3 THEN 'key_other' ELSE 'general' END AS stratum,
       (1 + (hashint4(i) & 1023))::bigint AS weight
  FROM generate_series(1, 200000) i;
ANALYZE public.big_pool;
CREATE TEMP TABLE q (quotas jsonb, seed bytea);
INSERT INTO q VALUES ('{"key_crowded": 1000, "key_other": 2000, "general": 7000, "none_here": 3}', sha256('strata'));

CREATE TEMP TABLE grouped AS
SELECT p.stratum, spotcheck.draw_sample(p.key, p.weight, (q.quotas ->> p.stratum)::int, q.seed) AS keys
  FROM public.big_pool p, q GROUP BY p.stratum;

SET LOCAL max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS
SELECT spotcheck.draw_sample_strata(p.key, p.stratum, p.weight, q.quotas, q.seed) AS r FROM public.big_pool p, q;
SELECT is_empty($$SELECT stratum, keys FROM grouped
                  EXCEPT SELECT key, ARRAY(SELECT jsonb_array_elements_text(value)) FROM serial, jsonb_each(r)$$,
    'every stratum''s selection equals draw_sample grouped by stratum');
SELECT is((SELECT r -> 'none_here' FROM serial), '[]'::jsonb, 'a quota for a stratum without candidates selects nothing');
SELECT is((SELECT jsonb_array_length(r -> 'general') FROM serial), 7000, 'the quota is honoured');

SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SELECT ok(pg_temp.plan_of($$SELECT spotcheck.draw_sample_strata(p.key, p.stratum, p.weight,
                               '{"key_crowded": 1000, "key_other": 2000, "general": 7000}', sha256('strata'))
                              FROM public.big_pool p$$) ~ 'Partial Aggregate',
    'the planner runs it as a parallel partial aggregate');
SELECT is((SELECT spotcheck.draw_sample_strata(p.key, p.stratum, p.weight,
                   '{"key_crowded": 1000, "key_other": 2000, "general": 7000, "none_here": 3}', sha256('strata'))
             FROM public.big_pool p),
          (SELECT r FROM serial), 'the parallel result is identical to the serial one');
RESET max_parallel_workers_per_gather;

-- quotas and seed given as parameters (an initPlan, an outer reference) are
-- read once per aggregation: a new outer value starts a new aggregation
SELECT is((SELECT array_agg(jsonb_array_length(d->'general') ORDER BY n)
             FROM (SELECT o.n, (SELECT spotcheck.draw_sample_strata(b.key, 'general', 1, o.q, sha256('x'))
                                  FROM public.big_pool b) AS d
                     FROM (VALUES (1, '{"general": 1}'::jsonb), (2, '{"general": 3}'), (3, '{"general": 0}')) o(n, q)) x),
          ARRAY[1, 3, 0], 'quotas from an outer query are taken afresh for each outer row');
SELECT is((SELECT spotcheck.draw_sample_strata(b.key, 'general', 1, (SELECT '{"general": 4}'::jsonb), (SELECT sha256('x')))
             FROM public.big_pool b),
          (SELECT spotcheck.draw_sample_strata(b.key, 'general', 1, '{"general": 4}', sha256('x'))
             FROM public.big_pool b),
          'quotas and seed from subqueries select what literals select');

-- errors
SELECT throws_ok($$SELECT spotcheck.draw_sample_strata(key, stratum, weight, '{"general": 1}', sha256('x')) FROM public.big_pool$$,
    '22023', NULL, 'a stratum without a quota is refused');
SELECT throws_like($$SELECT spotcheck.draw_sample_strata(key, stratum, weight, '{"general": 1}', sha256('x')) FROM public.big_pool$$,
    'stratum "%" of key "%" has no quota', 'naming the stratum and the key');
SELECT throws_ok($$SELECT spotcheck.draw_sample_strata('k', NULL, 1, '{"general": 1}', sha256('x'))$$,
    '22004', 'stratum of key "k" must not be null', 'a null stratum is refused');
SELECT throws_ok($$SELECT spotcheck.draw_sample_strata('k', 'general', 1, '{"general": -1}', sha256('x'))$$,
    '22023', 'quota -1 of stratum "general" is not a whole number from 0 to 2147483647', 'a negative quota is refused');
SELECT throws_ok($$SELECT spotcheck.draw_sample_strata('k', 'general', 1, '{"general": 1.5}', sha256('x'))$$,
    '22023', 'quota 1.5 of stratum "general" is not a whole number from 0 to 2147483647', 'a fractional quota is refused');
SELECT throws_ok($$SELECT spotcheck.draw_sample_strata('k', 'general', 1, '[1, 2]', sha256('x'))$$,
    '22023', 'quotas must be a JSON object, not [1, 2]', 'quotas that are not an object are refused');
SELECT throws_ok($$SELECT spotcheck.draw_sample_strata(key, 'general', 1, jsonb_build_object('general', length(key)), sha256('x'))
                     FROM (VALUES ('a'), ('bb')) v(key)$$,
    '22023', 'quotas changed to {"general": 2} within one draw_sample_strata', 'quotas that change between rows are refused');
SELECT throws_ok($$SELECT spotcheck.draw_sample_strata(key, 'general', 1, '{"general": 1}', sha256(key::bytea))
                     FROM (VALUES ('a'), ('bb')) v(key)$$,
    '22023', 'stream seed changed within one draw_sample_strata', 'a seed that changes between rows is refused');
SELECT throws_ok($$SELECT spotcheck.draw_sample_strata('k', 'general', 0, '{"general": 1}', sha256('x'))$$,
    '22003', 'weight 0 of key "k" is outside 1..4294967295', 'weights are checked as in draw_sample');

SELECT * FROM finish();
ROLLBACK;
