"""An integrator manages subscriptions over XML-RPC on a running server."""

import pytest

ONE_PLAN_CODES = {"starter", "growth", "scale"}


@pytest.fixture(scope="module")
def billing(odoo_server):
    admin = odoo_server.login("admin", "admin")
    group = admin(
        "ir.model.data",
        "search_read",
        [("module", "=", "entro_billing"), ("name", "=", "group_billing_manager")],
        fields=["res_id"],
    )[0]["res_id"]
    admin(
        "res.users",
        "create",
        {
            "name": "Billing integrator",
            "login": "billing_rpc",
            "password": "billing-rpc-pass-1",
            "groups_id": [(6, 0, [group])],
        },
    )
    return admin, odoo_server.login("billing_rpc", "billing-rpc-pass-1")


def test_plans_are_data_an_integrator_reads(billing):
    _admin, rpc = billing
    plans = rpc(
        "entro.billing.plan",
        "search_read",
        [],
        fields=["code", "price_monthly", "max_shops", "sync_mode"],
    )
    assert ONE_PLAN_CODES <= {p["code"] for p in plans}
    assert all(p["price_monthly"] > 0 for p in plans if p["code"] in ONE_PLAN_CODES)


def test_cancel_and_resume_over_xmlrpc(billing):
    _admin, rpc = billing
    (growth,) = rpc("entro.billing.plan", "search", [("code", "=", "growth")])
    (scale,) = rpc("entro.billing.plan", "search", [("code", "=", "scale")])
    partner = rpc("res.partner", "create", {"name": "RPC subscriber"})
    sub = rpc(
        "entro.billing.subscription",
        "create",
        {"partner_id": partner, "plan_id": growth, "period": "annual"},
    )

    def read():
        (row,) = rpc(
            "entro.billing.subscription",
            "read",
            [sub],
            ["state", "plan_id", "service_active", "trial_end"],
        )
        return row

    assert read()["state"] == "trial"
    assert read()["trial_end"]
    assert rpc("entro.billing.subscription", "action_cancel", [sub]) is True
    row = read()
    assert (row["state"], row["service_active"]) == ("cancelled", True)
    assert rpc("entro.billing.subscription", "action_resume", [sub]) is True
    assert read()["state"] == "trial"
    # an upgrade during the trial applies at once, without a charge
    assert rpc("entro.billing.subscription", "action_change_plan", [sub], scale)
    assert read()["plan_id"][0] == scale
    # resuming what is not cancelled is refused with a clear error
    with pytest.raises(Exception, match="is not cancelled"):
        rpc("entro.billing.subscription", "action_resume", [sub])


def test_the_ledger_is_not_writable_over_xmlrpc(billing):
    _admin, rpc = billing
    with pytest.raises(Exception, match="not allowed"):
        rpc(
            "entro.billing.period",
            "create",
            {"subscription_id": 1, "period_start": "2026-01-01"},
        )
