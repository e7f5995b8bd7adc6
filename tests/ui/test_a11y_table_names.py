"""Tables are named after their own label, section or dialog — never after the main window
that only holds their dialog. The main window, activated first, reaches every child dialog's
tables too: the branch cash position's three tables and the approvals list were all read
out as "Teller — SANDBOX — demo data". A name the code set is kept; one given here follows
its source (a dock's count, a language switch) the next time a window is activated."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDockWidget, QTableView, QVBoxLayout

from teller_app.ui import a11y
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.till_position import BranchCashView


class _NoHub:
    """Nothing is read in this test: any read fails at once."""

    async def position(self, _branch: Any) -> Any:
        raise RuntimeError("not read in this test")

    async def pending(self) -> Any:
        raise RuntimeError("not read in this test")


def test_tables_are_named_after_their_own_label_or_dialog(qtbot, main_window, ops) -> None:  # type: ignore[no-untyped-def]
    window = main_window
    window.setWindowTitle("Teller — SANDBOX — demo data")
    cash = BranchCashView(ops, _NoHub(), parent=window)  # type: ignore[arg-type]
    inbox = ApprovalsInbox(ops, lambda: _NoHub())  # type: ignore[arg-type,return-value]
    dock = QDockWidget("Approvals", window)
    dock.setObjectName("approvalsDockTest")
    dock.setWidget(inbox)
    plain = QDialog(window)  # a dialog whose table has no label of its own
    plain.setWindowTitle("Plain dialog")
    QVBoxLayout(plain).addWidget(unlabelled := QTableView(plain))
    untitled = QDialog(window)  # no title yet: nothing better than its owner's is known
    QVBoxLayout(untitled).addWidget(orphan := QTableView(untitled))
    coded = QTableView(plain)
    coded.setAccessibleName("Named by its code")

    a11y.tie_labels(window)  # the main window activated, its dialogs still closed

    assert (cash.tills.accessibleName(), cash.transfers.accessibleName(),
            cash.counts.accessibleName()) == ("Tills", "Transfers waiting", "Vault counts waiting")
    # the dock's three lists by their own titles, not all by the dock's
    assert (inbox.table.accessibleName(), inbox.alerts.accessibleName(),
            inbox.drafts.table.accessibleName()) == (
        "Change requests", "Customer alerts", "Cash operations awaiting a supervisor")
    assert unlabelled.accessibleName() == "Plain dialog"
    assert orphan.accessibleName() == ""  # named when its own window is activated
    assert coded.accessibleName() == "Named by its code"
    title = window.windowTitle()
    assert title not in {cash.tills.accessibleName(), inbox.table.accessibleName(),
                         inbox.alerts.accessibleName(), unlabelled.accessibleName()}

    # the name follows its source the next time (a count in the dock's title, a new language)
    inbox.title.setText("Change requests (2)")
    untitled.setWindowTitle("Untitled no more")
    a11y.tie_labels(window)
    assert inbox.table.accessibleName() == "Change requests (2)"
    assert orphan.accessibleName() == "Untitled no more"
    assert coded.accessibleName() == "Named by its code"
    ops.cancel_all()
