"""Test-only keyring backends (never auto-selected: ``priority`` raises, so keyring's own
discovery skips them)."""

from __future__ import annotations

import threading

from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend
from keyring.compat import properties
from keyring.errors import KeyringError, PasswordDeleteError


class _TestOnly(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:  # type: ignore[override]
        raise RuntimeError("test-only backend")


class MemoryKeyring(_TestOnly):
    """A working in-memory keyring."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.data.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class BrokenKeyring(MemoryKeyring):
    """Reads work, writes fail (a locked collection)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("Prompt dismissed")


class HangingKeyring(MemoryKeyring):
    """Never answers until ``release`` is set (a stuck D-Bus call)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(30)
        return None


class PlaintextFileKeyring(MemoryKeyring):
    """Looks like keyrings.alt's plain-text file backend (must be refused)."""


PlaintextFileKeyring.__module__ = "keyrings.alt.file"


class FakeChainer(ChainerBackend):
    """A chainer over the given members (keyring's own computes them from the machine)."""

    viable = False

    def __init__(self, members: list[KeyringBackend]) -> None:
        super().__init__()
        self._members = members

    @properties.classproperty
    def priority(cls) -> float:  # type: ignore[override]
        raise RuntimeError("test-only backend")

    @property
    def backends(self) -> list[KeyringBackend]:  # type: ignore[override]
        return self._members
