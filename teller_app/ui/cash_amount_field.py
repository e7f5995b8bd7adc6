"""The cash dialog's amount field: right-aligned digits with at most the asset's decimals,
and the amount and purpose as sent, read-only and looking it, once the draft is being created
(and for good once it exists: a draft's amount never changes, and then reads as money). A
read-only amount reads from the left, as the dialog's other values (labels) do."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QLineEdit, QWidget

from teller_app.ui.money import MAX_INTEGER_DIGITS, SPACES, format_number
from teller_app.ui.read_only_look import set_read_only

_TYPED = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter  # digits, as typed
_READ = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter  # as the labels beside


def amount_field(parent: QWidget) -> QLineEdit:
    field = QLineEdit(parent)
    field.setObjectName("cashAmount")
    field.setAlignment(_TYPED)
    return field


EXTRA_DECIMALS = 4  # typed past the asset's decimals, to be refused in words, never dropped


def set_amount_unit(field: QLineEdit, minor_unit: int) -> int:
    """``field`` takes amounts with at most ``minor_unit`` decimals (the asset's); returns
    that number of decimals, made sane."""
    minor_unit = set_amount_check(field, minor_unit)
    field.setPlaceholderText(format_number(0, minor_unit))
    return minor_unit


def set_amount_check(field: QLineEdit, minor_unit: int) -> int:
    """What ``field`` lets be typed: ASCII digits, at most ``MAX_INTEGER_DIGITS`` of them before
    the decimal separator ("." or ","), spaces or commas between them, and a few decimals
    more than ``minor_unit``. Whether the groups and the decimals are right is
    ``money.parse_amount``'s to say (the dialog words it), so a teller sees why, not a key
    that does nothing: a third decimal dropped silently turned "1.500" into 1.50, confirmed
    by two presses of Enter. Returns ``minor_unit``, made sane."""
    minor_unit = max(0, int(minor_unit))
    places = f"([.,][0-9]{{0,{minor_unit + EXTRA_DECIMALS}}})?"
    between = f"[{SPACES},]*"  # grouping, or a comma that is the decimal separator
    integer = f"[0-9](?:{between}[0-9]){{0,{MAX_INTEGER_DIGITS - 1}}}{between}"
    pattern = QRegularExpression(f"^{integer}{places}$|^$")
    field.setValidator(QRegularExpressionValidator(pattern, field))
    return minor_unit


def set_sent(amount: QLineEdit, purpose: QLineEdit, sent: bool) -> None:
    """What was sent for the draft can no longer change (``sent``), or may again (a create
    that surely failed). Read-only, the amount reads from the left as the other values do
    (right-aligned without its box it read as a field still to type in)."""
    for field in (amount, purpose):
        set_read_only(field, sent)
    amount.setAlignment(_READ if sent else _TYPED)


def show_fixed_amount(amount: QLineEdit, money: str) -> None:
    """The draft's amount, fixed for good, as money (``money``: in the desk's language, with
    its currency; typed with either separator while it could change)."""
    # money is no typed amount: without the check Enter (the next step) still works
    amount.setValidator(None)  # type: ignore[arg-type]  # Qt takes none (nullptr)
    amount.setText(money)


def show_fixed_purpose(purpose: QLineEdit) -> None:
    """The draft's purpose, fixed for good: "—" where none was given (a blank read as a
    field still to fill)."""
    purpose.setPlaceholderText("" if purpose.text() else "—")
