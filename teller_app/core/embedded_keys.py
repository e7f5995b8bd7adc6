"""The embedded hub's master key and admin token, kept in the desk's OS keyring.

The master key seals every customer secret the hub holds (hub/crypto.py); the admin token
opens its admin endpoints (the demo onboarding). Both reach the hub in its settings line on
stdin (``serve --settings-stdin``, core/embedded_hub.PendingHub): never a file, the command
line or the environment (``/proc/PID/environ`` shows a process's environment while it runs).
The one thing on disk is where the key is: ``master.key.keyring`` in the hub dir (0600, no
secret) names the keyring entry, and the hub never makes a new key file beside it.

- A usable keyring: the key is read from the entry that record names; a new data dir gets a
  new key; an older data dir's ``master.key`` is imported (read back and compared before the
  record is written), and that file and ``admin.token`` are removed only once the hub has
  started with the key from the keyring (``HubKeys.settle``).
- No usable keyring (headless Linux without Secret Service, a keyring that refuses or does
  not answer): as before, the hub keeps both in 0600 files of its own; a warning is logged
  once (as the desk's own secrets fall back to this session's memory, with a warning). But
  when the record says the key is in the keyring and no key file is left, the hub is not
  started: a new key would leave every sealed secret unreadable.

Blocking, each keyring call bounded by a timeout: ``start_embedded`` calls it off the UI
thread, once keyring's modules are loaded (``secrets.store.preload_keyring``): a keyring
call then imports nothing on the thread that starts the stack (see ``embedded_start``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import os
import re
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from teller_app.core.embedded_hub import HubProcess
from teller_app.core.private_files import fsync_folder, remove_overwritten, sweep_removing
from teller_app.secrets.redaction import register_secret
from teller_app.secrets.store import (
    KeyringUnavailable,
    keyring_call,
    keyring_delete,
    usable_keyring,
)

log = logging.getLogger("teller_app.core.embedded")

KEY_FILE = "master.key"  # the hub's own file (hub/settings.effective_master_key_file)
TOKEN_FILE = "admin.token"  # the hub's own file (hub/__main__._admin_token)
RECORD = "master.key.keyring"  # = hub/crypto.KEYRING_RECORD
MASTER_KEY = "master_key"
ADMIN_TOKEN = "admin_token"
KEY_BYTES = 32
TIMEOUT = 5.0  # as SecretStore's
# Two slashes: never a profile's ``Teller/<name>`` (profile names hold no "/").
_SERVICE = re.compile(r"Teller/hub/[0-9a-f]{32}")
_RECORD_NOTE = ("The embedded Teller Hub's master key is in the desk's OS keyring under "
                "this service, not in this directory. Without it the hub's customer secrets "
                "cannot be opened: keep the keyring, and keep this file.")

_warned_no_keyring = False


class _Problem(Exception):
    """The hub must not start (the message says why, in English, for the log)."""


class _UseFiles(Exception):
    """The hub keeps its own files this time (the message says why)."""


@dataclass
class HubKeys:
    """What the hub starts with: ``settings`` (``master_key``, ``admin_token``) for its
    settings line, empty when it keeps its own files; ``problem``: why it must not start."""

    hub_dir: Path
    settings: dict[str, str] = field(default_factory=dict, repr=False)
    problem: str | None = None
    moving: bool = False  # the key file goes once the hub has started with the keyring's key

    def settle(self, hub: HubProcess) -> None:
        """After the hub started with these settings: the files the keyring replaced go (the
        key file only when the hub's manifest says it used the key it was given)."""
        if not self.settings:
            return
        sweep_removing(self.hub_dir)
        gone = [TOKEN_FILE]
        if self.moving:
            if hub.manifest.get("master_key_from") == "settings":
                gone.append(KEY_FILE)
            else:
                log.warning("embedded hub: %s kept (the hub did not report using the key "
                            "from the OS keyring)", KEY_FILE)
        for name in gone:
            try:
                remove_overwritten(self.hub_dir / name)
            except FileNotFoundError:
                continue
            except OSError as exc:
                log.warning("embedded hub: %s not removed (%s); tried again at the next "
                            "start", name, exc.strerror)
                continue
            if name == KEY_FILE:
                log.info("embedded hub: the master key is in the OS keyring only now")


def hub_keys(hub_dir: Path, *, timeout: float = TIMEOUT) -> HubKeys:
    """The hub's master key and admin token from the OS keyring (made, or imported from an
    older key file, when there are none yet); see the module's docstring."""
    key_file = hub_dir / KEY_FILE
    try:
        service = _read_record(hub_dir / RECORD)
        file_key = _read_key_file(key_file)
        backend = usable_keyring(timeout)
        key, service, moving = _master_key(backend, hub_dir, service, file_key, timeout)
    except _Problem as exc:
        return HubKeys(hub_dir, problem=str(exc))
    except _UseFiles as exc:
        log.warning("embedded hub: %s", exc)
        return HubKeys(hub_dir)
    except KeyringUnavailable as exc:
        if (hub_dir / RECORD).exists() and not key_file.exists():
            return HubKeys(hub_dir, problem=f"its master key is in the OS keyring, which "
                                            f"cannot be used now ({exc})")
        _warn_no_keyring(str(exc))
        return HubKeys(hub_dir)
    encoded = base64.b64encode(key).decode("ascii")
    token = _admin_token(backend, service, timeout)
    for value in (encoded, token):
        register_secret(value)
    return HubKeys(hub_dir, {MASTER_KEY: encoded, ADMIN_TOKEN: token}, moving=moving)


def forget_hub_keys(hub_dir: Path, *, timeout: float = TIMEOUT) -> None:
    """The keyring entries of a data dir that is thrown away (the smoke test's temporary
    one), so they do not pile up in the user's keyring. Blocking. Never for a data dir that
    stays: the secrets its hub sealed would never open again."""
    try:
        service = _read_record(hub_dir / RECORD)
    except _Problem:
        return
    if service is None:
        return
    try:
        backend = usable_keyring(timeout)
        for name in (MASTER_KEY, ADMIN_TOKEN):
            keyring_call(keyring_delete, backend, service, name, timeout=timeout)
    except KeyringUnavailable as exc:
        log.warning("embedded hub: its OS keyring entries stay (%s)", exc)


def _master_key(backend: Any, hub_dir: Path, service: str | None, file_key: bytes | None,
                timeout: float) -> tuple[bytes, str, bool]:
    """(key, keyring service, whether the key file is to go). A key file, while there is
    one, is the key: the keyring must hold the same bytes before the hub is given them."""
    if service is None:
        key = file_key if file_key is not None else os.urandom(KEY_BYTES)
        service = "Teller/hub/" + uuid.uuid4().hex
        _store_key(backend, service, key, timeout)
        try:
            written = _write_record(hub_dir / RECORD, service)
        except OSError as exc:
            _forget(backend, service, timeout)
            raise _UseFiles(f"{RECORD} cannot be written ({exc.strerror})") from None
        if not written:  # another start wrote one first
            _forget(backend, service, timeout)
            raise _UseFiles(f"{RECORD} appeared while starting; the next start reads it")
        return key, service, file_key is not None
    stored = keyring_call(backend.get_password, service, MASTER_KEY, timeout=timeout)
    if stored is None:
        if file_key is None:
            raise _Problem(f"its master key is missing from the OS keyring ({service}): "
                           f"the customer secrets it sealed cannot be opened; to start over, "
                           f"remove {hub_dir}")
        _store_key(backend, service, file_key, timeout)  # the file is still the key
        return file_key, service, True
    kept = _decode(stored)
    if file_key is None:
        if kept is None:
            raise _Problem(f"the master key in the OS keyring ({service}) is not a "
                           f"{KEY_BYTES}-byte key")
        return kept, service, False
    if kept != file_key:
        raise _UseFiles(f"{KEY_FILE} differs from the key in the OS keyring ({service}): "
                        f"the file is used, and both are kept")
    return file_key, service, True


def _store_key(backend: Any, service: str, key: bytes, timeout: float) -> None:
    """Into the keyring, then read back: only a key the keyring returns whole is used."""
    encoded = base64.b64encode(key).decode("ascii")
    register_secret(encoded)
    keyring_call(backend.set_password, service, MASTER_KEY, encoded, timeout=timeout)
    back = keyring_call(backend.get_password, service, MASTER_KEY, timeout=timeout)
    if back is None or _decode(back) != key:
        raise KeyringUnavailable("the OS keyring did not return the key it was given")


def _forget(backend: Any, service: str, timeout: float) -> None:
    with contextlib.suppress(KeyringUnavailable):
        keyring_call(keyring_delete, backend, service, MASTER_KEY, timeout=timeout)


def _admin_token(backend: Any, service: str, timeout: float) -> str:
    """The entry's admin token, made on first use. Not kept when the keyring refuses it:
    the hub then has a token for this run only (it guards nothing that outlives the run)."""
    token: str | None = None
    try:
        token = keyring_call(backend.get_password, service, ADMIN_TOKEN, timeout=timeout)
        if token:
            return token
        token = secrets.token_urlsafe(32)
        keyring_call(backend.set_password, service, ADMIN_TOKEN, token, timeout=timeout)
    except KeyringUnavailable as exc:
        log.warning("embedded hub: admin token not kept in the OS keyring (%s)", exc)
    return token or secrets.token_urlsafe(32)


def _decode(stored: str) -> bytes | None:
    try:
        raw = base64.b64decode(stored, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == KEY_BYTES else None


def _read_key_file(path: Path) -> bytes | None:
    """The key file's 32 bytes, or None when there is none. One that is no key is left to
    the hub, which reports it (as it always did)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _UseFiles(f"{KEY_FILE} unreadable ({exc.strerror}): left to the hub") from None
    if len(raw) != KEY_BYTES:
        raise _UseFiles(f"{KEY_FILE} is not a {KEY_BYTES}-byte key: left to the hub")
    return raw


def _read_record(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _Problem(f"{RECORD} unreadable ({exc.strerror}): its master key cannot be "
                       f"found") from None
    try:
        service = json.loads(text).get("keyring_service")
    except (ValueError, AttributeError):
        service = None
    if not isinstance(service, str) or not _SERVICE.fullmatch(service):
        raise _Problem(f"{RECORD} does not name a keyring entry: its master key cannot be "
                       f"found")
    return service


def _write_record(path: Path, service: str) -> bool:
    """Create the record (0600, exclusively, synced with its directory: it must outlast a
    power cut before the hub seals anything with the key). False if it already exists."""
    data = json.dumps({"keyring_service": service, "about": _RECORD_NOTE}, indent=2)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    try:
        try:
            os.write(fd, data.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        path.unlink(missing_ok=True)  # never a half record: it would hide the key
        raise
    fsync_folder(path.parent)
    return True


def _warn_no_keyring(reason: str) -> None:
    global _warned_no_keyring
    if not _warned_no_keyring:
        _warned_no_keyring = True
        log.warning("OS keyring unavailable (%s): the embedded hub keeps its master key and "
                    "admin token in 0600 files", reason)
