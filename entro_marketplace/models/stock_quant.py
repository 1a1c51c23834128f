from odoo import api, models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model_create_multi
    def create(self, vals_list):
        quants = super().create(vals_list)
        quants._entro_stock_changed()
        return quants

    def write(self, vals):
        result = super().write(vals)
        if "quantity" in vals or "reserved_quantity" in vals:
            self._entro_stock_changed()
        return result

    def _entro_stock_changed(self):
        """The free quantity of these quants' products may have changed."""
        self.env["entro.marketplace.listing"]._mark_stock_dirty(self)
