"""The e-invoice PaymentMeans nodes for FI-kort codes (Odoo-free part of the EDI bridge)."""
import payment_means


def test_oioubl_fik_71():
    node = payment_means.oioubl_payment_means('71', '000000000000018', '81234567', due_date='2027-03-02')
    assert node['cbc:PaymentMeansCode']['_text'] == 93
    assert node['cbc:PaymentChannelCode']['_text'] == 'DK:FIK'
    assert node['cbc:PaymentID']['_text'] == '71'
    assert node['cbc:InstructionID']['_text'] == '000000000000018'
    assert node['cbc:InstructionNote'] is None  # BIL-081: no note on +71
    assert node['cac:CreditAccount']['cbc:AccountID']['_text'] == '81234567'
    assert node['cac:PayeeFinancialAccount'] is None


def test_oioubl_73_has_no_instruction_id_but_a_note():
    node = payment_means.oioubl_payment_means('73', None, '81234567', message='INV/2027/00001')
    assert node['cbc:InstructionID'] is None
    assert node['cbc:InstructionNote']['_text'] == 'INV/2027/00001'


def test_oioubl_giro():
    node = payment_means.oioubl_payment_means('04', '0000000000000182', '1234567')
    assert node['cbc:PaymentMeansCode']['_text'] == 50
    assert node['cbc:PaymentChannelCode']['_text'] == 'DK:GIRO'


def test_peppol():
    node = payment_means.peppol_payment_means('71', '000000000000018', '81234567',
                                              base_node={'cbc:PaymentDueDate': None})
    assert node['cbc:PaymentID']['_text'] == '71#000000000000018'
    assert node['cac:PayeeFinancialAccount']['cbc:ID']['_text'] == '81234567'
    assert 'cbc:PaymentDueDate' in node


def test_template_order():
    template = payment_means.with_fik_payment_means_order(
        {'cac:PaymentMeans': {'cbc:ID': {}, 'cbc:PaymentMeansCode': {}, 'cbc:PaymentID': {}}, 'x': {}})
    keys = list(template['cac:PaymentMeans'])
    assert keys.index('cbc:PaymentChannelCode') < keys.index('cbc:InstructionID') < keys.index('cbc:PaymentID')
    assert keys[-1] == 'cac:CreditAccount'
    assert template['x'] == {}
