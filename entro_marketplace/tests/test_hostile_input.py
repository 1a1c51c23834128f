"""Malformed and hostile platform data: a clear exception state, never a crash,
never a lost or duplicated order, never script stored for a view."""

from tests.emulators.shopee import shopee_push_sign

from .common import ShopeeFlowCase
from .hostile import BIG, HostileCorpus, drop, set_


def _mutations():
    """(name, function(order dict) -> None) pairs that break an order's data."""
    first_item = ("item_list", 0)
    return [
        ("no item list", drop(("item_list",))),
        ("empty item list", set_(("item_list",), [])),
        ("item list is a string", set_(("item_list",), "oops")),
        ("item is null", set_(("item_list", 0), None)),
        ("negative quantity", set_((*first_item, "model_quantity_purchased"), -2)),
        ("zero quantity", set_((*first_item, "model_quantity_purchased"), 0)),
        ("quantity is text", set_((*first_item, "model_quantity_purchased"), "many")),
        ("price is text", set_((*first_item, "model_discounted_price"), "free")),
        ("negative price", set_((*first_item, "model_discounted_price"), -5000)),
        ("price is null", set_((*first_item, "model_discounted_price"), None)),
        ("unknown sku", set_((*first_item, "model_sku"), "NO-SUCH-SKU")),
        ("sku is a list", set_((*first_item, "model_sku"), ["a"])),
        ("total is text", set_(("total_amount",), "lots")),
        ("total is null", set_(("total_amount",), None)),
        ("total differs", set_(("total_amount",), 1)),
        ("unknown status", set_(("order_status",), "TELEPORTED")),
        ("status is a number", set_(("order_status",), 42)),
        ("create time negative", set_(("create_time",), -1)),
        ("currency is USD", set_(("currency",), "USD")),
        ("address is a string", set_(("recipient_address",), "somewhere")),
        ("address is null", set_(("recipient_address",), None)),
        (
            "script in name",
            set_(("recipient_address", "name"), "<script>alert(1)</script>"),
        ),
        ("html in note", set_(("note",), "<img src=x onerror=alert(1)>")),
        ("huge name", set_(("recipient_address", "name"), BIG)),
        ("huge item name", set_((*first_item, "item_name"), BIG)),
        ("huge note", set_(("note",), BIG)),
        (
            "control chars",
            set_(("recipient_address", "name"), "Nguyễn\x00\x07\x1b[31m"),
        ),
        ("rtl override", set_(("recipient_address", "name"), "Trần\u202eevil")),
        ("emoji", set_(("recipient_address", "name"), "Lê 🛒🔥 Thị")),
        ("combining marks", set_(("recipient_address", "name"), "Ngu\u0303yen")),
        ("zero width", set_(("recipient_address", "phone"), "09\u200b12345678")),
        ("masked name", set_(("recipient_address", "name"), "****")),
        ("masked phone", set_(("recipient_address", "phone"), "******78")),
        ("no buyer id", drop(("buyer_user_id",))),
        ("buyer id is text", set_(("buyer_user_id",), "abc")),
        (
            "sql in name",
            set_(("recipient_address", "name"), "x'); DROP TABLE res_partner;--"),
        ),
        ("no item id", drop((*first_item, "item_id"))),
        ("model id is text", set_((*first_item, "model_id"), "m")),
        ("quantity is float", set_((*first_item, "model_quantity_purchased"), 1.5)),
        ("price has decimals", set_((*first_item, "model_discounted_price"), 1234.567)),
        ("huge price", set_((*first_item, "model_discounted_price"), 10**18)),
        ("huge quantity", set_((*first_item, "model_quantity_purchased"), 10**9)),
        ("item list of numbers", set_(("item_list",), [1, 2, 3])),
        ("payment method is object", set_(("payment_method",), {"a": 1})),
        ("cod is text", set_(("cod",), "yes")),
        ("package list is text", set_(("package_list",), "pkg")),
        ("order sn with spaces", set_(("message_to_seller",), " \t\n ")),
        ("unicode sku", set_((*first_item, "model_sku"), "SKU-ẞ-ǅ")),
        ("note is list", set_(("note",), ["a", "b"])),
        ("region unknown", set_(("recipient_address", "region"), "ZZ")),
    ]


class TestHostileInput(HostileCorpus, ShopeeFlowCase):
    good_status = "READY_TO_SHIP"
    min_mutations = 50
    must_fail = frozenset(
        {
            "unknown status",
            "status is a number",
            "no item list",
            "empty item list",
            "negative quantity",
            "zero quantity",
            "price is text",
            "negative price",
            "unknown sku",
            "total differs",
            "currency is USD",
            "quantity is text",
            "total is text",
        }
    )

    mutations = staticmethod(_mutations)

    def external_id(self, order):
        return order["order_sn"]

    def buyer_paid(self, order):
        return order["total_amount"]

    def test_hostile_webhook_bodies_get_a_clear_answer(self):
        url = self.webhook_url()
        self.check_webhook_bodies(
            lambda body: {
                "Authorization": shopee_push_sign("test_partner_key", url, body)
            }
        )
        # Shopee's own shapes, signed: still unreadable
        for body in (
            b'{"code": 3}',
            b'{"code": "3", "shop_id": "x", "data": "nope"}',
            b'{"code": 3, "shop_id": 600000, "timestamp": "soon", "data": {}}',
        ):
            headers = {"Authorization": shopee_push_sign("test_partner_key", url, body)}
            self.assertIn(self.post_webhook(headers, body).status_code, (400, 403))
        self.assertFalse(self.env["entro.marketplace.event"].sudo().search([]))

    def test_two_companies_never_cross(self):
        other_company = (
            self.env["res.company"]
            .sudo()
            .create({"name": "Công ty B", "currency_id": self.vnd.id})
        )
        other_warehouse = (
            self.env["stock.warehouse"]
            .sudo()
            .search([("company_id", "=", other_company.id)], limit=1)
        )
        other_pricelist = (
            self.env["product.pricelist"]
            .sudo()
            .create(
                {
                    "name": "B VND",
                    "currency_id": self.vnd.id,
                    "company_id": other_company.id,
                }
            )
        )
        self.manager.sudo().company_ids |= other_company
        shop_b = self._create_shop(
            name="Shop B",
            external_id="600001",
            company_id=other_company.id,
            warehouse_id=other_warehouse.id,
            pricelist_id=other_pricelist.id,
        ).with_env(self.env)
        del shop_b  # created as superuser for company B; the manager belongs to both
        orders = self.add_orders(5, seed=63, statuses=["READY_TO_SHIP"])
        self.sync()
        sales = self.bindings().sale_order_id
        self.assertEqual(len(sales), len(orders))
        self.assertEqual(sales.company_id, self.company)
        self.assertEqual(sales.partner_id.company_id, self.company)
        self.assertEqual(sales.picking_ids.company_id, self.company)
        # a user of company B only sees none of them
        user_b = (
            self.env["res.users"]
            .sudo()
            .create(
                {
                    "name": "B only",
                    "login": "b_only",
                    "company_id": other_company.id,
                    "company_ids": [(6, 0, other_company.ids)],
                    "groups_id": [
                        (
                            6,
                            0,
                            [
                                self.env.ref(
                                    "entro_marketplace.group_marketplace_manager"
                                ).id,
                                self.env.ref("sales_team.group_sale_manager").id,
                            ],
                        )
                    ],
                }
            )
        )
        Binding = self.env["entro.marketplace.order"].with_user(user_b)
        self.assertEqual(Binding.search_count([]), 0)
        self.assertEqual(
            self.env["entro.marketplace.shop"]
            .with_user(user_b)
            .search([])
            .mapped("name"),
            ["Shop B"],
        )
        self.assertFalse(
            self.env["sale.order"].with_user(user_b).search([("id", "in", sales.ids)])
        )
