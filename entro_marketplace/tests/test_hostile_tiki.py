"""Malformed and hostile Tiki data (the corpus of hostile.py), and hostile events
in its pull queue."""

import uuid

from tests.emulators.tiki import buyer_paid, vn_time

from .hostile import BIG, HostileCorpus, drop, set_, texts
from .tiki_common import SELLER_ID, TikiFlowCase

ITEM = ("items", 0)
INVOICE = (*ITEM, "invoice")
ADDRESS = ("shipping", "address")


def _mutations():
    return [
        ("no items", drop(("items",))),
        ("empty items", set_(("items",), [])),
        ("items is a string", set_(("items",), "oops")),
        ("item is null", set_(ITEM, None)),
        ("items are numbers", set_(("items",), [1, 2, 3])),
        ("negative quantity", set_((*INVOICE, "quantity"), -2)),
        ("zero quantity", set_((*INVOICE, "quantity"), 0)),
        ("quantity is text", set_((*INVOICE, "quantity"), "many")),
        ("quantity is float", set_((*INVOICE, "quantity"), 1.5)),
        ("huge quantity", set_((*INVOICE, "quantity"), 10**9)),
        ("negative price", set_((*INVOICE, "price"), -5000)),
        ("price is text", set_((*INVOICE, "price"), "free")),
        ("price is null", set_((*INVOICE, "price"), None)),
        ("price has decimals", set_((*INVOICE, "price"), 1234.567)),
        ("item invoice is text", set_(INVOICE, "none")),
        ("unknown sku", set_((*ITEM, "product", "seller_product_code"), "NO-SUCH")),
        ("sku is a list", set_((*ITEM, "product", "seller_product_code"), ["a"])),
        ("unicode sku", set_((*ITEM, "product", "seller_product_code"), "SKU-ẞ-ǅ")),
        ("no item id", drop((*ITEM, "id"))),
        ("total is text", set_(("invoice", "grand_total"), "lots")),
        ("total is null", set_(("invoice", "grand_total"), None)),
        ("total differs", set_(("invoice", "grand_total"), 1)),
        ("invoice is a string", set_(("invoice",), "paid")),
        ("unknown status", set_(("status",), "teleported")),
        ("status is a number", set_(("status",), 42)),
        ("created at is text", set_(("created_at",), "yesterday")),
        ("shipping is null", set_(("shipping",), None)),
        ("address is a string", set_(("shipping", "address"), "somewhere")),
        (
            "zero width phone",
            set_(("shipping", "address", "phone"), "09\u200b12345678"),
        ),
        ("customer is a list", set_(("customer",), [1])),
        ("payment method is object", set_(("payment",), {"method": {"a": 1}})),
        *texts(("shipping", "address", "full_name"), "recipient"),
        ("huge item name", set_((*ITEM, "product", "name"), BIG)),
    ]


class TestTikiHostileInput(HostileCorpus, TikiFlowCase):
    good_status = "queueing"
    must_fail = frozenset(
        {
            "unknown status",
            "status is a number",
            "items is a string",
            "price is null",
            "sku is a list",
            "no items",
            "empty items",
            "negative quantity",
            "zero quantity",
            "quantity is text",
            "negative price",
            "price is text",
            "unknown sku",
            "total differs",
            "total is text",
        }
    )

    mutations = staticmethod(_mutations)

    def external_id(self, order):
        return order["code"]

    buyer_paid = staticmethod(buyer_paid)

    def test_hostile_queue_events_are_kept_and_acknowledged(self):
        """Tiki pushes nothing: what a hostile party could put in the queue."""
        self.pull()  # the queue exists and is subscribed
        (good,) = self.add_orders(1, seed=64, statuses=["queueing"])
        payloads = [
            {},
            {"order_code": None},
            {"order_code": ["x"]},
            {"order_code": {"a": 1}},
            {"order_code": "<script>alert(1)</script>"},
            {"order_code": "../../sellers/me"},
            {"order_code": "Đ" * 5000},
            {"order_code": "999999999", "status": "teleported"},
            {"order_code": good["code"], "status": 42},
        ]
        raw = [
            {"id": str(uuid.uuid4()), "type": "ORDER_STATUS_UPDATED", "payload": p}
            for p in payloads
        ] + [
            {"type": "ORDER_STATUS_UPDATED", "payload": "nope"},
            {"id": ["x"], "type": None, "payload": None},
            {"id": str(uuid.uuid4()), "type": "SOMETHING_NEW", "payload": {"a": 1}},
            {"id": str(uuid.uuid4()), "type": BIG, "created_at": "soon"},
        ]
        with self.emulator.store.lock:
            (queue,) = self.emulator.store["queues"].values()
            for event in raw:
                event.setdefault("sid", SELLER_ID)
                event.setdefault("created_at", vn_time(self.emulator.clock()))
                queue["events"].append(
                    {"event": event, "visible_at": 0.0, "acked": False}
                )
        run = self.pull()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        # every event read, stored once and acknowledged: the queue is empty
        self.assertEqual(self.emulator.pending_events(), 0)
        self.assertEqual(len(self.events()), len(raw))
        # the one real order came in; nothing else became an order
        (binding,) = self.bindings()
        self.assertEqual(binding.external_id, good["code"])
        self.assertEqual(binding.sale_order_id.state, "sale")
        # pulled again: nothing new
        run = self.pull()
        self.assertFalse(run.failed)
        self.assertEqual(len(self.events()), len(raw))
