"""The upgrade to 18.0.1.1.0 widens the subscriptions' company rule (noupdate file)."""

import importlib.util
from pathlib import Path

from odoo.tests import TransactionCase, tagged

MIGRATION = (
    Path(__file__).resolve().parent.parent
    / "migrations"
    / "18.0.1.1.0"
    / "post-migrate.py"
)
OLD_DOMAIN = "['|', ('company_id', '=', False), ('company_id', 'in', company_ids)]"


@tagged("post_install", "-at_install")
class TestMigration(TransactionCase):
    def test_upgrade_widens_the_subscription_rule(self):
        rule = self.env.ref("entro_billing.entro_billing_subscription_rule_company")
        installed = rule.domain_force
        rule.domain_force = OLD_DOMAIN  # as a database of 18.0.1.0.0 has it
        spec = importlib.util.spec_from_file_location("billing_migration", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        # the same rule as a fresh install's, read from the addon's file
        self.assertEqual(rule.domain_force, installed)
        self.assertIn("ref_company_ids", rule.domain_force)
