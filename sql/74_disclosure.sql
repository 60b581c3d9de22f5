-- The disclosure views as the public role reads them: what spotcheck_public
-- may read and call, and nothing else; the columns of each view; the
-- brigade HT's published plan, results (a correction shown as such) and
-- draws; the errors of the disclosure's functions.  Uses the brigade HT of
-- 70_inspector_logins to 73_objections.
\i sql/disclosure_setup.psql
SELECT id AS july FROM plan WHERE agency = 'HT' AND month = '2026-07-01' \gset
SELECT id AS august, draw AS august_draw FROM plan WHERE agency = 'HT' AND month = '2026-08-01' \gset

-- everything spotcheck_public may read or call in the extension's schema
SELECT c.relname, c.relkind FROM pg_class c
 WHERE c.relnamespace = 'spotcheck'::regnamespace
   AND (has_table_privilege('spotcheck_public', c.oid, 'SELECT') OR has_table_privilege('spotcheck_public', c.oid, 'INSERT')
        OR has_table_privilege('spotcheck_public', c.oid, 'UPDATE') OR has_table_privilege('spotcheck_public', c.oid, 'DELETE'))
 ORDER BY 1;
SELECT p.oid::regprocedure AS function, p.prosecdef AS definer
  FROM pg_proc p WHERE p.pronamespace = 'spotcheck'::regnamespace AND has_function_privilege('spotcheck_public', p.oid, 'EXECUTE')
 ORDER BY p.oid::regprocedure::text;
-- the columns of each view: no inspector, no person, no phone number
SELECT table_name, string_agg(column_name, ', ' ORDER BY ordinal_position) AS columns
  FROM information_schema.columns WHERE table_schema = 'spotcheck' AND table_name LIKE 'public\_%' GROUP BY 1 ORDER BY 1;

SET ROLE rg_ht_portal;
SELECT kind_name, month, agency_name, plan_state, deadline, targets, amendments, results_published FROM public_plan_list WHERE agency = 'HT';
SELECT stratum, rank, unit_name, address, deadline, items, status, amendments FROM public_plans WHERE agency = 'HT' ORDER BY stratum;
SELECT unit_name, inspected_on, items, method, category, summary, status, corrects IS NOT NULL AS corrects, pg_temp.mask(correction_reason) AS correction_reason,
       corrected_on IS NOT NULL AS corrected_on, corrected_by IS NOT NULL AS corrected_by
  FROM public_results WHERE agency = 'HT' ORDER BY unit_name, result;
SELECT role, purpose, state, entropy_declaration, entropy_value, length(commitment) AS commitment, length(seed) AS seed, pool_size,
       selected_count, withheld, transcript->'withheld' AS transcript_withholds, transcript ? 'teams' AS has_teams
  FROM public_draws WHERE agency = 'HT' ORDER BY committed_at;
SELECT jsonb_object_keys(transcript) AS transcript_member FROM public_draws WHERE plan = :july AND role = 'targets' ORDER BY 1;
SELECT position, code, title, subject_name, methods, inherited FROM public_item_list WHERE agency = 'HT' ORDER BY position;
-- what is not published is not there, and the errors
SELECT count(*) AS august_targets FROM public_plans WHERE plan = :august;
SELECT pg_temp.try(format('SELECT published_draw_transcript(%s)', :august_draw));
SELECT pg_temp.try('SELECT published_draw_transcript(NULL)');
SELECT pg_temp.try('SELECT published_draw_page(424242)');
SELECT pg_temp.try('SELECT * FROM plan_targets');
SELECT pg_temp.try('SELECT * FROM units');
SELECT pg_temp.try('SELECT * FROM inspection_results');
SELECT pg_temp.try('SELECT * FROM audit_log');
SELECT pg_temp.try(format('SELECT draw_public_transcript(%s)', (SELECT draw FROM public_draws WHERE plan = :july AND role = 'targets')));
SELECT pg_temp.try(format('SELECT verification_page(%s)', (SELECT draw FROM public_draws WHERE plan = :july AND role = 'targets')));
SELECT pg_temp.try('SELECT * FROM compliance_report(1)');
SELECT pg_temp.try('INSERT INTO public_plan_list (plan) VALUES (1)');
SELECT count(*) AS statistics_seen FROM pg_stats WHERE schemaname = 'spotcheck';
RESET ROLE;
