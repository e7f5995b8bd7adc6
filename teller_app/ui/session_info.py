"""Reading the signed-in session (core/session.py's Session) for display."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from teller_app.core.session import Session
from teller_app.platform import PlatformClient
from teller_app.ui.data_text import role_text
from teller_app.ui.untrusted import shown

NAME_SHOWN_MAX = 80  # characters of a name, a role or a branch in the status bar


def session_client(session: Session) -> PlatformClient:
    return session.client


def session_branch(session: Session) -> tuple[str, str] | None:
    """(guid, name) of a branch employee's branch; None for head office."""
    guid = session.branch_guid
    if session.is_head_office or not guid:
        return None
    return str(guid), str(session.branch_name or guid)


def employee_name(session: Session) -> str:
    """The official order (прізвище, ім'я, по батькові), as on receipts, approvals and audit."""
    return session.employee.display_name


def describe_employee(session: Session) -> str:
    """"Petrenko Olena · Teller · Kyiv" for the status bar (a plain label): the name, each
    role and the branch are the platform's or the hub's words, so each is on one line,
    clipped and direction-isolated (ui/untrusted.shown)."""
    roles = ", ".join(shown(role_text(r), NAME_SHOWN_MAX)
                      for r in (session.roles or session.employee.roles or []))
    branch = session_branch(session)
    place = (shown(branch[1], NAME_SHOWN_MAX) if branch
             else QCoreApplication.translate("SessionInfo", "Head office"))
    return " · ".join(p for p in (shown(employee_name(session), NAME_SHOWN_MAX), roles, place)
                      if p)
