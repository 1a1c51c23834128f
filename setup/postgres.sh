#!/usr/bin/env bash
# Entro's private PostgreSQL cluster: Debian's server, our own data directory, a unix socket only.
#
#   postgres.sh start    install the server if missing, create the cluster once, start it;
#                        prints "started" when this call started it, "running" when it already ran
#   postgres.sh stop     stop it (fast shutdown)
#   postgres.sh status   exit 0 when running
#   postgres.sh psql ... psql as the cluster's superuser
#
# Root: the cluster belongs to the "postgres" system user (initdb refuses root) and lives under
# /var/lib/entro/postgres; a normal user owns it under the cache. Odoo connects as the role
# "entro" (Odoo refuses the "postgres" role), with CREATEDB, over the socket in <pgdir>/sock.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DATA=$ENTRO_PGDIR/data
SOCK=$ENTRO_PGDIR/sock

find_bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    return 1
}

BINDIR=$(find_bindir) || {
    apt_install postgresql
    BINDIR=$(find_bindir) || die "PostgreSQL's server is not installed (Debian package: postgresql)"
}

if [ "$(id -u)" = 0 ]; then
    PGOS_USER=postgres
    id postgres >/dev/null 2>&1 || die "the postgres system user is missing (reinstall Debian's postgresql)"
    as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
    PGOS_USER=$(id -un)
    as_pg() { "$@"; }
fi

pg_running() { as_pg "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

init_cluster() {
    [ -f "$DATA/PG_VERSION" ] && return 0
    log "creating the PostgreSQL cluster in $ENTRO_PGDIR"
    mkdir -p "$ENTRO_PGDIR"
    [ "$(id -u)" = 0 ] && chown "$PGOS_USER" "$ENTRO_PGDIR"
    as_pg mkdir -p "$SOCK"
    as_pg chmod 700 "$ENTRO_PGDIR" "$SOCK"
    as_pg "$BINDIR/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C.UTF-8 -A trust \
        >"$ENTRO_STATE/log/initdb.log" 2>&1 || die "initdb failed; see $ENTRO_STATE/log/initdb.log"
    as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<EOF
# --- Entro: private cluster, unix socket only, tuned for tests (no durability needed) ---
listen_addresses = ''
unix_socket_directories = '$SOCK'
unix_socket_permissions = 0700
port = $ENTRO_PGPORT
max_connections = 200
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
EOF
    printf 'local all all trust\n' | as_pg tee "$DATA/pg_hba.conf" >/dev/null
}

start() {
    init_cluster
    if pg_running; then
        echo running
        return 0
    fi
    as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$ENTRO_PGDIR/server.log" -w -t 60 start >/dev/null ||
        die "PostgreSQL did not start; see $ENTRO_PGDIR/server.log"
    # The role Odoo uses (idempotent).
    as_pg "$BINDIR/psql" -h "$SOCK" -p "$ENTRO_PGPORT" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 -c "
        DO \$\$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ENTRO_DB_USER') THEN
            CREATE ROLE $ENTRO_DB_USER LOGIN CREATEDB;
          END IF;
        END \$\$;" >/dev/null || die "could not create the database role $ENTRO_DB_USER"
    echo started
}

case ${1:-} in
start) start ;;
stop)
    if pg_running; then as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi
    ;;
status) pg_running ;;
psql)
    shift
    as_pg "$BINDIR/psql" -h "$SOCK" -p "$ENTRO_PGPORT" -U postgres "$@"
    ;;
*) die "usage: postgres.sh start|stop|status|psql [args]" ;;
esac
