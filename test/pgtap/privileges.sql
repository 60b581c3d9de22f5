-- Least privilege across the whole extension: PUBLIC holds nothing but the
-- uscc type's support functions; every SECURITY DEFINER function pins its
-- search_path; the public role reads the disclosure views and no table.
BEGIN;
SELECT plan(5);

SELECT is_empty($$
    SELECT c.relname FROM pg_class c
     WHERE c.relnamespace = 'spotcheck'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'S', 'p')
       AND (has_table_privilege('public', c.oid, 'SELECT') OR has_table_privilege('public', c.oid, 'INSERT')
            OR has_table_privilege('public', c.oid, 'UPDATE') OR has_table_privilege('public', c.oid, 'DELETE'))$$,
    'PUBLIC holds no privilege on any table, view or sequence');
SELECT is_empty($$
    SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.pronamespace = 'spotcheck'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')
       AND p.proname !~ '^uscc_(in|out|recv|send|lt|le|eq|ne|ge|gt|cmp|hash|hash_extended)$'$$,
    'PUBLIC may execute only the uscc type''s support functions');
SELECT is_empty($$
    SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.pronamespace = 'spotcheck'::regnamespace AND p.prosecdef
       AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)$$,
    'every SECURITY DEFINER function pins search_path = pg_catalog, pg_temp');
SELECT set_eq($$
    SELECT c.relname::text FROM pg_class c
     WHERE c.relnamespace = 'spotcheck'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p', 'S', 'f')
       AND (has_table_privilege('spotcheck_public', c.oid, 'SELECT') OR has_table_privilege('spotcheck_public', c.oid, 'INSERT')
            OR has_table_privilege('spotcheck_public', c.oid, 'UPDATE') OR has_table_privilege('spotcheck_public', c.oid, 'DELETE'))$$,
    ARRAY['public_item_list', 'public_plan_list', 'public_plans', 'public_amendments', 'public_results', 'public_draws',
          'public_draw_pages'],
    'the public role reads the disclosure views, and no table of the extension');

SELECT is_empty($$
    SELECT c.relname FROM pg_class c
     WHERE c.relnamespace = 'spotcheck'::regnamespace AND c.relname LIKE 'public\_%' AND c.relkind <> 'v'$$,
    'every relation the public role reads is a view');

SELECT * FROM finish();
ROLLBACK;
