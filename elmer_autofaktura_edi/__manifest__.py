{
    'name': "Elmer AutoFaktura - FI-kort in e-invoices",
    'version': '19.0.1.0.0',
    'summary': "FI-kort payment codes in OIOUBL (NemHandel) and Peppol BIS 3 e-invoices",
    'category': 'Accounting/Accounting',
    'author': "Elmer Systems",
    'website': "https://www.elmersystems.dk",
    'license': 'LGPL-3',
    'depends': ['elmer_autofaktura', 'l10n_dk_oioubl', 'l10n_dk_nemhandel'],
    'auto_install': True,
}
