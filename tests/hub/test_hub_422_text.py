"""A rule's own words reach the desk as the hub's 422 text (review: pydantic's "Value error, "
came first, and the desk stripped it in one dialog only): a request body's field and a
change request's change alike. Real hub over HTTP, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import httpx
from hub_proc import HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess


def _file(http: httpx.Client, headers: dict[str, str], name: str,
          reason: str) -> httpx.Response:
    return http.post("/api/v1/requests", headers=headers, json={
        "kind": "customer_update", "customer_guid": str(uuid.uuid4()),
        "change": {"name": name}, "reason": reason})


def test_a_rule_s_own_words_come_without_pydantic_s_prefix(
        hub: HubProc, http: httpx.Client, sandbox: SandboxProcess) -> None:
    teller = sign_in(http, add_employee(http, hub, branch_guid=branches(sandbox)[0]))
    r = _file(http, teller, "Ірина", "why\u202e")
    assert r.status_code == 422, r.text
    assert r.json() == {"error": "invalid request: reason: must not contain control "
                                 "characters or text-direction marks (U+202E)"}
    r = _file(http, teller, "Ір\u202eина", "a new name")
    assert r.status_code == 422, r.text
    assert r.json()["error"] == ("invalid change: name: must not contain control characters, "
                                 "line breaks or text-direction marks (U+202E)")
