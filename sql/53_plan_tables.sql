-- The plan tables and views: each documented, none open to PUBLIC, and who
-- may read or write them.
\i sql/plan_setup.psql
SELECT c.relname, c.relkind, obj_description(c.oid, 'pg_class') IS NOT NULL AS documented
  FROM pg_class c
 WHERE c.relnamespace = 'spotcheck'::regnamespace AND c.relkind IN ('r', 'v')
   AND c.relname ~ '^(plan|annual_plan|weight_rules|inspection_outcomes|risk_signals|pool_decisions|inspector_secondments|special_campaign)'
 ORDER BY c.relname;
-- every column of the plan tables a later workflow builds on is described
SELECT c.relname, count(*) FILTER (WHERE col_description(c.oid, a.attnum) IS NOT NULL) AS described, count(*) AS columns
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'spotcheck'::regnamespace AND c.relname IN ('plan', 'plan_target', 'plan_team_member', 'plan_pool', 'plan_exclusions')
 GROUP BY c.relname ORDER BY c.relname;
-- privileges: roles read (rows filtered by agency); only the extension writes a plan
SELECT c.relname,
       string_agg(r.rolname || ':' || concat_ws('', CASE WHEN has_table_privilege(r.oid, c.oid, 'SELECT') THEN 'r' END,
                                                   CASE WHEN has_table_privilege(r.oid, c.oid, 'INSERT') THEN 'a' END,
                                                   CASE WHEN has_table_privilege(r.oid, c.oid, 'UPDATE') THEN 'w' END,
                                                   CASE WHEN has_table_privilege(r.oid, c.oid, 'DELETE') THEN 'd' END), ' ' ORDER BY r.rolname) AS privileges
  FROM pg_class c
 CROSS JOIN pg_roles r
 WHERE c.relnamespace = 'spotcheck'::regnamespace AND c.relkind IN ('r', 'v')
   AND c.relname IN ('plan', 'plans', 'plan_target', 'plan_targets', 'plan_team', 'plan_team_member', 'plan_pool', 'annual_plans',
                     'weight_rules', 'inspection_outcomes', 'pool_decisions', 'special_campaigns')
   AND r.rolname IN ('spotcheck_admin', 'spotcheck_planner', 'spotcheck_head', 'spotcheck_upper', 'spotcheck_inspector', 'spotcheck_public')
 GROUP BY c.relname ORDER BY c.relname;
-- the plan functions, and who may call them
SELECT p.proname, p.prosecdef AS definer,
       string_agg(r.rolname, ' ' ORDER BY r.rolname) FILTER (WHERE has_function_privilege(r.oid, p.oid, 'EXECUTE')) AS callers
  FROM pg_proc p CROSS JOIN pg_roles r
 WHERE p.pronamespace = 'spotcheck'::regnamespace
   AND p.proname IN ('plan_month', 'plan_special', 'plan_joint', 'plan_cross_region', 'execute_plan', 'abandon_plan', 'verify_plan',
                     'explain_weight', 'explain_exclusion', 'coverage', 'coverage_due', 'plan_fill', 'plan_commit_draws')
   AND r.rolname IN ('spotcheck_admin', 'spotcheck_planner', 'spotcheck_head', 'spotcheck_upper', 'spotcheck_inspector', 'spotcheck_public')
 GROUP BY p.proname, p.prosecdef ORDER BY p.proname;
