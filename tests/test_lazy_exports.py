"""The lazy packages (``teller_app.platform``, ``teller_app.cache``, ``teller_app.secrets``):
importing them loads none of the heavy modules, their run-time
table matches what mypy reads (the TYPE_CHECKING imports), and every exported name resolves
to its module's object."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

PACKAGES = ("teller_app.platform", "teller_app.cache", "teller_app.secrets")


def _checked_imports(package: ModuleType) -> dict[str, tuple[str, ...]]:
    """``module -> names`` imported in the package's ``if TYPE_CHECKING:`` block."""
    tree = ast.parse(Path(package.__file__ or "").read_text("utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If)
                 and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
    out: dict[str, tuple[str, ...]] = {}
    for stmt in block.body:
        assert isinstance(stmt, ast.ImportFrom)
        module = "." * stmt.level + (stmt.module or "")
        out[module.removeprefix(package.__name__ + ".")] = tuple(a.name for a in stmt.names)
    return out


@pytest.mark.parametrize("name", PACKAGES)
def test_the_table_is_what_mypy_reads(name: str) -> None:
    package = importlib.import_module(name)
    checked = _checked_imports(package)
    table = {module.lstrip("."): names for module, names in package._MODULES.items()}
    assert {m.lstrip("."): set(n) for m, n in checked.items()} == {
        m: set(n) for m, n in table.items()}
    assert package.__all__ == sorted(package._EXPORTS)
    assert len(package._EXPORTS) == sum(len(n) for n in table.values())  # no name twice


@pytest.mark.parametrize("name", PACKAGES)
def test_every_name_resolves_to_its_module(name: str) -> None:
    package = importlib.import_module(name)
    for export, module in package._EXPORTS.items():
        source = importlib.import_module(f"{name}.{module.lstrip('.')}")
        assert getattr(package, export) is getattr(source, export)
    with pytest.raises(AttributeError):
        _ = package.no_such_name


def test_importing_the_packages_loads_nothing_heavy() -> None:
    code = ("import sys\n"
            "import teller_app.platform, teller_app.cache, teller_app.secrets\n"
            "from teller_app.platform import AuthError, PlatformError\n"
            "from teller_app.cache import CacheError\n"
            "print(sorted(m for m in ('httpx', 'pydantic', 'jwt', 'sqlcipher3',\n"
            "      'teller_app.platform.models', 'teller_app.cache.store',\n"
            "      'teller_app.secrets.profiles', 'teller_app.secrets.store', 'asyncio')\n"
            "      if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], text=True, capture_output=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_the_sign_in_window_loads_nothing_heavy_before_its_paint() -> None:
    """``ui/sign_in_dialog`` is imported before the first paint (``start_ratio`` ≤ 2): a
    helper it uses (``ui/untrusted``) once pulled in the receipt, the table model, pydantic
    and num2words, and the sign-in window painted in 463 ms instead of 250."""
    code = ("import sys\n"
            "import teller_app.ui.sign_in_dialog\n"
            "print(sorted(m for m in ('httpx', 'pydantic', 'num2words', 'schwifty',\n"
            "      'teller_app.platform.models', 'teller_app.core.receipt',\n"
            "      'teller_app.ui.customer_table_model', 'teller_app.ui.validators')\n"
            "      if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ,
                                           "QT_QPA_PLATFORM": "offscreen"})
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
