"""Every visible string in ui/ goes through tr("…") and has an English translation.

Scans every .py under ui/ with `ast`:
- each `tr("…")` literal (and each page's `title_ja = "…"`) must be a key of
  resources/translations/en.json with an English value using the same {placeholders};
- `tr()` with a non-literal first argument is allowed only for a page's `title_ja`;
- a Japanese string literal passed straight to a widget text setter (setText, setWindowTitle,
  QLabel(...), QPushButton(...), addAction, showMessage, …) without tr fails.
"""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "ui"
CATALOGUE = ROOT / "resources" / "translations" / "en.json"
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")
KANA = re.compile(r"[\u3040-\u30ff]")
TEXT_SETTERS = {
    "setText", "setWindowTitle", "setPlaceholderText", "setToolTip", "setStatusTip",
    "setWhatsThis", "setTitle", "setLabelText", "addAction", "addMenu", "addTab", "addItem",
    "addItems", "showMessage", "setHeaderLabels", "setHorizontalHeaderLabels", "setTabText",
    "setButtonText", "setSuffix", "setPrefix", "setSpecialValueText", "setHtml",
    "setMarkdown", "setPlainText", "setInformativeText", "setDetailedText", "setWindowIconText",
    "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction", "QMenu",
    "QToolButton", "QCommandLinkButton", "information", "warning", "critical", "question",
    "about", "getText", "getOpenFileName", "getOpenFileNames", "getSaveFileName",
    "getExistingDirectory", "QProgressDialog", "QMessageBox", "setToolTipText",
}


def ui_files() -> list[Path]:
    return sorted(p for p in UI.rglob("*.py") if "__pycache__" not in p.parts)


def catalogue() -> dict[str, str]:
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _japanese_literals(node: ast.AST) -> list[str]:
    """Japanese string constants directly in `node` (also inside f-strings and + joins)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if JAPANESE.search(node.value) else []
    if isinstance(node, ast.JoinedStr):
        return [v for part in node.values for v in _japanese_literals(part)]
    if isinstance(node, ast.BinOp):
        return _japanese_literals(node.left) + _japanese_literals(node.right)
    return []


class Scan(ast.NodeVisitor):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.keys: list[tuple[str, int]] = []
        self.problems: list[str] = []

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node)
        if name == "tr":
            self._check_tr(node)
        elif name in TEXT_SETTERS:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                for text in _japanese_literals(arg):
                    self.problems.append(f"{self.where(node)}: {name}({text!r}) without tr()")
        self.generic_visit(node)

    def _check_tr(self, node: ast.Call) -> None:
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            self.keys.append((first.value, node.lineno))
        elif first is None or "title_ja" not in ast.unparse(first):
            self.problems.append(f"{self.where(node)}: tr() needs a string literal")

    def visit_Assign(self, node: ast.Assign) -> None:
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        value = node.value
        if "title_ja" in names and isinstance(value, ast.Constant) and value.value:
            self.keys.append((value.value, node.lineno))
        self.generic_visit(node)


def scan_all() -> list[Scan]:
    scans = []
    for path in ui_files():
        scan = Scan(path)
        scan.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        scans.append(scan)
    return scans


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogue_is_a_json_object_of_strings() -> None:
    data = catalogue()
    assert isinstance(data, dict)
    bad = [k for k, v in data.items() if not isinstance(v, str) or not v.strip()]
    assert not bad, f"empty or non-string translations: {bad}"


def test_every_tr_literal_is_translated() -> None:
    data = catalogue()
    missing = [f"{scan.path.relative_to(ROOT)}:{line}: {key!r}"
               for scan in scan_all() for key, line in scan.keys if key not in data]
    assert not missing, "missing from en.json:\n" + "\n".join(missing)


def test_translations_keep_placeholders_and_are_english() -> None:
    data = catalogue()
    used = {key for scan in scan_all() for key, _ in scan.keys}
    wrong = [f"{key!r} → {data[key]!r}" for key in sorted(used & data.keys())
             if placeholders(key) != placeholders(data[key]) or KANA.search(data[key])]
    assert not wrong, "placeholders differ or Japanese left in the English text:\n" + \
        "\n".join(wrong)


def test_no_japanese_text_shown_without_tr() -> None:
    problems = [p for scan in scan_all() for p in scan.problems]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("source, expected", [
    ('w.setText("保存")', 1), ('QLabel("部局", self)', 1), ('w.setText(tr("保存"))', 0),
    ('w.setText(f"{x}件")', 1), ('w.setText("OK")', 0), ('tr(name)', 1),
])
def test_scanner_catches_untranslated_text(source: str, expected: int) -> None:
    scan = Scan(UI / "example.py")
    scan.visit(ast.parse(source))
    assert len(scan.problems) == expected
