"""The supervisor's inbox shares its height between the requests table and the alerts list
under it: the alerts list grows with its rows up to a few lines (``RowsTallList``), and past
them into the room the requests table leaves empty below its rows, so many alerts no longer
scroll under a table of three requests; every request stays in view, and requests arriving
take the room back. No layout loop: the room is measured from what the two share (their
heights' sum, which moving room between them keeps) and the rows the table needs, again only
when rows come or go or the inbox is resized, never because the two were laid out again."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QBoxLayout, QTableView, QWidget

from teller_app.ui.approvals_alerts import RowsTallList


class AlertsRoom(QObject):
    def __init__(self, inbox: QWidget, table: QTableView, alerts: RowsTallList) -> None:
        super().__init__(inbox)
        self.inbox, self.table, self.alerts = inbox, table, alerts
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)  # after the layout the change asked for
        self._timer.timeout.connect(self.fit)
        model = table.model()
        for changed in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                        model.layoutChanged):
            changed.connect(self.schedule)
        alerts.rows_changed = self.schedule
        inbox.installEventFilter(self)

    def schedule(self, *_args: object) -> None:
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.inbox and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.schedule()
        return super().eventFilter(watched, event)

    def table_needs(self) -> int:
        """The table's height with every row in view and one empty row (a request arriving
        is seen before the room moves; no requests: still a table, not a bare header)."""
        table = self.table
        header = table.horizontalHeader()
        bar = table.horizontalScrollBar()
        rows = table.verticalHeader()
        return (rows.length() + rows.defaultSectionSize() + 2 * table.frameWidth()
                + (header.height() if header.isVisible() else 0)
                + (bar.height() if bar.isVisible() else 0))

    def fit(self) -> None:
        alerts = self.alerts
        if not alerts.isVisible():
            alerts.set_room(0)
            return
        lines = alerts.SHOWN_LINES * alerts.fontMetrics().lineSpacing() + 2 * alerts.frameWidth()
        # what the two share, less the table's rows and the alerts' own lines: empty room
        shared = self.table.height() + alerts.height()
        room = max(0, shared - self.table_needs() - lines)
        alerts.set_room(room)
        # with room the list takes its whole hint (stretch 0: the layout's share of the spare
        # height would cap it at a third again); without, its share as before
        layout = self.inbox.layout()
        if isinstance(layout, QBoxLayout):
            layout.setStretchFactor(alerts, 0 if room else 1)
