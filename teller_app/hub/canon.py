"""Canonical JSON (sorted keys, no spaces, UTF-8) and its SHA-256, and text normalisation
for policy comparisons (``blocked\\u200b`` is ``blocked``)."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any


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
