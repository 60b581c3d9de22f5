-- The uscc type: canonical form, every kind of refusal, the helper functions.
SET search_path = spotcheck, public;

-- valid codes; lower case is folded and surrounding blanks are trimmed
SELECT '91350100M000100Y43'::uscc;
SELECT '  91350100m000100y43	'::uscc;
SELECT E'\u300091350100M000100Y43\u3000'::uscc AS ideographic_spaces_trimmed;
SELECT uscc_region('91350100M000100Y43');

-- wrong length
SELECT '91350100M000100Y4'::uscc;
SELECT '91350100M000100Y433'::uscc;
SELECT ''::uscc;
-- a long input is quoted by its first 40 characters and its length
SELECT repeat('9', 10000000)::uscc;
SELECT ('91350100MO00100Y43' || repeat('x', 100))::uscc;
SELECT '   '::uscc;
SELECT '110105123456789'::uscc;     -- a 15-digit registration number
-- characters outside the alphabet, and where
SELECT '91350100MO00100Y43'::uscc;
SELECT '9135010OM000100Y43'::uscc;
SELECT 'I1350100M000100Y43'::uscc;
SELECT '91350100M000100Z43'::uscc;
SELECT '91350100M000100S43'::uscc;
SELECT '91350100M000100V43'::uscc;
SELECT '91350100M000-00Y43'::uscc;
SELECT '91350100M00甲100Y43'::uscc;
SELECT '９1350100M000100Y43'::uscc;
-- check characters: which one was expected
SELECT '91350100M000100Y44'::uscc;
SELECT '91350100M000100Y53'::uscc;
SELECT '91350100M000010Y43'::uscc;  -- two digits transposed in the organisation code
SELECT '91350010M000100Y43'::uscc;  -- two digits transposed in the region

-- text casts validate as input does
SELECT '91110000101623741K'::text::uscc;
SELECT '91110000101623741X'::text::uscc;
SELECT ('91110000101623741K'::uscc)::text || '!' AS back_to_text;

-- uscc_check_char: the check character of a 17-character body
SELECT uscc_check_char('91350100M000100Y4');
SELECT uscc_check_char('91110000101623741');
SELECT uscc_check_char('9135010OM000100Y4');
SELECT uscc_check_char('91350100M000100Y43');
SELECT uscc_check_char('91350100M000100Y5');

-- uscc_problem says why, without raising
SELECT length(v) AS input_length, uscc_problem(v)
  FROM (VALUES ('91350100M000100Y43'), ('91350100M000100Y44'), ('9135010OM000100Y4'), (repeat('9', 1000))) AS t(v);

-- uscc_is_valid never raises
SELECT v, uscc_is_valid(v)
  FROM (VALUES ('91350100M000100Y43'), ('91350100m000100y43 '), ('91350100M000100Y44'),
               ('91350100MO00100Y43'), (''), ('short'), (NULL)) AS t(v);

-- comparison follows the text's byte order
SELECT a, b, a < b AS lt, a <= b AS le, a = b AS eq, a <> b AS ne, a >= b AS ge, a > b AS gt,
       uscc_cmp(a, b) AS cmp
  FROM (VALUES ('91110000101623741K'::uscc, '91350100M000100Y43'::uscc),
               ('91350100M000100Y43', '91350100M000100Y43'),
               ('91350100M000100Y43', '12370300004392451W')) AS t(a, b);
SELECT uscc_hash('91350100m000100y43') = uscc_hash('91350100M000100Y43') AS hash_of_equal_codes;
