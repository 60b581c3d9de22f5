-- Objections to a published result (Article 21): the inspected unit may
-- object to the agency that published the result; the agency verifies
-- within three working days of receipt and corrects what was wrong.
--
-- The unit is not a database role: its objection (in person, by letter,
-- online or by phone) is received and entered by the agency's office — a
-- planner or the head (the 受理 desk), not the inspectors whose result it
-- disputes — with the day it was received.  Its due date is the third
-- working day after that day, by the working-day calendar (holidays and
-- make-up working days count); a due date in a year whose arrangement is not
-- recorded is an error, never a guess.  The head records the verification:
-- rejected, or upheld with the corrected values, which become a correction
-- of the result, published at once (the original stays public, marked as
-- corrected).  spotcheck.overdue_objections lists the objections past their
-- due date without a verification.  The statement and the contact stay
-- internal: objections are not disclosed.

CREATE TABLE spotcheck.objections (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    result         bigint NOT NULL REFERENCES spotcheck.inspection_results (id),
    plan           bigint NOT NULL REFERENCES spotcheck.plan (id),
    plan_target    bigint NOT NULL REFERENCES spotcheck.plan_target (id),
    agency         text NOT NULL REFERENCES spotcheck.agencies (code),
    unit           text NOT NULL REFERENCES spotcheck.units (code),
    statement      text NOT NULL,
    channel        text NOT NULL,
    contact        text,
    received_on    date NOT NULL,
    due_on         date NOT NULL,
    filed_at       timestamptz NOT NULL,
    filed_by       text NOT NULL,
    state          text NOT NULL DEFAULT 'open',
    verification   text,
    resolved_at    timestamptz,
    resolved_by    text,
    correction     bigint UNIQUE REFERENCES spotcheck.inspection_results (id),
    CONSTRAINT objections_channel_known CHECK (channel IN ('in_person', 'letter', 'online', 'phone', 'other')),
    CONSTRAINT objections_state_known CHECK (state IN ('open', 'upheld', 'rejected')),
    CONSTRAINT objections_statement CHECK (pg_catalog.btrim(statement) <> ''),
    CONSTRAINT objections_due_after_receipt CHECK (due_on > received_on),
    CONSTRAINT objections_resolved_together CHECK (
        (state = 'open') = (resolved_at IS NULL) AND (resolved_at IS NULL) = (resolved_by IS NULL)
        AND (resolved_at IS NULL) = (verification IS NULL)),
    CONSTRAINT objections_correction_when_upheld CHECK ((state = 'upheld') = (correction IS NOT NULL))
);
-- one open objection per result version
CREATE UNIQUE INDEX objections_one_open ON spotcheck.objections (result) WHERE state = 'open';
CREATE INDEX objections_plan_idx ON spotcheck.objections (plan);
CREATE INDEX objections_open_due_idx ON spotcheck.objections (due_on) WHERE state = 'open';
COMMENT ON TABLE spotcheck.objections IS
    'objections of inspected units to published results (Article 21): received, due three working days later, verified by the head; an upheld one corrects the result';
COMMENT ON COLUMN spotcheck.objections.result IS 'the published result version objected to';
COMMENT ON COLUMN spotcheck.objections.channel IS 'how it was received: in_person, letter, online, phone or other';
COMMENT ON COLUMN spotcheck.objections.contact IS 'how to reach the unit about it (internal)';
COMMENT ON COLUMN spotcheck.objections.received_on IS 'the day the agency received it (收到申请之日)';
COMMENT ON COLUMN spotcheck.objections.due_on IS 'the third working day after receipt: verification is due by the end of that day';
COMMENT ON COLUMN spotcheck.objections.verification IS 'what the verification (核实) found';
COMMENT ON COLUMN spotcheck.objections.correction IS 'upheld: the correction of the result it made';

ALTER TABLE spotcheck.inspection_results
    ADD CONSTRAINT inspection_results_objection_fkey FOREIGN KEY (objection) REFERENCES spotcheck.objections (id);

-- Only the functions below write; an objection is resolved once and never
-- changes afterwards; nothing is deleted.
CREATE FUNCTION spotcheck.objections_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'objection % cannot be deleted', OLD.id
            USING ERRCODE = '55000', HINT = 'An objection is a permanent record; resolve it with spotcheck.resolve_objection.';
    END IF;
    IF OLD.state <> 'open' THEN
        RAISE EXCEPTION 'objection % was resolved (%) at % by %', OLD.id, OLD.state, spotcheck.draw_time(OLD.resolved_at), OLD.resolved_by
            USING ERRCODE = '55000', HINT = 'A verified objection stays as it was verified; a new objection can be filed against the current result.';
    END IF;
    IF (pg_catalog.to_jsonb(NEW) - 'state' - 'verification' - 'resolved_at' - 'resolved_by' - 'correction')
       OPERATOR(pg_catalog.<>) (pg_catalog.to_jsonb(OLD) - 'state' - 'verification' - 'resolved_at' - 'resolved_by' - 'correction') THEN
        RAISE EXCEPTION 'objection % cannot be changed', OLD.id
            USING ERRCODE = '55000', HINT = 'Only its verification is recorded, with spotcheck.resolve_objection.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER objections_guard BEFORE UPDATE OR DELETE ON spotcheck.objections
    FOR EACH ROW EXECUTE FUNCTION spotcheck.objections_guard();
CREATE TRIGGER objections_no_truncate BEFORE TRUNCATE ON spotcheck.objections
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change('An objection is a permanent record.');
CREATE TRIGGER objections_announced BEFORE INSERT ON spotcheck.objections
    FOR EACH ROW EXECUTE FUNCTION spotcheck.announced_row_guard();
SELECT pg_catalog.pg_extension_config_dump('spotcheck.objections', '');

-- The due date of an objection received on a day: three working days after
-- it; an error naming the year when the calendar does not cover it.
CREATE FUNCTION spotcheck.objection_due(received_on date) RETURNS date
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    w record;
BEGIN
    w := spotcheck.working_day_deadline(received_on, 3);
    IF w.due IS NULL THEN
        RAISE EXCEPTION 'the due date of an objection received on % falls in %, whose holiday arrangement the working-day calendar does not record',
                        spotcheck.plan_day_label(received_on), pg_catalog.date_part('year', w.covered_until)::integer + 1
            USING ERRCODE = '55000',
                  DETAIL = pg_catalog.format('Three working days after receipt (Article 21) cannot be counted past %s. Years covered: %s.',
                               spotcheck.plan_day_label(w.covered_until),
                               (SELECT pg_catalog.string_agg(c.year::text, ', ' ORDER BY c.year) FROM spotcheck.calendar_years c)),
                  HINT = pg_catalog.format('Record the State Council''s %s arrangement first: a row in spotcheck.calendar_years, and its holidays and make-up working days in spotcheck.calendar_days.',
                                           pg_catalog.date_part('year', w.covered_until)::integer + 1);
    END IF;
    RETURN w.due;
END
$$;
COMMENT ON FUNCTION spotcheck.objection_due(date) IS
    'the due date of an objection: the third working day after receipt (Article 21); an error when the calendar does not cover it';

CREATE FUNCTION spotcheck.file_objection(result bigint, statement text, received_on date DEFAULT NULL,
                                         channel text DEFAULT 'in_person', contact text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET TimeZone = 'Asia/Shanghai' AS $$
DECLARE
    r spotcheck.inspection_results;
    pub record;
    newer bigint;
    open_one record;
    today date := spotcheck.plan_local_day(pg_catalog.now());
    day date;
    ch text := pg_catalog.lower(pg_catalog.btrim(channel));
    oid_ bigint;
    due date;
    first_published date;
BEGIN
    r := spotcheck.result_for_reading(result);
    PERFORM spotcheck.require_agency_role(r.agency, ARRAY['spotcheck_planner', 'spotcheck_head']::name[],
                                          'file an objection to result ' || r.id);
    SELECT q.published_at INTO pub FROM spotcheck.publications q WHERE q.kind = 'result' AND q.result = r.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'result % is not published: an objection is to a published result (Article 21)', r.id
            USING ERRCODE = '55000', HINT = 'A unit objects to what the agency published; an unpublished result can still be corrected by the head (spotcheck.correct_result).';
    END IF;
    SELECT y.id INTO newer FROM spotcheck.inspection_results y WHERE y.corrects = r.id;
    IF newer IS NOT NULL THEN
        RAISE EXCEPTION 'result % was corrected by result %: the objection is to the current result', r.id, newer
            USING ERRCODE = '55000', HINT = pg_catalog.format('File it against result %s.', (spotcheck.current_result(r.plan_target)).id);
    END IF;
    IF statement IS NULL OR pg_catalog.btrim(statement) = '' THEN
        RAISE EXCEPTION 'the objection to result % needs the unit''s statement', r.id
            USING ERRCODE = '23502', HINT = 'Record what the unit says is wrong in the published result.';
    END IF;
    IF ch IS NULL OR ch NOT IN ('in_person', 'letter', 'online', 'phone', 'other') THEN
        RAISE EXCEPTION 'unknown channel % for the objection to result %', pg_catalog.quote_nullable(channel), r.id
            USING ERRCODE = '22023', HINT = 'The channels are in_person, letter, online, phone and other.';
    END IF;
    day := COALESCE(received_on, today);
    IF day > today THEN
        RAISE EXCEPTION 'the objection to result % is received on %, in the future', r.id, spotcheck.plan_day_label(day)
            USING ERRCODE = '22008', HINT = 'Give the day the agency received it (China Standard Time).';
    END IF;
    -- (received during publication: on or after the day the target's result
    -- was first published — a letter received before a correction and
    -- entered after it is filed against the current version)
    SELECT spotcheck.plan_local_day(pg_catalog.min(q.published_at)) INTO first_published
      FROM spotcheck.publications q JOIN spotcheck.inspection_results y ON y.id = q.result
     WHERE q.kind = 'result' AND y.plan_target = r.plan_target;
    IF day < first_published THEN
        RAISE EXCEPTION 'the objection to result % is received on %, before the result was published on %', r.id,
                        spotcheck.plan_day_label(day), spotcheck.plan_day_label(first_published)
            USING ERRCODE = '22008',
                  HINT = 'An objection is to a published result (Article 21): give the day the agency received it, on or after the day of publication.';
    END IF;
    PERFORM FROM spotcheck.plan_target y WHERE y.id OPERATOR(pg_catalog.=) r.plan_target FOR UPDATE;
    SELECT o.id, o.received_on INTO open_one FROM spotcheck.objections o WHERE o.result = r.id AND o.state = 'open';
    IF FOUND THEN
        RAISE EXCEPTION 'result % already has an open objection: objection %, received on %', r.id, open_one.id,
                        spotcheck.plan_day_label(open_one.received_on)
            USING ERRCODE = '23505', HINT = 'Add what the unit says now to the verification of that objection; once it is resolved a new one can be filed.';
    END IF;
    due := spotcheck.objection_due(day);
    -- the audit entry first: it announces the row (announced_row_guard)
    oid_ := pg_catalog.nextval(pg_catalog.pg_get_serial_sequence('spotcheck.objections', 'id'));
    PERFORM spotcheck.audit_record('objection.file', 'objection:' || oid_, r.agency, pg_catalog.jsonb_build_object(
        'result', r.id, 'plan', r.plan, 'unit', r.unit, 'channel', ch, 'received_on', spotcheck.plan_day_label(day),
        'due_on', spotcheck.plan_day_label(due)));
    INSERT INTO spotcheck.objections (id, result, plan, plan_target, agency, unit, statement, channel, contact, received_on, due_on,
                                      filed_at, filed_by)
    OVERRIDING SYSTEM VALUE
    VALUES (oid_, r.id, r.plan, r.plan_target, r.agency, r.unit, pg_catalog.btrim(statement), ch, NULLIF(pg_catalog.btrim(contact), ''),
            day, due, pg_catalog.clock_timestamp(), spotcheck.caller());
    RETURN oid_;
END
$$;
COMMENT ON FUNCTION spotcheck.file_objection(bigint, text, date, text, text) IS
    'record a unit''s objection to a published result (Article 21; a planner or head of the publishing agency): received on a day (default today), due three working days later; returns its id';

CREATE FUNCTION spotcheck.resolve_objection(objection bigint, outcome text, verification text,
                                            category text DEFAULT NULL, findings text DEFAULT NULL, summary text DEFAULT NULL,
                                            inspected_on date DEFAULT NULL, method text DEFAULT NULL, items bigint[] DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET TimeZone = 'Asia/Shanghai' AS $$
DECLARE
    o spotcheck.objections;
    r spotcheck.inspection_results;
    n spotcheck.inspection_results;
    v text := pg_catalog.lower(pg_catalog.btrim(outcome));
    corrected boolean := category IS NOT NULL OR findings IS NOT NULL OR summary IS NOT NULL OR inspected_on IS NOT NULL
                         OR method IS NOT NULL OR items IS NOT NULL;
    late boolean;
BEGIN
    SELECT * INTO o FROM spotcheck.objections x WHERE x.id = objection;
    IF NOT FOUND OR NOT spotcheck.caller_may_read(o.agency) THEN
        RAISE EXCEPTION 'objection % does not exist', COALESCE(objection::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.objections lists the objections you may read.';
    END IF;
    PERFORM spotcheck.require_agency_role(o.agency, ARRAY['spotcheck_head']::name[], 'resolve objection ' || o.id);
    PERFORM FROM spotcheck.plan_target y WHERE y.id OPERATOR(pg_catalog.=) o.plan_target FOR UPDATE;
    SELECT * INTO o FROM spotcheck.objections x WHERE x.id = objection;
    IF o.state <> 'open' THEN
        RAISE EXCEPTION 'objection % was already resolved (%) at % by %', o.id, o.state, spotcheck.draw_time(o.resolved_at), o.resolved_by
            USING ERRCODE = '55000', HINT = 'A verified objection stays as it was verified.';
    END IF;
    IF v IS NULL OR v NOT IN ('upheld', 'rejected') THEN
        RAISE EXCEPTION 'unknown outcome % for objection %', pg_catalog.quote_nullable(outcome), o.id
            USING ERRCODE = '22023', HINT = 'An objection is upheld (the result was wrong: pass the corrected values) or rejected.';
    END IF;
    IF verification IS NULL OR pg_catalog.btrim(verification) = '' THEN
        RAISE EXCEPTION 'the resolution of objection % needs what the verification found', o.id
            USING ERRCODE = '23502', HINT = 'Record the verification (核实情况): what was checked, and what it showed.';
    END IF;
    IF v = 'rejected' AND corrected THEN
        RAISE EXCEPTION 'objection % is rejected but corrected values are given', o.id
            USING ERRCODE = '22023', HINT = 'Uphold it to correct the result, or reject it without corrected values.';
    END IF;
    IF v = 'upheld' AND NOT corrected THEN
        RAISE EXCEPTION 'objection % is upheld but no corrected value is given', o.id
            USING ERRCODE = '22023', HINT = 'An upheld objection corrects the result (Article 21): pass the corrected category, findings, summary, inspected_on, method or items.';
    END IF;
    late := spotcheck.plan_local_day(pg_catalog.now()) > o.due_on;
    IF v = 'upheld' THEN
        r := spotcheck.result_for_reading(o.result);
        PERFORM spotcheck.result_target(r.plan_target);
        -- the reason is published with the correction; the verification stays internal
        n := spotcheck.result_correct(r, pg_catalog.format('upheld objection %s, received on %s (Article 21)', o.id,
                                                           spotcheck.plan_day_label(o.received_on)), o.id,
                                      category, findings, summary, inspected_on, method, NULL, NULL, items);
        PERFORM spotcheck.publication_follow_correction(r, n);
    END IF;
    UPDATE spotcheck.objections x
       SET state = v, verification = pg_catalog.btrim(resolve_objection.verification), resolved_at = pg_catalog.clock_timestamp(),
           resolved_by = spotcheck.caller(), correction = n.id
     WHERE x.id = o.id;
    PERFORM spotcheck.audit_record('objection.resolve', 'objection:' || o.id, o.agency, pg_catalog.jsonb_build_object(
        'result', o.result, 'outcome', v, 'correction', n.id, 'due_on', spotcheck.plan_day_label(o.due_on), 'late', late));
    IF late THEN
        RAISE WARNING 'objection % was due on % and is verified late', o.id, spotcheck.plan_day_label(o.due_on)
            USING HINT = 'The compliance report of the plan names the late verification.';
    END IF;
    RETURN n.id;
END
$$;
COMMENT ON FUNCTION spotcheck.resolve_objection(bigint, text, text, text, text, text, date, text, bigint[]) IS
    'record the verification of an objection (the agency head): rejected, or upheld with the corrected values, which correct the result and are published at once; returns the correction (NULL when rejected)';

-- Open objections past their due date, in China Standard Time.
CREATE VIEW spotcheck.overdue_objections WITH (security_barrier) AS
SELECT o.id AS objection, o.result, o.plan, o.plan_target AS target, o.unit, u.name AS unit_name, o.agency,
       o.channel, o.received_on, o.due_on,
       (pg_catalog.now() AT TIME ZONE 'Asia/Shanghai')::date - o.due_on AS days_late,
       o.filed_at, o.filed_by
  FROM spotcheck.objections o
  JOIN spotcheck.units u ON u.code = o.unit
 WHERE o.state = 'open'
   AND o.due_on < (pg_catalog.now() AT TIME ZONE 'Asia/Shanghai')::date
   AND o.plan IN (SELECT spotcheck.caller_plans());
COMMENT ON VIEW spotcheck.overdue_objections IS
    'objections not verified by their due date (three working days after receipt, Article 21), of the plans the role may read';

ALTER TABLE spotcheck.objections ENABLE ROW LEVEL SECURITY;
CREATE POLICY objections_read ON spotcheck.objections FOR SELECT USING (plan IN (SELECT spotcheck.caller_plans()));
REVOKE ALL ON spotcheck.objections, spotcheck.overdue_objections FROM PUBLIC;
GRANT SELECT ON spotcheck.objections, spotcheck.overdue_objections
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT EXECUTE ON FUNCTION spotcheck.file_objection(bigint, text, date, text, text) TO spotcheck_planner, spotcheck_head;
GRANT EXECUTE ON FUNCTION spotcheck.resolve_objection(bigint, text, text, text, text, text, date, text, bigint[]) TO spotcheck_head;
GRANT EXECUTE ON FUNCTION spotcheck.objection_due(date)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
