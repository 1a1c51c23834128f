"""The seller's cockpit on deliveries (issue 20): no SMS nor email to a
platform's buyer, platforms that ship on their own said so before validation,
shipping labels printed one by one or merged for a selection."""

import io
import threading
from contextlib import contextmanager
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user
from odoo.tools.pdf import PdfFileReader

from .fulfilment_helpers import FulfilmentMixin, ShopeeFulfilmentCase
from .jobs import run_one_round
from .tiki_common import TikiFlowCase


def page_count(pdf):
    return len(PdfFileReader(io.BytesIO(pdf), strict=False).pages)


@contextmanager
def as_in_production(env):
    """stock_sms asks and texts nothing while tests run: act as a live server."""
    thread = threading.current_thread()
    testing = getattr(thread, "testing", False)
    thread.testing = False
    try:
        with patch.object(env.registry, "in_test_mode", return_value=False):
            yield
    finally:
        thread.testing = testing


class TestShopeeCockpit(ShopeeFulfilmentCase):
    manager_login = "cockpit_manager"

    def import_sales(self, n, seed):
        """The sale orders of ``n`` new orders imported."""
        return self.import_orders(n, seed)[1].sale_order_id

    def plain_delivery(self, partner):
        """A delivery of the company's own customer (no marketplace)."""
        picking = self.env["stock.picking"].create(
            {
                "partner_id": partner.id,
                "picking_type_id": self.warehouse.out_type_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.products[0].name,
                            "product_id": self.products[0].id,
                            "product_uom_qty": 1,
                            "location_id": self.warehouse.lot_stock_id.id,
                            "location_dest_id": self.env.ref(
                                "stock.stock_location_customers"
                            ).id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        return self.ready(picking)

    # ------------------------------------------------- the buyer is not contacted

    def test_marketplace_delivery_asks_no_sms_and_tells_the_buyer_nothing(self):
        self.company.sudo().write(
            {
                "stock_move_sms_validation": True,
                "has_received_warning_stock_sms": False,
                "stock_move_email_validation": True,
            }
        )
        sale = self.import_sales(1, seed=61)
        picking = self.ready(self.delivery(sale))
        picking.partner_id.sudo().write({"phone": "0901234567", "email": "b@x.vn"})
        customer = self.env["res.partner"].create(
            {"name": "Walk-in", "phone": "0907654321", "email": "w@x.vn"}
        )
        plain = self.plain_delivery(customer)
        # the same settings ask for the SMS on a delivery of the seller's own
        with as_in_production(self.env):
            asked = plain.button_validate()
            self.assertIsInstance(asked, dict)
            self.assertEqual(asked["res_model"], "confirm.stock.sms")
            # a marketplace delivery is validated at once, alone or with others
            self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.state, "done")
        self.assertFalse(
            self.env["sms.sms"]
            .sudo()
            .search([("partner_id", "=", picking.partner_id.id)])
        )
        self.assertFalse(
            picking.message_ids.filtered(lambda m: m.message_type == "sms")
        )
        comment = self.env.ref("mail.mt_comment")
        self.assertFalse(
            picking.message_ids.filtered(lambda m: m.subtype_id == comment)
        )
        # the seller's own customer still gets the delivery email
        self.assertIs(plain.with_context(skip_sms=True).button_validate(), True)
        self.assertTrue(plain.message_ids.filtered(lambda m: m.subtype_id == comment))
        # ... and the shipment job still goes to the platform
        self.assertEqual(picking.entro_ship_state, "pending")

    def test_sms_popup_left_out_for_marketplace_deliveries_of_a_mixed_selection(self):
        self.company.sudo().write(
            {"stock_move_sms_validation": True, "has_received_warning_stock_sms": False}
        )
        sale = self.import_sales(1, seed=62)
        picking = self.ready(self.delivery(sale))
        picking.partner_id.sudo().phone = "0901234567"
        plain = self.plain_delivery(
            self.env["res.partner"].create({"name": "Walk-in", "phone": "0907654321"})
        )
        with as_in_production(self.env):
            warn = (picking | plain)._check_warn_sms()
        self.assertEqual(warn, plain)

    def test_this_addon_overrides_stock_sms_from_above(self):
        """The filter of _send_confirmation_email needs this addon's override to
        run before stock_sms's (it does: this addon depends on more)."""
        modules = [cls.__module__ for cls in type(self.env["stock.picking"]).__mro__]
        ours = modules.index("odoo.addons.entro_marketplace.models.stock_picking")
        theirs = modules.index("odoo.addons.stock_sms.models.stock_picking")
        self.assertLess(ours, theirs)

    # ------------------------------------------------------------ print labels

    def test_print_labels_merges_them_and_lists_the_missing(self):
        sales = self.import_sales(3, seed=63)
        first, second, late = (self.delivery(sale) for sale in sales)
        for picking in (first, second, late):
            self.validate(picking)
        run_one_round(self.env)  # the shipments are arranged, labels not fetched
        self.assertEqual(
            set((first | second | late).mapped("entro_ship_state")), {"done"}
        )
        self.assertFalse((first | second | late).entro_label_id)
        first._entro_job_fetch_label()  # its label job ran
        self.assertTrue(first.entro_label_id)
        self.emulator.document_delay = 5  # the platform is slow on this one
        self.assertIn("not produced", late._entro_label_now())
        self.emulator.document_delay = 0

        action = (first | second | late).action_entro_print_labels()

        self.assertEqual(action["tag"], "display_notification")
        params = action["params"]
        self.assertIn(late.name, params["message"])
        self.assertNotIn(first.name, params["message"])
        self.assertNotIn(second.name, params["message"])
        self.assertIn("not produced", params["message"])
        # the second label was fetched for the print
        self.assertTrue(second.entro_label_id)
        download = params["next"]
        self.assertEqual(download["type"], "ir.actions.act_url")
        attachment_id = int(download["url"].split("/web/content/")[1].split("?")[0])
        merged = self.env["ir.attachment"].browse(attachment_id).raw
        self.assertEqual(
            page_count(merged),
            page_count(first.entro_label_id.raw)
            + page_count(second.entro_label_id.raw),
        )
        self.assertEqual(page_count(merged), 2)
        # the late label is asked for again by its job
        self.assertTrue(
            self.env["queue.job"]
            .sudo()
            .search([("identity_key", "=", f"entro-label-{late.id}")])
        )
        # all labels there: the download alone, through the web
        self.assertIsNone((first | second).action_entro_print_labels().get("params"))
        self.authenticate(self.manager_login, self.manager_login)
        response = self.url_open(download["url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(page_count(response.content), 2)

    def test_print_label_of_one_delivery(self):
        (sale,) = self.import_sales(1, seed=64)
        picking = self.validate(self.delivery(sale))
        self.run_jobs()
        self.assertTrue(picking.entro_label_id)
        action = picking.action_entro_print_labels()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertTrue(action["url"].endswith("?download=true"))
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        merged = self.env["ir.attachment"].browse(attachment_id)
        self.assertEqual(page_count(merged.raw), 1)
        self.assertIn(picking.carrier_tracking_ref.encode(), merged.raw)

    def test_nothing_to_print_is_an_error_naming_the_delivery(self):
        (sale,) = self.import_sales(1, seed=65)
        picking = self.delivery(sale)  # not validated yet
        with self.assertRaisesRegex(UserError, picking.name):
            picking.action_entro_print_labels()

    def test_a_label_waiting_for_the_carrier_says_so(self):
        self.emulator.tracking_delay = 5
        (sale,) = self.import_sales(1, seed=67)
        picking = self.validate(self.delivery(sale))
        run_one_round(self.env)
        self.assertEqual(picking.entro_ship_state, "waiting_tracking")
        with self.assertRaisesRegex(UserError, "tracking number"):
            picking.action_entro_print_labels()

    def test_labels_printed_by_marketplace_users_of_the_shop_company_only(self):
        (sale,) = self.import_sales(1, seed=66)
        picking = self.validate(self.delivery(sale))
        self.run_jobs()
        su = self.env(su=True)
        other = su["res.company"].create({"name": "Other Seller"})
        outsider = new_test_user(
            su,
            login="cockpit_outsider",
            groups="base.group_user,entro_marketplace.group_marketplace_user,"
            "stock.group_stock_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        with self.assertRaises(AccessError):
            picking.with_user(outsider).action_entro_print_labels()
        storekeeper = new_test_user(
            su,
            login="cockpit_storekeeper",
            groups="base.group_user,stock.group_stock_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            picking.with_user(storekeeper).action_entro_print_labels()
        # the merged labels are the printer's own
        action = picking.action_entro_print_labels()
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        mp_user = new_test_user(
            su,
            login="cockpit_user",
            groups="base.group_user,entro_marketplace.group_marketplace_user,"
            "stock.group_stock_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            self.env["ir.attachment"].with_user(mp_user).browse(attachment_id).raw  # noqa: B018
        # a Marketplace User of the shop's company prints them
        self.assertEqual(
            picking.with_user(mp_user).action_entro_print_labels()["type"],
            "ir.actions.act_url",
        )


class TestTikiCockpit(FulfilmentMixin, TikiFlowCase):
    manager_login = "cockpit_tiki_manager"
    order_key = "code"
    ship_status = "queueing"

    def import_sale(self, seed):
        return self.import_one(seed)[2]

    def ship_jobs(self):
        return (
            self.env["queue.job"].sudo().search([("model_name", "=", "stock.picking")])
        )

    def test_said_before_validation_and_only_recorded(self):
        sale = self.import_sale(seed=71)
        picking = self.delivery(sale)
        self.assertFalse(picking.entro_shipping_supported)
        self.assertEqual(
            picking.entro_shipping_notice,
            "Tiki ships this order itself: arrange it in the Tiki Seller Center; "
            "validating here only records it in Odoo.",
        )
        self.validate(picking)
        self.assertEqual(picking.entro_ship_state, "seller_center")
        self.assertFalse(self.ship_jobs())
        self.assertFalse(picking.entro_ship_message)
        # nothing to retry, no label to print from Entro
        with self.assertRaisesRegex(UserError, "Tiki Seller Center"):
            picking.action_entro_retry_shipment()
        with self.assertRaisesRegex(UserError, "Tiki Seller Center"):
            picking.action_entro_print_labels()

    def test_the_banner_speaks_vietnamese(self):
        self.env["res.lang"].sudo()._activate_lang("vi_VN")
        self.env["ir.module.module"].sudo()._load_module_terms(
            ["entro_marketplace"], ["vi_VN"]
        )
        picking = self.delivery(self.import_sale(seed=76))
        self.assertIn("ships this order itself", picking.entro_shipping_notice)
        notice = picking.with_context(lang="vi_VN").entro_shipping_notice
        self.assertEqual(
            notice,
            "Tiki tự giao đơn hàng này: hãy xử lý trên Tiki Seller Center; xác "
            "nhận ở đây chỉ ghi nhận giao hàng trong Odoo.",
        )

    def test_failed_shipment_of_old_is_not_retried(self):
        """Before the capability flag, a Tiki delivery queued a ship job that
        failed as unsupported: no retry is offered, its job requeued records it."""
        sale = self.import_sale(seed=72)
        picking = self.validate(self.delivery(sale))
        picking.write(
            {
                "entro_ship_state": "to_retry",
                "entro_ship_message": "tiki does not support arranging shipments",
            }
        )
        with self.assertRaisesRegex(UserError, "Tiki Seller Center"):
            picking.action_entro_retry_shipment()
        calls = self.emulator.journal.count()
        self.assertIn("Tiki Seller Center", picking._entro_job_ship())
        self.assertEqual(self.emulator.journal.count(), calls)  # Tiki not asked
        self.assertEqual(picking.entro_ship_state, "seller_center")
        self.assertFalse(picking.entro_ship_message)

    def test_upgrade_settles_the_old_failures_without_retry(self):
        # two orders: one delivery validated, the other not (imported together:
        # a second sync would not list an order older than the first)
        _orders, bindings = self.import_orders(2, seed=74)
        picking = self.validate(self.delivery(bindings[0].sale_order_id))
        other = self.delivery(bindings[1].sale_order_id)  # not validated: untouched
        self.assertTrue(other)
        # what a Tiki delivery looked like before: a ship job failed as unsupported
        picking.entro_ship_state = "pending"
        picking._entro_enqueue("_entro_job_ship", "ship")
        job = self.ship_jobs()
        job.sudo().write({"state": "failed", "exc_info": "unsupported"})
        picking._entro_to_retry("tiki does not support arranging shipments")
        self.assertTrue(picking.activity_ids)
        self.env["stock.picking"]._entro_settle_unsupported_shipments()
        self.assertEqual(picking.entro_ship_state, "seller_center")
        self.assertFalse(picking.entro_ship_message)
        self.assertEqual(job.state, "cancelled")
        self.assertFalse(picking.activity_ids)
        self.assertFalse(other.entro_ship_state)

    def test_no_sms_popup_on_tiki_deliveries_either(self):
        self.company.sudo().write(
            {"stock_move_sms_validation": True, "has_received_warning_stock_sms": False}
        )
        sale = self.import_sale(seed=73)
        picking = self.delivery(sale)
        picking.partner_id.sudo().phone = "0901234567"
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        with as_in_production(self.env):
            self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.entro_ship_state, "seller_center")
