"""200 marketplace invoices through a storm of SInvoice faults: each one issued
once, under its own uuid, with SInvoice's number; no duplicate."""

import time

from odoo.tests import tagged

from .common import TIMEOUT_PARAM, EinvoiceCase

N = 200


@tagged("post_install", "-at_install")
class TestEinvoiceStorm(EinvoiceCase):
    def test_200_invoices_after_a_fault_storm_one_e_invoice_each(self):
        # short timeouts: the storm's late answers cost half a second each
        self.env["ir.config_parameter"].sudo().set_param(TIMEOUT_PARAM, 0.5)
        faults = self.emulator.faults
        faults.add("service_down", probability=0.15, seed=1, count=80)
        faults.add("http_5xx", probability=0.1, seed=2, count=40, status=503)
        faults.add("timeout_after_create", probability=0.1, seed=3, count=12, delay=1)
        faults.add(
            "timeout", "searchInvoice", probability=0.05, seed=4, count=6, delay=1
        )
        self.emulator.expire_tokens()
        started = time.monotonic()
        buyer = self.buyer("Lê Thu Hà")
        # the shop invoices by hand (its policy): a person invoices the 200
        # confirmed orders at once, each invoice posted is queued for SInvoice
        self.shop.sudo().invoice_policy = "manual"
        sales = self.orders(N, buyer)
        self.assertFalse(sales.invoice_ids)
        sales._create_invoices(grouped=True).action_post()
        invoices = sales.invoice_ids
        self.assertEqual(len(invoices), N)
        self.assertEqual(set(invoices.mapped("entro_einvoice_state")), {"to_send"})
        posted_in = time.monotonic() - started

        run = self.run_jobs(max_rounds=60)
        sent_in = time.monotonic() - started - posted_in
        self.assertFalse(run.failed, [j.result for j in run.failed][:3])
        self.assertTrue(run.retried, "the storm caused no retry")
        self.assertEqual(set(invoices.mapped("entro_einvoice_state")), {"sent"})
        # one e-invoice per invoice, per uuid, and no other
        per_uuid = self.emulator.invoices_per_uuid()
        self.assertEqual(self.emulator.duplicates(), {})
        self.assertEqual(len(per_uuid), N)
        self.assertEqual(
            set(per_uuid), set(invoices.mapped("l10n_vn_edi_invoice_transaction_id"))
        )
        numbers = invoices.mapped("l10n_vn_edi_invoice_number")
        self.assertEqual(len(set(numbers)), N)
        self.assertEqual(
            set(numbers), {inv["invoiceNo"] for inv in self.emulator.invoices}
        )
        fired = {f.kind: f.fired for f in faults._faults}
        late = self.emulator.journal.entries("/createInvoice/")
        self.assertTrue(fired["timeout_after_create"], fired)
        print(  # the figures of the report (pytest -s)
            f"\n{N} invoices: posted in {posted_in:.1f} s, e-invoiced in "
            f"{sent_in:.1f} s; faults fired {fired}; createInvoice calls "
            f"{len(late)}; retries {len(run.retried)}"
        )
