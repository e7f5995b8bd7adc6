"""The end-of-day report of a till: HTML for the preview, a PDF through ``QPdfWriter`` and
paper through the system print dialog — the receipt's machinery (``ui/receipt.py``) on A4.

Sections: who/where/when (and who co-signed the opening count and an over/short past the
tolerance), the opening count by denomination, every operation, totals by category, the
previous close and the opening's difference from it, expected vs counted with over/short and
its reason, and signature lines.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QMarginsF, QObject, QSizeF
from PySide6.QtGui import QPagedPaintDevice, QPageLayout, QPageSize, QTextBlock, QTextDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget

from teller_app.core.private_files import write_private
from teller_app.core.receipt import kyiv_time, offset_if_ambiguous
from teller_app.core.till import DENOMINATIONS, EndOfDay, NameLookup, Till, face_value
from teller_app.ui.async_op import OpRunner
from teller_app.ui.audit_people import name_and_email
from teller_app.ui.cash_text import category_text
from teller_app.ui.local_time import clock_text, day_text, moment_text
from teller_app.ui.money import format_uah
from teller_app.ui.print_job import Footer, paint_pages
from teller_app.ui.print_off_thread import OffThreadPrintJob
from teller_app.ui.receipt import pdf_bytes, print_document
from teller_app.ui.till_text import denomination_text, till_kind_text, till_state_text


@dataclass(frozen=True)
class ReportContext:
    bank: str
    branch: str
    teller: str  # the signed-in employee's name (``teller_email``'s)
    people: NameLookup | None = None  # names the co-signer (e-mail -> name), when it can
    # whose name ``teller`` is: the report names the till's own teller (``Till.teller``, an
    # e-mail), with this name only when it is theirs. Empty: the caller vouches that
    # ``teller`` names the till's teller (a script's, a test's context)
    teller_email: str = ""


def person_text(name: str, email: str | None) -> str:
    """"Name (e-mail)" when a directory names the person; the e-mail alone otherwise."""
    return name_and_email(name, email) if email else "—"


def teller_text(till: Till, ctx: ReportContext, name: str = "") -> str:
    """The till's teller as the hub names them (their e-mail), with their name: the
    signed-in employee's when they are that teller, else ``name`` (``EndOfDay.teller_name``:
    the hub's or the directory's name for ``till.teller`` itself). Never another employee's
    name (a supervisor who took over the desk is not the teller of the till closed before)."""
    email = till.teller.strip()
    if not ctx.teller_email:
        return ctx.teller or email or "—"
    if email.lower() == ctx.teller_email.strip().lower():
        return person_text(ctx.teller or name, email)
    return person_text(name, email)


def _kyiv(ts: int) -> datetime:
    return kyiv_time(datetime.fromtimestamp(ts, UTC))


def _when(ts: int | None) -> str:
    if not ts:
        return "—"
    local = _kyiv(ts)
    return f"{moment_text(local)}{offset_if_ambiguous(local)}"


def _time(ts: int, opened_on: date | None) -> str:
    """An operation's time; with its date when that is not the opening's (a till open past
    midnight: 00:05 is the next day's)."""
    if not ts:
        return "—"
    local = _kyiv(ts)
    day = f"{day_text(local)} " if local.date() != opened_on else ""
    return f"{day}{clock_text(local)}{offset_if_ambiguous(local)}"


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
    # the heading row in <thead>: Qt repeats it at the top of each page the table runs onto
    return (f"<table cellspacing='0' width='100%'><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _balance_rows(amounts: list[tuple[str, str, str]], reason: tuple[str, str]) -> str:
    """Label, amount right-aligned as every money column of the report, and a note (over or
    short); the reason, free text, under them across the amount and note."""
    label = "style='color:#555; padding:1px 12px 1px 0'"
    rows = "".join(f"<tr><td {label}>{html.escape(a)}</td>"
                   f"<td align='right' style='padding:1px 0'>{html.escape(b)}</td>"
                   f"<td style='padding:1px 0 1px 6px'>{html.escape(c)}</td></tr>"
                   for a, b, c in amounts)
    return (rows + f"<tr><td {label}>{html.escape(reason[0])}</td>"
            f"<td colspan='2' style='padding:1px 0'>{html.escape(reason[1])}</td></tr>")


def count_rows(counts: dict[str, int]) -> list[list[str]]:
    return [[denomination_text(key), str(counts[key]), format_uah(face_value(key) * counts[key])]
            for key, _v, _n in DENOMINATIONS if counts.get(key)]


class ReportLabels(QObject):
    """The report's words (``self.tr``: extracted by lupdate under this class's name)."""

    def texts(self) -> dict[str, str]:
        return {
            "title": self.tr("End-of-day till report"), "bank": self.tr("Bank"),
            "branch": self.tr("Branch"), "teller": self.tr("Teller"), "till": self.tr("Till"),
            "state": self.tr("State"), "opened": self.tr("Opened"), "closed": self.tr("Closed"),
            "cosigned": self.tr("Opening count co-signed by"),
            "close_cosigned": self.tr("Over/short co-signed by"),
            "previous_close": self.tr("Previous close"),
            "opening_difference": self.tr("Opening difference"),
            "opening_count": self.tr("Opening count"), "closing_count": self.tr("Closing count"),
            "denomination": self.tr("Denomination"), "pieces": self.tr("Pieces"),
            "sum": self.tr("Sum"), "operations": self.tr("Operations"), "time": self.tr("Time"),
            "operation": self.tr("Operation"), "category": self.tr("Category"),
            "amount": self.tr("Amount"), "payment": self.tr("Payment"),
            "totals": self.tr("Totals by category"), "count": self.tr("Count"),
            "none": self.tr("No operations."), "balance": self.tr("Balance"),
            "opening_cash": self.tr("Opening cash"), "cash_in": self.tr("Cash in"),
            "cash_out": self.tr("Cash out"), "expected": self.tr("Expected cash"),
            "counted": self.tr("Counted cash"), "over_short": self.tr("Over/short"),
            "reason": self.tr("Reason"), "balanced": self.tr("balanced"),
            "over": self.tr("over"), "short": self.tr("short"),
            "supervisor": self.tr("Supervisor"),
            "print": self.tr("Print the end-of-day report"),
            "footer": self.tr("Till {code}, {day}, page {page} of {pages}"),
        }


def operation_headings() -> list[str]:
    t = ReportLabels().texts()
    return [t["time"], t["operation"], t["category"], t["amount"], t["payment"]]


def operation_rows(report: EndOfDay) -> list[list[str]]:
    """The operations table's cells (``operation_headings``; the amount, index 3, right)."""
    till = report.till
    opened_on = _kyiv(till.opened_at).date() if till.opened_at else None
    return [[_time(o.at, opened_on), till_kind_text(o.kind), o.category or "—",
             format_uah(o.amount), (o.payment_guid or "")[:8]] for o in report.operations]


def operation_legend(report: EndOfDay) -> str:
    """What the operations' category codes mean ("04 — …; 02 — …")."""
    codes = sorted({o.category for o in report.operations if o.category})
    return "; ".join(category_text(c) for c in codes)


def report_html(report: EndOfDay, ctx: ReportContext, balance_on_new_page: bool = False,
                operations: bool = True) -> str:
    """The report; ``balance_on_new_page`` starts the balance (and the signatures under it) on
    a page of its own, for paper where it would be split from them. ``operations`` False:
    without the operations section (the preview lists them in a table of its own)."""
    t = ReportLabels().texts()
    till = report.till
    over_short = till.over_short if till.over_short is not None else Decimal(0)
    verdict = t["balanced"] if over_short == 0 else t["over"] if over_short > 0 else t["short"]
    head = _rows([
        (t["bank"], ctx.bank), (t["branch"], ctx.branch or "—"),
        (t["teller"], teller_text(till, ctx, report.teller_name)),
        (t["till"], till.till_code), (t["state"], till_state_text(till.state)),
        (t["opened"], _when(till.opened_at)), (t["closed"], _when(till.closed_at)),
        (t["cosigned"], person_text(report.cosigner_name, till.cosigned_by)),
    ] + ([(t["close_cosigned"], person_text(report.close_cosigner_name,
                                            till.close_cosigned_by))]
         if till.close_cosigned_by else []))
    ops = operation_rows(report)
    legend = ("<p style='color:#555; margin:2px 0'>"
              + html.escape(operation_legend(report)) + "</p>")
    codes_of = {"deposit": " (04)", "withdrawal": " (02)"}
    totals = [[till_kind_text(kind) + codes_of.get(kind, ""), str(count), format_uah(amount)]
              for kind, (count, amount) in sorted(report.totals.items())]
    counted = format_uah(till.counted) if till.counted is not None else "—"
    previous = format_uah(till.previous_close) if till.previous_close is not None else "—"
    # what the drawer gained or lost between the last close and this opening (co-signed)
    opening_diff = till.opening_difference
    balance = _balance_rows([
        (t["previous_close"], previous, ""),
        (t["opening_difference"], "—" if opening_diff is None else format_uah(opening_diff), ""),
        (t["opening_cash"], format_uah(till.open_total), ""),
        (t["cash_in"], format_uah(report.cash_in), ""),
        (t["cash_out"], format_uah(report.cash_out), ""),
        (t["expected"], format_uah(till.expected), ""), (t["counted"], counted, ""),
        (t["over_short"], format_uah(over_short), f"({verdict})"),
    ], (t["reason"], till.close_reason or "—"))
    empty = f"<p>{html.escape(t['none'])}</p>"
    count_head = [t["denomination"], t["pieces"], t["sum"]]

    def h(level: int, key: str, new_page: bool = False) -> str:
        margin = "margin:8px 0 3px 0" if level == 3 else "margin:0 0 6px 0"
        if new_page:
            margin += "; page-break-before: always"
        return f"<h{level} style='{margin}'>{html.escape(t[key])}</h{level}>"

    return (
        "<html><body style='font-family: sans-serif; font-size: 9pt'>"
        + h(2, "title") + f"<table cellspacing='0'>{head}</table>"
        + h(3, "opening_count") + _table(count_head, count_rows(till.open_counts), {1, 2})
        + ((h(3, "operations")
            + (_table([t["time"], t["operation"], t["category"], t["amount"], t["payment"]],
                      ops, {3}) + legend if ops else empty)) if operations else "")
        + h(3, "totals")
        + (_table([t["operation"], t["count"], t["amount"]], totals, {1, 2})
           if totals else empty)
        + h(3, "closing_count") + _table(count_head, count_rows(till.close_counts), {1, 2})
        + h(3, "balance", balance_on_new_page) + f"<table cellspacing='0'>{balance}</table>"
        + "<table width='100%' cellspacing='0' style='margin-top:10px'><tr>"
        + f"<td>{html.escape(t['teller'])}: ____________</td>"
        + f"<td>{html.escape(t['supervisor'])}: ____________</td></tr></table>"
        + "</body></html>"
    )


PAGE_POINTS = QSizeF((210 - 30) * 72 / 25.4, (297 - 30) * 72 / 25.4)  # A4 less 15 mm margins
FOOTER_POINTS = 16.0  # the strip under each page's text: "Till T1, 06.12.2026, page 1 of 2"
BODY_POINTS = QSizeF(PAGE_POINTS.width(), PAGE_POINTS.height() - FOOTER_POINTS)


def report_footer(report: EndOfDay) -> Footer:
    """Each page says which till and day it belongs to, and which page of how many: a second
    page (the balance and the signatures) is known for this till's on its own."""
    till = report.till
    day = day_text(_kyiv(till.opened_at)) if till.opened_at else "—"
    words = ReportLabels().texts()["footer"]

    def footer(page: int, pages: int) -> QTextDocument:
        text = words.format(code=till.till_code, day=day, page=page, pages=pages)
        return print_document(
            "<html><body style='font-family: sans-serif; font-size: 7.5pt; color:#555'>"
            f"<p align='right' style='margin:6px 0 0 0'>{html.escape(text)}</p></body></html>",
            QSizeF(PAGE_POINTS.width(), FOOTER_POINTS))
    return footer


def _page_of(document: QTextDocument, block: QTextBlock) -> int:
    top = document.documentLayout().blockBoundingRect(block).top()
    return int(top // document.pageSize().height())


def _balance_apart_from_signatures(document: QTextDocument) -> bool:
    """The balance's heading (the last heading) on another page than the signatures (the
    last text)."""
    heading = signatures = document.begin()
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel():
            heading = block
        if block.text().strip():
            signatures = block
        block = block.next()
    return _page_of(document, heading) != _page_of(document, signatures)


def report_document(report: EndOfDay, ctx: ReportContext) -> QTextDocument:
    """The report for paper: the signatures on the page of the balance they sign for (alone
    on a page of their own, they sign nothing)."""
    document = print_document(report_html(report, ctx), BODY_POINTS)
    if _balance_apart_from_signatures(document):
        document = print_document(report_html(report, ctx, balance_on_new_page=True),
                                  BODY_POINTS)
    return document


def report_pdf(report: EndOfDay, ctx: ReportContext) -> bytes:
    """The report as an A4 PDF, each page with its footer (``report_footer``)."""
    return pdf_bytes(report_document(report, ctx), QPageSize.PageSizeId.A4, 15,
                     f"{ReportLabels().texts()['title']} {report.till.till_code}",
                     report_footer(report))


def write_report_pdf(report: EndOfDay, ctx: ReportContext, path: Path | str) -> Path:
    """The report's PDF in a file (0600: it names customers' payments and the teller), for
    scripts and tests."""
    return write_private(Path(path), report_pdf(report, ctx))


def print_report(report: EndOfDay, ctx: ReportContext, parent: QWidget | None = None,
                 ops: OpRunner | None = None) -> OffThreadPrintJob:
    """The system print dialog, opened without blocking; says whether the report printed
    (``sent``, ``failed``). "Print to File" writes the report's own PDF privately (0600).
    With ``ops`` the report is made and painted off the UI thread (each time in the worker:
    a ``QTextDocument`` is never shared between threads)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    printer.setDocName(f"till-{report.till.till_code}")

    def paint(device: QPagedPaintDevice) -> bool:
        return paint_pages(report_document(report, ctx), device, report_footer(report))

    # the document is made, laid out and painted in a worker (``print_off_thread``): a
    # day of 1 000 operations froze the desk for a second here
    dialog = OffThreadPrintJob(printer, paint, lambda: report_pdf(report, ctx), ops, parent)
    dialog.setWindowTitle(ReportLabels().texts()["print"])
    dialog.open_it()
    return dialog
