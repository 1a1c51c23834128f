/** The e-invoice a seller's manager fixes, run by tests/test_einvoice_tour.py
 * (HttpCase.start_tour, headless Chromium): from the shop's "E-invoices to Fix" to
 * the invoice SInvoice refused, its reason, and Send E-invoice Again. Triggers name
 * buttons and fields, not translated text. */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("entro_einvoice_fix", {
    steps: () => [
        {
            content: "The shop counts one e-invoice to fix: open them",
            trigger: '.o_form_view button[name="action_view_einvoice_problems"]:contains("1")',
            run: "click",
        },
        {
            content: "Open the invoice SInvoice refused",
            trigger: ".o_list_view .o_data_row:first-child .o_data_cell",
            run: "click",
        },
        {
            content: "Its banner gives SInvoice's reason",
            trigger: '.o_form_view .alert-warning:contains("Địa chỉ người mua không hợp lệ")',
        },
        {
            content: "Send it again",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_entro_einvoice_retry"]',
            run: "click",
        },
        {
            content: "Queued again: the button and the banner are gone",
            trigger:
                '.o_form_view .o_statusbar_buttons:not(:has(button[name="action_entro_einvoice_retry"]))',
        },
    ],
});
