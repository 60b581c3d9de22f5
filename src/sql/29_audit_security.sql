-- Who reads which audit entries.  An entry records the rows an agency
-- changed (names, addresses, phone numbers), so a role reads the entries of
-- the agencies it may read (its own; for spotcheck_upper also those below
-- them; every agency for an administrator) and the entries of no agency
-- (calendar changes, load summaries, notes without an agency).  Verifying
-- the chain (spotcheck.verify_audit_chain) still walks every entry: it is a
-- SECURITY DEFINER function and returns only sequence numbers.
ALTER TABLE spotcheck.audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON spotcheck.audit_log FOR SELECT
    USING (agency IS NULL OR agency = ANY ((SELECT spotcheck.readable_agencies())::text[]));
