from odoo import fields, models


class AutofakturaForecastLine(models.TransientModel):
    _name = 'autofaktura.forecast.line'
    _description = "AutoFaktura Forecast"
    _order = 'date, subscription_id'

    date = fields.Date(string="Invoice Date", required=True, readonly=True)
    subscription_id = fields.Many2one('autofaktura.subscription', string="Agreement", required=True,
                                      readonly=True, ondelete='cascade')
    partner_id = fields.Many2one(related='subscription_id.partner_id', store=True, string="Customer")
    agreement_type_id = fields.Many2one(related='subscription_id.agreement_type_id', store=True)
    company_id = fields.Many2one(related='subscription_id.company_id', store=True)
    currency_id = fields.Many2one(related='subscription_id.currency_id', store=True)
    period_start = fields.Date(readonly=True)
    period_end = fields.Date(readonly=True)
    amount_untaxed = fields.Monetary(string="Amount", readonly=True, aggregator='sum')
