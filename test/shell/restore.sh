#!/usr/bin/env bash
# A DBA's plain dump and restore commands keep everything and record nothing:
# a database full of registries (a bulk load with rejects, a unit whose code
# is a recorded exception, a detachment edited after its brigades), draws
# (executed with teams, committed, abandoned), calendar rows added and
# shipped ones corrected, audit notes,
# and a month's plan with all that follows it (published, a member
# reassigned, approved and filed, a target removed and replaced, a deadline
# amended, results recorded, corrected and published, objections, the
# settings and bindings of the disclosure) is dumped and restored with
#   pg_dump -Fc + pg_restore -d           (and pg_restore -j 2)
#   pg_dump | psql -v ON_ERROR_STOP=1
#   pg_dumpall | psql into a fresh cluster
# and each copy holds exactly the source's rows in every table of the
# extension, the chain verifies against a head published before the dump, the
# history, every draw and every plan verify, the compliance report and the
# disclosure read as before, sequences continue, and the rules for new rows
# hold again.  Restoring into a database whose spotcheck holds newer data
# is refused, clearly, with nothing merged and no sequence set back.  Runs
# against the cluster test/run started; starts a second cluster of its own
# for pg_dumpall; prints TAP.
set -uo pipefail
src=restore_src
copies="restore_fc restore_j2 restore_sql restore_clean"
work=$(mktemp -d)
chmod 755 "$work"
. "$(dirname "$0")/lib/tap.bash"
. "$(dirname "$0")/lib/cluster.bash"
cleanup() {
    extra_cluster_stop
    rm -rf "$work"
    for d in $src $copies; do dropdb --if-exists "$d" 2>/dev/null; done
    drop_roles
}
roles="tap_restore_planner tap_restore_head tap_restore_upper tap_restore_inspector"
drop_roles() { for r in $roles; do psql -qAtX -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done; }
trap cleanup EXIT

q() { local db=$1; shift; psql -qAtX -v ON_ERROR_STOP=1 -d "$db" -c "$*"; }
as() { local who=$1 db=$2; shift 2; psql -qAtX -v ON_ERROR_STOP=1 -U "$who" -d "$db" -c "$*"; }
qx() { local db=$1; shift; PGHOST=$EXTRA_DIR PGPORT=$EXTRA_PORT PGUSER=restorer psql -qAtX -v ON_ERROR_STOP=1 -d "$db" -c "$*"; }

# One line per configuration table of the extension: name=rows:md5 of its rows.
DIGESTS="SELECT string_agg(c.rel::regclass::text || '=' || d.v, E'\n' ORDER BY c.rel::regclass::text)
           FROM pg_extension e, unnest(e.extconfig) AS c(rel),
                LATERAL (SELECT (xpath('/row/v/text()', query_to_xml(format(
                    'SELECT count(*) || '':'' || md5(coalesce(string_agg(x::text, E''\n'' ORDER BY x::text), '''')) AS v FROM %s x',
                    c.rel::regclass), false, true, '')))[1]::text AS v) d
          WHERE e.extname = 'spotcheck'"
# The extension's sequences and where they stand.
SEQUENCES="SELECT string_agg(s.seqrelid::regclass::text || '=' || coalesce(p.last_value::text, '-'), ' ' ORDER BY 1)
             FROM pg_sequence s JOIN pg_sequences p ON p.schemaname || '.' || p.sequencename = s.seqrelid::regclass::text
            WHERE s.seqrelid::regclass::text LIKE 'spotcheck.%'"

echo "1..73"
for d in $src $copies; do dropdb --if-exists "$d" 2>/dev/null; done
drop_roles
createdb "$src" && q "$src" "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $src"; exit 1; }
q postgres "CREATE ROLE tap_restore_planner LOGIN IN ROLE spotcheck_planner;
            CREATE ROLE tap_restore_head LOGIN IN ROLE spotcheck_head;
            CREATE ROLE tap_restore_upper LOGIN IN ROLE spotcheck_upper;
            CREATE ROLE tap_restore_inspector LOGIN IN ROLE spotcheck_inspector" >/dev/null

psql -qX -v ON_ERROR_STOP=1 -d "$src" >/dev/null <<'SQL' || { echo "Bail out! could not fill $src"; exit 1; }
SET search_path = spotcheck, public;
INSERT INTO agencies VALUES ('SD', '总队', 'corps', NULL), ('ZB', '支队', 'detachment', 'SD'),
    ('ZD', '张店大队', 'brigade', 'ZB'), ('WCH', '文昌湖大队', 'brigade', 'ZB');
-- edited once its brigades exist: its row now comes after theirs
UPDATE agencies SET name = '淄博支队' WHERE code = 'ZB';
INSERT INTO agency_members (member, agency) VALUES ('tap_restore_planner', 'ZD'), ('tap_restore_head', 'ZD'),
    ('tap_restore_upper', 'ZB'), ('tap_restore_inspector', 'ZD');
INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year, valid_from)
    VALUES ('ZB', 'ZB-01', '责任制', '消防法', '内容', '{实地检查}', 5, 1, '2024-01-01');
INSERT INTO check_items (agency, code, parent_item, ratio, valid_from)
    SELECT 'ZD', 'ZD-01', id, 8, '2024-02-01' FROM check_items WHERE code = 'ZB-01';
INSERT INTO check_item_uses (item_id, used_by) SELECT id, 'plan:2026-01' FROM check_items WHERE code = 'ZD-01';
-- a unit whose code is a recorded exception (pg_dump writes units before the exceptions)
INSERT INTO unit_code_exceptions (code, agency, reason) VALUES ('91350100M000100Y44', 'ZD', '登记机关确认');
INSERT INTO units (code, name, address, responsible_person, unit_type, agency) VALUES
    ('91350100M000100Y44', '例外单位', '地址', '人', '企业', 'ZD'),
    ('370303200012345', '老字号', '地址', '人', '个体工商户', 'ZD');
UPDATE units SET credit_class = 'B' WHERE code = '370303200012345';
INSERT INTO inspectors (code, name, agency, certificate_no)
    SELECT 'ZD-' || i, '检查员' || i, 'ZD', 'C-' || i FROM generate_series(1, 6) i;
INSERT INTO inspector_absences (inspector, starts, ends, reason) VALUES
    ('ZD-1', '2026-07-01', '2026-07-03', 'leave'), ('ZD-2', '2026-08-01', '2026-08-02', 'training');
INSERT INTO inspector_recusals (inspector, unit, reason) VALUES ('ZD-2', '370303200012345', '亲属');
UPDATE inspectors SET active = false WHERE code = 'ZD-6';
INSERT INTO calendar_years (year, source) VALUES (2027, '国务院办公厅关于2027年部分节假日安排的通知');
INSERT INTO calendar_days (day, kind, name) VALUES ('2027-01-01', 'holiday', '元旦'), ('2027-02-06', 'workday', '春节调休');
UPDATE calendar_days SET name = '元旦节' WHERE day = '2027-01-01';
-- the shipped arrangement corrected: a day's name, a make-up working day
-- cancelled, a year's source (the rows CREATE EXTENSION installs in the copy
-- must give way to these)
UPDATE calendar_days SET name = '春节调休（更正）' WHERE day = '2026-02-14';
UPDATE calendar_days SET kind = 'holiday', name = '国庆节（调整）' WHERE day = '2026-10-10';
UPDATE calendar_years SET source = source || '（修订）' WHERE year = 2025;
SELECT audit_append('plan.note', 'plan:2026-12', 'ZD', '{"units": 12}');
-- a bulk load with rejects, as the brigade's planner
SET ROLE tap_restore_planner;
INSERT INTO unit_staging (code, name, address, responsible_person, unit_type, agency, credit_class)
SELECT b || spotcheck.uscc_check_char(b)::text, '单位' || i, '地址', '人', '企业', 'ZD', CASE WHEN i % 50 = 0 THEN 'X' ELSE 'A' END
  FROM (SELECT i, '91370303' || o || CASE 11 - s % 11 WHEN 10 THEN 'X' WHEN 11 THEN '0' ELSE (11 - s % 11)::text END AS b
          FROM (SELECT i, o, (SELECT sum(substr(o, k::int, 1)::int * w)
                                FROM unnest(ARRAY[3,7,9,10,5,8,4,2]) WITH ORDINALITY AS x(w, k)) AS s
                  FROM (SELECT i, lpad(i::text, 8, '0') AS o FROM generate_series(1, 300) i) a) b) c;
SELECT load_units('restore-test.csv');
RESET ROLE;
-- draws over the brigade's directory: executed with teams, committed, abandoned
CREATE TABLE public.pool AS
    SELECT code AS key, CASE WHEN credit_class = 'B' THEN 'key' ELSE 'general' END AS stratum, 1::bigint AS weight
      FROM units WHERE agency = 'ZD' AND code_kind <> 'exception';
CREATE TABLE public.team AS SELECT code AS key FROM inspectors WHERE agency = 'ZD' AND active;
CREATE TABLE public.recusals AS SELECT inspector, unit AS target FROM inspector_recusals;
CREATE TABLE public.draws AS
    SELECT commit_draw('public.pool', '{"general": 6, "key": 1}', 'witnesses: three numbers',
                       'public.team', 2, 'public.recusals', agency => 'ZD') AS executed,
           commit_draw('public.pool', '{"general": 3, "key": 0}', 'none', agency => 'ZD') AS committed,
           commit_draw('public.pool', '{"general": 1, "key": 0}', 'none', agency => 'ZD') AS abandoned;
SQL
q "$src" "SELECT spotcheck.execute_draw(executed, '381204 550129 907731') FROM public.draws" >/dev/null &&
q "$src" "SELECT spotcheck.abandon_draw(abandoned, 'superseded') FROM public.draws" >/dev/null ||
    { echo "Bail out! could not run the draws"; exit 1; }

# This month's plan of the brigade and all that follows it, each step by its
# own login in a transaction of its own: drawn and executed, published; a
# member reassigned (approved, filed); a target removed and replaced, another
# given a new deadline; results recorded by an inspector and by the planner,
# published, one corrected by an upheld objection, another objection open;
# the item list published; a local result category, a shorter publication
# deadline and an inspector's login.
q "$src" "INSERT INTO spotcheck.annual_plans (agency, year, entropy_declaration)
          SELECT 'ZD', date_part('year', now() AT TIME ZONE 'Asia/Shanghai'), 'witnesses: numbers read out at the plan meeting';
          INSERT INTO spotcheck.annual_plan_strata (agency, year, stratum, monthly_ratio)
          SELECT 'ZD', date_part('year', now() AT TIME ZONE 'Asia/Shanghai'), s, 3 FROM unnest(ARRAY['key_crowded', 'key_other', 'general']) s;
          INSERT INTO spotcheck.annual_plan_items (agency, year, item_id)
          SELECT 'ZD', date_part('year', now() AT TIME ZONE 'Asia/Shanghai'), id FROM spotcheck.check_items WHERE code = 'ZD-01';
          INSERT INTO spotcheck.result_categories (code, name, outcome, inspected, position, source)
          VALUES ('fire_warning', '发现隐患已当场警告', 'violation', true, 20, 'local');
          INSERT INTO spotcheck.disclosure_settings (agency, result_publish_days) VALUES ('ZB', 15)" >/dev/null \
    || { echo "Bail out! could not lay out the annual plan"; exit 1; }
plan=$(PGOPTIONS="-c client_min_messages=error" as tap_restore_planner "$src" \
           "SELECT spotcheck.plan_month('ZD', date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date)") &&
as tap_restore_planner "$src" "SELECT spotcheck.execute_plan($plan, '118 204 377')" >/dev/null &&
as tap_restore_planner "$src" "SELECT spotcheck.publish_plan($plan)" >/dev/null ||
    { echo "Bail out! could not draw, execute and publish the plan"; exit 1; }
target() { q "$src" "SELECT target FROM spotcheck.plan_targets WHERE plan = $plan ORDER BY target OFFSET $1 LIMIT 1"; }
t1=$(target 0); t2=$(target 1); t3=$(target 2); t4=$(target 3); t5=$(target 4)
u2=$(q "$src" "SELECT unit FROM spotcheck.plan_target WHERE id = $t2")
u3=$(q "$src" "SELECT unit FROM spotcheck.plan_target WHERE id = $t3")
{ ra=$(as tap_restore_planner "$src" "SELECT spotcheck.request_reassignment((SELECT team_member FROM spotcheck.plan_team
                                                                              WHERE target = $t1 AND member = 1), 'leave', '年休假')") &&
  as tap_restore_head "$src" "SELECT spotcheck.approve_reassignment($ra, true, '同意')" >/dev/null &&
  as tap_restore_upper "$src" "SELECT spotcheck.file_reassignment($ra, '支队备案')" >/dev/null &&
  am=$(as tap_restore_planner "$src" "SELECT spotcheck.request_amendment($plan, 'remove', '$u2', 'closed', '注销通知')") &&
  as tap_restore_upper "$src" "SELECT spotcheck.decide_amendment($am, true, '同意')" >/dev/null &&
  am=$(as tap_restore_planner "$src" "SELECT spotcheck.request_amendment($plan, 'replace', '$u2', '补足抽查数量', '替换已注销单位')") &&
  as tap_restore_upper "$src" "SELECT spotcheck.decide_amendment($am, true, '同意补抽')" >/dev/null &&
  am=$(as tap_restore_planner "$src" "SELECT spotcheck.request_amendment($plan, 'deadline', '$u3', '道路施工', '施工通知',
                                                                           spotcheck.plan_month_end(date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date) - 1)") &&
  as tap_restore_upper "$src" "SELECT spotcheck.decide_amendment($am, false, '不同意')" >/dev/null; } ||
    { echo "Bail out! could not reassign and amend"; exit 1; }
{ q "$src" "INSERT INTO spotcheck.inspector_logins (login, inspector)
            SELECT 'tap_restore_inspector', inspector FROM spotcheck.plan_team WHERE target = $t4 AND member = 1" >/dev/null &&
  r4=$(as tap_restore_inspector "$src" "SELECT spotcheck.record_result($t4, (now() AT TIME ZONE 'Asia/Shanghai')::date, 'no_problem',
                                            '按清单检查，未发现问题', '实地检查',
                                            ARRAY(SELECT inspector FROM spotcheck.plan_team WHERE target = $t4 ORDER BY member), ARRAY['DSJ-R-4'])") &&
  r5=$(as tap_restore_planner "$src" "SELECT spotcheck.record_result($t5, (now() AT TIME ZONE 'Asia/Shanghai')::date, 'fire_warning',
                                          '灭火器过期，当场警告', '实地检查',
                                          ARRAY(SELECT inspector FROM spotcheck.plan_team WHERE target = $t5 ORDER BY member), ARRAY['DSJ-R-5'],
                                          summary => '灭火器过期，已当场警告')") &&
  as tap_restore_planner "$src" "SELECT spotcheck.publish_results($plan), spotcheck.publish_item_list('ZD')" >/dev/null &&
  o4=$(as tap_restore_head "$src" "SELECT spotcheck.file_objection($r4, '单位称消防通道并未堵塞', channel => 'letter')") &&
  as tap_restore_head "$src" "SELECT spotcheck.resolve_objection($o4, 'upheld', '调取执法记录仪视频核实', category => 'problem_corrected',
                                                                 findings => '消防通道堵塞，已当场改正')" >/dev/null &&
  as tap_restore_head "$src" "SELECT spotcheck.file_objection($r5, '单位对结果有异议')" >/dev/null; } ||
    { echo "Bail out! could not record, publish and object"; exit 1; }

# the head an upper level would have been handed before the dump
head=$(q "$src" "SELECT seq || ':' || hash_hex FROM spotcheck.audit_head()")
before=$(q "$src" "$DIGESTS")
tables=$(q "$src" "SELECT count(*) FROM spotcheck.restore_tables()")
[ -n "$before" ] && [ "$(grep -c '=' <<<"$before")" -eq "$tables" ] \
    || { echo "Bail out! could not read every table of the source: $before"; exit 1; }
draws_before=$(q "$src" "SELECT string_agg(draw || ':' || state, ',' ORDER BY draw) FROM spotcheck.draws WHERE draw <= 3")
history_rows=$(q "$src" "SELECT count(*) FROM spotcheck.verify_registry_history()")
check "the source holds the loaded units, history and draws" "t" \
    "$(q "$src" "SELECT (SELECT count(*) FROM spotcheck.units) > 290 AND $history_rows > 0
                        AND '$draws_before' = '1:executed,2:committed,3:abandoned'")"
check "and a published plan, a filed reassignment, approved and rejected amendments, results, a correction, publications, objections" \
    "1|1|2|1|3|1|5|2|1|1" \
    "$(q "$src" "SELECT (SELECT count(*) FROM spotcheck.plan WHERE id = $plan) || '|' ||
                        (SELECT count(*) FROM spotcheck.reassignments WHERE filed_at IS NOT NULL) || '|' ||
                        (SELECT count(*) FROM spotcheck.plan_amendments WHERE state = 'approved') || '|' ||
                        (SELECT count(*) FROM spotcheck.plan_amendments WHERE state = 'rejected') || '|' ||
                        (SELECT count(*) FROM spotcheck.inspection_results) || '|' ||
                        (SELECT count(*) FROM spotcheck.inspection_results WHERE corrects IS NOT NULL) || '|' ||
                        (SELECT count(*) FROM spotcheck.publications) || '|' ||
                        (SELECT count(*) FROM spotcheck.objections) || '|' ||
                        (SELECT count(*) FROM spotcheck.inspector_logins) || '|' ||
                        (SELECT count(*) FROM spotcheck.disclosure_settings WHERE NOT shipped)")"
# what the plan reads as: its verification, its compliance report, its disclosure
PLAN_READING="SELECT (SELECT count(*) FROM spotcheck.verify_plan($plan) WHERE NOT ok) || '|' ||
                     (SELECT md5(string_agg(c::text, E'\n' ORDER BY c.line)) FROM spotcheck.compliance_report($plan) c) || '|' ||
                     md5((spotcheck.disclosure_package($plan) - 'generated_at')::text)"
plan_reading=$(q "$src" "$PLAN_READING")
# every sequence a table of the extension owns, against the largest value its column holds
SEQUENCES_AHEAD="SELECT count(*) FILTER (WHERE x.m > coalesce(p.last_value, 0)) || '|' || count(*)
                   FROM pg_extension e, unnest(e.extconfig) AS c(rel)
                   JOIN pg_depend d ON d.refobjid = c.rel AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                                   AND d.deptype IN ('a', 'i')
                   JOIN pg_class k ON k.oid = d.objid AND k.relkind = 'S'
                   JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                   JOIN pg_sequences p ON p.schemaname = 'spotcheck' AND p.sequencename = k.relname
                   CROSS JOIN LATERAL (SELECT coalesce((xpath('/row/m/text()', query_to_xml(format('SELECT max(%I) AS m FROM %s', a.attname,
                                                        c.rel::regclass), false, true, '')))[1]::text::bigint, 0) AS m) x
                  WHERE e.extname = 'spotcheck'"
owned_sequences=$(q "$src" "$SEQUENCES_AHEAD")
draw_max=$(q "$src" "SELECT max(id) FROM spotcheck.draw")

pg_dump -Fc -d "$src" -f "$work/src.dump" 2>"$work/dump.err" && pg_dump -d "$src" -f "$work/src.sql" 2>>"$work/dump.err" \
    || { echo "Bail out! pg_dump failed"; sed 's/^/# /' "$work/dump.err"; exit 1; }

item_max=$(q "$src" "SELECT max(id) FROM spotcheck.check_items")
absence_max=$(q "$src" "SELECT max(id) FROM spotcheck.inspector_absences")

# check_copy DB LABEL [QUERY-FUNCTION] — what a restored copy must satisfy
check_copy() {
    local db=$1 what=$2 run=${3:-q}
    check "$what: every table of the extension holds exactly the source's rows" "$before" "$($run "$db" "$DIGESTS")"
    check "$what: every table was restored, once" "$tables|$tables" \
        "$($run "$db" "SELECT count(*) || '|' || count(DISTINCT table_name) FROM spotcheck.restored_tables")"
    check "$what: the chain verifies against the head published before the dump" "t" \
        "$($run "$db" "SELECT ok FROM spotcheck.verify_audit_chain(${head%%:*}, decode('${head#*:}', 'hex'))")"
    check "$what: the restore recorded nothing (head as published, nothing pending)" "${head%%:*}|0" \
        "$($run "$db" "SELECT (SELECT seq FROM spotcheck.audit_head()) || '|' || (SELECT count(*) FROM spotcheck.audit_pending)")"
    check "$what: the history verifies" "$history_rows|true" \
        "$($run "$db" "SELECT count(*) || '|' || bool_and(ok) FROM spotcheck.verify_registry_history()")"
    check "$what: the plan and its changes verify, its compliance report and its disclosure read as in the source" "$plan_reading" \
        "$($run "$db" "$PLAN_READING")"
    check "$what: every sequence a table owns is past the largest value the table holds" "$owned_sequences" \
        "$($run "$db" "$SEQUENCES_AHEAD")"
    check "$what: every draw verifies (the executed one in full, the others up to their execution)" "0|0" \
        "$($run "$db" "SELECT count(*) FILTER (WHERE v.check_name <> 'executed') || '|' || count(*) FILTER (WHERE s.state = 'executed')
                         FROM spotcheck.draws s, spotcheck.verify_draw(s.draw) v WHERE NOT v.ok")"
    check "$what: the calendar year added before the dump counts working days" "2027-01-04" \
        "$($run "$db" "SELECT spotcheck.add_working_days('2026-12-31', 1)")"
    check "$what: the corrected shipped days and year are the source's, the others as shipped" \
        "2026-02-14 workday 春节调休（更正） f|2026-10-10 holiday 国庆节（调整） f|f|2025:f 2026:t|70:72" \
        "$($run "$db" "SELECT (SELECT string_agg(concat_ws(' ', day, kind, name, shipped::text::char), '|' ORDER BY day)
                                 FROM spotcheck.calendar_days WHERE day IN ('2026-02-14', '2026-10-10'))
                         || '|' || spotcheck.is_working_day('2026-10-10')::text::char
                         || '|' || (SELECT string_agg(year || ':' || shipped::text::char, ' ' ORDER BY year)
                                      FROM spotcheck.calendar_years WHERE year < 2027)
                         || '|' || (SELECT count(*) FILTER (WHERE shipped) || ':' || count(*)
                                      FROM spotcheck.calendar_days WHERE day < '2027-01-01')")"
    check "$what: a new unit with a bad code is refused" "22P02" \
        "$($run "$db" "DO \$\$ BEGIN INSERT INTO spotcheck.units (code, name, address, responsible_person, unit_type, agency)
                          VALUES ('91350100M000100Y45', 'n', 'a', 'p', 'x', 'ZD');
                          EXCEPTION WHEN OTHERS THEN RAISE NOTICE '%', SQLSTATE; END \$\$" 2>&1 | sed -n 's/.*NOTICE:  //p')"
    check "$what: a change is recorded once, after the restored history and entries" "t" \
        "$($run "$db" "UPDATE spotcheck.units SET credit_class = 'C' WHERE code = '370303200012345'" >/dev/null
           $run "$db" "SELECT (SELECT count(*) = 1 AND bool_and(id > (SELECT max(id) FROM spotcheck.registry_history WHERE new_row ->> 'credit_class' = 'B'))
                                 FROM spotcheck.registry_history WHERE new_row ->> 'credit_class' = 'C')
                          AND (SELECT count(*) = 1 FROM spotcheck.audit_log WHERE seq > ${head%%:*} AND action = 'units.update')
                          AND (SELECT ok FROM spotcheck.verify_audit_chain(${head%%:*}, decode('${head#*:}', 'hex')))")"
    check "$what: sequences continue (a new item, a new absence)" "t|t" \
        "$($run "$db" "WITH n AS (INSERT INTO spotcheck.check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year)
                                  VALUES ('ZB', 'ZB-02', 't', 'b', 'c', '{书面检查}', 5, 1) RETURNING id)
                       SELECT id > $item_max FROM n")|$($run "$db" "WITH n AS (INSERT INTO spotcheck.inspector_absences (inspector, starts, ends, reason)
                                  VALUES ('ZD-3', '2026-09-01', '2026-09-02', 'leave') RETURNING id)
                       SELECT id > $absence_max FROM n")"
    check "$what: the committed draw executes and verifies; a new draw continues the numbering" "t|0|$((draw_max + 1))" \
        "$($run "$db" "SELECT spotcheck.execute_draw(committed) > 0 FROM public.draws")|$($run "$db" "SELECT count(*) FROM public.draws, spotcheck.verify_draw(committed) v WHERE NOT v.ok")|$($run "$db" "SELECT spotcheck.commit_draw('public.pool', '{\"general\": 1, \"key\": 0}', 'none', agency => 'ZD')")"
}

# 1. pg_dump -Fc; createdb; pg_restore -d — no options
createdb restore_fc
pg_restore -d restore_fc "$work/src.dump" >"$work/fc.out" 2>&1
check "pg_restore -d exits 0 and prints nothing" "0|" "$?|$(cat "$work/fc.out")"
check_copy restore_fc "pg_restore"

# 2. the same with two parallel jobs (tables loaded at once, in any order)
createdb restore_j2
pg_restore -j 2 -d restore_j2 "$work/src.dump" >"$work/j2.out" 2>&1
check "pg_restore -j 2 exits 0 and prints nothing" "0|" "$?|$(cat "$work/j2.out")"
check_copy restore_j2 "pg_restore -j 2"

# 3. a plain SQL dump replayed by psql, stopping at the first error
createdb restore_sql
psql -qX -v ON_ERROR_STOP=1 -d restore_sql -f "$work/src.sql" >"$work/sql.out" 2>&1
check "pg_dump | psql -v ON_ERROR_STOP=1 exits 0 with no error" "0|0" "$?|$(grep -c ERROR "$work/sql.out")"
check_copy restore_sql "pg_dump | psql"

# 3b. a dump that holds the administrator's calendar rows only (as dumps did
#     before the calendar was dumped whole): the restore puts back the shipped
#     arrangement the dump does not carry
awk '/^COPY spotcheck\.calendar_(days|years) / { b = 1; print; next }
     b && /^\\\.$/ { b = 0; print; next }
     b && $NF == "t" { next }
     { print }' "$work/src.sql" >"$work/old.sql"
CALENDAR="SELECT (SELECT md5(string_agg(concat_ws(' ', year, source, shipped), ',' ORDER BY year)) FROM spotcheck.calendar_years)
             || '|' || (SELECT md5(string_agg(concat_ws(' ', day, kind, name, shipped), ',' ORDER BY day)) FROM spotcheck.calendar_days)"
createdb restore_old
psql -qX -v ON_ERROR_STOP=1 -d restore_old -f "$work/old.sql" >"$work/old.out" 2>&1
check "a dump without the shipped calendar rows replays with no error" "0|0|t" \
    "$?|$(grep -c ERROR "$work/old.out")|$([ "$(grep -c $'\tt$' "$work/old.sql")" -lt "$(grep -c $'\tt$' "$work/src.sql")" ] && echo t)"
check "and the copy's calendar is the source's: the shipped arrangement put back, the corrections kept" \
    "$(q "$src" "$CALENDAR")" "$(q restore_old "$CALENDAR")"

# 4. pg_dumpall into a fresh cluster, whose bootstrap superuser is another
#    role so that every statement of the script succeeds
dbs_to_skip=$(q postgres "SELECT string_agg('--exclude-database=' || datname, ' ') FROM pg_database
                          WHERE NOT datistemplate AND datname NOT IN ('postgres', '$src')")
# shellcheck disable=SC2086
pg_dumpall $dbs_to_skip -f "$work/all.sql" 2>"$work/all.err" \
    || { echo "Bail out! pg_dumpall failed"; sed 's/^/# /' "$work/all.err"; exit 1; }
EXTRA_SUPERUSER=restorer extra_cluster_start || { echo "Bail out! cannot start a fresh cluster"; exit 1; }
PGHOST=$EXTRA_DIR PGPORT=$EXTRA_PORT psql -qX -v ON_ERROR_STOP=1 -U restorer -d postgres -f "$work/all.sql" >"$work/all.out" 2>&1
check "pg_dumpall | psql -v ON_ERROR_STOP=1 into a fresh cluster exits 0 with no error" "0|0" "$?|$(grep -c ERROR "$work/all.out")"
check_copy "$src" "pg_dumpall" qx
extra_cluster_stop

# 5. Refused: the source, which has moved on since the dump (a member added,
#    an absence deleted: its row would come back if the dump were merged),
#    is restored into by mistake, in every way.
q "$src" "INSERT INTO spotcheck.agency_members (member, agency) VALUES ('tap_restore_planner', 'WCH');
          DELETE FROM spotcheck.inspector_absences WHERE inspector = 'ZD-2'" >/dev/null
newer=$(q "$src" "$DIGESTS")
newer_seq=$(q "$src" "$SEQUENCES")
pg_restore -d "$src" "$work/src.dump" >"$work/refused.out" 2>&1
check "pg_restore into a database with newer data fails, refusing every table" "1|$tables" \
    "$?|$(grep -c 'cannot restore spotcheck\.[a-z_]* into database .*: spotcheck there already holds data' "$work/refused.out")"
check "and says why, naming the tables that hold data, and what to do" "t" \
    "$(grep -q "cannot restore spotcheck.inspector_absences into database \"$src\": spotcheck there already holds data" "$work/refused.out" \
       && grep -q 'DETAIL:  Rows are held in spotcheck.agencies, spotcheck.agency_members, ' "$work/refused.out" \
       && grep -q 'HINT:  Restore into a new database' "$work/refused.out" && echo t)"
check "and merges nothing: every table as it was" "$newer" "$(q "$src" "$DIGESTS")"
check "and sets no sequence back" "$newer_seq" "$(q "$src" "$SEQUENCES")"
pg_restore -j 2 -d "$src" "$work/src.dump" >"$work/refused_j2.out" 2>&1
check "pg_restore -j 2 into it fails too, refusing every table" "1|$tables" \
    "$?|$(grep -c 'cannot restore spotcheck\.[a-z_]* into database .*: spotcheck there already holds data' "$work/refused_j2.out")"
check "and merges nothing" "$newer|$newer_seq" "$(q "$src" "$DIGESTS")|$(q "$src" "$SEQUENCES")"
psql -qX -v ON_ERROR_STOP=1 -d "$src" -f "$work/src.sql" >"$work/refused_sql.out" 2>&1
check "pg_dump | psql -v ON_ERROR_STOP=1 into it stops at its first error" "3" "$?"
check "and merges nothing" "$newer|$newer_seq" "$(q "$src" "$DIGESTS")|$(q "$src" "$SEQUENCES")"

# 6. What the refusal's hint offers: pg_restore --clean replaces the data.
createdb restore_clean && q restore_clean "CREATE EXTENSION spotcheck" >/dev/null
q restore_clean "INSERT INTO spotcheck.agencies VALUES ('X1', '别的', 'corps', NULL)" >/dev/null
pg_restore --clean --if-exists -d restore_clean "$work/src.dump" >"$work/clean.out" 2>&1
check "pg_restore --clean into a database with other data replaces it" "0|$before" "$?|$(q restore_clean "$DIGESTS")"
