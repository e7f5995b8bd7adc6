"""Secrets layer: profiles file, OS keyring with in-memory fallback, log redaction (no Qt)."""

from .profiles import Profile, ProfileStore, config_dir
from .redaction import RedactionFilter, install_redaction, redact_text, register_secret
from .store import CACHE_KEY, PASSWORD, PRIVATE_KEY, SESSION_TOKEN, SecretStore

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
