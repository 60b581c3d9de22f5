-- The verification page and the public transcript: what the public
-- transcript keeps and leaves out for every kind of draw, the embedding of
-- any transcript (keys full of markup round-trip exactly and never close the
-- script element), that the page loads nothing, and who may call what: the
-- functions run with the caller's rights, so draw_transcript's checks hold
-- through them.  Statements run in autocommit: a draw is executed in a later
-- transaction than the one that committed it.
\ir helpers.psql
SELECT * FROM no_plan();

CREATE TABLE pool (key text, stratum text, weight bigint);
INSERT INTO pool SELECT 'U' || lpad(i::text, 3, '0'), CASE WHEN i % 3 = 0 THEN 'key' ELSE 'general' END, 1 + i % 5
  FROM generate_series(1, 60) i;
CREATE TABLE inspectors AS SELECT 'FJ-' || i AS key FROM generate_series(1, 5) i;
CREATE TABLE three AS SELECT key FROM inspectors ORDER BY key LIMIT 3;
CREATE TABLE recusals AS SELECT 'FJ-1'::text AS inspector, 'U003'::text AS target;
CREATE TABLE redraw_pool AS SELECT 'FJ-' || i AS key, 'redraw'::text AS stratum, 1::bigint AS weight FROM generate_series(2, 5) i;
INSERT INTO spotcheck.agencies (code, name, level, parent) VALUES ('ZB', '淄博市消防救援支队', 'detachment', NULL),
    ('ZD', '张店区消防救援大队', 'brigade', 'ZB');
CREATE TABLE d AS
SELECT spotcheck.commit_draw('pool', '{"general": 4, "key": 2}', 'round 9', 'inspectors', 2, 'recusals', agency => 'ZD') AS teams,
       spotcheck.commit_draw('pool', '{"general": 4, "key": 2}', 'none', 'three', 3, agency => 'ZD') AS failed,
       spotcheck.commit_draw('pool', '{"general": 1, "key": 1}', 'none', 'inspectors', 2, agency => 'ZD') AS pending,
       spotcheck.commit_draw('pool', '{"general": 1, "key": 1}', 'none', agency => 'ZD') AS plain,
       spotcheck.commit_draw('pool', '{"general": 1, "key": 1}', 'none', agency => 'ZD') AS abandoned,
       spotcheck.commit_draw('redraw_pool', '{"redraw": 1}', 'none', purpose => 'redraw', agency => 'ZD') AS redraw;
SELECT is(spotcheck.execute_draw(teams, 'round 9 value'), 6, 'the draw with teams selects 6') FROM d;
-- commit_draw refuses a pool with a unit short of inspectors; the failure
-- is made behind the extension's back, after the commitment
SET session_replication_role = replica;
INSERT INTO spotcheck.draw_exclusion SELECT d.failed, (SELECT min(key) FROM three), p.key
  FROM d JOIN spotcheck.draw_pool p ON p.draw = d.failed;
RESET session_replication_role;
SET client_min_messages = error;
SELECT is(spotcheck.execute_draw(failed), 0, 'the draw short of inspectors fails') FROM d;
RESET client_min_messages;
SELECT is(spotcheck.execute_draw(plain), 2, 'the draw without teams selects 2') FROM d;
SELECT lives_ok(format('SELECT spotcheck.abandon_draw(%s, %L)', abandoned, 'superseded by a new commitment'), 'a draw is abandoned') FROM d;
SELECT is(spotcheck.execute_draw(redraw), 1, 'a redraw picks one inspector') FROM d;

-- ---- the public transcript --------------------------------------------------------
CREATE FUNCTION embedded(page text) RETURNS text LANGUAGE sql AS $$
    SELECT substring(page from '<script type="application/json" id="spotcheck-transcript">(.*?)</script>')
$$;
SELECT is(spotcheck.draw_public_transcript(teams), (spotcheck.draw_transcript(teams) - 'teams') || '{"withheld": ["teams"]}',
          'a draw with teams: the transcript without its teams part, and says so') FROM d;
SELECT ok(spotcheck.draw_transcript(teams) ? 'teams', 'the full transcript has the teams part') FROM d;
SELECT is(spotcheck.draw_public_transcript(failed), (spotcheck.draw_transcript(failed) - 'teams') || '{"withheld": ["teams"]}',
          'a failed draw: its failure stays, its team inputs go') FROM d;
SELECT ok(spotcheck.draw_public_transcript(failed) ? 'failure', 'the public sees that the draw failed, and why') FROM d;
SELECT is(spotcheck.draw_public_transcript(pending), (spotcheck.draw_transcript(pending) - 'teams') || '{"withheld": ["teams"]}',
          'a draw not yet executed: no secret, no teams') FROM d;
SELECT ok(NOT spotcheck.draw_public_transcript(pending) ? 'secret', 'the secret of a pending draw is not in it') FROM d;
SELECT is(spotcheck.draw_public_transcript(plain), spotcheck.draw_transcript(plain),
          'a draw without teams: the public transcript is the transcript') FROM d;
SELECT is(spotcheck.draw_public_transcript(abandoned)->'abandoned', (spotcheck.draw_transcript(abandoned)->'abandoned') - 'by',
          'an abandoned draw: when and why, not which login role') FROM d;
SELECT is(spotcheck.draw_public_transcript(abandoned)->'withheld', '["abandoned.by"]', 'and it says so') FROM d;
SELECT is((SELECT count(*) FROM d, jsonb_each_text(spotcheck.draw_public_transcript(teams)) e WHERE e.value ~ 'FJ-'), 0::bigint,
          'no value of the public transcript names an inspector');
SELECT throws_ok(format('SELECT spotcheck.draw_public_transcript(%s)', redraw), '22023',
                 format('draw %s redraws a team member: its pool and its result are inspectors, whom the public may not see', redraw),
                 'a redraw has no public transcript: its pool and result are inspectors') FROM d;
SELECT throws_ok(format('SELECT spotcheck.verification_page(%s)', redraw), '22023', NULL, 'nor a public page') FROM d;
SELECT is(embedded(spotcheck.verification_page_of(spotcheck.draw_transcript(redraw)))::jsonb, spotcheck.draw_transcript(redraw),
          'those who may see inspectors still get its page from its transcript') FROM d;

-- ---- the page -------------------------------------------------------------------------
SELECT is(spotcheck.verification_page(teams), spotcheck.verification_page_of(spotcheck.draw_public_transcript(teams)),
          'verification_page(draw) is the page with the public transcript') FROM d;
SELECT is(embedded(spotcheck.verification_page(teams))::jsonb, spotcheck.draw_public_transcript(teams),
          'the embedded JSON is the public transcript') FROM d;
SELECT is(spotcheck.verification_page_of(NULL), spotcheck.verification_page_template(), 'no transcript: the page as shipped');
SELECT is(embedded(spotcheck.verification_page_of(NULL)), '', 'which carries no transcript');

-- any text in a transcript round-trips, and none of it can end the element:
-- keys built from every character that matters to HTML or JavaScript
CREATE TABLE nasty AS
SELECT i, string_agg((ARRAY['<', '>', '&', '/', '"', '''', '\', '!', '-', 's', 'S', E'\u2028', E'\u2029', '😀', '长', ' '])[1 + (i * 7 + k * 13 + k * k) % 16], '') AS key
  FROM generate_series(1, 300) i, generate_series(1, 12) k GROUP BY i;
INSERT INTO nasty VALUES (301, '</script>'), (302, '</SCRIPT'), (303, '<!--<script>'), (304, ']]>'), (305, '&lt;&#60;');
SELECT is((SELECT count(*) FROM nasty n
            WHERE embedded(spotcheck.verification_page_of(jsonb_build_object('pool', jsonb_build_array(jsonb_build_object('key', n.key)))))::jsonb
                  IS DISTINCT FROM jsonb_build_object('pool', jsonb_build_array(jsonb_build_object('key', n.key)))), 0::bigint,
          '305 keys of markup characters each round-trip exactly through the page');
SELECT is((SELECT count(*) FROM nasty n
            WHERE embedded(spotcheck.verification_page_of(jsonb_build_object('k', n.key))) ~ E'[<>&\u2028\u2029]'), 0::bigint,
          'and the embedded text holds none of < > & U+2028 U+2029');
SELECT is((SELECT count(*)
             FROM regexp_matches(spotcheck.verification_page_of(jsonb_build_object('k', (SELECT string_agg(key, '' ORDER BY i) FROM nasty))),
                                 '</?script', 'gi')), 6::bigint,
          'with all of them embedded the page still has its three script elements, each opened and closed once');
SELECT throws_ok($$SELECT spotcheck.verification_page_of('"a string"')$$, '22023', 'the transcript is a JSON string, not an object',
                 'a transcript that is not an object is refused');

-- the page loads nothing and connects nowhere
SELECT ok(spotcheck.verification_page_template() ~ $re$<meta http-equiv="Content-Security-Policy" content="default-src 'none';$re$,
          'its policy forbids every load and connection not allowed by name');
SELECT ok(spotcheck.verification_page_template() !~* '(src|href|action)\s*=\s*["'']?\s*(https?:|//|ftp:)',
          'it names no resource elsewhere');
SELECT ok(spotcheck.verification_page_template() !~* '(fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon)\s*\(',
          'its script makes no request');

-- ---- who may call them ------------------------------------------------------------------
SELECT is(p.prosecdef, false, p.oid::regprocedure || ' runs with the caller''s rights')
  FROM pg_proc p WHERE p.pronamespace = 'spotcheck'::regnamespace
   AND p.proname IN ('verification_page', 'verification_page_of', 'verification_page_template', 'draw_public_transcript')
 ORDER BY p.proname;
CREATE ROLE page_planner LOGIN IN ROLE spotcheck_planner;
CREATE ROLE page_public LOGIN IN ROLE spotcheck_public;
INSERT INTO spotcheck.agency_members (member, agency) VALUES ('page_planner', 'ZD');
-- a role granted the page functions but not draw_transcript
CREATE ROLE page_partial LOGIN;
GRANT USAGE ON SCHEMA spotcheck TO page_partial;
GRANT EXECUTE ON FUNCTION spotcheck.verification_page(bigint), spotcheck.draw_public_transcript(bigint),
                          spotcheck.verification_page_of(jsonb), spotcheck.verification_page_template() TO page_partial;
GRANT SELECT ON d TO page_planner, page_public, page_partial;

SET ROLE page_planner;
SELECT is(spotcheck.verification_page(teams), (SELECT spotcheck.verification_page(teams) FROM d),
          'a planner gets the page') FROM d;
RESET ROLE;
SET ROLE page_public;
SELECT throws_ok(format('SELECT spotcheck.verification_page(%s)', teams), '42501', 'permission denied for function verification_page',
                 'the public role cannot call verification_page (a disclosure view will hand it out)') FROM d;
SELECT throws_ok(format('SELECT spotcheck.draw_public_transcript(%s)', teams), '42501', NULL,
                 'nor draw_public_transcript') FROM d;
SELECT throws_ok('SELECT spotcheck.verification_page_of(NULL)', '42501', NULL, 'nor verification_page_of');
RESET ROLE;
SET ROLE page_partial;
SELECT throws_ok(format('SELECT spotcheck.verification_page(%s)', teams), '42501', 'permission denied for function draw_transcript',
                 'the page is read with the caller''s rights: without draw_transcript there is no page') FROM d;
SELECT throws_ok(format('SELECT spotcheck.draw_public_transcript(%s)', teams), '42501', 'permission denied for function draw_transcript',
                 'nor a public transcript') FROM d;
-- the caller's own functions and search path change nothing in them
RESET ROLE;
GRANT CREATE ON SCHEMA public TO page_partial;
SET ROLE page_partial;
CREATE FUNCTION public.replace(text, text, text) RETURNS text LANGUAGE sql AS $$ SELECT 'hijacked' $$;
CREATE FUNCTION public.jsonb_typeof(jsonb) RETURNS text LANGUAGE sql AS $$ SELECT 'object' $$;
SET search_path = public, spotcheck, pg_catalog;
CREATE TEMP TABLE tricked AS SELECT spotcheck.verification_page_of('{"k": "<"}') AS page, NULL::text AS refusal;
DO $$
BEGIN
    PERFORM spotcheck.verification_page_of('[1]');
EXCEPTION WHEN OTHERS THEN
    UPDATE tricked SET refusal = SQLSTATE || ' ' || SQLERRM;
END $$;
RESET search_path;
DROP FUNCTION public.replace(text, text, text);
DROP FUNCTION public.jsonb_typeof(jsonb);
SELECT is(embedded(page)::jsonb, '{"k": "<"}'::jsonb,
          'functions in the caller''s schema do not replace the built-ins the page uses') FROM tricked;
SELECT is(refusal, '22023 the transcript is a JSON array, not an object', 'nor its checks') FROM tricked;
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM page_partial;

DELETE FROM spotcheck.agency_members WHERE member = 'page_planner';
DROP OWNED BY page_planner, page_public, page_partial;
DROP ROLE page_planner, page_public, page_partial;

SELECT * FROM finish();
