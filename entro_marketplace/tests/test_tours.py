"""A seller's first hour in a real browser: Odoo tours (web_tour) in headless Chromium.

Each test prepares what the seller would have (a Shopee shop connected to the
emulator, its orders imported, stock on hand), then plays a tour of
``static/tests/tours/`` as the shop's Marketplace Manager, not as administrator, and
checks in the database what the clicks did.
"""

import io

from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from .common import SHOP_ID
from .fulfilment_helpers import ShopeeFulfilmentCase


def pages(pdf):
    return len(PdfFileReader(io.BytesIO(pdf), strict=False).pages)


@tagged("post_install", "-at_install", "is_tour")
class TestFirstHourTours(ShopeeFulfilmentCase):
    manager_login = "mp_tour_manager"
    browser_size = "1440x900"

    def test_connect_a_shop(self):
        """Connect a Shop, the platform's consent page, back connected: one click
        for the seller, the app's key and secret entered once by an administrator."""
        # the emulator's one seller is free again (the class shop stands aside)
        self.shop.sudo().write({"external_id": "other", "state": "disconnected"})
        # the platform sends the seller back to this server
        self.env["ir.config_parameter"].sudo().set_param(
            "entro_marketplace.public_base_url", self.base_url()
        )
        self.start_tour("/odoo", "entro_connect_shop", login=self.manager_login)
        shop = self.env["entro.marketplace.shop"].search(
            [("external_id", "=", str(SHOP_ID))]
        )
        self.assertEqual(shop.state, "connected")
        self.assertTrue(shop.has_tokens)
        self.assertEqual(shop.app_id, self.shop.app_id)

    def test_order_to_delivery(self):
        """From the overview to the order, its sale order, its delivery validated,
        its shipment arranged on the platform, its label printed."""
        _order, binding, _sale = self.import_one(seed=77)
        self.start_tour("/odoo", "entro_order_to_delivery", login=self.manager_login)
        picking = self.delivery(binding.sale_order_id)
        self.assertEqual(picking.state, "done")
        # validating queued the shipment on the platform, as the form promises
        self.assertEqual(picking.entro_ship_state, "pending")
        run = self.run_jobs()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertEqual(picking.entro_ship_state, "done")
        # then print its label from the delivery's form
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{picking.id}",
            "entro_print_label",
            login=self.manager_login,
        )
        merged = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "stock.picking"),
                ("res_id", "=", False),
                ("create_uid", "=", self.manager.id),
                ("mimetype", "=", "application/pdf"),
            ]
        )
        self.assertEqual(len(merged), 1)
        self.assertEqual(pages(merged.raw), pages(picking.entro_label_id.raw))

    def test_order_to_delivery_in_vietnamese(self):
        """The same hour for a seller working in Vietnamese."""
        admin = self.env(su=True)
        admin["res.lang"]._activate_lang("vi_VN")
        modules = ["base", "web", "sale", "stock", "entro_marketplace"]
        admin["ir.module.module"]._load_module_terms(modules, ["vi_VN"])
        self.manager.sudo().lang = "vi_VN"
        _order, binding, _sale = self.import_one(seed=77)
        self.start_tour("/odoo", "entro_order_to_delivery_vi", login=self.manager_login)
        picking = self.delivery(binding.sale_order_id)
        self.assertEqual(picking.state, "done")
