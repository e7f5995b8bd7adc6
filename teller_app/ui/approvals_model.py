"""The inbox's table of pending four-eyes requests (``PendingRequestsModel``), with the names
``people_lookup`` found: makers by e-mail, customers by GUID.
Approved requests the hub could not apply (``request.interrupted``) are listed too, marked
"Approved, not applied", until they are resumed. A row whose customer another desk changed
since filing (``set_current``) shows those fields at filing, wanted and now."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from teller_app.core.approvals import CASH_CONFIRM, SETTINGS_KINDS
from teller_app.core.approvals_resume import is_interrupted
from teller_app.core.cash_drafts import InboxDraft
from teller_app.core.person_name import official_name
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.approvals_drift import change_with_current
from teller_app.ui.cash_drafts_panel import amount_text, operation_text, short_guid
from teller_app.ui.cash_text import request_reason_text
from teller_app.ui.local_time import local_text
from teller_app.ui.settings_change_text import describe_settings_change, settings_title
from teller_app.ui.untrusted import tip
from teller_app.ui.validators import isolate

AnyIndex = QModelIndex | QPersistentModelIndex
MAX_RUNS = 16  # dataChanged signals for one read of names at most (each repaints its rows)

class PendingRequestsModel(QAbstractTableModel):
    TIME_COLUMN, CUSTOMER_COLUMN, CHANGE_COLUMN, MAKER_COLUMN, REASON_COLUMN = range(5)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ChangeRequest] = []
        self.employee_names: dict[str, str] = {}
        self.customer_names: dict[str, str] = {}
        self.cash_drafts: dict[str, InboxDraft] = {}  # by payment guid (``set_drafts``)
        self.headers: tuple[str, ...] = ()
        self.retranslate()

    def retranslate(self) -> None:
        """The headers in the current language; the rows' texts (the change described,
        translated) are made at display time, so the views only need to repaint them. Rows
        and selection stay (no reset). The owning widget calls this on LanguageChange."""
        self.headers = (self.tr("Requested (Kyiv)"), self.tr("Customer"), self.tr("Change"),
                        self.tr("Maker"), self.tr("Reason"))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.headers) - 1)
        self._all_changed()

    @staticmethod
    def listable(request: ChangeRequest) -> bool:
        """Pending, or approved and not applied (waiting for an approver's resume)."""
        return request.pending or is_interrupted(request)

    def replace(self, requests: list[ChangeRequest]) -> None:
        self.beginResetModel()
        self.rows = sorted((r for r in requests if self.listable(r)),
                           key=lambda r: r.created_at, reverse=True)
        self.endResetModel()

    def add(self, request: ChangeRequest) -> bool:
        """A new row; a listed pending one that is now approved-not-applied is replaced in
        place. False: nothing new to show."""
        if not self.listable(request):
            return False
        for i, row in enumerate(self.rows):
            if row.id == request.id:
                if row.state == request.state:
                    return False
                self.rows[i] = request
                self.dataChanged.emit(self.index(i, 0),
                                      self.index(i, len(self.headers) - 1))
                return True
        self.beginInsertRows(QModelIndex(), 0, 0)
        self.rows.insert(0, request)
        self.endInsertRows()
        return True

    def state_of(self, request_id: str) -> str | None:
        return next((r.state for r in self.rows if r.id == request_id), None)

    def remove(self, request_id: str) -> bool:
        for i, request in enumerate(self.rows):
            if request.id == request_id:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self.rows[i]
                self.endRemoveRows()
                return True
        return False

    def set_current(self, request: ChangeRequest) -> bool:
        """A listed request read again with its customer's ``current`` (what moved since
        filing); False when it is no longer listed as it was."""
        for i, row in enumerate(self.rows):
            if row.id == request.id and row.state == request.state:
                self.rows[i] = row.model_copy(update={"current": request.current})
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.headers) - 1))
                return True
        return False

    def pending_ids(self) -> list[str]:
        return [r.id for r in self.rows]

    def set_names(self, employees: dict[str, str], customers: dict[str, str]) -> None:
        """Names read back: only the rows whose maker or customer they rename repaint."""
        self._rows_changed(self._renamed(employees, customers))

    def _renamed(self, employees: dict[str, str], customers: dict[str, str]) -> set[int]:
        """Takes the names in; the rows showing one that is new or different."""
        makers = {k for k, v in employees.items() if self.employee_names.get(k) != v}
        guids = {k for k, v in customers.items() if self.customer_names.get(k) != v}
        self.employee_names.update(employees)
        self.customer_names.update(customers)
        if not makers and not guids:
            return set()
        return {i for i, r in enumerate(self.rows)
                if r.customer_guid in guids or r.maker.lower() in makers}

    def set_drafts(self, drafts: list[InboxDraft]) -> None:
        """The cash drafts the inbox read: a ``cash_confirm`` request's draft then shows as
        what it is ("Cash withdrawal: 15 000,01 ₴"), its teller and customer named. Only
        the rows a new, changed or gone draft or name touches repaint."""
        before, self.cash_drafts = self.cash_drafts, {d.payment_guid: d for d in drafts}
        moved = {guid for guid in before.keys() | self.cash_drafts.keys()
                 if before.get(guid) != self.cash_drafts.get(guid)}
        rows = {i for i, r in enumerate(self.rows) if r.kind == CASH_CONFIRM and
                str(r.displayed_change().get("payment_guid") or "") in moved} if moved else set()
        rows |= self._renamed({d.teller_email.lower(): d.teller_name for d in drafts
                               if d.teller_email and d.teller_name},
                              {d.customer_guid: d.customer_name for d in drafts
                               if d.customer_guid and d.customer_name})
        self._rows_changed(rows)

    def _rows_changed(self, rows: set[int]) -> None:
        """dataChanged for these rows, one signal per run of adjacent rows (scattered over
        many runs: one signal from the first to the last)."""
        last = len(self.headers) - 1
        if len(rows) > MAX_RUNS and max(rows) - min(rows) + 1 > len(rows) + MAX_RUNS:
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last))
            return
        run: list[int] = []
        for row in sorted(rows):
            if run and row != run[-1] + 1:
                self.dataChanged.emit(self.index(run[0], 0), self.index(run[-1], last))
                run = []
            run.append(row)
        if run:
            self.dataChanged.emit(self.index(run[0], 0), self.index(run[-1], last))

    def change_text(self, request: ChangeRequest) -> str:
        text = self._change_text(request)
        if request.pending:
            return text
        return self.tr("Approved, not applied: %1").replace("%1", text)

    def _change_text(self, request: ChangeRequest) -> str:
        change = request.displayed_change()
        draft = self.cash_drafts.get(str(change.get("payment_guid") or ""))
        if request.kind == CASH_CONFIRM and draft is not None:
            return f"{operation_text(draft)}: {amount_text(draft)}"
        if request.kind in SETTINGS_KINDS:  # the bank's settings: what would change
            return describe_settings_change(request.kind, request.before, change)
        return change_with_current(request)

    def subject_text(self, request: ChangeRequest) -> str:
        """The customer's name, or which of the bank's settings a request is about."""
        if request.kind in SETTINGS_KINDS:
            return settings_title(request.kind)
        guid = request.customer_guid
        before = request.before or {}  # the name the hub kept at filing, until DCM's is read
        at_filing = official_name(before.get("surname"), before.get("name"),
                                  before.get("paternal_name"))
        return isolate(self.customer_names.get(guid) or at_filing or short_guid(guid))

    def _all_changed(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, len(self.headers) - 1))

    def request_at(self, row: int) -> ChangeRequest | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        r = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.MAKER_COLUMN:  # the name whole (two lines may cut it), the e-mail
                name = self.employee_names.get(r.maker.lower())
                return tip("\n".join((name, r.maker))) if name else r.maker
            # rows are two lines high: a long name or change reads whole in its tip
            if column == self.CUSTOMER_COLUMN:
                return tip("\n".join((self.subject_text(r), r.customer_guid))) \
                    if r.customer_guid else None
            if column == self.CHANGE_COLUMN:
                return tip(self.change_text(r))
            return None
        return (
            local_text(datetime.fromtimestamp(r.created_at, UTC)),
            # names and reasons: direction-isolated, never reordering the text around them
            self.subject_text(r),
            self.change_text(r),
            isolate(self.employee_names.get(r.maker.lower()) or r.maker),
            isolate(request_reason_text(r.reason)),
        )[column]
