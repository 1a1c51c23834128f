/** Tours of a seller's first hour, run by entro_marketplace/tests/test_tours.py
 * (HttpCase.start_tour, headless Chromium). They rely on the data the Python test
 * creates: a connected Shopee shop whose orders were imported, with stock on hand.
 * Triggers name records and buttons, not translated text, so the same steps run
 * for a user working in Vietnamese. */
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const tours = registry.category("web_tour.tours");

export const openMarketplaceOrders = () => [
    ...stepUtils.goToAppSteps(
        "entro_marketplace.menu_marketplace_root",
        "Open the Marketplaces app"
    ),
    {
        content: "Open the marketplace orders",
        trigger: '.o_menu_sections [data-menu-xmlid="entro_marketplace.menu_marketplace_orders"]',
        run: "click",
    },
];

export const openOrderToDelivery = () => [
    {
        content: "Open the order the shop imported",
        trigger: ".o_list_view .o_data_row:first-child .o_data_cell",
        run: "click",
    },
    {
        content: "Its form opens",
        trigger: ".o_form_view .oe_title h1",
    },
    {
        content: "Open its sale order",
        trigger: '.o_form_view button[name="action_open_sale_order"]',
        run: "click",
    },
    {
        content: "The sale order is confirmed",
        trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current[data-value="sale"]',
    },
    {
        content: "Open its delivery",
        trigger: '.o_form_view button[name="action_view_delivery"]',
        run: "click",
    },
    {
        content: "Validate the delivery",
        trigger: '.o_form_view .o_statusbar_buttons button[name="button_validate"]',
        run: "click",
    },
    {
        content: "The delivery is done, with no SMS or backorder dialog in between",
        trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current[data-value="done"]',
    },
];

tours.add("entro_order_to_delivery", {
    url: "/odoo",
    steps: () => [...openMarketplaceOrders(), ...openOrderToDelivery()],
});

tours.add("entro_order_to_delivery_vi", {
    url: "/odoo",
    steps: () => [
        ...openMarketplaceOrders(),
        {
            content: "The app's name is the Vietnamese one",
            trigger: '.o_main_navbar .o_menu_brand:not(:contains("Marketplaces"))',
        },
        {
            content: "The menus too",
            trigger: '.o_menu_sections [data-menu-xmlid="entro_marketplace.menu_marketplace_orders"]:not(:contains("Orders"))',
        },
        ...openOrderToDelivery(),
    ],
});
