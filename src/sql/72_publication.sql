-- Publication (Article 19): what is made public, when and by whom.
--
--   disclosure_settings  the deadline for publishing a result, in working
--                        days after the inspection (20 by default; an agency
--                        may set a shorter one for itself and those below it)
--   publications         one row per act of publication: an agency's item
--                        list, a plan, or a result (a correction is a result
--                        of its own), with the time, the role and exactly
--                        what was published (a snapshot and its SHA-256,
--                        also in the audit entry).  Append-only.
--
-- publish_item_list(agency), publish_plan(plan), publish_results(plan) and
-- publish_result(result) are for the planners and heads of the agency.  A
-- plan is published once its draws' execution has committed; its results
-- once it is published.  The disclosure views (74_disclosure_views.sql) show
-- only what these rows say is public.  spotcheck.overdue_publications lists
-- the results not published by their deadline.

CREATE TABLE spotcheck.disclosure_settings (
    agency               text REFERENCES spotcheck.agencies (code),
    result_publish_days  integer NOT NULL,
    set_by               name NOT NULL DEFAULT CURRENT_USER,
    set_at               timestamptz NOT NULL DEFAULT pg_catalog.now(),
    shipped              boolean NOT NULL DEFAULT false,
    CONSTRAINT disclosure_settings_one_per_agency UNIQUE NULLS NOT DISTINCT (agency),
    CONSTRAINT disclosure_settings_days CHECK (result_publish_days BETWEEN 1 AND 60)
);
COMMENT ON TABLE spotcheck.disclosure_settings IS
    'the deadline for publishing a result, in working days after the inspection: the row of NULL agency is the default (20), an agency''s row applies to it and the agencies below it';
-- (set by the extension itself at a fixed time, so that every installation
-- holds the same row, and a restored database the same as its source)
INSERT INTO spotcheck.disclosure_settings (agency, result_publish_days, set_by, set_at, shipped)
VALUES (NULL, 20, 'spotcheck', '2026-12-01 00:00:00+08', true);
SELECT pg_catalog.pg_extension_config_dump('spotcheck.disclosure_settings', 'WHERE NOT shipped');

-- The deadline that applies to an agency: its own setting, or the nearest
-- upper level's, or the default.
CREATE FUNCTION spotcheck.result_publish_days(agency text) RETURNS integer
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT COALESCE(
        (SELECT s.result_publish_days
           FROM spotcheck.agency_ancestors(agency) WITH ORDINALITY AS a(code, k)
           JOIN spotcheck.disclosure_settings s ON s.agency = a.code
          ORDER BY a.k LIMIT 1),
        (SELECT s.result_publish_days FROM spotcheck.disclosure_settings s WHERE s.agency IS NULL))
$$;
COMMENT ON FUNCTION spotcheck.result_publish_days(text) IS
    'the working days after an inspection within which the agency publishes its result';

-- (Not SECURITY DEFINER: CURRENT_USER must be the role that writes.)  An
-- agency may only shorten what applies to it from above.
CREATE FUNCTION spotcheck.disclosure_settings_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    above integer;
    parent text;
BEGIN
    IF (TG_OP <> 'INSERT' AND OLD.agency IS NULL) OR (TG_OP <> 'DELETE' AND NEW.agency IS NULL) THEN
        RAISE EXCEPTION 'the default publication deadline (% working days) is part of the extension and cannot be changed',
                        (SELECT s.result_publish_days FROM spotcheck.disclosure_settings s WHERE s.agency IS NULL)
            USING ERRCODE = '55000',
                  HINT = 'Set a deadline for an agency instead; it applies to the agencies below it too (a corps'' applies to the whole province).';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.agency IS DISTINCT FROM OLD.agency THEN
        RAISE EXCEPTION 'a publication deadline cannot move to another agency'
            USING ERRCODE = '55000', HINT = 'Delete it and add one for the other agency.';
    END IF;
    IF NEW.result_publish_days IS NULL OR NEW.result_publish_days NOT BETWEEN 1 AND 60 THEN
        RAISE EXCEPTION 'a result publication deadline of % working days is out of range', COALESCE(NEW.result_publish_days::text, 'null')
            USING ERRCODE = '22023', HINT = 'Give 1 to 60 working days.';
    END IF;
    IF NEW.agency IS NOT NULL THEN
        SELECT a.parent INTO parent FROM spotcheck.agencies a WHERE a.code = NEW.agency;
        above := CASE WHEN parent IS NULL
                      THEN (SELECT s.result_publish_days FROM spotcheck.disclosure_settings s WHERE s.agency IS NULL)
                      ELSE spotcheck.result_publish_days(parent) END;
        IF NEW.result_publish_days > above THEN
            RAISE EXCEPTION 'agency "%" cannot allow % working days to publish a result: % applies from above', NEW.agency,
                            NEW.result_publish_days, above
                USING ERRCODE = '23514', HINT = 'An agency may only shorten the deadline that applies to it.';
        END IF;
    END IF;
    NEW.set_by := CURRENT_USER;
    NEW.set_at := pg_catalog.now();
    NEW.shipped := false;
    RETURN NEW;
END
$$;
CREATE TRIGGER disclosure_settings_check BEFORE INSERT OR UPDATE OR DELETE ON spotcheck.disclosure_settings
    FOR EACH ROW EXECUTE FUNCTION spotcheck.disclosure_settings_check();
CREATE TRIGGER disclosure_settings_audit AFTER INSERT OR UPDATE OR DELETE ON spotcheck.disclosure_settings
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('agency', 'agency');
ALTER TABLE spotcheck.disclosure_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY disclosure_settings_read ON spotcheck.disclosure_settings FOR SELECT USING (true);
CREATE POLICY disclosure_settings_write ON spotcheck.disclosure_settings FOR ALL
    USING (agency = ANY ((SELECT spotcheck.writable_agencies())::text[]))
    WITH CHECK (agency = ANY ((SELECT spotcheck.writable_agencies())::text[]));

-- ---- the record of publication ---------------------------------------------------

CREATE TABLE spotcheck.publications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL,
    agency          text NOT NULL REFERENCES spotcheck.agencies (code),
    plan            bigint REFERENCES spotcheck.plan (id),
    result          bigint REFERENCES spotcheck.inspection_results (id),
    published_at    timestamptz NOT NULL,
    published_by    text NOT NULL,
    snapshot        jsonb NOT NULL,
    snapshot_digest text NOT NULL,
    CONSTRAINT publications_kind_known CHECK (kind IN ('item_list', 'plan', 'result')),
    CONSTRAINT publications_shape CHECK (
        (kind = 'item_list' AND plan IS NULL AND result IS NULL)
        OR (kind = 'plan' AND plan IS NOT NULL AND result IS NULL)
        OR (kind = 'result' AND plan IS NOT NULL AND result IS NOT NULL))
);
CREATE UNIQUE INDEX publications_plan_once ON spotcheck.publications (plan) WHERE kind = 'plan';
CREATE UNIQUE INDEX publications_result_once ON spotcheck.publications (result) WHERE kind = 'result';
CREATE INDEX publications_agency_kind_idx ON spotcheck.publications (agency, kind, published_at);
COMMENT ON TABLE spotcheck.publications IS
    'every act of publication (Article 19): an item list, a plan or a result, when, by whom, and exactly what (snapshot, SHA-256 in the audit entry); append-only';
COMMENT ON COLUMN spotcheck.publications.snapshot IS 'what was made public, as it was then';
COMMENT ON COLUMN spotcheck.publications.snapshot_digest IS 'SHA-256 (hex) of the snapshot''s text, also in the publication.* audit entry';
CREATE TRIGGER publications_append_only BEFORE UPDATE OR DELETE ON spotcheck.publications
    FOR EACH ROW EXECUTE FUNCTION spotcheck.refuse_change('What was published stays published: publish a correction instead.');
CREATE TRIGGER publications_no_truncate BEFORE TRUNCATE ON spotcheck.publications
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change('What was published stays published: publish a correction instead.');
CREATE TRIGGER publications_announced BEFORE INSERT ON spotcheck.publications
    FOR EACH ROW EXECUTE FUNCTION spotcheck.announced_row_guard();
SELECT pg_catalog.pg_extension_config_dump('spotcheck.publications', '');

ALTER TABLE spotcheck.publications ENABLE ROW LEVEL SECURITY;
CREATE POLICY publications_read ON spotcheck.publications FOR SELECT
    USING (agency = ANY ((SELECT spotcheck.caller_readable_agencies())::text[]) OR plan IN (SELECT spotcheck.caller_plans()));

-- Write a publication row and its audit entry.
CREATE FUNCTION spotcheck.publication_write(kind text, agency text, plan bigint, result bigint, snapshot jsonb)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    pid bigint;
    digest text := pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(snapshot::text, 'UTF8')), 'hex');
BEGIN
    -- the audit entry first: it announces the row (announced_row_guard)
    pid := pg_catalog.nextval(pg_catalog.pg_get_serial_sequence('spotcheck.publications', 'id'));
    PERFORM spotcheck.audit_record('publication.' || kind,
        CASE kind WHEN 'item_list' THEN 'item_list:' || agency WHEN 'plan' THEN 'plan:' || plan ELSE 'result:' || result END,
        agency, pg_catalog.jsonb_build_object('publication', pid, 'plan', plan, 'result', result, 'snapshot_digest', digest));
    INSERT INTO spotcheck.publications (id, kind, agency, plan, result, published_at, published_by, snapshot, snapshot_digest)
    OVERRIDING SYSTEM VALUE
    VALUES (pid, kind, agency, plan, result, pg_catalog.clock_timestamp(), spotcheck.caller(), snapshot, digest);
    RETURN pid;
END
$$;

CREATE FUNCTION spotcheck.plan_is_published(plan bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT FROM spotcheck.publications x
                    WHERE x.kind OPERATOR(pg_catalog.=) 'plan' AND x.plan OPERATOR(pg_catalog.=) plan_is_published.plan)
$$;
COMMENT ON FUNCTION spotcheck.plan_is_published(bigint) IS
    'whether the plan has been published (spotcheck.publish_plan): from then on it changes only by an amendment the upper level approves (Article 20)';

-- ---- publishing -------------------------------------------------------------------

-- The item list as the agency's effective list in force today.
CREATE FUNCTION spotcheck.item_list_snapshot(agency text, on_date date) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.jsonb_build_object('agency', agency, 'on', spotcheck.plan_day_label(on_date),
        'items', COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
            'item', e.id, 'code', e.code, 'title', e.title, 'sub_item', e.sub_item, 'legal_basis', e.legal_basis,
            'subject', e.subject, 'subject_name', s.name, 'unit_types', e.unit_types, 'venue_categories', e.venue_categories,
            'methods', e.methods, 'ratio', e.ratio, 'frequency_per_year', e.frequency_per_year,
            'inspector_requirement', e.inspector_requirement, 'content', e.content,
            'valid_from', spotcheck.plan_day_label(e.valid_from), 'valid_to', spotcheck.plan_day_label(e.valid_to),
            'narrows', e.narrows, 'inherited', e.inherited) ORDER BY e.inherited DESC, e.code, e.id), '[]'))
      FROM spotcheck.effective_check_items(agency, on_date) e
      LEFT JOIN spotcheck.agencies s ON s.code = e.subject
$$;

CREATE FUNCTION spotcheck.publish_item_list(agency text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    snap jsonb;
    last record;
BEGIN
    PERFORM spotcheck.require_agency_role(agency, ARRAY['spotcheck_planner', 'spotcheck_head']::name[], 'publish the item list');
    IF (SELECT a.level FROM spotcheck.agencies a WHERE a.code OPERATOR(pg_catalog.=) agency) = 'department' THEN
        RAISE EXCEPTION 'agency "%" is a partner department: it has no fire supervision item list to publish', agency
            USING ERRCODE = '22023', HINT = 'Publish the item list of a fire-and-rescue agency.';
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('spotcheck.publication/item_list/' || agency, 0));
    snap := spotcheck.item_list_snapshot(agency, spotcheck.plan_local_day(pg_catalog.now()));
    IF pg_catalog.jsonb_array_length(snap->'items') = 0 THEN
        RAISE EXCEPTION 'agency "%" has no item in force to publish', agency
            USING ERRCODE = '55000', HINT = 'Add its items to spotcheck.check_items (or inherit its upper level''s) first.';
    END IF;
    SELECT x.id, x.published_at, x.snapshot INTO last FROM spotcheck.publications x
     WHERE x.kind = 'item_list' AND x.agency OPERATOR(pg_catalog.=) publish_item_list.agency
     ORDER BY x.published_at DESC, x.id DESC LIMIT 1;
    IF FOUND AND (last.snapshot->'items') OPERATOR(pg_catalog.=) (snap->'items') THEN
        RAISE NOTICE 'the item list of agency "%" is unchanged since publication %, at %: nothing new published', agency, last.id,
                     spotcheck.draw_time(last.published_at);
        RETURN last.id;
    END IF;
    RETURN spotcheck.publication_write('item_list', agency, NULL, NULL, snap);
END
$$;
COMMENT ON FUNCTION spotcheck.publish_item_list(text) IS
    'publish the agency''s item list in force today (own, inherited and narrowing items) as spotcheck.public_item_list shows it; returns the publication (the last one when nothing changed)';

-- A plan for publishing: it exists, the caller is a planner or head of its
-- agency, it is executed and its execution has committed.
CREATE FUNCTION spotcheck.plan_for_publishing(plan bigint, action text) RETURNS spotcheck.plan
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p spotcheck.plan;
    d spotcheck.draw;
    md spotcheck.draw;
BEGIN
    SELECT * INTO p FROM spotcheck.plan x WHERE x.id = plan;
    IF NOT FOUND OR NOT (spotcheck.caller_may_read(p.agency) OR (p.partner IS NOT NULL AND spotcheck.caller_may_read(p.partner))) THEN
        RAISE EXCEPTION 'plan % does not exist', COALESCE(plan::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.plans lists the plans you may read.';
    END IF;
    PERFORM spotcheck.require_agency_role(p.agency, ARRAY['spotcheck_planner', 'spotcheck_head']::name[], action || ' plan ' || p.id);
    IF p.abandoned_at IS NOT NULL THEN
        RAISE EXCEPTION 'plan % was abandoned at % by %', p.id, spotcheck.draw_time(p.abandoned_at), p.abandoned_by
            USING ERRCODE = '55000', DETAIL = 'Reason: ' || spotcheck.draw_clip(p.abandon_reason), HINT = 'Publish the plan drawn in its place.';
    END IF;
    SELECT * INTO d FROM spotcheck.draw x WHERE x.id = p.draw;
    SELECT * INTO md FROM spotcheck.draw x WHERE x.id = p.member_draw;
    IF d.executed_at IS NULL OR (md.id IS NOT NULL AND md.executed_at IS NULL) THEN
        RAISE EXCEPTION 'plan % is committed but not executed: there are no targets to publish yet', p.id
            USING ERRCODE = '55000', HINT = 'Execute it (spotcheck.execute_plan) with the declared public value, then publish it.';
    END IF;
    IF NOT spotcheck.draw_revealed(d) OR (md.id IS NOT NULL AND NOT spotcheck.draw_revealed(md)) THEN
        RAISE EXCEPTION 'plan % was executed in this transaction; it is published once the transaction commits', p.id
            USING ERRCODE = '25000', HINT = 'Commit the execution, then publish.';
    END IF;
    IF d.failure_reason IS NOT NULL OR md.failure_reason IS NOT NULL THEN
        RAISE EXCEPTION 'the draw of plan % failed: %', p.id, COALESCE(d.failure_reason, md.failure_reason)
            USING ERRCODE = '55000', HINT = 'Abandon the plan and draw a new one; the failed draw is disclosed with the new plan.';
    END IF;
    RETURN p;
END
$$;

-- A plan's targets as published.
CREATE FUNCTION spotcheck.plan_snapshot(p spotcheck.plan) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.jsonb_build_object('plan', p.id, 'kind', p.kind, 'agency', p.agency, 'partner', p.partner,
        'month', spotcheck.plan_month_label(p.month), 'draw', p.draw, 'member_draw', p.member_draw,
        'targets', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                         'target', t.id, 'unit', t.unit, 'name', u.name, 'address', u.address, 'stratum', t.stratum,
                         'rank', t.rank, 'deadline', spotcheck.plan_day_label(t.deadline), 'draw', t.draw,
                         'items', ARRAY(SELECT i.code FROM spotcheck.plan_target_item ti JOIN spotcheck.check_items i ON i.id = ti.item_id
                                         WHERE ti.plan_target = t.id ORDER BY i.code, i.id))
                         ORDER BY t.stratum, t.rank, t.id)
                    FROM spotcheck.plan_target t JOIN spotcheck.units u ON u.code = t.unit
                   WHERE t.plan = p.id AND t.removed_by IS NULL), '[]'))
$$;

CREATE FUNCTION spotcheck.publish_plan(plan bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p spotcheck.plan;
    x record;
BEGIN
    PERFORM FROM spotcheck.plan y WHERE y.id OPERATOR(pg_catalog.=) plan FOR UPDATE;
    p := spotcheck.plan_for_publishing(plan, 'publish');
    SELECT q.id, q.published_at, q.published_by INTO x FROM spotcheck.publications q WHERE q.kind = 'plan' AND q.plan = p.id;
    IF FOUND THEN
        RAISE EXCEPTION 'plan % was already published at % by %', p.id, spotcheck.draw_time(x.published_at), x.published_by
            USING ERRCODE = '55000',
                  HINT = 'A published plan changes only by an amendment approved by the upper level (Article 20); approved amendments are disclosed with it.';
    END IF;
    RETURN spotcheck.publication_write('plan', p.agency, p.id, NULL, spotcheck.plan_snapshot(p));
END
$$;
COMMENT ON FUNCTION spotcheck.publish_plan(bigint) IS
    'publish an executed plan (a planner or head of its agency): its targets, without inspectors, and its draws become public; returns the publication';

-- A result version as published.
CREATE FUNCTION spotcheck.result_snapshot(r spotcheck.inspection_results) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.jsonb_build_object('result', r.id, 'plan', r.plan, 'target', r.plan_target, 'unit', r.unit,
        'name', u.name, 'agency', r.agency, 'inspected_on', spotcheck.plan_day_label(r.inspected_on),
        'category', r.category, 'category_name', c.name, 'summary', r.summary, 'method', r.method,
        'items', ARRAY(SELECT i.code FROM spotcheck.check_items i WHERE i.id = ANY (r.items) ORDER BY i.code, i.id),
        'corrects', r.corrects, 'correction_reason', r.correction_reason)
      FROM spotcheck.units u, spotcheck.result_categories c
     WHERE u.code = r.unit AND c.code = r.category
$$;

CREATE FUNCTION spotcheck.result_publish(r spotcheck.inspection_results) RETURNS bigint
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
    SELECT spotcheck.publication_write('result', r.agency, r.plan, r.id, spotcheck.result_snapshot(r))
$$;

-- After a correction: publish it when the version it corrects was published.
CREATE FUNCTION spotcheck.publication_follow_correction(old spotcheck.inspection_results, correction spotcheck.inspection_results)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT FROM spotcheck.publications x WHERE x.kind = 'result' AND x.result = old.id) THEN
        RETURN spotcheck.result_publish(correction);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION spotcheck.publish_results(plan bigint) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p spotcheck.plan;
    r spotcheck.inspection_results;
    n integer := 0;
BEGIN
    PERFORM FROM spotcheck.plan y WHERE y.id OPERATOR(pg_catalog.=) plan FOR UPDATE;
    p := spotcheck.plan_for_publishing(plan, 'publish the results of');
    IF NOT spotcheck.plan_is_published(p.id) THEN
        RAISE EXCEPTION 'plan % is not published: its results are published after it', p.id
            USING ERRCODE = '55000', HINT = pg_catalog.format('Publish the plan first: SELECT spotcheck.publish_plan(%s).', p.id);
    END IF;
    FOR r IN SELECT x.* FROM spotcheck.inspection_results x
              WHERE x.plan = p.id
                AND NOT EXISTS (SELECT FROM spotcheck.inspection_results c WHERE c.corrects = x.id)
                AND NOT EXISTS (SELECT FROM spotcheck.publications q WHERE q.kind = 'result' AND q.result = x.id)
              ORDER BY x.id LOOP
        PERFORM spotcheck.result_publish(r);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION spotcheck.publish_results(bigint) IS
    'publish every result of a published plan not yet published (the current version of each; a planner or head of its agency); returns how many';

CREATE FUNCTION spotcheck.publish_result(result bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r spotcheck.inspection_results;
    c bigint;
    x record;
BEGIN
    r := spotcheck.result_for_reading(result);
    PERFORM FROM spotcheck.plan y WHERE y.id OPERATOR(pg_catalog.=) r.plan FOR UPDATE;
    PERFORM spotcheck.plan_for_publishing(r.plan, 'publish the results of');
    IF NOT spotcheck.plan_is_published(r.plan) THEN
        RAISE EXCEPTION 'plan % is not published: its results are published after it', r.plan
            USING ERRCODE = '55000', HINT = pg_catalog.format('Publish the plan first: SELECT spotcheck.publish_plan(%s).', r.plan);
    END IF;
    SELECT y.id INTO c FROM spotcheck.inspection_results y WHERE y.corrects = r.id;
    IF c IS NOT NULL THEN
        RAISE EXCEPTION 'result % was corrected by result %: only the current version is published', r.id, c
            USING ERRCODE = '55000', HINT = pg_catalog.format('Publish result %s.', (spotcheck.current_result(r.plan_target)).id);
    END IF;
    SELECT q.id, q.published_at, q.published_by INTO x FROM spotcheck.publications q WHERE q.kind = 'result' AND q.result = r.id;
    IF FOUND THEN
        RAISE EXCEPTION 'result % was already published at % by %', r.id, spotcheck.draw_time(x.published_at), x.published_by
            USING ERRCODE = '55000', HINT = 'A published result changes only by a correction, which is published with it.';
    END IF;
    RETURN spotcheck.result_publish(r);
END
$$;
COMMENT ON FUNCTION spotcheck.publish_result(bigint) IS
    'publish one result (its current version) of a published plan (a planner or head of its agency); returns the publication';

-- ---- deadlines ----------------------------------------------------------------------

-- The n-th working day after a day, or, when that falls in a year whose
-- holiday arrangement is not recorded, NULL and the last day the calendar
-- covers (the due date is later than that).  The start's own year must be
-- recorded.
CREATE FUNCTION spotcheck.working_day_deadline(start date, n integer, OUT due date, OUT covered_until date)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM spotcheck.calendar_require_year(start);
    BEGIN
        due := spotcheck.add_working_days(start, n);
    EXCEPTION WHEN SQLSTATE '55000' THEN
        due := NULL;
        SELECT pg_catalog.make_date(pg_catalog.min(y), 1, 1) - 1 INTO covered_until
          FROM pg_catalog.generate_series(pg_catalog.date_part('year', start)::integer + 1,
                                          pg_catalog.date_part('year', start)::integer + 10) y
         WHERE NOT EXISTS (SELECT FROM spotcheck.calendar_years c WHERE c.year = y);
    END;
END
$$;
COMMENT ON FUNCTION spotcheck.working_day_deadline(date, integer) IS
    'the n-th working day after start, or NULL with the last day the calendar covers when it falls in a year not recorded';

-- When a result is due for publication: publish_within working days after
-- the inspection.
-- An inspection dated in a year whose arrangement is not recorded yet (a
-- January result recorded before the administrator adds that year) has no
-- computable deadline either: NULL, covered until the end of the year before.
CREATE FUNCTION spotcheck.result_publication_due(r spotcheck.inspection_results, OUT due date, OUT covered_until date)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    y integer := pg_catalog.date_part('year', r.inspected_on)::integer;
BEGIN
    IF NOT EXISTS (SELECT FROM spotcheck.calendar_years c WHERE c.year = y) THEN
        due := NULL;
        covered_until := pg_catalog.make_date(y, 1, 1) - 1;
        RETURN;
    END IF;
    SELECT w.due, w.covered_until INTO due, covered_until
      FROM spotcheck.working_day_deadline(r.inspected_on, r.publish_within) w;
END
$$;

-- ---- what staff see ---------------------------------------------------------------

-- Every result version of the plans the role may read, with its state and
-- its publication.
CREATE VIEW spotcheck.results WITH (security_barrier) AS
SELECT r.id AS result, r.plan, r.plan_target AS target, r.unit, u.name AS unit_name, r.agency, r.inspected_on,
       r.category, c.name AS category_name, c.outcome, r.findings, r.summary, r.method, r.items, r.inspectors, r.recordings,
       CASE WHEN n.id IS NULL THEN 'current' ELSE 'corrected' END AS state,
       r.corrects, n.id AS corrected_by, r.correction_reason, r.objection,
       r.recorded_at, r.recorded_by, r.on_behalf, r.publish_within,
       (spotcheck.result_publication_due(r)).due AS publish_by,
       q.published_at, q.published_by
  FROM spotcheck.inspection_results r
  JOIN spotcheck.units u ON u.code = r.unit
  JOIN spotcheck.result_categories c ON c.code = r.category
  LEFT JOIN spotcheck.inspection_results n ON n.corrects = r.id
  LEFT JOIN spotcheck.publications q ON q.kind = 'result' AND q.result = r.id
 WHERE r.plan IN (SELECT spotcheck.caller_plans());
COMMENT ON VIEW spotcheck.results IS
    'every result version of the plans the role may read: state (current or corrected), what corrects what, the publication deadline (publish_by: NULL when it falls in a year the calendar does not cover yet) and the publication';

-- The results not published by their deadline: current versions, never
-- published, whose deadline (publish_within working days after the
-- inspection) has passed in China Standard Time.  A deadline in a year the
-- calendar does not cover is listed only once today is past the covered
-- years, with a note: it cannot be computed.
CREATE VIEW spotcheck.overdue_publications WITH (security_barrier) AS
SELECT r.id AS result, r.plan, r.plan_target AS target, r.unit, u.name AS unit_name, r.agency, r.inspected_on,
       r.publish_within, w.due AS publish_by,
       (pg_catalog.now() AT TIME ZONE 'Asia/Shanghai')::date - COALESCE(w.due, w.covered_until) AS days_late,
       CASE WHEN w.due IS NULL
            THEN pg_catalog.format('the working-day calendar has no holiday arrangement for %s: the deadline cannot be computed',
                                   pg_catalog.date_part('year', w.covered_until)::integer + 1) END AS note
  FROM spotcheck.inspection_results r
  JOIN spotcheck.units u ON u.code = r.unit
  CROSS JOIN LATERAL spotcheck.result_publication_due(r) w
 WHERE r.plan IN (SELECT spotcheck.caller_plans())
   AND NOT EXISTS (SELECT FROM spotcheck.inspection_results n WHERE n.corrects = r.id)
   AND NOT EXISTS (SELECT FROM spotcheck.publications q WHERE q.kind = 'result' AND q.result = r.id)
   AND COALESCE(w.due, w.covered_until) < (pg_catalog.now() AT TIME ZONE 'Asia/Shanghai')::date;
COMMENT ON VIEW spotcheck.overdue_publications IS
    'results of the plans the role may read that are not published by their deadline (publish_within working days after the inspection, China Standard Time)';

REVOKE ALL ON spotcheck.disclosure_settings, spotcheck.publications, spotcheck.results, spotcheck.overdue_publications FROM PUBLIC;
GRANT SELECT ON spotcheck.disclosure_settings, spotcheck.publications, spotcheck.results, spotcheck.overdue_publications
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT INSERT, UPDATE, DELETE ON spotcheck.disclosure_settings TO spotcheck_admin, spotcheck_planner;
GRANT EXECUTE ON FUNCTION spotcheck.publish_item_list(text), spotcheck.publish_plan(bigint),
    spotcheck.publish_results(bigint), spotcheck.publish_result(bigint)
    TO spotcheck_planner, spotcheck_head;
GRANT EXECUTE ON FUNCTION spotcheck.plan_is_published(bigint), spotcheck.result_publish_days(text),
    spotcheck.working_day_deadline(date, integer), spotcheck.result_publication_due(spotcheck.inspection_results)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
