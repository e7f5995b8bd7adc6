"""Secrets layer: profiles file, OS keyring with in-memory fallback, log redaction (no Qt).

Every name loads on its first use (PEP 562), as in ``teller_app.cache``: the profiles module
(pydantic, ~110 ms) after the sign-in window is painted, and nothing at all for
``profiles_raw``, which the app reads before it starts the embedded sandbox
(ui/start_early.py)."""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .profiles import Profile, ProfileStore, config_dir
    from .redaction import RedactionFilter, install_redaction, redact_text, register_secret
    from .store import CACHE_KEY, PASSWORD, PRIVATE_KEY, SESSION_TOKEN, SecretStore

# Each name once, by module; tests/test_lazy_exports.py keeps this equal to the block above.
_MODULES: dict[str, tuple[str, ...]] = {
    "profiles": ("Profile", "ProfileStore", "config_dir"),
    "redaction": ("RedactionFilter", "install_redaction", "redact_text", "register_secret"),
    "store": ("CACHE_KEY", "PASSWORD", "PRIVATE_KEY", "SESSION_TOKEN", "SecretStore"),
}
_EXPORTS = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = sorted(_EXPORTS)
