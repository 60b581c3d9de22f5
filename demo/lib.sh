# demo/lib.sh — sourced by demo/run and every step.
#   P [psql args]          psql that stops at the first error (no .psqlrc)
#   Q role sql             one statement as a login role, unaligned, no headers
#   say text               a heading in the demo's output
#   demo_clock "YYYY-MM-DD hh:mm"
#                          moves the cluster's clock to that time, China Standard
#                          Time (the server runs under libfaketime, see demo/run);
#                          nothing when DEMO_CLOCK is unset
#   plan_day N             the date of day N of the plan month
. "$(dirname "${BASH_SOURCE[0]}")/../tools/cluster.sh"     # set_clock
P() { psql -X -v ON_ERROR_STOP=1 "$@"; }
Q() { local role=$1; shift; psql -X -v ON_ERROR_STOP=1 -qAt -U "$role" -c "$*"; }
say() { printf '\n-- %s\n' "$*"; }

demo_clock() {
    # without a clock file (demo/play.sh on the real clock) time just runs
    [ -n "${DEMO_CLOCK:-}" ] || return 0
    set_clock "$DEMO_CLOCK" "$1" || return 1
    printf '   [the clock reads %s China Standard Time]\n' "$1"
}

# plan month arithmetic, in bash: DEMO_PLAN_MONTH is YYYY-MM
plan_day() { printf '%s-%02d' "$DEMO_PLAN_MONTH" "$1"; }
