"""Text the desk did not write, in the views the guard of ``test_untrusted_text_guard`` does
not open: the account history's "as of" line when the platform refuses the read, the
approvals inbox's status line (a platform refusal, the hub's words of a failed execution),
its warning of what another desk changed, the till close's status, and the audit view's
details tooltip (values desks wrote). Each label is plain text and shows the words as they
are; a tooltip is the escaped form (review: these rendered ``<b>…</b>`` as bold)."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGui

from teller_app.core.approvals import Actor, ApprovalService, ExecutionFailed
from teller_app.core.history import HistoryService
from teller_app.core.receipt import ReceiptContext
from teller_app.core.till_models import Till
from teller_app.platform import PlatformError
from teller_app.platform.hub_models import AuditRecord, ChangeRequest
from teller_app.ui.untrusted import ZWSP

from .conftest import new_customer
from .markup_labels import is_escaped_markup, markup_labels

SHOUT = "<b style='color:green;font-size:28pt'>APPROVED BY HEAD OFFICE"
# sent where the platform wants a GUID (a path part: no "/"), quoted back in its refusal
BRANCH = f"{SHOUT}<b>"
ASSET = "<b>" + "APPROVED_BY_HEAD_OFFICE" * 3 + "</b>"  # one long unbroken run
HUB_WORDS = "DCM said: <a href='https://evil.example/pay'>APPROVED BY HEAD OFFICE</a>"
FSI = "\u2068"


def _shown(qtbot: Any, widget: Any) -> Any:
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _plain(text: str) -> str:
    return text.replace(ZWSP, "")


@pytest.fixture()
def refusal(arun, sandbox, teller_session) -> PlatformError:  # type: ignore[no-untyped-def]
    """The platform's own 400, quoting the asset code it was sent."""
    with pytest.raises(PlatformError) as caught:
        arun(teller_session.client.create_customer(new_customer(
            sandbox, teller_session, asset_code=ASSET, surname="Коваль", name="Петро")))
    assert ASSET in str(caught.value)
    return caught.value


def test_history_shows_a_refusal_as_plain_text(qtbot, ops, teller_session) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.history import HistoryDialog

    desk = ReceiptContext("Demo Bank", "Київ", "Касир", "Нагляд Тест", "")
    dialog = HistoryDialog(ops, HistoryService(teller_session.client, BRANCH),
                           str(uuid.uuid4()), desk)
    _shown(qtbot, dialog)
    try:
        # the real sandbox refuses the branch part of the path, quoting it
        qtbot.waitUntil(lambda: "APPROVED BY HEAD OFFICE" in dialog.as_of.text(),
                        timeout=15000)
        assert SHOUT in _plain(dialog.as_of.text())  # the words as they are
        assert dialog.as_of.isVisible()
        assert dialog.as_of.textFormat() == Qt.TextFormat.PlainText
        assert markup_labels() == []
    finally:
        ops.cancel_all()


def _request(**fields: Any) -> ChangeRequest:
    change = {"surname": "Коваль"}
    text = json.dumps(change, sort_keys=True, separators=(",", ":"))
    return ChangeRequest(id=str(uuid.uuid4()), kind="customer_update",
                         customer_guid=str(uuid.uuid4()), change=change, change_json=text,
                         sha256=hashlib.sha256(text.encode()).hexdigest(),
                         maker="teller.kyiv@demo.bank", reason="typo",
                         created_at=time.time(), **fields)


def test_inbox_status_and_warning_are_plain_text(qtbot, ops, refusal) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.approvals_inbox import ApprovalsInbox

    service = ApprovalService(None, Actor("sup@bank.test", is_checker=True))  # no hub
    inbox = _shown(qtbot, ApprovalsInbox(ops, lambda: service))
    inbox._failed(refusal)  # how a failed read or decision is reported
    assert inbox.status.isVisible() and inbox.status.textFormat() == Qt.TextFormat.PlainText
    assert ASSET in _plain(inbox.status.text()) and ZWSP in inbox.status.text()
    assert markup_labels() == []

    failed = ExecutionFailed(_request(state="failed", result=HUB_WORDS))
    inbox._failed(failed)  # approved, but the platform refused: the hub's words
    assert HUB_WORDS in inbox.status.text() and markup_labels() == []
    inbox.retranslate()  # made again (a language switch): still as it was shown
    assert HUB_WORDS in inbox.status.text() and markup_labels() == []

    # another desk's value since filing: isolated, its long run breakable
    moved = f"{SHOUT}\u202eвокисп" + "Ж" * 90
    inbox.model.replace([_request(before={"surname": "Коваль"},
                                  current={"surname": moved})])
    inbox.table.selectRow(0)
    qtbot.waitUntil(lambda: inbox.moved.isVisible(), timeout=5000)
    warning = inbox.moved.text()
    assert inbox.moved.textFormat() == Qt.TextFormat.PlainText
    assert moved in _plain(warning).strip(FSI + "\u2069")
    assert warning.startswith(FSI) and ZWSP in warning
    assert markup_labels() == []


def test_till_close_status_is_plain_text(qtbot, ops, refusal) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.till_close import TillCloseDialog
    from teller_app.ui.till_report import ReportContext

    till = Till(id=str(uuid.uuid4()), till_code="K1", state="open", teller="t@bank",
                branch_guid=None, open_total=Decimal(300), expected=Decimal(300))
    dialog = _shown(qtbot, TillCloseDialog(ops, None, till,  # type: ignore[arg-type]  # never called
                                           ReportContext("Demo Bank", "Kyiv", "Olena")))
    dialog._failed(refusal)
    for label in (dialog.status, dialog.cosign_status):
        assert label.textFormat() == Qt.TextFormat.PlainText and label.wordWrap()
    assert ASSET in _plain(dialog.status.text()) and ZWSP in dialog.status.text()
    assert markup_labels() == []


def test_audit_details_tooltip_is_escaped(qtbot, qloop) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.async_op import OpRunner
    from teller_app.ui.audit_view import COLUMNS, AuditView

    record = AuditRecord(seq=1, ts_ms=1_780_000_000_000, actor=SHOUT, action="decision",
                         entity="", detail={"comment": HUB_WORDS, "note": SHOUT},
                         prev_hash="0" * 64, hash=f"{1:064x}")
    view = _shown(qtbot, AuditView(lambda: None, OpRunner()))
    view.model.set_entries([record])
    index = view.table.model().index(0, COLUMNS.index("details"))
    tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
    # rich text on purpose (a tooltip starting like markup is rich text to Qt), escaped
    assert not QtGui.mightBeRichText(tooltip) or is_escaped_markup(tooltip), tooltip
    assert "<a " not in tooltip and "&lt;a href=" in tooltip and "&lt;b style=" in tooltip
    actor = view.table.model().index(0, COLUMNS.index("actor")).data(
        Qt.ItemDataRole.ToolTipRole)
    assert is_escaped_markup(actor)  # as the actor's tooltip always was
