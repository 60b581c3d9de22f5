#!/usr/bin/env bash
# Every function, view and table of schema spotcheck that a role other than
# the extension's owner may call or read — the extension's roles and PUBLIC —
# is documented in doc/: its name appears there (as `name`, name( or
# spotcheck.name).  Something added without its documentation fails here.
# Runs against the cluster test/run started; prints TAP.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
db=doc_coverage
trap 'dropdb --if-exists "$db" 2>/dev/null' EXIT
q() { psql -qAtX -v ON_ERROR_STOP=1 -d "$db" "$@"; }

[ -d "$root/doc" ] || { echo "Bail out! no doc/ folder"; exit 1; }
dropdb --if-exists "$db" 2>/dev/null
createdb "$db" && q -c "CREATE EXTENSION spotcheck" >/dev/null || { echo "Bail out! cannot create $db"; exit 1; }

# what some role other than the owner may use: kind|name|signature
mapfile -t objects < <(q -F '|' <<'SQL'
WITH roles(r) AS (VALUES ('public'), ('spotcheck_admin'), ('spotcheck_planner'), ('spotcheck_head'),
                         ('spotcheck_upper'), ('spotcheck_inspector'), ('spotcheck_public'))
SELECT DISTINCT 'function', p.proname, p.oid::regprocedure::text
  FROM pg_proc p, roles
 WHERE p.pronamespace = 'spotcheck'::regnamespace AND has_function_privilege(roles.r, p.oid, 'EXECUTE')
UNION
SELECT DISTINCT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END, c.relname, c.relname
  FROM pg_class c, roles
 WHERE c.relnamespace = 'spotcheck'::regnamespace AND c.relkind IN ('v', 'r', 'p')
   AND has_table_privilege(roles.r, c.oid, 'SELECT')
ORDER BY 1, 2, 3
SQL
)
echo "1..$(( ${#objects[@]} + 1 ))"
if [ "${#objects[@]}" -gt 100 ]; then
    echo "ok 1 - the catalog lists ${#objects[@]} functions, views and tables that roles of the extension may use"
else
    echo "not ok 1 - the catalog lists only ${#objects[@]} functions, views and tables"
fi
n=1
for o in "${objects[@]}"; do
    IFS='|' read -r kind name sig <<<"$o"
    n=$((n + 1))
    if grep -qE "(\`|spotcheck\.)$name([\`(. ,;:]|$)|(^|[^A-Za-z0-9_])$name\(" "$root"/doc/*.md; then
        echo "ok $n - $kind $sig is documented in doc/"
    else
        echo "not ok $n - $kind $sig is documented in doc/"
    fi
done
