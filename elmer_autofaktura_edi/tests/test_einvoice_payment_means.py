from lxml import etree

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.elmer_autofaktura.tests.common import AutofakturaCommon
from odoo.addons.elmer_autofaktura.tools import fik

CBC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2'
CAC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2'
NS = {'cbc': CBC, 'cac': CAC}
# UBL 2 schema order of the PaymentMeans children
SCHEMA_ORDER = ['ID', 'PaymentMeansCode', 'PaymentDueDate', 'PaymentChannelCode', 'InstructionID',
                'InstructionNote', 'PaymentID', 'CardAccount', 'PayerFinancialAccount',
                'PayeeFinancialAccount', 'CreditAccount', 'PaymentMandate']


@tagged('post_install', '-at_install')
class TestEinvoicePaymentMeans(AutofakturaCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({'street': "Vestergade 12", 'zip': "8000", 'city': "Aarhus C",
                            'vat': 'DK12345674'})
        cls.company.write({'street': "Strandvejen 1", 'zip': "2100", 'city': "København Ø",
                           'vat': 'DK47458714'})

    def _invoice(self, card_type='71', creditor='81234567'):
        self.journal.write({'autofaktura_fik_type': card_type, 'autofaktura_fik_creditor': creditor})
        invoice = self.env['account.move'].create({
            'move_type': 'out_invoice',
            'partner_id': self.customer.id,
            'journal_id': self.journal.id,
            'invoice_date': fields.Date.to_date('2027-01-31'),
            'invoice_line_ids': [Command.create({'product_id': self.newspaper.id, 'price_unit': 2344.0})],
        })
        invoice.action_post()
        return invoice

    def _payment_means(self, builder, invoice):
        xml, _errors = self.env[builder]._export_invoice(invoice)
        nodes = etree.fromstring(xml).findall('cac:PaymentMeans', NS)
        self.assertEqual(len(nodes), 1)
        return nodes[0]

    def _assert_schema_order(self, node):
        names = [etree.QName(child).localname for child in node]
        self.assertEqual(names, sorted(names, key=SCHEMA_ORDER.index))

    def test_oioubl_fik_71(self):
        invoice = self._invoice()
        payment_id = invoice.autofaktura_fik_payment_id
        for builder in ('account.edi.xml.oioubl_201', 'account.edi.xml.oioubl_21'):
            node = self._payment_means(builder, invoice)
            self.assertEqual(node.findtext('cbc:PaymentMeansCode', namespaces=NS), '93')
            self.assertEqual(node.findtext('cbc:PaymentChannelCode', namespaces=NS), 'DK:FIK')
            self.assertEqual(node.findtext('cbc:PaymentID', namespaces=NS), '71')
            # BIL-079: InstructionID is exactly 15 digits for +71
            self.assertEqual(node.findtext('cbc:InstructionID', namespaces=NS), payment_id)
            self.assertRegex(payment_id, r'^\d{15}$')
            self.assertTrue(fik.is_valid_payment_id(payment_id, '71'))
            # BIL-081: no InstructionNote for +71; BIL-082: CreditAccount/AccountID of 8 characters
            self.assertIsNone(node.find('cbc:InstructionNote', NS))
            self.assertEqual(node.findtext('cac:CreditAccount/cbc:AccountID', namespaces=NS), '81234567')
            self.assertIsNone(node.find('cac:PayeeFinancialAccount', NS))
            self.assertEqual(node.findtext('cbc:PaymentDueDate', namespaces=NS), str(invoice.invoice_date_due))
            self._assert_schema_order(node)

    def test_oioubl_fik_75_and_73(self):
        invoice = self._invoice('75')
        node = self._payment_means('account.edi.xml.oioubl_201', invoice)
        self.assertEqual(node.findtext('cbc:PaymentID', namespaces=NS), '75')
        self.assertRegex(node.findtext('cbc:InstructionID', namespaces=NS), r'^\d{16}$')
        self.assertEqual(node.findtext('cbc:InstructionNote', namespaces=NS), invoice.name)
        invoice = self._invoice('73')
        node = self._payment_means('account.edi.xml.oioubl_201', invoice)
        self.assertEqual(node.findtext('cbc:PaymentID', namespaces=NS), '73')
        self.assertIsNone(node.find('cbc:InstructionID', NS))
        self._assert_schema_order(node)

    def test_oioubl_giro(self):
        invoice = self._invoice('04', '1234567')
        node = self._payment_means('account.edi.xml.oioubl_21', invoice)
        self.assertEqual(node.findtext('cbc:PaymentMeansCode', namespaces=NS), '50')
        self.assertEqual(node.findtext('cbc:PaymentChannelCode', namespaces=NS), 'DK:GIRO')
        self.assertEqual(node.findtext('cbc:PaymentID', namespaces=NS), '04')
        self.assertRegex(node.findtext('cbc:InstructionID', namespaces=NS), r'^\d{16}$')
        self.assertRegex(node.findtext('cac:CreditAccount/cbc:AccountID', namespaces=NS), r'^[0-9]{7,8}$')

    def test_peppol_bis3(self):
        invoice = self._invoice()
        node = self._payment_means('account.edi.xml.ubl_bis3', invoice)
        self.assertEqual(node.findtext('cbc:PaymentMeansCode', namespaces=NS), '93')
        self.assertEqual(node.findtext('cbc:PaymentID', namespaces=NS), f'71#{invoice.autofaktura_fik_payment_id}')
        self.assertEqual(node.findtext('cac:PayeeFinancialAccount/cbc:ID', namespaces=NS), '81234567')

    def test_invoice_without_fik_keeps_odoo_payment_means(self):
        self.journal.write({'autofaktura_fik_type': False, 'autofaktura_fik_creditor': False})
        if 'l10n_dk_fik_creditor_number' in self.journal._fields:
            self.journal.invoice_reference_model = 'odoo'
        invoice = self.env['account.move'].create({
            'move_type': 'out_invoice', 'partner_id': self.customer.id, 'journal_id': self.journal.id,
            'invoice_date': fields.Date.to_date('2027-01-31'),
            'invoice_line_ids': [Command.create({'product_id': self.newspaper.id, 'price_unit': 10.0})],
        })
        invoice.action_post()
        node = self._payment_means('account.edi.xml.oioubl_201', invoice)
        self.assertEqual(node.findtext('cbc:PaymentMeansCode', namespaces=NS), '1')

    def test_code_line_from_l10n_dk_fik(self):
        if 'l10n_dk_fik_creditor_number' not in self.env['account.journal']._fields:
            self.skipTest("l10n_dk_fik is not installed")
        self.journal.write({'autofaktura_fik_type': False, 'autofaktura_fik_creditor': False})
        self.journal.write({'invoice_reference_model': 'dk_fik_71', 'l10n_dk_fik_creditor_number': '81234567'})
        invoice = self.env['account.move'].create({
            'move_type': 'out_invoice', 'partner_id': self.customer.id, 'journal_id': self.journal.id,
            'invoice_date': fields.Date.to_date('2027-01-31'),
            'invoice_line_ids': [Command.create({'product_id': self.newspaper.id, 'price_unit': 10.0})],
        })
        invoice.action_post()
        node = self._payment_means('account.edi.xml.oioubl_21', invoice)
        self.assertEqual(node.findtext('cbc:PaymentMeansCode', namespaces=NS), '93')
        self.assertEqual(node.findtext('cbc:InstructionID', namespaces=NS), invoice.autofaktura_fik_payment_id)
