"""The core's packages depend one way and its modules in no circle.

Layers, lowest first: errors, files < store < figures < plan < returns < report < cli. A module
may import its own layer and lower ones, never a higher one — not even inside a function,
where an upward import would hide until that function runs. `dxtracker/__init__.py` and
`__main__.py` stand above them all (the program's entry calls the command line). The module
graph must also be acyclic: two modules that import each other cannot be understood, tested or
moved one at a time. Imports under `if TYPE_CHECKING:` count for the layers but not for circles:
they never run, and models that refer to each other (a KPI's project, a project's KPIs) need
them for their annotations.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

import dxtracker

LAYERS: dict[str, int] = {
    "errors": 0, "files": 0, "store": 1, "figures": 2, "plan": 3, "returns": 4, "report": 5,
    "cli": 6,
}
TOP = len(LAYERS)  # the package's own __init__ and __main__


@dataclass(frozen=True)
class Import:
    importer: str       # dotted module name
    imported: str       # dotted module name (or the package, for an attribute of it)
    line: int
    module_level: bool  # False inside a function or class body
    type_only: bool = False  # under `if TYPE_CHECKING:`


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Every module under `root/package` by dotted name (a package by its own name)."""
    names: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imports_of(name: str, path: Path, package: str, modules: dict[str, Path]) -> list[Import]:
    """The imports of `package` modules made anywhere in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def visit(nodes: Iterable[ast.AST], module_level: bool, type_only: bool) -> None:
        for child in nodes:
            nested = module_level and not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                visit(child.body, module_level, True)
                visit(child.orelse, module_level, type_only)
                continue
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = _absolute(name, is_package, child.module, child.level)
                # `from dxtracker import cli` imports the module dxtracker.cli
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in child.names]
            else:
                visit(ast.iter_child_nodes(child), nested, type_only)
                continue
            found.extend(Import(name, target, child.lineno, module_level, type_only)
                         for target in targets
                         if target == package or target.startswith(package + "."))

    visit(tree.body, True, False)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _absolute(name: str, is_package: bool, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    parts = name.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def layer_of(module: str, package: str) -> int:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__main__":
        return TOP
    return LAYERS[parts[1]]


def all_imports(root: Path, package: str) -> list[Import]:
    modules = module_names(root, package)
    return [imp for name, path in modules.items()
            for imp in imports_of(name, path, package, modules)]


def upward_imports(imports: list[Import], package: str) -> list[str]:
    problems = []
    for imp in imports:
        if imp.imported == package:
            continue  # the package's own attributes (__version__, APP_NAME)
        if layer_of(imp.imported, package) > layer_of(imp.importer, package):
            problems.append(f"{imp.importer}:{imp.line} imports {imp.imported}")
    return problems


def find_cycle(imports: list[Import], package: str, module_level_only: bool) -> list[str]:
    """One import circle as a list of modules, or [] when the graph is acyclic.

    Imports of the package itself (`from dxtracker import __version__`) are left out: every
    module loads the package first anyway, and its __init__ may import the command line."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        if imp.importer != imp.imported != package and not imp.type_only and (
                imp.module_level or not module_level_only):
            graph.setdefault(imp.importer, set()).add(imp.imported)
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def walk(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (cycle := walk(start)):
            return cycle
    return []


CORE_ROOT = Path(dxtracker.__file__).parent.parent


def test_no_core_module_imports_a_higher_layer():
    imports = all_imports(CORE_ROOT, "dxtracker")
    assert len(imports) > 100  # the checker did find the imports
    assert upward_imports(imports, "dxtracker") == []


def test_the_core_modules_import_in_no_circle():
    # every import counts, those inside functions too: a circle there is a circle all the same
    assert find_cycle(all_imports(CORE_ROOT, "dxtracker"), "dxtracker",
                      module_level_only=False) == []


def test_every_package_has_a_layer():
    packages = {name.split(".")[1] for name in module_names(CORE_ROOT, "dxtracker")
                if name.count(".") >= 1 and name.split(".")[1] != "__main__"}
    assert packages <= set(LAYERS)


# The checker itself, on a tiny tree: it must see what the real tree is meant not to have.

def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for relative, text in {"dxtracker/__init__.py": "", **files}.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("source", "imported", "line"), [
    ("from dxtracker.plan.edit import x\n", "dxtracker.plan.edit", 1),
    ("import dxtracker.plan.edit\n", "dxtracker.plan.edit", 1),
    ("from dxtracker import plan\n", "dxtracker.plan", 1),
    ("from dxtracker.plan import edit\n", "dxtracker.plan.edit", 1),
    ("from ...plan import edit\n", "dxtracker.plan.edit", 1),
    ("def f():\n    if True:\n        from dxtracker.plan.edit import x\n",
     "dxtracker.plan.edit", 3),
    ("class C:\n    def m(self):\n        import dxtracker.plan\n", "dxtracker.plan", 3),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from dxtracker.plan import edit\n",
     "dxtracker.plan.edit", 3),
])
def test_the_checker_finds_an_upward_import(tmp_path: Path, source: str, imported: str,
                                            line: int):
    root = _tree(tmp_path, {"dxtracker/plan/__init__.py": "", "dxtracker/plan/edit.py": "",
                            "dxtracker/store/__init__.py": "",
                            "dxtracker/store/db/__init__.py": "",
                            "dxtracker/store/db/engine.py": source})
    assert upward_imports(all_imports(root, "dxtracker"), "dxtracker") == [
        f"dxtracker.store.db.engine:{line} imports {imported}"]


@pytest.fixture
def small_tree(tmp_path: Path) -> Path:
    """Entry imports, downward imports, a circle that closes inside a function, and one that
    closes only for the type checker."""
    return _tree(tmp_path, {
        "dxtracker/__init__.py": "from dxtracker import cli\n__version__ = '1'\n",
        "dxtracker/__main__.py": "from dxtracker.cli import main\n",
        "dxtracker/cli/__init__.py": "from dxtracker import __version__\nfrom . import report\n",
        "dxtracker/cli/report.py": "from dxtracker.errors import E\nfrom dxtracker.store import db\n",
        "dxtracker/errors.py": "", "dxtracker/store/__init__.py": "",
        "dxtracker/store/db.py": "from dxtracker.store import upgrade\n",
        "dxtracker/store/upgrade.py": "def f():\n    from dxtracker.store.db import Database\n",
        "dxtracker/store/backups.py": "import dxtracker.store.db\n",
        "dxtracker/store/kpi.py": "from dxtracker.store.plan import Project\n",
        "dxtracker/store/plan.py": "import typing\nif typing.TYPE_CHECKING:\n"
                                   "    from dxtracker.store.kpi import Kpi\n",
    })


def test_the_checker_allows_downward_and_entry_imports(small_tree: Path):
    imports = all_imports(small_tree, "dxtracker")
    assert {(i.importer, i.imported) for i in imports} >= {
        ("dxtracker", "dxtracker.cli"), ("dxtracker.cli", "dxtracker.cli.report"),
        ("dxtracker.cli.report", "dxtracker.store.db")}
    assert upward_imports(imports, "dxtracker") == []


def test_the_checker_finds_a_circle(small_tree: Path):
    imports = all_imports(small_tree, "dxtracker")
    assert find_cycle(imports, "dxtracker", module_level_only=False) == [
        "dxtracker.store.db", "dxtracker.store.upgrade", "dxtracker.store.db"]
    # the circle closes only inside a function: at module level the graph is acyclic
    assert find_cycle(imports, "dxtracker", module_level_only=True) == []
    assert ("dxtracker.store.plan", "dxtracker.store.kpi") in {
        (i.importer, i.imported) for i in imports if i.type_only}
