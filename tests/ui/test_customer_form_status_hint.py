"""The customer form's Status box, empty, says what it takes (the platform's status is free
text): a hint in the empty box, as Segment shows "(none)", never sent as the status."""

from __future__ import annotations

from teller_app.ui.customer_form import CustomerForm


def test_an_empty_status_says_what_to_type_and_sends_nothing(qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    form = main_window.new_customer()
    assert isinstance(form, CustomerForm)
    hint = form.status.lineEdit().placeholderText()
    assert "(none)" in hint and "status" in hint
    assert form.status.currentText() == "" and form._values()["status"] == ""
    form.status.setCurrentText("under review")  # any text is a status
    assert form._values()["status"] == "under review"
