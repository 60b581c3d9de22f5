-- Least privilege, applied last: PUBLIC keeps nothing in this schema.  Each
-- concern's file grants its own objects to the extension's roles; the public
-- role is granted the disclosure views only.
REVOKE ALL ON ALL TABLES IN SCHEMA spotcheck FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA spotcheck FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA spotcheck FROM PUBLIC;

-- The uscc type's support functions stay callable by everyone, as those of
-- built-in types are: comparing or hashing codes reveals nothing, and a query
-- over a disclosure view that joins or sorts on a code needs them.
GRANT EXECUTE ON FUNCTION
    spotcheck.uscc_in(cstring), spotcheck.uscc_out(spotcheck.uscc),
    spotcheck.uscc_recv(internal), spotcheck.uscc_send(spotcheck.uscc),
    spotcheck.uscc_lt(spotcheck.uscc, spotcheck.uscc), spotcheck.uscc_le(spotcheck.uscc, spotcheck.uscc),
    spotcheck.uscc_eq(spotcheck.uscc, spotcheck.uscc), spotcheck.uscc_ne(spotcheck.uscc, spotcheck.uscc),
    spotcheck.uscc_ge(spotcheck.uscc, spotcheck.uscc), spotcheck.uscc_gt(spotcheck.uscc, spotcheck.uscc),
    spotcheck.uscc_cmp(spotcheck.uscc, spotcheck.uscc), spotcheck.uscc_hash(spotcheck.uscc),
    spotcheck.uscc_hash_extended(spotcheck.uscc, bigint)
    TO PUBLIC;
