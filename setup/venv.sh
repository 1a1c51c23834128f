#!/usr/bin/env bash
# Build (once) the virtualenv for an Odoo source tree and print its path.
# usage: venv.sh ODOO_SOURCE_TREE
#
# The venv lives in the cache, named after a fingerprint of what goes into it (Python version,
# Odoo's requirements, ours, the Odoo tree's path), so checkouts share it and any change of
# inputs builds a new one. ENTRO_VENV forces a path.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SRC=${1:?usage: venv.sh ODOO_SOURCE_TREE}
have "$ENTRO_PYTHON" || die "$ENTRO_PYTHON not found (set ENTRO_PYTHON to a Python 3.10-3.12)"
PYVER=$("$ENTRO_PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
case $PYVER in
3.10 | 3.11 | 3.12) ;;
*) die "Odoo 18 needs Python 3.10 to 3.12; $ENTRO_PYTHON is $PYVER (set ENTRO_PYTHON)" ;;
esac
FP=$(fingerprint "$PYVER" "$SRC" "$SRC/requirements.txt" "$ENTRO_ROOT/requirements.txt" \
    "$ENTRO_ROOT/setup/constraints.txt" "$ENTRO_ROOT/setup/venv.sh")
VENV=${ENTRO_VENV:-$ENTRO_CACHE/venv-py$PYVER-$FP}

if [ -f "$VENV/.entro-ready" ]; then
    touch "$VENV/.entro-used"
    echo "$VENV"
    exit 0
fi
# Virtualenvs of older inputs that no checkout used for two weeks: rebuilt on demand.
for old in "$ENTRO_CACHE"/venv-py*; do
    [ -f "$old/.entro-used" ] || continue
    if [ -z "$(find "$old/.entro-used" -newermt '-14 days' 2>/dev/null)" ]; then
        rm -rf "$old"
    fi
done

# System libraries some wheels need when they must be built from source.
if ! "$ENTRO_PYTHON" -c 'import sysconfig, os; h = sysconfig.get_paths()["include"]; raise SystemExit(not os.path.exists(h + "/Python.h"))'; then
    die "Python headers are missing for $ENTRO_PYTHON (Debian: python3-dev)"
fi
have pg_config || apt_install libpq-dev

LOGF=$ENTRO_STATE/log/venv.log
log "building the virtualenv $VENV (a few minutes; log: $LOGF)"
rm -rf "$VENV"
"$ENTRO_PYTHON" -m venv "$VENV"
export PIP_CONSTRAINT=$ENTRO_ROOT/setup/constraints.txt PIP_DISABLE_PIP_VERSION_CHECK=1
pip() { "$VENV/bin/python" -m pip "$@" >>"$LOGF" 2>&1 || die "pip $* failed; see $LOGF"; }
: >"$LOGF"
pip install -q "setuptools<81" wheel
# Odoo's pinned requirements, minus python-ldap (only auth_ldap uses it; it needs OpenLDAP headers).
grep -viE '^\s*python-ldap' "$SRC/requirements.txt" >"$VENV/odoo-requirements.txt"
pip install -q -r "$VENV/odoo-requirements.txt"
# Odoo itself as a distribution (compat editable mode: OCA wheels add files under odoo/addons).
pip install -q --no-deps --config-settings editable_mode=compat -e "$SRC"
pip install -q -r "$ENTRO_ROOT/requirements.txt"
# Then setuptools >= 70 (after the editable Odoo, which stays a path entry that way): gevent
# loads its plugins through pkg_resources, whose older releases do not find zope.interface
# under its normalised name (zope_interface-*.dist-info), so the gevent worker of a prefork
# server (--workers) would die at start, again and again.
pip install -q --upgrade "setuptools>=70,<81"
"$VENV/bin/python" -c 'import odoo.api, odoo.addons, requests, cryptography, pytest_odoo' >>"$LOGF" 2>&1 ||
    die "the virtualenv does not import odoo; see $LOGF"
touch "$VENV/.entro-ready" "$VENV/.entro-used"
log "virtualenv ready"
echo "$VENV"
