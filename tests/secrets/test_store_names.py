"""A profile's keyring entries can all be found again: every name a store writes is listed in
the service's index first, ``delete_all`` removes them all (and the index), and the fixed
names it knows from before the index are the ones the desk really writes."""

from __future__ import annotations

import asyncio
import json

from keyring_fakes import MemoryKeyring

from teller_app.core.audit import OUTBOX_KEY
from teller_app.core.cache_open import KEY_PREFIX
from teller_app.secrets.proxy_secret import PROXY_PASSWORD
from teller_app.secrets.store import FIXED_NAMES, INDEX, SecretStore
from teller_app.ui import profile_wipe
from teller_app.ui.offline_start import VERIFIER
from teller_app.ui.sign_in import remember_key


def test_the_fixed_names_are_the_ones_written() -> None:
    assert {VERIFIER, OUTBOX_KEY, PROXY_PASSWORD} <= set(FIXED_NAMES)
    assert profile_wipe.CACHE_KEY_PREFIX == KEY_PREFIX and profile_wipe.VERIFIER == VERIFIER
    assert remember_key(" Ann@Bank.UA ") == "session_token:ann@bank.ua"


def test_every_name_written_is_listed_and_deleted() -> None:
    ring = MemoryKeyring()
    other = ("Teller/other", "cache_key:e:b")
    ring.data[other] = "keep"

    async def run() -> tuple[list[str], set[str], set[str]]:
        store = await SecretStore.open("p", backend=ring)
        await store.set("cache_key:e1:b1", "aa")
        await store.set(remember_key("ann@bank.ua"), "tok")
        await store.set("cache_key:e1:b1", "bb")  # listed once
        listed = await store.names()
        written = {n for s, n in ring.data if s == "Teller/p"}
        await store.delete_all(["cache_key:old:b0"])
        return listed, written, {n for s, n in ring.data if s == "Teller/p"}

    ring.data[("Teller/p", "cache_key:old:b0")] = "from an older version"
    listed, written, left = asyncio.run(run())
    assert listed == ["cache_key:e1:b1", "session_token:ann@bank.ua"]
    assert INDEX in written and "cache_key:old:b0" in written
    assert left == set() and ring.data[other] == "keep"  # another profile's stays


class CredentialManagerSized(MemoryKeyring):
    """Windows' Credential Manager: at most 2 560 bytes of UTF-16 per entry."""

    def set_password(self, service: str, username: str, password: str) -> None:
        if len(password.encode("utf-16-le")) > 2560:
            raise OSError("the credential is too large")
        super().set_password(service, username, password)


def test_the_index_of_a_busy_shared_pc_fits_a_windows_keyring_and_shrinks() -> None:
    """Twenty employees' names outgrow one Windows credential: the index is kept in parts,
    the secrets themselves are stored (the store never drops to memory), a deleted name
    leaves the index, and ``delete_all`` leaves no part behind."""
    ring = CredentialManagerSized()
    keys = [f"cache_key:{n:032x}:{n:032x}" for n in range(20)]
    keys += [remember_key(f"teller.number.{n}@branch.bank.ua") for n in range(20)]

    async def run() -> tuple[bool, list[str], list[str], set[str]]:
        store = await SecretStore.open("p", backend=ring)
        for key in keys:
            await store.set(key, "s")
        persistent = store.persistent
        listed = await store.names()
        await store.delete(keys[0])
        after_delete = await store.names()
        await store.delete_all()
        return persistent, listed, after_delete, {n for s, n in ring.data if s == "Teller/p"}

    persistent, listed, after_delete, left = asyncio.run(run())
    assert persistent  # every secret reached the keyring
    assert listed == sorted(keys)
    assert keys[0] not in after_delete and len(after_delete) == len(keys) - 1
    assert left == set()  # no secret, no index part


def test_a_damaged_part_of_the_index_loses_no_other_name() -> None:
    """A write cut short (or another process) leaves one part unreadable: the names of the
    other parts are still found, a new name is still listed, and nothing is overwritten."""
    ring = MemoryKeyring()
    keys = sorted(f"cache_key:{n:032x}:{n:032x}" for n in range(20))

    async def run() -> tuple[int, list[str], list[str]]:
        store = await SecretStore.open("p", backend=ring)
        for key in keys:
            await store.set(key, "s")
        held = len(json.loads(ring.data[("Teller/p", INDEX)]))  # the first part's names
        ring.data[("Teller/p", INDEX)] = '["cache_key:0000'  # that part, cut short
        before = await store.names()
        await store.set("offline_verifier", "v")
        return held, before, await store.names()

    held, before, after = asyncio.run(run())
    assert 0 < held < len(keys)  # the index is in several parts
    assert before == keys[held:]  # every other part's names are found
    assert set(after) == set(before) | {"offline_verifier"}
