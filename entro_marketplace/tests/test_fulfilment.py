"""Fulfilment out, cancellations, returns and invoices with Shopee over loopback."""

from odoo.exceptions import UserError

from .fulfilment_helpers import ShopeeFulfilmentCase
from .jobs import run_one_round


class TestShopeeFulfilment(ShopeeFulfilmentCase):
    # the label is ready at the second poll, as on Shopee
    emulator_settings = {**ShopeeFulfilmentCase.emulator_settings, "document_delay": 1}

    def stored(self, order):
        return self.emulator.store["orders"][order["order_sn"]]

    # ------------------------------------------------------------ shipping

    def test_validated_delivery_shows_tracking_and_label(self):
        order, binding, sale = self.import_one(seed=41)
        picking = self.validate(self.delivery(sale))
        # nothing is sent inside the validation: a job does it
        self.assertEqual(picking.entro_ship_state, "pending")
        self.assertEqual(self.emulator.journal.count("/api/v2/logistics/ship_order"), 0)
        run = self.run_jobs()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertEqual(picking.entro_ship_state, "done")
        self.assertEqual(self.stored(order)["order_status"], "PROCESSED")
        self.assertEqual(self.stored(order)["_ship_mode"], "pickup")
        self.assertEqual(picking.carrier_tracking_ref, self.stored(order)["_tracking"])
        self.assertIn(picking.carrier_tracking_ref, binding.tracking_numbers)
        label = picking.entro_label_id
        self.assertTrue(label.raw.startswith(b"%PDF-"))
        self.assertIn(picking.carrier_tracking_ref.encode(), label.raw)
        self.assertEqual((label.res_model, label.res_id), ("stock.picking", picking.id))
        # every job ran on the platform's channel
        jobs = (
            self.env["queue.job"].sudo().search([("model_name", "=", "stock.picking")])
        )
        self.assertEqual(set(jobs.mapped("channel")), {"root.marketplace.shopee"})

    def test_dropoff_when_the_shop_says_so(self):
        self.shop.ship_mode = "dropoff"
        order, _binding, sale = self.import_one(seed=42)
        self.validate(self.delivery(sale))
        self.run_jobs()
        self.assertEqual(self.stored(order)["_ship_mode"], "dropoff")
        self.assertEqual(self.delivery(sale).entro_ship_mode, "dropoff")

    def test_late_tracking_number_is_fetched_later(self):
        self.emulator.tracking_delay = 2
        order, _binding, sale = self.import_one(seed=43)
        picking = self.validate(self.delivery(sale))
        run_one_round(self.env)  # the shipment is arranged, no number yet
        self.assertEqual(picking.entro_ship_state, "waiting_tracking")
        self.assertFalse(picking.carrier_tracking_ref)
        self.assertEqual(self.stored(order)["order_status"], "PROCESSED")
        run = self.run_jobs()  # the tracking job retries until the carrier assigns
        self.assertTrue(run.retried)
        self.assertEqual(picking.entro_ship_state, "done")
        self.assertEqual(picking.carrier_tracking_ref, self.stored(order)["_tracking"])
        self.assertTrue(picking.entro_label_id)
        self.assertEqual(self.emulator.journal.count("/api/v2/logistics/ship_order"), 1)

    def test_refusal_leaves_to_retry_with_message_then_retry_succeeds(self):
        self.emulator.ship_modes = ()  # a channel Entro cannot arrange
        order, _binding, sale = self.import_one(seed=44)
        picking = self.validate(self.delivery(sale))
        self.run_jobs()
        self.assertEqual(picking.entro_ship_state, "to_retry")
        self.assertIn("non-integrated", picking.entro_ship_message)
        self.assertTrue(picking.activity_ids)
        self.assertIn(
            picking,
            self.env["stock.picking"].search([("entro_ship_state", "=", "to_retry")]),
        )
        self.emulator.ship_modes = ("pickup", "dropoff")
        picking.action_entro_retry_shipment()
        self.run_jobs()
        self.assertEqual(picking.entro_ship_state, "done")
        self.assertFalse(picking.entro_ship_message)
        self.assertEqual(picking.carrier_tracking_ref, self.stored(order)["_tracking"])

    def test_transient_failure_is_retried_by_the_job(self):
        order, _binding, sale = self.import_one(seed=45)
        picking = self.validate(self.delivery(sale))
        self.emulator.faults.add("http_5xx", r"/logistics/ship_order$", count=1)
        run = self.run_jobs()
        self.assertTrue(run.retried)
        self.assertEqual(picking.entro_ship_state, "done")
        self.assertEqual(self.stored(order)["order_status"], "PROCESSED")

    def test_platform_down_past_the_retries_is_to_retry_then_retried(self):
        order, _binding, sale = self.import_one(seed=56)
        picking = self.validate(self.delivery(sale))
        self.emulator.faults.add("http_5xx", r"/logistics/ship_order$", count=50)
        run = self.run_jobs()
        self.assertEqual(len(run.failed), 1)
        self.assertEqual(picking.entro_ship_state, "to_retry")
        self.assertIn("500", picking.entro_ship_message)
        self.emulator.faults.clear()
        picking.action_entro_retry_shipment()
        self.run_jobs()
        self.assertEqual(picking.entro_ship_state, "done")
        self.assertEqual(picking.carrier_tracking_ref, self.stored(order)["_tracking"])

    def test_shipping_twice_ships_once(self):
        _order, _binding, sale = self.import_one(seed=46)
        picking = self.validate(self.delivery(sale))
        picking._entro_enqueue("_entro_job_ship", "ship")  # a second request
        self.assertEqual(
            self.env["queue.job"]
            .sudo()
            .search_count([("identity_key", "=", f"entro-ship-{picking.id}")]),
            1,
        )
        self.run_jobs()
        # asked again (e.g. a retry after a lost answer): the platform is not
        # asked to ship an order already arranged
        picking.write({"entro_ship_state": "pending"})
        picking._entro_job_ship()
        self.run_jobs()
        self.assertEqual(picking.entro_ship_state, "done")
        self.assertEqual(self.emulator.journal.count("/api/v2/logistics/ship_order"), 1)

    # ------------------------------------------------------ cancellations

    def test_platform_cancellation_frees_the_reservation(self):
        order, binding, sale = self.import_one(seed=47)
        self.assertEqual(self.delivery(sale).state, "assigned")
        self.assertGreater(self.reserved(sale), 0)
        self.emulator.set_status(order["order_sn"], "CANCELLED")
        self.sync()
        self.assertEqual(binding.state, "cancelled")
        self.assertEqual(sale.state, "cancel")
        self.assertFalse(self.delivery(sale))
        self.assertEqual(self.reserved(sale), 0)

    def test_seller_cancel_is_sent_with_the_reason(self):
        order, binding, sale = self.import_one(seed=48)
        action = sale.action_cancel()
        self.assertEqual(action["res_model"], "entro.marketplace.cancel")
        wizard = (
            self.env["entro.marketplace.cancel"]
            .with_context(action["context"])
            .create({"reason": "out_of_stock", "note": "Kho hết hàng"})
        )
        wizard.action_confirm()
        body = self.emulator.journal.entries("/api/v2/order/cancel_order")[0].json()
        self.assertEqual(body["order_sn"], order["order_sn"])
        self.assertEqual(body["cancel_reason"], "OUT_OF_STOCK")
        self.assertEqual(len(body["item_list"]), len(order["item_list"]))
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(self.reserved(sale), 0)
        self.assertEqual(self.stored(order)["order_status"], "CANCELLED")
        self.sync()  # the platform's status comes back, nothing else changes
        self.assertEqual(binding.state, "cancelled")

    def test_seller_cancel_refused_once_shipped(self):
        _order, _binding, sale = self.import_one(seed=49)
        self.validate(self.delivery(sale))
        with self.assertRaisesRegex(UserError, "cannot be cancelled by the seller"):
            sale.action_cancel()
        self.assertEqual(sale.state, "sale")

    def test_seller_cancel_refused_by_the_platform(self):
        order, _binding, sale = self.import_one(seed=50)
        # shipped on the platform meanwhile (Seller Centre), not imported yet
        self.emulator.set_status(order["order_sn"], "SHIPPED")
        wizard = self.env["entro.marketplace.cancel"].create(
            {"sale_order_id": sale.id, "reason": "customer_request"}
        )
        with self.assertRaisesRegex(UserError, "refused.*Cannot cancel"):
            wizard.action_confirm()
        self.assertEqual(sale.state, "sale")

    # ------------------------------------------------------------- returns

    def test_return_makes_return_picking_and_credit_note_once(self):
        order, _binding, sale = self.import_one(seed=51)
        picking = self.validate(self.delivery(sale))
        self.run_jobs()
        invoice = sale.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.emulator.set_status(order["order_sn"], "COMPLETED")
        line = order["item_list"][0]
        ret = self.emulator.add_return(
            order["order_sn"], items=[(line["item_id"], line["model_id"], 1)]
        )
        self.sync_returns()
        (record,) = self.returns()
        self.assertEqual(record.state, "requested")
        self.assertFalse(record.picking_id or record.credit_note_id)
        self.emulator.set_return_status(ret["return_sn"], "ACCEPTED")
        self.sync_returns()
        self.assertEqual(record.state, "refunded")
        self.assertTrue(record.processed, record.exception_reason)
        back = record.picking_id
        self.assertEqual(back.picking_type_code, "incoming")
        self.assertEqual(back.move_ids.product_uom_qty, 1)
        self.assertEqual(back.move_ids.origin_returned_move_id.picking_id, picking)
        refund = record.credit_note_id
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.amount_total, ret["refund_amount"])
        self.assertEqual(refund.reversed_entry_id, invoice)
        # re-importing the same return (from scratch) changes nothing
        self.shop.return_cursor = False
        self.sync_returns()
        self.assertEqual(len(self.returns()), 1)
        self.assertEqual(
            self.env["stock.picking"].search_count(
                [("entro_return_id", "=", record.id)]
            ),
            1,
        )
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
        order, _binding, sale = self.import_one(seed=52)
        self.validate(self.delivery(sale))
        self.run_jobs()
        ret = self.emulator.add_return(order["order_sn"], needs_logistics=False)
        self.emulator.set_return_status(ret["return_sn"], "ACCEPTED")
        self.sync_returns()
        (record,) = self.returns()
        self.assertFalse(record.picking_id)
        self.assertEqual(record.credit_note_id.amount_total, ret["refund_amount"])

    # ------------------------------------------------------------ invoices

    def test_invoice_on_delivery_by_default(self):
        self.assertEqual(self.shop.invoice_policy, "delivery")
        _order, _binding, sale = self.import_one(seed=53)
        self.assertFalse(sale.invoice_ids)
        self.validate(self.delivery(sale))
        invoice = sale.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_total, sale.amount_total)
        self.assertEqual(invoice.company_id, self.shop.company_id)

    def test_invoice_on_confirmation_in_the_shop_journal(self):
        journal = (
            self.env["account.journal"]
            .sudo()
            .create(
                {
                    "name": "Shopee Sales",
                    "code": "SHP",
                    "type": "sale",
                    "company_id": self.shop.company_id.id,
                }
            )
        )
        self.shop.write({"invoice_policy": "confirm", "invoice_journal_id": journal.id})
        _order, _binding, sale = self.import_one(seed=54)
        invoice = sale.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.journal_id, journal)
        self.assertEqual(invoice.amount_total, sale.amount_total)

    def test_manual_invoicing_leaves_it_to_the_seller(self):
        self.shop.invoice_policy = "manual"
        _order, _binding, sale = self.import_one(seed=55)
        self.validate(self.delivery(sale))
        self.assertFalse(sale.invoice_ids)
        self.assertEqual(sale.invoice_status, "to invoice")
