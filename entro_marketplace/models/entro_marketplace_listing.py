import logging
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.tools import float_compare

from ..platforms.records import PriceUpdate, StockUpdate
from ..tools.locks import stock_transaction

_logger = logging.getLogger(__name__)


class EntroMarketplaceListing(models.Model):
    """A platform item (or one of its variants) bound to a product."""

    _name = "entro.marketplace.listing"
    _description = "Marketplace Listing"
    _order = "shop_id, name, sku, id"

    shop_id = fields.Many2one(
        "entro.marketplace.shop", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    platform = fields.Selection(related="shop_id.platform", store=True)
    active = fields.Boolean(default=True)
    item_id = fields.Char("Item ID", required=True, index=True)
    variant_id = fields.Char(
        "Variant ID",
        required=True,
        default="0",
        index=True,
        help="The platform's model/SKU id of the variant; 0 for an item without any.",
    )
    sku = fields.Char("SKU", index=True)
    name = fields.Char()
    status = fields.Char("Platform Status")
    product_id = fields.Many2one(
        "product.product",
        index=True,
        check_company=True,
        domain="[('type', '=', 'consu')]",
        help="Found by SKU (the product's internal reference); set it by hand for a "
        "listing whose SKU matches no product.",
    )
    match_state = fields.Selection(
        [("matched", "Matched"), ("unmatched", "Unmatched")],
        compute="_compute_match_state",
        store=True,
        index=True,
    )
    platform_price = fields.Float(digits="Product Price", readonly=True)
    platform_stock = fields.Integer(
        "Platform Reported Quantity",
        readonly=True,
        help="The quantity the platform reported for this listing at the last "
        "listing import (Reported On). Between imports, the platform may have "
        "changed it: a push, an order, or a change on the platform itself.",
    )
    stock_dirty = fields.Boolean(
        default=False, index=True, help="Its stock changed since it was last pushed."
    )
    last_pushed_qty = fields.Integer(
        "Last Pushed Quantity",
        readonly=True,
        help="The quantity Entro last sent to the platform (Last Pushed On): the "
        "free quantity in the shop's warehouse less the shop's safety stock.",
    )
    has_pushed_qty = fields.Boolean(readonly=True)
    last_pushed_price = fields.Float(digits="Product Price", readonly=True)
    last_push_at = fields.Datetime(
        "Last Pushed On",
        readonly=True,
        help="When Entro last sent this listing's stock or price to the platform.",
    )
    # issue 20 (c20-orders): the quantities side by side, each dated
    platform_stock_at = fields.Datetime(
        "Reported On",
        readonly=True,
        help="When the platform last reported this listing's quantity (its last "
        "listing import).",
    )
    free_qty = fields.Float(
        "Free in Odoo",
        compute="_compute_free_qty",
        digits="Product Unit of Measure",
        help="The product's quantity free to sell now in the shop's warehouse "
        "(on hand less reserved), before the shop's safety stock: what the next "
        "push starts from.",
    )
    last_push_error = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "variant_uniq",
            "unique(shop_id, item_id, variant_id)",
            "This platform item variant is already listed for this shop.",
        ),
    ]

    @api.depends("product_id")
    def _compute_match_state(self):
        for listing in self:
            listing.match_state = "matched" if listing.product_id else "unmatched"

    @api.depends("product_id", "shop_id.warehouse_id")
    @api.depends_context("company")
    def _compute_free_qty(self):
        self.free_qty = 0.0
        for shop in self.shop_id:
            listings = self.filtered(lambda x, s=shop: x.shop_id == s and x.product_id)
            free = listings._free_quantities(shop)
            for listing in listings:
                listing.free_qty = free.get(listing.product_id.id, 0.0)

    def write(self, vals):
        if "product_id" in vals:
            vals = dict(vals, stock_dirty=True, has_pushed_qty=False)
        return super().write(vals)

    # ------------------------------------------------------------------- matching

    @api.model
    def _products_by_sku(self, company, skus):
        """{sku: product} for SKUs that match exactly one product's reference."""
        skus = [s for s in skus if s]
        if not skus:
            return {}
        products = (
            self.env["product.product"]
            .with_context(active_test=True)
            .search_fetch(
                [
                    ("default_code", "in", skus),
                    ("company_id", "in", [False, company.id]),
                ],
                ["default_code"],
            )
        )
        found = {}
        for product in products:
            found.setdefault(product.default_code, []).append(product)
        return {sku: prods[0] for sku, prods in found.items() if len(prods) == 1}

    @api.model
    def _import_platform_listings(self, shop, listings):
        """Upsert the shop's listings; match new or unmatched ones by SKU."""
        existing = {
            (rec.item_id, rec.variant_id): rec
            for rec in self.with_context(active_test=False).search(
                [("shop_id", "=", shop.id)]
            )
        }
        by_sku = self._products_by_sku(shop.company_id, [x.sku for x in listings])
        now = fields.Datetime.now()
        seen, to_create = set(), []
        for listing in listings:
            key = (str(listing.item_id), str(listing.variant_id or "0"))
            seen.add(key)
            values = {
                "name": (listing.name or "")[:250],
                "sku": listing.sku,
                "status": listing.status,
                "platform_price": float(listing.price or 0),
                "platform_stock": int(listing.stock or 0),
                "platform_stock_at": now,
                "active": True,
            }
            record = existing.get(key)
            product = by_sku.get(listing.sku)
            if record:
                if not record.product_id and product:
                    values["product_id"] = product.id
                record.write(values)
            else:
                values.update(
                    shop_id=shop.id,
                    item_id=key[0],
                    variant_id=key[1],
                    product_id=product.id if product else False,
                    stock_dirty=bool(product),
                )
                to_create.append(values)
        self.create(to_create)
        gone = [rec for key, rec in existing.items() if key not in seen and rec.active]
        for record in gone:
            record.active = False
        unmatched = self.search_count(
            [("shop_id", "=", shop.id), ("match_state", "=", "unmatched")]
        )
        if unmatched:
            shop._schedule_activity(
                _("Listings without a product"),
                _(
                    "%(count)s listing(s) of %(shop)s match no product by SKU: "
                    "map them "
                    "in Marketplaces > Listings (filter Unmatched).",
                    count=unmatched,
                    shop=shop.name,
                ),
            )
        return _(
            "%(total)s listings: %(new)s new, %(gone)s gone, %(unmatched)s unmatched",
            total=len(listings),
            new=len(to_create),
            gone=len(gone),
            unmatched=unmatched,
        )

    @api.model
    def _cron_refresh_listings(self):
        """Import the listings of every connected shop again (issue 20): what the
        platform reports of each (quantity, price, status) is refreshed daily."""
        shops = self.env["entro.marketplace.shop"].search([("state", "=", "connected")])
        for shop in shops:
            shop._enqueue("_job_import_listings", identity=f"listings-{shop.id}")

    @api.model
    def _product_for_line(self, shop, line):
        """The product of an order line: its listing, else its SKU.

        The listing is found by item and variant, or by variant alone when the
        platform's order lines carry no item id (Lazada's SkuId is unique).
        """
        return self._products_for_lines(shop, [line])[0]

    @api.model
    def _products_for_lines(self, shop, lines):
        """:meth:`_product_for_line` of each of these lines, in their order, in
        three queries at most whatever their number (an import's detail batch):
        the shop's matched listings of their variants, of their SKUs, then the
        products of the SKUs left."""
        Product = self.env["product.product"]
        variants = {str(line.variant_id or "0") for line in lines}
        by_variant = {}
        if any(line.item_id or line.variant_id for line in lines):
            for listing in self.search_fetch(
                [
                    ("shop_id", "=", shop.id),
                    ("variant_id", "in", sorted(variants)),
                    ("product_id", "!=", False),
                ],
                ["item_id", "variant_id", "product_id"],
            ):
                # in the model's order: the first is the one a search would find
                by_variant.setdefault((listing.item_id, listing.variant_id), listing)
                by_variant.setdefault((None, listing.variant_id), listing)
        found = []
        for line in lines:
            listing = None
            if line.item_id or line.variant_id:
                item = str(line.item_id) if line.item_id else None
                listing = by_variant.get((item, str(line.variant_id or "0")))
            found.append(listing.product_id if listing else None)
        skus = {
            line.sku for line, product in zip(lines, found, strict=True) if not product
        } - {None, ""}
        by_sku = {}
        if skus:
            for listing in self.search_fetch(
                [
                    ("shop_id", "=", shop.id),
                    ("sku", "in", sorted(skus, key=str)),
                    ("product_id", "!=", False),
                ],
                ["sku", "product_id"],
            ):
                by_sku.setdefault(listing.sku, listing.product_id)
            left = sorted(skus - set(by_sku), key=str)
            by_sku = {**self._products_by_sku(shop.company_id, left), **by_sku}
        return [
            product or by_sku.get(line.sku, Product)
            for line, product in zip(lines, found, strict=True)
        ]

    # ------------------------------------------------------------------- pushing

    def _free_quantities(self, shop):
        """{product id: quantity free to sell in the shop's warehouse}."""
        products = self.mapped("product_id")
        if shop.warehouse_id:
            products = products.with_context(warehouse_id=shop.warehouse_id.id)
        products = products.with_company(shop.company_id)
        return {p.id: p.free_qty for p in products}

    @api.model
    def _push_stock(self, shop):
        """Push the free quantity of the shop's dirty listings whose value changed.

        What it reads and writes, it does in the company's stock transactions
        (:func:`~..tools.locks.stock_transaction`), not over the platform call: an
        order import running meanwhile neither waits for the platform nor
        conflicts with the push. A listing stays dirty when its stock changed again
        between the reading and the recording of what was pushed.
        """
        with stock_transaction(shop) as env:
            listings = env["entro.marketplace.listing"].search(
                [
                    ("shop_id", "=", shop.id),
                    ("stock_dirty", "=", True),
                    ("product_id", "!=", False),
                ]
            )
            if not listings:
                return "nothing to push"
            shop_env = shop.with_env(env)
            free = listings._free_quantities(shop_env)
            to_push = {}
            for listing in listings:
                qty = listing._qty_to_push(shop_env, free)
                if not listing.has_pushed_qty or qty != listing.last_pushed_qty:
                    to_push[listing.id] = qty
            (listings - listings.browse(list(to_push))).write({"stock_dirty": False})
            if not to_push:
                return f"{len(listings)} checked, none changed"
            updates = [
                StockUpdate(
                    item_id=listing.item_id,
                    variant_id=listing.variant_id,
                    sku=listing.sku,
                    quantity=to_push[listing.id],
                )
                for listing in listings.browse(list(to_push))
            ]
        with shop._api_session("stock push") as client:
            results = client.update_stock(updates)
        with stock_transaction(shop) as env:
            pushed = env["entro.marketplace.listing"].browse(list(to_push)).exists()
            shop_env = shop.with_env(env)
            free = pushed._free_quantities(shop_env)
            # still dirty when its quantity changed since it was read
            changed = {
                listing.id
                for listing in pushed
                if listing._qty_to_push(shop_env, free) != to_push[listing.id]
            }
            return pushed._record_push_results(
                {listing: to_push[listing.id] for listing in pushed},
                results,
                lambda listing, qty: {
                    "last_pushed_qty": qty,
                    "has_pushed_qty": True,
                    "stock_dirty": listing.id in changed,
                },
                {listing: {"stock_dirty": listing.id in changed} for listing in pushed},
            )

    def _qty_to_push(self, shop, free):
        """The quantity the platform is told: free less the shop's safety stock."""
        self.ensure_one()
        return max(0, int(free[self.product_id.id]) - max(0, shop.stock_buffer))

    @api.model
    def _push_prices(self, shop):
        """Push the pricelist price of the shop's matched listings that changed."""
        listings = self.search([("shop_id", "=", shop.id), ("product_id", "!=", False)])
        currency = shop.pricelist_id.currency_id or shop.company_id.currency_id
        to_push = {}
        for listing in listings:
            product = listing.product_id.with_company(shop.company_id)
            if shop.pricelist_id:
                price = shop.pricelist_id._get_product_price(product, 1.0)
            else:
                price = product.lst_price
            price = currency.round(price)
            if float_compare(
                price, listing.last_pushed_price, precision_rounding=currency.rounding
            ):
                to_push[listing] = price
        if not to_push:
            return f"{len(listings)} checked, none changed"
        updates = [
            PriceUpdate(
                item_id=listing.item_id,
                variant_id=listing.variant_id,
                sku=listing.sku,
                price=Decimal(str(price)),
            )
            for listing, price in to_push.items()
        ]
        with shop._api_session("price push") as client:
            results = client.update_price(updates)
        # the listings' rows are written in the stock transactions (see _push_stock)
        with stock_transaction(shop) as env:
            pushed = {
                listing.with_env(env): price for listing, price in to_push.items()
            }
            return self.with_env(env)._record_push_results(
                pushed, results, lambda listing, price: {"last_pushed_price": price}
            )

    @api.model
    def _record_push_results(self, pushed, results, success_values, refused=None):
        """Record what the platform said of each push (``refused``: more values for
        a listing it refused, by listing; by default its stock is no longer dirty)."""
        by_key = {(str(r.item_id), str(r.variant_id or "0")): r for r in results}
        now = fields.Datetime.now()
        failed = 0
        for listing, value in pushed.items():
            result = by_key.get((listing.item_id, listing.variant_id))
            if result is None or result.ok:
                listing.write(
                    dict(
                        success_values(listing, value),
                        last_push_at=now,
                        last_push_error=False,
                    )
                )
            else:
                failed += 1
                listing.write(
                    {
                        "stock_dirty": False,
                        **((refused or {}).get(listing) or {}),
                        "last_push_at": now,
                        "last_push_error": (
                            f"{result.error_code or ''} {result.message or ''}"
                        ).strip()[:250],
                    }
                )
        return f"{len(pushed)} pushed, {failed} refused by the platform"

    @api.model
    def _mark_stock_dirty(self, quants):
        """Stock of these quants changed: flag the listings, schedule the pushes.

        On the hot path of every stock move and inventory adjustment (called for
        each quant written), so it costs one query whatever the numbers of quants
        and listings: listings of the quants' products, in the shop's warehouse,
        and whether the shop's push is already pending. Each listing is flagged
        even if it was already: a change made outside the company's stock
        transactions (a person validating a delivery) then conflicts with a push
        recording meanwhile (which clears the flag), and one of the two retries,
        instead of this change being cleared unpushed. Order imports and pushes
        write in those transactions, one at a time (``stock_transaction``), and
        never conflict. Only a shop without a pending push is scheduled.

        A pending push covers this change only while it is still gathering (its
        start more than a second away): one about to start may read the listings
        before this transaction commits, so a follow-up push is queued instead.
        """
        if not quants.ids:
            return
        quants.flush_recordset(["product_id", "location_id"])
        self.flush_model(["product_id", "shop_id", "active", "stock_dirty"])
        self.env["entro.marketplace.shop"].flush_model(
            ["sync_stock", "state", "warehouse_id"]
        )
        self.env["queue.job"].flush_model(["identity_key", "state"])
        self.env.cr.execute(
            """
            SELECT l.id, l.stock_dirty, s.id,
                   EXISTS (SELECT 1 FROM queue_job j
                            WHERE j.identity_key = 'push-stock-' || s.id
                              AND j.state = 'pending'
                              AND j.eta > (now() AT TIME ZONE 'UTC')
                                          + interval '1 second'),
                   EXISTS (SELECT 1 FROM queue_job j
                            WHERE j.identity_key = 'push-stock-' || s.id
                              AND j.state IN ('pending', 'enqueued'))
              FROM stock_quant q
              JOIN stock_location loc
                ON loc.id = q.location_id AND loc.usage = 'internal'
              JOIN entro_marketplace_listing l
                ON l.product_id = q.product_id AND l.active
              JOIN entro_marketplace_shop s
                ON s.id = l.shop_id AND s.sync_stock AND s.state = 'connected'
              LEFT JOIN stock_warehouse w ON w.id = s.warehouse_id
              LEFT JOIN stock_location v ON v.id = w.view_location_id
             WHERE q.id IN %s
               AND (v.id IS NULL OR loc.parent_path LIKE v.parent_path || '%%')
            """,
            [tuple(quants.ids)],
        )
        rows = self.env.cr.fetchall()
        to_flag = {row[0] for row in rows}
        # shop id -> whether a push is queued that may start before we commit
        to_schedule = {row[2]: row[4] for row in rows if not row[3]}
        if to_flag:
            # (fields flushed above; no ORM write on this hot path)
            self.env.cr.execute(
                "UPDATE entro_marketplace_listing SET stock_dirty = true "
                "WHERE id IN %s",
                [tuple(sorted(to_flag))],
            )
            self.browse(to_flag).invalidate_recordset(["stock_dirty"])
        # one follow-up per shop and transaction: the runner cannot start it
        # before this transaction commits (so it is pending, unless a savepoint
        # undid it, or a test ran it in this transaction). Kept with
        # the post-commit hooks, which live as long as the transaction: the
        # pre-commit ones are run, and their data cleared, at every savepoint
        # (one per imported order).
        follow_ups = self.env.cr.postcommit.data.setdefault(
            "entro_marketplace.stock_follow_ups", {}
        )
        if any(
            imminent and shop in follow_ups for shop, imminent in to_schedule.items()
        ):
            self.env.cr.execute(
                "SELECT uuid FROM queue_job WHERE uuid IN %s AND state = 'pending'",
                [tuple(follow_ups.values())],
            )
            alive = {uuid for (uuid,) in self.env.cr.fetchall()}
            for shop, uuid in list(follow_ups.items()):
                if uuid in alive:
                    to_schedule.pop(shop, None)
                else:
                    del follow_ups[shop]
        # sudo: the pushes of the shops whose stock this transaction changed (ids
        # gathered by the system, not chosen by a user), enqueued as the system
        Shop = self.env["entro.marketplace.shop"].sudo()
        for shop_id, imminent in sorted(to_schedule.items()):
            jobs = Shop.browse(shop_id)._schedule_stock_push(follow_up=imminent)
            if imminent and jobs:
                follow_ups[shop_id] = jobs[0].uuid
