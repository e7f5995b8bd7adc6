"""The customer form sits in a scroll area: a field its caption's Alt+letter (or Tab) gives
the focus to is scrolled into view, in a window too small to show the whole form."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QWidget

from teller_app.ui.async_op import OpRunner
from teller_app.ui.customer_form import CustomerForm
from teller_app.ui.customer_form_choices import AssetChoice, FormChoices


def _in_view(form: CustomerForm, field: QWidget) -> bool:
    viewport = form.scroll_area.viewport()
    top_left = field.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, field.size()))


def test_alt_letter_and_tab_scroll_the_focused_field_into_view(
        qtbot: Any, english: Any) -> None:
    form = CustomerForm(None, OpRunner(), FormChoices(  # type: ignore[arg-type]
        assets=(AssetChoice("UAH", "issuer"),), segments=("retail",)))
    qtbot.addWidget(form)
    form.resize(520, 220)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    form.login.setFocus()
    qtbot.waitUntil(lambda: _in_view(form, form.login))
    for key, field in ((Qt.Key.Key_U, form.status), (Qt.Key.Key_L, form.login),
                       (Qt.Key.Key_W, form.balance_allowed), (Qt.Key.Key_A, form.asset),
                       (Qt.Key.Key_K, form.kyc_level)):
        assert not _in_view(form, field)  # below (or above) the fold: the test means it
        qtbot.keyClick(form.focusWidget(), key, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda f=field: f.hasFocus() or f.isAncestorOf(QWidget.focusWidget(f)))
        qtbot.waitUntil(lambda f=field: _in_view(form, f), timeout=2000)
    # Tab from the top field to the next ones keeps each in view too
    form.login.setFocus()
    qtbot.waitUntil(lambda: _in_view(form, form.login))
    for _ in range(8):
        qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Tab)
        focused = form.focusWidget()
        qtbot.waitUntil(lambda w=focused: _in_view(form, w), timeout=2000)
