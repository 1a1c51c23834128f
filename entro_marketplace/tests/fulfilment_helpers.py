"""What the fulfilment tests of every platform share: stock, delivery, returns."""


class FulfilmentMixin:
    """For a MarketplaceFlowCase: stock on hand, validate deliveries, sync returns."""

    def stock_everything(self, quantity=100):
        for product in self.products:
            self.env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": product.id,
                    "location_id": self.warehouse.lot_stock_id.id,
                    "inventory_quantity": quantity,
                }
            ).action_apply_inventory()

    def delivery(self, sale):
        return sale.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
        )

    def validate(self, picking):
        """Validate a delivery in full, as a warehouse user would."""
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        result = picking.button_validate()
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

    def sync_returns(self):
        self.shop.action_sync_returns()
        return self.run_jobs()

    def returns(self):
        return self.env["entro.marketplace.return"].search(
            [("shop_id", "=", self.shop.id)]
        )
