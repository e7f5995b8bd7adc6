"""A tiny real Bank Auth Service (PLATFORM_API §2.5) for tests: FastAPI under uvicorn on
127.0.0.1, in a thread. It verifies ``X-Session-ID`` against the sandbox's JWKS and records
every call; ``mode`` picks the answer (ok, deny, nokey, slow, hold)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from thread_server import ThreadServer


@dataclass
class Call:
    path: str
    kid: str
    claims: dict[str, Any]


@dataclass
class BankAuthStub:
    jwks_url: str = ""
    mode: str = "ok"
    calls: list[Call] = field(default_factory=list)
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    base_url: str = ""
    _server: ThreadServer | None = None
    _jwks: jwt.PyJWKSet | None = None

    def _verify(self, token: str) -> tuple[str, dict[str, Any]]:
        if self._jwks is None:
            self._jwks = jwt.PyJWKSet.from_dict(httpx.get(self.jwks_url, timeout=5).json())
        kid = str(jwt.get_unverified_header(token)["kid"])
        key = next(k for k in self._jwks.keys if k.key_id == kid)
        claims = jwt.decode(token, key.key, algorithms=["RS256"],
                            options={"require": ["exp", "iat", "sub"]})
        return kid, dict(claims)

    def _answer(self, path: str, request: Request) -> Any:
        try:
            kid, claims = self._verify(request.headers.get("x-session-id", ""))
        except Exception as exc:  # any verification failure is a 401, as a bank would answer
            return JSONResponse({"error": f"bad token: {type(exc).__name__}"}, status_code=401)
        self.calls.append(Call(path, kid, claims))
        self.entered.set()
        if self.mode == "deny":
            return JSONResponse({"error": "not allowed"}, status_code=401)
        if self.mode == "slow":  # answers after the 1 s DCM allows, once the test releases it
            self.release.wait(30)
        if self.mode == "hold":
            self.release.wait(5)
        obj = str(claims["obj"])
        if self.mode == "nokey":
            return {"external_id": obj}
        if path == "user_auth":
            return {"external_id": obj, "first_name": "mock", "last_name": "mock",
                    "email": "mock@email.com", "phone": "+12345678901", "key": "s3cret"}
        return {"key": "s3cret"}

    def start(self) -> BankAuthStub:
        app = FastAPI()

        @app.get("/user_auth")
        def user_auth(request: Request) -> Any:
            return self._answer("user_auth", request)

        @app.get("/key")
        def key(request: Request) -> Any:
            return self._answer("key", request)

        self._server = ThreadServer(app)
        self.base_url = self._server.start()
        return self

    def reset(self, mode: str = "ok") -> None:
        self.mode = mode
        self.calls.clear()
        self.entered.clear()
        self.release.clear()

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.stop()
