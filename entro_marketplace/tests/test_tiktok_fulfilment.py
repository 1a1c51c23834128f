"""TikTok Shop fulfilment through the same framework: the package shipped on
delivery (pickup or drop-off), late tracking, the label downloaded from its URL,
seller cancel with a reason, returns into return pickings and credit notes."""

from odoo.exceptions import UserError

from .fulfilment_helpers import FulfilmentMixin
from .jobs import run_one_round
from .tiktok_common import TikTokFlowCase

SHIP = "/fulfillment/202309/packages/{}/ship"


class TestTikTokFulfilment(FulfilmentMixin, TikTokFlowCase):
    emulator_fulfilment_stores = ("returns", "documents")
    order_key = "id"
    ship_status = "AWAITING_SHIPMENT"

    def stored(self, order):
        return self.emulator.store["orders"][order["id"]]

    def ship_calls(self, order):
        return self.emulator.journal.entries(
            SHIP.format(f"1152{order['id']}"), method="POST"
        )

    # ------------------------------------------------------------ shipping

    def test_delivery_ships_the_package_and_gets_tracking_and_label(self):
        order, binding, sale = self.import_one(seed=81)
        picking = self.validate(self.delivery(sale))
        self.assertEqual(picking.entro_ship_state, "pending")
        self.assertFalse(self.ship_calls(order))
        run = self.run_jobs()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertEqual(picking.entro_ship_state, "done")
        self.assertEqual(self.stored(order)["status"], "AWAITING_COLLECTION")
        (call,) = self.ship_calls(order)
        self.assertEqual(call.json(), {"handover_method": "PICKUP"})
        self.assertEqual(picking.entro_package_number, f"1152{order['id']}")
        self.assertEqual(picking.carrier_tracking_ref, self.stored(order)["_tracking"])
        self.sync()
        self.assertIn(picking.carrier_tracking_ref, binding.tracking_numbers)
        label = picking.entro_label_id
        self.assertTrue(label.raw.startswith(b"%PDF-"))
        self.assertIn(picking.carrier_tracking_ref.encode(), label.raw)
        self.assertEqual((label.res_model, label.res_id), ("stock.picking", picking.id))

    def test_dropoff_when_the_shop_says_so(self):
        self.shop.ship_mode = "dropoff"
        self.addCleanup(setattr, self.shop, "ship_mode", "pickup")
        order, _binding, sale = self.import_one(seed=82)
        self.validate(self.delivery(sale))
        self.run_jobs()
        (call,) = self.ship_calls(order)
        self.assertEqual(call.json(), {"handover_method": "DROP_OFF"})

    def test_late_tracking_then_label(self):
        self.emulator.tracking_delay = 2
        order, _binding, sale = self.import_one(seed=83)
        picking = self.validate(self.delivery(sale))
        run_one_round(self.env)
        self.assertEqual(picking.entro_ship_state, "waiting_tracking")
        self.assertFalse(picking.carrier_tracking_ref)
        self.run_jobs()
        self.assertEqual(picking.entro_ship_state, "done")
        self.assertEqual(picking.carrier_tracking_ref, self.stored(order)["_tracking"])
        self.assertTrue(picking.entro_label_id)
        self.assertEqual(len(self.ship_calls(order)), 1)

    def test_refusal_leaves_to_retry_then_retry_ships(self):
        order, _binding, sale = self.import_one(seed=84)
        picking = self.validate(self.delivery(sale))
        self.emulator.faults.add("http_5xx", r"/packages/\d+/ship$", count=50)
        run = self.run_jobs()
        self.assertEqual(len(run.failed), 1)
        self.assertEqual(picking.entro_ship_state, "to_retry")
        self.assertIn("500", picking.entro_ship_message)
        self.assertTrue(picking.activity_ids)
        self.assertEqual(self.stored(order)["status"], "AWAITING_SHIPMENT")
        self.emulator.faults.clear()
        picking.action_entro_retry_shipment()
        self.run_jobs()
        self.assertEqual(picking.entro_ship_state, "done")
        self.assertFalse(picking.entro_ship_message)
        self.assertEqual(picking.carrier_tracking_ref, self.stored(order)["_tracking"])

    def test_shipping_twice_ships_once(self):
        order, _binding, sale = self.import_one(seed=85)
        picking = self.validate(self.delivery(sale))
        self.run_jobs()
        picking.write({"entro_ship_state": "pending"})
        picking._entro_job_ship()
        self.run_jobs()
        self.assertEqual(picking.entro_ship_state, "done")
        self.assertEqual(len(self.ship_calls(order)), 1)

    # ------------------------------------------------------ cancellations

    def test_platform_cancellation_frees_the_reservation(self):
        order, binding, sale = self.import_one(seed=86)
        self.assertEqual(self.delivery(sale).state, "assigned")
        self.assertGreater(self.reserved(sale), 0)
        self.emulator.set_status(order["id"], "CANCELLED")
        self.sync()
        self.assertEqual(binding.state, "cancelled")
        self.assertEqual(sale.state, "cancel")
        self.assertFalse(self.delivery(sale))
        self.assertEqual(self.reserved(sale), 0)

    def test_seller_cancel_is_sent_with_the_reason(self):
        order, binding, sale = self.import_one(seed=87)
        action = sale.action_cancel()
        self.assertEqual(action["res_model"], "entro.marketplace.cancel")
        wizard = (
            self.env["entro.marketplace.cancel"]
            .with_context(action["context"])
            .create({"reason": "out_of_stock", "note": "Kho hết hàng"})
        )
        wizard.action_confirm()
        (call,) = self.emulator.journal.entries("/return_refund/202309/cancellations")
        self.assertEqual(
            call.json(),
            {
                "order_id": order["id"],
                "cancel_reason": "seller_cancel_reason_out_of_stock",
            },
        )
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(self.reserved(sale), 0)
        self.assertEqual(self.stored(order)["status"], "CANCELLED")
        self.sync()
        self.assertEqual(binding.state, "cancelled")

    def test_seller_cancel_refused_by_the_platform(self):
        order, _binding, sale = self.import_one(seed=88)
        self.emulator.set_status(order["id"], "IN_TRANSIT")  # shipped elsewhere
        wizard = self.env["entro.marketplace.cancel"].create(
            {"sale_order_id": sale.id, "reason": "out_of_stock"}
        )
        with self.assertRaisesRegex(UserError, "cannot be cancelled"):
            wizard.action_confirm()
        self.assertEqual(sale.state, "sale")

    # ------------------------------------------------------------- returns

    def test_return_makes_return_picking_and_credit_note_once(self):
        order, _binding, sale = self.import_one(seed=89)
        picking = self.validate(self.delivery(sale))
        self.run_jobs()
        invoice = sale.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.emulator.set_status(order["id"], "DELIVERED")
        item = order["line_items"][0]
        ret = self.emulator.add_return(order["id"], [item["id"]])
        self.sync_returns()
        (record,) = self.returns()
        self.assertEqual(record.state, "requested")
        self.assertFalse(record.picking_id or record.credit_note_id)
        self.emulator.set_return_status(
            ret["return_id"], "RETURN_OR_REFUND_REQUEST_COMPLETE"
        )
        self.sync_returns()
        self.assertEqual(record.state, "refunded")
        self.assertTrue(record.processed, record.exception_reason)
        back = record.picking_id
        self.assertEqual(back.picking_type_code, "incoming")
        self.assertEqual(back.move_ids.product_uom_qty, 1)
        self.assertEqual(back.move_ids.origin_returned_move_id.picking_id, picking)
        refund = record.credit_note_id
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.amount_total, float(item["sale_price"]))
        self.assertEqual(refund.reversed_entry_id, invoice)
        self.shop.return_cursor = False
        self.sync_returns()
        self.assertEqual(len(self.returns()), 1)
        self.assertEqual(
            self.env["account.move"].search_count(
                [
                    ("move_type", "=", "out_refund"),
                    ("reversed_entry_id", "=", invoice.id),
                ]
            ),
            1,
        )

    def test_refund_without_goods_makes_only_a_credit_note(self):
        order, _binding, sale = self.import_one(seed=90)
        self.validate(self.delivery(sale))
        self.run_jobs()
        ret = self.emulator.add_return(order["id"], return_type="REFUND")
        self.emulator.set_return_status(
            ret["return_id"], "RETURN_OR_REFUND_REQUEST_COMPLETE"
        )
        self.sync_returns()
        (record,) = self.returns()
        self.assertFalse(record.picking_id)
        self.assertEqual(
            record.credit_note_id.amount_total,
            float(ret["refund_amount"]["refund_total"]),
        )
