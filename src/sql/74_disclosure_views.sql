-- The disclosure views (一公开, Articles 19-22): all that the public role
-- spotcheck_public — a government portal, a WeChat account's back end, a
-- reporting tool — can read, and all it needs.
--
--   public_item_list    each agency's item list as last published
--   public_plans        each published plan's targets: unit, address,
--                       stratum, deadline, items, kind, month, agency, draw,
--                       and the approved amendments of each target
--   public_amendments   the approved amendments of published plans
--   public_results      published results, corrections shown as such
--   public_draws        every draw of a published plan (abandoned and failed
--                       ones, the plans it replaced, amendment redraws) with
--                       its public transcript, ready for spotcheck-verify
--   public_draw_pages   the self-verifying web page of each of those draws
--
-- No inspector, ever (Article 20 allows leaving them out, and we do), and no
-- personal data (Article 22): no phone numbers, no responsible persons' or
-- legal representatives' names.  Free text that reaches the public (a
-- result's summary, reasons) passes through spotcheck.disclosure_mask, on
-- top of the checks made when it was written.
--
-- How the views hold: they belong to the extension's owner, so they read
-- the tables past row-level security and select only what a publication row
-- makes public; they are security barriers, so a condition a reader adds
-- (even a function of their own) sees only those rows; every column is
-- computed by built-in functions or by the few functions of the extension
-- granted to spotcheck_public, each of which returns only public data:
--   published_plan_draws()           the draws of published plans
--   published_draw_transcript(draw)  the public transcript of one of them
--   published_draw_page(draw)        its verification page
--   disclosure_mask(text, text[])    masks personal data in text (with the
--   personal_data_patterns()         regular expressions it uses, on the text
--   personal_data_normalize(text)    with full-width characters made ASCII)
--   disclosure_package(plan)         the whole disclosure of a plan (75_*)
-- Every column is a scalar (lists joined with "；"), so each view exports as
-- CSV as it is: \copy (SELECT * FROM spotcheck.public_results) TO 'results.csv' WITH (FORMAT csv, HEADER)

-- The draws of the published plans, what each is to the plan, and why the
-- public gets no transcript of it (withheld, NULL when it gets one):
--   targets             the plan's draw of its targets (and teams)
--   members             a joint plan's draw of team members (inspectors)
--   superseded          the draw of an abandoned plan for the same agency,
--                       kind, month, campaign and scope, drawn before it
--   superseded_members  that plan's member draw
--   replacement         the redraw of a replacement amendment of the plan
-- Redraws of an inspector (reassignments, Article 16) are not listed: they
-- are filed with the upper level, not published.
CREATE FUNCTION spotcheck.published_plan_draws(OUT plan bigint, OUT draw bigint, OUT role text, OUT withheld text)
RETURNS SETOF record
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    WITH pub AS MATERIALIZED (
        SELECT p.* FROM spotcheck.plan p
         WHERE EXISTS (SELECT FROM spotcheck.publications x WHERE x.kind OPERATOR(pg_catalog.=) 'plan' AND x.plan OPERATOR(pg_catalog.=) p.id)
    ), before AS (
        SELECT pub.id AS plan, q.draw, q.member_draw
          FROM pub JOIN spotcheck.plan q
            ON q.id OPERATOR(pg_catalog.<>) pub.id AND q.abandoned_at IS NOT NULL AND q.drawn_at OPERATOR(pg_catalog.<) pub.drawn_at
           AND q.agency OPERATOR(pg_catalog.=) pub.agency AND q.kind OPERATOR(pg_catalog.=) pub.kind
           AND q.month OPERATOR(pg_catalog.=) pub.month AND q.campaign IS NOT DISTINCT FROM pub.campaign
           AND q.scope_agencies OPERATOR(pg_catalog.=) pub.scope_agencies
    ), g AS (
        SELECT pub.id AS plan, pub.draw, 'targets' AS role FROM pub
        UNION ALL SELECT pub.id, pub.member_draw, 'members' FROM pub WHERE pub.member_draw IS NOT NULL
        UNION ALL SELECT before.plan, before.draw, 'superseded' FROM before
        UNION ALL SELECT before.plan, before.member_draw, 'superseded_members' FROM before WHERE before.member_draw IS NOT NULL
        UNION ALL SELECT a.plan, a.redraw, 'replacement' FROM pub JOIN spotcheck.plan_amendments a ON a.plan OPERATOR(pg_catalog.=) pub.id
         WHERE a.redraw IS NOT NULL
    )
    SELECT g.plan, g.draw, g.role,
           CASE WHEN g.role IN ('members', 'superseded_members')
                THEN 'its candidates and its result are inspectors, whom the public plan leaves out (Article 20)'
                WHEN d.purpose OPERATOR(pg_catalog.=) 'redraw'
                THEN 'it redraws an inspector, whom the public plan leaves out (Article 20)'
                WHEN d.executed_at IS NOT NULL AND NOT spotcheck.draw_revealed(d)
                THEN 'its execution has not committed yet' END
      FROM g JOIN spotcheck.draw d ON d.id OPERATOR(pg_catalog.=) g.draw
$$;
COMMENT ON FUNCTION spotcheck.published_plan_draws() IS
    'the draws of published plans, what each is to its plan (targets, members, superseded, superseded_members, replacement) and why its transcript is withheld, if it is';

CREATE FUNCTION spotcheck.published_draw_transcript(draw bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    d spotcheck.draw;
    g record;
    t jsonb;
BEGIN
    SELECT x.role, x.withheld INTO g FROM spotcheck.published_plan_draws() x
     WHERE x.draw OPERATOR(pg_catalog.=) published_draw_transcript.draw
     ORDER BY (x.withheld IS NOT NULL) DESC, x.role LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'draw % is not a draw of a published plan', COALESCE(draw::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.public_draws lists the draws of the published plans.';
    END IF;
    IF g.withheld IS NOT NULL THEN
        RETURN NULL;
    END IF;
    SELECT * INTO d FROM spotcheck.draw x WHERE x.id OPERATOR(pg_catalog.=) published_draw_transcript.draw;
    t := spotcheck.draw_public_part(spotcheck.draw_transcript_of(d));
    -- the reason a draw was abandoned is free text: no personal data (it is
    -- not hashed); draw_public_part masked the patterns, the names of the
    -- persons the draw concerns are masked here, as in public_draws
    IF d.abandon_reason IS NOT NULL THEN
        t := pg_catalog.jsonb_set(t, '{abandoned,reason}', pg_catalog.to_jsonb(
                 spotcheck.disclosure_mask(d.abandon_reason, spotcheck.draw_personal_names(ARRAY[d.id], d.abandon_reason))));
    END IF;
    RETURN t;
END
$$;
COMMENT ON FUNCTION spotcheck.published_draw_transcript(bigint) IS
    'the public transcript of a draw of a published plan (teams withheld), for spotcheck-verify; NULL when it is withheld (spotcheck.public_draws says why); an error for any other draw';

CREATE FUNCTION spotcheck.published_draw_page(draw bigint) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t jsonb := spotcheck.published_draw_transcript(draw);
BEGIN
    IF t IS NULL THEN
        RAISE EXCEPTION 'the transcript of draw % is not public', draw
            USING ERRCODE = '22023', HINT = 'spotcheck.public_draws says why (column withheld).';
    END IF;
    RETURN spotcheck.verification_page_of(t);
END
$$;
COMMENT ON FUNCTION spotcheck.published_draw_page(bigint) IS
    'the verification page (verifies itself in a browser) with the public transcript of a draw of a published plan embedded';

-- ---- the item list ------------------------------------------------------------------

CREATE VIEW spotcheck.public_item_list WITH (security_barrier) AS
SELECT x.agency, a.name AS agency_name, x.published_at, x.id AS publication, i.k::integer AS position,
       (i.item->>'item')::bigint AS item, i.item->>'code' AS code, i.item->>'title' AS title, i.item->>'sub_item' AS sub_item,
       i.item->>'legal_basis' AS legal_basis, i.item->>'subject' AS subject, i.item->>'subject_name' AS subject_name,
       (SELECT pg_catalog.string_agg(v, '；') FROM pg_catalog.jsonb_array_elements_text(i.item->'unit_types') v) AS unit_types,
       (SELECT pg_catalog.string_agg(v, '；') FROM pg_catalog.jsonb_array_elements_text(i.item->'venue_categories') v) AS venue_categories,
       (SELECT pg_catalog.string_agg(v, '；') FROM pg_catalog.jsonb_array_elements_text(i.item->'methods') v) AS methods,
       (i.item->>'ratio')::numeric AS ratio, (i.item->>'frequency_per_year')::integer AS frequency_per_year,
       i.item->>'inspector_requirement' AS inspector_requirement, i.item->>'content' AS content,
       (i.item->>'valid_from')::date AS valid_from, (i.item->>'valid_to')::date AS valid_to,
       (i.item->>'inherited')::boolean AS inherited
  FROM spotcheck.publications x
  JOIN spotcheck.agencies a ON a.code = x.agency
  CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(x.snapshot->'items') WITH ORDINALITY AS i(item, k)
 WHERE x.kind = 'item_list'
   AND x.id = (SELECT y.id FROM spotcheck.publications y WHERE y.kind = 'item_list' AND y.agency = x.agency
                ORDER BY y.published_at DESC, y.id DESC LIMIT 1);
COMMENT ON VIEW spotcheck.public_item_list IS
    'each agency''s item list (随机抽查事项清单) as last published: own, inherited (inherited, subject) and narrowing items; one row per item';

-- ---- plans and their amendments --------------------------------------------------------

-- What an approved amendment says, for the public.  A replacement shows
-- once the approval that drew it has committed (before that, not even the
-- approving transaction learns whom it drew); the reason, free text, is
-- checked when requested and masked here for the unit's persons and the
-- inspectors of the plan's agency and of the plan.
CREATE VIEW spotcheck.public_amendments WITH (security_barrier) AS
SELECT a.plan, a.id AS amendment, a.kind,
       CASE a.kind WHEN 'remove' THEN '移出计划' WHEN 'deadline' THEN '调整检查时限' WHEN 'replace' THEN '替换检查对象' END AS kind_name,
       (a.decided_at AT TIME ZONE 'Asia/Shanghai')::date AS approved_on,
       a.target, a.unit, u.name AS unit_name,
       CASE WHEN a.kind = 'remove' THEN
                CASE a.reason WHEN 'closed_down' THEN '停业或关闭' WHEN 'demolished' THEN '拆除' WHEN 'moved_out' THEN '迁出辖区' ELSE a.reason END
            ELSE spotcheck.disclosure_mask(a.reason, names.n) END AS reason,
       a.old_deadline, a.new_deadline, a.new_target, nt.unit AS new_unit, nu.name AS new_unit_name, a.redraw
  FROM spotcheck.plan_amendments a
  JOIN spotcheck.units u ON u.code = a.unit
  LEFT JOIN spotcheck.draw rd ON rd.id = a.redraw
  LEFT JOIN spotcheck.plan_target nt ON nt.id = a.new_target
  LEFT JOIN spotcheck.units nu ON nu.code = nt.unit
  CROSS JOIN LATERAL (SELECT ARRAY(SELECT z.n FROM (
                           SELECT pg_catalog.unnest(ARRAY[u.responsible_person, u.legal_representative, u.manager_name]) AS n
                           UNION SELECT i.name FROM spotcheck.plan pa JOIN spotcheck.inspectors i ON i.agency IN (pa.agency, pa.partner)
                                  WHERE pa.id = a.plan
                           UNION SELECT i.name FROM spotcheck.plan_inspectors pi JOIN spotcheck.inspectors i ON i.code = pi.inspector
                                  WHERE pi.plan = a.plan
                           UNION SELECT i.name FROM spotcheck.plan_team_member m JOIN spotcheck.inspectors i ON i.code = m.inspector
                                  WHERE m.plan_target = a.target) z WHERE z.n IS NOT NULL) AS n) names
 WHERE a.state = 'approved'
   AND EXISTS (SELECT FROM spotcheck.publications x WHERE x.kind = 'plan' AND x.plan = a.plan)
   AND (a.redraw IS NULL
        OR (rd.executed_at IS NOT NULL AND rd.executed_xid <> COALESCE(pg_catalog.pg_current_xact_id_if_assigned(), '0'::xid8)));
COMMENT ON VIEW spotcheck.public_amendments IS
    'the amendments of published plans approved by the upper level (Article 20): kind, the day approved, the target and unit, the reason, the deadlines, the replacement target';

-- Every item's code and title, a narrowing item with the title it inherits
-- from the item it narrows (internal: read by the disclosure views with
-- their owner's rights, granted to no role).
CREATE VIEW spotcheck.check_item_titles AS
WITH RECURSIVE up AS (
    SELECT i.id, i.code, i.title, i.parent_item AS next, 0 AS depth FROM spotcheck.check_items i
    UNION ALL
    SELECT up.id, up.code, c.title, c.parent_item, up.depth + 1
      FROM up JOIN spotcheck.check_items c ON c.id = up.next
     WHERE up.title IS NULL AND up.depth < 64
)
SELECT DISTINCT ON (up.id) up.id, up.code, up.title
  FROM up ORDER BY up.id, (up.title IS NULL), up.depth;
REVOKE ALL ON spotcheck.check_item_titles FROM PUBLIC;
COMMENT ON VIEW spotcheck.check_item_titles IS
    'internal: every check item''s code and title, a narrowing item with the title it inherits';

CREATE VIEW spotcheck.public_plans WITH (security_barrier) AS
SELECT p.id AS plan, p.kind,
       CASE p.kind WHEN 'month' THEN '月度抽查计划' WHEN 'special' THEN '专项抽查计划' WHEN 'cross_region' THEN '跨区域抽查计划'
                   WHEN 'joint' THEN '联合抽查计划' END AS kind_name,
       pg_catalog.to_char(p.month, 'YYYY-MM') AS month, p.agency, a.name AS agency_name, p.partner, pa.name AS partner_name,
       x.published_at,
       CASE WHEN p.abandoned_at IS NULL THEN 'in_force' ELSE 'abandoned' END AS plan_state,
       t.id AS target, t.unit, u.name AS unit_name, u.address, t.stratum, t.rank, t.deadline,
       (SELECT pg_catalog.string_agg(i.code || ' ' || COALESCE(i.title, ''), '；' ORDER BY i.code, i.id)
          FROM spotcheck.plan_target_item ti JOIN spotcheck.check_item_titles i ON i.id = ti.item_id WHERE ti.plan_target = t.id) AS items,
       t.draw,
       CASE WHEN t.removed_by IS NOT NULL THEN 'removed' WHEN t.added_by IS NOT NULL THEN 'added' ELSE 'drawn' END AS status,
       (SELECT pg_catalog.string_agg(pg_catalog.format('%s %s：%s', pg_catalog.to_char(m.approved_on, 'YYYY-MM-DD'), m.kind_name,
                                                       COALESCE(m.reason, '') || CASE WHEN m.kind = 'deadline'
                                                            THEN pg_catalog.format('（%s → %s）', pg_catalog.to_char(m.old_deadline, 'YYYY-MM-DD'), pg_catalog.to_char(m.new_deadline, 'YYYY-MM-DD')) ELSE '' END),
                                     '；' ORDER BY m.approved_on, m.amendment)
          FROM spotcheck.public_amendments m WHERE m.target = t.id OR m.new_target = t.id) AS amendments
  FROM spotcheck.publications x
  JOIN spotcheck.plan p ON p.id = x.plan
  JOIN spotcheck.agencies a ON a.code = p.agency
  LEFT JOIN spotcheck.agencies pa ON pa.code = p.partner
  JOIN spotcheck.plan_target t ON t.plan = p.id
  JOIN spotcheck.draw d ON d.id = t.draw
  JOIN spotcheck.units u ON u.code = t.unit
 WHERE x.kind = 'plan'
   AND d.executed_at IS NOT NULL
   AND d.executed_xid <> COALESCE(pg_catalog.pg_current_xact_id_if_assigned(), '0'::xid8);
COMMENT ON VIEW spotcheck.public_plans IS
    'each published plan''s targets (抽查计划公告): unit, address, stratum, deadline (检查时限), items, the draw that selected it, whether it was drawn, added or removed by an approved amendment, and those amendments; no inspector (Article 20)';

-- ---- results --------------------------------------------------------------------------

CREATE VIEW spotcheck.public_results WITH (security_barrier) AS
SELECT r.id AS result, r.plan, r.plan_target AS target, r.unit, u.name AS unit_name, r.agency, a.name AS agency_name,
       r.inspected_on,
       (SELECT pg_catalog.string_agg(i.code || ' ' || COALESCE(i.title, ''), '；' ORDER BY i.code, i.id)
          FROM spotcheck.check_item_titles i WHERE i.id = ANY (r.items)) AS items,
       r.method, c.name AS category, r.category AS category_code,
       spotcheck.disclosure_mask(r.summary, names.n) AS summary,
       x.published_at,
       CASE WHEN nx.id IS NULL THEN 'current' ELSE 'corrected' END AS status,
       CASE WHEN prev.published THEN r.corrects END AS corrects,
       CASE WHEN prev.published THEN spotcheck.disclosure_mask(r.correction_reason, names.n) END AS correction_reason,
       CASE WHEN prev.published THEN (r.recorded_at AT TIME ZONE 'Asia/Shanghai')::date END AS corrected_on,
       nx.id AS corrected_by,
       (nx.recorded_at AT TIME ZONE 'Asia/Shanghai')::date AS corrected_by_on
  FROM spotcheck.publications x
  JOIN spotcheck.inspection_results r ON r.id = x.result
  JOIN spotcheck.units u ON u.code = r.unit
  JOIN spotcheck.agencies a ON a.code = r.agency
  JOIN spotcheck.result_categories c ON c.code = r.category
  LEFT JOIN spotcheck.inspection_results nx
    ON nx.corrects = r.id AND EXISTS (SELECT FROM spotcheck.publications y WHERE y.kind = 'result' AND y.result = nx.id)
  CROSS JOIN LATERAL (SELECT EXISTS (SELECT FROM spotcheck.publications y WHERE y.kind = 'result' AND y.result = r.corrects) AS published) prev
  CROSS JOIN LATERAL (SELECT ARRAY(SELECT z.n FROM (
                           SELECT pg_catalog.unnest(ARRAY[u.responsible_person, u.legal_representative, u.manager_name]) AS n
                           UNION SELECT i.name FROM spotcheck.plan pr JOIN spotcheck.inspectors i ON i.agency IN (pr.agency, pr.partner)
                                  WHERE pr.id = r.plan
                           UNION SELECT i.name FROM spotcheck.plan_inspectors pi JOIN spotcheck.inspectors i ON i.code = pi.inspector
                                  WHERE pi.plan = r.plan
                           UNION SELECT i.name FROM spotcheck.plan_team_member m JOIN spotcheck.inspectors i ON i.code = m.inspector
                                  WHERE m.plan_target = r.plan_target) z WHERE z.n IS NOT NULL) AS n) names
 WHERE x.kind = 'result';
COMMENT ON VIEW spotcheck.public_results IS
    'published results (抽查结果公告): unit, date, agency, items checked, method, category, summary; a correction names the result it corrects (corrects, correction_reason, corrected_on) and the original stays, marked corrected (status, corrected_by, corrected_by_on)';

-- ---- draws ----------------------------------------------------------------------------

CREATE VIEW spotcheck.public_draws WITH (security_barrier) AS
SELECT g.plan, g.draw, g.role, d.agency, a.name AS agency_name, d.algorithm, d.purpose,
       CASE WHEN d.abandoned_at IS NOT NULL THEN 'abandoned'
            WHEN NOT rv.revealed THEN 'committed'
            WHEN d.failure_reason IS NOT NULL THEN 'failed'
            ELSE 'executed' END AS state,
       d.entropy_declaration,
       CASE WHEN rv.revealed THEN d.entropy_value END AS entropy_value,
       pg_catalog.encode(d.commitment, 'hex') AS commitment,
       pg_catalog.encode(d.pool_digest, 'hex') AS pool_digest,
       pg_catalog.encode(d.quota_digest, 'hex') AS quota_digest,
       CASE WHEN rv.revealed THEN pg_catalog.encode(d.seed, 'hex') END AS seed,
       d.pool_size,
       CASE WHEN rv.revealed THEN d.selected_count END AS selected_count,
       CASE WHEN rv.revealed AND g.role NOT IN ('members', 'superseded_members') THEN d.failure_reason END AS failure,
       d.committed_at,
       CASE WHEN rv.revealed THEN d.executed_at END AS executed_at,
       d.abandoned_at,
       -- masked with the names spotcheck.draw_personal_names lists (which the
       -- public may not call): the draws' agency's inspectors, the inspectors
       -- of the plans they draw for and of their pools, the units' persons
       CASE WHEN d.abandon_reason IS NOT NULL THEN spotcheck.disclosure_mask(d.abandon_reason, ARRAY(
           SELECT z.n FROM (
               SELECT pg_catalog.btrim(y.n) AS n FROM (
                   SELECT i.name AS n FROM spotcheck.inspectors i WHERE i.agency = d.agency
                   UNION ALL
                   SELECT i.name FROM spotcheck.plan_inspectors x JOIN spotcheck.inspectors i ON i.code = x.inspector
                    WHERE x.plan IN (SELECT p.id FROM spotcheck.plan p WHERE p.draw = d.id OR p.member_draw = d.id
                                     UNION SELECT a.plan FROM spotcheck.plan_amendments a WHERE a.redraw = d.id OR a.member_redraw = d.id)
                   UNION ALL
                   SELECT i.name FROM spotcheck.draw_inspector k JOIN spotcheck.inspectors i ON i.code = k.key WHERE k.draw = d.id
                   UNION ALL
                   SELECT i.name FROM spotcheck.draw_pool k JOIN spotcheck.inspectors i ON i.code = pg_catalog.split_part(k.key, '/', 2)
                    WHERE k.draw = d.id
                   UNION ALL
                   SELECT pg_catalog.unnest(ARRAY[u.responsible_person, u.legal_representative, u.manager_name])
                     FROM spotcheck.draw_pool k JOIN spotcheck.units u ON u.code = pg_catalog.split_part(k.key, '/', 1)
                    WHERE k.draw = d.id) y) z
            WHERE pg_catalog.char_length(z.n) >= 2 AND pg_catalog.strpos(d.abandon_reason, z.n) > 0)) END AS abandon_reason,
       g.withheld,
       spotcheck.published_draw_transcript(g.draw) AS transcript
  FROM spotcheck.published_plan_draws() g
  JOIN spotcheck.draw d ON d.id = g.draw
  LEFT JOIN spotcheck.agencies a ON a.code = d.agency
  CROSS JOIN LATERAL (SELECT d.executed_at IS NOT NULL
                             AND d.executed_xid <> COALESCE(pg_catalog.pg_current_xact_id_if_assigned(), '0'::xid8) AS revealed) rv;
COMMENT ON VIEW spotcheck.public_draws IS
    'every draw of a published plan, abandoned and failed ones and those of the plans it replaced included: algorithm, commitment, entropy declaration and value, seed, digests, times, state and the public transcript (pool, quotas, selection; no inspectors) that spotcheck-verify checks; withheld says why a transcript is not public';

CREATE VIEW spotcheck.public_draw_pages WITH (security_barrier) AS
SELECT g.plan, g.draw, spotcheck.published_draw_page(g.draw) AS page
  FROM spotcheck.public_draws g
 WHERE g.withheld IS NULL;
COMMENT ON VIEW spotcheck.public_draw_pages IS
    'the verification page of each public draw transcript: one self-contained HTML file that verifies the draw when opened (write it with psql -At, not \copy)';

REVOKE ALL ON spotcheck.public_item_list, spotcheck.public_amendments, spotcheck.public_plans, spotcheck.public_results,
    spotcheck.public_draws, spotcheck.public_draw_pages FROM PUBLIC;
GRANT SELECT ON spotcheck.public_item_list, spotcheck.public_amendments, spotcheck.public_plans, spotcheck.public_results,
    spotcheck.public_draws, spotcheck.public_draw_pages
    TO spotcheck_public, spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT EXECUTE ON FUNCTION spotcheck.published_plan_draws(), spotcheck.published_draw_transcript(bigint),
    spotcheck.published_draw_page(bigint), spotcheck.disclosure_mask(text, text[]), spotcheck.personal_data_patterns(),
    spotcheck.personal_data_normalize(text), spotcheck.personal_data_id_checked(text)
    TO spotcheck_public, spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
