"""The desk's "told up to here" marks for decisions made while it was closed live in the OS
keyring (a real Secret Service here): a new process (a new store) reads what the last one
saved, per hub and employee, and the entry's name gives neither away."""

from __future__ import annotations

import asyncio
from typing import Any

from teller_app.core.approvals_away import MARKS_STORE, KeyringMarks
from teller_app.secrets.store import service_for

HUB = "http://127.0.0.1:8765"
OTHER_HUB = "http://127.0.0.1:8766"


def test_marks_outlive_the_store_per_hub_and_employee(secret_service: Any) -> None:
    async def run() -> None:
        await KeyringMarks().save(HUB, "Teller.One@bank.test", 41)
        again = KeyringMarks()  # another sign-in, another process: a fresh store
        assert await again.load(HUB, "teller.one@bank.test") == 41
        assert await again.load(OTHER_HUB, "teller.one@bank.test") is None
        assert await again.load(HUB, "teller.two@bank.test") is None
        await again.save(HUB, "teller.one@bank.test", 57)
        assert await KeyringMarks().load(HUB, "teller.one@bank.test") == 57

    asyncio.run(run())
    entry = KeyringMarks.entry(HUB, "teller.one@bank.test")
    assert secret_service.get_password(service_for(MARKS_STORE), entry) == "57"
    assert "teller" not in entry and "127.0.0.1" not in entry


def test_every_outcome_the_maker_is_told_live_is_told_at_sign_in_too() -> None:
    """An approval the hub could not apply reaches its maker live (``request.interrupted``);
    a desk closed meanwhile must tell it at sign-in as well, never leave "approved"."""
    from teller_app.core.approvals_away import OWN_OUTCOMES, is_own_outcome
    from teller_app.platform.hub_models import HubEvent
    from teller_app.ui.supervision import OWN_DECISION_KINDS

    assert OWN_OUTCOMES == OWN_DECISION_KINDS
    interrupted = HubEvent(id=7, kind="request.interrupted", maker="Teller.One@bank.test")
    assert is_own_outcome(interrupted, "teller.one@bank.test")
    assert not is_own_outcome(interrupted, "teller.two@bank.test")
