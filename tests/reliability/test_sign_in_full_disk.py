"""A sign-in the platform accepted is not failed by a full disk (the profile's remembered
e-mail is a convenience), and a sign-in that fails after the platform accepted it (the
keyring refused the remembered token) revokes that platform session: none is left open."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from fs_faults import fill, small_fs
from reliability_helpers import TELLER, password_of

from teller_app.secrets import ProfileStore
from teller_app.ui.sign_in import SignInTarget, sandbox_target, sign_in


def _branch_target(sandbox: Any) -> SignInTarget:
    """The sandbox as a saved (non-demo) profile: only those remember the e-mail."""
    profile = sandbox_target(sandbox.manifest).profile.model_copy(
        update={"name": "Branch", "is_sandbox": False})
    return SignInTarget(profile)


def test_full_disk_does_not_fail_an_accepted_sign_in(sandbox: Any, tmp_path: Path) -> None:
    target = _branch_target(sandbox)
    with small_fs(tmp_path, "256k") as fs:
        profiles = ProfileStore(fs / "config" / "profiles.json")
        profiles.save(target.profile)
        fill(fs)

        async def scenario() -> str:
            session = await sign_in(target, TELLER, password_of(sandbox, TELLER),
                                    remember=False, store=None, profiles=profiles)
            try:
                return session.employee.email
            finally:
                await session.close(sign_out=True)

        assert asyncio.run(scenario()) == TELLER
        assert not profiles.load("Branch").email  # not saved: the disk was full


class _RefusingKeyring:
    """A keyring that takes deletes and refuses to keep the token (fault injection): the
    token it was offered is kept here, to ask the platform about it afterwards."""

    def __init__(self) -> None:
        self.offered: list[str] = []

    async def delete(self, key: str) -> None:
        return None

    async def set(self, key: str, value: str) -> None:
        self.offered.append(value)
        raise OSError("the keyring refused the write")


def test_failed_sign_in_revokes_its_platform_session(sandbox: Any) -> None:
    target = _branch_target(sandbox)
    store = _RefusingKeyring()
    with pytest.raises(OSError):
        asyncio.run(sign_in(target, TELLER, password_of(sandbox, TELLER), remember=True,
                            store=store, profiles=None))  # type: ignore[arg-type]
    assert len(store.offered) == 1
    whoami = httpx.get(f"{sandbox.base_url}/kratos/sessions/whoami",
                       headers={"X-Session-Token": store.offered[0]}, timeout=10)
    assert whoami.status_code == 401, whoami.text  # revoked, not left open


class _MemoryKeyring:
    """The keyring calls sign-in makes, kept in memory (what was remembered is readable)."""

    def __init__(self) -> None:
        self.kept: dict[str, str] = {}

    async def delete(self, key: str) -> None:
        self.kept.pop(key, None)

    async def set(self, key: str, value: str) -> None:
        self.kept[key] = value


def test_failed_sign_in_forgets_the_token_it_remembered(sandbox: Any, tmp_path: Path) -> None:
    """The token was remembered, then the profiles file turned out damaged: the sign-in
    fails, its session is revoked and the token is not left remembered."""
    target = _branch_target(sandbox)
    damaged = tmp_path / "profiles.json"
    damaged.write_text("[]", encoding="utf-8")  # JSON, but no profiles file
    store = _MemoryKeyring()
    tokens: list[str] = []
    real_set = store.set

    async def keep(key: str, value: str) -> None:
        tokens.append(value)
        await real_set(key, value)

    store.set = keep  # type: ignore[method-assign]
    with pytest.raises(ValueError):
        asyncio.run(sign_in(target, TELLER, password_of(sandbox, TELLER), remember=True,
                            store=store, profiles=ProfileStore(damaged)))  # type: ignore[arg-type]
    assert len(tokens) == 1 and store.kept == {}  # remembered, then forgotten
    whoami = httpx.get(f"{sandbox.base_url}/kratos/sessions/whoami",
                       headers={"X-Session-Token": tokens[0]}, timeout=10)
    assert whoami.status_code == 401, whoami.text
