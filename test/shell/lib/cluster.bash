# A second, private cluster for shell tests that must stop or restart a
# server (or need an empty one): same PostgreSQL tree as the cluster test/run
# started (found through pg_config on PATH), its own data and socket
# directory, owned by the unprivileged cluster user when run as root.
# Source it; call extra_cluster_start, and extra_cluster_stop in the test's
# EXIT trap (it is a no-op when nothing runs).

EXTRA_BIN=$(pg_config --bindir)
EXTRA_DIR=
EXTRA_PORT=${EXTRA_PORT:-5497}
# the servers run on the test clock when test/run set one (see test/run)
EXTRA_ENV=()
if [ -n "${SPOTCHECK_TEST_CLOCK_FILE:-}" ]; then
    EXTRA_ENV=("LD_PRELOAD=$(dpkg -L libfaketime 2>/dev/null | grep -m1 '/libfaketime\.so\.1$')"
               "FAKETIME_TIMESTAMP_FILE=$SPOTCHECK_TEST_CLOCK_FILE" FAKETIME_NO_CACHE=1 TZ=UTC)
fi

extra_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u "${SPOTCHECK_CLUSTER_USER:-postgres}" -- "$@"; else "$@"; fi
}

# extra_cluster_start [CONF_LINE...] — initdb and start; sets EXTRA_DIR and
# EXTRA_PORT.  Run psql against it with: PGHOST=$EXTRA_DIR PGPORT=$EXTRA_PORT.
# The bootstrap superuser is $EXTRA_SUPERUSER (default postgres).
extra_cluster_start() {
    local line
    EXTRA_DIR=$(mktemp -d /tmp/spotcheck-extra.XXXXXX)
    chmod 755 "$EXTRA_DIR"
    [ "$(id -u)" -eq 0 ] && chown "${SPOTCHECK_CLUSTER_USER:-postgres}" "$EXTRA_DIR"
    extra_as_owner "$EXTRA_BIN/initdb" -D "$EXTRA_DIR/data" -U "${EXTRA_SUPERUSER:-postgres}" -A trust -E UTF8 \
        --locale=C.UTF-8 >"$EXTRA_DIR/initdb.log" 2>&1 || return 1
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$EXTRA_DIR'"
        echo "port = $EXTRA_PORT"
        echo "max_connections = 40"
        echo "shared_buffers = 64MB"
        echo "lc_messages = 'C'"
        for line in "$@"; do echo "$line"; done
    } >>"$EXTRA_DIR/data/postgresql.conf"
    extra_cluster_restart_only
}

# Start the extra cluster's server again (after a stop or a crash).
# (EXTRA_ENV, an array of NAME=value, is the server's extra environment,
# e.g. libfaketime's.)
extra_cluster_restart_only() {
    extra_as_owner env "${EXTRA_ENV[@]}" "$EXTRA_BIN/pg_ctl" -D "$EXTRA_DIR/data" -l "$EXTRA_DIR/server.log" \
        -w -t 120 start >/dev/null
}

# extra_cluster_stop_mode MODE — pg_ctl stop -m MODE, keeping the data.
extra_cluster_stop_mode() {
    extra_as_owner "$EXTRA_BIN/pg_ctl" -D "$EXTRA_DIR/data" -m "$1" -w -t 120 stop >/dev/null
}

extra_cluster_stop() {
    [ -n "$EXTRA_DIR" ] && [ -d "$EXTRA_DIR/data" ] || return 0
    extra_as_owner "$EXTRA_BIN/pg_ctl" -D "$EXTRA_DIR/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$EXTRA_DIR"
    EXTRA_DIR=
}
