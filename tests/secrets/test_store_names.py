"""A profile's keyring entries can all be found again: every name a store writes is listed in
the service's index first, ``delete_all`` removes them all (and the index), and the fixed
names it knows from before the index are the ones the desk really writes."""

from __future__ import annotations

import asyncio

from keyring.backend import KeyringBackend

from teller_app.core.audit import OUTBOX_KEY
from teller_app.core.cache_open import KEY_PREFIX
from teller_app.secrets.proxy_secret import PROXY_PASSWORD
from teller_app.secrets.store import FIXED_NAMES, INDEX, SecretStore
from teller_app.ui import profile_wipe
from teller_app.ui.offline_start import VERIFIER
from teller_app.ui.sign_in import remember_key


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


def test_the_fixed_names_are_the_ones_written() -> None:
    assert {VERIFIER, OUTBOX_KEY, PROXY_PASSWORD} <= set(FIXED_NAMES)
    assert profile_wipe.CACHE_KEY_PREFIX == KEY_PREFIX and profile_wipe.VERIFIER == VERIFIER
    assert remember_key(" Ann@Bank.UA ") == "session_token:ann@bank.ua"


def test_every_name_written_is_listed_and_deleted() -> None:
    ring = MemoryKeyring()
    other = ("Teller/other", "cache_key:e:b")
    ring.items[other] = "keep"

    async def run() -> tuple[list[str], set[str], set[str]]:
        store = await SecretStore.open("p", backend=ring)
        await store.set("cache_key:e1:b1", "aa")
        await store.set(remember_key("ann@bank.ua"), "tok")
        await store.set("cache_key:e1:b1", "bb")  # listed once
        listed = await store.names()
        written = {n for s, n in ring.items if s == "Teller/p"}
        await store.delete_all(["cache_key:old:b0"])
        return listed, written, {n for s, n in ring.items if s == "Teller/p"}

    ring.items[("Teller/p", "cache_key:old:b0")] = "from an older version"
    listed, written, left = asyncio.run(run())
    assert listed == ["cache_key:e1:b1", "session_token:ann@bank.ua"]
    assert INDEX in written and "cache_key:old:b0" in written
    assert left == set() and ring.items[other] == "keep"  # another profile's stays
