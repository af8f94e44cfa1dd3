from odoo import fields, models
from odoo.tools.misc import format_date


class AccountMove(models.Model):
    _inherit = 'account.move'

    autofaktura_subscription_id = fields.Many2one(
        'autofaktura.subscription', string="AutoFaktura Agreement", readonly=True, copy=False,
        index='btree_not_null', ondelete='restrict')
    autofaktura_period_start = fields.Date(string="Period Start", readonly=True, copy=False)
    autofaktura_period_end = fields.Date(string="Period End", readonly=True, copy=False)

    # A period is invoiced at most once: cancelling its invoice frees it again.
    _autofaktura_period_uniq = models.UniqueIndex(
        "(autofaktura_subscription_id, autofaktura_period_start) "
        "WHERE autofaktura_subscription_id IS NOT NULL AND state != 'cancel'",
        "This period of the agreement is already invoiced.",
    )

    def button_cancel(self):
        result = super().button_cancel()
        for move in self.filtered(lambda m: m.autofaktura_subscription_id and m.state == 'cancel'):
            move.autofaktura_subscription_id.message_post(body=self.env._(
                "Invoice %(invoice)s for the period %(start)s – %(end)s was cancelled. The period is "
                "free again: use Invoice now to invoice it anew.",
                invoice=move.name or move.display_name,
                start=format_date(self.env, move.autofaktura_period_start),
                end=format_date(self.env, move.autofaktura_period_end)))
        return result
