-- Row-level security and privileges of the item list, the directories and
-- their history.  Who may do what is tabulated in README ("Registries: who
-- may do what").
--
--   readable_agencies():      the agencies the role belongs to (agency_members);
--                             for spotcheck_upper also every agency below them;
--                             for spotcheck_admin every agency.
--   item_readable_agencies(): readable_agencies() plus the upper levels of the
--                             role's agencies (inherited items).
--   writable_agencies():      the agencies the role belongs to (admin: all).
-- Table privileges decide which roles may write at all; the policies decide
-- which rows.  Each policy calls the helpers once per statement (wrapped in
-- a scalar subquery, so the planner evaluates it as an InitPlan).

ALTER TABLE spotcheck.agency_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY agency_members_read ON spotcheck.agency_members FOR SELECT
    USING (member = CURRENT_USER OR agency = ANY ((SELECT spotcheck.readable_agencies())::text[]));
CREATE POLICY agency_members_admin ON spotcheck.agency_members FOR ALL
    USING ((SELECT spotcheck.is_registry_admin())) WITH CHECK ((SELECT spotcheck.is_registry_admin()));

DO $policies$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['units', 'inspectors', 'unit_code_exceptions', 'check_items'] LOOP
        EXECUTE format('ALTER TABLE spotcheck.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON spotcheck.%I FOR SELECT USING (agency = ANY ((SELECT spotcheck.%s())::text[]))',
                       t || '_read', t, CASE WHEN t = 'check_items' THEN 'item_readable_agencies' ELSE 'readable_agencies' END);
        EXECUTE format('CREATE POLICY %I ON spotcheck.%I FOR INSERT WITH CHECK (agency = ANY ((SELECT spotcheck.writable_agencies())::text[]))',
                       t || '_insert', t);
        EXECUTE format('CREATE POLICY %I ON spotcheck.%I FOR UPDATE USING (agency = ANY ((SELECT spotcheck.writable_agencies())::text[])) '
                       'WITH CHECK (agency = ANY ((SELECT spotcheck.writable_agencies())::text[]))', t || '_update', t);
        EXECUTE format('CREATE POLICY %I ON spotcheck.%I FOR DELETE USING (agency = ANY ((SELECT spotcheck.writable_agencies())::text[]))',
                       t || '_delete', t);
    END LOOP;
END
$policies$;

-- Plans of an agency use its own and inherited items: a role registers a use
-- (which freezes the item) only of an item of its own agencies or of their
-- upper levels -- not of an agency below it or beside it.
ALTER TABLE spotcheck.check_item_uses ENABLE ROW LEVEL SECURITY;
CREATE POLICY check_item_uses_read ON spotcheck.check_item_uses FOR SELECT
    USING (item_id IN (SELECT i.id FROM spotcheck.check_items i));
CREATE POLICY check_item_uses_insert ON spotcheck.check_item_uses FOR INSERT
    WITH CHECK (item_id IN (SELECT i.id FROM spotcheck.check_items i
                             WHERE i.agency = ANY ((SELECT spotcheck.item_usable_agencies())::text[])));

-- Absences and recusals follow the inspector's agency (row-level security of
-- spotcheck.inspectors applies inside the subqueries).
DO $policies$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['inspector_absences', 'inspector_recusals'] LOOP
        EXECUTE format('ALTER TABLE spotcheck.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON spotcheck.%I FOR SELECT USING (inspector IN (SELECT i.code FROM spotcheck.inspectors i))',
                       t || '_read', t);
        EXECUTE format('CREATE POLICY %I ON spotcheck.%I FOR ALL '
                       'USING (inspector IN (SELECT i.code FROM spotcheck.inspectors i WHERE i.agency = ANY ((SELECT spotcheck.writable_agencies())::text[]))) '
                       'WITH CHECK (inspector IN (SELECT i.code FROM spotcheck.inspectors i WHERE i.agency = ANY ((SELECT spotcheck.writable_agencies())::text[])))',
                       t || '_write', t);
    END LOOP;
END
$policies$;

ALTER TABLE spotcheck.registry_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY registry_history_read ON spotcheck.registry_history FOR SELECT
    USING (agency = ANY ((SELECT spotcheck.readable_agencies())::text[]) OR (SELECT spotcheck.is_registry_admin()));

-- Staging rows are private to the role that staged them: no row-level
-- security (COPY could not write), INSERT only on the tables, everything
-- else through the my_*_staging views (see 25_registry_load.sql).

-- A load's batch and rejects belong to whoever ran it (admin sees all).
-- Only the loaders write them (no role may): a batch's counts and rejects
-- are what the load found.
ALTER TABLE spotcheck.load_batches ENABLE ROW LEVEL SECURITY;
CREATE POLICY load_batches_own ON spotcheck.load_batches FOR SELECT
    USING (loaded_by = CURRENT_USER OR (SELECT spotcheck.is_registry_admin()));
ALTER TABLE spotcheck.load_rejects ENABLE ROW LEVEL SECURITY;
CREATE POLICY load_rejects_own ON spotcheck.load_rejects FOR SELECT
    USING (batch_id IN (SELECT b.id FROM spotcheck.load_batches b));

-- ---- table privileges --------------------------------------------------------

REVOKE ALL ON spotcheck.agencies, spotcheck.agency_members, spotcheck.check_items, spotcheck.check_item_uses,
    spotcheck.unit_code_exceptions, spotcheck.units, spotcheck.inspectors, spotcheck.inspector_absences,
    spotcheck.inspector_recusals, spotcheck.registry_history, spotcheck.unit_staging,
    spotcheck.inspector_staging, spotcheck.my_unit_staging, spotcheck.my_inspector_staging,
    spotcheck.load_batches, spotcheck.load_rejects,
    spotcheck.my_agency_memberships, spotcheck.unit_history, spotcheck.inspector_history,
    spotcheck.check_item_history, spotcheck.inspector_absence_history, spotcheck.inspector_recusal_history
    FROM PUBLIC;

-- everyone inside the agencies reads (rows filtered by the policies)
GRANT SELECT ON spotcheck.agencies, spotcheck.agency_members, spotcheck.my_agency_memberships,
    spotcheck.check_items, spotcheck.check_item_uses, spotcheck.unit_code_exceptions, spotcheck.units,
    spotcheck.inspectors, spotcheck.inspector_absences, spotcheck.inspector_recusals
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT SELECT ON spotcheck.registry_history, spotcheck.unit_history, spotcheck.inspector_history,
    spotcheck.check_item_history, spotcheck.inspector_absence_history, spotcheck.inspector_recusal_history,
    spotcheck.load_batches, spotcheck.load_rejects
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper;

-- the administrator keeps the agencies and who belongs to them
GRANT INSERT, UPDATE, DELETE ON spotcheck.agencies, spotcheck.agency_members TO spotcheck_admin;

-- planners (and the administrator) keep the list and the directories
GRANT INSERT, UPDATE, DELETE ON spotcheck.check_items, spotcheck.inspector_absences,
    spotcheck.inspector_recusals TO spotcheck_admin, spotcheck_planner;
-- DELETE is granted only so that the trigger can say why it is refused and
-- what to do instead (deactivate); no row is ever deleted
GRANT INSERT, UPDATE, DELETE ON spotcheck.units, spotcheck.inspectors TO spotcheck_admin, spotcheck_planner;
GRANT INSERT ON spotcheck.check_item_uses TO spotcheck_admin, spotcheck_planner;
GRANT INSERT ON spotcheck.unit_staging, spotcheck.inspector_staging TO spotcheck_admin, spotcheck_planner;
GRANT SELECT, INSERT, UPDATE, DELETE ON spotcheck.my_unit_staging, spotcheck.my_inspector_staging
    TO spotcheck_admin, spotcheck_planner;
GRANT USAGE ON SEQUENCE spotcheck.check_items_id_seq, spotcheck.inspector_absences_id_seq,
    spotcheck.unit_staging_seq_seq, spotcheck.inspector_staging_seq_seq
    TO spotcheck_admin, spotcheck_planner;

-- the agency head allows unit-code exceptions (as does the administrator)
GRANT INSERT ON spotcheck.unit_code_exceptions TO spotcheck_admin, spotcheck_head;

-- ---- function privileges -----------------------------------------------------

DO $grants$
DECLARE
    f regprocedure;
BEGIN
    -- what the rules, policies and readers call, as the caller
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'spotcheck'::regnamespace
                AND p.proname IN ('agency_subtree', 'agency_ancestors', 'is_registry_admin', 'writable_agencies',
                                  'readable_agencies', 'item_readable_agencies', 'item_usable_agencies',
                                  'check_item_resolved', 'check_item_narrowing_check', 'effective_check_items',
                                  'registry_trim', 'registry_halfwidth', 'registry_quote',
                                  'unit_code_normalize', 'unit_code_kind', 'unit_normalize',
                                  'inspector_normalize', 'available_inspectors', 'acting_role',
                                  'unit_as_of', 'inspector_as_of', 'check_item_as_of',
                                  'unit_check_items', 'registry_bulk_active')
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO spotcheck_admin, spotcheck_planner, spotcheck_head, '
                       'spotcheck_upper, spotcheck_inspector', f);
    END LOOP;
    -- bulk loading
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'spotcheck'::regnamespace
                AND p.proname IN ('load_units', 'load_inspectors', 'registry_bool', 'registry_bool_ok',
                                  'registry_date', 'registry_area', 'registry_int', 'registry_clip',
                                  'restage_rejects')
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO spotcheck_admin, spotcheck_planner', f);
    END LOOP;
    -- Not granted to any role: unit_problems, inspector_problems,
    -- unit_code_excepted, unit_code_reason,
    -- registry_change_digests, load_*_write, registry_bulk_begin and
    -- registry_bulk_end, the trigger functions.  They see every agency's
    -- rows or switch how changes are audited; only the extension's SECURITY
    -- DEFINER functions and triggers call them.
    -- checking the history against the audit log (who may read the log)
    GRANT EXECUTE ON FUNCTION spotcheck.verify_registry_history() TO spotcheck_admin, spotcheck_head, spotcheck_upper;
END
$grants$;
