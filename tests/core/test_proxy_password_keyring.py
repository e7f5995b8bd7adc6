"""A profile's proxy password lives only in the OS keyring (a real Secret Service,
tests/core/conftest.py): profiles.json keeps the proxy URL without it, an older file that has
one is moved on load, deleting the profile deletes it, and the platform client built from the
profile sends it to the proxy (a fake proxy, tests/platform/tls_server.Listener, reads the
Proxy-Authorization it receives)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail

sys.path.insert(0, str(Path(__file__).parent.parent / "platform"))

from tls_server import Listener

from teller_app.core.session import make_auth, open_session
from teller_app.platform import PlatformError, RetryPolicy
from teller_app.secrets import Profile, ProfileStore, ProxyPasswordNotKept

pytestmark = pytest.mark.keyring
USER = "alice"
SECRET = "Pr0xy-S3cret@ü:/ok"  # needs percent-encoding in a URL
QUOTED = "Pr0xy-S3cret%40%C3%BC%3A%2Fok"
ENTRY = "proxy_password"
NO_RETRY = RetryPolicy(attempts=1, base_delay=0.0, max_delay=0.0)


@pytest.fixture()
def proxy() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


def _profile(name: str, proxy: str | None, **kw: Any) -> Profile:
    return Profile(name=name, base_url="http://127.0.0.1:9", counterparty_guid="cp",
                   email="teller@bank.ua", proxy=proxy, **kw)


def _host(listener: Listener) -> str:
    return listener.url.removeprefix("http://")


def _assert_private_without_secret(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text and QUOTED not in text and "S3cret" not in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    return text


def test_a_proxy_password_is_saved_to_the_keyring_and_never_to_the_file(
        secret_service: Any, tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "cfg" / "profiles.json")
    store.save(_profile("kyiv", f"http://{USER}:{QUOTED}@proxy.bank.ua:3128"))

    text = _assert_private_without_secret(store.path)
    assert json.loads(text)["profiles"][0]["proxy"] == f"http://{USER}@proxy.bank.ua:3128"
    assert secret_service.get_password("Teller/kyiv", ENTRY) == SECRET

    loaded = ProfileStore(store.path).load("kyiv")  # another store: read from the keyring
    assert loaded.proxy == f"http://{USER}@proxy.bank.ua:3128"
    assert loaded.transport().proxy == f"http://{USER}:{QUOTED}@proxy.bank.ua:3128"
    assert SECRET not in repr(loaded) and SECRET not in loaded.model_dump_json()

    # Saved again (sign-in keeps the e-mail): the URL and the keyring entry stay as they are.
    ProfileStore(store.path).save(loaded.model_copy(update={"email": "other@bank.ua"}))
    _assert_private_without_secret(store.path)
    assert secret_service.get_password("Teller/kyiv", ENTRY) == SECRET

    assert store.delete("kyiv")
    assert secret_service.get_password("Teller/kyiv", ENTRY) is None


def test_an_older_file_with_a_password_in_the_proxy_url_is_moved_on_load(
        secret_service: Any, tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    old = {"version": 1, "last_profile": "lviv", "profiles": [
        {"name": "lviv", "base_url": "https://dcm.bank.ua", "counterparty_guid": "cp",
         "proxy": f"http://{USER}:{QUOTED}@proxy.bank.ua:3128", "future_field": [1, 2]},
        {"name": "plain", "base_url": "https://dcm.bank.ua", "counterparty_guid": "cp"}]}
    path.write_text(json.dumps(old), encoding="utf-8")
    os.chmod(path, 0o600)

    profiles = ProfileStore(path).list()

    text = _assert_private_without_secret(path)
    moved = json.loads(text)
    assert moved["profiles"][0] == {**old["profiles"][0],  # only the password went
                                    "proxy": f"http://{USER}@proxy.bank.ua:3128"}
    assert moved["profiles"][1] == old["profiles"][1] and moved["last_profile"] == "lviv"
    assert secret_service.get_password("Teller/lviv", ENTRY) == SECRET
    assert profiles[0].transport().proxy == f"http://{USER}:{QUOTED}@proxy.bank.ua:3128"
    assert profiles[1].transport().proxy is None
    again = ProfileStore(path).load("lviv")
    assert again.transport().proxy == f"http://{USER}:{QUOTED}@proxy.bank.ua:3128"
    ProfileStore(path).delete("lviv")


def test_a_changed_proxy_never_gets_the_old_password(secret_service: Any,
                                                     tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    store.save(_profile("odesa", f"http://{USER}:{QUOTED}@proxy.bank.ua:3128"))
    _assert_private_without_secret(store.path)
    assert secret_service.get_password("Teller/odesa", ENTRY) == SECRET
    edited = store.load("odesa").model_copy(
        update={"proxy": f"http://{USER}@other-proxy.example:8080"})
    edited = Profile.model_validate(edited.model_dump())  # as typed: no password with it
    store.save(edited)
    assert secret_service.get_password("Teller/odesa", ENTRY) is None
    assert store.load("odesa").transport().proxy == f"http://{USER}@other-proxy.example:8080"
    store.delete("odesa")


@pytest.mark.parametrize("mode", ["password", "hub"])
def test_the_client_built_from_the_profile_authenticates_to_the_proxy(
        secret_service: Any, tmp_path: Path, proxy: Listener, mode: str) -> None:
    """Mode A: DCM through the proxy; Mode B: the hub (and DCM behind it) through it."""
    path = tmp_path / "profiles.json"
    ProfileStore(path).save(_profile("proxied", f"http://{USER}:{QUOTED}@{_host(proxy)}",
                                     auth_mode=mode, hub_url="http://127.0.0.1:7"))
    _assert_private_without_secret(path)
    profile = ProfileStore(path).load("proxied")  # as the app: a fresh read of the file

    async def sign_in() -> None:
        with pytest.raises(PlatformError):  # the fake proxy answers 502
            await open_session(profile, make_auth(profile, "teller@bank.ua", "pw-123456"),
                               retry=NO_RETRY)

    asyncio.run(sign_in())
    assert proxy.connections >= 1
    assert proxy.proxy_credentials() and set(proxy.proxy_credentials()) == {(USER, SECRET)}
    ProfileStore(path).delete("proxied")


def test_without_a_keyring_a_new_proxy_password_is_refused_and_an_old_one_stays(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    path = tmp_path / "profiles.json"
    store = ProfileStore(path, keyring_backend=fail.Keyring())
    store.save(_profile("plain", None))
    before = path.read_text(encoding="utf-8")
    with pytest.raises(ProxyPasswordNotKept) as info:
        store.save(_profile("kyiv", f"http://{USER}:{QUOTED}@proxy.bank.ua:3128"))
    assert SECRET not in str(info.value) and "keyring" in str(info.value)
    assert path.read_text(encoding="utf-8") == before  # nothing written

    # An older file cannot be moved without a keyring: it is left as it was (nothing lost),
    # and a later save (the e-mail at sign-in) writes nothing new in plain text either.
    old = {"version": 1, "profiles": [
        {"name": "lviv", "base_url": "https://dcm.bank.ua", "counterparty_guid": "cp",
         "proxy": f"http://{USER}:{QUOTED}@proxy.bank.ua:3128"}]}
    path.write_text(json.dumps(old), encoding="utf-8")
    loaded = store.load("lviv")
    assert loaded.transport().proxy == f"http://{USER}:{QUOTED}@proxy.bank.ua:3128"
    assert json.loads(path.read_text(encoding="utf-8")) == old
    store.save(loaded.model_copy(update={"email": "t@bank.ua"}))
    assert json.loads(path.read_text())["profiles"][0]["proxy"] == old["profiles"][0]["proxy"]
    assert SECRET not in caplog.text and QUOTED not in caplog.text
