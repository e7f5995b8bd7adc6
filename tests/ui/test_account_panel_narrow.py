"""An account's panel on a narrow card: the Copy button goes under the IBAN instead of holding
the panel (and the card's page, ~465 px in Ukrainian) wide; the IBAN stays whole on one line,
every digit shown (a teller reads it aloud) and selectable; beside it again when wide."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget

from teller_app.core.views import AccountView, AssetBalance
from teller_app.ui.account_panel import AccountPanel, group_iban

IBAN = "UA213223130000026007233566001"
ACCOUNT = AccountView(guid="3f2c7a10-5b8e-4d21-9a6f-0c1e2d3b4a59", iban=IBAN,
                      assets=(AssetBalance("UAH", "Hryvnia", Decimal("1250.5")),))


def _box(panel: AccountPanel, widget: QWidget) -> tuple[int, int, int, int]:
    """``widget``'s left, top, right and bottom in ``panel``."""
    top_left = widget.mapTo(panel, QPoint(0, 0))
    return (top_left.x(), top_left.y(), top_left.x() + widget.width(),
            top_left.y() + widget.height())


def _whole(panel: AccountPanel, widget: QWidget) -> bool:
    left, top, right, bottom = _box(panel, widget)
    return (widget.isVisible() and widget.width() >= widget.sizeHint().width()
            and left >= 0 and top >= 0 and right <= panel.width() and bottom <= panel.height())


def _side_by_side(panel: AccountPanel) -> bool:
    label, copy = _box(panel, panel.iban_label), _box(panel, panel.copy_button)
    return copy[0] >= label[2] and copy[1] < label[3]


def _under(panel: AccountPanel) -> bool:
    return _box(panel, panel.copy_button)[1] >= _box(panel, panel.iban_label)[3]


def test_copy_goes_under_the_whole_iban_when_narrow(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = AccountPanel(ACCOUNT)
    qtbot.addWidget(panel)
    label, copy = panel.iban_label, panel.copy_button
    wide = panel.sizeHint().width() + 40
    panel.resize(wide, panel.sizeHint().height())
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: _side_by_side(panel) and _whole(panel, copy), timeout=3000)
    assert _whole(panel, label)
    # the panel may be narrower than the IBAN and Copy on one row (beside their caption) ...
    row = _box(panel, label)[0] + label.sizeHint().width() + copy.sizeHint().width()
    narrow = panel.minimumSizeHint().width()
    assert narrow < row, (narrow, row)
    panel.resize(narrow, panel.heightForWidth(narrow) if panel.hasHeightForWidth()
                 else panel.minimumSizeHint().height())
    # ... Copy under the IBAN there: both whole inside, every digit shown, still selectable
    qtbot.waitUntil(lambda: _under(panel) and _whole(panel, copy) and _whole(panel, label),
                    timeout=3000)
    assert label.text() == group_iban(IBAN) and label.text().replace(" ", "") == IBAN
    assert label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
    # wide again: beside the IBAN
    panel.resize(wide, panel.height())
    qtbot.waitUntil(lambda: _side_by_side(panel) and _whole(panel, copy), timeout=3000)
