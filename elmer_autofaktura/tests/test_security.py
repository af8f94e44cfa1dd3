from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import AutofakturaCommon


@tagged('post_install', '-at_install')
class TestSecurity(AutofakturaCommon):
    """Multi-company isolation, a read-only log, template code and portal users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Firma B")['company']

        def user(login, company, *groups):
            return cls.env['res.users'].create({
                'name': login, 'login': login,
                'group_ids': [Command.link(cls.env.ref(group).id) for group in groups],
                'company_ids': [Command.set(company.ids)], 'company_id': company.id,
            })
        cls.user_a = user('bogholder_a', cls.company, 'account.group_account_invoice')
        cls.user_b = user('bogholder_b', cls.company_b, 'account.group_account_invoice')
        cls.portal = user('portal_kunde', cls.company, 'base.group_portal')

        cls.subscription_a = cls._create_subscription()
        cls.subscription_a.action_activate()
        with freeze_time('2027-01-31'):
            cls.subscription_a._cron_generate_invoices()
        cls.env['autofaktura.standard'].with_user(cls.user_a).create({'name': "Min standard", 'user_id': cls.user_a.id})

    def test_company_b_sees_nothing_of_company_a(self):
        for model in ('autofaktura.subscription', 'autofaktura.subscription.line', 'autofaktura.standard',
                      'autofaktura.standard.line', 'autofaktura.log'):
            self.assertFalse(self.env[model].with_user(self.user_b).search([]), model)
        self.assertTrue(self.env['autofaktura.subscription'].with_user(self.user_a).search([]))
        self.assertTrue(self.env['autofaktura.log'].with_user(self.user_a).search([]))
        with self.assertRaises(AccessError):
            self.subscription_a.with_user(self.user_b).read(['name'])

    def test_log_is_read_only(self):
        log = self.env['autofaktura.log'].with_user(self.user_a).search([], limit=1)
        self.assertTrue(log)
        with self.assertRaises(AccessError):
            log.write({'message': "changed"})
        with self.assertRaises(AccessError):
            log.unlink()
        with self.assertRaises(AccessError):
            self.env['autofaktura.log'].with_user(self.user_a).create({'event': 'printed'})

    def test_users_cannot_put_code_into_templates(self):
        self.env['ir.config_parameter'].sudo().set_param('mail.restrict.template.rendering', True)
        self.user_a.invalidate_recordset()
        self.assertFalse(self.user_a.has_group('mail.group_mail_template_editor'))
        subscription = self.subscription_a.with_user(self.user_a)
        subscription.action_customize_mail_template()
        own = subscription.mail_template_id
        self.assertNotEqual(own, self.env.ref('elmer_autofaktura.mail_template_autofaktura_invoice'))
        with self.assertRaises(AccessError):
            own.write({'body_html': '<p><t t-out="object.sudo().company_id.bank_ids"/></p>'})

    def test_portal_users_see_no_agreements(self):
        for model in ('autofaktura.subscription', 'autofaktura.log', 'autofaktura.standard'):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.portal).search([])

    def test_users_cannot_change_company_templates(self):
        template = self.env['autofaktura.standard'].create({'name': "Firmaskabelon", 'company_id': self.company.id})
        with self.assertRaises(AccessError):
            template.with_user(self.user_a).write({'interval_number': 12})
        self.assertTrue(template.with_user(self.user_a).read(['name']))
        # and nobody sees another user's personal standard
        other = self.env['res.users'].create({
            'name': "Kollega", 'login': 'kollega',
            'group_ids': [Command.link(self.env.ref('account.group_account_invoice').id)],
            'company_ids': [Command.set(self.company.ids)], 'company_id': self.company.id})
        self.assertFalse(self.env['autofaktura.standard'].with_user(other).search([('user_id', '!=', False)]))
