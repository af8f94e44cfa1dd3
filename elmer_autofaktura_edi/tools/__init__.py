# Odoo-free: the PaymentMeans nodes of e-invoices for an FI-kort code.
