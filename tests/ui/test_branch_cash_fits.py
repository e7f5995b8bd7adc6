"""The branch cash position fits a 1280x720 screen in English and in Ukrainian with every
button label and column header whole (each table's actions sit under it, not in one row of
eight), its keys stay unique and Tab goes table by table through its own actions; the hub's
e-mails read as the employees' names (the e-mail on hover), looked up through the window it
opens over. Against the embedded sandbox + Teller Hub."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QPushButton, QTableWidget, QTableWidgetItem, QWidget

from teller_app.core.till import TillService
from teller_app.core.till_cash import LinkCalls
from teller_app.ui.till_desk import hub_cash
from tests.ui.test_accelerators_unique import clashes, mnemonic

from .conftest import TELLER, make_window
from .dialog_reading import open_branch_position
from .embedded_desk import SUPERVISOR, embedded_stack, hub_session, open_cosigned_till

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-branch-cash-fits")


@pytest.fixture(params=["en", "uk"])
def language(request: pytest.FixtureRequest, qapp: Any) -> Iterator[str]:
    from teller_app.ui.i18n import install_translators

    before, earlier = QLocale(), set(qapp.findChildren(QTranslator))
    installed = install_translators(qapp, request.param)
    assert installed, "compile the translations: packaging/build_translations.py"
    yield request.param
    for translator in set(qapp.findChildren(QTranslator)) - earlier:
        qapp.removeTranslator(translator)
    QLocale.setDefault(before)




def _tip_text(item: QTableWidgetItem) -> str:
    """A tooltip's text as shown (it is given as escaped rich text: ui/untrusted.tip)."""
    doc = QTextDocument()
    doc.setHtml(item.toolTip())
    return doc.toPlainText()


def _cut_headers(table: QTableWidget) -> list[str]:
    header = table.horizontalHeader()
    return [str(table.horizontalHeaderItem(c).text()) for c in range(table.columnCount())
            if header.sectionSize(c) < header.sectionSizeHint(c)]


def test_the_position_fits_and_names_people(language: str, qtbot: Any, ops: Any, arun: Any,
                                            stack: Any) -> None:
    teller, supervisor = hub_session(arun, stack, TELLER), hub_session(arun, stack, SUPERVISOR)
    cash = hub_cash(teller)
    assert cash is not None
    till = open_cosigned_till(arun, stack, cash.till, teller, f"F{uuid.uuid4().hex[:5]}",
                              {"note_100": 5})
    transfer = arun(cash.till.request_transfer("to_till", Decimal("100.00")))
    sup_till = TillService(LinkCalls(supervisor.hub), "sup")
    vault = arun(sup_till.position(supervisor.branch_guid)).vault
    arun(sup_till.count_vault({"note_1000": int(vault // 1000) + 2}, supervisor.branch_guid,
                              "fits test"))  # differs from the book: waits, counted_by shown
    window = make_window(qtbot, ops, supervisor, stack.sandbox)
    try:
        view = open_branch_position(qtbot, window)  # as the Till menu opens it
        # as it opens, the tills take the most room and the vault counts the least (two and
        # a half tills showed while an empty counts table took as much)
        assert view.tills.height() > view.transfers.height() > view.counts.height()

        # The employees' names, the full e-mail on hover (looked up after the position).
        teller_name = teller.employee.display_name
        supervisor_name = supervisor.employee.display_name
        assert teller_name and supervisor_name
        position = view.position
        row = next(i for i, t in enumerate(position.tills) if t.id == till.id)
        qtbot.waitUntil(lambda: view.tills.item(row, 1).text() == teller_name, timeout=15000)
        assert _tip_text(view.tills.item(row, 1)) == TELLER
        row = next(i for i, t in enumerate(view.position.pending_transfers)
                   if t.id == transfer.id)
        assert view.transfers.item(row, 0).text() == teller_name
        assert _tip_text(view.transfers.item(row, 0)) == TELLER
        counts = [view.counts.item(r, 0) for r in range(view.counts.rowCount())]
        assert counts and all(c.text() == supervisor_name for c in counts)
        assert all(_tip_text(c) == SUPERVISOR for c in counts)

        # At its minimum size: within the screen, every label and header whole.
        view.resize(1, 1)  # as small as it may be
        qtbot.waitUntil(lambda: view.size() == view.minimumSize(), timeout=5000)
        minimum = view.minimumSizeHint()  # its layout's: no fixed minimum hides it
        assert minimum.width() <= 900 and minimum.height() <= 680, minimum
        assert view.size() == minimum
        assert view.sizeHint().width() <= 1280 and view.sizeHint().height() <= 680
        buttons = [b for b in view.findChildren(QPushButton) if b.isVisibleTo(view)]
        assert len(buttons) == 8
        cut = [b.text() for b in buttons if b.width() < b.sizeHint().width()]
        assert cut == []
        for table in (view.tills, view.transfers, view.counts):
            assert _cut_headers(table) == []

        # The window's own button does not read like "Co-sign the close" beside it.
        leave = view.close_button.text().replace("&", "").lower()
        assert leave not in view.close_cosign_button.text().replace("&", "").lower()

        # One Alt+letter per control, and Tab through each table then its own actions.
        letters = [mnemonic(b.text()) for b in buttons]
        assert all(letters) and len(set(letters)) == 8 and clashes(view) == {}
        chain: list[QWidget] = []
        widget: QWidget = view.tills
        while widget not in chain:
            chain.append(widget)
            widget = widget.nextInFocusChain()
        wanted = [view.tills, view.cosign_button, view.close_cosign_button, view.transfers,
                  view.approve_button, view.reject_button, view.counts,
                  view.count_cosign_button, view.vault_button]
        assert [w for w in chain if w in wanted] == wanted
        assert chain.index(view.close_button) > chain.index(view.vault_button)
        view.close()
    finally:
        arun(sup_till.decide_transfer(transfer.id, False))
        current = arun(cash.till.current())
        if current is not None:
            arun(cash.till.close(current.open_counts, "test clean-up"))
        arun(teller.close())
        window._closing_for_sign_out = True
        ops.cancel_all()
        window.close()
        arun(window.shutdown())
