# shellcheck shell=bash
# Shared helpers of Entro's set-up scripts: sourced, never run.
#
# Layout (every path can be overridden by the environment variable in brackets):
#   cache  [ENTRO_CACHE]   ${XDG_CACHE_HOME:-~/.cache}/entro   Odoo source + virtualenvs, shared by checkouts
#   state  [ENTRO_STATE]   <repo>/.entro                        odoo.conf, filestore, logs of this checkout
#   pg     [ENTRO_PGDIR]   <cache>/postgres (root: /var/lib/entro/postgres)  the private cluster
set -euo pipefail
shopt -s inherit_errexit

ENTRO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ENTRO_CACHE=${ENTRO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/entro}
ENTRO_STATE=${ENTRO_STATE:-$ENTRO_ROOT/.entro}
ENTRO_PYTHON=${ENTRO_PYTHON:-python3}
ODOO_BRANCH=18.0
ODOO_GIT_URL=${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}
if [ "$(id -u)" = 0 ]; then
    ENTRO_PGDIR=${ENTRO_PGDIR:-/var/lib/entro/postgres}
else
    ENTRO_PGDIR=${ENTRO_PGDIR:-$ENTRO_CACHE/postgres}
fi
ENTRO_PGPORT=${ENTRO_PGPORT:-5432}
ENTRO_DB_USER=${ENTRO_DB_USER:-entro}
# Addons of the product, in dependency order.
ENTRO_ADDONS=entro_marketplace,entro_billing,entro_privacy,entro_support,entro_marketplace_vn_einvoice
# Odoo addons installed in the template database our databases are cloned from.
ENTRO_BASE_MODULES=${ENTRO_BASE_MODULES:-sale_management,sale_stock,stock_delivery,account,account_payment,payment,payment_demo,portal,queue_job,helpdesk_mgmt,helpdesk_mgmt_sla}

mkdir -p "$ENTRO_CACHE" "$ENTRO_STATE/log"

log() { printf '\033[1;34m[entro]\033[0m %s\n' "$*" >&2; }
die() {
    printf '\033[1;31m[entro] ERROR:\033[0m %s\n' "$*" >&2
    exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

# sha1 of the given strings/files' contents, first 12 hex digits.
fingerprint() {
    local item
    for item in "$@"; do
        if [ -f "$item" ]; then cat "$item"; else printf '%s\n' "$item"; fi
    done | sha1sum | cut -c1-12
}

as_root_or_die() {
    [ "$(id -u)" = 0 ] || die "$1 (run this script as root once, or install it yourself: $2)"
}

apt_install() {
    as_root_or_die "missing system packages: $*" "apt-get install $*"
    log "installing Debian packages: $*"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$ENTRO_STATE/log/apt.log" 2>&1; then
        apt-get update -q >>"$ENTRO_STATE/log/apt.log" 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$ENTRO_STATE/log/apt.log" 2>&1 ||
            die "apt-get install $* failed; see $ENTRO_STATE/log/apt.log"
    fi
}
