"""The audit view reads the hub's own security entries in words: every action the hub's trail
holds has a translated name (and is in the filter), and the detail keys and codes the hub
writes for sign-ins, refusals, proxied writes, employees, secrets and resumed executions have
labels, so nothing shows as a bare ``key = value``."""

from __future__ import annotations

from typing import Any

import pytest

from teller_app.core.audit import HUB_ACTIONS
from teller_app.ui.audit_details import detail_items, details_text
from teller_app.ui.audit_entry import ACTION_TEXT, action_text

SHA = "ab" * 32
# what the hub writes (hub/routes_api, routes_requests, proxy, employees, commands.finish)
HUB_DETAILS: list[dict[str, Any]] = [
    {"mode": "password", "address": "10.1.2.3", "refusal": "wrong_password"},
    {"mode": "platform", "address": "10.1.2.3", "source": "dcm"},
    {"attempt": "approve", "refusal": "hash_mismatch", "http_status": 409, "desk_id": "d-1"},
    {"method": "PUT", "kind": "customer_update", "target_guid": "g-1", "body_sha256": SHA,
     "dcm_status": 200},
    {"method": "POST", "kind": "payment_confirm", "target_guid": "p-1", "body_sha256": SHA,
     "dcm_status": None, "error": "no answer"},
    {"employee": "t@bank.test", "roles": ["Teller"], "head_office": False,
     "sessions_ended": 2},
    {"external_id": "ext-1", "kind": "customer"},
    {"created": 3, "existing": 1, "items": 4},
    {"resumed": True, "approved_by": "s1@bank.test", "desk_id": "d-2", "state": "applied",
     "result": "applied", "sha256": SHA},
]



def test_every_action_of_the_trail_has_a_name(english: None) -> None:
    missing = [a for a in HUB_ACTIONS if a not in ACTION_TEXT]
    assert not missing
    assert action_text("decision_refused") == "Decision refused"
    assert action_text("sign_in_throttled") == "Sign-in throttled"
    assert action_text("proxy_write") == "Sent to the platform"


@pytest.mark.parametrize("detail", HUB_DETAILS)
def test_the_hubs_detail_keys_have_labels(english: None, detail: dict[str, Any]) -> None:
    unknown = [label for label, _value, known in detail_items(detail) if not known]
    assert not unknown


def test_the_hubs_codes_read_as_words(english: None) -> None:
    assert details_text(HUB_DETAILS[0]) == (
        "Refused because: wrong password; Signed in with: hub password; "
        "Sent from (IP address): 10.1.2.3")
    refused = details_text(HUB_DETAILS[2])
    assert "Attempted: approve" in refused
    assert "Refused because: differs from what they were shown" in refused
    assert "Hub's answer (HTTP): 409" in refused
    sent = details_text(HUB_DETAILS[4])
    assert "Operation: payment confirmation" in sent
    assert "Error: no answer in time (may have landed)" in sent
    assert "Platform's answer (HTTP): —" in sent
    resumed = details_text(HUB_DETAILS[8])
    assert "Resumed after an interruption: yes" in resumed
    assert "Approved by: s1@bank.test" in resumed
