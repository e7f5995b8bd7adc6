"""Acknowledging a watcher's alert from the supervisor's inbox: the selected alert and the
comment under the list go to the Teller Hub (``POST /alerts/{id}/ack``; the comment is
optional there, so here too) through the inbox's OpRunner, one op per alert. The hub decides
who may (its branch, its role): the desk only sends and says what came back. Acknowledged,
the alert leaves the list; one the hub no longer has open in this branch (another supervisor
acknowledged it first) leaves it too; any other failure keeps the alert and the comment.
Strings keep the ``ApprovalsInbox`` translation context."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from teller_app.core.approvals import ApprovalService, HubRequired
from teller_app.platform import Conflict
from teller_app.ui.approval_errors import approval_error_text
from teller_app.ui.approvals_alerts import AlertsList
from teller_app.ui.async_op import OpRunner

translate = QCoreApplication.translate
Say = Callable[[Callable[[], str]], None]  # the inbox's status line, made again on a switch


def ack_key(alert_id: int) -> str:
    return f"alert-ack:{alert_id}"


class AlertAck:
    """Wires ``alerts``' comment and Acknowledge button (Enter in the comment too)."""

    def __init__(self, alerts: AlertsList, ops: OpRunner,
                 approvals: Callable[[], ApprovalService], say: Say, parent: QWidget) -> None:
        self.alerts = alerts
        self.ops = ops
        self.approvals = approvals
        self.say = say
        self.parent = parent
        alerts.ack_button.clicked.connect(self.acknowledge)
        alerts.comment.returnPressed.connect(self.acknowledge)
        alerts.list.itemSelectionChanged.connect(self.update_button)
        model = alerts.list.model()
        for changed in (model.modelReset, model.rowsRemoved, model.rowsInserted):
            changed.connect(lambda *_: self.update_button())
        self.update_button()

    def update_button(self) -> None:
        """Enabled with an alert selected whose acknowledgement is not on its way."""
        if not isValid(self.alerts.list) or not isValid(self.alerts.ack_button):
            return  # the list's rows removed as the inbox is deleted
        alert_id = self.alerts.selected_id()
        self.alerts.ack_button.setEnabled(
            alert_id is not None and not self.ops.is_busy(ack_key(alert_id)))

    def acknowledge(self) -> None:
        alert_id = self.alerts.selected_id()
        if alert_id is None or self.ops.is_busy(ack_key(alert_id)):
            return
        comment = self.alerts.comment.text().strip()
        service = self.approvals()

        async def send() -> None:
            if service.link is None:
                raise HubRequired("acknowledging an alert needs the Teller Hub")
            await service.link.call(lambda hub: hub.ack_alert(alert_id, comment))

        def done(_: None) -> None:
            self._gone(alert_id, comment)
            self.say(lambda: translate("ApprovalsInbox", "The alert was acknowledged."))

        def failed(exc: BaseException) -> None:
            if isinstance(exc, Conflict):  # 409: not open in this branch any more
                self._gone(alert_id, comment)
                self.say(lambda: translate(
                    "ApprovalsInbox", "Another supervisor has already acknowledged this "
                    "alert, or it is no longer your branch's: it was taken off the list."))
            else:  # the alert and the comment stay: nothing to type again
                self.say(lambda: translate(
                    "ApprovalsInbox", "The alert was not acknowledged (it stays listed and "
                    "your comment is kept): %1").replace("%1", approval_error_text(exc)))
            self.update_button()

        self.ops.run(send, on_success=done, on_error=failed, parent=self.parent,
                     key=ack_key(alert_id), write=True,
                     label=translate("ApprovalsInbox", "Acknowledging an alert"))
        self.update_button()

    def _gone(self, alert_id: int, comment: str) -> None:
        """The alert off the list; its comment cleared unless another is typed meanwhile."""
        self.alerts.acknowledged(alert_id)
        if self.alerts.comment.text().strip() == comment:
            self.alerts.comment.clear()
        self.update_button()
