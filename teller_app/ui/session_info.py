"""Reading the signed-in session (core/session.py's Session) for display."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from teller_app.ui.data_text import role_text


def session_client(session: Any) -> Any:
    return getattr(session, "client", None)


def session_branch(session: Any) -> tuple[str, str] | None:
    """(guid, name) of a branch employee's branch; None for head office."""
    if getattr(session, "is_head_office", False):
        return None
    guid = getattr(session, "branch_guid", None)
    if not guid:
        return None
    return str(guid), str(getattr(session, "branch_name", "") or guid)


def employee_name(session: Any) -> str:
    employee = getattr(session, "employee", None)
    parts = [getattr(employee, "name", ""), getattr(employee, "surname", "")]
    name = " ".join(p for p in parts if p)
    return name or getattr(employee, "email", "") or getattr(employee, "login", "")


def describe_employee(session: Any) -> str:
    """"Olena Petrenko · Teller · Kyiv" for the status bar."""
    roles = ", ".join(role_text(r) for r in (
        getattr(session, "roles", None) or
        getattr(getattr(session, "employee", None), "roles", None) or []))
    branch = session_branch(session)
    place = branch[1] if branch else QCoreApplication.translate("SessionInfo", "Head office")
    return " · ".join(p for p in (employee_name(session), roles, place) if p)
