"""Glue between the main window's session and the cash-day views: who and where the desk is
(for receipts) and the account history window of a customer card."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMenu, QWidget

from teller_app.core.history import HistoryMemory, HistoryService
from teller_app.core.receipt import ReceiptContext, mask_iban
from teller_app.ui.customer_table_model import full_name
from teller_app.ui.history import HistoryDialog


def bank_name(profile: Any) -> str:
    if profile.is_sandbox:
        return QCoreApplication.translate("CashDesk", "Demo Bank (sandbox)")
    return str(profile.name)


def desk_context(session: Any, customer: Any = None, iban: str = "") -> ReceiptContext:
    employee = session.employee
    teller = " ".join(p for p in (employee.surname, employee.name) if p) or employee.email
    branch = session.branch_name or (
        QCoreApplication.translate("CashDesk", "Head office") if session.is_head_office
        else "")
    return ReceiptContext(bank_name(session.profile), branch, teller,
                          full_name(customer) if customer is not None else "", iban)


class HistoryWindows:
    """One history service (and offline copy) per signed-in employee; opens the window."""

    def __init__(self, cache_worker: Callable[[], Any] | None = None) -> None:
        self._memories: dict[str, HistoryMemory] = {}
        self.cache_worker = cache_worker  # the window's branch cache (offline copies)

    def service(self, session: Any) -> HistoryService:
        from teller_app.core.history_copy import HistoryCopies
        from teller_app.ui.till_desk import voided_lookup

        employee = str(session.employee.guid)
        memory = self._memories.setdefault(employee, HistoryMemory())
        worker = self.cache_worker() if self.cache_worker is not None else None
        copies = HistoryCopies(worker, employee) if worker is not None else None
        return HistoryService(session.client, session.branch_guid, memory,
                              voided_lookup(session), copies=copies)

    def open(self, ops: Any, session: Any, card: Any, parent: QWidget,
             button: QWidget | None = None) -> HistoryDialog | None:
        """The history of the card's account; with several accounts, a menu asks which."""
        accounts = list(card.accounts)
        if len(accounts) > 1 and button is not None:
            menu = QMenu(button)
            for account in accounts:
                menu.addAction(mask_iban(str(account.iban or "")) or account.guid,
                               lambda a=account: self.open_account(ops, session, card, a,
                                                                   parent))
            menu.popup(button.mapToGlobal(button.rect().bottomLeft()))
            return None
        return self.open_account(ops, session, card, accounts[0], parent) if accounts else None

    def open_account(self, ops: Any, session: Any, card: Any, account: Any,
                     parent: QWidget) -> HistoryDialog:
        assets = account.assets or []
        minor_unit = int(assets[0].minor_unit) if assets else 2
        guid = str(account.guid)  # AccountWithAssets and the cache's AccountRow both have it
        dialog = HistoryDialog(ops, self.service(session), guid,
                               desk_context(session, card.customer, str(account.iban or "")),
                               minor_unit, parent=parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog
