-- Everything the demo changed is on the audit chain: what was done, by whom,
-- and a head the agency can publish.
\pset footer off
SELECT action, count(*) AS entries FROM spotcheck.audit_log GROUP BY action ORDER BY action;
SELECT ok, entries, detail FROM spotcheck.verify_audit_chain();
SELECT seq AS head_seq, hash_hex AS head_hash FROM spotcheck.audit_head();
