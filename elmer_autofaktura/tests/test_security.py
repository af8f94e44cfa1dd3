from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import AutofakturaCommon

AGREEMENT_MODELS = ('autofaktura.subscription', 'autofaktura.subscription.line', 'autofaktura.agreement.type',
                    'autofaktura.log', 'autofaktura.standard', 'autofaktura.standard.line',
                    'autofaktura.forecast.line')


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
            cls.subscription_a._cron_deliver()
        cls.invoice_a = cls.subscription_a.invoice_ids
        cls.env['autofaktura.standard'].with_user(cls.user_a).create({
            'name': "Min standard", 'user_id': cls.user_a.id,
            'line_ids': [Command.create({'product_id': cls.newspaper.id, 'price_unit': 249.0})]})
        cls.type_a = cls.env['autofaktura.agreement.type'].create({'name': "Husleje A", 'company_id': cls.company.id})

    def test_company_b_sees_nothing_of_company_a(self):
        self.env['autofaktura.subscription'].with_user(self.user_a).action_open_forecast()
        for model in ('autofaktura.subscription', 'autofaktura.subscription.line', 'autofaktura.standard',
                      'autofaktura.standard.line', 'autofaktura.log', 'autofaktura.forecast.line'):
            self.assertTrue(self.env[model].with_user(self.user_a).search([]), model)
            self.assertFalse(self.env[model].with_user(self.user_b).search([]), model)
        with self.assertRaises(AccessError):
            self.subscription_a.with_user(self.user_b).read(['name'])
        # agreement types of company A; the shared ones (no company) are everybody's
        self.assertIn(self.type_a, self.env['autofaktura.agreement.type'].with_user(self.user_a).search([]))
        types_b = self.env['autofaktura.agreement.type'].with_user(self.user_b).search([])
        self.assertNotIn(self.type_a, types_b)
        self.assertTrue(types_b, "the shipped types are shared")
        # the documents: the invoice with its document number and the archived PDF
        document = self.invoice_a.invoice_pdf_report_id
        self.assertTrue(self.invoice_a.autofaktura_document_number)
        self.assertTrue(document)
        self.assertEqual(self.env['ir.attachment'].with_user(self.user_a).search([('id', '=', document.id)]), document)
        self.assertFalse(self.env['ir.attachment'].with_user(self.user_b).search([('id', '=', document.id)]))
        self.assertFalse(self.env['account.move'].with_user(self.user_b).search(
            [('autofaktura_document_number', '=', self.invoice_a.autofaktura_document_number)]))
        with self.assertRaises(AccessError):
            document.with_user(self.user_b).read(['datas'])
        with self.assertRaises(AccessError):
            self.invoice_a.with_user(self.user_b).read(['autofaktura_document_number'])

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

    def test_template_editors_may_put_code_into_templates(self):
        self.env['ir.config_parameter'].sudo().set_param('mail.restrict.template.rendering', True)
        self.user_a.group_ids = [Command.link(self.env.ref('mail.group_mail_template_editor').id)]
        subscription = self.subscription_a.with_user(self.user_a)
        subscription.action_customize_mail_template()
        subscription.mail_template_id.write({'body_html': '<p><t t-out="object.name"/></p>'})
        self.assertIn('t-out', subscription.mail_template_id.body_html)

    def test_portal_and_public_users_see_nothing(self):
        public = self.env.ref('base.public_user')
        for user in (self.portal, public):
            for model in AGREEMENT_MODELS:
                with self.assertRaises(AccessError, msg=f"{user.sudo().login}: {model}"):
                    self.env[model].with_user(user).search([])
            with self.assertRaises(AccessError):
                self.subscription_a.with_user(user).read(['name'])

    def test_access_rights_for_the_right_groups_only(self):
        """Every model's rights, group by group: no global rights, nothing for portal or public."""
        expected = {
            'autofaktura.subscription': {
                'elmer_autofaktura.group_autofaktura_user': '1111',
                'elmer_autofaktura.group_autofaktura_manager': '1111',
                'account.group_account_readonly': '1000'},
            'autofaktura.subscription.line': {
                'elmer_autofaktura.group_autofaktura_user': '1111',
                'account.group_account_readonly': '1000'},
            'autofaktura.agreement.type': {
                'elmer_autofaktura.group_autofaktura_user': '1000',
                'elmer_autofaktura.group_autofaktura_manager': '1111',
                'account.group_account_readonly': '1000'},
            'autofaktura.log': {
                'elmer_autofaktura.group_autofaktura_user': '1000',
                'account.group_account_readonly': '1000'},
            'autofaktura.standard': {'elmer_autofaktura.group_autofaktura_user': '1111'},
            'autofaktura.standard.line': {'elmer_autofaktura.group_autofaktura_user': '1111'},
            'autofaktura.forecast.line': {'elmer_autofaktura.group_autofaktura_user': '1111'},
        }
        self.assertEqual(set(expected), set(AGREEMENT_MODELS))
        for model, groups in expected.items():
            accesses = self.env['ir.model.access'].search([('model_id.model', '=', model)])
            found = {
                access.group_id.get_external_id()[access.group_id.id]: ''.join(
                    '1' if access[perm] else '0' for perm in ('perm_read', 'perm_write', 'perm_create', 'perm_unlink'))
                for access in accesses
            }
            self.assertEqual(found, groups, model)
        # and what that means for the users themselves
        self.assertFalse(self.env['autofaktura.log'].with_user(self.user_a).has_access('write'))
        self.assertFalse(self.env['autofaktura.agreement.type'].with_user(self.user_a).has_access('create'))
        self.assertTrue(self.env['autofaktura.subscription'].with_user(self.user_a).has_access('create'))
        employee = self.env['res.users'].create({
            'name': "Lagermedarbejder", 'login': 'lager', 'group_ids': [Command.link(self.env.ref('base.group_user').id)],
            'company_ids': [Command.set(self.company.ids)], 'company_id': self.company.id})
        for model in AGREEMENT_MODELS:
            self.assertFalse(self.env[model].with_user(employee).has_access('read'), model)

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
