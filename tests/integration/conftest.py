"""Integration fixtures: the sandbox (as DCM) and the Teller Hub (as the bank's Auth Service
and Mode-B proxy), wired over loopback exactly as the embedded default wires them.

``hub_stack`` (session): ``core.embedded_stack.start_embedded`` + ``onboard`` in a temp dir.
``slow_hub_stack`` (module): the same, but DCM calls the hub's Auth Service through a
``DelayingProxy`` (``stack.delay``) so a test can make the hub answer DCM late.
Helpers (``hub_employee`` adds a Mode-B hub employee, …) are in ``hub_stack_helpers.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from hub_stack_helpers import SlowStack
from tcp_delay import DelayingProxy

from teller_app.core.embedded_hub import free_port, start_hub
from teller_app.core.embedded_sandbox import start_sandbox
from teller_app.core.embedded_stack import EmbeddedStack, hub_settings
from tests.onboarded_stack import onboarded_stack


@pytest.fixture()
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The desk's config and data in the test's own dirs, and no OS keyring (the desk runs
    without one: the outbox key and remembered sign-ins live for the process only)."""
    monkeypatch.setenv("TELLER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TELLER_DATA_DIR", str(tmp_path / "data"))
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def hub_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    with onboarded_stack(tmp_path_factory.mktemp("hub-stack")) as stack:
        yield stack


@pytest.fixture(scope="module")
def slow_hub_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlowStack]:
    base = tmp_path_factory.mktemp("slow-hub")
    hub_port = free_port()
    relay_port = free_port()
    sandbox = start_sandbox(base / "sandbox", "--bank-auth-url",
                            f"http://127.0.0.1:{relay_port}")
    try:
        hub = start_hub(base / "hub", port=hub_port, settings=hub_settings(sandbox))
        relay = DelayingProxy(hub_port, port=relay_port)
        try:
            yield SlowStack(sandbox, hub, relay)
        finally:
            relay.close()
            hub.stop()
    finally:
        sandbox.stop()


