/** Tours of a seller's first hour, run by entro_marketplace/tests/test_tours.py
 * (HttpCase.start_tour, headless Chromium). They rely on the data the Python test
 * creates: a connected Shopee shop whose orders were imported, with stock on hand.
 * Triggers name records and buttons, not translated text, so the same steps run
 * for a user working in Vietnamese. */
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const tours = registry.category("web_tour.tours");

export const openMarketplaceApp = () =>
    stepUtils.goToAppSteps("entro_marketplace.menu_marketplace_root", "Open the Marketplaces app");

export const overviewToOrders = () => [
    {
        content: "The app opens on the Overview: the shop's card counts this week's order",
        trigger: '.o_kanban_view .o_kanban_record a[name="action_overview_orders_week"]:contains("1")',
    },
    {
        content: "Its health badge is there",
        trigger: '.o_kanban_view .o_kanban_record .o_field_widget[name="health"]',
    },
    {
        content: "Open the shop's orders of the week from its card",
        trigger: '.o_kanban_view .o_kanban_record a[name="action_overview_orders_week"]',
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
    steps: () => [...openMarketplaceApp(), ...overviewToOrders(), ...openOrderToDelivery()],
});

tours.add("entro_print_label", {
    steps: () => [
        {
            content: "The delivery's shipment is arranged: print its label",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_entro_print_labels"]',
            run: "click",
        },
        {
            content: "No error: the merged label is downloaded",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});

tours.add("entro_order_to_delivery_vi", {
    url: "/odoo",
    steps: () => [
        ...openMarketplaceApp(),
        {
            content: "The app's name is the Vietnamese one",
            trigger: '.o_main_navbar .o_menu_brand:not(:contains("Marketplaces"))',
        },
        {
            content: "The menus too",
            trigger: '.o_menu_sections [data-menu-xmlid="entro_marketplace.menu_marketplace_orders"]:not(:contains("Orders"))',
        },
        ...overviewToOrders(),
        ...openOrderToDelivery(),
    ],
});

tours.add("entro_connect_shop", {
    url: "/odoo",
    steps: () => [
        ...openMarketplaceApp(),
        {
            content: "Open the configuration menu",
            trigger: '.o_menu_sections [data-menu-xmlid="entro_marketplace.menu_marketplace_configuration"]',
            run: "click",
        },
        {
            content: "Connect a Shop",
            trigger: '.dropdown-item[data-menu-xmlid="entro_marketplace.menu_marketplace_connect"]',
            run: "click",
        },
        {
            content: "Choose the company's Shopee app",
            trigger: '.modal .o_field_widget[name="app_id"] input[type="radio"]',
            run: "click",
        },
        {
            content: "Authorize on the platform: its consent page sends the seller back",
            trigger: '.modal footer button[name="action_connect"]',
            run: "click",
        },
        {
            content: "Back on the shop, connected",
            trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current[data-value="connected"]',
        },
    ],
});
