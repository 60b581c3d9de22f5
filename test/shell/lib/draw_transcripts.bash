# Draw transcripts for the verifier tests, and what each must give: the
# standalone spotcheck-verify (draw_verify.sh) and the web page
# (verify_web.sh) are held to the same list.  Source it.

# make_transcripts DB DIR — fills DB (which has spotcheck) with the draws of
# draw_transcripts.sql and writes DIR/NAME.json for each transcript, and the
# malformed files below.
make_transcripts() {
    local db=$1 dir=$2 name
    psql -qX -d "$db" -f "$(dirname "${BASH_SOURCE[0]}")/draw_transcripts.sql" >/dev/null || return 1
    for name in $(psql -qAtX -d "$db" -c "SELECT name FROM tr ORDER BY name"); do
        psql -qAtX -d "$db" -c "SELECT t FROM tr WHERE name = '$name'" >"$dir/$name.json" || return 1
    done
    head -c 300 "$dir/db-teams.json" >"$dir/truncated.json"
    printf '{\n  "algorithm": "spotcheck-v1",\n  "draw": 1,\n}\n' >"$dir/comma.json"
    printf '{"a": 1, "a": 2}' >"$dir/twice.json"
    printf '{"a": 01}' >"$dir/zero.json"
    printf '{"a": "\xff"}' >"$dir/utf8.json"
    printf '{"a": "x"} x' >"$dir/garbage.json"
    sed 's/"weight": \([0-9]*\)/"weight": \1.0/' "$dir/db-teams.json" >"$dir/fraction.json"
    printf 'algorithm: spotcheck-v1\n' >"$dir/not-json.json"
}

# Each tampered copy of the teams draw's transcript, the check it must fail,
# and what that shows: "NAME CHECK DESCRIPTION".
TAMPERINGS=(
    "bad-secret commitment a changed secret fails the commitment check"
    "bad-weight pool_digest a changed weight fails the pool digest check"
    "bad-quota quota_digest a changed quota fails the quota digest check"
    "bad-entropy seed a changed entropy value fails the seed check"
    "bad-seed seed a changed seed fails the seed check"
    "bad-commitment commitment a changed commitment fails the commitment check"
    "bad-selected-key selection a swapped-in target fails the selection check"
    "bad-rank selection swapped ranks fail the selection check"
    "bad-ticket selection a changed ticket fails the selection check"
    "bad-dropped selection a dropped target fails the selection check"
    "bad-member teams a changed team member fails the teams check"
    "bad-over-cap teams a changed over-cap flag fails the teams check"
    "bad-exclusion teams a dropped exclusion fails the teams check"
    "bad-extra-candidate pool_digest an added candidate fails the pool digest check"
    "bad-time commit_before_execute an execution time before the commitment fails"
    "bad-no-commit-time commit_before_execute a transcript without its commitment time fails"
    "bad-no-times commit_before_execute a transcript without its commitment and execution times fails"
)

# Each file that is not a transcript, and the message (an extended regular
# expression) it must be refused with: "NAME|MESSAGE|DESCRIPTION".
MALFORMED=(
    "truncated|malformed JSON at line 1, column 30[0-9]: |a truncated transcript is refused with line and column"
    "comma|malformed JSON at line 4, column 1: trailing comma before '}'|a trailing comma is refused with line and column"
    "twice|malformed JSON at line 1, column 10: member \"a\" appears twice in one object|a repeated member is refused"
    "zero|malformed JSON at line 1, column 8: leading zero in a number|a leading zero is refused"
    "utf8|malformed JSON at line 1, column 8: invalid UTF-8 byte 0xff|invalid UTF-8 is refused"
    "garbage|malformed JSON at line 1, column 12: unexpected text after the JSON value|text after the value is refused"
    "not-json|malformed JSON at line 1, column 1: unexpected character 'a'|a file that is not JSON is refused"
    "fraction|pool entry: \"weight\" is [0-9]+\.0, expected a whole number 0\.\.18446744073709551615 \(line 1, column [0-9]+\)|a fractional weight is refused"
    "missing-pool|transcript: member \"pool\" is missing \(line 1, column 1\)|a transcript without its pool is refused"
    "pool-object|transcript: member \"pool\" is a object, expected a array \(line 1, column [0-9]+\)|a pool that is not an array is refused"
    "weight-text|pool entry: member \"weight\" is a string, expected a number \(line 1, column [0-9]+\)|a weight written as text is refused"
    "secret-short|transcript: \"secret\" is not 64 lower-case hex digits \(line 1, column [0-9]+\)|a secret that is not 32 bytes of hex is refused"
)
