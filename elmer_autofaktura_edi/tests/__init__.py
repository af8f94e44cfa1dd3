from . import test_einvoice_payment_means
