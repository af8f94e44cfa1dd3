from odoo import api, fields, models
from odoo.exceptions import ValidationError

FIK_REFERENCE_MODEL = 'autofaktura_fik'

FIK_CARD_TYPES = [
    ('71', "+71 (payment ID, 15 digits)"),
    ('73', "+73 (no payment ID, message)"),
    ('75', "+75 (payment ID, 16 digits, message)"),
    ('01', "+01 (giro, no payment ID)"),
    ('04', "+04 (giro, payment ID, 16 digits)"),
    ('15', "+15 (giro, payment ID, 16 digits)"),
]


class AccountJournal(models.Model):
    _inherit = 'account.journal'

    invoice_reference_model = fields.Selection(
        selection_add=[(FIK_REFERENCE_MODEL, "FI-kort (AutoFaktura)")],
        ondelete={FIK_REFERENCE_MODEL: lambda journals: journals.write({'invoice_reference_model': 'odoo'})},
    )
    autofaktura_fik_type = fields.Selection(
        FIK_CARD_TYPES, string="FI-kort Type",
        help="Invoices of this journal carry an FI-kort payment code of this type as their "
             "payment reference.")
    autofaktura_fik_creditor = fields.Char(
        string="FI Creditor Number",
        help="Your FI creditor number (8 digits) for +71, +73 and +75, or your giro account "
             "(7-8 digits) for +01, +04 and +15.")
    # The reference model to restore when the FI-kort settings are cleared again.
    autofaktura_previous_reference_model = fields.Char(copy=False)

    @api.constrains('autofaktura_fik_type', 'autofaktura_fik_creditor')
    def _check_autofaktura_fik(self):
        for journal in self:
            if not journal.autofaktura_fik_type and not journal.autofaktura_fik_creditor:
                continue
            if journal.type != 'sale':
                raise ValidationError(self.env._(
                    "FI-kort payment codes can only be set on sales journals (%(journal)s).",
                    journal=journal.display_name))
            if not journal.autofaktura_fik_type or not journal.autofaktura_fik_creditor:
                raise ValidationError(self.env._(
                    "Journal %(journal)s needs both an FI-kort type and a creditor number.",
                    journal=journal.display_name))
            journal.company_id._autofaktura_validate_fik_creditor(
                journal.autofaktura_fik_creditor, journal.autofaktura_fik_type)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get('type', self.env.context.get('default_type')) == 'sale' \
                    and 'autofaktura_fik_type' not in vals:
                company = self.env['res.company'].browse(vals.get('company_id')) or self.env.company
                if company.autofaktura_fik_type and company.autofaktura_fik_creditor:
                    vals['autofaktura_fik_type'] = company.autofaktura_fik_type
                    vals['autofaktura_fik_creditor'] = company.autofaktura_fik_creditor
            self._autofaktura_normalise_fik_vals(vals)
        journals = super().create(vals_list)
        journals._autofaktura_sync_reference_model()
        return journals

    def write(self, vals):
        self._autofaktura_normalise_fik_vals(vals)
        result = super().write(vals)
        if {'autofaktura_fik_type', 'autofaktura_fik_creditor'} & vals.keys():
            self._autofaktura_sync_reference_model()
        return result

    @api.model
    def _autofaktura_normalise_fik_vals(self, vals):
        if vals.get('autofaktura_fik_creditor'):
            vals['autofaktura_fik_creditor'] = ''.join(vals['autofaktura_fik_creditor'].split())

    def _autofaktura_sync_reference_model(self):
        """FI-kort settings switch the journal's payment reference to FI-kort codes;
        clearing them restores the reference model used before."""
        for journal in self:
            configured = bool(journal.autofaktura_fik_type and journal.autofaktura_fik_creditor)
            if configured and journal.invoice_reference_model != FIK_REFERENCE_MODEL:
                journal.write({
                    'autofaktura_previous_reference_model': journal.invoice_reference_model,
                    'invoice_reference_model': FIK_REFERENCE_MODEL,
                })
            elif not configured and journal.invoice_reference_model == FIK_REFERENCE_MODEL:
                previous = journal.autofaktura_previous_reference_model
                valid = dict(journal._fields['invoice_reference_model'].get_description(self.env)['selection'])
                journal.write({
                    'invoice_reference_model': previous if previous in valid and previous != FIK_REFERENCE_MODEL
                    else 'odoo',
                    'autofaktura_previous_reference_model': False,
                })
