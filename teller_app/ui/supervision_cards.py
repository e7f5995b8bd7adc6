"""Supervision on a customer card: "Request a change…" or a checker's direct toggle, the
requests pending for the customer (the employee's own with Withdraw), approval at the maker's
desk, cash (``supervision_cash``) and history; a decision made at this desk reads its
customer's open cards again."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QPushButton,
    QWidget,
)
from shiboken6 import isValid

from teller_app.core.approvals import (
    decide_in_place,
)
from teller_app.core.approvals_paging import all_requests
from teller_app.core.audit import AuditAction
from teller_app.core.cash import (
    CashKind,
)
from teller_app.core.person_name import official_name
from teller_app.core.roles import Capability
from teller_app.platform.errors import PlatformError
from teller_app.platform.hub_models import ChangeRequest
from teller_app.platform.models import CustomerUpdate
from teller_app.ui.approval_errors import approval_error_text
from teller_app.ui.approvals_detail import decided_text, summary_text
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.card_actions import (
    REQUEST_WIDGETS,
    CardActions,
    awaiting_approval,
    awaiting_approval_by,
)
from teller_app.ui.change_request_dialog import ChangeRequestDialog, describe_change
from teller_app.ui.customer_card import CustomerCard
from teller_app.ui.people_lookup import lookup_employee_names
from teller_app.ui.shortcuts import ACCOUNT_HISTORY_KEY
from teller_app.ui.supervision_cash import SupervisionCash
from teller_app.ui.untrusted import shown_lines
from teller_app.ui.validators import isolate

log = logging.getLogger("teller_app.ui.supervision")
translate = QCoreApplication.translate  # context "Supervision", as in Supervision.tr
REQUEST_ID = "requestId"  # a Withdraw button's request (the keyboard kept on it)


class SupervisionCards(SupervisionCash):
    _cards_due: dict[str, bool]  # customer GUID -> its data too (set by Supervision.__init__)

    # -- customer card ------------------------------------------------------------------
    def decorate_card(self, card: CustomerCard) -> None:
        """Add this module's buttons to a customer card; rebuilt when the card's data changes."""
        box = CardActions(card)
        card.actions_layout.addWidget(box)
        card.notes_layout.addWidget(box.requests)  # under the buttons, never beside them
        # made once: the buttons are made again when the customer changes, the key stays
        QShortcut(QKeySequence(ACCOUNT_HISTORY_KEY), card,
                  lambda: box.press("accountHistoryButton"),
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._fill_card_actions(card, box)
        card.customer_changed.connect(lambda _c: self._fill_card_actions(card, box))
        # a closed card leaves the list at once (not at the next decision's refresh): a
        # quiet desk keeps no closed card's customer and accounts
        card.destroyed.connect(partial(self._forget_card, id(card)))

    def _forget_card(self, card_id: int, *_args: object) -> None:
        self._cards = [c for c in self._cards if id(c) != card_id and isValid(c)]

    def _fill_card_actions(self, card: CustomerCard, box: CardActions) -> None:
        """The buttons are made again only when what they say changed (the customer enabled
        or disabled): a card refreshed in the background must not take the teller's focus
        off a button. The pending-request notes are read again each time."""
        if card not in self._cards:
            self._cards.append(card)
        built_for = (card.guid, card.customer.is_disabled)
        if box.built_for == built_for:
            self._show_pending_requests(card, box)  # its answer replaces the notes
            return
        box.clear()
        box.built_for = built_for
        if self.can(Capability.APPLY_SENSITIVE_CHANGE):
            disabled = card.customer.is_disabled
            toggle = QPushButton()
            toggle.setObjectName("toggleDisabledButton")
            toggle.clicked.connect(lambda: self.apply_directly(card))
            # an Alt+letter, as "&Request a change…" has on a maker's card (never Enter)
            box.add(toggle, lambda: translate("Supervision", "&Enable customer") if disabled
                    else translate("Supervision", "&Disable customer"))
        elif self.can(Capability.REQUEST_SENSITIVE_CHANGE):
            ask = QPushButton()
            ask.setObjectName("requestChangeButton")
            ask.clicked.connect(lambda: self.open_change_request(card))
            box.add(ask, lambda: translate("Supervision", "&Request a change…"))
        if self.can(Capability.CASH_CREATE):
            for kind, text in (
                    (CashKind.DEPOSIT, lambda: translate("Supervision", "Cash deposit…")),
                    (CashKind.WITHDRAWAL, lambda: translate("Supervision", "Cash withdrawal…"))):
                button = QPushButton()
                button.setObjectName(f"cash_{kind.value}_button")
                button.clicked.connect(lambda _=False, k=kind: self.open_cash(card, k))
                box.add(button, text)
        history = QPushButton()
        history.setObjectName("accountHistoryButton")
        history.clicked.connect(lambda: self.history.open(self.window.ops, self.session, card,
                                                          self.window, history))
        box.add(history, lambda: translate("Supervision", "Account history…"))
        self._show_pending_requests(card, box)

    def _show_pending_requests(self, card: CustomerCard, box: CardActions) -> None:
        """The requests pending for the customer (from the hub), each a line under the
        buttons: this employee's own with Withdraw, another's (a supervisor sees their
        branch's) a note naming who filed it, so no one acts on the customer unaware of
        them. Display only: deciding them is the inbox's."""
        link = self.session.hub
        if link is None:
            return
        guid = card.guid
        own = self.employee_email()
        client = self.session.client
        known = box.maker_names  # names already looked up for this card

        async def read() -> list[ChangeRequest]:
            requests = await all_requests(link.call, states=("pending",), customer_guid=guid)
            unnamed = sorted({r.maker.lower() for r in requests}
                             - {own, ""} - known.keys())
            if unnamed:
                try:  # names are decoration: the e-mails stay when they cannot be read
                    found = await lookup_employee_names(client, unnamed)
                except PlatformError as exc:
                    log.info("makers not named: %s", type(exc).__name__)
                else:  # one unknown to the platform ("") is not looked up again
                    known.update({email: found.get(email, "") for email in unnamed})
            return requests

        def shown(requests: list[ChangeRequest]) -> None:
            if not isValid(box):
                return
            # a read in the background (another desk's request) keeps the keyboard where it
            # was: on the same request's Withdraw, else on the card's row
            focused = QApplication.focusWidget()
            kept = focused.property(REQUEST_ID) if focused is not None and \
                box.requests.isAncestorOf(focused) else None
            box.clear(REQUEST_WIDGETS)  # the newest read replaces what an older one showed
            previous = box.last_button()
            for request in requests:
                if request.maker.lower() != own:
                    maker = isolate(known.get(request.maker.lower()) or request.maker)
                    box.add_request(partial(awaiting_approval_by, request, maker), None)
                    continue
                withdraw = box.add_request(partial(awaiting_approval, request),
                                           partial(self.withdraw, card, request))
                if withdraw is None:
                    continue
                withdraw.setProperty(REQUEST_ID, request.id)
                if previous is not None:
                    QWidget.setTabOrder(previous, withdraw)  # Tab goes on from the row
                if kept == request.id:
                    withdraw.setFocus(Qt.FocusReason.OtherFocusReason)
                    kept = None
                previous = withdraw
            if kept is not None and (last := box.last_button()) is not None:
                last.setFocus(Qt.FocusReason.OtherFocusReason)  # its request left the card

        self.window.ops.run(read, on_success=shown,
                            on_error=lambda exc: log.info("pending requests not read: %s",
                                                          type(exc).__name__),
                            parent=card,
                            label=translate("Supervision", "Reading the customer's requests"),
                            key=f"card-requests:{id(box)}")  # a newer read cancels an older

    def _record_decision(self, request: ChangeRequest) -> None:
        """A decision made at this desk (the inbox's, or in place): audited, and the open
        cards of its customer read again, as an approval may have applied (a cash-in's new
        balance) and the request no longer waits on them."""
        super()._record_decision(request)
        self.refresh_cards_of(request.customer_guid)

    def refresh_cards_of(self, customer_guid: str, *, data: bool = True) -> None:
        """The open cards of ``customer_guid`` read again once this turn of the event loop
        (a decision sends several events): ``data``, the customer too (an approval may have
        applied), else only the requests pending for them. A card parked for an employee
        who switched away is theirs, not read with this employee's sessions."""
        if not customer_guid:  # a settings request names no customer
            return
        due = self._cards_due
        if not due:
            QTimer.singleShot(0, self, self._refresh_due_cards)
        due[customer_guid] = due.get(customer_guid, False) or data

    def _refresh_due_cards(self) -> None:
        due, self._cards_due = self._cards_due, {}
        self._cards = [c for c in self._cards if isValid(c)]
        for card in self._cards:
            if card.guid not in due or self.window.tabs.indexOf(card) < 0:
                continue
            box = card.findChild(CardActions)
            if due[card.guid] or box is None:
                card.refresh(keep_banner=True)
            else:
                self._show_pending_requests(card, box)

    def apply_directly(self, card: CustomerCard) -> None:
        """A checker's own change: through the one pipeline (a checker writes directly).
        One write at a time per customer, by key: the card's buttons are made again when the
        customer changes, so a rebuilt toggle is enabled while the first write still runs."""
        key = f"toggle-disabled:{card.guid}"
        if self.window.ops.is_busy(key):
            return
        customer = card.customer
        target = not customer.is_disabled
        service = self.window.service

        def done(_result: object) -> None:
            self.record(AuditAction.CUSTOMER_EDIT, customer_guid=customer.guid,
                        fields=["is_disabled"], is_disabled=target)
            card.refresh()

        self.window.ops.run(
            lambda: service.update(customer.guid, CustomerUpdate(is_disabled=target),
                                   customer),
            on_success=done, on_error=lambda exc: self._say(approval_error_text(exc), "error"),
            parent=card, label=translate("Supervision", "Saving"), write=True, key=key,
            disable=[b for b in (card.findChild(QPushButton, "toggleDisabledButton"),)
                     if b is not None])  # shows that a second press waits

    def open_change_request(self, card: CustomerCard,
                            preset: dict[str, Any] | None = None) -> None:  # JSON-like
        dialog = ChangeRequestDialog(card.customer, preset, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda change, reason, in_place: self.file_request(
            card, dialog, change, reason, in_place))
        dialog.open()

    def file_request(self, card: CustomerCard, dialog: ChangeRequestDialog,
                     change: dict[str, Any],  # the request body's change (JSON)
                     reason: str, in_place: bool) -> None:
        customer = card.customer
        service = self.approvals()

        def filed(request: ChangeRequest) -> None:
            self.record(AuditAction.CHANGE_REQUEST, customer_guid=customer.guid,
                        request_id=request.id, fields=sorted(request.change))
            if request.state != "pending":  # a re-send answered by the first filing, decided
                dialog.accept()
                self._say(translate("Supervision", "This request had already reached the "
                                    "Teller Hub and is no longer waiting for approval."))
                card.refresh()
                return
            if in_place:
                dialog.hide()
                self.open_in_place(card, request, dialog)
            else:
                dialog.accept()
                self._say(translate("Supervision", "Sent to a supervisor for approval."))
                card.refresh()

        def failed(exc: BaseException) -> None:
            from teller_app.ui.error_text import answer_may_be_lost

            if answer_may_be_lost(exc):
                dialog.show_error(translate(
                    "Supervision", "The Teller Hub did not answer, so it is not known whether "
                    "the request was filed. Send it again without changing it: the same request "
                    "is sent, never a second one."))
                return
            dialog.show_error(approval_error_text(exc))

        # the same change sent again from this dialog keeps its id: never filed twice
        request_id = dialog.request_id(change)
        self.window.ops.run(
            lambda: service.file_request(customer.guid, change, reason, request_id=request_id),
            on_success=filed, on_error=failed,
            parent=dialog, label=translate("Supervision", "Sending the request"), write=True)

    def open_in_place(self, card: CustomerCard, request: ChangeRequest,
                      parent: QDialog | None = None) -> None:
        customer = card.customer
        # the same order as the inbox: customer, who asked, the change, the reason
        name = isolate(official_name(customer.surname, customer.name, customer.paternal_name)
                       or customer.login)
        described = describe_change(request.displayed_change(), request.before)
        summary = shown_lines(summary_text(  # the maker's reason: kept to its lines
            request, customer=name, described=described,
            maker=isolate(self.session.employee.display_name)))
        dialog = ApproveInPlaceDialog(summary, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        profile = self.session.profile

        def decided(outcome: str, email: str, password: str, comment: str) -> None:
            def done(result: ChangeRequest) -> None:
                self._record_decision(result)  # reads the card again
                dialog.accept()
                if parent is not None:
                    parent.accept()
                self._say(decided_text(outcome, result.state, name, described))

            # the checker's session decides this request only and is logged out right after
            self.window.ops.run(
                lambda: decide_in_place(profile, email, password, request, outcome, comment),
                on_success=done,
                on_error=lambda exc: dialog.show_error(approval_error_text(exc)),
                parent=dialog, label=translate("Supervision", "Supervisor deciding"), reauth=False,
                write=True)

        def cancelled() -> None:
            # The request stays filed: a supervisor can still decide it from the inbox.
            if parent is not None:
                parent.accept()
            card.refresh()

        dialog.decided.connect(decided)
        dialog.rejected.connect(cancelled)
        dialog.open()

    def withdraw(self, card: CustomerCard, request: ChangeRequest) -> None:
        service = self.approvals()

        def done(result: ChangeRequest) -> None:
            self.record(AuditAction.REQUEST_WITHDRAWN, customer_guid=result.customer_guid,
                        request_id=result.id)
            card.refresh()

        self.window.ops.run(
            lambda: service.withdraw(request), on_success=done,
            on_error=lambda exc: self._say(approval_error_text(exc), "error"),
            parent=card, label=translate("Supervision", "Withdrawing"), write=True)
