from odoo import fields, models


class AutofakturaStandardLine(models.Model):
    _name = 'autofaktura.standard.line'
    _description = "AutoFaktura Standard Line"
    _order = 'standard_id, sequence, id'
    _check_company_auto = True

    standard_id = fields.Many2one('autofaktura.standard', required=True, index=True, ondelete='cascade')
    company_id = fields.Many2one(related='standard_id.company_id', store=True, index=True)
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one('product.product', check_company=True)
    name = fields.Text(string="Description")
    quantity = fields.Float(default=1.0, digits='Product Unit')
    price_unit = fields.Float(string="Unit Price", digits='Product Price')
    discount = fields.Float(string="Discount (%)", digits='Discount')
    tax_ids = fields.Many2many('account.tax', string="Taxes", check_company=True)

    def _values_for_subscription_line(self):
        self.ensure_one()
        values = {
            'sequence': self.sequence,
            'product_id': self.product_id.id,
            'quantity': self.quantity,
            'price_unit': self.price_unit,
            'discount': self.discount,
            'tax_ids': [fields.Command.set(self.tax_ids.ids)],
        }
        if self.name:
            values['name'] = self.name
        return values
