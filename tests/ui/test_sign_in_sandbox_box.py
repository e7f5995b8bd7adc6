"""The sign-in window's sandbox box is built by an explicit step (``build_sandbox_box``), when
a sandbox target is chosen, never by reading ``sandbox_box`` or ``demo_list``: a real
platform's window reads nothing into existence (the box costs ~5 ms before the first
paint, tests/ui/test_start_paint_first.py), and the sandbox's window has it from the start."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QGroupBox, QListWidget

from teller_app.secrets import Profile
from teller_app.ui.sign_in import SignInTarget, sandbox_target
from teller_app.ui.sign_in_dialog import SignInDialog


def _real_target() -> SignInTarget:
    return SignInTarget(Profile(name="bank", base_url="http://127.0.0.1:9", email="a@bank.ua",
                                counterparty_guid="00000000-0000-4000-8000-000000000000"))


def _built(dialog: SignInDialog) -> bool:
    return dialog.findChild(QGroupBox, "sandboxBox") is not None


def test_reading_the_box_builds_nothing(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    dialog = SignInDialog([_real_target()], ops)
    qtbot.addWidget(dialog)
    dialog.show()
    with pytest.raises(LookupError):
        _ = dialog.sandbox_box
    with pytest.raises(LookupError):
        _ = dialog.demo_list
    with pytest.raises(LookupError):
        dialog.choose_demo("teller.kyiv@demo.bank")
    assert not _built(dialog)  # still none: a real platform's window has no demo box


def test_a_sandbox_target_builds_the_box_once(qtbot, ops, sandbox) -> None:  # type: ignore[no-untyped-def]
    dialog = SignInDialog([], ops)  # as the app paints it first, then fills it
    qtbot.addWidget(dialog)
    dialog.show_pending(["bank"], "a@bank.ua")
    dialog.show()
    assert not _built(dialog)
    dialog.set_targets([_real_target(), sandbox_target(sandbox.manifest)])
    assert not _built(dialog)  # the real platform is chosen first
    dialog.profile_combo.setCurrentIndex(1)
    assert _built(dialog) and dialog.sandbox_box.isVisibleTo(dialog)
    box, demo = dialog.sandbox_box, dialog.demo_list
    assert demo.count() == len(sandbox.manifest["employees"])
    dialog.build_sandbox_box()  # once: the same box, and no second one
    dialog.profile_combo.setCurrentIndex(0)
    assert not box.isVisibleTo(dialog)
    assert dialog.sandbox_box is box and dialog.demo_list is demo
    assert len(dialog.findChildren(QGroupBox, "sandboxBox")) == 1
    assert len(dialog.findChildren(QListWidget, "demoEmployees")) == 1
