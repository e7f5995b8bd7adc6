"""Employees an audit entry's details name (a request's maker, a draft's owner…): shown with
their name when the audit view has looked it up (as it does for each entry's employee), else
as the e-mail recorded. Pure: no Qt."""

from __future__ import annotations

from collections.abc import Mapping

# Keys whose value is an employee's e-mail.
PERSON_KEYS = frozenset({"maker", "actor", "owner", "confirmed_by", "at_desk_of", "to_employee",
                         "previous_employee", "authorized_by", "approved_by", "employee"})


def person_text(email: str, names: Mapping[str, str]) -> str:
    """"Name (e-mail)" when the name is known (``names``: by lower-case e-mail), else the
    e-mail as recorded."""
    name = names.get(email.lower(), "")
    return f"{name} ({email})" if name and name.lower() != email.lower() else email


def people_in(detail: Mapping[str, object]) -> set[str]:
    """The employees' e-mails (lower case) the details name, for the view to look up."""
    return {str(value).lower() for key, value in detail.items()
            if key in PERSON_KEYS and isinstance(value, str) and "@" in value}
