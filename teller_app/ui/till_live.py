"""Till work that waits for a supervisor, live: the hub's ``till.waiting`` and
``till.decided`` events on the supervision feed (``supervision_feed``). A supervisor is told
what waits and where to act (the Till menu's own words), and an open branch cash position
reads again; the teller a decision names is told it, and their open till dialog reads again
as its own check would (``TillDesk.till_decided``). An older hub sends none of these: the
manual buttons stay, nothing depends on them. Strings keep the ``Supervision`` translation
context (these are its notices)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication

from teller_app.platform.hub_models import HubEvent
from teller_app.ui.money import format_uah
from teller_app.ui.people_lookup import NameLookup
from teller_app.ui.till_vault_count import signed_uah
from teller_app.ui.untrusted import fill, shown

if TYPE_CHECKING:
    from teller_app.ui.main_window import MainWindow

TILL_WAITING, TILL_DECIDED = "till.waiting", "till.decided"
TILL_KINDS = frozenset({TILL_WAITING, TILL_DECIDED})
translate = QCoreApplication.translate  # context "Supervision", as in Supervision.tr


def menu_words(source: str) -> str:
    """A Till menu text as it reads on screen (translated): no accelerator mark, no ellipsis."""
    return QCoreApplication.translate("TillDesk", source).replace("&", "").rstrip("…").strip()


def position_place() -> str:
    """Where a supervisor acts: "Till ▸ Branch cash position", the menu's own words."""
    return f"{menu_words('T&ill')} ▸ {menu_words('Branch cash &position…')}"


def _money(amount: Decimal | None) -> str:
    return format_uah(amount) if amount is not None else "—"


def waiting_text(event: HubEvent, teller: str) -> str:
    """What waits for a supervisor, whose, the money and where to act. ``teller``: their name,
    else their e-mail (a vault count's: the supervisor who counted)."""
    who, code = shown(teller, 80, breaks=False), shown(event.till_code or "", 40, breaks=False)
    amount, place = _money(event.amount), position_place()
    if event.what == "transfer" and event.direction == "to_vault":
        return fill(translate("Supervision", "%1 asks to hand %2 from till %3 back to the "
                              "vault: approve or reject it in %4."), who, amount, code, place)
    if event.what == "transfer":
        return fill(translate("Supervision", "%1 asks for %2 from the vault to till %3: "
                              "approve or reject it in %4."), who, amount, code, place)
    if event.what == "open_cosign":
        return fill(translate("Supervision", "%1 opened till %2 with %3: the opening count "
                              "waits for your co-sign in %4."), who, code, amount, place)
    if event.what == "close_cosign":
        over_short = signed_uah(event.over_short) if event.over_short is not None else "—"
        return fill(translate("Supervision", "%1 is closing till %2 with over/short %3: the "
                              "close waits for your co-sign in %4."),
                    who, code, over_short, place)
    if event.what == "vault_count":
        return fill(translate("Supervision", "%1 counted %2 in the vault: the count waits for "
                              "a second supervisor's co-sign in %3."), who, amount, place)
    # a newer hub's kind of work: where to look, in any case
    return fill(translate("Supervision", "Till work waits for a supervisor: see %1."), place)


def decided_text(event: HubEvent) -> tuple[str, str] | None:
    """(text, level) telling the teller a supervisor's decision on their till's work; None:
    nothing this desk knows how to say."""
    amount = _money(event.amount)
    if event.what == "transfer" and event.state == "approved":
        return fill(translate("Supervision", "A supervisor approved your vault transfer of "
                              "%1."), amount), "success"
    if event.what == "transfer" and event.state == "rejected":
        return fill(translate("Supervision", "A supervisor rejected your vault transfer of "
                              "%1."), amount), "warning"
    if event.what == "vault_count" and event.state == "superseded":
        return fill(translate("Supervision", "A newer count of the vault replaced your count "
                              "of %1: it no longer waits for a co-sign."), amount), "info"
    if event.state != "cosigned":
        return None
    if event.what == "open_cosign":
        return translate("Supervision", "A supervisor co-signed your till's opening."), "success"
    if event.what == "close_cosign":
        return translate("Supervision", "A supervisor co-signed your till's close."), "success"
    if event.what == "vault_count":
        return fill(translate("Supervision", "A supervisor co-signed your vault count of %1."),
                    amount), "success"
    return None


class Announce(Protocol):
    """``SupervisionNotices._announce``: status bar, banner, taskbar, tray."""

    def __call__(self, text: str, level: str, *, status_bar: bool = True,
                 banner_line: bool = False, locked_text: str = "") -> None: ...


def locked_text() -> str:
    """A till notice in the tray while the desk is locked: no teller, no amount."""
    return translate("Supervision", "There is news about till work.")


def work_key(event: HubEvent) -> tuple[str, str]:
    """Which waiting work an event is about: its transfer, its count, else its till's step."""
    if event.what == "transfer":
        return ("transfer", event.transfer_id or "")
    if event.what == "vault_count":
        return ("vault_count", event.count_id or "")
    return (event.what or "", event.till_id or "")


class TillLive:
    """The till events of one window's feed: notices and the open till windows read again.
    A supervisor's "waiting" notice is a line of the banner of its own, taken back when the
    work is decided (here or at another desk): several waiting read together, none stays
    after its decision."""

    def __init__(self, window: MainWindow, own_email: Callable[[], str],
                 announce: Announce, employee_names: NameLookup) -> None:
        self.window = window
        self.own_email, self.announce, self.employee_names = own_email, announce, employee_names
        self.names: dict[str, str] = {}  # lower-case e-mail -> name, once looked up
        self._asked: set[str] = set()  # looked up (an unknown e-mail stays an e-mail)
        self._looking: dict[str, list[Callable[[], None]]] = {}  # e-mail -> notices to tell
        self._waiting_said: dict[tuple[str, str], str] = {}  # the banner's line of each

    def on_event(self, event: HubEvent) -> None:
        desk = self.window.till_desk
        desk.position_moved(event.branch_guid)  # an open branch position reads again
        named = (event.teller or "").lower()
        mine = bool(named) and named == self.own_email()
        if event.kind == TILL_WAITING and not mine:  # a supervisor's own count: not told
            self._tell_waiting(event, named)
        elif event.kind == TILL_DECIDED:
            self._take_back(work_key(event))  # decided, here or at another desk
            if mine:
                said = decided_text(event)
                if said is not None:
                    self.announce(*said, locked_text=locked_text())
                desk.till_decided(event)

    def _take_back(self, key: tuple[str, str]) -> None:
        line = self._waiting_said.pop(key, None)
        if line is not None:
            self.window.banner.drop_line(line)

    def _tell_waiting(self, event: HubEvent, email: str) -> None:
        key = work_key(event)

        def say() -> None:
            self._take_back(key)  # a recount's close: its new figures replace the old
            line = waiting_text(event, self.names.get(email) or event.teller or "")
            self._waiting_said[key] = line
            self.announce(line, "info", banner_line=True, locked_text=locked_text())

        if not email or email in self.names or email in self._asked:
            say()
            return
        if email in self._looking:  # a burst: told in order once the one look-up ends
            self._looking[email].append(say)
            return
        self._looking[email] = [say]

        def told(names: dict[str, str]) -> None:
            self._asked.add(email)
            self.names.update({k.lower(): v for k, v in names.items() if v})
            for waiting_say in self._looking.pop(email, []):
                waiting_say()

        # a name is decoration: the notice goes with the e-mail when the look-up fails
        self.window.ops.run(lambda: self.employee_names([email]), on_success=told,
                            on_error=lambda _exc: told({}), parent=self.window,
                            network=False, reauth=False)
