-- Special campaigns (专项检查, Article 13(2)) and joint checks with another
-- department (Article 13(4)).
--
-- A campaign is data: its scope filter (unit types, venue categories, a list
-- of units; empty = no restriction), its ratio or count, its items, its team,
-- and the months it may be drawn in.  plan_special(campaign, month) draws it
-- alone; plan_month(agency, month, campaigns => ARRAY[...]) draws it
-- alongside the month: committed in the same call with the same entropy
-- declaration, executed with the month by execute_plan.  A unit drawn by
-- both is inspected once for both item lists (plan_targets.combined_with).
--
-- A campaign with a partner department (agencies.level = 'department') is a
-- joint check, drawn with plan_joint.  Its teams mix our inspectors and the
-- partner's so that every team has at least one of ours and the partner's
-- are drawn, never chosen, while DRAW-SPEC.md (which draws a team of m >= 2
-- from one inspector pool) stays as it is.  A joint plan is two committed
-- spotcheck-v1 draws, both committed before anyone knows the targets and
-- executed with the same public value:
--   1. the draw of the targets; when a team has two or more of our
--      inspectors it also forms those with the spec's team algorithm (load
--      cap included) from our inspector pool;
--   2. the member draw: for every unit u of the pool and every inspector i
--      not recused from it, a candidate "u/i" of weight 1 in the stratum
--      "u/partner" (the partner's inspectors) or "u/ours" (ours, when a team
--      has one of ours), with the quotas partner_team_size and 1.  Each
--      unit's stratum selects its members by the spec's priority order, from
--      a pool frozen at commitment, so nobody chooses them after the targets
--      are known.  Only the picks of the units drawn in (1) are used; the
--      others are never shown as teams.
-- Both draws verify with verify_draw and spotcheck-verify like any other;
-- verify_plan checks that the member draw's pool is exactly the product of
-- the frozen pool and inspector pools less the recusals.  The member draw
-- spreads the load by chance, not by the team algorithm's cap.

CREATE TABLE spotcheck.special_campaigns (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency               text NOT NULL REFERENCES spotcheck.agencies (code),
    code                 text NOT NULL,
    title                text NOT NULL,
    basis                text,
    partner              text REFERENCES spotcheck.agencies (code),
    unit_types           text[] NOT NULL DEFAULT '{}',
    venue_categories     text[] NOT NULL DEFAULT '{}',
    units                text[] NOT NULL DEFAULT '{}',
    ratio                numeric(5,2),
    count                integer,
    team_size            integer NOT NULL DEFAULT 2,
    partner_team_size    integer,
    starts               date NOT NULL,
    ends                 date NOT NULL,
    entropy_declaration  text,
    created_by           name NOT NULL DEFAULT CURRENT_USER,
    created_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT special_campaigns_code_unique UNIQUE (agency, code),
    CONSTRAINT special_campaigns_title CHECK (pg_catalog.btrim(title) <> '' AND pg_catalog.btrim(code) <> ''),
    CONSTRAINT special_campaigns_ratio_or_count CHECK ((ratio IS NULL) <> (count IS NULL)),
    CONSTRAINT special_campaigns_ratio_range CHECK (ratio > 0 AND ratio <= 100),
    CONSTRAINT special_campaigns_count_range CHECK (count >= 1),
    CONSTRAINT special_campaigns_team CHECK (
        (partner IS NULL AND partner_team_size IS NULL AND team_size BETWEEN 2 AND 20)
        OR (partner IS NOT NULL AND team_size BETWEEN 1 AND 20 AND partner_team_size BETWEEN 1 AND 20)),
    CONSTRAINT special_campaigns_period CHECK (ends >= starts)
);
COMMENT ON TABLE spotcheck.special_campaigns IS
    'special campaigns (专项检查, Article 13(2)) and joint checks with a partner department (13(4)): scope filter, ratio or count, items, team, period';
COMMENT ON COLUMN spotcheck.special_campaigns.basis IS 'the campaign''s own plan or notice (专项检查方案)';
COMMENT ON COLUMN spotcheck.special_campaigns.partner IS 'for a joint check: the partner department (level department) whose inspectors join every team';
COMMENT ON COLUMN spotcheck.special_campaigns.units IS 'an explicit list of units (empty: no restriction); with unit_types and venue_categories the scope filter';
COMMENT ON COLUMN spotcheck.special_campaigns.ratio IS 'percent of the eligible units in scope to draw (or count)';
COMMENT ON COLUMN spotcheck.special_campaigns.team_size IS 'our inspectors per target (at least 2 without a partner, at least 1 with one)';
COMMENT ON COLUMN spotcheck.special_campaigns.partner_team_size IS 'the partner''s inspectors per target (joint checks)';
COMMENT ON COLUMN spotcheck.special_campaigns.starts IS 'the campaign may be drawn for the months from starts to ends';

CREATE TABLE spotcheck.special_campaign_items (
    campaign  bigint NOT NULL REFERENCES spotcheck.special_campaigns (id) ON DELETE CASCADE,
    item_id   bigint NOT NULL REFERENCES spotcheck.check_items (id),
    PRIMARY KEY (campaign, item_id)
);
COMMENT ON TABLE spotcheck.special_campaign_items IS 'the items a campaign checks (its 检查内容)';

ALTER TABLE spotcheck.plan ADD CONSTRAINT plan_campaign_fkey FOREIGN KEY (campaign) REFERENCES spotcheck.special_campaigns (id);

-- (Not SECURITY DEFINER: CURRENT_USER must be the writer.)
CREATE FUNCTION spotcheck.special_campaigns_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    partner_level text;
    missing text;
    used bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT pg_catalog.min(p.id) INTO used FROM spotcheck.plan p WHERE p.campaign = OLD.id;
        IF used IS NOT NULL THEN
            RAISE EXCEPTION 'campaign "%" of agency "%" was drawn by plan % and cannot be deleted', OLD.code, OLD.agency, used
                USING ERRCODE = '55000', HINT = 'End it instead: set ends to the last day it may be drawn.';
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT pg_catalog.min(p.id) INTO used FROM spotcheck.plan p WHERE p.campaign = OLD.id;
        IF used IS NOT NULL AND (pg_catalog.to_jsonb(NEW) - 'ends') OPERATOR(pg_catalog.<>) (pg_catalog.to_jsonb(OLD) - 'ends') THEN
            RAISE EXCEPTION 'campaign "%" of agency "%" was drawn by plan %; only its end can change', OLD.code, OLD.agency, used
                USING ERRCODE = '55000', HINT = 'Add a new campaign for different scope, ratio, items or team.';
        END IF;
        NEW.created_by := OLD.created_by;
        NEW.created_at := OLD.created_at;
    ELSE
        NEW.created_by := CURRENT_USER;
        NEW.created_at := pg_catalog.now();
    END IF;
    IF NOT EXISTS (SELECT FROM spotcheck.agencies a WHERE a.code = NEW.agency) THEN
        RAISE EXCEPTION 'agency "%" of the campaign does not exist', NEW.agency
            USING ERRCODE = '23503', HINT = 'Use the code of a registered agency.';
    END IF;
    NEW.code := pg_catalog.btrim(NEW.code);
    NEW.title := pg_catalog.btrim(NEW.title);
    IF COALESCE(NEW.code, '') = '' OR COALESCE(NEW.title, '') = '' THEN
        RAISE EXCEPTION 'a campaign of agency "%" needs a code and a title', NEW.agency
            USING ERRCODE = '23502', HINT = 'Give the campaign its number and name (e.g. from its 专项检查方案).';
    END IF;
    IF NEW.partner IS NOT NULL THEN
        SELECT a.level INTO partner_level FROM spotcheck.agencies a WHERE a.code = NEW.partner;
        IF partner_level IS DISTINCT FROM 'department' THEN
            RAISE EXCEPTION 'partner "%" of campaign "%" is %', NEW.partner, NEW.code,
                            COALESCE('a ' || partner_level || ', not a department', 'not a registered agency')
                USING ERRCODE = '23514', HINT = 'A joint check''s partner is another department (spotcheck.agencies with level department).';
        END IF;
    END IF;
    IF NEW.ratio IS NULL AND NEW.count IS NULL THEN
        RAISE EXCEPTION 'campaign "%" needs a ratio or a count', NEW.code
            USING ERRCODE = '22023', HINT = 'Set ratio (percent of the eligible units in scope) or count (units to draw).';
    ELSIF NEW.ratio IS NOT NULL AND NEW.count IS NOT NULL THEN
        RAISE EXCEPTION 'campaign "%" has both a ratio (%) and a count (%)', NEW.code, NEW.ratio::text || '%', NEW.count
            USING ERRCODE = '22023', HINT = 'Give the campaign a ratio (percent of the eligible units in scope) or a count (units to draw), not both.';
    END IF;
    IF NEW.ratio <= 0 OR NEW.ratio > 100 THEN
        RAISE EXCEPTION 'ratio % of campaign "%" is %', NEW.ratio::text || '%', NEW.code,
                        CASE WHEN NEW.ratio > 100 THEN 'above 100%' ELSE 'not positive' END
            USING ERRCODE = '22003', HINT = 'A ratio is a percentage greater than 0 and at most 100.';
    END IF;
    IF NEW.count < 1 THEN
        RAISE EXCEPTION 'count % of campaign "%" is not positive', NEW.count, NEW.code
            USING ERRCODE = '22003', HINT = 'A count is the number of units to draw, at least 1.';
    END IF;
    IF NEW.partner IS NULL AND (NEW.team_size IS NULL OR NEW.team_size < 2) THEN
        RAISE EXCEPTION 'team size % of campaign "%" is below 2', COALESCE(NEW.team_size::text, 'null'), NEW.code
            USING ERRCODE = '22023', HINT = 'An inspection team has at least two inspectors (Article 18).';
    END IF;
    IF NEW.partner IS NOT NULL AND (NEW.team_size IS NULL OR NEW.team_size < 1 OR NEW.partner_team_size IS NULL OR NEW.partner_team_size < 1) THEN
        RAISE EXCEPTION 'joint campaign "%" needs at least one of our inspectors and one of the partner''s per team (got % and %)', NEW.code,
                        COALESCE(NEW.team_size::text, 'null'), COALESCE(NEW.partner_team_size::text, 'null')
            USING ERRCODE = '22023', HINT = 'Set team_size (ours, at least 1) and partner_team_size (at least 1).';
    END IF;
    IF NEW.partner IS NULL AND NEW.partner_team_size IS NOT NULL THEN
        RAISE EXCEPTION 'campaign "%" has a partner team size but no partner', NEW.code
            USING ERRCODE = '22023', HINT = 'Name the partner department, or leave partner_team_size empty.';
    END IF;
    IF GREATEST(NEW.team_size, NEW.partner_team_size) > 20 THEN
        RAISE EXCEPTION 'the team of campaign "%" is larger than 20', NEW.code USING ERRCODE = '22023', HINT = 'A team is at most 20 inspectors.';
    END IF;
    IF NEW.starts IS NULL OR NEW.ends IS NULL OR NEW.ends < NEW.starts THEN
        RAISE EXCEPTION 'campaign "%" from % to % is not a period', NEW.code,
                        COALESCE(spotcheck.plan_day_label(NEW.starts), 'null'), COALESCE(spotcheck.plan_day_label(NEW.ends), 'null')
            USING ERRCODE = '22008', HINT = 'Give the first and the last day it may be drawn for.';
    END IF;
    NEW.units := ARRAY(SELECT DISTINCT spotcheck.unit_code_normalize(u) FROM pg_catalog.unnest(NEW.units) u ORDER BY 1);
    SELECT pg_catalog.string_agg(u, ', ') INTO missing FROM pg_catalog.unnest(NEW.units) u
     WHERE NOT EXISTS (SELECT FROM spotcheck.units x WHERE x.code = u AND x.agency = NEW.agency);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'campaign "%" lists units that are not in the directory of agency "%": %', NEW.code, NEW.agency, pg_catalog.left(missing, 500)
            USING ERRCODE = '23503', HINT = 'List units of the agency''s own directory (spotcheck.units).';
    END IF;
    IF NEW.entropy_declaration IS NOT NULL AND pg_catalog.btrim(NEW.entropy_declaration) = '' THEN
        RAISE EXCEPTION 'the entropy declaration of campaign "%" is blank', NEW.code
            USING ERRCODE = '22023', HINT = 'Say which future public value will be used, or leave it empty.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER special_campaigns_check BEFORE INSERT OR UPDATE OR DELETE ON spotcheck.special_campaigns
    FOR EACH ROW EXECUTE FUNCTION spotcheck.special_campaigns_check();

CREATE FUNCTION spotcheck.special_campaign_items_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    c spotcheck.special_campaigns;
    owner record;
BEGIN
    SELECT * INTO c FROM spotcheck.special_campaigns x WHERE x.id = COALESCE(NEW.campaign, OLD.campaign);
    IF EXISTS (SELECT FROM spotcheck.plan p WHERE p.campaign = c.id) THEN
        RAISE EXCEPTION 'campaign "%" was drawn already; its items cannot change', c.code
            USING ERRCODE = '55000', HINT = 'Add a new campaign with the new items.';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF c.id IS NULL THEN
        RAISE EXCEPTION 'campaign % does not exist', NEW.campaign USING ERRCODE = '23503', HINT = 'Insert the campaign first.';
    END IF;
    SELECT * INTO owner FROM spotcheck.plan_item_owner(NEW.item_id);
    IF owner.agency IS NULL THEN
        RAISE EXCEPTION 'item % does not exist', NEW.item_id
            USING ERRCODE = '23503', HINT = 'Use the id of an item of spotcheck.check_items.';
    END IF;
    IF NOT owner.agency IN (SELECT a FROM spotcheck.agency_ancestors(c.agency) a) THEN
        RAISE EXCEPTION 'item % ("%" of agency "%") is not on the list of agency "%"', NEW.item_id, owner.code, owner.agency, c.agency
            USING ERRCODE = '23514', HINT = 'A campaign checks items of its agency''s own list or inherited from its upper levels.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER special_campaign_items_check BEFORE INSERT OR UPDATE OR DELETE ON spotcheck.special_campaign_items
    FOR EACH ROW EXECUTE FUNCTION spotcheck.special_campaign_items_check();

CREATE TRIGGER special_campaigns_audit AFTER INSERT OR UPDATE OR DELETE ON spotcheck.special_campaigns
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('id', 'agency');
CREATE TRIGGER special_campaign_items_audit AFTER INSERT OR UPDATE OR DELETE ON spotcheck.special_campaign_items
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('campaign');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.special_campaigns', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.special_campaigns_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.special_campaign_items', '');

ALTER TABLE spotcheck.special_campaigns ENABLE ROW LEVEL SECURITY;
CREATE POLICY special_campaigns_read ON spotcheck.special_campaigns FOR SELECT
    USING (agency = ANY ((SELECT spotcheck.readable_agencies())::text[]) OR partner = ANY ((SELECT spotcheck.readable_agencies())::text[]));
CREATE POLICY special_campaigns_write ON spotcheck.special_campaigns FOR ALL
    USING (agency = ANY ((SELECT spotcheck.writable_agencies())::text[]))
    WITH CHECK (agency = ANY ((SELECT spotcheck.writable_agencies())::text[]));
ALTER TABLE spotcheck.special_campaign_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY special_campaign_items_read ON spotcheck.special_campaign_items FOR SELECT
    USING (campaign IN (SELECT c.id FROM spotcheck.special_campaigns c));
CREATE POLICY special_campaign_items_write ON spotcheck.special_campaign_items FOR ALL
    USING (campaign IN (SELECT c.id FROM spotcheck.special_campaigns c WHERE c.agency = ANY ((SELECT spotcheck.writable_agencies())::text[])))
    WITH CHECK (campaign IN (SELECT c.id FROM spotcheck.special_campaigns c WHERE c.agency = ANY ((SELECT spotcheck.writable_agencies())::text[])));

-- Commit a campaign's plan for a month (alone, or alongside the monthly plan
-- given).  No privilege check here: plan_special, plan_joint and plan_month
-- check the caller first.
CREATE FUNCTION spotcheck.plan_campaign_commit(campaign bigint, month date, entropy_declaration text, alongside bigint)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    c spotcheck.special_campaigns;
    m date := spotcheck.plan_month_start(month);
    ap spotcheck.annual_plans;
    items bigint[];
    decl text;
    pid bigint;
    eligible integer;
    q integer;
    kind text;
    now_ts timestamptz := pg_catalog.clock_timestamp();
BEGIN
    SELECT * INTO c FROM spotcheck.special_campaigns x WHERE x.id = campaign;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'campaign % does not exist', COALESCE(campaign::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.special_campaigns lists the campaigns you may read.';
    END IF;
    kind := CASE WHEN c.partner IS NULL THEN 'special' ELSE 'joint' END;
    IF m < spotcheck.plan_month_start(c.starts) OR m > c.ends THEN
        RAISE EXCEPTION 'campaign "%" runs from % to %, not in %', c.code, spotcheck.plan_day_label(c.starts),
                        spotcheck.plan_day_label(c.ends), spotcheck.plan_month_label(m)
            USING ERRCODE = '22023', HINT = 'Draw it for a month of its period, or change its period (ends) first.';
    END IF;
    PERFORM spotcheck.plan_lock(ARRAY[c.agency]);
    PERFORM spotcheck.plan_require_no_unrevealed(ARRAY[c.agency]);
    ap := spotcheck.plan_annual(c.agency, pg_catalog.date_part('year', m)::integer, false);
    items := spotcheck.plan_items_in_force(c.agency, ARRAY(SELECT i.item_id FROM spotcheck.special_campaign_items i WHERE i.campaign = c.id),
                                           m, pg_catalog.format('campaign "%s"', c.code));
    decl := COALESCE(entropy_declaration, c.entropy_declaration, ap.entropy_declaration);
    IF decl IS NULL OR pg_catalog.btrim(decl) = '' THEN
        RAISE EXCEPTION 'the plan of campaign "%" for % needs an entropy declaration', c.code, spotcheck.plan_month_label(m)
            USING ERRCODE = '22023', HINT = 'Pass entropy_declaration, or set it in the campaign or the annual plan.';
    END IF;

    INSERT INTO spotcheck.plan (kind, agency, partner, scope_agencies, year, month, campaign, alongside, parameters, items,
                                team_size, partner_team_size, deadline, entropy_declaration, drawn_at, drawn_by, drawn_xid)
    VALUES (kind, c.agency, c.partner, ARRAY[c.agency], ap.year, m, c.id, alongside,
            spotcheck.plan_parameters(ap) || pg_catalog.jsonb_build_object('campaign',
                pg_catalog.to_jsonb(c) - 'created_by' - 'created_at'
                || pg_catalog.jsonb_build_object('items', (SELECT COALESCE(pg_catalog.jsonb_agg(i.item_id ORDER BY i.item_id), '[]')
                                                             FROM spotcheck.special_campaign_items i WHERE i.campaign = c.id))),
            items, c.team_size, c.partner_team_size, spotcheck.plan_deadline(ap, m), decl,
            now_ts, spotcheck.caller(), pg_catalog.pg_current_xact_id())
    RETURNING id INTO pid;

    PERFORM spotcheck.plan_fill(pid);
    SELECT pg_catalog.count(*) INTO eligible FROM spotcheck.plan_pool x WHERE x.plan = pid;
    IF c.count IS NOT NULL THEN
        IF c.count > eligible THEN
            RAISE EXCEPTION 'campaign "%" draws %, more than the % eligible units in its scope (%)', c.code, c.count, eligible,
                            spotcheck.plan_month_label(m)
                USING ERRCODE = '22023',
                      HINT = 'Lower the campaign''s count, give a ratio, or widen its scope; spotcheck.plan_exclusions of the attempt is not kept, but spotcheck.explain_exclusion says why a unit is left out.';
        END IF;
        q := c.count;
    ELSE
        q := pg_catalog.ceil(c.ratio * eligible / 100)::integer;
    END IF;
    INSERT INTO spotcheck.plan_strata (plan, stratum, eligible, quota, rule, details)
    VALUES (pid, kind, eligible, q,
            CASE WHEN c.count IS NOT NULL THEN pg_catalog.format('campaign count %s', q)
                 ELSE pg_catalog.format('ceil(%s%% of %s eligible) = %s', c.ratio, eligible, q) END,
            pg_catalog.jsonb_build_object('campaign', c.code));
    PERFORM spotcheck.plan_commit_draws(pid, pg_catalog.jsonb_build_object(kind, q));
    RETURN pid;
END
$$;

-- The campaign a caller draws: it exists and the caller plans for its agency.
CREATE FUNCTION spotcheck.plan_require_campaign(campaign bigint, joint boolean) RETURNS spotcheck.special_campaigns
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    c spotcheck.special_campaigns;
BEGIN
    SELECT * INTO c FROM spotcheck.special_campaigns x WHERE x.id = campaign;
    IF NOT FOUND OR NOT spotcheck.caller_may_read(c.agency) THEN
        RAISE EXCEPTION 'campaign % does not exist', COALESCE(campaign::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.special_campaigns lists the campaigns you may read.';
    END IF;
    PERFORM spotcheck.require_agency_role(c.agency, ARRAY['spotcheck_admin', 'spotcheck_planner']::name[],
                                          pg_catalog.format('draw campaign "%s"', c.code));
    IF joint AND c.partner IS NULL THEN
        RAISE EXCEPTION 'campaign "%" has no partner department: it is a special campaign', c.code
            USING ERRCODE = '22023', HINT = 'Draw it with spotcheck.plan_special, or set its partner.';
    ELSIF NOT joint AND c.partner IS NOT NULL THEN
        RAISE EXCEPTION 'campaign "%" is a joint check with "%"', c.code, c.partner
            USING ERRCODE = '22023', HINT = 'Draw it with spotcheck.plan_joint.';
    END IF;
    RETURN c;
END
$$;

CREATE FUNCTION spotcheck.plan_special(campaign bigint, month date, entropy_declaration text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m date := spotcheck.plan_require_month(month, 'special campaign''s plan');
BEGIN
    PERFORM spotcheck.plan_require_campaign(campaign, false);
    RETURN spotcheck.plan_campaign_commit(campaign, m, entropy_declaration, NULL);
END
$$;
COMMENT ON FUNCTION spotcheck.plan_special(bigint, date, text) IS
    'draw a special campaign (专项检查) alone for a month: its own scope, ratio or count and items, one committed draw; returns the plan id';

CREATE FUNCTION spotcheck.plan_joint(campaign bigint, month date, entropy_declaration text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m date := spotcheck.plan_require_month(month, 'joint check''s plan');
BEGIN
    PERFORM spotcheck.plan_require_campaign(campaign, true);
    RETURN spotcheck.plan_campaign_commit(campaign, m, entropy_declaration, NULL);
END
$$;
COMMENT ON FUNCTION spotcheck.plan_joint(bigint, date, text) IS
    'draw a joint check with a partner department for a month: targets and teams of ours, and the partner''s members drawn in a second committed draw; every team has at least one of ours; returns the plan id';

-- plan_month's campaigns drawn alongside: the caller must plan for each
-- campaign's agency, which must be the month's.
CREATE FUNCTION spotcheck.plan_campaign_alongside(campaign bigint, agency text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    c spotcheck.special_campaigns;
BEGIN
    SELECT * INTO c FROM spotcheck.special_campaigns x WHERE x.id = campaign;
    IF NOT FOUND OR NOT spotcheck.caller_may_read(c.agency) THEN
        RAISE EXCEPTION 'campaign % does not exist', COALESCE(campaign::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.special_campaigns lists the campaigns you may read.';
    END IF;
    IF c.agency <> agency THEN
        RAISE EXCEPTION 'campaign "%" belongs to agency "%", not "%"', c.code, c.agency, agency
            USING ERRCODE = '22023', HINT = 'Draw alongside a monthly plan only the campaigns of the same agency.';
    END IF;
END
$$;

REVOKE ALL ON spotcheck.special_campaigns, spotcheck.special_campaign_items FROM PUBLIC;
GRANT SELECT ON spotcheck.special_campaigns, spotcheck.special_campaign_items
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT INSERT, UPDATE, DELETE ON spotcheck.special_campaigns, spotcheck.special_campaign_items
    TO spotcheck_admin, spotcheck_planner;
GRANT EXECUTE ON FUNCTION spotcheck.plan_special(bigint, date, text), spotcheck.plan_joint(bigint, date, text)
    TO spotcheck_admin, spotcheck_planner;
