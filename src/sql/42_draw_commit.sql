-- commit_draw: freeze the pool, the quotas (and, for teams, the inspector
-- pool and exclusions), create the secret and publish its commitment.

-- The role that asked for the draw, by name.
CREATE FUNCTION spotcheck.draw_invoker_name() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.rolname::text FROM pg_catalog.pg_roles r WHERE r.oid = spotcheck.invoking_role()
$$;

-- A source relation must have the columns we read, and the invoking role
-- must be allowed to read them, with no row-level security hiding rows from
-- it that the extension (reading as owner) would see.
CREATE FUNCTION spotcheck.draw_check_source(rel regclass, cols text[], what text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    who oid := spotcheck.invoking_role();
    c text;
    cls record;
BEGIN
    IF rel IS NULL THEN
        RAISE EXCEPTION 'the % must not be null', what
            USING ERRCODE = '22004', HINT = 'Pass a table or view name.';
    END IF;
    SELECT k.relkind, k.relrowsecurity, k.relowner,
           COALESCE(k.reloptions::text[] && ARRAY['security_invoker=true', 'security_invoker=on',
                                                  'security_invoker=1', 'security_invoker=yes'], false) AS invoker_view
      INTO cls FROM pg_catalog.pg_class k WHERE k.oid = rel;
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
    IF (cls.relrowsecurity OR cls.invoker_view)
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_roles r
                        WHERE r.oid = who AND (r.rolsuper OR r.rolbypassrls OR r.oid = cls.relowner)) THEN
        RAISE EXCEPTION 'the % % applies row-level security or invoker rights, which commit_draw cannot apply for role %',
                        what, rel, (SELECT rolname FROM pg_catalog.pg_roles WHERE oid = who)
            USING ERRCODE = '0A000',
                  HINT = 'Copy the rows you may see into a table of your own and commit the draw over that table.';
    END IF;
END
$$;

CREATE FUNCTION spotcheck.draw_label_problem(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN s IS NULL THEN 'is null'
                WHEN s = '' THEN 'is empty'
                WHEN s ~ '[\x01-\x1f\x7f]' THEN 'contains a control character'
           END
$$;

-- The work of commit_draw, with the secret given (generated or supplied).
CREATE FUNCTION spotcheck.draw_commit_with(pool regclass, quotas jsonb, entropy_declaration text,
                                           inspectors regclass, team_size integer, exclusions regclass,
                                           purpose text, agency text, secret bytea, secret_origin text)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    did bigint;
    bad record;
    found_bad boolean;
    rc bigint;
    q record;
    n bigint;
    pdig bytea;
    qdig bytea;
    n_insp bigint := 0;
    n_excl bigint := 0;
    n_excl_ignored bigint := 0;
BEGIN
    -- ---- the arguments
    IF purpose IS NULL OR purpose NOT IN ('targets', 'redraw') THEN
        RAISE EXCEPTION 'purpose % is not a draw purpose', pg_catalog.quote_nullable(purpose)
            USING ERRCODE = '22023', HINT = 'A draw selects ''targets'' or makes a ''redraw''.';
    END IF;
    IF entropy_declaration IS NULL OR pg_catalog.btrim(entropy_declaration) = '' THEN
        RAISE EXCEPTION 'the entropy declaration must not be empty, got %', pg_catalog.quote_nullable(entropy_declaration)
            USING ERRCODE = '22023',
                  HINT = 'Say which future public value will be used (e.g. ''drand quicknet round 12345678''), or ''none''.';
    END IF;
    IF purpose = 'redraw' AND entropy_declaration <> 'none' THEN
        RAISE EXCEPTION 'a redraw takes no public entropy, but the declaration is %', pg_catalog.quote_literal(entropy_declaration)
            USING ERRCODE = '22023', HINT = 'Declare ''none'' for a redraw.';
    END IF;
    IF quotas IS NULL OR pg_catalog.jsonb_typeof(quotas) <> 'object' THEN
        RAISE EXCEPTION 'quotas must be a JSON object, got %', pg_catalog.quote_nullable(quotas::text)
            USING ERRCODE = '22023', HINT = 'Write quotas like {"general": 6, "key_crowded": 5}.';
    END IF;
    FOR q IN SELECT e.key, e.value FROM pg_catalog.jsonb_each(quotas) e LOOP
        IF spotcheck.draw_label_problem(q.key) IS NOT NULL THEN
            RAISE EXCEPTION 'quota stratum % %', pg_catalog.quote_literal(q.key), spotcheck.draw_label_problem(q.key)
                USING ERRCODE = '22023', HINT = 'Strata are non-empty and contain no control characters.';
        END IF;
        IF pg_catalog.jsonb_typeof(q.value) <> 'number' OR q.value::text !~ '^[0-9]+$'
           OR q.value::text::numeric > 2147483647 THEN
            RAISE EXCEPTION 'quota % of stratum % is not a whole number from 0 to 2147483647', q.value::text, pg_catalog.quote_literal(q.key)
                USING ERRCODE = '22023', HINT = 'Write quotas like {"general": 6, "key_crowded": 5}.';
        END IF;
    END LOOP;
    IF (inspectors IS NULL) <> (team_size IS NULL) THEN
        RAISE EXCEPTION 'teams need both an inspector pool and a team size (got inspectors %, team size %)',
                        COALESCE(inspectors::text, 'null'), COALESCE(team_size::text, 'null')
            USING ERRCODE = '22023', HINT = 'Pass both, or neither for a draw without teams.';
    END IF;
    IF team_size < 2 THEN
        RAISE EXCEPTION 'team size % is below 2', team_size
            USING ERRCODE = '22023', HINT = 'An inspection team has at least two inspectors (Article 18).';
    END IF;
    IF exclusions IS NOT NULL AND inspectors IS NULL THEN
        RAISE EXCEPTION 'exclusions % were given without an inspector pool', exclusions
            USING ERRCODE = '22023', HINT = 'Exclusions only matter when the draw forms teams.';
    END IF;
    IF inspectors IS NOT NULL AND purpose <> 'targets' THEN
        RAISE EXCEPTION 'a % draw forms no teams', purpose USING ERRCODE = '22023';
    END IF;
    IF pg_catalog.length(secret) IS DISTINCT FROM 32 THEN
        RAISE EXCEPTION 'the secret is % bytes long, not 32', pg_catalog.length(secret) USING ERRCODE = '22023';
    END IF;
    PERFORM spotcheck.draw_check_source(pool, ARRAY['key', 'stratum', 'weight'], 'pool');
    IF inspectors IS NOT NULL THEN
        PERFORM spotcheck.draw_check_source(inspectors, ARRAY['key'], 'inspector pool');
    END IF;
    IF exclusions IS NOT NULL THEN
        PERFORM spotcheck.draw_check_source(exclusions, ARRAY['inspector', 'target'], 'exclusion list');
    END IF;

    -- ---- the draw, not yet sealed
    INSERT INTO spotcheck.draw (purpose, pool_source, agency, entropy_declaration, secret_origin,
                                team_size, committed_at, committed_by, committed_xid)
        VALUES (purpose, pool::text, agency, entropy_declaration, secret_origin, team_size,
                pg_catalog.clock_timestamp(), spotcheck.draw_invoker_name(), pg_catalog.pg_current_xact_id())
        RETURNING draw.id INTO did;

    -- ---- the pool, read once, then checked in the frozen copy
    BEGIN
        EXECUTE pg_catalog.format(
            'INSERT INTO spotcheck.draw_pool (draw, key, stratum, weight)
             SELECT $1, p.key::text, p.stratum::text, p.weight::bigint FROM %s p', pool) USING did;
    EXCEPTION
        WHEN not_null_violation OR check_violation OR unique_violation OR numeric_value_out_of_range THEN
            -- Find the row at fault in the source, to name it.
            EXECUTE pg_catalog.format(
                'SELECT p.key::text AS key, p.stratum::text AS stratum, p.weight::numeric AS weight
                   FROM %s p
                  WHERE spotcheck.draw_label_problem(p.key::text) IS NOT NULL
                     OR spotcheck.draw_label_problem(p.stratum::text) IS NOT NULL
                     OR p.weight IS NULL OR p.weight::numeric NOT BETWEEN 1 AND 4294967295
                  LIMIT 1', pool) INTO bad;
            GET DIAGNOSTICS rc = ROW_COUNT;
            found_bad := rc > 0;
            IF found_bad AND spotcheck.draw_label_problem(bad.key) IS NOT NULL THEN
                RAISE EXCEPTION 'pool key % %', pg_catalog.quote_nullable(bad.key), spotcheck.draw_label_problem(bad.key)
                    USING ERRCODE = '22023',
                          DETAIL = pg_catalog.format('stratum %s, weight %s', pg_catalog.quote_nullable(bad.stratum), COALESCE(bad.weight::text, 'null')),
                          HINT = 'Keys are non-empty and contain no control characters (U+0000-U+001F, U+007F).';
            ELSIF found_bad AND spotcheck.draw_label_problem(bad.stratum) IS NOT NULL THEN
                RAISE EXCEPTION 'stratum % of pool key % %', pg_catalog.quote_nullable(bad.stratum),
                                pg_catalog.quote_literal(bad.key), spotcheck.draw_label_problem(bad.stratum)
                    USING ERRCODE = '22023',
                          HINT = 'Strata are non-empty and contain no control characters (U+0000-U+001F, U+007F).';
            ELSIF found_bad THEN
                RAISE EXCEPTION 'weight % of pool key % is outside 1..4294967295', COALESCE(bad.weight::text, 'null'),
                                pg_catalog.quote_literal(bad.key)
                    USING ERRCODE = '22003', HINT = 'Weights are integers from 1 to 4294967295.';
            END IF;
            EXECUTE pg_catalog.format(
                'SELECT p.key::text AS key, pg_catalog.count(*) AS n FROM %s p GROUP BY 1 HAVING pg_catalog.count(*) > 1 LIMIT 1', pool)
                INTO bad;
            GET DIAGNOSTICS rc = ROW_COUNT;
            IF rc > 0 THEN
                RAISE EXCEPTION 'pool key % occurs % times', pg_catalog.quote_literal(bad.key), bad.n
                    USING ERRCODE = '23505', HINT = 'Keys must be unique within a draw''s pool.';
            END IF;
            RAISE;
    END;
    SELECT pg_catalog.count(*) INTO n FROM spotcheck.draw_pool p WHERE p.draw = did;

    -- ---- the quotas: one per stratum of the pool
    INSERT INTO spotcheck.draw_quota (draw, stratum, quota)
        SELECT did, e.key, e.value::text::integer FROM pg_catalog.jsonb_each(quotas) e;
    SELECT p.stratum, pg_catalog.count(*) AS size INTO bad
      FROM spotcheck.draw_pool p
     WHERE p.draw = did
       AND NOT EXISTS (SELECT FROM spotcheck.draw_quota x WHERE x.draw = did AND x.stratum = p.stratum)
     GROUP BY p.stratum ORDER BY p.stratum COLLATE "C" LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'stratum % of the pool (% candidates) has no quota', pg_catalog.quote_literal(bad.stratum), bad.size
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
        BEGIN
            EXECUTE pg_catalog.format(
                'INSERT INTO spotcheck.draw_inspector (draw, key) SELECT $1, i.key::text FROM %s i', inspectors)
                USING did;
        EXCEPTION
            WHEN not_null_violation OR check_violation OR unique_violation THEN
                EXECUTE pg_catalog.format(
                    'SELECT i.key::text AS key FROM %s i WHERE spotcheck.draw_label_problem(i.key::text) IS NOT NULL LIMIT 1',
                    inspectors) INTO bad;
                GET DIAGNOSTICS rc = ROW_COUNT;
                IF rc > 0 THEN
                    RAISE EXCEPTION 'inspector key % %', pg_catalog.quote_nullable(bad.key), spotcheck.draw_label_problem(bad.key)
                        USING ERRCODE = '22023', HINT = 'Inspector keys are non-empty and contain no control characters.';
                END IF;
                EXECUTE pg_catalog.format(
                    'SELECT i.key::text AS key, pg_catalog.count(*) AS n FROM %s i GROUP BY 1 HAVING pg_catalog.count(*) > 1 LIMIT 1',
                    inspectors) INTO bad;
                GET DIAGNOSTICS rc = ROW_COUNT;
                IF rc > 0 THEN
                    RAISE EXCEPTION 'inspector key % occurs % times', pg_catalog.quote_literal(bad.key), bad.n
                        USING ERRCODE = '23505', HINT = 'Inspector keys must be unique within a draw.';
                END IF;
                RAISE;
        END;
        SELECT pg_catalog.count(*) INTO n_insp FROM spotcheck.draw_inspector i WHERE i.draw = did;
        IF exclusions IS NOT NULL THEN
            EXECUTE pg_catalog.format(
                'WITH x AS (SELECT DISTINCT e.inspector::text AS inspector, e.target::text AS target FROM %s e),
                      kept AS (INSERT INTO spotcheck.draw_exclusion (draw, inspector, target)
                               SELECT $1, x.inspector, x.target FROM x
                                WHERE EXISTS (SELECT FROM spotcheck.draw_inspector i WHERE i.draw = $1 AND i.key = x.inspector)
                                  AND EXISTS (SELECT FROM spotcheck.draw_pool p WHERE p.draw = $1 AND p.key = x.target)
                               RETURNING 1)
                 SELECT (SELECT pg_catalog.count(*) FROM kept), (SELECT pg_catalog.count(*) FROM x)', exclusions)
                INTO n_excl, n_excl_ignored USING did;
            n_excl_ignored := n_excl_ignored - n_excl;
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

    PERFORM spotcheck.audit_append('draw.commit', 'draw:' || did, agency, pg_catalog.jsonb_build_object(
        'purpose', purpose, 'pool_source', pool::text, 'pool_size', n,
        'commitment', pg_catalog.encode(spotcheck.draw_commitment(secret), 'hex'),
        'pool_digest', pg_catalog.encode(pdig, 'hex'), 'quota_digest', pg_catalog.encode(qdig, 'hex'),
        'entropy_declaration', entropy_declaration, 'secret_origin', secret_origin,
        'team_size', team_size, 'inspectors', n_insp, 'exclusions', n_excl,
        'exclusions_not_in_pools', n_excl_ignored));
    RETURN did;
END
$$;

CREATE FUNCTION spotcheck.commit_draw(pool regclass, quotas jsonb, entropy_declaration text,
                                      inspectors regclass DEFAULT NULL, team_size integer DEFAULT NULL,
                                      exclusions regclass DEFAULT NULL, purpose text DEFAULT 'targets',
                                      agency text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RETURN spotcheck.draw_commit_with(pool, quotas, entropy_declaration, inspectors, team_size,
                                      exclusions, purpose, agency, spotcheck.draw_new_secret(), 'generated');
END
$$;
COMMENT ON FUNCTION spotcheck.commit_draw(regclass, jsonb, text, regclass, integer, regclass, text, text) IS
    'freeze a pool (key, stratum, weight) and quotas, commit to a fresh 32-byte secret; returns the draw id';

-- Reproducing a published draw (test vectors, an auditor's re-run) needs its
-- secret: superusers only, and the draw says so (secret_origin = 'supplied').
CREATE FUNCTION spotcheck.commit_draw_with_secret(secret bytea, pool regclass, quotas jsonb,
                                                  entropy_declaration text,
                                                  inspectors regclass DEFAULT NULL, team_size integer DEFAULT NULL,
                                                  exclusions regclass DEFAULT NULL, purpose text DEFAULT 'targets',
                                                  agency text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.oid = spotcheck.invoking_role() AND r.rolsuper) THEN
        RAISE EXCEPTION 'only a superuser may commit a draw with a supplied secret'
            USING ERRCODE = '42501', HINT = 'Use spotcheck.commit_draw, which generates the secret.';
    END IF;
    RETURN spotcheck.draw_commit_with(pool, quotas, entropy_declaration, inspectors, team_size,
                                      exclusions, purpose, agency, secret, 'supplied');
END
$$;
COMMENT ON FUNCTION spotcheck.commit_draw_with_secret(bytea, regclass, jsonb, text, regclass, integer, regclass, text, text) IS
    'superuser only: commit a draw with a given secret, to reproduce a published draw; marked secret_origin = supplied';

GRANT EXECUTE ON FUNCTION spotcheck.commit_draw(regclass, jsonb, text, regclass, integer, regclass, text, text)
    TO spotcheck_admin, spotcheck_planner;
