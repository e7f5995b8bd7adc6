"""One audit outbox line sealed and opened (``core.audit.AuditOutbox`` uses it): AES-256-GCM
of the record's JSON, nonce first, base64.

A line that does not open is one of two things, and they are kept apart because the outbox
acts on them differently. "foreign": a whole line sealed with another key (a second instance
without a shared keyring): kept for that instance, counted as waiting, so the outbox is not
emptied over it. "torn": what a killed writer or a full disk left of one of our own lines: it
can never be read, so it is skipped and dropped when the outbox is emptied. A torn line is a
prefix of one of ours, and GCM encrypts in counter mode, so our key reads its start as the
start of our JSON; a foreign line's start reads as noise. A line too short to be any whole
sealed record is torn whatever it reads as.
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

AAD = b"teller-audit"
NONCE = 12
TAG = 16
SMALLEST_RECORD = len(b'{"released": ""}')  # no whole record's JSON is shorter
# GCM with a 96-bit nonce encrypts from counter block nonce || 2 (NIST SP 800-38D)
FIRST_COUNTER = (2).to_bytes(4, "big")
CHECKED = 12  # how much of a line's start is read to tell ours from noise
Unopened = Literal["torn", "foreign"]


class LineSeal:
    """Seals records into outbox lines and opens them, with one key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the outbox key must be 32 bytes")
        self._aead = AESGCM(key)
        self._block = algorithms.AES(key)

    def seal(self, record: dict[str, Any]) -> bytes:
        nonce = secrets.token_bytes(NONCE)
        plain = json.dumps(record, sort_keys=True, ensure_ascii=False).encode()
        return base64.b64encode(nonce + self._aead.encrypt(nonce, plain, AAD))

    def open(self, raw: bytes) -> bytes | Unopened:
        """The record's JSON (bytes), or why the line does not open."""
        raw = raw.strip()
        try:
            blob = base64.b64decode(raw, validate=True)
            return self._aead.decrypt(blob[:NONCE], blob[NONCE:], AAD)
        except (InvalidTag, ValueError):
            return self._unopened(raw)

    def _unopened(self, raw: bytes) -> Unopened:
        try:  # a line cut anywhere: its whole base64 quads
            blob = base64.b64decode(raw[:len(raw) // 4 * 4], validate=True)
        except ValueError:
            return "torn"  # not base64 (or cut inside a padded end): no sealed line at all
        if len(blob) < NONCE + TAG + SMALLEST_RECORD:
            return "torn"
        return "torn" if self._reads_as_ours(blob) else "foreign"

    def _reads_as_ours(self, blob: bytes) -> bool:
        """Does ``blob``'s start decrypt, with this key, to the start of a record's JSON?
        (Noise passes with a chance of about 1 in 10^9.)"""
        decryptor = Cipher(self._block, modes.CTR(blob[:NONCE] + FIRST_COUNTER)).decryptor()
        start = decryptor.update(blob[NONCE:NONCE + CHECKED])
        return start.startswith(b'{"') and all(0x20 <= byte < 0x7F for byte in start)
