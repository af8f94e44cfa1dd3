from odoo import fields, models


class MailTemplate(models.Model):
    _inherit = 'mail.template'

    # Set on a template copied for one agreement (its own email text).
    autofaktura_subscription_id = fields.Many2one(
        'autofaktura.subscription', string="AutoFaktura Agreement", index='btree_not_null',
        ondelete='cascade', copy=False)
