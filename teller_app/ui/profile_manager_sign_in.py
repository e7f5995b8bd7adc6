"""The profile manager opened from the sign-in window: the profiles saved there join the
window's list at once (the sandbox, when offered, stays), and the one last saved is chosen."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QCoreApplication

from teller_app.secrets import Profile, ProfileStore
from teller_app.ui.profile_manager import ProfileManagerDialog, open_profile_manager


def open_for_sign_in(sign_in: Any) -> ProfileManagerDialog:
    """From the sign-in window: saved profiles appear in its list at once (the sandbox, when
    offered, stays), and the one last saved is chosen."""
    store = sign_in.profiles or ProfileStore()
    sign_in.profiles = store
    dialog = open_profile_manager(sign_in.ops, store, sign_in)
    def changed() -> None:
        sign_in.ops.run(lambda: asyncio.to_thread(store.list),
                        on_success=lambda profiles: refresh_targets(
                            sign_in, profiles, dialog.form.name_edit.text().strip()),
                        parent=sign_in, key="sign-in-profiles", network=False)

    dialog.profiles_changed.connect(changed)
    return dialog


def refresh_targets(sign_in: Any, profiles: list[Profile], select: str | None) -> None:
    from teller_app.ui.sign_in import SignInTarget

    kept = [t for t in sign_in.targets if t.is_sandbox]
    targets = [SignInTarget(p) for p in profiles if not p.is_sandbox] + kept
    combo = sign_in.profile_combo
    combo.blockSignals(True)
    sign_in.targets[:] = targets
    combo.clear()
    for target in targets:
        combo.addItem(QCoreApplication.translate(
            "SignInDialog", "Sandbox (demo data, not a real bank)") if target.is_sandbox
            else target.profile.name)
    names = [t.profile.name for t in targets]
    combo.setCurrentIndex(names.index(select) if select in names else 0)
    combo.blockSignals(False)
    sign_in._target_changed(combo.currentIndex())
