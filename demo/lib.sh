# demo/lib.sh — sourced by demo/run and every step.
#   P [psql args]          psql that stops at the first error (no .psqlrc)
#   Q role sql             one statement as a login role, unaligned, no headers
#   say text               a heading in the demo's output
#   demo_clock "YYYY-MM-DD hh:mm"
#                          moves the cluster's clock to that time, China Standard
#                          Time (the server runs under libfaketime, see demo/run);
#                          nothing when DEMO_CLOCK is unset
#   plan_day N             the date of day N of the plan month
P() { psql -X -v ON_ERROR_STOP=1 "$@"; }
Q() { local role=$1; shift; psql -X -v ON_ERROR_STOP=1 -qAt -U "$role" -c "$*"; }
say() { printf '\n-- %s\n' "$*"; }

demo_clock() {
    local utc
    # without a clock file (demo/play.sh on the real clock) time just runs
    [ -n "${DEMO_CLOCK:-}" ] || return 0
    utc=$(TZ=UTC date -d "TZ=\"Asia/Shanghai\" $1" '+%Y-%m-%d %H:%M:%S') || return 1
    printf '@%s\n' "$utc" >"$DEMO_CLOCK.new"
    chmod 644 "$DEMO_CLOCK.new"
    mv "$DEMO_CLOCK.new" "$DEMO_CLOCK"
    printf '   [the clock reads %s China Standard Time]\n' "$1"
}

# plan month arithmetic, in bash: DEMO_PLAN_MONTH is YYYY-MM
plan_day() { printf '%s-%02d' "$DEMO_PLAN_MONTH" "$1"; }
