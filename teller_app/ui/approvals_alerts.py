"""The supervisor's inbox's list of the Teller Hub watcher's alerts: a customer changed on
the platform without an approved request, or given a phone number another customer holds
(reason ``phone_duplicate``: the bank's one customer per phone number). Read at every
reload, added live from the event stream, newest first, made again on a language switch.
Strings keep the ``ApprovalsInbox`` translation context (they were the inbox's own), written
out in each call so that lupdate finds them. Under the list: a comment and Acknowledge
(``approvals_alerts_ack`` sends it; the hub decides who may)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from teller_app.core.approvals import ApprovalService
from teller_app.platform.hub_models import Alert, AlertList
from teller_app.ui.cash_drafts_panel import short_guid
from teller_app.ui.change_request_dialog import describe_change
from teller_app.ui.limit_currency import ASSET_FIELD, LIMIT_FIELD
from teller_app.ui.local_time import local_text
from teller_app.ui.untrusted import fill, plain_label, shown, tip

PHONE_DUPLICATE = "phone_duplicate"  # hub ``phone_watch.REASON``
HOLDER_FIELD = "phone_holder"  # its fields: the other customer, when the hub may name them
HOLDER_SHOWN = 120  # characters of the other customer's login (a DCM login: any text)
NAME_SHOWN = 120  # characters of the alerted customer's name
ALERTS_READ = 500  # open alerts read at once (the hub's most per request)
ACKED_KEPT = ALERTS_READ  # acknowledgements remembered against a read on its way
ACK_COMMENT_MAX = 300  # the hub's ``AckIn.comment`` (a ``Reason``: optional, 300 characters)


def is_phone_duplicate(reasons: Sequence[str]) -> bool:
    return PHONE_DUPLICATE in reasons


def holder_text(fields: Mapping[str, object]) -> str:
    """The other customer's login (their GUID's head without one), clipped and isolated;
    "" when the hub did not name them (another branch's customer)."""
    holder = fields.get(HOLDER_FIELD)
    if not isinstance(holder, Mapping):
        return ""
    login = str(holder.get("login") or "") or short_guid(str(holder.get("wallet_user_guid") or ""))
    return shown(login, HOLDER_SHOWN, breaks=False)


def alert_text(who: str, fields: Mapping[str, object], reasons: Sequence[str]) -> str:
    """One alert as the list shows it (``who``: the alerted customer's login or GUID)."""
    if is_phone_duplicate(reasons):
        holder = holder_text(fields)
        if holder:
            return fill(QCoreApplication.translate(
                "ApprovalsInbox", "%1: another customer has the same phone number: %2"),
                who, holder)
        return QCoreApplication.translate(
            "ApprovalsInbox", "%1: another customer has the same phone number").replace(
            "%1", who)
    after = {k: (v.get("after") if isinstance(v, dict) else v) for k, v in fields.items()}
    return fill(QCoreApplication.translate("ApprovalsInbox", "%1: %2 (no approved request)"),
                who, describe_change(after, limit_asset(fields)))


def limit_asset(fields: Mapping[str, object]) -> dict[str, object] | None:
    """The customer's balance currency the hub names with a changed limit (the alert's
    ``before`` for ``describe_change``); None from an older hub: the amount alone."""
    limit = fields.get(LIMIT_FIELD)
    code = limit.get(ASSET_FIELD) if isinstance(limit, Mapping) else None
    return {ASSET_FIELD: code} if isinstance(code, str) and code else None


async def open_alerts(service: ApprovalService) -> AlertList:
    """The branch's open alerts in one read of the hub's most (500), newest first; ``more``
    when older open ones were left out (the hub's default of 100 cut them without a word)."""
    if service.link is None:
        return AlertList()
    return await service.link.call(lambda hub: hub.alerts("open", limit=ALERTS_READ))


class RowsTallList(QListWidget):
    """A list as tall as its rows (wrapped at its width) up to ``SHOWN_LINES`` lines and the
    ``room`` the requests above leave empty (``approvals_inbox_room``), then scrolling:
    three short alerts took a third of the dock (a fixed share of it) and left the requests
    above them less room; many scrolled below a requests table with empty space."""

    SHOWN_LINES = 8
    # a class default: Qt may lay the list out while ``QListWidget.__init__`` still runs
    # (an event handled meanwhile), before any line of ours in ``__init__`` has run
    _rows_height = 0
    room = 0  # pixels beyond SHOWN_LINES the list may take (``set_room``)
    rows_changed: Callable[[], None] | None = None  # told when its rows' height changes

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def set_room(self, room: int) -> None:
        """Pixels the list may grow beyond ``SHOWN_LINES`` lines (0: none)."""
        if room != self.room:
            self.room = room
            self.updateGeometry()

    def updateGeometries(self) -> None:
        # called after every layout of the rows (added, removed, wrapped at a new width)
        super().updateGeometries()
        # every row's height as laid out (a row not laid out yet has an empty rect: the sum
        # of rects came short once the list could grow past a few lines)
        height = self.contentsSize().height() if self.count() else 0
        if height != self._rows_height:
            self._rows_height = height
            self.updateGeometry()
            if self.rows_changed is not None:
                self.rows_changed()

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().lineSpacing()
        rows = min(self._rows_height or line, self.SHOWN_LINES * line + self.room)
        return QSize(super().sizeHint().width(), rows + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:
        line = self.fontMetrics().lineSpacing()
        return QSize(super().minimumSizeHint().width(),
                     min(self.sizeHint().height(), 2 * line + 2 * self.frameWidth()))


class AlertsList:
    """The title and the list the inbox lays out (and hides until the first alert). An
    alert wraps at the dock's width (~540 px: one line was cut by a horizontal scroll bar)
    and its whole text is its tooltip too."""

    def __init__(self) -> None:
        self.list = RowsTallList()
        self.list.setObjectName("unapprovedAlerts")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        # rows laid out again at every width (wrapped heights follow the dock)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.title = QLabel()
        self.title.setBuddy(self.list)  # names the list for a screen reader (ui/a11y)
        # under the list when the hub has more open alerts than one read brings
        self.more = QLabel()
        self.more.setObjectName("moreAlerts")
        self.more.setWordWrap(True)
        self.more.setVisible(False)
        # what came of acknowledging, under its own button (the inbox's status line, under
        # Approve/Reject, read as a change request's outcome); made again on a switch
        self.ack_status = plain_label(QLabel())  # may quote the hub's words
        self.ack_status.setObjectName("alertAckStatus")
        self.ack_status.setWordWrap(True)
        self.ack_status.setVisible(False)
        self._ack_text: Callable[[], str] | None = None
        self._texts: list[Callable[[], str]] = []  # each row's text, made again on a switch
        self._guids: list[str] = []  # each row's customer
        self._ids: list[int | None] = []  # each row's alert (None: an older hub's event)
        # reads sent (``read_sent``), and each alert acknowledged here with the number of
        # the last read sent when its acknowledgement landed: a read sent before then may
        # still list it (dropped from its answer); one sent after reflects it (forgotten).
        # Kept only while the newest read is on its way (answered or failed: forgotten),
        # at most ``ACKED_KEPT``: a day of acknowledgements without a reload kept them all
        self._reads = 0
        self._reading = False  # the newest read sent is not answered yet
        self._acked: dict[int, int] = {}
        # acknowledging the selected alert: an optional comment (the hub's is) and the button
        self.comment = QLineEdit()
        self.comment.setObjectName("alertComment")
        self.comment.setMaxLength(ACK_COMMENT_MAX)
        self.comment_label = QLabel()
        self.comment_label.setBuddy(self.comment)  # its Alt+letter (retranslate)
        self.ack_button = QPushButton()
        self.ack_button.setObjectName("ackAlert")
        self.ack_bar = QWidget()  # shown with the list
        row = QHBoxLayout(self.ack_bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.comment_label)
        row.addWidget(self.comment, 1)
        row.addWidget(self.ack_button)
        self.ack_bar.setVisible(False)
        # customers' names by GUID, as the requests above name them (looked up once; "" not
        # found): an alert reads "Коваленко Петро: …", its login while no name is known
        self.names: dict[str, str] = {}

    def retranslate(self) -> None:
        # changes made without approval, and phone numbers two customers share
        self.title.setText(QCoreApplication.translate("ApprovalsInbox", "Customer alerts"))
        # older open alerts are read at the next reload, once newer ones are acknowledged
        self.more.setText(QCoreApplication.translate(
            "ApprovalsInbox", "More open alerts are waiting on the Teller Hub than are shown "
            "here: only the newest are listed."))
        # the inbox's decisions use Alt+A, Alt+R and Alt+N; the menus Alt+C and Alt+T
        self.comment_label.setText(QCoreApplication.translate("ApprovalsInbox",
                                                              "Alert co&mment:"))
        self.comment.setPlaceholderText(QCoreApplication.translate(
            "ApprovalsInbox", "What was done about it (optional)"))
        self.ack_button.setText(QCoreApplication.translate("ApprovalsInbox", "Ac&knowledge"))
        self.ack_button.setToolTip(QCoreApplication.translate(
            "ApprovalsInbox", "Mark the selected alert as dealt with on the Teller Hub"))
        if self._ack_text is not None:
            self.ack_status.setText(self._ack_text())
        for row, make in enumerate(self._texts):
            item = self.list.item(row)
            if item is not None:
                _set_text(item, make())

    def say(self, make: Callable[[], str]) -> str:
        """What came of acknowledging, under the Acknowledge row; answers the text."""
        self._ack_text = make
        text = make()
        self.ack_status.setText(text)
        self.ack_status.setVisible(True)
        return text

    def read_sent(self) -> int:
        """A read of the open alerts is being sent: its number, for ``show_alerts``."""
        self._reads += 1
        self._reading = True
        return self._reads

    def read_ended(self, read: int) -> None:
        """A read's answer shown (``show_alerts``) or its failure: once the newest read
        sent has ended, no answer to come can list an acknowledged alert (the inbox sends
        its reads under one op key: a newer read cancels an older one's answer)."""
        if read == self._reads:
            self._reading = False
            self._acked.clear()

    @property
    def acknowledged_here(self) -> frozenset[int]:
        """Alerts acknowledged here that a read sent before may still list."""
        return frozenset(self._acked)

    def show_alerts(self, alerts: list[Alert], more: bool = False,
                    read: int | None = None) -> None:
        """``more``: the hub left older open alerts out (the line under the list); ``read``:
        the read's number (``read_sent``): an alert acknowledged here after it was sent is
        not shown again (the hub answered before the acknowledgement landed)."""
        if read is not None:
            alerts = [a for a in alerts if self._acked.get(a.id, 0) < read]
            self._acked = {i: n for i, n in self._acked.items() if n >= read}
            self.read_ended(read)
        self.more.setVisible(more)
        self.list.clear()
        self._texts.clear()
        self._guids.clear()
        self._ids.clear()
        for alert in reversed(alerts):  # the hub sends newest first; each goes on top
            detected = (datetime.fromtimestamp(alert.detected_at, UTC)
                        if alert.detected_at else None)
            self.add(alert.customer_guid, alert.login or "", dict(alert.fields),
                     list(alert.reasons), alert.id, detected)

    def add(self, customer_guid: str, login: str, fields: dict[str, object],
            reasons: list[str], alert_id: int | None = None,
            detected: datetime | None = None) -> None:
        """An alert on top; ``detected`` (when the hub says) leads its text: two alerts of
        one customer read the same otherwise, and the supervisor acknowledges one of them."""
        def make() -> str:
            name = self.names.get(customer_guid)
            who = shown(name, NAME_SHOWN, breaks=False) if name else \
                login or short_guid(customer_guid)
            text = alert_text(who, fields, reasons)
            return f"{local_text(detected)} · {text}" if detected is not None else text

        self._texts.insert(0, make)
        self._guids.insert(0, customer_guid)
        self._ids.insert(0, alert_id)
        item = QListWidgetItem()
        _set_text(item, make())
        self.list.insertItem(0, item)
        for widget in (self.title, self.list, self.ack_bar):
            widget.setVisible(True)
        self._keep_bounded()

    def _keep_bounded(self) -> None:
        """At most ``ALERTS_READ`` rows, as a read brings (live alerts grew the list without
        end): the oldest beyond go, and the line under the list says more are waiting."""
        if len(self._ids) <= ALERTS_READ:
            return
        for row in range(len(self._ids) - 1, ALERTS_READ - 1, -1):  # the oldest: at the end
            del self._ids[row], self._guids[row], self._texts[row]
            self.list.takeItem(row)
        self.more.setVisible(True)

    def acknowledged(self, alert_id: int) -> bool:
        """The alert acknowledged here (or by another supervisor first): off the list, and
        off a read's answer that may still list it (``show_alerts``)."""
        if self._reading:  # no read on its way: none can bring it back
            self._acked.pop(alert_id, None)  # the newest last (kept by ``ACKED_KEPT``)
            self._acked[alert_id] = self._reads
            while len(self._acked) > ACKED_KEPT:
                del self._acked[next(iter(self._acked))]
        return self.remove(alert_id)

    def selected_id(self) -> int | None:
        """The selected alert's id (None: none selected, or one the hub did not number)."""
        rows = [self.list.row(item) for item in self.list.selectedItems()]
        return self._ids[rows[0]] if rows and 0 <= rows[0] < len(self._ids) else None

    def remove(self, alert_id: int) -> bool:
        """The alert's row taken out (acknowledged); the selection is not moved onto the
        next one (another Enter would acknowledge it)."""
        found = alert_id in self._ids
        while alert_id in self._ids:  # listed twice: read and raised live at once
            row = self._ids.index(alert_id)
            item = self.list.item(row)
            selected = item is not None and item.isSelected()
            del self._ids[row], self._guids[row], self._texts[row]
            self.list.takeItem(row)
            if selected:
                self.list.clearSelection()
        return found

    def unnamed(self) -> list[str]:
        """The listed customers whose names were not looked up yet."""
        return sorted({g for g in self._guids if g} - self.names.keys())

    def set_names(self, found: Mapping[str, str], asked: Sequence[str]) -> None:
        """Names looked up for ``asked`` (one not found is not asked again)."""
        self.names.update({guid: found.get(guid, "") for guid in asked})
        self.retranslate()


def _set_text(item: QListWidgetItem, text: str) -> None:
    item.setText(text)
    item.setToolTip(tip(text))  # whole, as plain text (a login may look like markup)
