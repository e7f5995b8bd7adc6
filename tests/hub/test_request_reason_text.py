"""A maker's reason and a checker's comment are what a supervisor reads: the hub refuses the
characters that could disguise them (control characters but the line break, direction marks,
invisible format characters), by the rule of the desk's own form; ``<``/``>`` and line breaks
stay as typed (the desks show the text as plain text). SQLite and PostgreSQL (``hub_db``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fe_helpers import new_customer
from staffed_hub import Staffed, staffed_hub

from teller_app.core.embedded_sandbox import SandboxProcess

DISGUISES = {
    "override": "no check \u202eneeded",  # RIGHT-TO-LEFT OVERRIDE reorders what follows
    "isolate": "ok \u2066x\u2069",
    "escape": "ok\x1b[2Jcleared",
    "carriage return": "ok\rforged",
    "zero width": "Шев\u200bченко",
    "nul": "a\x00b",
    "line separator": "a\u2028b",
}


@pytest.fixture(scope="module")
def staff(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Staffed]:
    with staffed_hub(tmp_path_factory.mktemp("reason-hub"), sandbox, hub_db) as s:
        yield s


def _file(s: Staffed, customer: str, reason: str) -> tuple[int, dict[str, object]]:
    r = s.http.post("/api/v1/requests", headers=s.teller, json={
        "kind": "customer_update", "customer_guid": customer, "change": {"kyc_level": 1},
        "reason": reason})
    return r.status_code, r.json()


def test_a_reason_that_could_disguise_itself_is_refused(staff: Staffed,
                                                        sandbox: SandboxProcess) -> None:
    customer = new_customer(sandbox, staff.b0)
    for what, reason in DISGUISES.items():
        status, body = _file(staff, customer, reason)
        assert status == 422, (what, body)
        assert "reason" in str(body["error"]) and "direction" in str(body["error"]), body
        assert reason not in str(body["error"])  # the value is never echoed
    listed = staff.http.get("/api/v1/requests", headers=staff.sup).json()
    shown = repr(listed)
    assert not any(reason in shown for reason in DISGUISES.values())


def test_markup_and_line_breaks_stay_as_typed(staff: Staffed, sandbox: SandboxProcess) -> None:
    reason = "amount <5000 & over > limit\nsecond line <b>as typed</b>"
    status, body = _file(staff, new_customer(sandbox, staff.b0), reason)
    assert status == 201, body
    seen = staff.http.get(f"/api/v1/requests/{body['id']}", headers=staff.sup)
    assert seen.status_code == 200 and seen.json()["reason"] == reason


def test_a_decision_comment_that_could_disguise_itself_is_refused(
        staff: Staffed, sandbox: SandboxProcess) -> None:
    status, req = _file(staff, new_customer(sandbox, staff.b0), "customer asked")
    assert status == 201, req
    base = f"/api/v1/requests/{req['id']}"
    for verb, extra in (("reject", {}), ("approve", {"sha256": req["sha256"]})):
        r = staff.http.post(f"{base}/{verb}", headers=staff.sup,
                            json={"comment": "fine \u202eenon", **extra})
        assert r.status_code == 422, (verb, r.text)
        assert "comment" in r.json()["error"]
    # nothing was decided by the refused bodies: a clean rejection still lands
    r = staff.http.post(f"{base}/reject", headers=staff.sup,
                        json={"comment": "limit <5000\nask again"})
    assert r.status_code == 200 and r.json()["state"] == "rejected", r.text
    assert staff.http.get(base, headers=staff.sup).json()["comment"] == "limit <5000\nask again"


def test_cash_void_and_reject_texts_follow_the_same_rule(staff: Staffed) -> None:
    """A void's reason (listed for supervisors) and a draft rejection's comment (read by the
    teller) are refused before the route runs; plain text goes on to the route."""
    guid = "0123abcd-1111-2222-3333-444455556666"  # no such draft: the route answers 404
    for path, who, field in (("/api/v1/cash/void", staff.teller, "reason"),
                             ("/api/v1/cash/reject", staff.sup, "comment")):
        r = staff.http.post(path, headers=who, json={"payment_guid": guid,
                                                    field: "no check \u202eneeded"})
        assert r.status_code == 422 and field in r.json()["error"], (path, r.text)
        r = staff.http.post(path, headers=who, json={"payment_guid": guid,
                                                    field: "counted twice <5000"})
        assert r.status_code != 422, (path, r.text)


def test_a_settings_change_reason_follows_the_same_rule(staff: Staffed) -> None:
    """A relaxing PUT of the cash limits or the policy files a request whose reason is a
    query parameter (no body rule): the filing itself refuses what could disguise it, in
    the shape of the other refusals, and files nothing."""
    s = staff
    limits = s.http.get("/api/v1/cash/limits", headers=s.admin).json()
    raised = {**limits, "teller_daily_limit": "999999.00"}
    pol = s.http.get("/api/v1/policy", headers=s.admin).json()["policy"]
    for path, body in (("/api/v1/cash/limits", raised),
                       ("/api/v1/policy", {**pol, "kyc_down": False})):
        for reason in ("abc\u202edef\u0000", DISGUISES["isolate"], DISGUISES["zero width"]):
            r = s.http.put(path, headers=s.admin, json=body, params={"reason": reason})
            assert r.status_code == 422, (path, r.text)
            error = r.json()["error"]
            assert "reason" in error and "direction" in error, error
            assert reason not in error
    mine = s.http.get("/api/v1/requests", headers=s.admin, params={"mine": "true"}).json()
    assert mine["requests"] == []  # nothing was filed
    r = s.http.put("/api/v1/cash/limits", headers=s.admin, json=raised,
                   params={"reason": "year-end <5000\nas agreed"})
    assert r.status_code == 202, r.text
    assert r.json()["request"]["reason"] == "year-end <5000\nas agreed"
    s.http.post(f"/api/v1/requests/{r.json()['request_id']}/withdraw", headers=s.admin,
                json={})


def test_a_change_requests_names_follow_the_desks_rule(staff: Staffed,
                                                       sandbox: SandboxProcess) -> None:
    """A change request's name, surname, status and segment are what a supervisor reads
    next to the customer: refused like the desk's form refuses them (one line, no
    direction or invisible marks); Ukrainian names with the letter apostrophe and hyphens
    are filed as typed."""
    customer = new_customer(sandbox, staff.b0)
    for field in ("name", "surname", "paternal_name", "status", "segment"):
        for bad in ("Іван\u202e", "Шев\u200bченко", "Іван\nПетро"):
            r = staff.http.post("/api/v1/requests", headers=staff.teller, json={
                "kind": "customer_update", "customer_guid": customer,
                "change": {field: bad}, "reason": "passport"})
            assert r.status_code == 422, (field, bad, r.text)
            assert field in r.json()["error"] and bad not in r.json()["error"]
    good = {"name": "Мар\u02bcяна", "surname": "Кос-Анатольська",
            "paternal_name": "Ігорівна", "segment": "vip"}
    r = staff.http.post("/api/v1/requests", headers=staff.teller, json={
        "kind": "customer_update", "customer_guid": customer, "change": good,
        "reason": "passport"})
    assert r.status_code == 201, r.text
    assert {k: r.json()["change"][k] for k in good} == good


def test_a_settings_reason_is_checked_where_the_route_reads_it(staff: Staffed) -> None:
    """The rule is the route's query parameter's (in the OpenAPI; a plain 422): a change
    that files nothing (a tightening) is refused with such a reason too, and changes
    nothing; spaces and line ends around a reason are dropped as before, never refused."""
    s = staff
    limits = s.http.get("/api/v1/cash/limits", headers=s.admin).json()
    lowered = {**limits, "teller_daily_limit": "400000.00"}
    r = s.http.put("/api/v1/cash/limits", headers=s.admin, json=lowered,
                   params={"reason": DISGUISES["override"]})
    assert r.status_code == 422 and "reason" in r.json()["error"], r.text
    assert s.http.get("/api/v1/cash/limits", headers=s.admin).json() == limits
    raised = {**limits, "close_tolerance": "5.00"}
    r = s.http.put("/api/v1/cash/limits", headers=s.admin, json=raised,
                   params={"reason": " \tyear-end\r\n"})
    assert r.status_code == 202, r.text
    assert r.json()["request"]["reason"] == "year-end"
    s.http.post(f"/api/v1/requests/{r.json()['request_id']}/withdraw", headers=s.admin,
                json={})
