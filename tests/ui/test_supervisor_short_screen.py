"""A low-vision supervisor's screen: a 14 pt application font in a window of 911 × 512 (a
1366 × 768 screen at 150 %), the search panel beside the approvals inbox with a request
selected. The window's minimum fits the screen's height; nothing in the filter bar or the
inbox is drawn over its neighbour (the "Created from … to …" line lay over the KYC and
Disabled filters, the request's details over the list's scroll bar); every wrapped text
gets the height it needs (the details lost "on <date>"); what has no room scrolls, the
keyboard reaching every filter and the comment, and the decision buttons stay in view.
Against the embedded sandbox + Teller Hub, in English and in Ukrainian."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel, QWidget

from teller_app.core.approvals import ApprovalService, actor_from_session
from teller_app.core.customers import CustomerService
from teller_app.ui.filter_bar import FilterBar

from .conftest import TELLER, make_window, new_customer
from .embedded_desk import SUPERVISOR, embedded_stack, hub_session

pytestmark = pytest.mark.slow

SCREEN = (911, 512)  # 1366 × 768 at 150 %, in logical pixels
stack = embedded_stack("ui-supervisor-short-screen")


@pytest.fixture()
def large_font(qapp: QApplication) -> Iterator[None]:
    before = qapp.font()
    font = QFont(before)
    font.setPointSizeF(14)
    qapp.setFont(font)
    yield
    qapp.setFont(before)


@pytest.fixture()
def filed(arun: Any, stack: Any) -> None:
    """A teller's change request in the supervisor's branch, for the inbox to list."""
    teller = hub_session(arun, stack, TELLER)
    try:
        made = arun(CustomerService(teller.client, hub=teller.hub).create(new_customer(
            stack.sandbox, teller, surname="Шевченко-Квітка", name="Олександра")))
        arun(ApprovalService(teller.hub, actor_from_session(teller)).file_request(
            made.customer.guid, {"kyc_level": 0}, "lower KYC: the passport copy is unreadable"))
    finally:
        arun(teller.close())


def _name(widget: QWidget) -> str:
    text = getattr(widget, "text", None)
    said = text()[:30] if callable(text) else ""
    return f"{type(widget).__name__}#{widget.objectName()} {said!r}"


def _overlapping(root: QWidget) -> list[tuple[str, str]]:
    """Visible sibling widgets under ``root`` whose rectangles meet."""
    found = []
    for parent in [root, *root.findChildren(QWidget)]:
        if not parent.isVisible():
            continue
        shown = [c for c in parent.children()
                 if isinstance(c, QWidget) and c.isVisible() and not c.isWindow()]
        for i, first in enumerate(shown):
            for second in shown[i + 1:]:
                if first.geometry().intersects(second.geometry()):
                    found.append((_name(first), _name(second)))
    return found


def _short_labels(root: QWidget) -> list[tuple[str, int, int]]:
    """Visible word-wrapped labels with a text lower than it needs at their width."""
    return [(_name(label), label.height(), label.heightForWidth(label.width()))
            for label in root.findChildren(QLabel)
            if label.isVisible() and label.wordWrap() and label.text()
            and label.height() < label.heightForWidth(label.width())]


def _in_view(widget: QWidget) -> bool:
    """``widget`` whole on screen: inside every ancestor's rectangle (a scroll area's
    viewport among them) up to its window."""
    window = widget.window()
    rect = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if not QRect(parent.mapTo(window, parent.rect().topLeft()),
                     parent.size()).contains(rect):
            return False
        parent = parent.parentWidget()
    return window.rect().contains(rect)


def _focus_order(first: QWidget, wanted: list[QWidget]) -> list[QWidget]:
    """``wanted`` in the order Tab reaches them from ``first``."""
    order, widget = [], first
    for _ in range(500):
        if widget in wanted and widget not in order:
            order.append(widget)
        widget = widget.nextInFocusChain()
        if widget is first:
            break
    return order


@pytest.mark.parametrize("language", ["english", "ukrainian"])
def test_the_supervisor_screen_fits_a_short_screen_with_a_large_font(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, stack, filed, large_font, request, language: str) -> None:
    request.getfixturevalue(language)
    session = hub_session(arun, stack, SUPERVISOR)
    window = make_window(qtbot, ops, session, stack.sandbox)
    try:
        window.resize(*SCREEN)
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
        panel = window.search_panel
        qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=20000)
        window.supervision.open_inbox()
        inbox = window.supervision.inbox
        qtbot.waitUntil(lambda: inbox.model.rowCount() > 0, timeout=20000)
        inbox.table.selectRow(0)
        qtbot.waitUntil(lambda: "Мельник Оксана" in inbox.details.text()
                        and not window.ops.is_busy(), timeout=20000)
        bar = panel.findChild(FilterBar)
        assert bar is not None

        # the window's minimum fits the screen's height; the window is no taller
        assert window.minimumSizeHint().height() <= SCREEN[1]
        assert window.height() <= SCREEN[1]
        # the layout settles once the texts are in (a wrapped text asks twice); what is
        # still wrong then is named by the asserts below
        with contextlib.suppress(qtbot.TimeoutError):
            qtbot.waitUntil(lambda: not _overlapping(bar) and not _overlapping(inbox)
                            and not _short_labels(bar) and not _short_labels(inbox),
                            timeout=5000)
        assert _overlapping(bar) == []
        assert _overlapping(inbox) == []
        assert _short_labels(inbox) == []
        assert _short_labels(bar) == []
        # the details keep their date, the reason is there to scroll to
        assert inbox.details.height() >= inbox.details.heightForWidth(inbox.details.width())

        # the decision: comment and buttons in view, whole, in their Tab order
        comment, approve, reject = inbox.comment, inbox.approve_button, inbox.reject_button
        for control in (comment, approve, reject):
            assert _in_view(control), _name(control)
            assert control.height() >= control.minimumSizeHint().height(), _name(control)
        assert _focus_order(inbox.table, [comment, approve, reject]) == [comment, approve,
                                                                         reject]
        # the request's texts scroll with the keys when they do not fit
        area = inbox.request_area
        if area.verticalScrollBar().maximum() > 0:
            assert area.focusPolicy() & Qt.FocusPolicy.TabFocus
        # every filter reached by Tab comes into view, in the order they sit on screen
        chain = bar.focus_chain()
        assert _focus_order(panel.search_box, [*chain, panel.table]) == [*chain, panel.table]
        scrolls = [a for a in bar.findChildren(QAbstractScrollArea) if a.isVisible()]
        assert any(a.verticalScrollBar().maximum() > 0 for a in scrolls)  # short: it scrolls
        for control in (bar.clear_button, bar.status, bar.updated_to):
            control.setFocus(Qt.FocusReason.TabFocusReason)
            qtbot.waitUntil(lambda c=control: _in_view(c), timeout=3000)
        # the results keep three rows in view (a stretching table gets only its minimum)
        rows = panel.table.viewport().height() // panel.table.verticalHeader().defaultSectionSize()
        assert rows >= 3, rows
    finally:
        window._closing_for_sign_out = True  # no app controller listens in tests
        ops.cancel_all()
        arun(session.close())
