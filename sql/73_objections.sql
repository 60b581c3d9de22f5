-- Objections as a client sees them (Article 21): the due date, three
-- working days after receipt, across the holidays and make-up working days
-- of 2025 and 2026, an error naming a year the calendar lacks; filing by the
-- office and verification by the head, each refusal with its SQLSTATE and
-- message; an upheld objection corrects the published result.  Uses the
-- brigade HT of 71_results.
\i sql/disclosure_setup.psql
SELECT id AS july FROM plan WHERE agency = 'HT' AND month = '2026-07-01' \gset
SELECT id AS gen FROM plan_target WHERE plan = :july AND stratum = 'general' \gset
SELECT id AS ko FROM plan_target WHERE plan = :july AND stratum = 'key_other' \gset
SELECT id AS mc FROM plan_target WHERE plan = :july AND stratum = 'must_cover' \gset
SELECT (current_result(:gen)).id AS r_gen, (current_result(:ko)).id AS r_ko, (current_result(:mc)).id AS r_mc \gset

-- the due date: the third working day after receipt
SELECT received, to_char(received, 'Dy') AS dow, objection_due(received) AS due, to_char(objection_due(received), 'Dy') AS due_dow, why
  FROM (VALUES ('2025-01-24'::date, 'Spring Festival 2025: Sunday 26 January is worked, 28 January to 4 February are off'),
               ('2025-09-26', 'National Day 2025: Sunday 28 September is worked'),
               ('2025-09-29', 'National Day 2025: 1 to 8 October are off'),
               ('2025-12-31', 'New Year 2026: 1 to 3 January are off, Sunday 4 January is worked'),
               ('2026-02-12', 'Spring Festival 2026: Saturday 14 February is worked, 15 to 23 February are off'),
               ('2026-02-13', 'Spring Festival 2026'),
               ('2026-02-27', 'Saturday 28 February is worked'),
               ('2026-04-29', 'Labour Day 2026: 1 to 5 May are off'),
               ('2026-09-17', 'National Day 2026: Sunday 20 September is worked'),
               ('2026-09-30', 'National Day 2026: 1 to 7 October are off, Saturday 10 October is worked'),
               ('2026-12-25', 'the end of 2026'),
               ('2026-12-28', 'the last day of 2026 is a working day')) AS v(received, why)
 ORDER BY received;
-- a due date in a year whose arrangement is not recorded is an error that says so, never a guess
SELECT pg_temp.try($$SELECT objection_due('2026-12-29')$$);
SELECT pg_temp.try($$SELECT objection_due('2026-12-31')$$);
SELECT pg_temp.try($$SELECT objection_due('2024-12-30')$$);
SELECT pg_temp.try($$SELECT objection_due(NULL)$$);
BEGIN;
INSERT INTO calendar_years (year, source) VALUES (2027, 'test arrangement');
INSERT INTO calendar_days (day, kind, name) VALUES ('2027-01-01', 'holiday', '元旦');
SELECT objection_due('2026-12-29') AS once_2027_is_recorded;
ROLLBACK;

-- filing: the office of the publishing agency, for a published result
-- (published in July: the servers' clock is pinned to today, so the results'
-- publication time alone is dated back, with the triggers off)
SET session_replication_role = replica;
UPDATE publications SET published_at = '2026-07-25 09:00+08' WHERE kind = 'result' AND result IN (:r_gen, :r_ko);
SET session_replication_role = origin;
SET ROLE rg_ht_i1;
SELECT pg_temp.try(format($$SELECT file_objection(%s, '异议')$$, :r_gen));
SET ROLE rg_ht_portal;
SELECT pg_temp.try(format($$SELECT file_objection(%s, '异议')$$, :r_gen));
SET ROLE rg_ht_planner;
SELECT pg_temp.try('SELECT file_objection(424242, ''异议'')');
SELECT pg_temp.try(format($$SELECT file_objection(%s, ' ')$$, :r_gen));
SELECT pg_temp.try(format($$SELECT file_objection(%s, '异议', channel => 'fax')$$, :r_gen));
SELECT pg_temp.try(format($$SELECT file_objection(%s, '异议', '2099-01-01')$$, :r_gen));
SELECT pg_temp.try(format($$SELECT file_objection(%s, '异议', '2024-12-30')$$, :r_gen));
SELECT pg_temp.try(format($$SELECT file_objection(%s, '异议', '2026-07-24')$$, :r_gen));
SELECT pg_temp.try(format($$SELECT file_objection(%s, '异议')$$, (SELECT min(id) FROM inspection_results WHERE plan_target = :gen)));
SELECT file_objection(:r_gen, '单位称检查时已提供消防档案', '2026-09-30', 'letter', '来函地址见附件') > 0 AS filed;
SELECT pg_temp.try(format($$SELECT file_objection(%s, '又一份异议')$$, :r_gen));
SELECT file_objection(:r_ko, '单位称货物系临时放置', '2026-07-27', 'in_person') > 0 AS filed;
RESET ROLE;
SELECT u.name, o.channel, o.received_on, o.due_on, o.state, o.filed_by FROM objections o JOIN units u ON u.code = o.unit WHERE o.agency = 'HT' ORDER BY o.received_on;
SELECT u.name, o.received_on, o.due_on FROM overdue_objections o JOIN units u ON u.code = o.unit WHERE o.agency = 'HT' ORDER BY o.received_on;
SELECT id AS o_gen FROM objections WHERE result = :r_gen \gset
SELECT id AS o_ko FROM objections WHERE result = :r_ko \gset

-- verification by the head
SET ROLE rg_ht_planner;
SELECT pg_temp.try(format($$SELECT resolve_objection(%s, 'rejected', '核实')$$, :o_gen));
SET ROLE rg_ht_head;
SELECT pg_temp.try('SELECT resolve_objection(424242, ''rejected'', ''核实'')');
SELECT pg_temp.try(format($$SELECT resolve_objection(%s, 'partly', '核实')$$, :o_gen));
SELECT pg_temp.try(format($$SELECT resolve_objection(%s, 'rejected', ' ')$$, :o_gen));
SELECT pg_temp.try(format($$SELECT resolve_objection(%s, 'rejected', '核实', category => 'no_problem')$$, :o_gen));
SELECT pg_temp.try(format($$SELECT resolve_objection(%s, 'upheld', '核实')$$, :o_gen));
\set SHOW_CONTEXT never
SET client_min_messages = error;
SELECT resolve_objection(:o_gen, 'rejected', '调取执法记录仪视频核实，结论无误') IS NULL AS rejected;
SELECT resolve_objection(:o_ko, 'upheld', '核实：货物系临时放置，检查时已清理', category => 'problem_corrected',
                         findings => '通道临时堆放货物，现场已清理') > 0 AS upheld;
SET client_min_messages = warning;
SELECT pg_temp.try(format($$SELECT resolve_objection(%s, 'upheld', '核实', category => 'no_problem')$$, :o_gen));
RESET ROLE;
SELECT u.name, o.state, o.verification, o.correction IS NOT NULL AS corrected, o.resolved_by FROM objections o JOIN units u ON u.code = o.unit
 WHERE o.agency = 'HT' ORDER BY o.received_on;
SELECT r.category, r.summary, pg_temp.mask(r.correction_reason) AS correction_reason, q.published_by
  FROM objections o JOIN inspection_results r ON r.id = o.correction JOIN publications q ON q.kind = 'result' AND q.result = r.id WHERE o.id = :o_ko;
SELECT action, details->>'outcome' AS outcome, details->>'late' AS late FROM audit_log WHERE action = 'objection.resolve' AND agency = 'HT' ORDER BY seq;
SELECT count(*) AS still_overdue FROM overdue_objections WHERE agency = 'HT';
-- what cannot be changed, not even by the owner
SELECT pg_temp.try(format($$UPDATE objections SET state = 'open' WHERE id = %s$$, :o_ko));
SELECT pg_temp.try($$DELETE FROM objections$$);
SELECT pg_temp.try($$TRUNCATE objections CASCADE$$);
