"""The process contract: CLI, manifest, persistence across restarts, SIGTERM, faults at start,
session TTL."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import httpx
from sandbox_api import ADMIN, TELLER_KYIV, Api

from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox


def test_manifest(api: Api) -> None:
    m = api.m
    assert m["base_url"].startswith("http://127.0.0.1:")
    assert m["asset"] == {"code": "UAH",
                          "issuer": "GC63UKIHPPR4F74IZ6BU24ZCJXHO4Y4C2KAUATDAQQFXKRW5FT6AJKYS",
                          "stellar_code": "eUAH", "minor_unit": 2}
    assert [b["name"] for b in m["branches"]] == ["Київ, Хрещатик", "Львів, Ринок"]
    assert all(b["guid"] and b["processing_account_guid"] for b in m["branches"])
    emails = {e["email"]: e for e in m["employees"]}
    assert set(emails) == {"teller.kyiv@demo.bank", "supervisor.kyiv@demo.bank",
                           "teller.lviv@demo.bank", "supervisor.lviv@demo.bank",
                           "admin@demo.bank"}
    assert emails[ADMIN]["roles"] == ["Administrator"] and emails[ADMIN]["branch_guid"] is None
    assert emails["supervisor.lviv@demo.bank"]["branch_guid"] == m["branches"][1]["guid"]
    assert all(e["password"] and e["guid"] for e in m["employees"])
    pem = Path(m["bank_jwt"]["private_key_pem"])
    assert pem.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert m["segment"] == "retail" and m["sim_admin_token"] and m["pid"] == api.sb.process.pid
    assert api.get("customers", params={"limit": 1}).json()["total"] >= 40
    money = api.conservation()
    assert money["conserved"]


def test_persistence_across_restart(fresh_sandbox: SandboxProcess) -> None:
    api = Api(fresh_sandbox)
    c = api.new_customer(who=TELLER_KYIV, name="Стійка", surname="Пам'ять")
    till = api.branch(0)["processing_account_guid"]
    assert api.pay(till, c["guid"], 123.45, who=TELLER_KYIV).status_code == 200
    payments = api.get("payments", params={"account_ids": c["guid"]}).json()
    total = api.get("customers", params={"limit": 1}).json()["total"]
    last_updated = api.get("customers", params={"ordering": "-updated_at", "limit": 1}
                           ).json()["customers"][0]["updated_at"]
    old = fresh_sandbox.manifest
    fresh_sandbox.stop()
    assert fresh_sandbox.process.returncode == 0  # clean SIGTERM
    assert any("sandbox stopped" in line for line in fresh_sandbox.output)
    again = start_sandbox(fresh_sandbox.data_dir, customers=60)
    try:
        api2 = Api(again)
        m = again.manifest
        assert m["counterparty_guid"] == old["counterparty_guid"]
        assert m["employees"] == old["employees"]  # same passwords
        assert m["bank_jwt"] == old["bank_jwt"]
        rows = api2.get("customers", params={"wallet_user_guids": c["customer_guid"]}).json()
        assert rows["customers"][0]["surname"] == "Пам'ять"
        assert api2.balance(c["guid"]) == 123.45
        assert api2.get("payments", params={"account_ids": c["guid"]}).json() == payments
        # --customers 60 tops up the 40 synthetic ones (plus the one created above)
        assert api2.get("customers", params={"limit": 1}).json()["total"] == total + 20
        api2.new_customer()
        newest = api2.get("customers", params={"ordering": "-updated_at", "limit": 1}).json()
        assert newest["customers"][0]["updated_at"] > last_updated
        assert api2.conservation()["conserved"]
    finally:
        again.stop()
    third = start_sandbox(fresh_sandbox.data_dir, customers=10)
    try:
        api3 = Api(third)
        assert api3.get("customers", params={"limit": 1}).json()["total"] == total + 21
    finally:
        third.stop()


def test_cli_fault_flags_and_short_session_ttl(tmp_path: Path) -> None:
    sb = start_sandbox(tmp_path / "d", "--error-rate", "1", "--latency-ms", "1",
                       "--session-ttl", "0.001")
    try:
        api = Api(sb)
        resp = api.http.get(api.url("branches"))
        assert (resp.status_code, resp.json()) == (503, {"error": "service unavailable"})
        faults = api.http.get("/__sim/faults", headers=api.sim).json()
        assert faults == {"latency_ms": 1, "error_rate": 1.0}
        api.http.post("/__sim/faults", headers=api.sim, json={"error_rate": 0})
        token = api.login(ADMIN).json()["session_token"]
        # the session lived 1 ms: the next request finds it expired
        resp = httpx.get(sb.base_url + api.url("branches"),
                         headers={"Authorization": f"bearer {token}"})
        assert (resp.status_code, resp.json()) == (401, {"error":
                                                         "Access credentials are invalid"})
    finally:
        sb.stop()


def test_manifest_written_atomically(api: Api) -> None:
    data = api.sb.data_dir
    leftovers = [p.name for p in data.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    assert json.loads((data / "sandbox.json").read_text(encoding="utf-8"))["pid"] == os.getpid() \
        or api.m["pid"] == api.sb.process.pid
