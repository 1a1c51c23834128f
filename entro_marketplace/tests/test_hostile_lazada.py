"""Malformed and hostile Lazada data (the corpus of hostile.py)."""

from tests.emulators.lazada import buyer_paid, lazada_push_sign

from .hostile import BIG, HostileCorpus, drop, set_, texts
from .lazada_common import APP_KEY, APP_SECRET, LazadaFlowCase

ITEM = ("_items", 0)


def _mutations():
    return [
        ("no items", set_(("_items",), [])),
        ("items is a string", set_(("_items",), "oops")),
        ("item is null", set_(ITEM, None)),
        ("items are numbers", set_(("_items",), [1, 2, 3])),
        ("negative price", set_((*ITEM, "item_price"), "-5000.00")),
        ("price is text", set_((*ITEM, "item_price"), "free")),
        ("price is null", set_((*ITEM, "item_price"), None)),
        ("price has decimals", set_((*ITEM, "item_price"), "1234.567")),
        ("huge price", set_((*ITEM, "item_price"), "1e18")),
        ("paid price is text", set_((*ITEM, "paid_price"), "lots")),
        ("voucher is text", set_((*ITEM, "voucher_seller"), "some")),
        ("negative shipping", set_((*ITEM, "shipping_amount"), "-30000.00")),
        ("unknown sku", set_((*ITEM, "sku"), "NO-SUCH-SKU")),
        ("sku is a list", set_((*ITEM, "sku"), ["a"])),
        ("unicode sku", set_((*ITEM, "sku"), "SKU-ẞ-ǅ")),
        ("currency is USD", set_((*ITEM, "currency"), "USD")),
        ("unknown status", set_((*ITEM, "status"), "teleported")),
        ("status is a number", set_((*ITEM, "status"), 42)),
        ("no item id", drop((*ITEM, "order_item_id"))),
        ("created at is text", set_(("created_at",), "yesterday")),
        ("address is a string", set_(("address_shipping",), "somewhere")),
        ("address is null", set_(("address_shipping",), None)),
        ("unknown country", set_(("address_shipping", "country"), "Atlantis")),
        ("zero width phone", set_(("address_shipping", "phone"), "84\u200b912345678")),
        ("masked phone", set_(("address_shipping", "phone"), "84*******78")),
        ("no buyer id", drop((*ITEM, "buyer_id"))),
        ("payment method is object", set_(("payment_method",), {"a": 1})),
        ("items count is text", set_(("items_count",), "many")),
        *texts(("address_shipping", "first_name"), "recipient"),
        ("script in buyer", set_(("customer_first_name",), "<script>x</script>")),
        ("script in remarks", set_(("remarks",), "<script>alert(1)</script>")),
        ("html in buyer note", set_(("buyer_note",), "<img src=x onerror=alert(1)>")),
        ("huge remarks", set_(("remarks",), BIG)),
        ("huge item name", set_((*ITEM, "name"), BIG)),
    ]


class TestLazadaHostileInput(HostileCorpus, LazadaFlowCase):
    good_status = ["pending", "pending"]  # two units, one item row each
    must_fail = frozenset(
        {
            "unknown status",
            "status is a number",
            "items is a string",
            "paid price is text",
            "sku is a list",
            "no items",
            "negative price",
            "price is text",
            "unknown sku",
            "currency is USD",
        }
    )

    mutations = staticmethod(_mutations)

    def external_id(self, order):
        return str(order["order_id"])

    buyer_paid = staticmethod(buyer_paid)

    def test_hostile_webhook_bodies_get_a_clear_answer(self):
        self.check_webhook_bodies(
            lambda body: {"Authorization": lazada_push_sign(APP_KEY, APP_SECRET, body)}
        )
