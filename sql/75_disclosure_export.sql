-- Exports for portals as the public role makes them: the disclosure
-- package of a published plan, one JSON document whose transcripts are the
-- public ones; a disclosure view as CSV with its header row.  Uses the
-- brigade HT of 70_inspector_logins to 74_disclosure.
\i sql/disclosure_setup.psql
SELECT id AS july FROM plan WHERE agency = 'HT' AND month = '2026-07-01' \gset
SELECT id AS august FROM plan WHERE agency = 'HT' AND month = '2026-08-01' \gset
SET ROLE rg_ht_portal;
-- the package of the plan: one JSON document
SELECT jsonb_object_keys(disclosure_package(:july)) AS member ORDER BY 1;
SELECT jsonb_array_length(p->'targets') AS targets, jsonb_array_length(p->'results') AS results, jsonb_array_length(p->'draws') AS draws,
       p->'draws'->0->'transcript' = (SELECT transcript FROM public_draws WHERE plan = :july AND role = 'targets') AS transcript_is_the_public_one
  FROM disclosure_package(:july) p;
-- exported as CSV, as a portal does
COPY (SELECT unit_name, inspected_on, category, summary, status FROM public_results WHERE agency = 'HT' ORDER BY unit_name, result) TO STDOUT WITH (FORMAT csv, HEADER);
SELECT pg_temp.try(format('SELECT disclosure_package(%s)', :august));
SELECT pg_temp.try('SELECT disclosure_package(NULL)');
SELECT p->'plan'->>'kind_name' AS kind, p->'plan'->>'month' AS month, p->'targets'->0 ? 'plan' AS repeats_the_plan,
       (SELECT count(*) FROM jsonb_array_elements(p->'results') r WHERE r->>'status' = 'corrected') AS corrected_results
  FROM disclosure_package(:july) p;
RESET ROLE;
