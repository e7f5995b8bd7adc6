"""A receipt rendered for the customer: HTML for the preview, PDF through ``QPdfWriter``, paper
through the system print dialog (opened with ``open()``, never ``exec()``).

The labels follow the UI language (Qt translators); the amount in words comes with the
receipt (``core.receipt``), made in the same language.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QBuffer, QCoreApplication, QIODevice, QLocale, QMarginsF, QSizeF
from PySide6.QtGui import (
    QFont,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget

from teller_app.core.private_files import write_private
from teller_app.core.receipt import Receipt, kyiv_stamp
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cash_text import category_text, kind_text, status_text
from teller_app.ui.money import format_money, is_ukrainian
from teller_app.ui.print_job import Footer, PrintJobDialog, paint_pages
from teller_app.ui.validators import isolate


def ui_language() -> str:
    """"uk" or "en": the receipt's language follows the UI."""
    return "uk" if is_ukrainian() else "en"


def receipt_locale(receipt: Receipt) -> QLocale:
    if receipt.lang == "uk":
        return QLocale(QLocale.Language.Ukrainian, QLocale.Country.Ukraine)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


def _shown(text: str) -> str:
    """Platform text as printed: on one line, control characters shown as U+FFFD and a
    direction override kept inside its own isolate (``validators.isolate``)."""
    return isolate(text) if text else "—"


def _id_text(value: str) -> str:
    """A GUID or hash from the platform: letters, digits and "-" only (anything else shows
    as U+FFFD), so it cannot carry a line break or an override into the print."""
    return "".join(c if c.isalnum() or c == "-" else "\ufffd" for c in value) or "—"


def receipt_rows(receipt: Receipt) -> list[tuple[str, str]]:
    """(label, value) pairs in reading order; also what a test reads back from the PDF.
    Texts from the platform (names, purpose, the account) come isolated, one line each."""
    translate = QCoreApplication.translate
    amount = format_money(receipt.amount, receipt.minor_unit, receipt.asset_code,
                          receipt_locale(receipt))
    rows = [
        (translate("Receipt", "Bank"), _shown(receipt.bank)),
        (translate("Receipt", "Branch"), _shown(receipt.branch)),
        # the hub's till that took the cash; no line at all when not known (no hub, a reprint)
        *([(translate("Receipt", "Till"), _shown(till))] if (till := receipt.till) else []),
        (translate("Receipt", "Operation"), kind_text(receipt.kind)),
        (translate("Receipt", "Date and time (Kyiv)"),
         kyiv_stamp(receipt.at) if receipt.at is not None
         else translate("Receipt", "time unknown")),  # never "now" for an unknown time
        (translate("Receipt", "Customer"), _shown(receipt.customer)),
        (translate("Receipt", "Account (IBAN)"), _shown(receipt.iban_masked)),
        (translate("Receipt", "Amount"), amount),
        (translate("Receipt", "Amount in words"), receipt.amount_words),
        (translate("Receipt", "Payment category"), _shown(category_text(receipt.category))),
        (translate("Receipt", "Purpose"), _shown(receipt.purpose)),
        (translate("Receipt", "Status"), status_text(receipt.status)),
        (translate("Receipt", "Payment ID"), _id_text(receipt.payment_guid)),
        (translate("Receipt", "Stellar transaction"), _id_text(receipt.stellar_hash)),
        (translate("Receipt", "Teller"), _shown(receipt.teller)),
    ]
    if receipt.reprint is not None:  # who printed this copy, and when
        rows.append((translate("Receipt", "Copy printed (Kyiv)"), translate(
            "Receipt", "{time} by {teller}").format(time=kyiv_stamp(receipt.reprint.at),
                                                     teller=_shown(receipt.reprint.by))))
    return rows


# 7.5 pt: a GUID's 36 characters fit the value column of the A5 whole (8 pt missed by a hair)
_MONO = "font-family: monospace; font-size: 7.5pt"
_NOWRAP = "white-space: nowrap; "  # Qt honours it on a cell, not on a span
ID_LINE = 36  # characters on one line: a GUID whole; a 64-hex hash as two halves of 32


def _id_cell(value: str) -> str:
    """A GUID on one line, never broken at its hyphens; a 64-hex hash as two halves of 32."""
    step = len(value) if len(value) <= ID_LINE else 32
    return ("<span style='" + _MONO + "'>"
            + "<br>".join(html.escape(value[i:i + step]) for i in range(0, len(value), step))
            + "</span>")


_LABEL = "color:#555; padding:1px 8px 1px 0"
_BLANK = "_" * 24


def _signatures() -> str:
    """Each signature on a row of its own, its label and blank in cells of their own on one
    line: as one text beside the other the blank fell under its label on the A5."""
    rows = []
    for label in (QCoreApplication.translate("Receipt", "Teller's signature"),
                  QCoreApplication.translate("Receipt", "Customer's signature")):
        rows.append(f"<tr><td style='{_NOWRAP}padding:14px 6px 0 0'>{html.escape(label)}:</td>"
                    f"<td width='100%' style='{_NOWRAP}padding:14px 0 0 0'>{_BLANK}</td></tr>")
    return ("<table cellspacing='0' style='margin-top: 6px'>"
            f"{''.join(rows)}</table>")


def receipt_html(receipt: Receipt, font_pt: float = 9) -> str:
    """The receipt for the preview and for paper: one A5 page (``PAGE_POINTS``), a label and
    its value on every row, the signatures last."""
    translate = QCoreApplication.translate
    ids = {translate("Receipt", "Payment ID"), translate("Receipt", "Stellar transaction")}
    rows = []
    for label, value in receipt_rows(receipt):
        is_id = label in ids and value != "—"
        text = _id_cell(value) if is_id else html.escape(value)
        rows.append(f"<tr><td width='34%' style='{_LABEL}'>{html.escape(label)}</td>"
                    f"<td width='66%' style='{_NOWRAP if is_id else ''}padding:1px 0'>{text}"
                    "</td></tr>")
    title = html.escape(translate("Receipt", "Receipt"))
    copy = ""
    if receipt.reprint is not None:  # a copy says so first, beside the title
        mark = html.escape(translate("Receipt", "COPY"))
        copy = f" <span style='color: #b00020'>— {mark}</span>"
    return (
        f"<html><body style='font-family: sans-serif; font-size: {font_pt}pt'>"
        f"<h2>{title}{copy}</h2>"
        f"<table width='100%' cellspacing='0'>{''.join(rows)}</table>"
        f"{_signatures()}"
        "</body></html>"
    )


# A5 less 12 mm margins, in points: the document is laid out at this size and scaled to the
# device, so the receipt looks the same on a PDF, a printer or the preview.
PAGE_POINTS = QSizeF((148 - 24) * 72 / 25.4, (210 - 24) * 72 / 25.4)


def print_document(html_text: str, page: QSizeF) -> QTextDocument:
    """A document for a PDF or paper (receipts, the till report): no margin of its own, a
    fixed page (a valid page size also drops Qt's page numbers), and no ligatures: with them a
    PDF holds "ﬀ" (one glyph), so a payment id copied or searched in it ("ffe12ec4") is lost."""
    document = QTextDocument()
    font = document.defaultFont()
    font.setFeature(QFont.Tag("liga"), 0)
    document.setDefaultFont(font)
    document.setDocumentMargin(0)
    document.setHtml(html_text)
    document.setPageSize(page)
    return document


FONT_STEPS = (9, 8.5, 8, 7.5, 7)  # points: smaller only when 9 pt would spill onto page 2


def receipt_document(receipt: Receipt) -> QTextDocument:
    """The receipt on one page, amount and signatures included: very long names or a
    purpose of wide letters are set smaller rather than pushing the signatures over."""
    for size in FONT_STEPS:
        document = print_document(receipt_html(receipt, size), PAGE_POINTS)
        if document.pageCount() == 1:
            break
    return document


def pdf_bytes(document: QTextDocument, page: QPageSize.PageSizeId, margin_mm: float,
              title: str, footer: Footer | None = None) -> bytes:
    """``document`` as a PDF, rendered in memory (Qt paints on this thread), page by page
    with ``footer`` under each when given (``print_job.paint_pages``); the caller writes it
    privately, off the UI thread when it is one (``ui/pdf_save``)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(300)
    writer.setPageLayout(QPageLayout(QPageSize(page), QPageLayout.Orientation.Portrait,
                                     QMarginsF(margin_mm, margin_mm, margin_mm, margin_mm),
                                     QPageLayout.Unit.Millimeter))
    writer.setTitle(title)
    writer.setCreator("Teller")
    paint_pages(document, writer, footer)
    del writer  # finishes the PDF
    return bytes(buffer.data().data())


def receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt as a one-page A5 PDF."""
    title = QCoreApplication.translate("Receipt", "Receipt")
    return pdf_bytes(receipt_document(receipt), QPageSize.PageSizeId.A5, 12,
                     f"{title} {receipt.payment_guid}")


def write_pdf(receipt: Receipt, path: Path | str) -> Path:
    """The receipt's PDF in a file (0600: it names a customer), for scripts and tests."""
    return write_private(Path(path), receipt_pdf(receipt))


def print_receipt(receipt: Receipt, parent: QWidget | None = None,
                  ops: OpRunner | None = None) -> PrintJobDialog:
    """The system print dialog, opened without blocking; prints when the teller accepts and
    says whether it did (``sent``, ``failed``). "Print to File" writes the receipt's own PDF
    privately (0600), through ``ops`` off the UI thread."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    printer.setDocName(receipt.file_stem)

    def paint(device: QPagedPaintDevice) -> bool:
        return paint_pages(receipt_document(receipt), device)

    dialog = PrintJobDialog(printer, paint, lambda: receipt_pdf(receipt), ops, parent)
    dialog.setWindowTitle(QCoreApplication.translate("Receipt", "Print receipt"))
    dialog.open_it()
    return dialog
