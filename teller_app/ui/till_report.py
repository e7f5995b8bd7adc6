"""The end-of-day report of a till: HTML for the preview, a PDF through ``QPdfWriter`` and
paper through the system print dialog — the receipt's machinery (``ui/receipt.py``) on A4.

Sections: who/where/when, the opening count by denomination, every operation, totals by
category, expected vs counted with over/short and its reason, and signature lines.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from teller_app.core.receipt import kyiv_time
from teller_app.core.till import DENOMINATIONS, EndOfDay, face_value
from teller_app.ui.cash_text import category_text
from teller_app.ui.money import format_money
from teller_app.ui.till_text import denomination_text, till_kind_text, till_state_text


def _t(text: str) -> str:
    return QCoreApplication.translate("TillReport", text)


@dataclass(frozen=True)
class ReportContext:
    bank: str
    branch: str
    teller: str


def _money(value: Decimal) -> str:
    return format_money(value, 2, "UAH")


def _when(ts: int | None) -> str:
    if not ts:
        return "—"
    return kyiv_time(datetime.fromtimestamp(ts, UTC)).strftime("%d.%m.%Y %H:%M")


def _time(ts: int) -> str:
    return kyiv_time(datetime.fromtimestamp(ts, UTC)).strftime("%H:%M:%S") if ts else "—"


def _rows(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><td style='color:#555; padding:2px 12px 2px 0'>{html.escape(a)}</td>"
                   f"<td style='padding:2px 0'>{html.escape(b)}</td></tr>" for a, b in pairs)


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    head = "".join(f"<th align='{'right' if i in right else 'left'}' "
                   f"style='padding:2px 8px; border-bottom:1px solid #999'>{html.escape(h)}</th>"
                   for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(
        f"<td align='{'right' if i in right else 'left'}' style='padding:2px 8px'>"
        f"{html.escape(c)}</td>" for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table cellspacing='0' width='100%'><tr>{head}</tr>{body}</table>"


def count_rows(counts: dict[str, int]) -> list[list[str]]:
    return [[denomination_text(key), str(counts[key]), _money(face_value(key) * counts[key])]
            for key, _v, _n in DENOMINATIONS if counts.get(key)]


def report_html(report: EndOfDay, ctx: ReportContext) -> str:
    till = report.till
    over_short = till.over_short if till.over_short is not None else Decimal(0)
    verdict = (_t("balanced") if over_short == 0 else _t("over") if over_short > 0
               else _t("short"))
    head = _rows([
        (_t("Bank"), ctx.bank), (_t("Branch"), ctx.branch or "—"), (_t("Teller"), ctx.teller),
        (_t("Till"), till.till_code), (_t("State"), till_state_text(till.state)),
        (_t("Opened"), _when(till.opened_at)), (_t("Closed"), _when(till.closed_at)),
        (_t("Opening count co-signed by"), till.cosigned_by or "—"),
    ])
    ops = [[_time(o.at), till_kind_text(o.kind), o.category or "—", _money(o.amount),
            (o.payment_guid or "")[:8]] for o in report.operations]
    codes = sorted({o.category for o in report.operations if o.category})
    legend = "".join(f"<p style='color:#555'>{html.escape(category_text(c))}</p>"
                     for c in codes)
    codes_of = {"deposit": " (04)", "withdrawal": " (02)"}
    totals = [[till_kind_text(kind) + codes_of.get(kind, ""), str(count), _money(amount)]
              for kind, (count, amount) in sorted(report.totals.items())]
    balance = _rows([
        (_t("Opening cash"), _money(till.open_total)),
        (_t("Cash in"), _money(report.cash_in)),
        (_t("Cash out"), _money(report.cash_out)),
        (_t("Expected cash"), _money(till.expected)),
        (_t("Counted cash"), _money(till.counted) if till.counted is not None else "—"),
        (_t("Over/short"), f"{_money(over_short)} ({verdict})"),
        (_t("Reason"), till.close_reason or "—"),
    ])
    empty = f"<p>{html.escape(_t('No operations.'))}</p>"
    return (
        "<html><body style='font-family: sans-serif; font-size: 9pt'>"
        f"<h2>{html.escape(_t('End-of-day till report'))}</h2>"
        f"<table cellspacing='0'>{head}</table>"
        f"<h3>{html.escape(_t('Opening count'))}</h3>"
        + _table([_t("Denomination"), _t("Pieces"), _t("Sum")],
                 count_rows(till.open_counts), {1, 2})
        + f"<h3>{html.escape(_t('Operations'))}</h3>"
        + (_table([_t("Time"), _t("Operation"), _t("Category"), _t("Amount"), _t("Payment")],
                  ops, {3}) + legend if ops else empty)
        + f"<h3>{html.escape(_t('Totals by category'))}</h3>"
        + (_table([_t("Operation"), _t("Count"), _t("Amount")], totals, {1, 2})
           if totals else empty)
        + f"<h3>{html.escape(_t('Closing count'))}</h3>"
        + _table([_t("Denomination"), _t("Pieces"), _t("Sum")],
                 count_rows(till.close_counts), {1, 2})
        + f"<h3>{html.escape(_t('Balance'))}</h3><table cellspacing='0'>{balance}</table>"
        "<p><br></p><table width='100%'><tr>"
        f"<td>{html.escape(_t('Teller'))}: ____________</td>"
        f"<td>{html.escape(_t('Supervisor'))}: ____________</td></tr></table>"
        "</body></html>"
    )


PAGE_POINTS = QSizeF((210 - 30) * 72 / 25.4, (297 - 30) * 72 / 25.4)  # A4 less 15 mm margins


def report_document(report: EndOfDay, ctx: ReportContext) -> QTextDocument:
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setHtml(report_html(report, ctx))
    document.setPageSize(PAGE_POINTS)
    return document


def write_report_pdf(report: EndOfDay, ctx: ReportContext, path: Path | str) -> Path:
    """The report as an A4 PDF (0600: it names customers' payments and the teller)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(target))
    writer.setResolution(300)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setTitle(f"{_t('End-of-day till report')} {report.till.till_code}")
    writer.setCreator("Teller")
    report_document(report, ctx).print_(writer)
    del writer  # finishes the file
    os.chmod(target, 0o600)
    return target


def print_report(report: EndOfDay, ctx: ReportContext,
                 parent: QWidget | None = None) -> QPrintDialog:
    """The system print dialog, opened without blocking."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setDocName(f"till-{report.till.till_code}")
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_t("Print the end-of-day report"))
    dialog.printer_ref = printer  # type: ignore[attr-defined]  # keep it alive with the dialog
    dialog.accepted.connect(lambda: report_document(report, ctx).print_(printer))
    dialog.open()
    return dialog
