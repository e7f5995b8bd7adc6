"""The desk and the hub agree on who writes which audit action: what the desk's outbox sends
for each of its actions is a desk action to the hub (a hub-only one would be refused and hold
the outbox back), and the audit view's filter offers every action the hub's trail holds. An
outbox line written before the hub refused its own actions still goes out (as "other")."""

from __future__ import annotations

from pathlib import Path

from teller_app.core import audit as desk
from teller_app.hub import audit as hub


def test_the_desk_sends_only_desk_actions() -> None:
    assert set(desk.DESK_ACTIONS) == set(hub.DESK_ACTIONS)
    for action in desk.AuditAction.ALL:
        entry = desk.make_entry(action)
        assert entry.action in hub.DESK_ACTIONS, (action, entry.action)
        assert entry.action == action or entry.detail["event"] == action
    assert desk.make_entry("decision").action == "other"  # a hub action named by hand


def test_the_views_filter_lists_every_action_of_the_trail() -> None:
    assert set(desk.HUB_ACTIONS) == set(hub.ACTIONS)
    assert not set(hub.DESK_ACTIONS) & set(hub.HUB_ONLY_ACTIONS)


def test_an_outbox_line_from_before_goes_out_as_a_desk_action(tmp_path: Path) -> None:
    box = desk.AuditOutbox(tmp_path / "audit" / "p.outbox", b"k" * 32)
    box.append(desk.OutboxEntry("d-legacy-1", "decision", "request:r-1",
                                {"event": "approval", "request_id": "r-1"}, "2026-01-02T10:00:00Z"))
    box.append(desk.OutboxEntry("d-legacy-2", "execution", "request:r-2", {}, ""))
    first, second = box.unsent()
    assert (first.action, first.detail["event"]) == ("other", "approval")
    assert (second.action, second.detail["event"]) == ("other", "execution")
