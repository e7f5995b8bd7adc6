"""One order for a customer's full name wherever the desk shows or prints it (table, card,
cash dialog, receipts, history, approvals, audit): the Ukrainian official order — прізвище,
ім'я, по батькові ("Surname Name Patronymic"). Missing parts are left out, never padded."""

from __future__ import annotations


def official_name(surname: str | None, name: str | None, paternal_name: str | None = None) -> str:
    """"Шевченко Тарас Григорович"; "" when every part is empty."""
    parts = (part.strip() for part in (surname, name, paternal_name) if part)
    return " ".join(part for part in parts if part)
