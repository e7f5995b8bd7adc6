"""The teller's till as the cash dialog sees it: with the Teller Hub, cash moves only through
an open till, so the dialog reads the till when it opens and says at once what to do, in the
teller's words (the menu's own names), rather than after an amount is typed. Strings keep
the ``CashDialog`` translation context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import QCoreApplication

from teller_app.core.cash import CashService
from teller_app.core.cash_checks import CashRefused, RefusalKind
from teller_app.core.till_cash import HubCash
from teller_app.core.till_models import Till
from teller_app.ui.till_text import is_closed_state, till_state_text

NO_OPEN_TILL = "no_open_till"  # the hub's refusal code (``hub/cash_limits.py``)


def till_reader(service: CashService) -> Callable[[], Awaitable[Till | None]] | None:
    """How to read this desk's till (None: no hub, no till to read)."""
    gate = service.gate
    if isinstance(gate, HubCash) and gate.till is not None:
        return gate.till.current
    return None


def _menu_words(source: str) -> str:
    """A menu's text as it reads on screen: no accelerator mark, no trailing ellipsis."""
    return QCoreApplication.translate("TillDesk", source).replace("&", "").rstrip("…").strip()


def open_till_text() -> str:
    """Where to open the till: the Till menu's own (translated) names."""
    return QCoreApplication.translate("CashDialog", "Open your till first (%1 → %2).").replace(
        "%1", _menu_words("T&ill")).replace("%2", _menu_words("&Open the till…"))


def till_line(till: Till | None) -> str:
    """What stops cash with this till ("" when it is open)."""
    if till is not None and till.state == "open":
        return ""
    if till is None or is_closed_state(till.state):
        return open_till_text()
    if till.state == "cosign":
        return QCoreApplication.translate(
            "CashDialog", "Your till is not open yet: a supervisor must co-sign its count.")
    return QCoreApplication.translate("CashDialog", "Your till is not open (%1).").replace(
        "%1", till_state_text(till.state))


def is_no_open_till(exc: BaseException) -> bool:
    """The hub refused because the teller has no open till."""
    return (isinstance(exc, CashRefused) and exc.refusal.kind is RefusalKind.HUB
            and exc.refusal.period == NO_OPEN_TILL)
