"""The layer rules of docs/ARCHITECTURE.md, checked on the source (imports only point down)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "teller_app"

# layer -> import prefixes it must never use
FORBIDDEN = {
    "platform": ("PySide6", "qasync", "teller_app.cache", "teller_app.core", "teller_app.ui",
                 "teller_app.secrets", "teller_app.sandbox"),
    "secrets": ("PySide6", "qasync", "teller_app.cache", "teller_app.core", "teller_app.ui",
                "teller_app.sandbox"),
    "cache": ("PySide6", "qasync", "teller_app.core", "teller_app.ui", "teller_app.secrets",
              "teller_app.sandbox"),
    "core": ("PySide6.QtWidgets", "PySide6.QtGui", "teller_app.ui", "teller_app.sandbox"),
    "ui": ("teller_app.sandbox", "teller_app.hub"),
    # The hub is a DCM client of its own: the wire layer only.
    "hub": ("PySide6", "qasync", "teller_app.cache", "teller_app.core", "teller_app.ui",
            "teller_app.secrets", "teller_app.sandbox"),
}
# The frozen bundle re-enters as the sandbox or the hub: the only allowed imports of them
# from the app.
SANDBOX_DISPATCH = {PKG / "__main__.py", PKG / "ui" / "app.py"}


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_layers_never_import_upward() -> None:
    problems = []
    for layer, banned in FORBIDDEN.items():
        for path in sorted((PKG / layer).rglob("*.py")):
            if path in SANDBOX_DISPATCH:
                continue
            for name in _imports(path):
                if name.startswith(banned):
                    problems.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not problems, "\n".join(problems)


def test_sandbox_stands_apart() -> None:
    problems = []
    for path in sorted((PKG / "sandbox").rglob("*.py")):
        for name in _imports(path):
            if name.startswith("teller_app") and not name.startswith("teller_app.sandbox"):
                problems.append(f"{path.relative_to(ROOT)} imports {name}")
    for path in sorted(PKG.rglob("*.py")):
        if "sandbox" in path.relative_to(PKG).parts or path in SANDBOX_DISPATCH:
            continue
        for name in _imports(path):
            if name.startswith("teller_app.sandbox"):
                problems.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not problems, "\n".join(problems)


def test_nothing_imports_the_hub() -> None:
    problems = []
    for path in sorted(PKG.rglob("*.py")):
        if "hub" in path.relative_to(PKG).parts or path in SANDBOX_DISPATCH:
            continue
        for name in _imports(path):
            if name.startswith("teller_app.hub"):
                problems.append(f"{path.relative_to(ROOT)} imports {name}")
    for path in sorted((PKG / "hub").rglob("*.py")):
        for name in _imports(path):
            if name.startswith("teller_app") and not name.startswith(
                    ("teller_app.hub", "teller_app.platform")):
                problems.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not problems, "\n".join(problems)


def test_test_module_names_are_unique() -> None:
    # pytest's default import mode puts each test folder on sys.path: equal basenames collide.
    names = Counter(p.name for p in (ROOT / "tests").rglob("*.py") if p.name != "conftest.py"
                    and p.name != "__init__.py")
    assert not [n for n, c in names.items() if c > 1]
