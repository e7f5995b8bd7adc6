"""Envelope encryption of customer secrets.

Each record gets its own random AES-256 data key; the record is sealed with AES-GCM under that
key (AAD = external id, so a ciphertext moved to another row does not open), and the data key
is wrapped with AES-GCM under the master key. The master key comes from the settings
(``master_key``: the environment, or the embedded hub's settings line on stdin) or a 0600 key
file (a bank's secret store mounts it; made on a first run only for the SQLite database in
the data dir, never for PostgreSQL) and never enters the database; ``key_id`` (a hash
prefix) says which master key wrapped a row, so a wrong key is reported as such instead of
as corruption (``master_key_check``: a key that matches no row is refused at start).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .files import create_private_once, empty_file_text
from .settings import HubSettings, SettingsError, require_private

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
    """The key that seals new records, and the retired ones that still open older records
    (``previous``, a rotation in progress: ``teller-hub secrets rewrap`` moves every record
    onto the current key, after which the retired keys can go)."""

    def __init__(self, key: bytes, previous: Sequence[bytes] = ()) -> None:
        if len(key) != KEY_BYTES or any(len(p) != KEY_BYTES for p in previous):
            raise SettingsError("the master key must be exactly 32 bytes")
        if bytes(KEY_BYTES) in (key, *previous):  # a zeroed (half-removed) file, not a key
            raise SettingsError("the master key is all zeros: a damaged key file, not a key")
        self._aead = AESGCM(key)
        self.key_id = _key_id(key)
        self._retired = {_key_id(p): AESGCM(p) for p in previous}
        self._retired.pop(self.key_id, None)

    def __repr__(self) -> str:
        return f"MasterKey(key_id={self.key_id}, retired={sorted(self._retired)})"

    @property
    def retired_ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._retired))

    def seal(self, aad: str, plaintext: bytes) -> Sealed:
        data_key = AESGCM.generate_key(bit_length=256)
        n1 = os.urandom(NONCE_BYTES)
        ciphertext = n1 + AESGCM(data_key).encrypt(n1, plaintext, aad.encode())
        return Sealed(self.key_id, self._wrap(aad, data_key), ciphertext)

    def open(self, aad: str, sealed: Sealed) -> bytes:
        data_key = self._unwrap(aad, sealed)
        try:
            c = sealed.ciphertext
            return AESGCM(data_key).decrypt(c[:NONCE_BYTES], c[NONCE_BYTES:], aad.encode())
        except (InvalidTag, ValueError):
            raise DecryptError("record does not open (tampered or moved)") from None

    def rewrap(self, aad: str, sealed: Sealed) -> Sealed:
        """``sealed`` with its data key wrapped by the current key (the ciphertext is kept);
        raises ``DecryptError`` if no key this process holds wrapped it."""
        if sealed.key_id == self.key_id:
            return sealed
        return Sealed(self.key_id, self._wrap(aad, self._unwrap(aad, sealed)), sealed.ciphertext)

    def _wrap(self, aad: str, data_key: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data_key, _WRAP_AAD + aad.encode())

    def _unwrap(self, aad: str, sealed: Sealed) -> bytes:
        aead = self._aead if sealed.key_id == self.key_id else self._retired.get(sealed.key_id)
        if aead is None:
            raise DecryptError("record was sealed with a different master key")
        try:
            w = sealed.wrapped_key
            return aead.decrypt(w[:NONCE_BYTES], w[NONCE_BYTES:], _WRAP_AAD + aad.encode())
        except (InvalidTag, ValueError):
            raise DecryptError("record does not open (tampered or moved)") from None


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"teller-hub/key-id/" + key).hexdigest()[:16]


def load_master_key(settings: HubSettings, *, create: bool = True) -> MasterKey:
    """From ``master_key`` (base64) if set, else from the key file (created on first run for
    the SQLite database in the data dir, unless the desk app's record says the key is in its
    OS keyring; never for PostgreSQL, whose processes must share one key); with the retired
    keys of a rotation (``master_key_previous``, ``master_key_previous_file``)."""
    return MasterKey(_current_key(settings, create), _previous_keys(settings))


def _current_key(settings: HubSettings, create: bool) -> bytes:
    if settings.master_key is not None:
        return _base64_key(settings.master_key.get_secret_value(), "TELLER_HUB_MASTER_KEY")
    path = settings.effective_master_key_file
    if path is None:
        raise SettingsError("no master key: set master_key_file, TELLER_HUB_MASTER_KEY or --data")
    if not settings.is_sqlite and settings.master_key_file is None:
        # a server database is shared by processes on other hosts: a key made here would
        # seal secrets none of them can open
        raise SettingsError("no master key for a PostgreSQL database: set master_key_file or "
                            "TELLER_HUB_MASTER_KEY to the key every hub process of this "
                            "database uses (a key file is made only for the SQLite database "
                            "in the data dir)")
    if settings.master_key_file is None and not path.exists():
        if not settings.database_in_data_dir:
            raise SettingsError(f"no master key: {path} does not exist, and a key file is made "
                                "only for the SQLite database in the data dir (set "
                                "master_key_file or TELLER_HUB_MASTER_KEY)")
        if create:
            if (path.parent / KEYRING_RECORD).exists():
                raise SettingsError(f"no master key: {path.parent / KEYRING_RECORD} says it is "
                                    "in the desk app's OS keyring (pass it in "
                                    "TELLER_HUB_MASTER_KEY)")
            create_private_once(path, os.urandom(KEY_BYTES))
    deadline = time.monotonic() + 2.0
    while True:  # an older version's process may be between O_EXCL create and write
        raw = _read_key_file(path)
        if len(raw) == KEY_BYTES or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    if not raw:  # left by an older version's first start on a full disk
        raise SettingsError(empty_file_text(path, "master key") if settings.master_key_file
                            is None else f"master key file {path} is empty (0 bytes)")
    return raw


def _previous_keys(settings: HubSettings) -> list[bytes]:
    keys = []
    if settings.master_key_previous is not None:
        keys += [_base64_key(part, "TELLER_HUB_MASTER_KEY_PREVIOUS") for part
                 in settings.master_key_previous.get_secret_value().split(",") if part.strip()]
    if settings.master_key_previous_file is not None:
        keys.append(_read_key_file(settings.master_key_previous_file))
    return keys


def _base64_key(text: str, name: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SettingsError(f"{name} is not valid base64") from None


def _read_key_file(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SettingsError(f"master key file {path} does not exist") from None
    require_private(path, "master key file")
    return raw
