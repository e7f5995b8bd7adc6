"""Reading the signed-in session (core/session.py's Session) for display."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from teller_app.core.session import Session
from teller_app.platform import PlatformClient
from teller_app.ui.data_text import role_text


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
    """"Petrenko Olena · Teller · Kyiv" for the status bar."""
    roles = ", ".join(role_text(r) for r in (session.roles or session.employee.roles or []))
    branch = session_branch(session)
    place = branch[1] if branch else QCoreApplication.translate("SessionInfo", "Head office")
    return " · ".join(p for p in (employee_name(session), roles, place) if p)
