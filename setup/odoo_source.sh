#!/usr/bin/env bash
# Make an Odoo 18.0 Community source tree available and print its path.
#
# Where it comes from, in this order:
#   1. ODOO_SRC, when set: an Odoo source tree (with odoo-bin), or a git directory (bare, or a
#      checkout's .git) from which only Odoo's own files are taken, at ODOO_REF (default HEAD).
#      A tree is used in place; a git directory is exported into the cache.
#   2. the cache: <cache>/odoo-18.0, filled by an earlier run;
#   3. a shallow clone of the official 18.0 branch into the cache.
# ODOO_SRC pointing at something that is neither is an error: no silent fallback.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CACHED=$ENTRO_CACHE/odoo-$ODOO_BRANCH
# Odoo's own files in a repository that may also carry other things (deployment files, ...).
ODOO_FILES=(odoo addons odoo-bin setup.py setup.cfg requirements.txt MANIFEST.in LICENSE COPYRIGHT setup)

check_tree() {
    local tree=$1
    [ -f "$tree/odoo-bin" ] && [ -f "$tree/odoo/release.py" ] || return 1
    grep -Eq '^version_info = \(18, 0,' "$tree/odoo/release.py" ||
        die "$tree is not Odoo 18.0 (odoo/release.py says: $(grep -E '^version_info' "$tree/odoo/release.py"))"
}

export_git() {
    local gitdir=$1 ref=${ODOO_REF:-HEAD} commit tmp
    commit=$(git --git-dir="$gitdir" rev-parse --verify -q "$ref^{commit}") ||
        die "ODOO_SRC=$gitdir has no commit $ref"
    if [ -f "$CACHED/.entro-source" ] && [ "$(cat "$CACHED/.entro-source")" = "$commit" ]; then
        return 0
    fi
    log "exporting Odoo's files from $gitdir at ${commit:0:12} into the cache"
    tmp=$(mktemp -d "$ENTRO_CACHE/odoo-export.XXXXXX")
    local present=()
    for f in "${ODOO_FILES[@]}"; do
        if git --git-dir="$gitdir" cat-file -e "$commit:$f" 2>/dev/null; then present+=("$f"); fi
    done
    git --git-dir="$gitdir" archive --format=tar "$commit" "${present[@]}" | tar -x -C "$tmp"
    check_tree "$tmp" || { rm -rf "$tmp"; die "ODOO_SRC=$gitdir at $ref is not an Odoo source tree"; }
    echo "$commit" >"$tmp/.entro-source"
    rm -rf "$CACHED.old"
    [ -d "$CACHED" ] && mv "$CACHED" "$CACHED.old"
    mv "$tmp" "$CACHED"
    rm -rf "$CACHED.old"
}

if [ -n "${ODOO_SRC:-}" ]; then
    if [ -d "$ODOO_SRC" ] && check_tree "$ODOO_SRC"; then
        (cd "$ODOO_SRC" && pwd)
        exit 0
    elif [ -d "$ODOO_SRC" ] && git --git-dir="$ODOO_SRC" rev-parse --git-dir >/dev/null 2>&1; then
        export_git "$(cd "$ODOO_SRC" && pwd)"
    elif [ -d "$ODOO_SRC/.git" ]; then
        export_git "$(cd "$ODOO_SRC/.git" && pwd)"
    else
        die "ODOO_SRC=$ODOO_SRC is neither an Odoo 18.0 source tree nor a git directory holding one."
    fi
elif [ -f "$CACHED/odoo-bin" ]; then
    check_tree "$CACHED" || die "the cached Odoo source in $CACHED is damaged: remove it and run again"
else
    have git || die "git is needed to fetch Odoo's source"
    log "no ODOO_SRC and no cached Odoo: cloning the official $ODOO_BRANCH branch (about 1 GB)"
    tmp=$(mktemp -d "$ENTRO_CACHE/odoo-clone.XXXXXX")
    if ! git clone -q --depth 1 --branch "$ODOO_BRANCH" "$ODOO_GIT_URL" "$tmp/src"; then
        rm -rf "$tmp"
        die "could not clone Odoo $ODOO_BRANCH from $ODOO_GIT_URL, and no ODOO_SRC was given.
       Set ODOO_SRC to an Odoo 18.0 source tree or git directory (see docs/setup.md, 'Odoo source')."
    fi
    git -C "$tmp/src" rev-parse HEAD >"$tmp/src/.entro-source"
    rm -rf "$tmp/src/.git"
    mv "$tmp/src" "$CACHED"
    rmdir "$tmp"
fi
check_tree "$CACHED" || die "no usable Odoo source in $CACHED"
echo "$CACHED"
