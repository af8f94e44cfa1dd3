from odoo import fields, models
from odoo.tools.misc import format_date


class ResPartner(models.Model):
    _inherit = 'res.partner'

    autofaktura_subscription_ids = fields.One2many(
        'autofaktura.subscription', 'partner_id', string="AutoFaktura Agreements")
    autofaktura_subscription_count = fields.Integer(
        string="Agreements", compute='_compute_autofaktura_subscription_count')
    autofaktura_delivery_method = fields.Selection(
        selection=[('email', "Email"), ('letter', "Letter"), ('email_letter', "Email and letter")],
        string="Preferred Invoice Delivery",
        help="How new AutoFaktura agreements of this customer deliver invoices by default.")
    autofaktura_invoicing_blocked = fields.Boolean(
        string="Blocked for Automatic Invoicing", company_dependent=True,
        help="The invoicing run skips this customer's agreements and shows why on each of them.")

    def _compute_autofaktura_subscription_count(self):
        counts = dict(self.env['autofaktura.subscription']._read_group(
            [('partner_id', 'child_of', self.commercial_partner_id.ids)],
            ['partner_id'], ['__count']))
        for partner in self:
            partner.autofaktura_subscription_count = sum(
                count for p, count in counts.items() if p.commercial_partner_id == partner.commercial_partner_id)

    def action_view_autofaktura_subscriptions(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id(
            'elmer_autofaktura.action_autofaktura_subscription')
        action['domain'] = [('partner_id', 'child_of', self.commercial_partner_id.id)]
        action['context'] = {'default_partner_id': self.id}
        return action

    def _autofaktura_lang(self):
        """The customer's language if it is installed, else the user's."""
        self.ensure_one()
        installed = dict(self.env['res.lang'].get_installed())
        return self.lang if self.lang in installed else self.env.lang or 'en_US'

    def _autofaktura_format_date(self, value):
        """A date as this customer reads it: 31-01-2027 in Danish (as Danish invoices write
        it), the language's own format otherwise."""
        self.ensure_one()
        lang = self._autofaktura_lang()
        date_format = 'dd-MM-yyyy' if lang.startswith('da') else False
        return format_date(self.env, value, lang_code=lang, date_format=date_format)
