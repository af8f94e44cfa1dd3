from contextlib import ExitStack

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.fields import Domain
from odoo.tests import TransactionCase, tagged


@tagged('post_install', '-at_install')
class TestConcurrentRuns(TransactionCase):
    """Two workers, each on its own database connection, race for the same
    committed agreements: every period is invoiced exactly once.

    The agreements are committed (other connections must see them) and removed
    again at the end. The workers are interleaved step by step on two real
    cursors, which reproduces the race deterministically."""

    AGREEMENTS = 12

    def _env(self, cr):
        cron = self.env.ref('elmer_autofaktura.ir_cron_autofaktura_generate_invoices')
        # cron_id: run as the scheduled job does, i.e. commit each batch
        return api.Environment(cr, SUPERUSER_ID, {'cron_id': cron.id})

    def setUp(self):
        super().setUp()
        self.today = fields.Date.context_today(self.env.user)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref('base.main_company')
            journal = env['account.journal'].search(
                [('type', '=', 'sale'), ('company_id', '=', company.id)], limit=1)
            if not journal:
                self.skipTest("The main company has no sales journal")
            partner = env['res.partner'].create({'name': "Concurrency test customer"})
            subscriptions = env['autofaktura.subscription'].with_company(company).create([{
                'partner_id': partner.id,
                'company_id': company.id,
                'journal_id': journal.id,
                'date_start': self.today - relativedelta(months=2),
                'line_ids': [Command.create({'name': f"Line {index}", 'price_unit': 100.0 + index,
                                             'tax_ids': [Command.clear()]})],
            } for index in range(self.AGREEMENTS)])
            subscriptions.action_activate()
            self.ids, self.partner_id = subscriptions.ids, partner.id
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            moves = env['account.move'].search([('autofaktura_subscription_id', 'in', self.ids)])
            moves.filtered(lambda m: m.state == 'posted').button_draft()
            moves.with_context(force_delete=True).unlink()
            env['autofaktura.subscription'].browse(self.ids).unlink()
            env['res.partner'].browse(self.partner_id).unlink()

    def _check_exactly_once(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            moves = env['account.move'].search([('autofaktura_subscription_id', 'in', self.ids)])
            pairs = [(m.autofaktura_subscription_id.id, m.autofaktura_period_start) for m in moves]
            self.assertEqual(len(pairs), len(set(pairs)), "no period invoiced twice")
            self.assertEqual(len(moves), self.AGREEMENTS * 3, "no period skipped")
            self.assertEqual(set(moves.mapped('state')), {'posted'})
            subscriptions = env['autofaktura.subscription'].browse(self.ids)
            self.assertEqual(len(set(subscriptions.mapped('next_invoice_date'))), 1)
            self.assertGreater(subscriptions[0].next_invoice_date, self.today)

    def test_second_worker_skips_the_rows_the_first_one_holds(self):
        domain = Domain('id', 'in', self.ids)
        with ExitStack() as stack:
            cr_a = stack.enter_context(self.registry.cursor())
            cr_b = stack.enter_context(self.registry.cursor())
            worker_a, worker_b = self._env(cr_a), self._env(cr_b)
            held = worker_a['autofaktura.subscription'].browse(self.ids[:5])
            self.assertEqual(held.try_lock_for_update(allow_referencing=True), held)

            # B runs while A holds five agreements: B invoices the others only.
            result_b = worker_b['autofaktura.subscription']._run_invoicing(domain, self.today, batch_size=4)
            self.assertEqual(result_b['agreements'], self.AGREEMENTS - 5)
            self.assertEqual(result_b['invoices'], (self.AGREEMENTS - 5) * 3)

            # A, whose snapshot predates B's commits, then finishes the rest.
            result_a = worker_a['autofaktura.subscription']._run_invoicing(domain, self.today, batch_size=4)
            self.assertEqual(result_a['invoices'], 5 * 3)
            self.assertEqual(result_a['failed'] + result_b['failed'], 0)
        self._check_exactly_once()

    def test_repeated_run_after_commit_finds_nothing(self):
        domain = Domain('id', 'in', self.ids)
        with ExitStack() as stack:
            cr_a = stack.enter_context(self.registry.cursor())
            cr_b = stack.enter_context(self.registry.cursor())
            worker_a, worker_b = self._env(cr_a), self._env(cr_b)
            # B opens its snapshot first, then A invoices everything and commits.
            self.assertEqual(worker_b['autofaktura.subscription'].search_count(domain), self.AGREEMENTS)
            result_a = worker_a['autofaktura.subscription']._run_invoicing(domain, self.today, batch_size=5)
            self.assertEqual(result_a['invoices'], self.AGREEMENTS * 3)
            # B still sees the agreements as due in its old snapshot; it must not invoice them again.
            result_b = worker_b['autofaktura.subscription']._run_invoicing(domain, self.today, batch_size=5)
            self.assertEqual(result_b['invoices'], 0)
        self._check_exactly_once()
