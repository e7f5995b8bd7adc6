"""An offline start on a profile with a Teller Hub keeps its hub: once the platform is back
and the desk has signed in by itself, the hub session opens with the new platform token, so
four eyes, customer secrets and the audit flush work without signing out."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from teller_app.core.embedded_hub import free_port, start_hub
from teller_app.core.embedded_sandbox import start_sandbox
from teller_app.core.embedded_stack import hub_settings
from teller_app.secrets import Profile, SecretStore
from teller_app.ui.offline_start import sign_in_or_offline
from teller_app.ui.sign_in import SignInTarget

from .conftest import TELLER, password_of
from .test_profile_manager import memory_keyring  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


def test_an_offline_start_gets_its_hub_once_the_platform_is_back(  # type: ignore[no-untyped-def]
        qtbot, arun, tmp_path, memory_keyring):  # noqa: F811
    sandbox = start_sandbox(tmp_path / "sandbox")
    hub = start_hub(tmp_path / "hub", port=free_port(), settings=hub_settings(sandbox))
    try:
        password = password_of(sandbox, TELLER)
        profile = Profile(name="bank", base_url=sandbox.base_url, hub_url=hub.base_url,
                          counterparty_guid=sandbox.manifest["counterparty_guid"])
        target = SignInTarget(profile)
        store = arun(SecretStore.open("bank"))
        online = arun(sign_in_or_offline(target, TELLER, password, remember=False,
                                         store=store))
        assert online.hub is not None and online.hub.connected
        arun(online.close())

        port = urlsplit(sandbox.base_url).port
        sandbox.stop()  # the platform is down: the desk starts offline
        offline = arun(sign_in_or_offline(target, TELLER, password, remember=False,
                                          store=store), timeout=30000)
        try:
            assert offline.client.token_expires_at is None  # offline: not signed in yet
            assert offline.hub is not None and not offline.hub.connected
            sandbox = start_sandbox(sandbox.data_dir, port=port or 0)
            arun(offline.client.list_customers(limit=1), timeout=30000)  # signs in itself
            arun(offline.hub.connect(), timeout=30000)
            assert offline.hub.connected
            assert arun(offline.hub.hub.me()).email == TELLER
        finally:
            arun(offline.close())
    finally:
        hub.stop()
        sandbox.stop()
