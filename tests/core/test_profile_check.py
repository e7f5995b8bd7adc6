"""``teller-app doctor --profile`` checks a saved profile the way the desk connects with it
(``core/profile_check.py``, shared with "Test connection"): through the profile's proxy, CA
bundle and pins, its hub's ``/readyz``, and in Mode B a sign-in through the hub (never to DCM
with the hub's password). A step that fails makes the profile not compatible (exit 1)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.secrets import Profile
from tests.mode_b_desk import hub_profile, hub_teller
from tests.onboarded_stack import onboarded_stack
from tests.profile_doctor import doctor, steps

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))

from tls_server import Listener, https_server, make_cert

TELLER = "teller.kyiv@demo.bank"
DEAD = "http://127.0.0.1:9"  # nothing listens there


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    with onboarded_stack(tmp_path_factory.mktemp("doctor-hub")) as started:
        yield started


def _password(sb: SandboxProcess, email: str = TELLER) -> str:
    return str(next(e["password"] for e in sb.manifest["employees"] if e["email"] == email))


def _profile(sb: SandboxProcess, name: str, **kw: Any) -> Profile:
    fields: dict[str, Any] = {"base_url": sb.base_url, "counterparty_guid": sb.counterparty_guid,
                              "email": TELLER, **kw}
    return Profile(name=name, **fields)


def test_a_profile_behind_a_dead_proxy_is_not_compatible(sandbox: SandboxProcess,
                                                         tmp_path: Path) -> None:
    """The audit's first probe: the platform itself answers, but not through the profile's
    proxy, which is all the desk will use."""
    code, report, err = doctor(tmp_path, _profile(sandbox, "viaproxy", proxy=DEAD),
                               _password(sandbox))
    assert code == 1, (report, err)
    assert report["compatible"] is False
    assert steps(report) == [("platform", "failed")]  # nothing signs in past it
    detail = report["checks"][0]["detail"]
    assert f"via proxy {DEAD}" in detail and "ConnectError" in detail


def test_the_profiles_proxy_carries_the_check(sandbox: SandboxProcess, tmp_path: Path) -> None:
    """A proxy that answers (a gateway that cannot reach the platform, 502): the check went
    through it and says so."""
    proxy = Listener()
    try:
        code, report, err = doctor(tmp_path, _profile(sandbox, "gw", proxy=proxy.url),
                                   _password(sandbox))
    finally:
        proxy.close()
    assert code == 1, (report, err)
    assert steps(report) == [("platform", "failed")]
    assert "-> 502" in report["checks"][0]["detail"]
    assert proxy.connections >= 1 and sandbox.base_url.encode() in proxy.received


def test_mode_b_with_a_dead_hub_is_not_compatible(sandbox: SandboxProcess,
                                                  tmp_path: Path) -> None:
    """The audit's second probe: a Mode B profile whose hub does not answer. The password is
    a real DCM one, so a check that signed in to DCM directly would pass."""
    profile = _profile(sandbox, "modeb", auth_mode="hub", hub_url=DEAD)
    code, report, err = doctor(tmp_path, profile, _password(sandbox))
    assert code == 1, (report, err)
    assert report["compatible"] is False and report["auth_mode"] == "hub"
    assert steps(report) == [("Teller Hub", "failed")]
    assert f"GET {DEAD}/readyz" in report["checks"][0]["detail"]


def test_mode_a_reports_its_hub(sandbox: SandboxProcess, tmp_path: Path) -> None:
    """Mode A with a hub_url that does not answer: DCM's checks pass, the hub's does not."""
    code, report, err = doctor(tmp_path, _profile(sandbox, "a-hub", hub_url=DEAD),
                               _password(sandbox))
    assert code == 1, (report, err)
    found = dict(steps(report))
    assert steps(report)[:3] == [("platform", "ok"), ("Teller Hub", "failed"), ("sign-in", "ok")]
    assert found["roles"] == "ok" and found["Auth Service reachability"] == "failed"


def test_mode_b_signs_in_through_the_hub_and_checks_dcm_through_its_proxy(
        stack: EmbeddedStack, tmp_path: Path) -> None:
    """A teller known only to the hub: signing in to DCM with the hub's password would fail
    (exit 2); through the hub, every check passes and what was learnt is kept."""
    email, password = hub_teller(stack)
    profile = hub_profile(stack).model_copy(update={"email": email})
    code, report, err = doctor(tmp_path, profile, password)
    assert code == 0, (report, err)
    assert report["compatible"] is True and report["server"] == f"{stack.hub_url}/dcm"
    assert steps(report)[:3] == [("Teller Hub", "ok"), ("sign-in", "ok"), ("platform", "ok")]
    names = [name for name, _status in steps(report)]
    assert {"roles", "branch", "list paging and cap", "accounts shape"} <= set(names)
    assert all(status in ("ok", "adapted") for _name, status in steps(report))
    sign_in = report["checks"][1]["detail"]
    assert f"{stack.hub_url}/api/v1/sessions" in sign_in and email in sign_in
    assert "/dcm/" in report["checks"][2]["detail"]
    stored = json.loads((tmp_path / "server-traits.json").read_text())
    assert stored["profiles"][profile.name]["traits"] == report["learnt"]

    code, report, err = doctor(tmp_path, profile, "Not-The-Hub-Password-7")
    assert code == 2  # a sign-in error, as in Mode A
    assert steps(report) == [("Teller Hub", "ok"), ("sign-in", "failed")]
    assert "Not-The-Hub-Password-7" not in json.dumps(report) + err


def test_a_pin_that_does_not_match_stops_before_any_request(tmp_path: Path) -> None:
    """The profile's CA bundle and SPKI pins hold for the check: a server with another key
    never receives a byte of HTTP (so never a password)."""
    from teller_app.core.profile_check import check_profile
    from teller_app.platform.transport import spki_pin_of

    cert, other = make_cert(tmp_path), make_cert(tmp_path, "other")
    with https_server(cert) as server:
        trusted = Profile(name="tls", base_url=server.url, counterparty_guid="cp-1",
                          ca_bundle=str(cert.cert_pem))
        pinned = trusted.model_copy(update={"spki_pins": [spki_pin_of(other.der)]})
        refused = asyncio.run(check_profile(pinned, "me@bank.ua", "pw-123456", timeout=5))
        before = list(server.recorded.requests)
        reached = asyncio.run(check_profile(trusted, "me@bank.ua", "pw-123456", timeout=5))
        after = list(server.recorded.requests)
    assert [(c.name, c.status) for c in refused.checks] == [("platform", "failed")]
    assert "SPKI pin" in refused.checks[0].detail and not refused.compatible
    assert before == []  # refused in the handshake
    assert reached.checks[0].name == "platform" and reached.checks[0].status == "ok"
    assert "CA bundle" in reached.checks[0].detail
    assert after[0][1] == "/"  # the trusted profile's GET came through its CA bundle
