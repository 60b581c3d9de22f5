-- An independent reading of the draw algorithm, written in SQL with nothing
-- but sha256() and numeric arithmetic, against which the C aggregate is
-- checked on pools built to be awkward: keys longer than one SHA-256 block,
-- multi-byte keys, blanks and punctuation, weights at both ends of the
-- allowed range, quotas of zero and quotas larger than their stratum.
BEGIN;
SELECT plan(8);

-- TAG(s): the ASCII name padded with zero bytes to 32 bytes
CREATE FUNCTION pg_temp.tag(s text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to(s, 'UTF8') || decode(repeat('00', 32 - octet_length(s)), 'hex')
$$;
-- T(K, k)
CREATE FUNCTION pg_temp.ref_ticket(k bytea, key text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(pg_temp.tag('spotcheck-v1/ticket') || k || convert_to(key, 'UTF8'))
$$;
-- BE64 of the first 8 bytes, as an unsigned number
CREATE FUNCTION pg_temp.be64(t bytea) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT sum(get_byte(t, i)::numeric * (256::numeric ^ (7 - i))) FROM generate_series(0, 7) i
$$;

CREATE TEMP TABLE pool (key text, stratum text, weight bigint);
INSERT INTO pool
SELECT CASE i % 8
         WHEN 0 THEN '91370303' || lpad(i::text, 10, '0')
         WHEN 1 THEN repeat('长', 20) || '-' || i           -- 60+ bytes: two SHA-256 blocks
         WHEN 2 THEN 'unit ' || i || ' / 第' || i || '号'
         WHEN 3 THEN repeat('x', 200 + i % 50) || i         -- several blocks
         WHEN 4 THEN i::text
         WHEN 5 THEN repeat('k', 55 - length(i::text)) || i -- exactly 55 bytes: one block
         WHEN 6 THEN 'é' || i || '~!@#$%^&*()'
         ELSE lpad(i::text, 19 + i % 2, '-')               -- 19 and 20 bytes: kept in the entry or not
       END,
       CASE WHEN i % 13 = 0 THEN 'tiny' ELSE (ARRAY['key_crowded', 'key_other', 'general'])[1 + i % 3] END,
       CASE i % 5
         WHEN 0 THEN 1
         WHEN 1 THEN 4294967295
         WHEN 2 THEN 4294967294
         ELSE 1 + (i * 2654435761) % 4294967295
       END
  FROM generate_series(1, 3000) i;
CREATE TEMP TABLE quotas (stratum text, quota integer);
INSERT INTO quotas VALUES ('key_crowded', 40), ('key_other', 0), ('general', 75), ('tiny', 1000);

CREATE TEMP TABLE seeds AS
SELECT n, sha256(convert_to('reference seed ' || n, 'UTF8')) AS k FROM generate_series(1, 3) n;

SELECT is((SELECT count(*) FROM pool p JOIN seeds s ON true
            WHERE spotcheck.ticket(s.k, p.key) <> pg_temp.ref_ticket(s.k, p.key)), 0::bigint,
          'every ticket equals SHA-256 over the documented bytes, for keys of one and of several blocks');

-- the reference selection: the priority (r + 1) / w compared exactly.  Two
-- different priorities differ by at least 1 / 2^64, far above the 40 decimal
-- places kept here; equal ones fall to the ticket, then the key bytes.
CREATE TEMP TABLE reference AS
SELECT s.n, p.stratum,
       (array_agg(p.key ORDER BY (pg_temp.be64(t.t) + 1) / p.weight, t.t, convert_to(p.key, 'UTF8')))[1:q.quota] AS keys
  FROM pool p JOIN quotas q USING (stratum) CROSS JOIN seeds s
  CROSS JOIN LATERAL (SELECT pg_temp.ref_ticket(s.k, p.key) AS t) t
 GROUP BY s.n, p.stratum, q.quota;

CREATE TEMP TABLE ours AS
SELECT s.n, p.stratum, spotcheck.draw_sample(p.key, p.weight, q.quota, s.k) AS keys
  FROM pool p JOIN quotas q USING (stratum) CROSS JOIN seeds s
 GROUP BY s.n, p.stratum;

SELECT is((SELECT count(*) FROM reference), 12::bigint, 'four strata drawn with three seeds');
SELECT is_empty($$SELECT n, stratum, keys FROM reference
                  EXCEPT
                  SELECT s.n, j.key, ARRAY(SELECT jsonb_array_elements_text(j.value))
                    FROM seeds s,
                         jsonb_each((SELECT spotcheck.draw_sample_strata(p.key, p.stratum, p.weight,
                                                 (SELECT jsonb_object_agg(stratum, quota) FROM quotas), s.k)
                                       FROM pool p)) j$$,
    'draw_sample_strata selects exactly the reference''s keys, in order, for every stratum');
SELECT is_empty($$SELECT n, stratum, keys FROM reference EXCEPT SELECT n, stratum, COALESCE(keys, '{}') FROM ours$$,
    'draw_sample selects exactly the reference''s keys, in the reference''s order');
SELECT is((SELECT sum(cardinality(COALESCE(keys, '{}'))) FROM ours WHERE stratum = 'key_other'), 0::bigint,
    'a quota of zero selects nothing');
SELECT is((SELECT min(cardinality(keys)) FROM ours WHERE stratum = 'tiny'),
          (SELECT count(*)::int FROM pool WHERE stratum = 'tiny'),
          'a quota larger than its stratum selects all of it');

-- equal weights: a uniform sample; the order is then that of the tickets
SELECT is((SELECT spotcheck.draw_sample(key, 7, 10, (SELECT k FROM seeds WHERE n = 1)) FROM pool WHERE stratum = 'general'),
          (SELECT (array_agg(key ORDER BY pg_temp.ref_ticket((SELECT k FROM seeds WHERE n = 1), key)))[1:10]
             FROM pool WHERE stratum = 'general'),
          'with equal weights the selection is the smallest tickets');

-- heavier weights are drawn more often: over 200 seeds, the units of
-- weight 4294967295 in 'general' are selected far more than those of weight 1
SELECT ok((SELECT count(*) FILTER (WHERE p.weight = 4294967295) > 20 * greatest(count(*) FILTER (WHERE p.weight = 1), 1)
             FROM (SELECT unnest(spotcheck.draw_sample(key, weight, 5, sha256(int4send(n)))) AS key
                     FROM pool, generate_series(1, 200) n WHERE stratum = 'general' GROUP BY n) d
             JOIN pool p USING (key)),
          'selection follows the weights');

SELECT * FROM finish();
ROLLBACK;
