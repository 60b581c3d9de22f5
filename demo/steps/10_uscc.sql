-- The uscc type at work: codes as clerks type them, and the mistakes they make.
\pset footer off
SET search_path = spotcheck, public;
SELECT raw, uscc_is_valid(raw) AS valid,
       CASE WHEN uscc_is_valid(raw) THEN raw::uscc::text END AS stored_as,
       CASE WHEN uscc_is_valid(raw) THEN uscc_region(raw::uscc) END AS region
  FROM (VALUES (' 91350100m000100y43 '), ('91110000101623741K'), ('91350100M000100Y44'),
               ('91350100MO00100Y43'), ('9135010OM000100Y4')) AS t(raw);
-- what a clerk sees for each mistake
\set ON_ERROR_STOP off
SELECT '91350100M000100Y44'::uscc;
SELECT '91350100MO00100Y43'::uscc;
SELECT '9135010OM000100Y4'::uscc;
\set ON_ERROR_STOP on
-- the check character for a body
SELECT uscc_check_char('91350100M000100Y4') AS check_char;
