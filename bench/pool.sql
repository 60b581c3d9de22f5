-- bench/pool.sql — a pool of :n candidates in three strata, keys shaped like
-- unified social credit codes (18 characters), and quotas of 5% of each
-- stratum: 10% key_crowded (weights 200-455), 20% key_other (100-355), 70%
-- general (1-256).  Makes tables :"pool" and :"quota":
--   psql -v n=100000 -v pool=pool_100000 -v quota=quota_100000 -f bench/pool.sql
CREATE TABLE :"pool" AS
SELECT '9137' || upper(substr(md5(i::text), 1, 14)) AS key,
       CASE WHEN i % 10 = 0 THEN 'key_crowded' WHEN i % 10 < 3 THEN 'key_other' ELSE 'general' END AS stratum,
       (CASE WHEN i % 10 = 0 THEN 200 WHEN i % 10 < 3 THEN 100 ELSE 1 END + (hashint4(i) & 255))::bigint AS weight
  FROM generate_series(1, :n) i;
CREATE TABLE :"quota" AS SELECT stratum, round(count(*) * 0.05)::int AS quota FROM :"pool" GROUP BY stratum;
