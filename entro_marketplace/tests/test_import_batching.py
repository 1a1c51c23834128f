"""A detail batch's products, buyers and claims are found or made together, as
one at a time."""

from decimal import Decimal

from odoo.addons.entro_marketplace.platforms.records import (
    Address,
    Buyer,
    Order,
    OrderLine,
)
from odoo.addons.queue_job.exception import RetryableJobError

from .common import ShopeeFlowCase


def line(item_id, variant_id, sku, n=1):
    return OrderLine(
        external_id=f"L{n}",
        item_id=item_id,
        variant_id=variant_id,
        sku=sku,
        name="Áo thun",
        quantity=1,
        unit_price=Decimal(100000),
        discounted_unit_price=Decimal(100000),
    )


def order(number, buyer_id=None, phone=None, street="12 Lê Lợi"):
    return Order(
        external_id=number,
        status="READY_TO_SHIP",
        state="to_ship",
        create_time=None,
        update_time=None,
        currency="VND",
        total_amount=Decimal(100000),
        buyer=Buyer(external_id=buyer_id, username=f"khach{buyer_id or phone}"),
        shipping_address=Address(
            name="Nguyễn Văn A",
            phone=phone,
            street=street,
            district="Quận 1",
            city="Hồ Chí Minh",
            country_code="VN",
        ),
    )


class TestImportBatching(ShopeeFlowCase):
    def queries(self, call):
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        result = call()
        self.env.flush_all()
        return result, self.env.cr.sql_log_count - before

    def test_products_of_a_batch_in_three_queries(self):
        Listing = self.env["entro.marketplace.listing"]
        by_item, by_variant, by_listing_sku, by_sku = self.products[:4]
        Listing.create(
            [
                {
                    "shop_id": self.shop.id,
                    "item_id": "100",
                    "variant_id": "1",
                    "sku": "LISTED-1",
                    "product_id": by_item.id,
                },
                {
                    "shop_id": self.shop.id,
                    "item_id": "200",
                    "variant_id": "2",
                    "sku": "LISTED-2",
                    "product_id": by_variant.id,
                },
                {
                    "shop_id": self.shop.id,
                    "item_id": "300",
                    "variant_id": "3",
                    "sku": "LISTED-3",
                    "product_id": by_listing_sku.id,
                },
                # not matched: never the product of a line
                {"shop_id": self.shop.id, "item_id": "400", "variant_id": "4"},
            ]
        )
        lines = [
            line("100", "1", None),
            line(None, "2", None),  # no item id (Lazada): the variant alone
            line("999", "9", "LISTED-3"),  # unknown variant: the listing's SKU
            line("999", "8", by_sku.default_code),  # the product's reference
            line("400", "4", "NOWHERE"),  # unmatched listing, unknown SKU
            line("100", "1", None, n=2),  # the same variant again
        ]
        found = Listing._products_for_lines(self.shop, lines)
        # again, the user's access rules now known: the batch's own queries
        again, count = self.queries(
            lambda: Listing._products_for_lines(self.shop, lines)
        )
        self.assertEqual(again, found)
        twice, count_twice = self.queries(
            lambda: Listing._products_for_lines(self.shop, lines + lines)
        )
        self.assertEqual(twice, found + found)
        self.assertEqual(count_twice, count)
        Product = self.env["product.product"]
        self.assertEqual(
            found, [by_item, by_variant, by_listing_sku, by_sku, Product, by_item]
        )
        self.assertLessEqual(count, 3)
        # one line alone finds the same as in its batch
        for each, product in zip(lines, found, strict=True):
            self.assertEqual(Listing._product_for_line(self.shop, each), product)

    def test_buyers_of_a_batch_found_and_made_once(self):
        Partner = self.env["res.partner"]
        known = Partner.create(
            {
                "name": "Khách quen",
                "entro_buyer_key": "shopee:7",
                "company_id": self.company.id,
            }
        )
        orders = [
            order("A1", buyer_id="7"),
            order("A2", buyer_id="8"),
            order("A3", buyer_id="8"),  # same buyer, same address: made once
            order("A4", buyer_id="8", street="5 Hai Bà Trưng"),  # a second address
            order("A5", phone="0901234567"),  # no buyer id: by the phone
            order("A6", buyer_id="7"),
        ]
        pairs = Partner._entro_buyer_partners_many(self.shop, orders)
        customers = [customer for customer, _shipping in pairs]
        shippings = [shipping for _customer, shipping in pairs]
        self.assertEqual(customers[0], known)
        self.assertEqual(customers[5], known)
        self.assertEqual(customers[1], customers[2])
        self.assertEqual(customers[1], customers[3])
        self.assertNotEqual(customers[1], known)
        self.assertEqual(customers[4].entro_buyer_key, "shopee:phone:0901234567")
        self.assertEqual(shippings[1], shippings[2])
        self.assertNotEqual(shippings[1], shippings[3])
        self.assertEqual(shippings[3].street, "5 Hai Bà Trưng")
        self.assertEqual(shippings[0], shippings[5])
        self.assertEqual(len(customers[1].child_ids), 2)
        self.assertEqual(set(shippings[1].mapped("type")), {"delivery"})
        # found again, one order at a time or in a batch: nothing made twice
        count = Partner.search_count([])
        for each, pair in zip(orders, pairs, strict=True):
            self.assertEqual(Partner._entro_buyer_partners(self.shop, each), pair)
        self.assertEqual(Partner._entro_buyer_partners_many(self.shop, orders), pairs)
        self.assertEqual(Partner.search_count([]), count)

    def test_a_batch_is_claimed_together_in_its_order(self):
        Binding = self.env["entro.marketplace.order"]
        numbers = ["C3", "C1", "C2"]
        claims = Binding._claim(self.shop, numbers)
        self.assertEqual([claims[n][1] for n in numbers], [True] * 3)
        bindings = [claims[n][0] for n in numbers]
        self.assertEqual([b.external_id for b in bindings], numbers)
        self.assertEqual([b.shop_id for b in bindings], [self.shop] * 3)
        # their ids in the batch's order: entro_billing's quota counts them so
        ids = [b.id for b in bindings]
        self.assertEqual(ids, sorted(ids))
        # twice as many new orders: the same queries (one lock, one INSERT)
        three, six = ["D1", "D2", "D3"], ["E1", "E2", "E3", "E4", "E5", "E6"]
        _claims, count = self.queries(lambda: Binding._claim(self.shop, three))
        _claims, count_six = self.queries(lambda: Binding._claim(self.shop, six))
        self.assertEqual(count_six, count)
        # claimed again: found, not made twice
        again = Binding._claim(self.shop, numbers)
        self.assertEqual(
            {n: again[n] for n in numbers}, {n: (claims[n][0], False) for n in numbers}
        )
        # a row committed by another job after this job's snapshot (not among
        # what this job found): the job is retried, not the order made twice
        with self.assertRaisesRegex(RetryableJobError, "C1"):
            Binding._claim(self.shop, ["F1", "C1"], known={})

    def test_the_buyer_is_not_tracked_on_the_platform_order(self):
        """The sale order tracks its customer; the platform order's chatter
        does not repeat the buyer's name for each import."""
        env = self.env(context=dict(self.env.context, tracking_disable=False))
        (placed,) = self.add_orders(1, seed=51, statuses=["READY_TO_SHIP"])
        shop = self.shop.with_env(env)
        fetched = shop._platform_client().get_orders([placed["order_sn"]])
        results = env["entro.marketplace.order"]._import_platform_orders(shop, fetched)
        self.assertEqual(results, ["created"])
        env.cr.flush()  # the precommit hooks: the tracking messages
        binding = self.bindings()
        self.assertTrue(binding.sale_order_id.partner_id)
        Message = self.env["mail.message"].sudo()
        tracked = Message.search(
            [("model", "=", binding._name), ("res_id", "=", binding.id)]
        ).tracking_value_ids
        self.assertFalse(tracked)

    def test_the_queuing_user_follows_nothing_the_import_creates(self):
        """Odoo subscribes a record's creator: the user who queued the import
        would follow every buyer and delivery of the shop. The customer still
        follows the sale order, as Odoo's confirmation makes it."""
        env = self.env(context=dict(self.env.context, tracking_disable=False))
        placed = self.add_orders(3, seed=53, statuses=["READY_TO_SHIP"])
        shop = self.shop.with_env(env)
        fetched = shop._platform_client().get_orders([o["order_sn"] for o in placed])
        results = env["entro.marketplace.order"]._import_platform_orders(shop, fetched)
        self.assertEqual(results, ["created"] * 3)
        env.cr.flush()
        sales = self.bindings().sale_order_id
        self.assertEqual(len(sales), 3)
        self.assertEqual(set(sales.mapped("state")), {"sale"})
        pickings = sales.picking_ids
        self.assertEqual(len(pickings), 3)
        records = {
            "sale.order": sales,
            "stock.picking": pickings,
            "res.partner": sales.partner_id | sales.partner_shipping_id,
        }
        Follower = self.env["mail.followers"].sudo()
        for model, found in records.items():
            followed = Follower.search(
                [
                    ("res_model", "=", model),
                    ("res_id", "in", found.ids),
                    ("partner_id", "=", self.manager.partner_id.id),
                ]
            )
            self.assertFalse(followed, model)
        for sale in sales:
            self.assertIn(sale.partner_id, sale.sudo().message_partner_ids)
