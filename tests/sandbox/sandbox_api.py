"""Helpers for sandbox tests: an HTTP client bound to a running sandbox, logins, bank JWTs."""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import jwt

from teller_app.core.embedded_sandbox import SandboxProcess


class Api:
    """A thin httpx wrapper: ``api.get(path, who=...)`` with the counterparty filled in."""

    def __init__(self, sb: SandboxProcess) -> None:
        self.sb = sb
        self.m = sb.manifest
        self.cp = sb.counterparty_guid
        self.http = httpx.Client(base_url=sb.base_url, timeout=30)
        self._tokens: dict[str, tuple[str, float]] = {}  # email: (token, expires, epoch s)

    # -- identities ------------------------------------------------------------------------
    def emp(self, email: str) -> dict[str, Any]:
        return next(e for e in self.m["employees"] if e["email"] == email)

    def login(self, email: str, password: str | None = None) -> httpx.Response:
        flow = self.http.get("/kratos/self-service/login/api").json()
        csrf = flow["ui"]["nodes"][0]["attributes"]["value"]
        return self.http.post(
            f"/kratos/self-service/login?flow={flow['id']}",
            data={"csrf_token": csrf, "identifier": email, "method": "password",
                  "password": password if password is not None else self.emp(email)["password"]},
        )

    def token(self, email: str, fresh: bool = False) -> str:
        """A session of ``email``, signed in again a minute before it ends (the sandbox's
        sessions last 15 min; a session-wide client outlives that in a parallel run)."""
        token, expires = self._tokens.get(email, ("", 0.0))
        if fresh or time.time() > expires - 60:
            resp = self.login(email)
            assert resp.status_code == 200, resp.text
            body = resp.json()
            ends = datetime.fromisoformat(body["session"]["expires_at"].replace("Z", "+00:00"))
            token, expires = body["session_token"], ends.timestamp()
            self._tokens[email] = (token, expires)
        return token

    def headers(self, who: str | None) -> dict[str, str]:
        if who is None:
            return {}
        if who.startswith("jwt:"):
            return {"CX-Authorization": self.bank_jwt(who[4:])}
        return {"Authorization": f"bearer {self.token(who)}"}

    def bank_jwt(self, sub: str, *, exp_in: int = 60, key_path: str | None = None,
                 kid: str | None = None, flow: str = "sign-in", obj: str | None = None,
                 **claims: Any) -> str:
        """A Mode-B token as the hub mints it: fresh ``jti``, ``aud`` "dcm", ``flow``/``obj``
        (obj defaults to ``sub``); ``claims`` override or (value None) drop any claim."""
        bank = self.m["bank_jwt"]
        key = Path(key_path or bank["private_key_pem"]).read_bytes()
        now = int(time.time())
        body: dict[str, Any] = {"sub": sub, "obj": obj or sub, "flow": flow, "iat": now,
                                "exp": now + exp_in, "jti": uuid.uuid4().hex, "aud": "dcm"}
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid or bank["kid"]})

    @property
    def sim(self) -> dict[str, str]:
        return {"X-Sim-Admin": self.m["sim_admin_token"]}

    # -- requests --------------------------------------------------------------------------
    def url(self, path: str) -> str:
        if path.startswith("/"):
            return path
        return f"/api/v1/counterparty/{self.cp}/{path}"

    def get(self, path: str, who: str | None = "admin@demo.bank", **kw: Any) -> httpx.Response:
        return self.http.get(self.url(path), headers=self.headers(who), **kw)

    def post(self, path: str, who: str | None = "admin@demo.bank", **kw: Any) -> httpx.Response:
        return self.http.post(self.url(path), headers=self.headers(who), **kw)

    def put(self, path: str, who: str | None = "admin@demo.bank", **kw: Any) -> httpx.Response:
        return self.http.put(self.url(path), headers=self.headers(who), **kw)

    def patch(self, path: str, who: str | None = "admin@demo.bank", **kw: Any) -> httpx.Response:
        return self.http.patch(self.url(path), headers=self.headers(who), **kw)

    def delete(self, path: str, who: str | None = "admin@demo.bank",
               **kw: Any) -> httpx.Response:
        return self.http.request("DELETE", self.url(path), headers=self.headers(who), **kw)

    # -- shortcuts -------------------------------------------------------------------------
    def branch(self, i: int) -> dict[str, Any]:
        return dict(self.m["branches"][i])

    def new_customer(self, who: str = "admin@demo.bank", **fields: Any) -> dict[str, Any]:
        body = {"asset_code": "UAH", "asset_issuer": self.m["asset"]["issuer"],
                "login": f"t-{uuid.uuid4().hex[:12]}@test.ua", "name": "Тест",
                "surname": "Тестенко", "phone_number": "+380501112233", **fields}
        resp = self.post("customers", who, json=body)
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    def category(self, code: str) -> str:
        cats = self.get("/api/v1/dictionary/payment/category").json()["categories"]
        return next(c["guid"] for c in cats if c["name"] == code)

    def pay(self, sender: str, receiver: str, amount: Any, who: str = "admin@demo.bank",
            confirm: bool = True, bank_guid: str | None = None, **extra: Any) -> httpx.Response:
        body = {"amount": amount, "asset_code": "UAH", "asset_issuer": self.m["asset"]["issuer"],
                "sender_id": sender, "receiver_id": receiver, **extra}
        resp = self.post("payments", who, json=body)
        if not confirm or resp.status_code != 200:
            return resp
        cbody: dict[str, Any] = {"payment_guid": resp.json()["guid"]}
        if bank_guid:
            cbody["bank_guid"] = bank_guid
        return self.post("payments/confirm", who, json=cbody)

    def balance(self, account: str) -> float:
        resp = self.get(f"accounts/{account}")
        assert resp.status_code == 200, resp.text
        return float(resp.json()["assets"][0]["balance"])

    def conservation(self) -> dict[str, Any]:
        return dict(self.http.get("/__sim/conservation", headers=self.sim).json())


TELLER_KYIV = "teller.kyiv@demo.bank"
TELLER_LVIV = "teller.lviv@demo.bank"
SUPER_KYIV = "supervisor.kyiv@demo.bank"
SUPER_LVIV = "supervisor.lviv@demo.bank"
ADMIN = "admin@demo.bank"
