"""A receipt rendered for the customer: HTML for the preview, PDF through ``QPdfWriter``, paper
through the system print dialog (opened with ``open()``, never ``exec()``).

The labels follow the UI language (Qt translators); the amount in words comes with the
receipt (``core.receipt``), made in the same language.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QBuffer, QCoreApplication, QIODevice, QLocale, QMarginsF, QSizeF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from teller_app.core.private_files import write_private
from teller_app.core.receipt import Receipt
from teller_app.ui.cash_text import category_text, kind_text, status_text
from teller_app.ui.money import format_money, is_ukrainian


def ui_language() -> str:
    """"uk" or "en": the receipt's language follows the UI."""
    return "uk" if is_ukrainian() else "en"


def receipt_locale(receipt: Receipt) -> QLocale:
    if receipt.lang == "uk":
        return QLocale(QLocale.Language.Ukrainian, QLocale.Country.Ukraine)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


def receipt_rows(receipt: Receipt) -> list[tuple[str, str]]:
    """(label, value) pairs in reading order; also what a test reads back from the PDF."""
    amount = format_money(receipt.amount, receipt.minor_unit, receipt.asset_code,
                          receipt_locale(receipt))
    return [
        (QCoreApplication.translate("Receipt", "Bank"), receipt.bank),
        (QCoreApplication.translate("Receipt", "Branch"), receipt.branch or "—"),
        (QCoreApplication.translate("Receipt", "Operation"), kind_text(receipt.kind)),
        (QCoreApplication.translate("Receipt", "Date and time (Kyiv)"),
         receipt.at.strftime("%d.%m.%Y %H:%M:%S")),
        (QCoreApplication.translate("Receipt", "Customer"), receipt.customer),
        (QCoreApplication.translate("Receipt", "Account (IBAN)"), receipt.iban_masked or "—"),
        (QCoreApplication.translate("Receipt", "Amount"), amount),
        (QCoreApplication.translate("Receipt", "Amount in words"), receipt.amount_words),
        (QCoreApplication.translate("Receipt", "Payment category"),
         category_text(receipt.category)),
        (QCoreApplication.translate("Receipt", "Purpose"), receipt.purpose or "—"),
        (QCoreApplication.translate("Receipt", "Status"), status_text(receipt.status)),
        (QCoreApplication.translate("Receipt", "Payment ID"), receipt.payment_guid),
        (QCoreApplication.translate("Receipt", "Stellar transaction"), receipt.stellar_hash or "—"),
        (QCoreApplication.translate("Receipt", "Teller"), receipt.teller),
    ]


def receipt_html(receipt: Receipt) -> str:
    rows = []
    for label, value in receipt_rows(receipt):
        text = html.escape(value)
        if value in (receipt.stellar_hash, receipt.payment_guid) and value:
            # a 64-hex hash on three lines, a GUID on two (never cut mid-group by the layout)
            half = 22 if len(value) > 40 else 19 if len(value) > 24 else len(value)
            text = ("<span style='font-family: monospace; font-size: 8pt'>"
                    + "<br>".join(html.escape(value[i:i + half])
                                  for i in range(0, len(value), half)) + "</span>")
        rows.append(f"<tr><td style='color:#555; padding:3px 12px 3px 0'>"
                    f"{html.escape(label)}</td><td style='padding:3px 0'>{text}</td></tr>")
    title = html.escape(QCoreApplication.translate("Receipt", "Receipt"))
    sign_teller = html.escape(QCoreApplication.translate("Receipt", "Teller's signature"))
    sign_customer = html.escape(QCoreApplication.translate("Receipt", "Customer's signature"))
    return (
        "<html><body style='font-family: sans-serif; font-size: 9pt'>"
        f"<h2>{title}</h2>"
        f"<table cellspacing='0'>{''.join(rows)}</table>"
        "<p><br></p><table width='100%'><tr>"
        f"<td>{sign_teller}: ____________</td>"
        f"<td>{sign_customer}: ____________</td></tr></table>"
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


def receipt_document(receipt: Receipt) -> QTextDocument:
    return print_document(receipt_html(receipt), PAGE_POINTS)


def pdf_bytes(document: QTextDocument, page: QPageSize.PageSizeId, margin_mm: float,
              title: str) -> bytes:
    """``document`` as a PDF, rendered in memory (Qt paints on this thread); the caller writes
    it privately, off the UI thread when it is one (``ui/pdf_save``)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(300)
    writer.setPageLayout(QPageLayout(QPageSize(page), QPageLayout.Orientation.Portrait,
                                     QMarginsF(margin_mm, margin_mm, margin_mm, margin_mm),
                                     QPageLayout.Unit.Millimeter))
    writer.setTitle(title)
    writer.setCreator("Teller")
    document.print_(writer)
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


def print_receipt(receipt: Receipt, parent: QWidget | None = None) -> QPrintDialog:
    """The system print dialog, opened without blocking; prints when the teller accepts."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    printer.setDocName(receipt.file_stem)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(QCoreApplication.translate("Receipt", "Print receipt"))
    dialog.printer_ref = printer  # type: ignore[attr-defined]  # keep it alive with the dialog

    def accepted() -> None:
        receipt_document(receipt).print_(printer)

    dialog.accepted.connect(accepted)
    dialog.open()  # type: ignore[call-arg]  # PySide6's stub lists only open(receiver, member)
    return dialog
