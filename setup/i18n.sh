#!/usr/bin/env bash
# Refresh each addon's translation template (i18n/<addon>.pot) from the code, and merge
# it into i18n/vi.po: new terms appear there untranslated (msgstr ""), for a person to
# translate; tests/test_translations.py fails until they are.
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
trap entro_cleanup EXIT
entro_bootstrap
DB=entro_i18n_$(fingerprint "$ENTRO_ROOT")
clone_db "$(template_db nodemo)" "$DB"
run_odoo "$ENTRO_STATE/log/i18n.log" -d "$DB" -i "$ENTRO_ADDONS" --stop-after-init --no-http \
    --without-demo=all || die "install failed; see $ENTRO_STATE/log/i18n.log"
for addon in ${ENTRO_ADDONS//,/ }; do
    pot=$ENTRO_ROOT/$addon/i18n/$addon.pot
    mkdir -p "$(dirname "$pot")"
    run_odoo "$ENTRO_STATE/log/i18n.log" -d "$DB" --modules="$addon" --i18n-export="$pot" \
        --stop-after-init --no-http || die "export of $addon failed"
    po=$ENTRO_ROOT/$addon/i18n/vi.po
    if [ -f "$po" ]; then
        msgmerge --quiet --no-fuzzy-matching --no-wrap --sort-output -U --backup=none "$po" "$pot"
    else
        msginit --no-translator --no-wrap -l vi -i "$pot" -o "$po" >/dev/null 2>&1
    fi
    log "$addon: $(msgfmt --statistics -o /dev/null "$po" 2>&1)"
done
drop_db "$DB"
