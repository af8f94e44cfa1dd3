from odoo import models

from ..tools import payment_means


class AccountEdiXmlOioubl201(models.AbstractModel):
    _inherit = 'account.edi.xml.oioubl_201'

    def _add_invoice_payment_means_nodes(self, document_node, vals):  # pylint: disable=missing-return
        # EXTENDS l10n_dk_oioubl: an FI-kort invoice says how to pay it (code 93 / DK:FIK).
        super()._add_invoice_payment_means_nodes(document_node, vals)
        invoice = vals['invoice']
        parts = invoice._autofaktura_fik_parts()
        if parts:
            document_node['cac:PaymentMeans'] = payment_means.oioubl_payment_means(
                *parts, due_date=invoice.invoice_date_due, message=invoice.name)

    def _get_document_template(self, vals):
        return payment_means.with_fik_payment_means_order(super()._get_document_template(vals))
