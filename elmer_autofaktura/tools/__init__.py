# Odoo-free helpers (no Odoo import here): period arithmetic and FI-kort codes.
# They are imported by module path (``from ..tools import periods``) and tested
# with plain pytest in the project's top-level tests/.
