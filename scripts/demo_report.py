"""Run inside ``odoo shell`` (the name ``env`` is given): one invoicing run on the
demo database, then a report of what it did."""
# pylint: disable=undefined-variable
from odoo import fields

Subscription = env['autofaktura.subscription']  # noqa: F821
today = fields.Date.context_today(Subscription)
before = set(env['account.move'].search([('autofaktura_subscription_id', '!=', False)]).ids)  # noqa: F821
totals = Subscription._cron_generate_invoices()
env.cr.commit()  # noqa: F821
delivery = Subscription._cron_deliver()
env.cr.commit()  # noqa: F821
new = env['account.move'].search(  # noqa: F821
    [('autofaktura_subscription_id', '!=', False), ('id', 'not in', list(before))],
    order='autofaktura_subscription_id, autofaktura_period_start')
print()
print(f"AutoFaktura run of {today}: {totals['invoices']} invoices for {totals['agreements']} "
      f"agreements, {totals['failed']} failed")
print(f"Delivery run: {delivery['delivered']} invoices delivered, {delivery['failed']} failed")
print()
print(f"{'Invoice':<16} {'Agreement':<9} {'Customer':<20} {'Period':<24} {'Total':>13}  Delivery")
for move in new:
    period = f"{move.autofaktura_period_start} - {move.autofaktura_period_end}"
    sent = ', '.join(filter(None, [
        'emailed' if move.autofaktura_emailed_date else '',
        'letter in print queue' if move.autofaktura_letter_state == 'to_print' else '',
        f"FAILED: {move.autofaktura_delivery_error}" if move.autofaktura_delivery_state == 'failed' else '']))
    print(f"{move.name:<16} {move.autofaktura_subscription_id.name:<9} {move.partner_id.name[:20]:<20} "
          f"{period:<24} {move.amount_total:>9.2f} {move.currency_id.name}  "
          f"{move.autofaktura_document_number or '-'} {sent}")
    if move.invoice_pdf_report_id:
        print(f"{'':<16} archived: {move.invoice_pdf_report_id.name}")
print()
print(f"{'Agreement':<9} {'Customer':<22} {'Type':<22} {'Every':<10} {'Mode':<8} {'State':<7} Next invoice")
for subscription in Subscription.search([]):
    print(f"{subscription.name:<9} {subscription.partner_id.name[:22]:<22} "
          f"{(subscription.agreement_type_id.name or '')[:22]:<22} "
          f"{subscription.interval_number} {subscription.interval_unit:<8} {subscription.invoicing_mode:<8} "
          f"{subscription.state:<7} {subscription.next_invoice_date or '-'}"
          + (f"  FAILED: {subscription.invoicing_error}" if subscription.invoicing_error else ""))
