#!/usr/bin/env bash
# demo/data/generate.sh OUTDIR [PLAN_MONTH] — writes the directory of the
# 文昌湖 brigade (agency WCH) that the demo loads, as CSV files with a header
# row, into OUTDIR:
#
#   units.csv         about 3,000 units, the columns of spotcheck.unit_staging
#   inspectors.csv    24 inspectors, the columns of spotcheck.inspector_staging
#   exceptions.csv    the one code held through spotcheck.unit_code_exceptions
#   absences.csv      absences of inspectors in PLAN_MONTH
#   recusals.csv      inspector–unit recusal pairs (回避)
#   risk_signals.csv  IoT alarms, complaints and hazard reports of the 90 days before PLAN_MONTH
#   outcomes.csv      inspection outcomes of the 18 months before PLAN_MONTH
#   units_bad.csv     8 rows the unit loader rejects, for showing rejection
#
# PLAN_MONTH is YYYY-MM, by default the month after today's date in China
# (Asia/Shanghai).  The output is byte-identical for the same PLAN_MONTH,
# whatever the session's TimeZone, DateStyle or collation and whatever day it
# runs.  Connects with psql as PGHOST, PGPORT, PGUSER and PGDATABASE say; the
# spotcheck extension must exist in that database (its uscc_check_char gives
# the check characters).  See demo/data/README.md for the formats and how to
# load each file.
set -euo pipefail

usage() { echo "usage: $0 OUTDIR [PLAN_MONTH (YYYY-MM)]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] && [ -n "$1" ] || usage
outdir=$1
script=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/generate.sql
export PGCLIENTENCODING=UTF8
P() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

if ! P -At -c "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'spotcheck'" | grep -qx 1; then
    echo "$0: the spotcheck extension does not exist in database \"$(P -At -c 'SELECT current_database()')\"" >&2
    echo "$0: run CREATE EXTENSION spotcheck there first (its uscc_check_char gives the check characters)" >&2
    exit 1
fi

if [ $# -eq 2 ]; then
    plan_month=$2
    if ! [[ $plan_month =~ ^[0-9]{4}-(0[1-9]|1[0-2])$ ]]; then
        echo "$0: invalid PLAN_MONTH \"$plan_month\": write the year and month as YYYY-MM, e.g. 2027-01" >&2
        exit 2
    fi
else
    plan_month=$(P -At -c "SELECT to_char(date_trunc('month', (now() AT TIME ZONE 'Asia/Shanghai') + interval '1 month'), 'YYYY-MM')")
fi

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
# written in a scratch folder first: OUTDIR never holds half a data set
work=$(mktemp -d "$outdir/.generate.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && P -v plan_month="$plan_month" -f "$script")
files="units.csv inspectors.csv exceptions.csv absences.csv recusals.csv risk_signals.csv outcomes.csv units_bad.csv"
for f in $files; do
    [ -s "$work/$f" ] || { echo "$0: $f was not written" >&2; exit 1; }
done
for f in $files; do
    mv -f "$work/$f" "$outdir/$f"
done
echo "plan month $plan_month: $(($(wc -l <"$outdir/units.csv") - 1)) units, $(($(wc -l <"$outdir/inspectors.csv") - 1)) inspectors, $(($(wc -l <"$outdir/risk_signals.csv") - 1)) risk signals, $(($(wc -l <"$outdir/outcomes.csv") - 1)) outcomes written to $outdir" >&2
