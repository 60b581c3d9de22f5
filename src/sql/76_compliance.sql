-- The compliance report of a plan (Articles 23-24): target by target,
-- whether the work followed the item list and the plan, each deviation
-- named, so that the staff who followed them can be shown to have (Article
-- 24 exempts them).  It is computed from the frozen and audited records,
-- and its first lines say whether those records verify: the audit chain,
-- and the plan with its draws (verify_plan, verify_draw).
--
-- A target followed the plan when:
--   it was drawn by the plan's draw (or added by an approved replacement
--   amendment's redraw), and was not removed; it was inspected by its
--   deadline by at least two inspectors of its drawn team (drawn with it: by
--   the plan's draws, or by the replacement's redraw and, in a joint plan,
--   its member redraw), or of members put in by an approved reassignment
--   filed with the upper level (Article 16);
--   for the plan's items, by a method of those items, with body-camera
--   recordings; its result matches its audit entry and its duty-fulfilment
--   record; it was published within its deadline (a correction of a
--   published result too); and every objection to it was verified within
--   three working days, an upheld one by a published correction.
-- Lines: 'audit_chain', 'plan' (and 'plan_drawn_on_time', 'plan_published')
-- with no target, then one line per target; followed is NULL while a target
-- is still within its deadline and nothing is wrong yet.

CREATE FUNCTION spotcheck.compliance_report(plan bigint)
RETURNS TABLE (line integer, check_name text, target bigint, unit text, unit_name text, stratum text, deadline date,
               inspected_on date, result bigint, inspectors text[], followed boolean, status text, deviations text[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p spotcheck.plan;
    today date := spotcheck.plan_local_day(pg_catalog.now());
    chain record;
    v record;
    t record;
    r spotcheck.inspection_results;
    first_r spotcheck.inspection_results;
    o record;
    m record;
    x record;
    dev text[];
    pub_day date;
    due record;
    plan_pub record;
    n integer := 0;
    item_codes text;
    audited text;
    methods text[];
    v_r spotcheck.inspection_results;
    pubs_audited text[];
    objections_audited text[];
    unknown text;
BEGIN
    SELECT * INTO p FROM spotcheck.plan q WHERE q.id = compliance_report.plan;
    IF NOT FOUND OR NOT (spotcheck.caller_may_read(p.agency) OR (p.partner IS NOT NULL AND spotcheck.caller_may_read(p.partner))) THEN
        RAISE EXCEPTION 'plan % does not exist', COALESCE(compliance_report.plan::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.plans lists the plans you may read.';
    END IF;

    -- ---- first: do the records verify?
    SELECT * INTO chain FROM spotcheck.verify_audit_chain();
    n := n + 1;
    line := n; check_name := 'audit_chain'; target := NULL; unit := NULL; unit_name := NULL; stratum := NULL;
    deadline := NULL; inspected_on := NULL; result := NULL; inspectors := NULL;
    followed := chain.ok;
    status := CASE WHEN chain.ok THEN pg_catalog.format('the audit chain verifies (%s entries)', chain.entries)
                   ELSE pg_catalog.format('the audit chain does not verify from entry %s: this report cannot be relied on', chain.first_bad) END;
    deviations := CASE WHEN chain.ok THEN '{}' ELSE ARRAY['audit chain: ' || chain.detail] END;
    RETURN NEXT;

    SELECT pg_catalog.bool_and(c.ok) AS ok,
           pg_catalog.array_agg(c.check_name || ': ' || c.detail ORDER BY c.check_name) FILTER (WHERE NOT c.ok) AS bad
      INTO v FROM spotcheck.verify_plan(p.id) c;
    n := n + 1;
    line := n; check_name := 'plan'; deadline := p.deadline;
    followed := v.ok;
    status := CASE WHEN v.ok THEN 'the plan and its draws verify (verify_plan, verify_draw)'
                   ELSE 'the plan or its draws do not verify: this report cannot be relied on' END;
    deviations := COALESCE(v.bad, '{}');
    RETURN NEXT;

    n := n + 1;
    line := n; check_name := 'plan_drawn_on_time';
    followed := NOT COALESCE(p.late, false);
    status := CASE WHEN p.late IS NULL THEN 'no drawing deadline applies to a ' || p.kind || ' plan'
                   WHEN p.late THEN 'drawn late' ELSE 'drawn by the deadline' END;
    deviations := CASE WHEN p.late THEN ARRAY[pg_catalog.format('drawn on %s, after the deadline %s of the month before (Article 15)',
                                                                spotcheck.plan_day_label(spotcheck.plan_local_day(p.drawn_at)),
                                                                spotcheck.plan_day_label(p.draw_deadline))]
                        ELSE '{}' END;
    RETURN NEXT;

    -- the publications and objections of the plan as the extension's audit
    -- entries announced them (a row without one was written by hand)
    SELECT ARRAY(SELECT (e.details->>'publication') || '/' || (e.details->>'snapshot_digest')
                   FROM (SELECT l.details, l.action, l.origin FROM spotcheck.audit_log l
                         UNION ALL SELECT pe.details, pe.action, pe.origin FROM spotcheck.audit_pending pe) e
                  WHERE e.origin = 'extension' AND e.action IN ('publication.plan', 'publication.result')
                    AND e.details->>'plan' = p.id::text),
           ARRAY(SELECT (e.object) || '/' || (e.details->>'received_on') || '/' || (e.details->>'due_on')
                   FROM (SELECT l.details, l.action, l.origin, l.object FROM spotcheck.audit_log l
                         UNION ALL SELECT pe.details, pe.action, pe.origin, pe.object FROM spotcheck.audit_pending pe) e
                  WHERE e.origin = 'extension' AND e.action = 'objection.file' AND e.details->>'plan' = p.id::text)
      INTO pubs_audited, objections_audited;

    SELECT q.id, q.published_at, q.published_by, q.snapshot_digest INTO plan_pub
      FROM spotcheck.publications q WHERE q.kind = 'plan' AND q.plan = p.id;
    n := n + 1;
    line := n; check_name := 'plan_published';
    followed := plan_pub.published_at IS NOT NULL;
    status := CASE WHEN plan_pub.published_at IS NULL THEN 'not published'
                   ELSE pg_catalog.format('published on %s', spotcheck.plan_day_label(spotcheck.plan_local_day(plan_pub.published_at))) END;
    deviations := CASE WHEN plan_pub.published_at IS NULL THEN ARRAY['the plan is not published (Article 19)']
                       WHEN NOT (plan_pub.id || '/' || plan_pub.snapshot_digest) = ANY (pubs_audited)
                       THEN ARRAY[pg_catalog.format('publication %s of the plan has no audit entry: it was written outside the extension', plan_pub.id)]
                       ELSE '{}' END;
    followed := pg_catalog.cardinality(deviations) = 0;
    RETURN NEXT;

    -- ---- target by target
    FOR t IN SELECT y.*, u.name AS uname FROM spotcheck.plan_target y JOIN spotcheck.units u ON u.code = y.unit
              WHERE y.plan = p.id ORDER BY y.stratum, y.rank, y.id LOOP
        dev := '{}';
        unknown := NULL;
        n := n + 1;
        line := n; check_name := 'target'; target := t.id; unit := t.unit; unit_name := t.uname; stratum := t.stratum;
        deadline := t.deadline;
        r := spotcheck.current_result(t.id);
        SELECT * INTO first_r FROM spotcheck.inspection_results y WHERE y.plan_target = t.id AND y.corrects IS NULL;
        result := r.id; inspected_on := r.inspected_on; inspectors := r.inspectors;

        -- drawn, or added by an approved replacement
        IF t.added_by IS NULL THEN
            IF NOT EXISTS (SELECT FROM spotcheck.draw_selected s WHERE s.draw = p.draw AND s.key = t.unit AND s.stratum = t.stratum AND s.rank = t.rank)
               OR t.draw <> p.draw THEN
                dev := dev || pg_catalog.format('not drawn: unit %s is not selected by draw %s in stratum %s at rank %s', t.unit, p.draw, t.stratum, t.rank);
            END IF;
        ELSE
            SELECT a.* INTO x FROM spotcheck.plan_amendments a WHERE a.id = t.added_by;
            IF x.state IS DISTINCT FROM 'approved' OR x.kind IS DISTINCT FROM 'replace' OR x.new_target IS DISTINCT FROM t.id
               OR x.redraw IS DISTINCT FROM t.draw
               OR NOT EXISTS (SELECT FROM spotcheck.draw_selected s WHERE s.draw = t.draw AND s.key = t.unit) THEN
                dev := dev || pg_catalog.format('added by amendment %s, which is not an approved replacement whose redraw selected unit %s',
                                                t.added_by, t.unit);
            END IF;
        END IF;

        IF t.removed_by IS NOT NULL THEN
            SELECT a.* INTO x FROM spotcheck.plan_amendments a WHERE a.id = t.removed_by;
            IF x.state IS DISTINCT FROM 'approved' OR x.kind IS DISTINCT FROM 'remove' OR x.target IS DISTINCT FROM t.id THEN
                dev := dev || pg_catalog.format('removed by amendment %s, which is not an approved removal of this target', t.removed_by);
            END IF;
            IF r.id IS NOT NULL THEN
                dev := dev || pg_catalog.format('result %s is recorded for a target removed from the plan', r.id);
            END IF;
            followed := pg_catalog.cardinality(dev) = 0;
            status := pg_catalog.format('removed by amendment %s, approved on %s', t.removed_by,
                                        COALESCE(spotcheck.plan_day_label(spotcheck.plan_local_day(x.decided_at)), '?'));
            deviations := dev;
            RETURN NEXT;
            CONTINUE;
        END IF;

        IF r.id IS NULL THEN
            IF today > t.deadline THEN
                dev := dev || pg_catalog.format('not inspected by its deadline %s', spotcheck.plan_day_label(t.deadline));
            END IF;
            followed := CASE WHEN pg_catalog.cardinality(dev) > 0 THEN false END;
            status := CASE WHEN pg_catalog.cardinality(dev) > 0 THEN 'deviation' ELSE 'not inspected yet; due by ' || spotcheck.plan_day_label(t.deadline) END;
            deviations := dev;
            RETURN NEXT;
            CONTINUE;
        END IF;

        -- after it was drawn, by its deadline
        SELECT spotcheck.plan_local_day(d.executed_at) AS drawn_on INTO x FROM spotcheck.draw d WHERE d.id = t.draw;
        IF r.inspected_on < x.drawn_on THEN
            dev := dev || pg_catalog.format('inspected on %s, before the draw %s that selected it was executed on %s',
                                            spotcheck.plan_day_label(r.inspected_on), t.draw, spotcheck.plan_day_label(x.drawn_on));
        END IF;
        IF r.inspected_on > t.deadline THEN
            dev := dev || pg_catalog.format('inspected on %s, after its deadline %s', spotcheck.plan_day_label(r.inspected_on),
                                            spotcheck.plan_day_label(t.deadline));
        END IF;

        -- by its team: at least two, each drawn or properly reassigned and filed
        IF pg_catalog.cardinality(r.inspectors) < 2 THEN
            dev := dev || pg_catalog.format('%s inspector(s) present: at least two are required (Article 18)', pg_catalog.cardinality(r.inspectors));
        END IF;
        FOR m IN SELECT z.code, z.member_id, tm.id AS tm_id, tm.plan_target, tm.inspector, tm.draw, tm.replaced_by
                   FROM ROWS FROM (pg_catalog.unnest(r.inspectors), pg_catalog.unnest(r.team_members)) AS z(code, member_id)
                   LEFT JOIN spotcheck.plan_team_member tm ON tm.id = z.member_id LOOP
            IF m.tm_id IS NULL OR m.plan_target <> t.id OR m.inspector <> m.code THEN
                dev := dev || pg_catalog.format('inspector %s is not a member of the team of this target', m.code);
                CONTINUE;
            END IF;
            IF m.draw = p.draw OR m.draw = p.member_draw
               OR (t.added_by IS NOT NULL AND (m.draw = t.draw OR m.draw = (SELECT a.member_redraw FROM spotcheck.plan_amendments a
                                                                            WHERE a.id = t.added_by AND a.state = 'approved'))) THEN
                IF NOT EXISTS (SELECT FROM spotcheck.draw_team_member dm WHERE dm.draw = m.draw AND dm.target = t.unit AND dm.inspector = m.code)
                   AND NOT EXISTS (SELECT FROM spotcheck.draw_selected s WHERE s.draw = m.draw AND s.key = t.unit || '/' || m.code) THEN
                    dev := dev || pg_catalog.format('inspector %s is not in the team draw %s drew for unit %s', m.code, m.draw, t.unit);
                END IF;
            ELSE
                SELECT ra.* INTO x FROM spotcheck.reassignments ra WHERE ra.new_team_member = m.tm_id;
                IF NOT FOUND OR x.state <> 'approved' THEN
                    dev := dev || pg_catalog.format('inspector %s joined the team without an approved reassignment (Article 16)', m.code);
                ELSIF NOT EXISTS (SELECT FROM spotcheck.draw_selected s WHERE s.draw = x.redraw AND s.key = m.code) THEN
                    dev := dev || pg_catalog.format('inspector %s was not drawn by the redraw %s of reassignment %s', m.code, x.redraw, x.id);
                ELSIF x.filed_at IS NULL THEN
                    dev := dev || pg_catalog.format('inspector %s replaced %s by reassignment %s, approved but not filed with the upper level (Article 16)',
                                                    m.code, x.inspector, x.id);
                END IF;
            END IF;
            IF m.replaced_by IS NOT NULL THEN
                SELECT ra.* INTO x FROM spotcheck.reassignments ra WHERE ra.new_team_member = m.replaced_by;
                IF FOUND AND spotcheck.plan_local_day(x.decided_at) < r.inspected_on THEN
                    dev := dev || pg_catalog.format('inspector %s had been replaced on %s, before the inspection', m.code,
                                                    spotcheck.plan_day_label(spotcheck.plan_local_day(x.decided_at)));
                END IF;
            END IF;
        END LOOP;
        IF pg_catalog.cardinality(r.recordings) < 1 THEN
            dev := dev || 'no body-camera recording (执法记录仪, Article 18)'::text;
        END IF;

        -- the plan's items, by one of their methods
        SELECT pg_catalog.string_agg(i.code, ', ' ORDER BY i.code) INTO item_codes
          FROM spotcheck.plan_target_item ti JOIN spotcheck.check_items i ON i.id = ti.item_id
         WHERE ti.plan_target = t.id AND NOT ti.item_id = ANY (r.items);
        IF item_codes IS NOT NULL THEN
            dev := dev || pg_catalog.format('plan items not checked: %s', item_codes);
        END IF;
        SELECT pg_catalog.string_agg(i.code, ', ' ORDER BY i.code) INTO item_codes
          FROM spotcheck.check_items i
         WHERE i.id = ANY (r.items) AND NOT EXISTS (SELECT FROM spotcheck.plan_target_item ti WHERE ti.plan_target = t.id AND ti.item_id = i.id);
        IF item_codes IS NOT NULL THEN
            dev := dev || pg_catalog.format('items outside the plan checked: %s', item_codes);
        END IF;
        methods := ARRAY(SELECT DISTINCT mm FROM pg_catalog.unnest(r.items) it, LATERAL spotcheck.check_item_resolved(it) ci,
                                                 LATERAL pg_catalog.unnest(ci.methods) mm);
        IF pg_catalog.cardinality(methods) > 0 AND NOT r.method = ANY (methods) THEN
            dev := dev || pg_catalog.format('checked by %s, not a method of the items (%s)', r.method, pg_catalog.array_to_string(methods, ', '));
        END IF;

        -- the records: every version as audited, the duty-fulfilment record
        FOR v_r IN SELECT y.* FROM spotcheck.inspection_results y WHERE y.plan_target = t.id ORDER BY y.id LOOP
            SELECT e.details->>'digest' INTO audited FROM (
                SELECT l.details, l.seq FROM spotcheck.audit_log l
                 WHERE l.origin = 'extension' AND l.action IN ('result.record', 'result.correct') AND l.object = 'result:' || v_r.id
                UNION ALL
                SELECT pe.details, NULL FROM spotcheck.audit_pending pe
                 WHERE pe.origin = 'extension' AND pe.action IN ('result.record', 'result.correct') AND pe.object = 'result:' || v_r.id) e
             ORDER BY e.seq NULLS LAST LIMIT 1;
            IF audited IS NULL THEN
                dev := dev || pg_catalog.format('result %s has no audit entry', v_r.id);
            ELSIF audited <> v_r.digest OR spotcheck.result_digest(v_r) <> v_r.digest THEN
                dev := dev || pg_catalog.format('result %s differs from its audit entry: it was changed outside the extension', v_r.id);
            END IF;
        END LOOP;
        SELECT pg_catalog.count(*) FILTER (WHERE oc.id = r.outcome AND oc.voided_at IS NULL AND oc.unit = t.unit
                                           AND oc.observed_on = r.inspected_on
                                           AND oc.outcome = (SELECT c.outcome FROM spotcheck.result_categories c WHERE c.code = r.category)) AS good,
               pg_catalog.count(*) FILTER (WHERE oc.voided_at IS NULL) AS live
          INTO x
          FROM spotcheck.inspection_outcomes oc WHERE oc.plan_target = t.id AND oc.source = 'plan_result';
        IF x.good <> 1 OR x.live <> 1 THEN
            dev := dev || pg_catalog.format('the duty-fulfilment record (spotcheck.inspection_outcomes) does not match result %s: %s live record(s), %s matching',
                                            r.id, x.live, x.good);
        END IF;

        -- published in time (the deadline runs from the first version)
        SELECT spotcheck.plan_local_day(pg_catalog.min(q.published_at)) AS first_day INTO x
          FROM spotcheck.publications q JOIN spotcheck.inspection_results y ON y.id = q.result
         WHERE q.kind = 'result' AND y.plan_target = t.id;
        pub_day := x.first_day;
        due := spotcheck.result_publication_due(first_r);
        IF pub_day IS NULL THEN
            IF due.due IS NOT NULL AND today > due.due THEN
                dev := dev || pg_catalog.format('not published; due by %s (%s working days after the inspection, Article 19)',
                                                spotcheck.plan_day_label(due.due), first_r.publish_within);
            ELSIF due.due IS NULL AND today > due.covered_until
                  AND today - first_r.inspected_on > first_r.publish_within THEN
                -- (N working days are at least N calendar days: within those it is not late whatever the holidays)
                unknown := pg_catalog.format('not published; whether it is late cannot be computed: the working-day calendar has no arrangement for %s',
                                             pg_catalog.date_part('year', due.covered_until)::integer + 1);
            END IF;
        ELSE
            IF due.due IS NOT NULL AND pub_day > due.due THEN
                dev := dev || pg_catalog.format('published on %s, after its deadline %s (%s working days after the inspection)',
                                                spotcheck.plan_day_label(pub_day), spotcheck.plan_day_label(due.due), first_r.publish_within);
            ELSIF due.due IS NULL AND pub_day > due.covered_until
                  AND pub_day - first_r.inspected_on > first_r.publish_within THEN
                unknown := pg_catalog.format('published on %s; whether that was in time cannot be computed: the working-day calendar has no arrangement for %s',
                                             spotcheck.plan_day_label(pub_day), pg_catalog.date_part('year', due.covered_until)::integer + 1);
            END IF;
            IF NOT EXISTS (SELECT FROM spotcheck.publications q WHERE q.kind = 'result' AND q.result = r.id) THEN
                dev := dev || pg_catalog.format('result %s, the correction of a published result, is not published', r.id);
            END IF;
        END IF;

        SELECT pg_catalog.string_agg(q.id::text, ', ' ORDER BY q.id) INTO item_codes
          FROM spotcheck.publications q JOIN spotcheck.inspection_results y ON y.id = q.result
         WHERE q.kind = 'result' AND y.plan_target = t.id AND NOT (q.id || '/' || q.snapshot_digest) = ANY (pubs_audited);
        IF item_codes IS NOT NULL THEN
            dev := dev || pg_catalog.format('publication %s of its result has no audit entry: it was written outside the extension', item_codes);
        END IF;

        -- objections verified in time
        FOR o IN SELECT ob.* FROM spotcheck.objections ob WHERE ob.plan_target = t.id ORDER BY ob.id LOOP
            IF NOT ('objection:' || o.id || '/' || spotcheck.plan_day_label(o.received_on) || '/' || spotcheck.plan_day_label(o.due_on))
                   = ANY (objections_audited) THEN
                dev := dev || pg_catalog.format('objection %s has no audit entry as filed: it was written or changed outside the extension', o.id);
            END IF;
            IF o.state = 'open' AND today > o.due_on THEN
                dev := dev || pg_catalog.format('objection %s, received on %s, not verified by its due date %s (Article 21)', o.id,
                                                spotcheck.plan_day_label(o.received_on), spotcheck.plan_day_label(o.due_on));
            ELSIF o.state <> 'open' AND spotcheck.plan_local_day(o.resolved_at) > o.due_on THEN
                dev := dev || pg_catalog.format('objection %s, received on %s, verified on %s, after its due date %s (Article 21)', o.id,
                                                spotcheck.plan_day_label(o.received_on),
                                                spotcheck.plan_day_label(spotcheck.plan_local_day(o.resolved_at)), spotcheck.plan_day_label(o.due_on));
            END IF;
            IF o.state = 'upheld' AND NOT EXISTS (SELECT FROM spotcheck.publications q WHERE q.kind = 'result' AND q.result = o.correction) THEN
                dev := dev || pg_catalog.format('objection %s was upheld but its correction %s is not published', o.id, o.correction);
            END IF;
        END LOOP;

        followed := pg_catalog.cardinality(dev) = 0;
        status := CASE WHEN pg_catalog.cardinality(dev) > 0 THEN 'deviation' || COALESCE('; undetermined: ' || unknown, '')
                       WHEN unknown IS NOT NULL THEN 'undetermined: ' || unknown
                       WHEN pub_day IS NULL THEN 'inspected; not published yet, due by ' || COALESCE(spotcheck.plan_day_label(due.due), 'a day the calendar does not cover yet')
                       ELSE 'followed the plan' END;
        IF pg_catalog.cardinality(dev) = 0 AND (pub_day IS NULL OR unknown IS NOT NULL) THEN
            followed := NULL;
        END IF;
        deviations := dev;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION spotcheck.compliance_report(bigint) IS
    'whether a plan''s work followed the item list and the plan (Articles 23-24): first whether the audit chain and the plan''s draws verify, then target by target each deviation named';

GRANT EXECUTE ON FUNCTION spotcheck.compliance_report(bigint)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
