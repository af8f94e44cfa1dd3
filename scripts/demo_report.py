"""Run inside ``odoo shell`` (the name ``env`` is given): one invoicing run on the
demo database, then a report of what it did."""
# pylint: disable=undefined-variable
from odoo import fields

Subscription = env['autofaktura.subscription']  # noqa: F821
today = fields.Date.context_today(Subscription)
before = set(env['account.move'].search([('autofaktura_subscription_id', '!=', False)]).ids)  # noqa: F821
totals = Subscription._cron_generate_invoices()
env.cr.commit()  # noqa: F821
new = env['account.move'].search(  # noqa: F821
    [('autofaktura_subscription_id', '!=', False), ('id', 'not in', list(before))],
    order='autofaktura_subscription_id, autofaktura_period_start')
print()
print(f"AutoFaktura run of {today}: {totals['invoices']} invoices for {totals['agreements']} "
      f"agreements, {totals['failed']} failed")
print()
print(f"{'Invoice':<18} {'State':<7} {'Agreement':<9} {'Customer':<22} {'Period':<25} {'Total':>12}")
for move in new:
    period = f"{move.autofaktura_period_start} - {move.autofaktura_period_end}"
    print(f"{move.name:<18} {move.state:<7} {move.autofaktura_subscription_id.name:<9} "
          f"{move.partner_id.name[:22]:<22} {period:<25} {move.amount_total:>8.2f} {move.currency_id.name}")
print()
print(f"{'Agreement':<9} {'Customer':<22} {'Type':<22} {'Every':<10} {'Mode':<8} {'State':<7} Next invoice")
for subscription in Subscription.search([]):
    print(f"{subscription.name:<9} {subscription.partner_id.name[:22]:<22} "
          f"{(subscription.agreement_type_id.name or '')[:22]:<22} "
          f"{subscription.interval_number} {subscription.interval_unit:<8} {subscription.invoicing_mode:<8} "
          f"{subscription.state:<7} {subscription.next_invoice_date or '-'}"
          + (f"  FAILED: {subscription.invoicing_error}" if subscription.invoicing_error else ""))
