"""XML-RPC against a running Odoo server: what an integrator does first."""

ENTRO_ADDONS = ["entro_marketplace", "entro_billing", "entro_privacy"]


def test_server_is_odoo_18(odoo_server):
    version = odoo_server.common().version()
    assert version["server_version_info"][:2] == [18, 0]


def test_admin_finds_the_three_addons_installed(odoo_server):
    rpc = odoo_server.login("admin", "admin")
    modules = rpc(
        "ir.module.module",
        "search_read",
        [("name", "in", ENTRO_ADDONS)],
        fields=["name", "state", "latest_version"],
    )
    assert sorted(m["name"] for m in modules) == sorted(ENTRO_ADDONS)
    assert {m["state"] for m in modules} == {"installed"}


def test_admin_sees_the_marketplaces_menu(odoo_server):
    rpc = odoo_server.login("admin", "admin")
    # ir.ui.menu's search keeps only the menus the user may see.
    menus = rpc(
        "ir.ui.menu", "search_read", [("parent_id", "=", False)], fields=["name"]
    )
    assert "Marketplaces" in {menu["name"] for menu in menus}


def test_wrong_password_is_refused(odoo_server):
    assert (
        odoo_server.common().authenticate(odoo_server.db, "admin", "wrong", {}) is False
    )
