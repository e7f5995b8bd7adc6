"""Qt's own file dialog (Save as PDF) speaks Ukrainian in the Ukrainian desk: the strings
PySide6's ``qtbase_uk`` lacks ("&Look in:", "Files of &type:", a folder's type, the header
menu's "Show ") come from resources/i18n/qt_extra_uk.qm, loaded after qtbase (ui/i18n.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QHeaderView, QLabel, QTreeView

from teller_app.core.receipt import ReceiptContext, build_receipt
from teller_app.platform.models import Payment
from teller_app.ui.async_op import OpRunner
from teller_app.ui.i18n import resources_dir
from teller_app.ui.receipt_dialog import ReceiptDialog

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _receipt_dialog(qtbot: Any, ops: OpRunner) -> ReceiptDialog:
    payment = Payment.model_validate({
        "guid": "37f6b441-0906-46b6-9349-e742531f4eb7", "amount": "150.50",
        "asset_code": "UAH", "category": "04", "status": "CONFIRMED",
        "created_at": "2026-07-01T09:30:00Z"})
    desk = ReceiptContext("Demo Bank", "Київ, Хрещатик", "Касир", "Клієнт",
                          "UA21 3223 1300 0002 6007 2335 6600 1")
    dialog = ReceiptDialog(build_receipt(payment, desk, "uk"), ops)
    qtbot.addWidget(dialog)
    return dialog


def _open_save_dialog(qtbot: Any, receipt: ReceiptDialog) -> QFileDialog:
    receipt.choose_pdf_path()  # the app's own way: QFileDialog(...).open()
    dialog = receipt.file_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.findChild(QLabel, "lookInLabel") is not None, "not Qt's own (widget) dialog"
    return dialog


def test_the_save_dialog_labels_are_ukrainian(qtbot: Any, ops: OpRunner, ukrainian: None,
                                              tmp_path: Path) -> None:
    assert (resources_dir() / "i18n" / "qt_extra_uk.qm").exists(), \
        "compile the translations: packaging/build_translations.py"
    receipt = _receipt_dialog(qtbot, ops)  # the file dialog's parent: kept alive here
    dialog = _open_save_dialog(qtbot, receipt)
    try:
        texts = {name: label.text() for name in ("lookInLabel", "fileNameLabel", "fileTypeLabel")
                 if (label := dialog.findChild(QLabel, name)) is not None}
        assert set(texts) == {"lookInLabel", "fileNameLabel", "fileTypeLabel"}
        english = {name: text for name, text in texts.items() if LATIN_WORD.search(text)}
        assert not english, f"English labels in the Ukrainian file dialog: {english}"
        # each label still has its Alt letter, and no two share one
        letters = [re.search(r"&(\w)", text) for text in texts.values()]
        assert all(letters), texts
        assert len({m.group(1).lower() for m in letters if m}) == len(letters), texts
    finally:
        dialog.reject()


def test_the_detail_view_speaks_ukrainian(qtbot: Any, ops: OpRunner, ukrainian: None,
                                          tmp_path: Path) -> None:
    """A folder's type reads "Тека", and the header's menu "Показати Тип" (Qt's own
    Ukrainian "Показати" lost the space before the column's name)."""
    (tmp_path / "receipts").mkdir()
    receipt = _receipt_dialog(qtbot, ops)  # the file dialog's parent: kept alive here
    dialog = _open_save_dialog(qtbot, receipt)
    try:
        dialog.setDirectory(str(tmp_path))
        dialog.setViewMode(QFileDialog.ViewMode.Detail)
        tree = dialog.findChild(QTreeView, "treeView")
        assert tree is not None
        model = tree.model()

        def folder_type() -> str:
            root = tree.rootIndex()
            for row in range(model.rowCount(root)):
                if model.index(row, 0, root).data() == "receipts":
                    return str(model.index(row, 2, root).data() or "")
            return ""

        qtbot.waitUntil(lambda: folder_type() != "", timeout=5000)
        assert folder_type() in ("Тека", "Тека з файлами")
        header = tree.findChild(QHeaderView)
        assert header is not None
        shows = [action.text() for action in header.actions()]
        assert shows, "no column menu on the header"
        assert all(re.fullmatch(r"Показати \S.*", text) for text in shows), shows
    finally:
        dialog.reject()


def test_the_build_compiles_the_extra_file_and_update_leaves_it(monkeypatch: Any) -> None:
    """``build_translations.py --update`` re-extracts only teller_*.ts (lupdate would empty
    the hand-written qt_extra_uk.ts: no Teller source holds Qt's strings) and compiles
    qt_extra_uk.ts with the others (PyInstaller ships every resources/ file but .ts)."""
    import subprocess
    import sys

    from tests.build_translations_tool import build_translations

    bt = build_translations()
    calls: list[list[str]] = []
    monkeypatch.setattr(subprocess, "run", lambda args, **_kw: calls.append(list(args)))
    monkeypatch.setattr(sys, "argv", ["build_translations.py", "--update"])
    bt.main()
    extra = str(bt.I18N / "qt_extra_uk.ts")
    updated = [a for a in calls if Path(a[0]).name.startswith("pyside6-lupdate")]
    compiled = [a for a in calls if Path(a[0]).name.startswith("pyside6-lrelease")]
    assert updated and not any(extra in a for a in updated), updated
    assert any(a[1] == extra and a[-1].endswith("qt_extra_uk.qm") for a in compiled), compiled
