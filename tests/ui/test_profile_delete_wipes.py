"""Deleting a profile in the profile manager leaves nothing of it on the computer: no keyring
entry (remembered sign-in, offline verifier, cache keys, the outbox key — also one written
before the store kept its index of names), no branch cache file, no audit outbox; and the
confirmation says first that audit entries not yet on the hub would be lost.

Real sandbox, real sign-in and sync into a real SQLCipher cache, a real encrypted outbox; the
keyring is a real backend holding its entries in this process (as the OS keyring would)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from teller_app.core import app_paths
from teller_app.core.audit_desk import DeskAudit
from teller_app.core.branch_cache import close_branch_cache, open_branch_cache
from teller_app.secrets import Profile, ProfileStore, SecretStore
from teller_app.ui.offline_start import sign_in_or_offline
from teller_app.ui.profile_manager import ProfileManagerDialog
from teller_app.ui.sign_in import SignInTarget

from .conftest import TELLER, password_of
from .test_profile_manager import MemoryKeyring, memory_keyring  # noqa: F401  (fixture)

NAME = "branch-pc"
SERVICE = f"Teller/{NAME}"


@pytest.fixture()
def ring(memory_keyring: MemoryKeyring) -> MemoryKeyring:  # noqa: F811
    return memory_keyring


def _names(ring: MemoryKeyring) -> set[str]:
    return {name for service, name in ring.items if service == SERVICE}


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_deleting_a_profile_removes_its_secrets_caches_and_outbox(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, sandbox, ring):
    profiles = ProfileStore()
    profile = Profile(name=NAME, base_url=sandbox.manifest["base_url"],
                      counterparty_guid=sandbox.manifest["counterparty_guid"], email=TELLER)
    profiles.save(profile)
    password = password_of(sandbox, TELLER)

    async def work_a_day() -> None:
        store = await SecretStore.open(NAME)
        session = await sign_in_or_offline(SignInTarget(profile), TELLER, password,
                                           remember=True, store=store, profiles=profiles)
        bundle = await open_branch_cache(session)
        await bundle.sync.sync_now()
        await close_branch_cache(bundle)
        audit = DeskAudit(NAME, None, "desk-1", employee=TELLER)  # no hub: entries wait
        audit.record("customer_opened", customer_guid="c-1")
        await audit.drain()
        await audit.aclose()
        await session.close()
        # a cache key as versions before the store's index wrote it (the index never saw it)
        stem = next((app_paths.data_dir() / "caches" / NAME).glob("*.db")).name[:-3]
        scope, _, employee = stem.partition(".")
        old_name = f"cache_key:{employee}:{scope}"
        await asyncio.to_thread(ring.delete_password, SERVICE, old_name)
        await asyncio.to_thread(ring.set_password, SERVICE, old_name, "00" * 32)
        await asyncio.to_thread(ring.set_password, SERVICE, "__names__", "[]")

    arun(work_a_day(), timeout=120000)
    data = app_paths.data_dir()
    cache_dir, audit_dir = data / "caches" / NAME, data / "audit"
    names = _names(ring)
    assert {f"session_token:{TELLER}", "offline_verifier", "audit_outbox_key"} <= names
    assert any(n.startswith("cache_key:") for n in names)
    assert any(p.suffix == ".db" for p in _files(cache_dir))
    assert (audit_dir / f"{NAME}.outbox").stat().st_size > 0

    manager = ProfileManagerDialog(ops, profiles)
    qtbot.addWidget(manager)
    manager.show()
    qtbot.waitUntil(lambda: manager.editing == NAME, timeout=5000)
    manager.delete_profile()
    box = manager._box
    assert box is not None and box.isVisible()
    # the one entry still waiting for the hub is named before anything is deleted
    qtbot.waitUntil(lambda: "not reached the hub" in box.informativeText(), timeout=10000)
    assert "1 audit entr" in box.informativeText()  # "entry" once the plural is loaded
    assert box.icon() == QMessageBox.Icon.Warning
    with qtbot.waitSignal(manager.profiles_changed, timeout=20000):
        box.button(QMessageBox.StandardButton.Yes).click()

    assert manager.message.text() == f"Profile {NAME} deleted."
    assert [p.name for p in profiles.list()] == []
    assert _names(ring) == set()  # not one keyring entry of the profile is left
    assert _files(cache_dir) == [] and not cache_dir.exists()
    assert [p for p in _files(audit_dir) if p.name.startswith((NAME, f".{NAME}"))] == []
