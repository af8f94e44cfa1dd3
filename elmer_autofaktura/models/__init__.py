from . import autofaktura_agreement_type
from . import autofaktura_subscription
from . import autofaktura_subscription_line
from . import account_move
from . import res_partner
from . import res_company
from . import res_config_settings
from . import account_journal
