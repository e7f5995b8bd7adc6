"""An open audit entry follows a live language switch: its title, its captions and its
action's name are remade in the new language; what the entry holds (who, what, the details)
is shown as it was."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFormLayout, QLabel

from teller_app.platform.hub_models import AuditRecord
from teller_app.ui.audit_entry import AuditEntryDialog
from teller_app.ui.settings import switch_language

ENTRY = AuditRecord(seq=7, ts_ms=1_767_348_005_000, actor="teller@bank.test", action="edit",
                    entity="customer:c-7", detail={"reason": "new phone"})


def _caption(dialog: AuditEntryDialog, key: str) -> str:
    """The form's caption of the fact ``key`` (the label the form shows beside it)."""
    form = dialog.findChild(QFormLayout)
    assert form is not None
    label = form.labelForField(dialog.facts[key])
    assert isinstance(label, QLabel)
    return label.text()


def _details_caption(dialog: AuditEntryDialog) -> str:
    return next(label.text() for label in dialog.findChildren(QLabel)
                if label.buddy() is dialog.details)


def _data(dialog: AuditEntryDialog) -> tuple[str, ...]:
    facts = dialog.facts
    return (facts["actor"].text(), facts["entity"].text(), facts["customer"].text())


def test_the_open_entry_follows_a_language_switch(qtbot: Any, english: None) -> None:
    dialog = AuditEntryDialog(ENTRY, actor="Olena", customer="Ivan Petrenko")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Audit entry 7"
    assert _caption(dialog, "when") == "When (Kyiv)"
    assert dialog.facts["action"].text() == "Edited"
    assert dialog.facts["subject"].text() == "Customer c-7"  # in words; its code under it
    assert _details_caption(dialog) == "&Details"
    data = _data(dialog)
    assert data[0] == "Olena (teller@bank.test)"
    details = dialog.details.toPlainText()
    assert "Reason: new phone" in details
    try:
        switch_language("uk")
        title = QCoreApplication.translate("AuditEntryDialog", "Audit entry %1")
        assert title != "Audit entry %1", "compile the translations"
        qtbot.waitUntil(lambda: dialog.windowTitle() == title.replace("%1", "7"), timeout=5000)
        for key, source in (("when", "When (Kyiv)"), ("actor", "Employee"),
                            ("customer", "Customer")):
            caption = QCoreApplication.translate("AuditEntryDialog", source)
            assert caption != source
            assert _caption(dialog, key) == caption
        assert _details_caption(dialog) == QCoreApplication.translate(
            "AuditEntryDialog", "&Details")
        assert dialog.facts["action"].text() == QCoreApplication.translate(
            "AuditActions", "Edited") != "Edited"
        assert _data(dialog) == data
        assert dialog.facts["subject"].text() == QCoreApplication.translate(
            "AuditEntity", "Customer %1").replace("%1", "c-7")
        # the details' captions are words in the language; the reason itself is kept
        assert "new phone" in dialog.details.toPlainText()
        assert dialog.details.toPlainText() != details
    finally:
        switch_language("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Audit entry 7", timeout=5000)
    assert _caption(dialog, "when") == "When (Kyiv)"
    assert dialog.facts["action"].text() == "Edited"
    assert _data(dialog) == data and dialog.details.toPlainText() == details
