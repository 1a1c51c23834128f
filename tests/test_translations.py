"""The Vietnamese translation is kept current: every term of the code is in vi.po."""

from pathlib import Path

import polib

from odoo.tools.translate import TranslationModuleReader

from .odoo_case import CrossAddonCase

ROOT = Path(__file__).resolve().parent.parent
ADDONS = (
    "entro_marketplace",
    "entro_billing",
    "entro_privacy",
    "entro_support",
    "entro_marketplace_vn_einvoice",
)
# Vietnamese menus: the marketplace app's name, and every other menu (characters)
MENU_ROOT_MAX = 12
MENU_MAX = 20


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

    def test_vietnamese_menus_are_short(self):
        """The whole top menu fits at 1440 px in Vietnamese: the app name is short,
        and so is every menu (docs/glossary-vi.md)."""
        # the app a seller works in all day: its name stands left of its menus
        roots = {"entro_marketplace.menu_marketplace_root"}
        for addon in ADDONS:
            po = polib.pofile(str(ROOT / addon / "i18n" / "vi.po"))
            for entry in po:
                menus = [
                    occurrence.split(",name:", 1)[1]
                    for occurrence, _line in entry.occurrences
                    if occurrence.startswith("model:ir.ui.menu,name:")
                ]
                if not menus or entry.obsolete:
                    continue
                limit = MENU_ROOT_MAX if roots & set(menus) else MENU_MAX
                with self.subTest(menu=menus[0]):
                    self.assertLessEqual(
                        len(entry.msgstr),
                        limit,
                        f"{addon}: menu {menus} reads {entry.msgstr!r} in "
                        f"Vietnamese: at most {limit} characters",
                    )
        root = self.env.ref("entro_marketplace.menu_marketplace_root")
        self.env["res.lang"]._activate_lang("vi_VN")
        self.env["ir.module.module"]._load_module_terms(list(ADDONS), ["vi_VN"])
        self.assertEqual(root.with_context(lang="vi_VN").name, "Sàn TMĐT")
