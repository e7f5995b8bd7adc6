"""The hub's till and vault refusals carry a code (``{"error", "code"}``) that the desk words
in the teller's language, naming the Teller Hub, never "the platform refused" in English:
among them a close while the opening count waits for its co-sign, a till whose close waits
for one, a co-sign of a count the teller changed since, and a vault count co-signed by the
supervisor who made it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fe_helpers import TillWorld, till_world
from hub_proc import PASSWORD

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.till import TillService
from teller_app.platform import Conflict, PlatformError, ValidationError
from teller_app.platform.hub_client import HubClient


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TillWorld]:
    with till_world(tmp_path_factory.mktemp("till-refusals"), sandbox, hub_db) as w:
        yield w


def _refused(arun: Any, call: Any, code: str) -> PlatformError:
    with pytest.raises(PlatformError) as refused:
        arun(call)
    assert refused.value.reason == code and refused.value.source == "hub"
    return refused.value


def test_till_refusals_are_worded_by_their_code(world: TillWorld, arun: Any,
                                                qtbot: Any) -> None:
    from teller_app.ui.error_text import friendly_message
    from teller_app.ui.settings import switch_language

    teller_hub, sup_hub = HubClient(world.hub.base_url), HubClient(world.hub.base_url)
    try:
        arun(teller_hub.open_password_session(world.teller, PASSWORD))
        arun(sup_hub.open_password_session(world.sup, PASSWORD))
        till, sup = TillService(teller_hub, "desk-r"), TillService(sup_hub, "sup-r")
        opened = arun(till.open("T-ref", {"note_100": 2}))
        assert opened.needs_cosign  # a till's first opening waits for a co-sign
        said: dict[str, str] = {}
        exc = _refused(arun, till.request_transfer("to_till", Decimal("10.00")),
                       "awaiting_cosign")
        said["awaiting_cosign"] = friendly_message(exc)
        # nor closed before the co-sign (an overnight difference would vanish)
        exc = _refused(arun, till.close({"note_100": 2}), "awaiting_cosign")
        assert isinstance(exc, Conflict) and friendly_message(exc) == said["awaiting_cosign"]
        arun(sup.cosign(opened.id))
        exc = _refused(arun, till.request_transfer("to_vault", Decimal("900.00")), "till_short")
        assert isinstance(exc, Conflict)
        said["till_short"] = friendly_message(exc)
        pending = arun(till.request_transfer("to_till", Decimal("10.00")))
        exc = _refused(arun, till.close({"note_100": 2}), "transfer_pending")
        said["transfer_pending"] = friendly_message(exc)
        arun(sup.decide_transfer(pending.id, False, "not today"))
        reason_exc = _refused(arun, till.close({"note_100": 1}), "reason_required")
        assert isinstance(reason_exc, ValidationError)
        said["reason_required"] = friendly_message(reason_exc)
        waiting = arun(till.close({"note_100": 1}, "one note short"))  # past the tolerance
        assert waiting.needs_close_cosign
        exc = _refused(arun, till.request_transfer("to_till", Decimal("10.00")),
                       "awaiting_close_cosign")
        said["awaiting_close_cosign"] = friendly_message(exc)
        exc = _refused(arun, sup.cosign_close(opened.id, Decimal("200.00")), "count_changed")
        said["count_changed"] = friendly_message(exc)
        exc = _refused(arun, sup.count_vault({"note_10": 1}), "reason_required")
        vault = arun(sup.count_vault({"note_10": 1}, reason="first count"))
        assert vault.count is not None and vault.count.pending
        exc = _refused(arun, sup.cosign_vault_count(vault.count.id), "vault_count_own")
        said["vault_count_own"] = friendly_message(exc)
        assert said == {
            "awaiting_cosign": "The till waits for a supervisor to co-sign its opening count.",
            "awaiting_close_cosign": "The till's close waits for a supervisor to co-sign its "
                                     "over/short.",
            "count_changed": "The teller counted again since you looked: read the till again "
                             "before co-signing.",
            "vault_count_own": "You counted the vault yourself: a second supervisor co-signs "
                               "the count.",
            "till_short": "The till does not hold that much.",
            "transfer_pending": "A vault transfer still waits for a supervisor: it must be "
                                "decided before the till closes.",
            "reason_required": "The count differs from what is expected: give a reason for "
                               "the over or short.",
        }
        switch_language("uk")
        try:
            assert friendly_message(reason_exc).startswith("Перелічена сума")
        finally:
            switch_language("en")
        closed = arun(sup.cosign_close(opened.id, Decimal("100.00")))
        assert closed.state == "closed"
    finally:
        arun(teller_hub.aclose())
        arun(sup_hub.aclose())
