"""Each sandbox dialect's visible effect, on the wire (raw HTTP), in one sandbox started with
``--dialect-file`` holding every name; and the client's reading of the Kratos 400."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.platform import AuthError, PasswordLogin, PlatformClient

from .conftest import DIALECTS


@pytest.fixture(scope="module")
def file_sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    data = tmp_path_factory.mktemp("sb-file")
    spec = data / "dialects.json"
    spec.write_text(json.dumps({"dialects": list(DIALECTS)}), encoding="utf-8")
    proc = start_sandbox(data / "data", "--dialect-file", str(spec), customers=250)
    yield proc
    proc.stop()


def _session(sb: SandboxProcess, role: str = "Administrator") -> httpx.Client:
    emp = sb.employee(role, None if role == "Administrator" else 0)
    http = httpx.Client(base_url=sb.base_url, timeout=10)  # closed by the caller
    flow = http.get("/kratos/self-service/login/api").json()
    token = http.post("/kratos/self-service/login", params={"flow": flow["id"]},
                      data={"identifier": emp["email"], "password": emp["password"],
                            "method": "password"}).json()["session_token"]
    http.headers["Authorization"] = f"bearer {token}"
    return http


def test_every_dialect_shows_on_the_wire(file_sb: SandboxProcess) -> None:
    assert set(file_sb.manifest["dialects"]) == set(DIALECTS)
    cp = f"/api/v1/counterparty/{file_sb.counterparty_guid}"
    with contextlib.closing(_session(file_sb)) as http:
        page = http.get(cp + "/customers", params={"limit": 1000}).json()
        assert len(page["customers"]) == 100 and isinstance(page["total"], str)  # cap, strings
        row = page["customers"][0]
        assert row["updated_at"].endswith("000+00:00") and len(row["updated_at"]) == 35  # nanos
        assert isinstance(row["kyc_level"], str) and row["balance_asset_code"] is None
        assert http.get(cp + "/customers", params={"ordering": "updated_at"}).status_code == 400
        empty = http.get(cp + "/customers", params={"wallet_user_guids": str(uuid.uuid4())})
        assert empty.json()["customers"] is None  # null-lists
        missing = http.get(f"{cp}/customers/{uuid.uuid4()}/accounts")
        assert missing.status_code == 400 and "error" in missing.json()  # not-found-400
        emps = http.get(cp + "/employees").json()["employees"]
        assert all("employee_guid" in e and "guid" not in e for e in emps)
        # exclusive bounds: a customer's own updated_at as both bounds finds nothing
        guid, stamp = row["wallet_user_guid"], row["updated_at"]
        same = http.get(cp + "/customers", params={"wallet_user_guids": guid,
                                                   "min_updated_at": stamp,
                                                   "max_updated_at": stamp}).json()
        assert same["customers"] is None
        # include-disabled: a disabled customer is listed only with is_disabled=true
        assert http.put(f"{cp}/customers/{guid}", json={"is_disabled": True}).status_code == 200
        listed = http.get(cp + "/customers", params={"wallet_user_guids": guid}).json()
        assert listed["customers"] is None
        listed = http.get(cp + "/customers", params={"wallet_user_guids": guid,
                                                     "is_disabled": "true"}).json()
        assert listed["customers"][0]["wallet_user_guid"] == guid
        # put-replaces: a field sent as null is cleared; fields not sent stay
        name = listed["customers"][0]["name"]
        assert http.put(f"{cp}/customers/{guid}",
                        json={"paternal_name": None}).status_code == 200
        after = http.get(cp + "/customers", params={"wallet_user_guids": guid,
                                                    "is_disabled": "true"}).json()
        assert after["customers"][0]["paternal_name"] is None  # "" shown as null
        assert after["customers"][0]["name"] == name


def test_kratos_400_is_read_as_wrong_credentials(file_sb: SandboxProcess) -> None:
    emp = file_sb.employee("Teller", 0)
    with httpx.Client(base_url=file_sb.base_url, timeout=10) as http:
        flow = http.get("/kratos/self-service/login/api").json()
        bad = http.post("/kratos/self-service/login", params={"flow": flow["id"]},
                        data={"identifier": emp["email"], "password": "wrong",
                              "method": "password"})
    assert bad.status_code == 400 and bad.json()["ui"]["messages"][0]["id"] == 4000006

    async def scenario() -> None:
        client = PlatformClient(file_sb.base_url, file_sb.counterparty_guid,
                                auth=PasswordLogin(emp["email"], "wrong"))
        with pytest.raises(AuthError) as caught:
            await client.login()
        assert caught.value.reason == "invalid_credentials"
        await client.aclose()

    asyncio.run(scenario())


def test_default_sandbox_is_unchanged(sandbox: SandboxProcess, tmp_path: Path) -> None:
    assert sandbox.manifest.get("dialects") == []
    with contextlib.closing(_session(sandbox)) as http:
        cp = f"/api/v1/counterparty/{sandbox.counterparty_guid}"
        empty = http.get(cp + "/customers", params={"wallet_user_guids": str(uuid.uuid4())})
        assert empty.json() == {"customers": [], "total": 0}
        assert http.get(f"{cp}/customers/{uuid.uuid4()}/accounts").status_code == 404
