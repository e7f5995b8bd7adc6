"""Secrets layer: profiles file, OS keyring with in-memory fallback, log redaction (no Qt).

The profiles module (pydantic, ~110 ms to import) loads on first use of one of its names, so
the app can paint its sign-in window before it (PEP 562)."""

from typing import TYPE_CHECKING, Any

from .redaction import RedactionFilter, install_redaction, redact_text, register_secret
from .store import CACHE_KEY, PASSWORD, PRIVATE_KEY, SESSION_TOKEN, SecretStore

if TYPE_CHECKING:
    from .profiles import Profile, ProfileStore, config_dir

_LAZY = frozenset({"Profile", "ProfileStore", "config_dir"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import profiles

        return getattr(profiles, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CACHE_KEY",
    "PASSWORD",
    "PRIVATE_KEY",
    "SESSION_TOKEN",
    "Profile",
    "ProfileStore",
    "RedactionFilter",
    "SecretStore",
    "config_dir",
    "install_redaction",
    "redact_text",
    "register_secret",
]
