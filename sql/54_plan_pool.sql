-- The pool: decisions and secondments that keep every unit drawable, the
-- inspector pool, and explain_exclusion before a month is drawn.
\i sql/plan_setup.psql
-- decisions: a unit left out of some months, on a recorded decision
SELECT pg_temp.try(format($$INSERT INTO pool_decisions (agency, unit, first_month, last_month, reason) VALUES ('WCH', %L, '2026-07-01', '2026-07-31', '大队长决定：七月停业装修')$$, pg_temp.code(30)));
SELECT agency, unit, first_month, last_month, reason FROM pool_decisions;
SELECT pg_temp.try(format($$INSERT INTO pool_decisions (agency, unit, first_month, last_month, reason) VALUES ('WCH', %L, '2026-07-01', '2026-08-01', '无')$$, pg_temp.code(31)));
SELECT pg_temp.try(format($$INSERT INTO pool_decisions (agency, unit, first_month, last_month, reason) VALUES ('WCH', %L, '2026-09-01', '2026-08-01', '某某原因说明')$$, pg_temp.code(31)));
SELECT pg_temp.try(format($$INSERT INTO pool_decisions (agency, unit, first_month, last_month, reason) VALUES ('ZD', %L, '2026-07-01', '2026-07-01', '某某原因说明')$$, pg_temp.code(31)));
SELECT pg_temp.try($$INSERT INTO pool_decisions (agency, unit, first_month, last_month, reason) VALUES ('WCH', '91350100M000100Y43', '2026-07-01', '2026-07-01', '某某原因说明')$$);
SELECT pg_temp.try($$UPDATE pool_decisions SET reason = '改变理由' $$);
SELECT pg_temp.try($$DELETE FROM pool_decisions$$);
-- secondments: an upper level's or a partner department's inspector joins a pool
SELECT pg_temp.try($$INSERT INTO inspector_secondments (inspector, agency, starts, ends, reason) VALUES ('ZB-001', 'WCH', '2026-07-01', '2026-07-31', '支队派员支援七月抽查')$$);
SELECT pg_temp.try($$INSERT INTO inspector_secondments (inspector, agency, starts, ends, reason) VALUES ('ZD-001', 'WCH', '2026-07-01', '2026-07-31', '借调')$$);
SELECT pg_temp.try($$INSERT INTO inspector_secondments (inspector, agency, starts, ends, reason) VALUES ('ZD-001', 'WCH', '2026-07-01', '2026-07-31', '借调支援抽查')$$);
SELECT pg_temp.try($$INSERT INTO inspector_secondments (inspector, agency, starts, ends, reason) VALUES ('WCH-001', 'WCH', '2026-07-01', '2026-07-31', '借调支援抽查')$$);
SELECT pg_temp.try($$INSERT INTO inspector_secondments (inspector, agency, starts, ends, reason) VALUES ('NOBODY', 'WCH', '2026-07-01', '2026-07-31', '借调支援抽查')$$);
SELECT pg_temp.try($$INSERT INTO inspector_secondments (inspector, agency, starts, ends, reason) VALUES ('ZBSJ-001', 'WCH', '2026-07-31', '2026-07-01', '联合检查支援')$$);
SELECT inspector, seconded FROM plan_inspector_pool('WCH', '2026-07-01', '2026-07-31') ORDER BY inspector;
SELECT inspector, seconded FROM plan_inspector_pool('WCH', '2026-08-01', '2026-08-31') WHERE seconded;

-- explain_exclusion before WCH's July is drawn: as it would be now
SELECT unit_code = pg_temp.code(n) AS unit, plan_month, plan, in_pool, stratum, weight, reason, detail, owes_minimum, note
  FROM unnest(ARRAY[1, 25, 30, 40, 49]) n, explain_exclusion(pg_temp.code(n), '2026-07-15')
 ORDER BY n;
SELECT unit_code = pg_temp.code(25) AS unit, detail, note FROM explain_exclusion(pg_temp.code(25), '2025-07-01');
SELECT pg_temp.try($$SELECT * FROM explain_exclusion('NOPE', '2026-07-01')$$);
