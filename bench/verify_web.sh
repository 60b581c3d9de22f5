#!/usr/bin/env bash
# bench/verify_web.sh — how fast does the verification page verify a
# province-sized draw in headless Chromium?  Builds and installs spotcheck,
# starts a throwaway cluster, commits and executes (in two transactions) a
# draw over N candidates (default 100,000; three weighted strata and quotas of
# 5% as bench/pool.sql makes them for bench/draw.sh) with teams of 2 from 300
# inspectors and a recusal for every 50th unit, exports its transcript (with
# teams) and its public transcript, and times in REPS rounds (default 5) of
# every method in turn:
#   page-full      the page (as installed) given the full transcript through its file chooser
#   page-public    the page given the public transcript (no teams part)
#   page-embedded  the page spotcheck.verification_page(draw) returns, opened as a file
#   page-noworker  the full transcript verified on the page's own thread (#worker=no)
#   cli-full       spotcheck-verify on the full transcript
#   cli-public     spotcheck-verify on the public transcript
# "page ms" is the page's own measure, from having the transcript's bytes to
# showing the verdict; "wall ms" is the driver's, from handing over the file
# (or, for the embedded page, from starting to load it) to the verdict;
# "pause ms" is the longest time the page's main thread went without running
# a timer while it worked (what a person would feel).  Medians; one browser
# per round, each job in a new tab.  Then once: every ticket of N keys by the
# page's own SHA-256 (midstate), by its SHA-256 over each whole message, and
# by WebCrypto (bench/verify_web_sha.js).  Not a test; prints a table and
# writes it to bench/out/.
#
#   bench/verify_web.sh
#   N=1000000 REPS=3 bench/verify_web.sh
set -euo pipefail
. "$(dirname "$0")/../tools/cluster.sh"
cd "$SPOTCHECK_ROOT"

N=${N:-100000}
REPS=${REPS:-5}
ensure_base_packages $BROWSER_PACKAGES
build_and_install
start_cluster
export PATH="$PG_BIN:$PATH"
mkdir -p bench/out
out=bench/out/verify_web-$(date -u +%Y%m%dT%H%M%SZ).txt
work=$CLUSTER_DIR/bench
mkdir -p "$work"
DRIVER=tools/headless/verify-page.mjs

log "a draw over $N candidates"
q() { psql -qAtX -v ON_ERROR_STOP=1 "$@"; }
q -c 'CREATE EXTENSION spotcheck' >/dev/null
q -v n="$N" -v pool=pool -v quota=quota -f bench/pool.sql >/dev/null
q >/dev/null <<'SQL'
CREATE TABLE inspectors AS SELECT 'FJ-' || lpad(i::text, 4, '0') AS key FROM generate_series(1, 300) i;
CREATE TABLE recusals AS
SELECT 'FJ-' || lpad((1 + i % 300)::text, 4, '0') AS inspector, key AS target
  FROM (SELECT key, row_number() OVER (ORDER BY key) AS i FROM pool) p WHERE i % 50 = 0;
SQL
draw=$(q -c "SELECT spotcheck.commit_draw('pool', (SELECT jsonb_object_agg(stratum, quota) FROM quota),
                 'witnesses: three six-digit numbers read out at the draw', 'inspectors', 2, 'recusals')")
q -c "SELECT spotcheck.execute_draw($draw, 'witnesses: 381204 550129 907731')" >/dev/null
q -c "SELECT spotcheck.draw_transcript($draw)" >"$work/full.json"
q -c "SELECT spotcheck.draw_public_transcript($draw)" >"$work/public.json"
q -c "SELECT spotcheck.verification_page($draw)" >"$work/embedded.html"
q -c "SELECT spotcheck.verification_page_of(NULL)" >"$work/page.html"
"$PG_BIN/spotcheck-verify" "$work/full.json" >/dev/null || die "spotcheck-verify does not pass the benchmark's draw"

declare -A page=() wall=() pause=()
# field JOB NAME OUTPUT
field() { awk -v j="job: $1" -v k="$3: " '$0 == j {f = 1} f && index($0, k) == 1 {print substr($0, length(k) + 1); exit}' "$2"; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
record() {      # record METHOD JOB OUTPUT
    local s
    s=$(field "$2" "$3" state)
    [ "$s" = passed ] || die "$1: the page says $s (see $3)"
    page[$1]+=" $(field "$2" "$3" elapsed-ms)"
    wall[$1]+=" $(field "$2" "$3" wall-ms)"
    pause[$1]+=" $(field "$2" "$3" max-gap-ms)"
}
ms_of() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }

for r in $(seq "$REPS"); do
    log "round $r of $REPS"
    node "$DRIVER" --timeout 120 --page "$work/page.html" \
        "file:$work/full.json" "file:$work/public.json" "page:$work/embedded.html" >"$work/round.txt"
    record page-full "file:$work/full.json" "$work/round.txt"
    record page-public "file:$work/public.json" "$work/round.txt"
    record page-embedded "page:$work/embedded.html" "$work/round.txt"
    node "$DRIVER" --timeout 120 --hash worker=no --page "$work/page.html" "file:$work/full.json" >"$work/round.txt"
    record page-noworker "file:$work/full.json" "$work/round.txt"
    wall[cli-full]+=" $(ms_of "$PG_BIN/spotcheck-verify" "$work/full.json")"
    wall[cli-public]+=" $(ms_of "$PG_BIN/spotcheck-verify" "$work/public.json")"
done
log "tickets: the page's SHA-256 against WebCrypto"
BENCH_SHA=$(node "$DRIVER" --page "$work/page.html" "eval:bench/verify_web_sha.js" | sed -n 's/^eval: //p')

{
echo "spotcheck verification page benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1))"
echo "$(chromium --version 2>/dev/null | head -1), headless; Node.js $(node --version); PostgreSQL $(q -c 'SHOW server_version')"
echo "draw $draw: $N candidates in 3 strata, $(q -c "SELECT count(*) FROM spotcheck.draw_selected WHERE draw = $draw") selected, teams of 2 from 300 inspectors;" \
     "full transcript $(($(stat -c %s "$work/full.json") / 1024)) KB, public $(($(stat -c %s "$work/public.json") / 1024)) KB, page $(($(stat -c %s "$work/embedded.html") / 1024)) KB"
echo "$REPS rounds of every method in turn; medians in ms"
printf '\n%-14s %9s %9s %9s  %s\n' method "page ms" "wall ms" "pause ms" "what"
for m in page-full page-public page-embedded page-noworker cli-full cli-public; do
    case $m in
        page-full) what="the page, file chooser, full transcript (with teams), in a Web Worker" ;;
        page-public) what="the page, file chooser, public transcript (no teams part)" ;;
        page-embedded) what="verification_page(draw) opened: 8 MB of HTML loaded, then verified" ;;
        page-noworker) what="the page, full transcript, on its own thread in 30 ms slices" ;;
        cli-full) what="spotcheck-verify (C, libcrypto), full transcript" ;;
        cli-public) what="spotcheck-verify, public transcript" ;;
    esac
    printf '%-14s %9s %9s %9s  %s\n' "$m" "$(median <<<"${page[$m]:-}")" "$(median <<<"${wall[$m]}")" \
        "$(median <<<"${pause[$m]:-}")" "$what"
done
full=$(median <<<"${wall[page-full]}")
awk -v p="$full" -v e="$(median <<<"${wall[page-embedded]}")" -v c="$(median <<<"${wall[cli-full]}")" 'BEGIN {
    printf "\npage-full / cli-full (wall) = %.1f; goal (a %d-candidate transcript verified in under 10 s): %s (%.2f s; embedded page %.2f s)\n",
           p / c, '"$N"', p < 10000 && e < 10000 ? "met" : "NOT met", p / 1000, e / 1000 }'
echo
echo "tickets of $N 18-character keys, ms: $(tr '\n' ' ' <<<"$BENCH_SHA")"
awk '/^midstate/ {m = $2} /^whole/ {w = $2} /^webcrypto/ {c = $2} END {
    printf "WebCrypto / midstate = %.1f; whole message / midstate = %.1f\n", c / m, w / m }' <<<"$BENCH_SHA"
} | tee "$out"
log "written to $out"
