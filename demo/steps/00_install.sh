#!/usr/bin/env bash
# The DBA installs the extension and puts its schema on the database's
# search path, so that the uscc type's operators resolve for every session.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

say "the DBA creates the extension; every object lands in schema spotcheck"
P -q <<'SQL'
CREATE EXTENSION spotcheck;
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET search_path = "$user", public, spotcheck', current_database());
END $$;
SQL
P -c "SELECT extname, extversion, extnamespace::regnamespace AS schema FROM pg_extension WHERE extname = 'spotcheck'"
say "with spotcheck on the search path, the uscc type compares codes as any type does"
P -c "SELECT '91350100m000100y43'::uscc = ' 91350100M000100Y43' AS same_code, uscc_region('91350100M000100Y43') AS region"
P -c "SELECT '91350100M000100Y44'::uscc" 2>&1 | sed -n 1,2p || true
