"""The count dialogs that may wait for a co-sign (the vault count, the till's close), in
English and Ukrainian: no two buttons read alike, and the window's own button ("Close",
"Cancel", "Done") never starts as another button does ("Close" beside "Close the till")."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from teller_app.core.till import Till
from teller_app.ui.cosign_wait import CosignWaitDialog


def _words(text: str) -> list[str]:
    return text.replace("&", "").casefold().split()


def assert_buttons_distinct(dialog: CosignWaitDialog) -> list[str]:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    own = box.button(QDialogButtonBox.StandardButton.Close)
    shown = [b for b in box.buttons() if b.isVisibleTo(dialog)]
    texts = [b.text() for b in shown]
    assert own in shown and all(texts), texts
    assert len({" ".join(_words(t)) for t in texts}) == len(texts), texts
    first = _words(own.text())[0]
    alike = [b.text() for b in shown if b is not own and _words(b.text())[0] == first]
    assert alike == [], (own.text(), alike)
    return texts


async def _never(*_args: Any) -> Any:
    raise AssertionError("not called")


@pytest.fixture(params=["english", "ukrainian"])
def language(request: pytest.FixtureRequest) -> str:
    request.getfixturevalue(request.param)
    return str(request.param)


def test_vault_count_buttons_read_apart(qtbot, ops, language) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.till_vault_count import VaultCountDialog

    dialog = VaultCountDialog(ops, None, None,  # type: ignore[arg-type]  # never called
                              book=Decimal(100), cosign_here=_never)
    qtbot.addWidget(dialog)
    dialog.show()
    assert len(assert_buttons_distinct(dialog)) == 2  # the window's own and "Save the count"
    dialog.show_waiting("waits")
    texts = assert_buttons_distinct(dialog)  # with "Check the co-sign", co-sign here
    assert len(texts) == 4
    if language == "english":
        assert texts[0] == "Close" and "Save the count" in texts


def test_till_close_buttons_read_apart(qtbot, ops, language) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.till_close import TillCloseDialog
    from teller_app.ui.till_report import ReportContext

    till = Till(id=str(uuid.uuid4()), till_code="K1", state="open", teller="t@bank",
                branch_guid=None, open_total=Decimal(300), expected=Decimal(300))
    dialog = TillCloseDialog(ops, None, till,  # type: ignore[arg-type]  # never called
                             ReportContext("Demo Bank", "Kyiv", "Olena"), cosign_here=_never)
    qtbot.addWidget(dialog)
    dialog.show()
    before = assert_buttons_distinct(dialog)
    dialog._wait_for_cosign(till)
    after = assert_buttons_distinct(dialog)
    assert len(before) == 2 and len(after) == 4
    if language == "english":
        assert "Close the till" in before and "Cancel" in before and "Done" in after
