-- The evidence the weights read: inspection outcomes and risk signals.
\i sql/plan_setup.psql
SELECT pg_temp.try(format($$INSERT INTO inspection_outcomes (unit, agency, observed_on, outcome, source, source_ref)
                            VALUES (%L, 'WCH', '2026-03-02', ' Penalised ', 'provincial_platform', 'SD-2026-1')$$, pg_temp.code(10)));
SELECT unit, agency, observed_on, outcome, source FROM inspection_outcomes;
SELECT pg_temp.try(format($$INSERT INTO inspection_outcomes (unit, agency, observed_on, outcome, source, source_ref)
                            VALUES (%L, 'WCH', '2026-03-02', 'penalised', 'provincial_platform', 'SD-2026-1')$$, pg_temp.code(10)));
SELECT pg_temp.try($$INSERT INTO inspection_outcomes (unit, agency, observed_on, outcome, source) VALUES ('91350100M000100Y43', 'WCH', '2026-03-02', 'compliant', 'manual')$$);
SELECT pg_temp.try(format($$INSERT INTO inspection_outcomes (unit, agency, observed_on, outcome, source) VALUES (%L, 'WCH', '2026-03-02', 'passed', 'manual')$$, pg_temp.code(11)));
SELECT pg_temp.try(format($$INSERT INTO inspection_outcomes (unit, agency, observed_on, outcome, source) VALUES (%L, 'WCH', '2999-01-01', 'compliant', 'manual')$$, pg_temp.code(11)));
SELECT pg_temp.try(format($$INSERT INTO inspection_outcomes (unit, agency, observed_on, outcome, source) VALUES (%L, 'ZD', '2026-03-02', 'compliant', 'manual')$$, pg_temp.code(11)));
SELECT pg_temp.try(format($$INSERT INTO inspection_outcomes (unit, agency, observed_on, outcome, source) VALUES (%L, 'ZB', '2026-03-02', 'violation', ' ')$$, pg_temp.code(11)));
SELECT pg_temp.try(format($$INSERT INTO inspection_outcomes (unit, agency, observed_on, outcome, source) VALUES (%L, 'ZB', '2026-03-02', 'violation', 'detachment_record')$$, pg_temp.code(11)));
-- permanent: voided once, with a reason; never changed or deleted
SELECT pg_temp.try($$UPDATE inspection_outcomes SET outcome = 'compliant' WHERE source_ref = 'SD-2026-1'$$);
SELECT pg_temp.try($$DELETE FROM inspection_outcomes$$);
SELECT pg_temp.try($$UPDATE inspection_outcomes SET void_reason = '' WHERE source = 'detachment_record'$$);
SELECT pg_temp.try($$UPDATE inspection_outcomes SET void_reason = '录入错误：该单位未被检查' WHERE source = 'detachment_record'$$);
SELECT pg_temp.try($$UPDATE inspection_outcomes SET void_reason = '再次作废' WHERE source = 'detachment_record'$$);
SELECT source, void_reason, voided_at IS NOT NULL AS voided FROM inspection_outcomes ORDER BY id;

SELECT pg_temp.try(format($$INSERT INTO risk_signals (unit, agency, kind, source_system, observed_at, detail)
                            VALUES (%L, 'ZD', ' IoT_Alarm ', '城市消防物联网平台', '2026-05-20 10:00+08', '烟感报警')$$, pg_temp.code(20)));
SELECT unit, agency, kind, source_system FROM risk_signals;
SELECT pg_temp.try(format($$INSERT INTO risk_signals (unit, kind, source_system, observed_at) VALUES (%L, 'rumour', '12345', '2026-05-20')$$, pg_temp.code(20)));
SELECT pg_temp.try(format($$INSERT INTO risk_signals (unit, kind, source_system, observed_at) VALUES (%L, 'complaint', '', '2026-05-20')$$, pg_temp.code(20)));
SELECT pg_temp.try(format($$INSERT INTO risk_signals (unit, kind, source_system, observed_at) VALUES (%L, 'complaint', '12345', NULL)$$, pg_temp.code(20)));
SELECT pg_temp.try($$DELETE FROM risk_signals$$);
SELECT pg_temp.try($$TRUNCATE risk_signals$$);
SELECT action, count(*) FROM audit_log WHERE action LIKE 'inspection_outcomes%' OR action LIKE 'risk_signals%' GROUP BY action ORDER BY action;
