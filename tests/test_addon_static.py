"""Static checks of the addon that need no Odoo: manifest, data files, XML,
access rights, translations and pylint-odoo."""
import ast
import csv
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parents[1]
ADDON = ROOT / "elmer_autofaktura"


@pytest.fixture(scope="module")
def manifest():
    return ast.literal_eval((ADDON / "__manifest__.py").read_text(encoding="utf-8"))


def test_manifest(manifest):
    assert re.fullmatch(r"19\.0\.\d+\.\d+\.\d+", manifest["version"])
    assert "account" in manifest["depends"]
    assert manifest["license"] == "LGPL-3"
    assert manifest["author"]
    for key in ("name", "summary", "category", "data"):
        assert manifest.get(key), key


def test_every_listed_file_exists(manifest):
    for path in manifest["data"] + manifest.get("demo", []):
        assert (ADDON / path).is_file(), path


def test_every_xml_and_csv_is_listed(manifest):
    listed = set(manifest["data"]) | set(manifest.get("demo", []))
    for path in ADDON.rglob("*"):
        relative = path.relative_to(ADDON).as_posix()
        if path.suffix in (".xml", ".csv") and not relative.startswith("static/"):
            assert relative in listed, f"{relative} is not in the manifest"


@pytest.mark.parametrize("path", sorted(ADDON.rglob("*.xml")), ids=lambda p: p.relative_to(ADDON).as_posix())
def test_xml_well_formed(path):
    root = ElementTree.parse(path).getroot()
    if not path.relative_to(ADDON).as_posix().startswith("static/"):
        assert root.tag == "odoo"
        # Odoo 19: no <tree>, no attrs/states
        for element in root.iter():
            assert element.tag != "tree", f"{path.name}: use <list>"
            assert "attrs" not in element.attrib and "states" not in element.attrib, path.name


def _defined_models():
    models = {}
    for path in (ADDON / "models").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {t.id: v for stmt in node.body if isinstance(stmt, ast.Assign)
                         for t in stmt.targets if isinstance(t, ast.Name)
                         for v in [stmt.value]}
                if "_name" in names and isinstance(names["_name"], ast.Constant):
                    abstract = any(isinstance(b, ast.Attribute) and b.attr in ("AbstractModel", "TransientModel")
                                   for b in node.bases)
                    models[names["_name"].value] = (path, abstract)
    return models


def test_one_model_per_file_named_after_it():
    for name, (path, _abstract) in _defined_models().items():
        assert path.stem == name.replace(".", "_"), f"{name} lives in {path.name}"


def test_access_rights_for_every_model():
    with open(ADDON / "security" / "ir.model.access.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "duplicate access ids"
    covered = {row["model_id:id"] for row in rows}
    for name, (_path, abstract) in _defined_models().items():
        if not abstract:
            assert "model_" + name.replace(".", "_") in covered, f"no access rights for {name}"
    for row in rows:
        assert row["group_id:id"], f"{row['id']} grants access to everybody"


def test_danish_translation_is_complete():
    polib = pytest.importorskip("polib")
    pot = polib.pofile(str(ADDON / "i18n" / "elmer_autofaktura.pot"))
    po = polib.pofile(str(ADDON / "i18n" / "da.po"))
    translated = {(entry.msgctxt, entry.msgid) for entry in po if entry.msgstr and not entry.obsolete}
    missing = [entry.msgid for entry in pot if (entry.msgctxt, entry.msgid) not in translated]
    assert not missing, f"{len(missing)} strings lack a Danish translation, e.g. {missing[:5]}"
    placeholder = re.compile(r"%\(\w+\)s|%s|\{\{.*?\}\}")
    for entry in po:
        if entry.msgstr:
            assert sorted(placeholder.findall(entry.msgid)) == sorted(placeholder.findall(entry.msgstr)), \
                f"placeholders differ in the translation of {entry.msgid!r}"


def test_pylint_odoo():
    pytest.importorskip("pylint_odoo")
    result = subprocess.run(
        [sys.executable, "-m", "pylint", "--rcfile", str(ROOT / ".pylintrc"), "elmer_autofaktura"],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
