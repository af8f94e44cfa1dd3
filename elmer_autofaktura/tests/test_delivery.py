import re

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import AutofakturaCommon

D = fields.Date.to_date


@tagged('post_install', '-at_install')
class TestDelivery(AutofakturaCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.journal.write({'autofaktura_fik_type': '71', 'autofaktura_fik_creditor': '81234567'})
        cls.customer.write({'street': "Vestergade 12", 'zip': "8000", 'city': "Aarhus C"})
        cls.english_customer.write({'email': "john@example.com", 'street': "1 High Street",
                                    'zip': "SW1", 'city': "London", 'country_id': cls.env.ref('base.uk').id})
        cls.company.email = "faktura@elmer.example.dk"

    def _invoice_and_deliver(self, **vals):
        subscription = self._create_subscription(**vals)
        subscription.action_activate()
        with freeze_time('2027-01-31'):
            self._run()
            self.env['autofaktura.subscription']._cron_deliver()
        return subscription, self._invoices(subscription)

    def _mails(self, invoice):
        return self.env['mail.mail'].search([('model', '=', 'account.move'), ('res_id', '=', invoice.id)])

    def _events(self, invoice):
        return self.env['autofaktura.log'].search([('move_id', '=', invoice.id)], order='id').mapped('event')

    def test_email_in_danish_with_archived_pdf(self):
        subscription, invoice = self._invoice_and_deliver(lines=[{'product_id': self.newspaper.id,
                                                                  'price_unit': 2344.0, 'tax_ids': []}])
        self.assertEqual(subscription.delivery_method, 'email')
        self.assertRegex(invoice.autofaktura_document_number, r'^DOK-2027-\d{6}$')
        attachment = invoice.invoice_pdf_report_id
        self.assertTrue(attachment)
        self.assertIn(invoice.autofaktura_document_number, attachment.name)
        self.assertIn("Faktura", attachment.name)
        self.assertIn(invoice.name.replace('/', '-'), attachment.name)
        self.assertIn("Tina Hansen", attachment.name)
        self.assertTrue(attachment.name.endswith('.pdf'))
        mails = self._mails(invoice)
        self.assertEqual(len(mails), 1)
        body = mails.body_html
        self.assertIn("Hej Tina", body)
        self.assertIn("2.344,00", body)
        self.assertIn(invoice.autofaktura_due_date_text, body)
        self.assertIn(invoice.payment_reference.replace('<', '&lt;'), body)
        self.assertEqual(mails.attachment_ids.mapped('name'), [attachment.name])
        self.assertEqual(mails.attachment_ids.raw, attachment.raw, "the mailed PDF is the archived one")
        self.assertIn(self.customer, mails.recipient_ids)
        self.assertEqual(invoice.autofaktura_delivery_state, 'done')
        self.assertTrue(invoice.autofaktura_emailed_date)
        self.assertEqual(invoice.autofaktura_letter_state, 'none')
        self.assertTrue(invoice.message_ids.filtered(lambda m: m.message_type == 'comment' and 'Tina' in (m.body or '')))
        self.assertEqual(self._events(invoice), ['created', 'posted', 'archived', 'emailed'])
        self.assertEqual(subscription.document_count, 1)
        documents = self.env['ir.attachment'].search(subscription.action_view_documents()['domain'])
        self.assertEqual(documents, attachment)
        logs = self.env['autofaktura.log'].search([('move_id', '=', invoice.id)])
        self.assertTrue(all(log.subscription_id == subscription for log in logs))
        self.assertEqual(set(logs.filtered(lambda l: l.event in ('archived', 'emailed')).mapped('document_number')),
                         {invoice.autofaktura_document_number})

    def test_email_in_english(self):
        _subscription, invoice = self._invoice_and_deliver(partner_id=self.english_customer.id)
        body = self._mails(invoice).body_html
        self.assertIn("Hello John", body)
        self.assertIn("Invoice", invoice.invoice_pdf_report_id.name)

    def test_nothing_delivered_twice(self):
        _subscription, invoice = self._invoice_and_deliver()
        attachment = invoice.invoice_pdf_report_id
        invoice.autofaktura_delivery_state = 'pending'  # as if a run had stopped before marking it
        with freeze_time('2027-02-01'):
            self.env['autofaktura.subscription']._cron_deliver()
            self.env['autofaktura.subscription']._cron_deliver()
        self.assertEqual(len(self._mails(invoice)), 1, "a mail is queued once per invoice")
        self.assertEqual(invoice.invoice_pdf_report_id, attachment, "the stored PDF is never regenerated")
        self.assertEqual(self._events(invoice).count('archived'), 1)

    def test_letter_goes_to_the_print_queue(self):
        _subscription, invoice = self._invoice_and_deliver(delivery_method='letter')
        self.assertEqual(invoice.autofaktura_letter_state, 'to_print')
        self.assertFalse(self._mails(invoice))
        self.assertIn('queued_print', self._events(invoice))
        queue = self.env['account.move'].search([('autofaktura_letter_state', '=', 'to_print')])
        self.assertIn(invoice, queue)

    def test_no_email_address_becomes_a_letter(self):
        no_mail = self.env['res.partner'].create({
            'name': "Karen Jensen", 'street': "Nørregade 3", 'zip': "1165", 'city': "København K",
            'email': "karen at example", 'lang': 'da_DK'})
        subscription, invoice = self._invoice_and_deliver(partner_id=no_mail.id, delivery_method='email')
        self.assertEqual(invoice.autofaktura_letter_state, 'to_print')
        self.assertFalse(self._mails(invoice))
        log = self.env['autofaktura.log'].search([('move_id', '=', invoice.id), ('event', '=', 'queued_print')])
        self.assertIn("email", log.message)

    def test_default_delivery_method_from_customer(self):
        no_mail = self.env['res.partner'].create({'name': "Uden mail"})
        self.assertEqual(self._create_subscription(partner_id=no_mail.id).delivery_method, 'letter')
        self.assertEqual(self._create_subscription().delivery_method, 'email')
        no_mail.autofaktura_delivery_method = 'email_letter'
        self.assertEqual(self._create_subscription(partner_id=no_mail.id).delivery_method, 'email_letter')
        # company defaults from the settings
        own_template = self.env.ref('elmer_autofaktura.mail_template_autofaktura_invoice').copy()
        settings = self.env['res.config.settings'].with_company(self.company).create({
            'autofaktura_delivery_method': 'letter', 'autofaktura_mail_template_id': own_template.id})
        settings.execute()
        subscription = self._create_subscription()
        self.assertEqual(subscription.delivery_method, 'letter')
        self.assertEqual(subscription.mail_template_id, own_template)

    def test_email_and_letter(self):
        _subscription, invoice = self._invoice_and_deliver(delivery_method='email_letter')
        self.assertEqual(len(self._mails(invoice)), 1)
        self.assertEqual(invoice.autofaktura_letter_state, 'to_print')

    def test_failures_are_logged_and_retried(self):
        homeless = self.env['res.partner'].create({'name': "Ingen adresse", 'lang': 'da_DK'})
        subscription, invoice = self._invoice_and_deliver(partner_id=homeless.id, delivery_method='letter')
        self.assertEqual(invoice.state, 'posted', "the invoice stays posted")
        self.assertEqual(invoice.autofaktura_delivery_state, 'failed')
        self.assertIn("postal address", invoice.autofaktura_delivery_error)
        self.assertIn('failed', self._events(invoice))
        homeless.write({'street': "Torvet 1", 'zip': "4000", 'city': "Roskilde"})
        with freeze_time('2027-02-01'):
            self.env['autofaktura.subscription']._cron_deliver()
        self.assertEqual(invoice.autofaktura_delivery_state, 'done')
        self.assertEqual(invoice.autofaktura_letter_state, 'to_print')

    def test_broken_template_is_logged(self):
        broken = self.env.ref('elmer_autofaktura.mail_template_autofaktura_invoice').copy({
            'body_html': '<p><t t-out="object.no_such_field"/></p>'})
        good = self._create_subscription()
        _subscription, invoice = self._invoice_and_deliver(mail_template_id=broken.id)
        self.assertEqual(invoice.state, 'posted')
        self.assertEqual(invoice.autofaktura_delivery_state, 'failed')
        self.assertFalse(self._mails(invoice))
        self.assertTrue(invoice.invoice_pdf_report_id, "the archived PDF is kept")
        self.assertIsNotNone(good)

    def test_print_letters_as_one_pdf(self):
        subscription = self._create_subscription(delivery_method='letter')
        other = self._create_subscription(delivery_method='letter', partner_id=self.english_customer.id)
        (subscription | other).action_activate()
        with freeze_time('2027-01-31'), self.allow_pdf_render():
            self._run()
            self.env['autofaktura.subscription'].with_context(force_report_rendering=True)._cron_deliver()
        letters = self._invoices(other) | self._invoices(subscription)
        self.assertEqual(set(letters.mapped('autofaktura_letter_state')), {'to_print'})
        for letter in letters:
            self.assertTrue(letter.invoice_pdf_report_id.raw.startswith(b'%PDF'))
        action = letters.action_autofaktura_print_letters()
        self.assertEqual(action['type'], 'ir.actions.act_url')
        merged = self.env['ir.attachment'].browse(action['autofaktura_attachment_id'])
        self.assertTrue(merged.raw.startswith(b'%PDF'))
        self.assertEqual(len(re.findall(rb'/Type\s*/Page[^s]', merged.raw)), sum(
            len(re.findall(rb'/Type\s*/Page[^s]', letter.invoice_pdf_report_id.raw)) for letter in letters))
        for letter in letters:
            self.assertEqual(letter.autofaktura_letter_state, 'printed')
            self.assertEqual(letter.autofaktura_printed_user_id, self.env.user)
            self.assertTrue(letter.autofaktura_printed_date)
            self.assertIn('printed', self._events(letter))
        letters[:1].action_autofaktura_print_letters()
        self.assertIn('reprinted', self._events(letters[:1]))

    def test_print_without_letters(self):
        with self.assertRaises(UserError):
            self.env['account.move'].action_autofaktura_print_letters()

    def test_run_summaries_in_the_log(self):
        self._invoice_and_deliver()
        summaries = self.env['autofaktura.log'].search([('event', '=', 'run')])
        self.assertTrue(any('Invoicing run' in m or 'Fakturering' in m for m in summaries.mapped('message')))
        self.assertTrue(any('Delivery run' in m or 'Levering' in m for m in summaries.mapped('message')))

    def test_customized_text_and_preview(self):
        subscription, invoice = self._invoice_and_deliver()
        shared = subscription.mail_template_id
        action = subscription.action_customize_mail_template()
        own = subscription.mail_template_id
        self.assertNotEqual(own, shared)
        self.assertEqual(action['res_id'], own.id)
        own.subject = "Din avis: {{ object.name }}"
        self.assertNotEqual(shared.subject, own.subject)
        preview = subscription.action_preview_mail()
        wizard = self.env[preview['res_model']].with_context(**preview['context']).create({})
        self.assertIn(invoice.name, wizard.subject)

    def test_log_is_read_only_for_users(self):
        self._invoice_and_deliver()
        user = self.env['res.users'].create({
            'name': "Bogholder", 'login': 'bogholder@example.dk',
            'group_ids': [fields.Command.link(self.env.ref('account.group_account_invoice').id)],
            'company_ids': [fields.Command.set(self.company.ids)], 'company_id': self.company.id,
        })
        log = self.env['autofaktura.log'].with_user(user).search([], limit=1)
        self.assertTrue(log)
        with self.assertRaises(Exception):
            log.write({'message': "changed"})
        with self.assertRaises(Exception):
            log.unlink()

    def test_refused_email_is_logged_and_sent_again(self):
        _subscription, invoice = self._invoice_and_deliver()
        mail = self._mails(invoice)
        mail._postprocess_sent_message(
            success_pids=self.env['res.partner'], success_emails=[],
            failure_reason="550 5.1.1 mailbox unavailable", failure_type='mail_email_invalid')
        self.assertEqual(invoice.autofaktura_delivery_state, 'failed')
        self.assertIn("550", invoice.autofaktura_delivery_error)
        self.assertIn("550", self.env['autofaktura.log'].search(
            [('move_id', '=', invoice.id), ('event', '=', 'failed')]).message)
        with freeze_time('2027-02-01'):
            self.env['autofaktura.subscription']._cron_deliver()
        self.assertEqual(len(self._mails(invoice)), 2, "queued again after the refusal")
        self.assertEqual(invoice.autofaktura_delivery_state, 'done')

    def test_mail_server_down_keeps_the_email_queued(self):
        _subscription, invoice = self._invoice_and_deliver()
        mail = self._mails(invoice)
        self.assertEqual(mail.state, 'outgoing', "queued, not sent on the spot")
        # what Odoo does when it cannot connect to the mail server
        mail.write({'state': 'exception', 'failure_reason': "Connection refused"})
        mail._postprocess_sent_message(success_pids=[], success_emails=[], failure_type='mail_smtp')
        self.assertEqual(mail.state, 'outgoing', "kept in the queue, sent when the server answers")
        self.assertEqual(invoice.autofaktura_delivery_state, 'done')
        self.assertEqual(len(self._mails(invoice)), 1)
        self.assertIn("Connection refused", self.env['autofaktura.log'].search(
            [('move_id', '=', invoice.id), ('event', '=', 'failed')]).message)

    def test_pdf_failure_keeps_the_invoice_posted(self):
        subscription = self._create_subscription()
        subscription.action_activate()
        with freeze_time('2027-01-31'):
            self._run()
            invoice = self._invoices(subscription)
            report = self.env.ref('account.account_invoices')
            original = report.report_name
            report.report_name = 'elmer_autofaktura.no_such_template'
            self.env['autofaktura.subscription']._cron_deliver()
            self.assertEqual(invoice.state, 'posted')
            self.assertEqual(invoice.autofaktura_delivery_state, 'failed')
            self.assertFalse(self._mails(invoice))
            report.report_name = original
            self.env['autofaktura.subscription']._cron_deliver()
        self.assertEqual(invoice.autofaktura_delivery_state, 'done')
        self.assertEqual(len(self._mails(invoice)), 1)
