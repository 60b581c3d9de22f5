#!/usr/bin/env bash
# tools/private-postgres.sh DIR — copy the installed PostgreSQL (server,
# share directory with its extensions, pgTAP included) into DIR, so that a
# checkout can build, install and test there while another checkout uses
# the system's tree.  Prints the setting to export:
#
#   eval "$(tools/private-postgres.sh /tmp/pg-mine)"   # then ./test/run as usual
#
# PostgreSQL finds its share and library directories relative to its own
# binaries, so the copy is self-contained; headers stay the system's.
set -euo pipefail
. "$(dirname "$0")/cluster.sh"
dir=${1:?usage: tools/private-postgres.sh DIR}
ensure_base_packages "postgresql-$PG_MAJOR-pgtap"
sys_bin=/usr/lib/postgresql/$PG_MAJOR/bin
mkdir -p "$dir/usr/lib/postgresql" "$dir/usr/share/postgresql"
[ -d "$dir/usr/lib/postgresql/$PG_MAJOR" ] || cp -a "/usr/lib/postgresql/$PG_MAJOR" "$dir/usr/lib/postgresql/"
[ -d "$dir/usr/share/postgresql/$PG_MAJOR" ] || cp -a "/usr/share/postgresql/$PG_MAJOR" "$dir/usr/share/postgresql/"
[ -e "$dir/usr/include" ] || ln -s /usr/include "$dir/usr/include"
bin=$(cd "$dir/usr/lib/postgresql/$PG_MAJOR/bin" && pwd)
[ "$("$bin/pg_config" --sharedir)" != "$("$sys_bin/pg_config" --sharedir)" ] \
    || die "the copy in $dir still uses the system's share directory"
echo "export SPOTCHECK_PG_BIN=$bin"
