-- Coverage: per stratum, the units, those owing a yearly minimum, planned and
-- checked; and the units still due.
\i sql/plan_setup.psql
SELECT pg_temp.try($$SELECT * FROM coverage('NOPE', 2026)$$);
SELECT pg_temp.try($$SELECT * FROM coverage('WCH', NULL)$$);
SELECT pg_temp.try($$SELECT * FROM coverage_due('WCH', 1999)$$);
SELECT stratum, units, must_cover, planned <= units AS planned_ok, must_cover_due <= must_cover AS due_ok FROM coverage('WCH', 2026);
SELECT (SELECT must_cover_due FROM coverage('WCH', 2026) WHERE stratum = 'all') = (SELECT count(*) FROM coverage_due('WCH', 2026)) AS due_listed;
SELECT (SELECT planned FROM coverage('WCH', 2026) WHERE stratum = 'all')
     = (SELECT count(DISTINCT t.unit) FROM plan_target t JOIN units u ON u.code = t.unit AND u.agency = 'WCH' AND u.active
          JOIN plan p ON p.id = t.plan AND p.abandoned_at IS NULL) AS planned_counted;
SELECT checked FROM coverage('WCH', 2026) WHERE stratum = 'all';
SELECT stratum, minimum, status FROM coverage_due('WCH', 2026) GROUP BY 1, 2, 3 ORDER BY 1, 2;
-- ZD (both its July plans were abandoned): July drawn again, the unit left
-- out by a decision is still due, with the reason
SELECT plan_month('ZD', '2026-07-01') > 0 AS drawn;
SELECT unit = pg_temp.code(10025) AS unit, stratum, minimum, status, last_left_out ~ '^plan [0-9]+ \(2026-07\): decision — decision [0-9]+ of agency ZD' AS why
  FROM coverage_due('ZD', 2026) WHERE unit = pg_temp.code(10025);
