#!/usr/bin/env bash
# tools/verify-web/screenshot.sh [OUT.png] — the picture of the verification
# page in the README (default doc/verify-web.png): builds and installs
# spotcheck, starts a throwaway cluster, plays the demo up to its month's
# plan (demo/play.sh 40: 3,000 units, teams of two, recusals), opens the
# page spotcheck.verification_page(draw) returns in headless Chromium and
# photographs its top once it has verified the draw.
set -euo pipefail
. "$(dirname "$0")/../cluster.sh"
cd "$SPOTCHECK_ROOT"
shot=${1:-doc/verify-web.png}

ensure_base_packages $BROWSER_PACKAGES fonts-noto-cjk
build_and_install
start_cluster
export PATH="$PG_BIN:$PATH" DEMO_OUT=$CLUSTER_DIR/demo
mkdir -p "$DEMO_OUT" "$(dirname "$shot")"
bash demo/play.sh 40 >"$DEMO_OUT/play.log" 2>&1 || { cat "$DEMO_OUT/play.log" >&2; die "the demo's plan failed"; }
draw=$(psql -qAtX -c "SELECT draw FROM spotcheck.plan WHERE id = $(cat "$DEMO_OUT/plan-id")")
psql -qAtX -c "SELECT spotcheck.verification_page($draw)" >"$DEMO_OUT/draw-$draw.html"
node tools/headless/verify-page.mjs --width 1200 --height 1850 --screenshot "$shot" "page:$DEMO_OUT/draw-$draw.html" >"$DEMO_OUT/shot.txt"
grep -q '^state: passed$' "$DEMO_OUT/shot.txt" || { cat "$DEMO_OUT/shot.txt" >&2; die "the page did not verify the draw"; }
log "$(grep '^screenshot:' "$DEMO_OUT/shot.txt")"
