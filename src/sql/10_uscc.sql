-- The unified social credit code (统一社会信用代码, GB 32100-2015): a validated
-- identifier type, the key of the inspection-object directory.

CREATE TYPE spotcheck.uscc;

CREATE FUNCTION spotcheck.uscc_in(cstring) RETURNS spotcheck.uscc
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION spotcheck.uscc_out(spotcheck.uscc) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION spotcheck.uscc_recv(internal) RETURNS spotcheck.uscc
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION spotcheck.uscc_send(spotcheck.uscc) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE spotcheck.uscc (
    INTERNALLENGTH = 18,
    INPUT = spotcheck.uscc_in,
    OUTPUT = spotcheck.uscc_out,
    RECEIVE = spotcheck.uscc_recv,
    SEND = spotcheck.uscc_send,
    ALIGNMENT = char,
    STORAGE = plain,
    CATEGORY = 'S',
    COLLATABLE = false
);
COMMENT ON TYPE spotcheck.uscc IS
    'unified social credit code (GB 32100-2015), 18 characters with both check characters verified';

-- Comparison: byte order of the canonical text, i.e. the "C" collation.
CREATE FUNCTION spotcheck.uscc_lt(spotcheck.uscc, spotcheck.uscc) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION spotcheck.uscc_le(spotcheck.uscc, spotcheck.uscc) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION spotcheck.uscc_eq(spotcheck.uscc, spotcheck.uscc) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION spotcheck.uscc_ne(spotcheck.uscc, spotcheck.uscc) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION spotcheck.uscc_ge(spotcheck.uscc, spotcheck.uscc) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION spotcheck.uscc_gt(spotcheck.uscc, spotcheck.uscc) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION spotcheck.uscc_cmp(spotcheck.uscc, spotcheck.uscc) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION spotcheck.uscc_hash(spotcheck.uscc) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION spotcheck.uscc_hash_extended(spotcheck.uscc, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE OPERATOR spotcheck.< (
    LEFTARG = spotcheck.uscc, RIGHTARG = spotcheck.uscc, PROCEDURE = spotcheck.uscc_lt,
    COMMUTATOR = OPERATOR(spotcheck.>), NEGATOR = OPERATOR(spotcheck.>=),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR spotcheck.<= (
    LEFTARG = spotcheck.uscc, RIGHTARG = spotcheck.uscc, PROCEDURE = spotcheck.uscc_le,
    COMMUTATOR = OPERATOR(spotcheck.>=), NEGATOR = OPERATOR(spotcheck.>),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR spotcheck.= (
    LEFTARG = spotcheck.uscc, RIGHTARG = spotcheck.uscc, PROCEDURE = spotcheck.uscc_eq,
    COMMUTATOR = OPERATOR(spotcheck.=), NEGATOR = OPERATOR(spotcheck.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR spotcheck.<> (
    LEFTARG = spotcheck.uscc, RIGHTARG = spotcheck.uscc, PROCEDURE = spotcheck.uscc_ne,
    COMMUTATOR = OPERATOR(spotcheck.<>), NEGATOR = OPERATOR(spotcheck.=),
    RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR spotcheck.>= (
    LEFTARG = spotcheck.uscc, RIGHTARG = spotcheck.uscc, PROCEDURE = spotcheck.uscc_ge,
    COMMUTATOR = OPERATOR(spotcheck.<=), NEGATOR = OPERATOR(spotcheck.<),
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);
CREATE OPERATOR spotcheck.> (
    LEFTARG = spotcheck.uscc, RIGHTARG = spotcheck.uscc, PROCEDURE = spotcheck.uscc_gt,
    COMMUTATOR = OPERATOR(spotcheck.<), NEGATOR = OPERATOR(spotcheck.<=),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);

CREATE OPERATOR CLASS spotcheck.uscc_ops
    DEFAULT FOR TYPE spotcheck.uscc USING btree AS
        OPERATOR 1 spotcheck.<,
        OPERATOR 2 spotcheck.<=,
        OPERATOR 3 spotcheck.=,
        OPERATOR 4 spotcheck.>=,
        OPERATOR 5 spotcheck.>,
        FUNCTION 1 spotcheck.uscc_cmp(spotcheck.uscc, spotcheck.uscc);

CREATE OPERATOR CLASS spotcheck.uscc_hash_ops
    DEFAULT FOR TYPE spotcheck.uscc USING hash AS
        OPERATOR 1 spotcheck.=,
        FUNCTION 1 spotcheck.uscc_hash(spotcheck.uscc),
        FUNCTION 2 spotcheck.uscc_hash_extended(spotcheck.uscc, bigint);

-- Text conversions go through the type's input and output, so a cast
-- validates exactly as input does.
CREATE CAST (spotcheck.uscc AS text) WITH INOUT AS ASSIGNMENT;
CREATE CAST (text AS spotcheck.uscc) WITH INOUT AS ASSIGNMENT;
CREATE CAST (spotcheck.uscc AS varchar) WITH INOUT AS ASSIGNMENT;
CREATE CAST (varchar AS spotcheck.uscc) WITH INOUT AS ASSIGNMENT;

CREATE FUNCTION spotcheck.uscc_check_char(body text) RETURNS "char"
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spotcheck.uscc_check_char(text) IS
    'the GB 32100 check character (position 18) for a 17-character code body';

CREATE FUNCTION spotcheck.uscc_region(spotcheck.uscc) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spotcheck.uscc_region(spotcheck.uscc) IS
    'positions 3-8 of the code: the administrative division code (GB/T 2260)';

CREATE FUNCTION spotcheck.uscc_is_valid(code text) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spotcheck.uscc_is_valid(text) IS
    'true when the text is a valid unified social credit code; never raises';

CREATE FUNCTION spotcheck.uscc_problem(code text) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spotcheck.uscc_problem(text) IS
    'why the text is not a valid unified social credit code (as the input error says it), or NULL when it is; never raises';

GRANT EXECUTE ON FUNCTION spotcheck.uscc_check_char(text), spotcheck.uscc_region(spotcheck.uscc),
    spotcheck.uscc_is_valid(text), spotcheck.uscc_problem(text)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
