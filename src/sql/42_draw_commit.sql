-- commit_draw: freeze the pool, the quotas (and, for teams, the inspector
-- pool and exclusions), create the secret and publish its commitment.
--
-- Nothing the caller supplies is ever evaluated with the extension owner's
-- rights, so the work is split in three:
--   commit_draw (SECURITY INVOKER) reads the caller's relations with the
--     caller's own rights — its privileges and row-level security apply, and
--     any function in its views runs as the caller — into plain arrays;
--   commit_draw_values (SECURITY DEFINER) checks that the caller may draw for
--     the agency and freezes those values; an application that builds its
--     pool itself may call it directly;
--   draw_commit_with (no role may call it) validates and freezes; the
--     extension's own plan functions call it after their own checks.

-- A source relation must have the columns we read, and the caller must be
-- allowed to read them (checked here to say which column is missing or
-- forbidden; the read itself runs with the caller's rights anyway).
CREATE FUNCTION spotcheck.draw_check_source(rel regclass, cols text[], what text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    who oid := spotcheck.invoking_role();
    c text;
BEGIN
    IF rel IS NULL THEN
        RAISE EXCEPTION 'the % must not be null', what
            USING ERRCODE = '22004', HINT = 'Pass a table or view name.';
    END IF;
    IF NOT pg_catalog.has_schema_privilege(who, (SELECT k.relnamespace FROM pg_catalog.pg_class k WHERE k.oid = rel), 'USAGE') THEN
        RAISE EXCEPTION 'permission denied: role % cannot use the schema of the % %',
                        (SELECT rolname FROM pg_catalog.pg_roles WHERE oid = who), what, rel
            USING ERRCODE = '42501',
                  HINT = 'A draw may only be committed over rows its caller is allowed to read.';
    END IF;
    FOREACH c IN ARRAY cols LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = rel AND a.attname = c AND a.attnum > 0 AND NOT a.attisdropped) THEN
            RAISE EXCEPTION 'the % % has no column "%"', what, rel, c
                USING ERRCODE = '42703',
                      HINT = pg_catalog.format('The %s needs the columns %s.', what, pg_catalog.array_to_string(cols, ', '));
        END IF;
        IF NOT pg_catalog.has_column_privilege(who, rel, c, 'SELECT') THEN
            RAISE EXCEPTION 'permission denied: role % cannot read column "%" of the % %',
                            (SELECT rolname FROM pg_catalog.pg_roles WHERE oid = who), c, what, rel
                USING ERRCODE = '42501',
                      HINT = 'A draw may only be committed over rows its caller is allowed to read.';
        END IF;
    END LOOP;
    IF 'weight' = ANY(cols) AND (SELECT a.atttypid FROM pg_catalog.pg_attribute a
                                  WHERE a.attrelid = rel AND a.attname = 'weight' AND NOT a.attisdropped)
                                 NOT IN ('pg_catalog.int2'::regtype, 'pg_catalog.int4'::regtype, 'pg_catalog.int8'::regtype) THEN
        RAISE EXCEPTION 'column "weight" of the % % is of type %, not an integer type', what, rel,
                        (SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a
                          WHERE a.attrelid = rel AND a.attname = 'weight' AND NOT a.attisdropped)
            USING ERRCODE = '42804',
                  HINT = 'Weights are whole numbers from 1 to 4294967295; convert them in a view, deciding how to round.';
    END IF;
END
$$;

-- Read a draw's source relations with the rights of whoever calls (this
-- function is SECURITY INVOKER and must stay so).
CREATE FUNCTION spotcheck.draw_read_sources(pool regclass, inspectors regclass, exclusions regclass,
                                            OUT keys text[], OUT strata text[], OUT weights bigint[],
                                            OUT inspector_keys text[],
                                            OUT excluded_inspectors text[], OUT excluded_targets text[])
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM spotcheck.draw_check_source(pool, ARRAY['key', 'stratum', 'weight'], 'pool');
    IF inspectors IS NOT NULL THEN
        PERFORM spotcheck.draw_check_source(inspectors, ARRAY['key'], 'inspector pool');
    END IF;
    IF exclusions IS NOT NULL THEN
        PERFORM spotcheck.draw_check_source(exclusions, ARRAY['inspector', 'target'], 'exclusion list');
    END IF;
    EXECUTE pg_catalog.format(
        'SELECT COALESCE(pg_catalog.array_agg(p.key::text), ''{}''), COALESCE(pg_catalog.array_agg(p.stratum::text), ''{}''),
                COALESCE(pg_catalog.array_agg(p.weight::bigint), ''{}'') FROM %s p', pool)
        INTO keys, strata, weights;
    IF inspectors IS NOT NULL THEN
        EXECUTE pg_catalog.format('SELECT COALESCE(pg_catalog.array_agg(i.key::text), ''{}'') FROM %s i', inspectors)
            INTO inspector_keys;
    END IF;
    IF exclusions IS NOT NULL THEN
        EXECUTE pg_catalog.format(
            'SELECT COALESCE(pg_catalog.array_agg(e.inspector::text), ''{}''), COALESCE(pg_catalog.array_agg(e.target::text), ''{}'')
               FROM %s e', exclusions)
            INTO excluded_inspectors, excluded_targets;
    END IF;
END
$$;

-- (No SET clause, every operator qualified: so that the planner inlines it
-- into the check of a whole pool instead of calling it twice per candidate.)
CREATE FUNCTION spotcheck.draw_label_problem(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN s IS NULL THEN 'is null'
                WHEN s OPERATOR(pg_catalog.=) '' THEN 'is empty'
                WHEN s OPERATOR(pg_catalog.~) '[\x01-\x1f\x7f]' THEN 'contains a control character'
           END
$$;

-- A value quoted for a message: at most 64 characters of it.
CREATE FUNCTION spotcheck.draw_quote(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN s IS NULL THEN 'null'
                WHEN pg_catalog.length(s) <= 64 THEN pg_catalog.quote_literal(s)
                ELSE pg_catalog.quote_literal(pg_catalog.left(s, 64)) || pg_catalog.format('... (%s characters)', pg_catalog.length(s))
           END
$$;

-- A value for a message, unquoted (a reason, a recorded failure): at most 64
-- characters of it, and how long it was.
CREATE FUNCTION spotcheck.draw_clip(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN s IS NULL THEN 'null'
                WHEN pg_catalog.length(s) <= 64 THEN s
                ELSE pg_catalog.left(s, 64) || pg_catalog.format('... (%s characters)', pg_catalog.length(s))
           END
$$;

-- The longest entropy declaration and entropy value a draw takes, in
-- characters: a public value and where it comes from are a line, not a
-- document (both are stored with the draw, in its transcript and its audit
-- entries).
CREATE FUNCTION spotcheck.draw_text_limit() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 1000 $$;

-- Whether a text is empty or only white space (spaces, tabs, line breaks,
-- the no-break and the ideographic space).
CREATE FUNCTION spotcheck.draw_blank(s text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    -- nothing visible: white space, and the characters that show nothing
    -- (zero-width, joiners, fillers, controls: spotcheck.registry_trim)
    SELECT s IS NOT NULL AND spotcheck.registry_trim(s) IS NULL
$$;

-- The work of committing, with the secret given (generated or supplied).
-- No privilege check here: callers check the caller's rights first.
CREATE FUNCTION spotcheck.draw_commit_with(pool_source text, keys text[], strata text[], weights bigint[],
                                           quotas jsonb, entropy_declaration text,
                                           inspectors text[], team_size integer,
                                           excluded_inspectors text[], excluded_targets text[],
                                           purpose text, agency text, secret bytea, secret_origin text)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    did bigint;
    bad record;
    q record;
    n bigint;
    n_short bigint;
    pdig bytea;
    qdig bytea;
    n_insp bigint := 0;
    n_excl bigint := 0;
    n_excl_ignored bigint := 0;
BEGIN
    -- ---- the arguments
    IF purpose IS NULL OR purpose NOT IN ('targets', 'redraw') THEN
        RAISE EXCEPTION 'purpose % is not a draw purpose', spotcheck.draw_quote(purpose)
            USING ERRCODE = '22023', HINT = 'A draw selects ''targets'' or makes a ''redraw''.';
    END IF;
    IF entropy_declaration IS NULL OR spotcheck.draw_blank(entropy_declaration) THEN
        RAISE EXCEPTION 'the entropy declaration must not be empty, got %', spotcheck.draw_quote(entropy_declaration)
            USING ERRCODE = '22023',
                  HINT = 'Say which future public value will be used (e.g. ''drand quicknet round 12345678''), or ''none''.';
    END IF;
    IF pg_catalog.length(entropy_declaration) > spotcheck.draw_text_limit() THEN
        RAISE EXCEPTION 'the entropy declaration is % characters long, more than %',
                        pg_catalog.length(entropy_declaration), spotcheck.draw_text_limit()
            USING ERRCODE = '22023',
                  HINT = 'Say in a line which future public value will be used (e.g. ''drand quicknet round 12345678''); publish longer explanations elsewhere.';
    END IF;
    IF purpose = 'redraw' AND entropy_declaration <> 'none' THEN
        RAISE EXCEPTION 'a redraw takes no public entropy, but the declaration is %', spotcheck.draw_quote(entropy_declaration)
            USING ERRCODE = '22023', HINT = 'Declare ''none'' for a redraw.';
    END IF;
    IF agency IS NOT NULL AND NOT EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code = agency) THEN
        RAISE EXCEPTION 'agency % does not exist', spotcheck.draw_quote(agency)
            USING ERRCODE = 'P0002', HINT = 'Use the code of a registered agency (spotcheck.agencies).';
    END IF;
    IF quotas IS NULL OR pg_catalog.jsonb_typeof(quotas) <> 'object' THEN
        RAISE EXCEPTION 'quotas must be a JSON object, got %', spotcheck.draw_quote(quotas::text)
            USING ERRCODE = '22023', HINT = 'Write quotas like {"general": 6, "key_crowded": 5}.';
    END IF;
    FOR q IN SELECT e.key, e.value FROM pg_catalog.jsonb_each(quotas) e LOOP
        IF spotcheck.draw_label_problem(q.key) IS NOT NULL THEN
            RAISE EXCEPTION 'quota stratum % %', spotcheck.draw_quote(q.key), spotcheck.draw_label_problem(q.key)
                USING ERRCODE = '22023', HINT = 'Strata are non-empty and contain no control characters.';
        END IF;
        IF pg_catalog.jsonb_typeof(q.value) <> 'number' OR q.value::text !~ '^[0-9]+$'
           OR q.value::text::numeric > 2147483647 THEN
            RAISE EXCEPTION 'quota % of stratum % is not a whole number from 0 to 2147483647',
                            pg_catalog.left(q.value::text, 64), spotcheck.draw_quote(q.key)
                USING ERRCODE = '22023', HINT = 'Write quotas like {"general": 6, "key_crowded": 5}.';
        END IF;
    END LOOP;
    IF inspectors IS NOT NULL AND team_size IS NULL THEN
        RAISE EXCEPTION 'an inspector pool was given without a team size'
            USING ERRCODE = '22023', HINT = 'Teams need both an inspector pool and a team size; pass both, or neither for a draw without teams.';
    ELSIF inspectors IS NULL AND team_size IS NOT NULL THEN
        RAISE EXCEPTION 'team size % was given without an inspector pool', team_size
            USING ERRCODE = '22023', HINT = 'Teams need both an inspector pool and a team size; pass both, or neither for a draw without teams.';
    END IF;
    IF team_size < 2 THEN
        RAISE EXCEPTION 'team size % is below 2', team_size
            USING ERRCODE = '22023', HINT = 'An inspection team has at least two inspectors (Article 18).';
    END IF;
    IF excluded_inspectors IS NOT NULL AND inspectors IS NULL THEN
        RAISE EXCEPTION 'exclusions were given without an inspector pool'
            USING ERRCODE = '22023', HINT = 'Exclusions only matter when the draw forms teams.';
    END IF;
    IF inspectors IS NOT NULL AND purpose <> 'targets' THEN
        RAISE EXCEPTION 'a % draw forms no teams', purpose USING ERRCODE = '22023';
    END IF;
    IF pg_catalog.length(secret) IS DISTINCT FROM 32 THEN
        RAISE EXCEPTION 'the secret is % bytes long, not 32', COALESCE(pg_catalog.length(secret)::text, 'null')
            USING ERRCODE = '22023';
    END IF;
    IF keys IS NULL OR strata IS NULL OR weights IS NULL
       OR pg_catalog.cardinality(keys) <> pg_catalog.cardinality(strata)
       OR pg_catalog.cardinality(keys) <> pg_catalog.cardinality(weights) THEN
        RAISE EXCEPTION 'the pool''s keys, strata and weights must be arrays of one length (got %, % and %)',
                        COALESCE(pg_catalog.cardinality(keys)::text, 'null'), COALESCE(pg_catalog.cardinality(strata)::text, 'null'),
                        COALESCE(pg_catalog.cardinality(weights)::text, 'null')
            USING ERRCODE = '22023', HINT = 'Element i of each array describes candidate i.';
    END IF;
    IF pg_catalog.cardinality(excluded_inspectors) IS DISTINCT FROM pg_catalog.cardinality(excluded_targets) THEN
        RAISE EXCEPTION 'the exclusions'' inspectors and targets must be arrays of one length (got % and %)',
                        COALESCE(pg_catalog.cardinality(excluded_inspectors)::text, 'null'),
                        COALESCE(pg_catalog.cardinality(excluded_targets)::text, 'null')
            USING ERRCODE = '22023', HINT = 'Element i of each array is one (inspector, target) pair.';
    END IF;

    -- ---- the pool: every candidate checked before anything is written
    SELECT u.k, u.s, u.w INTO bad
      FROM ROWS FROM (pg_catalog.unnest(keys), pg_catalog.unnest(strata), pg_catalog.unnest(weights)) WITH ORDINALITY AS u(k, s, w, i)
     WHERE spotcheck.draw_label_problem(u.k) IS NOT NULL OR spotcheck.draw_label_problem(u.s) IS NOT NULL
        OR u.w IS NULL OR u.w NOT BETWEEN 1 AND 4294967295
     ORDER BY u.i LIMIT 1;
    IF FOUND THEN
        IF spotcheck.draw_label_problem(bad.k) IS NOT NULL THEN
            RAISE EXCEPTION 'pool key % %', spotcheck.draw_quote(bad.k), spotcheck.draw_label_problem(bad.k)
                USING ERRCODE = '22023',
                      DETAIL = pg_catalog.format('stratum %s, weight %s', spotcheck.draw_quote(bad.s), COALESCE(bad.w::text, 'null')),
                      HINT = 'Keys are non-empty and contain no control characters (U+0000-U+001F, U+007F).';
        ELSIF spotcheck.draw_label_problem(bad.s) IS NOT NULL THEN
            RAISE EXCEPTION 'stratum % of pool key % %', spotcheck.draw_quote(bad.s), spotcheck.draw_quote(bad.k),
                            spotcheck.draw_label_problem(bad.s)
                USING ERRCODE = '22023',
                      HINT = 'Strata are non-empty and contain no control characters (U+0000-U+001F, U+007F).';
        ELSE
            RAISE EXCEPTION 'weight % of pool key % is outside 1..4294967295', COALESCE(bad.w::text, 'null'),
                            spotcheck.draw_quote(bad.k)
                USING ERRCODE = '22003', HINT = 'Weights are integers from 1 to 4294967295.';
        END IF;
    END IF;
    SELECT u.k, pg_catalog.count(*) AS n INTO bad FROM pg_catalog.unnest(keys) AS u(k)
     GROUP BY u.k HAVING pg_catalog.count(*) > 1 ORDER BY pg_catalog.convert_to(u.k, 'UTF8') LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'pool key % occurs % times', spotcheck.draw_quote(bad.k), bad.n
            USING ERRCODE = '23505', HINT = 'Keys must be unique within a draw''s pool.';
    END IF;
    IF inspectors IS NOT NULL THEN
        SELECT u.k INTO bad FROM pg_catalog.unnest(inspectors) WITH ORDINALITY AS u(k, i)
         WHERE spotcheck.draw_label_problem(u.k) IS NOT NULL ORDER BY u.i LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'inspector key % %', spotcheck.draw_quote(bad.k), spotcheck.draw_label_problem(bad.k)
                USING ERRCODE = '22023', HINT = 'Inspector keys are non-empty and contain no control characters.';
        END IF;
        SELECT u.k, pg_catalog.count(*) AS n INTO bad FROM pg_catalog.unnest(inspectors) AS u(k)
         GROUP BY u.k HAVING pg_catalog.count(*) > 1 ORDER BY pg_catalog.convert_to(u.k, 'UTF8') LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'inspector key % occurs % times', spotcheck.draw_quote(bad.k), bad.n
                USING ERRCODE = '23505', HINT = 'Inspector keys must be unique within a draw.';
        END IF;
    END IF;

    -- ---- the draw, not yet sealed
    INSERT INTO spotcheck.draw (purpose, pool_source, agency, entropy_declaration, secret_origin,
                                team_size, committed_at, committed_by, committed_xid)
        VALUES (purpose, COALESCE(pool_source, 'values'), agency, entropy_declaration, secret_origin, team_size,
                pg_catalog.clock_timestamp(), spotcheck.caller(), pg_catalog.pg_current_xact_id())
        RETURNING draw.id INTO did;
    INSERT INTO spotcheck.draw_pool (draw, key, stratum, weight)
        SELECT did, u.k, u.s, u.w FROM ROWS FROM (pg_catalog.unnest(keys), pg_catalog.unnest(strata), pg_catalog.unnest(weights)) AS u(k, s, w);
    n := pg_catalog.cardinality(keys);

    -- ---- the quotas: one per stratum of the pool
    INSERT INTO spotcheck.draw_quota (draw, stratum, quota)
        SELECT did, e.key, e.value::text::integer FROM pg_catalog.jsonb_each(quotas) e;
    SELECT p.stratum, pg_catalog.count(*) AS size INTO bad
      FROM spotcheck.draw_pool p
     WHERE p.draw = did
       AND NOT EXISTS (SELECT FROM spotcheck.draw_quota x WHERE x.draw = did AND x.stratum = p.stratum)
     GROUP BY p.stratum ORDER BY pg_catalog.convert_to(p.stratum, 'UTF8') LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'stratum % of the pool (% candidates) has no quota', spotcheck.draw_quote(bad.stratum), bad.size
            USING ERRCODE = '22023', HINT = 'Give every stratum of the pool a quota, 0 to select none of it.';
    END IF;
    IF purpose = 'redraw' THEN
        IF quotas <> '{"redraw": 1}'::jsonb
           OR EXISTS (SELECT FROM spotcheck.draw_pool p WHERE p.draw = did AND (p.stratum <> 'redraw' OR p.weight <> 1)) THEN
            RAISE EXCEPTION 'a redraw''s pool has stratum ''redraw'' and weight 1 throughout, and the quotas {"redraw": 1}'
                USING ERRCODE = '22023', HINT = 'See DRAW-SPEC.md, "Redrawing one team member".';
        END IF;
    END IF;

    -- ---- teams: the inspector pool and the exclusions
    IF inspectors IS NOT NULL THEN
        INSERT INTO spotcheck.draw_inspector (draw, key) SELECT did, u.k FROM pg_catalog.unnest(inspectors) AS u(k);
        n_insp := pg_catalog.cardinality(inspectors);
        IF excluded_inspectors IS NOT NULL THEN
            WITH x AS (SELECT DISTINCT u.i AS inspector, u.t AS target
                         FROM ROWS FROM (pg_catalog.unnest(excluded_inspectors), pg_catalog.unnest(excluded_targets)) AS u(i, t)),
                 kept AS (INSERT INTO spotcheck.draw_exclusion (draw, inspector, target)
                          SELECT did, x.inspector, x.target FROM x
                           WHERE EXISTS (SELECT FROM spotcheck.draw_inspector i WHERE i.draw = did AND i.key = x.inspector)
                             AND EXISTS (SELECT FROM spotcheck.draw_pool p WHERE p.draw = did AND p.key = x.target)
                          RETURNING 1)
            SELECT (SELECT pg_catalog.count(*) FROM kept), (SELECT pg_catalog.count(*) FROM x)
              INTO n_excl, n_excl_ignored;
            n_excl_ignored := n_excl_ignored - n_excl;
        END IF;

        -- No unit may be undrawable: every candidate needs team_size
        -- inspectors it is not excluded from, whichever candidates the seed
        -- selects (DRAW-SPEC.md, "Forming teams").
        WITH short AS (
            SELECT p.key, n_insp - (SELECT pg_catalog.count(*) FROM spotcheck.draw_exclusion e
                                     WHERE e.draw = did AND e.target = p.key) AS eligible
              FROM spotcheck.draw_pool p WHERE p.draw = did)
        SELECT s.key, s.eligible, (SELECT pg_catalog.count(*) FROM short t WHERE t.eligible < team_size) AS n
          INTO bad FROM short s WHERE s.eligible < team_size
         ORDER BY pg_catalog.convert_to(s.key, 'UTF8') LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'pool key % has % eligible %, fewer than the team size %',
                            spotcheck.draw_quote(bad.key), bad.eligible,
                            CASE WHEN bad.eligible = 1 THEN 'inspector' ELSE 'inspectors' END, team_size
                USING ERRCODE = '23514',
                      DETAIL = pg_catalog.format('The inspector pool has %s; %s of them are excluded for it.%s',
                                   n_insp, n_insp - bad.eligible,
                                   CASE WHEN bad.n > 1 THEN pg_catalog.format(' %s pool keys in all are short.', bad.n) ELSE '' END),
                      HINT = 'A unit that cannot get a full team could never be inspected by this draw: add inspectors to the pool (an upper-level or joint inspector), resolve the recusal, or leave the unit out of the pool, and commit again.';
        END IF;
    END IF;

    -- ---- digests, secret, commitment: seal
    SELECT spotcheck.pool_digest(p.key, p.stratum, p.weight ORDER BY pg_catalog.convert_to(p.key, 'UTF8'))
      INTO pdig FROM spotcheck.draw_pool p WHERE p.draw = did;
    SELECT spotcheck.quota_digest(x.stratum, x.quota ORDER BY pg_catalog.convert_to(x.stratum, 'UTF8'))
      INTO qdig FROM spotcheck.draw_quota x WHERE x.draw = did;
    INSERT INTO spotcheck.draw_secret (draw, secret) VALUES (did, secret);
    UPDATE spotcheck.draw d
       SET commitment = spotcheck.draw_commitment(secret), pool_digest = pdig, quota_digest = qdig, pool_size = n
     WHERE d.id = did;

    PERFORM spotcheck.audit_record('draw.commit', 'draw:' || did, agency, pg_catalog.jsonb_build_object(
        'purpose', purpose, 'pool_source', COALESCE(pool_source, 'values'), 'pool_size', n,
        'commitment', pg_catalog.encode(spotcheck.draw_commitment(secret), 'hex'),
        'pool_digest', pg_catalog.encode(pdig, 'hex'), 'quota_digest', pg_catalog.encode(qdig, 'hex'),
        'entropy_declaration', entropy_declaration, 'secret_origin', secret_origin,
        'team_size', team_size, 'inspectors', n_insp, 'exclusions', n_excl,
        'exclusions_not_in_pools', n_excl_ignored));
    RETURN did;
END
$$;

-- The caller's values frozen under a fresh secret, after checking that the
-- caller plans for the agency.
CREATE FUNCTION spotcheck.commit_draw_values(pool_source text, keys text[], strata text[], weights bigint[],
                                             quotas jsonb, entropy_declaration text,
                                             inspectors text[] DEFAULT NULL, team_size integer DEFAULT NULL,
                                             excluded_inspectors text[] DEFAULT NULL,
                                             excluded_targets text[] DEFAULT NULL,
                                             purpose text DEFAULT 'targets', agency text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM spotcheck.require_agency_role(agency, ARRAY['spotcheck_admin', 'spotcheck_planner']::name[], 'commit a draw');
    RETURN spotcheck.draw_commit_with(pool_source, keys, strata, weights, quotas, entropy_declaration,
                                      inspectors, team_size, excluded_inspectors, excluded_targets,
                                      purpose, agency, spotcheck.draw_new_secret(), 'generated');
END
$$;
COMMENT ON FUNCTION spotcheck.commit_draw_values(text, text[], text[], bigint[], jsonb, text, text[], integer, text[], text[], text, text) IS
    'commit a draw over a pool given as arrays (keys, strata, weights) for an agency the caller plans for; returns the draw id';

CREATE FUNCTION spotcheck.commit_draw(pool regclass, quotas jsonb, entropy_declaration text,
                                      inspectors regclass DEFAULT NULL, team_size integer DEFAULT NULL,
                                      exclusions regclass DEFAULT NULL, purpose text DEFAULT 'targets',
                                      agency text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    src record;
BEGIN
    src := spotcheck.draw_read_sources(pool, inspectors, exclusions);
    RETURN spotcheck.commit_draw_values(pool::text, src.keys, src.strata, src.weights, quotas, entropy_declaration,
                                        src.inspector_keys, team_size, src.excluded_inspectors, src.excluded_targets,
                                        purpose, agency);
END
$$;
COMMENT ON FUNCTION spotcheck.commit_draw(regclass, jsonb, text, regclass, integer, regclass, text, text) IS
    'freeze a pool (key, stratum, weight), read with the caller''s rights, and quotas; commit to a fresh 32-byte secret; returns the draw id';

-- Reproducing a published draw (test vectors, an auditor's re-run) needs its
-- secret: superusers only (no role may execute draw_commit_with), and the
-- draw says so (secret_origin = 'supplied').
CREATE FUNCTION spotcheck.commit_draw_with_secret(secret bytea, pool regclass, quotas jsonb,
                                                  entropy_declaration text,
                                                  inspectors regclass DEFAULT NULL, team_size integer DEFAULT NULL,
                                                  exclusions regclass DEFAULT NULL, purpose text DEFAULT 'targets',
                                                  agency text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    src record;
BEGIN
    IF NOT spotcheck.caller_is_superuser() THEN
        RAISE EXCEPTION 'only a superuser may commit a draw with a supplied secret'
            USING ERRCODE = '42501', HINT = 'Use spotcheck.commit_draw, which generates the secret.';
    END IF;
    src := spotcheck.draw_read_sources(pool, inspectors, exclusions);
    RETURN spotcheck.draw_commit_with(pool::text, src.keys, src.strata, src.weights, quotas, entropy_declaration,
                                      src.inspector_keys, team_size, src.excluded_inspectors, src.excluded_targets,
                                      purpose, agency, secret, 'supplied');
END
$$;
COMMENT ON FUNCTION spotcheck.commit_draw_with_secret(bytea, regclass, jsonb, text, regclass, integer, regclass, text, text) IS
    'superuser only: commit a draw with a given secret, to reproduce a published draw; marked secret_origin = supplied';

GRANT EXECUTE ON FUNCTION spotcheck.commit_draw(regclass, jsonb, text, regclass, integer, regclass, text, text),
    spotcheck.commit_draw_values(text, text[], text[], bigint[], jsonb, text, text[], integer, text[], text[], text, text),
    spotcheck.draw_read_sources(regclass, regclass, regclass),
    spotcheck.draw_check_source(regclass, text[], text),
    spotcheck.draw_label_problem(text), spotcheck.draw_quote(text)
    TO spotcheck_admin, spotcheck_planner;
