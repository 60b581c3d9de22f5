#!/usr/bin/env bash
# tools/verify-web/screenshot.sh [OUT.png] — the picture of the verification
# page in the README (default doc/verify-web.png): builds and installs
# spotcheck, starts a throwaway cluster, makes the demo's draw
# (demo/steps/40_draw.sh: 3,000 units, teams of two, recusals), opens the
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
psql -qX -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION spotcheck' >/dev/null
bash demo/steps/40_draw.sh >"$DEMO_OUT/draw.log" 2>&1 || { cat "$DEMO_OUT/draw.log" >&2; die "the demo's draw failed"; }
draw=$(psql -qAtX -c "SELECT max(draw) FROM spotcheck.draws WHERE state = 'executed'")
psql -qAtX -c "SELECT spotcheck.verification_page($draw)" >"$DEMO_OUT/draw-$draw.html"
node tools/headless/verify-page.mjs --width 1200 --height 1850 --screenshot "$shot" "page:$DEMO_OUT/draw-$draw.html" >"$DEMO_OUT/shot.txt"
grep -q '^state: passed$' "$DEMO_OUT/shot.txt" || { cat "$DEMO_OUT/shot.txt" >&2; die "the page did not verify the draw"; }
log "$(grep '^screenshot:' "$DEMO_OUT/shot.txt")"
