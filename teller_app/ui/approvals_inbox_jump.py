"""The way from a refusal to the request that caused it: an approval the hub refused while
another approved change to the customer is applied or waits for Resume (``ChangeInProgress``)
names that request by a short id (``approval_errors``); when it is one of the inbox's rows
(pending, or "approved, not applied"), a button under the message ("Show request 9b41c0d2…")
selects that row and puts the keyboard on the list, so the supervisor resumes or reads the
right one. A blocker not listed (another branch's, one still executing) has nothing to show:
no button. The strings keep the ``ApprovalsInbox`` translation context."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, QObject, Qt
from PySide6.QtWidgets import QPushButton, QTableView

from teller_app.core.approval_outcomes import ChangeInProgress
from teller_app.ui.approvals_model import PendingRequestsModel
from teller_app.ui.audit_entity import short_id
from teller_app.ui.untrusted import fill, shown

translate = QCoreApplication.translate  # context "ApprovalsInbox", as in ApprovalsInbox.tr


class BlockerJump(QObject):
    """``button``: shown while a refusal's blocker is listed; clicked, it selects that row."""

    def __init__(self, model: PendingRequestsModel, table: QTableView,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model, self.table = model, table
        self.blocker: str | None = None  # the listed request a refusal named
        self.button = QPushButton()
        self.button.setObjectName("showBlocker")
        self.button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable by Tab
        self.button.setVisible(False)
        self.button.clicked.connect(self.jump)
        for changed in (model.modelReset, model.rowsRemoved):
            changed.connect(self._still_listed)

    def offer(self, exc: BaseException) -> bool:
        """After a refusal: the button when ``exc`` names a blocker the list holds."""
        blocking = exc.blocking if isinstance(exc, ChangeInProgress) else None
        rid = blocking.request_id if blocking is not None else None
        self.blocker = rid if rid is not None and self._row_of(rid) is not None else None
        self.retranslate()
        self.button.setVisible(self.blocker is not None)
        return self.blocker is not None

    def clear(self) -> None:
        self.blocker = None
        self.button.setVisible(False)

    def retranslate(self) -> None:
        if self.blocker is None:
            return
        ref = shown(short_id(self.blocker), 40, breaks=False)
        self.button.setText(fill(translate("ApprovalsInbox", "Show request %1"), ref))
        self.button.setToolTip(translate(
            "ApprovalsInbox", "Select the request that holds this customer in the list"))

    def jump(self) -> None:
        """Select the blocker's row, scrolled into view, the keyboard on the list."""
        row = self._row_of(self.blocker) if self.blocker is not None else None
        if row is None:
            self.clear()
            return
        index = self.model.index(row, PendingRequestsModel.CUSTOMER_COLUMN)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | \
            QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.clear()  # the message was about the other request: it goes with the selection

    def _row_of(self, request_id: str) -> int | None:
        return next((i for i, r in enumerate(self.model.rows) if r.id == request_id), None)

    def _still_listed(self, *_args: object) -> None:
        """The blocker left the list (resumed, here or at another desk): nothing to show."""
        if self.blocker is not None and self._row_of(self.blocker) is None:
            self.clear()
