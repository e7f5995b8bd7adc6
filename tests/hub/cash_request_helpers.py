"""A cash draft made the way a teller's desk makes it before asking a supervisor: the teller's
till is open and the hub authorized the draft (``/cash/authorize`` said "needs_approval").
A ``cash_confirm`` request is filed only for such a draft, by that teller."""

from __future__ import annotations

from typing import Any

import httpx
from till_helpers import customer, draft
from till_open import open_till

OPEN = {"note_100": 50}


def authorized_cash_draft(http: httpx.Client, teller: dict[str, str], cosigner: dict[str, str],
                          sandbox: Any, branch: str, amount: str) -> tuple[str, str]:
    """(customer guid, payment guid) of a deposit draft the teller authorized at the hub."""
    open_till(http, teller, cosigner, "T-cash", OPEN, "desk-cash")
    cust, account = customer(sandbox, branch)
    guid = draft(sandbox, branch, account, amount)
    r = http.post("/api/v1/cash/authorize", headers={**teller, "X-Desk-ID": "desk-cash"},
                  json={"payment_guid": guid})
    assert r.status_code == 200 and r.json()["decision"] == "needs_approval", r.text
    return cust, guid
