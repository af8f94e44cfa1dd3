from odoo import models


class MailMail(models.Model):
    _inherit = 'mail.mail'

    def _postprocess_sent_message(self, success_pids, success_emails, failure_reason=False, failure_type=None):
        if failure_type:
            self._autofaktura_handle_failure(failure_reason, failure_type)
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type)

    def _autofaktura_handle_failure(self, failure_reason, failure_type):
        """An invoice email that could not be sent is never lost.

        The mail server is down or unreachable: the email stays in the mail queue and Odoo
        sends it when the server answers again. The email itself is refused (bad address,
        mailbox unknown): the log says why and the next delivery run tries again (a customer
        without a usable address then gets a letter)."""
        Move = self.env['account.move'].sudo()
        Log = self.env['autofaktura.log']
        for mail in self.filtered(lambda m: m.model == 'account.move' and m.res_id):
            move = Move.browse(mail.res_id).exists()
            if not move.autofaktura_subscription_id:
                continue
            reason = failure_reason or mail.failure_reason or failure_type
            if failure_type == 'mail_smtp':
                mail.sudo().write({'state': 'outgoing'})
                message = self.env._(
                    "The mail server could not send the email to %(email)s (%(reason)s). It stays in the "
                    "mail queue and is sent when the server answers again.",
                    email=move.partner_id.email or '-', reason=reason)
                if not Log.sudo().search_count([('move_id', '=', move.id), ('message', '=', message)]):
                    Log._log('failed', message, moves=move)
                continue
            move.write({
                'autofaktura_emailed_date': False,
                'autofaktura_delivery_state': 'failed',
                'autofaktura_delivery_error': reason,
            })
            Log._log('failed', self.env._(
                "The email to %(email)s was refused: %(reason)s. It is sent again on the next delivery run.",
                email=move.partner_id.email or '-', reason=reason), moves=move)
