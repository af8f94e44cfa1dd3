from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import AutofakturaCommon


@tagged('post_install', '-at_install')
class TestSubscription(AutofakturaCommon):

    def test_number_from_sequence_unique_and_never_reused(self):
        first = self._create_subscription()
        second = self._create_subscription()
        self.assertTrue(first.name.startswith('AB'))
        self.assertNotEqual(first.name, second.name)
        deleted_name = second.name
        second.unlink()
        third = self._create_subscription()
        self.assertNotIn(third.name, (first.name, deleted_name))
        copy = first.copy()
        self.assertNotIn(copy.name, (first.name, third.name))

    def test_defaults_from_company_and_partner(self):
        fiscal_position = self.env['account.fiscal.position'].create({'name': "EU B2B"})
        self.customer.with_company(self.company).property_account_position_id = fiscal_position
        subscription = self._create_subscription()
        self.assertEqual(subscription.company_id, self.company)
        self.assertEqual(subscription.journal_id.type, 'sale')
        self.assertEqual(subscription.journal_id.company_id, self.company)
        self.assertEqual(subscription.currency_id, self.company.currency_id)
        self.assertEqual(subscription.payment_term_id, self.env.ref('account.account_payment_term_30days'))
        self.assertEqual(subscription.fiscal_position_id, fiscal_position)
        self.assertEqual(subscription.state, 'draft')
        self.assertTrue(subscription.auto_post)
        self.assertEqual(subscription.agreement_type_id, self.env.ref('elmer_autofaktura.agreement_type_subscription'))

    def test_line_taxes_default_from_product_and_fiscal_position(self):
        subscription = self._create_subscription(lines=[{'product_id': self.newspaper.id}])
        line = subscription.line_ids
        self.assertEqual(line.tax_ids, self.newspaper.taxes_id._filter_taxes_by_company(self.company))
        self.assertEqual(line.price_unit, 249.0)
        self.assertIn("Avis", line.name)

        other_tax = self.tax_sale_a.copy({'name': "Reduced"})
        mapping = self.env['account.fiscal.position'].create({'name': "Mapped"})
        other_tax.write({'fiscal_position_ids': [Command.set(mapping.ids)], 'original_tax_ids': [Command.set(self.tax_sale_a.ids)]})
        mapped = self._create_subscription(
            fiscal_position_id=mapping.id, lines=[{'product_id': self.product_a.id}])
        self.assertEqual(mapped.line_ids.tax_ids, other_tax)

    def test_shipped_agreement_types(self):
        names = set(self.env['autofaktura.agreement.type'].with_context(lang='en_US').search([]).mapped('name'))
        for expected in ("Subscription", "Service Agreement", "Membership", "Membership Fee",
                         "Support Agreement", "Software Subscription", "Lease", "Rental",
                         "Fixed Bonus Agreement", "Automatic Reorder"):
            self.assertIn(expected, names)
        own = self.env['autofaktura.agreement.type'].create({'name': "Vinklub"})
        self.assertEqual(self._create_subscription(agreement_type_id=own.id).agreement_type_id, own)

    def test_many_agreements_per_customer(self):
        subscriptions = self._create_subscription() | self._create_subscription() | self._create_subscription()
        self.assertEqual(self.customer.autofaktura_subscription_count, 3)
        action = self.customer.action_view_autofaktura_subscriptions()
        self.assertEqual(self.env['autofaktura.subscription'].search(action['domain']), subscriptions)

    # --- bad input -------------------------------------------------------

    def test_interval_below_one_is_refused(self):
        count = self.env['autofaktura.subscription'].search_count([])
        with self.assertRaisesRegex(ValidationError, "at least 1"):
            self._create_subscription(interval_number=0)
        self.assertEqual(self.env['autofaktura.subscription'].search_count([]), count)
        subscription = self._create_subscription()
        with self.assertRaises(ValidationError):
            subscription.interval_number = -2
        self.assertEqual(subscription.interval_number, 1)

    def test_only_sales_journals(self):
        with self.assertRaisesRegex(ValidationError, "sales journal"):
            self._create_subscription(journal_id=self.company_data['default_journal_purchase'].id)

    def test_end_before_start_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "end date"):
            self._create_subscription(date_end=fields.Date.to_date('2027-01-30'))

    def test_activating_without_lines_is_refused(self):
        subscription = self.env['autofaktura.subscription'].create({'partner_id': self.customer.id})
        with self.assertRaisesRegex(UserError, "at least one line"):
            subscription.action_activate()
        self.assertEqual(subscription.state, 'draft')

    def test_product_of_another_company_is_refused(self):
        other_company = self.setup_other_company()['company']
        foreign_product = self._create_product(name="Foreign", company_id=other_company.id)
        with self.assertRaises(UserError):
            self._create_subscription(lines=[{'product_id': foreign_product.id, 'price_unit': 10}])

    @freeze_time('2027-06-01')
    def test_reactivating_closed_agreement_after_its_end(self):
        subscription = self._create_subscription(date_end=fields.Date.to_date('2027-03-31'))
        subscription.action_activate()
        subscription.action_close()
        with self.assertRaisesRegex(UserError, "cannot be reactivated"):
            subscription.action_activate()
        self.assertEqual(subscription.state, 'closed')
        # extending the end date makes it possible again
        subscription.date_end = fields.Date.to_date('2027-12-31')
        subscription.action_activate()
        self.assertEqual(subscription.state, 'active')

    def test_period_grid_is_locked_once_invoiced(self):
        subscription = self._create_subscription()
        with freeze_time('2027-01-31'):
            subscription.action_activate()
            self._run()
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            subscription.interval_unit = 'week'
        # changes that keep the grid are fine
        subscription.write({'interval_unit': 'month', 'date_end': fields.Date.to_date('2027-12-31')})

    def test_agreement_with_invoices_cannot_be_deleted(self):
        subscription = self._create_subscription()
        with freeze_time('2027-01-31'):
            subscription.action_activate()
            self._run()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            subscription.unlink()

    # --- states ------------------------------------------------------------

    def test_activation_sets_first_due_date(self):
        advance = self._create_subscription()
        arrears = self._create_subscription(invoicing_mode='arrears')
        (advance | arrears).action_activate()
        self.assertEqual(advance.state, 'active')
        self.assertEqual(advance.next_invoice_date, fields.Date.to_date('2027-01-31'))
        self.assertEqual(arrears.next_invoice_date, fields.Date.to_date('2027-02-28'))

    def test_pause_resume_close(self):
        subscription = self._create_subscription()
        with self.assertRaises(UserError):
            subscription.action_pause()
        subscription.action_activate()
        subscription.action_pause()
        self.assertEqual(subscription.state, 'paused')
        with self.assertRaises(UserError):
            subscription.action_pause()
        with freeze_time('2027-01-15'):
            subscription.action_resume()
        self.assertEqual(subscription.state, 'active')
        self.assertEqual(subscription.next_invoice_date, fields.Date.to_date('2027-01-31'))
        subscription.action_close()
        self.assertEqual(subscription.state, 'closed')
        with self.assertRaises(UserError):
            subscription.action_resume()

    def test_form_fills_defaults(self):
        with Form(self.env['autofaktura.subscription']) as form:
            form.partner_id = self.customer
            form.date_start = fields.Date.to_date('2027-03-15')
            form.invoicing_mode = 'arrears'
            form.interval_unit = 'week'
            with form.line_ids.new() as line:
                line.product_id = self.newspaper
            self.assertEqual(form.next_invoice_date, fields.Date.to_date('2027-03-22'))
        subscription = form.record
        self.assertEqual(subscription.line_ids.price_unit, 249.0)
        self.assertTrue(subscription.journal_id)
