"""The profile manager's table of "Test connection" results: one row per integration check
(its name, ok/adapted/failed, and the evidence, a server's words escaped and clipped)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from teller_app.core.doctor_checks import Check
from teller_app.ui import theme
from teller_app.ui.a11y_form import name
from teller_app.ui.untrusted import tip


def status_text(status: str) -> str:
    return {"ok": QCoreApplication.translate("ProfileManager", "ok"),
            "adapted": QCoreApplication.translate("ProfileManager", "adapted"),
            "failed": QCoreApplication.translate("ProfileManager", "failed")}.get(status, status)


class CheckResultsTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.setObjectName("checkResults")
        # the dialog's texts (its context, literal: lupdate reads no variable)
        translate = QCoreApplication.translate
        name(self, translate("ProfileManagerDialog", "Connection test results"))
        self.setHorizontalHeaderLabels([translate("ProfileManagerDialog", "Check"),
                                        translate("ProfileManagerDialog", "Result"),
                                        translate("ProfileManagerDialog", "Evidence")])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    def show_checks(self, checks: list[Check]) -> None:
        self.setRowCount(len(checks))
        palette = self.palette()
        for row, check in enumerate(checks):
            state = QTableWidgetItem(status_text(check.status))
            if check.status == "failed":
                state.setForeground(theme.error_color(palette))
            for col, item in enumerate((QTableWidgetItem(check.name), state,
                                        QTableWidgetItem(check.detail))):
                item.setToolTip(tip(check.detail))  # a server's body: escaped, clipped
                self.setItem(row, col, item)
        self.resizeRowsToContents()
