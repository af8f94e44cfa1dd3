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
ADDONS = sorted(path.parent for path in ROOT.glob("*/__manifest__.py"))


@pytest.fixture(scope="module", params=ADDONS, ids=lambda path: path.name)
def addon(request):
    return request.param


@pytest.fixture(scope="module")
def manifest(addon):
    return ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))


def test_manifest(manifest):
    assert re.fullmatch(r"19\.0\.\d+\.\d+\.\d+", manifest["version"])
    assert "account" in manifest["depends"] or "elmer_autofaktura" in manifest["depends"]
    assert manifest["license"] == "LGPL-3"
    assert manifest["author"]
    for key in ("name", "summary", "category"):
        assert manifest.get(key), key


def test_every_listed_file_exists(addon, manifest):
    for path in manifest.get("data", []) + manifest.get("demo", []):
        assert (addon / path).is_file(), path


def test_every_xml_and_csv_is_listed(addon, manifest):
    listed = set(manifest.get("data", [])) | set(manifest.get("demo", []))
    for path in addon.rglob("*"):
        relative = path.relative_to(addon).as_posix()
        if path.suffix in (".xml", ".csv") and not relative.startswith("static/"):
            assert relative in listed, f"{relative} is not in the manifest"


@pytest.mark.parametrize("path", sorted(ROOT.glob("*/**/*.xml")), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_xml_well_formed(path):
    root = ElementTree.parse(path).getroot()
    if "/static/" not in path.relative_to(ROOT).as_posix():
        assert root.tag == "odoo"
        # Odoo 19: no <tree>, no attrs/states
        for element in root.iter():
            assert element.tag != "tree", f"{path.name}: use <list>"
            assert "attrs" not in element.attrib and "states" not in element.attrib, path.name


def _defined_models():
    models = {}
    for path in [*(ADDON / "models").glob("*.py"), *(ADDON / "wizard").glob("*.py")]:
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


def test_danish_translation_is_complete(addon):
    polib = pytest.importorskip("polib")
    pot_path = addon / "i18n" / f"{addon.name}.pot"
    if not pot_path.exists():
        pytest.skip(f"{addon.name} has no translatable terms")
    pot = polib.pofile(str(pot_path))
    po = polib.pofile(str(addon / "i18n" / "da.po"))
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
        [sys.executable, "-m", "pylint", "--rcfile", str(ROOT / ".pylintrc"), *(a.name for a in ADDONS)],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
