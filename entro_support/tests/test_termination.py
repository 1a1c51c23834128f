"""At termination: the seller's archive holds their company's data and no other's;
after the download period, a cron deletes the company's marketplace data and
keeps its posted journal entries."""

import csv
import io
import json
import zipfile
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import SECRETS, SupportCase


@tagged("post_install", "-at_install")
class TestTermination(SupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Termination = cls.env["entro.support.termination"]
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company_a, install_demo=False
        )
        cls.order_a = cls._buyer_order(cls.shop_a, "A-ORDER-0001")
        cls.order_b = cls._buyer_order(
            cls.shop_b, "B-ORDER-0001", {"name": "Lê Văn Bí", "phone": "0933111222"}
        )
        for shop, sku in ((cls.shop_a, "SKU-A-001"), (cls.shop_b, "SKU-B-001")):
            cls.env["entro.marketplace.listing"].create(
                {
                    "shop_id": shop.id,
                    "item_id": f"item-{sku}",
                    "variant_id": f"var-{sku}",
                    "sku": sku,
                    "name": f"Cà phê {sku}",
                }
            )
        cls.payout_a = cls._payout(cls.shop_a, "PAYOUT-A-1")
        cls.payout_b = cls._payout(cls.shop_b, "PAYOUT-B-1")
        # a posted journal entry of company A's payout: accounting law keeps it
        journal = cls.env["account.journal"].search(
            [("company_id", "=", cls.company_a.id), ("type", "=", "general")], limit=1
        )
        accounts = cls.env["account.account"].search(
            [("company_ids", "in", cls.company_a.id), ("account_type", "=", "income")],
            limit=2,
        )
        cls.move_a = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "company_id": cls.company_a.id,
                "entro_settlement_id": cls.payout_a.id,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": accounts[0].id,
                            "debit": 100000,
                            "name": "Payout",
                        }
                    ),
                    Command.create(
                        {
                            "account_id": accounts[-1].id,
                            "credit": 100000,
                            "name": "Payout",
                        }
                    ),
                ],
            }
        )
        cls.move_a.action_post()
        cls.payout_a.move_id = cls.move_a

    @classmethod
    def _payout(cls, shop, number):
        payout = cls.env["entro.marketplace.settlement"].create(
            {
                "shop_id": shop.id,
                "external_id": number,
                "payout_date": fields.Datetime.now(),
                "currency_id": cls.env.ref("base.VND").id,
                "net_amount": 100000,
            }
        )
        cls.env["entro.marketplace.settlement.line"].create(
            {
                "settlement_id": payout.id,
                "fee_type": cls.env["entro.marketplace.settlement.line"]
                ._fields["fee_type"]
                .selection[0][0],
                "amount": 100000,
                "order_external_id": number.replace("PAYOUT", "ORDER"),
            }
        )
        return payout

    def _end(self, sub, days_ago):
        sub._expire("test")
        sub.entro_ended_on = fields.Date.today() - timedelta(days=days_ago)

    def test_archive_holds_company_a_data_only(self):
        content = self.Termination._build_archive(self.company_a)
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        self.assertLessEqual(
            {
                "orders.csv",
                "listings.csv",
                "payouts.csv",
                "payout_lines.csv",
                "data.json",
            },
            names,
        )
        everything = "\n".join(archive.read(n).decode("utf-8-sig") for n in names)
        for mine in ("A-ORDER-0001", "SKU-A-001", "PAYOUT-A-1", self.shop_a.name):
            self.assertIn(mine, everything)
        for theirs in (
            "B-ORDER-0001",
            "SKU-B-001",
            "PAYOUT-B-1",
            self.shop_b.name,
            "Lê Văn Bí",
        ):
            self.assertNotIn(theirs, everything)
        for secret in SECRETS.values():
            self.assertNotIn(secret, everything)
        orders = list(
            csv.DictReader(io.StringIO(archive.read("orders.csv").decode("utf-8-sig")))
        )
        self.assertEqual([o["external_id"] for o in orders], ["A-ORDER-0001"])
        data = json.loads(archive.read("data.json"))
        self.assertEqual([p["external_id"] for p in data["payouts"]], ["PAYOUT-A-1"])

    def test_download_window(self):
        self.assertTrue(self.Termination._status(self.company_a)["allowed"])
        self._end(self.sub_a, 29)
        status = self.Termination._status(self.company_a)
        self.assertTrue(status["allowed"])
        self.assertEqual(
            status["available_until"], fields.Date.today() + timedelta(days=1)
        )
        self.sub_a.entro_ended_on = fields.Date.today() - timedelta(days=31)
        self.assertFalse(self.Termination._status(self.company_a)["allowed"])
        # the period is a setting
        self.env["ir.config_parameter"].set_param("entro_support.termination_days", 60)
        self.assertTrue(self.Termination._status(self.company_a)["allowed"])

    def test_expiry_records_the_end_date(self):
        self.sub_b._expire("test")
        self.assertEqual(self.sub_b.entro_ended_on, fields.Date.today())

    def test_cron_deletes_marketplace_data_and_keeps_posted_entries(self):
        self._end(self.sub_a, 10)
        self.Termination._cron_purge_terminated()
        self.assertTrue(self.shop_a.exists(), "still within the download period")
        self.sub_a.entro_ended_on = fields.Date.today() - timedelta(days=31)
        sale_a = self.order_a.sale_order_id
        self.Termination._cron_purge_terminated()
        for model in (
            "entro.marketplace.shop",
            "entro.marketplace.order",
            "entro.marketplace.listing",
            "entro.marketplace.settlement",
            "entro.marketplace.settlement.line",
            "entro.marketplace.log",
        ):
            self.assertFalse(
                self.env[model]
                .with_context(active_test=False)
                .search_count([("company_id", "=", self.company_a.id)]),
                model,
            )
        self.assertFalse(
            self.env["entro.marketplace.credential"]
            .sudo()
            .search([("shop_id", "=", self.shop_a.id)])
        )
        # accounting law: the posted entry stays, whole
        self.assertTrue(self.move_a.exists())
        self.assertEqual(self.move_a.state, "posted")
        self.assertEqual(self.move_a.amount_total, 100000)
        self.assertTrue(sale_a.exists())
        self.assertEqual(self.company_a.entro_data_purged_on, fields.Date.today())
        self.assertFalse(self.Termination._status(self.company_a)["allowed"])
        # company B is untouched
        self.assertTrue(self.shop_b.exists())
        self.assertTrue(self.order_b.exists())
        self.assertTrue(self.payout_b.exists())
