from odoo import api, fields, models

LOG_EVENTS = [
    ('created', "Created"),
    ('posted', "Posted"),
    ('archived', "Archived"),
    ('emailed', "Emailed"),
    ('queued_print', "Queued for Print"),
    ('printed', "Printed"),
    ('reprinted', "Reprinted"),
    ('einvoiced', "Sent as E-invoice"),
    ('failed', "Failed"),
    ('run', "Run Summary"),
]


class AutofakturaLog(models.Model):
    _name = 'autofaktura.log'
    _description = "AutoFaktura Log"
    _order = 'date desc, id desc'
    _rec_name = 'event'

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one(
        'res.users', readonly=True, default=lambda self: self.env.user, index=True)
    company_id = fields.Many2one(
        'res.company', readonly=True, index=True,
        default=lambda self: self.env.company)
    subscription_id = fields.Many2one(
        'autofaktura.subscription', string="Agreement", readonly=True, index=True, ondelete='set null')
    move_id = fields.Many2one('account.move', string="Invoice", readonly=True, index=True, ondelete='set null')
    partner_id = fields.Many2one(
        'res.partner', string="Customer", readonly=True, index=True,
        compute='_compute_partner_id', store=True)
    event = fields.Selection(LOG_EVENTS, required=True, readonly=True, index=True)
    message = fields.Text(readonly=True)
    document_number = fields.Char(readonly=True, index=True)

    @api.depends('move_id', 'subscription_id')
    def _compute_partner_id(self):
        for log in self:
            log.partner_id = log.move_id.partner_id or log.subscription_id.partner_id

    @api.model
    def _log_each(self, event, moves_and_messages, subscription=None):
        """One log line per (invoice, message), written in one go."""
        fallback = subscription or self.env['autofaktura.subscription']
        return self.sudo().create([{
            'event': event,
            'message': message,
            'move_id': move.id,
            'subscription_id': (move.autofaktura_subscription_id or fallback).id,
            'document_number': move.autofaktura_document_number,
            'company_id': move.company_id.id,
            'user_id': self.env.user.id,
        } for move, message in moves_and_messages])

    @api.model
    def _log(self, event, message='', moves=None, subscription=None, company=None):
        """Write one log line per invoice (or one for the agreement / the run). The log is
        written by the system, whoever triggers it; users only read it."""
        if moves:
            return self._log_each(event, [(move, message) for move in moves], subscription)
        return self.sudo().create({
            'event': event,
            'message': message,
            'subscription_id': subscription.id if subscription else False,
            'company_id': (company or (subscription.company_id if subscription else self.env.company)).id,
            'user_id': self.env.user.id,
        })
