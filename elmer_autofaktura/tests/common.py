from odoo import Command, fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class AutofakturaCommon(AccountTestInvoicingCommon):
    """A Danish company with a da_DK-speaking customer, ready for agreements."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country('dk')
    def setUpClass(cls):
        super().setUpClass()
        cls.env['res.lang']._activate_lang('da_DK')
        # as when Danish is installed: our views, reports and mail templates in Danish
        cls.env['ir.module.module']._load_module_terms(['elmer_autofaktura'], ['da_DK'])
        cls.company = cls.company_data['company']
        cls.journal = cls.company_data['default_journal_sale']
        cls.customer = cls.env['res.partner'].create({
            'name': "Tina Hansen",
            'email': "tina@example.dk",
            'lang': 'da_DK',
            'country_id': cls.env.ref('base.dk').id,
            'property_payment_term_id': cls.env.ref('account.account_payment_term_30days').id,
        })
        cls.english_customer = cls.env['res.partner'].create({
            'name': "John Smith",
            'lang': 'en_US',
        })
        cls.newspaper = cls._create_product(name="Avis", lst_price=249.0)

    @classmethod
    def _create_subscription(cls, **vals):
        line_vals = vals.pop('lines', None) or [{'product_id': cls.newspaper.id, 'price_unit': 249.0}]
        return cls.env['autofaktura.subscription'].create({
            'partner_id': cls.customer.id,
            'date_start': fields.Date.to_date('2027-01-31'),
            'interval_number': 1,
            'interval_unit': 'month',
            'invoicing_mode': 'advance',
            'line_ids': [Command.create(line) for line in line_vals],
            **vals,
        })

    def _run(self, model=None):
        """One invoicing run, as the scheduled action does it."""
        return (model or self.env['autofaktura.subscription'])._cron_generate_invoices()

    def _invoices(self, subscription, include_cancelled=False):
        moves = self.env['account.move'].search(
            [('autofaktura_subscription_id', 'in', subscription.ids)], order='autofaktura_period_start, id')
        return moves if include_cancelled else moves.filtered(lambda m: m.state != 'cancel')
