"""Secrets layer: profiles file, OS keyring with in-memory fallback, log redaction (no Qt).

Every name loads on its first use (PEP 562), as in ``teller_app.cache``: the profiles module
(pydantic, ~110 ms) after the sign-in window is painted, and nothing at all for
``profiles_raw``, which the app reads before it starts the embedded sandbox
(ui/start_early.py)."""

from typing import TYPE_CHECKING

from teller_app.lazy_exports import exports, lazy_dir, lazy_getattr

if TYPE_CHECKING:
    from .profiles import Profile, ProfileStore, ProxyPasswordNotKept, config_dir
    from .redaction import RedactionFilter, install_redaction, redact_text, register_secret
    from .store import CACHE_KEY, PASSWORD, PRIVATE_KEY, SESSION_TOKEN, SecretStore

# Each name once, by module; tests/test_lazy_exports.py keeps this equal to the block above.
_MODULES: dict[str, tuple[str, ...]] = {
    "profiles": ("Profile", "ProfileStore", "ProxyPasswordNotKept", "config_dir"),
    "redaction": ("RedactionFilter", "install_redaction", "redact_text", "register_secret"),
    "store": ("CACHE_KEY", "PASSWORD", "PRIVATE_KEY", "SESSION_TOKEN", "SecretStore"),
}
_EXPORTS = exports(_MODULES)
__getattr__ = lazy_getattr(__name__, globals(), _EXPORTS)
__dir__ = lazy_dir(globals(), _EXPORTS)


__all__ = sorted(_EXPORTS)
