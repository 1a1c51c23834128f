"""Stock: the cost of flagging listings on a mass inventory adjustment, and the
API calls per 1,000 stock changes against the fewest the platforms' batches allow.

1. A mass inventory adjustment of N quants (default 5,000) of products listed on a
   Shopee and a Lazada shop, timed three ways in the same database: with the
   listing hook as it was before (quants x listings), as it is now (one query per
   quant written), and with no shop pushing stock (the hook finds nothing: the
   floor); each twice, in a balanced order, the fastest run of each counting.
2. 1,000 stock changes spread over the listings of both shops, then one push per
   shop: update calls made against the minimum -- Shopee: one update_stock per item
   touched (its stock_list takes the models of one item, 1-50); Lazada: one
   price_quantity/update per 50 SKUs, of any products.
"""

import argparse
import math
import random
import sys
import time

from bench.common import ROOT, create_shop, environment, setup_odoo, write_result
from tests.emulators import lazada as lz
from tests.emulators import shopee as sp


def _mark_stock_dirty_before(self, quants):
    """The hook as it was before this benchmark (kept to measure it)."""
    internal = quants.filtered(lambda q: q.location_id.usage == "internal")
    if not internal:
        return
    listings = self.sudo().search(
        [
            ("product_id", "in", internal.product_id.ids),
            ("shop_id.sync_stock", "=", True),
            ("shop_id.state", "=", "connected"),
        ]
    )
    if not listings:
        return
    affected = self.browse()
    for listing in listings:
        warehouse = listing.shop_id.warehouse_id
        for quant in internal:
            if quant.product_id != listing.product_id:
                continue
            if not warehouse or quant.location_id.parent_path.startswith(
                warehouse.view_location_id.parent_path
            ):
                affected |= listing
                break
    affected.filtered(lambda rec: not rec.stock_dirty).write({"stock_dirty": True})
    affected.shop_id._schedule_stock_push()


def catalogues(n_variants, seed):
    """Shopee items and Lazada products with n_variants SKUs between them."""
    shopee = sp.generate_catalogue(max(1, n_variants // 8), 5, seed=seed)
    shopee_skus = sum(len(i["models"]) or 1 for i in shopee)
    lazada = lz.generate_catalogue(
        max(1, (n_variants - shopee_skus) // 2), 2, seed=seed
    )
    return shopee, lazada


def skus_of(shopee, lazada):
    skus = [m["model_sku"] for i in shopee for m in i["models"]]
    skus += [i["item_sku"] for i in shopee if not i["models"]]
    skus += [s["SellerSku"] for p in lazada for s in p["skus"]]
    return skus


def adjust(env, products, rng):
    """One inventory adjustment of every product; seconds spent."""
    location = env["stock.warehouse"].search([], limit=1).lot_stock_id
    quants = (
        env["stock.quant"]
        .with_context(inventory_mode=True)
        .create(
            [
                {
                    "product_id": product.id,
                    "location_id": location.id,
                    "inventory_quantity": rng.randint(1, 500),
                }
                for product in products
            ]
        )
    )
    started = time.perf_counter()
    quants.action_apply_inventory()
    env.flush_all()
    return time.perf_counter() - started


def hot_spot(registry, n_quants, seed, profile=False):
    Listing = registry["entro.marketplace.listing"]
    after = Listing._mark_stock_dirty
    timings = {}
    # each twice, in an order that warms none of them more than another; the
    # fastest run of each counts
    for label in ("floor", "before", "after", "after", "before", "floor"):
        profiler = None
        if profile and label == "after" and label not in timings:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
        with registry.cursor() as cr:
            env = environment(cr)
            products = env["product.product"].search(
                [("default_code", "!=", False), ("is_storable", "=", True)],
                limit=n_quants,
            )
            shops = env["entro.marketplace.shop"].search([])
            env["entro.marketplace.listing"].search([]).write({"stock_dirty": False})
            if label == "floor":
                shops.write({"sync_stock": False})
            if label == "before":
                Listing._mark_stock_dirty = _mark_stock_dirty_before
            try:
                seconds = adjust(env, products, random.Random(seed))
                timings[label] = min(seconds, timings.get(label, seconds))
            finally:
                Listing._mark_stock_dirty = after
                if profiler:
                    profiler.stop()
                    out = ROOT / "bench" / "results" / "stock_push_profile.txt"
                    out.write_text(profiler.output_text(color=False, show_all=False))
                    print(f"  profile written to {out.relative_to(ROOT)}")
            flagged = env["entro.marketplace.listing"].search_count(
                [("stock_dirty", "=", True)]
            )
            cr.rollback()
        print(f"  {label}: {seconds:.2f} s, {flagged} listings flagged")
    return len(products), timings


def economy(registry, emulators, n_changes, seed):
    rng = random.Random(seed)
    with registry.cursor() as cr:
        env = environment(cr)
        shops = env["entro.marketplace.shop"].search([])
        Listing = env["entro.marketplace.listing"]
        for shop in shops:  # first push: every listing has a known platform stock
            Listing._push_stock(shop)
        cr.commit()
        for emulator in emulators.values():
            emulator.journal.clear()
        listings = Listing.search([("product_id", "!=", False)])
        changed = listings.browse(
            rng.sample(listings.ids, min(n_changes, len(listings)))
        )
        adjust(env, changed.product_id, rng)  # from nothing to 1-500 each
        for shop in shops:
            Listing._push_stock(shop)
        cr.commit()
        minimum = {
            "shopee": sum(
                math.ceil(len(group) / 50)
                for group in _group(changed.filtered(lambda r: r.platform == "shopee"))
            ),
            "lazada": math.ceil(
                len(changed.filtered(lambda r: r.platform == "lazada")) / 50
            ),
        }
        per_platform = {
            p: len(changed.filtered(lambda r, p=p: r.platform == p)) for p in minimum
        }
    made = {
        "shopee": emulators["shopee"].journal.count("/api/v2/product/update_stock"),
        "lazada": emulators["lazada"].journal.count("/product/price_quantity/update"),
    }
    return len(changed), per_platform, made, minimum


def _group(listings):
    groups = {}
    for listing in listings:
        groups.setdefault(listing.item_id, []).append(listing)
    return groups.values()


def main(argv=None):
    import os

    parser = argparse.ArgumentParser(prog="bench/run.sh stock_push")
    parser.add_argument("--quants", type=int, default=5000)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--profile", action="store_true", help="pyinstrument profile of the hook run"
    )
    args = parser.parse_args(argv)
    registry = setup_odoo(os.environ["ENTRO_BENCH_DB"])
    shopee_cat, lazada_cat = catalogues(args.quants, args.seed)
    with sp.ShopeeEmulator() as shopee, lz.LazadaEmulator() as lazada:
        shopee.add_catalogue(shopee_cat)
        lazada.add_catalogue(lazada_cat)
        with registry.cursor() as cr:
            env = environment(cr)
            skus = skus_of(shopee_cat, lazada_cat)
            env["product.product"].create(
                [{"name": s, "default_code": s, "is_storable": True} for s in skus]
            )
            shops = [
                create_shop(env, "shopee", shopee, push_delay=0),
                create_shop(env, "lazada", lazada, push_delay=0),
            ]
            cr.commit()  # the API log is written in a transaction of its own
            for shop in shops:
                shop._job_import_listings()
            listings = env["entro.marketplace.listing"].search_count([])
            print(f"{len(skus)} products, {listings} listings")
        print(f"mass inventory adjustment of {args.quants} quants:")
        n_quants, timings = hot_spot(registry, args.quants, args.seed, args.profile)
        n_changed, per_platform, made, minimum = economy(
            registry, {"shopee": shopee, "lazada": lazada}, args.changes, args.seed
        )
    total_made, total_min = sum(made.values()), sum(minimum.values())
    result = {
        "quants_adjusted": n_quants,
        "adjustment_s": {k: round(v, 2) for k, v in timings.items()},
        "hook_overhead_ratio_to_floor": {
            "before": round(timings["before"] / timings["floor"], 2),
            "after": round(timings["after"] / timings["floor"], 2),
        },
        "stock_changes": n_changed,
        "stock_changes_per_platform": per_platform,
        "update_calls": made,
        "update_calls_minimum": minimum,
        "api_calls_per_1000_stock_changes": round(total_made * 1000 / n_changed, 1),
        "api_minimum_per_1000_stock_changes": round(total_min * 1000 / n_changed, 1),
        "api_ratio_to_minimum": round(total_made / total_min, 3),
        "note": "minimum: Shopee one update_stock per item touched (1-50 models of "
        "one item per call), Lazada one price_quantity/update per 50 SKUs",
    }
    write_result("stock_push", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
