from . import test_subscription
from . import test_invoicing_run
from . import test_concurrency
from . import test_fik_payment_reference
from . import test_delivery
from . import test_standard_and_forecast
from . import test_security
