"""The customer form's field notes quote names and values from the platform (the holder of a
phone number, another desk's value "changed meanwhile"): they are plain text, never markup
(review: a surname such as "<b>APPROVED</b>" was painted bold under the field)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from .markup_labels import markup_labels


def test_every_field_note_is_plain_text(main_window) -> None:  # type: ignore[no-untyped-def]
    form = main_window.new_customer()
    assert form.errors, "the form has field notes"
    for key, label in form.errors.items():
        assert label.textFormat() == Qt.TextFormat.PlainText, key
    form.set_error("phone_number", "<b>APPROVED</b>")  # as a holder's name is shown
    note = form.errors["phone_number"]
    assert note.isVisible() and note.textFormat() == Qt.TextFormat.PlainText
    assert markup_labels() == []  # no visible label Qt would paint as markup
