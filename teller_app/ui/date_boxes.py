"""Dates on screen. Date boxes in the locale's short date with the year in full (dd.MM.yyyy
in Ukrainian, M/d/yyyy in English): Qt's short format has a two-digit year, ambiguous at a bank
desk, and a fixed ISO format does not follow the language. Date-time table columns as wide as
their texts. A "from"-"to" pair of boxes that says once when a date is set (``DateRange``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, Signal
from PySide6.QtWidgets import QDateEdit, QStyle, QTableView, QWidget


def date_format(locale: QLocale | None = None) -> str:
    """The locale's short date format with a four-digit year."""
    fmt = (locale or QLocale()).dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in fmt:
        fmt = fmt.replace("yy", "yyyy", 1)
    return fmt


def show_dates(*edits: QDateEdit) -> None:
    """Give the boxes the current language's date format (again after a live switch: the
    widget's own locale is fixed when it is made, so it is set too)."""
    locale = QLocale()
    fmt = date_format(locale)
    for edit in edits:
        edit.setLocale(locale)
        edit.setDisplayFormat(fmt)


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
