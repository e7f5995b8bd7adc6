"""Helpers for tests against the real sandbox over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import BankJwtLogin, NewCustomer, PasswordLogin, PlatformClient
from tests.phones import unused_phone


def password_client(sb: SandboxProcess, role: str = "Teller", branch_index: int | None = 0,
                    **kw: Any) -> PlatformClient:
    emp = sb.employee(role, branch_index)
    return PlatformClient(sb.base_url, sb.counterparty_guid,
                          auth=PasswordLogin(emp["email"], emp["password"]), **kw)


def admin_client(sb: SandboxProcess, **kw: Any) -> PlatformClient:
    return password_client(sb, "Administrator", None, **kw)


def bank_jwt_auth(sb: SandboxProcess, role: str = "Teller", branch_index: int | None = 0
                  ) -> BankJwtLogin:
    emp = sb.employee(role, branch_index)
    cfg = sb.manifest["bank_jwt"]
    pem_path = Path(cfg["private_key_pem"])
    if not pem_path.is_absolute():
        pem_path = sb.data_dir / pem_path
    return BankJwtLogin(emp["email"], pem_path.read_bytes(), kid=str(cfg["kid"]))


def sim_admin(sb: SandboxProcess, path: str, body: dict[str, Any] | None = None) -> Any:
    response = httpx.post(f"{sb.base_url}/__sim/{path}", json=body or {},
                          headers={"X-Sim-Admin": sb.manifest["sim_admin_token"]}, timeout=10)
    response.raise_for_status()
    return response.json() if response.content else {}


def expire_session(sb: SandboxProcess, token: str | None) -> None:
    """End this one platform session: the sandbox is shared with other tests, whose cached
    sessions must live on (never expire them all there)."""
    assert token
    assert sim_admin(sb, "sessions/expire", {"token": token}) == {"expired": 1}


def new_customer(sb: SandboxProcess, branch_index: int | None = 0, **kw: Any) -> NewCustomer:
    asset = sb.manifest["asset"]
    login = kw.pop("login", unused_phone())
    branch = sb.manifest["branches"][branch_index]["guid"] if branch_index is not None else None
    return NewCustomer(asset_code=asset["code"], asset_issuer=asset["issuer"], login=login,
                       name=kw.pop("name", "Тарас"), surname=kw.pop("surname", "Шевченко"),
                       phone_number=kw.pop("phone_number", login), branch_guid=branch, **kw)
