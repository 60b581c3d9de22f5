-- Exports for government portals and WeChat accounts (Articles 12, 19).
--
--   public_plan_list           one row per published plan (the portal's
--                              list of 抽查计划公告)
--   disclosure_package(plan)   one JSON document: the plan, its targets, its
--                              approved amendments, its published results and
--                              its draws with their public transcripts, each
--                              of which spotcheck-verify (or the verification
--                              page) checks on its own
--
-- Both are built from the disclosure views alone, with the caller's rights:
-- the package holds exactly what spotcheck_public can read, and
-- spotcheck_public may call it.  CSV: every disclosure view exports as it is,
-- UTF-8, with a header row, e.g.
--   \copy (SELECT * FROM spotcheck.public_results WHERE agency = 'WCH') TO 'results.csv' WITH (FORMAT csv, HEADER, ENCODING 'UTF8')
--   COPY (SELECT * FROM spotcheck.public_plans WHERE plan = 7) TO STDOUT WITH (FORMAT csv, HEADER)

CREATE VIEW spotcheck.public_plan_list WITH (security_barrier) AS
SELECT p.id AS plan, p.kind,
       CASE p.kind WHEN 'month' THEN '月度抽查计划' WHEN 'special' THEN '专项抽查计划' WHEN 'cross_region' THEN '跨区域抽查计划'
                   WHEN 'joint' THEN '联合抽查计划' END AS kind_name,
       pg_catalog.to_char(p.month, 'YYYY-MM') AS month, p.agency, a.name AS agency_name, p.partner, pa.name AS partner_name,
       x.published_at,
       CASE WHEN p.abandoned_at IS NULL THEN 'in_force' ELSE 'abandoned' END AS plan_state,
       p.deadline, p.draw,
       (SELECT pg_catalog.count(*) FROM spotcheck.plan_target t JOIN spotcheck.draw d ON d.id = t.draw
         WHERE t.plan = p.id AND t.removed_by IS NULL AND d.executed_at IS NOT NULL
           AND d.executed_xid <> COALESCE(pg_catalog.pg_current_xact_id_if_assigned(), '0'::xid8))::integer AS targets,
       (SELECT pg_catalog.count(*) FROM spotcheck.public_amendments m WHERE m.plan = p.id)::integer AS amendments,
       (SELECT pg_catalog.count(*) FROM spotcheck.publications y WHERE y.kind = 'result' AND y.plan = p.id)::integer AS results_published
  FROM spotcheck.publications x
  JOIN spotcheck.plan p ON p.id = x.plan
  JOIN spotcheck.agencies a ON a.code = p.agency
  LEFT JOIN spotcheck.agencies pa ON pa.code = p.partner
 WHERE x.kind = 'plan';
COMMENT ON VIEW spotcheck.public_plan_list IS
    'one row per published plan: kind, month, agency, when published, its deadline and draw, how many targets, approved amendments and published results';

CREATE FUNCTION spotcheck.disclosure_package(plan bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    head jsonb;
BEGIN
    SELECT pg_catalog.to_jsonb(v) INTO head FROM spotcheck.public_plan_list v WHERE v.plan OPERATOR(pg_catalog.=) disclosure_package.plan;
    IF head IS NULL THEN
        RAISE EXCEPTION 'plan % is not published', COALESCE(plan::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.public_plan_list lists the published plans.';
    END IF;
    RETURN pg_catalog.jsonb_build_object(
        'format', 'spotcheck-disclosure-v1',
        'generated_at', pg_catalog.now(),
        'plan', head,
        'targets', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(v) - ARRAY['plan', 'kind', 'kind_name', 'month', 'agency', 'agency_name',
                                                                                         'partner', 'partner_name', 'published_at', 'plan_state']
                                                         ORDER BY v.stratum, v.rank, v.target)
                               FROM spotcheck.public_plans v WHERE v.plan OPERATOR(pg_catalog.=) disclosure_package.plan), '[]'),
        'amendments', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(v) - 'plan' ORDER BY v.approved_on, v.amendment)
                                  FROM spotcheck.public_amendments v WHERE v.plan OPERATOR(pg_catalog.=) disclosure_package.plan), '[]'),
        'results', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(v) - 'plan' ORDER BY v.target, v.result)
                               FROM spotcheck.public_results v WHERE v.plan OPERATOR(pg_catalog.=) disclosure_package.plan), '[]'),
        -- a transcript is included when there is something to verify: the
        -- draw was executed (a committed or abandoned one has no secret yet)
        'draws', COALESCE((SELECT pg_catalog.jsonb_agg(
                                      (pg_catalog.to_jsonb(v) - 'plan' - 'transcript')
                                      || pg_catalog.jsonb_build_object('transcript',
                                             CASE WHEN v.state IN ('executed', 'failed') THEN v.transcript END)
                                      ORDER BY v.committed_at, v.draw)
                             FROM spotcheck.public_draws v WHERE v.plan OPERATOR(pg_catalog.=) disclosure_package.plan), '[]'));
END
$$;
COMMENT ON FUNCTION spotcheck.disclosure_package(bigint) IS
    'the disclosure of a published plan as one JSON document (format spotcheck-disclosure-v1): plan, targets, approved amendments, published results, draws with the public transcripts of those executed (each checks with spotcheck-verify); read from the disclosure views with the caller''s rights';

REVOKE ALL ON spotcheck.public_plan_list FROM PUBLIC;
GRANT SELECT ON spotcheck.public_plan_list
    TO spotcheck_public, spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT EXECUTE ON FUNCTION spotcheck.disclosure_package(bigint)
    TO spotcheck_public, spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
