import logging
from collections import defaultdict

import psycopg2.errors

from odoo import api, fields, models, modules
from odoo.exceptions import LockError, UserError, ValidationError
from odoo.fields import Command, Domain
from odoo.tools import SQL, email_normalize
from odoo.tools.misc import format_date

from ..tools import periods

_logger = logging.getLogger(__name__)

# Agreements handled per committed batch of the invoicing run.
INVOICING_BATCH_SIZE = 100
# Periods one agreement may invoice per batch: a long catch-up continues in the
# next batch instead of building one huge transaction.
MAX_PERIODS_PER_BATCH = 200
# Invoices rendered and sent per committed batch of the delivery run.
DELIVERY_BATCH_SIZE = 20

# The agreement settings a user's standard carries (the "Standard" button fills them in).
STANDARD_FIELDS = (
    'agreement_type_id', 'interval_number', 'interval_unit', 'invoicing_mode', 'delivery_method',
    'mail_template_id', 'journal_id', 'payment_term_id', 'auto_post',
)

INTERVAL_UNITS = [
    ('day', "Days"),
    ('week', "Weeks"),
    ('month', "Months"),
    ('year', "Years"),
]


class AutofakturaSubscription(models.Model):
    _name = 'autofaktura.subscription'
    _description = "AutoFaktura Agreement"
    _inherit = ['mail.thread', 'mail.activity.mixin']
    _order = 'next_invoice_date, name desc, id desc'
    _check_company_auto = True

    name = fields.Char(
        string="Subscription Number", required=True, readonly=True, copy=False, index='trigram',
        default=lambda self: self.env._("New"))
    active = fields.Boolean(default=True)
    state = fields.Selection(
        selection=[
            ('draft', "Draft"),
            ('active', "Active"),
            ('paused', "Paused"),
            ('closed', "Closed"),
        ],
        string="Status", required=True, default='draft', readonly=True, copy=False,
        tracking=True, index=True)
    company_id = fields.Many2one(
        'res.company', required=True, index=True,
        default=lambda self: self.env.company)
    partner_id = fields.Many2one(
        'res.partner', string="Customer", required=True, index=True, tracking=True,
        check_company=True)
    user_id = fields.Many2one(
        'res.users', string="Responsible", default=lambda self: self.env.user, tracking=True,
        domain="[('share', '=', False)]")
    agreement_type_id = fields.Many2one(
        'autofaktura.agreement.type', tracking=True, index=True,
        default=lambda self: self._default_agreement_type(), check_company=True)
    journal_id = fields.Many2one(
        'account.journal', string="Sales Journal", required=True, tracking=True,
        compute='_compute_journal_id', store=True, readonly=False, precompute=True,
        check_company=True, domain="[('type', '=', 'sale')]")
    currency_id = fields.Many2one(
        'res.currency', required=True, tracking=True,
        compute='_compute_currency_id', store=True, readonly=False, precompute=True)
    payment_term_id = fields.Many2one(
        'account.payment.term', string="Payment Terms", tracking=True,
        compute='_compute_payment_term_id', store=True, readonly=False, precompute=True,
        check_company=True)
    fiscal_position_id = fields.Many2one(
        'account.fiscal.position', 
        compute='_compute_fiscal_position_id', store=True, readonly=False, precompute=True,
        check_company=True)

    date_start = fields.Date(
        string="Start Date", required=True, tracking=True, default=fields.Date.context_today,
        help="Periods are counted from this date: period k starts at start date + k × interval.")
    date_end = fields.Date(
        string="End Date", tracking=True,
        help="No period starting after this date is invoiced; after its last period the "
             "agreement closes itself.")
    interval_number = fields.Integer(string="Invoice Every", required=True, default=1, tracking=True)
    interval_unit = fields.Selection(
        INTERVAL_UNITS, required=True, default='month', tracking=True)
    invoicing_mode = fields.Selection(
        selection=[
            ('advance', "In advance"),
            ('arrears', "In arrears"),
        ],
        string="Invoicing", required=True, default='advance', tracking=True,
        help="In advance: a period is invoiced on its first day.\n"
             "In arrears: a period is invoiced the day after it ends.")
    next_invoice_date = fields.Date(
        tracking=True, copy=False, index=True,
        compute='_compute_next_invoice_date', store=True, readonly=False, precompute=True,
        help="The next run invoices every period due on or before today, starting from this "
             "date. Move it forward to skip periods; moving it back never invoices a period twice.")
    auto_post = fields.Boolean(
        string="Post Automatically", default=True,
        help="Post the invoices in the journal when they are created. "
             "Untick to leave them in draft for review.")

    delivery_method = fields.Selection(
        selection=[
            ('email', "Email"),
            ('letter', "Letter"),
            ('email_letter', "Email and letter"),
        ],
        required=True, tracking=True,
        compute='_compute_delivery_method', store=True, readonly=False, precompute=True,
        help="Email: the invoice is mailed with its PDF (as a letter if the customer has no usable "
             "email address). Letter: the PDF waits in the print queue.")
    mail_template_id = fields.Many2one(
        'mail.template', string="Email Template", tracking=True,
        domain="[('model', '=', 'account.move')]",
        default=lambda self: self._default_mail_template(),
        help="The personal email sent with each invoice. Customize it for this agreement alone "
             "with the Customize button; the shared template stays as it is.")
    standard_template_id = fields.Many2one(
        'autofaktura.standard', string="Template", check_company=True,
        domain="[('user_id', '=', False)]",
        help="A company template: picking it fills in the agreement's settings.")
    recurring_monthly = fields.Monetary(
        string="Monthly Recurring Revenue", compute='_compute_recurring', store=True, aggregator='sum',
        help="What an active agreement invoices per month (untaxed), whatever its interval.")
    recurring_yearly = fields.Monetary(
        string="Yearly Recurring Revenue", compute='_compute_recurring', store=True, aggregator='sum',
        help="What an active agreement invoices per year (untaxed), whatever its interval.")
    log_ids = fields.One2many('autofaktura.log', 'subscription_id')
    log_count = fields.Integer(compute='_compute_log_count', string="Log Lines")
    document_count = fields.Integer(compute='_compute_document_count', string="Documents")
    line_ids = fields.One2many(
        'autofaktura.subscription.line', 'subscription_id', string="Lines", copy=True)
    invoice_ids = fields.One2many(
        'account.move', 'autofaktura_subscription_id', string="Invoices", readonly=True)
    invoice_count = fields.Integer(compute='_compute_invoice_count')
    amount_untaxed = fields.Monetary(
        string="Amount per Period", compute='_compute_amounts', store=True,
        help="Untaxed amount of one period's invoice.")
    note = fields.Html(string="Internal Notes")

    invoicing_error = fields.Text(readonly=True, copy=False)
    invoicing_error_date = fields.Datetime(string="Failed On", readonly=True, copy=False)

    _name_company_uniq = models.Constraint(
        'UNIQUE(company_id, name)',
        "The subscription number must be unique per company.",
    )
    _due_idx = models.Index("(next_invoice_date) WHERE state = 'active'")

    # ------------------------------------------------------------------
    # Defaults and computes
    # ------------------------------------------------------------------

    @api.model
    def _default_mail_template(self):
        return self.env.company.autofaktura_mail_template_id or self.env.ref(
            'elmer_autofaktura.mail_template_autofaktura_invoice', raise_if_not_found=False)

    @api.model
    def _default_agreement_type(self):
        return self.env['autofaktura.agreement.type'].search(
            Domain('company_id', 'in', [False, self.env.company.id]), limit=1)

    @api.depends('company_id')
    def _compute_journal_id(self):
        for subscription in self:
            if subscription.journal_id.company_id == subscription.company_id:
                continue
            subscription.journal_id = self.env['account.journal'].search(
                Domain.AND([
                    self.env['account.journal']._check_company_domain(subscription.company_id),
                    Domain('type', '=', 'sale'),
                ]),
                limit=1)

    @api.depends('partner_id')
    def _compute_delivery_method(self):
        for subscription in self:
            partner = subscription.partner_id
            company_default = subscription.company_id.autofaktura_delivery_method
            if partner.autofaktura_delivery_method:
                subscription.delivery_method = partner.autofaktura_delivery_method
            elif company_default:
                subscription.delivery_method = company_default
            elif not subscription.delivery_method or partner:
                subscription.delivery_method = 'email' if email_normalize(partner.email or '') else 'letter'

    @api.depends('amount_untaxed', 'interval_number', 'interval_unit', 'state')
    def _compute_recurring(self):
        for subscription in self:
            if subscription.state != 'active' or subscription.interval_number < 1:
                subscription.recurring_monthly = subscription.recurring_yearly = 0.0
                continue
            per_year = periods.periods_per_year(subscription.interval_number, subscription.interval_unit)
            subscription.recurring_yearly = subscription.amount_untaxed * per_year
            subscription.recurring_monthly = subscription.recurring_yearly / 12

    @api.onchange('standard_template_id')
    def _onchange_standard_template_id(self):
        if self.standard_template_id and self.state in (False, 'draft'):
            self.update(self.standard_template_id._values_for_subscription(self))

    def _document_domain(self):
        return [('res_model', '=', 'account.move'), ('res_id', 'in', self.invoice_ids.ids),
                ('res_field', '=', 'invoice_pdf_report_file')]

    def _compute_document_count(self):
        for subscription in self:
            subscription.document_count = self.env['ir.attachment'].search_count(
                subscription._document_domain()) if subscription.invoice_ids else 0

    def action_view_documents(self):
        """The archived invoice PDFs of this agreement."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._("Documents"),
            'res_model': 'ir.attachment',
            'view_mode': 'list,form',
            'domain': self._document_domain(),
            'context': {'create': False},
        }

    def _compute_log_count(self):
        counts = dict(self.env['autofaktura.log']._read_group(
            [('subscription_id', 'in', self.ids)], ['subscription_id'], ['__count']))
        for subscription in self:
            subscription.log_count = counts.get(subscription, 0)

    @api.depends('journal_id')
    def _compute_currency_id(self):
        for subscription in self:
            subscription.currency_id = (
                subscription.journal_id.currency_id
                or subscription.currency_id
                or subscription.company_id.currency_id
            )

    @api.depends('partner_id', 'company_id')
    def _compute_payment_term_id(self):
        for subscription in self:
            partner = subscription.partner_id.with_company(subscription.company_id)
            subscription.payment_term_id = partner.property_payment_term_id

    @api.depends('partner_id', 'company_id')
    def _compute_fiscal_position_id(self):
        for subscription in self:
            if not subscription.partner_id:
                subscription.fiscal_position_id = False
                continue
            subscription.fiscal_position_id = self.env['account.fiscal.position'].with_company(
                subscription.company_id)._get_fiscal_position(subscription.partner_id)

    @api.depends('date_start', 'interval_number', 'interval_unit', 'invoicing_mode')
    def _compute_next_invoice_date(self):
        # Only a draft follows its settings; once active the date is the run's cursor.
        for subscription in self:
            if subscription.state not in (False, 'draft'):
                continue
            subscription.next_invoice_date = subscription._first_due_date()

    @api.depends('line_ids.price_subtotal')
    def _compute_amounts(self):
        for subscription in self:
            subscription.amount_untaxed = sum(subscription.line_ids.mapped('price_subtotal'))

    def _compute_invoice_count(self):
        counts = dict(self.env['account.move']._read_group(
            [('autofaktura_subscription_id', 'in', self.ids)],
            ['autofaktura_subscription_id'], ['__count']))
        for subscription in self:
            subscription.invoice_count = counts.get(subscription, 0)

    @api.depends('name', 'partner_id')
    def _compute_display_name(self):
        for subscription in self:
            if subscription.partner_id:
                subscription.display_name = f"{subscription.name} - {subscription.partner_id.display_name}"
            else:
                subscription.display_name = subscription.name

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains('interval_number')
    def _check_interval_number(self):
        for subscription in self:
            if subscription.interval_number < 1:
                raise ValidationError(self.env._(
                    "The invoicing interval of %(name)s must be at least 1.", name=subscription.name))

    @api.constrains('journal_id')
    def _check_journal_type(self):
        for subscription in self:
            if subscription.journal_id and subscription.journal_id.type != 'sale':
                raise ValidationError(self.env._(
                    "Agreement %(name)s must invoice in a sales journal; %(journal)s is not one.",
                    name=subscription.name, journal=subscription.journal_id.display_name))

    @api.constrains('date_start', 'date_end')
    def _check_dates(self):
        for subscription in self:
            if subscription.date_end and subscription.date_end < subscription.date_start:
                raise ValidationError(self.env._(
                    "The end date of %(name)s cannot be before its start date.", name=subscription.name))

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_interval_vals(vals)
            if not vals.get('name') or vals['name'] == self.env._("New"):
                company = self.env['res.company'].browse(vals.get('company_id')) or self.env.company
                vals['name'] = self.env['ir.sequence'].with_company(company).next_by_code(
                    'autofaktura.subscription') or self.env._("New")
        return super().create(vals_list)

    def write(self, vals):
        self._check_interval_vals(vals)
        grid_fields = {'date_start', 'interval_number', 'interval_unit', 'invoicing_mode'}
        if grid_fields & vals.keys():
            invoiced = self.filtered(lambda s: s.invoice_ids.filtered(lambda m: m.state != 'cancel'))
            changed = invoiced.filtered(lambda s: any(
                s._fields[field].convert_to_write(s[field], s) != vals[field]
                for field in grid_fields & vals.keys()))
            if changed:
                raise UserError(self.env._(
                    "The start date, interval and invoicing mode of %(names)s cannot be changed "
                    "because invoices already cover its periods. Close it and create a new agreement "
                    "instead.", names=", ".join(changed.mapped('name'))))
        return super().write(vals)

    def _check_interval_vals(self, vals):
        # Checked before the row is written, so that bad input leaves nothing behind.
        if 'interval_number' in vals and (vals['interval_number'] or 0) < 1:
            raise ValidationError(self.env._("The invoicing interval must be at least 1."))

    @api.ondelete(at_uninstall=False)
    def _unlink_only_unused(self):
        for subscription in self:
            if subscription.invoice_ids:
                raise UserError(self.env._(
                    "Agreement %(name)s has invoices and cannot be deleted. Close or archive it instead.",
                    name=subscription.name))

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for subscription, vals in zip(self, vals_list):
            vals.setdefault('date_start', fields.Date.context_today(self))
            vals.setdefault('date_end', False)
        return vals_list

    # ------------------------------------------------------------------
    # Periods
    # ------------------------------------------------------------------

    def _first_due_date(self):
        self.ensure_one()
        if not self.date_start or self.interval_number < 1 or not self.interval_unit:
            return False
        return periods.period(self.date_start, 0, self.interval_number,
                              self.interval_unit, self.invoicing_mode).due

    def _next_period_index(self):
        """Index of the period the cursor (next_invoice_date) points at."""
        self.ensure_one()
        if not self.next_invoice_date:
            return 0
        return periods.first_index_due_on_or_after(
            self.date_start, self.interval_number, self.interval_unit, self.invoicing_mode,
            self.next_invoice_date)

    def _get_period(self, index):
        self.ensure_one()
        return periods.period(
            self.date_start, index, self.interval_number, self.interval_unit, self.invoicing_mode)

    def _is_finished_at(self, index):
        self.ensure_one()
        return periods.is_finished(
            self.date_start, self.interval_number, self.interval_unit, index, self.date_end)

    def _invoiced_period_starts(self, cancelled=False):
        """{subscription id: set of period starts} that have an invoice which is not cancelled,
        or with ``cancelled``, whose invoices were all cancelled (freed periods)."""
        result = defaultdict(set)
        if not self.ids:
            return result
        self.env['account.move'].flush_model(
            ['autofaktura_subscription_id', 'autofaktura_period_start', 'state'])
        rows = self.env.execute_query(SQL(
            """SELECT autofaktura_subscription_id, autofaktura_period_start
                 FROM account_move
                WHERE autofaktura_subscription_id IN %s
                  AND autofaktura_period_start IS NOT NULL
             GROUP BY autofaktura_subscription_id, autofaktura_period_start
               HAVING bool_and(state = 'cancel') = %s""",
            tuple(self.ids), cancelled))
        for subscription_id, period_start in rows:
            result[subscription_id].add(period_start)
        return result

    # ------------------------------------------------------------------
    # Invoice values
    # ------------------------------------------------------------------

    def _get_period_label(self, period, lang):
        self.ensure_one()
        env = self.with_context(lang=lang).env
        partner = self.partner_id
        return env._(
            "period %(start)s – %(end)s",
            start=partner._autofaktura_format_date(period.start),
            end=partner._autofaktura_format_date(period.end))

    def _prepare_invoice_vals(self, period, invoice_date):
        self.ensure_one()
        lang = self.partner_id._autofaktura_lang()
        label = self._get_period_label(period, lang)
        lines = []
        for line in self.line_ids:
            lines.append(Command.create(line._prepare_invoice_line_vals(label)))
        return {
            'move_type': 'out_invoice',
            'company_id': self.company_id.id,
            'partner_id': self.partner_id.id,
            'journal_id': self.journal_id.id,
            'currency_id': self.currency_id.id,
            'invoice_date': invoice_date,
            'invoice_payment_term_id': self.payment_term_id.id,
            'fiscal_position_id': self.fiscal_position_id.id,
            'invoice_user_id': self.user_id.id,
            'invoice_origin': self.name,
            'autofaktura_subscription_id': self.id,
            'autofaktura_period_start': period.start,
            'autofaktura_period_end': period.end,
            'invoice_line_ids': lines,
        }

    def _check_invoiceable(self):
        """Raise a UserError telling the user what to fix before this agreement can be invoiced."""
        for subscription in self:
            if not subscription.line_ids:
                raise UserError(self.env._(
                    "Agreement %(name)s has no lines to invoice.", name=subscription.name))
            if not subscription.journal_id.active:
                raise UserError(self.env._(
                    "The sales journal %(journal)s of agreement %(name)s is archived.",
                    journal=subscription.journal_id.display_name, name=subscription.name))
            partner = subscription.partner_id
            if not partner.active:
                raise UserError(self.env._(
                    "The customer %(partner)s of agreement %(name)s is archived.",
                    partner=partner.display_name, name=subscription.name))
            if partner.commercial_partner_id.with_company(subscription.company_id).autofaktura_invoicing_blocked:
                raise UserError(self.env._(
                    "The customer %(partner)s is blocked for invoicing.",
                    partner=partner.display_name))
            for line in subscription.line_ids:
                if line.product_id and not line.product_id.active:
                    raise UserError(self.env._(
                        "The product %(product)s on agreement %(name)s is archived.",
                        product=line.product_id.display_name, name=subscription.name))

    # ------------------------------------------------------------------
    # Invoicing
    # ------------------------------------------------------------------

    def _collect_due_periods(self, today, invoiced, limit=MAX_PERIODS_PER_BATCH):
        """The periods the run must invoice now: due on or before today, from the cursor on,
        skipping those that already have an invoice."""
        self.ensure_one()
        first_index = self._next_period_index()
        due = periods.periods_due(
            self.date_start, self.interval_number, self.interval_unit, self.invoicing_mode,
            first_index, today, date_end=self.date_end, limit=limit)
        return [period for period in due if period.start not in invoiced], first_index + len(due)

    def _advance_cursor(self, next_index):
        """Move next_invoice_date to period ``next_index``; close the agreement after its last one."""
        self.ensure_one()
        if self._is_finished_at(next_index):
            last = self._get_period(next_index - 1) if next_index else False
            self.write({'state': 'closed', 'next_invoice_date': False})
            self.message_post(body=self.env._(
                "The agreement has ended: its last period (%(start)s – %(end)s) is invoiced, "
                "so it was closed automatically.",
                start=format_date(self.env, last.start) if last else '',
                end=format_date(self.env, last.end) if last else ''))
        else:
            next_due = self._get_period(next_index).due
            if self.next_invoice_date != next_due:
                # The run moving its own cursor is no news for the chatter (a user's change is).
                self.with_context(tracking_disable=True).next_invoice_date = next_due

    def _create_invoices(self, vals_list):
        """One create for all invoices, grouped by company; post those whose agreement auto-posts."""
        moves = self.env['account.move']
        by_company = defaultdict(list)
        for vals in vals_list:
            by_company[vals['company_id']].append(vals)
        for company_id, company_vals in by_company.items():
            moves |= self.env['account.move'].with_company(company_id).with_context(
                default_move_type='out_invoice').create(company_vals)
        to_post = moves.filtered(lambda m: m.autofaktura_subscription_id.auto_post)
        self.env['autofaktura.log']._log_each('created', [
            (move, self.env._("Invoice for the period %(start)s – %(end)s",
                              start=format_date(self.env, move.autofaktura_period_start),
                              end=format_date(self.env, move.autofaktura_period_end)))
            for move in moves])
        if to_post:
            to_post._post(soft=False)
        return moves

    def _generate_due_invoices(self, today, isolate_errors=True):
        """Invoice the due periods of these (locked) agreements.

        Tries the whole batch in one create + post; if anything fails, it is retried
        agreement by agreement so that one bad agreement never blocks the others.
        Returns (invoices, failed agreements).
        """
        invoiced = self._invoiced_period_starts()
        plan = []
        for subscription in self:
            due, next_index = subscription._collect_due_periods(today, invoiced[subscription.id])
            plan.append((subscription, due, next_index))

        try:
            with self.env.cr.savepoint():
                to_invoice = self.browse(s.id for s, due, _index in plan if due)
                to_invoice._check_invoiceable()
                vals_list = [
                    subscription._prepare_invoice_vals(period, today)
                    for subscription, due, _index in plan for period in due
                ]
                moves = self._create_invoices(vals_list)
                for subscription, _due, next_index in plan:
                    subscription._advance_cursor(next_index)
                    subscription._clear_invoicing_error()
            return moves, self.browse()
        except Exception:
            if not isolate_errors or len(self) == 1 and not plan[0][1]:
                raise
            self.env.invalidate_all(flush=False)
            if len(self) > 1:
                _logger.info("AutoFaktura: batch of %s agreements failed, retrying one by one", len(self))

        moves = self.env['account.move']
        failed = self.browse()
        for subscription, due, next_index in plan:
            try:
                with self.env.cr.savepoint():
                    if due:
                        subscription._check_invoiceable()
                        moves |= subscription._create_invoices([
                            subscription._prepare_invoice_vals(period, today) for period in due])
                    subscription._advance_cursor(next_index)
                    subscription._clear_invoicing_error()
            except psycopg2.errors.UniqueViolation:
                # Another transaction invoiced one of these periods meanwhile; the next run sees
                # that invoice and moves on, so nothing is invoiced twice.
                self.env.invalidate_all(flush=False)
                subscription._set_invoicing_error(UserError(self.env._(
                    "A period of this agreement was invoiced by another process at the same time; "
                    "it is checked again on the next run.")))
                failed |= subscription
            except Exception as error:  # noqa: BLE001 - one agreement must never stop the run
                self.env.invalidate_all(flush=False)
                if not isinstance(error, (UserError, ValidationError)):
                    _logger.exception("AutoFaktura: invoicing %s failed", subscription.name)
                subscription._set_invoicing_error(error)
                failed |= subscription
        return moves, failed

    def _error_text(self, error):
        if isinstance(error, (UserError, ValidationError)):
            return str(error.args[0]) if error.args else str(error)
        return self.env._("Unexpected error: %(error)s", error=str(error) or type(error).__name__)

    def _set_invoicing_error(self, error):
        self.ensure_one()
        message = self._error_text(error)
        is_new = message != self.invoicing_error
        self.write({'invoicing_error': message, 'invoicing_error_date': fields.Datetime.now()})
        if is_new:
            # One chatter message per distinct error, not one per run.
            self.message_post(body=self.env._("Invoicing failed: %(error)s", error=message))

    def _clear_invoicing_error(self):
        if self.invoicing_error or self.invoicing_error_date:
            self.write({'invoicing_error': False, 'invoicing_error_date': False})

    @api.model
    def _locked_batches(self, model, domain, batch_size, passed_ids, order):
        """Batches of ``model`` records matching ``domain``, each locked for this transaction.

        Rows another worker holds are skipped (SKIP LOCKED) and left to it; what another
        worker committed before we got the lock is re-read and re-checked against the domain.
        ``passed_ids`` (updated here and by the caller) are left out of later batches."""
        while True:
            batch = model.search(domain & Domain('id', 'not in', list(passed_ids)), limit=batch_size, order=order)
            if not batch:
                return
            try:
                locked = batch.try_lock_for_update(allow_referencing=True)
            except (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable):
                # Another worker committed these rows after our snapshot: start a fresh one.
                self.env.cr.rollback()
                continue
            locked.invalidate_recordset()
            locked = locked.filtered_domain(domain)
            passed_ids.update((batch - locked).ids)
            if locked:
                yield locked

    @api.model
    def _commit_run_progress(self, processed, remaining):
        """Commit a batch through ir.cron's progress API; returns the seconds left.

        A test owns its transaction (its cursor cannot commit), so a run called
        straight from a test keeps its batches in that transaction; run as a
        scheduled job (also from a test, via method_direct_trigger) it commits.
        """
        if modules.module.current_test and not self.env.context.get('cron_id'):
            return float('inf')
        return self.env['ir.cron']._commit_progress(processed, remaining=remaining)

    @api.model
    def _get_due_domain(self, today):
        return Domain('state', '=', 'active') & Domain('next_invoice_date', '<=', today)

    @api.model
    def _cron_generate_invoices(self, batch_size=INVOICING_BATCH_SIZE):
        """Scheduled action: invoice every due period of every active agreement."""
        today = fields.Date.context_today(self)
        return self._run_invoicing(self._get_due_domain(today), today, batch_size=batch_size)

    @api.model
    def _run_invoicing(self, domain, today, batch_size=INVOICING_BATCH_SIZE):
        """Invoice the agreements matching ``domain`` (due ones only).

        Works in batches committed through ir.cron's progress API, so a stopped run
        resumes where it left off. Rows are locked with SKIP LOCKED, so several cron
        workers share the agreements instead of invoicing them twice.
        """
        domain = Domain(domain) & self._get_due_domain(today)
        passed_ids = set()  # failed or locked by another worker during this call
        totals = {'invoices': 0, 'agreements': 0, 'failed': 0}
        self._commit_run_progress(0, self.search_count(domain))
        for locked in self._locked_batches(self, domain, batch_size, passed_ids, 'next_invoice_date, id'):
            moves, failed = locked._generate_due_invoices(today)
            passed_ids.update(failed.ids)
            totals['invoices'] += len(moves)
            totals['agreements'] += len(locked - failed)
            totals['failed'] += len(failed)
            remaining = self.search_count(domain & Domain('id', 'not in', list(passed_ids)))
            if not self._commit_run_progress(len(locked), remaining):
                break
        _logger.info(
            "AutoFaktura invoicing run: %(invoices)s invoices for %(agreements)s agreements, "
            "%(failed)s agreements failed", totals)
        if totals['invoices'] or totals['failed']:
            self.env['autofaktura.log']._log('run', self.env._(
                "Invoicing run: %(due)s agreements due, %(invoices)s invoices created, %(failed)s failed.",
                due=totals['agreements'] + totals['failed'], invoices=totals['invoices'],
                failed=totals['failed']))
            delivery_cron = self.env.ref('elmer_autofaktura.ir_cron_autofaktura_deliver', raise_if_not_found=False)
            if delivery_cron and totals['invoices']:
                delivery_cron._trigger()
        return totals

    @api.model
    def _setup_demo(self):
        """Demo data: an FI-kort +71 sales journal and Danish-speaking Danish customers."""
        journal = self.env['account.journal'].search(
            [('type', '=', 'sale'), ('company_id', '=', self.env.company.id)], limit=1)
        if journal and not journal.autofaktura_fik_type:
            journal.write({'autofaktura_fik_type': '71', 'autofaktura_fik_creditor': '81234567'})
        if 'da_DK' in dict(self.env['res.lang'].get_installed()):
            partners = self.env['res.partner'].search([
                ('id', 'in', [self.env.ref(f'elmer_autofaktura.demo_partner_{name}').id
                              for name in ('tina', 'boldklub', 'jensen')])])
            partners.lang = 'da_DK'

    # ------------------------------------------------------------------
    # Delivery run
    # ------------------------------------------------------------------

    @api.model
    def _get_delivery_domain(self):
        return Domain([
            ('autofaktura_subscription_id', '!=', False),
            ('state', '=', 'posted'),
            ('autofaktura_delivery_state', 'in', ('pending', 'failed')),
        ])

    @api.model
    def _cron_deliver(self, batch_size=DELIVERY_BATCH_SIZE):
        """Scheduled action: archive, email and queue as letters the posted AutoFaktura
        invoices not delivered yet. Separate from invoicing, so that PDFs and mail never hold
        up (or roll back) a posted invoice; a failure is logged and retried on the next run.
        Invoices are locked with SKIP LOCKED, so several cron workers render in parallel."""
        Move = self.env['account.move']
        domain = self._get_delivery_domain()
        passed_ids = set()
        totals = {'delivered': 0, 'failed': 0}
        self._commit_run_progress(0, Move.search_count(domain))
        for locked in self._locked_batches(Move, domain, batch_size, passed_ids, 'id'):
            # Each invoice once per run, whatever happens to it meanwhile (e.g. a refused email).
            passed_ids.update(locked.ids)
            for move in locked:
                try:
                    move._autofaktura_deliver()
                    totals['delivered'] += 1
                except Exception as error:  # noqa: BLE001 - one invoice must never stop the run
                    self.env.invalidate_all(flush=False)
                    if not isinstance(error, (UserError, ValidationError)):
                        _logger.exception("AutoFaktura: delivering %s failed", move.name)
                    move._autofaktura_delivery_failed(error)
                    totals['failed'] += 1
            remaining = Move.search_count(domain & Domain('id', 'not in', list(passed_ids)))
            if not self._commit_run_progress(len(locked), remaining):
                break
        if totals['delivered'] or totals['failed']:
            self.env['autofaktura.log']._log('run', self.env._(
                "Delivery run: %(delivered)s invoices delivered, %(failed)s failed.", **totals))
        return totals

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_activable(self):
        today = fields.Date.context_today(self)
        for subscription in self:
            if not subscription.line_ids:
                raise UserError(self.env._(
                    "Add at least one line to agreement %(name)s before activating it.",
                    name=subscription.name))
            if subscription.state == 'closed' and subscription.date_end and subscription.date_end < today:
                raise UserError(self.env._(
                    "Agreement %(name)s ended on %(date)s and cannot be reactivated. "
                    "Extend its end date first, or create a new agreement.",
                    name=subscription.name, date=format_date(self.env, subscription.date_end)))
            if subscription.state == 'closed' and subscription._is_finished_at(
                    subscription._next_period_index() if subscription.next_invoice_date else 0):
                raise UserError(self.env._(
                    "Every period of agreement %(name)s up to its end date is invoiced; "
                    "extend its end date to reactivate it.", name=subscription.name))

    def action_activate(self):
        self._check_activable()
        today = fields.Date.context_today(self)
        for subscription in self:
            if subscription.state == 'active':
                continue
            if subscription.state == 'draft':
                first_due = subscription._first_due_date()
                if not subscription.next_invoice_date or subscription.next_invoice_date < first_due:
                    subscription.next_invoice_date = first_due
                subscription.state = 'active'
            else:
                # Reopening a closed agreement: periods that fell due meanwhile are not invoiced.
                subscription.state = 'active'
                subscription._skip_periods_due_before(today)
        return True

    def action_pause(self):
        for subscription in self:
            if subscription.state != 'active':
                raise UserError(self.env._(
                    "Only an active agreement can be paused (%(name)s is %(state)s).",
                    name=subscription.name, state=subscription._state_label()))
        self.state = 'paused'
        return True

    def action_resume(self):
        today = fields.Date.context_today(self)
        for subscription in self:
            if subscription.state != 'paused':
                raise UserError(self.env._(
                    "Only a paused agreement can be resumed (%(name)s is %(state)s).",
                    name=subscription.name, state=subscription._state_label()))
            subscription.state = 'active'
            subscription._skip_periods_due_before(today)
        return True

    def action_close(self):
        for subscription in self:
            if subscription.state == 'closed':
                continue
            subscription.state = 'closed'
        return True

    def action_draft(self):
        for subscription in self:
            if subscription.invoice_ids:
                raise UserError(self.env._(
                    "Agreement %(name)s already has invoices and cannot go back to draft.",
                    name=subscription.name))
        self.state = 'draft'
        return True

    def _state_label(self):
        self.ensure_one()
        return dict(self._fields['state']._description_selection(self.env))[self.state]

    def _skip_periods_due_before(self, day):
        """After a pause or a closure: leave out the periods that fell due meanwhile."""
        self.ensure_one()
        if not self.next_invoice_date or self.next_invoice_date >= day:
            return
        first_index = self._next_period_index()
        next_index = periods.first_index_due_on_or_after(
            self.date_start, self.interval_number, self.interval_unit, self.invoicing_mode, day)
        skipped = list(periods.iter_periods(
            self.date_start, self.interval_number, self.interval_unit, self.invoicing_mode,
            first_index=first_index, date_end=self.date_end, count=next_index - first_index))
        self._advance_cursor(next_index)
        if skipped:
            self.message_post(body=self.env._(
                "%(count)s period(s) that fell due while the agreement was not active will not be "
                "invoiced (%(start)s – %(end)s). Move the next invoice date back to invoice them.",
                count=len(skipped), start=format_date(self.env, skipped[0].start),
                end=format_date(self.env, skipped[-1].end)))

    def action_generate_invoices(self):
        """"Invoice now": invoice what is due (also periods freed by cancelled invoices);
        when nothing is due, invoice the next period ahead of time."""
        today = fields.Date.context_today(self)
        drafts = self.filtered(lambda s: s.state == 'draft')
        if drafts:
            drafts.action_activate()
        for subscription in self:
            if subscription.state != 'active':
                raise UserError(self.env._(
                    "Agreement %(name)s is %(state)s; only active agreements can be invoiced.",
                    name=subscription.name, state=subscription._state_label()))
        try:
            self.lock_for_update(allow_referencing=True)
        except LockError:
            raise UserError(self.env._(
                "These agreements are being invoiced by the scheduled run right now. "
                "Try again in a moment.")) from None
        self._check_invoiceable()
        invoiced = self._invoiced_period_starts()
        freed = self._invoiced_period_starts(cancelled=True)
        moves = self.env['account.move']
        for subscription in self:
            already = invoiced[subscription.id]
            first_index = subscription._next_period_index()
            refill = []
            if freed[subscription.id]:
                refill = [
                    period for period in periods.iter_periods(
                        subscription.date_start, subscription.interval_number,
                        subscription.interval_unit, subscription.invoicing_mode,
                        date_end=subscription.date_end, count=first_index)
                    if period.start in freed[subscription.id] and period.start not in already
                ]
            due, next_index = subscription._collect_due_periods(today, already, limit=None)
            to_invoice = refill + due
            if not to_invoice and not subscription._is_finished_at(next_index):
                ahead = subscription._get_period(next_index)
                if ahead.start not in already:
                    to_invoice = [ahead]
                next_index += 1
            if not to_invoice:
                raise UserError(self.env._(
                    "Agreement %(name)s has nothing left to invoice.", name=subscription.name))
            moves |= subscription._create_invoices([
                subscription._prepare_invoice_vals(period, today) for period in to_invoice])
            subscription._advance_cursor(next_index)
            subscription._clear_invoicing_error()
        return self._action_view_invoices(moves)

    def _action_view_invoices(self, invoices):
        action = self.env['ir.actions.act_window']._for_xml_id('account.action_move_out_invoice_type')
        if len(invoices) == 1:
            action.update({
                'views': [(self.env.ref('account.view_move_form').id, 'form')],
                'res_id': invoices.id,
            })
        else:
            action['domain'] = [('id', 'in', invoices.ids)]
        action['context'] = {'default_move_type': 'out_invoice', 'create': False}
        return action

    # ------------------------------------------------------------------
    # The Standard button ("NemBrug")
    # ------------------------------------------------------------------

    def action_save_standard(self):
        """Save this agreement's settings (and its lines) as the current user's standard."""
        self.ensure_one()
        Standard = self.env['autofaktura.standard']
        standard = Standard._get_personal(self.company_id)
        values = {name: self[name].id if isinstance(self[name], models.BaseModel) else self[name]
                  for name in STANDARD_FIELDS}
        values['line_ids'] = [Command.clear()] + [Command.create({
            'sequence': line.sequence, 'product_id': line.product_id.id, 'name': line.name,
            'quantity': line.quantity, 'price_unit': line.price_unit, 'discount': line.discount,
            'tax_ids': [Command.set(line.tax_ids.ids)],
        }) for line in self.line_ids]
        if standard:
            standard.write(values)
        else:
            standard = Standard.create({
                **values,
                'name': self.env._("Standard of %(user)s", user=self.env.user.name),
                'user_id': self.env.uid,
                'company_id': self.company_id.id,
            })
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'type': 'success',
                'message': self.env._("Saved as your standard. Press Standard on a new agreement to use it."),
                'next': {'type': 'ir.actions.act_window_close'},
            },
        }

    def action_apply_standard(self):
        """Fill this new or draft agreement with the current user's standard."""
        for subscription in self:
            if subscription.state != 'draft':
                raise UserError(self.env._(
                    "The standard fills in new and draft agreements only; %(name)s is %(state)s.",
                    name=subscription.name, state=subscription._state_label()))
            standard = self.env['autofaktura.standard']._get_personal(subscription.company_id)
            if not standard:
                raise UserError(self.env._(
                    "You have no standard yet. Fill in an agreement the way you like it and press "
                    "Save as my standard."))
            subscription.write(standard._values_for_subscription(subscription))
        return True

    # ------------------------------------------------------------------
    # Forecast
    # ------------------------------------------------------------------

    def _forecast_periods(self, date_to, today=None):
        """[(subscription, period, invoice date)] the coming runs will invoice up to ``date_to``,
        computed exactly as the run does (cursor, already invoiced periods, end date)."""
        today = today or fields.Date.context_today(self)
        invoiced = self._invoiced_period_starts()
        result = []
        for subscription in self.filtered(lambda s: s.state == 'active' and s.next_invoice_date):
            due, _next_index = subscription._collect_due_periods(
                date_to, invoiced[subscription.id], limit=None)
            result.extend((subscription, period, max(period.due, today)) for period in due)
        return result

    @api.model
    def action_open_forecast(self, months=12):
        """Fill the forecast with the invoices of the next ``months`` months and open it."""
        today = fields.Date.context_today(self)
        date_to = periods.add_months(today, months)
        Forecast = self.env['autofaktura.forecast.line']
        Forecast.search([('create_uid', '=', self.env.uid)]).unlink()
        subscriptions = self.search([('state', '=', 'active'), ('company_id', 'in', self.env.companies.ids)])
        Forecast.create([{
            'date': invoice_date,
            'subscription_id': subscription.id,
            'period_start': period.start,
            'period_end': period.end,
            'amount_untaxed': subscription.amount_untaxed,
        } for subscription, period, invoice_date in subscriptions._forecast_periods(date_to, today)])
        return self.env['ir.actions.act_window']._for_xml_id('elmer_autofaktura.action_autofaktura_forecast')

    def action_view_log(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('elmer_autofaktura.action_autofaktura_log')
        action['domain'] = [('subscription_id', '=', self.id)]
        return action

    def action_customize_mail_template(self):
        """Give this agreement its own copy of its email template, to change the text for it alone."""
        self.ensure_one()
        template = self.mail_template_id or self.env.ref('elmer_autofaktura.mail_template_autofaktura_invoice')
        if not template.autofaktura_subscription_id:
            # The copy repeats the shared template as it is (sudo: its placeholders may be more than a
            # template editor's); what the user then writes into it is checked by Odoo's
            # template-editor rules as usual.
            template = template.sudo().copy({
                'name': self.env._("%(template)s (%(agreement)s)", template=template.name, agreement=self.name),
                'autofaktura_subscription_id': self.id,
            }).sudo(False)
            self.mail_template_id = template
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'mail.template',
            'res_id': template.id,
            'view_mode': 'form',
            'target': 'current',
        }

    def action_preview_mail(self):
        """Show the merged email for one of this agreement's invoices (Odoo's template preview)."""
        self.ensure_one()
        template = self.mail_template_id or self.env.ref('elmer_autofaktura.mail_template_autofaktura_invoice')
        invoice = self.invoice_ids.filtered(lambda m: m.state == 'posted')[:1] or self.invoice_ids[:1]
        if not invoice:
            raise UserError(self.env._("Agreement %(name)s has no invoice to preview the email with yet.",
                                       name=self.name))
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._("Email Preview"),
            'res_model': 'mail.template.preview',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_mail_template_id': template.id, 'default_resource_ref': f'account.move,{invoice.id}'},
        }

    def action_view_invoices(self):
        self.ensure_one()
        action = self._action_view_invoices(self.invoice_ids)
        if len(self.invoice_ids) != 1:
            action['domain'] = [('autofaktura_subscription_id', '=', self.id)]
        return action
