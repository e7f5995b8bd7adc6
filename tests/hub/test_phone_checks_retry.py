"""A create the desk retries after a timeout issues the customer's secret again: the same
login, number and employee, while the secret is fresh. That phone check asks nothing new, so
it is not counted against the employee's minute (``phone_checks_per_minute``) again; it still
runs (a number taken since is refused). A new number for the login, or another employee's
re-issue, counts. Real sandbox and hub, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fe_helpers import new_customer
from hub_proc import HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.settings import PHONE_CHECKS_PER_MINUTE_DEFAULT
from tests.phones import unused_phone

LIMIT = PHONE_CHECKS_PER_MINUTE_DEFAULT


def login() -> str:
    return f"pr.{uuid.uuid4().hex[:10]}@example.ua"


def phone() -> str:
    return unused_phone()


def _secret(http: httpx.Client, who: dict[str, str], branch: str, ext: str,
            number: str) -> httpx.Response:
    body: dict[str, Any] = {"external_id": ext, "branch_guid": branch, "phone": number,
                            "first_name": "Олена", "last_name": "Мельник"}
    return http.post("/api/v1/secrets", headers=who, json=body)


def _issued(r: httpx.Response) -> None:
    assert r.status_code == 200, r.text


def _throttled(r: httpx.Response) -> None:
    assert r.status_code == 429, r.text
    assert r.json()["code"] == "phone_checks_throttled", r.text


def test_a_retried_create_s_secret_issue_counts_its_phone_check_once(
        http: httpx.Client, hub: HubProc, sandbox: SandboxProcess) -> None:
    kyiv = branches(sandbox)[0]
    who = sign_in(http, add_employee(http, hub, branch_guid=kyiv))
    ext, number = login(), phone()
    _issued(_secret(http, who, kyiv, ext, number))  # counted: 1
    for _ in range(LIMIT + 5):  # the desk's retries: not counted again
        _issued(_secret(http, who, kyiv, ext, number))
    for _ in range(LIMIT - 1):  # the rest of the minute's checks are the employee's
        _issued(_secret(http, who, kyiv, login(), phone()))
    _throttled(_secret(http, who, kyiv, login(), phone()))


def test_a_re_issue_with_another_number_or_by_another_employee_counts(
        http: httpx.Client, hub: HubProc, sandbox: SandboxProcess) -> None:
    kyiv = branches(sandbox)[0]
    maker = sign_in(http, add_employee(http, hub, branch_guid=kyiv))
    other = sign_in(http, add_employee(http, hub, branch_guid=kyiv))
    ext, number = login(), phone()
    _issued(_secret(http, maker, kyiv, ext, number))
    _issued(_secret(http, other, kyiv, ext, number))  # the other's own check: counted
    for _ in range(LIMIT - 1):
        _issued(_secret(http, other, kyiv, login(), phone()))
    _throttled(_secret(http, other, kyiv, login(), phone()))
    # a new number for the same login each time: each a new check
    for _ in range(LIMIT - 1):
        _issued(_secret(http, maker, kyiv, ext, phone()))
    _throttled(_secret(http, maker, kyiv, ext, phone()))


def test_a_re_issue_still_checks_the_number(
        http: httpx.Client, hub: HubProc, sandbox: SandboxProcess) -> None:
    """Not counted, still asked: a customer who took the number since the first issue
    holds it (409 ``phone_taken``)."""
    kyiv = branches(sandbox)[0]
    who = sign_in(http, add_employee(http, hub, branch_guid=kyiv))
    ext, number = login(), phone()
    _issued(_secret(http, who, kyiv, ext, number))
    new_customer(sandbox, kyiv, phone_number=number)
    r = _secret(http, who, kyiv, ext, number)
    assert r.status_code == 409 and r.json()["code"] == "phone_taken", r.text
