from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, tagged

from .common import AutofakturaCommon

D = fields.Date.to_date


@tagged('post_install', '-at_install')
class TestStandardAndForecast(AutofakturaCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, *groups):
            return cls.env['res.users'].create({
                'name': login, 'login': login,
                'group_ids': [Command.link(cls.env.ref(group).id) for group in groups],
                'company_ids': [Command.set(cls.company.ids)], 'company_id': cls.company.id,
            })
        cls.anna = user('anna', 'account.group_account_invoice')
        cls.bo = user('bo', 'account.group_account_invoice')
        cls.manager = user('chef', 'account.group_account_manager')
        cls.lease = cls.env.ref('elmer_autofaktura.agreement_type_lease')

    def _as(self, user, **vals):
        return self._create_subscription(**vals).with_user(user)

    def test_standard_round_trips_per_user(self):
        template = self._as(self.anna, interval_number=3, invoicing_mode='arrears', auto_post=False,
                            agreement_type_id=self.lease.id, delivery_method='letter')
        template.action_save_standard()
        Standard = self.env['autofaktura.standard'].sudo()
        self.assertEqual(Standard.search_count([('user_id', '=', self.anna.id)]), 1)
        fresh = self.env['autofaktura.subscription'].with_user(self.anna).create(
            {'partner_id': self.customer.id, 'line_ids': [Command.create({'name': "x", 'price_unit': 1})]})
        fresh.action_apply_standard()
        self.assertEqual((fresh.interval_number, fresh.interval_unit, fresh.invoicing_mode),
                         (3, 'month', 'arrears'))
        self.assertEqual(fresh.agreement_type_id, self.lease)
        self.assertEqual(fresh.delivery_method, 'letter')
        self.assertFalse(fresh.auto_post)
        self.assertEqual(fresh.line_ids.name, "x", "lines are only inserted when asked")
        # Bo has no standard, and Anna's never reaches his agreements
        other = self.env['autofaktura.subscription'].with_user(self.bo).create({'partner_id': self.customer.id})
        with self.assertRaisesRegex(UserError, "no standard yet"):
            other.action_apply_standard()
        self.assertEqual(other.interval_number, 1)
        self.assertFalse(self.env['autofaktura.standard'].with_user(self.bo).search([('user_id', '!=', False)]))
        # saving again updates the one personal standard
        template.write({'interval_number': 6})
        template.action_save_standard()
        standards = Standard.search([('user_id', '=', self.anna.id)])
        self.assertEqual(len(standards), 1, "one personal standard per user and company")
        self.assertEqual(standards.interval_number, 6)

    def test_standard_with_lines_and_only_on_drafts(self):
        source = self._as(self.anna, lines=[{'name': "Service", 'price_unit': 500.0, 'quantity': 2}])
        source.action_save_standard()
        standard = self.env['autofaktura.standard'].with_user(self.anna)._get_personal(self.company)
        self.assertTrue(standard)
        standard.include_lines = True
        target = self._as(self.anna)
        target.action_apply_standard()
        self.assertEqual(target.line_ids.mapped('name'), ["Service"])
        self.assertEqual(target.line_ids.quantity, 2)
        target.action_activate()
        with self.assertRaisesRegex(UserError, "new and draft"):
            target.action_apply_standard()

    def test_company_templates(self):
        template = self.env['autofaktura.standard'].with_user(self.manager).create({
            'name': "Kvartalsvis leasing", 'interval_number': 3, 'agreement_type_id': self.lease.id})
        with self.assertRaises(AccessError):
            template.with_user(self.anna).write({'interval_number': 1})
        with Form(self.env['autofaktura.subscription'].with_user(self.anna)) as form:
            form.partner_id = self.customer
            form.standard_template_id = template.with_user(self.anna)
            self.assertEqual(form.interval_number, 3)
            self.assertEqual(form.agreement_type_id, self.lease)
            with form.line_ids.new() as line:
                line.name = "Leasing"
                line.price_unit = 1000
        self.assertEqual(form.record.interval_number, 3)

    def test_recurring_revenue(self):
        monthly = self._create_subscription(lines=[{'name': "a", 'price_unit': 249.0}])
        quarterly = self._create_subscription(interval_number=3, lines=[{'name': "b", 'price_unit': 300.0}])
        yearly = self._create_subscription(interval_unit='year', lines=[{'name': "c", 'price_unit': 1200.0}])
        draft = self._create_subscription(lines=[{'name': "d", 'price_unit': 999.0}])
        (monthly | quarterly | yearly).action_activate()
        self.assertAlmostEqual(monthly.recurring_monthly, 249.0)
        self.assertAlmostEqual(monthly.recurring_yearly, 2988.0)
        self.assertAlmostEqual(quarterly.recurring_monthly, 100.0)
        self.assertAlmostEqual(yearly.recurring_monthly, 100.0)
        self.assertEqual(draft.recurring_monthly, 0.0)
        totals = self.env['autofaktura.subscription']._read_group(
            [('id', 'in', (monthly | quarterly | yearly | draft).ids)], [], ['recurring_monthly:sum'])
        self.assertAlmostEqual(totals[0][0], 449.0)

    def test_forecast_matches_the_runs(self):
        today = D('2027-01-15')
        subscriptions = (
            self._create_subscription(date_start=D('2026-11-30'))  # behind: catch-up
            | self._create_subscription(interval_number=3, invoicing_mode='arrears', date_start=D('2027-01-01'))
            | self._create_subscription(interval_unit='week', date_start=D('2027-01-11'), date_end=D('2027-04-30'))
            | self._create_subscription(interval_unit='year', date_start=D('2027-06-30'),
                                        lines=[{'name': "Support", 'price_unit': 12000.0}])
        )
        paused = self._create_subscription(date_start=D('2027-01-01'))
        with freeze_time(today):
            (subscriptions | paused).action_activate()
            paused.action_pause()
            action = self.env['autofaktura.subscription'].action_open_forecast()
            forecast = self.env['autofaktura.forecast.line'].search([('subscription_id', 'in', (subscriptions | paused).ids)])
        self.assertEqual(action['res_model'], 'autofaktura.forecast.line')
        self.assertFalse(forecast.filtered(lambda f: f.subscription_id == paused))
        self.assertTrue(all(today <= f.date <= D('2028-01-15') for f in forecast))
        # run month by month for a year: the runs invoice exactly the forecast
        day = today
        while day <= D('2028-01-15'):
            with freeze_time(day):
                self._run()
            day += timedelta(days=7)
        with freeze_time('2028-01-15'):
            self._run()
        invoices = self._invoices(subscriptions).filtered(lambda m: m.invoice_date <= D('2028-01-15'))
        self.assertEqual(
            sorted((m.autofaktura_subscription_id.id, m.autofaktura_period_start) for m in invoices),
            sorted((f.subscription_id.id, f.period_start) for f in forecast))
        self.assertAlmostEqual(sum(invoices.mapped('amount_untaxed')), sum(forecast.mapped('amount_untaxed')))

    def test_views_load(self):
        for view_type in ('list', 'kanban', 'form', 'pivot', 'graph', 'calendar', 'search'):
            arch = self.env['autofaktura.subscription'].get_views([(False, view_type)])['views'][view_type]['arch']
            self.assertTrue(arch)
        for model in ('autofaktura.log', 'autofaktura.standard', 'autofaktura.forecast.line'):
            self.assertTrue(self.env[model].get_views([(False, 'list'), (False, 'search')])['views'])
