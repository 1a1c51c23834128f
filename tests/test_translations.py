"""The Vietnamese translation is kept current: every term of the code is in vi.po."""

from pathlib import Path

import polib

from odoo.tools.translate import TranslationModuleReader

from .odoo_case import CrossAddonCase

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ("entro_marketplace", "entro_billing", "entro_privacy", "entro_support")


class TestVietnameseTranslation(CrossAddonCase):
    def test_every_term_is_translated(self):
        for addon in ADDONS:
            with self.subTest(addon=addon):
                po = polib.pofile(str(ROOT / addon / "i18n" / "vi.po"))
                translated = {e.msgid for e in po if e.msgstr and not e.obsolete}
                reader = TranslationModuleReader(self.env.cr, modules=[addon])
                terms = {row[4] for row in reader if row[4]}
                self.assertTrue(terms, f"no terms exported for {addon}")
                missing = sorted(terms - translated)
                self.assertFalse(
                    missing,
                    f"{addon}/i18n/vi.po lacks {len(missing)} term(s); run "
                    f"setup/i18n.sh and translate them: {missing[:10]}",
                )

    def test_po_files_are_valid(self):
        for addon in ADDONS:
            with self.subTest(addon=addon):
                po = polib.pofile(str(ROOT / addon / "i18n" / "vi.po"))
                self.assertEqual(po.metadata.get("Language"), "vi")
                for entry in po:
                    # placeholders survive translation
                    for token in ("%s", "%(", "{"):
                        self.assertEqual(
                            entry.msgid.count(token),
                            entry.msgstr.count(token),
                            f"{addon}: placeholder mismatch in {entry.msgid!r}",
                        )
