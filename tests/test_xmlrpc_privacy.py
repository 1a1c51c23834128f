"""A Privacy Officer over XML-RPC: create an export request, process it, fetch the
archive; a Marketplace User is refused. Against a real Odoo server process."""

import base64
import io
import json
import xmlrpc.client
import zipfile

import pytest


def _group(admin, xmlid):
    module, name = xmlid.split(".")
    return admin("ir.model.data", "check_object_reference", module, name)[1]


def _user(odoo_server, admin, login, groups):
    admin(
        "res.users",
        "create",
        {
            "name": login,
            "login": login,
            "password": f"{login}-pass-2026",
            "groups_id": [(6, 0, [_group(admin, g) for g in groups])],
        },
    )
    return odoo_server.login(login, f"{login}-pass-2026")


@pytest.fixture(scope="module")
def admin(odoo_server):
    return odoo_server.login("admin", "admin")


def test_officer_creates_and_processes_an_export(odoo_server, admin):
    officer = _user(
        odoo_server,
        admin,
        "rpc_privacy_officer",
        ["base.group_user", "entro_privacy.group_privacy_officer"],
    )
    partner = admin(
        "res.partner",
        "create",
        {"name": "Hồ Quang Vinh", "phone": "0909 111 222", "email": "vinh@example.com"},
    )
    other = admin(
        "res.partner", "create", {"name": "Hồ Quang Vinh", "phone": "0909333444"}
    )
    product = admin("product.product", "create", {"name": "RPC privacy item"})
    admin(
        "sale.order",
        "create",
        {
            "partner_id": partner,
            "order_line": [(0, 0, {"product_id": product, "product_uom_qty": 2})],
        },
    )
    request = officer(
        "entro.privacy.request",
        "create",
        {
            "request_type": "export",
            "phone": "+84909111222",
            "identity_check": "Customer called from the number on file.",
        },
    )
    assert officer("entro.privacy.request", "action_process", [request]) is True
    (row,) = officer(
        "entro.privacy.request",
        "read",
        [request],
        ["state", "export_attachment_id", "result", "due_date"],
    )
    assert row["state"] == "done"
    assert row["export_attachment_id"]
    assert row["due_date"]
    export = officer("entro.privacy.request", "get_export", [request])
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(export["datas"])))
    names = set(archive.namelist())
    assert {"summary.txt", "res.partner.json", "sale.order.json"} <= names
    partners = json.loads(archive.read("res.partner.json"))
    assert [p["id"] for p in partners] == [partner]
    assert partners[0]["email"] == "vinh@example.com"
    assert other not in {p["id"] for p in partners}
    # the attachment itself, read like any other
    (attachment,) = officer(
        "ir.attachment", "read", [row["export_attachment_id"][0]], ["datas"]
    )
    assert base64.b64decode(attachment["datas"]) == base64.b64decode(export["datas"])


def test_a_marketplace_user_is_refused(odoo_server, admin):
    user = _user(
        odoo_server,
        admin,
        "rpc_marketplace_user",
        ["base.group_user", "entro_marketplace.group_marketplace_user"],
    )
    with pytest.raises(xmlrpc.client.Fault, match="AccessError|not allowed"):
        user("entro.privacy.request", "search_read", [], fields=["name"])
    with pytest.raises(xmlrpc.client.Fault, match="AccessError|not allowed"):
        user(
            "entro.privacy.request",
            "create",
            {"request_type": "export", "email": "x@example.com"},
        )
