from odoo import fields, models
from odoo.exceptions import ValidationError

from ..tools import fik
from .account_journal import FIK_CARD_TYPES


class ResCompany(models.Model):
    _inherit = 'res.company'

    autofaktura_fik_type = fields.Selection(
        FIK_CARD_TYPES, string="Default FI-kort Type",
        help="FI-kort type given to new sales journals (and to existing ones without their own).")
    autofaktura_fik_creditor = fields.Char(string="Default FI Creditor Number")
    autofaktura_delivery_method = fields.Selection(
        selection=[('email', "Email"), ('letter', "Letter"), ('email_letter', "Email and letter")],
        string="Default Invoice Delivery",
        help="Delivery method of new agreements whose customer has no preference. Empty: by email "
             "when the customer has an email address, else by letter.")
    autofaktura_mail_template_id = fields.Many2one(
        'mail.template', string="Default Invoice Email", domain="[('model', '=', 'account.move')]",
        help="Email template of new agreements; empty: the shipped AutoFaktura template.")
    autofaktura_fik_require_leading_8 = fields.Boolean(
        string="FI Creditor Numbers Start with 8",
        help="Refuse FI creditor numbers that do not start with 8, as the banks issue them.")

    def _autofaktura_validate_fik_creditor(self, number, card_type):
        """The compact creditor number, or a ValidationError telling what is wrong."""
        self.ensure_one()
        try:
            return fik.validate_creditor(
                number, card_type, require_leading_8=self.autofaktura_fik_require_leading_8)
        except fik.FIKError as error:
            raise ValidationError(self._autofaktura_fik_error_text(error)) from None

    def _autofaktura_fik_error_text(self, error):
        """The translated, user-facing text of an error of the FI-kort module."""
        params = dict(error.params)
        code = error.code
        if code.startswith('creditor_'):
            params['name'] = (self.env._("giro account") if 'giro' in params.get('name', '')
                              else self.env._("FI creditor number"))
        messages = {
            'unknown_card_type': lambda: self.env._(
                "%(card_type)s is not an FI-kort type. Valid types are +71, +73, +75, +01, +04 and +15.",
                card_type=params.get('card_type')),
            'card_type_without_id': lambda: self.env._(
                "FI-kort type +%(card_type)s has no payment ID.", card_type=params.get('card_type')),
            'reference_without_digits': lambda: self.env._(
                "%(reference)s contains no digits, so no FI-kort payment ID can be made from it.",
                reference=params.get('reference')),
            'reference_too_long': lambda: self.env._(
                "%(reference)s has %(count)s digits, but an FI-kort +%(card_type)s payment ID has room "
                "for at most %(allowed)s. Use a shorter invoice number sequence or another card type.",
                **{key: params.get(key) for key in ('reference', 'count', 'card_type', 'allowed')}),
            'creditor_missing': lambda: self.env._("The %(name)s is missing.", name=params['name']),
            'creditor_not_digits': lambda: self.env._(
                "The %(name)s %(number)s may only contain digits.", name=params['name'],
                number=params.get('number')),
            'creditor_length': lambda: self.env._(
                "The %(name)s %(number)s has %(count)s digits; FI-kort +%(card_type)s needs %(needed)s.",
                name=params['name'], number=params.get('number'), count=params.get('count'),
                card_type=params.get('card_type'),
                needed=self.env._("8 digits") if params.get('needed', '').startswith('exactly')
                else self.env._("7 or 8 digits")),
            'creditor_leading_8': lambda: self.env._(
                "The FI creditor number %(number)s must start with 8.", number=params.get('number')),
        }
        message = messages.get(code)
        return message() if message else self.env._("Invalid FI-kort code: %(error)s", error=str(error))
