"""Malformed and hostile TikTok Shop data (the corpus of hostile.py)."""

from tests.emulators.tiktok import buyer_paid, tiktok_push_sign

from .hostile import BIG, HostileCorpus, drop, set_, texts
from .tiktok_common import APP_KEY, APP_SECRET, TikTokFlowCase

ITEM = ("line_items", 0)


def _mutations():
    return [
        ("no line items", drop(("line_items",))),
        ("empty line items", set_(("line_items",), [])),
        ("line items is a string", set_(("line_items",), "oops")),
        ("line item is null", set_(ITEM, None)),
        ("line items are numbers", set_(("line_items",), [1, 2, 3])),
        ("negative price", set_((*ITEM, "original_price"), "-5000")),
        ("price is text", set_((*ITEM, "original_price"), "free")),
        ("price is null", set_((*ITEM, "original_price"), None)),
        ("price has decimals", set_((*ITEM, "original_price"), "1234.567")),
        ("huge price", set_((*ITEM, "original_price"), "1000000000000000000")),
        ("discount is text", set_((*ITEM, "seller_discount"), "some")),
        ("unknown sku", set_((*ITEM, "seller_sku"), "NO-SUCH-SKU")),
        ("sku is a list", set_((*ITEM, "seller_sku"), ["a"])),
        ("unicode sku", set_((*ITEM, "seller_sku"), "SKU-ẞ-ǅ")),
        ("no line item id", drop((*ITEM, "id"))),
        ("total is text", set_(("payment", "total_amount"), "lots")),
        ("total is null", set_(("payment", "total_amount"), None)),
        ("total differs", set_(("payment", "total_amount"), "1")),
        ("payment is a string", set_(("payment",), "paid")),
        ("currency is USD", set_(("payment", "currency"), "USD")),
        ("unknown status", set_(("status",), "TELEPORTED")),
        ("status is a number", set_(("status",), 42)),
        ("create time negative", set_(("create_time",), -1)),
        ("create time is text", set_(("create_time",), "yesterday")),
        ("no buyer id", drop(("user_id",))),
        ("buyer id is a number", set_(("user_id",), 12345)),
        ("cod is text", set_(("is_cod",), "yes")),
        ("packages is text", set_(("packages",), "pkg")),
        ("recipient is null", set_(("_served",), {"recipient_address": None})),
        ("recipient is text", set_(("_served",), {"recipient_address": "here"})),
        ("zero width phone", set_(("_recipient", "phone_number"), "09\u200b1234567")),
        *texts(("_recipient", "name"), "recipient"),
        ("script in message", set_(("buyer_message",), "<script>alert(1)</script>")),
        ("html in message", set_(("buyer_message",), "<img src=x onerror=alert(1)>")),
        ("huge message", set_(("buyer_message",), BIG)),
        ("huge product name", set_((*ITEM, "product_name"), BIG)),
    ]


class TestTikTokHostileInput(HostileCorpus, TikTokFlowCase):
    good_status = "AWAITING_SHIPMENT"
    must_fail = frozenset(
        {
            "unknown status",
            "status is a number",
            "line items is a string",
            "price is null",
            "sku is a list",
            "no line items",
            "empty line items",
            "negative price",
            "price is text",
            "unknown sku",
            "total differs",
            "total is text",
            "currency is USD",
        }
    )

    mutations = staticmethod(_mutations)

    def external_id(self, order):
        return str(order["id"])

    buyer_paid = staticmethod(buyer_paid)

    def test_hostile_webhook_bodies_get_a_clear_answer(self):
        self.check_webhook_bodies(
            lambda body: {"Authorization": tiktok_push_sign(APP_KEY, APP_SECRET, body)}
        )
