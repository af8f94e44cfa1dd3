from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import AutofakturaCommon
from ..tools import fik


@tagged('post_install', '-at_install')
class TestFikPaymentReference(AutofakturaCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.previous_model = cls.journal.invoice_reference_model
        cls.journal.write({'autofaktura_fik_type': '71', 'autofaktura_fik_creditor': '81234567'})

    def _invoice(self, journal=None, partner=None, post=True, **vals):
        invoice = self.env['account.move'].create({
            'move_type': 'out_invoice',
            'partner_id': (partner or self.customer).id,
            'journal_id': (journal or self.journal).id,
            'invoice_date': fields.Date.to_date('2027-01-31'),
            'invoice_line_ids': [Command.create({'product_id': self.newspaper.id, 'price_unit': 2344.0,
                                                 'tax_ids': [Command.clear()]})],
            **vals,
        })
        if post:
            invoice.action_post()
        return invoice

    def test_plus_71_code_on_posted_invoice(self):
        self.assertEqual(self.journal.invoice_reference_model, 'autofaktura_fik')
        invoice = self._invoice()
        card_type, payment_id, creditor = fik.parse_code_line(invoice.payment_reference)
        self.assertEqual((card_type, creditor), ('71', '81234567'))
        self.assertRegex(invoice.payment_reference, r'^\+71<\d{15}\+81234567<$')
        self.assertTrue(fik.is_valid_payment_id(payment_id, '71'))
        self.assertEqual(invoice.autofaktura_fik_code, invoice.payment_reference)
        self.assertEqual(invoice.autofaktura_fik_payment_id, payment_id)
        self.assertEqual(invoice.autofaktura_fik_type, '71')
        self.assertEqual(invoice.autofaktura_fik_creditor, '81234567')
        digits = ''.join(c for c in invoice.name if c.isdigit()).lstrip('0')
        self.assertTrue(payment_id[:-1].endswith(digits))
        # the receivable line carries the code: Odoo matches payments against it
        receivable = invoice.line_ids.filtered(lambda line: line.account_id.account_type == 'asset_receivable')
        self.assertEqual(receivable.name, invoice.payment_reference)

    def test_payment_ids_unique_across_journals(self):
        other_journal = self.journal.copy({'name': "Faktura 2", 'code': 'FKU'})
        other_journal.write({'autofaktura_fik_type': '71', 'autofaktura_fik_creditor': '81234567'})
        first = self._invoice()
        second = self._invoice(journal=other_journal)
        self.assertEqual(''.join(filter(str.isdigit, first.name)), ''.join(filter(str.isdigit, second.name)))
        self.assertNotEqual(first.autofaktura_fik_payment_id, second.autofaktura_fik_payment_id)

    def test_clearing_restores_previous_reference(self):
        self.journal.write({'autofaktura_fik_type': False, 'autofaktura_fik_creditor': False})
        self.assertEqual(self.journal.invoice_reference_model, self.previous_model)
        invoice = self._invoice()
        self.assertNotIn('81234567', invoice.payment_reference)

    def test_creditor_validation(self):
        for bad in ('8123456', '812345678', '8123456a', ''):
            with self.assertRaises(ValidationError):
                self.journal.write({'autofaktura_fik_creditor': bad or False, 'autofaktura_fik_type': '71'})
        self.journal.invalidate_recordset()
        self.journal.autofaktura_fik_creditor = '8123 4567'
        self.assertEqual(self.journal.autofaktura_fik_creditor, '81234567')
        giro = self.journal.copy({'name': "Giro", 'code': 'GIRO'})
        giro.write({'autofaktura_fik_type': '01', 'autofaktura_fik_creditor': '1234567'})
        with self.assertRaisesRegex(ValidationError, "7 or 8"):
            giro.autofaktura_fik_creditor = '123456'
        self.company.autofaktura_fik_require_leading_8 = True
        with self.assertRaisesRegex(ValidationError, "start with 8"):
            self.journal.autofaktura_fik_creditor = '71234567'

    def test_card_type_without_payment_id(self):
        self.journal.autofaktura_fik_type = '73'
        invoice = self._invoice()
        self.assertEqual(invoice.payment_reference, '+73<+81234567<')
        self.assertFalse(invoice.autofaktura_fik_payment_id)

    def test_sixteen_digit_types(self):
        self.journal.autofaktura_fik_type = '75'
        invoice = self._invoice()
        self.assertRegex(invoice.payment_reference, r'^\+75<\d{16}\+81234567<$')
        self.assertTrue(fik.is_valid_payment_id(invoice.autofaktura_fik_payment_id, '75'))

    def test_based_on_customer(self):
        self.journal.invoice_reference_type = 'partner'
        self.customer.ref = "KUNDE-4711"
        first, second = self._invoice(), self._invoice()
        self.assertEqual(first.payment_reference, second.payment_reference)
        self.assertEqual(first.autofaktura_fik_payment_id, fik.make_payment_id('4711', '71'))

    def test_based_on_customer_without_reference(self):
        self.journal.invoice_reference_type = 'partner'
        self.customer.ref = False
        invoice = self._invoice(post=False)
        with self.assertRaisesRegex(UserError, "no reference with digits"):
            invoice.action_post()
        self.assertEqual(invoice.state, 'draft')

    def test_invoice_number_too_long_for_card_type(self):
        invoice = self._invoice(post=False, name='INV/2027/0000123456789')
        with self.assertRaisesRegex(UserError, "room for at most 11"):
            invoice.action_post()
        self.assertEqual(invoice.state, 'draft')
        self.assertFalse(invoice.payment_reference)

    def test_fik_only_on_sales_journals(self):
        with self.assertRaises(ValidationError):
            self.company_data['default_journal_purchase'].write(
                {'autofaktura_fik_type': '71', 'autofaktura_fik_creditor': '81234567'})

    def test_search_by_bare_payment_id(self):
        invoice = self._invoice()
        self._invoice()
        payment_id = invoice.autofaktura_fik_payment_id
        self.assertEqual(self.env['account.move'].search([('payment_reference', 'ilike', payment_id)]), invoice)
        self.assertEqual(self.env['account.move'].search([('autofaktura_fik_payment_id', '=', payment_id)]), invoice)
        found = self.env['account.move'].name_search(payment_id)
        self.assertEqual([row[0] for row in found], [invoice.id])

    def test_company_defaults_reach_journals(self):
        self.journal.write({'autofaktura_fik_type': False, 'autofaktura_fik_creditor': False})
        settings = self.env['res.config.settings'].with_company(self.company).create({
            'autofaktura_fik_type': '75', 'autofaktura_fik_creditor': '87654321'})
        settings.execute()
        self.assertEqual(self.journal.autofaktura_fik_type, '75')
        self.assertEqual(self.journal.invoice_reference_model, 'autofaktura_fik')
        new_journal = self.env['account.journal'].create({
            'name': "Abonnementer", 'code': 'ABN', 'type': 'sale', 'company_id': self.company.id})
        self.assertEqual(new_journal.autofaktura_fik_creditor, '87654321')

    def test_pdf_payment_block_danish(self):
        invoice = self._invoice()
        html = self.env['ir.actions.report']._render_qweb_html(
            'account.report_invoice', invoice.ids)[0].decode()
        self.assertIn('autofaktura_fik_payment', html)
        self.assertIn(invoice.autofaktura_fik_code.replace('<', '&lt;'), html)
        for label in ("Kortart", "Betalings-ID", "Kreditornummer"):
            self.assertIn(label, html)
        self.assertIn('data:image/png;base64,', html)
        self.assertIn('access_token=', invoice._autofaktura_portal_url())

    def test_pdf_payment_block_english(self):
        invoice = self._invoice(partner=self.english_customer)
        html = self.env['ir.actions.report']._render_qweb_html(
            'account.report_invoice', invoice.ids)[0].decode()
        for label in ("Card type", "Payment ID", "Creditor number"):
            self.assertIn(label, html)

    @freeze_time('2027-01-31')
    def test_autofaktura_invoices_carry_the_code(self):
        subscription = self._create_subscription()
        subscription.action_activate()
        self._run()
        invoice = self._invoices(subscription)
        self.assertEqual(invoice.state, 'posted')
        self.assertTrue(fik.is_valid_payment_id(invoice.autofaktura_fik_payment_id, '71'))

    @freeze_time('2027-01-31')
    def test_fik_failure_isolated_in_the_run(self):
        self.journal.invoice_reference_type = 'partner'
        no_ref = self.env['res.partner'].create({'name': "Uden kundenummer"})
        with_ref = self.env['res.partner'].create({'name': "Med kundenummer", 'ref': '1001'})
        bad = self._create_subscription(partner_id=no_ref.id)
        good = self._create_subscription(partner_id=with_ref.id)
        (bad | good).action_activate()
        self._run()
        self.assertEqual(len(self._invoices(good)), 1)
        self.assertFalse(self.env['account.move'].search([('autofaktura_subscription_id', '=', bad.id)]))
        self.assertIn("no reference with digits", bad.invoicing_error)

    def test_code_line_from_l10n_dk_fik(self):
        if 'l10n_dk_fik_creditor_number' not in self.env['account.journal']._fields:
            self.skipTest("l10n_dk_fik is not installed")
        journal = self.journal.copy({'name': "Odoo FIK", 'code': 'OFIK'})
        journal.write({'autofaktura_fik_type': False, 'autofaktura_fik_creditor': False})
        journal.write({'invoice_reference_model': 'dk_fik_71', 'l10n_dk_fik_creditor_number': '81234567'})
        self.assertFalse(journal.autofaktura_fik_type)
        invoice = self._invoice(journal=journal)
        self.assertTrue(invoice.payment_reference.startswith('+71<'))
        self.assertEqual(invoice.autofaktura_fik_type, '71')
        self.assertTrue(fik.is_valid_payment_id(invoice.autofaktura_fik_payment_id, '71'))
        html = self.env['ir.actions.report']._render_qweb_html(
            'account.report_invoice', invoice.ids)[0].decode()
        self.assertIn('autofaktura_fik_payment', html)

    def _statement_line(self, label, amount):
        return self.env['account.bank.statement.line'].create({
            'journal_id': self.company_data['default_journal_bank'].id,
            'date': fields.Date.to_date('2027-02-10'),
            'payment_ref': label,
            'amount': amount,
        })

    def test_statement_line_with_bare_payment_id_pays_the_invoice(self):
        invoice = self._invoice()
        other = self._invoice()
        line = self._statement_line(f"FI-indbetaling {invoice.autofaktura_fik_payment_id}", 2344.0)
        self.assertTrue(line.is_reconciled)
        self.assertEqual(line.partner_id, self.customer)
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        self.assertEqual(other.payment_state, 'not_paid')

    def test_statement_line_partial_and_unknown_ids(self):
        invoice = self._invoice()
        partial = self._statement_line(invoice.autofaktura_fik_payment_id, 1000.0)
        self.assertTrue(partial.is_reconciled)
        self.assertEqual(invoice.payment_state, 'partial')
        self.assertAlmostEqual(invoice.amount_residual, 1344.0)
        # a wrong check digit or an ID no invoice has is left for the user
        wrong = invoice.autofaktura_fik_payment_id[:-1] + str((int(invoice.autofaktura_fik_payment_id[-1]) + 1) % 10)
        self.assertFalse(self._statement_line(wrong, 1344.0).is_reconciled)
        self.assertFalse(self._statement_line(fik.make_payment_id('99999', '71'), 1344.0).is_reconciled)
        self.assertEqual(invoice.payment_state, 'partial')

    def test_mail_merge_values(self):
        invoice = self._invoice()
        self.assertEqual(invoice.autofaktura_due_date_text, '02-03-2027')
        self.assertIn('2.344,00', invoice.autofaktura_amount_text)
        english = self._invoice(partner=self.english_customer)
        self.assertIn('2,344.00', english.autofaktura_amount_text)
        template = self.env['mail.template'].create({
            'name': "FIK test", 'model_id': self.env['ir.model']._get_id('account.move'),
            'subject': "{{ object.autofaktura_fik_code }} {{ object.autofaktura_fik_payment_id }} "
                       "{{ object.autofaktura_fik_creditor }} {{ object.autofaktura_amount_text }} "
                       "{{ object.autofaktura_due_date_text }}",
        })
        subject = template._render_field('subject', invoice.ids)[invoice.id]
        self.assertIn(invoice.payment_reference, subject)
        self.assertIn('81234567', subject)
        self.assertIn('02-03-2027', subject)
