"""Customer secrets: issued once per external id, branch-checked, sealed at rest, onboarding
import, and bad input."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
import sqlalchemy as sa
from hub_proc import DcmSigner, HubProc, add_employee, branches, sign_in
from sqlalchemy.ext.asyncio import create_async_engine

from teller_app.core.embedded_sandbox import SandboxProcess
from tests.phones import unused_phone

# its own number: the hub refuses a new customer's phone another customer holds (one
# per number), and the sandbox is shared with other tests
PHONE = unused_phone()


def login() -> str:
    return f"cust.{uuid.uuid4().hex[:10]}@example.ua"


@pytest.fixture()
def kyiv_teller(http: httpx.Client, hub: HubProc, sandbox: SandboxProcess) -> dict[str, str]:
    return sign_in(http, add_employee(http, hub, branch_guid=branches(sandbox)[0]))


def test_issue_is_idempotent(http: httpx.Client, sandbox: SandboxProcess,
                             kyiv_teller: dict[str, str]) -> None:
    ext = login()
    body = {"external_id": ext, "branch_guid": branches(sandbox)[0], "first_name": "Олена",
            "last_name": "Шевченко", "email": ext, "phone": PHONE}
    r = http.post("/api/v1/secrets", json=body, headers=kyiv_teller)
    assert r.status_code == 200 and r.json() == {"external_id": ext, "created": True}, r.text
    r = http.post("/api/v1/secrets", json=body, headers=kyiv_teller)
    assert r.json() == {"external_id": ext, "created": False}
    assert "key" not in r.text
    assert http.get(f"/api/v1/secrets/{ext}", headers=kyiv_teller).json() == {"exists": True}
    assert http.get(f"/api/v1/secrets/{login()}", headers=kyiv_teller).json() == \
        {"exists": False}


def test_other_branch_is_refused(http: httpx.Client, hub: HubProc, sandbox: SandboxProcess,
                                 kyiv_teller: dict[str, str]) -> None:
    lviv = branches(sandbox)[1]
    r = http.post("/api/v1/secrets", json={"external_id": login(), "branch_guid": lviv},
                  headers=kyiv_teller)
    assert r.status_code == 403 and "own branch" in r.json()["error"]
    ext = login()
    lviv_teller = sign_in(http, add_employee(http, hub, branch_guid=lviv))
    assert http.post("/api/v1/secrets", json={"external_id": ext, "branch_guid": lviv},
                     headers=lviv_teller).json()["created"] is True
    # another branch's id reads as an unknown one (no existence oracle across branches)
    assert http.get(f"/api/v1/secrets/{ext}", headers=kyiv_teller).json() == {"exists": False}
    head = sign_in(http, add_employee(http, hub, roles=["Administrator"], head_office=True))
    assert http.get(f"/api/v1/secrets/{ext}", headers=head).json() == {"exists": True}
    r = http.post("/api/v1/secrets", json={"external_id": login()}, headers=kyiv_teller)
    assert r.status_code == 422 and "branch_guid" in r.json()["error"]


def test_concurrent_issue_gives_one_secret(hub: HubProc, http: httpx.Client,
                                           sandbox: SandboxProcess,
                                           dcm: DcmSigner) -> None:
    kyiv = branches(sandbox)[0]
    email = add_employee(http, hub, branch_guid=kyiv)
    headers = sign_in(http, email)
    ext = login()

    async def burst() -> list[bool]:
        async with httpx.AsyncClient(base_url=hub.base_url, timeout=20) as c:
            rs = await asyncio.gather(*[
                c.post("/api/v1/secrets", json={"external_id": ext, "branch_guid": kyiv},
                       headers=headers) for _ in range(16)])
        assert all(r.status_code == 200 for r in rs), [r.text for r in rs]
        return [r.json()["created"] for r in rs]

    assert sorted(asyncio.run(burst())) == [False] * 15 + [True]
    keys = {http.get("/key", headers={"X-Session-ID": dcm.token(email, ext)}).json()["key"]
            for _ in range(2)}
    assert len(keys) == 1


def test_secret_is_sealed_at_rest(hub: HubProc, http: httpx.Client, sandbox: SandboxProcess,
                                  dcm: DcmSigner, kyiv_teller: dict[str, str],
                                  hub_db: str | None) -> None:
    ext = login()
    http.post("/api/v1/secrets", json={"external_id": ext, "branch_guid": branches(sandbox)[0],
                                       "last_name": "Коваленко-Унікальне"},
              headers=kyiv_teller)
    r = http.get("/user_auth", headers={"X-Session-ID": dcm.token("teller.kyiv@demo.bank", ext,
                                                                  "sign-up")})
    key = r.json()["key"]
    assert len(key) >= 43

    async def dump() -> bytes:
        url = hub_db or f"sqlite+aiosqlite:///{hub.data_dir / 'hub.db'}"
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                rows = (await conn.execute(sa.text(
                    "SELECT * FROM customer_secrets WHERE external_id = :e"), {"e": ext})).all()
        finally:
            await engine.dispose()
        assert len(rows) == 1
        return repr(rows).encode() + b"".join(
            bytes(v) for v in rows[0] if isinstance(v, bytes | memoryview))

    raw = asyncio.run(dump())
    assert key.encode() not in raw and "Коваленко".encode() not in raw
    if hub_db is None:  # the whole SQLite file (and its WAL) never holds the secret
        for name in ("hub.db", "hub.db-wal"):
            path = hub.data_dir / name
            if path.exists():
                assert key.encode() not in path.read_bytes()


def test_admin_import(http: httpx.Client, hub: HubProc, sandbox: SandboxProcess,
                      dcm: DcmSigner) -> None:
    kyiv, lviv = branches(sandbox)[:2]
    a, b = login(), login()
    items = [{"external_id": a, "branch_guid": kyiv}, {"external_id": b, "branch_guid": lviv},
             {"external_id": f"keykeeper:{kyiv}"}]
    auth = {"Authorization": f"Bearer {hub.admin_token}"}
    r = http.post("/api/v1/admin/secrets/import", json={"items": items}, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["created"] >= 2
    again = http.post("/api/v1/admin/secrets/import", json={"items": items}, headers=auth)
    assert again.json() == {"created": 0, "existing": 3}
    r = http.post("/api/v1/admin/secrets/import", json={"items": items},
                  headers={"Authorization": "Bearer not-the-admin-token"})
    assert r.status_code == 403
    ok = http.get("/key", headers={"X-Session-ID": dcm.token("teller.lviv@demo.bank", b)})
    assert ok.status_code == 200 and ok.json()["key"]


@pytest.mark.parametrize("body,fragment", [
    ({"external_id": "x" * 501, "branch_guid": "b"}, "external_id"),
    ({"external_id": "", "branch_guid": "b"}, "external_id"),
    ({"external_id": " padded ", "branch_guid": "b"}, "spaces"),
    ({"external_id": "tab\there", "branch_guid": "b"}, "external_id"),
    ({"external_id": "ok@x.ua", "branch_guid": "not a guid!"}, "branch_guid"),
    ({"external_id": "ok@x.ua", "branch_guid": "b", "key": "mine"}, "key"),
    ({"external_id": "keykeeper:../etc"}, "keykeeper"),
    ({"external_id": "ok@x.ua", "branch_guid": "b", "phone": "1" * 40}, "phone"),
])
def test_bad_secret_bodies_are_422(http: httpx.Client, kyiv_teller: dict[str, str],
                                   body: dict[str, str], fragment: str) -> None:
    r = http.post("/api/v1/secrets", json=body, headers=kyiv_teller)
    assert r.status_code == 422, r.text
    assert fragment in r.json()["error"]


def test_oversized_and_unauthenticated(http: httpx.Client, hub: HubProc) -> None:
    r = http.post("/api/v1/admin/secrets/import", content=b"{" + b" " * (5 * 2**20) + b"}",
                  headers={"Authorization": f"Bearer {hub.admin_token}",
                           "content-type": "application/json"})
    assert r.status_code == 413 and r.json() == {"error": "request body too large"}
    r = http.post("/api/v1/secrets", json={"external_id": "a@b.c", "branch_guid": "b"})
    assert r.status_code == 401
    r = http.post("/api/v1/admin/secrets/import", json={"items": []},
                  headers={"Authorization": f"Bearer {hub.admin_token}"})
    assert r.status_code == 422
    assert http.get("/api/v1/nope").status_code == 404
    assert http.put("/healthz").json() == {"error": "Method Not Allowed"}
