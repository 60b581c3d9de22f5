-- The draw algorithm's building blocks (DRAW-SPEC.md), in C (src/draw.c,
-- src/drawcore.c): tickets, commitment, seeds, the sampling aggregate, the
-- digest aggregates and team forming.  All are pure functions of their
-- arguments, except draw_new_secret.

CREATE FUNCTION spotcheck.ticket(stream_seed bytea, key text) RETURNS bytea
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_ticket';
COMMENT ON FUNCTION spotcheck.ticket(bytea, text) IS
    'T(K, k) = SHA-256(TAG("spotcheck-v1/ticket") || K || UTF-8(k)) for a 32-byte stream seed K';

CREATE FUNCTION spotcheck.draw_commitment(secret bytea) RETURNS bytea
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_draw_commitment';
COMMENT ON FUNCTION spotcheck.draw_commitment(bytea) IS
    'C = SHA-256(TAG("spotcheck-v1/commit") || S)';

CREATE FUNCTION spotcheck.draw_seed(secret bytea, pool_digest bytea, quota_digest bytea,
                                    entropy text) RETURNS bytea
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_draw_seed';
COMMENT ON FUNCTION spotcheck.draw_seed(bytea, bytea, bytea, text) IS
    'SEED = SHA-256(TAG("spotcheck-v1/seed") || S || POOL || QUOTA || UTF-8(E))';

CREATE FUNCTION spotcheck.draw_stream_seed(seed bytea, purpose text) RETURNS bytea
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_draw_stream_seed';
COMMENT ON FUNCTION spotcheck.draw_stream_seed(bytea, text) IS
    'SEED_p = SHA-256(TAG("spotcheck-v1/stream") || SEED || UTF-8(p))';

CREATE FUNCTION spotcheck.draw_new_secret() RETURNS bytea
    LANGUAGE C VOLATILE PARALLEL RESTRICTED
    AS 'MODULE_PATHNAME', 'spotcheck_draw_new_secret';
COMMENT ON FUNCTION spotcheck.draw_new_secret() IS
    '32 bytes from OpenSSL''s cryptographically strong generator (RAND_priv_bytes)';

-- draw_sample(key, weight, quota, stream_seed): the first quota keys of the
-- group in priority order.  O(quota) memory; parallel (partial) aggregation.
-- The final function trims and sorts the state in place (SHAREABLE: it can
-- be finalised again, but takes no rows after that, so no window use).
CREATE FUNCTION spotcheck.draw_sample_trans(internal, text, bigint, integer, bytea)
    RETURNS internal LANGUAGE C PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_draw_sample_trans';
CREATE FUNCTION spotcheck.draw_sample_combine(internal, internal)
    RETURNS internal LANGUAGE C PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_draw_sample_combine';
CREATE FUNCTION spotcheck.draw_sample_serial(internal)
    RETURNS bytea LANGUAGE C STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_draw_sample_serial';
CREATE FUNCTION spotcheck.draw_sample_deserial(bytea, internal)
    RETURNS internal LANGUAGE C STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_draw_sample_deserial';
CREATE FUNCTION spotcheck.draw_sample_final(internal)
    RETURNS text[] LANGUAGE C PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_draw_sample_final';

CREATE AGGREGATE spotcheck.draw_sample(key text, weight bigint, quota integer, stream_seed bytea) (
    SFUNC = spotcheck.draw_sample_trans,
    STYPE = internal,
    FINALFUNC = spotcheck.draw_sample_final,
    FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = spotcheck.draw_sample_combine,
    SERIALFUNC = spotcheck.draw_sample_serial,
    DESERIALFUNC = spotcheck.draw_sample_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE spotcheck.draw_sample(text, bigint, integer, bytea) IS
    'the first quota keys of the group in spotcheck-v1 priority order ((r+1)/w, ties by ticket then key)';

-- draw_sample_strata(key, stratum, weight, quotas, stream_seed): every
-- stratum's draw_sample in one pass and one group, as {stratum: [keys]}.
-- quotas is the draw's quota object ({"general": 6, "key_crowded": 5}), so
-- no join finds each row's quota and no hash aggregate groups the strata.
CREATE FUNCTION spotcheck.draw_sample_strata_trans(internal, text, text, bigint, jsonb, bytea)
    RETURNS internal LANGUAGE C PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_draw_sample_strata_trans';
CREATE FUNCTION spotcheck.draw_sample_strata_combine(internal, internal)
    RETURNS internal LANGUAGE C PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_draw_sample_strata_combine';
CREATE FUNCTION spotcheck.draw_sample_strata_serial(internal)
    RETURNS bytea LANGUAGE C STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_draw_sample_strata_serial';
CREATE FUNCTION spotcheck.draw_sample_strata_deserial(bytea, internal)
    RETURNS internal LANGUAGE C STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_draw_sample_strata_deserial';
CREATE FUNCTION spotcheck.draw_sample_strata_final(internal)
    RETURNS jsonb LANGUAGE C PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_draw_sample_strata_final';

CREATE AGGREGATE spotcheck.draw_sample_strata(key text, stratum text, weight bigint,
                                              quotas jsonb, stream_seed bytea) (
    SFUNC = spotcheck.draw_sample_strata_trans,
    STYPE = internal,
    FINALFUNC = spotcheck.draw_sample_strata_final,
    FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = spotcheck.draw_sample_strata_combine,
    SERIALFUNC = spotcheck.draw_sample_strata_serial,
    DESERIALFUNC = spotcheck.draw_sample_strata_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE spotcheck.draw_sample_strata(text, text, bigint, jsonb, bytea) IS
    'a stratified draw in one pass: {stratum: the first quota keys of the stratum in spotcheck-v1 priority order}';

-- pool_digest(key, stratum, weight ORDER BY convert_to(key, 'UTF8')) and
-- quota_digest(stratum, quota ORDER BY convert_to(stratum, 'UTF8')): the
-- digests of DRAW-SPEC.md.  Lines out of byte order (or repeated) are an error.
CREATE FUNCTION spotcheck.pool_digest_trans(internal, text, text, bigint)
    RETURNS internal LANGUAGE C PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_pool_digest_trans';
CREATE FUNCTION spotcheck.quota_digest_trans(internal, text, bigint)
    RETURNS internal LANGUAGE C PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_quota_digest_trans';
CREATE FUNCTION spotcheck.digest_final(internal)
    RETURNS bytea LANGUAGE C PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_digest_final';

CREATE AGGREGATE spotcheck.pool_digest(key text, stratum text, weight bigint) (
    SFUNC = spotcheck.pool_digest_trans,
    STYPE = internal,
    FINALFUNC = spotcheck.digest_final,
    PARALLEL = SAFE
);
CREATE AGGREGATE spotcheck.quota_digest(stratum text, quota bigint) (
    SFUNC = spotcheck.quota_digest_trans,
    STYPE = internal,
    FINALFUNC = spotcheck.digest_final,
    PARALLEL = SAFE
);

-- Teams (DRAW-SPEC.md "Forming teams").
CREATE FUNCTION spotcheck.draw_teams(teams_seed bytea, targets text[], inspectors text[],
                                     team_size integer, excluded_inspectors text[],
                                     excluded_targets text[])
    RETURNS TABLE (target text, member integer, inspector text, over_cap boolean)
    LANGUAGE C IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'spotcheck_draw_teams';
COMMENT ON FUNCTION spotcheck.draw_teams(bytea, text[], text[], integer, text[], text[]) IS
    'teams of team_size for each target, in U(target) order, per DRAW-SPEC.md (cap, over-cap second pass)';

GRANT EXECUTE ON FUNCTION spotcheck.ticket(bytea, text),
    spotcheck.draw_commitment(bytea),
    spotcheck.draw_seed(bytea, bytea, bytea, text),
    spotcheck.draw_stream_seed(bytea, text),
    spotcheck.draw_teams(bytea, text[], text[], integer, text[], text[]),
    spotcheck.draw_sample_trans(internal, text, bigint, integer, bytea),
    spotcheck.draw_sample_combine(internal, internal),
    spotcheck.draw_sample_serial(internal),
    spotcheck.draw_sample_deserial(bytea, internal),
    spotcheck.draw_sample_final(internal),
    spotcheck.draw_sample(text, bigint, integer, bytea),
    spotcheck.pool_digest_trans(internal, text, text, bigint),
    spotcheck.quota_digest_trans(internal, text, bigint),
    spotcheck.digest_final(internal),
    spotcheck.pool_digest(text, text, bigint),
    spotcheck.quota_digest(text, bigint)
  TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
