"""Envelope encryption of customer secrets.

Each record gets its own random AES-256 data key; the record is sealed with AES-GCM under that
key (AAD = external id, so a ciphertext moved to another row does not open), and the data key
is wrapped with AES-GCM under the master key. The master key comes from the settings
(``master_key``: the environment, or the embedded hub's settings line on stdin) or a 0600 key
file (a bank's secret store mounts it; made on a first run when there is none) and never
enters the database; ``key_id`` (a hash prefix) says which master key wrapped a row, so a
wrong key is reported as such instead of as corruption.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .files import create_private_once
from .settings import HubSettings, SettingsError

KEY_BYTES = 32
NONCE_BYTES = 12
# Beside the key file, written by the desk app (core/embedded_keys.RECORD) once it keeps the
# embedded hub's key in its OS keyring: no new key file is made there (secrets sealed with
# the keyring's key would no longer open, and new ones would be sealed with the file's).
KEYRING_RECORD = "master.key.keyring"
_WRAP_AAD = b"teller-hub/dek/"


class DecryptError(RuntimeError):
    """A sealed record does not open with this master key (wrong key or tampered row)."""


@dataclass(frozen=True)
class Sealed:
    key_id: str
    wrapped_key: bytes  # nonce || AES-GCM(master, data key)
    ciphertext: bytes  # nonce || AES-GCM(data key, plaintext)


class MasterKey:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise SettingsError("the master key must be exactly 32 bytes")
        self._aead = AESGCM(key)
        self.key_id = hashlib.sha256(b"teller-hub/key-id/" + key).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"MasterKey(key_id={self.key_id})"

    def seal(self, aad: str, plaintext: bytes) -> Sealed:
        data_key = AESGCM.generate_key(bit_length=256)
        n1, n2 = os.urandom(NONCE_BYTES), os.urandom(NONCE_BYTES)
        ciphertext = n1 + AESGCM(data_key).encrypt(n1, plaintext, aad.encode())
        wrapped = n2 + self._aead.encrypt(n2, data_key, _WRAP_AAD + aad.encode())
        return Sealed(self.key_id, wrapped, ciphertext)

    def open(self, aad: str, sealed: Sealed) -> bytes:
        if sealed.key_id != self.key_id:
            raise DecryptError("record was sealed with a different master key")
        try:
            w = sealed.wrapped_key
            data_key = self._aead.decrypt(w[:NONCE_BYTES], w[NONCE_BYTES:],
                                          _WRAP_AAD + aad.encode())
            c = sealed.ciphertext
            return AESGCM(data_key).decrypt(c[:NONCE_BYTES], c[NONCE_BYTES:], aad.encode())
        except (InvalidTag, ValueError):
            raise DecryptError("record does not open (tampered or moved)") from None


def load_master_key(settings: HubSettings, *, create: bool = True) -> MasterKey:
    """From ``master_key`` (base64) if set, else from the key file (created on first run,
    unless the desk app's record says the key is in its OS keyring)."""
    if settings.master_key is not None:
        try:
            raw = base64.b64decode(settings.master_key.get_secret_value(), validate=True)
        except (binascii.Error, ValueError):
            raise SettingsError("TELLER_HUB_MASTER_KEY is not valid base64") from None
        return MasterKey(raw)
    path = settings.effective_master_key_file
    if path is None:
        raise SettingsError("no master key: set master_key_file, TELLER_HUB_MASTER_KEY or --data")
    if create and not path.exists():
        if (path.parent / KEYRING_RECORD).exists():
            raise SettingsError(f"no master key: {path.parent / KEYRING_RECORD} says it is in "
                                "the desk app's OS keyring (pass it in TELLER_HUB_MASTER_KEY)")
        create_private_once(path, os.urandom(KEY_BYTES))
    deadline = time.monotonic() + 2.0
    while True:  # another process may be between O_EXCL create and write
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise SettingsError(f"master key file {path} does not exist") from None
        if len(raw) == KEY_BYTES or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    if path.stat().st_mode & 0o077:
        raise SettingsError(f"master key file {path} is readable by others (chmod 600)")
    return MasterKey(raw)
