"""The inbox's look-ups and status line, kept apart so ``approvals_inbox.py`` stays readable:
the makers and customers of the listed requests and alerts named (the e-mails and logins stay
when they cannot be), the cash drafts panel's service and names, and a status line made again
in the new language on a switch. Strings keep the ``ApprovalsInbox`` translation context."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Signal

from teller_app.core.cash import CashService
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.approval_errors import approval_error_text
from teller_app.ui.approvals_alerts import AlertsList
from teller_app.ui.approvals_inbox_decide import InboxDecisions
from teller_app.ui.cash_drafts_panel import CashDraftsPanel
from teller_app.ui.people_lookup import NameLookup, lookup_customer_names, lookup_employee_names
from teller_app.ui.untrusted import shown_lines

log = logging.getLogger("teller_app.ui.approvals_inbox")  # the inbox's, as before the split
translate = QCoreApplication.translate  # context "ApprovalsInbox", as in ApprovalsInbox.tr


class InboxLookups(InboxDecisions):
    """The base of ``ApprovalsInbox`` (after ``InboxDecisions``); uses what
    ``ApprovalsInbox.__init__`` sets up."""

    message = Signal(str)  # a line for the banner / status bar

    cash: Callable[[], CashService | None] | None
    _employee_names: NameLookup | None
    _customer_names: NameLookup | None
    alert_list: AlertsList
    drafts: CashDraftsPanel

    def resolve_names(self, requests: list[ChangeRequest]) -> None:
        makers = sorted({r.maker.lower() for r in requests} - self.model.employee_names.keys())
        customers = sorted({r.customer_guid for r in requests if r.customer_guid} -
                           self.model.customer_names.keys())  # a settings request has none
        if not makers and not customers:
            return
        async def both() -> tuple[dict[str, str], dict[str, str]]:
            return (await self._people(makers) if makers else {},
                    await self._customers(customers) if customers else {})

        self.ops.run(both, on_success=lambda pair: self.model.set_names(*pair),
                     on_error=lambda exc: log.info("names not resolved: %s",
                                                   type(exc).__name__),
                     parent=self, label=translate("ApprovalsInbox", "Looking up names"))

    def _name_alerts(self) -> None:
        """The alerted customers named as the requests are (their logins until then)."""
        guids = self.alert_list.unnamed()
        if guids:
            self.ops.run(lambda: self._customers(guids),
                         on_success=lambda found: self.alert_list.set_names(found, guids),
                         on_error=lambda exc: log.info("alert names not resolved: %s",
                                                       type(exc).__name__),
                         parent=self, label=translate("ApprovalsInbox", "Looking up names"))

    # -- cash drafts (``CashDraftsPanel``) ---------------------------------------------------
    def _cash_service(self) -> CashService | None:
        return self.cash() if self.cash is not None else None

    async def _people(self, emails: list[str]) -> dict[str, str]:
        if self._employee_names is not None:
            return await self._employee_names(emails)
        platform = self.approvals().platform
        if platform is None:  # no platform client: names are decoration, e-mails stay
            return {}
        return await lookup_employee_names(platform, emails)

    async def _customers(self, guids: list[str]) -> dict[str, str]:
        if self._customer_names is not None:
            return await self._customer_names(guids)
        client = self.approvals().platform
        if client is None:
            service = self._cash_service()
            client = service.client if service is not None else None
        return await lookup_customer_names(client, guids) if client is not None else {}

    def refresh_drafts(self) -> None:
        self.drafts.refresh()

    def _say(self, text: str) -> None:  # the cash drafts' one-off reports: kept as said
        self._show_status(lambda: text)

    def _show_status(self, make: Callable[[], str], *, announce: bool = True,
                     sticky: bool = False) -> None:
        """A status line ``retranslate`` makes again in the new language; not ``sticky``
        (about a request or draft) it goes when another request is selected."""
        text = make()
        self._status_text, self._status_sticky = make, sticky
        self.status.setText(shown_lines(text))
        if announce:
            self.message.emit(text)

    def _failed(self, exc: BaseException) -> None:
        self._show_status(lambda: approval_error_text(exc))

    def _read_failed(self, exc: BaseException) -> None:  # the list's state: it stays
        self._show_status(lambda: approval_error_text(exc), sticky=True)
