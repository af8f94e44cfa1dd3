from . import account_edi_xml_oioubl_201
from . import account_edi_xml_oioubl_21
from . import account_edi_xml_ubl_bis3
