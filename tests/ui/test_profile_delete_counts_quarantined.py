"""An audit entry the hub refused (also reduced) is kept in the outbox, never sent: deleting
the profile would lose it, so the profile manager's confirmation counts it among the entries
that have not reached the hub, even when it is the only thing left in the outbox. A real
encrypted outbox; the keyring a real backend holding its entries in this process."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtWidgets import QMessageBox

from teller_app.core.audit import OUTBOX_KEY, AuditAction, AuditOutbox, make_entry, outbox_path
from teller_app.secrets import Profile, ProfileStore, SecretStore
from teller_app.ui.profile_manager import ProfileManagerDialog

from .test_profile_manager import MemoryKeyring, memory_keyring  # noqa: F401  (fixture)

NAME = "branch-pc"


def test_the_delete_warning_counts_a_quarantined_entry(
        qtbot: Any, ops: Any, arun: Any, memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    profiles = ProfileStore()
    profiles.save(Profile(name=NAME, base_url="http://127.0.0.1:9", email="t@bank.ua",
                          counterparty_guid="00000000-0000-4000-8000-000000000000"))

    async def key() -> bytes:
        store = await SecretStore.open(NAME)
        await store.set(OUTBOX_KEY, "ab" * 32)
        return bytes.fromhex("ab" * 32)

    box = AuditOutbox(outbox_path(NAME), arun(key()))
    sent, refused = make_entry(AuditAction.LOCK), make_entry(AuditAction.CUSTOMER_EDIT)
    box.append(sent)
    box.append(refused)
    box.quarantine(refused, "invalid request: entries.0.detail: too large")
    box.mark_sent([sent.client_id])  # all else sent: the outbox is emptied but for it
    assert box.unsent() == [] and arun(asyncio.to_thread(box.waiting)) == 1

    manager = ProfileManagerDialog(ops, profiles)
    qtbot.addWidget(manager)
    manager.show()
    qtbot.waitUntil(lambda: manager.editing == NAME, timeout=5000)
    manager.delete_profile()
    confirm = manager._box
    assert confirm is not None and confirm.isVisible()
    qtbot.waitUntil(lambda: "not reached the hub" in confirm.informativeText(), timeout=10000)
    assert "1 audit entr" in confirm.informativeText()
    assert confirm.icon() == QMessageBox.Icon.Warning
    confirm.button(QMessageBox.StandardButton.No).click()
    assert [p.name for p in profiles.list()] == [NAME]
