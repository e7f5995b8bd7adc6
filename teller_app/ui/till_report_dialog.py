"""The end-of-day report's window: a preview, Print… and Save as PDF….

Nothing heavy on the UI thread (a day of 1 000 operations froze the desk for a second while
its report was shown, printed or saved): the preview's texts are made in a worker (plain
strings: the report without its operations, and the operations' cells, which a table shows
a screenful at a time), and the PDF and the paper are made, laid out and painted in a worker
(``print_off_thread``), each with a ``QTextDocument`` of its own that never leaves it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from teller_app.core.till import EndOfDay
from teller_app.ui.async_op import OpRunner
from teller_app.ui.pdf_save import ask_pdf_path, error_text, make_pdf
from teller_app.ui.print_job import PrintJobDialog, warm_printers, when_printers_known
from teller_app.ui.till_report import (
    ReportContext,
    ReportLabels,
    operation_headings,
    operation_legend,
    operation_rows,
    print_report,
    report_html,
    write_report_pdf,
)
from teller_app.ui.untrusted import plain_label

AMOUNT_COLUMN = 3  # right-aligned, as on paper
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class PreviewTexts:
    """What the preview shows, made in a worker: plain strings only."""

    summary: str  # the report's HTML without its operations (all of it on a day without)
    heading: str  # "Operations"
    headings: list[str]
    rows: list[list[str]]
    legend: str


def preview_texts(report: EndOfDay, ctx: ReportContext) -> PreviewTexts:
    """The preview's texts (any thread: it makes no document)."""
    if not report.operations:
        return PreviewTexts(report_html(report, ctx), "", [], [], "")
    return PreviewTexts(report_html(report, ctx, operations=False),
                        ReportLabels().texts()["operations"], operation_headings(),
                        operation_rows(report), operation_legend(report))


class OperationsModel(QAbstractTableModel):
    """The operations' cells as made once (``preview_texts``): the view paints only the
    rows it shows."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.headings: list[str] = []
        self.rows: list[list[str]] = []

    def set_texts(self, headings: list[str], rows: list[list[str]]) -> None:
        self.beginResetModel()
        self.headings, self.rows = headings, rows
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headings)

    def data(self, index: AnyIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == AMOUNT_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headings[section]
        return None


class ReportDialog(QDialog):
    """The end-of-day report: preview, Print… and Save as PDF…. ``preparing`` until the
    preview's texts came from the worker (``prepared`` then)."""

    saved = Signal(str)
    prepared = Signal()

    def __init__(self, report: EndOfDay, context: ReportContext, ops: OpRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tillReportDialog")
        self.setWindowTitle(self.tr("End-of-day report"))
        self.report, self.context, self.ops = report, context, ops
        self.preview = preview = QTextBrowser(self)
        preview.setMinimumSize(560, 300)
        self.operations_heading = QLabel(self)
        self.model = OperationsModel(self)
        table = self.operations = QTableView(self)
        table.setObjectName("tillReportOperations")
        table.setModel(self.model)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        # fixed sizes: nothing is measured over the rows (1 000 of them)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
        table.horizontalHeader().setStretchLastSection(True)
        self.legend = plain_label(QLabel(self))
        self.legend.setWordWrap(True)
        operations = self.operations_box = QWidget(self)
        box = QVBoxLayout(operations)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.operations_heading)
        box.addWidget(table, 1)
        box.addWidget(self.legend)
        operations.hide()  # until its rows came, and for good on a day without operations
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(preview)
        splitter.addWidget(operations)
        splitter.setMinimumSize(560, 600)
        self.status = plain_label(QLabel(self))  # a path, an error
        print_button = self.print_button = QPushButton(self.tr("Print…"), self)
        self.save_button = QPushButton(self.tr("Save as PDF…"), self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        # Enter closes the report: it never prints (a button Tabbed to takes it, as usual)
        buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)
        print_button.clicked.connect(self.print_it)
        self.save_button.clicked.connect(self.choose_path)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.file_dialog: QFileDialog | None = None
        self.print_dialog: PrintJobDialog | None = None
        self.preparing = True
        warm_printers()  # known by the time Print… is pressed, asked off the UI thread
        self.status.setText(self.tr("Preparing the report…"))
        ops.run(lambda: asyncio.to_thread(preview_texts, report, context),
                on_success=self._prepared, on_error=self._not_prepared, parent=self,
                network=False, key=f"till-report-preview-{id(self)}",
                label=self.tr("Preparing the report…"))

    def _prepared(self, texts: PreviewTexts) -> None:
        self.preparing = False
        if self.status.text() == self.tr("Preparing the report…"):
            self.status.clear()
        self.preview.setHtml(texts.summary)
        if texts.rows:
            self.operations_heading.setText(texts.heading)
            self.model.set_texts(texts.headings, texts.rows)
            self.legend.setText(texts.legend)
            self.legend.setVisible(bool(texts.legend))
            self.operations_box.show()
        self.prepared.emit()

    def _not_prepared(self, exc: BaseException) -> None:
        self.preparing = False
        self.status.setText(error_text(exc))

    def print_it(self) -> None:
        """Whether a printer is installed is known (asked as the dialog opened, off the UI
        thread): the system dialog opens now; else once the answer came (``ReceiptDialog``)."""
        when_printers_known(self.ops, self, self._open_print)

    def _open_print(self, none_installed: bool) -> None:
        if none_installed:  # said before the dialog, which offers only printing to a file
            self.status.setText(self.tr(
                "No printer is installed on this computer: the report can only be printed "
                "to a PDF file. Save as PDF… does the same."))
        else:
            self.status.clear()
        dialog = self.print_dialog = print_report(self.report, self.context, self, self.ops)
        dialog.sent.connect(self._printed)
        dialog.failed.connect(self._not_printed)

    def _printed(self, path: str) -> None:
        self.status.setText(self.tr("Printed to {path}").format(path=path) if path
                            else self.tr("Sent to the printer."))

    def _not_printed(self, reason: str) -> None:
        self.status.setText(self.tr(
            "The report was not printed: {reason}. Use Save as PDF… to keep it, or print "
            "again.").format(reason=reason))

    def choose_path(self) -> None:
        self.file_dialog = ask_pdf_path(self, self.tr("Save the end-of-day report"),
                                        f"till-{self.report.till.till_code}.pdf",
                                        self.tr("PDF files (*.pdf)"), self.save_pdf)

    def save_pdf(self, path: str) -> None:
        """The PDF made, painted and written privately (0600) in a worker (the folder may
        be a slow share, and a long report takes a second to lay out)."""
        report, context, target = self.report, self.context, Path(path)
        make_pdf(self.ops, self, self.status,
                 lambda: write_report_pdf(report, context, target), self.saved.emit,
                 disable=(self.save_button,))
