"""Secrets (passwords, session tokens, private keys, the cache key) in the OS keyring only.

Every keyring call runs off the calling thread (``asyncio.to_thread``) with a timeout. When no
usable keyring exists — the fail/null backend, an empty chainer, a keyrings.alt file backend
(plain text or weakly encrypted: refused), a timeout, any KeyringError — secrets are kept in
memory for this session only, ``persistent`` is False and ``unavailable_reason`` says why (for
the UI banner). Nothing is ever written to a file by this module.

Every name a store writes is first listed in the service's index entry (``INDEX``): keyring
backends cannot list a service's entries, and ``delete_all`` (a profile deleted) must find
names made from data (``cache_key:<employee>:<scope>``, ``session_token:<e-mail>``)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from teller_app.platform._sensitive import register_secret

log = logging.getLogger("teller_app.secrets")

PASSWORD = "password"
SESSION_TOKEN = "session_token"
PRIVATE_KEY = "private_key"
CACHE_KEY = "cache_key"
INDEX = "__names__"  # the names this service's stores wrote, in parts ``__names__``,
# ``__names__.1``, …: each a JSON list of whole names of at most INDEX_PART characters
# (Windows' Credential Manager holds at most 2 560 bytes of UTF-16 per entry), so a write cut
# short damages one part, never the others
INDEX_PART = 900
# Fixed names written before the index existed (ui/offline_start.VERIFIER,
# core/audit.OUTBOX_KEY, secrets/proxy_secret.PROXY_PASSWORD; tests check they agree).
FIXED_NAMES = (PASSWORD, SESSION_TOKEN, PRIVATE_KEY, CACHE_KEY, "offline_verifier",
               "audit_outbox_key", "proxy_password")
_index_lock = threading.Lock()  # one read-modify-write of an index at a time (per process)


def _refusal(backend: Any) -> str | None:
    """Why ``backend`` must not be used, or None if it is acceptable."""
    module = type(backend).__module__
    name = type(backend).__name__
    if module.startswith("keyring.backends.fail") or module.startswith("keyring.backends.null"):
        return "no OS keyring is available"
    if module.startswith("keyrings.alt"):
        return f"the only keyring found ({name}) stores secrets in a file; refused"
    return None


def _pick_backend(backend: Any) -> tuple[Any | None, str | None]:
    """Resolve a chainer to an acceptable member; return (backend, reason-if-none)."""
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend):
        members = [b for b in backend.backends if _refusal(b) is None]
        if not members:
            return None, "no OS keyring is available"
        return members[0], None
    reason = _refusal(backend)
    return (None, reason) if reason else (backend, None)


class SecretStore:
    """Async secret storage for one profile (keyring service ``Teller/<profile>``)."""

    def __init__(self, profile_name: str, *, backend: Any = None, timeout: float = 5.0) -> None:
        self.service = service_for(profile_name)
        self.timeout = timeout
        self._requested = backend
        self._backend: Any = None
        self._probed = False
        self._memory: dict[str, str] = {}
        self.unavailable_reason: str | None = None

    @classmethod
    async def open(
        cls, profile_name: str, *, backend: Any = None, timeout: float = 5.0
    ) -> SecretStore:
        store = cls(profile_name, backend=backend, timeout=timeout)
        await store.probe()
        return store

    @property
    def persistent(self) -> bool:
        return self._backend is not None and self.unavailable_reason is None

    @property
    def backend_name(self) -> str:
        if self._backend is None:
            return "memory (this session only)"
        backend = self._backend
        return f"{type(backend).__module__}.{type(backend).__name__}"

    # --- backend selection ---------------------------------------------------------------
    async def probe(self) -> None:
        """Choose the backend and check it answers (one read of a probe entry)."""
        if self._probed:
            return
        self._probed = True
        try:
            backend = await self._thread(self._resolve)
            picked, reason = _pick_backend(backend)
            if picked is None:
                self._fallback(reason or "no OS keyring is available")
                return
            self._backend = picked
            await self._thread(picked.get_password, self.service, "__probe__")
        except Exception as exc:  # timeout, KeyringError, D-Bus errors...
            self._fallback(_describe(exc))

    def _resolve(self) -> Any:
        if self._requested is not None:
            return self._requested
        return os_keyring()

    def _fallback(self, reason: str) -> None:
        if self.unavailable_reason is None:
            log.warning(
                "OS keyring unavailable (%s): secrets are kept for this session only", reason
            )
        self.unavailable_reason = reason
        self._backend = None

    async def _thread(self, func: Any, *args: Any) -> Any:
        return await asyncio.wait_for(asyncio.to_thread(func, *args), self.timeout)

    # --- API -------------------------------------------------------------------------------
    async def get(self, key: str) -> str | None:
        await self.probe()
        if key in self._memory or self._backend is None:
            value = self._memory.get(key)
        else:
            try:
                value = await self._thread(self._backend.get_password, self.service, key)
            except Exception as exc:
                self._fallback(_describe(exc))
                value = self._memory.get(key)
        if value is not None:
            register_secret(value)
        return value

    async def set(self, key: str, value: str) -> None:
        register_secret(value)
        await self.probe()
        if self._backend is not None:
            try:
                # listed before it is written: a name may be listed and not stored, never
                # stored and not listed (a failing index is logged, never stops the secret)
                await self._list(key, True)
                await self._thread(self._backend.set_password, self.service, key, value)
                self._memory.pop(key, None)
                return
            except Exception as exc:
                self._fallback(_describe(exc))
        self._memory[key] = value

    async def delete(self, key: str) -> None:
        await self.probe()
        self._memory.pop(key, None)
        if self._backend is None:
            return
        from keyring.errors import PasswordDeleteError

        try:
            await self._thread(self._backend.delete_password, self.service, key)
        except PasswordDeleteError:
            pass  # nothing stored
        except Exception as exc:
            self._fallback(_describe(exc))
            return
        await self._list(key, False)  # unlisted after it is gone (the index never only grows)

    async def names(self) -> list[str]:
        """The names this profile's stores wrote since the index was kept (and those held in
        memory this session)."""
        await self.probe()
        listed: list[str] = []
        if self._backend is not None:
            try:
                listed = await self._thread(_read_index, self._backend, self.service)
            except Exception as exc:
                self._fallback(_describe(exc))
        return sorted((set(listed) | set(self._memory)) - {INDEX})

    async def delete_all(self, extra: Iterable[str] = (), keep: Iterable[str] = ()) -> None:
        """Delete every entry of this profile: the fixed names, every name in the index,
        ``extra`` (names written before the index, which the caller derives from the cache
        files and e-mails it knows), then the index itself; not ``keep``. Raises
        ``KeyringUnavailable`` when the keyring failed on the way (some may be left)."""
        await self.probe()
        was_persistent = self.persistent
        doomed = {*FIXED_NAMES, *await self.names(), *extra} - {INDEX, *keep}
        for key in sorted(doomed):
            await self.delete(key)
        if self._backend is not None:
            try:
                await self._thread(_write_index, self._backend, self.service, [])
            except Exception as exc:
                self._fallback(_describe(exc))
        if was_persistent and not self.persistent:
            raise KeyringUnavailable(self.unavailable_reason or "no OS keyring is available")

    async def _list(self, key: str, listed: bool) -> None:
        """Add ``key`` to the index (or take it out). A failure is logged, never raised: the
        index only helps find entries again when a profile is deleted."""
        if key.startswith(INDEX) or self._backend is None:
            return
        try:
            await self._thread(_update_index, self._backend, self.service, key, listed)
        except Exception as exc:
            log.warning("keyring: the names index was not updated (%s)", _describe(exc))


def _update_index(backend: Any, service: str, key: str, listed: bool) -> None:
    """Blocking (a worker thread): one read-modify-write of the index at a time. With a
    damaged part (a write cut short, another process) nothing is rewritten: a new name goes
    in a part of its own, and a name to unlist stays (a stale name is harmless)."""
    with _index_lock:
        names, damaged, count = _read_parts(backend, service)
        if (key in names) == listed:
            return
        if not damaged:
            _write_index(backend, service, sorted(names | {key} if listed else names - {key}))
        elif listed:
            backend.set_password(service, _part_name(count), json.dumps([key]))


def _part_name(n: int) -> str:
    return INDEX if n == 0 else f"{INDEX}.{n}"


def _read_parts(backend: Any, service: str) -> tuple[set[str], bool, int]:
    """The names of every readable part, whether a part was damaged, and how many there are."""
    names: set[str] = set()
    damaged, count = False, 0
    while (part := backend.get_password(service, _part_name(count))) is not None:
        count += 1
        try:
            listed = json.loads(part)
        except ValueError:
            damaged = True
            continue
        if isinstance(listed, list):
            names.update(str(n) for n in listed)
        else:
            damaged = True
    return names, damaged, count


def _read_index(backend: Any, service: str) -> list[str]:
    return sorted(_read_parts(backend, service)[0])


def _write_index(backend: Any, service: str, names: list[str]) -> None:
    """The index in parts of whole names; parts left over from a longer index are removed
    (an empty index is no entry at all)."""
    from keyring.errors import PasswordDeleteError

    parts: list[list[str]] = []
    for name in names:
        if parts and len(json.dumps([*parts[-1], name])) <= INDEX_PART:
            parts[-1].append(name)
        else:
            parts.append([name])
    for n, part in enumerate(parts):
        backend.set_password(service, _part_name(n), json.dumps(part))
    n = len(parts)
    while backend.get_password(service, _part_name(n)) is not None:
        with contextlib.suppress(PasswordDeleteError):
            backend.delete_password(service, _part_name(n))
        n += 1


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "the OS keyring did not answer in time"
    return f"the OS keyring failed ({type(exc).__name__})"


class KeyringUnavailable(RuntimeError):
    """The OS keyring cannot be used now; the message says why (never a secret)."""


def keyring_call(func: Any, *args: Any, timeout: float = 5.0) -> Any:
    """``func(*args)`` for a caller that is not a coroutine (blocking: never the UI thread),
    run on a daemon thread and waited for at most ``timeout`` s: a stuck D-Bus call is
    abandoned, not waited for (``asyncio.run`` would wait for it at its end).
    Raises ``KeyringUnavailable`` on a timeout or any error."""
    done: Future[Any] = Future()

    def run() -> None:
        try:
            done.set_result(func(*args))
        except BaseException as exc:
            done.set_exception(exc)

    threading.Thread(target=run, name="keyring-call", daemon=True).start()
    try:
        return done.result(timeout)
    except FutureTimeout:
        raise KeyringUnavailable("the OS keyring did not answer in time") from None
    except Exception as exc:
        raise KeyringUnavailable(_describe(exc)) from None


def usable_keyring(timeout: float = 5.0) -> Any:
    """The backend ``SecretStore`` would use (refused ones skipped), for ``keyring_call``;
    blocking. Raises ``KeyringUnavailable`` when there is none."""
    picked, reason = keyring_call(lambda: _pick_backend(os_keyring()), timeout=timeout)
    if picked is None:
        raise KeyringUnavailable(reason or "no OS keyring is available")
    return picked


def service_for(profile_name: str) -> str:
    """The keyring service of a profile's secrets (``Profile.keyring_service`` too)."""
    return f"Teller/{profile_name}"


def keyring_delete(backend: Any, service: str, name: str) -> None:
    """Delete one entry (blocking, for ``keyring_call``); nothing stored is no error."""
    from keyring.errors import PasswordDeleteError

    with contextlib.suppress(PasswordDeleteError):
        backend.delete_password(service, name)


def _skip_macos_backend() -> None:
    """keyring loads every backend; the macOS one's helper runs ctypes' find_library three
    times at import, which off macOS spawns gcc/ldconfig (~0.2 s of CPU). Its own guard then
    turns it down ("macOS required"): skip straight to that."""
    if sys.platform != "darwin":
        sys.modules.setdefault("keyring.backends.macOS.api", None)  # type: ignore[arg-type]


def preload_keyring() -> None:
    """Import keyring and every backend's module now, without choosing one (no D-Bus call):
    for a caller whose other thread will use the keyring while this one goes on importing
    (imports racing on two threads can deadlock)."""
    _skip_macos_backend()
    from keyring import backend

    backend._load_plugins()  # what choosing a backend imports (it then only checks them)
    with contextlib.suppress(ImportError):  # the Secret Service's session encryption loads it
        importlib.import_module("cryptography.hazmat.backends.openssl.backend")


def os_keyring() -> Any:
    """keyring's backend for this machine (blocking: call off the UI thread). The first call
    loads every backend through the packages' metadata (~70 modules, ~0.1 s); keyring keeps
    its choice, so later calls return at once."""
    _skip_macos_backend()
    import keyring

    return keyring.get_keyring()
