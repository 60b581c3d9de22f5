# TAP helpers for the shell tests; source it.
n=0
# check DESCRIPTION EXPECTED ACTUAL — one TAP line; on failure, both values.
check() {
    n=$((n + 1))
    if [ "$2" = "$3" ]; then echo "ok $n - $1"
    else echo "not ok $n - $1"; echo "#   expected: $2"; echo "#        got: $3"; fi
}
