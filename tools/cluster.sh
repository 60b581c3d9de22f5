# tools/cluster.sh — shared by test/run, demo/run and bench/*: install what
# is missing, build and install the extension, and run a throwaway
# PostgreSQL cluster on a private socket directory.  Source it; do not run it.

PG_MAJOR=${PG_MAJOR:-15}
# SPOTCHECK_PG_BIN points at the bin directory of another PostgreSQL tree,
# such as a private copy made by tools/private-postgres.sh, so that several
# checkouts can install and test at once without sharing an extension directory.
PG_BIN=${SPOTCHECK_PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
SPOTCHECK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root to run: $*"
    fi
}

# ensure_packages PKG... — install the Debian packages that are missing.
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        || die "apt-get update failed"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null \
        || die "could not install ${missing[*]}"
}

# The packages every entry point needs.
ensure_base_packages() {
    ensure_packages make gcc libc6-dev "postgresql-$PG_MAJOR" \
        "postgresql-server-dev-$PG_MAJOR" libssl-dev "$@"
}

# The verification page's test, benchmark and screenshot run Debian's
# Chromium headless, driven over its DevTools protocol by tools/headless/
# (plain Node.js: no npm package, nothing that downloads a browser).
BROWSER_PACKAGES="chromium nodejs"

# build_and_install — make, then make install (as root when needed).
# Only one checkout at a time may install into a PostgreSQL tree and test
# what it installed: the lock (one per tree) is held until the calling script
# exits.
build_and_install() {
    local lock
    lock=/tmp/spotcheck-install.$(printf '%s' "$PG_BIN" | cksum | cut -d' ' -f1).lock
    exec 9>"$lock"
    flock 9 || die "could not lock $lock"
    log "building spotcheck"
    make -C "$SPOTCHECK_ROOT" -s PG_CONFIG="$PG_BIN/pg_config" >/dev/null \
        || die "build failed (run make in $SPOTCHECK_ROOT to see why)"
    as_root make -C "$SPOTCHECK_ROOT" -s PG_CONFIG="$PG_BIN/pg_config" install >/dev/null \
        || die "make install failed"
}

# The unprivileged account that owns the throwaway cluster (initdb refuses root).
cluster_owner() {
    if [ "$(id -u)" -eq 0 ]; then echo "${SPOTCHECK_CLUSTER_USER:-postgres}"; else id -un; fi
}

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u "$(cluster_owner)" -- "$@"; else "$@"; fi
}

# start_cluster — initdb and start a server listening only on a socket in a
# private directory.  Exports PGHOST, PGPORT, PGUSER, PGDATABASE and
# CLUSTER_DIR; stop_cluster runs on exit whatever happens.
start_cluster() {
    CLUSTER_DIR=$(mktemp -d /tmp/spotcheck-cluster.XXXXXX)
    chmod 755 "$CLUSTER_DIR"
    [ "$(id -u)" -eq 0 ] && chown "$(cluster_owner)" "$CLUSTER_DIR"
    trap stop_cluster EXIT
    trap 'exit 130' INT TERM
    log "starting a throwaway cluster in $CLUSTER_DIR"
    as_owner "$PG_BIN/initdb" -D "$CLUSTER_DIR/data" -U postgres -A trust \
        -E UTF8 --locale=C.UTF-8 >"$CLUSTER_DIR/initdb.log" 2>&1 \
        || { cat "$CLUSTER_DIR/initdb.log" >&2; die "initdb failed"; }
    cat >>"$CLUSTER_DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$CLUSTER_DIR'
port = 5499
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
shared_buffers = 512MB
work_mem = 64MB
max_worker_processes = 8
max_parallel_workers = 4
max_parallel_workers_per_gather = 2
lc_messages = 'C'
CONF
    [ -n "${CLUSTER_EXTRA_CONF:-}" ] && printf '%s\n' "$CLUSTER_EXTRA_CONF" >>"$CLUSTER_DIR/data/postgresql.conf"
    # With CLUSTER_CLOCK (a file holding a libfaketime offset, see
    # clock_spec) the server runs under libfaketime: its clock reads the
    # machine's plus the offset, and moves whenever the file is rewritten (the
    # demo plays a month this way; the tests pin the day they were written for).
    local clock_env=()
    if [ -n "${CLUSTER_CLOCK:-}" ]; then
        clock_env=(env "LD_PRELOAD=$(faketime_library)" "FAKETIME_TIMESTAMP_FILE=$CLUSTER_CLOCK"
                   FAKETIME_NO_CACHE=1 TZ=UTC)
    fi
    as_owner "${clock_env[@]}" "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" \
        -w -t 60 start >/dev/null 9>&- \
        || { cat "$CLUSTER_DIR/server.log" >&2; die "the server did not start"; }
    export PGHOST=$CLUSTER_DIR PGPORT=5499 PGUSER=postgres PGDATABASE=postgres
}

# clock_spec "YYYY-MM-DD hh:mm" — the libfaketime offset ("+123s", "-45s")
# that makes a clock read that time, China Standard Time, now, and run on
# from there.  An offset, not an absolute start: a server restarted later
# reads on from where it was, never back.
clock_spec() {
    local target
    target=$(date -d "TZ=\"Asia/Shanghai\" $1" +%s) || return 1
    printf '%+ds\n' $((target - $(date +%s)))
}

# set_clock FILE "YYYY-MM-DD hh:mm" — write the clock file atomically.
set_clock() {
    local spec
    spec=$(clock_spec "$2") || return 1
    printf '%s\n' "$spec" >"$1.new" && chmod 644 "$1.new" && mv "$1.new" "$1"
}

# faketime_library — the path of Debian's libfaketime (package libfaketime).
faketime_library() {
    local f
    f=$(dpkg -L libfaketime 2>/dev/null | grep -m1 '/libfaketime\.so\.1$') \
        || die "libfaketime is not installed"
    echo "$f"
}

stop_cluster() {
    [ -n "${CLUSTER_DIR:-}" ] && [ -d "$CLUSTER_DIR/data" ] || return 0
    as_owner "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -m immediate -w stop >/dev/null 2>&1
    [ -z "${KEEP_CLUSTER:-}" ] && rm -rf "$CLUSTER_DIR"
    CLUSTER_DIR=
}

# vectors_file — the draw test vectors: shared/ beside the checkout when it
# is there, else the copy the project keeps.
vectors_file() {
    local f
    for f in "$SPOTCHECK_ROOT/../shared/vectors-spotcheck-v1.json" \
             "$SPOTCHECK_ROOT/test/fixtures/vectors-spotcheck-v1.json"; do
        [ -r "$f" ] && { echo "$f"; return 0; }
    done
    die "vectors-spotcheck-v1.json not found"
}
