from odoo import models

from ..tools import payment_means


class AccountEdiXmlUblBis3(models.AbstractModel):
    _inherit = 'account.edi.xml.ubl_bis3'

    def _add_invoice_payment_means_nodes(self, document_node, vals):  # pylint: disable=missing-return
        # EXTENDS account_edi_ubl_cii: Peppol BIS 3 with an FI-kort code (Danish rules DK-R-008..011).
        super()._add_invoice_payment_means_nodes(document_node, vals)
        parts = vals['invoice']._autofaktura_fik_parts()
        if parts:
            document_node['cac:PaymentMeans'] = payment_means.peppol_payment_means(
                *parts, base_node=document_node.get('cac:PaymentMeans'))
