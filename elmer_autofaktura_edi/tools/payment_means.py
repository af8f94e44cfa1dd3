"""PaymentMeans of UBL e-invoices for an FI-kort (or giro) payment code, without Odoo.

OIOUBL (rules BIL-068..084): FI-kort +71/+73/+75 is PaymentMeansCode 93 with
PaymentChannelCode DK:FIK, giro +01/+04/+15 is code 50 with DK:GIRO; PaymentID is
the card type, InstructionID the payment ID (where the card has one), InstructionNote
a message (+73/+75/+01 only) and CreditAccount/AccountID the creditor or giro number.

Peppol BIS 3 (Danish rules DK-R-008..011): PaymentMeansCode 93, PaymentID
``<card type>#<payment ID>`` and the creditor in PayeeFinancialAccount/ID.

Nodes are dicts in the form of Odoo's ``dict_to_xml``.
"""
GIRO_TYPES = ('01', '04', '15')
MESSAGE_TYPES = ('73', '75', '01')

OIOUBL_PAYMENT_CHANNEL_LIST = {
    'listAgencyID': '320',
    'listID': 'urn:oioubl:codelist:paymentchannelcode-1.1',
}
OIOUBL_PAYMENT_ID_SCHEME = {
    'schemeAgencyID': '320',
    'schemeID': 'urn:oioubl:id:paymentid-1.1',
}


def oioubl_payment_means(card_type, payment_id, creditor, due_date=None, message=None):
    """The cac:PaymentMeans node of an OIOUBL invoice."""
    giro = card_type in GIRO_TYPES
    return {
        'cbc:ID': {'_text': 1},
        'cbc:PaymentMeansCode': {'_text': 50 if giro else 93},
        'cbc:PaymentDueDate': {'_text': due_date} if due_date else None,
        'cbc:PaymentChannelCode': {
            '_text': 'DK:GIRO' if giro else 'DK:FIK', **OIOUBL_PAYMENT_CHANNEL_LIST},
        'cbc:InstructionID': {'_text': payment_id} if payment_id else None,
        'cbc:InstructionNote': {'_text': message[:35]} if message and card_type in MESSAGE_TYPES else None,
        'cbc:PaymentID': {'_text': card_type, **OIOUBL_PAYMENT_ID_SCHEME},
        'cac:PayeeFinancialAccount': None,
        'cac:CreditAccount': {'cbc:AccountID': {'_text': creditor}},
    }


def peppol_payment_means(card_type, payment_id, creditor, base_node=None):
    """The cac:PaymentMeans node of a Peppol BIS 3 invoice (code 93, ``71#<ID>``)."""
    node = dict(base_node or {})
    node.update({
        'cbc:PaymentMeansCode': {'_text': 93, 'name': 'FI-kort' if card_type not in GIRO_TYPES else 'Giro'},
        'cbc:PaymentID': {'_text': f"{card_type}#{payment_id or ''}"},
        'cac:PayeeFinancialAccount': {'cbc:ID': {'_text': creditor}},
    })
    return node


def with_fik_payment_means_order(document_template):
    """A copy of a UBL document template whose PaymentMeans also has PaymentChannelCode and
    CreditAccount, in the order of the UBL schema (dict_to_xml orders children by template)."""
    template = dict(document_template)
    base = template.get('cac:PaymentMeans') or {}
    ordered = {}
    for key in ('cbc:ID', 'cbc:PaymentMeansCode', 'cbc:PaymentDueDate', 'cbc:PaymentChannelCode',
                'cbc:InstructionID', 'cbc:InstructionNote', 'cbc:PaymentID',
                'cac:PayeeFinancialAccount', 'cac:CreditAccount'):
        ordered[key] = base.get(key, {})
    if 'cac:CreditAccount' not in base:
        ordered['cac:CreditAccount'] = {'cbc:AccountID': {}}
    template['cac:PaymentMeans'] = ordered
    return template
