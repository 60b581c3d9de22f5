-- The verification page: a draw's public transcript (no teams, nothing
-- private), and the page with it embedded so that no text of the transcript
-- can close its script element, exactly as a user sees them.
SET search_path = spotcheck, public;
\set VERBOSITY default

CREATE TEMP TABLE page_pool (key text, stratum text, weight bigint);
INSERT INTO page_pool VALUES
    ('</script><script>alert(1)</script>', 'a', 5), ('<!--', 'a', 3), ('&amp;', 'a', 2),
    (E'line\u2028para\u2029end', 'a', 4), ('</SCRIPT >', 'a', 1), ('重点单位', 'a', 7);
INSERT INTO page_pool SELECT 'U' || i, 'a', i FROM generate_series(1, 10) i;
CREATE TEMP TABLE page_inspectors AS SELECT 'FJ-' || i AS key FROM generate_series(1, 4) i;
CREATE TEMP TABLE page_recusals AS SELECT 'FJ-1'::text AS inspector, '<!--'::text AS target;
CREATE TEMP TABLE page_draw AS
SELECT commit_draw('page_pool', '{"a": 16}', 'none', 'page_inspectors', 2, 'page_recusals') AS teams,
       commit_draw('page_pool', '{"a": 2}', 'none') AS plain,
       commit_draw('page_pool', '{"a": 1}', 'none') AS abandoned;
SELECT execute_draw(teams) AS teams_selected, execute_draw(plain) AS plain_selected FROM page_draw;
SELECT abandon_draw(abandoned, 'superseded') FROM page_draw;

-- the public transcript: the transcript without its teams part, saying so;
-- an abandoned draw without the role that abandoned it
SELECT draw_public_transcript(teams) = (draw_transcript(teams) - 'teams') || '{"withheld": ["teams"]}' AS teams_withheld,
       draw_public_transcript(plain) = draw_transcript(plain) AS plain_unchanged,
       draw_public_transcript(abandoned) = (draw_transcript(abandoned) #- '{abandoned,by}') || '{"withheld": ["abandoned.by"]}' AS abandoner_withheld,
       (draw_public_transcript(abandoned)->'abandoned') - 'at' AS abandoned
  FROM page_draw;
SELECT jsonb_object_keys(draw_public_transcript(teams)) AS public_member FROM page_draw ORDER BY 1;

-- the page as shipped asks for a file; with a transcript it carries it once
SELECT left(verification_page_of(NULL), 15) AS starts,
       verification_page_of(NULL) = verification_page_template() AS as_shipped,
       (SELECT count(*) FROM regexp_matches(verification_page_template(), '<script type="application/json" id="spotcheck-transcript"></script>', 'g')) AS placeholders;

CREATE TEMP TABLE page AS
SELECT verification_page(plain) AS public_plain, verification_page(teams) AS public_teams,
       verification_page_of(draw_transcript(teams)) AS full_teams
  FROM page_draw;
CREATE FUNCTION pg_temp.embedded(page text) RETURNS text LANGUAGE sql AS $$
    SELECT substring(page from '<script type="application/json" id="spotcheck-transcript">(.*?)</script>')
$$;

-- the embedded text is the public transcript, with markup characters escaped:
-- no <, >, & or line separators are left, the page still has exactly three
-- script elements, and the JSON means the transcript exactly
SELECT pg_temp.embedded(public_teams)::jsonb = draw_public_transcript(teams) AS public_embedded,
       pg_temp.embedded(full_teams)::jsonb = draw_transcript(teams) AS full_embedded,
       pg_temp.embedded(public_teams) ~ E'[<>&\u2028\u2029]' AS markup_left,
       (SELECT count(*) FROM regexp_matches(public_teams, '<script', 'gi')) AS script_tags,
       (SELECT count(*) FROM regexp_matches(public_teams, '</script', 'gi')) AS script_ends,
       position('\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e' in public_teams) > 0 AS key_escaped,
       position(E'line\\u2028para\\u2029end' in public_teams) > 0 AS separators_escaped,
       position('"key": "重点单位"' in public_teams) > 0 AS text_kept
  FROM page, page_draw;

-- the public page names no inspector; the full transcript's page does
SELECT position('FJ-' in public_teams) > 0 AS public_names_inspectors,
       position('FJ-' in full_teams) > 0 AS full_names_inspectors,
       position('"withheld": ["teams"]' in public_teams) > 0 AS says_withheld
  FROM page;

-- errors (their context would name lines of draw_transcript)
\set SHOW_CONTEXT never
SELECT verification_page(424242);
SELECT draw_public_transcript(NULL);
SELECT verification_page_of('[1, 2]');
\set SHOW_CONTEXT errors

-- who may call them: the extension's roles; the public role sees disclosure views only
SELECT r AS role, has_function_privilege(r, 'spotcheck.verification_page(bigint)', 'EXECUTE') AS page,
       has_function_privilege(r, 'spotcheck.draw_public_transcript(bigint)', 'EXECUTE') AS public_transcript,
       has_function_privilege(r, 'spotcheck.verification_page_of(jsonb)', 'EXECUTE') AS page_of
  FROM unnest(ARRAY['spotcheck_admin', 'spotcheck_planner', 'spotcheck_head', 'spotcheck_upper',
                    'spotcheck_inspector', 'spotcheck_public', 'public']) r;
SET ROLE spotcheck_public;
SELECT verification_page(1);
RESET ROLE;
SELECT p.oid::regprocedure AS function, p.prosecdef AS security_definer, p.provolatile AS volatility
  FROM pg_proc p
 WHERE p.pronamespace = 'spotcheck'::regnamespace
   AND p.proname IN ('verification_page', 'verification_page_of', 'verification_page_template', 'draw_public_transcript')
 ORDER BY p.oid::regprocedure::text COLLATE "C";
