#!/usr/bin/env bash
# demo/play.sh [LAST] — play the demo's steps (demo/steps/NN_*.sh, in name
# order, up to and including step LAST, e.g. 40) in the database PGDATABASE
# names, where the extension does not exist yet, writing to DEMO_OUT.  Used
# by demo/run (all steps, on a clock it moves), and by tests and tools that
# need the demo's month as it is made (a real draw over the demo's
# directory), on the real clock.
set -euo pipefail
cd "$(dirname "$0")/.."
last=${1:-99}
: "${DEMO_OUT:?DEMO_OUT must name the folder the demo writes to}"
# (this month by the server's clock, which a test may have set)
export DEMO_THIS_MONTH=${DEMO_THIS_MONTH:-$(psql -qAtX -c "SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')")}
export DEMO_PLAN_MONTH=${DEMO_PLAN_MONTH:-$(TZ=Asia/Shanghai date -d "$DEMO_THIS_MONTH-01 +1 month" +%Y-%m)}
mkdir -p "$DEMO_OUT"/{data,transcripts,pages,disclosure,csv}
for step in demo/steps/[0-9][0-9]_*.sh; do
    n=$(basename "$step"); n=${n%%_*}
    [ "$((10#$n))" -le "$((10#$last))" ] || break
    printf '== step %s\n' "$(basename "$step")" >&2
    bash "$step"
done
