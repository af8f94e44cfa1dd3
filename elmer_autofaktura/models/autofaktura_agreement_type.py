from odoo import fields, models


class AutofakturaAgreementType(models.Model):
    _name = 'autofaktura.agreement.type'
    _description = "Agreement Type"
    _order = 'sequence, name, id'

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    company_id = fields.Many2one(
        'res.company', index=True,
        help="Leave empty to share this type with all companies.")
    subscription_count = fields.Integer(compute='_compute_subscription_count', string="Agreements")

    def _compute_subscription_count(self):
        counts = dict(self.env['autofaktura.subscription']._read_group(
            [('agreement_type_id', 'in', self.ids)], ['agreement_type_id'], ['__count']))
        for agreement_type in self:
            agreement_type.subscription_count = counts.get(agreement_type, 0)
