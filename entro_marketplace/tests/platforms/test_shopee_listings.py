"""Shopee listings, and stock/price updates batched per item (<= 50 models)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.emulators.shopee import generate_catalogue

from .conftest import base, errors, records


def test_iter_listings_pages_and_batches(client, emulator):
    catalogue = generate_catalogue(130, 3, seed=4)
    emulator.add_catalogue(catalogue)
    listings = list(client.iter_listings())
    expected = sum(len(i["models"]) if i["has_model"] else 1 for i in catalogue)
    assert len(listings) == expected
    offsets = [e.query["offset"][0] for e in emulator.journal.entries("get_item_list")]
    assert offsets == ["0", "100"]
    for entry in emulator.journal.entries("get_item_base_info"):
        assert len(entry.query["item_id_list"][0].split(",")) <= 50
    with_models = sum(1 for i in catalogue if i["has_model"])
    assert emulator.journal.count("get_model_list") == with_models
    by_key = {(x.item_id, x.variant_id): x for x in listings}
    for item in catalogue:
        if item["has_model"]:
            for model in item["models"]:
                got = by_key[(str(item["item_id"]), str(model["model_id"]))]
                assert got.sku == model["model_sku"]
                assert got.price == model["price"] and got.stock == model["stock"]
        else:
            got = by_key[(str(item["item_id"]), "0")]
            assert got.sku == item["item_sku"]
            assert got.price == item["price"] and got.stock == item["stock"]


def _big_item(emulator, n_models=120):
    item_id = 990000001
    item = {
        "item_id": item_id,
        "item_name": "Áo sơ mi",
        "item_sku": "ASM",
        "item_status": "NORMAL",
        "has_model": True,
        "price": 0,
        "stock": 0,
        "update_time": 0,
        "models": [
            {
                "model_id": item_id * 1000 + m,
                "model_name": f"M{m}",
                "model_sku": f"ASM-{m}",
                "price": 100000,
                "stock": 1,
                "model_status": "MODEL_NORMAL",
            }
            for m in range(n_models)
        ],
    }
    emulator.add_catalogue([item])
    return item


def test_stock_updates_are_batched_per_item(client, emulator):
    big = _big_item(emulator)
    small = generate_catalogue(3, 0, seed=1)
    emulator.add_catalogue(small)
    updates = [
        records.StockUpdate(
            str(big["item_id"]), str(m["model_id"]), 7, sku=m["model_sku"]
        )
        for m in big["models"]
    ] + [records.StockUpdate(str(i["item_id"]), "0", 3) for i in small]
    results = client.update_stock(updates)
    assert len(results) == len(updates) and all(r.ok for r in results)
    calls = emulator.journal.entries("update_stock")
    assert len(calls) == 3 + len(small)
    for call in calls:
        body = call.json()
        assert 1 <= len(body["stock_list"]) <= 50
    assert sorted(len(c.json()["stock_list"]) for c in calls)[-3:] == [20, 50, 50]
    assert all(m["stock"] == 7 for m in big["models"])
    assert all(i["stock"] == 3 for i in small)


def test_price_updates_and_partial_failures(client, emulator):
    big = _big_item(emulator, n_models=3)
    updates = [
        records.PriceUpdate(str(big["item_id"]), str(m["model_id"]), Decimal(125000))
        for m in big["models"]
    ] + [records.PriceUpdate(str(big["item_id"]), "424242", Decimal(1000))]
    results = client.update_price(updates)
    assert [r.ok for r in results] == [True, True, True, False]
    assert results[-1].message == "model not found"
    (call,) = emulator.journal.entries("update_price")
    assert call.json()["price_list"][0]["original_price"] == 125000
    assert all(m["price"] == 125000 for m in big["models"])


def test_unknown_item_fails_the_batch_not_the_sync(client, emulator):
    results = client.update_stock([records.StockUpdate("123", "0", 1)])
    assert results[0].ok is False and results[0].error_code == "error_item_not_found"


def test_group_per_item_last_update_wins():
    updates = [
        records.StockUpdate("1", "a", 1),
        records.StockUpdate("2", None, 5),
        records.StockUpdate("1", "a", 2),
        records.StockUpdate("1", "b", 3),
    ]
    groups = base.group_per_item(updates, 50)
    assert [(item, [u.quantity for u in chunk]) for item, chunk in groups] == [
        ("1", [2, 3]),
        ("2", [5]),
    ]
    with pytest.raises(ValueError):
        list(base.chunked([1], 0))


def test_non_numeric_ids_are_permanent_errors(client):
    with pytest.raises(errors.PermanentError):
        client.update_stock([records.StockUpdate("abc", "0", 1)])
