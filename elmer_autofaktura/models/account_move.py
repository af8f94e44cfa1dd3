import base64
import io
import re

import qrcode

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools.image import image_data_uri
from odoo.tools import email_normalize, pdf
from odoo.tools.misc import format_date, formatLang

from ..tools import fik

# Width of the journal prefix in invoice-based payment IDs. Customer-based IDs use
# zeros there, so the two kinds (and the journals) can never give the same ID.
FIK_JOURNAL_DIGITS = 3
UNSAFE_FILE_NAME_CHARS = re.compile(r'[\\/:*?"<>|]')


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
    autofaktura_amount_words = fields.Char(
        string="Amount in Words", compute='_compute_autofaktura_mail_merge',
        help="The amount to pay written out in words, in the customer's language.")
    autofaktura_period_text = fields.Char(
        string="Period Covered", compute='_compute_autofaktura_mail_merge')
    autofaktura_agreement_type = fields.Char(
        string="Agreement Type Name", compute='_compute_autofaktura_mail_merge')

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
    autofaktura_first_name = fields.Char(
        string="Customer First Name", compute='_compute_autofaktura_first_name',
        help="For the greeting of the email: a person's first name, a company's name.")
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
        autofaktura = posted.filtered(lambda m: m.autofaktura_subscription_id and not m.autofaktura_delivery_state)
        if autofaktura:
            autofaktura.autofaktura_delivery_state = 'pending'
            self.env['autofaktura.log']._log('posted', self.env._("Posted in the journal"), moves=autofaktura)
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

    @api.depends('amount_residual', 'amount_total', 'currency_id', 'invoice_date_due', 'partner_id.lang', 'state',
                 'autofaktura_period_start', 'autofaktura_period_end', 'autofaktura_subscription_id')
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
            move.autofaktura_amount_words = move.currency_id.with_context(lang=lang).amount_to_text(amount) \
                if move.currency_id else False
            subscription = move.autofaktura_subscription_id
            move.autofaktura_period_text = (
                f"{partner._autofaktura_format_date(move.autofaktura_period_start)} – "
                f"{partner._autofaktura_format_date(move.autofaktura_period_end)}"
                if partner and move.autofaktura_period_start else False)
            move.autofaktura_agreement_type = subscription.agreement_type_id.with_context(lang=lang).name or False

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


    # ------------------------------------------------------------------
    # Delivery: archive, email, letter
    # ------------------------------------------------------------------

    def _get_invoice_report_filename(self, extension='pdf', report=None):
        # The archived PDF carries its document number, so it can be found from the log.
        if not self.autofaktura_document_number:
            return super()._get_invoice_report_filename(extension=extension, report=report)
        lang = self.partner_id._autofaktura_lang() if self.partner_id else self.env.lang
        label = self.with_context(lang=lang).env._("Invoice")
        parts = [self.autofaktura_document_number, label, (self.name or '').replace('/', '-'),
                 self.partner_id.name or '']
        name = ' '.join(part for part in parts if part)
        name = UNSAFE_FILE_NAME_CHARS.sub('', name)
        return f"{name}.{extension}"

    def _compute_autofaktura_first_name(self):
        for move in self:
            partner = move.partner_id
            name = (partner.name or '').strip() if partner and not partner.is_company else ''
            move.autofaktura_first_name = name.split()[0] if name else (partner.name or '')

    def _autofaktura_assign_document_number(self):
        for move in self.filtered(lambda m: not m.autofaktura_document_number):
            move.autofaktura_document_number = self.env['ir.sequence'].with_company(
                move.company_id).next_by_code('autofaktura.document')

    def _autofaktura_archive_pdf(self):
        """Store the invoice PDF once, through Odoo's own invoice sending machinery."""
        to_render = self.filtered(lambda m: not m.invoice_pdf_report_id)
        if not to_render:
            return
        self.env['account.move.send']._generate_and_send_invoices(
            to_render, sending_methods={'manual'}, invoice_edi_format=None, extra_edis=set(),
            allow_fallback_pdf=False)
        missing = to_render.filtered(lambda m: not m.invoice_pdf_report_id)
        if missing:
            raise UserError(self.env._(
                "The PDF of %(invoices)s could not be made. Check that wkhtmltopdf is installed and works.",
                invoices=", ".join(missing.mapped('name'))))
        for move in to_render:
            self.env['autofaktura.log']._log(
                'archived', self.env._("PDF archived as %(file)s", file=move.invoice_pdf_report_id.name),
                moves=move)

    def _autofaktura_email_address(self):
        """The customer's usable email address, or False."""
        self.ensure_one()
        return email_normalize(self.partner_id.email or '')

    def _autofaktura_has_postal_address(self):
        self.ensure_one()
        partner = self.partner_id
        return bool(partner.street and partner.city and (partner.zip or partner.country_id.code not in ('DK',)))

    def _autofaktura_send_email(self, subscription):
        """Queue the personal email with the archived PDF; it appears in the invoice's chatter."""
        self.ensure_one()
        template = subscription.mail_template_id or self.env.ref(
            'elmer_autofaktura.mail_template_autofaktura_invoice')
        author = subscription.user_id or self.env.user
        # Queued, not sent on the spot: the mail queue sends it (and keeps it while the server is down).
        self.env['account.move.send']._generate_and_send_invoices(
            self.with_context(mail_notify_force_send=False), sending_methods={'email'}, mail_template=template, invoice_edi_format=None,
            extra_edis=set(), mail_partner_ids=self.partner_id.ids,
            author_user_id=author.id, author_partner_id=author.partner_id.id)
        self.autofaktura_emailed_date = fields.Datetime.now()
        self.env['autofaktura.log']._log(
            'emailed', self.env._("Emailed to %(email)s", email=self.partner_id.email), moves=self)

    def _autofaktura_queue_letter(self, reason=''):
        self.ensure_one()
        if not self._autofaktura_has_postal_address():
            raise UserError(self.env._(
                "Customer %(customer)s has no postal address (street, postcode and city) for a letter.",
                customer=self.partner_id.display_name))
        self.autofaktura_letter_state = 'to_print'
        self.env['autofaktura.log']._log(
            'queued_print', reason or self.env._("Added to the print queue"), moves=self)

    def _autofaktura_archive(self):
        """Give the invoice its document number and store its PDF, once."""
        self.ensure_one()
        self._autofaktura_assign_document_number()
        self._autofaktura_archive_pdf()

    def _autofaktura_dispatch(self):
        """Email the archived invoice and/or queue it as a letter, as its agreement says. Each
        step happens once, however often the delivery is retried."""
        self.ensure_one()
        subscription = self.autofaktura_subscription_id
        method = subscription.delivery_method or 'email'
        wants_letter = method in ('letter', 'email_letter')
        letter_reason = ''
        if method in ('email', 'email_letter') and not self.autofaktura_emailed_date:
            if self._autofaktura_email_address():
                self._autofaktura_send_email(subscription)
            elif method == 'email':
                wants_letter = True
                letter_reason = self.env._(
                    "Sent as a letter: customer %(customer)s has no usable email address (%(email)s).",
                    customer=self.partner_id.display_name, email=self.partner_id.email or '-')
        if wants_letter and self.autofaktura_letter_state == 'none':
            self._autofaktura_queue_letter(letter_reason)
        self.write({'autofaktura_delivery_state': 'done', 'autofaktura_delivery_error': False})

    def _autofaktura_deliver(self):
        """Deliver one posted AutoFaktura invoice: archive it, then send it. The archive is kept
        even when sending fails (it is retried on the next run)."""
        self.ensure_one()
        for step in (self._autofaktura_archive, self._autofaktura_dispatch):
            with self.env.cr.savepoint():
                step()

    def _autofaktura_delivery_failed(self, error):
        self.ensure_one()
        subscription = self.autofaktura_subscription_id
        message = subscription._error_text(error)
        self.write({'autofaktura_delivery_state': 'failed', 'autofaktura_delivery_error': message})
        self.env['autofaktura.log']._log(
            'failed', self.env._("Delivery failed, retried on the next run: %(error)s", error=message),
            moves=self)

    # ------------------------------------------------------------------
    # Print queue and log
    # ------------------------------------------------------------------

    def action_autofaktura_print_letters(self):
        """One PDF of the archived invoices of these letters, in the order given (the order
        shown), merged from the stored files; the letters are then marked printed."""
        letters = self.filtered(lambda m: m.autofaktura_letter_state in ('to_print', 'printed'))
        if not letters:
            raise UserError(self.env._("Select the letters to print (invoices in the print queue)."))
        without_pdf = letters.filtered(lambda m: not m.invoice_pdf_report_id)
        if without_pdf:
            raise UserError(self.env._(
                "%(invoices)s have no archived PDF yet; they are printed once the delivery run has archived them.",
                invoices=", ".join(without_pdf.mapped('name'))))
        merged = pdf.merge_pdf([move.invoice_pdf_report_id.raw for move in letters])
        now = fields.Datetime.now()
        attachment = self.env['ir.attachment'].create({
            'name': self.env._("Letters %(date)s.pdf", date=fields.Datetime.context_timestamp(self, now).strftime('%Y-%m-%d %H.%M')),
            'raw': merged,
            'mimetype': 'application/pdf',
            'res_model': 'res.company',
            'res_id': letters[0].company_id.id,
        })
        for move in letters:
            reprint = move.autofaktura_letter_state == 'printed'
            self.env['autofaktura.log']._log(
                'reprinted' if reprint else 'printed',
                self.env._("Printed by %(user)s", user=self.env.user.name), moves=move)
        letters.write({
            'autofaktura_letter_state': 'printed',
            'autofaktura_printed_date': now,
            'autofaktura_printed_user_id': self.env.user.id,
        })
        return {
            'type': 'ir.actions.act_url',
            'url': f'/web/content/{attachment.id}?download=true',
            'target': 'download',
            'autofaktura_attachment_id': attachment.id,
        }

    def _compute_autofaktura_log_count(self):
        counts = dict(self.env['autofaktura.log']._read_group(
            [('move_id', 'in', self.ids)], ['move_id'], ['__count']))
        for move in self:
            move.autofaktura_log_count = counts.get(move, 0)

    def action_autofaktura_view_log(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('elmer_autofaktura.action_autofaktura_log')
        action['domain'] = [('move_id', '=', self.id)]
        return action
