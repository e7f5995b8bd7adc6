"""The desk with customers whose text came from the platform unchecked (dialect
``text-unchecked``: formula leads, a direction override, control characters, markup). The
desk's own form refuses such text, but another system may write it (§3.4 "the platform
stores whatever string it is given"). The desk must still sync them into its cache byte for
byte and find them, show them direction-isolated and as plain text, and export them
formula-safe. Real sandbox, real SQLCipher cache, the real main window, card, history and
audit views (the audit rows stand for what the hub lists; names come from the platform)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from teller_app.core.audit import FORMULA_TRIGGERS
from teller_app.core.cash import CashKind, CashService
from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.core.history import HistoryService
from teller_app.core.person_name import official_name
from teller_app.core.receipt import ReceiptContext
from teller_app.platform import CustomerUpdate
from teller_app.platform.hub_models import AuditRecord
from teller_app.ui.audit_view import AuditView
from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache
from teller_app.ui.history import HistoryDialog
from teller_app.ui.people_lookup import lookup_customer_names
from teller_app.ui.search_sources import CacheSearchSource
from teller_app.ui.validators import FSI, PDI, isolate
from tests.ui.conftest import make_window, new_customer, open_session, unique

pytestmark = pytest.mark.slow

RLO = "\u202e"
_LETTERS = str.maketrans("0123456789abcdef", "ghijklmnopqrstuv")


def word_tag() -> str:
    """A unique word of Latin letters only (``"hd18..."`` would read as an IBAN prefix)."""
    return "tag" + unique("")[:10].translate(_LETTERS)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """This module's platform (instead of the session's demo sandbox): text-unchecked."""
    proc = start_sandbox(tmp_path_factory.mktemp("sb-hostile-names"),
                         dialects=["text-unchecked"])
    assert proc.manifest["dialects"] == ["text-unchecked"]
    yield proc
    proc.stop()


@pytest.fixture()
def desk_session(arun, sandbox):  # type: ignore[no-untyped-def]
    """A Kyiv teller signed in to this module's platform."""
    session = open_session(arun, sandbox)
    yield session
    arun(session.close())


def hostile(tag: str) -> dict[str, dict[str, str]]:
    """key -> fields of a customer; every one carries ``tag`` as a word of its own."""
    return {
        "formula": {"surname": f'=HYPERLINK("http://evil.example/{tag}","Шевченко")',
                    "name": "Тарас", "paternal_name": "-2+3"},
        "plus": {"surname": "+cmd|' /C calc'!A0", "name": f"Plus {tag}",
                 "status": "@SUM(1+1)"},
        "bidi": {"surname": f"{RLO}окненвеШ", "name": f"Bidi {tag}",
                 "status": f"{RLO}evitca", "paternal_name": f"Петрович{RLO}"},
        "control": {"surname": f"Нуль\x00{tag}\x85", "name": "Рядок\nДругий\tТаб\x7f",
                    "status": "a\x1bb"},
        "markup": {"surname": f"<b>Жирний</b> & {tag}",
                   "name": "<img src='file:///etc/passwd'><a href='https://evil.example'>x</a>"},
    }


def create_all(arun, sandbox: SandboxProcess, session: Any, tag: str  # type: ignore[no-untyped-def]
               ) -> dict[str, tuple[str, dict[str, str]]]:
    out = {}
    for key, fields in hostile(tag).items():
        created = arun(session.client.create_customer(
            new_customer(sandbox, session, login=unique(f"{key}."), **fields)))
        out[key] = (created.customer_guid, fields)
    return out


def test_sync_search_table_and_card(qtbot, ops, desk_session, sandbox, arun  # type: ignore[no-untyped-def]
                                    ) -> None:
    session = desk_session
    tag = word_tag()
    made = create_all(arun, sandbox, session, tag)
    bundle = arun(open_branch_cache(session))
    window = make_window(qtbot, ops, session, sandbox, branch_cache=bundle)
    try:
        qtbot.waitUntil(lambda: window._cache_warm, timeout=30000)
        assert isinstance(window._source_for(None), CacheSearchSource)
        worker = bundle.worker
        # (a) the sync stored every text byte for byte, and the cache finds each by its tag
        for guid, fields in made.values():
            row = arun(worker.get_customer(guid))
            assert row is not None
            assert {k: getattr(row, k) for k in fields} == fields
        found = {r.guid for r in arun(worker.search(tag))}
        assert found == {guid for guid, _ in made.values()}, (tag, found)
        pasted = made["formula"][1]["surname"]  # the name as a teller pastes it
        assert made["formula"][0] in {r.guid for r in arun(worker.search(pasted))}
        # an incremental sync too: another system rewrites a name
        later = word_tag()
        changed = {"surname": f"=cmd\x00{RLO}{later}", "status": "+\r\n"}
        arun(session.client.update_customer(made["plus"][0], CustomerUpdate(**changed)))
        arun(bundle.sync.sync_now())
        row = arun(worker.get_customer(made["plus"][0]))
        assert row is not None and {k: getattr(row, k) for k in changed} == changed
        assert [r.guid for r in arun(worker.search(later))] == [made["plus"][0]]
        made["plus"] = (made["plus"][0], {**made["plus"][1], **changed})

        # (b) the table: a name with a direction control is isolated, so it cannot reorder
        # the text around it; the others are shown as they are
        panel = window.search_panel
        panel.search_box.setText(tag)
        qtbot.waitUntil(lambda: panel.model.query == tag
                        and panel.model.rowCount() == len(made), timeout=10000)
        shown = {panel.model.row_at(i).wallet_user_guid: panel.model.data(panel.model.index(i, 0))
                 for i in range(panel.model.rowCount())}
        bidi_guid, bidi = made["bidi"]
        assert shown[bidi_guid] == isolate(official_name(bidi["surname"], bidi["name"],
                                                         bidi["paternal_name"]))
        formula_guid, formula = made["formula"]
        assert shown[formula_guid] == official_name(formula["surname"], formula["name"],
                                                    formula["paternal_name"])

        # the card: names isolated, the status chip too (it shares a line with the KYC
        # level), and nothing from the platform is read as markup
        for key in ("bidi", "markup", "control"):
            guid, fields = made[key]
            row_index = next(i for i in range(panel.model.rowCount())
                             if panel.model.row_at(i).wallet_user_guid == guid)
            card = window.open_customer(panel.model.row_at(row_index))
            qtbot.waitUntil(lambda c=card: c.freshness.text() == "Up to date", timeout=10000)
            assert card.title.text().startswith(FSI) and card.title.text().endswith(PDI)
            for field in ("surname", "name"):
                assert card.detail_labels[field].text() == isolate(fields[field])
            if key == "markup":  # shown (and copied) as written: no tag was read as markup
                for label in (card.title, card.detail_labels["surname"],
                              card.detail_labels["name"]):
                    label.setSelection(0, len(label.text()))
                    assert label.selectedText() == label.text(), label.objectName()
                # the tab shows the "&" ("&&"), never underlines the next letter as its key
                title = window.tabs.tabText(window.tabs.indexOf(card))
                assert title.startswith("<b>Жирний</b> && "), title
            if "status" in fields:
                assert isolate(fields["status"]) in card.flags.text()
            window.focus_search()
    finally:
        window._closing_for_sign_out = True
        window.close()
        arun(close_branch_cache(bundle))


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _safe(cell: str) -> bool:
    return not cell.startswith(FORMULA_TRIGGERS)


def test_history_export_is_formula_safe(qtbot, ops, desk_session, sandbox, arun,  # type: ignore[no-untyped-def]
                                        tmp_path: Path) -> None:
    """A deposit whose purpose names the customer (as another system wrote it)."""
    session = desk_session
    made = create_all(arun, sandbox, session, word_tag())
    guid, fields = made["formula"]
    branch = sandbox.manifest["branches"][0]
    service = CashService(session.client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    for key in ("formula", "plus"):
        purpose = official_name(made[key][1]["surname"], made[key][1]["name"])
        draft = arun(service.create(CashKind.DEPOSIT, guid, "10.00", purpose))
        arun(service.confirm(draft.payment_guid))
    account = arun(session.client.get_customer_accounts(guid))[0]
    desk = ReceiptContext("Demo Bank", "Київ", "Касир", fields["surname"], account.iban)
    dialog = HistoryDialog(ops, HistoryService(session.client, session.branch_guid),
                           account.wallet_account_guid, desk)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: len(dialog.model.rows) == 2 and not dialog.model.loading,
                    timeout=10000)
    path = tmp_path / "history.csv"
    with qtbot.waitSignal(dialog.exported, timeout=10000):
        dialog.export_to(str(path))
    rows = _cells(path.read_text(encoding="utf-8-sig"))
    purposes = {r[rows[0].index("Purpose")] for r in rows[1:]}
    assert purposes == {"'" + official_name(made[k][1]["surname"], made[k][1]["name"])
                        for k in ("formula", "plus")}
    assert all(_safe(cell) for row in rows for cell in row), rows


def test_audit_export_names_customers_formula_safe(qtbot, ops, desk_session, sandbox,  # type: ignore[no-untyped-def]
                                                   arun, tmp_path: Path) -> None:
    session = desk_session
    made = create_all(arun, sandbox, session, word_tag())
    view = AuditView(lambda: None, ops,
                     customer_names=lambda g: lookup_customer_names(session.client, g))
    qtbot.addWidget(view)
    entries = [AuditRecord(seq=i + 1, ts_ms=1_780_000_000_000 + i, actor="t@bank",
                           action="customer_update", entity=f"customer:{guid}",
                           detail={"customer_guid": guid, "comment": fields["surname"]},
                           hash=f"{i + 1:064x}")
               for i, (guid, fields) in enumerate(made.values())]
    view.model.set_entries(entries)
    view.resolve_names(entries)
    expected = {guid: official_name(f["surname"], f["name"], f.get("paternal_name"))
                for guid, f in made.values()}
    qtbot.waitUntil(lambda: view.model.customer_names == expected, timeout=10000)
    path = tmp_path / "audit.csv"
    with qtbot.waitSignal(view.exported, timeout=10000):
        view.export_to(str(path))
    rows = _cells(path.read_text(encoding="utf-8-sig"))
    assert all(_safe(cell) for row in rows for cell in row), rows
    by_guid = {json.loads(r[8])["customer_guid"]: r for r in rows[1:]}
    for guid, name in expected.items():
        cell = by_guid[guid][5]
        assert cell == ("'" + name if name.startswith(FORMULA_TRIGGERS) else name), (cell, name)


def test_the_supervisors_summary_quotes_the_name_safely(qtbot, ops, desk_session, sandbox,  # type: ignore[no-untyped-def]
                                                        arun) -> None:
    """Above the teller's limit a supervisor approves a sentence naming the customer: a
    direction override in the name cannot reorder it (the amount among its words), and a
    name is never read as markup (it could print a different amount over the real one)."""
    from PySide6.QtCore import Qt

    from teller_app.core.cash import CashReceipt
    from teller_app.ui.cash_dialog import CashDialog

    session = desk_session
    made = create_all(arun, sandbox, session, word_tag())
    branch = sandbox.manifest["branches"][0]
    service = CashService(session.client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))

    async def never(email: str, password: str, payment: str) -> CashReceipt:
        raise AssertionError("nobody approves here")

    for key in ("bidi", "markup", "control"):
        guid, fields = made[key]
        customer = arun(session.client.get_customer(guid))
        dialog = CashDialog(ops, service, customer, CashKind.DEPOSIT, supervisor_confirm=never)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda d=dialog: d.context is not None, timeout=10000)
        assert dialog.customer_label.textFormat() == Qt.TextFormat.PlainText
        shown = dialog.customer_label.text()  # one line: no raw control character
        assert shown and not any(unicodedata.category(c) == "Cc" for c in shown), repr(shown)
        dialog.amount.setText("12000")
        qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
        dialog.create_button.click()
        qtbot.waitUntil(lambda d=dialog: d.draft is not None, timeout=10000)
        dialog.supervisor_button.click()
        approve = dialog.in_place
        assert approve is not None
        name = official_name(fields["surname"], fields["name"], fields.get("paternal_name"))
        # the name isolated (as in the inbox) and on one line, the amount on a line of its own
        lines = approve.summary.text().split("\n")
        assert lines[0].strip(FSI + PDI).startswith("Customer: "), lines
        assert isolate(name) in lines[0] and "12,000" not in lines[0], lines
        assert lines[1:] == [
            f"Change: Cash deposit 12,000.00\u00a0UAH to {dialog.account_label.text()}",
            "Reason: Cash above the teller's limit"], lines
        assert approve.summary.textFormat() == Qt.TextFormat.PlainText
        approve.reject()
        dialog.close()
