"""Dates on screen. Date boxes as every date on the desk, dd.MM.yyyy in both languages
(``local_time.DATE_FORMAT``): English's M/d/yyyy beside the tables' 06.12.2026 read 11/6 as
11 June, and Qt's short format has a two-digit year. Date-time table columns as wide as
their texts. A "from"-"to" pair of boxes that says once when a date is set (``DateRange``).
A box's calendar popup opens by keys too (``CalendarKeys``: F4, Alt+Down)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QDateTimeEdit,
    QStyle,
    QStyleOptionComboBox,
    QTableView,
    QWidget,
)

from teller_app.ui.local_time import DATE_FORMAT


def show_dates(*edits: QDateEdit) -> None:
    """Give the boxes the desk's date format and the current language (again after a live
    switch: the widget's own locale, which names the calendar's months, is fixed when it is
    made). Every date box on screen passes here, so here its calendar popup gets its keys
    (``CalendarKeys``)."""
    locale = QLocale()
    for edit in edits:
        edit.setLocale(locale)
        edit.setDisplayFormat(DATE_FORMAT)
        CalendarKeys.install(edit)


class CalendarKeys(QObject):
    """F4 and Alt+Down open a date box's calendar popup, as they open a combo box's list: Qt
    opens it only by mouse (QDateTimeEdit has no ``showPopup``; F4 did nothing and Alt+Down
    stepped the date back a day). It is opened the way the mouse does, by a press on the
    style's drop-down arrow, so Qt places it and keeps its own keys in it: Enter sets the
    day picked and gives the focus back to the box. Escape does too, with the date the box
    had when the popup opened: Qt's popup moves the box with every arrow key and kept the
    last day passed on Escape, as if it had been picked."""

    def __init__(self, box: QDateTimeEdit) -> None:
        super().__init__(box)
        self.box = box
        self._popup: QWidget | None = None  # the popup watched (made by Qt at its first use)
        self._opened_on: QDate | None = None

    @classmethod
    def install(cls, box: QDateTimeEdit) -> None:
        """Once per box (``show_dates`` runs again at every language switch)."""
        if box.findChild(cls, options=Qt.FindChildOption.FindDirectChildrenOnly) is None:
            box.installEventFilter(cls(box))

    @staticmethod
    def opens(event: QKeyEvent) -> bool:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        return ((event.key() == Qt.Key.Key_F4 and mods == Qt.KeyboardModifier.NoModifier)
                or (event.key() == Qt.Key.Key_Down and mods == Qt.KeyboardModifier.AltModifier))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.box:
            if not self.box.calendarPopup():
                return False
            if kind == QEvent.Type.MouseButtonPress:  # a click opens it too: Escape as well
                self._watch_popup()
            elif kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and \
                    self.opens(event):
                self._watch_popup()
                open_calendar(self.box)
                return True  # never a step back of the date (Alt+Down)
            return False
        if kind == QEvent.Type.Show:
            self._opened_on = self.box.date()
        elif kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and \
                event.matches(QKeySequence.StandardKey.Cancel) and self._opened_on is not None:
            self.box.setDate(self._opened_on)  # then Qt closes the popup
        return False

    def _watch_popup(self) -> None:
        popup = self.box.calendarWidget().window()
        if popup is not self._popup:
            self._popup = popup
            popup.installEventFilter(self)


def open_calendar(box: QDateTimeEdit) -> bool:
    """Open ``box``'s calendar popup as a click on its arrow does; True when it is shown (a
    read-only box opens none)."""
    option = QStyleOptionComboBox()  # as QDateTimeEdit hit-tests a press: a combo's arrow
    option.initFrom(box)
    option.editable = True
    option.frame = True
    option.subControls = QStyle.SubControl.SC_All
    arrow = box.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                       QStyle.SubControl.SC_ComboBoxArrow, box)
    at = QPointF(arrow.center())
    press = QMouseEvent(QEvent.Type.MouseButtonPress, at, box.mapToGlobal(at),
                        Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(box, press)
    return box.calendarWidget().isVisible()


# A wide moment (two-digit day, month and hour): a column sized for it fits any other.
WIDE_MOMENT = datetime(2026, 12, 28, 18, 58, 58, tzinfo=UTC)  # 20:58:58 in Kyiv


def fit_moment_column(view: QTableView, column: int, sample: str) -> None:
    """Give a table's date-time column the width of ``sample`` in the view's font (with the
    cell's margins), or its header's if wider: the default width wrapped "04.12.2026⏎20:29"."""
    metrics = view.fontMetrics()
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    width = metrics.horizontalAdvance(sample) + 2 * margin + metrics.averageCharWidth()
    header = view.horizontalHeader()
    header.resizeSection(column, max(width, header.sectionSizeHint(column)))


def qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


class TodayFollower:
    """A "to" date box made on Kyiv's today (``now``: a Kyiv clock) that keeps following the
    calendar while the user has not picked another day: a panel or dialog open past midnight
    hid the new day's rows until it was opened again."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.default = qdate(now().date())

    def follow(self, box: QDateEdit) -> None:
        """Move ``box`` to today when it still shows the day it was made for (no dateChanged:
        the caller reloads)."""
        today = qdate(self.now().date())
        if today == self.default or box.date() != self.default:
            return
        self.default = today
        was = box.blockSignals(True)
        box.setDate(today)
        box.blockSignals(was)


class DateRange(QObject):
    """A "from" and a "to" box read as one range: ``changed`` once a date is set, not on every
    keystroke (typing 01012026 set 01.12.2026 then 01.01.2026: two reads) nor on every day
    the calendar popup's arrows pass (the pick counts when the popup closes); never reversed
    (a "from" after "to" read nothing and said nothing: the other box follows the one set).
    Qt's min/max bounds were not used: they clamp, so "to" could not be set before "from" (a
    supervisor going back to January had to change "from" first). ``first`` is its parent."""

    changed = Signal()

    def __init__(self, first: QDateEdit, last: QDateEdit) -> None:
        super().__init__(first)
        self.first, self.last = first, last
        self._picking: dict[QObject, QDateEdit] = {}  # popup: its box moved, set at its close
        for box in (first, last):
            # typed dates count on Enter or when the box is left (and the arrow keys at once)
            box.setKeyboardTracking(False)
            box.dateChanged.connect(partial(self._moved, box))

    def _popup(self, box: QDateEdit) -> QWidget | None:
        return box.calendarWidget().window() if box.calendarPopup() else None

    def _moved(self, box: QDateEdit, _date: QDate) -> None:
        popup = self._popup(box)
        if popup is not None and popup.isVisible():
            self._picking[popup] = box
            popup.installEventFilter(self)  # once only: Qt moves an installed filter first
            return
        self._settle(box)

    def _settle(self, box: QDateEdit) -> None:
        other = self.last if box is self.first else self.first
        if self.first.date() > self.last.date():
            was = other.blockSignals(True)  # one read for both boxes
            other.setDate(box.date())
            other.blockSignals(was)
        self.changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Hide and (box := self._picking.pop(watched, None)):
            self._settle(box)
        return False
