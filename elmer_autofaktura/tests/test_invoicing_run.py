import psycopg2.errors

from odoo import Command, fields
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import AutofakturaCommon

D = fields.Date.to_date


@tagged('post_install', '-at_install')
class TestInvoicingRun(AutofakturaCommon):

    def test_catch_up_month_ends_one_invoice_per_period(self):
        subscription = self._create_subscription()
        subscription.action_activate()
        with freeze_time('2027-04-02'):
            result = self._run()
        invoices = self._invoices(subscription)
        self.assertEqual(result['invoices'], 3)
        self.assertEqual(
            [(m.autofaktura_period_start, m.autofaktura_period_end) for m in invoices],
            [(D('2027-01-31'), D('2027-02-27')), (D('2027-02-28'), D('2027-03-30')),
             (D('2027-03-31'), D('2027-04-29'))])
        for invoice in invoices:
            self.assertEqual(invoice.state, 'posted')
            self.assertEqual(invoice.invoice_date, D('2027-04-02'), "dated the day they are issued")
            self.assertEqual(invoice.invoice_date_due, D('2027-05-02'), "due date follows the payment terms")
            self.assertEqual(invoice.partner_id, self.customer)
            self.assertEqual(invoice.journal_id, subscription.journal_id)
            self.assertEqual(invoice.currency_id, subscription.currency_id)
            self.assertEqual(invoice.invoice_origin, subscription.name)
            self.assertEqual(invoice.amount_untaxed, 249.0)
            self.assertTrue(invoice.name.startswith(subscription.journal_id.code))
        # oldest period gets the lowest journal number
        self.assertEqual(invoices.sorted('name'), invoices)
        self.assertEqual(
            invoices[0].invoice_line_ids.name, "Avis, periode 31-01-2027 – 27-02-2027")
        self.assertEqual(subscription.next_invoice_date, D('2027-04-30'))
        self.assertEqual(subscription.invoice_ids, invoices)
        self.assertEqual(subscription.invoice_count, 3)

    def test_leap_year_and_english_period_label(self):
        subscription = self._create_subscription(
            partner_id=self.english_customer.id, date_start=D('2028-01-31'))
        subscription.action_activate()
        with freeze_time('2028-02-29'):
            self._run()
        invoices = self._invoices(subscription)
        self.assertEqual(invoices.mapped('autofaktura_period_start'), [D('2028-01-31'), D('2028-02-29')])
        self.assertEqual(invoices[1].invoice_line_ids.name, "Avis, period 02/29/2028 – 03/30/2028")

    def test_arrears_invoiced_the_day_after_the_period(self):
        subscription = self._create_subscription(
            invoicing_mode='arrears', interval_number=3, date_start=D('2027-01-01'))
        subscription.action_activate()
        with freeze_time('2027-03-31'):
            self._run()
        self.assertFalse(self._invoices(subscription))
        with freeze_time('2027-04-01'):
            self._run()
        invoice = self._invoices(subscription)
        self.assertEqual(len(invoice), 1)
        self.assertEqual((invoice.autofaktura_period_start, invoice.autofaktura_period_end),
                         (D('2027-01-01'), D('2027-03-31')))
        self.assertEqual(subscription.next_invoice_date, D('2027-07-01'))

    def test_weekly_and_every_ten_days(self):
        weekly = self._create_subscription(interval_unit='week', date_start=D('2027-01-04'))
        ten_days = self._create_subscription(interval_unit='day', interval_number=10, date_start=D('2027-01-04'))
        (weekly | ten_days).action_activate()
        with freeze_time('2027-01-31'):
            self._run()
        self.assertEqual(len(self._invoices(weekly)), 4)
        self.assertEqual(self._invoices(ten_days).mapped('autofaktura_period_start'),
                         [D('2027-01-04'), D('2027-01-14'), D('2027-01-24')])
        self.assertEqual(ten_days.next_invoice_date, D('2027-02-03'))

    def test_long_catch_up_in_one_run(self):
        subscription = self._create_subscription(interval_unit='week', date_start=D('2025-01-06'))
        subscription.action_activate()
        with freeze_time('2027-01-06'):
            self._run()
        invoices = self._invoices(subscription)
        self.assertEqual(len(invoices), 105)
        starts = invoices.mapped('autofaktura_period_start')
        self.assertEqual(len(set(starts)), 105)
        for previous, current in zip(invoices, invoices[1:]):
            self.assertEqual((current.autofaktura_period_start - previous.autofaktura_period_end).days, 1)
        self.assertEqual(subscription.next_invoice_date, D('2027-01-11'))

    def test_end_date_closes_the_agreement(self):
        subscription = self._create_subscription(date_start=D('2027-01-15'), date_end=D('2027-03-20'))
        subscription.action_activate()
        with freeze_time('2027-12-31'):
            self._run()
        invoices = self._invoices(subscription)
        # the last period starts before the end date and is invoiced in full
        self.assertEqual(invoices.mapped('autofaktura_period_start'),
                         [D('2027-01-15'), D('2027-02-15'), D('2027-03-15')])
        self.assertEqual(invoices[-1].autofaktura_period_end, D('2027-04-14'))
        self.assertEqual(subscription.state, 'closed')
        self.assertFalse(subscription.next_invoice_date)
        self.assertTrue(subscription.message_ids.filtered(lambda m: 'closed automatically' in (m.body or '')))
        with freeze_time('2028-01-31'):
            self._run()
        self.assertEqual(len(self._invoices(subscription)), 3)

    def test_period_starting_on_end_date_is_invoiced(self):
        subscription = self._create_subscription(date_start=D('2027-01-01'), date_end=D('2027-02-01'))
        subscription.action_activate()
        with freeze_time('2027-03-01'):
            self._run()
        self.assertEqual(len(self._invoices(subscription)), 2)
        self.assertEqual(subscription.state, 'closed')

    def test_nothing_due_nothing_invoiced(self):
        subscription = self._create_subscription()
        subscription.action_activate()
        with freeze_time('2027-01-30'):
            result = self._run()
        self.assertFalse(self._invoices(subscription))
        self.assertEqual(result['invoices'], 0)

    def test_draft_paused_closed_are_not_invoiced(self):
        draft = self._create_subscription()
        paused = self._create_subscription()
        closed = self._create_subscription()
        (paused | closed).action_activate()
        paused.action_pause()
        closed.action_close()
        with freeze_time('2027-03-01'):
            self._run()
        self.assertFalse(self._invoices(draft | paused | closed))

    def test_resume_skips_periods_due_while_paused(self):
        subscription = self._create_subscription()
        subscription.action_activate()
        with freeze_time('2027-01-31'):
            self._run()
            subscription.action_pause()
        with freeze_time('2027-04-10'):
            subscription.action_resume()
            self._run()
        self.assertEqual(self._invoices(subscription).mapped('autofaktura_period_start'), [D('2027-01-31')])
        self.assertEqual(subscription.next_invoice_date, D('2027-04-30'))

    def test_auto_post_off_leaves_drafts(self):
        subscription = self._create_subscription(auto_post=False)
        subscription.action_activate()
        with freeze_time('2027-02-28'):
            self._run()
            self._run()
        invoices = self._invoices(subscription)
        self.assertEqual(invoices.mapped('state'), ['draft', 'draft'])
        self.assertEqual(subscription.next_invoice_date, D('2027-03-31'))

    def test_currency_and_foreign_customer(self):
        eur = self.setup_other_currency('EUR', rates=[('2027-01-01', 0.134)])
        subscription = self._create_subscription(currency_id=eur.id, partner_id=self.english_customer.id)
        subscription.action_activate()
        with freeze_time('2027-01-31'):
            self._run()
        invoice = self._invoices(subscription)
        self.assertEqual(invoice.currency_id, eur)
        self.assertEqual(invoice.amount_untaxed, 249.0)

    def test_lines_carry_discount_taxes_and_analytics(self):
        plan = self.env['account.analytic.plan'].create({'name': "Afdelinger"})
        account = self.env['account.analytic.account'].create({'name': "Avis", 'plan_id': plan.id})
        subscription = self._create_subscription(lines=[
            {'product_id': self.newspaper.id, 'quantity': 2, 'price_unit': 100.0, 'discount': 10.0,
             'tax_ids': [Command.set(self.tax_sale_a.ids)],
             'analytic_distribution': {str(account.id): 100}},
            {'name': "Tillæg", 'quantity': 1, 'price_unit': 50.0, 'tax_ids': [Command.clear()]},
        ])
        subscription.action_activate()
        with freeze_time('2027-01-31'):
            self._run()
        invoice = self._invoices(subscription)
        lines = invoice.invoice_line_ids.sorted('sequence')
        self.assertEqual(lines[0].quantity, 2)
        self.assertEqual(lines[0].discount, 10.0)
        self.assertEqual(lines[0].tax_ids, self.tax_sale_a)
        self.assertEqual(lines[0].analytic_distribution, {str(account.id): 100})
        self.assertFalse(lines[1].tax_ids)
        self.assertEqual(invoice.amount_untaxed, 230.0)
        self.assertEqual(subscription.amount_untaxed, 230.0)

    # --- exactly once --------------------------------------------------------

    def test_repeated_runs_never_duplicate(self):
        subscription = self._create_subscription()
        subscription.action_activate()
        with freeze_time('2027-03-01'):
            self._run()
            self._run()
        self.assertEqual(len(self._invoices(subscription)), 2)

    def test_moving_the_date_back_never_reinvoices(self):
        subscription = self._create_subscription()
        subscription.action_activate()
        with freeze_time('2027-03-31'):
            self._run()
            self.assertEqual(len(self._invoices(subscription)), 3)
            subscription.next_invoice_date = D('2027-01-31')
            self._run()
        self.assertEqual(len(self._invoices(subscription)), 3)
        self.assertEqual(subscription.next_invoice_date, D('2027-04-30'))

    def test_moving_the_date_forward_skips_periods(self):
        subscription = self._create_subscription()
        subscription.action_activate()
        subscription.next_invoice_date = D('2027-03-31')
        with freeze_time('2027-04-01'):
            self._run()
        self.assertEqual(self._invoices(subscription).mapped('autofaktura_period_start'), [D('2027-03-31')])

    def test_database_refuses_a_second_invoice_for_a_period(self):
        subscription = self._create_subscription()
        subscription.action_activate()
        with freeze_time('2027-01-31'):
            self._run()
        invoice = self._invoices(subscription)
        with mute_logger('odoo.sql_db'), self.assertRaises(psycopg2.errors.UniqueViolation):
            with self.env.cr.savepoint():
                self.env['account.move'].create({
                    'move_type': 'out_invoice',
                    'partner_id': self.customer.id,
                    'autofaktura_subscription_id': subscription.id,
                    'autofaktura_period_start': invoice.autofaktura_period_start,
                    'invoice_line_ids': [Command.create({'name': "x", 'price_unit': 1})],
                })

    def test_cancelling_frees_the_period_for_invoice_now(self):
        subscription = self._create_subscription()
        subscription.action_activate()
        with freeze_time('2027-02-28'):
            self._run()
            first, second = self._invoices(subscription)
            first.button_draft()
            first.button_cancel()
            self._run()
            # the run does not re-invoice on its own: that is the user's decision
            self.assertEqual(self._invoices(subscription), second)
            self.assertTrue(subscription.message_ids.filtered(lambda m: 'was cancelled' in (m.body or '')))
            subscription.action_generate_invoices()
        invoices = self._invoices(subscription)
        self.assertEqual(len(invoices), 2)
        self.assertEqual(invoices.mapped('autofaktura_period_start'), [D('2027-01-31'), D('2027-02-28')])
        self.assertNotIn(first, invoices)

    def test_invoice_now(self):
        subscription = self._create_subscription()
        with freeze_time('2027-03-01'):
            action = subscription.action_generate_invoices()  # activates the draft, catches up
            self.assertEqual(subscription.state, 'active')
            self.assertEqual(len(self._invoices(subscription)), 2)
            self.assertEqual(action['res_model'], 'account.move')
            # nothing due: the next period is invoiced ahead of time, once
            subscription.action_generate_invoices()
            self.assertEqual(self._invoices(subscription)[-1].autofaktura_period_start, D('2027-03-31'))
            self._run()
        self.assertEqual(len(self._invoices(subscription)), 3)
        self.assertEqual(subscription.next_invoice_date, D('2027-04-30'))

    def test_invoice_now_on_finished_agreement(self):
        subscription = self._create_subscription(date_end=D('2027-01-31'))
        with freeze_time('2027-01-31'):
            subscription.action_generate_invoices()
        self.assertEqual(len(self._invoices(subscription)), 1)
        self.assertEqual(subscription.state, 'closed')

    # --- one failure never stops the run -----------------------------------

    def test_failures_are_isolated_flagged_and_retried(self):
        good = self._create_subscription()
        broken_journal = self.journal.copy({'name': "Old sales", 'code': 'OLDS'})
        bad_journal = self._create_subscription(journal_id=broken_journal.id)
        blocked_partner = self.env['res.partner'].create({'name': "Blocked customer"})
        blocked_partner.with_company(self.company).autofaktura_invoicing_blocked = True
        blocked = self._create_subscription(partner_id=blocked_partner.id)
        (good | bad_journal | blocked).action_activate()
        broken_journal.action_archive()

        with freeze_time('2027-01-31'):
            result = self._run()
        self.assertEqual(len(self._invoices(good)), 1)
        self.assertEqual(result['failed'], 2)
        self.assertFalse(self._invoices(bad_journal | blocked))
        self.assertIn("archived", bad_journal.invoicing_error)
        self.assertIn("blocked", blocked.invoicing_error)
        self.assertTrue(bad_journal.invoicing_error_date)
        self.assertEqual(bad_journal.next_invoice_date, D('2027-01-31'), "retried next run")
        self.assertFalse(good.invoicing_error)

        def failure_messages(subscription):
            return subscription.message_ids.filtered(lambda m: 'Invoicing failed' in (m.body or ''))

        self.assertEqual(len(failure_messages(bad_journal)), 1)
        with freeze_time('2027-02-01'):
            self._run()
        self.assertEqual(len(failure_messages(bad_journal)), 1, "one message per distinct error")

        broken_journal.action_unarchive()
        with freeze_time('2027-02-02'):
            self._run()
        self.assertEqual(len(self._invoices(bad_journal)), 1)
        self.assertFalse(bad_journal.invoicing_error)
        self.assertFalse(bad_journal.invoicing_error_date)

    def test_failing_post_rolls_back_only_that_agreement(self):
        good = self._create_subscription()
        negative = self._create_subscription(lines=[{'name': "Credit", 'price_unit': -100.0}])
        (good | negative).action_activate()
        with freeze_time('2027-01-31'):
            self._run()
        self.assertEqual(len(self._invoices(good)), 1)
        self.assertFalse(self.env['account.move'].search([('autofaktura_subscription_id', '=', negative.id)]),
                         "no half-written invoice is left behind")
        self.assertIn("negative", negative.invoicing_error)

    def test_scheduled_action_runs_the_engine(self):
        subscription = self._create_subscription()
        subscription.action_activate()
        cron = self.env.ref('elmer_autofaktura.ir_cron_autofaktura_generate_invoices')
        self.assertEqual(cron.code.strip(), 'model._cron_generate_invoices()')
        with freeze_time('2027-02-28'), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(len(self._invoices(subscription)), 2)
        self.assertEqual(subscription.next_invoice_date, D('2027-03-31'))

    def test_batches_share_one_run(self):
        subscriptions = self.env['autofaktura.subscription']
        for _index in range(7):
            subscriptions |= self._create_subscription()
        subscriptions.action_activate()
        with freeze_time('2027-02-28'):
            result = subscriptions.browse()._cron_generate_invoices(batch_size=3)
        self.assertEqual(result['invoices'], 14)
        self.assertEqual(len(self._invoices(subscriptions)), 14)
