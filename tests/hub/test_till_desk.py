"""The desk's side of the till (issue 15): ``CashService`` with the hub as policy and gate —
a teller's day from open to close, the voided draft that cannot be confirmed through the
desk, "supervisor needed" from the hub's limits, one till refused at a second desk, and the
end-of-day report PDF read back with pdftotext. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fe_helpers import ADMIN, TillWorld, password_of, till_world
from hub_proc import PASSWORD
from till_helpers import customer, status

from teller_app.core.cash import CashKind, CashService, SupervisorRequired, find_processing_account
from teller_app.core.cash_checks import CashRefused, RefusalKind
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.till import EndOfDay, Till, TillService, count_total
from teller_app.core.till_cash import HubCash
from teller_app.platform import Conflict, PasswordLogin, PlatformClient, ValidationError
from teller_app.platform.hub_client import HubClient

World = TillWorld


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with till_world(tmp_path_factory.mktemp("till-desk-hub"), sandbox, hub_db) as w:
        yield w


OPEN = {"note_500": 2, "coin_0.50": 3}  # 1 001.50
CLOSE = {"note_500": 2, "note_100": 1, "note_20": 1, "note_10": 1,
         "coin_0.50": 3}  # 1 131.50: expected 1 131.80 → short 0.30


async def _teller_day(w: World, sandbox: SandboxProcess, cust: str) -> tuple[EndOfDay, Any]:
    teller_hub, sup_hub = HubClient(w.hub.base_url), HubClient(w.hub.base_url)
    dcm = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                         auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))
    try:
        await teller_hub.open_password_session(w.teller, PASSWORD)
        await sup_hub.open_password_session(w.sup, PASSWORD)
        till = TillService(teller_hub, "desk-1")
        opened = await till.open("T1", OPEN)
        assert opened.needs_cosign and opened.open_total == count_total(OPEN) == Decimal(
            "1001.50")
        await TillService(sup_hub, "sup-desk").cosign(opened.id)
        hub_cash = HubCash(teller_hub, till)
        processing = await find_processing_account(dcm, w.b0)
        service = CashService(dcm, w.b0, processing, Decimal(10000), policy=hub_cash,
                              gate=hub_cash)
        # a second desk cannot take the open till
        with pytest.raises(Conflict):
            await TillService(teller_hub, "desk-2").open("T1", OPEN)

        dep = await service.create(CashKind.DEPOSIT, cust, "150.50")
        assert dep.needs_supervisor is False
        assert (await service.confirm(dep.payment_guid)).status.upper() == "CONFIRMED"
        wd = await service.create(CashKind.WITHDRAWAL, cust, "20.20")
        await service.confirm(wd.payment_guid)
        now: Till | None = await till.current()
        assert now is not None and now.expected == Decimal("1131.80")

        # void: the hub refuses the confirm; the queue no longer shows it
        mistake = await service.create(CashKind.DEPOSIT, cust, "99.90")
        await service.void(mistake.payment_guid, "wrong amount typed")
        with pytest.raises(CashRefused) as refused:
            await service.confirm(mistake.payment_guid)
        assert refused.value.refusal.kind is RefusalKind.HUB
        assert refused.value.refusal.period == "voided"
        queue = [p.guid for p in await service.pending_drafts()]
        assert mistake.payment_guid not in queue

        # above the threshold: the hub says a supervisor confirms, the teller cannot
        big = await service.create(CashKind.DEPOSIT, cust, "15000.00")
        assert big.needs_supervisor is True
        with pytest.raises(SupervisorRequired):
            await service.confirm(big.payment_guid)
        await HubCash(sup_hub).reject(big.payment_guid, "customer changed their mind")
        assert big.payment_guid not in [p.guid for p in await service.pending_drafts()]

        with pytest.raises(ValidationError):  # short without a reason
            await till.close(CLOSE)
        waiting = await till.close(CLOSE, "Нестача 30 коп.: монети перераховано двічі")
        # past the bank's close tolerance (0.00 by default): a supervisor co-signs it
        assert waiting.needs_close_cosign and waiting.counted == Decimal("1131.50")
        # not closed meanwhile (the current till also says no transfer waits; the close's
        # answer does not say: None)
        assert (await till.current()) == replace(waiting, pending_transfers=())
        closed = await TillService(sup_hub, "sup-desk").cosign_close(opened.id,
                                                                    Decimal("1131.50"))
        assert (closed.state, closed.close_cosigned_by) == ("closed", w.sup)
        assert (closed.counted, closed.expected, closed.over_short) == (
            Decimal("1131.50"), Decimal("1131.80"), Decimal("-0.30"))
        report = await till.end_of_day(opened.id)
        return report, (mistake.payment_guid, big.payment_guid, dep.payment_guid,
                        wd.payment_guid)
    finally:
        for c in (teller_hub, sup_hub, dcm):
            await c.aclose()


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
def test_teller_day_at_the_desk(world: World, sandbox: SandboxProcess, qapp: Any,
                                tmp_path: Path) -> None:
    from PySide6.QtCore import QLocale

    from teller_app.ui.till_report import ReportContext, write_report_pdf

    cust, _account = customer(sandbox, world.b0)
    report, (mistake, big, dep, wd) = asyncio.run(_teller_day(world, sandbox, cust))
    assert status(sandbox, mistake) == "CREATED" and status(sandbox, big) == "CREATED"
    assert report.totals == {"deposit": (1, Decimal("150.50")),
                             "withdrawal": (1, Decimal("20.20"))}
    assert [o.payment_guid for o in report.operations] == [dep, wd]
    ctx = ReportContext("Demo Bank", "Київ, Хрещатик", "Касир Олена")
    english = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    before = QLocale()
    QLocale.setDefault(english)  # money as the English report prints it
    try:
        path = write_report_pdf(report, ctx, tmp_path / "eod.pdf")
    finally:
        QLocale.setDefault(before)
    assert path.stat().st_mode & 0o777 == 0o600
    text = " ".join(_pdf_text(path).split())
    reason = "Нестача 30 коп.: монети перераховано двічі"
    for expected in ("Касир Олена", "Київ, Хрещатик", "T1", reason, "____________",
                     f"Over/short co-signed by Test Employee ({world.sup})",
                     "Previous close —", "Opening difference —"):  # a first opening
        assert expected in text, (expected, text)
    compact = "".join(text.split())  # a narrow column may wrap a payment id inside the cell
    for short_id in (dep[:8], wd[:8]):
        assert short_id in compact, (short_id, text)
    for amount in ("1,001.50 UAH", "150.50 UAH", "20.20 UAH", "1,131.80 UAH", "1,131.50 UAH",
                   "-0.30 UAH (short)", "500 UAH note 2 1,000.00 UAH"):
        assert amount in text.replace("\u00a0", " "), (amount, text)
    out = os.environ.get("TELLER_EOD_PDF_OUT")
    if out:  # the closing note's Ukrainian report (then: pdftoppm -png -singlefile …)
        from teller_app.ui.i18n import install_translators

        installed = install_translators(qapp, "uk")
        try:
            uk = write_report_pdf(report, ctx, out)
        finally:
            for translator in installed:
                qapp.removeTranslator(translator)
            QLocale.setDefault(before)
        uk_text = " ".join(_pdf_text(uk).split())
        assert "Звіт каси на кінець дня" in uk_text and "нестача" in uk_text, uk_text
