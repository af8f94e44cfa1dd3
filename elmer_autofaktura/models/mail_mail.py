from odoo import models


class MailMail(models.Model):
    _inherit = 'mail.mail'

    def _postprocess_sent_message(self, success_pids, success_emails, failure_reason=False, failure_type=None):
        # A mail server that refuses an invoice email (an unreachable one just leaves the mail
        # in the queue): the log says why and the next delivery run queues the email again.
        if failure_type:
            move_ids = {mail.res_id for mail in self if mail.model == 'account.move' and mail.res_id}
            moves = self.env['account.move'].sudo().browse(move_ids).exists().filtered('autofaktura_emailed_date')
            for move in moves:
                reason = failure_reason or failure_type
                move.write({
                    'autofaktura_emailed_date': False,
                    'autofaktura_delivery_state': 'failed',
                    'autofaktura_delivery_error': reason,
                })
                self.env['autofaktura.log']._log('failed', self.env._(
                    "The email to %(email)s was refused: %(reason)s. It is sent again on the next delivery run.",
                    email=move.partner_id.email or '-', reason=reason), moves=move)
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type)
