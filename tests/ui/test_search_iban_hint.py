"""The search panel over a real (SQLCipher) branch cache: an IBAN typed in part finds the
customers whose accounts this desk has read (the start, the account number, the last
digits); when it finds nobody the panel says to type the whole IBAN, which the platform
finds whoever holds it (sync stores no accounts)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from teller_app.cache import BranchCache
from teller_app.core.cache_worker import CacheWorker
from teller_app.ui.search_panel import SearchPanel
from teller_app.ui.search_sources import CacheSearchSource, iban_in_part
from teller_app.ui.validators import check_iban

READ = "UA213223130000026007233566001"  # an account this desk has read
NOT_READ = "UA903052992990004149123456789"  # an account of a customer only synced
HINT = "No customers found. To search by IBAN, type it in full."


def _customer(guid: str, surname: str) -> dict[str, Any]:
    return {"wallet_user_guid": guid, "surname": surname, "name": "Олена",
            "phone_number": "+380671234567", "login": f"{guid}@ukr.net",
            "updated_at": "2024-05-01T10:00:00.000001Z"}


@pytest.fixture()
def worker(tmp_path, arun):  # type: ignore[no-untyped-def]
    path, key = tmp_path / "branch.db", os.urandom(32)
    cache = BranchCache.open(path, key)
    cache.upsert_customers([_customer("read", "Петренко"), _customer("synced", "Сидоренко")])
    cache.upsert_accounts("read", [{"guid": "a1", "iban": READ, "assets": []}])
    cache.close()
    w = CacheWorker()
    arun(w.open(path, key))
    yield w
    arun(w.close())


def _search(qtbot, panel: SearchPanel, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    panel.search_box.setText(text)  # the cache answers on every keystroke
    qtbot.waitUntil(lambda: panel.model.query == text.strip(), timeout=5000)
    rows = [panel.model.row_at(i) for i in range(panel.model.rowCount())]
    return [r.wallet_user_guid for r in rows if r is not None]


def test_an_iban_in_part_finds_or_asks_for_the_whole(qtbot, ops, worker) -> None:  # type: ignore[no-untyped-def]
    source = CacheSearchSource(worker)
    panel = SearchPanel(ops, lambda _branch: source)
    qtbot.addWidget(panel)
    panel.show()
    for typed in ("UA21 3223 1300 0002 6007", "ua213223", "26007233566001", "6600 1"):
        assert _search(qtbot, panel, typed) == ["read"], typed
        assert panel.summary.text() == "1 customer(s)", panel.summary.text()
    for typed in ("UA90 3052 9929 9000", "ua903052", "4149123456789"):
        assert _search(qtbot, panel, typed) == [], typed
        assert panel.summary.text() == HINT, typed
    # nothing IBAN-like: the plain text; a whole IBAN that is wrong: what is wrong with it
    assert _search(qtbot, panel, "Шевчук") == []
    assert panel.summary.text() == "No customers found."
    wrong = NOT_READ[:-1] + "8"
    mistake = check_iban(wrong)[1]
    assert mistake and "IBAN" in mistake
    assert _search(qtbot, panel, wrong) == []
    assert panel.summary.text() == f"No customers found. {mistake}"


def test_what_reads_as_an_iban_in_part() -> None:
    for typed in ("UA21 3223", "ua21-3223-13", "26007233566001", "2600 7233 5660 01"):
        assert iban_in_part(typed), typed
    # a whole valid IBAN goes to the platform; a phone, a short start, a login are not
    for typed in (READ, "+380 67 123 45 67", "380671234567", "UA21", "ab12cd", "Петренко"):
        assert not iban_in_part(typed), typed
