import base64
import io
import re

import qrcode

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools.image import image_data_uri
from odoo.tools.misc import format_date, formatLang

from ..tools import fik

# Width of the journal prefix in invoice-based payment IDs. Customer-based IDs use
# zeros there, so the two kinds (and the journals) can never give the same ID.
FIK_JOURNAL_DIGITS = 3


class AccountMove(models.Model):
    _inherit = 'account.move'
    # Customers quote the bare FI payment ID: let it find its invoice everywhere.
    _rec_names_search = ['name', 'partner_id.name', 'ref', 'autofaktura_fik_payment_id']

    autofaktura_subscription_id = fields.Many2one(
        'autofaktura.subscription', string="AutoFaktura Agreement", readonly=True, copy=False,
        index='btree_not_null', ondelete='restrict')
    autofaktura_period_start = fields.Date(string="Period Start", readonly=True, copy=False)
    autofaktura_period_end = fields.Date(string="Period End", readonly=True, copy=False)

    # Read from the payment reference, whichever module produced the code line
    # (AutoFaktura or l10n_dk_fik): the PDF, the mail merge, payment matching and the
    # e-invoice all work from these.
    autofaktura_fik_code = fields.Char(
        string="FI-kort Code", compute='_compute_autofaktura_fik',
        help="The FI-kort code line (kodelinje) of the payment reference, e.g. +71<000000000000018+81234567<.")
    autofaktura_fik_type = fields.Char(string="FI-kort Type", compute='_compute_autofaktura_fik')
    autofaktura_fik_payment_id = fields.Char(
        string="FI Payment ID", compute='_compute_autofaktura_fik', search='_search_autofaktura_fik_payment_id')
    autofaktura_fik_creditor = fields.Char(string="FI Creditor", compute='_compute_autofaktura_fik')

    # Mail-merge values, written as the customer reads them.
    autofaktura_amount_text = fields.Char(
        string="Amount to Pay (text)", compute='_compute_autofaktura_mail_merge',
        help="The amount still to pay, in the customer's language and the invoice currency.")
    autofaktura_due_date_text = fields.Char(
        string="Due Date (text)", compute='_compute_autofaktura_mail_merge')

    # Delivery: archived PDF with its document number, email and/or letter.
    autofaktura_document_number = fields.Char(
        string="Document Number", readonly=True, copy=False, index='btree_not_null',
        help="Unique number of the archived PDF of this invoice; its file name contains it.")
    autofaktura_delivery_state = fields.Selection(
        selection=[('pending', "To Deliver"), ('done', "Delivered"), ('failed', "Failed")],
        string="Delivery", readonly=True, copy=False, index='btree_not_null')
    autofaktura_delivery_error = fields.Text(string="Delivery Error", readonly=True, copy=False)
    autofaktura_emailed_date = fields.Datetime(string="Emailed On", readonly=True, copy=False)
    autofaktura_letter_state = fields.Selection(
        selection=[('none', "No Letter"), ('to_print', "To Print"), ('printed', "Printed")],
        string="Letter", default='none', readonly=True, copy=False, index=True)
    autofaktura_printed_date = fields.Datetime(string="Printed On", readonly=True, copy=False)
    autofaktura_printed_user_id = fields.Many2one('res.users', string="Printed By", readonly=True, copy=False)
    autofaktura_log_ids = fields.One2many('autofaktura.log', 'move_id', string="AutoFaktura Log")
    autofaktura_log_count = fields.Integer(compute='_compute_autofaktura_log_count', string="Log Lines")

    # A period is invoiced at most once: cancelling its invoice frees it again.
    _autofaktura_period_uniq = models.UniqueIndex(
        "(autofaktura_subscription_id, autofaktura_period_start) "
        "WHERE autofaktura_subscription_id IS NOT NULL AND state != 'cancel'",
        "This period of the agreement is already invoiced.",
    )
    _autofaktura_document_number_uniq = models.UniqueIndex(
        "(company_id, autofaktura_document_number) WHERE autofaktura_document_number IS NOT NULL",
        "This document number is already used.",
    )

    def button_cancel(self):
        result = super().button_cancel()
        for move in self.filtered(lambda m: m.autofaktura_subscription_id and m.state == 'cancel'):
            move.autofaktura_subscription_id.message_post(body=self.env._(
                "Invoice %(invoice)s for the period %(start)s – %(end)s was cancelled. The period is "
                "free again: use Invoice now to invoice it anew.",
                invoice=move.name or move.display_name,
                start=format_date(self.env, move.autofaktura_period_start),
                end=format_date(self.env, move.autofaktura_period_end)))
        return result

    # ------------------------------------------------------------------
    # FI-kort payment codes
    # ------------------------------------------------------------------

    def _compute_autofaktura_log_count(self):
        counts = dict(self.env['autofaktura.log']._read_group(
            [('move_id', 'in', self.ids)], ['move_id'], ['__count']))
        for move in self:
            move.autofaktura_log_count = counts.get(move, 0)

    @api.depends('payment_reference')
    def _compute_autofaktura_fik(self):
        for move in self:
            parts = fik.find_code_line(move.payment_reference or '') if move.payment_reference else None
            if parts:
                card_type, payment_id, creditor = parts
                move.autofaktura_fik_code = fik.format_code_line(card_type, payment_id, creditor)
                move.autofaktura_fik_type = card_type
                move.autofaktura_fik_payment_id = payment_id or False
                move.autofaktura_fik_creditor = creditor
            else:
                move.autofaktura_fik_code = move.autofaktura_fik_type = False
                move.autofaktura_fik_payment_id = move.autofaktura_fik_creditor = False

    def _post(self, soft=True):
        # Odoo computes the payment reference lazily, after posting. An FI-kort code that
        # cannot be made (customer without reference, number too long) must stop the posting
        # itself, with a message, before anything is written.
        fik_moves = self.filtered(lambda m: (
            m.move_type == 'out_invoice'
            and m.journal_id.invoice_reference_model == 'autofaktura_fik'
            and not m.payment_reference
        ))
        for move in fik_moves:
            if move.journal_id.invoice_reference_type == 'partner':
                move._get_invoice_reference_autofaktura_fik_partner()
            elif move.name and move.name != '/':
                move._get_invoice_reference_autofaktura_fik_invoice()
        posted = super()._post(soft=soft)
        for move in posted & fik_moves:
            if not move.payment_reference:
                move.payment_reference = move._get_invoice_computed_reference()
        return posted

    def _search_autofaktura_fik_payment_id(self, operator, value):
        if operator not in ('=', 'ilike') or not isinstance(value, str):
            return NotImplemented
        digits = re.sub(r'\D', '', value)
        if not digits:
            return Domain.FALSE
        # The ID stands between '<' and '+' in the code line kept as payment reference.
        pattern = f'<{digits}+' if operator == '=' else digits
        return Domain('payment_reference', 'like', pattern)

    @api.depends('amount_residual', 'amount_total', 'currency_id', 'invoice_date_due', 'partner_id.lang', 'state')
    def _compute_autofaktura_mail_merge(self):
        for move in self:
            partner = move.partner_id
            lang = partner._autofaktura_lang() if partner else self.env.lang
            amount = move.amount_residual if move.state == 'posted' else move.amount_total
            move.autofaktura_amount_text = formatLang(
                self.with_context(lang=lang).env, amount, currency_obj=move.currency_id)
            move.autofaktura_due_date_text = (
                partner._autofaktura_format_date(move.invoice_date_due)
                if partner and move.invoice_date_due else False)

    def _autofaktura_fik_code_line(self, reference_digits):
        """The code line of this invoice's journal for a payment ID built from ``reference_digits``."""
        self.ensure_one()
        journal = self.journal_id
        card_type, creditor = journal.autofaktura_fik_type, journal.autofaktura_fik_creditor
        company = self.company_id
        if not card_type or not creditor:
            raise UserError(self.env._(
                "Journal %(journal)s uses FI-kort payment references but has no FI-kort type or "
                "creditor number.", journal=journal.display_name))
        try:
            creditor = fik.validate_creditor(
                creditor, card_type, require_leading_8=company.autofaktura_fik_require_leading_8)
            length = fik.payment_id_length(card_type)
            if not length:
                return fik.format_code_line(card_type, None, creditor)
            payment_id = fik.make_payment_id(reference_digits, card_type)
            return fik.format_code_line(card_type, payment_id, creditor)
        except fik.FIKError as error:
            raise UserError(company._autofaktura_fik_error_text(error)) from None

    def _get_invoice_reference_autofaktura_fik_invoice(self):
        """Payment ID from the invoice number, prefixed by the journal: unique per company."""
        self.ensure_one()
        length = fik.payment_id_length(self.journal_id.autofaktura_fik_type or '71')
        if not length:
            return self._autofaktura_fik_code_line('')
        invoice_digits = re.sub(r'\D', '', self.name or '').lstrip('0') or '0'
        room = length - 1 - FIK_JOURNAL_DIGITS
        if len(invoice_digits) > room:
            raise UserError(self.env._(
                "Invoice number %(number)s has %(count)s digits, but an FI-kort +%(card_type)s payment "
                "ID has room for at most %(allowed)s. Use a shorter number sequence on journal "
                "%(journal)s or a card type with a longer payment ID.",
                number=self.name, count=len(invoice_digits), card_type=self.journal_id.autofaktura_fik_type,
                allowed=room, journal=self.journal_id.display_name))
        journal_digits = str(self.journal_id.id)
        if len(journal_digits) > FIK_JOURNAL_DIGITS:
            raise UserError(self.env._(
                "Journal %(journal)s cannot issue FI-kort payment IDs based on the invoice: use payment "
                "IDs based on the customer instead.", journal=self.journal_id.display_name))
        return self._autofaktura_fik_code_line(
            journal_digits.zfill(FIK_JOURNAL_DIGITS) + invoice_digits.zfill(room))

    def _get_invoice_reference_autofaktura_fik_partner(self):
        """Payment ID from the customer's reference: one standing ID for all its invoices."""
        self.ensure_one()
        length = fik.payment_id_length(self.journal_id.autofaktura_fik_type or '71')
        if not length:
            return self._autofaktura_fik_code_line('')
        customer = self.commercial_partner_id
        customer_digits = re.sub(r'\D', '', customer.ref or '').lstrip('0')
        room = length - 1 - FIK_JOURNAL_DIGITS
        if not customer_digits:
            raise UserError(self.env._(
                "Customer %(customer)s has no reference with digits, which FI-kort payment IDs based on "
                "the customer need. Enter the customer number as Reference on the customer's Sales & "
                "Purchase tab, then post again.", customer=customer.display_name))
        if len(customer_digits) > room:
            raise UserError(self.env._(
                "The reference %(reference)s of customer %(customer)s has %(count)s digits, but an "
                "FI-kort +%(card_type)s payment ID has room for at most %(allowed)s.",
                reference=customer.ref, customer=customer.display_name, count=len(customer_digits),
                card_type=self.journal_id.autofaktura_fik_type, allowed=room))
        return self._autofaktura_fik_code_line(customer_digits)

    def _autofaktura_portal_url(self):
        """Full address of this invoice in the customer portal (with its access token)."""
        self.ensure_one()
        return self.get_base_url() + self.get_portal_url()

    def _autofaktura_portal_qr_code(self):
        """A QR code (PNG data URI) that opens the invoice in the customer portal."""
        self.ensure_one()
        image = qrcode.make(self._autofaktura_portal_url(), box_size=6, border=2)
        buffer = io.BytesIO()
        image.save(buffer, format='PNG')
        return image_data_uri(base64.b64encode(buffer.getvalue()))

    def _autofaktura_fik_parts(self):
        """(card type, payment ID or None, creditor) of this invoice's FI-kort code, or None."""
        self.ensure_one()
        if not self.autofaktura_fik_type or self.move_type != 'out_invoice':
            return None
        return self.autofaktura_fik_type, self.autofaktura_fik_payment_id or None, self.autofaktura_fik_creditor

