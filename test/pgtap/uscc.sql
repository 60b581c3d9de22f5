-- The uscc type's behaviour: a key for btree and hash indexes, joins and
-- hash aggregates; binary COPY round trips; receive validates as input does.
BEGIN;
SELECT plan(21);
\ir helpers.psql
SET LOCAL search_path = spotcheck, public;

CREATE TEMP TABLE reg (code spotcheck.uscc PRIMARY KEY, name text NOT NULL);
-- 20,000 valid codes: body from a counter, both check characters computed
INSERT INTO reg
SELECT code || spotcheck.uscc_check_char(code)::text, 'unit ' || i
  FROM (SELECT i, body || (CASE WHEN (11 - s % 11) = 10 THEN 'X'
                                WHEN (11 - s % 11) = 11 THEN '0'
                                ELSE (11 - s % 11)::text END) AS code
          FROM (SELECT i, '913703' || lpad(i::text, 10, '0') AS body,
                       (SELECT sum(substr(lpad(i::text, 10, $$0$$), 2 + k::int, 1)::int * w)
                          FROM unnest(ARRAY[3,7,9,10,5,8,4,2]) WITH ORDINALITY AS x(w, k)) AS s
                  FROM generate_series(1, 20000) AS i) b) c;
ANALYZE reg;

SELECT is((SELECT count(*) FROM reg), 20000::bigint, 'twenty thousand generated codes are all valid');
SELECT throws_ok($$INSERT INTO reg VALUES ('91350100M000100Y43', 'a'), ('91350100m000100y43', 'b')$$,
    '23505', NULL, 'the primary key sees a lower-case spelling as the same code');

SET LOCAL enable_seqscan = off;
SELECT ok(pg_temp.plan_of($q$SELECT * FROM reg WHERE code = '91370300000001230R'::spotcheck.uscc$q$) ~ 'Index',
    'equality lookups use the primary key index');
SELECT ok(pg_temp.plan_of($q$SELECT * FROM reg WHERE code BETWEEN '9137030000010001XH' AND '91370300000200002F'$q$) ~ 'Index',
    'range scans use the btree index');
RESET enable_seqscan;

CREATE TEMP TABLE reg_hash (code spotcheck.uscc);
INSERT INTO reg_hash SELECT code FROM reg WHERE name LIKE 'unit 1%';
CREATE INDEX ON reg_hash USING hash (code);
ANALYZE reg_hash;
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT ok(pg_temp.plan_of($q$SELECT * FROM reg_hash WHERE code = '91370300000001230R'$q$) ~ 'reg_hash_code_idx',
    'a hash index serves equality');
RESET enable_seqscan;
RESET enable_bitmapscan;

SET LOCAL enable_mergejoin = off;
SET LOCAL enable_nestloop = off;
SELECT ok(pg_temp.plan_of($q$SELECT count(*) FROM reg JOIN reg_hash USING (code)$q$) ~ 'Hash Join',
    'the planner can hash-join on uscc');
SELECT is((SELECT count(*) FROM reg JOIN reg_hash USING (code)),
          (SELECT count(*) FROM reg_hash), 'the hash join finds every match');
RESET enable_mergejoin;
RESET enable_nestloop;
SET LOCAL enable_hashjoin = off;
SET LOCAL enable_nestloop = off;
SELECT is((SELECT count(*) FROM reg JOIN reg_hash USING (code)),
          (SELECT count(*) FROM reg_hash), 'the merge join finds every match');
RESET enable_hashjoin;
RESET enable_nestloop;

SET LOCAL enable_sort = off;
SELECT ok(pg_temp.plan_of($q$SELECT code, count(*) FROM reg_hash GROUP BY code$q$) ~ 'HashAggregate',
    'uscc can be a hash-aggregate key');
RESET enable_sort;
SELECT is((SELECT count(*) FROM (SELECT code FROM reg_hash GROUP BY code) g),
          (SELECT count(DISTINCT code::text) FROM reg_hash), 'grouping by uscc groups equal codes');

-- order agrees with the text's byte order
SELECT is((SELECT array_agg(code::text ORDER BY code) FROM reg),
          (SELECT array_agg(code::text ORDER BY code::text COLLATE "C") FROM reg),
          'uscc order is the byte order of the text');

-- binary COPY round trip, through a file the server writes
DO $$ BEGIN
  EXECUTE format('COPY reg TO %L WITH (FORMAT binary)', current_setting('data_directory') || '/uscc_test.bin');
END $$;
CREATE TEMP TABLE reg_copy (LIKE reg);
DO $$ BEGIN
  EXECUTE format('COPY reg_copy FROM %L WITH (FORMAT binary)', current_setting('data_directory') || '/uscc_test.bin');
END $$;
SELECT is((SELECT count(*) FROM reg_copy), 20000::bigint, 'binary COPY brings every row back');
SELECT is_empty($$SELECT * FROM reg EXCEPT SELECT * FROM reg_copy$$, 'binary COPY changes no value');
SELECT is(spotcheck.uscc_send('91350100M000100Y43'), convert_to('91350100M000100Y43', 'UTF8'),
          'the binary form is the 18 characters');

-- receive validates exactly as input does: bad text sent in binary is refused
CREATE TEMP TABLE raw_codes (code text);
INSERT INTO raw_codes VALUES ('91350100M000100Y44');
DO $$ BEGIN
  EXECUTE format('COPY raw_codes TO %L WITH (FORMAT binary)', current_setting('data_directory') || '/uscc_bad.bin');
END $$;
SELECT throws_ok(format('COPY reg_copy (code) FROM %L WITH (FORMAT binary)', current_setting('data_directory') || '/uscc_bad.bin'),
    '22P02', 'invalid unified social credit code "91350100M000100Y44": check character at position 18 is "4", expected "3"',
    'binary receive refuses a wrong check character with the input error');
TRUNCATE raw_codes;
INSERT INTO raw_codes VALUES ('91350100m000100y43');
DO $$ BEGIN
  EXECUTE format('COPY raw_codes TO %L WITH (FORMAT binary)', current_setting('data_directory') || '/uscc_lower.bin');
END $$;
CREATE TEMP TABLE one_code (code spotcheck.uscc);
DO $$ BEGIN
  EXECUTE format('COPY one_code FROM %L WITH (FORMAT binary)', current_setting('data_directory') || '/uscc_lower.bin');
END $$;
SELECT is((SELECT code::text FROM one_code), '91350100M000100Y43', 'binary receive folds case as input does');

-- the check character function agrees with input on every generated code
SELECT is_empty($$SELECT code FROM reg WHERE spotcheck.uscc_check_char(left(code::text, 17))::text <> right(code::text, 1)$$,
    'uscc_check_char reproduces the check character of every valid code');
SELECT ok(NOT spotcheck.uscc_is_valid(left(code::text, 17) || CASE right(code::text, 1) WHEN '0' THEN '1' ELSE '0' END),
    'changing the check character makes a code invalid') FROM reg WHERE code = '91370300000001230R';
-- any single-character change to a valid code is caught
SELECT is((SELECT count(*) FROM (
    SELECT overlay('91350100M000100Y43' PLACING c FROM p FOR 1) AS v
      FROM generate_series(1, 18) p, regexp_split_to_table('0123456789ABCDEFGHJKLMNPQRTUWXY', '') c) m
    WHERE v <> '91350100M000100Y43' AND spotcheck.uscc_is_valid(v)), 0::bigint,
    'no single-character substitution of a valid code passes both checks');
SELECT is(spotcheck.uscc_region('91110000101623741K'), '110000', 'the region is positions 3 to 8');

-- a role with no other rights can still compare and sort codes
SET LOCAL ROLE spotcheck_public;
SELECT is((SELECT array_agg(c ORDER BY c)::text[] FROM (VALUES ('91350100M000100Y43'::spotcheck.uscc),
           ('91110000101623741K'::spotcheck.uscc)) v(c) WHERE c <> '12370300004392451W'),
          ARRAY['91110000101623741K', '91350100M000100Y43'], 'any role can compare and sort codes');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
