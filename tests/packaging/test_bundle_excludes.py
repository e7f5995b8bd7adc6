"""The frozen bundle's excludes (packaging/bundle_excludes.py, used by packaging/teller.spec)
never drop a module the app imports. Static, so it runs without building the bundle; the
bundle itself checks the same at run time (``teller --frozen-check``: every teller_app module
imports)."""

from __future__ import annotations

import ast
import gc
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _excludes() -> list[str]:
    spec = importlib.util.spec_from_file_location(
        "bundle_excludes", ROOT / "packaging" / "bundle_excludes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.EXCLUDES)


def _imports_of_the_app() -> dict[str, str]:
    """Every absolute module name imported anywhere in teller_app (and the bundle's entry
    scripts) -> where."""
    found: dict[str, str] = {}
    files = [*sorted((ROOT / "teller_app").rglob("*.py")),
             ROOT / "packaging" / "launcher.py", ROOT / "packaging" / "frozen_checks.py"]
    for path in files:
        if "migrations" in path.parts:
            continue
        tree = _parse(path)
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                found.setdefault(name, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _parse(path: Path) -> ast.Module:
    # Python 3.11's ast.parse can fail with "AST constructor recursion depth mismatch" when
    # a garbage collection inside it runs a finalizer that formats a traceback (which parses
    # too: CPython gh-106905); the scan is short, so collections wait until it is done.
    source = path.read_text(encoding="utf-8")
    enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(source, str(path))
    finally:
        if enabled:
            gc.enable()


def _dropped(name: str, excludes: list[str]) -> str | None:
    return next((e for e in excludes if name == e or name.startswith(e + ".")), None)


def test_no_excluded_module_is_imported_by_the_app() -> None:
    excludes = _excludes()
    imports = _imports_of_the_app()
    assert "PySide6.QtPrintSupport" in imports  # the scan sees the app's imports at all
    dropped = {name: (where, _dropped(name, excludes)) for name, where in imports.items()
               if _dropped(name, excludes)}
    assert dropped == {}


def test_the_check_catches_a_dropped_module() -> None:
    assert _dropped("PySide6.QtPrintSupport", ["PySide6.QtPrintSupport"])
    assert _dropped("phonenumbers.geodata.data0", ["phonenumbers.geodata"])
    assert not _dropped("phonenumbers", ["phonenumbers.geodata"])
    assert not _dropped("richtext", ["rich"])


def test_excludes_keep_what_the_bundle_needs() -> None:
    excludes = _excludes()
    for needed in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "phonenumbers",
                   "psutil", "keyring", "sqlcipher3", "uvicorn", "alembic", "mako"):
        assert _dropped(needed, excludes) is None, needed
