#!/usr/bin/env bash
# The verification page (tools/verify-web/spotcheck-verify.html) in headless
# Chromium, driven through the DevTools protocol (tools/headless/): the page
# the extension installs is given every transcript of draw_verify.sh through
# its file chooser (every test vector, the demo's draw, public transcripts,
# every tampered copy, every malformed file), some by drag and drop, and
# pages with a transcript embedded by spotcheck.verification_page; it must
# show what spotcheck-verify prints (the plain-text report, line for line),
# mark the named check, refuse malformed files with where they are wrong, in
# Chinese and English, and never log an error, throw, open a dialog or make a
# request.  Runs against the cluster test/run started; prints TAP.
set -uo pipefail
db=verify_web
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"; dropdb --if-exists "$db" 2>/dev/null; dropdb --if-exists "${db}_demo" 2>/dev/null' EXIT
root=$(cd "$(dirname "$0")/../.." && pwd)
VERIFY=$(pg_config --bindir)/spotcheck-verify
DRIVER=$root/tools/headless/verify-page.mjs

n=0
ok() {      # ok DESCRIPTION CONDITION-EXIT-STATUS
    n=$((n + 1))
    if [ "$2" -eq 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi
}
. "$(dirname "$0")/lib/draw_transcripts.bash"
q() { psql -qAtX -v ON_ERROR_STOP=1 -d "$db" "$@"; }

command -v node >/dev/null || { echo "Bail out! node is not installed"; exit 1; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "Bail out! chromium is not installed"; exit 1; }
[ -x "$VERIFY" ] || { echo "Bail out! $VERIFY is not installed"; exit 1; }
dropdb --if-exists "$db" 2>/dev/null
createdb "$db" && q -c "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $db"; exit 1; }
make_transcripts "$db" "$work" || { echo "Bail out! cannot make the transcripts"; exit 1; }

# the demo's plan draw (its directory, its month, teams of two, recusals),
# made by the demo's own steps in a database of their own, exported as the
# demo exports it
dropdb --if-exists "${db}_demo" 2>/dev/null
createdb "${db}_demo" || { echo "Bail out! cannot create ${db}_demo"; exit 1; }
DEMO_OUT=$work/demo PGDATABASE=${db}_demo bash "$root/demo/play.sh" 40 >"$work/demo.log" 2>&1 \
    || { echo "Bail out! the demo's plan failed"; sed 's/^/# /' "$work/demo.log" | tail -20; exit 1; }
psql -qAtX -d "${db}_demo" -U planner_wch \
     -c "SELECT spotcheck.draw_transcript(draw) FROM spotcheck.plans WHERE plan = $(cat "$work/demo/plan-id")" >"$work/demo.json"
dropdb --if-exists "${db}_demo" 2>/dev/null

# the pages: as installed (no transcript), and with transcripts embedded
id() { q -c "SELECT draw FROM ids WHERE name = '$1' UNION ALL SELECT draw FROM ids2 WHERE name = '$1'"; }
q -c "SELECT spotcheck.verification_page_of(NULL)" >"$work/page.html"
for name in db-teams db-failed db-abandoned db-markup; do
    q -c "SELECT spotcheck.verification_page($(id $name))" >"$work/public-$name.html"
done
q -c "SELECT spotcheck.verification_page_of(spotcheck.draw_transcript($(id db-teams)))" >"$work/full-db-teams.html"

passing="db-four-candidates db-weighted-three-strata db-uniform-no-entropy db-utf8-and-shortfall db-teams
         vec-four-candidates vec-weighted-three-strata vec-uniform-no-entropy vec-utf8-and-shortfall
         db-awkward db-failed db-markup demo pub-teams pub-failed pub-markup"
failing="db-unexecuted db-abandoned pub-abandoned"
jobs=()
for name in $passing $failing; do jobs+=("file:$work/$name.json"); done
for t in "${TAMPERINGS[@]}"; do read -r name _ <<<"$t"; jobs+=("file:$work/$name.json"); done
for m in "${MALFORMED[@]}"; do IFS='|' read -r name _ <<<"$m"; jobs+=("file:$work/$name.json"); done
jobs+=("drop:$work/db-teams.json" "drop:$work/bad-member.json" "page:$work/page.html" "eval:$(dirname "$0")/lib/priority_order.js")
for p in public-db-teams public-db-failed public-db-abandoned public-db-markup full-db-teams; do jobs+=("page:$work/$p.html"); done

node "$DRIVER" --timeout 60 --page "$work/page.html" "${jobs[@]}" >"$work/out.txt" 2>"$work/driver.err"
driver_rc=$?
node "$DRIVER" --timeout 60 --hash worker=no --page "$work/page.html" \
    "file:$work/db-teams.json" "file:$work/bad-ticket.json" "file:$work/comma.json" >"$work/out-noworker.txt" 2>>"$work/driver.err"
driver_rc=$((driver_rc + $?))

# block JOB [OUTPUT] — the lines the driver printed for a job
block() { awk -v j="job: $1" '$0 == j {f = 1} f {print} f && $0 == "end" {exit}' "${2:-$work/out.txt}"; }
field() { sed -n "s/^$2: //p" <<<"$1" | head -1; }
say() { sed 's/^/#   /' | head -${2:-30}; }

# shows JOB STATE [OUTPUT] — the page reached STATE, passed its SHA-256
# self-test, and logged no error, threw nothing, opened no dialog, made no request
shows() {
    local b bad=""
    b=$(block "$1" "${3:-}")
    [ -n "$b" ] || { echo "#   $1: the driver printed nothing for it"; return 1; }
    [ "$(field "$b" state)" = "$2" ] || bad+=" state is $(field "$b" state), expected $2;"
    [ "$(field "$b" selftest)" = true ] || bad+=" the self-test did not pass;"
    for k in console-errors exceptions network dialogs; do
        [ "$(field "$b" $k)" = 0 ] || bad+=" $k: $(field "$b" $k);"
    done
    [ -z "$bad" ] && return 0
    echo "#   $1:$bad"
    grep -E '^(verdict|refusal|console|exception|request|dialog):' <<<"$b" | say
    return 1
}
# like_cli JOB FILE [OUTPUT] — the page's plain-text report is what spotcheck-verify prints for FILE
like_cli() {
    local page cli
    page=$(block "$1" "${3:-}" | sed -n 's/^report: //p')
    cli=$("$VERIFY" "$2" 2>&1 | sed "s|^spotcheck-verify: $2: |spotcheck-verify: |")
    [ "$page" = "$cli" ] && return 0
    echo "#   $1: the page's report differs from spotcheck-verify's output"
    diff <(echo "$cli") <(echo "$page") | say
    return 1
}
# marks JOB CHECK STATUS — the page lists CHECK with STATUS (pass, fail or skip)
marks() {
    grep -qE "^check: $2 $3( |$)" <<<"$(block "$1" "${4:-}")" && return 0
    echo "#   $1: check $2 is not marked $3"
    block "$1" "${4:-}" | grep '^check:' | say
    return 1
}

echo "# driver: exit $driver_rc"; sed 's/^/# driver: /' "$work/driver.err" | head -20

cmp -s "$work/page.html" <(cat "$root/tools/verify-web/spotcheck-verify.html"; echo)     # psql ends the value with a newline
ok "the page the extension installs is tools/verify-web/spotcheck-verify.html, byte for byte" $?
b=$(block "page:$work/page.html")
shows "page:$work/page.html" idle && [ "$(field "$b" elements)" = "3 scripts, 0 images" ]
ok "the page as shipped waits for a file, its SHA-256 passes the self-test, nothing is logged" $?

for name in $passing; do
    j="file:$work/$name.json"
    shows "$j" passed && like_cli "$j" "$work/$name.json"
    ok "$name: the page verifies it and shows what spotcheck-verify prints" $?
done
for name in $failing; do
    j="file:$work/$name.json"
    shows "$j" failed && marks "$j" secret fail && like_cli "$j" "$work/$name.json"
    ok "$name: the page fails it on the secret, as spotcheck-verify does" $?
done
marks "file:$work/pub-teams.json" teams skip && marks "file:$work/pub-failed.json" failure skip
ok "public transcripts: the withheld teams and failure are shown as not checked" $?

for t in "${TAMPERINGS[@]}"; do
    read -r name check what <<<"$t"
    j="file:$work/$name.json"
    shows "$j" failed && marks "$j" "$check" fail && like_cli "$j" "$work/$name.json"
    ok "in the page, $what" $?
done
for m in "${MALFORMED[@]}"; do
    IFS='|' read -r name message what <<<"$m"
    j="file:$work/$name.json"
    shows "$j" refused && grep -qE -- "^refusal: $message" <<<"$(block "$j")" && like_cli "$j" "$work/$name.json"
    ok "in the page, $what, as spotcheck-verify refuses it" $?
done

# what a person reads: both languages, and for a failure what was expected and found
b=$(block "file:$work/db-teams.json")
grep -q '^verdict: ✓验证通过：全部 10 项检查通过 Verified: all 10 checks passed' <<<"$b" \
    && [ "$(grep -c '^label: [a-z_]* 通过passed | ' <<<"$b")" -eq 10 ] \
    && grep -q '^label: pool_digest 通过passed | 候选池摘要 Pool digestpool_digest$' <<<"$b"
ok "a verified draw: the verdict and every check's name and status in Chinese and English" $?
b=$(block "file:$work/bad-weight.json")
grep -q '^verdict: ✗验证未通过：10 项检查中 1 项未通过 NOT verified: 1 of 10 checks failed' <<<"$b" \
    && grep -q '^label: pool_digest 未通过FAILED | ' <<<"$b" \
    && [ "$(grep -A3 '^check: pool_digest fail' <<<"$b" | grep -cE '^(expected|found): [0-9a-f]{64}$')" -eq 2 ] \
    && [ "$(grep -A3 '^check: pool_digest fail' <<<"$b" | sed -n 's/^found: //p')" = "$(sed -n 's/.*"pool_digest": "\([0-9a-f]*\)".*/\1/p' "$work/bad-weight.json")" ]
ok "a failed check shows the recomputed digest as expected and the transcript's as found" $?
grep -q "^verdict: !无法验证：记录文件有误 Cannot verify: the transcript is malformedJSON 格式错误：第 4 行第 1 列：'}' 之前有多余的逗号malformed JSON at line 4, column 1: trailing comma before '}'" \
    <<<"$(block "file:$work/comma.json")"
ok "a malformed file is refused in Chinese and English with its line and column" $?
[ "$(field "$(block "file:$work/db-teams.json")" shown-phases)" = "read,parse,rules,digests,tickets,order,selection,teams" ]
ok "the page shows its progress through every step" $?

b=$(block "eval:$(dirname "$0")/lib/priority_order.js")
pairs=$(sed -n 's/^eval: pairs //p' <<<"$b")
[ -n "$pairs" ] && [ "$(sed -n 's/^eval: agree //p' <<<"$b")" = "$pairs" ] && [ "$(field "$b" exceptions)" = 0 ]
ok "the page's exact priority order agrees with BigInt on extreme, tied and random candidates (${pairs:-no} pairs)" $?

# the drop zone
shows "drop:$work/db-teams.json" passed && like_cli "drop:$work/db-teams.json" "$work/db-teams.json"
ok "a transcript dropped on the page is verified" $?
shows "drop:$work/bad-member.json" failed && marks "drop:$work/bad-member.json" teams fail
ok "a dropped tampered transcript fails its check" $?

# pages with the transcript embedded by spotcheck.verification_page
j="page:$work/public-db-teams.html"
shows "$j" passed && marks "$j" teams skip && like_cli "$j" "$work/pub-teams.json"
ok "verification_page(draw): the page verifies the draw's public transcript when opened" $?
inspectors=$(q -c "SELECT string_agg(key, '|') FROM v_inspectors")
! grep -qE "$inspectors" "$work/public-db-teams.html" && grep -qE "$inspectors" "$work/full-db-teams.html"
ok "the public page names no inspector (they are in the full transcript's page)" $?
j="page:$work/full-db-teams.html"
shows "$j" passed && marks "$j" teams pass && like_cli "$j" "$work/db-teams.json"
ok "verification_page_of(draw_transcript(draw)): the page recomputes the teams too" $?
shows "page:$work/public-db-failed.html" passed && marks "page:$work/public-db-failed.html" failure skip
ok "the public page of a failed draw verifies what it can" $?
shows "page:$work/public-db-abandoned.html" failed && marks "page:$work/public-db-abandoned.html" secret fail
ok "the public page of an abandoned draw fails on the secret it never revealed" $?
j="page:$work/public-db-markup.html"
shows "$j" passed && like_cli "$j" "$work/pub-markup.json"
ok "a page whose embedded keys are markup (</script>, <!--, &, U+2028) verifies" $?
b=$(block "$j")
[ "$(field "$b" elements)" = "3 scripts, 0 images" ]
ok "no key of the embedded transcript became an element of the page" $?
diff <(q -c "SELECT key FROM markup ORDER BY convert_to(key, 'UTF8')") \
     <(sed -n 's/^selected: //p' <<<"$b" | node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
           const keys = s.split("\n").filter(Boolean).map((l) => JSON.parse(l)[2]);
           keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
           process.stdout.write(keys.map((k) => k + "\n").join(""));
       })') | say
ok "every key shows as the very text it is in the pool" "${PIPESTATUS[0]}"

# without a Web Worker the page does the same on its own thread
for j in db-teams:passed bad-ticket:failed comma:refused; do
    name=${j%%:*}
    shows "file:$work/$name.json" "${j#*:}" "$work/out-noworker.txt" && like_cli "file:$work/$name.json" "$work/$name.json" "$work/out-noworker.txt"
    ok "without a worker: $name gives what spotcheck-verify prints" $?
done
[ "$(field "$(block "file:$work/db-teams.json" "$work/out-noworker.txt")" shown-phases)" = "read,parse,rules,digests,tickets,order,selection,teams" ]
ok "without a worker the page still shows every step" $?

echo "1..$n"
