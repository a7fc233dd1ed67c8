#!/usr/bin/env bash
# Re-extract the messages, merge them into the catalogs and compile them.
#
#   scripts/i18n.sh            extract -> update zh_CN.po -> compile zh_CN.mo
#   scripts/i18n.sh compile    compile only (after editing a .po by hand)
#
# Then translate what is new or fuzzy in src/rectify/locale/zh_CN/LC_MESSAGES/
# rectify.po (any PO editor works), run this again, and commit the .pot, the
# .po and the .mo: installs use the committed .mo and need no build step.
# tests/test_i18n.py fails while a message lacks a translation, while a
# translation is fuzzy, or while the .mo is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-pybabel}
LOCALE=src/rectify/locale
POT=$LOCALE/rectify.pot

if [ "${1:-}" != compile ]; then
    "$PYBABEL" extract -F babel.cfg --no-default-keywords -k _ -k N_ -k ngettext:1,2 \
        -k pgettext:1c,2 -k NP_:1c,2 \
        --project rectify --copyright-holder "rectify authors" --msgid-bugs-address "" \
        --sort-by-file -o "$POT" src/rectify
    for po in "$LOCALE"/*/LC_MESSAGES/rectify.po; do
        lang=$(basename "$(dirname "$(dirname "$po")")")
        "$PYBABEL" update -i "$POT" -d "$LOCALE" -D rectify -l "$lang" --ignore-obsolete
    done
fi
"$PYBABEL" compile -d "$LOCALE" -D rectify --statistics
