"""Lazada fulfilment through the same framework: pack + ready-to-ship on delivery,
late tracking, AWB, seller cancel with a reason, reverse orders into returns."""

from odoo.exceptions import UserError

from .fulfilment_helpers import FulfilmentMixin
from .jobs import run_one_round
from .lazada_common import LazadaFlowCase


class TestLazadaFulfilment(FulfilmentMixin, LazadaFlowCase):
    emulator_fulfilment_stores = ("reverse",)
    order_key = "order_id"
    ship_status = ["pending", "pending"]  # an order of two items

    def items(self, order):
        return self.emulator.store["orders"][str(order["order_id"])]["_items"]

    def test_delivery_packs_ships_and_gets_the_awb(self):
        order, _binding, sale = self.import_one(seed=81)
        picking = self.validate(self.delivery(sale))
        run = self.run_jobs()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertEqual({i["status"] for i in self.items(order)}, {"ready_to_ship"})
        self.assertEqual(picking.entro_ship_state, "done")
        self.assertEqual(picking.entro_package_number, f"FP{order['order_id']}")
        self.assertEqual(
            picking.carrier_tracking_ref, self.items(order)[0]["tracking_code"]
        )
        self.assertTrue(picking.entro_label_id.raw.startswith(b"%PDF-"))
        self.assertEqual(self.emulator.journal.count("/order/fulfill/pack"), 1)
        self.assertEqual(self.emulator.journal.count("/order/package/rts"), 1)

    def test_late_tracking_then_awb(self):
        self.emulator.tracking_delay = 2
        _order, _binding, sale = self.import_one(seed=82)
        picking = self.validate(self.delivery(sale))
        run_one_round(self.env)
        self.assertEqual(picking.entro_ship_state, "waiting_tracking")
        self.assertFalse(picking.carrier_tracking_ref)
        self.run_jobs()
        self.assertEqual(picking.entro_ship_state, "done")
        self.assertTrue(picking.carrier_tracking_ref.startswith("LZDVN"))
        self.assertTrue(picking.entro_label_id)
        self.assertEqual(self.emulator.journal.count("/order/fulfill/pack"), 1)

    def test_seller_cancel_sends_the_reason(self):
        order, _binding, sale = self.import_one(seed=83)
        wizard = self.env["entro.marketplace.cancel"].create(
            {"sale_order_id": sale.id, "reason": "out_of_stock"}
        )
        wizard.action_confirm()
        create = self.emulator.journal.entries("/order/reverse/cancel/create")[0]
        self.assertEqual(create.query["reason_id"], ["1001"])
        self.assertEqual({i["status"] for i in self.items(order)}, {"canceled"})
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(self.reserved(sale), 0)

    def test_seller_cancel_refused_by_the_platform(self):
        order, _binding, sale = self.import_one(seed=84)
        self.emulator.set_item_status(order["order_id"], None, "packed")
        wizard = self.env["entro.marketplace.cancel"].create(
            {"sale_order_id": sale.id, "reason": "customer_request"}
        )
        with self.assertRaisesRegex(UserError, "cannot be cancelled"):
            wizard.action_confirm()
        self.assertEqual(sale.state, "sale")

    def test_reverse_order_makes_return_and_credit_note_once(self):
        order, _binding, sale = self.import_one(seed=85)
        self.validate(self.delivery(sale))
        self.run_jobs()
        invoice = sale.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.emulator.set_item_status(order["order_id"], None, "delivered")
        item = self.items(order)[0]
        row = self.emulator.add_reverse_order(
            order["order_id"], [item["order_item_id"]]
        )
        self.emulator.set_reverse_status(row["reverse_order_id"], "REFUND_SUCCESS")
        self.sync_returns()
        (record,) = self.returns()
        self.assertTrue(record.processed, record.exception_reason)
        self.assertEqual(record.picking_id.move_ids.product_uom_qty, 1)
        self.assertEqual(record.credit_note_id.amount_total, float(item["paid_price"]))
        self.shop.return_cursor = False
        self.sync_returns()
        self.assertEqual(len(self.returns()), 1)
        self.assertEqual(len(record.credit_note_id), 1)
        self.assertEqual(
            self.env["account.move"].search_count(
                [
                    ("move_type", "=", "out_refund"),
                    ("reversed_entry_id", "=", invoice.id),
                ]
            ),
            1,
        )
