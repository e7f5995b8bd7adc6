"""A customer field's value as a person reads it, worded once for every place that shows one:
the approvals desk's "at filing → wanted, now" (``approvals_drift``), the edit form's
"changed meanwhile to …" (``customer_form_refusals``) and a change request's description
(``change_request_dialog.describe_change``). Codes in words (status, segment), money in the
locale's format (an allowed balance of 0 as "no limit", as the platform reads it), disabled/
enabled, nothing as "(none)"; any other value as the audit trail words it
(``audit_details.value_text``). The words keep the contexts they were translated in
("CustomerForm"), so their Ukrainian applies wherever they are shown."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from teller_app.ui.audit_details import MINOR_UNIT, value_text
from teller_app.ui.data_text import segment_text, status_text
from teller_app.ui.money import limit_text

DEFAULT_CURRENCY = "UAH"  # a change that names no balance asset: the bank's hryvnia


def field_value_text(
    field: str,
    value: object,
    *,
    minor_unit: int = MINOR_UNIT,
    currency: str | None = DEFAULT_CURRENCY,
    branch_name: Callable[[str], str] | None = None,
) -> str:
    """``value`` of the customer field ``field`` (a wire name) in the current language.

    ``balance_allowed``: ``minor_unit`` places, with ``currency`` (None: the number alone,
    where the field beside it names its asset), 0 as "no limit" (the platform's FAQ 12); a
    value that is no number is shown as it came. ``branch_guid``: ``branch_name(guid)`` when
    it knows the branch, else the GUID; none is the head office."""
    if field == "branch_guid":
        if not value:
            return QCoreApplication.translate("CustomerForm", "(head office — no branch)")
        name = branch_name(str(value)) if branch_name is not None else ""
        return name or str(value)
    if value is None or value == "":
        return QCoreApplication.translate("CustomerForm", "(none)")
    if field == "status":
        return status_text(value)
    if field == "segment":
        return segment_text(value)
    if field == "is_disabled":
        return (QCoreApplication.translate("CustomerForm", "Disabled") if value
                else QCoreApplication.translate("CustomerForm", "Enabled"))
    if field == "balance_allowed":
        return limit_text(value, minor_unit, currency)
    return value_text(value)
