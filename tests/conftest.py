"""Odoo-free tests: the addon's tools/ modules are imported as top-level modules,
so that importing them never imports the addon (and so Odoo)."""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "elmer_autofaktura" / "tools"))
sys.path.insert(0, str(ROOT / "elmer_autofaktura_edi" / "tools"))
