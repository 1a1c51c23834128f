/** A Privacy Officer processes a data-subject export request, run by
 * entro_privacy/tests/test_tours.py (HttpCase.start_tour, headless Chromium) on a
 * request the Python test creates. Triggers name buttons and fields, not translated
 * text. */
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("entro_privacy_export_request", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("entro_privacy.menu_privacy_root", "Open Privacy"),
        {
            content: "Open the requests",
            trigger: '.o_menu_sections [data-menu-xmlid="entro_privacy.menu_privacy_requests"]',
            run: "click",
        },
        {
            content: "Open the export request of the test",
            trigger: ".o_list_view .o_data_row:first-child .o_data_cell",
            run: "click",
        },
        {
            content: "Take it in hand",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_start"]',
            run: "click",
        },
        {
            content: "It is in progress",
            trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current[data-value="in_progress"]',
        },
        {
            content: "Process it: the export wizard opens with its preview",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_open_wizard"]',
            run: "click",
        },
        {
            content: "The preview lists the records found",
            trigger: ".modal .o_field_widget[name=preview_html] table tbody tr",
        },
        {
            content: "Generate the archive",
            trigger: '.modal footer button[name="action_generate"]',
            run: "click",
        },
        {
            content: "The dialog closed on the request, now done",
            trigger: 'body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current[data-value="done"]',
        },
        {
            content: "Its archive can be downloaded",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_download_export"]',
        },
    ],
});
