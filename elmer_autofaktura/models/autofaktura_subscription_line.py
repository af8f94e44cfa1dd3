from odoo import api, fields, models


class AutofakturaSubscriptionLine(models.Model):
    _name = 'autofaktura.subscription.line'
    _description = "AutoFaktura Agreement Line"
    _inherit = ['analytic.mixin']
    _order = 'subscription_id, sequence, id'
    _check_company_auto = True

    subscription_id = fields.Many2one(
        'autofaktura.subscription', string="Agreement", required=True, index=True, ondelete='cascade')
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related='subscription_id.company_id', store=True, index=True)
    currency_id = fields.Many2one(related='subscription_id.currency_id')
    product_id = fields.Many2one(
        'product.product', check_company=True, index=True,
        domain="[('sale_ok', '=', True)]")
    name = fields.Text(
        string="Description", required=True,
        compute='_compute_name', store=True, readonly=False, precompute=True)
    quantity = fields.Float(default=1.0, digits='Product Unit', required=True)
    price_unit = fields.Float(
        string="Unit Price", digits='Product Price',
        compute='_compute_price_unit', store=True, readonly=False, precompute=True)
    discount = fields.Float(string="Discount (%)", digits='Discount', default=0.0)
    tax_ids = fields.Many2many(
        'account.tax', string="Taxes", check_company=True,
        compute='_compute_tax_ids', store=True, readonly=False, precompute=True,
        domain="[('type_tax_use', '=', 'sale')]")
    price_subtotal = fields.Monetary(
        string="Subtotal", compute='_compute_price_subtotal', store=True)

    @api.depends('product_id')
    def _compute_name(self):
        for line in self:
            if line.product_id:
                product = line.product_id.with_context(lang=line.subscription_id.partner_id.lang)
                line.name = product.get_product_multiline_description_sale()
            elif not line.name:
                line.name = False

    @api.depends('product_id', 'subscription_id.currency_id')
    def _compute_price_unit(self):
        for line in self:
            if not line.product_id:
                continue
            subscription = line.subscription_id
            company = subscription.company_id or self.env.company
            currency = subscription.currency_id or company.currency_id
            line.price_unit = line.product_id.currency_id._convert(
                line.product_id.lst_price, currency, company,
                subscription.date_start or fields.Date.context_today(line))

    @api.depends('product_id', 'subscription_id.fiscal_position_id', 'subscription_id.company_id')
    def _compute_tax_ids(self):
        for line in self:
            if not line.product_id:
                continue
            company = line.subscription_id.company_id or self.env.company
            taxes = line.product_id.taxes_id._filter_taxes_by_company(company)
            fiscal_position = line.subscription_id.fiscal_position_id
            line.tax_ids = fiscal_position.map_tax(taxes) if fiscal_position else taxes

    @api.depends('quantity', 'price_unit', 'discount')
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = line.quantity * line.price_unit * (1 - (line.discount or 0.0) / 100.0)

    def _prepare_invoice_line_vals(self, period_label):
        """Values of the invoice line for one period; the description says which period."""
        self.ensure_one()
        return {
            'product_id': self.product_id.id,
            'name': f"{self.name}, {period_label}",
            'quantity': self.quantity,
            'price_unit': self.price_unit,
            'discount': self.discount,
            'tax_ids': [fields.Command.set(self.tax_ids.ids)],
            'analytic_distribution': self.analytic_distribution,
        }
