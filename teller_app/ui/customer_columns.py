"""The search table's columns and what a row shows in them (``CustomerTableModel``): the
headers (translated when asked for), each column's value from any ``SearchRow`` (the wire field
names the cache's, the platform's and an edited customer's rows share), and the display texts
made once per row (worded statuses and segments, a name that could reorder the row isolated,
every text on one line). The sort keys stay with the model (``name_key``, ``text_key``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from teller_app.core.person_name import official_name
from teller_app.ui.data_text import segment_text, status_text
from teller_app.ui.validators import isolate, one_line

if TYPE_CHECKING:  # typing only: the table is painted before pydantic is needed
    from teller_app.cache.rows import CustomerRow
    from teller_app.core.views import CustomerView
    from teller_app.platform.models.customers import Customer

    SearchRow = CustomerRow | Customer | CustomerView


def full_name(row: SearchRow) -> str:
    return official_name(row.surname, row.name, row.paternal_name)


def row_guid(row: SearchRow) -> str:
    return row.wallet_user_guid


# (attribute, header) — headers are translated when asked for (context "CustomerTableModel"),
# not at import.
COLUMNS: Sequence[tuple[str, str]] = (
    ("full_name", str(QT_TRANSLATE_NOOP("CustomerTableModel", "Name"))),
    ("phone_number", str(QT_TRANSLATE_NOOP("CustomerTableModel", "Phone"))),
    ("login", str(QT_TRANSLATE_NOOP("CustomerTableModel", "Login"))),
    ("kyc_level", str(QT_TRANSLATE_NOOP("CustomerTableModel", "KYC"))),
    ("segment", str(QT_TRANSLATE_NOOP("CustomerTableModel", "Segment"))),
    ("status", str(QT_TRANSLATE_NOOP("CustomerTableModel", "Status"))),
    ("is_disabled", str(QT_TRANSLATE_NOOP("CustomerTableModel", "Disabled"))),
    ("branch_name", str(QT_TRANSLATE_NOOP("CustomerTableModel", "Branch"))),
)


# attribute -> how a row gives it (the COLUMNS keys; also the sort keys)
_CELLS: dict[str, Callable[[SearchRow], str | int | bool]] = {
    "full_name": full_name,
    "phone_number": lambda r: r.phone_number,
    "login": lambda r: r.login,
    "kyc_level": lambda r: r.kyc_level,
    "segment": lambda r: r.segment,
    "status": lambda r: r.status,
    "is_disabled": lambda r: r.is_disabled,
    "branch_name": lambda r: r.branch_name,
}


def cell_value(row: SearchRow, attribute: str) -> str | int | bool:
    return _CELLS[attribute](row)


# the columns showing a wire value in words (translated): shown and sorted by the words
WORDED: dict[str, Callable[[object], str]] = {"status": status_text, "segment": segment_text}


def display_texts(row: SearchRow) -> tuple[str, ...]:
    """The text of every column of ``row``, as shown, then "1" if the customer is disabled."""
    out: list[str] = []
    for attribute, _header in COLUMNS:
        value = cell_value(row, attribute)
        if attribute == "is_disabled":
            text = QCoreApplication.translate("CustomerTableModel", "disabled") if value else ""
        elif attribute in WORDED:
            text = WORDED[attribute](value)
        elif attribute == "full_name":  # a right-to-left name cannot reorder the row
            text = isolate(str(value)) if turns_direction(str(value)) else str(value)
        else:
            text = "" if value is None else str(value)
        out.append(one_line(text))  # platform text may hold line breaks, other controls
    out.append("1" if row.is_disabled else "")
    return tuple(out)


# Bidi classes that can change the direction of the text around them.
_DIRECTIONAL = frozenset({"R", "AL", "AN", "LRE", "LRO", "RLE", "RLO", "PDF", "LRI", "RLI",
                          "FSI", "PDI"})


def turns_direction(text: str) -> bool:
    """True when ``text`` has a character that could reorder the row; only such names are
    isolated (the isolate marks cost ~20 % of a table paint, fonts lacking them)."""
    return not text.isascii() and any(
        unicodedata.bidirectional(c) in _DIRECTIONAL for c in text)
