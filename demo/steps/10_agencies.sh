#!/usr/bin/env bash
# The corps, the detachment and the 文昌湖 brigade; the login roles of the
# brigade's planner, its head, the detachment's upper-level officer, an
# administrator, the brigade's 24 inspectors and a portal's reporting account.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

say "agencies (Article 5): corps → detachment → brigade, and a partner department"
P -q <<'SQL'
INSERT INTO spotcheck.agencies (code, name, level, parent, region) VALUES
    ('SD', '山东省消防救援总队', 'corps', NULL, '370000'),
    ('ZB', '淄博市消防救援支队', 'detachment', 'SD', '370300'),
    ('WCH', '淄博文昌湖省级旅游度假区消防救援大队', 'brigade', 'ZB', '370390'),
    ('ZBSJ', '淄博市市场监督管理局', 'department', 'ZB', '370300');
DO $$ DECLARE r text[]; BEGIN
    FOREACH r SLICE 1 IN ARRAY ARRAY[['admin_zb', 'spotcheck_admin'], ['planner_wch', 'spotcheck_planner'],
            ['head_wch', 'spotcheck_head'], ['upper_zb', 'spotcheck_upper'], ['portal', 'spotcheck_public']] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r[1]) THEN
            EXECUTE format('CREATE ROLE %I LOGIN IN ROLE %I', r[1], r[2]);
        END IF;
    END LOOP;
    -- one login per inspector, to record results as that inspector
    FOR i IN 1..24 LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = format('insp_wch_%s', lpad(i::text, 3, '0'))) THEN
            EXECUTE format('CREATE ROLE %I LOGIN IN ROLE spotcheck_inspector', format('insp_wch_%s', lpad(i::text, 3, '0')));
        END IF;
    END LOOP;
END $$;
INSERT INTO spotcheck.agency_members (member, agency)
VALUES ('planner_wch', 'WCH'), ('head_wch', 'WCH'), ('upper_zb', 'ZB')
UNION ALL SELECT format('insp_wch_%s', lpad(i::text, 3, '0')), 'WCH' FROM generate_series(1, 24) i;
SQL
P -c "SELECT a.code, a.level, a.parent, a.name,
             (SELECT string_agg(m.member, ', ' ORDER BY m.member) FILTER (WHERE m.member NOT LIKE 'insp\_%')
                     || coalesce(' + ' || nullif(count(*) FILTER (WHERE m.member LIKE 'insp\_%'), 0) || ' inspectors', '')
                FROM spotcheck.agency_members m WHERE m.agency = a.code) AS members
        FROM spotcheck.agencies a ORDER BY a.level <> 'corps', a.level <> 'detachment', a.code"
