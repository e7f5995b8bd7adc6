"""Settings: nothing clipped when the hub's policy arrives after the dialog opened (in either
language), and Enter never discards: while the file is read no button takes it, then OK is
the default and the first field has the focus."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from teller_app.platform.hub_models import Policy
from teller_app.ui import settings as settings_module
from teller_app.ui.settings import SettingsDialog


def _shown(qtbot, ops) -> SettingsDialog:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    return dialog


@pytest.mark.parametrize("language", ["english", "ukrainian"])
def test_the_policy_arriving_late_is_not_clipped(qtbot, ops, request, language) -> None:  # type: ignore[no-untyped-def]
    request.getfixturevalue(language)
    dialog = _shown(qtbot, ops)
    qtbot.waitUntil(lambda: not ops.is_busy("settings-read"), timeout=5000)
    before = dialog.size()
    # the longest list the hub's policy makes, after the dialog took its first size
    dialog._policy(Policy(kyc_up=True, segment=True,
                          sensitive_statuses=["blocked", "closed", "frozen"]))
    # the layout settles and the window grows on the next turns of the event loop
    qtbot.waitUntil(lambda: dialog.height() >= dialog.heightForWidth(dialog.width())
                    and dialog.sensitive_value.height() >= dialog.sensitive_value.heightForWidth(
                        dialog.sensitive_value.width()), timeout=2000)
    assert dialog.width() >= before.width() and dialog.height() > before.height()
    for field in (dialog.language, dialog.theme, dialog.idle, dialog.sync):
        assert field.height() >= field.sizeHint().height(), field.objectName()
    label = dialog.sensitive_value
    assert label.visibleRegion().boundingRect().height() >= label.heightForWidth(label.width())
    assert not dialog.sensitive_area.verticalScrollBar().isVisible()  # short: no scrolling
    # nothing to scroll: not an invisible Tab stop between the fields and the buttons
    assert dialog.sensitive_area.focusPolicy() == Qt.FocusPolicy.NoFocus
    room = dialog.screen().availableGeometry()
    assert dialog.width() <= room.width() and dialog.height() <= room.height()


def test_a_list_too_long_scrolls_inside_its_area(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    dialog = _shown(qtbot, ops)
    area = dialog.sensitive_area
    area.set_text(", ".join(["changing the segment"] * 60))
    qtbot.waitUntil(lambda: area.verticalScrollBar().isVisible(), timeout=2000)
    assert area.height() < dialog.sensitive_value.heightForWidth(area.viewport().width())
    assert area.height() <= area.fontMetrics().lineSpacing() * area.max_lines + 2
    assert area.focusPolicy() == Qt.FocusPolicy.StrongFocus  # its keys scroll it
    room = dialog.screen().availableGeometry()
    assert dialog.height() <= room.height()


def test_enter_never_discards_and_ok_is_the_default(qtbot, ops, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    may_read = threading.Event()
    load = settings_module.load_settings

    def slow_load():  # type: ignore[no-untyped-def]
        may_read.wait(10)
        return load()

    monkeypatch.setattr(settings_module, "load_settings", slow_load)
    dialog = _shown(qtbot, ops)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    try:
        assert ops.is_busy("settings-read") and not ok.isEnabled()
        assert not cancel.isDefault()
        rejected: list[bool] = []
        dialog.rejected.connect(lambda: rejected.append(True))
        target = QApplication.focusWidget() or dialog
        qtbot.keyClick(target, Qt.Key.Key_Return)  # Enter while reading: nothing happens
        assert dialog.isVisible() and not rejected
    finally:
        may_read.set()
    qtbot.waitUntil(ok.isEnabled, timeout=5000)
    assert ok.isDefault() and not cancel.isDefault()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.language, timeout=2000)
    assert cancel.autoDefault()  # Tabbed to, Cancel takes Enter as usual
