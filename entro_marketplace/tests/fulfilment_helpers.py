"""What the fulfilment tests of every platform share: their set-up (stock on hand,
the emulator's carrier and stores), importing orders, deliveries and returns."""

from .common import ShopeeFlowCase


class FulfilmentMixin:
    """For a MarketplaceFlowCase, mixed in before it.

    Once for the class: stock on hand for every product. Before each test: the
    emulator set as :attr:`emulator_settings` says (its carrier's tracking
    delay, label delay, shipping modes: what a former test changed is undone)
    and its :attr:`emulator_fulfilment_stores` emptied (returns, labels).
    """

    #: emulator attributes set before each test (those the emulator has):
    #: by default its carrier gives the tracking number at once
    emulator_settings = {"tracking_delay": 0}
    #: the emulator's stores emptied before each test
    emulator_fulfilment_stores = ()
    #: the key of the platform's order that is the binding's external id
    order_key = None
    #: the status new orders are put on the platform in (waiting to be shipped)
    ship_status = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_everything(cls)

    def setUp(self):
        super().setUp()
        for name, value in self.emulator_settings.items():
            if hasattr(self.emulator, name):
                setattr(self.emulator, name, value)
        with self.emulator.store.lock:
            for store in self.emulator_fulfilment_stores:
                self.emulator.store[store].clear()

    def stock_everything(self, quantity=100):
        for product in self.products:
            self.env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": product.id,
                    "location_id": self.warehouse.lot_stock_id.id,
                    "inventory_quantity": quantity,
                }
            ).action_apply_inventory()

    # ----------------------------------------------------------------- orders

    def import_orders(self, n, seed, status=None):
        """``n`` new orders put on the platform (in ``status``, else
        :attr:`ship_status`) and synced: the platform's orders and their
        bindings (in the same order)."""
        orders = self.add_orders(
            n, seed=seed, statuses=[status or self.ship_status] * n
        )
        run = self.sync()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        found = {b.external_id: b for b in self.bindings()}
        codes = [str(order[self.order_key]) for order in orders]
        self.assertLessEqual(set(codes), set(found), "orders not imported")
        return orders, self.env["entro.marketplace.order"].concat(
            *(found[code] for code in codes)
        )

    def import_one(self, seed, status=None):
        """One new order imported: the platform's, its binding, its sale order."""
        (order,), binding = self.import_orders(1, seed, status)
        return order, binding, binding.sale_order_id

    # ------------------------------------------------------------- deliveries

    def delivery(self, sale):
        return sale.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
        )

    def ready(self, picking):
        """A delivery's moves picked in full, as a warehouse user would (not
        validated yet)."""
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        return picking

    def validate(self, picking):
        """Validate a delivery in full, as a warehouse user would."""
        result = self.ready(picking).button_validate()
        self.assertIs(result, True, result)
        self.assertEqual(picking.state, "done")
        return picking

    def reserved(self, sale):
        """Quantity reserved in stock for the sale order's products."""
        quants = self.env["stock.quant"].search(
            [
                ("product_id", "in", sale.order_line.product_id.ids),
                ("location_id", "child_of", self.warehouse.lot_stock_id.id),
            ]
        )
        return sum(quants.mapped("reserved_quantity"))

    # ---------------------------------------------------------------- returns

    def sync_returns(self):
        self.shop.action_sync_returns()
        return self.run_jobs()

    def returns(self):
        return self.env["entro.marketplace.return"].search(
            [("shop_id", "=", self.shop.id)]
        )


class ShopeeFulfilmentCase(FulfilmentMixin, ShopeeFlowCase):
    """A connected Shopee shop, stock on hand, the emulator's labels ready at
    once and both shipping modes offered (the Shopee fulfilment, cockpit and
    tour tests)."""

    emulator_settings = {
        "tracking_delay": 0,
        "document_delay": 0,
        "ship_modes": ("pickup", "dropoff"),
    }
    emulator_fulfilment_stores = ("returns", "documents")
    order_key = "order_sn"
    ship_status = "READY_TO_SHIP"
