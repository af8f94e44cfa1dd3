from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from .autofaktura_subscription import INTERVAL_UNITS, STANDARD_FIELDS


class AutofakturaStandard(models.Model):
    _name = 'autofaktura.standard'
    _description = "AutoFaktura Standard Settings"
    _order = 'user_id, sequence, name, id'
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        'res.company', required=True, index=True, default=lambda self: self.env.company)
    user_id = fields.Many2one(
        'res.users', string="Personal Standard Of", index=True, ondelete='cascade',
        help="Set: this user's own standard, which only they see. Empty: a company template any "
             "user can pick on an agreement.")
    agreement_type_id = fields.Many2one('autofaktura.agreement.type', check_company=True)
    interval_number = fields.Integer(string="Invoice Every", default=1, required=True)
    interval_unit = fields.Selection(INTERVAL_UNITS, default='month', required=True)
    invoicing_mode = fields.Selection(
        [('advance', "In advance"), ('arrears', "In arrears")], default='advance', required=True)
    delivery_method = fields.Selection(
        [('email', "Email"), ('letter', "Letter"), ('email_letter', "Email and letter")])
    mail_template_id = fields.Many2one('mail.template', domain="[('model', '=', 'account.move')]")
    journal_id = fields.Many2one('account.journal', domain="[('type', '=', 'sale')]", check_company=True)
    payment_term_id = fields.Many2one('account.payment.term', check_company=True)
    auto_post = fields.Boolean(string="Post Automatically", default=True)
    include_lines = fields.Boolean(
        help="Also insert these lines on the agreement.")
    line_ids = fields.One2many('autofaktura.standard.line', 'standard_id', string="Lines", copy=True)

    _personal_standard_uniq = models.UniqueIndex(
        "(user_id, company_id) WHERE user_id IS NOT NULL",
        "A user has one personal standard per company.",
    )

    @api.constrains('interval_number')
    def _check_interval_number(self):
        for standard in self:
            if standard.interval_number < 1:
                raise UserError(self.env._("The invoicing interval must be at least 1."))

    @api.model
    def _get_personal(self, company=None):
        company = company or self.env.company
        return self.search([('user_id', '=', self.env.uid), ('company_id', '=', company.id)], limit=1)

    def _values_for_subscription(self, subscription):
        """The values the standard puts on an agreement (lines replace the agreement's lines)."""
        self.ensure_one()
        values = {}
        for name in STANDARD_FIELDS:
            value = self[name]
            if name in ('interval_number', 'auto_post'):
                values[name] = value
            elif value:
                values[name] = value.id if isinstance(value, models.BaseModel) else value
        if self.include_lines and self.line_ids:
            values['line_ids'] = [Command.clear()] + [
                Command.create(line._values_for_subscription_line()) for line in self.line_ids]
        return values
