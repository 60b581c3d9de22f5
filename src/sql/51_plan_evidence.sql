-- The evidence the floating weights read (Article 17; Articles 6 and 12):
--
--   inspection_outcomes  what a unit's inspections found: compliant, a
--                        violation, or penalised; imported from the provincial
--                        platform or recorded from a plan's results.  The
--                        duty-fulfilment factor reads the outcomes of the last
--                        duty_window_months before the plan month.
--   risk_signals         IoT alarms, complaints, hazards reported by other
--                        departments, with their source system and time; the
--                        signal factor counts those of the last
--                        signal_window_days before the plan month.
--
-- Both are permanent records: a row is never changed or deleted; a wrong one
-- is voided, once, with a reason (and stops counting from then on; plans
-- drawn before keep the weight they were drawn with).

CREATE TABLE spotcheck.inspection_outcomes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit          text NOT NULL REFERENCES spotcheck.units (code),
    agency        text NOT NULL REFERENCES spotcheck.agencies (code),
    observed_on   date NOT NULL,
    outcome       text NOT NULL,
    source        text NOT NULL,
    source_ref    text,
    plan_target   bigint,
    note          text,
    recorded_by   name NOT NULL DEFAULT CURRENT_USER,
    recorded_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    voided_at     timestamptz,
    voided_by     name,
    void_reason   text,
    CONSTRAINT inspection_outcomes_outcome_known CHECK (outcome IN ('compliant', 'violation', 'penalised')),
    CONSTRAINT inspection_outcomes_source_not_blank CHECK (pg_catalog.btrim(source) <> ''),
    CONSTRAINT inspection_outcomes_voided_together CHECK (
        (voided_at IS NULL) = (voided_by IS NULL) AND (voided_at IS NULL) = (void_reason IS NULL)),
    CONSTRAINT inspection_outcomes_source_ref_unique UNIQUE (source, source_ref)
);
CREATE INDEX inspection_outcomes_unit_idx ON spotcheck.inspection_outcomes (unit, observed_on);
CREATE INDEX inspection_outcomes_observed_idx ON spotcheck.inspection_outcomes (observed_on);
COMMENT ON TABLE spotcheck.inspection_outcomes IS
    'what the inspections of a unit found (duty fulfilment, Article 17): one row per inspection; permanent, voided with a reason';
COMMENT ON COLUMN spotcheck.inspection_outcomes.agency IS 'the inspecting agency: the unit''s own or one above it';
COMMENT ON COLUMN spotcheck.inspection_outcomes.outcome IS
    'compliant (未发现问题), violation (发现问题: violations found) or penalised (行政处罚); the most severe outcome in the window decides the duty factor';
COMMENT ON COLUMN spotcheck.inspection_outcomes.source IS
    'where the record comes from: provincial_platform (imported), plan_result (a result recorded for a plan target), or another system''s name';
COMMENT ON COLUMN spotcheck.inspection_outcomes.source_ref IS 'the record''s identifier in its source; unique per source, so an import can be repeated';
COMMENT ON COLUMN spotcheck.inspection_outcomes.plan_target IS 'the plan target (spotcheck.plan_target) the inspection carried out, when it was one';

CREATE TABLE spotcheck.risk_signals (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit           text NOT NULL REFERENCES spotcheck.units (code),
    agency         text NOT NULL REFERENCES spotcheck.agencies (code),
    kind           text NOT NULL,
    source_system  text NOT NULL,
    observed_at    timestamptz NOT NULL,
    detail         text,
    source_ref     text,
    recorded_by    name NOT NULL DEFAULT CURRENT_USER,
    recorded_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    voided_at      timestamptz,
    voided_by      name,
    void_reason    text,
    CONSTRAINT risk_signals_kind_known CHECK (kind IN ('iot_alarm', 'complaint', 'hazard_report', 'other')),
    CONSTRAINT risk_signals_source_not_blank CHECK (pg_catalog.btrim(source_system) <> ''),
    CONSTRAINT risk_signals_voided_together CHECK (
        (voided_at IS NULL) = (voided_by IS NULL) AND (voided_at IS NULL) = (void_reason IS NULL)),
    CONSTRAINT risk_signals_source_ref_unique UNIQUE (source_system, source_ref)
);
CREATE INDEX risk_signals_unit_idx ON spotcheck.risk_signals (unit, observed_at);
CREATE INDEX risk_signals_observed_idx ON spotcheck.risk_signals (observed_at);
COMMENT ON TABLE spotcheck.risk_signals IS
    'risk signals about a unit from other systems (Articles 6, 12, 17): IoT alarms, complaints, hazards reported by other departments; counted over a window in the unit''s weight';
COMMENT ON COLUMN spotcheck.risk_signals.kind IS
    'iot_alarm (物联网报警), complaint (投诉举报), hazard_report (隐患 reported by another department) or other';
COMMENT ON COLUMN spotcheck.risk_signals.agency IS 'the unit''s agency when the signal was recorded (stamped)';

-- (Not SECURITY DEFINER: the unit must be one the writer can read.  The
-- writer stamped is spotcheck.caller(), the role outside any SECURITY
-- DEFINER function: the application's role for a direct write, the role
-- that called spotcheck.record_result or correct_result for the outcome
-- they write, never the extension's owner.)
CREATE FUNCTION spotcheck.plan_evidence_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    unit_agency text;
    what text := CASE TG_TABLE_NAME WHEN 'inspection_outcomes' THEN 'inspection outcome' ELSE 'risk signal' END;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (pg_catalog.to_jsonb(NEW) - 'voided_at' - 'voided_by' - 'void_reason')
           OPERATOR(pg_catalog.<>) (pg_catalog.to_jsonb(OLD) - 'voided_at' - 'voided_by' - 'void_reason') THEN
            RAISE EXCEPTION '% % cannot be changed', what, OLD.id
                USING ERRCODE = '55000',
                      HINT = 'It is a permanent record: void it (SET void_reason = ''...'') and record the right one.';
        END IF;
        IF OLD.voided_at IS NOT NULL THEN
            RAISE EXCEPTION '% % was voided at % by %', what, OLD.id, spotcheck.plan_time(OLD.voided_at), OLD.voided_by
                USING ERRCODE = '55000', DETAIL = 'Reason: ' || spotcheck.draw_clip(OLD.void_reason), HINT = 'A voided record stays voided.';
        END IF;
        IF NEW.void_reason IS NULL OR pg_catalog.btrim(NEW.void_reason) = '' THEN
            RAISE EXCEPTION 'voiding % % needs a reason', what, OLD.id
                USING ERRCODE = '23502', HINT = 'Set void_reason to why the record is wrong.';
        END IF;
        NEW.voided_at := pg_catalog.now();
        NEW.voided_by := spotcheck.caller();
        RETURN NEW;
    END IF;

    NEW.unit := spotcheck.unit_code_normalize(NEW.unit);
    SELECT u.agency INTO unit_agency FROM spotcheck.units u WHERE u.code = NEW.unit;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unit "%" of the % does not exist', NEW.unit, what
            USING ERRCODE = '23503', HINT = 'Use the code of a unit in the directory you may read (spotcheck.units).';
    END IF;
    NEW.recorded_by := spotcheck.caller();
    NEW.recorded_at := pg_catalog.now();
    NEW.voided_at := NULL;
    NEW.voided_by := NULL;
    NEW.void_reason := NULL;
    IF TG_TABLE_NAME = 'inspection_outcomes' THEN
        NEW.outcome := pg_catalog.lower(pg_catalog.btrim(NEW.outcome));
        IF NEW.outcome IS NULL OR NEW.outcome NOT IN ('compliant', 'violation', 'penalised') THEN
            RAISE EXCEPTION 'unknown outcome "%" for unit "%"', NEW.outcome, NEW.unit
                USING ERRCODE = '22023',
                      HINT = 'An outcome is compliant (nothing found), violation (violations found) or penalised (an administrative penalty).';
        END IF;
        IF NEW.observed_on IS NULL OR NEW.observed_on > CURRENT_DATE THEN
            RAISE EXCEPTION 'inspection of unit "%" observed on % is %', NEW.unit,
                            COALESCE(spotcheck.plan_day_label(NEW.observed_on), 'null'),
                            CASE WHEN NEW.observed_on IS NULL THEN 'undated' ELSE 'in the future' END
                USING ERRCODE = '22008', HINT = 'Give the day the inspection took place.';
        END IF;
        IF NEW.agency IS NULL OR NOT NEW.agency IN (SELECT a FROM spotcheck.agency_ancestors(unit_agency) a) THEN
            RAISE EXCEPTION 'agency "%" cannot have inspected unit "%" of agency "%"', NEW.agency, NEW.unit, unit_agency
                USING ERRCODE = '23514', HINT = 'The inspecting agency is the unit''s own agency or one above it.';
        END IF;
        NEW.source := pg_catalog.btrim(NEW.source);
        IF NEW.source IS NULL OR NEW.source = '' THEN
            RAISE EXCEPTION 'the inspection outcome of unit "%" needs a source', NEW.unit
                USING ERRCODE = '23502', HINT = 'Say where it comes from: provincial_platform, plan_result, or the system''s name.';
        END IF;
    ELSE
        NEW.agency := unit_agency;
        NEW.kind := pg_catalog.lower(pg_catalog.btrim(NEW.kind));
        IF NEW.kind IS NULL OR NEW.kind NOT IN ('iot_alarm', 'complaint', 'hazard_report', 'other') THEN
            RAISE EXCEPTION 'unknown risk signal kind "%" for unit "%"', NEW.kind, NEW.unit
                USING ERRCODE = '22023',
                      HINT = 'A signal is an iot_alarm, a complaint, a hazard_report (from another department) or other.';
        END IF;
        IF NEW.observed_at IS NULL OR NEW.observed_at > pg_catalog.now() + '1 hour'::interval THEN
            RAISE EXCEPTION 'risk signal of unit "%" observed at % is %', NEW.unit, COALESCE(spotcheck.plan_time(NEW.observed_at), 'null'),
                            CASE WHEN NEW.observed_at IS NULL THEN 'undated' ELSE 'in the future' END
                USING ERRCODE = '22008', HINT = 'Give the moment the source system observed it.';
        END IF;
        NEW.source_system := pg_catalog.btrim(NEW.source_system);
        IF NEW.source_system IS NULL OR NEW.source_system = '' THEN
            RAISE EXCEPTION 'the risk signal of unit "%" needs its source system', NEW.unit
                USING ERRCODE = '23502', HINT = 'Name the system it comes from (an IoT platform, 12345 hotline, another department).';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION spotcheck.plan_evidence_no_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION '% cannot be deleted', CASE TG_TABLE_NAME WHEN 'inspection_outcomes' THEN 'an inspection outcome' ELSE 'a risk signal' END
        USING ERRCODE = '55000', HINT = 'It is a permanent record: void it with a reason (UPDATE ... SET void_reason = ''...'').';
END
$$;

DO $evidence$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['inspection_outcomes', 'risk_signals'] LOOP
        EXECUTE pg_catalog.format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON spotcheck.%I
                                       FOR EACH ROW EXECUTE FUNCTION spotcheck.plan_evidence_check()', t || '_check', t);
        EXECUTE pg_catalog.format('CREATE TRIGGER %I BEFORE DELETE ON spotcheck.%I
                                       FOR EACH ROW EXECUTE FUNCTION spotcheck.plan_evidence_no_delete()', t || '_no_delete', t);
        EXECUTE pg_catalog.format('CREATE TRIGGER %I BEFORE TRUNCATE ON spotcheck.%I
                                       FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change(%L)', t || '_no_truncate', t,
                                  'Evidence is a permanent record; void a wrong row with a reason.');
        EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON spotcheck.%I
                                       FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change(''id'', ''agency'')', t || '_audit', t);
        EXECUTE pg_catalog.format('ALTER TABLE spotcheck.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON spotcheck.%I FOR SELECT USING (agency = ANY ((SELECT spotcheck.readable_agencies())::text[]))',
                                  t || '_read', t);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON spotcheck.%I FOR INSERT WITH CHECK (agency = ANY ((SELECT spotcheck.writable_agencies())::text[]))',
                                  t || '_insert', t);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON spotcheck.%I FOR UPDATE USING (agency = ANY ((SELECT spotcheck.writable_agencies())::text[])) '
                                  'WITH CHECK (agency = ANY ((SELECT spotcheck.writable_agencies())::text[]))', t || '_void', t);
        EXECUTE pg_catalog.format('SELECT pg_catalog.pg_extension_config_dump(%L, %L)', 'spotcheck.' || t, '');
    END LOOP;
END
$evidence$;

REVOKE ALL ON spotcheck.inspection_outcomes, spotcheck.risk_signals FROM PUBLIC;
GRANT SELECT ON spotcheck.inspection_outcomes, spotcheck.risk_signals
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
-- DELETE only so that the trigger can say what to do instead (void)
GRANT INSERT, UPDATE (void_reason), DELETE ON spotcheck.inspection_outcomes, spotcheck.risk_signals
    TO spotcheck_admin, spotcheck_planner;
