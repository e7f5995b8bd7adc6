"""PEP 562 lazy exports for the packages that must import fast (platform, cache, secrets):
each name's module loads on the name's first use, then the name is cached in the package.
tests/test_lazy_exports.py keeps each table equal to the package's TYPE_CHECKING imports."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def exports(modules: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """``name -> module`` from a package's ``module -> names`` table."""
    return {name: module for module, names in modules.items() for name in names}


def lazy_getattr(package: str, namespace: dict[str, Any],
                 table: dict[str, str]) -> Callable[[str], Any]:
    """The package's module ``__getattr__``: ``table`` maps a name to its module, relative
    (``.errors``) or by its name inside the package (``errors``)."""
    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        relative = module if module.startswith(".") else "." + module
        value = getattr(importlib.import_module(relative, package), name)
        namespace[name] = value  # once
        return value

    return __getattr__


def lazy_dir(namespace: dict[str, Any], table: dict[str, str]) -> Callable[[], list[str]]:
    """The package's module ``__dir__``: what it holds and what it can load."""
    def __dir__() -> list[str]:
        return sorted([*namespace, *table])

    return __dir__
