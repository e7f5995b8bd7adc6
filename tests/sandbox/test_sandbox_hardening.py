"""Sign-in and request hardening (issue 16 item 6): each test fails without its fix."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sandbox_api import ADMIN, TELLER_KYIV, Api
from thread_server import ThreadServer

from teller_app.sandbox import passwords, routes_auth
from teller_app.sandbox.app import Config, create_app
from teller_app.sandbox.db import Store
from teller_app.sandbox.world import ensure_world

InProc = tuple[httpx.Client, dict, FastAPI]  # the in-process sandbox: client, world, app


def _flow(http: httpx.Client) -> str:
    return str(http.get("/kratos/self-service/login/api").json()["id"])


def _submit(http: httpx.Client, flow: str, email: str,
            password: str) -> httpx.Response:
    return http.post(f"/kratos/self-service/login?flow={flow}",
                     data={"identifier": email, "password": password, "method": "password"})


def test_wrong_password_burns_the_flow(api: Api) -> None:
    flow = _flow(api.http)
    for _ in range(30):
        assert _submit(api.http, flow, TELLER_KYIV, "wrong").status_code == 401
    right = _submit(api.http, flow, TELLER_KYIV, api.emp(TELLER_KYIV)["password"])
    assert right.status_code == 401
    assert "flow not found" in right.json()["error"]
    # One wrong attempt is enough to burn it.
    flow = _flow(api.http)
    assert _submit(api.http, flow, ADMIN, "wrong").status_code == 401
    assert _submit(api.http, flow, ADMIN, api.emp(ADMIN)["password"]).status_code == 401
    assert _submit(api.http, _flow(api.http), ADMIN,
                   api.emp(ADMIN)["password"]).status_code == 200


class _CountingHasher:
    """The sandbox's argon2 hasher, counting the hashes each sign-in verifies."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.verified: list[str] = []  # each verified hash's parameters ("m=…,t=…,p=…")

    def verify(self, stored: str, password: str) -> bool:
        self.verified.append(stored.split("$")[3])
        return bool(self.real.verify(stored, password))  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


def test_unknown_user_costs_a_hash(inproc: InProc, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown e-mail verifies one argon2 hash at the real cost, as a wrong password
    does: no user enumeration by timing (without the dummy hash it verifies none)."""
    client, _world, _app = inproc
    hasher = _CountingHasher(passwords._HASHER)
    monkeypatch.setattr(passwords, "_HASHER", hasher)
    assert _submit(client, _flow(client), TELLER_KYIV, "wrong-password").status_code == 401
    known = list(hasher.verified)
    hasher.verified.clear()
    assert _submit(client, _flow(client), "nobody-here@demo.bank",
                   "wrong-password").status_code == 401
    assert known == hasher.verified == ["m=19456,t=2,p=1"]


def test_password_hashes_are_argon2id(api: Api) -> None:
    db = api.sb.data_dir / "sandbox.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        hashes = [r[0] for r in conn.execute("SELECT password_hash FROM employees "
                                             "WHERE password_hash != ''")]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    params = hashes[0].split("$")[3]
    assert "m=19456" in params and "t=2" in params


def test_legacy_pbkdf2_hash_still_verifies_and_upgrades() -> None:
    import hashlib

    legacy = "abcd$" + hashlib.pbkdf2_hmac("sha256", b"pw", b"abcd", 5000).hex()
    assert passwords.check_password("pw", legacy)
    assert not passwords.check_password("nope", legacy)
    assert passwords.needs_upgrade(legacy)
    fresh = passwords.hash_password("pw")
    assert not passwords.needs_upgrade(fresh) and passwords.check_password("pw", fresh)
    assert not passwords.check_password("pw", None) and not passwords.check_password("pw", "")


@pytest.fixture(scope="module")
def inproc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProc]:
    """The sandbox on 127.0.0.1 in this process (``ThreadServer``): real HTTP, and a test
    can still patch its modules (its hasher, its flow limits)."""
    data = tmp_path_factory.mktemp("inproc")
    store = Store(data)
    world = ensure_world(store, data)
    app = create_app(store, Config(data_dir=data), world)
    server = ThreadServer(app, lifespan="on")
    try:
        with httpx.Client(base_url=server.start(), timeout=30) as client:
            yield client, world, app
    finally:
        server.stop()
        store.close()


def test_flows_table_is_bounded(inproc: InProc, monkeypatch: pytest.MonkeyPatch) -> None:
    client, world, app = inproc
    admin = next(e for e in world["employees"] if e["email"] == ADMIN)
    monkeypatch.setattr(routes_auth, "MAX_FLOWS", 5)
    flows = [_flow(client) for _ in range(8)]
    assert len(app.state.flows) <= 5
    evicted = _submit(client, flows[0], ADMIN, admin["password"])
    assert evicted.status_code == 401 and "flow not found" in evicted.json()["error"]
    assert _submit(client, flows[-1], ADMIN, admin["password"]).status_code == 200
    # Expired flows are dropped too.
    monkeypatch.setattr(routes_auth, "FLOW_TTL", -1.0)
    stale = _flow(client)
    monkeypatch.setattr(routes_auth, "FLOW_TTL", 600.0)
    _flow(client)
    assert stale not in app.state.flows
    assert _submit(client, stale, ADMIN, admin["password"]).status_code == 401


def test_body_over_1mb_is_refused_before_parsing(api: Api) -> None:
    big = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    headers = {"Authorization": f"bearer {api.token(ADMIN)}",
               "Content-Type": "application/json"}
    resp = api.http.post(api.url("customers"), content=big, headers=headers)
    assert resp.status_code == 413
    assert "too large" in resp.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        for _ in range(40):
            yield b"x" * 65536

    with httpx.Client(base_url=api.sb.base_url, timeout=30) as http:
        resp = http.post(api.url("customers"), content=chunks(), headers=headers)
        assert resp.status_code == 413
        resp = http.post("/kratos/self-service/login?flow=x", content=big,
                         headers={"Content-Type": "application/json"})
        assert resp.status_code == 413
    # Just under the limit is parsed as usual (here: a 400 about the body, not a 413).
    under = b'{"login": "' + b"y" * (1024 * 1024 - 100) + b'"}'
    resp = api.http.post(api.url("customers"), content=under, headers=headers)
    assert resp.status_code == 400


@pytest.mark.parametrize(("path", "content"), [
    ("employees", b'{"email": 5, "roles": "x"}'),
    ("employees", b'{not json'),
    ("roles", b'{"name": []}'),
    ("limits/customer/amount", b'{"period": {}}'),
    ("branches-access/role", b'[]'),
])
def test_permission_is_checked_before_the_body(api: Api, path: str, content: bytes) -> None:
    url = api.url(path)
    ctype = {"Content-Type": "application/json"}
    teller = api.http.post(url, content=content,
                           headers={**ctype, "Authorization": f"bearer {api.token(TELLER_KYIV)}"})
    assert teller.status_code == 403, teller.text
    assert teller.json() == {"error": "forbidden"}
    anonymous = api.http.post(url, content=content, headers=ctype)
    assert anonymous.status_code == 401
    admin = api.http.post(url, content=content,
                          headers={**ctype, "Authorization": f"bearer {api.token(ADMIN)}"})
    assert admin.status_code == 400  # allowed: now the body is judged

