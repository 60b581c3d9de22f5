#!/usr/bin/env bash
# The disclosure exported as a portal does it, connected as a login granted
# spotcheck_public: every disclosure view written as CSV with \copy and with
# COPY ... TO STDOUT, each parsed by an RFC 4180 reader of its own (perl, no
# module) — header row equal to the view's columns, one record per row,
# valid UTF-8 with the Chinese text, commas, quotes and line breaks intact —
# and loaded back into PostgreSQL equal to the view; and the disclosure
# package of a published plan, each of whose transcripts spotcheck-verify
# checks on its own (a changed copy fails).  Runs against the cluster
# test/run started (PGHOST, PGPORT, PGUSER set); prints TAP.
set -uo pipefail
db=disclosure_export
portal=tap_export_portal
work=$(mktemp -d /tmp/spotcheck-disclosure-export.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"; dropdb --if-exists "$db" 2>/dev/null; psql -qAtX -c "DROP ROLE IF EXISTS $portal" >/dev/null 2>&1' EXIT
VERIFY=${SPOTCHECK_VERIFY:-$(pg_config --bindir)/spotcheck-verify}

. "$(dirname "$0")/lib/tap.bash"
q() { psql -qAtX -v ON_ERROR_STOP=1 -d "$db" -c "$*"; }
qp() { psql -qAtX -v ON_ERROR_STOP=1 -U "$portal" -d "$db" -c "$*"; }

# csv_check FILE — parse FILE as RFC 4180 CSV encoded in UTF-8; print
# "records=N fields=F uniform=0|1" and the header on the next line.
csv_check() {
    perl -e '
        use strict; use warnings; use Encode;
        local $/; open(my $fh, "<:raw", $ARGV[0]) or die "$!"; my $raw = <$fh>;
        my $t = eval { Encode::decode("UTF-8", $raw, Encode::FB_CROAK) };
        if (!defined $t) { print "invalid UTF-8\n"; exit 1; }
        my (@rows, @row, $f); my $i = 0; my $n = length $t;
        while ($i < $n) {
            $f = "";
            if (substr($t, $i, 1) eq q(")) {
                $i++;
                while (1) {
                    die "unterminated quote\n" if $i >= $n;
                    my $c = substr($t, $i, 1);
                    if ($c eq q(")) {
                        if (substr($t, $i + 1, 1) eq q(")) { $f .= q("); $i += 2; next; }
                        $i++; last;
                    }
                    $f .= $c; $i++;
                }
            } else {
                while ($i < $n && substr($t, $i, 1) !~ /[,\n]/) { $f .= substr($t, $i, 1); $i++; }
            }
            push @row, $f;
            my $c = $i < $n ? substr($t, $i, 1) : "\n";
            die "garbage after a field at $i\n" if $c ne "," && $c ne "\n";
            $i++;
            if ($c eq "\n") { push @rows, [@row]; @row = (); }
        }
        my $w = scalar @{$rows[0]};
        my $uniform = (grep { scalar(@$_) != $w } @rows) ? 0 : 1;
        binmode STDOUT, ":encoding(UTF-8)";
        printf "records=%d fields=%d uniform=%d\n", scalar(@rows) - 1, $w, $uniform;
        print join("|", @{$rows[0]}), "\n";
        if ($ARGV[1]) { for my $r (@rows[1 .. $#rows]) { print join("|", @$r), "\n"; } }
    ' "$@"
}

echo "1..19"
dropdb --if-exists "$db" 2>/dev/null
psql -qAtX -c "DROP ROLE IF EXISTS $portal" >/dev/null 2>&1
createdb "$db" && q "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $db"; exit 1; }
psql -qAtX -c "CREATE ROLE $portal LOGIN IN ROLE spotcheck_public" >/dev/null || { echo "Bail out! cannot create $portal"; exit 1; }

# A brigade whose names, addresses and summaries hold commas, quotes, line
# breaks and Chinese text; one plan, executed in a later transaction,
# published with its results and the item list.
psql -qX -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL' || { echo "Bail out! could not fill $db"; exit 1; }
SET search_path = spotcheck, public;
SET client_min_messages = warning;
INSERT INTO agencies (code, name, level, parent, region) VALUES
    ('SD', '山东省消防救援总队', 'corps', NULL, '370000'), ('ZB', '淄博市消防救援支队', 'detachment', 'SD', '370300'),
    ('WCH', '文昌湖消防救援大队', 'brigade', 'ZB', '370390');
CREATE FUNCTION pg_temp.code(n integer) RETURNS text LANGUAGE sql AS $$
    SELECT b || spotcheck.uscc_check_char(b)::text
      FROM (SELECT '91370303' || o || CASE 11 - s % 11 WHEN 10 THEN 'X' WHEN 11 THEN '0' ELSE (11 - s % 11)::text END AS b
              FROM (SELECT o, (SELECT sum(substr(o, k::int, 1)::int * w)
                                 FROM unnest(ARRAY[3,7,9,10,5,8,4,2]) WITH ORDINALITY AS x(w, k)) AS s
                      FROM (SELECT lpad(n::text, 8, '0') AS o) a) b) c
$$;
SET spotcheck.bulk_audit = on;
INSERT INTO units (code, name, address, responsible_person, responsible_phone, unit_type, agency, venue_category, is_key_unit, is_crowded_place, credit_class, risk_level)
SELECT pg_temp.code(i), '淄博"老字号",餐饮店' || i,
       '淄博市周村区文昌湖路' || i || '号,3楼', '负责人' || i, '1390533' || lpad(i::text, 4, '0'), '企业', 'WCH',
       (ARRAY['商场市场', '餐饮场所', '办公场所'])[1 + i % 3], i % 10 = 0, i % 20 = 0, 'B', 2
  FROM generate_series(1, 200) i;
RESET spotcheck.bulk_audit;
INSERT INTO inspectors (code, name, agency, certificate_no, certificate_valid_until)
SELECT 'WCH-' || lpad(i::text, 3, '0'), '检查员' || i, 'WCH', 'CERT-' || i, '2030-12-31' FROM generate_series(1, 4) i;
INSERT INTO check_items (agency, code, title, legal_basis, content, methods, ratio, frequency_per_year, valid_from)
VALUES ('ZB', 'ZB-01', '消防安全责任制落实情况', '《消防法》第十六条', '责任人、管理人履职,"三项"制度', '{实地检查}', 3, 1, '2025-01-01');
INSERT INTO annual_plans (agency, year, entropy_declaration) VALUES ('WCH', 2026, 'witnesses: numbers read out at the plan meeting');
INSERT INTO annual_plan_strata (agency, year, stratum, monthly_ratio) VALUES ('WCH', 2026, 'key_crowded', 10), ('WCH', 2026, 'key_other', 10), ('WCH', 2026, 'general', 3);
INSERT INTO annual_plan_items (agency, year, item_id) SELECT 'WCH', 2026, id FROM check_items;
CREATE TABLE public.ids AS SELECT plan_month('WCH', '2026-07-01') AS plan;
SQL
q "SELECT spotcheck.execute_plan(plan, '381204 550129') FROM public.ids" >/dev/null || { echo "Bail out! cannot execute the plan"; exit 1; }
psql -qX -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL' || { echo "Bail out! could not record and publish"; exit 1; }
SET search_path = spotcheck, public;
SET client_min_messages = warning;
SELECT record_result(t.id, '2026-07-15', CASE WHEN t.rank % 2 = 0 THEN 'problem_pending' ELSE 'no_problem' END,
                     '检查情况', '实地检查', ARRAY(SELECT m.inspector FROM plan_team_member m WHERE m.plan_target = t.id ORDER BY m.member),
                     ARRAY['DSJ-' || t.id],
                     summary => E'疏散通道"畅通",消防设施完好\n第二行：已告知单位') FROM plan_target t;
SELECT publish_plan(plan), publish_results(plan), publish_item_list('WCH') FROM public.ids;
SQL
plan=$(q "SELECT plan FROM public.ids")
targets=$(q "SELECT count(*) FROM spotcheck.plan_target WHERE plan = $plan")

# ---- CSV of every view ---------------------------------------------------------------
views="public_item_list public_plan_list public_plans public_amendments public_results public_draws"
ok=0; detail=""
for v in $views; do
    qp "\\copy (SELECT * FROM spotcheck.$v) TO '$work/$v.csv' WITH (FORMAT csv, HEADER)" || { ok=1; detail="$detail $v:copy"; continue; }
    out=$(csv_check "$work/$v.csv") || { ok=1; detail="$detail $v:parse"; continue; }
    rows=$(qp "SELECT count(*) FROM spotcheck.$v")
    cols=$(q "SELECT string_agg(attname, '|' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'spotcheck.$v'::regclass AND attnum > 0")
    fields=$(q "SELECT count(*) FROM pg_attribute WHERE attrelid = 'spotcheck.$v'::regclass AND attnum > 0")
    [ "$(head -1 <<<"$out")" = "records=$rows fields=$fields uniform=1" ] || { ok=1; detail="$detail $v:$(head -1 <<<"$out")(want $rows/$fields)"; }
    [ "$(sed -n 2p <<<"$out")" = "$cols" ] || { ok=1; detail="$detail $v:header"; }
done
check "every view exports with \\copy as CSV: header row = its columns, one record per row, as many fields each${detail:+ ($detail)}" 0 "$ok"

check "the plan's CSV holds every target" "$targets" "$(csv_check "$work/public_plans.csv" | head -1 | sed 's/records=\([0-9]*\).*/\1/')"
check "the item list's CSV holds the published item" 1 "$(csv_check "$work/public_item_list.csv" | head -1 | sed 's/records=\([0-9]*\).*/\1/')"
grep -q '消防安全责任制落实情况' "$work/public_item_list.csv"; check "Chinese text is written as UTF-8, intact" 0 $?
grep -q '责任人、管理人履职,"三项"制度' <<<"$(csv_check "$work/public_item_list.csv" 1)"
check "a field with a comma and quotes reads back as written" 0 $?
grep -q '疏散通道"畅通",消防设施完好' <<<"$(csv_check "$work/public_results.csv" 1)"
check "a summary with quotes, a comma and a line break is one field of one record" 0 $?
[ "$(csv_check "$work/public_results.csv" | head -1 | sed 's/records=\([0-9]*\).*/\1/')" = "$targets" ]
check "one record per published result, though each summary spans two lines" 0 $?
grep -q '淄博"老字号",餐饮店' <<<"$(csv_check "$work/public_plans.csv" 1)"
check "a unit name with quotes and a comma reads back as written" 0 $?

# loaded back into PostgreSQL, each CSV equals its view
ok=0; detail=""
for v in $views; do
    q "CREATE TABLE public.back_$v AS SELECT * FROM spotcheck.$v LIMIT 0" >/dev/null
    q "\\copy public.back_$v FROM '$work/$v.csv' WITH (FORMAT csv, HEADER)" >/dev/null || { ok=1; detail="$detail $v:load"; continue; }
    diff=$(q "SELECT count(*) FROM ((SELECT * FROM spotcheck.$v EXCEPT ALL SELECT * FROM public.back_$v)
                                    UNION ALL (SELECT * FROM public.back_$v EXCEPT ALL SELECT * FROM spotcheck.$v)) z" 2>&1)
    [ "$diff" = 0 ] || { ok=1; detail="$detail $v:$diff"; }
done
check "each CSV, loaded back, equals its view row for row${detail:+ ($detail)}" 0 "$ok"

qp "COPY (SELECT * FROM spotcheck.public_results ORDER BY result) TO STDOUT WITH (FORMAT csv, HEADER)" >"$work/stdout.csv"
out=$(csv_check "$work/stdout.csv")
check "COPY ... TO STDOUT WITH (FORMAT csv, HEADER) as the portal role: the same records" \
      "$(csv_check "$work/public_results.csv" | head -1)" "$(head -1 <<<"$out")"
qp "\\copy (SELECT * FROM spotcheck.plan_targets) TO '$work/private.csv' WITH (FORMAT csv, HEADER)" >/dev/null 2>&1
check "the portal role cannot export a private view" 1 $?
qp "\\copy spotcheck.units TO '$work/units.csv' WITH (FORMAT csv, HEADER)" >/dev/null 2>&1
check "nor a table" 1 $?
if grep -qE '负责人[0-9]|1390533|WCH-00[1-4]|检查员' "$work"/public_*.csv; then r=1; else r=0; fi
check "no CSV holds a responsible person, a phone number or an inspector" 0 "$r"

# ---- the disclosure package ------------------------------------------------------------
qp "SELECT spotcheck.disclosure_package($plan)" >"$work/package.json"
check "the portal role exports the package of the published plan" 0 $?
perl -MJSON::PP -e '
    local $/; open(my $fh, "<:raw", $ARGV[0]) or die; my $p = JSON::PP->new->decode(<$fh>);
    my $n = 0;
    for my $d (@{$p->{draws}}) {
        next unless defined $d->{transcript};
        open(my $o, ">:raw", sprintf("%s/transcript-%d.json", $ARGV[1], $d->{draw})) or die;
        print $o JSON::PP->new->canonical->encode($d->{transcript}); close $o; $n++;
    }
    printf "%s %d %d %d\n", $p->{format}, scalar @{$p->{targets}}, scalar @{$p->{results}}, $n;
' "$work/package.json" "$work" >"$work/package.txt"
check "it is one JSON document: format, every target, every published result, a transcript per executed draw" \
      "spotcheck-disclosure-v1 $targets $targets 1" "$(cat "$work/package.txt")"
ok=0; nt=0
for f in "$work"/transcript-*.json; do
    nt=$((nt + 1))
    "$VERIFY" "$f" >"$f.out" 2>&1 || { ok=1; sed 's/^/#   /' "$f.out"; }
    grep -qE '^all [0-9]+ checks passed$' "$f.out" || ok=1
done
check "spotcheck-verify passes every transcript of the package ($nt)" 0 "$ok"
grep -q '^skip  teams: the teams are withheld' "$work"/transcript-*.json.out
check "the teams are reported as withheld, not checked" 0 $?
f=$(ls "$work"/transcript-*.json | head -1)
perl -MJSON::PP -e 'local $/; my $t = JSON::PP->new->decode(<STDIN>); $t->{selected}[0]{key} = $t->{pool}[-1]{key} eq $t->{selected}[0]{key} ? $t->{pool}[0]{key} : $t->{pool}[-1]{key}; print JSON::PP->new->encode($t);' <"$f" >"$work/changed.json"
"$VERIFY" "$work/changed.json" >"$work/changed.out" 2>&1
check "a transcript of the package with one target swapped fails spotcheck-verify" 1 $?
grep -qE '^FAIL +selection' "$work/changed.out"; check "on the selection check" 0 $?
