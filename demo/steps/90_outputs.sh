#!/usr/bin/env bash
# Where the month's files are.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
say "written to $DEMO_OUT (kept after the cluster is gone):"
for d in data transcripts pages disclosure csv; do
    printf '   %-12s %s\n' "$d/" "$(cd "$DEMO_OUT/$d" && ls | head -8 | paste -sd ' ')$( [ "$(ls "$DEMO_OUT/$d" | wc -l)" -gt 8 ] && echo ' …')"
done
echo "   open pages/*.html in any browser: the page verifies its draw by itself, with no network"
