"""Every personal field of our models is declared, and every declaration is valid."""

import re

from odoo.tests import TransactionCase, tagged

from ..models.entro_privacy_engine import FIELD_ACTIONS

PERSONAL_TYPES = ("char", "text", "html", "json", "binary")
# names or labels that suggest a person's data
PERSONAL = re.compile(
    r"name|e-?mail|phone|mobile|address|street|city|zip|buyer|recipient|customer|"
    r"payload|\bip\b|ip_addr|note|message|remark|subscriber|contact|vat|card|token|"
    r"login|identity|subject",
    re.IGNORECASE,
)
FIND_KEYS = {"partner", "email", "phone", "buyer_key", "related", "document"}


@tagged("post_install", "-at_install")
class TestDeclarations(TransactionCase):
    def setUp(self):
        super().setUp()
        self.engine = self.env["entro.privacy.engine"]
        self.entries, self.not_personal = self.engine._raw_declarations()

    def _covered(self):
        covered = set()
        for entry in self.entries:
            covered |= {(entry["model"], name) for name in entry.get("fields", {})}
            retain = entry.get("retain") or {}
            covered |= {(entry["model"], n) for n in retain.get("fields", {})}
        for model, names in self.not_personal.items():
            covered |= {(model, name) for name in names}
        return covered

    def _our_fields(self):
        """(model, field) of every text-like field our addons define."""
        for name in self.env.registry:
            Model = self.env[name]
            for field in Model._fields.values():
                if field.type not in PERSONAL_TYPES or field.name.startswith("_"):
                    continue
                ours = name.startswith("entro.") or field.name.startswith("entro_")
                if not ours or field.name in (
                    "display_name",
                    "activity_exception_icon",
                ):
                    continue
                if field.related:
                    continue
                yield name, field

    def test_every_personal_field_of_ours_is_declared(self):
        covered = self._covered()
        missing = []
        for model, field in self._our_fields():
            label = f"{field.name} {field.string or ''}"
            if PERSONAL.search(label) and (model, field.name) not in covered:
                missing.append(f"{model}.{field.name} ({field.string})")
        self.assertFalse(
            missing,
            "Personal-looking fields no privacy.py declares (declare them in the "
            "addon's privacy.py: PERSONAL_DATA, or NOT_PERSONAL with a reason): "
            + ", ".join(sorted(missing)),
        )

    def test_the_heuristic_catches_a_personal_field(self):
        # the test above would fail on a new undeclared field: prove the rule bites
        self.assertTrue(PERSONAL.search("recipient_phone Recipient Phone"))
        self.assertTrue(PERSONAL.search("payload Platform Data"))
        self.assertNotIn(
            ("entro.marketplace.order", "recipient_phone"), self._covered()
        )

    def test_declarations_name_real_models_fields_and_actions(self):
        self.assertTrue(
            {e["module"] for e in self.entries}
            >= {"entro_privacy", "entro_marketplace"}
        )
        for entry in self.entries:
            model = entry["model"]
            self.assertIn(model, self.env, f"{entry['module']}: unknown model {model}")
            Model = self.env[model]
            for name, action in entry.get("fields", {}).items():
                self.assertIn(name, Model._fields, f"{model}.{name}")
                self.assertIn(action, FIELD_ACTIONS, f"{model}.{name}: {action}")
            self.assertLessEqual(set(entry.get("find", {})), FIND_KEYS, model)
            for how, paths in entry.get("find", {}).items():
                if how == "document":
                    for name in paths:
                        self.assertIn(name, Model._fields, f"{model}.{name}")
                    continue
                for path in paths:
                    if how == "related":
                        path, other, field = path
                        self.assertIn(field, self.env[other]._fields)
                    # the path must be searchable
                    Model.sudo().search([(path, "=", False)], limit=1)
            retain = entry.get("retain")
            if retain:
                Model.sudo().search(retain["domain"], limit=1)
                for name in retain.get("fields", {}):
                    self.assertIn(name, Model._fields, f"{model}.{name}")
            self.assertIn(
                entry.get("erase", "pseudonymise"), ("pseudonymise", "delete")
            )
        for model, names in self.not_personal.items():
            if model in self.env:
                for name in names:
                    self.assertIn(name, self.env[model]._fields, f"{model}.{name}")

    def test_core_models_are_declared(self):
        declared = {e["model"] for e in self.entries}
        self.assertLessEqual(
            {
                "res.partner",
                "res.users",
                "sale.order",
                "stock.picking",
                "account.move",
                "mail.message",
                "mail.followers",
                "entro.marketplace.order",
                "entro.marketplace.event",
            },
            declared,
        )
