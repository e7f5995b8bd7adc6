"""Employees an audit entry's details name (a request's maker, a draft's owner…): shown with
their name when the audit view has looked it up (as it does for each entry's employee), else
as the e-mail recorded. Pure: no Qt."""

from __future__ import annotations

from collections.abc import Mapping

# Keys whose value is an employee's e-mail.
PERSON_KEYS = frozenset({"maker", "actor", "owner", "confirmed_by", "at_desk_of", "to_employee",
                         "previous_employee", "authorized_by", "approved_by", "employee"})


def name_and_email(name: str, email: str) -> str:
    """"Name (e-mail)" when a directory names the person (a directory's fallback to the
    e-mail is no name); the e-mail alone otherwise. The audit trail and the end-of-day
    report say people alike."""
    return f"{name} ({email})" if name and name.strip().lower() != email.lower() else email


def person_text(email: str, names: Mapping[str, str]) -> str:
    """``name_and_email`` with the name the view looked up (``names``: by lower-case
    e-mail), else the e-mail as recorded."""
    return name_and_email(names.get(email.lower(), ""), email)


def people_in(detail: Mapping[str, object]) -> set[str]:
    """The employees' e-mails (lower case) the details name, for the view to look up."""
    return {str(value).lower() for key, value in detail.items()
            if key in PERSON_KEYS and isinstance(value, str) and "@" in value}
