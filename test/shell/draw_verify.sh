#!/usr/bin/env bash
# spotcheck-verify against transcripts exported by draw_transcript for every
# test vector (and its teams), against transcripts built straight from the
# vectors file, against public transcripts (teams withheld), against tampered
# copies (each must fail the named check) and against malformed files
# (refused with where they are wrong); the transcripts and what each must give
# are shared with verify_web.sh (lib/draw_transcripts.*).  Runs against the
# cluster test/run started (PGHOST, PGPORT, PGUSER set); prints TAP.
set -uo pipefail
db=draw_verify
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists "$db" 2>/dev/null' EXIT
VERIFY=${SPOTCHECK_VERIFY:-$(pg_config --bindir)/spotcheck-verify}

n=0
ok() {      # ok DESCRIPTION CONDITION-EXIT-STATUS
    n=$((n + 1))
    if [ "$2" -eq 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi
}
. "$(dirname "$0")/lib/draw_transcripts.bash"

# verify NAME EXPECTED_EXIT [PATTERN] — run the verifier, check exit and output
verify() {
    local out rc
    out=$("$VERIFY" "$work/$1.json" 2>&1); rc=$?
    if [ "$rc" -ne "$2" ]; then echo "#   $1: exit $rc, expected $2"; sed 's/^/#   /' <<<"$out" | head -20; return 1; fi
    if [ -n "${3:-}" ] && ! grep -qE -- "$3" <<<"$out"; then echo "#   $1: no line matching '$3'"; sed 's/^/#   /' <<<"$out" | head -20; return 1; fi
    return 0
}

[ -x "$VERIFY" ] || { echo "Bail out! $VERIFY is not installed"; exit 1; }
dropdb --if-exists "$db" 2>/dev/null
createdb "$db" && psql -qX -d "$db" -c "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $db"; exit 1; }
make_transcripts "$db" "$work" || { echo "Bail out! cannot make the transcripts"; exit 1; }

echo "1..$((21 + ${#TAMPERINGS[@]} + ${#MALFORMED[@]}))"

for v in four-candidates weighted-three-strata uniform-no-entropy utf8-and-shortfall teams; do
    verify "db-$v" 0 '^all [0-9]+ checks passed$'; ok "the transcript draw_transcript exported for $v passes" $?
done
for v in four-candidates weighted-three-strata uniform-no-entropy utf8-and-shortfall; do
    verify "vec-$v" 0 '^all [0-9]+ checks passed$'; ok "the vector $v, as a transcript, passes" $?
done
verify db-awkward 0 '^ok +selection: 158 selected'; ok "a draw over awkward keys and weights passes" $?
verify "vec-weighted-three-strata" 0 '^ok +teams: 15 teams of 2'; ok "the teams vector is recomputed by the verifier" $?
verify "db-teams" 0 '^ok +teams: 15 teams of 2'; ok "the teams of the database draw are recomputed" $?
verify "db-failed" 0 '^ok +failure: target'; ok "a draw that failed for want of inspectors verifies as failed" $?
verify "db-unexecuted" 1 '^FAIL +secret'; ok "an unexecuted draw's transcript lacks the secret and fails" $?

verify pub-teams 0 '^skip  teams: the teams are withheld'; ok "a public transcript passes, its teams reported as not checked" $?
verify pub-teams 0 '^all 9 checks passed$'; ok "the withheld teams are not counted as a check" $?
verify pub-failed 0 '^skip  failure: the draw records a failure \(target'; ok "a failed draw's public transcript is read, its failure not recomputed" $?
verify pub-abandoned 1 '^FAIL +secret'; ok "an abandoned draw's public transcript lacks the secret and fails" $?
verify db-markup 0 '^ok +selection: 27 selected'; ok "a draw whose keys are markup passes" $?
verify pub-markup 0 '^all [0-9]+ checks passed$'; ok "its public transcript passes" $?

for t in "${TAMPERINGS[@]}"; do
    read -r name check what <<<"$t"
    verify "$name" 1 "^FAIL +$check:"; ok "$what" $?
done
for m in "${MALFORMED[@]}"; do
    IFS='|' read -r name message what <<<"$m"
    verify "$name" 2 "$message"; ok "$what" $?
done
"$VERIFY" "$work/no-such-file.json" >/dev/null 2>&1; [ $? -eq 2 ]; ok "a missing file exits 2" $?
