from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    autofaktura_fik_type = fields.Selection(related='company_id.autofaktura_fik_type', readonly=False)
    autofaktura_fik_creditor = fields.Char(related='company_id.autofaktura_fik_creditor', readonly=False)
    autofaktura_delivery_method = fields.Selection(
        related='company_id.autofaktura_delivery_method', readonly=False)
    autofaktura_mail_template_id = fields.Many2one(
        related='company_id.autofaktura_mail_template_id', readonly=False)
    autofaktura_fik_require_leading_8 = fields.Boolean(
        related='company_id.autofaktura_fik_require_leading_8', readonly=False)

    def set_values(self):
        result = super().set_values()
        company = self.company_id
        if company.autofaktura_fik_type and company.autofaktura_fik_creditor:
            company._autofaktura_validate_fik_creditor(
                company.autofaktura_fik_creditor, company.autofaktura_fik_type)
            # The defaults also reach the sales journals that have no FI-kort settings of their own.
            self.env['account.journal'].search([
                ('company_id', '=', company.id), ('type', '=', 'sale'),
                ('autofaktura_fik_type', '=', False),
            ]).write({
                'autofaktura_fik_type': company.autofaktura_fik_type,
                'autofaktura_fik_creditor': company.autofaktura_fik_creditor,
            })
        return result
