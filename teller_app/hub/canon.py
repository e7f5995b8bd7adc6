"""Canonical JSON (sorted keys, no spaces, UTF-8) and its SHA-256, and text normalisation
for policy comparisons (``blocked\\u200b`` is ``blocked``; a customer's status by
``status_key``: "Заблокований" and "bl\\u043ecked" are ``blocked``)."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from typing import Any

from teller_app.platform.status_words import status_key

__all__ = ["canonical", "normalise", "sha256_hex", "status_key", "status_keys"]


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise(text: str) -> str:
    """NFKC, drop format (Cf: zero-width, bidi marks) and control characters, strip,
    casefold: what a human reading the value would consider the same word."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc"))
    return text.strip().casefold()


def status_keys(statuses: Iterable[str]) -> frozenset[str]:
    """The keys of a policy's ``sensitive_statuses``: a status is one of them when its
    ``status_key`` is ("blocked" covers "Заблокована", "BLOCKED", "bl\\u043ecked"...). The one
    reading of a status for every control on the hub (the policy, every cash check)."""
    return frozenset(key for key in (status_key(s) for s in statuses) if key)
