import re

from odoo import api, models
from odoo.fields import Domain

from ..tools import fik

# Danish banks report an FI-kort payment with its bare 15 or 16 digit payment ID.
FIK_PAYMENT_ID = re.compile(r'(?<!\d)(\d{15,16})(?!\d)')


class AccountBankStatementLine(models.Model):
    _inherit = 'account.bank.statement.line'

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._autofaktura_reconcile_fik_payments()
        return lines

    def _autofaktura_fik_payment_ids(self):
        """Valid FI payment IDs (check digit included) quoted in the statement line's label."""
        self.ensure_one()
        text = self.payment_ref or ''
        found = []
        code_line = fik.find_code_line(text)
        if code_line and code_line[1]:
            found.append(code_line[1])
        for candidate in FIK_PAYMENT_ID.findall(text):
            if candidate not in found and any(
                    fik.is_valid_payment_id(candidate, card_type) for card_type in ('71', '75', '04')):
                found.append(candidate)
        return found

    def _autofaktura_fik_invoices(self):
        """The open customer invoices of the company whose FI payment ID the line quotes."""
        self.ensure_one()
        payment_ids = self._autofaktura_fik_payment_ids()
        if not payment_ids:
            return self.env['account.move']
        return self.env['account.move'].search(Domain.AND([
            [('company_id', '=', self.company_id.id), ('move_type', '=', 'out_invoice'),
             ('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))],
            Domain.OR([Domain('autofaktura_fik_payment_id', '=', payment_id) for payment_id in payment_ids]),
        ]), order='invoice_date_due, id')

    def _autofaktura_reconcile_fik_payments(self):
        """Reconcile incoming payments that quote an invoice's FI payment ID with that invoice.

        A customer-based ID may stand on several open invoices of one customer: the payment
        settles them oldest first. Anything ambiguous (IDs of several customers, another
        currency) is left for the user."""
        for line in self.filtered(lambda l: not l.is_reconciled and l.amount > 0):
            invoices = line._autofaktura_fik_invoices()
            if not invoices or len(invoices.commercial_partner_id) != 1 \
                    or invoices.currency_id != line.currency_id:
                continue
            partner = invoices.commercial_partner_id
            if line.partner_id != partner:
                line.partner_id = partner
            _liquidity, suspense, _other = line.with_context(
                skip_account_move_synchronization=True)._seek_for_lines()
            receivables = invoices.line_ids.filtered(
                lambda l: l.account_type == 'asset_receivable' and not l.reconciled)
            if not suspense or len(receivables.account_id) != 1:
                continue
            suspense.with_context(skip_account_move_synchronization=True).write({
                'account_id': receivables.account_id.id,
                'partner_id': partner.id,
            })
            (suspense + receivables.sorted('date_maturity')).reconcile()
