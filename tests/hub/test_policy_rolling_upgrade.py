"""The settings the hub stores stay readable across a rolling upgrade: a process of the
previous release (its model forbids unknown fields) reads the body this release writes, and
this release reads a body a newer one wrote (unknown keys dropped on read; a request's input
stays strict). A review found a policy saved on a new process broke every older one (500 on
cash decisions, filings, the proxy).

The same holds for a policy request (four eyes) filed on one release and approved on the
other: what is filed (``before``, the change) is the stored form, and the hub compares the
document in force with ``before`` as stored. A review found a request the previous release
filed ended "the policy changed after this request was filed" on this one though nothing
had, and one filed here was "not a valid policy" to an older process. The requests run on a
real hub (SQLite and PostgreSQL); the previous release is simulated by its model and by
rewriting the row as it would have filed it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pydantic
import pytest
from fe_db import execute, scalar
from fe_helpers import start_fe_hub
from hub_proc import HubProc, add_employee, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import policy
from teller_app.hub.canon import canonical, sha256_hex
from teller_app.hub.cash_limits import CashLimits


def _previous_release() -> type[pydantic.BaseModel]:
    """The previous release's policy model: the same fields but this release's new ones."""
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in policy.Policy.model_fields.items()
        if name not in policy.NEWER_FIELDS}
    return pydantic.create_model(  # type: ignore[call-overload,no-any-return]
        "PreviousPolicy", __config__=pydantic.ConfigDict(extra="forbid"), **fields)


def test_the_stored_policy_is_readable_by_the_previous_release() -> None:
    previous = _previous_release()
    stored = policy.Policy(cash_threshold="5000.00", segment=True).stored()
    assert "unique_phone" not in stored
    assert previous.model_validate(stored).model_dump()["cash_threshold"] == 5000
    with pytest.raises(pydantic.ValidationError):  # what the old body did to it
        previous.model_validate(policy.Policy().public())


def test_a_field_away_from_its_default_is_kept() -> None:
    assert policy.Policy(unique_phone=False).stored()["unique_phone"] is False


def test_a_newer_releases_body_is_read_and_input_stays_strict() -> None:
    body = {**policy.Policy().stored(), "from_the_future": True}
    assert policy.stored_model(policy.Policy, body).unique_phone is True
    limits = {**CashLimits().public(), "from_the_future": 1}
    assert policy.stored_model(CashLimits, limits) == CashLimits()
    with pytest.raises(pydantic.ValidationError):
        policy.Policy.model_validate(body)


def _previous_public(body: dict[str, Any]) -> dict[str, Any]:
    """The previous release's ``Policy.public()`` of a body: what it files as ``before`` and
    compares with a request's ``before`` when it executes one."""
    data = _previous_release().model_validate(body).model_dump()
    data["cash_threshold"] = f"{Decimal(data['cash_threshold']):.2f}"
    return data


@dataclass
class Admins:
    hub: HubProc
    http: httpx.Client
    maker: dict[str, str]
    checker: dict[str, str]

    def policy(self) -> dict[str, Any]:
        return dict(self.http.get("/api/v1/policy", headers=self.maker).json()["policy"])

    def stored(self) -> dict[str, Any]:
        """The policy row's body as the database holds it."""
        body: dict[str, Any] = json.loads(scalar(self.hub, "SELECT body FROM policy"))
        return body

    def file(self, doc: dict[str, Any]) -> dict[str, Any]:
        r = self.http.put("/api/v1/policy", headers=self.maker, json=doc,
                          params={"reason": "rolling upgrade"})
        assert r.status_code == 202, r.text
        return dict(r.json()["request"])


@pytest.fixture(scope="module")
def admins(hub_db: str | None, sandbox: SandboxProcess,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Admins]:
    hub = start_fe_hub(tmp_path_factory.mktemp("upgrade-hub"), sandbox, hub_db)
    try:
        with hub.client() as http:
            two = [sign_in(http, add_employee(http, hub, roles=["Administrator"],
                                              head_office=True)) for _ in range(2)]
            a = Admins(hub, http, *two)
            # a policy saved once (the row exists, as after any administrator's change)
            saved = http.put("/api/v1/policy", headers=a.maker, json=a.policy())
            assert saved.status_code == 200, saved.text
            yield a
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]


def test_a_request_the_previous_release_filed_is_applied_here(admins: Admins) -> None:
    a = admins
    got = a.policy()
    raised = {**got, "cash_threshold": "25000.00"}  # a raise: a request
    req = a.file(raised)
    # the row as the previous release would have filed it: its public() of both documents
    before = _previous_public(a.stored())
    change = canonical(_previous_public(policy.Policy.model_validate(raised).stored()))
    execute(a.hub, "UPDATE commands SET before_json = :b, change_json = :c, "
            "change_sha256 = :h WHERE id = :id", b=json.dumps(before), c=change,
            h=sha256_hex(change), id=req["id"])
    try:
        r = a.http.post(f"/api/v1/requests/{req['id']}/approve", headers=a.checker,
                        json={"sha256": sha256_hex(change)})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "applied", r.json()["result"]  # nothing had changed
        assert a.policy() == {**got, "cash_threshold": "25000.00"}
    finally:  # back: a tightening, applied at once
        assert a.http.put("/api/v1/policy", headers=a.maker, json=got).status_code == 200


def test_what_a_request_files_is_readable_by_the_previous_release(admins: Admins) -> None:
    a = admins
    got = a.policy()
    req = a.file({**got, "cash_threshold": "30000.00"})
    previous = _previous_release()
    for name in ("before", "change"):  # the previous model forbids unknown fields
        assert not set(req[name]) & set(policy.NEWER_FIELDS), req[name]
        previous.model_validate(req[name])
    # the previous release executing it: its document in force, as it reads the row, is
    # the request's ``before`` (else "changed after this request was filed")
    assert canonical(_previous_public(a.stored())) == canonical(req["before"])
    assert req["sha256"] == sha256_hex(canonical(req["change"]))
    # and this release applies what it filed
    r = a.http.post(f"/api/v1/requests/{req['id']}/approve", headers=a.checker,
                    json={"sha256": req["sha256"]})
    try:
        assert r.status_code == 200 and r.json()["state"] == "applied", r.text
        assert a.policy()["cash_threshold"] == "30000.00"
    finally:
        assert a.http.put("/api/v1/policy", headers=a.maker, json=got).status_code == 200


def test_a_request_that_moves_a_new_field_keeps_it(admins: Admins) -> None:
    """``unique_phone`` off (away from its default) is filed and applied: only a field at its
    default is left out."""
    a = admins
    got = a.policy()
    req = a.file({**got, "unique_phone": False})
    assert req["change"]["unique_phone"] is False and "unique_phone" not in req["before"]
    r = a.http.post(f"/api/v1/requests/{req['id']}/approve", headers=a.checker,
                    json={"sha256": req["sha256"]})
    try:
        assert r.status_code == 200 and r.json()["state"] == "applied", r.text
        assert a.policy()["unique_phone"] is False
    finally:
        assert a.http.put("/api/v1/policy", headers=a.maker, json=got).status_code == 200
