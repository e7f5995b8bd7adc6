"""Glue between the main window's session and the cash-day views: who and where the desk is
(for receipts) and the account history window of a customer card."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMenu, QWidget

from teller_app.core.cache_worker import CacheWorker
from teller_app.core.history import HistoryMemory, HistoryService
from teller_app.core.receipt import ReceiptContext, mask_iban
from teller_app.core.session import Session
from teller_app.core.views import AccountView, CustomerView
from teller_app.secrets import Profile
from teller_app.ui.async_op import OpRunner
from teller_app.ui.customer_card import CustomerCard
from teller_app.ui.history import HistoryDialog


def bank_name(profile: Profile) -> str:
    if profile.is_sandbox:
        return QCoreApplication.translate("CashDesk", "Demo Bank (sandbox)")
    return str(profile.name)


def desk_context(session: Session, customer: CustomerView | None = None,
                 iban: str = "") -> ReceiptContext:
    teller = session.employee.display_name
    branch = session.branch_name or (
        QCoreApplication.translate("CashDesk", "Head office") if session.is_head_office
        else "")
    return ReceiptContext(bank_name(session.profile), branch, teller,
                          customer.full_name if customer is not None else "", iban)


def account_choice_text(account: AccountView) -> str:
    """An account in a list to choose from: the masked IBAN and its currency ("UA94 •••• 2557
    · UAH"), so two accounts of one customer can be told apart."""
    codes = " ".join(dict.fromkeys(a.shown_code for a in account.assets if a.shown_code))
    masked = mask_iban(account.iban) or account.guid
    return f"{masked} · {codes}" if codes else masked


class HistoryWindows:
    """One history service (and offline copy) per signed-in employee; opens the window."""

    def __init__(self, cache_worker: Callable[[], CacheWorker | None] | None = None) -> None:
        self._memories: dict[str, HistoryMemory] = {}
        self.cache_worker = cache_worker  # the window's branch cache (offline copies)

    def service(self, session: Session) -> HistoryService:
        from teller_app.core.history_copy import HistoryCopies
        from teller_app.ui.till_desk import voided_lookup

        employee = str(session.employee.guid)
        memory = self._memories.setdefault(employee, HistoryMemory())
        worker = self.cache_worker() if self.cache_worker is not None else None
        copies = HistoryCopies(worker, employee) if worker is not None else None
        return HistoryService(session.client, session.branch_guid, memory,
                              voided_lookup(session), copies=copies)

    def open(self, ops: OpRunner, session: Session, card: CustomerCard, parent: QWidget,
             button: QWidget | None = None) -> HistoryDialog | None:
        """The history of the card's account; with several accounts, a menu asks which."""
        accounts = list(card.accounts)
        if len(accounts) > 1 and button is not None:
            menu = QMenu(button)

            def opener(chosen: AccountView) -> Callable[[], object]:
                return lambda: self.open_account(ops, session, card, chosen, parent)

            for account in accounts:
                menu.addAction(account_choice_text(account), opener(account))
            menu.popup(button.mapToGlobal(button.rect().bottomLeft()))
            return None
        return self.open_account(ops, session, card, accounts[0], parent) if accounts else None

    def open_account(self, ops: OpRunner, session: Session, card: CustomerCard,
                     account: AccountView, parent: QWidget) -> HistoryDialog:
        from teller_app.core.receipt_origin import origin_lookup
        from teller_app.ui.till_desk import hub_cash

        minor_unit = account.assets[0].minor_unit if account.assets else 2
        cash = hub_cash(session)  # the hub names who took a payment (a reprint's teller)
        customer = card.customer
        origin = origin_lookup(session.client, cash.hub if cash is not None else None,
                               account.guid, customer.branch_name if customer else "")
        dialog = HistoryDialog(ops, self.service(session), account.guid,
                               desk_context(session, customer, account.iban),
                               minor_unit, parent=parent, origin=origin)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog
