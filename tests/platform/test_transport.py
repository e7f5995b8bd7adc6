"""Transport security against real local servers: https required off loopback, the
environment's proxy ignored, CA bundle, SPKI pin checked before any HTTP byte, no redirects."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tls_server import Listener, https_server, make_cert

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import PasswordLogin, PlatformClient, PlatformError, RetryPolicy
from teller_app.platform._http import HttpCore
from teller_app.platform.transport import (
    TransportSecurityError,
    TransportSettings,
    check_url,
    parse_pin,
    spki_pin_of,
)
from teller_app.secrets import Profile

pytestmark = pytest.mark.asyncio
NO_RETRY = RetryPolicy(attempts=1, base_delay=0.0, max_delay=0.0)
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture()
def proxy_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Listener]:
    listener = Listener()
    for var in PROXY_VARS:
        monkeypatch.setenv(var, listener.url)
    for var in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    yield listener
    listener.close()


# --- https required ------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["http://bank.example.com", "http://10.0.0.5:8080",
                                 "http://localhost.evil.example", "ftp://bank.example.com"])
async def test_plain_http_to_a_remote_host_is_refused_before_any_traffic(url: str) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200, json={}))
    with pytest.raises(TransportSecurityError) as info:
        PlatformClient(url, "cp", auth=PasswordLogin("a@b.c", "pw-123456"), transport=transport)
    assert sent == []
    if url.startswith("http://"):
        assert info.value.reason == "https_required"
        assert "https is required" in str(info.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://127.3.2.1", "http://[::1]:99",
                                 "https://bank.example.com", "https://10.0.0.5"])
async def test_https_anywhere_and_http_on_loopback_are_accepted(url: str) -> None:
    check_url(url)


async def test_profile_refuses_plain_http_to_a_remote_host() -> None:
    with pytest.raises(ValueError, match="https is required"):
        Profile(name="bank", base_url="http://bank.example.com", counterparty_guid="cp")
    ok = Profile(name="bank", base_url="https://bank.example.com", counterparty_guid="cp")
    assert ok.transport() == TransportSettings()


async def test_profile_refuses_a_malformed_pin() -> None:
    with pytest.raises(ValueError, match="SPKI pin"):
        Profile(name="b", base_url="https://b.example", counterparty_guid="cp",
                spki_pins=["not-a-pin"])


# --- the environment's proxy is never used -------------------------------------------------
async def test_http_proxy_env_is_ignored_and_the_listener_receives_nothing(
    sandbox: SandboxProcess, proxy_env: Listener
) -> None:
    emp = sandbox.employee("Teller", 0)
    async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                              auth=PasswordLogin(emp["email"], emp["password"])) as client:
        me = await client.whoami()
    assert me.email == emp["email"]
    assert proxy_env.connections == 0 and proxy_env.received == b""


async def test_https_proxy_env_is_ignored_for_tls(tmp_path: Path, proxy_env: Listener) -> None:
    cert = make_cert(tmp_path)
    with https_server(cert) as server:
        http = HttpCore(server.url, retry=NO_RETRY,
                        settings=TransportSettings(ca_bundle=str(cert.cert_pem)))
        try:
            body = await http.request("POST", "/login", json_body={"password": "s3cret-pw"})
        finally:
            await http.aclose()
    assert body["ok"] is True
    assert proxy_env.connections == 0 and b"s3cret" not in proxy_env.received


async def test_an_explicit_profile_proxy_is_used(sandbox: SandboxProcess) -> None:
    listener = Listener()
    try:
        http = HttpCore(sandbox.base_url, retry=NO_RETRY,
                        settings=TransportSettings(proxy=listener.url))
        try:
            with pytest.raises(PlatformError):  # the fake proxy answers 502
                await http.request("GET", "/api/v1/dictionary/assets")
        finally:
            await http.aclose()
        assert listener.connections >= 1
        assert b"/api/v1/dictionary/assets" in listener.received
    finally:
        listener.close()


# --- CA bundle -------------------------------------------------------------------------------
async def test_self_signed_server_is_refused_without_its_ca_bundle(tmp_path: Path) -> None:
    cert = make_cert(tmp_path)
    with https_server(cert) as server:
        http = HttpCore(server.url, retry=NO_RETRY)
        try:
            with pytest.raises(TransportSecurityError) as info:
                await http.request("GET", "/ping")
        finally:
            await http.aclose()
        assert info.value.reason == "untrusted_certificate"
        assert server.recorded.requests == []


async def test_the_profile_ca_bundle_is_trusted(tmp_path: Path) -> None:
    cert = make_cert(tmp_path)
    with https_server(cert) as server:
        http = HttpCore(server.url, retry=NO_RETRY,
                        settings=TransportSettings(ca_bundle=str(cert.cert_pem)))
        try:
            assert (await http.request("GET", "/ping"))["path"] == "/ping"
        finally:
            await http.aclose()


async def test_a_missing_ca_bundle_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TransportSecurityError, match="CA bundle"):
        HttpCore("https://bank.example", settings=TransportSettings(
            ca_bundle=str(tmp_path / "missing.pem")))


# --- SPKI pin --------------------------------------------------------------------------------
async def test_matching_spki_pin_connects(tmp_path: Path) -> None:
    cert = make_cert(tmp_path)
    pin = spki_pin_of(cert.der)
    with https_server(cert) as server:
        for form in (pin, f"sha256/{pin}", base64.b64decode(pin).hex()):
            http = HttpCore(server.url, retry=NO_RETRY, settings=TransportSettings(
                ca_bundle=str(cert.cert_pem), spki_pins=(form,)))
            try:
                assert (await http.request("GET", "/ping"))["ok"] is True
            finally:
                await http.aclose()
    assert len(server.recorded.requests) == 3


async def test_wrong_spki_pin_fails_before_the_request_is_sent(tmp_path: Path) -> None:
    """A valid certificate (trusted CA bundle) but another key: the pin refuses the
    connection in the handshake, so the password never reaches the server."""
    cert = make_cert(tmp_path)
    other = make_cert(tmp_path, "other")
    with https_server(cert) as server:
        http = HttpCore(server.url, retry=RetryPolicy(attempts=3, base_delay=0, max_delay=0),
                        settings=TransportSettings(ca_bundle=str(cert.cert_pem),
                                                   spki_pins=(spki_pin_of(other.der),)))
        try:
            with pytest.raises(TransportSecurityError) as info:
                await http.request("POST", "/login", json_body={"password": "s3cret-pw"})
        finally:
            await http.aclose()
        assert info.value.reason == "pin_mismatch"
        assert server.recorded.requests == []  # nothing reached the HTTP layer


async def test_the_doctors_raw_reads_keep_the_profiles_ca_and_pin(tmp_path: Path) -> None:
    """``teller-app doctor`` reads evidence with the session's token as it came back: on the
    client's own connection, so the profile's CA bundle and SPKI pin hold there too (a
    client of its own would trust the system roots and skip the pin)."""
    cert = make_cert(tmp_path)
    other = make_cert(tmp_path, "other")
    token = {"Authorization": "Bearer s3cret-token"}
    with https_server(cert) as server:
        trusted = HttpCore(server.url, retry=NO_RETRY,
                           settings=TransportSettings(ca_bundle=str(cert.cert_pem)))
        pinned_elsewhere = HttpCore(server.url, retry=NO_RETRY, settings=TransportSettings(
            ca_bundle=str(cert.cert_pem), spki_pins=(spki_pin_of(other.der),)))
        try:
            response = await trusted.raw_get("/evidence", {"limit": 1}, token)
            assert response.status_code == 200
            assert response.json()["path"] == "/evidence?limit=1"
            with pytest.raises(httpx.ConnectError):
                await pinned_elsewhere.raw_get("/evidence", None, token)
        finally:
            await trusted.aclose()
            await pinned_elsewhere.aclose()
        assert len(server.recorded.requests) == 1  # the pinned read never reached it


async def test_test_connection_reaches_hub_and_auth_service_as_the_desk_will(
        tmp_path: Path) -> None:
    """"Test connection" checks a Mode-B hub with the profile's CA bundle (a bank's private
    CA), as the desk will connect; without it (another host, e.g. the Auth Service) the
    public roots decide, never the environment's CA or proxy."""
    from teller_app.core.doctor_checks import auth_service
    from teller_app.ui.profile_manager_check import _hub_ready

    cert = make_cert(tmp_path)
    settings = TransportSettings(ca_bundle=str(cert.cert_pem))
    with https_server(cert) as server:
        hub = await _hub_ready(server.url, settings)
        untrusted = await _hub_ready(server.url, None)
        auth = await auth_service(server.url)
    assert hub.status == "ok" and "-> 200" in hub.detail
    assert untrusted.status == "failed" and "ConnectError" in untrusted.detail
    assert auth.status == "failed" and "ConnectError" in auth.detail
    assert [p for _m, p, _b in server.recorded.requests] == ["/readyz"]


async def test_a_mode_b_hub_sign_in_keeps_the_profiles_pin(tmp_path: Path) -> None:
    """In Mode B the desk talks only to the hub: the profile's CA and SPKI pin hold for the
    hub's own API too, so the employee's password never reaches a host with another key."""
    from teller_app.platform.hub_client import HubClient

    cert = make_cert(tmp_path)
    other = make_cert(tmp_path, "other")
    with https_server(cert) as server:
        hub = HubClient(server.url, retry=NO_RETRY, settings=TransportSettings(
            ca_bundle=str(cert.cert_pem), spki_pins=(spki_pin_of(other.der),)))
        try:
            with pytest.raises(TransportSecurityError) as info:
                await hub.open_password_session("teller@bank.ua", "s3cret-pw")
        finally:
            await hub.aclose()
        assert info.value.reason == "pin_mismatch"
        assert server.recorded.requests == []  # the password never left


async def test_spki_pin_is_the_hash_of_the_subject_public_key_info(tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    cert = make_cert(tmp_path)
    spki = x509.load_der_x509_certificate(cert.der).public_key().public_bytes(
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    assert spki_pin_of(cert.der) == base64.b64encode(hashlib.sha256(spki).digest()).decode()


# --- redirects -------------------------------------------------------------------------------
async def test_redirects_are_not_followed(tmp_path: Path) -> None:
    cert = make_cert(tmp_path)
    with https_server(cert, tls=False) as target, \
            https_server(cert, tls=False, redirect_to=f"{target.url}/stolen") as server:
        http = HttpCore(server.url, retry=NO_RETRY)
        try:
            with pytest.raises(PlatformError) as info:
                await http.request("POST", "/redirect", json_body={"password": "s3cret-pw"})
        finally:
            await http.aclose()
        assert info.value.status_code == 302
        assert target.recorded.requests == []
        assert [r[1] for r in server.recorded.requests] == ["/redirect"]


@pytest.mark.parametrize("first", [0x00, 0xFB, 0xFC, 0xFF])
async def test_every_pin_form_reads_back_whatever_the_digest_starts_with(first: int) -> None:
    # A base64 digest starting with "/" (first byte >= 0xFC) once lost that "/" to the
    # curl-style "sha256//" prefix: a 1-in-64 refusal of a correct pin.
    raw = bytes([first]) + bytes(range(31))
    b64 = base64.b64encode(raw).decode()
    for form in (b64, f"sha256/{b64}", f"sha256//{b64}", f"SHA256/{b64}", raw.hex()):
        assert parse_pin(form) == raw, form
