-- Floating weights (Article 17): the rules, their resolution by agency, and
-- explain_weight: each factor, the rule that gave it, and the product.
\i sql/plan_setup.psql
SELECT factor, match, multiplier, label FROM weight_rules WHERE shipped ORDER BY factor, match;
-- bad rules
SELECT pg_temp.try($$INSERT INTO weight_rules (agency, factor, match, multiplier) VALUES ('WCH', 'size', 'big', 2)$$);
SELECT pg_temp.try($$INSERT INTO weight_rules (agency, factor, match, multiplier) VALUES ('WCH', 'credit_class', 'E', 2)$$);
SELECT pg_temp.try($$INSERT INTO weight_rules (agency, factor, match, multiplier) VALUES ('WCH', 'risk_level', '5', 2)$$);
SELECT pg_temp.try($$INSERT INTO weight_rules (agency, factor, match, multiplier) VALUES ('WCH', 'duty', 'excellent', 2)$$);
SELECT pg_temp.try($$INSERT INTO weight_rules (agency, factor, match, multiplier) VALUES ('WCH', 'signals', 'many', 2)$$);
SELECT pg_temp.try($$INSERT INTO weight_rules (agency, factor, match, multiplier) VALUES ('WCH', 'credit_class', 'D', 0)$$);
SELECT pg_temp.try($$INSERT INTO weight_rules (agency, factor, match, multiplier) VALUES ('WCH', 'credit_class', 'D', 300)$$);
SELECT pg_temp.try($$INSERT INTO weight_rules (agency, factor, match, multiplier, valid_from, valid_to) VALUES ('WCH', 'credit_class', 'D', 9, '2026-05-01', '2026-04-01')$$);
SELECT pg_temp.try($$INSERT INTO weight_rules (agency, factor, match, multiplier) VALUES ('NOPE', 'credit_class', 'D', 9)$$);
SELECT pg_temp.try($$INSERT INTO weight_rules (agency, factor, match, multiplier, shipped) VALUES (NULL, 'credit_class', 'D', 9, true)$$);
SELECT pg_temp.try($$UPDATE weight_rules SET multiplier = 9 WHERE shipped AND factor = 'credit_class' AND match = 'D'$$);
SELECT pg_temp.try($$DELETE FROM weight_rules WHERE shipped$$);
-- the detachment weighs credit class D more for its brigades from 2026; spelling is normalised
SELECT pg_temp.try($$INSERT INTO weight_rules (agency, factor, match, multiplier, label, valid_from) VALUES ('ZB', ' Credit_Class ', 'd', 10, '淄博支队：D级单位加权', '2026-01-01')$$);
SELECT pg_temp.try($$INSERT INTO weight_rules (agency, factor, match, multiplier, valid_from) VALUES ('ZB', 'credit_class', 'D', 12, '2026-06-01')$$);
SELECT pg_temp.try($$INSERT INTO weight_rules (agency, factor, match, multiplier, label, valid_from) VALUES ('WCH', 'signals', '05', 5, '文昌湖：风险信号5条以上', '2026-01-01')$$);
SELECT factor, match, multiplier, agency FROM weight_rules_in_force('WCH', '2026-06-01') ORDER BY factor, match;
SELECT factor, match, multiplier, agency FROM weight_rules_in_force('WCH', '2025-06-01') WHERE factor = 'credit_class' AND match = 'D';
SELECT count(*) AS missing FROM weight_rules_missing('WCH', '2026-06-01');

-- explain_weight: unit 10 (WCH, key unit, credit B, risk 3) was penalised in March;
-- unit 20 (credit C, risk 1) had an IoT alarm on 20 May; unit 7 is of credit class D
SELECT factor, input, rule_agency, rule_label, multiplier, note FROM explain_weight(pg_temp.code(10), '2026-06-01');
SELECT factor, input, rule_agency, multiplier FROM explain_weight(pg_temp.code(10), '2027-04-01') WHERE factor IN ('duty', 'weight');
SELECT factor, input, rule_agency, multiplier FROM explain_weight(pg_temp.code(20), '2026-06-01') WHERE factor IN ('signals', 'weight');
SELECT factor, input, rule_agency, multiplier FROM explain_weight(pg_temp.code(20), '2026-09-01') WHERE factor IN ('signals', 'weight');
SELECT factor, input, rule_agency, rule_label, multiplier FROM explain_weight(pg_temp.code(7), '2026-06-01') WHERE factor IN ('credit_class', 'weight');
SELECT factor, input, multiplier, note FROM explain_weight(pg_temp.code(7), '2025-06-01') WHERE factor IN ('credit_class', 'weight');
SELECT pg_temp.try($$SELECT * FROM explain_weight('91350100M000100Y43', '2026-06-01')$$);
SELECT pg_temp.try($$SELECT * FROM explain_weight(pg_temp.code(7), NULL)$$);
