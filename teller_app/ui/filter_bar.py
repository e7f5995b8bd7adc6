"""The filter bar over the search results: status, segment, KYC level, disabled, created and
updated date ranges (Kyiv days); head office keeps its branch filter next to the search box.
Filters combine with as-you-type search; clicking a column header sorts the whole result
(the cache's ORDER BY, or the platform's ``ordering``), with the sort indicator shown.

``install(window)`` puts the bar into the search panel and wraps its source choice, so
``SearchPanel``/``MainWindow`` need no change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from teller_app.cache.filters import CustomerFilter, SortSpec, distinct_values
from teller_app.core.receipt import kyiv_tz
from teller_app.ui.a11y_form import tab_chain
from teller_app.ui.customer_columns import COLUMNS
from teller_app.ui.data_text import SEGMENTS, STATUSES, segment_text, status_text
from teller_app.ui.date_boxes import show_dates
from teller_app.ui.filter_sources import FilteredCacheSource, FilteredPlatformSource, FilterState
from teller_app.ui.flow_layout import FlowLayout
from teller_app.ui.scroll_when_short import ScrollWhenShort
from teller_app.ui.search_sources import CacheSearchSource, PlatformSearchSource

if TYPE_CHECKING:
    from teller_app.ui.customer_table_model import SearchSource
    from teller_app.ui.main_window import MainWindow

NO_DATE = QDate(2000, 1, 1)  # the minimum shows as "any"


class AnyDateEdit(QDateEdit):
    """A date filter whose minimum shows as "any". Tab leaves it while it says "any":
    QDateTimeEdit moves Tab to its next section then, but with the special text shown there
    is no section to go to, so the focus never left (only Shift+Tab did)."""

    def focusNextPrevChild(self, forward: bool) -> bool:
        if self.specialValueText() and self.date() == self.minimumDate():
            return QWidget.focusNextPrevChild(self, forward)
        return super().focusNextPrevChild(forward)


def day_start_utc(day: QDate) -> str:
    """Kyiv midnight of ``day`` as an RFC 3339 UTC bound (what the cache and platform hold)."""
    local = datetime(day.year(), day.month(), day.day(), tzinfo=kyiv_tz())
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def next_day_start_utc(day: QDate) -> str:
    return day_start_utc(day.addDays(1))


class FilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self.sort: SortSpec | None = None
        self.status = self._combo("filterStatus")
        self.segment = self._combo("filterSegment")
        self.kyc = self._combo("filterKyc")
        self.disabled = self._combo("filterDisabled")
        self.created_from = self._date("filterCreatedFrom")
        self.created_to = self._date("filterCreatedTo")
        self.updated_from = self._date("filterUpdatedFrom")
        self.updated_to = self._date("filterUpdatedTo")
        self.clear_button = QPushButton(self)
        self.clear_button.setObjectName("filterClear")
        self.clear_button.clicked.connect(self.clear)
        self.labels: dict[str, QLabel] = {}
        # Two flows (choices; dates) that wrap when narrow: in one row the bar alone made the
        # window ~1430 px wide at least, in two fixed rows still ~880 px in Ukrainian, too
        # wide beside the approvals inbox on a 1280 px screen. A label stays with its box and
        # a date range ("from" and "to") stays whole on a line while the line has room for
        # it (whole, with a large font it alone held the window wider than the screen).
        filters = QWidget(self)
        column = QVBoxLayout(filters)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        choices, dates = FlowLayout(h_spacing=12), FlowLayout(h_spacing=12)
        units = (("status", self.status), ("segment", self.segment), ("kyc", self.kyc),
                 ("disabled", self.disabled))
        for key, widget in units:
            choices.addWidget(self._unit(filters, (key, widget)))
        dates.addWidget(self._range(filters, ("created", self.created_from),
                                    ("created_to", self.created_to)))
        dates.addWidget(self._range(filters, ("updated", self.updated_from),
                                    ("updated_to", self.updated_to)))
        dates.addWidget(self.clear_button)  # last on screen as in the Tab order
        column.addLayout(choices)
        column.addLayout(dates)
        self.set_choices(sorted(STATUSES), sorted(SEGMENTS), [0, 1, 2, 3])
        self.retranslate()
        # Wrapped onto four lines (a large font, a narrow window) the filters need more than
        # a short window has: they scroll, one line at least in view, and leave the results
        # their rows (squeezed, the flows drew lines over each other and the results).
        # Made once the texts are in: the area measures its content when it takes it, and a
        # box's layout asked before its label had a text keeps that width until shown.
        self.filters_area = ScrollWhenShort(filters, choices.minimumSize().height, self)
        self.filters_area.setObjectName("filtersArea")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filters_area)

    def _unit(self, parent: QWidget, *pairs: tuple[str, QWidget]) -> QWidget:
        """Labels with their boxes, kept together on one line of the flow."""
        unit = QWidget(parent)
        row = QHBoxLayout(unit)
        row.setContentsMargins(0, 0, 0, 0)
        for key, widget in pairs:
            label = QLabel(unit)
            label.setBuddy(widget)
            self.labels[key] = label
            row.addWidget(label)
            row.addWidget(widget)
        return unit

    def _range(self, parent: QWidget, start: tuple[str, QWidget],
               end: tuple[str, QWidget]) -> QWidget:
        """A date range: "from" and "to" on one line, "to" under "from" when the line is
        narrower than the range; spaced as a label is from its box."""
        whole = QWidget(parent)
        first, second = self._unit(whole, start), self._unit(whole, end)
        row = first.layout()
        flow = FlowLayout(whole, h_spacing=max(0, row.spacing() if row is not None else 0))
        flow.addWidget(first)
        flow.addWidget(second)
        return whole

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(9)
        combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        return combo

    def _date(self, name: str) -> QDateEdit:
        edit = AnyDateEdit(self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setMinimumDate(NO_DATE)
        edit.setDate(NO_DATE)
        edit.dateChanged.connect(lambda _d: self.changed.emit())
        return edit

    # -- texts and choices ----------------------------------------------------------------
    def retranslate(self) -> None:
        texts = {"status": self.tr("&Status:"), "segment": self.tr("Se&gment:"),
                 "kyc": self.tr("&KYC:"), "disabled": self.tr("&Disabled:"),
                 "created": self.tr("Created &from:"), "created_to": self.tr("to:"),
                 "updated": self.tr("&Updated from:"), "updated_to": self.tr("to:")}
        names = {"created_to": self.tr("Created to"), "updated_to": self.tr("Updated to")}
        for key, label in self.labels.items():
            label.setText(texts[key])
            label.buddy().setAccessibleName(names.get(key, texts[key].replace("&", "")
                                                      .rstrip(":")))
        for edit in (self.created_from, self.created_to, self.updated_from, self.updated_to):
            edit.setSpecialValueText(self.tr("any"))
        show_dates(self.created_from, self.created_to, self.updated_from, self.updated_to)
        self.clear_button.setText(self.tr("C&lear filters"))
        self._fill(self.disabled, [(None, self.tr("all")), (False, self.tr("enabled only")),
                                   (True, self.tr("disabled only"))])
        if hasattr(self, "choices"):
            self.set_choices(*self.choices)

    def set_choices(self, statuses: list[str], segments: list[str], kyc: list[int]) -> None:
        self.choices = (statuses, segments, kyc)
        self._fill(self.status, [(None, self.tr("any")), *[(s, status_text(s))
                                                           for s in statuses]])
        self._fill(self.segment, [(None, self.tr("any")), *[(s, segment_text(s))
                                                            for s in segments]])
        self._fill(self.kyc, [(None, self.tr("any")), *[(k, str(k)) for k in kyc]])

    @staticmethod
    def _fill(combo: QComboBox, items: list[tuple[Any, str]]) -> None:  # Any: Qt item data
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for value, text in items:
            combo.addItem(text, value)
        index = next((i for i, (v, _t) in enumerate(items) if v == current), 0)
        combo.setCurrentIndex(index)
        combo.blockSignals(False)

    # -- state ----------------------------------------------------------------------------
    def customer_filter(self) -> CustomerFilter:
        def one(combo: QComboBox) -> tuple[Any, ...]:  # Any: Qt item data (str or int)
            value = combo.currentData()
            return () if value is None else (value,)

        def low(edit: QDateEdit) -> str | None:
            return None if edit.date() == NO_DATE else day_start_utc(edit.date())

        def high(edit: QDateEdit) -> str | None:
            return None if edit.date() == NO_DATE else next_day_start_utc(edit.date())

        return CustomerFilter(
            statuses=one(self.status), segments=one(self.segment),
            kyc_levels=tuple(int(k) for k in one(self.kyc)),
            disabled=self.disabled.currentData(),
            created_from=low(self.created_from), created_to=high(self.created_to),
            updated_from=low(self.updated_from), updated_to=high(self.updated_to))

    def state(self) -> FilterState:
        return FilterState(self.customer_filter(), self.sort)

    def focus_chain(self) -> list[QWidget]:
        """The bar's inputs as they sit on screen, left to right."""
        return [self.status, self.segment, self.kyc, self.disabled, self.created_from,
                self.created_to, self.updated_from, self.updated_to, self.clear_button]

    def clear(self) -> None:
        for combo in (self.status, self.segment, self.kyc, self.disabled):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        for edit in (self.created_from, self.created_to, self.updated_from, self.updated_to):
            edit.blockSignals(True)
            edit.setDate(NO_DATE)
            edit.blockSignals(False)
        self.changed.emit()

    def set_sort(self, column: int, order: Qt.SortOrder) -> None:
        self.sort = SortSpec(COLUMNS[column][0], order == Qt.SortOrder.DescendingOrder)
        self.changed.emit()


def install(window: MainWindow) -> FilterBar:
    panel = window.search_panel
    bar = FilterBar(panel)
    layout = panel.layout()
    if isinstance(layout, QBoxLayout):  # the panel's column: search box, then this bar
        layout.insertWidget(1, bar)
    plain_source = panel.source_for

    def source_for(branch_guid: str | None) -> SearchSource:
        base = plain_source(branch_guid)
        state = bar.state()
        if not state.active:
            return base
        if isinstance(base, CacheSearchSource):
            return FilteredCacheSource(base.worker, branch_guid, state)
        if isinstance(base, PlatformSearchSource):
            return FilteredPlatformSource(base.client, branch_guid, state)
        return base

    panel.source_for = source_for
    # Tab follows the screen: search box (and head office's branch filter), this bar, results.
    tab_chain(panel.search_box, panel.branch_filter, *bar.focus_chain(), panel.table)
    bar.changed.connect(panel.run_search)
    header = panel.table.horizontalHeader()
    header.setSortIndicatorShown(True)
    # The default order (name, ascending) is what the cache and platform give unsorted.
    panel.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    header.sortIndicatorChanged.connect(bar.set_sort)
    worker = window.cache_worker
    if worker is not None:
        window.ops.run(lambda: worker.with_cache(distinct_values),
                       on_success=lambda v: bar.set_choices(
                           sorted(set(v["statuses"]) | STATUSES),
                           sorted(set(v["segments"]) | SEGMENTS),
                           sorted(set(v["kyc_levels"]) | {0, 1, 2, 3})),
                       on_error=lambda _e: None, parent=bar, network=False)
    return bar
