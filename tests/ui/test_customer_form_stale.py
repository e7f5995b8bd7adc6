"""The edit form when another desk changed the customer meanwhile (audit: a surname saved at
desk B was silently overwritten from desk A's older copy): nothing is sent, each field is
marked with its value now, everything typed stays, and a second Save writes the teller's
values. Real sandbox, pytest-qt offscreen."""

from __future__ import annotations

from teller_app.platform import CustomerUpdate

from .conftest import new_customer

CHANGED = "Changed meanwhile at another desk to: \u201c{}\u201d. Save again to replace it " \
          "with yours."


def test_a_field_changed_at_another_desk_is_marked_and_nothing_typed_is_lost(
        qtbot, main_window, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    client = main_window.session.client
    guid = arun(client.create_customer(new_customer(
        sandbox, main_window.session, surname="Бондар", name="Олег",
        status="active"))).customer_guid
    form = main_window.edit_customer(arun(client.get_customer(guid)))
    # another desk, meanwhile: a new surname and status
    arun(client.update_customer(guid, CustomerUpdate(surname="Бондаренко", status="pending")))
    form.surname.setText("Бондарчук")
    form.name.setText("Олександр")
    form.status.setCurrentText("inactive")
    form.submit()
    qtbot.waitUntil(lambda: bool(form.error_text("surname")), timeout=10000)
    assert form.error_text("surname") == CHANGED.format("Бондаренко")
    assert form.error_text("status") == CHANGED.format("pending")
    assert form.error_text("name") == ""  # nobody else changed it
    assert form.banner.text() == "The customer changed meanwhile."
    assert (form.surname.text(), form.name.text(), form.status.currentText()) == (
        "Бондарчук", "Олександр", "inactive")  # nothing typed is lost
    now = arun(client.get_customer(guid))
    assert (now.surname, now.name, now.status) == ("Бондаренко", "Олег", "pending")
    # the teller insists: the second Save writes their values
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    now = arun(client.get_customer(guid))
    assert (now.surname, now.name, now.status) == ("Бондарчук", "Олександр", "inactive")
